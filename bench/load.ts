// `npm run bench:load [-- --seconds 120 --files 50 --rate 1000]`: the load test of issue 8.
//
// FILES JSONL logs are appended at RATE lines per second each for SECONDS by a separate writer
// process (a trainer's). This process plays the extension host exactly where it matters: it runs
// the real fitting worker (dist/worker.js, the bundle the extension ships) in a worker thread,
// sends it the same messages the extension does (configure, reset, then `filesChanged` batches
// debounced by 200 ms from fs.watch events, as src/services/runWatcher.ts does), receives its
// snapshots, and for each computes the dashboard delta and serialises it (src/features/dashboard.ts
// posting to an open webview). It measures:
//   - points: lines written vs points the engine holds at the end (none may be lost),
//   - memory: RSS (host + worker thread) and host heap, sampled every second,
//   - event-loop delay of this (host) thread: perf_hooks.monitorEventLoopDelay (aim < 50 ms),
//   - predictions: snapshot versions and how often each run's predicted final loss moved.
// Writes bench/report-load.md and bench/report-load.json (git-ignored). Never asserted anywhere.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { HostToWorker, Snapshot, WorkerToHost } from '../src/shared/protocol';
import { SnapshotDeltaDecoder } from '../src/shared/dashboardDelta';

const repoRoot = path.resolve(__dirname, '..');
const DEBOUNCE_MS = 200; // as RunWatcher
const WRITE_TICK_MS = 50;
/** monitorEventLoopDelay's sampling timer; its histogram includes this interval, so it is subtracted. */
const DELAY_RESOLUTION_MS = 10;
const lateness = (histogramNs: number) => Math.max(0, histogramNs / 1e6 - DELAY_RESOLUTION_MS);

interface Options {
  seconds: number;
  files: number;
  rate: number;
  dir?: string;
}

function parseOptions(argv: string[]): Options & { writer: boolean } {
  const o = { seconds: 120, files: 50, rate: 1000, writer: false, dir: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--seconds') o.seconds = Number(value());
    else if (flag === '--files') o.files = Number(value());
    else if (flag === '--rate') o.rate = Number(value());
    else if (flag === '--dir') o.dir = value();
    else if (flag === '--writer') o.writer = true;
    else throw new Error(`unknown option ${argv[i]} (have --seconds, --files, --rate)`);
  }
  for (const k of ['seconds', 'files', 'rate'] as const) if (!(o[k] > 0)) throw new Error(`--${k} must be a positive number`);
  return o;
}

const logPath = (dir: string, i: number) => path.join(dir, `run-${String(i).padStart(2, '0')}`, 'metrics.jsonl');

/** The trainer side: appends to every log on a fixed schedule, then reports what it wrote. */
function writer(o: Options & { dir: string }): void {
  const fds = Array.from({ length: o.files }, (_, i) => fs.openSync(logPath(o.dir, i), 'a'));
  const written = new Array<number>(o.files).fill(0);
  const started = performance.now();
  const tick = () => {
    const elapsed = Math.min(performance.now() - started, o.seconds * 1000);
    const due = Math.floor((elapsed / 1000) * o.rate);
    for (let f = 0; f < o.files; f++) {
      let chunk = '';
      for (let step = written[f] + 1; step <= due; step++) {
        // A noisy power law, as a language model's training loss looks.
        const loss = (2 + (8 + f / 10) * Math.pow(step, -0.3)) * (1 + 0.01 * Math.sin(step * 12.9898 + f));
        chunk += `{"step": ${step}, "loss": ${loss.toFixed(5)}}\n`;
      }
      if (chunk) fs.writeSync(fds[f], chunk);
      written[f] = Math.max(written[f], due);
    }
    if (elapsed >= o.seconds * 1000) {
      clearInterval(timer);
      for (const fd of fds) fs.closeSync(fd);
      process.send!({ written, seconds: (performance.now() - started) / 1000 });
      process.disconnect();
    }
  };
  const timer = setInterval(tick, WRITE_TICK_MS);
}

interface Sample {
  t: number;
  rssMB: number;
  heapMB: number;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function host(o: Options): Promise<void> {
  const workerScript = path.join(repoRoot, 'dist', 'worker.js');
  if (!fs.existsSync(workerScript)) {
    console.error(`bench:load needs ${path.relative(repoRoot, workerScript)}: run \`npm run build\` first`);
    process.exit(2);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-load-'));
  const files = Array.from({ length: o.files }, (_, i) => logPath(dir, i));
  for (const f of files) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, '');
  }

  // --- the worker, as WorkerClient starts it ----------------------------------------------------
  const worker = new Worker(workerScript);
  const post = (m: HostToWorker) => worker.postMessage(m);
  const snapshots: { at: number; version: number; buildMs: number; fitting: number; curves: number }[] = [];
  const moved = new Map<string, number>(); // run id → times its predicted final loss changed
  const lastPrediction = new Map<string, number>();
  let latest: Snapshot | undefined;
  // The worker sends deltas; the host applies them (asking for a whole snapshot when one does not fit).
  const decoder = new SnapshotDeltaDecoder();
  let deltaBytes = 0;
  const handlerMs: number[] = [];
  const logs: string[] = [];
  const onSnapshot: ((s: Snapshot) => void)[] = [];
  worker.on('message', (message: WorkerToHost) => {
    if (message.type === 'log') logs.push(`[${message.level}] ${message.message}`);
    if (message.type !== 'delta') return;
    const handled = performance.now();
    const outcome = decoder.accept(message.delta);
    if (outcome.kind === 'resync' && outcome.ask) worker.postMessage({ type: 'resend' } satisfies HostToWorker);
    if (outcome.kind !== 'applied') return;
    const s = outcome.snapshot;
    latest = s;
    // The open dashboard: the worker's delta forwarded, serialised as postMessage does.
    deltaBytes += JSON.stringify(message.delta).length;
    snapshots.push({ at: performance.now(), version: s.version, buildMs: s.buildMs, fitting: s.fitting, curves: s.runs.filter((r) => r.curve).length });
    for (const r of s.runs) {
      const v = r.curve?.predictedFinal.value;
      if (v === undefined) continue;
      if (lastPrediction.has(r.id) && lastPrediction.get(r.id) !== v) moved.set(r.id, (moved.get(r.id) ?? 0) + 1);
      lastPrediction.set(r.id, v);
    }
    handlerMs.push(performance.now() - handled);
    for (const f of onSnapshot) f(s);
  });
  worker.on('error', (e) => console.error(`worker error: ${e.stack ?? e.message}`));
  post({ type: 'configure', settings: { fitTimeBudgetMs: 5000, minPointsForCurve: 8 } });
  post({ type: 'reset', files: files.map((p) => ({ path: p, root: dir })) });

  // --- file events → debounced filesChanged, as RunWatcher does -------------------------------------
  const changed = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  let batches = 0;
  const watchers = files.map((f) =>
    fs.watch(path.dirname(f), (_event, name) => {
      if (name !== path.basename(f)) return;
      changed.add(f);
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        batches++;
        post({ type: 'filesChanged', files: [...changed].map((p) => ({ path: p, root: dir })) });
        changed.clear();
      }, DEBOUNCE_MS);
    }),
  );

  // --- measurements ----------------------------------------------------------------------------
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  delay.enable();
  const windows: { t: number; p99: number; max: number }[] = [];
  const samples: Sample[] = [];
  const t0 = performance.now();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    samples.push({ t: (performance.now() - t0) / 1000, rssMB: m.rss / 1e6, heapMB: m.heapUsed / 1e6 });
  }, 1000);
  let windowDelay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  windowDelay.enable();
  const windowTimer = setInterval(() => {
    windowDelay.disable();
    windows.push({ t: (performance.now() - t0) / 1000, p99: lateness(windowDelay.percentile(99)), max: lateness(windowDelay.max) });
    windowDelay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
    windowDelay.enable();
  }, 10_000);

  // --- the trainers --------------------------------------------------------------------------------
  const child = fork(__filename, ['--writer', '--dir', dir, '--seconds', String(o.seconds), '--files', String(o.files), '--rate', String(o.rate)], {
    execArgv: ['--import', 'tsx'],
  });
  const wrote = await new Promise<{ written: number[]; seconds: number }>((resolve, reject) => {
    child.on('message', (m) => resolve(m as { written: number[]; seconds: number }));
    child.on('exit', (code) => code !== 0 && reject(new Error(`writer exited with ${code}`)));
  });
  const writeEnd = performance.now();
  delay.disable();
  const loadDelay = { p50: lateness(delay.percentile(50)), p99: lateness(delay.percentile(99)), max: lateness(delay.max), mean: lateness(delay.mean) };
  const versionsDuringLoad = snapshots.length;

  // --- drain: wait until the engine holds every line written ---------------------------------------
  const want = new Map(files.map((f, i) => [f, wrote.written[i]]));
  const complete = (s: Snapshot) => s.runs.length === files.length && s.runs.every((r) => r.files.length > 0 && r.lastStep === want.get(r.files[0]));
  const drained = await new Promise<Snapshot | undefined>((resolve) => {
    if (latest && complete(latest)) return resolve(latest);
    const timer = setTimeout(() => resolve(undefined), 120_000);
    onSnapshot.push((s) => {
      if (!complete(s)) return;
      clearTimeout(timer);
      resolve(s);
    });
  });
  const drainMs = performance.now() - writeEnd;
  clearInterval(sampler);
  clearInterval(windowTimer);
  windowDelay.disable();
  for (const w of watchers) w.close();
  const final = drained ?? latest;
  await worker.terminate();
  fs.rmSync(dir, { recursive: true, force: true });

  // --- report ------------------------------------------------------------------------------------
  const linesIn = wrote.written.reduce((a, b) => a + b, 0);
  const pointsHeld = final ? final.runs.reduce((n, r) => n + r.points, 0) : 0;
  // A series past 2^19 points averages its older history (runs/seriesStore.ts): those points count as received.
  const pointsThinned = final ? final.runs.reduce((n, r) => n + (r.pointsThinned ?? 0), 0) : 0;
  const intervals = snapshots.slice(1).map((s, i) => (s.at - snapshots[i].at) / 1000);
  const firstHalf = samples.filter((s) => s.t <= o.seconds / 2);
  const peakRss = Math.max(...samples.map((s) => s.rssMB));
  const rssAt = (t: number) => samples.reduce((best, s) => (Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best), samples[0]);
  const runsMoved = [...moved.values()].filter((n) => n > 0).length;
  // Each change of a run's prediction is a refit that landed (a refit can also land unchanged, so at least this many).
  const predictionChanges = [...moved.values()].reduce((a, n) => a + n, 0);
  const json = {
    options: o,
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`,
    linesIn,
    pointsHeld,
    pointsThinned,
    lost: linesIn - pointsHeld - pointsThinned,
    drained: drained !== undefined,
    drainMs,
    writerSeconds: wrote.seconds,
    batches,
    snapshots: snapshots.length,
    snapshotsDuringLoad: versionsDuringLoad,
    snapshotIntervalS: { median: percentile(intervals, 50), max: Math.max(0, ...intervals) },
    buildMs: {
      median: percentile(
        snapshots.map((s) => s.buildMs),
        50,
      ),
      max: Math.max(0, ...snapshots.map((s) => s.buildMs)),
    },
    fitsWaiting: {
      median: percentile(
        snapshots.map((s) => s.fitting),
        50,
      ),
      max: Math.max(0, ...snapshots.map((s) => s.fitting)),
    },
    runsWithCurveAtEnd: final?.runs.filter((r) => r.curve).length ?? 0,
    runsWhosePredictionMoved: runsMoved,
    predictionChanges,
    eventLoopDelayMs: loadDelay,
    eventLoopDelayWindows: windows,
    memory: {
      rssStartMB: samples[0]?.rssMB,
      rssHalfwayMB: rssAt(o.seconds / 2)?.rssMB,
      rssEndOfLoadMB: rssAt(o.seconds)?.rssMB,
      rssPeakMB: peakRss,
      heapPeakMB: Math.max(...samples.map((s) => s.heapMB)),
      rssPerHeldPointBytes: pointsHeld > 0 ? ((peakRss - (firstHalf[0]?.rssMB ?? 0)) * 1e6) / pointsHeld : NaN,
    },
    dashboardDeltaMB: deltaBytes / 1e6,
    hostSnapshotHandlerMs: { median: percentile(handlerMs, 50), max: Math.max(0, ...handlerMs) },
    workerLog: logs.slice(-10),
  };
  const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  const rssEvery = samples.filter((_, i) => i % Math.max(1, Math.round(samples.length / 12)) === 0).map((s) => `${s.t.toFixed(0)} s: ${s.rssMB.toFixed(0)} MB`);
  const report = [
    '# Scaling Lens load test',
    '',
    `Run ${new Date().toISOString()} on ${json.machine}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
    `Input: ${o.files} JSONL logs appended at ${o.rate.toLocaleString('en-US')} lines/s each for ${o.seconds} s (${wrote.seconds.toFixed(1)} s measured) by a separate writer process;`,
    'the real worker bundle (dist/worker.js) in a worker thread of this process, fed as the extension feeds it',
    '(fs.watch events, 200 ms debounce, `filesChanged`), and each snapshot diffed and serialised for an open dashboard.',
    '',
    '| what | result |',
    '| --- | --- |',
    `| lines written / points held at the end | ${linesIn.toLocaleString('en-US')} / ${pointsHeld.toLocaleString('en-US')}${pointsThinned > 0 ? ` + ${pointsThinned.toLocaleString('en-US')} inside averages` : ''} (${json.lost === 0 ? 'none lost' : `${json.lost} missing`}${drained ? `; caught up ${f1(drainMs)} ms after the writers stopped` : '; did not catch up within 120 s'}) |`,
    `| host event-loop delay during the load | p50 ${f1(loadDelay.p50)} ms, p99 ${f1(loadDelay.p99)} ms, max ${f1(loadDelay.max)} ms (aim < 50 ms) |`,
    `| worst 10 s window (p99 / max) | ${windows.length ? `${f1(Math.max(...windows.map((w) => w.p99)))} / ${f1(Math.max(...windows.map((w) => w.max)))} ms` : 'n/a'} |`,
    `| memory (RSS, host + worker thread) | ${rssEvery.join(', ')}; peak ${f1(peakRss)} MB, host heap peak ${f1(json.memory.heapPeakMB)} MB |`,
    `| RSS growth per point held | ${f1(json.memory.rssPerHeldPointBytes)} bytes |`,
    `| snapshots (predictions) | ${snapshots.length} (${versionsDuringLoad} during the load), median ${f1(json.snapshotIntervalS.median)} s apart, longest gap ${f1(json.snapshotIntervalS.max)} s |`,
    `| worker time per snapshot (fits run apart, in the fitting thread) | median ${f1(json.buildMs.median)} ms, max ${f1(json.buildMs.max)} ms |`,
    `| fits queued or running when a snapshot was built | median ${f1(json.fitsWaiting.median)}, max ${json.fitsWaiting.max} |`,
    `| predictions that moved | ${runsMoved} of ${o.files} runs' predicted final loss changed between snapshots, ${predictionChanges} times in all (refits landed from the fitting thread, at least); ${json.runsWithCurveAtEnd} runs extrapolated at the end |`,
    `| filesChanged batches / dashboard deltas serialised | ${batches} / ${f1(json.dashboardDeltaMB)} MB; host work per snapshot (diff + serialise) median ${f1(json.hostSnapshotHandlerMs.median)} ms, max ${f1(json.hostSnapshotHandlerMs.max)} ms |`,
    '',
    `Event-loop delay is the lateness of a ${DELAY_RESOLUTION_MS} ms timer (monitorEventLoopDelay, its interval subtracted). On a shared 2-core`,
    'machine it includes time the OS gave other processes; compare with the load average above.',
    '',
    'Event-loop delay per 10 s window (p99 / max, ms):',
    windows.map((w) => `${w.t.toFixed(0)} s: ${f1(w.p99)} / ${f1(w.max)}`).join('; ') || '(shorter than one window)',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(repoRoot, 'bench', 'report-load.md'), report);
  fs.writeFileSync(path.join(repoRoot, 'bench', 'report-load.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(report);
}

const options = parseOptions(process.argv.slice(2));
if (options.writer) writer({ ...options, dir: options.dir! });
else
  host(options).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
