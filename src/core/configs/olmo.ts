// OLMo training YAML (allenai/OLMo `configs/official-*/*.yaml`): the model under `model:` with OLMo's
// own names (d_model, n_layers, n_heads, mlp_ratio or mlp_hidden_size, embedding_size, weight_tying),
// the batch in sequences (`global_train_batch_size` × `max_sequence_length`), and `max_duration` as
// steps ("739_328") or tokens ("2e12T"). Block from `olmo/model.py` (OLMoSequentialBlock): att_proj
// d×(d + 2·K·h), attn_out d×d, ff_proj d×hidden (SwiGLU halves it: the MLP's own width is hidden/2),
// ff_out (hidden/2)×d, two norms (weights only when `layer_norm_with_affine`; OLMo 1 has none),
// OLMo 2 q/k norms over the projections (`attention_layer_norm`), biases only with `include_bias`.
import { PlanBuilder, asNumber, checkShape, finishPlan, fmt, type TrainingInput } from './builder';
import type { BlockStyle } from './hfConfig';
import type { ConfigReadResult, ModelArchitecture, TrainingPlan } from './types';
import type { YamlView } from './yamlView';

export function isOlmo(y: YamlView): boolean {
  return (
    y.has('model.d_model') &&
    y.has('model.n_layers') &&
    (y.has('model.mlp_ratio') || y.has('model.mlp_hidden_size')) &&
    (y.has('model.weight_tying') || y.has('model.block_type'))
  );
}

const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

export function readOlmo(y: YamlView, b: PlanBuilder): ConfigReadResult {
  const extra: Partial<TrainingPlan> = {};
  const heads = y.get('model.n_heads');
  const kvAt = y.get('model.n_kv_heads');
  const L = b.count(y.get('model.n_layers'), 'model.n_layers', 'architecture.nLayer');
  const d = b.count(y.get('model.d_model'), 'model.d_model', 'architecture.dModel');
  const H = b.count(heads, 'model.n_heads', 'architecture.nHead');
  const K = b.count(kvAt, 'model.n_kv_heads', 'architecture.nKvHead');
  const embAt = y.get('model.embedding_size') ?? y.get('model.vocab_size');
  const V = b.count(embAt, 'model.embedding_size', 'architecture.vocab');
  const hiddenAt = y.get('model.mlp_hidden_size');
  const ratio = b.num(y.get('model.mlp_ratio'), 'model.mlp_ratio', { exclusiveMin: 0 }) ?? 4;
  const seq = b.count(y.get('model.max_sequence_length'), 'model.max_sequence_length', 'seqLen');
  const batch = b.count(y.get('global_train_batch_size'), 'global_train_batch_size', 'batch.global');
  const micro = b.count(y.get('device_train_microbatch_size'), 'device_train_microbatch_size', 'microBatch');
  if (micro !== undefined) extra.microBatch = micro;
  if (L === undefined || d === undefined || H === undefined || V === undefined)
    return b.hasErrors()
      ? b.errorResult()
      : b.notApplicable('model shape incomplete: model.n_layers, d_model, n_heads and embedding_size (or vocab_size) are needed');
  const hidden = hiddenAt ? (b.num(hiddenAt, 'model.mlp_hidden_size', { integer: true, min: 1 }) ?? ratio * d) : ratio * d;
  const gated = /glu/.test(String(y.get('model.activation_type')?.value ?? 'swiglu'));
  const f = gated ? Math.floor(hidden / 2) : hidden;
  b.derived(
    'architecture.dFfn',
    `${hiddenAt ? `mlp_hidden_size ${fmt(hidden)}` : `mlp_ratio ${ratio} × d_model`}${gated ? ' / 2 (SwiGLU: ff_proj emits both halves)' : ''} = ${fmt(f)}`,
    hiddenAt,
  );
  if (y.has('model.embedding_size')) b.notes.push('Vocabulary: embedding_size (the padded embedding table), not vocab_size.');
  const tied = bool(y.get('model.weight_tying')?.value) ?? true;
  const affine = bool(y.get('model.layer_norm_with_affine')?.value) ?? true;
  const normType = String(y.get('model.layer_norm_type')?.value ?? 'default');
  const normBias = affine && normType !== 'rms' && (bool(y.get('model.bias_for_layer_norm')?.value) ?? bool(y.get('model.include_bias')?.value) ?? false);
  const bias = bool(y.get('model.include_bias')?.value) ?? false;
  const h = d / H;
  const kv = K ?? H;
  const qkNorm = bool(y.get('model.attention_layer_norm')?.value) ?? false;
  const qkAffine = bool(y.get('model.attention_layer_norm_with_affine')?.value) ?? true;
  const arch: ModelArchitecture = {
    modelType: 'olmo',
    nLayer: L,
    dModel: d,
    nHead: H,
    nKvHead: kv,
    headDim: h,
    dFfn: f,
    vocab: V,
    tiedEmbeddings: tied,
    learnedPositions: false,
  };
  if (seq !== undefined) arch.positions = seq;
  if (!checkShape(b, arch, { heads, kvHeads: kvAt })) return b.errorResult();
  const style: BlockStyle = {
    kind: 'llama',
    qkvBias: bias,
    oBias: bias,
    mlpBias: bias,
    qkNorm: false,
    plainMlp: !gated,
    normWidth: !affine ? 0 : normBias ? 2 : 1,
    qkNormParams: qkNorm && qkAffine ? (H + kv) * h * (normBias ? 2 : 1) : 0,
  };
  b.notes.push(
    `OLMo block: ${affine ? (normType === 'rms' ? 'RMSNorm' : 'LayerNorm') : 'non-parametric LayerNorm (no weights)'}${qkNorm ? ', q/k norms over the projections' : ''}, ${gated ? 'SwiGLU' : 'plain'} MLP, ${bias ? 'biases' : 'no biases'}, ${tied ? 'tied' : 'untied'} head.`,
  );
  const training: TrainingInput = { seqLen: seq };
  if (batch !== undefined) training.batchSeqs = { value: batch, note: `global_train_batch_size ${batch} sequences` };
  // max_duration: an integer (or "739_328") counts steps; "<n>T" counts tokens; "<n>ep" epochs.
  const durAt = y.get('max_duration');
  if (durAt) {
    const raw = String(durAt.value).replace(/_/g, '').trim();
    const tok = /^([\d.]+(?:e\d+)?)T$/i.exec(raw);
    const steps = asNumber(raw);
    if (tok) {
      training.tokens = Number(tok[1]);
      b.derived('tokens', `max_duration ${String(durAt.value)} tokens`, durAt);
    } else if (steps !== undefined && Number.isInteger(steps) && steps > 0) {
      training.steps = steps;
      b.from('maxSteps', durAt, `max_duration ${String(durAt.value)} steps`);
    } else if (/ep$/.test(raw)) {
      b.notes.push(`max_duration ${String(durAt.value)} counts epochs: tokens depend on the dataset size.`);
    } else {
      b.error(`"max_duration" ${JSON.stringify(durAt.value)} is neither steps (739_328), tokens (2e12T) nor epochs (1ep)`, durAt);
    }
  }
  const lrAt = y.get('optimizer.learning_rate');
  const lr = b.num(lrAt, 'optimizer.learning_rate', { exclusiveMin: 0 });
  if (lr !== undefined && lrAt) {
    extra.peakLr = lr;
    b.from('peakLr', lrAt);
  }
  const sched = y.get('scheduler.name');
  if (sched && typeof sched.value === 'string') {
    extra.schedule = { type: sched.value };
    b.from('schedule', sched);
    const w = b.num(y.get('scheduler.t_warmup'), 'scheduler.t_warmup', { min: 0 });
    if (w !== undefined && y.get('scheduler.units')?.value !== 'tokens') extra.schedule.warmupSteps = w;
  }
  b.notes.push('GPUs are set by the launcher (torchrun), not the YAML.');
  return finishPlan(b, arch, style, training, extra);
}
