// The learning rate of a live run's steps still to come, from the schedule its config names. A log
// holds the LR only up to its last step; held at that value (curveChoice.ts's fallback), a cosine
// run 30% in would be forecast as if it never decayed. The config's schedule is rebuilt per step
// and used only when it agrees with the LR the run logged so far.
import type { LrSchedule } from '../configs/types';
import { buildSchedule, MAX_SCHEDULE_STEPS, type ScheduleKind, type ScheduleSpec } from '../laws/schedule';
import { createMultipowerLaw } from '../laws/multipower';

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

/**
 * The last step of a logged LR that stops before `targetStep` (the engine then holds that LR to
 * the end, curveChoice.ts): the forecast's future schedule is assumed from there. Undefined when
 * the LR is logged to the target, or not logged at all.
 */
export function lrHeldFrom(logged: { steps: ArrayLike<number> } | undefined, targetStep: number): number | undefined {
  if (!logged || logged.steps.length < 2) return undefined;
  let last = -Infinity;
  for (let i = 0; i < logged.steps.length; i++) if (Number.isFinite(logged.steps[i])) last = Math.max(last, logged.steps[i]);
  return last >= 1 && last < targetStep ? last : undefined;
}

/**
 * The lowest final loss the same multi-power fit reaches when the held LR still falls to 0 by
 * `targetStep`: the lower of a linear decay from `heldFrom` and a cooldown over the last 20% of the
 * steps (a WSD end). A run whose schedule is not known may still decay (most do); held, its
 * forecast is that of a constant LR, the highest. On the shared Multi-Power-Law curves, 10–30%
 * prefixes with the LR held, the truth lay between this and the held forecast in every sibling
 * forecast (`npm run validate`, "schedule assumed"). `params`: multi-power parameters (fit space).
 */
export function decayedFinal(heldLr: Float64Array, heldFrom: number, targetStep: number, params: readonly number[]): number {
  const end = Math.min(targetStep, heldLr.length - 1);
  const from = Math.max(1, Math.min(Math.round(heldFrom), end));
  const cool = Math.max(from, Math.round(0.8 * end));
  const linear = heldLr.slice(0, end + 1);
  const cooldown = heldLr.slice(0, end + 1);
  for (let s = from + 1; s <= end; s++) {
    linear[s] = heldLr[s] * (1 - (s - from) / (end - from));
    if (s > cool) cooldown[s] = heldLr[s] * (1 - (s - cool) / (end - cool));
  }
  const at = (lr: Float64Array) => createMultipowerLaw([lr]).evaluate(params, [end, 0]);
  return Math.min(at(linear), at(cooldown));
}

/**
 * Log room below a forecast from the run's own prefix alone whose schedule is assumed (its fit
 * cannot tell the drop term, so `decayedFinal` of it is not trusted: −52% to +3% on the shared
 * curves). Derived leave-one-size-out in `npm run validate` ("schedule assumed"), see the report.
 */
export const ASSUMED_SCHEDULE_DROP = 0.026;

/**
 * A forecast whose schedule past `heldFrom` is assumed (LR held): its interval reaches down to where
 * the LR falling to 0 would take it, `decayed` (undefined for a forecast from the run alone: then
 * `ASSUMED_SCHEDULE_DROP` below the value), less the interval's own log half-width below.
 */
export function assumedScheduleInterval(interval: [number, number], value: number, decayed: number | undefined): [number, number] {
  const below = value > 0 && interval[0] > 0 ? Math.log(value / interval[0]) : 0;
  const floor = decayed !== undefined && decayed > 0 && Number.isFinite(decayed) ? decayed * Math.exp(-below) : value * Math.exp(-ASSUMED_SCHEDULE_DROP);
  return [Math.min(interval[0], floor), interval[1]];
}
