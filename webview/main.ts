// The dashboard webview: renders the snapshots the host sends (whole, then as deltas), keeps only
// UI state (setState), and computes nothing of its own beyond layout and display smoothing.
import {
  Chart,
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Tooltip,
  Legend,
  Filler,
  type ChartDataset,
  type ChartOptions,
  type TooltipItem,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { DashboardFocus, DashboardState, DashboardView, HostToWebview, PlannedPoint, RunColumn, RunView, Snapshot, ValidationPoint, WebviewToHost } from '../src/shared/protocol';
import { parseDashboardState } from '../src/shared/protocol';
import { formatCount, formatFlops, formatInterval, formatLoss } from '../src/shared/format';
import { applyDelta } from '../src/shared/dashboardDelta';
import { CURVE_X_TITLES, stepToX } from '../src/shared/axes';
import { curveSeries, scalingSeries, shownValidations, visibleRuns as shownRuns, type CurveSeries, type ScalingPointOut, type SeriesPoint } from '../src/shared/chartSeries';
import { formatClockHours, formatDuration } from '../src/shared/duration';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Filler, zoomPlugin);

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: DashboardState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** A drawn point; `step` and `text` travel along for the tooltip. */
type Pt = SeriesPoint;
type DS = ChartDataset<'line', Pt[]>;

const vscode = acquireVsCodeApi();
let state = parseDashboardState(vscode.getState());
let latest: Snapshot | undefined;
/** The config open in the editor, as the host last sent it. */
let planned: PlannedPoint | undefined;
/** Whether the last render drew the planned run. */
let plannedDrawn = false;
/** What a hover or lens link asked to pick out (a run, or the planned config), until the next link. */
let focus: DashboardFocus | undefined;
/** Whether the last render picked out `focus` (the run was there to draw, or the planned point was). */
let focusDrawn = false;
const charts: Partial<Record<DashboardView, Chart<'line', Pt[]>>> = {};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function highContrast(): boolean {
  return document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
}

function lightTheme(): boolean {
  return document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light');
}

/** A colour per group index, spread around the hue circle; darker on light themes so lines read. */
function hue(i: number, alpha = 1): string {
  return `hsla(${(i * 137.508) % 360}, ${highContrast() ? 100 : 70}%, ${lightTheme() ? 38 : 58}%, ${alpha})`;
}

function lineWidth(base: number): number {
  return highContrast() ? base + 1 : base;
}

// ---- selection and colours ------------------------------------------------------------------

function visibleRuns(snapshot: Snapshot): RunView[] {
  return shownRuns(snapshot, state);
}

function focusedRun(): string | undefined {
  return focus && 'runId' in focus ? focus.runId : undefined;
}

/** The value runs are coloured by; runs sharing it share a colour. */
function colourKey(run: RunView): string {
  switch (state.colourBy) {
    case 'run':
      return run.id;
    case 'family':
      return run.family;
    case 'params':
      return run.hyper.params !== undefined ? formatCount(run.hyper.params) : '?';
    case 'tokens':
      return run.hyper.tokens !== undefined ? formatCount(run.hyper.tokens) : '?';
    case 'peakLr':
      return run.hyper.peakLr !== undefined ? run.hyper.peakLr.toExponential(1) : '?';
  }
}

function colourIndex(snapshot: Snapshot): Map<string, number> {
  const keys = [...new Set(snapshot.runs.map(colourKey))].sort();
  const index = new Map(keys.map((k, i) => [k, i]));
  return new Map(snapshot.runs.map((r) => [r.id, index.get(colourKey(r)) ?? 0]));
}

// ---- formatting -----------------------------------------------------------------------------

/** Axis labels as counts (2M, 500k); on log axes only at 1, 2 and 5 of each decade. */
function tickLabel(value: number, log: boolean, kind: 'count' | 'flops' | 'hours' | 'loss'): string {
  // Losses span less than a decade: every tick the scale makes is worth a label.
  if (kind === 'loss') return Number(value.toPrecision(3)).toString();
  if (log && value > 0) {
    const mantissa = Math.round(value / Math.pow(10, Math.floor(Math.log10(value) + 1e-9)));
    if (![1, 2, 5].includes(mantissa)) return '';
  }
  if (kind === 'flops') return value.toExponential(0).replace('e+', 'e');
  // Short runs span seconds to minutes: '45 s', '12 min', '1.5 h' read better than 0:00.
  if (kind === 'hours') return value < 1 ? formatDuration(value * 3600) : `${Number(value.toPrecision(3))} h`;
  return formatCount(value).replace(/\.0+(?=[A-Za-z]?$)/, '');
}

/** Exact x values for tooltips: whole steps and tokens with separators, FLOPs in 4 digits, h:mm. */
function exactX(x: number): string {
  switch (state.xAxis) {
    case 'step':
    case 'tokens':
      return Math.round(x).toLocaleString('en-US');
    case 'flops':
      return x.toExponential(4);
    case 'wall':
      return `${formatClockHours(x)} h`;
  }
}

function exact(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v);
}

// ---- loss curves ----------------------------------------------------------------------------

function bandSets(label: string, lower: Pt[], upper: Pt[], colour: string): DS[] {
  // The band is the upper edge filled down to the lower edge (the dataset before it).
  return [
    { label: `${label} · band low`, data: lower, borderColor: 'transparent', pointRadius: 0, fill: false },
    { label: `${label} · band`, data: upper, borderColor: 'transparent', backgroundColor: colour, pointRadius: 0, fill: '-1' },
  ];
}

/** The shared series (src/shared/chartSeries.ts, also what "Export CSV" writes) styled as datasets. */
function curveSets(snapshot: Snapshot): { sets: DS[]; skipped: number } {
  const sets: DS[] = [];
  const colours = colourIndex(snapshot);
  const { series, skipped } = curveSeries(snapshot, state);
  const picked = focusedRun();
  // A picked-out run is drawn thicker, the others as they are.
  const width = (s: CurveSeries, base: number) => lineWidth(base) + (picked && s.id === picked ? 2 : 0);
  const lowers = new Map<string, Pt[]>();
  for (const s of series) {
    const c = colours.get(s.colourRunId) ?? 0;
    switch (s.kind) {
      case 'raw':
        sets.push({ label: `${s.name} · raw`, data: s.points, borderColor: hue(c, 0.25), borderWidth: 1, pointRadius: 0 });
        break;
      case 'train':
        sets.push({ label: `${s.name} · train`, data: s.points, borderColor: hue(c), backgroundColor: hue(c), borderWidth: width(s, 1.5), pointRadius: 0, pointStyle: 'line' });
        if (picked === s.id) focusDrawn = true;
        break;
      case 'eval':
        sets.push({ label: `${s.name} · eval`, data: s.points, borderColor: hue(c), backgroundColor: hue(c), borderWidth: 0, showLine: false, pointRadius: highContrast() ? 4 : 3, pointStyle: 'triangle' });
        break;
      case 'fit_lower':
      case 'seed_lower':
        lowers.set(s.id, s.points);
        break;
      case 'fit_upper':
        sets.push(...bandSets(s.name, lowers.get(s.id) ?? [], s.points, hue(c, highContrast() ? 0.3 : 0.15)));
        break;
      case 'seed_upper':
        sets.push(...bandSets(s.name, lowers.get(s.id) ?? [], s.points, hue(c, 0.2)));
        break;
      case 'fit':
        sets.push({ label: `${s.name} · fit`, data: s.points, borderColor: hue(c), borderDash: [6, 4], borderWidth: width(s, 1.5), pointRadius: 0 });
        break;
      case 'lr':
        sets.push({ label: `${s.name} · lr`, data: s.points, yAxisID: 'lr', borderColor: hue(c, 0.8), borderDash: [2, 3], borderWidth: 1, pointRadius: 0 });
        break;
      case 'seed_mean':
        sets.push({ label: `${s.name} · train mean`, data: s.points, borderColor: hue(c), backgroundColor: hue(c), borderWidth: lineWidth(2), pointRadius: 0, pointStyle: 'line' });
        if (picked && snapshot.seedGroups.some((g) => g.id === s.id && g.runIds.includes(picked))) focusDrawn = true;
        break;
    }
  }
  return { sets, skipped };
}

/** Entries hidden from the legend: they share the colour of the run's train line. */
const LEGEND_HIDDEN = / · (raw|fit|band|band low|lr|interval|focus)$/;

function baseOptions(fg: string, grid: string): ChartOptions<'line'> {
  return {
    animation: false,
    parsing: false,
    normalized: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', intersect: false },
    plugins: {
      legend: { labels: { color: fg, usePointStyle: true, filter: (item) => !LEGEND_HIDDEN.test(item.text ?? '') } },
      // Band edges are shading, not values to read (the fit line and the table give the numbers).
      tooltip: { filter: (item) => !/ · band( low)?$/.test(item.dataset.label ?? '') },
      zoom: {
        zoom: { drag: { enabled: true, borderColor: fg, borderWidth: 1, backgroundColor: 'rgba(128,128,128,0.15)' }, wheel: { enabled: true, modifierKey: 'ctrl' }, mode: 'xy' },
        pan: { enabled: true, modifierKey: 'shift', mode: 'xy' },
      },
    },
    scales: { x: { grid: { color: grid } }, y: { grid: { color: grid } } },
  };
}

/** Creates the chart, or swaps its data and scales in place keeping the user's zoom. */
function drawOn(view: DashboardView, sets: DS[], options: ChartOptions<'line'>): number {
  let chart = charts[view];
  if (!chart) {
    chart = new Chart<'line', Pt[]>($<HTMLCanvasElement>(view), { type: 'line', data: { datasets: sets }, options });
    charts[view] = chart;
  } else {
    const zoomed = chart.isZoomedOrPanned();
    const scales = options.scales as Record<string, { min?: number; max?: number }>;
    if (zoomed) {
      for (const id of ['x', 'y']) {
        const current = chart.scales[id];
        if (current && scales[id]) Object.assign(scales[id], { min: current.min, max: current.max });
      }
    }
    chart.data.datasets = sets;
    chart.options.scales = options.scales;
    chart.options.plugins = options.plugins;
    chart.update('none');
  }
  // The legend is drawn on the canvas; screen readers (and the end-to-end test) read it here.
  const canvas = $<HTMLCanvasElement>(view);
  const legend = sets.map((s) => s.label ?? '').filter((l) => l && !LEGEND_HIDDEN.test(l));
  canvas.setAttribute('aria-label', `${canvas.dataset.title ?? ''}. Legend: ${legend.join('; ') || 'nothing to draw'}`);
  return sets.reduce((n, s) => n + s.data.length, 0);
}

function colours(): { fg: string; grid: string } {
  return {
    fg: cssVar('--vscode-editor-foreground', '#ccc'),
    // High contrast: a neutral grid, so the contrast border colour stays for data and focus.
    grid: highContrast() ? (lightTheme() ? 'rgba(0,0,0,0.3)' : 'rgba(255,255,255,0.28)') : cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)'),
  };
}

function drawCurves(snapshot: Snapshot): { points: number; skipped: number } {
  const { sets, skipped } = curveSets(snapshot);
  const { fg, grid } = colours();
  const options = baseOptions(fg, grid);
  const xKind = state.xAxis === 'flops' ? 'flops' : state.xAxis === 'wall' ? 'hours' : 'count';
  const xLog = state.xScale === 'logarithmic';
  options.scales = {
    x: {
      type: state.xScale,
      title: { display: true, text: CURVE_X_TITLES[state.xAxis], color: fg },
      // 2.5B reads better than 2,500,000,000; log axes also get fewer, rounder labels.
      ticks: { color: fg, maxRotation: 0, autoSkipPadding: 12, callback: (value) => tickLabel(Number(value), xLog, xKind) },
      grid: { color: grid },
    },
    y: { type: state.yScale, title: { display: true, text: 'loss (nats)', color: fg }, ticks: { color: fg, callback: (value) => tickLabel(Number(value), state.yScale === 'logarithmic', 'loss') }, grid: { color: grid } },
    lr: { type: 'linear', display: state.showLr, position: 'right', title: { display: true, text: 'learning rate (dotted)', color: fg }, ticks: { color: fg }, grid: { drawOnChartArea: false } },
  };
  options.plugins!.tooltip = {
    ...options.plugins!.tooltip,
    callbacks: {
      label: (item: TooltipItem<'line'>) => {
        const p = item.raw as Pt;
        const series = item.dataset.label ?? '';
        const at = state.xAxis === 'step' ? `step ${exactX(p.x)}` : `${exactX(p.x)} (step ${p.step})`;
        return series.endsWith(' · lr') ? `${series}: ${p.y.toExponential(4)} at ${at}` : `${series}: ${exact(p.y)} at ${at}`;
      },
    },
  };
  return { points: drawOn('curves', sets, options), skipped };
}

// ---- scaling across runs ----------------------------------------------------------------------

const SCALING_TITLES = { params: 'parameters N', tokens: 'training tokens D', flops: 'training compute C = 6·N·D (FLOPs)' } as const;

function drawScaling(snapshot: Snapshot): number {
  const { fg, grid } = colours();
  const x = state.scalingX;
  const yLog = state.yScale === 'logarithmic';
  const families = [...new Set(snapshot.runs.map((r) => r.family))].sort();
  const sets: DS[] = [];
  const picked = focusedRun();
  const at = (p: ScalingPointOut, text: string): Pt => ({ x: p[x], y: p.loss, text: p.name ? `${p.name}: ${text}` : text });
  const lowers = new Map<string, Pt[]>();
  for (const s of scalingSeries(snapshot, state, planned)) {
    const c = Math.max(0, families.indexOf(s.family));
    switch (s.kind) {
      case 'final':
        sets.push({ label: `${s.family} · final loss`, data: s.points.map((p) => at(p, `final loss ${exact(p.loss)}`)), showLine: false, pointStyle: 'circle', pointRadius: 5, borderColor: hue(c), backgroundColor: hue(c) });
        break;
      case 'held_out':
        sets.push({ label: `${s.family} · held out`, data: s.points.map((p) => at(p, `final loss ${exact(p.loss)}, held out of the validation fit`)), showLine: false, pointStyle: 'rectRot', pointRadius: 8, borderColor: fg, borderWidth: 2, backgroundColor: hue(c) });
        break;
      case 'predicted':
        sets.push({ label: `${s.family} · predicted final (live)`, data: s.points.map((p) => at(p, `predicted final ${exact(p.loss)} ${p.interval ? formatInterval(p.interval) : ''}`)), showLine: false, pointStyle: 'circle', pointRadius: 5, borderColor: hue(c), backgroundColor: 'transparent', borderWidth: 2 });
        for (const p of s.points) {
          if (p.interval) sets.push({ label: `${p.name} · interval`, data: [{ x: p[x], y: p.interval[0] }, { x: p[x], y: p.interval[1] }], borderColor: hue(c, 0.7), borderWidth: lineWidth(1.5), pointRadius: 0 });
        }
        break;
      case 'law_lower':
        lowers.set(s.family, s.points.map((p) => ({ x: p[x], y: p.loss })));
        break;
      case 'law_upper':
        sets.push(...bandSets(`${s.family} law`, lowers.get(s.family) ?? [], s.points.map((p) => ({ x: p[x], y: p.loss })), hue(c, highContrast() ? 0.3 : 0.12)));
        break;
      case 'law':
        sets.push({ label: `${s.family} · law at ${s.note ?? ''}`, data: s.points.map((p) => ({ x: p[x], y: p.loss, text: `N ${formatCount(p.params)}, D ${formatCount(p.tokens)}: ${exact(p.loss)}` })), borderColor: hue(c), borderDash: [6, 4], borderWidth: lineWidth(1.5), pointRadius: 0, pointStyle: 'line' });
        break;
      case 'planned': {
        const p = s.points[0];
        const file = s.note ?? '';
        // Picked out by a link: a larger star, so the eye finds it among the runs.
        const isFocus = !!focus && 'planned' in focus && focus.planned === file;
        if (isFocus) focusDrawn = true;
        sets.push({ label: `planned: ${file}`, data: [{ x: p[x], y: p.loss, text: `planned ${file}: N ${formatCount(p.params)}, D ${formatCount(p.tokens)}, predicted ${exact(p.loss)} ${p.interval ? formatInterval(p.interval) : ''}` }], showLine: false, pointStyle: 'star', pointRadius: isFocus ? 16 : 10, borderWidth: isFocus ? 3 : 2, borderColor: fg, backgroundColor: fg });
        if (p.interval) sets.push({ label: `${file} · interval`, data: [{ x: p[x], y: p.interval[0] }, { x: p[x], y: p.interval[1] }], borderColor: fg, borderWidth: lineWidth(1.5), pointRadius: 0 });
        plannedDrawn = true;
        break;
      }
      case 'frontier':
        sets.push({
          label: `${s.family} · compute-optimal frontier`,
          data: s.points.map((p) => ({ x: p[x], y: p.loss, text: `optimal at ${formatFlops(p.flops)} FLOPs: N ${formatCount(p.params)}, D ${formatCount(p.tokens)}, loss ${exact(p.loss)}` })),
          borderColor: fg,
          borderWidth: lineWidth(1),
          pointRadius: 0,
          pointStyle: 'line',
        });
        break;
    }
    // A picked-out run's point gets a ring around it.
    const mine = picked ? s.points.find((p) => p.runId === picked) : undefined;
    if (mine && (s.kind === 'final' || s.kind === 'held_out' || s.kind === 'predicted')) {
      sets.push({ label: `${mine.name} · focus`, data: [at(mine, `picked out: ${exact(mine.loss)}`)], showLine: false, pointStyle: 'circle', pointRadius: 11, borderColor: fg, borderWidth: 2, backgroundColor: 'transparent' });
      focusDrawn = true;
    }
  }
  const options = baseOptions(fg, grid);
  options.scales = {
    x: { type: 'logarithmic', title: { display: true, text: SCALING_TITLES[x], color: fg }, ticks: { color: fg, maxRotation: 0, autoSkipPadding: 12, callback: (v) => tickLabel(Number(v), true, x === 'flops' ? 'flops' : 'count') }, grid: { color: grid } },
    y: { type: state.yScale, title: { display: true, text: 'final loss (nats)', color: fg }, ticks: { color: fg, callback: (v) => tickLabel(Number(v), yLog, 'loss') }, grid: { color: grid } },
  };
  options.interaction = { mode: 'nearest', intersect: true };
  options.plugins!.tooltip = { ...options.plugins!.tooltip, callbacks: { label: (item: TooltipItem<'line'>) => (item.raw as Pt).text ?? `${exact((item.raw as Pt).y)}` } };
  return drawOn('scaling', sets, options);
}

// ---- predicted versus actual ------------------------------------------------------------------

function validationText(v: ValidationPoint): string {
  return `${v.subject} (${v.method}${v.atStep !== undefined ? ` at step ${v.atStep}` : ''}): predicted ${exact(v.predicted)}, actual ${exact(v.actual)}, error ${v.errorPct.toFixed(2)}%`;
}

function drawValidation(snapshot: Snapshot): number {
  const { fg, grid } = colours();
  const shown = shownValidations(snapshot, state);
  // A validation that failed its sanity checks is listed with its reason, not plotted as a prediction.
  const all = shown.filter((v) => !v.failed);
  const yLog = state.yScale === 'logarithmic';
  const pt = (v: ValidationPoint): Pt => ({ x: v.actual, y: v.predicted, text: validationText(v) });
  const methods = [...new Set(all.filter((v) => v.kind === 'curve-prefix').map((v) => v.method))].sort();
  const family = all.filter((v) => v.kind === 'family-held-out');
  const values = all.flatMap((v) => [v.actual, v.predicted]).filter((v) => v > 0);
  const lo = values.length ? Math.min(...values) * 0.97 : 1;
  const hi = values.length ? Math.max(...values) * 1.03 : 10;
  const sets: DS[] = [
    // One colour per prefix length: a longer prefix should sit closer to the diagonal.
    ...methods.map((method, i): DS => ({ label: `run curve, ${method.replace('prefix-', 'first ')}% of points`, data: all.filter((v) => v.method === method).map(pt), showLine: false, pointStyle: 'circle', pointRadius: 5, borderColor: hue(i), backgroundColor: hue(i, 0.7) })),
    { label: 'family law without its largest run', data: family.map(pt), showLine: false, pointStyle: 'triangle', pointRadius: 8, borderColor: fg, borderWidth: 1.5, backgroundColor: hue(methods.length, 0.8) },
    { label: 'exact (predicted = actual)', data: [{ x: lo, y: lo, text: 'predicted = actual' }, { x: hi, y: hi, text: 'predicted = actual' }], borderColor: fg, borderDash: [4, 4], borderWidth: 1, pointRadius: 0, pointStyle: 'line' },
  ];
  const options = baseOptions(fg, grid);
  options.scales = {
    x: { type: state.yScale, title: { display: true, text: 'actual loss (nats)', color: fg }, ticks: { color: fg, callback: (v) => tickLabel(Number(v), yLog, 'loss') }, grid: { color: grid } },
    y: { type: state.yScale, title: { display: true, text: 'predicted loss (nats)', color: fg }, ticks: { color: fg, callback: (v) => tickLabel(Number(v), yLog, 'loss') }, grid: { color: grid } },
  };
  options.interaction = { mode: 'nearest', intersect: true };
  options.plugins!.tooltip = { ...options.plugins!.tooltip, callbacks: { label: (item: TooltipItem<'line'>) => (item.raw as Pt).text ?? '' } };
  const body = $<HTMLTableElement>('validations').tBodies[0];
  body.replaceChildren();
  for (const v of shown) {
    const row = body.insertRow();
    cell(row, v.subject);
    cell(row, v.method + (v.atStep !== undefined ? ` (step ${v.atStep})` : ''));
    cell(row, v.failed ? 'failed' : formatLoss(v.predicted), 'num').title = v.failed ?? '';
    cell(row, formatLoss(v.actual), 'num');
    cell(row, v.failed ? `failed: ${v.failed}` : `${v.errorPct.toFixed(2)}%`, 'num');
  }
  return drawOn('validation', sets, options);
}

// ---- tables -----------------------------------------------------------------------------------

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const STATUS_ORDER = { live: 0, finished: 1, failed: 2 } as const;

function sortKey(run: RunView, column: RunColumn): number | string {
  switch (column) {
    case 'name':
      return run.name;
    case 'status':
      return STATUS_ORDER[run.status];
    case 'params':
      return run.hyper.params ?? Infinity;
    case 'tokens':
      return run.hyper.tokens ?? Infinity;
    case 'lastStep':
      return run.lastStep ?? Infinity;
    case 'lastLoss':
      return run.lastLoss ?? Infinity;
    case 'predicted':
      return run.curve?.predictedFinal.value ?? Infinity;
    case 'error':
      return run.curve?.validation?.errorPct ?? Infinity;
    case 'eta':
      return run.eta?.seconds ?? Infinity;
  }
}

function sortedRuns(runs: RunView[]): RunView[] {
  const { column, descending } = state.sort;
  const sign = descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const ka = sortKey(a, column);
    const kb = sortKey(b, column);
    return sign * (ka < kb ? -1 : ka > kb ? 1 : 0) || a.id.localeCompare(b.id);
  });
}

const RUN_TABLE_COLUMNS = ['shown', 'name', 'family', 'status', 'params', 'tokens', 'lastStep', 'lastLoss', 'predicted', 'error', 'eta', 'law'];

function etaText(run: RunView): string {
  if (!run.eta) return '—';
  return run.eta.seconds === 0 ? 'at target' : formatDuration(run.eta.seconds);
}

function drawTables(snapshot: Snapshot): void {
  const body = $<HTMLTableElement>('runs').tBodies[0];
  body.replaceChildren();
  for (const button of document.querySelectorAll<HTMLButtonElement>('#runs th button')) {
    const active = button.dataset.column === state.sort.column;
    button.parentElement!.setAttribute('aria-sort', active ? (state.sort.descending ? 'descending' : 'ascending') : 'none');
  }
  const colours = colourIndex(snapshot);
  const runIds = new Set(snapshot.runs.map((r) => r.id));
  for (const run of sortedRuns(visibleRuns(snapshot))) {
    const row = body.insertRow();
    row.dataset.runId = run.id;
    const shown = row.insertCell();
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = !state.hiddenRuns.includes(run.id);
    box.setAttribute('aria-label', `show ${run.name} on the loss curves`);
    // Ids of runs that no longer exist are dropped here, so the persisted list stays as short as
    // the workspace's runs (the host rejects a state past 1,000 hidden runs).
    box.addEventListener('change', () => update({ hiddenRuns: box.checked ? state.hiddenRuns.filter((id) => id !== run.id) : [...state.hiddenRuns.filter((id) => runIds.has(id)), run.id] }));
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.setAttribute('aria-hidden', 'true');
    // Colours are data (one per run), so they go through the CSSOM, which the CSP allows.
    swatch.style.backgroundColor = hue(colours.get(run.id) ?? 0);
    shown.append(box, swatch);
    const name = row.insertCell();
    const link = document.createElement('a');
    link.href = '#';
    link.textContent = run.name;
    link.title = `Open ${run.files[0] ?? 'the log'}`;
    link.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'revealLog', runId: run.id });
    });
    name.append(link);
    cell(row, `${run.family}${run.familySource === 'guessed' ? ' (guessed)' : ''}${run.excluded ? ' · excluded from fits' : ''}`);
    // What went wrong (diverged, plateau) beside the status, the reason and events on hover.
    const health = run.health && run.health.state !== 'ok' ? run.health : undefined;
    const statusCell = cell(row, health ? `${run.status} · ${health.state}` : run.status, `status-${run.status}`);
    const events = run.health?.events.map((e) => e.note) ?? [];
    if (health || events.length) statusCell.title = [health?.reason, health?.excludeFromFits ? 'no finish forecast; left out of family fits' : undefined, ...events].filter(Boolean).join('\n');
    cell(row, run.hyper.params !== undefined ? formatCount(run.hyper.params) : '—', 'num');
    cell(row, run.hyper.tokens !== undefined ? formatCount(run.hyper.tokens) : '—', 'num');
    cell(row, run.lastStep !== undefined ? String(run.lastStep) : '—', 'num');
    cell(row, run.lastLoss !== undefined ? formatLoss(run.lastLoss) : '—', 'num');
    const final = run.curve?.predictedFinal;
    const fromSiblings = run.curve?.provenance === 'from siblings';
    const predicted = cell(row, final ? `${formatLoss(final.value)} ${formatInterval(final.interval)}${fromSiblings ? ' (siblings)' : ''}` : '—', 'num');
    if (run.curve) {
      predicted.title = fromSiblings
        ? `from siblings (${run.curve.siblings?.join(', ')}); this run alone: ${run.curve.alone ? `${formatLoss(run.curve.alone.value)} ${formatInterval(run.curve.alone.interval)}` : '—'}; fitted at step ${run.curve.fittedAtStep}`
        : `from this run alone; fitted at step ${run.curve.fittedAtStep}`;
    }
    const v = run.curve?.validation;
    cell(row, v && Number.isFinite(v.errorPct) ? `${v.errorPct.toFixed(2)}%` : v ? 'failed' : '—', 'num');
    const eta = cell(row, etaText(run), 'num');
    if (run.eta) eta.title = `${run.eta.stepsPerSecond.toPrecision(3)} steps/s since step ${run.eta.sinceStep} (${run.eta.source === 'log' ? 'the log\'s clock' : 'observed arrivals'})`;
    // A live run between refits (scalingLens.fit.liveRefitSeconds) shows the step its prediction was fitted at.
    const stale = run.curve && run.lastStep !== undefined && run.curve.fittedAtStep < run.lastStep ? `, fitted at step ${run.curve.fittedAtStep}` : '';
    cell(row, run.curve ? `${run.curve.lawId} from step ${Math.round(run.curve.firstStep)} → ${run.curve.targetStep}${stale}` : '—');
    // Cells named by column, so tests and styles need not count positions.
    [...row.cells].forEach((td, i) => (td.dataset.column = RUN_TABLE_COLUMNS[i]));
  }
  const families = $<HTMLTableElement>('families').tBodies[0];
  families.replaceChildren();
  for (const fam of snapshot.families.filter((f) => !state.family || f.family === state.family)) {
    const row = families.insertRow();
    cell(row, fam.guessed ? `${fam.family} (guessed)` : fam.family);
    cell(row, fam.fit?.lawId ?? '—');
    cell(row, `${fam.runIds.length}${fam.fit?.priorsUsed ? ' (with priors)' : ''}`, 'num');
    cell(row, fam.fit ? Object.entries(fam.fit.parameters).map(([k, p]) => `${k}=${p.value.toPrecision(3)} [${p.interval[0].toPrecision(3)}, ${p.interval[1].toPrecision(3)}]`).join(', ') : (fam.error ?? (fam.pending ? 'fitting…' : '—')));
    cell(row, fam.fit?.validation ? `${fam.fit.validation.method}: ${fam.fit.validation.errorPct.toFixed(2)}%` : '—');
  }
  const diags = $<HTMLUListElement>('diagnostics');
  diags.replaceChildren(
    ...snapshot.diagnostics.slice(0, 50).map((d) => {
      const li = document.createElement('li');
      li.textContent = `${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`;
      li.className = `diag-${d.severity}`;
      return li;
    }),
  );
}

// ---- controls and rendering -------------------------------------------------------------------

/** Options the data makes available: families to pick, x axes the runs can be drawn against. */
function syncControls(snapshot: Snapshot): void {
  const family = $<HTMLSelectElement>('family');
  const names = [...new Set(snapshot.runs.map((r) => r.family))].sort();
  const wanted = ['', ...names];
  if ([...family.options].map((o) => o.value).join('\n') !== wanted.join('\n')) {
    family.replaceChildren(
      ...wanted.map((name) => {
        const option = document.createElement('option');
        option.value = name;
        option.textContent = name || 'all';
        return option;
      }),
    );
  }
  family.value = names.includes(state.family) ? state.family : '';
  for (const option of $<HTMLSelectElement>('xaxis').options) {
    const axis = option.value as DashboardState['xAxis'];
    option.disabled = axis !== 'step' && !snapshot.runs.some((r) => stepToX(r, axis) !== undefined);
  }
  $<HTMLInputElement>('groupSeeds').disabled = snapshot.seedGroups.length === 0;
}

function render(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[role="tab"]')) {
    const selected = button.dataset.view === state.view;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`view-${button.dataset.view}`).hidden = !selected;
  }
  if (!latest) return;
  syncControls(latest);
  let drawn = 0;
  let note = '';
  plannedDrawn = false;
  focusDrawn = false;
  if (state.view === 'curves') {
    const { points, skipped } = drawCurves(latest);
    drawn = points;
    if (skipped) note = ` · ${skipped} without ${state.xAxis === 'wall' ? 'a logged clock' : state.xAxis === 'flops' ? 'parameters and tokens per step' : 'tokens per step'} not drawn`;
  } else if (state.view === 'scaling') {
    drawn = drawScaling(latest);
  } else {
    drawn = drawValidation(latest);
    note = ` · ${latest.validations.length} validations`;
  }
  drawTables(latest);
  const picked = markFocusedRow();
  const pickedPlanned = !picked && focus && 'planned' in focus && focusDrawn ? focus.planned : undefined;
  if (picked) note += ` · picked out: ${picked}`;
  else if (pickedPlanned) note += ` · picked out: planned ${pickedPlanned}`;
  const live = latest.runs.filter((r) => r.status === 'live').length;
  const fitting = latest.fitting > 0 ? ` · fitting ${latest.fitting}…` : '';
  $('status').textContent = `${latest.runs.length} runs (${live} live)${fitting}${note}`;
  const focusText = picked ? focusedRun()! : pickedPlanned ? `planned:${pickedPlanned}` : '';
  vscode.postMessage({ type: 'rendered', version: latest.version, runs: latest.runs.length, points: drawn, view: state.view, planned: plannedDrawn, focus: focusText });
}

/** A focus that arrived and was not yet shown: its row is scrolled to and flashed once. */
let flashPending = false;

/** Marks the picked-out run's table row (scrolled into view and flashed when the link just arrived); its name, or undefined. */
function markFocusedRow(): string | undefined {
  const id = focusedRun();
  if (!id) return undefined;
  const row = [...$<HTMLTableElement>('runs').tBodies[0].rows].find((r) => r.dataset.runId === id);
  if (!row) return undefined;
  row.classList.add('focused');
  row.setAttribute('aria-current', 'true');
  if (flashPending) {
    flashPending = false;
    row.scrollIntoView({ block: 'nearest' });
    row.classList.add('flash');
  }
  return latest?.runs.find((r) => r.id === id)?.name ?? id;
}

/** A link asked to pick out a run or the planned config: make sure it is shown (not hidden, not filtered out). */
function applyFocus(next: DashboardFocus): void {
  focus = next;
  flashPending = true;
  const id = focusedRun();
  const change: Partial<DashboardState> = {};
  if (id) {
    if (state.hiddenRuns.includes(id)) change.hiddenRuns = state.hiddenRuns.filter((r) => r !== id);
    const run = latest?.runs.find((r) => r.id === id);
    if (run && state.family && run.family !== state.family) change.family = '';
  } else if ('planned' in next && planned && state.family && planned.family !== state.family) {
    change.family = '';
  }
  update(change);
}

function update(change: Partial<DashboardState>): void {
  // A new axis or scale makes the old zoom meaningless.
  if (['xAxis', 'xScale', 'yScale', 'scalingX', 'view'].some((k) => k in change)) for (const chart of Object.values(charts)) chart?.resetZoom('none');
  state = { ...state, ...change };
  vscode.setState(state);
  render();
}

const logx = $<HTMLInputElement>('logx');
const logy = $<HTMLInputElement>('logy');
const xaxis = $<HTMLSelectElement>('xaxis');
const scalingX = $<HTMLSelectElement>('scalingX');
const showLr = $<HTMLInputElement>('showLr');
const groupSeeds = $<HTMLInputElement>('groupSeeds');
const colourBy = $<HTMLSelectElement>('colourBy');
const family = $<HTMLSelectElement>('family');
const smoothing = $<HTMLInputElement>('smoothing');
const smoothingValue = $<HTMLOutputElement>('smoothingValue');
logx.checked = state.xScale === 'logarithmic';
logy.checked = state.yScale === 'logarithmic';
xaxis.value = state.xAxis;
scalingX.value = state.scalingX;
showLr.checked = state.showLr;
groupSeeds.checked = state.groupSeeds;
colourBy.value = state.colourBy;
smoothing.value = String(state.smoothing);
smoothingValue.value = state.smoothing.toFixed(2);
logx.addEventListener('change', () => update({ xScale: logx.checked ? 'logarithmic' : 'linear' }));
logy.addEventListener('change', () => update({ yScale: logy.checked ? 'logarithmic' : 'linear' }));
xaxis.addEventListener('change', () => update({ xAxis: xaxis.value as DashboardState['xAxis'] }));
scalingX.addEventListener('change', () => update({ scalingX: scalingX.value as DashboardState['scalingX'] }));
showLr.addEventListener('change', () => update({ showLr: showLr.checked }));
groupSeeds.addEventListener('change', () => update({ groupSeeds: groupSeeds.checked }));
colourBy.addEventListener('change', () => update({ colourBy: colourBy.value as DashboardState['colourBy'] }));
family.addEventListener('change', () => update({ family: family.value }));
smoothing.addEventListener('input', () => {
  smoothingValue.value = Number(smoothing.value).toFixed(2);
  update({ smoothing: Number(smoothing.value) });
});
for (const button of document.querySelectorAll<HTMLButtonElement>('#runs th button')) {
  button.addEventListener('click', () => {
    const column = button.dataset.column as RunColumn;
    update({ sort: { column, descending: state.sort.column === column ? !state.sort.descending : false } });
  });
}
// Tabs: click, or arrow keys between them (the WAI-ARIA tabs pattern); Enter/Space come with <button>.
const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
for (const [i, tab] of tabs.entries()) {
  tab.addEventListener('click', () => update({ view: tab.dataset.view as DashboardView }));
  tab.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = tabs[(i + step + tabs.length) % tabs.length];
    next.focus();
    update({ view: next.dataset.view as DashboardView });
  });
}
$('resetZoom').addEventListener('click', () => charts[state.view]?.resetZoom());
// The host writes the CSV from its own snapshot; the state says which view and selection to export.
$('exportCsv').addEventListener('click', () => vscode.postMessage({ type: 'exportCsv', state }));
// Escape lets go of a run or config a link picked out.
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || !focus) return;
  focus = undefined;
  render();
});
$('exportPng').addEventListener('click', () => {
  const canvas = $<HTMLCanvasElement>(state.view);
  vscode.postMessage({ type: 'exportPng', dataUrl: canvas.toDataURL('image/png') });
});

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  switch (message?.type) {
    case 'snapshot':
      latest = message.snapshot;
      render();
      return;
    case 'delta': {
      const merged = applyDelta(latest, message.delta);
      if (!merged) {
        vscode.postMessage({ type: 'resync' });
        return;
      }
      latest = merged;
      render();
      return;
    }
    case 'showView':
      update({ view: message.view });
      return;
    case 'planned':
      planned = message.planned;
      render();
      return;
    case 'focus':
      applyFocus(message.focus);
      return;
  }
});

// VS Code swaps body classes (vscode-light, vscode-dark, vscode-high-contrast) on a theme change;
// chart colours are read from CSS variables, so redraw then.
new MutationObserver(() => {
  for (const view of Object.keys(charts) as DashboardView[]) {
    charts[view]?.destroy();
    delete charts[view];
  }
  render();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

vscode.setState(state);
render();
vscode.postMessage({ type: 'ready' });
