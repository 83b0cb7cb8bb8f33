/**
 * Robust fit of any registered law: Huber loss on log residuals (Hoffmann et al. 2022,
 * δ = 1e−3), minimised by iteratively reweighted least squares (IRLS) around our LM solver,
 * plus optional Gaussian priors on fit-space parameters as extra residuals.
 *
 * Objective (minimised):
 *   F(p) = Σ_i huber_δ(r_i) / (δ·s)  +  ½ Σ_j ((p_j − μ_j)/σ_j)²,   r_i = ln f(p, x_i) − ln y_i
 * Dividing by δ·s makes the data term ≈ Σ |r_i|/s (a Laplace likelihood of scale s, rounded
 * near 0) so priors and data are weighed on a common, interpretable footing; without priors
 * the factor does not move the optimum. s is `residualScale` (default 1% in loss).
 *
 * IRLS: Huber's ρ is majorised at r₀ by ½·w(r₀)·r² + const with w = min(1, δ/|r₀|), so each
 * weighted least-squares solve lowers F; we stop when it no longer does.
 */
import { isValidInput, type LawDefinition } from '../laws/types';
import { clampToBox, levenbergMarquardt, shouldStop, type LsqProblem, type StopCheck } from './lm';

export interface Prior {
  mean: number;
  sd: number;
}

/** Observations: `x[i]` ordered as `law.variables`, `y[i]` the observed loss (> 0). */
export interface LawData {
  x: readonly (readonly number[])[];
  y: readonly number[];
  /**
   * Optional weight of each point's Huber term (default 1). Cross-run fits give every point of a
   * run 1/(points of that run) so that runs, not points, weigh equally.
   */
  w?: readonly number[];
}

export interface FitLawOptions extends StopCheck {
  /** Gaussian priors keyed by FIT-SPACE parameter name (e.g. `alpha`, or `a` = ln A). */
  priors?: Readonly<Record<string, Prior>>;
  /** Warm starts (fit space). When given, the grid is skipped unless `grid` is true. */
  starts?: readonly (readonly number[])[];
  grid?: boolean;
  /** How many of the best grid points are refined. */
  refineStarts?: number;
  huberDelta?: number;
  /** Typical log-residual scale s used to weigh data against priors. */
  residualScale?: number;
  maxIrlsIterations?: number;
  maxLmIterations?: number;
}

export interface LawFitRaw {
  /** Best parameters in fit space (law.parameters order). */
  params: number[];
  objective: number;
  /** Root mean square of the log residuals at `params`. */
  residualRmse: number;
  pointsUsed: number;
  converged: boolean;
  timedOut: boolean;
}

export const HUBER_DELTA = 1e-3;
export const DEFAULT_RESIDUAL_SCALE = 0.01;
const GRID_POINTS = 64;
const IRLS_STEP_TOL = 1e-6;
/** Least-squares solutions closer than this (max abs difference in fit space) count as one. */
const SAME_START = 1e-4;

interface Prepared {
  law: LawDefinition;
  x: (readonly number[])[];
  logY: number[];
  /** Per-point weight of the Huber term (1 unless the caller weighs runs). */
  w: number[];
  priorIdx: number[];
  priorMean: number[];
  priorSd: number[];
  delta: number;
  dataWeight: number;
}

function huber(r: number, delta: number): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

function objective(prep: Prepared, p: readonly number[]): number {
  let data = 0;
  for (let i = 0; i < prep.x.length; i++) {
    const f = prep.law.evaluate(p, prep.x[i]);
    if (!(f > 0) || !Number.isFinite(f)) return Infinity;
    data += prep.w[i] * huber(Math.log(f) - prep.logY[i], prep.delta);
  }
  let prior = 0;
  for (let k = 0; k < prep.priorIdx.length; k++) {
    const z = (p[prep.priorIdx[k]] - prep.priorMean[k]) / prep.priorSd[k];
    prior += 0.5 * z * z;
  }
  return data * prep.dataWeight + prior;
}

export function logResidualRmse(law: LawDefinition, p: readonly number[], data: LawData): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < data.y.length; i++) {
    const r = Math.log(law.evaluate(p, data.x[i])) - Math.log(data.y[i]);
    s += r * r;
    n++;
  }
  return n > 0 ? Math.sqrt(s / n) : NaN;
}

/** Weighted least-squares surrogate for one IRLS step. */
function weightedProblem(prep: Prepared, weights: Float64Array): LsqProblem {
  const { law } = prep;
  const n = law.parameters.length;
  const nData = prep.x.length;
  return {
    nParams: n,
    nResiduals: nData + prep.priorIdx.length,
    lower: law.parameters.map((q) => q.lower),
    upper: law.parameters.map((q) => q.upper),
    evaluate(p, r, jac) {
      for (let i = 0; i < nData; i++) {
        const f = law.evaluate(p, prep.x[i]);
        const c = weights[i];
        r[i] = c * (Math.log(f) - prep.logY[i]);
        if (jac) {
          const g = law.jacobian(p, prep.x[i]);
          // d ln f / dp = (df/dp) / f
          for (let j = 0; j < n; j++) jac[i * n + j] = (c * g[j]) / f;
        }
      }
      for (let k = 0; k < prep.priorIdx.length; k++) {
        const row = nData + k;
        const j0 = prep.priorIdx[k];
        r[row] = (p[j0] - prep.priorMean[k]) / prep.priorSd[k];
        if (jac) {
          for (let j = 0; j < n; j++) jac[row * n + j] = 0;
          jac[row * n + j0] = 1 / prep.priorSd[k];
        }
      }
    },
  };
}

interface RefineResult {
  params: number[];
  objective: number;
  converged: boolean;
  timedOut: boolean;
}

function asCandidate(prep: Prepared, start: readonly number[]): RefineResult {
  const { law } = prep;
  const p = clampToBox(start, law.parameters.map((q) => q.lower), law.parameters.map((q) => q.upper));
  return { params: p, objective: objective(prep, p), converged: false, timedOut: false };
}

/**
 * Plain (unweighted) least squares on log residuals, plus priors. Far from the optimum Huber
 * weights are tiny and IRLS crawls, while Gauss–Newton converges fast; IRLS then only polishes.
 * The uniform weight equals the Huber weight of a 1% residual, so priors keep their balance.
 */
function leastSquaresPhase(prep: Prepared, start: readonly number[], opts: FitLawOptions): RefineResult {
  const { law } = prep;
  const p0 = clampToBox(start, law.parameters.map((q) => q.lower), law.parameters.map((q) => q.upper));
  const F0 = objective(prep, p0);
  if (shouldStop(opts)) return { params: p0, objective: F0, converged: false, timedOut: true };
  const weights = new Float64Array(prep.x.length);
  for (let i = 0; i < prep.x.length; i++) weights[i] = Math.sqrt(prep.w[i] * prep.dataWeight * prep.delta * 0.1);
  const ls = levenbergMarquardt(weightedProblem(prep, weights), p0, {
    maxIterations: 50,
    costTolerance: 1e-10,
    deadline: opts.deadline,
    isCancelled: opts.isCancelled,
  });
  const F = objective(prep, ls.params);
  const timedOut = ls.status === 'stopped';
  return F < F0 ? { params: ls.params, objective: F, converged: false, timedOut } : { params: p0, objective: F0, converged: false, timedOut };
}

/** IRLS for the Huber objective from `start` (a majorise–minimise scheme: F never increases). */
function irlsPhase(prep: Prepared, start: RefineResult, opts: FitLawOptions): RefineResult {
  const { law } = prep;
  let p = start.params;
  let F = start.objective;
  const maxIrls = opts.maxIrlsIterations ?? 60;
  const weights = new Float64Array(prep.x.length);
  let overRelax = 1;
  for (let it = 0; it < maxIrls; it++) {
    if (shouldStop(opts)) return { params: p, objective: F, converged: false, timedOut: true };
    for (let i = 0; i < prep.x.length; i++) {
      const r = Math.log(law.evaluate(p, prep.x[i])) - prep.logY[i];
      const w = Math.abs(r) <= prep.delta ? 1 : prep.delta / Math.abs(r);
      weights[i] = Math.sqrt(w * prep.w[i] * prep.dataWeight);
    }
    // MM only needs each surrogate lowered, not solved exactly: a few LM steps per reweighting.
    const lm = levenbergMarquardt(weightedProblem(prep, weights), p, {
      maxIterations: opts.maxLmIterations ?? 3,
      costTolerance: 1e-10,
      deadline: opts.deadline,
      isCancelled: opts.isCancelled,
    });
    const Fnew = objective(prep, lm.params);
    if (!(Fnew < F)) {
      // The surrogate's minimum no longer lowers F: an IRLS fixed point.
      const stopped = lm.status === 'stopped';
      return { params: p, objective: F, converged: !stopped && Number.isFinite(F), timedOut: stopped };
    }
    let relStep = 0;
    for (let j = 0; j < p.length; j++) {
      relStep = Math.max(relStep, Math.abs(lm.params[j] - p[j]) / (Math.abs(p[j]) + 1e-3));
    }
    const relGain = (F - Fnew) / Math.max(Math.abs(F), 1e-300);
    const prev = p;
    p = lm.params;
    F = Fnew;
    // IRLS for a Huber loss with a tiny δ converges linearly along a steady direction, so try an
    // over-relaxed step along it; kept only if it lowers F, so monotonicity is preserved.
    const ext = clampToBox(
      p.map((v, j) => v + overRelax * (v - prev[j])),
      law.parameters.map((q) => q.lower),
      law.parameters.map((q) => q.upper),
    );
    const Fext = objective(prep, ext);
    if (Fext < F) {
      p = ext;
      F = Fext;
      overRelax = Math.min(overRelax * 2, 64);
    } else {
      overRelax = 1;
    }
    if (lm.status === 'stopped') return { params: p, objective: F, converged: false, timedOut: true };
    // IRLS converges linearly (L1-like Huber tail), so stop once steps are far below what the
    // data can resolve (IRLS_STEP_TOL relative), well under any bootstrap interval.
    if (relGain < 1e-10 || relStep < IRLS_STEP_TOL) return { params: p, objective: F, converged: true, timedOut: false };
  }
  return { params: p, objective: F, converged: false, timedOut: false };
}

/**
 * Cartesian product of the law's grids; keeps the `keep` lowest-objective points. Ranking
 * starts needs no precision, so long data sets are scored on ≤ GRID_POINTS evenly spaced points.
 */
function gridStarts(full: Prepared, keep: number): number[][] {
  let prep = full;
  if (full.x.length > GRID_POINTS) {
    const stride = full.x.length / GRID_POINTS;
    const idx = Array.from({ length: GRID_POINTS }, (_, k) => Math.floor(k * stride));
    prep = { ...full, x: idx.map((i) => full.x[i]), logY: idx.map((i) => full.logY[i]), w: idx.map((i) => full.w[i]) };
  }
  const params = prep.law.parameters;
  const n = params.length;
  const idx = new Array<number>(n).fill(0);
  const best: { p: number[]; F: number }[] = [];
  const lower = params.map((q) => q.lower);
  const upper = params.map((q) => q.upper);
  for (;;) {
    const p = clampToBox(
      idx.map((k, j) => params[j].grid[k]),
      lower,
      upper,
    );
    const F = objective(prep, p);
    if (Number.isFinite(F) && (best.length < keep || F < best[best.length - 1].F)) {
      best.push({ p, F });
      best.sort((u, v) => u.F - v.F);
      if (best.length > keep) best.pop();
    }
    let j = n - 1;
    while (j >= 0 && ++idx[j] >= params[j].grid.length) idx[j--] = 0;
    if (j < 0) break;
  }
  return best.map((b) => b.p);
}

/**
 * Fit `law` to `data`. Points with a non-finite or non-positive loss or variable are ignored.
 * Returns `{ error }` (never throws) when too few points remain to pin the parameters.
 */
export function fitLaw(law: LawDefinition, data: LawData, opts: FitLawOptions = {}): LawFitRaw | { error: string } {
  const x: (readonly number[])[] = [];
  const logY: number[] = [];
  const w: number[] = [];
  const nVars = law.variables.length;
  for (let i = 0; i < Math.min(data.x.length, data.y.length); i++) {
    const xi = data.x[i];
    const yi = data.y[i];
    if (!(yi > 0) || !Number.isFinite(yi)) continue;
    if (!xi || xi.length < nVars || !law.variables.every((v, j) => isValidInput(v, xi[j]))) continue;
    const wi = data.w ? data.w[i] : 1;
    if (!(wi > 0) || !Number.isFinite(wi)) continue;
    x.push(xi);
    logY.push(Math.log(yi));
    w.push(wi);
  }

  const priorIdx: number[] = [];
  const priorMean: number[] = [];
  const priorSd: number[] = [];
  for (const [name, prior] of Object.entries(opts.priors ?? {})) {
    const j = law.parameters.findIndex((q) => q.name === name);
    if (j < 0) return { error: `law ${law.id} has no parameter "${name}" to put a prior on` };
    if (!(prior.sd > 0) || !Number.isFinite(prior.mean)) return { error: `prior on "${name}" needs a finite mean and sd > 0` };
    priorIdx.push(j);
    priorMean.push(prior.mean);
    priorSd.push(prior.sd);
  }

  const nParams = law.parameters.length;
  const needed = Math.max(1, nParams - priorIdx.length);
  if (x.length < needed) {
    return {
      error:
        `law ${law.id} needs at least ${needed} valid point(s) (it has ${nParams} parameters` +
        `${priorIdx.length ? `, ${priorIdx.length} with priors` : ''}); got ${x.length}`,
    };
  }

  const delta = opts.huberDelta ?? HUBER_DELTA;
  const scale = opts.residualScale ?? DEFAULT_RESIDUAL_SCALE;
  const prep: Prepared = { law, x, logY, w, priorIdx, priorMean, priorSd, delta, dataWeight: 1 / (delta * scale) };

  const useGrid = opts.grid ?? opts.starts === undefined;
  const starts: number[][] = (opts.starts ?? []).map((s) => s.slice());
  // The grid is bounded (a few thousand cheap evaluations), so it always completes: even a
  // fit whose deadline has already passed then returns its best grid point rather than nothing.
  if (useGrid) starts.push(...gridStarts(prep, opts.refineStarts ?? 5));
  if (starts.length === 0) return { error: `law ${law.id}: no finite starting point (check the data's scale)` };

  // Least squares from every start, then IRLS from the best distinct one or two.
  const candidates: RefineResult[] = [];
  let timedOut = false;
  for (const s of starts) {
    if (candidates.length > 0 && shouldStop(opts)) {
      timedOut = true;
      break;
    }
    // Warm starts (bootstrap refits) already sit near the robust optimum: IRLS directly.
    const res = useGrid ? leastSquaresPhase(prep, s, opts) : asCandidate(prep, s);
    timedOut ||= res.timedOut;
    if (Number.isFinite(res.objective)) candidates.push(res);
  }
  candidates.sort((u, v) => u.objective - v.objective);
  const distinct: RefineResult[] = [];
  for (const c of candidates) {
    const dup = distinct.some((d) => d.params.every((v, j) => Math.abs(v - c.params[j]) < SAME_START));
    if (!dup) distinct.push(c);
    if (distinct.length >= 2) break;
  }
  let best: RefineResult | undefined;
  for (const c of distinct) {
    if (timedOut || shouldStop(opts)) {
      timedOut = true;
      break;
    }
    const res = irlsPhase(prep, c, opts);
    timedOut ||= res.timedOut;
    if (!best || res.objective < best.objective) best = res;
  }
  // Out of time before any IRLS: the best least-squares point is the best so far.
  best ??= distinct[0];
  if (!best || !Number.isFinite(best.objective) || !best.params.every(Number.isFinite)) {
    return { error: `law ${law.id}: the fit did not reach a finite objective` };
  }
  const used: LawData = { x, y: logY.map(Math.exp) };
  return {
    params: best.params,
    objective: best.objective,
    residualRmse: logResidualRmse(law, best.params, used),
    pointsUsed: x.length,
    converged: best.converged && !timedOut,
    timedOut,
  };
}
