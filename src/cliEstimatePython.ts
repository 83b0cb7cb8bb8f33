// `scaling-lens estimate` on a nanoGPT .py config with no runs to calibrate on: src/cliEstimate.ts with
// the python reader alone (dist/cliEstimatePython.js, chosen by src/cliEntry.ts by the file's extension), so
// the cold start reads and runs no other kind's reader. Any other file goes to the whole CLI.
import { estimateCommand } from './cliCommands/estimate';
import { runAloneOrWholeCli } from './cliAlone';
import { emptyEstimator } from './cliEmptyEstimator';
import { readPythonConfig } from './core/configs/readPython';

runAloneOrWholeCli(estimateCommand, { configEstimator: emptyEstimator({ python: readPythonConfig }) });
