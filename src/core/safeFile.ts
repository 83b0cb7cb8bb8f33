// Opening a file found in a workspace without ever blocking on it: `open()` of a named pipe waits
// for a writer (forever), a character device (`/dev/zero`, a tty) never ends, a socket cannot be
// read. Every file the worker, the CLI and the config readers open goes through here: `stat` says
// it is a regular file before the open, the open is non-blocking (a pipe swapped in between is not
// waited on), and `fstat` of the open descriptor confirms it.
import { type Stats, closeSync, constants, fstatSync, openSync, promises as fsp, readSync, statSync } from 'node:fs';

/** Read caps by kind of file, in bytes: a hand-written config is small, a metadata document larger. */
export const READ_CAPS = {
  /** `.scalinglens.yaml`, a model `config.json`, `training_args.json`, `hparams.yaml`, a config given to `estimate`. */
  config: 16 * 1024 * 1024,
  /** Small metadata files (MLflow meta.yaml, a param file). */
  metadata: 1024 * 1024,
  /** Whole-document logs (trainer_state.json) and tables given to the CLI (`fit`, `hparams`, `plan`). */
  document: 256 * 1024 * 1024,
} as const;

/** Node's code for "not a regular file" errors made here (no errno exists for it). */
export const NOT_REGULAR = 'ENOTREG';

export interface OpenError {
  error: string;
  code?: string;
}

/** What a non-regular file is, for messages ("a named pipe"). */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function notRegular(st: Stats): OpenError {
  return { error: `${fileKind(st)}, not a regular file; skipped (reading it could block)`, code: NOT_REGULAR };
}

function errorOf(e: unknown): OpenError {
  const err = e as NodeJS.ErrnoException;
  return { error: err && typeof err.message === 'string' ? err.message : String(e), code: err?.code };
}

// O_NONBLOCK does not exist on Windows, where opening a pipe does not block either.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Why `p` must not be opened (not a regular file), checked with `stat` (links followed); undefined when it may be. */
export function notRegularFile(p: string): OpenError | undefined {
  let st: Stats;
  try {
    st = statSync(p);
  } catch (e) {
    return errorOf(e);
  }
  return st.isFile() ? undefined : notRegular(st);
}

/**
 * Open `p` for reading only if it is a regular file. Never throws, never blocks. The caller closes
 * the descriptor (see `withRegularFile`).
 */
export function openRegularFile(p: string): { fd: number; stat: Stats } | OpenError {
  const before = notRegularFile(p);
  if (before !== undefined) return before;
  let fd: number;
  try {
    fd = openSync(p, OPEN_FLAGS);
  } catch (e) {
    return errorOf(e);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile()) return { fd, stat };
    closeSync(fd);
    return notRegular(stat);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    return errorOf(e);
  }
}

/** `body` on `p` opened as a regular file, closed after; failures (opening included) are returned, never thrown. */
export function withRegularFile<T>(p: string, body: (fd: number, stat: Stats) => T): T | OpenError {
  const opened = openRegularFile(p);
  if ('error' in opened) return opened;
  try {
    return body(opened.fd, opened.stat);
  } catch (e) {
    return errorOf(e);
  } finally {
    try {
      closeSync(opened.fd);
    } catch {
      // already closed or gone
    }
  }
}

/** How a byte count is written in messages: `16 MiB`, `812 KiB`, `93 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

/**
 * The whole text of a regular file of at most `maxBytes` (UTF-8). A larger file, a pipe, a socket or
 * a device is an error saying so, never read. Never throws.
 */
export function readTextFile(p: string, maxBytes: number): { text: string } | OpenError {
  return withRegularFile(p, (fd, st) => {
    const big = tooBig(st.size, maxBytes);
    if (big !== undefined) return big;
    // Read no more than the cap even when the file grows while read.
    const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes));
    let filled = 0;
    while (filled < buf.length) {
      const n = readSync(fd, buf, filled, buf.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return { text: buf.toString('utf8', 0, filled) };
  });
}

/** Why a file of `size` bytes is not read under `maxBytes`; undefined when it may be. */
function tooBig(size: number, maxBytes: number): OpenError | undefined {
  return size > maxBytes
    ? { error: `the file is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} read limit for this kind of file; not read`, code: 'EFBIG' }
    : undefined;
}

/**
 * `readTextFile` without holding the thread (the extension host's: a config of up to 16 MiB): the
 * same checks, `stat` before the open, the open non-blocking, the descriptor's `stat` after. Never throws.
 */
export async function readTextFileAsync(p: string, maxBytes: number): Promise<{ text: string } | OpenError> {
  try {
    const before = await fsp.stat(p);
    if (!before.isFile()) return notRegular(before);
    const handle = await fsp.open(p, OPEN_FLAGS);
    try {
      const st = await handle.stat();
      if (!st.isFile()) return notRegular(st);
      const big = tooBig(st.size, maxBytes);
      if (big !== undefined) return big;
      // Read no more than the cap even when the file grows while read.
      const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes));
      let filled = 0;
      while (filled < buf.length) {
        const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return { text: buf.toString('utf8', 0, filled) };
    } finally {
      await handle.close().catch(() => undefined);
    }
  } catch (e) {
    return errorOf(e);
  }
}

/** `readTextFile` that throws its error (for callers that report thrown errors already). */
export function readTextFileOrThrow(p: string, maxBytes: number): string {
  const r = readTextFile(p, maxBytes);
  if ('error' in r) {
    const e = new Error(r.error) as NodeJS.ErrnoException;
    if (r.code !== undefined) e.code = r.code;
    throw e;
  }
  return r.text;
}
