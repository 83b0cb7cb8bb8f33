// The dashboard webview: renders the snapshots the host sends, keeps only UI state (setState),
// and computes nothing of its own beyond layout.
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
} from 'chart.js';
import type { DashboardState, HostToWebview, RunColumn, RunView, Snapshot, WebviewToHost } from '../src/shared/protocol';
import { parseDashboardState } from '../src/shared/protocol';
import { formatCount, formatInterval, formatLoss } from '../src/shared/format';
import { debiasedEma } from '../src/shared/smoothing';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Filler);

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: DashboardState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state = parseDashboardState(vscode.getState());
let latest: Snapshot | undefined;
let chart: Chart<'line', { x: number; y: number }[]> | undefined;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** A stable colour per run index, spread around the hue circle. */
function runColour(i: number, alpha = 1): string {
  return `hsla(${(i * 137.508) % 360}, 70%, 55%, ${alpha})`;
}

/** Steps scaled to the chosen x axis; undefined when a run's tokens per step are unknown. */
function xScaleOf(run: RunView): number | undefined {
  return state.xAxis === 'step' ? 1 : run.hyper.tokensPerStep;
}

function xy(steps: number[], ys: number[], scale = 1): { x: number; y: number }[] {
  const xs = scale === 1 ? steps : steps.map((s) => s * scale);
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < xs.length; i++) {
    // Log axes cannot show step 0 or non-positive values.
    if ((state.xScale === 'logarithmic' && xs[i] <= 0) || (state.yScale === 'logarithmic' && ys[i] <= 0)) continue;
    out.push({ x: xs[i], y: ys[i] });
  }
  return out;
}

function datasets(runs: RunView[]): ChartDataset<'line', { x: number; y: number }[]>[] {
  const sets: ChartDataset<'line', { x: number; y: number }[]>[] = [];
  runs.forEach((run, i) => {
    const scale = xScaleOf(run);
    if (state.hiddenRuns.includes(run.id) || scale === undefined) return;
    const d = run.display;
    if (state.smoothing > 0) {
      // The raw curve stays visible, faintly, behind its smoothed line.
      sets.push({ label: `${run.name} raw`, data: xy(d.steps, d.loss, scale), borderColor: runColour(i, 0.25), borderWidth: 1, pointRadius: 0 });
    }
    const shown = state.smoothing > 0 ? debiasedEma(d.loss, state.smoothing) : d.loss;
    sets.push({ label: run.name, data: xy(d.steps, shown, scale), borderColor: runColour(i), backgroundColor: runColour(i), borderWidth: 1.5, pointRadius: 0 });
    if (d.evalSteps.length) {
      sets.push({ label: `${run.name} (eval)`, data: xy(d.evalSteps, d.evalLoss, scale), borderColor: runColour(i), backgroundColor: runColour(i), borderWidth: 0, showLine: false, pointRadius: 2, pointStyle: 'triangle' });
    }
    if (d.fitSteps.length) {
      // The band is drawn as the upper edge filled down to the lower edge (the dataset before it).
      sets.push({ label: `${run.name} 80% low`, data: xy(d.fitSteps, d.fitLower, scale), borderColor: 'transparent', pointRadius: 0, fill: false });
      sets.push({ label: `${run.name} 80% band`, data: xy(d.fitSteps, d.fitUpper, scale), borderColor: 'transparent', backgroundColor: runColour(i, 0.15), pointRadius: 0, fill: '-1' });
      sets.push({ label: `${run.name} fit`, data: xy(d.fitSteps, d.fit, scale), borderColor: runColour(i), borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 });
    }
  });
  return sets;
}

/** Axis labels as counts (2M, 500k); on log axes only at 1, 2 and 5 of each decade. */
function tickLabel(value: number): string {
  if (state.xScale === 'logarithmic' && value > 0) {
    const mantissa = Math.round(value / Math.pow(10, Math.floor(Math.log10(value) + 1e-9)));
    if (![1, 2, 5].includes(mantissa)) return '';
  }
  return formatCount(value).replace(/\.0+(?=[A-Za-z]?$)/, '');
}

function drawChart(snapshot: Snapshot): number {
  const sets = datasets(snapshot.runs);
  const fg = cssVar('--vscode-editor-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const scales = {
    x: {
      type: state.xScale,
      title: { display: true, text: state.xAxis === 'step' ? 'step' : 'tokens', color: fg },
      // 2.5B reads better than 2,500,000,000; log axes also get fewer, rounder labels.
      ticks: { color: fg, maxRotation: 0, autoSkipPadding: 12, callback: (value: string | number) => tickLabel(Number(value)) },
      grid: { color: grid },
    },
    y: { type: state.yScale, title: { display: true, text: 'loss (nats)', color: fg }, ticks: { color: fg }, grid: { color: grid } },
  } as const;
  if (!chart) {
    chart = new Chart<'line', { x: number; y: number }[]>($<HTMLCanvasElement>('curves'), {
      type: 'line',
      data: { datasets: sets },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', intersect: false },
        plugins: {
          // One legend entry per run (and its eval points): fits and bands share the run's colour.
          legend: { labels: { color: fg, filter: (item) => !/( fit| raw|80% (low|band))$/.test(item.text ?? '') } },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatLoss(c.parsed.y ?? NaN)} at step ${formatCount(c.parsed.x ?? NaN)}` } },
        },
        scales,
      },
    });
  } else {
    chart.data.datasets = sets;
    chart.options.scales = scales;
    chart.update('none');
  }
  return sets.reduce((n, s) => n + s.data.length, 0);
}

function cell(row: HTMLTableRowElement, text: string, className?: string): void {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
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

function drawTables(snapshot: Snapshot): void {
  const body = $<HTMLTableElement>('runs').tBodies[0];
  body.replaceChildren();
  for (const button of document.querySelectorAll<HTMLButtonElement>('#runs th button')) {
    const active = button.dataset.column === state.sort.column;
    button.parentElement!.setAttribute('aria-sort', active ? (state.sort.descending ? 'descending' : 'ascending') : 'none');
  }
  for (const run of sortedRuns(snapshot.runs)) {
    const row = body.insertRow();
    row.dataset.runId = run.id;
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
    cell(row, run.status, `status-${run.status}`);
    cell(row, run.hyper.params !== undefined ? formatCount(run.hyper.params) : '—', 'num');
    cell(row, run.hyper.tokens !== undefined ? formatCount(run.hyper.tokens) : '—', 'num');
    cell(row, run.lastStep !== undefined ? String(run.lastStep) : '—', 'num');
    cell(row, run.lastLoss !== undefined ? formatLoss(run.lastLoss) : '—', 'num');
    const final = run.curve?.predictedFinal;
    cell(row, final ? `${formatLoss(final.value)} ${formatInterval(final.interval)}` : '—', 'num');
    cell(row, run.curve ? `${run.curve.lawId} → step ${run.curve.targetStep}` : '—');
  }
  const families = $<HTMLTableElement>('families').tBodies[0];
  families.replaceChildren();
  for (const fam of snapshot.families) {
    const row = families.insertRow();
    cell(row, fam.guessed ? `${fam.family} (guessed)` : fam.family);
    cell(row, fam.fit?.lawId ?? '—');
    cell(row, String(fam.runIds.length), 'num');
    cell(row, fam.fit ? Object.entries(fam.fit.parameters).map(([k, p]) => `${k}=${p.value.toPrecision(3)}`).join(', ') : fam.error ?? '—');
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

function render(): void {
  if (!latest) return;
  const points = drawChart(latest);
  drawTables(latest);
  const live = latest.runs.filter((r) => r.status === 'live').length;
  const missingTokens = state.xAxis === 'tokens' ? latest.runs.filter((r) => r.hyper.tokensPerStep === undefined).length : 0;
  $('status').textContent = `${latest.runs.length} runs (${live} live) · fitted in ${latest.fitMs.toFixed(0)} ms${missingTokens ? ` · ${missingTokens} without tokens per step not drawn` : ''}`;
  vscode.postMessage({ type: 'rendered', version: latest.version, runs: latest.runs.length, points });
}

function update(change: Partial<DashboardState>): void {
  state = { ...state, ...change };
  vscode.setState(state);
  render();
}

const logx = $<HTMLInputElement>('logx');
const logy = $<HTMLInputElement>('logy');
const xaxis = $<HTMLSelectElement>('xaxis');
const smoothing = $<HTMLInputElement>('smoothing');
const smoothingValue = $<HTMLOutputElement>('smoothingValue');
logx.checked = state.xScale === 'logarithmic';
logy.checked = state.yScale === 'logarithmic';
xaxis.value = state.xAxis;
smoothing.value = String(state.smoothing);
smoothingValue.value = state.smoothing.toFixed(2);
logx.addEventListener('change', () => update({ xScale: logx.checked ? 'logarithmic' : 'linear' }));
logy.addEventListener('change', () => update({ yScale: logy.checked ? 'logarithmic' : 'linear' }));
xaxis.addEventListener('change', () => update({ xAxis: xaxis.value === 'tokens' ? 'tokens' : 'step' }));
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
$('exportCsv').addEventListener('click', () => vscode.postMessage({ type: 'exportCsv' }));
$('exportPng').addEventListener('click', () => {
  const canvas = $<HTMLCanvasElement>('curves');
  vscode.postMessage({ type: 'exportPng', dataUrl: canvas.toDataURL('image/png') });
});

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  if (message?.type !== 'snapshot') return;
  latest = message.snapshot;
  render();
});

// VS Code swaps body classes (vscode-light, vscode-dark, vscode-high-contrast) on a theme change;
// chart colours are read from CSS variables, so redraw then.
new MutationObserver(() => {
  chart?.destroy();
  chart = undefined;
  render();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

vscode.setState(state);
vscode.postMessage({ type: 'ready' });
