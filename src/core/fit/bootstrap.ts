import type { LawDefinition } from '../laws/types';
import { applyTransform } from '../laws/types';
import type { LawFitRaw } from './fitLaw';
import { shouldStop, type StopCheck } from './lm';
import { mulberry32, randomInt } from './random';
import type { ParamEstimate } from './types';
import { intervalKindOf, intervalMultiplier, widenInterval } from './calibration';

export const DEFAULT_INTERVAL_LEVEL = 0.8;

/** Percentile with linear interpolation between order statistics (R type 7). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Central interval of `values` at `level`; falls back to [fallback, fallback] when empty. */
export function percentileInterval(values: readonly number[], level: number, fallback: number): [number, number] {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return [fallback, fallback];
  const tail = (1 - level) / 2;
  return [percentile(finite, tail), percentile(finite, 1 - tail)];
}

/** Natural-unit estimates with percentile intervals from fit-space bootstrap samples. */
export function naturalEstimates(
  law: LawDefinition,
  best: readonly number[],
  samples: readonly (readonly number[])[],
  level: number,
  multiplier = intervalMultiplier(intervalKindOf(law.kind)),
): Record<string, ParamEstimate> {
  const out: Record<string, ParamEstimate> = {};
  law.parameters.forEach((q, j) => {
    // Percentiles and the calibration widening are taken in fit space (log-scales for positive
    // coefficients); the transforms are monotone, so the interval maps across exactly.
    const widened = widenInterval(
      best[j],
      percentileInterval(
        samples.map((s) => s[j]),
        level,
        best[j],
      ),
      multiplier,
    );
    // A widened interval never leaves the parameter's box (e.g. a positive exponent stays positive).
    const fitInterval = [Math.max(q.lower, widened[0]), Math.min(q.upper, widened[1])];
    const value = applyTransform(q.natural.transform, best[j]);
    out[q.natural.name] = {
      value,
      interval: [applyTransform(q.natural.transform, fitInterval[0]), applyTransform(q.natural.transform, fitInterval[1])],
    };
  });
  return out;
}

/**
 * Moving-block bootstrap, circular (Politis & Romano 1992): concatenates blocks of `blockLength`
 * consecutive residuals starting at random offsets, so serial correlation within a block
 * survives resampling. Blocks wrap around the end, so every residual is drawn equally often:
 * a plain moving-block bootstrap under-samples the last residuals, which are the ones that
 * steer an extrapolation, and so gives intervals that are too narrow.
 */
export function movingBlockResample(residuals: readonly number[], blockLength: number, rng: () => number): number[] {
  const n = residuals.length;
  const len = Math.max(1, Math.min(n, Math.round(blockLength)));
  const out: number[] = [];
  while (out.length < n) {
    const start = randomInt(rng, n);
    for (let k = 0; k < len && out.length < n; k++) out.push(residuals[(start + k) % n]);
  }
  return out;
}

/**
 * Block length for the moving-block bootstrap from the residuals' lag-1 autocorrelation ρ, by the
 * AR(1) rule for the variance-optimal block (Bühlmann & Künsch 1999; Politis & White 2004):
 *   l = (3n/2)^(1/3) · (2ρ/(1 − ρ²))^(2/3),
 * so independent residuals get blocks of 1 (every point resampled on its own) and smoothed or
 * serially correlated logs get long ones. Clamped to [1, n/4].
 */
export function blockLengthFor(residuals: readonly number[]): number {
  const n = residuals.length;
  if (n < 4) return 1;
  const mean = residuals.reduce((a, b) => a + b, 0) / n;
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < n; i++) {
    const d = residuals[i] - mean;
    c0 += d * d;
    if (i > 0) c1 += d * (residuals[i - 1] - mean);
  }
  const rho = c0 > 0 ? Math.min(0.99, Math.max(0, c1 / c0)) : 0;
  const l = Math.cbrt(1.5 * n) * Math.pow((2 * rho) / (1 - rho * rho), 2 / 3);
  return Math.max(1, Math.min(Math.floor(n / 4), Math.round(l)));
}

export interface BootstrapOutcome {
  /** Fit-space parameter sets of the successful resamples. */
  samples: number[][];
  /** Resamples completed (failed included). */
  done: number;
  failed: number;
  /** The deadline passed or the fit was cancelled before all resamples ran. */
  timedOut: boolean;
}

/**
 * The one bootstrap driver of cross-run and curve fits: `want` times, draw a resample with a
 * PRNG seeded by `seed` and refit it (warm-started by the caller); `draw` returning null counts
 * as a failed resample (e.g. a cross-run resample holding a single run). Stops at the deadline,
 * or early when `enough` (asked after each resample) says the samples already settle what they are for.
 */
export function runBootstrap<T>(
  want: number,
  seed: number,
  stop: StopCheck,
  draw: (rng: () => number) => T | null,
  refit: (data: T, rng: () => number) => LawFitRaw | { error: string },
  enough?: (samples: readonly number[][], done: number) => boolean,
): BootstrapOutcome {
  const out: BootstrapOutcome = { samples: [], done: 0, failed: 0, timedOut: false };
  const rng = mulberry32(seed);
  for (let b = 0; b < want; b++) {
    if (shouldStop(stop)) {
      out.timedOut = true;
      break;
    }
    const data = draw(rng);
    if (data === null) {
      out.done++;
      out.failed++;
      continue;
    }
    const res = refit(data, rng);
    if (!('error' in res) && res.timedOut) {
      out.timedOut = true;
      break;
    }
    out.done++;
    if ('error' in res || !res.params.every(Number.isFinite)) out.failed++;
    else out.samples.push(res.params);
    if (enough?.(out.samples, out.done)) break;
  }
  return out;
}
