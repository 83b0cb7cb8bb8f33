/**
 * Priors from a law's published reference values, for fits with too few runs to pin every
 * parameter. Published constants are in their paper's data and tokenizer, so only the SHAPE is
 * borrowed: exponents get a prior (sd 0.05, or 15% of the value if larger), log-scales a barely
 * informative one (sd 2 in ln, a factor e² ≈ 7 either way), and the level parameters (ln E, ln L0)
 * none at all: the absolute loss always comes from the user's runs ("calibrated by the family").
 */
import { chinchillaLaw } from '../laws/chinchilla';
import type { LawDefinition } from '../laws/types';
import { chinchillaPriors } from './crossRun';
import type { Prior } from './fitLaw';

/** Fit-space parameter names that set the loss level; never given a prior. */
const LEVEL_PARAMETERS = new Set(['e', 'l0', 'la']);
export const REFERENCE_EXPONENT_SD = 0.05;
export const REFERENCE_SCALE_SD = 2;

/**
 * Priors for `law` from its `reference`, or undefined when it has none. `only` limits them to
 * these fit-space parameters (e.g. the dimensionless shape of a law whose scales depend on units).
 */
export function referencePriors(law: LawDefinition, only?: readonly string[]): Record<string, Prior> | undefined {
  if (law.id === chinchillaLaw.id && !only) return chinchillaPriors();
  const ref = law.reference?.values;
  if (!ref) return undefined;
  const out: Record<string, Prior> = {};
  for (const p of law.parameters) {
    const v = ref[p.natural.name];
    if (v === undefined || LEVEL_PARAMETERS.has(p.name) || (only && !only.includes(p.name))) continue;
    if (p.natural.transform === 'exp') {
      if (v > 0) out[p.name] = { mean: Math.log(v), sd: REFERENCE_SCALE_SD };
    } else out[p.name] = { mean: v, sd: Math.max(REFERENCE_EXPONENT_SD, 0.15 * Math.abs(v)) };
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Fit-space parameters of the multi-power law whose published values carry over to other runs:
 * the exponents α, β, γ and ln C (A, B and L0 depend on the LR scale and the loss level). For fits
 * over several curves of one model (a family with different schedules): without these priors the
 * drop term is degenerate on constant + cosine data (β → 0 with C → 0 or ∞, γ at its bound), which
 * fits the training curves a little better and predicts other schedules worse (`npm run validate`,
 * 2026-11-23: mean curve error over 21 held-out schedules 0.207% without, 0.169% with them; the
 * paper reports 0.11–0.17%). The spreads follow the rule above (exponents 15%, ln C sd 2), not
 * tuned. Not used for a single curve's prefix (see curveLawPriors in curve.ts).
 */
export const MULTIPOWER_SHAPE_PARAMETERS = ['alpha', 'c', 'beta', 'gamma'] as const;

export function multipowerShapePriors(law: LawDefinition): Record<string, Prior> {
  return law.id === 'multipower' ? (referencePriors(law, MULTIPOWER_SHAPE_PARAMETERS) ?? {}) : {};
}
