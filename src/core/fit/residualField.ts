// The family model through its runs' own numbers. A run's end (measured, or the forecast the product
// shows for a live run) and the family law at that run's N and D differ by the law's misfit there
// (`npm run validate`, "One number per run"). So that a run, a config equal to it, the scaling view
// and the planner show ONE number, the family model is the law times exp(c), where c passes through
// the runs' log residuals r_i = ln(loss_i / law_i) and is 0 away from them (far configs show the law).
//
// c is built so that law·exp(c) is monotone (more N or more D never predicts worse) whatever the
// residuals, a guarantee and not a tendency. Distances are measured in the law's own terms: for
// Chinchilla L = E + A/N^α + B/D^β the coordinates are φ_N = ln(E + A/N^α), φ_D = ln(E + B/D^β),
// which fall as N and D grow, and ∂ln L/∂φ_N = (E + A/N^α)/L > 0 (likewise for D). Each run i is a
// cone of slope K_i about its point: U = min_i (r_i + K_i·d_i), Lo = max_i (r_i − K_i·d_i), and
//   c = max(Lo, min(0, U))   (0 clamped into [Lo, U], McShane–Whitney).
// Where c ≠ 0 it equals one run's cone, within R_i = |r_i|/K_i of that run, and K_i is chosen no
// larger than the law's smallest log slope along either axis over that disc (coneSlope). So along
// any axis |∂c/∂φ| ≤ ∂ln L/∂φ wherever c moves, and ln L + c cannot fall as φ falls (N or D grows).
// c equals r_i at run i exactly when the runs' residuals are consistent with that bound
// (|r_i − r_j| ≤ K_j·d_ij for all j): a run whose number would make more N or D predict worse
// cannot be met, and its point shows the monotone value nearest to it. c lies between 0 and the
// residuals' extremes. Runs at one (N, D) (schedules of one length, seeds) count once, at their
// median residual: the number most of them show (one schedule's outlier does not move the others').

import { maxOf, minOf } from '../../shared/arrays';

export interface ResidualPoint {
  runId: string;
  params: number;
  tokens: number;
  loss: number;
}

export interface ResidualField {
  /** The log correction at (N, D): 0 far from every run, the run's log residual at its point (when consistent, see above). */
  at(params: number, tokens: number): number;
  /** Distinct points with their median log residual and the runs there. */
  nodes: readonly { params: number; tokens: number; residual: number; runIds: string[] }[];
}

/** The Chinchilla law's term coordinates (φ_N, φ_D) from its fit parameters [ln E, ln A, ln B, α, β]. */
export function chinchillaTermCoordinates(fitParams: readonly number[]): ((params: number, tokens: number) => [number, number]) | undefined {
  const [e, a, b, alpha, beta] = fitParams;
  if (![e, a, b, alpha, beta].every(Number.isFinite)) return undefined;
  const E = Math.exp(e);
  return (params, tokens) => [Math.log(E + Math.exp(a - alpha * Math.log(params))), Math.log(E + Math.exp(b - beta * Math.log(tokens)))];
}

/**
 * The smallest log slope of L = e^φN + e^φD − E along either axis over the disc of radius R about
 * (φN, φD): (E + A/N^α)/L grows with φN and falls with φD, so its least is at φN − R, φD + R (and
 * E + A/N^α is never below E).
 */
function lawSlopeOver(E: number, phiN: number, phiD: number, R: number): number {
  const termN = Math.max(E, Math.exp(phiN - R));
  const termD = Math.max(E, Math.exp(phiD - R));
  return Math.min(termN / (termN + Math.exp(phiD + R) - E), termD / (termD + Math.exp(phiN + R) - E));
}

/**
 * A cone slope K for a residual r at (φN, φD) with K ≤ the law's least slope over the disc of radius
 * |r|/K (where the cone can be the field): the smallest R with R·slope(R) ≥ |r|, K = slope(R).
 * Undefined when no radius works (a residual too large for the law's slope to absorb).
 */
function coneSlope(E: number, phiN: number, phiD: number, r: number): number | undefined {
  const need = Math.abs(r);
  if (need === 0) return lawSlopeOver(E, phiN, phiD, 0);
  const ok = (R: number) => R * lawSlopeOver(E, phiN, phiD, R) >= need;
  let hi = need;
  while (!ok(hi)) {
    hi *= 2;
    if (hi > 64) return undefined;
  }
  let lo = 0;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  const K = lawSlopeOver(E, phiN, phiD, hi);
  return K > 0 ? K : undefined;
}

/**
 * The residual field of these runs about `law` (the loss the model gives before the correction),
 * in the Chinchilla term coordinates of `fitParams` ([ln E, ln A, ln B, α, β]) of the parameter
 * count `lawN(N)` (non-decreasing: the law's N, e.g. non-embedding), or undefined when no run gives
 * a finite residual. law·exp(c) is monotone when `law` is this Chinchilla law (see the header).
 */
export function residualField(
  points: readonly ResidualPoint[],
  law: (p: ResidualPoint) => number,
  fitParams: readonly number[],
  lawN: (params: number) => number = (n) => n,
): ResidualField | undefined {
  const termCoords = chinchillaTermCoordinates(fitParams);
  if (!termCoords) return undefined;
  const coords = (n: number, d: number) => termCoords(lawN(n), d);
  const E = Math.exp(fitParams[0]);
  const byPoint = new Map<string, { params: number; tokens: number; residuals: number[]; runIds: string[] }>();
  for (const p of points) {
    if (!(p.params > 0 && p.tokens > 0 && p.loss > 0)) continue;
    const r = Math.log(p.loss / law(p));
    if (!Number.isFinite(r)) continue;
    const key = `${p.params},${p.tokens}`;
    const node = byPoint.get(key) ?? { params: p.params, tokens: p.tokens, residuals: [], runIds: [] };
    node.residuals.push(r);
    node.runIds.push(p.runId);
    byPoint.set(key, node);
  }
  const nodes = [...byPoint.values()].map((n) => ({ params: n.params, tokens: n.tokens, residual: median(n.residuals), runIds: n.runIds }));
  const at = nodes.map((n) => coords(n.params, n.tokens));
  if (!nodes.length || !at.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) return undefined;
  // One slope K for every cone: the least of the runs' own (coneSlope), checked to hold over every
  // run's disc of radius |r_i|/K. A run whose residual no cone can carry (none on the examples) is
  // left out rather than allowed to break monotonicity.
  let keep = nodes.map((_, i) => i);
  let K = 0;
  for (;;) {
    const slopes = keep.map((i) => coneSlope(E, at[i][0], at[i][1], nodes[i].residual));
    keep = keep.filter((_, j) => slopes[j] !== undefined);
    if (!keep.length) return undefined;
    K = minOf(slopes.filter((k): k is number => k !== undefined));
    const k = K;
    const over = keep.filter((i) => lawSlopeOver(E, at[i][0], at[i][1], Math.abs(nodes[i].residual) / k) < k);
    if (!over.length) break;
    keep = keep.filter((i) => !over.includes(i));
  }
  const xs = new Float64Array(keep.map((i) => at[i][0]));
  const ys = new Float64Array(keep.map((i) => at[i][1]));
  const res = new Float64Array(keep.map((i) => nodes[i].residual));
  // Past this distance no cone can set c (an upper cone counts below 0, a lower one above the least upper).
  const reach = (2 * maxOf(Array.from(res, Math.abs))) / K;
  const reach2 = reach * reach;
  return {
    nodes,
    at(params, tokens) {
      const [x, y] = coords(params, tokens);
      let upper = Infinity;
      let lower = -Infinity;
      for (let i = 0; i < res.length; i++) {
        const dx = x - xs[i];
        const dy = y - ys[i];
        const d2 = dx * dx + dy * dy;
        if (d2 >= reach2) continue;
        const kd = K * Math.sqrt(d2);
        if (res[i] + kd < upper) upper = res[i] + kd;
        if (res[i] - kd > lower) lower = res[i] - kd;
      }
      return Math.max(lower, Math.min(0, upper));
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
