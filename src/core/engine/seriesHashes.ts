// hashNumbers of a series, remembered per array (curve and family fit keys are made of them).
import type { Series } from '../runs/types';
import { hashNumbers } from '../fit/hash';

export class SeriesHashes {
  private readonly memo = new WeakMap<Float64Array, { steps: Float64Array; hash: string }>();

  /**
   * hashNumbers of a series, remembered per array: the run index makes new arrays whenever a
   * series changes (append, rewrite, restart), so unchanged runs are not rehashed on every
   * snapshot (with 200 runs of 100k points that hashing was most of an update's CPU time).
   */
  of(series: Series): string {
    const memo = this.memo.get(series.values);
    if (memo && memo.steps === series.steps) return memo.hash;
    const hash = hashNumbers(series.steps, series.values);
    this.memo.set(series.values, { steps: series.steps, hash });
    return hash;
  }
}
