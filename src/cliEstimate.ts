// `scaling-lens estimate <config>` with no runs to calibrate on (no --workspace, no training log in
// the current folder): the config readers and the estimate alone, bundled apart (dist/cliEstimate.js,
// esbuild.mjs), so the command's cold start skips the engine, the log readers and every fit
// (src/cliEmptyEstimator.ts). A usage error or any failure goes to the whole CLI (src/cliAlone.ts).
// A JSON, YAML or Python config has a bundle with its kind's reader alone (src/cliEstimateJson.ts,
// …; src/cliEntry.ts chooses by the file's extension); this one reads every kind.
import { estimateCommand } from './cliCommands/estimate';
import { runAloneOrWholeCli } from './cliAlone';
import { emptyEstimator } from './cliEmptyEstimator';
import { CONFIG_READERS } from './core/configs/index';

runAloneOrWholeCli(estimateCommand, { configEstimator: emptyEstimator(CONFIG_READERS) });
