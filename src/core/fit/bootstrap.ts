import type { LawDefinition } from '../laws/types';
import { applyTransform } from '../laws/types';
import type { LawFitRaw } from './fitLaw';
import { shouldStop, type StopCheck } from './lm';
import { mulberry32, randomInt } from './random';
import type { ParamEstimate } from './types';

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
): Record<string, ParamEstimate> {
  const out: Record<string, ParamEstimate> = {};
  law.parameters.forEach((q, j) => {
    const value = applyTransform(q.natural.transform, best[j]);
    // Transforms are monotone, so percentiles of transformed samples = transformed percentiles.
    const vals = samples.map((s) => applyTransform(q.natural.transform, s[j]));
    out[q.natural.name] = { value, interval: percentileInterval(vals, level, value) };
  });
  return out;
}

/**
 * Moving-block bootstrap: concatenates blocks of `blockLength` consecutive residuals starting
 * at random offsets, so serial correlation within a block survives resampling.
 */
export function movingBlockResample(residuals: readonly number[], blockLength: number, rng: () => number): number[] {
  const n = residuals.length;
  const len = Math.max(1, Math.min(n, Math.round(blockLength)));
  const out: number[] = [];
  while (out.length < n) {
    const start = randomInt(rng, n - len + 1);
    for (let k = 0; k < len && out.length < n; k++) out.push(residuals[start + k]);
  }
  return out;
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
 * as a failed resample (e.g. a cross-run resample holding a single run). Stops at the deadline.
 */
export function runBootstrap<T>(
  want: number,
  seed: number,
  stop: StopCheck,
  draw: (rng: () => number) => T | null,
  refit: (data: T, rng: () => number) => LawFitRaw | { error: string },
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
  }
  return out;
}
