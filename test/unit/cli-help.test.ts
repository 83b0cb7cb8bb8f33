// The CLI as a new user meets it: help per command with examples, --version, friendly errors,
// a run folder where a log file is expected, grouped diagnostics. The real entry point is run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMMAND_HELP, commandHelp, friendlyParseError } from '../../src/cliCommands/help';
import { groupDiagnostics, relativeToScanned } from '../../src/cliCommands/diagnosticGroups';
import type { Diagnostic } from '../../src/core/diagnostics';
import { crossRunLawIds, getHparamLaw, HPARAM_LAWS } from '../../src/core/laws/registry';
import { DEFAULT_HPARAM_LAW, HPARAM_LAW_IDS } from '../../src/core/laws/hparamLawIds';
import { CURVE_LAW_IDS } from '../../src/core/fit/curve';

const repo = path.resolve(__dirname, '../..');

/** `scaling-lens …` from the sources, as a user runs it. */
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli.ts'), ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('every command has --help with options and one-line examples of itself', () => {
  for (const [name, help] of Object.entries(COMMAND_HELP)) {
    assert.ok(help.examples.length >= 1, name);
    for (const example of help.examples) {
      assert.ok(example.startsWith(`scaling-lens ${name} `), `${name}: ${example}`);
      assert.ok(!example.includes('\n'), 'one line');
    }
    const text = commandHelp(name)!;
    assert.match(text, /^scaling-lens \w+ /);
    assert.match(text, /\nOptions:\n/);
    assert.match(text, /\nExamples:\n {2}scaling-lens /);
  }
  const r = cli('scan', '--help');
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^scaling-lens scan <path\.\.\.>/);
  assert.match(r.stdout, /Examples:\n {2}scaling-lens scan examples\//);
});

test('a dollar budget is quoted wherever the help shows it: the shell would expand an unquoted $2M', () => {
  const all = Object.keys(COMMAND_HELP)
    .map((c) => commandHelp(c)!)
    .join('\n');
  assert.ok(all.includes("'$2M'"));
  assert.equal(all.replace(/'\$2M'/g, '').includes('$2M'), false, 'no unquoted $2M');
});

test('--version prints the package version', () => {
  const r = cli('--version');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `scaling-lens ${(JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version}\n`);
});

test('an unknown option is said in words with the nearest option and where to look, exit code 2', () => {
  const r = cli('scan', 'examples', '--jsn');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^scaling-lens scan: unknown option --jsn \(did you mean --json\?\)\n/);
  assert.match(r.stderr, /Run 'scaling-lens scan --help'/);
  assert.ok(!/positional argument starting with/.test(r.stderr), "not the parser's own message");
  assert.match(friendlyParseError('curve', { message: "Option '--until <value>' argument missing" }), /^scaling-lens curve: --until needs a value\n/);
  assert.match(
    friendlyParseError('plan', { message: "Unexpected argument 'x'. This command does not take positional arguments" }),
    /^scaling-lens plan: unexpected argument x\n/,
  );
});

test('curve takes a run folder where it takes a log file; a folder of several runs names them', () => {
  const r = cli('curve', 'examples/sweep/llama-95m', '--json', '--resamples', '10');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).run, 'llama-95m');
  const many = cli('curve', 'examples/sweep', '--resamples', '10');
  assert.equal(many.code, 1);
  assert.match(many.stderr, /examples\/sweep holds 7 runs \(.*sweep\/llama-95m.*\): give one run's folder or log file/);
});

test('diagnostics: a run of non-finite losses is one line, with paths relative to what was scanned', () => {
  const file = '/data/runs/sweep/lr3e-3/metrics.jsonl';
  const nan = (line: number, step: number, value = 'NaN'): Diagnostic => ({
    file,
    line,
    severity: 'error',
    message: `loss is ${value} at step ${step} (loss went non-finite; run diverged); value dropped`,
  });
  const lines = groupDiagnostics([nan(115, 2875), nan(116, 2900), nan(117, 2925, 'inf'), nan(118, 2950), nan(119, 2975), nan(120, 3000)], ['/data/runs']);
  assert.deepEqual(lines, ['sweep/lr3e-3/metrics.jsonl:115–120: error: 6 non-finite losses from step 2875 on: run diverged (values dropped)']);
  // Other repeated problems: the first said, the rest counted; different problems stay apart.
  const w = (offset: number, v: string): Diagnostic => ({
    file: '/d/a.wandb',
    offset,
    severity: 'warning',
    message: `_step is not a non-negative integer (${v}); ignored`,
  });
  const other: Diagnostic = { file: '/d/a.wandb', offset: 60, severity: 'info', message: 'history row without a step' };
  assert.deepEqual(groupDiagnostics([w(54, '"5"'), w(78, '5.5'), w(102, 'null'), other], ['/d']), [
    'a.wandb@54–102: warning: _step is not a non-negative integer ("5"); ignored (and 2 more like it)',
    'a.wandb@60: info: history row without a step',
  ]);
  assert.equal(relativeToScanned('/d/x/y.log', ['/e', '/d']), 'x/y.log');
  assert.equal(relativeToScanned('/elsewhere/y.log', ['/d']), '/elsewhere/y.log');
});

test('estimate without --workspace outside any runs says to pass one', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli.ts'), 'estimate', path.join(repo, 'examples/configs/gpt2-small')], {
    cwd: path.join(repo, 'examples/configs'),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /predicted final loss: uncalibrated/);
  assert.match(r.stderr, /nothing is calibrated.*pass --workspace <folder with training logs>/);
  const here = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli.ts'), 'estimate', 'configs/gpt2-small'], {
    cwd: path.join(repo, 'examples'),
    encoding: 'utf8',
  });
  assert.equal(here.status, 0, here.stderr);
  // Said before the read (a large folder takes long), then what it found.
  assert.match(
    here.stderr,
    /reading the training logs under the current folder \(.*examples\) to calibrate[^\n]*\n[^\n]*calibrating on the \d+ run\(s\) in the current folder/,
  );
  assert.match(here.stdout, /predicted final loss: \d\.\d{3} \[/);
});

test('the CLI entry bundle answers help and version alone and hands every other command to the whole CLI', async () => {
  const { build } = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-entry-'));
  try {
    const outfile = path.join(dir, 'cli.js');
    await build({
      entryPoints: [path.join(repo, 'src/cliEntry.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile,
      logLevel: 'warning',
    });
    // Cold start: none of the engine, parsers or readers in the entry (the whole CLI is ~1.7 MB).
    const size = fs.statSync(outfile).size;
    assert.ok(size < 50_000, `entry bundle ${size} bytes`);
    // A stand-in for the whole CLI shows which command lines reach it.
    fs.writeFileSync(path.join(dir, 'cliMain.js'), "process.stdout.write('whole CLI: ' + process.argv.slice(2).join(' '));\n");
    const run = (...args: string[]) => spawnSync(process.execPath, [outfile, ...args], { encoding: 'utf8' });
    const help = run('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^scaling-lens <command> \[options\]/);
    assert.equal(run().status, 2, 'no command: the overview and exit 2');
    assert.equal(run('scan', '--help').stdout, commandHelp('scan'));
    assert.equal(run('scan', 'examples').stdout, 'whole CLI: scan examples');
    assert.equal(run('scan', '--', '--help').stdout, 'whole CLI: scan -- --help', 'after -- it is an argument');
    fs.writeFileSync(path.join(dir, 'cliQuick.js'), "process.stdout.write('planner alone: ' + process.argv.slice(2).join(' '));\n");
    assert.equal(run('plan', '--budget', '1e21').stdout, 'planner alone: plan --budget 1e21');
    // `estimate` by the config's kind (its extension; a folder is its config.json), every other kind by all readers.
    for (const kind of ['', 'Json', 'Yaml', 'Python'])
      fs.writeFileSync(
        path.join(dir, `cliEstimate${kind}.js`),
        `process.stdout.write('estimate ${kind || 'all'} alone: ' + process.argv.slice(2).join(' '));\n`,
      );
    assert.equal(run('estimate', 'config.json').stdout, 'estimate Json alone: estimate config.json');
    assert.equal(run('estimate', 'models/planned-400m', '--json').stdout, 'estimate Json alone: estimate models/planned-400m --json');
    assert.equal(run('estimate', '--json', 'plan.YAML').stdout, 'estimate Yaml alone: estimate --json plan.YAML');
    assert.equal(run('estimate', 'plan.yml').stdout, 'estimate Yaml alone: estimate plan.yml');
    assert.equal(run('estimate', 'train_gpt2.py').stdout, 'estimate Python alone: estimate train_gpt2.py');
    assert.equal(run('estimate', 'llama3_8b.toml').stdout, 'estimate all alone: estimate llama3_8b.toml');
    assert.equal(run('estimate').stdout, 'estimate all alone: estimate');
    fs.writeFileSync(path.join(dir, 'cliLadder.js'), "process.stdout.write('ladder alone: ' + process.argv.slice(2).join(' '));\n");
    assert.equal(run('ladder', 'config.json').stdout, 'ladder alone: ladder config.json');
    // A budget as the target: the ladder bundle without the config readers.
    fs.writeFileSync(path.join(dir, 'cliLadderBudget.js'), "process.stdout.write('ladder on a budget: ' + process.argv.slice(2).join(' '));\n");
    assert.equal(run('ladder', '--budget', '1e20').stdout, 'ladder on a budget: ladder --budget 1e20');
    assert.equal(run('ladder', '--json', '--budget=5000 H100-h').stdout, 'ladder on a budget: ladder --json --budget=5000 H100-h');
    // Configs to write, a config or a budget the target: the ladder bundle with the config writers.
    fs.writeFileSync(path.join(dir, 'cliLadderWrite.js'), "process.stdout.write('ladder writing: ' + process.argv.slice(2).join(' '));\n");
    assert.equal(run('ladder', 'config.json', '--write', 'ladder').stdout, 'ladder writing: ladder config.json --write ladder');
    assert.equal(run('ladder', '--budget', '1e20', '--write=out').stdout, 'ladder writing: ladder --budget 1e20 --write=out');
    assert.equal(run('constructor').stdout, 'whole CLI: constructor', 'a command name is not looked up in the prototype');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the help's law lists name every registered law (a law added is one module and one registry line, and its help follows or this fails)", () => {
  const lawLine = (command: string) =>
    commandHelp(command)!
      .split('\n')
      .find((l) => l.trimStart().startsWith('--law'))!;
  for (const id of crossRunLawIds()) assert.match(lawLine('fit'), new RegExp(`\\b${id}\\b`), `fit --law help lacks ${id}`);
  for (const id of CURVE_LAW_IDS) assert.match(lawLine('curve'), new RegExp(`\\b${id}\\b`), `curve --law help lacks ${id}`);
});

test("hparams' --law help is made from the hyperparameter laws' ids: every registered law, its default, and nothing else", () => {
  const help = commandHelp('hparams')!;
  const lawLine = help.split('\n').find((l) => l.trimStart().startsWith('--law'))!;
  const ids = Object.keys(HPARAM_LAWS);
  // Each key of the registry is its law's id (the help names laws by these keys).
  for (const [id, law] of Object.entries(HPARAM_LAWS)) assert.equal(law.id, id);
  assert.deepEqual([...HPARAM_LAW_IDS].sort(), [...ids].sort());
  assert.match(help, new RegExp(`\\[--law ${ids.join('\\|')}\\]`));
  assert.match(lawLine, new RegExp(`${ids.join(' or ')} \\(default ${DEFAULT_HPARAM_LAW}\\)$`));
  assert.ok(ids.includes(DEFAULT_HPARAM_LAW));
  // What the command runs with no --law is the default the help names.
  assert.equal(getHparamLaw(DEFAULT_HPARAM_LAW)?.id, DEFAULT_HPARAM_LAW);
});

test('`plan` alone (dist/cliQuick.js) loads no engine, prints what the whole CLI prints, and hands it anything with runs to read or a usage error', async () => {
  const { build } = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-quick-'));
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-quick-cwd-'));
  try {
    const outfile = path.join(dir, 'cliQuick.js');
    await build({
      entryPoints: [path.join(repo, 'src/cliQuick.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile,
      external: ['./cliMain.js'],
      mainFields: ['module', 'main'],
      logLevel: 'warning',
    });
    // The planner without the engine, readers, config parsers or protobufjs (the whole CLI is ~1.8 MB).
    const size = fs.statSync(outfile).size;
    assert.ok(size < 400_000, `planner bundle ${size} bytes`);
    const bundled = fs.readFileSync(outfile, 'utf8');
    for (const absent of ['protobufjs', 'smol-toml', 'class RunIndex', 'class ScalingWorkspace']) assert.ok(!bundled.includes(absent), `${absent} is bundled`);
    fs.writeFileSync(path.join(dir, 'cliMain.js'), "process.stdout.write('whole CLI: ' + process.argv.slice(2).join(' '));\n");
    const quick = (...args: string[]) => spawnSync(process.execPath, [outfile, 'plan', ...args], { cwd: empty, encoding: 'utf8' });
    // tsx by its path: the empty folder has no node_modules to find it from.
    const tsx = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;
    const whole = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', tsx, path.join(repo, 'src/cli.ts'), 'plan', ...args], { cwd: empty, encoding: 'utf8' });
    for (const args of [
      ['--budget', '1e21'],
      ['--budget', '5000 H100-h', '--json'],
      ['--budget', 'abc'],
    ]) {
      const a = quick(...args);
      const b = whole(...args);
      assert.deepEqual([a.status, a.stdout, a.stderr], [b.status, b.stdout, b.stderr], args.join(' '));
    }
    assert.equal(quick().stdout, 'whole CLI: plan', 'a usage error is the whole CLI’s to word');
    assert.equal(quick('--budget', '1e21', '--workspace', empty).stdout, `whole CLI: plan --budget 1e21 --workspace ${empty}`);
    fs.mkdirSync(path.join(empty, 'run'));
    fs.writeFileSync(path.join(empty, 'run', 'metrics.jsonl'), '{"step": 1, "loss": 3}\n');
    assert.equal(quick('--budget', '1e21').stdout, 'whole CLI: plan --budget 1e21', 'a log in the current folder: runs to read');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('`estimate` alone (dist/cliEstimate.js) loads no engine or log reader, prints what the whole CLI prints, and hands it anything with runs to read or a usage error', async () => {
  const { build } = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-estimate-'));
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cli-estimate-cwd-'));
  try {
    const outfile = path.join(dir, 'cliEstimate.js');
    await build({
      entryPoints: [path.join(repo, 'src/cliEstimate.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile,
      external: ['./cliMain.js'],
      mainFields: ['module', 'main'],
      logLevel: 'warning',
    });
    const bundled = fs.readFileSync(outfile, 'utf8');
    for (const absent of ['protobufjs', 'class RunIndex', 'class ScalingWorkspace', 'class FitClient'])
      assert.ok(!bundled.includes(absent), `${absent} is bundled`);
    fs.writeFileSync(path.join(dir, 'cliMain.js'), "process.stdout.write('whole CLI: ' + process.argv.slice(2).join(' '));\n");
    const quick = (...args: string[]) => spawnSync(process.execPath, [outfile, 'estimate', ...args], { cwd: empty, encoding: 'utf8' });
    const tsx = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;
    const whole = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', tsx, path.join(repo, 'src/cli.ts'), 'estimate', ...args], { cwd: empty, encoding: 'utf8' });
    const config = path.join(repo, 'examples', 'configs', 'planned-400m');
    const broken = path.join(empty, 'broken.json');
    fs.writeFileSync(broken, '{"hidden_size": ');
    for (const args of [
      [config],
      [config, '--json'],
      [config, '--hardware', 'A100', '--mfu', '0.5'],
      [path.join(config, 'config.json'), '--usd-per-hour', '2'],
      [broken],
      [path.join(empty, 'missing.json')],
    ]) {
      const a = quick(...args);
      assert.ok(!a.stdout.startsWith('whole CLI'), `${args.join(' ')} answered alone`);
      const b = whole(...args);
      assert.deepEqual([a.status, a.stdout, a.stderr], [b.status, b.stdout, b.stderr], args.join(' '));
    }
    assert.equal(quick().stdout, 'whole CLI: estimate', 'a usage error is the whole CLI’s to word');
    assert.equal(quick(config, '--workspace', empty).stdout, `whole CLI: estimate ${config} --workspace ${empty}`);
    fs.mkdirSync(path.join(empty, 'run'));
    fs.writeFileSync(path.join(empty, 'run', 'metrics.jsonl'), '{"step": 1, "loss": 3}\n');
    assert.equal(quick(config).stdout, `whole CLI: estimate ${config}`, 'a log in the current folder: runs to read');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
