// Plan the ladder (core/plan/ladder.ts): the recipe for an empty family, the greedy choice with
// runs, the costs and hyperparameters of each run, and live re-planning statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LADDER_INTERVAL_FACTOR,
  LADDER_INTERVAL_MIN_RATIO,
  LADDER_INTERVAL_MIN_RUNS,
  planLadder,
  recipeSpecs,
  smallestLadderParams,
  type LadderPlan,
  type LadderExistingRun,
} from '../../src/core/plan/ladder';
import { familyModel } from '../../src/core/plan/familyModel';
import { crossRunDistanceFloor } from '../../src/core/fit/calibration';
import { ladderOverlay } from '../../src/core/plan/ladderRequest';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { referenceParams } from '../../src/core/fit/crossRunLaw';
import { fitCrossRun } from '../../src/core/fit/crossRun';

function ok(p: LadderPlan | { error: string }): LadderPlan {
  if ('error' in p) assert.fail(p.error);
  return p;
}

const target = { kind: 'model' as const, params: 7e9, tokens: 140e9 };

test('empty family: IsoFLOP recipe within 1% of the target compute, cheapest budget first, widths shrinking', () => {
  const plan = ok(planLadder({ target }));
  assert.equal(plan.strategy, 'recipe');
  assert.equal(plan.now, undefined);
  const targetFlops = 6 * 7e9 * 140e9;
  assert.ok(Math.abs(plan.budget.flops / targetFlops - 0.01) < 1e-12);
  assert.ok(plan.planned.flops <= plan.budget.flops * (1 + 1e-9), `${plan.planned.flops} ≤ ${plan.budget.flops}`);
  assert.ok(plan.planned.flops >= 0.95 * plan.budget.flops, 'the recipe spends the budget');
  const iso = plan.runs.filter((r) => r.role === 'isoflop');
  const budgets = [...new Set(iso.map((r) => r.isoflopFlops))];
  // 1% of 7B × 140B affords two budgets whose five sizes are all at least the smallest ladder model.
  assert.equal(budgets.length, 2);
  assert.equal(iso.length, 5 * budgets.length, 'every IsoFLOP budget keeps its five sizes');
  for (const r of iso) {
    assert.ok(r.params >= smallestLadderParams(50304) * (1 - 1e-9), `${r.params} parameters`);
    assert.ok(r.shape.nLayer >= 6, `${r.shape.nLayer} layers`);
  }
  for (let i = 1; i < budgets.length; i++) assert.ok(Math.abs(budgets[i]! / budgets[i - 1]! - 4) < 1e-9, 'budgets 4× apart in compute');
  // Tokens per parameter spread over more than a decade (identifies the data term).
  const ratios = iso.map((r) => r.tokensPerParam);
  assert.ok(Math.max(...ratios) / Math.min(...ratios) > 30);
  // Each run's compute matches its IsoFLOP budget; order is by budget.
  for (const r of iso) assert.ok(Math.abs(r.flops / r.isoflopFlops! - 1) < 1e-9);
  for (let i = 1; i < plan.runs.length; i++) {
    assert.equal(plan.runs[i].order, i + 1);
    assert.ok(plan.runs[i].after.lossWidth <= plan.runs[i - 1].after.lossWidth + 1e-12, 'adding a run never widens the interval');
    assert.ok(plan.runs[i].cumulative.flops > plan.runs[i - 1].cumulative.flops);
  }
  const last = plan.runs[plan.runs.length - 1];
  assert.ok(last.after.lossWidth < plan.runs[0].after.lossWidth / 2, 'the ladder narrows the interval');
  assert.ok(plan.stop.afterOrder >= 1 && plan.stop.afterOrder <= plan.runs.length);
  assert.ok(plan.stop.lossWidth <= 1.1 * last.after.lossWidth + 1e-12);
  for (const r of plan.runs) {
    assert.equal(r.status, 'planned');
    assert.ok(r.reason.length > 10);
    assert.ok(r.shape.nLayer >= 1 && r.shape.dModel >= 64);
    assert.ok(r.lr.value > 1e-5 && r.lr.value < 1e-1, `lr ${r.lr.value}`);
    assert.ok(r.batchTokens.value > 1e3);
    assert.ok(r.gpuHours > 0 && Math.abs(r.usd - r.gpuHours * plan.hardware.usdPerHour) < 1e-6 * r.usd);
    assert.ok(r.after.lossInterval[0] < r.after.loss && r.after.loss < r.after.lossInterval[1]);
    assert.ok(r.after.nStarRatio > 1);
  }
  assert.match(plan.runs[0].reason, /data exponent/);
  assert.equal(new Set(plan.runs.map((r) => r.id)).size, plan.runs.length, 'ids unique');
});

test('over-trained target: the recipe adds runs at its tokens per parameter', () => {
  const plan = ok(planLadder({ target: { kind: 'model', params: 1e9, tokens: 1e12 }, fraction: 0.03 }));
  const at = plan.runs.filter((r) => r.role === 'target-ratio');
  assert.equal(at.length, 2);
  for (const r of at) assert.ok(Math.abs(r.tokensPerParam - 1000) < 1e-6);
});

test('budget target and ladder budget in GPU-hours; errors are messages', () => {
  const plan = ok(
    planLadder({
      target: { kind: 'budget', budget: { kind: 'flops', flops: 1e22, text: '1e22' } },
      ladderBudget: { kind: 'gpuHours', gpuHours: 2000, hardware: 'H100', text: '2000 H100-h' },
    }),
  );
  assert.ok(Math.abs(plan.target.flops / 1e22 - 1) < 1e-9);
  assert.ok(Math.abs(plan.budget.gpuHours - 2000) < 1e-6);
  assert.ok(plan.planned.gpuHours <= 2000 * (1 + 1e-9));
  assert.match((planLadder({ target, hardware: 'nope' }) as { error: string }).error, /unknown hardware "nope"/);
  assert.match((planLadder({ target: { kind: 'model', params: -1, tokens: 1e9 } }) as { error: string }).error, /positive/);
  assert.match((planLadder({ target, fraction: 2 }) as { error: string }).error, /fraction/);
});

test('recipe budgets scale with the ladder compute', () => {
  const theta = referenceParams(chinchillaLaw);
  const small = recipeSpecs(theta, 7e9, 140e9, 1e20);
  const big = recipeSpecs(theta, 7e9, 140e9, 1e21);
  const sum = (s: typeof small) => s.reduce((k, x) => k + 6 * x.params * x.tokens, 0);
  assert.ok(Math.abs(sum(small) / 1e20 - 1) < 1e-9);
  assert.ok(Math.abs(sum(big) / 1e21 - 1) < 1e-9);
});

// A family drawn from the published law with 1% scatter (deterministic).
function family(): LadderExistingRun[] {
  const theta = referenceParams(chinchillaLaw);
  const out: LadderExistingRun[] = [];
  let k = 0;
  for (const n of [2e7, 5e7, 1.2e8]) {
    for (const r of [10, 20, 40]) {
      const d = n * r;
      const wobble = 1 + 0.01 * Math.sin(++k * 2.3);
      out.push({ runId: `r${k}`, params: n, tokens: d, loss: chinchillaLaw.evaluate(theta, [n, d]) * wobble, status: 'finished' });
    }
  }
  return out;
}

test('with runs: greedy picks by width reduction per FLOP, deterministic, within the budget', () => {
  const runs = family();
  const request = { target, runs, ladderBudget: { kind: 'flops' as const, flops: 3e20, text: '3e20' }, seed: 7 };
  const a = ok(planLadder(request));
  const b = ok(planLadder(request));
  assert.deepEqual(a, b, 'same seed, same plan');
  assert.equal(a.strategy, 'greedy');
  assert.ok(a.now, 'the prediction with the finished runs alone');
  assert.ok(a.planned.runs >= 1);
  assert.ok(a.planned.flops <= 3e20 * (1 + 1e-9));
  let prev = a.now!.lossWidth;
  for (const r of a.runs) {
    assert.ok(r.after.lossWidth < prev, 'each greedy run narrows the interval');
    prev = r.after.lossWidth;
    assert.match(r.reason, /narrows the target's loss interval/);
  }
});

test('with the family model: "now" is its interval at the target (the lens\'s) calibrated as every width of the plan, "after" takes the distance floor from the largest run', () => {
  const runs = family();
  const points = runs.map((r) => ({ runId: r.runId, params: r.params, tokens: r.tokens, loss: r.loss! }));
  const fit = fitCrossRun(points, { seed: 1, resamples: 40 });
  assert.ok(!('error' in fit));
  const model = familyModel({ family: 'f', fit, runsUsed: points.map((p) => p.runId), points });
  const lens = model.predict(target.params, target.tokens);
  const plan = ok(planLadder({ target, runs, ladderBudget: { kind: 'flops', flops: 3e20, text: '3e20' } }, { fit, model }));
  assert.deepEqual(plan.lensNow!.lossInterval, lens.interval);
  assert.equal(plan.lensNow!.loss, lens.value);
  // The target is 6·7e9·1.4e11 / (6·1.2e8·4.8e9) ≈ 1700× the largest run: the floor is most of the width.
  const ratioNow = (target.params * target.tokens) / (1.2e8 * 4.8e9);
  const floor = crossRunDistanceFloor(ratioNow);
  assert.ok(plan.lensNow!.lossWidth >= 2 * Math.sinh(floor) - 1e-12);
  // "Now" on the plan's scale (the family has ≥ LADDER_INTERVAL_MIN_RUNS runs): the factor × the floor, at most the lens's.
  assert.ok(runs.filter((r) => r.status === 'finished').length >= LADDER_INTERVAL_MIN_RUNS);
  assert.equal(plan.now!.loss, lens.value);
  const hNow = Math.min(LADDER_INTERVAL_FACTOR * crossRunDistanceFloor(Math.max(LADDER_INTERVAL_MIN_RATIO, ratioNow)), Math.log(lens.interval[1] / lens.value));
  assert.ok(Math.abs(Math.log(plan.now!.lossInterval[1] / plan.now!.loss) - hNow) < 1e-9, `now: ${plan.now!.lossInterval}`);
  assert.ok(plan.now!.lossWidth < plan.lensNow!.lossWidth);
  // Each planned run: the same model's loss, its interval the ladder's calibration, ±LADDER_INTERVAL_FACTOR
  // × the lens's distance floor from the largest run so far (planned ones counted), in log.
  let largest = 1.2e8 * 4.8e9;
  for (const r of plan.runs.filter((x) => x.status === 'planned')) {
    largest = Math.max(largest, r.params * r.tokens);
    const ratio = (target.params * target.tokens) / largest;
    const f = crossRunDistanceFloor(Math.max(LADDER_INTERVAL_MIN_RATIO, ratio));
    assert.ok(Math.abs(Math.log(r.after.lossInterval[1] / r.after.loss) - LADDER_INTERVAL_FACTOR * f) < 1e-9, `${r.id}: the floor ${f} × the factor`);
    assert.ok(Math.abs(Math.log(r.after.loss / r.after.lossInterval[0]) - LADDER_INTERVAL_FACTOR * f) < 1e-9, `${r.id}: symmetric in log`);
    assert.ok(Math.log(r.after.lossInterval[1] / r.after.loss) < crossRunDistanceFloor(ratio), `${r.id}: narrower than the lens's floor`);
    assert.equal(r.after.loss, lens.value);
  }
  // With no planned run: start = after = now, on the plan's scale.
  const none = ok(planLadder({ target, runs, ladderBudget: { kind: 'flops', flops: 1e10, text: '1e10' } }, { fit, model }));
  assert.equal(none.planned.runs, 0);
  assert.deepEqual(none.after.lossInterval, plan.now!.lossInterval);
  assert.deepEqual(none.start.lossInterval, plan.now!.lossInterval);
  // Without the model (no bootstrap to match), the linearised width takes the same floor.
  const bare = ok(planLadder({ target, runs, ladderBudget: { kind: 'flops', flops: 3e20, text: '3e20' } }));
  assert.ok(Math.log(bare.lensNow!.lossInterval[1] / bare.lensNow!.loss) >= floor - 1e-12);
  assert.ok(bare.now!.lossWidth <= bare.lensNow!.lossWidth, "and is calibrated as the plan's");
});

test("a family whose law misses its own largest run: every width the plan shows is at least that leave-largest-out miss (at most the lens's)", () => {
  const runs = family();
  const points = runs.map((r) => ({ runId: r.runId, params: r.params, tokens: r.tokens, loss: r.loss! }));
  const fitted = fitCrossRun(points, { seed: 1, resamples: 40 });
  assert.ok(!('error' in fitted) && fitted.validation, 'nine runs: the fit checks its largest from the others');
  // The same fit, its check missing the largest run by 25% in log (Kaplan-style Porian ladders miss theirs by 7–29%).
  const miss = 0.25;
  const fit = { ...fitted, validation: { ...fitted.validation, observed: fitted.validation.predicted * Math.exp(miss) } };
  const model = familyModel({ family: 'f', fit, runsUsed: points.map((p) => p.runId), points });
  const lens = model.predict(target.params, target.tokens);
  const budget = { kind: 'flops' as const, flops: 3e20, text: '3e20' };
  const plan = ok(planLadder({ target, runs, ladderBudget: budget }, { fit, model }));
  const plain = ok(planLadder({ target, runs, ladderBudget: budget }, { fit: fitted, model }));
  const lensSide = Math.log(lens.interval[1] / lens.value);
  const ratioNow = (target.params * target.tokens) / (1.2e8 * 4.8e9);
  const hNow = Math.min(Math.max(LADDER_INTERVAL_FACTOR * crossRunDistanceFloor(ratioNow), miss), lensSide);
  assert.ok(hNow > LADDER_INTERVAL_FACTOR * crossRunDistanceFloor(ratioNow), 'the miss is wider than the calibrated floor here');
  assert.ok(Math.abs(Math.log(plan.now!.lossInterval[1] / plan.now!.loss) - hNow) < 1e-9, `now: ${plan.now!.lossInterval}`);
  assert.ok(plan.now!.lossWidth > plain.now!.lossWidth, 'wider than without the miss');
  for (const r of plan.runs.filter((x) => x.status === 'planned'))
    assert.ok(Math.log(r.after.lossInterval[1] / r.after.loss) >= Math.min(miss, lensSide) - 1e-9, `${r.id}: at least the miss`);
  assert.match(plan.method, /leave-largest-out miss \(25\.0%\)/);
});

/** A family whose fitted law passes its own check, and plans for it with its leave-largest-out miss set to `miss`. */
function missingLawSetup() {
  const runs = family();
  const points = runs.map((r) => ({ runId: r.runId, params: r.params, tokens: r.tokens, loss: r.loss! }));
  const fitted = fitCrossRun(points, { seed: 1, resamples: 40 });
  assert.ok(!('error' in fitted) && fitted.validation, 'nine runs: the fit checks its largest from the others');
  const modelOf = (fit: typeof fitted) => familyModel({ family: 'f', fit, runsUsed: points.map((p) => p.runId), points });
  // A target of 4.05e20 FLOPs (30 tokens per parameter), a ladder of 37% of it among a grid of smaller runs.
  const budget = { kind: 'flops' as const, flops: 1.5e20, text: '1.5e20' };
  const near = { kind: 'model' as const, params: 1.5e9, tokens: 45e9 };
  const candidates: { params: number; tokens: number }[] = [];
  for (const n of [2e7, 4e7, 8e7, 1.6e8, 3.2e8]) for (const r of [5, 10, 20, 40, 80, 160]) candidates.push({ params: n, tokens: n * r });
  // Its largest run is 2x the next in compute: the floor there (taken at 4x) is 5.8%.
  const floor = crossRunDistanceFloor(LADDER_INTERVAL_MIN_RATIO);
  const missOf = (f: typeof fitted) => Math.abs(Math.log(f.validation!.observed / f.validation!.predicted));
  assert.ok(missOf(fitted) < floor, `the fitted law passes its check (${missOf(fitted)})`);
  const planOf = (miss: number, wholeLadderExchange?: boolean) => {
    const fit = { ...fitted, validation: { ...fitted.validation!, observed: fitted.validation!.predicted * Math.exp(miss) } };
    return ok(planLadder({ target: near, runs, candidates, ladderBudget: budget, wholeLadderExchange }, { fit, model: modelOf(fit) }));
  };
  return { planOf, floor, budget };
}

const spreadNote = /spread over the budget as a whole/;

test("with the whole-ladder exchange on, a family whose law misses its own largest run by more than the distance floor: the ladder is spread over the budget as a whole, cheapest first; one that passes its check keeps the greedy's", () => {
  const { planOf, floor, budget } = missingLawSetup();
  const passes = planOf(floor * 0.9, true);
  const misses = planOf(floor * 1.1, true);
  assert.match(misses.method, /coordinate exchange/);
  assert.ok(!passes.notes.some((n) => spreadNote.test(n)), "a miss under the floor: the greedy's ladder");
  assert.ok(
    misses.notes.some((n) => spreadNote.test(n)),
    misses.notes.join(' | '),
  );
  const planned = misses.runs.filter((r) => r.status === 'planned');
  const plannedBefore = passes.runs.filter((r) => r.status === 'planned');
  const setOf = (l: readonly { params: number; tokens: number }[]) => l.map((r) => `${r.params}/${r.tokens}`).sort();
  assert.notDeepEqual(setOf(planned), setOf(plannedBefore), 'the exchange changes which runs, not only their order');
  assert.ok(
    plannedBefore.some((r, i) => i > 0 && r.flops < plannedBefore[i - 1].flops),
    "the greedy's ladder is in its own order (here not cheapest first)",
  );
  assert.ok(misses.planned.flops <= budget.flops * (1 + 1e-9), 'within the budget');
  for (let i = 1; i < planned.length; i++) assert.ok(planned[i].flops >= planned[i - 1].flops, 'cheapest first');
  for (const r of planned) assert.match(r.reason, /one of a ladder spread over the budget as a whole/);
  assert.equal(new Set(planned.map((r) => `${r.params}/${r.tokens}`)).size, planned.length, 'no run twice');
  // The backtest's switch: the same miss without the exchange keeps the greedy's ladder.
  const greedyOnly = planOf(floor * 1.1, false);
  assert.ok(!greedyOnly.notes.some((n) => spreadNote.test(n)), greedyOnly.notes.join(' | '));
  const plannedGreedy = greedyOnly.runs.filter((r) => r.status === 'planned');
  for (const r of plannedGreedy) assert.doesNotMatch(r.reason, /one of a ladder spread over the budget as a whole/);
  const order = (l: readonly { params: number; tokens: number }[]) => l.map((r) => `${r.params}/${r.tokens}`);
  assert.notDeepEqual(order(plannedGreedy), order(planned), "the greedy's own order, not the exchange's cheapest first");
});

test("by default the plan does not exchange (off: it lost 2 of 24 held-out targets): a law missing its largest run by more than the floor keeps the greedy's ladder", () => {
  const { planOf, floor } = missingLawSetup();
  const byDefault = planOf(floor * 1.1);
  const exchanged = planOf(floor * 1.1, true);
  const greedyOnly = planOf(floor * 1.1, false);
  assert.ok(!byDefault.notes.some((n) => spreadNote.test(n)), byDefault.notes.join(' | '));
  assert.doesNotMatch(byDefault.method, /coordinate exchange/);
  const order = (p: typeof byDefault) => p.runs.filter((r) => r.status === 'planned').map((r) => `${r.params}/${r.tokens}`);
  for (const r of byDefault.runs.filter((x) => x.status === 'planned')) assert.doesNotMatch(r.reason, spreadNote);
  assert.deepEqual(order(byDefault), order(greedyOnly), "the greedy's ladder, as with wholeLadderExchange false");
  assert.notDeepEqual(order(byDefault), order(exchanged), 'not the ladder the exchange would plan');
});

test('distance dominates: nothing within the budget narrows the interval, the plan says so and names the cheapest run that would', () => {
  const runs = family();
  const points = runs.map((r) => ({ runId: r.runId, params: r.params, tokens: r.tokens, loss: r.loss! }));
  const fit = fitCrossRun(points, { seed: 1, resamples: 40 });
  assert.ok(!('error' in fit));
  const model = familyModel({ family: 'f', fit, runsUsed: points.map((p) => p.runId), points });
  // A 1.2B target on 24B tokens, 50× the largest run; a ladder of 1% of it buys only runs below that run.
  const near = { kind: 'model' as const, params: 1.2e9, tokens: 24e9 };
  const plan = ok(planLadder({ target: near, runs }, { fit, model }));
  assert.equal(plan.planned.runs, 0);
  assert.match(plan.stop.reason, /the distance from your largest run \(×50 in compute\) dominates the interval/);
  const d = plan.distance!;
  assert.ok(d.cheapest, d.text);
  // The distance line is in the lens's widths.
  assert.ok(d.cheapest.after.lossWidth <= 0.75 * plan.lensNow!.lossWidth + 1e-12, 'cuts the width by a quarter');
  assert.ok(d.cheapest.flops > 6 * 1.2e8 * 4.8e9, 'larger than the largest run');
  assert.ok(d.cheapest.shape.nLayer >= 6);
  assert.match(
    d.text,
    /The cheapest run that cuts it by a quarter \(.+ → .+ wide\): .+ parameters \(\d+ layers × d_model \d+\) on .+ tokens .+ H100-h ≈ \$.+; a ladder budget of .+ buys it\./,
  );
  // That budget plans a run that narrows the interval by about as much.
  const funded = ok(
    planLadder({ target: near, runs, ladderBudget: { kind: 'flops', flops: d.cheapest.ladderBudget.flops * 1.01, text: 'x' } }, { fit, model }),
  );
  assert.ok(funded.planned.runs >= 1);
  assert.ok(funded.after.lossWidth <= 0.8 * plan.lensNow!.lossWidth, `${funded.after.lossWidth} vs ${plan.lensNow!.lossWidth}`);
});

test('live re-planning: earlier runs matched as done / running, the rest kept or marked no longer needed', () => {
  const first = ok(planLadder({ target }));
  const [r1, r2, r3] = first.runs;
  const theta = referenceParams(chinchillaLaw);
  const runs: LadderExistingRun[] = [
    { runId: 'job-a', params: r1.params * 1.05, tokens: r1.tokens, loss: chinchillaLaw.evaluate(theta, [r1.params, r1.tokens]), status: 'finished' },
    { runId: 'job-b', params: r2.params, tokens: r2.tokens * 0.95, status: 'running' },
  ];
  const again = ok(planLadder({ target, runs, previous: first.runs.map((r) => ({ id: r.id, params: r.params, tokens: r.tokens })) }));
  const byId = new Map(again.runs.map((r) => [r.id, r]));
  assert.equal(byId.get(r1.id)?.status, 'done');
  assert.equal(byId.get(r1.id)?.matchedRunId, 'job-a');
  assert.equal(byId.get(r2.id)?.status, 'running');
  assert.ok(byId.has(r3.id), 'every earlier run is accounted for');
  for (const r of first.runs) assert.ok(byId.has(r.id), r.id);
  assert.ok(['planned', 'not-needed'].includes(byId.get(r3.id)!.status));
  // Order: done and running first.
  assert.deepEqual(
    again.runs.slice(0, 2).map((r) => r.status),
    ['done', 'running'],
  );
  assert.ok(again.runs.every((r, i) => r.order === i + 1));
});

test('among given candidates: only those, within budget, the plan\'s "after" is its last run\'s', () => {
  const theta = referenceParams(chinchillaLaw);
  const candidates: { params: number; tokens: number }[] = [];
  for (const n of [1e7, 3e7, 1e8, 3e8, 1e9]) for (const r of [5, 20, 80]) candidates.push({ params: n, tokens: n * r });
  const runs: LadderExistingRun[] = [{ runId: 'seed', params: 3e7, tokens: 6e8, loss: chinchillaLaw.evaluate(theta, [3e7, 6e8]), status: 'finished' }];
  const budget = 2e19;
  const plan = ok(planLadder({ target, runs, candidates, ladderBudget: { kind: 'flops', flops: budget, text: '2e19' } }));
  assert.equal(plan.strategy, 'greedy');
  assert.ok(plan.planned.runs >= 1);
  assert.ok(plan.planned.flops <= budget * (1 + 1e-9));
  for (const r of plan.runs)
    assert.ok(
      candidates.some((c) => c.params === r.params && c.tokens === r.tokens),
      `${r.params} ${r.tokens}`,
    );
  assert.equal(new Set(plan.runs.map((r) => `${r.params}/${r.tokens}`)).size, plan.runs.length, 'no candidate twice');
  assert.deepEqual(plan.after, plan.runs[plan.runs.length - 1].after);
  // An empty family with candidates is greedy too (the recipe cannot choose from a fixed grid).
  assert.equal(ok(planLadder({ target, candidates })).strategy, 'greedy');
});

test("a family at one tokens-per-parameter ratio: the ladder's N* spread uses the fit's published-split priors, as the planner's does", () => {
  // Six runs at 20 tokens/parameter on the published refit's surface, with a little scatter.
  const theta = referenceParams(chinchillaLaw);
  const points = [20e6, 40e6, 80e6, 160e6, 320e6, 640e6].map((n, i) => ({
    runId: `r${i}`,
    params: n,
    tokens: 20 * n,
    loss: chinchillaLaw.evaluate(theta, [n, 20 * n]) * (1 + 0.004 * (i % 2 ? 1 : -1)),
  }));
  const withSplit = fitCrossRun(points, { seed: 1, resamples: 40 });
  const without = fitCrossRun(points, { seed: 1, resamples: 40, priors: 'never' });
  assert.ok(!('error' in withSplit) && !('error' in without));
  assert.ok(withSplit.allocationPrior, 'the fit takes the published split');
  assert.equal(without.allocationPrior, undefined);
  const runs: LadderExistingRun[] = points.map((p) => ({ runId: p.runId, params: p.params, tokens: p.tokens, loss: p.loss, status: 'finished' }));
  const request = { target: { kind: 'model' as const, params: 2e9, tokens: 40e9 }, runs, seed: 1 };
  const pinned = ok(planLadder(request, { fit: withSplit }));
  const loose = ok(planLadder(request, { fit: without }));
  assert.ok(pinned.now!.nStarRatio < 20, `N* spread with the split's priors ×${pinned.now!.nStarRatio}`);
  assert.ok(loose.now!.nStarRatio > 3 * pinned.now!.nStarRatio, `without them ×${loose.now!.nStarRatio}`);
});

test('live re-planning with the distance floor: a larger run that finished makes the planned one no longer needed; the interval now against planned', () => {
  const theta = referenceParams(chinchillaLaw);
  const runs = family();
  const modelOf = (rs: LadderExistingRun[]) => {
    const points = rs.map((r) => ({ runId: r.runId, params: r.params, tokens: r.tokens, loss: r.loss! }));
    const fit = fitCrossRun(points, { seed: 1, resamples: 40 });
    assert.ok(!('error' in fit));
    return { fit, model: familyModel({ family: 'f', fit, runsUsed: points.map((p) => p.runId), points }) };
  };
  const near = { kind: 'model' as const, params: 1e9, tokens: 20e9 };
  const ctx = modelOf(runs);
  const budget = { kind: 'flops' as const, flops: 2e19, text: '2e19' };
  const first = ok(planLadder({ target: near, runs, ladderBudget: budget }, ctx));
  const planned = first.runs.filter((r) => r.status === 'planned');
  assert.ok(planned.length >= 1, first.stop.reason);
  // Meanwhile a larger run (8e8 × 1.6e10, 7.7e19 FLOPs, 1.6× from the target) finished in the family, on the law.
  const bigger: LadderExistingRun = { runId: 'big', params: 8e8, tokens: 1.6e10, loss: chinchillaLaw.evaluate(theta, [8e8, 1.6e10]), status: 'finished' };
  const runs2 = [...runs, bigger];
  const again = ok(
    planLadder(
      { target: near, runs: runs2, ladderBudget: budget, previous: first.runs.map((r) => ({ id: r.id, params: r.params, tokens: r.tokens })) },
      modelOf(runs2),
    ),
  );
  for (const p of planned) {
    const r = again.runs.find((x) => x.id === p.id)!;
    assert.equal(r.status, 'not-needed', `${p.id} below the new largest run: ${JSON.stringify(again.runs.map((x) => [x.id, x.status, x.reason]))}`);
    assert.match(r.reason, /no longer needed/);
  }
  assert.ok(again.now!.lossWidth < first.now!.lossWidth, 'the larger run narrows the interval now');
  // What the scaling view draws: the target's interval now and as planned.
  const overlay = ladderOverlay(again);
  assert.deepEqual(overlay.target.now, again.now!.lossInterval);
  assert.deepEqual(overlay.target.planned, again.after.lossInterval);
  assert.ok(overlay.runs.some((r) => r.status === 'not-needed'));
});
