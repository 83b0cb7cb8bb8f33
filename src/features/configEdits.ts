// Text of a one-value edit to a training config, in the config's own syntax: the number is
// written the way the original was (exponent or decimal, its quotes, `_` grouping, `E` case), so
// a suggestion applied by a lens reads as if the user had typed it. Free of `vscode` (unit-tested).

/** Significant digits a suggested learning rate is written with: the laws are not finer than that. */
const SUGGESTION_DIGITS = 2;

/** How a number is written in the original text. */
interface NumberStyle {
  quote: string;
  exponent: boolean;
  upperE: boolean;
  /** The mantissa (or the decimal) has a point: PyYAML reads `3e-4` as a string, `3.0e-4` as a float. */
  point: boolean;
  plusExponent: boolean;
  /** Exponent digits at least this wide (`e-04` → 2). */
  exponentWidth: number;
  underscores: boolean;
}

function styleOf(original: string): NumberStyle {
  const trimmed = original.trim();
  const quote = /^(["'])(.*)\1$/.exec(trimmed);
  const body = quote ? quote[2] : trimmed;
  const exp = /[eE]([-+]?)(\d+)/.exec(body);
  const mantissa = exp ? body.slice(0, exp.index) : body;
  return {
    quote: quote ? quote[1] : '',
    exponent: !!exp,
    upperE: !!exp && body[exp.index] === 'E',
    point: mantissa.includes('.'),
    plusExponent: !!exp && exp[1] === '+',
    exponentWidth: exp ? exp[2].length : 0,
    underscores: body.includes('_'),
  };
}

function groupDigits(n: number, separator: string): string {
  const s = String(Math.abs(n));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  return n < 0 ? `-${grouped}` : grouped;
}

/** A decimal without an exponent, e.g. 0.00072 (JavaScript switches to `7.2e-7` below 1e-6). */
function plainDecimal(value: number, digits: number): string {
  const rounded = Number(value.toPrecision(digits));
  if (Number.isInteger(rounded)) return String(rounded);
  const magnitude = Math.floor(Math.log10(Math.abs(rounded)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return rounded
    .toFixed(Math.min(20, decimals))
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

/**
 * `value` written like `original` (the source text of the value being replaced). Integers
 * (`integer: true`) are rounded and keep `_` grouping; other numbers get `digits` significant
 * digits in the original's notation.
 */
export function formatNumberLike(original: string, value: number, options: { integer?: boolean; digits?: number } = {}): string {
  const style = styleOf(original);
  const digits = options.digits ?? SUGGESTION_DIGITS;
  let body: string;
  if (options.integer) {
    const n = Math.max(1, Math.round(value));
    body = style.underscores ? groupDigits(n, '_') : String(n);
  } else if (style.exponent) {
    const [mantissaText, expText] = value.toExponential(digits - 1).split('e');
    let mantissa = mantissaText.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    if (style.point && !mantissa.includes('.')) mantissa += '.0';
    const exponent = Number(expText);
    const digitsText = String(Math.abs(exponent)).padStart(style.exponentWidth, '0');
    const sign = exponent < 0 ? '-' : style.plusExponent ? '+' : '';
    body = `${mantissa}${style.upperE ? 'E' : 'e'}${sign}${digitsText}`;
  } else {
    body = plainDecimal(value, digits);
    if (style.point && !body.includes('.')) body += '.0';
  }
  return `${style.quote}${body}${style.quote}`;
}

/** What an LR or batch suggestion replaces: `[start, end)` of the file, which must still hold `current`. */
export interface ValueReplacement {
  start: number;
  end: number;
  current: number;
  value: number;
  integer: boolean;
}

/**
 * The new text for the value at `[start, end)` of `text`, written like the original; an error
 * when the file no longer holds the value the suggestion was made for (it changed meanwhile).
 */
export function replacementText(text: string, r: ValueReplacement): { newText: string; original: string } | { error: string } {
  if (r.start < 0 || r.end > text.length || r.start >= r.end) return { error: 'the value is no longer where it was' };
  const original = text.slice(r.start, r.end);
  const bare = original
    .trim()
    .replace(/^(["'])(.*)\1$/, '$2')
    .replace(/_/g, '');
  const found = bare === '' ? NaN : Number(bare);
  if (!Number.isFinite(found)) return { error: `"${original}" is not a number` };
  const tolerance = 1e-9 * Math.max(1, Math.abs(r.current));
  if (Math.abs(found - r.current) > tolerance) return { error: `the file now has ${original} there, not ${r.current}` };
  return { newText: formatNumberLike(original, r.value, { integer: r.integer }), original };
}
