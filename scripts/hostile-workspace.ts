// A "hostile workspace": good runs beside everything a cluster workspace holds by accident (named
// pipes, a socket, links out of the folder, a link loop, a hard-linked copy, huge sparse files of
// zeros, an endless line, a CSV of a million columns, a megabyte number in a cell, pathological
// text lines). Used by test/unit/hostile-workspace.test.ts (the CLI's scan) and the `hostile`
// integration configuration (the real VS Code). `node --import tsx scripts/hostile-workspace.ts <dir>`
// writes one by hand. POSIX only (mkfifo, Unix sockets).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface HostileManifest {
  /** The folder to open or scan. */
  root: string;
  /** Run id (path relative to root) → exact points of its loss series. */
  goodRuns: Record<string, number>;
  /** Path relative to root → a piece of the diagnostic it must have. */
  badFiles: Record<string, string>;
}

export interface HostileOptions {
  /** Size of the sparse files of zeros (default 1 GiB; they take no disk space). */
  sparseBytes?: number;
  /** Write into this existing folder (a copy of examples/, for VS Code) instead of `dir/workspace`; link targets go beside it. */
  root?: string;
  /**
   * Also a chain of this many nested folders (`bad/deep/d/d/…`, past the system's path limit), with
   * a log at its bottom. Off by default: the VS Code configuration is not run on it, and Node's own
   * `fs.rmSync` overflows its stack on it (remove it with `removeDeepChain`).
   */
  deepChain?: number;
}

/** Removes the folder chain `deepChain` made (rm -rf walks it without building its paths). */
export function removeDeepChain(root: string): void {
  spawnSync('rm', ['-rf', path.join(root, 'bad/deep')]);
}

function write(root: string, rel: string, data: string | Buffer): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, data);
  return f;
}

function jsonlLines(from: number, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += `${JSON.stringify({ step: from + i, loss: 4 - (from + i) * 0.01 })}\n`;
  return s;
}

function mkfifo(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo ${file} failed: ${r.stderr}`);
}

/** A Unix socket file left behind (a process bound it and exited without unlinking). */
function socketFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const r = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(file)}, () => process.exit(0))`]);
  if (r.status !== 0 || !fs.existsSync(file)) throw new Error(`cannot create a socket at ${file}: ${r.stderr}`);
}

function sparse(file: string, bytes: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, bytes);
  fs.closeSync(fd);
}

/** Writes the workspace under `dir/workspace` (and what its links point to under `dir/outside*`). */
export function makeHostileWorkspace(dir: string, options: HostileOptions = {}): HostileManifest {
  const root = options.root ?? path.join(dir, 'workspace');
  const sparseBytes = options.sparseBytes ?? 1024 * 1024 * 1024;
  fs.mkdirSync(root, { recursive: true });
  const goodRuns: Record<string, number> = {};
  const badFiles: Record<string, string> = {};

  // Good runs, one per common reader.
  write(root, 'good/jsonl-run/metrics.jsonl', jsonlLines(0, 50));
  goodRuns['good/jsonl-run'] = 50;
  let csv = 'step,train_loss\n';
  for (let i = 0; i < 40; i++) csv += `${i},${(3 - i * 0.01).toFixed(4)}\n`;
  write(root, 'good/csv-run/metrics.csv', csv);
  goodRuns['good/csv-run'] = 40;
  let nano = 'tokens per iteration will be: 8,192\n';
  for (let i = 0; i < 30; i++) nano += `iter ${i}: loss ${(5 - i * 0.02).toFixed(4)}, time 12.5ms\n`;
  // Pathological text lines among the good ones: near-matches of every built-in pattern.
  nano += `iter ${'9'.repeat(100_000)}x: loss 1.0\n`;
  nano += `step ${'1'.repeat(50_000)}: train loss ${'2'.repeat(50_000)}, val loss\n`;
  nano += `step:${'1'.repeat(50_000)}\n`;
  nano += `iteration ${' '.repeat(50_000)}/\n`;
  nano += `${"{'a':".repeat(20_000)}\n`;
  write(root, 'good/nanogpt/train.log', nano);
  // 30 each of loss, step time and tokens (from tokens per iteration).
  goodRuns['good/nanogpt'] = 90;

  // A line of 3 MiB between good lines: skipped with a diagnostic, the rest kept.
  write(root, 'bad/longline/metrics.jsonl', `${jsonlLines(0, 25)}{"step": 25, "loss": "${'7'.repeat(3 * 1024 * 1024)}"}\n${jsonlLines(26, 25)}`);
  goodRuns['bad/longline'] = 50;
  badFiles['bad/longline/metrics.jsonl'] = 'line 26 is longer than 1 MiB';

  // A stray line far behind the last step (another process writing to the log): dropped and told
  // with its line, the history kept (a step back rewinds only a resume the log announces or overlaps).
  write(root, 'bad/stray/metrics.jsonl', `${jsonlLines(0, 30)}{"step": 3, "loss": 9.9}\n${jsonlLines(30, 10)}`);
  goodRuns['bad/stray'] = 40;
  badFiles['bad/stray/metrics.jsonl'] = 'stray step 3 after step 29';

  // A megabyte of digits in a loss cell: read as too large, quoted short.
  let big = 'step,loss\n';
  for (let i = 0; i < 25; i++) big += `${i},${(2 - i * 0.01).toFixed(3)}\n`;
  big += `25,${'1'.repeat(1_000_000)}\n`;
  write(root, 'bad/bigcell/metrics.csv', big);
  goodRuns['bad/bigcell'] = 25;
  badFiles['bad/bigcell/metrics.csv'] = 'loss is 11111111111111111111';

  // A CSV of a million columns: its header alone is longer than a line may be.
  const header = ['step', 'loss'];
  for (let i = 0; i < 1_000_000; i++) header.push(`c${i}`);
  write(root, 'bad/wide/metrics.csv', `${header.join(',')}\n0,1.5${',0'.repeat(10)}\n`);
  badFiles['bad/wide/metrics.csv'] = 'no line break in its first 1024 KiB';

  // Files that would block or never end.
  mkfifo(path.join(root, 'bad/fifo/train.log'));
  badFiles['bad/fifo/train.log'] = 'a named pipe, not a regular file';
  mkfifo(path.join(root, 'bad/pipe/metrics.jsonl'));
  badFiles['bad/pipe/metrics.jsonl'] = 'a named pipe, not a regular file';
  socketFile(path.join(root, 'bad/socket/train.log'));
  badFiles['bad/socket/train.log'] = 'a socket, not a regular file';
  fs.mkdirSync(path.join(root, 'bad/device'), { recursive: true });
  fs.symlinkSync('/dev/zero', path.join(root, 'bad/device/metrics.jsonl'));
  badFiles['bad/device/metrics.jsonl'] = 'outside the workspace folder';

  // Huge sparse files of zeros (no line break anywhere).
  sparse(path.join(root, 'bad/zeros/metrics.jsonl'), sparseBytes);
  badFiles['bad/zeros/metrics.jsonl'] = 'no line break in its first 64 KiB';
  sparse(path.join(root, 'bad/zeros-csv/metrics.csv'), sparseBytes);
  badFiles['bad/zeros-csv/metrics.csv'] = 'no line break in its first 1024 KiB';
  write(root, 'bad/endless/train.log', 'a'.repeat(4 * 1024 * 1024));
  badFiles['bad/endless/train.log'] = 'not read as a training log';

  // A CSV of 4,000 metric columns: its header (over 100 kB) is longer than the sniff of other line
  // files, and the log is read whole (before, it was refused as a file with no line break).
  const wideHeader = ['step', 'loss', ...Array.from({ length: 4000 }, (_, i) => `eval/metric_of_a_long_name_${String(i).padStart(4, '0')}`)];
  let wideCsv = `${wideHeader.join(',')}\n`;
  for (let i = 0; i < 30; i++) wideCsv += `${i},${(3 - i * 0.01).toFixed(4)}${',0.5'.repeat(4000)}\n`;
  write(root, 'good/wide-header/metrics.csv', wideCsv);
  goodRuns['good/wide-header'] = 30 * 4001;

  // A trainer_state.json caught empty (between the Trainer's truncate and its write): its run is
  // listed with no points, and the file is said to be empty, not "truncated JSON".
  write(root, 'bad/empty-state/trainer_state.json', '');
  goodRuns['bad/empty-state'] = 0;
  badFiles['bad/empty-state/trainer_state.json'] = 'trainer_state.json is empty (0 bytes)';

  if (options.deepChain) {
    // Made by a child process changing into each new folder: no path of the chain fits PATH_MAX.
    const top = path.join(root, 'bad/deep');
    fs.mkdirSync(top, { recursive: true });
    const made = spawnSync(
      process.execPath,
      [
        '-e',
        `const fs=require('fs');for(let i=0;i<${options.deepChain};i++){fs.mkdirSync('d');process.chdir('d')}fs.writeFileSync('metrics.jsonl','{"step":1,"loss":2}\\n')`,
      ],
      { cwd: top },
    );
    if (made.status !== 0) throw new Error(`cannot make the folder chain: ${made.stderr}`);
    badFiles['bad/deep'] = 'longer than the system allows: what lies deeper is not read';
  }

  // Links: out of the workspace (a file, a folder), a loop, and a hard-linked copy of a good log.
  write(dir, 'outside/secret/metrics.jsonl', jsonlLines(0, 20));
  write(dir, 'outside-dir/metrics.jsonl', jsonlLines(0, 20));
  fs.mkdirSync(path.join(root, 'bad/link-out'), { recursive: true });
  fs.symlinkSync(path.join(dir, 'outside/secret/metrics.jsonl'), path.join(root, 'bad/link-out/metrics.jsonl'));
  badFiles['bad/link-out/metrics.jsonl'] = 'outside the workspace folder; not followed';
  fs.symlinkSync(path.join(dir, 'outside-dir'), path.join(root, 'bad/dir-out'));
  badFiles['bad/dir-out'] = 'outside the workspace folder';
  fs.mkdirSync(path.join(root, 'bad/loop'), { recursive: true });
  fs.symlinkSync('..', path.join(root, 'bad/loop/up'));
  badFiles['bad/loop/up'] = 'read once';
  fs.mkdirSync(path.join(root, 'good/zz-hardlink'), { recursive: true });
  fs.linkSync(path.join(root, 'good/jsonl-run/metrics.jsonl'), path.join(root, 'good/zz-hardlink/metrics.jsonl'));
  badFiles['good/zz-hardlink/metrics.jsonl'] = 'the same file as';
  return { root, goodRuns, badFiles };
}

/** Where the manifest is written by `--into` (the VS Code test reads it from the workspace). */
export const MANIFEST_FILE = '.hostile-manifest.json';

if (require.main === module) {
  // `<empty dir>`: a workspace at <dir>/workspace; `--into <folder>`: hostile files added to an
  // existing folder (link targets in <folder>-outside), the manifest written into it.
  const into = process.argv[2] === '--into' ? process.argv[3] : undefined;
  const dir = into !== undefined ? `${path.resolve(into)}-outside` : process.argv[2];
  if (!dir) {
    console.error('usage: node --import tsx scripts/hostile-workspace.ts <empty dir> | --into <folder>');
    process.exit(2);
  }
  fs.mkdirSync(dir, { recursive: true });
  const m = makeHostileWorkspace(path.resolve(dir), into !== undefined ? { root: path.resolve(into) } : {});
  if (into !== undefined) fs.writeFileSync(path.join(m.root, MANIFEST_FILE), JSON.stringify(m, null, 2));
  console.log(JSON.stringify(m, null, 2));
}
