// Decoder families of Hugging Face `config.json`, by `model_type`: how each one's blocks differ from
// Llama's (biases, norms, MLP, attention, experts), read from the modules of its `transformers`
// implementation (`models/<type>/modeling_<type>.py`; remote-code models from their own
// `modeling_*.py`). One entry per family; an unknown `model_type` with the standard keys is counted
// as a Llama-style decoder and says so.
import type { BlockStyle } from './blockStyle';
import type { JsonObjectReader } from './json';

export interface Dims {
  d: number;
  L: number;
  H: number;
  K: number;
  h: number;
}

export interface FamilySpec {
  /** Builds the block style from the config and its dimensions. */
  style: (r: JsonObjectReader, dims: Dims) => BlockStyle;
  /** Embeddings tied when the config does not say (the family's config default). */
  tiedDefault?: boolean;
  /** FFN size when the config has no `intermediate_size` (e.g. Falcon, BLOOM: 4d). */
  defaultFfn?: (d: number) => number;
  /** The config's `intermediate_size` is a multiple of the FFN matrices' size (Qwen 1: w1 and w2 each take half). */
  ffnDivisor?: number;
  /** Key/value heads when the family decides them itself (Falcon-7B multi-query: 1). */
  kvHeads?: (r: JsonObjectReader, H: number) => number | undefined;
  /** Keys that hold the shape under other names. */
  aliases?: Partial<Record<'hidden_size' | 'num_hidden_layers' | 'num_attention_heads' | 'intermediate_size' | 'num_key_value_heads', string[]>>;
  /** A note for the user when the count leaves something out or assumes. */
  note?: string;
}

const bool = (r: JsonObjectReader, key: string, dflt: boolean): boolean => {
  const b = r.boolean(key);
  return b.ok === true ? b.value : dflt;
};
const int = (r: JsonObjectReader, key: string): number | undefined => {
  const n = r.number(key, { integer: true, min: 0 });
  return n.ok === true ? n.value : undefined;
};

/** Llama block: RMSNorm, gated MLP, optional `attention_bias` (q/k/v/o) and `mlp_bias`. */
const llamaStyle = (r: JsonObjectReader): BlockStyle => {
  const ab = bool(r, 'attention_bias', false);
  return { kind: 'llama', qkvBias: ab, oBias: ab, mlpBias: bool(r, 'mlp_bias', false), qkNorm: false };
};

/**
 * DeepSeek-V2/V3 multi-head latent attention (modeling_deepseek_v3.py DeepseekV3Attention): q through a
 * low-rank q_a (d×r_q) + q_a_layernorm (r_q) + q_b (r_q×H·(nope+rope)), or directly d×H·(nope+rope) when
 * q_lora_rank is null; kv_a_proj_with_mqa d×(r_kv+rope), kv_a_layernorm r_kv, kv_b r_kv×H·(nope+v), o H·v×d.
 */
export function mlaAttentionParams(
  d: number,
  H: number,
  qLoraRank: number | undefined,
  kvLoraRank: number,
  qkNope: number,
  qkRope: number,
  vHead: number,
): number {
  const qHead = qkNope + qkRope;
  const q = qLoraRank ? d * qLoraRank + qLoraRank + qLoraRank * H * qHead : d * H * qHead;
  return q + d * (kvLoraRank + qkRope) + kvLoraRank + kvLoraRank * H * (qkNope + vHead) + H * vHead * d;
}

/**
 * Qwen3-Next and Qwen3.5 (modeling_qwen3_next.py, modeling_qwen3_5_moe.py): hybrid layers. Every
 * `full_attention_interval`-th layer (or as `layer_types` says) is gated attention: q_proj d×2·H·h (query
 * and output gate; Qwen3.5 `attn_output_gate`), k/v d×K·h, o H·h×d, q_norm/k_norm h each. The others are
 * Gated DeltaNet: in_proj for q, k (d×Hk·dk each), v and z (d×Hv·dv each), b and a (d×Hv each); a depthwise
 * conv1d over q, k, v (kernel `linear_conv_kernel_dim`, no bias); dt_bias and A_log (Hv each); a gated
 * RMSNorm of dv; out_proj Hv·dv×d.
 */
const qwen3Next: FamilySpec = {
  style: (r, { d, L, H, K, h }) => {
    const gate = bool(r, 'attn_output_gate', true);
    const full = d * H * h * (gate ? 2 : 1) + 2 * d * K * h + H * h * d + 2 * h;
    const kHeads = int(r, 'linear_num_key_heads') ?? 16;
    const vHeads = int(r, 'linear_num_value_heads') ?? 32;
    const kDim = kHeads * (int(r, 'linear_key_head_dim') ?? 128);
    const vHeadDim = int(r, 'linear_value_head_dim') ?? 128;
    const vDim = vHeads * vHeadDim;
    const conv = 2 * kDim + vDim;
    const deltaNet = d * conv + d * vDim + 2 * d * vHeads + conv * (int(r, 'linear_conv_kernel_dim') ?? 4) + 2 * vHeads + vHeadDim + vDim * d;
    const types = r.node('layer_types');
    const interval = int(r, 'full_attention_interval') || 4;
    const linear =
      types?.type === 'array'
        ? (types.children ?? []).filter((n) => n.value === 'linear_attention').length
        : Array.from({ length: L }, (_, i) => (i + 1) % interval !== 0).filter(Boolean).length;
    const style: BlockStyle = { kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false, attentionParams: full };
    if (linear > 0) style.otherMixer = { count: linear, params: deltaNet, what: 'Gated DeltaNet linear attention' };
    return style;
  },
  note: 'Qwen3-Next/3.5 hybrid layers: gated attention and Gated DeltaNet counted per layer type; the multi-token-prediction layers (mtp_num_hidden_layers) are not.',
};

const deepseek = (v3: boolean): FamilySpec => ({
  style: (r, { d, H }) => {
    const first = int(r, 'first_k_dense_replace') ?? 0;
    const shared = int(r, 'n_shared_experts') ?? 0;
    const fe = int(r, 'moe_intermediate_size') ?? 0;
    const ffn = int(r, 'intermediate_size') ?? 0;
    const kv = int(r, 'kv_lora_rank');
    const style: BlockStyle = { kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false, sharedExpertGate: false };
    if (kv !== undefined) {
      style.attentionParams = mlaAttentionParams(
        d,
        H,
        int(r, 'q_lora_rank') || undefined,
        kv,
        int(r, 'qk_nope_head_dim') ?? 128,
        int(r, 'qk_rope_head_dim') ?? 64,
        int(r, 'v_head_dim') ?? 128,
      );
    }
    if (shared > 0 && fe > 0) style.sharedExpertFfn = shared * fe;
    if (first > 0) style.denseLayers = { count: first, ffn };
    if (v3) style.routerBias = true;
    return style;
  },
  note: 'DeepSeek MLA attention and shared experts counted; the multi-token-prediction module of the checkpoint (num_nextn_predict_layers) is not.',
});

/** Families by `model_type`. */
export const HF_FAMILIES: Record<string, FamilySpec> = {
  llama: { style: llamaStyle },
  mistral: { style: llamaStyle },
  // Granite: Llama blocks with scaling multipliers (no parameters). modeling_granite.py
  granite: { style: llamaStyle },
  // Yi, InternLM 2/3, Baichuan-like Llama clones: same modules (InternLM2 fuses wqkv, same size).
  internlm2: { style: (r) => ({ kind: 'llama', qkvBias: bool(r, 'bias', false), oBias: bool(r, 'bias', false), mlpBias: false, qkNorm: false }) },
  internlm3: { style: (r) => ({ kind: 'llama', qkvBias: bool(r, 'qkv_bias', false), oBias: bool(r, 'bias', false), mlpBias: false, qkNorm: false }) },
  // InternLM 1: q/k/v/o with bias (config `bias`, default true).
  internlm: { style: (r) => ({ kind: 'llama', qkvBias: bool(r, 'bias', true), oBias: bool(r, 'bias', true), mlpBias: false, qkNorm: false }) },
  qwen2: { style: () => ({ kind: 'llama', qkvBias: true, oBias: false, mlpBias: false, qkNorm: false }) },
  qwen3: {
    style: (r) => ({ kind: 'llama', qkvBias: bool(r, 'attention_bias', false), oBias: bool(r, 'attention_bias', false), mlpBias: false, qkNorm: true }),
  },
  // Qwen 1 (remote code modeling_qwen.py): c_attn d×3d with bias, c_proj no bias, w1/w2 each intermediate_size/2.
  qwen: {
    style: () => ({ kind: 'llama', qkvBias: true, oBias: false, mlpBias: false, qkNorm: false }),
    ffnDivisor: 2,
    aliases: { num_hidden_layers: ['num_hidden_layers', 'n_layer'] },
  },
  // Phi-3 / Phi-4 (model_type phi3): fused qkv_proj and gate_up_proj, same sizes as Llama.
  phi3: { style: llamaStyle },
  // Phi-1/2 (modeling_phi.py): parallel block with one LayerNorm (bias), q/k/v/dense and fc1/fc2 with biases, lm_head bias.
  phi: {
    style: (r) => ({
      kind: 'llama',
      qkvBias: true,
      oBias: true,
      mlpBias: true,
      qkNorm: false,
      plainMlp: true,
      normWidth: 2,
      normsPerLayer: 1,
      extraParams: int(r, 'vocab_size') ?? 0,
    }),
  },
  // Gemma (modeling_gemma.py): Llama blocks, head_dim from the config, tied embeddings.
  gemma: { style: llamaStyle, tiedDefault: true },
  // Gemma 2: pre- and post-norms around attention and MLP (4 RMSNorms per layer).
  gemma2: { style: () => ({ kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false, normsPerLayer: 4 }), tiedDefault: true },
  // Gemma 3 text: Gemma 2 blocks plus per-head q_norm/k_norm.
  gemma3_text: { style: () => ({ kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: true, normsPerLayer: 4 }), tiedDefault: true },
  // OLMo 1 (modeling_olmo.py): non-parametric LayerNorm (no weights), no biases.
  olmo: { style: () => ({ kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false, normWidth: 0 }) },
  // OLMo 2: RMSNorm q_norm/k_norm over the whole projections ((H + K)·h), norms after attention and MLP.
  olmo2: { style: (_r, { H, K, h }) => ({ kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false, qkNormParams: (H + K) * h }) },
  olmoe: { style: (_r, { H, K, h }) => ({ kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false, qkNormParams: (H + K) * h }) },
  // GPT-NeoX / Pythia (modeling_gpt_neox.py): fused qkv and dense with biases, LayerNorms with bias, plain MLP with biases, untied embed_out.
  gpt_neox: { style: () => ({ kind: 'llama', qkvBias: true, oBias: true, mlpBias: true, qkNorm: false, plainMlp: true, normWidth: 2 }) },
  // StarCoder2 (modeling_starcoder2.py): LayerNorm with bias, c_fc/c_proj plain MLP, `use_bias` on every linear.
  starcoder2: {
    style: (r) => {
      const b = bool(r, 'use_bias', true);
      return { kind: 'llama', qkvBias: b, oBias: b, mlpBias: b, qkNorm: false, plainMlp: true, normWidth: 2 };
    },
    tiedDefault: true,
  },
  // Cohere (modeling_cohere.py): parallel block, one LayerNorm without bias per layer, optional q/k norms per head, tied.
  cohere: {
    style: (r, { H, K, h }) => ({
      kind: 'llama',
      qkvBias: bool(r, 'attention_bias', false),
      oBias: bool(r, 'attention_bias', false),
      mlpBias: false,
      qkNorm: false,
      normsPerLayer: 1,
      qkNormParams: bool(r, 'use_qk_norm', false) ? (H + K) * h : 0,
    }),
    tiedDefault: true,
  },
  cohere2: {
    style: (r) => ({
      kind: 'llama',
      qkvBias: bool(r, 'attention_bias', false),
      oBias: bool(r, 'attention_bias', false),
      mlpBias: false,
      qkNorm: false,
      normsPerLayer: 1,
    }),
    tiedDefault: true,
  },
  // Nemotron (modeling_nemotron.py): LayerNorm1P with bias, up/down MLP with squared ReLU (not gated), no biases.
  nemotron: {
    style: (r) => ({
      kind: 'llama',
      qkvBias: bool(r, 'attention_bias', false),
      oBias: bool(r, 'attention_bias', false),
      mlpBias: bool(r, 'mlp_bias', false),
      qkNorm: false,
      plainMlp: true,
      normWidth: 2,
    }),
  },
  // Falcon (modeling_falcon.py): no linear biases (config `bias`), LayerNorms with bias; 40B/180B ("new_decoder_architecture")
  // have ln_attn and ln_mlp, 7B one input_layernorm and multi-query attention; MLP 4h → h (or ffn_hidden_size).
  falcon: {
    style: (r) => {
      const b = bool(r, 'bias', false);
      const twoNorms = bool(r, 'new_decoder_architecture', false) || !bool(r, 'parallel_attn', true);
      return { kind: 'llama', qkvBias: b, oBias: b, mlpBias: b, qkNorm: false, plainMlp: true, normWidth: 2, normsPerLayer: twoNorms ? 2 : 1 };
    },
    tiedDefault: true,
    defaultFfn: (d) => 4 * d,
    kvHeads: (r, H) => (bool(r, 'new_decoder_architecture', false) ? (int(r, 'num_kv_heads') ?? H) : bool(r, 'multi_query', true) ? 1 : H),
    aliases: {
      num_hidden_layers: ['num_hidden_layers', 'n_layer'],
      num_attention_heads: ['num_attention_heads', 'n_head'],
      intermediate_size: ['ffn_hidden_size'],
      num_key_value_heads: [],
    },
  },
  // BLOOM (modeling_bloom.py): biases everywhere, LayerNorms with bias, 4h MLP, word_embeddings_layernorm, tied.
  bloom: {
    style: (r) => ({
      kind: 'llama',
      qkvBias: true,
      oBias: true,
      mlpBias: true,
      qkNorm: false,
      plainMlp: true,
      normWidth: 2,
      extraParams: 2 * (int(r, 'hidden_size') ?? int(r, 'n_embed') ?? 0),
    }),
    tiedDefault: true,
    defaultFfn: (d) => 4 * d,
    aliases: {
      hidden_size: ['hidden_size', 'n_embed'],
      num_hidden_layers: ['num_hidden_layers', 'n_layer'],
      num_attention_heads: ['num_attention_heads', 'n_head'],
    },
  },
  mixtral: { style: () => ({ kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false }) },
  // Granite MoE: input_linear (2f×d) + output_linear (d×f) per expert = a gated MLP's 3df; router d×E.
  granitemoe: { style: () => ({ kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false }) },
  granitemoeshared: {
    style: (r) => ({
      kind: 'llama',
      qkvBias: false,
      oBias: false,
      mlpBias: false,
      qkNorm: false,
      sharedExpertFfn: int(r, 'shared_intermediate_size') || undefined,
      sharedExpertGate: false,
    }),
  },
  qwen2_moe: { style: () => ({ kind: 'llama', qkvBias: true, oBias: false, mlpBias: false, qkNorm: false }) },
  qwen3_moe: {
    style: (r) => ({ kind: 'llama', qkvBias: bool(r, 'attention_bias', false), oBias: bool(r, 'attention_bias', false), mlpBias: false, qkNorm: true }),
  },
  qwen3_next: qwen3Next,
  deepseek_v2: deepseek(false),
  deepseek_v3: deepseek(true),
  // DeepSeek-R1 and Kimi K2 ship model_type deepseek_v3; "kimi_k2" appears in some re-uploads.
  kimi_k2: deepseek(true),
};

/** Types whose config names experts (num_local_experts / num_experts / n_routed_experts) and are counted as MoE. */
export const MOE_FAMILIES = new Set([
  'mixtral',
  'qwen2_moe',
  'qwen3_moe',
  'qwen3_next',
  'granitemoe',
  'granitemoeshared',
  'olmoe',
  'deepseek_v2',
  'deepseek_v3',
  'kimi_k2',
]);

/** `model_type`s of multimodal wrappers whose language model sits in `text_config`. */
export const TEXT_CONFIG_WRAPPERS = new Set([
  'gemma3',
  'llava',
  'llava_next',
  'mistral3',
  'qwen2_vl',
  'qwen2_5_vl',
  'qwen3_vl',
  'qwen3_vl_moe',
  'qwen3_5',
  'qwen3_5_moe',
  'idefics3',
  'smolvlm',
  'paligemma',
  'mllama',
  'llama4',
  'gemma3n',
  'internvl',
]);

/** Aliases of the text model's type inside a wrapper (gemma3 → gemma3_text, and a few renamings). */
export function textModelType(t: string): string {
  if (t === 'gemma3_text' || t === 'gemma3') return 'gemma3_text';
  if (t === 'qwen3_vl_text') return 'qwen3';
  if (t === 'qwen3_vl_moe_text') return 'qwen3_moe';
  // Qwen3.5's text models are Qwen3-Next's hybrid blocks.
  if (t === 'qwen3_5_text' || t === 'qwen3_5_moe_text') return 'qwen3_next';
  if (t === 'qwen2_vl_text' || t === 'qwen2_5_vl_text') return 'qwen2';
  return t;
}

/** Generic count for an unknown `model_type` that has the standard keys: a Llama-style decoder. */
export const GENERIC_FAMILY: FamilySpec = {
  style: llamaStyle,
  note: "counted as a Llama-style decoder (RMSNorm, gated MLP of intermediate_size, q/k/v/o without biases unless attention_bias, untied head unless tie_word_embeddings): an assumption, not this model's own definition",
};
