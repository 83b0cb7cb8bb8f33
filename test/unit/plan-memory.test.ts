import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ASSUMED_SEQ_LEN,
  describeLayout,
  fitsMemory,
  memoryInputOf,
  memoryPerGpu,
  modelStateBytesPerParam,
  smallestLayout,
  type MemoryInput,
} from '../../src/core/plan/memory';
import type { TrainingPlan } from '../../src/core/configs/types';

// A 1B-parameter, GPT-style shape with round numbers so every term can be checked by hand.
const BASE: MemoryInput = { params: 1e9, nLayer: 10, dModel: 1000, nHead: 10, dFfn: 4000, vocab: 1000, seqLen: 1000, microBatch: 1 };

test('bytes per parameter: mixed-precision Adam 16, FSDP with fp32 gradients 18, fp32 Adam 16', () => {
  assert.equal(modelStateBytesPerParam('mixed-adam'), 16);
  assert.equal(modelStateBytesPerParam('fsdp-fp32-grads'), 18);
  assert.equal(modelStateBytesPerParam('fp32-adam'), 16);
});

test('model state of 1B parameters without sharding: 2 + 2 + 12 GB', () => {
  const m = memoryPerGpu(BASE);
  assert.equal(m.weightsBytes, 2e9);
  assert.equal(m.gradsBytes, 2e9);
  assert.equal(m.optimizerBytes, 12e9);
});

test('ZeRO stages shard optimizer, then gradients, then weights over the data-parallel ranks', () => {
  const at = (zeroStage: 0 | 1 | 2 | 3) => memoryPerGpu({ ...BASE, zeroStage, dataParallel: 8 });
  assert.deepEqual([at(1).weightsBytes, at(1).gradsBytes, at(1).optimizerBytes], [2e9, 2e9, 1.5e9]);
  assert.deepEqual([at(2).weightsBytes, at(2).gradsBytes, at(2).optimizerBytes], [2e9, 0.25e9, 1.5e9]);
  assert.deepEqual([at(3).weightsBytes, at(3).gradsBytes, at(3).optimizerBytes], [0.25e9, 0.25e9, 1.5e9]);
  // FSDP full shard with fp32 gradients: 18 B/param over 8 ranks.
  const fsdp = memoryPerGpu({ ...BASE, zeroStage: 3, dataParallel: 8, optimizer: 'fsdp-fp32-grads' });
  assert.equal(fsdp.weightsBytes + fsdp.gradsBytes + fsdp.optimizerBytes, (18 * 1e9) / 8);
});

test('tensor × pipeline parallel divide the model state by tp·pp', () => {
  const m = memoryPerGpu({ ...BASE, tensor: 2, pipeline: 4 });
  assert.equal(m.weightsBytes + m.gradsBytes + m.optimizerBytes, 16e9 / 8);
});

test('activations, FlashAttention, no checkpointing: s·b·h·34 per layer (Korthikanti, f = 4h) plus fp32 logits', () => {
  const m = memoryPerGpu(BASE);
  // per layer: 1000·1·1000 × (11 + (3 + 4·4000/1000) + 4) = 1e6 × 34; × 10 layers
  assert.equal(m.activationBytes, 10 * 34e6);
  // logits: 4 bytes × s·b·V = 4 × 1000 × 1000
  assert.equal(m.logitsBytes, 4e6);
  assert.equal(m.totalBytes, 16e9 + 340e6 + 4e6);
});

test('without FlashAttention the 5·a·s/h score term is added; selective recomputation removes it again', () => {
  const noFlash = memoryPerGpu({ ...BASE, flashAttention: false });
  // 5·a·s/h = 5·10·1000/1000 = 50 → 84 per layer
  assert.equal(noFlash.activationBytes, 10 * 84e6);
  const selective = memoryPerGpu({ ...BASE, flashAttention: false, checkpointing: 'selective' });
  assert.equal(selective.activationBytes, 10 * 34e6);
});

test('full checkpointing keeps 2·s·b·h per layer plus one layer being recomputed; tensor parallel divides', () => {
  const full = memoryPerGpu({ ...BASE, checkpointing: 'full' });
  assert.equal(full.activationBytes, 10 * 2e6 + 34e6);
  const tp = memoryPerGpu({ ...BASE, tensor: 2 });
  assert.equal(tp.activationBytes, (10 * 34e6) / 2);
});

test('gated MLP stores three f-wide tensors: 3 + 6·f/h', () => {
  const m = memoryPerGpu({ ...BASE, gatedMlp: true, dFfn: 2000 });
  // 11 + (3 + 6·2) + 4 = 30
  assert.equal(m.activationBytes, 10 * 30e6);
});

test('fits with 10% headroom; otherwise a warning saying what to change', () => {
  const m = memoryPerGpu(BASE);
  assert.equal(fitsMemory(m, 80e9).fits, true);
  const tight = fitsMemory(m, 17e9);
  assert.equal(tight.fits, false);
  assert.match(tight.warning ?? '', /needs 16\.3 GB per GPU, more than 15\.3 GB usable of 17 GB/);
});

test('non-positive sizes are a RangeError', () => {
  assert.throws(() => memoryPerGpu({ ...BASE, nLayer: 0 }), RangeError);
  assert.throws(() => memoryPerGpu({ ...BASE, microBatch: -1 }), RangeError);
});

test('memoryInputOf: data-parallel degree = GPUs / (tp·pp·cp), assumptions named', () => {
  const plan: TrainingPlan = {
    params: { total: 1e9, nonEmbedding: 9e8 },
    architecture: { modelType: 'llama', nLayer: 10, dModel: 1000, nHead: 10, vocab: 1000, tiedEmbeddings: false, learnedPositions: false, positions: 4096 },
    gpus: 64,
    parallelism: { tensor: 2, pipeline: 2, zeroStage: 1 },
    sources: {},
    notes: [],
  };
  const r = memoryInputOf(plan);
  assert.equal(r.input.dataParallel, 16);
  // The position capacity (4,096) is not the training length: 2,048 is assumed, and said.
  assert.equal(r.input.seqLen, 2048);
  assert.equal(r.seqLenAssumed, true);
  assert.equal(r.input.gatedMlp, true);
  assert.ok(r.assumed.some((a) => /micro-batch 1/.test(a)));
  assert.ok(
    r.assumed.some((a) => /sequence length 2,048 .*position capacity of 4,096 is not its training length/.test(a)),
    r.assumed.join('; '),
  );
  // A stated training length is used as it is; a short position capacity caps the assumption.
  assert.equal(memoryInputOf({ ...plan, seqLen: 8192 }).input.seqLen, 8192);
  assert.equal(memoryInputOf({ ...plan, seqLen: 8192 }).seqLenAssumed, false);
  assert.equal(memoryInputOf({ ...plan, architecture: { ...plan.architecture, positions: 1024 } }).input.seqLen, 1024);
  assert.equal(memoryInputOf({ ...plan, architecture: { ...plan.architecture, positions: undefined } }).input.seqLen, ASSUMED_SEQ_LEN);
});

// ---------------------------------------------------------------- the smallest layout that fits

const GB = 1e9;

test('smallestLayout: a model that fits one device needs nothing more', () => {
  const r = smallestLayout(BASE, 80 * GB)!;
  assert.deepEqual(r.layout, { gpus: 1, zeroStage: 0, tensor: 1, checkpointing: 'none' });
  assert.equal(describeLayout(r.layout, 'H100'), '1× H100');
});

test('smallestLayout: the fewest GPUs first, then the least intrusive way to fit on them', () => {
  // 1B params: 16 GB of state + 0.34 GB activations. On 10 GB devices (9 usable) one GPU cannot
  // hold it; on 2 GPUs ZeRO-1 leaves 2 + 2 + 6 = 10 GB (too much), ZeRO-2 2 + 1 + 6 = 9 + act (too
  // much), ZeRO-3 1 + 1 + 6 = 8 GB + 0.34 fits: 2× with ZeRO-3, no checkpointing, no TP.
  const r = smallestLayout(BASE, 10 * GB)!;
  assert.deepEqual(r.layout, { gpus: 2, zeroStage: 3, tensor: 1, checkpointing: 'none' });
  assert.ok(r.estimate.totalBytes <= 9 * GB);
  assert.equal(describeLayout(r.layout, 'A10'), '2× A10, ZeRO-3 (FSDP)');
  // Every smaller count really does not fit in any layout tried.
  for (const zeroStage of [0, 1, 2, 3] as const) {
    for (const checkpointing of ['none', 'full'] as const)
      assert.ok(!fitsMemory(memoryPerGpu({ ...BASE, zeroStage, checkpointing, dataParallel: 1 }), 10 * GB).fits);
  }
});

test('smallestLayout: activations too large for sharding alone turn on checkpointing before tensor parallelism', () => {
  // Long sequences: 10 layers × 34 × 32,768 × 8 × 1000 = 89 GB of activations at micro-batch 8,
  // more than one 80 GB device even with no model state; full checkpointing keeps 5 + 9 GB.
  const big = { ...BASE, seqLen: 32_768, microBatch: 8 };
  const r = smallestLayout(big, 80 * GB)!;
  assert.equal(r.layout.checkpointing, 'full');
  assert.equal(r.layout.tensor, 1);
  assert.ok(fitsMemory(r.estimate, 80 * GB).fits);
  const without = memoryPerGpu({ ...big, zeroStage: r.layout.zeroStage, dataParallel: r.layout.gpus, checkpointing: 'none' });
  assert.ok(!fitsMemory(without, 80 * GB).fits, 'checkpointing was needed');
});

test('smallestLayout: tensor parallelism needs whole heads per rank, and nothing fits when one layer is too large', () => {
  const huge = { ...BASE, seqLen: 1_000_000, microBatch: 64, nHead: 7 };
  assert.equal(smallestLayout(huge, 80 * GB, { maxGpus: 64 }), undefined);
});

test('a 14B model in a bare HF config: assumed sequence 2,048, not its 131,072 positions, and the layout that fits', () => {
  const plan: TrainingPlan = {
    params: { total: 14.8e9, nonEmbedding: 13.2e9 },
    architecture: {
      modelType: 'qwen2',
      nLayer: 48,
      dModel: 5120,
      nHead: 40,
      nKvHead: 8,
      dFfn: 13824,
      vocab: 152064,
      tiedEmbeddings: false,
      learnedPositions: false,
      positions: 131072,
    },
    sources: {},
    notes: [],
  };
  const r = memoryInputOf(plan);
  assert.equal(r.input.seqLen, 2048);
  const one = memoryPerGpu(r.input);
  // 16 B/param × 14.8B = 237 GB of state: not 1,417 GB (which 131,072-token activations gave).
  assert.ok(one.totalBytes > 230 * GB && one.totalBytes < 300 * GB, `${one.totalBytes / GB} GB`);
  const layout = smallestLayout(r.input, 80 * GB)!;
  assert.deepEqual(layout.layout, { gpus: 4, zeroStage: 3, tensor: 1, checkpointing: 'full' });
  assert.equal(describeLayout(layout.layout, 'H100'), '4× H100, ZeRO-3 (FSDP), activation checkpointing');
});
