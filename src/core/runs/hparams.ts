// Hyperparameters that logging frameworks store beside their logs in free form (Lightning's
// hparams.yaml, MLflow's params/, W&B's config.yaml): read safely and map the keys that are
// recognisable onto RunHyper, saying which were read and which were derived.
import type * as YamlLib from 'yaml';

/** The YAML parser, loaded on first use (a cold start that reads no YAML never loads it). */
let yamlLib: typeof YamlLib | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAML = (): typeof YamlLib => (yamlLib ??= require('yaml') as typeof YamlLib);
import type { Diagnostic } from '../diagnostics';
import type { RunHyper } from './types';
import { isPlainObject, shorten } from './common';

export type NativeHyper = Omit<RunHyper, 'notes' | 'family'>;

export interface HyperReading {
  hyper: NativeHyper;
  notes: string[];
  diagnostics: Diagnostic[];
}

/** First key present wins (compared by paramLeaf). Family guesses count them all as varying within a family. */
export const HPARAM_KEYS = {
  dModel: ['d_model', 'n_embd', 'hidden_size', 'dim', 'embed_dim', 'model_dim', 'emb_dim'],
  layers: ['num_layers', 'n_layer', 'n_layers', 'num_hidden_layers', 'layers', 'depth'],
  ff: ['ff_hidden', 'ffn_dim', 'd_ff', 'intermediate_size', 'ffn_hidden_size', 'n_inner', 'dim_feedforward'],
  vocab: ['vocab_size', 'n_vocab', 'padded_vocab_size'],
  lr: ['lr', 'learning_rate', 'peak_lr', 'max_lr', 'base_lr'],
  seqLen: ['max_seq_len', 'seq_len', 'seq_length', 'block_size', 'max_seq_length', 'sequence_length', 'context_length', 'n_ctx'],
  maxSteps: ['max_steps', 'max_iters', 'train_iters', 'total_steps', 'num_steps', 'steps'],
  params: ['num_params', 'n_params', 'params', 'model_params', 'parameters'],
  tokens: ['max_tokens', 'total_tokens', 'train_tokens', 'num_tokens'],
} as const;

/** A parameter key's last path segment (`/` or `.`), lower case, leading dashes dropped, `-` as `_`. */
export function paramLeaf(key: string): string {
  const leaf = key.split(/[/.]/).pop() ?? key;
  return leaf.toLowerCase().replace(/^-+/, '').replace(/-/g, '_');
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Map a flat bag of parameters (nested objects flattened to `a/b` or `a.b` keys, or plain keys) onto
 * RunHyper. `source` names where they came from, for the notes.
 */
export function hyperFromParams(params: Map<string, unknown>, source: string): { hyper: NativeHyper; notes: string[] } {
  const byLeaf = new Map<string, { key: string; value: number }>();
  for (const [key, raw] of params) {
    const value = numberOf(raw);
    if (value === undefined) continue;
    const leaf = paramLeaf(key);
    if (!byLeaf.has(leaf)) byLeaf.set(leaf, { key, value });
  }
  const pick = (names: readonly string[]): { key: string; value: number } | undefined => {
    for (const n of names) {
      const hit = byLeaf.get(n);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  const hyper: NativeHyper = {};
  const notes: string[] = [];
  const lr = pick(HPARAM_KEYS.lr);
  if (lr && lr.value > 0 && lr.value < 1) {
    hyper.peakLr = lr.value;
    notes.push(`peakLr from ${source} ${lr.key}`);
  }
  const seq = pick(HPARAM_KEYS.seqLen);
  if (seq && Number.isInteger(seq.value) && seq.value > 0) {
    hyper.seqLen = seq.value;
    notes.push(`seqLen from ${source} ${seq.key}`);
  }
  const steps = pick(HPARAM_KEYS.maxSteps);
  if (steps && Number.isInteger(steps.value) && steps.value > 0) {
    hyper.maxSteps = steps.value;
    notes.push(`maxSteps from ${source} ${steps.key}`);
  }
  const tokens = pick(HPARAM_KEYS.tokens);
  if (tokens && tokens.value > 0) {
    hyper.tokens = tokens.value;
    notes.push(`tokens from ${source} ${tokens.key}`);
  }
  const params_ = pick(HPARAM_KEYS.params);
  const d = pick(HPARAM_KEYS.dModel);
  const l = pick(HPARAM_KEYS.layers);
  if (params_ && params_.value > 1000) {
    hyper.params = params_.value;
    notes.push(`params from ${source} ${params_.key}`);
  } else if (d && l && d.value > 0 && l.value > 0) {
    // A standard transformer block: attention 4·d², MLP 2·d·f (f = 4d when not given); embeddings V·d (tied).
    const f = pick(HPARAM_KEYS.ff);
    const ff = f && f.value > 0 ? f.value : 4 * d.value;
    hyper.nonEmbeddingParams = l.value * (4 * d.value * d.value + 2 * d.value * ff);
    const v = pick(HPARAM_KEYS.vocab);
    const how = `${l.key} ${l.value} × (4·${d.key}² + 2·${d.key}·${f ? f.key : '4d (assumed)'})`;
    if (v && v.value > 0) {
      hyper.params = hyper.nonEmbeddingParams + v.value * d.value;
      notes.push(`params estimated from ${source}: ${how} + ${v.key}·${d.key} (plain transformer block, tied embeddings, biases and norms ignored)`);
    } else {
      notes.push(`nonEmbeddingParams estimated from ${source}: ${how} (plain transformer block, biases and norms ignored)`);
    }
  }
  return { hyper, notes };
}

/** Nested objects as `a/b` keys (the shape hyperFromParams and family guesses read). */
export function flattenParams(obj: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  flatten(obj, '', out);
  return out;
}

/** Flatten nested objects into `a/b` keys. */
function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, unknown>, depth = 0): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}/${k}` : k;
    if (isPlainObject(v) && depth < 4) flatten(v, key, out, depth + 1);
    else out.set(key, v);
  }
}

/**
 * Parse a YAML document of free-form hyperparameters. Unknown tags (`!!python/object:…`, which
 * Lightning writes for namespaces) are kept as plain values instead of failing; aliases are capped.
 * W&B's `{desc, value}` wrappers are unwrapped when `unwrapValue` is set. Never throws.
 */
export function readParamsYaml(text: string, file: string, unwrapValue = false): { params: Map<string, unknown>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const params = new Map<string, unknown>();
  try {
    const doc = YAML().parseDocument(text, { logLevel: 'silent', uniqueKeys: false, prettyErrors: false });
    for (const e of doc.errors) {
      diagnostics.push({ file, line: e.linePos?.[0]?.line, severity: 'warning', message: `YAML: ${shorten(e.message.split('\n')[0], 100)}` });
    }
    const js: unknown = doc.toJS({ maxAliasCount: 100 });
    if (isPlainObject(js)) {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(js)) {
        if (unwrapValue && isPlainObject(v) && 'value' in v) obj[k] = v.value;
        else obj[k] = v;
      }
      flatten(obj, '', params);
    } else if (js !== null && js !== undefined) {
      diagnostics.push({ file, line: 1, severity: 'warning', message: 'not a YAML mapping of hyperparameters; ignored' });
    }
  } catch (e) {
    diagnostics.push({ file, line: 1, severity: 'warning', message: `cannot read YAML: ${shorten(e instanceof Error ? e.message : String(e), 100)}` });
  }
  return { params, diagnostics };
}
