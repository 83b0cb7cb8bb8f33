// Time to the first useful answer on a workspace of many runs, as the extension's worker gets it
// (issue 20): the engine session (core/engine/session.ts, point forecasts first for what the user
// sees) with the pool of fitting threads (worker/fitClient.ts on dist/fitThread.js, the fit time
// budget of the setting's default) is handed every file of a folder, as a rescan does, while one
// run is looked at (the dashboard's focus) and the estimate of that run's config is asked for (the
// config open in the editor: its lens). Times from the rescan's start: every file read (a long read
// goes on in slices, session.ts), the first snapshot (the runs read so far), the first with every
// run listed, the first snapshot with a run's forecast, the looked-at run's first
// forecast (a point forecast, its interval coming) and its forecast with the interval, the config's
// first estimate (provisional or not: LossEstimate.provisional) and its estimate from the family's
// full law (asked again whenever Snapshot.estimates moves, as the lens does; or the provisional law
// standing in for it when it ran out of its fit budget: estimateCutShort), and the snapshot with
// every fit landed; the process's
// CPU (every thread) at the first answer and at the end; the 1-minute load average at the start;
// the number of snapshots posted.
// Prints one JSON object. Run by bench/scale.ts in a child process:
//   node --import tsx bench/firstAnswer.ts <folder> <threads> [<run id looked at> [<its config file>]]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineSession } from '../src/core/engine/session';
import { FitClient } from '../src/worker/fitClient';
import type { Snapshot } from '../src/core/snapshot';

/** `scalingLens.fit.timeBudgetMs`'s default (package.json). */
const FIT_BUDGET_MS = 5000;
/** Given up after this long without the answers asked for. */
const GIVE_UP_MS = 1_800_000;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** CPU of the process so far (user + system, every thread), ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function main(): void {
  const [folder, threadsArg, lookedAt, configFile] = process.argv.slice(2);
  const root = path.resolve(folder);
  const script = path.resolve(__dirname, '..', 'dist', 'fitThread.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
  const files = filesUnder(root).map((p) => ({ path: p, root }));
  const load1 = os.loadavg()[0];
  const cpuAtStart = cpuMs();
  const started = performance.now();
  const at: Record<string, number> = {};
  const facts: Record<string, string | boolean | number> = { load1 };
  let fitter: FitClient | undefined = undefined;
  let allFitted = false;
  let estimated = !configFile;
  const done = (): void => {
    fitter?.dispose();
    process.stdout.write(JSON.stringify({ runs: runsSeen, ...facts, ...at }) + '\n');
    process.exit(0);
  };
  let runsSeen = 0;
  let estimatesGeneration: number | undefined;
  let asking = false;
  // As the lens asks: the config's text as the editor has it; a provisional or early answer is asked again when the generation moves.
  const askEstimate = (): void => {
    if (!configFile || estimated || asking) return;
    asking = true;
    // The lens drops its answer when the generation moves, even with a request in flight: so does this.
    const askedGeneration = estimatesGeneration;
    void session.estimateConfig(path.resolve(configFile), fs.readFileSync(configFile, 'utf8')).then((estimate) => {
      asking = false;
      const now = performance.now() - started;
      const loss = estimate.predictions.loss;
      if (at.firstEstimateMs === undefined) {
        at.firstEstimateMs = now;
        facts.firstEstimateProvisional = loss?.provisional !== undefined;
        facts.firstEstimateLoss = loss ? loss.value : (estimate.predictions.uncalibrated ?? 'none');
      }
      if (loss && !loss.provisional) {
        at.estimateMs = now;
        facts.estimateComplete = estimate.fitsPending !== true;
        facts.estimateLoss = loss.value;
        facts.estimateInterval = loss.interval.map((v) => v.toFixed(4)).join('–');
        estimated = true;
        // SCALING_LENS_ESTIMATE_ONLY=1: stop at the config's full estimate (side-by-side timing of trees).
        if (allFitted || process.env.SCALING_LENS_ESTIMATE_ONLY === '1') done();
      } else if (loss?.provisional?.fullLawTimedOut && estimate.fitsPending !== true) {
        // Final, provisional: the family's law ran out of its fit budget and its point fit stands in (no interval).
        at.estimateMs = now;
        facts.estimateComplete = true;
        facts.estimateLoss = loss.value;
        facts.estimateCutShort = true;
        estimated = true;
        if (allFitted || process.env.SCALING_LENS_ESTIMATE_ONLY === '1') done();
      } else if (!loss && estimate.fitsPending !== true) {
        // Final, without a loss (the family's law failed or ran out of its fit budget): said, not waited for.
        at.estimateMs = now;
        facts.estimateComplete = true;
        facts.estimateLoss = `none: ${estimate.predictions.uncalibrated ?? 'no loss prediction'}`;
        estimated = true;
        if (allFitted || process.env.SCALING_LENS_ESTIMATE_ONLY === '1') done();
      } else if (estimatesGeneration !== askedGeneration) askEstimate();
    });
  };
  const onSnapshot = (snapshot: Snapshot): void => {
    const now = performance.now() - started;
    if (snapshot.estimates !== estimatesGeneration) {
      estimatesGeneration = snapshot.estimates;
      if (at.firstEstimateMs !== undefined) askEstimate();
    }
    // Rounds posted: each rebuilds every run's view (session.ts spaces them while fits land).
    facts.snapshots = Number(facts.snapshots ?? 0) + 1;
    at.firstSnapshotMs ??= now;
    if (snapshot.filesToRead === undefined) at.listedMs ??= now;
    runsSeen = snapshot.runs.length;
    const fitted = snapshot.runs.find((r) => r.curve);
    if (fitted && at.firstFittedMs === undefined) {
      at.firstFittedMs = now;
      at.firstFittedCpuMs = cpuMs() - cpuAtStart;
      facts.firstFittedRun = fitted.id;
      facts.firstFittedPointOnly = fitted.curve!.intervalPending === true;
    }
    const seen = lookedAt ? snapshot.runs.find((r) => r.id === lookedAt && r.curve) : undefined;
    if (seen && at.lookedAtFittedMs === undefined) {
      at.lookedAtFittedMs = now;
      facts.lookedAtPointOnly = seen.curve!.intervalPending === true;
    }
    if (seen && !seen.curve!.intervalPending) at.lookedAtIntervalMs ??= now;
    // SCALING_LENS_FIRST_ANSWER_ONLY=1: stop at the looked-at run's first forecast (side-by-side timing of trees).
    if (seen && process.env.SCALING_LENS_FIRST_ANSWER_ONLY === '1') {
      at.lookedAtCpuMs ??= cpuMs() - cpuAtStart;
      done();
    }
    if (snapshot.fitting === 0 && snapshot.filesToRead === undefined && !allFitted) {
      allFitted = true;
      at.allFittedMs = now;
      at.cpuMs = cpuMs() - cpuAtStart;
    }
    if (allFitted && estimated) done();
  };
  fitter = new FitClient({
    scriptPath: script,
    budgetMs: () => FIT_BUDGET_MS,
    onFitted: () => session.fitLanded(),
    log: () => undefined,
    threads: Number(threadsArg),
  });
  const session = new EngineSession({
    fitter,
    settings: { fitTimeBudgetMs: FIT_BUDGET_MS },
    engine: { minPointsForCurve: 8, fitter },
    onSnapshot,
    log: () => undefined,
    // Called after each slice of reading: the last call is when every file was read.
    readPaused: () => {
      at.readMs = performance.now() - started;
    },
  });
  if (lookedAt) session.lookAt([lookedAt]);
  session.reset(files);
  // A tree that reads every file in `reset` (before slices) never calls readPaused.
  at.readMs ??= performance.now() - started;
  askEstimate();
  // Keeps the process alive while the fits run (the fitting threads do not).
  setTimeout(done, GIVE_UP_MS);
  // Stopped from outside (a timeout): what was measured so far.
  process.on('SIGTERM', done);
}

main();
