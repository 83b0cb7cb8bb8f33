// One run per training run: each way a real workspace shows the same run twice, checked on files
// written here (real TFRecord framing from helpers/tfevents.ts), plus the bundled example sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { eventFile, storedValue, type ScalarEvent } from './helpers/tfevents';
import { RunIndex, hfTrainerStateName } from '../../src/core/runs/index';
import type { Run } from '../../src/core/runs/types';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';

function write(root: string, rel: string, data: string | Buffer): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, data);
  return f;
}

function series(run: Run | undefined, metric: string): [number, number][] {
  const s = run?.series.find((x) => x.metric === metric);
  return s ? Array.from(s.steps, (st, i) => [st, s.values[i]]) : [];
}

/** HF's train loss at `step` as trainer_state.json stores it (rounded to 4 decimals, like the Trainer). */
function hfLoss(step: number): number {
  return Math.round((5 - Math.log(step)) * 1e4) / 1e4;
}

/** A trainer_state.json at `globalStep`: train rows every 10 steps, eval rows every 50, the summary row when finished. */
function trainerState(globalStep: number, maxSteps: number, finished = false): string {
  const rows: object[] = [];
  for (let s = 10; s <= globalStep; s += 10) {
    rows.push({ epoch: s / maxSteps, learning_rate: 1e-4, loss: hfLoss(s), step: s });
    if (s % 50 === 0) rows.push({ epoch: s / maxSteps, eval_loss: hfLoss(s) + 0.1, step: s });
  }
  if (finished) rows.push({ step: globalStep, train_loss: 3, train_runtime: 10, total_flos: 1e12 });
  return JSON.stringify({ global_step: globalStep, max_steps: maxSteps, logging_steps: 10, train_batch_size: 4, log_history: rows }, null, 2);
}

/** What HF's TensorBoard callback writes for the same rows: `train/loss`, `train/learning_rate`, `eval/loss`. */
function hfEvents(fromStep: number, toStep: number): ScalarEvent[] {
  const out: ScalarEvent[] = [];
  for (let s = fromStep; s <= toStep; s += 10) {
    out.push({ tag: 'train/loss', step: s, value: hfLoss(s) }, { tag: 'train/learning_rate', step: s, value: 1e-4 });
    if (s % 50 === 0) out.push({ tag: 'eval/loss', step: s, value: hfLoss(s) + 0.1 });
  }
  return out;
}

test('HF checkpoint-*/trainer_state.json snapshots are partial copies of the final one: one run, no point counted twice', () => {
  const root = tempDir('sl-ident-');
  const idx = new RunIndex();
  for (const step of [100, 200]) idx.update(write(root, `out/checkpoint-${step}/trainer_state.json`, trainerState(step, 300)), root);
  idx.update(write(root, 'out/trainer_state.json', trainerState(300, 300, true)), root);
  const runs = idx.runs();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].id, 'out');
  const loss = series(runs[0], 'loss');
  assert.equal(loss.length, 30, 'steps 10..300 once each');
  assert.deepEqual(
    loss.map(([s]) => s),
    Array.from({ length: 30 }, (_, i) => 10 * (i + 1)),
  );
  assert.deepEqual(
    loss.map(([, v]) => v),
    loss.map(([s]) => hfLoss(s)),
  );
  assert.equal(series(runs[0], 'eval_loss').length, 6);
  assert.equal(runs[0].status, 'finished');
  // The run lists the final file, not the snapshots it supersedes.
  assert.ok(runs[0].files.some((f) => f === path.join(root, 'out', 'trainer_state.json')));
  assert.ok(!runs[0].files.some((f) => f.includes('checkpoint-')));
});

test('HF TensorBoard tag names map onto trainer_state.json names', () => {
  assert.equal(hfTrainerStateName('train/loss'), 'loss');
  assert.equal(hfTrainerStateName('train/learning_rate'), 'learning_rate');
  assert.equal(hfTrainerStateName('eval/loss'), 'eval_loss');
  assert.equal(hfTrainerStateName('test/accuracy'), 'test_accuracy');
  assert.equal(hfTrainerStateName('loss_metrics/global_avg_loss'), 'loss_metrics/global_avg_loss');
});

for (const order of ['events first', 'trainer_state first'] as const) {
  test(`an HF run writing both tfevents (runs/<stamp>/) and trainer_state.json is one run, merged by step (${order})`, () => {
    const root = tempDir('sl-ident-');
    const idx = new RunIndex();
    // The last checkpoint was saved at step 200; the event file has run on to step 250.
    const ev = () => idx.update(write(root, 'out/runs/Nov23_10-00-00_host/events.out.tfevents.1700000000.host.1.0', eventFile(hfEvents(10, 250))), root);
    const ts = () => idx.update(write(root, 'out/checkpoint-200/trainer_state.json', trainerState(200, 300)), root);
    if (order === 'events first') {
      ev();
      ts();
    } else {
      ts();
      ev();
    }
    const runs = idx.runs();
    assert.deepEqual(
      runs.map((r) => r.id),
      ['out'],
    );
    const run = runs[0];
    assert.equal(run.format, 'hf-trainer-state');
    assert.ok(run.files.some((f) => f.includes('events.out.tfevents')));
    assert.equal(series(run, 'train/loss').length, 0, 'no second copy of the loss under its TensorBoard name');
    const loss = series(run, 'loss');
    assert.deepEqual(
      loss.map(([s]) => s),
      Array.from({ length: 25 }, (_, i) => 10 * (i + 1)),
    );
    for (const [s, v] of loss) {
      // Steps trainer_state.json has keep its float64 value; later ones come from the event file's float32.
      assert.equal(v, s <= 200 ? hfLoss(s) : storedValue(hfLoss(s)), `step ${s}`);
    }
    assert.deepEqual(
      series(run, 'eval_loss').map(([s]) => s),
      [50, 100, 150, 200, 250],
    );
    assert.equal(run.series.filter((s) => s.role === 'train_loss').length, 1);
  });
}

test('tfevents beside trainer_state.json in the same folder, also at the workspace root: one run', () => {
  for (const sub of ['out', '']) {
    const root = tempDir('sl-ident-');
    const idx = new RunIndex();
    idx.update(write(root, path.join(sub, 'events.out.tfevents.1700000000.host'), eventFile(hfEvents(10, 120))), root);
    idx.update(write(root, path.join(sub, 'trainer_state.json'), trainerState(100, 300)), root);
    const runs = idx.runs();
    assert.equal(runs.length, 1, `folder "${sub}"`);
    assert.equal(series(runs[0], 'loss').length, 12);
  }
});

test('a plain SummaryWriter runs/<stamp>/ folder without trainer state stays its own run', () => {
  const root = tempDir('sl-ident-');
  const idx = new RunIndex();
  idx.update(write(root, 'proj/runs/Nov23_a/events.out.tfevents.1.host', eventFile([{ tag: 'train/loss', step: 1, value: 3 }])), root);
  idx.update(write(root, 'proj/runs/Nov23_b/events.out.tfevents.2.host', eventFile([{ tag: 'train/loss', step: 1, value: 2 }])), root);
  assert.deepEqual(
    idx.runs().map((r) => r.id),
    ['proj/runs/Nov23_a', 'proj/runs/Nov23_b'],
  );
  assert.deepEqual(series(idx.runs()[0], 'train/loss'), [[1, 3]]);
});

test('a resumed TensorBoard run (a new event file restarting at an earlier step) keeps the latest write', () => {
  const root = tempDir('sl-ident-');
  const idx = new RunIndex();
  const first: ScalarEvent[] = [];
  for (let s = 100; s <= 500; s += 100) first.push({ tag: 'loss', step: s, value: 10 - s / 100, wallTime: 1_700_000_000 + s });
  // Crashed after 500, resumed from the checkpoint at 300: the restart's file starts later in wall time.
  const second: ScalarEvent[] = [300, 400].map((s) => ({ tag: 'loss', step: s, value: 20 - s / 100, wallTime: 1_700_100_000 + s }));
  // Written in the opposite order to their start times: identity must not depend on the listing order.
  idx.update(write(root, 'run/events.out.tfevents.1700100000.host.2.0', eventFile(second, 1_700_100_000)), root);
  idx.update(write(root, 'run/events.out.tfevents.1700000000.host.1.0', eventFile(first, 1_700_000_000)), root);
  const runs = idx.runs();
  assert.equal(runs.length, 1);
  assert.deepEqual(series(runs[0], 'loss'), [
    [100, 9],
    [200, 8],
    [300, 17],
    [400, 16],
  ]);
});

test('examples/: the resumed run is one run whose overlapping steps hold the later rows', () => {
  const examples = path.resolve(__dirname, '../../examples');
  const list = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const idx = new RunIndex();
  for (const f of list(examples).filter(isDefaultLogFile)) idx.update(f, examples);
  const runs = idx.runs().filter((r) => r.id.startsWith('sweep/llama-23m'));
  assert.equal(runs.length, 1);
  // The file itself: the last row written for each step is the one that counts.
  const rows = fs
    .readFileSync(path.join(examples, 'sweep/llama-23m/metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { step: number; loss: number });
  const latest = new Map<number, number>();
  let wentBack = false;
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && rows[i].step <= rows[i - 1].step) wentBack = true;
    latest.set(rows[i].step, rows[i].loss);
  }
  assert.ok(wentBack, 'the example log really goes back in steps');
  assert.ok(latest.size < rows.length, 'and repeats steps');
  const loss = series(runs[0], 'loss');
  assert.equal(loss.length, latest.size);
  for (let i = 1; i < loss.length; i++) assert.ok(loss[i][0] > loss[i - 1][0], 'steps strictly increase');
  for (const [s, v] of loss) assert.equal(v, latest.get(s), `step ${s}`);
});

test('run ids never collide across the roots of a multi-root workspace', () => {
  const a = tempDir('sl-rootA-');
  const b = tempDir('sl-rootB-');
  const idx = new RunIndex();
  const line = (loss: number) => `${JSON.stringify({ step: 1, loss })}\n`;
  idx.update(write(a, 'run1/metrics.jsonl', line(3)), a);
  idx.update(write(b, 'run1/metrics.jsonl', line(2)), b);
  idx.update(write(b, 'metrics.jsonl', line(1)), b);
  idx.update(write(a, 'metrics.jsonl', line(0.5)), a);
  const runs = idx.runs();
  assert.equal(runs.length, 4);
  assert.equal(new Set(runs.map((r) => r.id)).size, 4, runs.map((r) => r.id).join(', '));
  const ids = runs.map((r) => r.id);
  assert.ok(ids.includes('run1') && ids.includes(`${path.basename(b)}:run1`), ids.join(', '));
  // Each id leads back to its own files and root.
  for (const run of runs) {
    const where = idx.locate(run.id);
    assert.ok(where !== undefined);
    assert.ok(
      run.files.every((f) => f.startsWith(where.root + path.sep)),
      run.id,
    );
    assert.equal(idx.run(run.id)?.files[0], run.files[0]);
  }
  assert.deepEqual(idx.locate(`${path.basename(b)}:run1`), { root: b, rel: 'run1' });
  // Reading the same files again (a rescan in the same order) gives the same ids.
  const again = new RunIndex();
  for (const [root, rel] of [
    [a, 'run1/metrics.jsonl'],
    [b, 'run1/metrics.jsonl'],
    [b, 'metrics.jsonl'],
    [a, 'metrics.jsonl'],
  ] as const)
    again.update(path.join(root, rel), root);
  assert.deepEqual(
    again.runs().map((r) => r.id),
    ids,
  );
});

test('a Run handed out never changes afterwards: series are shared with the store and copied before the next change', () => {
  const root = tempDir('sl-ident-');
  const idx = new RunIndex();
  const f = write(root, 'run/metrics.jsonl', [1, 2, 3, 4].map((s) => JSON.stringify({ step: s, loss: 10 - s })).join('\n') + '\n');
  idx.update(f, root);
  const first = idx.runs()[0];
  const snapshot = series(first, 'loss');
  // Unchanged file: a rebuilt run holds the very same arrays (one copy in memory, not two).
  idx.update(f, root);
  assert.equal(idx.runs()[0].series[0].steps, first.series[0].steps);
  assert.equal(idx.runs()[0].series[0].values, first.series[0].values);
  // An append, then a restart at step 2: the new run has them, the old one is as it was.
  fs.appendFileSync(f, `${JSON.stringify({ step: 5, loss: 5 })}\n`);
  idx.update(f, root);
  const second = idx.runs()[0];
  assert.deepEqual(
    series(second, 'loss').map(([s]) => s),
    [1, 2, 3, 4, 5],
  );
  // The resumed run logs step 2 again, then 3 (its overlap: a rewind, not a stray line).
  fs.appendFileSync(f, `${JSON.stringify({ step: 2, loss: 7.5 })}\n${JSON.stringify({ step: 3, loss: 7 })}\n`);
  idx.update(f, root);
  assert.deepEqual(series(idx.runs()[0], 'loss'), [
    [1, 9],
    [2, 7.5],
    [3, 7],
  ]);
  assert.deepEqual(series(first, 'loss'), snapshot);
  assert.deepEqual(
    series(second, 'loss').map(([s]) => s),
    [1, 2, 3, 4, 5],
  );
});

test("Keras's train/ + validation/ event folders are one run, the validation tags as the eval loss; a lone test/ folder stays its own run", () => {
  const root = tempDir('sl-ident-');
  const epochs = (bias: number): ScalarEvent[] => [0, 1, 2].map((e) => ({ tag: 'epoch_loss', step: e, value: 2 - e / 4 + bias }));
  const idx = new RunIndex();
  // keras.callbacks.TensorBoard(log_dir='logs/fit/run1'): train/ then, at the first epoch's end, validation/.
  idx.update(write(root, 'logs/fit/run1/train/events.out.tfevents.1.host.1.v2', eventFile(epochs(0))), root);
  idx.update(write(root, 'logs/fit/run1/validation/events.out.tfevents.2.host.2.v2', eventFile(epochs(0.5))), root);
  // A run someone named "test", with no train/ beside it.
  idx.update(write(root, 'runs/test/events.out.tfevents.3.host', eventFile(epochs(1))), root);
  const runs = idx.runs();
  assert.deepEqual(runs.map((r) => r.id).sort(), ['logs/fit/run1', 'runs/test']);
  const keras = runs.find((r) => r.id === 'logs/fit/run1');
  assert.deepEqual(
    series(keras, 'epoch_loss'),
    [0, 1, 2].map((e) => [e, storedValue(2 - e / 4)]),
  );
  assert.deepEqual(
    series(keras, 'validation/epoch_loss'),
    [0, 1, 2].map((e) => [e, storedValue(2.5 - e / 4)]),
  );
  assert.equal(keras?.series.find((s) => s.metric === 'validation/epoch_loss')?.role, 'eval_loss');
  assert.equal(runs.find((r) => r.id === 'runs/test')?.series.find((s) => s.metric === 'epoch_loss')?.role, 'train_loss');
});

test('a live Keras run among other runs: its train/ read before validation/ appears joins the parent run, points kept', () => {
  const root = tempDir('sl-ident-');
  const epochs = (bias: number, n: number): ScalarEvent[] => Array.from({ length: n }, (_, e) => ({ tag: 'epoch_loss', step: e, value: 2 - e / 4 + bias }));
  const index = new RunIndex();
  index.update(write(root, 'exp/other/events.out.tfevents.1.host', eventFile(epochs(0.4, 3))), root);
  const train = write(root, 'exp/train/events.out.tfevents.2.host.1.v2', eventFile(epochs(0, 1)));
  index.update(train, root);
  assert.deepEqual(
    index.runs().map((r) => r.id),
    ['exp/other', 'exp/train'],
  );
  // The first epoch ends: validation/ appears, then training goes on.
  const changed = index.update(write(root, 'exp/validation/events.out.tfevents.3.host.2.v2', eventFile(epochs(0.5, 1))), root);
  assert.deepEqual(changed, ['exp']);
  fs.writeFileSync(train, eventFile(epochs(0, 2)));
  index.update(train, root);
  assert.deepEqual(
    index.runs().map((r) => r.id),
    ['exp', 'exp/other'],
  );
  const keras = index.run('exp');
  assert.deepEqual(
    series(keras, 'epoch_loss'),
    [0, 1].map((e) => [e, storedValue(2 - e / 4)]),
  );
  assert.deepEqual(series(keras, 'validation/epoch_loss'), [[0, storedValue(2.5)]]);
  assert.equal(index.run('exp/train'), undefined);
});

test('a lone train/ read as its parent run is its own run again once another run appears beside it (as a fresh scan places it), points kept', () => {
  const root = tempDir('sl-ident-');
  const epochs = (bias: number, n: number): ScalarEvent[] => Array.from({ length: n }, (_, e) => ({ tag: 'epoch_loss', step: e, value: 2 - e / 4 + bias }));
  const fresh = (dir: string) => {
    const index = new RunIndex();
    const files = fs
      .readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => path.basename(f).startsWith('events.out.tfevents.'));
    for (const f of files.sort()) index.update(path.join(root, dir, f), root);
    return index.runs().map((r) => r.id);
  };
  // Another run in a folder beside it (two levels down counts, as `runs/<name>/<version>/`).
  const beside = new RunIndex();
  const train = write(root, 'a/exp/train/events.out.tfevents.1.host.1.v2', eventFile(epochs(0, 2)));
  beside.update(train, root);
  assert.deepEqual(
    beside.runs().map((r) => r.id),
    ['a/exp'],
  );
  beside.update(write(root, 'a/exp/ablation/v0/events.out.tfevents.2.host', eventFile(epochs(0.3, 3))), root);
  assert.deepEqual(
    beside.runs().map((r) => r.id),
    fresh('a'),
  );
  assert.deepEqual(fresh('a'), ['a/exp/ablation/v0', 'a/exp/train']);
  assert.deepEqual(
    series(beside.run('a/exp/train'), 'epoch_loss'),
    [0, 1].map((e) => [e, storedValue(2 - e / 4)]),
  );
  // The train/ run goes on being read where it now is.
  fs.writeFileSync(train, eventFile(epochs(0, 3)));
  beside.update(train, root);
  assert.equal(series(beside.run('a/exp/train'), 'epoch_loss').length, 3);
  assert.equal(beside.run('a/exp'), undefined);
  // Event files of the parent's own: the parent is a run, and its train/ another; their points are not mixed.
  const own = new RunIndex();
  own.update(write(root, 'b/exp/train/events.out.tfevents.3.host.1.v2', eventFile(epochs(0, 2))), root);
  own.update(write(root, 'b/exp/events.out.tfevents.4.host', eventFile(epochs(1, 4))), root);
  assert.deepEqual(
    own.runs().map((r) => r.id),
    fresh('b'),
  );
  assert.deepEqual(
    series(own.run('b/exp'), 'epoch_loss'),
    [0, 1, 2, 3].map((e) => [e, storedValue(3 - e / 4)]),
  );
  assert.deepEqual(
    series(own.run('b/exp/train'), 'epoch_loss'),
    [0, 1].map((e) => [e, storedValue(2 - e / 4)]),
  );
  // Keras's own validation/ half is no other run: the pair stays one.
  const pair = new RunIndex();
  pair.update(write(root, 'c/exp/train/events.out.tfevents.5.host.1.v2', eventFile(epochs(0, 2))), root);
  pair.update(write(root, 'c/exp/validation/events.out.tfevents.6.host.2.v2', eventFile(epochs(0.5, 2))), root);
  assert.deepEqual(
    pair.runs().map((r) => r.id),
    ['c/exp'],
  );
});

test('a train/ event folder joins its parent only beside an evaluation folder or alone; among other runs it stays its own run', () => {
  const root = tempDir('sl-ident-');
  const epochs = (bias: number): ScalarEvent[] => [0, 1, 2].map((e) => ({ tag: 'epoch_loss', step: e, value: 2 - e / 4 + bias }));
  // Alone in its parent (Keras before its first validation): the parent is the run.
  const alone = new RunIndex();
  alone.update(write(root, 'a/keras-run/train/events.out.tfevents.1.host.1.v2', eventFile(epochs(0))), root);
  assert.deepEqual(
    alone.runs().map((r) => r.id),
    ['a/keras-run'],
  );
  // Beside other runs and no evaluation folder: a run named train, as TensorBoard shows it.
  const among = new RunIndex();
  write(root, 'b/experiments/ablation/events.out.tfevents.2.host', eventFile(epochs(0.3)));
  write(root, 'b/experiments/sweep/lr-1e-3/events.out.tfevents.3.host', eventFile(epochs(0.2)));
  among.update(write(root, 'b/experiments/train/events.out.tfevents.4.host', eventFile(epochs(0.1))), root);
  assert.deepEqual(
    among.runs().map((r) => r.id),
    ['b/experiments/train'],
  );
  // Beside other runs and a validation/ folder (as a scan finds them): the Keras pair is still one run.
  const pair = new RunIndex();
  write(root, 'c/logs/other/events.out.tfevents.5.host', eventFile(epochs(0.4)));
  const halves = [
    write(root, 'c/logs/train/events.out.tfevents.6.host.1.v2', eventFile(epochs(0))),
    write(root, 'c/logs/validation/events.out.tfevents.7.host.2.v2', eventFile(epochs(0.5))),
  ];
  for (const f of halves) pair.update(f, root);
  assert.deepEqual(
    pair.runs().map((r) => r.id),
    ['c/logs'],
  );
  // A parent with event files of its own is a run already: its train/ is another.
  const nested = new RunIndex();
  write(root, 'd/run/events.out.tfevents.8.host', eventFile(epochs(0)));
  nested.update(write(root, 'd/run/train/events.out.tfevents.9.host', eventFile(epochs(0.1))), root);
  assert.deepEqual(
    nested.runs().map((r) => r.id),
    ['d/run/train'],
  );
});

test("a TF1 Estimator's model_dir events and its eval/ folder are one run, eval/loss the eval loss", () => {
  const root = tempDir('sl-ident-');
  const idx = new RunIndex();
  const steps = [100, 200, 300];
  idx.update(write(root, 'model/events.out.tfevents.1.host', eventFile(steps.map((s) => ({ tag: 'loss', step: s, value: 3 - s / 200 })))), root);
  idx.update(write(root, 'model/eval/events.out.tfevents.2.host', eventFile(steps.map((s) => ({ tag: 'loss', step: s, value: 3.2 - s / 200 })))), root);
  const runs = idx.runs();
  assert.deepEqual(
    runs.map((r) => r.id),
    ['model'],
  );
  assert.equal(runs[0].series.find((s) => s.metric === 'loss')?.role, 'train_loss');
  assert.equal(runs[0].series.find((s) => s.metric === 'eval/loss')?.role, 'eval_loss');
  assert.deepEqual(
    series(runs[0], 'eval/loss'),
    steps.map((s) => [s, storedValue(3.2 - s / 200)]),
  );
});
