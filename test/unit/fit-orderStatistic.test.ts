// A curve fit's priors need the median of a run's losses; it is found by selection, not by sorting
// every point (a 100,000-point run was sorted several times per fit), and laws without priors do not
// read the losses at all. The CSV reader's header test rejects a data row at its first numeric cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kthSmallest } from '../../src/core/fit/orderStatistic';
import { curveLawPriors, curveModel } from '../../src/core/fit/curveLaws';
import { parseCsv } from '../../src/core/runs/csv';
import { mulberry32 } from '../../src/core/fit/random';

test('kthSmallest is the sorted copy at k, on random, tied, sorted, reversed and constant inputs', () => {
  const rand = mulberry32(7);
  const inputs: number[][] = [[3], [2, 1], [1, 1, 1, 1], [5, -0.5, 5, 2, 2, 9, -3]];
  for (const n of [10, 101, 1000]) {
    inputs.push(Array.from({ length: n }, () => rand()));
    inputs.push(Array.from({ length: n }, () => Math.floor(rand() * 5)));
    inputs.push(Array.from({ length: n }, (_, i) => i * 0.5));
    inputs.push(Array.from({ length: n }, (_, i) => n - i));
    inputs.push(Array.from({ length: n }, () => 4.2));
  }
  for (const xs of inputs) {
    const sorted = [...xs].sort((a, b) => a - b);
    for (let k = 0; k < xs.length; k += Math.max(1, Math.floor(xs.length / 17))) assert.equal(kthSmallest(xs, k), sorted[k], `k ${k} of ${xs.length}`);
    assert.equal(kthSmallest(xs, xs.length - 1), sorted[xs.length - 1]);
    assert.equal(kthSmallest(Float64Array.from(xs), Math.floor(xs.length / 2)), sorted[Math.floor(xs.length / 2)]);
  }
  const copy = [3, 1, 2];
  kthSmallest(copy, 1);
  assert.deepEqual(copy, [3, 1, 2], 'the input is left as it was');
  assert.throws(() => kthSmallest([1, 2], 2), RangeError);
});

test('curveLawPriors: no losses read for a law without priors; the median for one with priors', () => {
  const unreadable = new Proxy([1, 2, 3], {
    get(target, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) throw new Error('losses read');
      return Reflect.get(target, key) as unknown;
    },
  });
  for (const law of ['power', 'bnsl'] as const) {
    const model = curveModel(law);
    assert.ok(!('error' in model));
    assert.equal(curveLawPriors(law, model, unreadable, 1000), undefined);
  }
  // A law with priors gets the same median a sort gives (the upper middle one of an even count).
  const lr = Float64Array.from({ length: 2001 }, (_, k) => 3e-4 * (1 - (0.9 * k) / 2000)); // a linear decay: the drop prior applies
  const model = curveModel('multipower', lr);
  assert.ok(!('error' in model));
  const losses = [3.1, 2.9, 3.5, 2.7, 3.0, 2.8];
  const viaMedian = curveLawPriors('multipower', model, losses, 2000, lr);
  const sortedMedian = [...losses].sort((a, b) => a - b)[3];
  const viaConstant = curveLawPriors('multipower', model, [sortedMedian], 2000, lr);
  assert.ok(viaMedian !== undefined);
  assert.deepEqual(viaMedian, viaConstant);
});

test('CSV: a data row is data, a later header row is a header', () => {
  const r = parseCsv('step,loss\n1,3.5\n2,3.4\nstep,loss,lr\n3,3.3,0.1\n', 'metrics.csv');
  const loss = r.points.filter((p) => p.metric === 'loss').map((p) => [p.step, p.value]);
  assert.deepEqual(loss, [
    [1, 3.5],
    [2, 3.4],
    [3, 3.3],
  ]);
  assert.ok(r.diagnostics.some((d) => d.line === 4 && /new header row/.test(d.message)));
});
