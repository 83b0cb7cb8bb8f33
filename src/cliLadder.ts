// `scaling-lens ladder` with no runs to read (no --workspace, no training log in the current folder):
// the ladder planner and the config readers alone, bundled apart (dist/cliLadder.js, esbuild.mjs), so
// the command's cold start skips the engine, the log readers and the fitting thread's code
// (src/cliEmptyEstimator.ts). A usage error or any failure goes to the whole CLI (src/cliAlone.ts).
import { ladderCommand } from './cliCommands/ladder';
import { runAloneOrWholeCli } from './cliAlone';
import { emptyEstimator } from './cliEmptyEstimator';
import { CONFIG_READERS } from './core/configs/index';
import { shapeParamsOfConfig } from './core/plan/ladderConfigs';

// The planner counts each run's N as its config written with the run's shape reads back (the writer's shape edit).
runAloneOrWholeCli(ladderCommand, { configEstimator: emptyEstimator(CONFIG_READERS), shapeParamsOf: shapeParamsOfConfig });
