// Which files are training logs by default. Shared by the extension's settings (no core code in
// the host bundle for a constant) and the CLI's folder walk (core/runs/logGlobs.ts).

/** The workspace file (families, run overrides, pinned fits) read at each workspace folder's root. */
export const WORKSPACE_FILE_NAME = '.scalinglens.yaml';

/** The default of the `scalingLens.logGlobs` setting. */
export const DEFAULT_LOG_GLOBS = [
  '**/trainer_state.json',
  '**/*.jsonl',
  '**/metrics*.csv',
  '**/events.out.tfevents.*',
  '**/*.log',
  '**/*.out',
  '**/slurm-*',
  '**/stdout*',
  '**/*.wandb',
  '**/wandb-summary.json',
  '**/dvclive/metrics.json',
  '**/plots/metrics/**/*.tsv',
  '**/metrics*.tsv',
  '**/golden_values*.json',
  '**/mlruns/*/*/meta.yaml',
  '**/mlruns/*/*/metrics/**',
];
