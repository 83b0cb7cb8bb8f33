// Laws a family of runs can be fitted with, L(N, D) on parameters N and training tokens D: the
// family law of the lens, the planner and the scaling view. Chosen per family in `.scalinglens.yaml`
// (`fits: <family>: {law: <id>}`), Chinchilla by default. Adding one = its law module (a cross-run
// law of [N, D] in laws/) + one line in FAMILY_LAWS with the priors a small family leans on.
import { chinchillaLaw } from './chinchilla';
import { kaplanLaw } from './kaplan';
import type { LawDefinition } from './types';
import type { Prior } from '../fit/fitLaw';

/** Prior sd of exponents: wider than Epoch's own ±0.02 since data, tokenizer and recipe differ. */
export const EXPONENT_PRIOR_SD = 0.05;
/** Prior sd of log scales: a factor e² ≈ 7 either way, i.e. barely informative. */
export const SCALE_PRIOR_SD = 2;

export interface FamilyLawSpec {
  /** A cross-run law of x = [N, D]. */
  law: LawDefinition;
  /** Priors (fit space) used below PRIOR_RUN_THRESHOLD runs: exponents near the published ones, scales barely. */
  priors(): Record<string, Prior>;
  /**
   * Whether the over-training law blends in far past compute-optimal (plan/regime.ts derives its
   * priors from Chinchilla's α, β, A, B): Chinchilla only.
   */
  blendsWithOvertrain: boolean;
  /**
   * Which parameter count the law's N is, as its paper counts it: `total` (embeddings included,
   * Hoffmann et al.) or `nonEmbedding` (Kaplan et al.). A law on non-embedding N is fitted on the
   * runs' non-embedding N when every run gives one (fit/crossRun.ts `lawParams`).
   */
  parameterCount: 'total' | 'nonEmbedding';
}

/** Priors (fit space) built from Chinchilla's published reference values (Epoch AI's refit, Besiroglu et al. 2024). */
export function chinchillaPriors(): Record<string, Prior> {
  const ref = chinchillaLaw.reference?.values ?? {};
  return {
    alpha: { mean: ref.alpha, sd: EXPONENT_PRIOR_SD },
    beta: { mean: ref.beta, sd: EXPONENT_PRIOR_SD },
    a: { mean: Math.log(ref.A), sd: SCALE_PRIOR_SD },
    b: { mean: Math.log(ref.B), sd: SCALE_PRIOR_SD },
  };
}

/**
 * Priors from Kaplan et al. 2020, Table 2 (αN = 0.076, αD = 0.103, Nc = 6.4e13, Dc = 1.8e13). The
 * paper's N is non-embedding (Sec. 2.1), and so is the family's when its runs give one; Nc is only
 * weakly held all the same (their data and tokenizer are not the family's).
 */
function kaplanPriors(): Record<string, Prior> {
  const ref = kaplanLaw.reference?.values ?? {};
  return {
    alphaN: { mean: ref.alphaN, sd: EXPONENT_PRIOR_SD },
    alphaD: { mean: ref.alphaD, sd: EXPONENT_PRIOR_SD },
    nc: { mean: Math.log(ref.Nc), sd: SCALE_PRIOR_SD },
    dc: { mean: Math.log(ref.Dc), sd: SCALE_PRIOR_SD },
  };
}

export const DEFAULT_FAMILY_LAW = 'chinchilla';

/** Every family law by id. */
export const FAMILY_LAWS: Readonly<Record<string, FamilyLawSpec>> = {
  chinchilla: { law: chinchillaLaw, priors: chinchillaPriors, blendsWithOvertrain: true, parameterCount: 'total' },
  kaplan: { law: kaplanLaw, priors: kaplanPriors, blendsWithOvertrain: false, parameterCount: 'nonEmbedding' },
};

/** The family law of `id` (Chinchilla when absent or unknown: `.scalinglens.yaml` checks the id). */
export function familyLaw(id: string | undefined): FamilyLawSpec {
  return (id !== undefined && Object.prototype.hasOwnProperty.call(FAMILY_LAWS, id) ? FAMILY_LAWS[id] : undefined) ?? FAMILY_LAWS[DEFAULT_FAMILY_LAW];
}
