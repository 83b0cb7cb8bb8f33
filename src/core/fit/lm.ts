/**
 * Levenberg–Marquardt for small bounded nonlinear least squares, min ½‖r(p)‖², with analytic
 * Jacobians.
 *
 * Why our own rather than `ml-levenberg-marquardt`: that package differentiates numerically
 * (finite differences), has no cancellation hook, and its `weights` option is a vector of
 * standard deviations rather than weights, which makes IRLS and prior residuals awkward. Our
 * problems have 3–5 parameters, so the normal equations are solved directly (Cholesky).
 *
 * Bounds are handled by projection (clamping), not reparameterisation: each trial point is
 * clamped into the box, and parameters sitting on a bound whose gradient pushes outward are
 * frozen for that iteration (a simple active set), so the remaining ones still move.
 */

export interface StopCheck {
  /** Absolute time in `performance.now()` milliseconds after which work stops early. */
  deadline?: number;
  /** Polled between iterations; returning true stops early, like a passed deadline. */
  isCancelled?: () => boolean;
}

export function shouldStop(check: StopCheck): boolean {
  if (check.deadline !== undefined && performance.now() >= check.deadline) return true;
  return check.isCancelled !== undefined && check.isCancelled();
}

export interface LsqProblem {
  readonly nParams: number;
  readonly nResiduals: number;
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /** Write r(p) into `r`; when `jac` is given, also dr/dp row-major (nResiduals × nParams). */
  evaluate(p: readonly number[], r: Float64Array, jac: Float64Array | null): void;
  /**
   * The Jacobian asked after r at the same p costs only its own part (CompiledLaw's
   * `jacobianAfterValues`): trial points are then evaluated without it, and it is asked only at an
   * accepted step the solver goes on from. The same numbers either way; fewer derivative sums.
   */
  readonly jacobianAfterValues?: boolean;
}

/**
 * Work buffers of one problem size, allocated once and reused by every solve of a fit (IRLS runs
 * many short solves of the same size): residuals and Jacobians at the current and trial points,
 * the normal equations and the step.
 */
export class LmWork {
  r: Float64Array;
  jac: Float64Array;
  rTrial: Float64Array;
  jacTrial: Float64Array;
  readonly jtj: Float64Array;
  readonly grad: Float64Array;
  readonly M: Float64Array;
  readonly step: Float64Array;
  readonly free: Int32Array;
  constructor(
    readonly nResiduals: number,
    readonly nParams: number,
  ) {
    this.r = new Float64Array(nResiduals);
    this.jac = new Float64Array(nResiduals * nParams);
    this.rTrial = new Float64Array(nResiduals);
    this.jacTrial = new Float64Array(nResiduals * nParams);
    this.jtj = new Float64Array(nParams * nParams);
    this.grad = new Float64Array(nParams);
    this.M = new Float64Array(nParams * nParams);
    this.step = new Float64Array(nParams);
    this.free = new Int32Array(nParams);
  }
}

export interface LmOptions extends StopCheck {
  /** Reused buffers of this problem's size (see LmWork); allocated per call when absent. */
  work?: LmWork;
  maxIterations?: number;
  /** Stop when an accepted step lowers the cost by less than this fraction. */
  costTolerance?: number;
  /** Stop when the largest step is below this, relative to the parameter's magnitude. */
  stepTolerance?: number;
  /** Damping to start from (default 1e−3). */
  initialLambda?: number;
}

export type LmStatus = 'converged' | 'max-iterations' | 'stalled' | 'stopped' | 'non-finite';

export interface LmResult {
  params: number[];
  /** ½‖r‖² at `params`. */
  cost: number;
  /** Damping at the end. */
  lambda: number;
  iterations: number;
  status: LmStatus;
}

export function clampToBox(p: readonly number[], lower: readonly number[], upper: readonly number[]): number[] {
  return p.map((v, i) => Math.min(upper[i], Math.max(lower[i], v)));
}

function halfSumSquares(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return 0.5 * s;
}

/** Solves M x = rhs in place for symmetric positive-definite M (k×k, row-major); false if not SPD. */
export function choleskySolve(M: Float64Array, rhs: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) {
    let d = M[j * k + j];
    for (let s = 0; s < j; s++) d -= M[j * k + s] * M[j * k + s];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    M[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let v = M[i * k + j];
      for (let s = 0; s < j; s++) v -= M[i * k + s] * M[j * k + s];
      M[i * k + j] = v / ljj;
    }
  }
  for (let i = 0; i < k; i++) {
    let v = rhs[i];
    for (let s = 0; s < i; s++) v -= M[i * k + s] * rhs[s];
    rhs[i] = v / M[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let v = rhs[i];
    for (let s = i + 1; s < k; s++) v -= M[s * k + i] * rhs[s];
    rhs[i] = v / M[i * k + i];
  }
  return true;
}

const LAMBDA_MAX = 1e16;

/**
 * JᵀJ (both triangles) and the gradient Jᵀr of m rows of n columns. Each entry is summed over the
 * rows in order, skipping rows whose entry in the entry's first column is 0, in a register, two
 * columns at a time: the same sums as adding row by row into the matrix (bit for bit), at about
 * 0.6× the time of that (the inner loop of every Levenberg–Marquardt iteration).
 */
export function normalEquations(jac: Float64Array, r: Float64Array, m: number, n: number, jtj: Float64Array, grad: Float64Array): void {
  for (let a = 0; a < n; a++) {
    let g = 0;
    for (let i = 0, at = a; i < m; i++, at += n) {
      const ja = jac[at];
      if (ja !== 0) g += ja * r[i];
    }
    grad[a] = g;
    let b = a;
    for (; b + 1 < n; b += 2) {
      let s0 = 0;
      let s1 = 0;
      for (let i = 0, at = a, bt = b; i < m; i++, at += n, bt += n) {
        const ja = jac[at];
        if (ja !== 0) {
          s0 += ja * jac[bt];
          s1 += ja * jac[bt + 1];
        }
      }
      jtj[a * n + b] = jtj[b * n + a] = s0;
      jtj[a * n + b + 1] = jtj[(b + 1) * n + a] = s1;
    }
    if (b < n) {
      let s = 0;
      for (let i = 0, at = a, bt = b; i < m; i++, at += n, bt += n) {
        const ja = jac[at];
        if (ja !== 0) s += ja * jac[bt];
      }
      jtj[a * n + b] = jtj[b * n + a] = s;
    }
  }
}

export function levenbergMarquardt(problem: LsqProblem, start: readonly number[], opts: LmOptions = {}): LmResult {
  const n = problem.nParams;
  const m = problem.nResiduals;
  const maxIterations = opts.maxIterations ?? 200;
  const costTol = opts.costTolerance ?? 1e-12;
  const stepTol = opts.stepTolerance ?? 1e-10;
  const { lower, upper } = problem;
  const work = opts.work && opts.work.nResiduals === m && opts.work.nParams === n ? opts.work : new LmWork(m, n);
  const { jtj, grad, M, step, free } = work;

  let p = clampToBox(start, lower, upper);
  let r = work.r;
  let jac = work.jac;
  let rTrial = work.rTrial;
  let jacTrial = work.jacTrial;
  let lambda = opts.initialLambda ?? 1e-3;
  // The buffers swap roles as steps are accepted; hand them back in their current roles on every exit.
  const done = (status: LmStatus, iterations: number): LmResult => {
    work.r = r;
    work.jac = jac;
    work.rTrial = rTrial;
    work.jacTrial = jacTrial;
    return { params: p, cost, iterations, status, lambda };
  };
  problem.evaluate(p, r, jac);
  let cost = halfSumSquares(r);
  if (!Number.isFinite(cost)) return done('non-finite', 0);

  const pTrial = new Array<number>(n);
  const lazyJacobian = problem.jacobianAfterValues === true;
  // An accepted trial evaluated without its Jacobian: asked at the next iteration, if there is one.
  let jacobianDue = false;

  for (let iter = 0; iter < maxIterations; iter++) {
    if (shouldStop(opts)) return done('stopped', iter);
    if (jacobianDue) {
      problem.evaluate(p, r, jac);
      jacobianDue = false;
    }

    normalEquations(jac, r, m, n, jtj, grad);

    // Active set: a parameter on a bound whose descent direction (−grad) points outside stays put.
    let k = 0;
    for (let a = 0; a < n; a++) {
      const pinnedLow = p[a] <= lower[a] && grad[a] > 0;
      const pinnedHigh = p[a] >= upper[a] && grad[a] < 0;
      if (!pinnedLow && !pinnedHigh) free[k++] = a;
    }
    let gradMax = 0;
    for (let i = 0; i < k; i++) gradMax = Math.max(gradMax, Math.abs(grad[free[i]]));
    if (k === 0 || gradMax <= 1e-14 * Math.max(1, cost)) return done('converged', iter);

    // Marquardt scaling by diag(JᵀJ), floored so a parameter with no influence stays solvable.
    let diagMax = 0;
    for (let i = 0; i < k; i++) diagMax = Math.max(diagMax, jtj[free[i] * n + free[i]]);
    const diagFloor = Math.max(diagMax * 1e-12, 1e-300);

    let accepted = false;
    let firstTry = true;
    while (!accepted) {
      for (let i = 0; i < k; i++) {
        const a = free[i];
        for (let j = 0; j < k; j++) M[i * k + j] = jtj[a * n + free[j]];
        M[i * k + i] += lambda * Math.max(jtj[a * n + a], diagFloor);
        step[i] = -grad[a];
      }
      if (choleskySolve(M, step, k)) {
        if (firstTry) {
          // Reduction the local linear model predicts, −gᵀδ − ½δᵀJᵀJδ: when even that is
          // negligible we are at the minimum, and need not grow λ through rejections to find out.
          let predicted = 0;
          for (let i = 0; i < k; i++) {
            const a = free[i];
            let quad = 0;
            for (let j = 0; j < k; j++) quad += jtj[a * n + free[j]] * step[j];
            predicted -= grad[a] * step[i] + 0.5 * step[i] * quad;
          }
          if (predicted <= costTol * cost) return done('converged', iter);
        }
        for (let a = 0; a < n; a++) pTrial[a] = p[a];
        for (let i = 0; i < k; i++) pTrial[free[i]] += step[i];
        for (let a = 0; a < n; a++) pTrial[a] = Math.min(upper[a], Math.max(lower[a], pTrial[a]));
        problem.evaluate(pTrial, rTrial, lazyJacobian ? null : jacTrial);
        const costTrial = halfSumSquares(rTrial);
        if (Number.isFinite(costTrial) && costTrial < cost) {
          let relStep = 0;
          for (let a = 0; a < n; a++) {
            relStep = Math.max(relStep, Math.abs(pTrial[a] - p[a]) / (Math.abs(p[a]) + stepTol));
          }
          const relDecrease = (cost - costTrial) / Math.max(cost, 1e-300);
          p = pTrial.slice();
          cost = costTrial;
          [r, rTrial] = [rTrial, r];
          [jac, jacTrial] = [jacTrial, jac];
          lambda = Math.max(lambda * 0.3, 1e-15);
          accepted = true;
          jacobianDue = lazyJacobian;
          if (relDecrease <= costTol || relStep <= stepTol) return done('converged', iter + 1);
          continue;
        }
      }
      firstTry = false;
      lambda *= 10;
      // No step of any length lowers the cost: we are at a (numerical) minimum.
      if (lambda > LAMBDA_MAX) return done('stalled', iter + 1);
    }
  }
  return done('max-iterations', maxIterations);
}
