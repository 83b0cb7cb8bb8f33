// The learning rate of a live run's steps still to come, from the schedule its config names. A log
// holds the LR only up to its last step; held at that value (curveChoice.ts's fallback), a cosine
// run 30% in would be forecast as if it never decayed. The config's schedule is rebuilt per step
// and used only when it agrees with the LR the run logged so far.
import type { LrSchedule } from '../configs/types';
import { buildSchedule, MAX_SCHEDULE_STEPS, type ScheduleKind, type ScheduleSpec } from '../laws/schedule';

/** Schedule names (Hugging Face `lr_scheduler_type`, and the same shapes in other trainers) → the shape rebuilt. */
const KINDS: Record<string, ScheduleKind> = {
  constant: 'constant',
  constant_with_warmup: 'constant',
  linear: 'linear',
  linear_decay_with_warmup: 'linear',
  cosine: 'cosine',
  cosine_with_min_lr: 'cosine',
  cosine_with_warmup: 'cosine',
  warmup_stable_decay: 'wsd',
};
/** HF `warmup_stable_decay`'s `decay_type` names → schedule.ts's decay shapes. */
const DECAY_SHAPES: Record<string, ScheduleSpec['decayShape']> = { linear: 'linear', cosine: 'cosine', '1-sqrt': 'sqrt' };

/** Largest gap between the rebuilt and the logged LR, as a fraction of the peak, for the two to agree. */
const AGREEMENT = 0.02;

/** The per-step spec of a config's schedule; undefined for a shape it cannot rebuild (then the log is all there is). */
export function scheduleSpecOf(schedule: LrSchedule, peakLr: number, totalSteps: number): ScheduleSpec | undefined {
  const kind = KINDS[schedule.type];
  if (!kind || !(peakLr > 0) || !(totalSteps > 0)) return undefined;
  const spec: ScheduleSpec = { kind, peakLr, totalSteps, warmupSteps: schedule.warmupSteps ?? 0, minLr: (schedule.minLrRatio ?? 0) * peakLr };
  if (kind === 'wsd') {
    // HF's warmup_stable_decay needs num_decay_steps; without it the shape is not known.
    if (schedule.decaySteps === undefined) return undefined;
    spec.decaySteps = schedule.decaySteps;
    const shape = DECAY_SHAPES[schedule.decayShape ?? 'linear'];
    if (!shape) return undefined;
    spec.decayShape = shape;
  }
  return spec;
}

export interface PlannedRun {
  schedule?: LrSchedule;
  peakLr?: number;
  maxSteps?: number;
}

/**
 * The run's LR at every step to its planned end, rebuilt from its config, when its log stops before
 * that end and the rebuilt LR matches the logged one (within 2% of the peak at every logged step).
 */
export function plannedSchedule(
  run: PlannedRun,
  logged: { steps: ArrayLike<number>; values: ArrayLike<number> } | undefined,
): { lr: Float64Array; description: string } | undefined {
  if (!run.schedule || run.peakLr === undefined || run.maxSteps === undefined || !logged || logged.steps.length < 2) return undefined;
  // One value per step: past the cap the curve laws' own choice applies (a config's max_steps is untrusted input).
  if (!(run.maxSteps <= MAX_SCHEDULE_STEPS)) return undefined;
  const spec = scheduleSpecOf(run.schedule, run.peakLr, run.maxSteps);
  if (!spec) return undefined;
  let lastLogged = 0;
  for (let i = 0; i < logged.steps.length; i++) lastLogged = Math.max(lastLogged, logged.steps[i]);
  if (lastLogged >= run.maxSteps) return undefined;
  const lr = buildSchedule(spec);
  for (let i = 0; i < Math.min(logged.steps.length, logged.values.length); i++) {
    const s = Math.round(logged.steps[i]);
    if (s < 1 || s > run.maxSteps || !Number.isFinite(logged.values[i])) continue;
    if (Math.abs(lr[s] - logged.values[i]) > AGREEMENT * run.peakLr) return undefined;
  }
  const min = spec.minLr ? `, to ${spec.minLr.toPrecision(2)}` : '';
  return { lr, description: `config's ${run.schedule.type} schedule (peak ${run.peakLr}${min}, ${run.maxSteps} steps), which matches the LR logged so far` };
}
