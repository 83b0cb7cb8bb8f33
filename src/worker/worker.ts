// Worker thread entry: glue between messages and the core engine. Logs are read and snapshots
// built here, never on the extension host's thread; fits run in the fitting thread this worker
// starts (fitClient.ts), so a long fit never holds up reading or the editor's requests.
import { parentPort, workerData } from 'node:worker_threads';
import * as path from 'node:path';
import { ScalingWorkspace } from '../core/workspace';
import { SnapshotDeltaEncoder } from '../shared/dashboardDelta';
import {
  cancelsFitting,
  type HostToWorker,
  type IngestWorkerData,
  type Snapshot,
  type WorkerRequest,
  type WorkerResponse,
  type WorkerSettings,
  type WorkerToHost,
} from '../shared/protocol';
import { planBudgetRequest } from '../core/plan/budgetRequest';
import { planLadderRequest } from '../core/plan/ladderRequest';
import { ladderWrite } from '../core/plan/ladderConfigs';
import { FitClient } from './fitClient';
import { serveRpc } from '../shared/rpc';
import { EstimateFreshness } from '../core/estimateFreshness';
import { readTextFile, READ_CAPS } from '../core/safeFile';

const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');

let settings: WorkerSettings = { fitTimeBudgetMs: 5000, minPointsForCurve: 8 };
/** Which file is being read (batch id, index), in memory the host still reads after a crash (IngestWorkerData). */
const reading = (workerData as IngestWorkerData | undefined)?.reading ? new Int32Array((workerData as IngestWorkerData).reading) : undefined;
/** Test hook (crashOnReadForTest): stop as a crash would on reading a path ending with this. */
let crashOnRead: string | undefined;
let recomputeTimer: NodeJS.Timeout | undefined;
/** When the scheduled round runs (Date.now() ms). */
let recomputeAt = 0;
/** Coalesces bursts of file events (a trainer writing every step) and of landing fits into one round. */
const RECOMPUTE_DELAY_MS = 150;
/** Largest delay setTimeout honours (a longer one fires after 1 ms). */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
/** How long an estimate or plan waits for the fits it needs (the host gives up on a request after 30 s). */
const ANSWER_WAIT_MS = 20_000;
/** Rounds of fits one answer may wait for (a family law, then its over-training law and sweep advice, need 2 or 3). */
const MAX_ANSWER_ROUNDS = 8;
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

/** Fits run in a thread of their own, so reading logs and answering the editor never wait behind one. */
const fitter = new FitClient({
  scriptPath: path.join(__dirname, 'fitThread.js'),
  budgetMs: () => settings.fitTimeBudgetMs,
  onFitted: () => scheduleRecompute(),
  log,
});
// One engine for the worker's life: its snapshot versions only ever increase.
const engine = new ScalingWorkspace({ minPointsForCurve: settings.minPointsForCurve, fitter });

/**
 * Snapshots go to the host as deltas against the one posted before; the last posted one is kept
 * whole for a `resend` (the host lost track of the chain).
 */
const deltas = new SnapshotDeltaEncoder();
/** Whether the host's config estimates are still good: decided here, sent with each snapshot. */
const freshness = new EstimateFreshness();
let lastPosted: Snapshot | undefined;

function postSnapshot(snapshot: Snapshot): void {
  snapshot.estimates = freshness.snapshotBuilt(snapshot.families, snapshot.fitting);
  lastPosted = snapshot;
  post({ type: 'delta', delta: deltas.encode(snapshot) });
}

/**
 * One round (a snapshot) after `delayMs`, unless one is due sooner already. A round also schedules
 * the next one when a live run's kept fit falls due (engine.refitDueAt): the prediction of a run
 * whose trainer went quiet between refits is then brought up to date without waiting for an append.
 */
function scheduleRecompute(delayMs = RECOMPUTE_DELAY_MS): void {
  const at = Date.now() + delayMs;
  if (recomputeTimer && recomputeAt <= at) return;
  if (recomputeTimer) clearTimeout(recomputeTimer);
  recomputeAt = at;
  recomputeTimer = setTimeout(() => {
    recomputeTimer = undefined;
    try {
      postSnapshot(engine.snapshot());
      const due = engine.refitDueAt();
      // setTimeout fires at once for delays past 2^31 - 1 ms: cap it, or a far-off due time would spin.
      if (due !== undefined) scheduleRecompute(Math.min(MAX_TIMER_DELAY_MS, Math.max(RECOMPUTE_DELAY_MS, due - Date.now())));
    } catch (error) {
      log('error', `building the snapshot failed: ${describe(error)}`);
    }
  }, delayMs);
}

/** A config's sibling file (training_args.json beside config.json): a regular file of config size only (safeFile.ts). */
function readSibling(absPath: string): string | undefined {
  const r = readTextFile(absPath, READ_CAPS.config);
  return 'error' in r ? undefined : r.text;
}

/**
 * `compute`'s value once the fits it asks for (a config's family laws and sweep advice, say) have
 * landed, or after ANSWER_WAIT_MS with what there is then; `complete` says which.
 */
async function withFits<T>(compute: () => T): Promise<{ value: T; complete: boolean }> {
  const giveUpAt = Date.now() + ANSWER_WAIT_MS;
  for (let round = 1; ; round++) {
    const { value, waiting } = fitter.track(compute);
    if (waiting.length === 0) return { value, complete: true };
    // A fit given up (a newer request for the same config replaced it) is not asked for again: the
    // newer request will have it. Asking again would replace that one in turn, back and forth.
    if (round === MAX_ANSWER_ROUNDS || (await fitter.settled(waiting, giveUpAt - Date.now())) !== 'answered') return { value, complete: false };
  }
}

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  switch (request.kind) {
    case 'estimateConfig': {
      const { value: estimate, complete } = await withFits(() => engine.estimateConfig(request.path, request.text, readSibling));
      // The lens asks again once the fits have landed (a new Snapshot.estimates then).
      if (!complete) estimate.fitsPending = true;
      freshness.answered(complete);
      return { kind: 'estimateConfig', estimate };
    }
    case 'planBudget': {
      // Plans are calibrated on the family laws: asked for right after a start, they wait for those fits.
      const { value: planned } = await withFits(() =>
        planBudgetRequest(request.request, engine.familyLaws(), engine.hardware, (law) => engine.overtrainLaw(law)),
      );
      if ('error' in planned) throw new Error(planned.error);
      return { kind: 'planBudget', plan: planned.plan, family: planned.family };
    }
    case 'planLadder': {
      const runs = engine.runs().map((r) => ({ id: r.id, family: r.hyper.family, status: r.status, params: r.hyper.params, tokens: r.hyper.tokens }));
      const { value: planned } = await withFits(() =>
        planLadderRequest(request.request, engine.familyLaws(), runs, engine.hardware, Date.now() + settings.fitTimeBudgetMs, (law) =>
          engine.overtrainLaw(law),
        ),
      );
      if ('error' in planned) throw new Error(planned.error);
      return { kind: 'planLadder', plan: planned.plan, overlay: planned.overlay };
    }
    case 'ladderWrite':
      return { kind: 'ladderWrite', written: ladderWrite(request.input) };
  }
}

/** Editor requests: each answered by a response of its kind, or its error (shared/rpc.ts). */
const serveRequest = serveRpc(answer, post, describe);

function updateFiles(files: { path: string; root: string }[], batch = 0): void {
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    if (reading !== undefined) {
      Atomics.store(reading, 0, batch);
      Atomics.store(reading, 1, i);
    }
    if (crashOnRead !== undefined && file.path.endsWith(crashOnRead)) process.exit(70);
    // One unreadable file must not stop the others; the index reports its own diagnostics.
    try {
      engine.update(file.path, file.root);
    } catch (error) {
      log('error', `${file.path}: ${describe(error)}`);
    }
  }
  if (reading !== undefined) Atomics.store(reading, 0, 0);
  scheduleRecompute();
}

/** Files the host quarantined (they stopped the worker twice): a diagnostic each, as the engine was cleared. */
function noteQuarantined(): void {
  for (const p of settings.quarantined ?? [])
    engine.noteSkipped(
      p,
      'stopped the Scaling Lens worker twice while it was read (out of memory or a crash); quarantined, not read again until VS Code restarts',
    );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

port.on('message', (message: HostToWorker) => {
  // A rescan starts over: the fits in progress stop (answers already made are kept by their inputs).
  if (cancelsFitting(message)) fitter.cancelAll();
  switch (message.type) {
    case 'configure':
      if (message.settings.fitTimeBudgetMs !== settings.fitTimeBudgetMs) fitter.forgetTimedOut();
      settings = message.settings;
      freshness.configured(settings);
      engine.configure({
        minPointsForCurve: settings.minPointsForCurve,
        textLogPatterns: settings.textLogPatterns,
        hardware: settings.hardware,
        liveRefitIntervalMs: Math.max(0, settings.liveRefitSeconds ?? 0) * 1000,
        followLinksOutside: settings.followLinksOutside === true,
        fitter,
      });
      noteQuarantined();
      if (filesKnown) scheduleRecompute();
      return;
    case 'reset':
      filesKnown = true;
      fitter.resume();
      engine.clear();
      noteQuarantined();
      updateFiles(message.files, message.batch);
      return;
    case 'filesChanged':
      updateFiles(message.files, message.batch);
      return;
    case 'filesDeleted':
      for (const p of message.paths) engine.remove(p);
      scheduleRecompute();
      return;
    case 'resend':
      if (lastPosted) post({ type: 'delta', delta: deltas.whole(lastPosted) });
      return;
    case 'crashFitThread':
      void fitter.crashForTest();
      return;
    case 'crashOnReadForTest':
      crashOnRead = message.pathSuffix;
      return;
    case 'lookAt':
      if (engine.lookAt(message.runIds) && filesKnown) scheduleRecompute();
      return;
    case 'request':
      serveRequest(message);
      return;
  }
});
