// The law's misfit as the ladder planner weighs it: a discrepancy δ(ln tokens-per-parameter, ln C)
// between the fitted Chinchilla law and the true ln loss, a Gaussian process with a squared-
// exponential kernel (Kennedy & O'Hagan 2001, "model inadequacy"). A run observes ln L = law + δ +
// noise, the target's ln L = law + δ(target): a run near the target in both coordinates tells the
// fit about δ there (its misfit is the target's), a far one mainly pins the law's constants, and
// adds a misfit the target does not share. The backtest's regression (error grows with the picks'
// distance from the target in tokens per parameter and in compute) is what this models.
//
// With θ the fit-space parameters (prior information Λ₀), run gradients G (rows gᵢ of ln L),
// Σ = K + σ²I (K the kernel between runs), k the kernel between the runs and the target:
//   Var(ln L_target | runs) = hᵀ(Λ₀ + GᵀΣ⁻¹G)⁻¹h + τ² − kᵀΣ⁻¹k,  h = g_t − GᵀΣ⁻¹k
// (δ_target = kᵀΣ⁻¹e + η with η independent of the runs' errors e). τ = 0 is the plain Fisher sum.

/** Amplitude (sd of δ in ln loss) and length scales (natural-log units) of the discrepancy kernel. */
export interface LadderDiscrepancy {
  sd: number;
  lengthLnTpp: number;
  lengthLnFlops: number;
}

/** No discrepancy: the linearised fit's variance alone (the rule before). */
export const NO_DISCREPANCY: LadderDiscrepancy = { sd: 0, lengthLnTpp: 1, lengthLnFlops: 1 };

/** A point in the kernel's coordinates: ln tokens per parameter, ln 6·N·D. */
export interface DiscrepancyPoint {
  lnTpp: number;
  lnFlops: number;
}

export function discrepancyPoint(params: number, tokens: number): DiscrepancyPoint {
  return { lnTpp: Math.log(tokens / params), lnFlops: Math.log(6 * params * tokens) };
}

function kernel(d: LadderDiscrepancy, a: DiscrepancyPoint, b: DiscrepancyPoint): number {
  const u = (a.lnTpp - b.lnTpp) / d.lengthLnTpp;
  const v = (a.lnFlops - b.lnFlops) / d.lengthLnFlops;
  return d.sd * d.sd * Math.exp(-0.5 * (u * u + v * v));
}

/** Lower Cholesky factor of a symmetric positive definite matrix; undefined when it is not. */
function cholesky(m: readonly (readonly number[])[]): number[][] | undefined {
  const k = m.length;
  const l = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let p = 0; p < j; p++) s -= l[i][p] * l[j][p];
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  return l;
}

/** x = M⁻¹b from M's Cholesky factor. */
function solve(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const k = b.length;
  const y = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= l[i][p] * y[p];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let p = i + 1; p < k; p++) s -= l[p][i] * x[p];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * Var(ln L at the target) given the runs, with the discrepancy (formula above). `priorInfo` is Λ₀
 * (the priors' information, no runs), `runs` each run's gradient of ln L in fit space and its
 * point, `noise` σ (log scatter of one run's loss). NaN when a matrix is not positive definite.
 */
export function lnLossVariance(
  priorInfo: readonly (readonly number[])[],
  runs: readonly { gradient: readonly number[]; at: DiscrepancyPoint }[],
  target: { gradient: readonly number[]; at: DiscrepancyPoint },
  noise: number,
  d: LadderDiscrepancy,
): number {
  const n = runs.length;
  const p = target.gradient.length;
  const sigma = runs.map((a, i) => runs.map((b, j) => kernel(d, a.at, b.at) + (i === j ? noise * noise : 0)));
  const k = runs.map((r) => kernel(d, r.at, target.at));
  const lS = n ? cholesky(sigma) : [];
  if (!lS) return NaN;
  // Λ = Λ₀ + GᵀΣ⁻¹G; h = g_t − GᵀΣ⁻¹k.
  const sInvG = Array.from({ length: p }, (_, c) =>
    n
      ? solve(
          lS,
          runs.map((r) => r.gradient[c]),
        )
      : [],
  );
  const sInvK = n ? solve(lS, k) : [];
  const lambda = priorInfo.map((row, a) => row.map((v, b) => v + runs.reduce((s, r, i) => s + r.gradient[a] * sInvG[b][i], 0)));
  const h = target.gradient.map((g, a) => g - runs.reduce((s, r, i) => s + r.gradient[a] * sInvK[i], 0));
  const lL = cholesky(lambda);
  if (!lL) return NaN;
  const lInvH = solve(lL, h);
  const fit = h.reduce((s, v, a) => s + v * lInvH[a], 0);
  const explained = k.reduce((s, v, i) => s + v * sInvK[i], 0);
  return fit + Math.max(0, d.sd * d.sd - explained);
}
