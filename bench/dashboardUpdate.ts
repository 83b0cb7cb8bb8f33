// CPU time of one dashboard update with a large sweep: RUNS logs of POINTS points each, one of them
// live. After the first snapshot (every curve fitted once), one line is appended to the live log
// and we measure, in CPU time of this Node process: the worker's snapshot (read the new bytes,
// refit that run, downsample every run for display, cross-run views), the host's diff into a
// delta, and the serialisation of that delta against the whole snapshot. No frame rates: headless
// Chromium has no GPU here, so drawing is not measured.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScalingWorkspace } from '../src/core/workspace';
import { downsampleLogX } from '../src/core/display';
import { diffSnapshots } from '../src/shared/dashboardDelta';
import { gaussian, mulberry32 } from '../src/core/fit/random';

export interface DashboardUpdateCost {
  runs: number;
  pointsPerRun: number;
  firstSnapshotCpuMs: number;
  snapshotCpuMs: number;
  diffCpuMs: number;
  deltaJsonCpuMs: number;
  fullJsonCpuMs: number;
  deltaBytes: number;
  fullBytes: number;
  downsampleAllCpuMs: number;
}

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
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
  let previous = undefined as ReturnType<ScalingWorkspace['snapshot']> | undefined;
  const firstSnapshotCpuMs = cpuMs(() => {
    for (const f of files) engine.update(f, root);
    previous = engine.snapshot();
  });
  const live = files[0];
  let step = pointsPerRun;
  const snapshot: number[] = [];
  const diff: number[] = [];
  const deltaJson: number[] = [];
  const fullJson: number[] = [];
  let deltaBytes = 0;
  let fullBytes = 0;
  for (let r = 0; r < repeats; r++) {
    fs.appendFileSync(live, `${++step},2.0\n`);
    let next = previous!;
    snapshot.push(
      cpuMs(() => {
        engine.update(live, root);
        next = engine.snapshot();
      }),
    );
    let delta = diffSnapshots(previous, next);
    diff.push(cpuMs(() => (delta = diffSnapshots(previous, next))));
    deltaJson.push(cpuMs(() => (deltaBytes = JSON.stringify(delta).length)));
    fullJson.push(cpuMs(() => (fullBytes = JSON.stringify(next).length)));
    previous = next;
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
    snapshotCpuMs: median(snapshot),
    diffCpuMs: median(diff),
    deltaJsonCpuMs: median(deltaJson),
    fullJsonCpuMs: median(fullJson),
    deltaBytes,
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
