// Checksums of the binary log framings: CRC-32C for TFRecord (TensorBoard event files) and the
// zlib CRC-32 that W&B's LevelDB-style log uses, each with its format's mask.

/**
 * CRC-32C (Castagnoli) tables for the reflected polynomial 0x82F63B78, slicing-by-8: table k (at
 * offset 256·k) gives the CRC of a byte followed by k zero bytes, so eight bytes are folded with
 * eight independent look-ups (the "slicing-by-8" method of M. E. Kounavis and F. L. Berry, Intel,
 * 2005). Table 0 is the classic byte-at-a-time table.
 */
const CRC32C_TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[256 * (k - 1) + n];
      t[256 * k + n] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
})();

/** CRC-32C of `bytes[start, end)`; `view`, a DataView over `bytes`, lets it load eight bytes as two little-endian words. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, view?: DataView): number {
  return (crc32cUpdate(0xffffffff, bytes, start, end, view) ^ 0xffffffff) >>> 0;
}

/**
 * The CRC-32C register after `bytes[start, end)` from register `state`, without the initial and
 * final inversion: crc32c(b) = ~crc32cUpdate(~0, b), and a record's CRC can be taken in parts.
 */
function crc32cUpdate(state: number, bytes: Uint8Array, start: number, end: number, view?: DataView): number {
  const t = CRC32C_TABLES;
  let c = state;
  let i = start;
  if (view !== undefined) {
    for (; i + 8 <= end; i += 8) {
      c ^= view.getInt32(i, true);
      const high = view.getInt32(i + 4, true);
      c =
        t[1792 + (c & 0xff)] ^
        t[1536 + ((c >>> 8) & 0xff)] ^
        t[1280 + ((c >>> 16) & 0xff)] ^
        t[1024 + (c >>> 24)] ^
        t[768 + (high & 0xff)] ^
        t[512 + ((high >>> 8) & 0xff)] ^
        t[256 + ((high >>> 16) & 0xff)] ^
        t[high >>> 24];
    }
    if (i + 4 <= end) {
      c ^= view.getInt32(i, true);
      c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
      i += 4;
    }
  }
  for (; i + 8 <= end; i += 8) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c =
      t[1792 + (c & 0xff)] ^
      t[1536 + ((c >>> 8) & 0xff)] ^
      t[1280 + ((c >>> 16) & 0xff)] ^
      t[1024 + (c >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/** Zero-byte tables by count (a file's tags share a few lengths). */
const zerosTables = new Map<number, Uint32Array>();

/** A table that moves a CRC-32C register past `zeroBytes` zero bytes in four look-ups (`skipZeros`). */
function zerosTable(zeroBytes: number): Uint32Array {
  let zeros = zerosTables.get(zeroBytes);
  if (zeros === undefined) {
    const t = CRC32C_TABLES;
    zeros = new Uint32Array(4 * 256);
    for (let lane = 0; lane < 4; lane++) {
      for (let b = 0; b < 256; b++) {
        let c = b << (8 * lane);
        for (let k = 0; k < zeroBytes; k++) c = t[c & 0xff] ^ (c >>> 8);
        zeros[256 * lane + b] = c >>> 0;
      }
    }
    zerosTables.set(zeroBytes, zeros);
  }
  return zeros;
}

function skipZeros(c: number, z: Uint32Array): number {
  return z[c & 0xff] ^ z[256 + ((c >>> 8) & 0xff)] ^ z[512 + ((c >>> 16) & 0xff)] ^ z[768 + (c >>> 24)];
}

/**
 * Bytes that records repeat around a 4-byte field (`fixed`, the field, then `trail`), and what they
 * do to a CRC-32C register: the register is linear in the register before and in the bytes, so the
 * register after them from register r is zeros(r) ^ register ^ the field's own term (moved past
 * `trail`), where `zeros` moves r past as many zero bytes in four look-ups. A record whose bytes are
 * fixed but for a few fields is then checked without reading the fixed ones (`maskedCrc32c`).
 */
export class Crc32cFixedRun {
  private readonly zeros: Uint32Array;
  /** Moves the field's term past `trail` (undefined when there is none). */
  private readonly trailZeros: Uint32Array | undefined;
  /** `fixed`, four zero bytes and `trail` from register 0 (the field's own term is added per record). */
  private readonly register: number;

  constructor(fixed: Uint8Array, trail: Uint8Array = new Uint8Array(0)) {
    this.zeros = zerosTable(fixed.length + 4 + trail.length);
    this.trailZeros = trail.length > 0 ? zerosTable(trail.length) : undefined;
    this.register = crc32cUpdate(word(crc32cUpdate(0, fixed, 0, fixed.length), 0), trail, 0, trail.length);
  }

  /**
   * Masked CRC-32C of a record from `start` whose bytes from `fixedStart` are this run's fixed bytes
   * (the caller has matched them; they are not read), its 4-byte field at `fieldAt`, then its trail.
   */
  maskedCrc32c(bytes: Uint8Array, start: number, fixedStart: number, fieldAt: number, view: DataView): number {
    const before = skipZeros(crc32cUpdate(0xffffffff, bytes, start, fixedStart, view), this.zeros);
    const field = word(0, view.getInt32(fieldAt, true));
    const trailZeros = this.trailZeros;
    return maskCrc((before ^ this.register ^ (trailZeros === undefined ? field : skipZeros(field, trailZeros)) ^ 0xffffffff) >>> 0);
  }
}

/** The CRC-32C register after four bytes, `w` (little-endian), from register `state`. */
function word(state: number, w: number): number {
  const t = CRC32C_TABLES;
  const c = state ^ w;
  return t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
}

/**
 * The mask TFRecord and LevelDB put on stored CRCs (so a CRC of data holding CRCs stays well mixed):
 * rotate right by 15 bits and add 0xa282ead8 (tensorboard/data/server/masked_crc.rs; leveldb util/crc32c.h).
 */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Masked CRC-32C of `bytes[start, end)`, as a TFRecord header or footer stores it. */
export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length, view?: DataView): number {
  return maskCrc(crc32c(bytes, start, end, view));
}

/** zlib CRC-32 (reflected polynomial 0xEDB88320), byte at a time. */
const CRC32_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** zlib CRC-32 of `bytes[start, end)`, preceded by `firstByte` when given (W&B checksums a chunk's type byte with its data). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, firstByte?: number): number {
  let c = 0xffffffff;
  if (firstByte !== undefined) c = CRC32_TABLE[(c ^ firstByte) & 0xff] ^ (c >>> 8);
  for (let i = start; i < end; i++) c = CRC32_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
