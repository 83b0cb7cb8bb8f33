// `scaling-lens ladder --budget <amount>` with no runs to read: src/cliLadder.ts without the config
// readers, as the target is a budget, not a config (dist/cliLadderBudget.js, chosen by src/cliEntry.ts).
// A config given anyway, a usage error or any failure goes to the whole CLI (src/cliAlone.ts).
import { ladderCommand } from './cliCommands/ladder';
import { runAloneOrWholeCli } from './cliAlone';
import { emptyEstimator } from './cliEmptyEstimator';

runAloneOrWholeCli(ladderCommand, { configEstimator: emptyEstimator({}) });
