// `npm run bench`: speed measured side by side in one run on this machine, written to
// bench/report.md (and .json). Never asserted in tests: shared machines are noisy, so figures
// are medians of repeats and comparisons are ratios taken in the same run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { spawnSync } from 'node:child_process';
import { RunIndex } from '../src/core/runs/index';
import { ScalingWorkspace } from '../src/core/workspace';
import { isDefaultLogFile } from '../src/shared/logFiles';
import { fitCurve } from '../src/core/fit/curve';
import { fitCrossRun, type CrossRunPoint } from '../src/core/fit/crossRun';
import { gaussian, mulberry32 } from '../src/core/fit/random';

const REPEATS = 5;
const repoRoot = path.resolve(__dirname, '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeMs(fn: () => unknown | Promise<unknown>, repeats = REPEATS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** A JSONL training log like a custom logger writes: step, loss, lr, tokens. */
function writeJsonl(file: string, lines: number): void {
  const rand = mulberry32(3);
  const out: string[] = [];
  for (let s = 1; s <= lines; s++) {
    const loss = (2 + 8 * Math.pow(s, -0.3)) * (1 + 0.01 * gaussian(rand));
    out.push(JSON.stringify({ step: s, loss: Number(loss.toFixed(5)), lr: 3e-4, tokens: s * 524288 }));
  }
  fs.writeFileSync(file, `${out.join('\n')}\n`);
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

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

async function main(): Promise<void> {
  const rows: { name: string; value: string; note: string }[] = [];
  const json: Record<string, number> = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-'));
  try {
    // --- Ingest: our JSONL reader against `cat` and a readline + JSON.parse loop ---------------
    const lines = 300_000;
    const log = path.join(tmp, 'run', 'metrics.jsonl');
    fs.mkdirSync(path.dirname(log));
    writeJsonl(log, lines);
    const mb = fs.statSync(log).size / 1e6;
    const catMs = await timeMs(() => spawnSync('sh', ['-c', `cat "${log}" > /dev/null`]));
    const readlineMs = await timeMs(() => readlineJsonParse(log));
    const ours = await timeMs(() => {
      const index = new RunIndex();
      index.update(log, tmp);
      if (index.runs()[0].series.length === 0) throw new Error('nothing read');
    });
    json.ingestMB = mb;
    json.catMBps = mb / (catMs / 1000);
    json.readlineMBps = mb / (readlineMs / 1000);
    json.oursMBps = mb / (ours / 1000);
    rows.push({ name: `JSONL ingest, ${lines.toLocaleString()} lines (${mb.toFixed(1)} MB)`, value: `${json.oursMBps.toFixed(1)} MB/s`, note: `${(json.oursMBps / json.catMBps * 100).toFixed(1)}% of cat (${json.catMBps.toFixed(0)} MB/s); ${(json.oursMBps / json.readlineMBps).toFixed(2)}× readline+JSON.parse (${json.readlineMBps.toFixed(1)} MB/s)` });

    // --- Append: one more line read by offset, not the whole file again ------------------------
    const index = new RunIndex();
    index.update(log, tmp);
    let step = lines;
    const appendMs = await timeMs(() => {
      fs.appendFileSync(log, `${JSON.stringify({ step: ++step, loss: 2.5 })}\n`);
      index.update(log, tmp);
      index.runs();
    }, 20);
    json.appendMs = appendMs;
    rows.push({ name: 'Append one line to that log and rebuild the runs', value: `${appendMs.toFixed(1)} ms`, note: 'median of 20; reads only the new bytes' });

    // --- Fits --------------------------------------------------------------------------------
    const rand = mulberry32(5);
    const steps: number[] = [];
    const losses: number[] = [];
    for (let s = 1; s <= 30_000; s++) {
      steps.push(s);
      losses.push((2.1 + 40 * Math.pow(s, -0.45)) * (1 + 0.01 * gaussian(rand)));
    }
    fitCurve(steps, losses, { targetStep: 60_000, seed: 1 }); // JIT warm-up
    const curveMs = await timeMs(() => fitCurve(steps, losses, { targetStep: 60_000, seed: 1, resamples: 100 }));
    json.curveFitMs = curveMs;
    rows.push({ name: 'Curve fit (power law), 30,000-step log, 100 bootstrap resamples', value: `${curveMs.toFixed(0)} ms`, note: 'median of 5' });

    const points: CrossRunPoint[] = [];
    for (let i = 0; i < 250; i++) {
      const params = Math.pow(10, 7 + 2 * rand());
      const tokens = Math.pow(10, 8 + 2.3 * rand());
      const loss = (1.82 + 482.01 / Math.pow(params, 0.3478) + 2085.43 / Math.pow(tokens, 0.3658)) * Math.exp(0.005 * gaussian(rand));
      points.push({ runId: `r${i}`, params, tokens, loss });
    }
    fitCrossRun(points, { seed: 1, resamples: 10 }); // JIT warm-up
    const chinchillaMs = await timeMs(() => fitCrossRun(points, { seed: 1, resamples: 200 }));
    json.chinchillaFitMs = chinchillaMs;
    rows.push({ name: 'Chinchilla fit, 250 points, 200 bootstrap resamples', value: `${chinchillaMs.toFixed(0)} ms`, note: 'median of 5' });

    // --- The example workspace end to end (what the worker does on activation) ---------------
    const examples = path.join(repoRoot, 'examples');
    const files = listFiles(examples).filter(isDefaultLogFile);
    const firstSnapshotMs = await timeMs(() => {
      const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
      for (const f of files) engine.update(f, examples);
      engine.snapshot();
    }, 3);
    json.examplesSnapshotMs = firstSnapshotMs;
    rows.push({ name: `examples/: read ${files.length} logs, fit every curve and the family law`, value: `${firstSnapshotMs.toFixed(0)} ms`, note: 'median of 3, cold caches per repeat' });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  const report = [
    '# Scaling Lens benchmark',
    '',
    `Run ${new Date().toISOString()} on ${machine}.`,
    '',
    '| what | result | how |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.note} |`),
    '',
    'Not yet measured (later issues): the same fits in SciPy side by side, lens latency, activation time,',
    'append-to-dashboard latency, CPU per dashboard update, package size.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(repoRoot, 'bench', 'report.md'), report);
  fs.writeFileSync(path.join(repoRoot, 'bench', 'report.json'), `${JSON.stringify({ machine, ...json }, null, 2)}\n`);
  process.stdout.write(report);
}

void main();
