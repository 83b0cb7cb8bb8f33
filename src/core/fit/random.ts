/**
 * Tiny seeded PRNG for the bootstraps: results must be reproducible from (inputs, seed), so
 * Math.random is never used in the fitting code.
 */

/** mulberry32: 32-bit state, good enough statistical quality for resampling, and fast. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomInt(rng: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** Standard normal draw (Box–Muller); used by tests and synthetic data. */
export function gaussian(rng: () => number): number {
  // 1 - u keeps the log argument in (0, 1].
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
