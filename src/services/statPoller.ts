// Polling by `stat` for folders where file events cannot be trusted (network file systems: inotify
// only sees writes made on this machine). Plain Node, no `vscode`, so it is unit-tested directly.
// Never blocks the host: every stat is async, at most `concurrency` in flight, and a round starts
// only after the previous one has finished.
import { promises as fsp } from 'node:fs';

export interface PolledFile {
  path: string;
  root: string;
}

export interface StatPollerOptions {
  intervalMs: number;
  /** Stats in flight at once (default 8). */
  concurrency?: number;
  /** Lists the files that match the log globs now (to find new ones); run every `listEvery` rounds. */
  list: () => Promise<PolledFile[]>;
  /** List every this many rounds (default 5); known files are stat'ed every round. */
  listEvery?: number;
  onChanged: (files: PolledFile[]) => void;
  onDeleted: (paths: string[]) => void;
  onError?: (message: string) => void;
}

interface Known {
  root: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Map with at most `limit` calls of `fn` pending at once. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(lanes);
  return out;
}

export class StatPoller {
  private readonly known = new Map<string, Known>();
  private timer: NodeJS.Timeout | undefined;
  private round = 0;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: StatPollerOptions) {}

  /** Remember `files` as they are now (without reporting them), then poll every interval. */
  async start(files: PolledFile[]): Promise<void> {
    await this.statAll(files, false);
    this.schedule();
  }

  /** Files currently followed. */
  get size(): number {
    return this.known.size;
  }

  /** One round: list (every `listEvery` rounds), stat every known file, report what changed. Public for tests. */
  poll(): Promise<void> {
    if (this.running === undefined) this.running = this.pollOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  dispose(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.poll().then(
        () => this.schedule(),
        (e: unknown) => {
          this.options.onError?.(`polling failed: ${e instanceof Error ? e.message : String(e)}`);
          this.schedule();
        },
      );
    }, this.options.intervalMs);
  }

  private async pollOnce(): Promise<void> {
    const listEvery = Math.max(1, this.options.listEvery ?? 5);
    const candidates = new Map<string, PolledFile>();
    for (const [p, k] of this.known) candidates.set(p, { path: p, root: k.root });
    if (this.round++ % listEvery === 0) {
      try {
        for (const f of await this.options.list()) if (!candidates.has(f.path)) candidates.set(f.path, f);
      } catch (e) {
        this.options.onError?.(`listing failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (this.stopped) return;
    await this.statAll([...candidates.values()], true);
  }

  private async statAll(files: PolledFile[], report: boolean): Promise<void> {
    const changed: PolledFile[] = [];
    const deleted: string[] = [];
    await mapLimit(files, this.options.concurrency ?? 8, async (f) => {
      let st: { size: number; mtimeMs: number; ino: number };
      try {
        st = await fsp.stat(f.path);
      } catch (e) {
        // Gone: forget it. Other errors (a stale NFS handle, a permission blip) are not a deletion:
        // the file stays followed and is stat'ed again next round.
        const code = (e as NodeJS.ErrnoException).code;
        if ((code === 'ENOENT' || code === 'ENOTDIR') && this.known.delete(f.path)) deleted.push(f.path);
        return;
      }
      const prev = this.known.get(f.path);
      this.known.set(f.path, { root: f.root, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      // Appends grow the size, truncations shrink it, a rewrite of equal size moves mtime or the inode.
      if (prev === undefined || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs || prev.ino !== st.ino) changed.push(f);
    });
    if (!report || this.stopped) return;
    if (deleted.length > 0) this.options.onDeleted(deleted);
    if (changed.length > 0) this.options.onChanged(changed);
  }
}
