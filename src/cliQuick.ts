// `scaling-lens plan` with no runs to read (no --workspace, no training log in the current folder):
// the planner alone, bundled apart (dist/cliQuick.js, esbuild.mjs), so a cheap command's cold start
// skips the engine, the log and config readers and the fitting thread's code. What it cannot answer
// alone goes to the whole CLI (src/cliAlone.ts).
import { planCommand } from './cliCommands/plan';
import { runAloneOrWholeCli } from './cliAlone';

runAloneOrWholeCli(planCommand);
