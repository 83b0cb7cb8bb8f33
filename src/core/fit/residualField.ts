// The family model through its runs' own numbers. A run's end (measured, or the forecast the product
// shows for a live run) and the family law at that run's N and D differ by the law's misfit there
// (`npm run validate`, "One number per run"). So that a run, a config equal to it, the scaling view
// and the planner show ONE number, the family model is the law times exp(c), where c interpolates
// the runs' log residuals r_i = ln(loss_i / law_i) and fades to 0 away from them (far configs show
// the law):
//   c(x) = Σ g_i(x)·r_i / (Σ g_i(x) + 1/ℓ²),  g_i = exp(−d_i²/2ℓ²) / d_i²
// inverse-distance weights, singular at each run so that c is its residual there (with zero slope),
// and a Gaussian fade. c never overshoots the residuals (it lies between their extremes and 0).
//
// Distance is measured in the law's own terms, not in (ln N, ln D): for Chinchilla
// L = E + A/N^α + B/D^β the coordinates are φ_N = ln(E + A/N^α) and φ_D = ln(E + B/D^β). Why: the
// model stays monotone (more N or D never predicts worse) while ∂c/∂φ_N < (E + A/N^α)/L and
// ∂c/∂φ_D < (E + B/D^β)/L, both above E/L (0.6–0.9 on the examples), whatever the law's slope. In
// (ln N, ln D) the bound is the law's slope itself, which vanishes where a term is spent (at a
// thousand tokens per parameter the data term is flat): a fade there made the real example's model
// rise with D. Runs at one (N, D) (schedules of one length, seeds) count once, at their median
// residual: the number most of them show (one schedule's outlier does not move the others').

/**
 * ℓ in φ units (log loss), fixed a priori, not fitted: a run's offset informs configs whose law
 * terms lie within about 3% of its own (neighbouring sizes of a ladder, a factor 2 in N at α ≈ 0.3,
 * move A/N^α by about that share of the loss), and is gone past about 8%. Leave-largest-out errors
 * with and without it are in `npm run validate` ("One number per run").
 */
export const RESIDUAL_LENGTH = 0.03;

export interface ResidualPoint {
  runId: string;
  params: number;
  tokens: number;
  loss: number;
}

export interface ResidualField {
  /** The log correction at (N, D): 0 far from every run, the run's log residual at its point. */
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
 * The residual field of these runs about `law` (the loss the model gives before the correction) in
 * the coordinates `coords`, or undefined when no run gives a finite residual.
 */
export function residualField(
  points: readonly ResidualPoint[],
  law: (p: ResidualPoint) => number,
  coords: (params: number, tokens: number) => [number, number],
  length: number = RESIDUAL_LENGTH,
): ResidualField | undefined {
  if (!(length > 0)) return undefined;
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
  const xs = new Float64Array(at.map((c) => c[0]));
  const ys = new Float64Array(at.map((c) => c[1]));
  const res = new Float64Array(nodes.map((n) => n.residual));
  const inv2l2 = 1 / (2 * length * length);
  const far = 1 / (length * length);
  // Past this squared distance a run's weight is under e^−18 of the law's: skipped.
  const cutoff = 36 * length * length;
  return {
    nodes,
    at(params, tokens) {
      const [x, y] = coords(params, tokens);
      let num = 0;
      let den = far;
      for (let i = 0; i < res.length; i++) {
        const dx = x - xs[i];
        const dy = y - ys[i];
        const d2 = dx * dx + dy * dy;
        if (d2 === 0) return res[i];
        if (d2 > cutoff) continue;
        const g = Math.exp(-d2 * inv2l2) / d2;
        num += g * res[i];
        den += g;
      }
      return num / den;
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
