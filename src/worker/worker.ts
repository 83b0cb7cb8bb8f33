// Worker thread entry: glue between messages and the core engine (core/engine/session.ts, where
// every decision is made). Logs are read and snapshots built here, never on the extension host's
// thread; fits run in the fitting thread this worker starts (fitClient.ts), so a long fit never
// holds up reading or the editor's requests.
import { parentPort, workerData } from 'node:worker_threads';
import * as path from 'node:path';
import { EngineSession } from '../core/engine/session';
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
import { ladderWrite } from '../core/plan/ladderConfigs';
import { FitClient } from './fitClient';
import { serveRpc } from '../shared/rpc';

const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');

let settings: WorkerSettings = { fitTimeBudgetMs: 5000, minPointsForCurve: 8 };
/** Which file is being read (batch id, index), in memory the host still reads after a crash (IngestWorkerData). */
const reading = (workerData as IngestWorkerData | undefined)?.reading ? new Int32Array((workerData as IngestWorkerData).reading) : undefined;
/** The last file batch received (0: none): all read once a snapshot without `filesToRead` is posted. */
let lastBatch = 0;
/** Test hook (crashOnReadForTest): stop as a crash would on reading a path ending with this. */
let crashOnRead: string | undefined;

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
  onFitted: (slot) => session.fitLanded(slot),
  log,
});

/**
 * Snapshots go to the host as deltas against the one posted before; the last posted one is kept
 * whole for a `resend` (the host lost track of the chain).
 */
const deltas = new SnapshotDeltaEncoder();
let lastPosted: Snapshot | undefined;

const session = new EngineSession({
  fitter,
  settings,
  engine: { minPointsForCurve: settings.minPointsForCurve, fitter },
  onSnapshot: (snapshot) => {
    lastPosted = snapshot;
    // Every batch received so far is read: the host may forget them (workerClient.ts keeps the unread).
    if (snapshot.filesToRead === undefined && reading !== undefined) Atomics.store(reading, 2, lastBatch);
    post({ type: 'delta', delta: deltas.encode(snapshot) });
  },
  log,
  // A long rescan is read in slices: between them nothing is being read (a crash then is not a file's).
  readPaused: () => doneReading(),
});

async function answer(request: WorkerRequest): Promise<WorkerResponse> {
  switch (request.kind) {
    case 'estimateConfig':
      return { kind: 'estimateConfig', estimate: await session.estimateConfig(request.path, request.text) };
    case 'planBudget': {
      const { plan, family } = await session.planBudget(request.request);
      return { kind: 'planBudget', plan, family };
    }
    case 'planLadder': {
      const { plan, overlay, links, problems } = await session.planLadder(request.request);
      return { kind: 'planLadder', plan, overlay, links, problems };
    }
    case 'ladderWrite':
      return { kind: 'ladderWrite', written: ladderWrite(request.input) };
  }
}

/** Editor requests: each answered by a response of its kind, or its error (shared/rpc.ts). */
const serveRequest = serveRpc(answer, post, describe);

/** Before each file is read: where the host finds it after a crash, and the crash test hook. */
function beforeRead(batch: number): (index: number, file: { path: string }) => void {
  lastBatch = Math.max(lastBatch, batch);
  return (index, file) => {
    if (reading !== undefined) {
      Atomics.store(reading, 0, batch);
      Atomics.store(reading, 1, index);
    }
    if (crashOnRead !== undefined && file.path.endsWith(crashOnRead)) process.exit(70);
  };
}

function doneReading(): void {
  if (reading !== undefined) Atomics.store(reading, 0, 0);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

port.on('message', (message: HostToWorker) => {
  // A rescan starts over: the fits in progress stop (answers already made are kept by their inputs).
  if (cancelsFitting(message)) fitter.cancelAll();
  switch (message.type) {
    case 'configure':
      settings = message.settings;
      session.configure(settings, {
        minPointsForCurve: settings.minPointsForCurve,
        textLogPatterns: settings.textLogPatterns,
        hardware: settings.hardware,
        liveRefitIntervalMs: Math.max(0, settings.liveRefitSeconds ?? 0) * 1000,
        followLinksOutside: settings.followLinksOutside === true,
        fitter,
      });
      return;
    case 'reset':
      session.reset(message.files, beforeRead(message.batch ?? 0));
      return;
    case 'filesChanged':
      session.read(message.files, beforeRead(message.batch ?? 0));
      return;
    case 'filesDeleted':
      session.deleted(message.paths);
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
      session.lookAt(message.runIds);
      return;
    case 'request':
      serveRequest(message);
      return;
  }
});
