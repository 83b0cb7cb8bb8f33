import type { LawDefinition } from './types';

/**
 * Saturating power law of one run's loss against its optimizer step:
 *   L(t) = E + A·t^(−alpha)
 * Fitted as L = exp(a − alpha·ln t) + exp(e), i.e. a = ln A, e = ln E, so both scales stay
 * positive without a hard bound at 0 and the optimiser moves in relative terms.
 * E ≥ 0 is realised as e ≥ −20 (E ≥ 2e−9, indistinguishable from 0 for any loss).
 */
export const powerLaw: LawDefinition = {
  id: 'power',
  title: 'Power law in steps (loss curve)',
  kind: 'curve',
  formula: 'L(t) = E + A·t^(−α)',
  fitFormula: 'L(t) = exp(a − α·ln t) + exp(e),  A = exp(a), E = exp(e)',
  citation: {
    paper: 'Scaling Laws for Neural Language Models',
    authors: 'Kaplan et al.',
    year: 2020,
    arxiv: '2001.08361',
    note: 'L(S) ∝ S^(−α_S) in steps (Sec. 5), with an irreducible term E added as in Hoffmann et al. 2022.',
  },
  variables: [
    {
      symbol: 't',
      name: 'step',
      definition: 'Optimizer step (number of parameter updates so far); must be > 0, step 0 is dropped.',
      unit: 'steps',
    },
  ],
  parameters: [
    {
      name: 'e',
      description: 'ln E, E = irreducible loss the curve approaches',
      lower: -20,
      upper: 10,
      grid: [-2, -1, 0, 0.5, 1, 1.5, 2, 3],
      natural: { name: 'E', transform: 'exp' },
    },
    {
      name: 'a',
      description: 'ln A, A = scale of the reducible part at t = 1',
      lower: -20,
      upper: 60,
      grid: [-2, 0, 2, 4, 6, 8, 11, 14, 18, 22],
      natural: { name: 'A', transform: 'exp' },
    },
    {
      name: 'alpha',
      description: 'exponent of the reducible part in steps',
      lower: 1e-3,
      upper: 3,
      grid: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2],
      natural: { name: 'alpha', transform: 'identity' },
    },
  ],
  evaluate(params, x) {
    const [e, a, alpha] = params;
    return Math.exp(a - alpha * Math.log(x[0])) + Math.exp(e);
  },
  jacobian(params, x) {
    const [e, a, alpha] = params;
    const lnT = Math.log(x[0]);
    const reducible = Math.exp(a - alpha * lnT);
    return [Math.exp(e), reducible, -lnT * reducible];
  },
  compile(x) {
    // ln t once per fit; the same operations as `evaluate` and `jacobian`, so the same numbers.
    const m = x.length;
    const lnT = new Float64Array(m);
    for (let i = 0; i < m; i++) lnT[i] = Math.log(x[i][0]);
    return {
      values(params, out) {
        const [e, a, alpha] = params;
        const E = Math.exp(e);
        for (let i = 0; i < m; i++) out[i] = Math.exp(a - alpha * lnT[i]) + E;
      },
      valuesAndJacobian(params, out, jac) {
        const [e, a, alpha] = params;
        const E = Math.exp(e);
        for (let i = 0; i < m; i++) {
          const reducible = Math.exp(a - alpha * lnT[i]);
          out[i] = reducible + E;
          jac[3 * i] = E;
          jac[3 * i + 1] = reducible;
          jac[3 * i + 2] = -lnT[i] * reducible;
        }
      },
    };
  },
};
