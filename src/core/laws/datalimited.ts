import type { LawDefinition } from './types';

/**
 * Muennighoff et al. 2023, data-constrained scaling (Eq. 5 with the data term of Eq. 4):
 *   L = E + A/N^α + B/D'^β,  D' = U + U·R*·(1 − exp(−R/R*)),  R = D/U − 1 (repeated epochs),
 * where U = min(unique tokens, D). Repeated tokens are worth less and less; R* is the "half-life".
 * The paper's parameter-excess term (N' with R_N* = 5.3) is left out: N' = N.
 * Fit space: e, a, b (logs of E, A, B), α, β, rd = ln R*.
 */
export const dataLimitedLaw: LawDefinition = {
  id: 'datalimited',
  title: 'Data-constrained scaling (Muennighoff et al.)',
  kind: 'cross-run',
  formula: "L = E + A/N^α + B/D'^β,  D' = U + U·R*·(1 − e^(−R/R*)),  R = D/U − 1",
  fitFormula: "L = exp(e) + exp(a − α ln N) + exp(b − β ln D'),  R* = exp(rd)",
  citation: {
    paper: 'Scaling Data-Constrained Language Models',
    authors: 'Muennighoff et al.',
    year: 2023,
    arxiv: '2305.16264',
    note: 'Sec. 3.1, Eq. (4)-(5), fitted R_D* = 15.4 (repeated data half-life in epochs); parameter-excess term omitted here.',
  },
  variables: [
    { symbol: 'N', name: 'parameters', definition: 'Total parameters (Muennighoff et al. follow Hoffmann et al.).', unit: 'parameters' },
    { symbol: 'D', name: 'tokens', definition: 'Total training tokens seen, repeats included (epochs × unique tokens).', unit: 'tokens' },
    { symbol: 'U', name: 'unique tokens', definition: 'Unique tokens in the training set (D/U is the number of epochs).', unit: 'tokens' },
  ],
  parameters: [
    { name: 'e', description: 'ln E', lower: -5, upper: 3, grid: [0, 0.5], natural: { name: 'E', transform: 'exp' } },
    { name: 'a', description: 'ln A', lower: -10, upper: 40, grid: [5, 10], natural: { name: 'A', transform: 'exp' } },
    { name: 'b', description: 'ln B', lower: -10, upper: 40, grid: [5, 10], natural: { name: 'B', transform: 'exp' } },
    { name: 'alpha', description: 'model-size exponent', lower: 0.01, upper: 2.5, grid: [0.3, 0.5], natural: { name: 'alpha', transform: 'identity' } },
    { name: 'beta', description: 'data exponent', lower: 0.01, upper: 2.5, grid: [0.3, 0.5], natural: { name: 'beta', transform: 'identity' } },
    {
      name: 'rd',
      description: 'ln R*, repeated-data half-life in epochs',
      lower: -3,
      upper: 8,
      grid: [1, 2.7, 4],
      natural: { name: 'Rstar', transform: 'exp' },
    },
  ],
  evaluate(params, x) {
    const [e, a, b, alpha, beta, rd] = params;
    const dEff = effectiveData(x[1], x[2], Math.exp(rd));
    return Math.exp(e) + Math.exp(a - alpha * Math.log(x[0])) + Math.exp(b - beta * Math.log(dEff));
  },
  jacobian(params, x) {
    const [e, a, b, alpha, beta, rd] = params;
    const rStar = Math.exp(rd);
    const u = Math.min(x[2], x[1]);
    const r = x[1] / u - 1;
    const ex = Math.exp(-r / rStar);
    const dEff = u + u * rStar * (1 - ex);
    const lnN = Math.log(x[0]);
    const lnDe = Math.log(dEff);
    const model = Math.exp(a - alpha * lnN);
    const data = Math.exp(b - beta * lnDe);
    // dD'/drd = R*·dD'/dR* = R*·U·(1 − e^(−R/R*) − (R/R*)·e^(−R/R*))
    const dDe = rStar * u * (1 - ex - (r / rStar) * ex);
    return [Math.exp(e), model, data, -lnN * model, -lnDe * data, ((-beta * data) / dEff) * dDe];
  },
  domain: {
    ranges: { N: [1e7, 9e9], D: [1e8, 9e11], U: [1e8, 1e11] },
    note: 'Muennighoff et al.: models up to 9B parameters, up to 900B tokens, up to 1,500 epochs (C4, OSCAR).',
  },
  reference: {
    citation: {
      paper: 'Scaling Data-Constrained Language Models',
      authors: 'Muennighoff et al.',
      year: 2023,
      arxiv: '2305.16264',
      note: 'Sec. 3.1 / App.: E 1.87, A 521, B 1488, α 0.35, β 0.353, R_D* 15.4.',
    },
    values: { E: 1.87, A: 521, B: 1488, alpha: 0.35, beta: 0.353, Rstar: 15.4 },
  },
};

/** D' = U + U·R*·(1 − exp(−R/R*)), R = D/U − 1, U capped at D (no repeats when D ≤ U). */
export function effectiveData(tokens: number, unique: number, rStar: number): number {
  const u = Math.min(unique, tokens);
  const r = tokens / u - 1;
  return u + u * rStar * (1 - Math.exp(-r / rStar));
}
