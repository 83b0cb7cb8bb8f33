// A model `config.json` plus its sibling `training_args.json` → a TrainingPlan.
//
// `training_args.json` uses Hugging Face `TrainingArguments` names:
//   per_device_train_batch_size (default 8), gradient_accumulation_steps (default 1), max_steps
//   (-1 = train by epochs: tokens unknown), learning_rate (default 5e-5), lr_scheduler_type (default
//   "linear"), warmup_steps (default 0), warmup_ratio (used when warmup_steps is 0),
// plus Scaling Lens additions (HF keeps these outside TrainingArguments):
//   world_size     data-parallel processes (default 1, noted as assumed)
//   max_seq_length tokens per sequence (default: the model's position capacity, noted)
//   total_tokens   planned training tokens D; overrides max_steps × tokens/step
//   family         run family: runs sharing data, tokenizer and recipe, whose final losses share one law
// Tokens/step = per_device_train_batch_size × gradient_accumulation_steps × world_size × max_seq_length;
// D = max_steps × tokens/step unless total_tokens is given. Defaults are applied only to keys that are
// absent; a key present with a wrong type is reported and left unknown.
import type { Diagnostic } from '../diagnostics';
import { readHfModelConfig } from './hfConfig';
import { JsonObjectReader, parseJson, sourceOf, type Read } from './json';
import type { ConfigReadResult, TrainingPlan, ValueSource } from './types';
import { appendAll } from '../../shared/arrays';
import { TRAINING_ARGS_FILE } from './fileNames';

export interface TrainingPlanInput {
  modelText: string;
  modelFile: string;
  /** Text of the sibling `training_args.json`, when there is one. */
  argsText?: string;
  argsFile?: string;
}

type Field<T> = { value: T; source: ValueSource } | undefined;

/** Reads one key: its value and source, an HF default (noted as assumed), or nothing when invalid. */
function field<T>(read: Read<T>, diagnostics: Diagnostic[], file: string, fallback?: { value: T; note: string }): Field<T> {
  if (read.ok === true) return { value: read.value, source: sourceOf(file, read.node) };
  if (read.ok === false) {
    diagnostics.push(read.diagnostic);
    return undefined;
  }
  return fallback ? { value: fallback.value, source: { file, note: `assumed: ${fallback.note}` } } : undefined;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(n);
}

/** Combines a model config and (optionally) its training arguments into a TrainingPlan. */
export function readTrainingPlan(input: TrainingPlanInput): ConfigReadResult {
  const model = readHfModelConfig(input.modelText, input.modelFile);
  if (model.kind !== 'plan' || input.argsText === undefined) return model;
  const argsFile = input.argsFile ?? TRAINING_ARGS_FILE;
  const diagnostics = [...model.diagnostics];
  const plan: TrainingPlan = { ...model.plan, sources: { ...model.plan.sources }, notes: [...model.plan.notes] };
  const { root, errors } = parseJson(input.argsText, argsFile);
  if (errors.length > 0 || !root || root.type !== 'object') {
    if (errors.length > 0) appendAll(diagnostics, errors);
    else diagnostics.push({ file: argsFile, line: 1, severity: 'error', message: 'training arguments must be a JSON object' });
    const first = errors[0] ?? diagnostics[diagnostics.length - 1];
    plan.notes.push(`${argsFile} could not be read (line ${first.line ?? 1}: ${first.message}); the plan has the model only.`);
    return { kind: 'plan', plan, diagnostics };
  }
  applyTrainingArgs(plan, new JsonObjectReader(root, input.argsText, argsFile), diagnostics);
  return { kind: 'plan', plan, diagnostics };
}

/** What training arguments set in a plan (all of it but the model's size). */
type TrainingArgsFields = Pick<
  TrainingPlan,
  'tokens' | 'tokensPerStep' | 'seqLen' | 'peakLr' | 'maxSteps' | 'schedule' | 'gpus' | 'family' | 'sources' | 'notes'
> & {
  architecture: Pick<TrainingPlan['architecture'], 'positions'>;
};

/**
 * `training_args.json` read without a model config (a run folder that kept only its training
 * arguments): the planned steps, tokens, schedule, peak LR and family it gives, so the run's end and
 * family are known although its size is not. Tokens per step need max_seq_length here (no model
 * positions to assume). Never throws: problems are diagnostics with the file and line.
 */
export function readTrainingArgsAlone(text: string, file: string): { fields: TrainingArgsFields; diagnostics: Diagnostic[] } {
  const fields: TrainingArgsFields = { architecture: {}, sources: {}, notes: [] };
  const { root, errors } = parseJson(text, file);
  if (errors.length > 0 || !root || root.type !== 'object') {
    const diagnostics = errors.length > 0 ? errors : [{ file, line: 1, severity: 'error' as const, message: 'training arguments must be a JSON object' }];
    return { fields, diagnostics };
  }
  const diagnostics: Diagnostic[] = [];
  applyTrainingArgs(fields, new JsonObjectReader(root, text, file), diagnostics);
  return { fields, diagnostics };
}

function applyTrainingArgs(plan: TrainingArgsFields, r: JsonObjectReader, diagnostics: Diagnostic[]): void {
  const file = r.file;
  const notes = plan.notes;
  const src = plan.sources;
  const int1 = { integer: true, min: 1 };

  const perDevice = field(r.number('per_device_train_batch_size', int1), diagnostics, file, {
    value: 8,
    note: 'per_device_train_batch_size 8 (TrainingArguments default)',
  });
  const gradAccum = field(r.number('gradient_accumulation_steps', int1), diagnostics, file, {
    value: 1,
    note: 'gradient_accumulation_steps 1 (TrainingArguments default)',
  });
  const world = field(r.number('world_size', int1), diagnostics, file, { value: 1, note: 'world_size 1 (one process)' });
  if (world && world.source.range === undefined) notes.push('world_size not set: assumed 1 GPU; tokens/step scale with the number of data-parallel processes.');
  const positions = plan.architecture.positions;
  const seq = field(
    r.number('max_seq_length', int1),
    diagnostics,
    file,
    positions !== undefined ? { value: positions, note: `max_seq_length = the model's position capacity (${fmt(positions)})` } : undefined,
  );
  if (seq && seq.source.range === undefined) {
    seq.source.file = plan.sources['architecture.positions']?.file ?? seq.source.file;
    notes.push(`max_seq_length not set: assumed the model's position capacity, ${fmt(seq.value)} tokens.`);
  } else if (!seq && r.node('max_seq_length') === undefined) {
    notes.push('Sequence length unknown: set max_seq_length in the training arguments.');
  }
  const steps = field(r.number('max_steps', { integer: true }), diagnostics, file);
  const lr = field(r.number('learning_rate', { exclusiveMin: 0 }), diagnostics, file, { value: 5e-5, note: 'learning_rate 5e-5 (TrainingArguments default)' });
  const sched = field(r.string('lr_scheduler_type'), diagnostics, file, { value: 'linear', note: 'lr_scheduler_type "linear" (TrainingArguments default)' });
  const warmup = field(r.number('warmup_steps', { integer: true, min: 0 }), diagnostics, file);
  const warmupRatio = field(r.number('warmup_ratio', { min: 0 }), diagnostics, file);
  const totalTokens = field(r.number('total_tokens', { exclusiveMin: 0 }), diagnostics, file);
  const family = field(r.string('family'), diagnostics, file);

  if (perDevice) src['batch.perDevice'] = perDevice.source;
  if (gradAccum) src['batch.gradAccum'] = gradAccum.source;
  if (world) {
    plan.gpus = world.value;
    src.gpus = world.source;
  }
  if (seq) {
    plan.seqLen = seq.value;
    src.seqLen = seq.source;
  }
  if (lr) {
    plan.peakLr = lr.value;
    src.peakLr = lr.source;
  }
  if (family) {
    plan.family = family.value;
    src.family = family.source;
  }
  if (steps) {
    if (steps.value > 0) {
      plan.maxSteps = steps.value;
      src.maxSteps = steps.source;
    } else {
      notes.push(`max_steps is ${steps.value}: training length is set by epochs, so tokens are unknown unless total_tokens is given.`);
    }
  }
  if (perDevice && gradAccum && world && seq) {
    plan.tokensPerStep = perDevice.value * gradAccum.value * world.value * seq.value;
    src.tokensPerStep = {
      file,
      note: `derived: per_device_train_batch_size ${perDevice.value} × gradient_accumulation_steps ${gradAccum.value} × world_size ${world.value} × max_seq_length ${fmt(seq.value)} = ${fmt(plan.tokensPerStep)}`,
    };
  }
  const fromSteps = plan.maxSteps !== undefined && plan.tokensPerStep !== undefined ? plan.maxSteps * plan.tokensPerStep : undefined;
  if (totalTokens) {
    plan.tokens = totalTokens.value;
    src.tokens = totalTokens.source;
    if (fromSteps !== undefined && Math.abs(fromSteps - totalTokens.value) > 0.01 * totalTokens.value) {
      notes.push(`total_tokens (${fmt(totalTokens.value)}) overrides max_steps × tokens/step (${fmt(fromSteps)}).`);
      diagnostics.push(
        r.problem(
          r.node('total_tokens') ?? r.obj,
          `total_tokens ${fmt(totalTokens.value)} differs from max_steps × tokens/step = ${fmt(fromSteps)}; using total_tokens`,
          'warning',
        ),
      );
    }
    if (plan.maxSteps === undefined && plan.tokensPerStep !== undefined) {
      plan.maxSteps = Math.ceil(totalTokens.value / plan.tokensPerStep);
      src.maxSteps = { file, note: `derived: ⌈total_tokens / tokens per step⌉ = ${fmt(plan.maxSteps)}` };
    }
  } else if (fromSteps !== undefined) {
    plan.tokens = fromSteps;
    src.tokens = { file, note: `derived: max_steps ${fmt(plan.maxSteps ?? 0)} × ${fmt(plan.tokensPerStep ?? 0)} tokens/step = ${fmt(fromSteps)}` };
  } else if (plan.maxSteps === undefined && !steps) {
    notes.push('Training length unknown: set max_steps or total_tokens in the training arguments.');
  }
  if (sched) {
    plan.schedule = { type: sched.value };
    src.schedule = sched.source;
    if (warmup && warmup.value > 0) {
      plan.schedule.warmupSteps = warmup.value;
      src['schedule.warmupSteps'] = warmup.source;
    } else if (warmupRatio && warmupRatio.value > 0 && plan.maxSteps !== undefined) {
      // TrainingArguments.get_warmup_steps: ceil(num_training_steps × warmup_ratio).
      plan.schedule.warmupSteps = Math.ceil(plan.maxSteps * warmupRatio.value);
      src['schedule.warmupSteps'] = { ...warmupRatio.source, note: `derived: ⌈max_steps × warmup_ratio ${warmupRatio.value}⌉ = ${plan.schedule.warmupSteps}` };
    } else if (warmup) {
      plan.schedule.warmupSteps = warmup.value;
      src['schedule.warmupSteps'] = warmup.source;
    } else if (!warmupRatio) {
      plan.schedule.warmupSteps = 0;
      src['schedule.warmupSteps'] = { file, note: 'assumed: warmup_steps 0 (TrainingArguments default)' };
    }
    readSchedulerKwargs(plan, r, diagnostics, lr?.value);
  }
}

/**
 * `lr_scheduler_kwargs`, the keys of Hugging Face's schedulers that shape the end of a run:
 * `cosine_with_min_lr` takes `min_lr_rate` (final LR / peak) or `min_lr`; `warmup_stable_decay` takes
 * `num_decay_steps`, `decay_type` (linear, cosine, 1-sqrt) and `min_lr_ratio`.
 */
function readSchedulerKwargs(plan: TrainingArgsFields, r: JsonObjectReader, diagnostics: Diagnostic[], peakLr: number | undefined): void {
  const node = r.node('lr_scheduler_kwargs');
  if (!node || !plan.schedule) return;
  if (node.type !== 'object') {
    diagnostics.push(r.problem(node, `"lr_scheduler_kwargs" must be an object (found ${node.type})`));
    return;
  }
  const kw = new JsonObjectReader(node, r.text, r.file);
  const file = r.file;
  const schedule = plan.schedule;
  const ratio = field(kw.number('min_lr_rate', { min: 0 }), diagnostics, file) ?? field(kw.number('min_lr_ratio', { min: 0 }), diagnostics, file);
  const minLr = field(kw.number('min_lr', { min: 0 }), diagnostics, file);
  if (ratio) {
    schedule.minLrRatio = ratio.value;
    plan.sources['schedule.minLrRatio'] = ratio.source;
  } else if (minLr && peakLr) {
    schedule.minLrRatio = minLr.value / peakLr;
    plan.sources['schedule.minLrRatio'] = { ...minLr.source, note: `derived: min_lr ${minLr.value} / learning_rate ${peakLr}` };
  }
  const decay = field(kw.number('num_decay_steps', { integer: true, min: 0 }), diagnostics, file);
  if (decay) {
    schedule.decaySteps = decay.value;
    plan.sources['schedule.decaySteps'] = decay.source;
  }
  const shape = field(kw.string('decay_type'), diagnostics, file);
  if (shape) schedule.decayShape = shape.value;
}
