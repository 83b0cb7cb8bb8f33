// torchtitan TOML (`train_configs/*.toml`, before torchtitan moved to Python configs in 2026) → TrainingPlan.
//
// The model is named, not spelled out: `[model] name` + `flavor` → TORCHTITAN_FLAVORS. Training:
// `[training] local_batch_size` (older: `batch_size`) per data-parallel rank, or
// `global_batch_size` (−1 = local × DP); `seq_len`; `steps`. `[parallelism]
// data_parallel_shard_degree = -1` means "every GPU not used by TP/PP/CP/replication", so the
// GPU count comes from the launcher (NGPU) unless all degrees are explicit.
// `[optimizer] lr` (default 8e-4), `[lr_scheduler] warmup_steps` (default 200), `decay_ratio`
// (set → warmup-stable-decay), `decay_type`, `min_lr_factor`.
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { PlanBuilder, finishPlan, type Found, type TrainingInput } from './builder';
import { TORCHTITAN_FLAVORS, cloneNamed } from './modelTables';
import type { ConfigReadResult, TrainingPlan } from './types';

// smol-toml is an ES module with a CommonJS build (`require` → dist/index.cjs); the types come from its ESM entry.
// Loaded on first use (a cold start that reads no TOML never loads it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parseToml = (text: string): unknown => (require('smol-toml') as typeof SmolToml).parse(text);

/** Character ranges of `key = value` values, by dotted path (`training.steps`), from a line scan. */
export function tomlValueRanges(text: string): Map<string, { start: number; end: number }> {
  const out = new Map<string, { start: number; end: number }>();
  let section = '';
  let offset = 0;
  for (const line of text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header) {
      section = header[1].replace(/\s*\.\s*/g, '.').replace(/"/g, '');
      continue;
    }
    const kv = /^(\s*)([A-Za-z0-9_.-]+|"[^"]+")\s*=\s*/.exec(line);
    if (!kv) continue;
    const vStart = kv[0].length;
    let vEnd = line.length;
    const rest = line.slice(vStart);
    if (/^["']/.test(rest)) {
      const q = rest[0];
      const close = rest.indexOf(q, 1);
      vEnd = close > 0 ? vStart + close + 1 : line.length;
    } else {
      const hash = rest.indexOf('#');
      vEnd = vStart + (hash >= 0 ? hash : rest.length);
      while (vEnd > vStart && /\s/.test(line[vEnd - 1])) vEnd--;
    }
    const key = kv[2].replace(/"/g, '');
    out.set(section ? `${section}.${key}` : key, { start: start + vStart, end: start + vEnd });
  }
  return out;
}

export function looksLikeTorchtitan(data: Record<string, unknown>): boolean {
  const model = data.model as Record<string, unknown> | undefined;
  return typeof model === 'object' && model !== null && ('flavor' in model || 'name' in model) && typeof data.training === 'object';
}

export function parseTomlConfig(
  file: string,
  text: string,
  b: PlanBuilder,
): { data: Record<string, unknown>; ranges: Map<string, { start: number; end: number }> } | undefined {
  try {
    return { data: parseToml(text) as Record<string, unknown>, ranges: tomlValueRanges(text) };
  } catch (e) {
    const err = e as Error & { line?: number };
    b.diagnostics.push({ file, line: err.line, severity: 'error', message: `invalid TOML: ${err.message.split('\n')[0]}` });
    return undefined;
  }
}

export function readTorchtitan(data: Record<string, unknown>, ranges: Map<string, { start: number; end: number }>, b: PlanBuilder): ConfigReadResult {
  const get = (path: string): Found | undefined => {
    let cur: unknown = data;
    for (const p of path.split('.')) {
      if (typeof cur !== 'object' || cur === null || !(p in cur)) return undefined;
      cur = (cur as Record<string, unknown>)[p];
    }
    return { value: cur, range: ranges.get(path) };
  };
  const extra: Partial<TrainingPlan> = {};
  const name = String(get('model.name')?.value ?? 'llama3');
  const flavorAt = get('model.flavor');
  const flavor = String(flavorAt?.value ?? '');
  const table = TORCHTITAN_FLAVORS[name];
  if (!table)
    return b.notApplicable(`torchtitan model "${name}" is not in Scaling Lens's flavor table yet (known: ${Object.keys(TORCHTITAN_FLAVORS).join(', ')})`);
  const entry = table[flavor];
  if (!entry) return b.notApplicable(`torchtitan ${name} flavor "${flavor}" is not in the table (known: ${Object.keys(table).join(', ')})`);
  const { arch, style, citation } = cloneNamed(entry);
  for (const k of ['nLayer', 'dModel', 'nHead', 'nKvHead', 'dFfn', 'vocab', 'tiedEmbeddings'] as const)
    b.from(`architecture.${k}`, flavorAt!, `from ${name} flavor "${flavor}" (${citation})`);
  if (flavor === 'debugmodel') b.notes.push("debugmodel: vocabulary 2,048 is the test tokenizer's (tests/assets/tokenizer).");
  const converters = get('model.converters')?.value;
  if (Array.isArray(converters) && converters.includes('float8')) extra.precision = 'fp8';
  const seq = b.count(get('training.seq_len'), 'training.seq_len', 'seqLen', { value: 2048, note: 'seq_len 2048 (torchtitan default)' });
  const localAt = get('training.local_batch_size') ?? get('training.batch_size');
  const local = b.count(localAt, 'training.local_batch_size', 'microBatch', { value: 8, note: 'local_batch_size 8 (torchtitan default)' });
  if (local !== undefined) extra.microBatch = local;
  const globalAt = get('training.global_batch_size');
  const global = globalAt && Number(globalAt.value) > 0 ? b.count(globalAt, 'training.global_batch_size', 'batch.global') : undefined;
  const stepsAt = get('training.steps');
  const steps = b.count(stepsAt, 'training.steps', 'maxSteps', { value: 10000, note: 'steps 10000 (torchtitan default)' });
  const deg = (k: string) => b.num(get(`parallelism.${k}`), `parallelism.${k}`, { integer: true }) ?? 1;
  const shard = deg('data_parallel_shard_degree');
  const replicate = deg('data_parallel_replicate_degree');
  const tp = deg('tensor_parallel_degree');
  const pp = deg('pipeline_parallel_degree');
  const cp = deg('context_parallel_degree');
  for (const [k, v] of [
    ['tensor_parallel_degree', tp],
    ['pipeline_parallel_degree', pp],
    ['context_parallel_degree', cp],
    ['data_parallel_replicate_degree', replicate],
  ] as const) {
    if (v < 1) b.error(`"parallelism.${k}" must be at least 1 (found ${v})`, get(`parallelism.${k}`));
  }
  extra.parallelism = { tensor: tp, pipeline: pp, context: cp, zeroStage: shard === 1 ? 0 : 3 };
  const training: TrainingInput = { seqLen: seq, steps };
  if (global !== undefined) training.batchSeqs = { value: global, note: `global_batch_size ${global} sequences` };
  else if (local !== undefined && shard > 0) {
    const dp = shard * replicate;
    extra.gpus = dp * tp * pp * cp;
    b.derived('gpus', `data parallel ${dp} × TP ${tp} × PP ${pp} × CP ${cp}`, get('parallelism.data_parallel_shard_degree'));
    training.batchSeqs = { value: local * dp, note: `local_batch_size ${local} × data-parallel degree ${dp}` };
  } else if (local !== undefined) {
    // A comment like "preset for 64 A100 GPUs" names the intended size; else one node of 8.
    const hint = /\b(\d+)\s*(?:x\s*)?(?:[A-Z]\w*\s+)?GPUs?\b/i.exec(
      b.text
        .split('\n')
        .filter((l) => l.trim().startsWith('#'))
        .join('\n'),
    );
    const gpus = hint ? Number(hint[1]) : 8;
    const dp = Math.max(1, Math.floor(gpus / (tp * pp * cp * replicate)));
    extra.gpus = gpus;
    if (hint) {
      const at = b.text.indexOf(hint[0]);
      b.from(
        'gpus',
        { value: gpus, range: { start: at, end: at + hint[0].length } },
        `from the comment "${hint[0]}": data_parallel_shard_degree = -1 takes every GPU the launcher gives`,
      );
    } else b.assumed('gpus', '8 GPUs (one node): data_parallel_shard_degree = -1 takes every GPU the launcher gives');
    b.notes.push(
      `data_parallel_shard_degree = -1: data-parallel degree = GPUs / (TP·PP·CP·replicate), set at launch; assumed ${gpus} GPUs${hint ? " (from the file's comment)" : ''}.`,
    );
    training.batchSeqs = { value: local * dp * replicate, note: `local_batch_size ${local} × data-parallel degree ${dp * replicate}` };
  }
  const lrAt = get('optimizer.lr');
  const lr = b.num(lrAt, 'optimizer.lr', { exclusiveMin: 0 }) ?? 8e-4;
  extra.peakLr = lr;
  if (lrAt) b.from('peakLr', lrAt);
  else b.assumed('peakLr', 'lr 8e-4 (torchtitan default)');
  const warm = b.num(get('lr_scheduler.warmup_steps'), 'lr_scheduler.warmup_steps', { integer: true, min: 0 }) ?? 200;
  const decayRatio = b.num(get('lr_scheduler.decay_ratio'), 'lr_scheduler.decay_ratio', { min: 0 });
  if (decayRatio !== undefined && decayRatio > 1)
    b.error(`"lr_scheduler.decay_ratio" must be between 0 and 1 (found ${decayRatio})`, get('lr_scheduler.decay_ratio'));
  const decayType = String(get('lr_scheduler.decay_type')?.value ?? 'linear');
  extra.schedule = { type: decayRatio !== undefined ? `wsd-${decayType}` : decayType, warmupSteps: warm };
  const minF = b.num(get('lr_scheduler.min_lr_factor'), 'lr_scheduler.min_lr_factor', { min: 0 });
  if (minF !== undefined) extra.schedule.minLrRatio = minF;
  if (steps !== undefined && warm >= steps) b.notes.push(`warmup_steps (${warm}) ≥ steps (${steps}): the LR never leaves warmup.`);
  const ac = String(get('activation_checkpoint.mode')?.value ?? 'selective');
  if (ac === 'none' || ac === 'selective' || ac === 'full') extra.activationCheckpointing = ac;
  extra.precision ??= 'bf16';
  return finishPlan(b, arch, style, training, extra);
}
