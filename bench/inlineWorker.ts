// Bench only (bench/fitApart.ts): the worker as it was before fits moved to a thread of their own.
// One thread reads the logs and fits: a round reads what changed, then fits within a 5 s budget,
// then posts the snapshot; a point that arrives during a round waits for the round to end.
import { parentPort } from 'node:worker_threads';
import { ScalingWorkspace } from '../src/core/workspace';
import { inlineFitter } from '../src/core/fitJobs';
import { SnapshotDeltaEncoder } from '../src/shared/dashboardDelta';
import type { HostToWorker, WorkerToHost } from '../src/shared/protocol';

const port = parentPort!;
const ROUND_BUDGET_MS = 5000;
const engine = new ScalingWorkspace({ minPointsForCurve: 8, fitter: inlineFitter });
const deltas = new SnapshotDeltaEncoder();
let timer: NodeJS.Timeout | undefined;

function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = undefined;
    const snapshot = engine.snapshot(performance.now() + ROUND_BUDGET_MS);
    port.postMessage({ type: 'delta', delta: deltas.encode(snapshot) } satisfies WorkerToHost);
    // Fits cut short by the budget went on in the next round.
    if (snapshot.runs.some((r) => r.curve?.timedOut) || snapshot.families.some((f) => f.fit?.timedOut)) schedule();
  }, 150);
}

port.on('message', (message: HostToWorker) => {
  if (message.type === 'configure') {
    engine.configure({
      minPointsForCurve: message.settings.minPointsForCurve,
      liveRefitIntervalMs: (message.settings.liveRefitSeconds ?? 0) * 1000,
      fitter: inlineFitter,
    });
  } else if (message.type === 'reset' || message.type === 'filesChanged') {
    if (message.type === 'reset') engine.clear();
    for (const f of message.files) engine.update(f.path, f.root);
    schedule();
  }
});
