// Writes W&B `.wandb` transaction logs as W&B's DataStore does (wandb/sdk/internal/datastore.py):
// the 7-byte file header, then LevelDB-log chunks in 32 KiB blocks (FULL, or FIRST/MIDDLE…/LAST when a
// record does not fit the block), zero padding when < 7 bytes are left, each chunk checksummed with
// zlib's CRC-32 of type byte + data. Records are `wandb_internal.Record` protobufs with hand-placed
// field tags. Independent of the reader: Node's zlib.crc32 and its own framing loop.
import * as zlib from 'node:zlib';
import * as protobuf from 'protobufjs';

export const BLOCK = 32768;
const HEADER = 7;

export function crc32Ref(type: number, data: Uint8Array): number {
  return zlib.crc32(data, zlib.crc32(Buffer.from([type])));
}

/** Frame already-encoded records into a `.wandb` file; `blockSize` only for tests of the framing itself. */
export function wandbFile(records: Uint8Array[], options: { header?: boolean } = {}): Buffer {
  const out: Buffer[] = [];
  let index = 0;
  const write = (b: Buffer): void => {
    out.push(b);
    index += b.length;
  };
  if (options.header ?? true) write(Buffer.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]));
  const chunk = (type: number, data: Uint8Array): void => {
    const h = Buffer.alloc(HEADER);
    h.writeUInt32LE(crc32Ref(type, data), 0);
    h.writeUInt16LE(data.length, 4);
    h.writeUInt8(type, 6);
    write(Buffer.concat([h, Buffer.from(data)]));
  };
  for (const rec of records) {
    let left = BLOCK - (index % BLOCK);
    if (left < HEADER) {
      write(Buffer.alloc(left));
      left = BLOCK;
    }
    if (rec.length + HEADER <= left) {
      chunk(1, rec);
      continue;
    }
    let used = left - HEADER;
    chunk(2, rec.subarray(0, used));
    while (rec.length - used > BLOCK - HEADER) {
      chunk(3, rec.subarray(used, used + BLOCK - HEADER));
      used += BLOCK - HEADER;
    }
    chunk(4, rec.subarray(used));
  }
  return Buffer.concat(out);
}

/** An item {1 key | 2 nested_key…, 16 value_json}. */
function item(key: string | string[], valueJson: string): Uint8Array {
  const w = protobuf.Writer.create();
  if (Array.isArray(key)) for (const k of key) w.uint32((2 << 3) | 2).string(k);
  else w.uint32((1 << 3) | 2).string(key);
  w.uint32((16 << 3) | 2).string(valueJson);
  return w.finish();
}

export interface HistoryRow {
  /** key → JSON text of the value; keys with '/' are written as nested keys unless `flatKeys`. */
  items: [string, string][];
  /** HistoryStep.num; absent = no HistoryStep (old clients). */
  step?: number;
  flatKeys?: boolean;
}

function record(field: number, body: Uint8Array, num?: number): Uint8Array {
  const w = protobuf.Writer.create();
  if (num !== undefined) w.uint32((1 << 3) | 0).int64(num);
  w.uint32((field << 3) | 2).bytes(body);
  return w.finish();
}

/** Record{2 history{1 item…, 2 step{1 num}}}. */
export function historyRecord(row: HistoryRow, num?: number): Uint8Array {
  const h = protobuf.Writer.create();
  for (const [k, v] of row.items) h.uint32((1 << 3) | 2).bytes(item(row.flatKeys || !k.includes('/') ? k : k.split('/'), v));
  if (row.step !== undefined) {
    const s = protobuf.Writer.create();
    if (row.step !== 0) s.uint32((1 << 3) | 0).int64(row.step);
    h.uint32((2 << 3) | 2).bytes(s.finish());
  }
  return record(2, h.finish(), num);
}

/** Record{3 summary{1 update…}}. */
export function summaryRecord(items: [string, string][]): Uint8Array {
  const s = protobuf.Writer.create();
  for (const [k, v] of items) s.uint32((1 << 3) | 2).bytes(item(k, v));
  return record(3, s.finish());
}

/** Record{5 config{1 update…}}. */
export function configRecord(items: [string, string][]): Uint8Array {
  const s = protobuf.Writer.create();
  for (const [k, v] of items) s.uint32((1 << 3) | 2).bytes(item(k, v));
  return record(5, s.finish());
}

/** Record{12 metric{1 name | 2 glob_name, 4 step_metric}}. */
export function metricRecord(m: { name?: string; glob?: string; stepMetric?: string }): Uint8Array {
  const w = protobuf.Writer.create();
  if (m.name !== undefined) w.uint32((1 << 3) | 2).string(m.name);
  if (m.glob !== undefined) w.uint32((2 << 3) | 2).string(m.glob);
  if (m.stepMetric !== undefined) w.uint32((4 << 3) | 2).string(m.stepMetric);
  return record(12, w.finish());
}

/** Record{17 run{1 run_id, 8 display_name}}. */
export function runRecord(runId: string, displayName?: string): Uint8Array {
  const w = protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .string(runId);
  if (displayName !== undefined) w.uint32((8 << 3) | 2).string(displayName);
  return record(17, w.finish());
}

/** Record{18 exit{1 exit_code}}. */
export function exitRecord(code: number): Uint8Array {
  const w = protobuf.Writer.create();
  if (code !== 0) w.uint32((1 << 3) | 0).int32(code);
  return record(18, w.finish());
}

/** Record{7 stats{…}}: a record the reader must skip. */
export function statsRecord(): Uint8Array {
  const stats = protobuf.Writer.create()
    .uint32((3 << 3) | 2)
    .bytes(item('gpu.0.temp', '41'))
    .finish();
  return record(7, stats);
}
