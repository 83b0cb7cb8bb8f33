// `.scalinglens.yaml` has two ways to leave a run out, and they differ for the sibling forecast of a
// live run (README): `runs: <glob>: {exclude: true}` says the run is not part of the family at all (a
// broken or foreign run), so it is neither in the family law nor a sibling; `fits: <family>: {exclude}`
// leaves it out of the family law only, and its curve still helps forecast a live run.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';

const examples = path.resolve(__dirname, '../../examples');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function settle(yamlText: string) {
  const root = tempDir('sl-exclude-');
  fs.cpSync(examples, root, { recursive: true });
  fs.writeFileSync(path.join(root, '.scalinglens.yaml'), yamlText);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  engine.update(path.join(root, '.scalinglens.yaml'), root);
  let snapshot = engine.snapshot();
  for (let i = 0; i < 20 && snapshot.fitting > 0; i++) snapshot = engine.snapshot();
  return snapshot;
}

test('a run excluded under runs: is out of the family law and of the siblings; one excluded under fits: only of the law', () => {
  const runsExclude = settle('runs:\n  "sweep/llama-187m":\n    exclude: true\n');
  const live = runsExclude.runs.find((r) => r.id === 'sweep/llama-279m');
  assert.equal(live?.curve?.provenance, 'from siblings');
  assert.ok(live.curve.siblings && live.curve.siblings.length > 0);
  assert.ok(!live.curve.siblings.includes('sweep/llama-187m'), `siblings: ${live.curve.siblings.join(', ')}`);
  assert.ok(runsExclude.families.some((f) => f.excludedRunIds?.includes('sweep/llama-187m')));

  const fitsExclude = settle('fits:\n  example-sweep:\n    exclude: ["sweep/llama-187m"]\n');
  const live2 = fitsExclude.runs.find((r) => r.id === 'sweep/llama-279m');
  assert.equal(live2?.curve?.provenance, 'from siblings');
  assert.ok(live2.curve.siblings?.includes('sweep/llama-187m'), `siblings: ${live2.curve.siblings?.join(', ')}`);
  assert.ok(fitsExclude.families.some((f) => f.excludedRunIds?.includes('sweep/llama-187m')));
});
