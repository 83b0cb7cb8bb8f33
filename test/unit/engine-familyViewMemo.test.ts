// A family's model, law line and frontier are reused across snapshot rounds while the family law
// they were drawn from is unchanged (engine/snapshotAssembly.ts, dashboardData.scalingView's memo),
// and remade when it changes: both checked against a fresh engine computing everything anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { scalingView, type ScalingLinesMemo } from '../../src/core/dashboardData';
import { getLaw } from '../../src/core/laws/registry';
import { runFitJob, type Fitter } from '../../src/core/fitJobs';
import type { FamilyLaw, Snapshot } from '../../src/core/snapshot';

/** Fits in this thread, one answer object per slot and key (as the fitting threads' client hands them out). */
function answeringFitter(): Fitter {
  const answers = new Map<string, { key: string; result: unknown }>();
  return {
    fit: (slot, key, _kind, makeJob, control, tag) => {
      const known = answers.get(slot);
      if (known?.key === key) return known as never;
      const answer = { key, result: runFitJob(makeJob(), control), tag };
      answers.set(slot, answer);
      return answer;
    },
  };
}

/** A Lightning run of `params` parameters (20 tokens each) whose curve settles on `end`. */
function writeRun(root: string, name: string, params: number, end: number, dataset: string): string {
  const dir = path.join(root, name, 'lightning_logs', 'version_0');
  fs.mkdirSync(dir, { recursive: true });
  const steps = 2000;
  const rows = ['step,train_loss'];
  for (let s = 20; s <= steps; s += 20) rows.push(`${s},${(end + (10 - end) * Math.exp((-12 * s) / steps)).toFixed(6)}`);
  fs.writeFileSync(path.join(dir, 'metrics.csv'), rows.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'hparams.yaml'), `num_params: ${params}\nmax_tokens: ${20 * params}\nmax_steps: ${steps}\ndataset: ${dataset}\n`);
  return path.join(dir, 'metrics.csv');
}

// A ladder that bends at its top (as in engine-familyBreak.test.ts), so the family's model carries a broken law too.
const loss = (n: number, i: number) => (2 + 2.5 * (n / 1e7) ** -0.2 * (1 + (n / 4e8) ** (1 / 0.3)) ** (-0.4 * 0.3)) * (1 + 0.003 * Math.sin(i * 2.3));
const sizes = [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8];

/** The snapshot's families and scaling views as a fresh engine (inline fits, nothing remembered) makes them from `files`. */
function fresh(root: string, files: string[]): Pick<Snapshot, 'families' | 'scaling'> {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of files) engine.update(f, root);
  const { families, scaling } = engine.snapshot();
  return { families, scaling };
}

const picked = (s: Snapshot) => JSON.parse(JSON.stringify({ families: s.families, scaling: s.scaling })) as unknown;

test('family views: reused while the family law is unchanged (also when another family changes), remade when it changes, always equal to a fresh computation', () => {
  const root = tempDir('sl-view-memo-');
  // Families named, so that a run of another family does not change how this one is guessed.
  const named = path.join(root, '.scalinglens.yaml');
  fs.writeFileSync(named, 'families:\n  web:\n    runs: ["ladder-*/**"]\n  code:\n    runs: ["other-*/**"]\n');
  const files = [named, ...sizes.map((n, i) => writeRun(root, `ladder-${i}`, n, loss(n, i), 'web'))];
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter: answeringFitter() });
  const update = (f: string) => engine.update(f, root);
  files.forEach(update);
  const first = engine.snapshot();
  const family = first.families.find((f) => f.fit);
  assert.ok(family, JSON.stringify(first.families.map((f) => [f.family, f.error])));
  const viewOf = (s: Snapshot) => s.scaling.find((v) => v.family === family.family)!;
  assert.ok(viewOf(first).lawLine && viewOf(first).frontier && family.possibleBreak, 'a law line, a frontier and a break to reuse');

  // Nothing changed: the lines drawn before are handed out again.
  const again = engine.snapshot();
  assert.equal(viewOf(again).lawLine, viewOf(first).lawLine);
  assert.equal(viewOf(again).frontier, viewOf(first).frontier);
  assert.deepEqual(picked(again), picked(first));
  assert.deepEqual(picked(first), JSON.parse(JSON.stringify(fresh(root, files))));

  // A run of another family: this family's law is unchanged, its lines reused, the snapshot as a fresh engine makes it.
  const other = [writeRun(root, 'other-a', 3e7, 3.5, 'code'), writeRun(root, 'other-b', 9e7, 3.1, 'code')];
  other.forEach(update);
  const unrelated = engine.snapshot();
  assert.ok(unrelated.families.some((f) => f.family !== family.family && f.runIds.length === 2));
  assert.equal(viewOf(unrelated).lawLine, viewOf(first).lawLine);
  assert.deepEqual(picked(unrelated), JSON.parse(JSON.stringify(fresh(root, [...files, ...other]))));

  // A larger run of the family: its law is refitted, so the model, line and frontier are remade, as a fresh engine makes them.
  const larger = writeRun(root, 'ladder-7', 1.28e9, loss(1.28e9, 7), 'web');
  update(larger);
  const changed = engine.snapshot();
  assert.notEqual(viewOf(changed).lawLine, viewOf(first).lawLine);
  assert.notDeepEqual(viewOf(changed).lawLine, viewOf(first).lawLine);
  assert.deepEqual(picked(changed), JSON.parse(JSON.stringify(fresh(root, [...files, ...other, larger]))));
});

test('scaling view memo: the same runs reuse the lines; a run that moves the line range remakes them as without the memo', () => {
  const law = getLaw('chinchilla')!;
  const fitParams = [Math.log(400), Math.log(400), 0.34, 0.28, Math.log(1.7)];
  const family = {
    family: 'f',
    guessed: false,
    runIds: ['a', 'b'],
    fit: { lawId: 'chinchilla', fitParams, samples: [], intervalLevel: 0.8, parameters: {}, timedOut: false, dataRanges: {} },
  } as unknown as FamilyLaw;
  const L = (n: number, d: number) => law.evaluate(fitParams, [n, d]);
  const runs = [
    { id: 'a', name: 'a', status: 'finished' as const, params: 1e7, tokens: 2e8, fittedLoss: L(1e7, 2e8) },
    { id: 'b', name: 'b', status: 'finished' as const, params: 1e8, tokens: 2e9, fittedLoss: L(1e8, 2e9) },
  ];
  const memo: ScalingLinesMemo = {};
  const first = scalingView(family, runs, 40, undefined, memo);
  assert.ok(first.lawLine && first.frontier && memo.key);
  // A live run's forecast moved: not a final point, the lines stay.
  const live = { id: 'l', name: 'l', status: 'live' as const, params: 3e8, tokens: 6e9, curve: undefined };
  const same = scalingView(family, [...runs, live], 40, undefined, memo);
  assert.equal(same.lawLine, first.lawLine);
  assert.deepEqual(same, scalingView(family, [...runs, live]));
  // A larger finished run: the range moves, the lines are remade, equal to those made without a memo.
  const wider = [...runs, { id: 'c', name: 'c', status: 'finished' as const, params: 1e9, tokens: 2e10, fittedLoss: L(1e9, 2e10) }];
  const remade = scalingView(family, wider, 40, undefined, memo);
  assert.notDeepEqual(remade.lawLine, first.lawLine);
  assert.deepEqual(remade, scalingView(family, wider));
});
