// Generators of flat JSON lines for the property tests of the JSONL fast paths (runs-jsonlFast,
// runs-jsonlBytes), and JSON.parse's reading of a line, which those paths must match.
import fc from 'fast-check';

/**
 * A flat object written as one JSON line: up to `maxPairs` keys (which may repeat) with value texts,
 * spaced by `spaceSlots` draws of `spaces` (before, around and after each pair).
 */
export function flatLineArb(
  keys: fc.Arbitrary<string>,
  valueTexts: fc.Arbitrary<string>,
  spaces: fc.Arbitrary<string>,
  maxPairs: number,
  spaceSlots: number,
): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.tuple(keys, valueTexts), { maxLength: maxPairs }), fc.array(spaces, { minLength: spaceSlots, maxLength: spaceSlots }))
    .map(([pairs, sp]) => {
      const n = spaceSlots;
      let s = `${sp[0]}{`;
      pairs.forEach(([k, v], i) => {
        s += `${i ? ',' : ''}${sp[(4 * i + 1) % n]}${JSON.stringify(k)}${sp[(4 * i + 2) % n]}:${sp[(4 * i + 3) % n]}${v}`;
      });
      return `${s}${sp[n - 1]}}${sp[n - 2]}`;
    });
}

/** `lines`' lines with one character deleted, replaced or inserted somewhere (one of `chars`; '' deletes). */
export function mutatedLineArb(lines: fc.Arbitrary<string>, chars: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(lines, fc.nat(), fc.constantFrom(...chars)).map(([line, at, ch]) => {
    const i = line.length ? at % line.length : 0;
    return line.slice(0, i) + ch + line.slice(i + (at % 3 === 0 ? 0 : 1));
  });
}

/** The entries JSON.parse gives for a line holding an object; undefined for anything else. */
export function jsonEntries(line: string): [string, unknown][] | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : undefined;
  } catch {
    return undefined;
  }
}
