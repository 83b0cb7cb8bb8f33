// Scale rows of `npm run bench` (issue 20), each measured side by side in one run:
//   - per-run curve-fit CPU on this tree and on the engines of BEFORE (the commit before issue 20's
//     fit changes, and the last stop's), the same jobs (bench/fitCpu.ts in a child process per
//     tree), the trees taking turns so a change in the machine's load falls on all of them;
//   - `scaling-lens scan` of 1, 10, 100 and 1,000 copies of the example runs (real-size: 170–290
//     loss points, 1,100–1,200 points of every metric), wall and CPU (user + system of the process
//     and its threads), one fitting thread against one per core; 1,000 runs with --no-fit too. The
//     copies past the first seven have their losses moved by a few parts in 10^5 (seeded per copy),
//     so no two runs are the same series and no figure owes anything to identical inputs
//     (SCALING_LENS_BENCH_SCAN_COPIES=identical copies them as they are, as before). With each
//     scan, the time to the first answer as the extension's worker gets it (bench/firstAnswer.ts). CLI cold start is
//     bench/coldStart.ts.
// SCALING_LENS_BENCH_SKIP_FIT_CPU=1 leaves out the before/after fit CPU (a few minutes of CPU), and
// SCALING_LENS_BENCH_SCAN_1000=0 the fitted scans of 1,000 runs (about ten minutes of CPU), for a quick look.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { median } from './stats';

const repoRoot = path.resolve(__dirname, '..');
/** Engines the fit CPU is compared with: the last commit before issue 20 changed the curve fits, the last stop's, and this stop's before its fit changes. */
const BEFORE = [
  { commit: '611a6a2', label: 'before issue 20' },
  { commit: 'c7ff14e', label: 'last stop' },
  { commit: '70a58da', label: 'this stop before the fit changes' },
];
/** Turns each tree takes at the fit CPU jobs (each turn: a median of 3 per job). */
const FIT_CPU_TURNS = 2;

export interface ScaleRow {
  name: string;
  value: string;
  note: string;
}

interface FitCpu {
  jobs: { name: string; points: number; law: string; cpuMs: number; cpuSamples: number[] }[];
}

function fitCpu(root: string): FitCpu | { error: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'fitCpu.ts'), root], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 1 << 22,
  });
  if (r.status !== 0) return { error: (r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(r.stdout) as FitCpu;
}

/** The source tree at `commit`, extracted under `tmp` (node_modules linked), or why not. */
function treeAt(commit: string, tmp: string): string | { error: string } {
  const dir = path.join(tmp, `tree-${commit}`);
  if (fs.existsSync(path.join(dir, 'node_modules'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('sh', ['-c', `git -C "$1" archive "$2" src | tar -x -C "$3"`, 'sh', repoRoot, commit, dir], { encoding: 'utf8' });
  if (r.status !== 0) return { error: `git archive ${commit} failed: ${r.stderr.trim()}` };
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

interface Timed {
  wallMs: number;
  cpuMs: number;
  stdout: string;
}

/** Runs `node args` under /usr/bin/time: wall and CPU (user + system, every thread) of the process. */
function timedNode(args: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, ...args], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`node ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  return { wallMs: 1000 * Number(m[1]), cpuMs: 1000 * (Number(m[2]) + Number(m[3])), stdout: r.stdout };
}

/**
 * `count` runs copied from examples/sweep in turn (config, training args and log of each). With
 * `distinct`, every copy past the first round has each logged loss multiplied by 1 + 5·10⁻⁵·u (u
 * uniform in [−1, 1], seeded by the copy's number), written with the original's decimals: the runs
 * stay real-size and alike, but no two are the same series.
 */
function copiesOfExamples(dir: string, count: number, distinct: boolean): void {
  const sweep = path.join(repoRoot, 'examples', 'sweep');
  const runs = fs.readdirSync(sweep).sort();
  for (let i = 0; i < count; i++) {
    const to = path.join(dir, `run-${String(i).padStart(4, '0')}`);
    fs.cpSync(path.join(sweep, runs[i % runs.length]), to, { recursive: true });
    if (!distinct || i < runs.length) continue;
    let seed = i * 2654435761;
    const uniform = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (2 * seed) / 2 ** 32 - 1;
    };
    for (const name of ['metrics.jsonl', 'trainer_state.json']) {
      const file = path.join(to, name);
      if (!fs.existsSync(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(
        file,
        text.replace(/("loss"\s*:\s*)(\d+)\.(\d+)/g, (_, key: string, whole: string, decimals: string) => {
          const moved = Number(`${whole}.${decimals}`) * (1 + 5e-5 * uniform());
          return key + moved.toFixed(decimals.length);
        }),
      );
    }
  }
}

interface FirstAnswer {
  load1: number;
  readMs: number;
  firstSnapshotMs: number;
  firstFittedMs: number;
  firstFittedCpuMs: number;
  firstFittedRun: string;
  firstFittedPointOnly: boolean;
  lookedAtFittedMs: number;
  lookedAtPointOnly: boolean;
  lookedAtIntervalMs: number;
  /** The config's first estimate, provisional or not (LossEstimate.provisional). */
  firstEstimateMs: number;
  firstEstimateProvisional: boolean;
  estimateMs: number;
  estimateComplete: boolean;
  /** The full answer's loss, or `none: <why>` (a family law that failed, or one cut short by its fit budget with no law standing in for it that holds for the runs now). */
  estimateLoss?: number | string;
  /** The family's law ran out of its fit budget: the full answer's loss is the provisional law standing in for it. */
  estimateCutShort?: boolean;
  allFittedMs: number;
  cpuMs: number;
  /** The first snapshot with a family law (the dashboard's scaling view), and whether it was a first scan's provisional one. */
  firstLawMs?: number;
  firstLawProvisional?: boolean;
  /** The first snapshot with a family's full law. */
  fullLawMs?: number;
}

/** How long the first-answer measure may run (every fit of 1,000 runs on one thread took 84 s on an idle machine). */
const FIRST_ANSWER_TIMEOUT_MS = 10 * 60_000;

/** Times to the first answers and to all of them as the extension's worker gets them (bench/firstAnswer.ts), or why not measured. */
function firstAnswer(dir: string, threads: number, lookedAt: string): FirstAnswer | { error: string } {
  const config = path.join(dir, lookedAt, 'config.json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'firstAnswer.ts'), dir, String(threads), lookedAt, config], {
    cwd: repoRoot,
    encoding: 'utf8',
    // A bench never waits on one measure forever: stopped, the script prints what it measured so far.
    timeout: FIRST_ANSWER_TIMEOUT_MS,
    killSignal: 'SIGTERM',
  });
  if (r.status !== 0) return { error: (r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(r.stdout) as ReturnType<typeof firstAnswer>;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const loadNow = () => os.loadavg()[0].toFixed(1);

/**
 * Curve-fit CPU per run on this tree and on each BEFORE engine: the trees take FIT_CPU_TURNS turns
 * (this, before…, this, before…), and each job's figure is the median of all its samples.
 */
function fitCpuRows(tmp: string, json: Record<string, number>): ScaleRow[] {
  const trees: { label: string; root: string | { error: string } }[] = [
    { label: 'this tree', root: repoRoot },
    ...BEFORE.map((b) => ({ label: `${b.label} (${b.commit})`, root: treeAt(b.commit, tmp) })),
  ];
  const samples = trees.map(() => new Map<string, { points: number; law: string; cpu: number[] }>());
  const errors: (string | undefined)[] = trees.map((t) => (typeof t.root === 'string' ? undefined : t.root.error));
  const loads = [loadNow()];
  for (let turn = 0; turn < FIT_CPU_TURNS; turn++) {
    trees.forEach((t, k) => {
      if (errors[k] !== undefined || typeof t.root !== 'string') return;
      const r = fitCpu(t.root);
      if ('error' in r) {
        errors[k] = r.error;
        return;
      }
      for (const j of r.jobs) {
        const m = samples[k].get(j.name) ?? { points: j.points, law: j.law, cpu: [] };
        m.cpu.push(...j.cpuSamples);
        samples[k].set(j.name, m);
      }
    });
    loads.push(loadNow());
  }
  if (errors[0] !== undefined) return [{ name: 'Curve fit CPU per run', value: 'not measured', note: errors[0] }];
  const after = samples[0];
  const names = [...after.keys()];
  const perJob = (k: number, name: string) => {
    const m = samples[k].get(name);
    return m ? median(m.cpu) : NaN;
  };
  const means = trees.map((_, k) => (errors[k] === undefined ? mean(names.map((n) => perJob(k, n))) : NaN));
  json.fitCpuMeanMs = means[0];
  BEFORE.forEach((b, i) => (json[`fitCpuMeanMs:${b.commit}`] = means[i + 1]));
  for (const n of names) json[`fitCpuMs:${n}`] = perJob(0, n);
  const first = BEFORE.findIndex((_, i) => errors[i + 1] === undefined);
  json.fitCpuBeforeMeanMs = first < 0 ? NaN : means[first + 1];
  const vs = trees
    .slice(1)
    .map((t, i) =>
      errors[i + 1] === undefined
        ? `${t.label} ${means[i + 1].toFixed(0)} ms (${(means[i + 1] / means[0]).toFixed(2)}× this tree's CPU)`
        : `${t.label}: not measured (${errors[i + 1]})`,
    )
    .join('; ');
  return [
    {
      name: `Curve fit CPU per run (${names.length} runs: examples/ as \`scan\` fits them, and runs of 1,100 and 2,000 points), this tree against the engines before`,
      value: `${means[0].toFixed(0)} ms mean`,
      note:
        `${vs}. Per run (median of ${FIT_CPU_TURNS}×3 CPU samples each, one thread; 40 bootstrap resamples at most, the 20/30/50% prefix checks), ` +
        trees.map((t) => t.label).join(' → ') +
        ': ' +
        names
          .map((n) => {
            const m = after.get(n)!;
            return `${n} (${m.points} pts, ${m.law}) ${trees.map((_, k) => (errors[k] === undefined ? perJob(k, n).toFixed(0) : '–')).join(' → ')} ms`;
          })
          .join('; ') +
        `. The trees took ${FIT_CPU_TURNS} turns each in this run; 1-minute load average ${loads.join(' → ')} over the turns`,
    },
  ];
}

export async function scaleRows(tmp: string, json: Record<string, number>): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];

  // --- Per-run curve-fit CPU, before and after --------------------------------------------------
  const skip = process.env.SCALING_LENS_BENCH_SKIP_FIT_CPU === '1';
  if (skip) rows.push({ name: 'Curve fit CPU per run', value: 'not measured', note: 'SCALING_LENS_BENCH_SKIP_FIT_CPU=1' });
  else rows.push(...fitCpuRows(tmp, json));

  // --- scan of many runs: one fitting thread against one per core ---------------------------------
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'fitThread.js'))) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot });
  const cores = Math.max(1, os.availableParallelism());
  const sizes = process.env.SCALING_LENS_BENCH_SCAN_1000 === '0' ? [1, 10, 100] : [1, 10, 100, 1000];
  // SCALING_LENS_BENCH_SCAN_RUNS=1,10 (say) measures only those, for a quick look.
  const only = process.env.SCALING_LENS_BENCH_SCAN_RUNS?.split(',').map(Number);
  const distinct = process.env.SCALING_LENS_BENCH_SCAN_COPIES !== 'identical';
  const copies = distinct ? 'copies of examples/sweep made distinct' : 'identical copies of examples/sweep';
  // The extension's pool: one thread per core but one (worker/fitClient.ts defaultFitThreads).
  const extensionThreads = Math.max(1, cores - 1);
  for (const n of only ?? [...sizes, ...(sizes.includes(1000) ? [] : [1000])]) {
    const dir = path.join(tmp, `scan-${n}`);
    copiesOfExamples(dir, n, distinct);
    const list = timedNode([cli, 'scan', dir, '--no-fit', '--json']);
    const runs = (JSON.parse(list.stdout) as { runs: unknown[] }).runs.length;
    json[`scan${n}NoFitWallMs`] = list.wallMs;
    if (!sizes.includes(n) && !only) {
      rows.push({
        name: `\`scan --no-fit\` of ${n.toLocaleString('en-US')} runs`,
        value: `${(list.wallMs / 1000).toFixed(2)} s`,
        note: `${runs} runs listed; CPU ${(list.cpuMs / 1000).toFixed(2)} s. Fitted scans of 1,000 runs left out (SCALING_LENS_BENCH_SCAN_1000=0)`,
      });
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const loadBefore = loadNow();
    // A run in the middle stands for the one the user looks at (the dashboard's focus): a copy of llama-12m, which is fitted.
    const lookedAt = `run-${String(7 * Math.floor(n / 14)).padStart(4, '0')}`;
    const first = firstAnswer(dir, extensionThreads, lookedAt);
    const one = timedNode([cli, 'scan', dir, '--json', '--threads', '1']);
    const pool = cores > 1 ? timedNode([cli, 'scan', dir, '--json', '--threads', String(cores)]) : one;
    const same = one.stdout === pool.stdout;
    Object.assign(json, {
      [`scan${n}WallMs`]: one.wallMs,
      [`scan${n}CpuMs`]: one.cpuMs,
      [`scan${n}PoolWallMs`]: pool.wallMs,
      [`scan${n}PoolCpuMs`]: pool.cpuMs,
      [`scan${n}CpuMsPerRun`]: one.cpuMs / n,
      [`scan${n}PoolSpeedUp`]: one.wallMs / pool.wallMs,
      // Cores the process got on average (CPU / wall): under sched autogroup a busy machine caps it whatever the threads.
      [`scan${n}CoresUsed`]: one.cpuMs / one.wallMs,
      [`scan${n}PoolCoresUsed`]: pool.cpuMs / pool.wallMs,
    });
    if (!('error' in first)) {
      json[`scan${n}ReadMs`] = first.readMs;
      json[`scan${n}FirstAnswerMs`] = first.firstFittedMs;
      json[`scan${n}FirstAnswerCpuMs`] = first.firstFittedCpuMs;
      json[`scan${n}LookedAtAnswerMs`] = first.lookedAtFittedMs;
      json[`scan${n}LookedAtIntervalMs`] = first.lookedAtIntervalMs;
      json[`scan${n}FirstEstimateMs`] = first.firstEstimateMs;
      json[`scan${n}EstimateMs`] = first.estimateMs;
      json[`scan${n}AllAnswersMs`] = first.allFittedMs;
      json[`scan${n}AllAnswersCpuMs`] = first.cpuMs;
    }
    const s = (ms: number | undefined) => (ms === undefined ? 'not reached' : `${(ms / 1000).toFixed(2)} s`);
    const firstNote =
      'error' in first
        ? `time to first answer not measured (${first.error})`
        : `as the extension's worker gets them (${extensionThreads} fitting thread${extensionThreads === 1 ? '' : 's'}, load ${first.load1.toFixed(1)} at its start), from the rescan: ` +
          `files read ${s(first.readMs)}, runs listed ${s(first.firstSnapshotMs)}, first forecast (${first.firstFittedRun}${first.firstFittedPointOnly ? ', a point forecast, interval coming' : ''}) ${s(first.firstFittedMs)} (CPU ${s(first.firstFittedCpuMs)}), ` +
          `the run looked at (${lookedAt}) ${s(first.lookedAtFittedMs)}${first.lookedAtPointOnly ? ' as a point forecast, with its interval' : ', interval'} ${s(first.lookedAtIntervalMs)}, ` +
          `its config's first estimate ${s(first.firstEstimateMs)}${first.firstEstimateProvisional ? ' (provisional: without the live runs whose forecasts are still coming)' : ''}, from the family's full law ${s(first.estimateMs)}${first.estimateComplete ? '' : ' (still waiting for fits)'}${first.estimateCutShort ? ' (provisional: the family law ran out of its fit budget)' : ''}${typeof first.estimateLoss === 'string' ? ` (no loss: ${first.estimateLoss.replace(/^none: /, '')})` : ''}, the scaling view's first family law ${s(first.firstLawMs)}${first.firstLawProvisional ? ' (provisional: the runs read so far)' : ''}, its full law ${s(first.fullLawMs)}, every fit landed ${s(first.allFittedMs)} (CPU ${s(first.cpuMs)})`;
    rows.push({
      name: `\`scan\` of ${n.toLocaleString('en-US')} real-size run(s) (${copies}), every curve and the family law fitted`,
      value: `${(pool.wallMs / 1000).toFixed(1)} s wall with ${cores} threads (${(one.wallMs / pool.wallMs).toFixed(2)}× one thread)`,
      note:
        `one fitting thread: ${(one.wallMs / 1000).toFixed(1)} s wall, ${(one.cpuMs / 1000).toFixed(1)} s CPU (${(one.cpuMs / one.wallMs).toFixed(2)} cores); ${cores} threads: ${(pool.wallMs / 1000).toFixed(1)} s wall, ${(pool.cpuMs / 1000).toFixed(1)} s CPU (${(pool.cpuMs / pool.wallMs).toFixed(2)} cores); ` +
        `${((one.cpuMs / n) | 0).toLocaleString('en-US')} ms CPU per run; output ${same ? 'identical' : 'DIFFERENT'}; \`--no-fit\`: ${(list.wallMs / 1000).toFixed(2)} s. First answers ${firstNote}. One process each, under /usr/bin/time; 1-minute load average ${loadBefore} → ${loadNow()}`,
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }

  return rows;
}

// The scale rows alone: node --import tsx bench/scale.ts (the environment variables above apply).
if (require.main === module) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-scale-'));
  const json: Record<string, number> = {};
  scaleRows(tmp, json)
    .then((rows) => {
      for (const r of rows) process.stdout.write(`${r.name}: ${r.value}\n  ${r.note}\n`);
      process.stdout.write(`${JSON.stringify(json)}\n`);
    })
    .finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
}
