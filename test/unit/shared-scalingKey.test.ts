import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { legendPath, PLANNED_MARKER, scalingKey, type ScalingMark } from '../../src/shared/scalingKey';

const key = (...marks: ScalingMark[]) => scalingKey(new Set(marks));

test('the scaling caption explains only what is drawn: no ladder sentence without a ladder', () => {
  const runsOnly = key('final', 'held_out', 'law', 'frontier');
  assert.match(runsOnly, /^●: final loss/);
  assert.match(runsOnly, /◆: held out/);
  for (const absent of ['□', '△', 'ladder', 'Plan Experiments', '○', PLANNED_MARKER.glyph, 'Dotted'])
    assert.ok(!runsOnly.includes(absent), `"${absent}" in: ${runsOnly}`);
  const withLadder = key('final', 'law', 'ladder_planned', 'ladder_target');
  assert.match(withLadder, /□: a run planned by Plan Experiments[^.]*the family model's loss[^.]*\. △ with bars: the ladder's target/);
  // Training and no-longer-needed runs are explained only when some are drawn.
  assert.ok(!withLadder.includes('faint: training') && !withLadder.includes('×'));
  assert.match(key('ladder_training', 'ladder_not_needed', 'ladder_target'), /\(faint: training; ×: no longer needed\)\./);
  assert.equal(key(), '');
});

test("the open config's marker: the caption names the glyph of the point style the chart draws (Chart.js's star is ✳, not ★)", () => {
  assert.deepEqual(PLANNED_MARKER, { pointStyle: 'star', glyph: '✳' });
  const caption = key('planned', 'planned_law');
  assert.ok(caption.startsWith('✳ with bar: the config open in the editor'), caption);
  assert.ok(caption.includes('to its ✳.'), caption);
  assert.ok(!caption.includes('★'));
});

test('legend paths: the last folder and file; text that is no path as it is', () => {
  assert.equal(legendPath('configs/ladder/ladder-01-6.0e18/config.json'), 'ladder-01-6.0e18/config.json');
  assert.equal(legendPath('C:\\work\\configs\\planned-400m\\config.json'), 'planned-400m/config.json');
  assert.equal(legendPath('config.json'), 'config.json');
  assert.equal(legendPath('7B at D/N = 20'), '7B at D/N = 20');
});

test('the broken law has its caption sentence only when drawn', () => {
  assert.ok(!key('final', 'law').includes('broken law'));
  assert.match(key('final', 'law', 'broken_law'), /Dashed: the family law[^.]*\. Long dashes: where the runs bend, a broken law/);
});

test('runs not in the fit have their own sentence, only when drawn, and the ● sentence still says what the law was fitted to', () => {
  const both = key('final', 'not_in_fit');
  assert.match(
    both,
    /^●: final loss of a finished run \(what the law was fitted to\)\. Grey ○: a run not in the fit \(excluded by \.scalinglens\.yaml, or it went wrong\)/,
  );
  assert.ok(!key('final', 'predicted').includes('not in the fit'));
});

test("a provisional law drawn: the caption says what it is and that the full law replaces it, after the law's own sentence", () => {
  assert.match(
    key('final', 'law', 'law_provisional'),
    /shaded 80%\. A law marked \(provisional\): a first scan's law of the runs read so far[^.]*replaces it when it lands/,
  );
  assert.doesNotMatch(key('final', 'law'), /provisional/);
});
