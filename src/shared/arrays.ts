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
