// Fit pathologies are reported (fit/fitWarnings.ts): a parameter on its bound, E collapsing to 0,
// priors carrying a family of few sizes, an exponent far from published fits; families built to
// trigger each, one on published exponents that triggers none, and each warning where it is shown
// (the family model behind the lens, hover and planner; the snapshot's family for the scaling view
// and `scan --json`; `scaling-lens fit`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitCrossRun, type CrossRunPoint } from '../../src/core/fit/crossRun';
import { plausibleExponentRange } from '../../src/core/fit/exponentRanges';
import { familyModel } from '../../src/core/plan/familyModel';
import { planBudget } from '../../src/core/plan/budget';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { fitCommand, type FitCommandOutput } from '../../src/cliCommands/fit';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { WORKSPACE_FILE_NAME } from '../../src/core/runs/workspaceFile';
import { tempDir } from './helpers/tempDir';
import { hoverMarkdown, sourcesOnLine } from '../../src/features/hoverText';
import { lensTooltip } from '../../src/features/lensModel';

const EPOCH = [Math.log(1.82), Math.log(482), Math.log(2085), 0.3478, 0.3658];
const SIZES = [2e7, 5e7, 1.2e8, 3e8, 7e8];

/** Runs of a family at `sizes` × tokens-per-parameter `ratios`, losses from `loss` (± a fixed pattern of `scatter`). */
function family(loss: (n: number, d: number) => number, sizes = SIZES, ratios = [10, 20, 40], scatter = 0.005): CrossRunPoint[] {
  const runs: CrossRunPoint[] = [];
  let j = 0;
  for (const n of sizes)
    for (const r of ratios) runs.push({ runId: `r${++j}`, params: n, tokens: n * r, loss: loss(n, n * r) * (1 + scatter * Math.sin(12.9898 * j)) });
  return runs;
}

function warningsOf(runs: CrossRunPoint[]): string[] {
  const fit = fitCrossRun(runs, { seed: 1, resamples: 0 });
  assert.ok(!('error' in fit), JSON.stringify(fit));
  return familyModel({ family: 'f', fit, runsUsed: fit.runIds, points: runs }).warnings;
}

test('fit warnings: a family on published exponents gets none', () => {
  assert.deepEqual(warningsOf(family((n, d) => chinchillaLaw.evaluate(EPOCH, [n, d]))), []);
});

test('fit warnings: a parameter on its bound (loss rising with N: α pinned at its upper bound), and the exponent named implausible', () => {
  const w = warningsOf(family((n, d) => 2 + 2085 / d ** 0.3658 + 0.02 * Math.log(n / 2e7), SIZES, [10, 20, 40], 0));
  assert.ok(
    w.some((s) => /parameter alpha sits on its bound \(upper\)/.test(s)),
    w.join('\n'),
  );
  assert.ok(
    w.some((s) => /fitted α = 2\.50 is far from published fits/.test(s)),
    w.join('\n'),
  );
});

test('fit warnings: E collapsing to 0 (a pure power law in N and D)', () => {
  const w = warningsOf(family((n, d) => 482 / n ** 0.3478 + 2085 / d ** 0.3658));
  assert.ok(
    w.some((s) => /irreducible loss E collapsed to/.test(s)),
    w.join('\n'),
  );
});

test('fit warnings: priors carrying a family of two sizes', () => {
  const w = warningsOf(family((n, d) => chinchillaLaw.evaluate(EPOCH, [n, d]), [5e7, 2e8], [10, 20, 40, 80, 160, 320]));
  assert.ok(
    w.some((s) => /fitted on 2 model size\(s\), fewer than 3: the exponents lean on published priors/.test(s)),
    w.join('\n'),
  );
});

test('fit warnings: an exponent far from published fits (β = 1.5), with the papers cited; in the planner too', () => {
  const runs = family((n, d) => chinchillaLaw.evaluate([Math.log(1.82), Math.log(482), Math.log(3e14), 0.3478, 1.5], [n, d]));
  const w = warningsOf(runs);
  const [lo, hi] = plausibleExponentRange();
  assert.ok(lo < 0.28 && hi > 0.3658 && hi < 1.5, `${lo}–${hi}`);
  const implausible = w.filter(
    (s) => /fitted β = 1\.50 is far from published fits/.test(s) && /Hoffmann et al\. 2022/.test(s) && /Besiroglu et al\. 2024/.test(s),
  );
  assert.equal(implausible.length, 1, w.join('\n'));
  assert.ok(!w.some((s) => /fitted α/.test(s)), 'α is plausible');
  const fit = fitCrossRun(runs, { seed: 1, resamples: 0 });
  assert.ok(!('error' in fit));
  const plan = planBudget({ budget: { kind: 'flops', flops: 1e20, text: '1e20' } }, { lossLaw: { family: 'f', fit, runsUsed: fit.runIds, points: runs } });
  assert.ok(!('error' in plan), JSON.stringify(plan));
  assert.ok(plan.notes.includes(implausible[0]), plan.notes.join('\n'));
});

test('fit warnings in `scaling-lens fit`: the JSON and the text say them', () => {
  const dir = tempDir('sl-fit-warnings-');
  const rows = ['params,tokens,loss', ...family((n, d) => 482 / n ** 0.3478 + 2085 / d ** 0.3658).map((p) => `${p.params},${p.tokens},${p.loss}`)];
  const train = path.join(dir, 'train.csv');
  fs.writeFileSync(train, `${rows.join('\n')}\n`);
  let out = '';
  const io = { stdout: (t: string) => (out += t), stderr: () => {} };
  assert.equal(fitCommand(['--law', 'chinchilla', '--train', train, '--resamples', '0', '--json'], io), 0);
  const json = JSON.parse(out) as FitCommandOutput;
  assert.ok(
    json.warnings.some((s) => /E collapsed/.test(s)),
    JSON.stringify(json.warnings),
  );
  out = '';
  assert.equal(fitCommand(['--law', 'chinchilla', '--train', train, '--resamples', '0'], io), 0);
  assert.match(out, /\n {2}warning: chinchilla: the irreducible loss E collapsed/);
  // A well-behaved family: an empty list.
  const good = ['params,tokens,loss', ...family((n, d) => chinchillaLaw.evaluate(EPOCH, [n, d])).map((p) => `${p.params},${p.tokens},${p.loss}`)];
  fs.writeFileSync(train, `${good.join('\n')}\n`);
  out = '';
  assert.equal(fitCommand(['--law', 'chinchilla', '--train', train, '--resamples', '0', '--json'], io), 0);
  assert.deepEqual((JSON.parse(out) as FitCommandOutput).warnings, []);
});

test("fit warnings on the real example: its β far from published fits, in the snapshot's family (scaling view, scan --json) and the config's estimate (lens, hover)", () => {
  const root = path.resolve(__dirname, '../../examples-real');
  const list = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of list(root).filter((f) => isDefaultLogFile(path.relative(root, f)) || path.basename(f) === WORKSPACE_FILE_NAME)) engine.update(f, root);
  const fam = engine.snapshot().families.find((f) => f.family === 'multipower-llama2')!;
  assert.ok(
    fam.fitWarnings?.some((s) => /fitted β = [\d.]+ is far from published fits/.test(s)),
    JSON.stringify(fam.fitWarnings),
  );
  const config = path.join(root, 'configs', 'planned-1b', 'config.json');
  const estimate = engine.estimateConfig(config, fs.readFileSync(config, 'utf8'), (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
  assert.ok(
    estimate.predictions.loss?.fitWarnings?.some((s) => /fitted β/.test(s)),
    JSON.stringify(estimate.predictions.loss?.fitWarnings),
  );
  assert.ok(estimate.notes.some((s) => /fitted β/.test(s)));
  // The lens's tooltip (its notes) and the hover's folded table.
  assert.match(lensTooltip(estimate), /fitted β = [\d.]+ is far from published fits/);
  const text = fs.readFileSync(config, 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('"hidden_size"'));
  const md = hoverMarkdown(estimate, sourcesOnLine(estimate, config, text, line), 'scalingLens.showDashboard');
  assert.match(md, /\| Fit warnings \| chinchilla: the fitted β = [\d.]+ is far from published fits/);
});
