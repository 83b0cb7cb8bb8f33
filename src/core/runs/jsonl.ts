import type { MetricPoint } from './types';
import { byteShape, readBytesWithShape, readWithShape, scanFlatNumericLine, viewOf, type ByteLineShape } from './jsonlFast';
import { STEP_KEYS, TOKEN_KEYS, emptyResult, flattenRecord, isPlainObject, parseJsonLenient, recordToPoints, shorten, type ReadResult } from './common';
import { appendAll } from '../../shared/arrays';
import { appendPoint, ColumnBatch, growColumn, type ColumnSlot, type MetricColumn } from './metricColumns';

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Shapes kept for the byte path; a log rarely interleaves more than a few (train, eval, summary). */
const MAX_SHAPES = 8;

/** What `pushBytes` returns: the points in columns (`points` stays empty), first-seen metric first. */
export interface ColumnReadResult extends ReadResult {
  columns: MetricColumn[];
  /** Lines read (complete lines, so the caller can number the next ones). */
  lineCount: number;
}

/**
 * Incremental reader for generic JSONL logs: one JSON object per line.
 * Never throws: a bad line becomes a diagnostic naming it, and the lines around it are kept.
 */
export class JsonlReader {
  /** Records seen that had no step key; used as their implicit step. */
  private implicitSteps = 0;
  private warnedNoStep = false;
  /** Shapes of recent flat numeric lines, the last matched first, for the fast paths. */
  private shapes: ShapePlan[] = [];
  private values = new Float64Array(16);
  /** Output columns of `pushBytes` by metric (places are lines), reused from call to call. */
  private readonly batch = new ColumnBatch('line');
  /** The line `pushBytes` is reading, for the columns' `lines`. */
  private lineNumber = 0;

  constructor(readonly file: string) {}

  /** Whether a record without a step key was read (its step depends on every line before it). */
  get usedImplicitSteps(): boolean {
    return this.implicitSteps > 0 || this.warnedNoStep;
  }

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
   * Parse the complete lines in `bytes[0, end)` (UTF-8, as FileTail.readBytes gives them: every line
   * ends with a line feed, but for one over-long line). Gives the points `push` gives for the
   * decoded lines, in columns. Flat numeric lines of a shape seen before are read in place in the
   * bytes, with no string or object made; any other line is decoded and takes the text path.
   * The columns are refilled by the next call: consume them first.
   */
  pushBytes(bytes: Buffer, end: number, firstLineNumber: number): ColumnReadResult {
    const out: ColumnReadResult = { ...emptyResult(), columns: [], lineCount: 0 };
    this.batch.start(end);
    // A byte order mark can open the first line (the text path strips it there).
    const pos = firstLineNumber === 1 && end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const lineNumber = this.readLines(bytes, viewOf(bytes), pos, end, firstLineNumber, out);
    out.lineCount = lineNumber - firstLineNumber;
    out.columns = this.batch.out;
    return out;
  }

  /**
   * pushBytes' line loop; returns the number of the line after the last one read. A loop of its own
   * whose code after the loop only returns: the optimiser compiles a long loop while it runs (OSR)
   * and reuses that code on every call, so an operation after the loop that had not yet run would
   * throw the optimised code away at the end of every chunk (V8's "insufficient type feedback").
   */
  private readLines(bytes: Buffer, view: DataView, pos: number, end: number, lineNumber: number, out: ColumnReadResult): number {
    const text = emptyResult();
    while (pos < end) {
      this.lineNumber = lineNumber;
      const lineEnd = this.readShaped(bytes, view, pos, end);
      if (lineEnd >= 0) {
        pos = lineEnd + 1;
        lineNumber++;
        continue;
      }
      let next = bytes.indexOf(LINE_FEED, pos);
      if (next < 0 || next > end) next = end;
      const textEnd = next > pos && bytes[next - 1] === CARRIAGE_RETURN ? next - 1 : next;
      this.parseLine(bytes.toString('utf8', pos, textEnd), lineNumber, true, text);
      for (const p of text.points) appendPoint(this.batch.column(p.metric), p.step, p.value, lineNumber);
      for (const d of text.diagnostics) out.diagnostics.push(d);
      for (const e of text.nonFinite) out.nonFinite.push(e);
      text.points.length = 0;
      text.diagnostics.length = 0;
      text.nonFinite.length = 0;
      pos = next + 1;
      lineNumber++;
    }
    return lineNumber;
  }

  /**
   * Reads the line at `bytes[pos]` against the known shapes and stores its points; returns the
   * index of its line feed (or `end`), or -1 when the line needs the text path.
   */
  private readShaped(bytes: Buffer, view: DataView, pos: number, end: number): number {
    const shapes = this.shapes;
    for (let s = 0; s < shapes.length; s++) {
      const shape = shapes[s];
      if (shape.stepIndex < 0) continue;
      const lineEnd = readBytesWithShape(bytes, pos, end, shape, this.values, view);
      if (lineEnd < 0) continue;
      if (!this.emitColumns(shape)) return -1;
      if (s > 0) this.promote(s);
      return lineEnd;
    }
    return -1;
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
    const shapes = this.shapes;
    for (let s = 0; s < shapes.length; s++) {
      if (readWithShape(raw, shapes[s], this.values)) {
        if (!emitShaped(shapes[s], this.values, out.points, lineNumber)) break;
        if (s > 0) this.promote(s);
        return;
      }
    }
    const flat = scanFlatNumericLine(raw);
    if (flat) {
      this.learnShape([...flat.keys()]);
      this.placeRecord(flat, lineNumber, commit, out);
      return;
    }
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
    this.placeRecord(flattenRecord(value), lineNumber, commit, out);
  }

  private placeRecord(record: Map<string, unknown>, lineNumber: number, commit: boolean, out: ReadResult): void {
    let usedImplicit = false;
    const rec = recordToPoints(record, this.file, lineNumber, false, () => {
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
    appendAll(out.points, rec.points);
    if (commit) {
      appendAll(out.diagnostics, rec.diagnostics);
      appendAll(out.nonFinite, rec.nonFinite);
    }
  }

  /** Put a shape just read first (it is the likeliest next), dropping the oldest beyond MAX_SHAPES. */
  private learnShape(keys: string[]): void {
    const known = this.shapes.findIndex((s) => s.keys.length === keys.length && s.keys.every((k, i) => k === keys[i]));
    if (known >= 0) {
      this.promote(known);
      return;
    }
    const plan = planShape(keys);
    if (plan === undefined) return;
    if (this.values.length < keys.length) this.values = new Float64Array(Math.max(keys.length, 2 * this.values.length));
    this.shapes.unshift(plan);
    if (this.shapes.length > MAX_SHAPES) this.shapes.length = MAX_SHAPES;
  }

  private promote(s: number): void {
    const shape = this.shapes[s];
    this.shapes.splice(s, 1);
    this.shapes.unshift(shape);
  }

  /**
   * Stores the points of a shaped line read into `this.values`: those `recordToPoints` gives for it
   * when every value is finite. False (nothing stored) otherwise, for the text path to report.
   */
  private emitColumns(shape: ShapePlan): boolean {
    const values = this.values;
    const count = shape.keys.length;
    // v - v is 0 for a finite v and NaN otherwise: plain double arithmetic, where a call to
    // Number.isFinite can box its argument when the optimiser does not inline it.
    for (let i = 0; i < count; i++) if (values[i] - values[i] !== 0) return false;
    if (shape.boundBatch !== this.batch.id) this.bind(shape);
    const step = values[shape.stepIndex];
    const line = this.lineNumber;
    const slots = shape.slots;
    const indices = shape.metricIndices;
    for (let j = 0; j < indices.length; j++) {
      const c = slots[j];
      const n = c.length;
      if (n === c.steps.length) growColumn(c);
      const steps: Float64Array = c.steps;
      const columnValues: Float64Array = c.values;
      if (n > 0 && !(step > steps[n - 1])) c.rising = false;
      steps[n] = step;
      columnValues[n] = values[indices[j]];
      c.places[n] = line;
      c.length = n + 1;
    }
    return true;
  }

  /** The output columns of a shape's metrics in this call. */
  private bind(shape: ShapePlan): void {
    shape.boundBatch = this.batch.id;
    const slots: ColumnSlot[] = [];
    for (const i of shape.metricIndices) slots.push(this.batch.column(shape.keys[i]));
    shape.slots = slots;
  }
}

/** A line shape with what `recordToPoints` would decide for it, decided once. */
interface ShapePlan extends ByteLineShape {
  /** Index of the step key (first of STEP_KEYS present); -1 sends lines to the general path. */
  stepIndex: number;
  tokenIndex: number;
  /** Indices of the keys that become metrics (all but step keys), in key order. */
  metricIndices: number[];
  /** The output columns of `metricIndices` in the `pushBytes` call `boundBatch`. */
  slots: ColumnSlot[];
  boundBatch: number;
}

function planShape(keys: string[]): ShapePlan | undefined {
  if (keys.length > 256) return undefined;
  const stepKey = STEP_KEYS.find((k) => keys.includes(k));
  const tokenKey = TOKEN_KEYS.find((k) => keys.includes(k));
  return {
    ...byteShape(keys),
    stepIndex: stepKey === undefined ? -1 : keys.indexOf(stepKey),
    tokenIndex: tokenKey === undefined ? -1 : keys.indexOf(tokenKey),
    metricIndices: keys.flatMap((k, i) => (STEP_KEYS.includes(k) ? [] : [i])),
    slots: [],
    boundBatch: -1,
  };
}

/**
 * The points `recordToPoints` gives for a shaped line whose values are all finite; false (nothing
 * pushed) when a value is not finite or the shape has no step, which the general path reports.
 */
function emitShaped(shape: ShapePlan, values: Float64Array, points: MetricPoint[], line: number): boolean {
  if (shape.stepIndex < 0) return false;
  const count = shape.keys.length;
  for (let i = 0; i < count; i++) if (!Number.isFinite(values[i])) return false;
  const step = values[shape.stepIndex];
  const tokens = shape.tokenIndex < 0 ? undefined : values[shape.tokenIndex];
  for (const i of shape.metricIndices) {
    const p: MetricPoint = { metric: shape.keys[i], step, value: values[i], line };
    if (tokens !== undefined) p.tokens = tokens;
    points.push(p);
  }
  return true;
}

/** Parse a whole JSONL text at once (same result as feeding all its lines to one JsonlReader). */
export function parseJsonl(text: string, file: string): ReadResult {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return new JsonlReader(file).push(lines, 1);
}
