// Fits asked for in a snapshot round or an estimate, through the fitter (inline, or the fitting
// threads of worker/fitClient.ts): each fit's deadline (the round's, or a per-fit budget), the
// cancellation check, and the count of fits the round still waits for (`Snapshot.fitting`).
import { inlineFitter, type FitAnswer, type FitJobKind, type FitJobOf, type FitJobResult, type Fitter } from '../fitJobs';

export interface FitSchedulerOptions {
  /** Where fits run (default: in the calling thread, at once). */
  fitter?: Fitter;
  /** Time budget of ONE fit in ms (default: none, fits share the round's deadline). */
  fitBudgetMs?: number;
}

export class FitScheduler {
  /** Fits asked for in the snapshot in progress that are still running elsewhere (see `options.fitter`). */
  private fitsPending = 0;
  /** Slots counted in `fitsPending` this round (a live run's curve is asked for by its family and its view). */
  private readonly pendingSlots = new Set<string>();
  /** Polled by every fit of the snapshot in progress (see `withCancel`). */
  private cancelCheck: (() => boolean) | undefined;

  /** The options are read at each fit (they change with the settings). */
  constructor(private readonly options: () => FitSchedulerOptions) {}

  /** A new round: nothing counted as waiting yet. */
  beginRound(): void {
    this.fitsPending = 0;
    this.pendingSlots.clear();
  }

  /** Fits this round waits for. */
  get pending(): number {
    return this.fitsPending;
  }

  /** Whether `slot` was asked for this round and is still being fitted elsewhere. */
  isPending(slot: string): boolean {
    return this.pendingSlots.has(slot);
  }

  /** Whether a slot starting with `prefix` was asked for this round and is still being fitted elsewhere. */
  isPendingUnder(prefix: string): boolean {
    for (const slot of this.pendingSlots) if (slot.startsWith(prefix)) return true;
    return false;
  }

  /** Tells the fitter the slots of runs and families that are gone (see `Fitter.forget`). */
  forget(slots: readonly string[]): void {
    if (slots.length > 0) this.options().fitter?.forget?.(slots);
  }

  /** `fn`'s value, with every fit it asks for polling `isCancelled`. */
  withCancel<T>(isCancelled: (() => boolean) | undefined, fn: () => T): T {
    this.cancelCheck = isCancelled;
    try {
      return fn();
    } finally {
      this.cancelCheck = undefined;
    }
  }

  /** Deadline of one fit: the round's, or sooner when a per-fit budget is set. */
  private fitDeadline(roundDeadline: number): number {
    const perFit = this.options().fitBudgetMs;
    return perFit !== undefined && perFit > 0 ? Math.min(roundDeadline, performance.now() + perFit) : roundDeadline;
  }

  /**
   * The newest fit of `slot` through the fitter (see `options.fitter` and `Fitter.fit`): the one of
   * `key`, or while that runs elsewhere (it is counted in the snapshot) one made before, if any.
   */
  latestFit<K extends FitJobKind>(
    slot: string,
    key: string,
    kind: K,
    makeJob: () => FitJobOf<K>,
    roundDeadline: number,
    tag?: string,
    priority?: number,
  ): FitAnswer<K> | undefined {
    const answer = (this.options().fitter ?? inlineFitter).fit(
      slot,
      key,
      kind,
      makeJob,
      { deadline: this.fitDeadline(roundDeadline), isCancelled: this.cancelCheck, priority },
      tag,
    );
    if (answer?.key !== key && !this.pendingSlots.has(slot)) {
      this.pendingSlots.add(slot);
      this.fitsPending++;
    }
    return answer;
  }

  /** The fit of exactly `key` through the fitter; undefined while it runs elsewhere. */
  fit<K extends FitJobKind>(
    slot: string,
    key: string,
    kind: K,
    makeJob: () => FitJobOf<K>,
    roundDeadline: number,
    priority?: number,
  ): FitJobResult<K> | undefined {
    const answer = this.latestFit(slot, key, kind, makeJob, roundDeadline, undefined, priority);
    return answer?.key === key ? answer.result : undefined;
  }
}
