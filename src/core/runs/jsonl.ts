import type { MetricPoint } from './types';
import { emptyResult, flattenRecord, isPlainObject, parseJsonLenient, recordToPoints, shorten, type ReadResult } from './common';

/**
 * Incremental reader for generic JSONL logs: one JSON object per line.
 * Never throws: a bad line becomes a diagnostic naming it, and the lines around it are kept.
 */
export class JsonlReader {
  /** Records seen that had no step key; used as their implicit step. */
  private implicitSteps = 0;
  private warnedNoStep = false;

  constructor(readonly file: string) {}

  reset(): void {
    this.implicitSteps = 0;
    this.warnedNoStep = false;
  }

  /** Parse complete lines; `firstLineNumber` is the 1-based number of `lines[0]` in the file. */
  push(lines: string[], firstLineNumber: number): ReadResult {
    const out = emptyResult();
    for (let i = 0; i < lines.length; i++) {
      this.parseLine(lines[i], firstLineNumber + i, true, out);
    }
    return out;
  }

  /**
   * Parse a line without changing the reader's state (for a provisional, not yet newline-terminated last line).
   * Returns no points when the line is not (yet) a complete JSON object.
   */
  peek(line: string, lineNumber: number): MetricPoint[] {
    const out = emptyResult();
    this.parseLine(line, lineNumber, false, out);
    return out.points;
  }

  private parseLine(raw: string, lineNumber: number, commit: boolean, out: ReadResult): void {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = parseJsonLenient(line);
    } catch (e) {
      if (commit) {
        const why = e instanceof Error ? e.message : String(e);
        out.diagnostics.push({
          file: this.file,
          line: lineNumber,
          severity: 'warning',
          message: `line ${lineNumber} is not valid JSON (${shorten(why, 60)}): ${shorten(line, 60)}`,
        });
      }
      return;
    }
    if (!isPlainObject(value)) {
      if (commit) {
        out.diagnostics.push({
          file: this.file,
          line: lineNumber,
          severity: 'warning',
          message: `line ${lineNumber} is not a JSON object: ${shorten(line, 60)}`,
        });
      }
      return;
    }
    let usedImplicit = false;
    const rec = recordToPoints(flattenRecord(value), this.file, lineNumber, false, () => {
      usedImplicit = true;
      return this.implicitSteps;
    });
    if (rec.badStep !== undefined) {
      if (commit) out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'warning', message: `line ${lineNumber}: ${rec.badStep}; line skipped` });
      return;
    }
    if (usedImplicit && commit) {
      this.implicitSteps++;
      if (!this.warnedNoStep) {
        this.warnedNoStep = true;
        out.diagnostics.push({
          file: this.file,
          line: lineNumber,
          severity: 'info',
          message: 'record has no step key (step, iter, iteration, global_step, _step); using the record index as the step',
        });
      }
    }
    out.points.push(...rec.points);
    if (commit) {
      out.diagnostics.push(...rec.diagnostics);
      out.nonFinite.push(...rec.nonFinite);
    }
  }
}

/** Parse a whole JSONL text at once (same result as feeding all its lines to one JsonlReader). */
export function parseJsonl(text: string, file: string): ReadResult {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return new JsonlReader(file).push(lines, 1);
}
