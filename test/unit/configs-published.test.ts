// More exact parameter counts, each from the model's published config.json (shape keys as
// published; the total is the count the model card / safetensors index reports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig } from '../../src/core/configs/index';
import type { TrainingPlan } from '../../src/core/configs/types';

function planOf(file: string, text: string): TrainingPlan {
  const r = readConfig({ file, text });
  if (r.kind !== 'plan') throw new Error(r.kind === 'error' ? r.message : r.reason);
  return r.plan;
}

test('Mistral-7B-v0.1: 7,241,732,096 parameters (GQA 8 kv heads, untied)', () => {
  // mistralai/Mistral-7B-v0.1 config.json
  const plan = planOf(
    '/m/config.json',
    JSON.stringify({
      architectures: ['MistralForCausalLM'],
      model_type: 'mistral',
      hidden_size: 4096,
      intermediate_size: 14336,
      num_attention_heads: 32,
      num_hidden_layers: 32,
      num_key_value_heads: 8,
      vocab_size: 32000,
      max_position_embeddings: 32768,
      sliding_window: 4096,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    }),
  );
  // per layer: 2·4096² + 2·4096·1024 + 3·4096·14,336 + 2·4096 = 218,112,000; × 32 + 4,096
  // = 6,979,588,096; + 2·32,000·4,096 = 262,144,000 → 7,241,732,096
  assert.equal(plan.params.total, 7_241_732_096);
  assert.equal(plan.params.nonEmbedding, 6_979_588_096);
});

test('Llama-3.2-1B: 1,235,814,400 parameters (tied embeddings, head_dim 64)', () => {
  // meta-llama/Llama-3.2-1B config.json
  const plan = planOf(
    '/l/config.json',
    JSON.stringify({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: 2048,
      intermediate_size: 8192,
      num_attention_heads: 32,
      num_hidden_layers: 16,
      num_key_value_heads: 8,
      head_dim: 64,
      vocab_size: 128256,
      max_position_embeddings: 131072,
      tie_word_embeddings: true,
      rope_theta: 500000.0,
    }),
  );
  // per layer: 2·2048² + 2·2048·512 + 3·2048·8192 + 2·2048 = 60,821,504; × 16 + 2,048
  // = 973,146,112; + 128,256·2048 = 262,668,288 → 1,235,814,400
  assert.equal(plan.params.total, 1_235_814_400);
  assert.equal(plan.params.nonEmbedding, 973_146_112);
});

test('GPT-2 medium (355M): 354,823,168 parameters', () => {
  // openai-community/gpt2-medium config.json
  const plan = planOf(
    '/g/config.json',
    JSON.stringify({ model_type: 'gpt2', n_embd: 1024, n_layer: 24, n_head: 16, n_positions: 1024, n_ctx: 1024, vocab_size: 50257 }),
  );
  // 24 × (12·1024² + 13·1024) = 302,309,376; + final LN 2,048; + wte 50,257·1024 = 51,463,168;
  // + wpe 1024·1024 = 1,048,576 → 354,823,168
  assert.equal(plan.params.total, 354_823_168);
  assert.equal(plan.params.nonEmbedding, 302_311_424);
});

test('litgpt model names count as their Hugging Face checkpoints (Llama-3.2-3B 3,212,749,824; Mistral-7B 7,241,732,096; Llama-2-13B 13,015,864,320)', () => {
  const of = (name: string) =>
    planOf('/l/pretrain.yaml', `model_name: ${name}\ntrain:\n  global_batch_size: 512\n  max_tokens: 1000000000\n  max_seq_length: 2048\n`).params.total;
  // Llama-3.2-3B: 28 × (2·3072² + 2·3072·1024 + 3·3072·8192 + 2·3072) + 3072 + 128,256·3072 (tied)
  assert.equal(of('Llama-3.2-3B'), 3_212_749_824);
  assert.equal(of('Mistral-7B-v0.1'), 7_241_732_096);
  // Llama-2-13B: 40 × (4·5120² + 3·5120·13,824 + 2·5120) + 5120 + 2·32,000·5120
  assert.equal(of('Llama-2-13b-hf'), 13_015_864_320);
  // Llama-2-70B: 80 × (2·8192² + 2·8192·1024 + 3·8192·28,672 + 2·8192) + 8192 + 2·32,000·8192
  assert.equal(of('Llama-2-70b-hf'), 68_976_648_192);
});

test("nanoGPT datasets: the train split's tokens are the unique tokens (openwebtext 9,035,582,198; shakespeare_char 1,003,854), said as assumed", () => {
  const owt = planOf('/n/train_gpt2.py', 'batch_size = 12\nblock_size = 1024\ngradient_accumulation_steps = 5 * 8\nmax_iters = 600000\n');
  assert.equal(owt.uniqueTokens, 9_035_582_198);
  assert.match(owt.sources.uniqueTokens.note ?? '', /^assumed: .*data\/openwebtext\/train\.bin/);
  const chars = planOf('/n/char.py', "dataset = 'shakespeare_char'\nn_layer = 6\nn_head = 6\nn_embd = 384\nmax_iters = 5000\n");
  assert.equal(chars.uniqueTokens, 1_003_854);
  assert.equal(planOf('/n/mine.py', "dataset = 'my_corpus'\nn_layer = 2\nmax_iters = 10\n").uniqueTokens, undefined);
});
