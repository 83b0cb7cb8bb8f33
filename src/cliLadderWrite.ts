// `scaling-lens ladder … --write <dir>` with no runs to read: src/cliLadder.ts with the config writers
// (dist/cliLadderWrite.js, chosen by src/cliEntry.ts), so that the ladder's other bundles, which only
// print a plan, do not carry them. A usage error or any failure goes to the whole CLI (src/cliAlone.ts).
import { ladderCommand } from './cliCommands/ladder';
import { writeLadderFiles } from './cliCommands/ladderWrite';
import { runAloneOrWholeCli } from './cliAlone';
import { emptyEstimator } from './cliEmptyEstimator';
import { CONFIG_READERS } from './core/configs/index';
import { shapeParamsOfConfig } from './core/plan/ladderConfigs';

runAloneOrWholeCli(ladderCommand, { configEstimator: emptyEstimator(CONFIG_READERS), writeLadder: writeLadderFiles, shapeParamsOf: shapeParamsOfConfig });
