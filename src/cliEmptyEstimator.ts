// What `estimate` and `ladder` ask of an engine with no runs, made without one: the small CLI bundles
// (src/cliEstimate*.ts, src/cliLadder.ts) use it, so their cold start skips the engine, the log
// readers and every fit. With no runs a config's estimate is its plan, cost and the published laws'
// advice, its loss uncalibrated (core/engine/planEstimate.ts): no family law, no sweep to fit. Each
// bundle passes the config readers it holds; a config of another kind goes to the whole CLI
// (src/cliAlone.ts), as does anything that needs runs.
import type { ConfigEstimator } from './cliCommands/estimate';
import { wholeCliNeeded } from './cliAlone';
import { readConfigWith, type ConfigReaders } from './core/configs/readWith';
import { planEstimate, withNoRuns } from './core/engine/planEstimate';
import { hardwareTable, type HardwareSettings } from './core/plan/hardware';

/** An engine with no runs, as far as `estimate` and `ladder` ask, reading configs with `readers`. */
export function emptyEstimator(readers: ConfigReaders): (hardware: HardwareSettings) => ConfigEstimator {
  return (hardware) => {
    const table = hardwareTable(hardware);
    return {
      hardware: table,
      runs: () => [],
      estimateConfig: (file, text, readSibling) =>
        withNoRuns(
          planEstimate(
            readConfigWith(readers, { file, text, readSibling }, (kind) => wholeCliNeeded(`a reader of ${kind} configs`)),
            file,
            table,
          ),
        ),
    };
  };
}
