// Backtest of "Plan the ladder" (src/core/plan/ladder.ts) for `npm run validate`: on published
// grids in ../shared/data, hide the largest run as the target; choose runs of the grid's smaller
// runs within a ladder budget (a fraction of the target's compute), fit the family's Chinchilla law
// on them (the engine's fitCrossRun) and score the prediction of the target's loss as the lens
// shows it (familyModel: the calibrated interval at least the distance floor from the largest
// picked run): error, whether the 80% interval covers it, its width. Strategies:
//  - planner: planLadder one run at a time among the unpicked grid runs, refitting after each
//    (the first run of its budgeted greedy plan, linearised at the current fit);
//  - IsoFLOP recipe: the empty-family recipe at that budget (recipeSpecs), each run mapped to the
//    nearest unpicked grid run (log N, log D);
//  - random: grid runs in a seeded random order, each taken while it fits the budget (5 seeds);
//  - largest-first: the largest-compute runs that fit the budget.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { fitCrossRun, predictCrossRun, type CrossRunFit, type CrossRunPoint } from '../src/core/fit/crossRun';
import { maxOf } from '../src/shared/arrays';
import { familyModel } from '../src/core/plan/familyModel';
import { planLadder, recipeSpecs } from '../src/core/plan/ladder';
import { referenceParams } from '../src/core/fit/crossRunLaw';
import { chinchillaLaw } from '../src/core/laws/chinchilla';
import { approxTrainingFlops } from '../src/core/laws/trainingCompute';
import { mulberry32 } from '../src/core/fit/random';

export interface GridRun {
  runId: string;
  params: number;
  tokens: number;
  loss: number;
}

export interface BacktestGrid {
  name: string;
  target: GridRun;
  pool: GridRun[];
}

export interface BacktestScore {
  grid: string;
  strategy: string;
  /** Ladder budget as a fraction of the target's compute. */
  fraction: number;
  runs: number;
  /** Ladder compute used over the target's compute. */
  usedFraction: number;
  predicted: number;
  interval: [number, number];
  truth: number;
  errorPct: number;
  covered: boolean;
  /** (hi − lo) / predicted of the calibrated 80% interval. */
  widthPct: number;
  /** Target compute over the largest picked run's (the distance the floor is taken at). */
  computeRatio: number;
  /** The fit's own interval (bootstrap × the crossRun multiplier), before the distance floor. */
  fitInterval: [number, number];
  /** The picked runs' ids, in the order picked. */
  picked: string[];
}

export const LADDER_FRACTIONS = [0.003, 0.01, 0.03, 0.1, 0.3];
export const RANDOM_SEEDS = [1, 2, 3, 4, 5];
/** Resamples of the planner's refit after each pick (its interval "now"; the scores use the validation's count). */
const PLANNER_RESAMPLES = 20;

function readCsv(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

const flopsOf = (r: { params: number; tokens: number }) => approxTrainingFlops(r.params, r.tokens);

/** Gadre et al.: per data set, the 6.9B run is the target, the runs under 1B the pool (loss_c4_val). */
function gadreGrids(dataRoot: string): BacktestGrid[] {
  const file = path.join(dataRoot, 'gadre-overtraining-104', 'models_flat.csv');
  if (!fs.existsSync(file)) return [];
  const rows = readCsv(file);
  const out: BacktestGrid[] = [];
  for (const ds of [...new Set(rows.map((r) => r.dataset))].sort()) {
    const runs = rows
      .filter((r) => r.dataset === ds)
      .map((r) => ({ runId: r.name, params: Number(r.params), tokens: Number(r.tokens), loss: Number(r.loss_c4_val) }))
      .filter((r) => r.params > 0 && r.tokens > 0 && r.loss > 0);
    const target = runs.reduce((a, b) => (flopsOf(b) > flopsOf(a) ? b : a));
    out.push({ name: `gadre ${ds}`, target, pool: runs.filter((r) => r.params < 1e9) });
  }
  return out;
}

/** Porian et al.: per configuration, the best run of the largest budget is the target; budgets ≤ 1.6e18 the pool. */
function porianGrids(dataRoot: string): BacktestGrid[] {
  const file = path.join(dataRoot, 'porian-isoflop', 'isoflop_points.csv');
  if (!fs.existsSync(file)) return [];
  const rows = readCsv(file);
  // Four configurations on both data sets, from the paper's original (Kaplan-style) to its fixed recipe.
  const wanted = [
    'summary_df/rw/base/long/kaplan/standard/val',
    'summary_df/rw/tuned/short/const/standard/val',
    'summary_df_owt2/owt2/base/short/chinchilla/standard/val',
    'summary_df_owt2/owt2/tuned/short/const/standard/val',
  ];
  const keyCols = ['source_file', 'dataset', 'hparams', 'warmup', 'decay', 'param_count', 'loss_source'];
  const out: BacktestGrid[] = [];
  for (const key of wanted) {
    const runs = rows
      .filter((r) => keyCols.map((k) => r[k]).join('/') === key)
      .map((r, i) => ({ runId: `${r.flops}-${i}`, params: Number(r.params), tokens: Number(r.tokens), loss: Number(r.loss), flops: Number(r.flops) }))
      .filter((r) => r.params > 0 && r.tokens > 0 && r.loss > 0);
    if (!runs.length) continue;
    const top = Math.max(...runs.map((r) => r.flops));
    const atTop = runs.filter((r) => r.flops === top);
    const target = atTop.reduce((a, b) => (b.loss < a.loss ? b : a));
    out.push({ name: `porian ${key.split('/').slice(1, 5).join('/')}`, target, pool: runs.filter((r) => r.flops <= 1.6e18 * 1.001) });
  }
  return out;
}

/** Step Law grid: each (N, D) setting's best run is one run; the largest (N, D) is the target, the smaller N the pool. */
function steplawGrids(dataRoot: string): BacktestGrid[] {
  const file = path.join(dataRoot, 'steplaw-lr-bs-grid', 'dense_lr_bs_loss.csv');
  if (!fs.existsSync(file)) return [];
  const best = new Map<string, GridRun>();
  for (const r of readCsv(file)) {
    const run = { runId: `N${r.N}-D${r.D}`, params: Number(r.N), tokens: Number(r.D), loss: Number(r['smooth loss']) };
    if (!(run.params > 0 && run.tokens > 0 && run.loss > 0)) continue;
    const b = best.get(run.runId);
    if (!b || run.loss < b.loss) best.set(run.runId, run);
  }
  const runs = [...best.values()];
  const maxN = Math.max(...runs.map((r) => r.params));
  const target = runs.filter((r) => r.params === maxN).reduce((a, b) => (flopsOf(b) > flopsOf(a) ? b : a));
  return [{ name: 'steplaw (best lr/batch per N, D; N non-embedding)', target, pool: runs.filter((r) => r.params < maxN) }];
}

export function backtestGrids(dataRoot: string): BacktestGrid[] {
  return [...gadreGrids(dataRoot), ...porianGrids(dataRoot), ...steplawGrids(dataRoot)];
}

function fit(runs: readonly GridRun[], resamples: number): CrossRunFit | undefined {
  const points: CrossRunPoint[] = runs.map((r) => ({ runId: r.runId, params: r.params, tokens: r.tokens, loss: r.loss }));
  const f = fitCrossRun(points, { seed: 1, resamples });
  return 'error' in f ? undefined : f;
}

/** The family model on these runs, as the lens predicts with it (the distance floor from the largest of them). */
function modelOf(f: CrossRunFit, runs: readonly GridRun[]) {
  return familyModel({ family: 'backtest', fit: f, runsUsed: runs.map((r) => r.runId), points: runs });
}

function within(order: readonly GridRun[], budget: number): GridRun[] {
  const out: GridRun[] = [];
  let spent = 0;
  for (const r of order) {
    const c = flopsOf(r);
    if (spent + c <= budget) {
      out.push(r);
      spent += c;
    }
  }
  return out;
}

/** The planner, one run at a time among the unpicked grid runs, refitting (no bootstrap) after each. */
function plannerPicks(grid: BacktestGrid, budget: number): GridRun[] {
  const picked: GridRun[] = [];
  let spent = 0;
  for (;;) {
    // With a bootstrap, as the family's fit has one in the product: the planner's "now" is then the
    // interval the lens would show on these runs (without one, only the linearised width).
    const current = picked.length ? fit(picked, PLANNER_RESAMPLES) : undefined;
    const left = grid.pool.filter((r) => !picked.includes(r));
    const plan = planLadder(
      {
        target: { kind: 'model', params: grid.target.params, tokens: grid.target.tokens },
        ladderBudget: { kind: 'flops', flops: budget - spent, text: 'rest' },
        runs: picked.map((r) => ({ runId: r.runId, params: r.params, tokens: r.tokens, loss: r.loss, status: 'finished' as const })),
        candidates: left,
      },
      current ? { fit: current, model: modelOf(current, picked) } : {},
    );
    if ('error' in plan) break;
    const next = plan.runs.find((r) => r.status === 'planned');
    if (!next) break;
    const run = left.find((r) => r.params === next.params && r.tokens === next.tokens);
    if (!run) break;
    picked.push(run);
    spent += flopsOf(run);
  }
  return picked;
}

/** The empty-family recipe at this budget, each run mapped to the nearest unpicked grid run. */
function recipePicks(grid: BacktestGrid, budget: number): GridRun[] {
  // The fixed baseline as first measured: three budgets, runs under 5M left out (the grids' runs
  // start at 5M–20M), not the product's 6-layer × 384 floor with whole budgets.
  const specs = recipeSpecs(referenceParams(chinchillaLaw), grid.target.params, grid.target.tokens, budget, 5e6, false);
  const picked: GridRun[] = [];
  for (const s of specs) {
    let best: GridRun | undefined;
    let bestD = Infinity;
    for (const r of grid.pool) {
      if (picked.includes(r)) continue;
      const d = Math.log(r.params / s.params) ** 2 + Math.log(r.tokens / s.tokens) ** 2;
      if (d < bestD) {
        bestD = d;
        best = r;
      }
    }
    if (best) picked.push(best);
  }
  // Nearest grid runs can cost more than the recipe's: keep the budget.
  return within(picked, budget);
}

function shuffled(runs: readonly GridRun[], seed: number): GridRun[] {
  const rng = mulberry32(seed);
  const a = runs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function score(grid: BacktestGrid, strategy: string, fraction: number, runs: readonly GridRun[], resamples: number): BacktestScore | undefined {
  if (runs.length === 0) return undefined;
  const f = fit(runs, resamples);
  if (!f) return undefined;
  const p = modelOf(f, runs).predict(grid.target.params, grid.target.tokens);
  const truth = grid.target.loss;
  const fitOnly = predictCrossRun(f, grid.target.params, grid.target.tokens);
  return {
    grid: grid.name,
    strategy,
    fraction,
    runs: runs.length,
    usedFraction: runs.reduce((s, r) => s + flopsOf(r), 0) / flopsOf(grid.target),
    predicted: p.value,
    interval: p.interval,
    truth,
    errorPct: (100 * Math.abs(p.value - truth)) / truth,
    covered: truth >= p.interval[0] && truth <= p.interval[1],
    widthPct: (100 * (p.interval[1] - p.interval[0])) / p.value,
    computeRatio: flopsOf(grid.target) / maxOf(runs.map(flopsOf)),
    fitInterval: fitOnly.interval,
    picked: runs.map((r) => r.runId),
  };
}

export function runLadderBacktest(grids: readonly BacktestGrid[], opts: { resamples: number; log?: (m: string) => void }): BacktestScore[] {
  const out: BacktestScore[] = [];
  for (const grid of grids) {
    const targetFlops = flopsOf(grid.target);
    for (const fraction of LADDER_FRACTIONS) {
      const budget = fraction * targetFlops;
      if (!grid.pool.some((r) => flopsOf(r) <= budget)) continue;
      const push = (s: BacktestScore | undefined) => s && out.push(s);
      push(score(grid, 'planner', fraction, plannerPicks(grid, budget), opts.resamples));
      push(score(grid, 'IsoFLOP recipe', fraction, recipePicks(grid, budget), opts.resamples));
      push(
        score(
          grid,
          'largest-first',
          fraction,
          within(
            [...grid.pool].sort((a, b) => flopsOf(b) - flopsOf(a)),
            budget,
          ),
          opts.resamples,
        ),
      );
      for (const seed of RANDOM_SEEDS) push(score(grid, `random (seed ${seed})`, fraction, within(shuffled(grid.pool, seed), budget), opts.resamples));
    }
    opts.log?.(`ladder backtest: ${grid.name} done`);
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = xs
    .filter(Number.isFinite)
    .slice()
    .sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const pct = (v: number, d = 2) => (Number.isFinite(v) ? `${v.toFixed(d)}%` : '–');

/** Strategy rows (random pooled over seeds) × budget columns: median error, coverage, median width. */
export function ladderBacktestMarkdown(scores: readonly BacktestScore[], grids: readonly BacktestGrid[]): string[] {
  const md: string[] = [];
  const strategies = ['planner', 'IsoFLOP recipe', 'random', 'largest-first'];
  const of = (s: BacktestScore) => (s.strategy.startsWith('random') ? 'random' : s.strategy);
  const fractions = LADDER_FRACTIONS.filter((f) => scores.some((s) => s.fraction === f));
  md.push('| strategy | ' + fractions.map((f) => `ladder ${pct(100 * f, f < 0.01 ? 1 : 0)} of target`).join(' | ') + ' |');
  md.push('|' + ' --- |'.repeat(fractions.length + 1));
  for (const st of strategies) {
    const cells = fractions.map((f) => {
      const l = scores.filter((s) => of(s) === st && s.fraction === f);
      if (!l.length) return '–';
      const cov = l.filter((s) => s.covered).length / l.length;
      return `${pct(median(l.map((s) => s.errorPct)))} err, ${pct(100 * cov, 0)} cov, ${pct(median(l.map((s) => s.widthPct)), 1)} wide (${l.length})`;
    });
    md.push(`| ${st} | ${cells.join(' | ')} |`);
  }
  md.push('');
  // Per grid: the error of each strategy at each budget (random: median over seeds).
  md.push('Per grid (target; median error over random seeds):', '');
  md.push('| grid (target N, D) | budget | planner | IsoFLOP recipe | random | largest-first |');
  md.push('| --- | --- | --- | --- | --- | --- |');
  for (const g of grids) {
    for (const f of fractions) {
      const l = scores.filter((s) => s.grid === g.name && s.fraction === f);
      if (!l.length) continue;
      const cell = (st: string) => {
        const m = l.filter((s) => of(s) === st);
        if (!m.length) return '–';
        const e = median(m.map((s) => s.errorPct));
        const runs = median(m.map((s) => s.runs));
        return `${pct(e)}${m.length === 1 ? (m[0].covered ? ' ✓' : ' ✗') : ''} (${runs.toFixed(0)} runs)`;
      };
      md.push(
        `| ${g.name} (${(g.target.params / 1e9).toPrecision(2)}B, ${(g.target.tokens / 1e9).toPrecision(3)}B) | ${pct(100 * f, f < 0.01 ? 1 : 0)} | ${strategies.map(cell).join(' | ')} |`,
      );
    }
  }
  md.push('');
  return md;
}

/**
 * Ladder compute each strategy needs to bring the target's error to `maxErrorPct` and keep it there
 * at every larger budget tried (random: median over seeds); `–` when no budget tried does.
 */
export function computeToReach(scores: readonly BacktestScore[], grids: readonly BacktestGrid[], maxErrorPct: number): string[] {
  const strategies = ['planner', 'IsoFLOP recipe', 'random', 'largest-first'];
  const md = [`| grid | ${strategies.map((s) => `${s}: budget to ≤ ${maxErrorPct}%`).join(' | ')} |`, `|${' --- |'.repeat(strategies.length + 1)}`];
  const reach = (l: readonly BacktestScore[]): number => {
    const byF = [...l].sort((a, b) => a.fraction - b.fraction);
    for (let i = 0; i < byF.length; i++) if (byF.slice(i).every((s) => s.errorPct <= maxErrorPct)) return byF[i].fraction;
    return NaN;
  };
  const wins = new Map(strategies.map((s) => [s, 0]));
  for (const g of grids) {
    const here = scores.filter((s) => s.grid === g.name);
    const cells = strategies.map((st) => {
      if (st === 'random')
        return median(
          RANDOM_SEEDS.map((seed) => reach(here.filter((s) => s.strategy === `random (seed ${seed})`))).map((v) => (Number.isFinite(v) ? v : Infinity)),
        );
      return reach(here.filter((s) => s.strategy === st));
    });
    const best = Math.min(...cells.map((v) => (Number.isFinite(v) ? v : Infinity)));
    cells.forEach((v, i) => {
      if (Number.isFinite(best) && v === best) wins.set(strategies[i], wins.get(strategies[i])! + 1);
    });
    md.push(`| ${g.name} | ${cells.map((v) => (Number.isFinite(v) ? pct(100 * v, v < 0.01 ? 1 : 0) : '–')).join(' | ')} |`);
  }
  md.push('', `Least compute (ties counted for each): ${strategies.map((s) => `${s} ${wins.get(s)}`).join(', ')} of ${grids.length} grids.`, '');
  return md;
}

/** Win counts of the planner against each baseline (lower error on the same grid and budget; random: median over seeds). */
export function plannerWins(scores: readonly BacktestScore[]): { baseline: string; wins: number; losses: number; ties: number }[] {
  const of = (s: BacktestScore) => (s.strategy.startsWith('random') ? 'random' : s.strategy);
  const out: { baseline: string; wins: number; losses: number; ties: number }[] = [];
  for (const b of ['IsoFLOP recipe', 'random', 'largest-first']) {
    let wins = 0,
      losses = 0,
      ties = 0;
    const keys = [...new Set(scores.map((s) => `${s.grid}|${s.fraction}`))];
    for (const k of keys) {
      const here = scores.filter((s) => `${s.grid}|${s.fraction}` === k);
      const p = here.find((s) => s.strategy === 'planner');
      const other = here.filter((s) => of(s) === b);
      if (!p || !other.length) continue;
      const e = median(other.map((s) => s.errorPct));
      if (Math.abs(p.errorPct - e) < 0.05) ties++;
      else if (p.errorPct < e) wins++;
      else losses++;
    }
    out.push({ baseline: b, wins, losses, ties });
  }
  return out;
}

/** The data set a grid's runs come from: Porian et al.'s configurations on one data set are one (the calibration leaves a data set out). */
function dataSetOf(grid: string): string {
  return grid.startsWith('porian ') ? grid.split('/')[0] : grid.split(' (')[0];
}

/** What a case needs of the factor on its interval's log half-width (on the truth's side) to be covered. */
function need(s: BacktestScore): number {
  const side = s.truth > s.predicted ? Math.log(s.interval[1] / s.predicted) : Math.log(s.predicted / s.interval[0]);
  const miss = Math.abs(Math.log(s.truth / s.predicted));
  return miss === 0 ? 0 : side > 0 ? miss / side : Infinity;
}

/** The 80th percentile of the needs, each data set weighing the same, rounded up to two digits. */
function deriveFactor(cases: readonly BacktestScore[], level = 0.8): number {
  const groups = new Map<string, number[]>();
  for (const s of cases) groups.set(dataSetOf(s.grid), [...(groups.get(dataSetOf(s.grid)) ?? []), need(s)]);
  const weighted = [...groups.values()].flatMap((ns) => ns.map((n) => ({ n, w: 1 / ns.length / groups.size }))).sort((a, b) => a.n - b.n);
  let acc = 0;
  for (const { n, w } of weighted) {
    acc += w;
    if (acc >= level - 1e-12) return Math.ceil(n * 100) / 100;
  }
  return NaN;
}

/** The case's interval with its log half-widths times `factor` (as ladder.ts ladderCalibrated shows it). */
function narrowedCase(s: BacktestScore, factor: number): BacktestScore {
  const lo = s.predicted * (s.predicted / s.interval[0]) ** -factor;
  const hi = s.predicted * (s.interval[1] / s.predicted) ** factor;
  return { ...s, interval: [lo, hi], covered: s.truth >= lo && s.truth <= hi, widthPct: (100 * (hi - lo)) / s.predicted };
}

interface LadderCalibration {
  /** The factor derived on every data set's planner cases. */
  derived: number;
  /** Per data set left out: the factor from the others, and the planner's cases scored with it. */
  heldOut: { dataSet: string; factor: number; cases: BacktestScore[] }[];
}

/**
 * The ladder's interval calibration (ladder.ts LADDER_INTERVAL_FACTOR): on the planner's cases, the
 * factor on the lens interval's log half-widths that covers 80% of them, derived on all data sets
 * and, for the check, on all but each one in turn (its cases scored with the others' factor).
 */
function ladderCalibration(scores: readonly BacktestScore[]): LadderCalibration {
  const planner = scores.filter((s) => s.strategy === 'planner');
  const sets = [...new Set(planner.map((s) => dataSetOf(s.grid)))];
  return {
    derived: deriveFactor(planner),
    heldOut: sets.map((dataSet) => {
      const factor = deriveFactor(planner.filter((s) => dataSetOf(s.grid) !== dataSet));
      return { dataSet, factor, cases: planner.filter((s) => dataSetOf(s.grid) === dataSet).map((s) => narrowedCase(s, factor)) };
    }),
  };
}

/** The planner's own interval (the lens's × the factor held out) against the lens's, per data set and pooled. */
export function ladderCalibrationMarkdown(scores: readonly BacktestScore[], inUse: number): string[] {
  const cal = ladderCalibration(scores);
  const lens = scores.filter((s) => s.strategy === 'planner');
  const row = (name: string, factor: string, l: readonly BacktestScore[]) => {
    const err = median(l.map((s) => s.errorPct));
    const width = median(l.map((s) => s.widthPct));
    return `| ${name} | ${l.length} | ${factor} | ${pct((100 * l.filter((s) => s.covered).length) / l.length, 0)} | ${pct(err)} | ${pct(width, 1)} | ${(width / err).toFixed(1)}× |`;
  };
  const all = cal.heldOut.flatMap((h) => h.cases);
  return [
    `The planner's own interval: the plan shows the target's interval after its runs narrowed ×${inUse} in log half-width (\`LADDER_INTERVAL_FACTOR\` in ladder.ts; derived now from every data set: ×${cal.derived}), since its ladders miss by less than the lens's interval (calibrated on whole ladders) allows. Below, each data set's planner cases with the factor derived from the other data sets' (held out), against the lens's interval on the same picks. A well-calibrated 80% interval is about 3.8× the median error wide (1.28 σ each side over a median |error| of 0.67 σ).`,
    '',
    '| planner cases | cases | factor (held out) | 80% coverage | median error | median width | width / median error |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row("all, the lens's interval", '1 (none)', lens),
    row('all, held out', 'per data set', all),
    ...cal.heldOut.map((h) => row(h.dataSet, `×${h.factor}`, h.cases)),
    '',
  ];
}
