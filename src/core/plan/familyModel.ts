// One fitted model of a run family, the object every number the product shows for the family
// comes from: a config's lens and hover, the planner's rows and its recommendation, the monotonicity
// check. It is the family's Chinchilla fit blended by regime with its over-training fit
// (regime.ts), plus what a reader needs to judge a prediction: how far it lies from the runs the
// model was fitted on (compute ratio to the largest run, tokens per parameter against the
// family's range), whether backtests cover that distance, and the fit's own warning signs
// (a parameter on its bound, E collapsing to 0, priors doing the work).
import { chinchillaLaw } from '../laws/chinchilla';
import { familyLaw } from '../laws/familyLaws';
import { FLOPS_PER_PARAM_TOKEN } from '../laws/trainingCompute';
import { lawParams, predictCrossRun, type CrossRunFit, type CrossRunPoint } from '../fit/crossRun';
import type { LawCrossRunFit } from '../fit/crossRunLaw';
import type { Prediction } from '../fit/types';
import { overtrainLaw } from '../laws/overtrain';
import { BLEND_START_TOKENS_PER_PARAM, overtrainWeight, predictInRegime, type RegimeInfo } from './regime';
import { appendAll, maxOf, minOf } from '../../shared/arrays';
import { boundWarnings, fitWarnings } from '../fit/fitWarnings';
import { formatRatio } from '../../shared/format';
import { calibrateAtDistance, floorInterval, widenInterval } from '../fit/calibration';
import { familyBreak, type FamilyBreak } from '../fit/familyBreak';
import { residualField, type ResidualField } from '../fit/residualField';
import { blendEnvelope } from './blendEnvelope';

/**
 * Largest compute ratio (target over the largest fitted run) the shared ladders' leave-largest-out
 * backtests cover in `npm run validate` ("Extrapolation distance": fitCrossRun on Gadre et al.,
 * Porian et al. and Step Law ladders cut at a compute; the 30–100× bucket has 120 cases from 5 data
 * sets, beyond it fewer). Past it a prediction is "not validated that far".
 */
export const BACKTESTED_COMPUTE_RATIO = 100;

export interface FamilyModelInput {
  family: string;
  fit: CrossRunFit;
  /** The family's over-training fit, or why there is none; without it Chinchilla at every ratio. */
  overtrain?: LawCrossRunFit | { error: string };
  /** Runs the law was fitted to. */
  runsUsed: string[];
  /** The (N, D, loss) of each fitted run, for the distance and the data's own monotonicity. */
  points?: readonly CrossRunPoint[];
  /** Live runs among `points` (their forecast ends anchor the law): distances count finished runs only. */
  anchoredRunIds?: readonly string[];
  /**
   * Pass the model through each run's own number at its (N, D) (fit/residualField.ts; default true):
   * false gives the law (blended by regime) alone, for comparisons.
   */
  throughRuns?: boolean;
}

/** How far a prediction lies from the data the family model was fitted on. */
export interface Distance {
  /** Training compute 6·N·D of the target over that of the family's largest fitted run. */
  computeRatio: number;
  /** That run (undefined when only the fit's data ranges were known). */
  largestRunId?: string;
  tokensPerParam: number;
  /** [min, max] tokens per parameter of the fitted runs. */
  familyTokensPerParam: [number, number];
  /** Compute ratio the backtests cover (BACKTESTED_COMPUTE_RATIO). */
  backtestedUpTo: number;
  /** True beyond what backtests cover (compute ratio past BACKTESTED_COMPUTE_RATIO). */
  notValidated: boolean;
  note: string;
}

export type FamilyPrediction = Prediction & {
  regime?: RegimeInfo;
  distance: Distance;
  /**
   * Set where the regime blend alone would predict worse for more parameters or tokens: the loss is
   * then that of the smaller (N, D) named here (plan/blendEnvelope.ts), and `note` says so.
   */
  monotone?: { params: number; tokens: number; note: string };
};

/** How a prediction would look with more runs in the family (the ladder planner's "after"). */
export interface PredictOptions {
  /** Target compute over the largest run's, the planned runs counted. */
  computeRatio?: number;
  /** Factor (0, 1] on the log half-widths of the fit's interval, before the distance floor. */
  fitNarrowing?: number;
  /** The config's non-embedding parameters, when known (for a law on non-embedding N). */
  nonEmbeddingParams?: number;
}

/**
 * Narrows `interval` about `value` by `factor` in log space (each side's log half-width times it).
 * Non-positive input or a factor outside (0, 1) is returned as is.
 */
function narrowed(value: number, interval: readonly [number, number], factor: number | undefined): [number, number] {
  const [lo, hi] = interval;
  if (factor === undefined || !(factor > 0 && factor < 1) || !(value > 0 && lo > 0 && hi > 0)) return [lo, hi];
  return widenInterval(value, interval, factor, true);
}

/** The family's fitted model: `predict(N, D)` is the one loss everything shows. */
export interface FamilyModel {
  family: string;
  runsUsed: string[];
  fit: CrossRunFit;
  overtrain?: LawCrossRunFit | { error: string };
  /** Warnings about the fit itself (bounds, E → 0, priors, a break), shown beside its predictions. */
  warnings: string[];
  /** Set when the family's largest run(s) sit off the law of the others (fit/familyBreak.ts). */
  break?: FamilyBreak;
  /**
   * The loss at (N, D) with its calibrated interval. `options` say how it would look with more runs
   * (the ladder planner's "after"): `computeRatio` replaces the distance to the largest run, and
   * `fitNarrowing` (≤ 1) scales the fit's part of the interval (log half-widths) before the distance
   * floor. Without options it is the interval every view shows (lens, hover, planner).
   * `nonEmbeddingParams` when known (a config's): a law on non-embedding N takes it as is
   * (fit/crossRun.ts `lawParams`).
   */
  predict(params: number, tokens: number, options?: PredictOptions): FamilyPrediction;
  /** `predict(N, D).value` without the interval (cheap: for searches along a budget). */
  value(params: number, tokens: number): number;
}

function fmtRatio(r: number): string {
  return r >= 1 ? formatRatio(r) : r.toPrecision(2);
}

/** Where (N, D) lies relative to the fitted runs. */
export function distanceFrom(
  input: Pick<FamilyModelInput, 'points' | 'anchoredRunIds'> & { fit?: Pick<CrossRunFit, 'dataRanges'> },
  params: number,
  tokens: number,
): Distance {
  const flops = FLOPS_PER_PARAM_TOKEN * params * tokens;
  const anchored = new Set(input.anchoredRunIds ?? []);
  const pts = (input.points ?? []).filter((p) => p.params > 0 && p.tokens > 0 && !anchored.has(p.runId));
  let largestFlops: number;
  let largestRunId: string | undefined;
  let ratios: number[];
  if (pts.length) {
    const largest = pts.reduce((a, b) => (b.params * b.tokens > a.params * a.tokens ? b : a));
    largestFlops = FLOPS_PER_PARAM_TOKEN * largest.params * largest.tokens;
    largestRunId = largest.runId;
    ratios = pts.map((p) => p.tokens / p.params);
  } else {
    // Only the fit's ranges: the largest run has at most the largest N and the most tokens.
    const [n, d] = input.fit?.dataRanges ?? [];
    largestFlops = FLOPS_PER_PARAM_TOKEN * (n?.[1] ?? NaN) * (d?.[1] ?? NaN);
    ratios = n && d ? [d[0] / n[1], d[1] / n[0]] : [];
  }
  const computeRatio = flops / largestFlops;
  const tokensPerParam = tokens / params;
  const familyTokensPerParam: [number, number] = ratios.length ? [minOf(ratios), maxOf(ratios)] : [NaN, NaN];
  const notValidated = !(computeRatio <= BACKTESTED_COMPUTE_RATIO);
  const range =
    familyTokensPerParam[1] < 1.05 * familyTokensPerParam[0]
      ? `≈${fmtRatio(familyTokensPerParam[0])}`
      : `${fmtRatio(familyTokensPerParam[0])}–${fmtRatio(familyTokensPerParam[1])}`;
  const outsideRatio = tokensPerParam > familyTokensPerParam[1] * 1.5 || tokensPerParam < familyTokensPerParam[0] / 1.5;
  const parts = [
    `${fmtRatio(computeRatio)}× the compute of the largest finished run${largestRunId ? ` (${largestRunId})` : ''}`,
    `${fmtRatio(tokensPerParam)} tokens/parameter against the family's ${range}${outsideRatio ? ' (outside it)' : ''}`,
  ];
  const note = `Distance from the data: ${parts.join('; ')}.${notValidated ? ` Not validated that far: backtests on the shared ladders reach ${BACKTESTED_COMPUTE_RATIO}× the compute of the largest finished run.` : ''}`;
  const out: Distance = { computeRatio, tokensPerParam, familyTokensPerParam, backtestedUpTo: BACKTESTED_COMPUTE_RATIO, notValidated, note };
  if (largestRunId) out.largestRunId = largestRunId;
  return out;
}

/**
 * How much worse than Chinchilla the over-training fit may miss the family's own runs where the blend
 * would weigh it (D/N past the blend's start) before it is left out: a median relative miss above
 * twice Chinchilla's and 0.5 points more. A fit stuck with one of its terms dead (on the Multi-Power
 * example the N term: every size predicted alike, the 25M runs 10% off) is no law to blend.
 */
const OVERTRAIN_MISFIT_FACTOR = 2;
const OVERTRAIN_MISFIT_MARGIN = 0.005;

/** Why the over-training fit misses the family's runs too much to be blended, or undefined. */
export function overtrainMisfit(fit: CrossRunFit, overtrain: LawCrossRunFit, points: readonly CrossRunPoint[]): string | undefined {
  const pts = points.filter((p) => p.params > 0 && p.tokens > 0 && p.loss > 0 && overtrainWeight(p.tokens / p.params) > 0);
  if (pts.length < 3) return undefined;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ot = median(pts.map((p) => Math.abs(overtrainLaw.evaluate(overtrain.fitParams, [p.params, p.tokens / p.params]) / p.loss - 1)));
  const chin = median(pts.map((p) => Math.abs(chinchillaLaw.evaluate(fit.fitParams, [p.params, p.tokens]) / p.loss - 1)));
  if (!(ot > OVERTRAIN_MISFIT_FACTOR * chin + OVERTRAIN_MISFIT_MARGIN)) return undefined;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return `its fit misses this family's ${pts.length} runs past ${BLEND_START_TOKENS_PER_PARAM} tokens/parameter by ${pct(ot)} (median), Chinchilla by ${pct(chin)}`;
}

/**
 * The over-training law's fit parameters [ln E, ln a, ln b, η] as Chinchilla's [ln E, ln A, ln B, α, β]:
 * it is Chinchilla's form with A = a·6^−η, B = b·6^−η and α = β = 2η (regime.ts), so its term coordinates
 * (fit/residualField.ts) are Chinchilla's with those.
 */
function overtrainTermParams([e, a, b, eta]: readonly number[]): number[] {
  return [e, a - eta * Math.log(6), b - eta * Math.log(6), 2 * eta, 2 * eta];
}

/** The family's model from its fits (the same object for the lens, the planner and the scaling view). */
export function familyModel(input: FamilyModelInput): FamilyModel {
  const { fit } = input;
  // An over-training fit that misses the family's own runs far more than Chinchilla is not blended.
  const misfit =
    input.overtrain && !('error' in input.overtrain) && !input.overtrain.timedOut && input.points
      ? overtrainMisfit(
          fit,
          input.overtrain,
          input.points.filter((p) => !(input.anchoredRunIds ?? []).includes(p.runId)),
        )
      : undefined;
  const overtrain = misfit ? { error: misfit } : input.overtrain;
  const minLoss = input.points?.length ? minOf(input.points.map((p) => p.loss)) : undefined;
  const warnings = fitWarnings(familyLaw(fit.lawId).law, fit, minLoss, input.points);
  // Finished runs only: a live run's forecast end is no observation of where the law bends.
  const anchoredIds = new Set(input.anchoredRunIds ?? []);
  const bend = input.points
    ? familyBreak(
        fit,
        input.points.filter((p) => !anchoredIds.has(p.runId)),
      )
    : undefined;
  if (bend) warnings.push(bend.note);
  if (misfit) warnings.push(`over-training law (Gadre et al. 2024) not blended: ${misfit}.`);
  const usable = overtrain && !('error' in overtrain) && !overtrain.timedOut ? overtrain : undefined;
  // The blended over-training fit's own signs of trouble (a parameter on its bound, E → 0), said as the family law's are.
  if (usable) appendAll(warnings, boundWarnings(overtrainLaw, usable, minLoss));
  // The blend's value alone (no interval), for the envelope's search.
  const blendValue = (n: number, d: number): number => {
    const c = chinchillaLaw.evaluate(fit.fitParams, [n, d]);
    const w = usable ? overtrainWeight(d / n) : 0;
    return w === 0
      ? c
      : w === 1
        ? overtrainLaw.evaluate(usable!.fitParams, [n, d / n])
        : (1 - w) * c + w * overtrainLaw.evaluate(usable!.fitParams, [n, d / n]);
  };
  // The loss before the runs' own numbers (blend or law), the cheap way (no bootstrap samples).
  const law = familyLaw(fit.lawId).law;
  const rawValue = (n: number, d: number, ne?: number): number => (usable ? blendValue(n, d) : law.evaluate(fit.fitParams, [lawParams(fit, n, ne), d]));
  // Each run's number at its point (fit/residualField.ts): runs with one point each (not stable-phase checkpoints).
  // Without the over-training law, one field about the law; with it, one per law of the blend, each in
  // its own term coordinates, so both laws pass through the runs and stay monotone, and the blend's
  // envelope (plan/blendEnvelope.ts) makes their mix monotone too.
  let fields: { law?: ResidualField; overtrain?: ResidualField } | null = null;
  const fieldsOf = (): { law?: ResidualField; overtrain?: ResidualField } => {
    if (fields !== null) return fields;
    const all = input.throughRuns === false ? [] : (input.points ?? []);
    const perRun = new Map<string, number>();
    for (const p of all) perRun.set(p.runId, (perRun.get(p.runId) ?? 0) + 1);
    const pts = all.filter((p) => perRun.get(p.runId) === 1);
    // In the Chinchilla law's term coordinates (fit/residualField.ts); other laws are shown as fitted.
    if (law !== chinchillaLaw || !pts.length) fields = {};
    else if (!usable)
      fields = {
        law: residualField(
          pts,
          (p) => rawValue(p.params, p.tokens, (p as CrossRunPoint).nonEmbeddingParams),
          fit.fitParams,
          (n) => lawParams(fit, n),
        ),
      };
    else
      fields = {
        law: residualField(pts, (p) => chinchillaLaw.evaluate(fit.fitParams, [p.params, p.tokens]), fit.fitParams),
        overtrain: residualField(pts, (p) => overtrainLaw.evaluate(usable.fitParams, [p.params, p.tokens / p.params]), overtrainTermParams(usable.fitParams)),
      };
    return fields;
  };
  // The blend's two laws at (N, D), each through the runs' numbers: [Chinchilla, over-training].
  const blendParts = (n: number, d: number): [number, number] => {
    const f = fieldsOf();
    const c = chinchillaLaw.evaluate(fit.fitParams, [n, d]);
    const o = overtrainLaw.evaluate(usable!.fitParams, [n, d / n]);
    return [f.law ? c * Math.exp(f.law.at(n, d)) : c, f.overtrain ? o * Math.exp(f.overtrain.at(n, d)) : o];
  };
  const blendBreakpoints = (axis: 'params' | 'tokens', n: number, d: number, lo: number, hi: number): number[] => {
    const f = fieldsOf();
    return [...(f.law?.breakpoints(axis, n, d, lo, hi) ?? []), ...(f.overtrain?.breakpoints(axis, n, d, lo, hi) ?? [])];
  };
  /**
   * The model at (N, D): the (N', D') ≤ (N, D) whose value it shows (itself, unless the blend's
   * envelope), that value, and its factor on the law (or blend) there, the runs' part.
   */
  const modelAt = (n: number, d: number, ne?: number): { params: number; tokens: number; value: number; factor: number } => {
    if (usable) {
      const at = blendEnvelope(blendParts, n, d, blendBreakpoints);
      return { ...at, factor: at.value / blendValue(at.params, at.tokens) };
    }
    const f = fieldsOf().law;
    const factor = f ? Math.exp(f.at(n, d)) : 1;
    return { params: n, tokens: d, value: rawValue(n, d, ne) * factor, factor };
  };
  const baseCache = new Map<string, { measured: Distance; base?: BaseAt }>();
  return {
    family: input.family,
    runsUsed: input.runsUsed,
    fit,
    overtrain,
    warnings,
    ...(bend ? { break: bend } : {}),
    value(params, tokens) {
      if (!usable && !fieldsOf().law) return predictCrossRun(fit, params, tokens).value;
      return modelAt(params, tokens).value;
    },
    predict(params, tokens, options) {
      const { measured, base } = baseAt(params, tokens, options?.nonEmbeddingParams);
      const distance =
        options?.computeRatio !== undefined && Number.isFinite(options.computeRatio) && options.computeRatio > 0
          ? { ...measured, computeRatio: options.computeRatio, notValidated: !(options.computeRatio <= BACKTESTED_COMPUTE_RATIO) }
          : measured;
      if (!base) return { ...predictCrossRun(fit, params, tokens, options?.nonEmbeddingParams), distance };
      // The interval widens with the distance from the data, as the backtests measure (calibration.ts).
      // Past the largest run of a family that bends there, at least the miss the bend caused.
      const p = base.prediction;
      return {
        ...p,
        interval: intervalAtDistance(p.value, narrowed(p.value, p.interval, options?.fitNarrowing), distance.computeRatio, bend),
        distance,
        ...(base.monotone ? { ...(base.monotone.regime ? { regime: { ...base.monotone.regime } } : {}), monotone: { ...base.monotone.at } } : {}),
      };
    },
  };
  /**
   * The prediction at (N, D) before the distance floor, and the distance from the runs: both depend
   * on (N, D) alone, and the ladder asks one target over and over with other distances and
   * narrowings (ladder.ts widthsFor), so the last few are kept (the model never changes).
   */
  function baseAt(params: number, tokens: number, nonEmbeddingParams: number | undefined): { measured: Distance; base?: BaseAt } {
    const key = `${params},${tokens},${nonEmbeddingParams}`;
    const hit = baseCache.get(key);
    if (hit) return hit;
    const measured = distanceFrom(input, params, tokens);
    const out: { measured: Distance; base?: BaseAt } = { measured };
    const fields = fieldsOf();
    if (params > 0 && tokens > 0 && Number.isFinite(params) && Number.isFinite(tokens)) {
      if (!fields.law && !overtrain) out.base = { prediction: predictCrossRun(fit, params, tokens, nonEmbeddingParams) };
      else {
        // The law (or the regime blend) times the runs' field, monotone by construction (fit/residualField.ts,
        // plan/blendEnvelope.ts): the interval of the law there, scaled by the runs' factor.
        const at = modelAt(params, tokens, nonEmbeddingParams);
        const ne = at.params === params ? nonEmbeddingParams : undefined;
        const there = overtrain ? predictInRegime(fit, overtrain, at.params, at.tokens) : predictCrossRun(fit, at.params, at.tokens, ne);
        const k = at.factor;
        const prediction = k !== 1 ? { ...there, value: there.value * k, interval: [there.interval[0] * k, there.interval[1] * k] as [number, number] } : there;
        if (at.params === params && at.tokens === tokens) out.base = { prediction };
        else {
          const why = fields.law ? 'the model (its two laws, each through the runs)' : 'the regime blend';
          const note = `Monotone by construction: ${why} would predict worse here than at ${at.params.toExponential(3)} parameters and ${at.tokens.toExponential(3)} tokens (its two laws disagree in the blend), so the loss is that one (more parameters or tokens never predict worse).`;
          const regime = 'regime' in there ? (there as { regime: RegimeInfo }).regime : undefined;
          out.base = {
            prediction,
            monotone: { regime: regime ? { ...regime, note: `${regime.note} ${note}` } : undefined, at: { params: at.params, tokens: at.tokens, note } },
          };
        }
      }
    }
    if (baseCache.size >= BASE_CACHE_SIZE) baseCache.delete(baseCache.keys().next().value!);
    baseCache.set(key, out);
    return out;
  }
}

/**
 * The interval of a cross-run prediction at `computeRatio` × the compute of the largest fitted run:
 * the law's calibrated interval widened to the distance floor the backtests measure (calibration.ts),
 * and past the largest run of a family that bends there (`bend`), at least the miss the bend caused.
 * One rule for the lens, the planner and `fit --predict`, so they give one interval for one (N, D).
 */
export function intervalAtDistance(
  value: number,
  interval: readonly [number, number],
  computeRatio: number,
  bend?: Pick<FamilyBreak, 'heldOutMiss'>,
): [number, number] {
  const atDistance = calibrateAtDistance(value, interval, computeRatio);
  return bend && computeRatio > 1 ? floorInterval(value, atDistance, bend.heldOutMiss, true) : atDistance;
}

/** A family model's prediction before the distance floor (familyModel's cache). */
interface BaseAt {
  prediction: Prediction;
  /** Set where the monotone envelope gave the loss: the regime note with why, and where. */
  monotone?: { regime?: RegimeInfo; at: { params: number; tokens: number; note: string } };
}

/** Predictions kept per family model (the ladder's target, and a few more for the views). */
const BASE_CACHE_SIZE = 8;

/**
 * The family's model from a fitted family (the snapshot's FamilyLaw) and its over-training fit: the
 * one construction the lens's estimate and the ladder planner share, so they predict alike.
 */
export function familyModelOf(
  law: { family: string; fit: CrossRunFit; runIds: string[]; points?: readonly CrossRunPoint[]; anchoredRunIds?: readonly string[] },
  overtrain: LawCrossRunFit | { error: string } | undefined,
): FamilyModel {
  return familyModel({ family: law.family, fit: law.fit, overtrain, runsUsed: law.runIds, points: law.points, anchoredRunIds: law.anchoredRunIds });
}

/**
 * Runs whose data contradict monotonicity: a run with at least as many parameters and tokens as
 * another (one of them ≥ 5% more) that ended more than `tolerance` (relative) worse. The model is
 * monotone by construction; where the data are not, this names the runs.
 */
export function nonMonotoneRuns(points: readonly CrossRunPoint[], tolerance = 0.005): string[] {
  const out: string[] = [];
  for (const big of points) {
    for (const small of points) {
      if (big === small || big.runId === small.runId) continue;
      const dominates = big.params >= small.params && big.tokens >= small.tokens && (big.params > 1.05 * small.params || big.tokens > 1.05 * small.tokens);
      if (dominates && big.loss > small.loss * (1 + tolerance)) {
        out.push(
          `${big.runId} (more parameters and tokens) ended at ${big.loss.toFixed(3)}, worse than ${small.runId} at ${small.loss.toFixed(3)}: the data are not monotone there.`,
        );
      }
    }
  }
  return out;
}

/**
 * Where the model's predicted loss rises with N or with D (finite differences on a log grid from
 * half the smallest fitted N to `reachN`× the largest, tokens per parameter 1 to 1000). Empty when
 * the model is monotone (more parameters and more tokens never predict worse).
 */
export function monotonicityViolations(model: Pick<FamilyModel, 'predict' | 'fit'>, reachN = 1000, tolerance = 1e-9): string[] {
  const [nRange] = model.fit.dataRanges;
  if (!nRange) return [];
  const out: string[] = [];
  const lnN0 = Math.log(nRange[0] / 2);
  const lnN1 = Math.log(nRange[1] * reachN);
  const h = 0.02;
  for (let i = 0; i <= 24; i++) {
    const n = Math.exp(lnN0 + ((lnN1 - lnN0) * i) / 24);
    for (let j = 0; j <= 12; j++) {
      const d = n * Math.exp((Math.log(1000) * j) / 12);
      const here = model.predict(n, d).value;
      const moreN = model.predict(n * Math.exp(h), d).value;
      const moreD = model.predict(n, d * Math.exp(h)).value;
      if (moreN > here * (1 + tolerance))
        out.push(`more parameters predict worse at N=${n.toExponential(2)}, D=${d.toExponential(2)} (${here.toFixed(4)} → ${moreN.toFixed(4)})`);
      if (moreD > here * (1 + tolerance))
        out.push(`more tokens predict worse at N=${n.toExponential(2)}, D=${d.toExponential(2)} (${here.toFixed(4)} → ${moreD.toFixed(4)})`);
    }
  }
  return out;
}
