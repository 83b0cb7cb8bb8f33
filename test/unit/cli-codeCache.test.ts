// Issue 20: the CLI loads its bundles with a V8 code cache (src/cliCodeCache.ts). Correctness first:
// with the cache off, on the run that writes it and on the runs that use it, every command prints the
// same bytes; a cache V8 rejects, a damaged one or one of another version of the file is ignored and
// rewritten; a cache folder others may write is not used. Built here as esbuild.mjs builds dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';
import { CODE_CACHE_ENV } from '../../src/cliCodeCache';

const repo = path.resolve(__dirname, '../..');

// A flow mapping (`tags`) is outside what yamlLite.ts reads, so this document loads both YAML parsers (and their caches are tested).
const GENERIC_YAML = `family: my-sweep
tags: {sweep: width}
model:
  layers: 8
  d_model: 512
  heads: 8
  vocab: 32000
training:
  steps: 6000
  batch_size: 128
  seq_len: 1024
  lr: 6e-4
`;

test('the CLI prints the same bytes with its code cache off, being written, and used; a bad cache is ignored and rewritten', async () => {
  const { build } = await import('esbuild');
  const { lazyChunkBuilds, lazyChunks } = (await import(pathToFileURL(path.join(repo, 'esbuild-lazy.mjs')).href)) as {
    lazyChunkBuilds: (base: BuildOptions, outdir: string) => BuildOptions[];
    lazyChunks: Plugin;
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-cache-'));
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-cache-cwd-'));
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-cache-dir-'));
  try {
    const base: BuildOptions = { bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], logLevel: 'warning' };
    const lazy = { ...base, plugins: [lazyChunks] };
    const small = { ...lazy, external: ['./cliMain.js'] };
    await Promise.all([
      ...lazyChunkBuilds(base, dir).map((b) => build(b)),
      build({ ...lazy, entryPoints: [path.join(repo, 'src/cliEntry.ts')], outfile: path.join(dir, 'cli.js'), external: ['./cli*.js'] }),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliQuick.ts')], outfile: path.join(dir, 'cliQuick.js') }),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliEstimate.ts')], outfile: path.join(dir, 'cliEstimate.js') }),
      ...['Json', 'Yaml', 'Python'].map((kind) =>
        build({ ...small, entryPoints: [path.join(repo, `src/cliEstimate${kind}.ts`)], outfile: path.join(dir, `cliEstimate${kind}.js`) }),
      ),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliLadder.ts')], outfile: path.join(dir, 'cliLadder.js') }),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliLadderBudget.ts')], outfile: path.join(dir, 'cliLadderBudget.js') }),
      build({ ...lazy, entryPoints: [path.join(repo, 'src/cli.ts')], outfile: path.join(dir, 'cliMain.js') }),
      build({ ...lazy, entryPoints: [path.join(repo, 'src/worker/fitThread.ts')], outfile: path.join(dir, 'fitThread.js') }),
      build({ ...lazy, entryPoints: [path.join(repo, 'src/core/runs/jsonlThread.ts')], outfile: path.join(dir, 'jsonlThread.js') }),
    ]);
    const yaml = path.join(cwd, 'plan.yaml');
    fs.writeFileSync(yaml, GENERIC_YAML);
    const cache = path.join(cacheRoot, 'cache');
    // Which of the build's files the process loaded (Node's module cache), written at exit.
    const loadedFile = path.join(cacheRoot, 'loaded.txt');
    const hook = path.join(cacheRoot, 'hook.cjs');
    fs.writeFileSync(
      hook,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(loadedFile)}, Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(dir)})).map((f) => require('path').relative(${JSON.stringify(dir)}, f)).sort().join(',')));\n`,
    );
    const run = (args: string[], cacheSetting: string) => {
      const r = spawnSync(process.execPath, ['-r', hook, path.join(dir, 'cli.js'), ...args], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, SCALING_LENS_CODE_CACHE: cacheSetting },
      });
      return { out: [r.status, r.stdout, r.stderr], loaded: fs.readFileSync(loadedFile, 'utf8').split(',') };
    };
    const cacheFiles = () =>
      new Map(
        fs.existsSync(cache)
          ? fs
              .readdirSync(cache)
              .flatMap((v) => fs.readdirSync(path.join(cache, v)).map((f) => path.join(cache, v, f)))
              .map((f) => [path.basename(f).replace(/-[0-9a-f]{8}\.v8$/, ''), f] as const)
          : [],
      );
    const commands: { args: string[]; bundle: string }[] = [
      { args: ['plan', '--budget', '1e21'], bundle: 'cliQuick.js' },
      { args: ['estimate', path.join(repo, 'examples', 'configs', 'planned-400m')], bundle: 'cliEstimateJson.js' },
      { args: ['estimate', yaml, '--json'], bundle: 'cliEstimateYaml.js' },
      { args: ['ladder', '--budget', '1e20'], bundle: 'cliLadderBudget.js' },
      { args: ['ladder', yaml], bundle: 'cliLadder.js' },
      { args: ['ladder'], bundle: 'cliMain.js' }, // a usage error: the whole CLI words it
      // (`scan` without --no-fit says its progress on stderr at times that vary; `curve` fits.)
      {
        args: ['scan', path.join(repo, 'examples', 'sweep', 'llama-12m'), path.join(repo, 'examples', 'sweep', 'llama-23m'), '--no-fit', '--json'],
        bundle: 'cliMain.js',
      },
      { args: ['curve', path.join(repo, 'examples', 'sweep', 'llama-44m'), '--until', '0.3'], bundle: 'cliMain.js' },
    ];
    for (const { args, bundle } of commands) {
      const label = args.map((a) => path.basename(a)).join(' ');
      const off = run(args, 'off');
      assert.ok(off.loaded.includes(bundle), `${label}: ${off.loaded.join(', ')}`);
      const written = run(args, cache);
      assert.deepEqual(written.out, off.out, `${label}: the run that writes the cache`);
      assert.deepEqual(written.loaded, off.loaded, `${label}: the same files loaded`);
      const files = cacheFiles();
      assert.ok(files.has(path.basename(bundle, '.js')), `${label}: a cache of ${bundle} (${[...files.keys()].join(', ')})`);
      const stamps = [...files.values()].map((f) => fs.statSync(f).mtimeMs);
      const used = run(args, cache);
      assert.deepEqual(used.out, off.out, `${label}: the run that uses the cache`);
      // Accepted by V8, so not rewritten.
      assert.deepEqual(
        [...files.values()].map((f) => fs.statSync(f).mtimeMs),
        stamps,
        `${label}: cache accepted`,
      );
    }
    const off = run(['ladder', yaml], 'off');
    const files = cacheFiles();
    assert.ok(files.has('yaml') && files.has('js-yaml'), `the YAML parsers are cached: ${[...files.keys()].join(', ')}`);
    // Damaged data (V8 rejects it), another version of the file (the header differs), not V8's at all.
    const ladderCache = files.get('cliLadder')!;
    const good = fs.readFileSync(ladderCache);
    const damaged = Buffer.from(good);
    for (let i = good.indexOf(10) + 1; i < damaged.length; i += 97) damaged[i] ^= 0x5a;
    const otherVersion = Buffer.concat([Buffer.from('1:2:3:4\n'), good.subarray(good.indexOf(10) + 1)]);
    for (const [what, bytes] of [
      ['damaged', damaged],
      ['of another version of the file', otherVersion],
      ['not a cache', Buffer.from('hello\n')],
      ['empty', Buffer.alloc(0)],
    ] as const) {
      fs.writeFileSync(ladderCache, bytes);
      assert.deepEqual(run(['ladder', yaml], cache).out, off.out, `a cache ${what}`);
      const rewritten = fs.readFileSync(ladderCache);
      assert.ok(!rewritten.equals(bytes) && rewritten.length > 10_000, `a cache ${what} is rewritten`);
      assert.equal(rewritten.subarray(0, good.indexOf(10)).toString(), good.subarray(0, good.indexOf(10)).toString(), `a cache ${what}: this file's`);
      // …and the next run takes it.
      const stamp = fs.statSync(ladderCache).mtimeMs;
      assert.deepEqual(run(['ladder', yaml], cache).out, off.out);
      assert.equal(fs.statSync(ladderCache).mtimeMs, stamp, `the cache rewritten after one ${what} is accepted`);
    }
    // The source changed, same length (V8 checks only the length): its old cache is not used.
    const source = path.join(dir, 'cliLadder.js');
    const text = fs.readFileSync(source, 'utf8');
    assert.ok(text.includes('// src/cliLadder.ts'));
    fs.writeFileSync(source, text.replace('// src/cliLadder.ts', '// src/cliLadder.tx'));
    assert.deepEqual(run(['ladder', yaml], cache).out, off.out, 'an edited bundle');
    const header = fs.readFileSync(ladderCache);
    assert.notEqual(header.subarray(0, header.indexOf(10)).toString(), good.subarray(0, good.indexOf(10)).toString(), 'the edited bundle has its own cache');
    // A cache folder others may write is not used (nothing written, same output).
    if (process.platform !== 'win32') {
      const open = path.join(cacheRoot, 'open');
      fs.mkdirSync(path.join(open, `v8-${process.versions.v8}-${process.arch}`), { recursive: true });
      fs.chmodSync(path.join(open, `v8-${process.versions.v8}-${process.arch}`), 0o777);
      assert.deepEqual(run(['ladder', yaml], open).out, off.out);
      assert.deepEqual(fs.readdirSync(path.join(open, `v8-${process.versions.v8}-${process.arch}`)), []);
    }
    // A relative folder is not resolved against the current one (a cloned repo could hold planted bytecode): the cache is off.
    assert.deepEqual(run(['ladder', yaml], 'relative-cache').out, off.out);
    assert.deepEqual(run(['ladder', yaml], './relative-cache').out, off.out);
    assert.deepEqual(fs.readdirSync(cwd).sort(), ['plan.yaml'], 'no cache folder made in the current folder');
    // By default the cache is in the user's cache folder ($XDG_CACHE_HOME, else $HOME/.cache), found
    // without loading node:os, nor node:module (which loads Node's ESM loader): neither is needed to start.
    if (process.platform !== 'win32') {
      const home = path.join(cacheRoot, 'home');
      fs.mkdirSync(home);
      const modulesFile = path.join(cacheRoot, 'modules.txt');
      const modulesHook = path.join(cacheRoot, 'modules.cjs');
      fs.writeFileSync(
        modulesHook,
        `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(modulesFile)}, process.moduleLoadList.join('\\n')));\n`,
      );
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
      for (const name of [CODE_CACHE_ENV, 'XDG_CACHE_HOME']) delete env[name];
      for (const args of [
        ['estimate', yaml],
        ['ladder', '--budget', '1e20'],
      ]) {
        const r = spawnSync(process.execPath, ['-r', modulesHook, path.join(dir, 'cli.js'), ...args], { cwd, encoding: 'utf8', env });
        assert.deepEqual([r.status, r.stdout, r.stderr], run(args, 'off').out, args.join(' '));
        const loaded = fs.readFileSync(modulesFile, 'utf8').split('\n');
        for (const absent of ['NativeModule os', 'NativeModule module', 'NativeModule internal/modules/esm/loader'])
          assert.ok(!loaded.includes(absent), `${args.join(' ')}: ${absent}`);
      }
      const caches = fs.readdirSync(path.join(home, '.cache', 'scaling-lens', `v8-${process.versions.v8}-${process.arch}`));
      assert.ok(caches.some((f) => f.startsWith('cliEstimateYaml-')) && caches.some((f) => f.startsWith('cliLadderBudget-')), caches.join(', '));
    }
  } finally {
    for (const d of [dir, cwd, cacheRoot]) fs.rmSync(d, { recursive: true, force: true });
  }
});
