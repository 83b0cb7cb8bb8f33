// The small CLI bundles' output, written to the file descriptor directly: the first touch of
// process.stdout or process.stderr builds a stream (Node's stream modules, about 3 ms of CPU at a
// cold start), which `--help` or `plan` then uses once. Where a direct write may not do (a Windows
// console wants the stream's UTF-16 conversion) or fails (a non-blocking pipe answering EAGAIN, a
// closed pipe), the stream writes the rest, as it always did.
import { writeSync } from 'node:fs';

/** Writes `text` to stdout (fd 1) or stderr (fd 2), as process.stdout/stderr.write would. */
export function writeOut(fd: 1 | 2, text: string): void {
  if (text === '') return;
  const stream = (): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);
  if (process.platform === 'win32') {
    stream().write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch {
    stream().write(bytes.subarray(written));
  }
}
