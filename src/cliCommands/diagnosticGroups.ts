// Diagnostics as people read them: runs of the same problem in one file said once
// ("6 non-finite losses from step 2875 on: run diverged"), paths relative to what was scanned.
import * as path from 'node:path';
import type { Diagnostic } from '../core/diagnostics';

/** The message with its particular values taken out: diagnostics alike in all but these group. */
function shapeOf(message: string): string {
  return message
    .replace(/\([^()]*\)/g, '()')
    .replace(/"[^"]*"/g, '""')
    .replace(/\b(NaN|-?inf(inity)?|-?Infinity)\b/gi, '#')
    .replace(/-?\d[\d.,e+-]*/gi, '#');
}

const DIVERGED = /^(.+?) is (\S+) at step (\d+) \(loss went non-finite; run diverged\); value dropped$/;

/** `:115–120`, `@54–180`, `:115`, or nothing. */
function where(first: Diagnostic, last: Diagnostic): string {
  if (first.line !== undefined) return last.line !== undefined && last.line !== first.line ? `:${first.line}–${last.line}` : `:${first.line}`;
  if (first.offset !== undefined) return last.offset !== undefined && last.offset !== first.offset ? `@${first.offset}–${last.offset}` : `@${first.offset}`;
  return '';
}

/** `file` relative to the scanned path that holds it (the file's own name when a file was scanned). */
export function relativeToScanned(file: string, scanned: readonly string[]): string {
  for (const root of scanned) {
    const rel = path.relative(root, file);
    if (rel === '') return path.basename(file);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel;
  }
  return file;
}

/** One line per group of consecutive diagnostics of one file that differ only in their values. */
export function groupDiagnostics(diagnostics: readonly Diagnostic[], scanned: readonly string[]): string[] {
  const groups: Diagnostic[][] = [];
  for (const d of diagnostics) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    if (prev && prev.file === d.file && prev.severity === d.severity && shapeOf(prev.message) === shapeOf(d.message)) last.push(d);
    else groups.push([d]);
  }
  return groups.map((g) => {
    const first = g[0];
    const last = g[g.length - 1];
    const at = `${relativeToScanned(first.file, scanned)}${where(first, last)}: ${first.severity}: `;
    if (g.length === 1) return at + first.message;
    const diverged = DIVERGED.exec(first.message);
    if (diverged) {
      const metric = diverged[1];
      const what = metric === 'loss' ? 'losses' : `${metric} values`;
      return `${at}${g.length} non-finite ${what} from step ${diverged[3]} on: run diverged (values dropped)`;
    }
    return `${at}${first.message} (and ${g.length - 1} more like it)`;
  });
}
