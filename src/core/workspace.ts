// The engine shared by the worker and the CLI: a run index fed with file paths, the curve law
// of every run, the cross-run law of every family, and estimates for training configs.
// Everything here is synchronous and pure apart from reading files; callers own the threads.
//
// A thin composition of the engine's parts, each one responsibility (src/core/engine/):
// runCatalog.ts (runs, files, `.scalinglens.yaml`, families), fitScheduler.ts (fits through the
// fitter, deadlines, the round's pending count), curveFits.ts (each run's curve, the live refit
// policy, sibling forecasts), familyFits.ts (family laws, over-training laws), runViews.ts (each
// run's view), snapshotAssembly.ts (names, ETAs, scaling views), estimates.ts (config estimates).
import * as path from 'node:path';
import { RunCatalog, trainLoss } from './engine/runCatalog';
import { FitScheduler } from './engine/fitScheduler';
import { estimateConfig, type EstimateOptions, type EstimateSources } from './engine/estimates';
import { RunViews } from './engine/runViews';
import { CurveFits } from './engine/curveFits';
import { FamilyFits } from './engine/familyFits';
import { SeriesHashes } from './engine/seriesHashes';
import { familyScalingViews, nameRunViews, derivedViews } from './engine/snapshotAssembly';
import type { WorkspaceOptions } from './engine/options';
import type { Run } from './runs/types';
import type { LawCrossRunFit } from './fit/crossRunLaw';
import { hardwareTable, type HardwareTable } from './plan/hardware';
import type { ConfigEstimate, FamilyLaw, RunView, Snapshot } from './snapshot';
import type { Diagnostic } from './diagnostics';

export { describeRun, trainLoss } from './engine/runCatalog';
export { LIVE_REFIT_GROWTH } from './engine/curveFits';

export class ScalingWorkspace {
  /** The runs, their files, `.scalinglens.yaml` and families (engine/runCatalog.ts). */
  private readonly catalog = new RunCatalog(() => this.options.fitter?.running ?? 0);
  /** Fits through the fitter, with their deadlines and the round's count of fits still running (engine/fitScheduler.ts). */
  private readonly fits = new FitScheduler(() => this.options);
  /** Each run's view in a snapshot: health, ETA, display series (engine/runViews.ts). */
  private readonly views = new RunViews(() => this.options);
  private readonly hashes = new SeriesHashes();
  /** Each run's curve fit, the live refit policy, forecasts from siblings (engine/curveFits.ts). */
  private readonly curves = new CurveFits(() => this.options, this.catalog, this.fits, this.views, this.hashes);
  /** Each family's law and over-training law (engine/familyFits.ts). */
  private readonly families = new FamilyFits(() => this.options, this.catalog, this.fits, this.views, this.curves, this.hashes);
  /** What config estimates are made from (engine/estimates.ts). */
  private readonly estimateSources: EstimateSources = {
    hardware: () => this.hardware,
    seed: () => this.options.seed ?? 1,
    runs: () => this.runs(),
    familyName: (run) => this.catalog.familyName(run),
    fitFamilies: (runs, deadline, opts) => {
      this.askSeenFirst(runs, deadline);
      return this.families.fitFamilies(runs, deadline, opts);
    },
    overtrainFit: (family, chinchilla, points, deadline) => this.families.overtrainFit(family, chinchilla, points, deadline),
    fit: (slot, key, kind, makeJob, deadline) => this.fits.fit(slot, key, kind, makeJob, deadline),
    focusFamily: (family) => this.curves.focusFamily(family),
  };
  private version = 0;
  /** The configs estimated (each may hold a `sweep:` slot in the fitter until it is deleted). */
  private readonly estimatedConfigs = new Set<string>();

  constructor(private options: WorkspaceOptions) {
    this.catalog.configure(options, true);
  }

  /** The hardware table (built-in profiles merged with the user's settings) that costs are computed on. */
  get hardware(): HardwareTable {
    return hardwareTable(this.options.hardware);
  }

  /**
   * The runs the user looks at (the dashboard's focus, the status bar's run): their curve fits are
   * asked for first, ahead of the other runs' (fits are queued, `FitControl.priority`). True when changed.
   */
  lookAt(runIds: readonly string[]): boolean {
    return this.curves.lookAt(runIds);
  }

  /** New options; curve fits that depended on the old ones are dropped and redone lazily. */
  configure(options: WorkspaceOptions): void {
    const curvesChanged = options.minPointsForCurve !== this.options.minPointsForCurve || options.curveResamples !== this.options.curveResamples;
    this.options = options;
    this.catalog.configure(options);
    if (curvesChanged) this.curves.clearCurves();
  }

  /** Forgets every run and fit (a rescan follows). Snapshot versions keep increasing. */
  clear(): void {
    this.catalog.clear();
    this.curves.clear();
    this.families.clear();
    this.views.clear();
  }

  /**
   * The files of a rescan (after `clear`) are all read: the fitter's answers of the runs and families
   * listed before it and not read again are forgotten (see `Fitter.forget`).
   */
  rescanRead(): void {
    const runs = this.runs();
    this.curves.rescanRead(runs);
    this.families.rescanRead(runs);
  }

  update(absPath: string, root: string): void {
    this.catalog.update(absPath, root);
  }

  remove(absPath: string): void {
    this.catalog.remove(absPath);
    // A config deleted (or its folder): its LR / batch sweep answer is forgotten (estimates.ts' `sweep:` slot).
    const gone = [...this.estimatedConfigs].filter((file) => file === absPath || file.startsWith(absPath.endsWith(path.sep) ? absPath : absPath + path.sep));
    for (const file of gone) this.estimatedConfigs.delete(file);
    this.fits.forget(gone.map((file) => `sweep:${file}`));
  }

  /** Every run, with `.scalinglens.yaml` applied: its overrides in `hyper` (with notes) and its family. */
  runs(): Run[] {
    return this.catalog.runs();
  }

  /** Every family's law as fitted now (asked of the fitter, like a snapshot does, without the runs' curves). */
  familyLaws(deadline = Number.POSITIVE_INFINITY): FamilyLaw[] {
    return this.families.fitFamilies(this.runs(), deadline);
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
  snapshot(deadline = Number.POSITIVE_INFINITY, isCancelled?: () => boolean, midRead?: { filesToRead: number }): Snapshot {
    return this.fits.withCancel(isCancelled, () => this.snapshotNow(deadline, midRead));
  }

  /**
   * Wall-clock time (options.now, ms) when a live run's fit that the last snapshot kept (see
   * `liveRefitIntervalMs`) falls due; undefined when none was kept. A caller that only recomputes on
   * file changes schedules one more snapshot for then, so a kept prediction is not left stale.
   */
  refitDueAt(): number | undefined {
    return this.curves.refitDueAt();
  }

  /**
   * `midRead`: a round while a rescan still reads (engine/session.ts). Full family laws are not asked then
   * (FitFamiliesOptions.midRead): fitted with 200 resamples to points the next slice changes, each went
   * ahead of the looked-at run's fits and of the open config's law of the runs read so far; a family
   * shows the law of its runs read so far instead, marked provisional (FitFamiliesOptions.firstLaws).
   */
  private snapshotNow(deadline: number, midRead?: { filesToRead: number }): Snapshot {
    const started = performance.now();
    this.curves.beginRound((this.options.now ?? Date.now)());
    this.fits.beginRound();
    const runs = this.runs();
    this.askSeenFirst(runs, deadline);
    // A family with no law of its own yet (a first scan) shows a provisional one, marked as such (FitFamiliesOptions.firstLaws).
    const families = this.families.fitFamilies(runs, deadline, { firstLaws: true, ...(midRead ? { midRead } : {}) });
    this.views.observe(runs);
    const views = runs.map((run) => this.viewOf(run, deadline));
    nameRunViews(runs, views);
    const scaling = familyScalingViews(families, views, (family, fit, points) => this.families.overtrainFit(family, fit, points, deadline));
    const { seedGroups, validations } = derivedViews(views, families);
    return {
      version: ++this.version,
      runs: views,
      families,
      diagnostics: this.diagnostics(),
      buildMs: performance.now() - started,
      fitting: this.fits.pending,
      seedGroups,
      scaling,
      validations,
    };
  }

  /**
   * The predicted final loss, cost and notes for one training config (its text as the editor has
   * it). Family laws come from the cache when their runs are unchanged; a refit stops at `deadline`.
   */
  estimateConfig(
    file: string,
    text: string,
    readSibling: (absPath: string) => string | undefined,
    deadline = Number.POSITIVE_INFINITY,
    opts: EstimateOptions = {},
  ): ConfigEstimate {
    this.estimatedConfigs.add(file);
    return estimateConfig(this.estimateSources, file, text, readSibling, deadline, opts);
  }

  /**
   * One run's view as a snapshot shows it (a live run forecast from its finished siblings when it has some), without
   * fitting the other runs' curves or the families: `scaling-lens curve` on one run of a workspace.
   */
  runView(runId: string, deadline = Number.POSITIVE_INFINITY): RunView | undefined {
    const runs = this.runs();
    const run = runs.find((r) => r.id === runId);
    if (!run) return undefined;
    this.curves.beginRound((this.options.now ?? Date.now)());
    this.fits.beginRound();
    this.curves.useRuns(runs);
    this.views.observe(runs);
    return this.viewOf(run, deadline);
  }

  /** A fitted family's over-training law (for plans by regime); undefined when the family has no fit. */
  overtrainLaw(family: FamilyLaw, deadline = Number.POSITIVE_INFINITY): LawCrossRunFit | { error: string } | undefined {
    return family.fit ? this.families.overtrainFit(family.family, family.fit, family.points ?? [], deadline) : undefined;
  }

  private viewOf(run: Run, deadline: number): RunView {
    const loss = trainLoss(run);
    const health = this.views.health(run, loss);
    return this.views.view(run, loss, health, this.fittedCurve(run, loss, deadline), this.catalog.familyName(run), this.catalog.group(run.id));
  }

  /**
   * The curves of the runs the user sees are asked for first, most urgent first (CurveFits.seenRank:
   * looked at, live in the open config's family, live): an idle fitting thread starts on the first
   * one asked, while the rest of the round is built.
   */
  private askSeenFirst(runs: Run[], deadline: number): void {
    this.curves.useRuns(runs);
    const seen = runs.map((run) => ({ run, rank: this.curves.seenRank(run) })).filter((s) => s.rank !== undefined);
    for (const { run } of seen.sort((a, b) => a.rank! - b.rank!)) this.fittedCurve(run, trainLoss(run), deadline);
  }

  /** The run's curve and forecast; a diverged run gets no finish forecast. */
  private fittedCurve(run: Run, loss: ReturnType<typeof trainLoss>, deadline: number): ReturnType<CurveFits['curveOf']> {
    return loss && run.status !== 'failed' && !this.views.health(run, loss).excludeFromFits ? this.curves.curveOf(run, loss, deadline) : undefined;
  }
}
