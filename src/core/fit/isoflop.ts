/**
 * IsoFLOP frontier (Hoffmann et al. 2022, Approach 2): per compute budget C, a parabola of loss
 * in ln N through that budget's runs; its vertex gives N*(C), D*(C) and L*(C). Then
 * N*(C) = kN·C^a and D*(C) = kD·C^b are fitted across budgets (robust fit on log values,
 * bootstrap over budgets) and L*(C) with the `compute` law E + (C0/C)^α.
 * A budget whose vertex falls outside its sampled N range is not bracketed and is left out.
 */
import { computeLaw, frontierParamsLaw, frontierTokensLaw } from '../laws/compute';
import { fitCrossRunLaw, predictWithFit, type LawCrossRunFit } from './crossRunLaw';
import type { Prediction } from './types';
import { maxOf, minOf } from '../../shared/arrays';

export interface IsoflopPoint {
  /** Budget C in FLOPs (6·N·D or as the data counts it). */
  flops: number;
  params: number;
  tokens: number;
  loss: number;
}

export interface IsoflopBudget {
  flops: number;
  /** Vertex of the parabola (compute-optimal N, D and loss at this budget). */
  nStar: number;
  dStar: number;
  lossStar: number;
  points: number;
  /** The vertex lies inside the sampled N range (bracketed); only these feed the frontier. */
  bracketed: boolean;
}

export interface IsoflopFrontier {
  budgets: IsoflopBudget[];
  nStar: LawCrossRunFit;
  dStar: LawCrossRunFit;
  /** L*(C) = E + (C0/C)^α on the vertices; absent with fewer than 4 bracketed budgets. */
  loss?: LawCrossRunFit;
}

export interface IsoflopOptions {
  seed?: number;
  resamples?: number;
  deadline?: number;
  isCancelled?: () => boolean;
}

/** Least squares y ≈ Σ_k c_k·u^k for degree 1 or 2 (normal equations, u centred). */
function polyfit(u: readonly number[], y: readonly number[], degree: 1 | 2): { coef: number[]; centre: number } | null {
  const n = u.length;
  const centre = u.reduce((a, b) => a + b, 0) / n;
  const k = degree + 1;
  const M = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const r = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const v = u[i] - centre;
    const pw = [1, v, v * v];
    for (let a = 0; a < k; a++) {
      r[a] += pw[a] * y[i];
      for (let b = 0; b < k; b++) M[a][b] += pw[a] * pw[b];
    }
  }
  // Gaussian elimination with partial pivoting (k ≤ 3).
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let i = c + 1; i < k; i++) if (Math.abs(M[i][c]) > Math.abs(M[piv][c])) piv = i;
    if (Math.abs(M[piv][c]) < 1e-300) return null;
    [M[c], M[piv]] = [M[piv], M[c]];
    [r[c], r[piv]] = [r[piv], r[c]];
    for (let i = c + 1; i < k; i++) {
      const f = M[i][c] / M[c][c];
      for (let j = c; j < k; j++) M[i][j] -= f * M[c][j];
      r[i] -= f * r[c];
    }
  }
  const coef = new Array<number>(k).fill(0);
  for (let c = k - 1; c >= 0; c--) {
    let v = r[c];
    for (let j = c + 1; j < k; j++) v -= M[c][j] * coef[j];
    coef[c] = v / M[c][c];
  }
  return { coef, centre };
}

/** Vertex of one budget's parabola of loss in ln N (needs ≥ 3 distinct N). */
export function isoflopVertex(points: readonly IsoflopPoint[]): IsoflopBudget | null {
  const pts = points.filter((p) => p.params > 0 && p.tokens > 0 && p.loss > 0 && [p.params, p.tokens, p.loss].every(Number.isFinite));
  if (new Set(pts.map((p) => p.params)).size < 3) return null;
  const u = pts.map((p) => Math.log(p.params));
  const q = polyfit(
    u,
    pts.map((p) => p.loss),
    2,
  );
  const lin = polyfit(
    u,
    pts.map((p) => Math.log(p.tokens)),
    1,
  );
  if (!q || !lin || !(q.coef[2] > 0)) return null;
  const v = -q.coef[1] / (2 * q.coef[2]);
  const uStar = q.centre + v;
  const lossStar = q.coef[0] + q.coef[1] * v + q.coef[2] * v * v;
  const lnD = lin.coef[0] + lin.coef[1] * (uStar - lin.centre);
  return {
    flops: pts[0].flops,
    nStar: Math.exp(uStar),
    dStar: Math.exp(lnD),
    lossStar,
    points: pts.length,
    bracketed: uStar >= minOf(u) && uStar <= maxOf(u),
  };
}

/** Budgets equal to 4 significant digits are one budget. */
function budgetKey(c: number): string {
  return c.toPrecision(4);
}

export function fitIsoflopFrontier(points: readonly IsoflopPoint[], opts: IsoflopOptions = {}): IsoflopFrontier | { error: string } {
  const groups = new Map<string, IsoflopPoint[]>();
  for (const p of Array.isArray(points) ? points : []) {
    if (!(p && p.flops > 0 && Number.isFinite(p.flops))) continue;
    const key = budgetKey(p.flops);
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  const budgets: IsoflopBudget[] = [];
  for (const g of groups.values()) {
    const v = isoflopVertex(g);
    if (v) budgets.push(v);
  }
  budgets.sort((a, b) => a.flops - b.flops);
  const used = budgets.filter((b) => b.bracketed);
  if (used.length < 3) {
    return { error: `IsoFLOP frontier needs at least 3 budgets whose loss minimum is bracketed by their runs; have ${used.length} of ${groups.size}` };
  }
  const common = { seed: opts.seed, resamples: opts.resamples ?? 200, deadline: opts.deadline, isCancelled: opts.isCancelled, stratify: false };
  const nStar = fitCrossRunLaw(
    frontierParamsLaw,
    used.map((b) => ({ runId: budgetKey(b.flops), x: [b.flops], y: b.nStar })),
    common,
  );
  if ('error' in nStar) return nStar;
  const dStar = fitCrossRunLaw(
    frontierTokensLaw,
    used.map((b) => ({ runId: budgetKey(b.flops), x: [b.flops], y: b.dStar })),
    common,
  );
  if ('error' in dStar) return dStar;
  const out: IsoflopFrontier = { budgets, nStar, dStar };
  if (used.length >= 4) {
    const loss = fitCrossRunLaw(
      computeLaw,
      used.map((b) => ({ runId: budgetKey(b.flops), x: [b.flops], y: b.lossStar })),
      common,
    );
    if (!('error' in loss)) out.loss = loss;
  }
  return out;
}

/** N*, D* (and L* when fitted) at budget C, with intervals and extrapolation flags. */
export function predictFrontier(frontier: IsoflopFrontier, flops: number): { nStar: Prediction; dStar: Prediction; loss?: Prediction } {
  const out: { nStar: Prediction; dStar: Prediction; loss?: Prediction } = {
    nStar: predictWithFit(frontierParamsLaw, frontier.nStar, [flops]),
    dStar: predictWithFit(frontierTokensLaw, frontier.dStar, [flops]),
  };
  if (frontier.loss) out.loss = predictWithFit(computeLaw, frontier.loss, [flops]);
  return out;
}
