// CPU time of one dashboard update with a large sweep: RUNS logs of POINTS points each, one of them
// live. After the first snapshot (every curve fitted once), one line is appended to the live log
// and we measure, in CPU time of this Node process, each step the update takes in the extension:
//   worker: the snapshot (read the new bytes, refit that run, reuse the other runs' display
//           series, cross-run views), its encoding as a delta against the one posted before, and
//           the structured clone of that delta (v8.serialize: what worker postMessage does);
//   host:   the clone read back (v8.deserialize), the delta applied to the host's snapshot, and the
//           delta serialised again for the webview (JSON, as webview postMessage does).
// For comparison, the same clone of the whole snapshot (what the worker posted before deltas).
// No frame rates: headless Chromium has no GPU here, so drawing is not measured.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScalingWorkspace } from '../src/core/workspace';
import { downsampleLogX } from '../src/core/display';
import * as v8 from 'node:v8';
import { SnapshotDeltaDecoder, SnapshotDeltaEncoder } from '../src/shared/dashboardDelta';
import type { Snapshot, SnapshotDelta } from '../src/shared/protocol';
import { gaussian, mulberry32 } from '../src/core/fit/random';
import { median } from './stats';

export interface DashboardUpdateCost {
  runs: number;
  pointsPerRun: number;
  firstSnapshotCpuMs: number;
  snapshotCpuMs: number;
  /** Worker: encode the delta, clone it for postMessage. */
  encodeCpuMs: number;
  deltaCloneCpuMs: number;
  /** Host: read the clone, apply the delta, serialise it for the webview. */
  deltaReadCpuMs: number;
  applyCpuMs: number;
  deltaJsonCpuMs: number;
  deltaBytes: number;
  /** The whole snapshot instead: clone written (worker) and read (host), and its JSON size. */
  fullCloneCpuMs: number;
  fullReadCpuMs: number;
  fullJsonCpuMs: number;
  fullBytes: number;
  downsampleAllCpuMs: number;
}

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** CSV logs (`step,loss`): the most compact format the readers take, so writing 20M points stays quick. */
function writeLog(file: string, points: number, seed: number): void {
  const rand = mulberry32(seed);
  const scale = 4 + 4 * rand();
  const chunks: string[] = ['step,loss\n'];
  let lines: string[] = [];
  for (let s = 1; s <= points; s++) {
    lines.push(`${s},${((2 + scale * Math.pow(s, -0.3)) * (1 + 0.01 * gaussian(rand))).toFixed(4)}`);
    if (lines.length === 10_000) {
      chunks.push(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length) chunks.push(`${lines.join('\n')}\n`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, chunks.join(''));
}

export function dashboardUpdateCost(tmp: string, runs = 200, pointsPerRun = 100_000, repeats = 5): DashboardUpdateCost {
  const root = path.join(tmp, 'dashboard-sweep');
  const files: string[] = [];
  for (let i = 0; i < runs; i++) {
    const file = path.join(root, `run-${String(i).padStart(3, '0')}`, 'metrics.csv');
    writeLog(file, pointsPerRun, i + 1);
    files.push(file);
  }
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  const encoder = new SnapshotDeltaEncoder();
  const decoder = new SnapshotDeltaDecoder();
  const firstSnapshotCpuMs = cpuMs(() => {
    for (const f of files) engine.update(f, root);
    const first = engine.snapshot();
    decoder.accept(v8.deserialize(v8.serialize(encoder.encode(first))) as SnapshotDelta);
  });
  const live = files[0];
  let step = pointsPerRun;
  const m = {
    snapshot: [] as number[],
    encode: [] as number[],
    deltaClone: [] as number[],
    deltaRead: [] as number[],
    apply: [] as number[],
    deltaJson: [] as number[],
    fullClone: [] as number[],
    fullRead: [] as number[],
    fullJson: [] as number[],
  };
  let deltaBytes = 0;
  let fullBytes = 0;
  for (let r = 0; r < repeats; r++) {
    fs.appendFileSync(live, `${++step},2.0\n`);
    let next: Snapshot | undefined;
    m.snapshot.push(
      cpuMs(() => {
        engine.update(live, root);
        next = engine.snapshot();
      }),
    );
    let delta: SnapshotDelta | undefined;
    m.encode.push(cpuMs(() => (delta = encoder.encode(next!))));
    let wire = Buffer.alloc(0);
    m.deltaClone.push(cpuMs(() => (wire = v8.serialize(delta))));
    let received: SnapshotDelta | undefined;
    m.deltaRead.push(cpuMs(() => (received = v8.deserialize(wire) as SnapshotDelta)));
    let applied = false;
    m.apply.push(cpuMs(() => (applied = decoder.accept(received!).kind === 'applied')));
    if (!applied) throw new Error(`delta ${received!.version} did not apply`);
    m.deltaJson.push(cpuMs(() => (deltaBytes = JSON.stringify(received).length)));
    let whole = Buffer.alloc(0);
    m.fullClone.push(cpuMs(() => (whole = v8.serialize(next))));
    m.fullRead.push(cpuMs(() => v8.deserialize(whole)));
    m.fullJson.push(cpuMs(() => (fullBytes = JSON.stringify(next).length)));
  }
  // The display downsampling alone, every run from its full series.
  const xs = Array.from({ length: pointsPerRun }, (_, i) => i + 1);
  const ys = xs.map((s) => 2 + 6 * Math.pow(s, -0.3));
  const downsampleAllCpuMs = cpuMs(() => {
    for (let i = 0; i < runs; i++) downsampleLogX(xs, ys, 600);
  });
  fs.rmSync(root, { recursive: true, force: true });
  return {
    runs,
    pointsPerRun,
    firstSnapshotCpuMs,
    snapshotCpuMs: median(m.snapshot),
    encodeCpuMs: median(m.encode),
    deltaCloneCpuMs: median(m.deltaClone),
    deltaReadCpuMs: median(m.deltaRead),
    applyCpuMs: median(m.apply),
    deltaJsonCpuMs: median(m.deltaJson),
    deltaBytes,
    fullCloneCpuMs: median(m.fullClone),
    fullReadCpuMs: median(m.fullRead),
    fullJsonCpuMs: median(m.fullJson),
    fullBytes,
    downsampleAllCpuMs,
  };
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 200);
  const points = Number(process.argv[3] ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-dash-'));
  try {
    console.log(dashboardUpdateCost(dir, runs, points));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
