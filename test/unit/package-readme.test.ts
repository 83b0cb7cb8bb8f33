// The package and its page: the README's generated tables match package.json and the law registry,
// its pictures exist and are small enough to ship, the walkthrough points at files and commands
// that exist, what the .vsix admits, and that no network call creeps into the code (the README's
// privacy promise).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderReadme } from '../../scripts/readme';

const root = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

interface Screenshots {
  SCREENSHOTS: string[];
  MAX_BYTES: number;
  decodePng(bytes: Buffer): { width: number; height: number; pixels: Buffer };
  encodeIndexedPng(image: { width: number; height: number; pixels: Buffer }): Buffer;
}
const screenshots = (): Promise<Screenshots> => import(pathToFileURL(path.join(root, 'scripts/screenshots.mjs')).href) as Promise<Screenshots>;

/** Whether .vscodeignore (ignore everything, then `!pattern` admits) lets `file` into the .vsix. */
function admitted(file: string): boolean {
  const patterns = fs
    .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1));
  return patterns.some((p) => (p.endsWith('/**') ? file.startsWith(p.slice(0, -2)) : file === p));
}

test('the README tables of settings and laws are generated from package.json and the registry (npm run readme)', () => {
  assert.equal(renderReadme(readme, manifest), readme, 'README.md is out of date: run `npm run readme`');
  for (const key of Object.keys(manifest.contributes.configuration.properties)) {
    assert.ok(readme.includes(`| \`${key}\` |`), `${key} has a row`);
  }
});

test('every README image is a small, relative PNG in media/screenshots/', async () => {
  const { MAX_BYTES, SCREENSHOTS, decodePng } = await screenshots();
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  assert.deepEqual(new Set(images), new Set(SCREENSHOTS.map((n) => `media/screenshots/${n}.png`)), 'the README shows each screenshot the script copies');
  for (const image of images) {
    assert.ok(!/^\w+:/.test(image), `${image} is relative (no repository URL to point at)`);
    const bytes = fs.readFileSync(path.join(root, image));
    assert.ok(bytes.length <= MAX_BYTES, `${image}: ${bytes.length} bytes, over ${MAX_BYTES}`);
    const { width, height } = decodePng(bytes);
    assert.ok(width >= 400 && height >= 150, `${image} is ${width}×${height}`);
  }
});

test('the indexed-colour encoder keeps a few-colour picture exactly and approximates a many-colour one', async () => {
  const { decodePng, encodeIndexedPng } = await screenshots();
  const width = 64;
  const height = 48;
  const few = Buffer.alloc(width * height * 4);
  const many = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    few.set([(x >> 3) * 30, (y >> 3) * 40, 200, 255], i * 4); // 8 × 6 colours
    many.set([x * 4, y * 5, (x * y) % 256, 255], i * 4); // thousands of colours
  }
  assert.deepEqual(decodePng(encodeIndexedPng({ width, height, pixels: few })).pixels, few);
  const back = decodePng(encodeIndexedPng({ width, height, pixels: many })).pixels;
  let worst = 0;
  for (let i = 0; i < many.length; i++) worst = Math.max(worst, Math.abs(back[i] - many[i]));
  assert.ok(worst > 0, 'more than 256 colours cannot round-trip exactly');
  assert.ok(worst <= 48, `largest channel error ${worst}`);
});

test('the walkthrough: media files exist, links and completion events name contributed commands', () => {
  const commands = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
  const walkthroughs = manifest.contributes.walkthroughs as {
    id: string;
    steps: { id: string; description: string; media: Record<string, string>; completionEvents: string[] }[];
  }[];
  assert.equal(walkthroughs.length, 1);
  const steps = walkthroughs[0].steps;
  assert.deepEqual(
    steps.map((s) => s.id),
    ['openExampleSweep', 'seePredictions', 'planBudget'],
  );
  const known = (command: string) => commands.has(command) || command.startsWith('workbench.');
  for (const step of steps) {
    const file = step.media.image ?? step.media.markdown;
    assert.ok(file && fs.existsSync(path.join(root, file)), `${step.id}: media ${file} exists`);
    assert.ok(admitted(file), `${step.id}: ${file} ships in the .vsix`);
    const links = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length > 0, `${step.id} has a button`);
    for (const link of links) assert.ok(known(link), `${step.id}: command:${link} is contributed`);
    assert.ok(step.completionEvents.length > 0, `${step.id} completes on something`);
    for (const event of step.completionEvents) {
      const command = /^onCommand:(.+)$/.exec(event)?.[1];
      assert.ok(command && known(command), `${step.id}: ${event} names a contributed command`);
      assert.ok(links.includes(command), `${step.id}: its button runs ${command}, which completes it`);
    }
  }
  assert.ok(!admitted('media/screenshots/lens.png'), 'README-only pictures stay out of the .vsix');
  assert.ok(admitted('examples/sweep/llama-12m/metrics.jsonl'), 'the example sweep that "Open Example Sweep" copies ships in the .vsix');
});

test('the .vsix admits bundles, media and the manifest, never sources, maps or tests', () => {
  for (const file of [
    'dist/extension.js',
    'dist/worker.js',
    'dist/fitThread.js',
    'dist/jsonlThread.js',
    'dist/webview.js',
    'dist/webview.css',
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    'media/icon.png',
  ]) {
    assert.ok(admitted(file), `${file} is admitted`);
  }
  for (const file of [
    'dist/extension.js.map',
    'dist/cli.js',
    'dist/cliMain.js',
    'dist/cliQuick.js',
    'dist/cliEstimate.js',
    'dist/cliEstimateJson.js',
    'dist/cliEstimateYaml.js',
    'dist/cliEstimatePython.js',
    'dist/cliLadder.js',
    'dist/cliLadderBudget.js',
    'src/extension.ts',
    'test/unit/package-readme.test.ts',
    'node_modules/yaml/package.json',
    'scripts/demo.mjs',
  ]) {
    assert.ok(!admitted(file), `${file} is left out`);
  }
});

test('every bundle esbuild.mjs makes for the extension is in the .vsix (all but the CLI, which the extension never runs)', () => {
  const bundles = [...fs.readFileSync(path.join(root, 'esbuild.mjs'), 'utf8').matchAll(/outfile: '(dist\/[^']+)'/g)]
    .map((m) => m[1])
    // The CLI's bundles: dist/cli.js and the ones it loads (dist/cliMain.js, dist/cliEstimateYaml.js, …).
    .filter((f) => !/^dist\/cli[A-Za-z]*\.js$/.test(f));
  assert.ok(bundles.includes('dist/worker.js') && bundles.includes('dist/fitThread.js'), `bundles found: ${bundles.join(', ')}`);
  for (const file of bundles) assert.ok(admitted(file), `${file} is admitted`);
});

test('every parser file (dist/lazy/) that a bundle of the extension requires is in the .vsix', async () => {
  const { build } = await import('esbuild');
  const { lazyChunks } = (await import(pathToFileURL(path.join(root, 'esbuild-lazy.mjs')).href)) as { lazyChunks: import('esbuild').Plugin };
  const required = new Set<string>();
  for (const entry of ['src/extension.ts', 'src/worker/worker.ts', 'src/worker/fitThread.ts', 'src/core/runs/jsonlThread.ts']) {
    const out = await build({
      entryPoints: [path.join(root, entry)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      outdir: path.join(root, 'dist'),
      metafile: true,
      external: ['vscode'],
      mainFields: ['module', 'main'],
      plugins: [lazyChunks],
      logLevel: 'warning',
    });
    for (const o of Object.values(out.metafile.outputs)) for (const i of o.imports) if (i.path.startsWith('./lazy/')) required.add(`dist/${i.path.slice(2)}`);
  }
  // The worker reads YAML (.scalinglens.yaml, configs), TOML, Python configs and protobuf event files.
  assert.ok(required.has('dist/lazy/yaml.js') && required.has('dist/lazy/protobufjs.js'), [...required].join(', '));
  for (const file of required) assert.ok(admitted(file), `${file} is admitted`);
  assert.ok(!admitted('dist/lazy/yaml.js.map'), 'no source map');
});

test('privacy: no network or process API in the extension, worker, CLI or webview sources', () => {
  // What would let data leave the machine (or run something): Node's network and process modules,
  // and the browser's request APIs. protobufjs, bundled for the TensorBoard and W&B readers,
  // carries a file loader with an XHR branch for browsers; the readers define their types in code
  // and never call it.
  const forbidden = [
    /from '(node:)?(http|https|http2|net|tls|dgram|dns|child_process)'/,
    /require\('(node:)?(http|https|http2|net|tls|dgram|dns|child_process)'\)/,
    /\bfetch\(/,
    /XMLHttpRequest|WebSocket|sendBeacon|EventSource/,
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(entry.name)) files.push(p);
    }
  };
  walk(path.join(root, 'src'));
  walk(path.join(root, 'webview'));
  assert.ok(files.length > 20, `${files.length} source files read`);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const pattern of forbidden) assert.doesNotMatch(text, pattern, `${path.relative(root, file)} uses ${pattern}`);
  }
  // The tests for the test itself: it would catch the calls it is there to catch.
  assert.match("import * as https from 'node:https';", forbidden[0]);
  assert.match('await fetch(url)', forbidden[2]);
});

test('the manifest: gallery banner, categories, engines and the version the integration tests run on', () => {
  assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
  assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme));
  assert.deepEqual(manifest.categories, ['Machine Learning', 'Visualization', 'Data Science']);
  // scripts/ensure-vscode-server.sh installs code-server X.Y.Z, which ships VS Code 1.Y.Z.
  const script = fs.readFileSync(path.join(root, 'scripts/ensure-vscode-server.sh'), 'utf8');
  const codeServer = /code_server_version="4\.(\d+\.\d+)"/.exec(script)?.[1];
  assert.ok(codeServer, 'the code-server version is found');
  assert.equal(manifest.engines.vscode, `^1.${codeServer}`);
  assert.equal(manifest.capabilities.virtualWorkspaces.supported, false);
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
});
