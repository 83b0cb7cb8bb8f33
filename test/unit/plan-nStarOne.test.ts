// One N* and one N* interval for one target compute (issues 15/18): `plan`, `ladder`, Plan Compute
// Budget and Plan Experiments take it from one computation (budget.ts familyFrontier), and the
// ladder's "N* after each run" starts from the planner's width. The family is the audit's shape
// (three sizes, every run at the same tokens, as runs of one step count): there the ladder's own
// linearised N* spread said "unidentified (×>1000)" while the planner gave a bootstrap interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCrossRun, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { planBudget, type BudgetContext, type BudgetPlan } from '../../src/core/plan/budget';
import { planLadder, type LadderExistingRun, type LadderPlan } from '../../src/core/plan/ladder';
import { familyModel } from '../../src/core/plan/familyModel';
import { frontierNarrowing } from '../../src/core/plan/frontierNarrowing';
import { nStarText } from '../../src/core/plan/nStarText';
import { planText } from '../../src/cliCommands/plan';
import { ladderText } from '../../src/cliCommands/ladder';
import { ladderMarkdown } from '../../src/core/plan/ladderRequest';
import { planMarkdown } from '../../src/core/plan/budgetRequest';

const TRUE = { E: 1.8, A: 480, B: 2100, alpha: 0.34, beta: 0.28 };
const lossOf = (n: number, d: number) => TRUE.E + TRUE.A / n ** TRUE.alpha + TRUE.B / d ** TRUE.beta;
/** 24,000 steps of 524,288 tokens: every finished run at one D. */
const TOKENS = 24000 * 524288;

function family(): NonNullable<BudgetContext['lossLaw']> {
  const points: CrossRunPoint[] = [];
  [2.5e7, 1e8, 4e8].forEach((n, i) =>
    [0, 1].forEach((k) => points.push({ runId: `run-${i}-${k}`, params: n, tokens: TOKENS, loss: lossOf(n, TOKENS) * (1 + 0.004 * Math.sin(5 * i + 3 * k)) })),
  );
  const fit = fitCrossRun(points, { seed: 1, resamples: 60 });
  if ('error' in fit) throw new Error(fit.error);
  return { fit, family: 'one-d', runsUsed: fit.runIds, points };
}

const ok = <T extends object>(r: T | { error: string }): T => {
  if ('error' in r) throw new Error(r.error);
  return r;
};

function ladderFor(law: NonNullable<BudgetContext['lossLaw']>, target: Parameters<typeof planLadder>[0]['target'], withLaw = true): LadderPlan {
  const runs: LadderExistingRun[] = (law.points ?? []).map((p) => ({ runId: p.runId, params: p.params, tokens: p.tokens, loss: p.loss, status: 'finished' }));
  const model = familyModel({ ...law });
  return ok(planLadder({ target, runs, family: law.family, seed: 1, maxRuns: 4 }, { fit: law.fit, model, ...(withLaw ? { lossLaw: law } : {}) }));
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a / b - 1) < 1e-9, `${what}: ${a} vs ${b}`);

test('ladder and plan give one N* and one N* interval for one target compute', () => {
  const law = family();
  const flops = 3e20;
  const plan: BudgetPlan = ok(planBudget({ budget: { kind: 'flops', flops, text: '3e20' } }, { lossLaw: law }));
  const u = plan.frontierUncertainty!;
  assert.ok(u, 'the planner has an N* interval');

  // The disagreement as it was: the ladder's own linearised spread, far from the planner's.
  const alone = ladderFor(law, { kind: 'budget', budget: { kind: 'flops', flops, text: '3e20' } }, false);
  const planRatio = u.nStar[1] / u.nStar[0];
  assert.ok(
    alone.now!.nStarRatio > 3 * planRatio,
    `the linearised spread ×${alone.now!.nStarRatio.toPrecision(3)} vs the planner's ×${planRatio.toPrecision(3)}`,
  );

  // A budget target and a config of that compute: the planner's N*, interval and words.
  const byBudget = ladderFor(law, { kind: 'budget', budget: { kind: 'flops', flops, text: '3e20' } });
  const byConfig = ladderFor(law, { kind: 'model', params: 9e8, tokens: 4e10, flops, label: 'a config of 3e20 FLOPs' });
  for (const [name, l] of [
    ['budget', byBudget],
    ['config', byConfig],
  ] as const) {
    close(l.now!.nStar, plan.recommended.params, `${name}: N*`);
    close(l.now!.nStarInterval[0], u.nStar[0], `${name}: N* low`);
    close(l.now!.nStarInterval[1], u.nStar[1], `${name}: N* high`);
    const words = nStarText(plan.recommended.params, u.nStar);
    assert.ok(ladderText(l).includes(words), `${name}: ladder text says ${words}`);
    assert.ok(ladderMarkdown(l).includes(words), `${name}: Plan Experiments says ${words}`);
    assert.ok(planText(plan).includes(words), `plan text says ${words}`);
    assert.ok(planMarkdown(plan, law.family).includes(words), `Plan Compute Budget says ${words}`);
  }
  // The budget target is the planner's recommendation.
  close(byBudget.target.params, plan.recommended.params, 'the budget target N');

  // "N* after each run" starts from the planner's width and never widens.
  let width = Math.log(u.nStar[1] / u.nStar[0]);
  assert.ok(byBudget.runs.length > 0, 'the ladder plans runs');
  for (const r of byBudget.runs) {
    const w = Math.log(r.after.nStarInterval[1] / r.after.nStarInterval[0]);
    assert.ok(w <= width * (1 + 1e-9), `run ${r.order}: N* log width ${w} after ${width}`);
    assert.ok(r.after.nStarInterval[0] <= r.after.nStar && r.after.nStar <= r.after.nStarInterval[1]);
    width = w;
  }
});

test("Plan Compute Budget's runs that would narrow N* are the ladder's, with its intervals", () => {
  const law = family();
  const plan: BudgetPlan = ok(planBudget({ budget: { kind: 'flops', flops: 3e20, text: '3e20' } }, { lossLaw: law }));
  const n = frontierNarrowing(plan, law)!;
  assert.ok(n && n.runs.length >= 1, JSON.stringify(n));
  const ladder = ladderFor(law, { kind: 'budget', budget: { kind: 'flops', flops: 3e20, text: '3e20' } });
  // The same search on the N* objective; what both share is the interval "after" a given run.
  let before = plan.frontierUncertainty!.nStar;
  for (const r of n.runs) {
    assert.ok(r.nStarAfter[1] / r.nStarAfter[0] < before[1] / before[0], `${r.nStarAfter} vs ${before}`);
    before = r.nStarAfter;
  }
  assert.ok(ladder.now!.nStarInterval[0] === plan.frontierUncertainty!.nStar[0]);
});
