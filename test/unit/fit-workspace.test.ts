// The engine's fitting plumbing: cancellation seen mid-fit, a budget per fit, fits cached by a
// hash of their inputs, and the selectable point of each run that feeds its family's law.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { cancelsFitting } from '../../src/shared/protocol';
import { tempDir } from './helpers/tempDir';

const power = (t: number) => 2.1 + 40 * t ** -0.45;

function writeRun(dir: string, bump = 0): string {
  const file = path.join(dir, 'run-a', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines: string[] = [];
  for (let s = 20; s <= 4000; s += 20) lines.push(JSON.stringify({ step: s, loss: power(s) * (1 + (s === 2000 ? bump : 0) + 0.002 * Math.sin(s)) }));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

test('a cancelled round stops its fits mid-way, marks them timed out, and the next round finishes them', () => {
  const dir = tempDir('sl-fit-ws-');
  const file = writeRun(dir);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 20 });
  engine.update(file, dir);
  let polls = 0;
  const cancelled = engine.snapshot(Number.POSITIVE_INFINITY, () => ++polls > 3);
  assert.ok(polls > 3, 'the fit polled the flag');
  assert.equal(cancelled.runs[0].curve?.timedOut, true);
  const done = engine.snapshot();
  assert.equal(done.fitting, 0, 'fits in the calling thread never wait');
  assert.equal(done.runs[0].curve?.timedOut, false);
  assert.ok(Math.abs(done.runs[0].curve!.predictedFinal.value - power(4000)) / power(4000) < 0.01);
});

test('a per-fit budget already spent gives a best-so-far fit marked timed out', () => {
  const dir = tempDir('sl-fit-ws-');
  const file = writeRun(dir);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 20, fitBudgetMs: 1e-9 });
  engine.update(file, dir);
  const snap = engine.snapshot();
  assert.equal(snap.runs[0].curve?.timedOut, true);
});

test('curve fits are cached by a hash of every point: a change in the middle of a log is refitted', () => {
  const dir = tempDir('sl-fit-ws-');
  const file = writeRun(dir);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 10 });
  engine.update(file, dir);
  const first = engine.snapshot().runs[0].curve!;
  const again = engine.snapshot().runs[0].curve!;
  assert.deepEqual(again, first);
  // Same length, same last step and value: only a middle point moves.
  writeRun(dir, 0.3);
  engine.update(file, dir);
  const changed = engine.snapshot().runs[0].curve!;
  assert.notDeepEqual(changed.parameters, first.parameters);
});

test('only a rescan cancels the fits in progress', () => {
  assert.equal(cancelsFitting({ type: 'reset', files: [] }), true);
  // Checkpoint rotation deletes files all the time; new settings change no fit's inputs (a curve's
  // key holds what it depends on); appends must not starve the fits.
  assert.equal(cancelsFitting({ type: 'filesDeleted', paths: [] }), false);
  assert.equal(cancelsFitting({ type: 'configure', settings: { fitTimeBudgetMs: 100, minPointsForCurve: 8 } }), false);
  assert.equal(cancelsFitting({ type: 'filesChanged', files: [] }), false);
});
