import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { SeriesColumns } from '../../src/core/runs/seriesStore';
import { RunIndex } from '../../src/core/runs/index';
import { fitCurve } from '../../src/core/fit/curve';
import { tempDir } from './helpers/tempDir';

/** The plain-array behaviour the typed store must reproduce: a step at or before the last rewinds. */
class Reference {
  steps: number[] = [];
  values: number[] = [];
  private cut(step: number): void {
    let i = 0;
    while (i < this.steps.length && this.steps[i] < step) i++;
    this.steps.length = i;
    this.values.length = i;
  }
  put(step: number, value: number): void {
    if (this.steps.length > 0 && step <= this.steps[this.steps.length - 1]) this.cut(step);
    this.steps.push(step);
    this.values.push(value);
  }
  truncateFrom(step: number): void {
    this.cut(step);
  }
}

/**
 * The index's step rules on plain arrays (stepOrder.ts): a step back is held until the next point;
 * a next point rising again at or below the old last step makes it a rewind, one past it a stray (dropped).
 */
class ResumeReference extends Reference {
  private held?: { step: number; value: number; after: number };
  add(step: number, value: number): void {
    const h = this.held;
    this.held = undefined;
    if (h !== undefined) {
      if (step > h.step && step <= h.after) {
        this.put(h.step, h.value);
        this.put(step, value);
        return;
      }
      if (step === h.step) {
        this.held = { ...h, value };
        return;
      }
    }
    const last = this.steps.length > 0 ? this.steps[this.steps.length - 1] : -Infinity;
    if (step >= last) this.put(step, value);
    else this.held = { step, value, after: last };
  }
}

type Op =
  | { kind: 'batch'; points: { step: number; value: number }[] }
  | { kind: 'put'; step: number; value: number }
  | { kind: 'append'; gap: number; value: number }
  | { kind: 'truncateFrom'; step: number }
  | { kind: 'view' };

const value = fc.double({ noNaN: false });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('put' as const), step: fc.integer({ min: -5, max: 80 }), value }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), gap: fc.integer({ min: 1, max: 5 }), value }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncateFrom' as const), step: fc.integer({ min: -5, max: 80 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'view' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      points: fc.array(fc.record({ step: fc.integer({ min: -5, max: 120 }), value }), { maxLength: 40 }),
    }),
  },
);

test('any sequence of appends, rewinds and truncations equals the plain-array reference; views never change', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const store = new SeriesColumns();
      const ref = new Reference();
      const taken: { view: { steps: Float64Array; values: Float64Array }; steps: number[]; values: number[] }[] = [];
      for (const o of ops) {
        if (o.kind === 'batch') {
          // putAll = put on each point; it reports the smallest step that rewound the series.
          let rewoundFrom = Infinity;
          for (const p of o.points) {
            if (ref.steps.length > 0 && p.step <= ref.steps[ref.steps.length - 1]) rewoundFrom = Math.min(rewoundFrom, p.step);
            ref.put(p.step, p.value);
          }
          const got = store.putAll(
            Float64Array.from(o.points, (p) => p.step),
            Float64Array.from(o.points, (p) => p.value),
            o.points.length,
          );
          assert.equal(got, rewoundFrom);
        } else if (o.kind === 'put') {
          store.put(o.step, o.value);
          ref.put(o.step, o.value);
        } else if (o.kind === 'append') {
          const step = (ref.steps.length > 0 ? ref.steps[ref.steps.length - 1] : 0) + o.gap;
          store.put(step, o.value);
          ref.put(step, o.value);
        } else if (o.kind === 'truncateFrom') {
          store.truncateFrom(o.step);
          ref.truncateFrom(o.step);
        } else {
          const v = store.view();
          assert.deepEqual(Array.from(v.steps), ref.steps);
          assert.deepEqual(Array.from(v.values), ref.values);
          assert.equal(v.thinned, 0);
          assert.equal(store.view(), v, 'asked again without a change: the same view');
          taken.push({ view: v, steps: [...ref.steps], values: [...ref.values] });
        }
        assert.equal(store.length, ref.steps.length);
      }
      const last = store.view();
      assert.deepEqual(Array.from(last.steps), ref.steps);
      assert.deepEqual(Array.from(last.values), ref.values);
      // Copy-on-write: every view handed out still shows what it showed when taken.
      for (const t of taken) {
        assert.deepEqual(Array.from(t.view.steps), t.steps);
        assert.deepEqual(Array.from(t.view.values), t.values);
      }
    }),
    { numRuns: 400, seed: 11 },
  );
});

test('past maxPoints the history is averaged: bounded, sorted, every point counted, sums kept, recent tail exact', () => {
  const maxPoints = 64;
  const recentPoints = 8;
  fc.assert(
    fc.property(
      fc.array(fc.record({ gap: fc.integer({ min: 1, max: 1000 }), value: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }), { maxLength: 3000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.boolean(),
      (points, viewEvery, batched) => {
        const store = new SeriesColumns({ maxPoints, recentPoints });
        // Batched: the same points through putAll, in blocks of viewEvery (the JSONL bulk path).
        const pending: [number, number][] = [];
        const flush = () => {
          if (pending.length === 0) return;
          store.putAll(
            Float64Array.from(pending, (p) => p[0]),
            Float64Array.from(pending, (p) => p[1]),
            pending.length,
          );
          pending.length = 0;
        };
        const steps: number[] = [];
        const values: number[] = [];
        const taken: { view: { steps: Float64Array; values: Float64Array }; steps: number[]; values: number[] }[] = [];
        let step = 0;
        for (const [i, p] of points.entries()) {
          step += p.gap;
          steps.push(step);
          values.push(p.value);
          if (batched) pending.push([step, p.value]);
          else store.put(step, p.value);
          if (batched && (pending.length >= viewEvery || i === points.length - 1)) flush();
          if (i % viewEvery === 0) {
            flush();
            const v = store.view();
            taken.push({ view: v, steps: Array.from(v.steps), values: Array.from(v.values) });
          }
        }
        const n = store.length;
        assert.ok(n <= maxPoints, `holds ${n} > ${maxPoints}`);
        const v = store.view();
        assert.equal(n + v.thinned, points.length, 'held + thinned = received');
        if (v.thinned > 0) assert.ok(n >= maxPoints / 4, `averaging keeps a resolved history (holds ${n})`);
        let weights = 0;
        let weightedValues = 0;
        let weightedSteps = 0;
        const distinct = new Set<number>();
        for (let i = 0; i < n; i++) {
          if (i > 0) assert.ok(v.steps[i] > v.steps[i - 1], 'steps strictly increasing');
          const w = store.weightAt(i);
          distinct.add(w);
          weights += w;
          weightedValues += w * v.values[i];
          weightedSteps += w * v.steps[i];
        }
        assert.equal(weights, points.length);
        const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
        const scale = (a: number[]) => a.reduce((x, y) => x + Math.abs(y), 0) + 1;
        assert.ok(Math.abs(weightedValues - sum(values)) <= 1e-9 * scale(values), 'sum of values kept');
        assert.ok(Math.abs(weightedSteps - sum(steps)) <= 1e-9 * scale(steps), 'sum of steps kept');
        // History points all stand for the same count, but for one partial group; then the raw points.
        assert.ok(distinct.size <= 3, `weights ${[...distinct].join(', ')}`);
        const tail = Math.min(recentPoints, points.length);
        assert.deepEqual(Array.from(v.steps.subarray(n - tail)), steps.slice(-tail || steps.length));
        assert.deepEqual(Array.from(v.values.subarray(n - tail)), values.slice(-tail || values.length));
        for (const t of taken) {
          assert.deepEqual(Array.from(t.view.steps), t.steps);
          assert.deepEqual(Array.from(t.view.values), t.values);
        }
      },
    ),
    { numRuns: 150, seed: 5 },
  );
});

test('a rewind into averaged history keeps the count honest: held + thinned = the points still represented', () => {
  const store = new SeriesColumns({ maxPoints: 32, recentPoints: 4 });
  for (let s = 1; s <= 200; s++) store.put(s, s);
  assert.ok(store.thinned > 0);
  store.put(50.5, -1);
  let represented = 0;
  for (let i = 0; i < store.length; i++) represented += store.weightAt(i);
  assert.equal(store.length + store.thinned, represented);
  assert.equal(store.view().steps[store.length - 1], 50.5);
  assert.equal(store.view().values[store.length - 1], -1);
  assert.ok(store.view().steps[store.length - 2] < 50.5);
  store.truncate(0);
  assert.equal(store.thinned, 0);
  assert.equal(store.length, 0);
});

test('a curve fit on a thinned series predicts what the fit on every point predicts', () => {
  // L(s) = 2 + 5 s^-0.3 with 1% multiplicative noise from a fixed generator.
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const steps: number[] = [];
  const values: number[] = [];
  const store = new SeriesColumns({ maxPoints: 4096, recentPoints: 256 });
  for (let s = 1; s <= 60_000; s++) {
    const v = (2 + 5 * s ** -0.3) * (1 + 0.01 * (rand() + rand() + rand() - 1.5));
    steps.push(s);
    values.push(v);
    store.put(s, v);
  }
  const view = store.view();
  assert.ok(view.thinned > 50_000, `thinned ${view.thinned}`);
  const opts = { targetStep: 200_000, resamples: 0, seed: 1 };
  const raw = fitCurve(steps, values, opts);
  const thin = fitCurve(view.steps, view.values, opts);
  assert.ok(!('error' in raw) && !('error' in thin));
  const truth = 2 + 5 * 200_000 ** -0.3;
  const rel = Math.abs(thin.predictedFinal.value - raw.predictedFinal.value) / raw.predictedFinal.value;
  assert.ok(rel < 1e-3, `thinned ${thin.predictedFinal.value} vs every point ${raw.predictedFinal.value} (truth ${truth})`);
});

test('the run index over a growing log with restarts: each build equals the reference, earlier Runs never change', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.array(fc.record({ back: fc.boolean(), gap: fc.integer({ min: 1, max: 4 }), loss: fc.integer({ min: 1, max: 1000 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        { minLength: 1, maxLength: 6 },
      ),
      (chunks) => {
        const root = tempDir('sl-series-');
        const file = path.join(root, 'run', 'metrics.jsonl');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, '');
        const index = new RunIndex();
        const ref = new ResumeReference();
        const built: { steps: Float64Array; values: Float64Array; copySteps: number[]; copyValues: number[] }[] = [];
        let step = 0;
        for (const chunk of chunks) {
          let text = '';
          for (const r of chunk) {
            // A restart goes back a few steps; otherwise the step moves on.
            step = r.back ? Math.max(0, step - 3 * r.gap) : step + r.gap;
            text += `${JSON.stringify({ step, loss: r.loss / 100 })}\n`;
            ref.add(step, r.loss / 100);
          }
          fs.appendFileSync(file, text);
          index.update(file, root);
          const s = index.runs()[0]?.series.find((x) => x.metric === 'loss');
          assert.ok(s);
          assert.deepEqual(Array.from(s.steps), ref.steps);
          assert.deepEqual(Array.from(s.values), ref.values);
          built.push({ steps: s.steps, values: s.values, copySteps: [...ref.steps], copyValues: [...ref.values] });
        }
        for (const b of built) {
          assert.deepEqual(Array.from(b.steps), b.copySteps);
          assert.deepEqual(Array.from(b.values), b.copyValues);
        }
        fs.rmSync(root, { recursive: true, force: true });
      },
    ),
    { numRuns: 40, seed: 9 },
  );
});

/**
 * The thinning as first written (one running weighted mean per point, over plain arrays): the store's
 * faster thinning (several groups side by side, the history's count from the thinned count) must give
 * the same bits.
 */
class ThinningReference {
  steps: number[] = [];
  values: number[] = [];
  weights: number[] = [];
  thinned = 0;
  private groupWeight = 1;
  constructor(
    private readonly maxPoints: number,
    private readonly recentPoints: number,
  ) {}
  put(step: number, value: number): void {
    const n = this.steps.length;
    if (n > 0 && step <= this.steps[n - 1]) {
      let keep = 0;
      while (keep < n && this.steps[keep] < step) keep++;
      this.truncate(keep);
    }
    if (this.steps.length >= this.maxPoints) this.thin();
    this.steps.push(step);
    this.values.push(value);
    this.weights.push(1);
  }
  truncate(keep: number): void {
    for (let i = keep; i < this.steps.length; i++) this.thinned -= this.weights[i] - 1;
    this.steps.length = this.values.length = this.weights.length = keep;
    if (keep === 0) this.groupWeight = 1;
  }
  private thin(): void {
    const { steps, values, weights } = this;
    const history = steps.length - this.recentPoints;
    let received = 0;
    for (let i = 0; i < history; i++) received += weights[i];
    while (received / this.groupWeight > (this.maxPoints - this.recentPoints) / 2) this.groupWeight *= 2;
    const groupWeight = this.groupWeight;
    const exact = (x: number) => (x > 0 && x < 1e290) || (x < 0 && x > -1e290) || Object.is(x, 0);
    let out = 0;
    while (out < history && weights[out] === groupWeight && exact(steps[out]) && exact(values[out])) out++;
    let w = 0;
    let stepMean = 0;
    let valueMean = 0;
    for (let i = out; i < history; i++) {
      const wi = weights[i];
      w += wi;
      stepMean += ((steps[i] - stepMean) * wi) / w;
      valueMean += ((values[i] - valueMean) * wi) / w;
      if (w >= groupWeight || i === history - 1) {
        steps[out] = stepMean;
        values[out] = valueMean;
        weights[out] = w;
        out++;
        w = 0;
        stepMean = 0;
        valueMean = 0;
      }
    }
    this.thinned += history - out;
    steps.splice(out, history - out);
    values.splice(out, history - out);
    weights.splice(out, history - out);
  }
}

test('thinning gives the bits of one running weighted mean per point, through restarts, batches and extreme values', () => {
  // Values that round differently on any change of operation or order: wide magnitudes, −0, near-overflow, infinities, NaN.
  const value = fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: -1e3, max: 1e3, noNaN: true }) },
    { weight: 2, arbitrary: fc.double({ noNaN: false }) },
    { weight: 1, arbitrary: fc.constantFrom(-0, 0, 1e300, -1e300, 1.7e308, 5e-324, Infinity, NaN) },
  );
  const batch = fc.record({
    back: fc.nat({ max: 40 }),
    // Long batches (size 'max'): between two thinnings, enough new points for several whole groups of 4 and more.
    points: fc.array(fc.record({ gap: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true })), value }), {
      minLength: 1,
      maxLength: 400,
      size: 'max',
    }),
    viaPutAll: fc.boolean(),
  });
  fc.assert(
    fc.property(
      fc.constantFrom([16, 4], [24, 5], [64, 8], [128, 3], [256, 16]),
      fc.array(batch, { minLength: 1, maxLength: 30, size: 'max' }),
      ([maxPoints, recentPoints], batches) => {
        const store = new SeriesColumns({ maxPoints, recentPoints });
        const ref = new ThinningReference(maxPoints, recentPoints);
        let step = 0;
        for (const b of batches) {
          // A restart now and then: the batch starts up to `back` steps before the last one.
          step = Math.max(-5, step - (b.back > 30 ? b.back - 30 : 0));
          const steps: number[] = [];
          const values: number[] = [];
          for (const p of b.points) {
            step += p.gap;
            steps.push(step);
            values.push(p.value);
            ref.put(step, p.value);
          }
          if (b.viaPutAll) store.putAll(Float64Array.from(steps), Float64Array.from(values), steps.length);
          else for (let i = 0; i < steps.length; i++) store.put(steps[i], values[i]);
          assert.equal(store.length, ref.steps.length);
          assert.equal(store.thinned, ref.thinned);
          for (let i = 0; i < store.length; i++) {
            assert.ok(Object.is(store.stepAt(i), ref.steps[i]), `step ${i}: ${store.stepAt(i)} vs ${ref.steps[i]}`);
            assert.ok(Object.is(store.valueAt(i), ref.values[i]), `value ${i}: ${store.valueAt(i)} vs ${ref.values[i]}`);
            assert.equal(store.weightAt(i), ref.weights[i]);
          }
        }
      },
    ),
    { numRuns: 100, seed: 21 },
  );
});

test('a first read of a long log sizes each series from its first chunk: room for the whole file, not doublings', () => {
  const root = tempDir('sl-series-room-');
  const file = path.join(root, 'run', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let text = '';
  const lines = 60_000;
  for (let step = 1; step <= lines; step++) text += `{"step":${step},"loss":${(2 + 1 / step).toFixed(6)},"lr":0.0003}\n`;
  fs.writeFileSync(file, text);
  // 256 KiB reads: about 6,000 lines each, ten reads.
  const index = new RunIndex({ jsonlThreads: { threads: 0, byteChunk: 256 * 1024 } });
  index.update(file, root);
  const series = index.runs()[0]?.series ?? [];
  assert.equal(series.length, 2);
  for (const s of series) {
    assert.equal(s.steps.length, lines);
    // The views are over the store's buffers: their size is the room the series was given.
    const room = s.steps.buffer.byteLength / Float64Array.BYTES_PER_ELEMENT;
    assert.ok(room >= lines && room <= 1.1 * lines, `${s.metric}: room for ${room} points, ${lines} held`);
  }
  fs.rmSync(root, { recursive: true, force: true });
});

test('a metric logged only in the first chunk, and one undercounted there, keep at most 1.25x their points after the first read, same points', () => {
  const root = tempDir('sl-series-trim-');
  const file = path.join(root, 'run', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = 60_000;
  const early = 6_000;
  let text = '';
  // warmup_lr only in the first 6,000 lines (the first 256 KiB read holds about that many): sized from
  // that read it got room for the whole file. The lines after it are longer, so loss is undercounted there.
  for (let step = 1; step <= lines; step++)
    text +=
      step <= early
        ? `{"step":${step},"loss":${(2 + 1 / step).toFixed(6)},"warmup_lr":${(step * 1e-7).toExponential(3)}}\n`
        : `{"step":${step},"loss":${(2 + 1 / step).toFixed(6)},"grad_norm":${(1 + 1 / step).toFixed(9)},"note":"${'x'.repeat(40)}"}\n`;
  fs.writeFileSync(file, text);
  const index = new RunIndex({ jsonlThreads: { threads: 0, byteChunk: 256 * 1024 } });
  index.update(file, root);
  const series = index.runs()[0]?.series ?? [];
  const byMetric = new Map(series.map((s) => [s.metric, s]));
  assert.equal(byMetric.get('warmup_lr')?.steps.length, early);
  assert.equal(byMetric.get('loss')?.steps.length, lines);
  for (const s of series) {
    const room = s.steps.buffer.byteLength / Float64Array.BYTES_PER_ELEMENT;
    assert.ok(room <= Math.max(64, 1.25 * s.steps.length), `${s.metric}: room for ${room} points, ${s.steps.length} held`);
  }
  // The points as written (the copy keeps them bit for bit).
  const loss = byMetric.get('loss')!;
  const lr = byMetric.get('warmup_lr')!;
  for (let i = 0; i < lines; i++) {
    assert.equal(loss.steps[i], i + 1);
    assert.ok(Object.is(loss.values[i], Number((2 + 1 / (i + 1)).toFixed(6))), `loss ${i}`);
  }
  for (let i = 0; i < early; i++) assert.ok(Object.is(lr.values[i], Number(((i + 1) * 1e-7).toExponential(3))), `warmup_lr ${i}`);
  fs.rmSync(root, { recursive: true, force: true });
});

test('trim gives back the room beyond 1.25x the points held, keeps the points and the views handed out', () => {
  const store = new SeriesColumns();
  store.reserve(10_000);
  for (let i = 0; i < 1_000; i++) store.put(i, Math.sin(i));
  const before = store.view();
  store.trim();
  const after = store.view();
  assert.equal(after.steps.buffer.byteLength / 8, 1_000);
  assert.equal(before.steps.length, 1_000, 'a view handed out still reads its points');
  for (let i = 0; i < 1_000; i++) {
    assert.ok(Object.is(after.steps[i], before.steps[i]) && Object.is(after.values[i], before.values[i]));
  }
  // Within the slack (room for 1,200, 1,000 held): left as it is, no copy.
  const near = new SeriesColumns();
  near.reserve(1_200);
  for (let i = 0; i < 1_000; i++) near.put(i, i);
  const held = near.view();
  near.trim();
  assert.equal(near.view(), held);
  assert.equal(held.steps.buffer.byteLength / 8, 1_200);
});
