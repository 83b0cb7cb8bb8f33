// What the worker computes for the dashboard beyond each run's series: ETA, wall clock, seed
// groups, the cross-run scaling view and the validation points.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { tempDir } from './helpers/tempDir';
import {
  estimateEta,
  lastRestart,
  loggedClock,
  plannedPoint,
  scalingView,
  seedGroupKey,
  seedGroups,
  validationPoints,
  wallClockView,
  type TimedStep,
} from '../../src/core/dashboardData';
import { ScalingWorkspace } from '../../src/core/workspace';
import { getLaw } from '../../src/core/laws/registry';
import type { Run } from '../../src/core/runs/types';
import type { FamilyLaw } from '../../src/core/snapshot';
import type { Snapshot } from '../../src/shared/protocol';
import { notInFitTooltip, scalingSeries } from '../../src/shared/chartSeries';

const uniform = (n: number, stepsPerSecond: number, t0 = 1000): TimedStep[] =>
  Array.from({ length: n }, (_, i) => ({ step: (i + 1) * 10, seconds: t0 + ((i + 1) * 10) / stepsPerSecond }));

test('ETA: steps left over the recent step rate', () => {
  const eta = estimateEta(uniform(30, 2), 1000, 'log');
  assert.ok(eta);
  assert.ok(Math.abs(eta.stepsPerSecond - 2) < 1e-9);
  assert.ok(Math.abs(eta.seconds - (1000 - 300) / 2) < 1e-6);
  assert.equal(eta.sinceStep, 10);
  assert.equal(estimateEta(uniform(30, 2), 100, 'log')?.seconds, 0, 'past the target: no time left');
  assert.equal(estimateEta(uniform(1, 2), 100, 'log'), undefined, 'one sample is no rate');
});

test('ETA: a restart (step going back, or a long pause) resets the rate to the new launch', () => {
  // First launch at 1 step/s up to step 300, crash, resume from step 200 at 4 steps/s.
  const first = uniform(30, 1);
  const resumeAt = first[first.length - 1].seconds + 3600;
  const second = Array.from({ length: 20 }, (_, i) => ({ step: 200 + (i + 1) * 10, seconds: resumeAt + ((i + 1) * 10) / 4 }));
  const samples = [...first, ...second];
  assert.equal(lastRestart(samples), first.length);
  const eta = estimateEta(samples, 1000, 'log')!;
  assert.ok(Math.abs(eta.stepsPerSecond - 4) < 1e-9, `rate ${eta.stepsPerSecond}`);
  assert.equal(eta.sinceStep, 210);
  // Same steps continuing after an hour's pause (the job was requeued): the pause is not averaged in.
  const paused = [...first, ...Array.from({ length: 10 }, (_, i) => ({ step: 300 + (i + 1) * 10, seconds: resumeAt + ((i + 1) * 10) / 4 }))];
  assert.ok(Math.abs(estimateEta(paused, 1000, 'log')!.stepsPerSecond - 4) < 1e-9);
});

test('ETA: without a restart, the rate is the mean over the window whatever the jitter', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 5, maxLength: 80 }), (jitter) => {
      let t = 0;
      const samples = jitter.map((j, i) => ({ step: (i + 1) * 5, seconds: (t += j) }));
      const eta = estimateEta(samples, 10_000, 'observed', 1000);
      assert.ok(eta);
      const expected = (samples[samples.length - 1].step - samples[0].step) / (samples[samples.length - 1].seconds - samples[0].seconds);
      assert.ok(Math.abs(eta.stepsPerSecond - expected) < 1e-9 * expected);
    }),
  );
});

function runWith(series: Run['series'], id = 'sweep/a'): Run {
  return { id, name: path.basename(id), format: 'jsonl', files: [], hyper: { notes: [] }, series, status: 'live', diagnostics: [] };
}

test("the log's own clock: Unix milliseconds scaled, an elapsed counter that restarts stitched on", () => {
  const ms = loggedClock(
    runWith([{ metric: '_timestamp', role: 'other', steps: Float64Array.from([1, 2, 3]), values: Float64Array.from([1.7e12, 1.7e12 + 500, 1.7e12 + 1500]) }]),
  )!;
  assert.deepEqual(
    ms.map((s) => s.seconds - ms[0].seconds),
    [0, 0.5, 1.5],
  );
  const elapsed = loggedClock(
    runWith([{ metric: '_runtime', role: 'other', steps: Float64Array.from([10, 20, 30, 40]), values: Float64Array.from([5, 10, 2, 7]) }]),
  )!;
  assert.deepEqual(
    elapsed.map((s) => s.seconds),
    [5, 10, 12, 17],
    'never runs backwards',
  );
  assert.equal(loggedClock(runWith([{ metric: 'loss', role: 'train_loss', steps: Float64Array.from([1, 2]), values: Float64Array.from([3, 2]) }])), undefined);
  const wall = wallClockView(uniform(1000, 1), 100)!;
  assert.ok(wall.steps.length <= 101);
  assert.equal(wall.steps[wall.steps.length - 1], 10_000, 'the last step is kept');
  assert.equal(wall.hours[0], 0);
  assert.ok(Math.abs(wall.hours[wall.hours.length - 1] - 9990 / 3600) < 1e-9);
  assert.equal(wall.startUnixSeconds, undefined, 'seconds since launch say nothing of the date');
  assert.equal(wallClockView(uniform(100, 1, 1.7e9))!.startUnixSeconds, 1.7e9 + 10, "a Unix clock gives the first point's time");
});

test('the workspace gives a live run an ETA and a wall clock from its log, or from observed arrivals', () => {
  const dir = tempDir('scaling-lens-eta-');
  const timed = path.join(dir, 'timed', 'metrics.jsonl');
  const plain = path.join(dir, 'plain', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(timed));
  fs.mkdirSync(path.dirname(plain));
  const lines = (from: number, to: number, withTime: boolean) =>
    Array.from({ length: to - from + 1 }, (_, i) => {
      const step = (from + i) * 10;
      return `${JSON.stringify({ step, loss: 2 + 10 / Math.sqrt(step), lr: 1e-3, ...(withTime ? { _timestamp: 1.7e9 + step / 5 } : {}) })}\n`;
    }).join('');
  fs.writeFileSync(timed, lines(1, 40, true));
  fs.writeFileSync(plain, lines(1, 40, false));
  let now = 1_000_000;
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 5, now: () => now });
  engine.update(timed, dir);
  engine.update(plain, dir);
  const first = engine.snapshot();
  const timedRun = first.runs.find((r) => r.id === 'timed')!;
  assert.equal(timedRun.eta?.source, 'log');
  assert.ok(Math.abs(timedRun.eta!.stepsPerSecond - 5) < 1e-6, `rate ${timedRun.eta?.stepsPerSecond}`);
  assert.ok(timedRun.display.wall && timedRun.display.wall.steps.length >= 2);
  assert.ok(timedRun.display.lr.length > 0, 'the learning rate travels for the secondary axis');
  assert.equal(first.runs.find((r) => r.id === 'plain')!.eta, undefined, 'one observation is no rate');
  // 100 more steps arrive 50 s later: 2 steps/s as observed by the worker.
  fs.appendFileSync(plain, lines(41, 50, false));
  now += 50_000;
  engine.update(plain, dir);
  const plainRun = engine.snapshot().runs.find((r) => r.id === 'plain')!;
  assert.equal(plainRun.eta?.source, 'observed');
  assert.ok(Math.abs(plainRun.eta!.stepsPerSecond - 2) < 1e-9);
});

test('the fitted curve starts at the first step the fit used, not at the first logged step', () => {
  const dir = tempDir('scaling-lens-firststep-');
  const log = path.join(dir, 'run', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(log));
  fs.writeFileSync(log, Array.from({ length: 100 }, (_, i) => `${JSON.stringify({ step: (i + 1) * 10, loss: 2 + 10 / Math.sqrt((i + 1) * 10) })}\n`).join(''));
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 5 });
  engine.update(log, dir);
  const run = engine.snapshot().runs[0];
  assert.ok(run.curve);
  // The fit drops the first 10% of the step range (10..1000): it starts at step 109 or later.
  assert.ok(run.curve.firstStep >= 10 + 0.1 * 990, `first fitted step ${run.curve.firstStep}`);
  assert.ok(Math.abs(run.display.fitSteps[0] - run.curve.firstStep) < 1e-9);
});

test('seed groups: runs whose names differ only by seed, mean and min–max on shared steps', () => {
  const hyper = { params: 1e6, tokens: 2e7, notes: [] };
  assert.equal(seedGroupKey({ id: 'sweep/a-seed1', hyper }), seedGroupKey({ id: 'sweep/a-seed2', hyper }));
  assert.notEqual(seedGroupKey({ id: 'sweep/a-seed1', hyper }), seedGroupKey({ id: 'sweep/a-seed1', hyper: { ...hyper, params: 2e6 } }));
  assert.equal(seedGroupKey({ id: 'sweep/a', hyper }), undefined, 'no seed in the name: no group');
  const steps = [10, 20, 30];
  const groups = seedGroups([
    { id: 'a-seed1', name: 'a-seed1', key: 'k', steps, loss: [4, 3, 2] },
    { id: 'a-seed2', name: 'a-seed2', key: 'k', steps: [10, 20, 30, 40], loss: [6, 5, 4, 3] },
    { id: 'b-seed1', name: 'b-seed1', key: 'other', steps, loss: [1, 1, 1] },
  ]);
  assert.equal(groups.length, 1, 'a group needs two runs');
  assert.deepEqual(groups[0].runIds, ['a-seed1', 'a-seed2']);
  assert.deepEqual(groups[0].steps, [10, 20, 30], 'up to where every member has data');
  assert.deepEqual(groups[0].mean, [5, 4, 3]);
  assert.deepEqual(groups[0].lower, [4, 3, 2]);
  assert.deepEqual(groups[0].upper, [6, 5, 4]);
});

function chinchillaFamily(): FamilyLaw {
  const law = getLaw('chinchilla')!;
  // Hoffmann et al. 2022's published fit (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28), in fit space.
  const natural: Record<string, number> = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
  const fitParams = law.parameters.map((p) => (p.natural.transform === 'exp' ? Math.log(natural[p.natural.name]) : natural[p.natural.name]));
  return {
    family: 'f',
    guessed: false,
    runIds: ['a', 'b', 'c'],
    fit: {
      lawId: 'chinchilla',
      parameters: {},
      pointsUsed: 3,
      residualRmse: 0,
      converged: true,
      timedOut: false,
      bootstrap: { resamples: 0, failed: 0 },
      intervalLevel: 0.8,
      fitParams,
      samples: [],
      runIds: ['a', 'b', 'c'],
      priorsUsed: false,
      dataRanges: {},
      validation: { method: 'leave-largest-out', errorPct: 1, heldOutRunId: 'c', predicted: 3.1, observed: 3 },
    } as unknown as NonNullable<FamilyLaw['fit']>,
  };
}

test('scaling view: points per run, held-out marked, the law line and a frontier that is optimal', () => {
  const family = chinchillaFamily();
  const law = getLaw('chinchilla')!;
  const L = (n: number, d: number) => law.evaluate(family.fit!.fitParams, [n, d]);
  const view = scalingView(family, [
    { id: 'a', name: 'a', status: 'finished', params: 1e7, tokens: 2e8, fittedLoss: L(1e7, 2e8) },
    { id: 'b', name: 'b', status: 'finished', params: 1e8, tokens: 2e9, fittedLoss: L(1e8, 2e9) },
    { id: 'c', name: 'c', status: 'finished', params: 3e8, tokens: 6e9, fittedLoss: L(3e8, 6e9) },
    {
      id: 'live',
      name: 'live',
      status: 'live',
      params: 5e8,
      tokens: 1e10,
      curve: {
        lawId: 'power',
        targetStep: 1,
        predictedFinal: { value: 2.9, interval: [2.8, 3], lawId: 'power' },
        parameters: {},
        pointsUsed: 10,
        firstStep: 1,
        fittedAtStep: 1,
        timedOut: false,
      },
    },
    { id: 'x', name: 'x', status: 'failed', params: 1e7, tokens: 1e8, fittedLoss: 9 },
  ]);
  assert.deepEqual(
    view.points.map((p) => [p.runId, p.kind, p.heldOut]),
    [
      ['a', 'final', false],
      ['b', 'final', false],
      ['c', 'final', true],
      ['live', 'predicted', false],
    ],
  );
  assert.equal(view.points[0].flops, 6 * 1e7 * 2e8);
  assert.ok(view.lawLine && view.frontier);
  assert.equal(view.lawLine.tokensPerParam, 20);
  for (let i = 0; i < view.frontier.flops.length; i++) {
    const c = view.frontier.flops[i];
    const best = view.frontier.loss[i];
    assert.ok(Math.abs(6 * view.frontier.params[i] * view.frontier.tokens[i] - c) / c < 1e-9, 'on the compute budget');
    // No other split of the same compute does better.
    for (const factor of [0.5, 0.8, 1.25, 2]) {
      const n = view.frontier.params[i] * factor;
      assert.ok(L(n, c / (6 * n)) >= best - 1e-9, `frontier at ${c.toExponential(1)} beaten by N×${factor}`);
    }
  }
});

test('scaling view: runs the fit leaves out are drawn apart with why, at their last logged loss, and do not set the law line', () => {
  const family = chinchillaFamily();
  const law = getLaw('chinchilla')!;
  const L = (n: number, d: number) => law.evaluate(family.fit!.fitParams, [n, d]);
  const curve = (value: number) => ({
    lawId: 'power',
    targetStep: 1,
    predictedFinal: { value, interval: [value - 0.1, value + 0.1] as [number, number], lawId: 'power' },
    parameters: {},
    pointsUsed: 10,
    firstStep: 1,
    fittedAtStep: 1,
    timedOut: false,
  });
  const fitted = [
    { id: 'a', name: 'a', status: 'finished' as const, params: 1e7, tokens: 2e8, fittedLoss: L(1e7, 2e8) },
    { id: 'b', name: 'b', status: 'finished' as const, params: 1e8, tokens: 2e9, fittedLoss: L(1e8, 2e9) },
    { id: 'c', name: 'c', status: 'finished' as const, params: 3e8, tokens: 6e9, fittedLoss: L(3e8, 6e9) },
  ];
  const view = scalingView(family, [
    ...fitted,
    // A finished run `.scalinglens.yaml` excludes, with a curve fit of its own: drawn at its last loss, not the curve's.
    {
      id: 'const',
      name: 'const',
      status: 'finished',
      params: 1e9,
      tokens: 2e10,
      lastLoss: 2.5,
      curve: curve(2.49),
      notInFit: 'excluded from the fit by /w/.scalinglens.yaml:6',
    },
    // A live run left out: its forecast, with its interval; one without a forecast is not drawn.
    {
      id: 'liveOut',
      name: 'liveOut',
      status: 'live',
      params: 5e8,
      tokens: 1e10,
      lastLoss: 3.4,
      curve: curve(2.9),
      notInFit: 'left out of the fit: rising loss',
    },
    { id: 'noForecast', name: 'noForecast', status: 'live', params: 5e8, tokens: 1e10, lastLoss: 3.4, notInFit: 'left out of the fit: diverged' },
  ]);
  assert.deepEqual(
    view.points.map((p) => [p.runId, p.kind, p.loss, p.notInFit]),
    [
      ['a', 'final', L(1e7, 2e8), undefined],
      ['b', 'final', L(1e8, 2e9), undefined],
      ['c', 'final', L(3e8, 6e9), undefined],
      ['const', 'final', 2.5, 'excluded from the fit by /w/.scalinglens.yaml:6'],
      ['liveOut', 'predicted', 2.9, 'left out of the fit: rising loss'],
    ],
  );
  // The law line spans the fitted runs only (the excluded 1e9 run is not its largest).
  assert.equal(view.lawLine!.params[view.lawLine!.params.length - 1], scalingView(family, fitted).lawLine!.params.at(-1));
});

test('scaling chart: a live run left out of the fit whose interval is pending is labelled as its forecast, not as a logged loss', () => {
  const family = chinchillaFamily();
  const pending = {
    lawId: 'power',
    targetStep: 1,
    predictedFinal: { value: 2.9, interval: [2.85, 2.95] as [number, number], lawId: 'power' },
    parameters: {},
    pointsUsed: 10,
    firstStep: 1,
    fittedAtStep: 1,
    timedOut: false,
    intervalPending: true as const,
  };
  const view = scalingView(family, [
    { id: 'liveOut', name: 'liveOut', status: 'live', params: 5e8, tokens: 1e10, lastLoss: 3.4, curve: pending, notInFit: 'left out of the fit: rising loss' },
    { id: 'done', name: 'done', status: 'finished', params: 1e9, tokens: 2e10, lastLoss: 2.5, notInFit: 'excluded from the fit by /w/.scalinglens.yaml:6' },
  ]);
  const snapshot: Snapshot = { version: 1, runs: [], families: [], diagnostics: [], buildMs: 0, fitting: 0, seedGroups: [], scaling: [view], validations: [] };
  const outside = scalingSeries(snapshot, { family: '', yScale: 'linear' }).find((s) => s.kind === 'not_in_fit')!;
  const text = (id: string) =>
    notInFitTooltip(
      outside.points.find((p) => p.runId === id)!,
      String,
    );
  // Sent without its interval (the floor is not final): still the forecast, its interval said to be coming.
  assert.equal(outside.points.find((p) => p.runId === 'liveOut')!.interval, undefined);
  assert.equal(text('liveOut'), 'predicted final 2.9 (interval coming); not in the fit: left out of the fit: rising loss');
  assert.equal(text('done'), 'last logged loss 2.5; not in the fit: excluded from the fit by /w/.scalinglens.yaml:6');
});

test('validation points: each prefix check of a run curve and each family hold-out, predicted against actual', () => {
  const curve = {
    lawId: 'power',
    targetStep: 100,
    predictedFinal: { value: 3, interval: [2.9, 3.1] as [number, number], lawId: 'power' },
    parameters: {},
    pointsUsed: 50,
    firstStep: 10,
    fittedAtStep: 100,
    timedOut: false,
    validation: {
      method: 'prefix-50' as const,
      errorPct: 2,
      predicted: 3.06,
      observed: 3,
      atStep: 100,
      prefixes: [
        { fraction: 0.2, predicted: 3.3, errorPct: 10 },
        { fraction: 0.5, predicted: 3.06, errorPct: 2 },
      ],
    },
  };
  const points = validationPoints(
    [
      { id: 'r', name: 'r', curve },
      { id: 's', name: 's' },
    ],
    [chinchillaFamily()],
  );
  assert.deepEqual(
    points.map((p) => [p.kind, p.method, p.runId, p.predicted, p.actual]),
    [
      ['curve-prefix', 'prefix-20', 'r', 3.3, 3],
      ['curve-prefix', 'prefix-50', 'r', 3.06, 3],
      ['family-held-out', 'leave-largest-out', 'c', 3.1, 3],
    ],
  );
});

test("the planned run: a calibrated config's N, D, C = 6·N·D and predicted loss; none without a loss", () => {
  const estimate = {
    file: '/ws/planned/config.json',
    applicable: true,
    plan: { params: { total: 4e8 }, tokens: 8e9 },
    predictions: { loss: { value: 3.1, interval: [3, 3.2] as [number, number], lawId: 'chinchilla', family: 'f', runsUsed: [], familyAssumed: false } },
    notes: [],
    diagnostics: [],
  } as unknown as Parameters<typeof plannedPoint>[0];
  assert.deepEqual(plannedPoint(estimate), {
    file: '/ws/planned/config.json',
    family: 'f',
    params: 4e8,
    tokens: 8e9,
    flops: 6 * 4e8 * 8e9,
    loss: 3.1,
    interval: [3, 3.2],
  });
  assert.equal(plannedPoint({ ...estimate, predictions: { uncalibrated: 'no runs' } }), undefined);
  assert.equal(plannedPoint({ ...estimate, applicable: false }), undefined);
});

test('the planned run of a provisional loss: drawn marked provisional without its interval only when it stands in for a law cut short by its budget', () => {
  const loss = { value: 3.1, interval: [3.1, 3.1] as [number, number], lawId: 'chinchilla', family: 'f', runsUsed: ['a'], familyAssumed: false };
  const estimate = (provisional: object) =>
    ({
      file: '/ws/planned/config.json',
      applicable: true,
      plan: { params: { total: 4e8 }, tokens: 8e9 },
      predictions: { loss: { ...loss, provisional } },
      notes: [],
      diagnostics: [],
    }) as unknown as Parameters<typeof plannedPoint>[0];
  // A first answer's (the live runs' forecasts still coming): the star waits for the family's law.
  assert.equal(plannedPoint(estimate({ pendingRunIds: ['b'], note: 'Provisional: without b' })), undefined);
  const note = "Provisional: the family's full law did not finish within scalingLens.fit.timeBudgetMs; showing the law of the same 1 runs";
  const planned = plannedPoint(estimate({ pendingRunIds: [], note, fullLawTimedOut: true }));
  assert.equal(planned?.provisional, note);
  assert.equal(planned.loss, 3.1);
  const snapshot = { families: [], scaling: [{ family: 'f', points: [] }] } as unknown as Snapshot;
  const star = scalingSeries(snapshot, { family: 'f', yScale: 'linear' }, planned).find((s) => s.kind === 'planned');
  assert.deepEqual(star?.points, [{ params: 4e8, tokens: 8e9, flops: 6 * 4e8 * 8e9, loss: 3.1, provisional: note }]);
});
