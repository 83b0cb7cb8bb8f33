// Display copies of long series, made in the worker so the webview never receives 100k points.
// Chart.js's own decimation works only on linear x axes; loss curves are mostly read on log x,
// so buckets here are log-spaced in step and each keeps its min and max (spikes stay visible).

export interface XY {
  xs: number[];
  ys: number[];
}

export function downsampleLogX(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): XY {
  const n = Math.min(xs.length, ys.length);
  if (n <= maxPoints || maxPoints < 4) return { xs: Array.from({ length: n }, (_, i) => xs[i]), ys: Array.from({ length: n }, (_, i) => ys[i]) };
  const buckets = Math.floor(maxPoints / 2);
  // Steps can start at 0; shift by one so the log is defined and the first point keeps its bucket.
  const lo = Math.log(Math.max(xs[0], 0) + 1);
  const hi = Math.log(Math.max(xs[n - 1], 0) + 1);
  const width = (hi - lo) / buckets || 1;
  const out: XY = { xs: [], ys: [] };
  let bucket = -1;
  let minI = -1;
  let maxI = -1;
  const flush = () => {
    if (minI < 0) return;
    const [a, b] = minI <= maxI ? [minI, maxI] : [maxI, minI];
    out.xs.push(xs[a]);
    out.ys.push(ys[a]);
    if (b !== a) {
      out.xs.push(xs[b]);
      out.ys.push(ys[b]);
    }
  };
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.floor((Math.log(Math.max(xs[i], 0) + 1) - lo) / width));
    if (b !== bucket) {
      flush();
      bucket = b;
      minI = maxI = i;
    } else {
      if (ys[i] < ys[minI]) minI = i;
      if (ys[i] > ys[maxI]) maxI = i;
    }
  }
  flush();
  // The last logged point always survives: it is what "actual so far" means.
  if (out.xs[out.xs.length - 1] !== xs[n - 1]) {
    out.xs.push(xs[n - 1]);
    out.ys.push(ys[n - 1]);
  }
  return out;
}
