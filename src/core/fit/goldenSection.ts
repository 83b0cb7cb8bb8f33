// One-dimensional minimisation for the planner's and the dashboard's compute-optimal model size.

/** 1/φ: each step keeps this fraction of the bracket. */
const INVERSE_GOLDEN_RATIO = (Math.sqrt(5) - 1) / 2;

/**
 * The x in [lo, hi] minimising f, for f unimodal there, by golden-section search: each step
 * evaluates f at both interior points (hi − (hi − lo)/φ and lo + (hi − lo)/φ) and keeps the side
 * of the lower one, until the bracket is at most `tolerance` wide or `maxSteps` steps are done.
 * Returns the bracket's midpoint.
 */
export function goldenSectionMinimum(f: (x: number) => number, lo: number, hi: number, opts: { tolerance: number; maxSteps: number }): number {
  for (let i = 0; i < opts.maxSteps && hi - lo > opts.tolerance; i++) {
    const a = hi - INVERSE_GOLDEN_RATIO * (hi - lo);
    const b = lo + INVERSE_GOLDEN_RATIO * (hi - lo);
    if (f(a) < f(b)) hi = b;
    else lo = a;
  }
  return (lo + hi) / 2;
}
