// The ladder backtest of `npm run validate` (scripts/ladderBacktest.ts) on a synthetic grid drawn
// from a known law: every strategy keeps its budget, random seeds are reproducible, the tables render.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeToReach, ladderBacktestMarkdown, plannerWins, runLadderBacktest, type BacktestGrid } from '../../scripts/ladderBacktest';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { referenceParams } from '../../src/core/fit/crossRunLaw';

const theta = referenceParams(chinchillaLaw);
const loss = (n: number, d: number, k: number) => chinchillaLaw.evaluate(theta, [n, d]) * (1 + 0.004 * Math.sin(k * 1.7));
const pool: BacktestGrid['pool'] = [];
let k = 0;
for (const n of [2e7, 5e7, 1.2e8, 3e8]) for (const r of [5, 20, 80]) pool.push({ runId: `r${++k}`, params: n, tokens: n * r, loss: loss(n, n * r, k) });
const grid: BacktestGrid = { name: 'synthetic', target: { runId: 't', params: 3e9, tokens: 6e10, loss: loss(3e9, 6e10, 0) }, pool };

test('ladder backtest: budgets kept, seeds reproducible, tables rendered', () => {
  const scores = runLadderBacktest([grid], { resamples: 0 });
  assert.ok(scores.length > 0);
  for (const s of scores) {
    assert.ok(s.usedFraction <= s.fraction * (1 + 1e-9), `${s.strategy} at ${s.fraction}: used ${s.usedFraction}`);
    assert.ok(s.runs >= 1 && Number.isFinite(s.errorPct));
  }
  const strategies = new Set(scores.map((s) => s.strategy));
  for (const st of ['planner', 'IsoFLOP recipe', 'largest-first', 'random (seed 1)']) assert.ok(strategies.has(st), st);
  assert.deepEqual(runLadderBacktest([grid], { resamples: 0 }), scores);
  // A law the grid is drawn from predicts its target well once the budget buys enough runs.
  const planner30 = scores.find((s) => s.strategy === 'planner' && s.fraction === 0.3);
  assert.ok(planner30 && planner30.errorPct < 2, String(planner30?.errorPct));
  const md = ladderBacktestMarkdown(scores, [grid]).join('\n');
  assert.match(md, /\| planner \|/);
  assert.match(computeToReach(scores, [grid], 5).join('\n'), /\| synthetic \|/);
  assert.equal(plannerWins(scores).length, 3);
});
