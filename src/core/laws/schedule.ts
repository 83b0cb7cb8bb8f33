/**
 * Learning-rate schedules for the schedule-aware laws (`annealing`, `multipower`): the LR at
 * every optimizer step, either taken from a log (interpolated between logged steps) or rebuilt
 * from a config's schedule (warmup + constant / cosine / linear / WSD / step decay).
 *
 * Convention: a schedule is a Float64Array `lr` of length T + 1 where lr[s] is the LR used at
 * step s (1 ≤ s ≤ T); lr[0] repeats lr[1] so that lr[s − 1] − lr[s] is defined at s = 1.
 */

/**
 * Longest schedule rebuilt per step (from a logged LR or a config's): one float per step (80 MB
 * here). A longer planned end is almost surely a misread config (max_steps), and would not fit in
 * memory much further on.
 */
export const MAX_SCHEDULE_STEPS = 10_000_000;

export type ScheduleKind = 'constant' | 'cosine' | 'linear' | 'wsd' | 'step';

export interface ScheduleSpec {
  kind: ScheduleKind;
  peakLr: number;
  totalSteps: number;
  /** Linear warmup from 0 to `peakLr` over this many steps (default 0). */
  warmupSteps?: number;
  /** LR at the end of the decay (cosine, linear, wsd); default 0. */
  minLr?: number;
  /** WSD: length of the final decay phase in steps (default 10% of totalSteps). */
  decaySteps?: number;
  /** WSD: shape of the decay (default linear). */
  decayShape?: 'linear' | 'cosine' | 'sqrt';
  /** step: steps at which the LR is multiplied by `gamma` (default 0.1). */
  milestones?: readonly number[];
  gamma?: number;
}

/** Per-step LR of `spec` (see the module note for the layout). */
export function buildSchedule(spec: ScheduleSpec): Float64Array {
  const T = Math.max(1, Math.floor(spec.totalSteps));
  const W = Math.max(0, Math.min(T, Math.floor(spec.warmupSteps ?? 0)));
  const peak = spec.peakLr;
  const min = spec.minLr ?? 0;
  const lr = new Float64Array(T + 1);
  const decay = Math.max(1, Math.min(T - W, Math.floor(spec.decaySteps ?? Math.round(0.1 * T))));
  const milestones = [...(spec.milestones ?? [])].sort((a, b) => a - b);
  const gamma = spec.gamma ?? 0.1;
  for (let s = 1; s <= T; s++) {
    if (s <= W) {
      lr[s] = (peak * s) / W;
      continue;
    }
    const p = T > W ? (s - W) / (T - W) : 1;
    switch (spec.kind) {
      case 'constant':
        lr[s] = peak;
        break;
      case 'cosine':
        lr[s] = min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * p));
        break;
      case 'linear':
        lr[s] = min + (peak - min) * (1 - p);
        break;
      case 'wsd': {
        const start = T - decay;
        if (s <= start) lr[s] = peak;
        else {
          const q = (s - start) / decay;
          const shape = spec.decayShape ?? 'linear';
          const f = shape === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * q)) : shape === 'sqrt' ? 1 - Math.sqrt(q) : 1 - q;
          lr[s] = min + (peak - min) * f;
        }
        break;
      }
      case 'step': {
        let k = 0;
        while (k < milestones.length && milestones[k] <= s) k++;
        lr[s] = peak * gamma ** k;
        break;
      }
    }
  }
  lr[0] = lr[1];
  return lr;
}

/**
 * Per-step LR from logged (step, lr) pairs: linear interpolation between logged steps, the first
 * logged value before the first step (warmup not in the log counts as constant), the last after.
 * `totalSteps` defaults to the last logged step.
 */
export function scheduleFromLog(steps: ArrayLike<number>, lrs: ArrayLike<number>, totalSteps?: number): Float64Array {
  const pts: [number, number][] = [];
  for (let i = 0; i < Math.min(steps.length, lrs.length); i++) {
    if (Number.isFinite(steps[i]) && Number.isFinite(lrs[i]) && lrs[i] >= 0 && steps[i] >= 0) pts.push([steps[i], lrs[i]]);
  }
  pts.sort((a, b) => a[0] - b[0]);
  const T = Math.max(1, Math.floor(totalSteps ?? (pts.length ? pts[pts.length - 1][0] : 1)));
  const lr = new Float64Array(T + 1);
  if (pts.length === 0) return lr.fill(NaN);
  let k = 0;
  for (let s = 1; s <= T; s++) {
    while (k + 1 < pts.length && pts[k + 1][0] <= s) k++;
    if (s <= pts[0][0]) lr[s] = pts[0][1];
    else if (k + 1 >= pts.length) lr[s] = pts[pts.length - 1][1];
    else {
      const [s0, l0] = pts[k];
      const [s1, l1] = pts[k + 1];
      lr[s] = s1 > s0 ? l0 + ((l1 - l0) * (s - s0)) / (s1 - s0) : l1;
    }
  }
  lr[0] = lr[1];
  return lr;
}

/** Last step of the warmup: the first step at which the LR reaches its maximum. */
export function warmupEnd(lr: Float64Array): number {
  let best = 1;
  for (let s = 1; s < lr.length; s++) if (lr[s] > lr[best] * (1 + 1e-12)) best = s;
  return best;
}

/**
 * Tissue et al. 2024 areas: S1(s) = Σ_{i ≤ s} lr_i (forward area) and
 * S2(s) = Σ_{W < i ≤ s} m_i, m_i = λ·m_{i−1} + (lr_{i−1} − lr_i) (annealing area with momentum),
 * counted from the end of warmup W. Both arrays are indexed by step like `lr`.
 */
export function annealingAreas(lr: Float64Array, lambda = 0.999, warmupSteps = warmupEnd(lr)): { s1: Float64Array; s2: Float64Array } {
  const T = lr.length - 1;
  const s1 = new Float64Array(T + 1);
  const s2 = new Float64Array(T + 1);
  let m = 0;
  for (let s = 1; s <= T; s++) {
    s1[s] = s1[s - 1] + lr[s];
    if (s > warmupSteps) {
      m = lambda * m + (lr[s - 1] - lr[s]);
      s2[s] = s2[s - 1] + m;
    }
  }
  return { s1, s2 };
}
