// Predicted versus actual: every validation the engine ran (a run's curve fitted on a prefix, a
// family law refitted without its largest run), against the diagonal, with a table of them.
import type { TooltipItem } from 'chart.js';
import type { Snapshot, ValidationPoint } from '../../src/shared/protocol';
import { formatLoss } from '../../src/shared/format';
import { shownValidations } from '../../src/shared/chartSeries';
import { $, baseOptions, cell, colours, drawOn, exact, hue, tickLabel, type DS, type Pt } from '../chartKit';
import { store } from '../store';
import type { ViewModule } from './view';

function validationText(v: ValidationPoint): string {
  return `${v.subject} (${v.method}${v.atStep !== undefined ? ` at step ${v.atStep}` : ''}): predicted ${exact(v.predicted)}, actual ${exact(v.actual)}, error ${v.errorPct.toFixed(2)}%`;
}

function draw(snapshot: Snapshot): { points: number; note: string } {
  const state = store.state;
  const { fg, grid } = colours();
  const all = shownValidations(snapshot, state);
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
  for (const v of all) {
    const row = body.insertRow();
    cell(row, v.subject);
    cell(row, v.method + (v.atStep !== undefined ? ` (step ${v.atStep})` : ''));
    cell(row, formatLoss(v.predicted), 'num');
    cell(row, formatLoss(v.actual), 'num');
    cell(row, `${v.errorPct.toFixed(2)}%`, 'num');
  }
  return { points: drawOn('validation', sets, options), note: ` · ${snapshot.validations.length} validations` };
}

export const validationView: ViewModule = {
  id: 'validation',
  markup: `
    <div class="chart"><canvas id="validation" role="img" data-title="Predicted against actual loss for every validation" aria-label="Predicted against actual loss for every validation"></canvas></div>
    <p class="key">Each point: a law fitted without some data, its prediction for that data against what was observed. On the diagonal: exact. ●: a run's curve fitted on the first 20, 30 or 50% of its points, predicting its last step. ▲: a family law refitted without its largest run.</p>
    <table id="validations"><caption>Validations</caption><thead><tr><th scope="col">Subject</th><th scope="col">Method</th><th scope="col" class="num">Predicted</th><th scope="col" class="num">Actual</th><th scope="col" class="num">Error</th></tr></thead><tbody></tbody></table>`,
  draw,
};
