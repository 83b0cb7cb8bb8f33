// Checksums of the binary log framings: CRC-32C for TFRecord (TensorBoard event files) and the
// zlib CRC-32 that W&B's LevelDB-style log uses, each with its format's mask.

/** CRC-32C (Castagnoli) table, reflected polynomial 0x82F63B78. */
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of `bytes[start, end)`. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC32C_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The mask TFRecord and LevelDB put on stored CRCs (so a CRC of data holding CRCs stays well mixed):
 * rotate right by 15 bits and add 0xa282ead8 (tensorboard/data/server/masked_crc.rs; leveldb util/crc32c.h).
 */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Masked CRC-32C of `bytes[start, end)`, as a TFRecord header or footer stores it. */
export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return maskCrc(crc32c(bytes, start, end));
}
