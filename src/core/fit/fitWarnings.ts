// Warning signs of a cross-run fit, said beside every prediction made from it (the lens, the hover,
// the planner, the scaling view, `scaling-lens fit` and `scan`): a parameter on its bound, E
// collapsing to 0, priors carrying the exponents, exponents far from published fits.
import { chinchillaLaw } from '../laws/chinchilla';
import type { LawDefinition } from '../laws/types';
import { appendAll } from '../../shared/arrays';
import { MIN_SIZES_WITHOUT_PRIORS, PRIOR_RUN_THRESHOLD, type CrossRunFit, type CrossRunPoint } from './crossRun';
import { implausibleExponents } from './exponentRanges';

/** Fraction of a parameter's box (fit space) within which it counts as sitting on its bound. */
const BOUND_FRACTION = 0.01;

/**
 * Warning signs of a cross-run fit: parameters on a bound of their box, an irreducible loss E that
 * collapsed towards 0 (under 5% of the lowest observed loss: the law then has no floor), Chinchilla
 * exponents far from published fits (fit/exponentRanges.ts), priors
 * carrying the exponents (fewer runs than PRIOR_RUN_THRESHOLD, sizes than MIN_SIZES_WITHOUT_PRIORS among
 * `points` when given, or `priors: always`).
 */
export function fitWarnings(
  law: LawDefinition,
  fit: Pick<CrossRunFit, 'fitParams' | 'priorsUsed' | 'runIds' | 'parameters'> & Pick<Partial<CrossRunFit>, 'allocationPrior' | 'paramsNote'>,
  minObservedLoss?: number,
  points?: readonly Pick<CrossRunPoint, 'runId' | 'params'>[],
): string[] {
  const out = boundWarnings(law, fit, minObservedLoss);
  // Exponents far from published fits of the same law (fit/exponentRanges.ts).
  if (law === chinchillaLaw) appendAll(out, implausibleExponents(law.id, fit.parameters));
  if (fit.allocationPrior) out.push(`${law.id}: ${fit.allocationPrior.note}`);
  if (fit.paramsNote) out.push(`${law.id}: ${fit.paramsNote}`);
  if (fit.priorsUsed && !(fit.allocationPrior && fit.runIds.length >= PRIOR_RUN_THRESHOLD)) {
    // Enough runs and sizes: the priors were asked for (`priors: always` in .scalinglens.yaml).
    const sizes = points ? new Set(points.filter((p) => fit.runIds.includes(p.runId)).map((p) => p.params)).size : undefined;
    const why =
      fit.runIds.length < PRIOR_RUN_THRESHOLD
        ? `fitted on ${fit.runIds.length} run(s), fewer than ${PRIOR_RUN_THRESHOLD}`
        : sizes === undefined
          ? 'fitted with priors'
          : sizes < MIN_SIZES_WITHOUT_PRIORS
            ? `fitted on ${sizes} model size(s), fewer than ${MIN_SIZES_WITHOUT_PRIORS}`
            : `fitted with priors as the family asks (priors: always in .scalinglens.yaml), on ${fit.runIds.length} runs of ${sizes} model sizes`;
    const cited = law.reference?.citation ?? law.citation;
    const source = law === chinchillaLaw ? "Epoch AI's refit of Chinchilla" : `${cited.authors} ${cited.year}`;
    out.push(`${law.id}: ${why}: the exponents lean on published priors (${source}), not on this family alone.`);
  }
  return out;
}

/**
 * The fit's own signs of trouble, whatever its priors: a parameter on a bound of its box, and an
 * irreducible loss E collapsed towards 0 (under 5% of the lowest observed loss). The over-training
 * fit of a family (plan/regime.ts) leans on priors from the family's Chinchilla fit by design, so it
 * is checked for these only (plan/familyModel.ts).
 */
export function boundWarnings(law: LawDefinition, fit: Pick<CrossRunFit, 'fitParams' | 'parameters'>, minObservedLoss?: number): string[] {
  const out: string[] = [];
  law.parameters.forEach((p, j) => {
    const v = fit.fitParams[j];
    const span = p.upper - p.lower;
    if (!Number.isFinite(v) || !(span > 0)) return;
    if (v <= p.lower + BOUND_FRACTION * span || v >= p.upper - BOUND_FRACTION * span) {
      out.push(
        `${law.id}: parameter ${p.natural.name} sits on its bound (${v <= p.lower + BOUND_FRACTION * span ? 'lower' : 'upper'}); the data do not pin it and predictions lean on the box.`,
      );
    }
  });
  const E = fit.parameters.E?.value;
  if (E !== undefined && minObservedLoss !== undefined && minObservedLoss > 0 && E < 0.05 * minObservedLoss) {
    out.push(
      `${law.id}: the irreducible loss E collapsed to ${E.toPrecision(2)} (under 5% of the lowest observed loss): the law has no floor and its extrapolation is a pure power law.`,
    );
  }
  return out;
}
