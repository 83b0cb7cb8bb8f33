// What the HF config readers (hfConfig.ts, encoderDecoder.ts) share: the parameter count's shape
// and the helpers that take a key's value with its source. Its own module so the two readers form
// no import cycle.
import type { Diagnostic } from '../diagnostics';
import { sourceOf, type JsonObjectReader, type Read } from './json';
import type { ValueSource } from './types';

export interface ParamCount {
  total: number;
  nonEmbedding: number;
  /** Vocabulary (input, and output when untied) and learned-position parameters. */
  embedding: number;
  perLayer: number;
  /** Mixture of experts: parameters a token uses (top-k experts of each layer). */
  active?: number;
  activeNonEmbedding?: number;
  /** The arithmetic, in words and numbers. */
  formula: string;
}

/** Groups digits by thousands, locale-independently: 124439808 → "124,439,808". */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Unwraps a read: records its source, or its diagnostic. */
export function take<T>(read: Read<T>, path: string, file: string, sources: Record<string, ValueSource>, diagnostics: Diagnostic[]): T | undefined {
  if (read.ok === false) {
    diagnostics.push(read.diagnostic);
    return undefined;
  }
  if (read.ok === 'absent') return undefined;
  sources[path] = sourceOf(file, read.node);
  return read.value;
}

export function requireKey<T>(value: T | undefined, key: string, r: JsonObjectReader, diagnostics: Diagnostic[]): T | undefined {
  if (value === undefined && !diagnostics.some((d) => d.message.startsWith(`"${key}"`))) {
    diagnostics.push({ file: r.file, severity: 'error', message: `"${key}" is missing` });
  }
  return value;
}
