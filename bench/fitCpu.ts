// CPU time of each curve fit the engine asks for on examples/ (the workspace's own jobs, as `scan`
// fits them) and on a 1,100-point and a 2,000-point loss curve, through the engine of the source tree given as the
// first argument: bench/scale.ts runs it on this tree and on earlier engines, taking turns.
// Prints JSON: { jobs: [{ name, points, law, cpuMs, cpuSamples }] } (cpuMs: the median of REPEATS).
//   node --import tsx bench/fitCpu.ts <source root>
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPEATS = 3;

interface Job {
  kind: string;
  steps: Float64Array;
  losses: Float64Array;
  law?: string;
}

async function main(): Promise<void> {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
  const examples = path.resolve(__dirname, '..', 'examples');
  const { ScalingWorkspace } = (await import(path.join(root, 'src/core/workspace.ts'))) as typeof import('../src/core/workspace');
  const { runFitJob } = (await import(path.join(root, 'src/core/fitJobs.ts'))) as typeof import('../src/core/fitJobs');
  // Every repeat a fresh fit: a tree whose curve fits keep their last inputs' main fit (curveMemo.ts) forgets it first.
  const curveModule = (await import(path.join(root, 'src/core/fit/curve.ts'))) as Partial<typeof import('../src/core/fit/curve')>;
  const fresh = () => curveModule.clearCurveMemo?.();
  const { isDefaultLogFile } = (await import(path.join(root, 'src/core/runs/logGlobs.ts'))) as typeof import('../src/core/runs/logGlobs');
  const { buildSchedule } = (await import(path.join(root, 'src/core/laws/schedule.ts'))) as typeof import('../src/core/laws/schedule');
  const { gaussian, mulberry32 } = (await import(path.join(root, 'src/core/fit/random.ts'))) as typeof import('../src/core/fit/random');

  // The curve jobs of examples/, collected by a fitter that only records what it is asked.
  const jobs: { name: string; job: Job }[] = [];
  const engine = new ScalingWorkspace({
    minPointsForCurve: 8,
    seed: 1,
    fitter: {
      fit: (slot: string, _key: string, kind: string, makeJob: () => unknown) => {
        if (kind === 'curve') jobs.push({ name: slot.replace(/^curve:/, ''), job: makeJob() as Job });
        return undefined;
      },
    },
  } as ConstructorParameters<typeof ScalingWorkspace>[0]);
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const f of walk(examples)
    .filter((f) => isDefaultLogFile(path.relative(examples, f)))
    .sort())
    engine.update(f, examples);
  engine.snapshot();

  // Runs logging their LR every 20 steps: 1,100 points so far of a 36,000-step cosine schedule, and
  // 2,000 of a 72,000-step one (the top of issue 20's 1,000–2,000 points). The fits thin both to 70
  // points, so their cost is the schedule's blocks before the last step and how the fit converges.
  for (const [points, T] of [
    [1100, 36_000],
    [2000, 72_000],
  ] as const) {
    const lr = buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: T, warmupSteps: 500, minLr: 3e-5 });
    const rand = mulberry32(7);
    const prefix = new Float64Array(T + 1);
    for (let s = 1; s <= T; s++) prefix[s] = prefix[s - 1] + lr[s];
    const steps = Float64Array.from({ length: points }, (_, i) => 20 * (i + 1));
    const losses = steps.map((t) => (2.4 + 0.65 * Math.pow(prefix[t], -0.43) - 400 * (3e-4 - lr[t])) * (1 + 0.01 * gaussian(rand)));
    jobs.push({
      name: `synthetic ${points.toLocaleString('en-US')}-point cosine run (LR logged)`,
      job: { kind: 'curve', steps, losses, targetStep: T, plannedEndStep: T, law: 'multipower', lr, seed: 1, resamples: 40 } as Job,
    });
  }

  const out: { name: string; points: number; law: string; cpuMs: number; cpuSamples: number[] }[] = [];
  for (const { name, job } of jobs) {
    fresh();
    runFitJob(job as Parameters<typeof runFitJob>[0], {}); // JIT warm-up
    const cpu: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      fresh();
      const c = process.cpuUsage();
      runFitJob(job as Parameters<typeof runFitJob>[0], {});
      const u = process.cpuUsage(c);
      cpu.push((u.user + u.system) / 1000);
    }
    out.push({ name, points: job.steps.length, law: job.law ?? 'power', cpuMs: [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)], cpuSamples: cpu });
  }
  process.stdout.write(`${JSON.stringify({ jobs: out })}\n`);
}

void main();
