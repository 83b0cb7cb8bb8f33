import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitHparamSweeps, fitSweepSurface, predictHparams, surfacePenaltyPct, NEAR_OPTIMAL_FRACTION, type SweepGroup } from '../../src/core/fit/hparamSweep';
import { gaussian, mulberry32 } from '../../src/core/fit/random';
import { stepLaw } from '../../src/core/laws/steplaw';

// A family whose optimum follows lr* = 0.9·N^−0.6·D^0.25 and bs* = 1.2·D^0.5 (not the published constants).
const lrStar = (N: number, D: number) => 0.9 * N ** -0.6 * D ** 0.25;
const bsStar = (D: number) => 1.2 * D ** 0.5;
/** Loss bowl around the optimum in (ln lr, ln batch), with a tilt term so the axes are not separable. */
const lossAt = (N: number, D: number, lr: number, bs: number) => {
  const u = Math.log(lr / lrStar(N, D));
  const v = Math.log(bs / bsStar(D));
  return (2 + 300 / N ** 0.3) * (1 + 0.02 * u * u + 0.01 * v * v + 0.005 * u * v);
};

function sweep(N: number, D: number, rng?: () => number): SweepGroup {
  const points = [];
  for (let i = -3; i <= 3; i++) {
    for (let j = -2; j <= 2; j++) {
      const lr = lrStar(N, D) * 2 ** (0.5 * i + 0.3);
      const bs = bsStar(D) * 2 ** (0.5 * j - 0.2);
      points.push({ lr, batchTokens: bs, loss: lossAt(N, D, lr, bs) * (rng ? Math.exp(3e-4 * gaussian(rng)) : 1) });
    }
  }
  return { params: N, tokens: D, points };
}

test('sweep surface: finds the minimum of a tilted bowl and its 0.25% band', () => {
  const N = 1e8;
  const D = 2e9;
  const s = fitSweepSurface(sweep(N, D).points);
  assert.ok(!('error' in s), JSON.stringify(s));
  if ('error' in s) return;
  assert.equal(s.varied, 'lr+batch');
  assert.ok(s.bracketed);
  assert.ok(Math.abs(Math.log(s.lrStar / lrStar(N, D))) < 1e-6, `${s.lrStar} vs ${lrStar(N, D)}`);
  assert.ok(Math.abs(Math.log(s.batchStar / bsStar(D))) < 1e-6, `${s.batchStar} vs ${bsStar(D)}`);
  // The band is the near-optimal region's extent along ln lr: at its edge, with the best batch
  // for that lr, the surface is 0.25% above its minimum.
  let edge = Infinity;
  for (let k = -400; k <= 400; k++) edge = Math.min(edge, surfacePenaltyPct(s, s.nearOptimal.lr[1], s.batchStar * Math.exp(k / 400)));
  assert.ok(Math.abs(edge - 100 * NEAR_OPTIMAL_FRACTION) < 1e-3, `penalty at the band edge ${edge}%`);
  assert.ok(s.nearOptimal.lr[0] < s.lrStar && s.lrStar < s.nearOptimal.lr[1]);
  assert.ok(surfacePenaltyPct(s, s.lrStar * 4, s.batchStar) > 1);
});

test('sweep surface: only lr varied gives an lr optimum and no batch optimum; too few points give none', () => {
  const N = 1e8;
  const D = 2e9;
  const pts = [-2, -1, 0, 1, 2].map((i) => {
    const lr = lrStar(N, D) * 2 ** i;
    return { lr, batchTokens: 1e5, loss: lossAt(N, D, lr, 1e5) };
  });
  const s = fitSweepSurface(pts);
  assert.ok(!('error' in s) && s.varied === 'lr', JSON.stringify(s));
  const none = fitSweepSurface(pts.slice(0, 2));
  assert.ok('error' in none && /at least 3/.test(none.error));
  // A loss that only falls with lr has no minimum inside the sweep: no surface claimed.
  const falling = [1e-4, 2e-4, 4e-4, 8e-4].map((lr) => ({ lr, batchTokens: 1e5, loss: 3 - lr * 100 + (lr * 100) ** 2 * -0.1 }));
  assert.ok('error' in fitSweepSurface(falling));
});

test("step-law refit recovers the family's exponents from 8 noisy sweeps and predicts a larger setting", () => {
  const rng = mulberry32(21);
  const groups: SweepGroup[] = [];
  for (const N of [5e7, 1e8, 2e8, 4e8]) for (const m of [20, 80]) groups.push(sweep(N, N * m, rng));
  const fit = fitHparamSweeps(stepLaw, groups, { seed: 1, resamples: 100 });
  assert.ok(fit.lr && fit.batch, `${fit.lrError} ${fit.batchError}`);
  assert.equal(fit.groups.filter((g) => g.surface).length, 8);
  assert.ok(Math.abs(fit.lr!.parameters.aN.value - -0.6) < 0.05, `aN ${fit.lr!.parameters.aN.value}`);
  assert.ok(Math.abs(fit.lr!.parameters.aD.value - 0.25) < 0.05, `aD ${fit.lr!.parameters.aD.value}`);
  assert.ok(Math.abs(fit.batch!.parameters.bD.value - 0.5) < 0.05, `bD ${fit.batch!.parameters.bD.value}`);
  const N = 1e9;
  const D = 2e10;
  const p = predictHparams(stepLaw, fit, N, D);
  assert.equal(p.lr.source, 'fit');
  assert.ok(Math.abs(Math.log(p.lr.value / lrStar(N, D))) < 0.1, `lr ${p.lr.value} vs ${lrStar(N, D)}`);
  assert.ok(Math.abs(Math.log(p.batchTokens.value / bsStar(D))) < 0.1, `bs ${p.batchTokens.value} vs ${bsStar(D)}`);
  assert.ok(p.lr.interval[0] <= p.lr.value && p.lr.value <= p.lr.interval[1]);
});

test('without any sweep surface the published law is the default, with no interval claimed', () => {
  const fit = fitHparamSweeps(stepLaw, [{ params: 1e8, tokens: 2e9, points: [{ lr: 1e-3, batchTokens: 1e5, loss: 3 }] }]);
  assert.ok(fit.lrError && fit.batchError);
  const p = predictHparams(stepLaw, fit, 1e8, 2e9);
  assert.equal(p.lr.source, 'published');
  // Step Law: 1.79·N^−0.713·D^0.307.
  const published = 1.79 * 1e8 ** -0.713 * 2e9 ** 0.307;
  assert.ok(Math.abs(p.lr.value - published) / published < 1e-9);
  assert.deepEqual(p.lr.interval, [p.lr.value, p.lr.value]);
});
