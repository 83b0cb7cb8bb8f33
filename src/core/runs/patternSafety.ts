// Whether a regular expression is provably linear under a backtracking engine (V8's), from its
// syntax tree alone (the `ret` tokenizer). A pattern passes when it has none of the three shapes that
// make backtracking super-linear in the length of a line:
//   1. a repetition inside a repetition (`(\d+)+`, `(?:a*b)*`): exponential;
//   2. an alternation under a repetition (`(?:a|ab)*`, `(\w|\d)+`): exponential;
//   3. two repetitions in a row that can match the same characters, with only optional or
//      absorbable items between them (`\d+\s*[\d.]+`, `\w+\d+`, `.*,.*x`): polynomial, each such pair
//      raising the degree by one.
// A trailing `.*` (a repetition followed only by `$` or the pattern's end) never fails and is
// allowed after anything. The test is conservative: a pattern it rejects may still be linear, but a
// pattern it accepts matches a line in time linear in the line's length (times the pattern's size)
// per start position; the callers also cut lines (MAX_TEXT_LINE_CHARS, MAX_USER_LINE_CHARS), so
// the unanchored search's extra factor is bounded too.
import ret, { types, type Root, type SetToken, type Token } from 'ret';
import { appendAll } from '../../shared/arrays';

export interface PatternVerdict {
  linear: boolean;
  /** Why not, in words a user can act on (undefined when linear). */
  reason?: string;
}

/** Characters as a bitmap of the 65,536 UTF-16 code units, plus one word for code points above them. */
type CharSet = Uint32Array;
const WORDS = 2048;
const ASTRAL = WORDS;

function emptySet(): CharSet {
  return new Uint32Array(WORDS + 1);
}

function fullSet(): CharSet {
  return emptySet().fill(0xffffffff);
}

function addRange(s: CharSet, from: number, to: number): void {
  if (to > 0xffff) s[ASTRAL] = 1;
  for (let c = from; c <= Math.min(to, 0xffff); c++) s[c >>> 5] |= 1 << (c & 31);
}

function union(a: CharSet, b: CharSet): CharSet {
  const out = emptySet();
  for (let i = 0; i <= WORDS; i++) out[i] = a[i] | b[i];
  return out;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i <= WORDS; i++) if (a[i] & b[i]) return true;
  return false;
}

function setOf(token: Token | SetToken): CharSet {
  const s = emptySet();
  if (token.type === types.CHAR) addRange(s, token.value, token.value);
  else if (token.type === types.RANGE) addRange(s, token.from, token.to);
  else if (token.type === types.SET) {
    for (const member of token.set) {
      const m = setOf(member);
      for (let i = 0; i <= WORDS; i++) s[i] |= m[i];
    }
    if (token.not) for (let i = 0; i <= WORDS; i++) s[i] = ~s[i] >>> 0;
  }
  return s;
}

/** One element of a sequence, as the adjacency test sees it. */
interface Item {
  /** Characters it can consume anywhere, as its first character, and as its last. */
  chars: CharSet;
  first: CharSet;
  last: CharSet;
  /** Can match the empty string. */
  optional: boolean;
  /** Can consume an unbounded (or more than one) number of characters by repetition. */
  repeats: boolean;
  /** Zero-width: `^`, `$`, `\b`, a lookaround. */
  zeroWidth: boolean;
  /** `$`: nothing after it consumes anything. */
  end: boolean;
}

type Branch = Token[];

function branchesOf(node: Root | Token): Branch[] {
  if (node.type !== types.ROOT && node.type !== types.GROUP) return [];
  return node.options ?? (node.stack ? [node.stack] : []);
}

function isLookaround(t: Token): boolean {
  return t.type === types.GROUP && (t.followedBy === true || t.notFollowedBy === true || (t as { lookBehind?: boolean }).lookBehind === true);
}

/** Summary of a whole token (a group is summarised over all its branches). */
function itemOf(t: Token): Item {
  switch (t.type) {
    case types.POSITION:
      return { chars: emptySet(), first: emptySet(), last: emptySet(), optional: true, repeats: false, zeroWidth: true, end: t.value === '$' };
    case types.CHAR:
    case types.SET: {
      const s = setOf(t);
      return { chars: s, first: s, last: s, optional: false, repeats: false, zeroWidth: false, end: false };
    }
    case types.REFERENCE: {
      const all = fullSet();
      return { chars: all, first: all, last: all, optional: true, repeats: true, zeroWidth: false, end: false };
    }
    case types.REPETITION: {
      const inner = itemOf(t.value as Token);
      const repeats = (t.max === null || t.max > 1) && !inner.zeroWidth ? true : inner.repeats;
      return {
        chars: inner.chars,
        first: inner.first,
        last: inner.last,
        optional: t.min === 0 || inner.optional,
        repeats,
        zeroWidth: inner.zeroWidth,
        end: false,
      };
    }
    case types.GROUP: {
      if (isLookaround(t)) return { chars: emptySet(), first: emptySet(), last: emptySet(), optional: true, repeats: false, zeroWidth: true, end: false };
      let chars = emptySet();
      let first = emptySet();
      let last = emptySet();
      let optional = false;
      let repeats = false;
      let zeroWidth = true;
      for (const b of branchesOf(t)) {
        const s = sequenceSummary(b);
        chars = union(chars, s.chars);
        first = union(first, s.first);
        last = union(last, s.last);
        optional ||= s.optional;
        repeats ||= s.repeats;
        zeroWidth &&= s.zeroWidth;
      }
      return { chars, first, last, optional, repeats, zeroWidth, end: false };
    }
    default:
      return { chars: emptySet(), first: emptySet(), last: emptySet(), optional: true, repeats: false, zeroWidth: true, end: false };
  }
}

function sequenceSummary(b: Branch): Item {
  let chars = emptySet();
  let first = emptySet();
  let last = emptySet();
  let optional = true;
  let repeats = false;
  let zeroWidth = true;
  const items = b.map(itemOf);
  for (const it of items) {
    chars = union(chars, it.chars);
    if (optional) first = union(first, it.first);
    optional &&= it.optional;
    repeats ||= it.repeats;
    zeroWidth &&= it.zeroWidth;
  }
  for (let i = items.length - 1; i >= 0; i--) {
    last = union(last, items[i].last);
    if (!items[i].optional) break;
  }
  return { chars, first, last, optional, repeats, zeroWidth, end: false };
}

/** The tokens of a sequence with plain groups (no alternation, not repeated, not lookarounds) opened up. */
function flatten(b: Branch): Token[] {
  const out: Token[] = [];
  for (const t of b) {
    if (t.type === types.GROUP && !isLookaround(t) && t.options === undefined && t.stack !== undefined) appendAll(out, flatten(t.stack));
    else out.push(t);
  }
  return out;
}

function describe(t: Token): string {
  if (t.type === types.REPETITION) return 'a repetition';
  if (t.type === types.GROUP) return 'a group';
  return 'an item';
}

/** Rule 3 on one sequence; the reason, or undefined. */
function adjacentOverlap(seq: Token[]): string | undefined {
  const items = seq.map(itemOf);
  for (let i = 0; i < items.length; i++) {
    const a = items[i];
    if (!a.repeats) continue;
    for (let j = i + 1; j < items.length; j++) {
      const b = items[j];
      if (b.end) break;
      if (b.zeroWidth) continue;
      // Where `a` may stop (its last characters) against where `b` may start.
      if (b.repeats && overlaps(a.last, b.first)) {
        // A trailing repetition that can match nothing never makes the match fail: no backtracking into `a`.
        const trailing = b.optional && items.slice(j + 1).every((x) => x.zeroWidth);
        if (!trailing)
          return `${describe(seq[i])} and ${describe(seq[j])} that follows it can match the same characters (as in \\d+\\s*[\\d.]+): matching can take time quadratic or worse in the line's length; make the characters they match distinct`;
      }
      if (b.optional || overlaps(a.last, b.first)) continue;
      break;
    }
  }
  return undefined;
}

function check(node: Root | Token, underRepetition: boolean): string | undefined {
  if (node.type === types.REFERENCE) return 'back-references are not allowed (they can make matching take exponential time)';
  if (node.type === types.REPETITION) {
    const repeats = node.max === null || node.max > 1;
    const inner = node.value as Token;
    if (repeats) {
      const it = itemOf(inner);
      if (it.repeats || underRepetition) return 'a repetition inside a repetition (as in (\\d+)+ or (?:a*b)*): matching can take exponential time';
      if (hasAlternation(inner)) return 'an alternation under a repetition (as in (?:a|ab)*): matching can take exponential time';
    }
    return check(inner, underRepetition || repeats);
  }
  if (node.type !== types.ROOT && node.type !== types.GROUP) return undefined;
  for (const b of branchesOf(node)) {
    const why = adjacentOverlap(flatten(b));
    if (why !== undefined) return why;
    for (const t of b) {
      const inner = check(t, underRepetition);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function hasAlternation(t: Token): boolean {
  if (t.type === types.GROUP) {
    if (t.options !== undefined && t.options.length > 1) return true;
    return branchesOf(t).some((b) => b.some(hasAlternation));
  }
  if (t.type === types.REPETITION) return hasAlternation(t.value as Token);
  return false;
}

/** Whether `source` is provably linear (see the top of this file); never throws. */
export function checkLinear(source: string): PatternVerdict {
  let tree: Root;
  try {
    tree = ret(source);
  } catch (e) {
    return { linear: false, reason: `not understood (${e instanceof Error ? e.message : String(e)})` };
  }
  const reason = check(tree, false);
  return reason === undefined ? { linear: true } : { linear: false, reason };
}
