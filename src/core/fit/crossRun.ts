/**
 * Cross-run fit of the Chinchilla law L(N, D) = E + A/N^alpha + B/D^beta to the final losses of
 * a family of runs (Hoffmann et al. 2022, Approach 3).
 *
 * Few runs cannot pin five parameters, so below `PRIOR_RUN_THRESHOLD` distinct runs (or when
 * asked) the fit adds priors: exponents near Epoch AI's refit (Besiroglu et al. 2024), and very
 * weak priors on ln A, ln B only to pick a point along directions the data cannot see. ln E
 * has no prior: the level, and the scale along the runs' direction, come from the data.
 */
import { chinchillaLaw } from '../laws/chinchilla';
import { DEFAULT_INTERVAL_LEVEL, naturalEstimates, percentileInterval } from './bootstrap';
import { fitLaw, type LawFitRaw, type Prior } from './fitLaw';
import { shouldStop } from './lm';
import { gaussian, mulberry32, randomInt } from './random';
import type { FitResult, Prediction } from './types';

export interface CrossRunPoint {
  runId: string;
  /** Total parameters N, embeddings included. */
  params: number;
  /** Training tokens D. */
  tokens: number;
  /** Final loss (e.g. `smoothedFinalLoss` of the run's curve). */
  loss: number;
}

export interface CrossRunFit extends FitResult {
  runIds: string[];
  priorsUsed: boolean;
  validation?: { method: 'leave-largest-out'; errorPct: number };
}

export interface CrossRunOptions {
  deadline?: number;
  isCancelled?: () => boolean;
  seed?: number;
  /** Bootstrap resamples of runs (default 200; 0 disables intervals). */
  resamples?: number;
  /** `auto` (default): priors when fewer than PRIOR_RUN_THRESHOLD distinct runs. */
  priors?: 'auto' | 'always' | 'never';
}

/** Below this many distinct runs the fit leans on published exponents. */
export const PRIOR_RUN_THRESHOLD = 10;
/** Prior sd of alpha and beta: wider than Epoch's own ±0.02 since data, tokenizer and recipe differ. */
export const EXPONENT_PRIOR_SD = 0.05;
/** Prior sd of ln A and ln B: a factor e² ≈ 7 either way, i.e. barely informative. */
export const SCALE_PRIOR_SD = 2;
const DEFAULT_CROSS_RUN_RESAMPLES = 200;
const MIN_RUNS = 2;

/** Priors (fit space) built from the law's published reference values. */
export function chinchillaPriors(): Record<string, Prior> {
  const ref = chinchillaLaw.reference?.values ?? {};
  return {
    alpha: { mean: ref.alpha, sd: EXPONENT_PRIOR_SD },
    beta: { mean: ref.beta, sd: EXPONENT_PRIOR_SD },
    a: { mean: Math.log(ref.A), sd: SCALE_PRIOR_SD },
    b: { mean: Math.log(ref.B), sd: SCALE_PRIOR_SD },
  };
}

/** Robust "final loss" of a finished curve: mean of the last 2% of points (at least 3), NaN/Inf ignored. */
export function smoothedFinalLoss(steps: readonly number[], losses: readonly number[]): number {
  const pts: { s: number; v: number }[] = [];
  for (let i = 0; i < Math.min(steps.length, losses.length); i++) {
    if (Number.isFinite(losses[i]) && Number.isFinite(steps[i])) pts.push({ s: steps[i], v: losses[i] });
  }
  if (pts.length === 0) return NaN;
  pts.sort((a, b) => a.s - b.s);
  const k = Math.min(pts.length, Math.max(3, Math.ceil(0.02 * pts.length)));
  let sum = 0;
  for (let i = pts.length - k; i < pts.length; i++) sum += pts[i].v;
  return sum / k;
}

function isValid(p: CrossRunPoint): boolean {
  return (
    typeof p.runId === 'string' &&
    p.params > 0 && Number.isFinite(p.params) &&
    p.tokens > 0 && Number.isFinite(p.tokens) &&
    p.loss > 0 && Number.isFinite(p.loss)
  );
}

function fitPoints(
  pts: readonly CrossRunPoint[],
  priors: Record<string, Prior> | undefined,
  opts: CrossRunOptions,
  starts?: number[][],
): LawFitRaw | { error: string } {
  return fitLaw(
    chinchillaLaw,
    { x: pts.map((p) => [p.params, p.tokens]), y: pts.map((p) => p.loss) },
    { priors, starts, deadline: opts.deadline, isCancelled: opts.isCancelled },
  );
}

export function fitCrossRun(points: readonly CrossRunPoint[], opts: CrossRunOptions = {}): CrossRunFit | { error: string } {
  const valid = (Array.isArray(points) ? points : []).filter((p) => p && isValid(p));
  // Group by run, in first-seen order, so resampling is by run and deterministic.
  const byRun = new Map<string, CrossRunPoint[]>();
  for (const p of valid) {
    const list = byRun.get(p.runId);
    if (list) list.push(p);
    else byRun.set(p.runId, [p]);
  }
  const runIds = [...byRun.keys()];
  if (runIds.length < MIN_RUNS) {
    return {
      error:
        `cross-run fit needs at least ${MIN_RUNS} runs with a known N (params), D (tokens) and a finite ` +
        `final loss > 0; have ${runIds.length} (${valid.length} of ${Array.isArray(points) ? points.length : 0} points usable)`,
    };
  }

  const mode = opts.priors ?? 'auto';
  const priorsUsed = mode === 'always' || (mode === 'auto' && runIds.length < PRIOR_RUN_THRESHOLD);
  const priors = priorsUsed ? chinchillaPriors() : undefined;

  const main = fitPoints(valid, priors, opts);
  if ('error' in main) return main;
  let timedOut = main.timedOut;
  const best = main.params;

  // Validation: hold out the run with the largest compute (∝ N·D), predict it from the rest.
  let validation: CrossRunFit['validation'];
  if (!timedOut && runIds.length >= 4) {
    const compute = (id: string) => Math.max(...(byRun.get(id) ?? []).map((p) => p.params * p.tokens));
    const largest = runIds.reduce((u, v) => (compute(v) > compute(u) ? v : u));
    const rest = valid.filter((p) => p.runId !== largest);
    const held = byRun.get(largest) ?? [];
    const res = fitPoints(rest, priors, opts);
    if (!('error' in res)) {
      if (res.timedOut) timedOut = true;
      else {
        let errSum = 0;
        for (const p of held) {
          errSum += Math.abs(chinchillaLaw.evaluate(res.params, [p.params, p.tokens]) - p.loss) / p.loss;
        }
        validation = { method: 'leave-largest-out', errorPct: (100 * errSum) / held.length };
      }
    }
  }

  // Bootstrap over runs (with replacement), warm-started from the best fit.
  const samples: number[][] = [];
  let done = 0;
  let failed = 0;
  const want = Math.max(0, Math.floor(opts.resamples ?? DEFAULT_CROSS_RUN_RESAMPLES));
  if (!timedOut && want > 0) {
    const rng = mulberry32(opts.seed ?? 1);
    for (let b = 0; b < want; b++) {
      if (shouldStop(opts)) {
        timedOut = true;
        break;
      }
      const resampled: CrossRunPoint[] = [];
      const drawn = new Set<number>();
      for (let k = 0; k < runIds.length; k++) {
        const pick = randomInt(rng, runIds.length);
        drawn.add(pick);
        resampled.push(...(byRun.get(runIds[pick]) ?? []));
      }
      // A resample of one run repeated is not a cross-run data set (likely with ≤ 3 runs):
      // count it as failed rather than let it drag the intervals to a one-point fit.
      if (drawn.size < MIN_RUNS) {
        done++;
        failed++;
        continue;
      }
      // With priors, each resample also draws its prior means from the priors ("randomise then
      // optimise"), so the intervals carry the prior's uncertainty too: resampling 3 runs alone
      // would mostly re-find the same exponents and give falsely narrow extrapolations.
      let drawnPriors = priors;
      if (priors) {
        drawnPriors = {};
        for (const [name, pr] of Object.entries(priors)) drawnPriors[name] = { mean: pr.mean + pr.sd * gaussian(rng), sd: pr.sd };
      }
      const res = fitPoints(resampled, drawnPriors, opts, [best]);
      if (!('error' in res) && res.timedOut) {
        timedOut = true;
        break;
      }
      done++;
      if ('error' in res || !res.params.every(Number.isFinite)) failed++;
      else samples.push(res.params);
    }
  }

  const level = DEFAULT_INTERVAL_LEVEL;
  const result: CrossRunFit = {
    lawId: chinchillaLaw.id,
    parameters: naturalEstimates(chinchillaLaw, best, samples, level),
    pointsUsed: main.pointsUsed,
    residualRmse: main.residualRmse,
    converged: main.converged,
    timedOut,
    bootstrap: { resamples: done, failed },
    intervalLevel: level,
    fitParams: best,
    samples,
    runIds,
    priorsUsed,
  };
  if (validation) result.validation = validation;
  return result;
}

/**
 * Loss predicted for a model of `params` (N) trained on `tokens` (D). The interval spans the
 * bootstrap parameter sets: uncertainty of the law, not the run-to-run scatter around it.
 * Non-positive or non-finite N or D give NaN (never throws).
 */
export function predictCrossRun(fit: CrossRunFit, params: number, tokens: number): Prediction {
  if (!(params > 0 && tokens > 0 && Number.isFinite(params) && Number.isFinite(tokens))) {
    return { value: NaN, interval: [NaN, NaN], lawId: fit.lawId };
  }
  const x = [params, tokens];
  const value = chinchillaLaw.evaluate(fit.fitParams, x);
  const interval = percentileInterval(
    fit.samples.map((s) => chinchillaLaw.evaluate(s, x)),
    fit.intervalLevel,
    value,
  );
  return { value, interval, lawId: fit.lawId };
}
