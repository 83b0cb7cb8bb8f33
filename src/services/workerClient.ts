import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import type { HostToWorker, IngestWorkerData, Snapshot, SnapshotDelta, WorkerRequest, WorkerResponse, WorkerSettings, WorkerToHost } from '../shared/protocol';
import { Disposable } from './dispose';
import { RestartWindow } from '../shared/restartWindow';
import { SnapshotDeltaDecoder } from '../shared/dashboardDelta';
import { RpcClient, type ResponseTo } from '../shared/rpc';
import { FileBatches } from './fileBatches';

/** A new snapshot, the delta from the worker that made it, and the snapshot it was applied to (undefined: a whole one). */
export interface SnapshotUpdate {
  snapshot: Snapshot;
  delta: SnapshotDelta;
  previous: Snapshot | undefined;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** A file is quarantined when the worker stopped this many times while reading it. */
export const QUARANTINE_AFTER_CRASHES = 2;

/**
 * Owns the worker thread: starts it lazily, correlates requests with responses (with a time-out),
 * restarts it after a crash and tells listeners so they can resend their state.
 */
export class WorkerClient extends Disposable {
  private worker: Worker | undefined;
  /** Requests to the worker and their responses (shared/rpc.ts). */
  private readonly rpc = new RpcClient<WorkerRequest, WorkerResponse>();
  /** A crash loop leaves the worker stopped. */
  private readonly restarts = new RestartWindow();
  /** Applies the worker's deltas to the snapshot held here, and says when a whole one is needed. */
  private readonly decoder = new SnapshotDeltaDecoder();
  /** Deltas applied, and whole snapshots asked for because a delta did not fit (tests read them). */
  readonly deltaStats = { applied: 0, resyncs: 0 };
  /** Set by a test: the next delta is dropped, and this is told its version. */
  private dropNextDelta: ((version: number) => void) | undefined;
  /** Set after a crash loop: nothing starts the worker again until `start()` (a rescan). */
  private stopped = false;
  /** Threads started so far; a restart after a crash raises it (tests read it). */
  generation = 0;
  /** Which file the worker is reading: batch id and index, and the last batch read, written by the worker (IngestWorkerData). */
  private reading = new Int32Array(new SharedArrayBuffer(12));
  /** Files sent, by batch id, to name the one being read when the worker stopped (kept until read). */
  private readonly batches = new FileBatches();
  /** Stops of the worker while it read each file; at QUARANTINE_AFTER_CRASHES the file is quarantined. */
  private readonly crashesWhileReading = new Map<string, number>();
  /** Files never sent to the worker again this session (tests read it). */
  readonly quarantined = new Set<string>();
  /** Test hook, re-sent to every new thread: the worker stops on reading a path ending with this. */
  private crashOnReadSuffix: string | undefined;
  private readonly snapshotEmitter = this.register(new vscode.EventEmitter<Snapshot>());
  private readonly restartEmitter = this.register(new vscode.EventEmitter<void>());
  private readonly updateEmitter = this.register(new vscode.EventEmitter<SnapshotUpdate>());
  /** The latest snapshot the worker pushed (its deltas applied). */
  get latest(): Snapshot | undefined {
    return this.decoder.latest;
  }
  readonly onSnapshot = this.snapshotEmitter.event;
  /** Each new snapshot with the delta that made it and the snapshot it was applied to (the dashboard forwards the delta). */
  readonly onUpdate = this.updateEmitter.event;
  /** Fires after a crashed worker was replaced; its state is empty until files are resent. */
  readonly onRestart = this.restartEmitter.event;

  constructor(
    private readonly scriptPath: string,
    private settings: WorkerSettings,
    private readonly output: vscode.LogOutputChannel,
  ) {
    super();
  }

  /** Sends a message; dropped while the worker is stopped after a crash loop or disposed. */
  post(message: HostToWorker): void {
    if (message.type === 'reset' || message.type === 'filesChanged') {
      // Quarantined files are not read again; each batch is numbered so a crash can be pinned on its file.
      const files = this.quarantined.size > 0 ? message.files.filter((f) => !this.quarantined.has(f.path)) : message.files;
      this.batches.readUpTo(Atomics.load(this.reading, 2));
      const batch = this.batches.add(files.map((f) => f.path));
      message = { ...message, files, batch };
    }
    this.ensure()?.postMessage(message);
  }

  /** For tests of the quarantine: every worker thread from now on stops on reading a path ending with `suffix`. */
  crashOnReadForTest(suffix: string | undefined): void {
    this.crashOnReadSuffix = suffix;
    this.worker?.postMessage({ type: 'crashOnReadForTest', pathSuffix: suffix } satisfies HostToWorker);
  }

  /** Allows the worker to run again after a crash loop stopped it. */
  start(): void {
    this.stopped = false;
  }

  /**
   * The runs one part of the UI (`source`: the dashboard, the status bar) shows the user; the worker
   * queues their fits first. Sent when the union over every source changes.
   */
  lookAt(source: string, runIds: readonly string[]): void {
    const before = this.lookedAtIds();
    this.lookedAt.set(source, [...runIds]);
    const after = this.lookedAtIds();
    if (after.length !== before.length || after.some((id, i) => id !== before[i])) this.post({ type: 'lookAt', runIds: after });
  }

  private readonly lookedAt = new Map<string, string[]>();

  private lookedAtIds(): string[] {
    return [...new Set([...this.lookedAt.values()].flat())].sort();
  }

  configure(settings: WorkerSettings): void {
    this.settings = settings;
    this.post({ type: 'configure', settings: this.workerSettings() });
  }

  /** The settings with the quarantined files, which the worker names in diagnostics. */
  private workerSettings(): WorkerSettings {
    return this.quarantined.size > 0 ? { ...this.settings, quarantined: [...this.quarantined] } : this.settings;
  }

  /** The worker's answer to `request`, of the request's kind; fails after REQUEST_TIMEOUT_MS, or when the worker stops. */
  request<R extends WorkerRequest>(request: R): Promise<ResponseTo<WorkerResponse, R['kind']>> {
    const worker = this.ensure();
    if (!worker) return Promise.reject(new Error('the Scaling Lens worker is stopped; run "Scaling Lens: Rescan Workspace Logs" to start it'));
    try {
      return this.rpc.call((message) => worker.postMessage(message satisfies HostToWorker), request, {
        ms: REQUEST_TIMEOUT_MS,
        message: `the Scaling Lens worker did not answer "${request.kind}" within ${REQUEST_TIMEOUT_MS / 1000} s`,
      }).result;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** For tests: loses the next delta from the worker, as a dropped message would (the next one then does not fit); resolves with its version. */
  dropNextDeltaForTest(): Promise<number> {
    return new Promise((resolve) => (this.dropNextDelta = resolve));
  }

  /** For tests and the "worker crash is recovered" promise: stops the thread as a crash would. */
  async crashForTest(): Promise<void> {
    await this.worker?.terminate();
  }

  /** For tests: the worker's fitting thread stops as a crash would (the worker restarts it). */
  crashFitThreadForTest(): void {
    this.worker?.postMessage({ type: 'crashFitThread' } satisfies HostToWorker);
  }

  private ensure(): Worker | undefined {
    if (this.worker) return this.worker;
    if (this.stopped || this.isDisposed) return undefined;
    this.reading = new Int32Array(new SharedArrayBuffer(12));
    const workerData: IngestWorkerData = { reading: this.reading.buffer as SharedArrayBuffer };
    const worker = new Worker(this.scriptPath, { workerData });
    this.worker = worker;
    this.generation++;
    // A new thread counts snapshot versions from 1 again and starts with a whole snapshot.
    this.decoder.restart();
    // Messages of a replaced thread still in flight are not this thread's.
    worker.on('message', (message: WorkerToHost) => {
      if (this.worker === worker) this.onMessage(message);
    });
    worker.on('error', (error) => this.output.error(`worker error: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => this.onExit(worker, code));
    worker.postMessage({ type: 'configure', settings: this.workerSettings() } satisfies HostToWorker);
    if (this.crashOnReadSuffix !== undefined) worker.postMessage({ type: 'crashOnReadForTest', pathSuffix: this.crashOnReadSuffix } satisfies HostToWorker);
    if (this.lookedAt.size > 0) worker.postMessage({ type: 'lookAt', runIds: this.lookedAtIds() } satisfies HostToWorker);
    return worker;
  }

  private onMessage(message: WorkerToHost): void {
    switch (message.type) {
      case 'delta':
        this.onDelta(message.delta);
        return;
      case 'response':
        this.rpc.receive(message);
        return;
      case 'log':
        this.output[message.level](message.message);
        return;
    }
  }

  private onDelta(delta: SnapshotDelta): void {
    if (this.dropNextDelta) {
      this.dropNextDelta(delta.version);
      this.dropNextDelta = undefined;
      return;
    }
    const outcome = this.decoder.accept(delta);
    if (outcome.kind === 'resync') {
      // A delta was missed: the worker sends its latest snapshot whole, later deltas build on that.
      if (outcome.ask) {
        this.deltaStats.resyncs++;
        this.output.warn(`snapshot ${delta.version} does not apply to ${this.latest?.version ?? 'nothing'}; asking the worker for the whole snapshot`);
        this.worker?.postMessage({ type: 'resend' } satisfies HostToWorker);
      }
      return;
    }
    if (outcome.kind === 'stale') return;
    this.deltaStats.applied++;
    this.snapshotEmitter.fire(outcome.snapshot);
    this.updateEmitter.fire({ snapshot: outcome.snapshot, delta, previous: outcome.previous });
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.rejectPending(`the Scaling Lens worker stopped (exit code ${code}) before answering`);
    if (this.isDisposed) return;
    // A stop while reading a file is that file's (it is quarantined at its second): it does not count
    // toward the crash-loop guard, which would otherwise stop the worker before the file is found out.
    const blamed = this.blameFileBeingRead(code);
    if (!blamed && !this.restarts.allow(Date.now())) {
      this.output.error(
        `the worker stopped ${this.restarts.max + 1} times within a minute; not restarting. Run "Scaling Lens: Rescan Workspace Logs" to try again.`,
      );
      void vscode.window.showErrorMessage('Scaling Lens: the background worker keeps stopping; see the Scaling Lens log.');
      this.stopped = true;
      return;
    }
    this.output.warn(`worker stopped (exit code ${code}); restarting`);
    this.ensure();
    this.restartEmitter.fire();
  }

  /**
   * The worker stopped: the file it was reading then (if any) is counted, and quarantined at the
   * second stop on it, named in the log and a notification. The restart then reads everything else.
   * True when the stop was pinned on a file.
   */
  private blameFileBeingRead(code: number): boolean {
    const batch = Atomics.load(this.reading, 0);
    const file = batch === 0 ? undefined : this.batches.path(batch, Atomics.load(this.reading, 1));
    if (file === undefined) return false;
    const crashes = (this.crashesWhileReading.get(file) ?? 0) + 1;
    this.crashesWhileReading.set(file, crashes);
    this.output.warn(`the worker stopped (exit code ${code}) while reading ${file} (${crashes} time${crashes === 1 ? '' : 's'})`);
    if (crashes < QUARANTINE_AFTER_CRASHES) return true;
    this.quarantined.add(file);
    this.output.error(
      `${file} stopped the worker ${crashes} times while it was read: quarantined (not read again until VS Code restarts); the rest of the workspace is read`,
    );
    void vscode.window.showWarningMessage(
      `Scaling Lens: ${file} stopped the background reader twice and is skipped; the rest of the workspace is read. See the Scaling Lens log.`,
    );
    return true;
  }

  /** Every request still waiting is answered with `reason`, and its timer cleared. */
  private rejectPending(reason: string): void {
    this.rpc.failAll(reason);
  }

  override dispose(): void {
    super.dispose();
    const worker = this.worker;
    this.worker = undefined;
    // onExit ignores a worker that is no longer current: answer its requests here, so no timer
    // outlives the extension.
    this.rejectPending('Scaling Lens is shutting down');
    void worker?.terminate();
  }
}
