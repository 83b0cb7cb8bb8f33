// `npm run bench`: speed measured side by side in one run on this machine, written to
// bench/report.md (and .json). Never asserted in tests: shared machines are noisy, so figures
// are medians of repeats and comparisons are ratios taken in the same run.
// `npm run bench -- --only scale,dashboard` or `-- --skip scale` runs some sections (bench/sections.ts
// lists them) and writes bench/report-partial.md instead; the default is the complete run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { RunIndex } from '../src/core/runs/index';
import { ScalingWorkspace } from '../src/core/workspace';
import { lensLatency } from './lensLatency';
import { ingestThroughput } from './ingest';
import { dashboardUpdateCost } from './dashboardUpdate';
import { activationTimings, measureActivation, packageSize } from './shipping';
import { describeFitApart, measureFitApart } from './fitApart';
import { isDefaultLogFile } from '../src/core/runs/logGlobs';
import { fitCurve, MAX_CURVE_POINTS, thin, clearCurveMemo } from '../src/core/fit/curve';
import { blockLengthFor } from '../src/core/fit/bootstrap';
import { fitCrossRun, type CrossRunPoint } from '../src/core/fit/crossRun';
import { gaussian, mulberry32, randomInt } from '../src/core/fit/random';
import { chinchillaLaw } from '../src/core/laws/chinchilla';
import { powerLaw } from '../src/core/laws/power';
import { fitLaw } from '../src/core/fit/fitLaw';
import { listFiles, machine, median } from './stats';
import { scaleRows } from './scale';
import { coldStartRows } from './coldStart';
import { npmAudit, patternRatios, tenThousandRuns } from './hostile';
import { cpuMsSoFar, doneWhenRows, SECTIONS, selectSections, type SectionId } from './sections';

const REPEATS = 5;
const CHINCHILLA_RESAMPLES = 200;
const CURVE_RESAMPLES = 100;
const PYTHON = '/usr/bin/python3';
const repoRoot = path.resolve(__dirname, '..');

async function timeMs(fn: () => unknown | Promise<unknown>, repeats = REPEATS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** A JSONL training log like a custom logger writes: step, loss, lr, tokens. */
function writeJsonl(file: string, lines: number): void {
  const rand = mulberry32(3);
  const out: string[] = [];
  for (let s = 1; s <= lines; s++) {
    const loss = (2 + 8 * Math.pow(s, -0.3)) * (1 + 0.01 * gaussian(rand));
    out.push(JSON.stringify({ step: s, loss: Number(loss.toFixed(5)), lr: 3e-4, tokens: s * 524288 }));
  }
  fs.writeFileSync(file, `${out.join('\n')}\n`);
}

/**
 * The run indices of each of our Chinchilla bootstrap resamples, drawn as crossRunLaw.ts draws
 * them (strata of ln N: ≤ 4 bins of ≥ 4 runs; with no priors the PRNG feeds only the draws).
 */
function chinchillaResamples(points: readonly CrossRunPoint[], count: number, seed: number): number[][] {
  const order = points.map((p, i) => ({ v: p.params, i })).sort((a, b) => a.v - b.v || a.i - b.i);
  const k = Math.min(4, Math.floor(order.length / 4));
  const groups: number[][] = [];
  for (let s = 0; s < k; s++) groups.push(order.slice(Math.floor((s * order.length) / k), Math.floor(((s + 1) * order.length) / k)).map((o) => o.i));
  const rng = mulberry32(seed);
  const out: number[][] = [];
  for (let b = 0; b < count; b++) {
    const pick: number[] = [];
    for (const g of groups) for (let j = 0; j < g.length; j++) pick.push(g[randomInt(rng, g.length)]);
    out.push(pick);
  }
  return out;
}

/** Offsets of the blocks of each circular moving-block resample, as bootstrap.ts draws them (seeded). */
function blockStarts(n: number, blockLength: number, count: number, seed: number): number[][] {
  const len = Math.max(1, Math.min(n, Math.round(blockLength)));
  const rng = mulberry32(seed);
  const out: number[][] = [];
  for (let b = 0; b < count; b++) {
    const starts: number[] = [];
    for (let filled = 0; filled < n; filled += len) starts.push(randomInt(rng, n));
    out.push(starts);
  }
  return out;
}

/** The block length curve.ts uses for this curve: from the autocorrelation of its thinned residuals. */
function curveBlockLength(steps: readonly number[], losses: readonly number[], fitParams: readonly number[]): { n: number; length: number } {
  const first = steps[0];
  const cutoff = first + 0.1 * (steps[steps.length - 1] - first);
  const keep = steps.map((s, i) => (s >= cutoff ? i : -1)).filter((i) => i >= 0);
  const th = thin(
    keep.map((i) => steps[i]),
    keep.map((i) => losses[i]),
    MAX_CURVE_POINTS,
  );
  const resid = th.losses.map((v, i) => Math.log(v) - Math.log(powerLaw.evaluate(fitParams, [th.steps[i]])));
  return { n: th.steps.length, length: blockLengthFor(resid) };
}

function relDiff(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1e-12, Math.abs(v))));
}

type ScipyBench = { chinchillaMs: number; curveMs: number; versions: string; chinchillaAgreement: string; curveAgreement: string };

/** Runs bench/scipy_bench.py on the same inputs; an error message when python/SciPy are missing. */
function runScipyBench(tmp: string, points: readonly CrossRunPoint[], steps: readonly number[], losses: readonly number[]): ScipyBench | { error: string } {
  if (!fs.existsSync(PYTHON)) return { error: `${PYTHON} not found` };
  const ours = fitCrossRun(points, { seed: 1, resamples: 0 });
  const oursCurve = fitCurve(steps, losses, { targetStep: 60_000, seed: 1, resamples: 0, validationPrefixes: [], checkBreak: false });
  if ('error' in ours || 'error' in oursCurve) return { error: 'our reference fit failed' };
  // The thinned curve has MAX_CURVE_POINTS (200) points; blocks as long as curve.ts makes them.
  const block = curveBlockLength(steps, losses, oursCurve.fitParams);
  const thinnedN = block.n;
  const spec = {
    repeats: 3,
    chinchilla: {
      points,
      grid: chinchillaLaw.parameters.map((p) => p.grid),
      bounds: chinchillaLaw.parameters.map((p) => [p.lower, p.upper]),
      resamples: chinchillaResamples(points, CHINCHILLA_RESAMPLES, 1),
    },
    curve: {
      steps,
      losses,
      dropFirstFraction: 0.1,
      maxPoints: thinnedN,
      grid: powerLaw.parameters.map((p) => p.grid),
      bounds: powerLaw.parameters.map((p) => [p.lower, p.upper]),
      blockLength: block.length,
      blockStarts: blockStarts(thinnedN, block.length, CURVE_RESAMPLES, 1),
    },
  };
  const input = path.join(tmp, 'scipy-bench.json');
  fs.writeFileSync(input, JSON.stringify(spec));
  const res = spawnSync(PYTHON, [path.join(repoRoot, 'bench', 'scipy_bench.py'), input], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status === 3) return { error: 'numpy/scipy missing (Debian: apt-get install -y python3-scipy)' };
  if (res.status !== 0) return { error: `scipy_bench.py failed: ${(res.stderr ?? '').slice(-500)}` };
  const out = JSON.parse(res.stdout) as {
    versions: Record<string, string>;
    chinchilla: { ms: number; best: number[] };
    curve: { ms: number; best: number[]; points: number };
  };
  // Do both land on the same optimum? (Huber objectives compared on our fitLaw, same data.)
  const x = points.map((p) => [p.params, p.tokens]);
  const y = points.map((p) => p.loss);
  const objective = (p: number[]) => {
    const r = fitLaw(chinchillaLaw, { x, y }, { starts: [p], maxIrlsIterations: 0 });
    return 'error' in r ? NaN : r.objective;
  };
  const chinchillaAgreement = `max relative parameter difference ${relDiff(ours.fitParams, out.chinchilla.best).toExponential(1)}, Huber objective ours ${objective(ours.fitParams).toPrecision(6)} vs SciPy ${objective(out.chinchilla.best).toPrecision(6)}`;
  const curveAgreement = `${out.curve.points} thinned points both; max relative parameter difference ${relDiff(oursCurve.fitParams, out.curve.best).toExponential(1)}`;
  return {
    chinchillaMs: out.chinchilla.ms,
    curveMs: out.curve.ms,
    versions: Object.entries(out.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    chinchillaAgreement,
    curveAgreement,
  };
}

type Row = { name: string; value: string; note: string };

/**
 * The report of the rows so far (`sections` says how long each section took, at what load). A run
 * with sections left out (`--only` / `--skip`) writes bench/report-partial.{md,json}, so the
 * committed report of the last complete run stays as it is.
 */
function writeReport(
  rows: readonly Row[],
  json: Record<string, number>,
  sections: readonly string[],
  started: number,
  done: boolean,
  leftOut: readonly string[],
  output: string,
): string {
  const machineText = machine();
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const complete = done && leftOut.length === 0;
  const doneWhen = doneWhenRows(json);
  const missing = doneWhen.filter((d) => !d.present);
  const report = [
    '# Scaling Lens benchmark',
    '',
    `Run ${new Date().toISOString()} on ${machineText}.`,
    '',
    complete
      ? `One complete \`npm run bench\` run: ${minutes} minutes, section by section (wall and CPU time, CPU including the child processes it waited for; 1-minute load average at its end): ${sections.join('; ')}.`
      : done
        ? `**Partial**: sections left out by --only/--skip: ${leftOut.join(', ')}. ${minutes} minutes; sections run: ${sections.join('; ')}.`
        : `**Partial** (the run is still going or stopped): ${minutes} minutes so far; sections done: ${sections.join('; ')}.`,
    '',
    `Issue 20's Done-when rows: ${doneWhen.map((d) => `${d.row} ${d.present ? '(present)' : '(**missing**)'}`).join('; ')}.${missing.length ? '' : ' All present.'}`,
    '',
    '| what | result | how |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.note} |`),
    '',
    'SciPy side (bench/scipy_bench.py, /usr/bin/python3): the same data, the same start grid scored on ≤ 64 points,',
    "the 5 best refined by `least_squares(loss='huber', f_scale=1e-3)` with analytic Jacobians, then the same",
    'resamples refitted warm-started from the best fit (Chinchilla: plus the leave-largest-out refit ours does).',
    'The curve fits run without the prefix validation and break check on both sides. Ratios < 1 mean ours is faster.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(repoRoot, 'bench', `${output}.md`), report);
  fs.writeFileSync(
    path.join(repoRoot, 'bench', `${output}.json`),
    `${JSON.stringify({ machine: machineText, complete, leftOut, minutes: Number(minutes), ...json }, null, 2)}\n`,
  );
  return report;
}

async function main(): Promise<void> {
  const selection = selectSections(process.argv.slice(2));
  if ('error' in selection) {
    process.stderr.write(`${selection.error}\nSections, in run order:\n${SECTIONS.map((x) => `  ${x.id}: ${x.what}`).join('\n')}\n`);
    process.exit(2);
  }
  const want = (id: SectionId): boolean => selection.run.includes(id);
  const output = selection.leftOut.length ? 'report-partial' : 'report';
  const rows: Row[] = [];
  const json: Record<string, number> = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-'));
  // Each section's wall and CPU time (this process and the children it waited for) and the load at
  // its end; the report so far is written after each (a run stopped half-way leaves what it
  // measured), and progress goes to stderr.
  const started = performance.now();
  let sectionStart = started;
  let cpuStart = cpuMsSoFar();
  const sections: string[] = [];
  const section = (label: string): void => {
    const now = performance.now();
    const cpu = cpuMsSoFar();
    sections.push(
      `${label} ${((now - sectionStart) / 60_000).toFixed(1)} min wall, ${((cpu - cpuStart) / 60_000).toFixed(1)} min CPU (load ${os.loadavg()[0].toFixed(1)})`,
    );
    json[`sectionMinutes:${label}`] = (now - sectionStart) / 60_000;
    json[`sectionCpuMinutes:${label}`] = (cpu - cpuStart) / 60_000;
    sectionStart = now;
    cpuStart = cpu;
    process.stderr.write(`[bench] ${new Date().toISOString()} ${sections[sections.length - 1]}\n`);
    writeReport(rows, json, sections, started, false, selection.leftOut, output);
  };
  process.stderr.write(`[bench] ${new Date().toISOString()} started, 1-minute load average ${os.loadavg()[0].toFixed(1)}\n`);
  try {
    if (want('ingest')) {
      // --- Ingest throughput (bench/ingest.ts): JSONL against `cat`, readline + JSON.parse and the Python readers --
      rows.push(...(await ingestThroughput(tmp, json, 'jsonl')));
      section('ingest');
    }
    if (want('events')) {
      // --- Event files (bench/ingest.ts): against `cat`, EventAccumulator and the same points as JSONL --
      rows.push(...(await ingestThroughput(tmp, json, 'events')));
      section('events');
    }
    if (want('scale')) {
      // --- Scale (bench/scale.ts): curve-fit CPU before/after, scan of many runs with the fitting pool --
      rows.push(...(await scaleRows(tmp, json)));
      section('scale');
    }
    if (want('cold-start')) {
      // --- CLI cold start against bare node (bench/coldStart.ts) ---
      rows.push(...coldStartRows(tmp, json));
      section('cold start');
    }
    if (want('memory')) {
      // The memory and append rows below use a 300,000-line JSONL log.
      const lines = 300_000;
      const log = path.join(tmp, 'run', 'metrics.jsonl');
      fs.mkdirSync(path.dirname(log));
      writeJsonl(log, lines);

      // --- Memory: what that run holds once read and built (series in typed arrays, see runs/seriesStore.ts) --
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) {
        // Typed arrays live outside the JS heap: count their backing stores (arrayBuffers) too.
        const held = (): number => {
          const m = process.memoryUsage();
          return m.heapUsed + m.arrayBuffers;
        };
        gc();
        gc();
        const before = held();
        const index = new RunIndex();
        index.update(log, tmp);
        const built = index.runs();
        gc();
        gc();
        const bytes = held() - before;
        if (index.runs().length !== built.length) throw new Error('the index changed'); // keeps the index alive to here
        const pointCount = built[0].series.reduce((n, s) => n + s.steps.length, 0);
        json.ingestHeapMB = bytes / 1e6;
        json.ingestBytesPerPoint = bytes / pointCount;
        rows.push({
          name: `Memory held by a ${lines.toLocaleString()}-line JSONL run once read and built (${pointCount.toLocaleString()} points)`,
          value: `${(bytes / 1e6).toFixed(1)} MB`,
          note: `${(bytes / pointCount).toFixed(1)} bytes per point (JS heap + array buffers; a step and a value are 16 bytes in Float64Arrays)`,
        });
      }

      // --- Append: one more line read by offset, not the whole file again ------------------------
      const index = new RunIndex();
      index.update(log, tmp);
      let step = lines;
      const appendMs = await timeMs(() => {
        fs.appendFileSync(log, `${JSON.stringify({ step: ++step, loss: 2.5 })}\n`);
        index.update(log, tmp);
        index.runs();
      }, 20);
      json.appendMs = appendMs;
      rows.push({
        name: 'Append one line to that log and rebuild the runs',
        value: `${appendMs.toFixed(1)} ms`,
        note: 'median of 20; reads only the new bytes',
      });

      section('memory and append');
    }
    if (want('fits')) {
      // --- Fits, each against SciPy doing the same work in the same run ------------------------
      // Same data, same start grid, same resamples (the very index sets / block offsets our
      // bootstrap draws, rebuilt here from the same seeded PRNG), timed in bench/scipy_bench.py.
      const rand = mulberry32(5);
      const steps: number[] = [];
      const losses: number[] = [];
      for (let s = 1; s <= 30_000; s++) {
        steps.push(s);
        losses.push((2.1 + 40 * Math.pow(s, -0.45)) * (1 + 0.01 * gaussian(rand)));
      }
      const curveOpts = { targetStep: 60_000, seed: 1, resamples: CURVE_RESAMPLES, validationPrefixes: [] as number[], checkBreak: false };
      fitCurve(steps, losses, curveOpts); // JIT warm-up
      // Fresh fits each time (the same inputs would otherwise take their main fit from curveMemo.ts).
      const curveMs = await timeMs(() => {
        clearCurveMemo();
        return fitCurve(steps, losses, curveOpts);
      });
      json.curveFitMs = curveMs;
      const curveFullMs = await timeMs(() => {
        clearCurveMemo();
        return fitCurve(steps, losses, { targetStep: 60_000, seed: 1, resamples: CURVE_RESAMPLES });
      }, 3);
      json.curveFitDefaultMs = curveFullMs;

      const points: CrossRunPoint[] = [];
      for (let i = 0; i < 250; i++) {
        const params = Math.pow(10, 7 + 2 * rand());
        const tokens = Math.pow(10, 8 + 2.3 * rand());
        const loss = (1.82 + 482.01 / Math.pow(params, 0.3478) + 2085.43 / Math.pow(tokens, 0.3658)) * Math.exp(0.005 * gaussian(rand));
        points.push({ runId: `r${i}`, params, tokens, loss });
      }
      fitCrossRun(points, { seed: 1, resamples: 10 }); // JIT warm-up
      const chinchillaMs = await timeMs(() => fitCrossRun(points, { seed: 1, resamples: CHINCHILLA_RESAMPLES }));
      json.chinchillaFitMs = chinchillaMs;

      const scipy = runScipyBench(tmp, points, steps, losses);
      if ('error' in scipy) {
        rows.push({
          name: `Chinchilla fit, 250 points, ${CHINCHILLA_RESAMPLES} bootstrap resamples`,
          value: `${chinchillaMs.toFixed(0)} ms`,
          note: `median of 5; SciPy not run: ${scipy.error}`,
        });
        rows.push({
          name: `Curve fit (power law), 30,000-step log, ${CURVE_RESAMPLES} bootstrap resamples`,
          value: `${curveMs.toFixed(0)} ms`,
          note: `median of 5; SciPy not run: ${scipy.error}`,
        });
      } else {
        json.scipyChinchillaMs = scipy.chinchillaMs;
        json.scipyCurveMs = scipy.curveMs;
        json.chinchillaRatio = chinchillaMs / scipy.chinchillaMs;
        json.curveRatio = curveMs / scipy.curveMs;
        rows.push({
          name: `Chinchilla fit, 250 points, ${CHINCHILLA_RESAMPLES} bootstrap resamples`,
          value: `${chinchillaMs.toFixed(0)} ms`,
          note: `median of 5; SciPy ${scipy.versions} same work ${scipy.chinchillaMs.toFixed(0)} ms (median of 3): ours/SciPy = ${json.chinchillaRatio.toFixed(2)}; ${scipy.chinchillaAgreement}`,
        });
        rows.push({
          name: `Curve fit (power law), 30,000-step log, ${CURVE_RESAMPLES} bootstrap resamples`,
          value: `${curveMs.toFixed(0)} ms`,
          note: `median of 5; SciPy same work ${scipy.curveMs.toFixed(0)} ms (median of 3): ours/SciPy = ${json.curveRatio.toFixed(2)}; ${scipy.curveAgreement}`,
        });
      }
      rows.push({
        name: 'Curve fit as the extension runs it (plus 20/30/50% prefix validation fits and the BNSL break check)',
        value: `${curveFullMs.toFixed(0)} ms`,
        note: 'median of 3; no SciPy counterpart',
      });

      section('fits against SciPy');
    }
    if (want('examples')) {
      // --- The example workspace end to end (what the worker does on activation) ---------------
      const examples = path.join(repoRoot, 'examples');
      const files = listFiles(examples).filter(isDefaultLogFile);
      const firstSnapshotMs = await timeMs(() => {
        const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
        for (const f of files) engine.update(f, examples);
        engine.snapshot();
      }, 3);
      json.examplesSnapshotMs = firstSnapshotMs;
      rows.push({
        name: `examples/: read ${files.length} logs, fit every curve and the family law`,
        value: `${firstSnapshotMs.toFixed(0)} ms`,
        note: 'median of 3, cold caches per repeat',
      });

      // --- Reading while fitting (bench/fitApart.ts): the worker with its fitting thread against fits in the reading thread --
      const apart = await measureFitApart();
      json.appendWhileFittingMs = median(apart.apart.appendMs);
      json.appendWhileFittingInlineMs = median(apart.inline.appendMs);
      json.runsShownMs = apart.apart.runsShownMs;
      rows.push(...describeFitApart(apart));

      // --- Lens latency on a 2,000-line config (the family law already fitted, as in the editor) ---
      const lensEngine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
      for (const f of files) lensEngine.update(f, examples);
      lensEngine.snapshot();
      const lens = await lensLatency(lensEngine, timeMs);
      Object.assign(json, {
        lensWorkerMs: lens.workerMs,
        lensWorkerOpenMs: lens.workerOpenMs,
        lensWorkerSameMs: lens.workerSameMs,
        lensCloneMs: lens.cloneMs,
        lensHostMs: lens.hostMs,
      });
      rows.push({
        name: `Code lenses on a ${lens.lines.toLocaleString('en-US')}-line YAML config (${lens.lenses} lenses)`,
        value: `${(lens.workerMs + lens.cloneMs + lens.hostMs).toFixed(1)} ms`,
        note: `while typing (one value edited per estimate): worker estimate ${lens.workerMs.toFixed(1)} ms + message copy ${lens.cloneMs.toFixed(2)} ms + host layout ${lens.hostMs.toFixed(2)} ms (medians of 20/20/50; aim < 20 ms); opening the file (nothing parsed before) ${lens.workerOpenMs.toFixed(1)} ms, the same text again ${lens.workerSameMs.toFixed(1)} ms (medians of 5/20)`,
      });

      section('examples, fit apart, lenses');
    }
    if (want('dashboard')) {
      // --- Dashboard update with a large sweep: CPU time in Node, no drawing (no GPU here) --------
      const dash = dashboardUpdateCost(tmp, 200, 100_000);
      const workerMs = dash.encodeCpuMs + dash.deltaCloneCpuMs;
      const hostMs = dash.deltaReadCpuMs + dash.applyCpuMs + dash.deltaJsonCpuMs;
      Object.assign(json, {
        dashboardSnapshotCpuMs: dash.snapshotCpuMs,
        dashboardEncodeCpuMs: dash.encodeCpuMs,
        dashboardDeltaCloneCpuMs: dash.deltaCloneCpuMs,
        dashboardDeltaReadCpuMs: dash.deltaReadCpuMs,
        dashboardApplyCpuMs: dash.applyCpuMs,
        dashboardDeltaJsonCpuMs: dash.deltaJsonCpuMs,
        dashboardDeltaBytes: dash.deltaBytes,
        dashboardFullCloneCpuMs: dash.fullCloneCpuMs,
        dashboardFullReadCpuMs: dash.fullReadCpuMs,
        dashboardFullJsonCpuMs: dash.fullJsonCpuMs,
        dashboardFullBytes: dash.fullBytes,
        dashboardDownsampleAllCpuMs: dash.downsampleAllCpuMs,
      });
      rows.push({
        name: `Dashboard update, ${dash.runs} runs × ${dash.pointsPerRun.toLocaleString('en-US')} points, one line appended to the live run`,
        value: `${(dash.snapshotCpuMs + workerMs + hostMs).toFixed(0)} ms CPU`,
        note:
          `medians of 5: worker snapshot ${dash.snapshotCpuMs.toFixed(0)} ms (read the new line, refit that run — in the extension that refit runs in the fitting thread —, reuse the other runs' display series) + ` +
          `worker delta encode and clone ${workerMs.toFixed(1)} ms + host read, apply and serialise for the webview ${hostMs.toFixed(1)} ms (delta ${(dash.deltaBytes / 1e3).toFixed(0)} kB; ` +
          `the whole snapshot instead: clone ${(dash.fullCloneCpuMs + dash.fullReadCpuMs).toFixed(1)} ms, ${(dash.fullBytes / 1e6).toFixed(1)} MB). Downsampling all ${dash.runs} runs from scratch: ${dash.downsampleAllCpuMs.toFixed(0)} ms. ` +
          `First snapshot (read and fit all): ${(dash.firstSnapshotCpuMs / 1000).toFixed(0)} s CPU. Drawing not measured (no GPU).`,
      });
      section('dashboard');
    }
    if (want('package')) {
      // --- What ships: the production .vsix (built in a staging copy; dist/ is left alone) ---------
      const pkg = packageSize(tmp);
      if ('error' in pkg) rows.push({ name: 'Package size (.vsix)', value: 'not measured', note: pkg.error });
      else {
        json.vsixBytes = pkg.vsixBytes;
        rows.push({
          name: 'Package size (.vsix, production build, `vsce package --no-dependencies`)',
          value: `${(pkg.vsixBytes / 1e3).toFixed(0)} kB`,
          note: `unpacked: ${pkg.files.map((f) => `${f.name} ${(f.bytes / 1e3).toFixed(0)} kB`).join(', ')}`,
        });
        if (pkg.extensionLoadMs !== undefined) {
          json.extensionLoadMs = pkg.extensionLoadMs;
          rows.push({
            name: 'Loading the shipped dist/extension.js (before activate())',
            value: `${pkg.extensionLoadMs.toFixed(1)} ms`,
            note: 'median of 5 fresh Node processes, `vscode` replaced by an inert stand-in; VS Code adds this to activate() below',
          });
        }
      }
      // --- Activation: measured inside the real VS Code by the integration suites ("activation timing") ---
      const activationStarted = new Date().toISOString();
      const notFresh = measureActivation();
      const timings = activationTimings();
      if (timings.length === 0)
        rows.push({
          name: 'Activation time',
          value: 'not measured',
          note: `${notFresh ?? 'no record'}; \`npm run test:integration\`'s "activation timing" test writes .vscode-test/timings/<configuration>.json`,
        });
      for (const t of timings) {
        json[`activateMs_${t.config}`] = t.activateMs;
        json[`firstSnapshotMs_${t.config}`] = t.firstSnapshotMs;
        if (t.at >= activationStarted) json.activationMeasuredInRun = (json.activationMeasuredInRun ?? 0) + 1;
        rows.push({
          name: `Activation in VS Code ${t.vscode}, ${t.config} (${t.trusted ? 'trusted' : 'Restricted Mode'}, ${t.runs} runs${t.bulkFiles ? ` + ${t.bulkFiles.toLocaleString('en-US')} other files` : ''})`,
          value: `${t.activateMs.toFixed(1)} ms`,
          note: `activate() itself; first snapshot (list and read every run in the worker; the fits land in later snapshots) ${(t.firstSnapshotMs / 1000).toFixed(1)} s after activation began. ${t.at >= activationStarted ? `Measured in this run (the integration harness's "activation timing" test, real VS Code server in headless Chromium), 1-minute load average ${os.loadavg()[0].toFixed(1)}` : `Recorded by the integration run of ${t.at}${notFresh ? ` (not measured in this run: ${notFresh})` : ''}`}`,
        });
      }
      section('package and activation');
    }
    if (want('recorded')) {
      // --- Append-to-panel latency: measured in the real VS Code by the dashboard integration suite ---
      try {
        const latency = JSON.parse(fs.readFileSync(path.join(repoRoot, '.vscode-test', 'latency', 'append-to-panel.json'), 'utf8')) as {
          at: string;
          vscode: string;
          run: string;
          samplesMs: number[];
          medianMs: number;
          maxMs: number;
        };
        json.appendToPanelMedianMs = latency.medianMs;
        rows.push({
          name: `Append to dashboard latency in VS Code ${latency.vscode} (a line appended to ${latency.run}'s log until the panel reports drawing it)`,
          value: `${latency.medianMs.toFixed(0)} ms median`,
          note: `max ${latency.maxMs.toFixed(0)} ms over ${latency.samplesMs.length} appends 0.5 s apart (file watcher, worker read and refit policy, delta to host and webview, Chart.js draw). Recorded by the integration run of ${latency.at}, on the same machine while the suites ran`,
        });
      } catch {
        rows.push({
          name: 'Append to dashboard latency',
          value: 'not measured',
          note: 'run `npm run test:integration` first: its dashboard suite writes .vscode-test/latency/append-to-panel.json',
        });
      }
      // --- Accuracy: summarised from the last `npm run validate` (it reads ../shared/data) ----------
      try {
        type Summary = { key: string; n: number; ours: number; oursMed: number; scipy?: number | null; cov?: number | null; covCal?: number | null };
        const validation = JSON.parse(fs.readFileSync(path.join(repoRoot, 'validation', 'report.json'), 'utf8')) as {
          run: string;
          quick: boolean;
          summary: Summary[];
        };
        const pct = (v: number) => `${v.toFixed(2)}%`;
        // The keys read "data set | experiment | law": a pipe would split the report's table cell.
        const label = (e: Summary) => e.key.replace(/ \| /g, ' · ');
        rows.push({
          name: `Validation accuracy (\`npm run validate\` of ${validation.run}${validation.quick ? ', quick mode' : ''})`,
          value: `${validation.summary.length} experiments`,
          note: validation.summary
            .map(
              (e) =>
                `${label(e)}: mean error ${pct(e.ours)} (median ${pct(e.oursMed)})${typeof e.scipy === 'number' ? `, SciPy ${pct(e.scipy)}` : ''} over ${e.n}`,
            )
            .join('; '),
        });
        const withInterval = validation.summary.filter((e) => typeof e.cov === 'number' && typeof e.covCal === 'number');
        const cases = withInterval.reduce((a, e) => a + e.n, 0);
        if (cases > 0) {
          const raw = withInterval.reduce((a, e) => a + e.n * (e.cov as number), 0) / cases;
          const calibrated = withInterval.reduce((a, e) => a + e.n * (e.covCal as number), 0) / cases;
          json.coverageCalibrated = calibrated;
          rows.push({
            name: 'Coverage of the nominal 80% intervals over every validation case',
            value: `${(100 * calibrated).toFixed(0)}% calibrated`,
            note: `${cases} cases; raw bootstrap intervals ${(100 * raw).toFixed(0)}%; by experiment (calibrated): ${withInterval.map((e) => `${label(e)} ${(100 * (e.covCal as number)).toFixed(0)}%`).join('; ')}. From validation/report.md`,
          });
        }
      } catch {
        rows.push({
          name: 'Validation accuracy and interval coverage',
          value: 'not measured',
          note: 'run `npm run validate` first (it needs ../shared/data): it writes validation/report.json, summarised here',
        });
      }
      // --- Load test: summarised from the last `npm run bench:load` (2 minutes by default) -----------
      try {
        const load = JSON.parse(fs.readFileSync(path.join(repoRoot, 'bench', 'report-load.json'), 'utf8')) as {
          options: { files: number; rate: number; seconds: number };
          linesIn: number;
          pointsHeld: number;
          eventLoopDelayMs: { p99: number; max: number };
          memory: { rssPeakMB: number };
          snapshots: number;
        };
        rows.push({
          name: `Load: ${load.options.files} logs × ${load.options.rate.toLocaleString('en-US')} lines/s for ${load.options.seconds} s`,
          value: `${load.pointsHeld.toLocaleString('en-US')} of ${load.linesIn.toLocaleString('en-US')} points held`,
          note: `host event-loop delay p99 ${load.eventLoopDelayMs.p99.toFixed(1)} ms, max ${load.eventLoopDelayMs.max.toFixed(1)} ms; peak RSS ${load.memory.rssPeakMB.toFixed(0)} MB; ${load.snapshots} snapshots. From the last \`npm run bench:load\` (bench/report-load.md)`,
        });
      } catch {
        rows.push({ name: 'Load test', value: 'not run', note: '`npm run bench:load` writes bench/report-load.md, summarised here' });
      }

      // --- A very large log: summarised from the last `npm run bench:biglog` (bench/bigLog.ts) ---------
      try {
        const big = JSON.parse(fs.readFileSync(path.join(repoRoot, 'bench', 'report-biglog.json'), 'utf8')) as {
          bytes: number;
          lines: number;
          readMs: number;
          readCpuMs: number;
          readMBps: number;
          catMBps: number;
          peakRssMB: number;
          heldMB: number;
          expectedPoints: number;
          receivedPoints: number;
          heldPoints: number;
        };
        rows.push({
          name: `Very large log: ${(big.bytes / 1e9).toFixed(1)} GB JSONL (${big.lines.toLocaleString('en-US')} lines) read as the worker reads it`,
          value: `${big.readMBps.toFixed(1)} MB/s, peak RSS ${big.peakRssMB.toFixed(0)} MB`,
          note: `${(big.readMs / 1000).toFixed(0)} s (CPU ${(big.readCpuMs / 1000).toFixed(0)} s; cat ${big.catMBps.toFixed(0)} MB/s); held once read ${big.heldMB.toFixed(0)} MB; points received ${big.receivedPoints.toLocaleString('en-US')} of ${big.expectedPoints.toLocaleString('en-US')}, ${big.heldPoints.toLocaleString('en-US')} held (older history averaged beyond 2^19 points per series). From the last \`npm run bench:biglog\` (bench/report-biglog.md)`,
        });
      } catch {
        rows.push({ name: 'Very large log', value: 'not run', note: '`npm run bench:biglog -- --gb 5` writes bench/report-biglog.md, summarised here' });
      }
      section('rows recorded by other runs');
    }
    if (want('hostile')) {
      // --- Hostile workspaces (issue 17): pattern scaling, 10,000 runs, npm audit (bench/hostile.ts) ---
      for (const row of [patternRatios(), tenThousandRuns(tmp), ...npmAudit(repoRoot)]) rows.push(row);
      section('hostile workspaces');
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const report = writeReport(rows, json, sections, started, true, selection.leftOut, output);
  process.stdout.write(report);
}

void main();
