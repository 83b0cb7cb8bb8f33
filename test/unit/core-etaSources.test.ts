// ETAs for live runs whose logs have no clock: from the log file's times, or earlier runs' paces.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { etaFromEarlierRuns, etaFromFileTimes, loggedStepRate, newestFileTimes, MIN_FILE_SPAN_SECONDS } from '../../src/core/etaSources';
import { ScalingWorkspace } from '../../src/core/workspace';
import type { RunView } from '../../src/shared/protocol';

const display = { steps: [], loss: [], evalSteps: [], evalLoss: [], fitSteps: [], fit: [], fitLower: [], fitUpper: [], lrSteps: [], lr: [] };
function view(id: string, extra: Partial<RunView>): RunView {
  return { id, name: id, family: 'f', status: 'finished', hyper: { notes: [] }, display, ...extra } as unknown as RunView;
}

test("the log file's creation and last write give the pace so far; a copy (no time between them) gives none", () => {
  const t0 = Date.parse('2025-06-01T10:00:00Z');
  const eta = etaFromFileTimes(100, 1100, 5100, { birthMs: t0, modifiedMs: t0 + 500_000 })!;
  assert.equal(eta.source, 'file-times');
  assert.equal(eta.stepsPerSecond, 2);
  assert.equal(eta.seconds, 2000);
  assert.match(eta.basis!, /creation and last write .*steps 100–1100 in 8 min/);
  assert.equal(etaFromFileTimes(100, 1100, 5100, { birthMs: t0, modifiedMs: t0 + (MIN_FILE_SPAN_SECONDS - 1) * 1000 }), undefined, 'written all at once');
  assert.equal(etaFromFileTimes(100, 1100, 5100, { birthMs: 0, modifiedMs: t0 }), undefined, 'no creation time kept');
  assert.equal(etaFromFileTimes(100, 100, 5100, { birthMs: t0, modifiedMs: t0 + 500_000 }), undefined, 'no step made');
  // The file appended to is the newest written, not the config beside it.
  const times: Record<string, { birthMs: number; modifiedMs: number }> = {
    'config.json': { birthMs: 1, modifiedMs: 5 },
    'metrics.jsonl': { birthMs: 2, modifiedMs: 9 },
  };
  assert.deepEqual(
    newestFileTimes(['config.json', 'metrics.jsonl', 'gone'], (f) => times[f]),
    times['metrics.jsonl'],
  );
});

test("an earlier run's logged pace, scaled by FLOPs per step, the same family and nearest size first", () => {
  const wall = (stepsPerHour: number, restartAt?: number) => ({
    steps: [0, stepsPerHour, 2 * stepsPerHour],
    hours: [0, 1, 2],
    ...(restartAt !== undefined ? { restartSteps: [restartAt] } : {}),
  });
  const small = view('small', { flopsPerStep: 1e15, display: { ...display, wall: wall(7200) } });
  const near = view('near', { flopsPerStep: 4e15, display: { ...display, wall: wall(3600) } });
  const otherFamily = view('other', { family: 'g', flopsPerStep: 8e15, display: { ...display, wall: wall(3600) } });
  const live = view('live', { status: 'live', flopsPerStep: 8e15, lastStep: 1000, hyper: { notes: [], maxSteps: 10_000 } });
  assert.equal(loggedStepRate(near), 1);
  const eta = etaFromEarlierRuns(live, [small, near, otherFamily, live])!;
  assert.equal(eta.source, 'earlier-runs');
  // "near": 1 step/s at 4e15 FLOPs per step → 0.5 steps/s at 8e15; 9,000 steps left.
  assert.equal(eta.stepsPerSecond, 0.5);
  assert.equal(eta.seconds, 18_000);
  assert.match(eta.basis!, /^near's logged pace \(1\.00 steps\/s\) scaled by FLOPs per step \(0\.50×\), assuming the same hardware$/);
  assert.equal(etaFromEarlierRuns({ ...live, flopsPerStep: undefined }, [near]), undefined, 'no FLOPs per step: no scaling');
  assert.equal(etaFromEarlierRuns(live, [live]), undefined, 'no other run with a clock');
  // The latest launch's pace: the downtime before a restart does not count.
  const resumed = view('resumed', { display: { ...display, wall: { steps: [0, 100, 200, 300], hours: [0, 1, 5, 6], restartSteps: [200] } } });
  assert.equal(loggedStepRate(resumed), 100 / 3600);
});

test("the workspace gives a clockless live run an ETA at once from its file's times, then from arrivals", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaling-lens-eta-sources-'));
  try {
    const log = path.join(dir, 'plain', 'metrics.jsonl');
    fs.mkdirSync(path.dirname(log));
    const lines = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `${JSON.stringify({ step: (from + i) * 10, loss: 2 + 10 / Math.sqrt((from + i) * 10) })}\n`).join('');
    fs.writeFileSync(log, lines(1, 40));
    let now = 1_000_000;
    // The file was created 390 s before its last write (steps 10 to 400): 1 step/s.
    const fileTimes = (f: string) => (f === log ? { birthMs: 5_000_000, modifiedMs: 5_390_000 } : undefined);
    const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 5, now: () => now, fileTimes });
    engine.update(log, dir);
    const first = engine.snapshot().runs[0];
    assert.equal(first.status, 'live');
    assert.equal(first.eta?.source, 'file-times');
    assert.ok(Math.abs(first.eta!.stepsPerSecond - 1) < 1e-9, `rate ${first.eta?.stepsPerSecond}`);
    fs.appendFileSync(log, lines(41, 50));
    now += 50_000;
    engine.update(log, dir);
    assert.equal(engine.snapshot().runs[0].eta?.source, 'observed', "the run's own arrivals take over");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
