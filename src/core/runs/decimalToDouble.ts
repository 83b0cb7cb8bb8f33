// The double nearest a JSON number's decimal text, read from its bytes with no string and no
// Number(): the Eisel–Lemire algorithm (D. Lemire, "Number parsing at a gigabyte per second",
// Software: Practice and Experience 51(8), 2021, §5–6; exactness without a fallback for 19 digits
// or fewer: N. Mushtak and D. Lemire, "Fast number parsing without fallback", SP&E 53(6), 2023).
//
// It multiplies the decimal significand w (≤ 19 digits, so < 2^64) by a 128-bit truncation of 5^q
// and reads the double's 53 bits from the top of the product. JavaScript has no 64-bit integers, so
// w and the power are held as two 32-bit halves, multiplied half by half: Math.imul gives a
// product's low word exactly and the double product its high word (the rare second product, in
// 16-bit pieces, all exact in doubles). More than 19 significant digits and a product whose low 64 bits are all ones return NaN, and the caller takes Number() on the text: the answer is
// exact either way (property-tested against JSON.parse in test/unit/runs-decimalToDouble.test.ts).

const SMALLEST_POWER_OF_TEN = -342;
const LARGEST_POWER_OF_TEN = 308;
const TABLE_SIZE = LARGEST_POWER_OF_TEN - SMALLEST_POWER_OF_TEN + 1;
const TWO_POW_32 = 4294967296;
// Multiplying by a power of two is exact and much cheaper than dividing.
const INV_2_16 = 1 / 65536;
const INV_2_32 = 1 / TWO_POW_32;

/** 5^q normalised to 128 bits, as four 32-bit words per q, most significant first; filled on first use of each q. */
const POW5 = new Uint32Array(4 * TABLE_SIZE);
const POW5_READY = new Uint8Array(TABLE_SIZE);

/**
 * The table entry for 5^q as fast_float's table holds it: for q ≥ 0, 5^q shifted to 128 bits and
 * truncated; for q < 0, 2^b / 5^-q + 1 (truncated to 128 bits), so the product is never below the
 * true value. Made with BigInt once per exponent (about 0.1 ms), so loading this module costs nothing.
 */
function fillPower(q: number): void {
  let entry: bigint;
  if (q < 0) {
    const power5 = 5n ** BigInt(-q);
    // 5^k is no power of two, so its bit length is the least b with 2^b ≥ 5^k.
    const bits = BigInt(power5.toString(2).length);
    if (q >= -27) entry = (1n << (bits + 127n)) / power5 + 1n;
    else {
      entry = (1n << (2n * bits + 128n)) / power5 + 1n;
      const excess = entry.toString(2).length - 128;
      if (excess > 0) entry >>= BigInt(excess);
    }
  } else {
    entry = 5n ** BigInt(q);
    const length = entry.toString(2).length;
    entry = length < 128 ? entry << BigInt(128 - length) : entry >> BigInt(length - 128);
  }
  const index = q - SMALLEST_POWER_OF_TEN;
  for (let k = 0; k < 4; k++) POW5[4 * index + k] = Number((entry >> BigInt(96 - 32 * k)) & 0xffffffffn);
  POW5_READY[index] = 1;
}

/** 2^k for k = -1074 … 1100 (Infinity past 1023), so a double is built by one exact multiplication. */
let pow2Table: Float64Array | undefined;
function makePow2Table(): Float64Array {
  const table = new Float64Array(2175);
  for (let i = 0; i < table.length; i++) table[i] = 2 ** (i - 1074);
  return table;
}

/**
 * mul64's first factor, as two 32-bit halves (most significant first). Factors are passed in typed
 * arrays, not as arguments: a 32-bit half at or above 2^31 is no small integer, and a call that is
 * not inlined would box it on the heap, two allocations per number.
 */
const FACTOR = new Uint32Array(2);

/** The four 32-bit words of mul64's last product, most significant first. */
const PRODUCT = new Float64Array(4);

/**
 * FACTOR times the 64 bits POW5[at, at + 2) (two 32-bit words, most significant first), into
 * PRODUCT. In 16-bit limbs: each limb product is below 2^32 and each column's sum below 2^35, all
 * exact in doubles.
 */
function mul64(at: number): void {
  const a1 = FACTOR[0];
  const a0 = FACTOR[1];
  const b1 = POW5[at];
  const b0 = POW5[at + 1];
  const x0 = a0 & 0xffff;
  const x1 = a0 >>> 16;
  const x2 = a1 & 0xffff;
  const x3 = a1 >>> 16;
  const y0 = b0 & 0xffff;
  const y1 = b0 >>> 16;
  const y2 = b1 & 0xffff;
  const y3 = b1 >>> 16;
  let column = x0 * y0;
  let carry = Math.floor(column * INV_2_16);
  const r0 = column - carry * 65536;
  column = x0 * y1 + x1 * y0 + carry;
  carry = Math.floor(column * INV_2_16);
  const r1 = column - carry * 65536;
  column = x0 * y2 + x1 * y1 + x2 * y0 + carry;
  carry = Math.floor(column * INV_2_16);
  const r2 = column - carry * 65536;
  column = x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0 + carry;
  carry = Math.floor(column * INV_2_16);
  const r3 = column - carry * 65536;
  column = x1 * y3 + x2 * y2 + x3 * y1 + carry;
  carry = Math.floor(column * INV_2_16);
  const r4 = column - carry * 65536;
  column = x2 * y3 + x3 * y2 + carry;
  carry = Math.floor(column * INV_2_16);
  const r5 = column - carry * 65536;
  column = x3 * y3 + carry;
  carry = Math.floor(column * INV_2_16);
  const r6 = column - carry * 65536;
  PRODUCT[0] = carry * 65536 + r6;
  PRODUCT[1] = r5 * 65536 + r4;
  PRODUCT[2] = r3 * 65536 + r2;
  PRODUCT[3] = r1 * 65536 + r0;
}

const SCRATCH = new Float64Array(1);

/**
 * The double nearest the JSON number text in `bytes[start, end)` (which the caller has checked is
 * one), or NaN when this cannot decide it cheaply (more than 19 significant digits, a product too
 * close to a rounding boundary, an exact tie): the caller then takes Number() on the text.
 */
export function decimalToDouble(bytes: Uint8Array, start: number, end: number): number {
  return decimalToDoubleInto(bytes, start, end, SCRATCH, 0) ? SCRATCH[0] : NaN;
}

/**
 * decimalToDouble, the double stored in `out[slot]`; false (`out[slot]` then unspecified) where that
 * gives NaN. The line readers' form: a double returned from a call that is not inlined is boxed on
 * the heap, one allocation per number, where a store into a Float64Array allocates nothing.
 */
export function decimalToDoubleInto(bytes: Uint8Array, start: number, end: number, out: Float64Array, slot: number): boolean {
  const negative = bytes[start] === 45; // '-'
  return readDecimalInto(bytes, negative ? start + 1 : start, end, negative, out, slot);
}

/** decimalToDoubleInto past the sign: the digits read into w (up to 19 significant) and q, then converted. */
function readDecimalInto(bytes: Uint8Array, i: number, end: number, negative: boolean, out: Float64Array, slot: number): boolean {
  let digits = 0;
  let q = 0;
  let inFraction = false;
  // w = head·10^tailDigits + tail, exactly: head takes the first 15 significant digits (below
  // 2^53), tail up to 19 in all.
  let head = 0;
  let tail = 0;
  let tailScale = 1;
  let c = 0;
  for (; i < end; i++) {
    c = bytes[i];
    if (c === 46) {
      inFraction = true;
      continue;
    }
    if (c < 48 || c > 57) break;
    const d = c - 48;
    if (inFraction) q--;
    if (digits === 0 && d === 0) continue; // leading zeros
    if (digits < 15) head = head * 10 + d;
    else if (digits < 19) {
      tail = tail * 10 + d;
      tailScale *= 10;
    } else {
      // A 20th digit: a zero is dropped (w·10 at one more power of ten: JavaScript writes
      // 3106699667946137000), anything else is more precision than 64 bits hold.
      if (d !== 0) return false;
      q++;
      continue;
    }
    digits++;
  }
  if (i < end && (c === 101 || c === 69)) {
    // 'e' / 'E'
    i++;
    let exponentNegative = false;
    if (bytes[i] === 45 || bytes[i] === 43) exponentNegative = bytes[i++] === 45;
    let e = 0;
    for (; i < end; i++) {
      c = bytes[i];
      if (c < 48 || c > 57) break;
      if (e < 1e9) e = e * 10 + (c - 48); // past any line's digits: 0 or Infinity either way
    }
    q += exponentNegative ? -e : e;
  }
  if (digits === 0) return store(out, slot, negative ? -0 : 0);
  out[slot] = head;
  return convertDecimalInto(tail, tailScale, q, negative, out, slot);
}

/**
 * The double nearest w·10^q, w = head·tailScale + tail (head in `out[slot]`: exact, below 10^16;
 * tail < tailScale ≤ 10^4; 0 < w < 10^19), signed, into `out[slot]`; false where the algorithm
 * cannot decide (see decimalToDouble). Reading the digits is the caller's: readDecimalInto above,
 * and jsonlFast's readLongNumber, which reads a long number's digits once for syntax and value.
 */
export function convertDecimalInto(tail: number, tailScale: number, q: number, negative: boolean, out: Float64Array, slot: number): boolean {
  if (q < SMALLEST_POWER_OF_TEN) return store(out, slot, negative ? -0 : 0);
  if (q > LARGEST_POWER_OF_TEN) return store(out, slot, negative ? -Infinity : Infinity);
  const head = out[slot];

  // w's 32-bit halves: head·tailScale < 10^19 is not exact in a double, so split head first.
  const headHigh = Math.floor(head * INV_2_32);
  const lowPart = (head - headHigh * TWO_POW_32) * tailScale + tail; // < 2^32·10^4 (10^3 for a 16-digit head): exact
  const lowCarry = Math.floor(lowPart * INV_2_32);
  const wHigh = headHigh * tailScale + lowCarry;
  const wLow = lowPart - lowCarry * TWO_POW_32;
  // Normalise w so its top bit is bit 63.
  const lz = wHigh !== 0 ? Math.clz32(wHigh) : 32 + Math.clz32(wLow);
  let w1: number;
  let w0: number;
  if (lz >= 32) {
    w1 = (wLow << (lz - 32)) >>> 0;
    w0 = 0;
  } else if (lz > 0) {
    w1 = ((wHigh << lz) | (wLow >>> (32 - lz))) >>> 0;
    w0 = (wLow << lz) >>> 0;
  } else {
    w1 = wHigh;
    w0 = wLow;
  }

  const index = q - SMALLEST_POWER_OF_TEN;
  if (POW5_READY[index] === 0) fillPower(q);

  // The 128-bit product of w and the power's upper 64 bits, as four 32-bit words p3 p2 p1 p0, from
  // four 32×32-bit products: each one's low word exact by Math.imul, its high word from the double
  // product, whose rounding error (≤ 2^10 below 2^64, and as much again subtracting the low word)
  // is far below the 2^31 that Math.round forgives.
  const at = 4 * index;
  const b1 = POW5[at];
  const b0 = POW5[at + 1];
  const low00 = Math.imul(w0, b0) >>> 0;
  const high00 = Math.round((w0 * b0 - low00) * INV_2_32);
  const low01 = Math.imul(w0, b1) >>> 0;
  const high01 = Math.round((w0 * b1 - low01) * INV_2_32);
  const low10 = Math.imul(w1, b0) >>> 0;
  const high10 = Math.round((w1 * b0 - low10) * INV_2_32);
  const low11 = Math.imul(w1, b1) >>> 0;
  const high11 = Math.round((w1 * b1 - low11) * INV_2_32);
  // Column sums below 2^34, exact; ToUint32 (>>> 0) of an integer is its remainder mod 2^32.
  const column1 = high00 + low01 + low10;
  let p0 = low00;
  let p1 = column1 >>> 0;
  const column2 = high01 + high10 + low11 + (column1 - p1) * INV_2_32;
  let p2 = column2 >>> 0;
  let p3 = high11 + (column2 - p2) * INV_2_32;

  // The bits below the 55 kept (the double's 53, a rounding bit, and one for a leading zero) are all
  // ones: the power's lower 64 bits, left out so far, could carry into them. Add the upper half of
  // w times those (the lower half cannot reach the kept bits), as fast_float does.
  if ((p2 & 0x1ff) === 0x1ff) {
    FACTOR[0] = w1;
    FACTOR[1] = w0;
    mul64(at + 2);
    // (p1:p0) += the second product's upper words, the carry into (p3:p2).
    const a0 = p0 + PRODUCT[1];
    const e0 = a0 >= TWO_POW_32 ? 1 : 0;
    p0 = a0 - e0 * TWO_POW_32;
    const a1 = p1 + PRODUCT[0] + e0;
    const e1 = a1 >= TWO_POW_32 ? 1 : 0;
    p1 = a1 - e1 * TWO_POW_32;
    if (e1 !== 0) {
      if (p2 === TWO_POW_32 - 1) {
        p2 = 0;
        p3 += 1;
      } else p2 += 1;
    }
  }
  // Still all ones below: the truncated power may be short by one in the last place (older
  // fast_float's check); hand the number back.
  if (p1 === 0xffffffff && p0 === 0xffffffff) return false;

  const upperBit = p3 >>> 31;
  const shift = upperBit + 9;
  // The top 54 bits of the product: mantissaHigh (22 bits) · 2^32 + mantissaLow.
  const mantissaHigh = p3 >>> shift;
  const mantissaLow = ((p3 << (32 - shift)) | (p2 >>> shift)) >>> 0;
  // floor(q·log2 10) + 63 (Lemire's integer approximation, exact over this range of q).
  let power2 = ((217706 * q) >> 16) + 63 + upperBit - lz + 1023;

  if (power2 <= 0) {
    // Subnormal: shift the 54 bits right so the exponent is the smallest, then round.
    const s = -power2 + 1;
    if (s >= 54) return store(out, slot, negative ? -0 : 0);
    let x: number;
    let lowBit: number;
    if (s >= 32) {
      x = mantissaHigh >>> (s - 32);
      lowBit = x & 1;
    } else {
      x = mantissaHigh * 2 ** (32 - s) + (mantissaLow >>> s);
      lowBit = (mantissaLow >>> s) & 1;
    }
    const m = Math.floor(x / 2) + lowBit;
    const v = m * 2 ** -1074;
    return store(out, slot, negative ? -v : v);
  }
  // An exact product (5^q fits 64 bits, so the low half is 0 or 1) exactly halfway between two
  // doubles, the lower one even: round half to even means down, so the rounding bit is cleared.
  let roundBit = mantissaLow & 1;
  if (p1 === 0 && p0 <= 1 && q >= -4 && q <= 23 && (mantissaLow & 3) === 1 && (p2 & ((1 << shift) - 1)) === 0) roundBit = 0;
  // Round half up on the 54th bit: m in [2^52, 2^53]; 2^53 is the next binade's 2^52, the same value.
  const m = mantissaHigh * 2147483648 + (mantissaLow >>> 1) + roundBit;
  if (m >= 2 ** 53) power2++;
  const v = (m >= 2 ** 53 ? 2 ** 52 : m) * (pow2Table ??= makePow2Table())[power2 - 1]; // 2^(power2 − 1075): the table starts at 2^−1074
  return store(out, slot, negative ? -v : v);
}

function store(out: Float64Array, slot: number, v: number): true {
  out[slot] = v;
  return true;
}
