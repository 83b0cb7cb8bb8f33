export * from './types';
export { fitCurve, predictCurve, sampleCurve, CURVE_LAW_IDS, type CurveFit, type CurveFitOptions, type CurveLawId } from './curve';
export {
  fitCrossRun,
  predictCrossRun,
  smoothedFinalLoss,
  chinchillaPriors,
  type CrossRunFit,
  type CrossRunOptions,
  type CrossRunPoint,
} from './crossRun';
export {
  fitCrossRunLaw,
  predictWithFit,
  predictWithDefaults,
  type LawCrossRunFit,
  type LawCrossRunOptions,
  type LawPoint,
} from './crossRunLaw';
export { fitIsoflopFrontier, isoflopVertex, predictFrontier, type IsoflopBudget, type IsoflopFrontier, type IsoflopPoint } from './isoflop';
export { fitLaw, type FitLawOptions, type LawData, type LawFitRaw, type Prior } from './fitLaw';
export { runBootstrap, type BootstrapOutcome } from './bootstrap';
export { mulberry32 } from './random';
export { INTERVAL_CALIBRATION, calibrateInterval, intervalKindOf, intervalMultiplier, widenInterval, type IntervalKind } from './calibration';
export { runPoint, finalLossNoLag, smoothedMinimumLoss, stableCheckpoints, type Checkpoint, type RunPoint, type RunPointMode } from './runPoint';
export { fitHparamSweeps, fitSweepSurface, predictHparams, surfacePenaltyPct, type HparamFit, type SweepGroup, type SweepPoint, type SweepSurface } from './hparamSweep';
export { referencePriors } from './priors';
export { hashNumbers } from './hash';
