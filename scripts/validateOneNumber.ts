// `npm run validate`, "One number per run": for each run of a family, the family law at its N and D
// against the run's own number (its measured end; a live run's forecast, the one the status bar
// shows), before and after the family model passes through its runs (fit/residualField.ts). Data:
// the shared ladders, each fitted whole (Gadre et al. per training set, Porian et al. per
// configuration, Step Law's best loss per setting, the Multi-Power-Law family as the real example
// lays it out), and the two examples through the engine (their live runs anchored as in the product).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitCrossRun, smoothedFinalLoss, type CrossRunPoint } from '../src/core/fit/crossRun';
import { familyModel, monotonicityViolations, type FamilyModel } from '../src/core/plan/familyModel';
import { overtrainFitFor, overtrainWeight } from '../src/core/plan/regime';
import { ScalingWorkspace } from '../src/core/workspace';
import { isDefaultLogFile } from '../src/core/runs/logGlobs';
import { WORKSPACE_FILE_NAME } from '../src/core/runs/workspaceFile';
import { ladders } from './validateDistance';
import { load } from './validateJointFamily';

export interface OneNumberRow {
  family: string;
  runs: number;
  /** |law / run's number − 1| in %, per run. */
  lawGapsPct: number[];
  /** The same for the family model the product shows. */
  modelGapsPct: number[];
  /** Runs whose number is a live forecast. */
  live: number;
  /** Points of the monotonicity grid (familyModel.ts `monotonicityViolations`) where more N or D predicts worse. */
  rises: number;
}

const gap = (a: number, b: number) => 100 * Math.abs(a / b - 1);

/** The family blends in the over-training law: runs past the blend's start and a fit the model kept. */
function isBlended(model: FamilyModel, points: readonly CrossRunPoint[]): boolean {
  const o = model.overtrain;
  return points.some((p) => overtrainWeight(p.tokens / p.params) > 0) && o !== undefined && !('error' in o) && !o.timedOut;
}

function ladderRow(family: string, points: readonly CrossRunPoint[], budgetMs: number, notes: string[]): OneNumberRow | undefined {
  const fit = fitCrossRun(points, { seed: 1, resamples: 0, deadline: performance.now() + budgetMs });
  if ('error' in fit) {
    notes.push(`one number per run: ${family}: ${fit.error}`);
    return undefined;
  }
  // As the product does: the over-training law beside Chinchilla, blended where the family has runs past
  // its start and it does not miss them (plan/familyModel.ts); the row says so.
  const overtrain = overtrainFitFor(fit, points, { seed: 1, resamples: 0, deadline: performance.now() + budgetMs });
  const input = { family, fit, runsUsed: fit.runIds, points, overtrain };
  const model = familyModel(input);
  if (isBlended(model, points)) family = `${family} (blended)`;
  const law = familyModel({ ...input, throughRuns: false });
  const used = points.filter((p) => fit.runIds.includes(p.runId));
  return {
    family,
    runs: used.length,
    lawGapsPct: used.map((p) => gap(law.value(p.params, p.tokens), p.loss)),
    modelGapsPct: used.map((p) => gap(model.value(p.params, p.tokens), p.loss)),
    live: 0,
    rises: monotonicityViolations(model).length,
  };
}

function exampleRows(root: string, name: string): OneNumberRow[] {
  if (!fs.existsSync(root)) return [];
  const list = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of list(root).filter((f) => isDefaultLogFile(path.relative(root, f)) || path.basename(f) === WORKSPACE_FILE_NAME)) engine.update(f, root);
  const snap = engine.snapshot();
  const rows: OneNumberRow[] = [];
  for (const fam of snap.families) {
    if (!fam.fit || !fam.points?.length) continue;
    const input = {
      family: fam.family,
      fit: fam.fit,
      runsUsed: fam.runIds,
      points: fam.points,
      anchoredRunIds: fam.anchoredRunIds,
      overtrain: engine.overtrainLaw(fam),
    };
    const model = familyModel(input);
    const law = familyModel({ ...input, throughRuns: false });
    const anchored = new Set(fam.anchoredRunIds ?? []);
    // The run's number as the product shows it: a live run's forecast (status bar), else its end.
    const shown = (p: CrossRunPoint) => (anchored.has(p.runId) ? (snap.runs.find((r) => r.id === p.runId)?.curve?.predictedFinal.value ?? p.loss) : p.loss);
    rows.push({
      family: `${name} ${fam.family}${isBlended(model, fam.points) ? ' (blended)' : ''}`,
      runs: fam.points.length,
      lawGapsPct: fam.points.map((p) => gap(law.predict(p.params, p.tokens).value, shown(p))),
      modelGapsPct: fam.points.map((p) => gap(model.predict(p.params, p.tokens).value, shown(p))),
      live: anchored.size,
      rises: monotonicityViolations(model).length,
    });
  }
  return rows;
}

export function oneNumberBacktests(dataRoot: string, repoRoot: string, budgetMs: number, notes: string[]): OneNumberRow[] {
  const rows: OneNumberRow[] = [];
  rows.push(...exampleRows(path.join(repoRoot, 'examples'), 'examples/'), ...exampleRows(path.join(repoRoot, 'examples-real'), 'examples-real/'));
  for (const l of ladders(dataRoot, notes)) {
    const r = ladderRow(l.name, l.runs, budgetMs, notes);
    if (r) rows.push(r);
  }
  const truth = path.join(repoRoot, 'examples-real', 'TRUTH.json');
  if (fs.existsSync(truth) && fs.existsSync(path.join(dataRoot, 'multipowerlaw-schedules'))) {
    const runs = load(dataRoot, truth).map((r) => ({ runId: r.id, params: r.params, tokens: r.tokens, loss: smoothedFinalLoss(r.steps, r.losses) }));
    const r = ladderRow('Multi-Power-Law family (all finished)', runs, budgetMs, notes);
    if (r) rows.push(r);
  }
  return rows;
}

function median(xs: readonly number[]): number {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const max = (xs: readonly number[]) => xs.filter(Number.isFinite).reduce((a, b) => (b > a ? b : a), 0);
const off = (xs: readonly number[]) => `${xs.filter((x) => x > 0.5).length}`;
const pct = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}%` : '–');

export function oneNumberReport(rows: readonly OneNumberRow[]): string[] {
  if (!rows.length) return [];
  const all = (f: (r: OneNumberRow) => number[]) => rows.flatMap(f);
  return [
    '## One number per run: the family model at each run against the run',
    '',
    'Each family fitted whole (`fitCrossRun`, no bootstrap; the examples through the engine, live runs anchored by their forecast as in the product). Gap = |model at the run\'s N and D / the run\'s number − 1|, the run\'s number being its measured end, or for a live run the forecast the status bar shows. "law": the fitted law alone (the family model before this step); "model": the family model the product shows, through its runs (fit/residualField.ts). Runs at one (N, D) (schedules of one length, seeds) get their median, so their gap after is their spread about it. Where a run sits far above the law (IsoFLOP wings, which the law is fitted to ignore), the model cannot rise to it and stay monotone (the slope of the correction is bounded by that of the law, fit/residualField.ts): a run whose number would carry another run off its own is left out, its point shows the law, and the gap stays. Rows "(blended)": the family has runs past 40 tokens/parameter and the over-training law (Gadre et al. 2024) is blended in as the product does (fitted beside Chinchilla, `overtrainFitFor`, kept unless it misses the runs); "law" is then the regime blend, and the model passes each of the two laws through the runs in its own terms and takes the blend\'s monotone envelope (plan/blendEnvelope.ts). "rises": points of the monotonicity grid (`monotonicityViolations`: N from half the smallest run to 1000× the largest, 1–1000 tokens/parameter) where more N or more D predicts worse.',
    '',
    '| family | runs (live) | law: median gap | law: max gap | law: runs > 0.5% off | model: median gap | model: max gap | model: runs > 0.5% off | rises |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.family} | ${r.runs}${r.live ? ` (${r.live})` : ''} | ${pct(median(r.lawGapsPct))} | ${pct(max(r.lawGapsPct))} | ${off(r.lawGapsPct)} | ${pct(median(r.modelGapsPct))} | ${pct(max(r.modelGapsPct))} | ${off(r.modelGapsPct)} | ${r.rises} |`,
    ),
    `| all | ${rows.reduce((s, r) => s + r.runs, 0)} | ${pct(median(all((r) => r.lawGapsPct)))} | ${pct(max(all((r) => r.lawGapsPct)))} | ${off(all((r) => r.lawGapsPct))} | ${pct(median(all((r) => r.modelGapsPct)))} | ${pct(max(all((r) => r.modelGapsPct)))} | ${off(all((r) => r.modelGapsPct))} | ${rows.reduce((s, r) => s + r.rises, 0)} |`,
    '',
  ];
}
