// Loss curves: per shown run its train loss (smoothed, raw faint behind), eval points, the fitted
// law with its band, and optionally the learning rate, against step, tokens, FLOPs or wall time.
// One colour per run (train solid, eval ▲, fit dashed); a diverged run ends at its last finite
// loss with ✕; the loss axis ignores spikes unless asked not to; hovering lists every run at that x.
import type { Scale, TooltipItem } from 'chart.js';
import type { DashboardState, RunView, Snapshot } from '../../src/shared/protocol';
import { CURVE_X_MISSING, CURVE_X_TITLES, stepToX } from '../../src/shared/axes';
import { dateTicks, dateTimeText } from '../../src/shared/dateTicks';
import { curveSeries } from '../../src/shared/chartSeries';
import { formatClockHours } from '../../src/shared/duration';
import {
  $,
  baseOptions,
  colours,
  crosshairFooter,
  cssVar,
  drawOn,
  exact,
  exactX,
  highContrast,
  lineWidth,
  robustRange,
  tickLabel,
  type DS,
  type Pt,
} from '../chartKit';
import { runColours } from '../palette';
import { bindCheckbox, bindSelect, enableOptions, type VscodeCheckbox, type VscodeSingleSelect } from '../controls';
import { drawColourScale } from '../colourScale';
import { drawRunList, markOffAxis, mountRunList, RUN_LIST_MARKUP } from '../runList';
import { drawn, focusedRun, store, update } from '../store';
import type { ViewModule } from './view';

/** The shared series (src/shared/chartSeries.ts, also what "Export CSV" writes) styled as datasets. */
function curveSets(snapshot: Snapshot, palette: ReturnType<typeof runColours>): { sets: DS[]; skippedRuns: RunView[]; range?: { min: number; max: number } } {
  const state = store.state;
  const sets: DS[] = [];
  const { series, skippedRuns } = curveSeries(snapshot, state);
  const picked = focusedRun();
  const yLog = state.yScale === 'logarithmic';
  const range = state.ignoreOutliers
    ? robustRange(
        series.filter((s) => s.kind === 'train' || s.kind === 'eval' || s.kind === 'seed_mean' || s.kind === 'forecast_interval').map((s) => s.points),
        yLog,
      )
    : undefined;
  const background = cssVar('--vscode-editor-background', '#1e1e1e');
  const lowers = new Map<string, Pt[]>();
  for (const s of series) {
    const isPicked = picked !== undefined && (s.id === picked || snapshot.seedGroups.some((g) => g.id === s.id && g.runIds.includes(picked)));
    // With a run selected the others step back a little, as in W&B.
    const c = (alpha = 1) => palette.of(s.colourRunId, picked && !isPicked ? alpha * 0.45 : alpha);
    switch (s.kind) {
      case 'raw':
        sets.push({ label: `${s.name} · raw`, data: s.points, borderColor: c(0.2), borderWidth: 1, pointRadius: 0, runId: s.id });
        break;
      case 'train':
      case 'seed_mean':
        sets.push({
          label: s.kind === 'train' ? s.name : `${s.name} · mean`,
          data: s.points,
          borderColor: c(),
          backgroundColor: c(),
          borderWidth: lineWidth(isPicked ? 3 : 1.5),
          pointRadius: 0,
          pointHoverRadius: 4,
          pointStyle: 'line',
          crosshair: true,
          runId: s.id,
          order: isPicked ? -1 : 0,
        });
        if (isPicked) drawn.focus = true;
        break;
      case 'eval':
        // Filled triangles outlined in the background colour, so they stay readable over the lines.
        sets.push({
          label: `${s.name} · eval`,
          data: s.points,
          borderColor: background,
          backgroundColor: c(),
          borderWidth: 1,
          showLine: false,
          pointRadius: highContrast() || isPicked ? 6 : 5,
          pointStyle: 'triangle',
          runId: s.id,
          order: -2,
        });
        break;
      case 'fit_lower':
      case 'seed_lower':
        lowers.set(s.id, s.points);
        break;
      case 'fit_upper':
      case 'seed_upper': {
        const alpha = s.kind === 'seed_upper' ? 0.2 : isPicked ? 0.25 : highContrast() ? 0.15 : 0.08;
        sets.push({ label: `${s.name} · band low`, data: lowers.get(s.id) ?? [], borderColor: 'transparent', pointRadius: 0, fill: false, runId: s.id });
        sets.push({
          label: `${s.name} · band`,
          data: s.points,
          borderColor: 'transparent',
          backgroundColor: c(alpha),
          pointRadius: 0,
          fill: '-1',
          runId: s.id,
        });
        break;
      }
      case 'fit':
        // Every shown run's law, thin; the selected run's bold.
        sets.push({
          label: `${s.name} · fit`,
          data: s.points,
          borderColor: c(isPicked ? 1 : 0.75),
          borderDash: [5, 4],
          borderWidth: lineWidth(isPicked ? 2.5 : 1),
          pointRadius: 0,
          crosshair: true,
          runId: s.id,
        });
        break;
      case 'forecast':
        // The forecast from siblings at the planned end: a hollow diamond on its interval's bar.
        sets.push({
          label: `${s.name} · forecast from siblings`,
          data: s.points,
          showLine: false,
          pointStyle: 'rectRot',
          pointRadius: isPicked ? 7 : 5,
          borderWidth: 2,
          borderColor: c(),
          backgroundColor: background,
          clip: false,
          runId: s.id,
          order: -2,
        });
        break;
      case 'forecast_interval':
        sets.push({ label: `${s.name} · forecast interval`, data: s.points, borderColor: c(0.9), borderWidth: 2, pointRadius: 0, clip: false, runId: s.id });
        break;
      case 'lr':
        sets.push({
          label: `${s.name} · lr`,
          data: s.points,
          yAxisID: 'lr',
          borderColor: c(0.8),
          borderDash: [2, 3],
          borderWidth: 1,
          pointRadius: 0,
          runId: s.id,
        });
        break;
    }
    // A diverged run's curve ends at its last finite loss: marked ✕ there (at the axis edge, ▲, when the spike is cut off).
    const run = s.kind === 'train' ? snapshot.runs.find((r) => r.id === s.id) : undefined;
    const last = s.points.filter((p) => Number.isFinite(p.y)).pop();
    if (run?.status === 'failed' && last) {
      const clipped = range !== undefined && last.y > range.max;
      const y = clipped ? range.max : last.y;
      sets.push({
        label: `${s.name} · diverged`,
        data: [
          {
            x: last.x,
            y,
            step: last.step,
            text: `${s.name} diverged: last finite loss ${exact(run.lastLoss ?? last.y)} at step ${run.lastStep ?? last.step}${clipped ? ' (above the axis; untick "ignore outliers" to see it)' : ''}`,
          },
        ],
        showLine: false,
        pointStyle: clipped ? 'triangle' : 'crossRot',
        pointRadius: 8,
        borderWidth: 2.5,
        borderColor: c(),
        backgroundColor: c(),
        clip: false,
        runId: s.id,
        order: -3,
      });
    }
  }
  return { sets, skippedRuns, range };
}

/** Labels of the wall-clock axis's ticks, by value (filled when the ticks are built). */
const clockLabels = new Map<number, string>();

/** Round clock moments as ticks (src/shared/dateTicks.ts), as many as fit the axis's width. */
function clockTicks(axis: Scale): void {
  const ticks = dateTicks(axis.min, axis.max, Math.max(3, Math.floor(axis.width / 110)));
  clockLabels.clear();
  for (const t of ticks) clockLabels.set(t.value, t.label);
  axis.ticks = ticks.map((t) => ({ value: t.value, label: t.label }));
}

/** The runs an axis cannot place, named in a line under the controls: on the clock axes, those whose logs have no clock or date. */
function drawMissing(skipped: readonly RunView[]): void {
  const line = $<HTMLParagraphElement>('curvesMissing');
  const axis = store.state.xAxis;
  line.hidden = skipped.length === 0;
  const names = skipped.map((r) => r.name);
  const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ');
  line.textContent = skipped.length
    ? `Not on this axis (${CURVE_X_MISSING[axis]}): ${shown}.${axis === 'clock' ? ' Their curves are on the step axis.' : ''}`
    : '';
  line.title = skipped.map((r) => r.id).join('\n');
}

function stepText(p: Pt): string {
  return store.state.xAxis === 'step' ? `step ${exactX(p.x)}` : `${exactX(p.x)} (step ${p.step})`;
}

function draw(snapshot: Snapshot): { points: number; note?: string } {
  const state = store.state;
  const palette = runColours(snapshot, state.colourBy);
  drawColourScale(palette);
  drawRunList(snapshot, palette);
  const { sets, skippedRuns, range } = curveSets(snapshot, palette);
  const skipped = skippedRuns.length;
  drawMissing(skippedRuns);
  markOffAxis(skippedRuns, CURVE_X_MISSING[state.xAxis]);
  // The accessible legend: one entry per run (or seed group) drawn.
  const legend = sets.filter((d) => d.crosshair && !(d.label ?? '').endsWith(' · fit')).map((d) => d.label ?? '');
  const { fg, grid } = colours();
  const options = baseOptions(fg, grid);
  const xKind = state.xAxis === 'flops' ? 'flops' : state.xAxis === 'wall' ? 'hours' : 'count';
  const clock = state.xAxis === 'clock';
  // A date axis is linear: a log scale of Unix seconds says nothing.
  const xLog = state.xScale === 'logarithmic' && !clock;
  options.scales = {
    x: clock
      ? {
          type: 'linear',
          title: { display: true, text: CURVE_X_TITLES.clock, color: fg },
          afterBuildTicks: clockTicks,
          ticks: { color: fg, maxRotation: 0, autoSkip: false, callback: (value) => clockLabels.get(Number(value)) ?? '' },
          grid: { color: grid },
        }
      : {
          type: xLog ? 'logarithmic' : 'linear',
          title: { display: true, text: CURVE_X_TITLES[state.xAxis], color: fg },
          // 2.5B reads better than 2,500,000,000; log axes also get fewer, rounder labels.
          ticks: { color: fg, maxRotation: 0, autoSkipPadding: 12, callback: (value) => tickLabel(Number(value), xLog, xKind) },
          grid: { color: grid },
        },
    y: {
      type: state.yScale,
      ...(range ?? {}),
      title: { display: true, text: 'loss (nats)', color: fg },
      ticks: { color: fg, autoSkip: false, callback: (value) => tickLabel(Number(value), state.yScale === 'logarithmic', 'loss') },
      grid: { color: grid },
    },
    lr: {
      type: 'linear',
      display: state.showLr,
      position: 'right',
      title: { display: true, text: 'learning rate (dotted)', color: fg },
      ticks: { color: fg },
      grid: { drawOnChartArea: false },
    },
  };
  // The run list is the legend.
  options.plugins!.legend = { display: false };
  options.interaction = { mode: 'runsAtX', intersect: false };
  options.plugins!.tooltip = {
    // A run's fitted value only where its logged loss does not reach (the extrapolation).
    filter: (item, _i, items) =>
      // The forecast's bar is said by its diamond's text.
      !(item.dataset.label ?? '').endsWith(' · forecast interval') &&
      (!(item.dataset.label ?? '').endsWith(' · fit') ||
        !items.some((o) => o !== item && (o.dataset as DS).runId === (item.dataset as DS).runId && !(o.dataset.label ?? '').endsWith(' · fit'))),
    itemSort: (a, b) => (a.raw as Pt).y - (b.raw as Pt).y,
    callbacks: {
      footer: (items: TooltipItem<'line'>[]) => (items[0] ? crosshairFooter(items[0].chart) : ''),
      title: (items: TooltipItem<'line'>[]) => {
        const p = items[0]?.raw as Pt | undefined;
        if (!p) return '';
        // Wall time: hours since the run started (relative, as TensorBoard's "relative"), and the clock time when the log recorded a Unix time.
        if (state.xAxis !== 'wall' && state.xAxis !== 'clock') return stepText(p);
        const run = snapshot.runs.find((r) => r.id === (items[0].dataset as DS).runId);
        const start = run?.display.wall?.startUnixSeconds;
        // The clock axis: the moment, then how long the hovered run had been going (as W&B's wall-time tooltip).
        if (state.xAxis === 'clock')
          return `${dateTimeText(p.x)}${start !== undefined ? ` · ${formatClockHours((p.x - start) / 3600)} h into ${run!.name}` : ''} (step ${p.step})`;
        const clock =
          start !== undefined ? ` · ${new Date((start + p.x * 3600) * 1000).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}` : '';
        return `${formatClockHours(p.x)} h since start${clock} (step ${p.step})`;
      },
      label: (item: TooltipItem<'line'>) => {
        const p = item.raw as Pt;
        const label = item.dataset.label ?? '';
        if (p.text) return p.text;
        const name = label.replace(/ · fit$/, ' (fit)');
        const value = label.endsWith(' · lr') ? p.y.toExponential(3) : p.y.toFixed(4);
        return `${name}: ${value}${state.xAxis !== 'step' && p.step !== undefined ? ` · step ${p.step}` : ''}`;
      },
    },
  };
  const points = drawOn('curves', sets, options, legend);
  const note = skipped ? ` · ${skipped} not on this axis (${CURVE_X_MISSING[state.xAxis]})` : undefined;
  return { points, note };
}

function mount(): void {
  const state = store.state;
  const smoothing = $<HTMLInputElement>('smoothing');
  const smoothingValue = $<HTMLOutputElement>('smoothingValue');
  smoothing.value = String(state.smoothing);
  smoothingValue.value = state.smoothing.toFixed(2);
  bindCheckbox('logx', state.xScale === 'logarithmic', (on) => update({ xScale: on ? 'logarithmic' : 'linear' }));
  $<VscodeCheckbox>('logx').disabled = state.xAxis === 'clock';
  bindSelect('xaxis', state.xAxis, (xAxis) => {
    // Log x stays chosen for the other axes; the clock axis is always linear.
    $<VscodeCheckbox>('logx').disabled = xAxis === 'clock';
    update({ xAxis });
  });
  bindCheckbox('showLr', state.showLr, (showLr) => update({ showLr }));
  bindCheckbox('groupSeeds', state.groupSeeds, (groupSeeds) => update({ groupSeeds }));
  smoothing.addEventListener('input', () => {
    smoothingValue.value = Number(smoothing.value).toFixed(2);
    update({ smoothing: Number(smoothing.value) });
  });
  mountRunList();
}

/** The x axes the runs can be drawn against; seed grouping only when there are seed groups. */
function sync(snapshot: Snapshot): void {
  enableOptions(
    $<VscodeSingleSelect>('xaxis'),
    (axis) => axis === 'step' || snapshot.runs.some((r) => stepToX(r, axis as DashboardState['xAxis']) !== undefined),
  );
  $<VscodeCheckbox>('groupSeeds').disabled = snapshot.seedGroups.length === 0;
}

export const curvesView: ViewModule = {
  id: 'curves',
  markup: `
    <div class="controls" role="group" aria-label="Loss curve options">
      <span class="field">x <vscode-single-select id="xaxis" label="x axis"><vscode-option value="step">step</vscode-option><vscode-option value="tokens">tokens</vscode-option><vscode-option value="flops">FLOPs</vscode-option><vscode-option value="wall">relative time</vscode-option><vscode-option value="clock">wall clock (date)</vscode-option></vscode-single-select></span>
      <vscode-checkbox id="logx" label="log x"></vscode-checkbox>
      <vscode-checkbox id="showLr" label="learning rate"></vscode-checkbox>
      <vscode-checkbox id="groupSeeds" label="group seeds"></vscode-checkbox>
      <label>smoothing <input type="range" id="smoothing" min="0" max="0.99" step="0.01"> <output id="smoothingValue" for="smoothing"></output></label>
    </div>
    <p class="key missing" id="curvesMissing" role="status" hidden></p>
    <div class="chart-row" id="curvesRow">${RUN_LIST_MARKUP}
      <div class="chart"><canvas id="curves" role="img" data-title="Loss curves with fitted extrapolations" aria-label="Loss curves with fitted extrapolations"></canvas></div>
    </div>
    <p class="key" id="curvesKey">Solid: train loss (smoothed; raw faint behind). ▲: eval loss. Dashed: the fitted law from its first fitted step, extrapolated to the planned end; shaded: its 80% band (bold for the selected run). ◇ on a bar: a live run's forecast from its siblings at the planned end [80%] (the number the table and status bar show; the dashed line is then the run's own curve). ✕: where a diverged run's loss was last finite. Dotted: learning rate (right axis). Hover: every run's value at that point.</p>`,
  mount,
  sync,
  draw,
};
