// The usual gap of a series (medianGap): one rule for a run's logging interval and its pace between launches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianGap } from '../../src/shared/arrays';

test('medianGap: the upper median of positive differences from an index, undefined below the minimum count', () => {
  assert.equal(medianGap([0, 10, 20, 30, 60]), 10, 'gaps 10, 10, 10, 30');
  assert.equal(medianGap([0, 10, 20, 50, 80]), 30, 'gaps 10, 10, 30, 30: the upper median');
  assert.equal(medianGap([5, 5, 4, 10]), 6, 'zero and negative steps (a repeat, a rewind) are not gaps');
  assert.equal(medianGap([0, 100, 110, 120], 2), 10, 'from index 2: gaps 10, 10');
  assert.equal(medianGap([0, 10], 1, 2), undefined, 'one gap, two needed');
  assert.equal(medianGap([]), undefined);
  assert.equal(medianGap(Float64Array.of(0, 128, 256, 384), -5), 128, 'a typed array; a start before 1 counts from 1');
});
