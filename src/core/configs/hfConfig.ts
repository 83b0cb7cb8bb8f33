// Hugging Face `config.json` → model shape and exact parameter counts, for decoder-only models.
//
// Supported: GPT-2 (`model_type: gpt2`) and the Llama family of pre-norm RMSNorm / gated-MLP / RoPE
// decoders (`llama`, `mistral`, `qwen2`, `qwen3`). Encoder-decoder, encoder-only, mixture-of-experts
// and unknown model types are reported as not applicable, with the reason.
//
// Counts follow the modules of the `transformers` implementations (checked against published
// totals in test/unit/configs-hf.test.ts):
//   GPT-2 block:  c_attn d×3d (+3d bias), c_proj d×d (+d), c_fc d×f (+f), mlp c_proj f×d (+d), ln_1/ln_2 2d each
//                 → 4d² + 2df + 9d + f (= 12d² + 13d when f = 4d); ln_f 2d; wte V·d; wpe T·d; lm_head tied.
//   Llama block:  q d×(H·h), k and v d×(K·h) each, o (H·h)×d, gate/up/down 3·d·f, two RMSNorms d each;
//                 optional biases (Qwen2: q/k/v; Llama `attention_bias`: q/k/v/o; `mlp_bias`: 2f + d);
//                 Qwen3 adds per-head q_norm/k_norm (2h). Final norm d; embed V·d; lm_head V·d unless tied.
// Non-embedding parameters follow Kaplan et al. (2020), "excluding all vocabulary and positional
// embeddings": total − V·d − (V·d for an untied output head) − (T·d for learned positions). This
// matches the non-embedding counts Qwen publishes for its untied models (see the tests).
import type { Node } from 'jsonc-parser';
import type { Diagnostic } from '../diagnostics';
import { JsonObjectReader, parseJson, sourceOf } from './json';
import type { BlockStyle } from './blockStyle';
import { formatCount, requireKey, take, type ParamCount } from './hfRead';
import type { ConfigReadResult, ModelArchitecture, TrainingPlan, ValueSource } from './types';
import { readEncoderDecoder } from './encoderDecoder';
import { GENERIC_FAMILY, HF_FAMILIES, MOE_FAMILIES, TEXT_CONFIG_WRAPPERS, textModelType, type FamilySpec } from './hfFamilies';

export type { BlockStyle, ParamCount };
export { formatCount, requireKey, take };

/** Types counted by their own definition (hfFamilies.ts); others with the standard keys get the generic count. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = ['gpt2', ...Object.keys(HF_FAMILIES), 'bart', 't5', 'mt5'];

const ENCODER_DECODER = new Set([
  't5',
  'mt5',
  'umt5',
  'longt5',
  'switch_transformers',
  'bart',
  'mbart',
  'pegasus',
  'pegasus_x',
  'marian',
  'led',
  'bigbird_pegasus',
  'blenderbot',
  'blenderbot-small',
  'm2m_100',
  'nllb-moe',
  'fsmt',
  'prophetnet',
  'plbart',
  'whisper',
  'encoder-decoder',
  'cpt',
]);
/** Encoder-decoder types counted exactly (see encoderDecoder.ts). */
const ENCODER_DECODER_COUNTED = new Set(['bart', 't5', 'mt5']);
const ENCODER_ONLY = new Set(['bert', 'roberta', 'xlm-roberta', 'distilbert', 'albert', 'electra', 'deberta', 'deberta-v2', 'modernbert', 'camembert']);
/** Hybrid or fused-expert models whose blocks the generic count would get wrong. */
const NOT_COUNTED = new Map([
  ['dbrx', 'DBRX fuses its experts in one tensor layout not read yet'],
  ['jamba', 'Jamba mixes Mamba and attention layers'],
  ['mamba', 'a state-space model, not a transformer'],
  ['mamba2', 'a state-space model, not a transformer'],
  ['rwkv', 'an RNN, not a transformer'],
]);

/** Exact parameter count of a decoder-only transformer (see the file header for the formulas). */
export function countDecoderParams(arch: ModelArchitecture, style: BlockStyle): ParamCount {
  const d = arch.dModel;
  const L = arch.nLayer;
  const V = arch.vocab;
  const H = arch.nHead;
  const K = arch.nKvHead ?? H;
  const h = arch.headDim ?? d / H;
  const f = arch.dFfn ?? 4 * d;
  let perLayer: number;
  let activePerLayer: number | undefined;
  let finalNorm: number;
  let perLayerText: string;
  let denseExtra = 0;
  let activeDenseExtra = 0;
  if (style.kind === 'gpt2') {
    // Attention projections act on the full width d (GPT-2 has no separate head_dim).
    if (style.bias === false) {
      perLayer = 4 * d * d + 2 * d * f + 2 * d;
      finalNorm = d;
      perLayerText = `4d²+2df+2d (no biases) = ${formatCount(perLayer)}`;
    } else {
      perLayer = 4 * d * d + 2 * d * f + 9 * d + f;
      finalNorm = 2 * d;
      perLayerText = `4d²+2df+9d+f = ${formatCount(perLayer)}`;
    }
  } else {
    const attn = style.attentionParams ?? d * (H * h) + 2 * d * (K * h) + H * h * d;
    const attnBias = style.attentionParams !== undefined ? 0 : (style.qkvBias ? H * h + 2 * K * h : 0) + (style.oBias ? d : 0);
    const mlpOf = (size: number) => (style.plainMlp ? 2 : 3) * d * size + (style.mlpBias ? (style.plainMlp ? size + d : 2 * size + d) : 0);
    const normSize = (style.normWidth ?? (style.normBias ? 2 : 1)) * d;
    const norms = (style.normsPerLayer ?? 2) * normSize + (style.qkNormParams ?? (style.qkNorm ? 2 * h : 0));
    const E = arch.experts ?? 1;
    const dense = style.denseLayers && E > 1 ? style.denseLayers : undefined;
    if (E > 1) {
      const fe = arch.dFfnExpert ?? f;
      const k = arch.expertsPerToken ?? 1;
      const router = d * E + (style.routerBias ? E : 0);
      const shared = style.sharedExpertFfn ? mlpOf(style.sharedExpertFfn) + (style.sharedExpertGate === false ? 0 : d) : 0;
      perLayer = attn + attnBias + E * mlpOf(fe) + router + shared + norms;
      activePerLayer = attn + attnBias + k * mlpOf(fe) + router + shared + norms;
      perLayerText = `attention ${formatCount(attn + attnBias)} + ${E} experts × ${formatCount(mlpOf(fe))} + router ${formatCount(router)}${shared ? ` + shared expert ${formatCount(shared)}` : ''} + norms ${formatCount(norms)}`;
    } else {
      const mlp = mlpOf(f);
      perLayer = attn + attnBias + mlp + norms;
      perLayerText = `attention ${formatCount(attn + attnBias)} + MLP ${formatCount(mlp)} + norms ${formatCount(norms)}`;
    }
    if (dense) {
      // The first layers are dense: count them apart, and the per-layer figure stays the MoE layer's.
      denseExtra = dense.count * (attn + attnBias + mlpOf(dense.ffn) + norms) - dense.count * perLayer;
      activeDenseExtra = dense.count * (attn + attnBias + mlpOf(dense.ffn) + norms) - dense.count * (activePerLayer ?? perLayer);
      perLayerText += `; the first ${dense.count} layer(s) dense (MLP ${formatCount(mlpOf(dense.ffn))})`;
    }
    if (style.otherMixer) {
      const other = style.otherMixer;
      const delta = other.count * (other.params - (attn + attnBias));
      denseExtra += delta;
      activeDenseExtra += delta;
      perLayerText += `; ${other.count} layer(s) with ${other.what} (${formatCount(other.params)}) instead of attention`;
    }
    finalNorm = normSize + (style.extraParams ?? 0);
  }
  const tokenEmbedding = V * d;
  const head = arch.tiedEmbeddings ? 0 : V * d;
  const positionEmbedding = arch.learnedPositions ? (arch.positions ?? 0) * d : 0;
  const embedding = tokenEmbedding + head + positionEmbedding;
  const nonEmbedding = L * perLayer + denseExtra + finalNorm;
  const total = nonEmbedding + embedding;
  const parts = [
    `${L} layers × (${perLayerText})`,
    `final norm ${formatCount(finalNorm)}`,
    `token embedding ${formatCount(V)}×${d}`,
    arch.tiedEmbeddings ? 'output head tied' : `output head ${formatCount(V)}×${d}`,
  ];
  if (positionEmbedding > 0) parts.push(`learned positions ${formatCount(arch.positions ?? 0)}×${d}`);
  const out: ParamCount = { total, nonEmbedding, embedding, perLayer, formula: parts.join(' + ') };
  if (activePerLayer !== undefined) {
    out.activeNonEmbedding = L * activePerLayer + activeDenseExtra + finalNorm;
    out.active = out.activeNonEmbedding + embedding;
    out.formula += `; active per token: ${arch.expertsPerToken ?? 1} of ${arch.experts} experts → ${formatCount(out.active)}`;
  }
  return out;
}

type Family = { modelType: string; assumedFrom?: string; generic?: boolean };

const ARCHITECTURE_PREFIXES: [RegExp, string][] = [
  [/^GPT2(LMHead|Model|DoubleHeads|ForSequence|ForToken|ForQuestion)/, 'gpt2'],
  [/^Llama(For|Model)/, 'llama'],
  [/^Mistral(For|Model)/, 'mistral'],
  [/^Qwen2(For|Model)/, 'qwen2'],
  [/^Qwen3(For|Model)/, 'qwen3'],
];

const MODEL_KEYS = [
  'model_type',
  'architectures',
  'n_embd',
  'n_layer',
  'hidden_size',
  'num_hidden_layers',
  'd_model',
  'num_layers',
  'vocab_size',
  'intermediate_size',
];

type Decision = { family: Family } | { notApplicable: string };

function decideFamily(r: JsonObjectReader, diagnostics: Diagnostic[]): Decision {
  const encDec = r.boolean('is_encoder_decoder');
  const mt = r.string('model_type');
  if (mt.ok === false) diagnostics.push(mt.diagnostic);
  const modelType = mt.ok === true ? textModelType(mt.value.toLowerCase()) : undefined;
  if (modelType !== undefined) {
    if (ENCODER_DECODER_COUNTED.has(modelType)) return { family: { modelType } };
    if (ENCODER_DECODER.has(modelType) || (encDec.ok === true && encDec.value)) {
      return { notApplicable: `encoder-decoder model (model_type "${modelType}"): only BART and T5 encoder-decoders are counted so far` };
    }
    if (ENCODER_ONLY.has(modelType)) {
      return { notApplicable: `encoder-only model (model_type "${modelType}"): only decoder-only models are supported so far` };
    }
    const why = NOT_COUNTED.get(modelType);
    if (why !== undefined) return { notApplicable: `model_type "${modelType}": ${why}; its size is not counted` };
    if (SUPPORTED_MODEL_TYPES.includes(modelType)) return { family: { modelType } };
    // Unknown type: counted generically when the standard decoder keys are there, and labelled so.
    const standard = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'vocab_size'];
    if (standard.every((k) => r.node(k) !== undefined)) return { family: { modelType, generic: true } };
    return {
      notApplicable: `model_type "${modelType}" is not known and lacks the standard keys (${standard.filter((k) => r.node(k) === undefined).join(', ')} missing) for a generic count`,
    };
  }
  if (encDec.ok === true && encDec.value) {
    return { notApplicable: 'encoder-decoder model (is_encoder_decoder) without a model_type: only BART and T5 are counted so far' };
  }
  // No model_type: the architectures list, then the keys themselves.
  const archNode = r.node('architectures');
  const archNames = (archNode?.type === 'array' ? (archNode.children ?? []) : []).filter((n) => n.type === 'string').map((n) => n.value as string);
  for (const name of archNames) {
    for (const [re, type] of ARCHITECTURE_PREFIXES) {
      if (re.test(name)) return { family: { modelType: type, assumedFrom: `architectures "${name}"` } };
    }
  }
  const has = (k: string) => r.node(k) !== undefined;
  if (has('n_embd') && has('n_layer')) {
    return { family: { modelType: 'gpt2', assumedFrom: 'keys n_embd/n_layer' } };
  }
  const llamaKeys = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size'];
  if (llamaKeys.every(has) && !has('encoder_layers') && !has('decoder_layers') && !has('type_vocab_size')) {
    return { family: { modelType: 'llama', assumedFrom: `keys ${llamaKeys.join('/')}` } };
  }
  if (!MODEL_KEYS.some(has)) return { notApplicable: 'no model in this file' };
  if (archNames.length > 0) return { notApplicable: `architecture ${archNames.join(', ')} is not supported yet` };
  return { notApplicable: 'model shape not recognised (no model_type, and keys of no supported family)' };
}

/** Reads a Hugging Face model `config.json` (its text, and its path for diagnostics and sources). */
export function readHfModelConfig(text: string, file: string): ConfigReadResult {
  const { root, errors } = parseJson(text, file);
  if (errors.length > 0 || !root) {
    const first = errors[0];
    const message = first ? `${file}:${first.line}: ${first.message}` : `${file}: empty file`;
    return { kind: 'error', message, diagnostics: errors.length ? errors : [{ file, severity: 'error', message: 'empty file' }] };
  }
  if (root.type !== 'object') return { kind: 'not-applicable', reason: 'no model in this file', diagnostics: [] };
  let r = new JsonObjectReader(root, text, file);
  const diagnostics: Diagnostic[] = [];
  // Multimodal wrappers (Gemma 3, LLaVA, Mistral 3, Qwen-VL): the language model is `text_config`.
  const textNode = r.node('text_config');
  const wrapperType = r.string('model_type');
  const multimodal = textNode?.type === 'object' && r.node('hidden_size') === undefined && r.node('num_hidden_layers') === undefined;
  if (multimodal) r = new JsonObjectReader(textNode, text, file);
  const decision = decideFamily(r, diagnostics);
  if ('notApplicable' in decision) return { kind: 'not-applicable', reason: decision.notApplicable, diagnostics };
  const family = decision.family;
  const notes: string[] = [];
  const sources: Record<string, ValueSource> = {};
  if (multimodal) {
    const wrapper = wrapperType.ok === true ? wrapperType.value : 'multimodal';
    notes.push(
      `${TEXT_CONFIG_WRAPPERS.has(wrapper) ? wrapper : `"${wrapper}"`} is multimodal: the count is its language model (text_config, ${family.modelType}); the vision/audio encoders and projector are not counted.`,
    );
  }
  if (family.assumedFrom !== undefined) {
    notes.push(`No model_type: read as ${family.modelType} from ${family.assumedFrom}.`);
    diagnostics.push({ file, severity: 'warning', message: `no "model_type": assumed ${family.modelType} from ${family.assumedFrom}` });
  }
  const errorsBefore = diagnostics.filter((d) => d.severity === 'error').length;
  const shape: Shape | undefined = ENCODER_DECODER_COUNTED.has(family.modelType)
    ? readEncoderDecoder(r, family.modelType, sources, notes, diagnostics)
    : family.modelType === 'gpt2'
      ? readGpt2(r, sources, notes, diagnostics)
      : readLlama(r, family, sources, notes, diagnostics);
  const newErrors = diagnostics.filter((d) => d.severity === 'error').slice(errorsBefore);
  if (!shape || newErrors.length > 0) {
    const first = newErrors[0];
    const where = first?.line !== undefined ? `${file}:${first.line}` : file;
    return { kind: 'error', message: `${where}: ${first?.message ?? 'invalid model config'}`, diagnostics };
  }
  if ('notApplicable' in shape) return { kind: 'not-applicable', reason: shape.notApplicable, diagnostics };
  const count = 'count' in shape ? shape.count : countDecoderParams(shape.arch, shape.style);
  sources['params.total'] = { file, note: `derived: ${count.formula} = ${formatCount(count.total)}` };
  sources['params.nonEmbedding'] = {
    file,
    note: `derived: total − vocabulary${shape.arch.learnedPositions ? ' and position' : ''} embeddings${shape.arch.tiedEmbeddings ? '' : ' (input and untied output head)'} = ${formatCount(count.nonEmbedding)} (Kaplan et al. 2020 convention)`,
  };
  const plan: TrainingPlan = {
    params: { total: count.total, nonEmbedding: count.nonEmbedding },
    architecture: shape.arch,
    format: 'hf',
    sources,
    notes,
  };
  if (count.active !== undefined && count.activeNonEmbedding !== undefined) {
    plan.params.active = count.active;
    plan.params.activeNonEmbedding = count.activeNonEmbedding;
    sources['params.active'] = { file, note: `derived: ${formatCount(count.active)} parameters used per token (top-${shape.arch.expertsPerToken} experts)` };
  }
  return { kind: 'plan', plan, diagnostics };
}

type Shape = { arch: ModelArchitecture; style: BlockStyle } | { arch: ModelArchitecture; count: ParamCount } | { notApplicable: string };

function readGpt2(r: JsonObjectReader, sources: Record<string, ValueSource>, notes: string[], diagnostics: Diagnostic[]): Shape | undefined {
  const f = r.file;
  const pos = { integer: true, min: 1 };
  const d = requireKey(take(r.number('n_embd', pos), 'architecture.dModel', f, sources, diagnostics), 'n_embd', r, diagnostics);
  const L = requireKey(take(r.number('n_layer', pos), 'architecture.nLayer', f, sources, diagnostics), 'n_layer', r, diagnostics);
  const H = requireKey(take(r.number('n_head', pos), 'architecture.nHead', f, sources, diagnostics), 'n_head', r, diagnostics);
  const V = requireKey(take(r.number('vocab_size', pos), 'architecture.vocab', f, sources, diagnostics), 'vocab_size', r, diagnostics);
  let inner = take(r.number('n_inner', pos), 'architecture.dFfn', f, sources, diagnostics);
  let T = take(r.number('n_positions', pos), 'architecture.positions', f, sources, diagnostics);
  if (T === undefined) T = take(r.number('n_ctx', pos), 'architecture.positions', f, sources, diagnostics);
  const tied = take(r.boolean('tie_word_embeddings'), 'architecture.tiedEmbeddings', f, sources, diagnostics);
  const cross = r.boolean('add_cross_attention');
  if (cross.ok === true && cross.value) return { notApplicable: 'GPT-2 with cross-attention (add_cross_attention): not supported yet' };
  if (d === undefined || L === undefined || H === undefined || V === undefined) return undefined;
  if (d % H !== 0) {
    diagnostics.push(r.problem(r.node('n_head') ?? r.obj, `"n_embd" (${d}) is not divisible by "n_head" (${H})`));
    return undefined;
  }
  if (inner === undefined) {
    inner = 4 * d;
    sources['architecture.dFfn'] = { file: f, note: `derived: n_inner absent or null → 4·n_embd = ${inner}` };
  }
  if (T === undefined) {
    T = 1024;
    sources['architecture.positions'] = { file: f, note: 'assumed: n_positions 1024 (GPT2Config default)' };
    notes.push('n_positions not set: assumed 1024 (the GPT2Config default).');
  }
  if (tied === undefined) sources['architecture.tiedEmbeddings'] = { file: f, note: 'assumed: tied (GPT-2 default)' };
  const arch: ModelArchitecture = {
    modelType: 'gpt2',
    nLayer: L,
    dModel: d,
    nHead: H,
    nKvHead: H,
    headDim: d / H,
    dFfn: inner,
    vocab: V,
    tiedEmbeddings: tied ?? true,
    positions: T,
    learnedPositions: true,
  };
  return { arch, style: { kind: 'gpt2' } };
}

function readLlama(r: JsonObjectReader, family: Family, sources: Record<string, ValueSource>, notes: string[], diagnostics: Diagnostic[]): Shape | undefined {
  const modelType = family.modelType;
  const spec: FamilySpec = HF_FAMILIES[modelType] ?? GENERIC_FAMILY;
  const f = r.file;
  const pos = { integer: true, min: 1 };
  /** The first of a key's names that the config has (families spell some keys their own way). */
  const keyOf = (key: keyof NonNullable<FamilySpec['aliases']>): string =>
    (spec.aliases?.[key] ?? [key]).find((k) => r.node(k) !== undefined) ?? spec.aliases?.[key]?.[0] ?? key;
  let experts: { E: number; k: number; fe?: number; shared?: number } | undefined;
  for (const key of ['num_local_experts', 'num_experts', 'n_routed_experts']) {
    const e = r.number(key, pos);
    if (e.ok === false) diagnostics.push(e.diagnostic);
    if (e.ok !== true || e.value <= 1) continue;
    sources['architecture.experts'] = sourceOf(f, e.node);
    const k = requireKey(
      take(r.number('num_experts_per_tok', pos), 'architecture.expertsPerToken', f, sources, diagnostics),
      'num_experts_per_tok',
      r,
      diagnostics,
    );
    const fe = take(r.number('moe_intermediate_size', pos), 'architecture.dFfnExpert', f, sources, diagnostics);
    const shared = take(r.number('shared_expert_intermediate_size', { integer: true, min: 0 }), 'architecture.sharedExpertFfn', f, sources, diagnostics);
    experts = { E: e.value, k: k ?? 1, fe, shared };
    if (k !== undefined && k > e.value) {
      diagnostics.push(r.problem(r.node('num_experts_per_tok') as Node, `"num_experts_per_tok" (${k}) is more than the ${e.value} experts`));
      return undefined;
    }
    if (!MOE_FAMILIES.has(modelType))
      notes.push(
        `"${key}" ${e.value}: counted as a mixture of experts with gated experts of moe_intermediate_size (or intermediate_size) and a d×E router (generic assumption for ${modelType}).`,
      );
    for (const sparse of ['decoder_sparse_step', 'mlp_only_layers']) {
      const n = r.node(sparse);
      if (n && !(n.type === 'number' && n.value === 1) && !(n.type === 'array' && (n.children?.length ?? 0) === 0)) {
        notes.push(`"${sparse}" is set: the count assumes every layer is a MoE layer.`);
      }
    }
    break;
  }
  const hKey = keyOf('hidden_size');
  const lKey = keyOf('num_hidden_layers');
  const nhKey = keyOf('num_attention_heads');
  const ffKey = keyOf('intermediate_size');
  const d = requireKey(take(r.number(hKey, pos), 'architecture.dModel', f, sources, diagnostics), hKey, r, diagnostics);
  const L = requireKey(take(r.number(lKey, pos), 'architecture.nLayer', f, sources, diagnostics), lKey, r, diagnostics);
  const H = requireKey(take(r.number(nhKey, pos), 'architecture.nHead', f, sources, diagnostics), nhKey, r, diagnostics);
  let ffn = take(r.number(ffKey, pos), 'architecture.dFfn', f, sources, diagnostics);
  if (ffn === undefined && d !== undefined && spec.defaultFfn) {
    ffn = spec.defaultFfn(d);
    sources['architecture.dFfn'] = { file: f, note: `assumed: ${ffKey} not set → ${ffn} (the ${modelType} default)` };
  }
  // An MoE without a dense FFN size: the experts' size stands in (it is only used for dense layers).
  if (ffn === undefined && experts?.fe !== undefined) ffn = experts.fe;
  if (ffn === undefined) requireKey(undefined, ffKey, r, diagnostics);
  if (ffn !== undefined && spec.ffnDivisor) {
    sources['architecture.dFfn'] = { file: f, note: `derived: ${ffKey} ${ffn} / ${spec.ffnDivisor} (each of the MLP's matrices)` };
    ffn = ffn / spec.ffnDivisor;
  }
  const V = requireKey(take(r.number('vocab_size', pos), 'architecture.vocab', f, sources, diagnostics), 'vocab_size', r, diagnostics);
  const kvKeys = spec.aliases?.num_key_value_heads ?? ['num_key_value_heads'];
  let K: number | undefined;
  for (const key of kvKeys) K ??= take(r.number(key, pos), 'architecture.nKvHead', f, sources, diagnostics);
  if (K === undefined && H !== undefined && spec.kvHeads) {
    K = spec.kvHeads(r, H);
    if (K !== undefined) sources['architecture.nKvHead'] = { file: f, note: `derived: ${K} key/value head(s) (${modelType} attention)` };
  }
  let headDim = take(r.number('head_dim', pos), 'architecture.headDim', f, sources, diagnostics);
  if (headDim === undefined) headDim = take(r.number('kv_channels', pos), 'architecture.headDim', f, sources, diagnostics);
  const T = take(r.number('max_position_embeddings', pos), 'architecture.positions', f, sources, diagnostics);
  const tied = take(r.boolean('tie_word_embeddings'), 'architecture.tiedEmbeddings', f, sources, diagnostics);
  for (const b of [r.boolean('attention_bias'), r.boolean('mlp_bias')]) if (b.ok === false) diagnostics.push(b.diagnostic);
  if (d === undefined || L === undefined || H === undefined || ffn === undefined || V === undefined) return undefined;
  if (K === undefined) {
    K = H;
    sources['architecture.nKvHead'] = { file: f, note: 'assumed: num_key_value_heads not set → num_attention_heads (multi-head attention)' };
  } else if (H % K !== 0) {
    diagnostics.push(r.problem((r.node('num_key_value_heads') ?? r.obj) as Node, `"${nhKey}" (${H}) is not a multiple of "num_key_value_heads" (${K})`));
    return undefined;
  }
  if (headDim === undefined) {
    if (d % H !== 0) {
      diagnostics.push(r.problem(r.node(nhKey) as Node, `"${hKey}" (${d}) is not divisible by "${nhKey}" (${H}) and "head_dim" is not set`));
      return undefined;
    }
    headDim = d / H;
    sources['architecture.headDim'] = { file: f, note: `derived: ${hKey} / ${nhKey} = ${headDim}` };
  }
  const tiedDefault = spec.tiedDefault ?? false;
  if (tied === undefined) {
    sources['architecture.tiedEmbeddings'] = { file: f, note: `assumed: ${tiedDefault ? 'tied' : 'untied'} (the ${modelType} config default)` };
    notes.push(`tie_word_embeddings not set: assumed ${tiedDefault} (the transformers default for this model type).`);
  }
  const arch: ModelArchitecture = {
    modelType,
    nLayer: L,
    dModel: d,
    nHead: H,
    nKvHead: K,
    headDim,
    dFfn: ffn,
    vocab: V,
    tiedEmbeddings: tied ?? tiedDefault,
    learnedPositions: false,
  };
  if (T !== undefined) arch.positions = T;
  const style = spec.style(r, { d, L, H, K, h: headDim });
  if (family.generic) {
    notes.push(`model_type "${modelType}" is not one Scaling Lens knows: ${GENERIC_FAMILY.note}.`);
    diagnostics.push({
      file: f,
      severity: 'info',
      message: `model_type "${modelType}": generic Llama-style parameter count (see the notes for its assumptions)`,
    });
  } else if (spec.note) {
    notes.push(spec.note);
  }
  if (experts) {
    arch.experts = experts.E;
    arch.expertsPerToken = experts.k;
    arch.dFfnExpert = experts.fe ?? ffn;
    if (experts.fe === undefined) sources['architecture.dFfnExpert'] = { file: f, note: 'assumed: each expert has intermediate_size' };
    if (style.kind === 'llama' && experts.shared && style.sharedExpertFfn === undefined) style.sharedExpertFfn = experts.shared;
    notes.push(`Mixture of experts: ${experts.k} of ${experts.E} experts per token; FLOPs use the active parameters.`);
  }
  return { arch, style };
}
