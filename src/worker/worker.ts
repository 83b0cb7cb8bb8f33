// Worker thread entry: glue between messages and the core engine. Reading and fitting happen
// here, never on the extension host's thread.
import { parentPort } from 'node:worker_threads';
import * as fs from 'node:fs';
import { ScalingWorkspace } from '../core/workspace';
import type { HostToWorker, WorkerRequest, WorkerResponse, WorkerSettings, WorkerToHost } from '../shared/protocol';

const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');

let settings: WorkerSettings = { fitTimeBudgetMs: 5000, minPointsForCurve: 8 };
// One engine for the worker's life: its snapshot versions only ever increase.
const engine = new ScalingWorkspace({ minPointsForCurve: settings.minPointsForCurve });
let recomputeTimer: NodeJS.Timeout | undefined;
/** Coalesces bursts of file events (a trainer writing every step) into one fit round. */
const RECOMPUTE_DELAY_MS = 150;
const MAX_INCOMPLETE_ROUNDS = 5;
let incompleteRounds = 0;

function post(message: WorkerToHost): void {
  port!.postMessage(message);
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  post({ type: 'log', level, message });
}

function computeSnapshot() {
  const deadline = performance.now() + settings.fitTimeBudgetMs;
  const snapshot = engine.snapshot(deadline);
  if (snapshot.incomplete) log('info', `fitting used its ${settings.fitTimeBudgetMs} ms budget; the fits left unfinished start again in the next round`);
  return snapshot;
}

function scheduleRecompute(): void {
  if (recomputeTimer) clearTimeout(recomputeTimer);
  recomputeTimer = setTimeout(() => {
    recomputeTimer = undefined;
    try {
      const snapshot = computeSnapshot();
      post({ type: 'snapshot', snapshot });
      // Fits cut short by the budget are not cached: the next round continues them, after the
      // message loop has had a turn (so config estimates are not kept waiting).
      // A fit that cannot finish within one budget at all must not spin the worker forever.
      incompleteRounds = snapshot.incomplete ? incompleteRounds + 1 : 0;
      if (snapshot.incomplete && incompleteRounds < MAX_INCOMPLETE_ROUNDS) scheduleRecompute();
      else if (snapshot.incomplete) log('warn', `some fits did not finish in ${MAX_INCOMPLETE_ROUNDS} rounds of ${settings.fitTimeBudgetMs} ms; raise scalingLens.fit.timeBudgetMs to finish them`);
    } catch (error) {
      log('error', `fitting failed: ${describe(error)}`);
    }
  }, RECOMPUTE_DELAY_MS);
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
      engine.configure({ minPointsForCurve: settings.minPointsForCurve });
      scheduleRecompute();
      return;
    case 'reset':
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
    case 'request':
      try {
        post({ type: 'response', id: message.id, ok: true, response: answer(message.request) });
      } catch (error) {
        post({ type: 'response', id: message.id, ok: false, error: describe(error) });
      }
      return;
  }
});
