import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import { RunIndex, mainLoss } from '../../src/core/runs/index';
import { hyperFromParams, readParamsYaml } from '../../src/core/runs/hparams';
import type { Run } from '../../src/core/runs/types';

function series(run: Run | undefined, metric: string): [number, number][] {
  const s = run?.series.find((x) => x.metric === metric);
  return s ? Array.from(s.steps, (st, i) => [st, s.values[i]]) : [];
}

/** What Lightning's CSVLogger writes: header = sorted union of keys, each row only its own keys. */
function lightningCsv(rows: Record<string, number>[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
  return [keys.join(','), ...rows.map((r) => keys.map((k) => (k in r ? String(r[k]) : '')).join(','))].join('\n') + '\n';
}

test('Lightning CSVLogger: sparse columns, _step and _epoch series, empty cells are missing', () => {
  const root = tempDir('sl-light-');
  const dir = path.join(root, 'lightning_logs', 'version_3');
  fs.mkdirSync(dir, { recursive: true });
  const rows: Record<string, number>[] = [
    { epoch: 0, step: 49, train_loss_step: 8.6 },
    { epoch: 0, step: 99, train_loss_step: 7.9 },
    { epoch: 0, step: 99, val_loss: 6.8 },
    { epoch: 0, step: 99, train_loss_epoch: 8.2 },
    { epoch: 1, step: 149, train_loss_step: 7.1 },
  ];
  const f = path.join(dir, 'metrics.csv');
  fs.writeFileSync(f, lightningCsv(rows));
  fs.writeFileSync(
    path.join(dir, 'hparams.yaml'),
    'd_model: 512\nff_hidden: 2048\nnum_layers: 12\nlr: 0.0003\nmax_seq_len: 128\nvocab_size: 50258\nargs: !!python/object:argparse.Namespace\n  foo: 1\nweird: !custom tag\n',
  );
  const index = new RunIndex();
  index.update(f, root);
  const run = index.run('lightning_logs/version_3');
  assert.ok(run);
  assert.equal(run.name, 'lightning_logs/version_3');
  assert.deepEqual(series(run, 'train_loss_step'), [
    [49, 8.6],
    [99, 7.9],
    [149, 7.1],
  ]);
  assert.deepEqual(series(run, 'val_loss'), [[99, 6.8]]);
  assert.deepEqual(series(run, 'train_loss_epoch'), [[99, 8.2]]);
  assert.equal(run.hyper.peakLr, 0.0003);
  assert.equal(run.hyper.seqLen, 128);
  assert.equal(run.hyper.nonEmbeddingParams, 12 * (4 * 512 * 512 + 2 * 512 * 2048));
  assert.equal(run.hyper.params, 12 * (4 * 512 * 512 + 2 * 512 * 2048) + 50258 * 512);
  assert.ok(run.hyper.notes.some((n) => n.includes('hparams.yaml')));
  assert.ok(run.files.some((x) => x.endsWith('hparams.yaml')));
});

test('Lightning CSVLogger rewrites the file with a new header when a key appears: the run is re-read, not doubled', () => {
  const root = tempDir('sl-light-');
  const dir = path.join(root, 'lightning_logs', 'version_0');
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, 'metrics.csv');
  // A long header, so the change lies beyond the first 256 bytes.
  const pad: Record<string, number> = {};
  for (let i = 0; i < 30; i++) pad[`aaa_metric_${String(i).padStart(2, '0')}`] = i;
  const rows: Record<string, number>[] = [
    { step: 1, train_loss_step: 5, ...pad },
    { step: 2, train_loss_step: 4.5, ...pad },
  ];
  fs.writeFileSync(f, lightningCsv(rows));
  const index = new RunIndex();
  index.update(f, root);
  assert.equal(series(index.run('lightning_logs/version_0'), 'train_loss_step').length, 2);
  rows.push({ step: 3, train_loss_step: 4.2, zzz_val_loss: 4.4, ...pad });
  fs.writeFileSync(f, lightningCsv(rows));
  index.update(f, root);
  const run = index.run('lightning_logs/version_0');
  assert.deepEqual(series(run, 'train_loss_step'), [
    [1, 5],
    [2, 4.5],
    [3, 4.2],
  ]);
  assert.deepEqual(series(run, 'zzz_val_loss'), [[3, 4.4]]);
});

test('hparams YAML: unknown tags, W&B {desc, value} wrappers, garbage never throws', () => {
  const a = readParamsYaml('lr: 1e-3\nmodel: !!python/object:foo.Bar {n_layer: 4, n_embd: 64}\n', 'h.yaml');
  assert.equal(a.params.get('lr'), 1e-3);
  assert.equal(a.params.get('model/n_layer'), 4);
  const h = hyperFromParams(a.params, 'h.yaml');
  assert.equal(h.hyper.peakLr, 1e-3);
  assert.equal(h.hyper.nonEmbeddingParams, 4 * (4 * 64 * 64 + 2 * 64 * 256));
  const w = readParamsYaml('wandb_version: 1\nlearning_rate:\n  desc: null\n  value: 0.02\n', 'config.yaml', true);
  assert.equal(w.params.get('learning_rate'), 0.02);
  fc.assert(
    fc.property(fc.string(), (text) => {
      const r = readParamsYaml(text, 'x.yaml');
      hyperFromParams(r.params, 'x.yaml');
      for (const d of r.diagnostics) assert.equal(d.file, 'x.yaml');
    }),
    { numRuns: fuzzRuns() },
  );
});

test("Lightning's progress bar in captured stdout: the postfix's loss is read at epoch × batches + n (issue 14)", () => {
  const root = tempDir('sl-lightning-tqdm-');
  const total = 50;
  const bar = (epoch: number, n: number, postfix: string) =>
    `Epoch ${epoch}:  ${String(Math.floor((100 * n) / total)).padStart(3)}%|${'█'.repeat(Math.floor((10 * n) / total)).padEnd(10)}| ${n}/${total} [00:${String(n % 60).padStart(2, '0')}<00:09, 14.80it/s, ${postfix}]`;
  const loss = (step: number) => 2 + 3 / Math.sqrt(step);
  // Lightning 1.x: the running `loss` first, every redraw kept with `\r` on one physical line per epoch;
  // a validation bar between epochs and the next epoch's bar carrying val_loss.
  const lines = ['GPU available: True (cuda), used: True', '  | Name  | Type | Params', '0 | model | GPT  | 10.6 M'];
  for (const epoch of [0, 1]) {
    const redraws: string[] = [];
    for (let n = 1; n <= total; n++) redraws.push(bar(epoch, n, `loss=${loss(epoch * total + n).toFixed(3)}, v_num=3${epoch ? ', val_loss=2.900' : ''}`));
    lines.push(`${redraws.join('\r')}\rValidation DataLoader 0:  50%|█████     | 5/10 [00:00<00:00, 30.1it/s]`);
  }
  const v1 = path.join(root, 'v1', 'train.log');
  fs.mkdirSync(path.dirname(v1), { recursive: true });
  fs.writeFileSync(v1, `${lines.join('\n')}\n`);
  // Lightning 2.x: only what prog_bar=True logs, `train_loss_step` here.
  const v2 = path.join(root, 'v2', 'stdout.log');
  fs.mkdirSync(path.dirname(v2), { recursive: true });
  fs.writeFileSync(v2, `${Array.from({ length: total }, (_, i) => bar(3, i + 1, `v_num=0, train_loss_step=${loss(i + 1).toFixed(3)}`)).join('\r')}\n`);
  const index = new RunIndex();
  index.update(v1, root);
  index.update(v2, root);
  const one = index.runs().find((r) => r.id === 'v1');
  const two = index.runs().find((r) => r.id === 'v2');
  const l1 = series(one, 'loss');
  assert.equal(l1.length, 2 * total);
  assert.deepEqual(l1[0], [1, Number(loss(1).toFixed(3))]);
  assert.deepEqual(l1[l1.length - 1], [2 * total, Number(loss(2 * total).toFixed(3))]);
  assert.equal(series(one, 'val_loss').length, total, 'val_loss from the epoch-1 bar');
  assert.ok(!one?.series.some((s) => s.metric === 'v_num'), 'v_num is not a metric');
  const l2 = series(two, 'train_loss_step');
  assert.equal(l2.length, total);
  assert.deepEqual(l2[total - 1], [total, Number(loss(total).toFixed(3))]);
  assert.equal(two?.series.find((s) => s.metric === 'train_loss_step')?.role, 'train_loss');
});

test("NeMo's progress bar (`Epoch 0: :  47%|…| 7/15 […]`, and `Epoch 1: : 12it […]` with no total) is read; counts add up over epochs", () => {
  // Lines shaped as NeMo's MegatronProgressBar prints them (the examples in NeMo-based guides:
  // `Epoch 0: :  47%|████▋     | 7/15 [06:19<07:13, reduced_train_loss=11.50, global_step=5.000, …]`,
  // `Epoch 1: : 1it [00:04,  4.36s/it, v_num=d3c7, reduced_train_loss=0.674, global_step=1.000, …]`).
  // Before, neither was Lightning's bar and the log was not read at all.
  const root = tempDir('sl-nemo-bar-');
  const loss = (step: number) => 2 + 9 / Math.sqrt(step);
  const total = 15;
  const withTotal = Array.from({ length: total }, (_, i) => {
    const n = i + 1;
    return `Epoch 0: : ${String(Math.floor((100 * n) / total)).padStart(3)}%|${'█'.repeat(Math.floor((10 * n) / total)).padEnd(10)}| ${n}/${total} [00:${String(n).padStart(2, '0')}<00:10, reduced_train_loss=${loss(n).toFixed(3)}, global_step=${(n - 1).toFixed(3)}, consumed_samples=${256 * n}.0, train_step_timing in s=2.010]`;
  });
  const counted: string[] = [];
  for (const [epoch, batches] of [
    [0, 4],
    [1, 3],
  ] as const) {
    for (let n = 1; n <= batches; n++) {
      const step = (epoch === 0 ? 0 : 4) + n;
      counted.push(
        `Epoch ${epoch}: : ${n}it [00:0${n},  4.36s/it, v_num=d3c7, reduced_train_loss=${loss(step).toFixed(3)}, global_step=${step}.000, consumed_samples=${128 * step}.0]`,
      );
    }
  }
  const files = { a: withTotal, b: counted };
  for (const [dir, lines] of Object.entries(files)) {
    fs.mkdirSync(path.join(root, dir), { recursive: true });
    fs.writeFileSync(path.join(root, dir, 'train.log'), `${lines.join('\n')}\n`);
  }
  const index = new RunIndex();
  for (const dir of Object.keys(files)) index.update(path.join(root, dir, 'train.log'), root);
  const a = series(
    index.runs().find((r) => r.id === 'a'),
    'reduced_train_loss',
  );
  assert.equal(a.length, total);
  assert.deepEqual(a[6], [7, Number(loss(7).toFixed(3))], "the bar's count is the step");
  const bRun = index.runs().find((r) => r.id === 'b');
  const b = series(bRun, 'reduced_train_loss');
  assert.deepEqual(
    b.map(([st]) => st),
    [1, 2, 3, 4, 5, 6, 7],
    "epoch 1 continues after epoch 0's 4 batches",
  );
  assert.equal(b[6][1], Number(loss(7).toFixed(3)));
  assert.equal(bRun?.series.find((s) => s.metric === 'reduced_train_loss')?.role, 'train_loss');
});

test("NeMo 1.x's bar: the per-step reduced_train_loss is the run's loss, not Lightning 1.x's running-mean `loss` beside it", () => {
  // The first line as posted in NVIDIA/NeMo-Framework-Launcher issue #55 (a GPT run under Lightning 1.x);
  // the next two are its redraws one and two batches later, with the two losses apart as they are
  // when the per-step loss moves and the 20-step mean lags. Before, the smoothed `loss` was chosen.
  const lines = [
    'Epoch 0:   1%|          | 795/77225 [9:07:58<878:01:48, 41.36s/it, loss=3.1, v_num=, reduced_train_loss=3.090, global_step=794.0, consumed_samples=1.63e+6]',
    'Epoch 0:   1%|          | 796/77225 [9:08:39<877:58:12, 41.36s/it, loss=3.1, v_num=, reduced_train_loss=2.950, global_step=795.0, consumed_samples=1.63e+6]',
    'Epoch 0:   1%|          | 797/77225 [9:09:21<877:55:40, 41.36s/it, loss=3.09, v_num=, reduced_train_loss=3.020, global_step=796.0, consumed_samples=1.63e+6]',
  ];
  const root = tempDir('sl-nemo1-bar-');
  const f = path.join(root, 'gpt', 'train.log');
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  const index = new RunIndex();
  index.update(f, root);
  const run = index.runs().find((r) => r.id === 'gpt');
  assert.equal(mainLoss(run?.series ?? [])?.metric, 'reduced_train_loss');
  assert.deepEqual(series(run, 'reduced_train_loss'), [
    [795, 3.09],
    [796, 2.95],
    [797, 3.02],
  ]);
  assert.deepEqual(
    series(run, 'loss').map(([, v]) => v),
    [3.1, 3.1, 3.09],
    'the running mean is kept as a metric',
  );
  assert.ok(run?.diagnostics.some((d) => d.severity === 'info' && /running mean/.test(d.message) && d.line === 1));
});

test("Lightning 1.x's bar: a per-step train loss first shown at line 10 still takes over from the running `loss` for the whole run", () => {
  // NeMo's bar shows `reduced_train_loss` only once the first step has logged it; the lines before show `loss` alone.
  const lines = Array.from({ length: 60 }, (_, i) => {
    const n = i + 1;
    const postfix = `loss=${(3 - n / 100).toFixed(3)}, v_num=0${n < 10 ? '' : `, reduced_train_loss=${(3 - n / 90).toFixed(3)}`}`;
    return `Epoch 0:  ${Math.floor((100 * n) / 60)}%|####      | ${n}/60 [00:${String(n).padStart(2, '0')}<00:10,  1.00it/s, ${postfix}]`;
  });
  const root = tempDir('sl-nemo1-late-');
  const f = path.join(root, 'nemo', 'train.log');
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  const index = new RunIndex();
  index.update(f, root);
  const run = index.runs().find((r) => r.id === 'nemo');
  assert.equal(mainLoss(run?.series ?? [])?.metric, 'reduced_train_loss');
  assert.equal(run?.series.find((s) => s.metric === 'loss')?.role, 'other');
  assert.equal(series(run, 'loss').length, 60, 'the running mean is kept whole as a metric');
});

test("Lightning 1.x's running `loss` alone on the bar stays the run's train loss", () => {
  const root = tempDir('sl-lightning-running-');
  const f = path.join(root, 'r', 'out.log');
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(
    f,
    Array.from({ length: 5 }, (_, i) => `Epoch 0:  ${i * 20}%|█| ${i + 1}/5 [00:01<00:09, 14.80it/s, loss=${(3 - i / 10).toFixed(2)}, v_num=0]`).join('\n') +
      '\n',
  );
  const index = new RunIndex();
  index.update(f, root);
  assert.equal(mainLoss(index.runs()[0]?.series ?? [])?.metric, 'loss');
});

test("a bar without a loss in its postfix (a dataset map, a download) is not Lightning's training bar", () => {
  const root = tempDir('sl-lightning-noloss-');
  const f = path.join(root, 'r', 'out.log');
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, Array.from({ length: 20 }, (_, i) => `Epoch 0:  ${i * 5}%|█| ${i + 1}/20 [00:01<00:09, 14.80it/s, v_num=0]`).join('\n') + '\n');
  const index = new RunIndex();
  index.update(f, root);
  assert.equal(index.runs().length, 0);
});
