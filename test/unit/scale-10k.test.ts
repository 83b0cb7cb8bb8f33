// Issue 17, "Scale": 10,000 runs in one workspace. Behaviour, not time (timings are in the bench):
// every run appears in the first snapshot with its exact point count while its fit is still
// queued (the snapshot never waits on 10,000 fits), and a run the user looks at (the dashboard's
// focus, the status bar's run) has its fit started next, ahead of the 10,000 queued before it.
// The engine runs with the real queued fitter and fitting thread, as in the worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { FitClient } from '../../src/worker/fitClient';
import type { Fitter } from '../../src/core/fitJobs';

const RUNS = 10_000;
const POINTS = 10;

test('10,000 runs: all listed at once with their points, fits queued; the run looked at is fitted next', { timeout: 600_000 }, async (t) => {
  const root = tempDir('sl-10k-');
  const files: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const d = path.join(root, `sweep${i % 100}`, `run-${i}`);
    fs.mkdirSync(d, { recursive: true });
    let s = '';
    for (let k = 1; k <= POINTS; k++) s += `{"step": ${k * 10}, "loss": ${(3 + 2 * (k * 10) ** -0.5 - i * 1e-5).toFixed(6)}}\n`;
    const f = path.join(d, 'metrics.jsonl');
    fs.writeFileSync(f, s);
    files.push(f);
  }
  const script = path.join(tempDir('sl-10k-thread-'), 'fitThread.js');
  await build({
    entryPoints: [path.join(__dirname, '../../src/worker/fitThread.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: script,
    logLevel: 'warning',
    mainFields: ['module', 'main'],
  });
  let landed = 0;
  let onLanded: (() => void) | undefined;
  const fits = new FitClient({
    scriptPath: script,
    budgetMs: () => 60_000,
    onFitted: () => {
      landed++;
      onLanded?.();
    },
    log: () => undefined,
    threads: 1,
  });
  t.after(() => fits.dispose());
  // The next fit to land. The fitting thread is unref'd (it never keeps a process alive), so a timer
  // keeps this test's event loop alive while it waits; it only guards against a hang.
  const landing = () =>
    new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error('no fit landed in 10 minutes')), 600_000);
      onLanded = () => {
        clearTimeout(guard);
        resolve();
      };
    });
  // The order in which fits start: the queued fitter builds a job when a thread takes it.
  const started: string[] = [];
  const recording: Fitter = {
    fit: (slot, key, kind, makeJob, control, tag) =>
      fits.fit(
        slot,
        key,
        kind,
        () => {
          started.push(slot);
          return makeJob();
        },
        control,
        tag,
      ),
  };
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter: recording });
  for (const f of files) engine.update(f, root);

  // Runs appear at once: the snapshot lists all of them, exactly, before their fits have landed.
  const first = engine.snapshot();
  assert.equal(first.runs.length, RUNS);
  assert.ok(
    first.runs.every((r) => r.points === POINTS),
    'every run with its exact point count',
  );
  const curves = first.runs.filter((r) => r.curve !== undefined).length;
  assert.ok(curves <= landed, `no curve is shown that has not landed (${curves} shown, ${landed} landed)`);
  assert.ok(fits.pending >= RUNS - 10, `the fits are queued, not run before the snapshot (${fits.pending} pending)`);

  // The user looks at a run queued late: its curve starts next, whatever ran before.
  const looked = 'sweep57/run-9957';
  assert.ok(first.runs.some((r) => r.id === looked));
  assert.ok(!started.includes(`curve:${looked}`), 'not started yet');
  assert.equal(engine.lookAt([looked]), true);
  assert.equal(engine.lookAt([looked]), false, 'the same runs again is no change');
  const startedBefore = started.length;
  engine.snapshot();
  // Wait for the fit running now to land; the next one started must be the looked-at run's.
  while (started.length === startedBefore) await landing();
  assert.equal(started[startedBefore], `curve:${looked}`, `started after looking: ${started.slice(startedBefore, startedBefore + 3).join(', ')}`);
  // And it lands (one thread: the next landing is at the latest its own), and shows, while
  // thousands of other fits are still queued.
  await landing();
  const later = engine.snapshot();
  const run = later.runs.find((r) => r.id === looked);
  assert.ok(run?.curve !== undefined, 'the looked-at run shows its forecast');
  assert.ok(fits.pending > RUNS / 2, `the rest still queued (${fits.pending}); nothing waited for them`);
  assert.equal(later.runs.length, RUNS);
  fits.cancelAll();
  fs.rmSync(root, { recursive: true, force: true });
});
