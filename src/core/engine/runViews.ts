// Snapshot building, per run: the view the UI gets (summary numbers, health, ETA, display series
// downsampled, the sampled fit and band), remade only when the run's series or its fit changed.
import * as path from 'node:path';
import type { Run, Series } from '../runs/types';
import { sampleCurve, type CurveFit } from '../fit/curve';
import { runHealth, type RunHealth } from '../runs/health';
import { downsampleLogX } from '../display';
import type { CurvePrediction, RunView } from '../snapshot';
import { estimateEta, loggedClock, wallClockView, type TimedStep } from '../dashboardData';
import { etaFromFileTimes, newestFileTimes, type FileTimes } from '../etaSources';
import { describeMetricChoices } from '../runs/vocabulary';
import { approxTrainingFlops } from '../laws/trainingCompute';
import { trainLoss, type Grouping } from './runCatalog';
import { forecastBandOf, forecastBreak, type ForecastBand, type ForecastBreak } from '../fit/forecastBreak';

/** Observed arrivals kept per run for the ETA (oldest dropped first). */
const MAX_OBSERVATIONS = 500;

/** A run's curve fit as the engine hands it over: the prediction, the fit drawn, and the LR schedule it used. */
export interface FittedCurve {
  prediction: CurvePrediction;
  fit: CurveFit;
  lr?: Float64Array;
}

export interface RunViewOptions {
  /** Points per display series sent to the UI. */
  displayPoints?: number;
  /** Wall clock in ms (default Date.now): the ETA of runs whose logs record no time. */
  now?: () => number;
  /** A file's creation and last-write times (default: fs.statSync), for the ETA of a live run whose log has no clock. */
  fileTimes?: (file: string) => FileTimes | undefined;
}

export class RunViews {
  /** When each run's last step was first seen, for runs whose logs carry no wall clock. */
  private readonly observed = new Map<string, TimedStep[]>();
  /** Each run's health by its loss array (a new array whenever the series changes), with the status it was judged with. */
  private readonly healthMemo = new WeakMap<Float64Array, { status: string; health: RunHealth }>();
  /** Per run seen live, the earlier forecast its new points are checked against (fit/forecastBreak.ts; see offForecast). */
  private readonly anchors = new Map<string, ForecastBand>();
  /** The check's result per loss series and forecast. */
  private readonly breakMemo = new WeakMap<Float64Array, { band: ForecastBand; result: ForecastBreak | undefined }>();
  /** Display series per run id, with the inputs they were made from (see display). */
  private readonly displayCache = new Map<
    string,
    { key: string; fit: CurveFit | undefined; intervalPending: boolean; display: RunView['display']; logged: TimedStep[] | undefined }
  >();

  /** The options are read at each use (they change with the settings). */
  constructor(private readonly options: () => RunViewOptions) {}

  clear(): void {
    this.observed.clear();
    this.displayCache.clear();
    this.anchors.clear();
  }

  /** Notes when each run's last step was first seen (restarts show as a step going back). */
  observe(runs: Run[]): void {
    const seconds = (this.options().now ?? Date.now)() / 1000;
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
    for (const id of this.anchors.keys()) if (!present.has(id)) this.anchors.delete(id);
  }

  /**
   * Whether the run's loss has left the interval of an earlier forecast. The first forecast of a
   * live run is kept; once the run has followed it to twice that forecast's last fitted step, the
   * current forecast takes its place (so a break is judged against a forecast made well before
   * it, not against a refit that already bends with it). A broken forecast is kept, and so the
   * note stays, until the run rewinds behind it. A point forecast whose interval is pending never
   * becomes the anchor: its band is only the error floor (the full fit may land at the same step).
   */
  private offForecast(run: Run, loss: Series | undefined, fitted: FittedCurve | undefined): ForecastBreak | undefined {
    if (!loss) return undefined;
    const band = this.anchors.get(run.id);
    const fit = fitted?.prediction.intervalPending ? undefined : fitted?.fit;
    if (!band || (fitted && fitted.fit.lastFittedStep < band.fittedAtStep)) {
      const first = run.status === 'live' && fit ? forecastBandOf(fit, fitted?.lr) : undefined;
      if (first) this.anchors.set(run.id, first);
      else this.anchors.delete(run.id);
      return undefined;
    }
    const memo = this.breakMemo.get(loss.values);
    const result = memo && memo.band === band ? memo.result : forecastBreak(band, loss.steps, loss.values);
    this.breakMemo.set(loss.values, { band, result });
    if (!result && run.status === 'live' && fit && fit.lastFittedStep >= 2 * band.fittedAtStep) {
      const next = forecastBandOf(fit, fitted?.lr);
      if (next) this.anchors.set(run.id, next);
    }
    return result;
  }

  /** The run's health (runs/health.ts), remembered per loss series. */
  health(run: Run, loss: Series | undefined): RunHealth {
    if (!loss) return runHealth(run, loss);
    const status = `${run.status}|${run.statusRule ?? ''}|${run.statusStep ?? ''}|${run.statusReason ?? ''}`;
    const memo = this.healthMemo.get(loss.values);
    if (memo && memo.status === status) return memo.health;
    const health = runHealth(run, loss);
    this.healthMemo.set(loss.values, { status, health });
    return health;
  }

  /** The run as the UI sees it, with its health (see `health`), its curve fit (if any), its family and grouping. */
  view(run: Run, loss: Series | undefined, healthNow: RunHealth, fitted: FittedCurve | undefined, family: string, group: Grouping | undefined): RunView {
    const curve = fitted?.prediction;
    const { display, logged } = this.display(run, loss, fitted?.fit, fitted?.lr, fitted?.prediction.intervalPending === true);
    const lastStep = loss?.steps[loss.steps.length - 1];
    let eta: RunView['eta'];
    if (run.status === 'live' && lastStep !== undefined) {
      const target = Math.max(run.hyper.maxSteps ?? curve?.targetStep ?? lastStep, lastStep);
      eta = logged ? estimateEta(logged, target, 'log') : estimateEta(this.observed.get(run.id) ?? [], target, 'observed');
      // No clock and fewer than two arrivals yet: the log file's own times (earlier runs' paces are tried once every run is viewed).
      if (!eta && loss) eta = etaFromFileTimes(loss.steps[0], lastStep, target, newestFileTimes(run.files, this.options().fileTimes));
    }
    const { params, tokensPerStep } = run.hyper;
    const restarts = display.wall?.restartSteps ?? [];
    const offForecast = this.offForecast(run, loss, fitted);
    const health: RunHealth =
      restarts.length || offForecast
        ? {
            ...healthNow,
            events: [
              ...healthNow.events,
              ...restarts.map((step) => ({ kind: 'restart' as const, step, note: `restarted at step ${step} (a new launch resumed the run)` })),
              ...(offForecast ? [{ kind: 'forecast-break' as const, step: offForecast.fromStep, note: offForecast.note }] : []),
            ].sort((a, b) => a.step - b.step),
          }
        : healthNow;
    return {
      id: run.id,
      health,
      ...(run.statusReason ? { statusReason: run.statusReason } : {}),
      name: run.name,
      family: family,
      familySource: group?.source,
      familyReason: group?.reason,
      excluded: group?.excluded,
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

  /**
   * The run's display series (downsampled loss, eval, LR, wall clock, the sampled fit and band),
   * remade only when one of its series grew or changed at its end or the fit changed: with 200
   * runs of 100k points, re-downsampling the unchanged ones on every update is most of the cost.
   */
  private display(
    run: Run,
    loss: Series | undefined,
    fit: CurveFit | undefined,
    fitLr: Float64Array | undefined,
    intervalPending: boolean,
  ): { display: RunView['display']; logged: TimedStep[] | undefined } {
    const maxPoints = this.options().displayPoints ?? 600;
    const key = `${maxPoints}|${run.series.map((s) => `${s.metric}:${s.steps.length}:${s.steps[s.steps.length - 1]}:${s.values[s.values.length - 1]}`).join('|')}`;
    const cached = this.displayCache.get(run.id);
    if (cached && cached.key === key && cached.fit === fit && cached.intervalPending === intervalPending) return cached;
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
      // A point fit's band is only the error floor: not drawn as the 80% band while its interval is coming.
      if (intervalPending) fitLower = fitUpper = [];
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
    const entry = { key, fit, intervalPending, display, logged };
    this.displayCache.set(run.id, entry);
    return entry;
  }
}

/** Points a run received but holds only inside averages (very long series, see runs/seriesStore.ts); no key when none. */
function thinnedPoints(run: Run): { pointsThinned?: number } {
  const thinned = run.series.reduce((n, s) => n + (s.thinned ?? 0), 0);
  return thinned > 0 ? { pointsThinned: thinned } : {};
}
