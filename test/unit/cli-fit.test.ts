// The fitting subcommands (`fit`, `curve`, `hparams`) run in-process on files written here from
// known laws plus noise; the JSON they print is the documented shape (README, CLI section).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitCommand, type FitCommandOutput } from '../../src/cliCommands/fit';
import { curveCommand, type CurveCommandOutput } from '../../src/cliCommands/curve';
import { hparamsCommand, type HparamsCommandOutput } from '../../src/cliCommands/hparams';
import { CommandUsageError, type CommandIo } from '../../src/cliCommands/fitShared';
import { gaussian, mulberry32 } from '../../src/core/fit/random';
import { tempDir } from './helpers/tempDir';
import { familyModel } from '../../src/core/plan/familyModel';
import { fitCrossRunLaw } from '../../src/core/fit/crossRunLaw';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { crossRunDistanceFloor } from '../../src/core/fit/calibration';
import { referencePriors } from '../../src/core/fit/priors';

const dir = tempDir('sl-cli-fit-');
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

function run(command: (args: string[], io: CommandIo) => number, args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = command(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const chin = (N: number, D: number) => 1.9 + 400 / N ** 0.34 + 1800 / D ** 0.37;

const rng = mulberry32(17);
const trainRows = ['N,D,val_loss'];
for (const N of [2e7, 5e7, 1e8, 2e8, 4e8])
  for (const m of [5, 10, 20, 40, 80]) trainRows.push(`${N},${N * m},${chin(N, N * m) * Math.exp(0.003 * gaussian(rng))}`);
const trainCsv = write('train.csv', `${trainRows.join('\n')}\n`);
const trainCanonical = write('train-canonical.csv', `${trainRows.join('\n').replace('N,D,val_loss', 'params,tokens,loss')}\n`);
const predictCsv = write('predict.csv', 'N,D\n1e9,2e10\nnot-a-number,1e9\n4e8,8e9\n');

test('fit: maps columns, recovers the law, predicts in --predict order with null for a bad row', () => {
  const r = run(fitCommand, [
    '--law',
    'chinchilla',
    '--train',
    trainCsv,
    '--predict',
    predictCsv,
    '--columns',
    'params=N,tokens=D,loss=val_loss',
    '--json',
    '--resamples',
    '50',
  ]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as FitCommandOutput;
  assert.equal(out.law, 'chinchilla');
  assert.deepEqual(Object.keys(out.parameters).sort(), ['A', 'B', 'E', 'alpha', 'beta']);
  assert.ok(Math.abs(out.parameters.alpha.value - 0.34) < 0.05, `alpha ${out.parameters.alpha.value}`);
  assert.ok(Math.abs(out.parameters.E.value - 1.9) < 0.15, `E ${out.parameters.E.value}`);
  for (const p of Object.values(out.parameters)) assert.ok(p.interval[0] <= p.value && p.value <= p.interval[1]);
  assert.equal(out.validation?.method, 'leave-largest-out');
  assert.equal(out.predictions.length, 3);
  assert.deepEqual(
    out.predictions.map((p) => p.line),
    [2, 3, 4],
  );
  assert.equal(out.predictions[1].predicted, null);
  assert.match(out.predictions[1].error!, /N \(params\)/);
  assert.match(r.err, /predict\.csv:3: warning/);
  const far = out.predictions[0];
  assert.ok(Math.abs(far.predicted! - chin(1e9, 2e10)) / chin(1e9, 2e10) < 0.01, `${far.predicted}`);
  assert.deepEqual(far.input, { params: 1e9, tokens: 2e10 });
  // In-sample row: no extrapolation flag.
  assert.equal(out.predictions[2].flags, undefined);
  assert.equal(out.runsUsed, 25);
  assert.equal(out.priorsUsed, false);
});

test('fit: the same inputs give the same JSON; canonical columns need no mapping; the compute law reads C = 6ND', () => {
  const a = run(fitCommand, ['--train', trainCanonical, '--json', '--resamples', '20']);
  const b = run(fitCommand, ['--train', trainCanonical, '--json', '--resamples', '20']);
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  const c = run(fitCommand, ['--law', 'compute', '--train', trainCanonical, '--json', '--resamples', '0']);
  assert.equal(c.code, 0, c.err);
  const out = JSON.parse(c.out) as FitCommandOutput;
  assert.deepEqual(Object.keys(out.parameters).sort(), ['C0', 'E', 'alpha']);
});

test("fit --predict: each row's compute distance from the largest training row, as the lens states it, and past the backtests' reach the label", () => {
  // Largest training row: 4e8 parameters × 80 tokens each = 7.68e19 FLOPs (6·N·D).
  const far = write('predict-far.csv', 'params,tokens\n4e8,8e9\n1e9,2e11\n1e10,2e11\n');
  const json = run(fitCommand, ['--law', 'chinchilla', '--train', trainCanonical, '--predict', far, '--json', '--resamples', '30']);
  assert.equal(json.code, 0, json.err);
  const out = JSON.parse(json.out) as FitCommandOutput;
  const largest = 6 * 4e8 * 4e8 * 80;
  const want = [(6 * 4e8 * 8e9) / largest, (6 * 1e9 * 2e11) / largest, (6 * 1e10 * 2e11) / largest];
  out.predictions.forEach((p, i) => {
    assert.ok(p.distance, `line ${p.line} has a distance`);
    assert.ok(Math.abs(p.distance.computeRatio / want[i] - 1) < 1e-9, `line ${p.line}: ${p.distance.computeRatio} vs ${want[i]}`);
    assert.equal(p.distance.largestRunId, 'line 26');
    assert.equal(p.distance.notValidated, want[i] > 100, `line ${p.line} at ${want[i]}×`);
  });
  const text = run(fitCommand, ['--law', 'chinchilla', '--train', trainCanonical, '--predict', far, '--resamples', '30']);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /Distance from the data: 0\.25× the compute of the largest finished run \(line 26\)/);
  assert.match(text.out, /Distance from the data: 16× the compute of the largest finished run/);
  assert.match(
    text.out,
    /Distance from the data: 156× the compute of the largest finished run \(line 26\); 20 tokens\/parameter against the family's 5\.0–80\. Not validated that far/,
  );
  // Without tokens in the rows there is no distance (compute alone gives no tokens per parameter).
  const computeOnly = run(fitCommand, [
    '--law',
    'chinchilla',
    '--train',
    trainCanonical,
    '--predict',
    write('predict-n.csv', 'params\n1e9\n'),
    '--json',
    '--resamples',
    '10',
  ]);
  assert.equal((JSON.parse(computeOnly.out) as FitCommandOutput).predictions[0].distance, undefined);
});

test('fit: unknown law and missing --train are usage errors; a missing file is an error naming it', () => {
  assert.throws(() => run(fitCommand, ['--law', 'nope', '--train', trainCsv]), CommandUsageError);
  assert.throws(() => run(fitCommand, ['--law', 'chinchilla']), /--train/);
  assert.throws(() => run(fitCommand, ['--train', trainCsv, '--columns', 'bogus=x']), /unknown canonical column/);
  const lacking = run(fitCommand, ['--law', 'datalimited', '--train', trainCanonical]);
  assert.equal(lacking.code, 1);
  assert.match(lacking.err, /train-canonical\.csv:1: error: law datalimited needs column\(s\) unique_tokens/);
  assert.equal(lacking.err.trim().split('\n').length, 1, 'one error, not one per row');
  const r = run(fitCommand, ['--train', path.join(dir, 'missing.csv')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /missing\.csv: error: cannot read/);
});

// A cosine-schedule run whose loss follows a power law in the LR area plus noise, logged to the end.
const T = 4000;
const lrAt = (s: number) => (s <= 200 ? (3e-4 * s) / 200 : 3e-5 + 2.7e-4 * 0.5 * (1 + Math.cos((Math.PI * (s - 200)) / (T - 200))));
const curveRng = mulberry32(4);
const powerCurve = (s: number) => 2.2 + 30 * s ** -0.5;
const logLines: string[] = [];
for (let s = 10; s <= T; s += 10)
  logLines.push(JSON.stringify({ step: s, loss: powerCurve(s) * Math.exp(0.003 * gaussian(curveRng)), learning_rate: lrAt(s) }));
const logFile = write('metrics.jsonl', `${logLines.join('\n')}\n`);

test('curve: --until 0.5 with the power law predicts the logged end; actualFinal and errorPct are reported', () => {
  const r = run(curveCommand, [logFile, '--until', '0.5', '--law', 'power', '--json', '--resamples', '30']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as CurveCommandOutput;
  assert.equal(out.law, 'power');
  assert.equal(out.targetStep, T);
  assert.ok(out.fittedUntilStep <= T / 2 + 10 && out.points < logLines.length);
  assert.ok(Math.abs(out.predictedFinal - powerCurve(T)) / powerCurve(T) < 0.01, `${out.predictedFinal} vs ${powerCurve(T)}`);
  assert.ok(out.interval[0] <= out.predictedFinal && out.predictedFinal <= out.interval[1]);
  assert.ok(out.actualFinal !== undefined && Math.abs(out.actualFinal - powerCurve(T)) / powerCurve(T) < 0.005);
  assert.ok(Math.abs(out.errorPct! - (100 * (out.predictedFinal - out.actualFinal!)) / out.actualFinal!) < 1e-9);
  assert.ok(out.validation && out.validation.prefixes.length >= 1);
});

test('curve: a logged learning rate makes the schedule-aware law the default; --until as a step', () => {
  const r = run(curveCommand, [logFile, '--until', '3000', '--json', '--resamples', '0']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as CurveCommandOutput;
  assert.equal(out.law, 'multipower');
  assert.equal(out.fittedUntilStep, 3000);
  assert.ok(Number.isFinite(out.predictedFinal) && out.predictedFinal > 2 && out.predictedFinal < 3);
});

test('curve: bad arguments are usage errors; an unreadable log names the file', () => {
  assert.throws(() => run(curveCommand, [logFile, '--until=-1']), CommandUsageError);
  assert.throws(() => run(curveCommand, [logFile, '--until', 'soon']), CommandUsageError);
  assert.throws(() => run(curveCommand, [logFile, '--law', 'nope']), CommandUsageError);
  assert.throws(() => run(curveCommand, []), CommandUsageError);
  const r = run(curveCommand, [path.join(dir, 'nope.jsonl')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /nope\.jsonl/);
});

test('hparams: one row per --predict setting with lr and batchTokens {value, interval}', () => {
  const lrStar = (N: number, D: number) => 1.79 * N ** -0.713 * D ** 0.307;
  const bsStar = (D: number) => 0.58 * D ** 0.571;
  const r2 = mulberry32(8);
  const rows = ['params,tokens,lr,batch_tokens,loss'];
  for (const [N, D] of [
    [5e7, 1e9],
    [1e8, 2e9],
    [2e8, 4e9],
    [4e8, 8e9],
    [1e8, 8e9],
    [2e8, 1e9],
  ]) {
    for (let i = -3; i <= 3; i++) {
      for (let j = -2; j <= 2; j++) {
        const lr = lrStar(N, D) * 2 ** (0.5 * i);
        const bs = bsStar(D) * 2 ** (0.5 * j);
        const loss = chin(N, D) * (1 + 0.01 * Math.log(lr / lrStar(N, D)) ** 2 + 0.005 * Math.log(bs / bsStar(D)) ** 2) * Math.exp(5e-4 * gaussian(r2));
        rows.push(`${N},${D},${lr},${bs},${loss}`);
      }
    }
  }
  const train = write('sweep.csv', `${rows.join('\n')}\n`);
  const predict = write('settings.csv', 'params,tokens\n1e9,2e10\n3e8,6e9\n');
  const r = run(hparamsCommand, ['--train', train, '--predict', predict, '--json', '--resamples', '50']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as HparamsCommandOutput;
  assert.equal(out.law, 'steplaw');
  assert.equal(out.predictions.length, 2);
  assert.equal(out.groups.length, 6);
  for (const p of out.predictions) {
    const { params, tokens } = p.input;
    assert.equal(p.lr.source, 'fit');
    assert.ok(Math.abs(Math.log(p.lr.value! / lrStar(params, tokens))) < 0.15, `lr ${p.lr.value} vs ${lrStar(params, tokens)}`);
    assert.ok(Math.abs(Math.log(p.batchTokens.value! / bsStar(tokens))) < 0.15, `bs ${p.batchTokens.value} vs ${bsStar(tokens)}`);
    assert.ok(p.lr.interval![0] <= p.lr.value! && p.lr.value! <= p.lr.interval![1]);
  }
  assert.ok('parameters' in out.laws.lr);
  assert.throws(() => run(hparamsCommand, ['--train', train]), /--predict/);
  // A row with its own lr and batch: the penalty comes from the surface fitted at its (N, D), and only from one.
  const withSettings = write('with-settings.csv', `params,tokens,lr,batch_tokens\n1e8,2e9,${2 * lrStar(1e8, 2e9)},${bsStar(2e9)}\n1e9,2e10,1e-3,5e5\n`);
  const s = run(hparamsCommand, ['--train', train, '--predict', withSettings, '--json', '--resamples', '0']);
  assert.equal(s.code, 0, s.err);
  const rowsOut = (JSON.parse(s.out) as HparamsCommandOutput).predictions;
  // The synthetic bowl costs 1%·(ln 2)² ≈ 0.48% at twice the optimal lr.
  const expected = 100 * 0.01 * Math.log(2) ** 2;
  assert.ok(
    rowsOut[0].penaltyPct !== undefined && rowsOut[0].penaltyPct !== null && Math.abs(rowsOut[0].penaltyPct - expected) < 0.1,
    `${rowsOut[0].penaltyPct} vs ${expected}`,
  );
  assert.equal(rowsOut[1].penaltyPct, null);
  assert.match(rowsOut[1].penaltyNote!, /no loss penalty is claimed/);
});

test('fit --predict: intervals widen with the distance from the training rows, as the lens gives them for the same fit and (N, D)', () => {
  // Rows at 1×, 10× and 100× the compute of the largest training row (4e8 params, 80 tokens/parameter), at its tokens/parameter.
  const far = [4e8, 4e8 * Math.sqrt(10), 4e8 * Math.sqrt(100)].map((n) => [Math.round(n), Math.round(n * 80)]);
  const farCsv = write('predict-distances.csv', `N,D\n${far.map((r) => r.join(',')).join('\n')}\n`);
  const r = run(fitCommand, [
    '--law',
    'chinchilla',
    '--train',
    trainCsv,
    '--predict',
    farCsv,
    '--columns',
    'params=N,tokens=D,loss=val_loss',
    '--json',
    '--resamples',
    '50',
  ]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as FitCommandOutput;
  const halfWidths = out.predictions.map((p) => Math.log(p.interval![1] / p.interval![0]) / 2);
  assert.ok(halfWidths[0] < halfWidths[1] && halfWidths[1] < halfWidths[2], `log half-widths ${halfWidths.join(', ')}`);
  for (const [i, p] of out.predictions.entries()) {
    assert.ok(Math.abs(p.distance!.computeRatio - [1, 10, 100][i]) < 0.01, `ratio ${p.distance!.computeRatio}`);
    assert.ok(Math.log(p.interval![1] / p.predicted!) >= crossRunDistanceFloor(p.distance!.computeRatio) - 1e-12);
  }
  // The lens's family model on the same fit (the CLI's: 25 rows, no priors, seed 1) gives the same interval.
  const points = trainRows.slice(1).map((row, i) => {
    const [n, d, loss] = row.split(',').map(Number);
    return { runId: `line ${i + 2}`, x: [n, d], y: loss, params: n, tokens: d, loss };
  });
  const fit = fitCrossRunLaw(chinchillaLaw, points, { seed: 1, resamples: 50 });
  assert.ok(!('error' in fit));
  const model = familyModel({ family: 't', fit, runsUsed: fit.runIds, points, throughRuns: false });
  for (const [i, [n, d]] of far.entries()) {
    const lens = model.predict(n, d);
    assert.ok(Math.abs(lens.value - out.predictions[i].predicted!) < 1e-9 * lens.value);
    assert.deepEqual(
      lens.interval.map((v) => +v.toPrecision(10)),
      out.predictions[i].interval!.map((v) => +v.toPrecision(10)),
    );
  }
});

test('fit --predict past a break in the rows widens as the lens does: the same table through both gives one interval', () => {
  // A ladder whose loss falls away from the law past 2e8 parameters (fit-familyBreak.test.ts's), ±0.3% scatter.
  const law = (n: number, d: number) => 1.8 + 400 / n ** 0.34 + 1800 / d ** 0.36;
  const rows = [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8].map((n, i) => [
    n,
    20 * n,
    law(n, 20 * n) * (1 + 0.003 * Math.sin(i * 2.3)) * (n > 2e8 ? 0.9 * (n / 2e8) ** -0.05 : 1),
  ]);
  const train = write('train-broken.csv', `params,tokens,loss\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  const beyond = [
    [2e9, 4e10],
    [3.2e8, 6.4e9],
  ];
  const predict = write('predict-broken.csv', `params,tokens\n${beyond.map((r) => r.join(',')).join('\n')}\n`);
  // Seven rows: the CLI leans on the published values (--priors auto), as the lens's small families do.
  const r = run(fitCommand, ['--law', 'chinchilla', '--train', train, '--predict', predict, '--json', '--resamples', '50']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as FitCommandOutput;
  const points = rows.map(([n, d, loss], i) => ({ runId: `line ${i + 2}`, x: [n, d], y: loss, params: n, tokens: d, loss }));
  const fit = fitCrossRunLaw(chinchillaLaw, points, { priors: referencePriors(chinchillaLaw), seed: 1, resamples: 50 });
  assert.ok(!('error' in fit) && out.priorsUsed);
  const model = familyModel({ family: 't', fit, runsUsed: fit.runIds, points, throughRuns: false });
  assert.ok(model.break, 'the lens finds the break in these rows');
  assert.deepEqual(out.break, { runIds: model.break.runIds, heldOutMiss: model.break.heldOutMiss });
  assert.ok(out.warnings.includes(model.break.note));
  for (const [i, [n, d]] of beyond.entries()) {
    const lens = model.predict(n, d);
    assert.ok(Math.abs(lens.value - out.predictions[i].predicted!) < 1e-9 * lens.value);
    assert.deepEqual(
      out.predictions[i].interval!.map((v) => +v.toPrecision(10)),
      lens.interval.map((v) => +v.toPrecision(10)),
      `row ${i + 2}`,
    );
  }
  // Past the largest row the interval reaches at least the miss below the value (the break's widening).
  const far = out.predictions[0];
  assert.ok(far.interval![0] <= far.predicted! * Math.exp(-model.break.heldOutMiss) * (1 + 1e-12), `${far.interval} about ${far.predicted}`);
});
