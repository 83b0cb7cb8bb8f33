// The fast path for the commonest training log: one flat JSON object of numbers per line
// (`{"step": 10, "loss": 2.31, "lr": 3e-4}`). It reads such a line in one pass without building an
// object, and returns undefined for anything else (nested values, strings, escapes, NaN, odd
// whitespace), which the caller then parses with JSON.parse. On every line it accepts it yields
// exactly the key/value pairs `JSON.parse` would (property-tested in test/unit/runs-jsonlFast.test.ts).

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
