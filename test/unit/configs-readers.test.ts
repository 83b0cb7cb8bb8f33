// Every config format through the one dispatcher, on configs written here (the shared samples are
// checked by hand with `scaling-lens estimate`, never copied into the repo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig } from '../../src/core/configs/index';
import { llamaFfnDim, LITGPT_MODELS, TORCHTITAN_FLAVORS } from '../../src/core/configs/modelTables';
import { countDecoderParams } from '../../src/core/configs/hfConfig';
import { parseComposerTime } from '../../src/core/configs/yamlConfigs';
import { pythonAssignments } from '../../src/core/configs/nanogpt';
import type { ConfigReadResult, TrainingPlan } from '../../src/core/configs/types';

function planOf(r: ConfigReadResult): TrainingPlan {
  assert.equal(r.kind, 'plan', r.kind === 'plan' ? '' : r.kind === 'error' ? r.message : r.reason);
  return (r as Extract<ConfigReadResult, { kind: 'plan' }>).plan;
}
const read = (file: string, text: string, readSibling?: (p: string) => string | undefined) => readConfig({ file, text, readSibling });
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const slice = (text: string, plan: TrainingPlan, key: string) => {
  const r = plan.sources[key]?.range;
  assert.ok(r, `${key} has a range`);
  return text.slice(r.start, r.end);
};

// ---------------------------------------------------------------- nanoGPT

const NANO_SMALL = `# a small char model
out_dir = 'out-tiny'
dataset = 'shakespeare_char'
gradient_accumulation_steps = 2 * 2
batch_size = 32
block_size = 128
n_layer = 4
n_head = 4
n_embd = 128
learning_rate = 2e-3
max_iters = 1_000
lr_decay_iters = max_iters
min_lr = learning_rate / 10
wandb_run_name = 'run-' + str(time.time())
`;

test('nanoGPT: assignments with arithmetic, earlier names, sources and train.py defaults said so', () => {
  const plan = planOf(read('/p/config/tiny.py', NANO_SMALL));
  assert.equal(plan.format, 'nanogpt');
  // 4 layers × (12·128² + 2·128 = 196,864) + 128 = 787,584 non-embedding (bias=False default);
  // + wte 65·128 = 8,320 + wpe 128·128 = 16,384 → 812,288
  assert.equal(plan.params.nonEmbedding, 787_584);
  assert.equal(plan.params.total, 812_288);
  // tokens/iter = 4 × 32 × 128 = 16,384; × 1,000 = 16,384,000
  assert.equal(plan.tokensPerStep, 16_384);
  assert.equal(plan.tokens, 16_384_000);
  assert.equal(plan.maxSteps, 1000);
  assert.equal(plan.peakLr, 2e-3);
  assert.deepEqual(plan.schedule, { type: 'cosine', warmupSteps: 2000, minLrRatio: 0.1 });
  assert.equal(slice(NANO_SMALL, plan, 'batch.gradAccum'), '2 * 2');
  assert.equal(slice(NANO_SMALL, plan, 'architecture.nLayer'), '4');
  assert.equal(slice(NANO_SMALL, plan, 'maxSteps'), '1_000');
  assert.match(plan.sources['architecture.vocab'].note ?? '', /^assumed: vocab_size 65/);
  assert.ok(
    plan.notes.some((n) => /train\.py defaults applied .*bias = False.*warmup_iters = 2000/.test(n)),
    plan.notes.join('\n'),
  );
  // Warmup default 2000 > 1000 iterations: said.
  assert.ok(plan.notes.some((n) => /never reaches its peak/.test(n)));
});

test('nanoGPT: a file setting nothing gets GPT-2 124M from train.py (bias=False: 124,373,760; nanoGPT prints 123.59M)', () => {
  const text = 'wandb_log = True\nmax_iters = 600000\n# torchrun --standalone --nproc_per_node=8 train.py\n';
  const plan = planOf(read('/p/config/gpt2.py', text));
  // 12 × (12·768² + 2·768 = 7,079,424) + 768 = 84,953,856; wte 50,304·768 = 38,633,472; wpe 786,432
  assert.equal(plan.params.total, 124_373_760);
  assert.equal(plan.params.total - 1024 * 768, 123_587_328); // nanoGPT's printed "123.59M"
  // 12 × 40 × 1,024 = 491,520 tokens/iter × 600,000 = 294,912,000,000 (~300B)
  assert.equal(plan.tokens, 294_912_000_000);
  assert.equal(plan.gpus, 8);
  assert.match(plan.sources.gpus.note ?? '', /nproc_per_node/);
  assert.equal(slice(text, plan, 'gpus'), '8');
  // With bias = True the count is GPT-2's own with the padded vocabulary: 124,475,904.
  const biased = planOf(read('/p/config/gpt2b.py', `${text}bias = True\n`));
  assert.equal(biased.params.total, 124_475_904);
});

test('nanoGPT: fine-tuning from gpt2-* is not applicable; non-literal values are unknown, not defaulted', () => {
  const ft = read('/p/config/ft.py', "init_from = 'gpt2-xl'\nbatch_size = 1\nmax_iters = 20\n");
  assert.equal(ft.kind, 'not-applicable');
  assert.match(ft.kind === 'not-applicable' ? ft.reason : '', /fine-tune of the pretrained gpt2-xl/);
  const r = read('/p/config/x.py', 'n_layer = int(os.environ["L"])\nmax_iters = 10\n');
  assert.equal(r.kind, 'not-applicable');
  assert.match(r.kind === 'not-applicable' ? r.reason : '', /n_layer is not a literal/);
  assert.ok(r.diagnostics.some((d) => d.severity === 'warning' && d.line === 1 && /not a literal/.test(d.message)));
  const values = pythonAssignments('a = 3\nb = a ** 2 - 1\nc = (a + 1) // 2\nd = -a\ne = True\nf = None\n').values;
  assert.deepEqual(
    [...values.entries()].map(([k, v]) => [k, v.value]),
    [
      ['a', 3],
      ['b', 8],
      ['c', 2],
      ['d', -3],
      ['e', true],
      ['f', null],
    ],
  );
});

test('nanoGPT: zero layers, negative and non-divisible shapes are errors with the line', () => {
  const zero = read('/p/c.py', 'n_layer = 0\nmax_iters = 10\n');
  assert.equal(zero.kind, 'error');
  assert.match(zero.kind === 'error' ? zero.message : '', /c\.py:1: "n_layer" must be at least 1 \(found 0\)/);
  const neg = read('/p/c.py', 'max_iters = 10\nbatch_size = -4\n');
  assert.equal(neg.kind === 'error' && neg.diagnostics[0].line, 2);
  const div = read('/p/c.py', 'n_embd = 100\nn_head = 3\n');
  assert.equal(div.kind, 'error');
  assert.match(div.kind === 'error' ? div.message : '', /c\.py:2: .*not divisible/);
});

// ---------------------------------------------------------------- llm-foundry

const FOUNDRY = `variables:
  seq: 1024
max_seq_len: \${variables.seq}
model:
  name: mpt_causal_lm
  d_model: 512
  n_heads: 8
  n_layers: 6
  expansion_ratio: 4
  max_seq_len: \${variables.seq}
  vocab_size: 50368
optimizer:
  name: decoupled_adamw
  lr: 3.0e-4
scheduler:
  name: cosine_with_warmup
  t_warmup: 50ba
  alpha_f: 0.1
max_duration: 2000ba
global_train_batch_size: 128
device_train_microbatch_size: 8
precision: amp_bf16
fsdp_config:
  sharding_strategy: FULL_SHARD
`;

test('llm-foundry: ${variables} interpolation, ba durations, MPT count', () => {
  const plan = planOf(read('/p/yamls/mpt.yaml', FOUNDRY));
  assert.equal(plan.format, 'llm-foundry');
  // MPT, no biases: 6 × (4·512² + 2·4·512² + 2·512 = 3,146,752) + 512 = 18,881,024;
  // + wte 50,368·512 = 25,788,416 + learned positions 1,024·512 = 524,288 → 45,193,728
  assert.equal(plan.params.nonEmbedding, 18_881_024);
  assert.equal(plan.params.total, 45_193_728);
  assert.equal(plan.seqLen, 1024);
  assert.equal(slice(FOUNDRY, plan, 'seqLen'), '1024'); // points at the variable's value
  assert.match(plan.sources.seqLen.note ?? '', /from \$\{variables\.seq\}/);
  // 128 × 1,024 = 131,072 tokens/step × 2,000 batches = 262,144,000
  assert.equal(plan.tokens, 262_144_000);
  assert.equal(plan.maxSteps, 2000);
  assert.deepEqual(plan.schedule, { type: 'cosine_with_warmup', warmupSteps: 50, minLrRatio: 0.1 });
  assert.equal(plan.parallelism?.zeroStage, 3);
  assert.equal(plan.microBatch, 8);
  // tokens and samples durations
  assert.equal(planOf(read('/p/m.yaml', FOUNDRY.replace('2000ba', '1e9tok'))).tokens, 1e9);
  assert.equal(planOf(read('/p/m.yaml', FOUNDRY.replace('2000ba', '1000sp'))).tokens, 1000 * 1024);
  assert.deepEqual(parseComposerTime('4800ba'), { amount: 4800, unit: 'ba' });
  assert.deepEqual(parseComposerTime('0.1dur'), { amount: 0.1, unit: 'dur' });
  assert.equal(parseComposerTime('soon'), undefined);
});

test('llm-foundry: a bad duration and an HF-hub model are reported', () => {
  const bad = read('/p/m.yaml', FOUNDRY.replace('2000ba', 'forever'));
  assert.equal(bad.kind, 'error');
  assert.equal(bad.diagnostics[0].line, lineOf(FOUNDRY, 'max_duration'));
  const hf = read('/p/m.yaml', 'model:\n  name: hf_causal_lm\n  pretrained_model_name_or_path: org/model\n  pretrained: true\nmax_duration: 1ep\n');
  assert.equal(hf.kind, 'not-applicable');
});

// ---------------------------------------------------------------- litgpt

const LITGPT = `model_name: tiny-llama-1.1b
train:
  global_batch_size: 256
  micro_batch_size: 8
  max_tokens: 100000000000
  max_seq_length: 2048
  lr_warmup_steps: 1000
  min_lr: 4.0e-5
optimizer:
  class_path: torch.optim.AdamW
  init_args:
    lr: 4.0e-4
devices: 8
num_nodes: 2
precision: bf16-mixed
`;

test('litgpt: model_name table (TinyLlama 1,100,048,384), max_tokens as D', () => {
  const plan = planOf(read('/p/pretrain.yaml', LITGPT));
  // 22 × (attention 2·2048² + 2·2048·256 = 9,437,184 + MLP 3·2048·5632 = 34,603,008 + norms 4,096) + 2,048
  //   = 968,976,384; + embed and head 2·32,000·2,048 = 131,072,000 → 1,100,048,384 (TinyLlama-1.1B checkpoint)
  assert.equal(plan.params.total, 1_100_048_384);
  assert.equal(plan.tokens, 1e11);
  // 256 × 2,048 = 524,288 tokens/step; ⌈1e11 / 524,288⌉ = 190,735 steps
  assert.equal(plan.tokensPerStep, 524_288);
  assert.equal(plan.maxSteps, 190_735);
  assert.equal(plan.gpus, 16);
  assert.equal(plan.peakLr, 4e-4);
  assert.equal(slice(LITGPT, plan, 'peakLr'), '4.0e-4');
  assert.match(plan.sources['architecture.nLayer'].note ?? '', /litgpt\/config\.py/);
});

test('litgpt: model_name and model_config together are contradictory; unknown names are not applicable', () => {
  const both = read('/p/p.yaml', LITGPT.replace('train:', 'model_config:\n  n_layer: 2\ntrain:'));
  assert.equal(both.kind, 'error');
  assert.ok(both.diagnostics.some((d) => /both set/.test(d.message)));
  assert.ok(both.diagnostics.some((d) => d.line === 1 && /also set here/.test(d.message)));
  const unknown = read('/p/p.yaml', LITGPT.replace('tiny-llama-1.1b', 'pythia-14m'));
  assert.match(unknown.kind === 'not-applicable' ? unknown.reason : '', /pythia-14m.*not in/);
  const inline = planOf(
    read(
      '/p/p.yaml',
      LITGPT.replace(
        'model_name: tiny-llama-1.1b',
        'model_config:\n  n_layer: 2\n  n_embd: 64\n  n_head: 4\n  padded_vocab_size: 1000\n  mlp_class_name: LLaMAMLP\n  intermediate_size: 256\n  bias: false\n  norm_class_name: RMSNorm',
      ),
    ),
  );
  // 2 × (4·64² + 3·64·256 + 2·64 = 65,664) + 64 = 131,392; + untied 2 × 1,000·64 = 128,000 → 259,392
  assert.equal(inline.params.total, 259_392);
});

// ---------------------------------------------------------------- torchtitan

const TITAN = `[model]
name = "llama3"
flavor = "8B"

[optimizer]
lr = 3e-4

[lr_scheduler]
warmup_steps = 100
decay_ratio = 0.2
min_lr_factor = 0.1

[training]
local_batch_size = 2
seq_len = 4096
steps = 500

[parallelism]
data_parallel_replicate_degree = 1
data_parallel_shard_degree = 16
tensor_parallel_degree = 2
`;

test('torchtitan: flavor table (Llama-3-8B 8,030,261,248), explicit parallel degrees give GPUs and batch', () => {
  const plan = planOf(read('/p/train_configs/x.toml', TITAN));
  assert.equal(plan.params.total, 8_030_261_248);
  assert.equal(plan.architecture.dFfn, 14336); // 4·4096 → 10,922 → ×1.3 = 14,198 → ↑1024 = 14,336
  assert.equal(plan.gpus, 32); // 16 × TP 2
  // 2 × 16 × 4,096 = 131,072 tokens/step × 500 = 65,536,000
  assert.equal(plan.tokensPerStep, 131_072);
  assert.equal(plan.tokens, 65_536_000);
  assert.deepEqual(plan.schedule, { type: 'wsd-linear', warmupSteps: 100, minLrRatio: 0.1 });
  assert.equal(slice(TITAN, plan, 'maxSteps'), '500');
  assert.equal(slice(TITAN, plan, 'peakLr'), '3e-4');
  assert.deepEqual(plan.parallelism, { tensor: 2, pipeline: 1, context: 1, zeroStage: 3 });
});

test('torchtitan: -1 shard degree takes the GPU count from a comment, else assumes one node; unknown flavor', () => {
  const auto = TITAN.replace('data_parallel_shard_degree = 16', 'data_parallel_shard_degree = -1').replace(
    'tensor_parallel_degree = 2',
    'tensor_parallel_degree = 1',
  );
  const plan = planOf(read('/p/x.toml', `# preset for 64 H100 GPUs\n${auto}`));
  assert.equal(plan.gpus, 64);
  assert.equal(plan.tokensPerStep, 2 * 64 * 4096);
  const one = planOf(read('/p/x.toml', auto));
  assert.equal(one.gpus, 8);
  assert.match(one.sources.gpus.note ?? '', /^assumed: 8 GPUs/);
  const unknown = read('/p/x.toml', TITAN.replace('"8B"', '"13B"'));
  assert.match(unknown.kind === 'not-applicable' ? unknown.reason : '', /flavor "13B" is not in the table/);
  const bad = read('/p/x.toml', '[model\nname = 1');
  assert.equal(bad.kind, 'error');
});

test('model tables: FFN rule and the flavors count as their published checkpoints', () => {
  assert.equal(llamaFfnDim(8192, 4096, 1.3), 28672); // Llama-3-70B intermediate_size
  assert.equal(llamaFfnDim(16384, 4096, 1.2), 53248); // Llama-3.1-405B
  const c70 = countDecoderParams(TORCHTITAN_FLAVORS.llama3['70B'].arch, TORCHTITAN_FLAVORS.llama3['70B'].style);
  assert.equal(c70.total, 70_553_706_496); // meta-llama/Meta-Llama-3-70B: 70,553,706,496
  const c1b = countDecoderParams(LITGPT_MODELS['Llama-3.2-1B'].arch, LITGPT_MODELS['Llama-3.2-1B'].style);
  assert.equal(c1b.total, 1_235_814_400); // meta-llama/Llama-3.2-1B (tied): 1,235,814,400
});

test('torchtitan qwen3 flavors: q/k norms, head_dim 128, tied embeddings up to 4B; counts as the Qwen3 model cards', () => {
  // Qwen/Qwen3-*: total (non-embedding) 0.6B (0.44B), 1.7B (1.4B), 4.0B (3.6B), 8.2B (6.95B), 14.8B (13.2B), 32.8B (31.2B).
  // Exact: per layer d·H·128 + 2·d·K·128 + H·128·d (attention) + 2·128 (q/k norms) + 3·d·f + 2·d, + d, + V·d (×2 untied).
  const layer = (d: number, h: number, k: number, f: number) => d * h * 128 + 2 * d * k * 128 + h * 128 * d + 2 * 128 + 3 * d * f + 2 * d;
  const total = (l: number, d: number, h: number, k: number, f: number, tied: boolean) => l * layer(d, h, k, f) + d + 151936 * d * (tied ? 1 : 2);
  const expected: Record<string, number> = {
    '0.6B': total(28, 1024, 16, 8, 3072, true),
    '1.7B': total(28, 2048, 16, 8, 6144, true),
    '4B': total(36, 2560, 32, 8, 9728, true),
    '8B': total(36, 4096, 32, 8, 12288, false),
    '14B': total(40, 5120, 40, 8, 17408, false),
    '32B': total(64, 5120, 64, 8, 25600, false),
  };
  assert.equal(expected['0.6B'], 596_049_920);
  assert.equal(expected['8B'], 8_190_735_360);
  for (const [flavor, n] of Object.entries(expected)) {
    const plan = planOf(read('/p/qwen3.toml', TITAN.replace('"llama3"', '"qwen3"').replace('"8B"', `"${flavor}"`)));
    assert.equal(plan.params.total, n, flavor);
  }
  const moe = read('/p/qwen3.toml', TITAN.replace('"llama3"', '"qwen3"').replace('"8B"', '"30B-A3B"'));
  assert.match(moe.kind === 'not-applicable' ? moe.reason : '', /flavor "30B-A3B" is not in the table/);
});

// ---------------------------------------------------------------- Megatron-LM

const MEGATRON_SH = `#!/bin/bash
# GPT 350M
NLAYERS=24
GPT_ARGS=(
    --num-layers $NLAYERS
    --hidden-size 1024
    --num-attention-heads 16
    --seq-length 2048
    --max-position-embeddings 2048
    --micro-batch-size 4
    --global-batch-size 256
    --train-iters 10000
    --lr 3.0e-4
    --min-lr 3.0e-5
    --lr-decay-style cosine
    --lr-warmup-iters 500
    --vocab-file gpt2-vocab.json
    --merge-file gpt2-merges.txt
    --bf16
)
torchrun --nproc_per_node 8 pretrain_gpt.py "\${GPT_ARGS[@]}"
`;

test('Megatron-LM shell flags: bash arrays and variables, GPT-2 vocab padded to 50,304', () => {
  const plan = planOf(read('/p/run.sh', MEGATRON_SH));
  assert.equal(plan.format, 'megatron');
  // GPT block with biases: 24 × (12·1024² + 13·1024 = 12,596,224) + 2·1024 = 302,311,424;
  // + tied wte 50,304·1,024 = 51,511,296 + learned positions 2,048·1,024 = 2,097,152 → 355,919,872
  assert.equal(plan.params.nonEmbedding, 302_311_424);
  assert.equal(plan.params.total, 355_919_872);
  assert.equal(plan.architecture.vocab, 50304);
  assert.equal(plan.tokens, 10000 * 256 * 2048);
  assert.equal(plan.precision, 'bf16');
  assert.deepEqual(plan.schedule, { type: 'cosine', warmupSteps: 500, minLrRatio: 0.1 });
  assert.equal(slice(MEGATRON_SH, plan, 'architecture.nLayer'), '$NLAYERS');
});

test('Megatron-LM YAML MODEL_ARGS, SwiGLU/GQA/RMSNorm flags, and contradictory length flags', () => {
  const yaml = `MODEL_ARGS:
  --num-layers: 2
  --hidden-size: 256
  --num-attention-heads: 4
  --group-query-attention: true
  --num-query-groups: 2
  --swiglu: true
  --normalization: RMSNorm
  --disable-bias-linear: true
  --untie-embeddings-and-output-weights: true
  --position-embedding-type: rope
  --vocab-size: 1000
  --seq-length: 512
  --global-batch-size: 16
  --train-iters: 100
  --lr-warmup-fraction: .1
`;
  const plan = planOf(read('/p/model_config.yaml', yaml));
  // f = int(4·256·2/3 / 64)·64 = 640; per layer 2·256² + 2·256·128 + 3·256·640 + 2·256 = 688,640
  // × 2 + 256 = 1,377,536; vocab 1,000 → 1,024 (×128); + 2 × 1,024·256 = 524,288 → 1,901,824
  assert.equal(plan.architecture.dFfn, 640);
  assert.equal(plan.params.total, 1_901_824);
  assert.equal(plan.schedule?.warmupSteps, 10);
  const both = read('/p/model_config.yaml', `${yaml}  --train-samples: 5000\n`);
  assert.equal(both.kind, 'error');
  assert.ok(both.diagnostics.some((d) => /only one/.test(d.message) && d.line === 17));
});

// ---------------------------------------------------------------- NeMo

const NEMO = `trainer:
  devices: 8
  num_nodes: 2
  precision: bf16
  max_steps: 2000
model:
  micro_batch_size: 2
  global_batch_size: 64
  tensor_model_parallel_size: 2
  encoder_seq_length: 1024
  max_position_embeddings: \${.encoder_seq_length}
  num_layers: 4
  hidden_size: 256
  ffn_hidden_size: 1024
  num_attention_heads: 4
  make_vocab_size_divisible_by: 128
  tokenizer:
    type: GPT2BPETokenizer
  data:
    data_prefix: ???
    seq_length: \${model.encoder_seq_length}
  optim:
    lr: 6e-4
    sched:
      name: CosineAnnealing
      warmup_steps: 100
      min_lr: 6e-5
`;

test('NeMo: relative and absolute interpolations, ??? left unset, vocab padded by 128 × TP', () => {
  const plan = planOf(read('/p/conf/gpt.yaml', NEMO));
  assert.equal(plan.format, 'nemo');
  // vocab 50,257 → multiple of 256 → 50,432; per layer 12·256² + 13·256 = 789,760 × 4 + 512 = 3,159,552
  // + 50,432·256 = 12,910,592 + positions 1,024·256 = 262,144 → 16,332,288
  assert.equal(plan.architecture.vocab, 50432);
  assert.equal(plan.architecture.positions, 1024);
  assert.equal(plan.params.total, 16_332_288);
  assert.equal(plan.gpus, 16);
  assert.equal(plan.tokens, 2000 * 64 * 1024);
  assert.deepEqual(plan.parallelism, { tensor: 2, pipeline: 1, zeroStage: 0 });
});

test("NeMo and Megatron-LM without an FFN width: both take Megatron's default, 4h or int(4h·2/3 / 64)·64 gated, with the rule in the note", () => {
  const nemoPlain = planOf(read('/p/conf/gpt.yaml', NEMO.replace('  ffn_hidden_size: 1024\n', '')));
  assert.equal(nemoPlain.architecture.dFfn, 4 * 256);
  assert.match(nemoPlain.sources['architecture.dFfn']?.note ?? '', /^assumed: 4h, h = hidden_size 256 → 1024 \(Megatron default\)/);
  const nemoGated = planOf(read('/p/conf/gpt.yaml', NEMO.replace('  ffn_hidden_size: 1024\n', '  activation: swiglu\n')));
  const megatronGated = planOf(
    read(
      '/p/model_config.yaml',
      'MODEL_ARGS:\n  --num-layers: 4\n  --hidden-size: 256\n  --num-attention-heads: 4\n  --swiglu: true\n  --vocab-size: 1000\n  --seq-length: 512\n',
    ),
  );
  // int(4·256·2/3 / 64)·64 = int(10.67)·64 = 640, in both readers.
  assert.equal(nemoGated.architecture.dFfn, 640);
  assert.equal(megatronGated.architecture.dFfn, 640);
  assert.match(megatronGated.sources['architecture.dFfn']?.note ?? '', /int\(4h·2\/3 \/ 64\)·64, h = hidden-size 256 → 640 \(Megatron default\)/);
});

// ---------------------------------------------------------------- axolotl

test('axolotl: LoRA/QLoRA and full fine-tunes are not applicable, with the reason', () => {
  const lora = `base_model: org/base-1b\nadapter: qlora\nlora_r: 8\nsequence_len: 1024\nmicro_batch_size: 4\ngradient_accumulation_steps: 8\nnum_epochs: 3\nlearning_rate: 1e-4\n`;
  const r = read('/p/ft.yml', lora);
  assert.equal(r.kind, 'not-applicable');
  assert.match(
    r.kind === 'not-applicable' ? r.reason : '',
    /^QLoRA fine-tune of org\/base-1b \(adapter: qlora, r 8\).*32,768 tokens per step per GPU.*dataset size/,
  );
  const full = read('/p/ft.yml', lora.replace('adapter: qlora\n', ''));
  assert.match(full.kind === 'not-applicable' ? full.reason : '', /^full fine-tune of the pretrained org\/base-1b/);
});

// ---------------------------------------------------------------- generic shape

const GENERIC = `family: my-sweep
model:
  layers: 8
  d_model: 512
  heads: 8
  kv_heads: 8
  ffn: 1536
  vocab: 32000
  tied: true
training:
  steps: 6000
  batch_size: 128
  seq_len: 1024
  lr: 6e-4
  schedule: cosine
  warmup_steps: 300
  gpus: 4
`;

test('generic YAML and JSON shapes', () => {
  const plan = planOf(read('/p/plan.yaml', GENERIC));
  // 8 × (4·512² + 3·512·1536 + 2·512) + 512 = 8 × 3,408,896 + 512 = 27,271,680; + 32,000·512 = 16,384,000
  assert.equal(plan.params.total, 43_655_680);
  assert.equal(plan.tokens, 6000 * 128 * 1024);
  assert.equal(plan.family, 'my-sweep');
  const json = planOf(
    read(
      '/p/plan.json',
      JSON.stringify({ model: { layers: 8, d_model: 512, heads: 8, ffn: 1536, vocab: 32000, tied: true }, training: { tokens: 1e9, batch_tokens: 131072 } }),
    ),
  );
  assert.equal(json.params.total, 43_655_680);
  assert.equal(json.maxSteps, Math.ceil(1e9 / 131072));
  // A key written with an escape is the same key (the JSON path looks for the keys' text before loading YAML).
  const escaped = JSON.stringify({ model: { layers: 8, d_model: 512, heads: 8, ffn: 1536, vocab: 32000, tied: true }, training: { tokens: 1e9 } });
  assert.equal(planOf(read('/p/plan.json', escaped.replace('"layers"', '"lay\\u0065rs"'))).params.total, 43_655_680);
});

test('generic: contradictory tokens and steps × batch name both lines; missing keys are errors', () => {
  const r = read('/p/plan.yaml', GENERIC.replace('training:\n', 'training:\n  tokens: 5.0e9\n'));
  assert.equal(r.kind, 'error');
  assert.match(r.kind === 'error' ? r.message : '', /plan\.yaml:11: training\.tokens \(5,000,000,000\) contradicts steps × tokens per step = 786,432,000/);
  assert.ok(r.diagnostics.some((d) => d.line === 12 && /steps is here/.test(d.message)));
  const missing = read('/p/plan.yaml', 'model:\n  layers: 2\n  d_model: 64\n');
  assert.equal(missing.kind, 'error');
});

// ---------------------------------------------------------------- dispatcher

test('dispatcher: HF config.json reads its sibling training_args.json; unrelated files are not applicable', () => {
  const model = JSON.stringify({
    model_type: 'llama',
    hidden_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 128,
    vocab_size: 100,
    tie_word_embeddings: true,
  });
  const args = JSON.stringify({ per_device_train_batch_size: 2, max_steps: 10, max_seq_length: 32, world_size: 2 });
  const plan = planOf(read('/r/config.json', model, (p) => (p === '/r/training_args.json' ? args : undefined)));
  assert.equal(plan.format, 'hf');
  assert.equal(plan.tokens, 10 * 2 * 2 * 32);
  for (const [file, text, why] of [
    ['/p/notes.py', 'import os\nprint(1)\n', /no nanoGPT config keys/],
    ['/p/pyproject.toml', '[project]\nname = "x"\n', /torchtitan/],
    ['/p/ci.yaml', 'on: push\njobs: {}\n', /not a recognised training-config format/],
    ['/p/run.sh', 'echo hi\n', /Megatron/],
    ['/p/README.md', '# hi', /unrecognised config format/],
  ] as const) {
    const r = read(file, text);
    assert.equal(r.kind, 'not-applicable', file);
    assert.match(r.kind === 'not-applicable' ? r.reason : '', why, file);
  }
  const badYaml = read('/p/x.yaml', 'a: [1, 2\nb: 3\n');
  assert.equal(badYaml.kind, 'error');
  assert.ok(badYaml.diagnostics[0].line !== undefined);
});
