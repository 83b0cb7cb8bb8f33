// Shared by the small CLI bundles (src/cliQuick.ts, src/cliEstimate.ts): run one command with its output
// held back; if it cannot answer alone (runs to read, a usage error, any failure), hand the whole command
// to the whole CLI, which runs it from the start, so the output is the whole CLI's, byte for byte.
// A leaf: each small bundle includes it, so it imports nothing heavy.
import type { CliContext } from './cliCommands/estimate';
import { currentFolderWithRuns } from './cliCommands/logFilesUnder';
import { writeOut } from './cliOutput';

class WholeCliNeeded extends Error {}

/** Give up on the small bundle: the whole CLI answers. */
export function wholeCliNeeded(reason: string): never {
  throw new WholeCliNeeded(reason);
}

/** Run `command` on the CLI's arguments alone, or fall back to the whole CLI (dist/cliMain.js). */
export function runAloneOrWholeCli(
  command: (args: string[], context: CliContext) => number,
  extra: Pick<CliContext, 'configEstimator' | 'writeLadder' | 'shapeParamsOf'> = {},
): void {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const context: CliContext = {
    loadWorkspace: () => wholeCliNeeded('runs to read'),
    emptyWorkspace: () => wholeCliNeeded('an engine'),
    ...extra,
    usage: (message) => new WholeCliNeeded(message),
    defaultWorkspace: currentFolderWithRuns,
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  };
  let code: number | undefined;
  try {
    code = command(process.argv.slice(3), context);
  } catch {
    code = undefined;
  }
  if (code !== undefined) {
    writeOut(1, stdout.join(''));
    writeOut(2, stderr.join(''));
    process.exitCode = code;
  }
  // Bundled apart (esbuild.mjs); runs its own main on load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  else require('./cliMain.js');
}
