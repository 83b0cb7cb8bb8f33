// A live run whose config names no LR schedule is forecast with its last logged LR held to the end
// (fit/plannedSchedule.ts): the forecast says its schedule is assumed and carries the wider interval.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { assumedScheduleInterval, ASSUMED_SCHEDULE_DROP, decayedFinal, lrHeldFrom } from '../../src/core/fit/plannedSchedule';
import { SIBLING_FORECAST_FLOOR } from '../../src/core/fit/siblingForecast';
import { createMultipowerLaw } from '../../src/core/laws/multipower';

const examples = path.resolve(__dirname, '../../examples');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The example's live run (llama-279m), its config's scheduler removed when `dropSchedule`. */
function liveRun(dropSchedule: boolean) {
  const root = tempDir('sl-assumed-');
  fs.cpSync(examples, root, { recursive: true });
  if (dropSchedule) {
    const file = path.join(root, 'sweep/llama-279m/training_args.json');
    const args = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete args.lr_scheduler_type;
    fs.writeFileSync(file, JSON.stringify(args));
  }
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  let snapshot = engine.snapshot();
  for (let round = 0; round < 10 && snapshot.fitting > 0; round++) snapshot = engine.snapshot();
  const run = snapshot.runs.find((r) => r.id === 'sweep/llama-279m');
  assert.ok(run?.curve, 'the live run has a forecast');
  return Object.assign(run.curve, { family: snapshot.families.find((f) => f.family === 'example-sweep') });
}

test('a live run whose config names no schedule: forecast says the schedule is assumed, interval reaches down', () => {
  const known = liveRun(false);
  assert.equal(known.scheduleAssumedFrom, undefined, "the config's cosine schedule is rebuilt: nothing assumed");
  const held = liveRun(true);
  assert.equal(held.scheduleAssumedFrom, 4250, 'held from the last logged LR step');
  assert.equal(held.provenance, 'from siblings');
  // The family law it anchors says so (the lens and hover of configs read it).
  assert.deepEqual(held.family?.anchoredScheduleAssumed, ['sweep/llama-279m']);
  assert.equal(known.family?.anchoredScheduleAssumed, undefined);
  const { value, interval } = held.predictedFinal;
  // Held at a constant LR, the forecast is higher than with the cosine decay it really follows.
  assert.ok(value > known.predictedFinal.value, `held ${value} above the cosine forecast ${known.predictedFinal.value}`);
  // The interval reaches down past the cosine forecast (the LR falling to 0), the upper end as before.
  assert.ok(interval[0] < known.predictedFinal.value, `lower end ${interval[0]} below ${known.predictedFinal.value}`);
  assert.ok(Math.log(value / interval[0]) > 2 * SIBLING_FORECAST_FLOOR, 'wider than the known-schedule floor below');
  assert.ok(Math.log(interval[1] / value) < 2 * SIBLING_FORECAST_FLOOR, 'upper end unchanged');
  assert.ok(held.alone && held.alone.interval[0] <= held.alone.value * Math.exp(-ASSUMED_SCHEDULE_DROP) * (1 + 1e-12), 'the run-alone interval widened too');
});

test('lrHeldFrom: the last logged LR step before the target only', () => {
  assert.equal(lrHeldFrom({ steps: [10, 20, 30] }, 100), 30);
  assert.equal(lrHeldFrom({ steps: [10, 20, 100] }, 100), undefined);
  assert.equal(lrHeldFrom({ steps: [10] }, 100), undefined);
  assert.equal(lrHeldFrom(undefined, 100), undefined);
});

test('decayedFinal is below the held forecast, and the assumed interval keeps its upper end', () => {
  const lr = new Float64Array(1001).fill(1e-3);
  lr[0] = 0;
  const params = [Math.log(2.5), Math.log(1), 0.4, Math.log(300), Math.log(2), 0.5, 0.5];
  const heldValue = createMultipowerLaw([lr]).evaluate(params, [1000, 0]);
  const decayed = decayedFinal(lr, 300, 1000, params);
  assert.ok(decayed < heldValue, `${decayed} < ${heldValue}`);
  const interval = assumedScheduleInterval([heldValue * 0.99, heldValue * 1.01], heldValue, decayed);
  assert.ok(Math.abs(interval[0] - decayed * 0.99) < 1e-12);
  assert.equal(interval[1], heldValue * 1.01);
  const alone = assumedScheduleInterval([heldValue * 0.999, heldValue * 1.001], heldValue, undefined);
  assert.ok(Math.abs(alone[0] - heldValue * Math.exp(-ASSUMED_SCHEDULE_DROP)) < 1e-12);
});
