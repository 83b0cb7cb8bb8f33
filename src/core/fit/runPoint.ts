/**
 * Which point of a run feeds a cross-run law. Explicit and selectable, because the choice moves
 * the fit (Hitchhiker's guide to scaling-law estimation; Porian et al. on final vs best loss):
 * - `final`: the run's loss at its last logged step, smoothed without lag (a local linear fit
 *   over the last 5% of points evaluated AT the last step; a plain trailing mean lags a falling
 *   curve by half its window).
 * - `minimum`: the lowest value of the smoothed curve (centred moving mean over 2% of points),
 *   after the first 10% of steps; for runs that overfit or diverge at the end.
 * - `curve`: the run's curve law evaluated at a chosen token count (tokens / tokens per step),
 *   which turns an unfinished run, or a checkpoint from a decaying phase, into a comparable point.
 * - `checkpoints` (`stableCheckpoints`): several points per run, at log-spaced steps of its
 *   constant-LR (or WSD-stable) phase after the first 10% of steps. Fitting on intermediate
 *   checkpoints cuts extrapolation error several-fold (Choshen et al. 2024, "A Hitchhiker's Guide
 *   to Scaling Law Estimation"), but only where the LR has not started to decay: a checkpoint in
 *   a cosine run's middle is not the loss of a run that ends there. Every run of the family must
 *   then be fed this way (stable-phase losses are not comparable with annealed final losses),
 *   and runs still weigh equally in the fit (crossRunLaw gives each run's points total weight 1).
 */
import { fitCurve, type CurveLawId } from './curve';

export type RunPointMode =
  { kind: 'final' } | { kind: 'minimum' } | { kind: 'curve'; tokens: number; law?: CurveLawId } | { kind: 'checkpoints'; count?: number };

export interface RunPointInput {
  steps: ArrayLike<number>;
  losses: ArrayLike<number>;
  /** Tokens per optimizer step (needed by `curve`). */
  tokensPerStep?: number;
  /** Per-step LR for schedule-aware curve laws. */
  lr?: Float64Array;
}

export interface RunPoint {
  loss: number;
  /** Step the value stands for (for `curve`, the step of the chosen token count). */
  step: number;
  mode: Exclude<RunPointMode['kind'], 'checkpoints'>;
}

export interface RunPointOptions {
  deadline?: number;
  isCancelled?: () => boolean;
  seed?: number;
}

const DROP_FIRST_FRACTION = 0.1;

function cleanSorted(steps: ArrayLike<number>, losses: ArrayLike<number>): { s: number; v: number }[] {
  const pts: { s: number; v: number }[] = [];
  for (let i = 0; i < Math.min(steps.length, losses.length); i++) {
    if (Number.isFinite(steps[i]) && Number.isFinite(losses[i]) && losses[i] > 0) pts.push({ s: steps[i], v: losses[i] });
  }
  return pts.sort((a, b) => a.s - b.s);
}

/** Loss at the last logged step, smoothed without lag: least-squares line over the last 5% (≥ 5) points, at the last step. */
export function finalLossNoLag(steps: ArrayLike<number>, losses: ArrayLike<number>): number {
  const pts = cleanSorted(steps, losses);
  if (pts.length === 0) return NaN;
  if (pts.length < 5) return pts.reduce((a, p) => a + p.v, 0) / pts.length;
  const k = Math.min(pts.length, Math.max(5, Math.ceil(0.05 * pts.length)));
  const tail = pts.slice(pts.length - k);
  const ms = tail.reduce((a, p) => a + p.s, 0) / k;
  const mv = tail.reduce((a, p) => a + p.v, 0) / k;
  let sxx = 0;
  let sxy = 0;
  for (const p of tail) {
    sxx += (p.s - ms) ** 2;
    sxy += (p.s - ms) * (p.v - mv);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return mv + slope * (tail[k - 1].s - ms);
}

/** Minimum of the centred moving mean (window 2% of points, ≥ 3) after the first 10% of steps. */
export function smoothedMinimumLoss(steps: ArrayLike<number>, losses: ArrayLike<number>): { loss: number; step: number } {
  const pts = cleanSorted(steps, losses);
  if (pts.length === 0) return { loss: NaN, step: NaN };
  const first = pts[0].s;
  const cut = first + DROP_FIRST_FRACTION * (pts[pts.length - 1].s - first);
  const half = Math.max(1, Math.floor(Math.max(3, Math.ceil(0.02 * pts.length)) / 2));
  let best = { loss: Infinity, step: NaN };
  for (let i = 0; i < pts.length; i++) {
    if (pts[i].s < cut) continue;
    const lo = Math.max(0, i - half);
    const hi = Math.min(pts.length - 1, i + half);
    let sum = 0;
    for (let k = lo; k <= hi; k++) sum += pts[k].v;
    const mean = sum / (hi - lo + 1);
    if (mean < best.loss) best = { loss: mean, step: pts[i].s };
  }
  return Number.isFinite(best.loss) ? best : { loss: NaN, step: NaN };
}

export interface Checkpoint {
  step: number;
  /** Tokens seen at `step` (step × tokens per step). */
  tokens: number;
  /** Centred moving mean of the loss around `step` (2% of points, ≥ 3). */
  loss: number;
}

/** A stable phase ends where the LR first falls below this fraction of its peak. */
const STABLE_LR_FRACTION = 0.999;
const DEFAULT_CHECKPOINTS = 8;

/**
 * Up to `count` checkpoints at log-spaced steps of the run's stable-LR phase (after warmup and the
 * first 10% of steps, before the LR first drops below 99.9% of its peak). `{ error }` when the
 * LR or tokens per step are unknown, or the stable phase holds no logged points.
 */
export function stableCheckpoints(input: RunPointInput, count = DEFAULT_CHECKPOINTS): Checkpoint[] | { error: string } {
  const lr = input.lr;
  if (!lr || lr.length < 2) return { error: 'the learning rate per step is unknown: cannot tell stable-phase checkpoints from decaying ones' };
  if (!(input.tokensPerStep! > 0)) return { error: 'tokens per step unknown: cannot place checkpoints in tokens' };
  const pts = cleanSorted(input.steps, input.losses);
  if (pts.length === 0) return { error: 'no finite losses' };
  let peakStep = 1;
  for (let s = 1; s < lr.length; s++) if (lr[s] > lr[peakStep]) peakStep = s;
  let stableEnd = lr.length - 1;
  for (let s = peakStep; s < lr.length; s++) {
    if (lr[s] < STABLE_LR_FRACTION * lr[peakStep]) {
      stableEnd = s - 1;
      break;
    }
  }
  const first = pts[0].s;
  const from = Math.max(peakStep, first + DROP_FIRST_FRACTION * (pts[pts.length - 1].s - first));
  const half = Math.max(1, Math.floor(Math.max(3, Math.ceil(0.02 * pts.length)) / 2));
  // Candidates have their whole smoothing window inside the phase (a clipped window is one-sided
  // and biased on a curving loss).
  const phase = pts.map((p, i) => ({ ...p, i })).filter((p) => p.s >= from && p.s <= stableEnd);
  const inPhase = phase.slice(half, Math.max(half, phase.length - half));
  if (inPhase.length === 0) return { error: `no logged points in the stable-LR phase (steps ${Math.ceil(from)}–${stableEnd})` };
  const lo = Math.log(inPhase[0].s);
  const hi = Math.log(inPhase[inPhase.length - 1].s);
  const n = Math.max(1, Math.floor(count));
  const chosen = new Set<number>();
  for (let k = 0; k < n; k++) {
    const target = n === 1 ? hi : lo + ((hi - lo) * k) / (n - 1);
    let best = inPhase[0];
    for (const p of inPhase) if (Math.abs(Math.log(p.s) - target) < Math.abs(Math.log(best.s) - target)) best = p;
    chosen.add(best.i);
  }
  return [...chosen]
    .sort((a, b) => a - b)
    .map((i) => {
      const window = pts.slice(Math.max(0, i - half), i + half + 1);
      return { step: pts[i].s, tokens: pts[i].s * input.tokensPerStep!, loss: window.reduce((a, p) => a + p.v, 0) / window.length };
    });
}

/** The point of one run that a cross-run law is fitted to, as `mode` says; `{ error }` when it cannot be had. */
export function runPoint(input: RunPointInput, mode: RunPointMode, opts: RunPointOptions = {}): RunPoint | { error: string } {
  const pts = cleanSorted(input.steps, input.losses);
  if (pts.length === 0) return { error: 'no finite losses' };
  switch (mode.kind) {
    case 'final':
      return { loss: finalLossNoLag(input.steps, input.losses), step: pts[pts.length - 1].s, mode: 'final' };
    case 'minimum': {
      const m = smoothedMinimumLoss(input.steps, input.losses);
      return Number.isFinite(m.loss) ? { ...m, mode: 'minimum' } : { error: 'no points after the first 10% of steps' };
    }
    case 'curve': {
      if (!(input.tokensPerStep! > 0)) return { error: 'tokens per step unknown: cannot place a token count on the curve' };
      if (!(mode.tokens > 0)) return { error: `token count must be > 0 (got ${mode.tokens})` };
      const step = mode.tokens / input.tokensPerStep!;
      const fit = fitCurve(input.steps, input.losses, {
        targetStep: step,
        law: mode.law,
        lr: input.lr,
        resamples: 0,
        validationPrefixes: [],
        checkBreak: false,
        deadline: opts.deadline,
        isCancelled: opts.isCancelled,
        seed: opts.seed,
      });
      if ('error' in fit) return fit;
      if (fit.timedOut) return { error: 'the curve fit ran out of time' };
      return { loss: fit.predictedFinal.value, step, mode: 'curve' };
    }
    case 'checkpoints':
      return { error: 'checkpoints give several points per run: use stableCheckpoints' };
    default:
      return { error: `unknown run point "${(mode as { kind: string }).kind}"` };
  }
}
