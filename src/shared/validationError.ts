// The runs table's "Error" cell: a run's fit-on-prefix validation error, saying which prefix it
// comes from. The headline is the 50% prefix unless that fit failed its sanity checks, when it is
// the longest prefix that passed; a bare number would pass off a 30% check as the 50% one. And the
// families table's "Check" cell: the family law's leave-largest-out check, with its warning signs.

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

/** What the families table's check cell reads of a family (core/snapshot.ts FamilyLaw, structurally). */
interface FamilyCheck {
  fit?: { validation?: { method: string; errorPct: number } };
  /** Set for a provisional law (a first scan's). */
  provisional?: object;
  possibleBreak?: { note: string };
  fitWarnings?: readonly string[];
}

/**
 * The families table's check cell: the law's leave-largest-out error, then a possible break and the
 * count of fit warnings (their text in the tooltip). A provisional law's check (a first scan's,
 * FamilyLaw.provisional) is not shown, as the snapshot's validations leave it out: the full law's follows.
 */
export function familyCheckCell(fam: FamilyCheck): { text: string; title?: string } {
  const v = fam.fit?.validation;
  const provisionalCheck = v !== undefined && fam.provisional !== undefined;
  const bend = fam.possibleBreak;
  const warned = fam.fitWarnings ?? [];
  const text = `${v && !provisionalCheck ? `${v.method}: ${v.errorPct.toFixed(2)}%` : '—'}${bend ? ' · possible break' : ''}${warned.length ? ` · ${warned.length} fit warning${warned.length > 1 ? 's' : ''}` : ''}`;
  const lines = [...(provisionalCheck ? ["A provisional law's check is not shown: the full law's follows."] : []), ...(bend ? [bend.note] : []), ...warned];
  return lines.length ? { text, title: lines.join('\n') } : { text };
}
