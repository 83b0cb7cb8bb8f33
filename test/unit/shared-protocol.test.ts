import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDashboardState, parseWebviewMessage } from '../../src/shared/protocol';

test('valid webview messages are accepted as they are', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'resync' }), { type: 'resync' });
  assert.deepEqual(parseWebviewMessage({ type: 'rendered', version: 3, runs: 2, points: 400, view: 'scaling', planned: true, focus: 'sweep/a' }), {
    type: 'rendered',
    version: 3,
    runs: 2,
    points: 400,
    view: 'scaling',
    planned: true,
    focus: 'sweep/a',
  });
  const counted = { type: 'rendered', version: 3, runs: 27, points: 40, view: 'scaling', planned: false, focus: '', ladder: 0, notInFit: 12 };
  assert.deepEqual(parseWebviewMessage(counted), counted);
  assert.deepEqual(parseWebviewMessage({ type: 'revealLog', runId: 'sweep/a' }), { type: 'revealLog', runId: 'sweep/a' });
  assert.deepEqual(parseWebviewMessage({ type: 'selectRun', runId: 'sweep/a' }), { type: 'selectRun', runId: 'sweep/a' });
  const state = { ...parseDashboardState(undefined), view: 'scaling', hiddenRuns: ['sweep/a'] };
  assert.deepEqual(parseWebviewMessage({ type: 'exportCsv', state }), { type: 'exportCsv', state });
  assert.deepEqual(parseWebviewMessage({ type: 'state', state }), { type: 'state', state });
  assert.deepEqual(parseWebviewMessage({ type: 'exportPng', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' }), {
    type: 'exportPng',
    dataUrl: 'data:image/png;base64,iVBORw0KGgo=',
  });
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
    { type: 'rendered', version: -1, runs: 0, points: 0, view: 'curves', planned: false, focus: '' },
    { type: 'rendered', version: 1, runs: 0, points: 0, view: 'curves', planned: false },
    { type: 'rendered', version: 1, runs: 0, points: 0, view: 'curves', planned: false, focus: 3 },
    { type: 'rendered', version: 1.5, runs: 0, points: 0, view: 'curves', planned: false },
    { type: 'rendered', version: '1', runs: 0, points: 0, view: 'curves', planned: false },
    { type: 'rendered', version: 1, runs: 0, points: 0, planned: false },
    { type: 'rendered', version: 1, runs: 0, points: 0, view: 'toString', planned: false },
    { type: 'rendered', version: 1, runs: 0, points: 0, view: 'curves', planned: 'yes' },
    { type: 'rendered', version: 1, runs: 0, points: 0, view: 'scaling', planned: false, focus: '', notInFit: -1 },
    { type: 'rendered', version: 1, runs: 0, points: 0, view: 'scaling', planned: false, focus: '', notInFit: '12' },
    { type: 'resync', version: 1 },
    { type: 'revealLog', runId: 7 },
    { type: 'revealLog', runId: 'x'.repeat(5000) },
    { type: 'selectRun', runId: '' },
    { type: 'selectRun', runId: ['sweep/a'] },
    { type: 'selectRun', runId: 'sweep/a', pin: true },
    { type: 'exportPng', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' },
    { type: 'exportPng', dataUrl: 'data:image/png;base64,<script>' },
    { type: 'exportPng', dataUrl: `data:image/png;base64,${'A'.repeat(21 * 1024 * 1024)}` },
    { type: 'exportCsv', path: '/etc/passwd' },
    { type: 'exportCsv' },
    // The state must be exactly a valid one: nothing missing, extra or out of range.
    { type: 'exportCsv', state: { ...parseDashboardState(undefined), view: 'nope' } },
    { type: 'exportCsv', state: { ...parseDashboardState(undefined), extra: 1 } },
    { type: 'exportCsv', state: { ...parseDashboardState(undefined), smoothing: 5 } },
    { type: 'exportCsv', state: { ...parseDashboardState(undefined), hiddenRuns: ['a', 3] } },
    { type: 'exportCsv', state: { ...parseDashboardState(undefined), sort: { column: 'name', descending: false, x: 1 } } },
    { type: 'exportCsv', state: 'curves' },
    { type: 'state', state: { ...parseDashboardState(undefined), xAxis: 'sundial' } },
    { type: 'state', state: { ...parseDashboardState(undefined), extra: 1 } },
    JSON.parse('{"type":"ready","__proto__":{"polluted":true}}'),
  ];
  for (const message of bad) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('property: parsing never throws, and what it accepts parses to itself', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            type: fc.constantFrom('ready', 'resync', 'rendered', 'revealLog', 'selectRun'),
            version: fc.anything(),
            runs: fc.anything(),
            points: fc.anything(),
            view: fc.oneof(fc.constantFrom('curves', 'scaling', 'validation'), fc.anything()),
            planned: fc.oneof(fc.boolean(), fc.anything()),
            runId: fc.anything(),
          },
          { requiredKeys: ['type'] },
        ),
      ),
      (raw) => {
        const parsed = parseWebviewMessage(raw);
        if (parsed) assert.deepEqual(parseWebviewMessage(parsed), parsed);
      },
    ),
    { numRuns: 2000, seed: 7 },
  );
});

test('persisted dashboard state is sanitised, with defaults for anything unknown', () => {
  const defaults = parseDashboardState(undefined);
  assert.deepEqual(defaults, {
    xScale: 'logarithmic',
    yScale: 'logarithmic',
    xAxis: 'step',
    view: 'curves',
    scalingX: 'flops',
    showLr: false,
    groupSeeds: false,
    colourBy: 'run',
    family: '',
    runFilter: '',
    ignoreOutliers: true,
    smoothing: 0.6,
    sort: { column: 'name', descending: false },
    hiddenRuns: [],
  });
  // The run list's search text is kept short; "ignore outliers" is on unless turned off.
  assert.deepEqual(parseDashboardState({ runFilter: 'x'.repeat(201), ignoreOutliers: 'no' }), defaults);
  assert.deepEqual(parseDashboardState({ runFilter: 'lr-sweep', ignoreOutliers: false }), { ...defaults, runFilter: 'lr-sweep', ignoreOutliers: false });
  assert.deepEqual(
    parseDashboardState({
      xScale: 'linear',
      yScale: 'bogus',
      xAxis: 'hours',
      view: 'nope',
      showLr: 'yes',
      colourBy: 'constructor',
      family: 7,
      smoothing: 7,
      sort: { column: '__proto__', descending: 'yes' },
      hiddenRuns: ['a', 3, null],
    }),
    {
      ...defaults,
      xScale: 'linear',
      hiddenRuns: ['a'],
    },
  );
  assert.deepEqual(parseDashboardState({ xAxis: 'tokens', smoothing: 0, sort: { column: 'lastLoss', descending: true } }), {
    ...defaults,
    xAxis: 'tokens',
    smoothing: 0,
    sort: { column: 'lastLoss', descending: true },
  });
  const chosen = {
    xAxis: 'wall',
    view: 'validation',
    scalingX: 'params',
    showLr: true,
    groupSeeds: true,
    colourBy: 'peakLr',
    family: 'sweep',
    sort: { column: 'eta', descending: false },
  } as const;
  assert.deepEqual(parseDashboardState(chosen), { ...defaults, ...chosen });
});
