// The real example (examples-real/: the Multi-Power Law curves of Luo et al. 2025, three 72k cosine
// runs cut to their first 30%) through the engine: the live runs' forecasts against their held-back
// ends, one monotone family model, and the planned config, the live run and the planner agreeing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { WORKSPACE_FILE_NAME } from '../../src/core/runs/workspaceFile';
import { planBudget, type BudgetCandidate } from '../../src/core/plan/budget';
import { familyModel, monotonicityViolations } from '../../src/core/plan/familyModel';
import { scalingSeries } from '../../src/shared/chartSeries';

const root = path.resolve(__dirname, '../../examples-real');
const truth = JSON.parse(fs.readFileSync(path.join(root, 'TRUTH.json'), 'utf8')) as {
  runs: Record<string, { finalLoss: number; heldBack?: string; params: number; tokens: number }>;
  configs: Record<string, { params: number; tokens: number }>;
};
const list = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name)) : [path.join(dir, e.name)]));
const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
for (const f of list(root).filter((f) => isDefaultLogFile(path.relative(root, f)) || path.basename(f) === WORKSPACE_FILE_NAME)) engine.update(f, root);
const snapshot = engine.snapshot();
const family = snapshot.families.find((f) => f.family === 'multipower-llama2')!;
const overtrain = engine.overtrainLaw(family)!;
const lossLaw = { fit: family.fit!, family: family.family, runsUsed: family.runIds, overtrain, points: family.points, anchoredRunIds: family.anchoredRunIds };
const model = familyModel(lossLaw);
const HEADLINE = 'runs/llama-400m/cosine_72000';

test('real example: every held-back run is forecast from its siblings within 1% of its true end', () => {
  const held = Object.entries(truth.runs).filter(([, r]) => r.heldBack);
  assert.equal(held.length, 3);
  for (const [id, r] of held) {
    const run = snapshot.runs.find((x) => x.id === id)!;
    assert.equal(run.status, 'live', id);
    assert.equal(run.curve?.provenance, 'from siblings', id);
    const v = run.curve!.predictedFinal.value;
    assert.ok(Math.abs(v / r.finalLoss - 1) < 0.01, `${id}: ${v} vs ${r.finalLoss}`);
  }
});

test('real example: one monotone family model that fits its runs, without the over-training law that misses them', () => {
  assert.ok(family.fit && !('error' in overtrain), 'both laws fitted');
  assert.deepEqual(family.excludedRunIds?.length, 12, 'the runs whose LR never reaches 3e-5 are out of the family law');
  assert.deepEqual(monotonicityViolations(model), []);
  assert.ok(
    model.warnings.some((w) => /over-training law .* not blended: its fit misses/.test(w)),
    model.warnings.join('\n'),
  );
  for (const p of family.points!.filter((p) => !family.anchoredRunIds?.includes(p.runId))) {
    const v = model.predict(p.params, p.tokens).value;
    assert.ok(Math.abs(v / p.loss - 1) < 0.01, `${p.runId}: model ${v} vs ${p.loss}`);
  }
});

test('real example: the runs .scalinglens.yaml excludes are drawn apart in the scaling view, with why, never as points the law was fitted to', () => {
  const view = snapshot.scaling.find((v) => v.family === family.family)!;
  const outside = view.points.filter((p) => p.notInFit !== undefined);
  assert.deepEqual(outside.map((p) => p.runId).sort(), [...family.excludedRunIds!].sort());
  for (const p of outside) {
    assert.match(p.notInFit!, /^excluded from the fit by .*\.scalinglens\.yaml:\d+$/, p.runId);
    // At the run's last logged loss, not a forecast of it.
    assert.equal(p.loss, snapshot.runs.find((r) => r.id === p.runId)!.lastLoss, p.runId);
  }
  const series = scalingSeries(snapshot, { family: family.family, yScale: 'linear' });
  const ids = (kind: string) => series.filter((s) => s.kind === kind).flatMap((s) => s.points.map((p) => p.runId));
  assert.deepEqual(ids('not_in_fit').sort(), [...family.excludedRunIds!].sort());
  for (const kind of ['final', 'held_out', 'predicted']) assert.ok(!ids(kind).some((id) => family.excludedRunIds!.includes(id!)), kind);
  // Every run the law was fitted to is still drawn as one.
  const fitted = family.points!.filter((p) => !family.anchoredRunIds?.includes(p.runId)).map((p) => p.runId);
  assert.deepEqual([...ids('final'), ...ids('held_out')].sort(), [...new Set(fitted)].sort());
});

test('real example: the planned config, the live run and the plan at the config compute agree', () => {
  const live = snapshot.runs.find((r) => r.id === HEADLINE)!;
  const forecast = live.curve!.predictedFinal;
  const planned = truth.configs['configs/planned-1b'];
  const atPlanned = model.predict(planned.params, planned.tokens);
  const atLive = model.predict(live.hyper.params!, live.hyper.tokens!);
  assert.equal(planned.tokens, live.hyper.tokens);
  assert.ok(atPlanned.value < forecast.value && atPlanned.value < atLive.value, `${atPlanned.value} vs ${forecast.value}, ${atLive.value}`);
  assert.ok(atLive.interval[0] <= forecast.value && forecast.value <= atLive.interval[1], `${forecast.value} in [${atLive.interval}]`);
  const flops = 6 * planned.params * planned.tokens;
  const plan = planBudget({ budget: { kind: 'flops', flops, text: String(flops) } }, { lossLaw });
  assert.ok(!('error' in plan), JSON.stringify(plan));
  const lossOf = (c: BudgetCandidate) => (c.loss as { value: number }).value;
  for (const c of [plan.recommended, ...plan.alternatives]) {
    assert.equal(lossOf(c), model.predict(c.params, c.tokens).value, c.label);
    assert.ok(lossOf(c) >= lossOf(plan.recommended), c.label);
  }
  assert.ok(lossOf(plan.recommended) <= atPlanned.value, `plan ${lossOf(plan.recommended)} vs config ${atPlanned.value}`);
});

test('real example: the family model at each run of the family is the number the product shows for that run', () => {
  // Live runs: the forecast the status bar shows (the family anchors it rounded to 1e-3);
  // finished runs: their measured end, or the median of the runs at the same N and D (schedules of one length).
  for (const p of family.points!) {
    const run = snapshot.runs.find((r) => r.id === p.runId)!;
    const shown = family.anchoredRunIds?.includes(p.runId) ? run.curve!.predictedFinal.value : p.loss;
    const same = family.points!.filter((q) => q.params === p.params && q.tokens === p.tokens).map((q) => q.loss);
    const spread = Math.max(...same) / Math.min(...same) - 1;
    const v = model.predict(p.params, p.tokens).value;
    assert.ok(Math.abs(v / shown - 1) <= spread + 5e-4 / shown, `${p.runId}: model ${v} vs shown ${shown} (spread ${spread})`);
    if (same.length === 1) assert.ok(Math.abs(v - p.loss) < 1e-9, `${p.runId}: ${v} vs its point ${p.loss}`);
  }
  const live = snapshot.runs.find((r) => r.id === HEADLINE)!;
  const law = familyModel({ ...lossLaw, throughRuns: false }).predict(live.hyper.params!, live.hyper.tokens!).value;
  assert.ok(Math.abs(law / live.curve!.predictedFinal.value - 1) > 0.005, 'the law alone is another number there (0.8% off)');
});
