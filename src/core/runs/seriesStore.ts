// Compact storage for one metric's points: steps and values in Float64Arrays that grow
// geometrically (O(1) amortised appends), handed to readers as `subarray` views without a copy.
//
// Why Float64 for values too: steps must stay exact integers up to 2^53, and values include wall
// clocks (`_timestamp`, ~1.7e9 s: Float32 would round them to 128 s) and token counts (~1e12).
// Losses alone would survive Float32 (7 digits), but one column type keeps exports exact and the
// bytes per point bounded by the thinning policy below, not by the precision.
//
// Copy-on-write: a view covers [0, length) of the buffers at the time it was taken. Appending
// beyond every view handed out writes where no view looks, so it is free; a write below that
// (a restart rewinding the series, or the thinning below) copies the buffers first, so a Run
// already handed out never changes.
//
// Bounded memory (no setting): a series holds at most `maxPoints` points (2^19 by default: 8 MB of
// steps and values, 10 MB with the weights below). When it would hold more, the history before the
// most recent `recentPoints` (2^14) is regrouped so every held history point stands for the same
// number W of received points (a power of two, doubled when the history would not fit in half the
// room otherwise): the mean step and mean value of W consecutive points, and W as its weight. The
// history stays evenly sampled in received points, so the curve fits (which average consecutive
// chunks into at most 200 points) see the same curve (unit-tested against the fit on every point);
// the recent tail keeps every point (divergence checks, ETA, the last logged value); and every
// received point is counted: held + thinned = received (minus points a restart rewound past).
// Averaged points have fractional steps (the mean) and narrower min–max envelopes on the chart.

const DEFAULT_MAX_POINTS = 1 << 19;
const DEFAULT_RECENT_POINTS = 1 << 14;
const MIN_CAPACITY = 16;
const LONG_SERIES_POINTS = 1 << 16;
const EMPTY = new Float64Array(0);

export interface SeriesColumnsOptions {
  /** Most points held; beyond it the older history is averaged (at least 4 × recentPoints). */
  maxPoints?: number;
  /** The most recent points, never averaged. */
  recentPoints?: number;
}

/** What a reader sees: views that never change (see the copy-on-write note above). */
export interface SeriesView {
  steps: Float64Array;
  values: Float64Array;
  /** Received points now held only as part of an average (0 until the series passed maxPoints). */
  thinned: number;
}

export class SeriesColumns {
  private stepsBuf: Float64Array = EMPTY;
  private valuesBuf: Float64Array = EMPTY;
  /** How many received points each held point stands for; allocated when the series first thins. */
  private weightsBuf: Uint32Array | undefined;
  private n = 0;
  /** Views handed out cover [0, sharedLength) of the current buffers: writes below it copy first. */
  private sharedLength = 0;
  private thinnedCount = 0;
  /** Points per history point after the last thinning (1: never thinned). */
  private groupWeight = 1;
  /**
   * The leading points the last thinning found to be whole groups it keeps as they are (see thin):
   * unchanged since (nothing is written below the held length), so the next thinning at the same
   * group size does not check them again.
   */
  private keptPrefix = 0;
  private version = 0;
  private cached: { version: number; view: SeriesView } | undefined;
  readonly maxPoints: number;
  readonly recentPoints: number;

  constructor(options: SeriesColumnsOptions = {}) {
    this.recentPoints = Math.max(1, Math.floor(options.recentPoints ?? DEFAULT_RECENT_POINTS));
    this.maxPoints = Math.max(4 * this.recentPoints, Math.floor(options.maxPoints ?? DEFAULT_MAX_POINTS));
  }

  get length(): number {
    return this.n;
  }

  /** Received points held only as part of an average. */
  get thinned(): number {
    return this.thinnedCount;
  }

  stepAt(i: number): number {
    return this.stepsBuf[i];
  }

  valueAt(i: number): number {
    return this.valuesBuf[i];
  }

  /** How many received points the i-th held point stands for (1 unless it is an average). */
  weightAt(i: number): number {
    return this.weightsBuf ? this.weightsBuf[i] : 1;
  }

  /** Last step held, or -Infinity when empty. */
  lastStep(): number {
    return this.n > 0 ? this.stepsBuf[this.n - 1] : -Infinity;
  }

  /** First index whose step is ≥ `step` (length when none). */
  lowerBound(step: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.stepsBuf[mid] < step) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Store one point. A step at or before the last one is a restart: the points from that step on
   * are dropped first. Returns true when points were dropped that way.
   */
  put(step: number, value: number): boolean {
    let rewound = false;
    if (this.n > 0 && step <= this.stepsBuf[this.n - 1]) {
      this.truncate(this.lowerBound(step));
      rewound = true;
    }
    if (this.n >= this.maxPoints) this.thin();
    this.ensureWritable(this.n + 1);
    this.stepsBuf[this.n] = step;
    this.valuesBuf[this.n] = value;
    if (this.weightsBuf) this.weightsBuf[this.n] = 1;
    this.n++;
    this.version++;
    return rewound;
  }

  /**
   * Store `steps[0, count)` with their values, in order: the same as `put` on each (ingest's bulk
   * path, JSONL columns), with runs of rising steps copied in blocks. Returns the smallest step that
   * rewound the series (Infinity when none did). `rising`: the caller has checked that the steps rise
   * past the last one held (isCleanColumn), so they are not scanned again.
   */
  putAll(steps: Float64Array, values: Float64Array, count: number, rising = false): number {
    let rewoundFrom = Infinity;
    let i = 0;
    while (i < count) {
      if (this.n > 0 && steps[i] <= this.stepsBuf[this.n - 1]) {
        if (steps[i] < rewoundFrom) rewoundFrom = steps[i];
        this.put(steps[i], values[i]);
        i++;
        continue;
      }
      let j = rising ? count : i + 1;
      while (j < count && steps[j] > steps[j - 1]) j++;
      // [i, j) rises past the last held step: appended in blocks that end where put would thin.
      while (i < j) {
        if (this.n >= this.maxPoints) this.thin();
        const take = Math.min(j - i, this.maxPoints - this.n);
        this.ensureWritable(this.n + take);
        this.stepsBuf.set(steps.subarray(i, i + take), this.n);
        this.valuesBuf.set(values.subarray(i, i + take), this.n);
        if (this.weightsBuf) this.weightsBuf.fill(1, this.n, this.n + take);
        this.n += take;
        this.version++;
        i += take;
      }
    }
    return rewoundFrom;
  }

  /** Keep the first `length` points (the buffers are not written, so views stay valid). */
  truncate(length: number): void {
    const keep = Math.max(0, Math.min(this.n, Math.floor(length)));
    if (keep === this.n) return;
    if (this.weightsBuf) for (let i = keep; i < this.n; i++) this.thinnedCount -= this.weightsBuf[i] - 1;
    this.n = keep;
    this.keptPrefix = Math.min(this.keptPrefix, keep);
    if (keep === 0) this.groupWeight = 1;
    this.version++;
  }

  /** Drop every point at a step ≥ `step`. */
  truncateFrom(step: number): void {
    this.truncate(this.lowerBound(step));
  }

  /**
   * Make room for `extra` more points before a batch of appends: a whole file read at once then
   * gets buffers of exactly its size (16 bytes per point), where growing by 1.5× would leave up
   * to a third of them unused.
   */
  reserve(extra: number): void {
    let needed = Math.min(this.maxPoints, this.n + Math.max(0, Math.floor(extra)));
    if (needed <= this.stepsBuf.length) return;
    // A file read in many chunks reserves once per chunk: doubling once points are held keeps that
    // linear (a 4 MiB chunk adds more than a quarter of a young series, so growing by 1.25× copied
    // the whole series again at every chunk until it held 4 chunks).
    if (this.n > 0) needed = Math.min(this.maxPoints, Math.max(needed, 2 * this.stepsBuf.length));
    this.reallocate(Math.max(MIN_CAPACITY, needed));
  }

  /**
   * Give back room beyond `slack` × the points held (a first read's `reserve` sized from its first
   * chunk, which can overshoot a metric logged only early in the file): the points are copied as they
   * are. Views handed out keep the old buffers; the next `view` is built on the new ones.
   */
  trim(slack = 1.25): void {
    const capacity = Math.max(MIN_CAPACITY, this.n);
    if (this.stepsBuf.length <= Math.max(MIN_CAPACITY, Math.ceil(this.n * slack))) return;
    this.reallocate(capacity);
    this.cached = undefined;
  }

  /** Views of the held points; the same objects come back while nothing changed (identity-keyed memos keep working). */
  view(): SeriesView {
    if (this.cached !== undefined && this.cached.version === this.version) return this.cached.view;
    const view: SeriesView = {
      steps: this.stepsBuf.subarray(0, this.n),
      values: this.valuesBuf.subarray(0, this.n),
      thinned: this.thinnedCount,
    };
    this.sharedLength = Math.max(this.sharedLength, this.n);
    this.cached = { version: this.version, view };
    return view;
  }

  /**
   * Make index `this.n` writable with room for `needed` points, or copy if a view covers it. Growth
   * is geometric (O(1) amortised appends): 1.5× while small, 1.25× for long series, whose spare
   * room is then at most a fifth of their buffers.
   */
  private ensureWritable(needed: number): void {
    if (needed > this.stepsBuf.length) {
      const factor = this.stepsBuf.length < LONG_SERIES_POINTS ? 1.5 : 1.25;
      const grown = Math.max(MIN_CAPACITY, needed, Math.ceil(this.stepsBuf.length * factor));
      this.reallocate(Math.min(this.maxPoints, grown));
    } else if (this.n < this.sharedLength) {
      this.reallocate(this.stepsBuf.length);
    }
  }

  /** Fresh buffers holding the current points (views keep the old ones). */
  private reallocate(capacity: number): void {
    const steps = new Float64Array(capacity);
    const values = new Float64Array(capacity);
    steps.set(this.stepsBuf.subarray(0, this.n));
    values.set(this.valuesBuf.subarray(0, this.n));
    this.stepsBuf = steps;
    this.valuesBuf = values;
    if (this.weightsBuf) {
      const weights = new Uint32Array(capacity);
      weights.set(this.weightsBuf.subarray(0, this.n));
      this.weightsBuf = weights;
    }
    this.sharedLength = 0;
  }

  /**
   * Regroup the history before the recent tail so each history point stands for `groupWeight`
   * received points (points already that heavy stay as they are): weighted means of consecutive
   * points. Runs at most once per (maxPoints − recentPoints)/2 appends and costs O(maxPoints):
   * O(1) amortised.
   */
  private thin(): void {
    if (this.sharedLength > 0) this.reallocate(this.stepsBuf.length);
    if (this.weightsBuf === undefined) {
      this.weightsBuf = new Uint32Array(this.stepsBuf.length);
      this.weightsBuf.fill(1, 0, this.n);
    }
    const steps = this.stepsBuf;
    const values = this.valuesBuf;
    const weights = this.weightsBuf;
    const history = this.n - this.recentPoints;
    // The smallest doubling of the group size that halves the history: it then holds at most
    // (maxPoints − recentPoints)/2 points, and the next thinning is that many appends away. The
    // history's received points from the count of thinned ones (thinned = Σ (weight − 1) over the
    // held points), with no pass over the history: only the recent tail's weights are summed.
    let recentExtra = 0;
    for (let i = history; i < this.n; i++) recentExtra += weights[i] - 1;
    const received = history + this.thinnedCount - recentExtra;
    let out = this.keptPrefix;
    while (received / this.groupWeight > (this.maxPoints - this.recentPoints) / 2) {
      this.groupWeight *= 2;
      out = 0;
    }
    // Points already a group of their own lead the history after each thinning but a doubling: they
    // stay where they are. (The loop below would store ((x − 0)·W)/W = x for them, exactly, W being a
    // power of two ≤ 2³², but for −0, which it makes +0, and magnitudes that would overflow.)
    const groupWeight = this.groupWeight;
    out = Math.min(out, history);
    while (out < history && weights[out] === groupWeight && keepsExactly(steps[out]) && keepsExactly(values[out])) out++;
    this.keptPrefix = out;
    let w = 0;
    let stepMean = 0;
    let valueMean = 0;
    for (let i = out; i < history;) {
      // Points received since the last thinning (weight 1) make whole groups of groupWeight: averaged
      // several groups at a time, by the same operations in the same order as the loop below.
      if (w === 0 && weights[i] === 1) {
        let runEnd = i + 1;
        while (runEnd < history && weights[runEnd] === 1) runEnd++;
        const groups = Math.floor((runEnd - i) / groupWeight);
        if (groups > 0) {
          averageUnitGroups(steps, values, i, groups, groupWeight, out);
          weights.fill(groupWeight, out, out + groups);
          out += groups;
          i += groups * groupWeight;
          continue;
        }
      }
      const wi = weights[i];
      // Running weighted means: no large sums of step × weight to lose digits in.
      w += wi;
      stepMean += ((steps[i] - stepMean) * wi) / w;
      valueMean += ((values[i] - valueMean) * wi) / w;
      if (w >= groupWeight || i === history - 1) {
        steps[out] = stepMean;
        values[out] = valueMean;
        weights[out] = w;
        out++;
        w = 0;
        stepMean = 0;
        valueMean = 0;
      }
      i++;
    }
    this.thinnedCount += history - out;
    steps.copyWithin(out, history, this.n);
    values.copyWithin(out, history, this.n);
    weights.copyWithin(out, history, this.n);
    this.n = out + this.recentPoints;
    this.version++;
  }
}

/**
 * thin's running means over `groups` whole groups of `size` unit-weight points from `from`, stored at
 * `out` onward (out ≤ from: each group's mean lands at or before its first point, after its points
 * are read). Per group, the operations of thin's loop in its order, bit for bit: the first point
 * gives 0 + x (the loop's 0 + ((x − 0)·1)/1), the j-th (from 0) m + (x − m)/(j + 1), where the loop's
 * "· 1" is exact. Four groups go side by side: their divisions overlap, where one group's chain of
 * dependent divisions waits for each in turn.
 */
function averageUnitGroups(steps: Float64Array, values: Float64Array, from: number, groups: number, size: number, out: number): void {
  let g = 0;
  for (; g + 4 <= groups; g += 4) {
    const a = from + g * size;
    const b = a + size;
    const c = b + size;
    const d = c + size;
    let s0 = 0 + steps[a];
    let s1 = 0 + steps[b];
    let s2 = 0 + steps[c];
    let s3 = 0 + steps[d];
    let v0 = 0 + values[a];
    let v1 = 0 + values[b];
    let v2 = 0 + values[c];
    let v3 = 0 + values[d];
    for (let j = 1; j < size; j++) {
      const count = j + 1;
      s0 += (steps[a + j] - s0) / count;
      s1 += (steps[b + j] - s1) / count;
      s2 += (steps[c + j] - s2) / count;
      s3 += (steps[d + j] - s3) / count;
      v0 += (values[a + j] - v0) / count;
      v1 += (values[b + j] - v1) / count;
      v2 += (values[c + j] - v2) / count;
      v3 += (values[d + j] - v3) / count;
    }
    const o = out + g;
    steps[o] = s0;
    steps[o + 1] = s1;
    steps[o + 2] = s2;
    steps[o + 3] = s3;
    values[o] = v0;
    values[o + 1] = v1;
    values[o + 2] = v2;
    values[o + 3] = v3;
  }
  for (; g < groups; g++) {
    const a = from + g * size;
    let s = 0 + steps[a];
    let v = 0 + values[a];
    for (let j = 1; j < size; j++) {
      s += (steps[a + j] - s) / (j + 1);
      v += (values[a + j] - v) / (j + 1);
    }
    steps[out + g] = s;
    values[out + g] = v;
  }
}

/** Whether a weighted mean of x alone, at a power-of-two weight, is x itself (thin's kept prefix). */
function keepsExactly(x: number): boolean {
  return (x > 0 && x < 1e290) || (x < 0 && x > -1e290) || Object.is(x, 0);
}
