import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { RunIndex, detectLogFormat, divergence, endReached } from '../../src/core/runs/index';
import type { MetricRole, Run, Series } from '../../src/core/runs/types';

function tmp(): string {
  return tempDir('sl-index-');
}

function write(root: string, rel: string, text: string): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

function jsonl(records: object[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function series(run: Run | undefined, metric: string): [number, number][] {
  const s = run?.series.find((x) => x.metric === metric);
  return s ? Array.from(s.steps, (st, i) => [st, s.values[i]]) : [];
}

function trainerState(globalStep: number, maxSteps: number, finished = false): string {
  const rows: object[] = [];
  for (let s = 10; s <= globalStep; s += 10) rows.push({ loss: 4 - s / 100, learning_rate: 1e-4, step: s });
  if (finished) rows.push({ step: globalStep, train_loss: 3, train_runtime: 10, total_flos: 1e12 });
  return JSON.stringify({ global_step: globalStep, max_steps: maxSteps, train_batch_size: 4, log_history: rows }, null, 1);
}

test('detectLogFormat by name', () => {
  assert.equal(detectLogFormat('/a/checkpoint-5/trainer_state.json'), 'hf-trainer-state');
  assert.equal(detectLogFormat('/a/m.jsonl'), 'jsonl');
  assert.equal(detectLogFormat('/a/metrics.CSV'), 'csv');
  assert.equal(detectLogFormat('/a/loss.tsv'), 'csv');
  assert.equal(detectLogFormat('/a/config.json'), undefined);
});

test('index: checkpoint-* trainer_state files collapse into the output dir run (newest by global_step)', () => {
  const root = tmp();
  const idx = new RunIndex();
  idx.update(write(root, 'out/checkpoint-100/trainer_state.json', trainerState(100, 300)), root);
  idx.update(write(root, 'out/checkpoint-200/trainer_state.json', trainerState(200, 300)), root);
  let runs = idx.runs();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].id, 'out');
  assert.equal(runs[0].format, 'hf-trainer-state');
  assert.equal(series(runs[0], 'loss').length, 20, 'newest checkpoint wins');
  assert.equal(runs[0].status, 'live');
  assert.equal(runs[0].hyper.maxSteps, 300);
  // The output dir's own trainer_state.json takes over once it exists.
  idx.update(write(root, 'out/trainer_state.json', trainerState(300, 300, true)), root);
  runs = idx.runs();
  assert.equal(runs.length, 1);
  assert.equal(series(runs[0], 'loss').length, 30);
  assert.equal(runs[0].status, 'finished');
  assert.ok(runs[0].files.some((f) => f.endsWith(path.join('out', 'trainer_state.json'))));
  // Removing it falls back to the newest checkpoint.
  fs.rmSync(path.join(root, 'out/trainer_state.json'));
  idx.update(path.join(root, 'out/trainer_state.json'), root);
  assert.equal(series(idx.runs()[0], 'loss').length, 20);
});

test('index: a resumed JSONL run going back in steps keeps the latest write; duplicate steps: later wins', () => {
  const root = tmp();
  const idx = new RunIndex();
  const f = write(root, 'runA/log.jsonl', jsonl([1, 2, 3, 4, 5].map((s) => ({ step: s * 100, loss: 10 - s }))));
  idx.update(f, root);
  assert.deepEqual(
    series(idx.runs()[0], 'loss').map(([s]) => s),
    [100, 200, 300, 400, 500],
  );
  // The job crashed after 500 and restarted from the checkpoint at 300, appending to the same file.
  fs.appendFileSync(
    f,
    jsonl([
      { step: 300, loss: 6.5 },
      { step: 400, loss: 5.5 },
      { step: 400, loss: 5.4 },
    ]),
  );
  idx.update(f, root);
  assert.deepEqual(series(idx.runs()[0], 'loss'), [
    [100, 9],
    [200, 8],
    [300, 6.5],
    [400, 5.4],
  ]);
});

test("index: a CSV file's step-order diagnostics come in the order of their lines, as the row path told them", () => {
  const root = tmp();
  const idx = new RunIndex();
  // b goes back at line 7, a at line 9, c at line 10: the columns' order is a, b, c.
  const rows = ['step,a,b,c', '1,1,1,1', '2,2,2,2', '3,3,3,3', '4,4,4,4', '5,5,5,5', '2,,9,', '6,6,,6', '1,8,,', '3,,,3', '7,7,7,7'];
  const f = write(root, 'run/metrics.csv', rows.join('\n') + '\n');
  idx.update(f, root);
  const stepOrder = idx.runs()[0].diagnostics.filter((d) => /stray step|went back|held back/.test(d.message));
  assert.deepEqual(
    stepOrder.map((d) => [d.line, d.message.split(':')[0]]),
    [
      [7, 'b'],
      [9, 'a'],
      [10, 'c'],
    ],
  );
});

test('index: two runs, one with a broken file: the other run is intact and diagnostics name the file', () => {
  const root = tmp();
  const idx = new RunIndex();
  const good = write(
    root,
    'good/metrics.jsonl',
    jsonl([
      { step: 1, loss: 3 },
      { step: 2, loss: 2.5 },
    ]),
  );
  const bad = write(root, 'bad/trainer_state.json', '{"global_step": 10, "log_history": [{"loss": 1.0, "step": 10}, {"lo');
  const badCsv = write(root, 'bad/metrics.csv', 'step,loss\n1,2.0\n\u0000\u0001garbage,row,with,too,many\n2,1.5\n');
  for (const f of [good, bad, badCsv]) idx.update(f, root);
  const runs = idx.runs();
  assert.deepEqual(
    runs.map((r) => r.id),
    ['bad', 'good'],
  );
  const goodRun = runs.find((r) => r.id === 'good');
  assert.deepEqual(series(goodRun, 'loss'), [
    [1, 3],
    [2, 2.5],
  ]);
  assert.deepEqual(goodRun?.diagnostics, []);
  const badRun = runs.find((r) => r.id === 'bad');
  assert.ok(badRun?.diagnostics.some((d) => d.file === bad && d.severity === 'error' && d.line === 1));
  assert.ok(badRun?.diagnostics.some((d) => d.file === badCsv && d.line === 3));
  assert.deepEqual(
    series(badRun, 'loss'),
    [
      [1, 2.0],
      [2, 1.5],
      [10, 1.0],
    ],
    'two logs in one directory merge; complete rows of the truncated file are kept',
  );
  assert.equal(idx.diagnostics().length, badRun?.diagnostics.length);
  // Unknown files are ignored; updating a file that vanished removes it.
  assert.deepEqual(idx.update(write(root, 'good/notes.txt', 'hello'), root), []);
  fs.rmSync(good);
  idx.update(good, root);
  assert.deepEqual(
    idx.runs().map((r) => r.id),
    ['bad'],
  );
});

test('index: NaN loss marks the run failed; rolling back past it clears it', () => {
  const root = tmp();
  const idx = new RunIndex();
  const f = write(root, 'div/log.jsonl', '{"step": 1, "loss": 3.0}\n{"step": 2, "loss": 2.8}\n{"step": 3, "loss": NaN}\n');
  idx.update(f, root);
  let run = idx.runs()[0];
  assert.equal(run.status, 'failed');
  assert.match(run.statusReason ?? '', /loss went non-finite at step 3/);
  assert.equal(run.statusRule, 'nonFinite');
  assert.ok(run.diagnostics.some((d) => d.line === 3 && d.severity === 'error'));
  fs.appendFileSync(f, '{"step": 2, "loss": 2.79}\n{"step": 3, "loss": 2.7}\n');
  idx.update(f, root);
  run = idx.runs()[0];
  assert.equal(run.status, 'live');
  assert.deepEqual(
    series(run, 'loss').map(([s]) => s),
    [1, 2, 3],
  );
});

test('index: a diverging loss (smoothed last > 1.5 × min) marks the run failed', () => {
  const values = Array.from({ length: 100 }, (_, i) => (i < 60 ? 3 - i * 0.02 : 1.8 + (i - 60) * 0.1));
  assert.ok(divergence(values));
  assert.equal(divergence(Array.from({ length: 100 }, (_, i) => 3 / (1 + i / 10))), undefined);
  const root = tmp();
  const idx = new RunIndex();
  idx.update(write(root, 'boom/log.csv', 'step,loss\n' + values.map((v, i) => `${i},${v}`).join('\n') + '\n'), root);
  assert.equal(idx.runs()[0].status, 'failed');
});

test('index: hyperparameters come from the describeRun hook, refreshed when a sidecar changes; finished by max_steps', () => {
  const root = tmp();
  const seen: string[] = [];
  const idx = new RunIndex({
    describeRun: ({ config, trainingArgs }) => {
      seen.push(`${config?.path ?? '-'} ${trainingArgs?.path ?? '-'}`);
      const cfg = JSON.parse(config!.text) as { hidden_size: number };
      const args = JSON.parse(trainingArgs!.text) as { max_steps: number; tokens_per_step: number; family?: string };
      return {
        hyper: {
          params: cfg.hidden_size * 1000,
          nonEmbeddingParams: cfg.hidden_size * 900,
          maxSteps: args.max_steps,
          tokensPerStep: args.tokens_per_step,
          family: args.family,
        },
        notes: ['described by the test hook'],
        diagnostics: [],
      };
    },
  });
  write(root, 'r1/config.json', JSON.stringify({ hidden_size: 64 }));
  write(root, 'r1/training_args.json', JSON.stringify({ max_steps: 4, tokens_per_step: 2048, family: 'tiny' }));
  const f = write(
    root,
    'r1/log.jsonl',
    jsonl([
      { step: 1, loss: 3 },
      { step: 2, loss: 2.5 },
    ]),
  );
  idx.update(f, root);
  let run = idx.runs()[0];
  assert.equal(run.hyper.params, 64000);
  assert.equal(run.hyper.nonEmbeddingParams, 57600);
  assert.equal(run.hyper.maxSteps, 4);
  assert.equal(run.hyper.family, 'tiny');
  assert.equal(run.hyper.tokens, 4 * 2048, 'tokens = maxSteps × tokensPerStep when the hook gives no total');
  assert.ok(run.hyper.notes.includes('described by the test hook'));
  assert.equal(run.status, 'live');
  assert.equal(seen.length, 1);
  fs.appendFileSync(
    f,
    jsonl([
      { step: 3, loss: 2.3 },
      { step: 4, loss: 2.2 },
    ]),
  );
  idx.update(f, root);
  run = idx.runs()[0];
  assert.equal(run.status, 'finished');
  assert.equal(seen.length, 1, 'unchanged sidecars are not described again');
  // A changed sibling file passed to update() refreshes the run.
  write(root, 'r1/training_args.json', JSON.stringify({ max_steps: 8, tokens_per_step: 4096 }));
  assert.deepEqual(idx.update(path.join(root, 'r1/training_args.json'), root), ['r1']);
  run = idx.runs()[0];
  assert.equal(seen.length, 2);
  assert.equal(run.hyper.tokens, 8 * 4096);
  assert.equal(run.status, 'live');
});

test('index: tokens per step derived from a tokens metric; a root-level log is its own run', () => {
  const root = tmp();
  const idx = new RunIndex();
  idx.update(
    write(
      root,
      'metrics.jsonl',
      jsonl([
        { step: 10, loss: 3, tokens: 40960 },
        { step: 20, loss: 2.9, tokens: 81920 },
      ]),
    ),
    root,
  );
  const run = idx.runs()[0];
  assert.equal(run.id, 'metrics.jsonl');
  assert.equal(run.hyper.tokensPerStep, 4096);
  assert.equal(series(run, 'tokens').length, 2);
});

test('index: a rewritten log replaces its points; a provisional last line shows until completed', () => {
  const root = tmp();
  const idx = new RunIndex();
  const f = write(
    root,
    'r/log.jsonl',
    jsonl([
      { step: 1, loss: 3 },
      { step: 2, loss: 2 },
    ]) + '{"step": 3, "loss": 1.5}',
  );
  idx.update(f, root);
  assert.deepEqual(
    series(idx.runs()[0], 'loss').map(([s]) => s),
    [1, 2, 3],
    'unterminated but complete last record shown',
  );
  fs.appendFileSync(f, '\n{"step": 4, "lo');
  idx.update(f, root);
  assert.deepEqual(
    series(idx.runs()[0], 'loss').map(([s]) => s),
    [1, 2, 3],
  );
  fs.writeFileSync(f, jsonl([{ step: 1, loss: 9 }]));
  idx.update(f, root);
  assert.deepEqual(series(idx.runs()[0], 'loss'), [[1, 9]]);
  idx.remove(path.join(root, 'r'));
  assert.deepEqual(idx.runs(), []);
});

test('index: a data set in JSONL or CSV is not a run; a log that has only just started is', () => {
  const root = tmp();
  const idx = new RunIndex();
  const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, text: 'some document text', score: i % 5 }));
  idx.update(write(root, 'data/train.jsonl', jsonl(rows)), root);
  idx.update(write(root, 'data/labels.csv', 'id,label\n' + rows.map((r) => `${r.id},${r.score}`).join('\n') + '\n'), root);
  idx.update(write(root, 'fresh/metrics.jsonl', jsonl([{ step: 1, lr: 1e-4 }])), root);
  assert.deepEqual(
    idx.runs().map((r) => r.id),
    ['fresh'],
    'only the young log became a run',
  );
  const notes = idx.diagnostics().filter((d) => d.severity === 'info' && /not read as a training log/.test(d.message));
  assert.deepEqual(notes.map((d) => path.basename(d.file)).sort(), ['labels.csv', 'train.jsonl']);
  // The same file rewritten as a real log is read.
  idx.update(write(root, 'data/train.jsonl', jsonl(rows.map((_, i) => ({ step: i, loss: 3 - i / 100 })))), root);
  assert.deepEqual(
    idx.runs().map((r) => r.id),
    ['data', 'fresh'],
  );
});

test('index: a run logged every k steps is finished once its next point would lie past maxSteps (Lightning CSV + hparams.yaml)', () => {
  const root = tmp();
  const idx = new RunIndex();
  // Lightning logs at (step + 1) % 128 == 0: for max_steps 1000 the last logged step is 895.
  const csv = (last: number) => {
    let text = 'epoch,step,train_loss\n';
    for (let s = 127; s <= last; s += 128) text += `0,${s},${(4 - s / 1000).toFixed(4)}\n`;
    return text;
  };
  write(root, 'logs/done/version_0/hparams.yaml', 'max_steps: 1000\n');
  idx.update(write(root, 'logs/done/version_0/metrics.csv', csv(999)), root);
  write(root, 'logs/going/version_0/hparams.yaml', 'max_steps: 1000\n');
  idx.update(write(root, 'logs/going/version_0/metrics.csv', csv(767)), root);
  const byId = new Map(idx.runs().map((r) => [r.id, r]));
  const done = byId.get('logs/done/version_0');
  assert.equal(done?.hyper.maxSteps, 1000);
  assert.equal(done?.status, 'finished', `last step 895 of 1000, logged every 128: ${done?.statusReason}`);
  assert.match(done?.statusReason ?? '', /within one logging interval \(128 steps\) of maxSteps 1000/);
  // Two intervals short of the end: the run still has a point to log.
  assert.equal(byId.get('logs/going/version_0')?.status, 'live');
});

/** A series logged every `every` steps from `first` to `last`. */
function everyK(metric: string, role: MetricRole, first: number, last: number, every: number): Series {
  const steps: number[] = [];
  for (let s = first; s <= last; s += every) steps.push(s);
  return { metric, role, steps: Float64Array.from(steps), values: Float64Array.from(steps, (s) => 4 - s / 1000) };
}

test('endReached: last step and logging stride come from the same series (an eval logged more often lends neither)', () => {
  const train = everyK('loss', 'train_loss', 100, 900, 100);
  const evalLoss = everyK('eval_loss', 'eval_loss', 50, 950, 50);
  assert.equal(endReached([train, evalLoss], 1000), undefined, 'train at 900 every 100: one more point at 1000 to log');
  assert.match(endReached([everyK('loss', 'train_loss', 100, 1000, 100), evalLoss], 1000) ?? '', /last step 1000 ≥ maxSteps 1000/);
});

test('endReached: a 0-indexed logger ends at maxSteps − k; one logging at k..maxSteps (HF) still has maxSteps to log', () => {
  assert.match(
    endReached([everyK('loss', 'train_loss', 0, 990, 10)], 1000) ?? '',
    /last step 990 is within one logging interval \(10 steps\) of maxSteps 1000/,
  );
  assert.equal(endReached([everyK('loss', 'train_loss', 10, 990, 10)], 1000), undefined, 'HF Trainer logs at 10..1000: at 990 it is live');
  assert.equal(endReached([everyK('loss', 'train_loss', 0, 980, 10)], 1000), undefined, '0-indexed, two points short');
});
