// A family whose largest runs leave the law of the others is told so, and its extrapolations widen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCrossRun, type CrossRunFit } from '../../src/core/fit/crossRun';
import { familyBreak } from '../../src/core/fit/familyBreak';
import { familyModel } from '../../src/core/plan/familyModel';

const law = (n: number, d: number) => 1.8 + 400 / n ** 0.34 + 1800 / d ** 0.36;
const sizes = [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8];
// A deterministic ±0.3% scatter, as finished runs' final losses have.
const scatter = (i: number) => 1 + 0.003 * Math.sin(i * 2.3);
const smooth = sizes.map((n, i) => ({ runId: `r${i}`, params: n, tokens: 20 * n, loss: law(n, 20 * n) * scatter(i) }));
// Past 2e8 parameters the loss falls away from the law (a break, as on the synthetic ladder).
const broken = sizes.map((n, i) => ({ ...smooth[i], loss: smooth[i].loss * (n > 2e8 ? 0.9 * (n / 2e8) ** -0.05 : 1) }));

test('a smooth family has no break; a family whose largest run falls off the law has one, named', () => {
  const fitSmooth = fitCrossRun(smooth, { seed: 1, resamples: 0 }) as CrossRunFit;
  assert.equal(familyBreak(fitSmooth, smooth), undefined);
  const fitBroken = fitCrossRun(broken, { seed: 1, resamples: 0 }) as CrossRunFit;
  const bend = familyBreak(fitBroken, broken);
  assert.ok(bend);
  assert.deepEqual(bend.runIds, ['r6']);
  assert.ok(bend.heldOutMiss > 0.05, `${bend.heldOutMiss}`);
  assert.match(bend.note, /^Possible break: the law fitted without r6 predicts [\d.]+ for it, and it ended lower/);
  // Too few runs to tell: no verdict.
  assert.equal(familyBreak(fitBroken, broken.slice(-4)), undefined);
});

test('a family model with a break says so and widens its predictions past the largest run by at least the miss', () => {
  const fit = fitCrossRun(broken, { seed: 1, resamples: 20 }) as CrossRunFit;
  const model = familyModel({ family: 'f', fit, runsUsed: fit.runIds, points: broken });
  assert.ok(model.break);
  assert.ok(
    model.warnings.some((w) => w.startsWith('Possible break')),
    model.warnings.join('\n'),
  );
  const p = model.predict(2e9, 4e10);
  assert.ok(p.distance.computeRatio > 1);
  assert.ok(p.interval[0] <= p.value * Math.exp(-model.break.heldOutMiss) * (1 + 1e-12), `${p.interval} about ${p.value}`);
  // The truth past the break (the broken ladder's own continuation) is inside the interval.
  const truth = law(2e9, 4e10) * 0.9 * (2e9 / 2e8) ** -0.05;
  assert.ok(truth >= p.interval[0] && truth <= p.interval[1], `${truth} outside ${p.interval}`);
  const plain = familyModel({ family: 'f', fit: fitCrossRun(smooth, { seed: 1, resamples: 20 }) as CrossRunFit, runsUsed: fit.runIds, points: smooth });
  assert.equal(plain.break, undefined);
  assert.ok(!plain.warnings.some((w) => w.startsWith('Possible break')));
});
