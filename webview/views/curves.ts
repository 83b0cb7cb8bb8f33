// Loss curves: per shown run its train loss (smoothed, raw faint behind), eval points, the fitted
// law with its band, and optionally the learning rate, against step, tokens, FLOPs or wall time.
import type { TooltipItem } from 'chart.js';
import type { DashboardState, Snapshot } from '../../src/shared/protocol';
import { CURVE_X_TITLES, stepToX } from '../../src/shared/axes';
import { curveSeries, type CurveSeries } from '../../src/shared/chartSeries';
import { $, bandSets, baseOptions, colourIndex, colours, drawOn, exact, exactX, highContrast, hue, lineWidth, tickLabel, type DS, type Pt } from '../chartKit';
import { drawn, focusedRun, store, update } from '../store';
import type { ViewModule } from './view';

/** The shared series (src/shared/chartSeries.ts, also what "Export CSV" writes) styled as datasets. */
function curveSets(snapshot: Snapshot): { sets: DS[]; skipped: number } {
  const sets: DS[] = [];
  const colours = colourIndex(snapshot);
  const { series, skipped } = curveSeries(snapshot, store.state);
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
        if (picked === s.id) drawn.focus = true;
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
        if (picked && snapshot.seedGroups.some((g) => g.id === s.id && g.runIds.includes(picked))) drawn.focus = true;
        break;
    }
  }
  return { sets, skipped };
}

function draw(snapshot: Snapshot): { points: number; note?: string } {
  const state = store.state;
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
  const points = drawOn('curves', sets, options);
  const note = skipped ? ` · ${skipped} without ${state.xAxis === 'wall' ? 'a logged clock' : state.xAxis === 'flops' ? 'parameters and tokens per step' : 'tokens per step'} not drawn` : undefined;
  return { points, note };
}

function mount(): void {
  const state = store.state;
  const logx = $<HTMLInputElement>('logx');
  const xaxis = $<HTMLSelectElement>('xaxis');
  const showLr = $<HTMLInputElement>('showLr');
  const groupSeeds = $<HTMLInputElement>('groupSeeds');
  const smoothing = $<HTMLInputElement>('smoothing');
  const smoothingValue = $<HTMLOutputElement>('smoothingValue');
  logx.checked = state.xScale === 'logarithmic';
  xaxis.value = state.xAxis;
  showLr.checked = state.showLr;
  groupSeeds.checked = state.groupSeeds;
  smoothing.value = String(state.smoothing);
  smoothingValue.value = state.smoothing.toFixed(2);
  logx.addEventListener('change', () => update({ xScale: logx.checked ? 'logarithmic' : 'linear' }));
  xaxis.addEventListener('change', () => update({ xAxis: xaxis.value as DashboardState['xAxis'] }));
  showLr.addEventListener('change', () => update({ showLr: showLr.checked }));
  groupSeeds.addEventListener('change', () => update({ groupSeeds: groupSeeds.checked }));
  smoothing.addEventListener('input', () => {
    smoothingValue.value = Number(smoothing.value).toFixed(2);
    update({ smoothing: Number(smoothing.value) });
  });
}

/** The x axes the runs can be drawn against; seed grouping only when there are seed groups. */
function sync(snapshot: Snapshot): void {
  for (const option of $<HTMLSelectElement>('xaxis').options) {
    const axis = option.value as DashboardState['xAxis'];
    option.disabled = axis !== 'step' && !snapshot.runs.some((r) => stepToX(r, axis) !== undefined);
  }
  $<HTMLInputElement>('groupSeeds').disabled = snapshot.seedGroups.length === 0;
}

export const curvesView: ViewModule = {
  id: 'curves',
  markup: `
    <div class="controls" role="group" aria-label="Loss curve options">
      <label>x <select id="xaxis"><option value="step">step</option><option value="tokens">tokens</option><option value="flops">FLOPs</option><option value="wall">wall time</option></select></label>
      <label><input type="checkbox" id="logx"> log x</label>
      <label><input type="checkbox" id="showLr"> learning rate</label>
      <label><input type="checkbox" id="groupSeeds"> group seeds</label>
      <label>smoothing <input type="range" id="smoothing" min="0" max="0.99" step="0.01"> <output id="smoothingValue" for="smoothing"></output></label>
    </div>
    <div class="chart"><canvas id="curves" role="img" data-title="Loss curves with fitted extrapolations" aria-label="Loss curves with fitted extrapolations"></canvas></div>
    <p class="key" id="curvesKey">Solid: train loss (smoothed; raw faint behind). ▲: eval loss. Dashed: the fitted law from its first fitted step, extrapolated to the planned end; shaded: its 80% band. Dotted: learning rate (right axis).</p>`,
  mount,
  sync,
  draw,
};
