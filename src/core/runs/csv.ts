import type { MetricPoint, MetricRole } from './types';
import { coerceNumber, emptyResult, isLossRole, isStepKey, metricRole, NUMERIC_STRING, recordToPoints, shorten, STEP_KEYS, type ReadResult } from './common';
import { appendPoint, ColumnBatch, type ColumnSlot, type MetricColumn } from './metricColumns';
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

/** What `pushColumns` returns: the points in columns (`points` stays empty), first-seen metric first. */
export interface CsvColumnResult extends ReadResult {
  columns: MetricColumn[];
}

/**
 * A header's columns as `pushColumns` reads them, worked out once per header rather than per row
 * through a record (recordToPoints): which cells give the step, in STEP_KEYS' order, and each other
 * cell's metric and role.
 */
interface HeaderPlan {
  /** Cells of step keys, first-preferred first. */
  stepCells: number[];
  /** The other cells: their metric (the header name) and role. */
  metricCells: { cell: number; metric: string; role: MetricRole }[];
  /** Each metric cell's output column and the read it was fetched in (`pushColumns` caches the ColumnBatch lookup). */
  slots: (ColumnSlot | undefined)[];
  slotBatch: number[];
}

/**
 * Incremental reader for generic CSV/TSV logs with a header row (Lightning CSVLogger, DVCLive TSV, custom).
 * Empty cells are missing values, not 0. Keeps the header between `push` calls. Never throws.
 * `pushColumns` gives what `push` gives, in columns (the run index's path; `push` stays for sniffing and peeks).
 */
export class CsvReader {
  private header: string[] | undefined;
  private headerLine = '';
  private delimiter: CsvDelimiter | undefined;
  private implicitSteps = 0;
  private warnedNoStep = false;
  /** The header's plan for `pushColumns`; undefined when a name repeats (then rows go through recordToPoints). */
  private plan: HeaderPlan | undefined;
  private readonly batch = new ColumnBatch('line');

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
    this.plan = undefined;
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

  /**
   * As `push`, with the points in columns: the rows of a header without repeated names are read cell by
   * cell against the header's plan (no record, no point objects), others through `push`'s row path. The
   * columns are refilled by the next call: consume them first.
   */
  pushColumns(lines: string[], firstLineNumber: number): CsvColumnResult {
    const out: CsvColumnResult = { ...emptyResult(), columns: [] };
    let total = 0;
    for (const line of lines) total += line.length;
    this.batch.start(total);
    const rowOut = emptyResult();
    for (let i = 0; i < lines.length; i++) {
      const lineNumber = firstLineNumber + i;
      const fields = this.dataRow(lines[i], lineNumber, true, out);
      if (fields === undefined) continue;
      if (this.plan !== undefined) {
        this.rowColumns(this.plan, fields, lineNumber, out);
        continue;
      }
      rowOut.points.length = 0;
      this.rowPoints(fields, lineNumber, true, rowOut, out);
      for (const p of rowOut.points) appendPoint(this.batch.column(p.metric), p.step, p.value, lineNumber);
    }
    out.columns = this.batch.out;
    return out;
  }

  /** One data row against the header's plan: recordToPoints' rules, cell by cell. */
  private rowColumns(plan: HeaderPlan, fields: string[], lineNumber: number, out: ReadResult): void {
    let step: number | undefined;
    for (const cell of plan.stepCells) {
      const raw = fields[cell].trim();
      if (raw === '') continue;
      const plain = NUMERIC_STRING.test(raw) ? Number(raw) : NaN;
      if (Number.isFinite(plain)) {
        step = plain;
        break;
      }
      const c = coerceNumber(raw, true);
      if (c.kind !== 'number') {
        out.diagnostics.push({
          file: this.file,
          line: lineNumber,
          severity: 'warning',
          message: `line ${lineNumber}: step key "${this.header![cell]}" is not a finite number (${shorten(raw, 40)}); row skipped`,
        });
        return;
      }
      step = c.value;
      break;
    }
    if (step === undefined) {
      step = this.implicitSteps++;
      if (!this.warnedNoStep) {
        this.warnedNoStep = true;
        out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'info', message: 'row has no step column value; using the row index as the step' });
      }
    }
    const batchId = this.batch.id;
    for (let m = 0; m < plan.metricCells.length; m++) {
      const { cell, metric, role } = plan.metricCells[m];
      const raw = fields[cell].trim();
      if (raw === '') continue;
      // coerceNumber's test and conversion, without its result object for the common plain number.
      const value = NUMERIC_STRING.test(raw) ? Number(raw) : NaN;
      if (Number.isFinite(value)) {
        if (plan.slotBatch[m] !== batchId) {
          plan.slots[m] = this.batch.column(metric);
          plan.slotBatch[m] = batchId;
        }
        appendPoint(plan.slots[m]!, step, value, lineNumber);
        continue;
      }
      const c = coerceNumber(raw, true);
      if (c.kind === 'nonfinite') {
        const loss = isLossRole(role);
        out.nonFinite.push({ metric, role, step, line: lineNumber });
        out.diagnostics.push({
          file: this.file,
          line: lineNumber,
          severity: loss ? 'error' : 'warning',
          message: `${metric} is ${c.text} at step ${step}${loss ? ' (loss went non-finite; run diverged)' : ''}; value dropped`,
        });
      } else if (c.kind === 'none' && role !== 'other') {
        out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'warning', message: `${metric} is not a number: "${shorten(raw, 40)}"` });
      }
    }
  }

  /** Parse a (possibly incomplete) last line without changing state; no points until the header is known. */
  peek(line: string, lineNumber: number): MetricPoint[] {
    if (this.header === undefined) return [];
    const out = emptyResult();
    this.parseLine(line, lineNumber, false, out);
    return out.points;
  }

  private parseLine(raw: string, lineNumber: number, commit: boolean, out: ReadResult): void {
    const fields = this.dataRow(raw, lineNumber, commit, out);
    if (fields !== undefined) this.rowPoints(fields, lineNumber, commit, out, out);
  }

  /** A line's cells when it is a data row of the current header; else undefined (a header, a blank or bad line: told in `out`). */
  private dataRow(raw: string, lineNumber: number, commit: boolean, out: ReadResult): string[] | undefined {
    const line = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim() === '') return undefined;
    if (this.header === undefined) {
      if (!commit) return undefined;
      this.setHeader(line, lineNumber, out);
      return undefined;
    }
    if (line === this.headerLine) return undefined; // header repeated (e.g. a restarted logger appending)
    const delimiter = this.delimiter ?? ',';
    const fields = splitDelimited(line, delimiter);
    if (fields === undefined) {
      if (commit)
        out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'warning', message: `line ${lineNumber}: unterminated quoted field; row skipped` });
      return undefined;
    }
    if (fields.length !== this.header.length) {
      // A new header (a restarted logger with other columns): adopt it.
      if (commit && this.looksLikeHeader(fields)) {
        out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'info', message: `line ${lineNumber}: new header row; columns changed` });
        this.setHeader(line, lineNumber, out);
        return undefined;
      }
      if (commit) {
        out.diagnostics.push({
          file: this.file,
          line: lineNumber,
          severity: 'warning',
          message: `line ${lineNumber} has ${fields.length} fields, the header has ${this.header.length}; row skipped: ${shorten(line, 60)}`,
        });
      }
      return undefined;
    }
    if (commit && this.looksLikeHeader(fields)) {
      out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'info', message: `line ${lineNumber}: new header row; columns changed` });
      this.setHeader(line, lineNumber, out);
      return undefined;
    }
    return fields;
  }

  /** A data row through recordToPoints: points into `out`, diagnostics into `told` (when committing). */
  private rowPoints(fields: string[], lineNumber: number, commit: boolean, out: ReadResult, told: ReadResult): void {
    const header = this.header!;
    const rec = new Map<string, unknown>();
    for (let c = 0; c < fields.length; c++) {
      const v = fields[c].trim();
      if (v !== '') rec.set(header[c], v);
    }
    let usedImplicit = false;
    const r = recordToPoints(rec, this.file, lineNumber, true, () => {
      usedImplicit = true;
      return this.implicitSteps;
    });
    if (r.badStep !== undefined) {
      if (commit) told.diagnostics.push({ file: this.file, line: lineNumber, severity: 'warning', message: `line ${lineNumber}: ${r.badStep}; row skipped` });
      return;
    }
    if (usedImplicit && commit) {
      this.implicitSteps++;
      if (!this.warnedNoStep) {
        this.warnedNoStep = true;
        told.diagnostics.push({
          file: this.file,
          line: lineNumber,
          severity: 'info',
          message: 'row has no step column value; using the row index as the step',
        });
      }
    }
    appendAll(out.points, r.points);
    if (commit) {
      appendAll(told.diagnostics, r.diagnostics);
      appendAll(told.nonFinite, r.nonFinite);
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
    let repeated = false;
    for (const h of this.header) {
      if (seen.has(h)) {
        repeated = true;
        if (h !== '') out.diagnostics.push({ file: this.file, line: lineNumber, severity: 'warning', message: `duplicate column "${h}"; the last one wins` });
      }
      seen.add(h);
    }
    this.plan = repeated ? undefined : planOf(this.header);
  }
}

/** The header's plan (names all distinct): recordToPoints' step-key order, and every other cell's metric and role. */
function planOf(header: readonly string[]): HeaderPlan {
  const stepCells: number[] = [];
  for (const k of STEP_KEYS) {
    const cell = header.indexOf(k);
    if (cell >= 0) stepCells.push(cell);
  }
  const metricCells = header.flatMap((metric, cell) => (isStepKey(metric) ? [] : [{ cell, metric, role: metricRole(metric) }]));
  return { stepCells, metricCells, slots: metricCells.map(() => undefined), slotBatch: metricCells.map(() => -1) };
}

/** Parse a whole CSV/TSV text at once. */
export function parseCsv(text: string, file: string, options?: CsvReaderOptions): ReadResult {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return new CsvReader(file, options).push(lines, 1);
}
