// `.scalinglens.yaml`: parsing with file-and-line diagnostics, and its families, overrides,
// exclusions and pinned fits applied by the engine (on a copy of the bundled example sweep).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { parseCount, parseWorkspaceFile, settingsForRun, unmatchedGlobs, WORKSPACE_FILE_NAME } from '../../src/core/runs/workspaceFile';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';

const FILE = '/ws/.scalinglens.yaml';

test('counts: numbers and K/M/B/T suffixes; anything else is rejected', () => {
  assert.equal(parseCount(125), 125);
  assert.equal(parseCount('1.3B'), 1.3e9);
  assert.equal(parseCount('350m'), 350e6);
  assert.equal(parseCount('2e9'), 2e9);
  assert.equal(parseCount('65_536'), 65536);
  for (const bad of [0, -5, 'abc', '1.3X', '', null, true, Infinity]) assert.equal(parseCount(bad), undefined, String(bad));
});

test('a valid file: families with globs and descriptions, run overrides, pinned fits, each with its line', () => {
  const text = [
    'families:', //                                   1
    '  web-sweep:', //                                2
    '    runs: ["sweep/*", "extra/run-7"]', //        3
    '    dataset: fineweb-edu', //                    4
    '    tokenizer: llama3', //                       5
    'runs:', //                                       6
    '  sweep/llama-44m:', //                          7
    '    params: 43.7M', //                           8
    '    tokensPerStep: 65536', //                    9
    '  "sweep/*-lr3e-3":', //                         10
    '    exclude: true', //                           11
    '  extra/run-7:', //                              12
    '    family: other', //                           13
    'fits:', //                                       14
    '  web-sweep: {law: chinchilla, exclude: sweep/llama-12m, priors: always}', // 15
    '',
  ].join('\n');
  const ws = parseWorkspaceFile(text, FILE);
  assert.deepEqual(ws.diagnostics, []);
  assert.equal(ws.families.length, 1);
  assert.deepEqual(
    { ...ws.families[0], match: undefined },
    { name: 'web-sweep', runs: ['sweep/*', 'extra/run-7'], runLines: [3, 3], dataset: 'fineweb-edu', tokenizer: 'llama3', line: 2, match: undefined },
  );
  assert.deepEqual(
    ws.runs.map((r) => [r.glob, r.line]),
    [
      ['sweep/llama-44m', 7],
      ['sweep/*-lr3e-3', 10],
      ['extra/run-7', 12],
    ],
  );
  assert.equal(ws.runs[0].params, 43.7e6);
  assert.equal(ws.fits[0].family, 'web-sweep');
  assert.equal(ws.fits[0].priors, 'always');
  assert.equal(ws.fits[0].line, 15);
  assert.ok(ws.fits[0].match('sweep/llama-12m') && !ws.fits[0].match('sweep/llama-44m'));

  const s44 = settingsForRun(ws, 'sweep/llama-44m');
  assert.deepEqual(s44.family, { name: 'web-sweep', line: 2 });
  assert.deepEqual(s44.values, { params: 43.7e6, tokensPerStep: 65536 });
  assert.equal(s44.excludedAt, undefined);
  assert.equal(settingsForRun(ws, 'sweep/llama-44m-lr3e-3').excludedAt, 11);
  // A run's own `family` beats the families globs.
  assert.deepEqual(settingsForRun(ws, 'extra/run-7').family, { name: 'other', line: 13 });
  assert.equal(settingsForRun(ws, 'elsewhere/run').family, undefined);
});

test('bad entries give diagnostics naming the file and line; the good entries around them still apply', () => {
  const text = [
    'families:', //                        1
    '  a:', //                             2
    '    runs: 42', //                     3  not a glob
    '    colour: blue', //                 4  unknown key
    '  b:', //                             5
    '    runs: ["b/*"]', //                6
    'runs:', //                            7
    '  r1:', //                            8
    '    params: lots', //                 9  not a count
    '    tokens: 2B', //                   10 fine
    '    exclude: yes please', //          11 not a boolean
    'fits:', //                            12
    '  b:', //                             13
    '    law: kaplan-2020', //             14 not pinnable
    '  c:', //                             15 no law: Chinchilla, the default
    '    priors: sometimes', //            16 bad value
    'extras: 1', //                        17 unknown top-level key
  ].join('\n');
  const ws = parseWorkspaceFile(text, FILE);
  const at = ws.diagnostics.map((d) => [d.line, d.severity]);
  assert.deepEqual(at, [
    [3, 'error'],
    [4, 'warning'],
    [9, 'error'],
    [11, 'error'],
    [14, 'error'],
    [16, 'error'],
    [17, 'warning'],
  ]);
  assert.ok(ws.diagnostics.every((d) => d.file === FILE));
  assert.match(ws.diagnostics[2].message, /params must be a positive number/);
  assert.match(ws.diagnostics[4].message, /kaplan-2020.*available: chinchilla/);
  assert.deepEqual(
    ws.families.map((f) => f.name),
    ['a', 'b'],
  );
  assert.equal(ws.runs[0].tokens, 2e9);
  assert.equal(ws.runs[0].params, undefined);
  // b's unknown law leaves b unpinned; c, with no law, gets the default law and no priors setting.
  assert.deepEqual(
    ws.fits.map((f) => [f.family, f.law, f.priors]),
    [['c', 'chinchilla', undefined]],
  );
});

test('a fits entry without law takes the default family law (Chinchilla) and keeps its exclusions', () => {
  const ws = parseWorkspaceFile(['fits:', '  sweep:', '    exclude: ["sweep/llama-12m"]', '  other: {priors: never}'].join('\n'), FILE);
  assert.deepEqual(ws.diagnostics, []);
  assert.deepEqual(
    ws.fits.map((f) => [f.family, f.law, f.exclude, f.line]),
    [
      ['sweep', 'chinchilla', ['sweep/llama-12m'], 2],
      ['other', 'chinchilla', [], 4],
    ],
  );
  assert.ok(ws.fits[0].match('sweep/llama-12m'));
  // A law given but not as text is an error on its line, and the entry is not pinned.
  const bad = parseWorkspaceFile(['fits:', '  sweep:', '    law: [chinchilla]'].join('\n'), FILE);
  assert.deepEqual(
    bad.diagnostics.map((d) => [d.file, d.line, d.severity]),
    [[FILE, 3, 'error']],
  );
  assert.match(bad.diagnostics[0].message, /fits "sweep": law must be text/);
  assert.equal(bad.fits.length, 0);
});

test('YAML syntax errors and duplicate keys are reported with their line; an empty file is fine', () => {
  const broken = parseWorkspaceFile('runs:\n  a:\n    params: 1\n  b: [1,\n', FILE);
  assert.equal(broken.diagnostics.length > 0, true);
  assert.ok(
    broken.diagnostics.every((d) => d.severity === 'error' && typeof d.line === 'number' && d.line >= 4),
    JSON.stringify(broken.diagnostics),
  );
  const dup = parseWorkspaceFile('runs: {}\nruns: {}\n', FILE);
  assert.equal(dup.diagnostics[0].line, 2);
  assert.match(dup.diagnostics[0].message, /unique/);
  assert.deepEqual(parseWorkspaceFile('', FILE).diagnostics, []);
  assert.deepEqual(parseWorkspaceFile('# nothing yet\n', FILE).diagnostics, []);
  assert.equal(parseWorkspaceFile('- a\n- b\n', FILE).diagnostics[0].line, 1);
});

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** A copy of the example sweep (whose runs name their family `example-sweep` in training_args.json). */
function exampleWorkspace(): { root: string; engine: ScalingWorkspace } {
  const root = tempDir('sl-wsfile-');
  fs.cpSync(path.resolve(__dirname, '../../examples/sweep'), path.join(root, 'sweep'), { recursive: true });
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(root).filter(isDefaultLogFile)) engine.update(f, root);
  return { root, engine };
}

test('the engine applies the file: families, overrides with notes, exclusion, a pinned fit; a change regroups; removal restores', () => {
  const { root, engine } = exampleWorkspace();
  const before = engine.snapshot();
  assert.deepEqual([...new Set(before.runs.map((r) => r.familySource))], ['run-config']);
  const original = engine.runs().find((r) => r.id === 'sweep/llama-12m')!;

  const file = path.join(root, WORKSPACE_FILE_NAME);
  fs.writeFileSync(
    file,
    [
      'families:',
      '  small:',
      '    runs: ["sweep/llama-12m", "sweep/llama-23m", "sweep/llama-44m*"]',
      '    dataset: synthetic',
      'runs:',
      '  sweep/llama-12m:',
      '    params: 12M',
      '    tokensPerStep: 16384',
      '  sweep/llama-44m-lr3e-3:',
      '    exclude: true',
      'fits:',
      '  example-sweep:',
      '    law: chinchilla',
      '    exclude: ["sweep/llama-187m"]',
      '',
    ].join('\n'),
  );
  engine.update(file, root);
  const snap = engine.snapshot();
  const view = (id: string) => snap.runs.find((r) => r.id === id)!;
  assert.equal(view('sweep/llama-12m').familySource, 'workspace-file');
  assert.equal(view('sweep/llama-95m').familySource, 'run-config');
  const run12 = engine.runs().find((r) => r.id === 'sweep/llama-12m')!;
  assert.equal(run12.hyper.family, 'small');
  assert.equal(run12.hyper.params, 12e6);
  assert.equal(run12.hyper.tokensPerStep, 16384);
  assert.equal(run12.hyper.tokens, original.hyper.maxSteps! * 16384, 'D recounted from the corrected tokens per step');
  assert.ok(
    run12.hyper.notes.some((n) => n.includes(`params = 12000000 from ${WORKSPACE_FILE_NAME}:7 (read: ${original.hyper.params})`)),
    run12.hyper.notes.join('\n'),
  );
  assert.equal(original.hyper.params !== 12e6, true);

  const small = snap.families.find((f) => f.family === 'small')!;
  assert.equal(small.source, 'workspace-file');
  assert.equal(small.guessed, false);
  assert.deepEqual(small.description, { dataset: 'synthetic', tokenizer: undefined, recipe: undefined });
  assert.deepEqual(small.runIds.sort(), ['sweep/llama-12m', 'sweep/llama-23m', 'sweep/llama-44m']);
  assert.deepEqual(small.excludedRunIds, ['sweep/llama-44m-lr3e-3']);
  assert.match(view('sweep/llama-44m-lr3e-3').excluded ?? '', new RegExp(`${WORKSPACE_FILE_NAME.replace('.', '\\.')}:10$`));
  const rest = snap.families.find((f) => f.family === 'example-sweep')!;
  assert.deepEqual(rest.pinned, { law: 'chinchilla', file, line: 12 });
  assert.deepEqual(rest.excludedRunIds, ['sweep/llama-187m']);
  assert.ok(!rest.runIds.includes('sweep/llama-187m'));

  // Editing the file regroups at once.
  fs.writeFileSync(file, 'runs:\n  "sweep/*":\n    family: everything\n');
  engine.update(file, root);
  assert.deepEqual([...new Set(engine.snapshot().families.map((f) => f.family))], ['everything']);
  // Deleting it restores the runs' own families.
  fs.rmSync(file);
  engine.remove(file);
  const after = engine.snapshot();
  assert.deepEqual([...new Set(after.families.map((f) => f.family))], ['example-sweep']);
  assert.equal(engine.runs().find((r) => r.id === 'sweep/llama-12m')!.hyper.params, original.hyper.params);
});

test('without a family anywhere, the family is guessed from folders and says so; file errors reach the diagnostics', () => {
  const root = tempDir('sl-wsfile-');
  const f = path.join(root, 'grid', 'a', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, `${JSON.stringify({ step: 1, loss: 3 })}\n`);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  engine.update(f, root);
  fs.writeFileSync(path.join(root, WORKSPACE_FILE_NAME), 'runs:\n  grid/a:\n    tokens: many\n');
  engine.update(path.join(root, WORKSPACE_FILE_NAME), root);
  const snap = engine.snapshot();
  assert.equal(snap.runs[0].familySource, 'guessed');
  assert.equal(snap.families[0].family, 'grid');
  assert.equal(snap.families[0].guessed, true);
  assert.equal(snap.families[0].source, 'guessed');
  const d = snap.diagnostics.find((x) => x.file === path.join(root, WORKSPACE_FILE_NAME));
  assert.equal(d?.line, 3);
  // A .scalinglens.yaml below the root is not the workspace's file and is not read.
  const nested = path.join(root, 'grid', WORKSPACE_FILE_NAME);
  fs.writeFileSync(nested, 'runs:\n  grid/a:\n    family: nested\n');
  engine.update(nested, root);
  assert.equal(engine.snapshot().runs[0].familySource, 'guessed');
});

test('a glob matching none of the runs is a warning on its line, with a run path to compare (a Lightning run ends in version_N)', () => {
  const text = [
    'families:', //                          1
    '  sweep:', //                           2
    '    runs: ["logs/*/version_0", "wandb/*"]', // 3
    'runs:', //                              4
    '  "logs/llama25m*":', //                5  * stops at /
    '    tokensPerStep: 524288', //          6
    '  "logs/**":', //                       7  fine
    '    tokensPerStep: 524288', //          8
    'fits:', //                              9
    '  sweep:', //                           10
    '    law: chinchilla', //                11
    '    exclude: ["**/*constant*"]', //     12 matches one
  ].join('\n');
  const ws = parseWorkspaceFile(text, FILE);
  assert.deepEqual(ws.diagnostics, []);
  const paths = ['logs/llama25m_cosine/version_0', 'logs/llama25m_constant/version_0', 'tb/llama400m_constant'];
  const found = unmatchedGlobs(ws, paths);
  assert.deepEqual(
    found.map((d) => [d.file, d.line, d.severity]),
    [
      [FILE, 3, 'warning'],
      [FILE, 5, 'warning'],
    ],
  );
  assert.match(found[0].message, /family "sweep": runs "wandb\/\*" matches none of the 3 runs under this folder/);
  assert.match(
    found[1].message,
    /runs "logs\/llama25m\*" matches none .*run paths look like "logs\/llama25m_cosine\/version_0"; \* stops at \/, \*\* crosses it/,
  );
  // No runs known yet (the folder is still being read): nothing to say.
  assert.deepEqual(unmatchedGlobs(ws, []), []);
  // Globs listed one a line: each warning on its glob's own line, not its family's or fit's.
  const listed = parseWorkspaceFile(
    [
      'families:',
      '  sweep:',
      '    runs:',
      '      - "logs/**"',
      '      - "wandb/*"',
      'fits:',
      '  sweep:',
      '    law: chinchilla',
      '    exclude:',
      '      - "**/*constant*"',
      '      - "nope/*"',
    ].join('\n'),
    FILE,
  );
  assert.deepEqual(listed.diagnostics, []);
  assert.deepEqual(
    unmatchedGlobs(listed, paths).map((d) => [d.line, d.message.split(' matches')[0]]),
    [
      [5, 'family "sweep": runs "wandb/*"'],
      [11, 'fits "sweep": exclude "nope/*"'],
    ],
  );

  // The engine reports it with the file's other diagnostics, and drops it once the glob matches.
  const root = tempDir('sl-wsfile-');
  const log = path.join(root, 'logs', 'a', 'version_0', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, `${JSON.stringify({ step: 1, loss: 3 })}\n`);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  engine.update(log, root);
  const file = path.join(root, WORKSPACE_FILE_NAME);
  fs.writeFileSync(file, 'runs:\n  "logs/a*":\n    params: 10M\n');
  engine.update(file, root);
  const warned = engine.snapshot().diagnostics.filter((d) => d.file === file);
  assert.deepEqual(
    warned.map((d) => [d.line, d.severity]),
    [[2, 'warning']],
  );
  assert.match(warned[0].message, /"logs\/a\*" matches none of the 1 run under this folder \(run paths look like "logs\/a\/version_0"/);
  fs.writeFileSync(file, 'runs:\n  "logs/a/**":\n    params: 10M\n');
  engine.update(file, root);
  assert.deepEqual(
    engine.snapshot().diagnostics.filter((d) => d.file === file),
    [],
  );
});

test('maxSteps in the file ends a run whose log does not say where it ends; tokens ÷ tokensPerStep gives it too', () => {
  const root = tempDir('sl-wsfile-');
  const log = (rel: string, last: number) => {
    const f = path.join(root, rel, 'metrics.jsonl');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    const rows: string[] = [];
    for (let s = 10; s <= last; s += 20) rows.push(JSON.stringify({ step: s, loss: 4 - s / 1000, tokens_seen: s * 1000 }));
    fs.writeFileSync(f, `${rows.join('\n')}\n`);
    return f;
  };
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of [log('tb/done', 990), log('tb/going', 490), log('tb/sized', 990)]) engine.update(f, root);
  const before = new Map(engine.runs().map((r) => [r.id, r]));
  assert.equal(before.get('tb/done')?.status, 'live', 'no end known: live');
  assert.equal(before.get('tb/done')?.hyper.maxSteps, undefined);
  const file = path.join(root, WORKSPACE_FILE_NAME);
  fs.writeFileSync(
    file,
    ['runs:', '  "tb/done":', '    maxSteps: 1K', '  "tb/going":', '    maxSteps: 1000', '  "tb/sized":', '    tokens: 1M', ''].join('\n'),
  );
  engine.update(file, root);
  const after = new Map(engine.runs().map((r) => [r.id, r]));
  const done = after.get('tb/done')!;
  assert.equal(done.hyper.maxSteps, 1000);
  assert.equal(done.status, 'finished', 'last step 990, logged every 20, of 1000');
  assert.match(done.statusReason ?? '', /within one logging interval \(20 steps\) of maxSteps 1000 \(\.scalinglens\.yaml\)/);
  assert.equal(done.statusRule, 'maxSteps');
  assert.equal(done.hyper.tokens, 1000 * 1000, 'D = maxSteps × the tokens per step the log gives');
  assert.equal(after.get('tb/going')?.status, 'live');
  const sized = after.get('tb/sized')!;
  assert.equal(sized.hyper.maxSteps, 1000, 'tokens 1M ÷ 1000 tokens per step');
  assert.ok(
    sized.hyper.notes.some((n) => n.startsWith('maxSteps = tokens 1000000 ÷ tokensPerStep 1000 (.scalinglens.yaml:7)')),
    sized.hyper.notes.join('\n'),
  );
  assert.equal(sized.status, 'finished');
});

test("a larger maxSteps in the file reopens a run its log's own maxSteps ended, not one whose trainer recorded the end", () => {
  const root = tempDir('sl-wsfile-');
  const state = (finished: boolean) => {
    const rows: object[] = [];
    for (let s = 10; s <= 1000; s += 10) rows.push({ loss: 4 - s / 1000, learning_rate: 1e-4, step: s });
    if (finished) rows.push({ step: 1000, train_loss: 3, train_runtime: 10, total_flos: 1e12 });
    return JSON.stringify({ global_step: 1000, max_steps: 1000, train_batch_size: 4, log_history: rows });
  };
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const [rel, finished] of [
    ['runs/a', false],
    ['runs/b', true],
  ] as const) {
    const f = path.join(root, rel, 'trainer_state.json');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, state(finished));
    engine.update(f, root);
  }
  const before = new Map(engine.runs().map((r) => [r.id, r]));
  assert.equal(before.get('runs/a')?.status, 'finished', 'last step 1000 of max_steps 1000');
  // Which rule ended each run is a field, decided on without reading the reason's words.
  assert.equal(before.get('runs/a')?.statusRule, 'maxSteps');
  assert.equal(before.get('runs/b')?.statusRule, 'trainerEnd');
  const file = path.join(root, WORKSPACE_FILE_NAME);
  fs.writeFileSync(file, ['runs:', '  "runs/*":', '    maxSteps: 2000', ''].join('\n'));
  engine.update(file, root);
  const after = new Map(engine.runs().map((r) => [r.id, r]));
  const a = after.get('runs/a')!;
  assert.equal(a.hyper.maxSteps, 2000);
  assert.equal(a.status, 'live', `1000 of 2000 steps: ${a.statusReason}`);
  assert.equal(a.statusReason, undefined);
  assert.equal(a.statusRule, undefined);
  const b = after.get('runs/b')!;
  assert.equal(b.status, 'finished', "the trainer's final summary row ends it whatever the file says");
  assert.equal(b.statusReason, 'trainer_state.json has the final summary row');
});
