// What a config's plan costs on its hardware and what learning rate and batch the published
// hyperparameter laws suggest for it. Pure: the plan, the hardware table and the result. No fit
// code: an estimate with no runs needs only this (the family's own sweeps: sweepAdvice.ts).
import type { TrainingPlan } from '../configs/types';
import { stepLaw } from '../laws/steplaw';
import { deepseekLaw } from '../laws/deepseek';
import { dataLimitedLaw, effectiveData } from '../laws/datalimited';
import type { LawDefinition } from '../laws/types';
import { referenceParams } from '../laws/reference';
import { trainingFlops } from './flops';
import { computeTime, findHardware, precisionOf, type HardwareTable } from './hardware';
import { ASSUMED_SEQ_LEN, describeLayout, fitsMemory, memoryInputOf, memoryPerGpu, smallestLayout, type MemoryEstimate, type MemoryLayout } from './memory';
import { appendAll } from '../../shared/arrays';
import { formatInteger } from '../../shared/format';

export interface PlanCost {
  flops: number;
  convention: string;
  /** Accelerator-hours at `hardware.mfu` of the hardware's peak for the plan's precision. */
  gpuHours: number;
  usd: number;
  /** Wall clock on the plan's GPUs (when known). */
  wallClockHours?: number;
  hardware: HardwareUsed;
}

export interface HardwareUsed {
  id: string;
  name: string;
  usdPerHour: number;
  mfu: number;
  peakFlopsPerSecond: number;
  precision: string;
  memoryBytes: number;
}

/** Memory per accelerator with the verdict on the configured hardware. */
export interface MemoryReport extends MemoryEstimate {
  fits: boolean;
  capacityBytes: number;
  hardwareId: string;
  warning?: string;
  /** What the estimate assumed because the config did not say. */
  assumed: string[];
  /** Sequence length and micro-batch the estimate is for, and whether the config stated them. */
  seqLen: number;
  microBatch: number;
  seqLenAssumed: boolean;
  microBatchAssumed: boolean;
  /** When the configured layout does not fit: the smallest that does at the same sequence length and micro-batch. */
  smallestFit?: { layout: MemoryLayout; description: string; totalBytes: number };
}

export interface HparamSuggestion {
  lawId: string;
  title: string;
  /** Suggested value (peak LR, or batch in tokens). */
  value: number;
  /** What the law assumes, so the user can judge whether it transfers. */
  assumes: string;
  /** Set when the plan lies outside the law's fitted range. */
  outsideDomain?: string;
}

export interface PlanAdvice {
  lr: HparamSuggestion[];
  batchTokens: HparamSuggestion[];
  /** Why there is no LR/batch advice (μP), when so. */
  silent?: string;
  notes: string[];
}

/** A published law's value at its reference parameters. */
function published(law: LawDefinition, x: number[]): number {
  return law.evaluate(referenceParams(law), x);
}

/** DeepSeek's compute C = M·D, with M = 72·L·d² + 6·L·d·l_seq non-embedding FLOPs per token (attention included). */
export function deepseekFlops(shape: { nLayer: number; dModel: number }, seqLen: number, tokens: number): number {
  return (72 * shape.nLayer * shape.dModel ** 2 + 6 * shape.nLayer * shape.dModel * seqLen) * tokens;
}

/** Peak LR and batch (tokens) by the published Step Law and DeepSeek laws, with DeepSeek's compute. */
export interface PublishedHparams {
  steplaw: { lr: number; batchTokens: number };
  deepseek: { lr: number; batchTokens: number; flops: number };
}

/** The published laws' LR and batch for N non-embedding parameters trained on D tokens, in a shape at a sequence length. */
export function publishedHparams(nonEmbedding: number, tokens: number, shape: { nLayer: number; dModel: number }, seqLen: number): PublishedHparams {
  const c = deepseekFlops(shape, seqLen, tokens);
  return {
    steplaw: { lr: published(stepLaw.lr, [nonEmbedding, tokens]), batchTokens: published(stepLaw.batch, [tokens]) },
    deepseek: { lr: published(deepseekLaw.lr, [c]), batchTokens: published(deepseekLaw.batch, [c]), flops: c },
  };
}

function outside(law: LawDefinition, values: Record<string, number>): string | undefined {
  const ranges = law.domain?.ranges ?? {};
  const out: string[] = [];
  for (const [symbol, [lo, hi]] of Object.entries(ranges)) {
    const v = values[symbol];
    if (v === undefined) continue;
    if (v < lo || v > hi) out.push(`${symbol} = ${v.toExponential(2)} outside [${lo.toExponential(0)}, ${hi.toExponential(0)}]`);
  }
  return out.length ? `${out.join('; ')}: extrapolated` : undefined;
}

/** Training FLOPs, time, price (when tokens are known) and memory per GPU of a plan on a hardware profile. */
export function planCost(plan: TrainingPlan, table: HardwareTable, hardwareId?: string): { cost?: PlanCost; memory?: MemoryReport; notes: string[] } {
  const notes: string[] = [];
  const profile = findHardware(table, hardwareId) ?? findHardware(table, table.defaultId)!;
  // Settings entries that were ignored are said where the user looks at costs.
  for (const problem of table.problems) notes.push(`Hardware settings: ${problem}.`);
  const out: { cost?: PlanCost; memory?: MemoryReport; notes: string[] } = { notes };
  if (plan.tokens !== undefined) {
    const f = trainingFlops(plan);
    const time = computeTime(f.flops, profile, { mfu: table.mfu, precision: precisionOf(plan.precision), gpus: plan.gpus });
    out.cost = {
      flops: f.flops,
      convention: f.convention,
      gpuHours: time.gpuHours,
      usd: time.usd,
      hardware: {
        id: profile.id,
        name: profile.name,
        usdPerHour: profile.usdPerHour,
        mfu: table.mfu,
        peakFlopsPerSecond: time.peakFlopsPerSecond,
        precision: time.precision,
        memoryBytes: profile.memoryBytes,
      },
    };
    if (time.wallClockHours !== undefined) out.cost.wallClockHours = time.wallClockHours;
    appendAll(appendAll(notes, f.notes), time.notes);
    notes.push(
      `Time and price at ${(table.mfu * 100).toFixed(0)}% MFU of ${profile.name} ${time.precision.toUpperCase()} peak (${(time.peakFlopsPerSecond / 1e12).toFixed(0)} TFLOP/s), $${profile.usdPerHour}/GPU-hour; change with the scalingLens.hardware.* settings.`,
    );
  }
  const mem = memoryInputOf(plan);
  const estimate = memoryPerGpu(mem.input);
  const fit = fitsMemory(estimate, profile.memoryBytes);
  out.memory = {
    ...estimate,
    fits: fit.fits,
    capacityBytes: profile.memoryBytes,
    hardwareId: profile.id,
    assumed: mem.assumed,
    seqLen: mem.input.seqLen,
    microBatch: mem.input.microBatch,
    seqLenAssumed: mem.seqLenAssumed,
    microBatchAssumed: mem.microBatchAssumed,
  };
  if (mem.assumed.length)
    notes.push(
      `Memory per GPU assumes ${mem.assumed.join(', ')}; activations FlashAttention-style (Korthikanti et al. 2022 without the s² term), mixed-precision Adam 16 B/param.`,
    );
  if (fit.warning) {
    out.memory.warning = fit.warning;
    const smallest = smallestLayout(mem.input, profile.memoryBytes);
    const at = `at sequence length ${formatInteger(mem.input.seqLen)}${mem.seqLenAssumed ? ' (assumed)' : ''} and micro-batch ${mem.input.microBatch}${mem.microBatchAssumed ? ' (assumed)' : ''}`;
    if (smallest) {
      const description = describeLayout(smallest.layout, profile.id);
      out.memory.smallestFit = { layout: smallest.layout, description, totalBytes: smallest.estimate.totalBytes };
      notes.push(
        `Memory on ${profile.id}: ${fit.warning}. The smallest layout that fits ${at}: ${description} (${(smallest.estimate.totalBytes / 1e9).toFixed(0)} GB/GPU).`,
      );
    } else {
      notes.push(`Memory on ${profile.id}: ${fit.warning}. No layout up to 4096 GPUs fits ${at}: lower the micro-batch or the sequence length.`);
    }
  }
  return out;
}

/** Step Law and DeepSeek suggestions for the plan's peak LR and batch, or why there are none. */
export function planAdvice(plan: TrainingPlan): PlanAdvice {
  const notes: string[] = [];
  if (plan.muP) {
    return {
      lr: [],
      batchTokens: [],
      silent: 'μP config: the learning rate transfers across widths by design, so the standard-parametrisation LR laws do not apply.',
      notes,
    };
  }
  const out: PlanAdvice = { lr: [], batchTokens: [], notes };
  const tokens = plan.tokens;
  if (tokens === undefined) {
    out.silent = 'training tokens unknown: the LR and batch laws need D';
    return out;
  }
  const n = plan.params.activeNonEmbedding ?? plan.params.nonEmbedding;
  const a = plan.architecture;
  // The training length, not the model's position capacity (see ASSUMED_SEQ_LEN).
  const hp = publishedHparams(n, tokens, a, plan.seqLen ?? Math.min(ASSUMED_SEQ_LEN, a.positions ?? ASSUMED_SEQ_LEN));
  const stepAssumes =
    'Step Law (Li et al. 2025): dense LLaMA-style models, AdamW (β2 0.95, wd 0.1), warmup then cosine to 1e−5, sequence 2,048; N non-embedding, D tokens';
  const stepDomain = outside(stepLaw.lr, { N: n, D: tokens });
  out.lr.push({ lawId: stepLaw.lr.id, title: stepLaw.lr.title, value: hp.steplaw.lr, assumes: stepAssumes, outsideDomain: stepDomain });
  out.batchTokens.push({
    lawId: stepLaw.batch.id,
    title: stepLaw.batch.title,
    value: hp.steplaw.batchTokens,
    assumes: stepAssumes,
    outsideDomain: outside(stepLaw.batch, { D: tokens }),
  });
  const deepAssumes = 'DeepSeek LLM (2024): C = M·D with M = 72·L·d² + 6·L·d·seq, multi-step LR schedule (80/10/10%), AdamW; fitted at 1e17–3e20 FLOPs';
  const deepDomain = outside(deepseekLaw.lr, { C: hp.deepseek.flops });
  out.lr.push({ lawId: deepseekLaw.lr.id, title: deepseekLaw.lr.title, value: hp.deepseek.lr, assumes: deepAssumes, outsideDomain: deepDomain });
  out.batchTokens.push({
    lawId: deepseekLaw.batch.id,
    title: deepseekLaw.batch.title,
    value: hp.deepseek.batchTokens,
    assumes: deepAssumes,
    outsideDomain: deepDomain,
  });
  if (a.experts !== undefined) notes.push('Mixture of experts: the LR and batch laws were fitted on dense models; N is the active non-embedding count.');
  return out;
}

/** Caveats a plan earns by its precision and its data (repeated epochs). */
export function planCaveats(plan: TrainingPlan): string[] {
  const notes: string[] = [];
  const p = precisionOf(plan.precision);
  if (p === 'fp8' || p === 'int8') {
    notes.push(
      `${p.toUpperCase()} training: the laws were fitted on BF16/FP32 runs; low precision can raise the loss and shift the optimal LR (Kumar et al. 2024, "Scaling Laws for Precision"). Treat predictions as optimistic.`,
    );
  } else if (p === 'fp16') {
    notes.push('FP16 with loss scaling: the laws were fitted on BF16/FP32 runs; overflow-skipped steps do not count.');
  }
  if (plan.uniqueTokens !== undefined && plan.tokens !== undefined && plan.uniqueTokens < plan.tokens) {
    const epochs = plan.tokens / plan.uniqueTokens;
    const rStar = dataLimitedLaw.reference?.values.Rstar;
    const eff = rStar !== undefined ? effectiveData(plan.tokens, plan.uniqueTokens, rStar) : undefined;
    notes.push(
      `Repeated data: ${epochs.toFixed(1)} epochs over ${plan.uniqueTokens.toExponential(2)} unique tokens. The data-limited law (Muennighoff et al. 2023) applies: ` +
        (eff !== undefined
          ? `the run is worth about ${eff.toExponential(2)} fresh tokens (R*_D = ${rStar}), not ${plan.tokens.toExponential(2)}.`
          : 'repeated tokens are worth less than fresh ones.'),
    );
  }
  return notes;
}

/**
 * Tokens to feed the loss law: D itself, or with repeated data Muennighoff et al.'s effective
 * D' = U + U·R*·(1 − e^(−R/R*)) (R*_D = 15.4 as published), so a fitted Chinchilla law of the
 * family predicts the data-limited loss.
 */
export function lossTokens(plan: TrainingPlan): { tokens?: number; note?: string } {
  const d = plan.tokens;
  if (d === undefined || plan.uniqueTokens === undefined || plan.uniqueTokens >= d) return { tokens: d };
  const rStar = dataLimitedLaw.reference!.values.Rstar;
  const eff = effectiveData(d, plan.uniqueTokens, rStar);
  return {
    tokens: eff,
    note: `Predicted loss uses the effective data D' = ${eff.toExponential(3)} tokens (data-limited law, R*_D = ${rStar}) in place of D = ${d.toExponential(3)}.`,
  };
}
