// One job, several loggers (stdout + JSONL + TensorBoard in one folder): one run, one series per loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { eventFile } from './helpers/tfevents';
import { RunIndex } from '../../src/core/runs/index';

function write(root: string, rel: string, data: string | Buffer): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, data);
  return f;
}

test('stdout, JSONL and TensorBoard of one job in one folder are one run with one train-loss series', () => {
  const root = tempDir('sl-onejob-');
  const steps = [10, 20, 30, 40, 50];
  const loss = (s: number) => 5 - s / 100;
  const files = [
    write(root, 'job/train_run7.log', steps.map((s) => `iter ${s}: loss ${loss(s).toFixed(4)}, time 10.00ms, mfu 1.00%`).join('\n') + '\n'),
    write(root, 'job/metrics.jsonl', steps.map((s) => JSON.stringify({ step: s, 'train/loss': loss(s), val_loss: loss(s) + 0.1 })).join('\n') + '\n'),
    write(
      root,
      'job/events.out.tfevents.1700000000.host',
      eventFile([...steps.map((s) => ({ tag: 'Loss/train', step: s + 60, value: loss(s + 60) })), { tag: 'lm loss validation', step: 70, value: 4.5 }]),
    ),
  ];
  const idx = new RunIndex();
  for (const f of files) idx.update(f, root);
  const runs = idx.runs();
  assert.deepEqual(
    runs.map((r) => r.id),
    ['job'],
  );
  const train = runs[0].series.filter((s) => s.role === 'train_loss');
  assert.equal(train.length, 1, train.map((s) => s.metric).join(', '));
  assert.deepEqual(Array.from(train[0].steps), [10, 20, 30, 40, 50, 70, 80, 90, 100, 110]);
  const evals = runs[0].series.filter((s) => s.role === 'eval_loss');
  assert.equal(evals.length, 1);
  assert.deepEqual(Array.from(evals[0].steps), [10, 20, 30, 40, 50, 70]);
});

test('a folder of several named text logs keeps one run per log', () => {
  const root = tempDir('sl-onejob-');
  const line = (s: number) => `iter ${s}: loss ${(5 - s / 100).toFixed(4)}, time 10.00ms, mfu 1.00%`;
  const idx = new RunIndex();
  idx.update(write(root, 'sweep/slurm-1.out', [10, 20].map(line).join('\n') + '\n'), root);
  idx.update(write(root, 'sweep/slurm-2.out', [10, 20].map(line).join('\n') + '\n'), root);
  idx.update(write(root, 'sweep/metrics.jsonl', JSON.stringify({ step: 1, loss: 3 }) + '\n'), root);
  assert.deepEqual(
    idx.runs().map((r) => r.id),
    ['sweep', 'sweep/slurm-1.out', 'sweep/slurm-2.out'],
  );
});

test('JSONL whose step is written as text, or absent (then rows are counted)', () => {
  const root = tempDir('sl-onejob-');
  const idx = new RunIndex();
  idx.update(write(root, 'a/log.jsonl', [1, 2, 3].map((s) => JSON.stringify({ step: String(s * 100), loss: 4 - s / 10 })).join('\n') + '\n'), root);
  idx.update(write(root, 'b/log.jsonl', [1, 2, 3].map((s) => JSON.stringify({ loss: 4 - s / 10 })).join('\n') + '\n'), root);
  const [a, b] = idx.runs();
  assert.deepEqual(Array.from(a.series.find((s) => s.metric === 'loss')!.steps), [100, 200, 300]);
  assert.equal(b.series.find((s) => s.metric === 'loss')!.steps.length, 3);
});

test('DVCLive: a plot TSV headed with the whole metric path; metrics.json does not repeat plotted metrics', () => {
  const root = tempDir('sl-onejob-');
  const idx = new RunIndex();
  const rows = ['step\ttrain/loss', ...[0, 1, 2, 3].map((s) => `${s}\t${(3 - s / 10).toFixed(2)}`)];
  idx.update(write(root, 'exp/dvclive/plots/metrics/train/loss.tsv', rows.join('\n') + '\n'), root);
  idx.update(write(root, 'exp/dvclive/metrics.json', JSON.stringify({ step: 4, train: { loss: 2.7 } })), root);
  const run = idx.runs()[0];
  const loss = run.series.find((s) => s.metric === 'train/loss')!;
  assert.equal(loss.role, 'train_loss');
  assert.deepEqual(Array.from(loss.steps), [0, 1, 2, 3], 'the last row of the plot, not metrics.json one step later');
});
