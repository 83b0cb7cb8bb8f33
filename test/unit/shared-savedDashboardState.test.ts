import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseDashboardState, parseWebviewMessage } from '../../src/shared/protocol';
import { restoredDashboardState } from '../../src/shared/savedDashboardState';

test('options saved by another version are restored: known valid fields kept, unknown keys dropped, missing ones at their defaults', () => {
  const defaults = parseDashboardState(undefined);
  // Saved by an older version (no runFilter, no ignoreOutliers) that a newer one reads, with an option this version does not know.
  const older: Record<string, unknown> = { ...defaults, view: 'scaling', scalingX: 'params', smoothing: 0.3, hiddenRuns: ['sweep/a'] };
  delete older.runFilter;
  delete older.ignoreOutliers;
  const saved = { ...older, futureOption: 'x', sort: { column: 'name', descending: true, by: 'future' } };
  // The strict check a webview message gets refuses it whole, which lost every option after an upgrade.
  assert.equal(parseWebviewMessage({ type: 'state', state: saved }), undefined);
  const restored = restoredDashboardState(saved);
  assert.deepEqual(restored, {
    ...defaults,
    view: 'scaling',
    scalingX: 'params',
    smoothing: 0.3,
    hiddenRuns: ['sweep/a'],
    sort: { column: 'name', descending: true },
  });
  assert.ok(!('futureOption' in restored!));
});

test('saved options are still untrusted: invalid values take their defaults, and nothing usable restores nothing', () => {
  const defaults = parseDashboardState(undefined);
  const restored = restoredDashboardState({
    view: 'nope',
    xAxis: 'clock',
    smoothing: 7,
    family: 3,
    runFilter: 'x'.repeat(10_000),
    hiddenRuns: ['ok', 5, 'y'.repeat(100_000)],
    sort: 'name',
    __proto__: { polluted: true },
  });
  assert.deepEqual(restored, { ...defaults, xAxis: 'clock', hiddenRuns: ['ok'] });
  assert.equal((restored as unknown as Record<string, unknown>).polluted, undefined);
  for (const nothing of [undefined, null, 42, 'scaling', [defaults]]) assert.equal(restoredDashboardState(nothing), undefined);
});
