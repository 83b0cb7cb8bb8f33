// A reader of the small Python subset nanoGPT configs are written in, so `estimate` on a config.py
// need not load the Python grammar (issue 20: @lezer/python's load and first parse cost more CPU
// than a bare `node`'s start). It accepts a file only when every line is blank, a comment, or
// `name = expression` on one line with an optional trailing comment, the expression made of
// numbers, plain quoted strings, True/False/None, names, parentheses, unary + - ~ and the binary
// operators + - * / // % @ **. Anything else (imports, calls, lines carried on, indentation, a
// keyword, a string prefix or escape, CRLF) makes it answer undefined and the caller parses the
// file with @lezer/python (src/core/configs/nanogpt.ts). On what it accepts it builds the nodes
// @lezer/python's tree has (names, spans, children, the grammar's precedences: ** binds tighter than
// a prefix, which binds tighter than * and +), so one evaluator reads both and gives the same
// answer; a unit test compares the two on real configs and generated expressions.

/** The part of a syntax node the nanoGPT evaluator reads (as @lezer/common's SyntaxNode). */
export interface PyNode {
  name: string;
  from: number;
  to: number;
  firstChild: PyNode | null;
  nextSibling: PyNode | null;
}

/** Words @lezer/python reads as keywords (its grammar's kw<…>): a name that is one leaves the subset. */
const KEYWORDS = new Set(
  'and as assert async await break case class continue def del elif else except finally for from global if import in is lambda match nonlocal not or pass raise return try type while with yield print exec'.split(
    ' ',
  ),
);
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
/** @lezer/python's Number without the complex suffix, hex, octal or binary forms (those leave the subset). */
const NUMBER = /(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?/y;
const SPACE = /[ \t]*/y;
/** Binary operators of the subset, longest first, with their precedence (higher binds tighter) and whether they group to the right. */
const BINARY: { op: string; prec: number; right: boolean }[] = [
  { op: '**', prec: 4, right: true },
  { op: '//', prec: 2, right: false },
  { op: '*', prec: 2, right: false },
  { op: '/', prec: 2, right: false },
  { op: '%', prec: 2, right: false },
  { op: '@', prec: 2, right: false },
  { op: '+', prec: 1, right: false },
  { op: '-', prec: 1, right: false },
];
/** Prefix operators bind between ** and * (the grammar's `power @right, prefix, times @left, plus @left`). */
const PREFIX_PREC = 3;

class LeavesSubset extends Error {}

function node(name: string, from: number, to: number, children: PyNode[] = []): PyNode {
  for (let i = 0; i + 1 < children.length; i++) children[i].nextSibling = children[i + 1];
  return { name, from, to, firstChild: children[0] ?? null, nextSibling: null };
}

/** One line's expression, from `pos` to `end` (the line's end, before any comment). */
class LineParser {
  constructor(
    private readonly text: string,
    private pos: number,
    private readonly end: number,
  ) {}

  private skipSpace(): void {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.text);
    this.pos = Math.min(SPACE.lastIndex, this.end);
  }

  private peekBinary(): { op: string; prec: number; right: boolean } | undefined {
    this.skipSpace();
    for (const b of BINARY) if (this.text.startsWith(b.op, this.pos) && this.pos + b.op.length <= this.end) return b;
    return undefined;
  }

  /** The whole expression; the line must end right after it. */
  parseAll(): PyNode {
    const expr = this.parse(0);
    this.skipSpace();
    if (this.pos !== this.end) throw new LeavesSubset();
    return expr;
  }

  private parse(minPrec: number): PyNode {
    let left = this.unary();
    for (;;) {
      const b = this.peekBinary();
      if (!b || b.prec < minPrec) return left;
      // An augmented assignment or comparison (`*=`, `//=`, `**=`) is not an operator of the subset.
      if (this.text.charAt(this.pos + b.op.length) === '=') throw new LeavesSubset();
      const op = node('ArithOp', this.pos, this.pos + b.op.length);
      this.pos += b.op.length;
      const right = this.parse(b.right ? b.prec : b.prec + 1);
      left = node('BinaryExpression', left.from, right.to, [left, op, right]);
    }
  }

  private unary(): PyNode {
    this.skipSpace();
    const c = this.text.charAt(this.pos);
    if ((c === '-' || c === '+' || c === '~') && this.pos < this.end) {
      const op = node('ArithOp', this.pos, this.pos + 1);
      this.pos++;
      const arg = this.parse(PREFIX_PREC);
      return node('UnaryExpression', op.from, arg.to, [op, arg]);
    }
    return this.primary();
  }

  private primary(): PyNode {
    this.skipSpace();
    const start = this.pos;
    const c = this.text.charAt(start);
    if (start >= this.end) throw new LeavesSubset();
    if (c === '(') {
      this.pos++;
      const inner = this.parse(0);
      this.skipSpace();
      if (this.text.charAt(this.pos) !== ')' || this.pos >= this.end) throw new LeavesSubset();
      this.pos++;
      return node('ParenthesizedExpression', start, this.pos, [node('(', start, start + 1), inner, node(')', this.pos - 1, this.pos)]);
    }
    if (c === "'" || c === '"') {
      // Triple quotes, escapes and adjacent strings leave the subset.
      if (this.text.startsWith(c + c + c, start)) throw new LeavesSubset();
      const close = this.text.indexOf(c, start + 1);
      if (close < 0 || close >= this.end || this.text.slice(start + 1, close).includes('\\')) throw new LeavesSubset();
      this.pos = close + 1;
      return this.atomEnd(node('String', start, this.pos));
    }
    NUMBER.lastIndex = start;
    if (NUMBER.exec(this.text) && NUMBER.lastIndex <= this.end) {
      this.pos = NUMBER.lastIndex;
      return this.atomEnd(node('Number', start, this.pos));
    }
    NAME.lastIndex = start;
    if (NAME.exec(this.text) && NAME.lastIndex <= this.end) {
      this.pos = NAME.lastIndex;
      const word = this.text.slice(start, this.pos);
      if (KEYWORDS.has(word)) throw new LeavesSubset();
      const name = word === 'True' || word === 'False' ? 'Boolean' : word === 'None' ? 'None' : 'VariableName';
      return this.atomEnd(node(name, start, this.pos));
    }
    throw new LeavesSubset();
  }

  /** An atom must not run into a name, number, string, call, index or attribute (`1j`, `'a' 'b'`, `f(x)`, `a.b`). */
  private atomEnd(atom: PyNode): PyNode {
    const next = this.pos < this.end ? this.text.charAt(this.pos) : '';
    if (/[A-Za-z0-9_.'"([{]/.test(next)) throw new LeavesSubset();
    this.skipSpace();
    const after = this.pos < this.end ? this.text.charAt(this.pos) : '';
    // After spaces: another atom or an opening bracket is not an operator of the subset.
    if (/[A-Za-z0-9_.'"([{]/.test(after)) throw new LeavesSubset();
    return atom;
  }
}

const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)/;

/**
 * The module-level `name = expression` statements of a file in the subset, in order, each with its
 * expression's node; undefined when any line leaves the subset (the caller parses the file in full).
 */
export function literalAssignments(text: string): { name: string; expr: PyNode }[] | undefined {
  // Characters whose reading depends on more of Python than this subset: CR, form feed, a BOM,
  // backslash continuations, brackets other than parentheses, semicolons, non-ASCII (identifiers).
  if (/[\r\f\\;[\]{}\uFEFF]|[^\x00-\x7f]/.test(text)) return undefined;
  const out: { name: string; expr: PyNode }[] = [];
  let offset = 0;
  try {
    while (offset <= text.length) {
      let lineEnd = text.indexOf('\n', offset);
      if (lineEnd < 0) lineEnd = text.length;
      const line = text.slice(offset, lineEnd);
      const trimmed = line.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) {
        // A blank or comment-only line.
      } else {
        if (trimmed !== line) return undefined; // indented: a block or an IndentationError
        const m = ASSIGN.exec(line);
        if (!m || KEYWORDS.has(m[1]) || m[1] === 'True' || m[1] === 'False' || m[1] === 'None') return undefined;
        // The expression ends at a `#` outside a string.
        const exprStart = offset + m[0].length;
        let end = lineEnd;
        let quote = '';
        for (let i = exprStart; i < lineEnd; i++) {
          const c = text.charAt(i);
          if (quote) {
            if (c === quote) quote = '';
          } else if (c === "'" || c === '"') quote = c;
          else if (c === '#') {
            end = i;
            break;
          }
        }
        if (quote) return undefined;
        out.push({ name: m[1], expr: new LineParser(text, exprStart, end).parseAll() });
      }
      offset = lineEnd + 1;
    }
  } catch (e) {
    if (e instanceof LeavesSubset) return undefined;
    throw e;
  }
  return out;
}
