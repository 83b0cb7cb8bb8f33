// `scaling-lens` (dist/cli.js): help and version are answered from this small bundle, `plan` first
// tries the planner alone (dist/cliQuick.js), `estimate` the config readers alone (dist/cliEstimate.js,
// or the one reader a JSON, YAML or Python config needs), `ladder` the ladder planner alone
// (dist/cliLadder.js, without the config readers for a --budget target, with the config writers
// for --write: dist/cliLadderWrite.js); any other command
// loads the whole CLI (src/cli.ts, bundled as dist/cliMain.js), whose parsers and engine
// would otherwise be parsed and run on every `--help` (issue 20: cold start near a bare `node`).
// Each bundle is loaded with V8's code cache of an earlier run (src/cliCodeCache.ts).
// The CLI's sources import Node's modules by name (`import { join } from 'node:path'`), not as
// namespaces: esbuild wraps a namespace import in __toESM, a copy of every export made at each load.
import { extname, join } from 'node:path';
import { answerHelp } from './cliCommands/help';
import { requireBundle } from './cliCodeCache';
import { writeOut } from './cliOutput';

/** The bundle that tries each command first; each runs its own main on load (esbuild.mjs). */
const FIRST_TRY: Record<string, string> = { plan: 'cliQuick.js', estimate: 'cliEstimate.js', ladder: 'cliLadder.js' };

/** `estimate`'s bundle with one kind's reader alone, by the config's extension (src/cliEstimateJson.ts, …). */
const ESTIMATE_BY_EXTENSION: Record<string, string> = {
  '.json': 'cliEstimateJson.js',
  // A folder: its config.json.
  '': 'cliEstimateJson.js',
  '.yaml': 'cliEstimateYaml.js',
  '.yml': 'cliEstimateYaml.js',
  '.py': 'cliEstimatePython.js',
};

/**
 * The bundle that tries `command` first. For `estimate`, a guess from its first argument that is
 * not an option, for `ladder` from `--budget`: a wrong one (an option's value taken for the config)
 * costs time, never output, as a bundle without the config's reader hands the command to the whole CLI.
 */
function firstTry(command: string, args: string[]): string {
  // Configs to write: the ladder bundle with the config writers (src/cliLadderWrite.ts), a config or a budget the target.
  if (command === 'ladder' && args.some((a) => a === '--write' || a.startsWith('--write='))) return 'cliLadderWrite.js';
  // A budget as the target: no config to read (src/cliLadderBudget.ts).
  if (command === 'ladder' && args.some((a) => a === '--budget' || a.startsWith('--budget='))) return 'cliLadderBudget.js';
  if (command === 'estimate') {
    const config = args.find((a) => !a.startsWith('-'));
    const ext = config === undefined ? undefined : extname(config).toLowerCase();
    if (ext !== undefined && Object.hasOwn(ESTIMATE_BY_EXTENSION, ext)) return ESTIMATE_BY_EXTENSION[ext];
  }
  return Object.hasOwn(FIRST_TRY, command) ? FIRST_TRY[command] : 'cliMain.js';
}

const code = answerHelp(process.argv.slice(2), (text) => writeOut(1, text));
if (code !== undefined) process.exitCode = code;
else requireBundle(join(__dirname, firstTry(process.argv[2], process.argv.slice(3))));
