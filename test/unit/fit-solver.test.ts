import { test } from 'node:test';
import assert from 'node:assert/strict';
import { levenbergMarquardt, type LsqProblem } from '../../src/core/fit/lm';
import { fitLaw } from '../../src/core/fit/fitLaw';
import { gaussian, mulberry32, randomInt } from '../../src/core/fit/random';
import { movingBlockResample, percentile, percentileInterval } from '../../src/core/fit/bootstrap';
import { powerLaw } from '../../src/core/laws/power';
import { fromNatural, toNatural } from '../../src/core/laws/types';

/** y = c0·exp(−c1·x) sampled exactly: LM must recover c to high precision. */
function expDecay(xs: number[], ys: number[], lower = [-Infinity, -Infinity], upper = [Infinity, Infinity]): LsqProblem {
  return {
    nParams: 2,
    nResiduals: xs.length,
    lower,
    upper,
    evaluate(p, r, jac) {
      xs.forEach((x, i) => {
        const e = Math.exp(-p[1] * x);
        r[i] = p[0] * e - ys[i];
        if (jac) {
          jac[i * 2] = e;
          jac[i * 2 + 1] = -p[0] * x * e;
        }
      });
    },
  };
}

test('LM recovers exact parameters of a nonlinear model', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i / 4);
  const ys = xs.map((x) => 3 * Math.exp(-0.7 * x));
  const res = levenbergMarquardt(expDecay(xs, ys), [1, 0.1]);
  assert.equal(res.status, 'converged');
  assert.ok(Math.abs(res.params[0] - 3) < 1e-6, `c0 ${res.params[0]}`);
  assert.ok(Math.abs(res.params[1] - 0.7) < 1e-6, `c1 ${res.params[1]}`);
});

test('LM respects box bounds (projection) and still optimises the free parameter', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i / 4);
  const ys = xs.map((x) => 3 * Math.exp(-0.7 * x));
  // True c1 = 0.7 lies outside [0, 0.5]: c1 must end on its upper bound, c0 at its conditional optimum.
  const res = levenbergMarquardt(expDecay(xs, ys, [0, 0], [10, 0.5]), [1, 0.1]);
  assert.equal(res.params[1], 0.5);
  assert.ok(res.params[0] > 0 && res.params[0] < 10);
  // Optimality of c0 given c1 = 0.5: gradient w.r.t. c0 vanishes.
  const e = xs.map((x) => Math.exp(-0.5 * x));
  const grad = e.reduce((s, ei, i) => s + ei * (res.params[0] * ei - ys[i]), 0);
  assert.ok(Math.abs(grad) < 1e-6, `grad ${grad}`);
});

test('LM stops at a passed deadline or on cancellation, returning the start', () => {
  const xs = [0, 1, 2, 3];
  const ys = xs.map((x) => 2 * Math.exp(-x));
  const past = levenbergMarquardt(expDecay(xs, ys), [1, 0.5], { deadline: performance.now() - 1 });
  assert.equal(past.status, 'stopped');
  assert.deepEqual(past.params, [1, 0.5]);
  const cancelled = levenbergMarquardt(expDecay(xs, ys), [1, 0.5], { isCancelled: () => true });
  assert.equal(cancelled.status, 'stopped');
});

test('mulberry32 is deterministic per seed and roughly uniform', () => {
  const a = mulberry32(123);
  const b = mulberry32(123);
  const c = mulberry32(124);
  const xa = Array.from({ length: 5 }, a);
  assert.deepEqual(xa, Array.from({ length: 5 }, b));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, c));
  const r = mulberry32(1);
  let sum = 0;
  let sumSq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const g = gaussian(r);
    sum += g;
    sumSq += g * g;
    const k = randomInt(r, 7);
    assert.ok(k >= 0 && k < 7 && Number.isInteger(k));
  }
  assert.ok(Math.abs(sum / n) < 0.03, `mean ${sum / n}`);
  assert.ok(Math.abs(sumSq / n - 1) < 0.05, `var ${sumSq / n}`);
});

test('percentiles interpolate and intervals fall back when empty', () => {
  assert.equal(percentile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(percentile([0, 10], 0.25), 2.5);
  assert.deepEqual(percentileInterval([], 0.8, 7), [7, 7]);
  const xs = Array.from({ length: 101 }, (_, i) => i);
  const [lo, hi] = percentileInterval(xs, 0.8, 0);
  assert.ok(Math.abs(lo - 10) < 1e-9 && Math.abs(hi - 90) < 1e-9, `${lo}, ${hi}`);
});

test('moving-block resample keeps length and copies runs of consecutive residuals', () => {
  const res = Array.from({ length: 50 }, (_, i) => i);
  const out = movingBlockResample(res, 7, mulberry32(5));
  assert.equal(out.length, 50);
  // Blocks of 7 consecutive values: positions 0..6 form one ascending run.
  for (let k = 1; k < 7; k++) assert.equal(out[k], out[k - 1] + 1);
});

test('fitLaw: Huber fit shrugs off outliers that would drag least squares', () => {
  const rng = mulberry32(3);
  const truth = fromNatural(powerLaw, { E: 2, A: 25, alpha: 0.5 });
  const x: number[][] = [];
  const y: number[] = [];
  for (let t = 100; t <= 5000; t += 25) {
    x.push([t]);
    const spike = x.length % 17 === 0 ? 1.3 : 1; // 6% of points are 30% loss spikes
    y.push(powerLaw.evaluate(truth, [t]) * spike * Math.exp(0.003 * gaussian(rng)));
  }
  const res = fitLaw(powerLaw, { x, y });
  assert.ok(!('error' in res));
  const nat = toNatural(powerLaw, res.params);
  assert.ok(Math.abs(nat.E - 2) < 0.05, `E ${nat.E}`);
  assert.ok(Math.abs(nat.alpha - 0.5) < 0.05, `alpha ${nat.alpha}`);
  assert.equal(res.converged, true);
});

test('fitLaw: too few points for the parameters is an error, priors lower the count', () => {
  const x = [[10], [100]];
  const y = [3, 2.5];
  const res = fitLaw(powerLaw, { x, y });
  assert.ok('error' in res && /at least 3/.test(res.error), JSON.stringify(res));
  const withPrior = fitLaw(powerLaw, { x, y }, { priors: { alpha: { mean: 0.5, sd: 0.1 } } });
  assert.ok(!('error' in withPrior), JSON.stringify(withPrior));
  const badPrior = fitLaw(powerLaw, { x, y }, { priors: { gamma: { mean: 0.5, sd: 0.1 } } });
  assert.ok('error' in badPrior);
});

test('LM resumed where it stopped (its point and damping) takes the same steps as one longer run', () => {
  // Rosenbrock's valley: r = (10(y − x²), 1 − x), a few dozen steps from (−1.2, 1).
  const rosenbrock: LsqProblem = {
    nParams: 2,
    nResiduals: 2,
    lower: [-5, -5],
    upper: [5, 5],
    evaluate(p, r, jac) {
      r[0] = 10 * (p[1] - p[0] * p[0]);
      r[1] = 1 - p[0];
      if (jac) {
        jac[0] = -20 * p[0];
        jac[1] = 10;
        jac[2] = -1;
        jac[3] = 0;
      }
    },
  };
  const whole = levenbergMarquardt(rosenbrock, [-1.2, 1], { maxIterations: 40 });
  const first = levenbergMarquardt(rosenbrock, [-1.2, 1], { maxIterations: 6 });
  assert.equal(first.status, 'max-iterations');
  const rest = levenbergMarquardt(rosenbrock, first.params, { maxIterations: 34, initialLambda: first.lambda });
  assert.deepEqual(rest.params, whole.params);
  assert.equal(rest.cost, whole.cost);
  assert.equal(rest.status, whole.status);
  // Restarting with the default damping instead is another path (the resumption is what keeps it).
  const restarted = levenbergMarquardt(rosenbrock, first.params, { maxIterations: 34 });
  assert.ok(restarted.iterations + first.iterations !== whole.iterations || restarted.params.some((v, i) => v !== whole.params[i]));
});
