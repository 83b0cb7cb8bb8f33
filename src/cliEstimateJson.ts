// `scaling-lens estimate` on an HF config.json, or JSON of another shape with no runs to calibrate on: src/cliEstimate.ts with
// the json reader alone (dist/cliEstimateJson.js, chosen by src/cliEntry.ts by the file's extension), so
// the cold start reads and runs no other kind's reader. Any other file goes to the whole CLI.
import { estimateCommand } from './cliCommands/estimate';
import { runAloneOrWholeCli } from './cliAlone';
import { emptyEstimator } from './cliEmptyEstimator';
import { readJsonConfig } from './core/configs/readJson';

runAloneOrWholeCli(estimateCommand, { configEstimator: emptyEstimator({ json: readJsonConfig }) });
