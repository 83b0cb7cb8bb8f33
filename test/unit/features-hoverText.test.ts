import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { hoverMarkdown, hoverTitle, sourcesOnLine, writtenKey } from '../../src/features/hoverText';
import { LineIndex, lensTooltip } from '../../src/features/lensModel';
import { runNamer } from '../../src/shared/displayName';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';

const examples = path.resolve(__dirname, '../../examples');
const file = path.join(examples, 'configs/planned-400m/config.json');
const text = fs.readFileSync(file, 'utf8');
const readSibling = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);

test('a hover finds the plan values on the hovered line and explains size, tokens, compute and loss', () => {
  const estimate = new ScalingWorkspace({ minPointsForCurve: 8 }).estimateConfig(file, text, readSibling);
  const line = text.split('\n').findIndex((l) => l.includes('"hidden_size"'));
  assert.ok(line >= 0);
  const keys = sourcesOnLine(estimate, file, text, line);
  assert.deepEqual(keys, ['architecture.dModel']);
  const md = hoverMarkdown(estimate, keys, 'scalingLens.showDashboard');
  assert.match(md, /\| Parameters \| 389M total · 340M non-embedding/);
  assert.match(md, /\| Tokens \| 7\.76B = 7400 steps × 1\.05M tokens\/step \(20\.0 per parameter\)/);
  assert.match(md, /\| Compute \| 1\.90e19 FLOPs/);
  assert.match(md, /\| Predicted loss \| uncalibrated: no finished runs of family "example-sweep"/);
  assert.match(md, /\[Open the dashboard\]\(command:scalingLens\.showDashboard\)/);
});

test('lines without a plan value get no hover', () => {
  const estimate = new ScalingWorkspace({ minPointsForCurve: 8 }).estimateConfig(file, text, readSibling);
  const line = text.split('\n').findIndex((l) => l.includes('"architectures"'));
  assert.deepEqual(sourcesOnLine(estimate, file, text, line), []);
});

test('names from the workspace cannot add links to the trusted hover', () => {
  const estimate = new ScalingWorkspace({ minPointsForCurve: 8 }).estimateConfig(file, text, readSibling);
  const line = text.split('\n').findIndex((l) => l.includes('"hidden_size"'));
  const keys = sourcesOnLine(estimate, file, text, line);
  const hostile = '[x](command:scalingLens.showDashboardView?%5B%22scaling%22%5D) <command:foo>';
  const tampered = { ...estimate, plan: { ...estimate.plan!, architecture: { ...estimate.plan!.architecture, modelType: hostile } } };
  const md = hoverMarkdown(tampered, keys, 'scalingLens.showDashboard');
  const row = md.split('\n').find((l) => l.startsWith('| Architecture |'))!;
  assert.ok(row.includes('\\[x\\](command:'), row);
  assert.ok(row.includes('\\<command:foo\\>'), row);
  // Outside that row, the only links are the extension's own.
  const links = [...md.matchAll(/(?<!\\)\[[^\]]*(?<!\\)\]\(command:/g)];
  assert.equal(links.length, 1, md);
});

test('a hover is titled in words with the key as the file writes it; key numbers first, the derivation folded', () => {
  const estimate = new ScalingWorkspace({ minPointsForCurve: 8 }).estimateConfig(file, text, readSibling);
  const lines = new LineIndex(text);
  const line = text.split('\n').findIndex((l) => l.includes('"hidden_size"'));
  const keys = sourcesOnLine(estimate, file, lines, line);
  assert.equal(hoverTitle(estimate, keys, lines), 'Model width (hidden_size)');
  const md = hoverMarkdown(estimate, keys, 'scalingLens.showDashboard', undefined, lines);
  const [head, folded] = md.split('<details>');
  assert.match(head, /^\*\*Model width \(hidden_size\)\*\* · Scaling Lens\n/);
  assert.ok(!head.includes('architecture.dModel'), 'no internal key in the title');
  // Two short lines before the fold: the loss and cost, then N (labelled total / non-embedding) and D.
  const visible = head.split('\n').filter((l) => l.trim());
  assert.equal(visible.length, 3, head);
  assert.match(visible[1], /^Loss uncalibrated · 1\.90e19 FLOPs · [\d.,]+ H100-h · \$[\d.]+[kM]? {2}$/);
  assert.match(visible[2], /^N 389M total \(340M non-embedding\) · D 7\.76B tokens \(20\.0 per parameter\)$/);
  assert.match(folded, /^<summary>How this is computed<\/summary>/);
  assert.match(folded, /\| Tokens \| 7\.76B = 7400 steps/);
  assert.ok(folded.includes('</details>'));
});

test('writtenKey reads the key before a value in JSON, YAML, TOML and command-line flags', () => {
  const cases: [string, string, string][] = [
    ['  "hidden_size": 1536,', '1536', 'hidden_size'],
    ['  d_model: 768', '768', 'd_model'],
    ['n_layer = 12', '12', 'n_layer'],
    ['  --lr 3e-4 \\', '3e-4', 'lr'],
    ['  --hidden-size=1024', '1024', 'hidden-size'],
  ];
  for (const [line, value, key] of cases) {
    const lines = new LineIndex(`# header\n${line}\n`);
    assert.equal(writtenKey(lines, lines.text.indexOf(value, 9)), key, line);
  }
});

test('runs are named in the hover and the lens tooltip by their display names, families by their short names', () => {
  const estimate = new ScalingWorkspace({ minPointsForCurve: 8 }).estimateConfig(file, text, readSibling);
  const lines = new LineIndex(text);
  const keys = sourcesOnLine(
    estimate,
    file,
    lines,
    text.split('\n').findIndex((l) => l.includes('"hidden_size"')),
  );
  const family = 'data/projects/scaling/example-sweep';
  const loss = { value: 3.5, interval: [3.4, 3.6], lawId: 'chinchilla', family, runsUsed: ['sweep/llama-12m', 'exp/lightning_logs/version_0'] };
  const calibrated = { ...estimate, predictions: { ...estimate.predictions, loss } } as unknown as typeof estimate;
  const fitted = {
    family,
    runIds: loss.runsUsed,
    fit: {
      lawId: 'chinchilla',
      parameters: {},
      validation: { method: 'leave-largest-out', errorPct: 1.5, heldOutRunId: 'exp/lightning_logs/version_0', predicted: 3.5, observed: 3.45 },
    },
  } as unknown as Parameters<typeof hoverMarkdown>[3];
  const name = runNamer([
    { id: 'sweep/llama-12m', name: 'llama-12m' },
    { id: 'exp/lightning_logs/version_0', name: 'exp' },
  ]);
  const md = hoverMarkdown(calibrated, keys, 'scalingLens.showDashboard', fitted, lines, name);
  assert.match(md, /predicting the largest finished run \(exp\) from the others/);
  assert.match(md, /law of family "example-sweep"/);
  assert.ok(!md.includes('lightning_logs'), 'no run id in the hover');
  const tip = lensTooltip(calibrated, name);
  assert.match(tip, /family "example-sweep".*fitted on 2 run\(s\): llama-12m, exp\./);
  assert.equal(name('not/a/run'), 'not/a/run', 'an unknown id is shown as it is');
});

test('a calibrated hover says where its loss comes from: the family law, its live anchor, its distance', () => {
  const list = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of list(examples).filter(isDefaultLogFile)) engine.update(f, examples);
  engine.snapshot();
  const estimate = engine.estimateConfig(file, text, readSibling);
  assert.ok(estimate.predictions.loss, estimate.predictions.uncalibrated);
  const line = text.split('\n').findIndex((l) => l.includes('"hidden_size"'));
  const md = hoverMarkdown(estimate, sourcesOnLine(estimate, file, new LineIndex(text), line), 'scalingLens.showDashboard');
  const visible = md
    .split('<details>')[0]
    .split('\n')
    .filter((l) => l.trim());
  assert.match(visible[1], /^Loss \*\*\d\.\d{3}\*\* \\\[\d\.\d{3}, \d\.\d{3}\\\] · /);
  assert.match(visible[3], /^Loss from the family law with 1 live run, 4\.\d× its largest run$/);
  assert.match(
    md,
    /\| Comes from \| From the law of family "example-sweep", fitted on 5 finished run\(s\) and the forecast end of sweep\/llama-279m \(still training; forecast from its finished siblings' curves; .*4\.\d× the compute of its largest finished run \(sweep\/llama-187m\): the interval widens with that distance/,
  );
  assert.match(md, /split between parameters and tokens follows published ratios/);
});
