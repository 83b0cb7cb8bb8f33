// N* and its 80% interval in words, one way for every view that shows it (`plan`, `ladder`, Plan
// Compute Budget, Plan Experiments), so that one number reads the same wherever it is shown.
import { formatCount } from '../../shared/format';

/** Past this hi/lo ratio the runs do not identify N* (e.g. all at one tokens-per-parameter ratio, no published split). */
export const NSTAR_UNIDENTIFIED_RATIO = 1000;

/** `622M–2.65B`, or `unidentified (×>1000)` past NSTAR_UNIDENTIFIED_RATIO. */
export function nStarRange(interval: readonly [number, number]): string {
  const ratio = interval[1] / interval[0];
  return ratio <= NSTAR_UNIDENTIFIED_RATIO ? `${formatCount(interval[0])}–${formatCount(interval[1])}` : `unidentified (×>${NSTAR_UNIDENTIFIED_RATIO})`;
}

/** `N* 1.58B (80%: 622M–2.65B)`. */
export function nStarText(nStar: number, interval: readonly [number, number]): string {
  return `N* ${formatCount(nStar)} (80%: ${nStarRange(interval)})`;
}
