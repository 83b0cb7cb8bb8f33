// `npm run validate`, "Fit-on-prefix checks": the checks a curve fit shows beside its forecast
// (CurveFit['validation']: fits on the first 20/30/50% of the logged steps predicting the last
// logged point, each passed or failed by prefixSanity.ts), recorded per curve so that a change to
// how they are fitted has an accuracy measure. Curves: the 27 Multi-Power-Law curves of
// ../shared/data as live runs (their first 30% and 50%) and finished (all of it), and every
// curve job the engine asks for on examples-real/ and examples/ (their own law, schedule and target).
// Only the checks are measured: no bootstrap (the checks are fitted before it and do not depend on it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clearCurveMemo, fitCurve, type CurveFit, type CurveLawId } from '../src/core/fit/curve';
import { scheduleFromLog } from '../src/core/laws/schedule';
import { ScalingWorkspace } from '../src/core/workspace';
import { isDefaultLogFile } from '../src/core/runs/logGlobs';
import { WORKSPACE_FILE_NAME } from '../src/core/runs/workspaceFile';
import type { FitJob } from '../src/core/fitJobs';
import { parse } from 'csv-parse/sync';

export interface PrefixCheckCase {
  source: 'shared data' | 'examples-real/' | 'examples/';
  curve: string;
  law: string;
  points: number;
  /** The last logged point the checks predict, as the product compares them (smoothed). */
  observed: number;
  checks: { fraction: number; predicted: number; errorPct: number; failed: boolean }[];
  /** The headline check's error (validation.errorPct; NaN when every check failed or none was fitted). */
  headlineErrorPct: number;
  headlineFraction?: number;
}

/** The run so far of each shared Multi-Power-Law curve: a live run at 30% and 50% of its schedule, and finished. */
const SHARED_CUTS = [0.3, 0.5, 1];

function caseOf(source: PrefixCheckCase['source'], curve: string, law: string, points: number, fit: CurveFit): PrefixCheckCase {
  const v = fit.validation;
  return {
    source,
    curve,
    law,
    points,
    observed: v?.observed ?? NaN,
    checks: (v?.prefixes ?? []).map((c) => ({ fraction: c.fraction, predicted: c.predicted, errorPct: c.errorPct, failed: c.failed !== undefined })),
    headlineErrorPct: v?.errorPct ?? NaN,
    headlineFraction: v?.fraction,
  };
}

function sharedCases(dataRoot: string, budgetMs: number, notes: string[]): PrefixCheckCase[] {
  const dir = path.join(dataRoot, 'multipowerlaw-schedules');
  const out: PrefixCheckCase[] = [];
  for (const size of ['25', '100', '400']) {
    const sdir = path.join(dir, `csv_${size}`);
    if (!fs.existsSync(sdir)) continue;
    for (const file of fs
      .readdirSync(sdir)
      .filter((f) => f.endsWith('.csv'))
      .sort()) {
      const rows = (parse(fs.readFileSync(path.join(sdir, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[]).map((r) => ({
        step: Number(r.step),
        lr: Number(r.lr),
        loss: Number(r.loss),
      }));
      const total = Math.max(...rows.map((r) => r.step));
      // The files start after warmup: linear from LR 0 at step 0, as validate's multipower section.
      const lr = scheduleFromLog([0, ...rows.map((r) => r.step)], [0, ...rows.map((r) => r.lr)], total);
      for (const cut of SHARED_CUTS) {
        const kept = rows.filter((r) => r.step <= cut * total);
        const name = `${size}M ${file.replace(/\.csv$/, '')} ${cut === 1 ? 'finished' : `live at ${cut * 100}%`}`;
        clearCurveMemo();
        const fit = fitCurve(
          kept.map((r) => r.step),
          kept.map((r) => r.loss),
          { targetStep: total, law: 'multipower', lr, seed: 1, resamples: 0, checkBreak: false, deadline: performance.now() + budgetMs },
        );
        if ('error' in fit) notes.push(`prefix checks: ${name}: ${fit.error}`);
        else out.push(caseOf('shared data', name, 'multipower', kept.length, fit));
      }
    }
  }
  return out;
}

/** Every curve job the engine asks for on an example folder, fitted as the worker would (fitJobs.ts), without the bootstrap. */
function exampleCases(root: string, source: PrefixCheckCase['source'], budgetMs: number, notes: string[]): PrefixCheckCase[] {
  if (!fs.existsSync(root)) return [];
  const jobs: { name: string; job: Extract<FitJob, { kind: 'curve' }> }[] = [];
  const engine = new ScalingWorkspace({
    minPointsForCurve: 8,
    seed: 1,
    fitter: {
      fit: (slot: string, _key: string, kind: string, makeJob: () => unknown) => {
        if (kind === 'curve') jobs.push({ name: slot.replace(/^curve:/, ''), job: makeJob() as Extract<FitJob, { kind: 'curve' }> });
        return undefined;
      },
    },
  } as ConstructorParameters<typeof ScalingWorkspace>[0]);
  const list = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const f of list(root)
    .filter((f) => isDefaultLogFile(path.relative(root, f)) || path.basename(f) === WORKSPACE_FILE_NAME)
    .sort())
    engine.update(f, root);
  engine.snapshot();
  const out: PrefixCheckCase[] = [];
  // A run asked more than once (its log grew while the folder was read): the last job, the fit the product shows.
  const last = new Map(jobs.map((j) => [j.name, j.job]));
  for (const [name, job] of last) {
    clearCurveMemo();
    const law: CurveLawId = job.law ?? 'power';
    // As fitJobs.ts: the law and schedule when given, else the power law to the planned end.
    const fit = job.lr
      ? fitCurve(job.steps, job.losses, { targetStep: job.targetStep, law, lr: job.lr, seed: job.seed, resamples: 0, deadline: performance.now() + budgetMs })
      : fitCurve(job.steps, job.losses, { targetStep: job.plannedEndStep, seed: job.seed, resamples: 0, deadline: performance.now() + budgetMs });
    if ('error' in fit) notes.push(`prefix checks: ${source}${name}: ${fit.error}`);
    else out.push(caseOf(source, name, job.lr ? law : 'power', job.steps.length, fit));
  }
  return out;
}

export function prefixCheckBacktests(dataRoot: string, repoRoot: string, budgetMs: number, notes: string[]): PrefixCheckCase[] {
  return [
    ...sharedCases(dataRoot, budgetMs, notes),
    ...exampleCases(path.join(repoRoot, 'examples-real'), 'examples-real/', budgetMs, notes),
    ...exampleCases(path.join(repoRoot, 'examples'), 'examples/', budgetMs, notes),
  ];
}

function median(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const meanOf = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const pct = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}%` : '–');

export function prefixCheckReport(cases: readonly PrefixCheckCase[]): string[] {
  if (!cases.length) return [];
  const sources = [...new Set(cases.map((c) => c.source))];
  const fractions = [...new Set(cases.flatMap((c) => c.checks.map((k) => k.fraction)))].sort((a, b) => a - b);
  const rows: string[] = [];
  for (const source of sources) {
    const of = cases.filter((c) => c.source === source);
    for (const fraction of fractions) {
      const checks = of.flatMap((c) => c.checks.filter((k) => k.fraction === fraction));
      if (!checks.length) continue;
      const passed = checks.filter((k) => !k.failed).map((k) => k.errorPct);
      rows.push(
        `| ${source} | first ${fraction * 100}% | ${checks.length} | ${checks.length - passed.length} | ${pct(meanOf(passed))} | ${pct(median(passed))} | ${pct(passed.reduce((a, b) => Math.max(a, b), 0))} | ${passed.filter((e) => e > 3).length} |`,
      );
    }
    const headline = of.map((c) => c.headlineErrorPct).filter(Number.isFinite);
    // Curves with no check at all (too few points for any prefix), and those whose every check failed.
    const noCheck = of.filter((c) => c.checks.length === 0).length;
    const allFailed = of.filter((c) => c.checks.length > 0 && c.checks.every((k) => k.failed)).length;
    rows.push(
      `| ${source} | headline (50% unless failed) | ${headline.length} of ${of.length} curves${noCheck ? ` (${noCheck} with too few points for any check)` : ''} | ${allFailed} | ${pct(meanOf(headline))} | ${pct(median(headline))} | ${pct(headline.reduce((a, b) => Math.max(a, b), 0))} | ${headline.filter((e) => e > 3).length} |`,
    );
  }
  const cell = (c: PrefixCheckCase, fraction: number) => {
    const k = c.checks.find((x) => x.fraction === fraction);
    return k ? `${k.predicted.toFixed(4)} (${pct(k.errorPct)})${k.failed ? ' failed' : ''}` : '–';
  };
  return [
    "## Fit-on-prefix checks: what a curve fit's first 20/30/50% predict for its last point",
    '',
    "The checks the product shows beside a curve forecast (`CurveFit['validation']`, src/core/fit/curve.ts): the same law fitted on the first 20%, 30% and 50% of the logged steps, predicting the (smoothed) last logged loss; a check is failed by prefixSanity.ts when its forecast is beyond the curve's reach. Curves: the 27 Multi-Power-Law curves of `../shared/data` as live runs at 30% and 50% of their schedule and finished, and every curve the engine fits on `examples-real/` and `examples/` (their own law and schedule). Errors of the checks that passed; \"> 3%\": passed checks more than 3% off. A check needs 2 points per parameter (14 for the multi-power law) of the ≤ 100 it is fitted on, counted from the first logged step: after the 10% warm-up drop no curve here has them at 20%, so that check does not appear. No bootstrap (the checks do not depend on it).",
    '',
    '| curves | check | checks | failed | mean error | median error | max error | > 3% |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    "<details><summary>Per curve: each check's forecast (error at the last logged point)</summary>",
    '',
    `| curves | curve | law | points | last loss | ${fractions.map((f) => `first ${f * 100}%`).join(' | ')} |`,
    `|---|---|---|---|---|${fractions.map(() => '---').join('|')}|`,
    ...cases.map((c) => `| ${c.source} | ${c.curve} | ${c.law} | ${c.points} | ${c.observed.toFixed(4)} | ${fractions.map((f) => cell(c, f)).join(' | ')} |`),
    '',
    '</details>',
    '',
  ];
}
