// The parallel first read of a JSONL log (src/core/runs/jsonlParallel.ts) against the single-thread
// read of the same file: the same runs (every point, in order, with its line) and the same
// diagnostics (their line numbers included), byte for byte, on random files whose chunks (made a few
// hundred bytes here) split lines, hold broken lines, non-finite values, records without a step,
// resumed and duplicate steps, CRLF line ends, a byte order mark and lines longer than a chunk.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunIndex } from '../../src/core/runs/index';
import {
  endKeptParsingThreads,
  keptParsingThreads,
  othersRunning,
  ParallelJsonlRead,
  runningBesides,
  runningTaskCount,
  runParsingThread,
  threadsForGate,
  type JsonlSplitStats,
} from '../../src/core/runs/jsonlParallel';
import { mulberry32 } from '../../src/core/fit/random';
import { tempDir } from './helpers/tempDir';

/** Chunks the reading thread took from a parsing thread (counted through the prototype, in this process). */
let threadChunks = 0;
const take = ParallelJsonlRead.prototype.take;
ParallelJsonlRead.prototype.take = function (this: ParallelJsonlRead, ...args: Parameters<typeof take>) {
  const res = take.apply(this, args);
  if (res !== undefined) threadChunks++;
  return res;
};

function read(file: string, threads: number, byteChunk: number): { runs: unknown; diagnostics: unknown } {
  const index = new RunIndex({ jsonlThreads: { threads, minBytes: 0, byteChunk, leaveToThreads: true } });
  index.update(file, path.dirname(path.dirname(file)));
  return { runs: index.runs(), diagnostics: index.diagnostics() };
}

/** A random log of `lines` lines; `dirt` is the chance of each odd line kind. */
function randomLog(seed: number, lines: number, dirt: number): string {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const out: string[] = [];
  let step = 0;
  for (let i = 0; i < lines; i++) {
    const u = rand();
    step += 1 + Math.floor(rand() * 3);
    const loss = (2 + 8 * Math.pow(step, -0.3)) * (1 + 0.01 * (rand() - 0.5));
    const lossText = pick([loss.toFixed(5), String(Math.fround(loss)), String(loss), loss.toExponential(3)]);
    let line: string;
    if (u < dirt) line = pick(['{"step": ', 'not json', '[1, 2]', '{"step": "x", "loss": 1}', '']);
    else if (u < 2 * dirt) line = `{"step": ${step}, "loss": NaN}`;
    else if (u < 3 * dirt) line = `{"loss": ${lossText}}`;
    else if (u < 4 * dirt) {
      step = Math.max(1, step - Math.floor(rand() * 50));
      line = `{"step": ${step}, "loss": ${lossText}}`;
    } else if (u < 5 * dirt) line = `{"step": ${step}, "loss": ${lossText}, "note": "${'x'.repeat(Math.floor(rand() * 900))}"}`;
    else if (u < 6 * dirt) line = `{"step": ${step}, "eval/loss": ${lossText}, "nested": {"a": ${step}}}`;
    else if (u < 0.3) line = `{"step":${step},"loss":${lossText},"lr":0.0003,"tokens":${step * 4096}}`;
    else line = `{"step": ${step}, "loss": ${lossText}, "lr": ${(3e-4 * rand()).toPrecision(17)}, "grad_norm": ${rand()}}`;
    if (u > 0.98 && dirt > 0) step -= 1; // a duplicate step
    out.push(line);
  }
  const crlf = dirt > 0 && rand() < 0.3;
  const bom = dirt > 0 && rand() < 0.3 ? '\ufeff' : '';
  // Sometimes no line feed at the end: a partial last line, held back.
  return bom + out.join(crlf ? '\r\n' : '\n') + (rand() < 0.8 ? '\n' : '');
}

test('the parallel first read gives the single-thread read byte for byte on random logs, clean and dirty', () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    let used = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const rand = mulberry32(1000 + seed);
      const dirt = seed % 3 === 0 ? 0 : seed % 3 === 1 ? 0.002 : 0.03;
      const file = path.join(dir, `run${seed}`, 'metrics.jsonl');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, randomLog(seed, 300 + Math.floor(rand() * 3000), dirt));
      const byteChunk = 64 + Math.floor(rand() * 2000);
      const threads = 1 + (seed % 3);
      const single = read(file, 0, byteChunk);
      const before = threadChunks;
      const parallel = read(file, threads, byteChunk);
      used += threadChunks - before;
      assert.deepStrictEqual(parallel, single, `seed ${seed}: ${threads} thread(s), ${byteChunk}-byte chunks`);
    }
    // Not vacuous: threads parsed a good share of the chunks.
    assert.ok(used > 100, `${used} chunks came from parsing threads`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken line in a chunk a thread read is reported with its line number in the file', () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    const file = path.join(dir, 'run', 'metrics.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines: string[] = [];
    for (let step = 1; step <= 5000; step++)
      lines.push(step === 4321 ? '{"step": 4321, "loss": oops}' : `{"step": ${step}, "loss": ${(3 / Math.sqrt(step)).toFixed(5)}}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const before = threadChunks;
    const { runs, diagnostics } = read(file, 2, 1024);
    assert.ok(threadChunks - before > 10);
    const messages = (diagnostics as { line?: number; message: string }[]).filter((d) => d.line !== undefined);
    assert.deepEqual(
      messages.map((d) => [d.line, d.message.slice(0, 27)]),
      [[4321, 'line 4321 is not valid JSON']],
    );
    const loss = (runs as { series: { metric: string; steps: Float64Array }[] }[])[0].series.find((s) => s.metric === 'loss')!;
    assert.equal(loss.steps.length, 4999);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('after the parallel first read, lines appended later are read and numbered on', () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    const file = path.join(dir, 'run', 'metrics.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const body = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `{"step": ${from + i}, "loss": ${1 + 1 / (from + i)}}\n`).join('');
    fs.writeFileSync(file, body(1, 3000) + '{"step": 3001, "loss"');
    const index = new RunIndex({ jsonlThreads: { threads: 1, minBytes: 0, byteChunk: 4096, leaveToThreads: true } });
    const single = new RunIndex({ jsonlThreads: { threads: 0, byteChunk: 4096 } });
    for (const ix of [index, single]) ix.update(file, dir);
    fs.appendFileSync(file, ': 2}\nbad\n' + body(3002, 3100));
    for (const ix of [index, single]) ix.update(file, dir);
    assert.deepStrictEqual(index.runs(), single.runs());
    assert.deepStrictEqual(index.diagnostics(), single.diagnostics());
    assert.ok(index.diagnostics().some((d) => d.line === 3002));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a parsing thread whose post of a chunk fails posts that chunk unusable and goes on (the reading thread never waits for it)', () => {
  const file = path.join(tempDir('sl-jsonl-par-'), 'run', 'log.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = Array.from({ length: 400 }, (_, i) => `{"step": ${i + 1}, "loss": ${(2 + 1 / (i + 1)).toFixed(5)}}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const blockBytes = 2048;
  const blocks = Math.ceil(fs.statSync(file).size / blockBytes);
  // Cells as ParallelJsonlRead lays them out: next, applied, stop, published, then one claim per thread.
  const control = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
  control[0] = 1;
  control[4] = -1;
  const posted: { block: number; usable: boolean }[] = [];
  const port = {
    postMessage(chunk: { block: number; usable: boolean }) {
      // An injected failure (as a failed structured clone or out of memory would throw) for chunk 2's columns.
      if (chunk.block === 2 && chunk.usable) throw new Error('injected: could not clone');
      posted.push({ block: chunk.block, usable: chunk.usable });
    },
    close() {},
  };
  runParsingThread({ file, blockBytes, blocks, lookahead: blocks + 1, control: control.buffer as SharedArrayBuffer, index: 0, port });
  assert.ok(blocks > 3);
  assert.deepEqual(
    posted,
    Array.from({ length: blocks - 1 }, (_, i) => ({ block: i + 1, usable: i + 1 !== 2 })),
  );
  assert.equal(control[3], blocks, 'every chunk published, and the thread end announced');
  assert.equal(control[4], -2, 'no claim held at the end');
});

test(
  'a parsing thread that ends without its finally (process.exit; terminated, as when out of memory) gives up its chunk at once, not after the 60 s wait',
  { timeout: 30_000 },
  () => {
    const file = path.join(tempDir('sl-jsonl-par-'), 'run', 'log.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = Array.from({ length: 400 }, (_, i) => `{"step": ${i + 1}, "loss": ${(2 + 1 / (i + 1)).toFixed(5)}}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const blockBytes = 2048;
    const blocks = Math.ceil(fs.statSync(file).size / blockBytes);
    // A thread that claims the next chunk (cells as ParallelJsonlRead lays them out: next, ..., then its
    // claim at 4 + index), then ends at once: by process.exit, or by hanging until it is terminated.
    const thread = (end: string) =>
      `const { workerData } = require('node:worker_threads');
     const c = new Int32Array(workerData.control);
     Atomics.store(c, 4 + workerData.index, Atomics.add(c, 0, 1));
     ${end}`;
    for (const end of ['process.exit(1);', 'for (;;);']) {
      const read = new ParallelJsonlRead({ file: thread(end), eval: true }, file, blockBytes, blocks, 1, true);
      const control = (read as unknown as { control: Int32Array }).control;
      // Wait (up to 10 s) until the thread holds chunk 1 (or has already ended holding it).
      for (let i = 0; i < 100 && Atomics.load(control, 4) === -1; i++) Atomics.wait(control, 3, Atomics.load(control, 3), 100);
      assert.ok([1, -2 - 1].includes(Atomics.load(control, 4)), 'the thread claimed chunk 1');
      if (end.startsWith('for')) void (read as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0].terminate();
      // The reading thread asks for chunk 1: it was held by a thread that ended, so it parses it itself.
      assert.equal(read.take({ start: blockBytes, end: blockBytes, firstLineNumber: 2, rewritten: false }, 2 * blockBytes), undefined);
      assert.equal(Atomics.load(control, 4), -2 - 1, `${end}: the claim is marked as held by an ended thread`);
      read.close();
    }
  },
);

test('a parsing thread that ends right after taking a chunk, before recording its claim, is not waited for the 60 s either', { timeout: 30_000 }, () => {
  const file = path.join(tempDir('sl-jsonl-par-'), 'run', 'log.jsonl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = Array.from({ length: 400 }, (_, i) => `{"step": ${i + 1}, "loss": ${(2 + 1 / (i + 1)).toFixed(5)}}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const blockBytes = 2048;
  const blocks = Math.ceil(fs.statSync(file).size / blockBytes);
  // A thread that takes chunk 1 (next is cell 0) and ends before its claim cell (4 + index) says so.
  const thread = (end: string) =>
    `const { workerData } = require('node:worker_threads');
     const c = new Int32Array(workerData.control);
     Atomics.add(c, 0, 1);
     ${end}`;
  for (const end of ['process.exit(1);', 'for (;;);']) {
    const read = new ParallelJsonlRead({ file: thread(end), eval: true }, file, blockBytes, blocks, 1, true);
    const control = (read as unknown as { control: Int32Array }).control;
    for (let i = 0; i < 100 && Atomics.load(control, 0) === 1; i++) Atomics.wait(control, 3, Atomics.load(control, 3), 100);
    assert.equal(Atomics.load(control, 0), 2, 'the thread took chunk 1');
    if (end.startsWith('for')) void (read as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0].terminate();
    // Chunk 1 was taken by a thread that ended without posting it: the reading thread parses it itself
    // (the test's timeout, half the 60 s wait, fails it otherwise).
    assert.equal(read.take({ start: blockBytes, end: blockBytes, firstLineNumber: 2, rewritten: false }, 2 * blockBytes), undefined);
    assert.equal(Atomics.load(control, 4), -2, `${end}: the thread is marked as ended`);
    read.close();
  }
});

test('the first read as the product runs it (the reading thread parses ahead and takes over from late threads) gives the single-thread read byte for byte', () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    const totals = { byThreads: 0, byReadingThread: 0, late: 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const rand = mulberry32(2000 + seed);
      const dirt = seed % 3 === 0 ? 0 : seed % 3 === 1 ? 0.002 : 0.03;
      const file = path.join(dir, `run${seed}`, 'metrics.jsonl');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, randomLog(seed, 1000 + Math.floor(rand() * 3000), dirt));
      const byteChunk = 256 + Math.floor(rand() * 4000);
      const threads = 1 + (seed % 2);
      const single = new RunIndex({ jsonlThreads: { threads: 0, byteChunk } });
      const stats = {} as JsonlSplitStats;
      // Chunk 1 waits for the threads to start (which takes longer than reading these files), the rest as by default.
      const parallel = new RunIndex({ jsonlThreads: { threads, minBytes: 0, byteChunk, stats, leaveToThreads: 'first' } });
      for (const ix of [single, parallel]) ix.update(file, dir);
      assert.deepStrictEqual(parallel.runs(), single.runs(), `seed ${seed}: ${threads} thread(s), ${byteChunk}-byte chunks`);
      assert.deepStrictEqual(parallel.diagnostics(), single.diagnostics(), `seed ${seed}`);
      assert.equal(stats.threads, threads);
      totals.byThreads += stats.byThreads;
      totals.byReadingThread += stats.byReadingThread;
      totals.late += stats.late;
    }
    // Not vacuous: both kinds of chunk were used (chunks of a few hundred bytes take microseconds, so threads are often late here).
    assert.ok(totals.byThreads > 0 && totals.byReadingThread > 0, JSON.stringify(totals));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'a thread that holds its chunk far longer than chunks take (descheduled, hung, or ended by process.exit) is late: the reading thread parses that chunk itself',
  { timeout: 30_000 },
  () => {
    const file = path.join(tempDir('sl-jsonl-par-'), 'run', 'log.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = Array.from({ length: 400 }, (_, i) => `{"step": ${i + 1}, "loss": ${(2 + 1 / (i + 1)).toFixed(5)}}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const blockBytes = 2048;
    const blocks = Math.ceil(fs.statSync(file).size / blockBytes);
    const bytes = fs.readFileSync(file);
    // A thread that claims chunk 1 as a parsing thread does (claim cell 4 + index, claim time), then never posts it.
    const thread = (end: string) => `const { workerData } = require('node:worker_threads');
       const c = new Int32Array(workerData.control);
       Atomics.store(c, 4 + workerData.index, 1);
       Atomics.store(c, 0, 2);
       Atomics.store(new Int32Array(workerData.claimTimes), workerData.index, Math.round(performance.timeOrigin + performance.now() - workerData.origin));
       ${end}`;
    for (const end of ['for (;;);', 'process.exit(1);']) {
      const stats = {} as JsonlSplitStats;
      const read = new ParallelJsonlRead({ file: thread(end), eval: true }, file, blockBytes, blocks, 1, false, stats);
      const control = (read as unknown as { control: Int32Array }).control;
      try {
        for (let i = 0; i < 100 && Atomics.load(control, 4) !== 1; i++) Atomics.wait(control, 3, Atomics.load(control, 3), 100);
        assert.equal(Atomics.load(control, 4), 1, 'the thread holds chunk 1');
        // Chunk 0 is the reading thread's; the time to its next take is the chunk time it knows.
        assert.equal(read.take({ start: 0, end: blockBytes, firstLineNumber: 1, rewritten: false }, blockBytes), undefined);
        const from = performance.now();
        assert.equal(read.take({ start: blockBytes, end: blockBytes, firstLineNumber: 2, rewritten: false }, 2 * blockBytes), undefined);
        assert.ok(performance.now() - from < 5_000, `${end}: not the 60 s wait`);
        assert.equal(stats.late, 1, end);
        // The chunks after it were parsed ahead by the reading thread while it waited, and are taken from there.
        const start = bytes.lastIndexOf(0x0a, 2 * blockBytes - 1) + 1;
        const chunkEnd = bytes.lastIndexOf(0x0a, 3 * blockBytes - 1) + 1;
        const firstLineNumber = bytes.subarray(0, start).filter((b) => b === 0x0a).length + 1;
        const next = read.take({ start, end: chunkEnd - start, firstLineNumber, rewritten: false }, 3 * blockBytes);
        assert.equal(next?.columns.find((c) => c.metric === 'loss')?.places[0], firstLineNumber, end);
        assert.equal(stats.byReadingThread, 3, end);
        assert.equal(stats.byThreads, 0, end);
      } finally {
        read.close();
      }
    }
  },
);

test('a parsing thread is kept after a read and reads the next large log warm, byte for byte; kept threads end once idle', { timeout: 60_000 }, async () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    endKeptParsingThreads();
    assert.equal(keptParsingThreads(), 0);
    const warm: number[] = [];
    const fromThreads: number[] = [];
    // Column arrays the thread got back once their chunk was stored and filled again: identical columns above with them.
    const reused: number[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const rand = mulberry32(3000 + seed);
      const file = path.join(dir, `run${seed}`, 'metrics.jsonl');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, randomLog(seed, 2000 + Math.floor(rand() * 2000), seed % 2 === 0 ? 0 : 0.01));
      const byteChunk = 512 + Math.floor(rand() * 2000);
      const single = new RunIndex({ jsonlThreads: { threads: 0, byteChunk } });
      const stats = {} as JsonlSplitStats;
      // Every chunk but the first left to the thread: each read uses it, the first started cold, the next kept from the read before.
      const parallel = new RunIndex({ jsonlThreads: { threads: 1, minBytes: 0, byteChunk, stats, leaveToThreads: true, keepWarmMs: 60_000 } });
      for (const ix of [single, parallel]) ix.update(file, dir);
      assert.deepStrictEqual(parallel.runs(), single.runs(), `seed ${seed}`);
      assert.deepStrictEqual(parallel.diagnostics(), single.diagnostics(), `seed ${seed}`);
      assert.equal(keptParsingThreads(), 1, 'the thread is kept for the next read');
      warm.push(stats.warmThreads);
      fromThreads.push(stats.byThreads);
      reused.push(stats.reusedArrays);
    }
    assert.deepEqual(warm, [0, 1, 1, 1]);
    assert.ok(
      reused.every((n) => n > 0),
      `recycled arrays per read: ${reused.join(', ')}`,
    );
    assert.ok(
      fromThreads.every((n) => n > 0),
      `chunks from the kept thread per read: ${fromThreads.join(', ')}`,
    );
    // A read that keeps its thread 50 ms: then it is ended (waited for up to 20 s).
    const file = path.join(dir, 'run1', 'metrics.jsonl');
    new RunIndex({ jsonlThreads: { threads: 1, minBytes: 0, byteChunk: 1024, keepWarmMs: 50 } }).update(file, dir);
    assert.equal(keptParsingThreads(), 1);
    for (let i = 0; i < 200 && keptParsingThreads() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(keptParsingThreads(), 0, 'idle threads are ended');
  } finally {
    endKeptParsingThreads();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a kept parsing thread that ended between reads is not waited for, and the read after starts a new one', { timeout: 60_000 }, async () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    endKeptParsingThreads();
    const file = path.join(dir, 'run', 'metrics.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomLog(7, 3000, 0));
    // A kept thread's script that ends its thread once its first read is done (as a crash or out of memory would).
    const script = path.join(dir, 'endsAfterOneRead.js');
    fs.writeFileSync(
      script,
      `require(${JSON.stringify(require.resolve('tsx/cjs'))});
       const { runParsingThread } = require(${JSON.stringify(path.join(__dirname, '../../src/core/runs/jsonlParallel.ts'))});
       require('node:worker_threads').parentPort.on('message', (init) => { try { runParsingThread(init); } finally { process.exit(0); } });`,
    );
    const single = new RunIndex({ jsonlThreads: { threads: 0, byteChunk: 1024 } });
    single.update(file, dir);
    const read = (leaveToThreads: boolean | 'first'): JsonlSplitStats => {
      const stats = {} as JsonlSplitStats;
      const index = new RunIndex({ jsonlThreads: { threads: 1, minBytes: 0, byteChunk: 1024, stats, leaveToThreads, threadScript: script } });
      index.update(file, dir);
      assert.deepStrictEqual(index.runs(), single.runs());
      assert.deepStrictEqual(index.diagnostics(), single.diagnostics());
      return stats;
    };
    const first = read(true);
    assert.ok(first.byThreads > 0 && first.warmThreads === 0);
    // Its thread is ending (or ended, its exit not yet seen): this read is given to it and parses every chunk itself.
    const second = read(false);
    assert.equal(second.byReadingThread + second.byThreads, first.byReadingThread + first.byThreads);
    // Once its exit is seen, the next read starts a new thread and uses it.
    for (let i = 0; i < 100 && keptParsingThreads() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(keptParsingThreads(), 0, 'the ended thread is not kept');
    const third = read(true);
    assert.ok(third.byThreads > 0, JSON.stringify(third));
    assert.equal(third.warmThreads, 0);
  } finally {
    endKeptParsingThreads();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'reads in a row as the product runs them, two threads pooled: the single-thread columns each time, one thread kept between reads',
  { timeout: 60_000 },
  () => {
    const dir = tempDir('sl-jsonl-parallel-');
    try {
      endKeptParsingThreads();
      const totals = { byThreads: 0, byReadingThread: 0, reusedArrays: 0 };
      const warm: number[] = [];
      for (let seed = 1; seed <= 5; seed++) {
        const rand = mulberry32(4000 + seed);
        const file = path.join(dir, `run${seed}`, 'metrics.jsonl');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, randomLog(seed, 2000 + Math.floor(rand() * 2000), seed % 2 === 0 ? 0 : 0.005));
        const byteChunk = 512 + Math.floor(rand() * 2000);
        const single = new RunIndex({ jsonlThreads: { threads: 0, byteChunk } });
        const stats = {} as JsonlSplitStats;
        // Chunk 1 waits for the threads (so they take part); the rest as by default: parse-ahead, late take-over, recycled arrays.
        const parallel = new RunIndex({ jsonlThreads: { threads: 2, minBytes: 0, byteChunk, stats, leaveToThreads: 'first', keepWarmMs: 60_000 } });
        for (const ix of [single, parallel]) ix.update(file, dir);
        assert.deepStrictEqual(parallel.runs(), single.runs(), `seed ${seed}, ${byteChunk}-byte chunks`);
        assert.deepStrictEqual(parallel.diagnostics(), single.diagnostics(), `seed ${seed}`);
        assert.equal(stats.threads, 2);
        // Two threads read, one is kept (the other told to end): an idle thread holds 15–45 MB.
        assert.equal(keptParsingThreads(), 1, `seed ${seed}: threads kept after the read`);
        warm.push(stats.warmThreads);
        totals.byThreads += stats.byThreads;
        totals.byReadingThread += stats.byReadingThread;
        totals.reusedArrays += stats.reusedArrays;
      }
      // Each read after the first got the kept thread and started one.
      assert.deepEqual(warm, [0, 1, 1, 1, 1]);
      assert.ok(totals.byThreads > 0 && totals.byReadingThread > 0 && totals.reusedArrays > 0, JSON.stringify(totals));
    } finally {
      endKeptParsingThreads();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('a pooled thread that hangs in a chunk past the chunk wait is ended, not kept: the next read starts a new thread', { timeout: 60_000 }, () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    endKeptParsingThreads();
    const file = path.join(dir, 'run', 'metrics.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomLog(11, 3000, 0));
    const hangFlag = path.join(dir, 'hang');
    // A pooled thread's script that, while the flag file exists (once: it removes it), claims chunk 1 and never posts it.
    const script = path.join(dir, 'hangsOnce.js');
    fs.writeFileSync(
      script,
      `require(${JSON.stringify(require.resolve('tsx/cjs'))});
       const fs = require('node:fs');
       const { parentPort } = require('node:worker_threads');
       const { runParsingThread } = require(${JSON.stringify(path.join(__dirname, '../../src/core/runs/jsonlParallel.ts'))});
       parentPort.on('message', (init) => {
         if ('end' in init) return parentPort.close();
         let hang = false;
         try { fs.unlinkSync(${JSON.stringify(hangFlag)}); hang = true; } catch {}
         if (hang) {
           const c = new Int32Array(init.control);
           Atomics.store(c, 4 + init.index, 1);
           Atomics.store(c, 0, 2);
           Atomics.add(c, 3, 1);
           Atomics.notify(c, 3);
           for (;;);
         }
         try { runParsingThread(init); } catch {}
       });`,
    );
    const blockBytes = 1024;
    const blocks = Math.ceil(fs.statSync(file).size / blockBytes);
    fs.writeFileSync(hangFlag, '');
    // Every chunk left to the thread, a 300 ms chunk wait (the product's is 60 s), kept 60 s.
    const read = new ParallelJsonlRead({ file: script, eval: false, pooled: true }, file, blockBytes, blocks, 1, true, undefined, 60_000, 300);
    const control = (read as unknown as { control: Int32Array }).control;
    try {
      for (let i = 0; i < 300 && Atomics.load(control, 4) !== 1; i++) Atomics.wait(control, 3, Atomics.load(control, 3), 100);
      assert.equal(Atomics.load(control, 4), 1, 'the thread holds chunk 1');
      assert.equal(read.take({ start: 0, end: blockBytes, firstLineNumber: 1, rewritten: false }, blockBytes), undefined);
      // Chunk 1 is waited for 300 ms, then the read is closed and the reading thread parses the rest.
      assert.equal(read.take({ start: blockBytes, end: blockBytes, firstLineNumber: 2, rewritten: false }, 2 * blockBytes), undefined);
    } finally {
      read.close();
    }
    assert.equal(keptParsingThreads(), 0, 'the hung thread is not kept');
    // The next read gets a new thread (not queued behind the hung one), which reads its chunks.
    const single = new RunIndex({ jsonlThreads: { threads: 0, byteChunk: blockBytes } });
    single.update(file, dir);
    const stats = {} as JsonlSplitStats;
    const next = new RunIndex({ jsonlThreads: { threads: 1, minBytes: 0, byteChunk: blockBytes, stats, leaveToThreads: true, threadScript: script } });
    next.update(file, dir);
    assert.deepStrictEqual(next.runs(), single.runs());
    assert.deepStrictEqual(next.diagnostics(), single.diagnostics());
    assert.equal(stats.warmThreads, 0);
    assert.ok(stats.byThreads > 0, JSON.stringify(stats));
  } finally {
    endKeptParsingThreads();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the load gate leaves this process's own running threads out of the machine's running tasks (/proc text)", () => {
  // /proc/self/task/<tid>/stat of a Node process just after a large read: the reading thread (R),
  // two garbage-collector helpers still sweeping (R), the others asleep; command names may hold spaces and parentheses.
  const own = [
    '4100 (node) R 4000 4100 4000 0 -1 4194304 9000 0 0 0 120 8 0 0 20 0 11 0 5000 1200000000 60000',
    '4101 (node) S 4000 4100 4000 0 -1 1077936192 10 0 0 0 0 0 0 0 20 0 11 0 5001 1200000000 60000',
    '4102 (V8 DefaultWorke) R 4000 4100 4000 0 -1 1077936192 300 0 0 0 14 1 0 0 20 0 11 0 5002 1200000000 60000',
    '4103 (V8 DefaultWorke) R 4000 4100 4000 0 -1 1077936192 280 0 0 0 12 1 0 0 20 0 11 0 5002 1200000000 60000',
    '4104 (V8 DefaultWorke) S 4000 4100 4000 0 -1 1077936192 0 0 0 0 0 0 0 0 20 0 11 0 5002 1200000000 60000',
    '4105 (libuv-worker) S 4000 4100 4000 0 -1 1077936192 0 0 0 0 0 0 0 0 20 0 11 0 5003 1200000000 60000',
    '4106 (odd) R (name)) D 4000 4100 4000 0 -1 1077936192 0 0 0 0 0 0 0 0 20 0 11 0 5003 1200000000 60000',
    '4107 (jsonl (R) x) S 4000 4100 4000 0 -1 1077936192 0 0 0 0 0 0 0 0 20 0 11 0 5003 1200000000 60000',
    '',
  ];
  assert.equal(runningTaskCount(own), 3);
  // The machine counts 3 running tasks, all of them ours: no other process is running, so the idle core is free.
  assert.equal(runningBesides('1.31 0.74 0.48 3/412 4107\n', runningTaskCount(own)), 0);
  // Before, all but the calling thread counted as busy (3 - 1 = 2: both cores of a 2-core machine judged taken).
  assert.equal(runningBesides('1.31 0.74 0.48 3/412 4107\n', 1), 2);
  // Another process running: it is counted.
  assert.equal(runningBesides('1.31 0.74 0.48 4/412 4107\n', 3), 1);
  // Our threads read a moment after the machine's count: never below 0, and the calling thread is always one of ours.
  assert.equal(runningBesides('0.10 0.10 0.10 2/412 4107\n', 3), 0);
  assert.equal(runningBesides('0.10 0.10 0.10 2/412 4107\n', 0), 1);
  // Not /proc/loadavg's text: not judged (the load average alone then judges, as on systems without /proc).
  assert.equal(runningBesides('', 1), undefined);
  assert.equal(runningBesides('0.10 0.10 0.10', 1), undefined);
  assert.equal(runningBesides('0.10 0.10 0.10 x/412 1', 1), undefined);
});

test("the load gate sets aside the reading thread's core and this process's busy fitting threads, not our other running threads", () => {
  // An otherwise idle 2-core machine right after a large read: the reading thread and 2–4 collector
  // helpers of ours running, the machine counting only them; the load average is our own recent work.
  for (const ours of [3, 5]) {
    const othersRunning = runningBesides(`1.30 0.80 0.50 ${ours}/412 4107\n`, ours);
    assert.equal(threadsForGate({ cores: 2, loadAverage: 1.3, othersRunning, ownRunning: ours, ownBusy: 0 }), 1, `${ours} of ours running`);
  }
  // A quiet 4-core machine during a first scan: 3 fitting threads of ours running a fit, the reading
  // thread the fourth; their cores are taken (before: 3 parsing threads onto them), even while the
  // load average has not caught up with them yet.
  for (const loadAverage of [0.4, 3.2]) {
    const othersRunning = runningBesides(`${loadAverage} 0.30 0.20 4/530 9000\n`, 4);
    assert.equal(threadsForGate({ cores: 4, loadAverage, othersRunning, ownRunning: 4, ownBusy: 3 }), 0, `load ${loadAverage}`);
  }
  // One fitting thread busy on those 4 cores: the two cores left are the parsing threads'.
  assert.equal(threadsForGate({ cores: 4, loadAverage: 1.1, othersRunning: runningBesides('1.10 0.90 0.40 2/530 9000\n', 2), ownBusy: 1 }), 2);
  // Another process running a task on 2 cores: with the reading thread's core, none is left (before: 1 thread).
  const othersRunning = runningBesides('1.02 0.97 0.70 2/412 4107\n', 1);
  assert.equal(othersRunning, 1);
  assert.equal(threadsForGate({ cores: 2, loadAverage: 1.02, othersRunning, ownRunning: 1, ownBusy: 0 }), 0);
  // Idle: the cores but the reading thread's, at most 8; never below 0 on a machine past its cores.
  assert.equal(threadsForGate({ cores: 8, loadAverage: 0.2, othersRunning: 0, ownBusy: 0 }), 7);
  assert.equal(threadsForGate({ cores: 32, loadAverage: 0.2, othersRunning: 0, ownBusy: 0 }), 8);
  assert.equal(threadsForGate({ cores: 4, loadAverage: 12, othersRunning: 11, ownBusy: 2 }), 0);
  // Without /proc: the cores less the load average, at most the cores but one (as before), now less our busy threads.
  assert.equal(threadsForGate({ cores: 4, loadAverage: 0, ownBusy: 0 }), 3, 'Windows: no load average');
  assert.equal(threadsForGate({ cores: 4, loadAverage: 1.5, ownBusy: 0 }), 2);
  assert.equal(threadsForGate({ cores: 4, loadAverage: 0, ownBusy: 3 }), 0);
  assert.equal(threadsForGate({ cores: 4, loadAverage: 0.5, ownBusy: 1 }), 2);
});

test("our collector helpers running on and off around the machine's count are not taken for another process's task: the fewest over 3 rounds", () => {
  // An otherwise idle 2-core machine right after a large read: the machine counts the reading thread
  // and 4 collector helpers of ours (5 running) at each read of /proc/loadavg, but 2 of the helpers
  // slept through one of our own reads around the first two (measured while V8 collects, the count
  // of our running threads changed between two reads ~1 ms apart in 6–8% of 283 pairs at load 2.3–2.4).
  const scripted = (loadavgs: string[], owns: number[]) => {
    const reads = { loadavg: 0, own: 0 };
    const result = othersRunning(
      () => loadavgs[reads.loadavg++],
      () => owns[reads.own++],
    );
    return { result, reads };
  };
  const flicker = scripted(['1.30 0.80 0.50 5/412 4107\n', '1.30 0.80 0.50 5/412 4107\n', '1.30 0.80 0.50 5/412 4107\n'], [5, 3, 5, 5]);
  assert.deepEqual(flicker.result, { others: 0, own: 5 });
  assert.equal(
    threadsForGate({ cores: 2, loadAverage: 1.3, othersRunning: flicker.result!.others, ownBusy: 0 }),
    1,
    'its parsing thread (one round: 2 others, none)',
  );
  // No other task in the first round: no more reads.
  assert.deepEqual(scripted(['0.50 0.40 0.30 2/412 4107\n'], [2, 2]).reads, { loadavg: 1, own: 2 });
  // Another process's task running through every round is counted.
  const other = scripted(['1.00 0.80 0.50 6/412 4107\n', '1.00 0.80 0.50 6/412 4107\n', '1.00 0.80 0.50 3/412 4107\n'], [5, 5, 5, 2]);
  assert.deepEqual(other.result, { others: 1, own: 5 });
  assert.deepEqual(other.reads, { loadavg: 3, own: 4 });
  // Not /proc/loadavg's text: not judged by tasks (the load average alone, as without /proc).
  assert.equal(scripted(['gone'], [1, 1]).result, undefined);
});

test("a read whose caller says this process's other cores are busy starts no parsing thread, and the gate says so", () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    const file = path.join(dir, 'run', 'metrics.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomLog(8, 3000, 0));
    const stats = {} as JsonlSplitStats;
    const busy = os.availableParallelism() - 1;
    let asked = 0;
    const ownBusyThreads = () => (asked++, busy);
    new RunIndex({ jsonlThreads: { minBytes: 0, byteChunk: 2048, stats, keepWarmMs: 0, ownBusyThreads } }).update(file, dir);
    assert.equal(asked, 1);
    assert.equal(stats.threads, 0, JSON.stringify(stats));
    assert.equal(stats.gate?.ownBusy, busy, JSON.stringify(stats.gate));
    assert.equal(stats.gate?.othersRunning, undefined, 'no core left to judge: /proc not read');
    // Threads set by the options: not asked.
    new RunIndex({ jsonlThreads: { threads: 1, minBytes: 0, byteChunk: 2048, stats, keepWarmMs: 0, ownBusyThreads } }).update(file, dir);
    assert.equal(asked, 1);
    assert.equal(stats.threads, 1);
  } finally {
    endKeptParsingThreads();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a read given a stats object says how its threads were judged, and a stats object reused says what the last read did', () => {
  const dir = tempDir('sl-jsonl-parallel-');
  try {
    const file = path.join(dir, 'run', 'metrics.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomLog(7, 3000, 0));
    const stats = {} as JsonlSplitStats;
    new RunIndex({ jsonlThreads: { threads: 1, minBytes: 0, byteChunk: 2048, stats, leaveToThreads: true, keepWarmMs: 0 } }).update(file, dir);
    assert.equal(stats.threads, 1);
    assert.ok(stats.byThreads > 0 && (stats.threadChunkMs?.length ?? 0) > 0, JSON.stringify(stats));
    // The same object, a read with no thread: none of the read before is left in it.
    new RunIndex({ jsonlThreads: { threads: 0, byteChunk: 2048, stats } }).update(file, dir);
    assert.equal(stats.threads, 0);
    assert.equal(stats.byThreads, 0);
    assert.equal(stats.threadChunkMs, undefined);
    assert.equal(stats.gate, undefined, 'threads set by the options: not judged');
    // Threads left to the gate: it says what it saw (Linux: the running tasks, ours left out; elsewhere the load average).
    new RunIndex({ jsonlThreads: { minBytes: 0, byteChunk: 2048, stats, keepWarmMs: 0 } }).update(file, dir);
    // (Another reference than stats.gate, which the assertion above narrowed to undefined.)
    const judged: JsonlSplitStats = stats;
    const gate = judged.gate;
    assert.ok(gate !== undefined && gate.cores >= 1 && gate.loadAverage >= 0, JSON.stringify(gate));
    if (fs.existsSync('/proc/loadavg')) assert.ok(gate.othersRunning! >= 0 && gate.ownRunning! >= 1, JSON.stringify(gate));
  } finally {
    endKeptParsingThreads();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
