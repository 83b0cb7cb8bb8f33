import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCrossRun, MIN_SIZES_WITHOUT_PRIORS, predictCrossRun, type CrossRunFit, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { fitWarnings } from '../../src/core/fit/fitWarnings';
import { curveAsymptote, fitFamilyLaw, fitJointFamily, jointLaw, OBSERVED_END_SPREAD } from '../../src/core/fit/jointFamily';
import { fitLaw } from '../../src/core/fit/fitLaw';
import { chinchillaPriors } from '../../src/core/laws/familyLaws';
import type { LawDefinition } from '../../src/core/laws/types';
import { gaussian, mulberry32 } from '../../src/core/fit/random';
import { chinchillaOptimalParams } from '../../src/core/plan/budget';

// Epoch AI's refit of Chinchilla (Besiroglu et al. 2024) as the truth of the synthetic families.
const T = { E: 1.82, A: 482, B: 2085, alpha: 0.35, beta: 0.37 };
const lossAt = (N: number, D: number) => T.E + T.A / N ** T.alpha + T.B / D ** T.beta;

/** 12 finished runs on a grid of N (3e7–3e8) and D (20–200 tokens per parameter), 0.3% noise. */
function finished(seed: number): CrossRunPoint[] {
  const rng = mulberry32(seed);
  const out: CrossRunPoint[] = [];
  for (const N of [3e7, 6e7, 1.2e8, 3e8])
    for (const k of [20, 60, 200]) out.push({ runId: `${N}-${k}`, params: N, tokens: k * N, loss: lossAt(N, k * N) * Math.exp(0.003 * gaussian(rng)) });
  return out;
}

function ok(res: CrossRunFit | { error: string }): CrossRunFit {
  assert.ok(!('error' in res), 'error' in res ? res.error : '');
  return res;
}

test('joint family fit: without forecasts it is the separate fit (same law, priors and weights)', () => {
  const pts = finished(3);
  const joint = ok(fitJointFamily(pts, { resamples: 0, seed: 1 }));
  const separate = ok(fitCrossRun(pts, { resamples: 0, seed: 1 }));
  assert.equal(joint.lawId, 'chinchilla');
  assert.equal(joint.dataRanges.length, 2);
  joint.fitParams.forEach((v, j) => assert.ok(Math.abs(v - separate.fitParams[j]) < 1e-6, `parameter ${j}: ${v} vs ${separate.fitParams[j]}`));
  // No forecast among the points: the engine's family job keeps fitCrossRun.
  const viaJob = ok(fitFamilyLaw(pts, { seed: 1 }));
  assert.deepEqual(viaJob.fitParams, ok(fitCrossRun(pts, { seed: 1 })).fitParams);
});

test('joint family fit: a live forecast 4% off with a ±4% interval moves the law less than when counted as an end', () => {
  const pts = finished(5);
  // A live run past the others (1e9 parameters, 20 tokens each) whose own-curve forecast is 4% high.
  const N = 1e9;
  const D = 2e10;
  const truth = lossAt(N, D);
  const live: CrossRunPoint = { runId: 'live', params: N, tokens: D, loss: truth * 1.04 };
  const separate = ok(fitCrossRun([...pts, live], { resamples: 0, seed: 1 }));
  const joint = ok(fitFamilyLaw([...pts, { ...live, spread: 0.04 }], { seed: 1 }));
  const errSeparate = Math.abs(predictCrossRun(separate, N, D).value / truth - 1);
  const errJoint = Math.abs(predictCrossRun(joint, N, D).value / truth - 1);
  assert.ok(errJoint < errSeparate, `joint ${errJoint} vs separate ${errSeparate}`);
  // A forecast as sure as an end weighs like one: the same fit as the separate one.
  const asSure = ok(fitJointFamily([...pts, { ...live, spread: OBSERVED_END_SPREAD }], { resamples: 0, seed: 1 }));
  asSure.fitParams.forEach((v, j) => assert.ok(Math.abs(v - separate.fitParams[j]) < 1e-6));
});

test('joint family fit: exact curve asymptotes (E + A/N^α) pin E when the ends alone cannot', () => {
  // Four runs at one D/N ratio and only 0.3% noise: E and the model term trade off along the runs.
  const rng = mulberry32(9);
  const pts = [3e7, 1e8, 3e8, 1e9].map((N) => ({
    runId: `n${N}`,
    params: N,
    tokens: 20 * N,
    loss: lossAt(N, 20 * N) * Math.exp(0.003 * gaussian(rng)),
    asymptote: T.E + T.A / N ** T.alpha,
  }));
  const withAsymptotes = ok(fitJointFamily(pts, { resamples: 0, seed: 1 }));
  const endsOnly = ok(fitJointFamily(pts, { resamples: 0, seed: 1, asymptotes: false }));
  const errE = (f: CrossRunFit) => Math.abs(f.parameters.E.value / T.E - 1);
  assert.ok(errE(withAsymptotes) < 0.05, `E ${withAsymptotes.parameters.E.value}`);
  assert.ok(errE(withAsymptotes) < errE(endsOnly), `E with ${withAsymptotes.parameters.E.value}, without ${endsOnly.parameters.E.value}`);
  // Its leave-largest-out would mix an end with an asymptote: not reported.
  assert.equal(withAsymptotes.validation, undefined);
});

test('curveAsymptote: L0 less the saturated drop term; NaN when that is no loss', () => {
  assert.ok(Math.abs(curveAsymptote(3, 1000, 3e-4, 3e-5) - (3 - 1000 * 2.7e-4)) < 1e-12);
  assert.equal(curveAsymptote(3, 1000, 3e-4, 3e-4), 3);
  assert.ok(Number.isNaN(curveAsymptote(0.1, 1000, 3e-4, 3e-5)));
});

test('fitCrossRun: runs of fewer than 3 model sizes lean on the priors however many they are, and the family model says why', () => {
  const at = (sizes: number[]) =>
    sizes.flatMap((N) => [10, 20, 40, 80, 160, 320].map((k) => ({ runId: `${N}-${k}`, params: N, tokens: k * N, loss: lossAt(N, k * N) })));
  const two = ok(fitCrossRun(at([3e7, 1e8]), { resamples: 0 }));
  assert.equal(two.runIds.length, 12);
  assert.equal(two.priorsUsed, true);
  const warnings = fitWarnings(chinchillaLaw, two, undefined, at([3e7, 1e8]));
  assert.ok(
    warnings.some((w) => w.includes(`fitted on 2 model size(s), fewer than ${MIN_SIZES_WITHOUT_PRIORS}`)),
    warnings.join('\n'),
  );
  const three = ok(fitCrossRun(at([3e7, 1e8, 3e8]), { resamples: 0 }));
  assert.equal(three.priorsUsed, false);
  // Priors asked for on three sizes: the warning says so, not that sizes are missing.
  const always = ok(fitCrossRun(at([3e7, 1e8, 3e8]), { resamples: 0, priors: 'always' }));
  assert.equal(always.priorsUsed, true);
  const alwaysWarnings = fitWarnings(chinchillaLaw, always, undefined, at([3e7, 1e8, 3e8]));
  assert.ok(
    alwaysWarnings.some((w) => w.includes('priors: always') && w.includes('of 3 model sizes')),
    alwaysWarnings.join('\n'),
  );
  assert.ok(!alwaysWarnings.some((w) => w.includes('fewer than')), alwaysWarnings.join('\n'));
});

test('joint family fit: IsoFLOP curves keep their weighting when one live run is anchored', () => {
  // 3 budgets × 5 sizes around each budget's N*, the wings (over 2× off) above the law as on real IsoFLOP ladders.
  const pts: CrossRunPoint[] = [];
  for (const c of [1e18, 1e19, 1e20]) {
    const nStar = chinchillaOptimalParams(T, c);
    for (const f of [1 / 8, 1 / 3, 1, 3, 8]) {
      const N = nStar * f;
      const off = Math.abs(Math.log(f));
      pts.push({
        runId: `${c}-${f}`,
        params: N,
        tokens: c / (6 * N),
        loss: lossAt(N, c / (6 * N)) * (1 + (off > Math.log(2) ? 0.3 * (off - Math.log(2)) ** 2 : 0)),
      });
    }
  }
  const finishedOnly = ok(fitFamilyLaw(pts, { seed: 1 }));
  // One run (the middle budget's N*·3) is live: its loss a forecast with a ±1% interval, so the engine takes the joint fit.
  const anchored = ok(
    fitFamilyLaw(
      pts.map((p, i) => (i === 8 ? { ...p, spread: 0.01 } : p)),
      { seed: 1 },
    ),
  );
  assert.ok(finishedOnly.isoflopWeighting, 'the separate fit weighs the IsoFLOP runs');
  assert.ok(anchored.isoflopWeighting, 'the joint fit says it weighed them too');
  assert.equal(anchored.isoflopWeighting.budgets, 3);
  const a0 = finishedOnly.parameters.alpha.value;
  const a1 = anchored.parameters.alpha.value;
  assert.ok(Math.abs(a1 / a0 - 1) < 0.03, `α ${a1} with a live run vs ${a0} without`);
});

test('the joint law compiled gives exactly its evaluate and jacobian, ends and asymptotes alike', () => {
  const p = [0.6, 6.2, 7.1, 0.34, 0.36];
  const xs = [
    [3e7, 6e8, 0],
    [3e7, 6e8, 1],
    [1.2e8, 2.4e10, 0],
    [1.2e8, 2.4e10, 1],
  ];
  assert.ok(jointLaw.compile, 'a batch form');
  const kernel = jointLaw.compile(xs);
  const f = new Float64Array(xs.length);
  const f2 = new Float64Array(xs.length);
  const jac = new Float64Array(xs.length * 5);
  kernel.values(p, f);
  kernel.valuesAndJacobian(p, f2, jac);
  xs.forEach((x, i) => {
    assert.equal(f[i], jointLaw.evaluate(p, x));
    assert.equal(f2[i], jointLaw.evaluate(p, x));
    assert.deepEqual(Array.from(jac.subarray(5 * i, 5 * i + 5)), jointLaw.jacobian(p, x));
  });
});

test('a big sweep (many runs at few N, D): one least-squares row per (N, D), the same fit as one row per run', () => {
  // 6 sizes × 40 runs each (seeds), ends scattered 0.3% about the truth.
  const rng = mulberry32(7);
  const points: CrossRunPoint[] = [];
  for (const N of [1e7, 2e7, 4e7, 9e7, 1.8e8, 2.8e8])
    for (let seed = 0; seed < 40; seed++)
      points.push({ runId: `${N}-${seed}`, params: N, tokens: 20 * N, loss: lossAt(N, 20 * N) * Math.exp(0.003 * gaussian(rng)) });
  const data = { x: points.map((p) => [p.params, p.tokens]), y: points.map((p) => p.loss), w: points.map(() => 1) };
  // The law's batch form records the points it is bound to (the fit's rows).
  const boundTo: number[] = [];
  const counted: LawDefinition = {
    ...chinchillaLaw,
    compile: (x) => {
      boundTo.push(x.length);
      return chinchillaLaw.compile!(x);
    },
  };
  const perRun = fitLaw(counted, data, { priors: chinchillaPriors() });
  const rowsPerRun = [...boundTo];
  boundTo.length = 0;
  const shared = fitLaw(counted, data, { priors: chinchillaPriors(), shareRows: true });
  assert.ok(!('error' in perRun) && !('error' in shared));
  assert.ok(rowsPerRun.includes(240), `one row per run without sharing: ${rowsPerRun.join(', ')}`);
  assert.ok(boundTo.includes(6) && !boundTo.includes(240), `the law is evaluated once per (N, D): ${boundTo.join(', ')}`);
  // The same objective and optimum (to rounding: the surrogate's rows sum in another order).
  assert.ok(Math.abs(shared.objective - perRun.objective) <= 1e-9 * perRun.objective, `${shared.objective} vs ${perRun.objective}`);
  shared.params.forEach((v, j) => assert.ok(Math.abs(v - perRun.params[j]) < 1e-6, `parameter ${j}: ${v} vs ${perRun.params[j]}`));
});
