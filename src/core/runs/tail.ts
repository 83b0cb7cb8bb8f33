import * as fs from 'node:fs';
import { withRegularFile } from '../safeFile';

/** New complete lines of a tailed file, as bytes (FileTail.readBytes). */
export interface ByteLines {
  /** `bytes[0, end)` are the new complete lines; what follows `end` is a partial line, held back. */
  bytes: Buffer;
  end: number;
  /** 1-based line number of the first line in `bytes`. */
  firstLineNumber: number;
  /** The file offset of `bytes[0]` (a parallel first read matches its blocks by it, jsonlParallel.ts). */
  start: number;
  /** As TailChunk.rewritten. */
  rewritten: boolean;
  /** The incomplete last line, decoded, for a provisional parse (as TailChunk.partial.text). */
  partial?: string;
  more: boolean;
  /** The file's size at this read (a first read of a backlog sizes its stores from it). */
  fileBytes: number;
  /** Lines longer than `maxLineBytes` in this read: blanked, or skipped up to their end (see FileTail). */
  overlong?: OverlongLine[];
}

/** A line skipped for its length: its number and the bytes seen of it when it was given up on. */
export interface OverlongLine {
  line: number;
  bytes: number;
  maxLineBytes: number;
}

/** New complete lines of a tailed file. */
export interface TailChunk {
  lines: string[];
  /** 1-based line number of `lines[0]` in the file. */
  firstLineNumber: number;
  /** The file was truncated or rewritten since the last read: the caller must drop what it had; reading restarted at 0. */
  rewritten: boolean;
  /** The incomplete last line (no newline yet), decoded, for a provisional parse; it is returned again, completed, later. */
  partial?: { text: string; lineNumber: number };
  /** More new bytes remain than one read returns (`maxBytesPerRead`): call `read()` again. */
  more: boolean;
  /** As ByteLines.overlong. */
  overlong?: OverlongLine[];
}

export interface TailError {
  error: string;
  /** Node's error code, e.g. 'ENOENT' when the file is gone. */
  code?: string;
}

export interface FileTailOptions {
  /** Upper bound on the bytes one `read()` consumes (default 64 MiB). */
  maxBytesPerRead?: number;
  /**
   * A line longer than this (default 1 MiB) is skipped, up to its end, and reported once (`overlong`):
   * a file of zeros, of one endless line, or a CSV header of a million columns must not be held in
   * memory or handed to a parser whole.
   */
  maxLineBytes?: number;
  /** Upper bound on the bytes one `readBytes()` consumes (default 4 MiB; also capped by maxBytesPerRead). */
  byteChunk?: number;
}

const FINGERPRINT_BYTES = 256;
const EMPTY = Buffer.alloc(0);
/** Default upper bound of one `readBytes` (see there). */
const BYTE_CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * The held-back `pending` bytes, then up to `toRead` bytes of the file from `offset`, in one buffer
 * (`scratch` when it is large enough): no concatenation copy of the fresh bytes. `fresh` is how many
 * bytes of the file were read; `buffer` is the whole buffer, for the caller to keep as its scratch.
 */
function readAfterPending(
  fd: number,
  pending: Buffer,
  offset: number,
  toRead: number,
  scratch: Buffer | undefined,
): { data: Buffer; buffer: Buffer; fresh: number } {
  const held = pending.length;
  const buffer = scratch !== undefined && scratch.length >= held + toRead ? scratch : Buffer.allocUnsafeSlow(held + toRead);
  const data = buffer.subarray(0, held + toRead);
  pending.copy(data, 0);
  let filled = held;
  while (filled < data.length) {
    const n = fs.readSync(fd, data, filled, data.length - filled, offset + filled - held);
    if (n === 0) break;
    filled += n;
  }
  return { data: filled < data.length ? data.subarray(0, filled) : data, buffer, fresh: filled - held };
}

/**
 * `body` on the file opened for reading, closed after; a failure (opening included) is returned as a
 * TailError, never thrown. Only a regular file is opened (safeFile.ts): a named pipe, a socket or a
 * device in the workspace would block the worker or never end.
 */
function withOpenFile<T>(path: string, body: (fd: number) => T): T | TailError {
  return withRegularFile(path, (fd) => body(fd));
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = fs.readSync(fd, buf, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled === length ? buf : buf.subarray(0, filled);
}

/**
 * The bytes that identify a text file: its first 256 bytes, extended to the whole first line (up to
 * 64 KiB) so a rewrite that only changes a long header (Lightning's CSVLogger adding a column) is seen.
 */
function takeFingerprint(fd: number, size: number, current: Buffer): Buffer {
  const done = current.length >= FINGERPRINT_BYTES && current.includes(NEWLINE);
  if (done || size <= current.length || current.length >= MAX_FINGERPRINT_BYTES) return current;
  const head = readAt(fd, 0, Math.min(size, MAX_FINGERPRINT_BYTES));
  const nl = head.indexOf(NEWLINE);
  const want = nl === -1 ? head.length : Math.max(FINGERPRINT_BYTES, nl + 1);
  return Buffer.from(head.subarray(0, Math.min(want, head.length)));
}

const MAX_FINGERPRINT_BYTES = 64 * 1024;
/** Default longest line (FileTailOptions.maxLineBytes): far above any real log line, far below what would strain memory. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Bytes before the read offset compared on each read (see FileTail.tailMark). */
const TAIL_MARK_BYTES = 256;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Tails a growing text file: each `read()` returns only the complete lines appended since the last read,
 * holds back a partial last line (as bytes, so a UTF-8 character split across writes is never broken),
 * and detects truncation or rewrite (size below the offset, or the first up to 256 bytes changed).
 */
export class FileTail {
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private nextLine = 1;
  private fingerprint: Buffer = Buffer.alloc(0);
  /**
   * The last bytes read (up to TAIL_MARK_BYTES before the offset). A file rewritten with the same
   * first bytes (a CSV header, a long first JSON line) and to the same or a larger size would pass
   * both other checks; these bytes changing gives it away.
   */
  private tailMark: Buffer = Buffer.alloc(0);
  /** The read buffer, reused while a backlog is read (see readBytesFrom). */
  private scratch: Buffer | undefined;
  /** Inside an over-long line: bytes up to the next line feed are dropped (see maxLineBytes). */
  private discarding = false;
  private readonly maxBytesPerRead: number;
  private readonly maxLineBytes: number;
  /** Most fresh bytes a `readBytes` takes (see byteReadLimit); set small by tests of the parallel first read. */
  byteChunk: number;

  constructor(
    readonly path: string,
    options: FileTailOptions = {},
  ) {
    this.maxBytesPerRead = Math.max(1, options.maxBytesPerRead ?? 64 * 1024 * 1024);
    this.maxLineBytes = Math.max(1, options.maxLineBytes ?? MAX_LINE_BYTES);
    this.byteChunk = Math.max(1, options.byteChunk ?? BYTE_CHUNK);
  }

  /** Bytes of the file consumed so far (complete lines plus the held-back partial line). */
  get position(): number {
    return this.offset;
  }

  /** The most fresh bytes one `readBytes` takes: its reads of a backlog start at multiples of it. */
  get byteReadLimit(): number {
    return Math.min(this.maxBytesPerRead, this.byteChunk);
  }

  /** Forget everything: the next read starts at byte 0. */
  reset(): void {
    this.offset = 0;
    this.pending = Buffer.alloc(0);
    this.nextLine = 1;
    this.fingerprint = Buffer.alloc(0);
    this.tailMark = Buffer.alloc(0);
    this.discarding = false;
  }

  read(): TailChunk | TailError {
    return withOpenFile(this.path, (fd) => this.readFrom(fd));
  }

  /**
   * The complete lines appended since the last read, as bytes: `bytes[0, end)` holds them, each
   * ending with a line feed (but for one line longer than `maxLineBytes`, returned as is). For
   * readers that parse bytes in place (JsonlReader.pushBytes); reads at most `byteChunk` (default
   * 4 MiB: large enough that a read is one syscall per ~60,000 lines, small enough that what a
   * read yields dies young). The bytes are valid until the next read (the buffer is reused while a
   * backlog is read). The caller tells how many lines it found with `linesRead` before reading again.
   */
  readBytes(): ByteLines | TailError {
    return withOpenFile(this.path, (fd) => {
      const r = this.readBytesFrom(fd, this.byteReadLimit);
      const chunk: ByteLines = {
        bytes: r.data,
        end: r.end,
        firstLineNumber: this.nextLine,
        start: r.start,
        rewritten: r.rewritten,
        more: r.more,
        fileBytes: r.size,
      };
      if (r.overlong !== undefined) chunk.overlong = r.overlong;
      const partial = this.decodePartial(this.nextLine === 1 && r.end === 0);
      if (partial !== undefined) chunk.partial = partial;
      return chunk;
    });
  }

  /** After `readBytes`: the number of lines its chunk held, so the next lines are numbered on from there. */
  linesRead(count: number): void {
    this.nextLine += count;
  }

  /**
   * New bytes: the held-back partial line followed by what was appended (at most `limit` bytes);
   * `end` is just past the last line feed (or the whole buffer for an over-long line). What follows
   * `end` is held back for the next read.
   */
  private readBytesFrom(
    fd: number,
    limit: number,
  ): { data: Buffer; start: number; end: number; rewritten: boolean; more: boolean; size: number; overlong?: OverlongLine[] } {
    const size = fs.fstatSync(fd).size;
    let rewritten = false;
    if (size < this.offset) rewritten = true;
    else if (this.fingerprint.length > 0 && !readAt(fd, 0, this.fingerprint.length).equals(this.fingerprint)) rewritten = true;
    else if (this.tailMark.length > 0 && !readAt(fd, this.offset - this.tailMark.length, this.tailMark.length).equals(this.tailMark)) rewritten = true;
    if (rewritten) this.reset();
    this.fingerprint = takeFingerprint(fd, size, this.fingerprint);
    // At least as many bytes as are held back (a line longer than a read): reads grow geometrically.
    const toRead = Math.min(size - this.offset, Math.max(limit, this.pending.length));
    // While a backlog is read (`more`), one buffer serves every read: a fresh 4 MiB Buffer per read
    // is external memory, and V8 answers that with a garbage collection every few reads.
    let start = this.offset - this.pending.length;
    const { data: read, buffer, fresh } = readAfterPending(fd, this.pending, this.offset, toRead, this.scratch);
    let data = read;
    this.offset += fresh;
    // `data` ends at the offset (held-back bytes, then fresh ones): its last bytes are the file's.
    if (data.length > 0) this.tailMark = Buffer.from(data.subarray(Math.max(0, data.length - TAIL_MARK_BYTES)));
    if (this.discarding) {
      // The rest of an over-long line: dropped up to its line feed, which ends it (it counts as a line).
      const nl = data.indexOf(NEWLINE);
      start += nl === -1 ? data.length : nl + 1;
      data = nl === -1 ? data.subarray(data.length) : data.subarray(nl + 1);
      if (nl !== -1) {
        this.discarding = false;
        this.nextLine++;
      }
    }
    const lastNl = data.lastIndexOf(NEWLINE);
    const end = lastNl + 1;
    const overlong = end > this.maxLineBytes ? this.blankOverlongLines(data, end) : [];
    if (data.length - end > this.maxLineBytes) {
      // The line after the last line feed is longer than a line may be: give up on it, once.
      let line = this.nextLine;
      for (let i = data.indexOf(NEWLINE); i !== -1 && i < end; i = data.indexOf(NEWLINE, i + 1)) line++;
      overlong.push({ line, bytes: data.length - end, maxLineBytes: this.maxLineBytes });
      this.discarding = true;
      data = data.subarray(0, end);
    }
    this.pending = end === data.length ? EMPTY : Buffer.from(data.subarray(end));
    const more = this.offset < size;
    // Kept for the next read of the backlog only: a tail at rest holds no buffer.
    this.scratch = more ? buffer : undefined;
    return overlong.length > 0 ? { data, start, end, rewritten, more, size, overlong } : { data, start, end, rewritten, more, size };
  }

  /**
   * Complete lines in `data[0, end)` longer than maxLineBytes, overwritten with spaces in place (a
   * blank line keeps the numbering and no reader parses megabytes). From each line start, a line
   * feed within the next maxLineBytes bytes (found scanning back from there) skips many short lines
   * at once, so a chunk of normal lines costs a few searches, not one per line.
   */
  private blankOverlongLines(data: Buffer, end: number): OverlongLine[] {
    const out: OverlongLine[] = [];
    const max = this.maxLineBytes;
    let start = 0;
    while (start < end) {
      if (start + max >= end) break;
      const nl = data.lastIndexOf(NEWLINE, start + max);
      if (nl >= start) {
        start = nl + 1;
        continue;
      }
      const lineEnd = data.indexOf(NEWLINE, start + max);
      let line = this.nextLine;
      for (let i = data.indexOf(NEWLINE); i !== -1 && i < start; i = data.indexOf(NEWLINE, i + 1)) line++;
      out.push({ line, bytes: lineEnd - start, maxLineBytes: max });
      data.fill(0x20, start, lineEnd);
      start = lineEnd + 1;
    }
    return out;
  }

  /** The held-back partial line, decoded, for a provisional parse (undefined when none or cut inside a character). */
  private decodePartial(atFileStart: boolean): string | undefined {
    if (this.pending.length === 0 || this.pending.length > 1024 * 1024) return undefined;
    try {
      let text = strictUtf8.decode(this.pending);
      if (atFileStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      return text;
    } catch {
      // ends inside a multibyte character: no provisional text yet
      return undefined;
    }
  }

  private readFrom(fd: number): TailChunk {
    const r = this.readBytesFrom(fd, this.maxBytesPerRead);
    // After readBytesFrom: a rewrite resets the numbering to 1.
    const first = this.nextLine;
    const lines = r.end === 0 ? [] : r.data.toString('utf8', 0, r.data[r.end - 1] === NEWLINE ? r.end - 1 : r.end).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
    }
    if (first === 1 && lines.length > 0 && lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
    this.nextLine += lines.length;
    const chunk: TailChunk = { lines, firstLineNumber: first, rewritten: r.rewritten, more: r.more };
    if (r.overlong !== undefined) chunk.overlong = r.overlong;
    const partial = this.decodePartial(this.nextLine === 1);
    if (partial !== undefined) chunk.partial = { text: partial, lineNumber: this.nextLine };
    return chunk;
  }
}

/** Result of `readWhole`. */
export type WholeRead =
  | { status: 'changed'; text: string; fingerprint: string }
  | { status: 'unchanged'; fingerprint: string }
  | { status: 'missing' }
  | { status: 'error'; error: string };

/**
 * Read a whole-document file (e.g. trainer_state.json) unless its size/mtime/inode fingerprint equals
 * `previousFingerprint`, so unchanged files are not re-parsed. Never throws.
 */
export function readWhole(path: string, previousFingerprint?: string, maxBytes = 256 * 1024 * 1024): WholeRead {
  const r = withOpenFile(path, (fd): WholeRead => {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { status: 'error', error: 'not a regular file' };
    const fingerprint = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (fingerprint === previousFingerprint) return { status: 'unchanged', fingerprint };
    if (st.size > maxBytes) return { status: 'error', error: `file is ${st.size} bytes, more than the ${maxBytes} read limit` };
    const text = readAt(fd, 0, st.size).toString('utf8');
    return { status: 'changed', text, fingerprint };
  });
  if ('status' in r) return r;
  // A read of an open file does not fail with ENOENT: these codes come from opening it.
  return r.code === 'ENOENT' || r.code === 'ENOTDIR' ? { status: 'missing' } : { status: 'error', error: r.error };
}

/**
 * The complete lines among the first `maxBytes` of a file (a partial last line is left out unless
 * the whole file fits), to judge what a file is without reading all of it. Never throws.
 */
export function readHeadLines(path: string, maxBytes: number): { lines: string[] } | { error: string } {
  const r = withOpenFile(path, (fd) => {
    const size = fs.fstatSync(fd).size;
    const text = readAt(fd, 0, Math.min(size, maxBytes)).toString('utf8');
    const lines = text.split(/\r?\n/);
    if (size > maxBytes || !text.endsWith('\n')) lines.pop();
    else if (lines[lines.length - 1] === '') lines.pop();
    return { lines };
  });
  return isTailError(r) ? { error: r.error } : r;
}

/** Whether a tail result is an error. */
export function isTailError<T extends object>(r: T | TailError): r is TailError {
  return 'error' in r;
}

/** New bytes of a tailed binary file. */
export interface BinaryChunk {
  /** Bytes held back by `hold()` last time, followed by the bytes appended since. */
  bytes: Buffer;
  /** File offset of `bytes[0]`. */
  offset: number;
  /** The file was truncated or rewritten: the caller must drop what it had; reading restarted at 0. */
  rewritten: boolean;
  /** More new bytes remain than one read returns: call `read()` again. */
  more: boolean;
  /** The file's size at this read (a first read sizes its series for the whole file from it). */
  fileBytes: number;
}

/**
 * Tails a growing binary file (TensorBoard event files, W&B logs): each `read()` returns the bytes
 * appended since the last read, prefixed by whatever the caller handed back with `hold()` (a record
 * still being written). Detects truncation or rewrite by the size below the offset or the first up to
 * 256 bytes changed (not, as FileTail also does, by the bytes just before the offset). A read takes up to `maxBytesPerRead` new bytes (4 MiB by default, so the
 * points decoded from one read die young), or as many as are held back when that is more.
 */
export class BinaryTail {
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private fingerprint: Buffer = Buffer.alloc(0);
  private last: BinaryChunk | undefined;
  private readonly maxBytesPerRead: number;
  private readonly reuseBuffer: boolean;
  /** The buffer reused while a backlog is read (reuseBuffer): see FileTail.readBytes. */
  private scratch: Buffer | undefined;

  /**
   * `reuseBuffer`: one buffer serves every read of a backlog (a fresh 4 MiB Buffer per read is
   * external memory, which V8 answers with a garbage collection every few reads), so a chunk's
   * bytes are valid only until the next read: for readers that keep no view into them.
   */
  constructor(
    readonly path: string,
    options: { maxBytesPerRead?: number; reuseBuffer?: boolean } = {},
  ) {
    this.maxBytesPerRead = Math.max(1, options.maxBytesPerRead ?? BYTE_CHUNK);
    this.reuseBuffer = options.reuseBuffer ?? false;
  }

  /** Bytes of the file read so far (including held-back bytes). */
  get position(): number {
    return this.offset;
  }

  reset(): void {
    this.offset = 0;
    this.pending = Buffer.alloc(0);
    this.fingerprint = Buffer.alloc(0);
    this.last = undefined;
  }

  /** Keep `chunk.bytes.subarray(from)` of the last chunk for the next read (an incomplete record). */
  hold(from: number): void {
    const last = this.last;
    if (last === undefined) return;
    const start = Math.max(0, Math.min(from, last.bytes.length));
    this.pending = Buffer.from(last.bytes.subarray(start));
  }

  read(): BinaryChunk | TailError {
    return withOpenFile(this.path, (fd) => {
      const size = fs.fstatSync(fd).size;
      let rewritten = false;
      if (size < this.offset) rewritten = true;
      else if (this.fingerprint.length > 0 && !readAt(fd, 0, this.fingerprint.length).equals(this.fingerprint)) rewritten = true;
      if (rewritten) this.reset();
      if (this.fingerprint.length < FINGERPRINT_BYTES && size > this.fingerprint.length) {
        this.fingerprint = Buffer.from(readAt(fd, 0, Math.min(FINGERPRINT_BYTES, size)));
      }
      // At least as many new bytes as are held back: a record larger than a read then takes a
      // number of reads logarithmic in its size (each copies what is held), not linear.
      const toRead = Math.min(size - this.offset, Math.max(this.maxBytesPerRead, this.pending.length));
      const start = this.offset - this.pending.length;
      let bytes: Buffer;
      if (this.reuseBuffer) {
        const read = readAfterPending(fd, this.pending, this.offset, toRead, this.scratch);
        bytes = read.data;
        this.offset += read.fresh;
        this.scratch = this.offset < size ? read.buffer : undefined;
      } else {
        const fresh = toRead > 0 ? readAt(fd, this.offset, toRead) : Buffer.alloc(0);
        this.offset += fresh.length;
        bytes = this.pending.length === 0 ? fresh : Buffer.concat([this.pending, fresh]);
      }
      // Unless the caller holds some back, everything returned counts as consumed.
      this.pending = Buffer.alloc(0);
      this.last = { bytes, offset: start, rewritten, more: this.offset < size, fileBytes: size };
      return this.last;
    });
  }
}
