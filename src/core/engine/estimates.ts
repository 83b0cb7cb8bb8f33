// A training config's estimate: what it costs on the configured hardware, the LR and batch advice
// (published laws, and the family's own sweeps when it has them), and its loss from its family's
// law (the family's one model, plan/familyModel.ts). The engine (workspace.ts) supplies the runs,
// the family laws and the fits.
import type { Run } from '../runs/types';
import type { CrossRunFit, CrossRunPoint } from '../fit/crossRun';
import type { LawCrossRunFit } from '../fit/crossRunLaw';
import { runPoint } from '../fit/runPoint';
import { readConfig } from '../configs/index';
import { lossTokens } from '../plan/advice';
import type { SweepRun } from '../plan/sweepAdvice';
import { planEstimate, UNCALIBRATED } from './planEstimate';
import { familyModelOf } from '../plan/familyModel';
import type { HardwareTable } from '../plan/hardware';
import type { ConfigEstimate, FamilyLaw, LossEstimate } from '../snapshot';
import { appendAll, maxOf } from '../../shared/arrays';
import { SCHEDULE_ASSUMED } from '../../shared/scheduleAssumed';
import type { FitScheduler } from './fitScheduler';
import type { FitFamiliesOptions } from './familyFits';
import { trainLoss } from './runBasics';
import { brokenLawLoss, brokenLawSentence } from '../fit/familyBrokenLaw';
import { FLOPS_PER_PARAM_TOKEN } from '../laws/trainingCompute';
import { overtrainWeight } from '../plan/regime';

/** Said while the family's LR / batch sweeps are fitted (or, mid-read, not yet asked for). */
const SWEEP_PENDING_NOTE = "LR and batch advice from the family's sweeps: still being fitted.";

/** How far past the largest fitted run a prediction may go before it is flagged (×, in N or D). */
const EXTRAPOLATION_FACTOR = 10;

/** How an estimate is made. */
export interface EstimateOptions {
  /**
   * A first answer: a family that waits for live runs' forecasts and has no law yet is given a
   * provisional one, fitted without the live runs whose forecasts are still coming (LossEstimate.provisional).
   */
  provisional?: boolean;
  /**
   * Asked while a rescan still reads (`filesToRead` files left): only a provisional loss from the
   * runs read so far is of use (FitFamiliesOptions.midRead), so the sweeps' advice is not fitted yet.
   */
  midRead?: { filesToRead: number };
  /** Told the family law the loss is predicted from (or would be, once fitted). */
  onFamily?: (law: FamilyLaw) => void;
  /** Told the family the config names (undefined when it names none), when a loss is to be predicted. */
  onFamilyNamed?: (family: string | undefined) => void;
}

/** What an estimate is made from: the engine's runs, family laws and fits. */
export interface EstimateSources {
  /** The hardware table costs are computed on. */
  hardware(): HardwareTable;
  /** Seed of the fits (bootstrap resamples). */
  seed(): number;
  runs(): Run[];
  familyName(run: Run): string;
  fitFamilies(runs: Run[], deadline: number, opts?: FitFamiliesOptions): FamilyLaw[];
  overtrainFit(family: string, chinchilla: CrossRunFit, points: CrossRunPoint[], deadline: number): LawCrossRunFit | { error: string } | undefined;
  fit: FitScheduler['fit'];
  /** The family of the config being estimated (the one the user has open): its fits go first. */
  focusFamily?(family: string | undefined): void;
}

/**
 * The predicted final loss, cost and notes for one training config (its text as the editor has
 * it). Family laws come from the cache when their runs are unchanged; a refit stops at `deadline`.
 */
export function estimateConfig(
  src: EstimateSources,
  file: string,
  text: string,
  readSibling: (absPath: string) => string | undefined,
  deadline = Number.POSITIVE_INFINITY,
  opts: EstimateOptions = {},
): ConfigEstimate {
  const estimate = planEstimate(readConfig({ file, text, readSibling }), file, src.hardware());
  if (!estimate.plan) return estimate;
  const plan = estimate.plan;
  const notes = estimate.notes;
  // Repeated data: the family law is asked about the effective (data-limited) tokens.
  const effective = lossTokens(plan);
  const loss = predictLoss(src, plan.params.total, effective.tokens, plan.family, deadline, plan.params.nonEmbedding, opts);
  if (effective.note && !('uncalibrated' in loss)) notes.push(effective.note);
  if ('uncalibrated' in loss) estimate.predictions.uncalibrated = loss.uncalibrated;
  else {
    estimate.predictions.loss = loss;
    if (loss.regime) notes.push(loss.regime.note);
    if (loss.distance) notes.push(loss.distance.note);
    if (loss.anchoredRunIds?.length)
      notes.push(
        `The family law includes the forecast end of ${loss.anchoredRunIds.join(', ')} (still training; ${anchorSources(loss.anchoredRunIds, loss.anchoredFromSiblings)}${loss.anchoredScheduleAssumed?.length ? `; ${SCHEDULE_ASSUMED} for ${loss.anchoredScheduleAssumed.join(', ')}: no config names it, the last logged LR is held` : ''}), weighed by its forecast's interval (a measured end counts more).`,
      );
    if (loss.provisional) notes.push(loss.provisional.note);
    appendAll(notes, loss.fitWarnings ?? []);
    if (loss.breakNote) notes.push(loss.breakNote);
    if (loss.brokenLaw) notes.push(loss.brokenLaw.note);
  }
  // The family's own LR / batch sweeps, when it has them: refitted Step Law, and the penalty of
  // the configured values only where a sweep surface is fitted at this N and D.
  const sweepFamily = 'uncalibrated' in loss ? plan.family : loss.family;
  if (sweepFamily !== undefined && opts.midRead) notes.push(SWEEP_PENDING_NOTE);
  else if (sweepFamily !== undefined) {
    const runs = sweepRuns(src, sweepFamily);
    const sweepJob = { kind: 'sweep' as const, plan, runs, seed: src.seed() };
    const sweep = src.fit(`sweep:${file}`, JSON.stringify(sweepJob), 'sweep', () => sweepJob, deadline) ?? { notes: [SWEEP_PENDING_NOTE] };
    if (sweep.lr) estimate.predictions.lr = [sweep.lr, ...(estimate.predictions.lr ?? [])];
    if (sweep.batchTokens) estimate.predictions.batchTokens = [sweep.batchTokens, ...(estimate.predictions.batchTokens ?? [])];
    if (sweep.penaltyPct !== undefined) estimate.predictions.hparamPenaltyPct = sweep.penaltyPct;
    appendAll(notes, sweep.notes);
  }
  return estimate;
}

/** Finished runs of `family` with N, D, peak LR and batch known: the points of its LR / batch sweeps. */
function sweepRuns(src: EstimateSources, family: string): SweepRun[] {
  const out: SweepRun[] = [];
  for (const run of src.runs()) {
    if (run.status !== 'finished' || src.familyName(run) !== family) continue;
    const { nonEmbeddingParams, tokens, peakLr, tokensPerStep } = run.hyper;
    const loss = trainLoss(run);
    if (!loss || nonEmbeddingParams === undefined || tokens === undefined || peakLr === undefined || tokensPerStep === undefined) continue;
    const point = runPoint({ steps: loss.steps, losses: loss.values, tokensPerStep }, { kind: 'final' });
    if ('error' in point) continue;
    out.push({ runId: run.id, nonEmbeddingParams, tokens, lr: peakLr, batchTokens: tokensPerStep, loss: point.loss });
  }
  return out;
}

/** Where the anchored live runs' forecasts come from: their own curves, their finished siblings', or some of each. */
function anchorSources(anchored: readonly string[], fromSiblings: readonly string[] = []): string {
  const siblings = anchored.filter((id) => fromSiblings.includes(id));
  if (siblings.length === 0) return 'forecast from its own curve';
  if (siblings.length === anchored.length) return "forecast from its finished siblings' curves";
  return `forecast from finished siblings' curves for ${siblings.join(', ')}, from their own curves for the others`;
}

function predictLoss(
  src: EstimateSources,
  params: number,
  tokens: number | undefined,
  family: string | undefined,
  deadline: number,
  nonEmbeddingParams: number | undefined,
  opts: EstimateOptions,
): LossEstimate | { uncalibrated: string } {
  if (tokens === undefined) return { uncalibrated: UNCALIBRATED.tokensUnknown };
  opts.onFamilyNamed?.(family);
  const runs = src.runs();
  src.focusFamily?.(family);
  const families = src.fitFamilies(
    runs,
    deadline,
    opts.provisional ? { provisional: true, family, ...(opts.midRead ? { midRead: opts.midRead } : {}) } : undefined,
  );
  let chosen: FamilyLaw | undefined;
  let familyAssumed = false;
  if (family !== undefined) {
    chosen = families.find((f) => f.family === family);
    if (!chosen) return { uncalibrated: UNCALIBRATED.noRunsOfFamily(family) };
  } else {
    const fitted = families.filter((f) => f.fit);
    if (fitted.length !== 1) {
      // The one family whose provisional law is being fitted (FitFamiliesOptions.provisional gives one only
      // when it is the only candidate): told, so the caller waits for that fit, not for every fit of the round.
      const coming = families.filter((f) => f.provisional !== undefined && !f.fit && f.error === undefined);
      if (fitted.length === 0 && coming.length === 1) opts.onFamily?.(coming[0]);
      return { uncalibrated: fitted.length === 0 ? UNCALIBRATED.noRuns : 'the config names no family and the workspace has several' };
    }
    chosen = fitted[0];
    familyAssumed = true;
  }
  opts.onFamily?.(chosen);
  if (chosen.pending && !chosen.fit) return { uncalibrated: `the law of family "${chosen.family}" is still being fitted` };
  if (!chosen.fit) return { uncalibrated: `the law of family "${chosen.family}" could not be fitted: ${chosen.error ?? 'unknown reason'}` };
  if (chosen.fit.timedOut)
    return { uncalibrated: `the law of family "${chosen.family}" did not finish within its fit time budget (scalingLens.fit.timeBudgetMs)` };
  // The law follows the plan's regime: Chinchilla near compute-optimal, blended smoothly into the
  // over-training law far past it (plan/regime.ts). A provisional law has none (its fit would be one
  // more wait, and a family with an over-training law has its full law, so is never provisional): past
  // the blend start it gives no value, which would contradict the full law's silently.
  if (chosen.provisional && overtrainWeight(tokens / params) > 0)
    return {
      uncalibrated: chosen.provisional.fullLawTimedOut
        ? `the law of family "${chosen.family}" did not finish within its fit time budget (scalingLens.fit.timeBudgetMs), and at ${(tokens / params).toFixed(0)} tokens/parameter the over-training law blends in, which the law shown in its place has not`
        : `the law of family "${chosen.family}" is still being fitted (at ${(tokens / params).toFixed(0)} tokens/parameter the over-training law blends in, and a provisional law has none)`,
    };
  const overtrain = chosen.provisional ? undefined : src.overtrainFit(chosen.family, chosen.fit, chosen.points ?? [], deadline);
  // The family's one model (plan/familyModel.ts), the same the planner, the ladder and the scaling view use.
  const model = familyModelOf({ ...chosen, fit: chosen.fit }, overtrain);
  const prediction = model.predict(params, tokens, { nonEmbeddingParams });
  const fittedRuns = runs.filter((r) => chosen.runIds.includes(r.id));
  const maxParams = maxOf(fittedRuns.map((r) => r.hyper.params ?? 0));
  const maxTokens = maxOf(fittedRuns.map((r) => r.hyper.tokens ?? 0));
  const beyond: string[] = [];
  if (params > EXTRAPOLATION_FACTOR * maxParams) beyond.push(`${(params / maxParams).toFixed(0)}× the largest model fitted`);
  if (tokens > EXTRAPOLATION_FACTOR * maxTokens) beyond.push(`${(tokens / maxTokens).toFixed(0)}× the most tokens fitted`);
  if (prediction.distance.notValidated)
    beyond.push(
      `${prediction.distance.computeRatio.toFixed(0)}× the compute of the largest fitted run: not validated that far (backtests reach ${prediction.distance.backtestedUpTo}×)`,
    );
  return {
    ...prediction,
    family: chosen.family,
    runsUsed: chosen.runIds,
    familyAssumed,
    extrapolation: beyond.length ? beyond.join('; ') : undefined,
    ...(chosen.anchoredRunIds?.length ? { anchoredRunIds: chosen.anchoredRunIds } : {}),
    ...(chosen.anchoredFromSiblings?.length ? { anchoredFromSiblings: chosen.anchoredFromSiblings } : {}),
    ...(chosen.anchoredScheduleAssumed?.length ? { anchoredScheduleAssumed: chosen.anchoredScheduleAssumed } : {}),
    ...(chosen.provisional
      ? {
          provisional: chosen.provisional.fullLawTimedOut
            ? { pendingRunIds: [], note: provisionalLawNote(chosen)!, fullLawTimedOut: true as const }
            : chosen.provisional.filesToRead !== undefined
              ? {
                  pendingRunIds: chosen.provisional.pendingRunIds,
                  note: provisionalLawNote(chosen)!,
                  filesToRead: chosen.provisional.filesToRead,
                }
              : { pendingRunIds: chosen.provisional.pendingRunIds, note: provisionalLawNote(chosen)! },
        }
      : {}),
    // The break is said once, in its own field, not again among the fit's warnings (as FamilyLaw.fitWarnings).
    fitWarnings: model.warnings.filter((w) => w !== model.break?.note),
    ...(model.break ? { breakNote: model.break.note } : {}),
    ...(model.break?.brokenLaw
      ? {
          brokenLaw: {
            value: brokenLawLoss(model.break.brokenLaw, FLOPS_PER_PARAM_TOKEN * params * tokens),
            note: brokenLawSentence(model.break.brokenLaw, params, tokens, prediction.value),
          },
        }
      : {}),
  };
}

/**
 * What a provisional family law (FamilyLaw.provisional) is the law of, in a sentence beginning
 * "Provisional:": the note of an estimate made from it (LossEstimate.provisional) and of the scaling
 * view that draws it (ScalingView.provisional). Undefined for a family's full law.
 */
export function provisionalLawNote(law: Pick<FamilyLaw, 'runIds' | 'provisional'>): string | undefined {
  const provisional = law.provisional;
  if (!provisional) return undefined;
  if (provisional.fullLawTimedOut) return cutShortNote(provisional.fullLawTimedOut.sameRuns, law.runIds.length);
  if (provisional.filesToRead !== undefined) return midReadNote(law.runIds.length, provisional.filesToRead);
  return provisionalNote(provisional.pendingRunIds);
}

/** What a provisional loss (LossEstimate.provisional) leaves out, in a sentence. */
function provisionalNote(pendingRunIds: readonly string[]): string {
  const shown = pendingRunIds.slice(0, 5).join(', ') + (pendingRunIds.length > 5 ? ` and ${pendingRunIds.length - 5} more` : '');
  return `Provisional: the family law fitted without the live runs whose forecasts are still coming, while the forecasts of ${pendingRunIds.length} live run(s) (${shown}) are still being fitted; no interval until the full law lands (it replaces this).`;
}

/** What a provisional loss asked for while a rescan still reads leaves out, in a sentence. */
function midReadNote(runs: number, filesToRead: number): string {
  return `Provisional: the family law fitted to the ${runs} runs of the family read so far, ${filesToRead} file(s) of the workspace still to read; no interval until the law of every run lands (it replaces this).`;
}

/** Why a provisional loss stands in for the family's full law that ran out of its fit budget, in a sentence. */
function cutShortNote(sameRuns: boolean, runs: number): string {
  const shown = sameRuns ? `the law of the same ${runs} runs fitted without resamples` : 'the law of the finished runs';
  return `Provisional: the family's full law did not finish within scalingLens.fit.timeBudgetMs; showing ${shown}, so no interval (a larger budget gives the full law with its interval).`;
}
