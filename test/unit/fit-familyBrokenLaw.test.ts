// The broken law offered beside a family law that bends: fitted where a break shows, nowhere else,
// and closer to a held-out largest run past the break than the single law.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCrossRun, type CrossRunFit } from '../../src/core/fit/crossRun';
import { familyBreak } from '../../src/core/fit/familyBreak';
import { brokenLawLoss, fitFamilyBrokenLaw } from '../../src/core/fit/familyBrokenLaw';

// A BNSL-shaped ladder in N at 20 tokens per parameter: slope 0.2 below 4e8 parameters, 0.6 above
// (loss falling sharply past a size), with a deterministic ±0.3% scatter as finished runs have.
const sizes = [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8, 1.28e9];
const bnsl = (n: number) => 2 + 2.5 * (n / 1e7) ** -0.2 * (1 + (n / 4e8) ** (1 / 0.3)) ** (-0.4 * 0.3);
const scatter = (i: number) => 1 + 0.003 * Math.sin(i * 2.3);
const broken = sizes.map((n, i) => ({ runId: `r${i}`, params: n, tokens: 20 * n, loss: bnsl(n) * scatter(i) }));
const smoothLaw = (n: number, d: number) => 1.8 + 400 / n ** 0.34 + 1800 / d ** 0.36;
const smooth = sizes.map((n, i) => ({ runId: `r${i}`, params: n, tokens: 20 * n, loss: smoothLaw(n, 20 * n) * scatter(i) }));

test('a family with a break gets the broken law, closer to its held-out largest run than the single law', () => {
  const fit = fitCrossRun(broken, { seed: 1, resamples: 0 }) as CrossRunFit;
  const bend = familyBreak(fit, broken);
  assert.ok(bend, 'the break is detected');
  const law = bend.brokenLaw;
  assert.ok(law, 'a broken law is fitted beside the family law');
  assert.ok(law.heldOut && fit.validation);
  assert.equal(law.heldOut.runId, 'r7');
  assert.equal(fit.validation.heldOutRunId, 'r7');
  const brokenMiss = Math.abs(law.heldOut.predicted / law.heldOut.observed - 1);
  const singleMiss = Math.abs(fit.validation.predicted / fit.validation.observed - 1);
  assert.ok(brokenMiss < singleMiss, `broken ${brokenMiss} vs single ${singleMiss}`);
  assert.ok(law.rmsLogResidual < law.singleRmsLogResidual);
  // Its curve passes near every run it was fitted on.
  for (const p of broken) assert.ok(Math.abs(brokenLawLoss(law, 6 * p.params * p.tokens) / p.loss - 1) < 0.02, p.runId);
  // Deterministic: the same runs under other names (not the kept fit) give the same law.
  assert.deepEqual(fitFamilyBrokenLaw(broken.map((p) => ({ ...p, runId: `again-${p.runId}` })))?.fitParams, law.fitParams);
});

test('a family without a break gets no broken law', () => {
  const fit = fitCrossRun(smooth, { seed: 1, resamples: 0 }) as CrossRunFit;
  assert.equal(familyBreak(fit, smooth), undefined);
  // Too few runs for one, even asked directly.
  assert.equal(fitFamilyBrokenLaw(broken.slice(0, 4)), undefined);
});
