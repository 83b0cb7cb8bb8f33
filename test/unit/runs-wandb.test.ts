import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import {
  BLOCK,
  configRecord,
  crc32Ref,
  exitRecord,
  historyRecord,
  metricRecord,
  runRecord,
  statsRecord,
  summaryRecord,
  wandbFile,
  type HistoryRow,
} from './helpers/wandb';
import {
  WandbHistoryReader,
  WandbLogReader,
  isWandbRunTextFile,
  parseWandbLog,
  parseWandbSummary,
  readWandbConfig,
  wandbChunkCrc,
  wandbFileKind,
  runFolderStartTime,
  wandbRunDir,
  wandbRunKey,
} from '../../src/core/runs/wandb';
import { RunIndex, detectLogFormat } from '../../src/core/runs/index';
import type { MetricPoint, Run } from '../../src/core/runs/types';
import type { ReadResult } from '../../src/core/runs/common';

function pairs(points: MetricPoint[], metric: string): [number, number][] {
  return points.filter((p) => p.metric === metric).map((p) => [p.step, p.value]);
}

function series(run: Run | undefined, metric: string): [number, number][] {
  const s = run?.series.find((x) => x.metric === metric);
  return s ? Array.from(s.steps, (st, i) => [st, s.values[i]]) : [];
}

function row(step: number | undefined, items: Record<string, string>, flatKeys = false): Uint8Array {
  const r: HistoryRow = { items: Object.entries(items), flatKeys };
  if (step !== undefined) r.step = step;
  return historyRecord(r);
}

test('chunk checksum is zlib CRC-32 of the type byte then the data', () => {
  const data = Buffer.from('123456789');
  assert.equal(zlib.crc32(data), 0xcbf43926); // the CRC-32 check value
  for (const type of [1, 2, 3, 4]) {
    assert.equal(wandbChunkCrc(type, data), zlib.crc32(Buffer.concat([Buffer.from([type]), data])));
    assert.equal(wandbChunkCrc(type, data), crc32Ref(type, data));
  }
  const file = wandbFile([runRecord('abc')]);
  assert.deepEqual([...file.subarray(0, 7)], [0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]); // ":W&B", 0xBEE1 LE, version 0
});

test('history rows with HistoryStep (current SDK): steps, nested keys, roles, run facts', () => {
  const file = wandbFile([
    runRecord('abc123', 'tiny-run'),
    configRecord([
      ['lr', '0.0003'],
      ['model', '{"d_model": 256, "n_layer": 4}'],
    ]),
    statsRecord(),
    row(0, { 'train/loss': '4.5', lr: '0.0003' }),
    row(10, { 'train/loss': '3.25', 'val/loss': '3.5' }),
    summaryRecord([['train/loss', '3.25']]),
    row(20, { 'train/loss': '2.75', tokens: '40960' }),
    exitRecord(0),
  ]);
  const res = parseWandbLog(file, '/r/run-abc123.wandb');
  assert.deepEqual(pairs(res.points, 'train/loss'), [
    [0, 4.5],
    [10, 3.25],
    [20, 2.75],
  ]);
  assert.deepEqual(pairs(res.points, 'val/loss'), [[10, 3.5]]);
  assert.equal(res.points.find((p) => p.metric === 'train/loss')?.role, 'train_loss');
  assert.equal(res.points.find((p) => p.metric === 'val/loss')?.role, 'eval_loss');
  assert.equal(res.points.find((p) => p.metric === 'train/loss' && p.step === 20)?.tokens, 40960);
  assert.equal(res.info.runId, 'abc123');
  assert.equal(res.info.displayName, 'tiny-run');
  assert.equal(res.info.exitCode, 0);
  assert.equal(res.info.config.get('lr'), 0.0003);
  assert.equal(res.info.config.get('model/d_model'), 256);
  assert.equal(res.consumed, file.length);
  assert.deepEqual(res.diagnostics, []);
});

test('old SDKs: _step items (nested and flat keys); unusable _step values are ignored with a diagnostic', () => {
  const nested = parseWandbLog(
    wandbFile([row(undefined, { x: '0', _step: '0' }), row(undefined, { x: '1', _step: '1' }), row(undefined, { x: '2', _step: '2' })]),
    '/r/a.wandb',
  );
  assert.deepEqual(pairs(nested.points, 'x'), [
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
  const flat = parseWandbLog(wandbFile([row(undefined, { 'a/b': '7', _step: '5' }, true)]), '/r/b.wandb');
  assert.deepEqual(pairs(flat.points, 'a/b'), [[5, 7]]);
  const bad = ['"5"', '5.5', 'null', 'true', '{"a":1}', '[1]', '-3'];
  const file = wandbFile(bad.map((v, i) => row(undefined, { loss: String(2 - i / 10), _step: v })));
  const res = parseWandbLog(file, '/r/bad.wandb');
  // Each row lacks a usable step: W&B numbers rows itself, previous + 1.
  assert.deepEqual(
    pairs(res.points, 'loss').map(([s]) => s),
    [0, 1, 2, 3, 4, 5, 6],
  );
  const warnings = res.diagnostics.filter((d) => d.severity === 'warning');
  assert.equal(warnings.length, bad.length);
  for (const d of warnings) {
    assert.match(d.message, /_step is not a non-negative integer/);
    assert.equal(d.file, '/r/bad.wandb');
    assert.equal(typeof d.offset, 'number');
  }
  assert.ok(res.diagnostics.some((d) => d.severity === 'info' && /previous step \+ 1/.test(d.message)));
});

test('training-step keys beat _step: Lightning trainer/global_step, HF train/global_step, nanoGPT iter', () => {
  // Lightning logs train rows and val rows separately: _step counts log calls, the global step repeats.
  const lightning = parseWandbLog(
    wandbFile([
      row(0, { train_loss_step: '5', 'trainer/global_step': '49' }),
      row(1, { val_loss: '4.8', 'trainer/global_step': '49' }),
      row(2, { train_loss_step: '4.5', 'trainer/global_step': '99' }),
    ]),
    '/r/l.wandb',
  );
  assert.deepEqual(pairs(lightning.points, 'train_loss_step'), [
    [49, 5],
    [99, 4.5],
  ]);
  assert.deepEqual(pairs(lightning.points, 'val_loss'), [[49, 4.8]]);
  assert.ok(!lightning.points.some((p) => p.metric === 'trainer/global_step'));
  assert.ok(lightning.diagnostics.some((d) => d.severity === 'info' && d.message.includes('"trainer/global_step"')));
  const hf = parseWandbLog(
    wandbFile([row(0, { 'train/loss': '2', 'train/global_step': '500' }), row(1, { 'eval/loss': '2.1', 'train/global_step': '500' })]),
    '/r/h.wandb',
  );
  assert.deepEqual(pairs(hf.points, 'train/loss'), [[500, 2]]);
  assert.deepEqual(pairs(hf.points, 'eval/loss'), [[500, 2.1]]);
  assert.equal(hf.points.find((p) => p.metric === 'eval/loss')?.role, 'eval_loss');
  const nano = parseWandbLog(
    wandbFile([row(0, { iter: '0', 'train/loss': '10.9' }), row(1, { iter: '250', 'train/loss': '1.55' }), row(2, { 'train/loss': '1.5' })]),
    '/r/n.wandb',
  );
  // A row without the step key once the run uses one stays at that key's last value (W&B's step_sync).
  assert.deepEqual(pairs(nano.points, 'train/loss'), [
    [0, 10.9],
    [250, 1.55],
    [250, 1.5],
  ]);
});

test('define_metric step metrics: by name and by glob, with step_sync for rows that lack them', () => {
  const res = parseWandbLog(
    wandbFile([
      metricRecord({ name: 'tokens_seen' }),
      metricRecord({ glob: 'eval/*', stepMetric: 'tokens_seen' }),
      metricRecord({ name: 'train/loss', stepMetric: 'optimizer_step' }),
      row(0, { 'train/loss': '3', optimizer_step: '100', tokens_seen: '1000' }),
      row(1, { 'eval/loss': '3.2' }),
      row(2, { 'eval/loss': '3.1', tokens_seen: '3000' }),
    ]),
    '/r/m.wandb',
  );
  assert.deepEqual(pairs(res.points, 'train/loss'), [[100, 3]]);
  assert.deepEqual(pairs(res.points, 'eval/loss'), [
    [1000, 3.2],
    [3000, 3.1],
  ]);
});

test('values: bare NaN/Infinity, media objects, nested dicts, numeric strings for losses', () => {
  const res = parseWandbLog(
    wandbFile([
      row(1, {
        loss: 'NaN',
        lr: 'Infinity',
        img: '{"_type": "image-file", "path": "x.png"}',
        hist: '{"_type": "histogram", "values": [1]}',
        opt: '{"lr": 0.1, "m": {"beta": 0.9}}',
      }),
      row(2, { loss: '"2.5"', note: '"hello"', ok: 'true' }),
      row(3, { loss: '-Infinity' }),
    ]),
    '/r/v.wandb',
  );
  assert.deepEqual(pairs(res.points, 'loss'), [[2, 2.5]]);
  assert.deepEqual(pairs(res.points, 'opt/lr'), [[1, 0.1]]);
  assert.deepEqual(pairs(res.points, 'opt/m/beta'), [[1, 0.9]]);
  assert.ok(!res.points.some((p) => ['img', 'hist', 'note', 'ok'].some((m) => p.metric.startsWith(m))));
  assert.deepEqual(
    res.nonFinite.map((e) => [e.metric, e.step]),
    [
      ['loss', 1],
      ['lr', 1],
      ['loss', 3],
    ],
  );
  const lossDiag = res.diagnostics.filter((d) => d.message.startsWith('loss is'));
  assert.ok(lossDiag.length === 2 && lossDiag.every((d) => d.severity === 'error' && typeof d.offset === 'number'));
  assert.equal(res.diagnostics.find((d) => d.message.startsWith('lr is'))?.severity, 'warning');
});

test('a record larger than a block is split FIRST/MIDDLE/LAST and read back whole, records after it too', () => {
  const big = 'x'.repeat(80_000); // spans three blocks
  const file = wandbFile([row(0, { loss: '3' }), row(1, { loss: '2', blob: JSON.stringify(big) }), row(2, { loss: '1' })]);
  assert.ok(file.length > 2 * BLOCK);
  const types = new Set<number>();
  for (let pos = 7; pos + 7 <= file.length;) {
    const left = BLOCK - (pos % BLOCK);
    if (left < 7) {
      pos += left;
      continue;
    }
    types.add(file[pos + 6]);
    pos += 7 + file.readUInt16LE(pos + 4);
  }
  assert.deepEqual([...types].sort(), [1, 2, 3, 4]);
  const res = parseWandbLog(file, '/r/big.wandb');
  assert.deepEqual(pairs(res.points, 'loss'), [
    [0, 3],
    [1, 2],
    [2, 1],
  ]);
  assert.deepEqual(res.diagnostics, []);
});

test('a bad CRC drops that record only; a bad chunk header skips to the next block; both name the offset', () => {
  const records = [row(0, { loss: '3' }), row(1, { loss: '2' }), row(2, { loss: '1' })];
  const file = wandbFile(records);
  const second = 7 + 7 + records[0].length; // file header, first chunk
  const corrupt = Buffer.from(file);
  corrupt[second + 7 + 3] ^= 0xff; // a data byte of the second record
  const res = parseWandbLog(corrupt, '/r/c.wandb');
  assert.deepEqual(pairs(res.points, 'loss'), [
    [0, 3],
    [2, 1],
  ]);
  const d = res.diagnostics.find((x) => /bad CRC/.test(x.message));
  assert.equal(d?.offset, second);
  assert.equal(d?.file, '/r/c.wandb');

  // A chunk header with an impossible type: the rest of its block is lost, the next block is read.
  const filler = Array.from({ length: 400 }, (_, i) => row(i, { loss: String(10 - i / 100), pad: JSON.stringify('p'.repeat(100)) }));
  const long = wandbFile(filler);
  assert.ok(long.length > BLOCK);
  const broken = Buffer.from(long);
  broken[7 + 6] = 9; // the first chunk's type
  const r2 = parseWandbLog(broken, '/r/d.wandb');
  const hdr = r2.diagnostics.find((x) => /bad chunk header/.test(x.message));
  assert.equal(hdr?.offset, 7);
  const steps = pairs(r2.points, 'loss').map(([s]) => s);
  assert.ok(steps.length > 0 && steps.length < 400, `kept ${steps.length}`);
  assert.equal(steps[steps.length - 1], 399);
});

test('truncated, zero-filled, foreign and empty files never throw and say what happened', () => {
  const file = wandbFile([row(0, { loss: '3' }), row(1, { loss: '2' })]);
  const cut = parseWandbLog(file.subarray(0, file.length - 3), '/r/t.wandb');
  assert.deepEqual(pairs(cut.points, 'loss'), [[0, 3]]);
  assert.ok(cut.diagnostics.some((d) => d.severity === 'info' && /incomplete chunk/.test(d.message) && d.offset === cut.consumed));
  const zeros = parseWandbLog(Buffer.concat([file, Buffer.alloc(BLOCK)]), '/r/z.wandb');
  assert.deepEqual(pairs(zeros.points, 'loss'), [
    [0, 3],
    [1, 2],
  ]);
  assert.ok(zeros.diagnostics.some((d) => /zero-filled/.test(d.message)));
  const foreign = parseWandbLog(Buffer.from('{"not": "wandb"}\n'), '/r/f.wandb');
  assert.equal(foreign.stopped, true);
  assert.equal(foreign.diagnostics[0].severity, 'error');
  assert.equal(foreign.diagnostics[0].offset, 0);
  const empty = parseWandbLog(Buffer.alloc(0), '/r/e.wandb');
  assert.deepEqual(empty.points, []);
});

/** Feed `bytes` to a reader in pieces cut at `cuts`, keeping back what it did not consume (as BinaryTail.hold does). */
function feed(bytes: Buffer, cuts: number[], file: string): ReadResult {
  const reader = new WandbLogReader(file);
  const got: ReadResult = { points: [], diagnostics: [], nonFinite: [] };
  let held = Buffer.alloc(0);
  let heldAt = 0;
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    const chunk = Buffer.concat([held, bytes.subarray(prev, cut)]);
    const res = reader.push(chunk, heldAt);
    held = Buffer.from(chunk.subarray(res.consumed));
    heldAt += res.consumed;
    prev = cut;
    got.points.push(...res.points);
    got.diagnostics.push(...res.diagnostics);
    got.nonFinite.push(...res.nonFinite);
  }
  return got;
}

const rowArb = fc.record({
  step: fc.option(fc.nat({ max: 1_000_000 }), { nil: undefined }),
  // JSON has no -0: W&B writes it as 0.
  loss: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((v) => (Object.is(v, -0) ? 0 : v)),
  pad: fc.nat({ max: 40_000 }),
});

test('property: any split of a valid log into appended pieces gives the same points as the whole file', () => {
  fc.assert(
    fc.property(fc.array(rowArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 10 }), (rows, rawCuts) => {
      const file = wandbFile(rows.map((r) => row(r.step, { loss: JSON.stringify(r.loss), pad: JSON.stringify('p'.repeat(r.pad)) })));
      const whole = parseWandbLog(file, '/r/p.wandb');
      assert.equal(whole.consumed, file.length);
      assert.deepEqual(
        pairs(whole.points, 'loss').map(([, v]) => v),
        rows.map((r) => r.loss),
      );
      const cuts = [...new Set(rawCuts.map((c) => c % (file.length + 1)))].sort((a, b) => a - b);
      const pieces = feed(file, cuts, '/r/p.wandb');
      assert.deepEqual(pieces.points, whole.points);
      assert.deepEqual(pieces.diagnostics, whole.diagnostics);
    }),
    { numRuns: fuzzRuns(0.2) },
  );
});

test('property: random bytes and mutated logs never throw; diagnostics carry file and offset; good records survive', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.boolean(), (bytes, withHeader) => {
      const data = withHeader ? Buffer.concat([Buffer.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]), bytes]) : Buffer.from(bytes);
      const res = parseWandbLog(data, '/r/rand.wandb');
      for (const d of res.diagnostics) {
        assert.equal(d.file, '/r/rand.wandb');
        assert.ok(typeof d.offset === 'number' && d.offset >= 0 && d.offset <= data.length, JSON.stringify(d));
      }
    }),
    { numRuns: fuzzRuns() },
  );
  fc.assert(
    fc.property(
      fc.array(rowArb, { minLength: 3, maxLength: 10 }),
      fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat(), { nil: undefined }),
      (rows, flips, truncateAt) => {
        const records = rows.map((r, i) => row(i, { loss: JSON.stringify(r.loss), pad: JSON.stringify('p'.repeat(r.pad % 2000)) }));
        const file = wandbFile(records);
        const bad = Buffer.from(file);
        const touched = new Set<number>();
        for (const f of flips) {
          const at = 7 + (f.at % (bad.length - 7));
          if (bad[at] !== f.value) touched.add(at);
          bad[at] = f.value;
        }
        const data = truncateAt === undefined ? bad : bad.subarray(0, 7 + (truncateAt % (bad.length - 6)));
        const res = parseWandbLog(data, '/r/m.wandb');
        for (const d of res.diagnostics) {
          assert.equal(d.file, '/r/m.wandb');
          assert.equal(typeof d.offset, 'number');
        }
        // A record whose chunk bytes were all left alone, that lies before the first touched byte and
        // inside the kept bytes, is read with its value.
        const first = Math.min(...touched, data.length);
        let pos = 7;
        records.forEach((rec, i) => {
          const end = pos + 7 + rec.length;
          if (end <= first && BLOCK - (pos % BLOCK) >= 7 + rec.length) {
            assert.ok(
              res.points.some((p) => p.metric === 'loss' && p.step === i && Object.is(p.value, rows[i].loss)),
              `record ${i} lost`,
            );
          }
          pos = end;
        });
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('wandb-history.jsonl of old clients and wandb-summary.json use the same step rules', () => {
  const reader = new WandbHistoryReader('/r/wandb-history.jsonl');
  const res = reader.push(
    [
      '{"loss": 3.5, "_step": 0, "_runtime": 1.2, "_timestamp": 1600000000}',
      'not json',
      '{"loss": NaN, "_step": 1}',
      '{"loss": 2.5, "_step": 2, "acc": {"top1": 0.5}}',
    ],
    1,
  );
  assert.deepEqual(pairs(res.points, 'loss'), [
    [0, 3.5],
    [2, 2.5],
  ]);
  assert.deepEqual(pairs(res.points, 'acc/top1'), [[2, 0.5]]);
  assert.ok(!res.points.some((p) => p.metric.startsWith('_')));
  assert.equal(res.diagnostics.find((d) => /not valid JSON/.test(d.message))?.line, 2);
  assert.equal(res.nonFinite[0].line, 3);
  const summary = parseWandbSummary('{"loss": 2.25, "iter": 600, "_step": 12, "_wandb": {"runtime": 5}}', '/r/s.json');
  assert.deepEqual(pairs(summary.points, 'loss'), [[600, 2.25]]);
  assert.deepEqual(parseWandbSummary('{}', '/r/s.json').points, []);
  assert.equal(parseWandbSummary('{"loss": ', '/r/s.json').diagnostics[0].severity, 'warning');
});

test('config.yaml: {desc, value} unwrapped, W&B internals dropped', () => {
  const { params } = readWandbConfig(
    [
      'wandb_version: 1',
      '_wandb:',
      '  desc: null',
      '  value:',
      '    cli_version: 0.10.20',
      'learning_rate:',
      '  desc: null',
      '  value: 0.0006',
      'model:',
      '  desc: null',
      '  value:',
      '    n_embd: 768',
      'block_size: 1024',
    ].join('\n'),
    '/r/config.yaml',
  );
  assert.deepEqual([...params.entries()].sort(), [
    ['block_size', 1024],
    ['learning_rate', 0.0006],
    ['model/n_embd', 768],
  ]);
});

test('file kinds and run folders', () => {
  assert.equal(detectLogFormat('/w/wandb/run-20240101_000000-abc/run-abc.wandb'), 'wandb');
  assert.equal(detectLogFormat('/w/wandb/run-20240101_000000-abc/files/wandb-summary.json'), 'wandb');
  assert.equal(detectLogFormat('/w/wandb/run-20200101_000000-abc/wandb-history.jsonl'), 'wandb');
  assert.equal(wandbFileKind('/x/y.jsonl'), undefined);
  assert.equal(wandbRunDir('/w/wandb/run-1/files/wandb-summary.json'), path.resolve('/w/wandb/run-1'));
  assert.equal(wandbRunDir('/w/wandb/run-1/wandb-history.jsonl'), path.resolve('/w/wandb/run-1'));
  assert.equal(wandbRunKey(path.resolve('/w/wandb/offline-run-20240101_000000-abc')), path.resolve('/w/wandb/run-abc'));
  assert.equal(wandbRunKey(path.resolve('/w/wandb/run-20240102_101010-abc')), path.resolve('/w/wandb/run-abc'));
  assert.equal(wandbRunKey(path.resolve('/w/wandb/custom')), path.resolve('/w/wandb/custom'));
  assert.equal(runFolderStartTime('/w/wandb/run-20240102_000000-xyz')! - runFolderStartTime('/w/wandb/offline-run-20240101_235959-xyz')!, 1);
  assert.equal(runFolderStartTime('/w/wandb/latest-run'), undefined);
  assert.ok(isWandbRunTextFile('/w/wandb/run-20240101_000000-abc/files/output.log'));
  assert.ok(!isWandbRunTextFile('/w/logs/run-1/train.log'));
  assert.ok(isWandbRunTextFile('/w/wandb/debug-internal.log'));
  assert.ok(!isWandbRunTextFile('/w/wandb/train.log'));
});

function writeRun(dir: string, records: Uint8Array[], extra: Record<string, string> = {}): string {
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  const id = path.basename(dir).split('-').pop();
  const log = path.join(dir, `run-${id}.wandb`);
  fs.writeFileSync(log, wandbFile(records));
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return log;
}

function scan(index: RunIndex, root: string): void {
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else index.update(p, root);
    }
  };
  walk(root);
}

test('run index: a W&B run folder is one run (latest-run link, summary, config, console copy), status from the exit record', () => {
  const root = tempDir('sl-wandb-');
  const runDir = path.join(root, 'wandb', 'run-20240101_000000-abc123');
  writeRun(
    runDir,
    [
      runRecord('abc123', 'sweep-a'),
      ...Array.from({ length: 30 }, (_, i) => row(i, { 'train/loss': String(5 - i / 10), iter: String(i * 10) })),
      exitRecord(0),
    ],
    {
      'files/config.yaml': 'wandb_version: 1\nlearning_rate:\n  desc: null\n  value: 0.0006\nmax_iters:\n  desc: null\n  value: 290\n',
      'files/wandb-summary.json': '{"train/loss": 2.1, "_step": 29}',
      'files/output.log': 'iter 0: loss 5.0000, time 10.00ms, mfu -100.00%\niter 10: loss 4.9000, time 10.00ms, mfu 1.00%\n',
    },
  );
  fs.symlinkSync('run-20240101_000000-abc123', path.join(root, 'wandb', 'latest-run'));
  const index = new RunIndex();
  scan(index, root);
  const runs = index.runs();
  assert.equal(runs.length, 1, runs.map((r) => r.id).join(', '));
  const run = runs[0];
  assert.equal(run.format, 'wandb');
  assert.equal(run.id, 'wandb/run-abc123');
  assert.match(run.name, /sweep-a/);
  assert.equal(series(run, 'train/loss').length, 30);
  assert.deepEqual(series(run, 'train/loss')[29], [290, 5 - 29 / 10]);
  assert.equal(run.hyper.peakLr, 0.0006);
  assert.equal(run.hyper.maxSteps, 290);
  assert.equal(run.status, 'finished');
  assert.ok(run.files.some((f) => f.endsWith(path.join('files', 'config.yaml'))));
  assert.ok(!run.files.some((f) => f.includes('latest-run')));
});

test('run index: a resumed W&B run (new folder, same id) is one run and the later write wins overlapping steps', () => {
  const root = tempDir('sl-wandb-resume-');
  writeRun(
    path.join(root, 'wandb', 'run-20240101_000000-xyz'),
    Array.from({ length: 20 }, (_, i) => row(i, { loss: String(4 - i / 100) })),
  );
  writeRun(path.join(root, 'wandb', 'run-20240102_000000-xyz'), [
    ...Array.from({ length: 10 }, (_, i) => row(15 + i, { loss: String(1 - i / 100) })),
    exitRecord(0),
  ]);
  const index = new RunIndex();
  scan(index, root);
  const runs = index.runs();
  assert.equal(runs.length, 1);
  const s = series(runs[0], 'loss');
  assert.deepEqual(
    s.map(([st]) => st),
    Array.from({ length: 25 }, (_, i) => i),
  );
  assert.deepEqual(s[14], [14, 4 - 14 / 100]);
  assert.deepEqual(s[15], [15, 1]);
  assert.equal(runs[0].status, 'finished');
  // Read in the other order (a watcher may see the new folder first): the later folder still wins,
  // and it orphans what the first folder logged from its first step on (a rewind).
  const reversed = new RunIndex();
  const later = path.join(root, 'wandb', 'run-20240102_000000-xyz');
  writeRun(later, [...Array.from({ length: 3 }, (_, i) => row(15 + i, { loss: String(1 - i / 100) })), exitRecord(0)]);
  reversed.update(path.join(later, 'run-xyz.wandb'), root);
  reversed.update(path.join(root, 'wandb', 'run-20240101_000000-xyz', 'run-xyz.wandb'), root);
  const r = series(reversed.runs()[0], 'loss');
  assert.deepEqual(
    r.map(([st]) => st),
    Array.from({ length: 18 }, (_, i) => i),
  );
  assert.deepEqual(r[15], [15, 1]);
  assert.deepEqual(r[14], [14, 4 - 14 / 100]);
});

test('run index: a growing .wandb log is read incrementally, a summary-only run still counts, a failed exit fails the run', () => {
  const root = tempDir('sl-wandb-grow-');
  const dir = path.join(root, 'wandb', 'offline-run-20240101_000000-g1');
  const records = [
    runRecord('g1'),
    configRecord([
      ['learning_rate', '0.002'],
      ['_wandb', '{"cli_version": "0.19"}'],
    ]),
    ...Array.from({ length: 50 }, (_, i) => row(i, { loss: String(3 - i / 100), pad: JSON.stringify('z'.repeat(900)) })),
  ];
  const full = wandbFile([...records, exitRecord(1)]);
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'run-g1.wandb');
  const index = new RunIndex();
  for (const cut of [0, 5, 1000, 20_000, 33_000, full.length - 2, full.length]) {
    fs.writeFileSync(log, full.subarray(0, cut));
    index.update(log, root);
  }
  const run = index.runs()[0];
  assert.equal(series(run, 'loss').length, 50);
  assert.deepEqual(run.diagnostics, []);
  assert.equal(run.status, 'failed');
  assert.match(run.statusReason ?? '', /exit code 1/);
  assert.equal(run.statusRule, 'loggerStatus');
  // No config.yaml: the config the log itself holds gives the hyperparameters.
  assert.equal(run.hyper.peakLr, 0.002);
  assert.equal(run.files.filter((f) => f === log).length, 1);

  const old = path.join(root, 'wandb', 'run-20200101_000000-old');
  fs.mkdirSync(old, { recursive: true });
  fs.writeFileSync(path.join(old, 'wandb-summary.json'), '{"loss": 1.75, "_step": 99}');
  fs.writeFileSync(path.join(old, 'config.yaml'), 'wandb_version: 1\nlr:\n  desc: null\n  value: 0.001\n');
  index.update(path.join(old, 'wandb-summary.json'), root);
  const summaryRun = index.run('wandb/run-old');
  assert.deepEqual(series(summaryRun, 'loss'), [[99, 1.75]]);
  assert.equal(summaryRun?.hyper.peakLr, 0.001);
  // Once the history appears, the summary no longer adds its own point.
  fs.writeFileSync(path.join(old, 'wandb-history.jsonl'), '{"loss": 2.5, "_step": 0}\n{"loss": 1.75, "iter": 990, "_step": 99}\n');
  index.update(path.join(old, 'wandb-history.jsonl'), root);
  assert.deepEqual(series(index.run('wandb/run-old'), 'loss'), [
    [0, 2.5],
    [990, 1.75],
  ]);
});
