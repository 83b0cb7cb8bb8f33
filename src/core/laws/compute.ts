import { monomialLaw } from './monomial';
import type { LawCitation, LawDefinition, LawVariable } from './types';

const hoffmann: LawCitation = {
  paper: 'Training Compute-Optimal Large Language Models',
  authors: 'Hoffmann et al.',
  year: 2022,
  arxiv: '2203.15556',
  note: 'Approach 2 (IsoFLOP profiles): per budget a parabola of loss in ln N, its minimum, then N*(C), D*(C) as power laws.',
};

const computeVariable: LawVariable = {
  symbol: 'C',
  name: 'training compute',
  definition:
    'Training FLOPs counted as C = 6·N·D with N total parameters and D training tokens (Hoffmann et al.; attention FLOPs and embeddings as counted by the data source, e.g. Porian et al. param_count).',
  unit: 'FLOPs',
};

/**
 * Loss of the compute-optimal model against compute: L(C) = E + (C0/C)^α.
 * Fit space: e = ln E, c0 = ln C0, α. L = exp(e) + exp(α·(c0 − ln C)).
 */
export const computeLaw: LawDefinition = {
  id: 'compute',
  title: 'Compute-optimal loss L(C) (IsoFLOP frontier)',
  kind: 'cross-run',
  formula: 'L(C) = E + (C0/C)^α',
  fitFormula: 'L(C) = exp(e) + exp(α·(c0 − ln C)),  E = exp(e), C0 = exp(c0)',
  citation: { ...hoffmann, note: 'L at the IsoFLOP minima against C, in the form of Kaplan et al. Eq. 1.3 with an irreducible term.' },
  variables: [computeVariable],
  parameters: [
    { name: 'e', description: 'ln E, irreducible loss', lower: -10, upper: 3, grid: [-2, 0, 0.5, 1], natural: { name: 'E', transform: 'exp' } },
    { name: 'c0', description: 'ln C0, compute scale', lower: -50, upper: 150, grid: [10, 20, 30, 40, 50], natural: { name: 'C0', transform: 'exp' } },
    {
      name: 'alpha',
      description: 'compute exponent',
      lower: 0.005,
      upper: 2,
      grid: [0.02, 0.05, 0.1, 0.2, 0.4],
      natural: { name: 'alpha', transform: 'identity' },
    },
  ],
  evaluate(params, x) {
    const [e, c0, alpha] = params;
    return Math.exp(e) + Math.exp(alpha * (c0 - Math.log(x[0])));
  },
  jacobian(params, x) {
    const [e, c0, alpha] = params;
    const g = c0 - Math.log(x[0]);
    const t = Math.exp(alpha * g);
    return [Math.exp(e), alpha * t, g * t];
  },
  domain: { ranges: { C: [6e18, 3e23] }, note: 'Hoffmann et al. Fig. 3: IsoFLOP budgets 6e18 to 3e21 FLOPs, extrapolated by them to ~5.8e23.' },
};

/** N*(C) = kN·C^a: compute-optimal total parameters (Hoffmann et al. Approach 2: a = 0.49). */
export const frontierParamsLaw: LawDefinition = monomialLaw({
  id: 'compute-frontier-n',
  title: 'Compute-optimal parameters N*(C)',
  kind: 'cross-run',
  formula: 'N*(C) = kN·C^a',
  citation: hoffmann,
  variables: [computeVariable],
  exponents: ['a'],
  coefficient: 'kN',
  domain: { ranges: { C: [6e18, 3e21] }, note: 'Hoffmann et al. Approach 2 budgets.' },
});

/** D*(C) = kD·C^b: compute-optimal training tokens (Hoffmann et al. Approach 2: b = 0.51). */
export const frontierTokensLaw: LawDefinition = monomialLaw({
  id: 'compute-frontier-d',
  title: 'Compute-optimal tokens D*(C)',
  kind: 'cross-run',
  formula: 'D*(C) = kD·C^b',
  citation: hoffmann,
  variables: [computeVariable],
  exponents: ['b'],
  coefficient: 'kD',
  domain: { ranges: { C: [6e18, 3e21] }, note: 'Hoffmann et al. Approach 2 budgets.' },
});
