// What each dashboard chart shows and what "Export CSV" writes for it (the same series), including
// restarts drawn as gaps on the wall-time axis.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  curveSeries,
  curvesCsv,
  dashboardCsv,
  scalingCsv,
  scalingSeries,
  shownLadder,
  toPoints,
  validationCsv,
  validationGroups,
} from '../../src/shared/chartSeries';
import {
  parseDashboardState,
  type DashboardState,
  type LadderOverlay,
  type PlannedPoint,
  type RunView,
  type Snapshot,
  type ValidationPoint,
} from '../../src/shared/protocol';
import { debiasedEma } from '../../src/shared/smoothing';
import { wallClockView } from '../../src/core/dashboardData';

function run(id: string, over: Partial<RunView> = {}, display: Partial<RunView['display']> = {}): RunView {
  return {
    id,
    name: id.split('/').pop()!,
    dir: `/ws/${id}`,
    format: 'jsonl',
    status: 'finished',
    files: [`/ws/${id}/metrics.jsonl`],
    hyper: { notes: [], tokensPerStep: 1000 },
    points: 4,
    family: 'f',
    display: {
      steps: [0, 10, 20, 30],
      loss: [9, 4, 3.5, 3.2],
      evalSteps: [20],
      evalLoss: [3.6],
      fitSteps: [10, 30, 60],
      fit: [4.1, 3.3, 3.0],
      fitLower: [4.0, 3.2, 2.8],
      fitUpper: [4.2, 3.4, 3.2],
      lrSteps: [10, 20],
      lr: [1e-3, 5e-4],
      ...display,
    },
    diagnostics: [],
    ...over,
  };
}

function snapshot(runs: RunView[], extra: Partial<Snapshot> = {}): Snapshot {
  return { version: 1, runs, families: [], diagnostics: [], buildMs: 1, fitting: 0, seedGroups: [], scaling: [], validations: [], ...extra };
}

const base: DashboardState = { ...parseDashboardState(undefined), smoothing: 0 };
const rows = (csv: string) =>
  csv
    .trimEnd()
    .split('\n')
    .map((line) => line.split(','));

test('curves CSV: every series the chart draws, on the chosen x axis, for the shown runs only', () => {
  const s = snapshot([run('sweep/a'), run('sweep/b'), run('other/c', { family: 'g' })]);
  const state: DashboardState = { ...base, xAxis: 'tokens', xScale: 'linear', hiddenRuns: ['sweep/b'], family: 'f' };
  const table = rows(curvesCsv(s, state));
  assert.deepEqual(table[0], ['run', 'series', 'step', 'x_tokens', 'value']);
  const body = table.slice(1);
  assert.deepEqual([...new Set(body.map((r) => r[0]))], ['sweep/a'], 'hidden and filtered-out runs are not exported');
  assert.deepEqual([...new Set(body.map((r) => r[1]))], ['train', 'eval', 'fit_lower_80', 'fit_upper_80', 'fit']);
  assert.deepEqual(
    body.filter((r) => r[1] === 'train').map((r) => [Number(r[2]), Number(r[3]), Number(r[4])]),
    [
      [0, 0, 9],
      [10, 10_000, 4],
      [20, 20_000, 3.5],
      [30, 30_000, 3.2],
    ],
  );
  assert.deepEqual(
    body.filter((r) => r[1] === 'fit').map((r) => Number(r[4])),
    [4.1, 3.3, 3.0],
    'the fit extrapolated past the last logged step',
  );
  // A log x axis cannot show step 0: the chart leaves it out, and so does the file.
  const logX = rows(curvesCsv(s, { ...state, xScale: 'logarithmic' })).slice(1);
  assert.ok(!logX.some((r) => r[2] === '0'));
  // The learning rate only when the chart shows it.
  assert.ok(rows(curvesCsv(s, { ...state, showLr: true })).some((r) => r[1] === 'lr'));
});

test('curves CSV: smoothed train loss as drawn, raw behind it; seed groups as mean and min–max', () => {
  const s = snapshot([run('sweep/a')]);
  const smoothed = rows(curvesCsv(s, { ...base, xScale: 'linear', smoothing: 0.6 })).slice(1);
  assert.deepEqual(
    smoothed.filter((r) => r[1] === 'train_raw').map((r) => Number(r[4])),
    [9, 4, 3.5, 3.2],
  );
  assert.deepEqual(
    smoothed.filter((r) => r[1] === 'train_smoothed_0.6').map((r) => Number(r[4])),
    debiasedEma([9, 4, 3.5, 3.2], 0.6),
  );
  const group = {
    id: 'seeds:sweep/a-s1',
    name: 'a (2 seeds)',
    runIds: ['sweep/a-s1', 'sweep/a-s2'],
    steps: [10, 20],
    mean: [4, 3.5],
    lower: [3.9, 3.4],
    upper: [4.1, 3.6],
  };
  const seeds = snapshot([run('sweep/a-s1'), run('sweep/a-s2')], { seedGroups: [group] });
  const grouped = rows(curvesCsv(seeds, { ...base, xScale: 'linear', groupSeeds: true })).slice(1);
  assert.ok(!grouped.some((r) => r[1] === 'train'), 'members are drawn as their group');
  assert.deepEqual(
    grouped.filter((r) => r[1] === 'seed_mean').map((r) => [r[0], Number(r[4])]),
    [
      [group.id, 4],
      [group.id, 3.5],
    ],
  );
  assert.deepEqual(
    grouped.filter((r) => r[1] === 'seed_max').map((r) => Number(r[4])),
    [4.1, 3.6],
  );
});

test('wall time: hours since the first point, a restart breaks the line (and the break is not exported)', () => {
  // 1 step per 36 s for steps 0..100, then the job was down for 2 hours and resumed.
  const samples = [
    ...Array.from({ length: 11 }, (_, i) => ({ step: i * 10, seconds: 1000 + i * 360 })),
    ...Array.from({ length: 10 }, (_, i) => ({ step: 110 + i * 10, seconds: 1000 + 3600 + 7200 + (i + 1) * 360 })),
  ];
  const wall = wallClockView(samples, 5)!;
  assert.deepEqual(wall.restartSteps, [110]);
  const at = (step: number) => wall.hours[wall.steps.indexOf(step)];
  assert.equal(at(0), 0);
  assert.equal(at(100), 1, 'kept exactly on both sides of the restart, however thinned');
  assert.equal(at(110), 3.1);
  const r = run(
    'sweep/resumed',
    {},
    { steps: [50, 100, 110, 150], loss: [4, 3.5, 3.4, 3.3], evalSteps: [], evalLoss: [], fitSteps: [], fit: [], fitLower: [], fitUpper: [], wall },
  );
  const state: DashboardState = { ...base, xAxis: 'wall', xScale: 'linear' };
  const train = curveSeries(snapshot([r]), state).series.find((x) => x.kind === 'train')!;
  assert.deepEqual(
    train.points.map((p) => Number.isNaN(p.y)),
    [false, false, true, false, false],
    'one break, between steps 100 and 110',
  );
  assert.ok(train.points[2].x > train.points[1].x && train.points[2].x < train.points[3].x, 'the break keeps x ascending');
  // A fit sampled between the launches' logged steps (100 < step < 110) has no wall time: left out, the line still breaks.
  const fitted = run(
    'sweep/resumed',
    {},
    { ...r.display, fitSteps: [100, 105, 120], fit: [3.5, 3.45, 3.3], fitLower: [3.4, 3.4, 3.2], fitUpper: [3.6, 3.5, 3.4] },
  );
  const fit = curveSeries(snapshot([fitted]), state).series.find((x) => x.kind === 'fit')!;
  assert.deepEqual(
    fit.points.map((p) => p.step ?? 'break'),
    [100, 'break', 120],
  );
  const exported = rows(curvesCsv(snapshot([r]), state)).slice(1);
  assert.deepEqual(
    exported.map((x) => [Number(x[2]), Number(x[3])]),
    [
      [50, 0.5],
      [100, 1],
      [110, 3.1],
      [150, 3.5],
    ],
  );
  // Other axes draw no break.
  assert.ok(toPoints([100, 110], [1, 1], (s) => s, { xLog: false, yLog: false }).every((p) => Number.isFinite(p.y)));
  // A run without a clock cannot be placed on the wall axis: counted, not drawn.
  assert.equal(curveSeries(snapshot([run('sweep/a')]), state).skipped, 1);
  // Nor, without a date, on the wall-clock axis: named, so the chart can say which runs are missing.
  const clock: DashboardState = { ...state, xAxis: 'clock' };
  const missing = curveSeries(snapshot([r, run('sweep/a')]), clock);
  assert.deepEqual(
    missing.skippedRuns.map((x) => x.id),
    ['sweep/resumed', 'sweep/a'],
  );
  const dated = run('sweep/resumed', {}, { ...r.display, wall: { ...wall, startUnixSeconds: 1.75e9 } });
  const onClock = curveSeries(snapshot([dated]), clock);
  assert.equal(onClock.skipped, 0);
  const clockTrain = onClock.series.find((x) => x.kind === 'train')!;
  assert.deepEqual(
    clockTrain.points.filter((p) => Number.isFinite(p.y)).map((p) => p.x),
    [1.75e9 + 1800, 1.75e9 + 3600, 1.75e9 + 3.1 * 3600, 1.75e9 + 3.5 * 3600],
  );
  assert.equal(clockTrain.points.filter((p) => Number.isNaN(p.y)).length, 1, 'the restart breaks the line on the clock axis too');
  assert.equal(rows(curvesCsv(snapshot([dated]), clock))[0].join(','), 'run,series,step,x_unix_seconds,value');
});

test('scaling CSV: finished, held-out and live runs, the law with its band, the planned config and the frontier', () => {
  const s = snapshot([run('sweep/a')], {
    scaling: [
      {
        family: 'f',
        points: [
          { runId: 'sweep/a', name: 'a', params: 1e7, tokens: 2e8, flops: 1.2e16, loss: 3.5, kind: 'final', heldOut: false },
          { runId: 'sweep/b', name: 'b', params: 4e7, tokens: 8e8, flops: 1.92e17, loss: 3.1, kind: 'final', heldOut: true },
          { runId: 'sweep/c', name: 'c', params: 8e7, tokens: 1.6e9, flops: 7.68e17, loss: 2.9, interval: [2.8, 3.0], kind: 'predicted', heldOut: false },
        ],
        lawLine: {
          tokensPerParam: 20,
          params: [1e7, 1e8],
          tokens: [2e8, 2e9],
          flops: [1.2e16, 1.2e18],
          loss: [3.5, 2.8],
          lower: [3.4, 2.7],
          upper: [3.6, 2.9],
        },
        frontier: { params: [1e7, 1e8], tokens: [2e8, 2e9], flops: [1.2e16, 1.2e18], loss: [3.49, 2.79] },
      },
      { family: 'g', points: [{ runId: 'other/x', name: 'x', params: 1e6, tokens: 1e7, flops: 6e13, loss: 5, kind: 'final', heldOut: false }] },
    ],
  });
  const planned: PlannedPoint = { file: 'configs/big.json', family: 'f', params: 4e8, tokens: 8e9, flops: 1.92e19, loss: 2.5, interval: [2.4, 2.6] };
  const table = rows(scalingCsv(s, { ...base, family: 'f' }, planned));
  assert.deepEqual(table[0], ['family', 'series', 'run', 'params', 'tokens', 'flops', 'loss', 'lower_80', 'upper_80', 'status', 'gpu_hours', 'usd']);
  const by = (series: string) => table.slice(1).filter((r) => r[1] === series);
  assert.deepEqual(
    by('final').map((r) => r[2]),
    ['sweep/a'],
  );
  assert.deepEqual(
    by('held_out').map((r) => r[2]),
    ['sweep/b'],
  );
  assert.deepEqual(
    by('predicted').map((r) => [r[2], r[6], r[7], r[8]]),
    [['sweep/c', '2.9', '2.8', '3']],
  );
  assert.deepEqual(
    by('law (D/N = 20)').map((r) => Number(r[6])),
    [3.5, 2.8],
  );
  assert.deepEqual(
    by('law_lower_80 (D/N = 20)').map((r) => Number(r[6])),
    [3.4, 2.7],
  );
  assert.deepEqual(
    by('planned').map((r) => [r[2], r[6], r[7], r[8]]),
    [['configs/big.json', '2.5', '2.4', '2.6']],
  );
  assert.equal(by('frontier').length, 2);
  assert.ok(!table.some((r) => r[0] === 'g'), 'the other family is filtered out');
  // A planned config of another family is not on this chart, so not in the file.
  assert.equal(rows(scalingCsv(s, base, { ...planned, family: 'g' })).filter((r) => r[1] === 'planned').length, 1);
  assert.equal(rows(scalingCsv(s, { ...base, family: 'f' }, { ...planned, family: 'g' })).filter((r) => r[1] === 'planned').length, 0);
});

test("scaling CSV: the ladder shown has its runs (N, D, cost, status) and the target now and after; the family filter hides another family's", () => {
  const s = snapshot([run('sweep/a')], {
    scaling: [{ family: 'f', points: [{ runId: 'sweep/a', name: 'a', params: 1e7, tokens: 2e8, flops: 1.2e16, loss: 3.5, kind: 'final', heldOut: false }] }],
  });
  const ladder: LadderOverlay = {
    family: 'f',
    target: {
      label: 'configs/big.json',
      params: 4e8,
      tokens: 8e9,
      flops: 1.92e19,
      loss: 2.5,
      now: [2.3, 2.7],
      planned: [2.45, 2.55],
      gpuHours: 900,
      usd: 2700,
    },
    runs: [
      { id: 'ladder-01-1.2e17', order: 1, status: 'done', params: 5e7, tokens: 4e8, flops: 1.2e17, loss: 3.2, gpuHours: 6, usd: 18 },
      { id: 'ladder-02-4.8e17', order: 2, status: 'planned', params: 1e8, tokens: 8e8, flops: 4.8e17, loss: 3.0, gpuHours: 24, usd: 72 },
    ],
  };
  const table = rows(scalingCsv(s, { ...base, family: 'f' }, undefined, ladder));
  const by = (series: string) => table.slice(1).filter((r) => r[1] === series);
  assert.deepEqual(
    by('ladder_run').map((r) => [r[0], r[2], r[3], r[4], r[9], r[10], r[11]]),
    [
      ['f', 'ladder-01-1.2e17', '50000000', '400000000', 'done', '6', '18'],
      ['f', 'ladder-02-4.8e17', '100000000', '800000000', 'planned', '24', '72'],
    ],
  );
  assert.deepEqual(
    by('ladder_target_now').map((r) => [r[2], r[6], r[7], r[8], r[10], r[11]]),
    [['configs/big.json', '2.5', '2.3', '2.7', '900', '2700']],
  );
  assert.deepEqual(
    by('ladder_target_after').map((r) => [r[7], r[8]]),
    [['2.45', '2.55']],
  );
  // Rows of the chart's own series keep their columns, the ladder's three left empty.
  assert.deepEqual(by('final')[0].slice(9), ['', '', '']);
  // No interval now (an empty family): only the row after the ladder.
  assert.equal(
    rows(scalingCsv(s, base, undefined, { ...ladder, target: { ...ladder.target, now: undefined } })).filter((r) => r[1] === 'ladder_target_now').length,
    0,
  );
  // The filter on another family: neither drawn nor exported.
  assert.equal(shownLadder(ladder, { family: 'g' }), undefined);
  assert.equal(shownLadder({ ...ladder, family: undefined }, { family: 'f' }), undefined);
  assert.equal(shownLadder(ladder, { family: '' }), ladder);
  assert.ok(!rows(scalingCsv(s, { ...base, family: 'g' }, undefined, ladder)).some((r) => r[1].startsWith('ladder')));
  assert.equal(rows(dashboardCsv(s, { ...base, view: 'scaling' }, undefined, ladder).text).filter((r) => r[1] === 'ladder_run').length, 2);
});

test('validation CSV: one row per validation of the shown family; the view picks the file', () => {
  const s = snapshot([run('sweep/a'), run('other/c', { family: 'g' })], {
    validations: [
      { kind: 'curve-prefix', method: 'prefix-50', subject: 'a', runId: 'sweep/a', predicted: 3.3, actual: 3.2, errorPct: 3.125, atStep: 30 },
      { kind: 'curve-prefix', method: 'prefix-50', subject: 'c', runId: 'other/c', predicted: 4, actual: 4, errorPct: 0, atStep: 30 },
      { kind: 'family-held-out', method: 'leave-largest-out', subject: 'f', runId: 'sweep/a', predicted: 3.1, actual: 3.2, errorPct: -3.125 },
    ],
  });
  const table = rows(validationCsv(s, { ...base, family: 'f' }));
  assert.deepEqual(table[0], ['kind', 'method', 'subject', 'run', 'at_step', 'predicted', 'actual', 'error_pct']);
  assert.deepEqual(table.slice(1), [
    ['curve-prefix', 'prefix-50', 'a', 'sweep/a', '30', '3.3', '3.2', '3.125'],
    ['family-held-out', 'leave-largest-out', 'f', 'sweep/a', '', '3.1', '3.2', '-3.125'],
  ]);
  assert.equal(dashboardCsv(s, { ...base, view: 'validation' }).fileName, 'scaling-lens-validation.csv');
  assert.equal(dashboardCsv(s, { ...base, view: 'curves', xAxis: 'flops' }).fileName, 'scaling-lens-curves-flops.csv');
  assert.equal(dashboardCsv(s, { ...base, view: 'scaling' }).fileName, 'scaling-lens-scaling.csv');
});

test('validation chart: a prefix length or the family check with no point to plot has no series (no empty legend entry); colours do not shift', () => {
  const prefix = (method: string, runId: string): ValidationPoint => ({
    kind: 'curve-prefix',
    method,
    subject: runId,
    runId,
    predicted: 3,
    actual: 3.1,
    errorPct: 3.2,
    atStep: 9,
  });
  // As on the example sweep: no 20% check plotted (the run too short for it, or it failed and is listed only).
  const some = validationGroups([prefix('prefix-50', 'a'), prefix('prefix-30', 'a'), prefix('prefix-50', 'b')]);
  assert.deepEqual(
    some.prefixes.map((g) => [g.method, g.colourIndex, g.points.map((p) => p.runId)]),
    [
      ['prefix-30', 1, ['a']],
      ['prefix-50', 2, ['a', 'b']],
    ],
  );
  assert.deepEqual(some.family, { colourIndex: 3, points: [] });
  // Every length with points, an extra one in its place by percentage, and the family check.
  const family: ValidationPoint = {
    kind: 'family-held-out',
    method: 'leave-largest-out',
    subject: 'f',
    runId: 'b',
    predicted: 3.1,
    actual: 3.2,
    errorPct: -3.1,
  };
  const all = validationGroups([prefix('prefix-40', 'a'), prefix('prefix-20', 'b'), family, prefix('prefix-30', 'a'), prefix('prefix-50', 'a')]);
  assert.deepEqual(
    all.prefixes.map((g) => [g.method, g.colourIndex]),
    [
      ['prefix-20', 0],
      ['prefix-30', 1],
      ['prefix-40', 2],
      ['prefix-50', 3],
    ],
  );
  assert.deepEqual(all.family, { colourIndex: 4, points: [family] });
  assert.deepEqual(validationGroups([]), { prefixes: [], family: { colourIndex: 3, points: [] } });
});

test('CSV fields with commas or quotes are quoted', () => {
  const s = snapshot([run('a,"b"', { name: 'b' })]);
  const text = curvesCsv(s, { ...base, xScale: 'linear' });
  assert.ok(text.split('\n')[1].startsWith('"a,""b""",train,0,0,9'), text.split('\n')[1]);
});

test("the run list's search text narrows the runs drawn and exported, by name or path, any case", () => {
  const s = snapshot([run('proj/lightning_logs/version_0', { name: 'proj/version_0' }), run('sweep/llama-12m'), run('sweep/llama-187m')]);
  const state: DashboardState = { ...base, runFilter: 'LLAMA' };
  assert.deepEqual([...new Set(curveSeries(s, state).series.map((x) => x.id))], ['sweep/llama-12m', 'sweep/llama-187m']);
  assert.deepEqual([...new Set(curveSeries(s, { ...base, runFilter: 'lightning_logs' }).series.map((x) => x.id))], ['proj/lightning_logs/version_0']);
  assert.deepEqual(
    new Set(
      rows(curvesCsv(s, state))
        .slice(1)
        .map((r) => r[0]),
    ),
    new Set(['sweep/llama-12m', 'sweep/llama-187m']),
  );
});

test('curves: a live run forecast from its siblings gets that forecast at its planned end, with its interval (the dashed line is its own curve)', () => {
  const curve = (provenance: 'from siblings' | 'from this run alone') => ({
    lawId: 'multipower',
    targetStep: 60,
    predictedFinal: { value: 2.9, interval: [2.85, 2.95] as [number, number], lawId: 'multipower' },
    provenance,
    ...(provenance === 'from siblings'
      ? { siblings: ['sweep/done'], alone: { value: 3.0, interval: [2.8, 3.2] as [number, number], lawId: 'multipower' } }
      : {}),
    parameters: {},
    pointsUsed: 4,
    firstStep: 10,
    fittedAtStep: 30,
    timedOut: false,
  });
  const s = snapshot([
    run('sweep/live', { status: 'live', curve: curve('from siblings') }),
    run('sweep/alone', { status: 'live', curve: curve('from this run alone') }),
  ]);
  const { series } = curveSeries(s, { ...base, xAxis: 'tokens', xScale: 'linear' });
  const of = (id: string, kind: string) => series.find((x) => x.id === id && x.kind === kind);
  assert.deepEqual(
    of('sweep/live', 'forecast')?.points.map((p) => [p.x, p.y, p.step]),
    [[60_000, 2.9, 60]],
  );
  assert.match(of('sweep/live', 'forecast')?.points[0].text ?? '', /forecast from siblings 2\.900 \[2\.850, 2\.950\] at step 60/);
  assert.deepEqual(
    of('sweep/live', 'forecast_interval')?.points.map((p) => [p.x, p.y]),
    [
      [60_000, 2.85],
      [60_000, 2.95],
    ],
  );
  // The dashed fit stays the run's own curve; a run forecast alone has no second marker.
  assert.ok(of('sweep/live', 'fit'));
  assert.equal(of('sweep/alone', 'forecast'), undefined);
  const csvRows = rows(curvesCsv(s, { ...base, xScale: 'linear' })).slice(1);
  assert.deepEqual(
    csvRows.filter((r) => r[1].startsWith('forecast')).map((r) => [r[0], r[1], Number(r[4])]),
    [
      ['sweep/live', 'forecast_from_siblings', 2.9],
      ['sweep/live', 'forecast_from_siblings_80', 2.85],
      ['sweep/live', 'forecast_from_siblings_80', 2.95],
    ],
  );
});

test("scaling: a provisional family law (a first scan's) is drawn and exported without band, its lines marked provisional, the runs' points not", () => {
  const note =
    'Provisional: the family law fitted to the 5 runs of the family read so far, 9 file(s) of the workspace still to read; no interval until the law of every run lands (it replaces this).';
  const s = snapshot([run('sweep/a')], {
    scaling: [
      {
        family: 'f',
        provisional: note,
        points: [{ runId: 'sweep/a', name: 'a', params: 1e7, tokens: 2e8, flops: 1.2e16, loss: 3.5, kind: 'final', heldOut: false }],
        lawLine: { tokensPerParam: 20, params: [1e7, 1e8], tokens: [2e8, 2e9], flops: [1.2e16, 1.2e18], loss: [3.5, 2.8] },
        frontier: { params: [1e7, 1e8], tokens: [2e8, 2e9], flops: [1.2e16, 1.2e18], loss: [3.49, 2.79] },
      },
    ],
  });
  const series = scalingSeries(s, base);
  assert.deepEqual(
    series.map((x) => x.kind),
    ['final', 'law', 'frontier'],
    'no band',
  );
  assert.deepEqual(
    series.map((x) => x.provisional),
    [undefined, note, note],
  );
  const table = rows(scalingCsv(s, base));
  assert.deepEqual([...new Set(table.slice(1).map((r) => r[1]))], ['final', 'law (D/N = 20) (provisional)', 'frontier (provisional)']);
});
