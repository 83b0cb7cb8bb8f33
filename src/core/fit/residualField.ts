// The family model through its runs' own numbers. A run's end (measured, or the forecast the product
// shows for a live run) and the family law at that run's N and D differ by the law's misfit there
// (`npm run validate`, "One number per run"). So that a run, a config equal to it, the scaling view
// and the planner show ONE number, the family model is the law times exp(c), where c passes through
// the runs' log residuals r_i = ln(loss_i / law_i) and is 0 away from them (far configs show the law).
//
// c is built so that law·exp(c) is monotone (more N or more D never predicts worse) whatever the
// residuals: a guarantee of the construction, not a tendency. Distances are in the law's own terms:
// for Chinchilla L = E + A/N^α + B/D^β, φ_N = ln(E + A/N^α) and φ_D = ln(E + B/D^β), which fall as
// N and D grow, with ∂ln L/∂φ_N = (E + A/N^α)/L > 0 (likewise D). Monotone means ln L + c never falls
// as a φ rises, i.e. ∂c/∂φ ≥ −∂ln L/∂φ along each axis; c may rise as fast as it likes. So each run
// is a one-sided cone: a dip (r < 0) climbs back to 0 at slope K towards larger models and at slope
// M ≥ K towards smaller; a bump (r > 0) falls at slope K towards smaller models and M towards larger
// (L1 in φ). c = max(Lo, min(0, U)), U the lowest dip cone, Lo the highest bump cone. Every piece
// has ∂/∂φ ∈ {−K, +M}, so c has ∂c/∂φ ≥ −K wherever a piece is active, and each run's K is no larger
// than the law's least log slope over the disc where its piece can be active (coneSlope). c equals
// r_i at run i exactly when no other run's cone passes it, i.e. when its number is consistent with
// monotonicity given the others; otherwise its point shows the value the other run's cone sets, and a run
// whose residual no slope can carry is left out (its point shows the law). c lies
// between 0 and the residuals' extremes. Runs at one (N, D) (schedules of one length, seeds) count once, at their
// median residual: the number most of them show (one schedule's outlier does not move the others').

import { minOf } from '../../shared/arrays';
import { percentile } from './bootstrap';

/**
 * How far (φ units, log loss) a run's correction reaches on its free side (towards larger models for
 * a bump, smaller for a dip), where monotonicity does not bound its slope: about the reach of the
 * earlier Gaussian fade (3ℓ, ℓ = 0.03), fixed a priori, not fitted.
 */
const FREE_SIDE_FADE = 0.09;

/** A run's cone: its point in φ, its log residual, its slow (K) and free (M) slopes. */
interface Cone {
  x: number;
  y: number;
  r: number;
  K: number;
  M: number;
}

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
  /**
   * Where along N (at this D) or along D (at this N), within [lo, hi], a run's piece of the correction
   * turns upwards: a dip's own coordinate, and where a bump meets 0 on either side (not where cones
   * cross each other), so a search for the least of a blend along a line (plan/blendEnvelope.ts) does
   * not step over a narrow dip. In the law's own N (as `lawN` gives it).
   */
  breakpoints(axis: 'params' | 'tokens', params: number, tokens: number, lo: number, hi: number): number[];
}

/** The Chinchilla law's term coordinates (φ_N, φ_D) from its fit parameters [ln E, ln A, ln B, α, β]. */
export function chinchillaTermCoordinates(fitParams: readonly number[]): ((params: number, tokens: number) => [number, number]) | undefined {
  const [e, a, b, alpha, beta] = fitParams;
  if (![e, a, b, alpha, beta].every(Number.isFinite)) return undefined;
  const E = Math.exp(e);
  return (params, tokens) => [Math.log(E + Math.exp(a - alpha * Math.log(params))), Math.log(E + Math.exp(b - beta * Math.log(tokens)))];
}

/**
 * The smallest log slope of L = e^φN + e^φD − E along either axis over the square of half-side R about
 * (φN, φD): (E + A/N^α)/L grows with φN and falls with φD, so its least is at φN − R, φD + R (and
 * E + A/N^α is never below E).
 */
function lawSlopeOver(E: number, phiN: number, phiD: number, R: number): number {
  const termN = Math.max(E, Math.exp(phiN - R));
  const termD = Math.max(E, Math.exp(phiD - R));
  return Math.min(termN / (termN + Math.exp(phiD + R) - E), termD / (termD + Math.exp(phiN + R) - E));
}

/**
 * A cone slope K for a reach r (the most a cone can differ from its run's residual where it is active)
 * at (φN, φD), with K ≤ the law's least slope wherever each φ lies within r/K of the run's (M ≥ K
 * keeps the free side inside that too): the smallest R with R·slope(R) ≥ |r|, K = slope(R).
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
  // φ back to the law's N (or D): φ = ln(E + A·N^−α), so N = ((e^φ − E)/A)^(−1/α); none where e^φ ≤ E.
  const fromTerm = (phi: number, lnScale: number, exponent: number) => {
    const t = Math.exp(phi) - E;
    return t > 0 ? Math.exp(-(Math.log(t) - lnScale) / exponent) : NaN;
  };
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
  const nodes = [...byPoint.values()].map((n) => ({
    params: n.params,
    tokens: n.tokens,
    residual: percentile(
      [...n.residuals].sort((a, b) => a - b),
      0.5,
    ),
    runIds: n.runIds,
  }));
  const at = nodes.map((n) => coords(n.params, n.tokens));
  if (!nodes.length || !at.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) return undefined;
  // A dip's cone sets c where it is below 0 (within |r|/K of its run on the slow side); a bump's
  // where it is above the deepest dip's, so its slow side reaches (r + deepest dip)/K.
  const deepest = Math.max(0, -minOf(nodes.map((n) => n.residual)));
  const cones = nodes
    .map((n, i) => {
      const r = n.residual;
      const K = coneSlope(E, at[i][0], at[i][1], r < 0 ? -r : r + deepest);
      return K === undefined || r === 0 ? undefined : { x: at[i][0], y: at[i][1], r, K, M: Math.max(K, Math.abs(r) / FREE_SIDE_FADE) };
    })
    .filter((c): c is Cone => c !== undefined);
  // A cone that would carry another run off its own number (runs that contradict monotonicity, e.g.
  // IsoFLOP wings) is left out: where runs disagree the law decides, not the most extreme run.
  const dipAt = (c: Cone, x: number, y: number) =>
    c.r + c.K * (Math.max(0, c.x - x) + Math.max(0, c.y - y)) + c.M * (Math.max(0, x - c.x) + Math.max(0, y - c.y));
  const bumpAt = (c: Cone, x: number, y: number) =>
    c.r - c.K * (Math.max(0, x - c.x) + Math.max(0, y - c.y)) - c.M * (Math.max(0, c.x - x) + Math.max(0, c.y - y));
  const passes = (c: Cone) =>
    cones.some((o) => o !== c && (c.r < 0 ? dipAt(c, o.x, o.y) < Math.min(0, o.r) - 1e-12 : bumpAt(c, o.x, o.y) > Math.max(0, o.r) + 1e-12));
  const kept = cones.filter((c) => !passes(c));
  const dips = kept.filter((c) => c.r < 0);
  const bumps = kept.filter((c) => c.r > 0);
  return {
    nodes,
    breakpoints(axis, params, tokens, lo, hi) {
      const [x, y] = coords(params, tokens);
      const out: number[] = [];
      for (const c of kept) {
        // The cone's other coordinate is fixed along the line: its offset there, then where it meets 0.
        const along = axis === 'params' ? c.x : c.y;
        const other = axis === 'params' ? y - c.y : x - c.x;
        const base = c.r < 0 ? c.r + (other < 0 ? -c.K * other : c.M * other) : c.r - (other > 0 ? c.K * other : -c.M * other);
        // A minimum of a blend along the line can sit only where the correction's slope rises: at a
        // dip's own point, and where a bump falls to 0 (its slow side at higher φ, its free side at lower).
        const phis = c.r < 0 ? [along] : base > 0 ? [along + base / c.K, along - base / c.M] : [];
        for (const phi of phis) {
          const v = axis === 'params' ? fromTerm(phi, fitParams[1], fitParams[3]) : fromTerm(phi, fitParams[2], fitParams[4]);
          if (v > lo && v < hi) out.push(v);
        }
      }
      return out;
    },
    at(params, tokens) {
      const [x, y] = coords(params, tokens);
      // U: a dip at run i may rise back to 0 at rate K towards larger models (lower φ), at rate M towards smaller.
      let upper = 0;
      for (const c of dips) upper = Math.min(upper, dipAt(c, x, y));
      // Lo: a bump may fall at rate K towards smaller models (higher φ), at rate M towards larger.
      let lower = -Infinity;
      for (const c of bumps) lower = Math.max(lower, bumpAt(c, x, y));
      return Math.max(lower, upper);
    },
  };
}
