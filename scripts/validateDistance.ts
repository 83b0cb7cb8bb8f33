// `npm run validate`, "Extrapolation distance": leave-largest-out backtests of a family's
// Chinchilla fit (fitCrossRun, the product's own path) on the shared ladders, cut at a compute and
// predicting every larger run, so each case has a distance: the target's compute 6·N·D over that
// of the largest fitted run. They measure how the error grows with that distance, which sets
// CROSS_RUN_DISTANCE_FLOOR (calibration.ts): an error floor f·ln(ratio) under the interval. The
// floor is derived from all ladders and checked leave-one-data-set-out (f from the other data
// sets, coverage on the held-out one), per distance bucket.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { fitCrossRun, predictCrossRun, type CrossRunPoint } from '../src/core/fit/crossRun';
import { CROSS_RUN_DISTANCE_FLOOR, crossRunDistanceFloor, floorInterval } from '../src/core/fit/calibration';

const showFloor = (f: Floor) => `${f.base.toFixed(4)} + ${f.perLn.toFixed(4)}·ln r`;

export interface DistanceCase {
  /** Data set the calibration leaves out as one (a ladder's training data). */
  group: string;
  label: string;
  /** Target compute over the largest fitted run's (6·N·D). */
  ratio: number;
  truth: number;
  predicted: number;
  /** The interval the engine reports without the distance floor (bootstrap × multiplier). */
  interval: [number, number];
  errorPct: number;
  fittedRuns: number;
}

const BUCKETS: [number, number][] = [
  [1, 2],
  [2, 5],
  [5, 10],
  [10, 30],
  [30, 100],
  [100, 1000],
];

function readCsv(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

interface Ladder {
  group: string;
  name: string;
  runs: CrossRunPoint[];
  /** Targets may differ from the training runs (e.g. only near-optimal points of a held-out budget). */
  targets?: CrossRunPoint[];
  /** Fit on runs with compute ≤ each cut. */
  cuts: number[];
}

const flopsOf = (p: { params: number; tokens: number }) => 6 * p.params * p.tokens;

function ladders(dataRoot: string, notes: string[]): Ladder[] {
  const out: Ladder[] = [];
  const gadre = path.join(dataRoot, 'gadre-overtraining-104', 'models_flat.csv');
  if (fs.existsSync(gadre)) {
    const rows = readCsv(gadre);
    for (const ds of [...new Set(rows.map((r) => r.dataset))].sort()) {
      const runs = rows
        .filter((r) => r.dataset === ds)
        .map((r) => ({ runId: r.name, params: Number(r.params), tokens: Number(r.tokens), loss: Number(r.loss_c4_val) }))
        .filter((r) => r.params > 0 && r.tokens > 0 && r.loss > 0);
      out.push({ group: `gadre-${ds}`, name: `Gadre ${ds}`, runs, cuts: [1e18, 1e19, 1e20] });
    }
  } else notes.push('distance: gadre-overtraining-104 not found; skipped');
  const porian = path.join(dataRoot, 'porian-isoflop', 'isoflop_points.csv');
  if (fs.existsSync(porian)) {
    const keyCols = ['source_file', 'dataset', 'hparams', 'warmup', 'decay', 'param_count', 'loss_source'];
    const byConfig = new Map<string, { dataset: string; runs: CrossRunPoint[] }>();
    readCsv(porian).forEach((r, i) => {
      const key = keyCols.map((k) => r[k]).join('/');
      const p = { runId: `${key}#${i}`, params: Number(r.params), tokens: Number(r.tokens), loss: Number(r.loss) };
      if (!(p.params > 0 && p.tokens > 0 && p.loss > 0)) return;
      const c = byConfig.get(key) ?? { dataset: r.dataset, runs: [] };
      c.runs.push(p);
      byConfig.set(key, c);
    });
    for (const [key, { dataset, runs }] of byConfig) {
      // Targets: the near-optimal runs of each budget (within 1% of its best loss), the sizes a
      // planner proposes; an IsoFLOP curve's far wings are not what the product predicts.
      const best = new Map<number, number>();
      for (const p of runs) best.set(Math.round(Math.log2(flopsOf(p))), Math.min(best.get(Math.round(Math.log2(flopsOf(p)))) ?? Infinity, p.loss));
      const targets = runs.filter((p) => p.loss <= 1.01 * (best.get(Math.round(Math.log2(flopsOf(p)))) ?? Infinity));
      out.push({ group: `porian-${dataset}`, name: `Porian ${key}`, runs, targets, cuts: [2.01e17, 1.61e18] });
    }
  } else notes.push('distance: porian-isoflop not found; skipped');
  const steplaw = path.join(dataRoot, 'steplaw-lr-bs-grid', 'dense_lr_bs_loss.csv');
  if (fs.existsSync(steplaw)) {
    // Each (N, D) setting's best loss over its lr × batch grid: one run of a tuned ladder.
    const best = new Map<string, CrossRunPoint>();
    for (const r of readCsv(steplaw)) {
      const p = { runId: `${r.N}/${r.D}`, params: Number(r.N), tokens: Number(r.D), loss: Number(r['smooth loss']) };
      if (!(p.params > 0 && p.tokens > 0 && p.loss > 0)) continue;
      const b = best.get(p.runId);
      if (!b || p.loss < b.loss) best.set(p.runId, p);
    }
    const runs = [...best.values()].sort((a, b) => flopsOf(a) - flopsOf(b));
    // Cuts after the 6th and 9th smallest settings (the grid spans 31× in compute).
    const cuts = [5, 8].filter((i) => i < runs.length - 1).map((i) => flopsOf(runs[i]) * 1.001);
    out.push({ group: 'steplaw', name: 'Step Law grid (best loss per setting)', runs, cuts });
  } else notes.push('distance: steplaw-lr-bs-grid not found; skipped');
  return out;
}

/** Every leave-largest-out case of every ladder and cut. */
export function distanceBacktests(dataRoot: string, opts: { resamples: number; budgetMs: number; log: (m: string) => void }, notes: string[]): DistanceCase[] {
  const cases: DistanceCase[] = [];
  for (const ladder of ladders(dataRoot, notes)) {
    for (const cut of ladder.cuts) {
      const train = ladder.runs.filter((p) => flopsOf(p) <= cut);
      if (new Set(train.map((p) => `${p.params}/${p.tokens}`)).size < 4) continue;
      const largest = Math.max(...train.map(flopsOf));
      const targets = (ladder.targets ?? ladder.runs).filter((p) => flopsOf(p) > cut && flopsOf(p) / largest > 1.05);
      if (!targets.length) continue;
      const fit = fitCrossRun(train, { seed: 1, resamples: opts.resamples, deadline: performance.now() + opts.budgetMs });
      if ('error' in fit) {
        notes.push(`distance: ${ladder.name} cut ${cut.toExponential(2)}: ${fit.error}`);
        continue;
      }
      for (const t of targets) {
        const pred = predictCrossRun(fit, t.params, t.tokens);
        cases.push({
          group: ladder.group,
          label: `${ladder.name} ≤${cut.toExponential(1)} → ${t.params.toExponential(2)}×${t.tokens.toExponential(2)}`,
          ratio: flopsOf(t) / largest,
          truth: t.loss,
          predicted: pred.value,
          interval: pred.interval,
          errorPct: (100 * Math.abs(pred.value - t.loss)) / t.loss,
          fittedRuns: fit.runIds.length,
        });
      }
    }
    opts.log(`distance: ${ladder.name}: ${cases.filter((c) => c.label.startsWith(ladder.name)).length} cases`);
  }
  return cases;
}

type Floor = { base: number; perLn: number };

/** Floor (log half-width) this case needs to be covered: 0 when its interval covers it already. */
function needed(c: DistanceCase): number {
  const lo = Math.min(c.interval[0], c.predicted);
  const hi = Math.max(c.interval[1], c.predicted);
  if (c.truth >= lo && c.truth <= hi) return 0;
  return Math.abs(Math.log(c.truth) - Math.log(c.predicted));
}

function coveredWith(c: DistanceCase, floor: Floor): boolean {
  const [lo, hi] = floorInterval(c.predicted, c.interval, crossRunDistanceFloor(c.ratio, floor), true);
  return c.truth >= lo && c.truth <= hi;
}

/** Weighted 80th percentile of what the cases need, each data set weighing the same. */
function quantileNeeded(cs: readonly DistanceCase[], level: number): number {
  const groups = new Map<string, number>();
  for (const c of cs) groups.set(c.group, (groups.get(c.group) ?? 0) + 1);
  const items = cs.map((c) => ({ m: needed(c), w: 1 / (groups.size * (groups.get(c.group) ?? 1)) })).sort((a, b) => a.m - b.m);
  let acc = 0;
  for (const it of items) {
    acc += it.w;
    if (acc >= level - 1e-12) return it.m;
  }
  return items.length ? items[items.length - 1].m : NaN;
}

/**
 * The floor base + perLn·ln r from the cases: per distance bucket (≥ 10 cases) the weighted 80th
 * percentile of the floor needed, at the bucket's median ln r; a least-squares line through them
 * (base ≥ 0, perLn ≥ 0); the ramp below 2× is the engine's (crossRunDistanceFloor).
 */
export function deriveDistanceFloor(cs: readonly DistanceCase[], level = 0.8): Floor {
  const pts: { x: number; y: number }[] = [];
  for (const [lo, hi] of BUCKETS) {
    const b = cs.filter((c) => c.ratio > lo && c.ratio <= hi);
    if (b.length < 10) continue;
    const need = quantileNeeded(b, level);
    // The need at this bucket, seen through the ramp: the floor at its median distance must reach it.
    pts.push({ x: median(b.map((c) => Math.log(c.ratio))), y: need });
  }
  if (pts.length < 2) return { base: NaN, perLn: NaN };
  const mx = pts.reduce((s, p) => s + p.x, 0) / pts.length;
  const my = pts.reduce((s, p) => s + p.y, 0) / pts.length;
  const sxy = pts.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = pts.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const perLn = Math.max(0, sxx > 0 ? sxy / sxx : 0);
  return { base: Math.max(0, my - perLn * mx), perLn };
}

function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const pct = (v: number, d = 0) => (Number.isFinite(v) ? `${v.toFixed(d)}%` : '–');

/** The report's section: per distance bucket, error, coverage without / with the floor, held-out. */
export function distanceReport(cs: readonly DistanceCase[]): { md: string[]; derived: Floor; buckets: Record<string, unknown>[] } {
  const md: string[] = [];
  const derived = deriveDistanceFloor(cs);
  const groups = [...new Set(cs.map((c) => c.group))];
  // Leave one data set out: each case scored with the floor derived from the other data sets.
  const heldOut = new Map<string, Floor>(groups.map((g) => [g, deriveDistanceFloor(cs.filter((c) => c.group !== g))]));
  const widthPct = (c: DistanceCase, f: Floor) => {
    const [lo, hi] = floorInterval(c.predicted, c.interval, crossRunDistanceFloor(c.ratio, f), true);
    return (100 * (hi - lo)) / c.predicted;
  };
  const buckets: Record<string, unknown>[] = [];
  const rows: string[] = [];
  for (const [lo, hi] of BUCKETS) {
    const b = cs.filter((c) => c.ratio > lo && c.ratio <= hi);
    if (!b.length) continue;
    const frac = (f: (c: DistanceCase) => boolean) => (100 * b.filter(f).length) / b.length;
    const row = {
      bucket: `${lo}–${hi}×`,
      cases: b.length,
      dataSets: new Set(b.map((c) => c.group)).size,
      medianErrPct: median(b.map((c) => c.errorPct)),
      coverageWithoutFloor: frac((c) => coveredWith(c, { base: 0, perLn: 0 })),
      coverage: frac((c) => coveredWith(c, CROSS_RUN_DISTANCE_FLOOR)),
      coverageHeldOut: frac((c) => coveredWith(c, heldOut.get(c.group) ?? { base: NaN, perLn: NaN })),
      medianWidthPct: median(b.map((c) => widthPct(c, CROSS_RUN_DISTANCE_FLOOR))),
    };
    buckets.push(row);
    rows.push(
      `| ${row.bucket} | ${row.cases} | ${row.dataSets} | ${pct(row.medianErrPct, 2)} | ${pct(row.coverageWithoutFloor)} | ${pct(row.coverage)} | ${pct(row.coverageHeldOut)} | ${pct(row.medianWidthPct, 1)} |`,
    );
  }
  md.push("## Extrapolation distance: a family's larger runs, leave-largest-out", '');
  md.push(
    "Each ladder (Gadre et al. per training set, Porian et al. per configuration, Step Law's best loss per (N, D) setting) is cut at a compute; `fitCrossRun` (the product's family fit) on the runs below predicts every larger run (Porian: the runs within 1% of their budget's best loss). Distance = the target's 6·N·D over the largest fitted run's. " +
      `"without floor" = the interval the family fit gives (bootstrap × ${'multiplier'}); "with floor" = widened to at least ±floor(distance), floor = base·min(1, ln r / ln 2) + perLn·ln r = ${showFloor(CROSS_RUN_DISTANCE_FLOOR)} (CROSS_RUN_DISTANCE_FLOOR in calibration.ts; derived now: ${showFloor(derived)}); "held-out" = the floor derived without the case's data set. No SciPy baseline here (the Gadre and Porian sections above compare the fits themselves).`,
    '',
  );
  md.push(
    '| distance | cases | data sets | median err | 80% coverage without floor | with floor | held-out floor | median width |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  );
  md.push(
    `Held-out floors: ${groups.map((g) => `${g} ${showFloor(heldOut.get(g) ?? { base: NaN, perLn: NaN })}`).join('; ')}. At 16× the floor is ±${pct(100 * crossRunDistanceFloor(16), 1)}, at 100× ±${pct(100 * crossRunDistanceFloor(100), 1)}.`,
    '',
  );
  return { md, derived, buckets };
}
