// ETAs for live runs whose logs record no clock, before the worker has seen two updates arrive
// (the rate the dashboard otherwise measures itself). Two further sources, each said in the ETA:
// 1. the log file's own times: created when the run began logging, last written at its last step,
//    so (last step − first step) / (last write − creation) is the run's average pace so far;
// 2. earlier runs' paces: a run whose log has a clock, scaled by FLOPs per step (at the same
//    throughput a step's time grows with its FLOPs), the nearest in FLOPs per step, its own family first.
import * as fs from 'node:fs';
import type { RunView } from './snapshot';
import type { Eta } from './snapshot';

/** A file's creation and last-write times (ms since 1970); creation 0 where the file system keeps none. */
export interface FileTimes {
  birthMs: number;
  modifiedMs: number;
}

/** Less time than this between a log's creation and its last write says nothing of the pace: a copy, an unpacked archive, a checkout. */
export const MIN_FILE_SPAN_SECONDS = 60;

/** The times of the run's most recently written file (the log being appended to; configs are written once), or undefined. */
export function newestFileTimes(files: readonly string[], timesOf: (file: string) => FileTimes | undefined = statTimes): FileTimes | undefined {
  let newest: FileTimes | undefined;
  for (const f of files) {
    const t = timesOf(f);
    if (t && (!newest || t.modifiedMs > newest.modifiedMs)) newest = t;
  }
  return newest;
}

function statTimes(file: string): FileTimes | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? { birthMs: st.birthtimeMs, modifiedMs: st.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The ETA from the log file's times: the steps logged between its creation and its last write,
 * over that time. Undefined when the file system keeps no creation time, when less than
 * MIN_FILE_SPAN_SECONDS lie between them, or when no step was made.
 */
export function etaFromFileTimes(firstStep: number, lastStep: number, targetStep: number, times: FileTimes | undefined): Eta | undefined {
  if (!times || !(times.birthMs > 0) || !Number.isFinite(times.modifiedMs)) return undefined;
  const seconds = (times.modifiedMs - times.birthMs) / 1000;
  if (!(seconds >= MIN_FILE_SPAN_SECONDS) || !(lastStep > firstStep)) return undefined;
  const stepsPerSecond = (lastStep - firstStep) / seconds;
  return {
    seconds: Math.max(0, targetStep - lastStep) / stepsPerSecond,
    stepsPerSecond,
    sinceStep: firstStep,
    source: 'file-times',
    basis: `the log file's creation and last write (steps ${firstStep}–${lastStep} in ${Math.round(seconds / 60)} min; pauses count)`,
  };
}

/** A run's steps per second on its latest launch, from its log's clock (RunView.display.wall); undefined without one. */
export function loggedStepRate(run: Pick<RunView, 'display'>): number | undefined {
  const wall = run.display.wall;
  if (!wall || wall.steps.length < 2) return undefined;
  const restart = wall.restartSteps?.length ? wall.steps.indexOf(wall.restartSteps[wall.restartSteps.length - 1]) : 0;
  const from = Math.max(0, restart);
  const last = wall.steps.length - 1;
  const seconds = (wall.hours[last] - wall.hours[from]) * 3600;
  const rate = (wall.steps[last] - wall.steps[from]) / seconds;
  return seconds > 0 && rate > 0 && Number.isFinite(rate) ? rate : undefined;
}

/** The step a live run's ETA counts to: its planned last step, else its forecast's, never before its last step. */
export function etaTargetStep(run: Pick<RunView, 'hyper' | 'curve' | 'lastStep'>): number | undefined {
  if (run.lastStep === undefined) return undefined;
  return Math.max(run.hyper.maxSteps ?? run.curve?.targetStep ?? run.lastStep, run.lastStep);
}

/**
 * The ETA of `run` from the step rate of an earlier run with a clock, scaled by FLOPs per step:
 * the run nearest in FLOPs per step, of the same family when one has a clock. Undefined when no
 * run has both a clock and FLOPs per step, or `run` has no FLOPs per step.
 */
export function etaFromEarlierRuns(run: RunView, runs: readonly RunView[]): Eta | undefined {
  const target = etaTargetStep(run);
  const flops = run.flopsPerStep;
  if (target === undefined || run.lastStep === undefined || !(flops! > 0)) return undefined;
  let best: { other: RunView; rate: number; score: number } | undefined;
  for (const other of runs) {
    if (other.id === run.id || !(other.flopsPerStep! > 0)) continue;
    const rate = loggedStepRate(other);
    if (rate === undefined) continue;
    // Same family first (same data and hardware, most likely), then the nearest in FLOPs per step.
    const score = (other.family === run.family ? 0 : 100) + Math.abs(Math.log(other.flopsPerStep! / flops!));
    if (!best || score < best.score) best = { other, rate, score };
  }
  if (!best) return undefined;
  const stepsPerSecond = (best.rate * best.other.flopsPerStep!) / flops!;
  return {
    seconds: Math.max(0, target - run.lastStep) / stepsPerSecond,
    stepsPerSecond,
    sinceStep: run.lastStep,
    source: 'earlier-runs',
    basis: `${best.other.name}'s logged pace (${best.rate.toPrecision(3)} steps/s) scaled by FLOPs per step (${(best.other.flopsPerStep! / flops!).toPrecision(2)}×), assuming the same hardware`,
  };
}

/** Gives each live run still without an ETA one from earlier runs' paces (after every run's view is made). */
export function fillEtasFromEarlierRuns(views: RunView[]): void {
  for (const v of views) {
    if (v.status !== 'live' || v.eta) continue;
    const eta = etaFromEarlierRuns(v, views);
    if (eta) v.eta = eta;
  }
}
