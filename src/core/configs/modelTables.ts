// Model shapes that configs name instead of spelling out: torchtitan flavors and litgpt model names.
// Each entry cites the public source file it was read from; add entries the same way.
import type { BlockStyle } from './hfConfig';
import type { ModelArchitecture } from './types';

export interface NamedModel {
  arch: ModelArchitecture;
  style: BlockStyle;
  /** Repository and file the shape comes from. */
  citation: string;
}

const LLAMA: BlockStyle = { kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false };
const QWEN3: BlockStyle = { kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: true };

/**
 * torchtitan's FFN size (torchtitan `models/llama3/model/model.py` FeedForward, as in Meta's
 * llama `model.py`): hidden = 4·dim → ⌊2·hidden/3⌋ → ⌊multiplier·hidden⌋ → rounded up to
 * `multiple_of` (default 256).
 */
export function llamaFfnDim(dim: number, multipleOf = 256, multiplier?: number): number {
  let hidden = Math.floor((2 * 4 * dim) / 3);
  if (multiplier !== undefined) hidden = Math.floor(multiplier * hidden);
  return multipleOf * Math.ceil(hidden / multipleOf);
}

function llama(
  nLayer: number,
  dModel: number,
  nHead: number,
  nKvHead: number,
  dFfn: number,
  vocab: number,
  tiedEmbeddings: boolean,
  positions: number | undefined,
  citation: string,
): NamedModel {
  const arch: ModelArchitecture = {
    modelType: 'llama',
    nLayer,
    dModel,
    nHead,
    nKvHead,
    headDim: dModel / nHead,
    dFfn,
    vocab,
    tiedEmbeddings,
    learnedPositions: false,
  };
  if (positions !== undefined) arch.positions = positions;
  return { arch, style: LLAMA, citation };
}

const TITAN = 'pytorch/torchtitan torchtitan/models/llama3/__init__.py (llama3_configs), commit 238fa9953e4aec2a62582121564273d7cbb1e9f1';
const TITAN_QWEN3 = 'pytorch/torchtitan torchtitan/models/qwen3/__init__.py (qwen3_args), commit 238fa9953e4aec2a62582121564273d7cbb1e9f1';

/**
 * torchtitan's Qwen3 (`models/qwen3/model`): the Llama block with RMSNorm on q and k (head_dim each) and
 * a head size of its own (128, not dim / n_heads), no biases; `enable_weight_tying` up to 4B.
 */
function qwen3(nLayer: number, dModel: number, nHead: number, nKvHead: number, dFfn: number, vocab: number, tiedEmbeddings: boolean): NamedModel {
  const m = llama(nLayer, dModel, nHead, nKvHead, dFfn, vocab, tiedEmbeddings, undefined, TITAN_QWEN3);
  m.arch.headDim = 128;
  return { ...m, style: QWEN3 };
}

/** torchtitan `[model] name = "llama3"` flavors. The vocabulary is the tokenizer's (128,256 for Llama 3; 2,048 for the test tokenizer of `debugmodel`). */
export const TORCHTITAN_FLAVORS: Record<string, Record<string, NamedModel>> = {
  llama3: {
    debugmodel: llama(6, 256, 16, 16, llamaFfnDim(256), 2048, false, undefined, TITAN),
    '8B': llama(32, 4096, 32, 8, llamaFfnDim(4096, 1024, 1.3), 128256, false, undefined, TITAN),
    '70B': llama(80, 8192, 64, 8, llamaFfnDim(8192, 4096, 1.3), 128256, false, undefined, TITAN),
    '405B': llama(126, 16384, 128, 8, llamaFfnDim(16384, 4096, 1.2), 128256, false, undefined, TITAN),
  },
  // The dense flavors (the MoE ones, `debugmodel_moe`, `30B-A3B`, … are not in the table yet).
  qwen3: {
    debugmodel: qwen3(8, 256, 16, 8, 3072, 2048, true),
    '0.6B': qwen3(28, 1024, 16, 8, 3072, 151936, true),
    '1.7B': qwen3(28, 2048, 16, 8, 6144, 151936, true),
    '4B': qwen3(36, 2560, 32, 8, 9728, 151936, true),
    '8B': qwen3(36, 4096, 32, 8, 12288, 151936, false),
    '14B': qwen3(40, 5120, 40, 8, 17408, 151936, false),
    '32B': qwen3(64, 5120, 64, 8, 25600, 151936, false),
  },
};

const LIT = 'Lightning-AI/litgpt litgpt/config.py (configs list)';

/**
 * litgpt `model_name` entries (Llama-style: RMSNorm, LLaMAMLP, no biases, untied head unless
 * noted). `padded_vocab_size` is the vocabulary. Counts match the Hugging Face checkpoints.
 */
export const LITGPT_MODELS: Record<string, NamedModel> = {
  'tiny-llama-1.1b': llama(22, 2048, 32, 4, 5632, 32000, false, 2048, LIT),
  'Llama-2-7b-hf': llama(32, 4096, 32, 32, 11008, 32000, false, 4096, LIT),
  'Meta-Llama-3-8B': llama(32, 4096, 32, 8, 14336, 128256, false, 8192, LIT),
  'Llama-3.1-8B': llama(32, 4096, 32, 8, 14336, 128256, false, 131072, LIT),
  'Llama-3.2-1B': llama(16, 2048, 32, 8, 8192, 128256, true, 131072, LIT),
  'Llama-3.2-3B': llama(28, 3072, 24, 8, 8192, 128256, true, 131072, LIT),
  'Llama-2-13b-hf': llama(40, 5120, 40, 40, 13824, 32000, false, 4096, LIT),
  'Llama-2-70b-hf': llama(80, 8192, 64, 8, 28672, 32000, false, 4096, LIT),
  'Meta-Llama-3-70B': llama(80, 8192, 64, 8, 28672, 128256, false, 8192, LIT),
  'Mistral-7B-v0.1': llama(32, 4096, 32, 8, 14336, 32000, false, 4096, LIT),
};

/** Copies a named model so readers can annotate it without touching the table. */
export function cloneNamed(m: NamedModel): NamedModel {
  return { arch: { ...m.arch }, style: { ...m.style }, citation: m.citation };
}
