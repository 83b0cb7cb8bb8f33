// A workspace whose family bends at its top, through the engine as the extension runs it: the
// family says "possible break", the scaling view carries the broken law's line (and the chart's
// series and caption name it), and a config's estimate gives the broken law's value beside the
// family law's in the lens tooltip and the hover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { scalingSeries } from '../../src/shared/chartSeries';
import { lensTitle, lensTooltip } from '../../src/features/lensModel';
import { hoverMarkdown } from '../../src/features/hoverText';

// The unit test's BNSL ladder (fit-familyBrokenLaw.test.ts): slope 0.2 in N, 0.6 past 4e8 parameters, 20 tokens per parameter.
const sizes = [1e7, 2e7, 4e7, 8e7, 1.6e8, 3.2e8, 6.4e8, 1.28e9];
const finalLoss = (n: number, i: number) => (2 + 2.5 * (n / 1e7) ** -0.2 * (1 + (n / 4e8) ** (1 / 0.3)) ** (-0.4 * 0.3)) * (1 + 0.003 * Math.sin(i * 2.3));

/** Lightning runs (metrics.csv + hparams.yaml with num_params and max_tokens), each curve settling on its final loss. */
function breakWorkspace(): { root: string; files: string[] } {
  const root = tempDir('sl-break-');
  const files: string[] = [];
  sizes.forEach((n, i) => {
    const dir = path.join(root, 'ladder', 'lightning_logs', `version_${i}`);
    fs.mkdirSync(dir, { recursive: true });
    const steps = 2000;
    const end = finalLoss(n, i);
    const rows = ['step,train_loss'];
    for (let s = 20; s <= steps; s += 20) rows.push(`${s},${(end + (10 - end) * Math.exp((-12 * s) / steps)).toFixed(6)}`);
    fs.writeFileSync(path.join(dir, 'metrics.csv'), rows.join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'hparams.yaml'), `num_params: ${n}\nmax_tokens: ${20 * n}\nmax_steps: ${steps}\ndataset: synthetic\n`);
    files.push(path.join(dir, 'metrics.csv'));
  });
  return { root, files };
}

test('a workspace whose family bends: the break, the broken law beside the family law in the snapshot, the scaling view and the lens', () => {
  const { root, files } = breakWorkspace();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of files) engine.update(f, root);
  const snapshot = engine.snapshot();
  const family = snapshot.families.find((f) => f.fit);
  assert.ok(family, JSON.stringify(snapshot.families.map((f) => [f.family, f.error, f.runIds.length])));
  assert.equal(family.runIds.length, sizes.length, JSON.stringify(family.leftOut));
  assert.ok(family.possibleBreak, 'the family says it may break');
  const broken = family.possibleBreak.brokenLaw;
  assert.ok(broken, 'the broken law is fitted beside it');
  assert.ok(broken.heldOut && family.fit?.validation);
  assert.ok(
    Math.abs(broken.heldOut.predicted / broken.heldOut.observed - 1) < Math.abs(family.fit.validation.predicted / family.fit.validation.observed - 1),
    'closer to the held-out largest run than the family law',
  );
  // The scaling view: the broken law along the law's line, sent to the webview, drawn as its own series.
  const view = snapshot.scaling.find((v) => v.family === family.family)!;
  assert.ok(view.lawLine && view.brokenLine);
  assert.equal(view.brokenLine.loss.length, view.lawLine.loss.length);
  const series = scalingSeries(snapshot, { family: '', yScale: 'linear' });
  assert.ok(series.some((s) => s.kind === 'broken_law' && s.points.length > 0));
  // A config of the family past its largest run: the lens and hover give the broken law's value beside the family law's.
  const config = path.join(root, 'planned', 'generic.yaml');
  const text = `family: ${family.family}\nmodel:\n  layers: 24\n  d_model: 2048\n  heads: 16\n  vocab: 32000\n  tied: true\ntraining:\n  steps: 300000\n  batch_size: 256\n  seq_len: 1024\n`;
  const estimate = engine.estimateConfig(config, text, () => undefined);
  const loss = estimate.predictions.loss;
  assert.ok(loss?.brokenLaw, JSON.stringify(estimate.predictions.uncalibrated ?? estimate.notes));
  assert.notEqual(loss.brokenLaw.value.toFixed(3), loss.value.toFixed(3));
  assert.match(lensTitle(estimate), /break: broken law \d\.\d+/);
  assert.ok(loss.distance && loss.distance.computeRatio > 1, 'past the largest run');
  const hover = hoverMarkdown(estimate, ['model.d_model'], { dashboard: 'a', dashboardView: 'b' });
  assert.ok(hover.includes(`| Broken law | ${loss.brokenLaw.note}`));
  // The break is said once, in its own row, not again among the fit's warnings.
  assert.equal(loss.breakNote, family.possibleBreak.note);
  assert.equal(hover.split('Possible break').length - 1, 1, hover);
  assert.ok(hover.includes('| Possible break | '));
  assert.ok(!(loss.fitWarnings ?? []).includes(family.possibleBreak.note));
  assert.match(
    lensTooltip(estimate),
    new RegExp(`The broken law \\(one break[^)]*\\) gives ${loss.brokenLaw.value.toFixed(3)} here, the family law ${loss.value.toFixed(3)}`),
  );
});
