// `scaling-lens plan` with no runs to read (no --workspace, no training log in the current folder):
// the planner alone, bundled apart (dist/cliQuick.js, esbuild.mjs), so a cheap command's cold start
// skips the engine, the log and config readers and the fitting thread's code. What it cannot answer
// alone (runs to read, a usage error, any failure) goes to the whole CLI, which runs the command
// from the start: output is held back until the planner is done, so it is the whole CLI's, byte for byte.
import { planCommand } from './cliCommands/plan';
import { currentFolderWithRuns } from './cliCommands/logFilesUnder';
import type { CliContext } from './cliCommands/estimate';

class WholeCliNeeded extends Error {}

/** The plan's exit code, or undefined when the whole CLI must answer. */
function planAlone(args: string[]): number | undefined {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const context: CliContext = {
    loadWorkspace: () => {
      throw new WholeCliNeeded('runs to read');
    },
    emptyWorkspace: () => {
      throw new WholeCliNeeded('an engine');
    },
    usage: (message) => new WholeCliNeeded(message),
    defaultWorkspace: currentFolderWithRuns,
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  };
  let code: number;
  try {
    code = planCommand(args, context);
  } catch {
    return undefined;
  }
  process.stdout.write(stdout.join(''));
  process.stderr.write(stderr.join(''));
  return code;
}

const code = planAlone(process.argv.slice(3));
if (code !== undefined) process.exitCode = code;
// Bundled apart (esbuild.mjs); runs its own main on load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
else require('./cliMain.js');
