// Result types the engine produces for every consumer (worker, CLI, UI). Plain data only.
import type { RegimeInfo } from './plan/regime';
import type { Distance } from './plan/familyModel';
import type { Diagnostic } from './diagnostics';
import type { TrainingPlan } from './configs/types';
import type { HparamSuggestion, MemoryReport, PlanCost } from './plan/advice';
import type { Prediction } from './fit/types';
import type { CurveFit } from './fit/curve';
import type { CrossRunFit } from './fit/crossRun';
import type { FamilyBrokenLaw } from './fit/familyBrokenLaw';
import type { RunPointMode } from './fit/runPoint';
import type { FamilySource } from './runs/workspaceFile';
import type { RunHyper, RunStatus, LogFormat } from './runs/types';
import type { RunHealth } from './runs/health';

export type { FamilySource };

/** A run's curve law and what it predicts for the planned last step. */
export interface CurvePrediction {
  lawId: string;
  targetStep: number;
  /** The run's predicted final loss: from its finished siblings when `provenance` says so, else its own curve. */
  predictedFinal: Prediction;
  /**
   * Where `predictedFinal` comes from: `from siblings` (the family's finished runs' schedule
   * response with this run's prefix, fit/siblingForecast.ts; calibrated interval) or `from this run
   * alone` (its own curve law). Absent in snapshots made before it existed (= this run alone).
   */
  provenance?: 'from siblings' | 'from this run alone';
  /**
   * Set when the run's LR past its log is assumed (held at its last logged value: no config names
   * its schedule, fit/plannedSchedule.ts): the step it is held from. The interval then reaches down
   * to the LR falling to 0 by the end.
   */
  scheduleAssumedFrom?: number;
  /** With `from siblings`: the finished runs it used, and the run's own curve forecast beside it. */
  siblings?: string[];
  alone?: Prediction;
  parameters: CurveFit['parameters'];
  validation?: CurveFit['validation'];
  pointsUsed: number;
  /** First step the fit used (the warm-up before it is dropped): the fitted curve is drawn from here. */
  firstStep: number;
  /**
   * Last logged step the fit saw. Behind the run's last step while a live run keeps its fit between
   * refits (`scalingLens.fit.liveRefitSeconds`): the prediction is the one made at this step.
   */
  fittedAtStep: number;
  timedOut: boolean;
  /**
   * The run's own curve is a point fit so far (no bootstrap resamples): its interval is still being
   * computed and follows in a later snapshot. Its interval is then only the error floor: shown as
   * "interval coming", never as final. It is `predictedFinal`'s when from this run alone, `alone`'s when from siblings.
   */
  intervalPending?: true;
}

/** When a live run will reach its planned last step, from its recent step rate since its last restart. */
export interface Eta {
  seconds: number;
  stepsPerSecond: number;
  /** First step of the launch the rate was measured on (a restart resets it). */
  sinceStep: number;
  /**
   * `log`: the log's own wall clock; `observed`: when the worker saw new steps arrive; for a log
   * without a clock before two updates arrived, `file-times`: the log file's creation and last
   * write; `earlier-runs`: another run's logged pace scaled by FLOPs per step (core/etaSources.ts).
   */
  source: 'log' | 'observed' | 'file-times' | 'earlier-runs';
  /** What the rate was measured on, in words, for the last two sources. */
  basis?: string;
}

/** Step → hours since the run's first logged point (ascending steps), for a wall-time x axis. */
export interface WallClock {
  steps: number[];
  hours: number[];
  /** The first step of each launch after the first (a crash and a resume): the wall-time axis breaks there. */
  restartSteps?: number[];
  /** When the clock is a Unix time (W&B's `_timestamp`, a `time` column): the first point's, in seconds, so the chart can say the date and hour too. */
  startUnixSeconds?: number;
}

/** Runs that differ only by seed: the mean train loss and the members' min–max, on shared steps. */
export interface SeedGroup {
  id: string;
  name: string;
  runIds: string[];
  steps: number[];
  mean: number[];
  lower: number[];
  upper: number[];
}

/** One run in the cross-run view: N, D, C = 6ND and its final (or predicted final) loss. */
export interface ScalingPoint {
  runId: string;
  name: string;
  params: number;
  tokens: number;
  flops: number;
  loss: number;
  interval?: [number, number];
  /** `final`: the loss the family law was fitted to; `predicted`: a live run's curve extrapolation. */
  kind: 'final' | 'predicted';
  /** Left out of the family law's leave-largest-out validation fit. */
  heldOut: boolean;
  /** Why the run is not in the family's fit (`.scalinglens.yaml` exclude, diverged): drawn apart, never as a point the law was fitted to. */
  notInFit?: string;
}

/** A family's cross-run picture: runs, the law along the runs' D/N ratio, the compute-optimal frontier. */
export interface ScalingView {
  family: string;
  points: ScalingPoint[];
  /** The law along the runs' tokens per parameter; its 80% band (`lower`, `upper`) only for a family's full law, not a provisional one. */
  lawLine?: { tokensPerParam: number; params: number[]; tokens: number[]; flops: number[]; loss: number[]; lower?: number[]; upper?: number[] };
  /**
   * The family's law drawn is provisional (FamilyLaw.provisional, a first scan's): why, in the sentence
   * the estimate made from it says (LossEstimate.provisional's note); the law line, frontier and
   * broken law are drawn marked so, without a band, and the full law replaces them when it lands.
   */
  provisional?: string;
  /** Where the family bends (FamilyLaw.possibleBreak): the broken law (fit/familyBrokenLaw.ts, of C = 6·N·D) at the law line's points. */
  brokenLine?: { params: number[]; tokens: number[]; flops: number[]; loss: number[] };
  frontier?: { params: number[]; tokens: number[]; flops: number[]; loss: number[] };
}

/** A planned run (the config open in the editor) in the scaling view, with its predicted loss [80%]. */
export interface PlannedPoint {
  file: string;
  family: string;
  params: number;
  tokens: number;
  flops: number;
  loss: number;
  interval: [number, number];
  /**
   * The loss stands in for the family's law that ran out of its fit budget (LossEstimate.provisional
   * `fullLawTimedOut`): why, in a sentence; the star is drawn marked provisional, without its interval.
   */
  provisional?: string;
  /**
   * The family law along the config's own tokens per parameter, from the smallest size the
   * scaling view draws to the config: the line that ends at the planned star (dashboardData.plannedLawPath).
   */
  lawPath?: { tokensPerParam: number; params: number[]; tokens: number[]; flops: number[]; loss: number[] };
}

/** One validation the engine ran: what the law predicted for data it had not seen, and what was observed. */
export interface ValidationPoint {
  kind: 'curve-prefix' | 'family-held-out';
  method: string;
  /** The run (curve) or family the validation belongs to. */
  subject: string;
  runId: string;
  predicted: number;
  actual: number;
  errorPct: number;
  atStep?: number;
  /** A validation that failed its sanity checks (fit/prefixSanity.ts), with why: listed, not plotted as a prediction. */
  failed?: string;
}

/** The cross-run law of one run family (runs sharing data, tokenizer and recipe). */
export interface FamilyLaw {
  family: string;
  /** True when no run named its family and it was guessed (from the runs' hyperparameters, else their folders). */
  guessed: boolean;
  /** Who named the family: `.scalinglens.yaml`, the runs' own training config, or a guess (RunView.familyReason says how). */
  source?: FamilySource;
  /** What `.scalinglens.yaml` says the family shares. */
  description?: { dataset?: string; tokenizer?: string; recipe?: string };
  /** The fit as `.scalinglens.yaml` pins it (law, where). */
  pinned?: { law: string; file: string; line: number };
  /** Runs of the family left out of its fit by `.scalinglens.yaml`. */
  excludedRunIds?: string[];
  runIds: string[];
  /**
   * Which point of each run the law was fitted to (fit/runPoint.ts): `final` smoothed without
   * lag, the smoothed `minimum`, or the `curve` law's value at a token count. The fit's
   * leave-largest-out check is `fit.validation`.
   */
  runPoint?: RunPointMode;
  /**
   * Live runs whose curve forecast (at their planned N and D) anchors the law as one run each: the
   * family's model then agrees with what those runs say they will reach. A subset of `runIds`.
   */
  anchoredRunIds?: string[];
  /** Those of `anchoredRunIds` whose forecast came from their finished siblings' curves (CurvePrediction.provenance). */
  anchoredFromSiblings?: string[];
  /** Those of `anchoredRunIds` whose forecast assumes the LR schedule (CurvePrediction.scheduleAssumedFrom). */
  anchoredScheduleAssumed?: string[];
  /** Runs of the family left out of its fits because they went wrong (runs/health.ts), with why. */
  leftOut?: { runId: string; reason: string }[];
  /** The (N, D, loss) of each run the law was fitted to, as fitted (the scaling view draws them). */
  points?: { runId: string; params: number; tokens: number; loss: number; nonEmbeddingParams?: number }[];
  fit?: CrossRunFit;
  /** The family's largest runs leave the law of the others (fit/familyBreak.ts): which, and the sentence that says so. */
  possibleBreak?: { runIds: string[]; note: string; brokenLaw?: FamilyBrokenLaw };
  /** Warning signs of the family's fit (plan/familyModel.ts fitWarnings: a parameter on its bound, E → 0, priors carrying it, an implausible exponent), the break's note aside. */
  fitWarnings?: string[];
  error?: string;
  /** The law is being fitted (in the fitting thread): `fit`, when present, is the one made before from other runs. */
  pending?: boolean;
  /**
   * A first answer: `fit` was fitted without the live runs named here, whose forecasts are still
   * being fitted; the family's law follows with them. In a snapshot only while the family has had no
   * law of its own since the rescan (a first scan: FitFamiliesOptions.firstLaws), never `fullLawTimedOut`;
   * the scaling view then says so (ScalingView.provisional).
   * `fullLawTimedOut`: the family's law ran out of its fit budget, `fit` (without resamples) stands
   * in for it, and nothing follows until the budget changes; `sameRuns` when it is fitted to the
   * same runs, else it is the provisional law shown before (the finished runs').
   * `filesToRead`: asked while a rescan still reads, `fit` is the law of the family's runs read so far,
   * with this many files of the workspace still to read; the law of every run follows.
   */
  provisional?: { pendingRunIds: string[]; fullLawTimedOut?: { sameRuns: boolean }; filesToRead?: number };
}

export interface LossEstimate extends Prediction {
  family: string;
  runsUsed: string[];
  /** Set when the config named no family and the workspace's only family was assumed. */
  familyAssumed: boolean;
  /** Set when the plan lies beyond the fitted data (about an order of magnitude or more). */
  extrapolation?: string;
  /** Which law the loss came from at this plan's tokens per parameter (plan/regime.ts: a smooth blend). */
  regime?: RegimeInfo;
  /** How far the plan lies from the family's runs (compute ratio, tokens per parameter), and whether backtests reach that far. */
  distance?: Distance;
  /** Set where the model's monotone envelope (more N and D never predict worse) gave the loss (plan/familyModel.ts). */
  monotone?: { params: number; tokens: number; note: string };
  /** Live runs whose curve forecasts anchor the family law (FamilyLaw.anchoredRunIds). */
  anchoredRunIds?: string[];
  /** Those of `anchoredRunIds` forecast from their finished siblings (FamilyLaw.anchoredFromSiblings); the others from their own curve. */
  anchoredFromSiblings?: string[];
  /** Those of `anchoredRunIds` whose forecast assumes the LR schedule (FamilyLaw.anchoredScheduleAssumed). */
  anchoredScheduleAssumed?: string[];
  /** Warning signs of the family's fit: parameters on a bound, E collapsing to 0, priors carrying it (the break's note aside). */
  fitWarnings?: string[];
  /** The family's largest runs may leave its law (fit/familyBreak.ts): the sentence that says so. */
  breakNote?: string;
  /** Where the family bends: the broken law's loss at this plan (fit/familyBrokenLaw.ts), beside the family law's, and the sentence that says so. */
  brokenLaw?: { value: number; note: string };
  /**
   * A first answer from a provisional family law (FamilyLaw.provisional): fitted to the finished runs
   * only, without the live runs named (their forecasts are still being fitted) and without the
   * over-training law. Its `interval` is not calibrated for that and is not shown; the estimate has
   * `fitsPending`, and the family's law replaces it once it lands. `filesToRead`: fitted to the runs
   * read so far while a rescan still reads (FamilyLaw.provisional.filesToRead).
   */
  provisional?: { pendingRunIds: string[]; note: string; fullLawTimedOut?: true; filesToRead?: number };
}

/** What `estimate` and the code lens say about one training config. */
export interface ConfigEstimate {
  file: string;
  applicable: boolean;
  reason?: string;
  plan?: TrainingPlan;
  /** FLOPs, GPU-hours, price and wall clock on the configured hardware (when tokens are known). */
  cost?: PlanCost;
  /** Memory per GPU (weights, gradients, Adam state, activations) and whether it fits. */
  memory?: MemoryReport;
  predictions: {
    loss?: LossEstimate;
    /** Why there is no absolute loss: the laws need runs of the family to calibrate them. */
    uncalibrated?: string;
    /** Step Law and DeepSeek suggestions for the peak LR and the batch in tokens (empty when silent). */
    lr?: HparamSuggestion[];
    batchTokens?: HparamSuggestion[];
    /** Why there is no LR/batch advice (μP, tokens unknown). */
    hparamsSilent?: string;
    /** Loss penalty (% over the optimum) of the configured LR and batch, only from a sweep surface fitted at the plan's N and D. */
    hparamPenaltyPct?: number;
  };
  notes: string[];
  diagnostics: Diagnostic[];
  /** Answered before every fit it asked for had landed (the worker stopped waiting): ask again once they have. */
  fitsPending?: boolean;
}

/** A run as the UI sees it: summary numbers plus display series already downsampled. */
export interface RunView {
  id: string;
  name: string;
  /** Who put the run in its family (see FamilyLaw.source); `guessed` families are shown as guesses. */
  familySource?: FamilySource;
  /** For a guessed family: how it was guessed (the hyperparameters its runs share, or only the folder). */
  familyReason?: string;
  /** Why the run is left out of family fits (`.scalinglens.yaml` and line), when it is. */
  excluded?: string;
  /** Folder holding the run's first log file. */
  dir: string;
  format: LogFormat;
  status: RunStatus;
  files: string[];
  hyper: RunHyper;
  lastStep?: number;
  lastLoss?: number;
  /** Which logged series are the train loss, eval loss, lr and tokens, and by which rule (runs/vocabulary.ts). */
  metricChoice?: string;
  /** Points held, all series. */
  points: number;
  /** Points received but held only inside averages of a very long series' older history (received = points + pointsThinned). */
  pointsThinned?: number;
  curve?: CurvePrediction;
  /**
   * Whether the run went wrong (core/runs/health.ts): `diverged` (non-finite, rising, or a spike
   * that did not recover: no finish forecast, left out of family fits), `plateau`, with events
   * (spikes, restarts). Absent from snapshots made before it existed.
   */
  health?: RunHealth;
  /** Why the run index gave the run its status, in words. */
  statusReason?: string;
  /** The family the run's laws belong to (as named, or guessed from its hyperparameters or folder; see familyReason). */
  family: string;
  /** Training FLOPs per optimizer step, 6·N·(tokens per step); undefined when N or tokens per step is unknown. */
  flopsPerStep?: number;
  /** Live runs only: when the planned last step will be reached. */
  eta?: Eta;
  display: {
    steps: number[];
    loss: number[];
    evalSteps: number[];
    evalLoss: number[];
    fitSteps: number[];
    fit: number[];
    fitLower: number[];
    fitUpper: number[];
    /** Learning rate as logged, downsampled like the loss. */
    lrSteps: number[];
    lr: number[];
    /** When the log records a wall clock. */
    wall?: WallClock;
  };
  diagnostics: Diagnostic[];
}

export interface Snapshot {
  /** Increases with every snapshot; stale ones are dropped. */
  version: number;
  runs: RunView[];
  families: FamilyLaw[];
  diagnostics: Diagnostic[];
  /** Time the worker spent building this snapshot, in milliseconds (fits run apart, in the fitting thread). */
  buildMs: number;
  /** Fits this snapshot waits for (queued or running in the fitting thread); a new snapshot follows as each lands. */
  fitting: number;
  /** Files of a rescan still to read (its runs are not listed yet); absent once every file is read. */
  filesToRead?: number;
  /** Runs that differ only by seed (two or more each). */
  seedGroups: SeedGroup[];
  /** One cross-run view per family. */
  scaling: ScalingView[];
  /** Every validation the engine ran, predicted versus actual. */
  validations: ValidationPoint[];
  /**
   * The worker's estimates generation (core/estimateFreshness.ts): a config estimate asked for at
   * an older one is stale and asked again. Absent outside the worker (the CLI estimates once).
   */
  estimates?: number;
}
