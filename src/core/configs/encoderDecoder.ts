// Encoder-decoder Hugging Face configs (BART, T5 / mT5) → exact parameter counts.
//
// BART (transformers `modeling_bart.py`): one shared token embedding V·d (the LM head is tied to
// it); encoder and decoder each have learned positions (max_position_embeddings + 2)·d (BART's
// offset of 2) and a `layernorm_embedding` (2d).
//   encoder layer: self-attention 4d² + 4d, LayerNorm 2d, fc1 d·f + f, fc2 f·d + d, LayerNorm 2d
//   decoder layer: the same plus cross-attention 4d² + 4d and its LayerNorm 2d
//   `add_final_layer_norm` (mBART) adds 2d to each stack. `final_logits_bias` is a buffer, not a parameter.
//   Check: facebook/bart-large (d 1024, 12+12 layers, f 4096, V 50265, 1024 positions) → 406,291,456.
// T5 (`modeling_t5.py`): shared embedding V·d; attention q,k,v,o = 4·d·(H·d_kv), no biases; RMS
//   LayerNorm d (weight only) before each sub-layer and at the end of each stack; a relative
//   attention bias table (buckets × H) in the first layer of each stack (self-attention only); FFN
//   2·d·d_ff (`relu`) or 3·d·d_ff (`gated-gelu`, T5 v1.1 / mT5); LM head V·d when untied.
//   Check: t5-small (d 512, d_kv 64, H 8, d_ff 2048, 6+6 layers, V 32128, tied) → 60,506,624.
import type { Diagnostic } from '../diagnostics';
import { formatCount, requireKey, take, type ParamCount } from './hfRead';
import type { JsonObjectReader } from './json';
import type { ModelArchitecture, ValueSource } from './types';

type Result = { arch: ModelArchitecture; count: ParamCount } | { notApplicable: string } | undefined;

export function readEncoderDecoder(
  r: JsonObjectReader,
  modelType: string,
  sources: Record<string, ValueSource>,
  notes: string[],
  diagnostics: Diagnostic[],
): Result {
  return modelType === 'bart' ? readBart(r, sources, notes, diagnostics) : readT5(r, modelType, sources, notes, diagnostics);
}

const pos = { integer: true, min: 1 };

function readBart(r: JsonObjectReader, sources: Record<string, ValueSource>, notes: string[], diagnostics: Diagnostic[]): Result {
  const f = r.file;
  const n = (key: string, path: string) => requireKey(take(r.number(key, pos), path, f, sources, diagnostics), key, r, diagnostics);
  const d = n('d_model', 'architecture.dModel');
  const encL = n('encoder_layers', 'architecture.encoderLayers');
  const decL = n('decoder_layers', 'architecture.decoderLayers');
  const H = n('encoder_attention_heads', 'architecture.nHead');
  const encF = n('encoder_ffn_dim', 'architecture.dFfn');
  const decF = take(r.number('decoder_ffn_dim', pos), 'architecture.decoderFfn', f, sources, diagnostics) ?? encF;
  const V = n('vocab_size', 'architecture.vocab');
  const T = take(r.number('max_position_embeddings', pos), 'architecture.positions', f, sources, diagnostics) ?? 1024;
  const finalLn = r.boolean('add_final_layer_norm');
  const tied = r.boolean('tie_word_embeddings');
  if (d === undefined || encL === undefined || decL === undefined || H === undefined || encF === undefined || decF === undefined || V === undefined)
    return undefined;
  const archNode = r.node('architectures');
  const archNames = (archNode?.type === 'array' ? (archNode.children ?? []) : []).map((c) => String(c.value));
  const foreign = archNames.filter((a) => !a.startsWith('Bart'));
  if (foreign.length) notes.push(`architectures ${foreign.join(', ')} is not BART's own class: counted as BART modules (model_type "bart").`);
  const untied = tied.ok === true && tied.value === false;
  const ffn = (ff: number) => 2 * d * ff + ff + d;
  const attn = 4 * d * d + 4 * d;
  const ln = 2 * d;
  const encLayer = attn + ln + ffn(encF) + ln;
  const decLayer = attn + ln + attn + ln + ffn(decF) + ln;
  const stackExtra = ln + (finalLn.ok === true && finalLn.value ? ln : 0); // layernorm_embedding (+ final LayerNorm)
  const nonEmbedding = encL * encLayer + decL * decLayer + 2 * stackExtra;
  const positions = 2 * (T + 2) * d;
  const embedding = V * d + (untied ? V * d : 0) + positions;
  const total = nonEmbedding + embedding;
  const formula = `encoder ${encL} × ${formatCount(encLayer)} + decoder ${decL} × ${formatCount(decLayer)} + embedding LayerNorms ${formatCount(2 * stackExtra)} + shared embedding ${formatCount(V)}×${d}${untied ? ' + untied head' : ''} + positions 2×(${T}+2)×${d}`;
  const arch: ModelArchitecture = {
    modelType: 'bart',
    nLayer: encL + decL,
    dModel: d,
    nHead: H,
    nKvHead: H,
    headDim: d / H,
    dFfn: encF,
    vocab: V,
    tiedEmbeddings: !untied,
    positions: T,
    learnedPositions: true,
    encoderLayers: encL,
    decoderLayers: decL,
  };
  notes.push(
    `Encoder-decoder (BART): ${encL} encoder + ${decL} decoder layers; FLOPs treat every token as passing through both stacks (6·N per token), an upper bound when inputs and targets differ in length.`,
  );
  return { arch, count: { total, nonEmbedding, embedding, perLayer: encLayer, formula } };
}

function readT5(r: JsonObjectReader, modelType: string, sources: Record<string, ValueSource>, notes: string[], diagnostics: Diagnostic[]): Result {
  const f = r.file;
  const n = (key: string, path: string) => requireKey(take(r.number(key, pos), path, f, sources, diagnostics), key, r, diagnostics);
  const d = n('d_model', 'architecture.dModel');
  const dkv = n('d_kv', 'architecture.headDim');
  const H = n('num_heads', 'architecture.nHead');
  const ff = n('d_ff', 'architecture.dFfn');
  const encL = n('num_layers', 'architecture.encoderLayers');
  const V = n('vocab_size', 'architecture.vocab');
  const decRead = take(r.number('num_decoder_layers', pos), 'architecture.decoderLayers', f, sources, diagnostics);
  const buckets = take(r.number('relative_attention_num_buckets', pos), 'architecture.relativeBuckets', f, sources, diagnostics) ?? 32;
  const proj = r.string('feed_forward_proj');
  const tied = r.boolean('tie_word_embeddings');
  if (d === undefined || dkv === undefined || H === undefined || ff === undefined || encL === undefined || V === undefined) return undefined;
  const decL = decRead ?? encL;
  if (decRead === undefined) sources['architecture.decoderLayers'] = { file: f, note: 'assumed: num_decoder_layers = num_layers' };
  const gated = proj.ok === true && proj.value.startsWith('gated-');
  // T5Config defaults tie_word_embeddings to true; mT5 and T5 v1.1 configs set it false.
  const untied = tied.ok === true && tied.value === false;
  const inner = H * dkv;
  const attn = 4 * d * inner;
  const ffn = (gated ? 3 : 2) * d * ff;
  const encLayer = attn + d + ffn + d;
  const decLayer = attn + d + attn + d + ffn + d;
  const rel = buckets * H;
  const nonEmbedding = encL * encLayer + decL * decLayer + 2 * (rel + d);
  const embedding = V * d + (untied ? V * d : 0);
  const total = nonEmbedding + embedding;
  const formula = `encoder ${encL} × ${formatCount(encLayer)} + decoder ${decL} × ${formatCount(decLayer)} + relative bias 2×${rel} + final norms 2×${d} + shared embedding ${formatCount(V)}×${d}${untied ? ` + untied head ${formatCount(V)}×${d}` : ''}`;
  const arch: ModelArchitecture = {
    modelType,
    nLayer: encL + decL,
    dModel: d,
    nHead: H,
    nKvHead: H,
    headDim: dkv,
    dFfn: ff,
    vocab: V,
    tiedEmbeddings: !untied,
    learnedPositions: false,
    encoderLayers: encL,
    decoderLayers: decL,
  };
  notes.push(
    `Encoder-decoder (${modelType}): ${encL} encoder + ${decL} decoder layers${gated ? ', gated FFN' : ''}; FLOPs treat every token as passing through both stacks (6·N per token).`,
  );
  return { arch, count: { total, nonEmbedding, embedding, perLayer: encLayer, formula } };
}
