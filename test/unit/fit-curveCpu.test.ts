// The curve fit's CPU savings (issue 20) change no number they are not meant to: the multipower
// kernel's values-with-Jacobian pass gives the fits bit for bit what separate passes give, and
// refining one least-squares solution instead of two is the first half of refining two, and
// screening the least-squares starts carries the kept ones on exactly where they stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMultipowerLaw } from '../../src/core/laws/multipower';
import { buildSchedule } from '../../src/core/laws/schedule';
import type { CompiledLaw, LawDefinition } from '../../src/core/laws/types';
import { fitLaw, type LawFitRaw } from '../../src/core/fit/fitLaw';
import { gaussian, mulberry32 } from '../../src/core/fit/random';

const T = 12_000;
const lr = buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: T, warmupSteps: 300, minLr: 3e-5 });
const law = createMultipowerLaw([lr]);
const prefix = new Float64Array(T + 1);
for (let s = 1; s <= T; s++) prefix[s] = prefix[s - 1] + lr[s];

/** A noisy multipower-like curve over the first `upTo` steps (60 points). */
function curve(upTo: number, seed: number): { x: number[][]; y: number[] } {
  const rand = mulberry32(seed);
  const x = Array.from({ length: 60 }, (_, i) => [Math.round(((i + 1) * upTo) / 60), 0]);
  const y = x.map(([t]) => (2.4 + 0.65 * Math.pow(prefix[t], -0.43) - 400 * (3e-4 - lr[t])) * (1 + 0.01 * gaussian(rand)));
  return { x, y };
}

/** The law's own compiled form, counting its passes, with or without the values-with-Jacobian flag. */
function counted(withFlag: boolean): { law: LawDefinition; passes: () => number } {
  let passes = 0;
  const wrapped: LawDefinition = {
    ...law,
    compile: (xs) => {
      const inner = law.compile!(xs);
      const k: CompiledLaw = {
        values: (p, out) => {
          passes++;
          inner.values(p, out);
        },
        valuesAndJacobian: (p, out, jac) => {
          passes++;
          inner.valuesAndJacobian(p, out, jac);
        },
      };
      return withFlag ? { ...k, jacobianWithValues: true } : k;
    },
  };
  return { law: wrapped, passes: () => passes };
}

test('multipower kernel: values after a values-with-Jacobian call at the same parameters are the values alone, bit for bit', () => {
  const xs = curve(T, 1).x;
  const p = [0.9, -0.4, 0.45, 7, -1, 0.6, 0.6];
  const a = new Float64Array(xs.length);
  law.compile!(xs).values(p, a);
  const kernel = law.compile!(xs);
  assert.equal(kernel.jacobianWithValues, true);
  const b = new Float64Array(xs.length);
  kernel.valuesAndJacobian(p, b, new Float64Array(xs.length * 7));
  const c = new Float64Array(xs.length);
  kernel.values(p, c);
  assert.deepEqual(Array.from(b), Array.from(a));
  assert.deepEqual(Array.from(c), Array.from(a));
});

test('fitLaw: a kernel whose Jacobian comes with its values gives the same fit, bit for bit (grid starts and warm starts)', () => {
  for (const [upTo, seed] of [
    [T, 2],
    [0.3 * T, 3],
  ] as const) {
    const data = curve(upTo, seed);
    const plain = fitLaw(counted(false).law, data, { irlsStarts: 2 }) as LawFitRaw;
    const flagged = fitLaw(counted(true).law, data, { irlsStarts: 2 }) as LawFitRaw;
    assert.ok(!('error' in plain) && !('error' in flagged));
    assert.deepEqual(flagged.params, plain.params);
    assert.equal(flagged.objective, plain.objective);
    const warmPlain = fitLaw(counted(false).law, data, { starts: [plain.params.map((v) => v + 0.01)], maxIrlsIterations: 3 }) as LawFitRaw;
    const warmFlagged = fitLaw(counted(true).law, data, { starts: [plain.params.map((v) => v + 0.01)], maxIrlsIterations: 3 }) as LawFitRaw;
    assert.deepEqual(warmFlagged.params, warmPlain.params);
  }
});

test('fitLaw irlsStarts: refining the best least-squares solution alone is the first half of refining the best two', () => {
  let compared = 0;
  for (const seed of [4, 5, 6]) {
    const data = curve(0.5 * T, seed);
    const one = counted(true);
    const two = counted(true);
    const fitOne = fitLaw(one.law, data, { irlsStarts: 1 }) as LawFitRaw;
    const fitTwo = fitLaw(two.law, data, { irlsStarts: 2 }) as LawFitRaw;
    assert.ok(!('error' in fitOne) && !('error' in fitTwo));
    // The best of two refinements is at least as good as the first alone; equal objectives are the same point.
    assert.ok(fitTwo.objective <= fitOne.objective);
    if (fitTwo.objective === fitOne.objective) assert.deepEqual(fitTwo.params, fitOne.params);
    if (two.passes() > one.passes()) compared++;
  }
  // A second distinct least-squares solution existed (and cost passes) in at least one of these curves.
  assert.ok(compared > 0);
});

test('fitLaw screenLeastSquares: carrying every start on is the unscreened fit, bit for bit; carrying two on costs fewer passes', () => {
  for (const [upTo, seed] of [
    [T, 7],
    [0.3 * T, 8],
  ] as const) {
    const data = curve(upTo, seed);
    const plain = counted(false);
    const all = counted(false);
    const two = counted(false);
    const fitPlain = fitLaw(plain.law, data, { irlsStarts: 1 }) as LawFitRaw;
    // The grid keeps 5 starts (fitLaw's default): carrying all 5 on after 10 iterations.
    const fitAll = fitLaw(all.law, data, { irlsStarts: 1, screenLeastSquares: { iterations: 10, keep: 5 } }) as LawFitRaw;
    const fitTwo = fitLaw(two.law, data, { irlsStarts: 1, screenLeastSquares: { iterations: 10, keep: 2 } }) as LawFitRaw;
    assert.ok(!('error' in fitPlain) && !('error' in fitAll) && !('error' in fitTwo));
    assert.deepEqual(fitAll.params, fitPlain.params);
    assert.equal(fitAll.objective, fitPlain.objective);
    assert.ok(two.passes() < plain.passes(), `${two.passes()} passes screened vs ${plain.passes()}`);
  }
});

test('fitLaw overRelax false: a one-round polish without the over-relaxed step costs one pass fewer, lands where its solver stopped, never above the start', () => {
  let extended = 0;
  for (const seed of [9, 10, 11, 12, 13]) {
    const data = curve(0.5 * T, seed);
    const best = fitLaw(law, data, { irlsStarts: 1 }) as LawFitRaw;
    assert.ok(!('error' in best));
    // A start a little off the optimum, as a bootstrap resample's linearised refit is: one IRLS round of one LM step.
    const start = best.params.map((v, j) => v + 0.005 * (j % 2 ? 1 : -1));
    const withStep = counted(false);
    const without = counted(false);
    const opts = { starts: [start], maxIrlsIterations: 1, maxLmIterations: 1 };
    const a = fitLaw(withStep.law, data, opts) as LawFitRaw;
    const b = fitLaw(without.law, data, { ...opts, overRelax: false }) as LawFitRaw;
    assert.ok(!('error' in a) && !('error' in b));
    // The same round up to the over-relaxed step: one pass over the law fewer without it.
    assert.equal(without.passes(), withStep.passes() - 1);
    // Without it the result is the round's own step (or the start when the round did not lower F) ...
    const startOnly = fitLaw(counted(false).law, data, { starts: [start], maxIrlsIterations: 0 }) as LawFitRaw;
    assert.ok(!('error' in startOnly));
    assert.ok(b.objective <= startOnly.objective);
    // ... and with it, the result differs exactly when the step along the round's direction lowered F further.
    if (a.objective < b.objective) {
      extended++;
      assert.notDeepEqual(a.params, b.params);
    } else assert.deepEqual(a.params, b.params);
  }
  // The over-relaxed step was kept on at least one of these curves: skipping it changes a result.
  assert.ok(extended > 0);
});
