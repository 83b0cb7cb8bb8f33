// The k-th smallest of many numbers without sorting them all: a run's loss series can hold 100,000
// points and a curve fit only needs its median (curveLaws.ts), once per fit of every run.

/**
 * The k-th smallest (0-based) of `values`, the element a copy sorted by `(a, b) => a - b` has at
 * index k, in linear expected time (Hoare's selection with a median-of-three pivot, on a copy).
 * `values` must hold no NaN; k must be an index of it.
 */
export function kthSmallest(values: ArrayLike<number>, k: number): number {
  if (!(k >= 0 && k < values.length) || !Number.isInteger(k)) throw new RangeError(`k = ${k} is not an index of ${values.length} values`);
  const a = Float64Array.from(values);
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    // Median of three as the pivot: sorted and reversed series (loss logs nearly are) stay linear.
    const mid = (lo + hi) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] ≤ pivot ≤ a[i..hi], and everything strictly between j and i equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
