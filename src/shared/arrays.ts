// Array helpers that take any length. `push(...items)`, `Math.max(...values)` and friends pass every
// element as an argument: past ~100,000 elements V8 throws "Maximum call stack size exceeded", so a
// long log or a large table would crash whatever did it. The lint rule in eslint.config.mjs forbids
// them in src/; these are what to use instead.

/** Append every item of `items` to `target` (in place); returns `target`. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest number of `values` (-Infinity when none, as Math.max()); NaN propagates as in Math.max. */
export function maxOf(values: Iterable<number>): number {
  let max = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) return NaN;
    if (v > max) max = v;
  }
  return max;
}

/** The smallest number of `values` (Infinity when none, as Math.min()); NaN propagates as in Math.min. */
export function minOf(values: Iterable<number>): number {
  let min = Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) return NaN;
    if (v < min) min = v;
  }
  return min;
}

/**
 * The usual step between consecutive values of `xs` (a series' steps, a log's timestamps): the median
 * (the upper one of an even count) of the positive differences from index `from` on; undefined with
 * fewer than `minGaps` of them. One rule for the run's logging interval (runs/index.ts) and its pace
 * between launches (dashboardData.ts restartIndices).
 */
export function medianGap(xs: ArrayLike<number>, from = 1, minGaps = 1): number | undefined {
  const gaps: number[] = [];
  for (let i = Math.max(1, from); i < xs.length; i++) {
    const gap = xs[i] - xs[i - 1];
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length < Math.max(1, minGaps)) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}
