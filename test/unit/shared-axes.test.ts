// The loss-curve x axes: step, tokens, FLOPs and wall time from what the worker sent.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CURVE_X_MISSING, piecewiseLinear, stepToX } from '../../src/shared/axes';
import { formatClockHours, formatDuration } from '../../src/shared/duration';

const display = { steps: [], loss: [], evalSteps: [], evalLoss: [], fitSteps: [], fit: [], fitLower: [], fitUpper: [], lrSteps: [], lr: [] };

test('piecewise-linear step → x, continued past the end at a given pace', () => {
  const f = piecewiseLinear([10, 20, 40], [0, 1, 2]);
  assert.deepEqual([10, 15, 20, 30, 40].map(f), [0, 0.5, 1, 1.5, 2]);
  assert.equal(f(60), 3, 'along the last segment');
  assert.equal(f(0), -1, 'before the start along the first segment');
  assert.equal(piecewiseLinear([10, 20], [0, 1], 0.5)(30), 6, 'at the given pace');
  assert.ok(Number.isNaN(piecewiseLinear([], [])(5)));
});

test('tokens and FLOPs axes scale steps; an axis without its numbers has no map', () => {
  const run = { hyper: { notes: [], tokensPerStep: 1000 }, flopsPerStep: 6e9, display };
  assert.equal(stepToX(run, 'step')!(7), 7);
  assert.equal(stepToX(run, 'tokens')!(7), 7000);
  assert.equal(stepToX(run, 'flops')!(7), 4.2e10);
  assert.equal(stepToX(run, 'wall'), undefined, 'no logged clock');
  assert.equal(stepToX({ hyper: { notes: [] }, display }, 'tokens'), undefined);
  const timed = {
    hyper: { notes: [] },
    display: { ...display, wall: { steps: [0, 3600], hours: [0, 1] } },
    eta: { seconds: 10, stepsPerSecond: 2, sinceStep: 0, source: 'log' as const },
  };
  // Past the last logged step the fit's extrapolation continues at the recent 2 steps/s.
  assert.equal(stepToX(timed, 'wall')!(3600 + 7200), 2);
});

test('the wall-clock axis places a run by the date its clock records, and only then', () => {
  const start = 1.75e9;
  const dated = {
    hyper: { notes: [] },
    display: { ...display, wall: { steps: [0, 100, 200], hours: [0, 0.5, 1], startUnixSeconds: start } },
    eta: { seconds: 10, stepsPerSecond: 0.1, sinceStep: 0, source: 'log' as const },
  };
  const toX = stepToX(dated, 'clock')!;
  assert.deepEqual([0, 100, 200].map(toX), [start, start + 1800, start + 3600]);
  assert.equal(toX(300), start + 3600 + 1000, 'past the end at the recent 0.1 steps/s');
  // A clock counting from launch (seconds since start) has no date: on the relative axis only.
  const relative = { ...dated, display: { ...display, wall: { steps: [0, 100], hours: [0, 0.5] } } };
  assert.ok(stepToX(relative, 'wall'));
  assert.equal(stepToX(relative, 'clock'), undefined);
  assert.equal(CURVE_X_MISSING.clock, 'no date in its log');
});

test('durations and hours read as people write them', () => {
  assert.deepEqual([5, 600, 3 * 3600 + 1200, 50 * 3600].map(formatDuration), ['5 s', '10 min', '3 h 20 min', '2 d 2 h']);
  assert.equal(formatDuration(-1), '—');
  assert.equal(formatClockHours(1.5), '1:30');
});
