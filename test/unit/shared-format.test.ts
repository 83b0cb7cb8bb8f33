import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatInteger } from '../../src/shared/format';

test("formatInteger is toLocaleString('en-US') for every number (it only skips loading ICU for safe integers)", () => {
  const edges = [
    0,
    -0,
    1,
    -1,
    999,
    1000,
    -1000,
    999_999,
    1_000_000,
    4096,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2 ** 53,
    1e21,
    1.5,
    1234.5678,
    NaN,
    Infinity,
    -Infinity,
  ];
  for (const n of edges) assert.equal(formatInteger(n), n.toLocaleString('en-US'), String(n));
  fc.assert(fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => formatInteger(n) === n.toLocaleString('en-US')));
  fc.assert(fc.property(fc.double(), (n) => formatInteger(n) === n.toLocaleString('en-US')));
});
