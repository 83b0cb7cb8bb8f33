// The family model through its runs' own numbers (fit/residualField.ts): equal to each run's number
// at its point, the law far away, never beyond the residuals, and the model stays monotone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chinchillaTermCoordinates, residualField } from '../../src/core/fit/residualField';
import { fitCrossRun, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { familyModel, monotonicityViolations } from '../../src/core/plan/familyModel';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';

// Epoch AI's refit of Chinchilla as the truth, each run off it by a fixed pseudo-random ±1.5%.
const TRUE = [Math.log(1.82), Math.log(482), Math.log(2085), 0.3478, 0.3658];
const truth = (n: number, d: number) => chinchillaLaw.evaluate(TRUE, [n, d]);
const points: CrossRunPoint[] = [];
let k = 0;
for (const n of [2e7, 5e7, 1.2e8, 3e8, 7e8]) {
  for (const ratio of [10, 20, 40]) {
    const off = 0.015 * Math.sin(12.9898 * ++k);
    points.push({ runId: `r${k}`, params: n, tokens: n * ratio, loss: truth(n, n * ratio) * (1 + off) });
  }
}

test('residual field: each run its own residual at its point, 0 far away, never beyond the residuals', () => {
  const coords = chinchillaTermCoordinates(TRUE)!;
  const law = (p: CrossRunPoint) => truth(p.params, p.tokens);
  const field = residualField(points, law, coords)!;
  const rs = points.map((p) => Math.log(p.loss / law(p)));
  for (const [i, p] of points.entries()) assert.ok(Math.abs(field.at(p.params, p.tokens) - rs[i]) < 1e-12, p.runId);
  assert.equal(field.at(1e12, 2e13), 0);
  for (const n of [3e7, 9e7, 2e8, 5e8])
    for (const ratio of [12, 25, 33]) {
      const c = field.at(n, n * ratio);
      assert.ok(c >= Math.min(0, ...rs) && c <= Math.max(0, ...rs), `${n} ${ratio}: ${c}`);
    }
  // Runs at one (N, D) count once, at their median residual.
  const three = [points[0], { ...points[0], runId: 'b', loss: points[0].loss * 1.002 }, { ...points[0], runId: 'c', loss: points[0].loss * 1.05 }];
  const node = residualField(three, law, coords)!;
  assert.equal(node.nodes.length, 1);
  assert.ok(Math.abs(node.at(points[0].params, points[0].tokens) - (rs[0] + Math.log(1.002))) < 1e-12);
});

test('family model through its runs: equal to each run at its point, the law far away, monotone', () => {
  const fit = fitCrossRun(points, { seed: 1, resamples: 20 });
  assert.ok(!('error' in fit), JSON.stringify(fit));
  const model = familyModel({ family: 'f', fit, runsUsed: fit.runIds, points });
  const lawOnly = familyModel({ family: 'f', fit, runsUsed: fit.runIds, points, throughRuns: false });
  for (const p of points) {
    assert.ok(Math.abs(model.predict(p.params, p.tokens).value / p.loss - 1) < 1e-9, p.runId);
    assert.equal(model.value(p.params, p.tokens), model.predict(p.params, p.tokens).value);
  }
  const far = [3e10, 6e11] as const;
  assert.ok(Math.abs(model.predict(...far).value / lawOnly.predict(...far).value - 1) < 1e-6);
  assert.deepEqual(monotonicityViolations(model), []);
});
