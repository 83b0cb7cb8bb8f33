// Each run's curve fit (fit/curve.ts through the fitter), kept per run by a key of its inputs, with
// the live refit policy (a live run keeps a recent fit while it merely grows, `liveRefitIntervalMs`)
// and the forecast of a live run from its family's finished siblings (fit/siblingForecast.ts).
import type { Run, RunStatus, Series } from '../runs/types';
import type { CurveFit } from '../fit/curve';
import { chooseCurveLaw } from '../fit/curveChoice';
import { assumedScheduleInterval, decayedFinal, lrHeldFrom, plannedSchedule } from '../fit/plannedSchedule';
import { AHEAD_OF_EVERY_KIND, fitTimedOut } from '../fitJobs';
import {
  combineSizeResponses,
  sharesPeakLr,
  siblingSize,
  sizeGroups,
  type ScheduleResponse,
  type SiblingCurve,
  type SiblingForecast,
  type SizeResponse,
} from '../fit/siblingForecast';
import type { CurvePrediction } from '../snapshot';
import type { FitScheduler } from './fitScheduler';
import type { RunCatalog } from './runCatalog';
import { SiblingCurves, type FamilySibling } from './siblingCurves';
import type { FittedCurve, RunViews } from './runViews';
import type { SeriesHashes } from './seriesHashes';
import type { WorkspaceOptions } from './options';

interface Cached<T> {
  key: string;
  value: T;
}

/**
 * A live run's fit is redone before its interval is over once its loss series grew by more than this
 * fraction of the points that fit saw: early in a run the prediction moves most, and a log read in
 * large chunks (a slow file system, a trainer flushing rarely) is not left on a fit of half of it.
 */
export const LIVE_REFIT_GROWTH = 0.1;

/**
 * Queue priority (FitControl.priority, lower first) of the point forecasts of the runs the user sees
 * and of their forecasts from siblings, plus the run's `seenRank`: ahead of every fit with resamples.
 * A run looked at (rank 0) goes ahead of every kind of fit (a family law asked in the same round).
 */
const POINT_FIRST_PRIORITY = AHEAD_OF_EVERY_KIND;
/**
 * Queue priority of a looked-at run's fit with resamples (its interval): after its point forecast,
 * ahead of the other shown runs' point forecasts (ranks 1 and 2). Behind them it waited for those of
 * every live run read so far while a rescan read (1,000 runs: 1.8-32 s, stop 30's note).
 */
const LOOKED_AT_INTERVAL_PRIORITY = POINT_FIRST_PRIORITY + 0.5;

/** Times a point forecast cut short by its time budget is asked for again before the run waits for its full fit. */
const MAX_POINT_RETRIES = 2;
/** Times one size's fit of a schedule response cut short by its time budget is asked for again before the size is left out. */
const MAX_SIZE_RETRIES = 2;

/** A run's curve fit with what it was made from, for the live refit policy (see `liveRefitIntervalMs`). */
interface CachedCurve extends Cached<CurveFit | { error: string }> {
  lr?: Float64Array;
  /** A live run's LR held past this logged step (no schedule known): the forecast's schedule is assumed. */
  heldFrom?: number;
  /** Wall clock (options.now, ms) of the snapshot that made the fit. */
  fittedAtMs: number;
  /** The run as the fit saw it: status, loss points, first and last loss step, and law inputs besides the points. */
  seen: { status: RunStatus; points: number; firstStep: number; lastStep: number; shape: string };
}

export class CurveFits {
  private readonly curveCache = new Map<string, CachedCurve>();
  /** Earliest wall-clock time (ms) a live fit kept by the refit policy falls due, as of the last snapshot. */
  private refitDueMs: number | undefined;
  /** Wall clock (ms) of the snapshot in progress: one reading for every fit of the round. */
  private roundNowMs = 0;
  /** The finished runs of each family this round (a live run's siblings). */
  private readonly siblings: SiblingCurves;
  /** Each live run's forecast from siblings, and each family's schedule response, with the key of their inputs. */
  private readonly siblingCache = new Map<string, Cached<SiblingForecast | { error: string }>>();
  private readonly responseCache = new Map<string, Cached<ScheduleResponse | { error: string }>>();
  /** Size fits of a schedule response asked again after being cut short by their budget, per slot: for which key, how many times. */
  private readonly sizeRetries = new Map<string, { key: string; tries: number }>();
  /** Per family, its siblings' sizes (`sizeGroups`) for the sibling set of `key`, each with its fitter slot and key. */
  private readonly responsePlans = new Map<string, { key: string; sizes: { slot: string; key: string; group: SiblingCurve[] }[] }>();
  /** Per family, how many size slots (`schedule:<family>#<i>`) its schedule response has asked of the fitter. */
  private readonly sizeSlotCounts = new Map<string, number>();
  private lookedAt = new Set<string>();
  /** Point fits asked again after being cut short by their budget, per run: for which curve key, how many times. */
  private readonly pointRetries = new Map<string, { key: string; tries: number }>();
  /** The family of the config the user has open (its estimate was asked for last): its live runs go before other families'. */
  private focusedFamily: string | undefined;
  /** The run list the caches were last pruned to (`useRuns` is called several times a round with the same list). */
  private prunedFor: readonly Run[] | undefined;
  /** The ids of that list: a run missing from the next one is gone (its fitter slots are forgotten). */
  private listedIds = new Set<string>();
  /** The runs listed before the last `clear` (a rescan) and not listed since: forgotten by `rescanRead` unless read again. */
  private readonly unlistedSinceClear = new Set<string>();

  constructor(
    private readonly options: () => WorkspaceOptions,
    private readonly catalog: RunCatalog,
    private readonly fits: FitScheduler,
    views: RunViews,
    private readonly hashes: SeriesHashes,
  ) {
    this.siblings = new SiblingCurves(catalog, views, hashes);
  }

  /** A snapshot round begins at `nowMs` (options.now): no kept fit is due yet. */
  beginRound(nowMs: number): void {
    this.roundNowMs = nowMs;
    this.refitDueMs = undefined;
  }

  /** The runs of the round in progress (a live run's siblings are looked up among them). */
  useRuns(runs: Run[]): void {
    this.siblings.useRuns(runs);
    if (runs === this.prunedFor) return;
    this.prunedFor = runs;
    // A removed or renamed run's entries go with it (as RunViews.observe's caches), and a family no
    // run names any more its schedule response: a long session on a workspace whose runs come and go
    // kept every one it ever saw. Read again, a run's point fit gets its retries anew.
    const present = new Set(runs.map((r) => r.id));
    for (const cache of [this.curveCache, this.siblingCache, this.pointRetries]) {
      for (const id of cache.keys()) if (!present.has(id)) cache.delete(id);
    }
    // Plans too: a family gone while its sizes were still fitting has a plan (copies of its siblings) but no response.
    if (this.responseCache.size > 0 || this.responsePlans.size > 0) {
      const families = new Set(runs.map((r) => this.catalog.familyName(r)));
      for (const family of this.responseCache.keys()) if (!families.has(family)) this.responseCache.delete(family);
      for (const family of this.responsePlans.keys()) if (!families.has(family)) this.responsePlans.delete(family);
    }
    // The fitter's answers and waiting fits of the runs gone since the last list (its own slots, see curveOf and familyFits' points).
    const gone = [...this.listedIds].filter((id) => !present.has(id));
    this.listedIds = present;
    for (const id of present) this.unlistedSinceClear.delete(id);
    this.fits.forget(gone.flatMap(runSlots));
  }

  /**
   * The runs the user looks at (the dashboard's focus, the status bar's run): their curve fits are
   * asked for first, ahead of the other runs' (fits are queued, `FitControl.priority`). True when changed.
   */
  lookAt(runIds: readonly string[]): boolean {
    const next = new Set(runIds);
    if (next.size === this.lookedAt.size && [...next].every((id) => this.lookedAt.has(id))) return false;
    this.lookedAt = next;
    return true;
  }

  /** The family of the config the user has open: its live runs' fits go ahead of other families'. */
  focusFamily(family: string | undefined): void {
    this.focusedFamily = family;
  }

  /**
   * How soon the user sees `run`'s answer, for the order of its fits: 0 looked at, 1 live in the
   * open config's family, 2 live elsewhere (the status bar shows a live run); undefined otherwise.
   */
  seenRank(run: Run): number | undefined {
    if (this.lookedAt.has(run.id)) return 0;
    if (run.status !== 'live') return undefined;
    return this.focusedFamily !== undefined && this.catalog.familyName(run) === this.focusedFamily ? 1 : 2;
  }

  /** Curve fits are redone lazily (their options changed). */
  clearCurves(): void {
    this.curveCache.clear();
  }

  clear(): void {
    this.curveCache.clear();
    this.pointRetries.clear();
    this.siblingCache.clear();
    this.responseCache.clear();
    this.responsePlans.clear();
    this.sizeRetries.clear();
    // A rescan lists the runs again as they are read: none is gone meanwhile, and the fitter's answers
    // serve them. The runs listed before stay candidates: those not read again are forgotten once the
    // rescan's reading is done (`rescanRead`), else a run deleted before a rescan kept its slots.
    for (const id of this.listedIds) this.unlistedSinceClear.add(id);
    this.listedIds = new Set();
    this.prunedFor = undefined;
  }

  /** The rescan's files are all read: a run listed before it and not since is gone (its fitter slots are forgotten). */
  rescanRead(runs: readonly Run[]): void {
    const present = new Set(runs.map((r) => r.id));
    const gone = [...this.unlistedSinceClear].filter((id) => !present.has(id));
    this.unlistedSinceClear.clear();
    this.fits.forget(gone.flatMap(runSlots));
  }

  /**
   * Wall-clock time (options.now, ms) when a live run's fit that the last snapshot kept (see
   * `liveRefitIntervalMs`) falls due; undefined when none was kept. A caller that only recomputes on
   * file changes schedules one more snapshot for then, so a kept prediction is not left stale.
   */
  refitDueAt(): number | undefined {
    return this.refitDueMs;
  }

  /** A run's curve fit and its prediction (from this run alone, or from its siblings while live); undefined while fitted elsewhere. */
  curveOf(run: Run, loss: Series, deadline: number): FittedCurve | undefined {
    if (loss.steps.length < this.options().minPointsForCurve) return undefined;
    const lastStep = loss.steps[loss.steps.length - 1];
    const lrSeries = run.series.find((s) => s.role === 'lr' && s.steps.length >= 2);
    // A live run's steps to come follow its config's schedule, when that matches its logged LR
    // (fit/plannedSchedule.ts). Built only when a fit is made: it is one value per step.
    const scheduleKey = run.status === 'live' && run.hyper.schedule ? JSON.stringify(run.hyper.schedule) : '-';
    const key = `${this.hashes.of(loss)}|${lrSeries ? this.hashes.of(lrSeries) : '-'}|${run.hyper.maxSteps ?? '-'}|${scheduleKey}|${this.options().curveResamples ?? 40}|${this.options().seed ?? 1}`;
    const shape = `${lrSeries ? 'lr' : '-'}|${run.hyper.maxSteps ?? '-'}`;
    let cached = this.curveCache.get(run.id);
    const rank = this.seenRank(run);
    /** The point forecast shown while the fit with its interval runs (see `pointForecastsFirst`). */
    let pointOnly: CachedCurve | undefined;
    /** A live run kept on its last fit while its log merely grows (see `liveRefitIntervalMs`): its forecast from siblings is kept too. */
    let keptLive = false;
    if (cached && cached.key !== key && (keptLive = this.keepLiveFit(cached, run, loss, shape))) {
      const due = cached.fittedAtMs + (this.options().liveRefitIntervalMs ?? 0);
      this.refitDueMs = this.refitDueMs === undefined ? due : Math.min(this.refitDueMs, due);
    } else if (!cached || cached.key !== key) {
      // The law and target as the `curve` CLI command chooses them: schedule-aware when the LR is logged.
      let choice: ReturnType<typeof chooseCurveLaw> | undefined;
      let planned: ReturnType<typeof plannedSchedule>;
      const chosen = () =>
        (choice ??= chooseCurveLaw({
          lastStep,
          maxSteps: run.hyper.maxSteps,
          loggedLr: lrSeries,
          givenSchedule: (planned = scheduleKey === '-' ? undefined : plannedSchedule(run.hyper, lrSeries)),
        }));
      /** The LR the fit used and, with no config naming the schedule, the step it is held from (a schedule assumed). */
      const lrOf = (c: ReturnType<typeof chosen> | undefined): Pick<CachedCurve, 'lr' | 'heldFrom'> =>
        c && !('error' in c)
          ? { lr: c.lr, heldFrom: c.lr && !planned && run.status === 'live' ? lrHeldFrom(lrSeries, c.targetStep) : undefined }
          : { lr: undefined, heldFrom: undefined };
      const plannedEnd = Math.max(run.hyper.maxSteps ?? lastStep, lastStep);
      const seen: CachedCurve['seen'] = { status: run.status, points: loss.steps.length, firstStep: loss.steps[0], lastStep, shape };
      const makeJob = () => {
        const c = chosen();
        const schedule = 'error' in c ? { targetStep: plannedEnd } : { targetStep: c.targetStep, law: c.lawId, lr: c.lr };
        // Copies: the index's arrays are views into larger buffers, which a message would copy whole.
        return {
          kind: 'curve' as const,
          steps: loss.steps.slice(),
          losses: loss.values.slice(),
          plannedEndStep: plannedEnd,
          ...schedule,
          seed: this.options().seed ?? 1,
          resamples: this.options().curveResamples ?? 40,
        };
      };
      // A queued fitter runs first the curves that show nothing yet, live runs before finished ones
      // (the open config's family's before other families'). What the user looks at goes before all of them.
      const priority = rank === 0 ? LOOKED_AT_INTERVAL_PRIORITY : (cached ? 2 : 0) + (run.status === 'live' ? 0 : 1) - (rank === 1 ? 0.5 : 0);
      // What the user sees and nothing shows yet: a point forecast first, ahead of every fit with
      // resamples (asked before it, so an idle fitting thread starts on it), its interval following.
      const resamples = this.options().curveResamples ?? 40;
      if (!cached && rank !== undefined && resamples > 0 && this.options().pointForecastsFirst) {
        // A retry is another key: the fitter answers a key it has fitted with that fit.
        const pointKey = (tries: number) => (tries > 0 ? `${key}|point|retry ${tries}` : `${key}|point`);
        const askPoint = (tries: number) =>
          this.fits.latestFit(
            `curvePoint:${run.id}`,
            pointKey(tries),
            'curve',
            () => ({ ...makeJob(), resamples: 0 }),
            deadline,
            undefined,
            POINT_FIRST_PRIORITY + rank,
          );
        const retried = this.pointRetries.get(run.id);
        let tries = retried?.key === key ? retried.tries : 0;
        let point = askPoint(tries);
        // A point fit cut short by its budget (a cold thread on a loaded machine) is not shown, and asked
        // again (a warm thread takes 0.1–0.5 s): else the run waited for its full fit with resamples.
        if (point && point.key === pointKey(tries) && fitTimedOut(point.result) && tries < MAX_POINT_RETRIES) {
          this.pointRetries.set(run.id, { key, tries: ++tries });
          point = askPoint(tries);
        }
        if (point && !fitTimedOut(point.result)) {
          const c = point.result.lrUsed ? chosen() : undefined;
          pointOnly = {
            key: point.key,
            value: point.result.fit,
            ...lrOf(c),
            fittedAtMs: this.roundNowMs,
            seen,
          };
        }
      }
      const answer = this.fits.latestFit(`curve:${run.id}`, key, 'curve', makeJob, deadline, JSON.stringify(seen), priority);
      if (answer && answer.key !== cached?.key) {
        // A fit of the run as it was a moment ago (while the newest one runs) is drawn with the LR as logged now.
        const c = answer.result.lrUsed ? chosen() : undefined;
        const next: CachedCurve = {
          key: answer.key,
          value: answer.result.fit,
          ...lrOf(c),
          fittedAtMs: this.roundNowMs,
          seen: answer.tag ? (JSON.parse(answer.tag) as CachedCurve['seen']) : seen,
        };
        // Not kept when cut short by its deadline (see the family law above).
        if (!fitTimedOut(answer.result)) this.curveCache.set(run.id, next);
        cached = next;
      }
    }
    const shown = cached ?? pointOnly;
    if (!shown) {
      this.askScheduleResponseEarly(run, lrSeries !== undefined, deadline);
      return undefined;
    }
    const fit = shown.value;
    if ('error' in fit) return undefined;
    const prediction: CurvePrediction = {
      lawId: fit.lawId,
      targetStep: fit.targetStep,
      predictedFinal: fit.predictedFinal,
      parameters: fit.parameters,
      validation: fit.validation,
      pointsUsed: fit.pointsUsed,
      firstStep: fit.firstStep,
      fittedAtStep: fit.lastFittedStep,
      timedOut: fit.timedOut,
      ...(shown === pointOnly ? { intervalPending: true as const } : {}),
    };
    // A schedule assumed (LR held past its log): the interval reaches down to the LR falling to 0.
    const heldFrom = run.status === 'live' ? shown.heldFrom : undefined;
    const alone = heldFrom === undefined ? fit.predictedFinal : assumed(fit.predictedFinal, undefined);
    const assumedFrom = heldFrom === undefined ? {} : { scheduleAssumedFrom: heldFrom };
    // A live run whose family has finished runs with a logged LR is forecast from them too.
    if (run.status === 'live' && shown.lr && shown.lr.length - 1 >= fit.targetStep) {
      const sib = this.siblingForecastOf(run, loss, shown.lr, fit.targetStep, deadline, rank === undefined ? undefined : POINT_FIRST_PRIORITY + rank, keptLive);
      if (sib && !('error' in sib)) {
        const lr = shown.lr;
        const predictedFinal =
          heldFrom === undefined
            ? sib.prediction
            : assumed(
                sib.prediction,
                decayedOnce(sib, () => decayedFinal(lr, heldFrom, fit.targetStep, sib.fitParams)),
              );
        return {
          prediction: { ...prediction, predictedFinal, provenance: 'from siblings', siblings: sib.siblings, alone, ...assumedFrom },
          fit,
          lr: shown.lr,
        };
      }
    }
    return { prediction: { ...prediction, predictedFinal: alone, provenance: 'from this run alone', ...assumedFrom }, fit, lr: shown.lr };
  }

  /**
   * The live run's final loss from its prefix and its family's finished runs (fit/siblingForecast.ts):
   * jointly with the siblings of its own size (same N within 1%, same peak LR) when there are any, else with the
   * schedule response pooled from all of them. Undefined while being fitted or without siblings.
   */
  private siblingForecastOf(
    run: Run,
    loss: Series,
    lr: Float64Array,
    targetStep: number,
    deadline: number,
    priority: number | undefined,
    keptLive = false,
  ): SiblingForecast | { error: string } | undefined {
    const family = this.catalog.familyName(run);
    const { siblings: all, key: siblingsKey, nonEmbedding } = this.siblings.of(family);
    // The family's finished runs (a live run is never one of them).
    const siblings = all.some((s) => s.curve.runId === run.id) ? all.filter((s) => s.curve.runId !== run.id) : all;
    if (siblings.length === 0) return undefined;
    const n = siblingSize(run.hyper, nonEmbedding);
    // Same size and same peak LR: siblings of an LR sweep at other peaks cannot be pooled with the
    // run (fit/siblingForecast.ts), so without any the run is forecast from the other sizes.
    const sameSize = n !== undefined ? siblings.filter((s) => s.params !== undefined && Math.abs(s.params / n - 1) < 0.01 && sharesPeakLr(s.curve, lr)) : [];
    let response: ScheduleResponse | undefined;
    if (sameSize.length === 0) {
      if (siblings.length < 2) return undefined;
      const value = this.scheduleResponse(family, siblings, siblings === all ? siblingsKey : undefined, deadline, priority);
      if (value === undefined || 'error' in value) return value;
      response = value;
    }
    const key = `${this.hashes.of(loss)}|${targetStep}|${n ?? '-'}|${sameSize.length ? sameSize.map((s) => s.hash).join('|') : responseJson(response!)}`;
    const cached = this.siblingCache.get(run.id);
    // Refitted on the curve's own live refit policy, not on every appended line: a run logging faster
    // than its forecast is fitted kept the fitting thread on it, and other runs' first fits waited.
    if (cached && (cached.key === key || (keptLive && sameButLoss(cached.key, key)))) return cached.value;
    // The answer last landed stands while a newer one is fitted: a live run logs points faster than
    // its forecast is fitted, so an exact-key answer would be thrown away every round (and the family
    // law, waiting for it, pending for good).
    const answer = this.fits.latestFit(
      `siblings:${run.id}`,
      key,
      'siblingForecast',
      () => ({
        kind: 'siblingForecast',
        steps: loss.steps.slice(),
        losses: loss.values.slice(),
        lr,
        targetStep,
        sameSize: sameSize.map((s) => copyCurve(s.curve)),
        response,
        params: n,
      }),
      deadline,
      undefined,
      priority,
    );
    if (answer === undefined) return cached?.value;
    this.siblingCache.set(run.id, { key: answer.key, value: answer.result });
    return answer.result;
  }

  /**
   * The family's schedule response pooled from `siblings` (fit/siblingForecast.ts), cached by their
   * hashes; undefined while fitted elsewhere. One fit per size (`fitSizeResponse`), each with the
   * whole time budget and cached by its own siblings' hashes, combined once every size has landed: fitted
   * as one job, the sizes after the budget ran out were left out and the rest kept as the final
   * response (1,000 runs: 24 to 60 of 60 siblings, by the machine's load). A size cut short by the
   * budget is asked again (MAX_SIZE_RETRIES), as a point forecast is.
   */
  private scheduleResponse(
    family: string,
    siblings: readonly FamilySibling[],
    key: string | undefined,
    deadline: number,
    priority: number | undefined,
  ): ScheduleResponse | { error: string } | undefined {
    key ??= siblings.map((s) => s.hash).join('|');
    const cached = this.responseCache.get(family);
    if (cached && cached.key === key) return cached.value;
    // The sizes are found once per sibling set, not per live run and round (each comparison of peak LRs walks two schedules).
    let plan = this.responsePlans.get(family);
    if (!plan || plan.key !== key) {
      const hashOf = new Map(siblings.map((s) => [s.curve, s.hash]));
      const groups = sizeGroups(siblings.map((s) => s.curve));
      this.sizeSlotCounts.set(family, Math.max(this.sizeSlotCounts.get(family) ?? 0, groups.length));
      // A slot per size (by its place among the family's sizes): a size whose siblings are unchanged keeps its fit.
      plan = { key, sizes: groups.map((group, i) => ({ slot: `schedule:${family}#${i}`, key: group.map((c) => hashOf.get(c)).join('|'), group })) };
      this.responsePlans.set(family, plan);
    }
    const parts: SizeResponse[] = [];
    let landed = true;
    for (const { slot, key: groupKey, group } of plan.sizes) {
      const sizeKey = (tries: number) => (tries > 0 ? `${groupKey}|retry ${tries}` : groupKey);
      const ask = (tries: number) =>
        this.fits.fit(slot, sizeKey(tries), 'scheduleSize', () => ({ kind: 'scheduleSize', siblings: group.map(copyCurve) }), deadline, priority);
      const retried = this.sizeRetries.get(slot);
      let tries = retried?.key === groupKey ? retried.tries : 0;
      let part = ask(tries);
      while (part && fitTimedOut(part) && tries < MAX_SIZE_RETRIES) {
        this.sizeRetries.set(slot, { key: groupKey, tries: ++tries });
        part = ask(tries);
      }
      if (part === undefined) landed = false;
      else if (!('error' in part)) parts.push(part);
    }
    if (!landed) return undefined;
    const value = combineSizeResponses(parts);
    this.responseCache.set(family, { key, value });
    return value;
  }

  /**
   * A live run with a logged LR whose family has no finished sibling of its size will be forecast
   * from the family's pooled schedule response once its own curve lands: that response is asked for
   * now, alongside the curves, so it is fitted beside them rather than alone after them (one fit
   * over every finished sibling: at 300 runs a third of a scan's wall time, with the other fitting
   * threads idle). The same fit, key and inputs as `siblingForecastOf` asks for, so nothing shown changes.
   */
  private askScheduleResponseEarly(run: Run, hasLr: boolean, deadline: number): void {
    if (run.status !== 'live' || !hasLr) return;
    const family = this.catalog.familyName(run);
    const { siblings: all, key: allKey, nonEmbedding } = this.siblings.of(family);
    // Without the run itself, as `siblingForecastOf` takes them (else this key would differ from its and the fit be wasted).
    const siblings = all.some((s) => s.curve.runId === run.id) ? all.filter((s) => s.curve.runId !== run.id) : all;
    const key = siblings === all ? allKey : siblings.map((s) => s.hash).join('|');
    if (siblings.length < 2 || this.responseCache.get(family)?.key === key) return;
    const n = siblingSize(run.hyper, nonEmbedding);
    // A sibling of its size (its peak LR not yet known here) may make the response unneeded: not asked.
    if (n !== undefined && siblings.some((s) => s.params !== undefined && Math.abs(s.params / n - 1) < 0.01)) return;
    this.scheduleResponse(family, siblings, key, deadline, 0);
  }

  /** The fitter slots of a gone family's schedule response (one per size), forgotten here with their retries. */
  forgetScheduleSlots(family: string): string[] {
    const slots = Array.from({ length: this.sizeSlotCounts.get(family) ?? 0 }, (_, i) => `schedule:${family}#${i}`);
    this.sizeSlotCounts.delete(family);
    for (const slot of slots) this.sizeRetries.delete(slot);
    return slots;
  }

  /** Whether a sibling forecast of `runId` (or its error) has landed at least once. */
  private siblingForecastLanded(runId: string): boolean {
    return this.siblingCache.has(runId);
  }

  /**
   * Whether the live run's first sibling forecast is on its way this round: being fitted, or waiting
   * for its family's schedule response (fitted first, once for all the family's live runs).
   */
  firstSiblingForecastPending(run: Run): boolean {
    if (this.siblingForecastLanded(run.id)) return false;
    return this.fits.isPending(`siblings:${run.id}`) || this.fits.isPendingUnder(`schedule:${this.catalog.familyName(run)}#`);
  }

  /**
   * Whether a live run whose loss or LR changed keeps its last fit for now (see `liveRefitIntervalMs`):
   * only while the run is still live and merely grew, by little, within the interval. A run that
   * ended, restarted or rewound (fewer points, another first step, or the fit's last point gone)
   * or whose law inputs changed (maxSteps, LR logged or not) is refitted at once.
   */
  private keepLiveFit(cached: CachedCurve, run: Run, loss: Series, shape: string): boolean {
    const intervalMs = this.options().liveRefitIntervalMs ?? 0;
    if (!(intervalMs > 0) || 'error' in cached.value) return false;
    const seen = cached.seen;
    if (run.status !== 'live' || seen.status !== 'live' || seen.shape !== shape) return false;
    const points = loss.steps.length;
    if (points < seen.points || loss.steps[0] !== seen.firstStep || loss.steps[seen.points - 1] !== seen.lastStep) return false;
    if (points - seen.points > LIVE_REFIT_GROWTH * seen.points) return false;
    return this.roundNowMs - cached.fittedAtMs < intervalMs;
  }
}

/** Whether two sibling-forecast keys differ at most in the run's loss (its hash leads the key). */
function sameButLoss(a: string, b: string): boolean {
  return a.slice(a.indexOf('|')) === b.slice(b.indexOf('|'));
}

/** A prediction whose schedule is assumed, with its interval widened (fit/plannedSchedule.ts). */
function assumed(p: CurvePrediction['predictedFinal'], decayed: number | undefined): CurvePrediction['predictedFinal'] {
  return { ...p, interval: assumedScheduleInterval(p.interval, p.value, decayed) };
}

/** `decayedFinal` of a sibling forecast, once per forecast (it rebuilds the schedule per step). */
const decayedMemo = new WeakMap<SiblingForecast, number>();
function decayedOnce(sib: SiblingForecast, make: () => number): number {
  let v = decayedMemo.get(sib);
  if (v === undefined) decayedMemo.set(sib, (v = make()));
  return v;
}

/** JSON of a schedule response (part of each live run's forecast key), made once per response: it lists every sibling's fit. */
const responseJsonMemo = new WeakMap<ScheduleResponse, string>();
function responseJson(response: ScheduleResponse): string {
  let json = responseJsonMemo.get(response);
  if (json === undefined) responseJsonMemo.set(response, (json = JSON.stringify(response)));
  return json;
}

/** A sibling curve with its own arrays (the index's are views into larger buffers, which a message would copy whole). */
function copyCurve(c: SiblingCurve): SiblingCurve {
  return { runId: c.runId, steps: Float64Array.from(c.steps), losses: Float64Array.from(c.losses), lr: c.lr, params: c.params };
}

/** A run's slots in the fitter (see curveOf and familyFits' points). */
function runSlots(id: string): string[] {
  return [`curve:${id}`, `curvePoint:${id}`, `siblings:${id}`, `point:${id}`];
}
