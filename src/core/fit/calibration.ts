/**
 * Interval calibration: bootstrap percentile intervals measure how well the data pin a law, not
 * how wrong the law's form is; and misspecification, not noise, dominates extrapolation error.
 * So every interval this engine reports is the bootstrap interval widened about its point value
 * by a multiplier per kind of law, chosen from backtests so that nominal 80% intervals cover the
 * held-out truth about 80% of the time.
 *
 * How the numbers are derived: `npm run validate` runs the backtests on ../shared/data (Gadre et
 * al. over-training runs for cross-run laws, Multi-Power-Law curves for curve laws, Step Law grids
 * for hyperparameter laws), records for each held-out target the ratio
 *   |truth − value| / (half-width of the nominal 80% interval on the truth's side),
 * and takes its 80th percentile: the smallest multiplier with which 80% of the truths would be
 * covered. The values below are those measurements (1 = not yet measured: raw bootstrap widths).
 * A multiplier never narrows an interval (it is at least 1).
 */
import type { LawKind } from '../laws/types';

/** Which calibration applies: curve laws (one run over steps), laws across runs, hyperparameter laws. */
export type IntervalKind = 'curve' | 'crossRun' | 'hparam';

/**
 * Factor applied to the half-widths of the bootstrap interval (≥ 1), per kind of law. Measured by
 * `npm run validate` on 2026-11-23 (validation/report.md, "Interval coverage and calibration"):
 * per kind, the 80th percentile of the multiplier each held-out case needs (log-space widening,
 * each group of cases weighing the same; an interval that misses its own point value is first
 * stretched to it, as `widenInterval` does), rounded up to two digits; a leave-one-group-out check
 * (multiplier from the other groups, coverage on the held-out one) gave 68–85% for curves,
 * 63–100% for cross-run laws and 75–100% for hparam laws.
 * - curve: 30. Raw coverage 6% of 123 cases (Multi-Power-Law data: the first 30% of each of 27
 *   curves → its final loss with power / multipower / annealing; constant + cosine 24k → 7 other
 *   schedules per size, the multipower family with its published-shape priors). Residual
 *   bootstraps see noise (~0.05%), not the 1–3% extrapolation error.
 * - crossRun: 2.2. Raw coverage 43% of 132 cases (Gadre et al. < 1B → 1.4B, 6.9B with the
 *   overtrain and chinchilla laws; Porian et al. IsoFLOP N* and L* above 1.6e18 FLOPs).
 * - hparam: 2.0. Raw coverage 37% of 30 cases (Step Law grids, lr* and batch* refitted with
 *   fitHparamSweeps leaving each (N, D) setting out, against that setting's fitSweepSurface optimum).
 */
export const INTERVAL_CALIBRATION: Readonly<Record<IntervalKind, number>> = {
  curve: 30,
  crossRun: 2.2,
  hparam: 2.0,
};

/** The calibration kind of a law: link laws (loss → error) are fitted across runs. */
export function intervalKindOf(kind: LawKind): IntervalKind {
  return kind === 'curve' ? 'curve' : kind === 'hparam' ? 'hparam' : 'crossRun';
}

export function intervalMultiplier(kind: IntervalKind): number {
  const m = INTERVAL_CALIBRATION[kind] ?? 1;
  return Number.isFinite(m) && m >= 1 ? m : 1;
}

/**
 * `interval` (stretched to contain `value`) widened about `value` by `multiplier` on each side.
 * Non-finite input is returned as is. `positive` keeps a widened lower end above 0 by widening in log space instead (for losses,
 * learning rates, sizes: quantities that cannot be ≤ 0).
 */
export function widenInterval(value: number, interval: readonly [number, number], multiplier: number, positive = false): [number, number] {
  // A bootstrap percentile interval can miss the point value when the resamples' distribution is
  // shifted (a skewed or bounded parameter); the reported interval always contains the value, so
  // it is first stretched to reach it (otherwise widening about the value would turn it inside out).
  const lo = Number.isFinite(value) ? Math.min(interval[0], value) : interval[0];
  const hi = Number.isFinite(value) ? Math.max(interval[1], value) : interval[1];
  if (!Number.isFinite(value) || !Number.isFinite(lo) || !Number.isFinite(hi) || multiplier === 1) return [lo, hi];
  if (positive && value > 0 && lo > 0 && hi > 0) {
    const lv = Math.log(value);
    return [Math.exp(lv - multiplier * (lv - Math.log(lo))), Math.exp(lv + multiplier * (Math.log(hi) - lv))];
  }
  return [value - multiplier * (value - lo), value + multiplier * (hi - value)];
}

/** A prediction interval of a law of this kind, calibrated. */
export function calibrateInterval(kind: IntervalKind, value: number, interval: readonly [number, number], positive = true): [number, number] {
  return widenInterval(value, interval, intervalMultiplier(kind), positive);
}

/**
 * Extrapolation ratio (target step ÷ last fitted step) at which the curve multiplier was measured:
 * the curve backtests predict a run's end from its first 30% (≈ 3.3×), or a 3× longer run.
 */
export const CURVE_CALIBRATION_RATIO = 1 / 0.3;

/**
 * Multiplier of a curve interval at `extrapolationRatio` = step ÷ last fitted step. Misspecification
 * error grows with how far a curve is carried past its data, and is nil where the law is read
 * inside its data, so the measured multiplier is applied at the backtests' distance and scaled in
 * ln(ratio) from 1 (raw bootstrap) at the last fitted step: 1 + (m − 1)·ln ρ / ln ρ_ref. Without
 * this, a band fitted to carry a curve 3× past its data would also be drawn 28× too wide over the
 * logged points themselves.
 */
export function curveIntervalMultiplier(extrapolationRatio: number): number {
  const m = intervalMultiplier('curve');
  const r = Number.isFinite(extrapolationRatio) ? Math.max(1, extrapolationRatio) : 1;
  return 1 + ((m - 1) * Math.log(r)) / Math.log(CURVE_CALIBRATION_RATIO);
}
