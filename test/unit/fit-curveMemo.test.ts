// A curve fit made again on the same points (the extension's point forecast, then the same fit with
// its interval) takes its main fit and prefix checks from the thread's memo (fit/curveMemo.ts):
// the same numbers as a fresh fit, exact input matching, nothing kept from a fit cut short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearCurveMemo, fitCurve, type CurveFit, type CurveFitOptions } from '../../src/core/fit/curve';
import { CurveMemo, type CurveMemoKey } from '../../src/core/fit/curveMemo';
import { buildSchedule } from '../../src/core/laws/schedule';
import { gaussian, mulberry32 } from '../../src/core/fit/random';

const T = 8_000;
const lr = buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: T, warmupSteps: 200, minLr: 3e-5 });
const prefix = new Float64Array(T + 1);
for (let s = 1; s <= T; s++) prefix[s] = prefix[s - 1] + lr[s];

/** A noisy multipower-like live run: 120 points up to step `upTo`. */
function run(upTo: number, seed: number): { steps: number[]; losses: number[] } {
  const rand = mulberry32(seed);
  const steps = Array.from({ length: 120 }, (_, i) => Math.round(((i + 1) * upTo) / 120));
  const losses = steps.map((t) => (2.4 + 0.65 * Math.pow(prefix[t], -0.43) - 400 * (3e-4 - lr[t])) * (1 + 0.01 * gaussian(rand)));
  return { steps, losses };
}

const opts = (resamples: number, extra: Partial<CurveFitOptions> = {}): CurveFitOptions => ({
  targetStep: T,
  law: 'multipower',
  lr,
  seed: 1,
  resamples,
  ...extra,
});

function fit(r: { steps: number[]; losses: number[] }, o: CurveFitOptions): CurveFit {
  const f = fitCurve(r.steps, r.losses, o);
  assert.ok(!('error' in f), JSON.stringify(f));
  return f;
}

test('curve memo: a point forecast then the fit with its interval give what fresh fits give, bit for bit', () => {
  const a = run(5_000, 3);
  const fresh = fit(a, opts(40));
  const freshPoint = fit(a, opts(0));
  // Five other curves evict `a` (the memo keeps four): the next two fits of `a` start from nothing.
  for (let k = 0; k < 5; k++) fit(run(3_000 + 300 * k, 10 + k), opts(0));
  const point = fit(a, opts(0));
  const full = fit(a, opts(40));
  assert.deepEqual(point, freshPoint);
  assert.deepEqual(full, fresh);
  assert.equal(full.timedOut, false);
  assert.ok(full.validation && full.validation.prefixes.length > 0);
  // The results share no arrays: changing one leaves the next fit's numbers alone.
  full.fitParams[0] = NaN;
  full.validation!.prefixes[0].predicted = NaN;
  assert.deepEqual(fit(a, opts(40)), fresh);
});

test('curve memo: the second fit does not refit (it finishes even when cancelled from the start), a changed point does', () => {
  const b = run(4_000, 21);
  const first = fit(b, opts(0));
  assert.equal(first.timedOut, false);
  // Cancelled before it starts: only a fit taken from the memo can finish its main fit and prefix checks.
  const again = fit(b, opts(0, { isCancelled: () => true }));
  assert.equal(again.timedOut, false);
  assert.deepEqual(again, first);
  // One loss changed in its last digit: a fresh fit, which the cancellation cuts short.
  const changed = { steps: b.steps, losses: b.losses.slice() };
  changed.losses[60] *= 1 + 1e-15;
  assert.notEqual(changed.losses[60], b.losses[60]);
  assert.equal(fit(changed, opts(0, { isCancelled: () => true })).timedOut, true);
  // Another LR schedule (same points): a fresh fit too.
  const otherLr = buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: T, warmupSteps: 200, minLr: 0 });
  assert.equal(fit(b, opts(0, { lr: otherLr, isCancelled: () => true })).timedOut, true);
});

test('curve memo: a fit cut short is not kept', () => {
  const c = run(4_500, 33);
  const cut = fit(c, opts(0, { isCancelled: () => true }));
  assert.equal(cut.timedOut, true);
  // Not taken from the memo: cancelled again, it is cut short again.
  assert.equal(fit(c, opts(0, { isCancelled: () => true })).timedOut, true);
});

test('CurveMemo: exact keys, copies of the key arrays, least recently used out first', () => {
  const key = (losses: number[], extra: Partial<CurveMemoKey> = {}): CurveMemoKey => ({
    law: 'power',
    targetStep: 100,
    firstStep: 1,
    steps: [1, 2, 3],
    losses,
    prefixes: [0.5],
    ...extra,
  });
  const memo = new CurveMemo<string>(2);
  const losses = [3, 2, 1];
  memo.set(key(losses), 'a');
  losses[0] = 9; // the caller reuses its buffer: the memo kept a copy
  assert.equal(memo.get(key([3, 2, 1])), 'a');
  assert.equal(memo.get(key([9, 2, 1])), undefined);
  assert.equal(memo.get(key([3, 2, 1], { targetStep: 101 })), undefined);
  assert.equal(memo.get(key([3, 2, 1], { firstStep: 0.5 })), undefined);
  assert.equal(memo.get(key([3, 2, 1], { prefixes: [] })), undefined);
  assert.equal(memo.get(key([3, 2, 1], { lr: new Float64Array([1, 2]) })), undefined);
  memo.set(key([1, 1, 1]), 'b');
  memo.get(key([3, 2, 1])); // 'a' used last: 'b' goes first
  memo.set(key([2, 2, 2]), 'c');
  assert.equal(memo.get(key([1, 1, 1])), undefined);
  assert.equal(memo.get(key([3, 2, 1])), 'a');
  assert.equal(memo.get(key([2, 2, 2])), 'c');
});

test('curve memo: the same kept points after another warm-up cut are fitted afresh (the prefix checks cut from the first usable step)', () => {
  const steps = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
  const losses = steps.map((s, i) => 2 + 5 * Math.pow(s, -0.4) * (1 + 0.01 * Math.sin(i * 1.7)));
  const o = { targetStep: 5000, resamples: 0 };
  clearCurveMemo();
  const fresh = fitCurve(steps.slice(10), losses.slice(10), { ...o, dropFirstFraction: 0 });
  clearCurveMemo();
  // Steps 10..1000 with the first 10% dropped keep the same points (110..1000), but cut the prefixes from step 10.
  fitCurve(steps, losses, { ...o, dropFirstFraction: 0.1 });
  const after = fitCurve(steps.slice(10), losses.slice(10), { ...o, dropFirstFraction: 0 });
  assert.ok(!('error' in fresh) && !('error' in after));
  assert.deepEqual(after.validation?.prefixes, fresh.validation?.prefixes);
});
