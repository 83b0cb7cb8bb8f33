// What a step that does not follow the last one means. A series rewinds (drops its points from that
// step on) only when the log says a resumed run is logging its steps again: a line announcing the
// resume before it, or the resumed run's overlap itself (the step back is followed by steps that
// rise again below the old last step). A lone step back that the next point leaves behind (it
// continues past the old last step) is a stray line: dropped, the history kept. A negative step is
// always dropped. Every rewind and every dropped point is told, with the file and line.
import type { Diagnostic } from '../diagnostics';

/**
 * Lines that announce a resumed run in training stdout: nanoGPT's "Resuming training from out",
 * HF Trainer's "Continuing training from checkpoint", Lightning's "Restoring states from the
 * checkpoint", Megatron/DeepSpeed "loading checkpoint … at iteration". Verb forms only, so a config
 * dump's `resume_from_checkpoint: null` is no announcement. Linear: one bounded gap, no nesting.
 */
export const RESUME_LINE =
  /\b(?:resuming|resumed|restoring|restored|continuing training|loading checkpoint|loaded checkpoint)\b.{0,120}?\b(?:checkpoint|ckpt|training|from|iteration|step)\b/i;

/** Where a point was read: a 1-based line, or a byte offset in a binary log. */
export interface PointPlace {
  line?: number;
  offset?: number;
}

/** A step back held until the series' next point says whether it was a resume or a stray line. */
export interface HeldStep extends PointPlace {
  step: number;
  value: number;
  /** The series' last step when it came. */
  after: number;
}

/** What a series carries between reads to judge its steps (lives with the stored series). */
export interface SeriesOrder {
  held?: HeldStep;
  /** The line of a resume the log announced; the series' next point may go back at once. Spent by that point. */
  announced?: number;
}

/** The store a series is put into (SeriesColumns). */
export interface PointSink {
  lastStep(): number;
  /** Store a point; a step at or before the last drops the points from it on first. */
  put(step: number, value: number): boolean;
  /** How many stored points have a step at or after `step`. */
  countFrom(step: number): number;
}

interface Rewind extends PointPlace {
  step: number;
  after: number;
  dropped: number;
  why: 'announced' | 'overlap';
  announcedAt?: number;
}

interface Stray extends PointPlace {
  step: number;
  after: number;
  next: number;
}

/** What one metric's points did besides appending in one read, to be told as diagnostics. */
export class StepReport {
  negative = 0;
  firstNegative = 0;
  firstNegativePlace: PointPlace = {};
  readonly rewinds: Rewind[] = [];
  readonly strays: Stray[] = [];
  /** A step back still held at the end of the read (its verdict waits for the next point). */
  held?: HeldStep;

  noteNegative(step: number, place: PointPlace = {}): void {
    if (this.negative++ === 0) {
      this.firstNegative = step;
      this.firstNegativePlace = place;
    }
  }

  diagnostics(file: string, metric: string): Diagnostic[] {
    const out: Diagnostic[] = [];
    if (this.negative > 0) {
      out.push({
        file,
        ...where(this.firstNegativePlace),
        severity: 'warning',
        message: `${metric}: ${this.negative === 1 ? 'a point' : `${this.negative} points`} with a negative step (first ${this.firstNegative}) dropped; the history is kept`,
      });
    }
    for (const r of this.rewinds) {
      const because =
        r.why === 'announced'
          ? `the log announced a resume${r.announcedAt !== undefined ? ` at line ${r.announcedAt}` : ''}`
          : 'the steps after it rise again below the old last step, a resumed run logging its steps again';
      out.push({
        file,
        ...where(r),
        severity: 'info',
        message: `${metric}: step ${r.step} after step ${r.after}: the log went back (${because}); ${r.dropped} earlier point(s) from step ${r.step} on replaced`,
      });
    }
    for (const s of this.strays) {
      out.push({
        file,
        ...where(s),
        severity: 'warning',
        message: `${metric}: stray step ${s.step} after step ${s.after} (the next point, step ${s.next}, continues the run and no resume was announced): the point is dropped, the history kept`,
      });
    }
    if (this.held !== undefined) {
      const h = this.held;
      out.push({
        file,
        ...where(h),
        severity: 'info',
        message: `${metric}: step ${h.step} after step ${h.after} is held back: the next point will tell a resumed run (steps rising again below ${h.after}) from a stray line`,
      });
    }
    return out;
  }
}

function where(p: PointPlace): PointPlace {
  return p.line !== undefined ? { line: p.line } : p.offset !== undefined ? { offset: p.offset } : {};
}

/**
 * Put one point into a series under the rules above. Returns the smallest step the series was
 * rewound from (Infinity when none), for the caller to drop marks (non-finite losses) past it.
 */
export function placePoint(order: SeriesOrder, sink: PointSink, step: number, value: number, place: PointPlace, report: StepReport): number {
  if (step < 0) {
    report.noteNegative(step, place);
    return Infinity;
  }
  const announced = order.announced;
  order.announced = undefined;
  const held = order.held;
  if (held !== undefined) {
    order.held = undefined;
    if (report.held === held) report.held = undefined;
    if (step > held.step && step <= held.after) {
      // The resumed run's overlap: the held step was where it restarted.
      const dropped = sink.countFrom(held.step);
      sink.put(held.step, held.value);
      report.rewinds.push({ step: held.step, after: held.after, dropped, why: 'overlap', ...where(held) });
      sink.put(step, value);
      return held.step;
    }
    if (step === held.step) {
      // The same step again: the later row wins, still held.
      held.value = value;
      if (place.line !== undefined) held.line = place.line;
      order.held = held;
      report.held = held;
      return Infinity;
    }
    // Past the old last step (or back again): the held point was a stray line.
    report.strays.push({ step: held.step, after: held.after, next: step, ...where(held) });
  }
  const last = sink.lastStep();
  // Forward, or the last step logged again (a summary line repeating the final loss: its value replaced).
  if (step >= last) {
    sink.put(step, value);
    return step === last ? step : Infinity;
  }
  if (announced !== undefined) {
    const dropped = sink.countFrom(step);
    sink.put(step, value);
    report.rewinds.push({ step, after: last, dropped, why: 'announced', announcedAt: announced, ...where(place) });
    return step;
  }
  const h: HeldStep = { step, value, after: last, ...where(place) };
  order.held = h;
  report.held = h;
  return Infinity;
}

/** A resume announced by the log: every series of the file may go back at its next point. */
export function announceResume(orders: Iterable<SeriesOrder>, line: number): void {
  for (const o of orders) o.announced = line;
}

/**
 * True when a column can be stored as is: nothing held or announced, every step rising past `last`.
 * `rising`: the writer has kept track that the steps rise (MetricColumn.rising), so they are not scanned.
 */
export function isCleanColumn(order: SeriesOrder, steps: Float64Array, count: number, last: number, rising = false): boolean {
  if (order.held !== undefined || order.announced !== undefined) return false;
  if (count === 0) return true;
  if (!(steps[0] > last)) return false;
  if (rising) return true;
  for (let i = 1; i < count; i++) if (!(steps[i] > steps[i - 1])) return false;
  return true;
}
