import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import { isGoldenValuesFile, parseGoldenValues } from '../../src/core/runs/golden';
import { RunIndex, detectLogFormat } from '../../src/core/runs/index';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import type { MetricPoint } from '../../src/core/runs/types';

function pairs(points: MetricPoint[], metric: string): [number, number][] {
  return points.filter((p) => p.metric === metric).map((p) => [p.step, p.value]);
}

test('golden values: per-step objects, "nan" strings, lm loss as the train loss', () => {
  const text = JSON.stringify(
    {
      'lm loss': { start_step: 1, end_step: 3, step_interval: 1, values: { '1': 10.9, '3': 10.5, '2': 10.7 } },
      'iteration-time': { start_step: 1, end_step: 3, step_interval: 1, values: { '1': 'nan', '2': 'nan', '3': 0.09 } },
      'num-zeros': { values: { x: 5, '4': 'many' } },
      broken: 7,
    },
    null,
    2,
  );
  const res = parseGoldenValues(text, '/g/golden_values_dev.json');
  assert.deepEqual(pairs(res.points, 'lm loss'), [
    [1, 10.9],
    [2, 10.7],
    [3, 10.5],
  ]);
  assert.equal(res.points.find((p) => p.metric === 'lm loss')?.role, 'train_loss');
  assert.deepEqual(pairs(res.points, 'iteration-time'), [[3, 0.09]]);
  assert.equal(res.nonFinite.length, 2);
  // One note for a timing metric's nan values, not one per step, and not an error.
  const nanNotes = res.diagnostics.filter((d) => d.message.startsWith('iteration-time is'));
  assert.equal(nanNotes.length, 1);
  assert.equal(nanNotes[0].severity, 'info');
  const brokenLine = text.split('\n').findIndex((l) => l.includes('"broken"')) + 1;
  assert.ok(res.diagnostics.some((d) => d.line === brokenLine && /"broken" has no "values"/.test(d.message)));
  assert.ok(res.diagnostics.some((d) => /step "x" is not an integer/.test(d.message)));
  assert.ok(res.diagnostics.some((d) => /step 4 is not a number/.test(d.message)));
});

test('golden values: the older list form is placed at start_step + i·step_interval', () => {
  const res = parseGoldenValues(
    '{"lm loss": {"start_step": 0, "end_step": 20, "step_interval": 5, "values": [10.8, 10.6, 10.1, 9.9, 9.5]}}',
    '/g/golden_values.json',
  );
  assert.deepEqual(pairs(res.points, 'lm loss'), [
    [0, 10.8],
    [5, 10.6],
    [10, 10.1],
    [15, 9.9],
    [20, 9.5],
  ]);
});

test('golden values: names, and bad documents never throw', () => {
  assert.ok(isGoldenValuesFile('golden_values_dev_dgx_h100.json'));
  assert.ok(isGoldenValuesFile('golden_values.json'));
  assert.ok(!isGoldenValuesFile('golden.json'));
  assert.equal(detectLogFormat('/t/case/golden_values_lts.json'), 'megatron-golden');
  assert.ok(isDefaultLogFile('/t/case/golden_values_lts.json'));
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
      ),
      (text) => {
        const res = parseGoldenValues(text, '/g/golden_values.json');
        for (const d of res.diagnostics) assert.ok(d.file === '/g/golden_values.json' && typeof d.line === 'number');
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('run index: each golden-values file is its own run', () => {
  const root = tempDir('sl-golden-');
  const dir = path.join(root, 'gpt3_case');
  fs.mkdirSync(dir);
  const doc = (base: number) =>
    JSON.stringify({
      'lm loss': {
        start_step: 1,
        end_step: 10,
        step_interval: 1,
        values: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i + 1), base - i / 10])),
      },
    });
  fs.writeFileSync(path.join(dir, 'golden_values_dev_dgx_h100.json'), doc(11));
  fs.writeFileSync(path.join(dir, 'golden_values_lts_dgx_a100.json'), doc(12));
  const index = new RunIndex();
  for (const f of fs.readdirSync(dir)) index.update(path.join(dir, f), root);
  const runs = index.runs();
  assert.deepEqual(
    runs.map((r) => r.id),
    ['gpt3_case/golden_values_dev_dgx_h100.json', 'gpt3_case/golden_values_lts_dgx_a100.json'],
  );
  assert.deepEqual(
    runs.map((r) => r.series.find((s) => s.role === 'train_loss')?.values[0]),
    [11, 12],
  );
  assert.ok(runs.every((r) => r.format === 'megatron-golden' && r.status === 'finished'));
});
