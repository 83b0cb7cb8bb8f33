export * from './types';
export { fitCurve, sampleCurve, type CurveFit, type CurveFitOptions } from './curve';
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
