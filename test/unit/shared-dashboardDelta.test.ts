// Snapshots to the dashboard as deltas: diff on the host, merge in the webview, same result.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyDelta, diffSnapshots } from '../../src/shared/dashboardDelta';
import type { RunView, Snapshot } from '../../src/shared/protocol';

function run(id: string, lastStep: number, lastLoss = 3): RunView {
  return {
    id,
    name: id,
    dir: `/ws/${id}`,
    format: 'jsonl',
    status: 'live',
    files: [`/ws/${id}/metrics.jsonl`],
    hyper: { notes: [] },
    lastStep,
    lastLoss,
    points: lastStep,
    family: 'f',
    display: { steps: [lastStep], loss: [lastLoss], evalSteps: [], evalLoss: [], fitSteps: [], fit: [], fitLower: [], fitUpper: [], lrSteps: [], lr: [] },
    diagnostics: [],
  };
}

function snapshot(version: number, runs: RunView[]): Snapshot {
  return { version, runs, families: [], diagnostics: [], fitMs: 1, incomplete: false, seedGroups: [], scaling: [], validations: [] };
}

test('only runs that changed travel; removed runs are named; merging gives the new snapshot', () => {
  const before = snapshot(1, [run('a', 10), run('b', 10), run('c', 10)]);
  const after = snapshot(2, [run('a', 10), run('b', 20), run('d', 5)]);
  const delta = diffSnapshots(before, after);
  assert.deepEqual(delta.changedRuns.map((r) => r.id), ['b', 'd']);
  assert.deepEqual(delta.removedRunIds, ['c']);
  assert.equal(delta.baseVersion, 1);
  assert.deepEqual(applyDelta(before, delta), after);
});

test('a delta made against another version, or naming an unknown run, does not apply', () => {
  const v1 = snapshot(1, [run('a', 10)]);
  const v2 = snapshot(2, [run('a', 20)]);
  const v3 = snapshot(3, [run('a', 30)]);
  assert.equal(applyDelta(v1, diffSnapshots(v2, v3)), undefined, 'missed a version');
  assert.equal(applyDelta(undefined, diffSnapshots(v1, v2)), undefined, 'nothing to build on');
  const forged = { ...diffSnapshots(v1, v2), changedRuns: [], order: ['a', 'ghost'] };
  assert.equal(applyDelta(v1, forged), undefined);
  assert.deepEqual(applyDelta(undefined, diffSnapshots(undefined, v1)), v1, 'from nothing: everything is a change');
});

test('any chain of snapshots merges to exactly the last one', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const arbRuns = fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 5 }).chain((chosen) =>
    fc.tuple(...chosen.map((id) => fc.tuple(fc.constant(id), fc.integer({ min: 1, max: 4 }), fc.constantFrom(2.5, 3)))).map((rs) => rs.map(([id, step, loss]) => run(id, step, loss))),
  );
  fc.assert(
    fc.property(fc.array(arbRuns, { minLength: 1, maxLength: 8 }), (chain) => {
      let held: Snapshot | undefined;
      let sent: Snapshot | undefined;
      chain.forEach((runs, i) => {
        const next = snapshot(i + 1, runs);
        held = applyDelta(held, diffSnapshots(sent, next));
        sent = next;
        assert.deepEqual(held, next);
      });
    }),
  );
});
