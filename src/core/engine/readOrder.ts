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
 * group folder by folder in the order the host listed the folders (stable otherwise), each folder
 * followed by the folders below it (an HF output folder and its `runs/` event files are one run).
 * A seen folder that is a root (a root's own run, a config at a root) sees only the root's own files:
 * every file is below it.
 */
export function readFirst(queue: readonly QueuedFile[], seenFolders: readonly string[]): QueuedFile[] {
  const roots = new Set(queue.map((q) => q.file.root));
  const seenRoots = new Set<string>();
  const prefixes: string[] = [];
  for (const f of seenFolders) {
    const folder = path.resolve(f);
    if (roots.has(folder)) seenRoots.add(folder);
    else prefixes.push(folder + path.sep);
  }
  const seen = (p: string): boolean => seenRoots.has(path.dirname(p)) || prefixes.some((prefix) => p.startsWith(prefix));
  const rank = (q: QueuedFile): number => (path.basename(q.file.path) === WORKSPACE_FILE_NAME ? 0 : seen(q.file.path) ? 1 : 2);
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
  for (const byFolder of groups) for (const key of belowTheirParents(byFolder)) for (const q of byFolder.get(key)!) out.push(q);
  return out;
}

/**
 * The keys of `byFolder` (root NUL folder, in the host's order), each folder's descendants right after
 * it, in the host's order: a slice (folderBoundary) then never ends between a run folder and the
 * event files below it, nor reads those before the folder's own files make them that run's.
 */
function belowTheirParents(byFolder: Map<string, unknown>): string[] {
  const children = new Map<string, string[]>();
  const tops: string[] = [];
  for (const key of byFolder.keys()) {
    const [root, dir] = key.split('\u0000');
    let parent: string | undefined;
    // Up to, not including, the root: every folder is below its root.
    for (let up = path.dirname(dir); up.length > root.length && up !== dir && parent === undefined; up = path.dirname(up)) {
      if (byFolder.has(`${root}\u0000${up}`)) parent = `${root}\u0000${up}`;
    }
    if (parent === undefined) tops.push(key);
    else {
      const list = children.get(parent);
      if (list) list.push(key);
      else children.set(parent, [key]);
    }
  }
  const out: string[] = [];
  const visit = (key: string): void => {
    out.push(key);
    for (const child of children.get(key) ?? []) visit(child);
  };
  for (const key of tops) visit(key);
  return out;
}

/**
 * The folders of `runIds` (run ids are paths relative to a root, runs/index.ts), each under the first
 * root of `files` that has a file in it: the root the id belongs to. Ids a second root's name
 * prefixes (`root:rel`) are left out: reading them first could hand their plain id to the wrong root.
 * A run whose logs sit at a root is named by the root's folder name: its folder is the root.
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
      if (id === path.basename(root) && files.some((q) => q.file.root === root && path.dirname(q.file.path) === root)) {
        out.push(root);
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
