// Predicted versus actual: every validation the engine ran (a run's curve fitted on a prefix, a
// family law refitted without its largest finished run), against the diagonal, with a table of them.
import type { TooltipItem } from 'chart.js';
import type { Snapshot, ValidationPoint } from '../../src/shared/protocol';
import { formatLoss } from '../../src/shared/format';
import { shownValidations, validationGroups } from '../../src/shared/chartSeries';
import { maxOf, minOf } from '../../src/shared/arrays';
import { $, baseOptions, cell, colours, drawOn, exact, tickLabel, type DS, type Pt } from '../chartKit';
import { categorical } from '../palette';
import { store } from '../store';
import type { ViewModule } from './view';

function validationText(v: ValidationPoint): string {
  return `${v.subject} (${v.method}${v.atStep !== undefined ? ` at step ${v.atStep}` : ''}): predicted ${exact(v.predicted)}, actual ${exact(v.actual)}, error ${v.errorPct.toFixed(2)}%`;
}

function draw(snapshot: Snapshot): { points: number; note: string } {
  const state = store.state;
  const { fg, grid } = colours();
  const shown = shownValidations(snapshot, state);
  // A validation that failed its sanity checks is listed with its reason, not plotted as a prediction.
  const all = shown.filter((v) => !v.failed);
  const yLog = state.yScale === 'logarithmic';
  // The range: every observed loss, and the predictions near them; with "ignore outliers" a
  // prediction far off (more than 25% from what it predicts) is drawn at the edge as a clipped ▲/▼.
  const actuals = all.map((v) => v.actual).filter((v) => v > 0);
  const kept = all
    .flatMap((v) => (state.ignoreOutliers && Math.abs(v.predicted - v.actual) > 0.25 * v.actual ? [v.actual] : [v.actual, v.predicted]))
    .filter((v) => v > 0);
  const lo = actuals.length ? minOf(kept) * 0.97 : 1;
  const hi = actuals.length ? maxOf(kept) * 1.03 : 10;
  let clipped = 0;
  const pt = (v: ValidationPoint): Pt => {
    const y = Math.min(hi, Math.max(lo, v.predicted));
    if (y !== v.predicted) clipped++;
    return { x: v.actual, y, text: `${validationText(v)}${y !== v.predicted ? ' (beyond the axis, drawn at its edge)' : ''}` };
  };
  const styled = (points: Pt[], normal: 'circle' | 'triangle') => ({
    data: points,
    // A clipped point: a triangle pointing the way the true value lies.
    pointStyle: points.map((p) => (p.y >= hi || p.y <= lo ? 'triangle' : normal)),
    rotation: points.map((p) => (p.y <= lo ? 180 : 0)),
  });
  // One series per prefix length with points, and the family checks when there are any: the legend
  // lists what is drawn (colours stay those of the prefix, whichever are empty).
  const groups = validationGroups(all);
  const familySet: DS = {
    label: 'family law without its largest finished run',
    ...styled(groups.family.points.map(pt), 'triangle'),
    showLine: false,
    pointRadius: 9,
    borderColor: fg,
    borderWidth: 1.5,
    backgroundColor: categorical(groups.family.colourIndex, 0.85),
    clip: false,
  };
  const sets: DS[] = [
    // One colour per prefix length: a longer prefix should sit closer to the diagonal.
    ...groups.prefixes.map(({ method, colourIndex, points }): DS => ({
      label: `run curve, ${method.replace('prefix-', 'first ')}% of points`,
      ...styled(points.map(pt), 'circle'),
      showLine: false,
      pointRadius: 6,
      borderColor: categorical(colourIndex),
      backgroundColor: categorical(colourIndex, 0.75),
      clip: false,
    })),
    ...(groups.family.points.length ? [familySet] : []),
    {
      label: 'exact (predicted = actual)',
      data: [
        { x: lo, y: lo, text: 'predicted = actual' },
        { x: hi, y: hi, text: 'predicted = actual' },
      ],
      borderColor: fg,
      borderDash: [4, 4],
      borderWidth: 1,
      pointRadius: 0,
      pointStyle: 'line',
    },
  ];
  const options = baseOptions(fg, grid);
  options.scales = {
    x: {
      type: state.yScale,
      min: lo,
      max: hi,
      title: { display: true, text: 'actual loss (nats)', color: fg },
      ticks: { color: fg, callback: (v) => tickLabel(Number(v), yLog, 'loss') },
      grid: { color: grid },
    },
    y: {
      type: state.yScale,
      min: lo,
      max: hi,
      title: { display: true, text: 'predicted loss (nats)', color: fg },
      ticks: { color: fg, callback: (v) => tickLabel(Number(v), yLog, 'loss') },
      grid: { color: grid },
    },
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
    cell(row, v.failed ? 'failed' : `${v.errorPct.toFixed(2)}%`, 'num').title = v.failed ? `failed: ${v.failed}` : '';
  }
  return {
    points: drawOn('validation', sets, options),
    note: ` · ${snapshot.validations.length} validations${clipped ? ` · ${clipped} beyond the axis (at its edge)` : ''}`,
  };
}

export const validationView: ViewModule = {
  id: 'validation',
  markup: `
    <div class="chart"><canvas id="validation" role="img" data-title="Predicted against actual loss for every validation" aria-label="Predicted against actual loss for every validation"></canvas></div>
    <p class="key">Each point: a law fitted without some data, its prediction for that data against what was observed. On the diagonal: exact. ●: a run's curve fitted on the first 20, 30 or 50% of its points, predicting its last step. ▲: a family law refitted without its largest finished run (never a live run's forecast).</p>
    <table id="validations"><caption>Validations</caption><thead><tr><th scope="col">Subject</th><th scope="col">Method</th><th scope="col" class="num">Predicted</th><th scope="col" class="num">Actual</th><th scope="col" class="num">Error</th></tr></thead><tbody></tbody></table>`,
  draw,
};
