/**
 * Which curve law a run's loss curve is fitted with, and to which step: one decision shared by the
 * `curve` CLI command and the dashboard (workspace), so both report the same prediction for a run.
 *
 * - A learning rate known at every step (a schedule given on the command line or rebuilt from a
 *   config, else the logged LR interpolated between logged steps) selects the schedule-aware
 *   `multipower` law (Luo et al. 2025): a plain power law in steps cannot see a decay or a WSD
 *   cooldown coming, and over-predicts the final loss of any decaying schedule.
 * - Without one, the plain `power` law in steps.
 * - The target is the planned last step (the config's max steps, never before the last logged
 *   step); for a schedule-aware law, the last step of the schedule (where the schedule ends is
 *   where the run ends).
 */
import { MAX_SCHEDULE_STEPS, scheduleFromLog } from '../laws/schedule';
import { isScheduleLaw, type CurveLawId } from './curve';

export { isScheduleLaw };

export interface CurveLawInput {
  /** Last logged step of the loss curve. */
  lastStep: number;
  /** Planned number of steps (config or log), when known. */
  maxSteps?: number;
  /** The logged learning rate, (step, lr) pairs; used when no schedule is given. */
  loggedLr?: { steps: ArrayLike<number>; values: ArrayLike<number> };
  /** A per-step schedule given explicitly (schedule.ts layout), with what it was rebuilt from. */
  givenSchedule?: { lr: Float64Array; description: string };
  /** A law asked for explicitly; otherwise chosen from whether the LR is known. */
  law?: CurveLawId;
  /** How the caller's user gives a schedule, for messages (default "give the schedule"; the CLI: "give --schedule"). */
  howToGiveSchedule?: string;
}

export interface CurveLawChoice {
  lawId: CurveLawId;
  /** The per-step LR handed to the fit: set exactly when `lawId` is schedule-aware. */
  lr?: Float64Array;
  targetStep: number;
  /** What was assumed on the way (rebuilt schedule, LR held past the end of its log). */
  notes: string[];
}

/** A schedule the laws can use: every step's LR finite and ≥ 0, and some LR > 0. */
function usableSchedule(lr: Float64Array): boolean {
  if (lr.length < 2) return false;
  let peak = 0;
  for (let s = 1; s < lr.length; s++) {
    const v = lr[s];
    if (!Number.isFinite(v) || v < 0) return false;
    if (v > peak) peak = v;
  }
  return peak > 0;
}

export function chooseCurveLaw(input: CurveLawInput): CurveLawChoice | { error: string } {
  const lastStep = input.lastStep;
  const plannedEnd = Math.max(input.maxSteps ?? lastStep, lastStep);
  const notes: string[] = [];
  const howTo = input.howToGiveSchedule ?? 'give the schedule';
  let lr: Float64Array | undefined;
  if (input.givenSchedule && usableSchedule(input.givenSchedule.lr)) {
    lr = input.givenSchedule.lr;
    notes.push(`learning rate rebuilt from the ${input.givenSchedule.description}`);
  } else if (input.loggedLr && input.loggedLr.steps.length >= 2 && plannedEnd > MAX_SCHEDULE_STEPS) {
    notes.push(
      `the planned end, step ${plannedEnd}, is past ${MAX_SCHEDULE_STEPS} steps: the logged learning rate is not rebuilt per step (the power law in steps is used)`,
    );
  } else if (input.loggedLr && input.loggedLr.steps.length >= 2) {
    const fromLog = scheduleFromLog(input.loggedLr.steps, input.loggedLr.values, plannedEnd);
    if (usableSchedule(fromLog)) {
      lr = fromLog;
      // A loop, not Math.max(...steps): a long log's steps would overflow the call stack.
      let lrEnd = -Infinity;
      for (let i = 0; i < input.loggedLr.steps.length; i++) if (Number.isFinite(input.loggedLr.steps[i])) lrEnd = Math.max(lrEnd, input.loggedLr.steps[i]);
      if (lrEnd < plannedEnd)
        notes.push(`the log's learning rate stops at step ${lrEnd}; held at its last value to step ${plannedEnd} (${howTo} to rebuild it)`);
    }
  }
  const lawId: CurveLawId = input.law ?? (lr ? 'multipower' : 'power');
  if (!isScheduleLaw(lawId)) return { lawId, targetStep: plannedEnd, notes: lr ? [] : notes };
  if (!lr) return { error: `the ${lawId} law needs the learning rate at every step: log it or ${howTo}` };
  return { lawId, lr, targetStep: lr.length - 1, notes };
}
