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
// standing in for it when it ran out of its fit budget: estimateCutShort), the first snapshot with a
// family law (the dashboard's scaling view: a first scan's provisional law, then the full law), and
// the snapshot with every fit landed; the process's
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

/**
 * SCALING_LENS_FIRST_ANSWER_TRACE=1: one line on stderr per snapshot posted, what the dashboard then
 * shows: runs listed and forecast, the looked-at run's forecast, each family's law (fitted, pending,
 * provisional) and whether its scaling view draws the law's line.
 */
function traceSnapshot(now: number, snapshot: Snapshot, lookedAt: string | undefined): void {
  const seen = lookedAt ? snapshot.runs.find((r) => r.id === lookedAt) : undefined;
  const seenText = !seen
    ? 'not listed'
    : !seen.curve
      ? 'no forecast'
      : `${seen.curve.predictedFinal.value.toFixed(4)}${seen.curve.intervalPending ? ' (interval coming)' : ''}`;
  const families = snapshot.families.map((f) => {
    const view = snapshot.scaling.find((v) => v.family === f.family);
    const law = f.fit ? `${f.fit.lawId} of ${f.runIds.length} runs` : (f.error ?? 'no law');
    const marks = [
      f.pending ? 'pending' : '',
      f.provisional ? `provisional${f.provisional.filesToRead !== undefined ? ` (${f.provisional.filesToRead} files to read)` : ''}` : '',
      view?.lawLine ? `line ${view.lawLine.loss[0].toFixed(4)}..${view.lawLine.loss[view.lawLine.loss.length - 1].toFixed(4)}` : '',
      view ? `${view.points.length} points` : '',
    ];
    return `${f.family}: ${law} ${marks.filter(Boolean).join(', ')}`;
  });
  process.stderr.write(
    `${now.toFixed(0)} ms snapshot v${snapshot.version} (built in ${snapshot.buildMs.toFixed(0)} ms): ${snapshot.filesToRead !== undefined ? `${snapshot.filesToRead} files to read, ` : ''}${snapshot.runs.length} runs, ${snapshot.runs.filter((r) => r.curve).length} forecast, fitting ${snapshot.fitting}; looked-at ${seenText}; ${families.join('; ')}\n`,
  );
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
  let lastSnapshot: Snapshot | undefined;
  let lastEstimate: unknown;
  const done = (): void => {
    fitter?.dispose();
    // SCALING_LENS_FIRST_ANSWER_FINAL=<file>: the last snapshot and the config's last estimate written there, to compare trees
    // (the snapshot's number, build time and estimates generation left out: they count rounds, not what is shown).
    const finalFile = process.env.SCALING_LENS_FIRST_ANSWER_FINAL;
    if (finalFile && lastSnapshot)
      fs.writeFileSync(finalFile, JSON.stringify({ snapshot: { ...lastSnapshot, version: 0, buildMs: 0, estimates: 0 }, estimate: lastEstimate }, null, 1));
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
      lastEstimate = estimate;
      const now = performance.now() - started;
      const loss = estimate.predictions.loss;
      if (process.env.SCALING_LENS_FIRST_ANSWER_TRACE === '1')
        process.stderr.write(
          `${now.toFixed(0)} ms estimate: ${loss ? `${loss.value.toFixed(4)}${loss.provisional ? ` provisional (${loss.provisional.filesToRead ?? 0} files to read)` : ''} of ${loss.runsUsed.length} runs` : (estimate.predictions.uncalibrated ?? 'none')}${estimate.fitsPending ? ', fits pending' : ''}\n`,
        );
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
    lastSnapshot = snapshot;
    if (process.env.SCALING_LENS_FIRST_ANSWER_TRACE === '1') traceSnapshot(now, snapshot, lookedAt);
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
    // The dashboard's scaling view: its first family law (a first scan's provisional one, FamilyLaw.provisional), then the full law.
    const law = snapshot.families.find((f) => f.fit);
    if (law && at.firstLawMs === undefined) {
      at.firstLawMs = now;
      facts.firstLawProvisional = law.provisional !== undefined;
    }
    if (snapshot.families.some((f) => f.fit && !f.provisional)) at.fullLawMs ??= now;
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
    onFitted: (slot) => session.fitLanded(slot),
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
