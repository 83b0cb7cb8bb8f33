// `scaling-lens curve <log file> [--until <fraction ≤ 1 | step>] [--law power|bnsl|multipower|annealing]
//   [--schedule constant|cosine|linear|wsd --total-steps N --warmup-steps N --peak-lr x --min-lr x --decay-steps N] [--json]`
// Fits a run's loss curve (up to --until) and predicts its loss at the last step of its schedule.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ScalingWorkspace, trainLoss } from '../core/workspace';
import { logFilesUnder } from './logFilesUnder';
import { formatDiagnostic } from '../core/diagnostics';
import { CURVE_LAW_IDS, fitCurve, type CurveFit, type CurveLawId } from '../core/fit/curve';
import { smoothedFinalLoss } from '../core/fit/crossRun';
import { buildSchedule, type ScheduleKind } from '../core/laws/schedule';
import { assumedScheduleInterval, lrHeldFrom, plannedSchedule } from '../core/fit/plannedSchedule';
import { chooseCurveLaw } from '../core/fit/curveChoice';
import { CommandUsageError, num, printResult, processIo, type CommandIo } from './fitShared';
import { appendAll, maxOf } from '../shared/arrays';
import { DOMAIN_LIMITS } from '../core/configs/domains';
import { runHealth } from '../core/runs/health';
import { displayNames } from '../shared/displayName';
import { idleOptions } from '../core/optionScope';
import { familyRootOf, siblingForecastOf } from './curveSiblings';
import { WORKSPACE_FILE_NAME } from '../shared/logFiles';
import { scheduleAssumedShort } from '../shared/scheduleAssumed';

export interface CurveCommandOutput {
  run: string;
  /** The run's display name (core/runs/displayName.ts), from the path as given. */
  name: string;
  law: string;
  /** The predicted loss at the last step of the schedule (`targetStep`): the law's noise-free value, or for a live run with finished siblings their forecast (`provenance`). */
  predictedFinal: number;
  interval: [number, number];
  /** Where `predictedFinal` comes from, as `scan` and the status bar say it. */
  provenance: 'from siblings' | 'from this run alone';
  /** The last logged LR step, held from there to the end, when the run's schedule is assumed (no config names it). */
  scheduleAssumedFrom?: number;
  /** With `from siblings`: the run's own curve forecast beside it, and the finished runs used. */
  alone?: { predictedFinal: number; interval: [number, number] };
  siblings?: string[];
  targetStep: number;
  /** Mean of the last 2% of logged points, when the log reaches the target step. */
  actualFinal?: number;
  /** 100·(predicted − actual)/actual. */
  errorPct?: number;
  /** Logged points the fit saw (up to --until), and the last step among them. */
  points: number;
  fittedUntilStep: number;
  validation: CurveFit['validation'] | null;
  flags: string[];
  notes: string[];
  bootstrap: CurveFit['bootstrap'];
  intervalLevel: number;
  /** The interval is at least predictedFinal·e^±intervalFloor (calibration.ts). */
  intervalFloor: number;
}

/** The log files under a run folder (the scan's default globs), at most 1,000. */
function logFilesIn(dir: string): string[] {
  return logFilesUnder(dir, { maxFiles: 1000 }).sort();
}

const SCHEDULES: readonly ScheduleKind[] = ['constant', 'cosine', 'linear', 'wsd', 'step'];

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new CommandUsageError(`--${name} must be a number ≥ 0`);
  return n;
}

/** The parser's options (optionScope.ts says when each has an effect). */
export const CURVE_OPTIONS = {
  until: { type: 'string' },
  law: { type: 'string' },
  schedule: { type: 'string' },
  'total-steps': { type: 'string' },
  'warmup-steps': { type: 'string' },
  'peak-lr': { type: 'string' },
  'min-lr': { type: 'string' },
  'decay-steps': { type: 'string' },
  resamples: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function curveCommand(args: string[], io: CommandIo = processIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: CURVE_OPTIONS,
  });
  if (positionals.length !== 1) throw new CommandUsageError('curve needs exactly one log file or run folder');
  if (values.law !== undefined && !(CURVE_LAW_IDS as readonly string[]).includes(values.law)) {
    throw new CommandUsageError(`unknown curve law "${values.law}" (available: ${CURVE_LAW_IDS.join(', ')})`);
  }
  if (values.schedule !== undefined && !SCHEDULES.includes(values.schedule as ScheduleKind)) {
    throw new CommandUsageError(`--schedule must be one of ${SCHEDULES.join(', ')}`);
  }
  // Options out of physical sense, or that do nothing in this mode (optionScope.ts): said, with the value as typed.
  const idle = idleOptions('curve', values);
  if (idle.length) throw new CommandUsageError(idle.join('; '));
  if (Number(values['peak-lr']) > DOMAIN_LIMITS.maxLr)
    throw new CommandUsageError(`--peak-lr ${values['peak-lr']} is above 1: no training uses such a learning rate`);
  if (Number(values['min-lr']) > DOMAIN_LIMITS.maxLr)
    throw new CommandUsageError(`--min-lr ${values['min-lr']} is above 1: no training uses such a learning rate`);
  if (Number(values['total-steps']) > DOMAIN_LIMITS.maxSteps)
    throw new CommandUsageError(`--total-steps ${values['total-steps']} is above 10^8 steps: too long`);
  if (Number(values['warmup-steps']) > Number(values['total-steps']))
    throw new CommandUsageError(`--warmup-steps ${values['warmup-steps']} is longer than --total-steps ${values['total-steps']}`);
  const until = values.until !== undefined ? Number(values.until) : undefined;
  if (until !== undefined && !(until > 0)) throw new CommandUsageError('--until must be a positive fraction (≤ 1) or step');
  const resamples = positive('resamples', values.resamples) ?? 100;
  const seed = positive('seed', values.seed) ?? 1;

  const target = path.resolve(positionals[0]);
  if (!fs.existsSync(target)) {
    io.stderr(`scaling-lens curve: ${positionals[0]}: no such file or folder\n`);
    return 1;
  }
  // A run folder is read as the scan reads it: every log file in it, one run expected.
  const isFolder = fs.statSync(target).isDirectory();
  const files = isFolder ? logFilesIn(target) : [target];
  if (files.length === 0) {
    io.stderr(`scaling-lens curve: ${positionals[0]}: no training log in this folder (see 'scaling-lens scan ${positionals[0]}')\n`);
    return 1;
  }
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  // Ids relative to the workspace folder, as `scan` gives them: the nearest folder above with
  // `.scalinglens.yaml`, whose values (maxSteps, family, exclusions) apply here too; else the folder
  // above, so the run is named by its folder (`llama-279m`).
  const root = familyRootOf(isFolder ? target : path.dirname(target));
  for (const f of files) engine.update(f, root);
  const workspaceFile = path.join(root, WORKSPACE_FILE_NAME);
  if (fs.existsSync(workspaceFile)) engine.update(workspaceFile, root);
  const runs = engine.runs();
  if (runs.length > 1) {
    io.stderr(`scaling-lens curve: ${positionals[0]} holds ${runs.length} runs (${runs.map((r) => r.id).join(', ')}): give one run's folder or log file\n`);
    return 1;
  }
  const run = runs[0];
  const loss = run && trainLoss(run);
  if (!run || !loss) {
    const why = engine.diagnostics().map(formatDiagnostic).join('\n') || 'no training-loss series found';
    io.stderr(`scaling-lens curve: ${positionals[0]}: ${why}\n`);
    return 1;
  }
  const notes: string[] = [];
  const lastStep = loss.steps[loss.steps.length - 1];
  const plannedEnd = Math.max(run.hyper.maxSteps ?? lastStep, lastStep);

  // The LR at every step: a schedule given on the command line, else the logged LR; the law and
  // the target step follow from it exactly as the dashboard chooses them (core/fit/curveChoice.ts).
  let givenSchedule: { lr: Float64Array; description: string } | undefined;
  const lrSeries = run.series.find((s) => s.role === 'lr' && s.steps.length >= 2);
  if (values.schedule) {
    const peakLr = positive('peak-lr', values['peak-lr']) ?? run.hyper.peakLr ?? (lrSeries ? maxOf(lrSeries.values) : undefined);
    if (!(peakLr! > 0)) throw new CommandUsageError('--schedule needs --peak-lr (no peak LR in the log or config)');
    const scheduled = buildSchedule({
      kind: values.schedule as ScheduleKind,
      peakLr: peakLr!,
      totalSteps: positive('total-steps', values['total-steps']) ?? plannedEnd,
      warmupSteps: positive('warmup-steps', values['warmup-steps']),
      minLr: positive('min-lr', values['min-lr']),
      decaySteps: positive('decay-steps', values['decay-steps']),
    });
    givenSchedule = { lr: scheduled, description: `${values.schedule} schedule given` };
  } else if (run.status === 'live') {
    // As the dashboard does: a live run's steps to come follow its config's schedule when it matches the log.
    givenSchedule = plannedSchedule(run.hyper, lrSeries);
  }
  const choice = chooseCurveLaw({
    lastStep,
    maxSteps: run.hyper.maxSteps,
    loggedLr: lrSeries,
    givenSchedule,
    law: values.law as CurveLawId | undefined,
    howToGiveSchedule: 'give --schedule',
  });
  if ('error' in choice) {
    io.stderr(`scaling-lens curve: ${positionals[0]}: ${choice.error}\n`);
    return 1;
  }
  const { lawId, lr, targetStep } = choice;
  appendAll(notes, choice.notes);

  const first = loss.steps[0];
  const cutStep = until === undefined ? lastStep : until <= 1 ? first + until * (lastStep - first) : until;
  const n = loss.steps.findIndex((s) => s > cutStep);
  const used = n < 0 ? loss.steps.length : n;
  if (used === 0) {
    io.stderr(`scaling-lens curve: ${positionals[0]}: no logged points up to step ${cutStep}\n`);
    return 1;
  }
  // A run that diverged within the points fitted has no finish to forecast.
  const health = runHealth(run, loss);
  const onset = health.onsetStep;
  if (health.state === 'diverged' && (until === undefined || onset === undefined || onset <= cutStep)) {
    io.stderr(
      `scaling-lens curve: ${positionals[0]}: the run diverged (${health.reason}); no finish forecast${onset !== undefined ? ` (it stopped improving at step ${onset}: --until ${onset} fits the curve before that)` : ''}\n`,
    );
    return 1;
  }
  const result = fitCurve(loss.steps.slice(0, used), loss.values.slice(0, used), { targetStep, seed, resamples, law: lawId, lr });
  if ('error' in result) {
    io.stderr(`scaling-lens curve: ${positionals[0]}: ${result.error}\n`);
    return 1;
  }
  // Named as the extension names it, from the path as given (`my-exp` for my-exp/lightning_logs/version_0).
  const name =
    displayNames([{ id: path.resolve(target).split(path.sep).filter(Boolean).join('/'), loggedName: run.loggedName }])
      .values()
      .next().value ?? run.id;
  // A live run with finished siblings is forecast from them, as the product does (curveSiblings.ts), unless the
  // command was asked for another fit (a prefix, a schedule or a law of its own).
  const custom = until !== undefined || values.schedule !== undefined || values.law !== undefined;
  const fromSiblings = run.status === 'live' && !custom ? siblingForecastOf(run, isFolder ? target : path.dirname(target), targetStep) : undefined;
  if (run.status === 'live' && custom)
    notes.push('from this run alone: --until, --schedule or --law asks for its own fit (the forecast from finished siblings is made on the whole log)');
  // A live run's LR held past its log (no schedule known): its schedule is assumed and its interval widened, as the engine does (engine/curveFits.ts).
  const heldFrom = run.status === 'live' && !givenSchedule && lr ? lrHeldFrom(lrSeries, targetStep) : undefined;
  const aloneInterval =
    heldFrom === undefined ? result.predictedFinal.interval : assumedScheduleInterval(result.predictedFinal.interval, result.predictedFinal.value, undefined);
  const out: CurveCommandOutput = {
    run: run.id,
    name,
    law: result.lawId,
    predictedFinal: fromSiblings ? fromSiblings.predictedFinal.value : result.predictedFinal.value,
    interval: fromSiblings ? fromSiblings.predictedFinal.interval : aloneInterval,
    provenance: fromSiblings ? 'from siblings' : 'from this run alone',
    ...(fromSiblings ? { alone: { predictedFinal: result.predictedFinal.value, interval: aloneInterval }, siblings: fromSiblings.siblings ?? [] } : {}),
    ...(heldFrom !== undefined ? { scheduleAssumedFrom: heldFrom } : {}),
    targetStep,
    points: used,
    fittedUntilStep: loss.steps[used - 1],
    validation: result.validation ?? null,
    flags: result.predictedFinal.flags ?? [],
    notes,
    bootstrap: result.bootstrap,
    intervalLevel: result.intervalLevel,
    intervalFloor: result.intervalFloor,
  };
  // The actual final loss is known only when the log reached the end of the schedule.
  if (lastStep >= targetStep) {
    out.actualFinal = smoothedFinalLoss(loss.steps, loss.values);
    out.errorPct = (100 * (out.predictedFinal - out.actualFinal)) / out.actualFinal;
  }
  printResult(io, values.json ?? false, out, () =>
    [
      `${name}: ${result.lawId} fitted on ${used} of ${loss.steps.length} points (to step ${out.fittedUntilStep})`,
      `  predicted loss at step ${targetStep}: ${num(out.predictedFinal, 5)} [${num(out.interval[0])}, ${num(out.interval[1])}] (${Math.round(result.intervalLevel * 100)}% interval)` +
        (out.alone
          ? ` from siblings (${out.siblings!.length} finished run(s) of its family; this run alone: ${num(out.alone.predictedFinal, 5)} [${num(out.alone.interval[0])}, ${num(out.alone.interval[1])}])`
          : '') +
        (out.scheduleAssumedFrom !== undefined ? `, ${scheduleAssumedShort(out.scheduleAssumedFrom, 'the interval reaches down to the LR falling to 0')}` : ''),
      out.actualFinal !== undefined
        ? `  actual (mean of the last 2% of points): ${num(out.actualFinal, 5)}, error ${out.errorPct!.toFixed(2)}%`
        : `  the log stops at step ${lastStep}; no actual final loss yet`,
      result.validation
        ? `  validation, fit on a prefix → last logged point: ${result.validation.prefixes.map((p) => `${Math.round(p.fraction * 100)}%: ${p.failed ? `failed (${p.failed})` : `${p.errorPct.toFixed(2)}%`}`).join(', ')}`
        : '  validation: too few points for fit-on-prefix checks',
      ...out.flags.map((f) => `  flag: ${f}`),
      ...notes.map((nn) => `  note: ${nn}`),
    ].join('\n'),
  );
  return 0;
}
