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
export { fitLaw, type FitLawOptions, type LawData, type LawFitRaw, type Prior } from './fitLaw';
export { mulberry32 } from './random';
