// What the dashboard draws beyond each run's own series, computed here (in the worker) so the
// webview only renders: wall-clock time per step, ETA, seed groups, the cross-run scaling view
// (final losses, the family law along the runs' tokens-per-parameter ratio, the compute-optimal
// frontier) and the predicted-versus-actual points of every validation the engine ran.
import type { Run } from './runs/types';
import type { CrossRunFit } from './fit/crossRun';
import { getLaw } from './laws/registry';
import { predictWithFit } from './fit/crossRunLaw';
import { goldenSectionMinimum } from './fit/goldenSection';
import type { FamilyModel } from './plan/familyModel';
import { interpolateWithin } from '../shared/interpolate';
import type {
  ConfigEstimate,
  CurvePrediction,
  Eta,
  FamilyLaw,
  PlannedPoint,
  ScalingPoint,
  ScalingView,
  SeedGroup,
  ValidationPoint,
  WallClock,
} from './snapshot';
import { approxTrainingFlops, tokensForFlops } from './laws/trainingCompute';
import { maxOf, medianGap, minOf } from '../shared/arrays';

/** Metrics holding elapsed seconds since the run (or its latest launch) started. */
const ELAPSED_KEYS = new Set(['_runtime', 'runtime', 'elapsed', 'elapsed_time', 'time_elapsed', 'elapsed_seconds', 'wall_time_s']);
/** Metrics holding a Unix time, in seconds or milliseconds (told apart by magnitude). */
const UNIX_KEYS = new Set(['_timestamp', 'timestamp', 'time', 'wall_time', 'walltime']);
/** A clock reading above this (2001-09-09) is a Unix time, not seconds since a launch. */
const UNIX_SINCE_2001 = 1e9;
/** Unix times above this are milliseconds (1e11 s is the year 5138). */
const UNIX_MS_THRESHOLD = 1e11;

export interface TimedStep {
  step: number;
  /** Seconds on any clock; only differences are used. */
  seconds: number;
}

/**
 * The run's wall clock per step when its log records one (W&B's `_runtime`/`_timestamp`, a
 * `time` column, ...): steps ascending, seconds on one clock. An elapsed-seconds counter that
 * restarts at a resume is stitched on, so the clock never runs backwards. Undefined when absent.
 */
export function loggedClock(run: Run): TimedStep[] | undefined {
  const unix = run.series.find((s) => UNIX_KEYS.has(s.metric) && s.steps.length >= 2);
  if (unix) {
    const ms = unix.values.some((v) => v > UNIX_MS_THRESHOLD);
    return Array.from(unix.steps, (step, i) => ({ step, seconds: ms ? unix.values[i] / 1000 : unix.values[i] }));
  }
  const elapsed = run.series.find((s) => ELAPSED_KEYS.has(s.metric) && s.steps.length >= 2);
  if (!elapsed) return undefined;
  const out: TimedStep[] = [];
  let offset = 0;
  for (let i = 0; i < elapsed.steps.length; i++) {
    const v = elapsed.values[i];
    // A counter that went down was restarted: continue from where the previous launch stopped.
    if (i > 0 && v + offset < out[i - 1].seconds) offset = out[i - 1].seconds;
    out.push({ step: elapsed.steps[i], seconds: v + offset });
  }
  return out;
}

/**
 * Indices of the first sample of every launch after the first: where the step or the clock went
 * backwards, or where the clock stood still for far longer than the run's usual pace (a crash and
 * a resume). Empty when the run never restarted.
 */
export function restartIndices(samples: readonly TimedStep[]): number[] {
  const median = medianGap(samples.map((s) => s.seconds)) ?? 0;
  // A pause counts as a restart when it is both long in absolute terms and unlike the usual pace.
  const pause = Math.max(300, 20 * median);
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = samples[i].seconds - samples[i - 1].seconds;
    if (samples[i].step <= samples[i - 1].step || dt < 0 || dt > pause) out.push(i);
  }
  return out;
}

/** Index of the first sample of the latest launch (see restartIndices); 0 when the run never restarted. */
export function lastRestart(samples: readonly TimedStep[]): number {
  const restarts = restartIndices(samples);
  return restarts.length ? restarts[restarts.length - 1] : 0;
}

/**
 * ETA from the recent step rate since the last restart: the last `window` samples of the latest
 * launch, (Δstep / Δseconds), and the steps left to `targetStep`. Undefined without two samples
 * since the restart or with a rate that is not positive.
 */
export function estimateEta(samples: readonly TimedStep[], targetStep: number, source: Eta['source'], window = 50): Eta | undefined {
  if (samples.length < 2 || !Number.isFinite(targetStep)) return undefined;
  const since = lastRestart(samples);
  const recent = samples.slice(Math.max(since, samples.length - window));
  if (recent.length < 2) return undefined;
  const first = recent[0];
  const last = recent[recent.length - 1];
  const dt = last.seconds - first.seconds;
  const stepsPerSecond = (last.step - first.step) / dt;
  if (!(dt > 0) || !(stepsPerSecond > 0) || !Number.isFinite(stepsPerSecond)) return undefined;
  const left = Math.max(0, targetStep - last.step);
  return { seconds: left / stepsPerSecond, stepsPerSecond, sinceStep: samples[since].step, source };
}

/**
 * Step → hours since the first logged point, thinned to at most `maxPoints` (kept exact at both
 * ends and on both sides of every restart), with the first step of each later launch, where the
 * wall-time axis breaks the line.
 */
export function wallClockView(samples: readonly TimedStep[], maxPoints = 200): WallClock | undefined {
  if (samples.length < 2) return undefined;
  const t0 = samples[0].seconds;
  const restarts = restartIndices(samples);
  const keep = new Set<number>([samples.length - 1]);
  for (const i of restarts) keep.add(i - 1).add(i);
  const stride = Math.max(1, Math.ceil(samples.length / maxPoints));
  for (let i = 0; i < samples.length; i += stride) keep.add(i);
  const steps: number[] = [];
  const hours: number[] = [];
  for (const i of [...keep].sort((a, b) => a - b)) {
    steps.push(samples[i].step);
    hours.push((samples[i].seconds - t0) / 3600);
  }
  const view: WallClock = { steps, hours };
  if (restarts.length) view.restartSteps = restarts.map((i) => samples[i].step);
  // Seconds past 2001 on a clock that only counts since launch are not plausible: this one is Unix time.
  if (t0 > UNIX_SINCE_2001) view.startUnixSeconds = t0;
  return view;
}

/** A seed in a run's name: `-seed3`, `_seed=3`, `.s3`, `-s3` at the end. */
const SEED_IN_NAME = /([-_.]?seed[-_=]?\d+|[-_.]s\d+$)/gi;

/**
 * Runs that differ only by seed share a key: family, size, tokens, peak LR and the run's folder
 * path with its seed removed. Undefined for a name with no seed in it.
 */
export function seedGroupKey(run: Pick<Run, 'id' | 'hyper'>): string | undefined {
  const stripped = run.id.replace(SEED_IN_NAME, '');
  if (stripped === run.id) return undefined;
  const h = run.hyper;
  return JSON.stringify([stripped, h.family ?? '', h.params ?? '', h.tokens ?? '', h.peakLr ?? '']);
}

/** A member's loss at `step` between its logged steps; NaN outside them (a seed's curve is not extrapolated). */
function lossAt(steps: readonly number[], loss: readonly number[], step: number): number {
  if (steps.length === 0 || step < steps[0] || step > steps[steps.length - 1]) return NaN;
  return interpolateWithin(steps, loss, step);
}

/**
 * Seed groups of two or more runs: on the first run's display steps (up to where every member has
 * data), the mean train loss and the min–max of the members (linear interpolation between logged steps).
 */
export function seedGroups(
  runs: readonly { id: string; name: string; key: string | undefined; steps: readonly number[]; loss: readonly number[] }[],
): SeedGroup[] {
  const byKey = new Map<string, (typeof runs)[number][]>();
  for (const r of runs) {
    if (r.key === undefined || r.steps.length === 0) continue;
    byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  }
  const out: SeedGroup[] = [];
  for (const members of byKey.values()) {
    if (members.length < 2) continue;
    members.sort((a, b) => a.id.localeCompare(b.id));
    const end = minOf(members.map((m) => m.steps[m.steps.length - 1]));
    const group: SeedGroup = {
      id: `seeds:${members[0].id}`,
      name: `${members[0].name.replace(SEED_IN_NAME, '')} (${members.length} seeds)`,
      runIds: members.map((m) => m.id),
      steps: [],
      mean: [],
      lower: [],
      upper: [],
    };
    for (const step of members[0].steps) {
      if (step > end) break;
      const values = members.map((m) => lossAt(m.steps, m.loss, step));
      if (values.some((v) => !Number.isFinite(v))) continue;
      group.steps.push(step);
      group.mean.push(values.reduce((a, b) => a + b, 0) / values.length);
      group.lower.push(minOf(values));
      group.upper.push(maxOf(values));
    }
    if (group.steps.length) out.push(group);
  }
  return out;
}

export interface ScalingRunInput {
  id: string;
  name: string;
  status: Run['status'];
  params?: number;
  tokens?: number;
  /** The loss the family law was fitted to (finished runs), when it was. */
  fittedLoss?: number;
  curve?: CurvePrediction;
  /** Why the family's fit leaves the run out; its point is then its last logged loss (a live run's forecast). */
  notInFit?: string;
  lastLoss?: number;
}

function logSpace(lo: number, hi: number, n: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: n }, (_, i) => Math.exp(a + ((b - a) * i) / (n - 1)));
}

/** The N minimising L(N, C/(6N)) for compute C: golden-section search on log N over [lo, hi]. */
function optimalParams(evaluate: (n: number, d: number) => number, flops: number, lo: number, hi: number): number {
  const f = (logN: number) => evaluate(Math.exp(logN), tokensForFlops(flops, Math.exp(logN)));
  return Math.exp(goldenSectionMinimum(f, Math.log(lo), Math.log(hi), { tolerance: 1e-4, maxSteps: 60 }));
}

/**
 * One family's scaling view: a point per run with known N and D (the final loss the law was fitted
 * to for finished runs, the curve's predicted final loss for live ones), the law along the runs'
 * median tokens-per-parameter ratio from the smallest run to 10× the largest, and the
 * compute-optimal frontier over the same compute range. Lines only for a law of (N, D).
 */
/** A family's law line and frontier as last drawn, with what they were drawn from (see scalingView's `memo`). */
export interface ScalingLinesMemo {
  key?: string;
  lines?: Pick<ScalingView, 'lawLine' | 'frontier'>;
}

export function scalingView(
  family: FamilyLaw,
  runs: readonly ScalingRunInput[],
  linePoints = 40,
  model?: Pick<FamilyModel, 'predict' | 'value'>,
  memo?: ScalingLinesMemo,
): ScalingView {
  const heldOut = family.fit?.validation && 'heldOutRunId' in family.fit.validation ? family.fit.validation.heldOutRunId : undefined;
  const points: ScalingPoint[] = [];
  for (const run of runs) {
    if (run.params === undefined || run.tokens === undefined || run.status === 'failed') continue;
    const base = {
      runId: run.id,
      name: run.name,
      params: run.params,
      tokens: run.tokens,
      flops: approxTrainingFlops(run.params, run.tokens),
      heldOut: run.id === heldOut,
    };
    // A point forecast whose interval is still coming is drawn without one (not with the error floor as if final).
    const pending = run.curve?.intervalPending === true && run.curve.provenance !== 'from siblings';
    if (run.notInFit !== undefined) {
      // Not what the law was fitted to: a finished run's last logged loss, a live run's forecast (none without one), marked with why.
      const live = run.status === 'live';
      const loss = live ? run.curve?.predictedFinal.value : run.lastLoss;
      if (loss !== undefined && Number.isFinite(loss))
        points.push({
          ...base,
          loss,
          kind: live ? 'predicted' : 'final',
          notInFit: run.notInFit,
          ...(live && !pending ? { interval: run.curve!.predictedFinal.interval } : {}),
        });
    } else if (run.fittedLoss !== undefined) points.push({ ...base, loss: run.fittedLoss, kind: 'final' });
    else if (run.curve)
      points.push({ ...base, loss: run.curve.predictedFinal.value, ...(pending ? {} : { interval: run.curve.predictedFinal.interval }), kind: 'predicted' });
  }
  const view: ScalingView = { family: family.family, points };
  const fit: CrossRunFit | undefined = family.fit;
  const law = fit ? getLaw(fit.lawId) : undefined;
  const sized = points.filter((p) => p.kind === 'final' && p.notInFit === undefined);
  if (!fit || !law || law.variables.length !== 2 || sized.length === 0) return view;
  // With the family's model (plan/familyModel.ts), the line and the frontier are the ones the lens and the planner use.
  const evaluate = model ? (n: number, d: number) => model.value(n, d) : (n: number, d: number) => law.evaluate(fit.fitParams, [n, d]);
  const ratios = sized.map((p) => p.tokens / p.params).sort((a, b) => a - b);
  const ratio = ratios[Math.floor(ratios.length / 2)];
  const minN = minOf(sized.map((p) => p.params));
  const maxN = maxOf(sized.map((p) => p.params));
  // The lines depend on the runs only through these three numbers; with the same law and model
  // (the caller's memo is per law and model) they are the lines drawn last time.
  const key = `${ratio}|${minN}|${maxN}|${linePoints}|${family.provisional === undefined}`;
  if (memo?.key === key && memo.lines) return { ...view, ...memo.lines };
  const params = logSpace(minN / 2, maxN * 10, linePoints);
  // The line and its band through the engine's prediction path, so the band is the calibrated
  // interval every other prediction of this law reports (fit/calibration.ts), not raw bootstrap.
  const predict = model ? (n: number, d: number) => model.predict(n, d) : (n: number, d: number) => predictWithFit(law, fit, [n, d]);
  // A provisional law (fitted without resamples) has no calibrated interval: no band.
  const banded = family.provisional === undefined;
  const lower: number[] = [];
  const upper: number[] = [];
  const lawLine: NonNullable<ScalingView['lawLine']> = {
    tokensPerParam: ratio,
    params: [],
    tokens: [],
    flops: [],
    loss: [],
    ...(banded ? { lower, upper } : {}),
  };
  for (const n of params) {
    const d = ratio * n;
    const { value, interval } = predict(n, d);
    lawLine.params.push(n);
    lawLine.tokens.push(d);
    lawLine.flops.push(approxTrainingFlops(n, d));
    lawLine.loss.push(value);
    lower.push(interval[0]);
    upper.push(interval[1]);
  }
  view.lawLine = lawLine;
  const frontier: NonNullable<ScalingView['frontier']> = { params: [], tokens: [], flops: [], loss: [] };
  const loC = lawLine.flops[0];
  const hiC = lawLine.flops[lawLine.flops.length - 1];
  for (const c of logSpace(loC, hiC, linePoints)) {
    // Search N over a wide bracket around the fitted sizes; D follows from the budget.
    const n = optimalParams(evaluate, c, minN / 1e3, maxN * 1e4);
    const d = tokensForFlops(c, n);
    const loss = evaluate(n, d);
    if (!Number.isFinite(loss)) continue;
    frontier.params.push(n);
    frontier.tokens.push(d);
    frontier.flops.push(c);
    frontier.loss.push(loss);
  }
  if (frontier.loss.length >= 2) view.frontier = frontier;
  if (memo) {
    memo.key = key;
    memo.lines = { lawLine, ...(view.frontier ? { frontier } : {}) };
  }
  return view;
}

/** The config open in the editor as a point of the scaling view: its N, D, C = 6·N·D and predicted loss. */
export function plannedPoint(estimate: ConfigEstimate): PlannedPoint | undefined {
  const plan = estimate.plan;
  const loss = estimate.predictions.loss;
  // A first answer's provisional loss is not drawn: the star waits for the family's law. One standing in
  // for a law cut short by its fit budget is (no full law follows), marked provisional, as the lens has it.
  if (!estimate.applicable || !plan || plan.tokens === undefined || !loss || (loss.provisional && !loss.provisional.fullLawTimedOut)) return undefined;
  const params = plan.params.total;
  return {
    file: estimate.file,
    family: loss.family,
    params,
    tokens: plan.tokens,
    flops: approxTrainingFlops(params, plan.tokens),
    loss: loss.value,
    interval: loss.interval,
    ...(loss.provisional ? { provisional: loss.provisional.note } : {}),
  };
}

/**
 * The family law from `fromParams` (the scaling view's smallest size) to the planned config along
 * the config's own tokens per parameter, so the chart draws the law to the planned star. Undefined
 * without a fitted law of (N, D).
 */
export function plannedLawPath(
  planned: PlannedPoint,
  family: Pick<FamilyLaw, 'fit'> | undefined,
  fromParams: number | undefined,
  linePoints = 30,
): PlannedPoint['lawPath'] {
  const fit = family?.fit;
  const law = fit ? getLaw(fit.lawId) : undefined;
  if (!fit || !law || law.variables.length !== 2 || !(planned.params > 0) || !(planned.tokens > 0)) return undefined;
  const ratio = planned.tokens / planned.params;
  const start = Math.min(fromParams ?? planned.params / 10, planned.params / 10);
  const path: NonNullable<PlannedPoint['lawPath']> = { tokensPerParam: ratio, params: [], tokens: [], flops: [], loss: [] };
  for (const n of logSpace(start, planned.params, linePoints)) {
    const d = ratio * n;
    const loss = law.evaluate(fit.fitParams, [n, d]);
    if (!Number.isFinite(loss)) continue;
    path.params.push(n);
    path.tokens.push(d);
    path.flops.push(approxTrainingFlops(n, d));
    path.loss.push(loss);
  }
  return path.params.length >= 2 ? path : undefined;
}

/** Every validation the engine ran, as predicted versus actual: each run's prefix fit and each family's held-out run. */
export function validationPoints(runs: readonly { id: string; name: string; curve?: CurvePrediction }[], families: readonly FamilyLaw[]): ValidationPoint[] {
  const out: ValidationPoint[] = [];
  for (const run of runs) {
    const v = run.curve?.validation;
    if (!v || !('predicted' in v) || !Number.isFinite(v.observed)) continue;
    // Every prefix the engine fitted (20/30/50%), each predicting the same observed end; else the 50% one.
    const checks: { fraction: number; predicted: number; errorPct: number; failed?: string }[] =
      'prefixes' in v && Array.isArray(v.prefixes) && v.prefixes.length ? v.prefixes : [{ fraction: 0.5, predicted: v.predicted, errorPct: v.errorPct }];
    for (const c of checks) {
      if (!Number.isFinite(c.predicted) && !c.failed) continue;
      const point: ValidationPoint = {
        kind: 'curve-prefix',
        method: `prefix-${Math.round(c.fraction * 100)}`,
        subject: run.name,
        runId: run.id,
        predicted: c.predicted,
        actual: v.observed,
        errorPct: c.errorPct,
        atStep: v.atStep,
      };
      if (c.failed) point.failed = c.failed;
      out.push(point);
    }
  }
  for (const family of families) {
    const v = family.fit?.validation;
    if (!v || !('predicted' in v) || !Number.isFinite(v.predicted) || !Number.isFinite(v.observed)) continue;
    out.push({
      kind: 'family-held-out',
      method: v.method,
      subject: family.family,
      runId: v.heldOutRunId,
      predicted: v.predicted,
      actual: v.observed,
      errorPct: v.errorPct,
    });
  }
  return out;
}
