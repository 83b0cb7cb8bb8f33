// Reading while fitting: the worker (dist/worker.js with its fitting thread, bundled here as the
// extension bundles it) against the same engine fitting in its reading thread (bench/inlineWorker.ts,
// the design before). Each is given a copy of examples/ (7 runs, every curve and the family law
// fitted from scratch, as after a start or a crash), and from then on the live run's log gets a
// line every APPEND_EVERY_MS until every fit has landed. Measured, side by side in one run: when the runs are
// first shown, when every fit has landed, and how long each appended point takes to reach a snapshot.
//   node --import tsx bench/fitApart.ts
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { SnapshotDeltaDecoder } from '../src/shared/dashboardDelta';
import { isDefaultLogFile } from '../src/core/runs/logGlobs';
import type { HostToWorker, Snapshot, WorkerSettings, WorkerToHost } from '../src/shared/protocol';
import { listFiles, median } from './stats';

const repoRoot = path.join(__dirname, '..');
const APPEND_EVERY_MS = 250;
const LIVE_RUN = path.join('sweep', 'llama-279m');
const SETTINGS: WorkerSettings = { fitTimeBudgetMs: 5000, minPointsForCurve: 8, liveRefitSeconds: 30 };

export interface FitApartMeasure {
  /** From the rescan to the first snapshot with every run, ms. */
  runsShownMs: number;
  /** From the rescan to the first snapshot with every curve and the family law fitted, ms. */
  allFittedMs: number;
  /** Append-to-snapshot time of each line appended before every fit had landed, ms. */
  appendMs: number[];
}

export interface FitApartResult {
  apart: FitApartMeasure;
  inline: FitApartMeasure;
}

async function measure(script: string): Promise<FitApartMeasure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-apart-'));
  fs.cpSync(path.join(repoRoot, 'examples'), dir, { recursive: true });
  const log = path.join(dir, LIVE_RUN, 'metrics.jsonl');
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]) as { step: number; loss: number };
  const files = listFiles(dir)
    .filter((f) => isDefaultLogFile(path.relative(dir, f)))
    .map((f) => ({ path: f, root: dir }));
  const worker = new Worker(script);
  const decoder = new SnapshotDeltaDecoder();
  const waiters: ((s: Snapshot) => boolean)[] = [];
  worker.on('message', (m: WorkerToHost) => {
    if (m.type !== 'delta') return;
    const outcome = decoder.accept(m.delta);
    if (outcome.kind === 'resync' && outcome.ask) worker.postMessage({ type: 'resend' } satisfies HostToWorker);
    if (outcome.kind !== 'applied') return;
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i](outcome.snapshot)) waiters.splice(i, 1);
  });
  const when = (predicate: (s: Snapshot) => boolean) =>
    new Promise<number>((resolve) => {
      waiters.push((s) => predicate(s) && (resolve(performance.now()), true));
    });
  try {
    worker.postMessage({ type: 'configure', settings: SETTINGS } satisfies HostToWorker);
    const runCount = new Set(files.map((f) => path.dirname(f.path))).size;
    const started = performance.now();
    const shown = when((s) => s.runs.length >= runCount);
    const fitted = when(
      (s) =>
        s.runs.length >= runCount && s.fitting === 0 && s.families.some((f) => f.fit) && s.runs.every((r) => r.status === 'failed' || r.curve !== undefined),
    );
    worker.postMessage({ type: 'reset', files } satisfies HostToWorker);
    let allFittedAt: number | undefined;
    void fitted.then((t) => (allFittedAt = t));
    let runsShownAt: number | undefined;
    void shown.then((t) => (runsShownAt = t));
    const appendMs: number[] = [];
    const seen: Promise<void>[] = [];
    // A line every APPEND_EVERY_MS whatever the worker is doing, as a trainer writes them.
    for (let step = last.step + 1; allFittedAt === undefined; step++) {
      fs.appendFileSync(log, `${JSON.stringify({ step, loss: last.loss })}\n`);
      const appendedAt = performance.now();
      const held = step;
      seen.push(when((s) => s.runs.some((r) => r.lastStep !== undefined && r.lastStep >= held)).then((at) => void appendMs.push(at - appendedAt)));
      worker.postMessage({ type: 'filesChanged', files: [{ path: log, root: dir }] } satisfies HostToWorker);
      await new Promise((resolve) => setTimeout(resolve, APPEND_EVERY_MS));
    }
    await Promise.all(seen);
    return { runsShownMs: (runsShownAt ?? (await shown)) - started, allFittedMs: allFittedAt - started, appendMs };
  } finally {
    await worker.terminate();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Bundles both workers (and the fitting thread) into a temporary folder and measures each in turn. */
export async function measureFitApart(): Promise<FitApartResult> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-apart-dist-'));
  try {
    const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, logLevel: 'warning' as const, mainFields: ['module', 'main'] };
    await build({ ...common, entryPoints: [path.join(repoRoot, 'src/worker/worker.ts')], outfile: path.join(out, 'worker.js') });
    await build({ ...common, entryPoints: [path.join(repoRoot, 'src/worker/fitThread.ts')], outfile: path.join(out, 'fitThread.js') });
    await build({ ...common, entryPoints: [path.join(repoRoot, 'bench/inlineWorker.ts')], outfile: path.join(out, 'inlineWorker.js') });
    const apart = await measure(path.join(out, 'worker.js'));
    const inline = await measure(path.join(out, 'inlineWorker.js'));
    return { apart, inline };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export function describeFitApart(r: FitApartResult): { name: string; value: string; note: string }[] {
  const row = (m: FitApartMeasure) =>
    `${median(m.appendMs).toFixed(0)} ms median, ${Math.max(...m.appendMs).toFixed(0)} ms max over ${m.appendMs.length} lines`;
  return [
    {
      name: 'A new point while the fits run (fitting thread vs fits in the reading thread)',
      value: `${median(r.apart.appendMs).toFixed(0)} ms vs ${median(r.inline.appendMs).toFixed(0)} ms median (${(median(r.inline.appendMs) / median(r.apart.appendMs)).toFixed(1)}× sooner)`,
      note: `examples/ rescanned (7 runs, every fit from scratch), then a line appended to llama-279m's log every ${APPEND_EVERY_MS} ms until every fit landed; time from the append to the first snapshot holding it. Fitting thread: ${row(r.apart)}; fits in the reading thread (bench/inlineWorker.ts, the design before): ${row(r.inline)}`,
    },
    {
      name: 'Runs shown / every fit landed after a rescan of examples/',
      value: `${r.apart.runsShownMs.toFixed(0)} ms / ${r.apart.allFittedMs.toFixed(0)} ms (fits in the reading thread: ${r.inline.runsShownMs.toFixed(0)} ms / ${r.inline.allFittedMs.toFixed(0)} ms)`,
      note: 'With the fitting thread the runs are drawn before any fit; each fit then lands in a snapshot of its own (the status bar spins meanwhile)',
    },
  ];
}

if (require.main === module) {
  void measureFitApart().then((r) => {
    for (const row of describeFitApart(r)) console.log(`${row.name}: ${row.value}\n  ${row.note}`);
  });
}
