// Scaling across runs: each run's final (or predicted final) loss against N, D or compute, with the
// family law, its band, the compute-optimal frontier and the config open in the editor.
import type { TooltipItem } from 'chart.js';
import type { DashboardState, Snapshot } from '../../src/shared/protocol';
import { formatCount, formatFlops, formatInterval } from '../../src/shared/format';
import { notInFitTooltip, scalingSeries, shownLadder, type ScalingPointOut } from '../../src/shared/chartSeries';
import { appendAll, maxOf, minOf } from '../../src/shared/arrays';
import { $, bandSets, baseOptions, colours, drawOn, exact, highContrast, lineWidth, tickLabel, type DS, type Pt } from '../chartKit';
import { categorical, runColours } from '../palette';
import { bindSelect } from '../controls';
import { shortFamilyName } from '../../src/shared/displayName';
import { drawn, focusedRun, store, update } from '../store';
import type { ViewModule } from './view';
import { ladderSets } from './ladderOverlay';
import { legendPath, PLANNED_MARKER, scalingKey, type ScalingMark } from '../../src/shared/scalingKey';

const SCALING_TITLES = { params: 'parameters N', tokens: 'training tokens D', flops: 'training compute C = 6·N·D (FLOPs)' } as const;

function draw(snapshot: Snapshot): { points: number; note?: string } {
  const state = store.state;
  const focus = store.focus;
  const { fg, grid } = colours();
  const x = state.scalingX;
  const yLog = state.yScale === 'logarithmic';
  const families = [...new Set(snapshot.runs.map((r) => r.family))].sort();
  const palette = runColours(snapshot, state.colourBy);
  // Points take their run's colour ("colour by"); a law and its band the family's, or the text colour when there is one family.
  const familyColour = (family: string, alpha = 1) =>
    families.length > 1
      ? categorical(Math.max(0, families.indexOf(family)), alpha)
      : fg.startsWith('#') && fg.length === 7
        ? `${fg}${Math.round(alpha * 255)
            .toString(16)
            .padStart(2, '0')}`
        : fg;
  const pointColours = (points: ScalingPointOut[], alpha = 1) => points.map((p) => (p.runId ? palette.of(p.runId, alpha) : familyColour('', alpha)));
  const sets: DS[] = [];
  const picked = focusedRun();
  const at = (p: ScalingPointOut, text: string): Pt => ({ x: p[x], y: p.loss, text: p.name ? `${p.name}: ${text}` : text });
  const lowers = new Map<string, Pt[]>();
  const all = scalingSeries(snapshot, state, store.planned).filter((series) => series.points.length > 0);
  // The legend names the family only when the chart shows several (two lines of legend, not three, with a ladder).
  const manyFamilies = new Set(all.map((series) => series.family)).size > 1;
  const marks = new Set<ScalingMark>();
  for (const series of all) {
    // Families by their short label in the legend (the full name in the family laws table's tooltip).
    const s = { ...series, family: shortFamilyName(series.family) };
    const named = (what: string) => (manyFamilies ? `${s.family} · ${what}` : what);
    if (s.kind !== 'law_lower' && s.kind !== 'law_upper') marks.add(s.kind);
    if (s.kind === 'law' && s.provisional !== undefined) marks.add('law_provisional');
    const hue = (_: unknown, alpha = 1) => familyColour(series.family, alpha);
    const c = 0;
    switch (s.kind) {
      case 'final':
        sets.push({
          label: named('final loss'),
          data: s.points.map((p) => at(p, `final loss ${exact(p.loss)}`)),
          showLine: false,
          pointStyle: 'circle',
          pointRadius: 6,
          borderColor: pointColours(s.points),
          backgroundColor: pointColours(s.points),
        });
        break;
      case 'held_out':
        sets.push({
          label: named('held out'),
          data: s.points.map((p) => at(p, `final loss ${exact(p.loss)}, held out of the validation fit`)),
          showLine: false,
          pointStyle: 'rectRot',
          pointRadius: 8,
          borderColor: fg,
          borderWidth: 2,
          backgroundColor: pointColours(s.points),
        });
        break;
      case 'predicted':
        sets.push({
          label: named('predicted final (live)'),
          data: s.points.map((p) => at(p, `predicted final ${exact(p.loss)} ${p.interval ? formatInterval(p.interval) : ''}`)),
          showLine: false,
          pointStyle: 'circle',
          pointRadius: 6,
          borderColor: pointColours(s.points),
          backgroundColor: 'transparent',
          borderWidth: 2,
        });
        for (const p of s.points) {
          if (p.interval)
            sets.push({
              label: `${p.name} · interval`,
              data: [
                { x: p[x], y: p.interval[0] },
                { x: p[x], y: p.interval[1] },
              ],
              borderColor: p.runId ? palette.of(p.runId, 0.7) : hue(c, 0.7),
              borderWidth: lineWidth(1.5),
              pointRadius: 0,
            });
        }
        break;
      case 'not_in_fit':
        drawn.notInFit += s.points.length;
        // Not what the law was fitted to: hollow and grey, whatever the run's colour; why in the tooltip.
        sets.push({
          label: named('not in the fit'),
          data: s.points.map((p) => at(p, notInFitTooltip(p, exact))),
          showLine: false,
          pointStyle: 'circle',
          pointRadius: 6,
          // Neutral grey, readable on light and dark themes, whatever the family's colour.
          borderColor: 'rgba(128,128,128,0.85)',
          backgroundColor: 'transparent',
          borderWidth: 2,
        });
        break;
      case 'law_lower':
        lowers.set(
          series.family,
          s.points.map((p) => ({ x: p[x], y: p.loss })),
        );
        break;
      case 'law_upper':
        appendAll(
          sets,
          bandSets(
            `${s.family} law`,
            lowers.get(series.family) ?? [],
            s.points.map((p) => ({ x: p[x], y: p.loss })),
            hue(c, highContrast() ? 0.3 : 0.12),
          ),
        );
        break;
      case 'law':
        // A provisional law (a first scan's) says so in its legend and every tooltip.
        sets.push({
          label: named(`law${s.provisional !== undefined ? ' (provisional)' : ''} at ${s.note ?? ''}`),
          data: s.points.map((p) => ({
            x: p[x],
            y: p.loss,
            text: `N ${formatCount(p.params)}, D ${formatCount(p.tokens)}: ${exact(p.loss)}${s.provisional !== undefined ? ` (provisional) ${s.provisional}` : ''}`,
          })),
          borderColor: hue(c, 0.9),
          borderDash: [7, 5],
          borderWidth: lineWidth(1.5),
          pointRadius: 0,
          pointStyle: 'line',
        });
        break;
      case 'broken_law':
        // The broken law the core fitted where the family bends: long dashes, beside the law's short ones.
        sets.push({
          label: named(`broken law (one break)${s.provisional !== undefined ? ' (provisional)' : ''}`),
          data: s.points.map((p) => ({
            x: p[x],
            y: p.loss,
            text: `broken law at C ${formatFlops(p.flops)} FLOPs (N ${formatCount(p.params)}, D ${formatCount(p.tokens)}): ${exact(p.loss)}${s.provisional !== undefined ? ' (provisional)' : ''}`,
          })),
          borderColor: hue(c, 0.9),
          borderDash: [14, 6],
          borderWidth: lineWidth(2),
          pointRadius: 0,
          pointStyle: 'line',
        });
        break;
      case 'planned_law':
        // The law continued to the planned config along its own D/N: dotted, ending at the star.
        sets.push({
          label: named(`law${s.provisional !== undefined ? ' (provisional)' : ''} to planned at ${s.note ?? ''}`),
          data: s.points.map((p) => ({
            x: p[x],
            y: p.loss,
            text: `law at ${s.note ?? ''}: N ${formatCount(p.params)}, D ${formatCount(p.tokens)}: ${exact(p.loss)}`,
          })),
          borderColor: fg,
          borderDash: [2, 3],
          borderWidth: lineWidth(1.5),
          pointRadius: 0,
          pointStyle: 'line',
        });
        break;
      case 'planned': {
        const p = s.points[0];
        const file = s.note ?? '';
        // Picked out by a link: a larger star, so the eye finds it among the runs.
        const isFocus = !!focus && 'planned' in focus && focus.planned === file;
        if (isFocus) drawn.focus = true;
        sets.push({
          label: `planned${p.provisional !== undefined ? ' (provisional)' : ''}: ${legendPath(file)}`,
          data: [
            {
              x: p[x],
              y: p.loss,
              text: `planned ${file}: N ${formatCount(p.params)}, D ${formatCount(p.tokens)}, predicted ${exact(p.loss)} ${p.interval ? formatInterval(p.interval) : ''}${p.provisional !== undefined ? `(provisional) ${p.provisional}` : ''}`,
            },
          ],
          showLine: false,
          pointStyle: PLANNED_MARKER.pointStyle,
          pointRadius: isFocus ? 16 : 11,
          borderWidth: isFocus ? 3 : 2,
          borderColor: fg,
          backgroundColor: fg,
          clip: false,
        });
        if (p.interval)
          sets.push({
            label: `${file} · interval`,
            data: [
              { x: p[x], y: p.interval[0] },
              { x: p[x], y: p.interval[1] },
            ],
            borderColor: fg,
            borderWidth: lineWidth(1.5),
            pointRadius: 0,
          });
        drawn.planned = true;
        break;
      }
      case 'frontier':
        sets.push({
          label: named(`compute-optimal frontier${s.provisional !== undefined ? ' (provisional)' : ''}`),
          data: s.points.map((p) => ({
            x: p[x],
            y: p.loss,
            text: `optimal at ${formatFlops(p.flops)} FLOPs: N ${formatCount(p.params)}, D ${formatCount(p.tokens)}, loss ${exact(p.loss)}${s.provisional !== undefined ? ' (provisional)' : ''}`,
          })),
          // Broad and faint, drawn behind: the law (dashed, on top) often runs along it.
          borderColor: families.length > 1 ? hue(c, 0.35) : familyColour('', 0.3),
          borderWidth: lineWidth(7),
          pointRadius: 0,
          pointStyle: 'line',
          order: 5,
        });
        break;
    }
    // A picked-out run's point gets a ring around it.
    const mine = picked ? s.points.find((p) => p.runId === picked) : undefined;
    if (mine && (s.kind === 'final' || s.kind === 'held_out' || s.kind === 'predicted' || s.kind === 'not_in_fit')) {
      sets.push({
        label: `${mine.name} · focus`,
        data: [at(mine, `picked out: ${exact(mine.loss)}`)],
        showLine: false,
        pointStyle: 'circle',
        pointRadius: 11,
        borderColor: fg,
        borderWidth: 2,
        backgroundColor: 'transparent',
      });
      drawn.focus = true;
    }
  }
  // A ladder from "Plan Experiments": its planned runs and the target's interval now and after (of the filtered family only).
  const shown = shownLadder(store.ladder, state);
  const ladder = shown ? ladderSets(shown, x, fg, familyColour('', 0.45)) : undefined;
  for (const set of ladder?.sets ?? []) sets.push(set);
  for (const mark of ladder?.marks ?? []) marks.add(mark);
  drawn.ladder = ladder?.markers ?? 0;
  // The caption explains what this draw shows, no more.
  $('scalingKey').textContent = scalingKey(marks);
  // Every point inside the plot, the planned star too, with a margin so no marker sits on the edge.
  const xs = sets.flatMap((d) => d.data.map((p) => p.x)).filter((v) => v > 0 && Number.isFinite(v));
  const xRange = xs.length ? { min: minOf(xs) / 1.6, max: maxOf(xs) * 1.6 } : {};
  const options = baseOptions(fg, grid);
  options.scales = {
    x: {
      type: 'logarithmic',
      ...xRange,
      title: { display: true, text: SCALING_TITLES[x], color: fg },
      ticks: { color: fg, maxRotation: 0, autoSkipPadding: 12, callback: (v) => tickLabel(Number(v), true, x === 'flops' ? 'flops' : 'count') },
      grid: { color: grid },
    },
    y: {
      type: state.yScale,
      title: { display: true, text: 'final loss (nats)', color: fg },
      ticks: { color: fg, callback: (v) => tickLabel(Number(v), yLog, 'loss') },
      grid: { color: grid },
    },
  };
  options.interaction = { mode: 'nearest', intersect: true };
  options.plugins!.tooltip = {
    ...options.plugins!.tooltip,
    callbacks: { label: (item: TooltipItem<'line'>) => (item.raw as Pt).text ?? `${exact((item.raw as Pt).y)}` },
  };
  return { points: drawOn('scaling', sets, options), note: ladder?.note };
}

function mount(): void {
  bindSelect<DashboardState['scalingX']>('scalingX', store.state.scalingX, (scalingX) => update({ scalingX }));
}

export const scalingView: ViewModule = {
  id: 'scaling',
  markup: `
    <div class="controls" role="group" aria-label="Scaling options">
      <span class="field">x <vscode-single-select id="scalingX" label="x axis"><vscode-option value="flops">compute (FLOPs)</vscode-option><vscode-option value="params">parameters</vscode-option><vscode-option value="tokens">tokens</vscode-option></vscode-single-select></span>
    </div>
    <div class="chart"><canvas id="scaling" role="img" data-title="Final loss of each run against size, tokens or compute, with the family law" aria-label="Final loss of each run against size, tokens or compute, with the family law"></canvas></div>
    <p class="key" id="scalingKey"></p>`,
  mount,
  draw,
};
