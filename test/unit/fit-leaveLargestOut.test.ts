// Leave-largest-out holds out the largest run whose end is MEASURED: a live run's forecast end is
// another prediction, and scoring the law against it would validate nothing (issue 15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCrossRun, type CrossRunFit, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { fitCrossRunLaw, type LawPoint } from '../../src/core/fit/crossRunLaw';
import { fitJointFamily } from '../../src/core/fit/jointFamily';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';

const lossAt = (N: number, D: number) => 1.82 + 482 / N ** 0.35 + 2085 / D ** 0.37;

function ok<T extends object>(res: T | { error: string }): T {
  if ('error' in res) throw new Error(res.error);
  return res;
}

/** Five finished runs (20 tokens per parameter) and a larger live run whose forecast end is 3% high. */
function familyWithLiveLargest(): CrossRunPoint[] {
  const pts: CrossRunPoint[] = [2e7, 5e7, 1e8, 2e8, 4e8].map((N, i) => ({
    runId: `f${i}`,
    params: N,
    tokens: 20 * N * (1 + 0.3 * (i % 2)),
    loss: lossAt(N, 20 * N * (1 + 0.3 * (i % 2))),
  }));
  const N = 1e9;
  pts.push({ runId: 'live', params: N, tokens: 20 * N, loss: 1.03 * lossAt(N, 20 * N), spread: 0.02, forecast: true });
  return pts;
}

test('leave-largest-out: a live largest run is never held out; the largest finished run is, with its measured end as observed', () => {
  const pts = familyWithLiveLargest();
  const largestFinished = pts.find((p) => p.runId === 'f4')!;
  for (const [name, fit] of [
    ['fitCrossRun', ok<CrossRunFit>(fitCrossRun(pts, { resamples: 0 }))],
    // The family job's path when a point is a forecast with its spread (fitFamilyLaw).
    ['fitJointFamily', ok<CrossRunFit>(fitJointFamily(pts, { resamples: 0, asymptotes: false }))],
  ] as const) {
    assert.ok(fit.validation, `${name}: validation present`);
    assert.equal(fit.validation!.heldOutRunId, 'f4', `${name}: held out ${fit.validation!.heldOutRunId}`);
    assert.ok(
      Math.abs(fit.validation!.observed - largestFinished.loss) < 1e-12,
      `${name}: observed ${fit.validation!.observed} vs measured ${largestFinished.loss}`,
    );
    assert.equal(fit.validationSkipped, undefined);
  }
});

test('leave-largest-out: without the forecast flag the same family holds out the live run (the flag is what changes it)', () => {
  const pts = familyWithLiveLargest().map(({ forecast: _f, ...p }) => p);
  const fit = ok<CrossRunFit>(fitCrossRun(pts, { resamples: 0 }));
  assert.equal(fit.validation?.heldOutRunId, 'live');
});

test('leave-largest-out: when every run is a forecast there is no validation, and the fit says why', () => {
  const pts: LawPoint[] = [2e7, 5e7, 1e8, 2e8].flatMap((N) =>
    [10, 40].map((m) => ({ runId: `r${N}-${m}`, x: [N, m * N], y: lossAt(N, m * N), forecast: true })),
  );
  const fit = ok(fitCrossRunLaw(chinchillaLaw, pts, { resamples: 0 }));
  assert.equal(fit.validation, undefined);
  assert.match(fit.validationSkipped ?? '', /still training/);
  // One measured run among them: it is the one held out, though smaller than the forecasts.
  pts[0] = { ...pts[0], forecast: false };
  const one = ok(fitCrossRunLaw(chinchillaLaw, pts, { resamples: 0 }));
  assert.equal(one.validation?.heldOutRunId, pts[0].runId);
  assert.equal(one.validation?.observed, pts[0].y);
});
