// The scan's problems (run logs, `.scalinglens.yaml`, files the worker refused) grouped by file for
// the Problems panel, free of `vscode` so it is unit-tested. Capped per file: a log with thousands of
// bad lines shows its first few and one "and N more" entry, not thousands of rows.
import * as path from 'node:path';
import type { Diagnostic } from '../core/diagnostics';

/** Problems shown per file before the "and N more" entry. */
export const PROBLEMS_PER_FILE = 20;

export interface FileProblem {
  /** 1-based line; undefined for a problem of the whole file (or one known only by byte offset). */
  line?: number;
  severity: 'error' | 'warning';
  message: string;
}

/**
 * Errors (a file that cannot be read) and warnings (a line or row skipped, a glob matching no run) by
 * absolute file path, in the order found, at most `cap` per file plus one entry counting the rest
 * (with those the readers already left out, which they count in a note). Other notes (`info`: a
 * header change, a file ignored as not a log) stay in the dashboard and `scan`: nothing to fix.
 * Entries not naming a file (a setting) are left out: the Problems panel needs a file.
 */
export function logProblemsByFile(diagnostics: readonly Diagnostic[], cap = PROBLEMS_PER_FILE): Map<string, FileProblem[]> {
  const byFile = new Map<string, FileProblem[]>();
  const hidden = new Map<string, { count: number; errors: number; kinds: string[] }>();
  const hiddenOf = (file: string) => {
    const h = hidden.get(file) ?? { count: 0, errors: 0, kinds: [] };
    hidden.set(file, h);
    return h;
  };
  const seen = new Set<string>();
  for (const d of diagnostics) {
    if (!path.isAbsolute(d.file)) continue;
    // The readers' own cap (core/runs/limits.ts suppressedDiagnostic), counted from its fields.
    if (d.suppressed) {
      const h = hiddenOf(d.file);
      h.count += d.suppressed.count;
      if (d.suppressed.kinds) h.kinds.push(d.suppressed.kinds);
      continue;
    }
    if (d.severity !== 'error' && d.severity !== 'warning') continue;
    // The same problem reported twice (a file of two runs) is listed once.
    const key = `${d.file}\0${d.line ?? ''}\0${d.severity}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byFile.get(d.file) ?? [];
    byFile.set(d.file, list);
    if (list.length < cap) {
      list.push({ ...(d.line !== undefined ? { line: d.line } : {}), severity: d.severity, message: d.message });
      continue;
    }
    const h = hiddenOf(d.file);
    h.count++;
    if (d.severity === 'error') h.errors++;
  }
  for (const [file, h] of hidden) {
    const list = byFile.get(file);
    // A count of notes only (no problem shown for the file) is not a problem either.
    if (!list || h.count === 0) continue;
    const kinds = h.kinds.length ? `: ${h.kinds.join(', ')}` : '';
    list.push({
      severity: h.errors > 0 || list.some((p) => p.severity === 'error') ? 'error' : 'warning',
      message: `and ${h.count} more problem${h.count === 1 ? '' : 's'} in this file${kinds} (the first ones are in the Scaling Lens dashboard and \`scaling-lens scan\`)`,
    });
  }
  return byFile;
}

/**
 * `byFile` without the problems another collection already shows for the same file, line (a problem
 * without one is shown on line 1) and
 * message (the open config's own diagnostics, features/configDiagnostics.ts: a run's config.json
 * read by the scan and by the editor's estimate gives one problem to both). One problem, once.
 */
export function withoutShownElsewhere(
  byFile: ReadonlyMap<string, readonly FileProblem[]>,
  shownFor: (file: string) => readonly { line?: number; message: string }[],
): Map<string, FileProblem[]> {
  const out = new Map<string, FileProblem[]>();
  for (const [file, problems] of byFile) {
    const shown = new Set(shownFor(file).map((p) => `${p.line ?? 1}\0${p.message}`));
    const left = shown.size ? problems.filter((p) => !shown.has(`${p.line ?? 1}\0${p.message}`)) : [...problems];
    if (left.length) out.set(file, left);
  }
  return out;
}
