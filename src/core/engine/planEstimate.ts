// The part of a config's estimate that needs no runs: its plan as read, cost, memory, the published
// LR/batch laws' advice and the notes they earn. estimates.ts adds the loss from the family's law
// and the family's own sweeps; with no runs there is neither (`withNoRuns`), so the CLI's small
// `estimate`/`ladder` bundles (src/cliEmptyEstimator.ts) hold no fit code (issue 20: cold start).
import type { ConfigReadResult } from '../configs/types';
import type { TrainingPlan } from '../configs/types';
import { lossTokens, planAdvice, planCaveats, planCost } from '../plan/advice';
import type { HardwareTable } from '../plan/hardware';
import type { ConfigEstimate } from '../snapshot';
import { appendAll } from '../../shared/arrays';
import { TRAINING_ARGS_FILE } from '../configs/fileNames';

/** Why there is no loss (ConfigEstimate.predictions.uncalibrated), where it depends on the workspace's runs alone. */
export const UNCALIBRATED = {
  tokensUnknown: 'training tokens unknown',
  noRunsOfFamily: (family: string) => `no finished runs of family "${family}" in the workspace`,
  noRuns: 'no finished runs to calibrate a law',
};

/**
 * A config's estimate up to its loss: not applicable (with the reason) or the plan with its cost,
 * memory, published LR/batch advice and notes, in the order the full estimate lists them.
 */
export function planEstimate(read: ConfigReadResult, file: string, hardware: HardwareTable): ConfigEstimate {
  if (read.kind === 'not-applicable') return { file, applicable: false, reason: read.reason, predictions: {}, notes: [], diagnostics: read.diagnostics };
  if (read.kind === 'error') return { file, applicable: false, reason: read.message, predictions: {}, notes: [], diagnostics: read.diagnostics };
  const plan = read.plan;
  const notes = [...plan.notes];
  const estimate: ConfigEstimate = { file, applicable: true, plan, predictions: {}, notes, diagnostics: read.diagnostics };
  const costed = planCost(plan, hardware);
  if (costed.cost) estimate.cost = costed.cost;
  if (costed.memory) estimate.memory = costed.memory;
  appendAll(notes, costed.notes);
  if (plan.tokens === undefined) notes.push(`Training tokens unknown: add ${TRAINING_ARGS_FILE} with max_steps and batch sizes, or total_tokens.`);
  const advice = planAdvice(plan);
  estimate.predictions.lr = advice.lr;
  estimate.predictions.batchTokens = advice.batchTokens;
  if (advice.silent) estimate.predictions.hparamsSilent = advice.silent;
  appendAll(appendAll(notes, advice.notes), planCaveats(plan));
  return estimate;
}

/**
 * The whole estimate in a workspace with no runs: no family has a law, so the loss is uncalibrated
 * (as estimates.ts says it), and a family has no sweeps, so nothing more is added.
 */
export function withNoRuns(estimate: ConfigEstimate): ConfigEstimate {
  if (estimate.plan) estimate.predictions.uncalibrated = uncalibratedWithNoRuns(estimate.plan);
  return estimate;
}

function uncalibratedWithNoRuns(plan: TrainingPlan): string {
  if (lossTokens(plan).tokens === undefined) return UNCALIBRATED.tokensUnknown;
  return plan.family !== undefined ? UNCALIBRATED.noRunsOfFamily(plan.family) : UNCALIBRATED.noRuns;
}
