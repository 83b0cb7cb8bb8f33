import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { EDITOR_CONFIGS } from './helpers/editorConfigs';
import { planBudget } from '../../src/core/plan/budget';
import { hoverMarkdown } from '../../src/features/hoverText';
import { lensTooltip } from '../../src/features/lensModel';
import { fitCrossRun, predictCrossRun, type CrossRunFit, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { predictWithFit, type LawCrossRunFit } from '../../src/core/fit/crossRunLaw';
import { mulberry32 } from '../../src/core/fit/random';
import { overtrainLaw } from '../../src/core/laws/overtrain';
import { BLEND_END_TOKENS_PER_PARAM, BLEND_START_TOKENS_PER_PARAM, overtrainFitFor, overtrainWeight, predictInRegime } from '../../src/core/plan/regime';

// A family whose data have unequal exponents, so the two laws disagree far from the runs and a
// switch between them would show as a jump.
const TRUE = { E: 1.9, A: 300, B: 4000, alpha: 0.3, beta: 0.42 };
const rand = mulberry32(7);
const points: CrossRunPoint[] = [];
let id = 0;
for (const n of [2e7, 5e7, 1.2e8, 3e8, 7e8]) {
  for (const m of [8, 20, 50]) {
    const loss = (TRUE.E + TRUE.A / n ** TRUE.alpha + TRUE.B / (n * m) ** TRUE.beta) * (1 + 0.003 * (rand() - 0.5));
    points.push({ runId: `run-${id++}`, params: n, tokens: n * m, loss });
  }
}
const chinchilla = fitCrossRun(points, { seed: 1, resamples: 40 }) as CrossRunFit;
const overtrain = overtrainFitFor(chinchilla, points, { seed: 1, resamples: 40 }) as LawCrossRunFit;

test('regime: both laws fit the family; the over-training law is remembered with its Chinchilla fit', () => {
  assert.ok(!('error' in chinchilla), JSON.stringify(chinchilla));
  assert.ok(!('error' in overtrain), JSON.stringify(overtrain));
  assert.equal(overtrain.lawId, 'overtrain');
  assert.equal(overtrainFitFor(chinchilla, points), overtrain);
  // Near the runs both laws agree within a percent.
  const near = predictInRegime(chinchilla, overtrain, 3e8, 3e8 * 20);
  const other = predictWithFit(overtrainLaw, overtrain, [3e8, 20]).value;
  assert.ok(Math.abs(near.value - other) / near.value < 0.01, `${near.value} vs ${other}`);
});

test('regime weight: 0 up to 40 tokens/parameter, 1 from 160, smooth and increasing between', () => {
  assert.equal(overtrainWeight(20), 0);
  assert.equal(overtrainWeight(BLEND_START_TOKENS_PER_PARAM), 0);
  assert.equal(overtrainWeight(BLEND_END_TOKENS_PER_PARAM), 1);
  assert.equal(overtrainWeight(1000), 1);
  assert.equal(overtrainWeight(Number.NaN), 0);
  assert.equal(overtrainWeight(0), 0);
  assert.ok(Math.abs(overtrainWeight(80) - 0.5) < 1e-12, 'the geometric middle of 40 and 160 is the half-way point');
  let previous = 0;
  for (let m = 40; m <= 160; m += 0.5) {
    const w = overtrainWeight(m);
    assert.ok(w >= previous && w <= 1, `${m}: ${w}`);
    previous = w;
  }
  // Flat at both ends (smootherstep): a tiny step past a threshold moves the weight by far less than the step.
  for (const edge of [BLEND_START_TOKENS_PER_PARAM, BLEND_END_TOKENS_PER_PARAM]) {
    assert.ok(Math.abs(overtrainWeight(edge * (1 + 1e-4)) - overtrainWeight(edge * (1 - 1e-4))) < 1e-9, String(edge));
  }
});

test('regime: the Chinchilla law below the blend, the over-training law above, strictly between inside it', () => {
  const n = 1e9;
  const below = predictInRegime(chinchilla, overtrain, n, n * 20);
  assert.equal(below.value, predictCrossRun(chinchilla, n, n * 20).value);
  assert.equal(below.regime.overtrainWeight, 0);
  assert.match(below.regime.note, /blend by regime.*Chinchilla law alone/);
  const above = predictInRegime(chinchilla, overtrain, n, n * 400);
  assert.equal(above.value, predictWithFit(overtrainLaw, overtrain, [n, 400]).value);
  assert.match(above.regime.note, /over-training law of Gadre et al\. 2024 alone/);
  const mid = predictInRegime(chinchilla, overtrain, n, n * 80);
  const c = predictCrossRun(chinchilla, n, n * 80).value;
  const o = predictWithFit(overtrainLaw, overtrain, [n, 80]).value;
  assert.ok(Math.abs(c - o) > 1e-3, `the laws differ at 80 tokens/parameter (${c} vs ${o}), so the blend matters`);
  assert.ok(mid.value > Math.min(c, o) && mid.value < Math.max(c, o), `${mid.value} between ${c} and ${o}`);
  assert.ok(Math.abs(mid.value - (c + o) / 2) < 1e-12);
  assert.match(mid.regime.note, /50% Chinchilla \+ 50% over-training law/);
  assert.ok(mid.interval[0] <= mid.value && mid.value <= mid.interval[1]);
});

test('regime (property): walking D/N across both thresholds in tiny steps, the loss and its interval never jump', () => {
  // |dL/d ln D| stays well below 1 nat for any sane law, so a step of δ in ln D may move a smooth
  // prediction by at most δ; a switch between laws that differ by millinats breaks that bound.
  const STEP = 1e-3;
  const gap = Math.abs(predictCrossRun(chinchilla, 1e9, 1e9 * 80).value - predictWithFit(overtrainLaw, overtrain, [1e9, 80]).value);
  assert.ok(gap > 2 * STEP, `the laws differ (${gap}) by more than the bound, so a switch would be caught`);
  fc.assert(
    fc.property(fc.double({ min: Math.log(1e7), max: Math.log(3e10), noNaN: true }), fc.double({ min: 0, max: STEP, noNaN: true }), (lnN, offset) => {
      const n = Math.exp(lnN);
      let previous = predictInRegime(chinchilla, overtrain, n, n * 20 * Math.exp(offset));
      for (let lnM = Math.log(20) + offset + STEP; lnM < Math.log(300); lnM += STEP) {
        const next = predictInRegime(chinchilla, overtrain, n, n * Math.exp(lnM));
        const at = `N=${n.toExponential(3)}, D/N=${Math.exp(lnM).toFixed(4)}`;
        assert.ok(Math.abs(next.value - previous.value) <= STEP, `L jumps at ${at}: ${previous.value} → ${next.value}`);
        assert.ok(
          Math.abs(next.interval[0] - previous.interval[0]) <= STEP && Math.abs(next.interval[1] - previous.interval[1]) <= STEP,
          `interval jumps at ${at}`,
        );
        previous = next;
      }
    }),
    { numRuns: 25 },
  );
});

test('regime: without an over-training fit, Chinchilla at every ratio, and the note says why', () => {
  const p = predictInRegime(chinchilla, { error: 'too few runs' }, 1e9, 1e9 * 300);
  assert.equal(p.value, predictCrossRun(chinchilla, 1e9, 3e11).value);
  assert.equal(p.regime.overtrainWeight, 0);
  assert.equal(p.regime.overtrainUnavailable, 'too few runs');
  assert.match(p.regime.note, /Chinchilla at every ratio .*is not used \(too few runs\)/);
});

// ---- through the workspace, as the lens gets it --------------------------------------------

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('estimate: the lens loss is continuous across both thresholds and the notes say which law, with the mix', () => {
  const examples = path.resolve(__dirname, '../../examples');
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(examples).filter(isDefaultLogFile)) engine.update(f, examples);
  engine.snapshot();
  const base = EDITOR_CONFIGS.yaml.text;
  const withSteps = (steps: number) => engine.estimateConfig('/x/over.yaml', base.replace('steps: 5000', `steps: ${steps}`), () => undefined);
  const first = withSteps(5000);
  const params = first.plan!.params.total;
  const tokensPerStep = first.plan!.tokensPerStep!;
  assert.ok(first.predictions.loss, first.predictions.uncalibrated);
  assert.ok(
    first.notes.some((n) => /^Loss law: blend by regime; at [\d.]+ tokens\/parameter the Chinchilla law alone/.test(n)),
    first.notes.join('\n'),
  );
  // One optimizer step either side of each threshold moves the loss by a hair.
  for (const ratio of [BLEND_START_TOKENS_PER_PARAM, BLEND_END_TOKENS_PER_PARAM]) {
    const steps = Math.floor((ratio * params) / tokensPerStep);
    const a = withSteps(steps).predictions.loss!;
    const b = withSteps(steps + 1).predictions.loss!;
    assert.ok(Math.abs(a.value - b.value) < 1e-4, `${ratio} tokens/parameter: ${a.value} → ${b.value}`);
    assert.ok(Math.abs(a.interval[1] - b.interval[1]) < 1e-4);
  }
  const mid = withSteps(Math.round((80 * params) / tokensPerStep));
  assert.ok(mid.predictions.loss?.regime, 'the estimate carries the regime');
  assert.ok(Math.abs(mid.predictions.loss.regime.overtrainWeight - 0.5) < 0.01);
  assert.ok(
    mid.notes.some((n) =>
      /^Loss law: blend by regime; at 80\.\d tokens\/parameter 5\d% Chinchilla \+ [45]\d% over-training law \(Gadre et al\. 2024\)/.test(n),
    ),
    mid.notes.join('\n'),
  );
  // The lens tooltip and the hover on a size key say which law, with the mix.
  assert.ok(lensTooltip(mid).includes(mid.predictions.loss.regime.note));
  const md = hoverMarkdown(mid, ['architecture.dModel'], { dashboard: 'a', dashboardView: 'b' });
  assert.match(md, /\| Regime \| blend by regime; at 80\.\d tokens\/parameter 5\d% Chinchilla \+ [45]\d% over-training law/);
});

test("plan: candidates' losses follow their regime; the recommendation is the argmin of that same model", () => {
  const lossLaw = { fit: chinchilla, family: 'synthetic', runsUsed: chinchilla.runIds, overtrain };
  const plan = planBudget({ budget: { kind: 'flops', flops: 1e21, text: '1e21' } }, { lossLaw });
  assert.ok(!('error' in plan), JSON.stringify(plan));
  assert.match(plan.frontier, /argmin of the family model/);
  const all = [plan.recommended, ...plan.alternatives];
  for (const c of all) {
    assert.ok(!('uncalibrated' in c.loss) && c.loss.regime, c.label);
    const expected = predictInRegime(chinchilla, overtrain, c.params, c.tokens);
    assert.equal(c.loss.value, expected.value, c.label);
    assert.ok(c.notes.includes(expected.regime.note), c.label);
  }
  // Scored by one model, the recommended row is the best row.
  const rec = (plan.recommended.loss as { value: number }).value;
  for (const c of plan.alternatives) assert.ok((c.loss as { value: number }).value >= rec, `${c.label} ${(c.loss as { value: number }).value} < ${rec}`);
  // Without the over-training fit, Chinchilla at every ratio (as before the regime blend).
  const plain = planBudget(
    { budget: { kind: 'flops', flops: 1e21, text: '1e21' } },
    { lossLaw: { fit: chinchilla, family: 'synthetic', runsUsed: chinchilla.runIds } },
  );
  assert.ok(!('error' in plain));
  for (const c of [plain.recommended, ...plain.alternatives])
    assert.equal((c.loss as { value: number }).value, predictCrossRun(chinchilla, c.params, c.tokens).value);
});
