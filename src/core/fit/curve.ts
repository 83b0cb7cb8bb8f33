/**
 * Fit of one run's loss curve with the `power` law, L(t) = E + A·t^(−alpha), t = step.
 *
 * Input conventions:
 * - Points with a non-finite or non-positive loss are ignored; so are steps ≤ 0 (t^(−alpha) is
 *   infinite at t = 0, and shifting to step+1 would change what A means), i.e. step 0 is DROPPED.
 * - The first `dropFirstFraction` (default 10%) of the logged STEP RANGE is dropped as warm-up:
 *   LR warm-up and early transients do not follow the power law.
 * - Long curves are thinned to ≤ 200 points by averaging consecutive chunks (mean step,
 *   geometric-mean loss), which keeps uniform-in-step weighting and bounds the cost.
 */
import { powerLaw } from '../laws/power';
import { getLaw } from '../laws/registry';
import {
  DEFAULT_INTERVAL_LEVEL,
  movingBlockResample,
  naturalEstimates,
  percentileInterval,
  runBootstrap,
} from './bootstrap';
import { smoothedFinalLoss } from './crossRun';
import { fitLaw, logResidualRmse } from './fitLaw';
import type { FitResult, Prediction } from './types';

export interface CurveFitOptions {
  /** Step to extrapolate to (e.g. the planned last step); must be > 0. */
  targetStep: number;
  /** `performance.now()` ms after which the fit stops early with `timedOut`. */
  deadline?: number;
  /** Polled like the deadline; true stops early. */
  isCancelled?: () => boolean;
  /** Bootstrap PRNG seed (default 1): same inputs + seed → identical result. */
  seed?: number;
  /** Bootstrap resamples (default 100; 0 disables intervals). */
  resamples?: number;
  /** Fraction of the logged step range dropped as warm-up (default 0.1). */
  dropFirstFraction?: number;
}

export interface CurveFit extends FitResult {
  targetStep: number;
  predictedFinal: Prediction;
  /** fit on the first 50% of points, error of its prediction at the last logged step, in percent */
  validation?: { method: 'prefix-50'; errorPct: number };
}

export const MAX_CURVE_POINTS = 200;
const DEFAULT_CURVE_RESAMPLES = 100;
const DEFAULT_DROP_FIRST_FRACTION = 0.1;

function thin(steps: number[], losses: number[], maxPoints: number): { steps: number[]; losses: number[] } {
  if (steps.length <= maxPoints) return { steps, losses };
  const chunk = Math.ceil(steps.length / maxPoints);
  const outS: number[] = [];
  const outL: number[] = [];
  for (let i = 0; i < steps.length; i += chunk) {
    const end = Math.min(steps.length, i + chunk);
    let s = 0;
    let l = 0;
    for (let k = i; k < end; k++) {
      s += steps[k];
      l += Math.log(losses[k]);
    }
    outS.push(s / (end - i));
    outL.push(Math.exp(l / (end - i)));
  }
  return { steps: outS, losses: outL };
}

function fitPower(steps: readonly number[], losses: readonly number[], opts: CurveFitOptions, starts?: number[][]) {
  return fitLaw(
    powerLaw,
    { x: steps.map((s) => [s]), y: losses },
    { deadline: opts.deadline, isCancelled: opts.isCancelled, starts },
  );
}

export function fitCurve(steps: readonly number[], losses: readonly number[], opts: CurveFitOptions): CurveFit | { error: string } {
  const target = opts.targetStep;
  if (!(target > 0) || !Number.isFinite(target)) return { error: `target step must be a finite number > 0 (got ${target})` };

  const pts: { s: number; v: number }[] = [];
  for (let i = 0; i < Math.min(steps.length, losses.length); i++) {
    const s = steps[i];
    const v = losses[i];
    if (s > 0 && Number.isFinite(s) && v > 0 && Number.isFinite(v)) pts.push({ s, v });
  }
  if (pts.length === 0) return { error: 'no usable loss points: need finite losses > 0 at steps > 0' };
  pts.sort((a, b) => a.s - b.s);

  const frac = Math.min(0.9, Math.max(0, opts.dropFirstFraction ?? DEFAULT_DROP_FIRST_FRACTION));
  const first = pts[0].s;
  const cutoff = first + frac * (pts[pts.length - 1].s - first);
  const kept = frac > 0 ? pts.filter((p) => p.s >= cutoff) : pts;
  const nParams = powerLaw.parameters.length;
  if (kept.length < nParams) {
    return {
      error:
        `need at least ${nParams} loss points after dropping the first ${Math.round(frac * 100)}% of steps ` +
        `as warm-up; have ${kept.length} (of ${pts.length} usable)`,
    };
  }
  const usedSteps = kept.map((p) => p.s);
  const usedLosses = kept.map((p) => p.v);
  const thinned = thin(usedSteps, usedLosses, MAX_CURVE_POINTS);

  const main = fitPower(thinned.steps, thinned.losses, opts);
  if ('error' in main) return main;
  let timedOut = main.timedOut;
  const best = main.params;

  // Validation: does a fit on the first half predict where the curve actually got to?
  let validation: CurveFit['validation'];
  const half = Math.floor(thinned.steps.length / 2);
  if (!timedOut && half >= 2 * nParams) {
    const pre = fitPower(thinned.steps.slice(0, half), thinned.losses.slice(0, half), opts);
    if ('error' in pre) {
      // a failed validation fit is not a failed fit; leave validation out
    } else if (pre.timedOut) {
      timedOut = true;
    } else {
      const observed = smoothedFinalLoss(usedSteps, usedLosses);
      const predicted = powerLaw.evaluate(pre.params, [usedSteps[usedSteps.length - 1]]);
      validation = { method: 'prefix-50', errorPct: (100 * Math.abs(predicted - observed)) / observed };
    }
  }

  // Moving-block bootstrap of log residuals around the best fit, warm-started from it.
  const want = Math.max(0, Math.floor(opts.resamples ?? DEFAULT_CURVE_RESAMPLES));
  const fitted = thinned.steps.map((s) => powerLaw.evaluate(best, [s]));
  const residuals = thinned.losses.map((v, i) => Math.log(v) - Math.log(fitted[i]));
  // Curve residuals are serially correlated (smoothing, data order), so blocks are long: √n.
  const blockLength = Math.sqrt(residuals.length);
  const boot = timedOut
    ? { samples: [] as number[][], done: 0, failed: 0, timedOut: false }
    : runBootstrap(
        want,
        opts.seed ?? 1,
        opts,
        (rng) => movingBlockResample(residuals, blockLength, rng).map((r, i) => fitted[i] * Math.exp(r)),
        (y) => fitPower(thinned.steps, y, opts, [best]),
      );
  timedOut ||= boot.timedOut;
  const { samples, done, failed } = boot;

  const level = DEFAULT_INTERVAL_LEVEL;
  const finalValue = powerLaw.evaluate(best, [target]);
  const predictedFinal: Prediction = {
    value: finalValue,
    interval: percentileInterval(
      samples.map((s) => powerLaw.evaluate(s, [target])),
      level,
      finalValue,
    ),
    lawId: powerLaw.id,
  };

  const result: CurveFit = {
    lawId: powerLaw.id,
    parameters: naturalEstimates(powerLaw, best, samples, level),
    pointsUsed: kept.length,
    // On the raw points (not the thinned chunks, whose averaging hides noise).
    residualRmse: logResidualRmse(powerLaw, best, { x: usedSteps.map((st) => [st]), y: usedLosses }),
    converged: main.converged,
    timedOut,
    bootstrap: { resamples: done, failed },
    intervalLevel: level,
    fitParams: best,
    samples,
    targetStep: target,
    predictedFinal,
  };
  if (validation) result.validation = validation;
  return result;
}

/** The fitted curve and its band at `count` log-spaced steps in [fromStep, toStep] (steps < 1 raised to 1). */
export function sampleCurve(
  fit: CurveFit,
  fromStep: number,
  toStep: number,
  count: number,
): { steps: number[]; values: number[]; lower: number[]; upper: number[] } {
  const out = { steps: [] as number[], values: [] as number[], lower: [] as number[], upper: [] as number[] };
  const law = getLaw(fit.lawId) ?? powerLaw;
  const lo = Math.max(1, fromStep);
  const hi = Math.max(lo, toStep);
  const n = Math.floor(count);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(n >= 1)) return out;
  const logLo = Math.log(lo);
  const logHi = Math.log(hi);
  for (let i = 0; i < n; i++) {
    const step = n === 1 ? hi : Math.exp(logLo + ((logHi - logLo) * i) / (n - 1));
    const value = law.evaluate(fit.fitParams, [step]);
    const [l, u] = percentileInterval(
      fit.samples.map((s) => law.evaluate(s, [step])),
      fit.intervalLevel,
      value,
    );
    out.steps.push(step);
    out.values.push(value);
    out.lower.push(l);
    out.upper.push(u);
  }
  return out;
}
