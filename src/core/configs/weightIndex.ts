// The true parameter count of a Hugging Face checkpoint, from the weight index beside its config.json:
// `metadata.total_size` is the bytes of all shards (safetensors and PyTorch indexes alike), so
// bytes / bytes-per-parameter of the config's `torch_dtype` is the count when every tensor has that
// dtype. Quantised checkpoints (`quantization_config`) and mixed-dtype shards break that; we say so.
import { dirname, join } from 'node:path';
import { formatCount } from './hfConfig';
import type { TrainingPlan } from './types';

export const WEIGHT_INDEX_FILES = ['model.safetensors.index.json', 'pytorch_model.bin.index.json'] as const;

const BYTES: Record<string, number> = {
  float32: 4,
  float: 4,
  fp32: 4,
  float16: 2,
  half: 2,
  fp16: 2,
  bfloat16: 2,
  bf16: 2,
  float64: 8,
  float8_e4m3fn: 1,
  int8: 1,
};

/** Adds `params.fromIndex` and a note comparing it with our count; returns whether an index was found. */
export function compareWithWeightIndex(
  plan: TrainingPlan,
  configFile: string,
  configText: string,
  readSibling: (absPath: string) => string | undefined,
): boolean {
  for (const name of WEIGHT_INDEX_FILES) {
    const file = join(dirname(configFile), name);
    const text = readSibling(file);
    if (text === undefined) continue;
    let total: unknown;
    try {
      total = (JSON.parse(text) as { metadata?: { total_size?: unknown } }).metadata?.total_size;
    } catch {
      plan.notes.push(`${name} beside the config is not valid JSON: the checkpoint's size is not compared.`);
      return true;
    }
    if (typeof total !== 'number' || !(total > 0)) {
      plan.notes.push(`${name} has no metadata.total_size: the checkpoint's size is not compared.`);
      return true;
    }
    let cfg: Record<string, unknown> = {};
    try {
      cfg = JSON.parse(configText) as Record<string, unknown>;
    } catch {
      /* the config reader already reported it */
    }
    const textCfg = (cfg.text_config ?? {}) as Record<string, unknown>;
    const dtype = String(cfg.torch_dtype ?? cfg.dtype ?? textCfg.torch_dtype ?? textCfg.dtype ?? '');
    const bytes = BYTES[dtype];
    if (cfg.quantization_config !== undefined || cfg.quantization !== undefined) {
      plan.notes.push(
        `${name}: ${formatCount(total)} bytes, but the checkpoint is quantised (quantization_config): its bytes do not give the parameter count.`,
      );
      return true;
    }
    if (bytes === undefined) {
      plan.notes.push(
        `${name}: ${formatCount(total)} bytes; torch_dtype ${dtype ? `"${dtype}" is not a known dtype` : 'is not set'}, so the parameter count cannot be taken from it.`,
      );
      return true;
    }
    const params = total / bytes;
    const diff = plan.params.total - params;
    plan.params.fromIndex = { params, file, dtype, diff };
    plan.sources['params.fromIndex'] = {
      file,
      note: `derived: metadata.total_size ${formatCount(total)} bytes / ${bytes} bytes per ${dtype} parameter = ${formatCount(Math.round(params))}`,
    };
    const pct = (100 * diff) / params;
    if (diff === 0) plan.notes.push(`Checkpoint (${name}): ${formatCount(params)} parameters — our count is exact.`);
    else {
      const why =
        Math.abs(pct) > 2
          ? ' (quantised or mixed-dtype shards, tied weights stored twice, or modules this count leaves out such as a vision encoder or a multi-token-prediction head)'
          : '';
      plan.notes.push(
        `Checkpoint (${name}): ${formatCount(Math.round(params))} parameters — our count differs by ${diff > 0 ? '+' : '−'}${formatCount(Math.abs(Math.round(diff)))} (${pct > 0 ? '+' : ''}${pct.toFixed(2)}%)${why}.`,
      );
    }
    return true;
  }
  return false;
}
