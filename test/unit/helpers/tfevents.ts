// Writes TensorBoard event files as TensorFlow does: TFRecord framing (u64 length, masked CRC-32C of
// the length, data, masked CRC-32C of the data; TensorFlow record_writer.cc) around tensorflow.Event
// protobufs (event.proto / summary.proto field numbers). Independent of the reader: its own CRC table
// and hand-placed field tags, so a shared mistake cannot make both sides agree.
import * as protobuf from 'protobufjs';

const TABLE = (() => {
  const t: number[] = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t.push(c >>> 0);
  }
  return t;
})();

export function crc32cRef(bytes: Uint8Array): number {
  let c = ~0 >>> 0;
  for (const b of bytes) c = (TABLE[(c ^ b) & 0xff] ^ (c >>> 8)) >>> 0;
  return ~c >>> 0;
}

export function maskedCrcRef(bytes: Uint8Array): number {
  const c = crc32cRef(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord: header, data, footer. */
export function tfRecord(data: Uint8Array): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigUInt64LE(BigInt(data.length), 0);
  head.writeUInt32LE(maskedCrcRef(head.subarray(0, 8)), 8);
  const foot = Buffer.alloc(4);
  foot.writeUInt32LE(maskedCrcRef(data), 0);
  return Buffer.concat([head, Buffer.from(data), foot]);
}

/** How a scalar is stored in the Summary.Value. */
export type ScalarKind = 'simple' | 'tensor_content_f32' | 'float_val' | 'double_val' | 'tensor_content_f64' | 'half' | 'bfloat16';

export interface ScalarEvent {
  tag: string;
  step: number;
  value: number;
  kind?: ScalarKind;
  wallTime?: number;
  /** Write TF2's scalars plugin metadata (TF2 writes it on a tag's first event only). */
  metadata?: boolean;
}

function f16bits(x: number): number {
  // Round-to-nearest float32 → half, enough for test values in the normal range.
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 0x1f) return sign | 0x7c00;
  return sign | (exp << 10) | Math.round(mant / 8192);
}

function bf16bits(x: number): number {
  const f = new Float32Array([x]);
  return new Uint32Array(f.buffer)[0] >>> 16;
}

function tensor(w: protobuf.Writer, kind: ScalarKind, value: number): void {
  // TensorProto: 1 dtype, 2 tensor_shape (empty = rank 0), 4 tensor_content, 5 float_val, 6 double_val, 13 half_val.
  const t = protobuf.Writer.create();
  const dtype = kind === 'double_val' || kind === 'tensor_content_f64' ? 2 : kind === 'half' ? 19 : kind === 'bfloat16' ? 14 : 1;
  t.uint32((1 << 3) | 0).int32(dtype);
  t.uint32((2 << 3) | 2).bytes(new Uint8Array(0));
  if (kind === 'tensor_content_f32') {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    t.uint32((4 << 3) | 2).bytes(b);
  } else if (kind === 'tensor_content_f64') {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    t.uint32((4 << 3) | 2).bytes(b);
  } else if (kind === 'float_val') {
    t.uint32((5 << 3) | 2)
      .fork()
      .float(value)
      .ldelim();
  } else if (kind === 'double_val') {
    t.uint32((6 << 3) | 2)
      .fork()
      .double(value)
      .ldelim();
  } else if (kind === 'half') {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(f16bits(value));
    t.uint32((4 << 3) | 2).bytes(b);
  } else if (kind === 'bfloat16') {
    t.uint32((13 << 3) | 2)
      .fork()
      .int32(bf16bits(value))
      .ldelim();
  }
  w.uint32((8 << 3) | 2).bytes(t.finish());
}

/** The value a reader should give back for `value` stored as `kind` (precision lost on the way). */
export function storedValue(value: number, kind: ScalarKind = 'simple'): number {
  if (kind === 'double_val' || kind === 'tensor_content_f64') return value;
  if (kind === 'bfloat16') {
    const u = new Uint32Array([bf16bits(value) << 16]);
    return new Float32Array(u.buffer)[0];
  }
  if (kind === 'half') {
    const h = f16bits(value);
    const exp = (h >> 10) & 0x1f;
    const s = h & 0x8000 ? -1 : 1;
    if (exp === 0) return s * (h & 0x3ff) * 2 ** -24;
    return s * (1 + (h & 0x3ff) / 1024) * 2 ** (exp - 15);
  }
  return Math.fround(value);
}

/** Event{1 wall_time, 2 step, 5 summary{1 value{1 tag, 2 simple_value | 8 tensor, 9 metadata}}}. */
export function scalarEvent(e: ScalarEvent): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 1).double(e.wallTime ?? 1_700_000_000 + e.step);
  w.uint32((2 << 3) | 0).int64(e.step);
  const v = protobuf.Writer.create();
  v.uint32((1 << 3) | 2).string(e.tag);
  const kind = e.kind ?? 'simple';
  if (kind === 'simple') v.uint32((2 << 3) | 5).float(e.value);
  else tensor(v, kind, e.value);
  if (e.metadata) {
    // SummaryMetadata{1 plugin_data{1 plugin_name "scalars"}}
    const pd = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .string('scalars')
      .finish();
    const md = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(pd)
      .finish();
    v.uint32((9 << 3) | 2).bytes(md);
  }
  const summary = protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .bytes(v.finish())
    .finish();
  w.uint32((5 << 3) | 2).bytes(summary);
  return w.finish();
}

/** Event{1 wall_time, 3 file_version "brain.Event:2"}: the first record of every file. */
export function fileVersionEvent(wallTime = 1_700_000_000): Uint8Array {
  return protobuf.Writer.create()
    .uint32((1 << 3) | 1)
    .double(wallTime)
    .uint32((3 << 3) | 2)
    .string('brain.Event:2')
    .finish();
}

/** Event{2 step, 7 session_log{1 status START}}. */
export function sessionStartEvent(step: number, wallTime = 1_700_000_000): Uint8Array {
  const sl = protobuf.Writer.create()
    .uint32((1 << 3) | 0)
    .int32(1)
    .finish();
  return protobuf.Writer.create()
    .uint32((1 << 3) | 1)
    .double(wallTime)
    .uint32((2 << 3) | 0)
    .int64(step)
    .uint32((7 << 3) | 2)
    .bytes(sl)
    .finish();
}

/** A whole event file: the file_version record then one record per scalar. */
export function eventFile(events: ScalarEvent[], wallTime = 1_700_000_000): Buffer {
  return Buffer.concat([tfRecord(fileVersionEvent(wallTime)), ...events.map((e) => tfRecord(scalarEvent(e)))]);
}
