// `scaling-lens estimate <config>` with no runs to calibrate on (no --workspace, no training log in
// the current folder): the config readers and the estimate alone, bundled apart (dist/cliEstimate.js,
// esbuild.mjs), so the command's cold start skips the engine, the log readers and the fitting
// thread's code. Its fits (a family's LR/batch sweep) run inline, as the empty engine's do. A usage
// error or any failure goes to the whole CLI, which runs the command from the start: output is held
// back until this is done, so it is the whole CLI's, byte for byte.
import { estimateCommand, type CliContext, type ConfigEstimator } from './cliCommands/estimate';
import { currentFolderWithRuns } from './cliCommands/logFilesUnder';
import { estimateConfig, type EstimateSources } from './core/engine/estimates';
import { FitScheduler } from './core/engine/fitScheduler';
import { hardwareTable, type HardwareSettings } from './core/plan/hardware';

class WholeCliNeeded extends Error {}

/** An engine with no runs, as far as `estimate` asks (ScalingWorkspace's estimate sources with nothing read). */
function emptyEstimator(hardware: HardwareSettings): ConfigEstimator {
  const table = hardwareTable(hardware);
  // As the CLI's empty engine: no fitter (fits inline), no per-fit budget.
  const fits = new FitScheduler(() => ({}));
  const needed = (): never => {
    throw new WholeCliNeeded('a fit');
  };
  const sources: EstimateSources = {
    hardware: () => table,
    seed: () => 1,
    runs: () => [],
    familyName: needed,
    // No runs, no families; anything else is the engine's.
    fitFamilies: (runs) => (runs.length === 0 ? [] : needed()),
    overtrainFit: needed,
    fit: (slot, key, kind, makeJob, deadline) => fits.fit(slot, key, kind, makeJob, deadline),
  };
  return {
    hardware: table,
    runs: () => [],
    estimateConfig: (file, text, readSibling, deadline) => estimateConfig(sources, file, text, readSibling, deadline),
  };
}

/** The estimate's exit code, or undefined when the whole CLI must answer. */
function estimateAlone(args: string[]): number | undefined {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const context: CliContext = {
    loadWorkspace: () => {
      throw new WholeCliNeeded('runs to read');
    },
    emptyWorkspace: () => {
      throw new WholeCliNeeded('an engine');
    },
    configEstimator: emptyEstimator,
    usage: (message) => new WholeCliNeeded(message),
    defaultWorkspace: currentFolderWithRuns,
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  };
  let code: number;
  try {
    code = estimateCommand(args, context);
  } catch {
    return undefined;
  }
  process.stdout.write(stdout.join(''));
  process.stderr.write(stderr.join(''));
  return code;
}

const code = estimateAlone(process.argv.slice(3));
if (code !== undefined) process.exitCode = code;
// Bundled apart (esbuild.mjs); runs its own main on load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
else require('./cliMain.js');
