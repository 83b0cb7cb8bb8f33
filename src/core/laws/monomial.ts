/**
 * y = k · Π x_j^(e_j): the shape of every hyperparameter law and of the IsoFLOP frontier.
 * Fit space: c = ln k and the exponents e_j (so fitting on log residuals is linear least squares).
 */
import type { LawCitation, LawDefinition, LawDomain, LawKind, LawVariable } from './types';

export interface MonomialSpec {
  id: string;
  title: string;
  kind: LawKind;
  formula: string;
  citation: LawCitation;
  variables: readonly LawVariable[];
  /** Exponent names, one per variable (e.g. `alphaN`). */
  exponents: readonly string[];
  /** Natural name of the coefficient k. */
  coefficient: string;
  reference?: { citation: LawCitation; values: Readonly<Record<string, number>> };
  domain?: LawDomain;
}

export function monomialLaw(spec: MonomialSpec): LawDefinition {
  const nVars = spec.variables.length;
  const evaluate = (params: readonly number[], x: readonly number[]): number => {
    let s = params[0];
    for (let j = 0; j < nVars; j++) s += params[j + 1] * Math.log(x[j]);
    return Math.exp(s);
  };
  return {
    id: spec.id,
    title: spec.title,
    kind: spec.kind,
    formula: spec.formula,
    fitFormula: `ln y = c + ${spec.exponents.map((e, j) => `${e}·ln ${spec.variables[j].symbol}`).join(' + ')},  ${spec.coefficient} = exp(c)`,
    citation: spec.citation,
    variables: spec.variables,
    parameters: [
      {
        name: 'c',
        description: `ln ${spec.coefficient}`,
        lower: -60,
        upper: 60,
        grid: [-20, -10, -5, 0, 5, 10],
        natural: { name: spec.coefficient, transform: 'exp' },
      },
      ...spec.exponents.map((e) => ({
        name: e,
        description: `exponent ${e}`,
        lower: -3,
        upper: 3,
        grid: [-1, -0.5, 0, 0.5, 1],
        natural: { name: e, transform: 'identity' as const },
      })),
    ],
    evaluate,
    jacobian(params, x) {
      const y = evaluate(params, x);
      const out = [y];
      for (let j = 0; j < nVars; j++) out.push(y * Math.log(x[j]));
      return out;
    },
    reference: spec.reference,
    domain: spec.domain,
  };
}
