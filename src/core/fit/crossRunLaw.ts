/**
 * Cross-run fit of ANY registered law to one value per run (final loss, or optimal lr, ...):
 * robust fit (fitLaw), leave-largest-out validation, and a bootstrap over runs stratified by
 * model size (the first variable), warm-started from the best fit. `fitCrossRun` (Chinchilla)
 * is this with the Chinchilla law and its priors.
 */
import { domainFlags, variableRanges, type VariableRanges } from '../laws/domain';
import { isValidInput, type LawDefinition } from '../laws/types';
import { referenceParams } from '../laws/reference';
import { DEFAULT_INTERVAL_LEVEL, naturalEstimates, percentileInterval, runBootstrap } from './bootstrap';
import { calibrateInterval, intervalKindOf, intervalMultiplier } from './calibration';
import { fitLaw, type ContrastPrior, type LawFitRaw, type Prior } from './fitLaw';
import { gaussian, randomInt } from './random';
import type { FitResult, Prediction } from './types';
import { appendAll, maxOf } from '../../shared/arrays';

// Defined apart (laws/reference.ts: the published laws' advice needs no fit code), still exported here for its users.
export { referenceParams };

export interface LawPoint {
  runId: string;
  /** Ordered as `law.variables`. */
  x: readonly number[];
  /** Observed value (> 0). */
  y: number;
  /** Weight of this point's term relative to its run's (default 1; fit/isoflopWeights.ts sets it for IsoFLOP layouts). */
  weight?: number;
  /** Weight of this point in the fit, when the caller weighs points by their uncertainty (default: 1 / the run's points). */
  w?: number;
  /** The value is a live run's forecast, not a measured end: such a run is never the held-out run of leave-largest-out. */
  forecast?: boolean;
}

export interface LawCrossRunOptions {
  deadline?: number;
  isCancelled?: () => boolean;
  seed?: number;
  /** Bootstrap resamples of runs (default 200; 0 disables intervals). */
  resamples?: number;
  /** Gaussian priors on fit-space parameters; each resample redraws their means. */
  priors?: Readonly<Record<string, Prior>>;
  /** Gaussian priors on linear combinations of fit-space parameters; redrawn per resample too. */
  contrastPriors?: readonly ContrastPrior[];
  /** Size used to pick the held-out run of leave-largest-out (default: product of the variables). */
  size?: (x: readonly number[]) => number;
  /** Stratify the bootstrap by the first variable (model size) when there are enough runs (default true). */
  stratify?: boolean;
}

export interface LawCrossRunFit extends FitResult {
  runIds: string[];
  priorsUsed: boolean;
  /**
   * The largest run whose value is measured (not a live run's forecast), refitted without: its observed loss, what the
   * others predicted for it (means over its points), the error.
   */
  validation?: { method: 'leave-largest-out'; errorPct: number; heldOutRunId: string; predicted: number; observed: number };
  /** Why there is no leave-largest-out check although the fit has enough runs (every run is a forecast). */
  validationSkipped?: string;
  /** Per-variable [min, max] of the fitted data, for extrapolation flags. */
  dataRanges: VariableRanges;
  /**
   * Set on a fit cut short (`timedOut`): the step its deadline or cancellation stopped. Past the main
   * fit and the leave-largest-out check (`bootstrap`), `fitParams` and `validation` are those of the
   * fit without resamples (withoutResamples).
   */
  cutShortIn?: 'main fit' | 'leave-largest-out' | 'bootstrap';
}

const DEFAULT_RESAMPLES = 200;
/** Fewest runs of a fit without priors; with priors one run can calibrate the level (E). */
export const MIN_RUNS = 2;
export const MIN_RUNS_WITH_PRIORS = 1;
/** Runs per stratum at least; fewer runs than 2 strata of this size → plain bootstrap. */
const STRATUM_MIN_RUNS = 4;
const MAX_STRATA = 4;

function isValid(law: LawDefinition, p: LawPoint): boolean {
  return (
    !!p &&
    typeof p.runId === 'string' &&
    Array.isArray(p.x) &&
    p.x.length >= law.variables.length &&
    law.variables.every((v, j) => isValidInput(v, p.x[j])) &&
    Number.isFinite(p.y) &&
    p.y > 0
  );
}

/** Run indices grouped into ≤ MAX_STRATA bins of ln(first variable), each ≥ STRATUM_MIN_RUNS runs. */
function strata(firstVar: number[]): number[][] {
  const order = firstVar.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v || a.i - b.i);
  const k = Math.min(MAX_STRATA, Math.floor(order.length / STRATUM_MIN_RUNS));
  if (k < 2) return [order.map((o) => o.i)];
  const out: number[][] = [];
  for (let s = 0; s < k; s++) {
    const lo = Math.floor((s * order.length) / k);
    const hi = Math.floor(((s + 1) * order.length) / k);
    out.push(order.slice(lo, hi).map((o) => o.i));
  }
  return out;
}

/**
 * A point's weight in a cross-run fit: the caller's `w`, else its run's share (1 / the run's points in
 * the data, `runPoints`), times its `weight`. The same in the main fit and in every resample.
 */
function pointWeight(p: Pick<LawPoint, 'w' | 'weight'>, runPoints: number): number {
  return (p.w ?? 1 / Math.max(1, runPoints)) * (p.weight !== undefined && p.weight >= 0 ? p.weight : 1);
}

export function fitCrossRunLaw(law: LawDefinition, points: readonly LawPoint[], opts: LawCrossRunOptions = {}): LawCrossRunFit | { error: string } {
  const valid = (Array.isArray(points) ? points : []).filter((p) => isValid(law, p));
  const byRun = new Map<string, LawPoint[]>();
  for (const p of valid) {
    const list = byRun.get(p.runId);
    if (list) list.push(p);
    else byRun.set(p.runId, [p]);
  }
  const runIds = [...byRun.keys()];
  const priors = opts.priors && Object.keys(opts.priors).length ? opts.priors : undefined;
  const contrasts = opts.contrastPriors?.length ? opts.contrastPriors : undefined;
  const minRuns = priors || contrasts ? MIN_RUNS_WITH_PRIORS : MIN_RUNS;
  if (runIds.length < minRuns) {
    return {
      error:
        `cross-run fit of ${law.id} needs at least ${minRuns} run(s) with ${law.variables.map((v) => v.symbol).join(', ')} > 0 and a finite ` +
        `value > 0; have ${runIds.length} (${valid.length} of ${Array.isArray(points) ? points.length : 0} points usable)`,
    };
  }
  const stop = { deadline: opts.deadline, isCancelled: opts.isCancelled };
  // Runs, not points, weigh equally: a run logged at many checkpoints must not outvote the others.
  // The share is taken over the run's points in the data, not in a resample: a run a resample
  // draws k times then counts k times (the run-level bootstrap), as with weights the caller gives (`w`).
  const fit = (
    pts: readonly LawPoint[],
    pr: Readonly<Record<string, Prior>> | undefined,
    starts?: number[][],
    cp: readonly ContrastPrior[] | undefined = contrasts,
  ): LawFitRaw | { error: string } =>
    fitLaw(
      law,
      {
        x: pts.map((p) => p.x),
        y: pts.map((p) => p.y),
        w: pts.map((p) => pointWeight(p, byRun.get(p.runId)?.length ?? 1)),
      },
      // A big sweep's runs share few (N, D), and a bootstrap repeats runs: one least-squares row per x.
      { priors: pr, contrastPriors: cp, starts, shareRows: true, ...stop },
    );

  const main = fit(valid, priors);
  if ('error' in main) return main;
  let timedOut = main.timedOut;
  let cutShortIn: LawCrossRunFit['cutShortIn'] = timedOut ? 'main fit' : undefined;
  const best = main.params;

  let validation: LawCrossRunFit['validation'];
  let validationSkipped: string | undefined;
  // Only a measured end can be held out: scoring the law against a live run's forecast checks it against another prediction.
  const measured = runIds.filter((id) => !(byRun.get(id) ?? []).some((p) => p.forecast));
  if (!timedOut && runIds.length >= 4 && measured.length === 0)
    validationSkipped = 'no leave-largest-out check: every run is still training (its end is a forecast, not a measured loss)';
  if (!timedOut && runIds.length >= 4 && measured.length > 0) {
    const size = opts.size ?? ((x: readonly number[]) => x.reduce((a, b) => a * b, 1));
    const runSize = (id: string) => maxOf((byRun.get(id) ?? []).map((p) => size(p.x)));
    const largest = measured.reduce((u, v) => (runSize(v) > runSize(u) ? v : u));
    const res = fit(
      valid.filter((p) => p.runId !== largest),
      priors,
      undefined,
    );
    if (!('error' in res)) {
      if (res.timedOut) {
        timedOut = true;
        cutShortIn = 'leave-largest-out';
      } else {
        const held = byRun.get(largest) ?? [];
        const err = held.reduce((s, p) => s + Math.abs(law.evaluate(res.params, p.x) - p.y) / p.y, 0);
        const predicted = held.reduce((s, p) => s + law.evaluate(res.params, p.x), 0) / held.length;
        const observed = held.reduce((s, p) => s + p.y, 0) / held.length;
        validation = { method: 'leave-largest-out', errorPct: (100 * err) / held.length, heldOutRunId: largest, predicted, observed };
      }
    }
  }

  const want = Math.max(0, Math.floor(opts.resamples ?? DEFAULT_RESAMPLES));
  const groups = opts.stratify === false ? [runIds.map((_, i) => i)] : strata(runIds.map((id) => (byRun.get(id) ?? [])[0].x[0]));
  const boot = timedOut
    ? { samples: [], done: 0, failed: 0, timedOut: false }
    : runBootstrap(
        want,
        opts.seed ?? 1,
        stop,
        (rng) => {
          const resampled: LawPoint[] = [];
          const drawn = new Set<number>();
          for (const g of groups) {
            for (let k = 0; k < g.length; k++) {
              const pick = g[randomInt(rng, g.length)];
              drawn.add(pick);
              appendAll(resampled, byRun.get(runIds[pick]) ?? []);
            }
          }
          // One run repeated is not a cross-run data set (unless priors carry the shape): a failed resample.
          return drawn.size < minRuns ? null : resampled;
        },
        (data, rng) => {
          // "Randomise then optimise": each resample redraws the prior means, so the intervals
          // carry the priors' uncertainty too.
          let drawnPriors = priors;
          if (priors) {
            const d: Record<string, Prior> = {};
            for (const [name, pr] of Object.entries(priors)) d[name] = { mean: pr.mean + pr.sd * gaussian(rng), sd: pr.sd };
            drawnPriors = d;
          }
          const drawnContrasts = contrasts?.map((c) => ({ ...c, mean: c.mean + c.sd * gaussian(rng) }));
          return fit(data, drawnPriors, [best], drawnContrasts);
        },
      );
  if (boot.timedOut) {
    timedOut = true;
    cutShortIn = 'bootstrap';
  }

  const level = DEFAULT_INTERVAL_LEVEL;
  const result: LawCrossRunFit = {
    lawId: law.id,
    parameters: naturalEstimates(law, best, boot.samples, level),
    pointsUsed: main.pointsUsed,
    residualRmse: main.residualRmse,
    converged: main.converged,
    timedOut,
    bootstrap: { resamples: boot.done, failed: boot.failed },
    intervalLevel: level,
    intervalMultiplier: intervalMultiplier(intervalKindOf(law.kind)),
    fitParams: best,
    samples: boot.samples,
    runIds,
    priorsUsed: priors !== undefined || contrasts !== undefined,
    dataRanges: variableRanges(
      law.variables.length,
      valid.map((p) => p.x),
    ),
  };
  if (validation) result.validation = validation;
  if (validationSkipped) result.validationSkipped = validationSkipped;
  if (cutShortIn) result.cutShortIn = cutShortIn;
  return result;
}

/**
 * The fit without resamples that a fit cut short in its bootstrap holds (its main fit and
 * leave-largest-out check finished): what `fitCrossRunLaw` with `resamples: 0` gives for the same points,
 * without fitting them again. Undefined for a fit cut short before its bootstrap (or not cut short).
 */
export function withoutResamples<F extends LawCrossRunFit>(law: LawDefinition, fit: F): F | undefined {
  if (!fit.timedOut || fit.cutShortIn !== 'bootstrap') return undefined;
  const out: F = {
    ...fit,
    parameters: naturalEstimates(law, fit.fitParams, [], fit.intervalLevel, fit.intervalMultiplier),
    timedOut: false,
    bootstrap: { resamples: 0, failed: 0 },
    samples: [],
  };
  delete out.cutShortIn;
  return out;
}

/**
 * Value of a fitted law at `x` with its bootstrap interval (uncertainty of the law, not the
 * run-to-run scatter) and flags for extrapolation beyond 10× the fitted data. NaN for invalid x.
 */
export function predictWithFit(
  law: LawDefinition,
  fit: Pick<FitResult, 'fitParams' | 'samples' | 'intervalLevel' | 'lawId'> & { dataRanges?: VariableRanges },
  x: readonly number[],
): Prediction {
  if (x.length < law.variables.length || !law.variables.every((v, j) => isValidInput(v, x[j]))) {
    return { value: NaN, interval: [NaN, NaN], lawId: fit.lawId };
  }
  const value = law.evaluate(fit.fitParams, x);
  const raw = percentileInterval(
    fit.samples.map((s) => law.evaluate(s, x)),
    fit.intervalLevel,
    value,
  );
  const interval = calibrateInterval(intervalKindOf(law.kind), value, raw, value > 0);
  const pred: Prediction = { value, interval, lawId: fit.lawId };
  const flags = domainFlags(law, x, fit.dataRanges);
  if (flags.length) pred.flags = flags;
  return pred;
}

/** Prediction with a law's published defaults (`law.reference`), flagged outside its published domain. */
export function predictWithDefaults(law: LawDefinition, x: readonly number[]): Prediction | { error: string } {
  if (!law.reference) return { error: `law ${law.id} has no published defaults` };
  const value = law.evaluate(referenceParams(law), x);
  const pred: Prediction = { value, interval: [value, value], lawId: law.id };
  const flags = domainFlags(law, x);
  if (flags.length) pred.flags = flags;
  return pred;
}
