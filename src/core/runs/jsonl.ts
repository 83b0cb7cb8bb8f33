import type { MetricPoint } from './types';
import { readWithShape, scanFlatNumericLine, type LineShape } from './jsonlFast';
import { STEP_KEYS, TOKEN_KEYS, emptyResult, flattenRecord, isPlainObject, parseJsonLenient, recordToPoints, shorten, type ReadResult } from './common';

/**
 * Incremental reader for generic JSONL logs: one JSON object per line.
 * Never throws: a bad line becomes a diagnostic naming it, and the lines around it are kept.
 */
export class JsonlReader {
  /** Records seen that had no step key; used as their implicit step. */
  private implicitSteps = 0;
  private warnedNoStep = false;
  /** Shape of the last flat numeric line, for the fast path. */
  private shape: ShapePlan | undefined;
  private values = new Float64Array(0);

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
    const shape = this.shape;
    if (shape && readWithShape(raw, shape, this.values) && emitShaped(shape, this.values, out.points)) return;
    const flat = scanFlatNumericLine(raw);
    if (flat) {
      this.shape = planShape([...flat.keys()]);
      if (this.values.length < flat.size) this.values = new Float64Array(flat.size);
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
    out.points.push(...rec.points);
    if (commit) {
      out.diagnostics.push(...rec.diagnostics);
      out.nonFinite.push(...rec.nonFinite);
    }
  }
}

/** A line shape with what `recordToPoints` would decide for it, decided once. */
interface ShapePlan extends LineShape {
  /** Index of the step key (first of STEP_KEYS present); -1 sends lines to the general path. */
  stepIndex: number;
  tokenIndex: number;
  /** Indices of the keys that become metrics (all but step keys), in key order. */
  metricIndices: number[];
}

function planShape(keys: string[]): ShapePlan | undefined {
  if (keys.length > 256) return undefined;
  const stepKey = STEP_KEYS.find((k) => keys.includes(k));
  const tokenKey = TOKEN_KEYS.find((k) => keys.includes(k));
  return {
    keys,
    stepIndex: stepKey === undefined ? -1 : keys.indexOf(stepKey),
    tokenIndex: tokenKey === undefined ? -1 : keys.indexOf(tokenKey),
    metricIndices: keys.flatMap((k, i) => (STEP_KEYS.includes(k) ? [] : [i])),
  };
}

/**
 * The points `recordToPoints` gives for a shaped line whose values are all finite; false (nothing
 * pushed) when a value is not finite or the shape has no step, which the general path reports.
 */
function emitShaped(shape: ShapePlan, values: Float64Array, points: MetricPoint[]): boolean {
  if (shape.stepIndex < 0) return false;
  const count = shape.keys.length;
  for (let i = 0; i < count; i++) if (!Number.isFinite(values[i])) return false;
  const step = values[shape.stepIndex];
  const tokens = shape.tokenIndex < 0 ? undefined : values[shape.tokenIndex];
  for (const i of shape.metricIndices) {
    const p: MetricPoint = { metric: shape.keys[i], step, value: values[i] };
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
