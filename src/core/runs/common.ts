import type { Diagnostic } from '../diagnostics';
import { copyString } from '../excerpt';
import type { MetricPoint, MetricRole } from './types';
import { STEP_KEY_NAMES, TOKEN_KEY_NAMES, readMetricName, stepKeyReading } from './vocabulary';

/** Keys that give the x axis, in the vocabulary's order of preference (vocabulary.ts): first present wins. */
export const STEP_KEYS: readonly string[] = STEP_KEY_NAMES;
/** Keys that give tokens seen so far, first present wins. */
export const TOKEN_KEYS: readonly string[] = TOKEN_KEY_NAMES;

/** A protobuf int64 field as protobufjs decodes it: a number, or a Long when it does not fit one; absent when zero (proto3). */
export type ProtoInt64 = number | { toNumber(): number } | undefined | null;

/** A decoded protobuf int64 as a number (0 when absent). */
export function int64(v: ProtoInt64): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** The role of a metric by its name, as the shared vocabulary (vocabulary.ts) reads it. */
export function metricRole(name: string): MetricRole {
  return readMetricName(name).role;
}

export function isStepKey(name: string): boolean {
  return stepKeyReading(name) !== undefined;
}

export function isLossRole(role: MetricRole): boolean {
  return role === 'train_loss' || role === 'eval_loss';
}

/** A metric value that was logged but is NaN or infinite (dropped from the series). */
export interface NonFiniteEvent {
  metric: string;
  role: MetricRole;
  step: number;
  line?: number;
}

/** What a reader returns for one batch of input. */
export interface ReadResult {
  points: MetricPoint[];
  diagnostics: Diagnostic[];
  /** Non-finite values seen (each also has a diagnostic); the index marks a run failed when a loss is here. */
  nonFinite: NonFiniteEvent[];
  /**
   * Restarts a log announces (TensorBoard's SessionLog.START): before `points[beforePoint]`, every point
   * stored for this file at a step ≥ `step` is orphaned and dropped.
   */
  restarts?: { beforePoint: number; step: number }[];
  /** Resumes a text log announces ("Resuming training from …"): the next point of each series may go back (stepOrder.ts). */
  resumes?: { beforePoint: number; line: number }[];
}

export function emptyResult(): ReadResult {
  return { points: [], diagnostics: [], nonFinite: [] };
}

/** Sentinel strings that stand in for bare NaN / Infinity tokens (which JSON.parse rejects). */
const NAN_SENTINEL = '\u0000NaN';
const INF_SENTINEL = '\u0000Infinity';
const NEG_INF_SENTINEL = '\u0000-Infinity';

/** A plain decimal number as text (CSV cells; JSON strings of known metric keys). */
export const NUMERIC_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_STRING = /^[+-]?(?:nan|inf|infinity)$/i;

export type Coerced = { kind: 'number'; value: number } | { kind: 'nonfinite'; text: string } | { kind: 'none' };

/**
 * Interpret a parsed JSON / CSV value as a number.
 * Non-finite numbers and strings like "nan", "-inf" (and the sentinels for bare NaN/Infinity) are 'nonfinite'.
 * Numeric strings count only when `numericStrings` is set (CSV cells, known metric keys).
 */
export function coerceNumber(v: unknown, numericStrings: boolean): Coerced {
  if (typeof v === 'number') {
    return Number.isFinite(v) ? { kind: 'number', value: v } : { kind: 'nonfinite', text: String(v) };
  }
  if (typeof v === 'string') {
    if (v === NAN_SENTINEL) return { kind: 'nonfinite', text: 'NaN' };
    if (v === INF_SENTINEL) return { kind: 'nonfinite', text: 'Infinity' };
    if (v === NEG_INF_SENTINEL) return { kind: 'nonfinite', text: '-Infinity' };
    const t = v.trim();
    // Quoted short and copied: the cell may be a megabyte of digits.
    if (NON_FINITE_STRING.test(t)) return { kind: 'nonfinite', text: shorten(t, 24) };
    if (numericStrings && NUMERIC_STRING.test(t)) {
      const n = Number(t);
      if (Number.isFinite(n)) return { kind: 'number', value: n };
      return { kind: 'nonfinite', text: shorten(t, 24) };
    }
  }
  return { kind: 'none' };
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

/**
 * Replace bare `NaN`, `Infinity`, `-Infinity` tokens outside strings (as Python's json.dumps writes them)
 * with sentinel strings so JSON.parse accepts the text. Newlines are preserved, so line numbers stay valid.
 */
export function sanitizeNonFiniteJson(text: string): string {
  if (!text.includes('NaN') && !text.includes('Infinity')) return text;
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    let token: string | undefined;
    let sentinel = '';
    if (c === 'N' && text.startsWith('NaN', i)) {
      token = 'NaN';
      sentinel = NAN_SENTINEL;
    } else if (c === 'I' && text.startsWith('Infinity', i)) {
      token = 'Infinity';
      sentinel = INF_SENTINEL;
    } else if (c === '-' && text.startsWith('-Infinity', i)) {
      token = '-Infinity';
      sentinel = NEG_INF_SENTINEL;
    }
    if (token !== undefined && !isIdentChar(text[i - 1]) && !isIdentChar(text[i + token.length])) {
      out += text.slice(last, i) + JSON.stringify(sentinel);
      i += token.length - 1;
      last = i + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Parse JSON that may contain bare NaN/Infinity; throws like JSON.parse on invalid text. */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const sanitized = sanitizeNonFiniteJson(text);
    if (sanitized === text) throw e;
    return JSON.parse(sanitized);
  }
}

/** 1-based line of a character offset. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Flatten nested plain objects into `a/b` keys (arrays are skipped). */
export function flattenRecord(obj: Record<string, unknown>, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}/${k}` : k;
    if (v !== null && typeof v === 'object') {
      if (!Array.isArray(v) && prefix.split('/').length < 4) flattenRecord(v as Record<string, unknown>, key, out);
    } else {
      out.set(key, v);
    }
  }
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function shorten(s: string, max = 80): string {
  // Copied, not sliced: a slice of a long line would keep the whole line alive with the diagnostic.
  return s.length <= max ? copyString(s) : `${copyString(s.slice(0, max))}…`;
}

/** Result of turning one record (a JSONL object or a CSV row) into points. */
export interface RecordPoints {
  /** undefined when the record has no step key (the caller supplies an implicit step). */
  step?: number;
  points: MetricPoint[];
  diagnostics: Diagnostic[];
  nonFinite: NonFiniteEvent[];
  /** Set when the record cannot be placed (its step is present but not a finite number). */
  badStep?: string;
}

/**
 * Convert one record to metric points. `allNumericStrings`: every string cell may be numeric (CSV);
 * otherwise only known keys (step, tokens, losses, lr) accept numeric strings (JSONL).
 */
export function recordToPoints(rec: Map<string, unknown>, file: string, line: number, allNumericStrings: boolean, implicitStep: () => number): RecordPoints {
  const result: RecordPoints = { points: [], diagnostics: [], nonFinite: [] };
  let step: number | undefined;
  for (const k of STEP_KEYS) {
    if (!rec.has(k)) continue;
    const raw = rec.get(k);
    if (raw === '' || raw === null || raw === undefined) continue;
    const c = coerceNumber(raw, true);
    if (c.kind !== 'number') {
      result.badStep = `step key "${k}" is not a finite number (${shorten(String(raw), 40)})`;
      return result;
    }
    step = c.value;
    break;
  }
  const s = step ?? implicitStep();
  result.step = step;
  let tokens: number | undefined;
  for (const k of TOKEN_KEYS) {
    const c = coerceNumber(rec.get(k), true);
    if (c.kind === 'number') {
      tokens = c.value;
      break;
    }
  }
  for (const [key, raw] of rec) {
    if (isStepKey(key) || raw === '' || raw === null || raw === undefined) continue;
    const role = metricRole(key);
    const c = coerceNumber(raw, allNumericStrings || role !== 'other');
    if (c.kind === 'number') {
      const p: MetricPoint = { metric: key, step: s, value: c.value, line };
      if (tokens !== undefined) p.tokens = tokens;
      result.points.push(p);
    } else if (c.kind === 'nonfinite') {
      const loss = isLossRole(role);
      result.nonFinite.push({ metric: key, role, step: s, line });
      result.diagnostics.push({
        file,
        line,
        severity: loss ? 'error' : 'warning',
        message: `${key} is ${c.text} at step ${s}${loss ? ' (loss went non-finite; run diverged)' : ''}; value dropped`,
      });
    } else if (role !== 'other' && typeof raw === 'string') {
      result.diagnostics.push({ file, line, severity: 'warning', message: `${key} is not a number: "${shorten(raw, 40)}"` });
    }
  }
  return result;
}
