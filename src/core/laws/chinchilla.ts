import type { CompiledLaw, LawCitation, LawDefinition } from './types';

const epochRefit: LawCitation = {
  paper: 'Chinchilla Scaling: A replication attempt',
  authors: 'Besiroglu, Erdil, Barnett, You',
  year: 2024,
  arxiv: '2404.10102',
  note: 'Refit of Hoffmann et al. Approach 3 on data reconstructed from their Figure 4.',
};

/**
 * Hoffmann et al. 2022, Approach 3: L(N, D) = E + A/N^alpha + B/D^beta, fitted (as in the paper)
 * in log-sum-exp form L = LSE(a − alpha·ln N, b − beta·ln D, e) with A = e^a, B = e^b, E = e^e.
 * Grid of starts follows the paper's (alpha, beta ∈ [0, 2], e ∈ [−1, 1], a, b ∈ [0, 25]), with the
 * exponent grid moved off 0 because the bounds keep exponents positive.
 */
export const chinchillaLaw: LawDefinition = {
  id: 'chinchilla',
  title: 'Chinchilla parametric loss (Hoffmann et al. Approach 3)',
  kind: 'cross-run',
  formula: 'L(N, D) = E + A/N^α + B/D^β',
  fitFormula: 'L(N, D) = LSE(a − α·ln N, b − β·ln D, e),  A = exp(a), B = exp(b), E = exp(e)',
  citation: {
    paper: 'Training Compute-Optimal Large Language Models',
    authors: 'Hoffmann et al.',
    year: 2022,
    arxiv: '2203.15556',
    note: 'Approach 3 (Sec. 3.3, App. D.2): Huber loss (δ = 1e−3) on log residuals, L-BFGS from a grid.',
  },
  variables: [
    {
      symbol: 'N',
      name: 'parameters',
      definition: 'Total model parameters, embeddings included (as counted by Hoffmann et al.).',
      unit: 'parameters',
    },
    {
      symbol: 'D',
      name: 'tokens',
      definition: 'Training tokens seen by the end of the run (not dataset size).',
      unit: 'tokens',
    },
  ],
  parameters: [
    {
      name: 'e',
      description: 'ln E, E = irreducible loss (nats/token)',
      lower: -5,
      upper: 3,
      grid: [-1, -0.5, 0, 0.5, 1],
      natural: { name: 'E', transform: 'exp' },
    },
    {
      name: 'a',
      description: 'ln A, A = scale of the model-size term',
      lower: -10,
      upper: 40,
      grid: [0, 5, 10, 15, 20, 25],
      natural: { name: 'A', transform: 'exp' },
    },
    {
      name: 'b',
      description: 'ln B, B = scale of the data term',
      lower: -10,
      upper: 40,
      grid: [0, 5, 10, 15, 20, 25],
      natural: { name: 'B', transform: 'exp' },
    },
    {
      name: 'alpha',
      description: 'model-size exponent',
      lower: 0.01,
      upper: 2.5,
      grid: [0.1, 0.5, 1, 1.5, 2],
      natural: { name: 'alpha', transform: 'identity' },
    },
    {
      name: 'beta',
      description: 'data exponent',
      lower: 0.01,
      upper: 2.5,
      grid: [0.1, 0.5, 1, 1.5, 2],
      natural: { name: 'beta', transform: 'identity' },
    },
  ],
  evaluate(params, x) {
    const [e, a, b, alpha, beta] = params;
    return Math.exp(a - alpha * Math.log(x[0])) + Math.exp(b - beta * Math.log(x[1])) + Math.exp(e);
  },
  jacobian(params, x) {
    const [e, a, b, alpha, beta] = params;
    const lnN = Math.log(x[0]);
    const lnD = Math.log(x[1]);
    const modelTerm = Math.exp(a - alpha * lnN);
    const dataTerm = Math.exp(b - beta * lnD);
    return [Math.exp(e), modelTerm, dataTerm, -lnN * modelTerm, -lnD * dataTerm];
  },
  compile: (x) => compileChinchilla(x, false),
  domain: {
    ranges: { N: [7e7, 1.6e10], D: [5e9, 5e11] },
    note: 'Hoffmann et al. Sec. 3: over 400 models from 70M to 16B parameters on 5B to 500B tokens (MassiveText).',
  },
  reference: {
    citation: epochRefit,
    values: { E: 1.82, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 },
  },
};

/**
 * Chinchilla bound to the points `x`: the same operations, in the same order, as `evaluate` and
 * `jacobian`, so the numbers are identical; ln N and ln D once per fit, E's exp once per evaluation.
 * With `asymptoteColumn`, x[2] = 1 marks a point at D → ∞ whose data term drops out (fit/jointFamily.ts).
 */
export function compileChinchilla(x: readonly (readonly number[])[], asymptoteColumn: boolean): CompiledLaw {
  const m = x.length;
  const lnN = new Float64Array(m);
  const lnD = new Float64Array(m);
  const hasData = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    lnN[i] = Math.log(x[i][0]);
    lnD[i] = Math.log(x[i][1]);
    hasData[i] = asymptoteColumn && x[i][2] === 1 ? 0 : 1;
  }
  return {
    values(params, out) {
      const [e, a, b, alpha, beta] = params;
      const E = Math.exp(e);
      for (let i = 0; i < m; i++) out[i] = Math.exp(a - alpha * lnN[i]) + (hasData[i] ? Math.exp(b - beta * lnD[i]) : 0) + E;
    },
    valuesAndJacobian(params, out, jac) {
      const [e, a, b, alpha, beta] = params;
      const E = Math.exp(e);
      for (let i = 0; i < m; i++) {
        const modelTerm = Math.exp(a - alpha * lnN[i]);
        const dataTerm = hasData[i] ? Math.exp(b - beta * lnD[i]) : 0;
        out[i] = modelTerm + dataTerm + E;
        const row = 5 * i;
        jac[row] = E;
        jac[row + 1] = modelTerm;
        jac[row + 2] = dataTerm;
        jac[row + 3] = -lnN[i] * modelTerm;
        jac[row + 4] = -lnD[i] * dataTerm;
      }
    },
  };
}
