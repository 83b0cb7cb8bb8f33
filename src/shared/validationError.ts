// The runs table's "Error" cell: a run's fit-on-prefix validation error, saying which prefix it
// comes from. The headline is the 50% prefix unless that fit failed its sanity checks, when it is
// the longest prefix that passed; a bare number would pass off a 30% check as the 50% one.

/** One fit-on-prefix check as the snapshot carries it (core/fit/curve.ts PrefixCheck, structurally). */
interface PrefixCheck {
  fraction: number;
  predicted?: number;
  errorPct: number;
  failed?: string;
}

export interface CurveValidation {
  errorPct: number;
  /** Prefix fraction of the headline check (absent on results from before it was recorded). */
  fraction?: number;
  prefixes?: readonly PrefixCheck[];
}

const pctOf = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** Cell text and tooltip: `1.23% (30%)` with why it is not the 50% prefix; `failed` with the reasons; `—` without a check. */
export function validationErrorCell(v: CurveValidation | undefined): { text: string; title?: string } {
  if (!v) return { text: '—' };
  const failed = (v.prefixes ?? []).filter((p) => p.failed);
  const failures = failed.map((p) => `the first ${pctOf(p.fraction)}: ${p.failed}`);
  if (!Number.isFinite(v.errorPct))
    return {
      text: 'failed',
      title: failures.length ? `Every fit-on-prefix check failed its sanity checks: ${failures.join('; ')}` : 'No fit-on-prefix check could be made.',
    };
  const fraction = v.fraction ?? (v.prefixes ?? []).find((p) => !p.failed && p.errorPct === v.errorPct)?.fraction;
  if (fraction === undefined) return { text: `${v.errorPct.toFixed(2)}%` };
  const lines = [`The curve fitted on the first ${pctOf(fraction)} of the logged steps predicts the last logged loss ${v.errorPct.toFixed(2)}% off.`];
  const others = (v.prefixes ?? []).filter((p) => !p.failed && p.fraction !== fraction).map((p) => `${pctOf(p.fraction)}: ${p.errorPct.toFixed(2)}%`);
  if (others.length) lines.push(`Other prefixes: ${others.join(', ')}.`);
  if (failures.length) lines.push(`Failed sanity checks (not shown as a prediction): ${failures.join('; ')}.`);
  return { text: fraction === 0.5 ? `${v.errorPct.toFixed(2)}%` : `${v.errorPct.toFixed(2)}% (${pctOf(fraction)})`, title: lines.join('\n') };
}
