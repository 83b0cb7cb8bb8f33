// Whether a regular expression is provably linear under a backtracking engine (V8's), from its
// syntax tree alone (the `ret` tokenizer), for the whole unanchored search (`exec` and `matchAll`
// try every start position in turn), not only one match attempt. A pattern passes when it has none
// of the four shapes that make that search super-linear in the length of a line:
//   1. a repetition inside a repetition (`(\d+)+`, `(?:a*b)*`): exponential;
//   2. an alternation under a repetition (`(?:a|ab)*`, `(\w|\d)+`): exponential;
//   3. two repetitions in a row that can match the same characters, with only optional or
//      absorbable items between them (`\d+\s*[\d.]+`, `\w+\d+`, `.*,.*x`): polynomial, each such pair
//      raising the degree by one;
//   4. an unbounded repetition that an attempt can reach having read only characters the repetition
//      itself matches (nothing, or `[A-Za-z_]` before `[\w.]*`), and after which the match can still
//      fail (`\d+x`, `[A-Za-z_][\w/.-]*=`): on a long run of those characters every start position
//      in the run reads to its end and fails, so the search is quadratic.
// A trailing `.*` (a repetition followed only by `$` or the pattern's end) never fails and is
// allowed after anything: callers match text without line terminators (the text-log reader splits
// a line at `\r`, U+2028 and U+2029), so a run of `.` ends only at the text's end, where `$` holds.
// The test is conservative: a pattern it rejects may still be linear.
//
// Why rules 1–4 make the search linear. Rules 1–3 bound one attempt's work by the pattern's size
// times the number of characters the attempt reads. Rule 4 bounds how many attempts read any one
// character x inside an unbounded repetition R: R's run around x is a run M of R's characters, and
// what the attempt read before R holds a character R cannot match (or is anchored by `^`, one
// attempt), so the attempt started before M and was, at M's left edge, inside an earlier
// repetition or within the pattern's fixed-length items of its start or of the end of an earlier
// repetition's run. By induction over the pattern's repetitions in order, that is a number of
// attempts bounded by the pattern alone, so the whole search reads each character a bounded number of
// times. A repetition whose every continuation always matches (rule 4's exemption) cannot make an
// attempt fail, so the attempt that reaches it succeeds and the search stops there (or, with /g,
// resumes after its match). Callers also cut lines (MAX_TEXT_LINE_CHARS, MAX_USER_LINE_CHARS).
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

/** Set while checking a pattern with the `i` flag: every set holds every character that matches one of its own. */
let ignoreCase = false;
/** Set while checking a pattern with the `m` flag: `^` and `$` also match at a line terminator inside the text. */
let multiline = false;

/** Each UTF-16 code unit's canonical form under `i` without `u` (ECMAScript's Canonicalize): two match when these are equal. */
let canonicalForms: Uint16Array | undefined;

function canonicalOf(): Uint16Array {
  if (canonicalForms === undefined) {
    canonicalForms = new Uint16Array(0x10000);
    for (let c = 0; c <= 0xffff; c++) {
      const upper = String.fromCharCode(c).toUpperCase();
      const u = upper.length === 1 ? upper.charCodeAt(0) : c;
      canonicalForms[c] = c >= 128 && u < 128 ? c : u;
    }
  }
  return canonicalForms;
}

/** `s` with every character that matches one of its members under the `i` flag, which only widens what the rules compare. */
function foldCase(s: CharSet): CharSet {
  const canonical = canonicalOf();
  const forms = new Uint8Array(0x10000);
  for (let c = 0; c <= 0xffff; c++) if (s[c >>> 5] & (1 << (c & 31))) forms[canonical[c]] = 1;
  const out = s.slice();
  for (let c = 0; c <= 0xffff; c++) if (forms[canonical[c]]) out[c >>> 5] |= 1 << (c & 31);
  return out;
}

function setOf(token: Token | SetToken): CharSet {
  const folded = setOfCased(token);
  return ignoreCase ? foldCase(folded) : folded;
}

function setOfCased(token: Token | SetToken): CharSet {
  const s = emptySet();
  if (token.type === types.CHAR) addRange(s, token.value, token.value);
  else if (token.type === types.RANGE) addRange(s, token.from, token.to);
  else if (token.type === types.SET) {
    for (const member of token.set) {
      const m = setOfCased(member);
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

/** The branches of `t` when it is a group that consumes characters, or one made optional by `?`. */
function groupBranches(t: Token): Branch[] | undefined {
  const g = t.type === types.REPETITION && t.max === 1 ? (t.value as Token) : t;
  return g.type === types.GROUP && !isLookaround(g) ? branchesOf(g) : undefined;
}

/**
 * Rule 3 on one sequence, followed by `after` (what the attempt must match after it), for the
 * repetitions among its first `own` items (the rest are checked by the caller); the reason, or undefined.
 */
function adjacentOverlap(seq: Token[], after: Token[], own = seq.length): string | undefined {
  const items = seq.map(itemOf);
  for (let i = 0; i < own; i++) {
    const a = items[i];
    if (!a.repeats) continue;
    // A group (optional or with alternatives): each branch followed by the rest, so that a fixed
    // last character (`: ` of `(?:\d+: )?\s*`) is not taken for its repetition's.
    const branches = groupBranches(seq[i]);
    if (branches !== undefined) {
      for (const br of branches) {
        const opened = flatten(br);
        const why = adjacentOverlap([...opened, ...seq.slice(i + 1)], after, opened.length);
        if (why !== undefined) return why;
      }
      continue;
    }
    for (let j = i + 1; j < items.length; j++) {
      const b = items[j];
      if (b.end) break;
      if (b.zeroWidth) {
        // A lookahead reads on from where `a` stops, again at each place `a` gives back (`^\d+(?=\d*x)`):
        // its items follow `a` as if in the sequence, and its failure is the attempt's.
        const look = seq[j];
        if (look.type === types.GROUP && isLookaround(look) && (look as { lookBehind?: boolean }).lookBehind !== true)
          for (const br of branchesOf(look)) {
            const why = adjacentOverlap([seq[i], ...flatten(br)], [MAY_FAIL], 1);
            if (why !== undefined) return why;
          }
        continue;
      }
      // Where `a` may stop (its last characters) against where `b` may start.
      if (b.repeats && overlaps(a.last, b.first)) {
        // A trailing repetition that can match nothing, after which the whole rest of the pattern (past
        // the enclosing groups too) always matches, never makes the match fail: no backtracking into `a`.
        const trailing = b.optional && [...seq.slice(j + 1), ...after].every((x) => alwaysMatches(x, b.chars));
        if (!trailing)
          return `${describe(seq[i])} and ${describe(seq[j])} that follows it can match the same characters (as in \\d+\\s*[\\d.]+): matching can take time quadratic or worse in the line's length; make the characters they match distinct`;
      }
      if (b.optional || overlaps(a.last, b.first)) continue;
      break;
    }
  }
  return undefined;
}

/** Rules 1–3 on `node`, followed by `after` (what the attempt must match after it, innermost first). */
function check(node: Root | Token, underRepetition: boolean, after: Token[]): string | undefined {
  if (node.type === types.REFERENCE) return 'back-references are not allowed (they can make matching take exponential time)';
  if (node.type === types.REPETITION) {
    const repeats = node.max === null || node.max > 1;
    const inner = node.value as Token;
    if (repeats) {
      const it = itemOf(inner);
      if (it.repeats || underRepetition) return 'a repetition inside a repetition (as in (\\d+)+ or (?:a*b)*): matching can take exponential time';
      if (hasAlternation(inner)) return 'an alternation under a repetition (as in (?:a|ab)*): matching can take exponential time';
    }
    // A repeated value may be followed by itself again.
    return check(inner, underRepetition || repeats, repeats ? [node, ...after] : after);
  }
  if (node.type !== types.ROOT && node.type !== types.GROUP) return undefined;
  const tail = node.type === types.GROUP && isLookaround(node) ? [MAY_FAIL] : after;
  for (const b of branchesOf(node)) {
    const why = adjacentOverlap(flatten(b), tail);
    if (why !== undefined) return why;
    for (let k = 0; k < b.length; k++) {
      const inner = check(b[k], underRepetition, [...b.slice(k + 1), ...tail]);
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

/** A repetition reads an unbounded stretch of the line above this maximum (below it, a fixed-length item: RESUME_LINE's `.{0,120}?`). */
const LONG_REPETITION = 255;

function isLongRepetition(t: Token): boolean {
  return t.type === types.REPETITION && (t.max === null || t.max > LONG_REPETITION) && !itemOf(t.value as Token).zeroWidth;
}

/** Whether `chars` holds every character but the line terminators (`.`): such a run ends only at the line's end. */
function coversLine(chars: CharSet): boolean {
  const rest = fullSet();
  for (const c of [0x0a, 0x0d, 0x2028, 0x2029]) rest[c >>> 5] &= ~(1 << (c & 31));
  for (let i = 0; i <= WORDS; i++) if ((rest[i] & ~chars[i]) >>> 0 !== 0) return false;
  return true;
}

/**
 * Whether `t` matches right after a greedy run of `chars` whatever the line holds: it can match the
 * empty string without an assertion that can fail (`$` passes only after a run of `.`, which stops at
 * the line's end).
 */
function alwaysMatches(t: Token, chars: CharSet): boolean {
  switch (t.type) {
    case types.POSITION:
      return t.value === '$' && coversLine(chars);
    case types.REPETITION:
      return t.min === 0 || alwaysMatches(t.value as Token, chars);
    case types.GROUP:
      return !isLookaround(t) && branchesOf(t).some((b) => b.every((x) => alwaysMatches(x, chars)));
    default:
      return false;
  }
}

/**
 * Whether `t` can match a string of characters from `chars` only, in an attempt started anywhere
 * but the line's start: `^` matches only there (the callers match single lines) and after `$` nothing
 * is read.
 */
function canMatchWithin(t: Token, chars: CharSet): boolean {
  switch (t.type) {
    case types.POSITION:
      return multiline || (t.value !== '^' && t.value !== '$');
    case types.CHAR:
    case types.SET:
      return overlaps(setOf(t), chars);
    case types.REPETITION:
      return t.min === 0 || canMatchWithin(t.value as Token, chars);
    case types.GROUP:
      return isLookaround(t) || branchesOf(t).some((b) => b.every((x) => canMatchWithin(x, chars)));
    default:
      return true;
  }
}

/** Every character but `\w`'s. */
const NON_WORD = ((): CharSet => {
  const s = fullSet();
  for (const [from, to] of [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
    [0x5f, 0x5f],
  ])
    for (let c = from; c <= to; c++) s[c >>> 5] &= ~(1 << (c & 31));
  return s;
})();

/** A stand-in for "something after this can fail" (inside a lookaround, whose failure is the whole attempt's). */
const MAY_FAIL: Token = { type: types.CHAR, value: 0 };

/**
 * Rule 4 on every path from the pattern's start: `before` is what an attempt matches before `node`,
 * `after` what it must still match after it (innermost first).
 */
function scanOverlap(node: Root | Token, before: Token[], after: Token[]): string | undefined {
  if (node.type === types.REPETITION) {
    if (isLongRepetition(node)) {
      const chars = itemOf(node.value as Token).chars;
      // `\b` right before a run of word characters: the character before the run is not one of them.
      const lastBefore = before[before.length - 1];
      const fenced = lastBefore?.type === types.POSITION && lastBefore.value === 'b' && !overlaps(chars, NON_WORD);
      if (!fenced && !after.every((x) => alwaysMatches(x, chars)) && before.every((x) => canMatchWithin(x, chars)))
        return `${before.length === 0 ? 'it starts with a repetition' : 'a repetition is reached after only characters it matches itself (as in [a-z][\\w.]*=)'} and the match can still fail after it (as in \\d+x): the search tries it from every position of a long run of those characters, in time quadratic in the line's length; put a character it cannot match before it (as in (?:^|[^\\w.])[a-z][\\w.]*=), or anchor the pattern with ^`;
    }
    return scanOverlap(node.value as Token, before, after);
  }
  if (node.type !== types.ROOT && node.type !== types.GROUP) return undefined;
  const tail = node.type === types.GROUP && isLookaround(node) ? [MAY_FAIL] : after;
  for (const b of branchesOf(node)) {
    for (let k = 0; k < b.length; k++) {
      const why = scanOverlap(b[k], [...before, ...b.slice(0, k)], [...b.slice(k + 1), ...tail]);
      if (why !== undefined) return why;
    }
  }
  return undefined;
}

/**
 * Every lazy quantifier of `t` made greedy, in place. `ret` reads `X+?` as `(X+)?`, a repetition
 * whose value is directly another repetition (V8 rejects that written out: `a+{0,1}`), which the
 * rules would take for optional though it needs one X. Laziness changes only the order in which an
 * attempt tries the splits, not which it may have to try, so the greedy form has the same worst case.
 */
function makeGreedy(t: Root | Token): void {
  if (t.type === types.REPETITION) {
    let inner = t.value as Token;
    while (inner.type === types.REPETITION) {
      t.min = inner.min;
      t.max = inner.max;
      inner = inner.value as Token;
    }
    t.value = inner;
    makeGreedy(inner);
  } else if (t.type === types.ROOT || t.type === types.GROUP) {
    for (const b of branchesOf(t)) for (const x of b) makeGreedy(x);
  }
}

/** The RegExp flags checkLinear models (`d` and `g` change nothing it judges). */
const MODELLED_FLAGS = 'dgimy';

/**
 * Whether `source` (with `flags`, a RegExp's) is provably linear (see the top of this file); never
 * throws. A sticky pattern (`y`) is tried at one position per call, so rule 4 does not apply to it;
 * `i` widens every set to the characters that match its own; with `m`, `^` and `$` fence nothing;
 * any other flag (`s`, `u`, `v`) makes the pattern rejected, with the reason.
 */
export function checkLinear(source: string, flags = ''): PatternVerdict {
  // `s` lets `.` match line terminators; `u` and `v` change case folding (ſ/s, Kelvin K/k under `iu`) and what a set holds.
  const unmodelled = [...flags].filter((f) => !MODELLED_FLAGS.includes(f));
  if (unmodelled.length > 0)
    return { linear: false, reason: `the flag${unmodelled.length > 1 ? 's' : ''} ${unmodelled.join('')} cannot be checked (only ${MODELLED_FLAGS} are)` };
  let tree: Root;
  try {
    tree = ret(source);
    makeGreedy(tree);
  } catch (e) {
    return { linear: false, reason: `not understood (${e instanceof Error ? e.message : String(e)})` };
  }
  ignoreCase = flags.includes('i');
  multiline = flags.includes('m');
  try {
    const reason = check(tree, false, []) ?? (flags.includes('y') ? undefined : scanOverlap(tree, [], []));
    return reason === undefined ? { linear: true } : { linear: false, reason };
  } finally {
    ignoreCase = false;
    multiline = false;
  }
}
