/**
 * How many cases a reader's property test runs. `npm test` (and so CI) runs 1,000 per property;
 * `npm run fuzz` sets SCALING_LENS_FUZZ_RUNS much higher for a longer hunt. `share` scales it for
 * properties whose single case is costly (whole files written and re-read many times).
 * A failure prints fast-check's seed and path, which replay the exact case.
 */
export function fuzzRuns(share = 1): number {
  const total = Number(process.env.SCALING_LENS_FUZZ_RUNS ?? 1000);
  return Math.max(20, Math.round((Number.isFinite(total) ? total : 1000) * share));
}
