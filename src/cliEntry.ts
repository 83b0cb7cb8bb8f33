// `scaling-lens` (dist/cli.js): help and version are answered from this small bundle, `plan` first
// tries the planner alone (dist/cliQuick.js); any other command loads the whole CLI (src/cli.ts,
// bundled as dist/cliMain.js), whose parsers and engine
// would otherwise be parsed and run on every `--help` (issue 20: cold start near a bare `node`).
import { answerHelp } from './cliCommands/help';

const code = answerHelp(process.argv.slice(2), (text) => process.stdout.write(text));
if (code !== undefined) process.exitCode = code;
// `plan` tries the planner alone first (src/cliQuick.ts), which hands over to the whole CLI when it must.
// eslint-disable-next-line @typescript-eslint/no-require-imports
else if (process.argv[2] === 'plan') require('./cliQuick.js');
// `estimate` likewise tries the config readers alone first (src/cliEstimate.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
else if (process.argv[2] === 'estimate') require('./cliEstimate.js');
// Bundled apart (esbuild.mjs); runs its own main on load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
else require('./cliMain.js');
