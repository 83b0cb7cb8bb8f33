// The curve fit's CPU savings (issue 20) change no number they are not meant to: the multipower
// kernel's values-with-Jacobian pass gives the fits bit for bit what separate passes give, and
// refining one least-squares solution instead of two is the first half of refining two,
// screening the least-squares starts carries the kept ones on exactly where they stopped, and a
// Jacobian asked after the values (trials evaluated without it) is the one a full pass gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMultipowerLaw } from '../../src/core/laws/multipower';
import { buildSchedule } from '../../src/core/laws/schedule';
import type { CompiledLaw, LawDefinition } from '../../src/core/laws/types';
import { fitLaw, type LawFitRaw } from '../../src/core/fit/fitLaw';
import { normalEquations } from '../../src/core/fit/lm';
import { linearizeInLog, refitLinearized, weightedNormalEquations } from '../../src/core/fit/linearRefit';
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

test("multipower kernel: A·S1^(−α) kept for the last (ln A, α) gives evaluate's numbers as the grid and the solver walk (one of them changing, both, neither)", () => {
  const xs = curve(0.6 * T, 14).x;
  const kernel = law.compile!(xs);
  const f = new Float64Array(xs.length);
  const jac = new Float64Array(xs.length * 7);
  const base = [0.9, -0.4, 0.45, 7, -1, 0.6, 0.6];
  // Each row changes what the comment says; values and values-with-Jacobian alternate.
  const steps: number[][] = [
    base,
    [1.1, -0.4, 0.45, 6, 1, 0.4, 0.7], // (ln A, α) kept, the rest changed
    [1.1, -0.3, 0.45, 6, 1, 0.4, 0.7], // ln A alone
    [1.1, -0.3, 0.5, 6, 1, 0.4, 0.7], // α alone
    [1.1, -0.3, 0.5, 6, 1, 0.4, 0.7], // nothing
    [0.7, 0.2, 0.3, 8, 3, 0.8, 0.4], // everything
    [0.7, 0.2, 0.3, 8, 3, 0.8, 0.4],
    [0.6, 0.2, 0.3, 4, 3, 0.8, 0.4],
  ];
  steps.forEach((p, r) => {
    if (r % 2) kernel.valuesAndJacobian(p, f, jac);
    else kernel.values(p, f);
    xs.forEach((x, i) => {
      assert.equal(f[i], law.evaluate(p, x), `point ${i} at step ${r}`);
      if (r % 2) assert.deepEqual(Array.from(jac.subarray(i * 7, (i + 1) * 7)), law.jacobian(p, x));
    });
  });
});

/** JᵀJ and Jᵀr added row by row into the matrix (lm.ts before normalEquations), with optional row weights. */
function rowByRow(jac: Float64Array, r: Float64Array, m: number, n: number, w?: Float64Array): { jtj: number[]; grad: number[] } {
  const jtj = new Float64Array(n * n);
  const grad = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < n; a++) {
      const ja = jac[i * n + a];
      if (ja === 0) continue;
      const wa = w ? w[i] * ja : ja;
      grad[a] += wa * r[i];
      for (let b = a; b < n; b++) jtj[a * n + b] += wa * jac[i * n + b];
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) jtj[a * n + b] = jtj[b * n + a];
  return { jtj: Array.from(jtj), grad: Array.from(grad) };
}

test('normal equations summed entry by entry are the row-by-row sums bit for bit: odd and even widths, zeros (skipped with their row), infinities, signed zeros, zero and NaN weights', () => {
  const rand = mulberry32(21);
  for (const n of [1, 2, 3, 6, 7]) {
    for (let trial = 0; trial < 40; trial++) {
      const m = 1 + Math.floor(rand() * 90);
      const jac = new Float64Array(m * n).map(() => {
        const u = rand();
        // Zeros decide which rows an entry skips; an infinity beside a zero would turn a sum into NaN if not skipped.
        return u < 0.15 ? 0 : u < 0.18 ? -0 : u < 0.2 ? Infinity : gaussian(rand) * Math.exp(8 * gaussian(rand));
      });
      const r = new Float64Array(m).map(() => gaussian(rand));
      // Zero and NaN weights too (a point weighed out, a weight gone bad): every entry as the row-by-row sums give it.
      const w = new Float64Array(m).map(() => {
        const u = rand();
        return u < 0.1 ? 0 : u < 0.15 ? NaN : rand() * 1e5;
      });
      const jtj = new Float64Array(n * n);
      const grad = new Float64Array(n);
      normalEquations(jac, r, m, n, jtj, grad);
      const ref = rowByRow(jac, r, m, n);
      ref.jtj.forEach((v, k) => assert.ok(Object.is(jtj[k], v), `unweighted n=${n} m=${m} entry ${k}: ${jtj[k]} vs ${v}`));
      ref.grad.forEach((v, k) => assert.ok(Object.is(grad[k], v), `unweighted gradient ${k}`));
      weightedNormalEquations(jac, w, r, m, n, jtj, grad);
      const wref = rowByRow(jac, r, m, n, w);
      wref.jtj.forEach((v, k) => assert.ok(Object.is(jtj[k], v), `weighted n=${n} m=${m} entry ${k}: ${jtj[k]} vs ${v}`));
      wref.grad.forEach((v, k) => assert.ok(Object.is(grad[k], v), `weighted gradient ${k}`));
    }
  }
});

test('refitLinearized: the same resample refitted twice, and after other resamples, gives the same parameters', () => {
  const data = curve(0.5 * T, 15);
  const best = fitLaw(law, data, { irlsStarts: 1 }) as LawFitRaw;
  assert.ok(!('error' in best));
  const lin = linearizeInLog(law, data.x, best.params, { b: { mean: 6, sd: 2 } });
  const rand = mulberry32(16);
  const resamples = Array.from({ length: 4 }, () => data.y.map((v) => v * Math.exp(0.01 * gaussian(rand))));
  const first = resamples.map((y) => refitLinearized(lin, y, 12));
  const again = resamples.map((y) => refitLinearized(lin, y, 12));
  assert.deepEqual(again, first);
  // Each moved off the best fit (a real refit, not the start handed back).
  for (const res of first) assert.ok('params' in res && res.params.some((v, j) => v !== best.params[j]));
});

test("fitLaw: fits of other sizes in between (the solver's buffers handed on) and skipResidualRmse leave a fit bit for bit as it was", () => {
  const a = curve(0.5 * T, 17);
  const b = curve(T, 18);
  const fresh = fitLaw(law, a, { irlsStarts: 1 }) as LawFitRaw;
  assert.ok(!('error' in fresh) && Number.isFinite(fresh.residualRmse));
  // A fit of fewer points, one with a prior row (one more residual), then the first again.
  fitLaw(law, { x: b.x.slice(0, 30), y: b.y.slice(0, 30) }, { irlsStarts: 1 });
  fitLaw(law, b, { irlsStarts: 1, priors: { b: { mean: 6, sd: 2 } } });
  const after = fitLaw(law, a, { irlsStarts: 1 }) as LawFitRaw;
  assert.deepEqual(after, fresh);
  const skipped = fitLaw(law, a, { irlsStarts: 1, skipResidualRmse: true }) as LawFitRaw;
  assert.ok(Number.isNaN(skipped.residualRmse));
  assert.deepEqual({ ...skipped, residualRmse: fresh.residualRmse }, fresh);
});

test('multipower kernel: a Jacobian asked after the values at the same setting (its pass kept, other settings between) is the law’s own, bit for bit', () => {
  const xs = curve(0.8 * T, 22).x;
  const kernel = law.compile!(xs);
  assert.equal(kernel.jacobianAfterValues, true);
  const f = new Float64Array(xs.length);
  const jac = new Float64Array(xs.length * 7);
  // Values at three settings of (C, β, γ), γ different in each, then the Jacobians in another order.
  const settings = [
    [0.9, -0.4, 0.45, 7, -1, 0.6, 0.6],
    [1.1, -0.3, 0.5, 6, 1, 0.4, 0.7],
    [0.7, 0.2, 0.3, 8, 3, 0.8, 0.4],
  ];
  for (const p of settings) kernel.values(p, f);
  for (const p of [settings[0], settings[2], settings[1], settings[0]]) {
    kernel.valuesAndJacobian(p, f, jac);
    xs.forEach((x, i) => {
      assert.equal(f[i], law.evaluate(p, x), `point ${i}`);
      assert.deepEqual(Array.from(jac.subarray(i * 7, (i + 1) * 7)), law.jacobian(p, x), `point ${i}`);
    });
  }
});

test('fitLaw: a kernel giving its Jacobian after values (trials without it) lands on the same fit bit for bit, asking fewer Jacobians', () => {
  /** The law's kernel with its flags, counting the Jacobians asked. */
  const flagged = (): { law: LawDefinition; jacobians: () => number } => {
    let jacobians = 0;
    const wrapped: LawDefinition = {
      ...law,
      compile: (xs) => {
        const inner = law.compile!(xs);
        return {
          jacobianWithValues: inner.jacobianWithValues,
          jacobianAfterValues: inner.jacobianAfterValues,
          values: (p, out) => inner.values(p, out),
          valuesAndJacobian: (p, out, jac) => {
            jacobians++;
            inner.valuesAndJacobian(p, out, jac);
          },
        };
      },
    };
    return { law: wrapped, jacobians: () => jacobians };
  };
  for (const [upTo, seed] of [
    [T, 23],
    [0.3 * T, 24],
  ] as const) {
    const data = curve(upTo, seed);
    // Without the flags: every trial with its Jacobian, as before.
    let eagerJacobians = 0;
    const eagerLaw: LawDefinition = {
      ...law,
      compile: (xs) => {
        const inner = law.compile!(xs);
        return {
          jacobianWithValues: true,
          values: (p, out) => inner.values(p, out),
          valuesAndJacobian: (p, out, jac) => {
            eagerJacobians++;
            inner.valuesAndJacobian(p, out, jac);
          },
        };
      },
    };
    const lazy = flagged();
    const opts = { irlsStarts: 1, screenLeastSquares: { iterations: 10, keep: 2 } };
    const a = fitLaw(eagerLaw, data, opts) as LawFitRaw;
    const b = fitLaw(lazy.law, data, opts) as LawFitRaw;
    assert.ok(!('error' in a) && !('error' in b));
    assert.deepEqual(b.params, a.params);
    assert.equal(b.objective, a.objective);
    assert.ok(lazy.jacobians() < eagerJacobians, `${lazy.jacobians()} Jacobians lazily vs ${eagerJacobians}`);
    // A warm start (a bootstrap refit's polish) too.
    const start = a.params.map((v) => v + 0.01);
    const warmA = fitLaw(eagerLaw, data, { starts: [start], maxIrlsIterations: 3 }) as LawFitRaw;
    const warmB = fitLaw(flagged().law, data, { starts: [start], maxIrlsIterations: 3 }) as LawFitRaw;
    assert.deepEqual(warmB.params, warmA.params);
  }
});

test('multipower kernel over two schedules (points of each interleaved): values, and Jacobians after them, are the law’s own, bit for bit', () => {
  const wsd = buildSchedule({ kind: 'wsd', peakLr: 3e-4, totalSteps: 8_000, warmupSteps: 200, minLr: 3e-5 });
  const two = createMultipowerLaw([lr, wsd]);
  // Schedule 0 to step 11,000, schedule 1 to step 7,900, alternating; early points sit before every block.
  const xs = Array.from({ length: 50 }, (_, i) => (i % 2 ? [Math.round(150 + i * 155), 1] : [Math.round(100 + i * 220), 0]));
  const kernel = two.compile!(xs);
  const f = new Float64Array(xs.length);
  const jac = new Float64Array(xs.length * 7);
  const settings = [
    [0.9, -0.4, 0.45, 7, -1, 0.6, 0.6],
    [1.1, -0.3, 0.5, 6, 1, 0.4, 0.7],
  ];
  for (const p of settings) kernel.values(p, f);
  for (const p of [settings[0], settings[1]]) {
    kernel.valuesAndJacobian(p, f, jac);
    xs.forEach((x, i) => {
      assert.equal(f[i], two.evaluate(p, x), `point ${i}`);
      assert.deepEqual(Array.from(jac.subarray(i * 7, (i + 1) * 7)), two.jacobian(p, x), `point ${i}`);
    });
  }
});
