// Early forecasts from siblings: a live run is forecast with the schedule response its family's
// finished runs share. Each finished sibling's curve is fitted with the Multi-Power Law (Luo et al.
// 2025); the parameters that describe how the loss responds to the schedule (α of the forward
// area, the drop term's ln B, ln C, β, γ) are pooled across siblings into priors (mean, spread);
// the live run's prefix then only has to pin its own level (L0, A) and can be carried to the end
// of its planned schedule from as early as 10% of its steps. Its interval is the calibrated
// `SIBLING_FORECAST_FLOOR`, measured by leave-one-size-out on the shared Multi-Power-Law curves
// (`npm run validate`), not the bootstrap of a prefix that cannot see the schedule's decay.
import { createMultipowerLaw } from '../laws/multipower';
import { warmupEnd } from '../laws/schedule';
import { fitLaw, type Prior } from './fitLaw';
import { multipowerShapePriors } from './priors';
import type { Prediction } from './types';
import { appendAll } from '../../shared/arrays';

export interface SiblingCurve {
  runId: string;
  steps: ArrayLike<number>;
  losses: ArrayLike<number>;
  /** Per-step LR (schedule.ts layout) to the run's last step at least. */
  lr: Float64Array;
}

/** Fit-space parameters of the multi-power law pooled across siblings: the schedule response. */
export const SCHEDULE_RESPONSE_PARAMETERS = ['alpha', 'b', 'c', 'beta', 'gamma'] as const;
/** Smallest prior spread (fit space) of a pooled parameter: siblings that agree exactly still leave room. */
const MIN_SPREAD: Record<string, number> = { alpha: 0.03, b: 0.15, c: 0.15, beta: 0.03, gamma: 0.03 };

/**
 * Log half-width of the 80% interval of a forecast from siblings of other sizes (interval =
 * value·e^±floor): the 80th percentile of |ln(predicted/true)| over the Multi-Power-Law curves'
 * 10–30% prefixes (`npm run validate`, "early forecasts", 2026-12-06: ±1.77%; calibrated from two
 * sizes it covers 81–83% of the third).
 */
export const SIBLING_FORECAST_FLOOR = 0.018;

export interface ScheduleResponse {
  /** Priors (fit space) for the live run's fit. */
  priors: Record<string, Prior>;
  /** Siblings whose fits were pooled. */
  runIds: string[];
}

export interface SiblingOptions {
  deadline?: number;
  isCancelled?: () => boolean;
}

/** Points per curve a fit sees (as the curve fits' MAX_SCHEDULE_CURVE_POINTS): the price of a fit is its points. */
const MAX_POINTS = 100;

/** Up to MAX_POINTS evenly spaced (by index) points after the warmup, finite and positive. */
function prepared(steps: ArrayLike<number>, losses: ArrayLike<number>, fromStep: number, untilStep = Number.POSITIVE_INFINITY): { x: number[][]; y: number[] } {
  const idx: number[] = [];
  for (let i = 0; i < Math.min(steps.length, losses.length); i++) {
    const s = steps[i];
    if (s > fromStep && s <= untilStep && Number.isFinite(losses[i]) && losses[i] > 0) idx.push(i);
  }
  const stride = Math.max(1, Math.ceil(idx.length / MAX_POINTS));
  const x: number[][] = [];
  const y: number[] = [];
  for (let k = 0; k < idx.length; k += stride) {
    x.push([steps[idx[k]], 0]);
    y.push(losses[idx[k]]);
  }
  return { x, y };
}

/** The family's schedule response from its finished siblings, or why there is none (fewer than 2 fitted). */
export function fitScheduleResponse(siblings: readonly SiblingCurve[], opts: SiblingOptions = {}): ScheduleResponse | { error: string } {
  const values = new Map<string, number[]>();
  const runIds: string[] = [];
  for (const s of siblings) {
    if (opts.isCancelled?.()) return { error: 'cancelled' };
    const law = createMultipowerLaw([s.lr]);
    const data = prepared(s.steps, s.losses, warmupEnd(s.lr), s.lr.length - 1);
    if (data.y.length < 20) continue;
    const fit = fitLaw(law, data, { priors: multipowerShapePriors(law), deadline: opts.deadline, isCancelled: opts.isCancelled });
    if ('error' in fit || fit.timedOut) continue;
    runIds.push(s.runId);
    law.parameters.forEach((p, j) => {
      if (!(SCHEDULE_RESPONSE_PARAMETERS as readonly string[]).includes(p.name)) return;
      const list = values.get(p.name) ?? [];
      list.push(fit.params[j]);
      values.set(p.name, list);
    });
  }
  if (runIds.length < 2) return { error: `schedule response needs at least 2 finished siblings with a logged LR; ${runIds.length} could be fitted` };
  const priors: Record<string, Prior> = {};
  for (const [name, list] of values) {
    const mean = list.reduce((a, b) => a + b, 0) / list.length;
    const sd = Math.sqrt(list.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, list.length - 1));
    priors[name] = { mean, sd: Math.max(MIN_SPREAD[name] ?? 0.05, sd) };
  }
  return { priors, runIds };
}

/**
 * The live run's loss at `targetStep` from its prefix and the finished siblings of its own size
 * (same N, other schedules): one multi-power law over all their curves, every parameter shared
 * (a model's level and schedule response do not depend on the schedule it is trained with), which
 * is the schedule transfer the validation calibrates as `curveTransfer`; the prefix adds the run's
 * own noise level. `{ error }` when no sibling curve can be used.
 */
export function forecastWithSameSize(
  steps: ArrayLike<number>,
  losses: ArrayLike<number>,
  lr: Float64Array,
  targetStep: number,
  sameSize: readonly SiblingCurve[],
  opts: SiblingOptions = {},
): SiblingForecast | { error: string } {
  if (!(targetStep > 0) || lr.length - 1 < targetStep) return { error: `the schedule stops at step ${lr.length - 1}, before the target ${targetStep}` };
  const usable = sameSize.filter((s) => s.lr.length >= 2);
  if (usable.length === 0) return { error: 'no finished sibling of the same size with a logged LR' };
  const law = createMultipowerLaw([lr, ...usable.map((s) => s.lr)]);
  const x: number[][] = [];
  const y: number[] = [];
  const own = prepared(steps, losses, warmupEnd(lr));
  for (const xi of own.x) x.push([xi[0], 0]);
  appendAll(y, own.y);
  usable.forEach((s, k) => {
    const d = prepared(s.steps, s.losses, warmupEnd(s.lr), s.lr.length - 1);
    for (const xi of d.x) x.push([xi[0], k + 1]);
    appendAll(y, d.y);
  });
  const fit = fitLaw(law, { x, y }, { priors: multipowerShapePriors(law), deadline: opts.deadline, isCancelled: opts.isCancelled });
  if ('error' in fit) return fit;
  if (fit.timedOut) return { error: 'the forecast from siblings ran out of time' };
  const value = law.evaluate(fit.params, [targetStep, 0]);
  if (!(value > 0) || !Number.isFinite(value)) return { error: 'the forecast from siblings is not a loss' };
  const interval: [number, number] = [value * Math.exp(-SAME_SIZE_FORECAST_FLOOR), value * Math.exp(SAME_SIZE_FORECAST_FLOOR)];
  return {
    prediction: { value, interval, lawId: 'multipower' },
    provenance: 'from siblings',
    siblings: usable.map((s) => s.runId),
    fitParams: fit.params,
    schedules: law,
  };
}

/** Log half-width of the 80% interval of a same-size forecast (as SIBLING_FORECAST_FLOOR: ±0.42% measured, 81% leave-one-size-out coverage). */
export const SAME_SIZE_FORECAST_FLOOR = 0.0043;

export interface SiblingForecast {
  /** The law the fit was made with (schedule 0 is the live run's), to evaluate it at other steps. */
  schedules?: ReturnType<typeof createMultipowerLaw>;
  prediction: Prediction;
  /** Where the forecast comes from, for the lens, hover, status bar and dashboard. */
  provenance: 'from siblings';
  siblings: string[];
  /** Multi-power parameters (fit space) of the live run's fit. */
  fitParams: number[];
}

/**
 * The live run's loss at `targetStep` from its prefix (`steps`, `losses`) and its planned schedule
 * `lr` (to `targetStep` at least), with the siblings' schedule response as priors.
 */
export function forecastFromSiblings(
  steps: ArrayLike<number>,
  losses: ArrayLike<number>,
  lr: Float64Array,
  targetStep: number,
  response: ScheduleResponse,
  opts: SiblingOptions = {},
): SiblingForecast | { error: string } {
  if (!(targetStep > 0) || lr.length - 1 < targetStep) return { error: `the schedule stops at step ${lr.length - 1}, before the target ${targetStep}` };
  const law = createMultipowerLaw([lr]);
  const data = prepared(steps, losses, warmupEnd(lr));
  if (data.y.length < 8) return { error: `only ${data.y.length} logged points after the warmup: too few to place the run's level` };
  const fit = fitLaw(law, data, { priors: response.priors, deadline: opts.deadline, isCancelled: opts.isCancelled });
  if ('error' in fit) return fit;
  if (fit.timedOut) return { error: 'the forecast from siblings ran out of time' };
  const value = law.evaluate(fit.params, [targetStep, 0]);
  if (!(value > 0) || !Number.isFinite(value)) return { error: 'the forecast from siblings is not a loss' };
  const interval: [number, number] = [value * Math.exp(-SIBLING_FORECAST_FLOOR), value * Math.exp(SIBLING_FORECAST_FLOOR)];
  return { prediction: { value, interval, lawId: 'multipower' }, provenance: 'from siblings', siblings: response.runIds, fitParams: fit.params };
}
