// `scaling-lens estimate <config>` with no runs to calibrate on (no --workspace, no training log in
// the current folder): the config readers and the estimate alone, bundled apart (dist/cliEstimate.js,
// esbuild.mjs), so the command's cold start skips the engine, the log readers and the fitting
// thread's code (src/cliEmptyEstimator.ts). A usage error or any failure goes to the whole CLI
// (src/cliAlone.ts).
import { estimateCommand } from './cliCommands/estimate';
import { runAloneOrWholeCli } from './cliAlone';
import { emptyEstimator } from './cliEmptyEstimator';

runAloneOrWholeCli(estimateCommand, { configEstimator: emptyEstimator });
