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

/** Priors for `law` from its `reference`, or undefined when it has none. */
export function referencePriors(law: LawDefinition): Record<string, Prior> | undefined {
  if (law.id === chinchillaLaw.id) return chinchillaPriors();
  const ref = law.reference?.values;
  if (!ref) return undefined;
  const out: Record<string, Prior> = {};
  for (const p of law.parameters) {
    const v = ref[p.natural.name];
    if (v === undefined || LEVEL_PARAMETERS.has(p.name)) continue;
    if (p.natural.transform === 'exp') {
      if (v > 0) out[p.name] = { mean: Math.log(v), sd: REFERENCE_SCALE_SD };
    } else out[p.name] = { mean: v, sd: Math.max(REFERENCE_EXPONENT_SD, 0.15 * Math.abs(v)) };
  }
  return Object.keys(out).length ? out : undefined;
}
