import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCrossRun, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { planBudget, type BudgetContext, type BudgetPlan } from '../../src/core/plan/budget';
import { frontierNarrowing, narrowingLines, NARROWING_BUDGET_FRACTION } from '../../src/core/plan/frontierNarrowing';
import { planMarkdown } from '../../src/core/plan/budgetRequest';
import { planText } from '../../src/cliCommands/plan';

const TRUE = { E: 1.7, A: 400, B: 1500, alpha: 0.34, beta: 0.37 };
const lossOf = (n: number, d: number) => TRUE.E + TRUE.A / n ** TRUE.alpha + TRUE.B / d ** TRUE.beta;

/** A family like the example sweep: six sizes, all at 20 tokens per parameter, 0.3% scatter. */
function family(): NonNullable<BudgetContext['lossLaw']> {
  const points: CrossRunPoint[] = [2e7, 3.5e7, 6e7, 1e8, 1.5e8, 2e8].map((n, i) => ({
    runId: `run-${i}`,
    params: n,
    tokens: 20 * n,
    loss: lossOf(n, 20 * n) * (1 + 0.003 * Math.sin(7 * i)),
  }));
  const fit = fitCrossRun(points, { seed: 1, resamples: 40 });
  if ('error' in fit) throw new Error(fit.error);
  return { fit, family: 'one-ratio', runsUsed: fit.runIds, points };
}

const ok = (r: BudgetPlan | { error: string }): BudgetPlan => {
  if ('error' in r) throw new Error(r.error);
  return r;
};

test('Plan Compute Budget names the runs that would narrow its N* interval, within a tenth of the budget', () => {
  const law = family();
  const plan = ok(planBudget({ budget: { kind: 'flops', flops: 1e21, text: '1e21' } }, { lossLaw: law }));
  const u = plan.frontierUncertainty!;
  assert.ok(u, 'the plan has an N* interval');
  const n = frontierNarrowing(plan, law);
  assert.ok(n && n.runs.length >= 1 && n.runs.length <= 2, JSON.stringify(n));
  assert.equal(n.searchFlops, NARROWING_BUDGET_FRACTION * 1e21);
  let before = u.nStar;
  let spent = 0;
  for (const r of n.runs) {
    spent += r.flops;
    assert.ok(Math.abs(r.flops / (6 * r.params * r.tokens) - 1) < 1e-9, 'FLOPs are 6·N·D');
    // Narrower than before it, and still around the recommendation.
    assert.ok(r.nStarAfter[1] / r.nStarAfter[0] < before[1] / before[0], `${r.nStarAfter} vs ${before}`);
    assert.ok(r.nStarAfter[0] <= plan.recommended.params && plan.recommended.params <= r.nStarAfter[1]);
    assert.ok(r.cut >= 0.05 && r.cut < 1);
    before = r.nStarAfter;
  }
  assert.ok(spent <= n.searchFlops * (1 + 1e-9), `the runs cost ${spent} of ${n.searchFlops}`);
  // The family sits at one tokens-per-parameter ratio: the cheapest narrowing pins the exponents
  // with a run elsewhere in tokens per parameter, or moves the distance with a larger run.
  const largest = Math.max(...law.points!.map((p) => 6 * p.params * p.tokens));
  assert.ok(
    n.runs.some((r) => Math.abs(Math.log(r.tokensPerParam / 20)) > Math.log(2) || r.flops > largest),
    n.runs.map((r) => `${r.params}×${r.tokens}`).join(', '),
  );
  // Both views say it: the markdown VS Code shows and the CLI's text.
  plan.narrowing = n;
  const md = planMarkdown(plan, law.family);
  assert.match(md, /## Runs that would narrow N\*/);
  assert.match(md, /^1\. [\d.]+[MB] parameters × [\d.]+[MB] tokens .*N\* .* → .*narrower in log width/m);
  assert.match(planText(plan), /runs that would narrow N\*:\n {2}The run/);
  assert.equal(narrowingLines(n, u.nStar, 'H100').length, 1 + n.runs.length);
});

test('no N* interval, no search; a search out of time says so and names nothing it did not check', () => {
  const law = family();
  const fixed = ok(planBudget({ budget: { kind: 'flops', flops: 1e21, text: '1e21' }, params: 1e9 }, { lossLaw: law }));
  assert.equal(fixed.frontierUncertainty, undefined);
  assert.equal(frontierNarrowing(fixed, law), undefined);
  const plan = ok(planBudget({ budget: { kind: 'flops', flops: 1e21, text: '1e21' } }, { lossLaw: law }));
  const late = frontierNarrowing(plan, law, { deadline: Date.now() - 1 });
  assert.ok(late && late.timedOut && late.runs.length === 0, JSON.stringify(late));
  assert.match(late.note, /time budget/);
});

test("each named run earns its place on its own cut, and its line reports that cut, not the runs' sum", () => {
  const law = family();
  // On this family at 1e21 FLOPs the search's second run removes 17% of the log width with the first (13%) but 4.6% by itself.
  for (const flops of [1e20, 1e21]) {
    const plan = ok(planBudget({ budget: { kind: 'flops', flops, text: String(flops) } }, { lossLaw: law }));
    const u = plan.frontierUncertainty!;
    const n = frontierNarrowing(plan, law)!;
    assert.ok(n.runs.length >= 1, JSON.stringify(n));
    const nowLogWidth = Math.log(u.nStar[1] / u.nStar[0]);
    let before = u.nStar;
    for (const r of n.runs) {
      const own = (Math.log(before[1] / before[0]) - Math.log(r.nStarAfter[1] / r.nStarAfter[0])) / nowLogWidth;
      assert.ok(Math.abs(r.cut - own) < 1e-9, `${flops}: cut ${r.cut}, own ${own}`);
      assert.ok(own >= 0.05, `${flops}: a run that removes ${own} on its own is listed`);
      before = r.nStarAfter;
    }
    const lines = narrowingLines(n, u.nStar, 'H100');
    n.runs.forEach((r, i) => assert.ok(lines[1 + i].includes(`${(100 * r.cut).toFixed(0)}% narrower in log width`), lines[1 + i]));
  }
});

test('a narrowing search cut short by its time budget says so', () => {
  const law = family();
  const plan = ok(planBudget({ budget: { kind: 'flops', flops: 1e21, text: '1e21' } }, { lossLaw: law }));
  const n = frontierNarrowing(plan, law, { deadline: Date.now() - 1 });
  assert.ok(n);
  assert.equal(n.timedOut, true);
  assert.match(n.note, /cut short by its time budget|before the time budget ran out/);
  // Given time, the same search is not cut short and does not say it was.
  const full = frontierNarrowing(plan, law);
  assert.equal(full?.timedOut, false);
  assert.doesNotMatch(full!.note, /cut short|time budget ran out/);
});
