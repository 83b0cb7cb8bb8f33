// `scaling-lens ladder … --write <dir>`: the files "Write Configs…" writes for the same plan (the
// command's own decisions, core/plan/ladderPlacement.ts, and the worker's writer, core/plan/ladderConfigs.ts),
// each config read back by the config reader at the planned shape and tokens, `.scalinglens.yaml`
// naming the family for a format without a family key, and no file replaced without --force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ladderCommand } from '../../src/cliCommands/ladder';
import { writeLadderFiles } from '../../src/cliCommands/ladderWrite';
import type { CliContext } from '../../src/cliCommands/estimate';
import { ScalingWorkspace } from '../../src/core/workspace';
import type { LadderPlan } from '../../src/core/plan/ladder';
import { ladderMarkdown } from '../../src/core/plan/ladderRequest';
import { ladderWrite } from '../../src/core/plan/ladderConfigs';
import { defaultLadderFolder, ladderOutputsOf, ladderWriteInputOf, trainingArgsPathOf, type LadderWriteSetup } from '../../src/core/plan/ladderPlacement';
import { parseLadderManifest } from '../../src/core/plan/ladderManifest';
import { readConfig } from '../../src/core/configs/index';
import { parseWorkspaceFile } from '../../src/core/runs/workspaceFile';
import { tempDir } from './helpers/tempDir';

class Usage extends Error {}

const examples = path.resolve(__dirname, '../../examples');

function run(args: string[], withWriter = true): { code: number | 'usage'; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    // No training logs in these folders: the workspace is empty, the plan the recipe's.
    loadWorkspace: (_paths, hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
    emptyWorkspace: (hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
    usage: (m) => new Usage(m),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    ...(withWriter ? { writeLadder: writeLadderFiles } : {}),
  };
  try {
    return { code: ladderCommand(args, ctx), stdout, stderr };
  } catch (error) {
    if (error instanceof Usage) return { code: 'usage', stdout, stderr: error.message };
    throw error;
  }
}

/** Runs `fn` with `dir` as the current folder (the CLI names files relative to it, as VS Code does to its workspace). */
function inFolder<T>(dir: string, fn: () => T): T {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(before);
  }
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** PLAN.json without its time of writing (each writer stamps its own). */
function recordOf(text: string): unknown {
  const { manifest, problems } = parseLadderManifest(text, 'PLAN.json');
  assert.deepEqual(problems, []);
  return { ...manifest, writtenAt: undefined };
}

/** What "Write Configs…" writes for `plan` (features/planExperiments.ts `write`: the same calls, with the inputs it gathers). */
function commandWrites(setup: Omit<LadderWriteSetup, 'markdown' | 'writtenAt'>): Map<string, string> {
  const input = ladderWriteInputOf({ ...setup, markdown: ladderMarkdown(setup.plan), writtenAt: new Date().toISOString() });
  // The worker's request handler (worker.ts: `ladderWrite`).
  const written = ladderWrite(JSON.parse(JSON.stringify(input)));
  return new Map(ladderOutputsOf(written, setup.root, setup.folder).map((o) => [o.path, o.text]));
}

function assertSameFiles(onDisk: string[], expected: Map<string, string>): void {
  assert.deepEqual([...onDisk].sort(), [...expected.keys()].sort());
  for (const [file, text] of expected) {
    const got = fs.readFileSync(file, 'utf8');
    if (path.basename(file) === 'PLAN.json') assert.deepEqual(recordOf(got), recordOf(text), file);
    else assert.equal(got, text, file);
  }
}

test('ladder <HF config> --write: the files Write Configs writes for the same plan, each config read back at the planned shape and tokens', () => {
  const ws = tempDir('sl-ladder-write-hf-');
  const target = path.join(ws, 'configs', 'planned-400m');
  fs.cpSync(path.join(examples, 'configs', 'planned-400m'), target, { recursive: true });
  const folder = defaultLadderFolder(path.join(target, 'config.json'), ws);
  assert.equal(folder, path.join(ws, 'configs', 'ladder'), "the command's proposed folder: ladder/ beside the config's folder");
  const args = ['configs/planned-400m', '--fraction', '0.02', '--workspace', ws];
  const { plan, written } = inFolder(ws, () => {
    const shown = run([...args, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const w = run([...args, '--write', 'configs/ladder']);
    assert.equal(w.code, 0, w.stderr);
    return { plan: JSON.parse(shown.stdout) as LadderPlan, written: w };
  });
  const planned = plan.runs.filter((r) => r.status === 'planned');
  assert.ok(planned.length >= 2, `${planned.length} planned runs`);
  // The plan is printed, then what was written.
  assert.match(written.stdout, /^target: configs\/planned-400m\/config\.json: /);
  assert.match(
    written.stdout,
    new RegExp(
      `\\nwrote ${planned.length} run config\\(s\\) into configs/ladder \\(family "example-sweep"\\):\\n  configs/ladder/${planned[0].id}/config\\.json\\n`,
    ),
  );

  const configFile = path.join(target, 'config.json');
  const expected = commandWrites({
    root: ws,
    folder,
    config: {
      file: configFile,
      text: fs.readFileSync(configFile, 'utf8'),
      family: 'example-sweep',
      trainingArgs: fs.readFileSync(trainingArgsPathOf(configFile), 'utf8'),
    },
    plan,
    target: { kind: 'model', label: 'configs/planned-400m/config.json' },
    workspaceFile: undefined,
  });
  // HF configs carry their family (training_args.json): no .scalinglens.yaml.
  assert.ok(![...expected.keys()].some((f) => f.endsWith('.scalinglens.yaml')));
  assertSameFiles(
    filesUnder(ws).filter((f) => !f.startsWith(target + path.sep)),
    expected,
  );

  // Each config, read by the config reader, is the planned run: its shape, its tokens (within one step), its family;
  // its N is the count PLAN.json records for it.
  const record = parseLadderManifest(fs.readFileSync(path.join(folder, 'PLAN.json'), 'utf8'), 'PLAN.json').manifest!;
  for (const r of planned) {
    const file = path.join(folder, r.id, 'config.json');
    const back = readConfig({ file, text: fs.readFileSync(file, 'utf8'), readSibling: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) });
    assert.equal(back.kind, 'plan');
    if (back.kind !== 'plan') continue;
    assert.equal(back.plan.family, 'example-sweep');
    assert.equal(back.plan.architecture.nLayer, r.shape.nLayer);
    assert.equal(back.plan.architecture.dModel, r.shape.dModel);
    assert.ok(Math.abs(back.plan.tokens! - r.tokens) <= back.plan.tokensPerStep!, `${r.id}: ${back.plan.tokens} tokens vs ${r.tokens} planned`);
    const entry = record.runs.find((e) => e.id === r.id)!;
    assert.equal(entry.params, back.plan.params.total);
    assert.equal(entry.tokens, back.plan.tokens);
    // The planner's N is its size before rounding to a shape (6 layers at least); the shape's count is within a fifth of it.
    assert.ok(Math.abs(back.plan.params.total / r.params - 1) < 0.2, `${r.id}: ${back.plan.params.total} parameters vs ${r.params} planned`);
  }
});

test('ladder <nanoGPT config> --write: .scalinglens.yaml names the family for the folder (its comments kept), as Write Configs does; existing files need --force', () => {
  const ws = tempDir('sl-ladder-write-py-');
  const nano =
    '# the target\nn_layer = 24\nn_head = 16\nn_embd = 1536\nblock_size = 2048\nbatch_size = 16\ngradient_accumulation_steps = 32\nmax_iters = 20000\nlearning_rate = 3e-4\nvocab_size = 50304\n';
  fs.mkdirSync(path.join(ws, 'train'));
  fs.writeFileSync(path.join(ws, 'train', 'big.py'), nano);
  const wsFile = path.join(ws, '.scalinglens.yaml');
  const wsBefore = '# my families\nfamilies:\n  other:\n    runs: ["old/**"]\n';
  fs.writeFileSync(wsFile, wsBefore);
  const args = ['train/big.py', '--fraction', '0.01', '--workspace', ws];
  const { plan, written } = inFolder(ws, () => {
    const shown = run([...args, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    return { plan: JSON.parse(shown.stdout) as LadderPlan, written: run([...args, '--write', 'train/ladder']) };
  });
  assert.equal(written.code, 0, written.stderr);
  const folder = path.join(ws, 'train', 'ladder');
  const family = plan.family ?? 'ladder-train';
  const expected = commandWrites({
    root: ws,
    folder,
    config: { file: path.join(ws, 'train', 'big.py'), text: nano, family: undefined, trainingArgs: undefined },
    plan,
    target: { kind: 'model', label: 'train/big.py' },
    workspaceFile: wsBefore,
  });
  assertSameFiles(
    filesUnder(ws).filter((f) => f !== path.join(ws, 'train', 'big.py')),
    expected,
  );
  // The runs under the ladder's folder join the family; the comment and the other family are kept.
  const wsAfter = fs.readFileSync(wsFile, 'utf8');
  assert.match(wsAfter, /^# my families\n/);
  const parsed = parseWorkspaceFile(wsAfter, wsFile);
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(
    parsed.families.map((f) => f.name),
    ['other', family],
  );
  const first = plan.runs[0];
  assert.ok(parsed.families[1].match(`train/ladder/${first.id}/out`), 'a run logged in the ladder folder joins the family');
  assert.match(written.stdout, new RegExp(`\\.scalinglens\\.yaml \\(the family "${family}" for runs under train/ladder/\\*\\*\\)`));
  // Each nanoGPT config reads back at the planned shape and tokens.
  for (const r of plan.runs) {
    const file = path.join(folder, r.id, 'big.py');
    const back = readConfig({ file, text: fs.readFileSync(file, 'utf8') });
    assert.equal(back.kind, 'plan', file);
    if (back.kind !== 'plan') continue;
    assert.equal(back.plan.architecture.nLayer, r.shape.nLayer);
    assert.equal(back.plan.architecture.dModel, r.shape.dModel);
    assert.ok(Math.abs(back.plan.tokens! - r.tokens) <= back.plan.tokensPerStep!, `${r.id}: ${back.plan.tokens} vs ${r.tokens}`);
  }

  // Again: every existing file is named and nothing is written; .scalinglens.yaml (already naming the family) is left as it is.
  const planMd = path.join(folder, 'PLAN.md');
  fs.writeFileSync(planMd, 'my notes\n');
  const again = inFolder(ws, () => run([...args, '--write', 'train/ladder']));
  assert.equal(again.code, 1);
  assert.equal(again.stdout, '', 'a refusal prints no plan');
  assert.match(
    again.stderr,
    new RegExp(
      `^scaling-lens ladder: ${plan.runs.length + 2} file\\(s\\) exist already, nothing written \\(--force replaces them\\): train/ladder/${first.id}/big\\.py, `,
    ),
  );
  assert.match(again.stderr, /train\/ladder\/PLAN\.md/);
  assert.equal(fs.readFileSync(planMd, 'utf8'), 'my notes\n');
  assert.equal(fs.readFileSync(wsFile, 'utf8'), wsAfter);
  const forced = inFolder(ws, () => run([...args, '--write', 'train/ladder', '--force']));
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(fs.readFileSync(planMd, 'utf8'), expected.get(planMd));
  assert.equal(fs.readFileSync(wsFile, 'utf8'), wsAfter, 'the family is not added twice');
});

test('ladder --budget --write: the generic YAML shape with the family in each file, as the command writes without a config; --json keeps stdout the plan', () => {
  const ws = tempDir('sl-ladder-write-budget-');
  const args = ['--budget', '1e21', '--max-runs', '3'];
  const { plan, written } = inFolder(ws, () => {
    const shown = run([...args, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    return { plan: JSON.parse(shown.stdout) as LadderPlan, written: run([...args, '--json', '--write', 'ladder']) };
  });
  assert.equal(written.code, 0, written.stderr);
  assert.deepEqual(JSON.parse(written.stdout).runs, plan.runs, 'stdout is the plan alone');
  assert.match(written.stderr, /^wrote 3 run config\(s\) into ladder \(family "ladder-sl-ladder-write-budget-\w+"\):\n/);
  // Outside any workspace the current folder is the root, as VS Code's workspace folder is the command's.
  const family = `ladder-${path.basename(ws)}`;
  const expected = commandWrites({ root: ws, folder: path.join(ws, 'ladder'), plan, target: { kind: 'budget', budget: '1e21' }, workspaceFile: undefined });
  assertSameFiles(filesUnder(ws), expected);
  for (const r of plan.runs) {
    const file = path.join(ws, 'ladder', r.id, 'ladder.yaml');
    const back = readConfig({ file, text: fs.readFileSync(file, 'utf8') });
    assert.equal(back.kind, 'plan');
    if (back.kind !== 'plan') continue;
    assert.equal(back.plan.family, family);
    assert.equal(back.plan.architecture.nLayer, r.shape.nLayer);
    assert.ok(Math.abs(back.plan.tokens! - r.tokens) <= back.plan.tokensPerStep!);
  }
  assert.deepEqual((recordOf(fs.readFileSync(path.join(ws, 'ladder', 'PLAN.json'), 'utf8')) as { target: unknown }).target, { kind: 'budget', budget: '1e21' });
});

test('ladder --write: a folder outside the current one holds its own .scalinglens.yaml; bad uses are said', () => {
  const ws = tempDir('sl-ladder-write-out-');
  const elsewhere = tempDir('sl-ladder-write-dest-');
  fs.writeFileSync(path.join(ws, 'big.py'), 'n_layer = 24\nn_head = 16\nn_embd = 1536\nblock_size = 2048\nbatch_size = 512\nmax_iters = 20000\n');
  const out = inFolder(ws, () => run(['big.py', '--max-runs', '2', '--write', elsewhere]));
  assert.equal(out.code, 0, out.stderr);
  // Named as given there, not as a climb out of the current folder.
  assert.match(out.stdout, new RegExp(`\\nwrote \\d run config\\(s\\) into ${elsewhere.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(family `));
  assert.ok(!out.stdout.includes('../'), out.stdout);
  const wsFile = parseWorkspaceFile(fs.readFileSync(path.join(elsewhere, '.scalinglens.yaml'), 'utf8'), 'x');
  assert.deepEqual(
    wsFile.families.map((f) => f.runs),
    [['**']],
  );
  assert.ok(!fs.existsSync(path.join(ws, '.scalinglens.yaml')));

  assert.match(run(['--budget', '1e21', '--force']).stderr, /--force does nothing without --write/);
  assert.equal(run(['--budget', '1e21', '--write', ' ']).code, 'usage');
  const file = path.join(ws, 'big.py');
  const notFolder = inFolder(ws, () => run(['--budget', '1e21', '--write', file]));
  assert.equal(notFolder.code, 1);
  assert.match(notFolder.stderr, /--write .*big\.py: not a folder/);
  // A bundle without the writer hands the command on (to the whole CLI: src/cliAlone.ts) rather than print the plan alone.
  assert.equal(run(['--budget', '1e21', '--write', path.join(ws, 'l')], false).code, 'usage');
  assert.ok(!fs.existsSync(path.join(ws, 'l')));
});

const NANO = 'n_layer = 24\nn_head = 16\nn_embd = 1536\nblock_size = 2048\nbatch_size = 512\nmax_iters = 20000\n';

test('ladder --write: a .scalinglens.yaml there that cannot be read (over the read limit, a folder, a pipe) is named and nothing is written, not replaced', async (t) => {
  const cases: { name: string; make: (file: string) => void; says: RegExp }[] = [
    // Over the 16 MiB read cap, naming its own family: it was replaced by a 54-byte file.
    { name: 'big', make: (file) => fs.writeFileSync(file, `families:\n  mine:\n    runs: ["**"]\n${'#'.repeat(17 * 1024 * 1024)}\n`), says: /read limit/ },
    { name: 'folder', make: (file) => fs.mkdirSync(file), says: /\.scalinglens\.yaml: / },
  ];
  let fifo = true;
  try {
    execFileSync('mkfifo', ['--help'], { stdio: 'ignore' });
  } catch {
    fifo = false;
  }
  // A pipe: read, it is refused; written, writeFileSync waited for a reader for ever.
  if (fifo) cases.push({ name: 'pipe', make: (file) => execFileSync('mkfifo', [file]), says: /\.scalinglens\.yaml: / });
  else t.diagnostic('mkfifo unavailable here: the pipe case is not run');
  for (const c of cases) {
    const ws = tempDir(`sl-ladder-write-unread-${c.name}-`);
    fs.writeFileSync(path.join(ws, 'big.py'), NANO);
    const wsFile = path.join(ws, '.scalinglens.yaml');
    c.make(wsFile);
    const before = fs.lstatSync(wsFile);
    const r = inFolder(ws, () => run(['big.py', '--max-runs', '2', '--write', 'ladder']));
    assert.equal(r.code, 1, `${c.name}: ${r.stdout}`);
    assert.match(r.stderr, /^scaling-lens ladder: \.scalinglens\.yaml: .*; nothing written \(it would be replaced, not edited\)/, c.name);
    assert.match(r.stderr, c.says, c.name);
    assert.ok(!fs.existsSync(path.join(ws, 'ladder')), `${c.name}: no ladder written`);
    const after = fs.lstatSync(wsFile);
    assert.deepEqual([after.size, after.mtimeMs, after.mode], [before.size, before.mtimeMs, before.mode], `${c.name}: left as it was`);
  }
  if (!fifo) return;
  // A pipe where a ladder file goes, with --force: refused before anything is written, never opened.
  const ws = tempDir('sl-ladder-write-pipe-');
  fs.writeFileSync(path.join(ws, 'big.py'), NANO);
  fs.mkdirSync(path.join(ws, 'ladder'));
  execFileSync('mkfifo', [path.join(ws, 'ladder', 'PLAN.md')]);
  const r = inFolder(ws, () => run(['big.py', '--max-runs', '2', '--write', 'ladder', '--force']));
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /^scaling-lens ladder: 1 file\(s\) cannot be written, nothing written: ladder\/PLAN\.md: not a regular file/);
  assert.deepEqual(fs.readdirSync(path.join(ws, 'ladder')), ['PLAN.md']);
  assert.ok(!fs.existsSync(path.join(ws, '.scalinglens.yaml')));
});

test('ladder --write: every file is checked before any is written (a path through a file: nothing written, the path named); an error part way names what was written', () => {
  const ws = tempDir('sl-ladder-write-partial-');
  fs.writeFileSync(path.join(ws, 'big.py'), NANO);
  const shown = inFolder(ws, () => run(['big.py', '--max-runs', '3', '--json']));
  const plan = JSON.parse(shown.stdout) as LadderPlan;
  const last = plan.runs[plan.runs.length - 1].id;
  // The last run's folder a file: its config cannot be written (run as root, a read-only folder would not refuse).
  fs.mkdirSync(path.join(ws, 'ladder'));
  fs.writeFileSync(path.join(ws, 'ladder', last), 'not a folder\n');
  const r = inFolder(ws, () => run(['big.py', '--max-runs', '3', '--write', 'ladder']));
  assert.equal(r.code, 1, r.stdout);
  assert.match(
    r.stderr,
    new RegExp(`^scaling-lens ladder: 1 file\\(s\\) cannot be written, nothing written: ladder/${last}/big\\.py: .*ladder/${last} is not a folder`),
  );
  assert.deepEqual(fs.readdirSync(path.join(ws, 'ladder')), [last], 'no other file written');
  assert.ok(!fs.existsSync(path.join(ws, '.scalinglens.yaml')));

  // Failing at the third file (a disk full, say): the two written are named.
  fs.rmSync(path.join(ws, 'ladder'), { recursive: true });
  const written: string[] = [];
  const failing = (file: string, text: string) => {
    if (written.length === 2) throw new Error('ENOSPC: no space left on device');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    written.push(path.relative(ws, file));
  };
  const partly = inFolder(ws, () =>
    writeLadderFiles(
      plan,
      {
        folder: 'ladder',
        force: false,
        workspace: undefined,
        config: { file: path.join(ws, 'big.py'), text: NANO },
        target: { kind: 'model', label: 'big.py' },
      },
      new Date(),
      failing,
    ),
  );
  assert.equal(partly.code, 1);
  assert.deepEqual(partly.err, [
    `scaling-lens ladder: --write ladder: ENOSPC: no space left on device; 2 of ${plan.runs.length + 3} file(s) written before it (a rerun needs --force to replace them): ${written.join(', ')}`,
  ]);
});

test('ladder --write without --workspace: .scalinglens.yaml goes to the nearest folder from the ladder up that has one or is a project root (.git), else the current folder', () => {
  const home = tempDir('sl-ladder-write-root-');
  const proj = path.join(home, 'proj');
  fs.mkdirSync(path.join(proj, '.git'), { recursive: true });
  fs.writeFileSync(path.join(proj, 'big.py'), NANO);
  // `cd ~ && scaling-lens ladder proj/big.py --write proj/ladder`: the extension opened on proj/ reads proj/.scalinglens.yaml.
  const r = inFolder(home, () => run(['proj/big.py', '--max-runs', '2', '--write', 'proj/ladder']));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fs.existsSync(path.join(home, '.scalinglens.yaml')), 'not in the current folder');
  const projFile = parseWorkspaceFile(fs.readFileSync(path.join(proj, '.scalinglens.yaml'), 'utf8'), 'x');
  assert.deepEqual(
    projFile.families.map((f) => f.runs),
    [['ladder/**']],
  );
  assert.match(r.stdout, /\n {2}proj\/\.scalinglens\.yaml \(the family "[^"]+" for runs under ladder\/\*\*\)/);

  // No project root, but a .scalinglens.yaml in the config's folder and one in the current folder: the nearer is edited.
  const other = path.join(home, 'other');
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, 'big.py'), NANO);
  const mine = '# mine\nfamilies:\n  old:\n    runs: ["old/**"]\n';
  fs.writeFileSync(path.join(other, '.scalinglens.yaml'), mine);
  fs.writeFileSync(path.join(home, '.scalinglens.yaml'), '# the outer one\n');
  const o = inFolder(home, () => run(['other/big.py', '--max-runs', '2', '--write', 'other/ladder']));
  assert.equal(o.code, 0, o.stderr);
  assert.equal(fs.readFileSync(path.join(home, '.scalinglens.yaml'), 'utf8'), '# the outer one\n');
  const edited = parseWorkspaceFile(fs.readFileSync(path.join(other, '.scalinglens.yaml'), 'utf8'), 'x');
  assert.deepEqual(
    edited.families.map((f) => f.runs),
    [['old/**'], ['ladder/**']],
  );
});

test('ladder --write without --workspace: the project root above the current folder holds .scalinglens.yaml (the folder VS Code opens); the home folder never does', () => {
  const top = tempDir('sl-ladder-write-above-');
  const proj = path.join(top, 'proj');
  fs.mkdirSync(path.join(proj, '.git'), { recursive: true });
  fs.mkdirSync(path.join(proj, 'sub'));
  fs.writeFileSync(path.join(proj, 'sub', 'big.py'), NANO);
  // `cd proj/sub && scaling-lens ladder big.py --write ladder`: VS Code opened on proj/ reads proj/.scalinglens.yaml only.
  const r = inFolder(path.join(proj, 'sub'), () => run(['big.py', '--max-runs', '2', '--write', 'ladder']));
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fs.existsSync(path.join(proj, 'sub', '.scalinglens.yaml')), 'not in the current folder');
  const projFile = parseWorkspaceFile(fs.readFileSync(path.join(proj, '.scalinglens.yaml'), 'utf8'), 'x');
  assert.deepEqual(
    projFile.families.map((f) => f.runs),
    [['sub/ladder/**']],
  );
  // Named absolute: it is outside the current folder.
  assert.ok(r.stdout.includes(`\n  ${path.join(proj, '.scalinglens.yaml')} (the family `), r.stdout);

  // Run from the home folder (its .vscode is VS Code's own data), no project mark on the way: not
  // ~/.scalinglens.yaml (no workspace opened on the home folder), the ladder's own folder.
  const home = tempDir('sl-ladder-write-home-');
  fs.mkdirSync(path.join(home, '.vscode', 'extensions'), { recursive: true });
  fs.mkdirSync(path.join(home, 'bare'));
  fs.writeFileSync(path.join(home, 'bare', 'big.py'), NANO);
  const homeBefore = process.env.HOME;
  process.env.HOME = home;
  try {
    assert.equal(os.homedir(), home);
    const h = inFolder(home, () => run(['bare/big.py', '--max-runs', '2', '--write', 'bare/ladder']));
    assert.equal(h.code, 0, h.stderr);
    assert.ok(!fs.existsSync(path.join(home, '.scalinglens.yaml')), 'not in the home folder');
    const own = parseWorkspaceFile(fs.readFileSync(path.join(home, 'bare', 'ladder', '.scalinglens.yaml'), 'utf8'), 'x');
    assert.deepEqual(
      own.families.map((f) => f.runs),
      [['**']],
    );
  } finally {
    if (homeBefore === undefined) delete process.env.HOME;
    else process.env.HOME = homeBefore;
  }
});

/** Runs `fn` with HOME set to `home` (os.homedir() reads it). */
function withHome<T>(home: string, fn: () => T): T {
  const before = process.env.HOME;
  process.env.HOME = home;
  try {
    assert.equal(os.homedir(), home);
    return fn();
  } finally {
    if (before === undefined) delete process.env.HOME;
    else process.env.HOME = before;
  }
}

test('ladder --write without --workspace: a home folder reached through a link (a cluster: /home/u -> /gpfs/home/u) is known by its real path; a ladder written into the home folder itself is refused', () => {
  // Review E: HOME spelled through the link, the current folder physical (getcwd): the walk up never met "home" and
  // took the real home's .vscode (VS Code's own data) for a project's, writing .scalinglens.yaml into the home folder.
  const base = tempDir('sl-ladder-write-homelink-');
  const real = path.join(base, 'gpfs', 'u');
  fs.mkdirSync(path.join(real, '.vscode', 'extensions'), { recursive: true });
  fs.mkdirSync(path.join(real, 'proj'));
  fs.writeFileSync(path.join(real, 'proj', 'big.py'), NANO);
  const link = path.join(base, 'home-u');
  fs.symlinkSync(real, link);
  withHome(link, () => {
    // `cd ~/proj && scaling-lens ladder big.py --write ladder`.
    const r = inFolder(path.join(link, 'proj'), () => run(['big.py', '--max-runs', '2', '--write', 'ladder']));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!fs.existsSync(path.join(real, '.scalinglens.yaml')), 'not in the home folder');
    // No project mark between: the current folder, as VS Code opened on ~/proj reads it.
    const projFile = parseWorkspaceFile(fs.readFileSync(path.join(real, 'proj', '.scalinglens.yaml'), 'utf8'), 'x');
    assert.deepEqual(
      projFile.families.map((f) => f.runs),
      [['ladder/**']],
    );
    // The ladder's folder spelled through the link, from elsewhere: the same ~/proj/.scalinglens.yaml, its family's runs widened.
    const elsewhere = tempDir('sl-ladder-write-homelink-cwd-');
    const spelled = inFolder(elsewhere, () => run([path.join(link, 'proj', 'big.py'), '--max-runs', '2', '--write', path.join(link, 'proj', 'other')]));
    assert.equal(spelled.code, 0, spelled.stderr);
    assert.ok(!fs.existsSync(path.join(real, '.scalinglens.yaml')), 'not in the home folder');
    assert.deepEqual(
      parseWorkspaceFile(fs.readFileSync(path.join(real, 'proj', '.scalinglens.yaml'), 'utf8'), 'x').families.map((f) => f.runs),
      [['ladder/**', 'other/**']],
    );

    // The ladder written into the home folder itself (`cd ~ && … --write .`, or its link's spelling): no folder
    // above it is a workspace's, and none would read ~/.scalinglens.yaml: refused, nothing written.
    for (const [cwd, write] of [
      [link, '.'],
      [elsewhere, link],
    ]) {
      const h = inFolder(cwd, () => run([path.join(real, 'proj', 'big.py'), '--max-runs', '2', '--write', write]));
      assert.equal(h.code, 1, `${write} from ${cwd}: ${h.stdout}`);
      assert.match(h.stderr, /the ladder's folder is the home folder, .*nothing written: write the ladder into a folder of its own/);
      assert.deepEqual(fs.readdirSync(real).sort(), ['.vscode', 'proj']);
    }
  });
});
