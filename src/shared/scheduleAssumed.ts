// The words for a forecast whose future learning-rate schedule is assumed (fit/plannedSchedule.ts):
// one sentence shared by the status bar tooltip, the dashboard table and the CLI.

import { formatInteger } from './format';

/** `fromStep`: the last logged LR step, held from there to the end. */
export function scheduleAssumedSentence(fromStep: number): string {
  return `Schedule assumed: no config names the LR schedule, so the LR logged at step ${formatInteger(fromStep)} is held to the end; the interval reaches down to where the LR falling to 0 would take the loss.`;
}
