// The ladder backtest of `npm run validate` (scripts/ladderBacktest.ts) on a synthetic grid drawn
// from a known law: every strategy keeps its budget, random seeds are reproducible, the tables render.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  backtestGrids,
  computeToReach,
  ladderBacktestMarkdown,
  ladderCalibrationMarkdown,
  plannerWins,
  runLadderBacktest,
  runLadderBacktestThreads,
  jobsOnWorkers,
  aimMarkdown,
  atTableBudgets,
  AIM_FRACTIONS,
  LADDER_FRACTIONS,
  withExchangeAsPlanner,
  PLANNER_WITH_EXCHANGE,
  type BacktestGrid,
  type BacktestScore,
} from '../../scripts/ladderBacktest';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { referenceParams } from '../../src/core/fit/crossRunLaw';
import { crossRunDistanceFloor } from '../../src/core/fit/calibration';

const theta = referenceParams(chinchillaLaw);
const loss = (n: number, d: number, k: number) => chinchillaLaw.evaluate(theta, [n, d]) * (1 + 0.004 * Math.sin(k * 1.7));
const pool: BacktestGrid['pool'] = [];
let k = 0;
for (const n of [2e7, 5e7, 1.2e8, 3e8]) for (const r of [5, 20, 80]) pool.push({ runId: `r${++k}`, params: n, tokens: n * r, loss: loss(n, n * r, k) });
const grid: BacktestGrid = { name: 'synthetic', target: { runId: 't', params: 3e9, tokens: 6e10, loss: loss(3e9, 6e10, 0) }, pool };

test('ladder backtest: budgets kept, seeds reproducible, tables rendered', () => {
  const scores = runLadderBacktest([grid], { resamples: 0, plannerSeeds: [1, 2] });
  assert.ok(scores.length > 0);
  for (const s of scores) {
    assert.ok(s.usedFraction <= s.fraction * (1 + 1e-9), `${s.strategy} at ${s.fraction}: used ${s.usedFraction}`);
    assert.ok(s.runs >= 1 && Number.isFinite(s.errorPct));
  }
  const strategies = new Set(scores.map((s) => s.strategy));
  for (const st of ['planner (seed 1)', 'planner (seed 2)', 'IsoFLOP recipe', 'largest-first', 'random (seed 1)']) assert.ok(strategies.has(st), st);
  // Each refit seed is a planner ladder of its own at every budget.
  assert.equal(scores.filter((s) => s.strategy === 'planner (seed 1)').length, scores.filter((s) => s.strategy === 'planner (seed 2)').length);
  assert.deepEqual(runLadderBacktest([grid], { resamples: 0, plannerSeeds: [1, 2] }), scores);
  // A law the grid is drawn from predicts its target well once the budget buys enough runs.
  const planner30 = scores.find((s) => s.strategy === 'planner (seed 1)' && s.fraction === 0.3);
  assert.ok(planner30 && planner30.errorPct < 2, String(planner30?.errorPct));
  const md = ladderBacktestMarkdown(scores, [grid]).join('\n');
  assert.match(md, /\| planner \|/);
  // The pooled planner row counts both seeds' cases.
  const atThird = scores.filter((s) => s.strategy.startsWith('planner') && s.fraction === 0.3).length;
  assert.equal(atThird, 2);
  assert.match(computeToReach(scores, [grid], 5).join('\n'), /\| synthetic \(1\) \|/);
  assert.equal(plannerWins(scores).length, 3);
});

test("the ladder's interval factor: each data set's 80th percentile of what its planner cases need of the distance floor, held out per data set", () => {
  // Planner cases 100× below the target whose truth lies `n` × 0.1 from the prediction (in log), the lens's interval ±0.1.
  const cases = (grid: string) =>
    [0.1, 0.2, 0.3, 0.4, 0.5].map((n, i) => ({
      grid,
      target: 't',
      largest: true,
      strategy: 'planner',
      fraction: [0.003, 0.01, 0.03, 0.1, 0.3][i],
      runs: 3,
      usedFraction: 0,
      predicted: 2,
      interval: [2 * Math.exp(-0.1), 2 * Math.exp(0.1)] as [number, number],
      truth: 2 * Math.exp(0.1 * n * (i % 2 ? 1 : -1)),
      errorPct: 100 * Math.abs(Math.exp(0.1 * n * (i % 2 ? 1 : -1)) - 1),
      covered: true,
      widthPct: 100 * 2 * Math.sinh(0.1),
      computeRatio: 100,
      fitInterval: [1, 3] as [number, number],
      picked: [],
      // The last case's own ladder missed its largest run by more than the target's miss: covered without the factor.
      heldOutMiss: i === 4 ? 0.06 : 0,
    }));
  // Two Porian configurations on one data set count as one; a baseline's cases are not the planner's.
  const scores = [...cases('gadre x'), ...cases('porian rw/a'), ...cases('porian rw/b'), { ...cases('steplaw')[0], strategy: 'random (seed 1)', truth: 9 }];
  const md = ladderCalibrationMarkdown(scores, 0.4).join('\n');
  // Weighted 80th percentile of the needs (the last case needs none, its leave-largest-out miss covers
  // it): the 3rd case's 0.03 over the floor at 100× (0.19), rounded up to two digits: ×0.16.
  const k = Math.ceil((100 * 0.03) / crossRunDistanceFloor(100)) / 100;
  assert.equal(k, 0.16);
  assert.match(md, /derived now from every data set: ×0\.16\)/);
  assert.match(md, /\| gadre x \| 5 \| ×0\.16 \| 80% \|/);
  assert.match(md, /\| porian rw \| 10 \| ×0\.16 \| 80% \|/);
  // The form before (the distance floor alone): the 4th case's 0.04, ×0.22.
  assert.match(md, /\| porian rw \(before\) \| 10 \| ×0\.22 \| 80% \|/);
  assert.match(md, /\| all, the lens's interval \| 15 \| 1 \(none\) \| 100% \|/);
});

test('least compute over several targets: the median over a grid targets, per target counts, and random reaches only when most seeds do', () => {
  const s = (target: string, strategy: string, fraction: number, errorPct: number) => ({
    grid: 'g',
    target,
    largest: target === 't3',
    strategy,
    fraction,
    runs: 2,
    usedFraction: fraction,
    predicted: 2,
    interval: [1.9, 2.1] as [number, number],
    truth: 2,
    errorPct,
    covered: true,
    widthPct: 10,
    computeRatio: 10,
    fitInterval: [1.9, 2.1] as [number, number],
    picked: [],
    heldOutMiss: 0,
  });
  const scores = [];
  // Planner: t1 reaches ≤ 5% at 1%, t2 at 10%, t3 never: the grid's median is 10%.
  for (const [t, e1, e10] of [
    ['t1', 3, 2],
    ['t2', 9, 4],
    ['t3', 9, 8],
  ] as const)
    scores.push(s(t, 'planner', 0.01, e1), s(t, 'planner', 0.1, e10));
  for (const t of ['t1', 't2', 't3']) {
    // The recipe reaches nothing; largest-first reaches t3 at 10% (the only strategy there).
    scores.push(s(t, 'IsoFLOP recipe', 0.01, 20), s(t, 'IsoFLOP recipe', 0.1, 20));
    scores.push(s(t, 'largest-first', 0.01, 20), s(t, 'largest-first', 0.1, t === 't3' ? 4 : 20));
    // Random: two seeds of five reach it at 1%, three never: not reached.
    for (const seed of [1, 2, 3, 4, 5])
      scores.push(s(t, `random (seed ${seed})`, 0.01, seed <= 2 ? 1 : 20), s(t, `random (seed ${seed})`, 0.1, seed <= 2 ? 1 : 20));
  }
  const grids = ['t1', 't2', 't3'].map((t) => ({ name: 'g', target: { runId: t, params: 1e9, tokens: 2e10, loss: 2 }, pool: [], largest: t === 't3' }));
  const md = computeToReach(scores, grids, 5).join('\n');
  // Largest-first reaches one target of three: not the grid (its median).
  assert.match(md, /\| g \(3\) \| 10% \| – \| – \| – \|/);
  assert.match(md, /per grid \(its median over targets\) planner 1, IsoFLOP recipe 0, random 0, largest-first 0 of 1 grids/);
  assert.match(md, /per \(grid, target\) case planner 2, IsoFLOP recipe 0, random 0, largest-first 1 of 3 cases \(3 reached by some strategy\)/);
  assert.match(md, /the old measure \(each grid's largest target alone\) planner 0, IsoFLOP recipe 0, random 0, largest-first 1 of 1 grids/);
  // Pairs are per target and budget: 6 against each baseline.
  const wins = plannerWins(scores);
  assert.deepEqual(
    wins.map((w) => w.wins + w.losses + w.ties),
    [6, 6, 6],
  );
});

test('the backtest over worker threads gives what one thread gives, in the same order', async () => {
  // A Step Law grid in a data folder: N × D from a known law.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-ladder-'));
  try {
    fs.mkdirSync(path.join(dir, 'steplaw-lr-bs-grid'));
    const rows = ['N,D,lr,bs,smooth loss'];
    for (const n of [2e7, 8e7, 3e8, 1e9]) for (const r of [5, 20, 80]) rows.push(`${n},${n * r},0.001,256,${loss(n, n * r, rows.length)}`);
    fs.writeFileSync(path.join(dir, 'steplaw-lr-bs-grid', 'dense_lr_bs_loss.csv'), rows.join('\n'));
    const grids = backtestGrids(dir);
    assert.equal(grids.length, 3);
    const opts = { resamples: 0, plannerSeeds: [1] };
    const one = runLadderBacktest(grids, opts);
    const threaded = await runLadderBacktestThreads(grids, { ...opts, threads: 2 });
    assert.ok(one.some((s) => s.strategy === 'planner (seed 1)') && one.some((s) => s.strategy === 'largest-first'));
    assert.deepEqual(threaded, one);
    // A filtered, reordered list, run from another folder (tsx is found from the script, not the cwd): the threads fit the grids given.
    const picked = [grids[2], grids[0]];
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      assert.deepEqual(await runLadderBacktestThreads(picked, { ...opts, threads: 2 }), runLadderBacktest(picked, opts));
    } finally {
      process.chdir(cwd);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker thread exiting with a job outstanding fails the backtest instead of leaving it waiting', async () => {
  const exits = `require('node:worker_threads').parentPort.on('message', (job) => (job === 2 ? process.exit(3) : require('node:worker_threads').parentPort.postMessage(job * 10)));`;
  await assert.rejects(jobsOnWorkers<number, number>(exits, undefined, [1, 2, 3, 4], 2), /exited \(code 3\) with job 2 of 4 outstanding/);
  const answers = `require('node:worker_threads').parentPort.on('message', (job) => require('node:worker_threads').parentPort.postMessage(job * 10));`;
  assert.deepEqual(await jobsOnWorkers<number, number>(answers, undefined, [1, 2, 3, 4], 2), [10, 20, 30, 40]);
});

test("the planner's verdicts are the median over its refit seeds: reached when most seeds reach it, pairs by the seeds' median error", () => {
  const s = (strategy: string, fraction: number, errorPct: number) => ({
    grid: 'g',
    target: 't',
    largest: true,
    strategy,
    fraction,
    runs: 2,
    usedFraction: fraction,
    predicted: 2,
    interval: [1.9, 2.1] as [number, number],
    truth: 2,
    errorPct,
    covered: true,
    widthPct: 10,
    computeRatio: 10,
    fitInterval: [1.9, 2.1] as [number, number],
    picked: [],
    heldOutMiss: 0,
  });
  const grids = [{ name: 'g', target: { runId: 't', params: 1e9, tokens: 2e10, loss: 2 }, pool: [], largest: true }];
  const scores = [];
  // Largest-first reaches ≤ 5% at 3%; the recipe never.
  scores.push(
    s('largest-first', 0.01, 20),
    s('largest-first', 0.03, 4),
    s('largest-first', 0.1, 4),
    s('IsoFLOP recipe', 0.01, 20),
    s('IsoFLOP recipe', 0.1, 20),
  );
  // Planner: seed 1 reaches ≤ 5% at 1% (alone it would need the least), seeds 2 and 3 at 10%.
  for (const [seed, e1] of [
    [1, 3],
    [2, 9],
    [3, 9],
  ] as const)
    scores.push(s(`planner (seed ${seed})`, 0.01, e1), s(`planner (seed ${seed})`, 0.1, 2));
  const md = computeToReach(scores, grids, 5).join('\n');
  // The seeds' median reach is 10%: largest-first's 3% is the least, though seed 1 alone would beat it.
  assert.match(md, /\| g \(1\) \| 10% \| – \| – \| 3% \|/);
  assert.match(md, /per grid \(its median over targets\) planner 0, IsoFLOP recipe 0, random 0, largest-first 1 of 1 grids/);
  // Each seed alone, beside the others' verdicts: seed 1 needs 1%, the others 10%.
  assert.match(md, /refit seed alone \(the others' verdicts unchanged\): seed 1 1 grids, 1 cases; seed 2 0 grids, 0 cases; seed 3 0 grids, 0 cases/);
  // Pairs: at 1% the seeds' median error (9%) against largest-first's 20% is a win; at 10% 2% against 4%.
  const wins = plannerWins(scores).find((w) => w.baseline === 'largest-first');
  assert.deepEqual(wins && [wins.wins, wins.losses], [2, 0]);
});

test("compute to within 1.25× of the best error at the largest budget: every target answers, each held to its own best, the planner's seeds to the same threshold", () => {
  const s = (target: string, strategy: string, fraction: number, errorPct: number) => ({
    grid: 'g',
    target,
    largest: target === 't2',
    strategy,
    fraction,
    runs: 2,
    usedFraction: fraction,
    predicted: 2,
    interval: [1.9, 2.1] as [number, number],
    truth: 2,
    errorPct,
    covered: true,
    widthPct: 10,
    computeRatio: 10,
    fitInterval: [1.9, 2.1] as [number, number],
    picked: [],
    heldOutMiss: 0,
  });
  const scores: ReturnType<typeof s>[] = [];
  // t1: no strategy reaches 5%; the recipe's 8% at 30% is the best, so ≤ 10% counts: the recipe
  // reaches it at 30%, largest-first (9% from 10%) at 10%; the planner's median seed ends at 12%.
  // t2: the planner's seeds' median 1% at 30% is the best (≤ 1.25%): only the planner reaches it.
  for (const [seed, t1, t2] of [
    [1, [20, 9, 9], [9, 1, 1]],
    [2, [20, 12, 12], [9, 3, 1]],
    [3, [20, 12, 12], [9, 1, 1]],
  ] as const)
    [0.01, 0.1, 0.3].forEach((f, i) => scores.push(s('t1', `planner (seed ${seed})`, f, t1[i]), s('t2', `planner (seed ${seed})`, f, t2[i])));
  [0.01, 0.1, 0.3].forEach((f, i) => {
    scores.push(s('t1', 'IsoFLOP recipe', f, [30, 30, 8][i]), s('t1', 'largest-first', f, [20, 9, 9][i]));
    scores.push(s('t2', 'IsoFLOP recipe', f, 4), s('t2', 'largest-first', f, [9, 2, 2][i]));
  });
  const grids = ['t1', 't2'].map((t) => ({ name: 'g', target: { runId: t, params: 1e9, tokens: 2e10, loss: 2 }, pool: [], largest: t === 't2' }));
  // Fixed at 5%, t1 is reached by none.
  assert.match(computeToReach(scores, grids, 5).join('\n'), /of 2 cases \(1 reached by some strategy\)/);
  const md = computeToReach(scores, grids, { ofBest: 1.25 }).join('\n');
  assert.match(md, /budget to ≤ 1.25× the best error at the largest budget/);
  assert.match(md, /per \(grid, target\) case planner 1, IsoFLOP recipe 0, random 0, largest-first 1 of 2 cases \(2 reached by some strategy\)/);
  // The grid's median over its two targets is the larger: no strategy reaches both.
  assert.match(md, /\| g \(2\) \| – \| – \| – \| – \|/);
  // Seed 1 alone reaches t1's 10% at 10% (a tie with largest-first) and t2's 1.25% from 10%: both
  // targets, so the grid. Seeds 2 and 3 miss t1's 10% (12%); t2 they reach at 30% and 10%, the least.
  assert.match(md, /seed 1 1 grids, 2 cases; seed 2 0 grids, 1 cases; seed 3 0 grids, 1 cases/);
});

test('held-out targets: the next size (Gadre, Step Law) or the next three budgets (Porian) below the largest targets, each pool strictly below its targets', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'held-ladder-'));
  try {
    // Gadre: sizes 11M–412M at 5–640 tokens per parameter, 1.4B at two ratios, 6.9B at 20.
    fs.mkdirSync(path.join(dir, 'gadre-overtraining-104'));
    const gadre = ['dataset,name,params,tokens,loss_c4_val'];
    const add = (n: number, r: number) => gadre.push(`c4,m${n}-${r},${n},${n * r},${loss(n, n * r, gadre.length)}`);
    for (const n of [1.1e7, 7.9e7, 1.54e8, 4.12e8]) for (const r of [5, 20, 80, 160, 320, 640]) add(n, r);
    add(1.44e9, 20);
    add(1.44e9, 80);
    add(6.89e9, 20);
    fs.writeFileSync(path.join(dir, 'gadre-overtraining-104', 'models_flat.csv'), gadre.join('\n'));
    // Porian: budgets 1.25e16 × 2^k to 2.56e19, three sizes each, one configuration.
    fs.mkdirSync(path.join(dir, 'porian-isoflop'));
    const porian = ['source_file,dataset,hparams,warmup,decay,param_count,loss_source,flops,params,tokens,loss'];
    for (let k = 0; k < 12; k++) {
      const c = 1.25e16 * 2 ** k;
      for (const m of [0.5, 1, 2]) {
        const n = m * Math.sqrt(c / 6 / 20);
        porian.push(`summary_df,rw,base,long,kaplan,standard,val,${c},${n},${c / 6 / n},${loss(n, c / 6 / n, porian.length)}`);
      }
    }
    fs.writeFileSync(path.join(dir, 'porian-isoflop', 'isoflop_points.csv'), porian.join('\n'));
    // Step Law: four N, four D each.
    fs.mkdirSync(path.join(dir, 'steplaw-lr-bs-grid'));
    const steplaw = ['N,D,lr,bs,smooth loss'];
    for (const n of [2e7, 8e7, 3e8, 1e9]) for (const r of [5, 20, 40, 80]) steplaw.push(`${n},${n * r},0.001,256,${loss(n, n * r, steplaw.length)}`);
    fs.writeFileSync(path.join(dir, 'steplaw-lr-bs-grid', 'dense_lr_bs_loss.csv'), steplaw.join('\n'));

    const largest = backtestGrids(dir);
    const held = backtestGrids(dir, 'heldOut');
    assert.equal(held.length, 9);
    const byName = (gs: BacktestGrid[], prefix: string) => gs.filter((g) => g.name.startsWith(prefix));
    // Gadre: 412M at its three largest ratios, the pool the 18 smaller runs.
    const g = byName(held, 'gadre');
    assert.deepEqual(
      g.map((x) => x.target.runId),
      ['m412000000-160', 'm412000000-320', 'm412000000-640'],
    );
    for (const x of g) assert.equal(x.pool.length, 18);
    assert.deepEqual(
      g.map((x) => x.largest),
      [false, false, true],
    );
    // Porian: the best run of 8e17, 1.6e18 and 3.2e18; the pool the budgets ≤ 2e17 (5 budgets × 3).
    const p = byName(held, 'porian');
    assert.deepEqual(
      p.map((x) => Number(x.target.runId.split('-')[0])),
      [8e17, 1.6e18, 3.2e18],
    );
    for (const x of p) {
      assert.equal(x.pool.length, 15);
      assert.ok(x.pool.every((r) => 6 * r.params * r.tokens <= 2.01e17));
    }
    // The largest targets are unchanged by the option: 6.4e18–2.56e19, pool ≤ 1.6e18 (8 budgets × 3).
    assert.deepEqual(
      byName(largest, 'porian').map((x) => [Number(x.target.runId.split('-')[0]), x.pool.length]),
      [
        [6.4e18, 24],
        [1.28e19, 24],
        [2.56e19, 24],
      ],
    );
    // Step Law: the second-largest N's three largest runs, the two smaller N the pool.
    const sl = byName(held, 'steplaw');
    assert.deepEqual(
      sl.map((x) => x.target.runId),
      ['N300000000-D6000000000', 'N300000000-D12000000000', 'N300000000-D24000000000'],
    );
    for (const x of sl) assert.deepEqual([...new Set(x.pool.map((r) => r.params))].sort(), [2e7, 8e7]);
    // No held-out target is a candidate for itself, nor any held-out target one of the largest's.
    for (const x of held) assert.ok(!x.pool.some((r) => r.runId === x.target.runId));
    const largestTargets = new Set(largest.map((x) => x.target.runId));
    for (const x of held) assert.ok(!largestTargets.has(x.target.runId), x.target.runId);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the planner with its exchange (not in use) beside it: the planner's own scores unchanged, one case per seed and budget of its own", () => {
  const opts = { resamples: 0, plannerSeeds: [1], plannerOnly: true };
  const alone = runLadderBacktest([grid], opts);
  const both = runLadderBacktest([grid], { ...opts, withExchange: true });
  assert.deepEqual(
    both.filter((s) => s.strategy === 'planner (seed 1)'),
    alone,
  );
  const withIt = both.filter((s) => s.strategy === `${PLANNER_WITH_EXCHANGE} (seed 1)`);
  assert.deepEqual(
    withIt.map((s) => s.fraction),
    alone.map((s) => s.fraction),
  );
  // As "the planner", for the tables: its cases in place of the planner's.
  const asPlanner = withExchangeAsPlanner(both);
  assert.deepEqual(
    asPlanner.filter((s) => s.strategy === 'planner (seed 1)'),
    withIt.map((s) => ({ ...s, strategy: 'planner (seed 1)' })),
  );
  assert.ok(!asPlanner.some((s) => s.strategy.startsWith(PLANNER_WITH_EXCHANGE)));
});

/** One backtest score of grid 'g' (target t3 its largest) for the aim's tests: the error decides the truth, the rest fixed. */
function aimScore(target: string, strategy: string, fraction: number, errorPct: number, covered = true): BacktestScore {
  return {
    grid: 'g',
    target,
    largest: target === 't3',
    strategy,
    fraction,
    runs: 4,
    usedFraction: fraction,
    predicted: 2,
    interval: [1.5, 2.5],
    truth: 2 * (1 + errorPct / 100),
    errorPct,
    covered,
    widthPct: 50,
    computeRatio: 100,
    fitInterval: [1.5, 2.5],
    picked: [],
    heldOutMiss: 0,
  };
}

test('the aim as one row: per level the median compute over targets (not reached counted beyond), how many reach it, and whether the planner needs less than every baseline', () => {
  const s = aimScore;
  const fractions = [0.01, 0.1, 0.3];
  const scores: BacktestScore[] = [];
  const each = (strategy: string, errors: Record<string, number[]>) =>
    Object.entries(errors).forEach(([t, es]) => es.forEach((e, i) => scores.push(s(t, strategy, fractions[i], e))));
  // ≤ 5%: the planner at 1%, 10%, 30% on t1–t3 (median 10%); with the exchange 1%, 30%, never (median 30%).
  // ≤ 2%: the planner on t1 alone (beyond on 2 of 3).
  each('planner (seed 1)', { t1: [1, 1, 1], t2: [9, 4, 4], t3: [9, 9, 3] });
  each(`${PLANNER_WITH_EXCHANGE} (seed 1)`, { t1: [1, 1, 1], t2: [9, 9, 4], t3: [9, 9, 9] });
  // Random reaches ≤ 5% on t1–t3 at 30% (median 30%); largest-first at 10% on every target (a tie with the planner).
  each('random (seed 1)', { t1: [9, 9, 4], t2: [9, 9, 4], t3: [9, 9, 4] });
  each('largest-first', { t1: [9, 4, 4], t2: [9, 4, 4], t3: [9, 4, 4] });
  each('IsoFLOP recipe', { t1: [20, 20, 20], t2: [20, 20, 20], t3: [20, 20, 20] });
  const md = aimMarkdown([{ label: 'set', scores }], 0.43).join('\n');
  assert.match(
    md,
    /\| targets \| error ≤ \| planner \| planner with exchange \(not in use\) \| IsoFLOP recipe \| random \| largest-first \| planner below every baseline\? \| with exchange\? \|/,
  );
  assert.match(
    md,
    /\| set \| 2% \| beyond 30% \(1 of 3\) \| beyond 30% \(1 of 3\) \| beyond 30% \(0 of 3\) \| beyond 30% \(0 of 3\) \| beyond 30% \(0 of 3\) \| no: not reached on half its targets \| no: not reached on half its targets \|/,
  );
  assert.match(
    md,
    /\| set \| 5% \| 10% \(3 of 3\) \| 30% \(2 of 3\) \| beyond 30% \(0 of 3\) \| 30% \(3 of 3\) \| 10% \(3 of 3\) \| no: largest-first 10% \| no: random 30%, largest-first 10% \|/,
  );
  // ≤ 10%: every strategy but the recipe from the first budget.
  assert.match(
    md,
    /\| set \| 10% \| 1% \(3 of 3\) \| 1% \(3 of 3\) \| beyond 30% \(0 of 3\) \| 1% \(3 of 3\) \| 1% \(3 of 3\) \| no: random 1%, largest-first 1% \|/,
  );
  // ≤ 2%, beyond on half the planner's targets: how many each strategy has reached by each budget
  // (the planner t1 from 1%).
  assert.match(md, /Error ≤ 2%, not reached on half the targets by the planner/);
  assert.match(md, /\| targets \| strategy \| by 1% \| by 10% \| by 30% \|/);
  assert.match(md, /\| set \| planner \| 1 \| 1 \| 1 \|/);
  assert.match(md, /\| set \| largest-first \| 0 \| 0 \| 0 \|/);
  assert.doesNotMatch(md, /Error ≤ 5%, not reached/);
  // The planner's verdict is yes only below every baseline: drop largest-first's 10% to beyond.
  const beaten = scores.map((x) => (x.strategy === 'largest-first' ? { ...x, errorPct: 9 } : x));
  assert.match(
    aimMarkdown([{ label: 'set', scores: beaten }], 0.43).join('\n'),
    /\| set \| 5% \| 10% \(3 of 3\) \| 30% \(2 of 3\) \| beyond 30% \(0 of 3\) \| 30% \(3 of 3\) \| beyond 30% \(0 of 3\) \| yes \| no: random 30% \|/,
  );
  // The plan's interval: ±0.43 × the floor at 100× (~8%), at most the lens's ±25%: errors of 9% and
  // more fall outside it, the lens's covers all; nine cases per planner form.
  const floor = 0.43 * crossRunDistanceFloor(100);
  const inside = (l: readonly number[]) => l.filter((e) => Math.log(1 + e / 100) <= floor).length;
  const plannerErrors = [1, 1, 1, 9, 4, 4, 9, 9, 3];
  const withErrors = [1, 1, 1, 9, 9, 4, 9, 9, 9];
  assert.match(md, new RegExp(`\\| set \\| in use \\| 9 \\| ${Math.round((100 * inside(plannerErrors)) / 9)}% \\| 100% \\| 4\\.00% \\|`));
  assert.match(md, new RegExp(`\\| set \\| with exchange \\(not in use\\) \\| 9 \\| ${Math.round((100 * inside(withErrors)) / 9)}% \\| 100% \\| 9\\.00% \\|`));
  // Per data set, the planner in use: one here.
  assert.match(md, new RegExp(`\\| set: g \\| in use \\| 9 \\| ${Math.round((100 * inside(plannerErrors)) / 9)}% \\|`));
});

test("the aim's finer budgets: every step ~1.8×, the tables' budgets among them, and their scores the same as without the budgets between", () => {
  for (const f of LADDER_FRACTIONS) assert.ok(AIM_FRACTIONS.includes(f), `${f} is an aim budget`);
  for (let i = 1; i < AIM_FRACTIONS.length; i++) {
    const step = AIM_FRACTIONS[i] / AIM_FRACTIONS[i - 1];
    assert.ok(step > 1.6 && step < 2, `step ${AIM_FRACTIONS[i - 1]} → ${AIM_FRACTIONS[i]}: ${step}`);
  }
  const coarse = runLadderBacktest([grid], { resamples: 0, plannerSeeds: [1] });
  const fine = runLadderBacktest([grid], { resamples: 0, plannerSeeds: [1], fractions: AIM_FRACTIONS });
  assert.ok(fine.some((s) => s.fraction === 0.017) && fine.length > coarse.length);
  assert.deepEqual(atTableBudgets(fine), coarse);
});

test("the aim at finer budgets: the compute between the tables' budgets, the verdict at the tables' budgets alone beside it, the plan's interval on the tables' cases", () => {
  const s = aimScore;
  const fractions = [0.03, 0.055, 0.1, 0.17, 0.3];
  const scores: BacktestScore[] = [];
  const each = (strategy: string, errors: Record<string, number[]>) =>
    Object.entries(errors).forEach(([t, es]) => es.forEach((e, i) => scores.push(s(t, strategy, fractions[i], e))));
  // ≤ 5%: the planner from 5.5% on every target; largest-first from 10%: a tie at the tables' budgets
  // (3%, 10%, 30%: both 10%), the planner below it once 5.5% is tried.
  // ≤ 2%: the planner on t1 alone, from 17%.
  each('planner (seed 1)', { t1: [9, 4, 4, 1, 1], t2: [9, 4, 4, 4, 4], t3: [9, 4, 4, 4, 4] });
  each('largest-first', { t1: [9, 9, 4, 4, 4], t2: [9, 9, 4, 4, 4], t3: [9, 9, 4, 4, 4] });
  each('random (seed 1)', { t1: [9, 9, 9, 9, 4], t2: [9, 9, 9, 9, 4], t3: [9, 9, 9, 9, 4] });
  each('IsoFLOP recipe', { t1: [9, 9, 9, 9, 9], t2: [9, 9, 9, 9, 9], t3: [9, 9, 9, 9, 9] });
  const md = aimMarkdown([{ label: 'set', scores }], 0.43).join('\n');
  assert.match(md, /\| planner below every baseline\? \| at the 5 budgets alone \|/);
  assert.match(md, /\| set \| 5% \| 5\.5% \(3 of 3\) \| beyond 30% \(0 of 3\) \| 30% \(3 of 3\) \| 10% \(3 of 3\) \| yes \| no: largest-first 10% \|/);
  assert.match(md, /every larger budget tried \(3%, 5\.5%, 10%, 17%, 30%;/);
  assert.match(md, /\| set \| planner \| 0 \| 0 \| 0 \| 1 \| 1 \|/);
  // The plan's interval: the tables' budgets alone (3 targets × 3 budgets).
  assert.match(md, /\| set \| in use \| 9 \|/);
});
