// What a training config describes before launch, and where each value came from.
import type { Diagnostic } from '../diagnostics';

/** Where one value of a plan came from, so hovers and code lenses can point at it. */
export interface ValueSource {
  /** The file the value was read from (or, for a derived value, the file whose keys it was derived from). */
  file: string;
  /** Character offsets of the value in that file's text (JSON value node: `end` is exclusive). */
  range?: { start: number; end: number };
  /** "derived: …" for computed values, "assumed: …" for defaults the file did not state. */
  note?: string;
}

/** Learning-rate schedule as the config names it (HF `lr_scheduler_type` names are kept as they are). */
export interface LrSchedule {
  type: string;
  warmupSteps?: number;
  /** Final LR as a fraction of the peak, when the config says (foundry `alpha_f`, torchtitan `min_lr_factor`, min_lr / lr). */
  minLrRatio?: number;
  /** Warmup-stable-decay: steps of the final decay, and its shape as the config names it (HF `decay_type`). */
  decaySteps?: number;
  decayShape?: string;
}

/** How the training state is split across GPUs (memory model input). */
export interface Parallelism {
  tensor?: number;
  pipeline?: number;
  context?: number;
  /** ZeRO stage: 0 plain data parallel, 1 optimizer state sharded, 2 + gradients, 3 (= FSDP full shard) + weights. */
  zeroStage?: 0 | 1 | 2 | 3;
}

/** Shape of a decoder-only transformer, enough to count parameters and FLOPs. */
export interface ModelArchitecture {
  /** HF `model_type` (e.g. `gpt2`, `llama`, `qwen2`), or the type assumed from the keys. */
  modelType: string;
  nLayer: number;
  dModel: number;
  nHead: number;
  /** Key/value heads (grouped-query attention); equals `nHead` for multi-head attention. */
  nKvHead?: number;
  /** Per-head dimension; d_model / n_head unless the config sets `head_dim`. */
  headDim?: number;
  /** FFN inner size. */
  dFfn?: number;
  vocab: number;
  tiedEmbeddings: boolean;
  /** Position capacity (`n_positions` / `max_position_embeddings`): not the training length. */
  positions?: number;
  /** True when positions are a learned embedding table (GPT-2), which counts as embedding parameters. */
  learnedPositions: boolean;
  /** Mixture of experts: routed experts per MoE layer, experts used per token, and each expert's FFN size. */
  experts?: number;
  expertsPerToken?: number;
  dFfnExpert?: number;
  /** Encoder-decoder models: `nLayer` is encoder + decoder layers; these split it. */
  encoderLayers?: number;
  decoderLayers?: number;
}

export interface TrainingPlan {
  params: {
    /** All parameters, embeddings and untied output head included. */
    total: number;
    /**
     * Kaplan et al. (2020) convention: "excluding all vocabulary and positional embeddings", i.e.
     * total − V·d (input embedding) − V·d again when the output head is untied − T·d for learned
     * positions. Norms and biases count as non-embedding.
     */
    nonEmbedding: number;
    /** Mixture of experts: parameters used per token (top-k experts), total and non-embedding. */
    active?: number;
    activeNonEmbedding?: number;
    /**
     * The checkpoint's own count, from a `model.safetensors.index.json` / `pytorch_model.bin.index.json`
     * beside the config: total_size bytes / bytes per parameter of `torch_dtype`. `diff` = total − this.
     */
    fromIndex?: { params: number; file: string; dtype: string; diff: number };
  };
  /** Planned training tokens D for the whole run. */
  tokens?: number;
  /** Unique tokens in the training data, when the config says (D / uniqueTokens = epochs; data-limited law). */
  uniqueTokens?: number;
  tokensPerStep?: number;
  /** Training sequence length (tokens per sequence). */
  seqLen?: number;
  peakLr?: number;
  maxSteps?: number;
  schedule?: LrSchedule;
  /** GPUs of the run (data-parallel world size × tensor × pipeline × context parallel, when known). */
  gpus?: number;
  /** Sequences per GPU per micro-step (activation memory). */
  microBatch?: number;
  /** Training precision as the config names it (`bf16`, `amp_bf16`, `bf16-mixed`, `fp8`, …). */
  precision?: string;
  parallelism?: Parallelism;
  /** Activation checkpointing (recomputation) as configured. */
  activationCheckpointing?: 'none' | 'selective' | 'full';
  /** μP / μTransfer parametrisation: the LR transfers by design, so LR advice is silent. */
  muP?: boolean;
  /** Config format that produced the plan (`hf`, `nanogpt`, `llm-foundry`, `litgpt`, `torchtitan`, `megatron`, `nemo`, `generic`). */
  format?: string;
  /** Run family: runs on the same data, tokenizer and recipe. */
  family?: string;
  architecture: ModelArchitecture;
  /**
   * Where each value came from, keyed by its path in this object: `params.total`,
   * `params.nonEmbedding`, `tokens`, `tokensPerStep`, `seqLen`, `peakLr`, `maxSteps`, `schedule`,
   * `schedule.warmupSteps`, `gpus`, `family`, `architecture.<field>`, and inputs that are not plan
   * fields themselves (`batch.perDevice`, `batch.gradAccum`).
   */
  sources: Record<string, ValueSource>;
  /** Assumptions and derivations in words, for the user. */
  notes: string[];
}

export type ConfigReadResult =
  | { kind: 'plan'; plan: TrainingPlan; diagnostics: Diagnostic[] }
  | { kind: 'not-applicable'; reason: string; diagnostics: Diagnostic[] }
  | { kind: 'error'; message: string; diagnostics: Diagnostic[] };
