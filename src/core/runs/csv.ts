import type { MetricPoint } from './types';
import { emptyResult, isStepKey, recordToPoints, shorten, type ReadResult } from './common';
import { appendAll } from '../../shared/arrays';

export type CsvDelimiter = ',' | '\t';

export interface CsvReaderOptions {
  /** Field delimiter; by default ',' unless the header has tabs and no commas. */
  delimiter?: CsvDelimiter;
}

/**
 * Split one CSV/TSV line into fields (RFC 4180 quoting with "" escapes).
 * Returns undefined when a quoted field is not closed on this line.
 */
export function splitDelimited(line: string, delimiter: CsvDelimiter): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) return undefined;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // Anything between the closing quote and the delimiter is kept verbatim (lenient).
      const d = line.indexOf(delimiter, i);
      const end = d === -1 ? n : d;
      value += line.slice(i, end);
      fields.push(value);
      if (d === -1) return fields;
      i = d + 1;
    } else {
      const d = line.indexOf(delimiter, i);
      if (d === -1) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, d));
      i = d + 1;
    }
  }
}

/**
 * Incremental reader for generic CSV/TSV logs with a header row (Lightning CSVLogger, DVCLive TSV, custom).
 * Empty cells are missing values, not 0. Keeps the header between `push` calls. Never throws.
 */
export class CsvReader {
  private header: string[] | undefined;
  private headerLine = '';
  private delimiter: CsvDelimiter | undefined;
  private implicitSteps = 0;
  private warnedNoStep = false;

  constructor(
    readonly file: string,
    private readonly options: CsvReaderOptions = {},
  ) {
    this.delimiter = options.delimiter;
  }

  reset(): void {
    this.header = undefined;
    this.headerLine = '';
    this.delimiter = this.options.delimiter;
    this.implicitSteps = 0;
    this.warnedNoStep = false;
  }

  /** The current header columns, once read. */
  columns(): readonly string[] | undefined {
    return this.header;
  }

  push(lines: string[], firstLineNumber: number): ReadResult {
    const out = emptyResult();
    for (let i = 0; i < lines.length; i++) this.parseLine(lines[i], firstLineNumber + i, true, out);
    return out;
  }

  /** Parse a (possibly incomplete) last line without changing state; no points until the header is known. */
  peek(line: string, lineNumber: number): MetricPoint[] {
    if (this.header === undefined) return [];
    const out = emptyResult();
    this.parseLine(line, lineNumber, false, out);
    return out.points;
  }

  private parseLine(raw: string, lineNumber: number, commit: boolean, out: ReadResult): void {
    const line = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim() === '') return;
    if (this.header === undefined) {
      if (!commit) return;
      this.setHeader(line, lineNumber, out);
      return;
    }
    if (line === this.headerLine) return; // header repeated (e.g. a restarted logger appending)
    const delimiter = this.delimiter ?? ',';
    const fields = splitDelimited(line, delimiter);
    if (fields === undefined) {
      if (commit)
        out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'warning', message: `line ${lineNumber}: unterminated quoted field; row skipped` });
      return;
    }
    if (fields.length !== this.header.length) {
      // A new header (a restarted logger with other columns): adopt it.
      if (commit && this.looksLikeHeader(fields)) {
        out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'info', message: `line ${lineNumber}: new header row; columns changed` });
        this.setHeader(line, lineNumber, out);
        return;
      }
      if (commit) {
        out.diagnostics.push({
          file: this.file,
          line: lineNumber,
          severity: 'warning',
          message: `line ${lineNumber} has ${fields.length} fields, the header has ${this.header.length}; row skipped: ${shorten(line, 60)}`,
        });
      }
      return;
    }
    if (commit && this.looksLikeHeader(fields)) {
      out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'info', message: `line ${lineNumber}: new header row; columns changed` });
      this.setHeader(line, lineNumber, out);
      return;
    }
    const rec = new Map<string, unknown>();
    for (let c = 0; c < fields.length; c++) {
      const v = fields[c].trim();
      if (v !== '') rec.set(this.header[c], v);
    }
    let usedImplicit = false;
    const r = recordToPoints(rec, this.file, lineNumber, true, () => {
      usedImplicit = true;
      return this.implicitSteps;
    });
    if (r.badStep !== undefined) {
      if (commit) out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'warning', message: `line ${lineNumber}: ${r.badStep}; row skipped` });
      return;
    }
    if (usedImplicit && commit) {
      this.implicitSteps++;
      if (!this.warnedNoStep) {
        this.warnedNoStep = true;
        out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'info', message: 'row has no step column value; using the row index as the step' });
      }
    }
    appendAll(out.points, r.points);
    if (commit) {
      appendAll(out.diagnostics, r.diagnostics);
      appendAll(out.nonFinite, r.nonFinite);
    }
  }

  private looksLikeHeader(fields: string[]): boolean {
    // A header names a step column and has no numeric cells. The numeric test first: it rejects a
    // data row at its first cell, before any cell is looked up as a step name.
    return fields.every((f) => f.trim() === '' || Number.isNaN(Number(f.trim()))) && fields.some((f) => isStepKey(f.trim()));
  }

  private setHeader(line: string, lineNumber: number, out: ReadResult): void {
    if (this.delimiter === undefined) this.delimiter = line.includes('\t') && !line.includes(',') ? '\t' : ',';
    const fields = splitDelimited(line, this.delimiter);
    if (fields === undefined) {
      out.diagnostics.push({
        file: this.file,
        line: lineNumber,
        severity: 'error',
        message: `line ${lineNumber}: header row has an unterminated quoted field`,
      });
      return;
    }
    this.header = fields.map((f) => f.trim());
    this.headerLine = line;
    const seen = new Set<string>();
    for (const h of this.header) {
      if (h !== '' && seen.has(h))
        out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'warning', message: `duplicate column "${h}"; the last one wins` });
      seen.add(h);
    }
  }
}

/** Parse a whole CSV/TSV text at once. */
export function parseCsv(text: string, file: string, options?: CsvReaderOptions): ReadResult {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return new CsvReader(file, options).push(lines, 1);
}
