// Sanity checks of a fit-on-prefix validation: a prefix fit whose forecast is out of any reach of
// the curve, or that only fits by pinning a parameter to its bound, is a failed validation (with
// its reason), not a prediction to plot beside the others. Seen on real data: a schedule-aware fit
// on a run's first 30% forecasting 1.685 for a run that ended at 3.728.
import type { LawDefinition } from '../laws/types';

/** Above this much below the prefix's last (smoothed) loss, a forecast is beyond any reach of the curve. */
export const MAX_PREFIX_DROP = 0.4;
/** More than this above the prefix's last loss: the law forecasts the loss going up. */
export const MAX_PREFIX_RISE = 0.05;
/** Fraction of a parameter's box within which it counts as on its bound. */
const BOUND_FRACTION = 0.001;
/** A parameter on its bound fails the check only when moving it this far into its box (fraction of the box)... */
const BOUND_NUDGE = 0.05;
/** ...moves the forecast by more than this (relative): a bound the forecast does not depend on is harmless. */
const BOUND_SENSITIVITY = 0.005;

/**
 * Why a prefix fit's forecast is not a validation, or undefined when it passes: a forecast not
 * finite or ≤ 0, more than MAX_PREFIX_DROP below or MAX_PREFIX_RISE above the prefix's last
 * smoothed loss, or a fitted parameter on a bound of its box.
 */
export function prefixProblem(
  law: LawDefinition,
  params: readonly number[],
  predicted: number,
  prefixEndLoss: number,
  forecastWith?: (params: readonly number[]) => number,
): string | undefined {
  if (!Number.isFinite(predicted) || predicted <= 0) return `the prefix fit forecasts ${predicted}: not a loss`;
  if (Number.isFinite(prefixEndLoss) && prefixEndLoss > 0) {
    if (predicted < prefixEndLoss * (1 - MAX_PREFIX_DROP)) {
      return `forecast ${predicted.toFixed(3)} is ${(100 * (1 - predicted / prefixEndLoss)).toFixed(0)}% below the prefix's last loss ${prefixEndLoss.toFixed(3)}: beyond the range the curve can reach (at most ${MAX_PREFIX_DROP * 100}%)`;
    }
    if (predicted > prefixEndLoss * (1 + MAX_PREFIX_RISE))
      return `forecast ${predicted.toFixed(3)} is above the prefix's last loss ${prefixEndLoss.toFixed(3)}: the fit has the loss rising`;
  }
  for (let j = 0; j < law.parameters.length; j++) {
    const p = law.parameters[j];
    const v = params[j];
    const span = p.upper - p.lower;
    if (!Number.isFinite(v) || !(span > 0)) continue;
    const atLower = v <= p.lower + BOUND_FRACTION * span;
    if (atLower || v >= p.upper - BOUND_FRACTION * span) {
      // Unpinned but irrelevant (e.g. the drop term's shape before the LR decays) is no failure.
      if (forecastWith) {
        const nudged = [...params];
        nudged[j] = v + (atLower ? 1 : -1) * BOUND_NUDGE * span;
        const moved = forecastWith(nudged);
        if (Number.isFinite(moved) && Math.abs(moved / predicted - 1) <= BOUND_SENSITIVITY) continue;
      }
      return `parameter ${p.natural.name} of the prefix fit sits on its ${atLower ? 'lower' : 'upper'} bound and the forecast depends on it: the prefix does not pin the law`;
    }
  }
  return undefined;
}
