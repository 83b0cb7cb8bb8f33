// `scaling-lens ladder <config> | --budget <amount>`: which small runs to train before the target,
// in order, each with its shape, tokens, LR, batch and cost, and the width of the target's 80%
// loss interval (and of N*) after it; and when to stop. With `--workspace`, the family's runs
// steer the choice (core/plan/ladder.ts).
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { idleOptions } from '../core/optionScope';
import { readTextFile, READ_CAPS } from '../core/safeFile';
import { MODEL_CONFIG_FILE } from '../core/configs/fileNames';
import { parseBudget, type Budget } from '../core/plan/budget';
import { existingRunsOf, planLadder, targetOfPlan, type LadderContext, type LadderPlan, type LadderRequest, type LadderRun } from '../core/plan/ladder';
import { familyModelOf } from '../core/plan/familyModel';
import { trainingArgsPathOf } from '../core/plan/ladderPlacement';
import { parseAmount } from '../core/plan/budgetRequest';
import { formatDiagnostic } from '../core/diagnostics';
import { formatCount, formatFlops, formatInterval, formatLoss } from '../shared/format';
import { nStarRange, nStarText } from '../core/plan/nStarText';
import type { LadderWriteRequest } from './ladderWrite';
import { calibrationRuns, hardwareFlags, HARDWARE_OPTIONS, type CliContext, type ConfigEstimator } from './estimate';

/** Time the greedy search may take (the CLI is interactive). */
const SEARCH_MS = 10_000;

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;
}

function hours(run: { gpuHours: number; usd: number }, hw: string): string {
  const h = run.gpuHours < 10 ? run.gpuHours.toFixed(1) : formatCount(Math.round(run.gpuHours));
  return `${h} ${hw}-h ≈ $${formatCount(Math.round(run.usd))}`;
}

function runText(r: LadderRun, hw: string): string[] {
  const mark = r.status === 'planned' ? '' : ` [${r.status}${r.matchedRunId ? `: ${r.matchedRunId}` : ''}]`;
  return [
    `  ${String(r.order).padStart(2)}. ${r.id}${mark}: N ${formatCount(r.params)} (${r.shape.nLayer} layers × d_model ${r.shape.dModel}), D ${formatCount(r.tokens)} (${r.tokensPerParam.toFixed(1)} tokens/param), ${formatFlops(r.flops)} FLOPs, ${hours(r, hw)}`,
    `      LR ${r.lr.value.toPrecision(3)}, batch ${formatCount(Math.round(r.batchTokens.value))} tokens; after it: loss interval ${pct(r.after.lossWidth)} wide, ${nStarText(r.after.nStar, r.after.nStarInterval)}`,
    `      why: ${r.reason}`,
  ];
}

export function ladderText(plan: LadderPlan): string {
  const t = plan.target;
  const hw = plan.hardware.id;
  const lines = [
    `target: ${t.label}: N ${formatCount(t.params)}, D ${formatCount(t.tokens)}, ${formatFlops(t.flops)} FLOPs (${hours(t, hw)})`,
    `ladder budget: ${plan.budget.text}: ${formatFlops(plan.budget.flops)} FLOPs (${hours(plan.budget, hw)})${plan.budget.text.includes('of the target') ? '' : `, ${pct(plan.budget.fractionOfTarget)} of the target`}`,
    `strategy: ${plan.strategy === 'recipe' ? 'empty family: IsoFLOP recipe (Chinchilla, Llama 3)' : `family${plan.family ? ` "${plan.family}"` : ''}: runs chosen by how much they narrow the target's interval for their cost`}`,
  ];
  if (plan.now)
    lines.push(
      `now (finished runs): target loss ${formatLoss(plan.now.loss)} ${formatInterval(plan.now.lossInterval)} (${pct(plan.now.lossWidth)} wide${plan.lensNow && Math.abs(plan.lensNow.lossWidth - plan.now.lossWidth) > 1e-12 ? `; the lens's interval ${pct(plan.lensNow.lossWidth)}` : ''}), ${nStarText(plan.now.nStar, plan.now.nStarInterval)}`,
    );
  if (plan.runs.some((r) => r.status === 'running') || plan.runs.length === 0 || (plan.now && Math.abs(plan.start.lossWidth - plan.now.lossWidth) > 1e-12))
    lines.push(`with the runs still training: ${pct(plan.start.lossWidth)} wide`);
  lines.push('runs, in order:');
  for (const r of plan.runs) appendLines(lines, runText(r, hw));
  if (plan.runs.length === 0) lines.push('  (none)');
  lines.push(`planned: ${plan.planned.runs} run(s), ${formatFlops(plan.planned.flops)} FLOPs, ${hours(plan.planned, hw)}`);
  lines.push(`stop: ${plan.stop.reason}${plan.stop.afterOrder > 0 ? ` (N* 80%: ${nStarRange(plan.stop.nStarInterval)})` : ''}`);
  if (plan.distance) lines.push(`distance: ${plan.distance.text}`);
  lines.push(`method: ${plan.method}`);
  if (plan.timedOut) lines.push(`note: the search stopped at its ${SEARCH_MS / 1000} s time budget; the plan is what it had chosen by then.`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function appendLines(out: string[], more: readonly string[]): void {
  for (const l of more) out.push(l);
}

function budgetFlag(name: string, text: string, ctx: CliContext): Budget {
  const b = parseBudget(text);
  if ('error' in b) throw ctx.usage(`${name}: ${b.error}`);
  return b;
}

export const LADDER_OPTIONS = {
  budget: { type: 'string' },
  'ladder-budget': { type: 'string' },
  fraction: { type: 'string' },
  workspace: { type: 'string' },
  family: { type: 'string' },
  'seq-len': { type: 'string' },
  'max-runs': { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  write: { type: 'string' },
  force: { type: 'boolean' },
  ...HARDWARE_OPTIONS,
} as const;

export function ladderCommand(args: string[], given: CliContext): number {
  // The current folder is looked at once: the idle options and the calibration both ask.
  let here: { folder: string | undefined } | undefined;
  const ctx: CliContext = { ...given, defaultWorkspace: given.defaultWorkspace && (() => (here ??= { folder: given.defaultWorkspace?.() }).folder) };
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: LADDER_OPTIONS });
  if (positionals.length > 1) throw ctx.usage('ladder takes one target config (or --budget), not several');
  if (positionals.length === 1 && values.budget !== undefined) throw ctx.usage('give the target as a config or as --budget, not both');
  if (positionals.length === 0 && values.budget === undefined)
    throw ctx.usage(
      "ladder needs a target: a training config (config.json, a nanoGPT/torchtitan/Megatron/YAML config) or --budget (1e22, '5000 H100-h', '$2M')",
    );
  if (values['ladder-budget'] !== undefined && values.fraction !== undefined) throw ctx.usage('give --ladder-budget or --fraction, not both');
  if (values.write !== undefined && values.write.trim() === '') throw ctx.usage('--write needs a folder to write the configs into');
  // A small bundle without the writer hands the command to one with it (src/cliAlone.ts).
  const writeLadder = values.write === undefined ? undefined : ctx.writeLadder;
  if (values.write !== undefined && !writeLadder) throw ctx.usage('--write: this bundle has no config writer');
  const idle = idleOptions('ladder', values, { workspace: values.workspace !== undefined || ctx.defaultWorkspace?.() !== undefined });
  if (idle.length) throw ctx.usage(idle.join('; '));
  const num = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const v = parseAmount(text, { signed: true });
    if (v === undefined || !Number.isFinite(v)) throw ctx.usage(`${name} must be a number (got "${text}")`);
    return v;
  };
  const fraction = num('--fraction', values.fraction);
  if (fraction !== undefined && !(fraction > 0 && fraction < 1))
    throw ctx.usage(`--fraction must be between 0 and 1 (got ${values.fraction}; 0.01 is 1% of the target's compute)`);
  const maxRuns = num('--max-runs', values['max-runs']);
  if (maxRuns !== undefined && !(Number.isInteger(maxRuns) && maxRuns >= 1 && maxRuns <= 200))
    throw ctx.usage(`--max-runs must be a whole number from 1 to 200 (got ${values['max-runs']})`);
  const seed = num('--seed', values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw ctx.usage(`--seed must be a whole number (got ${values.seed})`);
  const seqLen = num('--seq-len', values['seq-len']);
  if (seqLen !== undefined && !(seqLen > 0)) throw ctx.usage(`--seq-len must be positive (got ${values['seq-len']})`);
  const targetBudget = values.budget !== undefined ? budgetFlag('--budget', values.budget, ctx) : undefined;
  const ladderBudget = values['ladder-budget'] !== undefined ? budgetFlag('--ladder-budget', values['ladder-budget'], ctx) : undefined;
  const fallbackHw =
    targetBudget?.kind === 'gpuHours' && targetBudget.hardware
      ? targetBudget.hardware
      : ladderBudget?.kind === 'gpuHours' && ladderBudget.hardware
        ? ladderBudget.hardware
        : undefined;
  const hardware = hardwareFlags(values, ctx, fallbackHw);
  const runs = calibrationRuns('ladder', values.workspace, hardware, ctx);
  // No runs: the empty estimator of the ladder bundle alone (src/cliLadder.ts), else an empty engine.
  const engine: ConfigEstimator = runs ?? ctx.configEstimator?.(hardware) ?? ctx.emptyWorkspace(hardware);
  if (engine.hardware.problems.length) throw ctx.usage(engine.hardware.problems.join('; '));

  let target: LadderRequest['target'];
  let configFamily: string | undefined;
  let written: LadderWriteRequest['config'];
  let shapeParams: LadderContext['shapeParams'];
  if (targetBudget) target = { kind: 'budget', budget: targetBudget };
  else {
    let file = resolve(positionals[0]);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, MODEL_CONFIG_FILE);
    const read = readTextFile(file, READ_CAPS.config);
    if ('error' in read) {
      ctx.stderr(`scaling-lens ladder: cannot read ${file}: ${read.error}\n`);
      return 1;
    }
    const est = engine.estimateConfig(file, read.text, (p) => {
      const sibling = readTextFile(p, READ_CAPS.config);
      return 'error' in sibling ? undefined : sibling.text;
    });
    if (!est.applicable || !est.plan) {
      const errors = est.diagnostics.filter((d) => d.severity === 'error');
      ctx.stderr(
        `scaling-lens ladder: ${file}: ${est.reason ?? 'not a training config the laws apply to'}${errors.length ? `\n${errors.map(formatDiagnostic).join('\n')}` : ''}\n`,
      );
      return 1;
    }
    const t = targetOfPlan(est.plan, relative(process.cwd(), file) || file, est.cost);
    if ('error' in t) {
      ctx.stderr(`scaling-lens ladder: ${t.error}\n`);
      return 1;
    }
    target = t;
    configFamily = est.plan.family ?? est.predictions.loss?.family;
    // As "Write Configs…" takes it: the family the config states (the plan's comes first).
    written = { file, text: read.text, family: est.plan.family };
    // Each planned run's N as its config, written with the run's shape, reads back (with or without --write).
    const args = readTextFile(trainingArgsPathOf(file), READ_CAPS.config);
    shapeParams = ctx.shapeParamsOf?.({ file, text: read.text, ...('error' in args ? {} : { trainingArgs: args.text }) });
  }

  const request: LadderRequest = { target, hardware: engine.hardware.defaultId, seed: seed ?? 1 };
  if (ladderBudget) request.ladderBudget = ladderBudget;
  if (fraction !== undefined) request.fraction = fraction;
  if (maxRuns !== undefined) request.maxRuns = maxRuns;
  if (seqLen !== undefined) request.seqLen = seqLen;
  const context: LadderContext = { hardware: engine.hardware, ...(shapeParams ? { shapeParams } : {}) };
  const notes: string[] = [];
  if (runs?.runs().length) {
    const families = runs.snapshot().families.filter((f) => f.points?.length);
    const wanted = values.family ?? configFamily;
    const chosen = wanted !== undefined ? families.find((f) => f.family === wanted) : [...families].sort((a, b) => b.runIds.length - a.runIds.length)[0];
    if (values.family !== undefined && !chosen) {
      ctx.stderr(
        `scaling-lens ladder: no family "${values.family}" with runs of known size in ${values.workspace}; families: ${families.map((f) => f.family).join(', ') || 'none'}\n`,
      );
      return 1;
    }
    if (chosen) {
      request.family = chosen.family;
      request.runs = existingRunsOf(chosen.points ?? [], chosen.anchoredRunIds);
      if (chosen.fit && !chosen.fit.timedOut) {
        context.fit = chosen.fit;
        // The lens's model (familyModelOf): the ladder's "now" is the interval `estimate` prints.
        const overtrain = runs.overtrainLaw(chosen);
        context.model = familyModelOf({ ...chosen, fit: chosen.fit }, overtrain);
        // N* and its interval: the planner's (`plan --budget` at the target's compute says the same).
        context.lossLaw = {
          fit: chosen.fit,
          family: chosen.family,
          runsUsed: chosen.runIds,
          overtrain,
          points: chosen.points,
          anchoredRunIds: chosen.anchoredRunIds,
        };
      }
    } else notes.push('No family of the workspace has runs of known size (N and D): the ladder starts from the empty-family recipe.');
  }
  // The search's own time budget starts now (reading and fitting the workspace came before).
  request.deadline = Date.now() + SEARCH_MS;
  const plan = planLadder(request, context);
  if ('error' in plan) {
    ctx.stderr(`scaling-lens ladder: ${plan.error}\n`);
    return 1;
  }
  plan.notes = [...notes, ...plan.notes];
  if (values.write === undefined) {
    ctx.stdout(values.json ? `${JSON.stringify(plan, null, 2)}\n` : `${ladderText(plan)}\n`);
    return 0;
  }
  // Written before anything is printed: a refusal (existing files) prints no plan, only why.
  const result =
    plan.planned.runs === 0
      ? { code: 0, out: [], err: [`scaling-lens ladder: nothing written into ${values.write}: the plan has no run to train (${plan.stop.reason})`] }
      : writeLadder!(plan, {
          folder: values.write,
          force: values.force === true,
          workspace: values.workspace,
          config: written,
          target: values.budget !== undefined ? { kind: 'budget', budget: values.budget.trim() } : { kind: 'model', label: plan.target.label },
        });
  if (result.code !== 0) {
    ctx.stderr(`${result.err.join('\n')}\n`);
    return result.code;
  }
  // With --json the plan alone is on stdout (what was written goes to stderr, so the JSON still parses).
  if (values.json) ctx.stdout(`${JSON.stringify(plan, null, 2)}\n`);
  else ctx.stdout(`${ladderText(plan)}\n${result.out.join('\n')}\n`);
  const said = values.json ? [...result.out, ...result.err] : result.err;
  if (said.length) ctx.stderr(`${said.join('\n')}\n`);
  return 0;
}
