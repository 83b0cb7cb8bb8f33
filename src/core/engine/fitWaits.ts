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
