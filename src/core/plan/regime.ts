// Which loss law a plan's prediction uses follows its regime smoothly.
//
// Near compute-optimal (about 20 tokens per parameter, where a family's runs usually sit) the
// family's fitted Chinchilla law L = E + A/N^α + B/D^β is used. Far into over-training the
// over-training law of Gadre et al. 2024 (arXiv 2403.08540, Eq. 4) is used: L = E + (a·M^η +
// b·M^−η)·C^−η with M = D/N and C = 6·N·D, which is Chinchilla's form with one exponent, 2η, on
// both N and D (a·M^η·C^−η = a·6^−η·N^−2η, b·M^−η·C^−η = b·6^−η·D^−2η). Gadre et al. show that
// tying the exponents is what keeps the loss of over-trained models (their M from 5 to 640)
// predictable; two free exponents fitted near M = 20 say little about M = 500.
//
// Method: a BLEND, not a choice. Between 40 and 160 tokens per parameter (2× and 8× the
// compute-optimal 20) the prediction moves from one law to the other with a weight that is a
// smootherstep in ln(D/N) (zero first and second derivatives at both ends), so the lens never
// jumps when a plan crosses a threshold: loss and interval are continuous and smooth in N and D.
// Both laws are fitted to the same runs; the over-training law's priors come from the family's
// own Chinchilla fit (η = (α + β)/4, a = A·6^η, b = B·6^η), so where the data are both agree.
// When the over-training law cannot be fitted the Chinchilla law is used at every ratio (said).
import { predictCrossRun, EXPONENT_PRIOR_SD, SCALE_PRIOR_SD, type CrossRunFit, type CrossRunPoint } from '../fit/crossRun';
import { fitCrossRunLaw, predictWithFit, type LawCrossRunFit } from '../fit/crossRunLaw';
import type { ContrastPrior, Prior } from '../fit/fitLaw';
import type { Prediction } from '../fit/types';
import { chinchillaLaw } from '../laws/chinchilla';
import { overtrainLaw } from '../laws/overtrain';

/** Below this many tokens per parameter the Chinchilla law alone (2× compute-optimal). */
export const BLEND_START_TOKENS_PER_PARAM = 40;
/** Above this many tokens per parameter the over-training law alone (8× compute-optimal). */
export const BLEND_END_TOKENS_PER_PARAM = 160;

/**
 * Weight of the over-training law at `tokensPerParam`: 0 up to BLEND_START, 1 from BLEND_END,
 * Perlin's smootherstep 6t⁵ − 15t⁴ + 10t³ of t = position in ln(D/N) between them.
 */
export function overtrainWeight(tokensPerParam: number): number {
  if (tokensPerParam === Number.POSITIVE_INFINITY) return 1;
  if (!(tokensPerParam > 0)) return 0;
  const t =
    (Math.log(tokensPerParam) - Math.log(BLEND_START_TOKENS_PER_PARAM)) / (Math.log(BLEND_END_TOKENS_PER_PARAM) - Math.log(BLEND_START_TOKENS_PER_PARAM));
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  return t * t * t * (t * (6 * t - 15) + 10);
}

/** What the prediction used, for notes, the lens tooltip and the hover. */
export interface RegimeInfo {
  method: 'blend';
  tokensPerParam: number;
  /** Weight of the over-training law (0 = Chinchilla only, 1 = over-training law only). */
  overtrainWeight: number;
  /** Leave-largest-out error of each law on the family, when it was checked (percent). */
  validationErrorPct: { chinchilla?: number; overtrain?: number };
  /** Why the over-training law is not in the blend, when it is not. */
  overtrainUnavailable?: string;
  note: string;
}

export interface RegimeOptions {
  deadline?: number;
  isCancelled?: () => boolean;
  seed?: number;
  resamples?: number;
}

/** Over-training fits by the Chinchilla fit they accompany (a family's fit object is cached by the workspace). */
const overtrainFits = new WeakMap<CrossRunFit, LawCrossRunFit | { error: string }>();

function fitParam(fit: CrossRunFit, name: string): number {
  return fit.fitParams[chinchillaLaw.parameters.findIndex((p) => p.name === name)];
}

/** Priors of the over-training law (fit space) that make it agree with the family's Chinchilla fit. */
export function overtrainPriorsFrom(chinchilla: CrossRunFit): Record<string, Prior> {
  const eta = (fitParam(chinchilla, 'alpha') + fitParam(chinchilla, 'beta')) / 4;
  return {
    eta: { mean: eta, sd: EXPONENT_PRIOR_SD / 2 },
    a: { mean: fitParam(chinchilla, 'a') + eta * Math.log(6), sd: SCALE_PRIOR_SD },
    b: { mean: fitParam(chinchilla, 'b') + eta * Math.log(6), sd: SCALE_PRIOR_SD },
  };
}

/**
 * When the family's runs all sit at one tokens-per-parameter ratio (the Chinchilla fit's
 * `allocationPrior`), the over-training law's dependence on M = D/N is as unidentified as
 * Chinchilla's N/D split: the data see only its ridge. It is then held to the Chinchilla fit there
 * (the same split of the loss between its two terms at the runs' centre, and η = (α + β)/4 tightly),
 * so the two laws of the blend do not disagree in level far from the data and pull the planner's
 * argmin into whichever regime happens to extrapolate lower.
 */
export const TIED_ETA_SD = 0.005;
export const TIED_SPLIT_SD = 0.1;

function tiedOvertrainContrasts(chinchilla: CrossRunFit): ContrastPrior[] | undefined {
  const at = chinchilla.allocationPrior;
  if (!at) return undefined;
  const lnN = Math.log(at.params);
  const lnD = Math.log(at.tokens);
  const split = fitParam(chinchilla, 'a') - fitParam(chinchilla, 'alpha') * lnN - fitParam(chinchilla, 'b') + fitParam(chinchilla, 'beta') * lnD;
  // Over-training law's terms: a·6^−η·N^−2η and b·6^−η·D^−2η; their log ratio is a − b + 2η·ln(D/N).
  return [{ coefficients: { a: 1, b: -1, eta: 2 * (lnD - lnN) }, mean: split, sd: TIED_SPLIT_SD }];
}

/** The over-training law fitted to the runs of a family, remembered with its Chinchilla fit. */
export function overtrainFitFor(chinchilla: CrossRunFit, points: readonly CrossRunPoint[], opts: RegimeOptions = {}): LawCrossRunFit | { error: string } {
  const cached = overtrainFits.get(chinchilla);
  if (cached) return cached;
  const lawPoints = points
    .filter((p) => p.params > 0 && p.tokens > 0)
    .map((p) => ({ runId: p.runId, x: [p.params, p.tokens / p.params], y: p.loss, ...(p.forecast ? { forecast: true } : {}) }));
  const fit = fitCrossRunLaw(overtrainLaw, lawPoints, {
    deadline: opts.deadline,
    isCancelled: opts.isCancelled,
    seed: opts.seed ?? 1,
    resamples: opts.resamples ?? chinchilla.bootstrap.resamples,
    priors: chinchilla.allocationPrior
      ? { ...overtrainPriorsFrom(chinchilla), eta: { ...overtrainPriorsFrom(chinchilla).eta, sd: TIED_ETA_SD } }
      : overtrainPriorsFrom(chinchilla),
    contrastPriors: tiedOvertrainContrasts(chinchilla),
  });
  // A fit cut short is tried again next time.
  if (!('timedOut' in fit && fit.timedOut)) overtrainFits.set(chinchilla, fit);
  return fit;
}

function mix(a: number, b: number, w: number): number {
  return w === 0 ? a : w === 1 ? b : (1 - w) * a + w * b;
}

/**
 * Loss of N parameters trained on D tokens from a family's laws, blended by regime (see the top
 * of this file). `overtrain` is the family's over-training fit, or why there is none.
 */
export function predictInRegime(
  chinchilla: CrossRunFit,
  overtrain: LawCrossRunFit | { error: string },
  params: number,
  tokens: number,
): Prediction & { regime: RegimeInfo } {
  const ratio = tokens / params;
  const usable = !('error' in overtrain) && !overtrain.timedOut;
  const w = usable ? overtrainWeight(ratio) : 0;
  const validationErrorPct: RegimeInfo['validationErrorPct'] = {};
  if (chinchilla.validation) validationErrorPct.chinchilla = chinchilla.validation.errorPct;
  if (!('error' in overtrain) && overtrain.validation) validationErrorPct.overtrain = overtrain.validation.errorPct;
  const base = predictCrossRun(chinchilla, params, tokens);
  const other = usable && w > 0 ? predictWithFit(overtrainLaw, overtrain as LawCrossRunFit, [params, ratio]) : undefined;
  const value = other ? mix(base.value, other.value, w) : base.value;
  const interval: [number, number] = other ? [mix(base.interval[0], other.interval[0], w), mix(base.interval[1], other.interval[1], w)] : base.interval;
  const flags = [...(w < 1 ? (base.flags ?? []) : []), ...(other?.flags ?? [])];
  const checked = [
    validationErrorPct.chinchilla !== undefined ? `Chinchilla ${validationErrorPct.chinchilla.toFixed(1)}%` : '',
    validationErrorPct.overtrain !== undefined ? `over-training ${validationErrorPct.overtrain.toFixed(1)}%` : '',
  ].filter(Boolean);
  const validation = checked.length ? ` Leave-largest-out error (the largest finished run held out): ${checked.join(', ')}.` : '';
  const span = `${BLEND_START_TOKENS_PER_PARAM}–${BLEND_END_TOKENS_PER_PARAM} tokens/parameter`;
  let note: string;
  let overtrainUnavailable: string | undefined;
  if (!usable) {
    overtrainUnavailable = 'error' in overtrain ? overtrain.error : 'its fit was cut short';
    note = `Loss law: Chinchilla at every ratio (${ratio.toFixed(1)} tokens/parameter here); the over-training law (Gadre et al. 2024) is not used (${overtrainUnavailable}), so there is no blend toward it above ${BLEND_START_TOKENS_PER_PARAM} tokens/parameter.${validation}`;
  } else if (w === 0) {
    note = `Loss law: blend by regime; at ${ratio.toFixed(1)} tokens/parameter the Chinchilla law alone (the over-training law of Gadre et al. 2024 blends in smoothly over ${span}).${validation}`;
  } else if (w === 1) {
    note = `Loss law: blend by regime; at ${ratio.toFixed(1)} tokens/parameter the over-training law of Gadre et al. 2024 alone (blended from the Chinchilla law over ${span}).${validation}`;
  } else {
    const digits = w < 0.05 || w > 0.95 ? 1 : 0;
    note = `Loss law: blend by regime; at ${ratio.toFixed(1)} tokens/parameter ${(100 * (1 - w)).toFixed(digits)}% Chinchilla + ${(100 * w).toFixed(digits)}% over-training law (Gadre et al. 2024), weights smooth in ln(D/N) over ${span}.${validation}`;
  }
  const out: Prediction & { regime: RegimeInfo } = {
    value,
    interval,
    lawId: base.lawId,
    regime: { method: 'blend', tokensPerParam: ratio, overtrainWeight: w, validationErrorPct, note, ...(overtrainUnavailable ? { overtrainUnavailable } : {}) },
  };
  if (flags.length) out.flags = [...new Set(flags)];
  return out;
}
