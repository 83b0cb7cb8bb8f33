// The event-file column path (TfEventsReader.pushColumns, the ingest path: points in typed arrays,
// no object per point) with its fast scalar decoder, against the same path decoding every record with
// protobufjs, over the same random read boundaries, on random event streams with restarts,
// non-finite values, non-scalar records and damaged bytes: the same points per metric between the
// same restarts, the same diagnostics and non-finite events; and the stored run through RunIndex.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { TfEventsReader } from '../../src/core/runs/tfevents';
import { RunIndex } from '../../src/core/runs/index';
import { fileVersionEvent, scalarEvent, sessionStartEvent, tfRecord, type ScalarKind } from './helpers/tfevents';
import { tempDir } from './helpers/tempDir';

const RUNS = Number(process.env.SCALING_LENS_FUZZ_RUNS ?? 1000);

type Point = [step: number, value: number, offset: number];
/** Points per metric between restarts: the order that matters to the store (series are per metric). */
interface Segments {
  segments: Map<string, Point[]>[];
  restarts: number[];
  diagnostics: unknown[];
  nonFinite: unknown[];
  consumed: number;
}

function viaColumns(bytes: Uint8Array, cuts: number[], options?: { fastScalars?: boolean }): Segments {
  const reader = new TfEventsReader('f', options);
  const out: Segments = { segments: [new Map()], restarts: [], diagnostics: [], nonFinite: [], consumed: 0 };
  let held = new Uint8Array(0);
  let offset = 0;
  for (const piece of pieces(bytes, cuts)) {
    const chunk = Buffer.concat([held, piece]);
    let from = 0;
    for (;;) {
      const res = reader.pushColumns(chunk, offset, from);
      assert.equal(res.points.length, 0);
      for (const c of res.columns) {
        assert.equal(c.placeKind, 'offset');
        for (let i = 0; i < c.length; i++) push(out, c.metric, [c.steps[i], c.values[i], c.places[i]]);
      }
      out.diagnostics.push(...res.diagnostics);
      out.nonFinite.push(...res.nonFinite);
      from = res.consumed;
      if (res.restartAfter === undefined) break;
      newSegment(out, res.restartAfter);
    }
    held = chunk.subarray(from);
    offset += from;
  }
  out.consumed = offset;
  return out;
}

function pieces(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

function push(out: Segments, metric: string, p: Point): void {
  const segment = out.segments[out.segments.length - 1];
  const list = segment.get(metric);
  if (list === undefined) segment.set(metric, [p]);
  else list.push(p);
}

function newSegment(out: Segments, step: number): void {
  out.restarts.push(step);
  out.segments.push(new Map());
}

const kinds: ScalarKind[] = ['simple', 'simple', 'simple', 'tensor_content_f32', 'double_val', 'half'];
const eventArb = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .record({
        tag: fc.constantFrom('loss', 'train/loss', 'lr', 'é', 'grad_norm'),
        step: fc.oneof(fc.nat(1000), fc.constantFrom(0, 2 ** 40, -5)),
        value: fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity)),
        kind: fc.constantFrom(...kinds),
        wallTime: fc.constantFrom(0, 1_700_000_000.5),
      })
      .map((e) => scalarEvent(e)),
  },
  { weight: 1, arbitrary: fc.nat(100).map((s) => sessionStartEvent(s)) },
  { weight: 1, arbitrary: fc.constant(fileVersionEvent()) },
);

test('event columns: the fast scalar decoder gives the points, restarts, diagnostics and non-finite events protobufjs gives, over any read boundaries', () => {
  fc.assert(
    fc.property(
      fc.array(eventArb, { maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.array(fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }) }), { maxLength: 2 }),
      (events, cuts, mutations) => {
        const file = Buffer.concat(events.map((e) => tfRecord(e)));
        // Damage after framing too: bad CRCs, a lost frame, records protobufjs rejects.
        for (const m of mutations) if (file.length > 0) file[m.at % file.length] = m.byte;
        // Same read boundaries: a stop's diagnostic says how many bytes were read so far.
        const a = viaColumns(file, cuts, { fastScalars: false });
        const b = viaColumns(file, cuts);
        assert.deepEqual(b, a);
      },
    ),
    { numRuns: RUNS },
  );
});

test('event columns: RunIndex stores from the columns what the points gave (restarts across reads, non-finite loss)', () => {
  const dir = tempDir('sl-tfcols-');
  const file = path.join(dir, 'events.out.tfevents.1700000000.host');
  const records: Uint8Array[] = [fileVersionEvent()];
  for (let s = 1; s <= 2000; s++) {
    records.push(scalarEvent({ tag: 'loss', step: s, value: 4 - s / 1000 }));
    if (s % 3 === 0) records.push(scalarEvent({ tag: 'lr', step: s, value: 1e-3, kind: 'tensor_content_f32' }));
  }
  records.push(sessionStartEvent(1500)); // a resume from step 1500: what was written at steps ≥ 1500 is orphaned
  for (let s = 1500; s <= 2500; s++) records.push(scalarEvent({ tag: 'loss', step: s, value: 9 }));
  records.push(scalarEvent({ tag: 'loss', step: 2600, value: NaN }));
  fs.writeFileSync(file, Buffer.concat(records.map((r) => tfRecord(r))));
  const index = new RunIndex();
  index.update(file, dir);
  const run = index.runs()[0];
  const loss = run.series.find((s) => s.metric === 'loss')!;
  // Steps 1..1499 from before the restart, then 1500..2500 at 9.
  assert.equal(loss.steps.length, 1499 + 1001);
  assert.equal(loss.steps[1498], 1499);
  assert.equal(loss.values[1498], Math.fround(4 - 1499 / 1000)); // simple_value is a float32
  assert.equal(loss.steps[1499], 1500);
  assert.equal(loss.values[loss.values.length - 1], 9);
  const lr = run.series.find((s) => s.metric === 'lr')!;
  // lr, logged every 3 steps, keeps only what came before the restart at 1500.
  assert.equal(lr.steps[lr.steps.length - 1], 1497);
  assert.ok(run.diagnostics.some((d) => /loss is NaN at step 2600/.test(d.message)));
});
