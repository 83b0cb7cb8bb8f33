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

// The validation's synthetic ladder (scripts/validateFamilyBreak.ts): 8 sizes at 20 tokens per
// parameter, slope 0.2 → 0.6 past a sharp break at 2e8, a deterministic ±0.3% scatter.
const bnslLoss = (n: number, breakN: number, c1: number) => 2 + 2.5 * (n / 1e7) ** -0.2 * (1 + (n / breakN) ** (1 / 0.3)) ** (-c1 * 0.3);
const ladder8 = (breakN: number, c1: number) =>
  Array.from({ length: 8 }, (_, i) => 1e7 * 2 ** i).map((n, i) => ({ runId: `n${i}`, params: n, tokens: 20 * n, loss: bnslLoss(n, breakN, c1) * scatter(i) }));

test('a break the law fits across (three runs past it) is found by the broken law fitting far better; a smooth ladder is not flagged', () => {
  const bent = ladder8(2e8, 0.4);
  const fit = fitCrossRun(bent, { seed: 1, resamples: 0 }) as CrossRunFit;
  const bend = familyBreak(fit, bent);
  assert.ok(bend, 'the break at 2e8 is found');
  assert.match(bend.note, /^Possible break: a broken power law in compute .* \(F test, 95%\)/);
  assert.ok(bend.brokenLaw && bend.brokenLaw.rmsLogResidual * 2 <= bend.brokenLaw.singleRmsLogResidual);
  // The runs past the break, largest first.
  assert.deepEqual(bend.runIds.slice(0, 3), ['n7', 'n6', 'n5']);
  const straight = ladder8(1e12, 0);
  assert.equal(familyBreak(fitCrossRun(straight, { seed: 1, resamples: 0 }) as CrossRunFit, straight), undefined);
  // Seven runs: too few for the F test (and the other signs do not see this break).
  assert.equal(familyBreak(fitCrossRun(bent.slice(0, 7), { seed: 1, resamples: 0 }) as CrossRunFit, bent.slice(0, 7)), undefined);
});

test("IsoFLOP wings the family fit ignores are no trend: the largest-compute runs far off their budget's optimum do not flag a break", () => {
  const pts: { runId: string; params: number; tokens: number; loss: number }[] = [];
  const budgets = [1e17, 2e17, 4e17, 8e17, 1.6e18];
  for (const c of budgets) {
    // Near each budget's optimum (about 20 tokens per parameter) the law; on the largest budget the
    // models 3–6× past it (a few tokens per parameter) increasingly above it, as Porian et al.'s
    // constant-LR curves: its three largest-compute runs (6·N·D equal, the wings last) trend.
    const nStar = Math.sqrt(c / 120);
    for (const f of [0.5, 0.7, 1, 1.4, 2, 3, 4.5, 6]) {
      const n = nStar * f;
      const d = c / (6 * n);
      pts.push({ runId: `${c}-${f}`, params: n, tokens: d, loss: law(n, d) * scatter(pts.length) * (c === 1.6e18 && f > 2.5 ? 1 + 0.05 * (f - 2.5) : 1) });
    }
  }
  const fit = fitCrossRun(pts, { seed: 1, resamples: 0 }) as CrossRunFit;
  assert.ok(fit.isoflopWeighting, 'an IsoFLOP layout');
  assert.equal(familyBreak(fit, pts), undefined);
});
