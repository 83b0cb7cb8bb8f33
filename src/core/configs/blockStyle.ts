// The decoder block's style: read by the HF, Megatron and builder readers, chosen per family in
// hfFamilies.ts. Its own module so hfConfig.ts and hfFamilies.ts form no import cycle.

/** What differs between decoder blocks, beyond the shape. */
export type BlockStyle =
  /** GPT-2 block (LayerNorm, plain GELU MLP); `bias: false` drops linear and LayerNorm biases (nanoGPT `bias=False`, MPT `no_bias`). */
  | { kind: 'gpt2'; bias?: boolean }
  | {
      kind: 'llama';
      qkvBias: boolean;
      oBias: boolean;
      mlpBias: boolean;
      qkNorm: boolean;
      /** LayerNorm with bias instead of RMSNorm (2d per norm instead of d). */
      normBias?: boolean;
      /** Plain (non-gated) MLP: 2·d·f instead of 3·d·f (Megatron/NeMo without SwiGLU). */
      plainMlp?: boolean;
      /** Qwen-MoE shared expert: gated MLP of this size plus a d×1 gate (no gate when `sharedExpertGate` is false: DeepSeek, Granite). */
      sharedExpertFfn?: number;
      sharedExpertGate?: boolean;
      /** Norm weights per element: 1 RMSNorm (default), 2 LayerNorm with bias (= `normBias`), 0 non-parametric (OLMo 1). */
      normWidth?: 0 | 1 | 2;
      /** Norms per layer: 2 (default), 4 (Gemma 2/3: pre and post norms), 1 (parallel blocks: Cohere, Phi-2, Falcon-7B). */
      normsPerLayer?: number;
      /** Parameters of q/k norms per layer, when not Qwen3's 2·head_dim (OLMo 2: (H+K)·h over the projections). */
      qkNormParams?: number;
      /** Attention parameters per layer given whole (DeepSeek MLA), replacing the q/k/v/o formula. */
      attentionParams?: number;
      /** The first layers are dense with this FFN size (DeepSeek `first_k_dense_replace`). */
      denseLayers?: { count: number; ffn: number };
      /** Extra parameters outside the layers (BLOOM's embedding LayerNorm, Phi-2's lm_head bias, router score biases), counted as non-embedding. */
      extraParams?: number;
      /** Router bias per expert (DeepSeek-V3 `e_score_correction_bias`). */
      routerBias?: boolean;
      /** Layers whose token mixer is not this attention (Qwen3-Next/3.5 Gated DeltaNet): how many, and their parameters each instead. */
      otherMixer?: { count: number; params: number; what: string };
    };
