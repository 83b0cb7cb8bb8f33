// Plan a compute budget: the loss-optimal model size N and tokens D for a budget in FLOPs,
// accelerator-hours or dollars, with LR and batch advice, predicted loss and cost, and a few
// alternatives (smaller model trained longer, larger model).
//
// Allocation convention: C = 6·N·D with N total parameters (Hoffmann et al. 2022), the
// convention the Chinchilla law and IsoFLOP frontiers are fitted in. The reported `flops` of each
// candidate is that same 6·N·D; an exact count for a concrete architecture (with the attention
// term) comes from `estimate` on a config.
//
// Frontier, in order of preference:
//  1. a fitted IsoFLOP frontier N*(C), D*(C) (Approach 2) passed in the context;
//  2. a fitted Chinchilla law of a family: argmin over N of L(N, C/6N);
//  3. the default: the same argmin on Epoch AI's refit of Chinchilla (Besiroglu et al. 2024),
//     which gives ~20 tokens per parameter near 1e21 FLOPs. Its loss is not the user's loss
//     (other data and tokenizer), so the default plan's loss is "uncalibrated".
import { chinchillaLaw } from '../laws/chinchilla';
import { DEFAULT_FAMILY_LAW, familyLaw } from '../laws/familyLaws';
import { approxTrainingFlops, FLOPS_PER_PARAM_TOKEN, tokensForFlops } from '../laws/trainingCompute';
import { lawParams, type CrossRunFit, type CrossRunPoint } from '../fit/crossRun';
import type { LawCrossRunFit } from '../fit/crossRunLaw';
import { predictFrontier, type IsoflopFrontier } from '../fit/isoflop';
import { goldenSectionMinimum } from '../fit/goldenSection';
import { calibrateFrontierAtDistance } from '../fit/calibration';
import type { Prediction } from '../fit/types';
import { overtrainWeight, type RegimeInfo } from './regime';
import { overtrainLaw } from '../laws/overtrain';
import { distanceFrom, familyModel, nonMonotoneRuns, type Distance, type FamilyModel } from './familyModel';
import { computeTime, findHardware, hardwareTable, type HardwareProfile, type HardwareTable } from './hardware';
import { modelStateBytesPerParam } from './memory';
import { publishedHparams } from './advice';
import { parseSuffixedNumber, type NumberSyntax } from '../numberText';
import { appendAll } from '../../shared/arrays';
import { formatCount } from '../../shared/format';
import { nStarText } from './nStarText';

// ---- budget text --------------------------------------------------------------------------

export type Budget =
  | { kind: 'flops'; flops: number; text: string }
  | { kind: 'gpuHours'; gpuHours: number; hardware: string; text: string }
  | { kind: 'usd'; usd: number; text: string };

/** Above this a budget is not a plan but a typo (1e30 FLOPs is ~10⁴× the largest runs of 2025). */
export const MAX_BUDGET_FLOPS = 1e30;
/** Below this (a few seconds of one GPU) there is nothing to plan. */
export const MIN_BUDGET_FLOPS = 1e12;

/** How the numbers of a budget are written: `1e21`, `5k`, `$2M`, `$1.5 million`, `1,200`; a sign is read so that the error can say it. */
const BUDGET_NUMBER: NumberSyntax = { suffixes: 'kKmMbBgGtTPEZY', separators: ',_', signed: true, words: true };

/**
 * A budget as people write it: `1e21` or `1e21 FLOPs` (FLOPs), `5000 H100-h` / `5000 H100 hours` /
 * `5k GPU-h` (accelerator-hours; plain `GPU` means the default hardware), `$2M` / `2e6 USD` (dollars).
 */
export function parseBudget(text: string): Budget | { error: string } {
  const raw = text.trim();
  if (!raw) return { error: 'empty budget: give FLOPs (1e21), accelerator-hours (5000 H100-h) or dollars ($2M)' };
  let m = /^\$\s*(.+)$/.exec(raw) ?? /^(.+?)\s*(?:usd|dollars?|\$)$/i.exec(raw);
  if (m) {
    const usd = parseSuffixedNumber(m[1], BUDGET_NUMBER);
    if (usd === undefined) return { error: `cannot read a dollar amount in "${raw}"` };
    if (usd <= 0) return { error: `the budget must be positive (got $${usd})` };
    return { kind: 'usd', usd, text: raw };
  }
  m = /^(.+?)\s*flops?$/i.exec(raw);
  const flopsOnly = parseSuffixedNumber(m ? m[1] : raw, BUDGET_NUMBER);
  if (flopsOnly !== undefined) {
    if (flopsOnly <= 0) return { error: `the budget must be positive (got ${flopsOnly} FLOPs)` };
    return { kind: 'flops', flops: flopsOnly, text: raw };
  }
  m = /^(.+?)\s+([A-Za-z][\w.-]*?)[\s-]*(?:h|hr|hrs|hours?|gpu-?h(?:ours?)?)$/i.exec(raw);
  if (m) {
    const hours = parseSuffixedNumber(m[1], BUDGET_NUMBER);
    if (hours === undefined) return { error: `cannot read a number of hours in "${raw}"` };
    if (hours <= 0) return { error: `the budget must be positive (got ${hours} hours)` };
    const hw = m[2].replace(/[-\s]+$/, '');
    return { kind: 'gpuHours', gpuHours: hours, hardware: /^(gpu|accelerator|chip)s?$/i.test(hw) ? '' : hw, text: raw };
  }
  return { error: `cannot read the budget "${raw}": give FLOPs (1e21), accelerator-hours (5000 H100-h) or dollars ($2M)` };
}

// ---- request and result --------------------------------------------------------------------

export interface BudgetRequest {
  budget: Budget;
  /** Fixed model size (total parameters): only D is chosen. */
  params?: number;
  /** Tokens to be served after training: the budget then covers training plus inference (2·N FLOPs per token). */
  inferenceTokens?: number;
  /** Deadline: training must finish within this many days on `gpus` accelerators. */
  deadlineDays?: number;
  gpus?: number;
  /** Memory per accelerator (bytes) the training state must fit in. */
  memoryCapBytes?: number;
  /** Hardware profile id (default: the table's default). */
  hardware?: string;
  /** Sequence length for batch advice and the suggested shape (default 2048). */
  seqLen?: number;
  /** Vocabulary for the suggested shape (default 50,304). */
  vocab?: number;
}

export interface BudgetContext {
  hardware?: HardwareTable;
  /** A fitted IsoFLOP frontier (preferred for N*, D*), with the data it was fitted on named. */
  frontier?: { fit: IsoflopFrontier; source: string };
  /**
   * A fitted Chinchilla law for the loss (and the frontier when no IsoFLOP fit is given). With the
   * family's over-training fit (`overtrain`, or why there is none), each candidate's loss follows
   * its regime (regime.ts: blended into the over-training law far past compute-optimal); without
   * it, Chinchilla at every ratio. The caller fits it (the workspace engine, through its fitter).
   */
  lossLaw?: {
    fit: CrossRunFit;
    family: string;
    runsUsed: string[];
    overtrain?: LawCrossRunFit | { error: string };
    points?: readonly CrossRunPoint[];
    anchoredRunIds?: readonly string[];
  };
}

export interface ShapeSuggestion {
  nLayer: number;
  dModel: number;
  vocab: number;
  /** Non-embedding parameters of this shape (≈ 12·L·d², Kaplan's approximation; a ladder run's as its written config counts them). */
  nonEmbeddingParams: number;
  note: string;
}

export interface HparamAdvice {
  /** Value shown as the recommendation (Step Law when its inputs exist). */
  value: number;
  steplaw: number;
  deepseek: number;
  source: string;
}

export interface InferenceCost {
  tokens: number;
  flops: number;
  gpuHours: number;
  usd: number;
}

export interface BudgetCandidate {
  label: string;
  params: number;
  tokens: number;
  tokensPerParam: number;
  shape: ShapeSuggestion;
  lr: HparamAdvice;
  batchTokens: HparamAdvice;
  /** `distance`: how far this row lies from the family's runs (familyModel.ts), with a fitted law. */
  loss: (Prediction & { family?: string; runsUsed?: string[]; regime?: RegimeInfo; distance?: Distance }) | { uncalibrated: string };
  /** Training FLOPs, 6·N·D. */
  flops: number;
  gpuHours: number;
  usd: number;
  /** Wall clock in days on `gpus` accelerators, when given. */
  wallClockDays?: number;
  /** Bytes per accelerator of weights, gradients and Adam state (16 B/param, sharded over `gpus` when given). */
  modelStateBytesPerGpu: number;
  inference?: InferenceCost;
  notes: string[];
}

export interface BudgetPlan {
  budget: Budget;
  /** Training compute the plan allocates (after converting hours/dollars and any deadline). */
  flops: number;
  hardware: { id: string; name: string; usdPerHour: number; mfu: number; peakFlopsPerSecond: number };
  frontier: string;
  /** What the recommendation is best by; every row's loss comes from the same model. */
  objective: string;
  /**
   * With a fitted family model: N* and D* at this budget with 80% intervals (the argmin redone on
   * each bootstrap parameter set of the family's fits, widened for the distance from the family's
   * largest run as the backtests measure), and the loss cost (%) of half and twice N*.
   */
  frontierUncertainty?: {
    nStar: [number, number];
    dStar: [number, number];
    /** The bootstrap's own N* interval, before the distance floor widened it. */
    nStarBootstrap: [number, number];
    /** The budget over the compute of the family's largest finished run (when the runs are known). */
    computeRatio?: number;
    resamples: number;
    halfSizeCostPct: number;
    doubleSizeCostPct: number;
  };
  /** The runs that would narrow the N* interval most per cost (plan/frontierNarrowing.ts: the callers that may search set it). */
  narrowing?: FrontierNarrowing;
  recommended: BudgetCandidate;
  alternatives: BudgetCandidate[];
  notes: string[];
}

/** A run that would narrow the planner's N* interval, and the interval once it (and the ones before it) is in. */
export interface NarrowingRun {
  params: number;
  tokens: number;
  tokensPerParam: number;
  /** 6·N·D. */
  flops: number;
  gpuHours: number;
  usd: number;
  /** The N* 80% interval expected once this run and those listed before it have finished. */
  nStarAfter: [number, number];
  /** Fraction of the N* interval's log width (as it is now) this run removes on its own, beyond the runs listed before it. */
  cut: number;
}

/** "Which runs would narrow it": the ladder's search (plan/ladder.ts) with the budget as its target and N* as what it narrows. */
export interface FrontierNarrowing {
  runs: NarrowingRun[];
  /** Compute the search could spend on them. */
  searchFlops: number;
  timedOut: boolean;
  note: string;
  /** The N* interval once the family's runs still training have finished, when they narrow it (the named runs' cuts are beyond it). */
  withTraining?: [number, number];
}

// ---- frontier ------------------------------------------------------------------------------

/** Chinchilla law parameters in natural units. */
interface ChinchillaParams {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

const REFERENCE = chinchillaLaw.reference!.values as unknown as ChinchillaParams;

function chinchillaLoss(p: ChinchillaParams, n: number, d: number): number {
  return p.E + p.A / n ** p.alpha + p.B / d ** p.beta;
}

/** Closed-form argmin of L(N, C/6N) (Hoffmann et al. eq. 4): N* = G·(C/6)^(β/(α+β)). */
export function chinchillaOptimalParams(p: ChinchillaParams, flops: number): number {
  const g = ((p.alpha * p.A) / (p.beta * p.B)) ** (1 / (p.alpha + p.beta));
  return g * (flops / FLOPS_PER_PARAM_TOKEN) ** (p.beta / (p.alpha + p.beta));
}

function fittedParams(fit: CrossRunFit): ChinchillaParams | undefined {
  const get = (k: string) => fit.parameters[k]?.value;
  const E = get('E'),
    A = get('A'),
    B = get('B'),
    alpha = get('alpha'),
    beta = get('beta');
  if ([E, A, B, alpha, beta].some((v) => v === undefined || !Number.isFinite(v))) return undefined;
  return { E: E!, A: A!, B: B!, alpha: alpha!, beta: beta! };
}

/** N minimising L(N, D) under 6·N·D + 2·N·T = C (training plus serving T tokens), by golden section on ln N. */
function optimalWithInference(p: ChinchillaParams, flops: number, inferenceTokens: number, nGuess: number): number {
  const lossAt = (lnN: number) => {
    const n = Math.exp(lnN);
    const d = tokensForFlops(flops - 2 * n * inferenceTokens, n);
    return d <= 0 ? Number.POSITIVE_INFINITY : chinchillaLoss(p, n, d);
  };
  const lo = Math.log(nGuess) - 12;
  const hi = Math.min(Math.log(nGuess) + 1, Math.log(flops / (2 * inferenceTokens)));
  return Math.exp(goldenSectionMinimum(lossAt, lo, hi, { tolerance: 1e-9, maxSteps: 200 }));
}

/**
 * The N minimising `lossAt(N)` (the family model's loss along the budget): a log grid from e^-5 to
 * e^3 times `guess` (capped at `maxN`), then golden section between the best grid point's neighbours.
 * A grid first, because a blend of two laws along the budget need not be unimodal.
 */
function modelArgmin(lossAt: (n: number) => number, guess: number, maxN: number): number {
  const lo = Math.log(guess) - 5;
  const hi = Math.min(Math.log(guess) + 3, Math.log(maxN) - 1e-6);
  const steps = 80;
  let best = -1;
  let bestLoss = Number.POSITIVE_INFINITY;
  const at = (lnN: number) => {
    const v = lossAt(Math.exp(lnN));
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  for (let i = 0; i <= steps; i++) {
    const v = at(lo + ((hi - lo) * i) / steps);
    if (v < bestLoss) {
      bestLoss = v;
      best = i;
    }
  }
  if (best < 0) return guess;
  const a = lo + ((hi - lo) * Math.max(0, best - 1)) / steps;
  const b = lo + ((hi - lo) * Math.min(steps, best + 1)) / steps;
  return Math.exp(goldenSectionMinimum(at, a, b, { tolerance: 1e-9, maxSteps: 200 }));
}

/** N* of the family model at `flops`: its argmin along the budget (`tokensFor`: the training tokens of N; default C/6N), seeded by Chinchilla's closed form. */
function familyArgmin(
  model: Pick<FamilyModel, 'predict'>,
  fit: CrossRunFit,
  flops: number,
  tokensFor: (n: number) => number = (n) => tokensForFlops(flops, n),
  maxN = Number.POSITIVE_INFINITY,
): number {
  const fitted = fittedParams(fit);
  const guess = fitted ? chinchillaOptimalParams(fitted, flops) : NaN;
  return modelArgmin((n) => model.predict(n, tokensFor(n)).value, Number.isFinite(guess) && guess > 0 ? guess : Math.sqrt(flops / 120), maxN);
}

/** N* at a compute with its 80% interval (BudgetPlan.frontierUncertainty; undefined without bootstrap samples). */
export interface FamilyFrontier {
  nStar: number;
  uncertainty?: NonNullable<BudgetPlan['frontierUncertainty']>;
}

/**
 * N* at `flops` and its interval, as Plan Compute Budget computes them: the one computation that
 * `plan`, `ladder`, Plan Compute Budget and Plan Experiments show for one compute, so that they never
 * disagree (the ladder's "N* after each run" narrows this interval). `model`: the family model
 * already built from `law` (familyModelOf), else built here.
 */
export function familyFrontier(law: NonNullable<BudgetContext['lossLaw']>, flops: number, model?: Pick<FamilyModel, 'predict'>): FamilyFrontier | undefined {
  if (!(flops > 0) || !Number.isFinite(flops)) return undefined;
  const m =
    model ??
    familyModel({ family: law.family, fit: law.fit, overtrain: law.overtrain, runsUsed: law.runsUsed, points: law.points, anchoredRunIds: law.anchoredRunIds });
  const nStar = familyArgmin(m, law.fit, flops);
  if (!Number.isFinite(nStar) || !(nStar > 0)) return undefined;
  const uncertainty = frontierInterval(law, flops, nStar);
  return { nStar, ...(uncertainty ? { uncertainty } : {}) };
}

/**
 * The argmin along the budget redone on each bootstrap parameter set of the family's law (its own
 * law: Chinchilla, Kaplan, ...; for Chinchilla the i-th sample with the i-th over-training sample,
 * blended by regime as the family model blends them), 10th–90th percentiles, widened in ln N* to
 * the floor the backtests call for at the budget's distance from the family's largest run
 * (calibration.ts FRONTIER_DISTANCE_FLOOR: refits agree more than the argmin is right); and the
 * loss cost of half and twice N* by the best fit. Undefined without bootstrap samples.
 */
function frontierInterval(law: NonNullable<BudgetContext['lossLaw']>, flops: number, nStar: number): BudgetPlan['frontierUncertainty'] {
  const samples = law.fit.samples;
  if (samples.length < 10) return undefined;
  const model = familyModel({
    family: law.family,
    fit: law.fit,
    overtrain: law.overtrain,
    runsUsed: law.runsUsed,
    points: law.points,
    anchoredRunIds: law.anchoredRunIds,
  });
  const spec = familyLaw(law.fit.lawId);
  // The over-training fit the family model blends (none when it left it out as a misfit).
  const ot = spec.blendsWithOvertrain && model.overtrain && !('error' in model.overtrain) && !model.overtrain.timedOut ? model.overtrain : undefined;
  const stars: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const c = samples[i];
    const o = ot?.samples.length ? ot.samples[i % ot.samples.length] : undefined;
    const value = (n: number) => {
      const d = tokensForFlops(flops, n);
      const lc = spec.law.evaluate(c, [lawParams(law.fit, n), d]);
      const w = o ? overtrainWeight(d / n) : 0;
      return w === 0 ? lc : (1 - w) * lc + w * overtrainLaw.evaluate(o!, [n, d / n]);
    };
    const n = modelArgmin(value, nStar, Number.POSITIVE_INFINITY);
    if (Number.isFinite(n) && n > 0) stars.push(n);
  }
  if (stars.length < 10) return undefined;
  stars.sort((a, b) => a - b);
  const q = (p: number) => stars[Math.min(stars.length - 1, Math.max(0, Math.round(p * (stars.length - 1))))];
  const at = (n: number) => model.value(n, tokensForFlops(flops, n));
  const best = at(nStar);
  const bootstrap: [number, number] = [q(0.1), q(0.9)];
  // Only the distance is needed here, not a prediction (which evaluates every bootstrap sample).
  const computeRatio = distanceFrom(law, nStar, tokensForFlops(flops, nStar)).computeRatio;
  const nInterval = calibrateFrontierAtDistance(nStar, bootstrap, computeRatio);
  return {
    nStar: nInterval,
    dStar: [tokensForFlops(flops, nInterval[1]), tokensForFlops(flops, nInterval[0])],
    nStarBootstrap: bootstrap,
    ...(computeRatio !== undefined ? { computeRatio } : {}),
    resamples: stars.length,
    halfSizeCostPct: (100 * (at(nStar / 2) - best)) / best,
    doubleSizeCostPct: (100 * (at(nStar * 2) - best)) / best,
  };
}

// ---- shape and hyperparameters -------------------------------------------------------------

/** A plausible decoder shape with `params` total: d_model = 128·n_layer (Llama/GPT-3 aspect), tied embeddings. */
export function suggestShape(params: number, vocab = 50304): ShapeSuggestion {
  // Solve 12·L·d² + V·d = N with d = 128·L, i.e. 12·d³/128 + V·d = N (Newton on d).
  let d = Math.cbrt((params * 128) / 12);
  for (let i = 0; i < 50; i++) {
    const f = (12 * d ** 3) / 128 + vocab * d - params;
    const df = (36 * d ** 2) / 128 + vocab;
    d -= f / df;
    if (d < 1) {
      d = 1;
      break;
    }
  }
  const nLayer = Math.max(1, Math.round(d / 128));
  return {
    nLayer,
    dModel: Math.max(64, Math.round(d / 64) * 64),
    vocab,
    nonEmbeddingParams: Math.max(0, params - vocab * d),
    note: `suggested shape: d_model/n_layer ≈ 128 (as Llama 2 7B: 4096/32), tied ${vocab}-token embedding; non-embedding ≈ N − V·d`,
  };
}

function hparamAdvice(nonEmbedding: number, tokens: number, shape: ShapeSuggestion, seqLen: number): { lr: HparamAdvice; batchTokens: HparamAdvice } {
  const { steplaw, deepseek } = publishedHparams(Math.max(1, nonEmbedding), tokens, shape, seqLen);
  return {
    lr: {
      value: steplaw.lr,
      steplaw: steplaw.lr,
      deepseek: deepseek.lr,
      source: 'Step Law (Li et al. 2025: N non-embedding, D; AdamW, warmup + cosine); DeepSeek (2024: C = M·D, multi-step schedule) for comparison',
    },
    batchTokens: {
      value: steplaw.batchTokens,
      steplaw: steplaw.batchTokens,
      deepseek: deepseek.batchTokens,
      source: 'Step Law bs* = 0.58·D^0.571 tokens; DeepSeek B = 0.292·C^0.3271 tokens',
    },
  };
}

// ---- the plan ------------------------------------------------------------------------------

/** Budget → FLOPs on a profile at an MFU. */
function budgetFlops(budget: Budget, table: HardwareTable, profile: HardwareProfile): { flops: number; profile: HardwareProfile } | { error: string } {
  switch (budget.kind) {
    case 'flops':
      return { flops: budget.flops, profile };
    case 'gpuHours': {
      const hw = budget.hardware ? findHardware(table, budget.hardware) : profile;
      if (!hw)
        return {
          error: `unknown hardware "${budget.hardware}" in the budget; known: ${table.profiles.map((p) => p.id).join(', ')} (add more in scalingLens.hardware.profiles)`,
        };
      return { flops: budget.gpuHours * 3600 * (hw.peakFlops.bf16 ?? 0) * table.mfu, profile: hw };
    }
    case 'usd':
      return { flops: (budget.usd / profile.usdPerHour) * 3600 * (profile.peakFlops.bf16 ?? 0) * table.mfu, profile };
  }
}

function positiveOrUndefined(name: string, v: number | undefined, errors: string[]): void {
  if (v !== undefined && !(Number.isFinite(v) && v > 0)) errors.push(`${name} must be a positive number (got ${v})`);
}

/** The loss-optimal plan for a budget with alternatives, or an error saying what is wrong with the request. */
export function planBudget(request: BudgetRequest, context: BudgetContext = {}): BudgetPlan | { error: string } {
  const table = context.hardware ?? hardwareTable();
  const errors: string[] = [];
  positiveOrUndefined('--params', request.params, errors);
  positiveOrUndefined('--deadline-days', request.deadlineDays, errors);
  positiveOrUndefined('--gpus', request.gpus, errors);
  positiveOrUndefined('--memory-cap', request.memoryCapBytes, errors);
  positiveOrUndefined('sequence length', request.seqLen, errors);
  positiveOrUndefined('vocabulary', request.vocab, errors);
  if (request.inferenceTokens !== undefined && !(Number.isFinite(request.inferenceTokens) && request.inferenceTokens >= 0))
    errors.push(`--inference-tokens must be zero or positive (got ${request.inferenceTokens})`);
  if ((request.deadlineDays === undefined) !== (request.gpus === undefined) && request.deadlineDays !== undefined)
    errors.push('--deadline-days needs --gpus (how many accelerators run until the deadline)');
  if (request.gpus !== undefined && !Number.isInteger(request.gpus)) errors.push(`--gpus must be a whole number (got ${request.gpus})`);
  if (errors.length) return { error: errors.join('; ') };
  const profile0 = findHardware(table, request.hardware);
  if (!profile0) return { error: `unknown hardware "${request.hardware}"; known: ${table.profiles.map((p) => p.id).join(', ')}` };
  const converted = budgetFlops(request.budget, table, profile0);
  if ('error' in converted) return converted;
  const profile = converted.profile;
  const notes: string[] = [...table.problems];
  let flops = converted.flops;
  if (!Number.isFinite(flops) || flops <= 0) return { error: `the budget ${request.budget.text} gives no compute on ${profile.name}` };
  if (flops > MAX_BUDGET_FLOPS)
    return {
      error: `a budget of ${flops.toExponential(2)} FLOPs is beyond any plan (over ${MAX_BUDGET_FLOPS.toExponential(0)}; the largest trainings of 2025 are ~5e26): check the exponent`,
    };
  if (flops < MIN_BUDGET_FLOPS)
    return { error: `a budget of ${flops.toExponential(2)} FLOPs is too small to plan a training run (under ${MIN_BUDGET_FLOPS.toExponential(0)})` };
  if (request.budget.kind !== 'flops')
    notes.push(`${request.budget.text} → ${flops.toExponential(3)} FLOPs at ${(table.mfu * 100).toFixed(0)}% MFU of ${profile.name}'s BF16 peak.`);
  if (request.deadlineDays !== undefined && request.gpus !== undefined) {
    const deadlineFlops = request.deadlineDays * 86400 * request.gpus * (profile.peakFlops.bf16 ?? 0) * table.mfu;
    if (deadlineFlops < flops) {
      notes.push(
        `The deadline binds: ${request.gpus} × ${profile.id} for ${request.deadlineDays} days at ${(table.mfu * 100).toFixed(0)}% MFU give ${deadlineFlops.toExponential(2)} FLOPs, less than the budget's ${flops.toExponential(2)}.`,
      );
      flops = deadlineFlops;
    }
  }
  const inferenceTokens = request.inferenceTokens ?? 0;
  const seqLen = request.seqLen ?? 2048;
  const vocab = request.vocab ?? 50304;

  // Frontier. With a fitted family law, every row's loss and the recommendation come from one
  // model, the family's (familyModel.ts: Chinchilla blended by regime with the over-training law),
  // and the recommendation is that model's argmin along the budget: the best row by construction.
  const fitted = context.lossLaw ? fittedParams(context.lossLaw.fit) : undefined;
  const lawParams = fitted ?? REFERENCE;
  const model: FamilyModel | undefined =
    // Any family law (laws/familyLaws.ts) makes a model; Chinchilla's closed form only seeds the search.
    context.lossLaw && (fitted || context.lossLaw.fit.lawId !== DEFAULT_FAMILY_LAW)
      ? familyModel({
          family: context.lossLaw.family,
          fit: context.lossLaw.fit,
          overtrain: context.lossLaw.overtrain,
          runsUsed: context.lossLaw.runsUsed,
          points: context.lossLaw.points,
          anchoredRunIds: context.lossLaw.anchoredRunIds,
        })
      : undefined;
  const trainingTokensFor = (n: number) => tokensForFlops(flops - 2 * n * inferenceTokens, n);
  let frontierName: string;
  let objective: string;
  let nStar: number;
  let isoflopNStar: number | undefined;
  if (context.frontier) isoflopNStar = predictFrontier(context.frontier.fit, flops).nStar.value;
  if (model) {
    nStar = familyArgmin(model, context.lossLaw!.fit, flops, trainingTokensFor, inferenceTokens > 0 ? flops / (2 * inferenceTokens) : Number.POSITIVE_INFINITY);
    const lawTitle = familyLaw(context.lossLaw!.fit.lawId).law.title;
    const blend =
      context.lossLaw!.overtrain && !('error' in context.lossLaw!.overtrain)
        ? 'its Chinchilla law blended by regime with its over-training law'
        : fitted
          ? 'its Chinchilla law'
          : `its ${lawTitle} law`;
    frontierName = `argmin of the family model fitted on family "${context.lossLaw!.family}" (${context.lossLaw!.runsUsed.length} runs; ${blend})`;
    objective = `lowest predicted loss at this budget by the model of family "${context.lossLaw!.family}"; every row is scored by that same model`;
    if (isoflopNStar !== undefined)
      notes.push(
        `The IsoFLOP frontier fitted on ${context.frontier!.source} puts N* at ${isoflopNStar.toExponential(3)} parameters; the family model (which scores every row) puts it at ${nStar.toExponential(3)}.`,
      );
  } else if (isoflopNStar !== undefined) {
    nStar = isoflopNStar;
    frontierName = `IsoFLOP frontier fitted on ${context.frontier!.source} (Hoffmann et al. Approach 2)`;
    objective = 'N* of the fitted IsoFLOP frontier (its loss law L*(C) holds on the frontier only)';
  } else {
    nStar = chinchillaOptimalParams(REFERENCE, flops);
    frontierName = "default: argmin of Chinchilla L(N, C/6N) with Epoch AI's refit (Besiroglu et al. 2024), ≈20 tokens/parameter";
    objective = 'lowest loss by the published Chinchilla refit (uncalibrated for your data)';
  }
  if (!Number.isFinite(nStar) || nStar <= 0) return { error: 'the frontier gives no model size for this budget' };
  if (inferenceTokens > 0 && request.params === undefined) {
    if (!model) nStar = optimalWithInference(lawParams, flops, inferenceTokens, nStar);
    notes.push(
      `With ${inferenceTokens.toExponential(2)} inference tokens the budget covers training and serving (2·N FLOPs per token, same MFU); N minimises the loss under 6·N·D + 2·N·T = C (Sardana et al. 2023 take the fixed-loss view of the same trade).`,
    );
  }

  // Memory cap: the largest N whose training state fits.
  let maxParams = Number.POSITIVE_INFINITY;
  const shards = request.gpus ?? 1;
  if (request.memoryCapBytes !== undefined) {
    // Activations are not counted here (they depend on micro-batch and checkpointing); 16 B/param state only.
    maxParams = (request.memoryCapBytes * shards) / modelStateBytesPerParam('mixed-adam');
    notes.push(
      `Memory cap ${(request.memoryCapBytes / 1e9).toFixed(0)} GB per accelerator${shards > 1 ? ` × ${shards} (ZeRO-3 / FSDP sharding)` : ''}: at most ${(maxParams / 1e9).toFixed(2)} B parameters (16 B/param weights, gradients and Adam state; activations need extra room).`,
    );
  }

  const candidate = (label: string, n: number, extraNotes: string[] = []): BudgetCandidate | undefined => {
    const tokens = trainingTokensFor(n);
    if (!(tokens > 0) || !(n > 0)) return undefined;
    const shape = suggestShape(n, vocab);
    const hp = hparamAdvice(shape.nonEmbeddingParams, tokens, shape, seqLen);
    const trainFlops = approxTrainingFlops(n, tokens);
    const time = computeTime(trainFlops, profile, { mfu: table.mfu, gpus: request.gpus });
    let loss: BudgetCandidate['loss'];
    if (model) {
      loss = { ...model.predict(n, tokens), family: model.family, runsUsed: model.runsUsed };
    } else if (context.frontier && label === 'compute-optimal') {
      // The IsoFLOP fit's L*(C) holds on its frontier only, i.e. for this candidate.
      const onFrontier = predictFrontier(context.frontier.fit, trainFlops).loss;
      loss = onFrontier ?? { uncalibrated: 'the IsoFLOP fit has too few bracketed budgets (under 4) for a loss law L*(C)' };
    } else if (context.frontier) {
      loss = { uncalibrated: 'the IsoFLOP fit predicts the loss on its frontier only (the compute-optimal plan)' };
    } else {
      loss = {
        uncalibrated: `no fitted law for this workspace's data; Chinchilla's own fit would say ${chinchillaLoss(REFERENCE, n, tokens).toFixed(3)} nats/token on MassiveText, which is not your data`,
      };
    }
    const out: BudgetCandidate = {
      label,
      params: n,
      tokens,
      tokensPerParam: tokens / n,
      shape,
      lr: hp.lr,
      batchTokens: hp.batchTokens,
      loss,
      flops: trainFlops,
      gpuHours: time.gpuHours,
      usd: time.usd,
      modelStateBytesPerGpu: (n * modelStateBytesPerParam('mixed-adam')) / shards,
      notes: [
        ...extraNotes,
        ...('regime' in loss && loss.regime ? [loss.regime.note] : []),
        ...('distance' in loss && loss.distance ? [loss.distance.note] : []),
        ...time.notes,
      ],
    };
    if (time.wallClockHours !== undefined) out.wallClockDays = time.wallClockHours / 24;
    if (inferenceTokens > 0) {
      const inf = computeTime(2 * n * inferenceTokens, profile, { mfu: table.mfu });
      out.inference = { tokens: inferenceTokens, flops: 2 * n * inferenceTokens, gpuHours: inf.gpuHours, usd: inf.usd };
    }
    if (n > maxParams) out.notes.push('does not fit the memory cap');
    return out;
  };

  let recommendedN = request.params ?? nStar;
  const recNotes: string[] = [];
  if (request.params !== undefined) recNotes.push(`model size fixed at ${request.params.toExponential(3)} parameters; D = budget / 6N`);
  if (recommendedN > maxParams) {
    recNotes.push(`the loss-optimal ${(recommendedN / 1e9).toFixed(2)} B parameters exceed the memory cap: smaller model, trained longer`);
    recommendedN = maxParams;
  }
  const recommended = candidate(request.params !== undefined ? 'fixed model size' : 'compute-optimal', recommendedN, recNotes);
  if (!recommended)
    return {
      error: `the budget leaves no training tokens for ${recommendedN.toExponential(3)} parameters${inferenceTokens > 0 ? ' after serving the inference tokens' : ''}`,
    };
  if (recommended.tokensPerParam < 1) {
    // At the model's own argmin a smaller model does not predict lower: say what is odd instead
    // (the fitted exponents put the optimum far from every published compute-optimal ratio).
    notes.push(
      request.params !== undefined || recommendedN !== nStar
        ? `Only ${recommended.tokensPerParam.toFixed(2)} tokens per parameter: far from compute-optimal; a smaller model would reach a lower loss.`
        : `Only ${recommended.tokensPerParam.toFixed(2)} tokens per parameter at the fitted law's optimum, far below the ≈20 of published compute-optimal fits (Hoffmann et al. 2022): the family's exponents are extrapolated well past its runs, so N* is uncertain (its interval below); train an intermediate size first.`,
    );
  }
  const alternatives: BudgetCandidate[] = [];
  const base = request.params ?? nStar;
  for (const [label, factor] of [
    ['smaller model, trained longer (½ N, 2× D)', 0.5],
    ['much smaller model, cheaper to serve (¼ N, 4× D)', 0.25],
    ['larger model, fewer tokens (2× N, ½ D)', 2],
  ] as const) {
    const c = candidate(label, base * factor);
    if (c) alternatives.push(c);
  }
  if (model && isoflopNStar !== undefined && request.params === undefined) {
    const c = candidate('N* of the IsoFLOP frontier', isoflopNStar);
    if (c) alternatives.push(c);
  }
  let frontierUncertainty: BudgetPlan['frontierUncertainty'];
  if (model && request.params === undefined && inferenceTokens === 0) {
    frontierUncertainty = frontierInterval(context.lossLaw!, flops, nStar);
    if (frontierUncertainty) {
      const u = frontierUncertainty;
      notes.push(
        `${nStarText(nStar, u.nStar)} parameters, D* ${formatCount(u.dStar[0])}–${formatCount(u.dStar[1])} tokens (80%: ${u.resamples} bootstrap refits of the family's laws${u.computeRatio !== undefined && u.computeRatio > 1 ? `, widened for the budget's ${u.computeRatio.toFixed(u.computeRatio < 10 ? 1 : 0)}× distance from the largest finished run as backtests measure` : ''}); ` +
          `the loss is flat near N*: half the size costs ${u.halfSizeCostPct.toFixed(2)}%, twice ${u.doubleSizeCostPct.toFixed(2)}%. ` +
          `Runs nearer this budget's compute narrow it most (the distance sets its width); Plan Experiments picks which ones and says by how much.`,
      );
    }
  }
  if (model) {
    const rec = recommended.loss;
    if (!('uncalibrated' in rec) && rec.distance?.notValidated) {
      notes.push(
        `The recommendation is not validated that far: ${rec.distance.computeRatio.toFixed(0)}× the compute of the family's largest finished run (backtests reach ${rec.distance.backtestedUpTo}×). Train an intermediate size first to check the law there.`,
      );
    }
    appendAll(notes, model.warnings);
    if (model.fit.isoflopWeighting) notes.push(model.fit.isoflopWeighting.note);
    if (context.lossLaw?.points) appendAll(notes, nonMonotoneRuns(context.lossLaw.points));
  }
  if (!fitted && !context.frontier)
    notes.push('Loss uncalibrated: fit a family of finished runs in the workspace (or pass an IsoFLOP fit) to get a predicted loss with an interval.');
  notes.push(
    'FLOPs per candidate are 6·N·D (N total parameters); GPU-hours assume the MFU above; LR and batch are published-law defaults, not fitted to your sweeps.',
  );
  return {
    budget: request.budget,
    flops,
    hardware: { id: profile.id, name: profile.name, usdPerHour: profile.usdPerHour, mfu: table.mfu, peakFlopsPerSecond: profile.peakFlops.bf16 ?? 0 },
    frontier: frontierName,
    objective,
    ...(frontierUncertainty ? { frontierUncertainty } : {}),
    recommended,
    alternatives,
    notes,
  };
}
