// The broken law offered beside a family law that bends (fit/familyBreak.ts): a Broken Neural
// Scaling Law with one break (Caballero et al. 2022, arXiv 2210.14891, Eq. 1 with n = 1; laws/bnsl.ts)
// of the final loss against training compute C = 6·N·D of the family's finished runs.
// Why compute: it is the one axis every run of a family has and the one the break detector ranks
// runs by (its largest run is the largest in C); a law of one variable needs one axis, and N alone
// would confound runs trained on different D. On a ladder at one tokens per parameter it is the
// same curve as along N. On a grid of many tokens per parameter (IsoFLOP curves) it is not: there
// it fits poorly (npm run validate, "Family breaks"), and it is only offered where a break shows.
// The fit is a small deterministic grid, not an optimiser: for a fixed floor E, break location d1
// and sharpness f1, ln(L − E) = ln b − c0·ln C − c1·f1·softplus((ln C − ln d1)/f1) is linear in
// (ln b, c0, c1), so each grid cell is a 3×3 least-squares solve (its normal matrix shared by every
// E). 1,200 cells, twice (all runs, and without the largest): measured 30–50 ms for 8–40 runs at a
// load average of 15 on the shared 2-core machine, run in the worker only for a family with a
// break, and kept per set of runs (the lens asks again and again); the grid's fixed size bounds it.
import { bnslLaw, softplus } from '../laws/bnsl';
import { choleskySolve } from './lm';
import { FLOPS_PER_PARAM_TOKEN } from '../laws/trainingCompute';
import { minOf } from '../../shared/arrays';

interface BrokenLawPoint {
  runId: string;
  params: number;
  tokens: number;
  loss: number;
}

export interface FamilyBrokenLaw {
  /** Always training compute 6·N·D in FLOPs (see the file's comment for why). */
  axis: 'flops';
  /** laws/bnsl.ts parameters [ln a, ln b, c0, c1, ln d1, ln f1] with x = C in FLOPs. */
  fitParams: number[];
  /** Compute where the slope changes (d1), FLOPs. */
  breakFlops: number;
  /** Slopes of L − a in ln C before and after the break. */
  slopeBefore: number;
  slopeAfter: number;
  /** Root-mean-square log residual of the broken law and of a single power law (the same grid, c1 = 0) on these runs. */
  rmsLogResidual: number;
  singleRmsLogResidual: number;
  runIds: string[];
  /** The broken law fitted without the largest run, asked for it (when at least 5 runs remain). */
  heldOut?: { runId: string; predicted: number; observed: number };
}

/** Fewest runs a broken law is fitted on: 3 linear + 3 grid parameters need more points than that. */
const MIN_BROKEN_RUNS = 5;
/** Floor E as fractions of the smallest loss (E = 0 is the pure power law). */
const FLOOR_FRACTIONS = Array.from({ length: 20 }, (_, i) => i * 0.05);
/** Break locations tried between the second smallest and the largest run, in ln C. */
const BREAK_STEPS = 20;
/** Sharpness f1 in ln C (sharp and soft bends). */
const SHARPNESS = [0.15, 0.5, 1.5];

/** Solves the normal equations a·x = b (symmetric, m×m) with the fits' Cholesky solve; undefined when not positive definite. */
function solveNormal(a: readonly number[][], b: readonly number[]): number[] | undefined {
  const m = b.length;
  const M = Float64Array.from(a.flat());
  const x = Float64Array.from(b);
  return choleskySolve(M, x, m) ? Array.from(x) : undefined;
}

interface GridFit {
  params: number[];
  rms: number;
}

/** Least log-residual fit over the grid; `broken` false fits the single power law (c1 = 0). */
function gridFit(lnC: readonly number[], loss: readonly number[], broken: boolean): GridFit | undefined {
  const n = lnC.length;
  const minLoss = minOf(loss);
  const breaks = broken ? Array.from({ length: BREAK_STEPS }, (_, i) => lnC[1] + ((lnC[n - 1] - lnC[1]) * (i + 0.5)) / BREAK_STEPS) : [0];
  const sharpness = broken ? SHARPNESS : [1];
  // ln(L − E) per floor: the only part of the least-squares problem that depends on E.
  const zs = FLOOR_FRACTIONS.map((frac) => loss.map((l) => Math.log(l - frac * minLoss)));
  let best: GridFit | undefined;
  for (const ld of breaks) {
    for (const f of sharpness) {
      // Columns 1, −ln C, −f·softplus((ln C − ld)/f) (c1 = 0 for the single law: two columns).
      const third = lnC.map((x) => (broken ? -f * softplus((x - ld) / f) : 0));
      const cols = lnC.map((x, k) => (broken ? [1, -x, third[k]] : [1, -x]));
      const m = cols[0].length;
      const ata = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => cols.reduce((sum, c) => sum + c[i] * c[j], 0)));
      // The normal matrix does not depend on E: built once per (d1, f1) for every floor.
      for (let e = 0; e < FLOOR_FRACTIONS.length; e++) {
        const z = zs[e];
        const atz = ata.map((_, i) => cols.reduce((sum, c, k) => sum + c[i] * z[k], 0));
        const coef = solveNormal(ata, atz);
        if (!coef) continue;
        const [lb, c0] = coef;
        const c1 = m === 3 ? coef[2] : 0;
        // Loss never rises with compute, before or after the break.
        if (!(c0 >= 0 && c0 + c1 >= 0)) continue;
        const floor = FLOOR_FRACTIONS[e] * minLoss;
        let sq = 0;
        for (let k = 0; k < n; k++) {
          const r = Math.log(floor + Math.exp(lb - c0 * lnC[k] + c1 * third[k])) - Math.log(loss[k]);
          sq += r * r;
        }
        const rms = Math.sqrt(sq / n);
        if (Number.isFinite(rms) && (!best || rms < best.rms)) best = { params: [Math.log(Math.max(floor, 1e-300)), lb, c0, c1, ld, Math.log(f)], rms };
      }
    }
  }
  return best;
}

/** Runs with distinct ids and positive N, D and loss, smallest compute first. */
function usable(points: readonly BrokenLawPoint[]): BrokenLawPoint[] {
  const seen = new Set<string>();
  const out: BrokenLawPoint[] = [];
  for (const p of points) {
    if (!(p.params > 0 && p.tokens > 0 && p.loss > 0) || seen.has(p.runId)) continue;
    seen.add(p.runId);
    out.push(p);
  }
  return out.sort((a, b) => a.params * a.tokens - b.params * b.tokens);
}

/** The broken law's loss at training compute `flops` (6·N·D). */
export function brokenLawLoss(fit: Pick<FamilyBrokenLaw, 'fitParams'>, flops: number): number {
  return bnslLaw.evaluate(fit.fitParams, [flops]);
}

function fitOn(runs: readonly BrokenLawPoint[]): { broken: GridFit; single: GridFit } | undefined {
  const lnC = runs.map((p) => Math.log(FLOPS_PER_PARAM_TOKEN * p.params * p.tokens));
  const loss = runs.map((p) => p.loss);
  // Distinct compute: a break needs spread along its axis.
  if (!(lnC[lnC.length - 1] - lnC[0] > 1e-6)) return undefined;
  const broken = gridFit(lnC, loss, true);
  const single = gridFit(lnC, loss, false);
  return broken && single ? { broken, single } : undefined;
}

/** The broken law of a family's finished runs, or undefined with fewer than MIN_BROKEN_RUNS runs (or none fits). Deterministic. */
export function fitFamilyBrokenLaw(points: readonly BrokenLawPoint[]): FamilyBrokenLaw | undefined {
  const runs = usable(points);
  if (runs.length < MIN_BROKEN_RUNS) return undefined;
  const key = runs.map((p) => `${p.runId}\u0000${p.params}\u0000${p.tokens}\u0000${p.loss}`).join('\u0001');
  if (recent.has(key)) return recent.get(key);
  const fitted = fitRuns(runs);
  recent.set(key, fitted);
  // A few families' fits, oldest dropped first.
  if (recent.size > RECENT_FITS) recent.delete(recent.keys().next().value!);
  return fitted;
}

/** Fits kept by their runs (the lens and the snapshot ask for the same family's again and again). */
const recent = new Map<string, FamilyBrokenLaw | undefined>();
const RECENT_FITS = 16;

function fitRuns(runs: readonly BrokenLawPoint[]): FamilyBrokenLaw | undefined {
  const all = fitOn(runs);
  if (!all) return undefined;
  const [, , c0, c1, ld] = all.broken.params;
  const out: FamilyBrokenLaw = {
    axis: 'flops',
    fitParams: all.broken.params,
    breakFlops: Math.exp(ld),
    slopeBefore: c0,
    slopeAfter: c0 + c1,
    rmsLogResidual: all.broken.rms,
    singleRmsLogResidual: all.single.rms,
    runIds: runs.map((p) => p.runId),
  };
  if (runs.length - 1 >= MIN_BROKEN_RUNS) {
    const largest = runs[runs.length - 1];
    const rest = fitOn(runs.slice(0, -1));
    if (rest)
      out.heldOut = {
        runId: largest.runId,
        predicted: brokenLawLoss({ fitParams: rest.broken.params }, FLOPS_PER_PARAM_TOKEN * largest.params * largest.tokens),
        observed: largest.loss,
      };
  }
  return out;
}

/** One sentence for the lens and hover: what the broken law gives at (N, D), beside the family law's value. */
export function brokenLawSentence(fit: FamilyBrokenLaw, params: number, tokens: number, familyLawLoss: number): string {
  const v = brokenLawLoss(fit, FLOPS_PER_PARAM_TOKEN * params * tokens);
  const held = fit.heldOut
    ? ` Fitted without ${fit.heldOut.runId} it predicts ${fit.heldOut.predicted.toFixed(3)} for it (ended ${fit.heldOut.observed.toFixed(3)}).`
    : '';
  return `The broken law (one break, on compute C = 6·N·D; Caballero et al. 2022) gives ${v.toFixed(3)} here, the family law ${familyLawLoss.toFixed(3)}; its slope changes from ${fit.slopeBefore.toFixed(2)} to ${fit.slopeAfter.toFixed(2)} near ${fit.breakFlops.toExponential(1)} FLOPs.${held}`;
}

/** The broken law at the points of a line of (N, D) (the scaling view's law line), non-finite values left out. */
export function brokenLawLine(
  fit: Pick<FamilyBrokenLaw, 'fitParams'>,
  line: { params: readonly number[]; tokens: readonly number[]; flops: readonly number[] },
): { params: number[]; tokens: number[]; flops: number[]; loss: number[] } {
  const out = { params: [] as number[], tokens: [] as number[], flops: [] as number[], loss: [] as number[] };
  line.flops.forEach((c, i) => {
    const loss = brokenLawLoss(fit, c);
    if (!(Number.isFinite(loss) && loss > 0)) return;
    out.params.push(line.params[i]);
    out.tokens.push(line.tokens[i]);
    out.flops.push(c);
    out.loss.push(loss);
  });
  return out;
}
