import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseCsvTable } from '../../src/core/table';

test('rows with bad numbers are reported by their line and the rest kept', () => {
  const text = 'params,tokens,loss\n1e7,2e8,4.1\n\n2e7,oops,3.9\n4e7,8e8,3.7\n';
  const { rows, diagnostics } = parseCsvTable(text, 'train.csv', ['params', 'tokens', 'loss']);
  assert.deepEqual(rows.map((r) => r.params), [1e7, 4e7]);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].line, 4);
  assert.match(diagnostics[0].message, /tokens/);
});

test('a missing column is one clear error naming the header', () => {
  const { rows, diagnostics } = parseCsvTable('n,d,l\n1,2,3\n', 'x.csv', ['params', 'tokens', 'loss']);
  assert.equal(rows.length, 0);
  assert.match(diagnostics[0].message, /missing column\(s\) params, tokens, loss/);
});

test('empty cells are missing values, not zeros', () => {
  const { rows, diagnostics } = parseCsvTable('params,tokens,loss\n1e7,,4\n', 'x.csv', ['params', 'tokens', 'loss']);
  assert.equal(rows.length, 0);
  assert.equal(diagnostics.length, 1);
});
