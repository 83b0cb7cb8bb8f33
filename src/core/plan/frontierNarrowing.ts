// "Which runs would narrow it": the one or two runs that would narrow the planner's N* interval most
// per cost. The ladder's search (ladder.ts, `objective: 'nStar'`) with the budget as its target, on
// the family's runs and fit: its linearised fit says how much a run pins the law's exponents, the
// frontier's distance floor (calibration.ts) how much a run nearer the budget's compute narrows what
// the backtests measure. The interval after is the ladder's "N* after" (one computation with the
// plan's, budget.ts familyFrontier): the bootstrap's log half-widths scaled by the linearised
// narrowing, at least the floor at the new distance.
import type { BudgetContext, BudgetPlan, FrontierNarrowing, NarrowingRun } from './budget';
import { familyModel } from './familyModel';
import type { HardwareTable } from './hardware';
import { planLadder, type LadderExistingRun } from './ladder';
import { formatCount, formatFlops } from '../../shared/format';
import { formatHours, formatUsd } from './costFormat';

/** Share of the budget the search may spend: runs that cost more are a first attempt at the target, not a check. */
export const NARROWING_BUDGET_FRACTION = 0.1;
/** At most this many runs are named. */
const NARROWING_RUNS = 2;
/** The search's time budget in ms at most: it runs in the worker that reads the logs, which it must not stall for long. */
export const NARROWING_SEARCH_MAX_MS = 1500;
/** A run that removes less of the N* interval's log width (its own part, beyond the runs named before it) is not worth naming. */
const MIN_CUT = 0.05;

/**
 * The runs that would narrow `plan`'s N* interval most per cost, or undefined when the plan has no
 * N* interval (no fitted family, a fixed size, serving tokens). Bounded by `deadline` (epoch ms).
 */
export function frontierNarrowing(
  plan: BudgetPlan,
  law: NonNullable<BudgetContext['lossLaw']>,
  options: { hardware?: HardwareTable; deadline?: number; seqLen?: number; vocab?: number } = {},
): FrontierNarrowing | undefined {
  const u = plan.frontierUncertainty;
  if (!u || u.computeRatio === undefined || !(u.computeRatio > 0)) return undefined;
  const anchored = new Set(law.anchoredRunIds ?? []);
  const points = (law.points ?? []).filter((p) => p.params > 0 && p.tokens > 0);
  const runs: LadderExistingRun[] = points.map((p) =>
    anchored.has(p.runId)
      ? { runId: p.runId, params: p.params, tokens: p.tokens, status: 'running' }
      : { runId: p.runId, params: p.params, tokens: p.tokens, loss: p.loss, status: 'finished' },
  );
  const searchFlops = NARROWING_BUDGET_FRACTION * plan.flops;
  const model = familyModel({ ...law });
  const ladder = planLadder(
    {
      target: { kind: 'budget', budget: { kind: 'flops', flops: plan.flops, text: plan.budget.text } },
      ladderBudget: { kind: 'flops', flops: searchFlops, text: `${NARROWING_BUDGET_FRACTION * 100}% of the budget` },
      hardware: plan.hardware.id,
      runs,
      family: law.family,
      seed: 1,
      maxRuns: NARROWING_RUNS,
      objective: 'nStar',
      ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
      ...(options.seqLen !== undefined ? { seqLen: options.seqLen } : {}),
      ...(options.vocab !== undefined ? { vocab: options.vocab } : {}),
    },
    { hardware: options.hardware, fit: law.fit, model, lossLaw: law },
  );
  const within = `within ${formatFlops(searchFlops)} FLOPs (${NARROWING_BUDGET_FRACTION * 100}% of the budget)`;
  if ('error' in ladder) return { runs: [], searchFlops, timedOut: false, note: `No search for runs that would narrow N*: ${ladder.error}` };
  const nowLogWidth = Math.log(u.nStar[1] / u.nStar[0]);
  // Runs still training narrow it once they finish (the ladder's start counts them in): their share is
  // theirs, not the first named run's (before, a run was credited with the live runs' narrowing).
  const start = ladder.start.nStarInterval;
  const trainingCut = Math.max(0, 1 - Math.log(start[1] / start[0]) / nowLogWidth);
  // Said when it is more than a rounding (1% of the log width).
  const training = trainingCut >= 0.01 ? ([start[0], start[1]] as [number, number]) : undefined;
  const out: NarrowingRun[] = [];
  let cutBefore = trainingCut;
  for (const r of ladder.runs.filter((x) => x.status === 'planned')) {
    const after = r.after.nStarInterval;
    const cumulative = 1 - Math.log(after[1] / after[0]) / nowLogWidth;
    // Each run earns its place on its own: measured against "now", a second run would pass on the first's cut.
    const cut = cumulative - cutBefore;
    if (!(cut >= MIN_CUT)) break;
    cutBefore = cumulative;
    out.push({
      params: r.params,
      tokens: r.tokens,
      tokensPerParam: r.tokens / r.params,
      flops: r.flops,
      gpuHours: r.gpuHours,
      usd: r.usd,
      nStarAfter: [after[0], after[1]],
      cut,
    });
  }
  const withTraining = training
    ? ` The runs still training bring it to ${formatCount(training[0])}–${formatCount(training[1])} once they finish${out.length ? '; the runs below narrow it from there' : ''}.`
    : '';
  const note = out.length
    ? `The run${out.length > 1 ? 's' : ''} that would narrow N* most per FLOP ${within}, chosen by the ladder's search (Plan Experiments) with this budget as its target: a run nearer the budget's compute shrinks the distance the interval widens with, runs at other sizes and tokens per parameter pin the law's exponents.${ladder.timedOut ? ' The search was cut short by its time budget: Plan Experiments searches longer and may find better runs.' : ''}`
    : `No run ${within} narrows the N* interval by ${MIN_CUT * 100}% or more${ladder.timedOut ? ' found before the time budget ran out' : ''}: its width is the distance from the largest finished run, which only a run near the budget's compute shortens.`;
  return { runs: out, searchFlops, timedOut: ladder.timedOut, note: `${note}${withTraining}`, ...(training ? { withTraining: training } : {}) };
}

/** The narrowing runs as lines of text (CLI `plan`, the plan's markdown in VS Code). */
export function narrowingLines(n: FrontierNarrowing, nStarNow: readonly [number, number], hardwareId: string): string[] {
  const range = (i: readonly [number, number]) => `${formatCount(i[0])}–${formatCount(i[1])}`;
  return [
    n.note,
    ...n.runs.map(
      (r, i) =>
        `${i + 1}. ${formatCount(r.params)} parameters × ${formatCount(r.tokens)} tokens (${r.tokensPerParam.toFixed(0)} per parameter), ${formatFlops(r.flops)} FLOPs, ${formatHours(r.gpuHours)} ${hardwareId}-h ≈ ${formatUsd(r.usd)}: N* ${range(i === 0 ? (n.withTraining ?? nStarNow) : n.runs[i - 1].nStarAfter)} → ${range(r.nStarAfter)} (${i > 0 ? 'a further ' : ''}${(100 * r.cut).toFixed(0)}% narrower in log width${i > 0 ? ', beyond the run above' : ''})`,
    ),
  ];
}
