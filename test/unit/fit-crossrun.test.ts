import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chinchillaPriors, familyLawWithoutResamples, fitCrossRun, predictCrossRun, type CrossRunFit, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { gaussian, mulberry32 } from '../../src/core/fit/random';
import { percentileInterval } from '../../src/core/fit/bootstrap';
import { calibrateInterval } from '../../src/core/fit/calibration';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { fitLaw } from '../../src/core/fit/fitLaw';
import { fitCrossRunLaw, type LawPoint } from '../../src/core/fit/crossRunLaw';
import { fitJointFamily } from '../../src/core/fit/jointFamily';

interface Truth {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}
/** Epoch AI's refit of Chinchilla (Besiroglu et al. 2024). */
const EPOCH: Truth = { E: 1.82, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 };
const lossAt = (t: Truth, N: number, D: number) => t.E + t.A / N ** t.alpha + t.B / D ** t.beta;
const relErr = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

/** `count` runs, N log-uniform in [1e7, 1e9], D log-uniform in [1e8, 2e10], 0.5% log-normal noise. */
function syntheticRuns(truth: Truth, count: number, seed: number, noise = 0.005): CrossRunPoint[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const N = 10 ** (7 + 2 * rng());
    const D = 10 ** (8 + Math.log10(200) * rng());
    return { runId: `run-${i}`, params: N, tokens: D, loss: lossAt(truth, N, D) * Math.exp(noise * gaussian(rng)) };
  });
}

function assertFit(res: CrossRunFit | { error: string }): CrossRunFit {
  assert.ok(!('error' in res), `unexpected error: ${'error' in res ? res.error : ''}`);
  return res;
}

const thirty = syntheticRuns(EPOCH, 30, 42);
const fit30 = assertFit(fitCrossRun(thirty, { seed: 1 }));

test('chinchilla: recovers known parameters from 30 runs (N 1e7–1e9, D 1e8–2e10)', () => {
  const p = fit30.parameters;
  // Measured with seed 42: E 1.786, A 393, B 1863, alpha 0.336, beta 0.359.
  assert.ok(relErr(p.E.value, EPOCH.E) < 0.03, `E ${p.E.value}`);
  assert.ok(Math.abs(p.alpha.value - EPOCH.alpha) < 0.03, `alpha ${p.alpha.value}`);
  assert.ok(Math.abs(p.beta.value - EPOCH.beta) < 0.03, `beta ${p.beta.value}`);
  // A and B trade off against the exponents (a ≈ alpha·ln N): looser.
  assert.ok(relErr(p.A.value, EPOCH.A) < 0.3, `A ${p.A.value}`);
  assert.ok(relErr(p.B.value, EPOCH.B) < 0.3, `B ${p.B.value}`);
  assert.equal(fit30.priorsUsed, false);
  assert.equal(fit30.converged, true);
  assert.equal(fit30.timedOut, false);
  assert.equal(fit30.pointsUsed, 30);
  assert.equal(fit30.runIds.length, 30);
  assert.ok(fit30.residualRmse > 0.002 && fit30.residualRmse < 0.008, `rmse ${fit30.residualRmse}`);
  assert.deepEqual(fit30.bootstrap, { resamples: 200, failed: 0 });
  for (const [name, est] of Object.entries(p)) {
    assert.ok(est.interval[0] <= est.value && est.value <= est.interval[1], `${name} interval brackets value`);
  }
  // The raw 80% bootstrap intervals of the exponents are informative (measured widths 0.076 and
  // 0.024); reported ones are widened by the cross-run calibration multiplier.
  const m = fit30.intervalMultiplier;
  assert.ok(p.alpha.interval[1] - p.alpha.interval[0] < 0.1 * m + 1e-12);
  assert.ok(p.beta.interval[1] - p.beta.interval[0] < 0.1 * m + 1e-12);
  assert.ok(fit30.validation?.method === 'leave-largest-out');
  // Measured 0.98%.
  assert.ok(fit30.validation.errorPct < 2, `validation ${fit30.validation.errorPct}%`);
});

test('chinchilla: predicts a 10× larger model (1e10 params, 2e11 tokens) within 1%', () => {
  const truth = lossAt(EPOCH, 1e10, 2e11);
  const pred = predictCrossRun(fit30, 1e10, 2e11);
  // Measured: −0.6% (2.1205 vs 2.1336), 80% interval [2.093, 2.194].
  assert.equal(pred.lawId, 'chinchilla');
  assert.ok(relErr(pred.value, truth) < 0.01, `pred ${pred.value} vs ${truth}`);
  assert.ok(pred.interval[0] <= pred.value && pred.value <= pred.interval[1]);
  const raw = percentileInterval(
    fit30.samples.map((q) => chinchillaLaw.evaluate(q, [1e10, 2e11])),
    fit30.intervalLevel,
    pred.value,
  );
  assert.ok(raw[1] - raw[0] < 0.15, `raw interval ${raw}`);
  assert.deepEqual(pred.interval, calibrateInterval('crossRun', pred.value, raw));
  assert.ok(pred.interval[0] <= truth && truth <= pred.interval[1], `interval ${pred.interval} vs ${truth}`);
  const bad = predictCrossRun(fit30, -1, NaN);
  assert.ok(Number.isNaN(bad.value));
});

test('chinchilla: result is plain JSON and identical for the same seed', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(fit30)), fit30);
  const again = assertFit(fitCrossRun(thirty, { seed: 1 }));
  assert.deepEqual(again, fit30);
  const other = assertFit(fitCrossRun(thirty, { seed: 2, resamples: 10 }));
  assert.notDeepEqual(other.samples, fit30.samples.slice(0, 10));
});

test('chinchilla: 3 runs lean on the priors and stay sane', () => {
  // A family whose law differs from the priors' (Epoch) law.
  const truth: Truth = { E: 2.3, A: 600, B: 1500, alpha: 0.32, beta: 0.38 };
  const rng = mulberry32(7);
  const runs: CrossRunPoint[] = [
    [2e7, 4e8],
    [6e7, 1.2e9],
    [2e8, 4e9],
  ].map(([N, D], i) => ({ runId: `r${i}`, params: N, tokens: D, loss: lossAt(truth, N, D) * Math.exp(0.005 * gaussian(rng)) }));
  const fit = assertFit(fitCrossRun(runs, { seed: 3 }));
  assert.equal(fit.priorsUsed, true);
  const prior = chinchillaPriors();
  // Measured: alpha 0.346, beta 0.364, E 2.41.
  assert.ok(Math.abs(fit.parameters.alpha.value - prior.alpha.mean) < 0.05, `alpha ${fit.parameters.alpha.value}`);
  assert.ok(Math.abs(fit.parameters.beta.value - prior.beta.mean) < 0.05, `beta ${fit.parameters.beta.value}`);
  assert.ok(fit.parameters.E.value > 1.5 && fit.parameters.E.value < 3, `E ${fit.parameters.E.value}`);
  for (const r of runs) {
    const pred = predictCrossRun(fit, r.params, r.tokens).value;
    assert.ok(relErr(pred, r.loss) < 0.02, `in-sample ${pred} vs ${r.loss}`);
  }
  // 5× beyond the largest run: measured +0.03%; 80% interval contains the truth.
  const far = predictCrossRun(fit, 1e9, 2e10);
  const farTruth = lossAt(truth, 1e9, 2e10);
  assert.ok(relErr(far.value, farTruth) < 0.05, `far ${far.value} vs ${farTruth}`);
  assert.ok(far.interval[0] <= farTruth && farTruth <= far.interval[1], `interval ${far.interval} vs ${farTruth}`);
  // With priors a resample that drew one run three times still fits (the priors carry the shape).
  assert.equal(fit.bootstrap.failed, 0, JSON.stringify(fit.bootstrap));
  assert.equal(fit.samples.length, fit.bootstrap.resamples - fit.bootstrap.failed);
});

test('chinchilla: priors can be forced on or off', () => {
  const withPriors = assertFit(fitCrossRun(thirty, { priors: 'always', resamples: 0 }));
  assert.equal(withPriors.priorsUsed, true);
  // With 30 runs the data dominate the priors: still close to the truth.
  assert.ok(Math.abs(withPriors.parameters.alpha.value - EPOCH.alpha) < 0.03);
  const few = syntheticRuns(EPOCH, 3, 5);
  const noPriors = fitCrossRun(few, { priors: 'never' });
  assert.ok('error' in noPriors && /at least 5/.test(noPriors.error), JSON.stringify(noPriors));
});

test('chinchilla: deadline already passed → timedOut best-so-far or error, no throw', () => {
  const res = fitCrossRun(thirty, { deadline: performance.now() - 1 });
  // The start grid always completes, so even a fit out of time has a best-so-far answer.
  assert.ok(!('error' in res), JSON.stringify(res));
  assert.equal(res.timedOut, true);
  assert.equal(res.converged, false);
  assert.equal(res.bootstrap.resamples, 0);
  assert.ok(Object.values(res.parameters).every((p) => Number.isFinite(p.value)));
  assert.ok(Number.isFinite(predictCrossRun(res, 1e9, 2e10).value));
  const cancelled = fitCrossRun(thirty, { isCancelled: () => true });
  assert.ok('error' in cancelled || cancelled.timedOut);
});

test('chinchilla: garbage input gives { error }, never throws', () => {
  const bad: CrossRunPoint[][] = [
    [],
    [{ runId: 'a', params: NaN, tokens: 1e9, loss: 3 }],
    [
      { runId: 'a', params: 1e8, tokens: 1e9, loss: -3 },
      { runId: 'b', params: -1e8, tokens: 1e9, loss: 3 },
      { runId: 'c', params: 1e8, tokens: Infinity, loss: 3 },
    ],
  ];
  for (const pts of bad) {
    const res = fitCrossRun(pts);
    assert.ok('error' in res && /at least 1 run/.test(res.error), JSON.stringify(res));
  }
  // Two points of one run: without priors not a cross-run data set; with priors one run calibrates E.
  const oneRun: CrossRunPoint[] = [
    { runId: 'a', params: 1e8, tokens: 1e9, loss: 3 },
    { runId: 'a', params: 1e8, tokens: 2e9, loss: 2.9 },
  ];
  const noPriors = fitCrossRun(oneRun, { priors: 'never' });
  assert.ok('error' in noPriors && /at least 2 run/.test(noPriors.error), JSON.stringify(noPriors));
  const calibrated = assertFit(fitCrossRun(oneRun, { resamples: 20 }));
  assert.equal(calibrated.priorsUsed, true);
  assert.equal(calibrated.runIds.length, 1);
  // Not even an array.
  assert.ok('error' in fitCrossRun(null as unknown as CrossRunPoint[]));
});

test('property: cross-run predictions are finite for random valid families', () => {
  fc.assert(
    fc.property(
      fc.record({
        E: fc.double({ min: 1, max: 3, noNaN: true }),
        A: fc.double({ min: 50, max: 2000, noNaN: true }),
        B: fc.double({ min: 200, max: 5000, noNaN: true }),
        alpha: fc.double({ min: 0.2, max: 0.6, noNaN: true }),
        beta: fc.double({ min: 0.2, max: 0.6, noNaN: true }),
      }),
      fc.integer({ min: 2, max: 12 }),
      fc.integer({ min: 0, max: 1e6 }),
      (truth, count, seed) => {
        const res = fitCrossRun(syntheticRuns(truth, count, seed), { resamples: 5, seed });
        assert.ok(!('error' in res), JSON.stringify(res));
        const p = predictCrossRun(res, 3e9, 6e10);
        assert.ok(Number.isFinite(p.value) && p.value > 0);
        assert.ok(p.interval.every(Number.isFinite));
      },
    ),
    { numRuns: 12, seed: 13 },
  );
});

test('a prior on a combination of parameters (fitLaw contrastPriors) pins what the data leave free', () => {
  // Runs along D = 20·N only: ln A − ln B is not seen by the data; two contrast priors set it.
  const xs = [1e7, 3e7, 1e8, 3e8, 1e9].map((n) => [n, 20 * n]);
  const ys = xs.map(([n, d]) => 1.8 + 400 / n ** 0.34 + 1800 / d ** 0.36);
  const pinned = (mean: number) =>
    fitLaw(
      chinchillaLaw,
      { x: xs, y: ys },
      {
        contrastPriors: [
          { coefficients: { a: 1, b: -1 }, mean, sd: 0.01 },
          { coefficients: { alpha: 1, beta: -1 }, mean: -0.02, sd: 0.01 },
        ],
      },
    );
  for (const mean of [-1, 1]) {
    const fit = pinned(mean);
    assert.ok(!('error' in fit));
    const [, a, b, alpha, beta] = fit.params;
    assert.ok(Math.abs(a - b - mean) < 0.1, `ln A − ln B = ${a - b}, prior ${mean}`);
    assert.ok(Math.abs(alpha - beta + 0.02) < 0.03, `α − β = ${alpha - beta}`);
    assert.ok(fit.residualRmse < 0.01, `${fit.residualRmse}`);
  }
  assert.ok('error' in fitLaw(chinchillaLaw, { x: xs, y: ys }, { contrastPriors: [{ coefficients: { nope: 1 }, mean: 0, sd: 1 }] }));
});

test('bootstrap: a run a resample draws twice counts twice, as when the caller gives the weights (run-level bootstrap)', () => {
  // 8 runs of 1–3 points each (a run's several checkpoints): without `w` each point weighs 1 / its run's
  // points in the data, in the main fit and in every resample alike; so the bootstrap is the same as
  // with those weights given (the joint path's way). Weighing 1 / the run's points in the resample
  // (a run drawn twice weighing as one) gave other resamples.
  const rng = mulberry32(11);
  const points: LawPoint[] = [];
  [1e7, 2e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9].forEach((N, i) => {
    for (let k = 0; k <= i % 3; k++) {
      const D = 20 * N * 2 ** k;
      points.push({ runId: `r${i}`, x: [N, D], y: lossAt(EPOCH, N, D) * Math.exp(0.004 * gaussian(rng)) });
    }
  });
  const share = new Map<string, number>();
  for (const p of points) share.set(p.runId, (share.get(p.runId) ?? 0) + 1);
  const opts = { seed: 5, resamples: 30, priors: chinchillaPriors() };
  const implicit = fitCrossRunLaw(chinchillaLaw, points, opts);
  const explicit = fitCrossRunLaw(
    chinchillaLaw,
    points.map((p) => ({ ...p, w: 1 / share.get(p.runId)! })),
    opts,
  );
  assert.ok(!('error' in implicit) && !('error' in explicit));
  assert.deepEqual(implicit.fitParams, explicit.fitParams);
  assert.equal(implicit.samples.length, 30);
  assert.deepEqual(implicit.samples, explicit.samples);
  assert.deepEqual(implicit.parameters, explicit.parameters);
});

test("the family law's two paths (fitCrossRun, fitJointFamily) resample alike: same bootstrap on finished runs", () => {
  // One point per run: the plain path weighs each run 1 (its share), the joint path 1 (an observed end's weight).
  const runs = syntheticRuns(EPOCH, 12, 8);
  const plain = assertFit(fitCrossRun(runs, { seed: 2, resamples: 40 }));
  const joint = assertFit(fitJointFamily(runs, { seed: 2, resamples: 40, asymptotes: false }));
  assert.equal(plain.samples.length, joint.samples.length);
  const worst = Math.max(...plain.samples.flatMap((s, i) => s.map((v, j) => Math.abs(v - joint.samples[i][j]))));
  assert.ok(worst < 1e-6, `largest difference of a resample's parameter: ${worst}`);
  for (const name of ['alpha', 'beta', 'E'])
    plain.parameters[name].interval.forEach((v, j) =>
      assert.ok(Math.abs(v - joint.parameters[name].interval[j]) < 1e-6, `${name}: ${plain.parameters[name].interval} vs ${joint.parameters[name].interval}`),
    );
});

/** `isCancelled` that answers true from its `after`+1-th call on, counting its calls (no clock: the same calls every run). */
function cancelAfter(after: number): { isCancelled: () => boolean; calls: () => number } {
  let calls = 0;
  return { isCancelled: () => ++calls > after, calls: () => calls };
}

test('a fit cut short says where it stopped; cut in its bootstrap it holds the law fitted without resamples', () => {
  const runs = syntheticRuns(EPOCH, 12, 21);
  // The calls a fit without resamples makes (main fit, leave-largest-out), then those of the full fit.
  const counting = cancelAfter(Infinity);
  const pointFit = assertFit(fitCrossRun(runs, { seed: 4, resamples: 0, isCancelled: counting.isCancelled }));
  const before = counting.calls();
  const all = cancelAfter(Infinity);
  const full = assertFit(fitCrossRun(runs, { seed: 4, isCancelled: all.isCancelled }));
  assert.ok(pointFit.validation && !pointFit.timedOut && full.cutShortIn === undefined && all.calls() > before + 1);
  assert.equal(familyLawWithoutResamples(full), undefined, 'not cut short: nothing to stand in for');

  // Stopped halfway through the resamples.
  const cut = assertFit(fitCrossRun(runs, { seed: 4, isCancelled: cancelAfter(before + Math.floor((all.calls() - before) / 2)).isCancelled }));
  assert.equal(cut.timedOut, true);
  assert.equal(cut.cutShortIn, 'bootstrap');
  assert.ok(cut.bootstrap.resamples > 0 && cut.bootstrap.resamples < 200, `${cut.bootstrap.resamples} resamples`);
  assert.deepEqual(familyLawWithoutResamples(cut), pointFit);
  // Stopped at the bootstrap's first check: the same.
  assert.deepEqual(familyLawWithoutResamples(assertFit(fitCrossRun(runs, { seed: 4, isCancelled: cancelAfter(before).isCancelled }))), pointFit);

  // Stopped in the leave-largest-out check (its last call) or in the main fit: no law without resamples to give.
  const inCheck = assertFit(fitCrossRun(runs, { seed: 4, isCancelled: cancelAfter(before - 1).isCancelled }));
  assert.equal(inCheck.cutShortIn, 'leave-largest-out');
  assert.equal(inCheck.validation, undefined);
  assert.equal(familyLawWithoutResamples(inCheck), undefined);
  const inMain = assertFit(fitCrossRun(runs, { seed: 4, deadline: performance.now() - 1 }));
  assert.equal(inMain.cutShortIn, 'main fit');
  assert.equal(familyLawWithoutResamples(inMain), undefined);
});
