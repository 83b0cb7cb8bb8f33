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
}

export interface LmOptions extends StopCheck {
  maxIterations?: number;
  /** Stop when an accepted step lowers the cost by less than this fraction. */
  costTolerance?: number;
  /** Stop when the largest step is below this, relative to the parameter's magnitude. */
  stepTolerance?: number;
}

export type LmStatus = 'converged' | 'max-iterations' | 'stalled' | 'stopped' | 'non-finite';

export interface LmResult {
  params: number[];
  /** ½‖r‖² at `params`. */
  cost: number;
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
function choleskySolve(M: Float64Array, rhs: Float64Array, k: number): boolean {
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

export function levenbergMarquardt(problem: LsqProblem, start: readonly number[], opts: LmOptions = {}): LmResult {
  const n = problem.nParams;
  const m = problem.nResiduals;
  const maxIterations = opts.maxIterations ?? 200;
  const costTol = opts.costTolerance ?? 1e-12;
  const stepTol = opts.stepTolerance ?? 1e-10;
  const { lower, upper } = problem;

  let p = clampToBox(start, lower, upper);
  let r = new Float64Array(m);
  let jac = new Float64Array(m * n);
  let rTrial = new Float64Array(m);
  let jacTrial = new Float64Array(m * n);
  problem.evaluate(p, r, jac);
  let cost = halfSumSquares(r);
  if (!Number.isFinite(cost)) return { params: p, cost, iterations: 0, status: 'non-finite' };

  const jtj = new Float64Array(n * n);
  const grad = new Float64Array(n);
  let lambda = 1e-3;

  for (let iter = 0; iter < maxIterations; iter++) {
    if (shouldStop(opts)) return { params: p, cost, iterations: iter, status: 'stopped' };

    // Normal equations: JᵀJ and gradient Jᵀr.
    jtj.fill(0);
    grad.fill(0);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      const ri = r[i];
      for (let a = 0; a < n; a++) {
        const ja = jac[row + a];
        if (ja === 0) continue;
        grad[a] += ja * ri;
        for (let b = a; b < n; b++) jtj[a * n + b] += ja * jac[row + b];
      }
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) jtj[a * n + b] = jtj[b * n + a];

    // Active set: a parameter on a bound whose descent direction (−grad) points outside stays put.
    const free: number[] = [];
    for (let a = 0; a < n; a++) {
      const pinnedLow = p[a] <= lower[a] && grad[a] > 0;
      const pinnedHigh = p[a] >= upper[a] && grad[a] < 0;
      if (!pinnedLow && !pinnedHigh) free.push(a);
    }
    let gradMax = 0;
    for (const a of free) gradMax = Math.max(gradMax, Math.abs(grad[a]));
    if (free.length === 0 || gradMax <= 1e-14 * Math.max(1, cost)) {
      return { params: p, cost, iterations: iter, status: 'converged' };
    }

    // Marquardt scaling by diag(JᵀJ), floored so a parameter with no influence stays solvable.
    const k = free.length;
    let diagMax = 0;
    for (const a of free) diagMax = Math.max(diagMax, jtj[a * n + a]);
    const diagFloor = Math.max(diagMax * 1e-12, 1e-300);

    let accepted = false;
    let firstTry = true;
    while (!accepted) {
      const M = new Float64Array(k * k);
      const step = new Float64Array(k);
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
          if (predicted <= costTol * cost) return { params: p, cost, iterations: iter, status: 'converged' };
        }
        const trial = p.slice();
        for (let i = 0; i < k; i++) trial[free[i]] += step[i];
        const pTrial = clampToBox(trial, lower, upper);
        problem.evaluate(pTrial, rTrial, jacTrial);
        const costTrial = halfSumSquares(rTrial);
        if (Number.isFinite(costTrial) && costTrial < cost) {
          let relStep = 0;
          for (let a = 0; a < n; a++) {
            relStep = Math.max(relStep, Math.abs(pTrial[a] - p[a]) / (Math.abs(p[a]) + stepTol));
          }
          const relDecrease = (cost - costTrial) / Math.max(cost, 1e-300);
          p = pTrial;
          cost = costTrial;
          [r, rTrial] = [rTrial, r];
          [jac, jacTrial] = [jacTrial, jac];
          lambda = Math.max(lambda * 0.3, 1e-15);
          accepted = true;
          if (relDecrease <= costTol || relStep <= stepTol) {
            return { params: p, cost, iterations: iter + 1, status: 'converged' };
          }
          continue;
        }
      }
      firstTry = false;
      lambda *= 10;
      // No step of any length lowers the cost: we are at a (numerical) minimum.
      if (lambda > LAMBDA_MAX) return { params: p, cost, iterations: iter + 1, status: 'stalled' };
    }
  }
  return { params: p, cost, iterations: maxIterations, status: 'max-iterations' };
}
