// `scaling-lens estimate <config> [--json]`: size, cost, memory, predicted loss and LR/batch advice
// of one training config, before launch. Exit 0 with `applicable: false` when the laws do not
// apply (a LoRA fine-tune, a file with no model); exit 1 when the file cannot be read or has errors.
import { existsSync, statSync } from 'node:fs';
import { idleOptions } from '../core/optionScope';
import { join, resolve } from 'node:path';
import { readTextFile, READ_CAPS } from '../core/safeFile';
import { parseArgs } from 'node:util';
import type { ScalingWorkspace } from '../core/workspace';
import type { ConfigEstimate } from '../core/snapshot';
import { formatDiagnostic } from '../core/diagnostics';
import { formatCount, formatFlops, formatInteger, formatInterval, formatLoss } from '../shared/format';
import { findHardware, hardwareTable, type HardwareSettings } from '../core/plan/hardware';
import { MODEL_CONFIG_FILE } from '../core/configs/fileNames';

/** What the commands need from the CLI shell (which owns workspace loading and usage errors). */
export interface CliContext {
  loadWorkspace(paths: string[], hardware?: HardwareSettings): ScalingWorkspace;
  emptyWorkspace(hardware?: HardwareSettings): ScalingWorkspace;
  /** `estimate` with no runs to calibrate on: what it asks of an empty engine, made without one (src/cliEstimate.ts). */
  configEstimator?(hardware: HardwareSettings): ConfigEstimator;
  usage(message: string): Error;
  /** The current folder when it holds training logs (estimate and plan calibrate on it by default). */
  defaultWorkspace?(): string | undefined;
  stdout(text: string): void;
  stderr(text: string): void;
  /** `ladder --write`'s writer: given where it is bundled (src/cliLadderWrite.ts, src/cli.ts), so the other ladder bundles skip the config writers. */
  writeLadder?: typeof import('./ladderWrite').writeLadderFiles;
  /**
   * `ladder` on a config: N of a run's shape as its written config reads back (every bundle that
   * reads configs gives it; the budget-only bundle, which reads none, hands a config to one that does).
   */
  shapeParamsOf?: typeof import('../core/plan/ladderConfigs').shapeParamsOfConfig;
}

/** What `estimate` asks of the engine. */
export type ConfigEstimator = Pick<ScalingWorkspace, 'hardware' | 'estimateConfig' | 'runs'>;

/** Said on stderr when the loss cannot be predicted because no runs were read. */
export const NOTHING_CALIBRATED = (command: string) =>
  `scaling-lens ${command}: nothing is calibrated, so the loss is not predicted: pass --workspace <folder with training logs> (or run it from that folder)\n`;

/**
 * The runs the loss is calibrated on: --workspace, else the current folder when it holds training
 * logs (said on stderr), else undefined (no engine needed: an empty one, or the small bundles' stand-in).
 */
export function calibrationRuns(command: string, workspace: string | undefined, hardware: HardwareSettings, ctx: CliContext): ScalingWorkspace | undefined {
  if (workspace) return ctx.loadWorkspace([workspace], hardware);
  const here = ctx.defaultWorkspace?.();
  if (here) {
    // Said before the read: a large folder (a home or /tmp holding many runs) takes minutes to read
    // and fit, which looked like a hang when nothing was said until the end.
    ctx.stderr(
      `scaling-lens ${command}: reading the training logs under the current folder (${here}) to calibrate; pass --workspace <dir> for another folder\n`,
    );
    const engine = ctx.loadWorkspace([here], hardware);
    if (engine.runs().length > 0) {
      ctx.stderr(`scaling-lens ${command}: calibrating on the ${engine.runs().length} run(s) in the current folder; pass --workspace <dir> for others\n`);
      return engine;
    }
  }
  return undefined;
}

/**
 * Hardware flags shared by `estimate` and `plan`, as workspace settings; throws a usage error when
 * malformed. `--usd-per-hour` prices the hardware the numbers are computed on: `--hardware` when
 * given (aliases such as `A100` resolved as the planner resolves them), else `fallbackHardware`
 * (the accelerator a budget like `5000 A100-h` names), else the default profile.
 */
export function hardwareFlags(
  values: { hardware?: string; mfu?: string; 'usd-per-hour'?: string },
  ctx: CliContext,
  fallbackHardware?: string,
): HardwareSettings {
  const settings: HardwareSettings = {};
  const table = hardwareTable();
  if (values.hardware !== undefined) {
    const profile = findHardware(table, values.hardware);
    if (!profile) throw ctx.usage(`--hardware "${values.hardware}" is not a known profile; known: ${table.profiles.map((p) => p.id).join(', ')}`);
    settings.default = profile.id;
  }
  if (values.mfu !== undefined) {
    const mfu = Number(values.mfu);
    if (!(mfu > 0 && mfu <= 1)) throw ctx.usage(`--mfu must be a fraction in (0, 1] (got ${values.mfu})`);
    settings.mfu = mfu;
  }
  if (values['usd-per-hour'] !== undefined) {
    const price = Number(values['usd-per-hour']);
    if (!(price > 0 && Number.isFinite(price))) throw ctx.usage(`--usd-per-hour must be a positive price (got ${values['usd-per-hour']})`);
    const priced = settings.default ?? (fallbackHardware ? findHardware(table, fallbackHardware)?.id : undefined) ?? table.defaultId;
    settings.prices = { [priced]: price };
  }
  return settings;
}

export const HARDWARE_OPTIONS = {
  hardware: { type: 'string' },
  mfu: { type: 'string' },
  'usd-per-hour': { type: 'string' },
} as const;

/** The parser's options (optionScope.ts says when each has an effect). */
export const ESTIMATE_OPTIONS = { workspace: { type: 'string' }, json: { type: 'boolean' }, ...HARDWARE_OPTIONS } as const;

/** The documented `estimate --json` shape. */
export function estimateJson(result: ConfigEstimate) {
  const plan = result.plan;
  return {
    applicable: result.applicable,
    reason: result.reason,
    format: plan?.format,
    plan: plan && {
      params: {
        total: plan.params.total,
        nonEmbedding: plan.params.nonEmbedding,
        active: plan.params.active,
        activeNonEmbedding: plan.params.activeNonEmbedding,
      },
      tokens: plan.tokens ?? null,
      uniqueTokens: plan.uniqueTokens,
      batchTokens: plan.tokensPerStep ?? null,
      seqLen: plan.seqLen ?? null,
      lr: plan.peakLr ?? null,
      schedule: plan.schedule ?? null,
      gpus: plan.gpus ?? null,
      precision: plan.precision,
      muP: plan.muP,
    },
    cost: result.applicable
      ? {
          flops: result.cost?.flops ?? null,
          convention: result.cost?.convention,
          gpuHours: result.cost?.gpuHours ?? null,
          usd: result.cost?.usd ?? null,
          wallClockHours: result.cost?.wallClockHours ?? null,
          hardware: result.cost?.hardware ?? (result.memory ? { id: result.memory.hardwareId } : undefined),
          memoryPerGpuBytes: result.memory?.totalBytes ?? null,
          memory: result.memory,
        }
      : undefined,
    predictions: {
      loss: result.predictions.loss ?? null,
      uncalibrated: result.predictions.uncalibrated,
      lr: result.predictions.lr ?? [],
      batchTokens: result.predictions.batchTokens ?? [],
      hparamsSilent: result.predictions.hparamsSilent,
      hparamPenaltyPct: result.predictions.hparamPenaltyPct,
    },
    notes: result.notes,
    diagnostics: result.diagnostics.map(formatDiagnostic),
  };
}

/** Counts, with small values kept readable (0.13 GPU-hours, not 0). */
function amount(v: number): string {
  return v >= 100 ? formatCount(Math.round(v)) : v.toPrecision(2);
}

function wallClock(hours: number): string {
  return hours < 48 ? `${hours.toPrecision(2)} hours` : `${(hours / 24).toFixed(1)} days`;
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/** The human-readable report. */
export function estimateText(file: string, result: ConfigEstimate): string {
  if (!result.applicable) return `${file}: not applicable: ${result.reason}`;
  const plan = result.plan;
  const lines = [`${file}${plan?.format ? ` (${plan.format})` : ''}`];
  if (plan) {
    lines.push(
      `  parameters: ${formatCount(plan.params.total)} total, ${formatCount(plan.params.nonEmbedding)} non-embedding${plan.params.active !== undefined ? `, ${formatCount(plan.params.active)} active` : ''}`,
    );
    if (plan.tokens !== undefined)
      lines.push(
        `  tokens: ${formatCount(plan.tokens)}${plan.tokensPerStep ? ` (${formatCount(plan.tokensPerStep)} per step${plan.maxSteps ? ` × ${formatCount(plan.maxSteps)} steps` : ''})` : ''}`,
      );
    const lr = plan.peakLr !== undefined ? `peak LR ${plan.peakLr}` : undefined;
    const sched = plan.schedule
      ? `${plan.schedule.type}${plan.schedule.warmupSteps !== undefined ? `, warmup ${formatCount(plan.schedule.warmupSteps)}` : ''}`
      : undefined;
    if (lr || sched) lines.push(`  schedule: ${[lr, sched].filter(Boolean).join(', ')}`);
    if (plan.gpus !== undefined || plan.precision)
      lines.push(`  hardware in config: ${plan.gpus !== undefined ? `${plan.gpus} GPUs` : 'GPUs not set'}${plan.precision ? `, ${plan.precision}` : ''}`);
  }
  const cost = result.cost;
  if (cost) {
    lines.push(`  compute: ${formatFlops(cost.flops)} FLOPs (${cost.convention})`);
    lines.push(
      `  time: ${amount(cost.gpuHours)} ${cost.hardware.id}-hours ≈ $${amount(cost.usd)}${cost.wallClockHours !== undefined ? `, ${wallClock(cost.wallClockHours)} on ${plan?.gpus} GPUs` : ''} (MFU ${(cost.hardware.mfu * 100).toFixed(0)}%)`,
    );
  }
  const mem = result.memory;
  if (mem) {
    lines.push(
      `  memory per GPU: ${gb(mem.totalBytes)} of ${gb(mem.capacityBytes)} on ${mem.hardwareId} (weights ${gb(mem.weightsBytes)}, grads ${gb(mem.gradsBytes)}, Adam ${gb(mem.optimizerBytes)}, activations ${gb(mem.activationBytes + mem.logitsBytes)}) at sequence length ${formatInteger(mem.seqLen)}${mem.seqLenAssumed ? ' (assumed)' : ''}, micro-batch ${mem.microBatch}${mem.microBatchAssumed ? ' (assumed)' : ''}${mem.fits ? '' : ': DOES NOT FIT'}`,
    );
    if (mem.smallestFit) lines.push(`  smallest layout that fits: ${mem.smallestFit.description} (${gb(mem.smallestFit.totalBytes)} per GPU)`);
  }
  const loss = result.predictions.loss;
  if (loss)
    lines.push(
      `  predicted final loss: ${formatLoss(loss.value)} ${formatInterval(loss.interval)} (${loss.lawId}, family ${loss.family}${loss.familyAssumed ? ' assumed' : ''}, ${loss.runsUsed.length} runs)${loss.extrapolation ? `; extrapolated: ${loss.extrapolation}` : ''}`,
    );
  else lines.push(`  predicted final loss: uncalibrated (${result.predictions.uncalibrated})`);
  if (result.predictions.hparamsSilent) lines.push(`  LR/batch advice: none (${result.predictions.hparamsSilent})`);
  for (const s of result.predictions.lr ?? []) lines.push(`  LR (${s.lawId}): ${s.value.toPrecision(3)}${s.outsideDomain ? ` [${s.outsideDomain}]` : ''}`);
  if (result.predictions.hparamPenaltyPct !== undefined)
    lines.push(`  configured LR/batch: +${result.predictions.hparamPenaltyPct.toFixed(2)}% loss over the sweep optimum`);
  for (const s of result.predictions.batchTokens ?? [])
    lines.push(`  batch (${s.lawId}): ${formatCount(Math.round(s.value))} tokens${s.outsideDomain ? ` [${s.outsideDomain}]` : ''}`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  for (const d of result.diagnostics) lines.push(`  ${formatDiagnostic(d)}`);
  return lines.join('\n');
}

export function estimateCommand(args: string[], ctx: CliContext): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: ESTIMATE_OPTIONS });
  if (positionals.length !== 1) throw ctx.usage('estimate needs exactly one config file or folder');
  const idle = idleOptions('estimate', values);
  if (idle.length) throw ctx.usage(idle.join('; '));
  const hardware = hardwareFlags(values, ctx);
  let file = resolve(positionals[0]);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, MODEL_CONFIG_FILE);
  // A regular file of config size only: a named pipe given by mistake must not block the CLI.
  const read = readTextFile(file, READ_CAPS.config);
  if ('error' in read) {
    ctx.stderr(`scaling-lens estimate: cannot read ${file}: ${read.error}\n`);
    return 1;
  }
  const text = read.text;
  const engine: ConfigEstimator =
    calibrationRuns('estimate', values.workspace, hardware, ctx) ?? ctx.configEstimator?.(hardware) ?? ctx.emptyWorkspace(hardware);
  const problems = engine.hardware.problems;
  if (values.hardware !== undefined && problems.length) throw ctx.usage(problems.join('; '));
  const result = engine.estimateConfig(file, text, (p) => {
    const sibling = readTextFile(p, READ_CAPS.config);
    return 'error' in sibling ? undefined : sibling.text;
  });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.applicable && errors.length) {
    ctx.stderr(`scaling-lens estimate: ${result.reason}\n${errors.map(formatDiagnostic).join('\n')}\n`);
    if (values.json) ctx.stdout(`${JSON.stringify(estimateJson(result), null, 2)}\n`);
    return 1;
  }
  ctx.stdout(values.json ? `${JSON.stringify(estimateJson(result), null, 2)}\n` : `${estimateText(file, result)}\n`);
  if (result.applicable && !result.predictions.loss && engine.runs().length === 0) ctx.stderr(NOTHING_CALIBRATED('estimate'));
  return 0;
}
