// TensorBoard event files (`events.out.tfevents.*`): TFRecord framing around `tensorflow.Event`
// protobufs. Scalars come as legacy `simple_value` or as rank-0 tensors (TF2, PyTorch new_style).
import type * as Protobuf from 'protobufjs';
import { emptyResult, int64, isLossRole, metricRole, type ProtoInt64, type ReadResult } from './common';
import { Crc32cFixedRun, maskedCrc32c } from './crc';
import { appendPoint, ColumnBatch, growColumn, type ColumnSlot, type MetricColumn } from './metricColumns';
import type { MetricPoint } from './types';

/**
 * The subset of the public schemas that scalars need. Field numbers from tensorflow/core/util/event.proto
 * (Event, SessionLog), tensorflow/core/framework/summary.proto (Summary, Value, SummaryMetadata),
 * tensor.proto, tensor_shape.proto and types.proto. Fields left out (graph_def 4, image 4, histo 5,
 * audio 6, …) are skipped by length without being decoded, which keeps image-heavy files cheap.
 */
const SCHEMA = `
syntax = "proto3";
package sl;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
    SessionLog session_log = 7;
  }
}
message SessionLog {
  int32 status = 1; // 0 STATUS_UNSPECIFIED, 1 START, 2 STOP, 3 CHECKPOINT
}
message Summary { repeated Value value = 1; }
message Value {
  string node_name = 7;
  string tag = 1;
  SummaryMetadata metadata = 9;
  oneof value {
    float simple_value = 2;
    TensorProto tensor = 8;
  }
}
message SummaryMetadata {
  PluginData plugin_data = 1;
  int32 data_class = 4; // 1 = DATA_CLASS_SCALAR
}
message PluginData { string plugin_name = 1; }
message TensorShapeProto {
  message Dim { int64 size = 1; }
  repeated Dim dim = 2;
}
message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  bytes tensor_content = 4;
  repeated int32 half_val = 13;
  repeated float float_val = 5;
  repeated double double_val = 6;
  repeated int32 int_val = 7;
  repeated int64 int64_val = 10;
}
`;

/** The Event type, built on first use: protobufjs and the schema cost a cold start that reads no event file. */
let eventType: Protobuf.Type | undefined;
function EventType(): Protobuf.Type {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  eventType ??= (require('protobufjs') as typeof Protobuf).parse(SCHEMA, { keepCase: true }).root.lookupType('sl.Event');
  return eventType;
}

/** tensorflow DataType values (types.proto). */
const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_INT32 = 3;
const DT_INT64 = 9;
const DT_BFLOAT16 = 14;
const DT_HALF = 19;
const SESSION_START = 1;
const DATA_CLASS_SCALAR = 1;

/** Records larger than this are taken as a corrupt length (a real event of this size would be a huge image). */
const MAX_RECORD_BYTES = 512 * 1024 * 1024;
const HEADER_BYTES = 12;
const FLOAT_BYTES = 4;
const FOOTER_BYTES = 4;
/** What TfEventsReader.frame returns for a record still being written, and when framing is lost. */
const FRAME_INCOMPLETE = -1;
const FRAME_STOPPED = -2;

interface TensorMsg {
  dtype?: number;
  tensor_shape?: { dim?: unknown[] } | null;
  tensor_content?: Uint8Array | null;
  half_val?: number[];
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  int64_val?: ProtoInt64[];
}
interface ValueMsg {
  tag?: string;
  node_name?: string;
  metadata?: { plugin_data?: { plugin_name?: string } | null; data_class?: number } | null;
  value?: 'simple_value' | 'tensor';
  simple_value?: number;
  tensor?: TensorMsg | null;
}
interface EventMsg {
  wall_time?: number;
  step?: ProtoInt64;
  what?: 'file_version' | 'summary' | 'session_log';
  summary?: { value?: ValueMsg[] } | null;
  session_log?: { status?: number } | null;
}

/** IEEE half precision bits → number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bits (the top half of a float32) → number. */
export function bfloat16ToNumber(bits: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, (bits & 0xffff) << 16, false);
  return b.getFloat32(0, false);
}

/** The first element of a numeric tensor, or a reason it has none. */
function tensorScalar(t: TensorMsg): number | string {
  const dtype = t.dtype ?? 0;
  const c = t.tensor_content;
  if (c != null && c.length > 0) {
    const v = new DataView(c.buffer, c.byteOffset, c.byteLength);
    const need = dtype === DT_DOUBLE || dtype === DT_INT64 ? 8 : dtype === DT_HALF || dtype === DT_BFLOAT16 ? 2 : 4;
    if (c.length < need) return `tensor_content has ${c.length} bytes, dtype ${dtype} needs ${need}`;
    switch (dtype) {
      case DT_FLOAT:
        return v.getFloat32(0, true);
      case DT_DOUBLE:
        return v.getFloat64(0, true);
      case DT_HALF:
        return halfToNumber(v.getUint16(0, true));
      case DT_BFLOAT16:
        return bfloat16ToNumber(v.getUint16(0, true));
      case DT_INT32:
        return v.getInt32(0, true);
      case DT_INT64:
        return Number(v.getBigInt64(0, true));
      default:
        return `unsupported tensor dtype ${dtype}`;
    }
  }
  if (t.float_val?.length) return t.float_val[0];
  if (t.double_val?.length) return t.double_val[0];
  // half_val holds the raw 16 bits of DT_HALF and DT_BFLOAT16 values.
  if (t.half_val?.length) return dtype === DT_BFLOAT16 ? bfloat16ToNumber(t.half_val[0]) : halfToNumber(t.half_val[0]);
  if (t.int_val?.length) return t.int_val[0];
  if (t.int64_val?.length) return int64(t.int64_val[0]);
  return 'tensor has no value';
}

/** Whether the record's bytes from `at` are `t`'s fixed bytes, 4 bytes, then its trail bytes, to the record's end (the caller has checked the length). */
function matchesTemplate(t: RecentTag, bytes: Uint8Array, view: DataView, at: number): boolean {
  const words = t.fixedWords;
  let j = 0;
  while (j < words.length && view.getInt32(at + 4 * j, true) === words[j]) j++;
  if (j < words.length) return false;
  const fixed = t.fixedBytes;
  for (j *= 4; j < fixed.length; j++) if (bytes[at + j] !== fixed[j]) return false;
  const trail = t.trailBytes;
  const trailAt = at + fixed.length + FLOAT_BYTES;
  for (let k = 0; k < trail.length; k++) if (bytes[trailAt + k] !== trail[k]) return false;
  return true;
}

/** A hash of `bytes[start, end)` (a tag's), read four at a time: the key its template is kept by (a record is still compared with it). */
function bytesKey(bytes: Uint8Array, view: DataView, start: number, end: number): number {
  let h = Math.imul(end - start, 0x9e3779b1);
  let j = start;
  for (; j + 4 <= end; j += 4) h = Math.imul(h ^ view.getInt32(j, true), 0x9e3779b1);
  for (; j < end; j++) h = Math.imul(h ^ bytes[j], 0x9e3779b1);
  return h;
}

/** The key of a TF2 template: the summary field's length and the bytes where its tag would be (as many as `bytes[summaryStart + 5]` says). */
function tensorKey(bytes: Uint8Array, view: DataView, summaryStart: number, end: number): number {
  const tagStart = summaryStart + 6;
  return bytesKey(bytes, view, tagStart, Math.min(end, tagStart + (bytes[summaryStart + 5] ?? 0))) ^ (end - summaryStart);
}

/** A tag readSimpleScalar read: its bytes (and as little-endian 32-bit words), text and column. */
interface RecentTag {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
  readonly text: string;
  /**
   * Its records' bytes from the summary field up to the value's bits (`Summary{Value{tag}}`, the
   * same in every record of the tag), and as little-endian 32-bit words: one comparison tells such
   * a record's layout and tag. With what they do to the data CRC.
   */
  readonly fixedBytes: Uint8Array;
  readonly fixedWords: Int32Array;
  /** Bytes after the value, the same in every record (a TF2 tensor's SummaryMetadata; none for a simple_value). */
  readonly trailBytes: Uint8Array;
  readonly fixed: Crc32cFixedRun;
  /** Its column in the read that last used it (ColumnBatch hands out a new one per read). */
  slot: ColumnSlot | undefined;
}

/** The shortest and longest Summary{Value{tag}} prefix readSimpleScalar reads (a tag of 1–118 bytes: each length in one byte). */
const MAX_FIXED_BYTES = 125;
const MIN_FIXED_BYTES = 8;
/** Tags (and TF2 templates) kept by key: per-layer metrics can be hundreds of tags; past it they are learned again. */
const MAX_TEMPLATES = 4096;
/** The longest summary field (its length in one byte) a TF2 tensor template covers. */
const MAX_SUMMARY_BYTES = 0x7f + 2;
/** Value{8 tensor} as TF2 writes a float32 scalar: TensorProto{1 dtype DT_FLOAT, 2 shape {}, 4 tensor_content of 4 bytes}, up to the content. */
const F32_TENSOR_HEAD = [0x42, 0x0a, 0x08, DT_FLOAT, 0x12, 0x00, 0x22, 0x04];

/** Slots of the length-CRC cache (direct-mapped by the low bits of a record's length). */
const LENGTH_CRC_SLOTS = 256;

/** What decoding one chunk of an event file gives. */
export interface TfEventsResult extends ReadResult {
  /** Bytes of the chunk that form complete records (the rest is a record still being written). */
  consumed: number;
  /** A bad length CRC (or absurd length) was found: the rest of the file cannot be framed, reading stopped. */
  stopped: boolean;
}

/** What `pushColumns` gives: the points in columns (`points` stays empty). */
export interface TfEventsColumnResult extends TfEventsResult {
  columns: MetricColumn[];
  /**
   * A SessionLog START ended this part of the chunk: after the columns, drop every series' points at
   * steps ≥ this (TensorBoard's purge), then call again from `consumed` for the rest.
   */
  restartAfter: number | undefined;
}

/**
 * Incremental decoder of one event file. Feed it the file's bytes in order (`pushColumns(bytes, offsetOfBytes0)`);
 * it decodes the complete records and reports how many bytes it consumed, so the caller keeps the
 * remainder (a record still being written) for the next call. Never throws.
 *
 * Policy as in TensorBoard's rustboard (tensorboard/data/server/tf_record.rs): a bad length CRC stops
 * the file (framing is lost); a bad data CRC is reported and the record is still read.
 */
export class TfEventsReader {
  private stopped = false;
  /** Per tag: whether its first summary said it is a scalar (TF2 writes metadata on the first event only). */
  private readonly tagKinds = new Map<string, boolean>();
  private readonly warnedTags = new Set<string>();
  /** Tags readSimpleScalar read, by `bytesKey` of their bytes (cleared by reset, as tagKinds is). */
  private tagsByKey = new Map<number, RecentTag>();
  /** By the length of its fixed bytes, the tag last read with that length: usually the record's own. */
  private tagsByFixedLength = new Array<RecentTag | undefined>(MAX_FIXED_BYTES + 1).fill(undefined);
  /**
   * By the length of its summary field, a TF2 float32 scalar record of a tag as protobufjs read it
   * (`learnTensorScalar`): a record whose bytes equal it but for wall_time, step and the value reads the same.
   */
  private tensorScalars = new Array<RecentTag | undefined>(MAX_SUMMARY_BYTES + 1).fill(undefined);
  /** Every template by `tensorKey` (tags of one length written in turn share a slot of tensorScalars). */
  private tensorScalarsByKey = new Map<number, RecentTag>();
  /** Where the value of the record readSimpleScalar last read is. */
  private scalarValueAt = 0;
  /** The step and value of the record readSimpleScalar last read, and where its summary field starts. */
  private scalarStep = 0;
  private scalarValue = 0;
  private scalarSummaryStart = 0;
  /**
   * Masked length CRCs by record length (a file's records take few lengths): the CRC of the 8 length
   * bytes is a function of the length, so a length seen before is checked by one comparison.
   */
  private readonly lengthCrcKeys = new Int32Array(LENGTH_CRC_SLOTS).fill(-1);
  private readonly lengthCrcs = new Int32Array(LENGTH_CRC_SLOTS);
  /** Output columns of `pushColumns` (places are byte offsets), reused from call to call. */
  private readonly batch = new ColumnBatch('offset');
  /** wall_time of the first event, to order several event files of one run. */
  firstWallTime: number | undefined;
  records = 0;

  /** `fastScalars: false` reads every record with protobufjs (tests compare the two paths). */
  constructor(
    readonly file: string,
    private readonly options: { fastScalars?: boolean } = {},
  ) {}

  reset(): void {
    this.stopped = false;
    this.tagKinds.clear();
    this.tagsByKey.clear();
    this.tagsByFixedLength.fill(undefined);
    this.tensorScalars.fill(undefined);
    this.tensorScalarsByKey.clear();
    this.warnedTags.clear();
    this.firstWallTime = undefined;
    this.records = 0;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Decodes the complete records of `bytes` from `from` into columns (no object per point). A
   * SessionLog START ends the call after its record (`restartAfter`), so the caller applies the
   * columns, then the restart, then calls again from `consumed`.
   */
  pushColumns(bytes: Uint8Array, offset: number, from = 0): TfEventsColumnResult {
    const out: TfEventsColumnResult = { ...emptyResult(), consumed: from, stopped: this.stopped, columns: [], restartAfter: undefined };
    const batch = this.batch;
    batch.start(bytes.length - from);
    out.columns = batch.out;
    if (this.stopped) {
      out.consumed = bytes.length;
      return out;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fast = this.options.fastScalars !== false;
    const slow = emptyResult();
    let pos = from;
    while (bytes.length - pos >= HEADER_BYTES) {
      const end = this.frame(bytes, view, pos, offset, out);
      if (end === FRAME_STOPPED) {
        out.consumed = bytes.length;
        return out;
      }
      if (end === FRAME_INCOMPLETE) break;
      const at = offset + pos;
      const dataStart = pos + HEADER_BYTES;
      const dataEnd = end - FOOTER_BYTES;
      const dataCrc = view.getUint32(dataEnd, true);
      const tag = fast ? this.readSimpleScalar(bytes, view, dataStart, dataEnd) : undefined;
      this.records++;
      pos = end;
      if (tag !== undefined) {
        // The data CRC, reading only the bytes before the summary and the value (the rest is the tag's).
        if (tag.fixed.maskedCrc32c(bytes, dataStart, this.scalarSummaryStart, this.scalarValueAt, view) !== dataCrc) this.badDataCrc(out, at);
        // The tag's column in this read, kept with the tag: no map look-up per point. appendPoint
        // inline, as JSONL's emitColumns does (under tsx, in tests and the bench, each call of an
        // imported function goes through a getter).
        let slot = tag.slot;
        if (slot === undefined || slot.batch !== batch.id) tag.slot = slot = batch.column(tag.text);
        const n = slot.length;
        if (n === slot.steps.length) growColumn(slot);
        const step = this.scalarStep;
        if (n > 0 && !(step > slot.steps[n - 1])) slot.rising = false;
        slot.steps[n] = step;
        slot.values[n] = this.scalarValue;
        slot.places[n] = at;
        slot.length = n + 1;
        continue;
      }
      if (maskedCrc32c(bytes, dataStart, dataEnd, view) !== dataCrc) this.badDataCrc(out, at);
      this.decodeEvent(bytes.subarray(dataStart, dataEnd), at, slow);
      if (fast && slow.points.length === 1 && slow.diagnostics.length === 0 && slow.nonFinite.length === 0 && slow.restarts === undefined)
        this.learnTensorScalar(bytes, view, dataStart, dataEnd, slow.points[0]);
      for (const p of slow.points) appendPoint(batch.column(p.metric), p.step, p.value, at);
      for (const d of slow.diagnostics) out.diagnostics.push(d);
      for (const e of slow.nonFinite) out.nonFinite.push(e);
      const restart = slow.restarts?.[0];
      slow.points.length = 0;
      slow.diagnostics.length = 0;
      slow.nonFinite.length = 0;
      slow.restarts = undefined;
      if (restart !== undefined) {
        out.restartAfter = restart.step;
        break;
      }
    }
    out.consumed = pos;
    return out;
  }

  /**
   * Checks the record header at `bytes[pos]`: returns where the record ends (past its footer),
   * FRAME_INCOMPLETE when its bytes are still being written, or FRAME_STOPPED (reported in `out`)
   * when framing is lost. The caller checks the data CRC (a bad one is reported, the record still read).
   */
  private frame(bytes: Uint8Array, view: DataView, pos: number, offset: number, out: ReadResult & { stopped: boolean }): number {
    const at = offset + pos;
    const lenLo = view.getUint32(pos, true);
    const lenHi = view.getUint32(pos + 4, true);
    const lengthCrc = view.getInt32(pos + 8, true);
    let expected: number;
    if (lenHi === 0 && lenLo <= MAX_RECORD_BYTES) {
      const slot = lenLo & (LENGTH_CRC_SLOTS - 1);
      if (this.lengthCrcKeys[slot] !== lenLo) {
        this.lengthCrcKeys[slot] = lenLo;
        this.lengthCrcs[slot] = maskedCrc32c(bytes, pos, pos + 8, view);
      }
      expected = this.lengthCrcs[slot];
    } else expected = maskedCrc32c(bytes, pos, pos + 8, view) | 0;
    if (expected !== lengthCrc) {
      this.stop(
        out,
        at,
        `bad length CRC in the record header at byte ${at}; the rest of the file (${bytes.length - pos} bytes read so far) cannot be framed and is ignored`,
      );
      return FRAME_STOPPED;
    }
    const length = lenHi * 2 ** 32 + lenLo;
    if (length > MAX_RECORD_BYTES) {
      this.stop(out, at, `record at byte ${at} claims ${length} bytes; reading stopped`);
      return FRAME_STOPPED;
    }
    const end = pos + HEADER_BYTES + length + FOOTER_BYTES;
    if (end > bytes.length) return FRAME_INCOMPLETE;
    return end;
  }

  private badDataCrc(out: ReadResult, at: number): void {
    out.diagnostics.push({ file: this.file, offset: at, severity: 'warning', message: `bad data CRC in the record at byte ${at}; read anyway` });
  }

  /**
   * The commonest record, read without protobufjs: one scalar as `add_scalar` writes it,
   * Event{1 wall_time, 2 step, 5 Summary{1 Value{1 tag, 2 simple_value}}}, fields in that order
   * (wall_time and step may be absent: proto3 leaves out zeros), an ASCII tag and a finite value.
   * Returns its tag, with its step and value in scalarStep and scalarValue, after storing what
   * decodeEvent + decodeValue store for it besides the point; undefined (nothing stored) for any
   * other record, which then takes decodeEvent.
   */
  private readSimpleScalar(bytes: Uint8Array, view: DataView, start: number, end: number): RecentTag | undefined {
    let i = start;
    let wall = 0;
    let step = 0;
    if (i < end && bytes[i] === 0x09) {
      // field 1, fixed64: wall_time (read while the file's first is not known)
      if (i + 9 > end) return undefined;
      if (this.firstWallTime === undefined) wall = view.getFloat64(i + 1, true);
      i += 9;
    }
    if (i < end && bytes[i] === 0x10) {
      // field 2, varint: step (int64; up to 7 bytes here, 2^49, else protobufjs reads it)
      i++;
      let shift = 1;
      let b = 0x80;
      for (let n = 0; n < 7 && i < end && b & 0x80; n++, i++) {
        b = bytes[i];
        step += (b & 0x7f) * shift;
        shift *= 128;
      }
      if (b & 0x80) return undefined;
    }
    // field 5, length-delimited: summary, the last field of the record
    const summaryStart = i;
    const fixedLength = end - FLOAT_BYTES - i;
    if (fixedLength < MIN_FIXED_BYTES || fixedLength > MAX_FIXED_BYTES) return undefined;
    // The commonest case: the record is one of the tag last read with this layout (its fixed bytes compared four at a time).
    const last = this.tagsByFixedLength[fixedLength];
    if (last !== undefined && matchesTemplate(last, bytes, view, i)) return this.scalarRead(last, view, summaryStart, end - FLOAT_BYTES, step, wall);
    // A TF2 float32 tensor scalar, as one read before with the same bytes but for wall_time, step and the value.
    const summaryLength = end - i;
    const tensor = summaryLength <= MAX_SUMMARY_BYTES ? this.tensorScalars[summaryLength] : undefined;
    if (tensor !== undefined) {
      if (matchesTemplate(tensor, bytes, view, i)) return this.scalarRead(tensor, view, summaryStart, i + tensor.fixedBytes.length, step, wall);
      const t = this.tensorScalarsByKey.get(tensorKey(bytes, view, i, end));
      if (t !== undefined && t !== tensor && t.fixedBytes.length + FLOAT_BYTES + t.trailBytes.length === summaryLength && matchesTemplate(t, bytes, view, i)) {
        this.tensorScalars[summaryLength] = t;
        return this.scalarRead(t, view, summaryStart, i + t.fixedBytes.length, step, wall);
      }
    }
    if (i + 2 > end || bytes[i] !== 0x2a || bytes[i + 1] !== end - i - 2 || bytes[i + 1] > 0x7f) return undefined;
    i += 2;
    // Summary field 1: a single Value, the rest of the summary
    if (i + 2 > end || bytes[i] !== 0x0a || bytes[i + 1] !== end - i - 2 || bytes[i + 1] > 0x7f) return undefined;
    i += 2;
    // Value field 1: tag
    if (i + 2 > end || bytes[i] !== 0x0a) return undefined;
    const tagLength = bytes[i + 1];
    if (tagLength === 0 || tagLength > 0x7f) return undefined;
    const tagStart = i + 2;
    const tagEnd = tagStart + tagLength;
    // Value field 2, fixed32: simple_value, closing the record
    if (tagEnd + 5 !== end || bytes[tagEnd] !== 0x15) return undefined;
    const value = view.getFloat32(tagEnd + 1, true);
    if (!Number.isFinite(value)) return undefined;
    const tag = this.knownTag(bytes, view, tagStart, tagEnd);
    if (tag === undefined) return undefined;
    this.tagsByFixedLength[fixedLength] = tag;
    return this.scalarRead(tag, view, summaryStart, tagEnd + 1, step, wall);
  }

  /** readSimpleScalar's answer for a record of `tag` whose value is at `valueAt`: undefined (nothing stored) when not finite. */
  private scalarRead(tag: RecentTag, view: DataView, summaryStart: number, valueAt: number, step: number, wall: number): RecentTag | undefined {
    const value = view.getFloat32(valueAt, true);
    // v - v is 0 for a finite v and NaN otherwise (as JSONL's emitColumns).
    if (value - value !== 0) return undefined;
    if (this.firstWallTime === undefined && wall > 0) this.firstWallTime = wall;
    this.scalarStep = step;
    this.scalarValue = value;
    this.scalarSummaryStart = summaryStart;
    this.scalarValueAt = valueAt;
    return tag;
  }

  /**
   * After protobufjs read `bytes[start, end)` as the one point `point` (no diagnostic): when the
   * record is a TF2 float32 scalar, Event{wall_time, step, Summary{Value{tag, tensor{DT_FLOAT, shape {},
   * 4 bytes}, metadata?}}}, keep its bytes after the step as a template. A later record equal to it but
   * for wall_time, step and the 4 value bytes decodes to that tag's point at its own step and value:
   * the tag's kind cannot change (tagKinds is set once; a tensor tag's setting drops the templates).
   */
  private learnTensorScalar(bytes: Uint8Array, view: DataView, start: number, end: number, point: MetricPoint): void {
    let i = start;
    if (i < end && bytes[i] === 0x09) i += 9;
    if (i < end && bytes[i] === 0x10) {
      // As readSimpleScalar reads the step: up to 7 bytes.
      i++;
      let n = 0;
      for (; n < 6 && i < end && bytes[i] & 0x80; n++) i++;
      if (i >= end || bytes[i] & 0x80) return;
      i++;
    }
    const summaryLength = end - i;
    if (summaryLength > MAX_SUMMARY_BYTES || summaryLength < 6) return;
    if (bytes[i] !== 0x2a || bytes[i + 1] !== summaryLength - 2 || bytes[i + 2] !== 0x0a || bytes[i + 3] !== summaryLength - 4 || bytes[i + 4] !== 0x0a) return;
    const tagLength = bytes[i + 5];
    const tagStart = i + 6;
    const tagEnd = tagStart + tagLength;
    if (tagLength === 0 || tagEnd + F32_TENSOR_HEAD.length + FLOAT_BYTES > end) return;
    for (let k = 0; k < F32_TENSOR_HEAD.length; k++) if (bytes[tagEnd + k] !== F32_TENSOR_HEAD[k]) return;
    const valueAt = tagEnd + F32_TENSOR_HEAD.length;
    const trailStart = valueAt + FLOAT_BYTES;
    // Nothing after the tensor, or one SummaryMetadata field to the end (it cannot change the tensor read).
    if (trailStart !== end && (bytes[trailStart] !== 0x4a || trailStart + 2 > end || bytes[trailStart + 1] !== end - trailStart - 2)) return;
    let text = '';
    for (let j = tagStart; j < tagEnd; j++) {
      if (bytes[j] >= 0x80) return;
      text += String.fromCharCode(bytes[j]);
    }
    if (text !== point.metric || !Object.is(point.value, view.getFloat32(valueAt, true))) return;
    // Copies (a Buffer's slice is a view, and the read's buffer is reused).
    const fixed = new Uint8Array(bytes.subarray(i, valueAt));
    const trail = new Uint8Array(bytes.subarray(trailStart, end));
    const fixedView = new DataView(fixed.buffer);
    const tagBytes = new Uint8Array(bytes.subarray(tagStart, tagEnd));
    const tagView = new DataView(tagBytes.buffer);
    const template: RecentTag = {
      bytes: tagBytes,
      words: new Int32Array(tagLength >> 2).map((_, j) => tagView.getInt32(4 * j, true)),
      text,
      fixedBytes: fixed,
      fixedWords: new Int32Array(fixed.length >> 2).map((_, j) => fixedView.getInt32(4 * j, true)),
      trailBytes: trail,
      fixed: new Crc32cFixedRun(fixed, trail),
      slot: undefined,
    };
    this.tensorScalars[summaryLength] = template;
    if (this.tensorScalarsByKey.size >= MAX_TEMPLATES) this.tensorScalarsByKey.clear();
    this.tensorScalarsByKey.set(tensorKey(bytes, view, i, end), template);
  }

  /**
   * The tag read before whose bytes are `bytes[start, end)` (found by key, compared four at a time), or a new
   * one for an ASCII tag (undefined otherwise). A new tag is marked a scalar in tagKinds when it
   * has no kind yet, as decodeValue does for a simple_value; a tag seen before already has one.
   */
  private knownTag(bytes: Uint8Array, view: DataView, start: number, end: number): RecentTag | undefined {
    const length = end - start;
    const key = bytesKey(bytes, view, start, end);
    const known = this.tagsByKey.get(key);
    if (known !== undefined && known.bytes.length === length) {
      const words = known.words;
      let j = 0;
      while (j < words.length && view.getInt32(start + 4 * j, true) === words[j]) j++;
      if (j === words.length) {
        j *= 4;
        while (j < length && bytes[start + j] === known.bytes[j]) j++;
        if (j === length) return known;
      }
    }
    let text = '';
    for (let j = start; j < end; j++) {
      const c = bytes[j];
      if (c >= 0x80) return undefined;
      text += String.fromCharCode(c);
    }
    const tagBytes = new Uint8Array(bytes.subarray(start, end));
    const tagView = new DataView(tagBytes.buffer);
    const words = new Int32Array(length >> 2).map((_, j) => tagView.getInt32(4 * j, true));
    // Summary{1 Value{1 tag, 2 simple_value}} up to the value's bits, as readSimpleScalar matched it.
    const fixed = new Uint8Array(length + 7);
    fixed.set([0x2a, length + 9, 0x0a, length + 7, 0x0a, length]);
    fixed.set(tagBytes, 6);
    fixed[length + 6] = 0x15;
    const fixedView = new DataView(fixed.buffer);
    const tag: RecentTag = {
      bytes: tagBytes,
      words,
      text,
      fixedBytes: fixed,
      fixedWords: new Int32Array(fixed.length >> 2).map((_, j) => fixedView.getInt32(4 * j, true)),
      trailBytes: new Uint8Array(0),
      fixed: new Crc32cFixedRun(fixed),
      slot: undefined,
    };
    if (!this.tagKinds.has(text)) this.tagKinds.set(text, true);
    if (this.tagsByKey.size >= MAX_TEMPLATES) this.tagsByKey.clear();
    this.tagsByKey.set(key, tag);
    return tag;
  }

  private stop(out: ReadResult & { stopped: boolean }, at: number, message: string): void {
    this.stopped = true;
    out.stopped = true;
    out.diagnostics.push({ file: this.file, offset: at, severity: 'error', message });
  }

  private decodeEvent(data: Uint8Array, at: number, out: ReadResult): void {
    let ev: EventMsg;
    try {
      ev = EventType().decode(data) as unknown as EventMsg;
    } catch (e) {
      out.diagnostics.push({
        file: this.file,
        offset: at,
        severity: 'warning',
        message: `record at byte ${at} is not a tensorflow.Event (${e instanceof Error ? e.message : String(e)}); skipped`,
      });
      return;
    }
    const wall = ev.wall_time ?? 0;
    if (this.firstWallTime === undefined && wall > 0) this.firstWallTime = wall;
    const step = int64(ev.step);
    if (ev.what === 'session_log' && ev.session_log?.status === SESSION_START) {
      // TensorBoard's purge rule: a restart at step s orphans what was written before at steps ≥ s.
      (out.restarts ??= []).push({ beforePoint: out.points.length, step });
      return;
    }
    if (ev.what !== 'summary') return;
    for (const v of ev.summary?.value ?? []) {
      try {
        this.decodeValue(v, step, at, out);
      } catch (e) {
        // Defensive: a decoded message of an unexpected shape must not stop the file.
        out.diagnostics.push({
          file: this.file,
          offset: at,
          severity: 'warning',
          message: `record at byte ${at}: cannot read a summary value (${e instanceof Error ? e.message : String(e)}); skipped`,
        });
      }
    }
  }

  private decodeValue(v: ValueMsg, step: number, at: number, out: ReadResult): void {
    const tag = v.tag || v.node_name || '';
    if (tag === '') return;
    let value: number | string;
    if (v.value === 'simple_value') {
      value = v.simple_value ?? 0;
      if (!this.tagKinds.has(tag)) this.tagKinds.set(tag, true);
    } else if (v.value === 'tensor' && v.tensor != null) {
      const md = v.metadata;
      if (md != null && !this.tagKinds.has(tag)) {
        const plugin = md.plugin_data?.plugin_name;
        this.tagKinds.set(tag, plugin === 'scalars' || md.data_class === DATA_CLASS_SCALAR);
        // A template read before this tag had a kind read it as a scalar.
        this.tensorScalars.fill(undefined);
        this.tensorScalarsByKey.clear();
      }
      if (this.tagKinds.get(tag) === false) return;
      const rank = v.tensor.tensor_shape?.dim?.length ?? 0;
      if (rank !== 0) return; // histograms, images, text: not scalars
      value = tensorScalar(v.tensor);
    } else {
      return; // image, histogram, audio: skipped
    }
    if (typeof value === 'string') {
      if (!this.warnedTags.has(tag)) {
        this.warnedTags.add(tag);
        out.diagnostics.push({ file: this.file, offset: at, severity: 'warning', message: `${tag} at step ${step}: ${value}; value dropped` });
      }
      return;
    }
    if (!Number.isFinite(value)) {
      const role = metricRole(tag);
      const loss = isLossRole(role);
      out.nonFinite.push({ metric: tag, role, step });
      out.diagnostics.push({
        file: this.file,
        offset: at,
        severity: loss ? 'error' : 'warning',
        message: `${tag} is ${value} at step ${step}${loss ? ' (loss went non-finite; run diverged)' : ''}; value dropped`,
      });
      return;
    }
    out.points.push({ metric: tag, step, value, offset: at });
  }
}
