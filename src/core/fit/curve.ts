/**
 * Fit of one run's loss curve with a curve law: `power` (L = E + A·t^(−alpha), t = step, for logs
 * without a learning rate), `bnsl` (one break), or the schedule-aware `multipower` (Luo et al.
 * 2025) and `annealing` (Tissue et al. 2024), which need the run's LR at every step.
 *
 * Input conventions:
 * - Points with a non-finite or non-positive loss are ignored; so are steps ≤ 0 (t^(−alpha) is
 *   infinite at t = 0, and shifting to step+1 would change what A means), i.e. step 0 is DROPPED.
 * - The first `dropFirstFraction` (default 10%) of the logged STEP RANGE is dropped as warm-up:
 *   LR warm-up and early transients do not follow the laws.
 * - Long curves are thinned to ≤ 200 points (≤ 70 for the schedule-aware laws, ≤ 100 for their
 *   fit-on-prefix checks) by averaging consecutive chunks (mean step, geometric-mean loss), which
 *   keeps uniform-in-step weighting and bounds the cost.
 * - A schedule `lr` follows schedule.ts: lr[s] is the LR at step s for 1 ≤ s ≤ T, and must reach
 *   the target step (the schedule is known to its end even when the log is not).
 *
 * Intervals: moving-block bootstrap of the log residuals (blocks of √n points keep the serial
 * correlation), refits warm-started from the best fit, widened by the curve calibration
 * (calibration.ts). Validation: fits on the first 20/30/50% of the logged steps predict the last
 * logged point. A power-law fit is checked against a one-break BNSL fit: when the broken law
 * follows the curve clearly better, the prediction is flagged and its interval widened to cover
 * the broken law's value too.
 */
import { bnslLaw } from '../laws/bnsl';
import { FIT_EXTRAPOLATION_FACTOR } from '../laws/domain';
import { blockLengthFor, DEFAULT_INTERVAL_LEVEL, movingBlockResample, naturalEstimates, percentileInterval, runBootstrap } from './bootstrap';
import { linearizeInLog, refitLinearized } from './linearRefit';
import { calibrateCurveInterval, curveErrorFloor } from './calibration';
import { CURVE_LAW_IDS, curveLawPriors, curveModel, isScheduleLaw, type CurveLawId, type CurveModel } from './curveLaws';

export { CURVE_LAW_IDS, curveLawPriors, curveModel, isScheduleLaw, type CurveLawId };
import { smoothedFinalLoss } from './crossRun';
import { prefixProblem } from './prefixSanity';
import { fitLaw, logResidualRmse, type LawFitRaw } from './fitLaw';
import { CurveMemo, type CurveMemoKey } from './curveMemo';
import type { FitResult, Prediction } from './types';
import { compileLaw, type CompiledLaw, type LawDefinition } from '../laws/types';

export interface CurveFitOptions {
  /** Step to extrapolate to (e.g. the planned last step); must be > 0. */
  targetStep: number;
  /** `performance.now()` ms after which the fit stops early with `timedOut`. */
  deadline?: number;
  /** Polled like the deadline; true stops early. */
  isCancelled?: () => boolean;
  /** Bootstrap PRNG seed (default 1): same inputs + seed → identical result. */
  seed?: number;
  /** Most bootstrap resamples (default 100; fewer once the target's interval settles; 0 disables intervals). */
  resamples?: number;
  /** Stop the bootstrap once the target's interval settles (default true); false runs every resample. */
  settle?: boolean;
  /** Fraction of the logged step range dropped as warm-up (default 0.1). */
  dropFirstFraction?: number;
  /** Curve law (default `power`). `multipower` and `annealing` need `lr`. */
  law?: CurveLawId;
  /** Per-step learning rate (schedule.ts layout) reaching at least `targetStep`. */
  lr?: Float64Array;
  /** Prefix fractions of the validation (default 0.2, 0.3, 0.5); [] skips validation. */
  validationPrefixes?: readonly number[];
  /** Compare a power-law fit with a one-break BNSL fit (default true with ≥ 30 points). */
  checkBreak?: boolean;
}

/** One fit-on-prefix check: fitted on steps up to `fraction` of the logged range, predicting the last logged point. */
export interface PrefixCheck {
  fraction: number;
  predicted: number;
  errorPct: number;
  /** Why this check failed its sanity checks (prefixSanity.ts): a failed validation, not a prediction. */
  failed?: string;
}

export interface CurveFit extends FitResult {
  targetStep: number;
  predictedFinal: Prediction;
  /**
   * Fit on the first 50% of points, error of its prediction at the last logged step, in percent;
   * `predicted`/`observed` are that prediction and the smoothed loss it is compared with, at `atStep`.
   * `prefixes` holds every fit-on-prefix check (20/30/50% by default) that could be fitted.
   */
  validation?: {
    method: 'prefix-50';
    errorPct: number;
    predicted: number;
    observed: number;
    atStep: number;
    prefixes: PrefixCheck[];
    /** Prefix of the headline check: 0.5 unless that fit failed its sanity checks. */ fraction?: number;
  };
  /** First step the fit used (after dropping the warm-up fraction): the fitted curve starts here. */
  firstStep: number;
  /** Last logged step the fit used. */
  lastFittedStep: number;
  /** Error floor of the interval at the target (log half-width, calibration.ts): the interval is at least value·e^±floor. */
  intervalFloor: number;
  /** Set when a one-break BNSL follows the curve clearly better than the power law. */
  breakDetected?: { bnslRmse: number; powerRmse: number; bnslPredictedFinal: number };
}

export const MAX_CURVE_POINTS = 200;
const DEFAULT_CURVE_RESAMPLES = 100;
const DEFAULT_DROP_FIRST_FRACTION = 0.1;
const DEFAULT_PREFIXES = [0.2, 0.3, 0.5];
/** BNSL must cut the power law's log-residual RMSE by this factor to count as a break. */
const BREAK_RMSE_RATIO = 0.7;
const BREAK_MIN_POINTS = 30;

/** Long curves averaged into ≤ maxPoints consecutive chunks (mean step, geometric-mean loss). Exported for the benchmark's SciPy twin. */
export function thin(steps: number[], losses: number[], maxPoints: number): { steps: number[]; losses: number[] } {
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

/**
 * Bootstrap refits start at the best fit and only need to move by the resampling noise: fewer
 * IRLS rounds suffice (the Huber IRLS with δ = 1e−3 converges linearly, and most of its rounds
 * polish digits far below the interval's width).
 */
const BOOTSTRAP_IRLS_ITERATIONS = 12;
/** IRLS rounds on the law itself after a resample's linearised refit (see the bootstrap below). */
const BOOTSTRAP_POLISH_ROUNDS = 1;
/**
 * The polish of a schedule-aware law's resample, whose every trial point costs a pass over the
 * schedule blocks: 2 Levenberg–Marquardt steps instead of 3 and no over-relaxed step after its
 * single round (about 4 passes per resample instead of 6). Law terms per fresh fit on
 * bench/fitCpu.ts's jobs 1.119M → 1.008M (0.90×); CPU 0.93–0.95× (per-job ratio, median of 4
 * paired runs against 4da7a27 in one process, load 10–20). `npm run validate` (2026-12-07) line by line against 4da7a27: every point
 * prediction, error, coverage, derived floor and leave-one-size-out row unchanged; 19 raw
 * intervals of the schedule-aware first-30% fits moved at their third digit, none across its truth.
 * Cheaper polishes moved more: one LM step (with or without the over-relaxed step), or holding the
 * drop shape (C, β, γ) at the linearised refit (fit6), widened 25M cosine_24000's raw interval
 * enough to cover its 4.5% miss ([3.113, 3.220] → [3.099, 3.348] / [3.088, 3.431], truth 3.305).
 * The floor derived from 25M and 100M then needs ±3.4% instead of ±3.8%, and 3 more of 400M's 27
 * cases fall outside it: the leave-one-size-out check of the curve floor, 400M held out, 78% → 67%.
 * Two LM steps in each IRLS round of the main fit and prefix checks (0.81× the terms) moved point
 * forecasts: the first-30% median error 0.76% → 0.94%, early forecasts at 25% 85% → 81% covered.
 */
const SCHEDULE_POLISH = { maxLmIterations: 2, overRelax: false };
/**
 * Schedule-aware laws sum over the schedule at every point, so their points set a fit's price: 70
 * instead of 100 is 0.80× the CPU on bench/fitCpu.ts's jobs (199 → 159 ms, the two trees taking
 * turns, load 12.7). validate --only multipowerlaw-schedules (2026-12-07; only its 72k curves' 30%
 * prefixes hold more than 70 points): every summary figure and coverage unchanged (first 30% → end:
 * mean 1.79%, median 0.76%, 11% raw, 81% calibrated; leave-one-size-out as before); of the six
 * thinned curves five moved by ≤ 0.06%, 400M cosine_72000 by 1.4% (error 0.70% → 0.75%). The
 * example's live llama-279m alone: 3.635 → 3.581, truth 3.548.
 */
const MAX_SCHEDULE_CURVE_POINTS = 70;
/**
 * The fit-on-prefix checks of a schedule-aware fit keep 100 points: at 70 the 30% prefix of a
 * 150-point log falls under the 2 × 7 points a check needs, and the checks would not change anyway.
 */
const SCHEDULE_PREFIX_CHECK_POINTS = 100;
/**
 * IRLS refines only the best least-squares solution of a schedule-aware curve fit (fitLaw's
 * default: the best two distinct ones). The second one's IRLS costs as much as the first's and
 * rarely ends lower, then by a hair: on bench/fitCpu.ts's jobs in 8 of their ~32 main and prefix
 * fits, by 10⁻¹⁴–7·10⁻³ of the objective; llama-12m's prediction moved by 0.001%. 0.73× the
 * multipower law's point × block terms on those jobs (17.0M → 12.5M). validate --only
 * multipowerlaw-schedules (2026-12-07): every summary row, coverage and leave-one-size-out figure
 * unchanged; one raw interval narrower (100M cosine_24000, upper end 3.097 → 3.043, inside the
 * floor); the joint-family section's "joint + asymptotes" column (not what the engine fits),
 * largest size live 30%: median 0.76% → 0.41%. validate --only one-number: identical. The cheap
 * power-law fits keep both: with one, a diverging Lightning run's in-sample interval changed
 * from [3.884, 4.451] to [3.868, 3.895] (formats/lightning-csv version_16).
 */
const SCHEDULE_CURVE_IRLS_STARTS = 1;
/**
 * The least squares of a schedule-aware curve fit run from each of the five best grid points for
 * 10 iterations, and only the two lowest go on to the usual 50, each exactly where it stopped
 * (fitLaw `screenLeastSquares`): 0.81× the multipower law's point × block terms on
 * bench/fitCpu.ts's jobs (1.67M → 1.35M per fit), the other three starts' last 40 iterations. On
 * those jobs every start hits the 50-iteration cap, and IRLS refines only the best
 * (SCHEDULE_CURVE_IRLS_STARTS), so a fit changes only where a start that was behind after 10
 * iterations would have won. The caps stay: run to convergence, 2 of validate's 27 first-30%
 * forecasts moved, no better (mean error 1.79 → 1.82%, median 0.76 → 0.94%, coverage 81%), at
 * 1.4–1.9× the CPU on the bench jobs (2026-12-07, a scratch study; the L0/A trade-off, not the
 * optimizer, is what leaves these fits ill-conditioned). CPU per
 * fresh fit 0.81–0.84× (those jobs, the two trees alternating in one process, load 12–17). `npm
 * run validate` (2026-12-07), line by line against main: every row unchanged but one raw interval
 * (100M cosine_24000 first 30%: upper end 3.043 → 3.098, point 2.979 unchanged) and the
 * joint-family section's "joint + asymptotes" column (not what the engine fits), largest size
 * live 30%: median/mean 0.41%/0.88% → 0.35%/0.82%. Keeping one start instead of two (1.24M
 * terms) moved that column to 0.71%/1.17% and a schedule-assumed cosine cell (+1.46% → +1.48%);
 * screening at 5 iterations (1.31M) moved a first-30% forecast (25M cosine_72000, 0.76% → 0.67%)
 * and that column to 0.98%/1.41%.
 */
const SCHEDULE_CURVE_LS_SCREEN = { iterations: 10, keep: 2 };
function fitModel(
  model: CurveModel,
  steps: readonly number[],
  losses: readonly number[],
  opts: CurveFitOptions,
  starts?: number[][],
  x = steps.map((s) => model.xOf(s)),
  irls = starts ? BOOTSTRAP_IRLS_ITERATIONS : undefined,
  refineStarts?: number,
  kernel?: CompiledLaw,
  /** A bootstrap resample's polish (SCHEDULE_POLISH for the schedule-aware laws). */
  polish = false,
) {
  const schedule = isScheduleLaw(model.law.id as CurveLawId);
  return fitLaw(
    model.law,
    { x, y: losses },
    {
      deadline: opts.deadline,
      isCancelled: opts.isCancelled,
      starts,
      priors: model.priors,
      maxIrlsIterations: irls,
      refineStarts,
      kernel,
      irlsStarts: schedule ? SCHEDULE_CURVE_IRLS_STARTS : undefined,
      // Nothing here reads a fit's own residual RMSE (the curve's is taken on the raw points below).
      skipResidualRmse: true,
      screenLeastSquares: schedule ? SCHEDULE_CURVE_LS_SCREEN : undefined,
      ...(polish && schedule ? SCHEDULE_POLISH : {}),
    },
  );
}

/** Resamples a curve's bootstrap draws at least, and between two looks at its interval. */
const BOOTSTRAP_SETTLE_EVERY = 10;
/** The interval at the target has settled when neither end moved more than this (relative) over the last look. */
const BOOTSTRAP_SETTLED = 1e-3;

/**
 * Adaptive resample count: every BOOTSTRAP_SETTLE_EVERY resamples (from 2× that), the raw 80%
 * interval of the prediction at the target is compared with the last look's; once neither end moves
 * by more than 0.1% of the value (a fortieth of the curve error floor at the calibration distance)
 * more resamples would not change the reported interval, and the bootstrap stops.
 */
function targetIntervalSettled(law: LawDefinition, xTarget: readonly number[]): (samples: readonly number[][], done: number) => boolean {
  let last: [number, number] | undefined;
  return (samples, done) => {
    if (done % BOOTSTRAP_SETTLE_EVERY !== 0 || done < 2 * BOOTSTRAP_SETTLE_EVERY) return false;
    const now = percentileInterval(
      samples.map((s) => law.evaluate(s, xTarget)),
      DEFAULT_INTERVAL_LEVEL,
      NaN,
    );
    const settled = last !== undefined && now.every((v, i) => Math.abs(v - last![i]) <= BOOTSTRAP_SETTLED * Math.abs(v));
    last = now;
    return settled;
  };
}

/** Main fits and prefix checks of the last curves fitted in this thread (curveMemo.ts: a point forecast's, for the same fit with its interval). */
const deterministicParts = new CurveMemo<{ main: LawFitRaw; prefixes: PrefixCheck[]; half: number }>(4);

/** Forgets those (benchmarks measuring fresh fits of the same inputs). */
export function clearCurveMemo(): void {
  deterministicParts.clear();
}

export function fitCurve(steps: ArrayLike<number>, losses: ArrayLike<number>, opts: CurveFitOptions): CurveFit | { error: string } {
  const target = opts.targetStep;
  if (!(target > 0) || !Number.isFinite(target)) return { error: `target step must be a finite number > 0 (got ${target})` };
  const lawId = opts.law ?? 'power';
  const model = curveModel(lawId, opts.lr);
  if ('error' in model) return model;
  if (opts.lr && isScheduleLaw(lawId) && opts.lr.length - 1 < Math.round(target)) {
    return { error: `the learning-rate schedule ends at step ${opts.lr.length - 1}, before the target step ${target}` };
  }
  const law = model.law;

  // Usable points in step order. Logs are almost always sorted already: then no sort (and no
  // object per point) is needed; otherwise a stable sort by step, as before.
  const validSteps: number[] = [];
  const validLosses: number[] = [];
  let sorted = true;
  for (let i = 0; i < Math.min(steps.length, losses.length); i++) {
    const s = steps[i];
    const v = losses[i];
    if (s > 0 && Number.isFinite(s) && v > 0 && Number.isFinite(v)) {
      if (validSteps.length > 0 && s < validSteps[validSteps.length - 1]) sorted = false;
      validSteps.push(s);
      validLosses.push(v);
    }
  }
  const usable = validSteps.length;
  if (usable === 0) return { error: 'no usable loss points: need finite losses > 0 at steps > 0' };
  if (!sorted) {
    const order = validSteps.map((_, i) => i).sort((a, b) => validSteps[a] - validSteps[b] || a - b);
    const s0 = validSteps.slice();
    const v0 = validLosses.slice();
    order.forEach((k, i) => {
      validSteps[i] = s0[k];
      validLosses[i] = v0[k];
    });
  }

  const frac = Math.min(0.9, Math.max(0, opts.dropFirstFraction ?? DEFAULT_DROP_FIRST_FRACTION));
  const first = validSteps[0];
  const cutoff = first + frac * (validSteps[usable - 1] - first);
  // Steps ascend, so the points at or past the cutoff are a suffix.
  let from = 0;
  if (frac > 0) while (from < usable && !(validSteps[from] >= cutoff)) from++;
  const keptCount = usable - from;
  const nParams = law.parameters.length;
  if (keptCount < nParams) {
    return {
      error:
        `need at least ${nParams} loss points after dropping the first ${Math.round(frac * 100)}% of steps ` +
        `as warm-up; have ${keptCount} (of ${usable} usable)`,
    };
  }
  const usedSteps = from === 0 ? validSteps : validSteps.slice(from);
  const usedLosses = from === 0 ? validLosses : validLosses.slice(from);
  const priors = curveLawPriors(lawId, model, usedLosses, target, opts.lr);
  if (priors) model.priors = priors;
  const thinned = thin(usedSteps, usedLosses, isScheduleLaw(lawId) ? MAX_SCHEDULE_CURVE_POINTS : MAX_CURVE_POINTS);
  const checked = isScheduleLaw(lawId) ? thin(usedSteps, usedLosses, SCHEDULE_PREFIX_CHECK_POINTS) : thinned;

  const prefixFractions = opts.validationPrefixes ?? DEFAULT_PREFIXES;
  // `first` too: the prefix checks cut from the first usable step, which may precede the kept points.
  const memoKey: CurveMemoKey = {
    law: lawId,
    targetStep: target,
    firstStep: first,
    steps: usedSteps,
    losses: usedLosses,
    lr: opts.lr,
    prefixes: prefixFractions,
  };
  const memo = deterministicParts.get(memoKey);
  const main = memo ? { ...memo.main, params: memo.main.params.slice() } : fitModel(model, thinned.steps, thinned.losses, opts);
  if ('error' in main) return main;
  let timedOut = main.timedOut;
  const best = main.params;
  const lastStep = usedSteps[usedSteps.length - 1];

  // Validation: do fits on the first 20/30/50% of the logged steps predict where the curve got to?
  let validation: CurveFit['validation'];
  const observed = smoothedFinalLoss(usedSteps, usedLosses);
  const prefixes: PrefixCheck[] = memo ? memo.prefixes.map((c) => ({ ...c })) : [];
  let half: PrefixCheck | undefined = memo ? prefixes[memo.half] : undefined;
  for (const fraction of memo ? [] : prefixFractions) {
    if (timedOut || !(fraction > 0 && fraction < 1)) continue;
    const cut = first + fraction * (lastStep - first);
    const n = checked.steps.findIndex((s) => s > cut);
    const count = n < 0 ? checked.steps.length : n;
    if (count < 2 * nParams) continue;
    const pre = fitModel(model, checked.steps.slice(0, count), checked.losses.slice(0, count), opts);
    // A failed validation fit is not a failed fit; that prefix is left out.
    if ('error' in pre) continue;
    if (pre.timedOut) {
      timedOut = true;
      break;
    }
    const predicted = law.evaluate(pre.params, model.xOf(lastStep));
    const check: PrefixCheck = { fraction, predicted, errorPct: (100 * Math.abs(predicted - observed)) / observed };
    const failed = prefixProblem(predicted, smoothedFinalLoss(checked.steps.slice(0, count), checked.losses.slice(0, count)));
    if (failed) check.failed = failed;
    prefixes.push(check);
    if (fraction === 0.5 && !failed) half = check;
  }
  if (!memo && !timedOut) {
    deterministicParts.set(memoKey, {
      main: { ...main, params: main.params.slice() },
      prefixes: prefixes.map((c) => ({ ...c })),
      half: half ? prefixes.indexOf(half) : -1,
    });
  }
  half ??= [...prefixes].reverse().find((p) => !p.failed);
  if (half)
    validation = { method: 'prefix-50', errorPct: half.errorPct, predicted: half.predicted, observed, atStep: lastStep, prefixes, fraction: half.fraction };
  // Every check failed its sanity checks: the failures are still reported (with NaN as the headline).
  else if (prefixes.length) validation = { method: 'prefix-50', errorPct: NaN, predicted: NaN, observed, atStep: lastStep, prefixes };

  // Moving-block bootstrap of log residuals around the best fit, warm-started from it.
  const want = Math.max(0, Math.floor(opts.resamples ?? DEFAULT_CURVE_RESAMPLES));
  const fitted = thinned.steps.map((s) => law.evaluate(best, model.xOf(s)));
  const residuals = thinned.losses.map((v, i) => Math.log(v) - Math.log(fitted[i]));
  // Curve residuals can be serially correlated (smoothed logs, thinning, data order): the block
  // length follows their autocorrelation.
  const blockLength = blockLengthFor(residuals);
  // Each resample is refitted in two stages (a k-step bootstrap, Andrews 2002): on the law
  // linearised in log space at the best fit (linearRefit.ts: the same Huber loss, priors and bounds;
  // its IRLS rounds are linear least squares, solved exactly), then one IRLS round on the law itself
  // from there, which takes up the law's curvature. Against full refits (12 IRLS rounds each) on
  // `npm run validate` (2026-12-06): every point prediction and calibrated coverage unchanged, raw
  // coverage of the multipower curves 4% → 7%; at a tenth of the bootstrap's cost. The exact
  // linear solves (instead of a few LM steps per round) left every point prediction and calibrated
  // coverage as they were and raised that raw coverage to 11% (validate, 2026-12-06, multipower data).
  const xs = thinned.steps.map((s) => model.xOf(s));
  // One compiled law for every resample's refit (the same points): compiled once, not per resample.
  const kernel = compileLaw(law, xs);
  const linear = linearizeInLog(law, xs, best, model.priors, kernel);
  const boot = timedOut
    ? { samples: [] as number[][], done: 0, failed: 0, timedOut: false }
    : runBootstrap(
        want,
        opts.seed ?? 1,
        opts,
        (rng) => movingBlockResample(residuals, blockLength, rng).map((r, i) => fitted[i] * Math.exp(r)),
        (y) => {
          const near = refitLinearized(linear, y, BOOTSTRAP_IRLS_ITERATIONS);
          return 'error' in near ? near : fitModel(model, thinned.steps, y, opts, [near.params], xs, BOOTSTRAP_POLISH_ROUNDS, undefined, kernel, true);
        },
        opts.settle === false ? undefined : targetIntervalSettled(law, model.xOf(target)),
      );
  timedOut ||= boot.timedOut;
  const { samples, done, failed } = boot;

  const level = DEFAULT_INTERVAL_LEVEL;
  const finalValue = law.evaluate(best, model.xOf(target));
  // Calibrated for how far the target lies past the data (calibration.ts).
  let interval = calibrateCurveInterval(
    finalValue,
    percentileInterval(
      samples.map((s) => law.evaluate(s, model.xOf(target))),
      level,
      finalValue,
    ),
    target / lastStep,
    finalValue > 0,
  );
  const flags: string[] = [];
  if (target > FIT_EXTRAPOLATION_FACTOR * lastStep) {
    flags.push(`step ${target} is ${(target / lastStep).toFixed(0)}× the last fitted step (${lastStep}): extrapolation beyond one order of magnitude`);
  }

  // Does a single power law follow this curve? A clearly better broken law lowers the confidence.
  let breakDetected: CurveFit['breakDetected'];
  if (lawId === 'power' && !timedOut && (opts.checkBreak ?? true) && thinned.steps.length >= BREAK_MIN_POINTS) {
    const broken = fitLaw(bnslLaw, { x: thinned.steps.map((s) => [s]), y: thinned.losses }, { deadline: opts.deadline, isCancelled: opts.isCancelled });
    if (!('error' in broken) && !broken.timedOut) {
      const powerRmse = logResidualRmse(law, best, { x: thinned.steps.map((s) => [s]), y: thinned.losses });
      if (broken.residualRmse < BREAK_RMSE_RATIO * powerRmse) {
        const bnslPredictedFinal = bnslLaw.evaluate(broken.params, [target]);
        breakDetected = { bnslRmse: broken.residualRmse, powerRmse, bnslPredictedFinal };
        if (Number.isFinite(bnslPredictedFinal)) interval = [Math.min(interval[0], bnslPredictedFinal), Math.max(interval[1], bnslPredictedFinal)];
        flags.push(
          `a broken power law (BNSL) follows this curve better (log-RMSE ${broken.residualRmse.toExponential(1)} vs ${powerRmse.toExponential(1)}) and predicts ${bnslPredictedFinal.toFixed(4)}: the power law's extrapolation is less certain`,
        );
      }
    } else if (!('error' in broken) && broken.timedOut) timedOut = true;
  }

  const predictedFinal: Prediction = { value: finalValue, interval, lawId: law.id };
  if (flags.length) predictedFinal.flags = flags;

  const result: CurveFit = {
    lawId: law.id,
    // Raw bootstrap intervals: the backtests calibrate predictions of the loss, not parameters.
    parameters: naturalEstimates(law, best, samples, level, 1),
    pointsUsed: keptCount,
    firstStep: usedSteps[0],
    lastFittedStep: lastStep,
    // On the raw points (not the thinned chunks, whose averaging hides noise).
    residualRmse: logResidualRmse(law, best, { x: usedSteps.map((st) => model.xOf(st)), y: usedLosses }),
    converged: main.converged,
    timedOut,
    bootstrap: { resamples: done, failed },
    intervalLevel: level,
    intervalMultiplier: 1,
    intervalFloor: curveErrorFloor(target / lastStep),
    fitParams: best,
    samples,
    targetStep: target,
    predictedFinal,
  };
  if (validation) result.validation = validation;
  if (breakDetected) result.breakDetected = breakDetected;
  return result;
}

/**
 * The law's value at `step` with its calibrated bootstrap interval. Schedule-aware fits need the
 * schedule `lr` to evaluate (it may be another schedule than the one fitted: the parameters carry over).
 */
export function predictCurve(fit: CurveFit, step: number, lr?: Float64Array): Prediction {
  const model = curveModel(fit.lawId as CurveLawId, lr);
  if ('error' in model || !(step > 0)) return { value: NaN, interval: [NaN, NaN], lawId: fit.lawId };
  const x = model.xOf(step);
  const value = model.law.evaluate(fit.fitParams, x);
  const raw = percentileInterval(
    fit.samples.map((s) => model.law.evaluate(s, x)),
    fit.intervalLevel,
    value,
  );
  const pred: Prediction = { value, interval: calibrateCurveInterval(value, raw, step / fit.lastFittedStep, value > 0), lawId: fit.lawId };
  if (step > FIT_EXTRAPOLATION_FACTOR * fit.lastFittedStep) {
    pred.flags = [`step ${step} is ${(step / fit.lastFittedStep).toFixed(0)}× the last fitted step: extrapolation beyond one order of magnitude`];
  }
  return pred;
}

/** The fitted curve and its band at `count` log-spaced steps in [fromStep, toStep] (steps < 1 raised to 1). */
export function sampleCurve(
  fit: CurveFit,
  fromStep: number,
  toStep: number,
  count: number,
  lr?: Float64Array,
): { steps: number[]; values: number[]; lower: number[]; upper: number[] } {
  const out = { steps: [] as number[], values: [] as number[], lower: [] as number[], upper: [] as number[] };
  const model = curveModel(fit.lawId as CurveLawId, lr);
  const lo = Math.max(1, fromStep);
  const hi = Math.max(lo, toStep);
  const n = Math.floor(count);
  if ('error' in model || !Number.isFinite(lo) || !Number.isFinite(hi) || !(n >= 1)) return out;
  const logLo = Math.log(lo);
  const logHi = Math.log(hi);
  for (let i = 0; i < n; i++) out.steps.push(n === 1 ? hi : Math.exp(logLo + ((logHi - logLo) * i) / (n - 1)));
  const xs = out.steps.map((step) => model.xOf(step));
  // One parameter set across every step, then the next: a schedule-aware law caches its per-block
  // LR terms for the last parameter set seen, so going step by step across the samples redid them
  // at every evaluation (most of a snapshot's cost per run). Same evaluations, same values.
  const bySample = fit.samples.map((s) => xs.map((x) => model.law.evaluate(s, x)));
  for (let i = 0; i < n; i++) {
    const value = model.law.evaluate(fit.fitParams, xs[i]);
    const [l, u] = calibrateCurveInterval(
      value,
      percentileInterval(
        bySample.map((row) => row[i]),
        fit.intervalLevel,
        value,
      ),
      out.steps[i] / fit.lastFittedStep,
      value > 0,
    );
    out.values.push(value);
    out.lower.push(l);
    out.upper.push(u);
  }
  return out;
}
