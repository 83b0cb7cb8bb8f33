// Lens latency on a 2,000-line config, as the editor pays it: the worker's estimate (parse, plan,
// cost, advice, loss from the cached family law), the message copy to the host (structured
// clone), and the host's layout of the lenses (line index + titles + edit arguments).
// The worker is timed three ways: while the user types (one value of the model block changed per
// estimate, the rest of the file as before), on opening the file (every block new), and on the
// same text again.
import { ScalingWorkspace } from '../src/core/workspace';
import { configLenses, LineIndex } from '../src/features/lensModel';

/** A generic-shape YAML config padded to `lines` lines with a long data mixture, as real configs grow. */
export function longConfig(lines: number, variant = 0, lr = '3.0e-4'): string {
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
    `  lr: ${lr}`,
    '  gpus: 64',
    '  micro_batch: 4',
    '  zero_stage: 1',
    '  precision: bf16',
    'data:',
    '  sources:',
  ];
  const out = [...head];
  for (let i = 0; out.length < lines; i++)
    out.push(`    - { name: shard-${i}, weight: ${(1 / (i + 1)).toFixed(6)}, path: s3://bucket/corpus${variant}/part-${String(i).padStart(5, '0')}.jsonl }`);
  return `${out.join('\n')}\n`;
}

export interface LensLatency {
  lines: number;
  /** Worker estimate after a one-value edit of the model block (what typing costs). */
  workerMs: number;
  /** Worker estimate of a file it has not seen (opening it). */
  workerOpenMs: number;
  /** Worker estimate of the same text again. */
  workerSameMs: number;
  cloneMs: number;
  hostMs: number;
  lenses: number;
}

export async function lensLatency(engine: ScalingWorkspace, timeMs: (fn: () => unknown, repeats?: number) => Promise<number>): Promise<LensLatency> {
  const text = longConfig(2000);
  const file = '/bench/long.yaml';
  const commands = { showDashboard: 'a', applyEdit: 'b', planBudget: 'c', planExperiments: 'e', openLocation: 'd' };
  const first = engine.estimateConfig(file, text, () => undefined);
  if (!first.applicable) throw new Error(`the bench config is not recognised: ${first.reason}`);
  const lenses = configLenses(first, file, new LineIndex(text), commands).length;
  // Texts made before the clock starts: 20 edits of the LR line, 5 files never seen.
  const edited = Array.from({ length: 20 }, (_, i) => longConfig(2000, 0, `${(3 + (i + 1) / 1000).toFixed(3)}e-4`));
  const unseen = Array.from({ length: 5 }, (_, i) => longConfig(2000, i + 1));
  let edits = 0;
  const workerMs = await timeMs(() => engine.estimateConfig(file, edited[edits++], () => undefined), edited.length);
  let opened = 0;
  const workerOpenMs = await timeMs(() => engine.estimateConfig(file, unseen[opened++], () => undefined), unseen.length);
  const workerSameMs = await timeMs(() => engine.estimateConfig(file, text, () => undefined), 20);
  const cloneMs = await timeMs(() => structuredClone(first), 20);
  const hostMs = await timeMs(() => configLenses(first, file, new LineIndex(text), commands), 50);
  return { lines: text.split('\n').length - 1, workerMs, workerOpenMs, workerSameMs, cloneMs, hostMs, lenses };
}
