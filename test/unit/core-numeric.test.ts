// The helpers several parts of the core share: numbers with suffixes, the 6·N·D convention,
// golden-section search, interpolation inside a table, and the published LR / batch laws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { magnitudeOf, parseSuffixedNumber, type NumberSyntax } from '../../src/core/numberText';
import { approxTrainingFlops, FLOPS_PER_PARAM_TOKEN, tokensForFlops } from '../../src/core/laws/trainingCompute';
import { goldenSectionMinimum } from '../../src/core/fit/goldenSection';
import { interpolateWithin } from '../../src/shared/axes';
import { publishedHparams } from '../../src/core/plan/advice';
import { planBudget } from '../../src/core/plan/budget';

test('suffixed numbers: letters in the cases a syntax takes, separators, sign and words as it says', () => {
  const counts: NumberSyntax = { suffixes: 'kKmMbBtT', separators: ',_', signed: false };
  assert.equal(parseSuffixedNumber('7B', counts), 7e9);
  assert.equal(parseSuffixedNumber(' 1.5 t ', counts), 1.5e12);
  assert.equal(parseSuffixedNumber('2,000', counts), 2000);
  assert.equal(parseSuffixedNumber('65_536', counts), 65536);
  assert.equal(parseSuffixedNumber('.5k', counts), 500);
  assert.equal(parseSuffixedNumber('3e2M', counts), 3e8);
  for (const bad of ['-3', '0', '5G', '5 million', '5kk', 'k', '', '1e400']) assert.equal(parseSuffixedNumber(bad, counts), undefined, bad);
  const budget: NumberSyntax = { suffixes: 'kKmMbBgGtTPEZY', separators: ',_', signed: true, words: true };
  assert.equal(parseSuffixedNumber('-3', budget), -3);
  assert.equal(parseSuffixedNumber('2 Million', budget), 2e6);
  assert.equal(parseSuffixedNumber('1Z', budget), 1e21);
  assert.equal(parseSuffixedNumber('1z', budget), undefined, 'P, E, Z, Y upper case only');
  assert.equal(parseSuffixedNumber('2 constructor', budget), undefined);
  assert.equal(parseSuffixedNumber('1,000', { ...budget, separators: '' }), undefined);
  assert.equal(magnitudeOf('G', 'kKMGBTPE'), 1e9);
  assert.equal(magnitudeOf('m', 'kKMGBTPE'), undefined, "a log's lower-case m is not a million");
});

test('6·N·D: FLOPs from N and D, and D back from the FLOPs', () => {
  assert.equal(FLOPS_PER_PARAM_TOKEN, 6);
  assert.equal(approxTrainingFlops(1e9, 2e10), 1.2e20);
  assert.equal(tokensForFlops(1.2e20, 1e9), 2e10);
});

test('golden-section search finds the minimum of a unimodal function within the tolerance', () => {
  const x = goldenSectionMinimum((t) => (t - 1.234) ** 2 + 5, -10, 10, { tolerance: 1e-6, maxSteps: 200 });
  assert.ok(Math.abs(x - 1.234) < 1e-6, String(x));
  const edge = goldenSectionMinimum((t) => t, 2, 3, { tolerance: 1e-6, maxSteps: 200 });
  assert.ok(edge - 2 < 1e-6, 'an increasing function: the left end');
  const coarse = goldenSectionMinimum((t) => (t - 1.234) ** 2, -10, 10, { tolerance: 1e-9, maxSteps: 3 });
  assert.ok(Math.abs(coarse - 1.234) > 1e-3, 'maxSteps stops the search early');
});

test('interpolation inside a table: linear between points, exact at them, first n points only', () => {
  const xs = [0, 10, 10, 30];
  const ys = [1, 2, 4, 8];
  assert.equal(interpolateWithin(xs, ys, 5), 1.5);
  assert.equal(interpolateWithin(xs, ys, 0), 1);
  assert.equal(interpolateWithin(xs, ys, 20), 6);
  assert.equal(interpolateWithin(xs, ys, 30), 8);
  assert.equal(interpolateWithin(xs, ys, 10, 2), 2, 'n = 2 ignores the rest');
  assert.equal(interpolateWithin(Float64Array.of(1), Float64Array.of(7), 1), 7);
});

test('published LR and batch: one computation for the config advice and the budget planner', () => {
  const shape = { nLayer: 24, dModel: 2048 };
  const hp = publishedHparams(1.2e9, 2.4e10, shape, 2048);
  assert.equal(hp.deepseek.flops, (72 * 24 * 2048 ** 2 + 6 * 24 * 2048 * 2048) * 2.4e10);
  for (const v of [hp.steplaw.lr, hp.steplaw.batchTokens, hp.deepseek.lr, hp.deepseek.batchTokens]) assert.ok(Number.isFinite(v) && v > 0);
  // Step Law's batch depends on D only; its LR falls with N.
  assert.equal(publishedHparams(1e8, 2.4e10, shape, 2048).steplaw.batchTokens, hp.steplaw.batchTokens);
  assert.ok(publishedHparams(1e8, 2.4e10, shape, 2048).steplaw.lr > hp.steplaw.lr);
  const plan = planBudget({ budget: { kind: 'flops', flops: 1e21, text: '1e21' } });
  assert.ok(!('error' in plan));
  const rec = plan.recommended;
  const again = publishedHparams(Math.max(1, rec.shape.nonEmbeddingParams), rec.tokens, rec.shape, 2048);
  assert.equal(rec.lr.steplaw, again.steplaw.lr);
  assert.equal(rec.lr.deepseek, again.deepseek.lr);
  assert.equal(rec.batchTokens.value, again.steplaw.batchTokens);
});
