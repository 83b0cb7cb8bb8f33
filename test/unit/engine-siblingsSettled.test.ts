// The state once every fit has landed does not depend on timing: the order fits land in, the
// sibling set growing while a rescan reads, or a schedule response's fit cut short by its time
// budget the first time (a loaded machine). Fitted as one job, the response kept the sizes fitted
// before the budget ran out as if complete, and every live run's forecast from siblings, the family
// law, the scaling view and validations followed: two scans of one workspace ended apart
// (1,000 runs: 24, 36 or 60 siblings, by the machine's load).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { runFitJob, type FitAnswer, type FitControl, type FitJobKind, type FitJobOf, type Fitter } from '../../src/core/fitJobs';
import type { Snapshot } from '../../src/core/snapshot';

const examples = path.resolve(__dirname, '../../examples');
const LIVE = 'sweep/llama-279m';

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * A fitter whose answers land one at a time when `landOne()` is called (as the fitting threads'
 * do), the oldest asked first or the newest. `cutFirst`: the first fit of a slot it names runs out
 * of its budget (its deadline already passed), as a cold thread's on a loaded machine.
 */
class LandingFitter implements Fitter {
  private readonly asked = new Map<string, { key: string; run: () => FitAnswer<FitJobKind> }>();
  private readonly landed = new Map<string, FitAnswer<FitJobKind>>();
  private readonly slotsRun = new Set<string>();

  constructor(
    private readonly newestFirst: boolean,
    private readonly cutFirst: (slot: string) => boolean = () => false,
  ) {}

  fit<K extends FitJobKind>(
    slot: string,
    key: string,
    _kind: K,
    makeJob: () => FitJobOf<K>,
    _control: FitControl | undefined,
    tag?: string,
  ): FitAnswer<K> | undefined {
    if (this.landed.get(slot)?.key !== key) {
      this.asked.delete(slot);
      this.asked.set(slot, {
        key,
        run: () => {
          const cut = this.cutFirst(slot) && !this.slotsRun.has(slot);
          this.slotsRun.add(slot);
          return { key, result: runFitJob(makeJob(), cut ? { deadline: Number.NEGATIVE_INFINITY } : {}), tag } as FitAnswer<FitJobKind>;
        },
      });
    }
    return this.landed.get(slot) as FitAnswer<K> | undefined;
  }

  /** Lands one fit asked for; false when none was. */
  landOne(): boolean {
    const slots = [...this.asked.keys()];
    if (slots.length === 0) return false;
    const slot = this.newestFirst ? slots[slots.length - 1] : slots[0];
    const job = this.asked.get(slot)!;
    this.asked.delete(slot);
    this.landed.set(slot, job.run());
    return true;
  }
}

const stable = (s: Snapshot) => JSON.stringify({ ...s, version: 0, buildMs: 0 });

/** Every fit landed, one a round; `midRead`: the files read in two halves, a round between (the sibling set grows). */
function settle(files: string[], root: string, fitter: LandingFitter, midRead: boolean): Snapshot {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter, now: () => 1.7e12 });
  const half = midRead ? Math.floor(files.length / 2) : files.length;
  for (const file of files.slice(0, half)) engine.update(file, root);
  let snapshot = engine.snapshot();
  for (let i = 0; i < 3 && fitter.landOne(); i++) snapshot = engine.snapshot();
  for (const file of files.slice(half)) engine.update(file, root);
  snapshot = engine.snapshot();
  for (let round = 0; round < 500 && fitter.landOne(); round++) snapshot = engine.snapshot();
  assert.equal(snapshot.fitting, 0);
  return snapshot;
}

test('fits landing in different orders, the siblings read in two halves or a schedule fit cut short at first: one final snapshot, the inline one', () => {
  const root = tempDir('sl-siblings-settled-');
  fs.cpSync(path.join(examples, 'sweep'), path.join(root, 'sweep'), { recursive: true });
  const files = listFiles(root).filter(isDefaultLogFile).sort();
  const inline = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, now: () => 1.7e12 });
  for (const file of files) inline.update(file, root);
  const reference = inline.snapshot();
  const live = reference.runs.find((r) => r.id === LIVE)?.curve;
  assert.equal(live?.provenance, 'from siblings');
  // Every finished size of the family lends its curves (llama-44m-lr3e-3 diverged: not a sibling).
  assert.equal(live?.siblings?.length, 5, JSON.stringify(live?.siblings));
  const oldestFirstMidRead = settle(files, root, new LandingFitter(false), true);
  const newestFirstCut = settle(files, root, new LandingFitter(true, (slot) => slot.startsWith('schedule:')), false);
  assert.equal(newestFirstCut.runs.find((r) => r.id === LIVE)?.curve?.siblings?.length, 5);
  assert.equal(stable(oldestFirstMidRead), stable(reference));
  assert.equal(stable(newestFirstCut), stable(reference));
});
