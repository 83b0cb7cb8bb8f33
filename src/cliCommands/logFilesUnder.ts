// A quick, bounded look for training logs under a folder (the scan's default globs), for the CLI's
// conveniences: a run folder given to `curve`, the current folder as `estimate`/`plan`'s workspace.
// Symbolic links are not followed (a Dirent of a link is no directory), so no loop can form.
import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDefaultLogFile } from '../core/runs/logGlobs';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.vscode-test', '.venv', '__pycache__']);

/** Up to `maxFiles` log files under `dir`, looking at no more than `maxEntries` directory entries. */
export function logFilesUnder(dir: string, { maxFiles, maxEntries = Infinity }: { maxFiles: number; maxEntries?: number }): string[] {
  const out: string[] = [];
  const stack = [dir];
  let visited = 0;
  while (stack.length && out.length < maxFiles && visited < maxEntries) {
    const current = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      visited++;
      const p = join(current, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) stack.push(p);
      } else if (isDefaultLogFile(p)) {
        out.push(p);
        if (out.length >= maxFiles) break;
      }
    }
  }
  return out;
}

/**
 * The current folder, when a quick look (at most 2,000 entries) finds a training log in it: estimate
 * and plan then calibrate on it without --workspace.
 */
export function currentFolderWithRuns(): string | undefined {
  const cwd = process.cwd();
  return logFilesUnder(cwd, { maxFiles: 1, maxEntries: 2000 }).length ? cwd : undefined;
}
