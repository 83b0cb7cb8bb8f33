// `scaling-lens curve` on a live run: the forecast the product shows for it (status bar, `scan`),
// which is made from the run's finished siblings when its family has some. The run's family is read
// as `scan` reads it, from the folder that holds it (or the nearest one above with `.scalinglens.yaml`),
// and the engine's own path makes the forecast (ScalingWorkspace.runView → engine/curveFits.ts): no
// math here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScalingWorkspace } from '../core/workspace';
import type { CurvePrediction } from '../core/snapshot';
import type { Run } from '../core/runs/types';
import { WORKSPACE_FILE_NAME } from '../shared/logFiles';
import { logFilesUnder } from './logFilesUnder';

/** How far up a `.scalinglens.yaml` is looked for (runs sit a few folders below their workspace file). */
const MAX_LEVELS_UP = 4;
/** Log files read for the siblings, at most (as the `curve` command's own folder read). */
const MAX_SIBLING_FILES = 5000;

/** The nearest folder above `runDir` with `.scalinglens.yaml` (not past a repository's root), else the folder holding `runDir`. */
export function familyRootOf(runDir: string): string {
  let dir = runDir;
  for (let up = 0; up < MAX_LEVELS_UP; up++) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
    if (fs.existsSync(path.join(dir, WORKSPACE_FILE_NAME))) return dir;
    if (fs.existsSync(path.join(dir, '.git'))) break;
  }
  return path.dirname(runDir);
}

/**
 * The product's forecast of `run` (read from `runDir`) when it is made from finished siblings, or undefined when the run
 * has none there (then the run-alone forecast is the product's too). `targetStep` must match the command's.
 */
export function siblingForecastOf(run: Run, runDir: string, targetStep: number): CurvePrediction | undefined {
  const root = familyRootOf(runDir);
  // The same engine options as `scan` (src/cli.ts), so the number is the one `scan` and the status bar show.
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of logFilesUnder(root, { maxFiles: MAX_SIBLING_FILES }).sort()) engine.update(f, root);
  const workspaceFile = path.join(root, WORKSPACE_FILE_NAME);
  if (fs.existsSync(workspaceFile)) engine.update(workspaceFile, root);
  const same = engine.runs().find((r) => r.status === 'live' && run.files.every((f) => r.files.includes(f)));
  const curve = same && engine.runView(same.id)?.curve;
  return curve?.provenance === 'from siblings' && curve.alone && curve.targetStep === targetStep ? curve : undefined;
}
