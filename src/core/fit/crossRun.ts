/**
 * Cross-run fit of a family law (laws/familyLaws.ts; by default the Chinchilla law
 * L(N, D) = E + A/N^alpha + B/D^beta) to the final losses of a family of runs (Hoffmann et al. 2022, Approach 3).
 *
 * Few runs cannot pin five parameters, so below `PRIOR_RUN_THRESHOLD` distinct runs (or when
 * asked) the fit adds priors: exponents near Epoch AI's refit (Besiroglu et al. 2024), and very
 * weak priors on ln A, ln B only to pick a point along directions the data cannot see. ln E
 * has no prior: the level, and the scale along the runs' direction, come from the data.
 */
import { familyLaw } from '../laws/familyLaws';
import { fitCrossRunLaw, predictWithFit, MIN_RUNS, MIN_RUNS_WITH_PRIORS, type LawCrossRunFit } from './crossRunLaw';
import type { Prediction } from './types';

export { EXPONENT_PRIOR_SD, SCALE_PRIOR_SD, chinchillaPriors } from '../laws/familyLaws';

export interface CrossRunPoint {
  runId: string;
  /** Total parameters N, embeddings included. */
  params: number;
  /** Training tokens D. */
  tokens: number;
  /** Final loss (e.g. `smoothedFinalLoss` of the run's curve). */
  loss: number;
}

/** A Chinchilla cross-run fit (the generic `LawCrossRunFit`, with `dataRanges` for extrapolation flags). */
export type CrossRunFit = LawCrossRunFit;

export interface CrossRunOptions {
  deadline?: number;
  isCancelled?: () => boolean;
  seed?: number;
  /** Bootstrap resamples of runs (default 200; 0 disables intervals). */
  resamples?: number;
  /** `auto` (default): priors when fewer than PRIOR_RUN_THRESHOLD distinct runs. */
  priors?: 'auto' | 'always' | 'never';
  /** The family law (laws/familyLaws.ts; default Chinchilla). */
  law?: string;
}

/** Below this many distinct runs the fit leans on published exponents. */
export const PRIOR_RUN_THRESHOLD = 10;
/** Robust "final loss" of a finished curve: mean of the last 2% of points (at least 3), NaN/Inf ignored. */
export function smoothedFinalLoss(steps: ArrayLike<number>, losses: ArrayLike<number>): number {
  // Fast path for the usual input (all finite, steps ascending): the last k points as they are,
  // which is what the general path's stable sort gives too.
  const count = Math.min(steps.length, losses.length);
  let clean = count > 0;
  for (let i = 0; i < count && clean; i++) {
    if (!Number.isFinite(losses[i]) || !Number.isFinite(steps[i]) || (i > 0 && steps[i] < steps[i - 1])) clean = false;
  }
  if (clean) {
    const k = Math.min(count, Math.max(3, Math.ceil(0.02 * count)));
    let sum = 0;
    for (let i = count - k; i < count; i++) sum += losses[i];
    return sum / k;
  }
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

export function fitCrossRun(points: readonly CrossRunPoint[], opts: CrossRunOptions = {}): CrossRunFit | { error: string } {
  const list = Array.isArray(points) ? points : [];
  const lawPoints = list.filter((p) => p && typeof p === 'object').map((p) => ({ runId: p.runId, x: [p.params, p.tokens], y: p.loss }));
  const runs = new Set(lawPoints.filter((p) => p.x.every((v) => v > 0 && Number.isFinite(v)) && p.y > 0 && Number.isFinite(p.y)).map((p) => p.runId));
  const mode = opts.priors ?? 'auto';
  const priorsUsed = mode === 'always' || (mode === 'auto' && runs.size < PRIOR_RUN_THRESHOLD);
  const spec = familyLaw(opts.law);
  const res = fitCrossRunLaw(spec.law, lawPoints, {
    deadline: opts.deadline,
    isCancelled: opts.isCancelled,
    seed: opts.seed,
    resamples: opts.resamples,
    priors: priorsUsed ? spec.priors() : undefined,
  });
  const minRuns = priorsUsed ? MIN_RUNS_WITH_PRIORS : MIN_RUNS;
  if ('error' in res && runs.size < minRuns) {
    return {
      error:
        `cross-run fit needs at least ${minRuns} run(s) with a known N (params), D (tokens) and a finite ` +
        `final loss > 0; have ${runs.size} (${lawPoints.length} of ${list.length} points usable)`,
    };
  }
  return res;
}

/**
 * Loss predicted for a model of `params` (N) trained on `tokens` (D). The interval spans the
 * bootstrap parameter sets: uncertainty of the law, not the run-to-run scatter around it.
 * Non-positive or non-finite N or D give NaN (never throws).
 */
export function predictCrossRun(fit: CrossRunFit, params: number, tokens: number): Prediction {
  return predictWithFit(familyLaw(fit.lawId).law, fit, [params, tokens]);
}
