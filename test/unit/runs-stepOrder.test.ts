// Issue 17, "nothing is lost silently": a step that goes back rewinds a run's history only when the
// log says a resumed run is logging again (a resume line, TensorBoard's SessionLog.START, or the
// resumed run's overlap); a stray step is dropped with a diagnostic naming file and line. Each case
// in the real formats, read by the index as the worker reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { tfRecord, fileVersionEvent, scalarEvent, sessionStartEvent } from './helpers/tfevents';
import { RunIndex } from '../../src/core/runs/index';
import { placePoint, RESUME_LINE, StepReport, type PointSink, type SeriesOrder } from '../../src/core/runs/stepOrder';
import type { Diagnostic } from '../../src/core/diagnostics';

function write(root: string, rel: string, text: string | Buffer): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

function lossOf(index: RunIndex, metric = 'loss'): { steps: number[]; values: number[]; diagnostics: Diagnostic[] } {
  const run = index.runs()[0];
  const s = run.series.find((x) => x.metric === metric);
  assert.ok(s, `series ${metric} among ${run.series.map((x) => x.metric).join(', ')}`);
  return { steps: Array.from(s.steps), values: Array.from(s.values), diagnostics: index.diagnostics() };
}

const tens = (to: number): number[] => Array.from({ length: to / 10 + 1 }, (_, i) => i * 10);
const nanoLine = (step: number, loss: number): string => `iter ${step}: loss ${loss.toFixed(4)}, time 512.34ms, mfu 30.12%`;

test('placePoint: a negative step dropped and counted, forward appended, the same step replaced, a step back held', () => {
  const points = new Map<number, number>();
  const sink: PointSink = {
    lastStep: () => (points.size ? Math.max(...points.keys()) : -Infinity),
    put: (step, value) => {
      for (const s of [...points.keys()]) if (s >= step) points.delete(s);
      points.set(step, value);
      return true;
    },
    countFrom: (step) => [...points.keys()].filter((s) => s >= step).length,
  };
  const order: SeriesOrder = {};
  const report = new StepReport();
  assert.equal(placePoint(order, sink, 0, 5, { line: 1 }, report), Infinity);
  assert.equal(placePoint(order, sink, 10, 4, { line: 2 }, report), Infinity);
  assert.equal(placePoint(order, sink, -1, 9, { line: 3 }, report), Infinity);
  assert.deepEqual([report.negative, report.firstNegative, report.firstNegativePlace], [1, -1, { line: 3 }]);
  assert.equal(placePoint(order, sink, 10, 3.9, { line: 4 }, report), 10);
  assert.deepEqual(
    [...points],
    [
      [0, 5],
      [10, 3.9],
    ],
  );
  assert.equal(placePoint(order, sink, 3, 7, { line: 5 }, report), Infinity);
  assert.deepEqual(order.held, { step: 3, value: 7, after: 10, line: 5 });
  assert.equal(points.size, 2, 'a step back is held, not stored, until the next point says what it was');
});

test('JSONL: a stray step far behind the last one is dropped with its line; the history is kept', () => {
  const root = tempDir('sl-stray-jsonl-');
  const rows = tens(100).map((s) => `{"step": ${s}, "loss": ${3 - s / 100}}`);
  // Line 12: a stray line (another process, a test print) at step 5; the run goes on at 110.
  rows.push('{"step": 5, "loss": 9.9}', '{"step": 110, "loss": 1.9}', '{"step": 120, "loss": 1.8}');
  const f = write(root, 'run/metrics.jsonl', `${rows.join('\n')}\n`);
  const index = new RunIndex();
  index.update(f, root);
  const got = lossOf(index);
  assert.deepEqual(got.steps, [...tens(120)]);
  assert.ok(!got.values.includes(9.9));
  const stray = got.diagnostics.filter((d) => d.message.startsWith('loss: stray step 5 after step 100'));
  assert.equal(stray.length, 1, got.diagnostics.map((d) => d.message).join(' | '));
  assert.equal(stray[0].file, f);
  assert.equal(stray[0].line, 12);
  assert.equal(stray[0].severity, 'warning');
  assert.ok(!got.diagnostics.some((d) => d.message.includes('went back')));
});

test('JSONL: a resumed run appended to the same log (its overlap) rewinds, told at the line it went back', () => {
  const root = tempDir('sl-resume-jsonl-');
  const rows = tens(100).map((s) => `{"step": ${s}, "loss": ${3 - s / 100}}`);
  // Relaunched from the checkpoint at step 60: 60..150, the later rows win.
  for (let s = 60; s <= 150; s += 10) rows.push(`{"step": ${s}, "loss": ${2.5 - s / 100}}`);
  const f = write(root, 'run/metrics.jsonl', `${rows.join('\n')}\n`);
  const index = new RunIndex();
  index.update(f, root);
  const got = lossOf(index);
  assert.deepEqual(got.steps, tens(150));
  assert.equal(got.values[got.steps.indexOf(60)], 2.5 - 0.6);
  assert.equal(got.values[got.steps.indexOf(50)], 3 - 0.5);
  const rewinds = got.diagnostics.filter((d) => d.message.includes('the log went back'));
  assert.equal(rewinds.length, 1);
  assert.equal(rewinds[0].line, 12);
  assert.match(
    rewinds[0].message,
    /^loss: step 60 after step 100: the log went back \(the steps after it rise again .*\); 5 earlier point\(s\) from step 60 on replaced$/,
  );
});

test('CSV (Lightning metrics.csv columns): a stray row is dropped and told with its line; a negative step too', () => {
  const root = tempDir('sl-stray-csv-');
  const rows = ['epoch,step,train_loss'];
  for (const s of tens(100)) rows.push(`0,${s},${3 - s / 100}`);
  rows.push('0,3,7.5', '0,-2,8', '0,110,1.9');
  const f = write(root, 'lightning_logs/version_0/metrics.csv', `${rows.join('\n')}\n`);
  const index = new RunIndex();
  index.update(f, root);
  const got = lossOf(index, 'train_loss');
  assert.deepEqual(got.steps, tens(110));
  const stray = got.diagnostics.find((d) => d.message.startsWith('train_loss: stray step 3 after step 100'));
  assert.ok(stray, got.diagnostics.map((d) => d.message).join(' | '));
  assert.equal(stray.line, 13);
  const negative = got.diagnostics.find((d) => d.message.includes('negative step (first -2)'));
  assert.equal(negative?.line, 14);
});

test('nanoGPT stdout: a stray iter line is dropped; "Resuming training" makes the next step back a rewind at once', () => {
  const root = tempDir('sl-nano-');
  const lines = ['Initializing a new model from scratch', ...tens(100).map((s) => nanoLine(s, 4 - s / 100))];
  lines.push(nanoLine(5, 9.5), nanoLine(110, 2.85));
  const stray = write(root, 'a/train.log', `${lines.join('\n')}\n`);
  let index = new RunIndex();
  index.update(stray, root);
  let got = lossOf(index);
  assert.deepEqual(got.steps, tens(110));
  const d = got.diagnostics.find((x) => x.message.startsWith('loss: stray step 5 after step 100'));
  assert.equal(d?.line, 13, got.diagnostics.map((x) => x.message).join(' | '));

  // The relaunch says so, and logs one point before the file ends: a rewind, not a held or stray point.
  const resumed = [
    'Initializing a new model from scratch',
    ...tens(100).map((s) => nanoLine(s, 4 - s / 100)),
    'Resuming training from out',
    'number of parameters: 10.65M',
    nanoLine(80, 3.3),
  ];
  const g = write(root, 'b/train.log', `${resumed.join('\n')}\n`);
  index = new RunIndex();
  index.update(g, root);
  got = lossOf(index);
  assert.deepEqual(got.steps, tens(80));
  assert.equal(got.values[got.values.length - 1], 3.3);
  const rewind = got.diagnostics.find((x) => x.message.includes('the log went back'));
  assert.ok(rewind, got.diagnostics.map((x) => x.message).join(' | '));
  assert.equal(rewind.line, 15);
  assert.match(
    rewind.message,
    /^loss: step 80 after step 100: the log went back \(the log announced a resume at line 13\); 3 earlier point\(s\) from step 80 on replaced$/,
  );
});

test('a live log: a step back at the end of a read is held and told; the next read rewinds or drops it', () => {
  const root = tempDir('sl-held-');
  const f = write(
    root,
    'run/train.log',
    `${tens(100)
      .map((s) => nanoLine(s, 4 - s / 100))
      .join('\n')}\n${nanoLine(70, 3.4)}\n`,
  );
  const index = new RunIndex();
  index.update(f, root);
  let got = lossOf(index);
  // Not shown yet, and not lost: told as held.
  assert.deepEqual(got.steps, tens(100));
  const held = got.diagnostics.find((d) => d.message.startsWith('loss: step 70 after step 100 is held back'));
  assert.equal(held?.line, 12, got.diagnostics.map((d) => d.message).join(' | '));
  // The relaunch goes on from 70: its overlap confirms the rewind.
  fs.appendFileSync(f, `${nanoLine(80, 3.3)}\n`);
  index.update(f, root);
  got = lossOf(index);
  assert.deepEqual(got.steps, tens(80));
  assert.deepEqual(got.values.slice(-2), [3.4, 3.3]);
  const rewind = got.diagnostics.find((d) => d.message.startsWith('loss: step 70 after step 100: the log went back'));
  assert.equal(rewind?.line, 12);
});

test('MLflow metric file: a stray row is dropped and told with its line', () => {
  const root = tempDir('sl-mlflow-');
  const run = path.join('mlruns', '0', 'a3112407148b4966b929bc9f8784a3d3');
  write(root, path.join(run, 'meta.yaml'), 'run_id: a3112407148b4966b929bc9f8784a3d3\nexperiment_id: "0"\nstatus: 3\n');
  const rows = tens(100).map((s) => `${1_700_000_000_000 + s} ${3 - s / 100} ${s}`);
  rows.push(`${1_700_000_000_200} 8.5 1`, `${1_700_000_000_210} 1.9 110`);
  const f = write(root, path.join(run, 'metrics', 'loss'), `${rows.join('\n')}\n`);
  const index = new RunIndex();
  index.update(f, root);
  const got = lossOf(index);
  assert.deepEqual(got.steps, tens(110));
  const stray = got.diagnostics.find((d) => d.message.startsWith('loss: stray step 1 after step 100'));
  assert.equal(stray?.line, 12, got.diagnostics.map((d) => d.message).join(' | '));
});

test('TensorBoard: a SessionLog.START rewinds at once; a stray event is dropped and told at its byte offset', () => {
  const root = tempDir('sl-tb-');
  const events = (steps: number[], v: (s: number) => number) => steps.map((step) => tfRecord(scalarEvent({ tag: 'loss', step, value: v(step) })));
  const head = [tfRecord(fileVersionEvent())];
  // A stray event at step 2 between 100 and 110.
  const strayRecords = [...head, ...events(tens(100), (s) => 3 - s / 100), ...events([2], () => 9), ...events([110], () => 1.9)];
  const strayAt = Buffer.concat(strayRecords.slice(0, head.length + tens(100).length)).length;
  const f = write(root, 'a/events.out.tfevents.1700000000.host', Buffer.concat(strayRecords));
  let index = new RunIndex();
  index.update(f, root);
  let got = lossOf(index);
  assert.deepEqual(got.steps, tens(110));
  const stray = got.diagnostics.find((d) => d.message.startsWith('loss: stray step 2 after step 100'));
  assert.equal(stray?.offset, strayAt, got.diagnostics.map((d) => d.message).join(' | '));
  // TensorBoard's own restart record: one event after it at step 50 is enough.
  const g = write(
    root,
    'b/events.out.tfevents.1700000000.host',
    Buffer.concat([...head, ...events(tens(100), (s) => 3 - s / 100), tfRecord(sessionStartEvent(50)), ...events([50], () => 2.2)]),
  );
  index = new RunIndex();
  index.update(g, root);
  got = lossOf(index);
  assert.deepEqual(got.steps, tens(50));
  assert.equal(got.values[got.values.length - 1], Math.fround(2.2));
});

test('RESUME_LINE: relaunch banners of real trainers, not a config dump', () => {
  for (const line of [
    'Resuming training from out',
    '  Continuing training from checkpoint, will skip to saved global_step',
    'Restoring states from the checkpoint path at /ckpt/last.ckpt',
    ' loading checkpoint from /ckpt at iteration 2000',
    '[2024-01-01 10:00:00] Resumed from step 1200',
  ])
    assert.ok(RESUME_LINE.test(line), line);
  for (const line of ['resume_from_checkpoint: null', "{'resume': False, 'init_from': 'scratch'}", 'step 100 loss 2.3', 'Restore the defaults'])
    assert.ok(!RESUME_LINE.test(line), line);
});
