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
  type ChartDataset,
  type ChartOptions,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { DashboardView, RunView, Snapshot } from '../src/shared/protocol';
import type { SeriesPoint } from '../src/shared/chartSeries';
import { formatCount } from '../src/shared/format';
import { formatClockHours, formatDuration } from '../src/shared/duration';
import { store } from './store';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Filler, zoomPlugin);

/** A drawn point; `step` and `text` travel along for the tooltip. */
export type Pt = SeriesPoint;
export type DS = ChartDataset<'line', Pt[]>;
export type LineChart = Chart<'line', Pt[]>;

export const charts: Partial<Record<DashboardView, LineChart>> = {};

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function highContrast(): boolean {
  return document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
}

export function lightTheme(): boolean {
  return document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light');
}

/** A colour per group index, spread around the hue circle; darker on light themes so lines read. */
export function hue(i: number, alpha = 1): string {
  return `hsla(${(i * 137.508) % 360}, ${highContrast() ? 100 : 70}%, ${lightTheme() ? 38 : 58}%, ${alpha})`;
}

export function lineWidth(base: number): number {
  return highContrast() ? base + 1 : base;
}

/** The value runs are coloured by; runs sharing it share a colour. */
function colourKey(run: RunView): string {
  switch (store.state.colourBy) {
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

export function colourIndex(snapshot: Snapshot): Map<string, number> {
  const keys = [...new Set(snapshot.runs.map(colourKey))].sort();
  const index = new Map(keys.map((k, i) => [k, i]));
  return new Map(snapshot.runs.map((r) => [r.id, index.get(colourKey(r)) ?? 0]));
}

/** Axis labels as counts (2M, 500k); on log axes only at 1, 2 and 5 of each decade. */
export function tickLabel(value: number, log: boolean, kind: 'count' | 'flops' | 'hours' | 'loss'): string {
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
export function exactX(x: number): string {
  switch (store.state.xAxis) {
    case 'step':
    case 'tokens':
      return Math.round(x).toLocaleString('en-US');
    case 'flops':
      return x.toExponential(4);
    case 'wall':
      return `${formatClockHours(x)} h`;
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
        zoom: { drag: { enabled: true, borderColor: fg, borderWidth: 1, backgroundColor: 'rgba(128,128,128,0.15)' }, wheel: { enabled: true, modifierKey: 'ctrl' }, mode: 'xy' },
        pan: { enabled: true, modifierKey: 'shift', mode: 'xy' },
      },
    },
    scales: { x: { grid: { color: grid } }, y: { grid: { color: grid } } },
  };
}

/** Creates the chart, or swaps its data and scales in place keeping the user's zoom. */
export function drawOn(view: DashboardView, sets: DS[], options: ChartOptions<'line'>): number {
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
    chart.update('none');
  }
  // The legend is drawn on the canvas; screen readers (and the end-to-end test) read it here.
  const canvas = $<HTMLCanvasElement>(view);
  const legend = sets.map((s) => s.label ?? '').filter((l) => l && !LEGEND_HIDDEN.test(l));
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
