// The engine shared by the worker and the CLI: a run index fed with file paths, the curve law
// of every run, the cross-run law of every family, and estimates for training configs.
// Everything here is synchronous and pure apart from reading files; callers own the threads.
import * as path from 'node:path';
import { RunIndex, type RunFacts, type RunSidecars } from './runs/index';
import type { Run, Series } from './runs/types';
import { fitCurve, sampleCurve, type CurveFit } from './fit/curve';
import { fitCrossRun, predictCrossRun, smoothedFinalLoss, type CrossRunFit, type CrossRunPoint } from './fit/crossRun';
import { readConfig } from './configs/index';
import { trainingFlops } from './plan/flops';
import { downsampleLogX } from './display';
import type { ConfigEstimate, CurvePrediction, FamilyLaw, LossEstimate } from './snapshot';
import type { RunView, Snapshot } from '../shared/protocol';
import type { Diagnostic } from './diagnostics';

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
}

/** A run's model file and training file sit beside its logs, named as Hugging Face names them. */
export const MODEL_CONFIG_FILE = 'config.json';
export const TRAINING_ARGS_FILE = 'training_args.json';

/** How far past the largest fitted run a prediction may go before it is flagged (×, in N or D). */
const EXTRAPOLATION_FACTOR = 10;

interface Cached<T> {
  key: string;
  value: T;
}

export class ScalingWorkspace {
  private readonly index: RunIndex;
  private readonly curveCache = new Map<string, Cached<CurveFit | { error: string }>>();
  private readonly familyCache = new Map<string, Cached<CrossRunFit | { error: string }>>();
  private version = 0;

  constructor(private options: WorkspaceOptions) {
    this.index = new RunIndex({ describeRun });
  }

  /** New options; curve fits that depended on the old ones are dropped and redone lazily. */
  configure(options: WorkspaceOptions): void {
    const curvesChanged = options.minPointsForCurve !== this.options.minPointsForCurve || options.curveResamples !== this.options.curveResamples;
    this.options = options;
    if (curvesChanged) this.curveCache.clear();
  }

  /** Forgets every run and fit (a rescan follows). Snapshot versions keep increasing. */
  clear(): void {
    this.index.clear();
    this.curveCache.clear();
    this.familyCache.clear();
  }

  update(absPath: string, root: string): void {
    this.index.update(absPath, root);
  }

  remove(absPath: string): void {
    this.index.remove(absPath);
  }

  runs(): Run[] {
    return this.index.runs();
  }

  diagnostics(): Diagnostic[] {
    return this.index.diagnostics();
  }

  /**
   * Fits what changed since the last call (cached by a key of each fit's inputs) and returns the
   * whole picture. `deadline` is a `performance.now()` time; fits past it return their best so far.
   */
  snapshot(deadline = Number.POSITIVE_INFINITY): Snapshot {
    const started = performance.now();
    const runs = this.index.runs();
    const families = this.fitFamilies(runs, deadline);
    const views = runs.map((run) => this.viewOf(run, deadline));
    const incomplete = views.some((v) => v.curve?.timedOut) || families.some((f) => f.fit?.timedOut);
    return {
      version: ++this.version,
      runs: views,
      families,
      diagnostics: this.index.diagnostics(),
      fitMs: performance.now() - started,
      incomplete,
    };
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
    if (plan.tokens !== undefined) {
      const flops = trainingFlops(plan);
      estimate.cost = { flops: flops.flops, convention: flops.convention };
    } else {
      notes.push(`Training tokens unknown: add ${TRAINING_ARGS_FILE} with max_steps and batch sizes, or total_tokens.`);
    }
    const loss = this.predictLoss(plan.params.total, plan.tokens, plan.family, deadline);
    if ('uncalibrated' in loss) estimate.predictions.uncalibrated = loss.uncalibrated;
    else estimate.predictions.loss = loss;
    return estimate;
  }

  private predictLoss(params: number, tokens: number | undefined, family: string | undefined, deadline: number): LossEstimate | { uncalibrated: string } {
    if (tokens === undefined) return { uncalibrated: 'training tokens unknown' };
    const runs = this.index.runs();
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
    if (!chosen.fit) return { uncalibrated: `the law of family "${chosen.family}" could not be fitted: ${chosen.error ?? 'unknown reason'}` };
    if (chosen.fit.timedOut) return { uncalibrated: `the law of family "${chosen.family}" is still being fitted` };
    const prediction = predictCrossRun(chosen.fit, params, tokens);
    const fittedRuns = runs.filter((r) => chosen.runIds.includes(r.id));
    const maxParams = Math.max(...fittedRuns.map((r) => r.hyper.params ?? 0));
    const maxTokens = Math.max(...fittedRuns.map((r) => r.hyper.tokens ?? 0));
    const beyond: string[] = [];
    if (params > EXTRAPOLATION_FACTOR * maxParams) beyond.push(`${(params / maxParams).toFixed(0)}× the largest model fitted`);
    if (tokens > EXTRAPOLATION_FACTOR * maxTokens) beyond.push(`${(tokens / maxTokens).toFixed(0)}× the most tokens fitted`);
    return {
      ...prediction,
      family: chosen.family,
      runsUsed: chosen.runIds,
      familyAssumed,
      extrapolation: beyond.length ? beyond.join('; ') : undefined,
    };
  }

  private fitFamilies(runs: Run[], deadline: number): FamilyLaw[] {
    const byFamily = new Map<string, { guessed: boolean; points: CrossRunPoint[]; runIds: string[] }>();
    for (const run of runs) {
      const { name, guessed } = familyOf(run);
      const entry = byFamily.get(name) ?? { guessed, points: [], runIds: [] };
      byFamily.set(name, entry);
      if (run.status !== 'finished') continue;
      const loss = trainLoss(run);
      const { params, tokens } = run.hyper;
      if (!loss || params === undefined || tokens === undefined) continue;
      const final = smoothedFinalLoss(loss.steps, loss.values);
      if (!Number.isFinite(final)) continue;
      entry.points.push({ runId: run.id, params, tokens, loss: final });
      entry.runIds.push(run.id);
    }
    const out: FamilyLaw[] = [];
    for (const [family, { guessed, points, runIds }] of byFamily) {
      if (points.length === 0) {
        out.push({ family, guessed, runIds, error: 'no finished runs with known parameters and tokens' });
        continue;
      }
      const key = JSON.stringify(points);
      let cached = this.familyCache.get(family);
      if (!cached || cached.key !== key) {
        const value = fitCrossRun(points, { deadline, seed: this.options.seed ?? 1 });
        cached = { key, value };
        // A fit cut short by the deadline is not cached, so the next round finishes it.
        if (!('timedOut' in value && value.timedOut)) this.familyCache.set(family, cached);
      }
      const value = cached.value;
      out.push('error' in value ? { family, guessed, runIds, error: value.error } : { family, guessed, runIds, fit: value });
    }
    return out.sort((a, b) => a.family.localeCompare(b.family));
  }

  private curveOf(run: Run, loss: Series, deadline: number): { prediction: CurvePrediction; fit: CurveFit } | undefined {
    if (loss.steps.length < this.options.minPointsForCurve) return undefined;
    const lastStep = loss.steps[loss.steps.length - 1];
    const targetStep = Math.max(run.hyper.maxSteps ?? lastStep, lastStep);
    const key = `${loss.steps.length}|${lastStep}|${loss.values[loss.values.length - 1]}|${targetStep}`;
    let cached = this.curveCache.get(run.id);
    if (!cached || cached.key !== key) {
      const value = fitCurve(loss.steps, loss.values, { targetStep, deadline, seed: this.options.seed ?? 1, resamples: this.options.curveResamples ?? 40 });
      cached = { key, value };
      if (!('timedOut' in value && value.timedOut)) this.curveCache.set(run.id, cached);
    }
    const fit = cached.value;
    if ('error' in fit) return undefined;
    const prediction: CurvePrediction = {
      lawId: fit.lawId,
      targetStep: fit.targetStep,
      predictedFinal: fit.predictedFinal,
      parameters: fit.parameters,
      validation: fit.validation,
      pointsUsed: fit.pointsUsed,
      timedOut: fit.timedOut,
    };
    return { prediction, fit };
  }

  private viewOf(run: Run, deadline: number): RunView {
    const maxPoints = this.options.displayPoints ?? 600;
    const loss = trainLoss(run);
    const evalLoss = run.series.find((s) => s.role === 'eval_loss');
    const shown = loss ? downsampleLogX(loss.steps, loss.values, maxPoints) : { xs: [], ys: [] };
    const shownEval = evalLoss ? downsampleLogX(evalLoss.steps, evalLoss.values, maxPoints) : { xs: [], ys: [] };
    const fitted = loss && run.status !== 'failed' ? this.curveOf(run, loss, deadline) : undefined;
    const curve = fitted?.prediction;
    let fitSteps: number[] = [];
    let fit: number[] = [];
    let fitLower: number[] = [];
    let fitUpper: number[] = [];
    if (fitted && loss) {
      // The band is drawn from the very fit the prediction reports (it may be a partial one).
      const from = Math.max(1, loss.steps[0]);
      ({ steps: fitSteps, values: fit, lower: fitLower, upper: fitUpper } = sampleCurve(fitted.fit, from, fitted.fit.targetStep, 80));
    }
    return {
      id: run.id,
      name: run.name,
      dir: run.files.length ? path.dirname(run.files[0]) : '',
      format: run.format,
      status: run.status,
      files: run.files,
      hyper: run.hyper,
      lastStep: loss?.steps[loss.steps.length - 1],
      lastLoss: loss?.values[loss.values.length - 1],
      points: run.series.reduce((n, s) => n + s.steps.length, 0),
      curve,
      display: { steps: shown.xs, loss: shown.ys, evalSteps: shownEval.xs, evalLoss: shownEval.ys, fitSteps, fit, fitLower, fitUpper },
      diagnostics: run.diagnostics,
    };
  }
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

/** A run's family: as its training file names it, else a guess from the folder holding the run. */
export function familyOf(run: Run): { name: string; guessed: boolean } {
  if (run.hyper.family) return { name: run.hyper.family, guessed: false };
  const parent = path.posix.dirname(run.id);
  return { name: parent === '.' ? '(workspace)' : parent, guessed: true };
}
