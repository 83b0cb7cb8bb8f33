// Snapshots as deltas: encoded in the worker, applied on the host (which asks for a whole snapshot
// when a delta does not fit), forwarded to and applied in the webview; the same result everywhere.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyDelta, diffSnapshots, SnapshotDeltaDecoder, SnapshotDeltaEncoder } from '../../src/shared/dashboardDelta';
import type { FamilyLaw, RunView, Snapshot, SnapshotDelta, ValidationPoint } from '../../src/shared/protocol';

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

function family(name: string, runIds: string[]): FamilyLaw {
  return { family: name, guessed: false, runIds };
}

function validation(runId: string, predicted: number): ValidationPoint {
  return { kind: 'curve-prefix', method: 'prefix-50', subject: runId, runId, predicted, actual: 3, errorPct: (100 * (predicted - 3)) / 3 };
}

function snapshot(version: number, runs: RunView[], extra: Partial<Snapshot> = {}): Snapshot {
  return { version, runs, families: [], diagnostics: [], buildMs: 1, fitting: 0, seedGroups: [], scaling: [], validations: [], ...extra };
}

test('only runs that changed travel; removed runs are named; merging gives the new snapshot', () => {
  const before = snapshot(1, [run('a', 10), run('b', 10), run('c', 10)]);
  const after = snapshot(2, [run('a', 10), run('b', 20), run('d', 5)]);
  const delta = diffSnapshots(before, after);
  assert.deepEqual(
    delta.runs.changed.map((r) => r.id),
    ['b', 'd'],
  );
  assert.deepEqual(delta.runs.removed, ['c']);
  assert.equal(delta.runs.order, undefined, 'a, b kept in place and d appended: no order needed');
  assert.equal(delta.baseVersion, 1);
  assert.equal(delta.diagnostics, undefined, 'unchanged diagnostics do not travel');
  assert.deepEqual(applyDelta(before, delta), after);
  const reordered = snapshot(3, [run('d', 5), run('a', 10), run('b', 20)]);
  const moved = diffSnapshots(after, reordered);
  assert.deepEqual(moved.runs.changed, []);
  assert.deepEqual(moved.runs.order, ['d', 'a', 'b']);
  assert.deepEqual(applyDelta(after, moved), reordered);
});

test('family laws and validations travel only when they changed, like runs', () => {
  const v1 = snapshot(1, [run('a', 10), run('b', 10)], {
    families: [family('f', ['a', 'b']), family('g', [])],
    validations: [validation('a', 3.1), validation('b', 3.2)],
  });
  const v2 = snapshot(2, [run('a', 10), run('b', 20)], {
    families: [family('f', ['a', 'b']), family('g', ['x'])],
    validations: [validation('a', 3.1), validation('b', 3.05)],
  });
  const delta = diffSnapshots(v1, v2);
  assert.deepEqual(
    delta.families.changed.map((f) => f.family),
    ['g'],
  );
  assert.deepEqual(
    delta.validations.changed.map((v) => v.runId),
    ['b'],
  );
  assert.deepEqual(applyDelta(v1, delta), v2);
  // Only the live run moved: the delta is a small fraction of the whole snapshot.
  const many = (version: number, liveStep: number) =>
    snapshot(version, [run('live', liveStep), ...Array.from({ length: 50 }, (_, i) => run(`r${i}`, 100))], {
      validations: Array.from({ length: 50 }, (_, i) => validation(`r${i}`, 3.1)),
    });
  const small = diffSnapshots(many(1, 10), many(2, 11));
  assert.deepEqual(
    small.runs.changed.map((r) => r.id),
    ['live'],
  );
  assert.equal(small.validations.changed.length, 0);
  assert.ok(JSON.stringify(small).length * 10 < JSON.stringify(many(2, 11)).length);
});

test('a delta made against another version, or naming an unknown run, does not apply', () => {
  const v1 = snapshot(1, [run('a', 10)]);
  const v2 = snapshot(2, [run('a', 20)]);
  const v3 = snapshot(3, [run('a', 30)]);
  assert.equal(applyDelta(v1, diffSnapshots(v2, v3)), undefined, 'missed a version');
  assert.equal(applyDelta(undefined, diffSnapshots(v1, v2)), undefined, 'nothing to build on');
  const forged: SnapshotDelta = { ...diffSnapshots(v1, v2), runs: { changed: [], removed: [], order: ['a', 'ghost'] } };
  assert.equal(applyDelta(v1, forged), undefined);
  assert.deepEqual(applyDelta(undefined, diffSnapshots(undefined, v1)), v1, 'from nothing: everything is a change');
  assert.deepEqual(applyDelta(v3, diffSnapshots(undefined, v1)), v1, 'a whole snapshot replaces whatever was held');
});

test('repeated keys still round-trip (such a list is sent whole)', () => {
  const twice = (version: number, p: number) => snapshot(version, [], { validations: [validation('a', 3.1), validation('a', p)] });
  const delta = diffSnapshots(twice(1, 3.2), twice(2, 3.3));
  assert.equal(delta.validations.changed.length, 2);
  assert.deepEqual(applyDelta(twice(1, 3.2), delta), twice(2, 3.3));
});

test('the worker–host chain: a lost delta makes the host ask once for the whole snapshot, then deltas resume', () => {
  const encoder = new SnapshotDeltaEncoder();
  const decoder = new SnapshotDeltaDecoder();
  const s = (v: number) => snapshot(v, [run('a', 10 * v), run('b', 10)]);
  const first = decoder.accept(encoder.encode(s(1)));
  assert.equal(first.kind, 'applied');
  assert.equal(first.kind === 'applied' && first.previous, undefined, 'the first delta is whole');
  assert.equal(decoder.accept(encoder.encode(s(2))).kind, 'applied');
  encoder.encode(s(3)); // lost on the way
  assert.deepEqual(decoder.accept(encoder.encode(s(4))), { kind: 'resync', ask: true });
  assert.deepEqual(decoder.accept(encoder.encode(s(5))), { kind: 'resync', ask: false }, 'asked once, not per delta');
  // The worker answers the resend with its latest snapshot whole; later deltas build on it.
  const whole = encoder.whole(s(5));
  assert.equal(whole.baseVersion, 0);
  assert.equal(decoder.accept(whole).kind, 'applied');
  assert.deepEqual(decoder.latest, s(5));
  assert.equal(decoder.accept(encoder.encode(s(6))).kind, 'applied');
  assert.deepEqual(decoder.latest, s(6));
  // A delta older than what is held (queued before the resend) is dropped, not applied.
  assert.deepEqual(decoder.accept(diffSnapshots(s(4), s(5))), { kind: 'stale' });
});

test('the worker–host chain: a restarted worker counts from 1 again and starts whole', () => {
  const decoder = new SnapshotDeltaDecoder();
  let encoder = new SnapshotDeltaEncoder();
  for (let v = 1; v <= 4; v++) decoder.accept(encoder.encode(snapshot(v, [run('a', v)])));
  assert.equal(decoder.latest?.version, 4);
  decoder.restart();
  encoder = new SnapshotDeltaEncoder();
  // The old snapshot stays shown until the new worker's first one arrives.
  assert.equal(decoder.latest?.version, 4);
  const outcome = decoder.accept(encoder.encode(snapshot(1, [run('a', 1), run('b', 1)])));
  assert.equal(outcome.kind, 'applied');
  assert.equal(decoder.latest?.runs.length, 2);
  assert.equal(decoder.accept(encoder.encode(snapshot(2, [run('a', 2), run('b', 1)]))).kind, 'applied');
  assert.equal(decoder.latest?.version, 2);
  // After a restart a partial delta is refused until the whole one arrives (no false match on versions).
  const other = new SnapshotDeltaDecoder();
  other.accept(diffSnapshots(undefined, snapshot(3, [run('a', 3)])));
  other.restart();
  assert.equal(other.accept(diffSnapshots(snapshot(3, [run('a', 3)]), snapshot(4, [run('a', 4)]))).kind, 'resync');
});

test('property: any chain of snapshots, with deltas lost and resends, ends with the host and the webview holding the last one', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const arbRuns = fc
    .uniqueArray(fc.constantFrom(...ids), { maxLength: 5 })
    .chain((chosen) =>
      fc
        .tuple(...chosen.map((id) => fc.tuple(fc.constant(id), fc.integer({ min: 1, max: 4 }), fc.constantFrom(2.5, 3))))
        .map((rs) => rs.map(([id, step, loss]) => run(id, step, loss))),
    );
  const arbStep = fc.record({ runs: arbRuns, lost: fc.boolean(), diagnostics: fc.boolean() });
  fc.assert(
    fc.property(fc.array(arbStep, { minLength: 1, maxLength: 10 }), (chain) => {
      const encoder = new SnapshotDeltaEncoder();
      const host = new SnapshotDeltaDecoder();
      // The webview: applies forwarded deltas to what it holds, gets the whole snapshot otherwise.
      let page: Snapshot | undefined;
      // What the host knows the page holds (src/features/dashboard.ts forwards a delta only onto it).
      let sent: Snapshot | undefined;
      let last: Snapshot | undefined;
      const deliver = (delta: SnapshotDelta) => {
        const outcome = host.accept(delta);
        if (outcome.kind === 'resync' && outcome.ask && last) deliver(encoder.whole(last));
        if (outcome.kind !== 'applied') return;
        page = outcome.previous && sent === outcome.previous ? applyDelta(page, delta) : structuredClone(outcome.snapshot);
        sent = outcome.snapshot;
        assert.deepEqual(page, outcome.snapshot);
      };
      chain.forEach((step, i) => {
        last = snapshot(i + 1, step.runs, { diagnostics: step.diagnostics ? [{ file: 'x', severity: 'warning', message: `v${i}` }] : [] });
        const delta = encoder.encode(last);
        if (!step.lost || i === chain.length - 1) deliver(delta);
      });
      assert.deepEqual(host.latest, last);
      assert.deepEqual(page, last);
    }),
    { numRuns: 300, seed: 11 },
  );
});

test('the estimates generation travels with the deltas (the host learns from it when config estimates went stale)', () => {
  const encoder = new SnapshotDeltaEncoder();
  const first = snapshot(1, [run('a', 10)], { estimates: 3 });
  const second = snapshot(2, [run('a', 10)], { estimates: 4 });
  const one = applyDelta(undefined, encoder.encode(first))!;
  assert.equal(one.estimates, 3);
  const delta = encoder.encode(second);
  assert.deepEqual(delta.runs.changed, [], 'nothing else changed');
  assert.equal(applyDelta(one, delta)!.estimates, 4);
});

test('a run whose curve only lost its pending mark, or changed provenance, siblings or assumed schedule, travels', () => {
  const pendingCurve: NonNullable<RunView['curve']> = {
    lawId: 'power',
    targetStep: 20000,
    predictedFinal: { value: 2.1, interval: [2, 2.2], lawId: 'power' },
    parameters: {},
    pointsUsed: 300,
    firstStep: 10,
    fittedAtStep: 3000,
    timedOut: false,
    intervalPending: true,
  };
  const withCurve = (curve: RunView['curve']): RunView => ({ ...run('a', 3000), curve });
  const before = snapshot(1, [withCurve(pendingCurve)]);
  const full = { ...pendingCurve, intervalPending: undefined };
  // Same value and interval (the error floor set it in both): only the mark differs.
  const variants: NonNullable<RunView['curve']>[] = [
    full,
    { ...pendingCurve, provenance: 'from siblings', siblings: ['b'], alone: { value: 2.1, interval: [2, 2.2], lawId: 'power' } },
    { ...pendingCurve, scheduleAssumedFrom: 1500 },
  ];
  for (const curve of variants) {
    const delta = diffSnapshots(before, snapshot(2, [withCurve(curve)]));
    assert.deepEqual(
      delta.runs.changed.map((r) => r.id),
      ['a'],
      JSON.stringify(curve),
    );
  }
  const sibs = {
    ...pendingCurve,
    provenance: 'from siblings' as const,
    siblings: ['b'],
    alone: { value: 2.1, interval: [2, 2.2] as [number, number], lawId: 'power' },
  };
  const moved = diffSnapshots(snapshot(1, [withCurve(sibs)]), snapshot(2, [withCurve({ ...sibs, siblings: ['c'] })]));
  assert.deepEqual(
    moved.runs.changed.map((r) => r.id),
    ['a'],
    'other siblings',
  );
  const alone = diffSnapshots(snapshot(1, [withCurve(sibs)]), snapshot(2, [withCurve({ ...sibs, alone: { value: 2.3, interval: [2, 2.6], lawId: 'power' } })]));
  assert.deepEqual(
    alone.runs.changed.map((r) => r.id),
    ['a'],
    'own forecast beside the siblings one',
  );
});
