/**
 * Optimal learning rate and batch size from a user's sweeps, the Step Law way (Li et al. 2025):
 * per (N, D) group, a smooth surface of loss over ln lr and ln batch; its minimum is the group's
 * optimum, and the settings whose surface loss is within 0.25% of that minimum form the
 * near-optimal band. The optima are then fitted with the hyperparameter law's power laws
 * (steplaw: lr* = k·N^aN·D^aD, bs* = k·D^bD; deepseek: both against C).
 *
 * The surface is a quadratic in (ln lr, ln batch) fitted by least squares to the group's points
 * near its best loss (within 2%, widened until the points still span the swept axes, so far-off
 * and diverged corners do not bend it); with only one of the two
 * varied, a parabola in that one, and the other is not an optimum (it does not feed its law).
 * A loss penalty for an off-optimum setting is only ever read off such a fitted surface: a group
 * without one claims none.
 */
import type { HyperparamLaw, LawDefinition } from '../laws/types';
import { approxTrainingFlops } from '../laws/trainingCompute';
import { fitCrossRunLaw, predictWithDefaults, predictWithFit, type LawCrossRunFit, type LawPoint } from './crossRunLaw';
import { referencePriors } from './priors';
import type { Prediction } from './types';
import { maxOf, minOf } from '../../shared/arrays';

export interface SweepPoint {
  lr: number;
  batchTokens: number;
  loss: number;
}

/** Near-optimal band: settings within this fraction of the best loss on the fitted surface. */
export const NEAR_OPTIMAL_FRACTION = 0.0025;
/**
 * Points farther than this above the best loss do not shape the surface: a quadratic in
 * (ln lr, ln batch) only holds near the minimum. Measured on the Step Law grids (`npm run
 * validate`, 2026-11-23): with a 10% window the surface minimum's nearest grid run lost 0.25% to
 * the grid's best on average, with 2% 0.14% (1%: 0.04%, but with too few points per surface the
 * refitted batch law got twice as noisy); the leave-one-setting-out lr refit's regret went from
 * 0.24% to 0.16%.
 */
const SURFACE_WINDOW = 0.02;
/** Below this many groups with optima, the hyperparameter laws lean on their published exponents. */
export const HPARAM_PRIOR_GROUPS = 6;

export interface SweepSurface {
  /** Which hyperparameters the group varied (and so which optima it knows). */
  varied: 'lr+batch' | 'lr' | 'batch';
  lrStar: number;
  batchStar: number;
  lossStar: number;
  /** Settings with surface loss ≤ lossStar·(1 + 0.25%): extent along each axis. */
  nearOptimal: { lr: [number, number]; batchTokens: [number, number] };
  /** The minimum lies inside the swept ranges (otherwise it is clamped to the edge and says so). */
  bracketed: boolean;
  /** Loss of the surface at a setting, relative to its minimum, in percent (the penalty). */
  coefficients: number[];
  centre: [number, number];
  pointsUsed: number;
}

/** Solve a small dense system by Gaussian elimination with partial pivoting; null if singular. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i][c]) > Math.abs(M[piv][c])) piv = i;
    if (Math.abs(M[piv][c]) < 1e-12) return null;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let i = c + 1; i < n; i++) {
      const f = M[i][c] / M[c][c];
      for (let j = c; j <= n; j++) M[i][j] -= f * M[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let c = n - 1; c >= 0; c--) {
    let v = M[c][n];
    for (let j = c + 1; j < n; j++) v -= M[c][j] * x[j];
    x[c] = v / M[c][c];
  }
  return x;
}

function leastSquares(rows: number[][], y: number[]): number[] | null {
  const k = rows[0].length;
  const A = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const b = new Array<number>(k).fill(0);
  rows.forEach((r, i) => {
    for (let a = 0; a < k; a++) {
      b[a] += r[a] * y[i];
      for (let c = 0; c < k; c++) A[a][c] += r[a] * r[c];
    }
  });
  return solve(A, b);
}

const distinct = (xs: number[]) => new Set(xs.map((x) => x.toPrecision(6))).size;

/** The fitted loss surface of one (N, D) group, or why there is none. */
export function fitSweepSurface(points: readonly SweepPoint[]): SweepSurface | { error: string } {
  const pts = points.filter((p) => p.lr > 0 && p.batchTokens > 0 && p.loss > 0 && [p.lr, p.batchTokens, p.loss].every(Number.isFinite));
  if (pts.length < 3) return { error: `a sweep surface needs at least 3 settings; have ${pts.length}` };
  const best = minOf(pts.map((p) => p.loss));
  const nu = (l: readonly SweepPoint[]) => distinct(l.map((p) => Math.log(p.lr)));
  const nv = (l: readonly SweepPoint[]) => distinct(l.map((p) => Math.log(p.batchTokens)));
  const spansBoth = (l: readonly SweepPoint[]) => nu(l) >= 3 && nv(l) >= 3 && l.length >= 6;
  const enough = (l: readonly SweepPoint[]) => spansBoth(l) || ((nu(l) >= 3 || nv(l) >= 3) && l.length >= 3);
  // The narrowest window from SURFACE_WINDOW up (doubling) whose points still span every axis the
  // sweep varies: a small sweep's window grows until both lr and batch keep three settings each.
  const wanted = spansBoth(pts) ? spansBoth : enough;
  let near = pts;
  for (let w = SURFACE_WINDOW; w < 1; w *= 2) {
    const inside = pts.filter((p) => p.loss <= best * (1 + w));
    if (wanted(inside)) {
      near = inside;
      break;
    }
  }
  const U = near.map((p) => Math.log(p.lr));
  const V = near.map((p) => Math.log(p.batchTokens));
  const cu = U.reduce((a, b) => a + b, 0) / U.length;
  const cv = V.reduce((a, b) => a + b, 0) / V.length;
  const y = near.map((p) => p.loss);
  const uRange: [number, number] = [minOf(pts.map((p) => Math.log(p.lr))), maxOf(pts.map((p) => Math.log(p.lr)))];
  const vRange: [number, number] = [minOf(pts.map((p) => Math.log(p.batchTokens))), maxOf(pts.map((p) => Math.log(p.batchTokens)))];
  const both = nu(near) >= 3 && nv(near) >= 3 && near.length >= 6;
  const varied: SweepSurface['varied'] = both ? 'lr+batch' : nu(near) >= 3 ? 'lr' : nv(near) >= 3 ? 'batch' : 'lr';
  if (!both && nu(near) < 3 && nv(near) < 3) return { error: 'a sweep surface needs at least 3 distinct learning rates or batch sizes' };

  let du: number;
  let dv: number;
  let coefficients: number[];
  let lossAt: (a: number, b: number) => number;
  let invUU = 0;
  let invVV = 0;
  if (both) {
    // L = c0 + c1·a + c2·b + c3·a² + c4·b² + c5·a·b, a = u − cu, b = v − cv.
    const c = leastSquares(
      U.map((u, i) => {
        const a = u - cu;
        const b = V[i] - cv;
        return [1, a, b, a * a, b * b, a * b];
      }),
      y,
    );
    if (!c) return { error: 'the sweep surface is degenerate (settings on a line?)' };
    const h11 = 2 * c[3];
    const h22 = 2 * c[4];
    const h12 = c[5];
    const det = h11 * h22 - h12 * h12;
    if (!(h11 > 0 && det > 0)) return { error: 'the loss surface has no minimum inside the sweep (not convex in ln lr, ln batch)' };
    du = (-c[1] * h22 + c[2] * h12) / det;
    dv = (-c[2] * h11 + c[1] * h12) / det;
    invUU = h22 / det;
    invVV = h11 / det;
    coefficients = c;
    lossAt = (a, b) => c[0] + c[1] * a + c[2] * b + c[3] * a * a + c[4] * b * b + c[5] * a * b;
  } else {
    const X = varied === 'lr' ? U.map((u) => u - cu) : V.map((v) => v - cv);
    const c = leastSquares(
      X.map((a) => [1, a, a * a]),
      y,
    );
    if (!c || !(c[2] > 0)) return { error: `the loss has no minimum along ln ${varied === 'lr' ? 'lr' : 'batch'} inside the sweep (not convex)` };
    const d = -c[1] / (2 * c[2]);
    du = varied === 'lr' ? d : 0;
    dv = varied === 'batch' ? d : 0;
    if (varied === 'lr') invUU = 1 / (2 * c[2]);
    else invVV = 1 / (2 * c[2]);
    coefficients = c;
    lossAt = (a, b) => {
      const t = varied === 'lr' ? a : b;
      return c[0] + c[1] * t + c[2] * t * t;
    };
  }
  let u = cu + du;
  let v = cv + dv;
  const bracketed = u >= uRange[0] - 1e-9 && u <= uRange[1] + 1e-9 && v >= vRange[0] - 1e-9 && v <= vRange[1] + 1e-9;
  u = Math.min(uRange[1], Math.max(uRange[0], u));
  v = Math.min(vRange[1], Math.max(vRange[0], v));
  const lossStar = lossAt(u - cu, v - cv);
  if (!(lossStar > 0)) return { error: 'the fitted surface predicts a non-positive loss at its minimum' };
  // Quadratic: {d : ½·dᵀH·d ≤ Δ} has half-extent √(2Δ·(H⁻¹)_ii) along axis i.
  const delta = NEAR_OPTIMAL_FRACTION * lossStar;
  const hu = Math.sqrt(2 * delta * invUU);
  const hv = Math.sqrt(2 * delta * invVV);
  return {
    varied,
    lrStar: Math.exp(u),
    batchStar: Math.exp(v),
    lossStar,
    nearOptimal: { lr: [Math.exp(u - hu), Math.exp(u + hu)], batchTokens: [Math.exp(v - hv), Math.exp(v + hv)] },
    bracketed,
    coefficients,
    centre: [cu, cv],
    pointsUsed: near.length,
  };
}

/** Loss penalty (percent over the surface minimum) of a setting, read off the fitted surface. */
export function surfacePenaltyPct(surface: SweepSurface, lr: number, batchTokens: number): number {
  const a = Math.log(lr) - surface.centre[0];
  const b = Math.log(batchTokens) - surface.centre[1];
  const c = surface.coefficients;
  const loss =
    surface.varied === 'lr+batch'
      ? c[0] + c[1] * a + c[2] * b + c[3] * a * a + c[4] * b * b + c[5] * a * b
      : c[0] + c[1] * (surface.varied === 'lr' ? a : b) + c[2] * (surface.varied === 'lr' ? a : b) ** 2;
  return (100 * (loss - surface.lossStar)) / surface.lossStar;
}

export interface SweepGroup {
  params: number;
  tokens: number;
  /** Compute of the group, for compute-based laws (deepseek); default 6·N·D. */
  flops?: number;
  points: SweepPoint[];
}

export interface GroupOptimum {
  params: number;
  tokens: number;
  flops: number;
  points: number;
  surface?: SweepSurface;
  error?: string;
}

export interface HparamFit {
  lawId: string;
  groups: GroupOptimum[];
  lr?: LawCrossRunFit;
  batch?: LawCrossRunFit;
  /** Why a target has no fitted law (then the published law is the default). */
  lrError?: string;
  batchError?: string;
}

export interface HparamFitOptions {
  seed?: number;
  resamples?: number;
  deadline?: number;
  isCancelled?: () => boolean;
}

/** The law's variables from a group: N, D or C. */
function inputs(law: LawDefinition, g: { params: number; tokens: number; flops: number }): number[] {
  return law.variables.map((v) => (v.symbol === 'N' ? g.params : v.symbol === 'D' ? g.tokens : g.flops));
}

/** Surfaces per group, then the law's lr and batch power laws refitted on their optima. */
export function fitHparamSweeps(law: HyperparamLaw, groups: readonly SweepGroup[], opts: HparamFitOptions = {}): HparamFit {
  const optima: GroupOptimum[] = groups.map((g) => {
    const flops = g.flops ?? approxTrainingFlops(g.params, g.tokens);
    const s = fitSweepSurface(g.points);
    return 'error' in s
      ? { params: g.params, tokens: g.tokens, flops, points: g.points.length, error: s.error }
      : { params: g.params, tokens: g.tokens, flops, points: g.points.length, surface: s };
  });
  const out: HparamFit = { lawId: law.id, groups: optima };
  const target = (which: 'lr' | 'batch') => {
    const def = which === 'lr' ? law.lr : law.batch;
    // Only a group that varied this hyperparameter knows its optimum; an unbracketed one is at the sweep's edge.
    const pts: LawPoint[] = optima
      .filter((o) => o.surface && o.surface.bracketed && (o.surface.varied === 'lr+batch' || o.surface.varied === which))
      .map((o) => ({ runId: `N=${o.params} D=${o.tokens}`, x: inputs(def, o), y: which === 'lr' ? o.surface!.lrStar : o.surface!.batchStar }));
    const priors = pts.length < HPARAM_PRIOR_GROUPS ? referencePriors(def) : undefined;
    return fitCrossRunLaw(def, pts, {
      priors,
      seed: opts.seed,
      resamples: opts.resamples ?? 200,
      deadline: opts.deadline,
      isCancelled: opts.isCancelled,
      stratify: false,
    });
  };
  const lr = target('lr');
  if ('error' in lr) out.lrError = lr.error;
  else out.lr = lr;
  const batch = target('batch');
  if ('error' in batch) out.batchError = batch.error;
  else out.batch = batch;
  return out;
}

/** Optimal lr and batch for (N, D[, C]) from the refitted laws, or the published law where none was fitted. */
export function predictHparams(
  law: HyperparamLaw,
  fit: HparamFit,
  params: number,
  tokens: number,
  flops = approxTrainingFlops(params, tokens),
): { lr: Prediction & { source: 'fit' | 'published' }; batchTokens: Prediction & { source: 'fit' | 'published' } } {
  const one = (def: LawDefinition, f: LawCrossRunFit | undefined): Prediction & { source: 'fit' | 'published' } => {
    const x = inputs(def, { params, tokens, flops });
    if (f) return { ...predictWithFit(def, f, x), source: 'fit' };
    // Published constants: no interval is claimed (their uncertainty on the user's setup is unknown).
    const d = predictWithDefaults(def, x);
    return 'error' in d ? { value: NaN, interval: [NaN, NaN], lawId: def.id, source: 'published' } : { ...d, source: 'published' };
  };
  return { lr: one(law.lr, fit.lr), batchTokens: one(law.batch, fit.batch) };
}
