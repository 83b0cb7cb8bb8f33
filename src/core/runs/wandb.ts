// Weights & Biases run folders (`wandb/run-<date>-<id>/`, `wandb/offline-run-<date>-<id>/`):
//   run-<id>.wandb              the transaction log: every history row, summary and config update
//   files/config.yaml           `wandb_version: 1`, each key `{desc, value}`, `_wandb` internals
//   files/wandb-summary.json    the last values (written near the end)
//   wandb-history.jsonl         one JSON row per `wandb.log`, written only by pre-0.10 clients
//                               (then in the run folder itself, not in files/)
// `wandb/latest-run` is a symlink to one of the run folders; a resumed run gets a new folder with the
// same id. This module decodes the `.wandb` framing and records; the run index groups the files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Protobuf from 'protobufjs';
import type { Diagnostic } from '../diagnostics';
import type { MetricPoint, MetricRole } from './types';
import {
  TOKEN_KEYS,
  coerceNumber,
  emptyResult,
  flattenRecord,
  int64,
  isLossRole,
  isPlainObject,
  parseJsonLenient,
  shorten,
  type ProtoInt64,
  type ReadResult,
} from './common';
import { readParamsYaml } from './hparams';
import { slashedKeyRole } from './dvclive';
import { STEP_KEY_NAMES, stepKeyReading } from './vocabulary';
import { crc32 } from './crc';

// ---- framing -----------------------------------------------------------------------------------
// W&B's DataStore (wandb/wandb, wandb/sdk/internal/datastore.py at 0552ec8a): LevelDB log format
// (google/leveldb doc/log_format.md) after a 7-byte file header ":W&B", uint16 LE 0xBEE1, uint8 0.
// Blocks of 32768 bytes; each chunk has a 7-byte header: uint32 LE checksum, uint16 LE length,
// uint8 type (1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST). Unlike LevelDB the checksum is zlib's CRC-32 (not
// CRC-32C) of the type byte followed by the data, and it is not masked. A block's last < 7 bytes are
// zero padding. The file header counts towards the first block.

export const WANDB_BLOCK_BYTES = 32768;
export const WANDB_CHUNK_HEADER_BYTES = 7;
export const WANDB_FILE_HEADER = Uint8Array.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]);
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

/** zlib CRC-32 of `type || bytes[start, end)`, as W&B stores it in each chunk header. */
export function wandbChunkCrc(type: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32(bytes, start, end, type);
}

// ---- records -----------------------------------------------------------------------------------
/**
 * The part of `wandb_internal.Record` that history needs. Field numbers from wandb/wandb
 * wandb/proto/wandb_internal.proto (at 00243053): Record{num 1, history 2, summary 3, config 5,
 * metric 12, run 17, exit 18}; HistoryRecord{item 1, step 2}; HistoryStep{num 1};
 * HistoryItem/SummaryItem/ConfigItem{key 1, nested_key 2, value_json 16};
 * SummaryRecord/ConfigRecord{update 1, remove 2}; MetricRecord{name 1, glob_name 2, step_metric 4};
 * RunRecord{run_id 1, project 3, config 4, display_name 8, starting_step 14, resumed 18};
 * RunExitRecord{exit_code 1, runtime 2}. Everything else (stats, output, files, telemetry, …) is
 * skipped by length.
 */
const SCHEMA = `
syntax = "proto3";
package wb;
message Record {
  int64 num = 1;
  oneof record_type {
    HistoryRecord history = 2;
    ItemsRecord summary = 3;
    ItemsRecord config = 5;
    MetricRecord metric = 12;
    RunRecord run = 17;
    RunExitRecord exit = 18;
  }
}
message HistoryStep { int64 num = 1; }
message HistoryRecord { repeated Item item = 1; HistoryStep step = 2; }
message Item { string key = 1; repeated string nested_key = 2; string value_json = 16; }
message ItemsRecord { repeated Item update = 1; repeated Item remove = 2; }
message MetricRecord { string name = 1; string glob_name = 2; string step_metric = 4; }
message RunRecord {
  string run_id = 1;
  string project = 3;
  ItemsRecord config = 4;
  string display_name = 8;
  int64 starting_step = 14;
  bool resumed = 18;
}
message RunExitRecord { int32 exit_code = 1; int32 runtime = 2; }
`;

/** The Record type, built on first use: protobufjs and the schema cost a cold start that reads no W&B file. */
let recordType: Protobuf.Type | undefined;
function RecordType(): Protobuf.Type {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  recordType ??= (require('protobufjs') as typeof Protobuf).parse(SCHEMA, { keepCase: true }).root.lookupType('wb.Record');
  return recordType;
}

interface ItemMsg {
  key?: string;
  nested_key?: string[];
  value_json?: string;
}
interface ItemsMsg {
  update?: ItemMsg[];
  remove?: ItemMsg[];
}
interface RecordMsg {
  record_type?: 'history' | 'summary' | 'config' | 'metric' | 'run' | 'exit';
  history?: { item?: ItemMsg[]; step?: { num?: ProtoInt64 } | null } | null;
  summary?: ItemsMsg | null;
  config?: ItemsMsg | null;
  metric?: { name?: string; glob_name?: string; step_metric?: string } | null;
  run?: { run_id?: string; project?: string; config?: ItemsMsg | null; display_name?: string; starting_step?: ProtoInt64; resumed?: boolean } | null;
  exit?: { exit_code?: number; runtime?: number } | null;
}

function itemKey(item: ItemMsg): string {
  return item.nested_key && item.nested_key.length > 0 ? item.nested_key.join('/') : (item.key ?? '');
}

// ---- steps -------------------------------------------------------------------------------------

/**
 * Keys a training loop logs as its own optimizer step: Lightning's WandbLogger (`trainer/global_step`),
 * HF's WandbCallback (`train/global_step`), nanoGPT (`iter`), custom loops. W&B's `_step` counts
 * `wandb.log` calls, which differs from the optimizer step as soon as train and eval rows are logged
 * separately, so these win over it.
 */
export const WANDB_STEP_KEYS: readonly string[] = STEP_KEY_NAMES.filter((k) => (stepKeyReading(k)?.rank ?? 9) < 5);
const STEP_KEY_SET = new Set(WANDB_STEP_KEYS);

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** Where a point is in the source file, for diagnostics. */
type Where = { offset: number } | { line: number };

/**
 * Turns W&B history rows into points, with the same step rules for the `.wandb` log, old
 * `wandb-history.jsonl` files and the summary. x of a row, first that applies:
 *  1. the metric's own step metric from `define_metric(name|glob, step_metric=…)` (with step_sync:
 *     its last logged value when the row lacks it);
 *  2. a training-step key (WANDB_STEP_KEYS) in the row, or its last value once the run has used one;
 *  3. the row's HistoryStep (`wandb.log(step=…)`, current SDKs);
 *  4. its `_step` item when that is a non-negative integer (older SDKs; other values are ignored);
 *  5. the previous row's step + 1 (how W&B numbers rows itself).
 */
export class WandbRows {
  private readonly stepMetricByName = new Map<string, string>();
  private readonly stepMetricByGlob: { re: RegExp; glob: string; stepMetric: string }[] = [];
  private readonly lastValue = new Map<string, number>();
  private stepKey: string | undefined;
  private lastStep = -1;
  private told = new Set<string>();
  /** Role and step metric per key, computed once (a run logs the same few keys for every row). */
  private readonly keyInfo = new Map<string, { role: MetricRole; stepMetric: string | undefined }>();

  constructor(readonly file: string) {}

  reset(): void {
    this.stepMetricByName.clear();
    this.stepMetricByGlob.length = 0;
    this.lastValue.clear();
    this.stepKey = undefined;
    this.lastStep = -1;
    this.told.clear();
    this.keyInfo.clear();
  }

  /** A `define_metric` record. */
  defineMetric(name: string, glob: string, stepMetric: string): void {
    if (stepMetric === '') return;
    this.keyInfo.clear();
    if (name !== '') this.stepMetricByName.set(name, stepMetric);
    else if (glob !== '' && !this.stepMetricByGlob.some((g) => g.glob === glob)) this.stepMetricByGlob.push({ re: globToRegExp(glob), glob, stepMetric });
  }

  private stepMetricOf(metric: string): string | undefined {
    const byName = this.stepMetricByName.get(metric);
    if (byName !== undefined) return byName;
    for (const g of this.stepMetricByGlob) if (g.re.test(metric)) return g.stepMetric;
    return undefined;
  }

  private diag(out: ReadResult, where: Where, severity: Diagnostic['severity'], message: string): void {
    out.diagnostics.push({ file: this.file, ...where, severity, message });
  }

  private once(key: string, out: ReadResult, where: Where, message: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    this.diag(out, where, 'info', message);
  }

  /**
   * One history row (keys already joined with '/', values parsed from JSON). `historyStep` is the
   * record's HistoryStep when it has one. Points go to `out`.
   */
  row(values: Map<string, unknown>, historyStep: number | undefined, where: Where, out: ReadResult): void {
    const numeric = new Map<string, number>();
    for (const [k, v] of values) {
      if (typeof v === 'number' && Number.isFinite(v)) numeric.set(k, v);
    }
    // 2. training-step key
    let x: number | undefined;
    for (const k of WANDB_STEP_KEYS) {
      const v = numeric.get(k);
      if (v !== undefined) {
        if (this.stepKey !== k) {
          if (this.stepKey === undefined) this.once(`key:${k}`, out, where, `x axis is the logged "${k}" (the training step), not W&B's _step`);
          this.stepKey = this.stepKey ?? k;
        }
        if (k === this.stepKey) {
          x = v;
          break;
        }
      }
    }
    if (x === undefined && this.stepKey !== undefined) x = this.lastValue.get(this.stepKey);
    // 3.–5.
    if (x === undefined && historyStep !== undefined) x = historyStep;
    if (x === undefined && values.has('_step')) {
      const raw = values.get('_step');
      if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) x = raw;
      else this.diag(out, where, 'warning', `_step is not a non-negative integer (${shorten(JSON.stringify(raw) ?? String(raw), 30)}); ignored`);
    }
    if (x === undefined) {
      x = this.lastStep + 1;
      this.once('implicit', out, where, 'history row without a step: placed at the previous step + 1, as W&B numbers rows');
    }
    this.lastStep = historyStep ?? (typeof values.get('_step') === 'number' && Number.isInteger(values.get('_step')) ? (values.get('_step') as number) : x);
    for (const [k, v] of numeric) this.lastValue.set(k, v);

    let tokens: number | undefined;
    for (const k of TOKEN_KEYS) {
      const v = numeric.get(k);
      if (v !== undefined) {
        tokens = v;
        break;
      }
    }
    for (const [key, raw] of values) {
      if (key.startsWith('_') || STEP_KEY_SET.has(key) || raw === null || raw === undefined) continue;
      let info = this.keyInfo.get(key);
      if (info === undefined) {
        info = { role: slashedKeyRole(key), stepMetric: this.stepMetricOf(key) };
        this.keyInfo.set(key, info);
      }
      const role = info.role;
      let step = x;
      const sm = info.stepMetric;
      if (sm !== undefined && sm !== key) {
        const v = numeric.get(sm) ?? this.lastValue.get(sm);
        if (v !== undefined) step = v;
      }
      const c = coerceNumber(raw, role !== 'other');
      if (c.kind === 'number') {
        const p: MetricPoint = { metric: key, step, value: c.value, role, ...where };
        if (tokens !== undefined) p.tokens = tokens;
        out.points.push(p);
      } else if (c.kind === 'nonfinite') {
        const loss = isLossRole(role);
        out.nonFinite.push({ metric: key, role, step, ...('line' in where ? { line: where.line } : {}) });
        this.diag(
          out,
          where,
          loss ? 'error' : 'warning',
          `${key} is ${c.text} at step ${step}${loss ? ' (loss went non-finite; run diverged)' : ''}; value dropped`,
        );
      }
    }
  }
}

/** Flatten one logged value under its key: plain nested objects become `key/sub`; W&B media (`_type`) are skipped. */
function addValue(values: Map<string, unknown>, key: string, value: unknown): void {
  if (key.startsWith('_')) {
    values.set(key, value); // W&B's own keys (`_step`, `_runtime`) are kept whole, to be judged as they are
    return;
  }
  if (isPlainObject(value)) {
    if ('_type' in value) return; // histogram, image, table, …: not a scalar
    for (const [k, v] of flattenRecord(value, key)) values.set(k, v);
    return;
  }
  if (Array.isArray(value)) return;
  values.set(key, value);
}

// ---- the .wandb reader -------------------------------------------------------------------------

/** Facts of the run from its log besides the curve. */
export interface WandbRunInfo {
  runId?: string;
  displayName?: string;
  project?: string;
  resumed?: boolean;
  startingStep?: number;
  /** Present once the run's exit record was read. */
  exitCode?: number;
  /** Config from the log's config/run records (the same values as files/config.yaml), flattened with '/'. */
  config: Map<string, unknown>;
}

export interface WandbLogResult extends ReadResult {
  /** Bytes of the chunk that were used (the rest is a chunk still being written). */
  consumed: number;
  /** The file is not a W&B log (bad file header): nothing more is read. */
  stopped: boolean;
}

/**
 * Incremental decoder of one `.wandb` file: feed it the file's bytes in order with their file offset;
 * it returns what it consumed, so the caller keeps the rest (a chunk still being written) for the next
 * call. Never throws. A chunk with a bad CRC is dropped and reading goes on after it (its length is
 * trusted when it fits the block); a header that cannot be a chunk skips to the next block, where
 * framing resumes (LevelDB's recovery rule). Every drop is reported with its byte offset.
 */
export class WandbLogReader {
  private headerDone = false;
  private stopped = false;
  /** Absolute offset before which bytes are skipped (resynchronising at a block boundary). */
  private skipUntil = 0;
  private pending: { parts: Uint8Array[]; start: number } | undefined;
  private readonly rows: WandbRows;
  readonly info: WandbRunInfo = { config: new Map() };
  records = 0;
  /** Offset of the first zero-filled block tail seen (a half-written or preallocated file). */
  private zeroFillReported = false;

  constructor(readonly file: string) {
    this.rows = new WandbRows(file);
    this.firstWallTime = runFolderStartTime(wandbRunDir(file));
  }

  /**
   * When the run folder was started (seconds, from its `run-<YYYYMMDD_HHMMSS>-<id>` name): orders the
   * folders of a resumed run, whose later folder rewrites the steps it logs again. Undefined otherwise.
   */
  readonly firstWallTime: number | undefined;

  get isStopped(): boolean {
    return this.stopped;
  }

  reset(): void {
    this.headerDone = false;
    this.stopped = false;
    this.skipUntil = 0;
    this.pending = undefined;
    this.rows.reset();
    this.info.config.clear();
    for (const k of ['runId', 'displayName', 'project', 'resumed', 'startingStep', 'exitCode'] as const) delete this.info[k];
    this.records = 0;
    this.zeroFillReported = false;
  }

  push(bytes: Uint8Array, offset: number): WandbLogResult {
    const out: WandbLogResult = { ...emptyResult(), consumed: 0, stopped: this.stopped };
    if (this.stopped) {
      out.consumed = bytes.length;
      return out;
    }
    try {
      this.frame(bytes, offset, out);
    } catch (e) {
      // Defensive: framing is bounds-checked; a bug must still not stop the index.
      out.diagnostics.push({
        file: this.file,
        offset: offset + out.consumed,
        severity: 'error',
        message: `internal error while reading the W&B log: ${e instanceof Error ? e.message : String(e)}`,
      });
      out.consumed = bytes.length;
    }
    return out;
  }

  private frame(bytes: Uint8Array, offset: number, out: WandbLogResult): void {
    let pos = 0;
    if (!this.headerDone) {
      if (offset !== 0) {
        this.stop(out, offset, 'the W&B log was not read from its start; reading stopped');
        out.consumed = bytes.length;
        return;
      }
      if (bytes.length < WANDB_FILE_HEADER.length) return; // header still being written
      if (!WANDB_FILE_HEADER.subarray(0, 6).every((b, i) => bytes[i] === b)) {
        this.stop(out, 0, `not a W&B transaction log (the file does not start with ":W&B" and magic 0xBEE1); ignored`);
        out.consumed = bytes.length;
        return;
      }
      if (bytes[6] !== 0)
        out.diagnostics.push({
          file: this.file,
          offset: 6,
          severity: 'warning',
          message: `W&B log format version ${bytes[6]} (this reader knows version 0); reading anyway`,
        });
      this.headerDone = true;
      pos = WANDB_FILE_HEADER.length;
    }
    if (offset + pos < this.skipUntil) pos = Math.min(bytes.length, this.skipUntil - offset);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (pos < bytes.length) {
      const at = offset + pos;
      const blockLeft = WANDB_BLOCK_BYTES - (at % WANDB_BLOCK_BYTES);
      if (blockLeft < WANDB_CHUNK_HEADER_BYTES) {
        if (bytes.length - pos < blockLeft) break; // padding still being written
        pos += blockLeft;
        continue;
      }
      if (bytes.length - pos < WANDB_CHUNK_HEADER_BYTES) break;
      const crc = view.getUint32(pos, true);
      const length = view.getUint16(pos + 4, true);
      const type = bytes[pos + 6];
      if (crc === 0 && length === 0 && type === 0) {
        // Zero fill (a half-written or preallocated file): nothing more in this block.
        const available = Math.min(blockLeft, bytes.length - pos);
        let zeros = true;
        for (let i = pos; i < pos + available; i++) if (bytes[i] !== 0) zeros = false;
        if (zeros && available < blockLeft) break; // may still be overwritten: wait
        if (!this.zeroFillReported) {
          this.zeroFillReported = true;
          out.diagnostics.push({
            file: this.file,
            offset: at,
            severity: 'info',
            message: `zero-filled bytes from byte ${at} to the end of its block; skipped`,
          });
        }
        if (!zeros) this.dropPending(out, at, 'zero-filled block tail');
        pos = this.skipTo(at + blockLeft, offset, bytes.length);
        continue;
      }
      if (type < FULL || type > LAST || WANDB_CHUNK_HEADER_BYTES + length > blockLeft) {
        out.diagnostics.push({
          file: this.file,
          offset: at,
          severity: 'warning',
          message: `bad chunk header at byte ${at} (type ${type}, length ${length}); skipped to the next block at byte ${at + blockLeft}`,
        });
        this.dropPending(out, at, 'bad chunk header');
        pos = this.skipTo(at + blockLeft, offset, bytes.length);
        continue;
      }
      const end = pos + WANDB_CHUNK_HEADER_BYTES + length;
      if (end > bytes.length) break; // chunk still being written
      const dataStart = pos + WANDB_CHUNK_HEADER_BYTES;
      if (wandbChunkCrc(type, bytes, dataStart, end) !== crc) {
        out.diagnostics.push({
          file: this.file,
          offset: at,
          severity: 'warning',
          message: `bad CRC in the chunk at byte ${at} (${length} bytes); record dropped`,
        });
        this.dropPending(out, at, 'bad CRC');
        pos = end;
        continue;
      }
      const data = bytes.subarray(dataStart, end);
      if (type === FULL) {
        this.dropPending(out, at, 'a new record began');
        this.decode(data, at, out);
      } else if (type === FIRST) {
        this.dropPending(out, at, 'a new record began');
        this.pending = { parts: [Uint8Array.from(data)], start: at };
      } else if (this.pending === undefined) {
        out.diagnostics.push({
          file: this.file,
          offset: at,
          severity: 'warning',
          message: `${type === MIDDLE ? 'MIDDLE' : 'LAST'} chunk at byte ${at} without a FIRST; skipped`,
        });
      } else {
        this.pending.parts.push(Uint8Array.from(data));
        if (type === LAST) {
          const whole = Buffer.concat(this.pending.parts);
          const start = this.pending.start;
          this.pending = undefined;
          this.decode(whole, start, out);
        }
      }
      pos = end;
    }
    out.consumed = pos;
  }

  private skipTo(target: number, offset: number, length: number): number {
    this.skipUntil = target;
    return Math.min(length, target - offset);
  }

  private dropPending(out: ReadResult, at: number, why: string): void {
    if (this.pending === undefined) return;
    out.diagnostics.push({
      file: this.file,
      offset: this.pending.start,
      severity: 'warning',
      message: `record split across chunks from byte ${this.pending.start} is incomplete (${why} at byte ${at}); dropped`,
    });
    this.pending = undefined;
  }

  private stop(out: WandbLogResult, at: number, message: string): void {
    this.stopped = true;
    out.stopped = true;
    out.diagnostics.push({ file: this.file, offset: at, severity: 'error', message });
  }

  private decode(data: Uint8Array, at: number, out: ReadResult): void {
    this.records++;
    let rec: RecordMsg;
    try {
      rec = RecordType().decode(data) as unknown as RecordMsg;
    } catch (e) {
      out.diagnostics.push({
        file: this.file,
        offset: at,
        severity: 'warning',
        message: `record at byte ${at} is not a wandb_internal.Record (${shorten(e instanceof Error ? e.message : String(e), 80)}); skipped`,
      });
      return;
    }
    try {
      this.apply(rec, at, out);
    } catch (e) {
      out.diagnostics.push({
        file: this.file,
        offset: at,
        severity: 'warning',
        message: `record at byte ${at}: cannot read it (${shorten(e instanceof Error ? e.message : String(e), 80)}); skipped`,
      });
    }
  }

  private parseItems(items: ItemMsg[] | undefined, at: number, out: ReadResult, into: Map<string, unknown>, flatten: boolean): void {
    for (const item of items ?? []) {
      const key = itemKey(item);
      if (key === '') continue;
      let value: unknown;
      try {
        value = parseJsonLenient(item.value_json ?? '');
      } catch {
        out.diagnostics.push({
          file: this.file,
          offset: at,
          severity: 'warning',
          message: `${shorten(key, 40)}: value is not JSON (${shorten(item.value_json ?? '', 30)}); skipped`,
        });
        continue;
      }
      if (flatten) addValue(into, key, value);
      else into.set(key, value);
    }
  }

  private apply(rec: RecordMsg, at: number, out: ReadResult): void {
    const where = { offset: at };
    switch (rec.record_type) {
      case 'history': {
        const h = rec.history;
        if (h == null) return;
        const values = new Map<string, unknown>();
        this.parseItems(h.item, at, out, values, true);
        const step = h.step != null ? int64(h.step.num) : undefined;
        this.rows.row(values, step, where, out);
        return;
      }
      case 'config':
        this.applyConfig(rec.config, at, out);
        return;
      case 'run': {
        const r = rec.run;
        if (r == null) return;
        if (r.run_id) this.info.runId = r.run_id;
        if (r.display_name) this.info.displayName = r.display_name;
        if (r.project) this.info.project = r.project;
        if (r.resumed) this.info.resumed = true;
        const starting = int64(r.starting_step);
        if (starting > 0) this.info.startingStep = starting;
        this.applyConfig(r.config, at, out);
        return;
      }
      case 'metric': {
        const m = rec.metric;
        if (m != null) this.rows.defineMetric(m.name ?? '', m.glob_name ?? '', m.step_metric ?? '');
        return;
      }
      case 'exit':
        this.info.exitCode = rec.exit?.exit_code ?? 0;
        return;
      default:
        return; // summary: the last values, already in history
    }
  }

  private applyConfig(cfg: ItemsMsg | null | undefined, at: number, out: ReadResult): void {
    if (cfg == null) return;
    const updates = new Map<string, unknown>();
    this.parseItems(cfg.update, at, out, updates, false);
    for (const [k, v] of updates) {
      if (k === '_wandb') continue;
      // config items are `{desc, value}` in old clients, bare values in new ones.
      const value = isPlainObject(v) && 'value' in v && Object.keys(v).every((x) => x === 'value' || x === 'desc') ? v.value : v;
      for (const old of [...this.info.config.keys()]) if (old === k || old.startsWith(`${k}/`)) this.info.config.delete(old);
      if (isPlainObject(value)) for (const [fk, fv] of flattenRecord(value, k)) this.info.config.set(fk, fv);
      else this.info.config.set(k, value);
    }
    for (const item of cfg.remove ?? []) {
      const k = itemKey(item);
      for (const old of [...this.info.config.keys()]) if (old === k || old.startsWith(`${k}/`)) this.info.config.delete(old);
    }
  }
}

/** Decode a whole `.wandb` file at once (what the incremental reader gives for the file in one piece). */
export function parseWandbLog(bytes: Uint8Array, file: string): WandbLogResult & { info: WandbRunInfo } {
  const reader = new WandbLogReader(file);
  const res = reader.push(bytes, 0);
  if (!res.stopped && res.consumed < bytes.length) {
    res.diagnostics.push({
      file,
      offset: res.consumed,
      severity: 'info',
      message: `${bytes.length - res.consumed} bytes at the end form an incomplete chunk (file still being written?)`,
    });
  }
  return { ...res, info: reader.info };
}

// ---- wandb-history.jsonl (pre-0.10 clients) ----------------------------------------------------

/** Incremental reader of an old client's `wandb-history.jsonl` (one row per line, `_step` in each). Never throws. */
export class WandbHistoryReader {
  private readonly rows: WandbRows;

  constructor(readonly file: string) {
    this.rows = new WandbRows(file);
  }

  reset(): void {
    this.rows.reset();
  }

  push(lines: string[], firstLineNumber: number): ReadResult {
    const out = emptyResult();
    for (let i = 0; i < lines.length; i++) {
      const ln = firstLineNumber + i;
      const line = lines[i].trim();
      if (line === '') continue;
      let row: unknown;
      try {
        row = parseJsonLenient(line);
      } catch (e) {
        out.diagnostics.push({
          file: this.file,
          line: ln,
          severity: 'warning',
          message: `line ${ln} is not valid JSON (${shorten(e instanceof Error ? e.message : String(e), 60)}); skipped`,
        });
        continue;
      }
      if (!isPlainObject(row)) {
        out.diagnostics.push({ file: this.file, line: ln, severity: 'warning', message: `line ${ln} is not a JSON object; skipped` });
        continue;
      }
      const values = new Map<string, unknown>();
      for (const [k, v] of Object.entries(row)) addValue(values, k, v);
      this.rows.row(values, undefined, { line: ln }, out);
    }
    return out;
  }

  /** A line still being written is not shown: the next read has it whole. */
  peek(): MetricPoint[] {
    return [];
  }
}

// ---- summary and config ------------------------------------------------------------------------

/**
 * `wandb-summary.json`: the last value of each metric, at the row's step (same rules as history). The
 * index uses it only for a run folder without history (synced and cleaned, or a run that logged none).
 */
export function parseWandbSummary(text: string, file: string): ReadResult {
  const out = emptyResult();
  let doc: unknown;
  try {
    doc = parseJsonLenient(text.trim() === '' ? '{}' : text);
  } catch (e) {
    out.diagnostics.push({
      file,
      line: 1,
      severity: 'warning',
      message: `wandb-summary.json is not valid JSON (${shorten(e instanceof Error ? e.message : String(e), 60)}); ignored`,
    });
    return out;
  }
  if (!isPlainObject(doc)) {
    out.diagnostics.push({ file, line: 1, severity: 'warning', message: 'wandb-summary.json is not a JSON object; ignored' });
    return out;
  }
  const values = new Map<string, unknown>();
  for (const [k, v] of Object.entries(doc)) addValue(values, k, v);
  if ([...values.keys()].every((k) => k.startsWith('_'))) {
    out.diagnostics.push({ file, line: 1, severity: 'info', message: 'summary has no metrics (the run logged no history)' });
    return out;
  }
  new WandbRows(file).row(values, undefined, { line: 1 }, out);
  return out;
}

/**
 * `config.yaml` of a run: `{desc, value}` wrappers unwrapped, W&B's own `_wandb` and `wandb_version`
 * dropped. Never throws.
 */
export function readWandbConfig(text: string, file: string): { params: Map<string, unknown>; diagnostics: Diagnostic[] } {
  const { params, diagnostics } = readParamsYaml(text, file, true);
  for (const k of [...params.keys()]) if (k === 'wandb_version' || k === '_wandb' || k.startsWith('_wandb/')) params.delete(k);
  return { params, diagnostics };
}

// ---- files and folders -------------------------------------------------------------------------

export type WandbFileKind = 'log' | 'history' | 'summary';

/** Which W&B file this is, by name; undefined for other files. */
export function wandbFileKind(filePath: string): WandbFileKind | undefined {
  const base = path.basename(filePath);
  if (base.endsWith('.wandb')) return 'log';
  if (base === 'wandb-history.jsonl') return 'history';
  if (base === 'wandb-summary.json') return 'summary';
  return undefined;
}

const RUN_FOLDER = /^(?:offline-)?run-(\d{8}_\d{6})-(.+)$/;

/** Start time in seconds encoded in a run folder's name (local time read as UTC: only the order matters). */
export function runFolderStartTime(runDir: string): number | undefined {
  const m = RUN_FOLDER.exec(path.basename(runDir));
  if (!m) return undefined;
  const d = m[1];
  const t = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15));
  return Number.isFinite(t) ? t / 1000 : undefined;
}

/** The run folder of a W&B file (the parent of `files/` for current clients, the file's own folder for old ones). */
export function wandbRunDir(filePath: string): string {
  const dir = path.dirname(path.resolve(filePath));
  return path.basename(dir) === 'files' ? path.dirname(dir) : dir;
}

/**
 * The key that identifies a W&B run across folders: a resumed run writes a new
 * `run-<date>-<id>` folder with the same id, so folders are grouped by their parent and id.
 * Folders not named that way are their own run.
 */
export function wandbRunKey(runDir: string): string {
  const m = RUN_FOLDER.exec(path.basename(runDir));
  return m ? path.join(path.dirname(runDir), `run-${m[2]}`) : runDir;
}

/**
 * The path of a W&B file with `wandb/latest-run` (W&B's symlink to the newest run folder) replaced by
 * the folder it points to, so the run is found once. Only the link is resolved (not the whole path),
 * so run ids stay relative to a workspace root that is itself reached through links. Never throws.
 */
export function wandbLinkedPath(filePath: string): string {
  const abs = path.resolve(filePath);
  const parts = abs.split(path.sep);
  const i = parts.lastIndexOf('latest-run');
  if (i <= 0) return abs;
  const link = parts.slice(0, i + 1).join(path.sep);
  try {
    if (!fs.lstatSync(link).isSymbolicLink()) return abs;
    const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
    return path.join(target, ...parts.slice(i + 1));
  } catch {
    return abs;
  }
}

/**
 * Whether a text file is W&B's own copy or log inside a run folder (`files/output.log`, the captured
 * console; `logs/debug*.log`, and their links in `wandb/`): the run's history is read from its `.wandb`
 * log, so these are not runs.
 */
export function isWandbRunTextFile(filePath: string): boolean {
  const parts = path.resolve(filePath).split(path.sep);
  // `wandb/debug.log`, `wandb/debug-internal.log`: links W&B keeps to the newest run's own logs.
  if (parts.length >= 2 && parts[parts.length - 2] === 'wandb' && /^debug(?:-internal|-core)?\.log$/.test(parts[parts.length - 1])) return true;
  if (parts.length < 4) return false;
  const sub = parts[parts.length - 2];
  const runFolder = parts[parts.length - 3];
  const wandbDir = parts[parts.length - 4];
  return (
    (sub === 'files' || sub === 'logs') &&
    wandbDir === 'wandb' &&
    (RUN_FOLDER.test(runFolder) || runFolder === 'latest-run' || /^(?:offline-)?run-/.test(runFolder))
  );
}
