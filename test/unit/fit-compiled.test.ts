// The batch (compiled) form of a law, which the fitter's inner loop uses, gives exactly the numbers
// of the law's own evaluate and jacobian; the solver's reused buffers change no result; and the
// accuracy changes around them: interval stretching, multi-power shape priors, the sweep window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LAWS } from '../../src/core/laws/registry';
import { compileLaw, type LawDefinition } from '../../src/core/laws/types';
import { createMultipowerLaw } from '../../src/core/laws/multipower';
import { buildSchedule } from '../../src/core/laws/schedule';
import { levenbergMarquardt, LmWork, type LsqProblem } from '../../src/core/fit/lm';
import { widenInterval } from '../../src/core/fit/calibration';
import { multipowerShapePriors } from '../../src/core/fit/priors';
import { fitSweepSurface } from '../../src/core/fit/hparamSweep';
import { linearizeInLog, refitLinearized } from '../../src/core/fit/linearRefit';

function inputsFor(law: LawDefinition, u: number[]): number[] {
  // Positive inputs spread over several decades (schedule index 0 for multipower).
  return law.variables.map((v, j) => (v.symbol === 'j' ? 0 : Math.pow(10, 1 + 8 * u[j % u.length])));
}

const multipower = createMultipowerLaw([buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: 2000, warmupSteps: 100 })]);

test('compiled laws: values and Jacobians identical to evaluate and jacobian, for every law with a batch form', () => {
  const compiled = [...Object.values(LAWS), multipower].filter((law) => law.compile);
  assert.ok(
    compiled.map((l) => l.id).includes('chinchilla') && compiled.map((l) => l.id).includes('power') && compiled.map((l) => l.id).includes('multipower'),
  );
  for (const law of compiled) {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
        (u, pointsU) => {
          const p = law.parameters.map((q, j) => q.grid[Math.floor(u[j % 3] * q.grid.length) % q.grid.length]);
          const xs = pointsU.map((v, i) => (law.id === 'multipower' ? [Math.max(1, Math.round(2000 * v)), 0] : inputsFor(law, [v, u[i % 3]])));
          const k = law.parameters.length;
          const kernel = law.compile!(xs);
          const f = new Float64Array(xs.length);
          const f2 = new Float64Array(xs.length);
          const jac = new Float64Array(xs.length * k);
          kernel.values(p, f);
          kernel.valuesAndJacobian(p, f2, jac);
          xs.forEach((x, i) => {
            assert.equal(f[i], law.evaluate(p, x));
            assert.equal(f2[i], law.evaluate(p, x));
            assert.deepEqual(Array.from(jac.subarray(i * k, (i + 1) * k)), law.jacobian(p, x));
          });
        },
      ),
      { numRuns: 30 },
    );
  }
  // Without a batch form, the fallback calls evaluate/jacobian per point.
  const bnsl = LAWS.bnsl;
  assert.equal(bnsl.compile, undefined);
  const p = bnsl.parameters.map((q) => q.grid[0]);
  const out = new Float64Array(2);
  compileLaw(bnsl, [[10], [1000]]).values(p, out);
  assert.deepEqual(Array.from(out), [bnsl.evaluate(p, [10]), bnsl.evaluate(p, [1000])]);
});

test("compiled multipower: the kept drop sums give evaluate's numbers across many (C, β, γ), also with no LR drop before the points", () => {
  const schedules = [
    buildSchedule({ kind: 'constant', peakLr: 3e-4, totalSteps: 3000, warmupSteps: 100 }),
    buildSchedule({ kind: 'wsd', peakLr: 3e-4, totalSteps: 3000, warmupSteps: 100, decaySteps: 600 }),
    buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: 3000, warmupSteps: 100, minLr: 3e-5 }),
  ];
  const law = createMultipowerLaw(schedules);
  // Only the constant schedule's points, only WSD points before its decay, and a mix of all three.
  const sets = [
    [
      [50, 0],
      [900, 0],
      [2999, 0],
    ],
    [
      [200, 1],
      [2000, 1],
    ],
    [
      [10, 0],
      [1500, 1],
      [2900, 1],
      [700, 2],
      [3000, 2],
    ],
  ];
  const rng = fc.sample(fc.double({ min: 0, max: 1, noNaN: true }), 400);
  for (const xs of sets) {
    const kernel = law.compile!(xs);
    const f = new Float64Array(xs.length);
    const jac = new Float64Array(xs.length * 7);
    // 40 settings of (C, β, γ), more than the kernel keeps, revisited in turn with other L0, A, α, B.
    for (let r = 0; r < 120; r++) {
      const u = (j: number) => rng[(7 * r + j) % rng.length];
      const shape = r % 40;
      const p = [0.5 + u(0), -1 + 2 * u(1), 0.2 + 0.5 * u(2), 3 + 4 * u(3), -3 + 0.15 * shape, 0.3 + 0.01 * shape, 0.4 + 0.02 * (shape % 7)];
      if (r % 2) kernel.values(p, f);
      else kernel.valuesAndJacobian(p, f, jac);
      xs.forEach((x, i) => {
        assert.equal(f[i], law.evaluate(p, x), `point ${i} of ${JSON.stringify(xs)} at round ${r}`);
        if (!(r % 2)) assert.deepEqual(Array.from(jac.subarray(i * 7, (i + 1) * 7)), law.jacobian(p, x));
      });
    }
  }
});

test('solver: reused work buffers give the same solution as fresh ones, solve after solve', () => {
  // Exponential decay y = 3·exp(−0.7 t) + 1 with bounds, fitted from two starts.
  const ts = Array.from({ length: 20 }, (_, i) => i / 4);
  const ys = ts.map((t) => 3 * Math.exp(-0.7 * t) + 1 + 0.01 * Math.sin(7 * t));
  const problem: LsqProblem = {
    nParams: 3,
    nResiduals: ts.length,
    lower: [0, 0, -5],
    upper: [10, 5, 5],
    evaluate(p, r, jac) {
      ts.forEach((t, i) => {
        const e = Math.exp(-p[1] * t);
        r[i] = p[0] * e + p[2] - ys[i];
        if (jac) {
          jac[3 * i] = e;
          jac[3 * i + 1] = -t * p[0] * e;
          jac[3 * i + 2] = 1;
        }
      });
    },
  };
  const work = new LmWork(ts.length, 3);
  for (const start of [
    [1, 1, 0],
    [8, 0.1, 3],
    [1, 1, 0],
  ]) {
    const fresh = levenbergMarquardt(problem, start);
    const reused = levenbergMarquardt(problem, start, { work });
    assert.deepEqual(reused, fresh);
    assert.ok(Math.abs(fresh.params[1] - 0.7) < 0.01, `rate ${fresh.params[1]}`);
  }
});

test('widenInterval: a bootstrap interval that misses its own value is stretched to it, never turned inside out', () => {
  // Resamples all above the point value (a shifted bootstrap distribution).
  assert.deepEqual(widenInterval(2, [2.5, 3], 1), [2, 3]);
  const [lo, hi] = widenInterval(2, [2.5, 3], 3);
  assert.ok(lo === 2 && hi === 2 + 3 * (3 - 2), `${lo} ${hi}`);
  const [plo, phi] = widenInterval(2, [1, 1.5], 2, true);
  assert.ok(plo < 1 && phi === 2, `${plo} ${phi}`);
});

test('multi-power shape priors: the published exponents and ln C, by the reference rule; no level or LR-scale parameter', () => {
  const law = createMultipowerLaw([buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: 1000 })]);
  const priors = multipowerShapePriors(law);
  assert.deepEqual(Object.keys(priors).sort(), ['alpha', 'beta', 'c', 'gamma']);
  const ref = law.reference!.values;
  assert.equal(priors.beta.mean, ref.beta);
  assert.ok(Math.abs(priors.beta.sd - 0.15 * ref.beta) < 1e-12);
  assert.equal(priors.c.mean, Math.log(ref.C));
  assert.equal(priors.c.sd, 2);
  assert.deepEqual(multipowerShapePriors(LAWS.power), {});
});

test('sweep surface: the 2% window widens until lr and batch each keep three settings', () => {
  // Exact quadratic in ln lr and ln batch on a 3 × 3 grid; the lr corners sit ~10% above the best,
  // outside a 2% window, so a fixed window would lose the lr axis.
  const points = [];
  for (const lr of [2.5e-4, 1e-3, 4e-3])
    for (const b of [16384, 65536, 262144]) points.push({ lr, batchTokens: b, loss: 3 + 0.3 * Math.log(lr / 1e-3) ** 2 + 0.02 * Math.log(b / 65536) ** 2 });
  const s = fitSweepSurface(points);
  assert.ok(!('error' in s), 'error' in s ? s.error : '');
  assert.equal(s.varied, 'lr+batch');
  assert.ok(Math.abs(s.lrStar / 1e-3 - 1) < 1e-6 && Math.abs(s.batchStar / 65536 - 1) < 1e-6, `${s.lrStar} ${s.batchStar}`);
  // With many settings near the optimum only those within 2% shape it: a far corner that breaks
  // the quadratic (a diverged run) does not move the optimum.
  const dense = [];
  for (const u of [-1, -0.5, 0, 0.5, 1])
    for (const v of [-1, -0.5, 0, 0.5, 1])
      dense.push({ lr: 1e-3 * Math.exp(u * 0.1), batchTokens: 65536 * Math.exp(v * 0.3), loss: 3 + 0.3 * (u * 0.1) ** 2 + 0.02 * (v * 0.3) ** 2 });
  dense.push({ lr: 1e-3 * Math.exp(0.1), batchTokens: 65536 * Math.exp(0.3), loss: 3.09 });
  const d = fitSweepSurface(dense);
  assert.ok(!('error' in d) && Math.abs(d.lrStar / 1e-3 - 1) < 1e-6, 'error' in d ? d.error : `${d.lrStar}`);
});

test('linearizeInLog: ln f and (∂f/∂p)/f of the law at the expansion point', () => {
  const xs = [100, 400, 900, 1500, 1999].map((t) => [t, 0]);
  const best = [0.8, -0.3, 0.4, 7, -1, 0.6, 0.6];
  const lin = linearizeInLog(multipower, xs, best, { b: { mean: 6, sd: 2 }, nothing: { mean: 0, sd: 1 } });
  const k = best.length;
  xs.forEach((x, i) => {
    const f = multipower.evaluate(best, x);
    assert.ok(Math.abs(lin.lnF0[i] - Math.log(f)) <= 1e-12);
    multipower
      .jacobian(best, x)
      .forEach((g, j) => assert.ok(Math.abs(lin.jac[i * k + j] - g / f) <= 1e-9 * (Math.abs(g / f) + 1e-12), `point ${i} param ${j}`));
  });
  // The prior on ln B is kept (by index); a prior on a parameter the law does not have is not.
  assert.deepEqual(lin.priorIndex, [3]);
});

test('refitLinearized: recovers the parameters of losses the linearised law makes, keeps to the box, and never ends above its start', () => {
  const xs = [100, 250, 400, 600, 900, 1200, 1500, 1800, 1999].map((t) => [t, 0]);
  const best = [0.8, -0.3, 0.4, 7, -1, 0.6, 0.6];
  const lin = linearizeInLog(multipower, xs, best);
  const k = best.length;
  const lossesAt = (dp: number[]) => xs.map((_, i) => Math.exp(lin.lnF0[i] + dp.reduce((s, d, j) => s + lin.jac[i * k + j] * d, 0)));
  // Losses of the linearised law 0.01–0.03 away in three parameters: found again (exact data, so the Huber fit is exact).
  const dp = [0.01, -0.02, 0.03, 0, 0, 0, 0];
  const fit = refitLinearized(lin, lossesAt(dp), 200);
  assert.ok(!('error' in fit));
  const moved = fit.params.map((v, j) => v - best[j]);
  const explained = lossesAt(moved).map((v, i) => Math.abs(Math.log(v / lossesAt(dp)[i])));
  assert.ok(Math.max(...explained) < 1e-6, `log residuals ${Math.max(...explained)}`);
  // γ pushed below its lower bound 0: held on the bound, the others still fitted.
  const below = [0, 0, 0, 0, 0, 0, -0.8];
  const held = refitLinearized(lin, lossesAt(below), 200);
  assert.ok(!('error' in held));
  assert.equal(held.params[6], multipower.parameters[6].lower);
  assert.ok(held.params.every((v, j) => v >= multipower.parameters[j].lower && v <= multipower.parameters[j].upper));
  // Noisy losses: the refit's robust objective is no worse than at its start.
  const noisy = xs.map((x, i) => multipower.evaluate(best, x) * Math.exp(0.01 * Math.sin(7 * i)));
  const objective = (p: readonly number[]) =>
    xs.reduce((s, _, i) => {
      const r = Math.abs(lin.lnF0[i] + p.reduce((a, v, j) => a + lin.jac[i * k + j] * (v - best[j]), 0) - Math.log(noisy[i]));
      return s + (r <= 1e-3 ? 0.5 * r * r : 1e-3 * (r - 5e-4));
    }, 0);
  const refit = refitLinearized(lin, noisy, 12);
  assert.ok(
    !('error' in refit) && objective(refit.params) <= objective(best),
    'error' in refit ? refit.error : `${objective(refit.params)} vs ${objective(best)}`,
  );
  assert.ok(
    'error' in
      refitLinearized(
        lin,
        noisy.map((v, i) => (i === 2 ? -1 : v)),
        12,
      ),
    'a non-positive loss is refused',
  );
});
