import { monomialLaw } from './monomial';
import type { HyperparamLaw, LawCitation, LawDomain, LawVariable } from './types';

const citation: LawCitation = {
  paper: 'DeepSeek LLM: Scaling Open-Source Language Models with Longtermism',
  authors: 'DeepSeek-AI (Bi et al.)',
  year: 2024,
  arxiv: '2401.02954',
  note: 'Sec. 3.1, Eq. (1): η_opt = 0.3118·C^−0.1250, B_opt = 0.2920·C^0.3271.',
};

/** DeepSeek's C = M·D with M the non-embedding FLOPs per token, not 6·N·D. */
const C: LawVariable = {
  symbol: 'C',
  name: 'compute (DeepSeek)',
  definition:
    'C = M·D FLOPs, M = 72·n_layer·d_model² + 6·n_layer·d_model·l_seq non-embedding FLOPs per token (attention included, vocabulary excluded), D training tokens (DeepSeek LLM Sec. 3.2).',
  unit: 'FLOPs',
};

const domain: LawDomain = {
  ranges: { C: [1e17, 3e20] },
  note: 'DeepSeek LLM Sec. 3.1: grid searches at budgets 1e17–2e19, validated up to 1e20 and 3e20; multi-step LR schedule (80/10/10%), batch in tokens.',
};

export const deepseekLaw: HyperparamLaw = {
  id: 'deepseek',
  title: 'DeepSeek LLM hyperparameter law (compute-based)',
  citation,
  lr: monomialLaw({
    id: 'deepseek-lr',
    title: 'DeepSeek optimal learning rate',
    kind: 'hparam',
    formula: 'η_opt(C) = k·C^aC',
    citation,
    variables: [C],
    exponents: ['aC'],
    coefficient: 'k',
    reference: { citation, values: { k: 0.3118, aC: -0.125 } },
    domain,
  }),
  batch: monomialLaw({
    id: 'deepseek-batch',
    title: 'DeepSeek optimal batch size (tokens)',
    kind: 'hparam',
    formula: 'B_opt(C) = k·C^bC',
    citation,
    variables: [C],
    exponents: ['bC'],
    coefficient: 'k',
    reference: { citation, values: { k: 0.292, bC: 0.3271 } },
    domain,
  }),
};
