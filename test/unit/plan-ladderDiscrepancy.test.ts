// The law's misfit the ladder planner weighs (core/plan/ladderDiscrepancy.ts): without it the
// variance is the Fisher sum's; with it a run at the target explains the target's misfit and a far
// run does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discrepancyPoint, lnLossVariance, NO_DISCREPANCY } from '../../src/core/plan/ladderDiscrepancy';

const prior = [
  [4, 0],
  [0, 1],
];
/** gᵀ(Λ₀ + Σ gᵢgᵢᵀ/σ²)⁻¹g for 2×2, by hand. */
function fisher(runs: number[][], g: number[], noise: number): number {
  const m = prior.map((r) => r.slice());
  for (const v of runs) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) m[i][j] += (v[i] * v[j]) / noise ** 2;
  const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  return (g[0] * g[0] * m[1][1] - 2 * g[0] * g[1] * m[0][1] + g[1] * g[1] * m[0][0]) / det;
}

test('no discrepancy: the Fisher sum of the runs and the priors', () => {
  const runs = [
    [1, 0.5],
    [1, -0.3],
  ];
  const at = discrepancyPoint(1e8, 2e9);
  const v = lnLossVariance(
    prior,
    runs.map((gradient) => ({ gradient, at })),
    { gradient: [1, 2], at },
    0.01,
    NO_DISCREPANCY,
  );
  assert.ok(Math.abs(v / fisher(runs, [1, 2], 0.01) - 1) < 1e-9, `${v}`);
});

test('a run at the target explains its misfit; a run far in tokens per parameter and compute leaves it', () => {
  const d = { sd: 0.03, lengthLnTpp: 1, lengthLnFlops: 1 };
  const target = { gradient: [1, 1], at: discrepancyPoint(1e9, 2e10) };
  const near = lnLossVariance(prior, [{ gradient: [1, 1], at: discrepancyPoint(1e9, 2e10) }], target, 0.005, d);
  const far = lnLossVariance(prior, [{ gradient: [1, 1], at: discrepancyPoint(1e7, 1e7) }], target, 0.005, d);
  // Far: the run pins the law with its own misfit as noise, and the target keeps its whole misfit.
  const expected = fisher([[1, 1]], [1, 1], Math.hypot(0.005, 0.03)) + 0.03 ** 2;
  assert.ok(Math.abs(far / expected - 1) < 1e-6, `${far} vs ${expected}`);
  // Near: the run's loss is the target's up to noise, whatever the misfit.
  assert.ok(near < 0.005 ** 2 * 1.01, `${near}`);
  assert.ok(near < far);
});
