// A Hugging Face-style model block nested anywhere in a YAML or JSON file: nanotron's
// `model.model_config`, a W&B/Hydra dump's `model:` section, a DeepSeek inference JSON. The block
// is counted by the HF reader (hfConfig.ts) as if it were a config.json; nanotron's `tokens` and
// `parallelism` sections give the training length.
import { formatCount } from './hfConfig';
import { readHfModelConfig } from './hfConfig';
import type { ConfigReadResult, ValueSource } from './types';
import type { YamlView } from './yamlView';

/** The keys that make a mapping an HF-style decoder block. */
const HF_KEYS = ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'vocab_size'];
/** DeepSeek's own inference configs (DeepSeek-V3 `inference/configs/*.json`, `inference/model.py` ModelArgs). */
const DEEPSEEK_KEYS = ['dim', 'n_layers', 'n_heads', 'vocab_size'];

type Block = { path: string; kind: 'hf' | 'deepseek' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Breadth-first, so the outermost block wins; at most a few levels deep. */
export function findModelBlock(y: YamlView): Block | undefined {
  const queue: { path: string; depth: number }[] = [{ path: '', depth: 0 }];
  while (queue.length > 0) {
    const { path, depth } = queue.shift()!;
    const keys = y.keys(path);
    const has = (k: string) => keys.includes(k);
    if (HF_KEYS.every(has)) return { path, kind: 'hf' };
    if (DEEPSEEK_KEYS.every(has) && (has('kv_lora_rank') || has('n_routed_experts'))) return { path, kind: 'deepseek' };
    if (depth >= 5) continue;
    for (const k of keys) {
      const child = path ? `${path}.${k}` : k;
      if (y.keys(child).length > 0) queue.push({ path: child, depth: depth + 1 });
    }
  }
  return undefined;
}

const DEEPSEEK_TO_HF: Record<string, string> = {
  dim: 'hidden_size',
  n_layers: 'num_hidden_layers',
  n_heads: 'num_attention_heads',
  inter_dim: 'intermediate_size',
  moe_inter_dim: 'moe_intermediate_size',
  n_routed_experts: 'n_routed_experts',
  n_shared_experts: 'n_shared_experts',
  n_activated_experts: 'num_experts_per_tok',
  n_dense_layers: 'first_k_dense_replace',
  q_lora_rank: 'q_lora_rank',
  kv_lora_rank: 'kv_lora_rank',
  qk_nope_head_dim: 'qk_nope_head_dim',
  qk_rope_head_dim: 'qk_rope_head_dim',
  v_head_dim: 'v_head_dim',
  vocab_size: 'vocab_size',
};

/** Reads the block as an HF config; sources point into this file. */
export function readNestedModel(y: YamlView, block: Block, format: string): ConfigReadResult {
  const at = (k: string) => (block.path ? `${block.path}.${k}` : k);
  const hf: Record<string, unknown> = {};
  const keyOfHf = new Map<string, string>();
  for (const k of y.keys(block.path)) {
    const v = y.get(at(k))?.value;
    if (v === undefined || isObject(v)) continue;
    const name = block.kind === 'deepseek' ? DEEPSEEK_TO_HF[k] : k;
    if (name === undefined) continue;
    hf[name] = v;
    keyOfHf.set(name, k);
  }
  const notes: string[] = [];
  if (block.kind === 'deepseek') {
    // DeepSeek-V3 routes with sigmoid scores and a per-expert bias; V2 with softmax (inference/model.py Gate).
    hf.model_type = y.get(at('score_func'))?.value === 'sigmoid' ? 'deepseek_v3' : 'deepseek_v2';
    if (hf.q_lora_rank === 0) hf.q_lora_rank = null;
    hf.tie_word_embeddings = false;
  } else if (hf.model_type === undefined) {
    hf.model_type = 'llama';
    notes.push(
      `The model block${block.path ? ` at "${block.path}"` : ''} has no model_type: counted as a Llama-style decoder (RMSNorm, gated MLP, biases as attention_bias says).`,
    );
    // nanotron's MoE section (models/qwen.py): experts and top-k under model_config.moe_config.
    const moe = y.get(at('moe_config'))?.value;
    if (isObject(moe) && typeof moe.num_experts === 'number') {
      hf.num_experts = moe.num_experts;
      hf.num_experts_per_tok = moe.top_k ?? 1;
      if (typeof moe.moe_intermediate_size === 'number') hf.moe_intermediate_size = moe.moe_intermediate_size;
      if (moe.enable_shared_expert && typeof moe.shared_expert_intermediate_size === 'number')
        hf.shared_expert_intermediate_size = moe.shared_expert_intermediate_size;
      notes.push('nanotron moe_config: shared expert counted without a gate.');
      keyOfHf.set('num_experts', 'moe_config');
    }
  }
  const json = JSON.stringify(hf, null, 1);
  const read = readHfModelConfig(json, y.file);
  if (read.kind !== 'plan') {
    const reason = read.kind === 'error' ? read.message.replace(y.file, `${y.file} (model block${block.path ? ` at ${block.path}` : ''})`) : read.reason;
    return read.kind === 'error' ? { ...read, message: reason } : { ...read, reason };
  }
  const plan = read.plan;
  plan.format = format;
  // Sources were ranges in the synthetic JSON: point them at the key in this file instead.
  const remapped: Record<string, ValueSource> = {};
  for (const [k, src] of Object.entries(plan.sources)) {
    let range: ValueSource['range'];
    if (src.range) {
      const before = json.slice(0, src.range.start);
      const m = /"([^"]+)":\s*$/.exec(before);
      const key = m ? (keyOfHf.get(m[1]) ?? m[1]) : undefined;
      range = key ? y.get(at(key))?.range : undefined;
    }
    remapped[k] = { file: y.file, ...(range ? { range } : {}), ...(src.note ? { note: src.note } : {}) };
  }
  plan.sources = remapped;
  plan.notes = [
    ...notes,
    `Model read from the HF-style block${block.path ? ` "${block.path}"` : ''} (${formatCount(plan.params.total)} parameters).`,
    ...plan.notes,
  ];
  if (format === 'nanotron') addNanotronTraining(y, plan);
  return { kind: 'plan', plan, diagnostics: read.diagnostics.map((d) => ({ ...d, file: y.file, line: undefined })) };
}

/** nanotron `tokens` and `parallelism`: tokens/step = micro batch × accumulation × dp × sequence length. */
function addNanotronTraining(y: YamlView, plan: ConfigReadResult extends infer R ? (R extends { kind: 'plan'; plan: infer P } ? P : never) : never): void {
  const n = (p: string): number | undefined => {
    const v = y.get(p)?.value;
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const src = (p: string, note?: string): ValueSource => ({ file: y.file, ...(y.get(p)?.range ? { range: y.get(p)!.range } : {}), ...(note ? { note } : {}) });
  const seq = n('tokens.sequence_length');
  const mbs = n('tokens.micro_batch_size');
  const acc = n('tokens.batch_accumulation_per_replica');
  const dp = n('parallelism.dp');
  const steps = n('tokens.train_steps');
  if (seq !== undefined) {
    plan.seqLen = seq;
    plan.sources.seqLen = src('tokens.sequence_length');
  }
  if (seq !== undefined && mbs !== undefined && acc !== undefined && dp !== undefined) {
    plan.tokensPerStep = mbs * acc * dp * seq;
    plan.sources.tokensPerStep = {
      file: y.file,
      note: `derived: micro_batch_size ${mbs} × batch_accumulation_per_replica ${acc} × dp ${dp} × sequence_length ${seq} = ${formatCount(plan.tokensPerStep)}`,
    };
    const tp = n('parallelism.tp') ?? 1;
    const pp = n('parallelism.pp') ?? 1;
    plan.gpus = dp * tp * pp;
    plan.sources.gpus = { file: y.file, note: `derived: dp ${dp} × tp ${tp} × pp ${pp}` };
  }
  if (steps !== undefined) {
    plan.maxSteps = steps;
    plan.sources.maxSteps = src('tokens.train_steps');
    if (plan.tokensPerStep !== undefined) {
      plan.tokens = steps * plan.tokensPerStep;
      plan.sources.tokens = { file: y.file, note: `derived: train_steps ${formatCount(steps)} × ${formatCount(plan.tokensPerStep)} tokens/step` };
    }
  }
  const lr = n('optimizer.learning_rate_scheduler.learning_rate');
  if (lr !== undefined) {
    plan.peakLr = lr;
    plan.sources.peakLr = src('optimizer.learning_rate_scheduler.learning_rate');
  }
}
