import { monomialLaw } from './monomial';
import type { HyperparamLaw, LawCitation, LawDomain, LawVariable } from './types';

const citation: LawCitation = {
  paper: 'Predictable Scale: Part I — Optimal Hyperparameter Scaling Law in Large Language Model Pretraining',
  authors: 'Li et al.',
  year: 2025,
  arxiv: '2503.04715',
  note: 'Step Law, Eq. (1)–(2): lr* = 1.79·N^−0.713·D^0.307, bs* = 0.58·D^0.571, from ~3,700 dense runs.',
};

const N: LawVariable = {
  symbol: 'N',
  name: 'non-embedding parameters',
  definition: 'Non-embedding parameters (Li et al. count N without the embedding and output-head matrices).',
  unit: 'parameters',
};
const D: LawVariable = { symbol: 'D', name: 'tokens', definition: 'Training tokens of the whole run (batch tokens × steps).', unit: 'tokens' };

const domain: LawDomain = {
  ranges: { N: [6e7, 1.1e9], D: [2e9, 1e11] },
  note: 'Li et al. Sec. 3: dense models from ~60M to ~1B non-embedding parameters, 2B to 100B tokens; LR is the peak of a warmup + cosine-to-1e−5 schedule, batch in tokens at sequence length 2,048.',
};

export const stepLaw: HyperparamLaw = {
  id: 'steplaw',
  title: 'Step Law (optimal learning rate and batch size)',
  citation,
  lr: monomialLaw({
    id: 'steplaw-lr',
    title: 'Step Law optimal peak learning rate',
    kind: 'hparam',
    formula: 'lr*(N, D) = k·N^aN·D^aD',
    citation,
    variables: [N, D],
    exponents: ['aN', 'aD'],
    coefficient: 'k',
    reference: { citation, values: { k: 1.79, aN: -0.713, aD: 0.307 } },
    domain,
  }),
  batch: monomialLaw({
    id: 'steplaw-batch',
    title: 'Step Law optimal batch size (tokens)',
    kind: 'hparam',
    formula: 'bs*(D) = k·D^bD',
    citation,
    variables: [D],
    exponents: ['bD'],
    coefficient: 'k',
    reference: { citation, values: { k: 0.58, bD: 0.571 } },
    domain,
  }),
};
