// Display smoothing of noisy per-step losses, as TensorBoard does it: an exponential moving average
// debiased for its zero start, so the smoothed curve does not lag or dip at the beginning.

/**
 * Debiased EMA with `weight` in [0, 1): 0 returns the values unchanged. Non-finite values pass
 * through and do not enter the average.
 */
export function debiasedEma(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return values.slice();
  const out: number[] = new Array(values.length);
  let average = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    average = average * w + (1 - w) * v;
    count++;
    out[i] = average / (1 - Math.pow(w, count));
  }
  return out;
}
