// One model per family: the planner's rows and recommendation, a config's lens and the
// monotonicity of the model all come from the same fitted object (plan/familyModel.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import * as fs from 'node:fs';
import { planBudget, type BudgetCandidate } from '../../src/core/plan/budget';
import { BACKTESTED_COMPUTE_RATIO, distanceFrom, familyModel, monotonicityViolations, nonMonotoneRuns } from '../../src/core/plan/familyModel';
import { fitCrossRun, type CrossRunFit } from '../../src/core/fit/crossRun';

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const examples = path.resolve(__dirname, '../../examples');
const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
for (const f of listFiles(examples).filter(isDefaultLogFile)) engine.update(f, examples);
const family = engine.snapshot().families.find((f) => f.family === 'example-sweep')!;
const overtrain = engine.overtrainLaw(family)!;
const lossLaw = { fit: family.fit!, family: family.family, runsUsed: family.runIds, overtrain, points: family.points, anchoredRunIds: family.anchoredRunIds };
const model = familyModel(lossLaw);

const lossOf = (c: BudgetCandidate) => {
  assert.ok(!('uncalibrated' in c.loss), c.label);
  return (c.loss as { value: number }).value;
};

test('family model of the example sweep: more parameters and more tokens never predict worse; its runs agree', () => {
  assert.ok(family.fit && !('error' in overtrain), 'the example family has both fits');
  assert.deepEqual(monotonicityViolations(model), []);
  assert.deepEqual(nonMonotoneRuns(family.points!), []);
});

test('planner on the example family: the recommendation is the argmin of the model that scores every row', () => {
  for (const flops of [1e19, 1e21, 1e23]) {
    const plan = planBudget({ budget: { kind: 'flops', flops, text: String(flops) } }, { lossLaw });
    assert.ok(!('error' in plan), JSON.stringify(plan));
    const rec = lossOf(plan.recommended);
    for (const c of [plan.recommended, ...plan.alternatives]) {
      // The same model for every row.
      assert.equal(lossOf(c), model.predict(c.params, c.tokens).value, c.label);
      assert.ok(lossOf(c) >= rec, `${flops}: "${c.label}" ${lossOf(c)} beats the recommendation ${rec}`);
    }
    // A local minimum along the budget too: 5% either way costs loss.
    for (const f of [0.95, 1.05]) {
      const n = plan.recommended.params * f;
      assert.ok(model.predict(n, flops / (6 * n)).value >= rec - 1e-12, `${flops}: N×${f}`);
    }
    assert.match(plan.objective, /every row is scored by that same model/);
    // The frontier's uncertainty: the recommendation inside its bootstrap interval, neighbours cost loss.
    const u = plan.frontierUncertainty!;
    assert.ok(u.nStar[0] <= plan.recommended.params && plan.recommended.params <= u.nStar[1], `${flops}: ${u.nStar} vs ${plan.recommended.params}`);
    assert.ok(u.dStar[0] <= plan.recommended.tokens && plan.recommended.tokens <= u.dStar[1]);
    assert.ok(u.halfSizeCostPct >= 0 && u.doubleSizeCostPct >= 0);
  }
});

test('planner states its distance from the data and labels what backtests do not cover', () => {
  const largest = family.points!.filter((p) => !family.anchoredRunIds?.includes(p.runId)).reduce((a, b) => (b.params * b.tokens > a.params * a.tokens ? b : a));
  const largestFlops = 6 * largest.params * largest.tokens;
  const far = planBudget({ budget: { kind: 'flops', flops: 1e21, text: '1e21' } }, { lossLaw });
  assert.ok(!('error' in far));
  const d = (far.recommended.loss as { distance: ReturnType<typeof distanceFrom> }).distance;
  assert.equal(d.largestRunId, largest.runId);
  assert.ok(Math.abs(d.computeRatio / (1e21 / largestFlops) - 1) < 1e-9, `${d.computeRatio}`);
  assert.equal(d.notValidated, true);
  assert.ok(far.notes.some((n) => /not validated that far/.test(n)), far.notes.join('\n'));
  assert.ok(far.recommended.notes.some((n) => /^Distance from the data: \d+× the compute of the largest finished run \(sweep\/llama-187m\)/.test(n)));
  const near = planBudget({ budget: { kind: 'flops', flops: largestFlops * 4, text: 'x' } }, { lossLaw });
  assert.ok(!('error' in near));
  const dn = (near.recommended.loss as { distance: ReturnType<typeof distanceFrom> }).distance;
  assert.ok(dn.computeRatio <= BACKTESTED_COMPUTE_RATIO && !dn.notValidated);
  assert.ok(!near.notes.some((n) => /not validated that far/.test(n)));
});

test('runs that contradict monotonicity are named; a fit on too few runs says its priors carry it', () => {
  const points = [
    { runId: 'small', params: 1e8, tokens: 2e9, loss: 3.5 },
    { runId: 'big', params: 2e8, tokens: 4e9, loss: 3.6 },
    { runId: 'mid', params: 1.5e8, tokens: 3e9, loss: 3.4 },
  ];
  const notes = nonMonotoneRuns(points);
  assert.equal(notes.length, 2);
  assert.ok(notes.every((n) => n.startsWith('big ')));
  const fit = fitCrossRun(points, { seed: 1, resamples: 10 }) as CrossRunFit;
  const m = familyModel({ family: 'f', fit, runsUsed: fit.runIds, points });
  assert.ok(m.warnings.some((w) => /lean on published priors/.test(w)), m.warnings.join('\n'));
});
