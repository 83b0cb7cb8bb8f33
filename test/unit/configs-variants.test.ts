// Ladder runs written as variants of a target config, per format: the same reader reads the
// written variant back with the planned shape, tokens (within one step), batch, LR and family.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfig } from '../../src/core/configs/index';
import { writeVariant, type VariantSpec, type VariantFile } from '../../src/core/configs/variants';

const SPEC: VariantSpec = { name: 'ladder-01', nLayer: 4, dModel: 256, tokens: 2e8, batchTokens: 65_536, peakLr: 1.5e-3, family: 'my-fam' };
type Ok = Extract<ReturnType<typeof writeVariant>, { files: VariantFile[] }>;

function variant(file: string, text: string, siblings: Record<string, string> = {}, spec: VariantSpec = SPEC): Ok {
  const r = writeVariant({ file, text, readSibling: (p) => siblings[path.basename(p)] }, spec);
  assert.ok(!('error' in r), 'error' in r ? r.error : '');
  return r as Ok;
}

/** Reads the written files again, from scratch, as a user's workspace would hold them. */
function reread(dir: string, files: VariantFile[], main: string) {
  const byName = new Map(files.map((f) => [f.name, f.text]));
  const r = readConfig({ file: path.join(dir, main), text: byName.get(main)!, readSibling: (p) => byName.get(path.basename(p)) });
  assert.equal(r.kind, 'plan', r.kind === 'error' ? r.message : r.kind === 'not-applicable' ? r.reason : '');
  return (r as Extract<typeof r, { kind: 'plan' }>).plan;
}

function assertRoundTrip(plan: ReturnType<typeof reread>, spec: VariantSpec = SPEC, batchTokens = spec.batchTokens) {
  assert.equal(plan.architecture.nLayer, spec.nLayer);
  assert.equal(plan.architecture.dModel, spec.dModel);
  assert.equal(plan.architecture.nHead, 2); // 256 / 128-wide heads
  assert.equal(plan.tokensPerStep, batchTokens);
  assert.ok(plan.tokens !== undefined && Math.abs(plan.tokens - spec.tokens) <= batchTokens / 2, `tokens ${plan.tokens}`);
  assert.ok(plan.peakLr !== undefined && Math.abs(plan.peakLr - spec.peakLr) < 1e-12, `lr ${plan.peakLr}`);
}

test('HF llama config.json + training_args.json: shape in config.json, length, batch, LR and family in training_args.json', () => {
  const dir = 'examples/sweep/llama-44m';
  const cfg = fs.readFileSync(`${dir}/config.json`, 'utf8');
  const args = fs.readFileSync(`${dir}/training_args.json`, 'utf8');
  const v = variant(`/w/${dir}/config.json`, cfg, { 'training_args.json': args });
  assert.deepEqual(v.files.map((f) => f.name).sort(), ['config.json', 'training_args.json']);
  assert.equal(v.familyInFile, true);
  const plan = reread('/v', v.files, 'config.json');
  // Target: 32 sequences × GA 1 × world 2 × 1,024 = 65,536 tokens/step already: no batch change.
  assertRoundTrip(plan);
  assert.equal(plan.family, 'my-fam');
  // FFN keeps the target's ratio 1536/512 = 3 → 768; tied 32,000-token vocabulary:
  // 4 × (4·256² + 3·256·768 + 2·256 = 852,480) + 256 = 3,410,176 + 32,000·256 = 8,192,000 → 11,602,176
  assert.equal(plan.architecture.dFfn, 768);
  assert.equal(plan.params.total, 11_602_176);
  assert.equal(v.readBack?.params, 11_602_176);
  // Every other key is kept as written (the vocabulary, the schedule).
  assert.match(v.files.find((f) => f.name === 'config.json')!.text, /"vocab_size": 32000/);
  assert.equal(JSON.parse(v.files.find((f) => f.name === 'training_args.json')!.text).lr_scheduler_type, JSON.parse(args).lr_scheduler_type);
});

test('HF gpt2 (n_layer/n_embd keys): a smaller batch goes into gradient accumulation', () => {
  const dir = 'examples/configs/gpt2-small';
  const cfg = fs.readFileSync(`${dir}/config.json`, 'utf8');
  const args = fs.readFileSync(`${dir}/training_args.json`, 'utf8');
  // Target: 12 × GA 40 × 1,024 = 491,520 tokens/step; 5 × 12 × 1,024 = 61,440 (GA 40 × 0.125 = 5).
  const v = variant(`/w/${dir}/config.json`, cfg, { 'training_args.json': args }, { ...SPEC, batchTokens: 61_440 });
  const plan = reread('/v', v.files, 'config.json');
  assertRoundTrip(plan, { ...SPEC, batchTokens: 61_440 });
  assert.equal(JSON.parse(v.files.find((f) => f.name === 'training_args.json')!.text).gradient_accumulation_steps, 5);
  assert.equal(plan.family, 'my-fam');
});

const NANO = `# a small char model
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
`;

test('nanoGPT .py: values replaced in place (an expression becomes a literal), nothing executed', () => {
  // 4 × 32 × 128 = 16,384 tokens/step → 65,536: GA "2 * 2" is an expression, so batch_size 32 × 4 = 128.
  const v = variant('/w/config/tiny.py', NANO, {}, { ...SPEC, nLayer: 6 });
  const text = v.files[0].text;
  assert.match(text, /^# Ladder run ladder-01/);
  assert.match(text, /^gradient_accumulation_steps = 2 \* 2$/m);
  assert.match(text, /^batch_size = 128$/m);
  assert.match(text, /^n_layer = 6$/m);
  assert.match(text, /^lr_decay_iters = max_iters$/m); // follows max_iters, as the user wrote it
  assert.match(text, /^max_iters = 3052$/m); // 2e8 / 65,536 = 3,051.8
  const plan = reread('/v', v.files, 'tiny.py');
  assertRoundTrip(plan, { ...SPEC, nLayer: 6 });
  assert.equal(v.familyInFile, false); // nanoGPT has no family key: .scalinglens.yaml names it
});

test('nanoGPT .py setting only some keys: the others are added (train.py defaults would apply)', () => {
  const v = variant('/w/c.py', "dataset = 'openwebtext'\nblock_size = 1024\n");
  const plan = reread('/v', v.files, 'c.py');
  // train.py's default batch (12 × GA 40) is replaced by batch_size 64 × GA 1 × 1,024 = 65,536.
  assertRoundTrip(plan);
  assert.match(v.files[0].text, /^batch_size = 64\ngradient_accumulation_steps = 1$/m);
});

const MEGATRON = `#!/bin/bash
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
    --lr-warmup-iters 500
    --vocab-file gpt2-vocab.json
    --merge-file gpt2-merges.txt
)
torchrun --nproc_per_node 8 pretrain_gpt.py "\${GPT_ARGS[@]}"
`;

test('Megatron-LM shell: the variable flag becomes a literal, global batch 32, warmup keeps its fraction', () => {
  const v = variant('/w/run.sh', MEGATRON);
  const text = v.files[0].text;
  assert.match(text, /^#!\/bin\/bash\n# Ladder run/);
  assert.match(text, /--num-layers 4\b/);
  assert.match(text, /--global-batch-size 32\b/); // 65,536 / 2,048
  assert.match(text, /--lr 1\.5e-3\b/);
  const plan = reread('/v', v.files, 'run.sh');
  assertRoundTrip(plan);
});

const NEOX = `{
  "num-layers": 12,
  "hidden-size": 768,
  "num-attention-heads": 12,
  "seq-length": 2048,
  "max-position-embeddings": 2048,
  "train-iters": 143000,
  "train_micro_batch_size_per_gpu": 32,
  "gradient_accumulation_steps": 1,
  "optimizer": { "type": "Adam", "params": { "lr": 0.0006 } },
}
`;

test('GPT-NeoX YAML: with its batch per GPU only, train_batch_size is added in the braces and gradient accumulation left to NeoX', () => {
  // Without train_batch_size the global batch needs the GPU count: the target's tokens are unknown, and the reader says what to add.
  const target = readConfig({ file: '/w/pythia.yml', text: NEOX });
  assert.equal(target.kind, 'plan');
  const tp = (target as Extract<typeof target, { kind: 'plan' }>).plan;
  assert.equal(tp.tokens, undefined);
  assert.equal(tp.peakLr, 6e-4, "the LR from DeepSpeed's optimizer block");
  assert.match(tp.notes.join('\n'), /state train_batch_size to count tokens/);
  const v = variant('/w/pythia.yml', NEOX);
  const text = v.files[0].text;
  assert.match(text, /^# Ladder run/);
  assert.match(text, /\{\n {2}"train_batch_size": 32,\n/); // 65,536 / 2,048
  assert.match(text, /^ {2}# "gradient_accumulation_steps": 1,$/m);
  assert.match(text, /"train_micro_batch_size_per_gpu": 32,/); // divides 32
  assert.match(text, /"lr": 0\.0015 /); // decimal, as the target writes it
  assert.match(v.notes.join('\n'), /gradient_accumulation_steps.*commented out/);
  const plan = reread('/v', v.files, 'pythia.yml');
  assert.equal(plan.format, 'gpt-neox');
  assertRoundTrip(plan);
  assert.equal(v.readBack?.tokensPerStep, 65_536);
});

// As in EleutherAI/gpt-neox configs with DeepSpeed's three batch keys stated (hyphens and underscores mixed).
const NEOX_GLOBAL = `# GPT-2 pretraining setup
{
   "pipe_parallel_size": 1,
   "model_parallel_size": 1,
   "num_layers": 24,
   "hidden_size": 2048,
   "num_attention_heads": 16,
   "seq_length": 2048,
   "max_position_embeddings": 2048,
   "norm": "layernorm",
   "pos_emb": "rotary",
   "no_weight_tying": true,
   "optimizer": {
     "type": "Adam",
     "params": {
       "lr": 0.0002,
       "betas": [0.9, 0.95],
       "eps":  1.0e-8,
     }
   },
   "min_lr": 0.00002,
   "train_batch_size": 512,
   "train_micro_batch_size_per_gpu": 4,
   "gradient_accumulation_steps": 4,
   "train-iters": 100000,
   "lr-decay-style": "cosine",
}
`;

test('GPT-NeoX YAML with train_batch_size: the global batch scaled in place, micro-batch kept when it divides, accumulation left to NeoX', () => {
  const target = readConfig({ file: '/w/1-3B.yml', text: NEOX_GLOBAL });
  assert.equal(target.kind, 'plan');
  const tp = (target as Extract<typeof target, { kind: 'plan' }>).plan;
  assert.equal(tp.tokensPerStep, 512 * 2048);
  assert.equal(tp.tokens, 512 * 2048 * 100_000);
  assert.equal(tp.peakLr, 2e-4);
  const v = variant('/w/1-3B.yml', NEOX_GLOBAL);
  const text = v.files[0].text;
  assert.match(text, /"train_batch_size": 32,/);
  assert.match(text, /"train_micro_batch_size_per_gpu": 4,/);
  assert.match(text, /^ {3}# "gradient_accumulation_steps": 4,$/m);
  assert.match(text, /"num_layers": 4,/);
  assert.match(text, /"lr": 0\.0015,/);
  assert.match(text, /"eps": {2}1\.0e-8,/, 'the rest of the block kept as written');
  const plan = reread('/v', v.files, '1-3B.yml');
  assertRoundTrip(plan);
});

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
`;

test('llm-foundry YAML: duration keeps its "ba" unit; micro-batch divides the smaller global batch', () => {
  const v = variant('/w/mpt.yaml', FOUNDRY);
  const text = v.files[0].text;
  assert.match(text, /^max_duration: 3052ba$/m);
  assert.match(text, /^global_train_batch_size: 64$/m); // 65,536 / 1,024
  assert.match(text, /^ {2}lr: 1\.5e-3$/m);
  assert.match(text, /^ {2}t_warmup: 76ba$/m); // warmup keeps its fraction: 50 of 2,000 → 2.5% of 3,052
  const plan = reread('/v', v.files, 'mpt.yaml');
  assertRoundTrip(plan);
});

const GENERIC = `model:
  layers: 8
  d_model: 512
  heads: 8
  ffn: 1536
  vocab: 32000
  tied: true
training:
  steps: 6000
  batch_size: 128
  seq_len: 1024
  lr: 6e-4
  schedule: cosine
`;

test('generic YAML: family added at the top; generic JSON with tokens and batch_tokens', () => {
  const v = variant('/w/plan.yaml', GENERIC);
  assert.equal(v.familyInFile, true);
  const plan = reread('/v', v.files, 'plan.yaml');
  assertRoundTrip(plan);
  assert.equal(plan.family, 'my-fam');
  assert.equal(plan.architecture.dFfn, 768);
  const json = JSON.stringify(
    { family: 'old', model: { layers: 8, d_model: 512, heads: 8, vocab: 32000, tied: true }, training: { tokens: 1e9, batch_tokens: 131072, lr: 0.0006 } },
    null,
    2,
  );
  const j = variant('/w/plan.json', json);
  const jp = reread('/v', j.files, 'plan.json');
  assertRoundTrip(jp);
  assert.equal(jp.family, 'my-fam');
});

const TITAN = `[model]
name = "llama3"
flavor = "8B"

[optimizer]
lr = 3e-4

[training]
local_batch_size = 2
seq_len = 4096
steps = 500

[parallelism]
data_parallel_shard_degree = 16
`;

test('torchtitan TOML: a stock flavor when one has the shape, else a new flavor with its Python registration', () => {
  // llama3 "debugmodel": 6 layers × dim 256, 16 heads.
  const stock = variant('/w/t.toml', TITAN, {}, { ...SPEC, nLayer: 6, dModel: 256, nHead: 16, batchTokens: 131_072 });
  assert.match(stock.files[0].text, /^flavor = "debugmodel"$/m);
  const plan = reread('/v', stock.files, 't.toml');
  assert.equal(plan.architecture.nLayer, 6);
  assert.equal(plan.tokensPerStep, 131_072); // local batch 2 × 16 × 4,096
  assert.equal(plan.peakLr, 1.5e-3);
  assert.ok(Math.abs(plan.tokens! - 2e8) <= 65_536);
  // No stock flavor: the TOML names a new one and imports the ladder's flavor module, which registers it.
  const custom = variant('/w/t.toml', TITAN);
  assert.match(custom.files[0].text, /^flavor = "ladder_01"$/m);
  assert.match(custom.files[0].text, /\n\[experimental\]\ncustom_import = "scaling_lens_ladder_flavors"\n$/);
  assert.equal(custom.files.length, 1);
  assert.equal(custom.flavor?.name, 'ladder_01');
  assert.match(
    custom.flavor!.registration,
    /^flavors\["ladder_01"\] = TransformerModelArgs\(dim=256, n_layers=4, n_heads=2, n_kv_heads=2, vocab_size=128256, rope_theta=500000\)$/,
  );
  assert.equal(custom.readBack, undefined);
  // An [experimental] section of the user's gets the key; a custom_import of theirs is kept, and the note says to import the module from it.
  const withSection = variant('/w/t.toml', `${TITAN}\n[experimental]\nenable_async_tp = false\n`);
  assert.match(withSection.files[0].text, /\[experimental\]\ncustom_import = "scaling_lens_ladder_flavors"\nenable_async_tp = false\n/);
  const theirs = variant('/w/t.toml', `${TITAN}\n[experimental]\ncustom_import = "my_models"\n`);
  assert.equal(theirs.files[0].text.match(/custom_import/g)?.length, 1);
  assert.match(theirs.notes.join('\n'), /custom_import is "my_models" already: import scaling_lens_ladder_flavors from it/);
});

test('torchtitan qwen3 TOML: a stock qwen3 flavor when one has the shape; no llama3 registration for a new shape', () => {
  const qwen = TITAN.replace('"llama3"', '"qwen3"').replace('"8B"', '"1.7B"');
  // qwen3 "0.6B": 28 layers × dim 1024, 16 heads.
  const stock = variant('/w/q.toml', qwen, {}, { ...SPEC, nLayer: 28, dModel: 1024, nHead: 16, batchTokens: 131_072 });
  assert.match(stock.files[0].text, /^flavor = "0.6B"$/m);
  assert.equal(reread('/v', stock.files, 'q.toml').params.total, 596_049_920);
  // The flavor module registers llama3 TransformerModelArgs: a qwen3 run of a new shape is refused, naming the file.
  const r = writeVariant({ file: '/w/q.toml', text: qwen }, SPEC);
  assert.ok('error' in r && /q\.toml: torchtitan qwen3 has no stock flavor/.test(r.error), 'error' in r ? r.error : 'written');
});

test('a config that is not a training config is an error naming the file', () => {
  const r = writeVariant({ file: '/w/notes.py', text: 'print(1)\n' }, SPEC);
  assert.ok('error' in r && /notes\.py/.test(r.error));
});
