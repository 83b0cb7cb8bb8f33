// What a step that does not follow the last one means. A series rewinds (drops its points from
// that step on) when a resumed run logs its steps again from its checkpoint; a negative step is a
// stray line and must not wipe a run's history; and no rewind happens without the user being told.
import type { Diagnostic } from '../diagnostics';

export type StepVerdict = 'append' | 'replace' | 'negative' | 'rewind';

/**
 * `step` after the series' last step `last` (-Infinity when empty). A negative step is dropped (no
 * trainer counts below 0); any other step back rewinds, reported.
 */
export function judgeStep(step: number, last: number): StepVerdict {
  if (step < 0) return 'negative';
  if (step > last) return 'append';
  // The last step logged again (a summary line repeating the final loss): its value is replaced.
  if (step === last) return 'replace';
  // A step back then forward again could be one stray point or a relaunch appended to the same log
  // that resumed from a checkpoint (nanoGPT's "Resuming training"): the log does not tell them apart,
  // and the latest write must win for a relaunch. It rewinds, and every rewind is reported.
  return 'rewind';
}

/** What one batch of one metric did besides appending, to be told as diagnostics. */
export class StepReport {
  negative = 0;
  firstNegative = 0;
  readonly rewinds: { step: number; after: number; dropped: number }[] = [];

  noteNegative(step: number): void {
    if (this.negative++ === 0) this.firstNegative = step;
  }

  diagnostics(file: string, metric: string): Diagnostic[] {
    const out: Diagnostic[] = [];
    if (this.negative > 0) {
      out.push({ file, severity: 'warning', message: `${metric}: ${this.negative === 1 ? 'a point' : `${this.negative} points`} with a negative step (first ${this.firstNegative}) dropped; the history is kept` });
    }
    for (const r of this.rewinds) {
      out.push({ file, severity: 'info', message: `${metric}: step ${r.step} after step ${r.after}: the log went back (a resumed run logging its steps again); ${r.dropped} earlier point(s) from step ${r.step} on replaced` });
    }
    return out;
  }
}

/**
 * A column's points without its negative steps (judged against `last`, the series' last
 * held step), the rewinds it makes noted in `report`. Undefined when every step rises past `last`
 * (the common case: nothing is copied).
 */
export function orderColumn(steps: Float64Array, values: Float64Array, count: number, last: number, report: StepReport): { steps: Float64Array; values: Float64Array; count: number } | undefined {
  let clean = count === 0 || steps[0] > last;
  for (let i = 1; clean && i < count; i++) if (!(steps[i] > steps[i - 1])) clean = false;
  if (clean) return undefined;
  const outSteps = new Float64Array(count);
  const outValues = new Float64Array(count);
  let n = 0;
  let held = last;
  for (let i = 0; i < count; i++) {
    const step = steps[i];
    const verdict = judgeStep(step, held);
    if (verdict === 'negative') {
      report.noteNegative(step);
      continue;
    }
    if (verdict === 'rewind') {
      let dropped = 0;
      for (let k = n - 1; k >= 0 && outSteps[k] >= step; k--) dropped++;
      report.rewinds.push({ step, after: held, dropped });
    }
    outSteps[n] = step;
    outValues[n] = values[i];
    n++;
    held = step;
  }
  return { steps: outSteps, values: outValues, count: n };
}
