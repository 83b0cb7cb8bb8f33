// Bounds on what one file can cost: how long a line may be (tail.ts skips longer ones) and how many
// diagnostics of one kind a file keeps. A file of a million bad lines says so a few times and then
// counts, instead of holding a million messages.
import type { Diagnostic } from '../diagnostics';
import type { OverlongLine } from './tail';
import { formatBytes } from '../safeFile';

/** Diagnostics kept per problem kind per file; the rest are counted (see diagnosticKind). */
export const MAX_DIAGNOSTICS_PER_KIND = 5;

/** The message of a skipped over-long line. */
export function overlongDiagnostic(file: string, o: OverlongLine): Diagnostic {
  return {
    file,
    line: o.line,
    severity: 'warning',
    message: `line ${o.line} is longer than ${formatBytes(o.maxLineBytes)} (no line break in ${formatBytes(o.bytes)}); skipped up to its end`,
  };
}

/**
 * What kind of problem a message reports: its words up to the first quote, colon or parenthesis,
 * with a leading `line N` dropped and numbers blanked, so "line 12 is not valid JSON (…): {…" and
 * "line 98 is not valid JSON (…)" are one kind.
 */
export function diagnosticKind(d: Diagnostic): string {
  const m = d.message.replace(/^line \d+:?\s*/, '');
  const cut = m.search(/[:"(]/);
  return `${d.severity}:${(cut === -1 ? m : m.slice(0, cut))
    .replace(/\d+(\.\d+)?/g, '#')
    .trim()
    .slice(0, 60)}`;
}

/** Whether one more diagnostic of `d`'s kind is kept, counting it in `counts` either way. */
export function keepOfKind(counts: Map<string, number>, d: Diagnostic): boolean {
  const kind = diagnosticKind(d);
  const n = (counts.get(kind) ?? 0) + 1;
  counts.set(kind, n);
  return n <= MAX_DIAGNOSTICS_PER_KIND;
}

/**
 * The note of a file whose reader left diagnostics out: "N more diagnostics not shown" with the kinds
 * that were cut and how many of each (largest first, at most 3), and the same as fields (`suppressed`)
 * for code to count (features/logProblems.ts), never parsed back from the words.
 */
export function suppressedDiagnostic(file: string, suppressed: number, counts: ReadonlyMap<string, number>): Diagnostic {
  const cut: [string, number][] = [];
  for (const [kind, n] of counts) if (n > MAX_DIAGNOSTICS_PER_KIND) cut.push([kind.slice(kind.indexOf(':') + 1), n - MAX_DIAGNOSTICS_PER_KIND]);
  cut.sort((a, b) => b[1] - a[1]);
  const kinds = cut.slice(0, 3).map(([k, n]) => `${n} × "${k}…"`);
  const kindsText = kinds.length ? `${kinds.join(', ')}${cut.length > 3 ? ', …' : ''}` : undefined;
  return {
    file,
    severity: 'info',
    message: `${suppressed} more diagnostics not shown${kindsText ? ` (${kindsText})` : ''}`,
    suppressed: { count: suppressed, ...(kindsText ? { kinds: kindsText } : {}) },
  };
}
