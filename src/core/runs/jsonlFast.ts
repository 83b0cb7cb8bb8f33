// The fast path for the commonest training log: one flat JSON object of numbers per line
// (`{"step": 10, "loss": 2.31, "lr": 3e-4}`). It reads such a line in one pass without building an
// object, and returns undefined for anything else (nested values, strings, escapes, NaN, odd
// whitespace), which the caller then parses with JSON.parse. On every line it accepts it yields
// exactly the key/value pairs `JSON.parse` would (property-tested in test/unit/runs-jsonlFast.test.ts).
//
// Two forms: on a decoded line (scanFlatNumericLine learns a line's keys, readWithShape reads the
// next lines against them), and in place in the file's bytes (readBytesWithShape, the ingest hot
// loop: no string per line, numbers built from their digits, property-tested against JSON.parse in
// test/unit/runs-jsonlBytes.test.ts).

import { convertDecimalInto, decimalToDoubleInto } from './decimalToDouble';

const enum Ch {
  Tab = 9,
  Lf = 10,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  UpperE = 69,
  Backslash = 92,
  LowerE = 101,
  OpenBrace = 123,
  CloseBrace = 125,
}

function isJsonSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.Tab || c === Ch.Cr || c === Ch.Lf;
}

function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}

/** End of a JSON number starting at `i`, or -1 when the text there is not one. */
function numberEnd(s: string, i: number): number {
  const n = s.length;
  if (s.charCodeAt(i) === Ch.Minus) i++;
  if (i >= n) return -1;
  let c = s.charCodeAt(i);
  if (c === Ch.Zero) {
    i++;
  } else if (isDigit(c)) {
    while (i < n && isDigit(s.charCodeAt(i))) i++;
  } else {
    return -1;
  }
  c = s.charCodeAt(i);
  if (c === Ch.Dot) {
    i++;
    const start = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === start) return -1;
    c = s.charCodeAt(i);
  }
  if (c === Ch.LowerE || c === Ch.UpperE) {
    i++;
    c = s.charCodeAt(i);
    if (c === Ch.Plus || c === Ch.Minus) i++;
    const start = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === start) return -1;
  }
  return i;
}

/**
 * The key/value pairs of a line that is a flat JSON object whose values are all numbers, in the
 * order `JSON.parse` + `Object.entries` gives them; undefined when the line is anything else.
 * Keys that are array indices (`"0"`, `"12"`) are declined, since objects order those first.
 */
export function scanFlatNumericLine(line: string): Map<string, number> | undefined {
  const n = line.length;
  let i = 0;
  while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== Ch.OpenBrace) return undefined;
  i++;
  const out = new Map<string, number>();
  while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) === Ch.CloseBrace) {
    i++;
  } else {
    for (;;) {
      if (line.charCodeAt(i) !== Ch.Quote) return undefined;
      const keyStart = ++i;
      for (;;) {
        if (i >= n) return undefined;
        const c = line.charCodeAt(i);
        if (c === Ch.Quote) break;
        // Escapes and control characters go to JSON.parse.
        if (c === Ch.Backslash || c < Ch.Space) return undefined;
        i++;
      }
      const key = line.slice(keyStart, i);
      if (key.length > 0 && isDigit(key.charCodeAt(0))) return undefined;
      i++;
      while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
      if (line.charCodeAt(i) !== Ch.Colon) return undefined;
      i++;
      while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
      const end = numberEnd(line, i);
      if (end < 0) return undefined;
      // Number() and JSON.parse round a JSON number text the same way (both are ECMAScript's
      // StringToNumber on the same digits).
      out.set(key, Number(line.slice(i, end)));
      i = end;
      while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
      const c = line.charCodeAt(i);
      i++;
      if (c === Ch.CloseBrace) break;
      if (c !== Ch.Comma) return undefined;
      while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
    }
  }
  while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
  return i === n ? out : undefined;
}

/**
 * The keys of the last line read, in order. Logs repeat one shape line after line, so the next
 * line is first read against it: keys compared in place, values into `values`, nothing allocated
 * but the numbers' text.
 */
export interface LineShape {
  readonly keys: readonly string[];
}

/**
 * Reads `line` as a flat numeric JSON object with exactly `shape.keys` in that order, writing the
 * values into `values` (length ≥ keys); false (with `values` unspecified) when the line differs.
 */
export function readWithShape(line: string, shape: LineShape, values: Float64Array): boolean {
  const n = line.length;
  const keys = shape.keys;
  let i = 0;
  while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== Ch.OpenBrace) return false;
  i++;
  for (let k = 0; k < keys.length; k++) {
    while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== Ch.Quote) return false;
    const key = keys[k];
    if (!line.startsWith(key, i + 1)) return false;
    i += key.length + 1;
    if (line.charCodeAt(i) !== Ch.Quote) return false;
    i++;
    while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== Ch.Colon) return false;
    i++;
    while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
    const end = numberEnd(line, i);
    if (end < 0) return false;
    values[k] = Number(line.slice(i, end));
    i = end;
    while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
    const c = line.charCodeAt(i);
    i++;
    if (c !== (k === keys.length - 1 ? Ch.CloseBrace : Ch.Comma)) return false;
  }
  if (keys.length === 0) {
    while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== Ch.CloseBrace) return false;
    i++;
  }
  while (i < n && isJsonSpace(line.charCodeAt(i))) i++;
  return i === n;
}

// ---- The same, straight from the file's bytes ------------------------------------------------
// The reader's hot loop: lines are read where they lie in the Buffer the file was read into,
// without decoding them to strings, and numbers are built from their digits. A DataView over the
// same bytes compares a line's literal runs (its skeleton) four bytes at a time (unaligned
// little-endian loads, which the optimiser compiles to one instruction each).

/**
 * The bytes around the numbers of one line of a shape, as it was written (`{"step": `, `, "loss": `,
 * …, `}`): keys.length + 1 literal runs, one after another in `bytes`. A logger writes every line
 * alike, so the next lines are first matched against these runs, which is the whole structure check
 * in one loop.
 */
interface Skeleton {
  /** The runs' bytes, concatenated. */
  readonly bytes: Uint8Array;
  /** Where run k ends in `bytes` (it starts where run k − 1 ends). */
  readonly runEnds: Int32Array;
  /**
   * Each run's whole 4-byte groups as little-endian int32s, run after run, and for a run of 4 bytes
   * or more whose length is no multiple of 4, its last 4 bytes too: words that overlap cover every
   * byte in fewer loads than a byte at a time (runs shorter than 4 are compared by bytes).
   */
  readonly words: Int32Array;
}

/** A line shape with each key's UTF-8 bytes, to compare keys in place in a Buffer. */
export interface ByteLineShape extends LineShape {
  readonly keyBytes: readonly Uint8Array[];
  /** Learnt from the first line read by keys (see Skeleton). */
  skeleton: Skeleton | undefined;
}

/** The shape of `keys` for byte reading. */
export function byteShape(keys: readonly string[]): ByteLineShape {
  // Every field is set from the start, so a shape keeps one hidden class when it is learnt (a
  // property added later would send the optimised line readers back to the interpreter).
  return { keys, keyBytes: keys.map((k) => new Uint8Array(Buffer.from(k, 'utf8'))), skeleton: undefined };
}

/** 10^0 … 10^22: every one is exact in a double, which the fast number path relies on. */
const POW10 = new Float64Array(23).map((_, i) => 10 ** i);
const TWO_POW_53 = 2 ** 53;
/** Below this, one more digit keeps the mantissa below 2^53, so exact (HEAD_CAP · 10 + 9 < 2^53). */
const HEAD_CAP = 9e14;
/** Below this, four more digits keep the mantissa below 2^53 (GROUP_CAP · 10^4 + 9999 < 2^53). */
const GROUP_CAP = 9e11;
/** An exponent this large cannot be offset by the fraction digits of any line we read (≤ 16 MiB). */
const EXPONENT_CAP = 1e9;

/** JSON whitespace inside a line (the line feed ends lines, so it never occurs inside one). */
function isLineSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.Tab || c === Ch.Cr;
}

/** A DataView over exactly the bytes of `bytes` (offsets in it are offsets in `bytes`). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The value of the four ASCII digits at `bytes[i, i + 4)` (`view` over `bytes`), or -1 when one of
 * them is no digit. The four are read as one little-endian word and combined in it (SWAR, as in
 * Lemire's parse_eight_digits_unrolled, here in 32 bits): one load and a few integer operations
 * where a digit at a time is four dependent double multiply-adds, the digit loops' main cost.
 */
function fourDigits(view: DataView, i: number): number {
  const word = view.getInt32(i, true);
  // Each byte 0x30–0x3F, and none past 0x39 (adding 6 carries those into 0x40).
  if ((word & 0xf0f0f0f0) !== 0x30303030 || ((word + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) return -1;
  const digits = word - 0x30303030; // byte k: the k-th digit, 0–9
  const pairs = digits * 10 + (digits >>> 8); // byte 0: d0·10 + d1, byte 2: d2·10 + d3 (≤ 99: no carry)
  return (pairs & 0xff) * 100 + ((pairs >>> 16) & 0xff);
}

/**
 * Reads the JSON number at `bytes[i]` (before `limit`) into `out[slot]`; returns where it ends, or
 * -1 when the bytes there are not a JSON number. `view` is a DataView over `bytes` (viewOf).
 *
 * The value is exactly what JSON.parse gives: when the digits, read as an integer m, are below 2^53
 * and the decimal exponent e is within ±22, both m and 10^|e| are exact doubles and one IEEE
 * multiplication or division rounds m·10^e correctly (Clinger's fast path; W. D. Clinger, "How to
 * read floating point numbers accurately", PLDI 1990). Longer digit strings (Python's 17-digit
 * float repr) go on, from the digit where m would leave the exact range, in readLongNumber: the
 * first 15–16 digits' value is carried over and not read again (the rest of the digits and the
 * exponent are read twice: once to check the syntax, once for the value). Big exponents (1e-300) go
 * to readNumberRest.
 */
export function readNumberBytes(bytes: Uint8Array, i: number, limit: number, out: Float64Array, slot: number, view: DataView): number {
  // The common case, kept small so it is inlined into the line readers: -?int(.frac)? with no
  // exponent and at most 15 or 16 digits. Anything else is finished by readLongNumber or readNumberRest.
  const start = i;
  const negative = i < limit && bytes[i] === Ch.Minus;
  if (negative) i++;
  if (i >= limit) return -1;
  let c = bytes[i];
  if (c < Ch.Zero || c > Ch.Nine) return -1;
  // A leading 0 is the whole integer part: the number ends there, before the digit after it.
  if (c === Ch.Zero && ++i < limit && (c = bytes[i]) >= Ch.Zero && c <= Ch.Nine) return i;
  let mantissa = 0;
  let fractionStart = -1;
  // The integer part's digits, then (second pass) the fraction's: four at a time while the
  // mantissa stays exact that way, then one at a time.
  for (;;) {
    for (let g; i + 4 <= limit && mantissa < GROUP_CAP && (g = fourDigits(view, i)) >= 0; i += 4) mantissa = mantissa * 10000 + g;
    while (i < limit && (c = bytes[i]) >= Ch.Zero && c <= Ch.Nine) {
      if (mantissa >= HEAD_CAP) {
        out[slot] = mantissa; // passed in the array: a double argument of a call not inlined is boxed
        return readLongNumber(bytes, start, i, limit, fractionStart, out, slot);
      }
      mantissa = mantissa * 10 + (c - Ch.Zero);
      i++;
    }
    if (fractionStart >= 0 || i >= limit || bytes[i] !== Ch.Dot) break;
    fractionStart = ++i;
  }
  if (i === fractionStart) return -1;
  const fractionDigits = fractionStart < 0 ? 0 : i - fractionStart;
  // (One call for both cases: this function must stay small enough to be inlined.)
  if (fractionDigits > 22 || (i < limit && ((c = bytes[i]) === Ch.LowerE || c === Ch.UpperE)))
    return readNumberRest(bytes, start, i, limit, negative, mantissa, -fractionDigits, out, slot);
  // mantissa < HEAD_CAP · 10 < 2^53: every digit step was exact.
  const v = mantissa / POW10[fractionDigits];
  out[slot] = negative ? -v : v;
  return i;
}

/**
 * The rest of a number whose digits outgrew readNumberBytes' exact range: `bytes[start, i)` holds
 * its sign and first digits, whose value is in `out[slot]` (15 or 16 digits, exact), and `bytes[i]`
 * is the next digit, in the integer part (`fractionStart` -1) or in the fraction that starts at
 * `fractionStart`. Checks the rest's grammar and reads its value in the same pass (up to 19
 * significant digits, Eisel–Lemire's range), stores the value, returns where the number ends (-1
 * for what is not a number).
 */
function readLongNumber(bytes: Uint8Array, start: number, i: number, limit: number, fractionStart: number, out: Float64Array, slot: number): number {
  // w = head·tailScale + tail: the head (≥ HEAD_CAP: 15 digits below 10^15, else 16) stays in out[slot].
  let room = out[slot] < 1e15 ? 4 : 3;
  let tail = 0;
  let tailScale = 1;
  // w·10^q is the number: q counts the fraction digits taken into w (negated) and the integer digits left out.
  let q = fractionStart < 0 ? 0 : fractionStart - i;
  // A nonzero digit past the 19th: more precision than w holds (Number() on the text decides).
  let dropped = false;
  let inFraction = fractionStart >= 0;
  let c = 0;
  for (;;) {
    for (; i < limit && (c = bytes[i]) >= Ch.Zero && c <= Ch.Nine; i++) {
      if (room > 0) {
        tail = tail * 10 + (c - Ch.Zero);
        tailScale *= 10;
        room--;
        if (inFraction) q--;
      } else {
        // A digit past the 19th: a zero is dropped (w·10 at one more power of ten in the integer
        // part: JavaScript writes 3106699667946137000; nothing in the fraction), any other is not.
        if (c !== Ch.Zero) dropped = true;
        if (!inFraction) q++;
      }
    }
    if (inFraction || i >= limit || c !== Ch.Dot) break;
    inFraction = true;
    i++;
    if (i >= limit || (c = bytes[i]) < Ch.Zero || c > Ch.Nine) return -1;
  }
  if (i < limit && (c === Ch.LowerE || c === Ch.UpperE)) {
    i++;
    let negativeExponent = false;
    if (i < limit && ((c = bytes[i]) === Ch.Plus || c === Ch.Minus)) {
      negativeExponent = c === Ch.Minus;
      i++;
    }
    const digitsStart = i;
    let e = 0;
    for (; i < limit && (c = bytes[i]) >= Ch.Zero && c <= Ch.Nine; i++) if (e < EXPONENT_CAP) e = e * 10 + (c - Ch.Zero);
    if (i === digitsStart) return -1;
    q += negativeExponent ? -e : e;
  }
  if (dropped || !convertDecimalInto(tail, tailScale, q, bytes[start] === Ch.Minus, out, slot)) out[slot] = Number(latin1(bytes, start, i));
  return i;
}

/**
 * The rest of readNumberBytes for any JSON number: the number at `bytes[start]` was read up to `i`
 * (sign, integer and fraction digits, into `mantissa`·10^`exponent`); reads an exponent part if one
 * follows, stores the value and returns where the number ends, or -1 for what is not a number.
 */
function readNumberRest(
  bytes: Uint8Array,
  start: number,
  i: number,
  limit: number,
  negative: boolean,
  mantissa: number,
  exponent: number,
  out: Float64Array,
  slot: number,
): number {
  let c: number;
  if (i < limit && ((c = bytes[i]) === Ch.LowerE || c === Ch.UpperE)) {
    i++;
    let negativeExponent = false;
    if (i < limit && ((c = bytes[i]) === Ch.Plus || c === Ch.Minus)) {
      negativeExponent = c === Ch.Minus;
      i++;
    }
    const digitsStart = i;
    let e = 0;
    while (i < limit && (c = bytes[i]) >= Ch.Zero && c <= Ch.Nine) {
      if (e < EXPONENT_CAP) e = e * 10 + (c - Ch.Zero);
      i++;
    }
    if (i === digitsStart) return -1;
    exponent += negativeExponent ? -e : e;
  }
  // mantissa only grows while digits are added, and a sum at or past 2^53 rounds to at least 2^53:
  // below 2^53 at the end means every step was exact.
  if (mantissa < TWO_POW_53 && exponent >= -22 && exponent <= 22) {
    const v = exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent];
    out[slot] = negative ? -v : v;
  } else {
    // 17-digit decimals with an exponent and big exponents: Eisel–Lemire, else the text.
    readLongDecimal(bytes, start, i, out, slot);
  }
  return i;
}

/** The JSON number `bytes[start, end)` into `out[slot]` by Eisel–Lemire, else by Number() on its text; returns `end`. */
function readLongDecimal(bytes: Uint8Array, start: number, end: number, out: Float64Array, slot: number): number {
  if (!decimalToDoubleInto(bytes, start, end, out, slot)) out[slot] = Number(latin1(bytes, start, end));
  return end;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.isBuffer(bytes) ? bytes.toString('latin1', start, end) : Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/**
 * Reads the line starting at `bytes[start]` as a flat numeric JSON object with exactly `shape`'s
 * keys in that order, writing the values into `values` (length ≥ keys). Returns the index of the
 * line feed that ends the line (or `limit` when the line runs to it); -1 (with `values`
 * unspecified) when the line is anything else, which the caller then reads as text.
 * Keys match byte for byte: a key's bytes between quotes decode to the key whatever surrounds them,
 * and shape keys hold no quote, backslash or control character (scanFlatNumericLine declines those).
 * `view` is a DataView over `bytes` (viewOf); a reader makes one per Buffer, for all its lines.
 */
export function readBytesWithShape(
  bytes: Uint8Array,
  start: number,
  limit: number,
  shape: ByteLineShape,
  values: Float64Array,
  view: DataView = viewOf(bytes),
): number {
  const skeleton = shape.skeleton;
  if (skeleton !== undefined) {
    const end = readWithSkeleton(bytes, view, start, limit, skeleton, values);
    if (end >= 0) return end;
  }
  const end = readWithKeys(bytes, view, start, limit, shape.keyBytes, values);
  if (end >= 0 && skeleton === undefined) shape.skeleton = skeletonOf(bytes, start, end, shape.keyBytes);
  return end;
}

/**
 * A line that matches the literal runs of a line read by readWithKeys, with a JSON number between
 * each two, is a line readWithKeys reads the same: a number ends where the next run begins (runs
 * after a number start with a space, tab, carriage return, comma or brace, which no number holds).
 */
function readWithSkeleton(bytes: Uint8Array, view: DataView, start: number, limit: number, skeleton: Skeleton, values: Float64Array): number {
  const runEnds = skeleton.runEnds;
  const literal = skeleton.bytes;
  const words = skeleton.words;
  const count = runEnds.length - 1;
  let i = start;
  let runStart = 0;
  let word = 0;
  for (let k = 0; ; k++) {
    const runEnd = runEnds[k];
    const n = runEnd - runStart;
    if (i + n > limit) return -1;
    if (n >= 4) {
      let j = 0;
      for (; j + 4 <= n; j += 4) if (view.getInt32(i + j, true) !== words[word++]) return -1;
      if (j < n && view.getInt32(i + n - 4, true) !== words[word++]) return -1;
    } else for (let j = 0; j < n; j++) if (bytes[i + j] !== literal[runStart + j]) return -1;
    i += n;
    runStart = runEnd;
    if (k === count) break;
    i = readNumberBytes(bytes, i, limit, values, k, view);
    if (i < 0) return -1;
  }
  if (i === limit || bytes[i] === Ch.Lf) return i;
  return -1;
}

/** The literal runs of a line readWithKeys accepted (walked again by its grammar), copied into a Skeleton. */
function skeletonOf(bytes: Uint8Array, start: number, end: number, keys: readonly Uint8Array[]): Skeleton {
  const runs: Uint8Array[] = [];
  const scratch = new Float64Array(1);
  const view = viewOf(bytes);
  let i = start;
  let runStart = start;
  for (let k = 0; k < keys.length; k++) {
    while (isLineSpace(bytes[i])) i++;
    i++; // `{` or `,`
    while (isLineSpace(bytes[i])) i++;
    i += keys[k].length + 2; // the quoted key
    while (isLineSpace(bytes[i])) i++;
    i++; // `:`
    while (isLineSpace(bytes[i])) i++;
    runs.push(bytes.subarray(runStart, i));
    i = readNumberBytes(bytes, i, end, scratch, 0, view);
    runStart = i;
  }
  runs.push(bytes.subarray(runStart, end));
  const literal = new Uint8Array(runs.reduce((n, r) => n + r.length, 0));
  const runEnds = new Int32Array(runs.length);
  const words: number[] = [];
  let at = 0;
  runs.forEach((run, k) => {
    literal.set(run, at);
    const runView = viewOf(run);
    for (let j = 0; j + 4 <= run.length; j += 4) words.push(runView.getInt32(j, true));
    if (run.length >= 4 && run.length % 4 !== 0) words.push(runView.getInt32(run.length - 4, true));
    at += run.length;
    runEnds[k] = at;
  });
  return { bytes: literal, runEnds, words: new Int32Array(words) };
}

function readWithKeys(bytes: Uint8Array, view: DataView, start: number, limit: number, keys: readonly Uint8Array[], values: Float64Array): number {
  const count = keys.length;
  let i = start;
  while (i < limit && isLineSpace(bytes[i])) i++;
  if (i >= limit || bytes[i] !== Ch.OpenBrace) return -1;
  i++;
  for (let k = 0; k < count; k++) {
    while (i < limit && isLineSpace(bytes[i])) i++;
    if (i >= limit || bytes[i] !== Ch.Quote) return -1;
    i++;
    const key = keys[k];
    const keyLength = key.length;
    if (i + keyLength >= limit) return -1;
    for (let j = 0; j < keyLength; j++) if (bytes[i + j] !== key[j]) return -1;
    i += keyLength;
    if (bytes[i] !== Ch.Quote) return -1;
    i++;
    while (i < limit && isLineSpace(bytes[i])) i++;
    if (i >= limit || bytes[i] !== Ch.Colon) return -1;
    i++;
    while (i < limit && isLineSpace(bytes[i])) i++;
    i = readNumberBytes(bytes, i, limit, values, k, view);
    if (i < 0) return -1;
    while (i < limit && isLineSpace(bytes[i])) i++;
    if (i >= limit) return -1;
    const c = bytes[i];
    i++;
    if (c !== (k === count - 1 ? Ch.CloseBrace : Ch.Comma)) return -1;
  }
  if (count === 0) {
    while (i < limit && isLineSpace(bytes[i])) i++;
    if (i >= limit || bytes[i] !== Ch.CloseBrace) return -1;
    i++;
  }
  while (i < limit && isLineSpace(bytes[i])) i++;
  if (i === limit || bytes[i] === Ch.Lf) return i;
  return -1;
}
