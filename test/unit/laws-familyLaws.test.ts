// A family law chosen in `.scalinglens.yaml` (`fits: <family>: {law: kaplan}`) reaches the lens
// (config estimates), the planner and the dashboard's scaling view through the family-law registry
// (laws/familyLaws.ts), with Chinchilla still the default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { fitCrossRun, lawParams, predictCrossRun, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { kaplanLaw } from '../../src/core/laws/kaplan';
import { planBudgetRequest } from '../../src/core/plan/budgetRequest';
import { FAMILY_LAWS } from '../../src/core/laws/familyLaws';
import { PINNABLE_LAWS } from '../../src/core/runs/workspaceFile';

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The example sweep in a temporary folder, with a `.scalinglens.yaml` when given. */
function engineOn(workspaceFile?: string): { engine: ScalingWorkspace; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scaling-lens-familylaw-'));
  fs.cpSync(path.resolve(__dirname, '../../examples'), root, { recursive: true });
  if (workspaceFile !== undefined) fs.writeFileSync(path.join(root, '.scalinglens.yaml'), workspaceFile);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(root).filter((f) => isDefaultLogFile(f) || path.basename(f) === '.scalinglens.yaml')) engine.update(f, root);
  return { engine, root };
}

test('every registered family law can be pinned in .scalinglens.yaml', () => {
  assert.deepEqual([...PINNABLE_LAWS].sort(), Object.keys(FAMILY_LAWS).sort());
  assert.ok(PINNABLE_LAWS.includes('kaplan'));
});

test('a family pinned to Kaplan et al. is fitted, estimated, planned and drawn with that law', () => {
  const { engine, root } = engineOn('fits:\n  example-sweep:\n    law: kaplan\n');
  const { engine: chinchillaEngine } = engineOn();
  const snapshot = engine.snapshot();
  const family = snapshot.families.find((f) => f.family === 'example-sweep')!;
  assert.ok(family.fit, family.error);
  assert.equal(family.fit.lawId, 'kaplan');
  assert.equal(family.pinned?.law, 'kaplan');
  assert.deepEqual(Object.keys(family.fit.parameters).sort(), ['Dc', 'Nc', 'alphaD', 'alphaN']);
  const chinchillaFamily = chinchillaEngine.snapshot().families.find((f) => f.family === 'example-sweep')!;
  assert.equal(chinchillaFamily.fit?.lawId, 'chinchilla', 'Chinchilla stays the default');

  // Lens: the planned config's loss is the Kaplan fit's prediction at its N and D.
  const configFile = path.join(root, 'configs', 'planned-400m', 'config.json');
  const readSibling = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
  const estimate = engine.estimateConfig(configFile, fs.readFileSync(configFile, 'utf8'), readSibling);
  const loss = estimate.predictions.loss;
  assert.ok(loss, estimate.predictions.uncalibrated);
  assert.equal(loss.lawId, 'kaplan');
  assert.equal(loss.family, 'example-sweep');
  // Kaplan's N is non-embedding (Kaplan et al. 2020 Sec. 2.1): the runs' configs give it, the fit takes it, and so does the lens.
  assert.ok(family.fit.embeddings, 'fitted on non-embedding N');
  const runs = engine.runs();
  for (const p of family.points!) assert.equal(p.nonEmbeddingParams, runs.find((r) => r.id === p.runId)!.hyper.nonEmbeddingParams);
  assert.ok(family.points!.every((p) => p.nonEmbeddingParams! < p.params));
  assert.equal(chinchillaFamily.fit?.embeddings, undefined, 'Chinchilla counts total N');
  assert.ok(chinchillaFamily.points!.every((p) => p.nonEmbeddingParams === undefined));
  assert.ok(loss.fitWarnings?.some((w) => /non-embedding/.test(w)));
  const expected = predictCrossRun(family.fit, estimate.plan!.params.total, estimate.plan!.tokens!, estimate.plan!.params.nonEmbedding);
  assert.ok(Math.abs(loss.value - expected.value) < 1e-9, `${loss.value} vs ${expected.value}`);
  const chinchillaLoss = chinchillaEngine.estimateConfig(configFile, fs.readFileSync(configFile, 'utf8'), readSibling).predictions.loss!;
  assert.notEqual(loss.value, chinchillaLoss.value, 'the law chosen changes the estimate');

  // Planner: calibrated on the family's Kaplan model, its recommendation scored by that model.
  const planned = planBudgetRequest({ budget: '1e21' }, engine.familyLaws(), engine.hardware, (law) => engine.overtrainLaw(law));
  assert.ok(!('error' in planned), JSON.stringify(planned));
  assert.match(planned.plan.frontier, /family "example-sweep".*Kaplan/);
  const rec = planned.plan.recommended;
  assert.ok(!('uncalibrated' in rec.loss), 'the plan is calibrated');
  const recLoss = rec.loss as { value: number };
  assert.ok(Math.abs(recLoss.value - predictCrossRun(family.fit, rec.params, rec.tokens).value) < 1e-9);

  // Dashboard: the scaling view's law line is the Kaplan fit's.
  const view = snapshot.scaling.find((s) => s.family === 'example-sweep')!;
  assert.ok(view.lawLine && view.lawLine.loss.length > 2);
  for (let i = 0; i < view.lawLine.loss.length; i += 7) {
    const at = predictCrossRun(family.fit, view.lawLine.params[i], view.lawLine.tokens[i]).value;
    assert.ok(Math.abs(view.lawLine.loss[i] - at) < 1e-9 * at, `line point ${i}: ${view.lawLine.loss[i]} vs ${at}`);
  }
  fs.rmSync(root, { recursive: true, force: true });
});

test('Kaplan is fitted on non-embedding N where every run gives it, and says so where one does not', () => {
  // A family whose loss follows Kaplan et al.'s published L(N, D) in non-embedding N, with embeddings
  // (vocabulary 32k) a large share of its small models' total N.
  const ref = kaplanLaw.reference!.values;
  const truth = (ne: number, d: number) => kaplanLaw.evaluate([Math.log(ref.Nc), Math.log(ref.Dc), ref.alphaN, ref.alphaD], [ne, d]);
  const shape = (d: number) => {
    const ne = 12 * (d / 64) * d * d;
    return { ne, total: ne + 32000 * d };
  };
  const points: CrossRunPoint[] = [256, 384, 512, 768, 1024, 1536].flatMap((d, i) => {
    const { ne, total } = shape(d);
    const tokens = (i % 2 ? 60 : 15) * total;
    return [{ runId: `d${d}`, params: total, nonEmbeddingParams: ne, tokens, loss: truth(ne, tokens) }];
  });
  const onNonEmbedding = fitCrossRun(points, { law: 'kaplan', seed: 1, resamples: 0 });
  const onTotal = fitCrossRun(
    points.map(({ nonEmbeddingParams: _, ...p }) => p),
    { law: 'kaplan', seed: 1, resamples: 0 },
  );
  assert.ok(!('error' in onNonEmbedding) && !('error' in onTotal));
  assert.ok(onNonEmbedding.embeddings && !onTotal.embeddings);
  assert.match(onNonEmbedding.paramsNote!, /non-embedding/);
  assert.match(onTotal.paramsNote!, /total parameters: not every run gives its non-embedding N/);
  // A 3.4B model at 20 tokens per parameter: 17× the largest run's N.
  const target = shape(4096);
  const tokens = 20 * target.total;
  const want = truth(target.ne, tokens);
  const errNonEmbedding = Math.abs(predictCrossRun(onNonEmbedding, target.total, tokens, target.ne).value / want - 1);
  const errTotal = Math.abs(predictCrossRun(onTotal, target.total, tokens).value / want - 1);
  assert.ok(errNonEmbedding < 0.002, `non-embedding N: ${(100 * errNonEmbedding).toFixed(3)}% off`);
  assert.ok(errTotal > 2 * errNonEmbedding, `total N: ${(100 * errTotal).toFixed(3)}% off, non-embedding ${(100 * errNonEmbedding).toFixed(3)}%`);
  // Asked at a total N alone (the planner's candidates), the family's embeddings give the law's N.
  const ne = lawParams(onNonEmbedding, target.total);
  assert.ok(Math.abs(ne / target.ne - 1) < 0.01, `${ne} vs ${target.ne}`);
  // Chinchilla's N is total: the same points are fitted on it, with no embedding model.
  const chinchilla = fitCrossRun(points, { seed: 1, resamples: 0 });
  assert.ok(!('error' in chinchilla) && chinchilla.embeddings === undefined && chinchilla.paramsNote === undefined);
});
