import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import { RunIndex } from '../../src/core/runs/index';
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
