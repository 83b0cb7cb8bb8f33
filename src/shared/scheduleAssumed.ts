// The words for a forecast whose future learning-rate schedule is assumed (fit/plannedSchedule.ts):
// one sentence shared by the status bar tooltip, the dashboard table and the CLI, and one short form
// beside a forecast (status bar, dashboard table, lens tooltip, `scan`, `curve`).

import { formatInteger } from './format';

/** `fromStep`: the last logged LR step, held from there to the end. */
export function scheduleAssumedSentence(fromStep: number): string {
  return `Schedule assumed: no config names the LR schedule, so the LR logged at step ${formatInteger(fromStep)} is held to the end; the interval reaches down to where the LR falling to 0 would take the loss.`;
}

/** The short mark beside a forecast whose schedule is assumed. */
export const SCHEDULE_ASSUMED = 'schedule assumed';

/** The short mark with the step the LR is held from (`scan`, `curve`), and `more` said inside the brackets. */
export function scheduleAssumedShort(fromStep: number, more?: string): string {
  return `${SCHEDULE_ASSUMED} (LR held from step ${fromStep}${more ? `; ${more}` : ''})`;
}
