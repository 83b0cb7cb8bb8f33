// The engine shared by the worker and the CLI: a run index fed with file paths, the curve law
// of every run, the cross-run law of every family, and estimates for training configs.
// Everything here is synchronous and pure apart from reading files; callers own the threads.
import * as path from 'node:path';
import { detectLogFormat, RunIndex, type RunFacts, type RunSidecars } from './runs/index';
import { FileGate } from './runs/fileGate';
import { wandbLinkedPath } from './runs/wandb';
import { readTextFile } from './safeFile';
import type { Run, RunStatus, Series } from './runs/types';
import { displayNames } from '../shared/displayName';
import { sampleCurve, type CurveFit } from './fit/curve';
import { chooseCurveLaw } from './fit/curveChoice';
import { runPoint, stableCheckpoints, type RunPointMode } from './fit/runPoint';
import { scheduleFromLog } from './laws/schedule';
import { hashNumbers } from './fit/hash';
import type { CrossRunFit, CrossRunPoint } from './fit/crossRun';
import type { LawCrossRunFit } from './fit/crossRunLaw';
import { fitTimedOut, inlineFitter, type FitAnswer, type FitJobKind, type FitJobOf, type FitJobResult, type Fitter } from './fitJobs';
import { readConfig } from './configs/index';
import { lossTokens, planAdvice, planCaveats, planCost, type SweepRun } from './plan/advice';
import { familyModel } from './plan/familyModel';
import { runHealth, type RunHealth } from './runs/health';
import type { ScheduleResponse, SiblingCurve, SiblingForecast } from './fit/siblingForecast';
import { hardwareTable, type HardwareSettings, type HardwareTable } from './plan/hardware';
import { downsampleLogX } from './display';
import type { ConfigEstimate, CurvePrediction, FamilyLaw, LossEstimate, RunView, Snapshot } from './snapshot';
import { estimateEta, loggedClock, scalingView, seedGroupKey, seedGroups, validationPoints, wallClockView, type TimedStep } from './dashboardData';
import type { Diagnostic } from './diagnostics';
import { guessFamilies } from './runs/families';
import { describeMetricChoices } from './runs/vocabulary';
import { approxTrainingFlops } from './laws/trainingCompute';
import { WORKSPACE_FILE_NAME, parseWorkspaceFile, settingsForRun, type FamilySource, type PinnedFit, type RunValues, type WorkspaceFile } from './runs/workspaceFile';
import { appendAll, maxOf } from '../shared/arrays';

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
}

/** Observed arrivals kept per run for the ETA (oldest dropped first). */
const MAX_OBSERVATIONS = 500;

/** A run's model file and training file sit beside its logs, named as Hugging Face names them. */
export const MODEL_CONFIG_FILE = 'config.json';
export const TRAINING_ARGS_FILE = 'training_args.json';

/** How far past the largest fitted run a prediction may go before it is flagged (×, in N or D). */
const EXTRAPOLATION_FACTOR = 10;

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

/** How a run is grouped: its family, who named it, and whether the workspace file leaves it out of fits. */
interface Grouping {
  family: string;
  source: FamilySource;
  /** For a guessed family: how it was guessed (from the runs' hyperparameters, or only from the folder). */
  reason?: string;
  excluded?: string;
}

/** Largest `.scalinglens.yaml` read (it is a hand-written file). */
const MAX_WORKSPACE_FILE_BYTES = 1024 * 1024;

export class ScalingWorkspace {
  private readonly index: RunIndex;
  private readonly curveCache = new Map<string, CachedCurve>();
  /** Earliest wall-clock time (ms) a live fit kept by the refit policy falls due, as of the last snapshot. */
  private refitDueMs: number | undefined;
  /** Wall clock (ms) of the snapshot in progress: one reading for every fit of the round. */
  private roundNowMs = 0;
  /** Each family's law with the points it was fitted to. */
  private readonly familyCache = new Map<string, Cached<CrossRunFit | { error: string }> & { points: CrossRunPoint[] }>();
  /** Fits asked for in the snapshot in progress that are still running elsewhere (see `options.fitter`). */
  private fitsPending = 0;
  /** Slots counted in `fitsPending` this round (a live run's curve is asked for by its family and its view). */
  private readonly pendingSlots = new Set<string>();
  private version = 0;
  /** `.scalinglens.yaml` of each workspace root that has one, parsed. */
  private readonly workspaceFiles = new Map<string, WorkspaceFile>();
  /** Family and exclusion of each run, as of the last `runs()` (rebuilt there). */
  private grouping = new Map<string, Grouping>();
  /** When each run's last step was first seen, for runs whose logs carry no wall clock. */
  private readonly observed = new Map<string, TimedStep[]>();
  private readonly seriesHashes = new WeakMap<Float64Array, { steps: Float64Array; hash: string }>();
  /** Each run's health by its loss array (a new array whenever the series changes), with the status it was judged with. */
  private readonly healthMemo = new WeakMap<Float64Array, { status: string; health: RunHealth }>();
  /** The runs of the round in progress (siblings of a live run are looked up here). */
  private roundRuns: Run[] = [];
  /** Each live run's forecast from siblings, and each family's schedule response, with the key of their inputs. */
  private readonly siblingCache = new Map<string, Cached<SiblingForecast | { error: string }>>();
  private readonly responseCache = new Map<string, Cached<ScheduleResponse | { error: string }>>();
  /** Display series per run id, with the inputs they were made from (see displayOf). */
  private readonly displayCache = new Map<string, { key: string; fit: CurveFit | undefined; display: RunView['display']; logged: TimedStep[] | undefined }>();

  /** Which offered files are read at all: regular files inside their workspace folder, each once (fileGate.ts). */
  private readonly gate = new FileGate();

  constructor(private options: WorkspaceOptions) {
    this.index = new RunIndex({ describeRun });
    this.gate.configure({ followLinksOutside: options.followLinksOutside });
    if (options.textLogPatterns?.length) this.index.setTextLogPatterns(options.textLogPatterns);
  }

  /** The hardware table (built-in profiles merged with the user's settings) that costs are computed on. */
  get hardware(): HardwareTable {
    return hardwareTable(this.options.hardware);
  }

  /** New options; curve fits that depended on the old ones are dropped and redone lazily. */
  configure(options: WorkspaceOptions): void {
    const curvesChanged = options.minPointsForCurve !== this.options.minPointsForCurve || options.curveResamples !== this.options.curveResamples;
    this.options = options;
    this.gate.configure({ followLinksOutside: options.followLinksOutside });
    if (curvesChanged) this.curveCache.clear();
    this.index.setTextLogPatterns(options.textLogPatterns ?? []);
  }

  /** Forgets every run and fit (a rescan follows). Snapshot versions keep increasing. */
  clear(): void {
    this.index.clear();
    this.gate.clear();
    this.workspaceFiles.clear();
    this.grouping.clear();
    this.curveCache.clear();
    this.familyCache.clear();
    this.siblingCache.clear();
    this.responseCache.clear();
    this.observed.clear();
    this.displayCache.clear();
  }

  update(absPath: string, root: string): void {
    // `wandb/latest-run/…` is read under the run folder's own name (the index maps it): gate that path.
    const logFormat = detectLogFormat(absPath);
    const gated = logFormat === 'wandb' ? wandbLinkedPath(absPath) : absPath;
    if (!this.gate.admit(gated, root, logFormat !== undefined)) {
      // A file refused now (replaced by a pipe, a link out) is no longer read: forget what it gave.
      this.index.remove(absPath);
      return;
    }
    if (path.basename(absPath) === WORKSPACE_FILE_NAME) {
      this.readWorkspaceFile(path.resolve(absPath), path.resolve(root));
      return;
    }
    this.index.update(absPath, root);
  }

  remove(absPath: string): void {
    const abs = path.resolve(absPath);
    for (const [root, ws] of this.workspaceFiles) if (ws.file === abs || ws.file.startsWith(abs + path.sep)) this.workspaceFiles.delete(root);
    this.gate.forget(abs);
    this.index.remove(absPath);
  }

  /** Every run, with `.scalinglens.yaml` applied: its overrides in `hyper` (with notes) and its family. */
  runs(): Run[] {
    const grouping = new Map<string, Grouping>();
    const out = this.index.runs().map((run) => {
      const where = this.index.locate(run.id);
      const ws = where && this.workspaceFiles.get(where.root);
      const settings = ws && settingsForRun(ws, where.rel);
      let result = run;
      if (ws && settings && (settings.family || Object.keys(settings.values).length > 0)) {
        const hyper = { ...run.hyper, notes: [...run.hyper.notes] };
        applyValues(hyper, settings.values, settings.valueLines, ws.file);
        if (settings.family) {
          hyper.family = settings.family.name;
          hyper.notes.push(`family ${settings.family.name} from ${WORKSPACE_FILE_NAME}:${settings.family.line}`);
        }
        result = { ...run, hyper };
      }
      const { name, guessed } = familyOf(result);
      const g: Grouping = { family: name, source: settings?.family ? 'workspace-file' : guessed ? 'guessed' : 'run-config' };
      if (settings?.excludedAt !== undefined) g.excluded = `excluded by ${ws!.file}:${settings.excludedAt}`;
      grouping.set(run.id, g);
      return result;
    });
    // Runs nobody named a family for: grouped by the hyperparameters their loggers stored, else by folder.
    const unnamed = out.filter((run) => grouping.get(run.id)?.source === 'guessed');
    const guesses = guessFamilies(unnamed.map((run) => ({ id: run.id, params: this.index.loggedParams(run.id) })));
    for (let i = 0; i < out.length; i++) {
      const g = grouping.get(out[i].id);
      if (g?.source !== 'guessed') continue;
      const guess = guesses.get(out[i].id);
      if (guess !== undefined) g.family = guess.family;
      g.reason = guess?.reason ?? 'family guessed from the folder holding the run (no hyperparameters logged to compare)';
      out[i] = { ...out[i], hyper: { ...out[i].hyper, notes: [...out[i].hyper.notes, g.reason] } };
    }
    this.grouping = grouping;
    return out;
  }

  /** Every family's law as fitted now (asked of the fitter, like a snapshot does, without the runs' curves). */
  familyLaws(deadline = Number.POSITIVE_INFINITY): FamilyLaw[] {
    return this.fitFamilies(this.runs(), deadline);
  }

  /** The family a run is fitted in, as of the last `runs()`: named, or guessed. */
  private familyName(run: Run): string {
    return this.grouping.get(run.id)?.family ?? familyOf(run).name;
  }

  diagnostics(): Diagnostic[] {
    const out = this.index.diagnostics();
    for (const ws of this.workspaceFiles.values()) for (const d of ws.diagnostics) out.push(d);
    for (const d of this.gate.diagnostics()) out.push(d);
    return out;
  }

  /** Record a path the caller's own walk refused (a folder link out of the workspace, a link loop), as a diagnostic. */
  noteSkipped(absPath: string, message: string): void {
    this.gate.note(absPath, message);
  }

  /** Read (or forget, when gone) the `.scalinglens.yaml` at a workspace root; one elsewhere is not read. */
  private readWorkspaceFile(abs: string, root: string): void {
    if (path.dirname(abs) !== root) return;
    // A regular file only (a pipe would block), at most MAX_WORKSPACE_FILE_BYTES (it is hand-written).
    const r = readTextFile(abs, MAX_WORKSPACE_FILE_BYTES);
    if ('error' in r) {
      if (r.code === 'ENOENT' || r.code === 'ENOTDIR') this.workspaceFiles.delete(root);
      else this.workspaceFiles.set(root, { file: abs, families: [], runs: [], fits: [], diagnostics: [{ file: abs, severity: 'error', message: `cannot read: ${r.error}` }] });
      return;
    }
    this.workspaceFiles.set(root, parseWorkspaceFile(r.text, abs));
  }

  /** The pinned fit and family description `.scalinglens.yaml` gives a family (first file that does). */
  private familySpec(family: string): { pin?: PinnedFit & { file: string }; description?: FamilyLaw['description'] } {
    let pin: (PinnedFit & { file: string }) | undefined;
    let description: FamilyLaw['description'];
    for (const ws of this.workspaceFiles.values()) {
      const p = ws.fits.find((f) => f.family === family);
      if (p && !pin) pin = { ...p, file: ws.file };
      const spec = ws.families.find((f) => f.name === family);
      if (spec && !description && (spec.dataset || spec.tokenizer || spec.recipe)) description = { dataset: spec.dataset, tokenizer: spec.tokenizer, recipe: spec.recipe };
    }
    return { pin, description };
  }

  /**
   * Fits what changed since the last call (cached by a key of each fit's inputs) and returns the
   * whole picture. `deadline` is a `performance.now()` time; fits past it return their best so far.
   * `isCancelled` is polled inside every fit (between solver iterations and resamples): once it
   * says true, the fits in progress stop like at a deadline and are not cached.
   */
  snapshot(deadline = Number.POSITIVE_INFINITY, isCancelled?: () => boolean): Snapshot {
    this.cancelCheck = isCancelled;
    try {
      return this.snapshotNow(deadline);
    } finally {
      this.cancelCheck = undefined;
    }
  }

  /**
   * Wall-clock time (options.now, ms) when a live run's fit that the last snapshot kept (see
   * `liveRefitIntervalMs`) falls due; undefined when none was kept. A caller that only recomputes on
   * file changes schedules one more snapshot for then, so a kept prediction is not left stale.
   */
  refitDueAt(): number | undefined {
    return this.refitDueMs;
  }

  /** Polled by every fit of the snapshot in progress (see `snapshot`). */
  private cancelCheck: (() => boolean) | undefined;

  /** Deadline of one fit: the round's, or sooner when a per-fit budget is set. */
  private fitDeadline(roundDeadline: number): number {
    const perFit = this.options.fitBudgetMs;
    return perFit !== undefined && perFit > 0 ? Math.min(roundDeadline, performance.now() + perFit) : roundDeadline;
  }

  /**
   * The newest fit of `slot` through the fitter (see `options.fitter` and `Fitter.fit`): the one of
   * `key`, or while that runs elsewhere (it is counted in the snapshot) one made before, if any.
   */
  private latestFit<K extends FitJobKind>(slot: string, key: string, kind: K, makeJob: () => FitJobOf<K>, roundDeadline: number, tag?: string, priority?: number): FitAnswer<K> | undefined {
    const answer = (this.options.fitter ?? inlineFitter).fit(slot, key, kind, makeJob, { deadline: this.fitDeadline(roundDeadline), isCancelled: this.cancelCheck, priority }, tag);
    if (answer?.key !== key && !this.pendingSlots.has(slot)) {
      this.pendingSlots.add(slot);
      this.fitsPending++;
    }
    return answer;
  }

  /** The fit of exactly `key` through the fitter; undefined while it runs elsewhere. */
  private fit<K extends FitJobKind>(slot: string, key: string, kind: K, makeJob: () => FitJobOf<K>, roundDeadline: number): FitJobResult<K> | undefined {
    const answer = this.latestFit(slot, key, kind, makeJob, roundDeadline);
    return answer?.key === key ? answer.result : undefined;
  }

  private snapshotNow(deadline: number): Snapshot {
    const started = performance.now();
    this.roundNowMs = (this.options.now ?? Date.now)();
    this.refitDueMs = undefined;
    this.fitsPending = 0;
    this.pendingSlots.clear();
    const runs = this.runs();
    this.roundRuns = runs;
    const families = this.fitFamilies(runs, deadline);
    this.observe(runs);
    const views = runs.map((run) => this.viewOf(run, deadline));
    // Names that tell the workspace's runs apart (the logger's run name, the experiment folder).
    const names = displayNames(runs.map((r) => ({ id: r.id, loggedName: r.loggedName })));
    for (const v of views) v.name = names.get(v.id) ?? v.name;
    const scaling = families.map((family) => {
      const fitted = new Map((family.fit ? family.points ?? [] : []).map((p) => [p.runId, p]));
      const anchored = new Set(family.anchoredRunIds ?? []);
      const model = family.fit && !family.fit.timedOut ? familyModel({ family: family.family, fit: family.fit, overtrain: this.overtrainFit(family.family, family.fit, family.points ?? [], deadline), runsUsed: family.runIds, points: family.points, anchoredRunIds: family.anchoredRunIds }) : undefined;
      return scalingView(
        family,
        views
          .filter((v) => v.family === family.family)
          .map((v) => {
            // A run in the law is drawn where the law saw it; the others by their own N and D.
            const point = fitted.get(v.id);
            // A live run anchoring the law is drawn as its forecast, with the forecast's interval.
            return { id: v.id, name: v.name, status: v.status, params: point?.params ?? v.hyper.params, tokens: point?.tokens ?? v.hyper.tokens, curve: v.curve, fittedLoss: anchored.has(v.id) ? undefined : point?.loss };
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
      fitting: this.fitsPending,
      seedGroups: seedGroups(views.map((v) => ({ id: v.id, name: v.name, key: seedGroupKey(v), steps: v.display.steps, loss: v.display.loss }))),
      scaling,
      validations: validationPoints(views, families),
    };
  }

  /** Notes when each run's last step was first seen (restarts show as a step going back). */
  private observe(runs: Run[]): void {
    const seconds = (this.options.now ?? Date.now)() / 1000;
    const present = new Set<string>();
    for (const run of runs) {
      present.add(run.id);
      const loss = trainLoss(run);
      if (!loss || run.status !== 'live') continue;
      const step = loss.steps[loss.steps.length - 1];
      const seen = this.observed.get(run.id) ?? [];
      if (seen.length && seen[seen.length - 1].step === step) continue;
      seen.push({ step, seconds });
      if (seen.length > MAX_OBSERVATIONS) seen.splice(0, seen.length - MAX_OBSERVATIONS);
      this.observed.set(run.id, seen);
    }
    for (const id of this.observed.keys()) if (!present.has(id)) this.observed.delete(id);
    for (const id of this.displayCache.keys()) if (!present.has(id)) this.displayCache.delete(id);
  }

  /**
   * The predicted final loss, cost and notes for one training config (its text as the editor has
   * it). Family laws come from the cache when their runs are unchanged; a refit stops at `deadline`.
   */
  estimateConfig(file: string, text: string, readSibling: (absPath: string) => string | undefined, deadline = Number.POSITIVE_INFINITY): ConfigEstimate {
    const read = readConfig({ file, text, readSibling });
    if (read.kind === 'not-applicable') {
      return { file, applicable: false, reason: read.reason, predictions: {}, notes: [], diagnostics: read.diagnostics };
    }
    if (read.kind === 'error') {
      return { file, applicable: false, reason: read.message, predictions: {}, notes: [], diagnostics: read.diagnostics };
    }
    const plan = read.plan;
    const notes = [...plan.notes];
    const estimate: ConfigEstimate = { file, applicable: true, plan, predictions: {}, notes, diagnostics: read.diagnostics };
    const costed = planCost(plan, this.hardware);
    if (costed.cost) estimate.cost = costed.cost;
    if (costed.memory) estimate.memory = costed.memory;
    appendAll(notes, costed.notes);
    if (plan.tokens === undefined) notes.push(`Training tokens unknown: add ${TRAINING_ARGS_FILE} with max_steps and batch sizes, or total_tokens.`);
    const advice = planAdvice(plan);
    estimate.predictions.lr = advice.lr;
    estimate.predictions.batchTokens = advice.batchTokens;
    if (advice.silent) estimate.predictions.hparamsSilent = advice.silent;
    appendAll(appendAll(notes, advice.notes), planCaveats(plan));
    // Repeated data: the family law is asked about the effective (data-limited) tokens.
    const effective = lossTokens(plan);
    const loss = this.predictLoss(plan.params.total, effective.tokens, plan.family, deadline);
    if (effective.note && !('uncalibrated' in loss)) notes.push(effective.note);
    if ('uncalibrated' in loss) estimate.predictions.uncalibrated = loss.uncalibrated;
    else {
      estimate.predictions.loss = loss;
      if (loss.regime) notes.push(loss.regime.note);
      if (loss.distance) notes.push(loss.distance.note);
      if (loss.anchoredRunIds?.length) notes.push(`The family law includes the forecast end of ${loss.anchoredRunIds.join(', ')} (still training, from its own curve) as one run.`);
      appendAll(notes, loss.fitWarnings ?? []);
    }
    // The family's own LR / batch sweeps, when it has them: refitted Step Law, and the penalty of
    // the configured values only where a sweep surface is fitted at this N and D.
    const sweepFamily = 'uncalibrated' in loss ? plan.family : loss.family;
    if (sweepFamily !== undefined) {
      const runs = this.sweepRuns(sweepFamily);
      const sweepJob = { kind: 'sweep' as const, plan, runs, seed: this.options.seed ?? 1 };
      const sweep = this.fit(`sweep:${file}`, JSON.stringify(sweepJob), 'sweep', () => sweepJob, deadline) ?? { notes: ['LR and batch advice from the family\'s sweeps: still being fitted.'] };
      if (sweep.lr) estimate.predictions.lr = [sweep.lr, ...advice.lr];
      if (sweep.batchTokens) estimate.predictions.batchTokens = [sweep.batchTokens, ...advice.batchTokens];
      if (sweep.penaltyPct !== undefined) estimate.predictions.hparamPenaltyPct = sweep.penaltyPct;
      appendAll(notes, sweep.notes);
    }
    return estimate;
  }

  /** Finished runs of `family` with N, D, peak LR and batch known: the points of its LR / batch sweeps. */
  private sweepRuns(family: string): SweepRun[] {
    const out: SweepRun[] = [];
    for (const run of this.runs()) {
      if (run.status !== 'finished' || this.familyName(run) !== family) continue;
      const { nonEmbeddingParams, tokens, peakLr, tokensPerStep } = run.hyper;
      const loss = trainLoss(run);
      if (!loss || nonEmbeddingParams === undefined || tokens === undefined || peakLr === undefined || tokensPerStep === undefined) continue;
      const point = runPoint({ steps: loss.steps, losses: loss.values, tokensPerStep }, { kind: 'final' });
      if ('error' in point) continue;
      out.push({ runId: run.id, nonEmbeddingParams, tokens, lr: peakLr, batchTokens: tokensPerStep, loss: point.loss });
    }
    return out;
  }

  private predictLoss(params: number, tokens: number | undefined, family: string | undefined, deadline: number): LossEstimate | { uncalibrated: string } {
    if (tokens === undefined) return { uncalibrated: 'training tokens unknown' };
    const runs = this.runs();
    const families = this.fitFamilies(runs, deadline);
    let chosen: FamilyLaw | undefined;
    let familyAssumed = false;
    if (family !== undefined) {
      chosen = families.find((f) => f.family === family);
      if (!chosen) return { uncalibrated: `no finished runs of family "${family}" in the workspace` };
    } else {
      const fitted = families.filter((f) => f.fit);
      if (fitted.length !== 1) {
        return { uncalibrated: fitted.length === 0 ? 'no finished runs to calibrate a law' : 'the config names no family and the workspace has several' };
      }
      chosen = fitted[0];
      familyAssumed = true;
    }
    if (chosen.pending && !chosen.fit) return { uncalibrated: `the law of family "${chosen.family}" is still being fitted` };
    if (!chosen.fit) return { uncalibrated: `the law of family "${chosen.family}" could not be fitted: ${chosen.error ?? 'unknown reason'}` };
    if (chosen.fit.timedOut) return { uncalibrated: `the law of family "${chosen.family}" did not finish within its fit time budget (scalingLens.fit.timeBudgetMs)` };
    // The law follows the plan's regime: Chinchilla near compute-optimal, blended smoothly into the
    // over-training law far past it (plan/regime.ts).
    const overtrain = this.overtrainFit(chosen.family, chosen.fit, chosen.points ?? [], deadline);
    // The family's one model (plan/familyModel.ts), the same the planner and the scaling view use.
    const model = familyModel({ family: chosen.family, fit: chosen.fit, overtrain, runsUsed: chosen.runIds, points: chosen.points, anchoredRunIds: chosen.anchoredRunIds });
    const prediction = model.predict(params, tokens);
    const fittedRuns = runs.filter((r) => chosen.runIds.includes(r.id));
    const maxParams = maxOf(fittedRuns.map((r) => r.hyper.params ?? 0));
    const maxTokens = maxOf(fittedRuns.map((r) => r.hyper.tokens ?? 0));
    const beyond: string[] = [];
    if (params > EXTRAPOLATION_FACTOR * maxParams) beyond.push(`${(params / maxParams).toFixed(0)}× the largest model fitted`);
    if (tokens > EXTRAPOLATION_FACTOR * maxTokens) beyond.push(`${(tokens / maxTokens).toFixed(0)}× the most tokens fitted`);
    if (prediction.distance.notValidated) beyond.push(`${prediction.distance.computeRatio.toFixed(0)}× the compute of the largest fitted run: not validated that far (backtests reach ${prediction.distance.backtestedUpTo}×)`);
    return {
      ...prediction,
      family: chosen.family,
      runsUsed: chosen.runIds,
      familyAssumed,
      extrapolation: beyond.length ? beyond.join('; ') : undefined,
      ...(chosen.anchoredRunIds?.length ? { anchoredRunIds: chosen.anchoredRunIds } : {}),
      fitWarnings: model.warnings,
    };
  }

  /** A fitted family's over-training law (for plans by regime); undefined when the family has no fit. */
  overtrainLaw(family: FamilyLaw, deadline = Number.POSITIVE_INFINITY): LawCrossRunFit | { error: string } | undefined {
    return family.fit ? this.overtrainFit(family.family, family.fit, family.points ?? [], deadline) : undefined;
  }

  /** The over-training law of a family, fitted once per Chinchilla fit (its key is the family fit's). */
  private overtrainFit(family: string, chinchilla: CrossRunFit, points: CrossRunPoint[], deadline: number): LawCrossRunFit | { error: string } {
    const familyKey = this.familyCache.get(family)?.key ?? JSON.stringify(points);
    const job = () => ({ kind: 'overtrain' as const, chinchilla, points, seed: this.options.seed ?? 1 });
    return this.fit(`overtrain:${family}`, `overtrain|${familyKey}`, 'overtrain', job, deadline) ?? { error: 'still being fitted' };
  }

  private fitFamilies(runs: Run[], deadline: number): FamilyLaw[] {
    this.roundRuns = runs;
    const byFamily = new Map<string, { guessed: boolean; points: CrossRunPoint[]; runIds: string[]; source: FamilySource; excluded: string[]; pointsPending: number; anchored: string[]; leftOut: { runId: string; reason: string }[] }>();
    for (const run of runs) {
      const { guessed } = familyOf(run);
      const name = this.familyName(run);
      const group = this.grouping.get(run.id);
      const entry = byFamily.get(name) ?? { guessed, points: [], runIds: [], source: group?.source ?? (guessed ? 'guessed' : 'run-config'), excluded: [], pointsPending: 0, anchored: [], leftOut: [] };
      byFamily.set(name, entry);
      // A family named by the workspace file anywhere is named, even if some of its runs only guessed it.
      if (group?.source === 'workspace-file') entry.source = 'workspace-file';
      const pin = this.familySpec(name).pin;
      const where = this.index.locate(run.id);
      if (group?.excluded !== undefined || (pin && where && pin.match(where.rel))) {
        entry.excluded.push(run.id);
        continue;
      }
      const mode = this.options.crossRunPoint ?? { kind: 'final' };
      const loss = trainLoss(run);
      const { params } = run.hyper;
      // A run that went wrong is left out of the family's fits, and the family says so.
      const health = this.healthOf(run, loss);
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
        if (!forecast && this.pendingSlots.has(`curve:${run.id}`)) {
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
          ? this.fit(`point:${run.id}`, `${this.seriesHash(loss)}|${input.tokensPerStep}|${JSON.stringify(mode)}`, 'runPoint', () => ({ kind: 'runPoint', ...input, steps: loss.steps.slice(), losses: loss.values.slice(), mode, seed: this.options.seed ?? 1 }), deadline)
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
      const { pin, description } = this.familySpec(family);
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
      const key = JSON.stringify({ points, priors: pin?.priors });
      if (!pending && (!cached || cached.key !== key)) {
        const answer = this.latestFit(`family:${family}`, key, 'family', () => ({ kind: 'family', points, priors: pin?.priors, seed: this.options.seed ?? 1 }), deadline);
        pending = answer?.key !== key;
        if (answer && answer.key !== cached?.key) {
          // The key is the JSON of the points and priors the answer was fitted to.
          cached = { key: answer.key, value: answer.result, points: answer.key === key ? points : (JSON.parse(answer.key) as { points: CrossRunPoint[] }).points };
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

  private curveOf(run: Run, loss: Series, deadline: number): { prediction: CurvePrediction; fit: CurveFit; lr?: Float64Array } | undefined {
    if (loss.steps.length < this.options.minPointsForCurve) return undefined;
    const lastStep = loss.steps[loss.steps.length - 1];
    const lrSeries = run.series.find((s) => s.role === 'lr' && s.steps.length >= 2);
    const key = `${this.seriesHash(loss)}|${lrSeries ? this.seriesHash(lrSeries) : '-'}|${run.hyper.maxSteps ?? '-'}|${this.options.curveResamples ?? 40}|${this.options.seed ?? 1}`;
    const shape = `${lrSeries ? 'lr' : '-'}|${run.hyper.maxSteps ?? '-'}`;
    let cached = this.curveCache.get(run.id);
    if (cached && cached.key !== key && this.keepLiveFit(cached, run, loss, shape)) {
      const due = cached.fittedAtMs + (this.options.liveRefitIntervalMs ?? 0);
      this.refitDueMs = this.refitDueMs === undefined ? due : Math.min(this.refitDueMs, due);
    } else if (!cached || cached.key !== key) {
      // The law and target as the `curve` CLI command chooses them: schedule-aware when the LR is logged.
      let choice: ReturnType<typeof chooseCurveLaw> | undefined;
      const chosen = () => (choice ??= chooseCurveLaw({ lastStep, maxSteps: run.hyper.maxSteps, loggedLr: lrSeries }));
      const plannedEnd = Math.max(run.hyper.maxSteps ?? lastStep, lastStep);
      const seen: CachedCurve['seen'] = { status: run.status, points: loss.steps.length, firstStep: loss.steps[0], lastStep, shape };
      const makeJob = () => {
        const c = chosen();
        const schedule = 'error' in c ? { targetStep: plannedEnd } : { targetStep: c.targetStep, law: c.lawId, lr: c.lr };
        // Copies: the index's arrays are views into larger buffers, which a message would copy whole.
        return { kind: 'curve' as const, steps: loss.steps.slice(), losses: loss.values.slice(), plannedEndStep: plannedEnd, ...schedule, seed: this.options.seed ?? 1, resamples: this.options.curveResamples ?? 40 };
      };
      // A queued fitter runs first the curves that show nothing yet, live runs before finished ones.
      const priority = (cached ? 2 : 0) + (run.status === 'live' ? 0 : 1);
      const answer = this.latestFit(`curve:${run.id}`, key, 'curve', makeJob, deadline, JSON.stringify(seen), priority);
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
      if (sib && !('error' in sib)) return { prediction: { ...prediction, predictedFinal: sib.prediction, provenance: 'from siblings', siblings: sib.siblings, alone: fit.predictedFinal }, fit, lr: cached.lr };
    }
    return { prediction: { ...prediction, provenance: 'from this run alone' }, fit, lr: cached.lr };
  }

  /** Finished, healthy runs of `run`'s family with a train loss and a logged LR, as sibling curves. */
  private siblingCurves(run: Run): { curve: SiblingCurve; params?: number; hash: string }[] {
    const family = this.familyName(run);
    const out: { curve: SiblingCurve; params?: number; hash: string }[] = [];
    for (const other of this.roundRuns) {
      if (other.id === run.id || other.status !== 'finished' || this.familyName(other) !== family || this.grouping.get(other.id)?.excluded) continue;
      const loss = trainLoss(other);
      const lr = other.series.find((s) => s.role === 'lr' && s.steps.length >= 2);
      if (!loss || !lr || loss.steps.length < 20 || this.healthOf(other, loss).excludeFromFits) continue;
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
        const value = this.fit(`schedule:${family}`, key, 'scheduleResponse', () => ({ kind: 'scheduleResponse', siblings: siblings.map((s) => copyCurve(s.curve)) }), deadline);
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
    const value = this.fit(`siblings:${run.id}`, key, 'siblingForecast', () => ({ kind: 'siblingForecast', steps: loss.steps.slice(), losses: loss.values.slice(), lr, targetStep, sameSize: sameSize.map((s) => copyCurve(s.curve)), response }), deadline);
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

  /**
   * The run's display series (downsampled loss, eval, LR, wall clock, the sampled fit and band),
   * remade only when one of its series grew or changed at its end or the fit changed: with 200
   * runs of 100k points, re-downsampling the unchanged ones on every update is most of the cost.
   */
  private displayOf(run: Run, loss: Series | undefined, fit: CurveFit | undefined, fitLr?: Float64Array): { display: RunView['display']; logged: TimedStep[] | undefined } {
    const maxPoints = this.options.displayPoints ?? 600;
    const key = `${maxPoints}|${run.series.map((s) => `${s.metric}:${s.steps.length}:${s.steps[s.steps.length - 1]}:${s.values[s.values.length - 1]}`).join('|')}`;
    const cached = this.displayCache.get(run.id);
    if (cached && cached.key === key && cached.fit === fit) return cached;
    const evalLoss = run.series.find((s) => s.role === 'eval_loss');
    const shown = loss ? downsampleLogX(loss.steps, loss.values, maxPoints) : { xs: [], ys: [] };
    const shownEval = evalLoss ? downsampleLogX(evalLoss.steps, evalLoss.values, maxPoints) : { xs: [], ys: [] };
    let fitSteps: number[] = [];
    let fitValues: number[] = [];
    let fitLower: number[] = [];
    let fitUpper: number[] = [];
    if (fit) {
      // The band is drawn from the very fit the prediction reports (it may be a partial one), and
      // only over the steps the law was fitted to and beyond: the dropped warm-up is not the law's.
      const from = Math.max(1, fit.firstStep);
      ({ steps: fitSteps, values: fitValues, lower: fitLower, upper: fitUpper } = sampleCurve(fit, from, fit.targetStep, 80, fitLr));
    }
    const lr = run.series.find((s) => s.role === 'lr' && s.steps.length > 0);
    const shownLr = lr ? downsampleLogX(lr.steps, lr.values, maxPoints) : { xs: [], ys: [] };
    const logged = loggedClock(run);
    const display: RunView['display'] = {
      steps: shown.xs,
      loss: shown.ys,
      evalSteps: shownEval.xs,
      evalLoss: shownEval.ys,
      fitSteps,
      fit: fitValues,
      fitLower,
      fitUpper,
      lrSteps: shownLr.xs,
      lr: shownLr.ys,
      wall: logged ? wallClockView(logged) : undefined,
    };
    const entry = { key, fit, display, logged };
    this.displayCache.set(run.id, entry);
    return entry;
  }

  /** The run's health (runs/health.ts), remembered per loss series. */
  private healthOf(run: Run, loss: Series | undefined): RunHealth {
    if (!loss) return runHealth(run, loss);
    const status = `${run.status}|${run.statusReason ?? ''}`;
    const memo = this.healthMemo.get(loss.values);
    if (memo && memo.status === status) return memo.health;
    const health = runHealth(run, loss);
    this.healthMemo.set(loss.values, { status, health });
    return health;
  }

  private viewOf(run: Run, deadline: number): RunView {
    const loss = trainLoss(run);
    const healthNow = this.healthOf(run, loss);
    // A diverged run gets no finish forecast.
    const fitted = loss && run.status !== 'failed' && !healthNow.excludeFromFits ? this.curveOf(run, loss, deadline) : undefined;
    const curve = fitted?.prediction;
    const { display, logged } = this.displayOf(run, loss, fitted?.fit, fitted?.lr);
    const lastStep = loss?.steps[loss.steps.length - 1];
    let eta: RunView['eta'];
    if (run.status === 'live' && lastStep !== undefined) {
      const target = Math.max(run.hyper.maxSteps ?? curve?.targetStep ?? lastStep, lastStep);
      eta = logged ? estimateEta(logged, target, 'log') : estimateEta(this.observed.get(run.id) ?? [], target, 'observed');
    }
    const { params, tokensPerStep } = run.hyper;
    const restarts = display.wall?.restartSteps ?? [];
    const health: RunHealth = restarts.length
      ? { ...healthNow, events: [...healthNow.events, ...restarts.map((step) => ({ kind: 'restart' as const, step, note: `restarted at step ${step} (a new launch resumed the run)` }))].sort((a, b) => a.step - b.step) }
      : healthNow;
    return {
      id: run.id,
      health,
      ...(run.statusReason ? { statusReason: run.statusReason } : {}),
      name: run.name,
      family: this.familyName(run),
      familySource: this.grouping.get(run.id)?.source,
      familyReason: this.grouping.get(run.id)?.reason,
      excluded: this.grouping.get(run.id)?.excluded,
      flopsPerStep: params !== undefined && tokensPerStep !== undefined ? approxTrainingFlops(params, tokensPerStep) : undefined,
      eta,
      dir: run.files.length ? path.dirname(run.files[0]) : '',
      format: run.format,
      status: run.status,
      files: run.files,
      hyper: run.hyper,
      lastStep: loss?.steps[loss.steps.length - 1],
      lastLoss: loss?.values[loss.values.length - 1],
      metricChoice: describeMetricChoices(run.metrics ?? []),
      points: run.series.reduce((n, s) => n + s.steps.length, 0),
      ...thinnedPoints(run),
      curve,
      display,
      diagnostics: run.diagnostics,
    };
  }
}

/** A sibling curve with its own arrays (the index's are views into larger buffers, which a message would copy whole). */
function copyCurve(c: SiblingCurve): SiblingCurve {
  return { runId: c.runId, steps: Float64Array.from(c.steps), losses: Float64Array.from(c.losses), lr: c.lr };
}

/** Points a run received but holds only inside averages (very long series, see runs/seriesStore.ts); no key when none. */
function thinnedPoints(run: Run): { pointsThinned?: number } {
  const thinned = run.series.reduce((n, s) => n + (s.thinned ?? 0), 0);
  return thinned > 0 ? { pointsThinned: thinned } : {};
}

/**
 * A run's size, tokens, schedule and family, read by the same config reader that sizes planned
 * configs. Without a model config there is no plan to read (the log's own facts still apply).
 */
export function describeRun(sidecars: RunSidecars): RunFacts | undefined {
  if (!sidecars.config) return undefined;
  const args = sidecars.trainingArgs;
  const read = readConfig({
    file: sidecars.config.path,
    text: sidecars.config.text,
    // The index hands over the sibling it found; any other path is not read.
    readSibling: (p) => (args && path.basename(p) === TRAINING_ARGS_FILE ? args.text : undefined),
  });
  if (read.kind !== 'plan') {
    const why = read.kind === 'error' ? read.message : read.reason;
    return { hyper: {}, notes: [`model size unknown: ${why}`], diagnostics: read.diagnostics };
  }
  const plan = read.plan;
  return {
    hyper: {
      params: plan.params.total,
      nonEmbeddingParams: plan.params.nonEmbedding,
      tokens: plan.tokens,
      tokensPerStep: plan.tokensPerStep,
      seqLen: plan.seqLen,
      peakLr: plan.peakLr,
      maxSteps: plan.maxSteps,
      family: plan.family,
    },
    notes: plan.notes,
    diagnostics: read.diagnostics,
  };
}

/** The run's training-loss series: what curve laws are fitted to. */
export function trainLoss(run: Run): Series | undefined {
  return run.series.find((s) => s.role === 'train_loss' && s.steps.length > 0);
}

/**
 * A run's family: as its training file names it, else a guess from the folder holding the run (the
 * engine refines folder guesses from the runs' hyperparameters, runs/families.ts).
 */
export function familyOf(run: Run): { name: string; guessed: boolean } {
  if (run.hyper.family) return { name: run.hyper.family, guessed: false };
  const parent = path.posix.dirname(run.id);
  return { name: parent === '.' ? '(workspace)' : parent, guessed: true };
}

/**
 * Put `.scalinglens.yaml` values into a run's hyperparameters, each with a note saying where it came
 * from and what it replaced. A corrected tokens-per-step recounts the planned tokens (unless the
 * file gives tokens too), so D follows the correction.
 */
function applyValues(hyper: Run['hyper'], values: RunValues, lines: Partial<Record<keyof RunValues, number>>, file: string): void {
  const where = (k: keyof RunValues) => `${path.basename(file)}:${lines[k]}`;
  for (const k of ['params', 'nonEmbeddingParams', 'tokensPerStep', 'tokens'] as const) {
    const v = values[k];
    if (v === undefined) continue;
    const was = hyper[k];
    hyper[k] = v;
    hyper.notes.push(`${k} = ${v} from ${where(k)}${was !== undefined && was !== v ? ` (read: ${was})` : ''}`);
  }
  if (values.tokensPerStep !== undefined && values.tokens === undefined && hyper.maxSteps !== undefined) {
    hyper.tokens = hyper.maxSteps * values.tokensPerStep;
    hyper.notes.push(`tokens = maxSteps ${hyper.maxSteps} × tokensPerStep ${values.tokensPerStep} (${where('tokensPerStep')})`);
  }
}
