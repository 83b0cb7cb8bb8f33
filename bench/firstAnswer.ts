// Time to the first useful answer on a workspace of many runs, as the extension's worker gets it
// (issue 20): the engine session (core/engine/session.ts) with the pool of fitting threads
// (worker/fitClient.ts on dist/fitThread.js, the fit time budget of the setting's default) is
// handed every file of a folder, as a rescan does. Times from the rescan's start: the files read,
// the first snapshot (every run listed, nothing fitted), the first snapshot with a run's forecast,
// and, when a run is looked at (the dashboard's focus), the first with that run's forecast.
// Prints one JSON object. Run by bench/scale.ts in a child process:
//   node --import tsx bench/firstAnswer.ts <folder> <threads> [<run id looked at>]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineSession } from '../src/core/engine/session';
import { FitClient } from '../src/worker/fitClient';
import type { Snapshot } from '../src/core/snapshot';

/** `scalingLens.fit.timeBudgetMs`'s default (package.json). */
const FIT_BUDGET_MS = 5000;
/** Given up after this long without the answers asked for. */
const GIVE_UP_MS = 600_000;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function main(): void {
  const [folder, threadsArg, lookedAt] = process.argv.slice(2);
  const root = path.resolve(folder);
  const script = path.resolve(__dirname, '..', 'dist', 'fitThread.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
  const files = filesUnder(root).map((p) => ({ path: p, root }));
  const started = performance.now();
  const at: Record<string, number> = {};
  let firstFitted: string | undefined;
  let fitter: FitClient | undefined = undefined;
  const done = (): void => {
    fitter?.dispose();
    process.stdout.write(JSON.stringify({ runs: runsSeen, firstFittedRun: firstFitted, ...at }) + '\n');
    process.exit(0);
  };
  let runsSeen = 0;
  const onSnapshot = (snapshot: Snapshot): void => {
    const now = performance.now() - started;
    at.firstSnapshotMs ??= now;
    runsSeen = snapshot.runs.length;
    const fitted = snapshot.runs.find((r) => r.curve);
    if (fitted && at.firstFittedMs === undefined) {
      at.firstFittedMs = now;
      firstFitted = fitted.id;
    }
    if (lookedAt && snapshot.runs.some((r) => r.id === lookedAt && r.curve)) at.lookedAtFittedMs ??= now;
    // Done once both have landed, or nothing is left to fit.
    if ((at.firstFittedMs !== undefined && (!lookedAt || at.lookedAtFittedMs !== undefined)) || snapshot.fitting === 0) done();
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
  });
  if (lookedAt) session.lookAt([lookedAt]);
  session.reset(files);
  at.readMs = performance.now() - started;
  // Keeps the process alive while the fits run (the fitting threads do not).
  setTimeout(done, GIVE_UP_MS);
}

main();
