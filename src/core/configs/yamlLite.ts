// A reader of the plain YAML most training configs are written in, so `estimate` on a YAML config
// need not load the yaml and js-yaml libraries (issue 20: their load and first parse cost more CPU
// than a bare `node`'s start). It accepts a document only when it is a block mapping at column 0
// of block mappings, block sequences of one-line scalars or of mappings, one-line flow sequences of scalars and
// one-line scalars (plain, or quoted without escapes), with comments and blank lines between.
// Anything else (anchors, tags, directives, several documents, tabs, multi-line scalars, flow
// mappings, nested sequences, keys that are not plain words, a `: ` inside a plain value) makes
// it answer undefined, and src/core/configs/yamlView.ts parses the document with the libraries.
// On what it accepts it gives the values and source ranges the yaml library gives (its core
// schema's resolution of plain scalars, `range` as [start, value end, node end]); a unit test
// compares the two on the config corpus and generated documents.

type Range = [number, number, number];

export class LiteScalar {
  constructor(
    readonly value: unknown,
    readonly range: Range,
  ) {}
  toJSON(): unknown {
    return this.value;
  }
}

export class LiteSeq {
  constructor(
    readonly items: LiteNode[],
    readonly range: Range,
  ) {}
  toJSON(): unknown[] {
    return this.items.map((n) => n.toJSON());
  }
}

export class LiteMap {
  constructor(
    readonly items: { key: LiteScalar; value: LiteNode }[],
    readonly range: Range,
  ) {}
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const p of this.items) {
      const key = String(p.key.value);
      // As the yaml library's toJSON: `__proto__` is an own key, not the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: p.value.toJSON(), writable: true, enumerable: true, configurable: true });
      else out[key] = p.value.toJSON();
    }
    return out;
  }
}

export type LiteNode = LiteScalar | LiteSeq | LiteMap;

class NotLite extends Error {}
function notLite(): never {
  throw new NotLite();
}

/** The yaml library's core schema (YAML 1.2) for a plain scalar, in its order: null, bool, int (octal, decimal, hex), float (nan/inf, exponent, decimal). */
function resolvePlain(s: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s))
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

/** A key: a plain word that the core schema reads as a string. */
const KEY = /^([A-Za-z_][A-Za-z0-9_.\-/]*|--?[A-Za-z_][A-Za-z0-9_.\-/]*) *:(?= |$)/;
const NOT_STRING_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;

interface Line {
  /** Offset of the line's first character and of its end (before the newline). */
  start: number;
  end: number;
  indent: number;
}

class Reader {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly lines: Line[],
  ) {}

  /** End of a node on the line that ends at `end`: through its newline, as the yaml library counts it. */
  private nodeEnd(end: number): number {
    return end < this.text.length ? end + 1 : end;
  }

  /** A scalar or flow sequence from `p` to the line's `end` (a comment may follow). */
  private inline(p: number, end: number): LiteNode {
    const t = this.text;
    const c = t.charAt(p);
    let valueEnd: number;
    let node: LiteNode;
    if (c === '"' || c === "'") {
      const q = this.quoted(p, end);
      valueEnd = q.end;
      node = new LiteScalar(q.value, [p, valueEnd, this.nodeEnd(end)]);
    } else if (c === '[') {
      const items: LiteNode[] = [];
      let at = p + 1;
      const skip = (): void => {
        while (t.charAt(at) === ' ') at++;
      };
      skip();
      if (t.charAt(at) === ']') at++;
      else
        for (;;) {
          skip();
          const start = at;
          let item: LiteScalar;
          if (t.charAt(at) === '"' || t.charAt(at) === "'") {
            const q = this.quoted(at, end);
            at = q.end;
            item = new LiteScalar(q.value, [start, at, at]);
          } else {
            while (at < end && !/[,\]]/.test(t.charAt(at))) at++;
            const raw = t.slice(start, at);
            const value = raw.trimEnd();
            if (value === '' || /[[\]{}#:?&*!|>'"%@`]/.test(value) || /^[-?:](?: |$)/.test(value)) notLite();
            item = new LiteScalar(resolvePlain(value), [start, start + value.length, at]);
          }
          skip();
          items.push(item);
          const sep = t.charAt(at);
          if (at >= end || (sep !== ',' && sep !== ']')) notLite();
          at++;
          if (sep === ']') break;
          // A trailing comma (`[a, ]`) is left to the library.
          skip();
          if (t.charAt(at) === ']') notLite();
        }
      valueEnd = at;
      node = new LiteSeq(items, [p, valueEnd, this.nodeEnd(end)]);
    } else {
      if (/[,[\]{}#&*!|>'"%@`]/.test(c) || /^[-?:](?: |\r|\n|$)/.test(t.slice(p, p + 2))) notLite();
      const hash = t.indexOf(' #', p);
      const stop = hash >= 0 && hash < end ? hash : end;
      const value = t.slice(p, stop).trimEnd();
      // `a: b: c` (a mapping in a value) and a value ending in `:` are the library's to judge.
      if (value.includes(': ') || value.endsWith(':')) notLite();
      valueEnd = p + value.length;
      return new LiteScalar(resolvePlain(value), [p, valueEnd, this.nodeEnd(end)]);
    }
    // After a quoted scalar or flow sequence: spaces, then the line's end or a comment.
    const rest = t.slice(valueEnd, end);
    if (!/^(?: *| +#.*)$/.test(rest)) notLite();
    return node;
  }

  /** A quoted scalar on one line, without escapes; `''` in single quotes is a quote. */
  private quoted(p: number, end: number): { value: string; end: number } {
    const t = this.text;
    const q = t.charAt(p);
    let at = p + 1;
    for (;;) {
      const close = t.indexOf(q, at);
      if (close < 0 || close >= end) return notLite();
      if (q === "'" && t.charAt(close + 1) === "'") {
        at = close + 2;
        continue;
      }
      const inner = t.slice(p + 1, close);
      if (q === '"' && inner.includes('\\')) notLite();
      return { value: q === "'" ? inner.replace(/''/g, "'") : inner, end: close + 1 };
    }
  }

  /** A block mapping whose keys sit at `indent`. */
  map(indent: number, inSeqItem = false): LiteMap {
    const items: { key: LiteScalar; value: LiteNode }[] = [];
    const start = this.lines[this.i].start + indent;
    let end = start;
    // In a sequence item (`- key: value`), the first key sits on the dash's line, at `indent`.
    while (this.i < this.lines.length && (this.lines[this.i].indent === indent || (inSeqItem && items.length === 0))) {
      const line = this.lines[this.i];
      const at = line.start + indent;
      const m = KEY.exec(this.text.slice(at, line.end));
      if (!m || NOT_STRING_KEY.test(m[1])) notLite();
      const key = new LiteScalar(m[1], [at, at + m[1].length, at + m[1].length]);
      const colon = at + m[0].length;
      const restStart = colon + (/^ */.exec(this.text.slice(colon, line.end))?.[0].length ?? 0);
      this.i++;
      let value: LiteNode;
      if (restStart >= line.end || this.text.charAt(restStart) === '#') {
        if (restStart < line.end && this.text.charAt(restStart - 1) !== ' ') notLite();
        const next = this.lines[this.i];
        const dash =
          next !== undefined && (this.text.startsWith('- ', next.start + next.indent) || this.text.slice(next.start + next.indent, next.end) === '-');
        if (next && next.indent > indent) value = dash ? this.seq(next.indent, false) : this.map(next.indent);
        // A sequence may sit at its key's own indentation (`betas:` then `- 0.9`).
        else if (dash && next.indent === indent) value = this.seq(indent, true);
        else {
          // An empty value: null. Its node end (which would end this mapping's range) runs over the
          // comment lines after it when it has a comment: as the last entry, it is the library's to read.
          if (restStart < line.end && (!next || next.indent < indent)) notLite();
          value = new LiteScalar(null, [colon, colon, colon]);
        }
      } else value = this.inline(restStart, line.end);
      items.push({ key, value });
      end = value.range[2];
    }
    if (this.i < this.lines.length && this.lines[this.i].indent > indent) notLite();
    return new LiteMap(items, [start, end, end]);
  }

  /** A block sequence of one-line scalars or mappings whose dashes sit at `indent` (`inMapIndent`: its key's own, so a key line ends it). */
  private seq(indent: number, inMapIndent: boolean): LiteSeq {
    const items: LiteNode[] = [];
    const start = this.lines[this.i].start + indent;
    let end = start;
    while (this.i < this.lines.length && this.lines[this.i].indent === indent) {
      const line = this.lines[this.i];
      const at = line.start + indent;
      if (!this.text.startsWith('- ', at)) {
        if (inMapIndent) break;
        notLite();
      }
      let p = at + 2;
      while (this.text.charAt(p) === ' ') p++;
      if (p >= line.end || this.text.charAt(p) === '#') notLite();
      // `- - x` is the library's to read.
      if (/^-(?: |$)/.test(this.text.slice(p, line.end))) notLite();
      let item: LiteNode;
      // `- key: value`: a mapping whose keys sit at the first key's column.
      if (KEY.test(this.text.slice(p, line.end))) item = this.map(p - line.start, true);
      else {
        item = this.inline(p, line.end);
        this.i++;
      }
      items.push(item);
      end = item.range[2];
    }
    if (this.i < this.lines.length && this.lines[this.i].indent > indent) notLite();
    return new LiteSeq(items, [start, end, end]);
  }

  atEnd(): boolean {
    return this.i >= this.lines.length;
  }
}

/** The document's top-level mapping, read without the YAML libraries; undefined when it is outside the subset above. */
export function liteYaml(text: string): LiteMap | undefined {
  // Tabs, CR, a BOM, other control characters and non-ASCII text are the library's to read.
  if (/[^\n\x20-\x7e]/.test(text)) return undefined;
  const lines: Line[] = [];
  let offset = 0;
  while (offset <= text.length) {
    let end = text.indexOf('\n', offset);
    if (end < 0) end = text.length;
    let indent = 0;
    while (text.charCodeAt(offset + indent) === 32) indent++;
    const first = text.charAt(offset + indent);
    // Blank and comment lines belong to nothing; directives and document markers leave the subset.
    if (offset + indent < end && first !== '#') {
      if (indent === 0 && /^(?:---|\.\.\.|%)/.test(text.slice(offset, end))) return undefined;
      lines.push({ start: offset, end, indent });
    }
    offset = end + 1;
  }
  if (lines.length === 0 || lines[0].indent !== 0) return undefined;
  try {
    const reader = new Reader(text, lines);
    const root = reader.map(0);
    return reader.atEnd() ? root : undefined;
  } catch (e) {
    if (e instanceof NotLite) return undefined;
    throw e;
  }
}
