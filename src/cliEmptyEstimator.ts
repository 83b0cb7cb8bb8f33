// What `estimate` and `ladder` ask of an engine with no runs, made without one: the small CLI bundles
// (src/cliEstimate.ts, src/cliLadder.ts) use it, so their cold start skips the engine, the log
// readers and the fitting thread's code. Its fits (a family's LR/batch sweep) run inline, as the
// empty engine's do; anything that needs runs or a family goes to the whole CLI (src/cliAlone.ts).
import type { ConfigEstimator } from './cliCommands/estimate';
import { wholeCliNeeded } from './cliAlone';
import { estimateConfig, type EstimateSources } from './core/engine/estimates';
import type { FitJob, FitJobKind } from './core/fitJobs';
import { sweepAdvice } from './core/plan/advice';
import { hardwareTable, type HardwareSettings } from './core/plan/hardware';

/** An engine with no runs, as far as `estimate` and `ladder` ask (ScalingWorkspace's estimate sources with nothing read). */
export function emptyEstimator(hardware: HardwareSettings): ConfigEstimator {
  const table = hardwareTable(hardware);
  const needed = (): never => wholeCliNeeded('a fit');
  // As the CLI's empty engine: no fitter (fits inline, what fitJobs.ts's inlineFitter runs for a
  // sweep job), no per-fit budget. Any other kind of fit needs runs: the whole CLI's.
  const fit = ((_slot: string, _key: string, _kind: FitJobKind, makeJob: () => FitJob, deadline: number) => {
    const job = makeJob();
    return job.kind === 'sweep' ? sweepAdvice(job.plan, job.runs, { seed: job.seed, deadline }) : needed();
  }) as EstimateSources['fit'];
  const sources: EstimateSources = {
    hardware: () => table,
    seed: () => 1,
    runs: () => [],
    familyName: needed,
    // No runs, no families; anything else is the engine's.
    fitFamilies: (runs) => (runs.length === 0 ? [] : needed()),
    overtrainFit: needed,
    fit,
  };
  return {
    hardware: table,
    runs: () => [],
    estimateConfig: (file, text, readSibling, deadline) => estimateConfig(sources, file, text, readSibling, deadline),
  };
}
