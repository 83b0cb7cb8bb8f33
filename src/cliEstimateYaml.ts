// `scaling-lens estimate` on a YAML config with no runs to calibrate on: src/cliEstimate.ts with
// the yaml reader alone (dist/cliEstimateYaml.js, chosen by src/cliEntry.ts by the file's extension), so
// the cold start reads and runs no other kind's reader. Any other file goes to the whole CLI.
import { estimateCommand } from './cliCommands/estimate';
import { runAloneOrWholeCli } from './cliAlone';
import { emptyEstimator } from './cliEmptyEstimator';
import { readYamlFile } from './core/configs/readYaml';

runAloneOrWholeCli(estimateCommand, { configEstimator: emptyEstimator({ yaml: readYamlFile }) });
