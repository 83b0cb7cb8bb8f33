import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOPS_CONVENTION, flopsPerToken, trainingFlops, type FlopsInput } from '../../src/core/plan/flops';
import type { ModelArchitecture } from '../../src/core/configs/types';

const GPT2_SMALL: ModelArchitecture = {
  modelType: 'gpt2',
  nLayer: 12,
  dModel: 768,
  nHead: 12,
  nKvHead: 12,
  headDim: 64,
  dFfn: 3072,
  vocab: 50257,
  tiedEmbeddings: true,
  positions: 1024,
  learnedPositions: true,
};

test('GPT-2 small, n_ctx 1,024, 1M tokens: hand-computed', () => {
  const plan: FlopsInput = { params: { total: 124_439_808, nonEmbedding: 85_056_000 }, architecture: GPT2_SMALL, seqLen: 1024, tokens: 1_000_000 };
  const r = trainingFlops(plan);
  // 6·N_nonembedding    = 6 × 85,056,000        = 510,336,000
  // 6·d_model·vocab     = 6 × 768 × 50,257      = 231,584,256
  // 6·n_layer·n_ctx·d   = 6 × 12 × 1,024 × 768  =  56,623,104
  // per token                                   = 798,543,360
  // × 1,000,000 tokens                          = 798,543,360,000,000
  assert.equal(r.breakdown.nonEmbeddingPerToken, 510_336_000);
  assert.equal(r.breakdown.headPerToken, 231_584_256);
  assert.equal(r.breakdown.attentionPerToken, 56_623_104);
  assert.equal(r.breakdown.perToken, 798_543_360);
  assert.equal(r.flops, 798_543_360_000_000);
  assert.equal(r.breakdown.nonEmbedding + r.breakdown.head + r.breakdown.attention, r.flops);
  assert.equal(r.breakdown.nCtx, 1024);
  assert.equal(r.convention, FLOPS_CONVENTION);
  assert.deepEqual(r.notes, []);
});

test('Llama-3-8B, n_ctx 8,192, 1,000 tokens: hand-computed', () => {
  const architecture: ModelArchitecture = {
    modelType: 'llama',
    nLayer: 32,
    dModel: 4096,
    nHead: 32,
    nKvHead: 8,
    headDim: 128,
    dFfn: 14336,
    vocab: 128256,
    tiedEmbeddings: false,
    positions: 8192,
    learnedPositions: false,
  };
  const r = trainingFlops({ params: { total: 8_030_261_248, nonEmbedding: 6_979_588_096 }, architecture, seqLen: 8192 }, 1000);
  // 6 × 6,979,588,096 = 41,877,528,576; 6 × 4,096 × 128,256 = 3,152,019,456;
  // 6 × 32 × 8,192 × (32 × 128 = 4,096) = 6,442,450,944; sum 51,471,998,976 per token; × 1,000
  assert.equal(r.breakdown.perToken, 51_471_998_976);
  assert.equal(r.flops, 51_471_998_976_000);
});

test('d_attn is n_head × head_dim when head_dim is set', () => {
  const architecture: ModelArchitecture = { ...GPT2_SMALL, modelType: 'llama', nHead: 8, headDim: 128, learnedPositions: false };
  const f = flopsPerToken({ params: { total: 1, nonEmbedding: 0 }, architecture, seqLen: 100 });
  // 6 × 12 × 100 × (8 × 128 = 1,024) = 7,372,800
  assert.equal(f.attentionPerToken, 7_372_800);
});

test('sequence length unknown: positions are used (noted), or the attention term is left out (noted)', () => {
  const plan: FlopsInput = { params: { total: 124_439_808, nonEmbedding: 85_056_000 }, architecture: GPT2_SMALL, tokens: 10 };
  const r = trainingFlops(plan);
  assert.equal(r.breakdown.nCtx, 1024);
  assert.equal(r.breakdown.attentionPerToken, 56_623_104);
  assert.match(r.notes[0], /position capacity/);
  const noPositions: ModelArchitecture = { ...GPT2_SMALL };
  delete noPositions.positions;
  const r2 = trainingFlops({ ...plan, architecture: noPositions });
  assert.equal(r2.breakdown.attentionPerToken, 0);
  assert.equal(r2.breakdown.nCtx, undefined);
  // (510,336,000 + 231,584,256) × 10
  assert.equal(r2.flops, 7_419_202_560);
  assert.match(r2.notes[0], /left out/);
});

test('no tokens: RangeError', () => {
  const plan: FlopsInput = { params: { total: 1, nonEmbedding: 1 }, architecture: GPT2_SMALL, seqLen: 8 };
  assert.throws(() => trainingFlops(plan), RangeError);
  assert.throws(() => trainingFlops(plan, 0), RangeError);
  assert.throws(() => trainingFlops(plan, Number.NaN), RangeError);
});
