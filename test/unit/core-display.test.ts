import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { downsampleLogX } from '../../src/core/display';

test('short series pass through unchanged', () => {
  assert.deepEqual(downsampleLogX([1, 2, 3], [3, 2, 1], 10), { xs: [1, 2, 3], ys: [3, 2, 1] });
});

test('property: the display copy is bounded, ordered, and keeps the ends and the extremes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.1, max: 100, noNaN: true }), { minLength: 50, maxLength: 3000 }),
      fc.integer({ min: 8, max: 200 }),
      (ys, maxPoints) => {
        const xs = ys.map((_, i) => i * 10);
        const out = downsampleLogX(xs, ys, maxPoints);
        assert.ok(out.xs.length <= maxPoints + 1, `${out.xs.length} points for a budget of ${maxPoints}`);
        for (let i = 1; i < out.xs.length; i++) assert.ok(out.xs[i] > out.xs[i - 1]);
        assert.equal(out.xs[0], 0);
        assert.equal(out.xs[out.xs.length - 1], xs[xs.length - 1]);
        assert.ok(out.ys.includes(Math.min(...ys)), 'the minimum survives');
        assert.ok(out.ys.includes(Math.max(...ys)), 'the maximum survives');
      },
    ),
    { numRuns: 300, seed: 11 },
  );
});

test('buckets are log-spaced: early steps keep more resolution than a linear decimation would', () => {
  const xs = Array.from({ length: 100_000 }, (_, i) => i + 1);
  const ys = xs.map((x) => 2 + 10 * Math.pow(x, -0.3));
  const out = downsampleLogX(xs, ys, 400);
  const early = out.xs.filter((x) => x <= 1000).length;
  // A linear decimation to 400 points would keep about 4 points below step 1000.
  assert.ok(early > 100, `${early} points below step 1000`);
});
