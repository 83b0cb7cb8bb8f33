// A live run's steps still to come follow the schedule its config names (HF lr_scheduler_type and
// lr_scheduler_kwargs), rebuilt per step and used only where it matches the LR the run logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTrainingPlan } from '../../src/core/configs/trainingArgs';
import type { ConfigReadResult, TrainingPlan } from '../../src/core/configs/types';
import { plannedSchedule, scheduleSpecOf } from '../../src/core/fit/plannedSchedule';
import { buildSchedule } from '../../src/core/laws/schedule';

function planOf(r: ConfigReadResult): TrainingPlan {
  assert.equal(r.kind, 'plan');
  return (r as Extract<ConfigReadResult, { kind: 'plan' }>).plan;
}

const MODEL = `{"model_type": "llama", "hidden_size": 512, "num_hidden_layers": 8, "num_attention_heads": 8, "intermediate_size": 1376, "vocab_size": 32000, "max_position_embeddings": 4096}`;
const args = (extra: string) =>
  `{"per_device_train_batch_size": 16, "world_size": 8, "max_seq_length": 4096, "max_steps": 72000, "learning_rate": 0.0003, "warmup_steps": 2160, ${extra}}`;
const read = (extra: string) =>
  planOf(readTrainingPlan({ modelText: MODEL, modelFile: 'r/config.json', argsText: args(extra), argsFile: 'r/training_args.json' }));

test('training args: cosine_with_min_lr reads min_lr_rate; min_lr is divided by the peak; WSD reads its decay', () => {
  const cos = read(`"lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr_rate": 0.1}`);
  assert.deepEqual(cos.schedule, { type: 'cosine_with_min_lr', warmupSteps: 2160, minLrRatio: 0.1 });
  const abs = read(`"lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr": 3e-5}`);
  assert.ok(Math.abs(abs.schedule!.minLrRatio! - 0.1) < 1e-12);
  assert.match(abs.sources['schedule.minLrRatio'].note ?? '', /min_lr 0.00003 \/ learning_rate 0.0003/);
  const wsd = read(`"lr_scheduler_type": "warmup_stable_decay", "lr_scheduler_kwargs": {"num_decay_steps": 4000, "decay_type": "1-sqrt", "min_lr_ratio": 0.1}`);
  assert.deepEqual(wsd.schedule, { type: 'warmup_stable_decay', warmupSteps: 2160, minLrRatio: 0.1, decaySteps: 4000, decayShape: '1-sqrt' });
});

test('training args: a bad lr_scheduler_kwargs is a diagnostic with its line, the rest is read', () => {
  const r = readTrainingPlan({
    modelText: MODEL,
    modelFile: 'r/config.json',
    argsText: args(`"lr_scheduler_type": "cosine",\n "lr_scheduler_kwargs": 0.1`),
    argsFile: 'r/training_args.json',
  });
  const plan = planOf(r);
  assert.equal(plan.schedule?.type, 'cosine');
  assert.equal(plan.schedule?.minLrRatio, undefined);
  const d = r.diagnostics.find((x) => /lr_scheduler_kwargs/.test(x.message));
  assert.ok(d && d.file === 'r/training_args.json' && d.line === 2, JSON.stringify(r.diagnostics));
});

test('the config schedule of a live run: rebuilt to its planned end when it matches the logged LR', () => {
  const schedule = { type: 'cosine_with_min_lr', warmupSteps: 2160, minLrRatio: 0.1 };
  const truth = buildSchedule({ kind: 'cosine', peakLr: 3e-4, totalSteps: 72000, warmupSteps: 2160, minLr: 3e-5 });
  const steps = Array.from({ length: 160 }, (_, i) => 2176 + 128 * i);
  const logged = { steps, values: steps.map((s) => truth[s]) };
  const got = plannedSchedule({ schedule, peakLr: 3e-4, maxSteps: 72000 }, logged);
  assert.ok(got, 'rebuilt');
  assert.equal(got.lr.length, 72001);
  assert.ok(Math.abs(got.lr[72000] - 3e-5) < 1e-9, `ends at the floor: ${got.lr[72000]}`);
  assert.match(got.description, /cosine_with_min_lr/);
  // A config that does not match what the run logs (another peak) is not trusted: the log decides.
  assert.equal(plannedSchedule({ schedule, peakLr: 6e-4, maxSteps: 72000 }, logged), undefined);
  // A log that reaches the planned end needs nothing rebuilt; a shape we cannot rebuild is left to the log.
  assert.equal(plannedSchedule({ schedule, peakLr: 3e-4, maxSteps: steps[steps.length - 1] }, logged), undefined);
  assert.equal(plannedSchedule({ schedule: { type: 'two_stage' }, peakLr: 3e-4, maxSteps: 72000 }, logged), undefined);
  // A config's max_steps past the per-step cap (a misread or hostile value) builds nothing: no 8 GB array.
  assert.equal(plannedSchedule({ schedule, peakLr: 3e-4, maxSteps: 1e9 }, logged), undefined);
  assert.equal(scheduleSpecOf({ type: 'warmup_stable_decay' }, 3e-4, 24000), undefined, 'WSD without its decay length');
  assert.equal(scheduleSpecOf({ type: 'warmup_stable_decay', decaySteps: 4000, decayShape: '1-sqrt' }, 3e-4, 24000)?.decayShape, 'sqrt');
});
