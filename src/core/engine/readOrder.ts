// The order a rescan reads its files in (issue 20: the first useful answer within a second on any
// workspace): `.scalinglens.yaml` first (it names families and overrides), then the folders the
// user sees (the looked-at runs', the open config's), then the rest; each folder's files together,
// so a round built between two slices of reading never sees a run with half of its files. Roots
// keep the host's order: a run id is prefixed with its root's name only when an earlier root holds
// the same path (runs/index.ts uniqueId), and that must not depend on what the user looks at.
import * as path from 'node:path';
import { WORKSPACE_FILE_NAME } from '../runs/workspaceFile';

/** A file to read, where it stands in the host's list (its crash record names it by that index), and its batch's hook. */
export interface QueuedFile {
  file: { path: string; root: string };
  index: number;
  beforeRead?: (index: number, file: { path: string; root: string }) => void;
  /** Read ahead of the rest: in a folder the user sees (set by `readFirst`). */
  seen?: boolean;
}

/**
 * `queue` reordered: workspace files, then those under `seenFolders` (absolute), then the rest, each
 * group folder by folder in the order the host listed the folders (stable otherwise).
 */
export function readFirst(queue: readonly QueuedFile[], seenFolders: readonly string[]): QueuedFile[] {
  const prefixes = seenFolders.map((f) => path.resolve(f) + path.sep);
  const rank = (q: QueuedFile): number => (path.basename(q.file.path) === WORKSPACE_FILE_NAME ? 0 : prefixes.some((p) => q.file.path.startsWith(p)) ? 1 : 2);
  const groups: Map<string, QueuedFile[]>[] = [new Map(), new Map(), new Map()];
  for (const q of queue) {
    const r = rank(q);
    const byFolder = groups[r];
    // Keyed by root too: the same folder under two roots is two folders.
    const key = `${q.file.root}\u0000${path.dirname(q.file.path)}`;
    const list = byFolder.get(key);
    const entry = { ...q, seen: r === 1 };
    if (list) list.push(entry);
    else byFolder.set(key, [entry]);
  }
  const out: QueuedFile[] = [];
  for (const byFolder of groups) for (const list of byFolder.values()) for (const q of list) out.push(q);
  return out;
}

/**
 * The folders of `runIds` (run ids are paths relative to a root, runs/index.ts), each under the first
 * root of `files` that has a file in it: the root the id belongs to. Ids a second root's name
 * prefixes (`root:rel`) are left out: reading them first could hand their plain id to the wrong root.
 */
export function runFolders(runIds: Iterable<string>, files: readonly QueuedFile[]): string[] {
  const roots: string[] = [];
  for (const q of files) if (!roots.includes(q.file.root)) roots.push(q.file.root);
  const out: string[] = [];
  for (const id of runIds) {
    if (id.includes(':')) continue;
    for (const root of roots) {
      const folder = path.join(root, ...id.split('/'));
      const prefix = folder + path.sep;
      if (files.some((q) => q.file.root === root && q.file.path.startsWith(prefix))) {
        out.push(folder);
        break;
      }
    }
  }
  return out;
}

/**
 * Whether a slice of reading may end between `before` and `next`: not inside a folder, nor between a
 * folder and one below it (an HF output folder and its `runs/` event files are one run).
 */
export function folderBoundary(before: QueuedFile, next: QueuedFile): boolean {
  const dir = path.dirname(before.file.path);
  const nextDir = path.dirname(next.file.path);
  return nextDir !== dir && !nextDir.startsWith(dir + path.sep);
}
