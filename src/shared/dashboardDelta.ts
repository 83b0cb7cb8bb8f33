// Snapshots travel to the dashboard as deltas: a sweep of 200 runs where one live run moved should
// not re-send (and the webview re-parse) the other 199. The host diffs against what it last sent;
// the webview merges, and asks for the whole snapshot (`resync`) when a delta does not fit.
import type { RunView, Snapshot, SnapshotDelta } from './protocol';

/**
 * What identifies a run's content for the diff. Every field the worker derives from the log or the
 * fit moves one of these: new points (count, last step and loss), a refit (prediction, points used,
 * timed out), a new ETA, a changed config (hyper) or new diagnostics. Display series are derived
 * from the same inputs, so they change only with these.
 */
export function runFingerprint(run: RunView): string {
  const c = run.curve;
  return JSON.stringify([
    run.name,
    run.status,
    run.points,
    run.lastStep,
    run.lastLoss,
    run.files,
    run.hyper,
    run.family,
    c ? [c.lawId, c.targetStep, c.predictedFinal.value, c.predictedFinal.interval, c.pointsUsed, c.timedOut, c.validation?.errorPct] : null,
    run.eta ? [run.eta.seconds, run.eta.sinceStep] : null,
    run.diagnostics.length,
    run.display.fitSteps.length,
  ]);
}

/** The delta that turns `previous` into `next`; `previous` undefined means every run changed. */
export function diffSnapshots(previous: Snapshot | undefined, next: Snapshot): SnapshotDelta {
  const { runs, ...rest } = next;
  const before = new Map((previous?.runs ?? []).map((r) => [r.id, runFingerprint(r)]));
  const ids = new Set(runs.map((r) => r.id));
  return {
    ...rest,
    baseVersion: previous?.version ?? 0,
    changedRuns: runs.filter((r) => before.get(r.id) !== runFingerprint(r)),
    removedRunIds: (previous?.runs ?? []).filter((r) => !ids.has(r.id)).map((r) => r.id),
    order: runs.map((r) => r.id),
  };
}

/**
 * The snapshot `delta` describes, built on `base`; undefined when it cannot be (the delta was made
 * against another version, or it names a run that is neither changed nor in `base`).
 */
export function applyDelta(base: Snapshot | undefined, delta: SnapshotDelta): Snapshot | undefined {
  if ((base?.version ?? 0) !== delta.baseVersion) return undefined;
  const { baseVersion: _base, changedRuns, removedRunIds, order, ...rest } = delta;
  void _base;
  const byId = new Map((base?.runs ?? []).map((r) => [r.id, r]));
  for (const id of removedRunIds) byId.delete(id);
  for (const run of changedRuns) byId.set(run.id, run);
  const runs: RunView[] = [];
  for (const id of order) {
    const run = byId.get(id);
    if (!run) return undefined;
    runs.push(run);
  }
  return { ...rest, runs };
}
