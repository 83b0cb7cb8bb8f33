// Worker thread entry: glue between messages and the core engine. Reading and fitting happen
// here, never on the extension host's thread.
import { parentPort, workerData } from 'node:worker_threads';
import * as fs from 'node:fs';
import { ScalingWorkspace } from '../core/workspace';
import { SnapshotDeltaEncoder } from '../shared/dashboardDelta';
import type { FamilyLaw, HostToWorker, Snapshot, WorkerInit, WorkerRequest, WorkerResponse, WorkerSettings, WorkerToHost } from '../shared/protocol';
import { planBudgetRequest } from '../core/plan/budgetRequest';

const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');

let settings: WorkerSettings = { fitTimeBudgetMs: 5000, minPointsForCurve: 8 };
// One engine for the worker's life: its snapshot versions only ever increase.
const engine = new ScalingWorkspace({ minPointsForCurve: settings.minPointsForCurve });
let recomputeTimer: NodeJS.Timeout | undefined;
/** Coalesces bursts of file events (a trainer writing every step) into one fit round. */
const RECOMPUTE_DELAY_MS = 150;
/** Largest delay setTimeout honours (a longer one fires after 1 ms). */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
const MAX_INCOMPLETE_ROUNDS = 5;
let incompleteRounds = 0;
/**
 * False until the host sends the file list (`reset`). A worker restarted after a crash is
 * configured first; a snapshot then would show the user an empty workspace until the rescan lands.
 */
let filesKnown = false;

function post(message: WorkerToHost): void {
  port!.postMessage(message);
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  post({ type: 'log', level, message });
}

/**
 * Snapshots go to the host as deltas against the one posted before; the last posted one is kept
 * whole for a `resend` (the host lost track of the chain).
 */
const deltas = new SnapshotDeltaEncoder();
let lastPosted: Snapshot | undefined;

function postSnapshot(snapshot: Snapshot): void {
  lastPosted = snapshot;
  post({ type: 'delta', delta: deltas.encode(snapshot) });
}

/** The family laws of the latest snapshot (budget plans are calibrated on them). */
let latestFamilies: FamilyLaw[] | undefined;

/** Set by the host when the round in progress became stale (see WorkerInit); polled mid-fit. */
const cancelFlag = (workerData as WorkerInit | undefined)?.cancelFlag;
const cancelCell = cancelFlag ? new Int32Array(cancelFlag) : undefined;
const isCancelled = cancelCell ? () => Atomics.load(cancelCell, 0) === 1 : undefined;

function computeSnapshot() {
  const deadline = performance.now() + settings.fitTimeBudgetMs;
  // A new round starts from what the worker has now: earlier cancellations are consumed.
  if (cancelCell) Atomics.store(cancelCell, 0, 0);
  const snapshot = engine.snapshot(deadline, isCancelled);
  latestFamilies = snapshot.families;
  if (snapshot.incomplete) log('info', `fitting used its ${settings.fitTimeBudgetMs} ms budget; the fits left unfinished start again in the next round`);
  return snapshot;
}

/**
 * One fit round after `delayMs` (replacing any round already scheduled). A round also schedules the
 * next one when a live run's kept fit falls due (engine.refitDueAt): the prediction of a run whose
 * trainer went quiet between refits is then brought up to date without waiting for another append.
 */
function scheduleRecompute(delayMs = RECOMPUTE_DELAY_MS): void {
  if (recomputeTimer) clearTimeout(recomputeTimer);
  recomputeTimer = setTimeout(() => {
    recomputeTimer = undefined;
    try {
      const snapshot = computeSnapshot();
      postSnapshot(snapshot);
      // Fits cut short by the budget are not cached: the next round continues them, after the
      // message loop has had a turn (so config estimates are not kept waiting).
      // A fit that cannot finish within one budget at all must not spin the worker forever.
      incompleteRounds = snapshot.incomplete ? incompleteRounds + 1 : 0;
      if (snapshot.incomplete && incompleteRounds < MAX_INCOMPLETE_ROUNDS) scheduleRecompute();
      else if (snapshot.incomplete) log('warn', `some fits did not finish in ${MAX_INCOMPLETE_ROUNDS} rounds of ${settings.fitTimeBudgetMs} ms; raise scalingLens.fit.timeBudgetMs to finish them`);
      const due = engine.refitDueAt();
      // setTimeout fires at once for delays past 2^31 - 1 ms: cap it, or a far-off due time would spin.
      if (!recomputeTimer && due !== undefined) scheduleRecompute(Math.min(MAX_TIMER_DELAY_MS, Math.max(RECOMPUTE_DELAY_MS, due - Date.now())));
    } catch (error) {
      log('error', `fitting failed: ${describe(error)}`);
    }
  }, delayMs);
}

function readSibling(absPath: string): string | undefined {
  try {
    return fs.readFileSync(absPath, 'utf8');
  } catch {
    return undefined;
  }
}

function answer(request: WorkerRequest): WorkerResponse {
  switch (request.kind) {
    case 'estimateConfig':
      return { kind: 'estimateConfig', estimate: engine.estimateConfig(request.path, request.text, readSibling, performance.now() + settings.fitTimeBudgetMs) };
    case 'snapshot':
      return { kind: 'snapshot', snapshot: computeSnapshot() };
    case 'planBudget': {
      const planned = planBudgetRequest(request.request, latestFamilies ?? computeSnapshot().families, engine.hardware);
      if ('error' in planned) throw new Error(planned.error);
      return { kind: 'planBudget', plan: planned.plan, family: planned.family };
    }
  }
}

function updateFiles(files: { path: string; root: string }[]): void {
  for (const file of files) {
    // One unreadable file must not stop the others; the index reports its own diagnostics.
    try {
      engine.update(file.path, file.root);
    } catch (error) {
      log('error', `${file.path}: ${describe(error)}`);
    }
  }
  scheduleRecompute();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

port.on('message', (message: HostToWorker) => {
  switch (message.type) {
    case 'configure':
      settings = message.settings;
      engine.configure({
        minPointsForCurve: settings.minPointsForCurve,
        textLogPatterns: settings.textLogPatterns,
        hardware: settings.hardware,
        liveRefitIntervalMs: Math.max(0, settings.liveRefitSeconds ?? 0) * 1000,
      });
      if (filesKnown) scheduleRecompute();
      return;
    case 'reset':
      filesKnown = true;
      engine.clear();
      updateFiles(message.files);
      return;
    case 'filesChanged':
      updateFiles(message.files);
      return;
    case 'filesDeleted':
      for (const p of message.paths) engine.remove(p);
      scheduleRecompute();
      return;
    case 'resend':
      if (lastPosted) post({ type: 'delta', delta: deltas.whole(lastPosted) });
      return;
    case 'request':
      try {
        post({ type: 'response', id: message.id, ok: true, response: answer(message.request) });
      } catch (error) {
        post({ type: 'response', id: message.id, ok: false, error: describe(error) });
      }
      return;
  }
});
