import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { assertDefaultLogFiles } from './helpers/logGlobs';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import { DvcliveTsvReader, dvclivePath, parseDvcliveMetrics, slashedKeyRole } from '../../src/core/runs/dvclive';
import { RunIndex, detectLogFormat } from '../../src/core/runs/index';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import type { MetricPoint, Run } from '../../src/core/runs/types';

function pairs(points: MetricPoint[], metric: string): [number, number][] {
  return points.filter((p) => p.metric === metric).map((p) => [p.step, p.value]);
}

function series(run: Run | undefined, metric: string): [number, number][] {
  const s = run?.series.find((x) => x.metric === metric);
  return s ? Array.from(s.steps, (st, i) => [st, s.values[i]]) : [];
}

test('DVCLive paths: plot files name their metric by their path; metrics.json only in a DVCLive folder', () => {
  const p = dvclivePath('/w/exp/dvclive/plots/metrics/train/loss.tsv');
  assert.deepEqual(p, { dir: path.resolve('/w/exp/dvclive'), kind: 'plot', metric: 'train/loss' });
  assert.equal(dvclivePath('/w/exp/dvclive/plots/metrics/acc.tsv')?.metric, 'acc');
  assert.deepEqual(dvclivePath('/w/exp/dvclive/metrics.json'), { dir: path.resolve('/w/exp/dvclive'), kind: 'metrics' });
  assert.equal(dvclivePath('/w/exp/metrics.json'), undefined);
  assert.equal(dvclivePath('/w/exp/results.tsv'), undefined);
  assert.equal(detectLogFormat('/w/exp/dvclive/plots/metrics/train/loss.tsv'), 'dvclive');
  assert.equal(detectLogFormat('/w/exp/results.tsv'), 'csv');
  assert.ok(isDefaultLogFile('/w/exp/dvclive/plots/metrics/train/loss.tsv'));
  assert.ok(isDefaultLogFile('/w/exp/dvclive/metrics.json'));
  assert.ok(isDefaultLogFile('/w/exp/metrics_run1.tsv'));
  assert.ok(!isDefaultLogFile('/w/exp/data/train.tsv'));
  assert.equal(slashedKeyRole('val/loss'), 'eval_loss');
  assert.equal(slashedKeyRole('train/loss'), 'train_loss');
  assert.equal(slashedKeyRole('test/acc'), 'other');
});

test('plot TSV: step + leaf column (and timestamp in some versions) become the full metric name', () => {
  const r = new DvcliveTsvReader('/d/plots/metrics/val/loss.tsv', 'val/loss');
  const res = r.push(['timestamp\tstep\tloss', '1700000000000\t0\t3.5', '1700000000100\t1\tnan', '1700000000200\t2\t2.75', 'garbage row'], 1);
  assert.deepEqual(pairs(res.points, 'val/loss'), [
    [0, 3.5],
    [2, 2.75],
  ]);
  assert.ok(!res.points.some((p) => p.metric === 'timestamp' || p.metric === 'loss'));
  assert.equal(res.points[0].role, 'eval_loss');
  assert.deepEqual(
    res.nonFinite.map((e) => [e.metric, e.role, e.step, e.line]),
    [['val/loss', 'eval_loss', 1, 3]],
  );
  assert.ok(res.diagnostics.some((d) => d.line === 5 && d.severity === 'warning'));
  // A metric that is not a loss: its NaN is a warning, not a divergence.
  const acc = new DvcliveTsvReader('/d/plots/metrics/acc.tsv', 'acc').push(['step\tacc', '0\tnan'], 1);
  assert.equal(acc.diagnostics[0].severity, 'warning');
  assert.deepEqual(new DvcliveTsvReader('/d/x.tsv', 'x').peek('0\t1', 2), []);
});

test('metrics.json: latest values at its step, nested names joined; no step means step 0 only without plots', () => {
  const res = parseDvcliveMetrics('{"train": {"loss": 1.25, "acc": 0.5}, "val/loss": NaN, "step": 40}', '/d/metrics.json', true);
  assert.deepEqual(pairs(res.points, 'train/loss'), [[40, 1.25]]);
  assert.deepEqual(pairs(res.points, 'train/acc'), [[40, 0.5]]);
  assert.equal(res.nonFinite[0].metric, 'val/loss');
  assert.equal(res.diagnostics[0].severity, 'error');
  assert.deepEqual(parseDvcliveMetrics('{"loss": 2}', '/d/metrics.json', true).points, []);
  assert.deepEqual(pairs(parseDvcliveMetrics('{"loss": 2}', '/d/metrics.json', false).points, 'loss'), [[0, 2]]);
  for (const bad of ['', '[1,2]', '{"loss": ', '\u0000\u0001']) {
    const r = parseDvcliveMetrics(bad, '/d/metrics.json', false);
    assert.deepEqual(r.points, []);
    assert.ok(r.diagnostics.length === 1 && r.diagnostics[0].file === '/d/metrics.json' && r.diagnostics[0].line === 1);
  }
});

test('property: plot TSV rows and garbage never throw; every finite row is kept with its step', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc
              .tuple(fc.nat({ max: 100_000 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }))
              .map(([s, v]) => ({ step: s, value: v, text: `${s}\t${v}` })),
          },
          { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((t) => ({ step: -1, value: NaN, text: t.replace(/[\r\n]/g, ' ') })) },
        ),
        { maxLength: 40 },
      ),
      (rows) => {
        const res = new DvcliveTsvReader('/d/plots/metrics/train/loss.tsv', 'train/loss').push(['step\tloss', ...rows.map((r) => r.text)], 1);
        for (const d of res.diagnostics) assert.ok(d.file === '/d/plots/metrics/train/loss.tsv' && typeof d.line === 'number');
        const good = rows.filter((r) => r.step >= 0);
        for (const g of good) assert.ok(res.points.some((p) => p.metric === 'train/loss' && p.step === g.step && p.value === g.value));
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('run index: a DVCLive folder is one run with every plot file, params.yaml as hyperparameters', () => {
  const root = tempDir('sl-dvclive-');
  const dir = path.join(root, 'exp1', 'dvclive');
  fs.mkdirSync(path.join(dir, 'plots', 'metrics', 'train'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'plots', 'metrics', 'eval'), { recursive: true });
  const train = Array.from({ length: 12 }, (_, i) => `${i}\t${(4 - i * 0.2).toFixed(2)}`);
  fs.writeFileSync(path.join(dir, 'plots', 'metrics', 'train', 'loss.tsv'), ['step\tloss', ...train].join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'plots', 'metrics', 'eval', 'loss.tsv'), 'timestamp\tstep\tloss\n1\t5\t3.5\n2\t11\t2.25\n');
  fs.writeFileSync(path.join(dir, 'metrics.json'), '{"train": {"loss": 1.8}, "eval": {"loss": 2.25}, "step": 11}');
  fs.writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.0003\nmax_steps: 11\n');
  const index = new RunIndex();
  for (const f of ['metrics.json', 'plots/metrics/train/loss.tsv', 'plots/metrics/eval/loss.tsv']) index.update(path.join(dir, f), root);
  const runs = index.runs();
  assert.equal(runs.length, 1);
  const run = runs[0];
  assert.equal(run.id, 'exp1/dvclive');
  assert.equal(run.format, 'dvclive');
  assert.equal(series(run, 'train/loss').length, 12);
  assert.deepEqual(series(run, 'train/loss')[11], [11, 1.8]);
  assert.deepEqual(series(run, 'eval/loss'), [
    [5, 3.5],
    [11, 2.25],
  ]);
  assert.equal(run.series.find((s) => s.metric === 'eval/loss')?.role, 'eval_loss');
  assert.equal(run.hyper.peakLr, 0.0003);
  assert.equal(run.status, 'finished');
  // A new row appended to a plot file is picked up.
  fs.appendFileSync(path.join(dir, 'plots', 'metrics', 'train', 'loss.tsv'), '12\t1.7\n');
  index.update(path.join(dir, 'plots', 'metrics', 'train', 'loss.tsv'), root);
  assert.deepEqual(series(index.runs()[0], 'train/loss')[12], [12, 1.7]);
});

test('run index: `loss.tsv` beside `train/loss.tsv` are two metrics of one logger, not one series (issue 14)', () => {
  // As an HF Trainer with DVCLive writes them: the per-step loss, and the run-end average under train/.
  const root = tempDir('sl-dvc-two-');
  const plots = path.join(root, 'dvclive', 'plots', 'metrics');
  fs.mkdirSync(path.join(plots, 'train'), { recursive: true });
  const perStep = Array.from({ length: 20 }, (_, i) => `${i * 2}\t${(1.5 - i * 0.02).toFixed(3)}`).join('\n');
  fs.writeFileSync(path.join(plots, 'loss.tsv'), `step\tloss\n${perStep}\n`);
  fs.writeFileSync(path.join(plots, 'train', 'loss.tsv'), 'step\tloss\n40\t0.807\n');
  const index = new RunIndex();
  for (const f of ['loss.tsv', 'train/loss.tsv']) index.update(path.join(plots, f), root);
  const runs = index.runs();
  assert.equal(runs.length, 1);
  assert.equal(series(runs[0], 'loss').length, 20);
  assert.deepEqual(series(runs[0], 'train/loss'), [[40, 0.807]]);
});

test('run index: a generic TSV log (header with step, tab-separated) is read like CSV', () => {
  const root = tempDir('sl-tsv-');
  const dir = path.join(root, 'sweep', 'lr3e-4');
  fs.mkdirSync(dir, { recursive: true });
  const rows = Array.from({ length: 25 }, (_, i) => `${i * 100}\t${(5 - i * 0.1).toFixed(3)}\t${i % 5 === 4 ? (5.2 - i * 0.1).toFixed(3) : ''}`);
  fs.writeFileSync(path.join(dir, 'metrics.tsv'), ['step\tloss\tval_loss', ...rows].join('\n') + '\n');
  assert.ok(isDefaultLogFile(path.join(dir, 'metrics.tsv')));
  const index = new RunIndex();
  index.update(path.join(dir, 'metrics.tsv'), root);
  const run = index.runs()[0];
  assert.equal(run.format, 'csv');
  assert.equal(series(run, 'loss').length, 25);
  assert.deepEqual(series(run, 'loss')[24], [2400, 2.6]);
  assert.deepEqual(
    series(run, 'val_loss').map(([s]) => s),
    [400, 900, 1400, 1900, 2400],
  );
});

test("the CLI's file test agrees with the default globs on W&B, DVCLive, TSV and golden-values paths", () => {
  const paths = [
    'wandb/run-20240101_000000-abc/run-abc.wandb',
    'wandb/run-20240101_000000-abc/files/wandb-summary.json',
    'wandb/run-20240101_000000-abc/files/config.yaml',
    'wandb/run-20200101_000000-abc/wandb-history.jsonl',
    'exp/dvclive/metrics.json',
    'exp/metrics.json',
    'exp/dvclive/plots/metrics/train/loss.tsv',
    'exp/dvclive/plots/images/x.png',
    'exp/metrics_lr3e-4.tsv',
    'data/train.tsv',
    'tests/case/golden_values_dev_dgx_h100.json',
    'tests/case/model_config.yaml',
  ];
  assertDefaultLogFiles(paths, [
    'wandb/run-20240101_000000-abc/run-abc.wandb',
    'wandb/run-20240101_000000-abc/files/wandb-summary.json',
    'wandb/run-20200101_000000-abc/wandb-history.jsonl',
    'exp/dvclive/metrics.json',
    'exp/dvclive/plots/metrics/train/loss.tsv',
    'exp/metrics_lr3e-4.tsv',
    'tests/case/golden_values_dev_dgx_h100.json',
  ]);
});
