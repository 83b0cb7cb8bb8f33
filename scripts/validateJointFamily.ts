// `npm run validate`, "One model of a family": the family's Chinchilla law fitted alone on its runs'
// ends (fitCrossRun, a live run anchored by its own curve forecast as one run: the engine today)
// against the joint fit (fit/jointFamily.ts: ends weighed by their uncertainty, the curves'
// asymptotes tying E and the model term). Data: the Multi-Power-Law curves (3 sizes × 9 schedules)
// as the real example lays them out (examples-real/TRUTH.json: each run's N and D, tokens per step
// assumed there; the family is the runs whose LR decays to 3e-5, as its .scalinglens.yaml says).
//  - "live 30%": the three 72k-step cosine runs cut to their first 30% (as in the example), every
//    other family run finished → each live run's final loss, as the family model gives it at its N, D;
//  - "largest size held out": the 25M and 100M family runs → each 400M family run's final loss.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { scheduleFromLog } from '../src/core/laws/schedule';
import { fitCurve } from '../src/core/fit/curve';
import { fitCrossRun, predictCrossRun, PRIOR_RUN_THRESHOLD, smoothedFinalLoss, type CrossRunFit, type CrossRunPoint } from '../src/core/fit/crossRun';
import { forecastWithSameSize, SAME_SIZE_FORECAST_FLOOR } from '../src/core/fit/siblingForecast';
import { curveAsymptote, fitJointFamily, type JointRunPoint } from '../src/core/fit/jointFamily';

export interface JointCase {
  experiment: 'live 30%' | 'largest size held out' | 'largest size live 30%';
  label: string;
  truth: number;
  /** The run's own curve forecast (live runs only). */
  curve?: number;
  separate: number;
  /** The separate fit as before the size rule (priors below PRIOR_RUN_THRESHOLD runs only). */
  separateBefore: number;
  joint: number;
  /** Joint without the asymptotes (ends weighed only). */
  jointEndsOnly: number;
  /** The live run's forecast from its finished same-size siblings (siblingForecast.ts), and the joint fit anchored on it instead. */
  siblingCurve?: number;
  jointSiblings?: number;
}

/** Runs of the family (the example's .scalinglens.yaml leaves out those whose LR does not decay to 3e-5). */
const FAMILY = ['cosine_24000', 'cosine_72000', 'wsd_20000_24000', 'wsdld_20000_24000', 'wsdcon_3'];
const SIZES = ['25', '100', '400'];
const LIVE = 'cosine_72000';
const LIVE_FRACTION = 0.3;
const BUDGET_MS = 60_000;

interface RunData {
  id: string;
  size: string;
  params: number;
  tokens: number;
  steps: number[];
  losses: number[];
  lr: Float64Array;
  peakLr: number;
  endLr: number;
}

export function load(dataRoot: string, truthFile: string): RunData[] {
  const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as { runs: Record<string, { params: number; tokens: number; maxSteps: number }> };
  const out: RunData[] = [];
  for (const size of SIZES) {
    for (const name of FAMILY) {
      const file = path.join(dataRoot, 'multipowerlaw-schedules', `csv_${size}`, `${name}.csv`);
      const meta = truth.runs[`runs/llama-${size}m/${name}`];
      if (!fs.existsSync(file) || !meta) continue;
      const rows = (parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[]).map((r) => ({
        step: Number(r.step),
        lr: Number(r.lr),
        loss: Number(r.loss),
      }));
      const steps = rows.map((r) => r.step);
      const lrs = rows.map((r) => r.lr);
      // Linear warmup from 0 to the first logged LR (the files start after it), as validate.ts reads them.
      const lr = scheduleFromLog([0, ...steps], [0, ...lrs], Math.max(meta.maxSteps, steps[steps.length - 1]));
      out.push({
        id: `${size}M/${name}`,
        size,
        params: meta.params,
        tokens: meta.tokens,
        steps,
        losses: rows.map((r) => r.loss),
        lr,
        peakLr: lrs.reduce((a, b) => Math.max(a, b), 0),
        endLr: lrs[lrs.length - 1],
      });
    }
  }
  return out;
}

/** The run's multi-power fit on its first `fraction` of steps: forecast at its last step, its spread and asymptote. */
export function curveOf(r: RunData, fraction: number): { forecast: number; spread: number; asymptote: number } | undefined {
  const n = fraction >= 1 ? r.steps.length : r.steps.filter((s) => s <= fraction * r.lr.length).length;
  const fit = fitCurve(r.steps.slice(0, n), r.losses.slice(0, n), {
    targetStep: r.lr.length - 1,
    law: 'multipower',
    lr: r.lr,
    seed: 1,
    resamples: 0,
    validationPrefixes: [],
    checkBreak: false,
    deadline: performance.now() + BUDGET_MS,
  });
  if ('error' in fit) return undefined;
  const L0 = fit.parameters.L0?.value;
  const B = fit.parameters.B?.value;
  return {
    forecast: fit.predictedFinal.value,
    spread: fit.intervalFloor,
    asymptote: L0 !== undefined && B !== undefined ? curveAsymptote(L0, B, r.peakLr, r.endLr) : NaN,
  };
}

/** `fitCrossRun` as it was before MIN_SIZES_WITHOUT_PRIORS: no priors from PRIOR_RUN_THRESHOLD runs on (none of these families has an allocation prior). */
function fitBefore(points: readonly CrossRunPoint[], opts: { resamples: number; seed: number; deadline: number }) {
  return fitCrossRun(points, { ...opts, priors: new Set(points.map((p) => p.runId)).size >= PRIOR_RUN_THRESHOLD ? 'never' : 'auto' });
}

const at = (fit: CrossRunFit | { error: string }, r: RunData) => ('error' in fit ? NaN : predictCrossRun(fit, r.params, r.tokens).value);

export function jointFamilyBacktests(dataRoot: string, truthFile: string, log: (m: string) => void): { cases: JointCase[]; notes: string[] } {
  const notes: string[] = [];
  const cases: JointCase[] = [];
  if (!fs.existsSync(truthFile)) return { cases, notes: [`joint family: ${truthFile} not found`] };
  const runs = load(dataRoot, truthFile);
  const finals = new Map(runs.map((r) => [r.id, smoothedFinalLoss(r.steps, r.losses)]));
  const full = new Map(runs.map((r) => [r.id, curveOf(r, 1)]));
  const point = (r: RunData, live: boolean): JointRunPoint | undefined => {
    const c = live ? curveOf(r, LIVE_FRACTION) : full.get(r.id);
    const loss = live ? c?.forecast : finals.get(r.id);
    if (loss === undefined || !(loss > 0)) return undefined;
    const p: JointRunPoint = { runId: r.id, params: r.params, tokens: r.tokens, loss };
    if (live && c) p.spread = c.spread;
    if (c && Number.isFinite(c.asymptote)) p.asymptote = c.asymptote;
    return p;
  };
  const opts = { resamples: 0, seed: 1, deadline: performance.now() + BUDGET_MS };
  // Live 30%: the example's three live runs at once.
  const lives = runs.filter((r) => r.id.endsWith(LIVE));
  const pts = runs.map((r) => point(r, lives.includes(r))).filter((p): p is JointRunPoint => p !== undefined);
  // The engine anchors a live run's forecast rounded to 1e-3 (engine/familyFits.ts).
  const separate = fitCrossRun(
    pts.map((p) => ({ runId: p.runId, params: p.params, tokens: p.tokens, loss: p.spread !== undefined ? Math.round(p.loss * 1e3) / 1e3 : p.loss })),
    opts,
  );
  const before = fitBefore(
    pts.map((p) => ({ runId: p.runId, params: p.params, tokens: p.tokens, loss: p.spread !== undefined ? Math.round(p.loss * 1e3) / 1e3 : p.loss })),
    opts,
  );
  const joint = fitJointFamily(pts, opts);
  const endsOnly = fitJointFamily(pts, { ...opts, asymptotes: false });
  // The engine's forecast of a live run with finished siblings of its size: one multi-power fit over them all.
  const fromSiblings = new Map<string, number>();
  for (const r of lives) {
    const n = r.steps.filter((s) => s <= LIVE_FRACTION * r.lr.length).length;
    const siblings = runs
      .filter((o) => o.size === r.size && !lives.includes(o))
      .map((o) => ({ runId: o.id, steps: o.steps, losses: o.losses, lr: o.lr.subarray(0, o.steps[o.steps.length - 1] + 1) }));
    const f = forecastWithSameSize(r.steps.slice(0, n), r.losses.slice(0, n), r.lr, r.lr.length - 1, siblings, { deadline: performance.now() + BUDGET_MS });
    if ('error' in f) notes.push(`joint family: ${r.id} from siblings: ${f.error}`);
    else fromSiblings.set(r.id, f.prediction.value);
  }
  const sibPts = pts.map((p) => (fromSiblings.has(p.runId) ? { ...p, loss: fromSiblings.get(p.runId)!, spread: SAME_SIZE_FORECAST_FLOOR } : p));
  const jointSib = fitJointFamily(sibPts, { ...opts, asymptotes: false });
  for (const r of lives) {
    cases.push({
      experiment: 'live 30%',
      label: r.id,
      truth: finals.get(r.id)!,
      curve: pts.find((p) => p.runId === r.id)?.loss,
      separate: at(separate, r),
      separateBefore: at(before, r),
      joint: at(joint, r),
      jointEndsOnly: at(endsOnly, r),
      siblingCurve: fromSiblings.get(r.id),
      jointSiblings: at(jointSib, r),
    });
  }
  log('joint family: live 30% done');
  // Largest size held out: every 25M and 100M family run finished → the 400M runs' ends.
  const small = runs.filter((r) => r.size !== '400');
  const smallPts = small.map((r) => point(r, false)).filter((p): p is JointRunPoint => p !== undefined);
  const sepSmall = fitCrossRun(
    smallPts.map(({ runId, params, tokens, loss }) => ({ runId, params, tokens, loss })),
    opts,
  );
  const beforeSmall = fitBefore(
    smallPts.map(({ runId, params, tokens, loss }) => ({ runId, params, tokens, loss })),
    opts,
  );
  const jointSmall = fitJointFamily(smallPts, opts);
  const endsSmall = fitJointFamily(smallPts, { ...opts, asymptotes: false });
  for (const f of [separate, joint, endsOnly, sepSmall, jointSmall, endsSmall]) if ('error' in f) notes.push(`joint family: ${f.error}`);
  for (const r of runs.filter((x) => x.size === '400')) {
    cases.push({
      experiment: 'largest size held out',
      label: r.id,
      truth: finals.get(r.id)!,
      separate: at(sepSmall, r),
      separateBefore: at(beforeSmall, r),
      joint: at(jointSmall, r),
      jointEndsOnly: at(endsSmall, r),
    });
  }
  // Largest size live: the same, and the 400M cosine 72k run live at 30% (its forecast anchors the law).
  const big = runs.find((r) => r.size === '400' && r.id.endsWith(LIVE));
  const bigPoint = big && point(big, true);
  if (big && bigPoint) {
    const withLive = [...smallPts, bigPoint];
    const sep = fitCrossRun(
      withLive.map(({ runId, params, tokens, loss, spread }) => ({ runId, params, tokens, loss: spread !== undefined ? Math.round(loss * 1e3) / 1e3 : loss })),
      opts,
    );
    const sepBefore = fitBefore(
      withLive.map(({ runId, params, tokens, loss, spread }) => ({ runId, params, tokens, loss: spread !== undefined ? Math.round(loss * 1e3) / 1e3 : loss })),
      opts,
    );
    const jnt = fitJointFamily(withLive, opts);
    const ends = fitJointFamily(withLive, { ...opts, asymptotes: false });
    for (const f of [sep, jnt, ends]) if ('error' in f) notes.push(`joint family (largest size live): ${f.error}`);
    for (const r of runs.filter((x) => x.size === '400')) {
      cases.push({
        experiment: 'largest size live 30%',
        label: r.id,
        truth: finals.get(r.id)!,
        curve: r === big ? bigPoint.loss : undefined,
        separate: at(sep, r),
        separateBefore: at(sepBefore, r),
        joint: at(jnt, r),
        jointEndsOnly: at(ends, r),
      });
    }
  }
  log('joint family: largest size held out done');
  return { cases, notes };
}

const errPct = (p: number | undefined, t: number) => (p !== undefined && Number.isFinite(p) ? (100 * (p - t)) / t : NaN);
const show = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}%` : '–');
function meanAbs(xs: readonly number[]): number {
  const a = xs.filter(Number.isFinite).map(Math.abs);
  return a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN;
}
function medianAbs(xs: readonly number[]): number {
  const a = xs
    .filter(Number.isFinite)
    .map(Math.abs)
    .sort((x, y) => x - y);
  return a.length ? (a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2) : NaN;
}

/** The report's section: per case and per experiment, the separate fit against the joint ones. */
export function jointFamilyReport(cases: readonly JointCase[]): string[] {
  if (!cases.length) return [];
  const md = ["## One model of a family: the family law fitted alone or jointly with its runs' curves", ''];
  md.push(
    'Multi-Power-Law curves laid out as the real example (examples-real/TRUTH.json: N, D = steps × 524,288 tokens; family = the runs whose LR decays to 3e-5: cosine 24k/72k, WSD, WSD linear, wsdcon_3). Prediction = the family model\'s loss at the run\'s N and D; truth = the run\'s smoothed final loss. "separate": `fitCrossRun` on the ends, a live run\'s own curve forecast (rounded, as engine/familyFits.ts anchors it) counted as one run; "before" is it without the priors now used below 3 model sizes (MIN_SIZES_WITHOUT_PRIORS), i.e. the engine before this step. "joint, ends weighed" (`fitJointFamily` without asymptotes; what the engine now fits): each end weighed by its uncertainty (a live forecast by its interval, an observed end at ±0.5%). "joint + asymptotes": also each run\'s multi-power curve carried to unlimited steps tied to E + A/N^α. "joint, sibling anchors": ends weighed, a live run\'s end from its finished same-size siblings (`forecastWithSameSize`, ±0.43%) instead of its own prefix. "live 30%": the three 72k cosine runs cut to 30% at once, all else finished. "largest size held out": the 25M and 100M family runs, all finished → the 400M runs (no live run: separate and "ends weighed" are the same fit). "largest size live 30%": the same and the 400M cosine 72k run live at 30%.',
    '',
  );
  md.push(
    '| experiment | run | truth | own curve | separate, before | separate | joint, ends weighed | joint + asymptotes | joint, sibling anchors |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of cases) {
    md.push(
      `| ${c.experiment} | ${c.label} | ${c.truth.toFixed(4)} | ${show(errPct(c.curve, c.truth))} | ${show(errPct(c.separateBefore, c.truth))} | ${show(errPct(c.separate, c.truth))} | ${show(errPct(c.jointEndsOnly, c.truth))} | ${show(errPct(c.joint, c.truth))} | ${show(errPct(c.jointSiblings, c.truth))} |`,
    );
  }
  md.push(
    '',
    '| experiment | cases | median / mean abs err: separate, before | separate | joint, ends weighed | joint + asymptotes | joint, sibling anchors |',
    '|---|---|---|---|---|---|---|',
  );
  for (const experiment of ['live 30%', 'largest size held out', 'largest size live 30%'] as const) {
    const cs = cases.filter((c) => c.experiment === experiment);
    if (!cs.length) continue;
    const m = (f: (c: JointCase) => number | undefined) => {
      const errs = cs.map((c) => errPct(f(c), c.truth));
      return `${show(medianAbs(errs)).replace('+', '')} / ${show(meanAbs(errs)).replace('+', '')}`;
    };
    md.push(
      `| ${experiment} | ${cs.length} | ${m((c) => c.separateBefore)} | ${m((c) => c.separate)} | ${m((c) => c.jointEndsOnly)} | ${m((c) => c.joint)} | ${m((c) => c.jointSiblings)} |`,
    );
  }
  md.push('');
  return md;
}
