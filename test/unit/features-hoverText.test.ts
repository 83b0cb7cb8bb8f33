import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { hoverMarkdown, sourcesOnLine } from '../../src/features/hoverText';

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
