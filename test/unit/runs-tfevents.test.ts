import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as protobuf from 'protobufjs';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import {
  crc32cRef,
  eventFile,
  fileVersionEvent,
  maskedCrcRef,
  scalarEvent,
  sessionStartEvent,
  storedValue,
  tfRecord,
  type ScalarEvent,
  type ScalarKind,
} from './helpers/tfevents';
import { crc32c, Crc32cFixedRun, maskedCrc32c } from '../../src/core/runs/crc';
import { TfEventsReader, halfToNumber, bfloat16ToNumber } from '../../src/core/runs/tfevents';
import { parseEvents, readEvents } from './helpers/tfeventsRead';
import { BinaryTail, isTailError } from '../../src/core/runs/tail';
import { RunIndex, detectLogFormat } from '../../src/core/runs/index';
import type { MetricPoint, Run } from '../../src/core/runs/types';

function pairs(points: MetricPoint[], metric: string): [number, number][] {
  return points.filter((p) => p.metric === metric).map((p) => [p.step, p.value]);
}

function series(run: Run | undefined, metric: string): [number, number][] {
  const s = run?.series.find((x) => x.metric === metric);
  return s ? Array.from(s.steps, (st, i) => [st, s.values[i]]) : [];
}

test('CRC-32C and the TFRecord mask match the published test vectors', () => {
  const v = Buffer.from('\x1a\x11CRC test, one two', 'latin1');
  assert.equal(maskedCrc32c(v), 0x5794d08a); // tensorboard/data/server/masked_crc.rs
  assert.equal(maskedCrcRef(v), 0x5794d08a);
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283); // the CRC-32C check value
  assert.equal(crc32cRef(Buffer.from('123456789')), 0xe3069283);
  // The first record of every event file is 24 bytes, whose length CRC is a3 7f 4b 22.
  const rec = tfRecord(fileVersionEvent());
  assert.deepEqual([...rec.subarray(0, 12)], [0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22]);
});

test('detects event files by name', () => {
  assert.equal(detectLogFormat('/r/events.out.tfevents.1622543341.host.86862.0'), 'tfevents');
  assert.equal(detectLogFormat('/r/events.out.tfevents.1585499054.host.11684.5.v2'), 'tfevents');
  assert.equal(detectLogFormat('/r/events.json'), undefined);
});

test('decodes legacy simple_value and every tensor scalar encoding', () => {
  const kinds: ScalarKind[] = ['simple', 'tensor_content_f32', 'float_val', 'double_val', 'tensor_content_f64', 'half', 'bfloat16'];
  const events: ScalarEvent[] = kinds.map((kind, i) => ({ tag: `m/${kind}`, step: i * 10, value: 1.25 + i / 3, kind, metadata: kind !== 'simple' }));
  const res = parseEvents(eventFile(events), 'f');
  assert.deepEqual(res.diagnostics, []);
  for (const e of events) assert.deepEqual(pairs(res.points, e.tag), [[e.step, storedValue(e.value, e.kind)]], e.kind);
  assert.equal(halfToNumber(0x3c00), 1);
  assert.equal(halfToNumber(0xc000), -2);
  assert.equal(bfloat16ToNumber(0x3f80), 1);
});

test('the rustboard tensor test vector reads as 0.99', () => {
  // Value{1 tag "accuracy", 8 tensor{1 dtype DT_FLOAT, 2 shape {}, 4 content a4 70 7d 3f}} (data_compat.rs)
  const tensorBytes = Buffer.from([0x42, 0x0a, 0x08, 0x01, 0x12, 0x00, 0x22, 0x04, 0xa4, 0x70, 0x7d, 0x3f]);
  const value = Buffer.concat([protobuf.Writer.create().uint32(0x0a).string('accuracy').finish(), tensorBytes]);
  const summary = protobuf.Writer.create().uint32(0x0a).bytes(value).finish();
  const ev = protobuf.Writer.create().uint32(0x10).int64(7).uint32(0x2a).bytes(summary).finish();
  const res = parseEvents(Buffer.concat([tfRecord(fileVersionEvent()), tfRecord(ev)]), 'f');
  const [[step, v]] = pairs(res.points, 'accuracy');
  assert.equal(step, 7);
  assert.ok(Math.abs(v - 0.99) < 1e-6);
});

test('tensor tags of other plugins and non-rank-0 tensors are not scalars; TF2 metadata only on the first event counts', () => {
  const pd = protobuf.Writer.create().uint32(0x0a).string('histograms').finish();
  const md = protobuf.Writer.create().uint32(0x0a).bytes(pd).finish();
  const tensor = protobuf.Writer.create().uint32(0x08).int32(1).uint32(0x12).bytes(new Uint8Array(0)).uint32(0x2a).fork().float(3).ldelim().finish();
  const value = protobuf.Writer.create().uint32(0x0a).string('h').uint32(0x42).bytes(tensor).uint32(0x4a).bytes(md).finish();
  const summary = protobuf.Writer.create().uint32(0x0a).bytes(value).finish();
  const histEvent = protobuf.Writer.create().uint32(0x10).int64(1).uint32(0x2a).bytes(summary).finish();
  const file = Buffer.concat([
    tfRecord(fileVersionEvent()),
    tfRecord(histEvent),
    tfRecord(scalarEvent({ tag: 's', step: 1, value: 2, kind: 'tensor_content_f32', metadata: true })),
    tfRecord(scalarEvent({ tag: 's', step: 2, value: 3, kind: 'tensor_content_f32' })),
  ]);
  const res = parseEvents(file, 'f');
  assert.deepEqual(pairs(res.points, 'h'), []);
  assert.deepEqual(pairs(res.points, 's'), [
    [1, 2],
    [2, 3],
  ]);
});

test('bad data CRC: reported with its byte offset, record still read; bad length CRC: reading stops, earlier points kept', () => {
  const events = [1, 2, 3].map((s) => ({ tag: 'loss', step: s, value: s }));
  const file = eventFile(events);
  const recLen = tfRecord(scalarEvent(events[0])).length;
  const firstLen = tfRecord(fileVersionEvent()).length;
  const dataBad = Buffer.from(file);
  dataBad[firstLen + recLen - 1] ^= 0xff; // footer of record 2 (step 1)
  const r1 = parseEvents(dataBad, 'f');
  assert.deepEqual(
    pairs(r1.points, 'loss').map((p) => p[0]),
    [1, 2, 3],
  );
  assert.equal(r1.diagnostics.length, 1);
  assert.equal(r1.diagnostics[0].offset, firstLen);
  assert.match(r1.diagnostics[0].message, /data CRC/);

  const lenBad = Buffer.from(file);
  lenBad[firstLen + 2 * recLen + 8] ^= 0x01; // length CRC of the record of step 3
  const r2 = parseEvents(lenBad, 'f');
  assert.deepEqual(pairs(r2.points, 'loss'), [
    [1, 1],
    [2, 2],
  ]);
  assert.equal(r2.stopped, true);
  assert.equal(r2.diagnostics[0].severity, 'error');
  assert.equal(r2.diagnostics[0].offset, firstLen + 2 * recLen);
});

test('property: a CRC taken past fixed bytes without reading them equals the CRC of all the bytes', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 130 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.uint8Array({ maxLength: 20 }),
      fc.nat(7),
      (head, fixed, word, trail, lead) => {
        // Placed at an offset inside a larger buffer, as records sit in a read.
        const bytes = new Uint8Array(lead + head.length + fixed.length + 4 + trail.length);
        const fieldAt = lead + head.length + fixed.length;
        bytes.set(head, lead);
        bytes.set(fixed, lead + head.length);
        bytes.set(word, fieldAt);
        bytes.set(trail, fieldAt + 4);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const run = new Crc32cFixedRun(fixed, trail);
        assert.equal(run.maskedCrc32c(bytes, lead, lead + head.length, fieldAt, view), maskedCrcRef(bytes.subarray(lead)));
      },
    ),
  );
});

test('a bit flipped anywhere in a scalar record is a bad data CRC at that record, as the protobufjs path finds it; other records unchanged', () => {
  const events = [1, 2, 3].map((s) => ({ tag: 'train/loss', step: 1000 + s, value: 2 + s / 8 }));
  const file = eventFile(events);
  const firstLen = tfRecord(fileVersionEvent()).length;
  const recLen = tfRecord(scalarEvent(events[0])).length;
  const clean = parseEvents(file, 'f');
  assert.deepEqual(clean.diagnostics, []);
  const at = firstLen + recLen; // the record of step 1002
  let flagged = 0;
  for (let byte = at + 12; byte < at + recLen - 4; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = Buffer.from(file);
      bad[byte] ^= 1 << bit;
      const fast = parseEvents(bad, 'f');
      const slow = parseEvents(bad, 'f', { fastScalars: false });
      assert.deepEqual(fast.diagnostics, slow.diagnostics, `byte ${byte - at} bit ${bit}`);
      assert.deepEqual(fast.points, slow.points, `byte ${byte - at} bit ${bit}`);
      assert.equal(fast.diagnostics[0]?.offset, at, `byte ${byte - at} bit ${bit}`);
      assert.match(fast.diagnostics[0].message, /bad data CRC in the record at byte/);
      assert.deepEqual(
        fast.points.filter((p) => p.offset !== at),
        clean.points.filter((p) => p.offset !== at),
      );
      flagged++;
    }
  }
  assert.equal(flagged, 8 * (recLen - 16));
});

/** A TF2 float32 scalar of `tag` whose SummaryMetadata names `plugin` (TF2 writes it on every event; Keras too). */
function tensorEventWithPlugin(tag: string, step: number, value: number, plugin: string): Uint8Array {
  const content = Buffer.alloc(4);
  content.writeFloatLE(value);
  const t = protobuf.Writer.create().uint32(8).int32(1).uint32(18).bytes(new Uint8Array(0)).uint32(34).bytes(content).finish();
  const md = protobuf.Writer.create().uint32(10).bytes(protobuf.Writer.create().uint32(10).string(plugin).finish()).finish();
  const v = protobuf.Writer.create().uint32(10).string(tag).uint32(66).bytes(t).uint32(74).bytes(md).finish();
  return protobuf.Writer.create()
    .uint32(9)
    .double(1_700_000_000 + step)
    .uint32(16)
    .int64(step)
    .uint32(42)
    .bytes(protobuf.Writer.create().uint32(10).bytes(v).finish())
    .finish();
}

test("TF2 float32 tensor scalars read by their first record's template give what protobufjs gives: metadata on every event or the first, a later kind, damage", () => {
  const everyEvent: Uint8Array[] = [tfRecord(fileVersionEvent())];
  for (let step = 1; step <= 50; step++)
    for (const tag of ['epoch_loss', 'epoch_learning_rate'])
      everyEvent.push(tfRecord(tensorEventWithPlugin(tag, step, 2 + 1 / step + (tag === 'epoch_loss' ? 0 : 1e-3), 'scalars')));
  // 'x' is first written with no metadata (read as a scalar), then named a histogram: from then on it is none.
  const laterKind: Uint8Array[] = [tfRecord(fileVersionEvent())];
  for (let step = 1; step <= 20; step++) {
    laterKind.push(tfRecord(scalarEvent({ tag: 'x', step, value: step / 4, kind: 'tensor_content_f32', metadata: false })));
    if (step === 10) laterKind.push(tfRecord(tensorEventWithPlugin('x', step, 9, 'histograms')));
    laterKind.push(tfRecord(scalarEvent({ tag: 'y', step, value: step / 8, kind: 'tensor_content_f32', metadata: step === 1 })));
  }
  for (const parts of [everyEvent, laterKind]) {
    const file = Buffer.concat(parts);
    const fast = parseEvents(file, 'f');
    assert.deepEqual(fast, parseEvents(file, 'f', { fastScalars: false }));
    assert.equal(fast.diagnostics.length, 0);
    // Every byte of a record past the first of its tag flipped in turn: the same as protobufjs (a bad data CRC, the value read).
    const at = parts[0].length + parts[1].length + parts[2].length;
    for (let byte = at + 12; byte < at + parts[3].length - 4; byte++) {
      const bad = Buffer.from(file);
      bad[byte] ^= 0x10;
      const damaged = parseEvents(bad, 'f');
      assert.deepEqual(damaged, parseEvents(bad, 'f', { fastScalars: false }), `byte ${byte - at}`);
      assert.equal(damaged.diagnostics[0]?.offset, at, `byte ${byte - at}`);
    }
  }
  const xs = parseEvents(Buffer.concat(laterKind), 'f').points.filter((p) => p.metric === 'x');
  assert.deepEqual(
    xs.map((p) => p.step),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  const losses = parseEvents(Buffer.concat(everyEvent), 'f').points.filter((p) => p.metric === 'epoch_loss');
  assert.equal(losses.length, 50);
  assert.equal(losses[49].value, Math.fround(2 + 1 / 50));
});

test('forty tags of one length written in turn (per-layer metrics), simple_value and TF2 tensors: what protobufjs gives', () => {
  for (const kind of ['simple', 'tensor_content_f32'] as const) {
    const parts: Uint8Array[] = [tfRecord(fileVersionEvent())];
    for (let step = 1; step <= 5; step++)
      for (let layer = 0; layer < 40; layer++)
        parts.push(
          tfRecord(scalarEvent({ tag: `layer_${String(layer).padStart(2, '0')}/grad_norm`, step, value: layer + 1 / step, kind, metadata: kind !== 'simple' })),
        );
    const file = Buffer.concat(parts);
    const fast = parseEvents(file, 'f');
    assert.deepEqual(fast, parseEvents(file, 'f', { fastScalars: false }), kind);
    assert.equal(fast.points.length, 200, kind);
    assert.deepEqual(fast.points[199], { metric: 'layer_39/grad_norm', step: 5, value: Math.fround(39.2), offset: file.length - parts[200].length });
  }
});

test('a partial record waits for its remaining bytes', () => {
  const file = eventFile([{ tag: 'loss', step: 5, value: 2.5 }]);
  const reader = new TfEventsReader('f');
  const a = readEvents(reader, file.subarray(0, file.length - 3), 0);
  assert.equal(a.points.length, 0);
  assert.equal(a.consumed, tfRecord(fileVersionEvent()).length);
  const b = readEvents(reader, file.subarray(a.consumed), a.consumed);
  assert.deepEqual(pairs(b.points, 'loss'), [[5, 2.5]]);
  assert.equal(b.consumed, file.length - a.consumed);
});

test('non-finite values are dropped with a diagnostic and flagged', () => {
  const res = parseEvents(
    eventFile([
      { tag: 'loss', step: 1, value: 2 },
      { tag: 'loss', step: 2, value: NaN },
      { tag: 'loss', step: 3, value: 1.5 },
    ]),
    'f',
  );
  assert.deepEqual(pairs(res.points, 'loss'), [
    [1, 2],
    [3, 1.5],
  ]);
  assert.equal(res.nonFinite.length, 1);
  assert.equal(res.diagnostics[0].severity, 'error');
});

/** Feed `file` to one reader in pieces split at `cuts`, as a tail would (unconsumed bytes carried over). */
function decodeInPieces(file: Buffer, cuts: number[]): { points: MetricPoint[]; diagnostics: number } {
  const reader = new TfEventsReader('f');
  const points: MetricPoint[] = [];
  let diagnostics = 0;
  let carried = Buffer.alloc(0);
  let carriedAt = 0;
  let prev = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < file.length).sort((a, b) => a - b), file.length]) {
    const bytes = Buffer.concat([carried, file.subarray(prev, cut)]);
    const res = readEvents(reader, bytes, carriedAt);
    points.push(...res.points);
    diagnostics += res.diagnostics.length;
    carried = bytes.subarray(res.consumed);
    carriedAt += res.consumed;
    prev = cut;
  }
  return { points, diagnostics };
}

const scalarArb = fc.record({
  tag: fc.constantFrom('loss', 'train/loss', 'eval/loss', 'lr'),
  step: fc.nat({ max: 1_000_000 }),
  value: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }),
  kind: fc.constantFrom<ScalarKind>('simple', 'tensor_content_f32', 'float_val', 'double_val', 'tensor_content_f64'),
});

test('property: a scalar stream split at random byte boundaries decodes like the whole file', () => {
  fc.assert(
    fc.property(fc.array(scalarArb, { maxLength: 40 }), fc.array(fc.nat({ max: 4000 }), { maxLength: 12 }), (events, cuts) => {
      const file = eventFile(events);
      const whole = parseEvents(file, 'f');
      assert.deepEqual(
        whole.points.map((p) => [p.metric, p.step, p.value]),
        events.map((e) => [e.tag, e.step, storedValue(e.value, e.kind)]),
      );
      const pieces = decodeInPieces(file, cuts);
      assert.deepEqual(pieces.points, whole.points);
      assert.equal(pieces.diagnostics, 0);
    }),
    { numRuns: fuzzRuns() },
  );
});

test('property: mutated or truncated bytes never throw, and points before the damage are kept', () => {
  fc.assert(
    fc.property(
      fc.array(scalarArb, { minLength: 1, maxLength: 20 }),
      fc.array(fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 6 }),
      fc.nat(),
      (events, mutations, cutRaw) => {
        const file = Buffer.from(eventFile(events));
        let first = file.length;
        for (const m of mutations) {
          const at = m.at % file.length;
          file[at] = m.byte;
          first = Math.min(first, at);
        }
        const cut = cutRaw % (file.length + 1);
        const res = parseEvents(file.subarray(0, cut), 'f');
        const intact = parseEvents(eventFile(events).subarray(0, Math.min(first, cut)), 'f');
        // Every record wholly before the first damaged byte decodes the same.
        assert.deepEqual(res.points.slice(0, intact.points.length), intact.points);
        for (const d of res.diagnostics) assert.ok(d.offset !== undefined && d.file === 'f');
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('BinaryTail returns appended bytes, re-offers held bytes and detects a rewrite', () => {
  const dir = tempDir('sl-bintail-');
  const f = path.join(dir, 'b.bin');
  fs.writeFileSync(f, Buffer.from([1, 2, 3, 4]));
  const tail = new BinaryTail(f);
  const a = tail.read();
  assert.ok(!isTailError(a));
  assert.deepEqual([...a.bytes], [1, 2, 3, 4]);
  tail.hold(2);
  fs.appendFileSync(f, Buffer.from([5]));
  const b = tail.read();
  assert.ok(!isTailError(b));
  assert.deepEqual([...b.bytes], [3, 4, 5]);
  assert.equal(b.offset, 2);
  fs.writeFileSync(f, Buffer.from([9, 9]));
  const c = tail.read();
  assert.ok(!isTailError(c));
  assert.equal(c.rewritten, true);
  assert.deepEqual([...c.bytes], [9, 9]);
  fs.rmSync(f);
  const d = tail.read();
  assert.ok(isTailError(d) && d.code === 'ENOENT');
});

test('index: several event files in one directory are one run; a later file restarting at step s replaces steps ≥ s', () => {
  const root = tempDir('sl-tfev-');
  const dir = path.join(root, 'runs', 'exp1');
  fs.mkdirSync(dir, { recursive: true });
  const first = path.join(dir, 'events.out.tfevents.1000.host.1.0');
  const second = path.join(dir, 'events.out.tfevents.2000.host.1.0');
  const ev = (from: number, to: number, off: number, wall: number): ScalarEvent[] => {
    const out: ScalarEvent[] = [];
    for (let s = from; s <= to; s += 10) out.push({ tag: 'train/loss', step: s, value: 5 - s / 100 + off, wallTime: wall + s });
    return out;
  };
  fs.writeFileSync(first, eventFile(ev(0, 100, 0, 1000), 1000));
  fs.writeFileSync(second, eventFile(ev(60, 150, 0.5, 2000), 2000));
  const index = new RunIndex();
  // Read the newer file first: order comes from the files' wall times, not from reading order.
  index.update(second, root);
  index.update(first, root);
  const runs = index.runs();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].id, 'runs/exp1');
  assert.equal(runs[0].format, 'tfevents');
  const loss = series(runs[0], 'train/loss');
  assert.deepEqual(
    loss.map((p) => p[0]),
    [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150],
  );
  assert.equal(loss[5][1], Math.fround(4.5));
  assert.equal(loss[6][1], Math.fround(5 - 0.6 + 0.5));
  assert.equal(runs[0].series.find((s) => s.metric === 'train/loss')?.role, 'train_loss');
});

test("index: a first read of an event file in several reads keeps at most 1.25x each series' points, points as written", () => {
  const root = tempDir('sl-tfev-room-');
  const dir = path.join(root, 'run');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'events.out.tfevents.1000.host.1.0');
  // About 9.7 MB, three 4 MiB reads: warmup only in the first read (sized from it, it got room for the
  // whole file until the read's end gives it back), loss undercounted there (room grows past its points).
  const steps = 200_000;
  const early = 20_000;
  const parts: Buffer[] = [tfRecord(fileVersionEvent(1000))];
  for (let step = 1; step <= steps; step++) {
    parts.push(tfRecord(scalarEvent({ tag: 'loss', step, value: 2 + 1 / step, wallTime: 1000 + step })));
    if (step <= early) parts.push(tfRecord(scalarEvent({ tag: 'warmup', step, value: step * 1e-7, wallTime: 1000 + step })));
  }
  fs.writeFileSync(file, Buffer.concat(parts));
  const index = new RunIndex();
  index.update(file, root);
  const run = index.runs()[0];
  const loss = run?.series.find((s) => s.metric === 'loss');
  const warmup = run?.series.find((s) => s.metric === 'warmup');
  assert.equal(loss?.steps.length, steps);
  assert.equal(warmup?.steps.length, early);
  for (const s of [loss!, warmup!]) {
    // The views are over the store's buffers: their size is the room the series was given.
    const room = s.steps.buffer.byteLength / Float64Array.BYTES_PER_ELEMENT;
    assert.ok(room <= 1.25 * s.steps.length, `${s.metric}: room for ${room} points, ${s.steps.length} held`);
  }
  for (let i = 0; i < steps; i++) assert.ok(loss!.steps[i] === i + 1 && loss!.values[i] === Math.fround(2 + 1 / (i + 1)), `loss ${i}`);
  for (let i = 0; i < early; i++) assert.ok(warmup!.values[i] === Math.fround((i + 1) * 1e-7), `warmup ${i}`);
  fs.rmSync(root, { recursive: true, force: true });
});

test('index: an event file read while being written gives the same run once complete', () => {
  const root = tempDir('sl-tfev-');
  const f = path.join(root, 'tb', 'events.out.tfevents.1.h');
  fs.mkdirSync(path.dirname(f));
  const events: ScalarEvent[] = [];
  for (let s = 1; s <= 50; s++) events.push({ tag: 'loss', step: s, value: 3 / s });
  const bytes = eventFile(events);
  const index = new RunIndex();
  let written = 0;
  for (const cut of [7, 30, 31, 200, 777, 1000, bytes.length]) {
    fs.appendFileSync(f, bytes.subarray(written, cut));
    written = cut;
    index.update(f, root);
  }
  const run = index.run('tb');
  assert.equal(series(run, 'loss').length, 50);
  assert.deepEqual(run?.diagnostics, []);
});

test('index: SessionLog START at step s drops what the file wrote before at steps ≥ s', () => {
  const root = tempDir('sl-tfev-');
  const f = path.join(root, 'r', 'events.out.tfevents.1.h');
  fs.mkdirSync(path.dirname(f));
  const recs = [tfRecord(fileVersionEvent())];
  for (let s = 0; s <= 5; s++) recs.push(tfRecord(scalarEvent({ tag: 'loss', step: s, value: s })));
  for (let s = 0; s <= 5; s++) recs.push(tfRecord(scalarEvent({ tag: 'lr', step: s, value: s })));
  recs.push(tfRecord(sessionStartEvent(3)));
  recs.push(tfRecord(scalarEvent({ tag: 'loss', step: 4, value: 40 })));
  fs.writeFileSync(f, Buffer.concat(recs));
  const index = new RunIndex();
  index.update(f, root);
  const run = index.run('r');
  assert.deepEqual(series(run, 'loss'), [
    [0, 0],
    [1, 1],
    [2, 2],
    [4, 40],
  ]);
  assert.deepEqual(series(run, 'lr'), [
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
});

test('index: one run writing both tfevents and trainer_state.json is one run', () => {
  const root = tempDir('sl-tfev-');
  const dir = path.join(root, 'out');
  fs.mkdirSync(path.join(dir, 'runs'), { recursive: true });
  // HF Trainer's TensorBoardCallback writes to <output_dir>/runs/<date_host>/ by default, but users often set logging_dir=output_dir.
  const ev = path.join(dir, 'events.out.tfevents.1.h');
  fs.writeFileSync(ev, eventFile([10, 20, 30].map((s) => ({ tag: 'train/loss', step: s, value: 4 - s / 100 }))));
  const ts = path.join(dir, 'trainer_state.json');
  fs.writeFileSync(ts, JSON.stringify({ global_step: 30, max_steps: 30, log_history: [10, 20, 30].map((s) => ({ loss: 4 - s / 100, step: s })) }));
  const index = new RunIndex();
  index.update(ev, root);
  index.update(ts, root);
  const runs = index.runs();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].id, 'out');
  assert.equal(series(runs[0], 'loss').length, 3);
  // The callback's `train/loss` is trainer_state.json's `loss`: one series (see runs-identity.test.ts).
  assert.equal(series(runs[0], 'train/loss').length, 0);
});
