// The first read of a large JSONL log, split across threads (issue 20: faster than polars). The
// reading thread still reads the file chunk by chunk through its FileTail and applies every chunk in
// file order, as the single-thread path does; what the other threads add is the parsing. The tail's
// reads of a backlog fall on a grid (chunk j holds the lines that end in [j·B, (j+1)·B), B its read
// limit), so a thread can find chunk j's lines by itself: from the line feed before j·B to the last
// one before (j+1)·B. Threads claim chunks from a shared counter, parse them with a reader of their
// own and send the columns back; the reading thread claims a chunk itself when no thread has.
//
// Byte for byte the single-thread result: a thread's chunk is used only when its byte range is
// exactly the tail's chunk and reading it needed nothing from the lines before it (no diagnostic, no
// non-finite value, no record without a step, whose implicit step counts the records before it);
// its line numbers are then the chunk's lines counted from the chunk's first line. Any other chunk
// (a bad line, a line longer than the lookback, a file that grew or was rewritten meanwhile, a
// thread that failed) is parsed by the reading thread, which holds the reader's state.
//
// The reading thread waits for a chunk synchronously (Atomics.wait, then receiveMessageOnPort): the
// index reads synchronously, in the CLI's main thread or the extension's reading worker, never in
// the extension host's thread. It waits only for a chunk whose thread is on time: one that holds its
// chunk longer than LATE_FACTOR times the shortest chunk seen (descheduled on a busy machine, or
// dead) has that chunk parsed by the reading thread too, so a thread never makes the read much
// slower than one thread would be.
//
// One thread is kept after a read (ThreadPool, KEEP_WARM_MS, MAX_KEPT_THREADS): a thread's start and
// its first chunks, while V8 compiles the parser in that thread, cost ~150–250 ms of CPU at 100 MB,
// most of what a split read of that size gains; a kept thread reads the next large log with its
// parser compiled.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { JsonlReader, type ColumnReadResult } from './jsonl';
import type { MetricColumn } from './metricColumns';

/**
 * Files below this are read by one thread. A thread costs ~200 ms of CPU beyond its chunks (its start,
 * its JIT warming up, its end): measured on 2 cores with full-precision losses, the split read took
 * 1.1–1.2× one thread's wall time at 40 MB, about 1× at 70 MB, 0.8–0.9× at 100 MB.
 */
const DEFAULT_MIN_BYTES = 64 * 1024 * 1024;
/** Threads beyond this add little: applying the chunks in order is the reading thread's share. */
const MAX_THREADS = 8;
/** How far back from a chunk's grid start a thread looks for the line feed that begins it. */
const LOOKBACK_BYTES = 1024 * 1024;
/** The line number a thread gives a chunk's first line (not 1: that line may open with a byte order mark). */
const THREAD_FIRST_LINE = 2;
/** How long the reading thread waits for one chunk before it parses the rest itself. */
const CHUNK_WAIT_MS = 60_000;
/**
 * A thread is late with its chunk past this many times the shortest chunk time seen (a chunk read
 * and parsed, by any thread; a thread's first chunk, JIT still cold, takes ~2.5× a warm one). Waiting
 * that long, then parsing, costs at most LATE_FACTOR + 1 chunk times where waiting could cost seconds.
 */
const LATE_FACTOR = 3;
/** Recycled column arrays a chunk parser keeps: three per metric for the chunks in flight. */
const MAX_SPARE_ARRAYS = 96;
/**
 * How long a parsing thread is kept after a read, for the next large log's first read. A thread's
 * start and its first chunks (V8 compiling the parser in that thread) cost ~150–250 ms of CPU at
 * 100 MB; a kept thread starts its next read at once with its parser compiled. Idle, it holds no
 * file, and 15–20 MB of the process's RSS (30–45 MB after a 100 MB read: an idle thread does not
 * collect its last read's garbage), given back when it ends.
 */
const KEEP_WARM_MS = 30_000;
/**
 * Parsing threads kept after a read (the others end with it): each holds its 15–45 MB while kept, so
 * seven kept on an 8-core machine held 200–300 MB for 30 s after every large read. One kept thread
 * still saves the next read its start and compiling; the other threads start cold.
 */
const MAX_KEPT_THREADS = 1;

// The shared control cells (Int32Array over a SharedArrayBuffer).
const NEXT = 0; // the next chunk to claim
const APPLIED = 1; // chunks the reading thread has applied (threads stay within a few chunks of it)
const STOP = 2; // set when the read ends: threads stop claiming
const PUBLISHED = 3; // chunk results posted (the reading thread waits on it)
// Then one cell per thread: the chunk it claimed and has not posted (-1: none), or, once the thread
// ended, EXITED minus that chunk (so the reading thread stops waiting for a chunk a dead thread held).
const CLAIMS = 4;
const EXITED = -2;

export interface JsonlThreadOptions {
  /** Parsing threads besides the reading thread (default: one per free core, the reading thread's and `ownBusyThreads`' set aside, at most 8; 0 turns the split off). */
  threads?: number;
  /** Smallest file split (default 64 MiB). */
  minBytes?: number;
  /**
   * Tests: the reading thread parses no chunk but the first itself (it waits for the threads, however
   * slow to start); 'first': it leaves chunk 1 to them, then reads as it does by default.
   */
  leaveToThreads?: boolean | 'first';
  /** Filled in by the read, when given (bench/ingest.ts shows the split; `gate` even when no thread was started). */
  stats?: JsonlSplitStats;
  /** A parsing thread's script instead of dist/jsonlThread.js (bench/ingest.ts: a bundle of the current source, as the product ships it). */
  threadScript?: string;
  /** How long parsing threads are kept after a read for the next one (default KEEP_WARM_MS; 0: ended with the read). */
  keepWarmMs?: number;
  /** Tests: how long the reading thread waits for one chunk before it parses the rest itself (default CHUNK_WAIT_MS). */
  chunkWaitMs?: number;
  /**
   * This process's threads besides the reading thread that are busy now and stay so (the fitting
   * threads running a fit): the load gate counts their cores taken. It cannot tell them from the
   * other running threads of this process it leaves out (V8's collector helpers; Node names every
   * thread "node"). Asked when a large file's threads are judged.
   */
  ownBusyThreads?: () => number;
}

/** How the default number of parsing threads was judged (see defaultThreads). */
export interface JsonlLoadGate {
  cores: number;
  /** The 1-minute load average (0 where the OS has none). */
  loadAverage: number;
  /** Tasks other processes were running or had runnable (Linux /proc), undefined elsewhere or where our busy threads left no core to judge. */
  othersRunning?: number;
  /** This process's running threads, left out of that count (the reading thread among them). */
  ownRunning?: number;
  /** Of this process's threads, those known to be busy (JsonlThreadOptions.ownBusyThreads): their cores counted taken, on every OS. */
  ownBusy: number;
}

/** How a parallel first read shared its chunks. */
export interface JsonlSplitStats {
  /** How the number of threads was judged, when the options did not set it. */
  gate?: JsonlLoadGate;
  threads: number;
  /** Chunks taken from a parsing thread. */
  byThreads: number;
  /** Chunks the reading thread parsed: in turn (the first, unclaimed, unusable, late) or ahead while it would have waited. */
  byReadingThread: number;
  /** Of those, chunks a late thread held (see LATE_FACTOR). */
  late: number;
  /** Time the reading thread spent waiting for threads. */
  waitMs: number;
  /** Of the threads, those kept from an earlier read (started, their parser compiled); the rest were started for this read. */
  warmThreads: number;
  /** Column arrays of stored chunks that parsers reused for later chunks (see recycleTaken), as of the last chunk received. */
  reusedArrays: number;
  /** When a parsing thread first claimed a chunk, ms after the read started (its start). */
  firstClaimMs?: number;
  /** Wall times of the chunks threads parsed, in the order they came. */
  threadChunkMs?: number[];
  /** Wall times of the chunks the reading thread parsed ahead. */
  readerChunkMs?: number[];
}

/** What a parsing thread is started with (src/core/runs/jsonlThread.ts). */
export interface JsonlThreadInit {
  file: string;
  blockBytes: number;
  blocks: number;
  lookahead: number;
  control: SharedArrayBuffer;
  /** This thread's claim cell is control[CLAIMS + index]. */
  index: number;
  /** Where the thread records when it claimed its chunk (Int32Array cell `index`, ms after `origin`, a time origin plus performance.now()). */
  claimTimes?: SharedArrayBuffer;
  origin?: number;
  port: Pick<MessagePort, 'postMessage' | 'close'>;
  /** Held untouched while the thread lives: its other end, in the watching thread, closes when this thread ends, however it ends. */
  watched?: MessagePort;
}

/**
 * The watching thread: a thread that ends without its `finally` (process.exit, out of memory,
 * terminated) cannot say so, and the reading thread, blocked in Atomics.wait, never sees the
 * Worker's 'exit' event. This thread's event loop does see each parsing thread's port close, and
 * marks that thread's claim as held by an ended thread, as runParsingThread's finally would.
 * Started only when the reading thread leaves chunks to the threads (leaveToThreads: it would wait
 * for a dead thread's chunk without bound). By default a dead thread's chunk is taken over once the
 * thread is late (LATE_FACTOR chunk times): a second worker's start and end cost ~70 ms of CPU, as
 * much as a 40 MB read gains from the split.
 */
const WATCHER_SOURCE = `
const { workerData } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
workerData.ports.forEach((port, i) => {
  port.on('message', () => undefined);
  port.on('close', () => {
    const cell = workerData.claims + i;
    // Held chunk or not, the cell says the thread ended (the reading thread gives up on a chunk
    // nobody alive can post); a cell its finally already marked is left as it is.
    for (;;) {
      const held = Atomics.load(control, cell);
      if (held <= workerData.exited) return;
      if (Atomics.compareExchange(control, cell, held, held >= 0 ? workerData.exited - held : workerData.exited) === held) break;
    }
    Atomics.add(control, workerData.published, 1);
    Atomics.notify(control, workerData.published);
  });
});`;

/** One chunk as a parsing thread read it: its byte range and, when usable, its columns. */
interface ChunkResult {
  block: number;
  start: number;
  end: number;
  /** False when the chunk must be parsed by the reading thread (see the top of this file). */
  usable: boolean;
  /** Wall time the chunk took to read and parse. */
  parseMs?: number;
  /** When its thread claimed it, ms after the read's origin. */
  claimedMs?: number;
  /** Parsed by the reading thread ahead of its turn. */
  byReader?: boolean;
  /** The port it came by (set on receipt, not sent): its arrays go back there once stored. */
  from?: MessagePort;
  /** Recycled arrays its parser had taken by the end of this chunk. */
  reusedArrays?: number;
  lineCount: number;
  columns: MetricColumn[];
}

/** How to start a parsing thread: the bundle's script (dist/jsonlThread.js), or from source under tsx (tests, bench). */
interface ThreadScript {
  file: string;
  eval: boolean;
  /** The script runs reads posted to it one after another (jsonlThread.ts: workerData.pooled), so its thread can be kept; else it reads the one in its workerData and ends. */
  pooled?: boolean;
}

function threadScript(): ThreadScript | undefined {
  const bundled = path.join(__dirname, 'jsonlThread.js');
  if (fs.existsSync(bundled)) return { file: bundled, eval: false, pooled: true };
  const source = path.join(__dirname, 'jsonlThread.ts');
  if (!__filename.endsWith('.ts') || !fs.existsSync(source)) return undefined;
  // A worker does not inherit tsx's loader (Node 20): it registers tsx's require hook itself.
  try {
    const tsx = require.resolve('tsx/cjs');
    return { file: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, eval: true, pooled: true };
  } catch {
    return undefined;
  }
}

/**
 * Parsing threads besides the reading thread: one per core left once the reading thread's, this
 * process's known busy threads' (the fitting threads running a fit) and other processes' are set
 * aside. Measured on a shared 2-core machine at a load average of 5–17, a second thread made the
 * read slower (the other thread waits for a core, while the reading thread waited for its chunks)
 * and added ~70 MB: threads are used only where cores are free. Other processes' cores are the tasks
 * they are running now (Linux's /proc/loadavg, less this process's own running threads), capped by
 * the 1-minute load average. The average alone counts this process's own recent work: after a
 * minute of reading on one core, a quiet 2-core machine shows a load of 1 and looked full. So did
 * the running tasks while they counted this process's own: V8's garbage-collector helpers and a
 * kept parsing thread finishing its read made a quiet 2-core machine look full right after a large
 * read (the bench's 101 MB reads after the first started no thread at a load of 1.2–1.4). Those
 * cannot be told from our busy fitting threads, so the caller says how many of ours are busy.
 * Without /proc (macOS; Windows, whose load average is 0) it is as before, the cores less the load
 * average and at most the cores but one, now also less the known busy threads.
 * Kept threads did not change the rest: at a load of 9–10, one kept thread forced still made a 100 MB
 * read slower than one thread (1.08 s against 0.77 s wall, medians of 12 reads; the reading thread
 * waited 0.52 s for chunks).
 */
function defaultThreads(ownBusy: number, gate: JsonlLoadGate = { cores: 0, loadAverage: 0, ownBusy: 0 }): number {
  const cores = os.availableParallelism();
  const busy = Number.isFinite(ownBusy) && ownBusy > 0 ? ownBusy : 0;
  // Our busy threads take every core but the reading thread's (a first scan's fitting threads): none
  // is free whatever the other processes do, and /proc is not read (3 rounds: 9 ms median, 22 ms p90 with 53 threads in the process at load 4.9).
  const others = cores - 1 - busy >= 1 ? othersRunning() : undefined;
  Object.assign(gate, { cores, loadAverage: os.loadavg()[0], othersRunning: others?.others, ownRunning: others?.own, ownBusy: busy });
  return threadsForGate(gate);
}

/**
 * Parsing threads for what the gate saw (see defaultThreads): with the running tasks (Linux), the
 * cores less the reading thread's, the known busy threads' and the other processes' (those tasks,
 * capped by the load average); without them, the cores but one less the known busy threads, and
 * at most the cores less the load average (the average counts the reading thread's recent work).
 */
export function threadsForGate(gate: JsonlLoadGate): number {
  const { cores, loadAverage, othersRunning, ownBusy } = gate;
  const free = othersRunning !== undefined ? cores - 1 - ownBusy - Math.min(loadAverage, othersRunning) : Math.min(cores - 1 - ownBusy, cores - loadAverage);
  return Math.max(0, Math.min(MAX_THREADS, Math.floor(free)));
}

/** Rounds of reads of /proc/loadavg, each between two of this process's running threads (see othersRunning). */
const GATE_SAMPLES = 3;

/**
 * Tasks other processes are running (or have runnable) now, and this process's, or undefined without
 * /proc (elsewhere the load average alone judges). The readers: tests.
 */
export function othersRunning(
  readLoadavg: () => string = () => fs.readFileSync('/proc/loadavg', 'latin1'),
  ownRunning: () => number = ownRunningTasks,
): { others: number; own: number } | undefined {
  try {
    // This process's running threads are read on both sides of the machine's count and the smaller
    // taken: one of ours that ran only for a moment may be counted as another process's, never the
    // reverse for a thread that ran through both reads. The fewest others over a few such rounds:
    // our collector helpers, running on and off right after a large read, would otherwise often be
    // counted as another process's task, and on 2 cores one task takes the parsing thread's core.
    let best: { others: number; own: number } | undefined;
    let before = ownRunning();
    for (let round = 0; round < GATE_SAMPLES; round++) {
      const loadavg = readLoadavg();
      const after = ownRunning();
      const own = Math.min(before, after);
      const others = runningBesides(loadavg, own);
      if (others === undefined) return undefined;
      if (best === undefined || others < best.others) best = { others, own };
      if (others === 0) break;
      before = after;
    }
    return best;
  } catch {
    return undefined;
  }
}

/** This process's threads running or runnable now (Linux: /proc/self/task/<tid>/stat); 1 (the calling thread) where they cannot be read. */
function ownRunningTasks(): number {
  let dir: string[];
  try {
    dir = fs.readdirSync('/proc/self/task');
  } catch {
    return 1;
  }
  const stats: string[] = [];
  for (const tid of dir) {
    try {
      stats.push(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'latin1'));
    } catch {
      // A thread that ended since the listing: not running.
    }
  }
  return Math.max(1, runningTaskCount(stats));
}

/**
 * How many of these /proc/<pid>/task/<tid>/stat texts are of a task running or runnable (state R).
 * The state is the field after the command name, which is in parentheses and may itself hold
 * spaces and parentheses ("12 (node (x) y) R 1 …"): it is read after the last ')'.
 */
export function runningTaskCount(statTexts: readonly string[]): number {
  let n = 0;
  for (const text of statTexts) {
    const close = text.lastIndexOf(')');
    if (
      close >= 0 &&
      text
        .slice(close + 1)
        .trimStart()
        .startsWith('R')
    )
      n++;
  }
  return n;
}

/**
 * Tasks running or runnable on the machine besides `ownRunning` of this process's (the calling
 * thread among them), from the text of /proc/loadavg ("0.52 0.58 0.59 3/467 12345": the fourth
 * field is running/total scheduling entities); undefined when the text is not that. Never below 0:
 * the two are read a moment apart.
 */
export function runningBesides(loadavgText: string, ownRunning: number): number | undefined {
  const running = Number(loadavgText.split(' ')[3]?.split('/')[0]);
  if (!Number.isInteger(running) || running < 1) return undefined;
  return Math.max(0, running - Math.max(1, ownRunning));
}

/**
 * A parallel first read of `file` (read by a tail whose read limit is `blockBytes`), or undefined
 * when the file is too small (or gone), the machine has one core or the thread script is missing.
 */
export function startParallelRead(file: string, blockBytes: number, options: JsonlThreadOptions = {}): ParallelJsonlRead | undefined {
  // A stats object given to read after read says what the last read did, not a mix of them.
  if (options.stats !== undefined) {
    const stats = options.stats as unknown as Record<string, unknown>;
    for (const key of Object.keys(stats)) delete stats[key];
    Object.assign(options.stats, { threads: 0, byThreads: 0, byReadingThread: 0, late: 0, waitMs: 0, warmThreads: 0, reusedArrays: 0 });
  }
  if (options.threads !== undefined && !(options.threads >= 1)) return undefined;
  if (blockBytes < 1) return undefined;
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return undefined;
  }
  if (size < (options.minBytes ?? DEFAULT_MIN_BYTES)) return undefined;
  // Judged once the file is large enough: the first read of every small log does not read /proc.
  const threads = Math.min(
    MAX_THREADS,
    Math.floor(
      options.threads ?? defaultThreads(options.ownBusyThreads?.() ?? 0, options.stats !== undefined ? (options.stats.gate = {} as JsonlLoadGate) : undefined),
    ),
  );
  if (!(threads >= 1)) return undefined;
  const blocks = Math.ceil(size / blockBytes);
  if (blocks < 2) return undefined;
  const script = options.threadScript !== undefined ? { file: options.threadScript, eval: false, pooled: true } : threadScript();
  if (script === undefined) return undefined;
  return new ParallelJsonlRead(
    script,
    file,
    blockBytes,
    blocks,
    threads,
    options.leaveToThreads ?? false,
    options.stats,
    options.keepWarmMs,
    options.chunkWaitMs,
  );
}

/** A parsing thread kept between reads (see ThreadPool). */
interface PooledThread {
  worker: Worker;
  /** Reads it was given: past the first, its start and its parser's compiling are paid. */
  reads: number;
  exited: boolean;
}

/**
 * Parsing threads kept between large logs' first reads, in the thread that reads them (the CLI's
 * main thread, the extension's reading worker): a read takes kept threads first and gives them
 * back when it ends, one of them kept (MAX_KEPT_THREADS), ended if not used for `keepWarmMs`. They are unref'd: a kept thread
 * never holds a process open.
 */
class ThreadPool {
  private readonly kept: PooledThread[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly script: ThreadScript) {}

  /** A kept thread, or a new one (started here; it runs reads posted to it). */
  take(): PooledThread {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (let live = this.kept.pop(); live !== undefined; live = this.kept.pop()) if (!live.exited) return live;
    // No execArgv: the thread needs none of the process's flags, and inheriting `--import tsx`
    // (tests, bench) cost each thread ~65 ms of CPU before its first chunk (~25 ms without).
    const worker = new Worker(this.script.file, { eval: this.script.eval, workerData: { pooled: true }, execArgv: [] });
    worker.unref();
    const thread: PooledThread = { worker, reads: 0, exited: false };
    // A thread that fails stops claiming (see the constructor of ParallelJsonlRead); it is not kept.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      thread.exited = true;
      const at = this.kept.indexOf(thread);
      if (at >= 0) this.kept.splice(at, 1);
    });
    return thread;
  }

  /**
   * Threads a read used: at most MAX_KEPT_THREADS kept for `keepWarmMs` (the last read's) unless
   * another read takes them, the others told to end once their read is over (a message after it:
   * the thread closes its file in its own time, as it would not when terminated mid-chunk).
   */
  giveBack(threads: readonly PooledThread[], keepWarmMs: number): void {
    for (const t of threads) {
      if (t.exited || this.kept.includes(t)) continue;
      if (this.kept.length < MAX_KEPT_THREADS) this.kept.push(t);
      else this.retire(t);
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.end(), keepWarmMs);
    this.timer.unref();
  }

  /** Ends a thread that is not kept, after the read it is finishing (see jsonlThread.ts). */
  private retire(thread: PooledThread): void {
    try {
      thread.worker.postMessage({ end: true });
    } catch {
      void thread.worker.terminate().catch(() => undefined);
    }
  }

  /** Ends a thread at once: one that hung in a chunk would never read the message retire sends, nor another read. */
  discard(thread: PooledThread): void {
    void thread.worker.terminate().catch(() => undefined);
  }

  /** Ends every kept thread (idle for keepWarmMs, or asked). */
  end(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of this.kept.splice(0)) void t.worker.terminate().catch(() => undefined);
  }

  /** Threads kept now (tests). */
  get size(): number {
    return this.kept.filter((t) => !t.exited).length;
  }
}

const pools = new Map<string, ThreadPool>();

/** The pool of `script`'s threads in this thread. */
function threadPool(script: ThreadScript): ThreadPool {
  const key = `${script.eval}:${script.file}`;
  let pool = pools.get(key);
  if (pool === undefined) pools.set(key, (pool = new ThreadPool(script)));
  return pool;
}

/** Parsing threads kept now for later reads, over every pool (tests). */
export function keptParsingThreads(): number {
  let n = 0;
  for (const pool of pools.values()) n += pool.size;
  return n;
}

/** Ends every kept parsing thread now, so the next large read starts its threads cold (bench/ingest.ts shows that read). */
export function endKeptParsingThreads(): void {
  for (const pool of pools.values()) pool.end();
}

export class ParallelJsonlRead {
  private readonly control: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly done = new Map<number, ChunkResult>();
  private readonly lookahead: number;
  /** The reading thread's own parser of chunks ahead, used while it would otherwise wait (opened on first use). */
  private parser: { fd: number; parser: ChunkParser } | undefined;
  private closed = false;
  /** Per thread: when it claimed the chunk it holds, in ms after `origin` (performance.timeOrigin + performance.now() at the start). */
  private readonly claimTimes: Int32Array;
  private readonly origin = performance.now();
  /** The shortest time a chunk took (read and parsed, by any thread): what a thread on time needs. */
  private shortestChunkMs = Infinity;
  /** When the reading thread was last left a chunk to parse itself (take gave undefined); its next take times it. */
  private ownSince: number | undefined;
  private readonly stats: JsonlSplitStats;
  /** Whether the chunk take gives was one the reading thread parsed ahead. */
  private tookByReader = false;
  /** The chunk take gave last (its arrays are recycled at the next take). */
  private taken: ChunkResult | undefined;
  /** Per thread's port: the recycled arrays its parser had taken, as of its last chunk. */
  private readonly reusedBy = new Map<MessagePort, number>();

  /** The kept threads this read uses (given back to their pool when it ends), when its script is pooled. */
  private readonly pool: ThreadPool | undefined;
  private readonly pooled: PooledThread[] = [];
  private readonly keepWarmMs: number;
  /** Threads (by index) that held a chunk past chunkWaitMs: ended at close, not given back. */
  private readonly hung = new Set<number>();
  private readonly chunkWaitMs: number;

  constructor(
    script: ThreadScript,
    readonly file: string,
    private readonly blockBytes: number,
    private readonly blocks: number,
    threads: number,
    private readonly leaveToThreads: boolean | 'first',
    stats?: JsonlSplitStats,
    keepWarmMs = KEEP_WARM_MS,
    chunkWaitMs = CHUNK_WAIT_MS,
  ) {
    this.chunkWaitMs = chunkWaitMs;
    this.stats = Object.assign(stats ?? ({} as JsonlSplitStats), {
      threads: 0,
      byThreads: 0,
      byReadingThread: 0,
      late: 0,
      waitMs: 0,
      warmThreads: 0,
      reusedArrays: 0,
    });
    this.claimTimes = new Int32Array(new SharedArrayBuffer(threads * Int32Array.BYTES_PER_ELEMENT));
    this.control = new Int32Array(new SharedArrayBuffer((CLAIMS + threads) * Int32Array.BYTES_PER_ELEMENT));
    this.control.fill(-1, CLAIMS);
    // Chunk 0 is the reading thread's: it starts before any thread is up, and may open with a byte order mark.
    this.control[NEXT] = 1;
    // Enough chunks ahead to keep every thread busy, few enough to bound what waits in memory.
    const lookahead = (this.lookahead = 2 * threads + 2);
    // A watching thread only where the reading thread would wait for a dead thread without bound (see WATCHER_SOURCE).
    const watching = leaveToThreads === true;
    const watchPorts: MessagePort[] = [];
    this.keepWarmMs = keepWarmMs;
    this.pool = script.pooled === true && keepWarmMs > 0 ? threadPool(script) : undefined;
    for (let t = 0; t < threads; t++) {
      const { port1, port2 } = new MessageChannel();
      const watch = watching ? new MessageChannel() : undefined;
      const init: JsonlThreadInit = {
        file,
        blockBytes,
        blocks,
        lookahead,
        control: this.control.buffer as SharedArrayBuffer,
        index: t,
        claimTimes: this.claimTimes.buffer as SharedArrayBuffer,
        origin: performance.timeOrigin + this.origin,
        port: port2,
        watched: watch?.port2,
      };
      try {
        const transferList = watch !== undefined ? [port2, watch.port2] : [port2];
        if (this.pool !== undefined) {
          // A kept thread (or one started for the pool) is given this read as a message: it reads the
          // reads posted to it one after another, and one still finishing a read it was stopped in
          // starts this one after (the reading thread parses any chunk nobody claimed).
          const thread = this.pool.take();
          // Given back at the end of this read even if the post below fails.
          this.pooled.push(thread);
          thread.worker.postMessage(init, transferList);
          if (thread.reads++ > 0) this.stats.warmThreads++;
        } else {
          // No execArgv: the thread needs none of the process's flags, and inheriting `--import tsx`
          // (tests, bench) cost each thread ~65 ms of CPU before its first chunk (~25 ms without).
          const worker = new Worker(script.file, { eval: script.eval, workerData: init, transferList, execArgv: [] });
          worker.unref();
          // A thread that fails stops claiming; a chunk it held is given up as soon as its claim cell says
          // it ended (runParsingThread's finally, or the watching thread), or once it is late.
          worker.on('error', () => undefined);
          this.workers.push(worker);
        }
        this.ports.push(port1);
        if (watch !== undefined) watchPorts.push(watch.port1);
      } catch {
        port1.close();
        watch?.port1.close();
        break;
      }
    }
    this.stats.threads = this.ports.length;
    if (watchPorts.length === 0) return;
    try {
      const watcher = new Worker(WATCHER_SOURCE, {
        eval: true,
        workerData: { control: this.control.buffer, ports: watchPorts, claims: CLAIMS, exited: EXITED, published: PUBLISHED },
        transferList: watchPorts,
        execArgv: [],
      });
      watcher.unref();
      watcher.on('error', () => undefined);
      this.workers.push(watcher);
    } catch {
      // No watcher: a thread that ends without its finally is waited for until it is late (or CHUNK_WAIT_MS).
      for (const port of watchPorts) port.close();
    }
  }

  /**
   * The columns of the tail's chunk `r` (read with the tail then at `position`) as a parsing thread
   * read them, or undefined when the reading thread must parse it (its own claim, or no usable result).
   */
  take(r: { start: number; end: number; firstLineNumber: number; rewritten: boolean; overlong?: unknown }, position: number): ColumnReadResult | undefined {
    // The chunk taken before is stored by now (the reader's contract: columns are consumed before the next read).
    this.recycleTaken();
    const now = performance.now();
    // Since the last take, the reading thread parsed and applied a chunk (and read this one): an upper bound of a chunk's time.
    if (this.ownSince !== undefined) this.shortestChunkMs = Math.min(this.shortestChunkMs, now - this.ownSince);
    this.tookByReader = false;
    const res = this.takeFromThreads(r, position);
    this.ownSince = res === undefined ? performance.now() : undefined;
    if (res === undefined || this.tookByReader) this.stats.byReadingThread++;
    else this.stats.byThreads++;
    return res;
  }

  private takeFromThreads(
    r: { start: number; end: number; firstLineNumber: number; rewritten: boolean; overlong?: unknown },
    position: number,
  ): ColumnReadResult | undefined {
    if (this.closed) return undefined;
    if (r.rewritten) {
      this.close();
      return undefined;
    }
    const block = Math.ceil(position / this.blockBytes) - 1;
    // Chunk 0 is always the reading thread's (NEXT starts at 1).
    if (block <= 0 || block >= this.blocks) return undefined;
    Atomics.store(this.control, APPLIED, block);
    Atomics.notify(this.control, APPLIED);
    // Not yet claimed: the reading thread parses it (no waiting on a thread that has not got to it).
    if (!this.leftToThreads(block) && Atomics.compareExchange(this.control, NEXT, block, block + 1) <= block) return undefined;
    const waitFrom = performance.now();
    const chunk = this.wait(block);
    this.stats.waitMs += performance.now() - waitFrom;
    if (chunk === undefined || !chunk.usable || r.overlong !== undefined || chunk.start !== r.start || chunk.end !== r.start + r.end) return undefined;
    this.tookByReader = chunk.byReader === true;
    this.taken = chunk;
    let reused = this.parser?.parser.reused ?? 0;
    for (const n of this.reusedBy.values()) reused += n;
    this.stats.reusedArrays = reused;
    const shift = r.firstLineNumber - THREAD_FIRST_LINE;
    if (shift !== 0) for (const c of chunk.columns) for (let i = 0; i < c.length; i++) c.places[i] += shift;
    return { points: [], diagnostics: [], nonFinite: [], columns: chunk.columns, lineCount: chunk.lineCount };
  }

  /** Whether chunk `block` is the threads' alone (tests: JsonlThreadOptions.leaveToThreads). */
  private leftToThreads(block: number): boolean {
    return this.leaveToThreads === true || (this.leaveToThreads === 'first' && block === 1);
  }

  /**
   * Gives the arrays of the chunk taken last back to whoever parsed it, to hold a later chunk's
   * columns: a chunk's columns are ~3 MB (for 4 MiB of lines), and fresh arrays for each would cost
   * the parsing thread their pages and the garbage collector their release.
   */
  private recycleTaken(): void {
    const chunk = this.taken;
    if (chunk === undefined) return;
    this.taken = undefined;
    const arrays: Float64Array[] = [];
    for (const c of chunk.columns) arrays.push(c.steps, c.values, c.places);
    if (chunk.byReader === true) this.parser?.parser.recycle(arrays);
    else if (chunk.from !== undefined && !this.closed) {
      try {
        chunk.from.postMessage(
          arrays,
          arrays.map((a) => a.buffer as ArrayBuffer),
        );
      } catch {
        // A closed port: the thread allocates its next arrays.
      }
    }
  }

  /** Stops the threads (each exits after the chunk it is parsing). */
  close(): void {
    if (this.closed) return;
    this.taken = undefined;
    this.closed = true;
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, APPLIED);
    for (const port of this.ports) port.close();
    for (const worker of this.workers) void worker.terminate().catch(() => undefined);
    // Kept threads see STOP, end the read they were given (after the chunk they are parsing) and wait for the next.
    if (this.pool !== undefined) {
      const pool = this.pool;
      // pooled[t] was given ports[t]'s read (a thread whose post failed is last, with no port).
      for (const t of this.hung) pool.discard(this.pooled[t]);
      pool.giveBack(
        this.pooled.filter((_, t) => !this.hung.has(t)),
        this.keepWarmMs,
      );
    }
    this.done.clear();
    if (this.parser !== undefined) fs.closeSync(this.parser.fd);
    this.parser = undefined;
  }

  /**
   * Rather than wait for a thread, the reading thread parses the next unclaimed chunk as a thread
   * would (within the lookahead); false when there is none.
   */
  private parseAhead(): boolean {
    if (this.leaveToThreads === true || (this.leaveToThreads === 'first' && Atomics.load(this.control, NEXT) <= 1)) return false;
    if (Atomics.load(this.control, NEXT) - Atomics.load(this.control, APPLIED) >= this.lookahead) return false;
    const block = Atomics.add(this.control, NEXT, 1);
    if (block >= this.blocks) return false;
    if (this.parser === undefined) {
      try {
        const fd = fs.openSync(this.file, 'r');
        this.parser = { fd, parser: new ChunkParser(fd, this.file, this.blockBytes) };
      } catch {
        // Claimed and not parsed: the reading thread parses it from the tail's bytes when it gets there.
        this.done.set(block, { block, start: -1, end: -1, usable: false, lineCount: 0, columns: [] });
        return false;
      }
    }
    const chunk = this.parser.parser.read(block);
    chunk.byReader = true;
    if (chunk.parseMs !== undefined) this.shortestChunkMs = Math.min(this.shortestChunkMs, chunk.parseMs);
    if (chunk.parseMs !== undefined) (this.stats.readerChunkMs ??= []).push(Math.round(chunk.parseMs));
    this.done.set(block, chunk);
    return true;
  }

  /** Whether every started parsing thread has ended (its claim cell marked by its finally or the watching thread). */
  private threadsEnded(): boolean {
    for (let t = 0; t < this.ports.length; t++) if (Atomics.load(this.control, CLAIMS + t) > EXITED) return false;
    return true;
  }

  /** Chunk `block`'s result once a thread posted it; undefined when none came in time. */
  private wait(block: number): ChunkResult | undefined {
    const waitFrom = performance.now();
    const deadline = waitFrom + this.chunkWaitMs;
    for (;;) {
      const seen = Atomics.load(this.control, PUBLISHED);
      // Read before the ports are drained: every chunk an ended thread posted is then in `done`.
      const allEnded = this.threadsEnded();
      for (const port of this.ports) {
        for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
          const chunk = m.message as ChunkResult;
          chunk.from = port;
          if (chunk.reusedArrays !== undefined) this.reusedBy.set(port, Math.max(this.reusedBy.get(port) ?? 0, chunk.reusedArrays));
          if (chunk.parseMs !== undefined) this.shortestChunkMs = Math.min(this.shortestChunkMs, chunk.parseMs);
          if (chunk.claimedMs !== undefined) this.stats.firstClaimMs = Math.min(this.stats.firstClaimMs ?? Infinity, chunk.claimedMs);
          if (chunk.parseMs !== undefined) (this.stats.threadChunkMs ??= []).push(Math.round(chunk.parseMs));
          this.done.set(chunk.block, chunk);
        }
      }
      const chunk = this.done.get(block);
      // Chunks before this one were the reading thread's after all (an irregular grid): let them go.
      for (const b of this.done.keys()) if (b < block) this.done.delete(b);
      if (chunk !== undefined) {
        this.done.delete(block);
        return chunk;
      }
      if (this.parseAhead()) continue;
      // A thread that ended holding this chunk (it failed even to post it unusable) will not post it.
      for (let t = CLAIMS; t < this.control.length; t++) if (Atomics.load(this.control, t) === EXITED - block) return undefined;
      // Every thread ended and none posted it: claimed by one that ended before recording its claim.
      if (allEnded) return undefined;
      const now = performance.now();
      const lateAt = this.lateAt(block, waitFrom);
      if (now >= lateAt) {
        this.stats.late++;
        return undefined;
      }
      const left = deadline - now;
      if (left <= 0) {
        // The thread that holds the chunk is hung (or its chunk is lost): it is ended, not kept for a later read to queue behind.
        for (let t = 0; t < this.ports.length; t++) if (Atomics.load(this.control, CLAIMS + t) === block) this.hung.add(t);
        this.close();
        return undefined;
      }
      Atomics.wait(this.control, PUBLISHED, seen, Math.min(left, 1000, lateAt - now));
    }
  }

  /**
   * When the thread holding `block` is late (performance.now() time; see LATE_FACTOR), counted from
   * its claim (from `waitFrom` when no cell names it); never while no chunk time is known, nor for tests that leave chunks to threads.
   */
  private lateAt(block: number, waitFrom: number): number {
    if (this.leftToThreads(block) || this.shortestChunkMs === Infinity) return Infinity;
    let claimedAt = waitFrom;
    for (let t = 0; t < this.ports.length; t++)
      if (Atomics.load(this.control, CLAIMS + t) === block) claimedAt = this.origin + Atomics.load(this.claimTimes, t);
    return claimedAt + LATE_FACTOR * this.shortestChunkMs;
  }
}

/** A parsing thread's loop (jsonlThread.ts): claim a chunk, parse it, post it, until none is left. */
export function runParsingThread(init: JsonlThreadInit): void {
  const control = new Int32Array(init.control);
  let fd: number;
  try {
    fd = fs.openSync(init.file, 'r');
  } catch (e) {
    // Nothing claimed: the reading thread parses every chunk (a watching thread sees this one end).
    init.port.close();
    init.watched?.close();
    throw e;
  }
  const parser = new ChunkParser(fd, init.file, init.blockBytes);
  // The reading thread gives each chunk's arrays back by this port once it stored them (a test's stand-in port has none).
  const inbox = init.port instanceof MessagePort ? init.port : undefined;
  const claim = CLAIMS + init.index;
  const claimTimes = init.claimTimes !== undefined ? new Int32Array(init.claimTimes) : undefined;
  const publish = (): void => {
    Atomics.store(control, claim, -1);
    Atomics.add(control, PUBLISHED, 1);
    Atomics.notify(control, PUBLISHED);
  };
  try {
    for (;;) {
      // Stay within `lookahead` chunks of what the reading thread applied.
      for (;;) {
        if (Atomics.load(control, STOP) !== 0) return;
        const applied = Atomics.load(control, APPLIED);
        if (Atomics.load(control, NEXT) - applied < init.lookahead) break;
        Atomics.wait(control, APPLIED, applied, 1000);
      }
      // The claim is recorded before it is taken: a thread ended between the two leaves a cell that
      // names the chunk, never a chunk claimed by no cell (which the reading thread would wait for).
      let block: number;
      do {
        block = Atomics.load(control, NEXT);
        if (block >= init.blocks) {
          Atomics.store(control, claim, -1);
          return;
        }
        // Its time first: a cell naming the chunk never pairs with the previous chunk's time (judged late too soon).
        if (claimTimes !== undefined) Atomics.store(claimTimes, init.index, Math.round(performance.timeOrigin + performance.now() - (init.origin ?? 0)));
        Atomics.store(control, claim, block);
      } while (Atomics.compareExchange(control, NEXT, block, block + 1) !== block);
      try {
        if (inbox !== undefined)
          for (let m = receiveMessageOnPort(inbox); m !== undefined; m = receiveMessageOnPort(inbox)) parser.recycle(m.message as Float64Array[]);
        const chunk = parser.read(block);
        if (claimTimes !== undefined) chunk.claimedMs = Atomics.load(claimTimes, init.index);
        const transfer: ArrayBuffer[] = [];
        for (const c of chunk.columns) transfer.push(c.steps.buffer as ArrayBuffer, c.values.buffer as ArrayBuffer, c.places.buffer as ArrayBuffer);
        init.port.postMessage(chunk, transfer);
      } catch {
        // Claimed and not posted (a failed clone, out of memory): say so, and the reading thread parses it.
        init.port.postMessage({ block, start: -1, end: -1, usable: false, lineCount: 0, columns: [] } satisfies ChunkResult);
      }
      publish();
    }
  } finally {
    // Ended (done, stopped or failed): a claim still held will never be posted.
    const held = Atomics.load(control, claim);
    Atomics.store(control, claim, held >= 0 ? EXITED - held : EXITED);
    Atomics.add(control, PUBLISHED, 1);
    Atomics.notify(control, PUBLISHED);
    fs.closeSync(fd);
    init.port.close();
    // A kept thread outlives its read: the watching thread's port closes now, as it would at its exit.
    init.watched?.close();
  }
}

/**
 * Reads chunks of the grid as the tail reads them, each parsed on its own (a reader reset per chunk,
 * its columns and read buffer reused from chunk to chunk).
 */
class ChunkParser {
  private readonly reader: JsonlReader;
  private buffer = Buffer.alloc(0);
  private readonly spare: Float64Array[] = [];
  /** Recycled arrays taken so far (JsonlSplitStats.reusedArrays). */
  reused = 0;

  constructor(
    private readonly fd: number,
    file: string,
    private readonly blockBytes: number,
  ) {
    this.reader = new JsonlReader(file);
  }

  read(block: number): ChunkResult {
    const unusable: ChunkResult = { block, start: -1, end: -1, usable: false, lineCount: 0, columns: [] };
    const from = performance.now();
    try {
      const chunk = this.readOrThrow(block, unusable);
      if (chunk.usable) chunk.parseMs = performance.now() - from;
      chunk.reusedArrays = this.reused;
      return chunk;
    } catch {
      return unusable;
    }
  }

  private readOrThrow(block: number, unusable: ChunkResult): ChunkResult {
    const size = fs.fstatSync(this.fd).size;
    const gridStart = block * this.blockBytes;
    const gridEnd = Math.min(size, gridStart + this.blockBytes);
    const from = Math.max(0, gridStart - Math.min(LOOKBACK_BYTES, this.blockBytes));
    if (gridEnd <= gridStart) return unusable;
    if (this.buffer.length < gridEnd - from) this.buffer = Buffer.allocUnsafeSlow(gridEnd - from);
    const bytes = this.buffer.subarray(0, gridEnd - from);
    let filled = 0;
    while (filled < bytes.length) {
      const n = fs.readSync(this.fd, bytes, filled, bytes.length - filled, from + filled);
      if (n === 0) return unusable;
      filled += n;
    }
    // The chunk begins after the last line feed before the grid start and ends after the last one before the grid end.
    const before = bytes.lastIndexOf(0x0a, gridStart - from - 1);
    const last = bytes.lastIndexOf(0x0a);
    if (before < 0 || last < gridStart - from) return unusable;
    const start = from + before + 1;
    const end = from + last + 1;
    const reader = this.reader;
    reader.reset();
    const res = reader.pushBytes(bytes.subarray(before + 1), last - before, THREAD_FIRST_LINE);
    const usable = res.diagnostics.length === 0 && res.nonFinite.length === 0 && res.points.length === 0 && !reader.usedImplicitSteps;
    if (!usable) return { ...unusable, start, end };
    // The reader's own arrays are handed over (transferred whole; `length` says how much is filled),
    // and its columns get recycled or new ones of the same size for the next chunk.
    const columns: MetricColumn[] = res.columns.map((c) => {
      const out: MetricColumn = {
        metric: c.metric,
        steps: c.steps,
        values: c.values,
        places: c.places,
        placeKind: c.placeKind,
        length: c.length,
        rising: c.rising,
      };
      c.steps = this.spareArray(c.steps.length);
      c.values = this.spareArray(c.values.length);
      c.places = this.spareArray(c.places.length);
      return out;
    });
    return { block, start, end, usable, lineCount: res.lineCount, columns };
  }

  /** Arrays of chunks already stored, for later chunks' columns (at most MAX_SPARE_ARRAYS kept). */
  recycle(arrays: readonly Float64Array[]): void {
    for (const a of arrays) if (this.spare.length < MAX_SPARE_ARRAYS && a.length > 0) this.spare.push(a);
  }

  /**
   * A recycled array of exactly `length` elements, or a new one: a column's three arrays keep one
   * length, which is what its writers check before they append (metricColumns.ts appendPoint).
   */
  private spareArray(length: number): Float64Array {
    for (let i = this.spare.length - 1; i >= 0; i--) {
      const a = this.spare[i];
      if (a.length === length) {
        this.reused++;
        this.spare[i] = this.spare[this.spare.length - 1];
        this.spare.pop();
        return a;
      }
    }
    return new Float64Array(length);
  }
}
