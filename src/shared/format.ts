// Number formatting shared by the lens, the status bar, the CLI and the webview, so a value
// reads the same everywhere.

/** 124439808 → "124.4M"; 8.03e9 → "8.03B". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) {
    if (abs >= scale) {
      const v = n / scale;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${suffix}`;
    }
  }
  return String(Math.round(n));
}

/** FLOPs in engineering-style scientific notation: 3.1e21. */
export function formatFlops(flops: number): string {
  return Number.isFinite(flops) ? flops.toExponential(2).replace('e+', 'e') : String(flops);
}

/** A ratio such as a compute distance, for "×R": 4.3, 25, 1200. */
export function formatRatio(r: number): string {
  return r >= 10 ? r.toFixed(0) : r.toFixed(1);
}

/** A loss in nats with three significant decimals. */
export function formatLoss(loss: number): string {
  return Number.isFinite(loss) ? loss.toFixed(3) : String(loss);
}

export function formatInterval(interval: readonly [number, number]): string {
  return `[${formatLoss(interval[0])}, ${formatLoss(interval[1])}]`;
}

/**
 * `n.toLocaleString('en-US')` (1234567 → "1,234,567") for a safe integer, without loading ICU's
 * locale data: its first use costs 20–50 ms, most of a cheap CLI command's start (issue 20). Any
 * other number goes to toLocaleString itself.
 */
export function formatInteger(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  return n.toString().replace(/\B(?=(\d{3})+$)/g, ',');
}
