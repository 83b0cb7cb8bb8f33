// Chart helpers every view shares: theme colours, the run palette, tick labels, the base Chart.js
// options, and drawing into a view's canvas while keeping the user's zoom.
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
  Interaction,
  type ChartDataset,
  type InteractionItem,
  type InteractionModeFunction,
  type ChartOptions,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { DashboardView } from '../src/shared/protocol';
import type { SeriesPoint } from '../src/shared/chartSeries';
import { formatCount } from '../src/shared/format';
import { lightTheme } from './palette';
import { formatClockHours, formatDuration } from '../src/shared/duration';
import { dateTimeText } from '../src/shared/dateTicks';
import { store } from './store';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Filler, zoomPlugin);

/** A drawn point; `step` and `text` travel along for the tooltip. */
export type Pt = SeriesPoint;
/** A dataset; `crosshair`: listed in the every-run-at-this-x tooltip; `runId`: whose it is. */
export type DS = ChartDataset<'line', Pt[]> & { crosshair?: boolean; runId?: string };

declare module 'chart.js' {
  interface InteractionModeMap {
    runsAtX: InteractionModeFunction;
  }
}
export type LineChart = Chart<'line', Pt[]>;

export const charts: Partial<Record<DashboardView, LineChart>> = {};

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function highContrast(): boolean {
  return document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
}

export { lightTheme };

export function lineWidth(base: number): number {
  return highContrast() ? base + 1 : base;
}

/** Axis labels as counts (2M, 500k); on log axes only at 1, 2 and 5 of each decade. */
export function tickLabel(value: number, log: boolean, kind: 'count' | 'flops' | 'hours' | 'loss'): string {
  // Losses span less than a decade: on a log axis label the whole and half nats (the scale's own
  // ticks include its odd-valued ends, which crowd the labels), on a linear one every tick.
  if (kind === 'loss') return !log || Math.abs(value * 2 - Math.round(value * 2)) < 1e-9 ? Number(value.toPrecision(3)).toString() : '';
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
export function exactX(x: number): string {
  switch (store.state.xAxis) {
    case 'step':
    case 'tokens':
      return Math.round(x).toLocaleString('en-US');
    case 'flops':
      return x.toExponential(4);
    case 'wall':
      return `${formatClockHours(x)} h`;
    case 'clock':
      return dateTimeText(x);
  }
}

export function exact(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v);
}

export function bandSets(label: string, lower: Pt[], upper: Pt[], colour: string): DS[] {
  // The band is the upper edge filled down to the lower edge (the dataset before it).
  return [
    { label: `${label} · band low`, data: lower, borderColor: 'transparent', pointRadius: 0, fill: false },
    { label: `${label} · band`, data: upper, borderColor: 'transparent', backgroundColor: colour, pointRadius: 0, fill: '-1' },
  ];
}

/** Entries hidden from the legend: they share the colour of the run's train line. */
export const LEGEND_HIDDEN = / · (raw|fit|band|band low|lr|interval|focus)$/;

export function baseOptions(fg: string, grid: string): ChartOptions<'line'> {
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
        zoom: {
          drag: { enabled: true, borderColor: fg, borderWidth: 1, backgroundColor: 'rgba(128,128,128,0.15)' },
          wheel: { enabled: true, modifierKey: 'ctrl' },
          mode: 'xy',
        },
        pan: { enabled: true, modifierKey: 'shift', mode: 'xy' },
      },
    },
    scales: { x: { grid: { color: grid } }, y: { grid: { color: grid } } },
  };
}

/** Creates the chart, or swaps its data and scales in place keeping the user's zoom. */
export function drawOn(view: DashboardView, sets: DS[], options: ChartOptions<'line'>, legendNames?: string[]): number {
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
    chart.options.interaction = options.interaction;
    chart.options.onClick = options.onClick;
    chart.update('none');
  }
  // The legend is drawn on the canvas; screen readers (and the end-to-end test) read it here.
  const canvas = $<HTMLCanvasElement>(view);
  // The value axis as drawn, for the end-to-end test (does the range leave a spike out?).
  const y = chart.scales.y;
  if (y) Object.assign(canvas.dataset, { yMin: String(y.min), yMax: String(y.max) });
  // How many lines the legend takes (the end-to-end test bounds it): Chart.js keeps one width per line of a top legend.
  canvas.dataset.legendLines = String((chart.legend as { lineWidths?: number[] } | undefined)?.lineWidths?.length ?? 0);
  // The x tick labels as drawn (the end-to-end test reads the wall clock's dates here).
  const x = chart.scales.x;
  if (x)
    canvas.dataset.xTicks = x.ticks
      .map((t) => (typeof t.label === 'string' ? t.label : ''))
      .filter(Boolean)
      .join('|');
  const legend = legendNames ?? sets.map((s) => s.label ?? '').filter((l) => l && !LEGEND_HIDDEN.test(l));
  canvas.setAttribute('aria-label', `${canvas.dataset.title ?? ''}. Legend: ${legend.join('; ') || 'nothing to draw'}`);
  return sets.reduce((n, s) => n + s.data.length, 0);
}

export function colours(): { fg: string; grid: string } {
  return {
    fg: cssVar('--vscode-editor-foreground', '#ccc'),
    // High contrast: a neutral grid, so the contrast border colour stays for data and focus.
    grid: highContrast() ? (lightTheme() ? 'rgba(0,0,0,0.3)' : 'rgba(255,255,255,0.28)') : cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)'),
  };
}

/** A table cell with its text (never HTML: names come from the workspace). */
export function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** Destroys every chart (a theme change: colours are read when a chart is made). */
export function destroyCharts(): void {
  for (const view of Object.keys(charts) as DashboardView[]) {
    charts[view]?.destroy();
    delete charts[view];
  }
}

type CrosshairChart = Chart & { crosshairX?: number; crosshairMore?: number };

/**
 * Hover mode "every run at this x" (W&B's and TensorBoard's crosshair tooltip): for each dataset
 * marked `crosshair`, its point nearest the pointer's x, if the dataset spans that x. Chart.js's
 * own `index` mode needs shared x values, which runs logged at different steps do not have.
 */
Interaction.modes.runsAtX = (chart, e) => {
  const items: InteractionItem[] = [];
  const x = e.x;
  if (x === null || x < chart.chartArea.left || x > chart.chartArea.right) return items;
  chart.data.datasets.forEach((dataset, datasetIndex) => {
    if (!(dataset as { crosshair?: boolean }).crosshair || !chart.isDatasetVisible(datasetIndex)) return;
    const points = chart.getDatasetMeta(datasetIndex).data;
    if (points.length === 0) return;
    // Points are in x order: a binary search for the nearest.
    let lo = 0;
    let hi = points.length - 1;
    if (x < points[lo].x - 8 || x > points[hi].x + 8) return;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (points[mid].x < x) lo = mid;
      else hi = mid;
    }
    let index = Math.abs(points[lo].x - x) <= Math.abs(points[hi].x - x) ? lo : hi;
    // A break (NaN) in the line is not a value: take its neighbour.
    if (!Number.isFinite(points[index].y)) index = index === lo ? hi : lo;
    if (!Number.isFinite(points[index].y)) return;
    items.push({ element: points[index], datasetIndex, index });
  });
  // Many runs: the lowest values (lowest on the axis), as W&B lists the best runs first; the footer counts the rest.
  items.sort((a, b) => b.element.y - a.element.y);
  (chart as CrosshairChart).crosshairMore = Math.max(0, items.length - CROSSHAIR_MAX_ITEMS);
  return items.slice(0, CROSSHAIR_MAX_ITEMS);
};

/** At most this many runs listed in the crosshair tooltip. */
const CROSSHAIR_MAX_ITEMS = 15;

/** The crosshair tooltip's footer: how many runs at this x it did not list. */
export function crosshairFooter(chart: Chart): string {
  const more = (chart as CrosshairChart).crosshairMore ?? 0;
  return more > 0 ? `… and ${more} more (filter the run list to see them)` : '';
}

/** A vertical line at the pointer while it is over a plot hovered in runsAtX mode. */
Chart.register({
  id: 'crosshair',
  afterEvent(chart: CrosshairChart, args: { event: { type: string; x: number | null }; inChartArea: boolean; changed?: boolean }) {
    const before = chart.crosshairX;
    chart.crosshairX = args.event.type === 'mouseout' || !args.inChartArea ? undefined : (args.event.x ?? undefined);
    if (before !== chart.crosshairX) args.changed = true;
  },
  afterDatasetsDraw(chart: CrosshairChart) {
    const x = chart.crosshairX;
    if (x === undefined || chart.options.interaction?.mode !== 'runsAtX') return;
    const { top, bottom } = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = cssVar('--vscode-editor-foreground', '#888');
    ctx.globalAlpha = 0.4;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    ctx.restore();
  },
});

/**
 * The value range that shows every curve but not its spikes: per series, the points up to 1.3×
 * the lowest value seen so far (a spike or a blow-up rises far above it; the early fall of a loss
 * curve never does), then the extremes of what is left, padded by 4% (in log space on a log axis).
 * Undefined when nothing is left, so Chart.js picks the range.
 */
export function robustRange(series: readonly (readonly Pt[])[], log: boolean): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const points of series) {
    let lowest = Infinity;
    for (const p of points) {
      if (!Number.isFinite(p.y) || (log && p.y <= 0)) continue;
      lowest = Math.min(lowest, p.y);
      if (p.y > lowest * 1.3 && p.y - lowest > 0.05) continue;
      min = Math.min(min, p.y);
      max = Math.max(max, p.y);
    }
  }
  if (!(max >= min)) return undefined;
  if (log) {
    const [a, b] = [Math.log(min), Math.log(max)];
    const pad = Math.max((b - a) * 0.04, 0.01);
    return { min: Math.exp(a - pad), max: Math.exp(b + pad) };
  }
  const pad = Math.max((max - min) * 0.04, 0.01);
  return { min: min - pad, max: max + pad };
}
