// Result types the engine produces for every consumer (worker, CLI, UI). Plain data only.
import type { Diagnostic } from './diagnostics';
import type { TrainingPlan } from './configs/types';
import type { Prediction } from './fit/types';
import type { CurveFit } from './fit/curve';
import type { CrossRunFit } from './fit/crossRun';

/** A run's curve law and what it predicts for the planned last step. */
export interface CurvePrediction {
  lawId: string;
  targetStep: number;
  predictedFinal: Prediction;
  parameters: CurveFit['parameters'];
  validation?: CurveFit['validation'];
  pointsUsed: number;
  timedOut: boolean;
}

/** The cross-run law of one run family (runs sharing data, tokenizer and recipe). */
export interface FamilyLaw {
  family: string;
  /** True when no run named its family and the name was guessed from folders. */
  guessed: boolean;
  runIds: string[];
  fit?: CrossRunFit;
  error?: string;
}

export interface LossEstimate extends Prediction {
  family: string;
  runsUsed: string[];
  /** Set when the config named no family and the workspace's only family was assumed. */
  familyAssumed: boolean;
  /** Set when the plan lies beyond the fitted data (about an order of magnitude or more). */
  extrapolation?: string;
}

/** What `estimate` and the code lens say about one training config. */
export interface ConfigEstimate {
  file: string;
  applicable: boolean;
  reason?: string;
  plan?: TrainingPlan;
  cost?: { flops: number; convention: string };
  predictions: {
    loss?: LossEstimate;
    /** Why there is no absolute loss: the laws need runs of the family to calibrate them. */
    uncalibrated?: string;
  };
  notes: string[];
  diagnostics: Diagnostic[];
}
