// "Plan Experiments" worker side (core/plan/ladderRequest.ts): the family's runs into the planner,
// the overlay the scaling view draws, the markdown, and every planned run written as a config
// (core/configs/variants.ts) that reads back with its planned shape, tokens, LR and family.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ladderMarkdown, planLadderRequest, type LadderWorkspaceRun } from '../../src/core/plan/ladderRequest';
import { GENERIC_TEMPLATE, ladderFiles, variantSpecOf, workspaceFileWithFamily } from '../../src/core/plan/ladderConfigs';
import { parseWorkspaceFile } from '../../src/core/runs/workspaceFile';
import { writeVariant } from '../../src/core/configs/variants';
import { readConfig } from '../../src/core/configs/index';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { referenceParams } from '../../src/core/fit/crossRunLaw';
import type { FamilyLaw } from '../../src/core/snapshot';

function ok<T>(r: T | { error: string }): T {
  if (r && typeof r === 'object' && 'error' in r) assert.fail((r as { error: string }).error);
  return r as T;
}

test('empty workspace, budget target: the recipe, its overlay at the published law, markdown with one row per run', () => {
  const { plan, overlay } = ok(planLadderRequest({ target: { kind: 'budget', budget: '1e22' } }, [], []));
  assert.equal(plan.strategy, 'recipe');
  assert.equal(overlay.runs.length, plan.runs.length);
  assert.equal(overlay.target.now, undefined);
  const theta = referenceParams(chinchillaLaw);
  for (const r of overlay.runs) assert.ok(Math.abs(r.loss - chinchillaLaw.evaluate(theta, [r.params, r.tokens])) < 1e-12);
  // After the whole ladder: the last planned run's expected interval.
  assert.deepEqual(overlay.target.planned, plan.runs[plan.runs.length - 1].after.lossInterval);
  const md = ladderMarkdown(plan);
  assert.equal(md.split('\n').filter((l) => /^\| (\*\*)?\d+/.test(l)).length, plan.runs.length);
  assert.match(md, /^# Ladder for compute-optimal run at 1e22/m);
  assert.match(md, /\*\*Stop\*\*: after run \d+/);
  assert.equal(md.split('\n').filter((l) => /^\| \*\*\d+\u00a0stop\*\* \|/.test(l)).length, 1);
  assert.match(md, /IsoFLOP recipe/);
});

test("the plan's table: no header or short cell holds a space a line may break at (the preview wraps none at the e2e picture's width), LRs as decimals", () => {
  const { plan } = ok(planLadderRequest({ target: { kind: 'budget', budget: '1e22' } }, [], []));
  // Every status, as re-planning marks runs.
  const statuses = ['done', 'running', 'not-needed'] as const;
  statuses.forEach((status, i) => (plan.runs[i].status = status));
  const rows = ladderMarkdown(plan)
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
  assert.equal(rows.length, plan.runs.length + 1);
  const cells = rows.map((l) => l.slice(2, -2).split(' | '));
  assert.deepEqual(cells[0], ['#', 'status', 'N', 'D', 'D/N', 'shape', 'LR', 'batch', 'hours', 'cost', 'loss\u00a0±', 'N*\u00a0after']);
  // The last column, the N* range, may wrap in a narrow panel (at its dash, or "unidentified (×>1000)" at its space).
  for (const row of cells) for (const cell of row.slice(0, -1)) assert.ok(!cell.includes(' '), `"${cell}" may wrap`);
  assert.deepEqual(
    cells.slice(1, 4).map((c) => c[1]),
    ['✓\u00a0done', '▶\u00a0training', '✗\u00a0not\u00a0needed'],
  );
  plan.runs.forEach((r, i) => {
    assert.equal(cells[i + 1][5], `${r.shape.nLayer}\u00a0×\u00a0${r.shape.dModel}`);
    assert.match(cells[i + 1][6], /^0\.\d+$/);
    assert.ok(Math.abs(Number(cells[i + 1][6]) / r.lr.value - 1) < 0.05, `${cells[i + 1][6]} vs ${r.lr.value}`);
  });
});

test('the plan\'s table: an LR below 1e-6 is a plain decimal too (no "5e-7", where a squeezed table breaks at the hyphen)', () => {
  const { plan } = ok(planLadderRequest({ target: { kind: 'budget', budget: '1e22' } }, [], []));
  const lrs = [5e-7, 4.96e-7, 1.234e-9, 3e-6];
  lrs.forEach((v, i) => (plan.runs[i].lr = { ...plan.runs[i].lr, value: v }));
  const rows = ladderMarkdown(plan)
    .split('\n')
    .filter((l) => /^\| (\*\*)?\d+/.test(l))
    .map((l) => l.slice(2, -2).split(' | '));
  assert.deepEqual(
    rows.slice(0, lrs.length).map((c) => c[6]),
    ['0.00000050', '0.00000050', '0.0000000012', '0.000003'],
  );
});

test('a bad ladder budget is an error naming it', () => {
  const r = planLadderRequest({ target: { kind: 'model', params: 1e9, tokens: 2e10 }, ladderBudget: 'lots' }, [], []);
  assert.ok('error' in r && /^ladder budget: /.test(r.error));
});

test('a search out of time says so: no run, and the stop names the time budget, not the distance', () => {
  const theta = referenceParams(chinchillaLaw);
  const points = (
    [
      [2e7, 4e8],
      [5e7, 1e9],
      [1e8, 2e9],
      [2e8, 4e9],
    ] as [number, number][]
  ).map(([n, d], i) => ({ runId: `r${i}`, params: n, tokens: d, loss: chinchillaLaw.evaluate(theta, [n, d]) }));
  const family: FamilyLaw = { family: 'web', guessed: false, runIds: points.map((p) => p.runId), points };
  const late = ok(planLadderRequest({ target: { kind: 'model', params: 1e9, tokens: 2e10 }, family: 'web', ladderBudget: '1e20' }, [family], [], undefined, 1));
  assert.equal(late.plan.timedOut, true);
  assert.equal(late.plan.planned.runs, 0);
  assert.match(late.plan.stop.reason, /ran out of its time budget/);
  const inTime = ok(planLadderRequest({ target: { kind: 'model', params: 1e9, tokens: 2e10 }, family: 'web', ladderBudget: '1e20' }, [family], []));
  assert.equal(inTime.plan.timedOut, false);
  assert.ok(inTime.plan.planned.runs >= 1);
});

test('the budget a plan names for a run counts what the ladder already spent (its done runs)', () => {
  const theta = referenceParams(chinchillaLaw);
  const loss = (n: number, d: number) => chinchillaLaw.evaluate(theta, [n, d]);
  const points = (
    [
      [2e7, 4e8],
      [5e7, 1e9],
      [1e8, 2e9],
      [2e8, 4e9],
      [5e7, 4e9],
      [1e8, 5e8],
    ] as [number, number][]
  ).map(([n, d], i) => ({ runId: `r${i}`, params: n, tokens: d, loss: loss(n, d) }));
  const family: FamilyLaw = { family: 'web', guessed: false, runIds: points.map((p) => p.runId), points };
  const target = { kind: 'model' as const, params: 1e9, tokens: 2e10 };
  const first = ok(planLadderRequest({ target, family: 'web', ladderBudget: '3e19' }, [family], []));
  const one = first.plan.runs.find((r) => r.status === 'planned')!;
  const done = { runId: `ladder/${one.id}`, params: one.params, tokens: one.tokens, loss: loss(one.params, one.tokens) };
  const previous = first.plan.runs.map((r) => ({ id: r.id, params: r.params, tokens: r.tokens, folder: `ladder/${r.id}` }));
  const again = ok(
    planLadderRequest(
      { target, family: 'web', ladderBudget: '3e19', previous },
      [{ ...family, runIds: [...family.runIds, done.runId], points: [...points, done] }],
      [],
    ),
  );
  assert.equal(again.plan.runs.find((r) => r.id === one.id)?.status, 'done');
  assert.equal(again.plan.planned.runs, 0);
  const named = again.plan.distance?.cheapest;
  assert.ok(named, 'the plan names a run that would narrow the interval');
  assert.ok(
    Math.abs(named.ladderBudget.flops - (one.flops + named.flops)) <= 1e-9 * named.ladderBudget.flops,
    `${named.ladderBudget.flops} vs ${one.flops} + ${named.flops}`,
  );
  // And that budget does buy a run.
  const funded = ok(
    planLadderRequest(
      { target, family: 'web', ladderBudget: String(named.ladderBudget.flops * 1.02), previous },
      [{ ...family, runIds: [...family.runIds, done.runId], points: [...points, done] }],
      [],
    ),
  );
  assert.ok(funded.plan.planned.runs >= 1);
});

test('family with finished and live runs: greedy choice, "now" interval, live runs counted, re-planning keeps ids and marks', () => {
  const theta = referenceParams(chinchillaLaw);
  const sizes: [number, number][] = [
    [2e7, 4e8],
    [5e7, 1e9],
    [1e8, 2e9],
    [2e8, 4e9],
    [5e7, 4e9],
    [1e8, 5e8],
  ];
  const points = sizes.map(([n, d], i) => ({ runId: `r${i}`, params: n, tokens: d, loss: chinchillaLaw.evaluate(theta, [n, d]) }));
  const family: FamilyLaw = { family: 'web', guessed: false, runIds: [...points.map((p) => p.runId), 'live-1'], points };
  const live: LadderWorkspaceRun = { id: 'live-1', family: 'web', status: 'live', params: 3e8, tokens: 6e9 };
  const first = ok(planLadderRequest({ target: { kind: 'model', params: 7e9, tokens: 1.4e11 }, family: 'web' }, [family], [live]));
  assert.equal(first.plan.strategy, 'greedy');
  assert.ok(first.plan.now, 'the finished runs give a "now" interval');
  assert.deepEqual(first.overlay.target.now, first.plan.now!.lossInterval);
  assert.equal(first.plan.family, 'web');
  const planned = first.plan.runs.filter((r) => r.status === 'planned');
  assert.ok(planned.length >= 1);
  // The first planned run has now finished in the family: re-planning marks it done under its id.
  const done = planned[0];
  const family2: FamilyLaw = {
    ...family,
    runIds: [...family.runIds, 'ladder-done'],
    points: [...points, { runId: 'ladder-done', params: done.params, tokens: done.tokens, loss: chinchillaLaw.evaluate(theta, [done.params, done.tokens]) }],
  };
  const previous = first.plan.runs.map((r) => ({ id: r.id, params: r.params, tokens: r.tokens }));
  const again = ok(planLadderRequest({ target: { kind: 'model', params: 7e9, tokens: 1.4e11 }, family: 'web', previous }, [family2], [live]));
  const same = again.plan.runs.find((r) => r.id === done.id)!;
  assert.equal(same.status, 'done');
  assert.equal(same.matchedRunId, 'ladder-done');
  assert.ok(again.plan.now!.lossWidth < first.plan.now!.lossWidth, 'one more finished run narrows the interval now');
  for (const r of again.plan.runs) assert.ok(['planned', 'done', 'running', 'not-needed'].includes(r.status));
  assert.equal(again.overlay.runs.find((r) => r.id === done.id)?.status, 'done');
});

test('every run of a plan, written as a variant of the example HF config, reads back with its shape, tokens, LR and family', () => {
  const dir = 'examples/sweep/llama-44m';
  const cfg = fs.readFileSync(`${dir}/config.json`, 'utf8');
  const args = fs.readFileSync(`${dir}/training_args.json`, 'utf8');
  const { plan } = ok(planLadderRequest({ target: { kind: 'model', params: 1e9, tokens: 2e10 }, seqLen: 1024, vocab: 32000 }, [], []));
  for (const run of plan.runs) {
    const spec = variantSpecOf(run, 'ladder-fam');
    const v = writeVariant(
      { file: `/w/${dir}/config.json`, text: cfg, readSibling: (p) => (path.basename(p) === 'training_args.json' ? args : undefined) },
      spec,
    );
    assert.ok(!('error' in v), 'error' in v ? v.error : '');
    if ('error' in v) continue;
    const files = new Map(v.files.map((f) => [f.name, f.text]));
    const back = readConfig({ file: '/v/config.json', text: files.get('config.json')!, readSibling: (p) => files.get(path.basename(p)) });
    assert.equal(back.kind, 'plan');
    if (back.kind !== 'plan') continue;
    assert.equal(back.plan.architecture.nLayer, run.shape.nLayer);
    assert.equal(back.plan.architecture.dModel, run.shape.dModel);
    assert.equal(back.plan.family, 'ladder-fam');
    assert.ok(Math.abs(back.plan.peakLr! / run.lr.value - 1) < 0.05, `lr ${back.plan.peakLr} vs ${run.lr.value}`);
    // Tokens within one step of the plan (the batch is a whole number of sequences).
    assert.ok(Math.abs(back.plan.tokens! - run.tokens) <= back.plan.tokensPerStep!, `${back.plan.tokens} vs ${run.tokens}`);
    // The count of the written shape (32,000 vocabulary, the target's FFN ratio) is the planned N within a factor 1.5.
    assert.ok(back.plan.params.total / run.params < 1.5 && run.params / back.plan.params.total < 1.5, `${back.plan.params.total} vs ${run.params}`);
  }
});

test('the ladder as files: one folder per planned run plus PLAN.md; nanoGPT runs need .scalinglens.yaml to name the family', () => {
  const nano =
    'n_layer = 4\nn_head = 4\nn_embd = 128\nblock_size = 256\nbatch_size = 16\ngradient_accumulation_steps = 1\nmax_iters = 1000\nlearning_rate = 1e-3\n';
  const { plan } = ok(planLadderRequest({ target: { kind: 'model', params: 1e9, tokens: 2e10 }, seqLen: 256 }, [], []));
  const out = ladderFiles({ file: '/w/train.py', text: nano }, plan, 'fam', '# plan');
  assert.deepEqual(out.errors, []);
  assert.equal(out.runs.length, plan.runs.length);
  assert.equal(out.files.length, plan.runs.length + 1);
  assert.ok(out.files.every((f, i) => (i < plan.runs.length ? f.relPath === `${plan.runs[i].id}/train.py` : f.relPath === 'PLAN.md')));
  assert.equal(out.familyNeedsWorkspaceFile, true);
  for (const r of out.runs) assert.ok(r.params! > 0 && r.tokens! > 0);
});

test('.scalinglens.yaml: the family entry is added, comments and other entries kept, and not added twice', () => {
  const before = '# my workspace\nfamilies:\n  other:\n    runs: ["a/*"]\nruns:\n  "x":\n    exclude: true\n';
  const after = workspaceFileWithFamily(before, 'fam', 'ladder/**')!;
  assert.match(after, /^# my workspace/);
  const parsed = parseWorkspaceFile(after, '/w/.scalinglens.yaml');
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(
    parsed.families.map((f) => [f.name, f.runs]),
    [
      ['other', ['a/*']],
      ['fam', ['ladder/**']],
    ],
  );
  assert.ok(parsed.families[1].match('ladder/ladder-01-1e17'));
  assert.equal(workspaceFileWithFamily(after, 'fam', 'ladder/**'), undefined);
  const fresh = workspaceFileWithFamily(undefined, 'fam', 'ladder/**')!;
  assert.deepEqual(
    parseWorkspaceFile(fresh, '/w/.scalinglens.yaml').families.map((f) => f.name),
    ['fam'],
  );
  assert.throws(() => workspaceFileWithFamily('- a\n- b\n', 'fam', 'ladder/**'), /not a mapping/);
});

test('without a config (a budget target), the ladder is written as generic YAML with the family in each file', () => {
  const { plan } = ok(planLadderRequest({ target: { kind: 'budget', budget: '1e21' } }, [], []));
  const out = ladderFiles({ file: '/w/ladder/ladder.yaml', text: GENERIC_TEMPLATE }, plan, 'fam', '# plan');
  assert.deepEqual(out.errors, []);
  assert.equal(out.familyNeedsWorkspaceFile, false);
  const files = new Map(out.files.map((f) => [f.relPath, f.text]));
  for (const run of plan.runs) {
    const back = readConfig({ file: `/w/ladder/${run.id}/ladder.yaml`, text: files.get(`${run.id}/ladder.yaml`)! });
    assert.equal(back.kind, 'plan');
    if (back.kind !== 'plan') continue;
    assert.equal(back.plan.family, 'fam');
    assert.equal(back.plan.architecture.nLayer, run.shape.nLayer);
    assert.equal(back.plan.architecture.dModel, run.shape.dModel);
    assert.ok(Math.abs(back.plan.tokens! - run.tokens) <= back.plan.tokensPerStep!);
  }
});

test('a live run whose forecast anchors the family law is counted once, as running', () => {
  const theta = referenceParams(chinchillaLaw);
  const sizes: [number, number][] = [
    [2e7, 4e8],
    [5e7, 1e9],
    [1e8, 2e9],
    [2e8, 4e9],
  ];
  const points = sizes.map(([n, d], i) => ({ runId: `r${i}`, params: n, tokens: d, loss: chinchillaLaw.evaluate(theta, [n, d]) }));
  const family: FamilyLaw = { family: 'web', guessed: false, runIds: points.map((p) => p.runId), points, anchoredRunIds: ['r3'] };
  const live: LadderWorkspaceRun = { id: 'r3', family: 'web', status: 'live', params: 2e8, tokens: 4e9 };
  const withAnchor = ok(planLadderRequest({ target: { kind: 'model', params: 7e9, tokens: 1.4e11 }, family: 'web' }, [family], [live]));
  const finishedOnly = ok(
    planLadderRequest(
      { target: { kind: 'model', params: 7e9, tokens: 1.4e11 }, family: 'web' },
      [{ ...family, runIds: ['r0', 'r1', 'r2'], points: points.slice(0, 3), anchoredRunIds: [] }],
      [live],
    ),
  );
  // The interval "now" is the finished runs' alone: the anchored live run is not counted as finished.
  assert.deepEqual(withAnchor.plan.now, finishedOnly.plan.now);
  const asFinished = ok(planLadderRequest({ target: { kind: 'model', params: 7e9, tokens: 1.4e11 }, family: 'web' }, [{ ...family, anchoredRunIds: [] }], []));
  assert.ok(asFinished.plan.now!.lossWidth < withAnchor.plan.now!.lossWidth, 'counted as finished it would narrow "now"');
});

test('torchtitan ladder: new flavors registered by one module in the ladder folder, each TOML importing it, PLAN.md saying how to launch', () => {
  const toml = '[model]\nname = "llama3"\nflavor = "8B"\n\n[optimizer]\nlr = 3e-4\n\n[training]\nlocal_batch_size = 2\nseq_len = 4096\nsteps = 500\n';
  const { plan } = ok(planLadderRequest({ target: { kind: 'model', params: 8e9, tokens: 2e11 }, seqLen: 4096, vocab: 128256 }, [], []));
  const out = ladderFiles({ file: '/w/titan/t.toml', text: toml }, plan, 'fam', '# plan\n', undefined, '/w/titan/ladder');
  assert.deepEqual(out.errors, []);
  const files = new Map(out.files.map((f) => [f.relPath, f.text]));
  const module = files.get('scaling_lens_ladder_flavors.py')!;
  assert.ok(module, 'the flavor module is written at the ladder folder');
  // Every run has its own shape (no stock llama3 flavor is that small): one registration each, named as its TOML says.
  for (const run of plan.runs) {
    const flavor = /^flavor = "([\w]+)"$/m.exec(files.get(`${run.id}/t.toml`)!)![1];
    assert.ok(module.includes(`flavors["${flavor}"] = TransformerModelArgs(dim=${run.shape.dModel}, n_layers=${run.shape.nLayer},`), flavor);
    assert.match(files.get(`${run.id}/t.toml`)!, /custom_import = "scaling_lens_ladder_flavors"/);
  }
  assert.match(module, /getattr\(llama3, "llama3_args", None\)/);
  assert.equal(out.instructions.length, 1);
  assert.match(out.instructions[0], /PYTHONPATH=\/w\/titan\/ladder/);
  assert.match(files.get('PLAN.md')!, /^# plan\n\n## Before training\n\n- torchtitan has no stock flavor for \d+ run\(s\)/);
});

test("torchtitan ladder: PLAN.md's PYTHONPATH is one shell word for a folder with spaces and quotes", () => {
  const toml = '[model]\nname = "llama3"\nflavor = "8B"\n\n[optimizer]\nlr = 3e-4\n\n[training]\nlocal_batch_size = 2\nseq_len = 4096\nsteps = 500\n';
  const { plan } = ok(planLadderRequest({ target: { kind: 'model', params: 8e9, tokens: 2e11 }, seqLen: 4096, vocab: 128256 }, [], []));
  const folder = "/home/me/My Runs/bob's ladder";
  const out = ladderFiles({ file: '/home/me/My Runs/t.toml', text: toml }, plan, 'fam', '# plan\n', undefined, folder);
  const assignment = /`(PYTHONPATH=[^`]+)`/.exec(out.instructions[0])?.[1];
  assert.ok(assignment, out.instructions[0]);
  // What a POSIX shell makes of the pasted assignment: the folder, whole.
  const seen = execFileSync('/bin/sh', ['-c', `${assignment} /bin/sh -c 'printf %s "$PYTHONPATH"'`], { encoding: 'utf8' });
  assert.equal(seen, folder);
  assert.ok(new Map(out.files.map((f) => [f.relPath, f.text])).get('PLAN.md')!.includes(assignment));
});
