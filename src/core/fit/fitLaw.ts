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
import { compileLaw, isValidInput, type CompiledLaw, type LawDefinition } from '../laws/types';
import { clampToBox, levenbergMarquardt, LmWork, shouldStop, type LsqProblem, type StopCheck } from './lm';
import { appendAll } from '../../shared/arrays';

export interface Prior {
  mean: number;
  sd: number;
}

/**
 * A Gaussian prior on a linear combination Σ c_j·p_j of fit-space parameters (e.g. ln A − ln B):
 * what a prior on one parameter cannot say, such as how two terms share a loss the data only see
 * in sum. One extra residual (Σ c_j·p_j − mean)/sd.
 */
export interface ContrastPrior {
  /** Coefficient of each fit-space parameter, by name. */
  coefficients: Readonly<Record<string, number>>;
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
  /** Gaussian priors on linear combinations of fit-space parameters. */
  contrastPriors?: readonly ContrastPrior[];
  /** Warm starts (fit space). When given, the grid is skipped unless `grid` is true. */
  starts?: readonly (readonly number[])[];
  grid?: boolean;
  /** How many of the best grid points are refined. */
  refineStarts?: number;
  /** How many distinct least-squares solutions IRLS refines, best first (default 2). */
  irlsStarts?: number;
  huberDelta?: number;
  /** Typical log-residual scale s used to weigh data against priors. */
  residualScale?: number;
  maxIrlsIterations?: number;
  maxLmIterations?: number;
  /**
   * After each IRLS round, try the round's step once more (over-relaxation; default true). A
   * single-round polish (curve.ts's bootstrap) may skip it: one pass over the law fewer.
   */
  overRelax?: boolean;
  /**
   * Run every grid start's least squares for `iterations` only, then carry on with the `keep`
   * lowest objectives, each exactly where it stopped, to the usual iteration count.
   */
  screenLeastSquares?: { iterations: number; keep: number };
  /**
   * The law already compiled for exactly `data.x` (compileLaw), used when every point is valid:
   * refits of the same points (a bootstrap) then compile once and share its cached values.
   */
  kernel?: CompiledLaw;
  /**
   * Points at one x share one least-squares row (see `SharedRows`) when that at least halves the
   * rows: a cross-run fit of a big sweep (many runs at few (N, D), a bootstrap's repeated runs).
   */
  shareRows?: boolean;
  /** The caller does not read `residualRmse` (NaN then): spares a log per point (curve.ts's refits). */
  skipResidualRmse?: boolean;
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
/** Least-squares iterations from each grid start. */
const LS_ITERATIONS = 50;
/** Least-squares solutions closer than this (max abs difference in fit space) count as one. */
const SAME_START = 1e-4;

interface Prepared {
  law: LawDefinition;
  x: (readonly number[])[];
  logY: number[];
  /** Per-point weight of the Huber term (1 unless the caller weighs runs). */
  w: number[];
  /** Prior rows: each a sparse combination (parameter indices, coefficients) of fit-space parameters. */
  priorIdx: number[][];
  priorCoef: number[][];
  priorMean: number[];
  priorSd: number[];
  delta: number;
  dataWeight: number;
  lower: number[];
  upper: number[];
  /** The law bound to `x`, and a buffer of its values at the last parameters evaluated. */
  kernel: CompiledLaw;
  f: Float64Array;
  /** The parameter vector (by identity) whose values `f` holds; null after a solver evaluation. */
  fAt: readonly number[] | null;
  /** ln f at `logFAt` (an objective's, without shared rows), or null. */
  logF: Float64Array;
  logFAt: readonly number[] | null;
  /** √weight of each residual in the current least-squares surrogate (set before each solve). */
  sqrtWeights: Float64Array;
  /** The surrogate problem (its residuals are weighted by `sqrtWeights`), made once per fit. */
  problem: LsqProblem;
  /** The solver's buffers, reused by every solve of this fit. */
  work: LmWork;
  /** Set when points at one x share a least-squares row (FitLawOptions.shareRows). */
  shared?: SharedRows;
}

/**
 * Points that sit at one x (g) share one row of each least-squares surrogate. Its residuals there,
 * c_i·(ln f_g − ln y_i), have Σ_i c_i²·(ln f_g − ln y_i)² = S_g·(ln f_g − m_g)² + Σ_i c_i²·(ln y_i − m_g)²
 * with S_g = Σ c_i², m_g = Σ c_i²·ln y_i / S_g: one row √S_g·(ln f_g − m_g) per x, plus one constant row
 * (no Jacobian) for the rest, so the solver sees the same cost. The Huber objective and the IRLS
 * weights stay per point; the law is evaluated once per x.
 */
interface SharedRows {
  /** Each point's x row. */
  rowOf: Int32Array;
  /** The law bound to the distinct x, and its values there. */
  kernel: CompiledLaw;
  f: Float64Array;
  /** ln f_g, where the objective and IRLS need them. */
  logF: Float64Array;
  /** √S_g and m_g of each row, and the constant row's residual (set by `shareWeights`). */
  sqrtWeight: Float64Array;
  meanLogY: Float64Array;
  constant: number;
}

/** The distinct x of `x` (exact values), when they are at most half as many as the points. */
function sharedRows(law: LawDefinition, x: readonly (readonly number[])[]): SharedRows | undefined {
  const nVars = law.variables.length;
  const rowOf = new Int32Array(x.length);
  const rows = new Map<string, number>();
  const distinct: (readonly number[])[] = [];
  for (let i = 0; i < x.length; i++) {
    // A number's shortest round-trip string: equal strings are equal doubles.
    const key = x[i].slice(0, nVars).join(' ');
    let row = rows.get(key);
    if (row === undefined) {
      row = distinct.length;
      rows.set(key, row);
      distinct.push(x[i]);
    }
    rowOf[i] = row;
  }
  if (2 * distinct.length > x.length) return undefined;
  const g = distinct.length;
  return {
    rowOf,
    kernel: compileLaw(law, distinct),
    f: new Float64Array(g),
    logF: new Float64Array(g),
    sqrtWeight: new Float64Array(g),
    meanLogY: new Float64Array(g),
    constant: 0,
  };
}

/** The points' law values from the distinct x's: what a kernel bound to every point gives. */
function spreadKernel(shared: SharedRows, k: number): CompiledLaw {
  const { rowOf, f } = shared;
  let jac: Float64Array | undefined;
  return {
    values(params, out) {
      shared.kernel.values(params, f);
      for (let i = 0; i < rowOf.length; i++) out[i] = f[rowOf[i]];
    },
    valuesAndJacobian(params, out, jacOut) {
      jac ??= new Float64Array(f.length * k);
      shared.kernel.valuesAndJacobian(params, f, jac);
      for (let i = 0; i < rowOf.length; i++) {
        const r = rowOf[i];
        out[i] = f[r];
        for (let j = 0; j < k; j++) jacOut[i * k + j] = jac[r * k + j];
      }
    },
  };
}

/** The shared rows' √S_g, m_g and constant residual for the per-point √weights in `prep.sqrtWeights`. */
function shareWeights(prep: Prepared, shared: SharedRows): void {
  const { rowOf, sqrtWeight, meanLogY } = shared;
  const c = prep.sqrtWeights;
  const total = sqrtWeight; // S_g, then √S_g
  total.fill(0);
  meanLogY.fill(0);
  for (let i = 0; i < rowOf.length; i++) {
    const c2 = c[i] * c[i];
    total[rowOf[i]] += c2;
    meanLogY[rowOf[i]] += c2 * prep.logY[i];
  }
  for (let g = 0; g < total.length; g++) meanLogY[g] = total[g] > 0 ? meanLogY[g] / total[g] : 0;
  let rest = 0;
  for (let i = 0; i < rowOf.length; i++) {
    const d = prep.logY[i] - meanLogY[rowOf[i]];
    rest += c[i] * c[i] * d * d;
  }
  for (let g = 0; g < total.length; g++) sqrtWeight[g] = Math.sqrt(total[g]);
  shared.constant = Math.sqrt(rest);
}

/**
 * The solver's buffers of the last fit that finished, for the next fit of the same size (a
 * bootstrap refits the same points dozens of times). Scratch only: every solve writes them before
 * reading them, and fits in one thread run one after another.
 */
let spareWork: LmWork | undefined;

function takeWork(nResiduals: number, nParams: number): LmWork {
  const spare = spareWork;
  spareWork = undefined;
  return spare && spare.nResiduals === nResiduals && spare.nParams === nParams ? spare : new LmWork(nResiduals, nParams);
}

/** Everything a fit of `law` to these points needs, allocated once (not per IRLS round or solve). */
function prepare(
  law: LawDefinition,
  x: (readonly number[])[],
  logY: number[],
  w: number[],
  priors: { idx: number[][]; coef: number[][]; mean: number[]; sd: number[] },
  delta: number,
  dataWeight: number,
  given: CompiledLaw | undefined,
  shareRows: boolean,
): Prepared {
  const n = law.parameters.length;
  const shared = shareRows ? sharedRows(law, x) : undefined;
  // The data rows the solver sees: one per point, or one per distinct x and the constant row.
  const dataRows = shared ? shared.f.length + 1 : x.length;
  const kernel = shared ? spreadKernel(shared, n) : (given ?? compileLaw(law, x));
  const nResiduals = dataRows + priors.idx.length;
  const prep = {
    law,
    x,
    logY,
    w,
    priorIdx: priors.idx,
    priorCoef: priors.coef,
    priorMean: priors.mean,
    priorSd: priors.sd,
    delta,
    dataWeight,
    lower: law.parameters.map((q) => q.lower),
    upper: law.parameters.map((q) => q.upper),
    kernel,
    f: new Float64Array(x.length),
    fAt: null,
    logF: new Float64Array(x.length),
    logFAt: null,
    sqrtWeights: new Float64Array(x.length),
    work: takeWork(nResiduals, n),
    shared,
  } as Omit<Prepared, 'problem'> as Prepared;
  prep.problem = weightedProblem(prep);
  return prep;
}

/** Σ c_j·p_j of prior row k. */
function priorValue(prep: Pick<Prepared, 'priorIdx' | 'priorCoef'>, p: readonly number[], k: number): number {
  const idx = prep.priorIdx[k];
  const coef = prep.priorCoef[k];
  let v = 0;
  for (let i = 0; i < idx.length; i++) v += coef[i] * p[idx[i]];
  return v;
}

/** Huber loss of a residual: quadratic within `delta`, linear beyond. */
export function huber(r: number, delta: number): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/**
 * F at p. `jacobianNext`: the solver asks for the Jacobian at p next (a start, before its first
 * step); a kernel whose Jacobian comes with its values works both out in this one pass.
 */
function objective(prep: Prepared, p: readonly number[], jacobianNext = false): number {
  const f = prep.f;
  // The Jacobian goes to a scratch buffer: the kernel keeps it, the solver's next call finds it there.
  // A kernel whose Jacobian after values costs only its own part gives it when the solver asks (maybe never).
  if (jacobianNext && prep.kernel.jacobianWithValues && !prep.kernel.jacobianAfterValues) prep.kernel.valuesAndJacobian(p, f, prep.work.jacTrial);
  else prep.kernel.values(p, f);
  prep.fAt = p;
  prep.logFAt = null;
  let data = 0;
  if (prep.shared) {
    // The same sum, with one log per distinct x (logs of equal values are equal).
    const { rowOf, f: fx, logF } = prep.shared;
    for (let g = 0; g < fx.length; g++) {
      if (!(fx[g] > 0) || !Number.isFinite(fx[g])) return Infinity;
      logF[g] = Math.log(fx[g]);
    }
    for (let i = 0; i < rowOf.length; i++) data += prep.w[i] * huber(logF[rowOf[i]] - prep.logY[i], prep.delta);
  } else {
    // The logs in a loop of their own (no sum held across Math.log), kept for IRLS's weights at p.
    const logF = prep.logF;
    for (let i = 0; i < f.length; i++) {
      const fi = f[i];
      if (!(fi > 0) || !Number.isFinite(fi)) return Infinity;
      logF[i] = Math.log(fi);
    }
    prep.logFAt = p;
    for (let i = 0; i < f.length; i++) data += prep.w[i] * huber(logF[i] - prep.logY[i], prep.delta);
  }
  let prior = 0;
  for (let k = 0; k < prep.priorIdx.length; k++) {
    const z = (priorValue(prep, p, k) - prep.priorMean[k]) / prep.priorSd[k];
    prior += 0.5 * z * z;
  }
  return data * prep.dataWeight + prior;
}

export function logResidualRmse(law: LawDefinition, p: readonly number[], data: LawData, kernel?: CompiledLaw): number {
  const n = data.y.length;
  if (n === 0) return NaN;
  // The compiled law gives the same values as `evaluate`, faster on long raw curves.
  const f = new Float64Array(n);
  (kernel ?? compileLaw(law, data.x.length > n ? data.x.slice(0, n) : data.x)).values(p, f);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.log(f[i]) - Math.log(data.y[i]);
    s += r * r;
  }
  return Math.sqrt(s / n);
}

/** Weighted least-squares surrogate of one IRLS step; the weights are `prep.sqrtWeights` at solve time. */
function weightedProblem(prep: Omit<Prepared, 'problem'>): LsqProblem {
  const n = prep.law.parameters.length;
  const shared = prep.shared;
  const nData = shared ? shared.f.length + 1 : prep.x.length;
  const { kernel, f, sqrtWeights: weights, logY } = prep;
  return {
    nParams: n,
    nResiduals: nData + prep.priorIdx.length,
    lower: prep.lower,
    upper: prep.upper,
    // Shared rows go through their own kernel (spreadKernel), which does not keep a pass's terms.
    jacobianAfterValues: !shared && kernel.jacobianAfterValues === true,
    evaluate(p, r, jac) {
      prep.fAt = null;
      prep.logFAt = null;
      if (shared) sharedResiduals(shared, p, r, jac, n);
      else if (jac) {
        // The kernel writes df/dp into the data rows; scaled in place to d(c·ln f)/dp = c·(df/dp)/f.
        kernel.valuesAndJacobian(p, f, jac);
        // The logs in a loop of their own (no value held across Math.log), then the scaling.
        for (let i = 0; i < nData; i++) r[i] = weights[i] * (Math.log(f[i]) - logY[i]);
        for (let i = 0; i < nData; i++) {
          const c = weights[i];
          const fi = f[i];
          const row = i * n;
          for (let j = 0; j < n; j++) jac[row + j] = (c * jac[row + j]) / fi;
        }
      } else {
        kernel.values(p, f);
        for (let i = 0; i < nData; i++) r[i] = weights[i] * (Math.log(f[i]) - logY[i]);
      }
      for (let k = 0; k < prep.priorIdx.length; k++) {
        const row = nData + k;
        r[row] = (priorValue(prep, p, k) - prep.priorMean[k]) / prep.priorSd[k];
        if (jac) {
          for (let j = 0; j < n; j++) jac[row * n + j] = 0;
          const idx = prep.priorIdx[k];
          for (let i = 0; i < idx.length; i++) jac[row * n + idx[i]] += prep.priorCoef[k][i] / prep.priorSd[k];
        }
      }
    },
  };
}

/** The shared rows' residuals √S_g·(ln f_g − m_g), the constant row, and their Jacobian (see SharedRows). */
function sharedResiduals(shared: SharedRows, p: readonly number[], r: Float64Array, jac: Float64Array | null, n: number): void {
  const { f, sqrtWeight, meanLogY } = shared;
  const g = f.length;
  if (jac) {
    shared.kernel.valuesAndJacobian(p, f, jac);
    for (let k = 0; k < g; k++) {
      const c = sqrtWeight[k];
      r[k] = c * (Math.log(f[k]) - meanLogY[k]);
      const row = k * n;
      for (let j = 0; j < n; j++) jac[row + j] = (c * jac[row + j]) / f[k];
    }
    for (let j = 0; j < n; j++) jac[g * n + j] = 0;
  } else {
    shared.kernel.values(p, f);
    for (let k = 0; k < g; k++) r[k] = sqrtWeight[k] * (Math.log(f[k]) - meanLogY[k]);
  }
  r[g] = shared.constant;
}

interface RefineResult {
  params: number[];
  objective: number;
  converged: boolean;
  timedOut: boolean;
}

function asCandidate(prep: Prepared, start: readonly number[]): RefineResult {
  const p = clampToBox(start, prep.lower, prep.upper);
  // IRLS evaluates the Jacobian here first.
  return { params: p, objective: objective(prep, p, true), converged: false, timedOut: false };
}

/**
 * Plain (unweighted) least squares on log residuals, plus priors. Far from the optimum Huber
 * weights are tiny and IRLS crawls, while Gauss–Newton converges fast; IRLS then only polishes.
 * The uniform weight equals the Huber weight of a 1% residual, so priors keep their balance.
 */
function leastSquaresPhase(
  prep: Prepared,
  start: readonly number[],
  opts: FitLawOptions,
  maxIterations: number,
  /** Carry on from where an earlier phase from `start` stopped (its point and damping): the same steps as one longer phase. */
  resume?: LsResume,
): RefineResult & { resume: LsResume } {
  const p0 = resume ? resume.origin : clampToBox(start, prep.lower, prep.upper);
  // Least squares evaluates the Jacobian here first.
  const F0 = resume ? resume.originObjective : objective(prep, p0, true);
  if (shouldStop(opts))
    return { params: p0, objective: F0, converged: false, timedOut: true, resume: { origin: p0, originObjective: F0, at: p0, lambda: NaN, done: true } };
  const weights = prep.sqrtWeights;
  for (let i = 0; i < prep.x.length; i++) weights[i] = Math.sqrt(prep.w[i] * prep.dataWeight * prep.delta * 0.1);
  if (prep.shared) shareWeights(prep, prep.shared);
  const ls = levenbergMarquardt(prep.problem, resume ? resume.at : p0, {
    maxIterations,
    costTolerance: 1e-10,
    deadline: opts.deadline,
    isCancelled: opts.isCancelled,
    work: prep.work,
    initialLambda: resume?.lambda,
  });
  const F = objective(prep, ls.params);
  const timedOut = ls.status === 'stopped';
  const next: LsResume = { origin: p0, originObjective: F0, at: ls.params, lambda: ls.lambda, done: ls.status !== 'max-iterations' };
  return F < F0
    ? { params: ls.params, objective: F, converged: false, timedOut, resume: next }
    : { params: p0, objective: F0, converged: false, timedOut, resume: next };
}

/** Where a least-squares phase stopped, to go on exactly as one longer phase would. */
interface LsResume {
  origin: number[];
  originObjective: number;
  at: number[];
  lambda: number;
  /** The solver stopped for another reason than its cap: more iterations would not move it. */
  done: boolean;
}

/** IRLS for the Huber objective from `start` (a majorise–minimise scheme: F never increases). */
function irlsPhase(prep: Prepared, start: RefineResult, opts: FitLawOptions): RefineResult {
  let p = start.params;
  let F = start.objective;
  const maxIrls = opts.maxIrlsIterations ?? 60;
  const weights = prep.sqrtWeights;
  const f = prep.f;
  const nParams = p.length;
  let overRelax = 1;
  for (let it = 0; it < maxIrls; it++) {
    if (shouldStop(opts)) return { params: p, objective: F, converged: false, timedOut: true };
    // F was last evaluated at p (after a step or an accepted over-relaxation): its values are at hand.
    const logsAtHand = prep.fAt === p && prep.logFAt === p;
    if (prep.fAt !== p) prep.kernel.values(p, f);
    const shared = prep.shared;
    // One log per distinct x when points share rows (the kernel just left their values in `shared.f`).
    if (shared) for (let g = 0; g < shared.f.length; g++) shared.logF[g] = Math.log(shared.f[g]);
    // Else the logs the objective took at p, or taken here.
    else if (!logsAtHand) for (let i = 0; i < prep.x.length; i++) prep.logF[i] = Math.log(f[i]);
    for (let i = 0; i < prep.x.length; i++) {
      const r = (shared ? shared.logF[shared.rowOf[i]] : prep.logF[i]) - prep.logY[i];
      const w = Math.abs(r) <= prep.delta ? 1 : prep.delta / Math.abs(r);
      weights[i] = Math.sqrt(w * prep.w[i] * prep.dataWeight);
    }
    if (prep.shared) shareWeights(prep, prep.shared);
    // MM only needs each surrogate lowered, not solved exactly: a few LM steps per reweighting.
    const lm = levenbergMarquardt(prep.problem, p, {
      maxIterations: opts.maxLmIterations ?? 3,
      costTolerance: 1e-10,
      deadline: opts.deadline,
      isCancelled: opts.isCancelled,
      work: prep.work,
    });
    const Fnew = objective(prep, lm.params);
    if (!(Fnew < F)) {
      // The surrogate's minimum no longer lowers F: an IRLS fixed point.
      const stopped = lm.status === 'stopped';
      return { params: p, objective: F, converged: !stopped && Number.isFinite(F), timedOut: stopped };
    }
    let relStep = 0;
    for (let j = 0; j < nParams; j++) {
      relStep = Math.max(relStep, Math.abs(lm.params[j] - p[j]) / (Math.abs(p[j]) + 1e-3));
    }
    const relGain = (F - Fnew) / Math.max(Math.abs(F), 1e-300);
    const prev = p;
    p = lm.params;
    F = Fnew;
    // IRLS for a Huber loss with a tiny δ converges linearly along a steady direction, so try an
    // over-relaxed step along it; kept only if it lowers F, so monotonicity is preserved.
    if (opts.overRelax !== false) {
      const ext = new Array<number>(nParams);
      for (let j = 0; j < nParams; j++) ext[j] = Math.min(prep.upper[j], Math.max(prep.lower[j], p[j] + overRelax * (p[j] - prev[j])));
      // When kept, the next round's solver starts here with its Jacobian.
      const Fext = objective(prep, ext, true);
      if (Fext < F) {
        p = ext;
        F = Fext;
        overRelax = Math.min(overRelax * 2, 64);
      } else {
        overRelax = 1;
      }
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
    const x = idx.map((i) => full.x[i]);
    prep = {
      ...full,
      x,
      logY: idx.map((i) => full.logY[i]),
      w: idx.map((i) => full.w[i]),
      kernel: compileLaw(full.law, x),
      f: new Float64Array(GRID_POINTS),
      fAt: null,
      logF: new Float64Array(GRID_POINTS),
      logFAt: null,
      shared: undefined,
    };
  }
  const params = prep.law.parameters;
  const n = params.length;
  const idx = new Array<number>(n).fill(0);
  const best: { p: number[]; F: number }[] = [];
  const { lower, upper } = prep;
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

  const priorIdx: number[][] = [];
  const priorCoef: number[][] = [];
  const priorMean: number[] = [];
  const priorSd: number[] = [];
  for (const [name, prior] of Object.entries(opts.priors ?? {})) {
    const j = law.parameters.findIndex((q) => q.name === name);
    if (j < 0) return { error: `law ${law.id} has no parameter "${name}" to put a prior on` };
    if (!(prior.sd > 0) || !Number.isFinite(prior.mean)) return { error: `prior on "${name}" needs a finite mean and sd > 0` };
    priorIdx.push([j]);
    priorCoef.push([1]);
    priorMean.push(prior.mean);
    priorSd.push(prior.sd);
  }
  for (const prior of opts.contrastPriors ?? []) {
    const idx: number[] = [];
    const coef: number[] = [];
    for (const [name, c] of Object.entries(prior.coefficients)) {
      const j = law.parameters.findIndex((q) => q.name === name);
      if (j < 0) return { error: `law ${law.id} has no parameter "${name}" to put a prior on` };
      if (!Number.isFinite(c)) return { error: `prior on a combination of "${name}" needs finite coefficients` };
      idx.push(j);
      coef.push(c);
    }
    if (!(prior.sd > 0) || !Number.isFinite(prior.mean) || idx.length === 0)
      return { error: 'a prior on a combination of parameters needs parameters, a finite mean and sd > 0' };
    priorIdx.push(idx);
    priorCoef.push(coef);
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
  const priorRows = { idx: priorIdx, coef: priorCoef, mean: priorMean, sd: priorSd };
  // A kernel compiled by the caller serves only when no point was left out (it is bound to data.x).
  const kernel = opts.kernel && x.length === data.x.length ? opts.kernel : undefined;
  const prep = prepare(law, x, logY, w, priorRows, delta, 1 / (delta * scale), kernel, opts.shareRows === true);

  const useGrid = opts.grid ?? opts.starts === undefined;
  const starts: number[][] = (opts.starts ?? []).map((s) => s.slice());
  // The grid is bounded (a few thousand cheap evaluations), so it always completes: even a
  // fit whose deadline has already passed then returns its best grid point rather than nothing.
  if (useGrid) appendAll(starts, gridStarts(prep, opts.refineStarts ?? 5));
  if (starts.length === 0) return { error: `law ${law.id}: no finite starting point (check the data's scale)` };

  // Least squares from every start, then IRLS from the best distinct one or two.
  const screen = useGrid && opts.screenLeastSquares ? Math.min(LS_ITERATIONS, Math.max(1, opts.screenLeastSquares.iterations)) : LS_ITERATIONS;
  let candidates: (RefineResult & { resume?: LsResume })[] = [];
  let timedOut = false;
  for (const s of starts) {
    if (candidates.length > 0 && shouldStop(opts)) {
      timedOut = true;
      break;
    }
    // Warm starts (bootstrap refits) already sit near the robust optimum: IRLS directly.
    const res = useGrid ? leastSquaresPhase(prep, s, opts, screen) : asCandidate(prep, s);
    timedOut ||= res.timedOut;
    if (Number.isFinite(res.objective)) candidates.push(res);
  }
  candidates.sort((u, v) => u.objective - v.objective);
  if (screen < LS_ITERATIONS && opts.screenLeastSquares) {
    candidates = candidates.slice(0, Math.max(1, opts.screenLeastSquares.keep)).map((c) => {
      if (timedOut || !c.resume || c.resume.done) return c;
      const res = leastSquaresPhase(prep, c.resume.origin, opts, LS_ITERATIONS - screen, c.resume);
      timedOut ||= res.timedOut;
      return Number.isFinite(res.objective) ? res : c;
    });
    candidates.sort((u, v) => u.objective - v.objective);
  }
  const irlsStarts = Math.max(1, Math.floor(opts.irlsStarts ?? 2));
  const distinct: RefineResult[] = [];
  for (const c of candidates) {
    const dup = distinct.some((d) => d.params.every((v, j) => Math.abs(v - c.params[j]) < SAME_START));
    if (!dup) distinct.push(c);
    if (distinct.length >= irlsStarts) break;
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
  spareWork = prep.work;
  return {
    params: best.params,
    objective: best.objective,
    // The fit's own compiled law (same points): its values at the best parameters are usually at hand.
    residualRmse: opts.skipResidualRmse ? NaN : logResidualRmse(law, best.params, { x, y: logY.map(Math.exp) }, prep.kernel),
    pointsUsed: x.length,
    converged: best.converged && !timedOut,
    timedOut,
  };
}
