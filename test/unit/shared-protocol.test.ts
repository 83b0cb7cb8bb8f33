import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDashboardState, parseWebviewMessage } from '../../src/shared/protocol';

test('valid webview messages are accepted as they are', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'rendered', version: 3, runs: 2, points: 400 }), { type: 'rendered', version: 3, runs: 2, points: 400 });
  assert.deepEqual(parseWebviewMessage({ type: 'revealLog', runId: 'sweep/a' }), { type: 'revealLog', runId: 'sweep/a' });
});

test('hostile or malformed webview messages are rejected', () => {
  const bad: unknown[] = [
    null,
    undefined,
    42,
    'ready',
    [],
    { type: 'nope' },
    { type: 'ready', extra: 1 },
    { type: 'rendered', version: -1, runs: 0, points: 0 },
    { type: 'rendered', version: 1.5, runs: 0, points: 0 },
    { type: 'rendered', version: '1', runs: 0, points: 0 },
    { type: 'revealLog', runId: 7 },
    { type: 'revealLog', runId: 'x'.repeat(5000) },
    JSON.parse('{"type":"ready","__proto__":{"polluted":true}}'),
  ];
  for (const message of bad) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('property: parsing never throws, and what it accepts parses to itself', () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.record({ type: fc.constantFrom('ready', 'rendered', 'revealLog'), version: fc.anything(), runs: fc.anything(), points: fc.anything(), runId: fc.anything() }, { requiredKeys: ['type'] })), (raw) => {
      const parsed = parseWebviewMessage(raw);
      if (parsed) assert.deepEqual(parseWebviewMessage(parsed), parsed);
    }),
    { numRuns: 2000, seed: 7 },
  );
});

test('persisted dashboard state is sanitised, with defaults for anything unknown', () => {
  assert.deepEqual(parseDashboardState(undefined), { xScale: 'logarithmic', yScale: 'logarithmic', hiddenRuns: [] });
  assert.deepEqual(parseDashboardState({ xScale: 'linear', yScale: 'bogus', hiddenRuns: ['a', 3, null] }), { xScale: 'linear', yScale: 'logarithmic', hiddenRuns: ['a'] });
});
