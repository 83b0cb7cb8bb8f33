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
import type { DashboardState, HostToWebview, RunView, Snapshot, WebviewToHost } from '../src/shared/protocol';
import { parseDashboardState } from '../src/shared/protocol';
import { formatCount, formatInterval, formatLoss } from '../src/shared/format';

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

function xy(xs: number[], ys: number[]): { x: number; y: number }[] {
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
    if (state.hiddenRuns.includes(run.id)) return;
    const d = run.display;
    sets.push({ label: run.name, data: xy(d.steps, d.loss), borderColor: runColour(i), backgroundColor: runColour(i), borderWidth: 1.5, pointRadius: 0 });
    if (d.evalSteps.length) {
      sets.push({ label: `${run.name} (eval)`, data: xy(d.evalSteps, d.evalLoss), borderColor: runColour(i), backgroundColor: runColour(i), borderWidth: 0, showLine: false, pointRadius: 2, pointStyle: 'triangle' });
    }
    if (d.fitSteps.length) {
      // The band is drawn as the upper edge filled down to the lower edge (the dataset before it).
      sets.push({ label: `${run.name} 80% low`, data: xy(d.fitSteps, d.fitLower), borderColor: 'transparent', pointRadius: 0, fill: false });
      sets.push({ label: `${run.name} 80% band`, data: xy(d.fitSteps, d.fitUpper), borderColor: 'transparent', backgroundColor: runColour(i, 0.15), pointRadius: 0, fill: '-1' });
      sets.push({ label: `${run.name} fit`, data: xy(d.fitSteps, d.fit), borderColor: runColour(i), borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 });
    }
  });
  return sets;
}

function drawChart(snapshot: Snapshot): number {
  const sets = datasets(snapshot.runs);
  const fg = cssVar('--vscode-editor-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  const scales = {
    x: { type: state.xScale, title: { display: true, text: 'step', color: fg }, ticks: { color: fg }, grid: { color: grid } },
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
          legend: { labels: { color: fg, filter: (item) => !/( fit|80% (low|band))$/.test(item.text ?? '') } },
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

function drawTables(snapshot: Snapshot): void {
  const body = $<HTMLTableElement>('runs').tBodies[0];
  body.replaceChildren();
  for (const run of snapshot.runs) {
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
  $('status').textContent = `${latest.runs.length} runs (${live} live) · fitted in ${latest.fitMs.toFixed(0)} ms`;
  vscode.postMessage({ type: 'rendered', version: latest.version, runs: latest.runs.length, points });
}

function setScale(axis: 'xScale' | 'yScale', log: boolean): void {
  state = { ...state, [axis]: log ? 'logarithmic' : 'linear' };
  vscode.setState(state);
  render();
}

const logx = $<HTMLInputElement>('logx');
const logy = $<HTMLInputElement>('logy');
logx.checked = state.xScale === 'logarithmic';
logy.checked = state.yScale === 'logarithmic';
logx.addEventListener('change', () => setScale('xScale', logx.checked));
logy.addEventListener('change', () => setScale('yScale', logy.checked));

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
