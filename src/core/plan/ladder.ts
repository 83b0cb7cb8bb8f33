// Plan the ladder: which small runs to train before a large one, so that its loss (and the
// compute-optimal size at its budget) is known before it starts. Pure: a request in, a plan out.
//
// Two regimes:
//  - an empty family gets the practice the papers describe: IsoFLOP sweeps at a few budgets spaced
//    in log compute with several sizes each (Hoffmann et al. 2022 §3.2; Llama 3, Dubey et al. 2024
//    §3.2.1), which also spreads tokens per parameter over ~two decades so the data term is
//    identified, plus runs at the target's own tokens per parameter when the target is over-trained
//    (Gadre et al. 2024). The sizes along the highest budget form an OLMo-style size ladder.
//  - a family with runs gets, one at a time, the candidate run with the largest expected reduction
//    of the target's 80% loss-interval width per FLOP.
//
// "Expected width" is a linearised (Fisher) approximation of the family's Chinchilla fit: the
// fit-space parameters θ = (ln E, ln A, ln B, α, β) have covariance (Σ J_iᵀJ_i/σ² + P)⁻¹, J_i the
// gradient of ln L at run i, σ the family's log-residual scatter, P the published priors the
// cross-run fit uses (crossRun.ts). The target's interval half-width is z₀.₉·√(gᵀΣg) with g the
// gradient of ln L (or ln N*) at the target, widened by the cross-run calibration factor
// (calibration.ts) as every interval the product shows is. When the family's bootstrap fit is
// given, the widths are rescaled so that "now" equals the bootstrap interval's width at the target:
// the approximation then only carries the ratio of widths before and after a run.
import { chinchillaLaw } from '../laws/chinchilla';
import { approxTrainingFlops, FLOPS_PER_PARAM_TOKEN, tokensForFlops } from '../laws/trainingCompute';
import { allocationPriors, chinchillaPriors, predictCrossRun, type CrossRunFit } from '../fit/crossRun';
import type { ContrastPrior } from '../fit/fitLaw';
import { referenceParams } from '../fit/crossRunLaw';
import { INTERVAL_CALIBRATION } from '../fit/calibration';
import { publishedHparams } from './advice';
import { suggestShape, type Budget, type HparamAdvice, type ShapeSuggestion } from './budget';
import { computeTime, findHardware, hardwareTable, type HardwareProfile, type HardwareTable } from './hardware';
import { BACKTESTED_COMPUTE_RATIO } from './familyModel';
import { maxOf } from '../../shared/arrays';

// ---- request -------------------------------------------------------------------------------

/** The run the ladder is for: a concrete model (a config) or a compute budget (N*, D* then chosen). */
export type LadderTarget =
  | {
      kind: 'model';
      /** Total parameters N (embeddings included, as the Chinchilla law counts them). */
      params: number;
      tokens: number;
      /** Shape and sequence length when the config says them (for LR/batch advice and the label). */
      shape?: { nLayer: number; dModel: number; vocab?: number };
      seqLen?: number;
      /** What to call it (config path, run name). */
      label?: string;
    }
  | {
      kind: 'budget';
      /** Training compute of the target run (FLOPs, accelerator-hours or dollars, as `plan` takes it). */
      budget: Budget;
      label?: string;
    };

/** A run of the family that exists (finished or still training). */
export interface LadderExistingRun {
  runId: string;
  params: number;
  tokens: number;
  /** Final (or forecast final) loss; required for `finished` runs to count. */
  loss?: number;
  status: 'finished' | 'running';
}

/** A run of an earlier plan, for live re-planning (its id is kept when the run is still wanted). */
export interface LadderPreviousRun {
  id: string;
  params: number;
  tokens: number;
}

export interface LadderRequest {
  target: LadderTarget;
  /** Compute for the whole ladder; default `fraction` (1%) of the target's compute. */
  ladderBudget?: Budget;
  /** Fraction of the target's compute for the ladder when `ladderBudget` is not given (default 0.01). */
  fraction?: number;
  /** Hardware profile id for GPU-hours and dollars (default: the table's default). */
  hardware?: string;
  /** The family's runs; none is fine (the papers' recipe then). */
  runs?: readonly LadderExistingRun[];
  /** Family name, written into the plan (and by the UI into the configs). */
  family?: string;
  /** The previous plan's runs: each is matched to an existing run (done / running) or marked no longer needed. */
  previous?: readonly LadderPreviousRun[];
  /** Sequence length and vocabulary for shapes and LR/batch advice (defaults 2048 and 50,304). */
  seqLen?: number;
  vocab?: number;
  /** Tie-breaking and the refit's bootstrap (deterministic given the seed; default 1). */
  seed?: number;
  /** Epoch milliseconds after which the greedy search stops with what it has (`timedOut`). */
  deadline?: number;
  /** Most runs to plan (default 24). */
  maxRuns?: number;
  /**
   * Choose only among these runs (a grid of runs one could train, as in the backtest), one at a
   * time by the greedy rule, even for an empty family. Default: sizes × tokens-per-parameter grid.
   */
  candidates?: readonly { params: number; tokens: number }[];
}

export interface LadderContext {
  hardware?: HardwareTable;
  /**
   * The family's cross-run fit (bootstrap) on its finished runs, when the caller has it: its
   * parameters are the linearisation point and its interval at the target scales the widths.
   * Without it the request's finished runs are used with the published law (Epoch AI's refit).
   */
  fit?: CrossRunFit;
  /** Log-residual scatter of one run's final loss about the law (default: the fit's, floored at 0.5%). */
  noise?: number;
}

// ---- result --------------------------------------------------------------------------------

/** What the target's prediction looks like after some runs: 80% intervals and their relative widths. */
export interface LadderWidths {
  /** Predicted target loss and its 80% interval. */
  loss: number;
  lossInterval: [number, number];
  /** (hi − lo) / loss of the loss interval, e.g. 0.031 for ±1.5%. */
  lossWidth: number;
  /** Compute-optimal N* at the target's compute and its 80% interval. */
  nStar: number;
  nStarInterval: [number, number];
  /** hi / lo of the N* interval (1 = known exactly). */
  nStarRatio: number;
}

export type LadderRunStatus = 'planned' | 'running' | 'done' | 'not-needed';

export interface LadderRun {
  /** Stable id (kept across re-plans when the run is matched): `ladder-03-1.2e19`. */
  id: string;
  /** Position in the training order (1-based); done/running/not-needed runs keep theirs. */
  order: number;
  status: LadderRunStatus;
  /** The existing run it was matched to (done / running). */
  matchedRunId?: string;
  /** Total parameters N. */
  params: number;
  tokens: number;
  tokensPerParam: number;
  shape: ShapeSuggestion;
  seqLen: number;
  lr: HparamAdvice;
  batchTokens: HparamAdvice;
  /** 6·N·D, as the planner counts training compute. */
  flops: number;
  gpuHours: number;
  usd: number;
  /** Which part of the recipe, or `next` for the greedy choice. */
  role: 'isoflop' | 'target-ratio' | 'next';
  /** IsoFLOP budget the run belongs to (isoflop role). */
  isoflopFlops?: number;
  /** Why this run ("second point at 3e19 FLOPs", "pins the data exponent"). */
  reason: string;
  /** Expected state of the target's prediction once this run (and those before it) is in. */
  after: LadderWidths;
  /** Ladder compute and cost up to and including this run. */
  cumulative: { flops: number; gpuHours: number; usd: number };
}

export interface LadderPlan {
  target: {
    label: string;
    params: number;
    tokens: number;
    flops: number;
    gpuHours: number;
    usd: number;
    shape: ShapeSuggestion;
    /** Target compute over the largest ladder run's (finished or planned). */
    computeRatio: number;
  };
  family?: string;
  budget: { flops: number; gpuHours: number; usd: number; text: string; fractionOfTarget: number };
  hardware: { id: string; name: string; usdPerHour: number; mfu: number };
  /** `recipe` for an empty family, `greedy` when existing runs steer the choice. */
  strategy: 'recipe' | 'greedy';
  /** How the widths are estimated, in a sentence. */
  method: string;
  /** The prediction with the finished runs alone (undefined for an empty family). */
  now?: LadderWidths;
  /** The prediction expected before the first planned run: finished runs plus those still training (they count as in). */
  start: LadderWidths;
  /** The target's prediction as it would be after every done, running and planned run (what the scaling view draws as "planned"). */
  after: LadderWidths;
  /** Every run: done and running first, then planned in order, then the no-longer-needed. */
  runs: LadderRun[];
  /** When to stop: the first planned run after which the loss width is within 10% of what the whole ladder reaches. */
  stop: { afterOrder: number; lossWidth: number; nStarRatio: number; reason: string };
  /** Compute of the planned runs (status `planned`). */
  planned: { flops: number; gpuHours: number; usd: number; runs: number };
  seed: number;
  timedOut: boolean;
  notes: string[];
}

// ---- numerics ------------------------------------------------------------------------------

const Z80 = 1.2815515655446004;
const DEFAULT_NOISE = 0.01;
const MIN_NOISE = 0.005;
/** Prior sd on ln E for the approximation (the fit has none; this only keeps Σ finite). */
const LN_E_SD = 1;
/** Runs within this factor in N and in D are the same run (matching for re-planning). */
const SAME_RUN = 1.15;
const SMALLEST_PARAMS = 5e6;
/**
 * Misspecification allowance: the sd of ln L at the target grows by this per e-fold of compute
 * between the family's largest run and the target. The Fisher part alone says a law fitted on
 * many small runs is known everywhere; leave-largest-out backtests say otherwise (the Gadre and
 * Porian cross-run errors in `npm run validate` are a few % at 16–20×, i.e. ~1% per e-fold).
 * Set a priori at that, not fitted on the ladder backtest; it is what makes runs nearer the
 * target's compute worth their cost.
 */
export const EXTRAPOLATION_SD_PER_EFOLD = 0.01;
/** Smallest size the greedy proposes by itself (the papers' ladders start at 40M–44M). */
const SMALLEST_GREEDY_PARAMS = 2e7;
/** A greedy run must narrow the target's loss interval by at least this fraction of its width. */
const MIN_GAIN = 0.02;

type Vec = number[];
type Mat = number[][];

function zeros(k: number): Mat {
  return Array.from({ length: k }, () => new Array<number>(k).fill(0));
}

function addOuter(m: Mat, v: Vec, w: number): void {
  for (let i = 0; i < v.length; i++) for (let j = 0; j < v.length; j++) m[i][j] += w * v[i] * v[j];
}

/** gᵀ M⁻¹ g by Cholesky (M symmetric positive definite); NaN when it is not. */
function quadInverse(m: Mat, g: Vec): number {
  const k = g.length;
  const l = zeros(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let p = 0; p < j; p++) s -= l[i][p] * l[j][p];
      if (i === j) {
        if (!(s > 0)) return NaN;
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  // Solve L y = g; gᵀM⁻¹g = |y|².
  let out = 0;
  const y = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    let s = g[i];
    for (let p = 0; p < i; p++) s -= l[i][p] * y[p];
    y[i] = s / l[i][i];
    out += y[i] * y[i];
  }
  return out;
}

/** Gradient of ln L(N, D) in fit space. */
function lnLossGradient(theta: readonly number[], n: number, d: number): Vec {
  const v = chinchillaLaw.evaluate(theta, [n, d]);
  return chinchillaLaw.jacobian(theta, [n, d]).map((g) => g / v);
}

/** ln N* at compute C (Hoffmann et al. eq. 4) for fit-space θ. */
function lnNStar(theta: readonly number[], flops: number): number {
  const [, a, b, alpha, beta] = theta;
  return (Math.log(alpha / beta) + a - b) / (alpha + beta) + (beta / (alpha + beta)) * Math.log(flops / FLOPS_PER_PARAM_TOKEN);
}

function lnNStarGradient(theta: readonly number[], flops: number): Vec {
  const h = 1e-6;
  return theta.map((_, j) => {
    const up = theta.slice();
    const dn = theta.slice();
    up[j] += h;
    dn[j] -= h;
    return (lnNStar(up, flops) - lnNStar(dn, flops)) / (2 * h);
  });
}

/** The linearised fit: prior precision plus the runs' information, and the target's gradients. */
class FisherState {
  readonly info: Mat;
  constructor(
    readonly theta: readonly number[],
    readonly noise: number,
    readonly targetN: number,
    readonly targetD: number,
    readonly targetFlops: number,
    info?: Mat,
    /** Compute of the largest run in (0: none). */
    readonly maxFlops = 0,
  ) {
    if (info) this.info = info.map((r) => r.slice());
    else {
      this.info = zeros(5);
      const pr = chinchillaPriors();
      const sd = [LN_E_SD, pr.a.sd, pr.b.sd, pr.alpha.sd, pr.beta.sd];
      sd.forEach((s, j) => (this.info[j][j] = 1 / (s * s)));
    }
  }
  /**
   * The family fit's own priors on combinations of parameters (fit/crossRun.ts allocationPriors:
   * runs at one tokens-per-parameter ratio take their N/D split from published ratios), so that the
   * ladder's widths agree with the intervals the planner and the lens show.
   */
  withContrastPriors(priors: readonly ContrastPrior[]): FisherState {
    const next = new FisherState(this.theta, this.noise, this.targetN, this.targetD, this.targetFlops, this.info, this.maxFlops);
    const names = chinchillaLaw.parameters.map((p) => p.name);
    for (const prior of priors)
      addOuter(
        next.info,
        names.map((n) => prior.coefficients[n] ?? 0),
        1 / (prior.sd * prior.sd),
      );
    return next;
  }
  withRun(n: number, d: number): FisherState {
    const next = new FisherState(
      this.theta,
      this.noise,
      this.targetN,
      this.targetD,
      this.targetFlops,
      this.info,
      Math.max(this.maxFlops, approxTrainingFlops(n, d)),
    );
    // A run informs the target's law less the farther below its compute it lies: the law is only
    // approximately right, so its deviation at the run, carried to the target, grows with the gap.
    const gap = EXTRAPOLATION_SD_PER_EFOLD * Math.max(0, Math.log(this.targetFlops / approxTrainingFlops(n, d)));
    addOuter(next.info, lnLossGradient(this.theta, n, d), 1 / (this.noise * this.noise + gap * gap));
    return next;
  }
  /**
   * Standard deviations of ln L(target) and ln N*(target compute) from the runs' information, and
   * the misspecification allowance of ln L for the compute between the largest run and the target.
   */
  sd(): { lnLoss: number; lnNStar: number; extrapolation: number } {
    const efolds = this.maxFlops > 0 ? Math.max(0, Math.log(this.targetFlops / this.maxFlops)) : 0;
    return {
      lnLoss: Math.sqrt(quadInverse(this.info, lnLossGradient(this.theta, this.targetN, this.targetD))),
      lnNStar: Math.sqrt(quadInverse(this.info, lnNStarGradient(this.theta, this.targetFlops))),
      extrapolation: EXTRAPOLATION_SD_PER_EFOLD * efolds,
    };
  }
}

// ---- plan ----------------------------------------------------------------------------------

/** A run of the recipe or of the greedy, before costing. */
export interface LadderSpec {
  params: number;
  tokens: number;
  role: LadderRun['role'];
  reason: string;
  isoflopFlops?: number;
}

type Spec = LadderSpec;

function fmt(x: number): string {
  return x.toExponential(1).replace('e+', 'e');
}

function budgetToFlops(budget: Budget, table: HardwareTable, profile: HardwareProfile): { flops: number } | { error: string } {
  switch (budget.kind) {
    case 'flops':
      return { flops: budget.flops };
    case 'gpuHours': {
      const hw = budget.hardware ? findHardware(table, budget.hardware) : profile;
      if (!hw) return { error: `unknown hardware "${budget.hardware}" in the budget; known: ${table.profiles.map((p) => p.id).join(', ')}` };
      return { flops: budget.gpuHours * 3600 * (hw.peakFlops.bf16 ?? 0) * table.mfu };
    }
    case 'usd':
      return { flops: (budget.usd / profile.usdPerHour) * 3600 * (profile.peakFlops.bf16 ?? 0) * table.mfu };
  }
}

/**
 * The target's intervals in a state: the Fisher part widened as every cross-run interval (and
 * scaled to the family's bootstrap, `scale`), combined with the extrapolation allowance.
 */
function widths(state: FisherState, scale: number, center: { loss: number; nStar: number }): LadderWidths {
  const sd = state.sd();
  const m = INTERVAL_CALIBRATION.crossRun * scale;
  const hl = Z80 * Math.hypot(m * sd.lnLoss, sd.extrapolation);
  const hn = Z80 * m * sd.lnNStar;
  const lossInterval: [number, number] = [center.loss * Math.exp(-hl), center.loss * Math.exp(hl)];
  const nStarInterval: [number, number] = [center.nStar * Math.exp(-hn), center.nStar * Math.exp(hn)];
  return {
    loss: center.loss,
    lossInterval,
    lossWidth: (lossInterval[1] - lossInterval[0]) / center.loss,
    nStar: center.nStar,
    nStarInterval,
    nStarRatio: Math.exp(2 * hn),
  };
}

/**
 * The papers' recipe for an empty family within `ladderFlops`: three IsoFLOP budgets a factor 4
 * apart, five sizes each at {0.3, 0.55, 1, 1.8, 3.3}× that budget's N* (so tokens per parameter
 * spread ~35× around compute-optimal), cheapest budget first; and, for an over-trained target, two
 * runs at its own tokens per parameter. Budgets are scaled so the total is the ladder's compute.
 */
export function recipeSpecs(theta: readonly number[], targetN: number, targetD: number, ladderFlops: number): Spec[] {
  const sizes = [0.3, 0.55, 1, 1.8, 3.3];
  const spacing = 4;
  const budgets = 3;
  const ratio = targetD / targetN;
  const overtrained = ratio > 40;
  // Share of the ladder at the target's ratio when over-trained (two runs at the top budget's size).
  const targetShare = overtrained ? 0.2 : 0;
  const isoShare = 1 - targetShare;
  // Σ_i sizes·C_i with C_i = C_top / spacing^(budgets−1−i).
  let unit = 0;
  for (let i = 0; i < budgets; i++) unit += sizes.length / spacing ** (budgets - 1 - i);
  const top = (isoShare * ladderFlops) / unit;
  const out: Spec[] = [];
  const ordinal = ['first', 'second', 'third', 'fourth'];
  for (let i = 0; i < budgets; i++) {
    const c = top / spacing ** (budgets - 1 - i);
    const nStar = Math.exp(lnNStar(theta, c));
    sizes.forEach((f, k) => {
      const n = nStar * f;
      const d = tokensForFlops(c, n);
      const why =
        k === 0
          ? `pins the data exponent: many tokens per parameter (${(d / n).toFixed(0)})`
          : k === sizes.length - 1
            ? `pins the size exponent: few tokens per parameter (${(d / n).toFixed(1)})`
            : k === 2
              ? "near the budget's compute-optimal size"
              : 'brackets the IsoFLOP minimum';
      out.push({
        params: n,
        tokens: d,
        role: 'isoflop',
        isoflopFlops: c,
        reason: `${ordinal[i]} IsoFLOP budget ${fmt(c)} FLOPs, size ${k + 1} of ${sizes.length} (${f}× its N*): ${why}`,
      });
    });
  }
  if (overtrained) {
    const each = (targetShare * ladderFlops) / 2;
    for (const [k, f] of [
      [0, 0.5],
      [1, 1],
    ] as const) {
      const n = Math.sqrt((f * each) / (FLOPS_PER_PARAM_TOKEN * ratio));
      const d = n * ratio;
      out.push({
        params: n,
        tokens: d,
        role: 'target-ratio',
        reason: `at the target's ${ratio.toFixed(0)} tokens per parameter (over-trained, Gadre et al. 2024): checks the law where the target trains${k === 1 ? ', at a larger size' : ''}`,
      });
    }
  }
  return out.filter((s) => s.params >= SMALLEST_PARAMS);
}

/** Greedy candidates: sizes on a log grid × tokens per parameter from 5 to 320 (and the target's). */
function candidateSpecs(targetN: number, targetD: number, remainingFlops: number): { params: number; tokens: number }[] {
  const out: { params: number; tokens: number }[] = [];
  const ratios = [5, 10, 20, 40, 80, 160, 320];
  const tr = targetD / targetN;
  if (!ratios.some((r) => Math.abs(Math.log(r / tr)) < 0.2)) ratios.push(tr);
  const nHi = targetN / 2;
  // Ladders in the papers start at tens of millions of parameters (Chinchilla 44M, Llama 3 40M):
  // below that the embeddings are most of the model and the law's N means little.
  const nLo = Math.min(nHi / 4, Math.max(SMALLEST_GREEDY_PARAMS, targetN / 1e4));
  const steps = 16;
  for (let i = 0; i <= steps; i++) {
    const n = nLo * (nHi / nLo) ** (i / steps);
    for (const r of ratios) {
      const d = n * r;
      if (approxTrainingFlops(n, d) <= remainingFlops) out.push({ params: n, tokens: d });
    }
  }
  return out;
}

function sameRun(a: { params: number; tokens: number }, b: { params: number; tokens: number }): boolean {
  return Math.abs(Math.log(a.params / b.params)) < Math.log(SAME_RUN) && Math.abs(Math.log(a.tokens / b.tokens)) < Math.log(SAME_RUN);
}

function valid(x: number | undefined): x is number {
  return x !== undefined && Number.isFinite(x) && x > 0;
}

/** The ladder for a target, or an error naming what is wrong with the request. */
export function planLadder(request: LadderRequest, context: LadderContext = {}): LadderPlan | { error: string } {
  const table = context.hardware ?? hardwareTable();
  const profile = findHardware(table, request.hardware);
  if (!profile) return { error: `unknown hardware "${request.hardware}"; known: ${table.profiles.map((p) => p.id).join(', ')}` };
  const seqLen = request.seqLen ?? (request.target.kind === 'model' ? request.target.seqLen : undefined) ?? 2048;
  const vocab = request.vocab ?? 50304;
  const seed = request.seed ?? 1;
  const notes: string[] = [...table.problems];
  if (!valid(seqLen) || !valid(vocab)) return { error: 'sequence length and vocabulary must be positive numbers' };

  // Linearisation point: the family's fit, else the published refit.
  const theta =
    context.fit?.lawId === chinchillaLaw.id && context.fit.fitParams.length === 5 && context.fit.fitParams.every(Number.isFinite)
      ? context.fit.fitParams.slice()
      : referenceParams(chinchillaLaw);

  // Target.
  let targetN: number;
  let targetD: number;
  let label: string;
  let targetShape: ShapeSuggestion;
  const t = request.target;
  if (t.kind === 'model') {
    if (!valid(t.params) || !valid(t.tokens)) return { error: `the target needs positive parameters and tokens (got ${t.params} and ${t.tokens})` };
    targetN = t.params;
    targetD = t.tokens;
    label = t.label ?? `${fmt(targetN)} parameters on ${fmt(targetD)} tokens`;
    const s = suggestShape(targetN, t.shape?.vocab ?? vocab);
    targetShape = t.shape ? { ...s, nLayer: t.shape.nLayer, dModel: t.shape.dModel, note: 'shape of the target config' } : s;
  } else {
    const f = budgetToFlops(t.budget, table, profile);
    if ('error' in f) return f;
    if (!valid(f.flops)) return { error: `the target budget ${t.budget.text} gives no compute` };
    targetN = Math.exp(lnNStar(theta, f.flops));
    targetD = tokensForFlops(f.flops, targetN);
    label = t.label ?? `compute-optimal run at ${t.budget.text}`;
    targetShape = suggestShape(targetN, vocab);
  }
  const targetFlops = approxTrainingFlops(targetN, targetD);
  const targetTime = computeTime(targetFlops, profile, { mfu: table.mfu });

  // Ladder budget.
  let ladderFlops: number;
  let budgetText: string;
  if (request.ladderBudget) {
    const f = budgetToFlops(request.ladderBudget, table, profile);
    if ('error' in f) return f;
    ladderFlops = f.flops;
    budgetText = request.ladderBudget.text;
  } else {
    const fraction = request.fraction ?? 0.01;
    if (!(fraction > 0 && fraction < 1)) return { error: `the ladder's fraction of the target compute must be in (0, 1) (got ${fraction})` };
    ladderFlops = fraction * targetFlops;
    budgetText = `${(fraction * 100).toPrecision(2)}% of the target's compute`;
  }
  if (!valid(ladderFlops)) return { error: `the ladder budget ${budgetText} gives no compute` };
  if (ladderFlops >= targetFlops)
    notes.push(
      `The ladder budget (${fmt(ladderFlops)} FLOPs) is not smaller than the target's compute (${fmt(targetFlops)}): the target itself would be cheaper to train.`,
    );

  // Existing runs.
  const runs = (request.runs ?? []).filter((r) => r && valid(r.params) && valid(r.tokens));
  const skipped = (request.runs?.length ?? 0) - runs.length;
  if (skipped > 0) notes.push(`${skipped} run(s) without a known N and D left out.`);
  const finished = runs.filter((r) => r.status === 'finished' && valid(r.loss));
  const running = runs.filter((r) => r.status === 'running');

  const noise = Math.max(
    MIN_NOISE,
    context.noise ?? (context.fit && Number.isFinite(context.fit.residualRmse) && context.fit.residualRmse > 0 ? context.fit.residualRmse : DEFAULT_NOISE),
  );
  let state = new FisherState(theta, noise, targetN, targetD, targetFlops);
  const allocation = context.fit?.lawId === chinchillaLaw.id ? context.fit.allocationPrior : undefined;
  if (context.fit && context.fit.lawId !== chinchillaLaw.id)
    notes.push(`The family's law is ${context.fit.lawId}; the ladder's widths linearise the published Chinchilla refit instead.`);
  if (allocation) state = state.withContrastPriors(allocationPriors(allocation.params, allocation.tokens));
  for (const r of finished) state = state.withRun(r.params, r.tokens);

  // Centres: the fitted law's values (the published refit, uncalibrated, for an empty family).
  const center = { loss: chinchillaLaw.evaluate(theta, [targetN, targetD]), nStar: Math.exp(lnNStar(theta, targetFlops)) };
  // Scale so that "now" is the bootstrap's width, when the family's fit gives one.
  let scale = 1;
  if (context.fit && context.fit.samples.length >= 10 && finished.length) {
    const boot = predictCrossRun(context.fit, targetN, targetD);
    // The Fisher part's log half-width is matched to the bootstrap's (a width is 2·sinh(h) for a
    // log half-width h); the extrapolation allowance, which the bootstrap lacks, comes on top.
    const bootWidth = (boot.interval[1] - boot.interval[0]) / boot.value;
    const fisherHalf = Z80 * INTERVAL_CALIBRATION.crossRun * state.sd().lnLoss;
    if (bootWidth > 0 && fisherHalf > 0) scale = Math.asinh(bootWidth / 2) / fisherHalf;
    center.loss = boot.value;
  }
  const now = finished.length ? widths(state, scale, center) : undefined;

  const runOf = (s: Spec, order: number, id: string, status: LadderRunStatus, st: FisherState, cum: { flops: number }): LadderRun => {
    const shape = suggestShape(s.params, vocab);
    const hp = publishedHparams(Math.max(1, shape.nonEmbeddingParams), s.tokens, shape, seqLen);
    const flops = approxTrainingFlops(s.params, s.tokens);
    const time = computeTime(flops, profile, { mfu: table.mfu });
    const cumTime = computeTime(cum.flops, profile, { mfu: table.mfu });
    const run: LadderRun = {
      id,
      order,
      status,
      params: s.params,
      tokens: s.tokens,
      tokensPerParam: s.tokens / s.params,
      shape,
      seqLen,
      lr: { value: hp.steplaw.lr, steplaw: hp.steplaw.lr, deepseek: hp.deepseek.lr, source: 'Step Law (Li et al. 2025); DeepSeek (2024) for comparison' },
      batchTokens: {
        value: hp.steplaw.batchTokens,
        steplaw: hp.steplaw.batchTokens,
        deepseek: hp.deepseek.batchTokens,
        source: 'Step Law bs* = 0.58·D^0.571 tokens; DeepSeek B = 0.292·C^0.3271 tokens',
      },
      flops,
      gpuHours: time.gpuHours,
      usd: time.usd,
      role: s.role,
      reason: s.reason,
      after: widths(st, scale, center),
      cumulative: { flops: cum.flops, gpuHours: cumTime.gpuHours, usd: cumTime.usd },
    };
    if (s.isoflopFlops !== undefined) run.isoflopFlops = s.isoflopFlops;
    return run;
  };

  const out: LadderRun[] = [];
  let order = 0;
  const cum = { flops: 0 };
  // Earlier plan's runs matched to the family's runs: done, running.
  const previous = request.previous ?? [];
  const matchedPrev = new Set<string>();
  let infoState = state;
  for (const p of previous) {
    const hit = runs.find((r) => sameRun(r, p));
    if (!hit || (hit.status === 'finished' && !valid(hit.loss))) continue;
    matchedPrev.add(p.id);
    order++;
    const status: LadderRunStatus = hit.status === 'finished' ? 'done' : 'running';
    if (status === 'running') infoState = infoState.withRun(hit.params, hit.tokens);
    cum.flops += approxTrainingFlops(hit.params, hit.tokens);
    const r = runOf(
      { params: hit.params, tokens: hit.tokens, role: 'next', reason: status === 'done' ? `finished as ${hit.runId}` : `training as ${hit.runId}` },
      order,
      p.id,
      status,
      infoState,
      cum,
    );
    r.matchedRunId = hit.runId;
    out.push(r);
  }
  // Running runs of the family (matched or not) will inform the fit: count them as in.
  for (const r of running) if (!out.some((o) => o.matchedRunId === r.runId)) infoState = infoState.withRun(r.params, r.tokens);
  const spentBefore = cum.flops;
  const remaining = ladderFlops - spentBefore;

  const maxRuns = Math.max(1, Math.floor(request.maxRuns ?? 24));
  const planned: { spec: Spec; state: FisherState }[] = [];
  let timedOut = false;
  const strategy: LadderPlan['strategy'] = finished.length + running.length === 0 && !request.candidates ? 'recipe' : 'greedy';
  if (strategy === 'recipe') {
    let st = infoState;
    for (const s of recipeSpecs(theta, targetN, targetD, remaining).slice(0, maxRuns)) {
      st = st.withRun(s.params, s.tokens);
      planned.push({ spec: s, state: st });
    }
    if (planned.length === 0) notes.push(`The ladder budget ${fmt(ladderFlops)} FLOPs is too small for runs of at least ${fmt(SMALLEST_PARAMS)} parameters.`);
  } else {
    // Budgeted greedy with the usual safeguard (Khuller et al. 1999; Leskovec et al. 2007, CELF):
    // the ladder by the most narrowing per FLOP, and the ladder by the most narrowing per run,
    // each filled to the budget; the plan is whichever ends narrower. Per FLOP alone buys many
    // cheap, far runs when one run nearer the target would pin it better.
    // A run already in the family or the plan is not proposed again (a repeat is a seed, not a rung).
    const have = runs.map((r) => ({ params: r.params, tokens: r.tokens }));
    const candidatesFor = (left: number, taken: readonly Spec[]) =>
      (request.candidates ?? candidateSpecs(targetN, targetD, left)).filter(
        (c) =>
          valid(c.params) &&
          valid(c.tokens) &&
          approxTrainingFlops(c.params, c.tokens) <= left &&
          !taken.some((p) => p.params === c.params && p.tokens === c.tokens) &&
          (request.candidates !== undefined || !have.some((h) => sameRun(h, c))),
      );
    const greedy = (perFlop: boolean): { runs: { spec: Spec; state: FisherState }[]; width: number; timedOut: boolean } => {
      const runs: { spec: Spec; state: FisherState }[] = [];
      let st = infoState;
      let width = widths(st, scale, center).lossWidth;
      let left = remaining;
      // Deterministic jitter for ties (seeded), far below any real difference.
      let rng = seed >>> 0 || 1;
      const jitter = () => {
        rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
        return rng / 2 ** 32;
      };
      while (runs.length < maxRuns) {
        if (request.deadline !== undefined && Date.now() > request.deadline) return { runs, width, timedOut: true };
        // Only runs that narrow the interval by at least MIN_GAIN of its width count; none such
        // (or none affordable) ends the ladder.
        let best: { c: { params: number; tokens: number }; score: number; next: FisherState; width: number } | undefined;
        for (const c of candidatesFor(
          left,
          runs.map((r) => r.spec),
        )) {
          const next = st.withRun(c.params, c.tokens);
          const w = widths(next, scale, center).lossWidth;
          if (!(width - w >= MIN_GAIN * width)) continue;
          const score = ((width - w) / (perFlop ? approxTrainingFlops(c.params, c.tokens) : 1)) * (1 + 1e-9 * jitter());
          if (!best || score > best.score) best = { c, score, next, width: w };
        }
        if (!best) break;
        const why = greedyReason(st, best.c, width, best.width, scale, center);
        runs.push({
          spec: { params: best.c.params, tokens: best.c.tokens, role: 'next', reason: perFlop ? why : `${why} (the most narrowing of any affordable run)` },
          state: best.next,
        });
        left -= approxTrainingFlops(best.c.params, best.c.tokens);
        st = best.next;
        width = best.width;
      }
      return { runs, width, timedOut: false };
    };
    const cheap = greedy(true);
    const strong = greedy(false);
    const pick = strong.width < cheap.width ? strong : cheap;
    timedOut = cheap.timedOut || strong.timedOut;
    for (const r of pick.runs) planned.push(r);
    if (pick === strong && strong.runs.length)
      notes.push(
        `Runs chosen by the most narrowing per run: that ladder ends at a ${(strong.width * 100).toFixed(2)}% wide interval, the most-per-FLOP ladder at ${(cheap.width * 100).toFixed(2)}%.`,
      );
  }

  // Ids: an earlier plan's unmatched run keeps its id when the new plan has it; the rest are marked not needed.
  const freePrev = previous.filter((p) => !matchedPrev.has(p.id));
  const usedIds = new Set(out.map((r) => r.id));
  for (const { spec, state: st } of planned) {
    order++;
    cum.flops += approxTrainingFlops(spec.params, spec.tokens);
    const keep = freePrev.find((p) => !usedIds.has(p.id) && sameRun(p, spec));
    const id = keep?.id ?? uniqueId(`ladder-${String(order).padStart(2, '0')}-${fmt(approxTrainingFlops(spec.params, spec.tokens))}`, usedIds);
    usedIds.add(id);
    out.push(runOf(keep ? { ...spec, params: keep.params, tokens: keep.tokens } : spec, order, id, 'planned', st, cum));
  }
  const lastState = planned.length ? planned[planned.length - 1].state : infoState;
  for (const p of freePrev) {
    if (usedIds.has(p.id) || !valid(p.params) || !valid(p.tokens)) continue;
    order++;
    out.push(
      runOf(
        { params: p.params, tokens: p.tokens, role: 'next', reason: 'no longer needed: the runs now in the family narrow the target more per FLOP' },
        order,
        p.id,
        'not-needed',
        lastState,
        { flops: cum.flops },
      ),
    );
    usedIds.add(p.id);
  }

  const plannedRuns = out.filter((r) => r.status === 'planned');
  const finalWidths = widths(lastState, scale, center);
  let stopAt = plannedRuns.length ? plannedRuns[plannedRuns.length - 1] : undefined;
  for (const r of plannedRuns) {
    if (r.after.lossWidth <= 1.1 * finalWidths.lossWidth) {
      stopAt = r;
      break;
    }
  }
  const plannedFlops = plannedRuns.reduce((s, r) => s + r.flops, 0);
  const plannedTime = computeTime(plannedFlops, profile, { mfu: table.mfu });
  const budgetTime = computeTime(ladderFlops, profile, { mfu: table.mfu });
  const largestLadder = maxOf([
    0,
    ...out.filter((r) => r.status !== 'not-needed').map((r) => r.flops),
    ...finished.map((r) => approxTrainingFlops(r.params, r.tokens)),
  ]);
  const computeRatio = largestLadder > 0 ? targetFlops / largestLadder : Number.POSITIVE_INFINITY;
  if (computeRatio > BACKTESTED_COMPUTE_RATIO)
    notes.push(
      `The target is ${computeRatio.toFixed(0)}× the compute of the largest ladder run; backtests on the shared ladders reach ${BACKTESTED_COMPUTE_RATIO}×, so the widths past that are the law's, not validated.`,
    );
  if (!context.fit)
    notes.push(
      finished.length
        ? 'Widths are linearised around the published Chinchilla refit (no family fit given): their ratios, not their levels, are the guide.'
        : 'Empty family: the loss and N* shown are the published Chinchilla refit (Epoch AI), uncalibrated for your data; the widths say how well the ladder will pin the law.',
    );
  notes.push("Costs are 6·N·D FLOPs at the hardware's MFU; LR and batch are the published Step Law values (DeepSeek in brackets).");
  return {
    target: {
      label,
      params: targetN,
      tokens: targetD,
      flops: targetFlops,
      gpuHours: targetTime.gpuHours,
      usd: targetTime.usd,
      shape: targetShape,
      computeRatio,
    },
    ...(request.family ? { family: request.family } : {}),
    budget: { flops: ladderFlops, gpuHours: budgetTime.gpuHours, usd: budgetTime.usd, text: budgetText, fractionOfTarget: ladderFlops / targetFlops },
    hardware: { id: profile.id, name: profile.name, usdPerHour: profile.usdPerHour, mfu: table.mfu },
    strategy,
    method:
      `Widths: linearised Chinchilla fit (Fisher information of the runs at ${(noise * 100).toFixed(1)}% scatter plus the published priors), ` +
      `×${INTERVAL_CALIBRATION.crossRun} as every cross-run interval${scale !== 1 ? `, scaled ×${scale.toFixed(2)} to the family's bootstrap interval now` : ''}.` +
      (strategy === 'greedy'
        ? ` Runs are chosen one at a time among ${request.candidates ? 'the given candidates' : 'sizes × 5–320 tokens/parameter'}: the ladder narrowing the target's loss interval most per FLOP, or most per run when that one ends narrower (budgeted greedy); a run must narrow it by ≥ ${MIN_GAIN * 100}%. Runs far below the target's compute weigh less, and ${EXTRAPOLATION_SD_PER_EFOLD * 100}% per e-fold of compute to the target is added for extrapolation.`
        : ' Runs follow the IsoFLOP recipe of Hoffmann et al. and Llama 3.'),
    ...(now ? { now } : {}),
    start: widths(infoState, scale, center),
    after: finalWidths,
    runs: out,
    stop: stopAt
      ? {
          afterOrder: stopAt.order,
          lossWidth: stopAt.after.lossWidth,
          nStarRatio: stopAt.after.nStarRatio,
          reason: `after run ${stopAt.order} the target's 80% loss interval is ${(stopAt.after.lossWidth * 100).toFixed(2)}% wide, within 10% of the ${(finalWidths.lossWidth * 100).toFixed(2)}% the whole ladder reaches`,
        }
      : { afterOrder: 0, lossWidth: finalWidths.lossWidth, nStarRatio: finalWidths.nStarRatio, reason: 'no run to add within the budget' },
    planned: { flops: plannedFlops, gpuHours: plannedTime.gpuHours, usd: plannedTime.usd, runs: plannedRuns.length },
    seed,
    timedOut,
    notes,
  };
}

function uniqueId(base: string, used: ReadonlySet<string>): string {
  if (!used.has(base)) return base;
  for (let k = 2; ; k++) if (!used.has(`${base}-${k}`)) return `${base}-${k}`;
}

/** Why the greedy picked a run: what it adds to the family's coverage, and how much it narrows. */
function greedyReason(
  st: FisherState,
  c: { params: number; tokens: number },
  before: number,
  after: number,
  scale: number,
  center: { loss: number; nStar: number },
): string {
  const ratio = c.tokens / c.params;
  const flops = approxTrainingFlops(c.params, c.tokens);
  const nBefore = widths(st, scale, center).nStarRatio;
  const nAfter = widths(st.withRun(c.params, c.tokens), scale, center).nStarRatio;
  const what =
    ratio >= 80
      ? `pins the data exponent (${ratio.toFixed(0)} tokens/parameter)`
      : ratio <= 10
        ? `pins the size exponent (${ratio.toFixed(0)} tokens/parameter)`
        : `a point near compute-optimal at ${fmt(flops)} FLOPs`;
  return `${what}: narrows the target's loss interval ${(before * 100).toFixed(2)}% → ${(after * 100).toFixed(2)}% and N* ×${nBefore.toPrecision(3)} → ×${nAfter.toPrecision(3)}`;
}

// ---- adapters (for the CLI and the extension) ----------------------------------------------

/**
 * A family's fitted points as ladder runs: points of live runs (their forecast ends anchor the
 * law, `anchoredRunIds`) are `running`, the others `finished`.
 */
export function existingRunsOf(
  points: readonly { runId: string; params: number; tokens: number; loss: number }[],
  anchoredRunIds: readonly string[] = [],
): LadderExistingRun[] {
  const live = new Set(anchoredRunIds);
  return points.map((p) => ({ runId: p.runId, params: p.params, tokens: p.tokens, loss: p.loss, status: live.has(p.runId) ? 'running' : 'finished' }));
}

/** A training config's plan as the ladder's target (undefined, with why, when its tokens are unknown). */
export function targetOfPlan(
  plan: { params: { total: number }; tokens?: number; seqLen?: number; architecture: { nLayer: number; dModel: number; vocab?: number } },
  label: string,
): LadderTarget | { error: string } {
  if (!valid(plan.params.total)) return { error: `${label}: the config's parameter count is unknown` };
  if (!valid(plan.tokens))
    return { error: `${label}: the config does not say how many tokens it trains on (steps × batch × sequence length, or a token count)` };
  const a = plan.architecture;
  const target: LadderTarget = { kind: 'model', params: plan.params.total, tokens: plan.tokens, label };
  if (valid(a.nLayer) && valid(a.dModel)) target.shape = { nLayer: a.nLayer, dModel: a.dModel, ...(valid(a.vocab) ? { vocab: a.vocab } : {}) };
  if (valid(plan.seqLen)) target.seqLen = plan.seqLen;
  return target;
}
