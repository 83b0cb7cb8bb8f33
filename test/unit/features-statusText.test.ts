// The status bar item's text and tooltip, and which run it shows.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { statusLookAt, statusTarget, statusText, statusTooltip } from '../../src/features/statusText';
import type { RunView, Snapshot } from '../../src/shared/protocol';

function run(id: string, status: 'live' | 'finished', points: number, lastLoss: number, final?: [number, number, number]): RunView {
  return {
    id,
    name: id.split('/').pop()!,
    status,
    points,
    lastLoss,
    lastStep: points * 10,
    curve: final
      ? ({ lawId: 'wsd', targetStep: 5000, predictedFinal: { value: final[0], interval: [final[1], final[2]] } } as unknown as RunView['curve'])
      : undefined,
  } as unknown as RunView;
}

const snapshot = {
  version: 1,
  fitting: 0,
  runs: [
    run('sweep/llama-279m', 'live', 200, 3.7372, [3.5491, 3.4462, 3.6561]),
    run('sweep/llama-95m', 'finished', 500, 3.9012, [3.9041, 3.839, 3.917]),
    run('other/late', 'live', 50, 4.5, [4.1, 4.0, 4.2]),
  ],
} as unknown as Snapshot;

test("the status bar is labelled: the run's display name, loss now → predicted final, two decimals", () => {
  assert.equal(statusText(snapshot), '$(graph) llama-279m · loss 3.74 → 3.55 (from this run alone)');
  assert.equal(statusTarget(snapshot)!.run.id, 'sweep/llama-279m', 'the live run furthest along, not the last one written');
});

test('the tooltip has the run, its step and the full 80% interval', () => {
  const tip = statusTooltip(snapshot);
  assert.match(tip, /run llama-279m \(sweep\/llama-279m\), live at step 2,000: the live run furthest along/);
  assert.match(tip, /Loss now 3\.737/);
  assert.match(tip, /Predicted final loss 3\.549 at step 5,000, 80% interval \[3\.446, 3\.656\]/);
  assert.match(tip, /Click to show it in the dashboard/);
});

test('the run last looked at is shown, and a pinned run wins over it', () => {
  assert.equal(statusText(snapshot, { lastLooked: 'sweep/llama-95m' }), '$(graph) llama-95m · loss 3.90 → 3.90 (from this run alone)');
  assert.match(statusTooltip(snapshot, { lastLooked: 'sweep/llama-95m' }), /finished .*the run whose files you last opened/);
  assert.equal(
    statusText(snapshot, { lastLooked: 'sweep/llama-95m', pinned: 'other/late' }),
    '$(graph) $(pinned) late · loss 4.50 → 4.10 (from this run alone)',
  );
  // A pinned or looked-at run that is gone falls back to the live run.
  assert.equal(statusTarget(snapshot, { pinned: 'gone', lastLooked: 'gone too' })!.run.id, 'sweep/llama-279m');
});

test('without a live run: the run count; while fitting, a spinner', () => {
  const none = { ...snapshot, runs: snapshot.runs.filter((r) => r.status !== 'live') } as Snapshot;
  assert.equal(statusText(none), '$(graph) 1 run');
  assert.equal(statusText({ ...snapshot, fitting: 2 } as Snapshot), '$(sync~spin) llama-279m · loss 3.74 → 3.55 (from this run alone)');
  assert.match(statusTooltip({ ...snapshot, fitting: 2 } as Snapshot), /Fitting 2 laws in the background/);
});

test('a run selected in the dashboard is followed, and said so; a pin still wins', () => {
  const choice = { lastLooked: 'sweep/llama-95m', lookedVia: 'dashboard' as const };
  assert.equal(statusTarget(snapshot, choice)!.reason, 'selected');
  assert.equal(statusText(snapshot, choice), '$(graph) llama-95m · loss 3.90 → 3.90 (from this run alone)');
  assert.match(statusTooltip(snapshot, choice), /the run you last selected in the dashboard/);
  assert.equal(statusTarget(snapshot, { ...choice, pinned: 'other/late' })!.run.id, 'other/late');
});

test('siblings a forecast came from are named by their display names, not their ids', () => {
  const live = run('sweep/llama-279m', 'live', 200, 3.7372, [3.5491, 3.4462, 3.6561]);
  live.curve = {
    ...live.curve!,
    provenance: 'from siblings',
    siblings: ['sweep/llama-95m', 'other/late'],
    alone: { value: 3.6, interval: [3.5, 3.7] },
  } as RunView['curve'];
  const s = { ...snapshot, runs: [live, ...snapshot.runs.slice(1)] } as Snapshot;
  assert.equal(statusText(s), '$(graph) llama-279m · loss 3.74 → 3.55 (from siblings)');
  assert.match(statusTooltip(s), /Forecast from siblings \(llama-95m, late\)/);
});

test('a forecast whose schedule is assumed says so in the text and the tooltip', () => {
  assert.doesNotMatch(statusTooltip(snapshot), /Schedule assumed/);
  const live = run('sweep/llama-279m', 'live', 200, 3.7372, [3.5491, 3.3462, 3.6561]);
  live.curve = { ...live.curve!, provenance: 'from siblings', siblings: ['sweep/llama-95m'], scheduleAssumedFrom: 4250 } as RunView['curve'];
  const s = { ...snapshot, runs: [live] } as Snapshot;
  assert.equal(statusText(s), '$(graph) llama-279m · loss 3.74 → 3.55 (from siblings) (schedule assumed)');
  assert.match(statusTooltip(s), /Schedule assumed: no config names the LR schedule, so the LR logged at step 4,250 is held to the end/);
});

test('a run whose loss left an earlier forecast says so in the tooltip; one that did not, does not', () => {
  assert.doesNotMatch(statusTooltip(snapshot), /Off its forecast/);
  const off = run('sweep/llama-279m', 'live', 200, 3.7372, [3.5491, 3.4462, 3.6561]);
  off.health = {
    state: 'ok',
    excludeFromFits: false,
    events: [{ kind: 'forecast-break', step: 1500, note: 'the loss left the forecast made at step 1000: …' }],
  };
  const tip = statusTooltip({ ...snapshot, runs: [off] } as Snapshot);
  assert.match(tip, /Off its forecast: the loss left the forecast made at step 1000/);
});

test("a first scan's listing mid-read that lacks the chosen run: that run stays asked for, no other run or run count is shown", () => {
  const partial = { ...snapshot, filesToRead: 120 } as Snapshot;
  for (const choice of [{ pinned: 'late/not-read-yet' }, { lastLooked: 'late/not-read-yet' }, { pinned: 'late/not-read-yet', lastLooked: 'sweep/llama-95m' }]) {
    assert.deepEqual(statusLookAt(partial, choice), ['late/not-read-yet'], JSON.stringify(choice));
    assert.equal(statusTarget(partial, choice), undefined);
    assert.equal(statusText(partial, choice), '$(graph) reading logs…');
    assert.match(statusTooltip(partial, choice), /reading the workspace's logs \(120 file\(s\) left\)/);
  }
  // Once it is listed it is shown; with every file read, a run that is gone falls back as before.
  assert.deepEqual(statusLookAt(partial, { lastLooked: 'sweep/llama-95m' }), ['sweep/llama-95m']);
  assert.deepEqual(statusLookAt(snapshot, { pinned: 'late/not-read-yet' }), ['sweep/llama-279m']);
  // No run chosen: the live run furthest along of what is read so far.
  assert.deepEqual(statusLookAt(partial), ['sweep/llama-279m']);
});
