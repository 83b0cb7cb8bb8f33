/**
 * The first stage of a curve's k-step bootstrap refit (curve.ts), solved directly. The law is
 * linearised in log space at the best fit (Davidson & MacKinnon 1999; Andrews 2002):
 *   ln f(p, x_i) ≈ ln f(best, x_i) + Σ_j J_ij·(p_j − best_j),   J_ij = (∂f/∂p_j)/f at best,
 * so a resample's log residuals are linear in p, and the fit's objective (fitLaw.ts: Huber loss on
 * log residuals over δ·s, Gaussian priors, the parameters' box) is convex. Its IRLS rounds are then
 * weighted linear least squares, each solved exactly (normal equations, k ≤ 7) instead of by a few
 * Levenberg–Marquardt steps through the general fitter: the same objective at O(points × k²) per
 * round, with no pass over the law.
 */
import type { CompiledLaw, LawDefinition } from '../laws/types';
import { compileLaw } from '../laws/types';
import { DEFAULT_RESIDUAL_SCALE, HUBER_DELTA, type Prior } from './fitLaw';
import { choleskySolve } from './lm';

/** A law linearised in log space at `best` over fixed points, with the fit's priors and box. */
export interface LogLinearized {
  best: readonly number[];
  /** ln f(best, x_i). */
  lnF0: Float64Array;
  /** (∂f/∂p_j)/f at best, row-major (points × parameters). */
  jac: Float64Array;
  lower: readonly number[];
  upper: readonly number[];
  priorIndex: number[];
  priorMean: number[];
  priorSd: number[];
}

/** IRLS stops once no parameter moves by more than this, relative (as fitLaw's IRLS). */
const STEP_TOLERANCE = 1e-6;

export function linearizeInLog(
  law: LawDefinition,
  xs: readonly (readonly number[])[],
  best: readonly number[],
  priors?: Readonly<Record<string, Prior>>,
  /** The law already compiled for `xs`, when the caller has one. */
  kernel: CompiledLaw = compileLaw(law, xs),
): LogLinearized {
  const k = law.parameters.length;
  const m = xs.length;
  const f0 = new Float64Array(m);
  const jac = new Float64Array(m * k);
  kernel.valuesAndJacobian(best, f0, jac);
  const lnF0 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    lnF0[i] = Math.log(f0[i]);
    for (let j = 0; j < k; j++) jac[i * k + j] /= f0[i];
  }
  const out: LogLinearized = {
    best,
    lnF0,
    jac,
    lower: law.parameters.map((q) => q.lower),
    upper: law.parameters.map((q) => q.upper),
    priorIndex: [],
    priorMean: [],
    priorSd: [],
  };
  for (const [name, prior] of Object.entries(priors ?? {})) {
    const j = law.parameters.findIndex((q) => q.name === name);
    if (j < 0 || !(prior.sd > 0) || !Number.isFinite(prior.mean)) continue;
    out.priorIndex.push(j);
    out.priorMean.push(prior.mean);
    out.priorSd.push(prior.sd);
  }
  return out;
}

/**
 * Robust refit of the linearised law to the losses `y` (same points), from `best`: at most
 * `rounds` IRLS rounds, each the exact minimiser of the Huber majoriser within the box (an active
 * set: parameters that would leave the box are held on their bound and the rest solved again).
 * A round is kept only if it lowers the objective, so the objective never rises.
 */
export function refitLinearized(lin: LogLinearized, y: readonly number[], rounds: number): { params: number[] } | { error: string } {
  const k = lin.best.length;
  const m = lin.lnF0.length;
  const delta = HUBER_DELTA;
  const dataWeight = 1 / (delta * DEFAULT_RESIDUAL_SCALE);
  const r0 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    if (!(y[i] > 0) || !Number.isFinite(y[i])) return { error: 'a resampled loss is not a positive number' };
    r0[i] = lin.lnF0[i] - Math.log(y[i]);
  }
  const r = new Float64Array(m);
  const A = new Float64Array(k * k);
  const g = new Float64Array(k);
  const M = new Float64Array(k * k);
  const step = new Float64Array(k);
  const free = new Int32Array(k);
  const held = new Uint8Array(k);
  const moved = new Float64Array(k);
  const weight = new Float64Array(m);
  const jac = lin.jac;
  // Plain loops, no closures: this runs once per bootstrap resample (the same arithmetic as before).
  const objective = (p: readonly number[]): number => {
    residualsAt(lin, r0, p, moved, r);
    let data = 0;
    for (let i = 0; i < m; i++) {
      const a = Math.abs(r[i]);
      data += a <= delta ? 0.5 * r[i] * r[i] : delta * (a - 0.5 * delta);
    }
    let prior = 0;
    for (let q = 0; q < lin.priorIndex.length; q++) {
      const z = (p[lin.priorIndex[q]] - lin.priorMean[q]) / lin.priorSd[q];
      prior += 0.5 * z * z;
    }
    return data * dataWeight + prior;
  };

  let p = lin.best.map((v, j) => Math.min(lin.upper[j], Math.max(lin.lower[j], v)));
  let F = objective(p);
  if (!Number.isFinite(F)) return { error: 'the linearised objective is not finite' };
  for (let round = 0; round < rounds; round++) {
    // The majoriser at p: ½·dataWeight·Σ w_i·r_i² + priors, w_i = min(1, δ/|r_i|) (r holds residuals at p).
    for (let i = 0; i < m; i++) {
      const a = Math.abs(r[i]);
      weight[i] = dataWeight * (a <= delta ? 1 : delta / a);
    }
    weightedNormalEquations(jac, weight, r, m, k, A, g);
    for (let q = 0; q < lin.priorIndex.length; q++) {
      const j = lin.priorIndex[q];
      const s2 = lin.priorSd[q] * lin.priorSd[q];
      A[j * k + j] += 1 / s2;
      g[j] += (p[j] - lin.priorMean[q]) / s2;
    }
    let diagMax = 0;
    for (let u = 0; u < k; u++) diagMax = Math.max(diagMax, A[u * k + u]);
    // A parameter the data and priors do not reach keeps a tiny ridge, so the system stays solvable.
    const ridge = Math.max(1e-12 * diagMax, 1e-300);

    // Active set: start from the parameters on a bound that the gradient pushes outward.
    for (let j = 0; j < k; j++) held[j] = (p[j] <= lin.lower[j] && g[j] > 0) || (p[j] >= lin.upper[j] && g[j] < 0) ? 1 : 0;
    const next = p.slice();
    let solved = false;
    for (let pass = 0; pass <= k; pass++) {
      // Gradient of the majoriser at `next` (a quadratic: g + A·(next − p)), over the free parameters.
      let n = 0;
      for (let j = 0; j < k; j++) if (!held[j]) free[n++] = j;
      if (n === 0) break;
      for (let a = 0; a < n; a++) {
        const u = free[a];
        let gu = g[u];
        for (let v = 0; v < k; v++) gu += A[u * k + v] * (next[v] - p[v]);
        step[a] = -gu;
        for (let b = 0; b < n; b++) M[a * n + b] = A[u * k + free[b]];
        M[a * n + a] += ridge;
      }
      if (!choleskySolve(M, step, n)) break;
      let left = false;
      for (let a = 0; a < n; a++) {
        const u = free[a];
        const v = next[u] + step[a];
        if (v < lin.lower[u] || v > lin.upper[u]) {
          next[u] = Math.min(lin.upper[u], Math.max(lin.lower[u], v));
          held[u] = 1;
          left = true;
        } else next[u] = v;
      }
      solved = true;
      if (!left) break;
    }
    if (!solved) break;
    const Fnext = objective(next);
    if (!(Fnext < F)) {
      residualsAt(lin, r0, p, moved, r);
      break;
    }
    let relStep = 0;
    for (let j = 0; j < k; j++) relStep = Math.max(relStep, Math.abs(next[j] - p[j]) / (Math.abs(p[j]) + 1e-3));
    p = next;
    F = Fnext;
    if (relStep < STEP_TOLERANCE) break;
  }
  return { params: p };
}

/** Residuals of the linearised law at p into `r`: r0_i + Σ_j J_ij·(p_j − best_j) (`moved` takes p − best). */
function residualsAt(lin: LogLinearized, r0: Float64Array, p: readonly number[], moved: Float64Array, r: Float64Array): void {
  const k = moved.length;
  const jac = lin.jac;
  for (let j = 0; j < k; j++) moved[j] = p[j] - lin.best[j];
  for (let i = 0; i < r.length; i++) {
    let s = r0[i];
    const row = i * k;
    for (let j = 0; j < k; j++) s += jac[row + j] * moved[j];
    r[i] = s;
  }
}

/**
 * A = Σ_i w_i·J_iᵀJ_i (both triangles) and g = Σ_i w_i·r_i·J_i, each entry summed over the rows in
 * order as (w_i·J_iu)·J_iv, skipping rows whose J_iu is 0, in a register: the same sums, bit for
 * bit, as adding row by row into the matrix, in less time (lm.ts's normalEquations, weighted).
 */
export function weightedNormalEquations(jac: Float64Array, w: Float64Array, r: Float64Array, m: number, k: number, A: Float64Array, g: Float64Array): void {
  for (let u = 0; u < k; u++) {
    let gu = 0;
    for (let i = 0, at = u; i < m; i++, at += k) {
      const ju = jac[at];
      if (ju !== 0) gu += w[i] * ju * r[i];
    }
    g[u] = gu;
    let v = u;
    for (; v + 1 < k; v += 2) {
      let s0 = 0;
      let s1 = 0;
      for (let i = 0, at = u, vt = v; i < m; i++, at += k, vt += k) {
        const ju = jac[at];
        if (ju !== 0) {
          const wju = w[i] * ju;
          s0 += wju * jac[vt];
          s1 += wju * jac[vt + 1];
        }
      }
      A[u * k + v] = A[v * k + u] = s0;
      A[u * k + v + 1] = A[(v + 1) * k + u] = s1;
    }
    if (v < k) {
      let s = 0;
      for (let i = 0, at = u, vt = v; i < m; i++, at += k, vt += k) {
        const ju = jac[at];
        if (ju !== 0) s += w[i] * ju * jac[vt];
      }
      A[u * k + v] = A[v * k + u] = s;
    }
  }
}
