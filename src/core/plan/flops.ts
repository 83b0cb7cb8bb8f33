// Training compute of a plan, under one stated convention.
//
// Convention (Kaplan et al. 2020, "Scaling Laws for Neural Language Models", Table 1 and §2.1):
//   forward FLOPs per token  = 2·(N_nonembedding + d_model·vocab) + 2·n_layer·n_ctx·d_attn
//   training FLOPs per token = 3 × forward (backward ≈ 2 × forward)
//                            = 6·(N_nonembedding + d_model·vocab) + 6·n_layer·n_ctx·d_attn
//   training FLOPs           = per token × D (training tokens)
// * 2·d_model·vocab is the output-head (de-embedding) matmul, counted whether or not the head is
//   tied; the input embedding lookup and learned positions cost no matmul FLOPs.
// * The attention term is Kaplan's as is: QKᵀ and the attention-weighted sum of values cost
//   2·n_ctx·d_attn each per token and layer over the full context (4·n_ctx·d_attn; Chinchilla's
//   appendix F counts both). Kaplan's 2·n_ctx·d_attn is half of that, which we take as the causal
//   average (each query sees about n_ctx/2 keys): causal halving IS applied. nanoGPT's and PaLM's MFU formulas (12·n_layer·n_ctx·d per
//   token) do not halve: they give a larger attention term for the same run.
// * d_attn = n_head × head_dim (= d_model unless the config sets head_dim); n_ctx = the training
//   sequence length (the model's position capacity when the sequence length is unknown, noted).
// * Mixture of experts: N_nonembedding is the active (top-k experts) count.
// * Norms, biases, softmax and activations are ignored (a fraction of a percent at these sizes).
import type { TrainingPlan } from '../configs/types';
import { FLOPS_PER_PARAM_TOKEN } from '../laws/trainingCompute';

export const FLOPS_CONVENTION = 'Kaplan et al. 2020: 6·(N_nonembedding + d_model·vocab)·D + 6·n_layer·n_ctx·d_attn·D (causal attention, halved)';

/** The plan fields the FLOPs count needs. */
export type FlopsInput = Pick<TrainingPlan, 'params' | 'architecture' | 'seqLen' | 'tokens'>;

export interface FlopsBreakdown {
  /** 6·N_nonembedding per token. */
  nonEmbeddingPerToken: number;
  /** 6·d_model·vocab per token: the output-head matmul. */
  headPerToken: number;
  /** 6·n_layer·n_ctx·d_attn per token. */
  attentionPerToken: number;
  /** Sum of the three. */
  perToken: number;
  /** Context length used for the attention term; undefined when unknown (term left out). */
  nCtx?: number;
  /** Training tokens D. */
  tokens: number;
  /** Each term × D. */
  nonEmbedding: number;
  head: number;
  attention: number;
}

export interface TrainingFlops {
  flops: number;
  breakdown: FlopsBreakdown;
  convention: string;
  /** Assumptions made for this plan (e.g. n_ctx taken from the position capacity). */
  notes: string[];
}

/** FLOPs per training token and its parts, under the convention above. */
export function flopsPerToken(plan: Omit<FlopsInput, 'tokens'>): Omit<FlopsBreakdown, 'tokens' | 'nonEmbedding' | 'head' | 'attention'> & { notes: string[] } {
  const a = plan.architecture;
  const notes: string[] = [];
  const dAttn = a.nHead * (a.headDim ?? a.dModel / a.nHead);
  let nCtx = plan.seqLen;
  if (nCtx === undefined && a.positions !== undefined) {
    nCtx = a.positions;
    notes.push(`Sequence length unknown: the attention term uses the model's position capacity (${a.positions}).`);
  } else if (nCtx === undefined) {
    notes.push('Sequence length unknown: the attention term is left out.');
  }
  // Mixture of experts: a token passes through its top-k experts only, so the active count is used.
  const nonEmbeddingPerToken = FLOPS_PER_PARAM_TOKEN * (plan.params.activeNonEmbedding ?? plan.params.nonEmbedding);
  if (plan.params.activeNonEmbedding !== undefined) notes.push('Mixture of experts: 6·N uses the active (top-k) non-embedding parameters.');
  const headPerToken = FLOPS_PER_PARAM_TOKEN * a.dModel * a.vocab;
  // Not parameters: 3 × Kaplan's forward 2·n_layer·n_ctx·d_attn (backward ≈ 2 × forward, as for 6·N).
  const attentionPerToken = nCtx === undefined ? 0 : 6 * a.nLayer * nCtx * dAttn;
  const out = { nonEmbeddingPerToken, headPerToken, attentionPerToken, perToken: nonEmbeddingPerToken + headPerToken + attentionPerToken, notes };
  return nCtx === undefined ? out : { ...out, nCtx };
}

/**
 * Training FLOPs of a plan. `tokens` defaults to the plan's D; throws a RangeError when there is
 * none (check `plan.tokens` first) or it is not a positive finite number.
 */
export function trainingFlops(plan: FlopsInput, tokens: number | undefined = plan.tokens): TrainingFlops {
  if (tokens === undefined || !Number.isFinite(tokens) || tokens <= 0) {
    throw new RangeError(`trainingFlops needs a positive number of training tokens (got ${String(tokens)})`);
  }
  const { notes, ...perToken } = flopsPerToken(plan);
  const breakdown: FlopsBreakdown = {
    ...perToken,
    tokens,
    nonEmbedding: perToken.nonEmbeddingPerToken * tokens,
    head: perToken.headPerToken * tokens,
    attention: perToken.attentionPerToken * tokens,
  };
  return { flops: perToken.perToken * tokens, breakdown, convention: FLOPS_CONVENTION, notes };
}
