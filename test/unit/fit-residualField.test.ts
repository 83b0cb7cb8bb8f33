// The family model through its runs' own numbers (fit/residualField.ts): equal to each run's number
// at its point, the law far away, never beyond the residuals, and the model stays monotone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { residualField } from '../../src/core/fit/residualField';
import { fitCrossRun, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { familyModel, monotonicityViolations } from '../../src/core/plan/familyModel';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { overtrainFitFor } from '../../src/core/plan/regime';

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
  const law = (p: CrossRunPoint) => truth(p.params, p.tokens);
  const field = residualField(points, law, TRUE)!;
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
  const node = residualField(three, law, TRUE)!;
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

// Larger misfits (±3%, ±6%) about the same truth on a denser ladder: each run's bump or dip must not
// let more parameters or more tokens predict worse anywhere (predict and value, along N and along D).
for (const scatter of [0.03, 0.06]) {
  test(`family model through its runs: monotone in N and D with ±${100 * scatter}% scatter (48 runs)`, () => {
    const runs: CrossRunPoint[] = [];
    let j = 0;
    for (const n of [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8, 1.28e9]) {
      for (const ratio of [5, 10, 20, 40, 80, 160]) {
        const off = scatter * Math.sin(12.9898 * ++j);
        runs.push({ runId: `s${j}`, params: n, tokens: n * ratio, loss: truth(n, n * ratio) * (1 + off) });
      }
    }
    const fit = fitCrossRun(runs, { seed: 1, resamples: 10 });
    assert.ok(!('error' in fit), JSON.stringify(fit));
    const model = familyModel({ family: 'f', fit, runsUsed: fit.runIds, points: runs });
    assert.deepEqual(monotonicityViolations(model), []);
    // A dense scan of value() through the runs' neighbourhoods: steps of 1% in N and in D.
    const rises: string[] = [];
    const h = Math.log(1.01);
    for (let i = 0; i <= 120; i++) {
      const n = 8e6 * Math.exp((Math.log(2e9 / 8e6) * i) / 120);
      for (let m = 0; m <= 60; m++) {
        const d = n * 4 * Math.exp((Math.log(50) * m) / 60);
        const here = model.value(n, d);
        if (model.value(n * Math.exp(h), d) > here * (1 + 1e-9)) rises.push(`N up at ${n.toExponential(3)}, ${d.toExponential(3)}`);
        if (model.value(n, d * Math.exp(h)) > here * (1 + 1e-9)) rises.push(`D up at ${n.toExponential(3)}, ${d.toExponential(3)}`);
      }
    }
    assert.deepEqual(rises.slice(0, 5), [], `${rises.length} rises`);
  });
}

// A family that blends in the over-training law (runs from 5 to 640 tokens per parameter, Gadre-style):
// each law through the runs, and the blend's envelope (plan/blendEnvelope.ts), must keep the model
// monotone across the blend band, where the two laws disagree, and still show each run's number.
for (const scatter of [0.03, 0.06]) {
  test(`blended family model through its runs: monotone in N and D across the blend band with ±${100 * scatter}% scatter (49 runs)`, () => {
    const runs: CrossRunPoint[] = [];
    let j = 0;
    for (const n of [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8]) {
      for (const ratio of [5, 20, 40, 80, 160, 320, 640]) {
        const off = scatter * Math.sin(12.9898 * ++j);
        runs.push({ runId: `o${j}`, params: n, tokens: n * ratio, loss: truth(n, n * ratio) * (1 + off) });
      }
    }
    const fit = fitCrossRun(runs, { seed: 1, resamples: 10 });
    assert.ok(!('error' in fit), JSON.stringify(fit));
    const overtrain = overtrainFitFor(fit, runs, { seed: 1, resamples: 10 });
    assert.ok(!('error' in overtrain) && !overtrain.timedOut, 'the over-training law is fitted');
    const model = familyModel({ family: 'f', fit, runsUsed: fit.runIds, points: runs, overtrain });
    assert.ok(!model.warnings.some((w) => /not blended/.test(w)), 'the over-training law is blended');
    assert.deepEqual(monotonicityViolations(model), []);
    // Runs show their own number about as often as through Chinchilla alone (at ±6% many runs contradict
    // their neighbours and show what those allow, in either model).
    const ownNumber = (m: typeof model) => runs.filter((p) => Math.abs(m.value(p.params, p.tokens) / p.loss - 1) < 1e-9).length;
    const own = ownNumber(model);
    const chinchillaOnly = ownNumber(familyModel({ family: 'f', fit, runsUsed: fit.runIds, points: runs }));
    assert.ok(
      own >= 0.75 * chinchillaOnly && own >= runs.length / 3,
      `${own} of ${runs.length} runs at their own number (Chinchilla alone: ${chinchillaOnly})`,
    );
    const rises: string[] = [];
    const h = Math.log(1.01);
    for (let i = 0; i <= 100; i++) {
      const n = 8e6 * Math.exp((Math.log(1e9 / 8e6) * i) / 100);
      for (let m = 0; m <= 50; m++) {
        const d = n * 4 * Math.exp((Math.log(200) * m) / 50);
        const here = model.value(n, d);
        if (model.value(n * Math.exp(h), d) > here * (1 + 1e-9)) rises.push(`N up at ${n.toExponential(3)}, ${d.toExponential(3)}`);
        if (model.value(n, d * Math.exp(h)) > here * (1 + 1e-9)) rises.push(`D up at ${n.toExponential(3)}, ${d.toExponential(3)}`);
      }
    }
    assert.deepEqual(rises.slice(0, 5), [], `${rises.length} rises`);
  });
}
