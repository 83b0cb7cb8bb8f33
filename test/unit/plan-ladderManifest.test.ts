// The written ladder's record (core/plan/ladderManifest.ts, `PLAN.json`) and what it is for: after a
// restart, re-planning from it matches the logs under each run's folder (or named by its id) to the
// planned run, even when the logged N and D differ from the planned ones. A broken record is a
// diagnostic with file and line; nothing else is lost.
import { test } from 'node:test';
import { formatDiagnostic } from '../../src/core/diagnostics';
import assert from 'node:assert/strict';
import { ladderManifestText, parseLadderManifest, withLadderRecord, type LadderManifest } from '../../src/core/plan/ladderManifest';
import { planLadderRequest, type LadderWorkspaceRun, type PlanLadderRequest } from '../../src/core/plan/ladderRequest';
import { ladderWrite } from '../../src/core/plan/ladderConfigs';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { referenceParams } from '../../src/core/fit/crossRunLaw';
import type { FamilyLaw } from '../../src/core/snapshot';

function ok<T>(r: T | { error: string }): T {
  if (r && typeof r === 'object' && 'error' in r) assert.fail((r as { error: string }).error);
  return r as T;
}

const theta = referenceParams(chinchillaLaw);
const loss = (n: number, d: number) => chinchillaLaw.evaluate(theta, [n, d]);
const sizes: [number, number][] = [
  [2e7, 4e8],
  [5e7, 1e9],
  [1e8, 2e9],
  [2e8, 4e9],
  [5e7, 4e9],
  [1e8, 5e8],
];
const points = sizes.map(([n, d], i) => ({ runId: `sweep/r${i}`, params: n, tokens: d, loss: loss(n, d) }));
const family: FamilyLaw = { family: 'web', guessed: false, runIds: points.map((p) => p.runId), points };
/** As the worker plans: the request with the newest record for its target, then the plan. */
function planWithRecords(request: PlanLadderRequest, families: FamilyLaw[], runs: LadderWorkspaceRun[]) {
  const { request: withRecord, problems } = withLadderRecord(request);
  return planLadderRequest(withRecord, families, runs, undefined, undefined, problems);
}

const TARGET: PlanLadderRequest['target'] = { kind: 'model', params: 7e9, tokens: 1.4e11, label: 'configs/big/config.json' };

test('PLAN.json round trip: the record as written reads back whole, one run per line', () => {
  const m: LadderManifest = {
    target: { kind: 'model', label: 'configs/big/config.json' },
    family: 'web',
    writtenAt: '2026-12-06T23:00:00.000Z',
    runs: [
      { id: 'ladder-01-1.2e17', folder: 'ladder-01-1.2e17', order: 1, status: 'planned', params: 5e7, tokens: 4e8 },
      { id: 'ladder-02-4.8e17', folder: '../old/ladder-02-4.8e17', order: 2, status: 'done', params: 1e8, tokens: 8e8 },
    ],
  };
  const text = ladderManifestText(m);
  assert.equal(text.split('\n').filter((l) => l.includes('"id"')).length, 2);
  const back = parseLadderManifest(text, 'configs/ladder/PLAN.json');
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.manifest, m);
});

test('a broken PLAN.json: syntax errors and bad entries are diagnostics with file and line; the good runs are kept', () => {
  const syntax = parseLadderManifest('{\n  "scalingLensLadder": 1,\n  "family": "web"\n  "runs": []\n}\n', 'a/PLAN.json');
  assert.equal(syntax.manifest, undefined);
  assert.equal(syntax.problems[0].file, 'a/PLAN.json');
  assert.equal(syntax.problems[0].line, 4);
  assert.match(syntax.problems[0].message, /invalid JSON/);

  const text = [
    '{',
    '  "scalingLensLadder": 1,',
    '  "target": {"kind": "model", "label": "configs/big/config.json"},',
    '  "family": "web",',
    '  "runs": [',
    '    {"id": "ladder-01", "folder": "ladder-01", "params": 5e7, "tokens": 4e8},',
    '    {"id": "ladder-02", "folder": "ladder-02", "params": "lots", "tokens": 4e8},',
    '    {"id": "../../etc", "params": 5e7, "tokens": 4e8},',
    '    {"id": "ladder-04", "folder": "/etc/passwd", "params": 5e7, "tokens": 4e8},',
    '    {"id": "ladder-01", "params": 5e7, "tokens": 4e8},',
    '    {"id": "ladder-05", "folder": "", "params": 5e7, "tokens": 4e8},',
    '    {"id": "ladder-06", "folder": ".", "params": 5e7, "tokens": 4e8},',
    '    7',
    '  ]',
    '}',
  ].join('\n');
  const r = parseLadderManifest(text, 'b/PLAN.json');
  assert.deepEqual(
    r.manifest?.runs.map((x) => x.id),
    ['ladder-01'],
  );
  assert.deepEqual(
    r.problems.map((p) => p.line),
    [7, 8, 9, 10, 11, 12, 13],
  );
  assert.match(r.problems[0].message, /"params" must be a number .*this run is left out/);
  assert.match(r.problems[3].message, /listed twice/);
  assert.match(r.problems[4].message, /"folder" must be a relative path to a run's folder/);
  assert.match(r.problems[5].message, /"folder" must be a relative path to a run's folder/);

  // Someone else's PLAN.json (no record key in it) is not ours to complain about.
  for (const other of ['[]', '{"family": "x"}', '{"steps": [1, 2,', '# plan'])
    assert.deepEqual(parseLadderManifest(other, 'c/PLAN.json'), { problems: [] }, other);
  for (const [bad, why] of [
    ['["scalingLensLadder"]', /expected a JSON object/],
    ['{"family": "x", "note": "scalingLensLadder"}', /no "scalingLensLadder" key/],
    ['{"scalingLensLadder": 2, "target": {"kind": "budget", "budget": "1e21"}, "family": "x", "runs": []}', /version this extension does not read/],
    ['{"scalingLensLadder": 1, "target": "big", "family": "x", "runs": []}', /"target" must be/],
  ] as const) {
    const p = parseLadderManifest(bad, 'c/PLAN.json');
    assert.equal(p.manifest, undefined, bad);
    assert.match(p.problems[0].message, why);
    assert.equal(p.problems[0].line, 1);
  }
});

test('after a restart: the newest PLAN.json for the target is the earlier plan; runs under its folders are matched even at another N, D; a bad record is said and nothing else lost', () => {
  // The first session: a plan, written into configs/ladder (its record as Write Configs makes it). The
  // family has no runs yet, so the plan is the recipe's several runs (with runs, the distance floor
  // usually leaves one run worth training).
  const first = ok(planLadderRequest({ target: TARGET, family: 'web' }, [], []));
  const planned = first.plan.runs.filter((r) => r.status === 'planned');
  assert.ok(planned.length >= 2, `${planned.length} planned runs`);
  const written = ladderWrite({
    target: { genericFile: '/w/configs/ladder/ladder.yaml' },
    plan: first.plan,
    family: 'web',
    markdown: '# plan',
    workspaceFile: { existing: undefined, glob: 'configs/ladder/**' },
    record: { target: { kind: 'model', label: 'configs/big/config.json' }, writtenAt: '2026-12-06T23:00:00.000Z' },
  });
  const record = written.files.find((f) => f.relPath === 'PLAN.json')!;
  assert.ok(record, 'PLAN.json is written beside PLAN.md');
  const parsed = parseLadderManifest(record.text, 'configs/ladder/PLAN.json');
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(
    parsed.manifest!.runs.map((r) => r.folder),
    planned.map((r) => r.id),
  );
  // Written N, D are the configs' own counts (read back), not the planned ones; the shape is the one written.
  assert.deepEqual(
    parsed.manifest!.runs.map((r) => [r.params, r.tokens, r.nLayer, r.dModel]),
    written.runs.map((r) => [r.params, r.tokens, r.nLayer, r.dModel]),
  );
  assert.ok(parsed.manifest!.runs.every((r, i) => r.nLayer === planned[i].shape.nLayer && r.dModel === planned[i].shape.dModel));
  // A record without the shape (written before it was kept) is read by N alone; a bad shape is said, the run kept.
  const shapeless = parseLadderManifest(record.text.replace(/,"nLayer":\d+,"dModel":\d+/g, ''), 'PLAN.json');
  assert.deepEqual(shapeless.problems, []);
  assert.ok(shapeless.manifest!.runs.every((r) => r.nLayer === undefined && r.dModel === undefined && r.params > 0));
  const badShape = parseLadderManifest(record.text.replace(/"dModel":\d+/, '"dModel":"wide"'), 'PLAN.json');
  assert.equal(badShape.problems.length, 1);
  assert.match(formatDiagnostic(badShape.problems[0]), /^PLAN\.json:7: .*"dModel".*this run's shape is left out \(it is known by its N\)/);
  assert.equal(badShape.manifest!.runs.length, planned.length);
  assert.equal(badShape.manifest!.runs[0].nLayer, undefined);

  // The next session: the first run finished under its folder with a logged size 40% off the plan (no N, D match
  // would find it), the second trains under its folder with no N, D known yet.
  const [one, two] = planned;
  const finished = {
    runId: `configs/ladder/${one.id}/run-1`,
    params: one.params * 1.4,
    tokens: one.tokens * 0.7,
    loss: loss(one.params * 1.4, one.tokens * 0.7),
  };
  const family2: FamilyLaw = { ...family, runIds: [...family.runIds, finished.runId], points: [...points, finished] };
  const runs: LadderWorkspaceRun[] = [
    { id: finished.runId, name: 'run-1', family: 'web', status: 'finished', params: finished.params, tokens: finished.tokens },
    { id: `configs/ladder/${two.id}`, name: two.id, status: 'live' },
  ];
  const older = ladderManifestText({ ...parsed.manifest!, writtenAt: '2026-12-01T00:00:00.000Z', runs: [] });
  const other = ladderManifestText({ ...parsed.manifest!, target: { kind: 'model', label: 'configs/other.json' }, writtenAt: '2027-01-01T00:00:00.000Z' });
  const broken =
    '{\n  "scalingLensLadder": 1,\n  "target": {"kind": "model", "label": "configs/big/config.json"},\n  "family": "web",\n  "runs": [\n    {"id": "x", "params": -1, "tokens": 1}\n  ]\n}\n';
  const manifests = [
    { file: 'old/PLAN.json', dir: 'old', text: older },
    { file: 'configs/ladder/PLAN.json', dir: 'configs/ladder', text: record.text },
    { file: 'configs/other/PLAN.json', dir: 'configs/other', text: other },
    { file: 'configs/bad/PLAN.json', dir: 'configs/bad', text: broken },
  ];
  // No family named: the record names it.
  const again = ok(planWithRecords({ target: TARGET, manifests }, [family2], runs));
  assert.equal(again.plan.family, 'web');
  const doneRun = again.plan.runs.find((r) => r.id === one.id)!;
  assert.equal(doneRun.status, 'done');
  assert.equal(doneRun.matchedRunId, finished.runId);
  const liveRun = again.plan.runs.find((r) => r.id === two.id)!;
  assert.equal(liveRun.status, 'running');
  assert.equal(liveRun.matchedRunId, `configs/ladder/${two.id}`);
  assert.deepEqual(
    again.links.map((l) => l.folder),
    planned.map((r) => `configs/ladder/${r.id}`),
  );
  assert.deepEqual(again.problems, ['configs/bad/PLAN.json:6: "params" must be greater than 0 (found -1): this run is left out']);
  assert.ok(again.plan.notes.some((n) => n.includes('configs/bad/PLAN.json:6')));
  assert.equal(again.overlay.runs.find((r) => r.id === one.id)?.status, 'done');

  // Without the records (a fresh session that never wrote), the 40%-off run is not the planned one.
  const cold = ok(planLadderRequest({ target: TARGET, family: 'web' }, [family2], runs));
  assert.ok(!cold.plan.runs.some((r) => r.id === one.id && r.status === 'done'));
  // A log elsewhere carrying the run's id as its name is matched too.
  const named = ok(
    planWithRecords(
      { target: TARGET, manifests: manifests.slice(1, 2) },
      [{ ...family2, runIds: [...family.runIds, 'wandb/offline-1'], points: [...points, { ...finished, runId: 'wandb/offline-1' }] }],
      [{ id: 'wandb/offline-1', name: one.id, family: 'web', status: 'finished', params: finished.params, tokens: finished.tokens }],
    ),
  );
  assert.equal(named.plan.runs.find((r) => r.id === one.id)?.matchedRunId, 'wandb/offline-1');
});

test('written again after re-planning: PLAN.json keeps the done runs with their earlier folders', () => {
  const first = ok(planLadderRequest({ target: TARGET, family: 'web' }, [family], []));
  const one = first.plan.runs.find((r) => r.status === 'planned')!;
  const finished = { runId: `configs/ladder/${one.id}`, params: one.params, tokens: one.tokens, loss: loss(one.params, one.tokens) };
  const again = ok(
    planLadderRequest(
      {
        target: TARGET,
        family: 'web',
        previous: first.plan.runs.map((r) => ({ id: r.id, params: r.params, tokens: r.tokens, folder: `configs/ladder/${r.id}` })),
      },
      [{ ...family, runIds: [...family.runIds, finished.runId], points: [...points, finished] }],
      [],
    ),
  );
  assert.equal(again.plan.runs.find((r) => r.id === one.id)?.status, 'done');
  const out = ladderWrite({
    target: { genericFile: '/w/configs/ladder2/ladder.yaml' },
    plan: again.plan,
    family: 'web',
    markdown: '# plan',
    workspaceFile: { existing: undefined, glob: 'configs/ladder2/**' },
    record: {
      target: { kind: 'model', label: 'configs/big/config.json' },
      writtenAt: '2026-12-07T00:00:00.000Z',
      earlier: [{ id: one.id, folder: `../ladder/${one.id}`, params: one.params, tokens: one.tokens }],
    },
  });
  const m = parseLadderManifest(out.files.find((f) => f.relPath === 'PLAN.json')!.text, 'configs/ladder2/PLAN.json').manifest!;
  const kept = m.runs.find((r) => r.id === one.id)!;
  assert.equal(kept.status, 'done');
  assert.equal(kept.folder, `../ladder/${one.id}`);
  assert.ok(m.runs.filter((r) => r.status === 'planned').every((r) => r.folder === r.id));
});
