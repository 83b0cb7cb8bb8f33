/** Results of fits: plain JSON-serialisable objects (no functions, classes or typed arrays). */

export interface ParamEstimate {
  value: number;
  /** Bootstrap percentile interval at `FitResult.intervalLevel`; [value, value] when no resample succeeded. */
  interval: [number, number];
}

export interface FitResult {
  lawId: string;
  /** In the law's natural units (E, A, alpha, ... not log-space). */
  parameters: Record<string, ParamEstimate>;
  pointsUsed: number;
  /** Root mean square of the log residuals (ln prediction − ln observed). */
  residualRmse: number;
  converged: boolean;
  timedOut: boolean;
  /** `resamples` completed (failed included); `failed` of them gave no usable fit. */
  bootstrap: { resamples: number; failed: number };
  /** Central probability of every interval in this result (0.8 = 10th–90th percentile). */
  intervalLevel: number;
  /**
   * Factor by which every interval's half-widths were widened from the raw bootstrap percentiles
   * (calibration.ts: measured on backtests; 1 = raw bootstrap). 1 for a curve fit, whose loss
   * predictions are widened to an error floor instead (CurveFit.intervalFloor).
   */
  intervalMultiplier: number;
  /** Best parameters in the law's fit space (order of `law.parameters`), to evaluate the law. */
  fitParams: number[];
  /** Successful bootstrap parameter sets in fit space, for prediction intervals. */
  samples: number[][];
}

export interface Prediction {
  value: number;
  interval: [number, number];
  lawId: string;
  /** Why this prediction is less trustworthy: outside the law's published domain, or > 10× past the fitted data. */
  flags?: string[];
}
