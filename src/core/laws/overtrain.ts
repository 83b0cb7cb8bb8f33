import type { LawCitation, LawDefinition } from './types';

const citation: LawCitation = {
  paper: 'Language models scale reliably with over-training and on downstream tasks',
  authors: 'Gadre et al.',
  year: 2024,
  arxiv: '2403.08540',
  note: 'Eq. (4): L(C, M) = E + (a·M^η + b·M^−η)·C^−η (Chinchilla with α = β = η), C = 6·N·D; Eq. (5): Err(L) = ε − k·exp(−γ·L).',
};

const LN6 = Math.log(6);

/**
 * L(N, M) = E + (a·M^η + b·M^−η)·C^−η with M = D/N and C = 6·N·D = 6·M·N².
 * Fit space: e = ln E, a = ln a, b = ln b, η. With lnC = ln 6 + ln M + 2 ln N,
 * t1 = exp(a + η(ln M − lnC)), t2 = exp(b − η(ln M + lnC)): L = exp(e) + t1 + t2.
 */
export const overtrainLaw: LawDefinition = {
  id: 'overtrain',
  title: 'Over-training law L(N, M) (Gadre et al.)',
  kind: 'cross-run',
  formula: 'L(N, M) = E + (a·M^η + b·M^−η)·(6·M·N²)^−η',
  fitFormula: 'L = exp(e) + exp(a + η(ln M − ln C)) + exp(b − η(ln M + ln C)),  C = 6·M·N²',
  citation,
  variables: [
    {
      symbol: 'N',
      name: 'parameters',
      definition: 'Total parameters, embeddings included (Gadre et al. count all parameters of the open_lm model).',
      unit: 'parameters',
    },
    {
      symbol: 'M',
      name: 'tokens per parameter',
      definition: "Token multiplier M = D/N, training tokens per parameter (20 ≈ Chinchilla-optimal; the data set's `chinchilla_multiplier` column is M/20).",
      unit: 'tokens/parameter',
    },
  ],
  parameters: [
    { name: 'e', description: 'ln E, irreducible loss', lower: -10, upper: 3, grid: [0, 0.5, 1], natural: { name: 'E', transform: 'exp' } },
    { name: 'a', description: 'ln a, scale of the M^η term', lower: -20, upper: 40, grid: [0, 4, 8], natural: { name: 'a', transform: 'exp' } },
    { name: 'b', description: 'ln b, scale of the M^−η term', lower: -20, upper: 40, grid: [0, 4, 8], natural: { name: 'b', transform: 'exp' } },
    { name: 'eta', description: 'shared exponent η', lower: 0.01, upper: 2, grid: [0.05, 0.1, 0.2, 0.3, 0.5], natural: { name: 'eta', transform: 'identity' } },
  ],
  evaluate(params, x) {
    const [e, a, b, eta] = params;
    const lnM = Math.log(x[1]);
    const lnC = LN6 + lnM + 2 * Math.log(x[0]);
    return Math.exp(e) + Math.exp(a + eta * (lnM - lnC)) + Math.exp(b - eta * (lnM + lnC));
  },
  jacobian(params, x) {
    const [e, a, b, eta] = params;
    const lnM = Math.log(x[1]);
    const lnC = LN6 + lnM + 2 * Math.log(x[0]);
    const t1 = Math.exp(a + eta * (lnM - lnC));
    const t2 = Math.exp(b - eta * (lnM + lnC));
    return [Math.exp(e), t1, t2, t1 * (lnM - lnC) - t2 * (lnM + lnC)];
  },
  domain: {
    ranges: { N: [1.1e7, 6.9e9], M: [5, 640] },
    note: 'Gadre et al.: 104 models from 11M to 6.9B parameters at 5 to 640 tokens per parameter (C4, RedPajama, RefinedWeb).',
  },
};

/**
 * Loss → downstream top-1 error averaged over tasks: Err(L) = ε − k·exp(−γ·L).
 * Fit space: eps = ε (identity), k = ln k, gamma = γ. Only meaningful where ε > k·exp(−γL).
 */
export const overtrainErrorLaw: LawDefinition = {
  id: 'overtrain-error',
  title: 'Loss to downstream error (Gadre et al.)',
  kind: 'link',
  formula: 'Err(L) = ε − k·exp(−γ·L)',
  fitFormula: 'Err = eps − exp(k − γ·L)',
  citation,
  variables: [
    {
      symbol: 'L',
      name: 'loss',
      definition: 'Validation loss of the model in nats per token on the evaluation set used to fit (e.g. C4 validation).',
      unit: 'nats/token',
    },
  ],
  parameters: [
    {
      name: 'eps',
      description: 'ε, error at infinite loss (chance level)',
      lower: 0.01,
      upper: 1,
      grid: [0.6, 0.75, 0.9],
      natural: { name: 'eps', transform: 'identity' },
    },
    { name: 'k', description: 'ln k', lower: -20, upper: 20, grid: [-2, 0, 2, 4], natural: { name: 'k', transform: 'exp' } },
    { name: 'gamma', description: 'γ, rate', lower: 0.01, upper: 10, grid: [0.5, 1, 2, 3], natural: { name: 'gamma', transform: 'identity' } },
  ],
  evaluate(params, x) {
    const [eps, k, gamma] = params;
    return eps - Math.exp(k - gamma * x[0]);
  },
  jacobian(params, x) {
    const [, k, gamma] = params;
    const t = Math.exp(k - gamma * x[0]);
    return [1, -t, x[0] * t];
  },
  domain: { ranges: { L: [2, 6] }, note: 'Gadre et al. Fig. 1/5: C4 eval losses of roughly 2.5 to 5.5 nats.' },
};
