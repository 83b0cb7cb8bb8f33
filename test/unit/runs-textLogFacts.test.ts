// Run facts from a plain-text log's preamble (src/core/runs/textLogFacts.ts): Megatron's arguments
// block and torchtitan's size and batch lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { TextLogFacts } from '../../src/core/runs/textLogFacts';
import { RunIndex } from '../../src/core/runs/index';

// A real excerpt, lines verbatim (a subset of the 140 arguments, and of the 16 rank lines):
// bigscience-workshop/bigscience@9e64edec2ad1fb9263bf39ba616a84ff64b4d947 (Apache-2.0),
// experiments/gpt2-meg/meg_gpt2_base_n4_dp1_tp4_pp4-1809579.out, lines 1159–1511.
const BIGSCIENCE_TP4_PP4 = `using torch.float16 for parameters ...
------------------------ arguments ------------------------
  ffn_hidden_size ................................. 24576
  global_batch_size ............................... 4
  hidden_size ..................................... 6144
  lr .............................................. 0.00015
  micro_batch_size ................................ 1
  num_layers ...................................... 40
  pipeline_model_parallel_size .................... 4
  rampup_batch_size ............................... None
  seq_length ...................................... 1024
  tensor_model_parallel_size ...................... 4
  train_iters ..................................... 1000
  train_samples ................................... None
-------------------- end of arguments ---------------------
 > padded vocab (size: 50257) with 431 dummy tokens (new size: 50688)
 > number of parameters on (tensor, pipeline) model parallel rank (0, 1): 1132938240
 > number of parameters on (tensor, pipeline) model parallel rank (3, 0): 1217086464
 iteration       10/    1000 | consumed samples:           40 | elapsed time per iteration (ms): 2152.2 | learning rate: 0.000E+00 | global batch size:     4 | loss scale: 8388608.0 | number of skipped iterations:  10 | number of nan iterations:   0 |
 iteration       20/    1000 | consumed samples:           80 | elapsed time per iteration (ms): 1354.9 | learning rate: 3.750E-05 | global batch size:     4 | lm loss: 1.203115E+01 | loss scale: 32768.0 | number of skipped iterations:   8 | number of nan iterations:   0 |
`.split('\n');

function read(lines: string[]): ReturnType<TextLogFacts['reading']> {
  const facts = new TextLogFacts();
  facts.push(lines);
  return facts.reading();
}

test('Megatron arguments: size from the shape, tokens per step from global batch × sequence, the planned iterations', () => {
  const r = read(BIGSCIENCE_TP4_PP4);
  assert.ok(r);
  const [layers, d, ff, vocab] = [40, 6144, 24576, 50688];
  // Tensor and pipeline parallel 4: a rank's count is a shard, so the shape gives the size.
  assert.equal(r.hyper.params, layers * (4 * d * d + 2 * d * ff) + vocab * d);
  assert.equal(r.hyper.tokensPerStep, 4 * 1024);
  assert.equal(r.hyper.maxSteps, 1000);
  assert.equal(r.hyper.seqLen, 1024);
  assert.equal(r.hyper.peakLr, 0.00015);
  assert.equal(r.params.get('num_layers'), '40');
  assert.equal(r.params.get('padded_vocab_size'), '50688', 'the padded vocabulary line fills the argument Megatron sets after printing');
  assert.ok(r.notes.some((n) => n.startsWith('tokensPerStep ') && n.includes('global_batch_size 4 × seq_length 1024')));
});

test("Megatron arguments: without tensor or pipeline sharding, rank (0, 0)'s count is the whole model", () => {
  const lines = BIGSCIENCE_TP4_PP4.map((l) =>
    l.replace(/(tensor|pipeline)_model_parallel_size (\.+) 4/, '$1_model_parallel_size $2 1').replace('rank (0, 1): 1132938240', 'rank (0, 0): 18430918656'),
  );
  const r = read(lines);
  assert.equal(r?.hyper.params, 18430918656);
  assert.equal(r?.hyper.nonEmbeddingParams, undefined);
  assert.ok(r?.notes[0].startsWith('params from the log: number of parameters on rank (0, 0)'));
});

test('Megatron arguments: a batch ramp-up gives no tokens per step; train_samples gives the tokens and the steps', () => {
  const lines = BIGSCIENCE_TP4_PP4.map((l) =>
    l
      .replace(/(rampup_batch_size \.+) None/, "$1 ['32', '32', '2_000_000']")
      .replace(/(train_iters \.+) 1000/, '$1 None')
      .replace(/(train_samples \.+) None/, '$1 220000000'),
  );
  const r = read(lines);
  assert.equal(r?.hyper.tokensPerStep, undefined, 'the batch grows: tokens per step are not constant');
  assert.equal(r?.hyper.tokens, 220000000 * 1024);
  assert.equal(r?.hyper.maxSteps, undefined, 'steps are not samples / batch while the batch ramps up');
  const plain = read(BIGSCIENCE_TP4_PP4.map((l) => l.replace(/(train_iters \.+) 1000/, '$1 None').replace(/(train_samples \.+) None/, '$1 4002')));
  assert.equal(plain?.hyper.tokens, 4002 * 1024);
  assert.equal(plain?.hyper.maxSteps, Math.ceil(4002 / 4));
});

test('Megatron arguments behind a launcher or logger prefix are read; a line that is no argument is not', () => {
  const prefixed = (prefix: string): string[] => BIGSCIENCE_TP4_PP4.map((l) => (l.startsWith('  ') ? prefix + l : l));
  for (const prefix of ['[default0]:', '0: ', '[2024-05-01 10:00:00,123] [INFO] [arguments.py:80:print_args]']) {
    const r = read(prefixed(prefix));
    assert.equal(r?.hyper.tokensPerStep, 4 * 1024, prefix);
    assert.equal(r?.hyper.maxSteps, 1000, prefix);
  }
  const odd = read([BIGSCIENCE_TP4_PP4[1], '  3d_thing .......... 5', '  no dots here 7', '  train_iters....... 9', BIGSCIENCE_TP4_PP4[14]]);
  assert.deepEqual([...(odd?.params.keys() ?? [])], [], 'a name starting with a digit, no dots, no space before the dots: none is an argument');
});

test('Megatron arguments: a restarted job prints them again and the latest block wins; an unterminated block is closed', () => {
  const restarted = [...BIGSCIENCE_TP4_PP4, ...BIGSCIENCE_TP4_PP4.map((l) => l.replace(/(train_iters \.+) 1000/, '$1 3000'))];
  assert.equal(read(restarted)?.hyper.maxSteps, 3000);
  const cut = BIGSCIENCE_TP4_PP4.filter((l) => !l.includes('end of arguments'));
  const noise = Array.from({ length: 2500 }, (_, i) => `  noise_${i} ........ ${i}`);
  const facts = new TextLogFacts();
  facts.push([...cut, ...noise]);
  const r = facts.reading();
  assert.equal(r?.hyper.maxSteps, 1000);
  assert.ok((r?.params.size ?? 0) < cut.length + 2100, 'lines past the cap are not taken as arguments');
});

// torchtitan's lines, as train.py prints them (pytorch/torchtitan, BSD-3-Clause): the 2025 form, the
// 2024 form (`Training starts at step 1, with …`), the colour codes around the size, and a version that
// spells `gradient_accumulation_steps: 1`.
const TITAN_2025 = [
  '[rank0]:[titan] 2025-11-25 19:44:58,595 - root - INFO - Model llama3 debugmodel size: 6,163,712 total parameters',
  '[rank0]:[titan] 2025-11-25 19:44:58,838 - root - INFO - Trainer is initialized with local batch size 8, global batch size 64, gradient accumulation steps 1, sequence length 2048, total steps 10 (warmup 2)',
  '[rank0]:[titan] 2025-11-25 19:45:01,441 - root - INFO - step:  1  loss:  8.0277  grad_norm:  1.4604  memory:  1.21GiB(0.86%)  tps: 5,756  tflops: 0.41  mfu: 0.04%',
];

// A real excerpt of Megatron-LM v1.1 (DeepSpeedExamples' ZeRO-3 copy), lines verbatim (a subset of the arguments):
// bigscience-workshop/bigscience@9e64edec2ad1fb9263bf39ba616a84ff64b4d947 (Apache-2.0),
// experiments/gpt2-meg-ds-zero/meg_ds_zero_gpt2_perf_n16-1999616.out, lines 1291–1413.
const BIGSCIENCE_OLD_MEGATRON = `using world size: 64 and model-parallel size: 4 
using torch.float16 for parameters ...
-------------------- arguments --------------------
  batch_size ...................... 48
  deepspeed ....................... True
  model_parallel_size ............. 4
  seq_length ...................... 1024
  world_size ...................... 64
---------------- end of arguments ----------------`.split('\n');

test('old Megatron arguments: per-GPU batch_size × world_size / model_parallel_size is the global batch; under DeepSpeed it is unknown, and why', () => {
  const ds = read(BIGSCIENCE_OLD_MEGATRON);
  assert.equal(ds?.hyper.tokensPerStep, undefined, "DeepSpeed's config sets the accumulation, not printed here");
  assert.ok(ds?.notes.some((n) => n.startsWith('tokensPerStep unknown') && n.includes('DeepSpeed')));
  // The same block as plain Megatron-LM v1.1 prints it (no DeepSpeed): 64 GPUs in groups of 4 are 16 replicas of 48 samples.
  const plainLines = BIGSCIENCE_OLD_MEGATRON.map((l) => l.replace(/(deepspeed \.+) True/, '$1 False'));
  const plain = read(plainLines);
  assert.equal(plain?.hyper.tokensPerStep, 48 * (64 / 4) * 1024);
  assert.ok(plain?.notes.some((n) => n.includes('batch_size 48 per GPU × data-parallel 16 (world_size 64 / model_parallel_size 4)')));
  // A pipeline (Megatron-DeepSpeed's pipe_parallel_size) makes fewer replicas: not guessed.
  const piped = read([...plainLines.slice(0, 6), '  pipe_parallel_size .............. 16', ...plainLines.slice(6)]);
  assert.equal(piped?.hyper.tokensPerStep, undefined);
  assert.ok(piped?.notes.some((n) => n.startsWith('tokensPerStep unknown')));
});

test('torchtitan: total parameters, global batch × sequence length, total steps, in each version of the lines', () => {
  const r = read(TITAN_2025);
  assert.equal(r?.hyper.params, 6163712);
  assert.equal(r?.hyper.tokensPerStep, 64 * 2048);
  assert.equal(r?.hyper.maxSteps, 10);
  assert.equal(r?.hyper.seqLen, 2048);
  const old = read([
    '[rank0]:2025-02-13 11:33:29,156 - root - INFO - \x1b[34mModel llama3 8B \x1b[31msize: 8,030,261,248 total parameters\x1b[39m',
    '[rank0]:2025-02-13 11:33:29,482 - root - INFO - Training starts at step 1, with local batch size 1, global batch size 8, sequence length 8192, total steps 100 (warmup 200)',
  ]);
  assert.equal(old?.hyper.params, 8030261248);
  assert.equal(old?.hyper.tokensPerStep, 8 * 8192);
  assert.equal(old?.hyper.maxSteps, 100);
  const underscored = read([
    'Trainer is initialized with local batch size 2, global batch size 16, gradient_accumulation_steps: 2, sequence length 4096, total steps 500 (warmup 20)',
  ]);
  assert.equal(underscored?.hyper.tokensPerStep, 16 * 4096);
  assert.equal(read(['step:  1  loss:  8.0277  grad_norm:  1.4604']), undefined, 'no facts: no reading');
});

test('facts are looked for in the preamble only: a size line far past it is not read', () => {
  const facts = new TextLogFacts();
  facts.push(Array.from({ length: 20_001 }, (_, i) => `step: ${i}  loss: 2.0`));
  facts.push([TITAN_2025[0]]);
  assert.equal(facts.reading(), undefined);
});

test("a restart's arguments (or torchtitan's start line) far past the preamble are read, and the latest wins", () => {
  const iteration = (i: number) =>
    ` iteration ${i}/ 100000 | consumed samples: ${i} | elapsed time per iteration (ms): 1.0 | learning rate: 1.0E-04 | global batch size:   256 | lm loss: 3.0E+00 |`;
  const block = (globalBatch: number, iterations: number) =>
    BIGSCIENCE_TP4_PP4.map((l) => l.replace(/(global_batch_size \.+) 4/, `$1 ${globalBatch}`).replace(/(train_iters \.+) 1000/, `$1 ${iterations}`));
  const facts = new TextLogFacts();
  facts.push(block(256, 50_000));
  facts.push(Array.from({ length: 25_000 }, (_, i) => iteration(i + 1)));
  facts.push(block(512, 100_000));
  const r = facts.reading();
  assert.equal(r?.hyper.tokensPerStep, 512 * 1024);
  assert.equal(r?.hyper.maxSteps, 100_000);
  const titan = new TextLogFacts();
  titan.push(TITAN_2025);
  titan.push(Array.from({ length: 25_000 }, (_, i) => `step: ${i}  loss: 2.0`));
  titan.push([TITAN_2025[1].replace('global batch size 64', 'global batch size 128')]);
  assert.equal(titan.reading()?.hyper.tokensPerStep, 128 * 2048);
});

test('index: a torchtitan log gets its size and tokens from its own lines; a rewritten log reads them again', () => {
  const root = tempDir('sl-textfacts-');
  const file = path.join(root, 'titan', 'train.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, TITAN_2025.join('\n') + '\n');
  const idx = new RunIndex();
  idx.update(file, root);
  let [run] = idx.runs();
  assert.equal(run.hyper.params, 6163712);
  assert.equal(run.hyper.tokensPerStep, 131072);
  assert.equal(run.hyper.maxSteps, 10);
  assert.equal(run.hyper.tokens, 10 * 131072, 'planned tokens = total steps × tokens per step');
  assert.ok(run.hyper.notes.some((n) => n.startsWith('params from the log')));
  // The job is relaunched with a bigger batch: the file is rewritten.
  fs.writeFileSync(file, TITAN_2025.map((l) => l.replace('global batch size 64', 'global batch size 128')).join('\n') + '\n');
  idx.update(file, root);
  [run] = idx.runs();
  assert.equal(run.hyper.tokensPerStep, 128 * 2048);
  // Without the preamble (the log's head rotated away) nothing is invented.
  fs.writeFileSync(file, TITAN_2025[2] + '\n');
  idx.update(file, root);
  [run] = idx.runs();
  assert.equal(run.hyper.params, undefined);
  assert.equal(run.hyper.tokensPerStep, undefined);
});

// DeepSpeed's engine prints its config after the arguments, lines verbatim: the same file, lines 3823 and 3854.
const BIGSCIENCE_DEEPSPEED_CONFIG = [
  '[2021-05-27 21:32:10,181] [INFO] [config.py:904:print]   gradient_accumulation_steps .. 1',
  '[2021-05-27 21:32:10,182] [INFO] [config.py:904:print]   train_batch_size ............. 768',
  '[2021-05-27 21:32:10,182] [INFO] [config.py:904:print]   train_micro_batch_size_per_gpu  48',
];

// Megatron-DeepSpeed's first 3D version, lines verbatim (a subset of the arguments), same repository and commit:
// experiments/gpt2-meg-ds-3d-old/meg_ds_3d_gpt2_perf_n16.out, lines 49–167, 3173 and 3204. Its first
// iteration took 150.471 s at 6.805 samples/s (line "steps: 1 …"): 1,024 samples, the train_batch_size.
const BIGSCIENCE_DS_3D_OLD = `using world size: 64 and model-parallel size: 4 
using torch.float16 for parameters ...
-------------------- arguments --------------------
  batch_size ...................... 4
  deepspeed ....................... True
  model_parallel_size ............. 4
  pipe_parallel_size .............. 16
  seq_length ...................... 1024
  world_size ...................... 64
---------------- end of arguments ----------------
[2021-05-27 19:49:22,948] [INFO] [config.py:904:print]   gradient_accumulation_steps .. 256
[2021-05-27 19:49:22,949] [INFO] [config.py:904:print]   train_batch_size ............. 1024`.split('\n');

test("old Megatron under DeepSpeed: the engine's printed train_batch_size is the global batch, with a pipeline or without accumulation", () => {
  const zero = read([...BIGSCIENCE_OLD_MEGATRON, ...BIGSCIENCE_DEEPSPEED_CONFIG]);
  // 48 per GPU × 16 replicas = 768, as the arguments say too.
  assert.equal(zero?.hyper.tokensPerStep, 768 * 1024);
  assert.ok(
    zero?.notes.some((n) => n.includes("DeepSpeed's train_batch_size 768")),
    JSON.stringify(zero?.notes),
  );
  const piped = read(BIGSCIENCE_DS_3D_OLD);
  assert.equal(piped?.hyper.tokensPerStep, 1024 * 1024);
  // Accumulation without a pipeline: an iteration may be one micro-batch, so not guessed, and said why.
  const accumulating = read([...BIGSCIENCE_OLD_MEGATRON, ...BIGSCIENCE_DEEPSPEED_CONFIG.map((l) => l.replace(/(gradient_accumulation_steps \.+) 1$/, '$1 4'))]);
  assert.equal(accumulating?.hyper.tokensPerStep, undefined);
  assert.ok(accumulating?.notes.some((n) => n.startsWith("tokensPerStep unknown: DeepSpeed's train_batch_size 768 accumulates 4")));
});

test('index: old Megatron under DeepSpeed gets its tokens per step from the DeepSpeed config the log prints after its arguments', () => {
  const root = tempDir('sl-textfacts-ds-');
  const file = path.join(root, 'old', 'train.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const iterations = [10, 20].map(
    (i) =>
      ` iteration       ${i}/    1000 | elapsed time per iteration (ms): 2152.2 | learning rate: 1.000E-04 | lm loss: 1.203115E+01 | loss scale: 8388608.0 |`,
  );
  fs.writeFileSync(file, [...BIGSCIENCE_OLD_MEGATRON, ...BIGSCIENCE_DEEPSPEED_CONFIG, ...iterations].join('\n') + '\n');
  const idx = new RunIndex();
  idx.update(file, root);
  const [run] = idx.runs();
  assert.equal(run.hyper.tokensPerStep, 768 * 1024, `notes: ${JSON.stringify(run.hyper.notes)}`);
});

test("index: old Megatron under DeepSpeed shows why its tokens per step is unknown in the run's notes", () => {
  const root = tempDir('sl-textfacts-');
  const file = path.join(root, 'old', 'train.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const iterations = [10, 20].map(
    (i) =>
      ` iteration       ${i}/    1000 | elapsed time per iteration (ms): 2152.2 | learning rate: 1.000E-04 | lm loss: 1.203115E+01 | loss scale: 8388608.0 |`,
  );
  fs.writeFileSync(file, [...BIGSCIENCE_OLD_MEGATRON, ...iterations].join('\n') + '\n');
  const idx = new RunIndex();
  idx.update(file, root);
  const [run] = idx.runs();
  assert.equal(run.hyper.tokensPerStep, undefined);
  assert.ok(
    run.hyper.notes.some((n) => n.startsWith('tokensPerStep unknown') && n.includes('DeepSpeed')),
    `notes: ${JSON.stringify(run.hyper.notes)}`,
  );
});
