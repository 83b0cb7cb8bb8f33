import type { LawDefinition } from './types';

/**
 * Kaplan et al. 2020, Eq. 1.5: L(N, D) = [(Nc/N)^(αN/αD) + Dc/D]^αD, N non-embedding (Sec. 2.1:
 * embeddings left out, which is what makes their loss a clean power law down to small models).
 * As a family law (laws/familyLaws.ts `parameterCount: 'nonEmbedding'`) it is fitted on the runs'
 * non-embedding N (from their configs, or `nonEmbeddingParams` in `.scalinglens.yaml`) when every
 * run gives one, and on total N otherwise, which the fit then says; `fit --law kaplan` fits on the
 * `params` column as given (`--columns params=<non-embedding column>`).
 * Fit space: nc = ln Nc, dc = ln Dc, αN, αD. With u = exp((αN/αD)(nc − ln N)), v = exp(dc − ln D),
 * s = u + v: L = s^αD, dL/dnc = L·αN·u/s, dL/ddc = L·αD·v/s, dL/dαN = L·u·(nc − ln N)/s,
 * dL/dαD = L·(ln s − u·(nc − ln N)·αN/(αD·s)).
 */
export const kaplanLaw: LawDefinition = {
  id: 'kaplan',
  title: 'Kaplan et al. L(N, D)',
  kind: 'cross-run',
  formula: 'L(N, D) = [(Nc/N)^(αN/αD) + Dc/D]^αD',
  fitFormula: 'L = exp(αD·ln(exp((αN/αD)(nc − ln N)) + exp(dc − ln D))),  Nc = exp(nc), Dc = exp(dc)',
  citation: {
    paper: 'Scaling Laws for Neural Language Models',
    authors: 'Kaplan et al.',
    year: 2020,
    arxiv: '2001.08361',
    note: 'Eq. 1.5 / 4.1, Table 2 (αN = 0.076, αD = 0.103, Nc = 6.4e13, Dc = 1.8e13); loss in nats on WebText2 with their BPE.',
  },
  variables: [
    {
      symbol: 'N',
      name: 'non-embedding parameters',
      definition: 'Non-embedding parameters: total minus token and position embeddings (Kaplan et al. Sec. 2.1, N ≈ 12·n_layer·d_model²).',
      unit: 'parameters',
    },
    {
      symbol: 'D',
      name: 'tokens',
      definition: 'Training tokens seen (the paper trains with early stopping; D is the dataset size in tokens).',
      unit: 'tokens',
    },
  ],
  parameters: [
    { name: 'nc', description: 'ln Nc', lower: 0, upper: 80, grid: [20, 30, 40, 50], natural: { name: 'Nc', transform: 'exp' } },
    { name: 'dc', description: 'ln Dc', lower: 0, upper: 80, grid: [20, 30, 40, 50], natural: { name: 'Dc', transform: 'exp' } },
    {
      name: 'alphaN',
      description: 'model-size exponent αN',
      lower: 0.005,
      upper: 2,
      grid: [0.05, 0.1, 0.3],
      natural: { name: 'alphaN', transform: 'identity' },
    },
    { name: 'alphaD', description: 'data exponent αD', lower: 0.005, upper: 2, grid: [0.05, 0.1, 0.3], natural: { name: 'alphaD', transform: 'identity' } },
  ],
  evaluate(params, x) {
    const [nc, dc, aN, aD] = params;
    const u = Math.exp((aN / aD) * (nc - Math.log(x[0])));
    const v = Math.exp(dc - Math.log(x[1]));
    return Math.exp(aD * Math.log(u + v));
  },
  jacobian(params, x) {
    const [nc, dc, aN, aD] = params;
    const gN = nc - Math.log(x[0]);
    const u = Math.exp((aN / aD) * gN);
    const v = Math.exp(dc - Math.log(x[1]));
    const s = u + v;
    const L = Math.exp(aD * Math.log(s));
    return [(L * aN * u) / s, (L * aD * v) / s, (L * u * gN) / s, L * (Math.log(s) - (u * gN * aN) / (aD * s))];
  },
  domain: {
    ranges: { N: [768, 1.5e9], D: [2.2e7, 2.3e10] },
    note: 'Kaplan et al. Sec. 1.1/3: non-embedding N from 768 to 1.5e9, datasets from 22M to 23B tokens.',
  },
  reference: {
    citation: { paper: 'Scaling Laws for Neural Language Models', authors: 'Kaplan et al.', year: 2020, arxiv: '2001.08361', note: 'Table 2, L(N, D) row.' },
    values: { Nc: 6.4e13, Dc: 1.8e13, alphaN: 0.076, alphaD: 0.103 },
  },
};
