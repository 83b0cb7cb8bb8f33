// The fits the workspace engine asks for, as plain data in and plain data out (structured-
// cloneable: typed arrays, numbers, strings), so one fit can run in the calling thread (the CLI,
// unit tests) or in the extension's fitting thread, apart from ingestion (src/worker/fitClient.ts).
import { fitCurve, type CurveFit, type CurveLawId } from './fit/curve';
import type { CrossRunFit, CrossRunPoint } from './fit/crossRun';
import { fitFamilyLaw } from './fit/jointFamily';
import type { LawCrossRunFit } from './fit/crossRunLaw';
import { runPoint, type RunPoint, type RunPointMode } from './fit/runPoint';
import { overtrainFitFor } from './plan/regime';
import { sweepAdvice, type SweepAdvice, type SweepRun } from './plan/sweepAdvice';
import type { TrainingPlan } from './configs/types';
import {
  fitSizeResponse,
  forecastFromSiblings,
  forecastWithSameSize,
  type ScheduleResponse,
  type SiblingCurve,
  type SiblingForecast,
  type SizeResponse,
} from './fit/siblingForecast';

export type FitJob =
  /**
   * A run's loss curve by `law` (default power) to `targetStep`. A schedule-aware law (given `lr`)
   * that cannot be fitted falls back to the power law in steps, extrapolated to `plannedEndStep`.
   */
  | {
      kind: 'curve';
      steps: Float64Array;
      losses: Float64Array;
      targetStep: number;
      plannedEndStep: number;
      law?: CurveLawId;
      lr?: Float64Array;
      seed: number;
      resamples: number;
      everyResample?: boolean;
    }
  /** A family's law (laws/familyLaws.ts, Chinchilla unless `.scalinglens.yaml` picks another) over its runs' points. */
  | {
      kind: 'family';
      points: CrossRunPoint[];
      priors?: 'auto' | 'always' | 'never';
      law?: string;
      seed: number;
      /** Bootstrap resamples of the law (its default when absent): 0 for a provisional law (FamilyLaw.provisional), shown without interval. */
      resamples?: number;
    }
  /** The over-training law (Gadre et al. 2024) of a family, anchored on its Chinchilla fit. */
  | { kind: 'overtrain'; chinchilla: CrossRunFit; points: CrossRunPoint[]; seed: number }
  /** The point of one run that stands for it in its family's law, when that takes a fit (`curve` mode). */
  | { kind: 'runPoint'; steps: Float64Array; losses: Float64Array; tokensPerStep?: number; mode: RunPointMode; seed: number }
  /** LR and batch advice refitted from a family's sweeps, for one planned config. */
  | { kind: 'sweep'; plan: TrainingPlan; runs: SweepRun[]; seed: number }
  /**
   * One size's part of a family's schedule response, from its finished runs of that size (fit/siblingForecast.ts
   * `fitSizeResponse`): a job per size, each with the whole time budget (the engine combines them).
   */
  | { kind: 'scheduleSize'; siblings: SiblingCurve[] }
  /**
   * A live run's final loss from its prefix and its finished siblings: jointly with the siblings of
   * its own size when it has any, else with the family's schedule response as priors.
   */
  | {
      kind: 'siblingForecast';
      steps: Float64Array;
      losses: Float64Array;
      lr: Float64Array;
      targetStep: number;
      sameSize: SiblingCurve[];
      response?: ScheduleResponse;
      /** The live run's N, for the size-scaled priors (undefined: pooled across sizes). */
      params?: number;
    };

export type FitJobKind = FitJob['kind'];
export type FitJobOf<K extends FitJobKind> = Extract<FitJob, { kind: K }>;

export interface FitJobResults {
  /** `lrUsed`: the fit is the schedule-aware one (false: the power-law fallback, or no LR given). */
  curve: { fit: CurveFit | { error: string }; lrUsed: boolean };
  family: CrossRunFit | { error: string };
  overtrain: LawCrossRunFit | { error: string };
  runPoint: RunPoint | { error: string };
  sweep: SweepAdvice;
  scheduleSize: SizeResponse | { error: string; timedOut?: true };
  siblingForecast: SiblingForecast | { error: string };
}

export type FitJobResult<K extends FitJobKind = FitJobKind> = FitJobResults[K];

/** When a fit stops early: `deadline` is a `performance.now()` time of the thread running it. */
export interface FitControl {
  deadline?: number;
  isCancelled?: () => boolean;
  /**
   * Where a fitter that queues jobs puts this one among jobs of its kind: lower first (default 0).
   * The engine ranks what the user sees first (a live run's curve before a finished one's).
   */
  priority?: number;
}

/**
 * A `FitControl.priority` at or below this runs ahead of waiting jobs of every kind, not only of its
 * own: the point forecast of a run the user looks at (tenths of a second). Else a family law asked in
 * the same round (200 resamples; 0.3-0.9 s on 1,000 runs) went first and the run's first answer waited.
 */
export const AHEAD_OF_EVERY_KIND = -10;

/** Runs one job to completion, its deadline or its cancellation (a result cut short says `timedOut`). */
export function runFitJob<K extends FitJobKind>(job: FitJobOf<K>, control: FitControl): FitJobResult<K> {
  return runAny(job, control) as FitJobResult<K>;
}

function runAny(job: FitJob, control: FitControl): FitJobResult {
  const { deadline, isCancelled } = control;
  switch (job.kind) {
    case 'curve': {
      const base = { deadline, isCancelled, seed: job.seed, resamples: job.resamples, settle: job.everyResample !== true };
      const fit = fitCurve(job.steps, job.losses, { ...base, targetStep: job.targetStep, law: job.law, lr: job.lr });
      if (!job.lr || !('error' in fit)) return { fit, lrUsed: job.lr !== undefined };
      // A schedule-aware fit that cannot be made (e.g. too few points) still leaves the power law.
      return { fit: fitCurve(job.steps, job.losses, { ...base, targetStep: job.plannedEndStep }), lrUsed: false };
    }
    case 'family':
      return fitFamilyLaw(job.points, { deadline, isCancelled, seed: job.seed, priors: job.priors, law: job.law, resamples: job.resamples });
    case 'overtrain':
      return overtrainFitFor(job.chinchilla, job.points, { deadline, isCancelled, seed: job.seed });
    case 'runPoint':
      return runPoint({ steps: job.steps, losses: job.losses, tokensPerStep: job.tokensPerStep }, job.mode, { deadline, isCancelled, seed: job.seed });
    case 'sweep':
      return sweepAdvice(job.plan, job.runs, { seed: job.seed, deadline });
    case 'scheduleSize':
      return fitSizeResponse(job.siblings, { deadline, isCancelled });
    case 'siblingForecast':
      if (job.sameSize.length) {
        // Without its law: a law holds functions, which a thread cannot post (DataCloneError).
        const forecast = forecastWithSameSize(job.steps, job.losses, job.lr, job.targetStep, job.sameSize, { deadline, isCancelled });
        return 'error' in forecast ? forecast : { ...forecast, schedules: undefined };
      }
      if (job.response) return forecastFromSiblings(job.steps, job.losses, job.lr, job.targetStep, job.response, job.params, { deadline, isCancelled });
      return { error: 'no finished siblings' };
  }
}

/** Whether a result was cut short by its deadline (shown, but redone when asked again in the same thread). */
export function fitTimedOut(result: FitJobResult): boolean {
  const fit = 'lrUsed' in result ? result.fit : result;
  return 'timedOut' in fit && fit.timedOut === true;
}

/** The result standing for a job that could not be run at all (the fitting thread kept stopping on it). */
export function failedFit<K extends FitJobKind>(kind: K, reason: string): FitJobResult<K> {
  const failed: FitJobResult =
    kind === 'curve' ? { fit: { error: reason }, lrUsed: false } : kind === 'sweep' ? { notes: [`Sweep advice unavailable: ${reason}.`] } : { error: reason };
  return failed as FitJobResult<K>;
}

/** The newest fit finished for a slot: its key (the inputs it was made from), result and tag. */
export interface FitAnswer<K extends FitJobKind = FitJobKind> {
  key: string;
  result: FitJobResult<K>;
  /** What the caller attached to the job when it asked (see `Fitter.fit`). */
  tag?: string;
}

/**
 * Where the engine's fits run. `key` is a hash of everything the job is computed from; `slot` names
 * what it is for (a run's curve, a family's law): a newer job for the same slot replaces one still
 * waiting. `makeJob` is called only when the job is run, possibly later: what it reads must not
 * change meanwhile (the run index hands out runs whose series never change). `tag` is handed back
 * with the answer. The answer is the newest fit finished for the slot: the one asked for, or while
 * that runs elsewhere one made before from other inputs (its `key` says which), or undefined.
 */
export interface Fitter {
  fit<K extends FitJobKind>(slot: string, key: string, kind: K, makeJob: () => FitJobOf<K>, control: FitControl, tag?: string): FitAnswer<K> | undefined;
  /** The slots of a run or family that is gone: their answers are dropped and their waiting fits not run (a fitter that keeps nothing needs none). */
  forget?(slots: readonly string[]): void;
  /** Fits running now, each in a thread of this process (worker/fitClient.ts; none for a fitter that runs them in the calling thread): a large log's split read counts their cores taken. */
  readonly running?: number;
}

/** Fits in the calling thread, at once (the CLI, tests, benchmarks). */
export const inlineFitter: Fitter = {
  fit: (_slot, key, _kind, makeJob, control, tag) => ({ key, result: runFitJob(makeJob(), control), tag }),
};
