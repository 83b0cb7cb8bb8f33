// Interpolation in a sorted table, for the core (dashboardData.ts) and the chart axes (axes.ts)
// alike; its own module so the core need not import the wire-level axes module.

/**
 * Linear interpolation at `x` between the points of an ascending table, for x within
 * [xs[0], xs[n − 1]] (the first `n` points; all by default). A segment of zero width gives its left value.
 */
export function interpolateWithin(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number, n = xs.length): number {
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (xs[hi] === xs[lo]) return ys[lo];
  return ys[lo] + ((ys[hi] - ys[lo]) * (x - xs[lo])) / (xs[hi] - xs[lo]);
}
