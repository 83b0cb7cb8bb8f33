// A live run's first forecast arrives as a point fit (no resamples, issue 20): its band is only the
// error floor. It must neither anchor the forecast-break check nor be drawn as the 80% band; the
// fit with resamples that follows, even at the same last fitted step, is the one both use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCurve, sampleCurve, type CurveFit } from '../../src/core/fit/curve';
import { RunViews, type FittedCurve } from '../../src/core/engine/runViews';
import type { Run } from '../../src/core/runs/types';
import type { CurvePrediction } from '../../src/core/snapshot';

const TARGET = 4000;
const law = (step: number) => 2 + 5 * step ** -0.4;

/** Deterministic standard normal draws (mulberry32 + Box–Muller). */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function liveRun(steps: number[], losses: number[]): Run {
  return {
    id: 'a',
    name: 'a',
    format: 'jsonl',
    files: ['/ws/a/metrics.jsonl'],
    hyper: { notes: [] },
    series: [{ metric: 'loss', role: 'train_loss', steps: Float64Array.from(steps), values: Float64Array.from(losses) }],
    status: 'live',
    diagnostics: [],
  };
}

function fitted(fit: CurveFit, pending: boolean): FittedCurve {
  const prediction: CurvePrediction = {
    lawId: fit.lawId,
    targetStep: fit.targetStep,
    predictedFinal: fit.predictedFinal,
    parameters: fit.parameters,
    pointsUsed: fit.pointsUsed,
    firstStep: fit.firstStep,
    fittedAtStep: fit.lastFittedStep,
    timedOut: fit.timedOut,
    ...(pending ? { intervalPending: true as const } : {}),
  };
  return { prediction, fit };
}

// 40 points to step 400 with 30% noise: the point fit's band (the floor) is far narrower than the full fit's.
const noise = normals(9);
const prefixSteps = Array.from({ length: 40 }, (_, i) => 10 * (i + 1));
const prefixLosses = prefixSteps.map((s) => law(s) * (1 + 0.3 * noise()));
const pointFit = fitCurve(prefixSteps, prefixLosses, { targetStep: TARGET, seed: 1, resamples: 0 }) as CurveFit;
const fullFit = fitCurve(prefixSteps, prefixLosses, { targetStep: TARGET, seed: 1, resamples: 40 }) as CurveFit;

const breaks = (events: { kind: string }[] | undefined) => (events ?? []).filter((e) => e.kind === 'forecast-break');

test("a point forecast whose interval is pending never anchors the live run's break check; the full fit at the same step does", () => {
  assert.equal(pointFit.lastFittedStep, fullFit.lastFittedStep);
  const [pl, pu] = pointFit.predictedFinal.interval;
  const [fl, fu] = fullFit.predictedFinal.interval;
  assert.ok(fu - fl > 1.5 * (pu - pl), `full [${fl}, ${fu}] is wider than point [${pl}, ${pu}]`);
  // The run goes on between the two bands' upper edges (stretched as the check stretches them): outside the point one, inside the full one.
  const nextSteps = Array.from({ length: 120 }, (_, i) => 400 + 30 * (i + 1));
  const between = nextSteps.map((s) => {
    const a = sampleCurve(pointFit, s, s, 1);
    const b = sampleCurve(fullFit, s, s, 1);
    const pointUpper = a.values[0] + 1.5 * (a.upper[0] - a.values[0]);
    const fullUpper = b.values[0] + 1.5 * (b.upper[0] - b.values[0]);
    return (pointUpper + fullUpper) / 2;
  });
  const grown = liveRun([...prefixSteps, ...nextSteps], [...prefixLosses, ...between]);
  const prefix = liveRun(prefixSteps, prefixLosses);
  const lossOf = (run: Run) => run.series[0];
  const viewOf = (views: RunViews, run: Run, f: FittedCurve) => views.view(run, lossOf(run), views.health(run, lossOf(run)), f, 'f', undefined);

  // Control: anchored on the point fit's floor-only band, the same points would count as a break.
  const control = new RunViews(() => ({}));
  viewOf(control, prefix, fitted(pointFit, false));
  assert.equal(breaks(viewOf(control, grown, fitted(fullFit, false)).health?.events).length, 1, 'the points leave the narrow band');

  // The engine's order: the point fit (pending) first, then the full fit at the same step, then new points.
  const views = new RunViews(() => ({}));
  viewOf(views, prefix, fitted(pointFit, true));
  viewOf(views, prefix, fitted(fullFit, false));
  assert.deepEqual(breaks(viewOf(views, grown, fitted(fullFit, false)).health?.events), [], 'judged against the full fit’s band');
});

test('a point forecast whose interval is pending is drawn without a band; the full fit is drawn with its band', () => {
  const run = liveRun(prefixSteps, prefixLosses);
  const views = new RunViews(() => ({}));
  const loss = run.series[0];
  const pending = views.view(run, loss, views.health(run, loss), fitted(pointFit, true), 'f', undefined);
  assert.ok(pending.display.fit.length > 0, 'the point forecast curve is drawn');
  assert.deepEqual([pending.display.fitLower, pending.display.fitUpper], [[], []]);
  const full = views.view(run, loss, views.health(run, loss), fitted(fullFit, false), 'f', undefined);
  assert.equal(full.display.fitUpper.length, full.display.fit.length);
  assert.ok(full.display.fitUpper.length > 0);
});
