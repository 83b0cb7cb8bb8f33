import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ISOFLOP_WEIGHT_WIDTH, isoflopWeights } from '../../src/core/fit/isoflopWeights';
import { fitCrossRun, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { planBudget, chinchillaOptimalParams } from '../../src/core/plan/budget';

const TRUE = { E: 1.7, A: 400, B: 1500, alpha: 0.34, beta: 0.37 };
const lossOf = (n: number, d: number) => TRUE.E + TRUE.A / n ** TRUE.alpha + TRUE.B / d ** TRUE.beta;

/** IsoFLOP curves at 5 budgets, sizes from 1/16× to 16× each budget's true N*; `wing(ln(N/N*))` adds relative loss off the optimum. */
function isoflopFamily(wing: (offset: number) => number = () => 0): CrossRunPoint[] {
  const out: CrossRunPoint[] = [];
  for (const c of [1e17, 3e17, 1e18, 3e18, 1e19]) {
    const nStar = chinchillaOptimalParams(TRUE, c);
    for (const f of [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8, 16]) {
      const n = nStar * f;
      const d = c / (6 * n);
      out.push({ runId: `${c}-${f}`, params: n, tokens: d, loss: lossOf(n, d) * (1 + wing(Math.log(f))) });
    }
  }
  return out;
}

test('isoflopWeights: IsoFLOP curves weigh by distance from each budget optimum; other layouts get no weights', () => {
  // At σ = ln 2, whose weights are easy to read (2× off: e^−½ = 0.61); the default σ is narrower.
  const w = isoflopWeights(isoflopFamily(), Math.LN2);
  assert.ok(w, 'an IsoFLOP layout is recognised');
  assert.equal(w.budgets, 5);
  // The default σ is narrower than these sizes' spacing (2×): each budget's σ widens to half that gap,
  // so the sizes next to the vertex weigh about e^−2 and the next ones almost nothing.
  const narrow = isoflopWeights(isoflopFamily())!.weights;
  const n2 = narrow.get(`${1e18}-2`)!;
  assert.ok(ISOFLOP_WEIGHT_WIDTH < Math.LN2 / 2, 'the default σ is narrower than half a 2× spacing');
  assert.ok(narrow.get(`${1e18}-1`)! > 0.9 && n2 > 0.1 && n2 < 0.2 && narrow.get(`${1e18}-4`)! < 0.001, `default σ: 2× off ${n2}`);
  const at = (c: number, f: number) => w.weights.get(`${c}-${f}`)!;
  assert.ok(at(1e18, 1) > 0.9, `vertex ${at(1e18, 1)}`);
  assert.ok(at(1e18, 2) > 0.4 && at(1e18, 2) < 0.8, `2× off ${at(1e18, 2)}`);
  assert.ok(at(1e18, 16) < 0.01 && at(1e18, 1 / 16) < 0.01, 'the far wings are nearly ignored');
  assert.equal(w.downweighted, 5 * 4, 'the 8× and 16× wings on both sides of each budget');
  assert.match(w.note, /IsoFLOP layout \(5 budgets/);
  // A grid of sizes × tokens per parameter (Gadre-like) has no shared budgets.
  const grid: CrossRunPoint[] = [];
  for (const n of [2e7, 5e7, 1e8, 2e8, 4e8]) for (const r of [10, 20, 40]) grid.push({ runId: `${n}-${r}`, params: n, tokens: n * r, loss: lossOf(n, n * r) });
  assert.equal(isoflopWeights(grid), undefined);
  // One budget alone is not a layout; nor are garbage points.
  assert.equal(isoflopWeights(isoflopFamily().filter((p) => p.runId.startsWith('1e+18'))), undefined);
  assert.equal(isoflopWeights([{ runId: 'x', params: NaN, tokens: -1, loss: 0 }]), undefined);
});

test('IsoFLOP weighting keeps exact-law recovery and keeps N* when the far wings leave the law', () => {
  // Exact law: the weights change nothing (every residual is 0).
  const exact = fitCrossRun(isoflopFamily(), { seed: 1, resamples: 0, priors: 'never' });
  if ('error' in exact) throw new Error(exact.error);
  assert.ok(exact.isoflopWeighting, 'the fit says it weighed the runs');
  for (const [k, v] of Object.entries({ E: TRUE.E, alpha: TRUE.alpha, beta: TRUE.beta })) {
    assert.ok(Math.abs(exact.parameters[k].value / v - 1) < 0.02, `${k} ${exact.parameters[k].value} vs ${v}`);
  }
  // Undertrained wings off the law (a model over 3× its budget's optimum, trained on a few tokens
  // per parameter, does worse than the law says, as on Porian et al.'s ladders): the weighted fit's
  // planner keeps N* at the truth; unweighted the wings bend the law and N* moves off (1.26×).
  const bent = isoflopFamily((off) => (off > Math.log(3) ? 0.3 * (off - Math.log(3)) ** 2 : 0));
  const plan = (isoflopWidth?: number) => {
    const fit = fitCrossRun(bent, { seed: 1, resamples: 0, priors: 'never', ...(isoflopWidth !== undefined ? { isoflopWidth } : {}) });
    if ('error' in fit) throw new Error(fit.error);
    const p = planBudget({ budget: { kind: 'flops', flops: 1e20, text: '1e20' } }, { lossLaw: { fit, family: 'bent', runsUsed: fit.runIds, points: bent } });
    if ('error' in p) throw new Error(p.error);
    return p.recommended.params;
  };
  const truth = chinchillaOptimalParams(TRUE, 1e20);
  const factor = (n: number) => Math.max(n / truth, truth / n);
  const weighted = factor(plan());
  const unweighted = factor(plan(0));
  assert.ok(weighted < 1.03, `weighted N* off by ${weighted.toFixed(2)}×`);
  assert.ok(unweighted > 1.15, `unweighted N* off by ${unweighted.toFixed(2)}× (the test must show what the weights fix)`);
});

test('isoflopWeights: seeds (a repeated model size within a budget) meet at their mean loss, and no weight is ever non-finite', () => {
  const points: CrossRunPoint[] = [];
  for (const c of [1e18, 1e19]) {
    const run = (id: string, n: number, loss: number) => points.push({ runId: `${c}-${id}`, params: n, tokens: c / (6 * n), loss });
    run('a', 1e8, 3.0);
    run('b', 2e8, 2.9);
    run('b-seed2', 2e8, 2.8);
    run('c', 4e8, 3.1);
  }
  const w = isoflopWeights(points, Math.LN2);
  assert.ok(w, 'an IsoFLOP layout is recognised');
  assert.equal(w.budgets, 2);
  assert.equal(w.weights.size, points.length);
  for (const [id, v] of w.weights) assert.ok(Number.isFinite(v) && v > 0 && v <= 1, `${id}: ${v}`);
  // The vertex of (1e8, 3.0), (2e8, 2.85), (4e8, 3.1) lies just below 2e8: both seeds weigh near 1, the wings less.
  const at = (id: string) => w.weights.get(`${1e18}-${id}`)!;
  assert.equal(at('b'), at('b-seed2'));
  assert.ok(at('b') > 0.95, `seeds ${at('b')}`);
  assert.ok(at('a') < at('b') && at('c') < at('b'), `wings ${at('a')}, ${at('c')}`);
});
