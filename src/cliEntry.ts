// `scaling-lens` (dist/cli.js): help and version are answered from this small bundle, `plan` first
// tries the planner alone (dist/cliQuick.js), `estimate` the config readers alone
// (dist/cliEstimate.js), `ladder` the ladder planner alone (dist/cliLadder.js); any other command
// loads the whole CLI (src/cli.ts, bundled as dist/cliMain.js), whose parsers and engine
// would otherwise be parsed and run on every `--help` (issue 20: cold start near a bare `node`).
// Each bundle is loaded with V8's code cache of an earlier run (src/cliCodeCache.ts).
// The CLI's sources import Node's modules by name (`import { join } from 'node:path'`), not as
// namespaces: esbuild wraps a namespace import in __toESM, a copy of every export made at each load.
import { join } from 'node:path';
import { answerHelp } from './cliCommands/help';
import { requireBundle } from './cliCodeCache';
import { writeOut } from './cliOutput';

/** The bundle that tries each command first; each runs its own main on load (esbuild.mjs). */
const FIRST_TRY: Record<string, string> = { plan: 'cliQuick.js', estimate: 'cliEstimate.js', ladder: 'cliLadder.js' };

const code = answerHelp(process.argv.slice(2), (text) => writeOut(1, text));
if (code !== undefined) process.exitCode = code;
else requireBundle(join(__dirname, Object.hasOwn(FIRST_TRY, process.argv[2]) ? FIRST_TRY[process.argv[2]] : 'cliMain.js'));
