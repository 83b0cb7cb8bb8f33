// Ingest throughput for `npm run bench`: our readers as the worker runs them (RunIndex.update on a
// log, then runs(): tail → lines → points → stored series → built Run), side by side in one run
// with `cat` on the same file, a readline + JSON.parse loop, and the Python readers people use
// (polars, pandas, an orjson loop; TensorBoard's EventAccumulator for event files: bench/peers.py,
// run by SCALING_LENS_BENCH_PYTHON, default `python3`; a library not installed is named as missing).
//
// File sizes: SCALING_LENS_BENCH_INGEST_MB (default 500, the issue's size) for the JSONL log;
// a fifth of that for the full-precision variant; SCALING_LENS_BENCH_TFEVENTS_MB (default 100:
// writing event files with the test encoder takes ~9 s per 100 MB here) for the event file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { RunIndex } from '../src/core/runs/index';
import { endKeptParsingThreads, type JsonlSplitStats, type JsonlThreadOptions } from '../src/core/runs/jsonlParallel';
import { gaussian, mulberry32 } from '../src/core/fit/random';
import { fileVersionEvent, scalarEvent, tfRecord } from '../test/unit/helpers/tfevents';
import { median, quantile } from './stats';

export interface IngestRow {
  name: string;
  value: string;
  note: string;
}

const REPEATS = 3;
/** Turns of the event-file section (event file, then the same points as JSONL), after one dropped. */
const EVENT_TURNS = 7;
/** Repeats of each Python reader (medians; the slowest take tens of seconds on 500 MB). */
const PEER_REPEATS = 1;

/**
 * A JSONL log as custom loggers write it, about `mb` MB: step, loss, lr, tokens. `fullPrecision`
 * writes the loss as Python's json.dumps writes a float32 loss turned double (up to 17 digits,
 * `", "` separators), the slow case for number reading; otherwise 5 decimals, JSON.stringify style.
 */
function writeJsonlFile(file: string, mb: number, fullPrecision: boolean): number {
  const rand = mulberry32(3);
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let step = 0;
  try {
    while (bytes < mb * 1e6) {
      let block = '';
      for (let j = 0; j < 20_000; j++) {
        step++;
        const loss = (2 + 8 * Math.pow(step, -0.3)) * (1 + 0.01 * gaussian(rand));
        block += fullPrecision
          ? `{"step": ${step}, "loss": ${Math.fround(loss)}, "lr": 0.0003, "tokens": ${step * 524288}}\n`
          : `{"step":${step},"loss":${Number(loss.toFixed(5))},"lr":0.0003,"tokens":${step * 524288}}\n`;
      }
      bytes += fs.writeSync(fd, block);
    }
  } finally {
    fs.closeSync(fd);
  }
  return step;
}

/** About `mb` MB of TensorBoard events as PyTorch's SummaryWriter.add_scalar writes them (3 tags per step). */
function writeEventFile(file: string, mb: number): number {
  const fd = fs.openSync(file, 'w');
  let bytes = fs.writeSync(fd, tfRecord(fileVersionEvent()));
  let step = 0;
  try {
    while (bytes < mb * 1e6) {
      const parts: Buffer[] = [];
      for (let j = 0; j < 10_000; j++) {
        step++;
        const wallTime = 1_700_000_000 + step / 10;
        parts.push(tfRecord(scalarEvent({ tag: 'train/loss', step, value: 2 + 8 * Math.pow(step, -0.3), wallTime })));
        parts.push(tfRecord(scalarEvent({ tag: 'train/learning_rate', step, value: 3e-4, wallTime })));
        parts.push(tfRecord(scalarEvent({ tag: 'train/grad_norm', step, value: 1 + 1 / step, wallTime })));
      }
      bytes += fs.writeSync(fd, Buffer.concat(parts));
    }
  } finally {
    fs.closeSync(fd);
  }
  return step;
}

/** The points writeEventFile writes, as one JSONL line per step (float32 values, as the event file holds them). */
function writeSameDataJsonl(file: string, steps: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let start = 1; start <= steps; start += 10_000) {
      let block = '';
      for (let step = start; step < start + 10_000 && step <= steps; step++) {
        const loss = Math.fround(2 + 8 * Math.pow(step, -0.3));
        block += `{"step":${step},"train/loss":${loss},"train/learning_rate":${Math.fround(3e-4)},"train/grad_norm":${Math.fround(1 + 1 / step)}}\n`;
      }
      fs.writeSync(fd, block);
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function readlineJsonParse(file: string): Promise<number> {
  let n = 0;
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    const v = JSON.parse(line) as { loss: number };
    if (Number.isFinite(v.loss)) n++;
  }
  return n;
}

function cat(file: string): void {
  const r = spawnSync('sh', ['-c', 'cat "$1" > /dev/null', 'sh', file]);
  if (r.status !== 0) throw new Error(`cat failed: ${r.stderr}`);
}

/**
 * The parsing thread of a large JSONL log's first read as the product ships it (esbuild.mjs's
 * dist/jsonlThread.js), bundled from the current source: from source, a thread would load tsx and
 * compile its modules (~50 ms of CPU more per thread than the bundle).
 */
function jsonlThreadBundle(tmp: string): string {
  const outfile = path.join(tmp, 'jsonlThread.js');
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, '..', 'src', 'core', 'runs', 'jsonlThread.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return outfile;
}

/** This thread's CPU time in ms (Linux: /proc/thread-self/schedstat), or undefined elsewhere. */
function threadCpuMs(): number | undefined {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** The worker's path on one log: index it, build its Run; returns the points held. */
function ours(file: string, root: string, jsonlThreads?: JsonlThreadOptions): number {
  const index = new RunIndex({ jsonlThreads });
  index.update(file, root);
  const runs = index.runs();
  const points = runs.reduce((n, r) => n + r.series.reduce((m, s) => m + s.steps.length + (s.thinned ?? 0), 0), 0);
  if (points === 0) throw new Error(`nothing read from ${file}`);
  return points;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
  /** The calling thread's share of cpuMs (Linux), the rest being other threads' (parsing threads, GC, compiler). */
  mainCpuMs?: number;
}

/** Wall and CPU time of one call (CPU: this process, threads included). */
async function timeOnce(fn: () => unknown): Promise<Timing> {
  const c = process.cpuUsage();
  const t = performance.now();
  await fn();
  const wallMs = performance.now() - t;
  const u = process.cpuUsage(c);
  return { wallMs, cpuMs: (u.user + u.system) / 1000 };
}

/** Medians of wall and CPU time (CPU: this process only, so not for `cat`). */
async function measure(fn: () => unknown): Promise<Timing> {
  const wall: number[] = [];
  const cpu: number[] = [];
  const main: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const c = process.cpuUsage();
    const m = threadCpuMs();
    const t = performance.now();
    await fn();
    wall.push(performance.now() - t);
    const u = process.cpuUsage(c);
    const m2 = threadCpuMs();
    cpu.push((u.user + u.system) / 1000);
    if (m !== undefined && m2 !== undefined) main.push(m2 - m);
  }
  return { wallMs: median(wall), cpuMs: median(cpu), mainCpuMs: main.length === REPEATS ? median(main) : undefined };
}

/** Wall and CPU time of one call, with the calling thread's share (as measure, once). */
async function measureOnce(fn: () => unknown): Promise<Timing> {
  const c = process.cpuUsage();
  const m = threadCpuMs();
  const t = performance.now();
  await fn();
  const wallMs = performance.now() - t;
  const u = process.cpuUsage(c);
  const m2 = threadCpuMs();
  return { wallMs, cpuMs: (u.user + u.system) / 1000, mainCpuMs: m !== undefined && m2 !== undefined ? m2 - m : undefined };
}

/** How a read split the file: its parsing threads, who parsed the chunks, the reading thread's waits. */
function splitParts(stats: JsonlSplitStats, t: Timing): string {
  const g = stats.gate;
  const judged =
    g === undefined
      ? ''
      : ` (judged at its start: load average ${g.loadAverage.toFixed(1)} on ${g.cores} cores${g.othersRunning !== undefined ? `, ${g.othersRunning} task(s) of other processes running, ${g.ownRunning} of ours left out` : ''}${g.ownBusy > 0 ? `, ${g.ownBusy} busy thread(s) of ours counted` : ''})`;
  if (stats.threads === undefined || stats.threads === 0) return `no parsing thread started${judged || ' (the file below 64 MiB, or threads set to 0)'}`;
  const main = t.mainCpuMs !== undefined ? `; the reading thread's CPU ${(t.mainCpuMs / 1000).toFixed(2)} s of ${(t.cpuMs / 1000).toFixed(2)} s` : '';
  const kept = stats.warmThreads > 0 ? 'kept from the read before' : 'started for this read';
  const first = stats.firstClaimMs !== undefined ? `, first chunk claimed ${stats.firstClaimMs.toFixed(0)} ms in` : '';
  const chunkMs = (xs: number[] | undefined) => (xs !== undefined && xs.length > 0 ? `${median(xs).toFixed(0)} ms` : 'none');
  const times = `; median chunk wall ${chunkMs(stats.threadChunkMs)} by threads, ${chunkMs(stats.readerChunkMs)} parsed ahead by the reading thread`;
  return `${stats.threads} parsing thread(s)${judged}, ${kept}${first}: ${stats.byThreads} chunks from them, ${stats.byReadingThread} parsed by the reading thread (${stats.late} for a late thread), ${stats.waitMs.toFixed(0)} ms waiting${times}${main}`;
}

/** How the first (cold) and last of our reads split the file, and what a read by one thread took in the same run. */
function splitNote(coldStats: JsonlSplitStats, cold: Timing, stats: JsonlSplitStats, split: Timing, single: Timing, mb: number, threadKinds: string[]): string {
  return (
    ` A read with no parsing thread kept (as a session's first large read; run first): ${(mb / (cold.wallMs / 1000)).toFixed(0)} MB/s, CPU ${(cold.cpuMs / 1000).toFixed(2)} s; ${splitParts(coldStats, cold)}.` +
    ` The ${REPEATS} reads after it (the medians above; in turn with ${threadKinds.join(', ')}; a thread is kept 30 s after a read): last one ${splitParts(stats, split)}.` +
    ` One thread (\`threads: 0\`) in the same run: ${(mb / (single.wallMs / 1000)).toFixed(0)} MB/s, CPU ${(single.cpuMs / 1000).toFixed(2)} s` +
    // "split" only where the read was split: with no thread started, the two are the same read and the ratio is the machine's noise.
    ` (${stats.threads > 0 ? 'split' : 'default read, not split:'} wall ${(split.wallMs / single.wallMs).toFixed(2)}× one thread's, the cold first read's ${(cold.wallMs / single.wallMs).toFixed(2)}×).`
  );
}

interface PeerResults {
  versions: Record<string, string>;
  missing: string[];
  results: Record<string, { wallMs: number; cpuMs: number; rows: number }>;
  error?: string;
}

/** The Python readers on `file` (bench/peers.py), or why they could not run. */
function pythonPeers(kind: 'jsonl' | 'tfevents', file: string, repeats: number): PeerResults {
  const python = process.env.SCALING_LENS_BENCH_PYTHON ?? 'python3';
  const r = spawnSync(python, [path.join(__dirname, 'peers.py'), kind, file, String(repeats)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0)
    return { versions: {}, missing: [], results: {}, error: `${python} bench/peers.py failed: ${(r.error?.message ?? r.stderr).trim().split('\n').pop()}` };
  return JSON.parse(r.stdout) as PeerResults;
}

/** Peak RSS of our reader (bench/ingestPeak.ts) and of polars.read_ndjson (bench/peers.py peak), each in a fresh process, on `file`. */
function peakMemory(file: string, key: string, json: Record<string, number>, threadScript: string): string {
  const node = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'ingestPeak.ts'), file, threadScript], {
    encoding: 'utf8',
    cwd: path.join(__dirname, '..'),
  });
  if (node.status !== 0) return ` Peak memory not measured: ${node.stderr.trim().split('\n').pop()}.`;
  const ours = JSON.parse(node.stdout) as { peakMB: number };
  json[`${key}OursPeakMB`] = ours.peakMB;
  const python = process.env.SCALING_LENS_BENCH_PYTHON ?? 'python3';
  const py = spawnSync(python, [path.join(__dirname, 'peers.py'), 'peak', file], { encoding: 'utf8' });
  const polars =
    py.status === 0 ? (JSON.parse(py.stdout) as { peakMB?: number; missing?: string }) : { missing: `python failed: ${py.stderr.trim().split('\n').pop()}` };
  if (polars.peakMB === undefined) return ` Peak memory (whole process, fresh): ours ${ours.peakMB.toFixed(0)} MB; polars not measured (${polars.missing}).`;
  json[`${key}PolarsPeakMB`] = polars.peakMB;
  return ` Peak memory (RSS of a fresh process reading the file once): ours ${ours.peakMB.toFixed(0)} MB (Node + tsx included), polars.read_ndjson ${polars.peakMB.toFixed(0)} MB (Python included), ${(polars.peakMB / ours.peakMB).toFixed(1)}× ours.`;
}

/** "ours vs each peer" text and json entries for one file of `mb` MB read by us in `ours`. */
function peerNote(peers: PeerResults, mb: number, ours: Timing, key: string, json: Record<string, number>): string {
  const parts: string[] = [];
  for (const [name, t] of Object.entries(peers.results)) {
    const slug = name.replace(/[^a-z]/gi, '');
    Object.assign(json, { [`${key}Peer${slug}WallMs`]: t.wallMs, [`${key}Peer${slug}CpuMs`]: t.cpuMs });
    parts.push(
      `${name} ${(mb / (t.wallMs / 1000)).toFixed(0)} MB/s, ${(t.wallMs / ours.wallMs).toFixed(2)}× our wall time (CPU ${(t.cpuMs / 1000).toFixed(2)} s vs ours ${(ours.cpuMs / 1000).toFixed(2)} s)`,
    );
  }
  if (peers.missing.length) parts.push(`not installed, not measured: ${peers.missing.join(', ')} (pip install ${peers.missing.join(' ')})`);
  if (peers.error) parts.push(`Python peers not run: ${peers.error}`);
  const versions = Object.entries(peers.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return parts.length ? ` Python peers, same file, same run${versions ? ` (${versions})` : ''}: ${parts.join('; ')}.` : '';
}

/** The ingest rows of the bench report, measured in `tmp`: the JSONL logs' (section ingest) or the event file's (section events). */
export async function ingestThroughput(tmp: string, json: Record<string, number>, part: 'jsonl' | 'events'): Promise<IngestRow[]> {
  const rows: IngestRow[] = [];
  const jsonlMB = Number(process.env.SCALING_LENS_BENCH_INGEST_MB ?? 500);
  const eventsMB = Number(process.env.SCALING_LENS_BENCH_TFEVENTS_MB ?? 100);
  const root = path.join(tmp, 'ingest');
  const threadScript = jsonlThreadBundle(tmp);

  const variants: { key: string; label: string; mb: number; full: boolean }[] = [
    { key: 'jsonl', label: 'JSONL ingest', mb: jsonlMB, full: false },
    { key: 'jsonlFull', label: 'JSONL ingest, full-precision losses (Python json.dumps style)', mb: jsonlMB / 5, full: true },
  ];
  for (const v of part === 'jsonl' ? variants : []) {
    const file = path.join(root, v.key, 'metrics.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = writeJsonlFile(file, v.mb, v.full);
    const mb = fs.statSync(file).size / 1e6;
    cat(file); // page cache warm for everyone
    // Interleaved repeats would mix the JIT states; each contender's repeats run back to back.
    const catT = await measure(() => cat(file));
    const rl = await measure(() => readlineJsonParse(file));
    // A session's first large read starts its parsing threads; the reads after it get them kept (KEEP_WARM_MS).
    endKeptParsingThreads();
    const coldStats = {} as JsonlSplitStats;
    const cold = await measureOnce(() => ours(file, root, { threadScript, stats: coldStats }));
    const stats = {} as JsonlSplitStats;
    // Per read: whether it had a parsing thread kept from the read before, one started for it, or none (the stats say only the last read's).
    const threadKinds: string[] = [];
    const our = await measure(() => {
      const points = ours(file, root, { threadScript, stats });
      threadKinds.push(stats.threads === 0 ? 'no thread' : stats.warmThreads > 0 ? 'a kept (warm) thread' : 'a thread started cold');
      return points;
    });
    const single = await measure(() => ours(file, root, { threads: 0 }));
    // pandas takes about 10× our time: the peers run each contender PEER_REPEATS times.
    const peers = pythonPeers('jsonl', file, PEER_REPEATS);
    const memory = peakMemory(file, v.key, json, threadScript);
    const load = os.loadavg()[0];
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    const catMBps = mb / (catT.wallMs / 1000);
    const rlMBps = mb / (rl.wallMs / 1000);
    const ourMBps = mb / (our.wallMs / 1000);
    Object.assign(json, {
      [`${v.key}IngestMB`]: mb,
      [`${v.key}CatMBps`]: catMBps,
      [`${v.key}ReadlineMBps`]: rlMBps,
      [`${v.key}OursMBps`]: ourMBps,
      [`${v.key}ReadlineCpuMs`]: rl.cpuMs,
      [`${v.key}OursCpuMs`]: our.cpuMs,
      [`${v.key}OursThreads`]: stats.threads ?? 0,
      [`${v.key}OneThreadMBps`]: mb / (single.wallMs / 1000),
      [`${v.key}OneThreadCpuMs`]: single.cpuMs,
      [`${v.key}ColdFirstReadWallMs`]: cold.wallMs,
      [`${v.key}ColdFirstReadCpuMs`]: cold.cpuMs,
    });
    if (our.mainCpuMs !== undefined) json[`${v.key}OursReadingThreadCpuMs`] = our.mainCpuMs;
    rows.push({
      name: `${v.label}, ${lines.toLocaleString('en-US')} lines (${mb.toFixed(0)} MB)`,
      value: `${ourMBps.toFixed(0)} MB/s`,
      note:
        `${((ourMBps / catMBps) * 100).toFixed(1)}% of cat (${catMBps.toFixed(0)} MB/s); ${(ourMBps / rlMBps).toFixed(2)}× readline+JSON.parse (${rlMBps.toFixed(0)} MB/s). ` +
        `Wall-clock medians of ${REPEATS}, same file, same run; CPU ours ${(our.cpuMs / 1000).toFixed(2)} s vs readline+JSON.parse ${(rl.cpuMs / 1000).toFixed(2)} s (${(rl.cpuMs / our.cpuMs).toFixed(2)}×). ` +
        'Ours is the worker path: read 4 MiB at a time, lines parsed in the bytes, points stored, Run built.' +
        splitNote(coldStats, cold, stats, our, single, mb, threadKinds) +
        peerNote(peers, mb, our, v.key, json) +
        memory +
        ` Load average ${load.toFixed(1)} on ${os.cpus().length} cores at the time.`,
    });
  }

  if (part === 'jsonl') return rows;
  // The event file and the same points as a JSONL log (one line per step, the float32 values as JSON
  // writes them), read in turn: the machine's load moves within seconds here, so the two readers are
  // compared pair by pair, not as two runs of repeats minutes apart.
  const events = path.join(root, 'tb', 'events.out.tfevents.1700000000.bench');
  fs.mkdirSync(path.dirname(events), { recursive: true });
  const steps = writeEventFile(events, eventsMB);
  const mb = fs.statSync(events).size / 1e6;
  const same = path.join(root, 'tbSame', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(same), { recursive: true });
  writeSameDataJsonl(same, steps);
  const sameMB = fs.statSync(same).size / 1e6;
  cat(events);
  cat(same);
  const catT = await measure(() => cat(events));
  const sameStats = {} as JsonlSplitStats;
  const turns: { events: Timing; jsonl: Timing; jsonlOne: Timing }[] = [];
  // A first turn warms the JIT and is dropped.
  for (let turn = 0; turn <= EVENT_TURNS; turn++) {
    const t = {
      events: await timeOnce(() => ours(events, root)),
      jsonl: await timeOnce(() => ours(same, root, { threadScript, stats: sameStats })),
      jsonlOne: await timeOnce(() => ours(same, root, { threads: 0 })),
    };
    if (turn > 0) turns.push(t);
  }
  const peers = pythonPeers('tfevents', events, PEER_REPEATS);
  const load = os.loadavg()[0];
  fs.rmSync(path.dirname(events), { recursive: true, force: true });
  fs.rmSync(path.dirname(same), { recursive: true, force: true });
  const med = (pick: (t: (typeof turns)[number]) => number) => median(turns.map(pick));
  const our: Timing = { wallMs: med((t) => t.events.wallMs), cpuMs: med((t) => t.events.cpuMs) };
  const sameOurs: Timing = { wallMs: med((t) => t.jsonl.wallMs), cpuMs: med((t) => t.jsonl.cpuMs) };
  const sameOne: Timing = { wallMs: med((t) => t.jsonlOne.wallMs), cpuMs: med((t) => t.jsonlOne.cpuMs) };
  // Per turn: the event file's CPU over the JSONL log's read by one thread (the same work per point), and its wall over the default read's.
  const cpuRatios = turns.map((t) => t.events.cpuMs / t.jsonlOne.cpuMs);
  const wallRatios = turns.map((t) => t.events.wallMs / t.jsonl.wallMs);
  const iqr = (xs: number[]) => `${quantile(xs, 0.25).toFixed(2)}–${quantile(xs, 0.75).toFixed(2)}`;
  const catMBps = mb / (catT.wallMs / 1000);
  const ourMBps = mb / (our.wallMs / 1000);
  const records = 3 * steps;
  Object.assign(json, {
    tfeventsMB: mb,
    tfeventsCatMBps: catMBps,
    tfeventsOursMBps: ourMBps,
    tfeventsOursCpuMs: our.cpuMs,
    tfeventsCpuPerJsonlOneThreadCpu: median(cpuRatios),
    tfeventsWallPerJsonlWall: median(wallRatios),
  });
  rows.push({
    name: `TensorBoard event file ingest, ${records.toLocaleString('en-US')} scalar events (${mb.toFixed(0)} MB)`,
    value: `${ourMBps.toFixed(0)} MB/s`,
    note: `${((ourMBps / catMBps) * 100).toFixed(1)}% of cat (${catMBps.toFixed(0)} MB/s); ${(((records / our.wallMs) * 1000) / 1e6).toFixed(2)} M events/s; CRC-32C checked on every record. Wall-clock medians of ${EVENT_TURNS} turns (each: the event file, then the same points as JSONL); CPU ${(our.cpuMs / 1000).toFixed(2)} s.${peerNote(peers, mb, our, 'tfevents', json)} Load average ${load.toFixed(1)} on ${os.cpus().length} cores at the time.`,
  });
  const sameMBps = sameMB / (sameOurs.wallMs / 1000);
  Object.assign(json, {
    tfeventsSameJsonlMB: sameMB,
    tfeventsSameJsonlMBps: sameMBps,
    tfeventsSameJsonlCpuMs: sameOurs.cpuMs,
    tfeventsSameJsonlThreads: sameStats.threads ?? 0,
    tfeventsSameJsonlOneThreadCpuMs: sameOne.cpuMs,
  });
  const split =
    (sameStats.threads ?? 0) > 0 ? `${sameStats.threads} parsing thread(s) in its last turn` : 'no parsing thread in its last turn: no idle core judged free';
  rows.push({
    name: `The same ${records.toLocaleString('en-US')} points as a JSONL log (${sameMB.toFixed(0)} MB), read by our JSONL path`,
    value: `${sameMBps.toFixed(0)} MB/s`,
    note:
      `${(((records / sameOurs.wallMs) * 1000) / 1e6).toFixed(2)} M points/s against the event file's ${(((records / our.wallMs) * 1000) / 1e6).toFixed(2)} M events/s (${split}); ` +
      `CPU ${(sameOurs.cpuMs / 1000).toFixed(2)} s, by one thread ${(sameOne.cpuMs / 1000).toFixed(2)} s, against ${(our.cpuMs / 1000).toFixed(2)} s for the event file. ` +
      `Paired per turn, the event file's CPU over one thread's JSONL read: median ${median(cpuRatios).toFixed(2)}× (quartiles ${iqr(cpuRatios)}); its wall over the JSONL read's: ${median(wallRatios).toFixed(2)}× (${iqr(wallRatios)}). ` +
      `${EVENT_TURNS} turns, same run`,
  });
  return rows;
}
