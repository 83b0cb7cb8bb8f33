// The engine shared by the worker and the CLI: a run index fed with file paths, the curve law
// of every run, the cross-run law of every family, and estimates for training configs.
// Everything here is synchronous and pure apart from reading files; callers own the threads.
import { RunCatalog, familyOf, trainLoss } from './engine/runCatalog';
import { FitScheduler } from './engine/fitScheduler';
import { estimateConfig, type EstimateSources } from './engine/estimates';
import { RunViews, type FittedCurve } from './engine/runViews';
import type { Run, RunStatus, Series } from './runs/types';
import { displayNames } from '../shared/displayName';
import type { CurveFit } from './fit/curve';
import { chooseCurveLaw } from './fit/curveChoice';
import { runPoint, stableCheckpoints, type RunPointMode } from './fit/runPoint';
import { scheduleFromLog } from './laws/schedule';
import { plannedSchedule } from './fit/plannedSchedule';
import { hashNumbers } from './fit/hash';
import type { CrossRunFit, CrossRunPoint } from './fit/crossRun';
import type { LawCrossRunFit } from './fit/crossRunLaw';
import { fitTimedOut, type Fitter } from './fitJobs';
import { familyModel } from './plan/familyModel';
import { DEFAULT_FAMILY_LAW, familyLaw } from './laws/familyLaws';
import type { ScheduleResponse, SiblingCurve, SiblingForecast } from './fit/siblingForecast';
import { hardwareTable, type HardwareSettings, type HardwareTable } from './plan/hardware';
import type { ConfigEstimate, CurvePrediction, FamilyLaw, RunView, Snapshot } from './snapshot';
import { scalingView, seedGroupKey, seedGroups, validationPoints } from './dashboardData';
import type { Diagnostic } from './diagnostics';
import type { FamilySource } from './runs/workspaceFile';
import { fillEtasFromEarlierRuns, type FileTimes } from './etaSources';

// The engine's parts, by responsibility (each composed here): engine/runCatalog.ts (runs, files,
// families), engine/fitScheduler.ts (fits and their deadlines), engine/estimates.ts (config
// estimates), engine/runViews.ts (each run's view in a snapshot). The law fits (curves, family
// laws, sibling forecasts) and the snapshot's assembly stay here.
export { MODEL_CONFIG_FILE, describeRun, trainLoss } from './engine/runCatalog';

export interface WorkspaceOptions {
  minPointsForCurve: number;
  /**
   * Bootstrap resamples for each run's curve (default 40). Every live run is refitted as its log
   * grows, so this is smaller than the fit module's default; the family law keeps its 200.
   */
  curveResamples?: number;
  /** Points per display series sent to the UI. */
  displayPoints?: number;
  seed?: number;
  /**
   * Which point of each run feeds its family's cross-run law (fit/runPoint.ts): the final loss
   * smoothed without lag (default), the smoothed minimum, or the curve law's value at a token count.
   */
  crossRunPoint?: RunPointMode;
  /**
   * Time budget of ONE fit in ms (default: none, fits share the round's deadline). Keeps one slow
   * fit from using a whole round; a fit cut short reports its best so far and is redone later.
   */
  fitBudgetMs?: number;
  /** Wall clock in ms (default Date.now): the ETA of runs whose logs record no time, and the age of live fits. */
  now?: () => number;
  /**
   * `scalingLens.fit.liveRefitSeconds` in ms (default 0: refit on every change). A live run's curve
   * fit costs up to ~1.5 s with the schedule-aware law, and trainers append every second or so:
   * within this much wall time of its last fit, a live run keeps that fit (its points still update)
   * unless its loss series grew by more than LIVE_REFIT_GROWTH of the points the fit saw, or it
   * ended, restarted or rewound. `refitDueAt()` says when a kept fit is due.
   */
  liveRefitIntervalMs?: number;
  /** `scalingLens.hardware.*`: extra profiles, default profile, prices, MFU (cost estimates). */
  hardware?: HardwareSettings;
  /** `scalingLens.textLog.patterns`: user line patterns for plain-text logs (apply to logs read afterwards). */
  textLogPatterns?: string[];
  /**
   * Where fits run (default: in the calling thread, at once). The extension's worker hands them to
   * a fitting thread of their own: while one runs, a snapshot shows the fit made before (if any)
   * and counts it in `Snapshot.fitting`.
   */
  fitter?: Fitter;
  /** `scalingLens.files.followLinksOutside`: read files whose real path is outside their workspace folder (off by default). */
  followLinksOutside?: boolean;
  /** A file's creation and last-write times (default: fs.statSync), for the ETA of a live run whose log has no clock. */
  fileTimes?: (file: string) => FileTimes | undefined;
}

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

/** A run's curve fit with what it was made from, for the live refit policy (see `liveRefitIntervalMs`). */
interface CachedCurve extends Cached<CurveFit | { error: string }> {
  lr?: Float64Array;
  /** Wall clock (options.now, ms) of the snapshot that made the fit. */
  fittedAtMs: number;
  /** The run as the fit saw it: status, loss points, first and last loss step, and law inputs besides the points. */
  seen: { status: RunStatus; points: number; firstStep: number; lastStep: number; shape: string };
}

export class ScalingWorkspace {
  /** The runs, their files, `.scalinglens.yaml` and families (engine/runCatalog.ts). */
  private readonly catalog = new RunCatalog();
  /** Fits through the fitter, with their deadlines and the round's count of fits still running (engine/fitScheduler.ts). */
  private readonly fits = new FitScheduler(() => this.options);
  /** Each run's view in a snapshot: health, ETA, display series (engine/runViews.ts). */
  private readonly views = new RunViews(() => this.options);
  /** What config estimates are made from (engine/estimates.ts). */
  private readonly estimateSources: EstimateSources = {
    hardware: () => this.hardware,
    seed: () => this.options.seed ?? 1,
    runs: () => this.runs(),
    familyName: (run) => this.familyName(run),
    fitFamilies: (runs, deadline) => this.fitFamilies(runs, deadline),
    overtrainFit: (family, chinchilla, points, deadline) => this.overtrainFit(family, chinchilla, points, deadline),
    fit: (slot, key, kind, makeJob, deadline) => this.fits.fit(slot, key, kind, makeJob, deadline),
  };
  private readonly curveCache = new Map<string, CachedCurve>();
  /** Earliest wall-clock time (ms) a live fit kept by the refit policy falls due, as of the last snapshot. */
  private refitDueMs: number | undefined;
  /** Wall clock (ms) of the snapshot in progress: one reading for every fit of the round. */
  private roundNowMs = 0;
  /** Each family's law with the points it was fitted to. */
  private readonly familyCache = new Map<string, Cached<CrossRunFit | { error: string }> & { points: CrossRunPoint[] }>();
  private version = 0;
  private readonly seriesHashes = new WeakMap<Float64Array, { steps: Float64Array; hash: string }>();
  /** The runs of the round in progress (siblings of a live run are looked up here). */
  private roundRuns: Run[] = [];
  /** Each live run's forecast from siblings, and each family's schedule response, with the key of their inputs. */
  private readonly siblingCache = new Map<string, Cached<SiblingForecast | { error: string }>>();
  private readonly responseCache = new Map<string, Cached<ScheduleResponse | { error: string }>>();

  constructor(private options: WorkspaceOptions) {
    this.catalog.configure(options, true);
  }

  /** The hardware table (built-in profiles merged with the user's settings) that costs are computed on. */
  get hardware(): HardwareTable {
    return hardwareTable(this.options.hardware);
  }

  /** New options; curve fits that depended on the old ones are dropped and redone lazily. */
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

  private lookedAt = new Set<string>();

  configure(options: WorkspaceOptions): void {
    const curvesChanged = options.minPointsForCurve !== this.options.minPointsForCurve || options.curveResamples !== this.options.curveResamples;
    this.options = options;
    this.catalog.configure(options);
    if (curvesChanged) this.curveCache.clear();
  }

  /** Forgets every run and fit (a rescan follows). Snapshot versions keep increasing. */
  clear(): void {
    this.catalog.clear();
    this.curveCache.clear();
    this.familyCache.clear();
    this.siblingCache.clear();
    this.responseCache.clear();
    this.views.clear();
  }

  update(absPath: string, root: string): void {
    this.catalog.update(absPath, root);
  }

  remove(absPath: string): void {
    this.catalog.remove(absPath);
  }

  /** Every run, with `.scalinglens.yaml` applied: its overrides in `hyper` (with notes) and its family. */
  runs(): Run[] {
    return this.catalog.runs();
  }

  /** Every family's law as fitted now (asked of the fitter, like a snapshot does, without the runs' curves). */
  familyLaws(deadline = Number.POSITIVE_INFINITY): FamilyLaw[] {
    return this.fitFamilies(this.runs(), deadline);
  }

  /** The family a run is fitted in, as of the last `runs()`: named, or guessed. */
  private familyName(run: Run): string {
    return this.catalog.familyName(run);
  }

  diagnostics(): Diagnostic[] {
    return this.catalog.diagnostics();
  }

  /** Record a path the caller's own walk refused (a folder link out of the workspace, a link loop), as a diagnostic. */
  noteSkipped(absPath: string, message: string): void {
    this.catalog.noteSkipped(absPath, message);
  }

  /**
   * Fits what changed since the last call (cached by a key of each fit's inputs) and returns the
   * whole picture. `deadline` is a `performance.now()` time; fits past it return their best so far.
   * `isCancelled` is polled inside every fit (between solver iterations and resamples): once it
   * says true, the fits in progress stop like at a deadline and are not cached.
   */
  snapshot(deadline = Number.POSITIVE_INFINITY, isCancelled?: () => boolean): Snapshot {
    return this.fits.withCancel(isCancelled, () => this.snapshotNow(deadline));
  }

  /**
   * Wall-clock time (options.now, ms) when a live run's fit that the last snapshot kept (see
   * `liveRefitIntervalMs`) falls due; undefined when none was kept. A caller that only recomputes on
   * file changes schedules one more snapshot for then, so a kept prediction is not left stale.
   */
  refitDueAt(): number | undefined {
    return this.refitDueMs;
  }

  private snapshotNow(deadline: number): Snapshot {
    const started = performance.now();
    this.roundNowMs = (this.options.now ?? Date.now)();
    this.refitDueMs = undefined;
    this.fits.beginRound();
    const runs = this.runs();
    this.roundRuns = runs;
    const families = this.fitFamilies(runs, deadline);
    this.views.observe(runs);
    const views = runs.map((run) => this.viewOf(run, deadline));
    // Names that tell the workspace's runs apart (the logger's run name, the experiment folder).
    const names = displayNames(runs.map((r) => ({ id: r.id, loggedName: r.loggedName })));
    for (const v of views) v.name = names.get(v.id) ?? v.name;
    fillEtasFromEarlierRuns(views);
    const scaling = families.map((family) => {
      const fitted = new Map((family.fit ? (family.points ?? []) : []).map((p) => [p.runId, p]));
      const anchored = new Set(family.anchoredRunIds ?? []);
      const model =
        family.fit && !family.fit.timedOut
          ? familyModel({
              family: family.family,
              fit: family.fit,
              overtrain: this.overtrainFit(family.family, family.fit, family.points ?? [], deadline),
              runsUsed: family.runIds,
              points: family.points,
              anchoredRunIds: family.anchoredRunIds,
            })
          : undefined;
      // Said in the families table; found here so the webview only renders.
      family.possibleBreak = model?.break ? { runIds: model.break.runIds, note: model.break.note } : undefined;
      return scalingView(
        family,
        views
          .filter((v) => v.family === family.family)
          .map((v) => {
            // A run in the law is drawn where the law saw it; the others by their own N and D.
            const point = fitted.get(v.id);
            // A live run anchoring the law is drawn as its forecast, with the forecast's interval.
            return {
              id: v.id,
              name: v.name,
              status: v.status,
              params: point?.params ?? v.hyper.params,
              tokens: point?.tokens ?? v.hyper.tokens,
              curve: v.curve,
              fittedLoss: anchored.has(v.id) ? undefined : point?.loss,
            };
          }),
        40,
        model,
      );
    });
    return {
      version: ++this.version,
      runs: views,
      families,
      diagnostics: this.diagnostics(),
      buildMs: performance.now() - started,
      fitting: this.fits.pending,
      seedGroups: seedGroups(views.map((v) => ({ id: v.id, name: v.name, key: seedGroupKey(v), steps: v.display.steps, loss: v.display.loss }))),
      scaling,
      validations: validationPoints(views, families),
    };
  }

  /**
   * The predicted final loss, cost and notes for one training config (its text as the editor has
   * it). Family laws come from the cache when their runs are unchanged; a refit stops at `deadline`.
   */
  estimateConfig(file: string, text: string, readSibling: (absPath: string) => string | undefined, deadline = Number.POSITIVE_INFINITY): ConfigEstimate {
    return estimateConfig(this.estimateSources, file, text, readSibling, deadline);
  }

  /** A fitted family's over-training law (for plans by regime); undefined when the family has no fit. */
  overtrainLaw(family: FamilyLaw, deadline = Number.POSITIVE_INFINITY): LawCrossRunFit | { error: string } | undefined {
    return family.fit ? this.overtrainFit(family.family, family.fit, family.points ?? [], deadline) : undefined;
  }

  /** The over-training law of a family, fitted once per Chinchilla fit (its key is the family fit's). */
  private overtrainFit(family: string, chinchilla: CrossRunFit, points: CrossRunPoint[], deadline: number): LawCrossRunFit | { error: string } | undefined {
    // Only a Chinchilla family law blends with the over-training law (its priors come from α, β, A, B).
    if (!familyLaw(chinchilla.lawId).blendsWithOvertrain) return undefined;
    const familyKey = this.familyCache.get(family)?.key ?? JSON.stringify(points);
    const job = () => ({ kind: 'overtrain' as const, chinchilla, points, seed: this.options.seed ?? 1 });
    return this.fits.fit(`overtrain:${family}`, `overtrain|${familyKey}`, 'overtrain', job, deadline) ?? { error: 'still being fitted' };
  }

  private fitFamilies(runs: Run[], deadline: number): FamilyLaw[] {
    this.roundRuns = runs;
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
        leftOut: { runId: string; reason: string }[];
      }
    >();
    for (const run of runs) {
      const { guessed } = familyOf(run);
      const name = this.familyName(run);
      const group = this.catalog.group(run.id);
      const entry = byFamily.get(name) ?? {
        guessed,
        points: [],
        runIds: [],
        source: group?.source ?? (guessed ? 'guessed' : 'run-config'),
        excluded: [],
        pointsPending: 0,
        anchored: [],
        leftOut: [],
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
      const mode = this.options.crossRunPoint ?? { kind: 'final' };
      const loss = trainLoss(run);
      const { params } = run.hyper;
      // A run that went wrong is left out of the family's fits, and the family says so.
      const health = this.views.health(run, loss);
      if (health.excludeFromFits) {
        entry.leftOut.push({ runId: run.id, reason: health.reason ?? 'diverged' });
        continue;
      }
      // A live run's end is anchored to the family law at its planned N and D: its curve forecast
      // (from this run alone) joins the fit as one run, so the law, the configs' lenses and the
      // planner agree with what the run itself says it will reach (no planned larger config
      // predicted worse than the live run).
      if (run.status === 'live' && mode.kind === 'final' && loss && params !== undefined && run.hyper.tokens !== undefined) {
        // The run's own forecast (from this run alone): one from its siblings is made of the
        // family's other runs, which the law sees already; anchoring on it would count them twice.
        const forecast = this.curveOf(run, loss, deadline)?.prediction;
        // While the run's first curve fit runs elsewhere, the family waits for it rather than being
        // fitted twice (without the anchor, then with it).
        if (!forecast && this.fits.isPending(`curve:${run.id}`)) {
          entry.pointsPending++;
          continue;
        }
        const own = forecast?.alone ?? forecast?.predictedFinal;
        const value = forecast && !forecast.timedOut && own ? own.value : NaN;
        // Rounded so that a refit moving the forecast by a hair does not refit the family.
        if (Number.isFinite(value) && value > 0) {
          entry.points.push({ runId: run.id, params, tokens: run.hyper.tokens, loss: Math.round(value * 1e3) / 1e3 });
          entry.runIds.push(run.id);
          entry.anchored.push(run.id);
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
        for (const c of checkpoints) entry.points.push({ runId: run.id, params, tokens: c.tokens, loss: c.loss });
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
              `${this.seriesHash(loss)}|${input.tokensPerStep}|${JSON.stringify(mode)}`,
              'runPoint',
              () => ({ kind: 'runPoint', ...input, steps: loss.steps.slice(), losses: loss.values.slice(), mode, seed: this.options.seed ?? 1 }),
              deadline,
            )
          : runPoint(input, mode);
      if (point === undefined) {
        entry.pointsPending++;
        continue;
      }
      if ('error' in point || !Number.isFinite(point.loss)) continue;
      entry.points.push({ runId: run.id, params, tokens, loss: point.loss });
      entry.runIds.push(run.id);
    }
    const out: FamilyLaw[] = [];
    for (const [family, { points, runIds, source, excluded, pointsPending, anchored, leftOut }] of byFamily) {
      const { pin, description } = this.catalog.familySpec(family);
      const base: Omit<FamilyLaw, 'runIds'> = { family, guessed: source === 'guessed', source, runPoint: this.options.crossRunPoint ?? { kind: 'final' } };
      if (description) base.description = description;
      if (pin) base.pinned = { law: pin.law, file: pin.file, line: pin.line };
      if (excluded.length > 0) base.excludedRunIds = excluded;
      if (leftOut.length > 0) base.leftOut = leftOut;
      let cached = this.familyCache.get(family);
      if (pointsPending === 0 && points.length === 0) {
        out.push({ ...base, runIds, error: 'no finished runs with known parameters and tokens' });
        continue;
      }
      // While the points or the law are being fitted, the family shows the law fitted before (if any).
      let pending = pointsPending > 0;
      // The law is in the key only when not the default, so Chinchilla families keep their keys (and cached fits).
      const law = pin && pin.law !== DEFAULT_FAMILY_LAW ? pin.law : undefined;
      const key = JSON.stringify({ points, priors: pin?.priors, ...(law ? { law } : {}) });
      if (!pending && (!cached || cached.key !== key)) {
        const answer = this.fits.latestFit(
          `family:${family}`,
          key,
          'family',
          () => ({ kind: 'family', points, priors: pin?.priors, ...(law ? { law } : {}), seed: this.options.seed ?? 1 }),
          deadline,
        );
        pending = answer?.key !== key;
        if (answer && answer.key !== cached?.key) {
          // The key is the JSON of the points and priors the answer was fitted to.
          cached = {
            key: answer.key,
            value: answer.result,
            points: answer.key === key ? points : (JSON.parse(answer.key) as { points: CrossRunPoint[] }).points,
          };
          // A fit cut short by its deadline is not kept here, so the next round asks again: the
          // inline fitter redoes it, the fitting thread answers with it until the budget changes.
          if (!fitTimedOut(answer.result)) this.familyCache.set(family, cached);
        }
      }
      const value = cached?.value;
      const state = pending ? { pending: true } : {};
      if (!value) out.push({ ...base, ...state, runIds });
      else if ('error' in value) out.push({ ...base, ...state, runIds, error: value.error });
      // The runs of the law shown: while a newer fit runs, those the older one was fitted to.
      else {
        const fittedIds = [...new Set(cached!.points.map((p) => p.runId))];
        const anchoredIds = anchored.filter((id) => fittedIds.includes(id));
        out.push({ ...base, ...state, runIds: fittedIds, points: cached!.points, fit: value, ...(anchoredIds.length ? { anchoredRunIds: anchoredIds } : {}) });
      }
    }
    return out.sort((a, b) => a.family.localeCompare(b.family));
  }

  /**
   * hashNumbers of a series, remembered per array: the run index makes new arrays whenever a
   * series changes (append, rewrite, restart), so unchanged runs are not rehashed on every
   * snapshot (with 200 runs of 100k points that hashing was most of an update's CPU time).
   */
  private seriesHash(series: Series): string {
    const memo = this.seriesHashes.get(series.values);
    if (memo && memo.steps === series.steps) return memo.hash;
    const hash = hashNumbers(series.steps, series.values);
    this.seriesHashes.set(series.values, { steps: series.steps, hash });
    return hash;
  }

  private curveOf(run: Run, loss: Series, deadline: number): FittedCurve | undefined {
    if (loss.steps.length < this.options.minPointsForCurve) return undefined;
    const lastStep = loss.steps[loss.steps.length - 1];
    const lrSeries = run.series.find((s) => s.role === 'lr' && s.steps.length >= 2);
    // A live run's steps to come follow its config's schedule, when that matches its logged LR (fit/plannedSchedule.ts).
    const planned = run.status === 'live' ? plannedSchedule(run.hyper, lrSeries) : undefined;
    const key = `${this.seriesHash(loss)}|${lrSeries ? this.seriesHash(lrSeries) : '-'}|${run.hyper.maxSteps ?? '-'}|${planned ? JSON.stringify(run.hyper.schedule) : '-'}|${this.options.curveResamples ?? 40}|${this.options.seed ?? 1}`;
    const shape = `${lrSeries ? 'lr' : '-'}|${run.hyper.maxSteps ?? '-'}`;
    let cached = this.curveCache.get(run.id);
    if (cached && cached.key !== key && this.keepLiveFit(cached, run, loss, shape)) {
      const due = cached.fittedAtMs + (this.options.liveRefitIntervalMs ?? 0);
      this.refitDueMs = this.refitDueMs === undefined ? due : Math.min(this.refitDueMs, due);
    } else if (!cached || cached.key !== key) {
      // The law and target as the `curve` CLI command chooses them: schedule-aware when the LR is logged.
      let choice: ReturnType<typeof chooseCurveLaw> | undefined;
      const chosen = () => (choice ??= chooseCurveLaw({ lastStep, maxSteps: run.hyper.maxSteps, loggedLr: lrSeries, givenSchedule: planned }));
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
          seed: this.options.seed ?? 1,
          resamples: this.options.curveResamples ?? 40,
        };
      };
      // A queued fitter runs first the curves that show nothing yet, live runs before finished ones.
      // What the user looks at goes before all of them.
      const priority = this.lookedAt.has(run.id) ? -1 : (cached ? 2 : 0) + (run.status === 'live' ? 0 : 1);
      const answer = this.fits.latestFit(`curve:${run.id}`, key, 'curve', makeJob, deadline, JSON.stringify(seen), priority);
      if (answer && answer.key !== cached?.key) {
        // A fit of the run as it was a moment ago (while the newest one runs) is drawn with the LR as logged now.
        const c = answer.result.lrUsed ? chosen() : undefined;
        const next: CachedCurve = {
          key: answer.key,
          value: answer.result.fit,
          lr: c && !('error' in c) ? c.lr : undefined,
          fittedAtMs: this.roundNowMs,
          seen: answer.tag ? (JSON.parse(answer.tag) as CachedCurve['seen']) : seen,
        };
        // Not kept when cut short by its deadline (see the family law above).
        if (!fitTimedOut(answer.result)) this.curveCache.set(run.id, next);
        cached = next;
      }
    }
    if (!cached) return undefined;
    const fit = cached.value;
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
    };
    // A live run whose family has finished runs with a logged LR is forecast from them too.
    if (run.status === 'live' && cached.lr && cached.lr.length - 1 >= fit.targetStep) {
      const sib = this.siblingForecastOf(run, loss, cached.lr, fit.targetStep, deadline);
      if (sib && !('error' in sib))
        return {
          prediction: { ...prediction, predictedFinal: sib.prediction, provenance: 'from siblings', siblings: sib.siblings, alone: fit.predictedFinal },
          fit,
          lr: cached.lr,
        };
    }
    return { prediction: { ...prediction, provenance: 'from this run alone' }, fit, lr: cached.lr };
  }

  /** Finished, healthy runs of `run`'s family with a train loss and a logged LR, as sibling curves. */
  private siblingCurves(run: Run): { curve: SiblingCurve; params?: number; hash: string }[] {
    const family = this.familyName(run);
    const out: { curve: SiblingCurve; params?: number; hash: string }[] = [];
    for (const other of this.roundRuns) {
      if (other.id === run.id || other.status !== 'finished' || this.familyName(other) !== family || this.catalog.group(other.id)?.excluded) continue;
      const loss = trainLoss(other);
      const lr = other.series.find((s) => s.role === 'lr' && s.steps.length >= 2);
      if (!loss || !lr || loss.steps.length < 20 || this.views.health(other, loss).excludeFromFits) continue;
      const last = Math.max(loss.steps[loss.steps.length - 1], lr.steps[lr.steps.length - 1]);
      out.push({
        curve: { runId: other.id, steps: loss.steps, losses: loss.values, lr: scheduleFromLog(lr.steps, lr.values, last) },
        params: other.hyper.params,
        hash: `${other.id}:${this.seriesHash(loss)}:${this.seriesHash(lr)}`,
      });
    }
    return out;
  }

  /**
   * The live run's final loss from its prefix and its family's finished runs (fit/siblingForecast.ts):
   * jointly with the siblings of its own size (same N within 1%) when there are any, else with the
   * schedule response pooled from all of them. Undefined while being fitted or without siblings.
   */
  private siblingForecastOf(run: Run, loss: Series, lr: Float64Array, targetStep: number, deadline: number): SiblingForecast | { error: string } | undefined {
    const siblings = this.siblingCurves(run);
    if (siblings.length === 0) return undefined;
    const n = run.hyper.params;
    const sameSize = n !== undefined ? siblings.filter((s) => s.params !== undefined && Math.abs(s.params / n - 1) < 0.01) : [];
    let response: ScheduleResponse | undefined;
    if (sameSize.length === 0) {
      if (siblings.length < 2) return undefined;
      const family = this.familyName(run);
      const key = siblings.map((s) => s.hash).join('|');
      let cached = this.responseCache.get(family);
      if (!cached || cached.key !== key) {
        const value = this.fits.fit(
          `schedule:${family}`,
          key,
          'scheduleResponse',
          () => ({ kind: 'scheduleResponse', siblings: siblings.map((s) => copyCurve(s.curve)) }),
          deadline,
        );
        if (value === undefined) return undefined;
        cached = { key, value };
        this.responseCache.set(family, cached);
      }
      if ('error' in cached.value) return cached.value;
      response = cached.value;
    }
    const key = `${this.seriesHash(loss)}|${targetStep}|${sameSize.length ? sameSize.map((s) => s.hash).join('|') : JSON.stringify(response)}`;
    const cached = this.siblingCache.get(run.id);
    if (cached && cached.key === key) return cached.value;
    const value = this.fits.fit(
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
      }),
      deadline,
    );
    if (value === undefined) return cached?.value;
    this.siblingCache.set(run.id, { key, value });
    return value;
  }

  /**
   * Whether a live run whose loss or LR changed keeps its last fit for now (see `liveRefitIntervalMs`):
   * only while the run is still live and merely grew, by little, within the interval. A run that
   * ended, restarted or rewound (fewer points, another first step, or the fit's last point gone)
   * or whose law inputs changed (maxSteps, LR logged or not) is refitted at once.
   */
  private keepLiveFit(cached: CachedCurve, run: Run, loss: Series, shape: string): boolean {
    const intervalMs = this.options.liveRefitIntervalMs ?? 0;
    if (!(intervalMs > 0) || 'error' in cached.value) return false;
    const seen = cached.seen;
    if (run.status !== 'live' || seen.status !== 'live' || seen.shape !== shape) return false;
    const points = loss.steps.length;
    if (points < seen.points || loss.steps[0] !== seen.firstStep || loss.steps[seen.points - 1] !== seen.lastStep) return false;
    if (points - seen.points > LIVE_REFIT_GROWTH * seen.points) return false;
    return this.roundNowMs - cached.fittedAtMs < intervalMs;
  }

  private viewOf(run: Run, deadline: number): RunView {
    const loss = trainLoss(run);
    const health = this.views.health(run, loss);
    // A diverged run gets no finish forecast.
    const fitted = loss && run.status !== 'failed' && !health.excludeFromFits ? this.curveOf(run, loss, deadline) : undefined;
    return this.views.view(run, loss, health, fitted, this.familyName(run), this.catalog.group(run.id));
  }
}

/** A sibling curve with its own arrays (the index's are views into larger buffers, which a message would copy whole). */
function copyCurve(c: SiblingCurve): SiblingCurve {
  return { runId: c.runId, steps: Float64Array.from(c.steps), losses: Float64Array.from(c.losses), lr: c.lr };
}
