// Snapshots travel as deltas: a sweep of 200 runs where one live run moved should not re-send (and
// the host and the webview re-read) the other 199. The worker encodes each snapshot against the one
// it posted before (`SnapshotDeltaEncoder`); the host applies it to the snapshot it holds
// (`SnapshotDeltaDecoder`, which asks for a whole one when a delta does not fit) and forwards it to
// the webview, which applies it too (`applyDelta`) and asks the host for the whole snapshot on a
// mismatch. Pure, so the whole chain is unit-tested.
import type { FamilyLaw, KeyedDelta, RunView, ScalingView, SeedGroup, Snapshot, SnapshotDelta, ValidationPoint } from './protocol';

/** A float sum of a series: a cheap witness that some displayed value changed. */
function checksum(values: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * ((i % 7) + 1);
  return sum;
}

/**
 * What identifies a run's content for the diff. Every field the worker derives from the log or the
 * fit moves one of these: new points (count, last step and loss), a refit (prediction, points used,
 * timed out), a new ETA, a changed config (hyper) or new diagnostics; a rewritten log that kept its
 * length and last value still moves the displayed series' checksums.
 */
export function runFingerprint(run: RunView): string {
  const c = run.curve;
  const d = run.display;
  return JSON.stringify([
    run.name,
    run.status,
    run.points,
    run.lastStep,
    run.lastLoss,
    run.metricChoice,
    run.files,
    run.hyper,
    run.family,
    run.familySource,
    run.excluded,
    c
      ? [
          c.lawId,
          c.targetStep,
          c.firstStep,
          c.fittedAtStep,
          c.predictedFinal.value,
          c.predictedFinal.interval,
          c.pointsUsed,
          c.timedOut,
          c.validation?.errorPct,
          // The full fit may land with the point fit's very value and interval: the mark must still travel.
          c.intervalPending,
          c.provenance,
          c.siblings,
          c.alone?.value,
          c.alone?.interval,
          c.scheduleAssumedFrom,
        ]
      : null,
    run.eta ? [run.eta.seconds, run.eta.sinceStep, run.eta.stepsPerSecond] : null,
    run.diagnostics.length,
    [
      d.steps.length,
      checksum(d.loss),
      d.evalSteps.length,
      checksum(d.evalLoss),
      d.fitSteps.length,
      checksum(d.fit),
      checksum(d.fitUpper),
      d.lrSteps.length,
      d.wall?.steps.length,
      d.wall ? checksum(d.wall.hours) : null,
    ],
  ]);
}

/** How one list of a snapshot is keyed and compared. */
interface ListSpec<T> {
  key: (item: T) => string;
  fingerprint: (item: T) => string;
}

const json = (item: unknown) => JSON.stringify(item);

const LISTS = {
  runs: { key: (r: RunView) => r.id, fingerprint: runFingerprint } satisfies ListSpec<RunView>,
  families: { key: (f: FamilyLaw) => f.family, fingerprint: json } satisfies ListSpec<FamilyLaw>,
  scaling: { key: (v: ScalingView) => v.family, fingerprint: json } satisfies ListSpec<ScalingView>,
  seedGroups: { key: (g: SeedGroup) => g.id, fingerprint: json } satisfies ListSpec<SeedGroup>,
  validations: { key: (v: ValidationPoint) => `${v.kind}|${v.runId}|${v.subject}|${v.method}`, fingerprint: json } satisfies ListSpec<ValidationPoint>,
};
type ListName = keyof typeof LISTS;
const LIST_NAMES = Object.keys(LISTS) as ListName[];

/** Keys of a list, made unique by occurrence (`k`, `k#2`, …) so a repeated key still round-trips. */
function keysOf<T>(items: readonly T[], key: (item: T) => string): string[] & { repeated?: boolean } {
  const seen = new Map<string, number>();
  let repeated = false;
  const keys: string[] & { repeated?: boolean } = items.map((item) => {
    const k = key(item);
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    if (n > 1) repeated = true;
    return n === 1 ? k : `${k}#${n}`;
  });
  if (repeated) keys.repeated = true;
  return keys;
}

/** What the receiver of the deltas holds of one list: keys in order and each item's fingerprint. */
interface HeldList {
  keys: string[];
  fingerprints: Map<string, string>;
}

function encodeList<T>(held: HeldList | undefined, items: readonly T[], spec: ListSpec<T>): { delta: KeyedDelta<T>; held: HeldList } {
  const keys = keysOf(items, spec.key);
  const fingerprints = new Map<string, string>();
  const changed: T[] = [];
  items.forEach((item, i) => {
    const fp = spec.fingerprint(item);
    fingerprints.set(keys[i], fp);
    if (keys.repeated || held?.fingerprints.get(keys[i]) !== fp) changed.push(item);
  });
  const removed = held ? held.keys.filter((k) => !fingerprints.has(k)) : [];
  const delta: KeyedDelta<T> = { changed, removed };
  if (!held || keys.repeated || !sameOrder(held.keys, removed, keys)) delta.order = keys;
  return { delta, held: { keys, fingerprints } };
}

/** Whether `next` is `before` without `removed` and with new keys appended: the order applyList rebuilds. */
function sameOrder(before: readonly string[], removed: readonly string[], next: readonly string[]): boolean {
  const gone = new Set(removed);
  let j = 0;
  for (const k of before) {
    if (gone.has(k)) continue;
    if (next[j++] !== k) return false;
  }
  const kept = new Set(before);
  for (; j < next.length; j++) if (kept.has(next[j])) return false;
  return true;
}

/** The list `delta` describes on top of `base`; undefined when the delta names an item it does not carry and `base` lacks. */
function applyList<T>(base: readonly T[], delta: KeyedDelta<T>, spec: ListSpec<T>): T[] | undefined {
  const baseKeys = keysOf(base, spec.key);
  const byKey = new Map<string, T>(base.map((item, i) => [baseKeys[i], item]));
  for (const k of delta.removed) byKey.delete(k);
  // Changed items are keyed among themselves: unambiguous, since a list with repeated keys is always sent whole.
  const changedKeys = keysOf(delta.changed, spec.key);
  const incoming = new Map<string, T>(delta.changed.map((item, i) => [changedKeys[i], item]));
  const out: T[] = [];
  if (delta.order) {
    for (const k of delta.order) {
      const item = incoming.get(k) ?? byKey.get(k);
      if (item === undefined) return undefined;
      out.push(item);
    }
    return out;
  }
  for (const k of baseKeys) {
    if (!byKey.has(k)) continue;
    out.push(incoming.get(k) ?? byKey.get(k)!);
    incoming.delete(k);
  }
  // What is left was added at the end.
  for (const item of incoming.values()) out.push(item);
  return out;
}

/** The snapshot `delta` describes, built on `base`; undefined when it cannot be (made against another version, or incomplete). */
export function applyDelta(base: Snapshot | undefined, delta: SnapshotDelta): Snapshot | undefined {
  const from = delta.baseVersion === 0 ? undefined : base;
  if (delta.baseVersion !== 0 && base?.version !== delta.baseVersion) return undefined;
  const diagnostics = delta.diagnostics ?? from?.diagnostics;
  if (!diagnostics) return undefined;
  const lists: Partial<Pick<Snapshot, ListName>> = {};
  for (const name of LIST_NAMES) {
    const list = applyList((from?.[name] ?? []) as never[], delta[name] as KeyedDelta<never>, LISTS[name] as ListSpec<never>);
    if (!list) return undefined;
    (lists as Record<ListName, unknown[]>)[name] = list;
  }
  const snapshot: Snapshot = { version: delta.version, buildMs: delta.buildMs, fitting: delta.fitting, diagnostics, ...(lists as Pick<Snapshot, ListName>) };
  if (delta.estimates !== undefined) snapshot.estimates = delta.estimates;
  if (delta.filesToRead !== undefined) snapshot.filesToRead = delta.filesToRead;
  return snapshot;
}

/**
 * Encodes snapshots as deltas against what it encoded before: the sender's side. It remembers only
 * keys and fingerprints (not the snapshots). `whole` starts over (after the receiver lost track).
 */
export class SnapshotDeltaEncoder {
  private held: { version: number; lists: Record<ListName, HeldList>; diagnostics: string } | undefined;

  encode(next: Snapshot): SnapshotDelta {
    const before = this.held;
    const lists = {} as Record<ListName, HeldList>;
    const parts = {} as Record<ListName, KeyedDelta<unknown>>;
    for (const name of LIST_NAMES) {
      const { delta, held } = encodeList(before?.lists[name], next[name] as never[], LISTS[name] as ListSpec<never>);
      parts[name] = delta;
      lists[name] = held;
    }
    const diagnostics = JSON.stringify(next.diagnostics);
    this.held = { version: next.version, lists, diagnostics };
    const delta: SnapshotDelta = {
      version: next.version,
      baseVersion: before?.version ?? 0,
      buildMs: next.buildMs,
      fitting: next.fitting,
      ...(parts as Pick<SnapshotDelta, ListName>),
    };
    if (next.estimates !== undefined) delta.estimates = next.estimates;
    if (next.filesToRead !== undefined) delta.filesToRead = next.filesToRead;
    if (!before || before.diagnostics !== diagnostics) delta.diagnostics = next.diagnostics;
    return delta;
  }

  /** `next` as a whole snapshot (baseVersion 0); later deltas build on it. */
  whole(next: Snapshot): SnapshotDelta {
    this.held = undefined;
    return this.encode(next);
  }
}

/** The delta that turns `previous` into `next` (stateless; `previous` undefined: the whole of `next`). */
export function diffSnapshots(previous: Snapshot | undefined, next: Snapshot): SnapshotDelta {
  const encoder = new SnapshotDeltaEncoder();
  if (previous) encoder.encode(previous);
  return encoder.encode(next);
}

export type DeltaOutcome =
  /** Applied: `snapshot` is the new whole; `previous` the one it was built on (undefined after a whole one). */
  | { kind: 'applied'; snapshot: Snapshot; previous: Snapshot | undefined }
  /** Older than what is held (a message from before a resend): dropped. */
  | { kind: 'stale' }
  /** Does not fit what is held: `ask` is true for the first of a run of these, when a whole snapshot should be requested. */
  | { kind: 'resync'; ask: boolean };

/**
 * The receiver's side: holds the latest whole snapshot, applies deltas in order, and says when to
 * ask the sender for a whole snapshot (a delta was missed, or the sender restarted).
 */
export class SnapshotDeltaDecoder {
  latest: Snapshot | undefined;
  /** The newest version accepted from the current sender (a restarted sender counts from 1 again). */
  private floor = 0;
  /** A whole snapshot was asked for (or is due after a restart); partial deltas wait for it. */
  private awaitingWhole = false;
  private asked = false;

  accept(delta: SnapshotDelta): DeltaOutcome {
    if (delta.baseVersion === 0) {
      // A whole snapshot of the version already held is what a resend gives; older ones are stale.
      if (delta.version < this.floor) return { kind: 'stale' };
      const snapshot = applyDelta(undefined, delta);
      if (!snapshot) return this.resync();
      this.awaitingWhole = false;
      this.asked = false;
      return this.take(snapshot, undefined);
    }
    if (delta.version <= this.floor) return { kind: 'stale' };
    if (this.awaitingWhole || this.latest?.version !== delta.baseVersion) return this.resync();
    const previous = this.latest;
    const snapshot = applyDelta(previous, delta);
    return snapshot ? this.take(snapshot, previous) : this.resync();
  }

  /** The sender was replaced: its versions start again, and its first delta must be whole. */
  restart(): void {
    this.floor = 0;
    this.awaitingWhole = true;
    // The new sender starts with a whole snapshot unprompted.
    this.asked = true;
  }

  private take(snapshot: Snapshot, previous: Snapshot | undefined): DeltaOutcome {
    this.latest = snapshot;
    this.floor = snapshot.version;
    return { kind: 'applied', snapshot, previous };
  }

  private resync(): DeltaOutcome {
    this.awaitingWhole = true;
    const ask = !this.asked;
    this.asked = true;
    return { kind: 'resync', ask };
  }
}
