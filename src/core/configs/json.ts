// JSON reading with source offsets (jsonc-parser), shared by the config readers.
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { Diagnostic } from '../diagnostics';
import type { ValueSource } from './types';
import { excerpt } from '../excerpt';

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export interface ParsedJson {
  root: Node | undefined;
  /** One error diagnostic per syntax error, with its line. */
  errors: Diagnostic[];
}

/** Parses JSON (comments and trailing commas tolerated, as in hand-edited configs). */
export function parseJson(text: string, file: string): ParsedJson {
  const raw: ParseError[] = [];
  const root = parseTree(text, raw, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const errors = raw.map<Diagnostic>((e) => ({
    file,
    line: lineAt(text, e.offset),
    severity: 'error',
    message: `invalid JSON: ${printParseErrorCode(e.error)}`,
  }));
  return { root, errors };
}

/** The value node of `key` in an object node (the last one when a key repeats, as `JSON.parse` does). */
export function property(obj: Node, key: string): Node | undefined {
  if (obj.type !== 'object' || !obj.children) return undefined;
  let found: Node | undefined;
  for (const p of obj.children) {
    const [k, v] = p.children ?? [];
    if (k?.value === key && v) found = v;
  }
  return found;
}

/** Source of a value node: its file and character range. */
export function sourceOf(file: string, node: Node, note?: string): ValueSource {
  const src: ValueSource = { file, range: { start: node.offset, end: node.offset + node.length } };
  if (note !== undefined) src.note = note;
  return src;
}

export type Read<T> = { ok: true; value: T; node: Node } | { ok: false; diagnostic: Diagnostic } | { ok: 'absent' };

/**
 * Reads a key from an object node: `absent` when missing or `null`, an error diagnostic (with the
 * value's line) when present with the wrong type.
 */
export class JsonObjectReader {
  constructor(
    readonly obj: Node,
    readonly text: string,
    readonly file: string,
  ) {}

  node(key: string): Node | undefined {
    const n = property(this.obj, key);
    return n && n.type !== 'null' ? n : undefined;
  }

  number(key: string, opts: { integer?: boolean; min?: number; exclusiveMin?: number } = {}): Read<number> {
    const n = this.node(key);
    if (!n) return { ok: 'absent' };
    const v: unknown = n.value;
    let problem: string | undefined;
    // A number too large for a double (`1e400`) parses as Infinity: say so, with the value as written.
    if (n.type === 'number' && typeof v === 'number' && !Number.isFinite(v))
      problem = `: ${excerpt(this.text.slice(n.offset, n.offset + n.length), 30)} is too large`;
    else if (n.type !== 'number' || typeof v !== 'number' || !Number.isFinite(v)) problem = `must be a number (found ${n.type})`;
    else if (opts.integer && !Number.isInteger(v)) problem = `must be a whole number (found ${v})`;
    else if (opts.min !== undefined && v < opts.min) problem = `must be at least ${opts.min} (found ${v})`;
    else if (opts.exclusiveMin !== undefined && v <= opts.exclusiveMin) problem = `must be greater than ${opts.exclusiveMin} (found ${v})`;
    if (problem !== undefined || typeof v !== 'number')
      return { ok: false, diagnostic: this.problem(n, `"${key}"${problem?.startsWith(':') ? '' : ' '}${problem ?? 'is invalid'}`) };
    return { ok: true, value: v, node: n };
  }

  boolean(key: string): Read<boolean> {
    const n = this.node(key);
    if (!n) return { ok: 'absent' };
    if (n.type !== 'boolean') return { ok: false, diagnostic: this.problem(n, `"${key}" must be true or false (found ${n.type})`) };
    return { ok: true, value: n.value as boolean, node: n };
  }

  string(key: string): Read<string> {
    const n = this.node(key);
    if (!n) return { ok: 'absent' };
    if (n.type !== 'string') return { ok: false, diagnostic: this.problem(n, `"${key}" must be a string (found ${n.type})`) };
    return { ok: true, value: n.value as string, node: n };
  }

  problem(n: Node, message: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
    return { file: this.file, line: lineAt(this.text, n.offset), severity, message };
  }
}
