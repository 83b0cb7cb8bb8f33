// The distance section of `npm run validate` (scripts/validateDistance.ts): rows per ladder ×
// distance bucket beside the pooled ones, the SciPy baseline's median error beside ours, and a
// section that still renders (saying why) when SciPy did not run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceReport, type DistanceCase } from '../../scripts/validateDistance';

/** Cases of two ladders of two data sets at distances 1.5× and 3×; ladder B's predictions are 10% off. */
function cases(withScipy: boolean): DistanceCase[] {
  const out: DistanceCase[] = [];
  for (const [group, ladder, off] of [
    ['set-a', 'Ladder A', 0.01],
    ['set-b', 'Ladder B', 0.1],
  ] as const) {
    for (const ratio of [1.5, 3]) {
      for (let i = 0; i < 6; i++) {
        const truth = 3 + i * 0.01;
        const predicted = truth * (1 + off);
        out.push({
          group,
          ladder,
          label: `${ladder} ${ratio} ${i}`,
          ratio,
          truth,
          predicted,
          interval: [predicted * 0.999, predicted * 1.001],
          errorPct: 100 * off,
          fittedRuns: 5,
          lawPredicted: predicted,
          lawErrorPct: 100 * off,
          ...(withScipy ? { scipy: truth * 1.02, scipyErrorPct: 2 } : {}),
        });
      }
    }
  }
  return out;
}

const rowsOf = (md: string[], prefix: string) => md.filter((l) => l.startsWith(prefix));

test('distance report: one row per ladder and bucket, SciPy beside ours', () => {
  const r = distanceReport(cases(true), [], { ok: true, message: 'ok', fits: 4, ms: 1000, cpuMs: 500 });
  const a = rowsOf(r.md, '| Ladder A |');
  const b = rowsOf(r.md, '| Ladder B |');
  assert.equal(a.length, 2);
  assert.equal(b.length, 2);
  // ladder | distance | cases | median err | SciPy median err | coverage | held-out | width
  const cells = (row: string) => row.split('|').map((c) => c.trim());
  assert.deepEqual(cells(a[0]).slice(1, 6), ['Ladder A', '1–2×', '6', '1.00%', '2.00%']);
  assert.deepEqual(cells(b[1]).slice(1, 6), ['Ladder B', '2–5×', '6', '10.00%', '2.00%']);
  // Pooled rows stay: both ladders in one bucket.
  const pooled = rowsOf(r.md, '| 1–2× |');
  assert.equal(pooled.length, 1);
  // distance | cases | data sets | median err | law alone | SciPy median err | ...
  assert.deepEqual(cells(pooled[0]).slice(1, 7), ['1–2×', '12', '2', '5.50%', '5.50%', '2.00%']);
  assert.equal(r.buckets[0].scipyMedianErrPct, 2);
  assert.ok(r.md.some((l) => l.includes('4 fits, 0.5 s CPU')));
});

test('distance report without SciPy: says why, no SciPy column, the rest as before', () => {
  const r = distanceReport(cases(false), [], { ok: false, message: '/usr/bin/python3 not found: SciPy baselines not run' });
  assert.ok(r.md.some((l) => l.includes('SciPy baseline not run for this section: /usr/bin/python3 not found')));
  assert.ok(!r.md.some((l) => l.includes('SciPy median err')));
  assert.equal(rowsOf(r.md, '| Ladder A |').length, 2);
  assert.ok(Number.isNaN(r.buckets[0].scipyMedianErrPct));
  assert.equal(r.buckets[0].medianErrPct, 5.5);
});
