import type { Diagnostic } from '../diagnostics';
import type { MetricChoice, MetricRole } from './vocabulary';
import type { LrSchedule } from '../configs/types';

export type { MetricRole };

/**
 * The id of a log format of src/core/runs/formats/registry.ts, spelled out here so the protocol and
 * webview need no reader code (the registry fails to compile when the two lists differ).
 */
export type LogFormat = 'jsonl' | 'csv' | 'hf-trainer-state' | 'tfevents' | 'mlflow' | 'text' | 'wandb' | 'dvclive' | 'megatron-golden';

/**
 * The unit of a loss series when it is not simply the logged nats: converted from a perplexity
 * (ln ppl) or from bits (× ln 2), or bits per byte (kept as logged: not per token, not converted).
 */
export type MetricUnit = 'nats from perplexity' | 'nats from bits' | 'bits/byte';

/**
 * One metric of one run, as parallel columns sorted by step (unique steps). The columns are views
 * of the index's storage (src/core/runs/seriesStore.ts), shared with it and with earlier Runs:
 * read them, never write them (copy with `Array.from` or `.slice()` to change).
 */
export interface Series {
  metric: string;
  role: MetricRole;
  steps: Float64Array;
  values: Float64Array;
  /**
   * Points received but held only inside averages: beyond 2^19 points a series keeps its older
   * history as means of equal-sized groups (seriesStore.ts). Received = held + thinned.
   */
  thinned?: number;
  /** Set when the values are not the logged nats as they were (see MetricUnit). */
  unit?: MetricUnit;
}

/** One logged value, as a reader emits it. */
export interface MetricPoint {
  metric: string;
  step: number;
  value: number;
  /** Tokens seen at this step, when the log records them. */
  tokens?: number;
  /** Role decided by the reader (e.g. an RL trainer's constant-zero `loss` is 'other'); default: by metric name. */
  role?: MetricRole;
  /** Set when the value was converted or is not in nats (see MetricUnit). */
  unit?: MetricUnit;
  /** Where it was read (1-based line, or byte offset in a binary log), for diagnostics about its step. */
  line?: number;
  offset?: number;
}

/** Hyperparameters of a run; each is optional because logs rarely carry them all. */
export interface RunHyper {
  /** Total parameters N (embeddings included). */
  params?: number;
  nonEmbeddingParams?: number;
  /** Planned training tokens D for the whole run. */
  tokens?: number;
  tokensPerStep?: number;
  seqLen?: number;
  peakLr?: number;
  /** Planned last optimizer step (the end the curve is extrapolated to). */
  maxSteps?: number;
  /** The LR schedule the run's config names (the part of a live run still to come follows it). */
  schedule?: LrSchedule;
  /** Run family: runs on the same data, tokenizer and recipe, whose final losses share one law. */
  family?: string;
  /** Which of the values above were assumed or derived rather than read, in words. */
  notes: string[];
}

export type RunStatus = 'live' | 'finished' | 'failed';

/**
 * The rule behind a run's status: a loss went non-finite, the loss diverged, the trainer recorded
 * its end (trainer_state.json's summary row), the logger's own status or exit record (MLflow, W&B,
 * a format finished by definition), or the log reached its planned end (`endReached`: maxSteps).
 * Only the last may be reopened by a larger maxSteps (engine/runCatalog.ts).
 */
export type StatusRule = 'nonFinite' | 'diverged' | 'trainerEnd' | 'loggerStatus' | 'maxSteps';

export interface Run {
  /** Stable id: the run's directory or log path relative to the workspace root it was found under. */
  id: string;
  name: string;
  /** The run name the logger recorded (W&B `display_name`, MLflow `mlflow.runName`), when it did. */
  loggedName?: string;
  format: LogFormat;
  files: string[];
  hyper: RunHyper;
  series: Series[];
  status: RunStatus;
  /** Why the status was chosen, in words (e.g. "train loss went non-finite at step 1200"). */
  statusReason?: string;
  /** Which rule chose a status other than live (set with `statusReason`): code decides by this, never by the words. */
  statusRule?: StatusRule;
  /** The step the rule fired at, for `nonFinite` (the first non-finite loss value's). */
  statusStep?: number;
  /** Which series is the train loss, eval loss, lr and tokens, by which vocabulary rule (runs/vocabulary.ts). */
  metrics?: MetricChoice[];
  diagnostics: Diagnostic[];
}
