import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { readWithShape, scanFlatNumericLine } from '../../src/core/runs/jsonlFast';
import { JsonlReader } from '../../src/core/runs/jsonl';
import { flattenRecord, recordToPoints } from '../../src/core/runs/common';
import type { MetricPoint } from '../../src/core/runs/types';
import { flatLineArb as flatLines, jsonEntries, mutatedLineArb as mutatedLines } from './helpers/jsonLines';

const RUNS = Number(process.env.SCALING_LENS_FUZZ_RUNS ?? 1000);

const keyArb = fc.oneof(
  fc.constantFrom(
    'step',
    'iter',
    'loss',
    'eval_loss',
    'lr',
    'tokens',
    'num_input_tokens_seen',
    'grad_norm',
    'train/loss',
    '__proto__',
    '',
    '0',
    '12',
    'a"b',
    'ü',
  ),
  fc.string({ maxLength: 8 }),
);
const numberArb = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0, -0, 1e-320, 1e308, 3e-4));
const spaceArb = fc.constantFrom('', ' ', '  ', '\t', '\r');

/** A flat object of numbers written as JSON with random spacing (and the odd duplicate key). */
const flatLineArb = flatLines(
  keyArb,
  numberArb.map((v) => JSON.stringify(v)),
  spaceArb,
  8,
  40,
);

/** Valid lines, then mutated: a character deleted, replaced or inserted somewhere. */
const mutatedLineArb = mutatedLines(flatLineArb, ['', '"', ',', '}', '{', '-', '.', 'e', '1', 'N', '\\', ' ', '[', 'x']);

test('the fast JSONL scanner yields exactly what JSON.parse does on every line it accepts', () => {
  fc.assert(
    fc.property(fc.oneof(flatLineArb, mutatedLineArb, fc.string(), fc.json()), (line) => {
      const fast = scanFlatNumericLine(line);
      if (!fast) return;
      const parsed = jsonEntries(line);
      assert.ok(parsed, `accepted a line JSON.parse rejects or that is not an object: ${line}`);
      assert.deepEqual([...fast.entries()], parsed);
    }),
    { numRuns: RUNS },
  );
});

test('the fast scanner accepts flat numeric objects whose keys need no escapes and are not indices', () => {
  fc.assert(
    fc.property(flatLineArb, (line) => {
      const keys = (jsonEntries(line) ?? []).map(([k]) => k);
      const plain = !/\\/.test(line) && keys.every((k) => !/^\d/.test(k));
      if (plain) assert.ok(scanFlatNumericLine(line), `declined ${line}`);
    }),
    { numRuns: RUNS },
  );
});

test('reading against a shape gives the same values as the scanner, and refuses other shapes', () => {
  fc.assert(
    fc.property(flatLineArb, fc.oneof(flatLineArb, mutatedLineArb), (first, second) => {
      const a = scanFlatNumericLine(first);
      if (!a) return;
      const shape = { keys: [...a.keys()] };
      const values = new Float64Array(shape.keys.length);
      const b = scanFlatNumericLine(second);
      const same = b !== undefined && b.size === shape.keys.length && [...b.keys()].every((k, i) => k === shape.keys[i]) && !hasDuplicateKey(second);
      const ok = readWithShape(second, shape, values);
      if (ok) {
        assert.ok(b, `shape read accepted what the scanner declines: ${second}`);
        assert.deepEqual([...values], [...b.values()]);
      } else {
        assert.ok(!same, `shape read declined a line of the same shape: ${second}`);
      }
    }),
    { numRuns: RUNS },
  );
});

function hasDuplicateKey(line: string): boolean {
  const keys = [...line.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((m) => m[1]);
  return new Set(keys).size !== keys.length;
}

function reference(lines: string[]): MetricPoint[] {
  const points: MetricPoint[] = [];
  let implicit = 0;
  lines.forEach((line, i) => {
    const v = JSON.parse(line) as Record<string, unknown>;
    let used = false;
    const rec = recordToPoints(flattenRecord(v), 'f', i + 1, false, () => {
      used = true;
      return implicit;
    });
    if (rec.badStep !== undefined) return;
    if (used) implicit++;
    points.push(...rec.points);
  });
  return points;
}

test('the JSONL reader gives the same points with its fast path as the general one', () => {
  const shapes = [
    ['step', 'loss', 'lr', 'tokens'],
    ['iter', 'loss'],
    ['loss', 'lr'],
    ['step', 'eval_loss', 'num_input_tokens_seen'],
  ];
  const lineArb = fc.tuple(fc.nat(shapes.length - 1), fc.nat(10_000), fc.array(numberArb, { minLength: 4, maxLength: 4 })).map(([s, step, vals]) => {
    const obj: Record<string, number> = {};
    shapes[s].forEach((k, i) => (obj[k] = k === 'step' || k === 'iter' ? step : vals[i]));
    return JSON.stringify(obj);
  });
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 30 }), (lines) => {
      assert.deepEqual(new JsonlReader('f').push(lines, 1).points, reference(lines));
    }),
    { numRuns: RUNS },
  );
});

test('lines the fast path declines still parse: NaN, nested values and strings', () => {
  const lines = [
    '{"step": 1, "loss": 3.5}',
    '{"step": 2, "loss": NaN}',
    '{"step": 3, "loss": 3.1, "meta": {"gpu": 0}}',
    '{"step": 4, "loss": "3.0"}',
    '{"step": 5, "loss": 1e999}',
  ];
  const result = new JsonlReader('f').push(lines, 1);
  assert.deepEqual(
    result.points.filter((p) => p.metric === 'loss').map((p) => [p.step, p.value]),
    [
      [1, 3.5],
      [3, 3.1],
      [4, 3.0],
    ],
  );
  assert.equal(result.nonFinite.length, 2);
  assert.ok(result.points.some((p) => p.metric === 'meta/gpu'));
});
