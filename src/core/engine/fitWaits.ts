// Waiting for the fits an answer needs: a snapshot, an estimate or a plan is computed, the fits it
// asked for that still run elsewhere (the fitting threads of worker/fitClient.ts) are waited for,
// and it is computed again with them, a few rounds at most (a family law needs its runs' curves
// first; its over-training law and sweep advice need the family law).
import type { Fitter } from '../fitJobs';

/** A fitter whose asks can be tracked and waited for (worker/fitClient.ts's FitClient). */
export interface TrackedFitter extends Fitter {
  /** `fn`'s value, and the keys it asked for that are still waiting or running. */
  track<T>(fn: () => T): { value: T; waiting: string[] };
  /** Once none of `keys` is waiting or running: `answered`, `dropped` (some given up) or `timeout`. */
  settled(keys: readonly string[], timeoutMs: number): Promise<'answered' | 'dropped' | 'timeout'>;
}

/**
 * `compute`'s value once the fits it asks for have landed, computed at most `rounds` times and
 * waiting at most `waitMs` in all; `complete` says whether nothing was left waiting. A fit given up
 * (a newer request for the same slot replaced it) is not asked for again: the newer request will
 * have it, and asking again would replace that one in turn, back and forth.
 */
export async function whenFitted<T>(
  fits: TrackedFitter,
  compute: () => T,
  limits: { rounds: number; waitMs: number },
): Promise<{ value: T; complete: boolean }> {
  const giveUpAt = Date.now() + limits.waitMs;
  for (let round = 1; ; round++) {
    const { value, waiting } = fits.track(compute);
    if (waiting.length === 0) return { value, complete: true };
    if (round >= limits.rounds || (await fits.settled(waiting, giveUpAt - Date.now())) !== 'answered') return { value, complete: false };
  }
}

/** A tracked fitter that says when a fit lands and how busy its threads are (worker/fitClient.ts's FitClient). */
export interface LandingFitter extends TrackedFitter {
  /** Fits waiting or running. */
  readonly pending: number;
  /** Fitting threads (at most `threads` fits run at once). */
  readonly threads: number;
  /** Of `keys`, those still waiting or running. */
  stillPending(keys: readonly string[]): string[];
  /** Resolves at the next fit landed (answered, failed or given up by a crash), or after `timeoutMs`. */
  nextLanding(timeoutMs: number): Promise<void>;
}

/**
 * An early recompute (before every fit the last one asked for has landed) waits at least this long
 * after the last compute began, and at least `EARLY_COST_FACTOR` times that compute's duration (but
 * the first's): a compute runs on the thread the fits' answers arrive on, beside the fitting threads,
 * so this keeps early recomputes under a tenth of that thread's time.
 */
const EARLY_MIN_GAP_MS = 1000;
const EARLY_COST_FACTOR = 10;

/**
 * `compute`'s value once every fit it asks for has landed, like `whenFitted`, but computed again as
 * fits land rather than once per whole round: a fit whose inputs are other fits (a live run's forecast
 * from siblings needs its curve and the family's schedule response; the family law needs those
 * forecasts; the over-training law needs the family law) is asked for as soon as they exist, and runs
 * beside the remaining curves instead of alone after them, the other threads idle. It computes again
 * after a landing when a thread is idle (nothing queued), or when enough time has passed since the last
 * compute (see `EARLY_MIN_GAP_MS`), so a long queue of curves costs a compute a second at most.
 * `rounds` bounds the computes made after every awaited fit landed (early ones each follow a landing,
 * so they are bounded by the fits); `waitMs` the whole wait.
 */
export async function fittedAsTheyLand<T>(
  fits: LandingFitter,
  compute: () => T,
  limits: { rounds: number; waitMs: number; minGapMs?: number },
): Promise<{ value: T; complete: boolean; computes: number }> {
  const giveUpAt = Date.now() + limits.waitMs;
  const minGapMs = limits.minGapMs ?? EARLY_MIN_GAP_MS;
  let computes = 0;
  for (let round = 1; ;) {
    const began = performance.now();
    const { value, waiting } = fits.track(compute);
    computes++;
    // The first compute's duration is mostly work done once (each run's health, hashes, sibling
    // schedules): at 100 runs and load 12, 6.3 s against 2–3 s for the next ones.
    const costMs = computes === 1 ? 0 : performance.now() - began;
    if (waiting.length === 0) return { value, complete: true, computes };
    // The last round's compute is the answer: waiting for its fits would only throw them away.
    if (round >= limits.rounds) return { value, complete: false, computes };
    for (;;) {
      const left = giveUpAt - Date.now();
      if (left <= 0) return { value, complete: false, computes };
      await fits.nextLanding(left);
      if (fits.stillPending(waiting).length === 0) {
        round++;
        break;
      }
      if (fits.pending < fits.threads || performance.now() - began >= Math.max(minGapMs, EARLY_COST_FACTOR * costMs)) break;
    }
  }
}
