// Costs as the lens, the hover, the plan view and the CLI print them, so a price or a count of
// accelerator-hours reads the same everywhere.
import { formatInteger } from '../../shared/format';

/** `$3.1k`, `$2.4M`, `$850`. */
export function formatUsd(v: number): string {
  if (!Number.isFinite(v)) return `$${v}`;
  if (v >= 1e6) return `$${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}M`;
  if (v >= 1e3) return `$${(v / 1e3).toFixed(v >= 1e4 ? 0 : 1)}k`;
  return v < 10 ? `$${v.toFixed(2)}` : `$${v.toFixed(0)}`;
}

/** Accelerator-hours: 1240.4 → `1,240`, 0.661 → `0.66`. */
export function formatHours(v: number): string {
  return v < 10 ? String(Number(v.toPrecision(2))) : formatInteger(Math.round(v));
}
