// "Plan Experiments" in the scaling view: the ladder's planned runs as hollow markers at their
// planned (N, D) and the loss the family's law gives there, and the target with its 80% loss
// interval now (thin) and as it would be after the ladder (thick). Re-planned runs change status:
// training runs are drawn fainter, runs no longer needed as ×, finished ones are the runs' own points.
import type { DashboardState, LadderOverlay } from '../../src/shared/protocol';
import { formatCount, formatFlops, formatInterval } from '../../src/shared/format';
import { exact, lineWidth, type DS } from '../chartKit';
import { legendPath, type ScalingMark } from '../../src/shared/scalingKey';

type Axis = DashboardState['scalingX'];

function pct(interval: readonly [number, number], centre: number): string {
  return `±${(((interval[1] - interval[0]) / 2 / centre) * 100).toFixed(1)}%`;
}

/** The overlay's datasets; `markers` counts the planned runs drawn (the test API reads it); `marks` what the caption explains. */
export function ladderSets(ladder: LadderOverlay, x: Axis, fg: string, faint: string): { sets: DS[]; markers: number; note: string; marks: ScalingMark[] } {
  const sets: DS[] = [];
  const marks: ScalingMark[] = ['ladder_target'];
  const at = (p: { params: number; tokens: number; flops: number }) => p[x];
  const describe = (r: LadderOverlay['runs'][number]) =>
    `ladder run ${r.order} (${r.id}, ${r.status}): N ${formatCount(r.params)}, D ${formatCount(r.tokens)}, ${formatFlops(r.flops)} FLOPs, law ${exact(r.loss)}`;
  const planned = ladder.runs.filter((r) => r.status === 'planned');
  const running = ladder.runs.filter((r) => r.status === 'running');
  const notNeeded = ladder.runs.filter((r) => r.status === 'not-needed');
  if (planned.length) {
    marks.push('ladder_planned');
    sets.push({
      label: 'ladder · planned runs',
      data: planned.map((r) => ({ x: at(r), y: r.loss, text: describe(r) })),
      showLine: false,
      pointStyle: 'rect',
      pointRadius: 7,
      borderWidth: 2,
      borderColor: fg,
      backgroundColor: 'transparent',
      clip: false,
    });
  }
  if (running.length) {
    marks.push('ladder_training');
    sets.push({
      label: 'ladder · training',
      data: running.map((r) => ({ x: at(r), y: r.loss, text: describe(r) })),
      showLine: false,
      pointStyle: 'rect',
      pointRadius: 7,
      borderWidth: 2,
      borderColor: faint,
      backgroundColor: 'transparent',
      clip: false,
    });
  }
  if (notNeeded.length) {
    marks.push('ladder_not_needed');
    sets.push({
      label: 'ladder · no longer needed',
      data: notNeeded.map((r) => ({ x: at(r), y: r.loss, text: describe(r) })),
      showLine: false,
      pointStyle: 'crossRot',
      pointRadius: 7,
      borderWidth: 2,
      borderColor: faint,
      backgroundColor: 'transparent',
      clip: false,
    });
  }
  const t = ladder.target;
  const tx = at(t);
  // Now and after side by side (a few percent apart on the log axis), so both bars stay visible.
  if (t.now)
    sets.push({
      label: 'target 80% now',
      data: [
        { x: tx / 1.08, y: t.now[0], text: `target now ${formatInterval(t.now)}` },
        { x: tx / 1.08, y: t.now[1], text: `target now ${formatInterval(t.now)}` },
      ],
      borderColor: faint,
      borderWidth: lineWidth(2),
      pointRadius: 0,
      // A bar: the legend shows a line of its width, not a dot.
      pointStyle: 'line',
    });
  if (Number.isFinite(t.planned[0]) && Number.isFinite(t.planned[1])) {
    sets.push({
      label: 'target 80% after the ladder',
      data: [
        { x: tx * 1.08, y: t.planned[0], text: `target after the ladder ${formatInterval(t.planned)}` },
        { x: tx * 1.08, y: t.planned[1], text: `target after the ladder ${formatInterval(t.planned)}` },
      ],
      borderColor: fg,
      borderWidth: lineWidth(4),
      pointRadius: 0,
      pointStyle: 'line',
    });
  }
  sets.push({
    label: `ladder target: ${legendPath(t.label)}`,
    data: [{ x: tx, y: t.loss, text: `target ${t.label}: N ${formatCount(t.params)}, D ${formatCount(t.tokens)}, loss ${exact(t.loss)}` }],
    showLine: false,
    pointStyle: 'triangle',
    pointRadius: 9,
    borderWidth: 2,
    borderColor: fg,
    backgroundColor: 'transparent',
    clip: false,
  });
  const widths = `${t.now ? `${pct(t.now, t.loss)} now → ` : ''}${Number.isFinite(t.planned[0]) ? pct(t.planned, t.loss) : '?'} after`;
  const note = ` · ladder: ${planned.length} planned${running.length ? `, ${running.length} training` : ''}${notNeeded.length ? `, ${notNeeded.length} no longer needed` : ''}; target ${widths}`;
  return { sets, markers: planned.length, note, marks };
}
