// Does a family's largest run sit off the law of the others? Scaling curves can bend (Caballero et
// al. 2023, "Broken Neural Scaling Laws", arXiv 2210.14891): a single power law fitted across the
// bend extrapolates past it with confidence it has not earned (issue 15 measured 130% off on a
// ladder with a break, with no warning). Two signs, both cheap and on data the fit already has:
// - the leave-largest-out check: the law of the other runs misses the largest by far more than the
//   family's own scatter about its law;
// - a trend: the residuals of the three largest runs share a sign and grow with size.
// Either is reported with the runs it concerns; the family model then widens every prediction past
// the largest run by at least that miss (the extrapolation carries a bend it cannot model).
import { lawParams, type CrossRunFit, type CrossRunPoint } from './crossRun';
import { familyLaw } from '../laws/familyLaws';
import { fitFamilyBrokenLaw, type FamilyBrokenLaw } from './familyBrokenLaw';

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

/** Runs with distinct (N, D), one point each (the first), largest compute last. */
function byCompute(points: readonly CrossRunPoint[]): CrossRunPoint[] {
  const seen = new Set<string>();
  const out: CrossRunPoint[] = [];
  for (const p of points) {
    if (!(p.params > 0 && p.tokens > 0 && p.loss > 0) || seen.has(p.runId)) continue;
    seen.add(p.runId);
    out.push(p);
  }
  return out.sort((a, b) => a.params * a.tokens - b.params * b.tokens);
}

function rms(xs: readonly number[]): number {
  return xs.length ? Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length) : NaN;
}

/** A break at the top of the family, or undefined when its largest runs follow the law (or there are fewer than 5 runs). */
export function familyBreak(
  fit: Pick<CrossRunFit, 'fitParams' | 'validation' | 'lawId' | 'embeddings'>,
  points: readonly CrossRunPoint[],
): FamilyBreak | undefined {
  const found = detectBreak(fit, points);
  if (!found) return undefined;
  // Fitted only where a break shows: one small deterministic grid fit on the family's finished runs.
  const brokenLaw = fitFamilyBrokenLaw(byCompute(points));
  return brokenLaw ? { ...found, brokenLaw } : found;
}

function detectBreak(fit: Pick<CrossRunFit, 'fitParams' | 'validation' | 'lawId' | 'embeddings'>, points: readonly CrossRunPoint[]): FamilyBreak | undefined {
  const runs = byCompute(points);
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
