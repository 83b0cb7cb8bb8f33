// `npm run bench:biglog [-- --gb 2 --dir /tmp]`: a very large training log (issue 8: "Very large
// logs (5 GB) in the bench only").
//
// Writes a JSONL log of about GB gigabytes (a step, a loss, a grad norm, the LR and tokens seen per
// line, like a trainer logging every step), then reads it in a fresh child process through the
// worker's own path (RunIndex.update, which reads the file in 64 MB slices) and measures:
//   - time and throughput, against `cat` of the same file in the same run,
//   - peak RSS of the reading process (getrusage), and what the index holds once read
//     (JS heap + array buffers),
//   - points: lines read vs points held + points thinned (a series keeps at most 2^19 points and
//     averages its older history beyond that, see src/core/runs/seriesStore.ts), so none is lost.
// The log is deleted afterwards. Writes bench/report-biglog.md and .json (summarised by `npm run
// bench`). Never asserted anywhere.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { machine } from './stats';
import { RunIndex } from '../src/core/runs/index';

const repoRoot = path.resolve(__dirname, '..');
const METRICS_PER_LINE = 4; // loss, grad_norm, lr, tokens (step is the x axis)

interface ReadResultJson {
  bytes: number;
  readMs: number;
  /** CPU time of the reading process (user + system): the machine may be shared. */
  readCpuMs: number;
  peakRssMB: number;
  heldMB: number;
  series: { metric: string; held: number; thinned: number; lastStep: number; lastValue: number }[];
  diagnostics: number;
}

function parseOptions(argv: string[]): { gb: number; dir: string; read?: string } {
  const o = { gb: 2, dir: os.tmpdir(), read: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--gb') o.gb = Number(next());
    else if (a === '--dir') o.dir = next();
    else if (a === '--read') o.read = next();
    else throw new Error(`unknown option ${a} (known: --gb N, --dir PATH)`);
  }
  if (!(o.gb > 0)) throw new Error('--gb must be a number > 0');
  return o;
}

/** Writes lines until the file reaches `bytes`; returns the number of lines. */
function writeLog(file: string, bytes: number): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  let step = 0;
  // A deterministic noisy power-law curve; numbers printed as a trainer's json.dumps would.
  let seed = 7;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  try {
    while (written < bytes) {
      let chunk = '';
      for (let i = 0; i < 50_000; i++) {
        step++;
        const loss = (2 + 8 * step ** -0.3) * (1 + 0.02 * (rand() - 0.5));
        const grad = 0.5 + rand();
        chunk += `{"step": ${step}, "loss": ${loss}, "grad_norm": ${grad}, "lr": 0.0003, "tokens": ${step * 524288}}\n`;
      }
      const buf = Buffer.from(chunk);
      fs.writeSync(fd, buf);
      written += buf.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return step;
}

/** The child: read the log as the worker does and report. */
function readChild(file: string): void {
  const root = path.dirname(path.dirname(file));
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const index = new RunIndex();
  index.update(file, root);
  const runs = index.runs();
  const readMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const mem = process.memoryUsage();
  const run = runs[0];
  const result: ReadResultJson = {
    bytes: fs.statSync(file).size,
    readMs,
    readCpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / 1e6,
    heldMB: (mem.heapUsed + mem.arrayBuffers) / 1e6,
    series: (run?.series ?? []).map((s) => ({
      metric: s.metric,
      held: s.steps.length,
      thinned: s.thinned ?? 0,
      lastStep: s.steps[s.steps.length - 1],
      lastValue: s.values[s.values.length - 1],
    })),
    diagnostics: run?.diagnostics.length ?? 0,
  };
  process.stdout.write(JSON.stringify(result));
}

function main(): void {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.read !== undefined) return readChild(opts.read);
  const dir = fs.mkdtempSync(path.join(opts.dir, 'sl-biglog-'));
  const file = path.join(dir, 'run', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(file));
  try {
    const target = opts.gb * 1e9;
    process.stderr.write(`writing ${opts.gb} GB to ${file} …\n`);
    const t0 = performance.now();
    const lines = writeLog(file, target);
    const writeMs = performance.now() - t0;
    const bytes = fs.statSync(file).size;
    process.stderr.write(`wrote ${(bytes / 1e9).toFixed(2)} GB, ${lines.toLocaleString('en-US')} lines in ${(writeMs / 1000).toFixed(0)} s; cat …\n`);
    const c0 = performance.now();
    spawnSync('sh', ['-c', `cat "${file}" > /dev/null`]);
    const catMs = performance.now() - c0;
    process.stderr.write(`cat ${(catMs / 1000).toFixed(1)} s; reading through RunIndex in a child process …\n`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--read', file], {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`the reading process failed (status ${child.status}, signal ${child.signal}): ${child.stderr.slice(-2000)}`);
    const read = JSON.parse(child.stdout) as ReadResultJson;
    const mbps = bytes / 1e6 / (read.readMs / 1000);
    const catMBps = bytes / 1e6 / (catMs / 1000);
    const received = read.series.reduce((n, s) => n + s.held + s.thinned, 0);
    const held = read.series.reduce((n, s) => n + s.held, 0);
    const expected = lines * METRICS_PER_LINE;
    const json = {
      ...read,
      when: new Date().toISOString(),
      machine: machine(),
      gb: opts.gb,
      lines,
      writeMs,
      catMs,
      catMBps,
      readMBps: mbps,
      expectedPoints: expected,
      receivedPoints: received,
      heldPoints: held,
    };
    fs.writeFileSync(path.join(repoRoot, 'bench', 'report-biglog.json'), `${JSON.stringify(json, null, 2)}\n`);
    const f1 = (x: number) => x.toFixed(1);
    const md = [
      '# Scaling Lens: a very large log',
      '',
      `Run ${json.when} on ${json.machine}. \`npm run bench:biglog -- --gb ${opts.gb}\`.`,
      '',
      '| what | result |',
      '| --- | --- |',
      `| log | ${(bytes / 1e9).toFixed(2)} GB JSONL, ${lines.toLocaleString('en-US')} lines × ${METRICS_PER_LINE} metrics |`,
      `| read through RunIndex (the worker's path) | ${f1(read.readMs / 1000)} s, ${f1(mbps)} MB/s (${f1((100 * mbps) / catMBps)}% of cat, ${f1(catMBps)} MB/s); CPU ${f1(read.readCpuMs / 1000)} s, ${f1(bytes / 1e3 / read.readCpuMs)} MB per CPU second |`,
      `| peak RSS of the reading process | ${read.peakRssMB.toFixed(0)} MB |`,
      `| held once read (JS heap + array buffers) | ${read.heldMB.toFixed(0)} MB |`,
      `| points: expected / received (held + thinned) | ${expected.toLocaleString('en-US')} / ${received.toLocaleString('en-US')} (${received === expected ? 'none lost' : `${expected - received} missing`}); held ${held.toLocaleString('en-US')} |`,
      `| last step per series | ${read.series.map((s) => `${s.metric} ${s.lastStep}`).join(', ')} |`,
      `| diagnostics | ${read.diagnostics} |`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(repoRoot, 'bench', 'report-biglog.md'), md);
    process.stdout.write(md);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
