// A job that writes its metrics through several loggers at once (stdout + JSONL + TensorBoard in one
// folder) logs one loss under a name per logger (`loss`, `train/loss`, `lm loss`). The run holds
// one series per loss: each file's preferred train (and eval) loss is merged under the name the
// vocabulary prefers among them (runs/vocabulary.ts). Only across loggers: the files of one logger
// (DVCLive's and MLflow's one file per metric: `loss.tsv` beside `train/loss.tsv`) are its own
// distinct metrics and stay apart.
import type { MetricRole } from './types';
import { seriesPreference } from './vocabulary';

interface FileSeries {
  series: ReadonlyMap<string, { role: MetricRole; unit?: string }>;
  /** The logger that wrote the file (its format); files of one logger are never merged. */
  logger?: string;
}

/** Per file (by index), the renames `logged name → run's name` that make one series per loss role. */
export function oneSeriesPerLoss(files: readonly FileSeries[]): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  if (files.length < 2) return out;
  for (const role of ['train_loss', 'eval_loss'] as const) {
    const chosen: { file: number; metric: string; rank: number }[] = [];
    files.forEach((f, file) => {
      let best: { metric: string; rank: number } | undefined;
      for (const [metric, s] of f.series) {
        // Converted losses (from perplexity or bits) keep their own name and unit.
        if (s.role !== role || s.unit !== undefined) continue;
        const rank = seriesPreference({ metric, role: s.role }).rank;
        if (best === undefined || rank < best.rank || (rank === best.rank && metric < best.metric)) best = { metric, rank };
      }
      if (best !== undefined) chosen.push({ file, ...best });
    });
    if (new Set(chosen.map((c) => c.metric)).size < 2) continue;
    if (new Set(chosen.map((c) => files[c.file].logger)).size < 2 && files[chosen[0].file].logger !== undefined) continue;
    const name = [...chosen].sort((a, b) => a.rank - b.rank || (a.metric < b.metric ? -1 : 1))[0].metric;
    const loggerOfName = new Set(chosen.filter((c) => c.metric === name).map((c) => files[c.file].logger));
    for (const c of chosen) {
      if (c.metric === name) continue;
      // The logger that wrote the run's name keeps its other metrics apart.
      if (files[c.file].logger !== undefined && loggerOfName.has(files[c.file].logger)) continue;
      // A file already logging the run's name under that role keeps both apart (two losses of one logger).
      if (files[c.file].series.has(name)) continue;
      let m = out.get(c.file);
      if (m === undefined) out.set(c.file, (m = new Map()));
      m.set(c.metric, name);
    }
  }
  return out;
}
