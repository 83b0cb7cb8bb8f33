// YAML training configs → TrainingPlan: llm-foundry, litgpt, NeMo 1.x, axolotl and the generic shape.
// Keys, defaults and traps per format: ../shared/notes/formats-and-configs.md §2.9.
import { PlanBuilder, asNumber, checkShape, finishPlan, fmt, type Found, type TrainingInput } from './builder';
import type { BlockStyle } from './hfConfig';
import { LITGPT_MODELS, cloneNamed } from './modelTables';
import type { ConfigReadResult, LrSchedule, ModelArchitecture, TrainingPlan } from './types';
import type { YamlView } from './yamlView';
import { vocabOfTokenizer } from './tokenizers';
import { megatronDefaultFfn } from './megatron';

type Extra = Partial<TrainingPlan>;

function str(f: Found | undefined): string | undefined {
  return f && (typeof f.value === 'string' || typeof f.value === 'number' || typeof f.value === 'boolean') ? String(f.value) : undefined;
}

function bool(f: Found | undefined): boolean | undefined {
  if (!f) return undefined;
  if (typeof f.value === 'boolean') return f.value;
  if (typeof f.value === 'string') return /^(true|yes|1)$/i.test(f.value) ? true : /^(false|no|0)$/i.test(f.value) ? false : undefined;
  return undefined;
}

function setLr(b: PlanBuilder, extra: Extra, at: Found | undefined, key: string): void {
  const lr = b.num(at, key, { exclusiveMin: 0 });
  if (lr !== undefined && at) {
    extra.peakLr = lr;
    b.from('peakLr', at);
  }
}

function reportUnresolved(b: PlanBuilder, y: YamlView, keys: string[]): void {
  for (const k of keys) {
    const why = y.unresolved.get(k);
    if (why) b.notes.push(`${k} is ${why}: left unknown.`);
  }
}

// ---------------------------------------------------------------- llm-foundry

/** Composer time strings: `4800ba` batches, `2.5e9tok` tokens, `1000sp` samples, `1ep` epochs, `0.1dur` fraction. */
export function parseComposerTime(v: unknown): { amount: number; unit: 'ba' | 'tok' | 'sp' | 'ep' | 'dur' } | undefined {
  if (typeof v === 'number') return { amount: v, unit: 'ba' };
  if (typeof v !== 'string') return undefined;
  const m = /^\s*([0-9][0-9_]*\.?[0-9]*(?:e[+-]?\d+)?)\s*(ba|tok|sp|ep|dur)\s*$/i.exec(v);
  if (!m) return undefined;
  return { amount: Number(m[1].replace(/_/g, '')), unit: m[2].toLowerCase() as 'ba' };
}

export function isFoundry(y: YamlView): boolean {
  return (
    (y.has('max_duration') || y.has('global_train_batch_size')) &&
    (y.has('model.d_model') || y.has('model.name') || y.has('model.pretrained_model_name_or_path'))
  );
}

export function readFoundry(y: YamlView, b: PlanBuilder): ConfigReadResult {
  const extra: Extra = {};
  const name = str(y.get('model.name'));
  if (y.has('model.pretrained_model_name_or_path') && !y.has('model.d_model')) {
    const id = str(y.get('model.pretrained_model_name_or_path'));
    if (bool(y.get('model.pretrained')) !== false)
      return b.notApplicable(`fine-tune of the pretrained ${id} (model.pretrained_model_name_or_path): the pretraining scaling laws do not apply`);
    return b.notApplicable(`model shape comes from the Hugging Face config of ${id}, which is not in this file: open its config.json`);
  }
  if (name && name !== 'mpt_causal_lm') b.notes.push(`model.name "${name}": counted as an MPT-style block.`);
  const heads = y.get('model.n_heads');
  const kvAt = y.get('model.attn_config.kv_n_heads');
  const L = b.count(y.get('model.n_layers'), 'model.n_layers', 'architecture.nLayer');
  const d = b.count(y.get('model.d_model'), 'model.d_model', 'architecture.dModel');
  const H = b.count(heads, 'model.n_heads', 'architecture.nHead');
  const K = b.count(kvAt, 'model.attn_config.kv_n_heads', 'architecture.nKvHead');
  const ratioAt = y.get('model.expansion_ratio');
  const ratio = b.num(ratioAt, 'model.expansion_ratio', { exclusiveMin: 0 }) ?? 4;
  const V = b.count(y.get('model.vocab_size'), 'model.vocab_size', 'architecture.vocab', { value: 50368, note: 'vocab_size 50,368 (MPTConfig default)' });
  const seqAt = y.get('max_seq_len') ?? y.get('model.max_seq_len');
  const seq = b.count(seqAt, 'max_seq_len', 'seqLen');
  const batch = b.count(y.get('global_train_batch_size'), 'global_train_batch_size', 'batch.global');
  const micro = b.count(y.get('device_train_microbatch_size'), 'device_train_microbatch_size', 'microBatch');
  if (micro !== undefined) extra.microBatch = micro;
  const noBias = bool(y.get('model.no_bias')) ?? true;
  const learnedPos = bool(y.get('model.learned_pos_emb')) ?? true;
  const ffnType = str(y.get('model.ffn_config.ffn_type')) ?? 'mptmlp';
  reportUnresolved(b, y, ['max_seq_len', 'model.max_seq_len', 'max_duration']);
  if (L === undefined || d === undefined || H === undefined || V === undefined)
    return b.hasErrors() ? b.errorResult() : b.notApplicable('model shape incomplete: model.n_layers, d_model and n_heads are needed');
  const f = Math.round(ratio * d);
  if (ratioAt) b.derived('architecture.dFfn', `expansion_ratio ${ratio} × d_model ${d} = ${f}`, ratioAt);
  else b.assumed('architecture.dFfn', `expansion_ratio 4 (MPTConfig default) × d_model = ${f}`);
  const arch: ModelArchitecture = {
    modelType: 'mpt',
    nLayer: L,
    dModel: d,
    nHead: H,
    nKvHead: K ?? H,
    headDim: d / H,
    dFfn: f,
    vocab: V,
    tiedEmbeddings: true,
    learnedPositions: learnedPos,
  };
  if (seq !== undefined) arch.positions = seq;
  if (!checkShape(b, arch, { heads, kvHeads: kvAt })) return b.errorResult();
  b.notes.push(
    `MPT block: ${noBias ? 'no biases (no_bias default true), ' : ''}LayerNorm${noBias ? ' without bias' : ''}, ${ffnType === 'mptglu' ? 'gated' : 'plain GELU'} MLP, tied head${learnedPos ? ', learned positions (learned_pos_emb default true)' : ''}.`,
  );
  const style: BlockStyle = {
    kind: 'llama',
    qkvBias: !noBias,
    oBias: !noBias,
    mlpBias: !noBias,
    qkNorm: false,
    normBias: !noBias,
    plainMlp: ffnType !== 'mptglu',
  };
  const training: TrainingInput = { seqLen: seq };
  if (batch !== undefined) training.batchSeqs = { value: batch, note: `global_train_batch_size ${batch} sequences` };
  const durAt = y.get('max_duration');
  const dur = durAt ? parseComposerTime(durAt.value) : undefined;
  if (durAt && !dur) b.error(`"max_duration" ${JSON.stringify(durAt.value)} is not a Composer time (e.g. 4800ba, 2e9tok, 1ep)`, durAt);
  else if (dur && durAt) {
    if (dur.amount <= 0) b.error(`"max_duration" must be positive (found ${JSON.stringify(durAt.value)})`, durAt);
    else if (dur.unit === 'ba') {
      training.steps = dur.amount;
      b.from('maxSteps', durAt, `max_duration ${String(durAt.value)}: ${fmt(dur.amount)} batches`);
    } else if (dur.unit === 'tok') {
      training.tokens = dur.amount;
      b.from('tokens', durAt);
    } else if (dur.unit === 'sp' && seq !== undefined) {
      training.tokens = dur.amount * seq;
      b.derived('tokens', `max_duration ${String(durAt.value)} samples × ${seq} tokens`, durAt);
    } else b.notes.push(`max_duration ${String(durAt.value)} counts epochs: tokens depend on the dataset size.`);
  }
  setLr(b, extra, y.get('optimizer.lr'), 'optimizer.lr');
  const sched = str(y.get('scheduler.name'));
  if (sched) {
    const s: LrSchedule = { type: sched };
    b.from('schedule', y.get('scheduler.name')!);
    const tw = y.get('scheduler.t_warmup');
    const w = tw ? parseComposerTime(tw.value) : undefined;
    if (w?.unit === 'ba') {
      s.warmupSteps = w.amount;
      b.from('schedule.warmupSteps', tw!);
    } else if (w?.unit === 'dur' && training.steps !== undefined) {
      s.warmupSteps = Math.round(w.amount * training.steps);
      b.derived('schedule.warmupSteps', `t_warmup ${String(tw!.value)} × ${training.steps} batches`, tw);
    }
    const alpha = asNumber(y.get('scheduler.alpha_f')?.value);
    if (alpha !== undefined) s.minLrRatio = alpha;
    extra.schedule = s;
  }
  const precision = str(y.get('precision'));
  if (precision) extra.precision = precision;
  const sharding = str(y.get('fsdp_config.sharding_strategy'));
  if (sharding) extra.parallelism = { zeroStage: sharding === 'FULL_SHARD' || sharding === 'HYBRID_SHARD' ? 3 : sharding === 'SHARD_GRAD_OP' ? 2 : 0 };
  if (bool(y.get('fsdp_config.activation_checkpointing'))) extra.activationCheckpointing = 'full';
  b.notes.push('GPUs are set by the launcher (composer -n), not the YAML.');
  return finishPlan(b, arch, style, training, extra);
}

// ---------------------------------------------------------------- litgpt

export function isLitgpt(y: YamlView): boolean {
  return (y.keys().includes('model_name') || y.keys().includes('model_config')) && (y.has('train') || y.keys().includes('train'));
}

export function readLitgpt(y: YamlView, b: PlanBuilder): ConfigReadResult {
  const extra: Extra = {};
  const nameAt = y.get('model_name');
  const cfgAt = y.get('model_config');
  if (nameAt && cfgAt) {
    b.error('"model_name" and "model_config" are both set; litgpt takes only one of them', cfgAt);
    b.error('"model_name" is also set here', nameAt);
    return b.errorResult();
  }
  let arch: ModelArchitecture | undefined;
  let style: BlockStyle = { kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false };
  if (nameAt) {
    const entry = LITGPT_MODELS[String(nameAt.value)];
    if (!entry)
      return b.notApplicable(
        `litgpt model_name "${String(nameAt.value)}" is not in Scaling Lens's table yet (known: ${Object.keys(LITGPT_MODELS).join(', ')}); use model_config to spell out the shape`,
      );
    const named = cloneNamed(entry);
    arch = named.arch;
    style = named.style;
    for (const k of ['nLayer', 'dModel', 'nHead', 'nKvHead', 'dFfn', 'vocab', 'tiedEmbeddings'] as const)
      b.from(`architecture.${k}`, nameAt, `from model_name "${String(nameAt.value)}" (${entry.citation})`);
  } else if (cfgAt) {
    const g = (k: string) => y.get(`model_config.${k}`);
    const heads = g('n_head');
    const L = b.count(g('n_layer'), 'model_config.n_layer', 'architecture.nLayer');
    const d = b.count(g('n_embd'), 'model_config.n_embd', 'architecture.dModel');
    const H = b.count(heads, 'model_config.n_head', 'architecture.nHead');
    const K = b.count(g('n_query_groups'), 'model_config.n_query_groups', 'architecture.nKvHead');
    const V = b.count(g('padded_vocab_size') ?? g('vocab_size'), 'model_config.padded_vocab_size', 'architecture.vocab');
    const mlp = str(g('mlp_class_name')) ?? 'GptNeoxMLP';
    const F = b.count(g('intermediate_size'), 'model_config.intermediate_size', 'architecture.dFfn');
    const bias = bool(g('bias')) ?? true;
    if (L === undefined || d === undefined || H === undefined || V === undefined)
      return b.hasErrors() ? b.errorResult() : b.notApplicable('model_config is incomplete (n_layer, n_embd, n_head, vocab needed)');
    const gated = mlp === 'LLaMAMLP';
    arch = {
      modelType: gated ? 'llama' : 'gpt-neox',
      nLayer: L,
      dModel: d,
      nHead: H,
      nKvHead: K ?? H,
      headDim: d / H,
      dFfn: F ?? 4 * d,
      vocab: V,
      tiedEmbeddings: false,
      learnedPositions: false,
    };
    style = { kind: 'llama', qkvBias: bias, oBias: bias, mlpBias: bias, qkNorm: false, plainMlp: !gated, normBias: str(g('norm_class_name')) !== 'RMSNorm' };
    if (!checkShape(b, arch, { heads })) return b.errorResult();
  } else return b.notApplicable('neither model_name nor model_config is set');
  const tieAt = y.get('train.tie_embeddings');
  if (bool(tieAt) !== undefined) {
    arch.tiedEmbeddings = bool(tieAt)!;
    b.from('architecture.tiedEmbeddings', tieAt!);
  }
  const seqAt = y.get('train.max_seq_length');
  let seq = b.count(seqAt, 'train.max_seq_length', 'seqLen');
  if (seq === undefined && !seqAt && arch.positions !== undefined) {
    seq = arch.positions;
    b.assumed('seqLen', `train.max_seq_length null → the model's block_size ${fmt(seq)}`);
  }
  const batch = b.count(y.get('train.global_batch_size'), 'train.global_batch_size', 'batch.global', {
    value: 512,
    note: 'global_batch_size 512 (litgpt TrainArgs default)',
  });
  const micro = b.count(y.get('train.micro_batch_size'), 'train.micro_batch_size', 'microBatch', {
    value: 4,
    note: 'micro_batch_size 4 (litgpt TrainArgs default)',
  });
  if (micro !== undefined) extra.microBatch = micro;
  const tokAt = y.get('train.max_tokens');
  const stepsAt = y.get('train.max_steps');
  const training: TrainingInput = { seqLen: seq };
  if (batch !== undefined) training.batchSeqs = { value: batch, note: `train.global_batch_size ${batch} sequences` };
  const tokens = b.num(tokAt, 'train.max_tokens', { exclusiveMin: 0 });
  const steps = b.num(stepsAt, 'train.max_steps', { integer: true, min: 1 });
  if (tokens !== undefined) {
    training.tokens = tokens;
    b.from('tokens', tokAt!);
  }
  if (steps !== undefined) {
    training.steps = steps;
    b.from('maxSteps', stepsAt!);
    if (tokens !== undefined)
      b.notes.push('train.max_steps and train.max_tokens are both set: litgpt stops at whichever comes first; the plan uses max_tokens.');
  }
  if (tokens === undefined && steps === undefined && y.has('train.epochs')) b.notes.push('train.epochs: tokens depend on the dataset size.');
  setLr(b, extra, y.get('optimizer.init_args.lr') ?? y.get('optimizer.lr'), 'optimizer.init_args.lr');
  const warmAt = y.get('train.lr_warmup_steps');
  const warm = b.num(warmAt, 'train.lr_warmup_steps', { integer: true, min: 0 });
  extra.schedule = { type: 'cosine' };
  b.assumed('schedule', 'cosine after linear warmup (litgpt pretrain)');
  if (warm !== undefined) {
    extra.schedule.warmupSteps = warm;
    b.from('schedule.warmupSteps', warmAt!);
  }
  const minLr = asNumber(y.get('train.min_lr')?.value);
  if (minLr !== undefined && extra.peakLr) extra.schedule.minLrRatio = minLr / extra.peakLr;
  const devAt = y.get('devices');
  const dev = devAt && devAt.value !== 'auto' ? b.num(devAt, 'devices', { integer: true, min: 1 }) : undefined;
  const nodes = b.num(y.get('num_nodes'), 'num_nodes', { integer: true, min: 1 }) ?? 1;
  if (dev !== undefined) {
    extra.gpus = dev * nodes;
    b.derived('gpus', `devices ${dev} × num_nodes ${nodes}`, devAt);
  } else b.notes.push('devices: auto — the GPU count is whatever the machine has.');
  const precision = str(y.get('precision'));
  if (precision) extra.precision = precision;
  return finishPlan(b, arch, style, training, extra);
}

// ---------------------------------------------------------------- NeMo 1.x

export function isNemo(y: YamlView): boolean {
  return y.has('trainer') && (y.has('model.num_layers') || y.has('model.hidden_size') || y.unresolved.has('model.num_layers'));
}

/** GPT-2 BPE and a few tokenizers whose vocabulary size is fixed. */
const TOKENIZER_VOCAB: Record<string, number> = { GPT2BPETokenizer: 50257 };

export function readNemo(y: YamlView, b: PlanBuilder): ConfigReadResult {
  const extra: Extra = {};
  const g = (k: string) => y.get(`model.${k}`);
  const heads = g('num_attention_heads');
  const kvAt = g('num_query_groups');
  const L = b.count(g('num_layers'), 'model.num_layers', 'architecture.nLayer');
  const d = b.count(g('hidden_size'), 'model.hidden_size', 'architecture.dModel');
  const H = b.count(heads, 'model.num_attention_heads', 'architecture.nHead');
  const K = b.count(kvAt, 'model.num_query_groups', 'architecture.nKvHead');
  const act = str(g('activation')) ?? 'gelu';
  const gated = /glu/.test(act);
  // NeMo's launcher writes the FFN as an OmegaConf resolver: ${multiply:4, ${.hidden_size}}.
  const ffAt = g('ffn_hidden_size');
  const mul = typeof ffAt?.value === 'string' ? /^\$\{multiply:\s*([\d.]+)\s*,\s*\$\{\.?(?:model\.)?hidden_size\}\s*\}$/.exec(ffAt.value.trim()) : null;
  let F: number | undefined;
  if (mul && d !== undefined) {
    F = Math.round(Number(mul[1]) * d);
    b.derived('architecture.dFfn', `${ffAt!.value as string} = ${mul[1]} × hidden_size ${d} = ${F}`, ffAt);
  } else F = b.count(ffAt, 'model.ffn_hidden_size', 'architecture.dFfn');
  const seq = b.count(g('encoder_seq_length'), 'model.encoder_seq_length', 'seqLen');
  const posAt = g('max_position_embeddings');
  const positions = b.num(posAt, 'model.max_position_embeddings', { integer: true, min: 1 }) ?? seq;
  const tp = b.num(g('tensor_model_parallel_size'), 'model.tensor_model_parallel_size', { integer: true, min: 1 }) ?? 1;
  const pp = b.num(g('pipeline_model_parallel_size'), 'model.pipeline_model_parallel_size', { integer: true, min: 1 }) ?? 1;
  reportUnresolved(b, y, ['model.num_layers', 'model.hidden_size', 'model.encoder_seq_length', 'model.global_batch_size', 'trainer.max_steps']);
  if (L === undefined || d === undefined || H === undefined)
    return b.hasErrors() ? b.errorResult() : b.notApplicable('model shape incomplete (model.num_layers, hidden_size, num_attention_heads)');
  const vocabAt = g('tokenizer.vocab_size') ?? g('padded_vocab_size');
  let V = b.num(vocabAt, 'model.tokenizer.vocab_size', { integer: true, min: 1 });
  const tokType = str(g('tokenizer.type'));
  if (V === undefined && tokType && TOKENIZER_VOCAB[tokType] !== undefined) V = TOKENIZER_VOCAB[tokType];
  if (V === undefined) {
    // A tokenizer named by model id or file (tokenizer.type "meta-llama/Meta-Llama-3.1-8B", tokenizer.model ".../llama_tokenizer.model").
    const raw = y.unresolved.get('model.tokenizer.model');
    const known = vocabOfTokenizer(tokType, str(g('tokenizer.model')), raw);
    if (known) {
      V = known.vocab;
      b.notes.push(`Vocabulary: ${known.note}.`);
    }
  }
  if (V === undefined)
    return b.hasErrors() ? b.errorResult() : b.notApplicable(`vocabulary size unknown (tokenizer ${tokType ?? '?'}): the model size cannot be counted`);
  const multiple = (b.num(g('make_vocab_size_divisible_by'), 'model.make_vocab_size_divisible_by', { integer: true, min: 1 }) ?? 128) * tp;
  const padded = multiple * Math.ceil(V / multiple);
  b.derived(
    'architecture.vocab',
    `${tokType ?? 'tokenizer'} ${fmt(V)} padded to a multiple of make_vocab_size_divisible_by × TP = ${multiple} → ${fmt(padded)}`,
  );
  const learned = (str(g('position_embedding_type')) ?? 'learned_absolute') === 'learned_absolute';
  const tied = bool(g('share_embeddings_and_output_weights')) ?? true;
  const bias = bool(g('bias')) ?? true;
  const rms = (str(g('normalization')) ?? 'layernorm').toLowerCase() === 'rmsnorm';
  const fallbackFfn = megatronDefaultFfn(d, gated);
  const ffn = F ?? fallbackFfn.ffn;
  if (F === undefined) b.assumed('architecture.dFfn', `${fallbackFfn.rule}, h = hidden_size ${d} → ${ffn} (Megatron default)`);
  const arch: ModelArchitecture = {
    modelType: 'megatron-gpt',
    nLayer: L,
    dModel: d,
    nHead: H,
    nKvHead: K ?? H,
    headDim: d / H,
    dFfn: ffn,
    vocab: padded,
    tiedEmbeddings: tied,
    learnedPositions: learned,
  };
  if (positions !== undefined) arch.positions = positions;
  if (!checkShape(b, arch, { heads, kvHeads: kvAt })) return b.errorResult();
  const style: BlockStyle = { kind: 'llama', qkvBias: bias, oBias: bias, mlpBias: bias, qkNorm: false, normBias: !rms, plainMlp: !gated };
  const batch = b.count(g('global_batch_size'), 'model.global_batch_size', 'batch.global');
  const micro = b.count(g('micro_batch_size'), 'model.micro_batch_size', 'microBatch');
  if (micro !== undefined) extra.microBatch = micro;
  const stepsAt = y.get('trainer.max_steps');
  const steps = b.num(stepsAt, 'trainer.max_steps', { integer: true });
  const training: TrainingInput = { seqLen: seq };
  if (batch !== undefined) training.batchSeqs = { value: batch, note: `model.global_batch_size ${batch} sequences` };
  if (steps !== undefined && steps > 0) {
    training.steps = steps;
    b.from('maxSteps', stepsAt!);
  } else if (steps !== undefined) b.notes.push(`trainer.max_steps is ${steps}: training length set by epochs, tokens unknown.`);
  setLr(b, extra, g('optim.lr'), 'model.optim.lr');
  const sched = str(g('optim.sched.name'));
  if (sched) {
    extra.schedule = { type: sched };
    b.from('schedule', g('optim.sched.name')!);
    const w = b.num(g('optim.sched.warmup_steps'), 'model.optim.sched.warmup_steps', { integer: true, min: 0 });
    if (w !== undefined) {
      extra.schedule.warmupSteps = w;
      b.from('schedule.warmupSteps', g('optim.sched.warmup_steps')!);
    }
    const minLr = asNumber(g('optim.sched.min_lr')?.value);
    if (minLr !== undefined && extra.peakLr) extra.schedule.minLrRatio = minLr / extra.peakLr;
  }
  const devices = b.num(y.get('trainer.devices'), 'trainer.devices', { integer: true, min: 1 });
  const nodes = b.num(y.get('trainer.num_nodes'), 'trainer.num_nodes', { integer: true, min: 1 }) ?? 1;
  if (devices !== undefined) {
    extra.gpus = devices * nodes;
    b.derived('gpus', `trainer.devices ${devices} × trainer.num_nodes ${nodes} = ${extra.gpus}`, y.get('trainer.devices'));
  }
  extra.parallelism = { tensor: tp, pipeline: pp, zeroStage: bool(g('megatron_amp_O2')) && bool(g('use_distributed_optimizer')) ? 1 : 0 };
  const precision = str(y.get('trainer.precision'));
  if (precision) extra.precision = precision;
  if (bool(g('fp8'))) extra.precision = 'fp8';
  const gran = str(g('activations_checkpoint_granularity'));
  if (gran === 'full' || gran === 'selective') extra.activationCheckpointing = gran;
  if (y.unresolved.size) {
    const missing = [...y.unresolved.entries()].filter(([, why]) => why.startsWith('???')).map(([k]) => k);
    if (missing.length) b.notes.push(`Mandatory values not set (???): ${missing.join(', ')}; not needed for the estimate.`);
  }
  return finishPlan(b, arch, style, training, extra);
}

// ---------------------------------------------------------------- axolotl

export function isAxolotl(y: YamlView): boolean {
  const k = y.keys();
  return k.includes('base_model') || (k.includes('adapter') && k.includes('sequence_len')) || (k.includes('datasets') && k.includes('micro_batch_size'));
}

export function readAxolotl(y: YamlView, b: PlanBuilder): ConfigReadResult {
  const base = str(y.get('base_model')) ?? 'an unnamed base model';
  const adapter = str(y.get('adapter'));
  const seq = asNumber(y.get('sequence_len')?.value);
  const micro = asNumber(y.get('micro_batch_size')?.value);
  const ga = asNumber(y.get('gradient_accumulation_steps')?.value) ?? 1;
  const perGpu =
    seq !== undefined && micro !== undefined
      ? `; ${fmt(micro * ga * seq)} tokens per step per GPU (micro_batch_size ${micro} × gradient_accumulation_steps ${ga} × sequence_len ${fmt(seq)})`
      : '';
  const length = y.has('max_steps') ? '' : y.has('num_epochs') ? '; tokens = num_epochs × the dataset size, which the config does not give' : '';
  if (adapter === 'lora' || adapter === 'qlora') {
    const r = str(y.get('lora_r'));
    return b.notApplicable(
      `${adapter === 'qlora' ? 'QLoRA' : 'LoRA'} fine-tune of ${base} (adapter: ${adapter}${r ? `, r ${r}` : ''}): trainable parameters are a small fraction of N and the run starts from a pretrained model, so the pretraining scaling laws do not apply${perGpu}${length}`,
    );
  }
  return b.notApplicable(`full fine-tune of the pretrained ${base}: the pretraining scaling laws do not apply${perGpu}${length}`);
}

// ---------------------------------------------------------------- generic shape

/**
 * The generic plan shape (YAML or JSON), for frameworks Scaling Lens does not read:
 *
 *   family: my-sweep              # optional: runs sharing data, tokenizer and recipe
 *   model:
 *     layers: 24                  # required
 *     d_model: 2048               # required
 *     heads: 16                   # required
 *     kv_heads: 4                 # default: heads
 *     ffn: 5632                   # default: 4·d_model (plain) or 8/3·d_model (gated)
 *     vocab: 32000                # required
 *     mlp: gated                  # gated (SwiGLU, default) | plain (GELU)
 *     tied: false                 # default false
 *     positions: rope             # rope (default) | learned (adds seq_len·d_model)
 *   training:
 *     tokens: 2.0e10              # or steps × batch
 *     unique_tokens: 5.0e9        # optional: dataset size; fewer than tokens = repeated epochs
 *     steps: 10000
 *     batch_tokens: 2097152       # or batch_size (sequences) × seq_len
 *     batch_size: 1024
 *     seq_len: 2048
 *     lr: 3.0e-4
 *     schedule: cosine
 *     warmup_steps: 2000
 *     gpus: 64
 *     micro_batch: 4
 *     precision: bf16
 *     zero_stage: 1               # 0-3
 *     tensor_parallel: 1
 *     pipeline_parallel: 1
 *     activation_checkpointing: none   # none | selective | full
 *     mup: false
 */
export function isGeneric(y: YamlView): boolean {
  return y.has('model.layers') && y.has('model.d_model');
}

export function readGeneric(y: YamlView, b: PlanBuilder): ConfigReadResult {
  const extra: Extra = {};
  const m = (k: string) => y.get(`model.${k}`);
  const t = (k: string) => y.get(`training.${k}`);
  const heads = m('heads');
  const kvAt = m('kv_heads');
  const L = b.count(m('layers'), 'model.layers', 'architecture.nLayer');
  const d = b.count(m('d_model'), 'model.d_model', 'architecture.dModel');
  const H = b.count(heads, 'model.heads', 'architecture.nHead');
  const K = b.count(kvAt, 'model.kv_heads', 'architecture.nKvHead');
  const V = b.count(m('vocab'), 'model.vocab', 'architecture.vocab');
  const mlp = str(m('mlp')) ?? 'gated';
  if (mlp !== 'gated' && mlp !== 'plain') b.error(`"model.mlp" must be gated or plain (found ${mlp})`, m('mlp'));
  const gated = mlp !== 'plain';
  const F = b.count(m('ffn'), 'model.ffn', 'architecture.dFfn');
  const seq = b.count(t('seq_len'), 'training.seq_len', 'seqLen');
  if (L === undefined || d === undefined || H === undefined || V === undefined) {
    if (!b.hasErrors()) b.error('the generic shape needs model.layers, d_model, heads and vocab');
    return b.errorResult();
  }
  const ffn = F ?? (gated ? Math.round((8 * d) / 3) : 4 * d);
  if (F === undefined) b.assumed('architecture.dFfn', `${gated ? '8/3' : '4'} × d_model = ${ffn}`);
  const learned = str(m('positions')) === 'learned';
  const arch: ModelArchitecture = {
    modelType: gated ? 'llama' : 'gpt2-like',
    nLayer: L,
    dModel: d,
    nHead: H,
    nKvHead: K ?? H,
    headDim: d / H,
    dFfn: ffn,
    vocab: V,
    tiedEmbeddings: bool(m('tied')) ?? false,
    learnedPositions: learned,
  };
  if (learned && seq !== undefined) arch.positions = seq;
  if (!checkShape(b, arch, { heads, kvHeads: kvAt })) return b.errorResult();
  const style: BlockStyle = gated ? { kind: 'llama', qkvBias: false, oBias: false, mlpBias: false, qkNorm: false } : { kind: 'gpt2', bias: true };
  const training: TrainingInput = { seqLen: seq };
  const btAt = t('batch_tokens');
  const bsAt = t('batch_size');
  const bt = b.num(btAt, 'training.batch_tokens', { integer: true, min: 1 });
  const bs = b.num(bsAt, 'training.batch_size', { integer: true, min: 1 });
  if (bt !== undefined) {
    training.tokensPerStep = bt;
    b.from('tokensPerStep', btAt!);
    if (bs !== undefined && seq !== undefined && bs * seq !== bt) {
      b.error(`training.batch_tokens (${fmt(bt)}) contradicts batch_size × seq_len = ${fmt(bs * seq)}`, btAt);
      b.error('training.batch_size is here', bsAt);
    }
  } else if (bs !== undefined) {
    training.batchSeqs = { value: bs, note: `training.batch_size ${bs}` };
    b.from('batch.global', bsAt!);
  }
  const tokAt = t('tokens');
  const stepsAt = t('steps');
  const tokens = b.num(tokAt, 'training.tokens', { exclusiveMin: 0 });
  const steps = b.num(stepsAt, 'training.steps', { integer: true, min: 1 });
  if (tokens !== undefined) {
    training.tokens = tokens;
    b.from('tokens', tokAt!);
  }
  if (steps !== undefined) {
    training.steps = steps;
    b.from('maxSteps', stepsAt!);
  }
  const perStep = training.tokensPerStep ?? (training.batchSeqs && seq ? training.batchSeqs.value * seq : undefined);
  if (tokens !== undefined && steps !== undefined && perStep !== undefined && Math.abs(steps * perStep - tokens) > 0.01 * tokens) {
    b.error(`training.tokens (${fmt(tokens)}) contradicts steps × tokens per step = ${fmt(steps * perStep)}`, tokAt);
    b.error('training.steps is here', stepsAt);
  }
  const uniqueAt = t('unique_tokens');
  const unique = b.num(uniqueAt, 'training.unique_tokens', { exclusiveMin: 0 });
  if (unique !== undefined) {
    extra.uniqueTokens = unique;
    b.from('uniqueTokens', uniqueAt!);
  }
  setLr(b, extra, t('lr'), 'training.lr');
  const sched = str(t('schedule'));
  if (sched) {
    extra.schedule = { type: sched };
    b.from('schedule', t('schedule')!);
    const w = b.num(t('warmup_steps'), 'training.warmup_steps', { integer: true, min: 0 });
    if (w !== undefined) extra.schedule.warmupSteps = w;
  }
  const gpus = b.count(t('gpus'), 'training.gpus', 'gpus');
  if (gpus !== undefined) extra.gpus = gpus;
  const micro = b.count(t('micro_batch'), 'training.micro_batch', 'microBatch');
  if (micro !== undefined) extra.microBatch = micro;
  const precision = str(t('precision'));
  if (precision) extra.precision = precision;
  const zero = b.num(t('zero_stage'), 'training.zero_stage', { integer: true, min: 0 });
  if (zero !== undefined && zero > 3) b.error(`"training.zero_stage" must be 0 to 3 (found ${zero})`, t('zero_stage'));
  extra.parallelism = {
    tensor: b.num(t('tensor_parallel'), 'training.tensor_parallel', { integer: true, min: 1 }) ?? 1,
    pipeline: b.num(t('pipeline_parallel'), 'training.pipeline_parallel', { integer: true, min: 1 }) ?? 1,
    zeroStage: (zero !== undefined && zero <= 3 ? zero : 0) as 0 | 1 | 2 | 3,
  };
  const ac = str(t('activation_checkpointing'));
  if (ac === 'none' || ac === 'selective' || ac === 'full') extra.activationCheckpointing = ac;
  if (bool(t('mup'))) extra.muP = true;
  const family = str(y.get('family'));
  if (family) {
    extra.family = family;
    b.from('family', y.get('family')!);
  }
  return finishPlan(b, arch, style, training, extra);
}
