import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readHfModelConfig, countDecoderParams } from '../../src/core/configs/hfConfig';
import type { ConfigReadResult, TrainingPlan } from '../../src/core/configs/types';

function planOf(r: ConfigReadResult): TrainingPlan {
  assert.equal(r.kind, 'plan', r.kind === 'plan' ? '' : r.kind === 'error' ? r.message : r.reason);
  return (r as Extract<ConfigReadResult, { kind: 'plan' }>).plan;
}

// openai-community/gpt2 config.json, as published.
const GPT2_SMALL = `{
  "activation_function": "gelu_new",
  "architectures": ["GPT2LMHeadModel"],
  "attn_pdrop": 0.1,
  "bos_token_id": 50256,
  "embd_pdrop": 0.1,
  "eos_token_id": 50256,
  "initializer_range": 0.02,
  "layer_norm_epsilon": 1e-05,
  "model_type": "gpt2",
  "n_ctx": 1024,
  "n_embd": 768,
  "n_head": 12,
  "n_layer": 12,
  "n_positions": 1024,
  "resid_pdrop": 0.1,
  "summary_activation": null,
  "summary_first_dropout": 0.1,
  "summary_proj_to_labels": true,
  "summary_type": "cls_index",
  "summary_use_proj": true,
  "task_specific_params": { "text-generation": { "do_sample": true, "max_length": 50 } },
  "vocab_size": 50257
}`;

// meta-llama/Meta-Llama-3-8B config.json.
const LLAMA3_8B = `{
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 128000,
  "eos_token_id": 128001,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 14336,
  "max_position_embeddings": 8192,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": null,
  "rope_theta": 500000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.40.0.dev0",
  "use_cache": true,
  "vocab_size": 128256
}`;

// meta-llama/Llama-2-7b-hf config.json.
const LLAMA2_7B = `{
  "architectures": ["LlamaForCausalLM"],
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 11008,
  "max_position_embeddings": 4096,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 32,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": null,
  "tie_word_embeddings": false,
  "torch_dtype": "float16",
  "transformers_version": "4.31.0.dev0",
  "use_cache": true,
  "vocab_size": 32000
}`;

// Qwen/Qwen2.5-0.5B config.json.
const QWEN25_05B = `{
  "architectures": ["Qwen2ForCausalLM"],
  "attention_dropout": 0.0,
  "bos_token_id": 151643,
  "eos_token_id": 151643,
  "hidden_act": "silu",
  "hidden_size": 896,
  "initializer_range": 0.02,
  "intermediate_size": 4864,
  "max_position_embeddings": 32768,
  "max_window_layers": 24,
  "model_type": "qwen2",
  "num_attention_heads": 14,
  "num_hidden_layers": 24,
  "num_key_value_heads": 2,
  "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0,
  "sliding_window": 32768,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.40.1",
  "use_cache": true,
  "use_sliding_window": false,
  "vocab_size": 151936
}`;

// Qwen/Qwen2.5-7B config.json (shape keys).
const QWEN25_7B = `{
  "architectures": ["Qwen2ForCausalLM"],
  "hidden_size": 3584,
  "intermediate_size": 18944,
  "max_position_embeddings": 131072,
  "model_type": "qwen2",
  "num_attention_heads": 28,
  "num_hidden_layers": 28,
  "num_key_value_heads": 4,
  "tie_word_embeddings": false,
  "vocab_size": 152064
}`;

// HuggingFaceTB/SmolLM-135M config.json (shape keys).
const SMOLLM_135M = `{
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "hidden_size": 576,
  "intermediate_size": 1536,
  "max_position_embeddings": 2048,
  "model_type": "llama",
  "num_attention_heads": 9,
  "num_hidden_layers": 30,
  "num_key_value_heads": 3,
  "tie_word_embeddings": true,
  "vocab_size": 49152
}`;

test('GPT-2 small: 124,439,808 parameters, Kaplan non-embedding 85,056,000', () => {
  const plan = planOf(readHfModelConfig(GPT2_SMALL, 'gpt2/config.json'));
  // 12 layers × (12·768² + 13·768 = 7,087,872) + ln_f 2·768 = 85,056,000
  // + wte 50,257·768 = 38,597,376 + wpe 1,024·768 = 786,432 → 124,439,808
  assert.equal(plan.params.total, 124_439_808);
  assert.equal(plan.params.nonEmbedding, 85_056_000);
  assert.deepEqual(
    { ...plan.architecture },
    {
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
    },
  );
  assert.match(plan.sources['architecture.dFfn'].note ?? '', /^derived: n_inner absent or null/);
  const withNull = planOf(readHfModelConfig(GPT2_SMALL.replace('"n_head": 12,', '"n_head": 12, "n_inner": null,'), 'c.json'));
  assert.equal(withNull.params.total, 124_439_808);
  assert.match(plan.sources['params.total'].note ?? '', /^derived: /);
});

test('GPT-2 small with vocab padded to 50,304 (nanoGPT): 124,475,904', () => {
  const text = GPT2_SMALL.replace('"vocab_size": 50257', '"vocab_size": 50304');
  const plan = planOf(readHfModelConfig(text, 'config.json'));
  // 124,439,808 + (50,304 − 50,257)·768 = 124,439,808 + 36,096
  assert.equal(plan.params.total, 124_475_904);
  assert.equal(plan.params.nonEmbedding, 85_056_000);
});

test('sources carry character ranges of the values they were read from', () => {
  const file = 'gpt2/config.json';
  const plan = planOf(readHfModelConfig(GPT2_SMALL, file));
  for (const [key, literal] of [
    ['architecture.dModel', '768'],
    ['architecture.nLayer', '12'],
    ['architecture.vocab', '50257'],
    ['architecture.positions', '1024'],
  ] as const) {
    const src = plan.sources[key];
    assert.equal(src.file, file);
    assert.ok(src.range, key);
    assert.equal(GPT2_SMALL.slice(src.range.start, src.range.end), literal, key);
  }
});

test('Llama-3-8B: 8,030,261,248 parameters (GQA, untied head)', () => {
  const plan = planOf(readHfModelConfig(LLAMA3_8B, 'config.json'));
  // per layer: q,o 2·4096² + k,v 2·4096·1024 = 41,943,040; MLP 3·4096·14,336 = 176,160,768; norms 8,192
  //   = 218,112,000 × 32 = 6,979,584,000; + final norm 4,096 = 6,979,588,096 (non-embedding)
  // + embed and lm_head 2·128,256·4,096 = 1,050,673,152 → 8,030,261,248
  assert.equal(plan.params.total, 8_030_261_248);
  assert.equal(plan.params.nonEmbedding, 6_979_588_096);
  assert.equal(plan.architecture.nKvHead, 8);
  assert.equal(plan.architecture.tiedEmbeddings, false);
  assert.equal(plan.architecture.learnedPositions, false);
});

test('Llama-2-7B: 6,738,415,616 parameters', () => {
  const plan = planOf(readHfModelConfig(LLAMA2_7B, 'config.json'));
  // per layer 4·4096² + 3·4096·11,008 + 2·4096 = 202,383,360 × 32 = 6,476,267,520; + 4,096
  // + 2·32,000·4,096 = 262,144,000 → 6,738,415,616
  assert.equal(plan.params.total, 6_738_415_616);
  assert.equal(plan.params.nonEmbedding, 6_476_271_616);
});

test('Qwen2.5-0.5B: 494,032,768 parameters (q/k/v biases, tied), 0.36B non-embedding', () => {
  // Published (huggingface.co/Qwen/Qwen2.5-0.5B model card): "Number of Parameters: 0.49B;
  // Number of Paramaters (Non-Embedding): 0.36B"; the safetensors header holds 494,032,768.
  const plan = planOf(readHfModelConfig(QWEN25_05B, 'config.json'));
  // per layer: q,o 2·896² = 1,605,632; k,v 2·896·128 = 229,376; biases 896 + 2·128 = 1,152;
  //   MLP 3·896·4,864 = 13,074,432; norms 1,792 → 14,912,384 × 24 = 357,897,216; + final norm 896
  //   = 357,898,112 non-embedding; + embed 151,936·896 = 136,134,656 (tied) → 494,032,768
  assert.equal(plan.params.total, 494_032_768);
  assert.equal(plan.params.nonEmbedding, 357_898_112);
});

test('Qwen2.5-7B: untied head is excluded from non-embedding, as Qwen publishes (7.61B / 6.53B)', () => {
  // Published (huggingface.co/Qwen/Qwen2.5-7B model card): "Number of Parameters: 7.61B;
  // Number of Paramaters (Non-Embedding): 6.53B".
  const plan = planOf(readHfModelConfig(QWEN25_7B, 'config.json'));
  // per layer: q,o 2·3584² = 25,690,112; k,v 2·3584·512 = 3,670,016; biases 3,584 + 1,024 = 4,608;
  //   MLP 3·3584·18,944 = 203,685,888; norms 7,168 → 233,057,792 × 28 = 6,525,618,176; + 3,584
  //   = 6,525,621,760; + embed and lm_head 2·152,064·3,584 = 1,089,994,752 → 7,615,616,512
  assert.equal(plan.params.total, 7_615_616_512);
  assert.equal(plan.params.nonEmbedding, 6_525_621_760);
  // Within a rounding step of the published figures; counting the untied head as non-embedding
  // would give 7.07B instead of 6.53B.
  assert.ok(Math.abs(plan.params.total / 1e9 - 7.61) < 0.01);
  assert.ok(Math.abs(plan.params.nonEmbedding / 1e9 - 6.53) < 0.01);
});

test('SmolLM-135M: 134,515,008 parameters', () => {
  // Published: the model card and safetensors header round to 135M / 134.5M
  // (huggingface.co/HuggingFaceTB/SmolLM-135M); formats-and-configs §2.10 gives ≈134.5 M.
  const plan = planOf(readHfModelConfig(SMOLLM_135M, 'config.json'));
  // h = 576/9 = 64; per layer: q,o 2·576² = 663,552; k,v 2·576·192 = 221,184; MLP 3·576·1,536
  //   = 2,654,208; norms 1,152 → 3,540,096 × 30 = 106,202,880; + 576 = 106,203,456;
  //   + embed 49,152·576 = 28,311,552 (tied) → 134,515,008
  assert.equal(plan.params.total, 134_515_008);
  assert.equal(plan.params.nonEmbedding, 106_203_456);
});

test('head_dim and attention_bias are honoured', () => {
  const base = JSON.parse(LLAMA2_7B) as Record<string, unknown>;
  const withHeadDim = planOf(readHfModelConfig(JSON.stringify({ ...base, head_dim: 64, num_attention_heads: 16, num_key_value_heads: 4 }), 'c.json'));
  // attention: q d·(16·64) = 4096·1024, k,v 2·4096·(4·64), o 1024·4096 → 2·4,194,304 + 2,097,152 = 10,485,760
  const perLayer = 10_485_760 + 3 * 4096 * 11008 + 2 * 4096;
  assert.equal(withHeadDim.params.nonEmbedding, 32 * perLayer + 4096);
  const withBias = planOf(readHfModelConfig(JSON.stringify({ ...base, attention_bias: true }), 'c.json'));
  // q,k,v,o biases: 4 × 4096 per layer
  assert.equal(withBias.params.total - 6_738_415_616, 32 * 4 * 4096);
});

test('encoder-only, state-space, other encoder-decoders and unknown types without the standard keys are not applicable, with the reason', () => {
  const r2 = readHfModelConfig('{"model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12}', 'c.json');
  assert.match(r2.kind === 'not-applicable' ? r2.reason : '', /encoder-only/);
  // DeepSeek is counted now: a config missing its keys is an error naming them.
  const r3 = readHfModelConfig('{"model_type": "deepseek_v3", "hidden_size": 4096}', 'c.json');
  assert.equal(r3.kind, 'error');
  assert.ok(r3.diagnostics.some((d) => d.message === '"num_hidden_layers" is missing'));
  const r4 = readHfModelConfig('{"model_type": "mamba", "hidden_size": 768}', 'c.json');
  assert.match(r4.kind === 'not-applicable' ? r4.reason : '', /model_type "mamba": a state-space model/);
  const r4b = readHfModelConfig('{"model_type": "my_arch", "hidden_size": 768}', 'c.json');
  assert.match(
    r4b.kind === 'not-applicable' ? r4b.reason : '',
    /"my_arch" is not known and lacks the standard keys \(num_hidden_layers, num_attention_heads, vocab_size missing\)/,
  );
  const r5 = readHfModelConfig('{"model_type": "pegasus", "d_model": 512}', 'c.json');
  assert.match(r5.kind === 'not-applicable' ? r5.reason : '', /encoder-decoder.*pegasus/);
  // Counted types with missing keys are errors naming the key.
  const r6 = readHfModelConfig('{"model_type": "t5", "d_model": 512}', 'c.json');
  assert.equal(r6.kind, 'error');
  assert.ok(r6.diagnostics.some((d) => d.message === '"d_kv" is missing'));
  const r7 = readHfModelConfig('{"model_type": "mixtral", "hidden_size": 4096}', 'c.json');
  assert.equal(r7.kind, 'error');
});

test('a JSON file without model keys is "no model in this file"', () => {
  const r = readHfModelConfig('{"global_step": 10, "log_history": []}', 'trainer_state.json');
  assert.deepEqual(r, { kind: 'not-applicable', reason: 'no model in this file', diagnostics: [] });
  const r2 = readHfModelConfig('[1, 2, 3]', 'x.json');
  assert.equal(r2.kind, 'not-applicable');
});

test('no model_type: read from the keys, with a warning', () => {
  const text = GPT2_SMALL.replace('"model_type": "gpt2",', '').replace('"architectures": ["GPT2LMHeadModel"],', '');
  const r = readHfModelConfig(text, 'config.json');
  const plan = planOf(r);
  assert.equal(plan.params.total, 124_439_808);
  assert.ok(r.diagnostics.some((d) => d.severity === 'warning' && /assumed gpt2/.test(d.message)));
});

test('malformed JSON is an error naming the line', () => {
  const text = '{\n  "model_type": "llama",\n  "hidden_size": 4096\n  "num_hidden_layers": 32\n}';
  const r = readHfModelConfig(text, 'bad/config.json');
  assert.equal(r.kind, 'error');
  assert.equal(r.diagnostics[0].file, 'bad/config.json');
  assert.equal(r.diagnostics[0].line, 4);
  assert.equal(r.diagnostics[0].severity, 'error');
  assert.match(r.kind === 'error' ? r.message : '', /^bad\/config\.json:4: invalid JSON/);
});

test('a shape key of the wrong type or missing is an error with the line', () => {
  const text = LLAMA2_7B.replace('"hidden_size": 4096', '"hidden_size": "4096"');
  const r = readHfModelConfig(text, 'config.json');
  assert.equal(r.kind, 'error');
  const line = text.split('\n').findIndex((l) => l.includes('"hidden_size"')) + 1;
  assert.equal(r.diagnostics[0].line, line);
  assert.match(r.diagnostics[0].message, /"hidden_size" must be a number/);
  const missing = readHfModelConfig(LLAMA2_7B.replace('"intermediate_size": 11008,', ''), 'config.json');
  assert.equal(missing.kind, 'error');
  assert.ok(missing.diagnostics.some((d) => d.message === '"intermediate_size" is missing'));
});

test('property: total ≥ nonEmbedding > 0 for random valid Llama-style shapes, and they differ by the embeddings', () => {
  const shape = fc
    .record({
      kvHeads: fc.integer({ min: 1, max: 16 }),
      groups: fc.integer({ min: 1, max: 8 }),
      headDim: fc.constantFrom(32, 64, 80, 128, 256),
      layers: fc.integer({ min: 1, max: 96 }),
      ffnMult: fc.double({ min: 1, max: 6, noNaN: true }),
      vocab: fc.integer({ min: 2, max: 262_144 }),
      tied: fc.boolean(),
      modelType: fc.constantFrom('llama', 'mistral', 'qwen2', 'qwen3'),
    })
    .map((s) => {
      const heads = s.kvHeads * s.groups;
      const hidden = heads * s.headDim;
      return { ...s, heads, hidden, ffn: Math.max(1, Math.round(hidden * s.ffnMult)) };
    });
  fc.assert(
    fc.property(shape, (s) => {
      const text = JSON.stringify({
        model_type: s.modelType,
        hidden_size: s.hidden,
        num_hidden_layers: s.layers,
        num_attention_heads: s.heads,
        num_key_value_heads: s.kvHeads,
        intermediate_size: s.ffn,
        vocab_size: s.vocab,
        tie_word_embeddings: s.tied,
      });
      const plan = planOf(readHfModelConfig(text, 'config.json'));
      const { total, nonEmbedding } = plan.params;
      assert.ok(Number.isSafeInteger(total));
      assert.ok(nonEmbedding > 0);
      assert.ok(total >= nonEmbedding);
      assert.equal(total - nonEmbedding, s.vocab * s.hidden * (s.tied ? 1 : 2));
    }),
    { seed: 20240601, numRuns: 300 },
  );
});

test('countDecoderParams GPT-2 formula reduces to 12d² + 13d per layer when f = 4d', () => {
  const c = countDecoderParams(
    { modelType: 'gpt2', nLayer: 1, dModel: 64, nHead: 4, dFfn: 256, vocab: 10, tiedEmbeddings: true, positions: 8, learnedPositions: true },
    { kind: 'gpt2' },
  );
  assert.equal(c.perLayer, 12 * 64 * 64 + 13 * 64);
  assert.equal(c.total, c.perLayer + 2 * 64 + 10 * 64 + 8 * 64);
});

// facebook/bart-large config.json (shape keys).
const BART_LARGE = `{
  "activation_function": "gelu",
  "add_final_layer_norm": false,
  "architectures": ["BartModel"],
  "d_model": 1024,
  "decoder_attention_heads": 16,
  "decoder_ffn_dim": 4096,
  "decoder_layers": 12,
  "encoder_attention_heads": 16,
  "encoder_ffn_dim": 4096,
  "encoder_layers": 12,
  "is_encoder_decoder": true,
  "max_position_embeddings": 1024,
  "model_type": "bart",
  "scale_embedding": false,
  "vocab_size": 50265
}`;

test('BART-large (encoder-decoder): 406,291,456 parameters', () => {
  // Published: facebook/bart-large safetensors header / `model.num_parameters()` = 406,291,456 (406M).
  const plan = planOf(readHfModelConfig(BART_LARGE, 'config.json'));
  // encoder layer: self-attn 4·1024² + 4·1024 = 4,198,400; 2 LayerNorms 4,096; FFN 2·1024·4096 + 4096 + 1024 = 8,393,728 → 12,596,224 × 12 = 151,154,688
  // decoder layer: + cross-attn 4,198,400 + LayerNorm 2,048 → 16,796,672 × 12 = 201,560,064
  // layernorm_embedding 2 × 2,048 = 4,096 → non-embedding 352,718,848
  // shared embedding 50,265 × 1,024 = 51,471,360; positions 2 × 1,026 × 1,024 = 2,101,248 → 406,291,456
  assert.equal(plan.params.total, 406_291_456);
  assert.equal(plan.params.nonEmbedding, 352_718_848);
  assert.equal(plan.architecture.encoderLayers, 12);
  assert.equal(plan.architecture.decoderLayers, 12);
  assert.ok(plan.notes.some((n) => /Encoder-decoder/.test(n)));
});

// google-t5/t5-small config.json (shape keys).
const T5_SMALL = `{
  "architectures": ["T5ForConditionalGeneration"],
  "d_ff": 2048,
  "d_kv": 64,
  "d_model": 512,
  "feed_forward_proj": "relu",
  "is_encoder_decoder": true,
  "model_type": "t5",
  "num_decoder_layers": 6,
  "num_heads": 8,
  "num_layers": 6,
  "relative_attention_num_buckets": 32,
  "vocab_size": 32128
}`;

test('T5-small: 60,506,624 parameters; T5 v1.1 gated and untied', () => {
  // Published: google-t5/t5-small, 60,506,624 parameters (60.5M on the model card).
  const plan = planOf(readHfModelConfig(T5_SMALL, 'config.json'));
  // encoder layer 4·512·512 + 512 + 2·512·2048 + 512 = 3,146,752 × 6 = 18,880,512 (+ rel. bias 256 + final norm 512)
  // decoder layer 2·1,048,576 + 3·512 + 2,097,152 = 4,195,840 × 6 = 25,175,040 (+ 256 + 512)
  // shared embedding 32,128 · 512 = 16,449,536 → 60,506,624
  assert.equal(plan.params.total, 60_506_624);
  assert.equal(plan.params.nonEmbedding, 60_506_624 - 16_449_536);
  // T5 v1.1: gated-gelu FFN (3·d·d_ff) and an untied LM head.
  const v11 = planOf(
    readHfModelConfig(T5_SMALL.replace('"relu"', '"gated-gelu"').replace('"num_heads"', '"tie_word_embeddings": false, "num_heads"'), 'config.json'),
  );
  assert.equal(v11.params.total, 60_506_624 + 12 * 512 * 2048 + 16_449_536);
});

// mistralai/Mixtral-8x7B-v0.1 config.json (shape keys).
const MIXTRAL = `{
  "architectures": ["MixtralForCausalLM"],
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "max_position_embeddings": 32768,
  "model_type": "mixtral",
  "num_attention_heads": 32,
  "num_experts_per_tok": 2,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "num_local_experts": 8,
  "tie_word_embeddings": false,
  "vocab_size": 32000
}`;

test('Mixtral-8x7B: 46,702,792,704 total, 12,879,925,248 active parameters', () => {
  // Published: Mistral AI, "Mixtral of experts" (arXiv 2401.04088): 47B total, 13B active; the
  // checkpoint holds 46,702,792,704 parameters.
  const plan = planOf(readHfModelConfig(MIXTRAL, 'config.json'));
  // per layer: attention 41,943,040; 8 experts × 3·4096·14,336 = 1,409,286,144; router 4096·8 = 32,768; norms 8,192
  //   = 1,451,270,144 × 32 = 46,440,644,608 + final norm 4,096 + embeddings 2·32,000·4,096 = 262,144,000
  assert.equal(plan.params.total, 46_702_792_704);
  // active: 2 experts: 41,943,040 + 352,321,536 + 32,768 + 8,192 = 394,305,536 × 32 + 4,096 + 262,144,000
  assert.equal(plan.params.active, 12_879_925_248);
  assert.equal(plan.params.activeNonEmbedding, 12_879_925_248 - 262_144_000);
  assert.equal(plan.architecture.experts, 8);
});

// Qwen/Qwen1.5-MoE-A2.7B config.json (shape keys).
const QWEN_MOE = `{
  "architectures": ["Qwen2MoeForCausalLM"],
  "decoder_sparse_step": 1,
  "hidden_size": 2048,
  "intermediate_size": 5632,
  "model_type": "qwen2_moe",
  "moe_intermediate_size": 1408,
  "num_attention_heads": 16,
  "num_experts": 60,
  "num_experts_per_tok": 4,
  "num_hidden_layers": 24,
  "num_key_value_heads": 16,
  "shared_expert_intermediate_size": 5632,
  "tie_word_embeddings": false,
  "vocab_size": 151936
}`;

test('Qwen1.5-MoE-A2.7B: 14.3B total, 2.7B active (shared expert counted in both)', () => {
  // Published (huggingface.co/Qwen/Qwen1.5-MoE-A2.7B): "14.3B parameters in total and 2.7B activated parameters".
  const plan = planOf(readHfModelConfig(QWEN_MOE, 'config.json'));
  // per layer: attention 4·2048² + q/k/v biases 3·2048 = 16,783,360; 60 experts × 3·2048·1408 = 519,045,120;
  //   shared expert 3·2048·5632 = 34,603,008 + its gate 2048; router 2048·60 = 122,880; norms 4,096
  //   = 570,560,512 × 24 = 13,693,452,288 + 2,048 + embeddings 2·151,936·2,048 = 622,329,856
  assert.equal(plan.params.total, 14_315_784_192);
  // active: 4 experts 34,603,008 instead of 519,045,120 → 86,118,400 × 24 + 2,048 + 622,329,856
  assert.equal(plan.params.active, 2_689_173_504);
  assert.ok(Math.abs(plan.params.total / 1e9 - 14.3) < 0.05 && Math.abs(plan.params.active! / 1e9 - 2.7) < 0.05);
});

test('MoE: more experts per token than experts is an error with the line', () => {
  const text = MIXTRAL.replace('"num_experts_per_tok": 2', '"num_experts_per_tok": 9');
  const r = readHfModelConfig(text, 'config.json');
  assert.equal(r.kind, 'error');
  const line = text.split('\n').findIndex((l) => l.includes('num_experts_per_tok')) + 1;
  assert.equal(r.diagnostics.find((d) => d.severity === 'error')?.line, line);
});

test('zero layers and negative sizes are errors naming the key and line', () => {
  const zero = readHfModelConfig(LLAMA2_7B.replace('"num_hidden_layers": 32', '"num_hidden_layers": 0'), 'config.json');
  assert.equal(zero.kind, 'error');
  assert.match(zero.kind === 'error' ? zero.message : '', /"num_hidden_layers" must be at least 1 \(found 0\)/);
  const neg = readHfModelConfig(LLAMA2_7B.replace('"hidden_size": 4096', '"hidden_size": -4096'), 'config.json');
  assert.equal(neg.kind, 'error');
  assert.equal(neg.diagnostics[0].line, 6);
});
