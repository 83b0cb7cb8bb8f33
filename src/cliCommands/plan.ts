// `scaling-lens plan --budget <1e21 | 5000 H100-h | '$2M'> ...`: the loss-optimal N and D for a
// budget, LR and batch, predicted loss (or why it is uncalibrated), cost, and alternatives.
// Calibration: `--workspace <dir>` fits the workspace's families (Chinchilla law per family);
// `--isoflop <csv>` fits an IsoFLOP frontier (columns flops, params, tokens, loss; `--where
// column=value` keeps matching rows) whose N*(C) then sets the model size.
import { readTextFileOrThrow, READ_CAPS } from '../core/safeFile';
import { idleOptions } from '../core/optionScope';
import { parseArgs } from 'node:util';
import type * as CsvParse from 'csv-parse/sync';
import { parseBudget, planBudget, type BudgetCandidate, type BudgetContext, type BudgetPlan } from '../core/plan/budget';
import { parseAmount } from '../core/plan/budgetRequest';
import { fitIsoflopFrontier, type IsoflopPoint } from '../core/fit/isoflop';
import { formatCount, formatFlops, formatInterval, formatLoss } from '../shared/format';
import { calibrationRuns, hardwareFlags, HARDWARE_OPTIONS, NOTHING_CALIBRATED, type CliContext } from './estimate';
import { hardwareTable } from '../core/plan/hardware';
import { DOMAIN_LIMITS } from '../core/configs/domains';
import { frontierNarrowing, narrowingLines } from '../core/plan/frontierNarrowing';

/** The CSV parser, loaded on first use (only `--isoflop` reads a CSV): a cheap `plan` starts without it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const csvParse = (input: string, options: CsvParse.Options): unknown => (require('csv-parse/sync') as typeof CsvParse).parse(input, options);

/** Time budget of the search for the runs that would narrow N* (as `ladder`'s search has). */
const NARROWING_SEARCH_MS = 10_000;

/** An amount: `7e9`, `7B`, `1.5T`, `300k`, `2,000`. */
function amount(name: string, text: string | undefined, ctx: CliContext): number | undefined {
  if (text === undefined) return undefined;
  // Zero and negative values are passed on: the planner's error names the flag and the value.
  const v = parseAmount(text, { signed: true });
  // `1e400` is a number, only not one a double holds: "too large", not "not a number".
  if (v === undefined && Number(text.trim()) === Infinity) throw ctx.usage(`${name} ${text} is too large`);
  if (v === undefined) throw ctx.usage(`${name} must be a number (got "${text}")`);
  return v;
}

function readIsoflop(file: string, where: string[], ctx: CliContext): IsoflopPoint[] {
  let records: Record<string, string>[];
  try {
    records = csvParse(readTextFileOrThrow(file, READ_CAPS.document), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (error) {
    throw new Error(`cannot read IsoFLOP table ${file}: ${(error as Error).message}`);
  }
  const filters = where.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw ctx.usage(`--where needs column=value (got "${w}")`);
    return [w.slice(0, eq), w.slice(eq + 1)] as const;
  });
  const points: IsoflopPoint[] = [];
  let skipped = 0;
  for (const r of records) {
    if (!filters.every(([k, v]) => r[k] === v)) continue;
    const p = { flops: Number(r.flops), params: Number(r.params), tokens: Number(r.tokens), loss: Number(r.loss) };
    if ([p.flops, p.params, p.tokens, p.loss].every((x) => Number.isFinite(x) && x > 0)) points.push(p);
    else skipped++;
  }
  if (records.length && !['flops', 'params', 'tokens', 'loss'].every((c) => c in records[0])) {
    throw new Error(`${file}: the IsoFLOP table needs columns flops, params, tokens, loss`);
  }
  if (skipped) ctx.stderr(`scaling-lens plan: ${skipped} rows of ${file} skipped (flops, params, tokens, loss not all positive numbers)\n`);
  return points;
}

function candidateJson(c: BudgetCandidate) {
  const loss =
    'uncalibrated' in c.loss
      ? { loss: null, lossInterval: null, uncalibrated: c.loss.uncalibrated }
      : {
          loss: c.loss.value,
          lossInterval: c.loss.interval,
          lossLaw: c.loss.lawId,
          family: c.loss.family,
          runsUsed: c.loss.runsUsed,
          lossFlags: c.loss.flags,
          lossDistance: c.loss.distance,
        };
  return {
    label: c.label,
    params: c.params,
    nonEmbeddingParams: c.shape.nonEmbeddingParams,
    tokens: c.tokens,
    tokensPerParam: c.tokensPerParam,
    lr: c.lr.value,
    batchTokens: c.batchTokens.value,
    hparams: { lr: c.lr, batchTokens: c.batchTokens },
    ...loss,
    flops: c.flops,
    gpuHours: c.gpuHours,
    usd: c.usd,
    wallClockDays: c.wallClockDays,
    modelStateBytesPerGpu: c.modelStateBytesPerGpu,
    inference: c.inference,
    shape: c.shape,
    notes: c.notes,
  };
}

export function planJson(plan: BudgetPlan) {
  return {
    budget: plan.budget,
    flops: plan.flops,
    hardware: plan.hardware,
    frontier: plan.frontier,
    objective: plan.objective,
    frontierUncertainty: plan.frontierUncertainty,
    ...(plan.narrowing ? { narrowing: plan.narrowing } : {}),
    recommended: candidateJson(plan.recommended),
    alternatives: plan.alternatives.map(candidateJson),
    notes: plan.notes,
  };
}

/** `1.24k H100-h ≈ $2.48k`: whole hours and dollars, as the plan's table counts them. */
function hoursAndCost(gpuHours: number, usd: number, hardwareId: string): string {
  return `${formatCount(Math.round(gpuHours))} ${hardwareId}-h ≈ $${formatCount(Math.round(usd))}`;
}

function candidateText(c: BudgetCandidate, hardwareId: string): string[] {
  const loss = 'uncalibrated' in c.loss ? `loss uncalibrated` : `loss ${formatLoss(c.loss.value)} ${formatInterval(c.loss.interval)}`;
  const lines = [
    `  ${c.label}: N ${formatCount(c.params)} params, D ${formatCount(c.tokens)} tokens (${c.tokensPerParam.toFixed(1)} tokens/param), ${loss}`,
    `      ${formatFlops(c.flops)} FLOPs, ${hoursAndCost(c.gpuHours, c.usd, hardwareId)}${c.wallClockDays !== undefined ? `, ${c.wallClockDays.toFixed(1)} days` : ''}; LR ${c.lr.value.toPrecision(3)} (DeepSeek ${c.lr.deepseek.toPrecision(3)}), batch ${formatCount(Math.round(c.batchTokens.value))} tokens (DeepSeek ${formatCount(Math.round(c.batchTokens.deepseek))})`,
    `      shape: ${c.shape.nLayer} layers × d_model ${c.shape.dModel}`,
  ];
  if (c.inference)
    lines.push(
      `      serving ${formatCount(c.inference.tokens)} tokens: ${formatFlops(c.inference.flops)} FLOPs, ${hoursAndCost(c.inference.gpuHours, c.inference.usd, hardwareId)}`,
    );
  for (const n of c.notes) lines.push(`      note: ${n}`);
  return lines;
}

export function planText(plan: BudgetPlan): string {
  const lines = [
    `budget ${plan.budget.text}: ${formatFlops(plan.flops)} FLOPs on ${plan.hardware.name} (MFU ${(plan.hardware.mfu * 100).toFixed(0)}%, $${plan.hardware.usdPerHour}/h)`,
    `frontier: ${plan.frontier}`,
    'recommended:',
    ...candidateText(plan.recommended, plan.hardware.id),
    'alternatives:',
    ...plan.alternatives.flatMap((c) => candidateText(c, plan.hardware.id)),
  ];
  if (plan.narrowing && plan.frontierUncertainty) {
    lines.push('runs that would narrow N*:');
    for (const l of narrowingLines(plan.narrowing, plan.frontierUncertainty.nStar, plan.hardware.id)) lines.push(`  ${l}`);
  }
  if ('uncalibrated' in plan.recommended.loss) lines.push(`loss: ${plan.recommended.loss.uncalibrated}`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

/** The parser's options (optionScope.ts says when each has an effect). */
export const PLAN_OPTIONS = {
  budget: { type: 'string' },
  params: { type: 'string' },
  'inference-tokens': { type: 'string' },
  'deadline-days': { type: 'string' },
  gpus: { type: 'string' },
  'memory-cap': { type: 'string' },
  'seq-len': { type: 'string' },
  vocab: { type: 'string' },
  workspace: { type: 'string' },
  family: { type: 'string' },
  isoflop: { type: 'string' },
  where: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  ...HARDWARE_OPTIONS,
} as const;

export function planCommand(args: string[], ctx: CliContext): number {
  const { values } = parseArgs({
    args,
    options: PLAN_OPTIONS,
  });
  if (values.budget === undefined)
    throw ctx.usage(`plan needs --budget (FLOPs like 1e21, accelerator-hours like '5000 H100-h', or dollars like '$2M' in single quotes)`);
  const budget = parseBudget(values.budget);
  if ('error' in budget) {
    ctx.stderr(`scaling-lens plan: ${budget.error}\n`);
    return 1;
  }
  // A budget in accelerator-hours names its hardware: a price given without --hardware is its price.
  const hardware = hardwareFlags(values, ctx, budget.kind === 'gpuHours' && budget.hardware ? budget.hardware : undefined);
  const memoryCapGB = amount('--memory-cap', values['memory-cap'], ctx);
  // No runs to calibrate on: no engine either (a cold `plan` loads only the planner, src/cliQuick.ts).
  const engine = calibrationRuns('plan', values.workspace, hardware, ctx);
  const workspace = values.workspace ?? (engine?.runs().length ? '.' : undefined);
  const table = engine?.hardware ?? hardwareTable(hardware);
  if (table.problems.length) throw ctx.usage(table.problems.join('; '));
  const context: BudgetContext = { hardware: table };
  const notes: string[] = [];
  if (workspace && engine) {
    const families = engine.snapshot().families.filter((f) => f.fit && !f.fit.timedOut);
    const chosen =
      values.family !== undefined ? families.find((f) => f.family === values.family) : [...families].sort((a, b) => b.runIds.length - a.runIds.length)[0];
    if (chosen?.fit)
      context.lossLaw = {
        fit: chosen.fit,
        family: chosen.family,
        runsUsed: chosen.runIds,
        overtrain: engine.overtrainLaw(chosen),
        points: chosen.points,
        anchoredRunIds: chosen.anchoredRunIds,
      };
    else notes.push(values.family !== undefined ? `no fitted law for family "${values.family}" in ${workspace}` : `no family in ${workspace} could be fitted`);
  }
  if (values.isoflop) {
    const points = readIsoflop(values.isoflop, values.where ?? [], ctx);
    const frontier = fitIsoflopFrontier(points, { seed: 1 });
    if ('error' in frontier) {
      ctx.stderr(`scaling-lens plan: ${values.isoflop}: ${frontier.error}\n`);
      return 1;
    }
    const used = frontier.budgets.filter((b) => b.bracketed).length;
    context.frontier = {
      fit: frontier,
      source: `${values.isoflop}${values.where?.length ? ` [${values.where.join(', ')}]` : ''} (${points.length} runs, ${used} bracketed budgets)`,
    };
  }
  // Out of physical sense, or options that do nothing here: said, with the value as typed.
  const idle = idleOptions('plan', values, { workspace: workspace !== undefined });
  if (idle.length) throw ctx.usage(idle.join('; '));
  const tooLarge = (flag: string, text: string | undefined, limit: number, what: string): void => {
    if (text !== undefined && parseAmount(text, { signed: true })! > limit) throw ctx.usage(`${flag} ${text} is too large: above ${what}`);
  };
  tooLarge('--params', values.params, DOMAIN_LIMITS.maxParams, '10^15 parameters');
  tooLarge('--vocab', values.vocab, DOMAIN_LIMITS.maxVocab, '10^7 tokens');
  const planned = planBudget(
    {
      budget,
      params: amount('--params', values.params, ctx),
      inferenceTokens: amount('--inference-tokens', values['inference-tokens'], ctx),
      deadlineDays: amount('--deadline-days', values['deadline-days'], ctx),
      gpus: amount('--gpus', values.gpus, ctx),
      memoryCapBytes: memoryCapGB === undefined ? undefined : memoryCapGB * 1e9,
      seqLen: amount('--seq-len', values['seq-len'], ctx),
      vocab: amount('--vocab', values.vocab, ctx),
    },
    context,
  );
  if ('error' in planned) {
    ctx.stderr(`scaling-lens plan: ${planned.error}\n`);
    return 1;
  }
  planned.notes = [...notes, ...planned.notes];
  if (context.lossLaw) {
    const narrowing = frontierNarrowing(planned, context.lossLaw, {
      hardware: table,
      deadline: Date.now() + NARROWING_SEARCH_MS,
      seqLen: amount('--seq-len', values['seq-len'], ctx),
      vocab: amount('--vocab', values.vocab, ctx),
    });
    if (narrowing) planned.narrowing = narrowing;
  }
  ctx.stdout(values.json ? `${JSON.stringify(planJson(planned), null, 2)}\n` : `${planText(planned)}\n`);
  if ('uncalibrated' in planned.recommended.loss && !workspace && !values.isoflop) ctx.stderr(NOTHING_CALIBRATED('plan'));
  return 0;
}
