// One choice of curve law shared by the CLI and the dashboard (schedule-aware when the LR is known),
// and the dashboard's cross-run band drawn through the calibrated prediction path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseCurveLaw } from '../../src/core/fit/curveChoice';
import { buildSchedule } from '../../src/core/laws/schedule';
import { ScalingWorkspace } from '../../src/core/workspace';
import { curveCommand, type CurveCommandOutput } from '../../src/cliCommands/curve';
import { scalingView } from '../../src/core/dashboardData';
import { fitCrossRun } from '../../src/core/fit/crossRun';
import { predictWithFit } from '../../src/core/fit/crossRunLaw';
import { percentileInterval } from '../../src/core/fit/bootstrap';
import { intervalMultiplier } from '../../src/core/fit/calibration';
import { gaussian, mulberry32 } from '../../src/core/fit/random';
import { getLaw } from '../../src/core/laws/registry';
import type { FamilyLaw } from '../../src/core/snapshot';
import { tempDir } from './helpers/tempDir';

test('curve law choice: a planned end past 10M steps (a misread max_steps) rebuilds no per-step schedule: the power law, and why', () => {
  const loggedLr = { steps: [10, 500, 1000], values: [1e-4, 3e-4, 1e-4] };
  const far = chooseCurveLaw({ lastStep: 1000, maxSteps: 1e10, loggedLr });
  assert.ok(!('error' in far));
  assert.deepEqual([far.lawId, far.targetStep, far.lr], ['power', 1e10, undefined]);
  assert.match(far.notes.join(' '), /past 10000000 steps: the logged learning rate is not rebuilt/);
  const near = chooseCurveLaw({ lastStep: 1000, maxSteps: 10_000_000, loggedLr });
  assert.ok(!('error' in near) && near.lawId === 'multipower', '10M steps itself is still rebuilt');
});

test('curve law choice: the logged LR selects multipower up to the planned end; none selects power', () => {
  const loggedLr = { steps: [10, 500, 1000], values: [1e-4, 3e-4, 1e-4] };
  const withLr = chooseCurveLaw({ lastStep: 1000, maxSteps: 3000, loggedLr });
  assert.ok(!('error' in withLr));
  assert.equal(withLr.lawId, 'multipower');
  assert.equal(withLr.targetStep, 3000);
  assert.equal(withLr.lr?.length, 3001, 'the schedule reaches the planned end');
  assert.equal(withLr.lr?.[3000], 1e-4, 'held at its last logged value');
  assert.match(withLr.notes.join(' '), /stops at step 1000/);

  const without = chooseCurveLaw({ lastStep: 1000, maxSteps: 3000 });
  assert.ok(!('error' in without));
  assert.deepEqual([without.lawId, without.targetStep, without.lr], ['power', 3000, undefined]);
  // The planned end is never before the last logged step.
  assert.equal((chooseCurveLaw({ lastStep: 1000, maxSteps: 10 }) as { targetStep: number }).targetStep, 1000);
  // An explicit plain law gets no schedule; an explicit schedule law without an LR is an error.
  assert.equal((chooseCurveLaw({ lastStep: 1000, loggedLr, law: 'power' }) as { lr?: Float64Array }).lr, undefined);
  const missing = chooseCurveLaw({ lastStep: 1000, law: 'annealing', howToGiveSchedule: 'give --schedule' });
  assert.ok('error' in missing && /annealing.*give --schedule/.test(missing.error));
  // A logged LR that is all zeros or not finite is no schedule.
  assert.equal((chooseCurveLaw({ lastStep: 1000, loggedLr: { steps: [1, 2], values: [0, 0] } }) as { lawId: string }).lawId, 'power');
  // A given schedule wins over the log and sets the target to its own end.
  const given = chooseCurveLaw({
    lastStep: 1000,
    loggedLr,
    givenSchedule: { lr: buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: 5000 }), description: 'cosine schedule given' },
  });
  assert.ok(!('error' in given));
  assert.deepEqual([given.lawId, given.targetStep], ['multipower', 5000]);
});

// A cosine run whose loss falls with the LR area, logging its LR.
const T = 3000;
const lrAt = (s: number) => (s <= 150 ? (3e-4 * s) / 150 : 3e-5 + 2.7e-4 * 0.5 * (1 + Math.cos((Math.PI * (s - 150)) / (T - 150))));

function writeScheduledRun(dir: string): string {
  const rng = mulberry32(9);
  let area = 0;
  const lines: string[] = [];
  for (let s = 1; s <= T; s++) {
    area += lrAt(s);
    if (s % 10 === 0)
      lines.push(JSON.stringify({ step: s, loss: (2.3 + 0.9 * (area / 3e-4) ** -0.35) * Math.exp(0.002 * gaussian(rng)), learning_rate: lrAt(s) }));
  }
  const file = path.join(dir, 'cosine-run', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

test('dashboard and CLI fit a run that logs its LR with the same schedule-aware law and prediction', () => {
  const dir = tempDir('sl-curve-choice-');
  const file = writeScheduledRun(dir);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 10 });
  engine.update(file, dir);
  const view = engine.snapshot().runs[0];
  assert.equal(view.curve?.lawId, 'multipower');
  assert.equal(view.curve?.targetStep, T);

  let out = '';
  let err = '';
  const code = curveCommand([file, '--json', '--resamples', '10'], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  assert.equal(code, 0, err);
  const cli = JSON.parse(out) as CurveCommandOutput;
  assert.equal(cli.law, 'multipower');
  assert.equal(cli.targetStep, T);
  // Same data, same law, same start: the same noise-free prediction.
  assert.ok(
    Math.abs(cli.predictedFinal - view.curve!.predictedFinal.value) < 1e-9 * cli.predictedFinal,
    `${cli.predictedFinal} vs ${view.curve!.predictedFinal.value}`,
  );

  // The drawn fit follows the schedule-aware law (evaluated with the run's schedule), ends at the
  // prediction, and its band contains it.
  const fitted = view.display.fit;
  assert.ok(fitted.length > 10);
  assert.ok(Math.abs(fitted[fitted.length - 1] - view.curve!.predictedFinal.value) < 1e-9);
  const last = fitted.length - 1;
  assert.ok(view.display.fitLower[last] <= fitted[last] && fitted[last] <= view.display.fitUpper[last]);
});

test('scaling view: the law line and band are the calibrated predictions of the fit, wider than raw bootstrap', () => {
  const law = getLaw('chinchilla')!;
  const truth = (n: number, d: number) => 1.9 + 400 / n ** 0.34 + 1800 / d ** 0.37;
  const rng = mulberry32(3);
  const points = [];
  for (const n of [2e7, 5e7, 1e8, 2e8, 4e8])
    for (const m of [10, 20, 40]) points.push({ runId: `r${n}-${m}`, params: n, tokens: n * m, loss: truth(n, n * m) * Math.exp(0.01 * gaussian(rng)) });
  const fit = fitCrossRun(points, { seed: 1, resamples: 40 });
  assert.ok(!('error' in fit), 'error' in fit ? fit.error : '');
  const family: FamilyLaw = { family: 'f', guessed: false, runIds: points.map((p) => p.runId), fit } as unknown as FamilyLaw;
  const view = scalingView(
    family,
    points.map((p) => ({ id: p.runId, name: p.runId, status: 'finished' as const, params: p.params, tokens: p.tokens, fittedLoss: p.loss })),
    12,
  );
  assert.ok(view.lawLine);
  let widened = 0;
  const { lower, upper } = view.lawLine;
  assert.ok(lower && upper, "a full law's line has its band");
  for (let i = 0; i < view.lawLine.params.length; i++) {
    const x = [view.lawLine.params[i], view.lawLine.tokens[i]];
    const calibrated = predictWithFit(law, fit, x);
    assert.equal(view.lawLine.loss[i], calibrated.value);
    assert.deepEqual([lower[i], upper[i]], calibrated.interval);
    const raw = percentileInterval(
      fit.samples.map((s) => law.evaluate(s, x)),
      fit.intervalLevel,
      calibrated.value,
    );
    assert.ok(lower[i] <= raw[0] + 1e-12 && upper[i] >= raw[1] - 1e-12, 'never narrower than the raw bootstrap');
    if (upper[i] - lower[i] > 1.5 * (raw[1] - raw[0])) widened++;
  }
  assert.ok(intervalMultiplier('crossRun') > 1.5);
  assert.equal(widened, view.lawLine.params.length, 'every band point widened by the cross-run calibration');
});
