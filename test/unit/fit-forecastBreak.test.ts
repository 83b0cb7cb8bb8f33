// A live run's loss leaving the interval an earlier forecast gave it (fit/forecastBreak.ts), and the
// engine saying so in the run's health instead of silently refitting (engine/runViews.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitCurve, type CurveFit } from '../../src/core/fit/curve';
import { forecastBandOf, forecastBreak } from '../../src/core/fit/forecastBreak';
import { ScalingWorkspace } from '../../src/core/workspace';
import type { RunView } from '../../src/shared/protocol';
import { tempDir } from './helpers/tempDir';

const STEP = 20;
const smooth = (step: number) => 2.1 + 40 * step ** -0.45;
/** Deterministic noise of ±0.4% (a fixed pseudo-random sequence). */
const noise = (i: number) => 0.004 * Math.sin(i * 12.9898) * 2.1;

function series(from: number, count: number, loss: (step: number) => number, offset = 0): { steps: number[]; losses: number[] } {
  const steps = Array.from({ length: count }, (_, i) => from + i * STEP);
  return { steps, losses: steps.map((s, i) => loss(s) + noise(i + offset)) };
}

const prefix = series(STEP, 100, smooth);
const fit = fitCurve(prefix.steps, prefix.losses, { targetStep: 10_000, seed: 1, resamples: 20 }) as CurveFit;
const band = forecastBandOf(fit)!;

function continued(count: number, loss: (step: number) => number) {
  const more = series(prefix.steps[prefix.steps.length - 1] + STEP, count, loss, 100);
  return { steps: [...prefix.steps, ...more.steps], losses: [...prefix.losses, ...more.losses] };
}

test('the band of a forecast starts at its last fitted step and contains its values', () => {
  assert.ok(!('error' in fit));
  assert.equal(band.fittedAtStep, 2000);
  assert.ok(
    Math.abs(band.steps[0] / 2000 - 1) < 1e-9 && Math.abs(band.steps[band.steps.length - 1] / 10_000 - 1) < 1e-9,
    `${band.steps[0]}–${band.steps[band.steps.length - 1]}`,
  );
  band.values.forEach((v, i) => assert.ok(band.lower[i] <= v && v <= band.upper[i]));
});

test('a loss that follows its forecast is no break, however noisy', () => {
  const s = continued(200, smooth);
  assert.equal(forecastBreak(band, s.steps, s.losses), undefined);
});

test('a loss that falls well below its earlier forecast is reported, with where and by how much', () => {
  // Past step 3000 the loss drops by a further 8% (a curve that bends down).
  const s = continued(200, (st) => smooth(st) * (st > 3000 ? 0.92 : 1));
  const b = forecastBreak(band, s.steps, s.losses);
  assert.ok(b, 'break found');
  assert.equal(b.direction, 'below');
  assert.equal(b.fittedAtStep, 2000);
  assert.ok(b.fromStep > 3000 && b.fromStep < b.atStep, `from ${b.fromStep}`);
  assert.ok(b.observed < b.interval[0], `${b.observed} below ${b.interval}`);
  assert.match(b.note, /left the forecast made at step 2000/);
  assert.match(b.note, /below that forecast's 80% interval/);
});

test('a loss that stalls above its forecast is reported as above', () => {
  const s = continued(200, (st) => (st > 3000 ? smooth(3000) : smooth(st)) * 1.02);
  const b = forecastBreak(band, s.steps, s.losses);
  assert.equal(b?.direction, 'above');
});

test('a short spike that recovers, and too few new points, are no break', () => {
  const spike = continued(200, smooth);
  for (let i = 150; i < 154; i++) spike.losses[i] *= 1.3;
  assert.equal(forecastBreak(band, spike.steps, spike.losses), undefined);
  const few = continued(8, (st) => smooth(st) * 0.8);
  assert.equal(forecastBreak(band, few.steps, few.losses), undefined);
});

/** A live JSONL run planning 500 steps of STEP, with its first `points` points. */
function liveRun(points: number): { dir: string; file: string; append: (loss: (step: number) => number, count: number) => void } {
  const dir = tempDir('sl-forecast-break-');
  const runDir = path.join(dir, 'run-a');
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(
    path.join(runDir, 'config.json'),
    JSON.stringify({
      model_type: 'llama',
      hidden_size: 256,
      intermediate_size: 688,
      num_hidden_layers: 4,
      num_attention_heads: 4,
      vocab_size: 32000,
      max_position_embeddings: 1024,
      tie_word_embeddings: true,
    }),
  );
  fs.writeFileSync(
    path.join(runDir, 'training_args.json'),
    JSON.stringify({
      per_device_train_batch_size: 8,
      gradient_accumulation_steps: 1,
      world_size: 1,
      max_seq_length: 1024,
      max_steps: 500 * STEP,
      learning_rate: 3e-4,
    }),
  );
  const file = path.join(runDir, 'metrics.jsonl');
  let next = STEP;
  let i = 0;
  const append = (loss: (step: number) => number, count: number) => {
    const lines: string[] = [];
    for (let k = 0; k < count; k++, i++, next += STEP) lines.push(`${JSON.stringify({ step: next, loss: loss(next) + noise(i) })}\n`);
    fs.appendFileSync(file, lines.join(''));
  };
  append(smooth, points);
  return { dir, file, append };
}

function only(engine: ScalingWorkspace): RunView {
  const snapshot = engine.snapshot();
  assert.equal(snapshot.runs.length, 1);
  return snapshot.runs[0];
}

const breaks = (v: RunView) => (v.health?.events ?? []).filter((e) => e.kind === 'forecast-break');

test("the engine keeps a live run's earlier forecast and says when the loss left it, instead of only refitting", () => {
  const run = liveRun(100);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4 });
  engine.update(run.file, run.dir);
  const first = only(engine);
  assert.equal(first.status, 'live');
  assert.equal(first.curve?.fittedAtStep, 2000);
  assert.deepEqual(breaks(first), []);

  run.append((st) => smooth(st) * (st > 3000 ? 0.92 : 1), 150);
  engine.update(run.file, run.dir);
  const after = only(engine);
  assert.ok((after.curve?.fittedAtStep ?? 0) > 2000, 'the run was refitted on its new points');
  const [b] = breaks(after);
  assert.ok(b, 'the break is in the run health');
  assert.ok(b.step > 3000, `from step ${b.step}`);
  assert.match(b.note, /left the forecast made at step 2000/);
});

test('a live run that follows its forecast gets no break note, as the engine moves on to later forecasts', () => {
  const run = liveRun(100);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4 });
  engine.update(run.file, run.dir);
  only(engine);
  for (let k = 0; k < 3; k++) {
    run.append(smooth, 100);
    engine.update(run.file, run.dir);
    assert.deepEqual(breaks(only(engine)), []);
  }
});
