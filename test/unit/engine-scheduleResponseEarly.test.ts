// A live run with no finished sibling of its size is forecast from its family's pooled schedule
// response: that fit is asked for in the first round, beside the curves, not in a later round
// after every curve has landed (where it ran alone, the other fitting threads idle); the final
// snapshot is the one the inline engine makes.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { runFitJob, type FitAnswer, type FitJobKind, type FitJobOf, type Fitter } from '../../src/core/fitJobs';
import type { Snapshot } from '../../src/core/snapshot';

const examples = path.resolve(__dirname, '../../examples');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** A fitter whose answers land only when `land()` is called (as the fitting threads' do), recording what each round asked for. */
class RoundFitter implements Fitter {
  private readonly asked = new Map<string, { key: string; run: () => FitAnswer<FitJobKind> }>();
  private readonly landed = new Map<string, FitAnswer<FitJobKind>>();
  readonly kindsAsked: Set<string>[] = [new Set()];

  fit<K extends FitJobKind>(slot: string, key: string, kind: K, makeJob: () => FitJobOf<K>, _control: unknown, tag?: string): FitAnswer<K> | undefined {
    if (this.landed.get(slot)?.key !== key) {
      this.asked.set(slot, { key, run: () => ({ key, result: runFitJob(makeJob(), {}), tag }) as FitAnswer<FitJobKind> });
      this.kindsAsked[this.kindsAsked.length - 1].add(kind);
    }
    return this.landed.get(slot) as FitAnswer<K> | undefined;
  }

  /** Lands every fit asked for; false when none was. */
  land(): boolean {
    const any = this.asked.size > 0;
    for (const [slot, job] of this.asked) this.landed.set(slot, job.run());
    this.asked.clear();
    this.kindsAsked.push(new Set());
    return any;
  }
}

const stable = (s: Snapshot) => JSON.stringify({ ...s, version: 0, buildMs: 0 });

test('the pooled schedule response a live run needs is asked for in the first round, and the final snapshot is unchanged', () => {
  const root = tempDir('sl-response-early-');
  fs.cpSync(path.join(examples, 'sweep'), path.join(root, 'sweep'), { recursive: true });
  const files = listFiles(root).filter(isDefaultLogFile);
  const now = () => 1.7e12;
  const fitter = new RoundFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter, now });
  for (const file of files) engine.update(file, root);
  let snapshot = engine.snapshot();
  // The live run (llama-279m: no finished run of its size) has no curve yet, and its response is already asked for.
  assert.ok(fitter.kindsAsked[0].has('curve'));
  // One fit per size of the response (its sizes' fits, combined by the engine).
  assert.ok(fitter.kindsAsked[0].has('scheduleSize'), `round 1 asked for ${[...fitter.kindsAsked[0]].join(', ')}`);
  for (let round = 0; round < 8 && fitter.land(); round++) snapshot = engine.snapshot();
  assert.equal(snapshot.fitting, 0);
  assert.equal(snapshot.runs.find((r) => r.id === 'sweep/llama-279m')?.curve?.provenance, 'from siblings');
  const inline = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, now });
  for (const file of files) inline.update(file, root);
  assert.equal(stable(snapshot), stable(inline.snapshot()));
});
