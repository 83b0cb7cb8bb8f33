// Which files are training logs by default. Shared by the extension's settings (no core code in
// the host bundle for a constant) and the CLI's folder walk.

/** The workspace file (families, run overrides, pinned fits) read at each workspace folder's root. */
export const WORKSPACE_FILE_NAME = '.scalinglens.yaml';

/** The default of the `scalingLens.logGlobs` setting. */
export const DEFAULT_LOG_GLOBS = ['**/trainer_state.json', '**/*.jsonl', '**/metrics*.csv', '**/events.out.tfevents.*', '**/*.log', '**/slurm-*.out', '**/*.wandb', '**/wandb-summary.json', '**/dvclive/metrics.json', '**/plots/metrics/**/*.tsv', '**/metrics*.tsv', '**/golden_values*.json', '**/mlruns/*/*/meta.yaml', '**/mlruns/*/*/metrics/**'];

/** An MLflow file store's run: `mlruns/<experiment>/<run>/meta.yaml` or a metric file below `metrics/` (keys with '/' are folders). */
const MLFLOW_RUN_FILE = /(?:^|[\\/])mlruns[\\/][^\\/]+[\\/][^\\/]+[\\/](?:meta\.yaml$|metrics[\\/].)/;

/** Whether a file name matches DEFAULT_LOG_GLOBS (for the CLI, which walks folders itself). */
export function isDefaultLogFile(file: string): boolean {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  return (
    name === 'trainer_state.json' ||
    name.endsWith('.jsonl') ||
    (name.startsWith('metrics') && name.endsWith('.csv')) ||
    name.startsWith('events.out.tfevents.') ||
    name.endsWith('.log') ||
    (name.startsWith('slurm-') && name.endsWith('.out')) ||
    name.endsWith('.wandb') ||
    name === 'wandb-summary.json' ||
    (name === 'metrics.json' && /(?:^|[\\/])dvclive[\\/]metrics\.json$/.test(file)) ||
    (name.endsWith('.tsv') && (name.startsWith('metrics') || /(?:^|[\\/])plots[\\/]metrics[\\/]/.test(file))) ||
    (name.startsWith('golden_values') && name.endsWith('.json')) ||
    MLFLOW_RUN_FILE.test(file)
  );
}
