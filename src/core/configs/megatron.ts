// Megatron-LM command-line flags → TrainingPlan, from a shell script (`--num-layers 24`, bash
// arrays, `\` continuations) or a functional-test `model_config.yaml` (`MODEL_ARGS: {--flag: value}`).
//
// Defaults (Megatron-LM `megatron/training/arguments.py`): --ffn-hidden-size 4·h, or with --swiglu
// int(4h·2/3 / 64)·64; LayerNorm with biases and biased linears unless --normalization RMSNorm /
// --disable-bias-linear; learned absolute positions (--max-position-embeddings) unless
// --position-embedding-type rope; input embedding and output layer tied unless
// --untie-embeddings-and-output-weights; vocabulary = the tokenizer's padded to a multiple of
// --make-vocab-size-divisible-by (128) × TP. GPT-2 BPE (--vocab-file + --merge-file) is 50,257.
import { PlanBuilder, checkShape, finishPlan, fmt, type Found, type TrainingInput } from './builder';
import type { BlockStyle } from './hfConfig';
import type { ConfigReadResult, ModelArchitecture, TrainingPlan } from './types';
import type { YamlView } from './yamlView';
import { vocabOfTokenizer } from './tokenizers';

/**
 * Megatron-LM's FFN width when `--ffn-hidden-size` is not given (megatron/training/arguments.py):
 * 4·h, or for a gated (SwiGLU) MLP int(4h·2/3 / 64)·64, the plain MLP's parameters rounded down to a
 * multiple of 64. NeMo's Megatron GPT configs inherit it. `rule` says which, for the assumption's note.
 */
export function megatronDefaultFfn(hidden: number, gated: boolean): { ffn: number; rule: string } {
  return gated ? { ffn: Math.floor((4 * hidden * 2) / 3 / 64) * 64, rule: 'int(4h·2/3 / 64)·64' } : { ffn: 4 * hidden, rule: '4h' };
}

export type Flags = Map<string, Found>;

/** Flags from a YAML `MODEL_ARGS` mapping (`--num-layers: 12`). */
export function flagsFromYaml(y: YamlView): Flags {
  const flags: Flags = new Map();
  for (const key of y.keys('MODEL_ARGS')) {
    if (!key.startsWith('--')) continue;
    const f = y.get(`MODEL_ARGS.${key}`);
    flags.set(key.slice(2), f ?? { value: true });
  }
  return flags;
}

/** Flags from shell text: `--name value`, `--name=value`, or a bare `--switch`. Comment lines are skipped. */
export function flagsFromShell(text: string): Flags {
  const flags: Flags = new Map();
  const vars = new Map<string, string>();
  for (const m of text.matchAll(/^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=("?)([^\s"]+)\2\s*$/gm)) vars.set(m[1], m[3]);
  let offset = 0;
  for (const line of text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    if (/^\s*#/.test(line)) continue;
    const re = /(?:^|\s|\(|")--([A-Za-z0-9][\w-]*)(?:[= ]+(?!--)([^\s\\)"]+))?/g;
    for (const m of line.matchAll(re)) {
      const name = m[1];
      let raw = m[2];
      let range: Found['range'];
      if (raw !== undefined) {
        const at = start + (m.index ?? 0) + m[0].length - raw.length;
        range = { start: at, end: at + raw.length };
        const v = /^\$\{?([A-Z_][A-Z0-9_]*)\}?$/.exec(raw);
        const resolved = v ? vars.get(v[1]) : undefined;
        if (resolved !== undefined) raw = resolved;
      } else {
        const at = start + (m.index ?? 0) + m[0].indexOf('--');
        range = { start: at, end: at + 2 + name.length };
      }
      flags.set(name, { value: raw === undefined ? true : raw, range });
    }
  }
  return flags;
}

/**
 * GPT-NeoX YAML (EleutherAI/gpt-neox `configs/*.yml`, Pythia `models/*.yml`): Megatron's arguments as
 * top-level keys, spelled with hyphens or underscores. Mapped onto Megatron's flags, with NeoX's own
 * meanings: `no-weight-tying`, `norm`, a gated `activation` (swiglu, geglu, …) whose `intermediate_size` counts the
 * gated matrices together (NeoX ParallelMLP: each is int(F·2/3) // 2, rounded up to `mlp_multiple_of`),
 * `pos-emb`, `model-parallel-size` as TP, `num-kv-heads`, and `use_bias_in_attn_linear`.
 */
export function flagsFromNeox(y: YamlView): Flags | undefined {
  const top = new Map<string, string>();
  for (const k of y.keys()) top.set(k.replace(/_/g, '-'), k);
  if (!top.has('num-layers') || !top.has('hidden-size') || !top.has('num-attention-heads') || y.has('model')) return undefined;
  const flags: Flags = new Map();
  const get = (k: string) => (top.has(k) ? y.get(top.get(k)!) : undefined);
  const copy = (from: string, to = from) => {
    const v = get(from);
    if (v !== undefined) flags.set(to, v);
  };
  for (const k of [
    'num-layers',
    'hidden-size',
    'num-attention-heads',
    'seq-length',
    'max-position-embeddings',
    'train-iters',
    'make-vocab-size-divisible-by',
    'vocab-file',
    'tokenizer-type',
  ])
    copy(k);
  copy('model-parallel-size', 'tensor-model-parallel-size');
  const pipe = get('pipe-parallel-size');
  // NeoX pipe-parallel-size 0 means no pipeline engine: one stage.
  if (pipe !== undefined) flags.set('pipeline-model-parallel-size', pipe.value === 0 ? { ...pipe, value: 1 } : pipe);
  copy('train-micro-batch-size-per-gpu', 'micro-batch-size');
  // DeepSpeed's global batch in sequences (neox_args calculate_batch_parameters: train_batch_size =
  // micro × gradient_accumulation_steps × data-parallel size); without it the global batch needs the
  // GPU count, which comes from the launcher.
  copy('train-batch-size', 'global-batch-size');
  // The peak LR sits in DeepSpeed's optimizer block (`optimizer: {params: {lr}}`).
  const lr = get('lr') ?? (top.has('optimizer') ? y.get(`${top.get('optimizer')!}.params.lr`) : undefined);
  if (lr !== undefined) flags.set('lr', lr);
  copy('lr-decay-style');
  copy('min-lr');
  const kv = get('num-kv-heads');
  if (kv !== undefined) {
    flags.set('group-query-attention', { value: true });
    flags.set('num-query-groups', kv);
  }
  const on = (k: string) => get(k)?.value === true;
  if (on('no-weight-tying')) flags.set('untie-embeddings-and-output-weights', { value: true });
  if (String(get('norm')?.value ?? '') === 'rmsnorm') flags.set('normalization', { value: 'RMSNorm', range: get('norm')?.range });
  if (get('use-bias-in-attn-linear')?.value === false) flags.set('disable-bias-linear', { value: true });
  const act = String(get('activation')?.value ?? 'gelu');
  // NeoX's gated activations (megatron/model/activations.py get_activation) all have three matrices.
  const gated = ['swiglu', 'geglu', 'reglu', 'bilinear', 'glu'].includes(act);
  if (gated) {
    flags.set('swiglu', { value: true, via: act === 'swiglu' ? undefined : `NeoX ${act}: gated, three matrices like SwiGLU` });
    const inter = get('intermediate-size');
    const expansion = get('expansion-factor');
    const d = Number(get('hidden-size')?.value);
    // NeoX ParallelMLP (megatron/model/transformer.py): F = intermediate_size, else expansion_factor·h,
    // else 4h; gated: each matrix is int(F·2/3) // 2 rounded up to mlp_multiple_of (neox_args default 1).
    const F = typeof inter?.value === 'number' ? inter.value : typeof expansion?.value === 'number' ? Math.trunc(expansion.value * d) : 4 * d;
    const multipleAt = get('mlp-multiple-of');
    const m = typeof multipleAt?.value === 'number' && multipleAt.value >= 1 ? multipleAt.value : 1;
    const ff = m * Math.ceil(Math.floor(Math.trunc((F * 2) / 3) / 2) / m);
    const from = inter ? `intermediate_size ${String(inter.value)}` : expansion ? `expansion_factor ${String(expansion.value)} × h` : 'default 4h';
    flags.set('ffn-hidden-size', {
      value: ff,
      range: inter?.range,
      via: `NeoX ${from}: int(F·2/3) // 2 per gated matrix, rounded up to mlp_multiple_of ${m}`,
    });
  } else {
    copy('intermediate-size', 'ffn-hidden-size');
  }
  // NeoX's default tokenizer is GPT-2 BPE (neox_args tokenizer_type "GPT2BPETokenizer"); configs often leave it to a separate data config.
  // A Llama-shaped config (RMSNorm + SwiGLU, as configs/llama*/ and mistral/) is for Meta's weights converted with
  // tools/ckpts/convert_raw_llama_weights_to_neox.py, which come with Llama's SentencePiece tokenizer.model (32,000).
  if (!top.has('vocab-file') && !top.has('tokenizer-type')) {
    if (act === 'swiglu' && String(get('norm')?.value ?? '') === 'rmsnorm')
      flags.set('vocab-size', { value: 32000, via: 'Llama SentencePiece 32,000 (a Llama-shaped GPT-NeoX config that names no tokenizer)' });
    else flags.set('tokenizer-type', { value: 'GPT2BPETokenizer', via: 'assumed: GPT-NeoX default tokenizer (GPT-2 BPE) — the data config usually sets it' });
  }
  const pe = String(get('pos-emb')?.value ?? 'learned');
  flags.set('position-embedding-type', { value: pe === 'learned' ? 'learned_absolute' : pe });
  return flags;
}

export function looksLikeMegatron(flags: Flags): boolean {
  return flags.has('num-layers') && flags.has('hidden-size');
}

export function readMegatron(flags: Flags, b: PlanBuilder): ConfigReadResult {
  const extra: Partial<TrainingPlan> = {};
  const f = (k: string) => {
    const v = flags.get(k);
    if (v && typeof v.value === 'string' && /\$\{?[A-Za-z_]/.test(v.value)) {
      b.notes.push(`--${k} is ${v.value}: a shell variable, left unknown.`);
      return undefined;
    }
    return v;
  };
  const on = (k: string) => {
    const v = flags.get(k);
    return v !== undefined && v.value !== false && v.value !== 'false';
  };
  const heads = f('num-attention-heads');
  const kvAt = on('group-query-attention') ? f('num-query-groups') : undefined;
  const L = b.count(f('num-layers'), '--num-layers', 'architecture.nLayer');
  const d = b.count(f('hidden-size'), '--hidden-size', 'architecture.dModel');
  const H = b.count(heads, '--num-attention-heads', 'architecture.nHead');
  const K = b.count(kvAt, '--num-query-groups', 'architecture.nKvHead');
  const swiglu = on('swiglu');
  const F = b.count(f('ffn-hidden-size'), '--ffn-hidden-size', 'architecture.dFfn');
  const seq = b.count(f('seq-length'), '--seq-length', 'seqLen');
  const maxPos = b.num(f('max-position-embeddings'), '--max-position-embeddings', { integer: true, min: 1 });
  const tp = b.num(f('tensor-model-parallel-size'), '--tensor-model-parallel-size', { integer: true, min: 1 }) ?? 1;
  const pp = b.num(f('pipeline-model-parallel-size'), '--pipeline-model-parallel-size', { integer: true, min: 1 }) ?? 1;
  const cp = b.num(f('context-parallel-size'), '--context-parallel-size', { integer: true, min: 1 }) ?? 1;
  if (flags.has('num-experts')) return b.notApplicable('Megatron mixture-of-experts (--num-experts): not counted yet');
  if (L === undefined || d === undefined || H === undefined) return b.hasErrors() ? b.errorResult() : b.notApplicable('model shape incomplete');
  const vocabAt = f('vocab-size');
  let V = b.num(vocabAt, '--vocab-size', { integer: true, min: 1 });
  let vocabNote = V !== undefined ? (vocabAt?.via ?? `--vocab-size ${fmt(V)}`) : '';
  const tokType = flags.get('tokenizer-type')?.value;
  if (V === undefined && (tokType === 'GPT2BPETokenizer' || (tokType === undefined && flags.has('vocab-file') && flags.has('merge-file')))) {
    V = 50257;
    vocabNote = 'GPT-2 BPE (--vocab-file/--merge-file) 50,257';
  }
  if (V === undefined) {
    const str = (k: string) => (typeof flags.get(k)?.value === 'string' ? String(flags.get(k)!.value) : undefined);
    const known = vocabOfTokenizer(str('tokenizer-name-or-path'), str('tokenizer-model'), str('vocab-file'), typeof tokType === 'string' ? tokType : undefined);
    if (known) {
      V = known.vocab;
      vocabNote = known.note;
    }
  }
  if (V === undefined)
    return b.hasErrors()
      ? b.errorResult()
      : b.notApplicable(`vocabulary size unknown (tokenizer ${String(tokType ?? '?')}): add --vocab-size to count the model`);
  const multiple = (b.num(f('make-vocab-size-divisible-by'), '--make-vocab-size-divisible-by', { integer: true, min: 1 }) ?? 128) * tp;
  const padded = multiple * Math.ceil(V / multiple);
  b.assumed('architecture.vocab', `${vocabNote}, padded to a multiple of ${multiple} (make-vocab-size-divisible-by × TP) → ${fmt(padded)}`);
  const fallbackFfn = megatronDefaultFfn(d, swiglu);
  const ffn = F ?? fallbackFfn.ffn;
  if (F === undefined) b.assumed('architecture.dFfn', `${fallbackFfn.rule}, h = hidden-size ${d} → ${ffn} (Megatron default)`);
  const rope = String(flags.get('position-embedding-type')?.value ?? 'learned_absolute') !== 'learned_absolute';
  const arch: ModelArchitecture = {
    modelType: 'megatron-gpt',
    nLayer: L,
    dModel: d,
    nHead: H,
    nKvHead: K ?? H,
    headDim: d / H,
    dFfn: ffn,
    vocab: padded,
    tiedEmbeddings: !on('untie-embeddings-and-output-weights'),
    learnedPositions: !rope,
  };
  const positions = maxPos ?? seq;
  if (positions !== undefined) arch.positions = positions;
  if (!checkShape(b, arch, { heads, kvHeads: kvAt })) return b.errorResult();
  const bias = !on('disable-bias-linear');
  const rms = String(flags.get('normalization')?.value ?? 'LayerNorm') === 'RMSNorm';
  const style: BlockStyle = { kind: 'llama', qkvBias: bias, oBias: bias, mlpBias: bias, qkNorm: false, normBias: !rms, plainMlp: !swiglu };
  // Megatron-DeepSpeed (BLOOM) --embed-layernorm: a LayerNorm (weight and bias) after the word embeddings.
  if (on('embed-layernorm')) {
    style.extraParams = 2 * d;
    b.notes.push('--embed-layernorm: a LayerNorm after the embeddings (2·hidden-size parameters) counted.');
  }
  const gbsAt = f('global-batch-size');
  const gbs = b.count(gbsAt, '--global-batch-size', 'batch.global');
  const mbs = b.count(f('micro-batch-size'), '--micro-batch-size', 'microBatch');
  if (mbs !== undefined) extra.microBatch = mbs;
  const training: TrainingInput = { seqLen: seq };
  const neox = b.format === 'gpt-neox';
  if (gbs !== undefined) training.batchSeqs = { value: gbs, note: neox ? `train_batch_size ${gbs} sequences` : `--global-batch-size ${gbs} sequences` };
  else if (neox)
    b.notes.push(
      'Global batch = train_micro_batch_size_per_gpu × gradient_accumulation_steps × data-parallel GPUs (from the launcher): state train_batch_size to count tokens.',
    );
  const itersAt = f('train-iters');
  const samplesAt = f('train-samples');
  if (itersAt && samplesAt) {
    b.error('--train-iters and --train-samples are both set; Megatron accepts only one', samplesAt);
    b.error('--train-iters is here', itersAt);
  }
  const iters = b.count(itersAt, '--train-iters', 'maxSteps');
  if (iters !== undefined) training.steps = iters;
  const samples = b.num(samplesAt, '--train-samples', { integer: true, min: 1 });
  if (samples !== undefined && seq !== undefined && !itersAt) {
    training.tokens = samples * seq;
    b.derived('tokens', `--train-samples ${fmt(samples)} × --seq-length ${fmt(seq)}`, samplesAt);
  }
  if (flags.has('rampup-batch-size')) b.notes.push('--rampup-batch-size: early steps use smaller batches; tokens assume the full batch throughout.');
  const lrAt = f('lr');
  const lr = b.num(lrAt, '--lr', { exclusiveMin: 0 });
  if (lr !== undefined) {
    extra.peakLr = lr;
    b.from('peakLr', lrAt!);
  }
  const style_ = String(flags.get('lr-decay-style')?.value ?? 'linear');
  extra.schedule = { type: style_ };
  if (flags.get('lr-decay-style')) b.from('schedule', flags.get('lr-decay-style')!);
  else b.assumed('schedule', 'linear (Megatron default --lr-decay-style)');
  const wIters = b.num(f('lr-warmup-iters'), '--lr-warmup-iters', { integer: true, min: 0 });
  const wFrac = b.num(f('lr-warmup-fraction'), '--lr-warmup-fraction', { min: 0 });
  const decayIters = b.num(f('lr-decay-iters'), '--lr-decay-iters', { integer: true, min: 1 });
  const decaySpan = decayIters ?? iters;
  if (wIters !== undefined) extra.schedule.warmupSteps = wIters;
  else if (wFrac !== undefined && decaySpan !== undefined) {
    extra.schedule.warmupSteps = Math.round(wFrac * decaySpan);
    b.derived(
      'schedule.warmupSteps',
      `--lr-warmup-fraction ${wFrac} × ${decayIters !== undefined ? '--lr-decay-iters' : '--train-iters'} ${fmt(decaySpan)}`,
      f('lr-warmup-fraction'),
    );
  }
  const minLr = b.num(f('min-lr'), '--min-lr', { min: 0 });
  if (minLr !== undefined && lr) extra.schedule.minLrRatio = minLr / lr;
  if (decayIters !== undefined && iters !== undefined && decayIters > iters) {
    b.notes.push(
      `--lr-decay-iters (${fmt(decayIters)}) ≫ --train-iters (${fmt(iters)}): the run stops long before the LR decays (${((100 * iters) / decayIters).toFixed(2)}% of the schedule).`,
    );
  }
  extra.precision = on('fp8-format') ? 'fp8' : on('bf16') ? 'bf16' : on('fp16') ? 'fp16' : 'fp32';
  extra.parallelism = { tensor: tp, pipeline: pp, context: cp, zeroStage: on('use-distributed-optimizer') ? 1 : 0 };
  const recompute = flags.get('recompute-granularity')?.value;
  if (recompute === 'full' || recompute === 'selective') extra.activationCheckpointing = recompute;
  b.notes.push('GPUs come from the launcher (torchrun --nnodes × --nproc_per_node), not the flags.');
  return finishPlan(b, arch, style, training, extra);
}
