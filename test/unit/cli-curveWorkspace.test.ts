// `curve` on one run folder reads the workspace's `.scalinglens.yaml` as `scan` does: the nearest
// folder above the run that has one (its maxSteps, family and exclusions apply), else none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { curveCommand, type CurveCommandOutput } from '../../src/cliCommands/curve';
import { tempDir } from './helpers/tempDir';

function curveJson(target: string): CurveCommandOutput {
  let out = '';
  let err = '';
  const code = curveCommand([target, '--json', '--resamples', '20'], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  assert.equal(code, 0, err);
  return JSON.parse(out) as CurveCommandOutput;
}

test('curve on a run folder applies the .scalinglens.yaml of the folder above it (maxSteps), as scan does', () => {
  const root = tempDir('sl-curve-ws-');
  const runDir = path.join(root, 'sweep', 'r1');
  fs.mkdirSync(runDir, { recursive: true });
  const lines = [];
  for (let step = 10; step <= 500; step += 10) lines.push(JSON.stringify({ step, loss: 2 + 4 / Math.sqrt(step) }));
  fs.writeFileSync(path.join(runDir, 'metrics.jsonl'), lines.join('\n') + '\n');
  // Without the file the log says nothing of its end: the run is forecast at its last step.
  const before = curveJson(runDir);
  assert.equal(before.targetStep, 500);
  assert.equal(before.run, 'r1');
  fs.writeFileSync(path.join(root, '.scalinglens.yaml'), 'runs:\n  "sweep/*":\n    maxSteps: 2000\n');
  for (const target of [runDir, path.join(runDir, 'metrics.jsonl')]) {
    const after = curveJson(target);
    assert.equal(after.targetStep, 2000, target);
    assert.equal(after.run, 'sweep/r1', 'named as scan names it, relative to the file');
    assert.equal(after.actualFinal, undefined);
  }
});
