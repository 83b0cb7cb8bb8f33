// Numbers as people write counts and budgets: `7B`, `1.5T`, `300k`, `2,000`, `1e21`, `2 million`.
// One table of magnitude letters and one reader; each caller states the syntax it takes (which
// letters, separators, a sign, words), so the differences between inputs are written down once.

/**
 * Magnitude of each suffix letter, by its upper case: k thousand, M million, G (giga) and B
 * (billion) 10⁹, T, P, E, Z, Y. Which letters and cases a reader accepts is the reader's choice:
 * a lower-case `m` is a million in a budget but would be milli in a log, so text logs refuse it.
 */
const MAGNITUDE: Readonly<Record<string, number>> = { K: 1e3, M: 1e6, G: 1e9, B: 1e9, T: 1e12, P: 1e15, E: 1e18, Z: 1e21, Y: 1e24 };

const WORDS: ReadonlyMap<string, number> = new Map([
  ['thousand', 1e3],
  ['million', 1e6],
  ['billion', 1e9],
]);

/** The multiplier of a suffix `letter` when it is one of `accepted` (the letters taken, in the cases taken). */
export function magnitudeOf(letter: string, accepted: string): number | undefined {
  return letter.length === 1 && accepted.includes(letter) ? MAGNITUDE[letter.toUpperCase()] : undefined;
}

export interface NumberSyntax {
  /** Suffix letters accepted, each in the cases accepted: `kKmM` reads k and m in either case. */
  suffixes: string;
  /** Characters allowed between the digits before the decimal point as thousands separators (`,_`), or ''. */
  separators: string;
  /** A leading sign, and zero or negative results; otherwise only a positive number reads. */
  signed: boolean;
  /** `thousand`, `million`, `billion` (any case) after the number. */
  words?: boolean;
}

/** The mantissa pattern and the separator stripper of a syntax, built once per kind. */
const compiled = new Map<string, { pattern: RegExp; separators?: RegExp }>();

function compile(syntax: NumberSyntax): { pattern: RegExp; separators?: RegExp } {
  const key = `${syntax.signed ? '±' : ''}${syntax.separators}`;
  let c = compiled.get(key);
  if (!c) {
    const separators = syntax.separators.replace(/[\\\]^-]/g, '\\$&');
    const mantissa = `${syntax.signed ? '[+-]?' : ''}(?:\\d[\\d${separators}]*\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?`;
    c = { pattern: new RegExp(`^(${mantissa})\\s*([a-z]+)?$`, 'i'), separators: separators ? new RegExp(`[${separators}]`, 'g') : undefined };
    compiled.set(key, c);
  }
  return c;
}

/**
 * A number in `syntax`: mantissa (`1.5`, `.5`, `2,000`, `1e21`), optional space, optional suffix
 * letter or word. Surrounding white space is ignored. Undefined when the text is not such a number
 * or the value is not finite (or, unsigned, not positive).
 */
export function parseSuffixedNumber(text: string, syntax: NumberSyntax): number | undefined {
  const { pattern, separators } = compile(syntax);
  const m = pattern.exec(text.trim());
  if (!m) return undefined;
  let scale = 1;
  if (m[2] !== undefined) {
    const multiplier = magnitudeOf(m[2], syntax.suffixes) ?? (syntax.words ? WORDS.get(m[2].toLowerCase()) : undefined);
    if (multiplier === undefined) return undefined;
    scale = multiplier;
  }
  const v = Number(separators ? m[1].replace(separators, '') : m[1]) * scale;
  if (!Number.isFinite(v)) return undefined;
  return syntax.signed || v > 0 ? v : undefined;
}
