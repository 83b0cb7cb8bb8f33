// "Plan Experiments" without `vscode`: the worker's side (the request as the host sends it → the
// ladder on the family's runs and fit, core/plan/ladder.ts), what the dashboard's scaling view draws
// of it, and the plan as markdown (each run's config: ladderConfigs.ts).
// Unit-tested; the VS Code command is src/features/planExperiments.ts.
import { parseBudget } from './budget';
import { existingRunsOf, planLadder, type LadderExistingRun, type LadderPlan, type LadderPreviousRun, type LadderRunStatus, type ShapeParams } from './ladder';
import { chooseFamily } from './budgetRequest';
import { formatHours, formatUsd } from './costFormat';
import type { HardwareTable } from './hardware';
import { chinchillaLaw } from '../laws/chinchilla';
import { getLaw } from '../laws/registry';
import { referenceParams } from '../fit/crossRunLaw';
import { lawParams } from '../fit/crossRun';
import type { FamilyLaw } from '../snapshot';
import type { LawCrossRunFit } from '../fit/crossRunLaw';
import { familyModelOf, type FamilyModel } from './familyModel';
import { formatCount, formatFlops, formatLoss } from '../../shared/format';
import { appendAll } from '../../shared/arrays';
import { nStarRange, nStarText } from './nStarText';

/** The target of the ladder as the host sends it: the config's N and D, or a budget as typed. */
export type LadderTargetRequest =
  | {
      kind: 'model';
      params: number;
      tokens: number;
      nLayer?: number;
      dModel?: number;
      label?: string;
      /** The config's FLOPs, GPU-hours and dollars as its hover shows them (the estimate's cost); default 6·N·D on the ladder's hardware. */
      flops?: number;
      gpuHours?: number;
      usd?: number;
      /** Tokens the lens predicts the config's loss at (effective tokens when its data repeat). */
      lossTokens?: number;
    }
  | { kind: 'budget'; budget: string; label?: string };

/** "Plan Experiments": the target, the ladder's budget as typed (default 1% of the target), the family and the earlier plan. */
export interface PlanLadderRequest {
  target: LadderTargetRequest;
  ladderBudget?: string;
  hardware?: string;
  family?: string;
  /**
   * The runs of the plan shown before (live re-planning): matched to the family's runs or marked no
   * longer needed. A run with a `folder` (workspace-relative, as run ids are) is matched to the run
   * whose logs are under it, or that carries its id as its name.
   */
  previous?: { id: string; params: number; tokens: number; folder?: string; nLayer?: number; dModel?: number }[];
  /**
   * The workspace's ladder records (`PLAN.json`), read when `previous` is not given: the newest for
   * this target is the earlier plan, written in an earlier session (ladderManifest.ts withLadderRecord).
   * `file` names it in problems; `dir` is its folder, workspace-relative.
   */
  manifests?: { file: string; dir: string; text: string }[];
  seqLen?: number;
  vocab?: number;
  /**
   * The target config (and its HF `training_args.json`): each planned run's N is then its written
   * config's (ladderConfigs.ts shapeParamsOfConfig, in the worker). Absent: a budget, written in the generic YAML.
   */
  config?: { file: string; text: string; trainingArgs?: string };
}

/** A run of the workspace, as the worker knows it (Run, reduced). */
export interface LadderWorkspaceRun {
  id: string;
  family?: string;
  status: 'live' | 'finished' | 'failed';
  params?: number;
  tokens?: number;
  /** The run's name (the logger's, else its folder's): a ladder run logged elsewhere is found by its id as name. */
  name?: string;
}

/** A planned run's link to its logs: its folder (workspace-relative) and N, D and shape as its config was written. */
export interface LadderLink {
  id: string;
  folder: string;
  params: number;
  tokens: number;
  nLayer?: number;
  dModel?: number;
}

/** What the scaling view draws of a plan: hollow markers at the planned (N, D), and the target's interval now and after the ladder. */
export interface LadderOverlay {
  family?: string;
  target: {
    label: string;
    params: number;
    tokens: number;
    flops: number;
    loss: number;
    /** 80% interval with the family's finished runs alone (none for an empty family). */
    now?: [number, number];
    /** 80% interval expected once every done, running and planned run is in. */
    planned: [number, number];
    gpuHours: number;
    usd: number;
  };
  runs: { id: string; order: number; status: LadderRunStatus; params: number; tokens: number; flops: number; loss: number; gpuHours: number; usd: number }[];
}

/**
 * Runs in the worker: the family's runs and fit in, the ladder and its overlay out. `problems`
 * (ladder records not read, ladderManifest.ts) are noted in the plan and returned with it.
 */
export function planLadderRequest(
  request: PlanLadderRequest,
  families: readonly FamilyLaw[],
  runs: readonly LadderWorkspaceRun[],
  hardware?: HardwareTable,
  deadline?: number,
  problems: string[] = [],
  /** The family's over-training fit (the engine's), so that the ladder's model is the lens's (familyModelOf). */
  overtrainOf?: (law: FamilyLaw) => LawCrossRunFit | { error: string } | undefined,
  /** N of a shape as the target's written config counts it (ladderConfigs.ts shapeParamsOfConfig). */
  shapeParams?: ShapeParams,
): { plan: LadderPlan; overlay: LadderOverlay; links: LadderLink[]; problems: string[] } | { error: string } {
  const t = request.target;
  let target: Parameters<typeof planLadder>[0]['target'];
  if (t.kind === 'budget') {
    const budget = parseBudget(t.budget);
    if ('error' in budget) return budget;
    target = { kind: 'budget', budget, label: t.label };
  } else {
    target = { kind: 'model', params: t.params, tokens: t.tokens, label: t.label, seqLen: request.seqLen };
    // The numbers the config's hover shows: its FLOPs and cost, and the tokens its loss is predicted at.
    if (t.flops !== undefined) target.flops = t.flops;
    if (t.gpuHours !== undefined && t.usd !== undefined) target.cost = { gpuHours: t.gpuHours, usd: t.usd };
    if (t.lossTokens !== undefined) target.lossTokens = t.lossTokens;
    if (t.nLayer !== undefined && t.dModel !== undefined) target.shape = { nLayer: t.nLayer, dModel: t.dModel, vocab: request.vocab };
  }
  let ladderBudget;
  if (request.ladderBudget !== undefined && request.ladderBudget.trim() !== '') {
    const b = parseBudget(request.ladderBudget);
    if ('error' in b) return { error: `ladder budget: ${b.error}` };
    ladderBudget = b;
  }
  const previous = request.previous;
  const familyName = request.family;
  const { law, note } = chooseFamily(families, familyName);
  const family = law ?? families.find((f) => f.family === familyName);
  // The fitted points: a live run whose forecast anchors the law is `running` (ladder.ts existingRunsOf).
  const existing: LadderExistingRun[] = existingRunsOf(family?.points ?? [], family?.anchoredRunIds);
  // Other live runs of the family inform the fit once they finish: the planner counts them as coming.
  for (const r of runs) {
    if (r.status !== 'live' || (family ? !family.runIds.includes(r.id) : true) || r.params === undefined || r.tokens === undefined) continue;
    if (existing.some((e) => e.runId === r.id)) continue;
    existing.push({ runId: r.id, params: r.params, tokens: r.tokens, status: 'running' });
  }
  const { previous: linked, links } = linkRuns(previous, existing, runs);
  const fit = family?.fit && family.fit.lawId === 'chinchilla' && !family.fit.timedOut ? family.fit : undefined;
  // The model the lens predicts with: the ladder's "lensNow" is its interval at the target ("now" that, calibrated as the plan's).
  const overtrain = family && fit ? overtrainOf?.(family) : undefined;
  const model = family && fit ? familyModelOf({ ...family, fit }, overtrain) : undefined;
  // N* and its interval: Plan Compute Budget's at the target's compute (budget.ts familyFrontier).
  const lossLaw =
    family && fit
      ? { fit, family: family.family, runsUsed: family.runIds, overtrain, points: family.points, anchoredRunIds: family.anchoredRunIds }
      : undefined;
  const plan = planLadder(
    {
      target,
      ladderBudget,
      hardware: request.hardware,
      runs: existing,
      family: family?.family ?? familyName,
      previous: linked,
      seqLen: request.seqLen,
      vocab: request.vocab,
      deadline,
    },
    { hardware, fit, ...(model ? { model } : {}), ...(lossLaw ? { lossLaw } : {}), ...(shapeParams ? { shapeParams } : {}) },
  );
  if ('error' in plan) return plan;
  if (note) plan.notes.unshift(note);
  for (const p of problems) plan.notes.push(`Not read: ${p}.`);
  return { plan, overlay: ladderOverlay(plan, family, model), links, problems };
}

/**
 * Earlier runs with a folder, matched to the workspace's run under that folder (or named by their
 * id): the planner then knows them by that run's own N and D, so it marks them done or training
 * even when the logged size differs from the planned one. A training run of the ladder that the
 * family does not list yet (its N, D unknown) counts as training at its written N and D.
 */
function linkRuns(
  previous: PlanLadderRequest['previous'],
  existing: LadderExistingRun[],
  runs: readonly LadderWorkspaceRun[],
): { previous?: LadderPreviousRun[]; links: LadderLink[] } {
  if (!previous) return { links: [] };
  const links: LadderLink[] = [];
  const matched = new Set<string>();
  const out = previous.map((p): LadderPreviousRun => {
    // The shape it was written with, at N as that config counts it: the plan shows the run so.
    const shape = p.nLayer !== undefined && p.dModel !== undefined ? { nLayer: p.nLayer, dModel: p.dModel } : undefined;
    const plain: LadderPreviousRun = { id: p.id, params: p.params, tokens: p.tokens, ...(shape ? { written: { ...shape, params: p.params } } : {}) };
    const folder = p.folder;
    if (folder === undefined || folder === '') return plain;
    links.push({ id: p.id, folder, params: p.params, tokens: p.tokens, ...shape });
    // Each workspace run is linked to one planned run at most.
    const named = runs.filter((r) => r.name === p.id && !matched.has(r.id));
    const run = runs.find((r) => !matched.has(r.id) && (r.id === folder || r.id.startsWith(`${folder}/`))) ?? (named.length === 1 ? named[0] : undefined);
    if (!run) return plain;
    matched.add(run.id);
    const known = existing.find((e) => e.runId === run.id);
    if (known) return { ...plain, params: known.params, tokens: known.tokens };
    if (run.status !== 'live') return plain;
    existing.push({ runId: run.id, params: run.params ?? p.params, tokens: run.tokens ?? p.tokens, status: 'running' });
    return { ...plain, params: run.params ?? p.params, tokens: run.tokens ?? p.tokens };
  });
  // The planner matches an earlier run to the first existing run of (nearly) its N and D: the linked ones first.
  const ordered = [...existing.filter((e) => matched.has(e.runId)), ...existing.filter((e) => !matched.has(e.runId))];
  existing.length = 0;
  appendAll(existing, ordered);
  return { previous: out, links };
}

/**
 * The loss each marker sits at: the family's model where fitted (the lens's: the regime blend with
 * over-training, familyModel.ts), else the family's law, else the published refit the planner starts from.
 */
export function ladderOverlay(plan: LadderPlan, family?: Pick<FamilyLaw, 'fit'>, model?: Pick<FamilyModel, 'value'>): LadderOverlay {
  const fit = family?.fit;
  const law = fit ? getLaw(fit.lawId) : undefined;
  const evaluate = model
    ? (n: number, d: number) => model.value(n, d)
    : fit && law && law.variables.length === 2
      ? (n: number, d: number) => law.evaluate(fit.fitParams, [lawParams(fit, n), d])
      : (n: number, d: number) => chinchillaLaw.evaluate(referenceParams(chinchillaLaw), [n, d]);
  const after = plan.after;
  const t = plan.target;
  return {
    ...(plan.family ? { family: plan.family } : {}),
    target: {
      label: t.label,
      params: t.params,
      tokens: t.tokens,
      flops: t.flops,
      loss: after.loss,
      ...(plan.now ? { now: plan.now.lossInterval } : {}),
      planned: after.lossInterval,
      gpuHours: t.gpuHours,
      usd: t.usd,
    },
    runs: plan.runs.map((r) => ({
      id: r.id,
      order: r.order,
      status: r.status,
      params: r.params,
      tokens: r.tokens,
      flops: r.flops,
      loss: evaluate(r.params, r.tokens),
      gpuHours: r.gpuHours,
      usd: r.usd,
    })),
  };
}

// ---------------------------------------------------------------- markdown

const STATUS_MARK: Record<LadderRunStatus, string> = { planned: '', running: '▶ training', done: '✓ done', 'not-needed': '✗ no longer needed' };
/** The same in the table, shorter: the header words and cells fit the preview's width without wrapping (e2e). */
const TABLE_STATUS: Record<LadderRunStatus, string> = { ...STATUS_MARK, 'not-needed': '✗ not needed' };
const NBSP = '\u00a0';

/** An LR as a decimal with two significant digits (0.0023, 0.00000050): no "e-7", where a squeezed table breaks a line. */
function decimal(v: number): string {
  const rounded = Number(v.toPrecision(2));
  // toString writes below 1e-6 as "5e-7"; toFixed with the digits down to the second significant one does not.
  return Math.abs(rounded) >= 1e-6 || rounded === 0 || !Number.isFinite(rounded)
    ? rounded.toString()
    : rounded.toFixed(1 - Math.floor(Math.log10(Math.abs(rounded))));
}

function pct(v: number): string {
  return `±${((v / 2) * 100).toFixed(v < 0.02 ? 2 : 1)}%`;
}

/**
 * The plan as markdown, like the compute planner's: what the ladder is for and what it costs on
 * one line, one compact table of the runs in training order (with, after each, the target's loss
 * interval and N* spread), where to stop, then why each run was chosen and the notes.
 */
export function ladderMarkdown(plan: LadderPlan): string {
  const hw = plan.hardware.id;
  const t = plan.target;
  const stopOrder = plan.stop.afterOrder;
  const lines = [
    `# Ladder for ${t.label}`,
    '',
    `**Target**: ${formatCount(t.params)} parameters, ${formatCount(t.tokens)} tokens, ${formatFlops(t.flops)} FLOPs (${formatHours(t.gpuHours)} ${hw}-h, ${formatUsd(t.usd)}).` +
      ` **Ladder**: ${plan.planned.runs} run(s), ${formatFlops(plan.planned.flops)} FLOPs, ${formatHours(plan.planned.gpuHours)} ${hw}-h, ${formatUsd(plan.planned.usd)}` +
      ` (budget ${plan.budget.text}: ${formatFlops(plan.budget.flops)} FLOPs).${plan.family ? ` Family "${plan.family}".` : ''}`,
    '',
    plan.now
      ? `**Now** (the family's finished runs): loss ${formatLoss(plan.now.loss)}, 80% ${formatLoss(plan.now.lossInterval[0])}–${formatLoss(plan.now.lossInterval[1])} (${pct(plan.now.lossWidth)}${plan.lensNow && Math.abs(plan.lensNow.lossWidth - plan.now.lossWidth) > 1e-12 ? `; the lens's interval ${pct(plan.lensNow.lossWidth)}` : ''}); ${nStarText(plan.now.nStar, plan.now.nStarInterval)}.`
      : '**Now**: no finished runs in the family: the runs below follow the IsoFLOP recipe.',
    '',
    ...(plan.runs.length === 0
      ? ['No run to train within the budget (see Stop).']
      : [
          `| # | status | N | D | D/N | shape | LR | batch | hours | cost | loss${NBSP}± | N*${NBSP}after |`,
          '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ]),
    ...plan.runs.map((r) => {
      // Plain words, not a symbol: the preview's fonts may lack one (seen in headless Chromium).
      // A no-break space inside a short cell ("1 stop", "9 × 1216", "✗ not needed"): a narrow panel scrolls the table
      // rather than split one value over two lines.
      const order = r.order === stopOrder ? `**${r.order}${NBSP}stop**` : String(r.order);
      const dn = r.tokensPerParam < 10 ? Number(r.tokensPerParam.toPrecision(2)).toString() : r.tokensPerParam.toFixed(0);
      const status = (TABLE_STATUS[r.status] || 'planned').replace(/ /g, NBSP);
      return `| ${order} | ${status} | ${formatCount(r.params)} | ${formatCount(r.tokens)} | ${dn} | ${r.shape.nLayer}${NBSP}×${NBSP}${r.shape.dModel} | ${decimal(r.lr.value)} | ${formatCount(r.batchTokens.value)} | ${formatHours(r.gpuHours)} | ${formatUsd(r.usd)} | ${pct(r.after.lossWidth)} | ${nStarRange(r.after.nStarInterval)} |`;
    }),
    '',
    `**Stop**: ${plan.stop.reason}. "shape": layers × d_model; "LR": peak learning rate; "hours": ${hw}-hours; "cost": dollars at the hardware's price; "loss ±": half-width of the target's 80% loss interval once the run (and those above it) is in; "N* after": 80% interval of the compute-optimal size at the target's compute (Plan Compute Budget's at that compute, narrowed by the runs above).`,
    '',
    ...(plan.distance ? [`**What would narrow it**: ${plan.distance.text}`, ''] : []),
    ...(plan.runs.length
      ? [
          '## Why each run',
          '',
          ...plan.runs.map((r) => `${r.order}. \`${r.id}\`${r.status !== 'planned' ? ` (${STATUS_MARK[r.status]})` : ''}: ${r.reason}.`),
          '',
        ]
      : []),
    '## Notes',
    '',
    `- ${plan.method}`,
    ...plan.notes.map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}
