// Which files are training logs by default. Shared by the extension's settings (no core code in
// the host bundle for a constant) and the CLI's folder walk.

/** The default of the `scalingLens.logGlobs` setting. */
export const DEFAULT_LOG_GLOBS = ['**/trainer_state.json', '**/*.jsonl', '**/metrics*.csv', '**/events.out.tfevents.*'];

/** Whether a file name matches DEFAULT_LOG_GLOBS (for the CLI, which walks folders itself). */
export function isDefaultLogFile(file: string): boolean {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  return name === 'trainer_state.json' || name.endsWith('.jsonl') || (name.startsWith('metrics') && name.endsWith('.csv')) || name.startsWith('events.out.tfevents.');
}
