// Early forecasts from siblings: a live run is forecast with the schedule response its family's
// finished runs share. The finished siblings of each size are fitted together with the Multi-Power
// Law (Luo et al. 2025), one parameter set per size. What carries over from siblings of other
// sizes: the shape of the drop term (ln C, β, γ), pooled across sizes; and the parameters that
// move with model size, the forward-area exponent α and the scales ln A and ln B, tied by a power
// law in N (each linear in ln N across the siblings' sizes: on the shared Multi-Power-Law curves
// α falls 0.50 → 0.45, ln A rises −0.66 → −0.48 and ln B 5.9 → 6.3 from 25M to 400M, which
// pooling across sizes averaged away). The live run's prefix then only has to pin its own level
// (L0) and can be carried to the end of its planned schedule from as early as 10% of its steps.
// Its interval is the calibrated `SIBLING_FORECAST_FLOOR`, widened as the line in ln N is the
// farther the run's N lies from its siblings' sizes, measured by leave-one-size-out on the shared
// Multi-Power-Law curves (`npm run validate`), not the bootstrap of a prefix that cannot see the
// schedule's decay.
import { createMultipowerLaw } from '../laws/multipower';
import { warmupEnd } from '../laws/schedule';
import { fitLaw, type Prior } from './fitLaw';
import { multipowerShapePriors } from './priors';
import type { Prediction } from './types';
import { appendAll, maxOf } from '../../shared/arrays';

export interface SiblingCurve {
  runId: string;
  steps: ArrayLike<number>;
  losses: ArrayLike<number>;
  /** Per-step LR (schedule.ts layout) to the run's last step at least. */
  lr: Float64Array;
  /** Parameter count N (`siblingSize`), when known: siblings of several sizes then tie α, ln A, ln B to ln N. */
  params?: number;
}

/**
 * The N a run's schedule response is tied to: its non-embedding parameter count when known, else
 * its total. On the shared Multi-Power-Law curves (Llama shapes of 25M, 100M and 400M non-embedding
 * parameters; 58M, 148M and 495M in all, the 32k-token embeddings half of the smallest) the line in
 * ln N through the other two sizes missed the third by a median 0.24–0.52% from 10–30% prefixes
 * on total counts and 0.17–0.40% on non-embedding ones, held out (`npm run validate` scores the
 * latter): embeddings do not move the schedule response as the layers do (Kaplan et al. 2020).
 */
export function siblingSize(hyper: RunSize, nonEmbedding = hasNonEmbedding(hyper)): number | undefined {
  return nonEmbedding ? hyper.nonEmbeddingParams : hyper.params;
}

interface RunSize {
  params?: number;
  nonEmbeddingParams?: number;
}

function hasNonEmbedding(hyper: RunSize): boolean {
  return hyper.nonEmbeddingParams !== undefined && hyper.nonEmbeddingParams > 0;
}

/**
 * Whether runs fitted together take their non-embedding N (`siblingSize`): only when every one with a
 * size knows it, else all their total N; one line in ln N through two definitions of N is neither's.
 */
export function allNonEmbedding(hypers: Iterable<RunSize>): boolean {
  for (const h of hypers) if (!hasNonEmbedding(h) && h.params !== undefined) return false;
  return true;
}

/** Fit-space parameters of the multi-power law carried over from siblings: the schedule response. */
const SCHEDULE_RESPONSE_PARAMETERS = ['a', 'alpha', 'b', 'c', 'beta', 'gamma'] as const;
/** Those that move with model size: linear in ln N when the siblings have two sizes or more (ln A only then). */
const SIZE_SCALED = new Set<string>(['a', 'alpha', 'b']);
/** Those of the drop term: only a sibling whose LR fell sets them (a constant LR leaves them at their start). */
const DROP_TERM = new Set<string>(['b', 'c', 'beta', 'gamma']);
/** A sibling's LR fell when its last LR is this far below its peak after warmup (constant schedules: 0). */
const MIN_LR_DROP = 0.1;
/** Smallest prior spread (fit space) of a carried-over parameter: siblings that agree exactly still leave room. */
const MIN_SPREAD: Record<string, number> = { a: 0.05, alpha: 0.03, b: 0.15, c: 0.15, beta: 0.03, gamma: 0.03 };

/**
 * Log half-width of the 80% interval of a forecast from siblings of other sizes, per unit of
 * `sizeLineWidening` (interval = value·e^±(floor·widening)). Derived on the Multi-Power-Law
 * curves' 10–30% prefixes (`npm run validate`, "early forecasts", 2026-12-07, one fit per sibling
 * size): the 80th percentile of |ln(predicted/true)|/widening of each size, the largest of the
 * three (100M: ±0.531%, rounded up), so the interval covers 80% of every size it is derived on,
 * not of the sizes pooled. Derived the same way from two sizes, it covers 100, 83, 89, 85, 85% of
 * the third at 10, 15, 20, 25, 30% (6, 18, 27, 27, 27 cases; median width 1.32%), but 100M, the
 * size between the other two, only 6 of 9 at 20–30% (its forecasts 0.2–0.7% high). Before, with one
 * fit per sibling curve: 67, 67, 85, 89, 89% at 1.25% (the 400M WSD runs 0.9–1.1% low, see
 * `fitScheduleResponse`). A scale growing with the run's unseen part, (1 + k/f), was tried: k
 * chosen the same way came out 0 in every fold. So a 400M run from 25M and 100M siblings gets
 * ±0.67%, a 100M run between 25M and 400M ±0.55%.
 */
export const SIBLING_FORECAST_FLOOR = 0.0054;

/**
 * The same when the siblings' sizes draw no line (N unknown, or one size): the response pooled
 * across sizes, as measured before the line (`npm run validate`, 2026-12-06: ±1.8%).
 */
const POOLED_FORECAST_FLOOR = 0.018;

/**
 * How much wider a forecast from siblings of other sizes is at a live run of `params` parameters:
 * the widening of a least-squares line's prediction in ln N through the fitted siblings' sizes,
 * √(1 + 1/n + (x − x̄)²/Sxx), each size counted once per usable curve it has (n curves; a capped
 * size counts those its fitted curves weigh for, `MAX_POOLED_PER_SIZE`), as
 * `responsePriors` widens the carried-over parameters. About 1.03
 * between the siblings' sizes and 1.25 at 4× past them (9 siblings each at 2 sizes); more with
 * fewer siblings. Undefined when there is no line (N unknown, or siblings of one size).
 */
export function sizeLineWidening(response: ScheduleResponse, params: number | undefined): number | undefined {
  if (!(params !== undefined && params > 0)) return undefined;
  const sized = response.fits.filter((f) => f.params !== undefined);
  const x = sized.map((f) => Math.log(f.params!));
  const w = sized.map((f) => f.curves);
  const n = w.reduce((a, b) => a + b, 0);
  if (n < 3 || new Set(x).size < 2) return undefined;
  const mx = x.reduce((a, xi, i) => a + w[i] * xi, 0) / n;
  const sxx = x.reduce((a, xi, i) => a + w[i] * (xi - mx) ** 2, 0);
  return Math.sqrt(1 + 1 / n + (Math.log(params) - mx) ** 2 / sxx);
}

/** Log half-width of the 80% interval of `forecastFromSiblings` for a live run of `params` parameters. */
export function siblingForecastFloor(response: ScheduleResponse, params: number | undefined): number {
  const widening = sizeLineWidening(response, params);
  return widening === undefined ? POOLED_FORECAST_FLOOR : SIBLING_FORECAST_FLOOR * widening;
}

export interface ScheduleResponse {
  /** Priors (fit space) for the live run's fit, pooled over the siblings' sizes (no ln A). */
  priors: Record<string, Prior>;
  /** Siblings whose curves were fitted (a capped size's kept ones). */
  runIds: string[];
  /** Each size's N (when known), how many usable curves it has (all weighed in its one joint fit, though at most MAX_POOLED_PER_SIZE of them are fitted), and its carried-over parameters (fit space), for priors at the live run's N. */
  fits: { params?: number; curves: number; values: Record<string, number> }[];
}

export interface SiblingOptions {
  deadline?: number;
  isCancelled?: () => boolean;
  /** Curves of one size fitted at most (default MAX_POOLED_PER_SIZE). */
  maxPooledPerSize?: number;
}

/** Fewest prefix points after the warmup when only the level L0 is left to the prefix: more than one, to average its noise. */
const MIN_POINTS_LEVEL_ONLY = 3;

/** Points per curve a sibling fit sees (as the curve fits' prefix checks, SCHEDULE_PREFIX_CHECK_POINTS; their main fit keeps 70): the price of a fit is its points. */
const MAX_POINTS = 100;

/** Up to MAX_POINTS evenly spaced (by index) points after the warmup, finite and positive. */
function prepared(steps: ArrayLike<number>, losses: ArrayLike<number>, fromStep: number, untilStep = Number.POSITIVE_INFINITY): { x: number[][]; y: number[] } {
  const idx: number[] = [];
  for (let i = 0; i < Math.min(steps.length, losses.length); i++) {
    const s = steps[i];
    if (s > fromStep && s <= untilStep && Number.isFinite(losses[i]) && losses[i] > 0) idx.push(i);
  }
  const stride = Math.max(1, Math.ceil(idx.length / MAX_POINTS));
  const x: number[][] = [];
  const y: number[] = [];
  for (let k = 0; k < idx.length; k += stride) {
    x.push([steps[idx[k]], 0]);
    y.push(losses[idx[k]]);
  }
  return { x, y };
}

/** Two siblings are of one size when their N differ by less than this (as the engine's same-size siblings). */
const SAME_SIZE_TOLERANCE = 0.01;

/** Siblings of one model (same N within 1% and same peak LR), in order; a sibling without N is its own group. */
export function sizeGroups(siblings: readonly SiblingCurve[]): SiblingCurve[][] {
  const groups: SiblingCurve[][] = [];
  for (const s of siblings) {
    const n = s.params !== undefined && s.params > 0 ? s.params : undefined;
    const group =
      n === undefined
        ? undefined
        : groups.find((g) => g[0].params !== undefined && Math.abs(g[0].params / n - 1) < SAME_SIZE_TOLERANCE && samePeakLr(g[0].lr, s.lr));
    if (group) group.push(s);
    else groups.push([s]);
  }
  return groups;
}

/**
 * Curves of one size (same N and peak LR) fitted together at most, in the schedule response and a
 * same-size forecast, every schedule kept and the kept curves weighing for all (`thinnedBySchedule`): the joint fit's cost grows
 * with its curves (8.4 s for the response of 214 siblings, one thread). `npm run validate`'s
 * Multi-Power-Law sizes have 9 curves of distinct schedules each, so nothing it scores is thinned;
 * thinned to 5 of them its early-forecast rows moved both ways (median error at 10–30%, other
 * sizes 0.23/0.40/0.31/0.25/0.17% → 0.40/0.35/0.21/0.19/0.15%, same-size coverage 81–85% → 78–81%),
 * to 3 they got worse (0.28% at 30%, same-size coverage 70%). On 100 copies of examples/sweep
 * (14–15 near-identical curves per size) the live runs' forecasts moved by 0.001%.
 */
export const MAX_POOLED_PER_SIZE = 12;

/** `items` thinned to `max`, evenly spaced in their order (first and last kept). */
function evenlySpaced<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items;
  if (max < 2) return items.slice(0, Math.max(1, max));
  return Array.from({ length: max }, (_, k) => items[Math.round((k * (items.length - 1)) / (max - 1))]);
}

/** A schedule's identity: a hash of its LR values (and length), so runs sharing a schedule compare equal. */
function scheduleKey(lr: Float64Array): string {
  const words = new Uint32Array(lr.buffer, lr.byteOffset, lr.length * 2);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < words.length; i++) {
    h1 = Math.imul(h1 ^ words[i], 0x01000193);
    h2 = Math.imul(h2 ^ words[i], 0x5bd1e995);
  }
  return `${lr.length}:${(h1 >>> 0).toString(36)}:${(h2 >>> 0).toString(36)}`;
}

/**
 * `items` (one size's curves) thinned to `max` by schedule, with how many curves each kept one
 * stands for: the curves of one schedule say the same about the schedule response, so each
 * schedule keeps at least one (a size's only decaying run is what sets the drop term), the rest
 * of the `max` shared in proportion to the schedules' counts, evenly spaced within each, and a
 * kept curve weighs for its own schedule's dropped ones. With more schedules than `max`, `max` of
 * them are kept evenly spaced (`prefer`'s, the live run's own, always), each weighing for all.
 * `weights` is undefined when nothing was thinned.
 */
function thinnedBySchedule<T>(
  items: readonly T[],
  lrOf: (item: T) => Float64Array,
  max = MAX_POOLED_PER_SIZE,
  prefer?: Float64Array,
): { kept: readonly T[]; weights?: number[] } {
  if (items.length <= max) return { kept: items };
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = scheduleKey(lrOf(item));
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const keyed = [...groups.entries()];
  const slots = Math.max(1, max);
  if (keyed.length >= slots) {
    let chosen = evenlySpaced(keyed, slots);
    const preferKey = prefer && scheduleKey(prefer);
    const preferred = keyed.find(([key]) => key === preferKey);
    if (preferred && !chosen.includes(preferred)) chosen = [preferred, ...chosen.slice(0, slots - 1)];
    return { kept: chosen.map(([, group]) => group[0]), weights: chosen.map(() => items.length / chosen.length) };
  }
  // One slot per schedule, the others shared by largest remainder of (count − 1).
  const spare = slots - keyed.length;
  const extra = keyed.length === items.length ? 0 : items.length - keyed.length;
  const shares = keyed.map(([, group]) => (extra ? (spare * (group.length - 1)) / extra : 0));
  const quota = shares.map((share) => 1 + Math.floor(share));
  let left = slots - quota.reduce((a, b) => a + b, 0);
  const byRemainder = shares.map((share, i) => ({ i, rest: share - Math.floor(share) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    if (quota[i] < keyed[i][1].length) {
      quota[i]++;
      left--;
    }
  }
  const kept: T[] = [];
  const weights: number[] = [];
  keyed.forEach(([, group], i) => {
    for (const item of evenlySpaced(group, quota[i])) {
      kept.push(item);
      weights.push(group.length / quota[i]);
    }
  });
  return { kept, weights };
}

/** Weights of each kept curve's `points` points, by `thinnedBySchedule`'s weight of that curve. */
function pointWeights(points: readonly number[], weights: readonly number[]): number[] {
  const w: number[] = [];
  points.forEach((n, k) => {
    for (let i = 0; i < n; i++) w.push(weights[k]);
  });
  return w;
}

/**
 * The family's schedule response from its finished siblings, or why there is none (fewer than 2
 * fitted). The siblings of one size (same N and peak LR) are fitted together, one multi-power law
 * over all their curves with every parameter shared (as `forecastWithSameSize`), so each size
 * gives one coherent parameter set. Fitted one curve at a time, each curve's α and ln A absorbed
 * the law's misfit to its own schedule (25M: α 0.50–0.53 on cosine curves, 0.48–0.49 on WSD ones;
 * 100M 0.43–0.49), and the line through them ran steeper than the sizes' own: α 0.40 at 400M
 * from 25M and 100M, 0.45 fitted on the 400M curves. The 400M WSD runs then ended 0.9–1.1% below
 * their forecast from 15% on; from one fit per size 0.6–0.8% (`npm run validate`, "early
 * forecasts", leave-one-size-out). Carrying parameters from one kind of fit and others from the
 * other did worse than either: the parameters only hold as a set.
 */
export function fitScheduleResponse(siblings: readonly SiblingCurve[], opts: SiblingOptions = {}): ScheduleResponse | { error: string } {
  const parts: SizeResponse[] = [];
  for (const group of sizeGroups(siblings)) {
    if (opts.isCancelled?.()) return { error: 'cancelled' };
    const part = fitSizeResponse(group, opts);
    if (!('error' in part)) parts.push(part);
  }
  return combineSizeResponses(parts);
}

/** One size's part of the schedule response (`fitSizeResponse`): the curves fitted and the size's carried-over parameters. */
export interface SizeResponse {
  runIds: string[];
  fit: ScheduleResponse['fits'][number];
}

/**
 * One size group's fit of the schedule response (`sizeGroups`; see `fitScheduleResponse`), a fit of
 * its own so that each size gets the whole time budget: fitted in one job, the sizes after the
 * budget ran out were left out, and the response, made of the sizes fitted before it, was kept as
 * if complete (1,000 runs: 2 to 5 of 5 sizes, by the machine's load). `timedOut`: cut short.
 */
export function fitSizeResponse(group: readonly SiblingCurve[], opts: SiblingOptions = {}): SizeResponse | { error: string; timedOut?: true } {
  const usable = group.map((s) => ({ s, data: prepared(s.steps, s.losses, warmupEnd(s.lr), s.lr.length - 1) })).filter(({ data }) => data.y.length >= 20);
  // At most MAX_POOLED_PER_SIZE fitted, every schedule kept; the size still weighs as many curves as it has (`responsePriors`).
  const thinned = thinnedBySchedule(usable, ({ s }) => s.lr, opts.maxPooledPerSize);
  const used: SiblingCurve[] = [];
  const x: number[][] = [];
  const y: number[] = [];
  const points: number[] = [];
  for (const { s, data } of thinned.kept) {
    for (const xi of data.x) x.push([xi[0], used.length]);
    appendAll(y, data.y);
    points.push(data.y.length);
    used.push(s);
  }
  if (!used.length) return { error: 'no sibling curve of this size has 20 points after its warmup' };
  const law = createMultipowerLaw(used.map((s) => s.lr));
  const fit = fitLaw(
    law,
    { x, y, ...(thinned.weights ? { w: pointWeights(points, thinned.weights) } : {}) },
    { priors: multipowerShapePriors(law), deadline: opts.deadline, isCancelled: opts.isCancelled },
  );
  if ('error' in fit) return fit;
  if (fit.timedOut) return { error: 'the schedule response of this size ran out of time', timedOut: true };
  // Over every usable curve, not only those kept: one decaying run makes the size's drop term.
  const lrFell = usable.some(({ s }) => s.lr[s.lr.length - 1] < (1 - MIN_LR_DROP) * maxOf(s.lr.subarray(warmupEnd(s.lr))));
  const values: Record<string, number> = {};
  law.parameters.forEach((p, j) => {
    if ((SCHEDULE_RESPONSE_PARAMETERS as readonly string[]).includes(p.name) && (lrFell || !DROP_TERM.has(p.name))) values[p.name] = fit.params[j];
  });
  const n = used[0].params;
  return { runIds: used.map((s) => s.runId), fit: { params: n !== undefined && n > 0 ? n : undefined, curves: usable.length, values } };
}

/** The schedule response from its sizes' fits (`fitSizeResponse`, in `sizeGroups` order), or why there is none (fewer than 2 curves fitted). */
export function combineSizeResponses(parts: readonly SizeResponse[]): ScheduleResponse | { error: string } {
  const runIds: string[] = [];
  const fits: ScheduleResponse['fits'] = [];
  for (const part of parts) {
    appendAll(runIds, part.runIds);
    fits.push(part.fit);
  }
  if (runIds.length < 2) return { error: `schedule response needs at least 2 finished siblings with a logged LR; ${runIds.length} could be fitted` };
  const priors: Record<string, Prior> = {};
  for (const name of SCHEDULE_RESPONSE_PARAMETERS) {
    if (name === 'a') continue;
    const list = fits.map((f) => f.values[name]).filter((v) => v !== undefined);
    if (!list.length) continue;
    const mean = list.reduce((a, b) => a + b, 0) / list.length;
    const sd = list.length > 1 ? Math.sqrt(list.reduce((a, b) => a + (b - mean) ** 2, 0) / (list.length - 1)) : 0;
    priors[name] = { mean, sd: Math.max(MIN_SPREAD[name], sd) };
  }
  return { priors, runIds, fits };
}

/**
 * Priors for a live run of `params` parameters: the pooled ones, with α, ln A and ln B instead
 * read off their line in ln N through the siblings' sizes (least squares, each size weighing as
 * many usable curves as it has) when the siblings have two sizes or more. The spread is the
 * sizes' scatter about the line (at least MIN_SPREAD; two sizes leave no scatter), widened as a
 * regression's prediction is the farther the run's N lies from their sizes (`sizeLineWidening`).
 */
export function responsePriors(response: ScheduleResponse, params: number | undefined): Record<string, Prior> {
  const priors = { ...response.priors };
  const widening = sizeLineWidening(response, params);
  if (widening === undefined) return priors;
  const xt = Math.log(params!);
  for (const name of SIZE_SCALED) {
    const points = response.fits.filter((f) => f.params !== undefined && f.values[name] !== undefined);
    if (new Set(points.map((f) => f.params)).size < 2) continue;
    const x = points.map((f) => Math.log(f.params!));
    const v = points.map((f) => f.values[name]);
    const w = points.map((f) => f.curves);
    const sw = w.reduce((a, b) => a + b, 0);
    const mx = x.reduce((a, xi, i) => a + w[i] * xi, 0) / sw;
    const mv = v.reduce((a, vi, i) => a + w[i] * vi, 0) / sw;
    const sxx = x.reduce((a, xi, i) => a + w[i] * (xi - mx) ** 2, 0);
    const slope = x.reduce((a, xi, i) => a + w[i] * (xi - mx) * (v[i] - mv), 0) / sxx;
    const n = points.length;
    const scatter = n > 2 ? Math.sqrt(v.reduce((a, vi, i) => a + (vi - mv - slope * (x[i] - mx)) ** 2, 0) / (n - 2)) : 0;
    priors[name] = { mean: mv + slope * (xt - mx), sd: Math.max(MIN_SPREAD[name], scatter) * widening };
  }
  return priors;
}

/** Largest relative gap between two runs' peak LRs for them to share every multi-power parameter. */
const PEAK_LR_TOLERANCE = 0.1;

/**
 * Whether two schedules peak at the same LR. Every parameter shared, the multi-power law (LR in
 * absolute units) makes a run at a higher peak LR always end lower, but final loss against peak
 * LR is U-shaped (Step Law grid, `../shared/data/steplaw-lr-bs-grid`: the minimum is interior in
 * all 17 settings). The Multi-Power-Law curves all peak at 3e-4, so they cannot say how L0, A or B
 * move with the peak: siblings of an LR sweep at other peaks are not pooled with the run.
 */
function samePeakLr(a: Float64Array, b: Float64Array): boolean {
  const pa = maxOf(a);
  const pb = maxOf(b);
  return pa > 0 && pb > 0 && Math.abs(pa - pb) <= PEAK_LR_TOLERANCE * Math.max(pa, pb);
}

/** Whether a finished sibling's logged schedule peaks at the live run's peak LR (`lr`), so that it can be pooled with it as one of its size. */
export function sharesPeakLr(sibling: SiblingCurve, lr: Float64Array): boolean {
  return sibling.lr.length >= 2 && samePeakLr(sibling.lr, lr);
}

/**
 * The live run's loss at `targetStep` from its prefix and the finished siblings of its own size
 * (same N and peak LR, other schedules): one multi-power law over all their curves, every parameter shared
 * (a model's level and schedule response do not depend on the schedule it is trained with), which
 * is the schedule transfer the validation calibrates as `curveTransfer`; the prefix adds the run's
 * own noise level. `{ error }` when no sibling curve can be used.
 */
export function forecastWithSameSize(
  steps: ArrayLike<number>,
  losses: ArrayLike<number>,
  lr: Float64Array,
  targetStep: number,
  sameSize: readonly SiblingCurve[],
  opts: SiblingOptions = {},
): SiblingForecast | { error: string } {
  if (!(targetStep > 0) || lr.length - 1 < targetStep) return { error: `the schedule stops at step ${lr.length - 1}, before the target ${targetStep}` };
  // At most MAX_POOLED_PER_SIZE (the joint fit's cost grows with its curves), every schedule kept, the live run's first.
  const thinned = thinnedBySchedule(
    sameSize.filter((s) => sharesPeakLr(s, lr)),
    (s) => s.lr,
    opts.maxPooledPerSize,
    lr,
  );
  const usable = thinned.kept;
  if (usable.length === 0) return { error: 'no finished sibling of the same size and peak LR with a logged LR' };
  const law = createMultipowerLaw([lr, ...usable.map((s) => s.lr)]);
  const x: number[][] = [];
  const y: number[] = [];
  const own = prepared(steps, losses, warmupEnd(lr));
  for (const xi of own.x) x.push([xi[0], 0]);
  appendAll(y, own.y);
  const points: number[] = [];
  usable.forEach((s, k) => {
    const d = prepared(s.steps, s.losses, warmupEnd(s.lr), s.lr.length - 1);
    for (const xi of d.x) x.push([xi[0], k + 1]);
    appendAll(y, d.y);
    points.push(d.y.length);
  });
  const w = thinned.weights && [...own.y.map(() => 1), ...pointWeights(points, thinned.weights)];
  const fit = fitLaw(law, { x, y, ...(w ? { w } : {}) }, { priors: multipowerShapePriors(law), deadline: opts.deadline, isCancelled: opts.isCancelled });
  if ('error' in fit) return fit;
  if (fit.timedOut) return { error: 'the forecast from siblings ran out of time' };
  const value = law.evaluate(fit.params, [targetStep, 0]);
  if (!(value > 0) || !Number.isFinite(value)) return { error: 'the forecast from siblings is not a loss' };
  const interval: [number, number] = [value * Math.exp(-SAME_SIZE_FORECAST_FLOOR), value * Math.exp(SAME_SIZE_FORECAST_FLOOR)];
  return {
    prediction: { value, interval, lawId: 'multipower' },
    provenance: 'from siblings',
    siblings: usable.map((s) => s.runId),
    fitParams: fit.params,
    schedules: law,
  };
}

/** Log half-width of the 80% interval of a same-size forecast (as SIBLING_FORECAST_FLOOR: ±0.42% measured, 81% leave-one-size-out coverage). */
export const SAME_SIZE_FORECAST_FLOOR = 0.0043;

export interface SiblingForecast {
  /** The law the fit was made with (schedule 0 is the live run's), to evaluate it at other steps. */
  schedules?: ReturnType<typeof createMultipowerLaw>;
  prediction: Prediction;
  /** Where the forecast comes from, for the lens, hover, status bar and dashboard. */
  provenance: 'from siblings';
  siblings: string[];
  /** Multi-power parameters (fit space) of the live run's fit. */
  fitParams: number[];
}

/**
 * The live run's loss at `targetStep` from its prefix (`steps`, `losses`) and its planned schedule
 * `lr` (to `targetStep` at least), with the siblings' schedule response as priors at its size
 * `params` (N; pooled across sizes when unknown).
 */
export function forecastFromSiblings(
  steps: ArrayLike<number>,
  losses: ArrayLike<number>,
  lr: Float64Array,
  targetStep: number,
  response: ScheduleResponse,
  params: number | undefined,
  opts: SiblingOptions = {},
): SiblingForecast | { error: string } {
  if (!(targetStep > 0) || lr.length - 1 < targetStep) return { error: `the schedule stops at step ${lr.length - 1}, before the target ${targetStep}` };
  const law = createMultipowerLaw([lr]);
  const data = prepared(steps, losses, warmupEnd(lr));
  const priors = responsePriors(response, params);
  // With every parameter but the level L0 carried over, a few points place it; else the prefix also sets A.
  const minPoints = priors.a ? MIN_POINTS_LEVEL_ONLY : 8;
  if (data.y.length < minPoints) return { error: `only ${data.y.length} logged points after the warmup: too few to place the run's level` };
  const fit = fitLaw(law, data, { priors, deadline: opts.deadline, isCancelled: opts.isCancelled });
  if ('error' in fit) return fit;
  if (fit.timedOut) return { error: 'the forecast from siblings ran out of time' };
  const value = law.evaluate(fit.params, [targetStep, 0]);
  if (!(value > 0) || !Number.isFinite(value)) return { error: 'the forecast from siblings is not a loss' };
  const floor = siblingForecastFloor(response, params);
  const interval: [number, number] = [value * Math.exp(-floor), value * Math.exp(floor)];
  return { prediction: { value, interval, lawId: 'multipower' }, provenance: 'from siblings', siblings: response.runIds, fitParams: fit.params };
}
