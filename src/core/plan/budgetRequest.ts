// "Plan Compute Budget" without `vscode`: the worker's side (request → plan, calibrated on a
// family law of the workspace), the result as markdown, and the recommended plan written as a
// config in a format the readers recognise. Unit-tested; the VS Code command is
// src/features/planBudget.ts, the CLI's is src/cliCommands/plan.ts.
import { parseBudget, planBudget, type BudgetCandidate, type BudgetPlan } from './budget';
import { formatHours, formatUsd } from './costFormat';
import type { HardwareTable } from './hardware';
import type { LawCrossRunFit } from '../fit/crossRunLaw';
import type { FamilyLaw } from '../snapshot';
import { formatCount, formatFlops, formatLoss, formatInterval } from '../../shared/format';
import { parseSuffixedNumber } from '../numberText';
import { frontierNarrowing, narrowingLines } from './frontierNarrowing';

/**
 * "Plan Compute Budget": the budget as the user typed it (the worker parses it again), optional
 * constraints, and the config it started from (its family, sequence length and vocabulary).
 */
export interface PlanBudgetRequest {
  budget: string;
  params?: number;
  inferenceTokens?: number;
  deadlineDays?: number;
  gpus?: number;
  hardware?: string;
  family?: string;
  seqLen?: number;
  vocab?: number;
}

/** The family whose law calibrates the plan: the one asked for, else the only fitted one, else the one with most runs. */
export function chooseFamily(families: readonly FamilyLaw[], wanted?: string): { law?: FamilyLaw; note?: string } {
  const fitted = families.filter((f) => f.fit && !f.fit.timedOut);
  if (wanted !== undefined) {
    const law = fitted.find((f) => f.family === wanted);
    return law ? { law } : { note: `no fitted law for family "${wanted}": the plan uses the published default frontier and its loss is uncalibrated` };
  }
  if (fitted.length === 0) return {};
  const law = [...fitted].sort((a, b) => b.runIds.length - a.runIds.length || a.family.localeCompare(b.family))[0];
  return { law, note: fitted.length > 1 ? `several families are fitted; the plan uses "${law.family}" (most runs)` : undefined };
}

/**
 * Runs in the worker: parses the budget and plans it on the chosen family's law; `overtrainOf` gives
 * that family's over-training fit (the engine's, through its fitter), for losses by regime. With an
 * N* interval, the runs that would narrow it are searched until `deadline` (epoch ms).
 */
export function planBudgetRequest(
  request: PlanBudgetRequest,
  families: readonly FamilyLaw[],
  hardware?: HardwareTable,
  overtrainOf?: (law: FamilyLaw) => LawCrossRunFit | { error: string } | undefined,
  deadline?: number,
): { plan: BudgetPlan; family?: string } | { error: string } {
  const budget = parseBudget(request.budget);
  if ('error' in budget) return budget;
  const { law, note } = chooseFamily(families, request.family);
  const lossLaw = law?.fit
    ? { fit: law.fit, family: law.family, runsUsed: law.runIds, overtrain: overtrainOf?.(law), points: law.points, anchoredRunIds: law.anchoredRunIds }
    : undefined;
  const planned = planBudget(
    {
      budget,
      params: request.params,
      inferenceTokens: request.inferenceTokens,
      deadlineDays: request.deadlineDays,
      gpus: request.gpus,
      hardware: request.hardware,
      seqLen: request.seqLen,
      vocab: request.vocab,
    },
    { hardware, ...(lossLaw ? { lossLaw } : {}) },
  );
  if ('error' in planned) return planned;
  const narrowing = lossLaw ? frontierNarrowing(planned, lossLaw, { hardware, deadline, seqLen: request.seqLen, vocab: request.vocab }) : undefined;
  if (narrowing) planned.narrowing = narrowing;
  if (note) planned.notes.unshift(note);
  return { plan: planned, family: law?.family };
}

// ---------------------------------------------------------------- constraints

/** The budget input's validation message (undefined = valid), by the planner's own parser. */
export function validateBudget(text: string): string | undefined {
  if (text.trim() === '') return undefined; // Enter accepts the default
  const parsed = parseBudget(text);
  return 'error' in parsed ? parsed.error : undefined;
}

/**
 * Reads a positive number written like `7e9`, `7B`, `1.5T`, `300k`, `2,000` (undefined when not
 * one). `signed` also reads a sign, zero and negative values: the CLI passes those on so that the
 * planner's error names the flag and the value.
 */
export function parseAmount(text: string, { signed = false }: { signed?: boolean } = {}): number | undefined {
  return parseSuffixedNumber(text, { suffixes: 'kKmMbBtT', separators: ',_', signed });
}

/** `30 days on 256 GPUs`, `30d 256`, `30 256` → days and GPUs. */
export function parseDeadline(text: string): { days: number; gpus: number } | undefined {
  const m = /^\s*([0-9]+\.?[0-9]*)\s*(?:d|days?)?\s*(?:on|×|x|,)?\s*([0-9]+)\s*(?:gpus?|accelerators?|chips?|[a-z][\w-]*)?\s*$/i.exec(text);
  if (!m) return undefined;
  const days = Number(m[1]);
  const gpus = Number(m[2]);
  return days > 0 && Number.isInteger(gpus) && gpus > 0 ? { days, gpus } : undefined;
}

// ---------------------------------------------------------------- result text

function lossCell(c: BudgetCandidate): string {
  return 'uncalibrated' in c.loss ? 'uncalibrated' : `${formatLoss(c.loss.value)} ${formatInterval(c.loss.interval)}`;
}

/** `3.211 (2.90–3.37)`: the loss to three decimals (rows differ in the third), the 80% range to two. */
function compactLoss(c: BudgetCandidate): string {
  if ('uncalibrated' in c.loss) return 'uncalibrated';
  const [lo, hi] = c.loss.interval;
  return `${formatLoss(c.loss.value)} (${lo.toFixed(2)}–${hi.toFixed(2)})`;
}

function sci(v: number): string {
  return v.toExponential(1).replace('e+', 'e');
}

/** A row's short name: the part in brackets (`½ N, 2× D`), else the label itself. */
function shortLabel(label: string): string {
  return /\(([^()]+)\)\s*$/.exec(label)?.[1] ?? label;
}

/** Options of the rendered plan. */
export interface PlanMarkdownOptions {
  /** Accelerators the run would use (a deadline's, or the config's): fills the "days" column. */
  gpus?: number;
}

/** Wall-clock days of a candidate: the plan's own (deadline), else its accelerator-hours over `gpus`. */
function daysOf(c: BudgetCandidate, gpus: number | undefined): number | undefined {
  if (c.wallClockDays !== undefined) return c.wallClockDays;
  return gpus ? c.gpuHours / gpus / 24 : undefined;
}

function days(v: number): string {
  return v >= 10 ? v.toFixed(0) : v.toFixed(1);
}

/**
 * The plan as markdown: one compact table first (it must fit a normal editor width without
 * wrapping, and stay clear of the notification in the bottom corner), then the recommendation's
 * details and the notes. Columns whose value is the same in every row (each plan spends the
 * budget) are said once above the table; a column that cannot be filled is left out.
 */
export function planMarkdown(plan: BudgetPlan, family: string | undefined, hardwareId = plan.hardware.id, options: PlanMarkdownOptions = {}): string {
  const rows = [plan.recommended, ...plan.alternatives];
  const same = (f: (c: BudgetCandidate) => string) => rows.every((c) => f(c) === f(rows[0]));
  const hours = (c: BudgetCandidate) => formatHours(c.gpuHours);
  const usd = (c: BudgetCandidate) => formatUsd(c.usd);
  const gpus = options.gpus;
  const haveDays = rows.every((c) => daysOf(c, gpus) !== undefined);
  type Column = { header: string; cell: (c: BudgetCandidate) => string };
  const columns: Column[] = [
    { header: 'plan', cell: (c) => (c === plan.recommended ? `**★ ${shortLabel(c.label)}**` : shortLabel(c.label)) },
    { header: 'params', cell: (c) => formatCount(c.params) },
    { header: 'tokens', cell: (c) => formatCount(c.tokens) },
    { header: 'D/N', cell: (c) => (c.tokensPerParam < 10 ? Number(c.tokensPerParam.toPrecision(2)).toString() : c.tokensPerParam.toFixed(0)) }, // below 10, two digits: 0.33 is not 0
  ];
  if (!same(compactLoss)) columns.push({ header: 'loss (80% range)', cell: compactLoss });
  if (!same(hours)) columns.push({ header: `${hardwareId}-h`, cell: hours });
  if (!same(usd)) columns.push({ header: 'cost ($)', cell: (c) => usd(c).replace(/^\$/, '') });
  const dayCell = (c: BudgetCandidate) => days(daysOf(c, gpus)!);
  const daysHeader = gpus ? `days on ${gpus} GPUs` : 'days';
  if (haveDays && !same(dayCell)) columns.push({ header: daysHeader, cell: dayCell });
  if (rows.every((c) => c.inference)) columns.push({ header: `serving ${hardwareId}-h`, cell: (c) => formatHours(c.inference!.gpuHours) });
  columns.push({ header: 'peak LR', cell: (c) => sci(c.lr.value) }, { header: 'batch (tokens)', cell: (c) => formatCount(c.batchTokens.value) });

  const spent: string[] = [];
  if (same(hours)) spent.push(`${hours(rows[0])} ${hardwareId}-h`);
  if (same(usd)) spent.push(usd(rows[0]));
  if (haveDays && same(dayCell)) spent.push(`${dayCell(rows[0])} ${daysHeader}`);
  const once = [
    `**${formatFlops(plan.flops)} FLOPs** on ${plan.hardware.name} at ${(plan.hardware.mfu * 100).toFixed(0)}% MFU, $${plan.hardware.usdPerHour}/h`,
    spent.length ? `every plan spends ${spent.join(' · ')}` : '',
    same(compactLoss) ? `loss ${compactLoss(rows[0])}` : '',
  ].filter(Boolean);
  const legend = rows.filter((c) => shortLabel(c.label) !== c.label).map((c) => `${shortLabel(c.label)}: ${c.label.replace(/\s*\([^()]+\)\s*$/, '')}`);
  const rec = plan.recommended;
  const lines = [
    `# Compute budget: ${plan.budget.text}`,
    '',
    `${once.join('; ')}.`,
    '',
    `| ${columns.map((c) => c.header).join(' | ')} |`,
    `| ${columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((c) => `| ${columns.map((col) => col.cell(c)).join(' | ')} |`),
    '',
    `★ recommended. D/N: tokens per parameter.${legend.length ? ` ${legend.join('; ')}.` : ''}${haveDays ? '' : ' Days: plan from a config that sets its GPUs, or add the "Deadline on N GPUs" constraint.'}`,
    '',
    `## Recommended: ${rec.label}`,
    '',
    `- **${formatCount(rec.params)} parameters**, ${formatCount(rec.tokens)} tokens (${rec.tokensPerParam.toFixed(1)} per parameter)`,
    `- Shape: ${rec.shape.nLayer} layers × d_model ${rec.shape.dModel} (${rec.shape.note})`,
    `- Predicted loss: ${'uncalibrated' in rec.loss ? `uncalibrated (${rec.loss.uncalibrated})` : `${lossCell(rec)} (80% interval)`}`,
    `- Cost: ${formatHours(rec.gpuHours)} ${hardwareId}-h · ${formatUsd(rec.usd)}${daysOf(rec, gpus) !== undefined ? ` · ${days(daysOf(rec, gpus)!)} days${gpus ? ` on ${gpus} GPUs` : ''}` : ''}`,
    `- LR ${sci(rec.lr.value)} (Step Law; DeepSeek ${sci(rec.lr.deepseek)}) · batch ${formatCount(rec.batchTokens.value)} tokens (DeepSeek ${formatCount(rec.batchTokens.deepseek)}); priors from published laws`,
    `- Frontier: ${plan.frontier}.${family ? ` Loss law: family "${family}".` : ''}`,
    ...rec.notes.map((n) => `- ${n}`),
    '',
    ...(plan.narrowing && plan.frontierUncertainty
      ? ['## Runs that would narrow N*', '', ...narrowingLines(plan.narrowing, plan.frontierUncertainty.nStar, hardwareId), '']
      : []),
    '## Notes',
    '',
    ...plan.notes.map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------- config snippets

/** Formats a planned config can be written in (others are written as the generic YAML). */
export type SnippetFormat = 'generic' | 'nanogpt' | 'megatron' | 'hf';

export interface SnippetFile {
  /** File name relative to the folder it is written in. */
  name: string;
  text: string;
}

/** Head count for a d_model: 128-wide heads when they divide it, else 64-wide. */
function headsFor(dModel: number): number {
  return dModel % 128 === 0 ? dModel / 128 : Math.max(1, Math.round(dModel / 64));
}

function snippetNumbers(c: BudgetCandidate, seqLen: number) {
  // Widths written as multiples of 128 (128-wide heads), as trained models use.
  const dModel = c.shape.dModel >= 512 ? Math.round(c.shape.dModel / 128) * 128 : c.shape.dModel;
  const heads = headsFor(dModel);
  const batchSeqs = Math.max(1, Math.round(c.batchTokens.value / seqLen));
  const steps = Math.max(1, Math.round(c.tokens / (batchSeqs * seqLen)));
  return { dModel, heads, batchSeqs, steps, lr: Number(c.lr.value.toPrecision(2)) };
}

function exp(v: number): string {
  // One decimal in the mantissa keeps YAML 1.1 readers (PyYAML) reading a float.
  const [m, e] = v.toExponential(1).split('e');
  return `${m}e${Number(e) < 0 ? '-' : ''}${Math.abs(Number(e))}`;
}

/** The recommended plan as a config the readers recognise (its family kept, so it is calibrated). */
export function planSnippet(
  c: BudgetCandidate,
  format: SnippetFormat,
  opts: { seqLen?: number; family?: string; budgetText?: string; gpus?: number } = {},
): SnippetFile[] {
  const seqLen = opts.seqLen ?? 2048;
  const n = snippetNumbers(c, seqLen);
  const header = `Planned by Scaling Lens for ${opts.budgetText ?? 'a compute budget'}: ${formatCount(c.params)} parameters, ${formatCount(c.tokens)} tokens`;
  switch (format) {
    case 'nanogpt':
      return [
        {
          name: 'train_planned.py',
          text: [
            `# ${header}`,
            `n_layer = ${c.shape.nLayer}`,
            `n_head = ${n.heads}`,
            `n_embd = ${n.dModel}`,
            `block_size = ${seqLen}`,
            `batch_size = ${n.batchSeqs}`,
            'gradient_accumulation_steps = 1',
            `max_iters = ${n.steps}`,
            `learning_rate = ${exp(n.lr)}`,
            '',
          ].join('\n'),
        },
      ];
    case 'megatron':
      return [
        {
          name: 'pretrain_planned.sh',
          text: [
            '#!/bin/bash',
            `# ${header}`,
            'torchrun pretrain_gpt.py \\',
            `  --num-layers ${c.shape.nLayer} \\`,
            `  --hidden-size ${n.dModel} \\`,
            `  --num-attention-heads ${n.heads} \\`,
            `  --seq-length ${seqLen} \\`,
            `  --max-position-embeddings ${seqLen} \\`,
            `  --vocab-size ${c.shape.vocab} \\`,
            `  --global-batch-size ${n.batchSeqs} \\`,
            `  --train-iters ${n.steps} \\`,
            `  --lr ${exp(n.lr)} \\`,
            '  --bf16',
            '',
          ].join('\n'),
        },
      ];
    case 'hf': {
      const config = {
        model_type: 'llama',
        architectures: ['LlamaForCausalLM'],
        hidden_size: n.dModel,
        intermediate_size: Math.round((8 * n.dModel) / 3 / 256) * 256,
        num_hidden_layers: c.shape.nLayer,
        num_attention_heads: n.heads,
        num_key_value_heads: n.heads,
        vocab_size: c.shape.vocab,
        max_position_embeddings: seqLen,
        tie_word_embeddings: true,
      };
      const args: Record<string, unknown> = {
        max_steps: n.steps,
        per_device_train_batch_size: n.batchSeqs,
        gradient_accumulation_steps: 1,
        world_size: 1,
        max_seq_length: seqLen,
        learning_rate: n.lr,
      };
      if (opts.family) args.family = opts.family;
      return [
        { name: 'config.json', text: `${JSON.stringify(config, null, 2)}\n` },
        { name: 'training_args.json', text: `${JSON.stringify(args, null, 2)}\n` },
      ];
    }
    case 'generic':
      return [
        {
          name: 'planned.yaml',
          text: [
            `# ${header}`,
            // Quoted: a family name (a folder name) may hold ": " or "#".
            ...(opts.family ? [`family: ${JSON.stringify(opts.family)}`] : []),
            'model:',
            `  layers: ${c.shape.nLayer}`,
            `  d_model: ${n.dModel}`,
            `  heads: ${n.heads}`,
            `  vocab: ${c.shape.vocab}`,
            '  tied: true',
            'training:',
            `  steps: ${n.steps}`,
            `  batch_size: ${n.batchSeqs}`,
            `  seq_len: ${seqLen}`,
            `  lr: ${exp(n.lr)}`,
            '  schedule: cosine',
            ...(opts.gpus !== undefined && opts.gpus > 1
              ? [`  gpus: ${opts.gpus}`, '  zero_stage: 3                # weights, gradients and optimizer state sharded (FSDP full shard)']
              : []),
            '',
          ].join('\n'),
        },
      ];
  }
}

/** The snippet format for a config the reader recognised as `format` (undefined → generic YAML). */
export function snippetFormatFor(format: string | undefined): SnippetFormat {
  return format === 'nanogpt' || format === 'megatron' || format === 'hf' ? format : 'generic';
}
