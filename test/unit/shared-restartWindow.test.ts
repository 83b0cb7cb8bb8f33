// The crash-loop guard shared by the host (the worker) and the worker (its fitting thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartWindow } from '../../src/shared/restartWindow';

test('restart window: 5 restarts within a minute are allowed, the 6th stop is refused and the window starts over', () => {
  const w = new RestartWindow(5, 60_000);
  for (let i = 0; i < 5; i++) assert.equal(w.allow(1000 * i), true, `stop ${i + 1}`);
  assert.equal(w.allow(5000), false, 'a 6th stop within the minute');
  assert.equal(w.allow(6000), true, 'after a refusal the window starts over');
});

test('restart window: stops older than the window are forgotten; reset forgets all', () => {
  const w = new RestartWindow(2, 1000);
  assert.equal(w.allow(0), true);
  assert.equal(w.allow(500), true);
  assert.equal(w.allow(1200), true, 'the stop at 0 is out of the window');
  assert.equal(w.allow(1300), false);
  w.reset();
  assert.equal(w.allow(1400), true);
  assert.equal(w.allow(1401), true);
});
