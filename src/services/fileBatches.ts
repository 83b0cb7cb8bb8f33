// The file batches sent to the worker, kept to name the file a crash happened on. A batch is kept
// until the worker has read it: a rescan is read in slices over seconds to minutes while a live
// trainer sends a batch every ~200 ms, so evicting by count alone lost the rescan's batch, and a
// crash on one of its files was then blamed on nothing (resent, crashed again, until the crash-loop stop).

/** Batches known read that are still kept (a crash on a later one is usually soon after). */
const KEPT_READ_BATCHES = 64;
/** Bound on unread batches too (a worker that never reports having read everything must not grow this forever). */
const MAX_BATCHES = 64 * KEPT_READ_BATCHES;

export class FileBatches {
  /** Paths sent, by batch id (ids increase: the map's order is the sending order). */
  private readonly batches = new Map<number, string[]>();
  private nextBatch = 1;
  /** Batches up to this id are read (the worker says so: IngestWorkerData). */
  private read = 0;

  /** Remembers `paths` as a new batch; its id. */
  add(paths: string[]): number {
    const batch = this.nextBatch++;
    this.batches.set(batch, paths);
    for (const [oldest] of this.batches) {
      if (this.batches.size <= KEPT_READ_BATCHES || (oldest > this.read && this.batches.size <= MAX_BATCHES)) break;
      this.batches.delete(oldest);
    }
    return batch;
  }

  /**
   * The worker posted a snapshot with every file read after receiving batch `batch`: batches up to it
   * are read and may go by count. (A restarted worker counts from 0 again: the highest stays.)
   */
  readUpTo(batch: number): void {
    this.read = Math.max(this.read, batch);
  }

  /** The path at `index` of `batch`, if it is still kept. */
  path(batch: number, index: number): string | undefined {
    return this.batches.get(batch)?.[index];
  }

  /** Batches kept (tests read it). */
  get size(): number {
    return this.batches.size;
  }
}
