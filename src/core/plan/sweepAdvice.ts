// What a family's own LR / batch sweeps say about a plan (Step Law refitted on them), apart from the
// published laws' advice (advice.ts), which needs no fit: an estimate with no runs loads no fit code
// (issue 20: the CLI's cold start).
import type { TrainingPlan } from '../configs/types';
import { stepLaw } from '../laws/steplaw';
import { fitHparamSweeps, predictHparams, surfacePenaltyPct, type SweepGroup } from '../fit/hparamSweep';
import type { HparamSuggestion } from './advice';

/** A finished run of the plan's family, as a point of an LR / batch sweep. */
export interface SweepRun {
  runId: string;
  /** Non-embedding parameters (Step Law's N). */
  nonEmbeddingParams: number;
  tokens: number;
  lr: number;
  batchTokens: number;
  /** Final (smoothed) training loss. */
  loss: number;
}

export interface SweepAdvice {
  /** Step Law refitted on the family's sweeps (first in the lens when present). */
  lr?: HparamSuggestion;
  batchTokens?: HparamSuggestion;
  /** Loss penalty (% over the optimum) of the configured LR and batch, read off a fitted sweep surface at the plan's (N, D). */
  penaltyPct?: number;
  notes: string[];
}

/** Runs within 2% in N and D belong to the same sweep group. */
const SAME_SIZE = 0.02;

function sameSize(a: number, b: number): boolean {
  return Math.abs(Math.log(a / b)) < SAME_SIZE;
}

/**
 * What the family's own LR / batch sweeps say about a plan: Step Law refitted on the optima of
 * its (N, D) groups, and — only when a sweep surface is fitted at the plan's own N and D — the
 * loss penalty of the configured LR and batch. Nothing is claimed without such sweeps.
 */
export function sweepAdvice(plan: TrainingPlan, runs: readonly SweepRun[], opts: { seed?: number; deadline?: number; resamples?: number } = {}): SweepAdvice {
  const out: SweepAdvice = { notes: [] };
  if (plan.muP || runs.length < 3) return out;
  const groups: (SweepGroup & { runIds: string[] })[] = [];
  for (const r of runs) {
    const g = groups.find((x) => sameSize(x.params, r.nonEmbeddingParams) && sameSize(x.tokens, r.tokens));
    const point = { lr: r.lr, batchTokens: r.batchTokens, loss: r.loss };
    if (g) {
      g.points.push(point);
      g.runIds.push(r.runId);
    } else groups.push({ params: r.nonEmbeddingParams, tokens: r.tokens, points: [point], runIds: [r.runId] });
  }
  const swept = groups.filter((g) => g.points.length >= 3);
  if (swept.length === 0) return out;
  const fit = fitHparamSweeps(stepLaw, swept, { seed: opts.seed ?? 1, resamples: opts.resamples ?? 50, deadline: opts.deadline });
  const n = plan.params.activeNonEmbedding ?? plan.params.nonEmbedding;
  const d = plan.tokens;
  if (d !== undefined && (fit.lr || fit.batch)) {
    const p = predictHparams(stepLaw, fit, n, d);
    const assumes = `Step Law refitted on the optima of ${swept.length} sweep group(s) of this family (${swept.reduce((k, g) => k + g.points.length, 0)} runs)`;
    if (fit.lr && Number.isFinite(p.lr.value))
      out.lr = { lawId: 'steplaw-lr-fitted', title: 'Step Law LR, fitted on your sweeps', value: p.lr.value, assumes, outsideDomain: p.lr.flags?.join('; ') };
    if (fit.batch && Number.isFinite(p.batchTokens.value))
      out.batchTokens = {
        lawId: 'steplaw-batch-fitted',
        title: 'Step Law batch, fitted on your sweeps',
        value: p.batchTokens.value,
        assumes,
        outsideDomain: p.batchTokens.flags?.join('; '),
      };
  }
  if (d !== undefined && plan.peakLr !== undefined && plan.tokensPerStep !== undefined) {
    const at = fit.groups.findIndex((g) => g.surface && sameSize(g.params, n) && sameSize(g.tokens, d));
    const surface = at >= 0 ? fit.groups[at].surface : undefined;
    if (surface) {
      out.penaltyPct = Math.max(0, surfacePenaltyPct(surface, plan.peakLr, plan.tokensPerStep));
      const where = surface.bracketed ? '' : ' (the sweep did not bracket the optimum: the penalty is a lower bound)';
      out.notes.push(
        `Configured LR ${plan.peakLr} and batch ${plan.tokensPerStep} tokens: +${out.penaltyPct.toFixed(2)}% loss over the sweep optimum (LR ${surface.lrStar.toPrecision(3)}, batch ${Math.round(surface.batchStar)}), read off the surface fitted on ${surface.pointsUsed} runs at this N and D${where}.`,
      );
    }
  }
  return out;
}
