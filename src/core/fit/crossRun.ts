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
import { fitCrossRunLaw, predictWithFit, withoutResamples, MIN_RUNS, MIN_RUNS_WITH_PRIORS, type LawCrossRunFit } from './crossRunLaw';
import { chinchillaLaw } from '../laws/chinchilla';
import type { ContrastPrior } from './fitLaw';
import type { Prediction } from './types';
import { ISOFLOP_WEIGHT_WIDTH, isoflopWeights } from './isoflopWeights';

export { EXPONENT_PRIOR_SD, SCALE_PRIOR_SD, chinchillaPriors } from '../laws/familyLaws';

export interface CrossRunPoint {
  runId: string;
  /** Total parameters N, embeddings included. */
  params: number;
  /** Non-embedding parameters, given only for a family law on non-embedding N (laws/familyLaws.ts `parameterCount`). */
  nonEmbeddingParams?: number;
  /** Training tokens D. */
  tokens: number;
  /** Final loss (e.g. `smoothedFinalLoss` of the run's curve). */
  loss: number;
  /** 80% log half-width of `loss` when it is a live run's forecast, not an observed end (fit/jointFamily.ts weighs it by this). */
  spread?: number;
  /** `loss` is a live run's forecast, not a measured end: never held out by leave-largest-out (crossRunLaw.ts). */
  forecast?: boolean;
}

/**
 * Set on a fit whose runs all sit at about one tokens-per-parameter ratio: the data then see the
 * model-size term and the data term only in sum, so how a budget splits between N and D follows
 * published ratios (allocationPriors), not the family.
 */
export interface AllocationPrior {
  /** [min, max] tokens per parameter of the fitted runs. */
  tokensPerParam: [number, number];
  /** Where the split was pinned: geometric means of the runs' N and D. */
  params: number;
  tokens: number;
  note: string;
}

/** A Chinchilla cross-run fit (the generic `LawCrossRunFit`, with `dataRanges` for extrapolation flags). */
export type CrossRunFit = LawCrossRunFit & {
  allocationPrior?: AllocationPrior;
  /** Set when the runs form IsoFLOP curves: each run weighed by its distance from its budget's optimum (fit/isoflopWeights.ts). */
  isoflopWeighting?: { budgets: number; downweighted: number; note: string };
  /** Set for a law fitted on non-embedding N: the family's embeddings, to take a total N to the law's N. */
  embeddings?: EmbeddingModel;
  /** For a law on non-embedding N: which N it was fitted on, said with the fit's warnings. */
  paramsNote?: string;
};

/**
 * A law on non-embedding N fitted on the runs' non-embedding N: their embedding parameters as a
 * function of total N, E = exp(lnScale)·N^(1/3), so a prediction asked at a total N (the planner's
 * candidates, the ladder's runs) has a non-embedding N too. The exponent is a transformer's at a
 * fixed vocabulary and depth-to-width ratio (N ≈ 12·n_layer·d² ∝ d³, E = V·d ∝ N^(1/3)); the scale is
 * the family's own (the mean over its runs).
 */
export interface EmbeddingModel {
  lnScale: number;
}

/** The N a fit's law takes: total N, or for a law fitted on non-embedding N the given one, else total N less the family's embeddings. */
export function lawParams(fit: Pick<CrossRunFit, 'embeddings'>, params: number, nonEmbeddingParams?: number): number {
  if (!fit.embeddings) return params;
  if (nonEmbeddingParams !== undefined && nonEmbeddingParams > 0 && Number.isFinite(nonEmbeddingParams)) return nonEmbeddingParams;
  // Never below a tenth of N: the law diverges as N → 0, and a family's smallest models are mostly embeddings.
  return Math.max(params - Math.exp(fit.embeddings.lnScale) * Math.cbrt(params), 0.1 * params);
}

/** The embedding model of points that all give a non-embedding N below their total N; undefined otherwise. */
function embeddingModel(points: readonly CrossRunPoint[]): EmbeddingModel | undefined {
  const ok = points.filter((p) => p.params > 0 && Number.isFinite(p.params));
  if (ok.length === 0 || !ok.every((p) => p.nonEmbeddingParams !== undefined && p.nonEmbeddingParams > 0 && p.nonEmbeddingParams < p.params)) return undefined;
  let sum = 0;
  for (const p of ok) sum += Math.log(p.params - p.nonEmbeddingParams!) - Math.log(p.params) / 3;
  return { lnScale: sum / ok.length };
}

export interface CrossRunOptions {
  deadline?: number;
  isCancelled?: () => boolean;
  seed?: number;
  /** Bootstrap resamples of runs (default 200; 0 disables intervals). */
  resamples?: number;
  /** `auto` (default): priors when fewer than PRIOR_RUN_THRESHOLD distinct runs or MIN_SIZES_WITHOUT_PRIORS sizes. */
  priors?: 'auto' | 'always' | 'never';
  /** The family law (laws/familyLaws.ts; default Chinchilla). */
  law?: string;
  /** σ in ln N of the IsoFLOP weights (fit/isoflopWeights.ts; default ISOFLOP_WEIGHT_WIDTH, 0: every run weighs 1). */
  isoflopWidth?: number;
}

/** Below this many distinct runs the fit leans on published exponents. */
export const PRIOR_RUN_THRESHOLD = 10;
/**
 * Below this many distinct model sizes too, however many runs: at two sizes E + A/N^α has three
 * unknowns and two values (on the Multi-Power-Law curves' 25M and 100M runs, 10 of them, the fit
 * without priors put E at the 400M runs' loss and α at 1.5, predicting them 5% high; with the
 * priors 2.3% low: `npm run validate`, "One model of a family").
 */
export const MIN_SIZES_WITHOUT_PRIORS = 3;
/**
 * Below this ratio of the largest to the smallest tokens per parameter of a family's runs, the runs
 * lie along one line D ≈ k·N and cannot tell a larger model from more data (A/N^α and B/D^β move
 * together): the split comes from published ratios (allocationPriors).
 */
export const ALLOCATION_SPREAD_MIN = 3;
/**
 * Prior sd of ln(model term / data term) at the runs' centre: a factor e^0.35 ≈ 1.4, about the
 * spread of the compute-optimal tokens per parameter across published fits (≈20 in Hoffmann et al.
 * 2022 Approaches 1–2 and Besiroglu et al. 2024, 10–30 across the ladders they review).
 */
export const ALLOCATION_SPLIT_SD = 0.35;
/** Prior sd of α − β: fixes how the split moves with compute (N* ∝ C^(β/(α+β)), ≈ C^0.51 for Epoch AI's refit). */
export const EXPONENT_DIFFERENCE_SD = 0.03;

/**
 * Priors that pin the N/D split of a family whose runs have no spread in tokens per parameter:
 * (1) the ratio of the model-size term to the data term at the runs' centre (N0, D0), ln(A·N0^−α) −
 * ln(B·D0^−β), equals that of Epoch AI's refit of Chinchilla (Besiroglu et al. 2024, arXiv
 * 2404.10102; compute-optimal ≈20 tokens per parameter as in Hoffmann et al. 2022), and (2) α − β
 * equals the refit's (so N* grows with compute as the published N* ∝ C^0.51). Both are linear in
 * the fit-space parameters (ln A, ln B, α, β). The loss level and the slope along the runs stay
 * the data's.
 */
export function allocationPriors(params: number, tokens: number): ContrastPrior[] {
  const ref = chinchillaLaw.reference?.values ?? {};
  const lnN = Math.log(params);
  const lnD = Math.log(tokens);
  return [
    {
      coefficients: { a: 1, b: -1, alpha: -lnN, beta: lnD },
      mean: Math.log(ref.A) - ref.alpha * lnN - Math.log(ref.B) + ref.beta * lnD,
      sd: ALLOCATION_SPLIT_SD,
    },
    { coefficients: { alpha: 1, beta: -1 }, mean: ref.alpha - ref.beta, sd: EXPONENT_DIFFERENCE_SD },
  ];
}

/** The allocation prior for these runs' (N, D), or undefined when their tokens per parameter spread enough. */
export function allocationPriorFor(points: readonly { params: number; tokens: number }[]): AllocationPrior | undefined {
  const ok = points.filter((p) => p.params > 0 && p.tokens > 0 && Number.isFinite(p.params) && Number.isFinite(p.tokens));
  if (ok.length < 2) return undefined;
  const ratios = ok.map((p) => p.tokens / p.params);
  let lo = Infinity;
  let hi = -Infinity;
  let lnN = 0;
  let lnD = 0;
  for (let i = 0; i < ok.length; i++) {
    lo = Math.min(lo, ratios[i]);
    hi = Math.max(hi, ratios[i]);
    lnN += Math.log(ok[i].params);
    lnD += Math.log(ok[i].tokens);
  }
  if (!(hi < ALLOCATION_SPREAD_MIN * lo)) return undefined;
  const range = hi < 1.05 * lo ? `≈${lo.toFixed(0)}` : `${lo.toFixed(1)}–${hi.toFixed(1)}`;
  return {
    tokensPerParam: [lo, hi],
    params: Math.exp(lnN / ok.length),
    tokens: Math.exp(lnD / ok.length),
    note:
      `All runs of the family sit at ${range} tokens per parameter, so they cannot tell a larger model from more data: ` +
      `the split of a budget between parameters and tokens follows published ratios (Epoch AI's refit of Hoffmann et al. 2022, ` +
      `compute-optimal ≈20 tokens per parameter), not this family. Runs at other tokens per parameter (e.g. ¼× and 4× ${lo.toFixed(0)}) would measure it.`,
  };
}

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
  const usable = list.filter((p) => p && typeof p === 'object');
  const spec = familyLaw(opts.law);
  // A law on non-embedding N (Kaplan et al.) takes the runs' own non-embedding N when every run gives one.
  const embeddings = spec.parameterCount === 'nonEmbedding' ? embeddingModel(usable) : undefined;
  // Runs laid out as IsoFLOP curves weigh by their distance from their budget's optimum (isoflopWeights.ts).
  const isoflop = isoflopWeights(usable, opts.isoflopWidth ?? ISOFLOP_WEIGHT_WIDTH);
  const lawPoints = usable.map((p) => ({
    runId: p.runId,
    x: [embeddings ? p.nonEmbeddingParams! : p.params, p.tokens],
    y: p.loss,
    ...(isoflop?.weights.has(p.runId) ? { weight: isoflop.weights.get(p.runId) } : {}),
    ...(p.forecast ? { forecast: true } : {}),
  }));
  const runs = new Set(lawPoints.filter((p) => p.x.every((v) => v > 0 && Number.isFinite(v)) && p.y > 0 && Number.isFinite(p.y)).map((p) => p.runId));
  const mode = opts.priors ?? 'auto';
  // One run per (N, D) for the spread: a run's several points share its N.
  const byRun = new Map<string, { params: number; tokens: number }>();
  for (const p of lawPoints) if (runs.has(p.runId)) byRun.set(p.runId, { params: p.x[0], tokens: p.x[1] });
  // Runs without spread in D/N leave the split to priors, whatever their number (unless told never).
  // The published split is Chinchilla's, in its parameters: other family laws go without it.
  const allocation = mode === 'never' || spec.law !== chinchillaLaw ? undefined : allocationPriorFor([...byRun.values()]);
  const sizes = new Set([...byRun.values()].map((r) => r.params)).size;
  const priorsUsed =
    mode === 'always' || (mode === 'auto' && (runs.size < PRIOR_RUN_THRESHOLD || sizes < MIN_SIZES_WITHOUT_PRIORS || allocation !== undefined));
  const res = fitCrossRunLaw(spec.law, lawPoints, {
    deadline: opts.deadline,
    isCancelled: opts.isCancelled,
    seed: opts.seed,
    resamples: opts.resamples,
    priors: priorsUsed ? spec.priors() : undefined,
    contrastPriors: allocation ? allocationPriors(allocation.params, allocation.tokens) : undefined,
  });
  const minRuns = priorsUsed ? MIN_RUNS_WITH_PRIORS : MIN_RUNS;
  if ('error' in res && runs.size < minRuns) {
    return {
      error:
        `cross-run fit needs at least ${minRuns} run(s) with a known N (params), D (tokens) and a finite ` +
        `final loss > 0; have ${runs.size} (${lawPoints.length} of ${list.length} points usable)`,
    };
  }
  if ('error' in res) return res;
  const out: CrossRunFit = isoflop ? { ...res, isoflopWeighting: { budgets: isoflop.budgets, downweighted: isoflop.downweighted, note: isoflop.note } } : res;
  if (embeddings) return { ...out, embeddings, paramsNote: "N is the runs' non-embedding parameters, as the law defines it" };
  if (spec.parameterCount === 'nonEmbedding')
    return { ...out, paramsNote: 'fitted on total parameters: not every run gives its non-embedding N, which this law is defined on' };
  return allocation ? { ...out, allocationPrior: allocation } : out;
}

/**
 * Loss predicted for a model of `params` (N) trained on `tokens` (D). The interval spans the
 * bootstrap parameter sets: uncertainty of the law, not the run-to-run scatter around it.
 * Non-positive or non-finite N or D give NaN (never throws).
 */
export function predictCrossRun(fit: CrossRunFit, params: number, tokens: number, nonEmbeddingParams?: number): Prediction {
  return predictWithFit(familyLaw(fit.lawId).law, fit, [lawParams(fit, params, nonEmbeddingParams), tokens]);
}

/**
 * A family law cut short in its bootstrap, as the law of the same points fitted without resamples
 * (its main fit and leave-largest-out check, which finished); undefined when it stopped before
 * (fit/crossRunLaw.ts `withoutResamples`).
 */
export function familyLawWithoutResamples(fit: CrossRunFit): CrossRunFit | undefined {
  return withoutResamples(familyLaw(fit.lawId).law, fit);
}
