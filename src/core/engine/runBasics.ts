// What config estimates need of runs (engine/estimates.ts), apart from the run catalog, so that
// `estimate` with no runs is bundled without the log readers (src/cliEstimate.ts).
import type { Run, Series } from '../runs/types';

export { TRAINING_ARGS_FILE } from '../configs/fileNames';

/** The run's training-loss series: what curve laws are fitted to. */
export function trainLoss(run: Run): Series | undefined {
  return run.series.find((s) => s.role === 'train_loss' && s.steps.length > 0);
}
