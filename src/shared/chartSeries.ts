// What each dashboard chart shows, as plain series: the webview styles them into Chart.js datasets
// and the host writes the same series to CSV ("Export CSV" exports exactly what the chart shows).
// Pure, so the selection rules (family filter, hidden runs, seed groups, smoothing, log axes,
// restarts on the wall-time axis) are tested once.
import type { DashboardState, LadderOverlay, PlannedPoint, RunView, ScalingView, Snapshot, ValidationPoint } from './protocol';
import { stepToX, type StepToX } from './axes';
import { debiasedEma } from './smoothing';
import { formatInterval, formatLoss } from './format';

/** A drawn point; `step` (curves) and `text` (tooltips) travel along. A NaN `y` is a break in the line. */
export interface SeriesPoint {
  x: number;
  y: number;
  step?: number;
  text?: string;
}

export type CurveKind =
  'raw' | 'train' | 'eval' | 'fit_lower' | 'fit_upper' | 'fit' | 'forecast' | 'forecast_interval' | 'lr' | 'seed_lower' | 'seed_upper' | 'seed_mean';

export interface CurveSeries {
  kind: CurveKind;
  /** The run, or the seed group, the series belongs to. */
  id: string;
  name: string;
  /** The run whose colour the series takes. */
  colourRunId: string;
  points: SeriesPoint[];
}

/** The runs the curves and tables show: the chosen family only, and those matching the run list's search text. */
export function visibleRuns(snapshot: Snapshot, state: Pick<DashboardState, 'family'> & Partial<Pick<DashboardState, 'runFilter'>>): RunView[] {
  const text = state.runFilter?.trim().toLowerCase() ?? '';
  return snapshot.runs.filter(
    (r) => (!state.family || r.family === state.family) && (!text || r.name.toLowerCase().includes(text) || r.id.toLowerCase().includes(text)),
  );
}

/** A restart on the wall-time axis: the last logged step of one launch and the first of the next. */
export type StepGap = readonly [lastBefore: number, firstAfter: number];

/** The restarts of a run's wall clock as step gaps (see WallClock.restartSteps). */
export function wallGaps(run: Pick<RunView, 'display'>): StepGap[] {
  const wall = run.display.wall;
  if (!wall?.restartSteps) return [];
  return wall.restartSteps.map((first) => {
    const i = wall.steps.indexOf(first);
    return [i > 0 ? wall.steps[i - 1] : first, first] as const;
  });
}

/**
 * (step, value) pairs mapped to chart points: the x axis applied, values a log axis cannot show
 * (zero, negative) dropped, and on the wall-time axis a break (NaN) at each restart, so a crash and
 * its resume show as a gap rather than a line across the downtime. Steps strictly inside a gap
 * (a sampled fit between the two launches' logged steps) have no wall time and are left out.
 */
export function toPoints(
  steps: readonly number[],
  ys: readonly number[],
  toX: StepToX,
  opts: { xLog: boolean; yLog: boolean; gaps?: readonly StepGap[] },
): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  const gaps = opts.gaps ?? [];
  let previous: SeriesPoint | undefined;
  for (let i = 0; i < Math.min(steps.length, ys.length); i++) {
    const step = steps[i];
    if (gaps.some(([lo, hi]) => lo < step && step < hi)) continue;
    const x = toX(step);
    if (!Number.isFinite(x) || !Number.isFinite(ys[i]) || (opts.xLog && x <= 0) || (opts.yLog && ys[i] <= 0)) continue;
    const point = { x, y: ys[i], step };
    if (previous && gaps.some(([, hi]) => previous!.step! < hi && hi <= step)) out.push({ x: (previous.x + x) / 2, y: NaN });
    out.push(point);
    previous = point;
  }
  return out;
}

/**
 * The loss-curve chart: per shown run its raw and (debiased-EMA) smoothed train loss, eval points,
 * the fitted law with its band, and the learning rate; runs grouped by seed as mean and min–max.
 * `skippedRuns` are the runs the chosen x axis cannot place (no clock, no date, no tokens per step).
 */
export function curveSeries(snapshot: Snapshot, state: DashboardState): { series: CurveSeries[]; skipped: number; skippedRuns: RunView[] } {
  const series: CurveSeries[] = [];
  const yLog = state.yScale === 'logarithmic';
  const xLog = state.xScale === 'logarithmic';
  const grouped = new Set<string>();
  if (state.groupSeeds) for (const g of snapshot.seedGroups) for (const id of g.runIds) grouped.add(id);
  const skippedRuns: RunView[] = [];
  const runs = visibleRuns(snapshot, state).filter((r) => !state.hiddenRuns.includes(r.id));
  for (const run of runs) {
    const toX = stepToX(run, state.xAxis);
    if (!toX) {
      skippedRuns.push(run);
      continue;
    }
    const gaps = state.xAxis === 'wall' || state.xAxis === 'clock' ? wallGaps(run) : undefined;
    const pts = (steps: readonly number[], ys: readonly number[], logY = yLog) => toPoints(steps, ys, toX, { xLog, yLog: logY, gaps });
    const add = (kind: CurveKind, points: SeriesPoint[]) => series.push({ kind, id: run.id, name: run.name, colourRunId: run.id, points });
    const d = run.display;
    if (!grouped.has(run.id)) {
      // The raw curve stays visible, faintly, behind its smoothed line.
      if (state.smoothing > 0) add('raw', pts(d.steps, d.loss));
      add('train', pts(d.steps, state.smoothing > 0 ? debiasedEma(d.loss, state.smoothing) : d.loss));
    }
    if (d.evalSteps.length) add('eval', pts(d.evalSteps, d.evalLoss));
    if (d.fitSteps.length && !grouped.has(run.id)) {
      add('fit_lower', pts(d.fitSteps, d.fitLower));
      add('fit_upper', pts(d.fitSteps, d.fitUpper));
      add('fit', pts(d.fitSteps, d.fit));
    }
    // A live run forecast from its siblings: the dashed line is its own curve, so the number the
    // status bar, the table and the family model use is marked at the planned end, with its interval.
    const c = run.curve;
    if (c?.provenance === 'from siblings' && !grouped.has(run.id)) {
      const text = `${run.name}: forecast from siblings ${formatLoss(c.predictedFinal.value)} ${formatInterval(c.predictedFinal.interval)} at step ${c.targetStep}`;
      add(
        'forecast',
        pts([c.targetStep], [c.predictedFinal.value]).map((p) => ({ ...p, text })),
      );
      add('forecast_interval', pts([c.targetStep, c.targetStep], [...c.predictedFinal.interval]));
    }
    if (state.showLr && d.lrSteps.length) add('lr', pts(d.lrSteps, d.lr, false));
  }
  for (const g of state.groupSeeds ? snapshot.seedGroups : []) {
    const first = runs.find((r) => g.runIds.includes(r.id));
    const toX = first && stepToX(first, state.xAxis);
    if (!first || !toX) continue;
    const pts = (ys: readonly number[]) => toPoints(g.steps, ys, toX, { xLog, yLog });
    const add = (kind: CurveKind, points: SeriesPoint[]) => series.push({ kind, id: g.id, name: g.name, colourRunId: first.id, points });
    add('seed_lower', pts(g.lower));
    add('seed_upper', pts(g.upper));
    add('seed_mean', pts(state.smoothing > 0 ? debiasedEma(g.mean, state.smoothing) : g.mean));
  }
  return { series, skipped: skippedRuns.length, skippedRuns };
}

export type ScalingKind =
  'final' | 'held_out' | 'predicted' | 'not_in_fit' | 'law_lower' | 'law_upper' | 'law' | 'broken_law' | 'planned_law' | 'planned' | 'frontier';

/** A point of the scaling chart with its coordinates on every axis it can be drawn against. */
export interface ScalingPointOut {
  params: number;
  tokens: number;
  flops: number;
  loss: number;
  /** The 80% interval, for predictions. */
  interval?: [number, number];
  runId?: string;
  name?: string;
  /** Why the run is not in the family's fit (ScalingPoint.notInFit). */
  notInFit?: string;
  /** A planned point whose loss stands in for a law cut short by its budget (PlannedPoint.provisional): why; drawn without interval. */
  provisional?: string;
  /** A run's point: a final loss or a live run's forecast (ScalingPoint.kind); the latter may come without its interval yet. */
  kind?: ScalingView['points'][number]['kind'];
}

/** The tooltip of a run left out of the family's fit: its forecast (interval or not yet) or its last logged loss. */
export function notInFitTooltip(p: ScalingPointOut, exact: (v: number) => string): string {
  const value =
    p.kind === 'predicted'
      ? `predicted final ${exact(p.loss)} ${p.interval ? formatInterval(p.interval) : '(interval coming)'}`
      : `last logged loss ${exact(p.loss)}`;
  return `${value}; not in the fit: ${p.notInFit ?? ''}`;
}

export interface ScalingSeries {
  kind: ScalingKind;
  family: string;
  /** For the law line: the tokens per parameter it is drawn along; for `planned`: the config file. */
  note?: string;
  /** A line of a provisional family law (ScalingView.provisional: the law, frontier, broken law and path to the planned config): why, in a sentence. */
  provisional?: string;
  points: ScalingPointOut[];
}

/**
 * The scaling chart, per shown family: the finished runs' final losses (held-out one apart), live
 * runs' predicted finals with intervals, the law along the runs' tokens per parameter with its band,
 * the planned config (when it is of this family) and the compute-optimal frontier.
 */
export function scalingSeries(snapshot: Snapshot, state: Pick<DashboardState, 'family' | 'yScale'>, planned?: PlannedPoint): ScalingSeries[] {
  const out: ScalingSeries[] = [];
  const yLog = state.yScale === 'logarithmic';
  const views: ScalingView[] = snapshot.scaling.filter((v) => !state.family || v.family === state.family);
  for (const view of views) {
    // The law's lines say when the law is a provisional one (a first scan's); the runs' points are what they are.
    const lawKinds: ReadonlySet<ScalingKind> = new Set(['law', 'broken_law', 'planned_law', 'frontier']);
    const add = (kind: ScalingKind, points: ScalingPointOut[], note?: string) =>
      out.push({
        kind,
        family: view.family,
        points,
        ...(note !== undefined ? { note } : {}),
        ...(view.provisional !== undefined && lawKinds.has(kind) ? { provisional: view.provisional } : {}),
      });
    const run = (p: ScalingView['points'][number]): ScalingPointOut => ({
      params: p.params,
      tokens: p.tokens,
      flops: p.flops,
      loss: p.loss,
      runId: p.runId,
      name: p.name,
      kind: p.kind,
      ...(p.interval ? { interval: p.interval } : {}),
      ...(p.notInFit !== undefined ? { notInFit: p.notInFit } : {}),
    });
    const inFit = view.points.filter((p) => p.notInFit === undefined);
    add('final', inFit.filter((p) => p.kind === 'final' && !p.heldOut).map(run));
    const held = inFit.filter((p) => p.heldOut);
    if (held.length) add('held_out', held.map(run));
    const predicted = inFit.filter((p) => p.kind === 'predicted');
    if (predicted.length) add('predicted', predicted.map(run));
    // Runs the family's fit leaves out (`.scalinglens.yaml`, diverged), apart from those it was fitted to.
    const outside = view.points.filter((p) => p.notInFit !== undefined);
    if (outside.length) add('not_in_fit', outside.map(run));
    const line = view.lawLine;
    if (line) {
      const along = (ys: number[]) =>
        line.params.map((n, i) => ({ params: n, tokens: line.tokens[i], flops: line.flops[i], loss: ys[i] })).filter((p) => !yLog || p.loss > 0);
      const note = `D/N = ${line.tokensPerParam.toFixed(0)}`;
      // A provisional law (ScalingView.provisional) comes without its band.
      if (line.lower && line.upper) {
        add('law_lower', along(line.lower), note);
        add('law_upper', along(line.upper), note);
      }
      add('law', along(line.loss), note);
    }
    // Where the family bends, the broken law beside it (sent only then: core/fit/familyBrokenLaw.ts).
    const broken = view.brokenLine;
    if (broken?.loss.length)
      add(
        'broken_law',
        broken.params.map((n, i) => ({ params: n, tokens: broken.tokens[i], flops: broken.flops[i], loss: broken.loss[i] })).filter((p) => !yLog || p.loss > 0),
      );
    if (planned && planned.family === view.family) {
      const path = planned.lawPath;
      if (path)
        add(
          'planned_law',
          path.params.map((n, i) => ({ params: n, tokens: path.tokens[i], flops: path.flops[i], loss: path.loss[i] })).filter((p) => !yLog || p.loss > 0),
          `D/N = ${path.tokensPerParam.toFixed(0)}`,
        );
      const point = { params: planned.params, tokens: planned.tokens, flops: planned.flops, loss: planned.loss };
      add(
        'planned',
        [planned.provisional !== undefined ? { ...point, provisional: planned.provisional } : { ...point, interval: planned.interval }],
        planned.file,
      );
    }
    const f = view.frontier;
    if (f)
      add(
        'frontier',
        f.params.map((n, i) => ({ params: n, tokens: f.tokens[i], flops: f.flops[i], loss: f.loss[i] })),
      );
  }
  return out;
}

/** The ladder the scaling view draws: "Plan Experiments"'s last plan, unless the family filter shows another family. */
export function shownLadder(ladder: LadderOverlay | undefined, state: Pick<DashboardState, 'family'>): LadderOverlay | undefined {
  return ladder && (!state.family || ladder.family === state.family) ? ladder : undefined;
}

/** The validations the predicted-vs-actual chart shows: those of the chosen family. */
export function shownValidations(snapshot: Snapshot, state: Pick<DashboardState, 'family'>): ValidationPoint[] {
  const families = new Map(snapshot.runs.map((r) => [r.id, r.family]));
  return snapshot.validations.filter(
    (v) => !state.family || (v.kind === 'family-held-out' ? v.subject === state.family : families.get(v.runId) === state.family),
  );
}

/** The prefix lengths the predicted-vs-actual caption names (a run's curve fitted on its first 20, 30, 50%). */
const CAPTIONED_PREFIXES = ['prefix-20', 'prefix-30', 'prefix-50'];

/**
 * The predicted-vs-actual chart's groups, from the validations it plots (failed ones left out by the
 * caller): one per prefix length with points, in order, and the family held-out checks. A group
 * with no point is not drawn, so the legend lists only what the chart shows (an empty "first 20%"
 * read as a broken entry); colours are indexed over every prefix the caption names, so they do not
 * shift when one is empty.
 */
export function validationGroups(plotted: readonly ValidationPoint[]): {
  prefixes: { method: string; colourIndex: number; points: ValidationPoint[] }[];
  family: { colourIndex: number; points: ValidationPoint[] };
} {
  const methods = [...new Set([...CAPTIONED_PREFIXES, ...plotted.filter((v) => v.kind === 'curve-prefix').map((v) => v.method)])].sort(
    (a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')),
  );
  const prefixes = methods
    .map((method, colourIndex) => ({ method, colourIndex, points: plotted.filter((v) => v.kind === 'curve-prefix' && v.method === method) }))
    .filter((g) => g.points.length > 0);
  return { prefixes, family: { colourIndex: methods.length, points: plotted.filter((v) => v.kind === 'family-held-out') } };
}

// ---- CSV ------------------------------------------------------------------------------------

function field(value: string | number | undefined): string {
  if (value === undefined) return '';
  // Text from the workspace (run ids, family names) that a spreadsheet would run as a formula gets a
  // leading apostrophe (the OWASP advice for CSV injection); numbers are written as they are.
  const s = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: string[], rows: (string | number | undefined)[][]): string {
  return `${[header.join(','), ...rows.map((r) => r.map(field).join(','))].join('\n')}\n`;
}

const CURVE_CSV_NAMES: Record<CurveKind, string> = {
  raw: 'train_raw',
  train: 'train',
  eval: 'eval',
  fit_lower: 'fit_lower_80',
  fit_upper: 'fit_upper_80',
  fit: 'fit',
  forecast: 'forecast_from_siblings',
  forecast_interval: 'forecast_from_siblings_80',
  lr: 'lr',
  seed_lower: 'seed_min',
  seed_upper: 'seed_max',
  seed_mean: 'seed_mean',
};

const X_COLUMN = { step: 'x_step', tokens: 'x_tokens', flops: 'x_flops', wall: 'x_wall_hours', clock: 'x_unix_seconds' } as const;

/** The loss-curve chart as `run,series,step,x_<axis>,value` rows (the train series smoothed as drawn; breaks left out). */
export function curvesCsv(snapshot: Snapshot, state: DashboardState): string {
  const rows: (string | number | undefined)[][] = [];
  for (const s of curveSeries(snapshot, state).series) {
    const name =
      s.kind === 'train' && state.smoothing > 0
        ? `train_smoothed_${state.smoothing}`
        : s.kind === 'seed_mean' && state.smoothing > 0
          ? `seed_mean_smoothed_${state.smoothing}`
          : CURVE_CSV_NAMES[s.kind];
    for (const p of s.points) if (Number.isFinite(p.y)) rows.push([s.id, name, p.step, p.x, p.y]);
  }
  return csv(['run', 'series', 'step', X_COLUMN[state.xAxis], 'value'], rows);
}

/**
 * The scaling chart as `family,series,run,params,tokens,flops,loss,lower_80,upper_80,status,gpu_hours,usd`
 * rows; the last three are the ladder's (a run's status and cost; the target's cost, with its 80%
 * interval now and after the ladder as two rows).
 */
export function scalingCsv(snapshot: Snapshot, state: DashboardState, planned?: PlannedPoint, ladder?: LadderOverlay): string {
  const rows: (string | number | undefined)[][] = [];
  for (const s of scalingSeries(snapshot, state, planned)) {
    const named =
      s.kind === 'law' || s.kind === 'law_lower' || s.kind === 'law_upper' || s.kind === 'planned_law'
        ? `${s.kind.replace('lower', 'lower_80').replace('upper', 'upper_80')} (${s.note})`
        : s.kind;
    // A provisional law's lines (a first scan's) say so in the file as on the chart.
    const series = s.provisional !== undefined ? `${named} (provisional)` : named;
    for (const p of s.points)
      rows.push([
        s.family,
        series,
        p.runId ?? (s.kind === 'planned' ? s.note : undefined),
        p.params,
        p.tokens,
        p.flops,
        p.loss,
        p.interval?.[0],
        p.interval?.[1],
        undefined,
        undefined,
        undefined,
      ]);
  }
  const shown = shownLadder(ladder, state);
  if (shown) {
    for (const r of shown.runs)
      rows.push([shown.family, 'ladder_run', r.id, r.params, r.tokens, r.flops, r.loss, undefined, undefined, r.status, r.gpuHours, r.usd]);
    const t = shown.target;
    const target = (series: string, interval: readonly [number, number]) =>
      rows.push([shown.family, series, t.label, t.params, t.tokens, t.flops, t.loss, interval[0], interval[1], 'target', t.gpuHours, t.usd]);
    if (t.now) target('ladder_target_now', t.now);
    target('ladder_target_after', t.planned);
  }
  return csv(['family', 'series', 'run', 'params', 'tokens', 'flops', 'loss', 'lower_80', 'upper_80', 'status', 'gpu_hours', 'usd'], rows);
}

/** The predicted-vs-actual chart as one row per validation. */
export function validationCsv(snapshot: Snapshot, state: DashboardState): string {
  const rows = shownValidations(snapshot, state).map((v) => [v.kind, v.method, v.subject, v.runId, v.atStep, v.predicted, v.actual, v.errorPct]);
  return csv(['kind', 'method', 'subject', 'run', 'at_step', 'predicted', 'actual', 'error_pct'], rows);
}

/** What "Export CSV" writes for the view the user is looking at, and the file name it suggests. */
export function dashboardCsv(snapshot: Snapshot, state: DashboardState, planned?: PlannedPoint, ladder?: LadderOverlay): { fileName: string; text: string } {
  switch (state.view) {
    case 'curves':
      return { fileName: `scaling-lens-curves-${state.xAxis}.csv`, text: curvesCsv(snapshot, state) };
    case 'scaling':
      return { fileName: 'scaling-lens-scaling.csv', text: scalingCsv(snapshot, state, planned, ladder) };
    case 'validation':
      return { fileName: 'scaling-lens-validation.csv', text: validationCsv(snapshot, state) };
  }
}
