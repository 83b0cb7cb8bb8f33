// Lens latency on a 2,000-line config, as the editor pays it: the worker's estimate (parse, plan,
// cost, advice, loss from the cached family law), the message copy to the host (structured
// clone), and the host's layout of the lenses (line index + titles + edit arguments).
import { ScalingWorkspace } from '../src/core/workspace';
import { configLenses, LineIndex } from '../src/features/lensModel';

/** A generic-shape YAML config padded to `lines` lines with a long data mixture, as real configs grow. */
export function longConfig(lines: number): string {
  const head = [
    'family: example-sweep',
    'model:',
    '  layers: 24',
    '  d_model: 2048',
    '  heads: 16',
    '  vocab: 32000',
    'training:',
    '  steps: 20000',
    '  batch_size: 512',
    '  seq_len: 2048',
    '  lr: 3.0e-4',
    '  gpus: 64',
    '  micro_batch: 4',
    '  zero_stage: 1',
    '  precision: bf16',
    'data:',
    '  sources:',
  ];
  const out = [...head];
  for (let i = 0; out.length < lines; i++) out.push(`    - { name: shard-${i}, weight: ${(1 / (i + 1)).toFixed(6)}, path: s3://bucket/corpus/part-${String(i).padStart(5, '0')}.jsonl }`);
  return `${out.join('\n')}\n`;
}

export interface LensLatency {
  lines: number;
  workerMs: number;
  cloneMs: number;
  hostMs: number;
  lenses: number;
}

export async function lensLatency(engine: ScalingWorkspace, timeMs: (fn: () => unknown, repeats?: number) => Promise<number>): Promise<LensLatency> {
  const text = longConfig(2000);
  const file = '/bench/long.yaml';
  const commands = { showDashboard: 'a', applyEdit: 'b', planBudget: 'c' };
  const first = engine.estimateConfig(file, text, () => undefined);
  if (!first.applicable) throw new Error(`the bench config is not recognised: ${first.reason}`);
  const lenses = configLenses(first, file, new LineIndex(text), commands).length;
  const workerMs = await timeMs(() => engine.estimateConfig(file, text, () => undefined), 20);
  const cloneMs = await timeMs(() => structuredClone(first), 20);
  const hostMs = await timeMs(() => configLenses(first, file, new LineIndex(text), commands), 50);
  return { lines: text.split('\n').length - 1, workerMs, cloneMs, hostMs, lenses };
}
