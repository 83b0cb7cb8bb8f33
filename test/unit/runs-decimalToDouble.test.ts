// The Eisel–Lemire decimal → double conversion (runs/decimalToDouble.ts) against JSON.parse, bit for
// bit (Object.is: -0 too), on random doubles written every way a logger writes them (shortest, 17
// and 19 significant digits, exponents, float32 values as Python's json.dumps writes them), random
// digit strings, and the edges: subnormals, the largest double, the halfway points, overflow.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { decimalToDouble } from '../../src/core/runs/decimalToDouble';
import { readNumberBytes, viewOf } from '../../src/core/runs/jsonlFast';

const RUNS = Number(process.env.SCALING_LENS_FUZZ_RUNS ?? 1000);

/** decimalToDouble on `text`, NaN when it hands the number back to Number(). */
function convert(text: string): number {
  const bytes = Buffer.from(text, 'latin1');
  return decimalToDouble(bytes, 0, bytes.length);
}

/** Equal to JSON.parse, or declined (NaN); counts the declined. */
function agrees(text: string, declined: { n: number }): void {
  const v = convert(text);
  if (Number.isNaN(v)) {
    declined.n++;
    return;
  }
  const expected = JSON.parse(text) as number;
  assert.ok(Object.is(v, expected), `${text}: ${v} but JSON.parse gives ${expected}`);
}

/** Every finite double, by its bits (so subnormals and huge exponents come as often as ordinary values). */
const doubleArb = fc.double({ noNaN: true, noDefaultInfinity: true });

test('decimalToDouble: a random double in shortest, 17-, 19-digit and exponent forms converts back to what JSON.parse gives', () => {
  const declined = { n: 0 };
  let total = 0;
  fc.assert(
    fc.property(doubleArb, (d) => {
      for (const text of [JSON.stringify(d), d.toPrecision(17), d.toExponential(16), d.toExponential(18), (-d).toPrecision(19)]) {
        // toPrecision writes "1.0e+21" forms, which are JSON numbers; "Infinity" never comes from a finite d.
        agrees(text.replace('e+', 'e'), declined);
        total++;
      }
    }),
    { numRuns: RUNS * 20 },
  );
  // The algorithm decides nearly everything itself; the declined go to Number(), exact anyway.
  assert.ok(declined.n <= total * 0.001, `declined ${declined.n} of ${total}`);
});

test('decimalToDouble: float32 losses as Python json.dumps writes them (17 digits) are decided here, nearly all of them', () => {
  const declined = { n: 0 };
  let total = 0;
  fc.assert(
    fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), (f) => {
      agrees(JSON.stringify(f), declined);
      total++;
    }),
    { numRuns: RUNS * 20 },
  );
  assert.ok(declined.n <= total * 0.001, `declined ${declined.n} of ${total}`);
});

test('decimalToDouble: random digit strings (leading zeros, up to 25 digits, any exponent) match JSON.parse or are declined', () => {
  const declined = { n: 0 };
  const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
  fc.assert(
    fc.property(
      fc.constantFrom('', '-'),
      fc.oneof(
        fc.constant('0'),
        fc.tuple(fc.constantFrom(...'123456789'), digits(0, 24)).map(([a, b]) => a + b),
      ),
      fc.option(digits(1, 25), { nil: undefined }),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 })), { nil: undefined }),
      (sign, int, frac, exp) => {
        const text = `${sign}${int}${frac === undefined ? '' : `.${frac}`}${exp === undefined ? '' : `${exp[0]}${exp[1]}${exp[2]}`}`;
        agrees(text, declined);
      },
    ),
    { numRuns: RUNS * 20 },
  );
});

test('decimalToDouble: edges (subnormals, the largest double, halfway points, overflow, underflow, negative zero)', () => {
  const declined = { n: 0 };
  const edges = [
    '5e-324',
    '4.9406564584124654e-324',
    '2.4703282292062328e-324', // just above half the smallest subnormal: rounds up to it
    '2.4703282292062327e-324', // just below: rounds to 0
    '1e-320',
    '2.2250738585072009e-308', // the largest subnormal
    '2.2250738585072011e-308',
    '2.2250738585072014e-308', // the smallest normal
    '1.7976931348623157e308',
    '1.7976931348623158e308',
    '1.7976931348623159e308', // rounds to Infinity
    '1e309',
    '-1e309',
    '1e-400',
    '-1e-400',
    '9007199254740993', // 2^53 + 1: a tie, rounds to even
    '9007199254740995',
    '18014398509481985',
    '123456789012345678',
    '9999999999999999999',
    '0.30000001192092896',
    '2.3456789016723633',
    '1e23',
    '8.98846567431158e307',
    '-0',
    '-0.0',
    '-0e10',
    '0e-400',
    '-2.2250738585072012e-308',
    '7.2057594037927933e16',
    // w's words at their extremes (the 32×32-bit products' high words come from doubles)
    '9223372036854775807',
    '9223372036854775808',
    '1844674407370955161',
    '18446744073709551610',
    '4294967295.999999999',
    '4294967296.000000001',
    '0.9999999999999999999',
    '1.00000000000000011102230246251565404236316680908203125', // more than 19 digits: declined
  ];
  for (const text of edges) agrees(text, declined);
  // The same through the line readers' path (readNumberBytes, then readLongNumber past 15–16 digits), fallback included.
  for (const text of edges) {
    const bytes = Buffer.from(`${text},`, 'latin1');
    const out = new Float64Array(1);
    assert.equal(readNumberBytes(bytes, 0, bytes.length, out, 0, viewOf(bytes)), text.length, text);
    assert.ok(Object.is(out[0], JSON.parse(text)), `${text}: ${out[0]} but JSON.parse gives ${JSON.parse(text)}`);
  }
  // Only the 54-digit one is handed back: ties, subnormals and overflow are decided here.
  assert.equal(declined.n, 1);
  assert.ok(Object.is(convert('-0.0'), -0));
  assert.equal(convert('1.7976931348623159e308'), Infinity);
});

test('readNumberBytes on 17-digit decimals: the Eisel–Lemire path and its Number() fallback give JSON.parse, bit for bit', () => {
  fc.assert(
    fc.property(doubleArb, fc.constantFrom('', ',', '}', ' '), (d, after) => {
      const text = d.toPrecision(17).replace('e+', 'e');
      const bytes = Buffer.from(text + after, 'latin1');
      const out = new Float64Array(1);
      const end = readNumberBytes(bytes, 0, bytes.length, out, 0, viewOf(bytes));
      assert.equal(end, text.length);
      assert.ok(Object.is(out[0], JSON.parse(text)), `${text}: ${out[0]}`);
    }),
    { numRuns: RUNS * 5 },
  );
});

test('readNumberBytes: digit strings that outgrow the exact range anywhere (integer part or fraction, any tail) give JSON.parse, or -1 where it fails', () => {
  // readNumberBytes reads up to 15 or 16 digits itself (four at a time, then one) and hands the
  // rest to readLongNumber: put the decimal point, the exponent and a broken tail at every place
  // around that hand-over.
  const digitArb = fc.constantFrom(...'0123456789');
  fc.assert(
    fc.property(
      fc.constantFrom('', '-'),
      fc.constantFrom(...'123456789'),
      fc.array(digitArb, { minLength: 8, maxLength: 24 }),
      fc.nat(),
      fc.constantFrom('', 'e5', 'E-7', 'e+300', 'e-330', '.', '.5', 'e', 'e+', '.e3', '..1', '-', '0'),
      fc.constantFrom('', ',', '}', ' '),
      (sign, first, rest, dotAt, tail, after) => {
        const digits = first + rest.join('');
        const at = dotAt % (digits.length + 1);
        const body = at === digits.length ? digits : `${digits.slice(0, at)}.${digits.slice(at)}`;
        const text = `${sign}${body.endsWith('.') ? body.slice(0, -1) : body}${tail}`;
        const bytes = Buffer.from(text + after, 'latin1');
        const out = new Float64Array(1);
        const end = readNumberBytes(bytes, 0, bytes.length, out, 0, viewOf(bytes));
        let expected: number | undefined;
        try {
          expected = JSON.parse(text) as number;
        } catch {
          expected = undefined;
        }
        if (expected === undefined) assert.notEqual(end, text.length, `read ${text} whole, which JSON.parse rejects`);
        else {
          assert.equal(end, text.length, text);
          assert.ok(Object.is(out[0], expected), `${text}: ${out[0]} but JSON.parse gives ${expected}`);
        }
      },
    ),
    { numRuns: RUNS * 10 },
  );
});
