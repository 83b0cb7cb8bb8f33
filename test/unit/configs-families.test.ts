// Each new config shape of issue 14, on a small fixture written here. Dimensions are the published
// config.json values of each model (Hugging Face model repositories named per test); the expected
// totals are the published parameter counts of those checkpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readConfig } from '../../src/core/configs/index';
import { readHfModelConfig } from '../../src/core/configs/hfConfig';
import type { ConfigReadResult, TrainingPlan } from '../../src/core/configs/types';

function planOf(r: ConfigReadResult): TrainingPlan {
  assert.equal(r.kind, 'plan', r.kind === 'plan' ? '' : r.kind === 'error' ? r.message : r.reason);
  return (r as Extract<ConfigReadResult, { kind: 'plan' }>).plan;
}
const hf = (cfg: Record<string, unknown>): TrainingPlan => planOf(readHfModelConfig(JSON.stringify(cfg, null, 1), 'config.json'));

test('HF families counted exactly against published totals', () => {
  const cases: [string, Record<string, unknown>, number][] = [
    // google/gemma-2b: 2,506,172,416
    [
      'gemma',
      {
        model_type: 'gemma',
        hidden_size: 2048,
        num_hidden_layers: 18,
        num_attention_heads: 8,
        num_key_value_heads: 1,
        head_dim: 256,
        intermediate_size: 16384,
        vocab_size: 256000,
      },
      2_506_172_416,
    ],
    // google/gemma-2-2b: 2,614,341,888 (four norms per layer)
    [
      'gemma2',
      {
        model_type: 'gemma2',
        hidden_size: 2304,
        num_hidden_layers: 26,
        num_attention_heads: 8,
        num_key_value_heads: 4,
        head_dim: 256,
        intermediate_size: 9216,
        vocab_size: 256000,
      },
      2_614_341_888,
    ],
    // google/gemma-3-1b-it: 999,885,952 (plus per-head q/k norms)
    [
      'gemma3_text',
      {
        model_type: 'gemma3_text',
        hidden_size: 1152,
        num_hidden_layers: 26,
        num_attention_heads: 4,
        num_key_value_heads: 1,
        head_dim: 256,
        intermediate_size: 6912,
        vocab_size: 262144,
      },
      999_885_952,
    ],
    // microsoft/phi-2: 2,779,683,840 (parallel block, one LayerNorm, biases, lm_head bias)
    [
      'phi',
      {
        model_type: 'phi',
        hidden_size: 2560,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        intermediate_size: 10240,
        vocab_size: 51200,
        tie_word_embeddings: false,
      },
      2_779_683_840,
    ],
    // tiiuae/falcon-7b: 6,921,720,704 (multi-query, one LayerNorm, 4h MLP, tied)
    [
      'falcon',
      {
        model_type: 'falcon',
        hidden_size: 4544,
        num_hidden_layers: 32,
        num_attention_heads: 71,
        vocab_size: 65024,
        multi_query: true,
        parallel_attn: true,
        bias: false,
        new_decoder_architecture: false,
      },
      6_921_720_704,
    ],
    // EleutherAI/pythia-160m: 162,322,944
    [
      'gpt_neox',
      {
        model_type: 'gpt_neox',
        hidden_size: 768,
        num_hidden_layers: 12,
        num_attention_heads: 12,
        intermediate_size: 3072,
        vocab_size: 50304,
        tie_word_embeddings: false,
      },
      162_322_944,
    ],
    // allenai/OLMo-1B-hf: 1,176,764,416 (non-parametric LayerNorm)
    [
      'olmo',
      {
        model_type: 'olmo',
        hidden_size: 2048,
        num_hidden_layers: 16,
        num_attention_heads: 16,
        intermediate_size: 8192,
        vocab_size: 50304,
        tie_word_embeddings: true,
      },
      1_176_764_416,
    ],
    // bigcode/starcoder2-3b: 3,030,371,328 (LayerNorm with bias, plain MLP with biases, GQA)
    [
      'starcoder2',
      {
        model_type: 'starcoder2',
        hidden_size: 3072,
        num_hidden_layers: 30,
        num_attention_heads: 24,
        num_key_value_heads: 2,
        intermediate_size: 12288,
        vocab_size: 49152,
        use_bias: true,
      },
      3_030_371_328,
    ],
    // internlm/internlm2-7b: 7,737,708,544
    [
      'internlm2',
      {
        model_type: 'internlm2',
        hidden_size: 4096,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        intermediate_size: 14336,
        vocab_size: 92544,
        bias: false,
        tie_word_embeddings: false,
      },
      7_737_708_544,
    ],
    // Qwen/Qwen-7B (remote code, model_type "qwen"): 7,721,324,544 (intermediate_size counts w1 and w2 together)
    [
      'qwen',
      {
        model_type: 'qwen',
        hidden_size: 4096,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        intermediate_size: 22016,
        vocab_size: 151936,
        kv_channels: 128,
        tie_word_embeddings: false,
      },
      7_721_324_544,
    ],
    // bigscience/bloom: 176,247,271,424 (n_embed / n_layer names, embedding LayerNorm)
    ['bloom', { model_type: 'bloom', n_embed: 14336, n_layer: 70, num_attention_heads: 112, vocab_size: 250880 }, 176_247_271_424],
  ];
  for (const [name, cfg, published] of cases) assert.equal(hf(cfg).params.total, published, name);
});

test('DeepSeek V2/V3: MLA attention, shared experts, first dense layers, total and active', () => {
  // deepseek-ai/DeepSeek-V3 config.json (without the MTP layer): 671B total, 37B active (published).
  const v3 = hf({
    model_type: 'deepseek_v3',
    hidden_size: 7168,
    num_hidden_layers: 61,
    num_attention_heads: 128,
    num_key_value_heads: 128,
    intermediate_size: 18432,
    moe_intermediate_size: 2048,
    n_routed_experts: 256,
    n_shared_experts: 1,
    num_experts_per_tok: 8,
    first_k_dense_replace: 3,
    q_lora_rank: 1536,
    kv_lora_rank: 512,
    qk_nope_head_dim: 128,
    qk_rope_head_dim: 64,
    v_head_dim: 128,
    vocab_size: 129280,
    tie_word_embeddings: false,
  });
  assert.ok(Math.abs(v3.params.total / 671.0e9 - 1) < 0.002, String(v3.params.total));
  assert.ok(Math.abs((v3.params.active ?? 0) / 37.55e9 - 1) < 0.01, String(v3.params.active));
  // deepseek-ai/DeepSeek-V2-Lite: 15.7B total (q without low rank).
  const lite = hf({
    model_type: 'deepseek_v2',
    hidden_size: 2048,
    num_hidden_layers: 27,
    num_attention_heads: 16,
    intermediate_size: 10944,
    moe_intermediate_size: 1408,
    n_routed_experts: 64,
    n_shared_experts: 2,
    num_experts_per_tok: 6,
    first_k_dense_replace: 1,
    q_lora_rank: null,
    kv_lora_rank: 512,
    qk_nope_head_dim: 128,
    qk_rope_head_dim: 64,
    v_head_dim: 128,
    vocab_size: 102400,
    tie_word_embeddings: false,
  });
  assert.ok(Math.abs(lite.params.total / 15.706e9 - 1) < 0.001, String(lite.params.total));
  assert.ok(lite.params.active !== undefined && lite.params.active < lite.params.total / 5);
});

test('MoE families: Granite MoE and Mixtral give total and active', () => {
  // ibm-granite/granite-3.1-1b-a400m-instruct: 1.3B total, 400M active (model card).
  const g = hf({
    model_type: 'granitemoe',
    hidden_size: 1024,
    num_hidden_layers: 24,
    num_attention_heads: 16,
    num_key_value_heads: 8,
    intermediate_size: 512,
    num_local_experts: 32,
    num_experts_per_tok: 8,
    vocab_size: 49155,
    tie_word_embeddings: true,
  });
  assert.equal(g.params.total, 1_334_628_352);
  assert.equal(g.params.active, 428_658_688);
});

test('parallel-block and norm variants differ from Llama by exactly their norms and MLP matrices', () => {
  const base = { hidden_size: 512, num_hidden_layers: 4, num_attention_heads: 8, intermediate_size: 1024, vocab_size: 1000, tie_word_embeddings: true };
  const llama = hf({ ...base, model_type: 'llama' }).params.total;
  // Cohere: one norm per layer instead of two.
  assert.equal(hf({ ...base, model_type: 'cohere' }).params.total, llama - 4 * 512);
  // Nemotron: up/down MLP (no gate) and LayerNorms with bias (2d each, and the final one).
  assert.equal(hf({ ...base, model_type: 'nemotron' }).params.total, llama - 4 * 512 * 1024 + 4 * 2 * 512 + 512);
  // OLMo 2: q/k norms over the projections, (H + K)·h per layer.
  assert.equal(hf({ ...base, model_type: 'olmo2' }).params.total, llama + 4 * (8 + 8) * 64);
});

test('an unknown model_type with the standard keys gets a generic count, labelled with its assumptions', () => {
  const r = readHfModelConfig(
    JSON.stringify({
      model_type: 'acme_lm',
      hidden_size: 512,
      num_hidden_layers: 4,
      num_attention_heads: 8,
      intermediate_size: 1024,
      vocab_size: 1000,
      tie_word_embeddings: true,
    }),
    'config.json',
  );
  const plan = planOf(r);
  assert.equal(
    plan.params.total,
    hf({
      model_type: 'llama',
      hidden_size: 512,
      num_hidden_layers: 4,
      num_attention_heads: 8,
      intermediate_size: 1024,
      vocab_size: 1000,
      tie_word_embeddings: true,
    }).params.total,
  );
  assert.ok(plan.notes.some((n) => /"acme_lm" is not one Scaling Lens knows: counted as a Llama-style decoder/.test(n)));
  assert.ok(r.diagnostics.some((d) => d.severity === 'info' && /generic Llama-style parameter count/.test(d.message)));
});

test('a multimodal config counts its text_config language model and says so', () => {
  const text = {
    model_type: 'gemma3_text',
    hidden_size: 1152,
    num_hidden_layers: 26,
    num_attention_heads: 4,
    num_key_value_heads: 1,
    head_dim: 256,
    intermediate_size: 6912,
    vocab_size: 262144,
  };
  const plan = hf({ model_type: 'gemma3', architectures: ['Gemma3ForConditionalGeneration'], text_config: text, vision_config: { hidden_size: 1152 } });
  assert.equal(plan.params.total, 999_885_952);
  assert.ok(plan.notes.some((n) => /gemma3 is multimodal: the count is its language model/.test(n)));
});

test('a weight index beside config.json gives the true count, and the difference is stated', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-index-'));
  const cfg = {
    model_type: 'llama',
    hidden_size: 512,
    num_hidden_layers: 4,
    num_attention_heads: 8,
    intermediate_size: 1024,
    vocab_size: 1000,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
  };
  const ours = hf(cfg).params.total;
  const file = path.join(dir, 'config.json');
  const read = (bytes: number) => {
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: bytes }, weight_map: {} }));
    return planOf(readConfig({ file, text: JSON.stringify(cfg), readSibling: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) }));
  };
  const exact = read(2 * ours);
  assert.equal(exact.params.fromIndex?.params, ours);
  assert.ok(exact.notes.some((n) => /our count is exact/.test(n)));
  const off = read(2 * (ours + 1000));
  assert.equal(off.params.fromIndex?.diff, -1000);
  assert.ok(
    off.notes.some((n) => /our count differs by −1,000 \(/.test(n)),
    off.notes.join('\n'),
  );
  fs.rmSync(dir, { recursive: true });
});

test('nanotron YAML: the model_config block, tokens per step and steps', () => {
  // HuggingFaceTB SmolLM-135M shape (published 134,515,008) in nanotron's layout.
  const yaml = `general:
  project: smollm
model:
  model_config:
    hidden_size: 576
    num_hidden_layers: 30
    num_attention_heads: 9
    num_key_value_heads: 3
    intermediate_size: 1536
    vocab_size: 49152
    tie_word_embeddings: true
    moe_config: null
parallelism:
  dp: 64
  tp: 1
  pp: 1
tokens:
  sequence_length: 2048
  micro_batch_size: 8
  batch_accumulation_per_replica: 1
  train_steps: 600000
`;
  const plan = planOf(readConfig({ file: 'smollm.yaml', text: yaml }));
  assert.equal(plan.format, 'nanotron');
  assert.equal(plan.params.total, 134_515_008);
  assert.equal(plan.tokensPerStep, 8 * 64 * 2048);
  assert.equal(plan.maxSteps, 600000);
  assert.equal(plan.gpus, 64);
  // The source of the hidden size points at its value in the YAML.
  const r = plan.sources['architecture.dModel'].range!;
  assert.equal(yaml.slice(r.start, r.end), '576');
});

test('any YAML or JSON nesting an HF-style block is counted; a key written twice takes its last value', () => {
  const yaml = `run:
  name: x
  model:
    config:
      model_type: qwen2
      hidden_size: 512
      num_hidden_layers: 4
      num_attention_heads: 8
      num_key_value_heads: 2
      intermediate_size: 1024
      vocab_size: 1000
      tie_word_embeddings: true
      vocab_size: 2000
`;
  const plan = planOf(readConfig({ file: 'dump.yaml', text: yaml }));
  assert.equal(
    plan.params.total,
    hf({
      model_type: 'qwen2',
      hidden_size: 512,
      num_hidden_layers: 4,
      num_attention_heads: 8,
      num_key_value_heads: 2,
      intermediate_size: 1024,
      vocab_size: 2000,
      tie_word_embeddings: true,
    }).params.total,
  );
  const json = JSON.stringify({
    trainer: { lr: 1e-3 },
    model: { hidden_size: 512, num_hidden_layers: 4, num_attention_heads: 8, intermediate_size: 1024, vocab_size: 1000 },
  });
  assert.equal(planOf(readConfig({ file: 'run.json', text: json })).architecture.dModel, 512);
});

test('DeepSeek inference JSON (dim, n_layers, n_routed_experts, kv_lora_rank)', () => {
  // deepseek-ai/DeepSeek-V3 inference/configs/config_16B.json keys (DeepSeek-V2-Lite shape).
  const json = JSON.stringify({
    vocab_size: 102400,
    dim: 2048,
    inter_dim: 10944,
    moe_inter_dim: 1408,
    n_layers: 27,
    n_dense_layers: 1,
    n_heads: 16,
    n_routed_experts: 64,
    n_shared_experts: 2,
    n_activated_experts: 6,
    q_lora_rank: 0,
    kv_lora_rank: 512,
    qk_nope_head_dim: 128,
    qk_rope_head_dim: 64,
    v_head_dim: 128,
  });
  const plan = planOf(readConfig({ file: 'config_16B.json', text: json }));
  assert.equal(plan.format, 'deepseek');
  assert.equal(plan.params.total, 15_706_484_224);
});

test('Megatron launch script: sizes through shell variables, vocabulary from the tokenizer name', () => {
  // bigscience tr11-176B-ml.slurm layout (BLOOM-176B: 176,247,271,424 published).
  const sh = `NLAYERS=70
NHIDDEN=14336
NHEADS=112
SEQ_LEN=2048
TOKENIZER_NAME_OR_PATH=bigscience/tokenizer
GPT_ARGS=" \\
    --num-layers $NLAYERS \\
    --hidden-size $NHIDDEN \\
    --num-attention-heads $NHEADS \\
    --seq-length $SEQ_LEN \\
    --tokenizer-type PretrainedFromHF \\
    --tokenizer-name-or-path $TOKENIZER_NAME_OR_PATH \\
    --tensor-model-parallel-size 4 \\
    --embed-layernorm \\
    --position-embedding-type alibi \\
    "
`;
  const plan = planOf(readConfig({ file: 'tr11.slurm', text: sh }));
  assert.equal(plan.architecture.vocab, 250880);
  assert.equal(plan.params.total, 176_247_271_424);
});

test('GPT-NeoX YAML (Pythia) through the Megatron reader', () => {
  const yml = `{
  "pipe-parallel-size": 0,
  "model-parallel-size": 1,
  "num-layers": 12,
  "hidden-size": 768,
  "num-attention-heads": 12,
  "seq-length": 2048,
  "max-position-embeddings": 2048,
  "pos-emb": "rotary",
  "no-weight-tying": true,
  "train-iters": 143000,
  "vocab-file": "/fsx/pile/20B_tokenizer.json"
}
`;
  const plan = planOf(readConfig({ file: 'pythia-160m.yml', text: yml }));
  assert.equal(plan.format, 'gpt-neox');
  assert.equal(plan.params.total, 162_322_944);
});

test('OLMo YAML: model block, steps or tokens in max_duration', () => {
  const yml = `model:
  d_model: 2048
  n_heads: 16
  n_layers: 16
  mlp_ratio: 8
  weight_tying: true
  layer_norm_with_affine: false
  activation_type: swiglu
  max_sequence_length: 2048
  vocab_size: 50280
  embedding_size: 50304
global_train_batch_size: 2048
max_duration: 739_328
optimizer:
  learning_rate: 4.0e-4
`;
  const plan = planOf(readConfig({ file: 'OLMo-1B.yaml', text: yml }));
  assert.equal(plan.format, 'olmo');
  assert.equal(plan.params.total, 1_176_764_416);
  assert.equal(plan.maxSteps, 739328);
  assert.equal(plan.tokensPerStep, 2048 * 2048);
  const tokens = planOf(readConfig({ file: 'o.yaml', text: yml.replace('max_duration: 739_328', 'max_duration: 2e12T') }));
  assert.equal(tokens.tokens, 2e12);
});

test('NeMo launcher YAML: ${multiply:} FFN and a tokenizer named by model id', () => {
  const yml = `trainer:
  devices: 8
  max_steps: 100
model:
  encoder_seq_length: 8192
  global_batch_size: 128
  num_layers: 32
  hidden_size: 4096
  ffn_hidden_size: \${multiply:4, \${.hidden_size}}
  num_attention_heads: 32
  bias: false
  share_embeddings_and_output_weights: false
  normalization: rmsnorm
  position_embedding_type: rope
  tokenizer:
    library: huggingface
    type: meta-llama/Meta-Llama-3.1-8B
`;
  const plan = planOf(readConfig({ file: 'nemo.yaml', text: yml }));
  assert.equal(plan.architecture.dFfn, 16384);
  assert.equal(plan.architecture.vocab, 128256);
});

test('a --flag value file (args.txt) with Megatron flags is read; other text files are not applicable', () => {
  const args =
    '--num-layers 12\n--hidden-size 768 --num-attention-heads 12\n--seq-length 1024 --max-position-embeddings 1024\n--vocab-size 50257 --global-batch-size 8 --train-iters 100\n';
  const plan = planOf(readConfig({ file: 'args.txt', text: args }));
  assert.equal(plan.format, 'megatron');
  // GPT-2 small in Megatron: 50257 padded to 50304, learned positions 1024, tied: 124,475,904 (+ biases, LayerNorms).
  assert.equal(plan.architecture.vocab, 50304);
  assert.equal(readConfig({ file: 'notes.txt', text: 'step 1 loss 2.3' }).kind, 'not-applicable');
});

test('GPT-NeoX Llama 2 7B: gated MLP sized as NeoX ParallelMLP does, Llama tokenizer when none is named', () => {
  // EleutherAI/gpt-neox configs/llama2/7B.yml (JSON-style YAML with comments); meta-llama/Llama-2-7b-hf: 6,738,415,616.
  const yml = `{
  "pipe_parallel_size": 1,
  "model_parallel_size": 1,
  "make_vocab_size_divisible_by": 1,

  # model settings
  "num_layers": 32,
  "hidden_size": 4096,
  "intermediate_size": 32768,
  "num_attention_heads": 32,
  "seq_length": 4096,
  "max_position_embeddings": 4096,
  "pos_emb": "rotary",
  "no_weight_tying": true,
  "norm": "rmsnorm",
  "use_bias_in_norms": false,
  "use_bias_in_attn_linear": false,
  "activation": "swiglu",
  "mlp_multiple_of": 256,
}
`;
  const plan = planOf(readConfig({ file: 'llama2/7B.yml', text: yml }));
  assert.equal(plan.format, 'gpt-neox');
  assert.equal(plan.architecture.dFfn, 11008);
  assert.equal(plan.architecture.vocab, 32000);
  assert.match(plan.sources['architecture.vocab']?.note ?? '', /Llama SentencePiece 32,000/);
  assert.equal(plan.params.total, 6_738_415_616);
  // Without mlp_multiple_of (neox_args default 1): int(32768·2/3) // 2 = 10922 per matrix.
  const plain = planOf(readConfig({ file: '7B.yml', text: yml.replace('"mlp_multiple_of": 256,', '') }));
  assert.equal(plain.architecture.dFfn, 10922);
  // A tokenizer named in the file wins over the Llama assumption.
  const gpt2 = planOf(readConfig({ file: '7B.yml', text: yml.replace('"activation"', '"tokenizer_type": "GPT2BPETokenizer",\n  "activation"') }));
  assert.equal(gpt2.architecture.vocab, 50257);
});

test('GPT-NeoX YAML with a comma left out (Pythia 12B) is counted, with a warning naming the line', () => {
  // EleutherAI/pythia models/12B/pythia-12b.yml: no comma after "attention-config", found at the next entry (line 11 here); PyYAML rejects the file.
  const yml = `{
   "pipe-parallel-size": 1,
   "model-parallel-size": 4,
   "num-layers": 36,
   "hidden-size": 5120,
   "num-attention-heads": 40,
   "seq-length": 2048,
   "pos-emb": "rotary",
   "attention-config": [[["flash"], 36]]

   "no-weight-tying": true,
   "vocab-file": "/fsx/pile/20B_tokenizer.json",
}
`;
  const r = readConfig({ file: 'pythia-12b.yml', text: yml });
  const plan = planOf(r);
  // EleutherAI/pythia-12b: 11,846,072,320 (vocab 50,277 padded to 128 × TP 4 = 50,688).
  assert.equal(plan.params.total, 11_846_072_320);
  const warning = r.diagnostics.find((d) => d.severity === 'warning');
  assert.equal(warning?.line, 11);
  assert.match(warning?.message ?? '', /"," is missing .*PyYAML/);
  // Any other syntax error still stops the read, naming file and line.
  const broken = readConfig({ file: 'p.yml', text: yml.replace('"num-layers": 36,', '"num-layers": [36,') });
  assert.equal(broken.kind, 'error');
  assert.match(broken.kind === 'error' ? broken.message : '', /^p\.yml:\d+: invalid YAML/);
});

test('Qwen3.5 MoE text config: Gated DeltaNet and gated attention layers counted apart, exact against the weight index', () => {
  // bryce-hoehn/Qwen3.5-18B-REAP-A3B-Coding config.json; its model.safetensors.index.json total_size 37,087,995,136 B
  // in float16 = 18,543,997,568 parameters (the index holds no MTP layer).
  const cfg: Record<string, unknown> = {
    model_type: 'qwen3_5_moe_text',
    attn_output_gate: true,
    full_attention_interval: 4,
    head_dim: 256,
    hidden_size: 2048,
    linear_conv_kernel_dim: 4,
    linear_key_head_dim: 128,
    linear_num_key_heads: 16,
    linear_num_value_heads: 32,
    linear_value_head_dim: 128,
    max_position_embeddings: 262144,
    moe_intermediate_size: 512,
    num_attention_heads: 16,
    num_experts: 128,
    num_experts_per_tok: 8,
    num_hidden_layers: 40,
    num_key_value_heads: 2,
    shared_expert_intermediate_size: 512,
    tie_word_embeddings: false,
    vocab_size: 248320,
  };
  const plan = hf(cfg);
  assert.equal(plan.params.total, 18_543_997_568);
  // 8 of 128 experts: 30 DeltaNet + 10 attention layers, 8 experts + shared expert each.
  assert.equal(plan.params.active, 3_444_503_168);
  // layer_types, when written, decide which layers are which: the same 30/10 split counts the same.
  const types = Array.from({ length: 40 }, (_, i) => ((i + 1) % 4 === 0 ? 'full_attention' : 'linear_attention'));
  assert.equal(hf({ ...cfg, full_attention_interval: 2, layer_types: types }).params.total, 18_543_997_568);
  // As a multimodal wrapper's text_config, the language model is counted the same.
  assert.equal(hf({ model_type: 'qwen3_5_moe', text_config: cfg }).params.total, 18_543_997_568);
});
