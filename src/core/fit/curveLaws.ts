// Laws a single run's loss curve can be fitted with (`curve --law`, the engine's curve choice): each
// one line in CURVE_LAWS binding its law module (laws/) to a run — how a step maps to the law's
// inputs, whether it needs the logged LR at every step, and the priors a one-curve fit leans on.
// fit/curve.ts fits whichever is chosen; adding a curve law = its law module + one line here.
import { annealingLaw } from '../laws/annealing';
import { bnslLaw } from '../laws/bnsl';
import { createMultipowerLaw } from '../laws/multipower';
import { powerLaw } from '../laws/power';
import { annealingAreas } from '../laws/schedule';
import type { LawDefinition } from '../laws/types';
import type { Prior } from './fitLaw';
import { kthSmallest } from './orderStatistic';

/** A curve law bound to one run: the law, how a step maps to its inputs, and its priors. */
export interface CurveModel {
  law: LawDefinition;
  xOf(step: number): number[];
  priors?: Record<string, Prior>;
}

interface CurveLawSpec {
  /** Needs the learning rate at every step (a schedule-aware law). */
  needsLr: boolean;
  /** The law bound to a run with schedule `lr`. */
  model(lr: Float64Array | undefined): CurveModel | { error: string };
  /** Priors of a one-curve fit, from the run's median loss (`typical`), its target step and schedule. */
  priors?(model: CurveModel, typical: number, target: number, lr: Float64Array | undefined): Record<string, Prior> | undefined;
}

const CURVE_LAWS = {
  power: { needsLr: false, model: () => ({ law: powerLaw, xOf: (s: number) => [s] }) },
  bnsl: { needsLr: false, model: () => ({ law: bnslLaw, xOf: (s: number) => [s] }) },
  multipower: {
    needsLr: true,
    model: (lr) => {
      if (!lr || lr.length < 2) return { error: 'the multipower law needs the learning rate at every step (log it, or give the schedule)' };
      return { law: createMultipowerLaw([lr]), xOf: (s) => [s, 0] };
    },
    priors: (_model, typical, target, lr) => {
      if (!lr) return undefined;
      // Early in a run, before the LR has decayed much, the loss-drop scale B is barely identified:
      // a weak prior (sd 2 in ln B, a factor e² ≈ 7 either way) centred where the whole LR drop buys
      // 10% of the typical loss, the size of the annealing gains Luo et al. report. The published
      // shape priors (priors.ts, used for fits over several curves) are not added here: on one
      // curve's first 30% with no decay in it they made the drop term all prior and the backtests
      // worse (mean error to the end of the run 1.85% → 4.56% over 27 curves, `npm run validate` on 2026-11-23).
      let peak = 0;
      for (let k = 1; k < lr.length; k++) peak = Math.max(peak, lr[k]);
      const drop = peak - lr[Math.min(lr.length - 1, Math.round(target))];
      return drop > 0 ? { b: { mean: Math.log((0.1 * typical) / drop), sd: 2 } } : undefined;
    },
  },
  annealing: {
    needsLr: true,
    model: (lr) => {
      if (!lr || lr.length < 2) return { error: 'the annealing law needs the learning rate at every step (log it, or give the schedule)' };
      const { s1, s2 } = annealingAreas(lr);
      const T = lr.length - 1;
      return {
        law: annealingLaw,
        xOf: (s) => {
          const k = Math.max(1, Math.min(T, Math.round(s)));
          return [s1[k], s2[k]];
        },
      };
    },
    priors: (model, typical, target) => {
      // Early in a decaying run the annealing area S2 is ~0 over the data and C is barely
      // identified (Tissue et al.); a weak prior C ~ N(0, sd) with sd·S2(target) = half the typical
      // loss keeps it from wandering to values that make the extrapolation absurd, and the
      // bootstrap's spread of C (with the prior) widens the interval where the data say little.
      const s2Target = model.xOf(target)[1];
      return s2Target > 0 ? { C: { mean: 0, sd: (0.5 * typical) / s2Target } } : undefined;
    },
  },
} as const satisfies Record<string, CurveLawSpec>;

export type CurveLawId = keyof typeof CURVE_LAWS;
export const CURVE_LAW_IDS = Object.keys(CURVE_LAWS) as CurveLawId[];

function specOf(lawId: CurveLawId): CurveLawSpec | undefined {
  return Object.prototype.hasOwnProperty.call(CURVE_LAWS, lawId) ? (CURVE_LAWS[lawId] as CurveLawSpec) : undefined;
}

/** The curve laws that need the learning rate at every step. */
export function isScheduleLaw(lawId: CurveLawId): boolean {
  return specOf(lawId)?.needsLr === true;
}

/** The model of `lawId` for a run with schedule `lr` (needed by the schedule-aware laws). */
export function curveModel(lawId: CurveLawId, lr?: Float64Array): CurveModel | { error: string } {
  const spec = specOf(lawId);
  if (!spec) return { error: `unknown curve law "${String(lawId)}" (known: ${CURVE_LAW_IDS.join(', ')})` };
  return spec.model(lr);
}

/**
 * The priors a curve fit of `lawId` uses on a run with these (kept) losses, target step and
 * schedule; undefined for none. Exported so the validation's SciPy baseline fits the same objective.
 */
export function curveLawPriors(
  lawId: CurveLawId,
  model: CurveModel,
  losses: ArrayLike<number>,
  target: number,
  lr?: Float64Array,
): Record<string, Prior> | undefined {
  // Most laws have no priors: then the losses are not read at all. Otherwise their median (the upper
  // middle one for an even count) by selection, not a sort of every point of a long run.
  const priors = specOf(lawId)?.priors;
  if (!priors) return undefined;
  return priors(model, losses.length ? kthSmallest(losses, Math.floor(losses.length / 2)) : NaN, target, lr);
}
