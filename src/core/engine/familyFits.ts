// Each family's cross-run law (the family law of laws/familyLaws.ts, Chinchilla by default, or the
// one `.scalinglens.yaml` pins) fitted to one point per run (fit/runPoint.ts), a live run anchored by
// its own curve forecast; and the family's over-training law, which a Chinchilla law blends with.
import type { Run, Series } from '../runs/types';
import { runPoint, stableCheckpoints, type RunPointInput, type RunPointMode } from '../fit/runPoint';
import { scheduleFromLog } from '../laws/schedule';
import { familyLawWithoutResamples, type CrossRunFit, type CrossRunPoint } from '../fit/crossRun';
import type { LawCrossRunFit } from '../fit/crossRunLaw';
import { fitTimedOut, type FitJobOf } from '../fitJobs';
import { DEFAULT_FAMILY_LAW, familyLaw } from '../laws/familyLaws';
import type { FamilyLaw } from '../snapshot';
import type { FamilySource } from '../runs/workspaceFile';
import type { FitScheduler } from './fitScheduler';
import { familyOf, trainLoss, type RunCatalog } from './runCatalog';
import type { RunViews } from './runViews';
import type { SeriesHashes } from './seriesHashes';
import type { CurveFits } from './curveFits';
import type { WorkspaceOptions } from './options';

interface Cached<T> {
  key: string;
  value: T;
}

/**
 * A law fitted without resamples that may stand in for the family's law: its points, the law and
 * priors it was fitted with (`spec`), and what it is the law of, said with it wherever it is shown:
 * `same runs`, every point the family had then (standing in for a full law cut short by its budget);
 * `finished runs`, without the live runs whose forecasts were still coming (a first answer).
 */
interface StandIn extends Cached<CrossRunFit | { error: string }> {
  points: CrossRunPoint[];
  spec: string;
  lawOf: 'same runs' | 'finished runs';
}

/** The live runs anchored by their forecasts now (FamilyLaw.anchoredRunIds and the rest say which a law shown includes). */
interface LiveAnchors {
  anchored: string[];
  /** Of `anchored`, those forecast from siblings. */
  fromSiblings: string[];
  /** Of `anchored`, those whose forecast assumes the schedule (CurvePrediction.scheduleAssumedFrom). */
  scheduleAssumed: string[];
}

export class FamilyFits {
  /** Each finished run's point (measuredPoint), by its loss series. */
  private readonly pointMemo = new WeakMap<
    Float64Array,
    { steps: Float64Array; tokensPerStep: number | undefined; modeKey: string; point: ReturnType<typeof runPoint> }
  >();
  /** Each family's law with the points it was fitted to. */
  private readonly familyCache = new Map<string, Cached<CrossRunFit | { error: string }> & { points: CrossRunPoint[] }>();
  /** The families of the last `fitFamilies`: one missing from the next is gone (its fitter slots are forgotten). */
  private listedFamilies = new Set<string>();
  /** The families listed before the last `clear` (a rescan) and not listed since: forgotten by `rescanRead` unless listed again. */
  private readonly unlistedSinceClear = new Set<string>();
  /**
   * Each family's law fitted without resamples (`FitFamiliesOptions.provisional`): without the live runs
   * whose forecasts are still coming, or standing in for a full law cut short by its budget.
   */
  private readonly provisionalCache = new Map<string, StandIn>();
  /** Each family's law last shown mid-read (`midReadLaw`), with its points. */
  private readonly midReadShown = new Map<string, { points: CrossRunPoint[]; value: CrossRunFit }>();
  /**
   * Each family's provisional law last shown by a snapshot's round (FitFamiliesOptions.firstLaws), until
   * its full law is shown: while the next one (or the full law) is fitted, the family shows it, pending,
   * rather than no law (heldFirstLaw).
   */
  private readonly firstLawShown = new Map<string, FamilyLaw>();

  constructor(
    private readonly options: () => WorkspaceOptions,
    private readonly catalog: RunCatalog,
    private readonly fits: FitScheduler,
    private readonly views: RunViews,
    private readonly curves: CurveFits,
    private readonly hashes: SeriesHashes,
  ) {}

  clear(): void {
    this.familyCache.clear();
    // A rescan lists the families again as their runs are read (see CurveFits.clear); those listed
    // before and not again by the end of its reading are forgotten then (`rescanRead`).
    for (const family of this.listedFamilies) this.unlistedSinceClear.add(family);
    this.listedFamilies = new Set();
    this.provisionalCache.clear();
    this.midReadShown.clear();
    this.firstLawShown.clear();
  }

  /** The rescan's files are all read: a family listed before it and not since is gone (its fitter slots are forgotten). */
  rescanRead(runs: readonly Run[]): void {
    const named = new Set(runs.map((r) => this.catalog.familyName(r)));
    const gone = [...this.unlistedSinceClear].filter((family) => !named.has(family) && !this.listedFamilies.has(family));
    this.unlistedSinceClear.clear();
    this.fits.forget(gone.flatMap((family) => [...familySlots(family), ...this.curves.forgetScheduleSlots(family)]));
    // Every file read: a law of the runs read so far is never shown again (the next rescan fits its own).
    this.midReadShown.clear();
  }

  /**
   * A run's smoothed final (or minimum) loss, remembered per loss series (the index hands out a new
   * array when a series changes): every round asked it of every finished run again.
   */
  private measuredPoint(loss: Series, input: RunPointInput, mode: RunPointMode): ReturnType<typeof runPoint> {
    const modeKey = JSON.stringify(mode);
    const memo = this.pointMemo.get(loss.values);
    if (memo && memo.steps === loss.steps && memo.tokensPerStep === input.tokensPerStep && memo.modeKey === modeKey) return memo.point;
    const point = runPoint(input, mode);
    this.pointMemo.set(loss.values, { steps: loss.steps, tokensPerStep: input.tokensPerStep, modeKey, point });
    return point;
  }

  /** The over-training law of a family, fitted once per Chinchilla fit (its key is the family fit's). */
  overtrainFit(family: string, chinchilla: CrossRunFit, points: CrossRunPoint[], deadline: number): LawCrossRunFit | { error: string } | undefined {
    // Only a Chinchilla family law blends with the over-training law (its priors come from α, β, A, B).
    if (!familyLaw(chinchilla.lawId).blendsWithOvertrain) return undefined;
    const familyKey = this.familyCache.get(family)?.key ?? JSON.stringify(points);
    const job = () => ({ kind: 'overtrain' as const, chinchilla, points, seed: this.options().seed ?? 1 });
    return this.fits.fit(`overtrain:${family}`, `overtrain|${familyKey}`, 'overtrain', job, deadline) ?? { error: 'still being fitted' };
  }

  /**
   * Every family's law over `runs` (each run's point, then the law through the fitter, cached by its
   * points and priors). With `provisional`, a family that has no law yet and waits for live runs'
   * forecasts gets a provisional one (FamilyLaw.provisional) fitted to the points it has now.
   */
  fitFamilies(runs: Run[], deadline: number, opts: FitFamiliesOptions = {}): FamilyLaw[] {
    this.curves.useRuns(runs);
    const byFamily = new Map<
      string,
      {
        guessed: boolean;
        points: CrossRunPoint[];
        runIds: string[];
        source: FamilySource;
        excluded: string[];
        pointsPending: number;
        anchored: string[];
        /** Of `anchored`, those forecast from siblings. */
        fromSiblings: string[];
        /** Of `anchored`, those whose forecast assumes the schedule (CurvePrediction.scheduleAssumedFrom). */
        scheduleAssumed: string[];
        leftOut: { runId: string; reason: string }[];
        /** Live runs whose forecast (the anchor) is still being fitted: counted in `pointsPending`. */
        anchorsPending: string[];
      }
    >();
    for (const run of runs) {
      const { guessed } = familyOf(run);
      const name = this.catalog.familyName(run);
      const group = this.catalog.group(run.id);
      const entry = byFamily.get(name) ?? {
        guessed,
        points: [],
        runIds: [],
        source: group?.source ?? (guessed ? 'guessed' : 'run-config'),
        excluded: [],
        pointsPending: 0,
        anchored: [],
        fromSiblings: [],
        scheduleAssumed: [],
        leftOut: [],
        anchorsPending: [],
      };
      byFamily.set(name, entry);
      // A family named by the workspace file anywhere is named, even if some of its runs only guessed it.
      if (group?.source === 'workspace-file') entry.source = 'workspace-file';
      const pin = this.catalog.familySpec(name).pin;
      const where = this.catalog.locate(run.id);
      if (group?.excluded !== undefined || (pin && where && pin.match(where.rel))) {
        entry.excluded.push(run.id);
        continue;
      }
      const mode = this.options().crossRunPoint ?? { kind: 'final' };
      const loss = trainLoss(run);
      const { params } = run.hyper;
      // A law on non-embedding N (Kaplan et al.) is given each run's own, when its config gives one.
      const ne =
        familyLaw(pin?.law).parameterCount === 'nonEmbedding' && run.hyper.nonEmbeddingParams !== undefined
          ? { nonEmbeddingParams: run.hyper.nonEmbeddingParams }
          : {};
      // A run that went wrong is left out of the family's fits, and the family says so.
      const health = this.views.health(run, loss);
      if (health.excludeFromFits) {
        entry.leftOut.push({ runId: run.id, reason: health.reason ?? 'diverged' });
        continue;
      }
      // A live run's end is anchored to the family law at its planned N and D: its curve forecast
      // (the one the product shows) joins the fit as one run, so the law, the configs' lenses and
      // the planner agree with what the run is said to reach (no planned larger config predicted
      // worse than the live run).
      if (run.status === 'live' && mode.kind === 'final' && loss && params !== undefined && run.hyper.tokens !== undefined) {
        // From siblings when it has them: that forecast borrows their curves' shape (schedule
        // response, α, A, B), not the final losses the law sees, and its level is the run's own
        // prefix; on the example it is 0.1% off the truth where the run alone is 2.5% off.
        const forecast = this.curves.curveOf(run, loss, deadline)?.prediction;
        // While the run's first curve fit (or its first forecast from siblings, or the family's schedule
        // response that forecast needs) runs elsewhere, the family waits for it rather than being fitted
        // twice (without the anchor, then with it). Only the first: later ones lag a growing log, and a
        // sibling forecast may fail every time.
        const firstSiblingPending = this.curves.firstSiblingForecastPending(run);
        // A point forecast from the run alone (its interval, the anchor's weight, still coming) is waited past too.
        const ownPending = !forecast || (forecast.intervalPending === true && forecast.provenance !== 'from siblings');
        if ((ownPending && this.fits.isPending(`curve:${run.id}`)) || (forecast?.provenance !== 'from siblings' && firstSiblingPending)) {
          entry.pointsPending++;
          entry.anchorsPending.push(run.id);
          continue;
        }
        const own = forecast?.predictedFinal;
        const value = forecast && !forecast.timedOut && own ? own.value : NaN;
        // Rounded so that a refit moving the forecast by a hair does not refit the family.
        if (Number.isFinite(value) && value > 0) {
          // With its spread, the family law weighs the forecast by it (fit/jointFamily.ts): a measured end counts more.
          const spread = own ? Math.log(Math.max(own.interval[1] / value, value / own.interval[0])) : NaN;
          const weighed = spread > 0 && Number.isFinite(spread) ? { spread: Math.round(spread * 1e3) / 1e3 } : {};
          entry.points.push({ runId: run.id, params, ...ne, tokens: run.hyper.tokens, loss: Math.round(value * 1e3) / 1e3, ...weighed, forecast: true });
          entry.runIds.push(run.id);
          entry.anchored.push(run.id);
          if (forecast?.provenance === 'from siblings') entry.fromSiblings.push(run.id);
          if (forecast?.scheduleAssumedFrom !== undefined) entry.scheduleAssumed.push(run.id);
        }
        continue;
      }
      // A curve law's value at a token count, or a stable-phase checkpoint, stands for a run still training too.
      if (run.status !== 'finished' && !((mode.kind === 'curve' || mode.kind === 'checkpoints') && run.status !== 'failed')) continue;
      if (mode.kind === 'checkpoints') {
        const lrSeries = run.series.find((s) => s.role === 'lr' && s.steps.length >= 2);
        if (!loss || params === undefined || !lrSeries) continue;
        const lr = scheduleFromLog(lrSeries.steps, lrSeries.values, Math.max(loss.steps[loss.steps.length - 1], lrSeries.steps[lrSeries.steps.length - 1]));
        const checkpoints = stableCheckpoints({ steps: loss.steps, losses: loss.values, tokensPerStep: run.hyper.tokensPerStep, lr }, mode.count);
        if ('error' in checkpoints) continue;
        for (const c of checkpoints) entry.points.push({ runId: run.id, params, ...ne, tokens: c.tokens, loss: c.loss });
        entry.runIds.push(run.id);
        continue;
      }
      const tokens = mode.kind === 'curve' ? mode.tokens : run.hyper.tokens;
      if (!loss || params === undefined || tokens === undefined) continue;
      const input = { steps: loss.steps, losses: loss.values, tokensPerStep: run.hyper.tokensPerStep };
      // Only the curve law's value takes a fit; the smoothed final or minimum loss is read here.
      const point =
        mode.kind === 'curve'
          ? this.fits.fit(
              `point:${run.id}`,
              `${this.hashes.of(loss)}|${input.tokensPerStep}|${JSON.stringify(mode)}`,
              'runPoint',
              () => ({ kind: 'runPoint', ...input, steps: loss.steps.slice(), losses: loss.values.slice(), mode, seed: this.options().seed ?? 1 }),
              deadline,
            )
          : this.measuredPoint(loss, input, mode);
      if (point === undefined) {
        entry.pointsPending++;
        continue;
      }
      if ('error' in point || !Number.isFinite(point.loss)) continue;
      // A live run's curve value (`curve` mode) is a forecast, not a measured end.
      entry.points.push({ runId: run.id, params, ...ne, tokens, loss: point.loss, ...(run.status !== 'finished' ? { forecast: true } : {}) });
      entry.runIds.push(run.id);
    }
    // A family gets a provisional law only when it waits only for live runs' forecasts and has no law
    // of its finished runs yet: none, or one fitted mid-read to some of them (a rescan's first rounds).
    // A law of every finished run is shown while newer points (a live run's forecast) are fitted, with
    // its interval, never downgraded to a provisional one.
    const waitsOnAnchorsOnly = (family: string): boolean => {
      const entry = byFamily.get(family)!;
      if (entry.pointsPending === 0 || entry.pointsPending !== entry.anchorsPending.length) return false;
      const cached = this.familyCache.get(family);
      if (!cached || 'error' in cached.value) return true;
      const inLaw = new Set(cached.points.map((p) => p.runId));
      return entry.points.some((p) => !p.forecast && !inLaw.has(p.runId));
    };
    // A config naming no family: only when exactly one family could be the one (else each waiting
    // family's provisional fit would go ahead of the curves the full answer needs).
    // Asked while a rescan still reads: the config's named family once its runs read so far span
    // MID_READ_MIN_SIZES model sizes, whatever its law (one fitted mid-read lacks the runs read since).
    const provisionalFamilies = !opts.provisional
      ? []
      : opts.midRead
        ? [opts.family].filter((f): f is string => f !== undefined && byFamily.has(f) && modelSizes(byFamily.get(f)!.points) >= MID_READ_MIN_SIZES)
        : opts.family !== undefined
          ? [opts.family].filter((f) => byFamily.has(f) && waitsOnAnchorsOnly(f))
          : [...byFamily.keys()].filter(waitsOnAnchorsOnly);
    const provisionalFamily = provisionalFamilies.length === 1 ? provisionalFamilies[0] : undefined;
    const out: FamilyLaw[] = [];
    /** Families whose law ran out of its fit budget: where each one's law is in `out`, and what a law standing in for it needs. */
    const cutShort: {
      family: string;
      at: number;
      base: Omit<FamilyLaw, 'runIds'>;
      points: CrossRunPoint[];
      pin: FamilyPin;
      live: LiveAnchors;
      pending: boolean;
      /** The law cut short: the key it was fitted by and its value. */
      cut: { key: string; value: CrossRunFit };
    }[] = [];
    for (const [family, { points, runIds, source, excluded, pointsPending, anchored, fromSiblings, scheduleAssumed, leftOut, anchorsPending }] of byFamily) {
      const { pin, description } = this.catalog.familySpec(family);
      const base: Omit<FamilyLaw, 'runIds'> = { family, guessed: source === 'guessed', source, runPoint: this.options().crossRunPoint ?? { kind: 'final' } };
      if (description) base.description = description;
      if (pin) base.pinned = { law: pin.law, file: pin.file, line: pin.line };
      if (excluded.length > 0) base.excludedRunIds = excluded;
      if (leftOut.length > 0) base.leftOut = leftOut;
      let cached = this.familyCache.get(family);
      if (pointsPending === 0 && points.length === 0) {
        out.push({ ...base, runIds, error: 'no finished runs with known parameters and tokens' });
        continue;
      }
      // Asked for a first answer, a family that waits only for live runs' forecasts (their curve-and-sibling
      // chain: 17 s at 1,000 runs) is fitted now to the points it has. The law it shows meanwhile may
      // be one fitted mid-read to the few runs read then.
      if (family === provisionalFamily && opts.midRead) {
        out.push(
          this.midReadLaw(family, base, points, runIds, { pending: anchorsPending, anchored, fromSiblings, scheduleAssumed }, pin, deadline, opts.midRead),
        );
        continue;
      }
      // Mid-read, no full law is asked for: a family fit (200 resamples) would go ahead of the looked-at
      // run's curve in the fitting threads, for points that change with the next slice (rounds ask those).
      // A snapshot's round (`firstLaws`) shows the law of the runs read so far (no resamples, refitted
      // only as they double), marked provisional, once they span MID_READ_MIN_SIZES sizes.
      if (opts.midRead) {
        if (opts.firstLaws && modelSizes(points) >= MID_READ_MIN_SIZES)
          out.push(
            this.midReadLaw(family, base, points, runIds, { pending: anchorsPending, anchored, fromSiblings, scheduleAssumed }, pin, deadline, opts.midRead, 0),
          );
        else out.push({ ...base, runIds, pending: true });
        continue;
      }
      // A snapshot's round shows a family that has had no law of its own since the rescan (a first scan)
      // and waits only for live runs' forecasts with the law of the points it has, marked provisional,
      // as the estimate's first answer is; a family with a law keeps showing it while newer points are fitted.
      const firstLaw = opts.firstLaws === true && (!cached || 'error' in cached.value) && waitsOnAnchorsOnly(family);
      // Refitted only once its points have doubled (as midReadLaw): each live run's forecast landing
      // changes them, and each refit would go ahead of the curves the full law waits for.
      const firstShown = firstLaw && family !== provisionalFamily ? this.firstLawShown.get(family) : undefined;
      if (firstShown?.fit && firstShown.points && firstShown.provisional?.filesToRead === undefined) {
        if (2 * firstShown.points.length > points.length && subsetOf(firstShown.points, points)) {
          out.push({
            ...base,
            runIds: firstShown.runIds,
            pending: true,
            provisional: firstShown.provisional,
            points: firstShown.points,
            fit: firstShown.fit,
            ...lawAnchors(firstShown),
          });
          continue;
        }
      }
      if (family === provisionalFamily || firstLaw) {
        out.push(this.provisionalLaw(family, base, points, runIds, { pending: anchorsPending, anchored, fromSiblings, scheduleAssumed }, pin, deadline));
        continue;
      }
      const live = { anchored, fromSiblings, scheduleAssumed };
      // While the points or the law are being fitted, the family shows the law fitted before (if any).
      let pending = pointsPending > 0;
      const request = lawRequest(points, pin, this.options().seed ?? 1);
      if (!pending && (!cached || cached.key !== request.key)) {
        const answer = this.fits.latestFit(`family:${family}`, request.key, 'family', request.job, deadline);
        pending = answer?.key !== request.key;
        if (answer && answer.key !== cached?.key) {
          // The key is the JSON of the points and priors the answer was fitted to.
          cached = {
            key: answer.key,
            value: answer.result,
            points: answer.key === request.key ? points : (JSON.parse(answer.key) as { points: CrossRunPoint[] }).points,
          };
          // A fit cut short by its deadline is not kept here, so the next round asks again: the
          // inline fitter redoes it, the fitting thread answers with it until the budget changes.
          if (!fitTimedOut(answer.result)) this.familyCache.set(family, cached);
        }
      }
      const value = cached?.value;
      const state = pending ? { pending: true } : {};
      // The law ran out of its fit budget (now, or the one shown while newer points are fitted): an
      // estimate may show a law standing in for it (cutShortLaw), decided once every family is seen.
      if (opts.provisional && value && !('error' in value) && value.timedOut)
        cutShort.push({ family, at: out.length, base, points, pin, live, pending, cut: { key: cached!.key, value } });
      if (!value) out.push({ ...base, ...state, runIds });
      else if ('error' in value) out.push({ ...base, ...state, runIds, error: value.error });
      // The runs of the law shown: while a newer fit runs, those the older one was fitted to.
      else {
        const shown = lawRuns(cached!.points, live);
        out.push({ ...base, ...state, runIds: shown.runIds, points: cached!.points, fit: value, ...shown.anchors });
      }
    }
    // A config naming no family gets a loss only when one family has a law (engine/estimates.ts): a
    // stand-in is fitted only then, not while another family's law may still come.
    const lawsShown = out.filter((f) => f.fit !== undefined || f.pending === true).length;
    // As for the provisional law: only the named family, or the one candidate.
    const candidates = opts.family !== undefined ? cutShort.filter((c) => c.family === opts.family) : lawsShown === 1 ? cutShort : [];
    const cutShortFamily = candidates.length === 1 ? candidates[0].family : undefined;
    for (const c of cutShort) {
      if (c.family !== cutShortFamily) continue;
      const standIn = this.cutShortLaw(c.family, c.base, c.points, c.pin, deadline, c.live, c.pending, c.cut);
      if (standIn) out[c.at] = standIn;
    }
    if (opts.firstLaws) {
      const runsNow = new Set(runs.map((r) => r.id));
      for (let i = 0; i < out.length; i++) out[i] = this.heldFirstLaw(out[i], runsNow);
    }
    // A family no run names any more (its runs deleted, renamed or regrouped) is forgotten, else a long session kept every one.
    for (const cache of [this.familyCache, this.provisionalCache, this.midReadShown, this.firstLawShown])
      for (const family of cache.keys()) if (!byFamily.has(family)) cache.delete(family);
    const gone = [...this.listedFamilies].filter((family) => !byFamily.has(family));
    this.listedFamilies = new Set(byFamily.keys());
    for (const family of byFamily.keys()) this.unlistedSinceClear.delete(family);
    this.fits.forget(gone.flatMap((family) => [...familySlots(family), ...this.curves.forgetScheduleSlots(family)]));
    return out.sort((a, b) => a.family.localeCompare(b.family));
  }

  /**
   * A snapshot round's law of a family (FitFamiliesOptions.firstLaws): a provisional one is remembered; one
   * without a law yet (being fitted) shows the provisional law shown last, pending, when every run it was
   * fitted to is still in the workspace; the family's full law, once shown, ends that.
   */
  private heldFirstLaw(law: FamilyLaw, runsNow: ReadonlySet<string>): FamilyLaw {
    if (law.fit && !law.provisional) {
      this.firstLawShown.delete(law.family);
      return law;
    }
    if (law.fit) {
      this.firstLawShown.set(law.family, law);
      return law;
    }
    const before = this.firstLawShown.get(law.family);
    if (!before || law.error !== undefined || !before.runIds.every((id) => runsNow.has(id))) return law;
    // What is said of the family now (its left-out and excluded runs) with the law shown before.
    return { ...law, runIds: before.runIds, pending: true, provisional: before.provisional, points: before.points, fit: before.fit, ...lawAnchors(before) };
  }

  /**
   * In place of a family's law that ran out of its fit budget (`scalingLens.fit.timeBudgetMs`; a big
   * sweep's bootstrap): the law of the same points fitted without resamples (at 857 points a sixth
   * of the full law's CPU), which a law cut short only in its bootstrap (`cut`) holds itself (its main
   * fit and leave-largest-out check finished): then no second fit is asked. While that is fitted, or while newer points are (`pending`), or if it too
   * runs out or fails: the law shown before in its place or as a first answer, when it still holds for
   * the points now (`holdsFor`), shown pending while a newer fit is coming. Undefined when there is
   * none such: the estimate then shows no loss and says why.
   */
  private cutShortLaw(
    family: string,
    base: Omit<FamilyLaw, 'runIds'>,
    points: CrossRunPoint[],
    pin: FamilyPin,
    deadline: number,
    live: LiveAnchors,
    pending: boolean,
    cut: { key: string; value: CrossRunFit },
  ): FamilyLaw | undefined {
    const request = lawRequest(points, pin, this.options().seed ?? 1, 0);
    const before = this.provisionalCache.get(family);
    let shown = before?.key === request.key && before.lawOf === 'same runs' ? before : undefined;
    // The law of these very points (its key is the stand-in's: resamples are not in it) stopped in its bootstrap.
    const own = !shown && cut.key === request.key ? familyLawWithoutResamples(cut.value) : undefined;
    if (own) {
      shown = { key: request.key, value: own, points, spec: request.spec, lawOf: 'same runs' };
      this.provisionalCache.set(family, shown);
    }
    // A fit of the points now is coming: what is shown meanwhile is replaced when it lands.
    let newerComing = pending;
    if (!shown && !pending) {
      const value = this.fits.fit(`provisional:${family}`, request.key, 'family', request.job, deadline);
      if (value !== undefined && !fitTimedOut(value) && !('error' in value)) {
        shown = { key: request.key, value, points, spec: request.spec, lawOf: 'same runs' };
        this.provisionalCache.set(family, shown);
      } else newerComing = value === undefined;
    }
    if (!shown && before && holdsFor(before, points, request.spec, newerComing)) shown = before;
    if (!shown || 'error' in shown.value) return undefined;
    const runs = lawRuns(shown.points, live);
    return {
      ...base,
      ...(shown.key !== request.key && newerComing ? { pending: true } : {}),
      runIds: runs.runIds,
      provisional: { pendingRunIds: [], fullLawTimedOut: { sameRuns: shown.lawOf === 'same runs' } },
      points: shown.points,
      fit: shown.value,
      ...runs.anchors,
    };
  }

  /**
   * The law of a family's runs read so far, asked while a rescan still reads (FitFamiliesOptions.midRead):
   * fitted without resamples in the provisional slot, ahead of the other family fits (the rounds'
   * mid-read laws). While the law of exactly these points is fitted, the one of an earlier slice's
   * points answers, when every point it was fitted to is still one of these (so never a law from
   * before a rescan of changed files). Not kept in `provisionalCache`: the law shown in place of a
   * cut-short one (cutShortLaw) is the finished runs', never a mid-read one.
   */
  private midReadLaw(
    family: string,
    base: Omit<FamilyLaw, 'runIds'>,
    points: CrossRunPoint[],
    runIds: string[],
    live: { pending: string[]; anchored: string[]; fromSiblings: string[]; scheduleAssumed: string[] },
    pin: ReturnType<RunCatalog['familySpec']>['pin'],
    deadline: number,
    midRead: { filesToRead: number },
    priority = MID_READ_PRIORITY,
  ): FamilyLaw {
    const provisional = { pendingRunIds: [...live.pending], filesToRead: midRead.filesToRead };
    const waiting: FamilyLaw = { ...base, runIds, pending: true, provisional };
    const lawOf = (fitted: CrossRunPoint[], value: CrossRunFit): FamilyLaw => this.midReadFamilyLaw(base, provisional, live, fitted, value);
    const keyOf = (of: CrossRunPoint[]): string => lawRequest(of, pin, this.options().seed ?? 1, 0).key;
    const request = lawRequest(points, pin, this.options().seed ?? 1, 0);
    // Refitted only once the points read have doubled since the law shown: each refit goes ahead of
    // every curve fit, and the lens asks again at each round mid-read (the laws move).
    const shown = this.midReadShown.get(family);
    if (shown && 2 * shown.points.length > points.length && subsetOf(shown.points, points)) return lawOf(shown.points, shown.value);
    const answer = this.fits.latestFit(`provisional:${family}`, request.key, 'family', request.job, deadline, undefined, priority);
    if (!answer || fitTimedOut(answer.result) || 'error' in answer.result) return waiting;
    let fitted = points;
    if (answer.key !== request.key) {
      const before = (JSON.parse(answer.key) as { points?: CrossRunPoint[] }).points;
      if (!before || keyOf(before) !== answer.key || !subsetOf(before, points)) return waiting;
      fitted = before;
    }
    const value = answer.result;
    this.midReadShown.set(family, { points: fitted, value });
    return lawOf(fitted, value);
  }

  /** A provisional law as `midReadLaw` shows it. */
  private midReadFamilyLaw(
    base: Omit<FamilyLaw, 'runIds'>,
    provisional: NonNullable<FamilyLaw['provisional']>,
    live: LiveAnchors,
    fitted: CrossRunPoint[],
    value: CrossRunFit,
  ): FamilyLaw {
    const runs = lawRuns(fitted, live);
    return { ...base, runIds: runs.runIds, pending: true, provisional, points: fitted, fit: value, ...runs.anchors };
  }

  /**
   * A family's law fitted to the points it has now (finished runs' measured ends and the live runs'
   * forecasts that have landed), the live runs whose forecasts are still coming left out and named (`pendingRunIds`); its own slot and cache, so the
   * law of every run is fitted as before. Undefined `fit` while it is being fitted.
   */
  private provisionalLaw(
    family: string,
    base: Omit<FamilyLaw, 'runIds'>,
    points: CrossRunPoint[],
    runIds: string[],
    live: LiveAnchors & { pending: string[] },
    pin: FamilyPin,
    deadline: number,
  ): FamilyLaw {
    const provisional = { pendingRunIds: [...live.pending] };
    if (points.length === 0) return { ...base, runIds, pending: true, provisional };
    // Without resamples: its interval is not shown (at 857 points 0.24–0.27 s of CPU against 1.4–1.6 s with 200, load 10–20).
    const request = lawRequest(points, pin, this.options().seed ?? 1, 0);
    // The family's law fitted to exactly these points (a new live run waits for its first forecast) is that law.
    const full = this.familyCache.get(family);
    let cached: (Cached<CrossRunFit | { error: string }> & { points: CrossRunPoint[] }) | undefined =
      full?.key === request.key ? full : this.provisionalCache.get(family);
    if (cached?.key !== request.key) {
      const value = this.fits.fit(`provisional:${family}`, request.key, 'family', request.job, deadline);
      if (value === undefined) return { ...base, runIds, pending: true, provisional };
      cached = { key: request.key, value, points };
      if (!fitTimedOut(value)) this.provisionalCache.set(family, { ...cached, spec: request.spec, lawOf: 'finished runs' });
    }
    const value = cached.value;
    if ('error' in value) return { ...base, runIds, pending: true, provisional, error: value.error };
    // Live runs whose forecasts have landed are in it: said as in the full law ("includes the forecast end of …").
    const runs = lawRuns(cached.points, live);
    return { ...base, runIds: runs.runIds, pending: true, provisional, points: cached.points, fit: value, ...runs.anchors };
  }
}

type FamilyPin = ReturnType<RunCatalog['familySpec']>['pin'];

/**
 * The family law's fit over `points`: the key it is cached and asked by (its points, priors and a law
 * other than the default, so Chinchilla families keep their keys and cached fits), `spec` (the key
 * without the points) and the job; `resamples` 0 for a law without interval.
 */
function lawRequest(points: CrossRunPoint[], pin: FamilyPin, seed: number, resamples?: number): { key: string; spec: string; job: () => FitJobOf<'family'> } {
  const law = pin && pin.law !== DEFAULT_FAMILY_LAW ? pin.law : undefined;
  const spec = { priors: pin?.priors, ...(law ? { law } : {}) };
  return {
    key: JSON.stringify({ points, ...spec }),
    spec: JSON.stringify(spec),
    job: () => ({ kind: 'family', points, ...spec, seed, ...(resamples !== undefined ? { resamples } : {}) }),
  };
}

/** A law's anchored live runs, as lawRuns gives them. */
function lawAnchors(law: FamilyLaw): Pick<FamilyLaw, 'anchoredRunIds' | 'anchoredFromSiblings' | 'anchoredScheduleAssumed'> {
  return {
    ...(law.anchoredRunIds ? { anchoredRunIds: law.anchoredRunIds } : {}),
    ...(law.anchoredFromSiblings ? { anchoredFromSiblings: law.anchoredFromSiblings } : {}),
    ...(law.anchoredScheduleAssumed ? { anchoredScheduleAssumed: law.anchoredScheduleAssumed } : {}),
  };
}

/** The runs of a law shown (those its points name) and, of the live runs anchored now, those it includes. */
function lawRuns(
  points: readonly CrossRunPoint[],
  live: LiveAnchors,
): { runIds: string[]; anchors: Pick<FamilyLaw, 'anchoredRunIds' | 'anchoredFromSiblings' | 'anchoredScheduleAssumed'> } {
  const runIds = [...new Set(points.map((p) => p.runId))];
  const anchored = live.anchored.filter((id) => runIds.includes(id));
  const fromSiblings = live.fromSiblings.filter((id) => anchored.includes(id));
  const assumed = live.scheduleAssumed.filter((id) => anchored.includes(id));
  return {
    runIds,
    anchors: {
      ...(anchored.length ? { anchoredRunIds: anchored } : {}),
      ...(fromSiblings.length ? { anchoredFromSiblings: fromSiblings } : {}),
      ...(assumed.length ? { anchoredScheduleAssumed: assumed } : {}),
    },
  };
}

/**
 * A law fitted before still holds for the family's points now: the same law and priors, the same
 * measured ends (no run removed, finished or changed since) and, unless a fit of the points now is
 * coming (it is then shown pending, as the full law is while newer points are fitted), every live
 * run's forecast it includes as it is now.
 */
function holdsFor(before: StandIn, points: readonly CrossRunPoint[], spec: string, newerComing: boolean): boolean {
  if (before.spec !== spec || 'error' in before.value) return false;
  const measured = (list: readonly CrossRunPoint[]) =>
    list
      .filter((p) => !p.forecast)
      .map((p) => JSON.stringify(p))
      .sort()
      .join('\n');
  if (measured(before.points) !== measured(points)) return false;
  if (newerComing) return true;
  const now = new Set(points.map((p) => JSON.stringify(p)));
  return before.points.every((p) => !p.forecast || now.has(JSON.stringify(p)));
}

export interface FitFamiliesOptions {
  /**
   * A first answer: a family that has no law yet and waits for live runs' forecasts gets a provisional
   * law fitted without them (FamilyLaw.provisional); only `family` when given, else only when one
   * family is such.
   */
  provisional?: boolean;
  family?: string;
  /**
   * Asked while a rescan still reads (`filesToRead` files left): no family law is asked (each family
   * shows pending), but with `provisional` `family` (named by the config) gets a law of its runs read
   * so far once they span MID_READ_MIN_SIZES model sizes.
   */
  midRead?: { filesToRead: number };
  /**
   * A snapshot's round (workspace.ts snapshotNow): a family that has no law of its own yet (a first
   * scan) shows a provisional one (FamilyLaw.provisional), as the estimate's first answer has it: the
   * law of its runs read so far while a rescan reads (once they span MID_READ_MIN_SIZES sizes), then
   * of the points it has while it waits only for live runs' forecasts. The full law replaces it.
   */
  firstLaws?: boolean;
}

/**
 * Model sizes a family's runs read so far must span for a law of them mid-read: the Chinchilla law has
 * five parameters (E, A, B, α, β), so fewer sizes leave its N terms unconstrained.
 */
const MID_READ_MIN_SIZES = 5;
/** A mid-read law goes before the family fits the rounds ask for (lower runs sooner, worker/fitClient.ts). */
const MID_READ_PRIORITY = -1;

/** Whether every point of `some` is one of `all` (the same run, size, tokens and loss). */
function subsetOf(some: readonly CrossRunPoint[], all: readonly CrossRunPoint[]): boolean {
  const now = new Set(all.map((p) => JSON.stringify(p)));
  return some.every((p) => now.has(JSON.stringify(p)));
}

/** Distinct model sizes (parameters) among a family's points. */
function modelSizes(points: readonly CrossRunPoint[]): number {
  return new Set(points.map((p) => p.params)).size;
}

/** A family's slots in the fitter. */
function familySlots(family: string): string[] {
  return [`family:${family}`, `provisional:${family}`, `overtrain:${family}`];
}
