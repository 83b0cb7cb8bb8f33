// Memory per accelerator of a training run: model state (weights, gradients, optimizer) and
// activations, under ZeRO / FSDP sharding and tensor / pipeline splits.
//
// Model state, bytes per parameter (Rajbhandari et al. 2020, "ZeRO", §3.1: K = 12 for Adam):
// * mixed-precision Adam: 2 (bf16 weights) + 2 (bf16 gradients) + 4 (fp32 master) + 4 + 4 (Adam m, v) = 16
// * FSDP mixed precision keeping fp32 gradients for the reduce: 2 + 4 + 4 + 8 = 18
// * pure fp32 Adam: 4 + 4 + 8 = 16 as well, but weights are fp32 (no separate master)
// ZeRO stage 1 shards the optimizer state (master + m + v) over the data-parallel ranks, stage 2
// also the gradients, stage 3 (= FSDP FULL_SHARD) also the weights. Tensor and pipeline
// parallelism split every part by tp·pp (pipeline stages hold L/pp layers; embeddings ignored).
//
// Activations per layer (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
// Transformer Models", §4, 16-bit activations, s = sequence, b = micro-batch, h = d_model):
// s·b·h·(34 + 5·a·s/h) bytes with f = 4h. FlashAttention does not store the a·s² scores, which
// drops the 5·a·s/h term; the 34 splits into attention 11, MLP 19 (= 3 + 4·f/h; a gated MLP
// stores three f-wide tensors: 3 + 6·f/h) and layer norms 4. Tensor parallelism with sequence
// parallelism divides it by t. Full checkpointing keeps only each layer's input (2·s·b·h) plus
// one layer's working set during recomputation. With 1F1B pipelining the first stage holds pp
// micro-batches of L/pp layers: about L layers' worth, independent of pp. The fp32 logits
// (4·s·b·V bytes) are added once.
import type { TrainingPlan } from '../configs/types';
import { formatInteger } from '../../shared/format';

export type OptimizerState = 'mixed-adam' | 'fsdp-fp32-grads' | 'fp32-adam';

/** Weights + gradients + optimizer state per parameter, unsharded. */
export function modelStateBytesPerParam(kind: OptimizerState): number {
  return stateParts(kind).weights + stateParts(kind).grads + stateParts(kind).optimizer;
}

function stateParts(kind: OptimizerState): { weights: number; grads: number; optimizer: number } {
  switch (kind) {
    case 'mixed-adam':
      return { weights: 2, grads: 2, optimizer: 12 };
    case 'fsdp-fp32-grads':
      return { weights: 2, grads: 4, optimizer: 12 };
    case 'fp32-adam':
      return { weights: 4, grads: 4, optimizer: 8 };
  }
}

export interface MemoryInput {
  /** Total parameters. */
  params: number;
  nLayer: number;
  dModel: number;
  nHead: number;
  dFfn?: number;
  /** Gated (SwiGLU) MLP: three f-wide activations instead of two. */
  gatedMlp?: boolean;
  vocab: number;
  seqLen: number;
  microBatch: number;
  optimizer?: OptimizerState;
  zeroStage?: 0 | 1 | 2 | 3;
  /** Data-parallel ranks the ZeRO stage shards over. */
  dataParallel?: number;
  tensor?: number;
  pipeline?: number;
  checkpointing?: 'none' | 'selective' | 'full';
  /** FlashAttention-style fused attention (no s² scores stored); default true. */
  flashAttention?: boolean;
}

export interface MemoryEstimate {
  weightsBytes: number;
  gradsBytes: number;
  optimizerBytes: number;
  activationBytes: number;
  logitsBytes: number;
  totalBytes: number;
  notes: string[];
}

/** Bytes per accelerator. Throws a RangeError on non-positive sizes (validate first). */
export function memoryPerGpu(input: MemoryInput): MemoryEstimate {
  for (const k of ['params', 'nLayer', 'dModel', 'nHead', 'vocab', 'seqLen', 'microBatch'] as const) {
    if (!(Number.isFinite(input[k]) && input[k] > 0)) throw new RangeError(`memoryPerGpu: ${k} must be positive (got ${input[k]})`);
  }
  const notes: string[] = [];
  const kind = input.optimizer ?? 'mixed-adam';
  const parts = stateParts(kind);
  const tp = input.tensor ?? 1;
  const pp = input.pipeline ?? 1;
  const dp = input.dataParallel ?? 1;
  const zero = input.zeroStage ?? 0;
  const perRank = input.params / (tp * pp);
  const weightsBytes = (perRank * parts.weights) / (zero >= 3 ? dp : 1);
  const gradsBytes = (perRank * parts.grads) / (zero >= 2 ? dp : 1);
  const optimizerBytes = (perRank * parts.optimizer) / (zero >= 1 ? dp : 1);

  const s = input.seqLen;
  const b = input.microBatch;
  const h = input.dModel;
  const f = input.dFfn ?? 4 * h;
  const flash = input.flashAttention ?? true;
  const mlp = 3 + ((input.gatedMlp ? 6 : 4) * f) / h;
  const perLayerFactor = 11 + mlp + 4 + (flash ? 0 : (5 * input.nHead * s) / h);
  const perLayerFull = (s * b * h * perLayerFactor) / tp;
  const checkpointing = input.checkpointing ?? 'none';
  let activationBytes: number;
  if (checkpointing === 'full') {
    // Each layer's input stays (2·s·b·h, sharded by sequence parallelism), plus one layer recomputed.
    activationBytes = (input.nLayer * 2 * s * b * h) / tp + perLayerFull;
  } else if (checkpointing === 'selective' && !flash) {
    // Selective recomputation (Korthikanti §5) recomputes exactly the attention-score term.
    activationBytes = (input.nLayer * s * b * h * (perLayerFactor - (5 * input.nHead * s) / h)) / tp;
  } else {
    activationBytes = input.nLayer * perLayerFull;
  }
  const logitsBytes = (4 * s * b * input.vocab) / tp;
  if (!flash) notes.push('attention scores stored (no FlashAttention): the 5·a·s/h term of Korthikanti et al. is included');
  if (pp > 1) notes.push('1F1B pipeline: the first stage holds about L layers of activations (pp micro-batches × L/pp layers)');
  const totalBytes = weightsBytes + gradsBytes + optimizerBytes + activationBytes + logitsBytes;
  return { weightsBytes, gradsBytes, optimizerBytes, activationBytes, logitsBytes, totalBytes, notes };
}

/** Whether an estimate fits an accelerator, keeping ~10% for the CUDA context, NCCL buffers and fragmentation. */
export function fitsMemory(estimate: MemoryEstimate, capacityBytes: number): { fits: boolean; warning?: string } {
  const usable = capacityBytes * 0.9;
  if (estimate.totalBytes <= usable) return { fits: true };
  return {
    fits: false,
    warning: `needs ${(estimate.totalBytes / 1e9).toFixed(1)} GB per GPU, more than ${(usable / 1e9).toFixed(1)} GB usable of ${(capacityBytes / 1e9).toFixed(0)} GB: shard further (ZeRO-3/FSDP, tensor or pipeline parallel), checkpoint activations or lower the micro-batch`,
  };
}

/**
 * Training length assumed when a config states none. A model's position capacity
 * (`max_position_embeddings`, 131,072 for recent models) is what it can read, not what it was
 * trained on; 2,048 is the length the Step Law and Chinchilla sweeps trained at.
 */
export const ASSUMED_SEQ_LEN = 2048;

/** The memory model's input for a config's plan, with what was assumed. */
export function memoryInputOf(plan: TrainingPlan): { input: MemoryInput; assumed: string[]; seqLenAssumed: boolean; microBatchAssumed: boolean } {
  const a = plan.architecture;
  const seqLenAssumed = plan.seqLen === undefined;
  const seqLen = plan.seqLen ?? Math.min(ASSUMED_SEQ_LEN, a.positions ?? ASSUMED_SEQ_LEN);
  const assumed: string[] = [];
  const par = plan.parallelism ?? {};
  const tp = par.tensor ?? 1;
  const pp = par.pipeline ?? 1;
  const cp = par.context ?? 1;
  const gpus = plan.gpus ?? 1;
  const dp = Math.max(1, Math.floor(gpus / (tp * pp * cp)));
  if (seqLenAssumed) {
    const capacity = a.positions !== undefined ? `; the model's position capacity of ${formatInteger(a.positions)} is not its training length` : '';
    assumed.push(`sequence length ${formatInteger(seqLen)} (the config sets no training length${capacity})`);
  }
  if (plan.microBatch === undefined) assumed.push('micro-batch 1 sequence');
  if (par.zeroStage === undefined && gpus > 1) assumed.push('ZeRO stage 0 (plain data parallel)');
  const gated = /llama|mistral|qwen|gemma|mixtral|olmo|phi3|deepseek|swiglu/i.test(a.modelType);
  const input: MemoryInput = {
    params: plan.params.total,
    nLayer: a.nLayer,
    dModel: a.dModel,
    nHead: a.nHead,
    dFfn: a.dFfn,
    gatedMlp: gated,
    vocab: a.vocab,
    seqLen: seqLen / cp,
    microBatch: plan.microBatch ?? 1,
    zeroStage: par.zeroStage ?? 0,
    dataParallel: dp,
    tensor: tp,
    pipeline: pp,
    checkpointing: plan.activationCheckpointing ?? 'none',
  };
  return { input, assumed, seqLenAssumed, microBatchAssumed: plan.microBatch === undefined };
}

// ---------------------------------------------------------------- the smallest layout that fits

/** A way to spread a training run over accelerators (pipeline and context parallelism are left out). */
export interface MemoryLayout {
  gpus: number;
  /** ZeRO stage over the data-parallel ranks (3 = FSDP full shard). */
  zeroStage: 0 | 1 | 2 | 3;
  /** Tensor-parallel degree (within a node: at most 8). */
  tensor: number;
  checkpointing: 'none' | 'full';
}

export interface LayoutAdvice {
  layout: MemoryLayout;
  estimate: MemoryEstimate;
}

/** Candidate layouts on `gpus` accelerators, least intrusive first: sharding before checkpointing before tensor parallelism. */
function layoutsOn(gpus: number, nHead: number, maxTensor: number): MemoryLayout[] {
  const out: MemoryLayout[] = [];
  for (const tensor of [1, 2, 4, 8]) {
    // Tensor parallelism splits heads: it needs whole heads per rank.
    if (tensor > maxTensor || tensor > gpus || nHead % tensor !== 0) continue;
    const dp = gpus / tensor;
    const stages: (0 | 1 | 2 | 3)[] = dp > 1 ? [0, 1, 2, 3] : [0];
    for (const checkpointing of ['none', 'full'] as const) {
      for (const zeroStage of stages) out.push({ gpus, zeroStage, tensor, checkpointing });
    }
  }
  return out;
}

/**
 * The fewest accelerators (powers of two up to `maxGpus`) on which the run fits `capacityBytes`,
 * and on that count the least intrusive layout: ZeRO stages first, then full activation
 * checkpointing, then tensor parallelism. Sequence length and micro-batch are kept as given.
 * Undefined when nothing up to `maxGpus` fits (the micro-batch or sequence must shrink).
 */
export function smallestLayout(base: MemoryInput, capacityBytes: number, opts: { maxGpus?: number; maxTensor?: number } = {}): LayoutAdvice | undefined {
  const maxGpus = opts.maxGpus ?? 4096;
  const maxTensor = opts.maxTensor ?? 8;
  for (let gpus = 1; gpus <= maxGpus; gpus *= 2) {
    for (const layout of layoutsOn(gpus, base.nHead, maxTensor)) {
      const estimate = memoryPerGpu({
        ...base,
        pipeline: 1,
        zeroStage: layout.zeroStage,
        dataParallel: gpus / layout.tensor,
        tensor: layout.tensor,
        checkpointing: layout.checkpointing,
      });
      if (fitsMemory(estimate, capacityBytes).fits) return { layout, estimate };
    }
  }
  return undefined;
}

/** `8× H100, ZeRO-3 (FSDP), TP 2, activation checkpointing`; `1× H100` when nothing else is needed. */
export function describeLayout(layout: MemoryLayout, hardwareId: string): string {
  const parts = [`${layout.gpus}× ${hardwareId}`];
  if (layout.zeroStage === 3) parts.push('ZeRO-3 (FSDP)');
  else if (layout.zeroStage > 0) parts.push(`ZeRO-${layout.zeroStage}`);
  if (layout.tensor > 1) parts.push(`TP ${layout.tensor}`);
  if (layout.checkpointing === 'full') parts.push('activation checkpointing');
  return parts.join(', ');
}
