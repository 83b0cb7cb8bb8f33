// One model of a family: its cross-run law L(N, D) = E + A/N^α + B/D^β fitted jointly with what its
// runs' schedule-aware curves say, sharing what the two physically share:
//  - a run's end: a finished run's observed final loss, a live run's curve forecast, each weighed by
//    its uncertainty (a forecast from 30% of a run counts less than a measured end), so the law at a
//    live run's N and D weighs its own forecast against what the finished runs say;
//  - the irreducible part: a run's curve (multi-power law, Luo et al. 2025) carried to unlimited
//    steps under its schedule reaches L0 − B_mpl·(η_peak − η_end) (the drop term's sum saturates),
//    which is the family law at its N with D → ∞, E + A/N^α: one more observation per run, tying the
//    law's E and model term to the curves' asymptote and the data term to how far each run is from it.
// The engine fits the first (fitFamilyLaw); the second is measured in `npm run validate` ("One model
// of a family") and not used: it moved the live runs' ends 4% low there.
// The result is a Chinchilla fit in the family law's own parameters (fit/crossRun.ts), so the family
// model (plan/familyModel.ts) uses it as it is.
import { chinchillaLaw, compileChinchilla } from '../laws/chinchilla';
import { chinchillaPriors, familyLaw } from '../laws/familyLaws';
import type { LawDefinition } from '../laws/types';
import {
  allocationPriorFor,
  allocationPriors,
  fitCrossRun,
  MIN_SIZES_WITHOUT_PRIORS,
  PRIOR_RUN_THRESHOLD,
  type CrossRunFit,
  type CrossRunPoint,
} from './crossRun';
import { fitCrossRunLaw, type LawPoint } from './crossRunLaw';
import { ISOFLOP_WEIGHT_WIDTH, isoflopWeights } from './isoflopWeights';

export interface JointRunPoint extends CrossRunPoint {
  /** The loss the run's curve reaches with unlimited steps under its schedule (`curveAsymptote`). */
  asymptote?: number;
}

/**
 * Log half-width (80%) an observed end is taken to have around the family law: the scatter of
 * same-(N, D) runs' ends across schedules that decay to one floor (cosine, WSD, linear decay:
 * ±0.3–0.45% on the Multi-Power-Law curves). A point's weight is this over its own spread (≤ 1).
 */
export const OBSERVED_END_SPREAD = 0.005;
/**
 * Log half-width (80%) of a curve's asymptote: an extrapolation of a multi-power fit to unlimited
 * steps, far less sure than an end. Not calibrated: one size's asymptotes span 24–44% of their median across
 * schedules on the Multi-Power-Law curves, and from 0.03 to 0.2 the live runs' ends in validate
 * did not move (the largest size's did).
 */
export const ASYMPTOTE_SPREAD = 0.03;

/**
 * The loss a multi-power curve (natural L0, B; the schedule's peak and final LR) reaches with
 * unlimited steps: the forward-area term vanishes and every LR drop's G saturates at 1, so the drop
 * term is B·(η_peak − η_end). NaN when that is not a loss.
 */
export function curveAsymptote(L0: number, B: number, peakLr: number, endLr: number): number {
  const v = L0 - B * Math.max(0, peakLr - endLr);
  return v > 0 && Number.isFinite(v) ? v : NaN;
}

/** Chinchilla with a third variable: 1 takes D → ∞ (the data term drops out), for the asymptotes. */
export const jointLaw: LawDefinition = {
  ...chinchillaLaw,
  id: 'chinchilla-joint',
  variables: [...chinchillaLaw.variables, { symbol: 'inf', name: 'asymptote', definition: '1: D → ∞ (a curve asymptote), 0: at D', unit: '', allowZero: true }],
  evaluate(params, x) {
    const [e, a, b, alpha, beta] = params;
    const data = x[2] === 1 ? 0 : Math.exp(b - beta * Math.log(x[1]));
    return Math.exp(a - alpha * Math.log(x[0])) + data + Math.exp(e);
  },
  jacobian(params, x) {
    const [e, a, b, alpha, beta] = params;
    const lnN = Math.log(x[0]);
    const lnD = Math.log(x[1]);
    const modelTerm = Math.exp(a - alpha * lnN);
    const dataTerm = x[2] === 1 ? 0 : Math.exp(b - beta * lnD);
    return [Math.exp(e), modelTerm, dataTerm, -lnN * modelTerm, -lnD * dataTerm];
  },
  compile: (x) => compileChinchilla(x, true),
};

export interface JointFamilyOptions {
  deadline?: number;
  isCancelled?: () => boolean;
  seed?: number;
  resamples?: number;
  /** Use the runs' curve asymptotes (default true). */
  asymptotes?: boolean;
  /** σ in ln N of the IsoFLOP weights, as `fitCrossRun`'s option (default ISOFLOP_WEIGHT_WIDTH, 0: none). */
  isoflopWidth?: number;
}

/** Weight of a point of log half-width `spread` (fitLaw's data term is Σ w·|r|/s, a Laplace likelihood). */
function weightOf(spread: number): number {
  return Math.min(1, OBSERVED_END_SPREAD / spread);
}

/**
 * The family's Chinchilla law fitted jointly with its runs' curves (see the top of the file). Priors
 * as `fitCrossRun` gives them (published exponents below PRIOR_RUN_THRESHOLD runs or
 * MIN_SIZES_WITHOUT_PRIORS sizes, the allocation prior for runs at one tokens-per-parameter ratio).
 */
export function fitJointFamily(points: readonly JointRunPoint[], opts: JointFamilyOptions = {}): CrossRunFit | { error: string } {
  const usable = points.filter((p) => p.params > 0 && p.tokens > 0 && p.loss > 0 && Number.isFinite(p.params * p.tokens * p.loss));
  // IsoFLOP curves weigh as in fitCrossRun (isoflopWeights.ts): anchoring one live run must not drop the weighting.
  // The IsoFLOP weight multiplies an end's uncertainty weight (crossRunLaw.ts); asymptotes keep theirs.
  const isoflop = isoflopWeights(usable, opts.isoflopWidth ?? ISOFLOP_WEIGHT_WIDTH);
  const lawPoints: LawPoint[] = [];
  for (const p of usable) {
    const spread = p.spread !== undefined && p.spread > 0 ? Math.max(p.spread, OBSERVED_END_SPREAD) : OBSERVED_END_SPREAD;
    const weight = isoflop?.weights.get(p.runId);
    lawPoints.push({
      runId: p.runId,
      x: [p.params, p.tokens, 0],
      y: p.loss,
      w: weightOf(spread),
      ...(weight !== undefined ? { weight } : {}),
      ...(p.forecast ? { forecast: true } : {}),
    });
    if (opts.asymptotes !== false && p.asymptote !== undefined && p.asymptote > 0 && p.asymptote < p.loss)
      lawPoints.push({ runId: p.runId, x: [p.params, p.tokens, 1], y: p.asymptote, w: weightOf(ASYMPTOTE_SPREAD) });
  }
  const runs = new Set(lawPoints.map((p) => p.runId));
  const allocation = allocationPriorFor(usable);
  const sizes = new Set(usable.map((p) => p.params)).size;
  const priorsUsed = runs.size < PRIOR_RUN_THRESHOLD || sizes < MIN_SIZES_WITHOUT_PRIORS || allocation !== undefined;
  const res = fitCrossRunLaw(jointLaw, lawPoints, {
    deadline: opts.deadline,
    isCancelled: opts.isCancelled,
    seed: opts.seed,
    resamples: opts.resamples,
    priors: priorsUsed ? chinchillaPriors() : undefined,
    contrastPriors: allocation ? allocationPriors(allocation.params, allocation.tokens) : undefined,
    size: (x) => x[0] * x[1],
  });
  if ('error' in res) return res;
  const fit: CrossRunFit = { ...res, lawId: chinchillaLaw.id, dataRanges: res.dataRanges.slice(0, 2) };
  if (isoflop) fit.isoflopWeighting = { budgets: isoflop.budgets, downweighted: isoflop.downweighted, note: isoflop.note };
  // Leave-largest-out averaged the held-out run's end with its asymptote: not an end's error.
  if (lawPoints.some((p) => p.x[2] === 1)) delete fit.validation;
  return allocation ? { ...fit, allocationPrior: allocation } : fit;
}

/**
 * The family job's fit (fitJobs.ts): the joint fit when some point is a live run's forecast with its
 * spread and the law is Chinchilla with automatic priors, else `fitCrossRun` as before. Without
 * asymptotes: measured in `npm run validate` ("One model of a family"), the runs' curve asymptotes
 * made the live runs' predicted ends 4% too low on the Multi-Power-Law curves, so they stay out.
 */
export function fitFamilyLaw(
  points: readonly CrossRunPoint[],
  opts: {
    deadline?: number;
    isCancelled?: () => boolean;
    seed?: number;
    priors?: 'auto' | 'always' | 'never';
    law?: string;
    isoflopWidth?: number;
    /** Bootstrap resamples (the fits' default when absent; 0: no interval, as a provisional law needs none). */
    resamples?: number;
  },
): CrossRunFit | { error: string } {
  const joint = points.some((p) => p.spread !== undefined) && familyLaw(opts.law).law === chinchillaLaw && (opts.priors ?? 'auto') === 'auto';
  return joint
    ? fitJointFamily(points, {
        deadline: opts.deadline,
        isCancelled: opts.isCancelled,
        seed: opts.seed,
        asymptotes: false,
        isoflopWidth: opts.isoflopWidth,
        resamples: opts.resamples,
      })
    : fitCrossRun(points, opts);
}
