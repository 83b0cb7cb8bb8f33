// Does a family's largest run sit off the law of the others? Scaling curves can bend (Caballero et
// al. 2023, "Broken Neural Scaling Laws", arXiv 2210.14891): a single power law fitted across the
// bend extrapolates past it with confidence it has not earned (issue 15 measured 130% off on a
// ladder with a break, with no warning). Two signs, both cheap and on data the fit already has:
// - the leave-largest-out check: the law of the other runs misses the largest by far more than the
//   family's own scatter about its law;
// - a trend: the residuals of the three largest runs share a sign and grow with size;
// - the broken law fits far better than a single law: both signs above judge the top runs by a law
//   fitted across the break, whose scatter the break itself inflates (a break at 2e8 on a synthetic
//   ladder was missed 12 times in 12 though the law missed the largest run by 10.8%), so a third
//   sign compares the fits themselves (an F test of the broken law's three extra parameters).
// Any is reported with the runs it concerns; the family model then widens every prediction past
// the largest run by at least that miss (the extrapolation carries a bend it cannot model).
import { lawParams, type CrossRunFit, type CrossRunPoint } from './crossRun';
import { familyLaw } from '../laws/familyLaws';
import { fitFamilyBrokenLaw, type FamilyBrokenLaw } from './familyBrokenLaw';
import { isoflopWeights } from './isoflopWeights';

export interface FamilyBreak {
  /** The runs off the law, largest first. */
  runIds: string[];
  /** |ln(observed / predicted)| of the held-out largest run (0 when only the trend shows). */
  heldOutMiss: number;
  note: string;
  /** The broken law of the same runs, offered beside the family law (fit/familyBrokenLaw.ts), when it could be fitted. */
  brokenLaw?: FamilyBrokenLaw;
}

/** Least scatter assumed (log residual): finished runs' final losses are rarely steadier than 0.5%. */
const MIN_SCATTER = 0.005;
/** A held-out miss beyond this many times the scatter, and beyond MIN_MISS, is a break. */
const MISS_OVER_SCATTER = 4;
const MIN_MISS = 0.02;
/** The trend: the largest residual beyond this many times the scatter of the others. */
const TREND_OVER_SCATTER = 2.5;

/**
 * The broken-law sign: at least this many runs (two residual degrees of freedom past the broken
 * law's six parameters), the broken law's rms log residual at most 1/BROKEN_RMS_RATIO of the single
 * law's (the family law or one power law in compute, whichever fits closer), and the F statistic
 * of its three extra parameters past the 95th percentile. The F test alone flags families of a
 * hundred runs for a 5% better fit (Porian et al.'s whole IsoFLOP curves, F at 1.35× its 95th
 * percentile); the ratio asks for a bend that matters. On the shared ladders (`npm run validate`,
 * "Family breaks", 2026-12-07) no family of 8 runs or more reaches a ratio of 1.3; the synthetic
 * ladders with a sharp break reach 4–28 at the lowest real noise (the ratio 2 was set between the two, looking at both).
 */
const MIN_BROKEN_SIGN_RUNS = 8;
const BROKEN_RMS_RATIO = 2;
/** 95th percentiles of F(3, k) for k = 2, 3, …: Fisher–Snedecor tables (computed with scipy.stats.f.ppf); past the table, k = 120's. */
const F95_3: readonly [number, number][] = [
  [2, 19.16],
  [3, 9.28],
  [4, 6.59],
  [5, 5.41],
  [6, 4.76],
  [7, 4.35],
  [8, 4.07],
  [9, 3.86],
  [10, 3.71],
  [12, 3.49],
  [15, 3.29],
  [20, 3.1],
  [30, 2.92],
  [60, 2.76],
  [120, 2.68],
];

/** The tabled F(3, k) 95th percentile at the largest tabled k ≤ `dof` (so never below the true one). */
function f95(dof: number): number {
  let v = F95_3[0][1];
  for (const [k, f] of F95_3) if (k <= dof) v = f;
  return v;
}

/** Below this IsoFLOP weight a run is one the family fit nearly ignores (fit/isoflopWeights.ts counts them the same way). */
const IGNORED_WEIGHT = 0.1;

/**
 * Runs with distinct (N, D), one point each (the first), largest compute last. When the family fit
 * weighed IsoFLOP curves, the far wings it nearly ignores are left out too: their residuals say the
 * law does not describe a model far off its budget's optimum (why they are ignored), not that the
 * family bends (on Porian et al.'s `tuned/short/const` curves the three largest-compute runs, wings,
 * sat +0.2/+20/+23% off and read as a trend).
 */
function byCompute(points: readonly CrossRunPoint[], fit?: Pick<CrossRunFit, 'isoflopWeighting'>): CrossRunPoint[] {
  const seen = new Set<string>();
  const out: CrossRunPoint[] = [];
  for (const p of points) {
    if (!(p.params > 0 && p.tokens > 0 && p.loss > 0) || seen.has(p.runId)) continue;
    seen.add(p.runId);
    out.push(p);
  }
  const weights = fit?.isoflopWeighting ? isoflopWeights(out)?.weights : undefined;
  const kept = weights ? out.filter((p) => (weights.get(p.runId) ?? 1) >= IGNORED_WEIGHT) : out;
  return kept.sort((a, b) => a.params * a.tokens - b.params * b.tokens);
}

function rms(xs: readonly number[]): number {
  return xs.length ? Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length) : NaN;
}

/** A break at the top of the family, or undefined when its largest runs follow the law (or there are fewer than 5 runs). */
type BreakFit = Pick<CrossRunFit, 'fitParams' | 'validation' | 'lawId' | 'embeddings' | 'isoflopWeighting'>;

export function familyBreak(fit: BreakFit, points: readonly CrossRunPoint[]): FamilyBreak | undefined {
  const found = detectBreak(fit, points);
  // Fitted where a break shows, or to look for one in a family large enough for the F test: one
  // small deterministic grid fit on the family's finished runs (kept per set of runs).
  if (!found) return brokenLawSign(fit, points);
  const brokenLaw = fitFamilyBrokenLaw(byCompute(points, fit));
  return brokenLaw ? { ...found, brokenLaw } : found;
}

/** The third sign (see MIN_BROKEN_SIGN_RUNS): the broken law fits the runs far better than any single law. */
function brokenLawSign(fit: BreakFit, points: readonly CrossRunPoint[]): FamilyBreak | undefined {
  const runs = byCompute(points, fit);
  const n = runs.length;
  if (n < MIN_BROKEN_SIGN_RUNS) return undefined;
  const residual = runs.map(
    (p) => Math.log(p.loss) - Math.log(familyLaw(fit.lawId).law.evaluate(fit.fitParams, [lawParams(fit, p.params, p.nonEmbeddingParams), p.tokens])),
  );
  const brokenLaw = fitFamilyBrokenLaw(runs);
  if (!brokenLaw || !residual.every(Number.isFinite)) return undefined;
  const single = Math.min(rms(residual), brokenLaw.singleRmsLogResidual);
  const broken = Math.max(brokenLaw.rmsLogResidual, 1e-9);
  const f = (single * single - broken * broken) / 3 / ((broken * broken) / (n - 6));
  if (!(single >= BROKEN_RMS_RATIO * broken && f > f95(n - 6))) return undefined;
  const past = runs.filter((p) => 6 * p.params * p.tokens > brokenLaw.breakFlops).reverse();
  // Past the largest run the family law is widened by its own held-out miss there, when it was measured.
  const v = fit.validation;
  const miss = v && v.heldOutRunId === runs[n - 1].runId && v.observed > 0 && v.predicted > 0 ? Math.abs(Math.log(v.observed / v.predicted)) : 0;
  return {
    runIds: (past.length ? past : runs.slice(-1)).map((p) => p.runId),
    heldOutMiss: miss,
    brokenLaw,
    note: `Possible break: a broken power law in compute (slope ${brokenLaw.slopeBefore.toFixed(2)} → ${brokenLaw.slopeAfter.toFixed(2)} past ${brokenLaw.breakFlops.toExponential(1)} FLOPs) fits the ${n} runs with a scatter of ${(100 * broken).toFixed(2)}%, against ${(100 * single).toFixed(2)}% for a single law (F test, 95%): the points bend, so the family law's extrapolation past them is less certain than its interval says${miss > 0 ? ` (without its largest run it misses that run by ${(100 * miss).toFixed(1)}%)` : ''}.`,
  };
}

function detectBreak(fit: BreakFit, points: readonly CrossRunPoint[]): FamilyBreak | undefined {
  const runs = byCompute(points, fit);
  if (runs.length < 5) return undefined;
  const residual = runs.map(
    (p) => Math.log(p.loss) - Math.log(familyLaw(fit.lawId).law.evaluate(fit.fitParams, [lawParams(fit, p.params, p.nonEmbeddingParams), p.tokens])),
  );
  if (!residual.every(Number.isFinite)) return undefined;
  const scatter = Math.max(MIN_SCATTER, rms(residual.slice(0, -2)));
  // The held-out run must be the largest of these runs (not, say, a live run's forecast end).
  const v = fit.validation;
  if (v && v.heldOutRunId === runs[runs.length - 1].runId && v.observed > 0 && v.predicted > 0) {
    const miss = Math.abs(Math.log(v.observed / v.predicted));
    if (miss > MIN_MISS && miss > MISS_OVER_SCATTER * scatter) {
      const direction = v.observed < v.predicted ? 'lower' : 'higher';
      return {
        runIds: [v.heldOutRunId],
        heldOutMiss: miss,
        note: `Possible break: the law fitted without ${v.heldOutRunId} predicts ${v.predicted.toFixed(3)} for it, and it ended ${direction} at ${v.observed.toFixed(3)} (${(100 * miss).toFixed(1)}% off, against a scatter of ${(100 * scatter).toFixed(1)}% about the law): the family's points may bend at its top. Predictions past it are widened by at least that miss; a run larger still would show which way the law goes.`,
      };
    }
  }
  const top = residual.slice(-3);
  const sameSign = top.every((r) => r > 0) || top.every((r) => r < 0);
  const growing = Math.abs(top[0]) < Math.abs(top[1]) && Math.abs(top[1]) < Math.abs(top[2]);
  if (sameSign && growing && Math.abs(top[2]) > TREND_OVER_SCATTER * Math.max(MIN_SCATTER, rms(residual.slice(0, -3)))) {
    const ids = runs
      .slice(-3)
      .map((p) => p.runId)
      .reverse();
    return {
      runIds: ids,
      heldOutMiss: 0,
      note: `Possible break: the three largest runs (${ids.join(', ')}) sit increasingly ${top[2] < 0 ? 'below' : 'above'} the family law (${top
        .slice()
        .reverse()
        .map((r) => `${r > 0 ? '+' : ''}${(100 * r).toFixed(1)}%`)
        .join(', ')}): the points bend where the law does not, so its extrapolation is less certain than its interval says.`,
    };
  }
  return undefined;
}
