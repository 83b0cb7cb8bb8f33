import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EstimateFreshness } from '../../src/core/estimateFreshness';
import type { FamilyLaw } from '../../src/core/snapshot';

const law = (runIds: string[], E?: number) =>
  ({ family: 'f', runIds, ...(E === undefined ? {} : { fit: { parameters: { E: { value: E } } } }) }) as unknown as FamilyLaw;

test('estimate freshness: the generation moves with a family law, a setting, or the fits an early answer skipped; not with a live run’s snapshots', () => {
  const f = new EstimateFreshness();
  f.configured({ hardware: { default: 'H100' }, fitTimeBudgetMs: 5000 });
  const g0 = f.snapshotBuilt([law(['a'], 1.7)], 0);
  assert.equal(f.snapshotBuilt([law(['a'], 1.7)], 0), g0, 'same laws: still fresh');
  const g1 = f.snapshotBuilt([law(['a', 'b'], 1.7)], 0);
  assert.ok(g1 > g0, 'a run joined the family');
  assert.ok(f.snapshotBuilt([law(['a', 'b'], 1.8)], 0) > g1, 'the law was refitted');
  const g2 = f.generation;
  f.configured({ hardware: { default: 'H100' }, fitTimeBudgetMs: 5000 });
  assert.equal(f.generation, g2, 'the same settings again');
  f.configured({ hardware: { default: 'A100-80GB' }, fitTimeBudgetMs: 5000 });
  assert.ok(f.generation > g2, 'scalingLens.hardware.default changed');
  const g3 = f.generation;
  f.answered(false);
  assert.equal(f.snapshotBuilt([law(['a', 'b'], 1.8)], 2), g3, 'still fitting: the early answer stands');
  assert.ok(f.snapshotBuilt([law(['a', 'b'], 1.8)], 0) > g3, 'fits landed: asked again');
  const g4 = f.generation;
  assert.equal(f.snapshotBuilt([law(['a', 'b'], 1.8)], 0), g4, 'only once');
});

test("estimate freshness: a first scan's provisional law moves the generation as its runs read so far do, not as it is refitted once every file is read; the full law does", () => {
  const provisional = (runIds: string[], E: number, filesToRead?: number) =>
    ({ ...law(runIds, E), provisional: { pendingRunIds: ['live'], ...(filesToRead !== undefined ? { filesToRead } : {}) } }) as FamilyLaw;
  const f = new EstimateFreshness();
  const g0 = f.snapshotBuilt([provisional(['a'], 1.7, 9)], 2);
  const g1 = f.snapshotBuilt([provisional(['a', 'b'], 1.75, 5)], 2);
  assert.ok(g1 > g0, 'the law of more runs read so far: the lens asks again');
  const g2 = f.snapshotBuilt([provisional(['a', 'b', 'c'], 1.8)], 2);
  assert.ok(g2 > g1, 'every file read: the law of the finished runs');
  assert.equal(f.snapshotBuilt([provisional(['a', 'b', 'c', 'live'], 1.81)], 2), g2, 'refitted with a live run: the full law is waited for');
  assert.ok(f.snapshotBuilt([law(['a', 'b', 'c', 'live'], 1.81)], 2) > g2, 'the full law landed');
});
