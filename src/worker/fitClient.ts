// The worker's side of the fitting threads: a queue of fits by slot (a run's curve, a family's law),
// a pool of threads each running one fit at a time and at most one fit per slot, the newest answer
// of every slot, a time budget per fit, cancellation, and restart after a crash.
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  AHEAD_OF_EVERY_KIND,
  failedFit,
  fitTimedOut,
  type FitAnswer,
  type FitControl,
  type FitJob,
  type FitJobKind,
  type FitJobOf,
  type Fitter,
} from '../core/fitJobs';
import type { FitThreadInit, FitThreadRequest, FitThreadResponse, FromFitThread, ToFitThread } from '../shared/protocol';
import { RpcClient, type RpcError } from '../shared/rpc';
import { RestartWindow } from '../shared/restartWindow';

export interface FitClientOptions {
  /** The bundled fitting thread (dist/fitThread.js). */
  scriptPath: string;
  /** `scalingLens.fit.timeBudgetMs`: the time one fit may take before it answers with its best so far. */
  budgetMs: () => number;
  /** A fit landed: a new snapshot can show it. `slot`: the slot of a fit answered ("provisional:<family>"), when one was. */
  onFitted: (slot?: string) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Fitting threads at most (default `defaultFitThreads()`); started as jobs need them. */
  threads?: number;
}

/** One thread per core but one, left for the editor (and the reading thread); at least one. */
export function defaultFitThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cores - 1);
}

interface Job {
  slot: string;
  key: string;
  kind: FitJobKind;
  /** Called when the job is sent to the thread: a job replaced while it waits is never built. */
  makeJob: () => FitJob;
  tag?: string;
  /** Lower runs sooner among jobs of one kind (see `FitControl.priority`). */
  priority: number;
  /** Order asked, for ties. */
  order: number;
  /** Requeued after it stopped the fitting thread: first among its kind (and tier), not ahead of other kinds. */
  retried?: true;
}

/** One fitting thread of the pool, and the fit it runs. */
interface Lane {
  thread: Worker | undefined;
  /** Shared with the thread: the id of the job it should stop (see FitThreadInit). */
  cancelCell: Int32Array;
  /** Calls to the thread (shared/rpc.ts): a call's cancellation stores its id in `cancelCell`. */
  rpc: RpcClient<FitThreadRequest, FitThreadResponse>;
  running: (Job & { id: number; cancel: () => void }) | undefined;
}

/**
 * Which job runs first: the point forecast of a run looked at (AHEAD_OF_EVERY_KIND), then the ones an
 * editor request waits for (a hover, a lens), then family laws, then the points they need, then the
 * curves of single runs (the most numerous).
 */
const PRIORITY: Record<FitJobKind, number> = { sweep: 0, overtrain: 0, family: 1, runPoint: 2, curve: 3, scheduleSize: 3, siblingForecast: 3 };

/** Newest answers kept (one per slot: runs and families); the oldest slot is forgotten first. */
const MAX_ANSWERS = 5000;
/** A job that was running when the thread stopped this many times is answered with an error. */
const MAX_CRASHES_PER_JOB = 2;

export class FitClient implements Fitter {
  private readonly lanes: Lane[];
  /** Jobs waiting, by slot; a newer job for a slot takes the place of the one waiting. */
  private readonly queue = new Map<string, Job>();
  private nextOrder = 0;
  /** The newest answer of every slot, least recently answered first. */
  private readonly answers = new Map<string, FitAnswer>();
  /** Promises waiting for a key to be answered or given up (see `settled`); told which. */
  private readonly waiters = new Map<string, ((answered: boolean) => void)[]>();
  private readonly crashes = new Map<string, number>();
  /** A crash loop gives the fits up. */
  private readonly restarts = new RestartWindow();
  /** Set after a crash loop: jobs are answered with an error until `resume()` (a rescan). */
  private stopped: string | undefined;
  /** Keys asked for and not answered while `track` runs. */
  private tracking: Set<string> | undefined;
  /** Woken at the next landing (see `nextLanding`). */
  private readonly landingWaiters = new Set<() => void>();
  private disposed = false;
  private warmed = false;
  /** Threads started so far (tests read it). */
  generation = 0;

  constructor(private readonly options: FitClientOptions) {
    const size = Math.max(1, Math.floor(options.threads ?? defaultFitThreads()));
    this.lanes = Array.from({ length: size }, () => {
      const lane: Lane = {
        thread: undefined,
        cancelCell: new Int32Array(new SharedArrayBuffer(4)),
        rpc: new RpcClient({ onCancel: (id) => Atomics.store(lane.cancelCell, 0, id) }),
        running: undefined,
      };
      return lane;
    });
  }

  /** Size of the pool. */
  get threads(): number {
    return this.lanes.length;
  }

  fit<K extends FitJobKind>(
    slot: string,
    key: string,
    kind: K,
    makeJob: () => FitJobOf<K>,
    control: FitControl | undefined,
    tag?: string,
  ): FitAnswer<K> | undefined {
    const answer = this.answers.get(slot) as FitAnswer<K> | undefined;
    if (answer?.key === key) return answer;
    if (this.stopped) {
      const failed: FitAnswer<K> = { key, result: failedFit(kind, this.stopped), tag };
      this.remember(slot, failed);
      return failed;
    }
    const running = this.runningIn(slot);
    if (running) {
      // One fit per slot at a time: a newer one is queued only when asked for again after this one
      // lands (a live run is often kept on the fit that lands, and its refit would be wasted).
      this.tracking?.add(running.key);
      return answer;
    }
    this.tracking?.add(key);
    const waiting = this.queue.get(slot);
    if (waiting?.key !== key) {
      // Map.set keeps a replaced slot's place in the queue: a run that keeps changing is not sent to the back.
      this.queue.set(slot, { slot, key, kind, makeJob, tag, priority: control?.priority ?? 0, order: waiting?.order ?? this.nextOrder++ });
      if (waiting) this.release(waiting.key, false);
      this.pump();
    } else if (control?.priority !== undefined && control.priority < waiting.priority) {
      // The same fit asked for again with more urgency (the user now looks at its run): it moves up.
      waiting.priority = control.priority;
    }
    return answer;
  }

  /**
   * Starts every fitting thread on a small fit of its own (not an answer anyone waits for), once: the
   * first fits asked for (what the user sees) then run in threads that have loaded and compiled the
   * fitting code. Called before a workspace's files are read, so this overlaps the reading: a cold
   * thread took 2.7 s for a point fit that takes 0.1–0.5 s warm (100 copies of examples/sweep, load 13).
   * `firstLaneFree`: the first thread only loads its code, its first fit (a looked-at run's point
   * forecast, asked next) warming it: a warm-up fit before that one delayed it (1,000 runs, one
   * thread, paired at load 15-18: the forecast at 3.9-6.3 s with the warm-up fit, 3.3-3.7 s without).
   */
  warm(firstLaneFree = false): void {
    if (this.warmed || this.stopped || this.disposed) return;
    this.warmed = true;
    this.lanes.forEach((lane, i) => {
      if (i === 0 && firstLaneFree) this.ensureThread(lane);
      else this.fit(`warm:${i}`, 'warm', 'curve', warmUpJob, { priority: -Infinity });
    });
  }

  /** Of `keys`, those still waiting or running. */
  stillPending(keys: readonly string[]): string[] {
    return keys.filter((k) => this.isPending(k));
  }

  /** Resolves at the next fit landed (answered, failed, or given up after crashes), or after `timeoutMs`. */
  nextLanding(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          this.landingWaiters.delete(wake);
          resolve();
        },
        Math.max(0, timeoutMs),
      );
      this.landingWaiters.add(wake);
    });
  }

  /** Fits waiting or running. */
  get pending(): number {
    return this.queue.size + this.running;
  }

  /** Fits running now, one per busy thread of the pool. */
  get running(): number {
    return this.lanes.filter((l) => l.running).length;
  }

  /** `fn`'s value, and the keys it asked for that are still waiting or running. */
  track<T>(fn: () => T): { value: T; waiting: string[] } {
    const outer = this.tracking;
    this.tracking = new Set();
    try {
      const value = fn();
      return { value, waiting: [...this.tracking].filter((k) => this.isPending(k)) };
    } finally {
      this.tracking = outer;
    }
  }

  /**
   * Once none of `keys` is waiting or running: `answered` when every one was answered, `dropped`
   * when some were given up (replaced by a newer job for their slot, or cancelled); `timeout`
   * after `timeoutMs`.
   */
  settled(keys: readonly string[], timeoutMs: number): Promise<'answered' | 'dropped' | 'timeout'> {
    const left = new Set(keys.filter((k) => this.isPending(k)));
    if (left.size === 0) return Promise.resolve('answered');
    let dropped = false;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
      for (const key of left) {
        const list = this.waiters.get(key) ?? [];
        list.push((answered) => {
          dropped ||= !answered;
          left.delete(key);
          if (left.size === 0) {
            clearTimeout(timer);
            resolve(dropped ? 'dropped' : 'answered');
          }
        });
        this.waiters.set(key, list);
      }
    });
  }

  /** Stops the running fit (mid-fit, through the shared flag) and drops the waiting ones; answers are kept. */
  cancelAll(): void {
    for (const lane of this.lanes) if (lane.running) this.cancelRunning(lane);
    const dropped = [...this.queue.values()];
    this.queue.clear();
    for (const job of dropped) this.release(job.key, false);
  }

  /**
   * The slots of runs and families that are gone (engine/curveFits.ts, familyFits.ts): their answers
   * are dropped (a long session kept up to MAX_ANSWERS of them) and their waiting fits are not run.
   * A running fit finishes; its answer is kept until the least recently answered go.
   */
  forget(slots: readonly string[]): void {
    for (const slot of slots) {
      this.answers.delete(slot);
      const waiting = this.queue.get(slot);
      if (waiting === undefined) continue;
      this.queue.delete(slot);
      this.release(waiting.key, false);
    }
  }

  /** Answers cut short by the time budget are forgotten, so asking again redoes them (the budget was raised). */
  forgetTimedOut(): void {
    for (const [slot, answer] of this.answers) if (fitTimedOut(answer.result)) this.answers.delete(slot);
  }

  /** Fits run again after a crash loop stopped them. */
  resume(): void {
    if (!this.stopped) return;
    this.stopped = undefined;
    this.restarts.reset();
    // The errors standing in for the fits are not answers: they are asked for again.
    this.answers.clear();
  }

  /** For tests and the fault benchmark: stops the threads running fits as a crash would (they are restarted, the fits in progress redone). */
  async crashForTest(): Promise<void> {
    await Promise.all(this.lanes.filter((l) => l.running).map((l) => l.thread?.terminate()));
  }

  dispose(): void {
    this.disposed = true;
    this.cancelAll();
    // Nothing lands any more: whoever waits for a landing stops waiting.
    for (const wake of [...this.landingWaiters]) wake();
    this.landingWaiters.clear();
    for (const lane of this.lanes) {
      void lane.thread?.terminate();
      lane.thread = undefined;
    }
  }

  private runningIn(slot: string): (Job & { id: number; cancel: () => void }) | undefined {
    for (const lane of this.lanes) if (lane.running?.slot === slot) return lane.running;
    return undefined;
  }

  private isPending(key: string): boolean {
    for (const lane of this.lanes) if (lane.running?.key === key) return true;
    for (const job of this.queue.values()) if (job.key === key) return true;
    return false;
  }

  private remember(slot: string, answer: FitAnswer): void {
    this.answers.delete(slot);
    this.answers.set(slot, answer);
    if (this.answers.size > MAX_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
  }

  /** Wakes whoever waits for `key` once no job for it is waiting or running, telling them whether it was answered. */
  private release(key: string, answered: boolean): void {
    if (this.isPending(key)) return;
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    for (const wake of list) wake(answered);
  }

  private pump(): void {
    while (!this.disposed && this.queue.size > 0) {
      // An idle thread, else room for one more: threads are started as the queue needs them.
      const lane = this.lanes.find((l) => l.thread && !l.running) ?? this.lanes.find((l) => !l.running);
      if (!lane) return;
      let next: Job | undefined;
      for (const job of this.queue.values()) if (!next || before(job, next)) next = job;
      this.queue.delete(next!.slot);
      try {
        // The job is built once and kept while it runs: a crash sends the same one again.
        const job = next!.makeJob();
        const thread = this.ensureThread(lane);
        const call = lane.rpc.call((message: ToFitThread) => thread.postMessage(message), { kind: 'fit', job, budgetMs: this.options.budgetMs() });
        const id = call.id;
        lane.running = { ...next!, makeJob: () => job, id, cancel: call.cancel };
        call.result.then(
          (response) => this.onAnswer(lane, id, { type: 'response', id, ok: true, response }),
          // A stopped thread's call is taken care of by onExit (redone or given up).
          (error: RpcError) => error.reason === 'remote' && this.onAnswer(lane, id, { type: 'response', id, ok: false, error: error.message }),
        );
      } catch (error) {
        // A job that cannot be built or sent (bad input the engine let through) is answered with
        // an error; the queue goes on.
        lane.running = undefined;
        this.options.log('error', `${describeSlot(next!.slot)}: the fit could not be started: ${error instanceof Error ? error.message : String(error)}`);
        this.remember(next!.slot, { key: next!.key, result: failedFit(next!.kind, 'the fit could not be started; see the Scaling Lens log'), tag: next!.tag });
        this.release(next!.key, true);
        this.landed();
      }
    }
  }

  /** A fit landed (or was given up): whoever shows fits is told, and whoever waits for a landing woken. */
  private landed(slot?: string): void {
    this.options.onFitted(slot);
    const waiters = [...this.landingWaiters];
    this.landingWaiters.clear();
    for (const wake of waiters) wake();
  }

  private ensureThread(lane: Lane): Worker {
    if (lane.thread) return lane.thread;
    // A fresh flag per thread, so a dead thread's state cannot leak into the next.
    lane.cancelCell = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Worker(this.options.scriptPath, { workerData: { cancelFlag: lane.cancelCell.buffer as SharedArrayBuffer } satisfies FitThreadInit });
    lane.thread = thread;
    this.generation++;
    thread.on('message', (message: FromFitThread) => {
      if (lane.thread === thread) lane.rpc.receive(message);
    });
    thread.on('error', (error) => this.options.log('error', `fitting thread error: ${error.stack ?? error.message}`));
    thread.on('exit', (code) => this.onExit(lane, thread, code));
    // An idle thread does not keep the process alive (the CLI exits when its work is done).
    thread.unref();
    return thread;
  }

  /** Stops the lane's fit mid-fit, through the shared flag (its answer, when it comes, is dropped). */
  private cancelRunning(lane: Lane): void {
    lane.running!.cancel();
  }

  private onAnswer(lane: Lane, id: number, message: FromFitThread): void {
    const run = lane.running;
    if (!run || id !== run.id) return;
    lane.running = undefined;
    const cancelled = Atomics.load(lane.cancelCell, 0) === run.id;
    if (!cancelled) {
      if (message.ok) {
        this.remember(run.slot, { key: run.key, result: message.response.result, tag: run.tag });
        if (fitTimedOut(message.response.result))
          this.options.log(
            'info',
            `${describeSlot(run.slot)}: the fit used its ${this.options.budgetMs()} ms budget; its best so far is shown (raise scalingLens.fit.timeBudgetMs to let it finish)`,
          );
      } else {
        this.remember(run.slot, { key: run.key, result: failedFit(run.kind, 'the fit failed; see the Scaling Lens log'), tag: run.tag });
        this.options.log('error', `${describeSlot(run.slot)}: the fit failed: ${message.error}`);
      }
    }
    this.crashes.delete(run.key);
    this.release(run.key, !cancelled);
    this.pump();
    // Also after a cancelled fit: a round that asked for its slot while it ran queued nothing
    // (one fit per slot), and must ask again.
    this.landed(cancelled ? undefined : run.slot);
  }

  private onExit(lane: Lane, thread: Worker, code: number): void {
    if (lane.thread !== thread) return;
    lane.thread = undefined;
    lane.rpc.failAll(`the fitting thread stopped (exit code ${code})`);
    const run = lane.running;
    lane.running = undefined;
    if (this.disposed) return;
    if (!this.restarts.allow(Date.now())) {
      this.stopped = `the fitting thread stopped ${this.restarts.max + 1} times within a minute (run "Scaling Lens: Rescan Workspace Logs" to try again)`;
      this.options.log('error', `${this.stopped}; fits are given up`);
      const given = run ? [run, ...this.queue.values()] : [...this.queue.values()];
      this.queue.clear();
      // The other threads' fits are stopped and given up too.
      for (const other of this.lanes) {
        if (!other.running) continue;
        given.push(other.running);
        this.cancelRunning(other);
        other.running = undefined;
      }
      for (const job of given) {
        this.remember(job.slot, { key: job.key, result: failedFit(job.kind, this.stopped), tag: job.tag });
        this.release(job.key, true);
      }
      this.landed();
      return;
    }
    this.options.log('warn', `fitting thread stopped (exit code ${code})${run ? ` during ${describeSlot(run.slot)}` : ''}; restarting`);
    if (run && Atomics.load(lane.cancelCell, 0) === run.id) {
      // A fit cancelled before the thread stopped is not redone.
      this.release(run.key, false);
      this.landed();
    } else if (run) {
      const crashes = (this.crashes.get(run.key) ?? 0) + 1;
      this.crashes.set(run.key, crashes);
      if (crashes >= MAX_CRASHES_PER_JOB) {
        this.remember(run.slot, {
          key: run.key,
          result: failedFit(run.kind, `the fitting thread stopped ${crashes} times while running this fit`),
          tag: run.tag,
        });
        this.crashes.delete(run.key);
        this.release(run.key, true);
        this.landed();
      } else if (!this.queue.has(run.slot)) {
        // Redone first among its kind: it was the most urgent of them when it started. Its priority is
        // kept, so a family law that stopped the thread does not jump ahead of a looked-at run's point.
        this.queue.set(run.slot, { ...run, retried: true });
      } else this.release(run.key, false);
    }
    this.pump();
  }
}

/**
 * A schedule-aware curve like a real run's (a Multi-Power fit on 300 points of a cosine schedule, no
 * resamples), for `warm`: the code a run's first fit runs.
 */
function warmUpJob(): FitJobOf<'curve'> {
  const targetStep = 3000;
  const lr = Float64Array.from({ length: targetStep + 1 }, (_, s) =>
    s < 100 ? (3e-4 * s) / 100 : 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (s - 100)) / (targetStep - 100)))),
  );
  const steps = Float64Array.from({ length: 300 }, (_, i) => 5 * (i + 1));
  const losses = steps.map((s) => 2.5 + 8 * s ** -0.4 * (1 + 0.01 * Math.sin(s)));
  return { kind: 'curve', steps, losses, targetStep, plannedEndStep: targetStep, law: 'multipower', lr, seed: 1, resamples: 0 };
}

/** Whether `a` runs before `b`: by kind (PRIORITY), then a redone job first, then the caller's priority, then the order asked. */
function before(a: Job, b: Job): boolean {
  const aFirst = a.priority <= AHEAD_OF_EVERY_KIND;
  if (aFirst !== b.priority <= AHEAD_OF_EVERY_KIND) return aFirst;
  if (PRIORITY[a.kind] !== PRIORITY[b.kind]) return PRIORITY[a.kind] < PRIORITY[b.kind];
  if ((a.retried === true) !== (b.retried === true)) return a.retried === true;
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.order < b.order;
}

/** A slot ("curve:<run>", "family:<name>") as a log line names it. */
function describeSlot(slot: string): string {
  const at = slot.indexOf(':');
  const what: Record<string, string> = {
    curve: 'curve of run',
    family: 'law of family',
    overtrain: 'over-training law of family',
    point: 'run point of',
    schedule: 'schedule response (one size) of family',
    sweep: 'sweep advice for',
  };
  return at < 0 ? slot : `${what[slot.slice(0, at)] ?? slot.slice(0, at)} ${slot.slice(at + 1)}`;
}
