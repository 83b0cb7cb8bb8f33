/**
 * Domain flags: where a prediction stops being an interpolation.
 * - With a law's published defaults, any variable outside the published data's range is flagged.
 * - With a fit, any variable more than `FIT_EXTRAPOLATION_FACTOR` (10×, one order of magnitude)
 *   past the range of the data it was fitted on is flagged.
 */
import type { LawDefinition } from './types';

export const FIT_EXTRAPOLATION_FACTOR = 10;

/** Per-variable [min, max] of positive finite values, ordered as `law.variables`. */
export type VariableRanges = [number, number][];

export function variableRanges(nVars: number, xs: readonly (readonly number[])[]): VariableRanges {
  const out: VariableRanges = Array.from({ length: nVars }, () => [Infinity, -Infinity] as [number, number]);
  for (const x of xs) {
    for (let j = 0; j < nVars; j++) {
      const v = x[j];
      if (!(v > 0) || !Number.isFinite(v)) continue;
      if (v < out[j][0]) out[j][0] = v;
      if (v > out[j][1]) out[j][1] = v;
    }
  }
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(2) : v.toPrecision(3);
}

/**
 * Human-readable flags for a prediction at `x`. `fitted` is the data range of the fit used (omit
 * when predicting with the published defaults, which are checked against `law.domain`).
 */
export function domainFlags(law: LawDefinition, x: readonly number[], fitted?: VariableRanges): string[] {
  const flags: string[] = [];
  law.variables.forEach((v, j) => {
    const value = x[j];
    if (!Number.isFinite(value)) return;
    if (fitted) {
      const range = fitted[j];
      if (!range || !(range[0] <= range[1])) return;
      if (value > range[1] * FIT_EXTRAPOLATION_FACTOR) {
        flags.push(
          `${v.symbol}=${fmt(value)} is ${fmt(value / range[1])}× the largest fitted ${v.symbol} (${fmt(range[1])}): extrapolation beyond one order of magnitude`,
        );
      } else if (value < range[0] / FIT_EXTRAPOLATION_FACTOR) {
        flags.push(`${v.symbol}=${fmt(value)} is below a tenth of the smallest fitted ${v.symbol} (${fmt(range[0])})`);
      }
      return;
    }
    const published = law.domain?.ranges[v.symbol];
    if (published && (value < published[0] || value > published[1])) {
      flags.push(`${v.symbol}=${fmt(value)} is outside the published domain of ${law.id} [${fmt(published[0])}, ${fmt(published[1])}]`);
    }
  });
  return flags;
}
