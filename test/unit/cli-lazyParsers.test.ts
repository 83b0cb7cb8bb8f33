// Issue 20: the CLI loads a config's parser on first use, from its own file (esbuild-lazy.mjs), so
// `estimate foo.json` never loads YAML or the Python grammar and `estimate train.py` never loads
// YAML (nor the Python grammar when the file is literal assignments only, nor YAML's libraries on a plain document). Built here as esbuild.mjs builds dist/, run from an empty folder, and checked by which
// files under lazy/ the process loaded and by its output against the whole CLI's.
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

const GENERIC_YAML = `family: my-sweep
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
const NANOGPT = `batch_size = 12
block_size = 1024
gradient_accumulation_steps = 5 * 8
n_layer = 12
n_head = 12
n_embd = 768
max_iters = 600000
learning_rate = 6e-4
`;
const TORCHTITAN = `[model]
name = "llama3"
flavor = "8B"

[optimizer]
lr = 3e-4

[training]
local_batch_size = 2
seq_len = 4096
steps = 500
`;

test('`estimate` and `plan` alone load only the parser their input needs, and print what the whole CLI prints', async () => {
  const { build } = await import('esbuild');
  const { lazyChunkBuilds, lazyChunks, LAZY_PACKAGES } = (await import(pathToFileURL(path.join(repo, 'esbuild-lazy.mjs')).href)) as {
    lazyChunkBuilds: (base: BuildOptions, outdir: string) => BuildOptions[];
    lazyChunks: Plugin;
    LAZY_PACKAGES: Record<string, string>;
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-lazy-'));
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-lazy-cwd-'));
  const configs = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-lazy-configs-'));
  try {
    const base: BuildOptions = { bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], logLevel: 'warning' };
    const small = { ...base, plugins: [lazyChunks], external: ['./cliMain.js'] };
    await Promise.all([
      ...lazyChunkBuilds(base, dir).map((b) => build(b)),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliEstimate.ts')], outfile: path.join(dir, 'cliEstimate.js') }),
      ...['Json', 'Yaml', 'Python'].map((kind) =>
        build({ ...small, entryPoints: [path.join(repo, `src/cliEstimate${kind}.ts`)], outfile: path.join(dir, `cliEstimate${kind}.js`) }),
      ),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliQuick.ts')], outfile: path.join(dir, 'cliQuick.js') }),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliLadder.ts')], outfile: path.join(dir, 'cliLadder.js') }),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliLadderBudget.ts')], outfile: path.join(dir, 'cliLadderBudget.js') }),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliLadderWrite.ts')], outfile: path.join(dir, 'cliLadderWrite.js') }),
      build({ ...small, entryPoints: [path.join(repo, 'src/cliEntry.ts')], outfile: path.join(dir, 'cli.js') }),
    ]);
    // Node's modules are required as they are: a namespace import (`import * as fs`) would be wrapped
    // in esbuild's __toESM, which copies every export of the module into a new object at load, on
    // each import of each file (about 0.1 ms for node:fs, on every start).
    const estimateBundles = ['cliEstimate.js', 'cliEstimateJson.js', 'cliEstimateYaml.js', 'cliEstimatePython.js'];
    for (const bundle of ['cli.js', ...estimateBundles, 'cliQuick.js', 'cliLadder.js', 'cliLadderBudget.js', 'cliLadderWrite.js']) {
      const wrapped = fs.readFileSync(path.join(dir, bundle), 'utf8').match(/__toESM\(require\("node:[a-z_/]+"\)/g) ?? [];
      assert.deepEqual(wrapped, [], `${bundle} wraps Node's modules`);
    }
    // With no runs, `estimate` fits nothing (no family law, no sweep): no fit code is in its bundles,
    // nor the engine's estimate (src/core/engine/estimates.ts). `ladder` plans with its own model.
    for (const bundle of [...estimateBundles, 'cliLadder.js', 'cliLadderWrite.js']) {
      const text = fs.readFileSync(path.join(dir, bundle), 'utf8');
      for (const absent of [
        'function runFitJob',
        'function forecastWithSameSize',
        'function fitFamilyLaw',
        'function sweepAdvice',
        'function fitHparamSweeps',
        'function predictLoss',
      ])
        assert.ok(!text.includes(absent), `${absent} is in ${bundle}`);
      if (bundle.startsWith('cliEstimate'))
        for (const absent of ['function fitLaw', 'function runBootstrap', 'function levenbergMarquardt', 'function familyModelOf'])
          assert.ok(!text.includes(absent), `${absent} is in ${bundle}`);
    }
    // The ladder on a budget reads no config: none of the readers.
    for (const reader of ['function readTrainingPlan', 'function readYamlConfig', 'function readNanoGpt', 'function readTorchtitan', 'function readMegatron'])
      assert.ok(!fs.readFileSync(path.join(dir, 'cliLadderBudget.js'), 'utf8').includes(reader), `${reader} is in cliLadderBudget.js`);
    // The ladder's files (`ladder --write`) are written by the writing bundle alone: the ladder's others only print a plan.
    for (const bundle of ['cliLadder.js', 'cliLadderBudget.js', 'cliLadderWrite.js'])
      for (const writer of ['function ladderFiles', 'function workspaceFileWithFamily', 'function writeLadderFiles'])
        assert.equal(fs.readFileSync(path.join(dir, bundle), 'utf8').includes(writer), bundle === 'cliLadderWrite.js', `${writer} in ${bundle}`);
    // A config's ladder counts each run's N as its config written with the run's shape reads back
    // (shapeParamsOfConfig): the variant writer is in both bundles that read a config, not the budget's.
    for (const bundle of ['cliLadder.js', 'cliLadderBudget.js', 'cliLadderWrite.js'])
      assert.equal(
        fs.readFileSync(path.join(dir, bundle), 'utf8').includes('function writeVariant'),
        bundle !== 'cliLadderBudget.js',
        `writeVariant in ${bundle}`,
      );
    // A kind's bundle holds its kind's reader alone.
    const readers = { Json: 'function readTrainingPlan', Yaml: 'function readYamlConfig', Python: 'function readNanoGpt', Toml: 'function readTorchtitan' };
    for (const [kind, reader] of Object.entries(readers)) {
      assert.ok(fs.readFileSync(path.join(dir, 'cliEstimate.js'), 'utf8').includes(reader), `${reader} is in cliEstimate.js`);
      for (const other of ['Json', 'Yaml', 'Python'])
        assert.equal(fs.readFileSync(path.join(dir, `cliEstimate${other}.js`), 'utf8').includes(reader), other === kind, `${reader} in cliEstimate${other}.js`);
    }
    // The small bundles hold none of the parsers: each is a file of its own.
    for (const bundle of [...estimateBundles, 'cliQuick.js', 'cliLadder.js', 'cliLadderBudget.js', 'cliLadderWrite.js']) {
      const text = fs.readFileSync(path.join(dir, bundle), 'utf8');
      for (const absent of ['class YAMLMap', 'LRParser', 'TomlError', 'protobufjs', 'function picomatch'])
        assert.ok(!text.includes(absent), `${absent} is in ${bundle}`);
    }
    fs.writeFileSync(path.join(dir, 'cliMain.js'), "process.stdout.write('whole CLI: ' + process.argv.slice(2).join(' '));\n");
    // Which parser files the process loaded, and how many times it listed the current folder (a look
    // for training logs to calibrate on), written at exit.
    const loadedFile = path.join(dir, 'loaded.txt');
    const looksFile = path.join(dir, 'looks.txt');
    const bundlesFile = path.join(dir, 'bundles.txt');
    const hook = path.join(dir, 'hook.cjs');
    fs.writeFileSync(
      hook,
      `const fs = require('fs'); const readdirSync = fs.readdirSync; let looks = 0;\n` +
        `fs.readdirSync = function (p, ...rest) { if (p === process.cwd()) looks++; return readdirSync.call(this, p, ...rest); };\n` +
        `process.on('exit', () => { fs.writeFileSync(${JSON.stringify(bundlesFile)}, Object.keys(require.cache).filter((f) => require('path').dirname(f) === ${JSON.stringify(dir)} && require('path').basename(f) !== 'hook.cjs').map((f) => require('path').basename(f, '.js')).sort().join(',')); fs.writeFileSync(${JSON.stringify(looksFile)}, String(looks)); fs.writeFileSync(${JSON.stringify(loadedFile)}, Object.keys(require.cache).filter((f) => f.includes(${JSON.stringify(`${path.sep}lazy${path.sep}`)})).map((f) => require('path').basename(f, '.js')).sort().join(',')); });\n`,
    );
    const run = (bundle: string, args: string[]) => {
      const r = spawnSync(process.execPath, ['-r', hook, path.join(dir, bundle), ...args], { cwd: empty, encoding: 'utf8' });
      const looks = Number(fs.readFileSync(looksFile, 'utf8'));
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded: fs.readFileSync(loadedFile, 'utf8').split(',').filter(Boolean), looks };
    };
    const tsx = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;
    const whole = (args: string[]) => spawnSync(process.execPath, ['--import', tsx, path.join(repo, 'src/cli.ts'), ...args], { cwd: empty, encoding: 'utf8' });

    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(configs, name), text);
      return path.join(configs, name);
    };
    const cases: { file: string; loads: string[] }[] = [
      { file: path.join(repo, 'examples', 'configs', 'planned-400m', 'config.json'), loads: [] },
      // A plain document is read without the YAML libraries (src/core/configs/yamlLite.ts); an anchor needs them.
      { file: write('plan.yaml', GENERIC_YAML), loads: [] },
      { file: write('anchored.yaml', `${GENERIC_YAML}eval:\n  seq_len: &len 1024\n  max: *len\n`), loads: ['yaml'] },
      // Literal assignments are read without the Python grammar (src/core/configs/pythonLiterals.ts); a call needs it.
      { file: write('train_gpt2.py', NANOGPT), loads: [] },
      { file: write('finetune.py', `import time\n${NANOGPT}wandb_run_name = 'ft-' + str(time.time())\n`), loads: ['lezer-python'] },
      { file: write('llama3_8b.toml', TORCHTITAN), loads: ['smol-toml'] },
    ];
    const kindBundle: Record<string, string> = { '.json': 'cliEstimateJson.js', '.yaml': 'cliEstimateYaml.js', '.py': 'cliEstimatePython.js' };
    for (const { file, loads } of cases) {
      const args = ['estimate', file];
      const b = whole(args);
      const ext = path.extname(file);
      // Every kind by the bundle of all readers; JSON, YAML and Python also by their kind's own bundle.
      for (const bundle of ['cliEstimate.js', ...(kindBundle[ext] ? [kindBundle[ext]] : [])]) {
        const alone = run(bundle, args);
        assert.ok(!alone.stdout.startsWith('whole CLI'), `${file} answered alone by ${bundle}`);
        assert.deepEqual(alone.loaded, loads, `${path.basename(file)} loads ${loads.join(', ') || 'no parser'} (${bundle})`);
        assert.equal(alone.looks, 1, `${path.basename(file)}: the current folder listed once (${bundle})`);
        assert.deepEqual([alone.status, alone.stdout, alone.stderr], [b.status, b.stdout, b.stderr], `${path.basename(file)} (${bundle})`);
      }
      // A config of another kind is not read by a kind's bundle: the whole CLI answers.
      for (const [otherExt, bundle] of Object.entries(kindBundle))
        if (otherExt !== ext) assert.equal(run(bundle, args).stdout, `whole CLI: ${args.join(' ')}`, `${path.basename(file)} given to ${bundle}`);
    }
    // dist/cli.js chooses the bundle by the config's extension (a folder: its config.json; any other kind: all readers).
    const bundlesRun = (args: string[]) => {
      const r = spawnSync(process.execPath, ['-r', hook, path.join(dir, 'cli.js'), ...args], {
        cwd: empty,
        encoding: 'utf8',
        env: { ...process.env, [CODE_CACHE_ENV]: 'off' },
      });
      assert.equal(r.status, 0, r.stderr);
      return fs.readFileSync(bundlesFile, 'utf8');
    };
    const planned = path.join(repo, 'examples', 'configs', 'planned-400m');
    assert.equal(bundlesRun(['estimate', path.join(configs, 'plan.yaml')]), 'cli,cliEstimateYaml');
    assert.equal(bundlesRun(['estimate', '--json', path.join(configs, 'train_gpt2.py')]), 'cli,cliEstimatePython');
    assert.equal(bundlesRun(['estimate', path.join(planned, 'config.json'), '--hardware', 'A100']), 'cli,cliEstimateJson');
    assert.equal(bundlesRun(['estimate', planned]), 'cli,cliEstimateJson');
    assert.equal(bundlesRun(['estimate', path.join(configs, 'llama3_8b.toml')]), 'cli,cliEstimate');
    // `plan` with no runs: no parser at all (the CSV parser is for --isoflop, the globs for a folder with files).
    const plan = run('cliQuick.js', ['plan', '--budget', '1e21']);
    assert.ok(!plan.stdout.startsWith('whole CLI'));
    assert.deepEqual(plan.loaded, []);
    // `ladder --budget` with no runs: no parser either, and the whole CLI's output.
    for (const args of [
      ['ladder', '--budget', '1e20'],
      ['ladder', '--budget', '5000 H100-h', '--json'],
    ]) {
      const b = whole(args);
      for (const bundle of ['cliLadder.js', 'cliLadderBudget.js']) {
        const ladder = run(bundle, args);
        assert.ok(!ladder.stdout.startsWith('whole CLI'), `${args.join(' ')} answered alone by ${bundle}`);
        assert.deepEqual(ladder.loaded, []);
        // The current folder is looked at once for runs, though both the idle options and the calibration ask.
        assert.equal(ladder.looks, 1, `${args.join(' ')} lists the current folder once (${bundle})`);
        assert.deepEqual([ladder.status, ladder.stdout, ladder.stderr], [b.status, b.stdout, b.stderr], `${args.join(' ')} (${bundle})`);
      }
    }
    // A config as the target: its parser alone (none for literal assignments).
    const pyFile = path.join(configs, 'train_gpt2.py');
    const ladderPy = run('cliLadder.js', ['ladder', pyFile]);
    assert.deepEqual(ladderPy.loaded, []);
    const bPy = whole(['ladder', pyFile]);
    assert.deepEqual([ladderPy.status, ladderPy.stdout, ladderPy.stderr], [bPy.status, bPy.stdout, bPy.stderr], 'ladder train_gpt2.py');
    // …which the budget's bundle hands to the whole CLI.
    assert.equal(run('cliLadderBudget.js', ['ladder', pyFile]).stdout, `whole CLI: ladder ${pyFile}`);
    // Every package the plugin moves out has its file.
    for (const name of Object.values(LAZY_PACKAGES)) assert.ok(fs.existsSync(path.join(dir, 'lazy', `${name}.js`)), name);
  } finally {
    for (const d of [dir, empty, configs]) fs.rmSync(d, { recursive: true, force: true });
  }
});
