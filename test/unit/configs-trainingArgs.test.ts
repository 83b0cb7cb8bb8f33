import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTrainingPlan } from '../../src/core/configs/trainingArgs';
import type { ConfigReadResult, TrainingPlan } from '../../src/core/configs/types';

function planOf(r: ConfigReadResult): TrainingPlan {
  assert.equal(r.kind, 'plan', r.kind === 'plan' ? '' : r.kind === 'error' ? r.message : r.reason);
  return (r as Extract<ConfigReadResult, { kind: 'plan' }>).plan;
}

const MODEL = `{
  "model_type": "llama",
  "hidden_size": 512,
  "num_hidden_layers": 8,
  "num_attention_heads": 8,
  "num_key_value_heads": 8,
  "intermediate_size": 1536,
  "max_position_embeddings": 2048,
  "tie_word_embeddings": true,
  "vocab_size": 32000
}`;

const ARGS = `{
  "family": "example-sweep",
  "per_device_train_batch_size": 16,
  "gradient_accumulation_steps": 2,
  "world_size": 4,
  "max_seq_length": 1024,
  "max_steps": 6000,
  "learning_rate": 0.0006,
  "lr_scheduler_type": "cosine",
  "warmup_steps": 300
}`;

test('model + training args → tokens/step, tokens and the rest, each with its source', () => {
  const plan = planOf(readTrainingPlan({ modelText: MODEL, modelFile: 'run/config.json', argsText: ARGS, argsFile: 'run/training_args.json' }));
  // 16 per device × 2 accumulation × 4 processes × 1,024 tokens = 131,072 tokens/step
  assert.equal(plan.tokensPerStep, 131_072);
  // 6,000 steps × 131,072 = 786,432,000 tokens
  assert.equal(plan.tokens, 786_432_000);
  assert.equal(plan.seqLen, 1024);
  assert.equal(plan.gpus, 4);
  assert.equal(plan.maxSteps, 6000);
  assert.equal(plan.peakLr, 0.0006);
  assert.deepEqual(plan.schedule, { type: 'cosine', warmupSteps: 300 });
  assert.equal(plan.family, 'example-sweep');
  for (const [key, literal] of [
    ['gpus', '4'],
    ['seqLen', '1024'],
    ['maxSteps', '6000'],
    ['peakLr', '0.0006'],
    ['family', '"example-sweep"'],
    ['schedule', '"cosine"'],
    ['schedule.warmupSteps', '300'],
  ] as const) {
    const src = plan.sources[key];
    assert.equal(src.file, 'run/training_args.json', key);
    assert.ok(src.range, key);
    assert.equal(ARGS.slice(src.range.start, src.range.end), literal, key);
  }
  assert.match(
    plan.sources.tokensPerStep.note ?? '',
    /^derived: per_device_train_batch_size 16 × gradient_accumulation_steps 2 × world_size 4 × max_seq_length 1,024 = 131,072$/,
  );
  assert.match(plan.sources.tokens.note ?? '', /^derived: max_steps 6,000 × 131,072/);
  // model values are still there
  assert.equal(plan.sources['architecture.dModel'].file, 'run/config.json');
  assert.deepEqual(plan.notes, []);
});

test('absent world_size and max_seq_length: 1 process and the model positions, noted as assumed', () => {
  const args = '{ "per_device_train_batch_size": 12, "gradient_accumulation_steps": 40, "max_steps": 5000 }';
  const plan = planOf(readTrainingPlan({ modelText: MODEL, modelFile: 'config.json', argsText: args, argsFile: 'training_args.json' }));
  assert.equal(plan.gpus, 1);
  assert.equal(plan.seqLen, 2048);
  // 12 × 40 × 1 × 2,048 = 983,040 tokens/step; × 5,000 = 4,915,200,000
  assert.equal(plan.tokensPerStep, 983_040);
  assert.equal(plan.tokens, 4_915_200_000);
  assert.match(plan.sources.gpus.note ?? '', /^assumed: /);
  assert.match(plan.sources.seqLen.note ?? '', /^assumed: /);
  assert.equal(plan.sources.seqLen.file, 'config.json');
  assert.match(plan.sources.peakLr.note ?? '', /^assumed: learning_rate 5e-5/);
  assert.equal(plan.peakLr, 5e-5);
  assert.deepEqual(plan.schedule, { type: 'linear', warmupSteps: 0 });
  assert.ok(plan.notes.some((n) => /world_size not set/.test(n)));
  assert.ok(plan.notes.some((n) => /max_seq_length not set/.test(n)));
});

test('total_tokens overrides max_steps × tokens/step, with a warning when they disagree', () => {
  const args = ARGS.replace('"max_steps": 6000,', '"max_steps": 6000, "total_tokens": 1e9,');
  const r = readTrainingPlan({ modelText: MODEL, modelFile: 'config.json', argsText: args, argsFile: 'training_args.json' });
  const plan = planOf(r);
  assert.equal(plan.tokens, 1e9);
  assert.equal(plan.maxSteps, 6000);
  assert.ok(r.diagnostics.some((d) => d.severity === 'warning' && /total_tokens/.test(d.message) && d.line === 7));
  // Without max_steps, the steps are derived: ⌈1e9 / 131,072⌉ = 7,630
  const noSteps = planOf(readTrainingPlan({ modelText: MODEL, modelFile: 'c', argsText: ARGS.replace('"max_steps": 6000,', '"total_tokens": 1e9,') }));
  assert.equal(noSteps.maxSteps, 7630);
  assert.match(noSteps.sources.maxSteps.note ?? '', /^derived: /);
});

test('warmup_ratio gives ⌈max_steps × ratio⌉ warmup steps; max_steps -1 leaves tokens unknown', () => {
  const ratio = planOf(readTrainingPlan({ modelText: MODEL, modelFile: 'c', argsText: ARGS.replace('"warmup_steps": 300', '"warmup_ratio": 0.03') }));
  // ⌈6,000 × 0.03⌉ = 180
  assert.equal(ratio.schedule?.warmupSteps, 180);
  const epochs = planOf(readTrainingPlan({ modelText: MODEL, modelFile: 'c', argsText: ARGS.replace('"max_steps": 6000', '"max_steps": -1') }));
  assert.equal(epochs.tokens, undefined);
  assert.equal(epochs.maxSteps, undefined);
  assert.equal(epochs.tokensPerStep, 131_072);
  assert.ok(epochs.notes.some((n) => /max_steps is -1/.test(n)));
});

test('a value of the wrong type is reported with its line and left unknown (no default)', () => {
  const args = ARGS.replace('"world_size": 4', '"world_size": "four"');
  const r = readTrainingPlan({ modelText: MODEL, modelFile: 'c', argsText: args, argsFile: 'training_args.json' });
  const plan = planOf(r);
  assert.equal(plan.gpus, undefined);
  assert.equal(plan.tokensPerStep, undefined);
  assert.equal(plan.tokens, undefined);
  const d = r.diagnostics.find((x) => x.severity === 'error');
  assert.equal(d?.file, 'training_args.json');
  assert.equal(d?.line, 5);
});

test('malformed training_args.json: the model plan stands, with an error diagnostic naming the line', () => {
  const args = '{\n  "max_steps": 100,\n  "learning_rate": 3e-4\n  "world_size": 2\n}';
  const r = readTrainingPlan({ modelText: MODEL, modelFile: 'c', argsText: args, argsFile: 'training_args.json' });
  const plan = planOf(r);
  assert.equal(plan.params.total > 0, true);
  assert.equal(plan.maxSteps, undefined);
  assert.equal(r.diagnostics[0].file, 'training_args.json');
  assert.equal(r.diagnostics[0].line, 4);
  assert.ok(plan.notes.some((n) => /could not be read/.test(n)));
});

test('model problems pass through; no args → no tokens', () => {
  const na = readTrainingPlan({ modelText: '{"model_type": "pegasus", "d_model": 512}', modelFile: 'c', argsText: ARGS });
  assert.equal(na.kind, 'not-applicable');
  const err = readTrainingPlan({ modelText: '{ "model_type": ', modelFile: 'c', argsText: ARGS });
  assert.equal(err.kind, 'error');
  const bare = planOf(readTrainingPlan({ modelText: MODEL, modelFile: 'c' }));
  assert.equal(bare.tokens, undefined);
  assert.equal(bare.seqLen, undefined);
});
