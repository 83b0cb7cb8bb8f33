import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { debiasedEma } from '../../src/shared/smoothing';

test('weight 0 is the identity; a constant stays constant from the first point (no zero-start bias)', () => {
  assert.deepEqual(debiasedEma([3, 2, 1], 0), [3, 2, 1]);
  for (const v of debiasedEma([4, 4, 4, 4], 0.9)) assert.ok(Math.abs(v - 4) < 1e-12);
});

test('hand-computed: weight 0.5 on [2, 4]', () => {
  // a1 = 0.5·2 = 1, debiased 1/(1−0.5) = 2; a2 = 0.5·1 + 0.5·4 = 2.5, debiased 2.5/(1−0.25) = 3.333…
  const [a, b] = debiasedEma([2, 4], 0.5);
  assert.equal(a, 2);
  assert.ok(Math.abs(b - 10 / 3) < 1e-12);
});

test('NaN passes through and does not poison what follows', () => {
  const out = debiasedEma([1, NaN, 1], 0.6);
  assert.ok(Number.isNaN(out[1]));
  assert.ok(Math.abs(out[2] - 1) < 1e-12);
});

test('property: the smoothed value stays within the range of the values seen so far', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.1, max: 20, noNaN: true }), { minLength: 1, maxLength: 200 }),
      fc.double({ min: 0, max: 0.99, noNaN: true }),
      (values, w) => {
        const out = debiasedEma(values, w);
        let lo = Infinity;
        let hi = -Infinity;
        values.forEach((v, i) => {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          assert.ok(out[i] >= lo - 1e-9 && out[i] <= hi + 1e-9);
        });
      },
    ),
    { numRuns: 500, seed: 3 },
  );
});
