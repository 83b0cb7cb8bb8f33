import * as fs from 'node:fs';

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
}

export interface TailError {
  error: string;
  /** Node's error code, e.g. 'ENOENT' when the file is gone. */
  code?: string;
}

export interface FileTailOptions {
  /** Upper bound on the bytes one `read()` consumes (default 64 MiB). */
  maxBytesPerRead?: number;
  /** A line longer than this without a newline is returned as is (default 16 MiB). */
  maxLineBytes?: number;
}

const FINGERPRINT_BYTES = 256;
const NEWLINE = 0x0a;

function errorOf(e: unknown): TailError {
  const err = e as NodeJS.ErrnoException;
  return { error: err && typeof err.message === 'string' ? err.message : String(e), code: err?.code };
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
  private readonly maxBytesPerRead: number;
  private readonly maxLineBytes: number;

  constructor(
    readonly path: string,
    options: FileTailOptions = {},
  ) {
    this.maxBytesPerRead = Math.max(1, options.maxBytesPerRead ?? 64 * 1024 * 1024);
    this.maxLineBytes = Math.max(1, options.maxLineBytes ?? 16 * 1024 * 1024);
  }

  /** Bytes of the file consumed so far (complete lines plus the held-back partial line). */
  get position(): number {
    return this.offset;
  }

  /** Forget everything: the next read starts at byte 0. */
  reset(): void {
    this.offset = 0;
    this.pending = Buffer.alloc(0);
    this.nextLine = 1;
    this.fingerprint = Buffer.alloc(0);
  }

  read(): TailChunk | TailError {
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'r');
    } catch (e) {
      return errorOf(e);
    }
    try {
      return this.readFrom(fd);
    } catch (e) {
      return errorOf(e);
    } finally {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed or gone: nothing to do
      }
    }
  }

  private readFrom(fd: number): TailChunk {
    const size = fs.fstatSync(fd).size;
    let rewritten = false;
    if (size < this.offset) rewritten = true;
    else if (this.fingerprint.length > 0 && !readAt(fd, 0, this.fingerprint.length).equals(this.fingerprint)) rewritten = true;
    if (rewritten) this.reset();
    this.fingerprint = takeFingerprint(fd, size, this.fingerprint);
    const firstLineNumber = this.nextLine;
    const toRead = Math.min(size - this.offset, this.maxBytesPerRead);
    const fresh = toRead > 0 ? readAt(fd, this.offset, toRead) : Buffer.alloc(0);
    this.offset += fresh.length;
    const data = this.pending.length === 0 ? fresh : Buffer.concat([this.pending, fresh]);
    let lines: string[] = [];
    const lastNl = data.lastIndexOf(NEWLINE);
    if (lastNl === -1) {
      if (data.length > this.maxLineBytes) {
        lines = [data.toString('utf8')];
        this.pending = Buffer.alloc(0);
      } else {
        this.pending = Buffer.from(data);
      }
    } else {
      lines = data.toString('utf8', 0, lastNl).split('\n');
      this.pending = Buffer.from(data.subarray(lastNl + 1));
    }
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
    }
    if (firstLineNumber === 1 && lines.length > 0 && lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
    this.nextLine += lines.length;
    const chunk: TailChunk = { lines, firstLineNumber, rewritten, more: this.offset < size };
    if (this.pending.length > 0 && this.pending.length <= 1024 * 1024) {
      try {
        let text = strictUtf8.decode(this.pending);
        if (this.nextLine === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        if (text.endsWith('\r')) text = text.slice(0, -1);
        chunk.partial = { text, lineNumber: this.nextLine };
      } catch {
        // ends inside a multibyte character: no provisional text yet
      }
    }
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
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    const err = errorOf(e);
    return err.code === 'ENOENT' || err.code === 'ENOTDIR' ? { status: 'missing' } : { status: 'error', error: err.error };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { status: 'error', error: 'not a regular file' };
    const fingerprint = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (fingerprint === previousFingerprint) return { status: 'unchanged', fingerprint };
    if (st.size > maxBytes) return { status: 'error', error: `file is ${st.size} bytes, more than the ${maxBytes} read limit` };
    const text = readAt(fd, 0, st.size).toString('utf8');
    return { status: 'changed', text, fingerprint };
  } catch (e) {
    return { status: 'error', error: errorOf(e).error };
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // ignore
    }
  }
}

/**
 * The complete lines among the first `maxBytes` of a file (a partial last line is left out unless
 * the whole file fits), to judge what a file is without reading all of it. Never throws.
 */
export function readHeadLines(path: string, maxBytes: number): { lines: string[] } | { error: string } {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    return { error: errorOf(e).error };
  }
  try {
    const size = fs.fstatSync(fd).size;
    const text = readAt(fd, 0, Math.min(size, maxBytes)).toString('utf8');
    const lines = text.split(/\r?\n/);
    if (size > maxBytes || !text.endsWith('\n')) lines.pop();
    else if (lines[lines.length - 1] === '') lines.pop();
    return { lines };
  } catch (e) {
    return { error: errorOf(e).error };
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // ignore
    }
  }
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
}

/**
 * Tails a growing binary file (TensorBoard event files, W&B logs): each `read()` returns the bytes
 * appended since the last read, prefixed by whatever the caller handed back with `hold()` (a record
 * still being written). Detects truncation or rewrite like FileTail (size below the offset, or the first
 * up to 256 bytes changed).
 */
export class BinaryTail {
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private fingerprint: Buffer = Buffer.alloc(0);
  private last: BinaryChunk | undefined;
  private readonly maxBytesPerRead: number;

  constructor(
    readonly path: string,
    options: { maxBytesPerRead?: number } = {},
  ) {
    this.maxBytesPerRead = Math.max(1, options.maxBytesPerRead ?? 64 * 1024 * 1024);
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
    let fd: number;
    try {
      fd = fs.openSync(this.path, 'r');
    } catch (e) {
      return errorOf(e);
    }
    try {
      const size = fs.fstatSync(fd).size;
      let rewritten = false;
      if (size < this.offset) rewritten = true;
      else if (this.fingerprint.length > 0 && !readAt(fd, 0, this.fingerprint.length).equals(this.fingerprint)) rewritten = true;
      if (rewritten) this.reset();
      if (this.fingerprint.length < FINGERPRINT_BYTES && size > this.fingerprint.length) {
        this.fingerprint = Buffer.from(readAt(fd, 0, Math.min(FINGERPRINT_BYTES, size)));
      }
      const toRead = Math.min(size - this.offset, this.maxBytesPerRead);
      const fresh = toRead > 0 ? readAt(fd, this.offset, toRead) : Buffer.alloc(0);
      const start = this.offset - this.pending.length;
      this.offset += fresh.length;
      const bytes = this.pending.length === 0 ? fresh : Buffer.concat([this.pending, fresh]);
      // Unless the caller holds some back, everything returned counts as consumed.
      this.pending = Buffer.alloc(0);
      this.last = { bytes, offset: start, rewritten, more: this.offset < size };
      return this.last;
    } catch (e) {
      return errorOf(e);
    } finally {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed or gone: nothing to do
      }
    }
  }
}
