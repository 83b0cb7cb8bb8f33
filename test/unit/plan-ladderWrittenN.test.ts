// A planned ladder run's N and D are those of the config written for it, as the config readers
// count them (the hover on a written config never contradicts the plan): for the plans on
// examples/ (config targets and budgets, a few ladder budgets, an empty family and the examples'
// family), through the CLI (`ladder --write --json`) and the worker's path (planLadderRequest with
// the config, then "Write Configs…"'s writer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ladderCommand } from '../../src/cliCommands/ladder';
import { writeLadderFiles } from '../../src/cliCommands/ladderWrite';
import { estimateCommand, type CliContext } from '../../src/cliCommands/estimate';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { readConfig } from '../../src/core/configs/index';
import { candidateSpecs, planLadder, type LadderPlan } from '../../src/core/plan/ladder';
import { suggestShape } from '../../src/core/plan/budget';
import { approxTrainingFlops } from '../../src/core/laws/trainingCompute';
import { ladderMarkdown, planLadderRequest } from '../../src/core/plan/ladderRequest';
import { ladderWrite, shapeParamsOfConfig } from '../../src/core/plan/ladderConfigs';
import { ladderWriteInputOf, trainingArgsPathOf } from '../../src/core/plan/ladderPlacement';
import { withLadderRecord } from '../../src/core/plan/ladderManifest';
import { tempDir } from './helpers/tempDir';

class Usage extends Error {}

const examples = path.resolve(__dirname, '../../examples');
const TOLERANCE = 0.005;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function cli(args: string[], cwd: string): { code: number | 'usage'; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    loadWorkspace: (paths, hardware) => {
      const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware });
      for (const root of paths) for (const f of filesUnder(root).filter(isDefaultLogFile)) engine.update(f, root);
      return engine;
    },
    emptyWorkspace: (hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
    usage: (m) => new Usage(m),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    // As src/cli.ts and the ladder bundles give them.
    writeLadder: writeLadderFiles,
    shapeParamsOf: shapeParamsOfConfig,
  };
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return { code: ladderCommand(args, ctx), stdout, stderr };
  } catch (error) {
    if (error instanceof Usage) return { code: 'usage', stdout, stderr: error.message };
    throw error;
  } finally {
    process.chdir(before);
  }
}

const within = (a: number, b: number) => Math.abs(a / b - 1) <= TOLERANCE;

/** Every planned run of `plan` has the N and D its written config (under `folder`) reads back as, and its shape. */
function assertWrittenAsPlanned(plan: LadderPlan, read: (runId: string) => ReturnType<typeof readConfig>, what: string): number {
  const planned = plan.runs.filter((r) => r.status === 'planned');
  for (const run of planned) {
    const back = read(run.id);
    assert.equal(back.kind, 'plan', `${what} ${run.id}: ${JSON.stringify(back)}`);
    if (back.kind !== 'plan') continue;
    const p = back.plan;
    assert.equal(p.architecture.nLayer, run.shape.nLayer, `${what} ${run.id} layers`);
    assert.equal(p.architecture.dModel, run.shape.dModel, `${what} ${run.id} d_model`);
    assert.ok(within(run.params, p.params.total), `${what} ${run.id}: planned N ${run.params}, written config counts ${p.params.total}`);
    assert.ok(
      within(run.shape.nonEmbeddingParams, p.params.nonEmbedding),
      `${what} ${run.id}: non-embedding ${run.shape.nonEmbeddingParams} vs ${p.params.nonEmbedding}`,
    );
    assert.ok(p.tokens !== undefined && within(run.tokens, p.tokens), `${what} ${run.id}: planned D ${run.tokens}, written config trains ${p.tokens}`);
    // What the plan shows is of that N: tokens per parameter and 6·N·D.
    assert.ok(within(run.tokensPerParam, run.tokens / run.params));
    assert.ok(within(run.flops, 6 * run.params * run.tokens));
  }
  return planned.length;
}

const targets: { name: string; args: string[]; configFile?: (runId: string) => string }[] = [
  { name: 'planned-400m', args: [path.join(examples, 'configs/planned-400m')], configFile: (id) => path.join(id, 'config.json') },
  { name: 'gpt2-small', args: [path.join(examples, 'configs/gpt2-small')], configFile: (id) => path.join(id, 'config.json') },
  { name: 'budget 1e21', args: ['--budget', '1e21'] },
  { name: 'budget 3e22', args: ['--budget', '3e22'] },
];

for (const t of targets)
  test(`ladder ${t.name} --write: every planned run's N and D are its written config's (fractions 0.5%, 2%, 10%; empty family and the examples' family)`, () => {
    let runs = 0;
    for (const fraction of ['0.005', '0.02', '0.1'])
      for (const workspace of [[], ['--workspace', examples]]) {
        const dir = tempDir('sl-ladder-n-');
        const folder = path.join(dir, 'ladder');
        const r = cli([...t.args, '--fraction', fraction, ...workspace, '--json', '--write', folder], dir);
        const what = `${t.name} at ${fraction}${workspace.length ? ' with the family' : ''}`;
        if (r.code === 0 && r.stdout === '') continue; // nothing to write (no run within the budget)
        assert.equal(r.code, 0, `${what}: ${r.stderr}`);
        const plan = JSON.parse(r.stdout) as LadderPlan;
        runs += assertWrittenAsPlanned(
          plan,
          (id) => {
            const file = path.join(folder, t.configFile ? t.configFile(id) : path.join(id, 'ladder.yaml'));
            return readConfig({ file, text: fs.readFileSync(file, 'utf8'), readSibling: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) });
          },
          what,
        );
        // The distance's suggestion is a run one can write too: its N is its shape's.
        const cheapest = plan.distance?.cheapest;
        if (cheapest && t.configFile) {
          const source = path.join(t.args[0], 'config.json');
          const count = shapeParamsOfConfig({ file: source, text: fs.readFileSync(source, 'utf8') })!(cheapest.shape.nLayer, cheapest.shape.dModel);
          assert.ok(count && within(cheapest.params, count.total), `${what}: suggested ${cheapest.params} vs ${count?.total}`);
        }
      }
    assert.ok(runs >= 3, `${t.name}: ${runs} runs checked`);
  });

test("Plan Experiments' path: the worker plans with the config (PlanLadderRequest.config) and each written run reads back at the planned N and D", () => {
  const file = path.join(examples, 'configs/planned-400m/config.json');
  const text = fs.readFileSync(file, 'utf8');
  const trainingArgs = fs.readFileSync(trainingArgsPathOf(file), 'utf8');
  const back = readConfig({ file, text, readSibling: (p) => (p === trainingArgsPathOf(file) ? trainingArgs : undefined) });
  assert.equal(back.kind, 'plan');
  if (back.kind !== 'plan') return;
  const p = back.plan;
  const config = { file, text, trainingArgs };
  for (const ladderBudget of ['0.5%', '2e17', '5e17']) {
    const request = {
      target: {
        kind: 'model' as const,
        params: p.params.total,
        tokens: p.tokens!,
        nLayer: p.architecture.nLayer,
        dModel: p.architecture.dModel,
        label: 'planned-400m',
      },
      seqLen: p.seqLen,
      vocab: p.architecture.vocab,
      config,
      ...(ladderBudget.endsWith('%') ? {} : { ladderBudget }),
    };
    // The session's call (core/engine/session.ts planLadder): the counter from the request's config.
    const planned = planLadderRequest(request, [], [], undefined, undefined, [], undefined, shapeParamsOfConfig(request.config));
    assert.ok(!('error' in planned), JSON.stringify(planned));
    if ('error' in planned) return;
    const root = path.dirname(path.dirname(file));
    const folder = path.join(root, 'ladder');
    const written = ladderWrite(
      ladderWriteInputOf({
        root,
        folder,
        config,
        plan: planned.plan,
        markdown: ladderMarkdown(planned.plan),
        target: { kind: 'model', label: 'planned-400m' },
        workspaceFile: undefined,
        writtenAt: new Date(0).toISOString(),
      }),
    );
    const files = new Map(written.files.map((f) => [f.relPath, f.text]));
    const n = assertWrittenAsPlanned(
      planned.plan,
      (id) =>
        readConfig({
          file: path.join(folder, id, 'config.json'),
          text: files.get(`${id}/config.json`)!,
          readSibling: (s) => files.get(`${id}/${path.basename(s)}`),
        }),
      `worker at ${ladderBudget}`,
    );
    assert.ok(n >= 1, `worker at ${ladderBudget}: no run planned`);
  }
});

test('without a counter the planner counts a shape as the generic YAML the ladder is then written in (12·L·d² + V·d)', () => {
  const plan = planLadder({ target: { kind: 'budget', budget: { kind: 'flops', flops: 1e21, text: '1e21' } }, fraction: 0.02 });
  assert.ok(!('error' in plan));
  if ('error' in plan) return;
  assert.ok(plan.runs.length >= 3);
  for (const r of plan.runs) assert.equal(r.params, 12 * r.shape.nLayer * r.shape.dModel ** 2 + 50304 * r.shape.dModel, r.id);
});

/** The real example's Llama config (untied embeddings, its own FFN width): N is far from 12·L·d² + V·d. */
const LLAMA = path.resolve(__dirname, '../../examples-real/configs/planned-1b/config.json');

/** `scaling-lens estimate <file> --json`, as a user checks a written config. */
function estimateOf(file: string): { plan: { params: { total: number; nonEmbedding: number }; tokens: number }; cost: { flops: number; usd: number } } {
  let stdout = '';
  const ctx: CliContext = {
    loadWorkspace: () => assert.fail('no workspace'),
    emptyWorkspace: (hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
    usage: (m) => new Usage(m),
    stdout: (t) => void (stdout += t),
    stderr: () => undefined,
  };
  assert.equal(estimateCommand([file, '--json'], ctx), 0, file);
  return JSON.parse(stdout);
}

test('re-planned from PLAN.json: a kept run is the one written (its shape, N, D and 6·N·D as `estimate` reads its config), not the shape rule for its N', () => {
  const text = fs.readFileSync(LLAMA, 'utf8');
  const trainingArgs = fs.readFileSync(trainingArgsPathOf(LLAMA), 'utf8');
  const back = readConfig({ file: LLAMA, text, readSibling: (p) => (p === trainingArgsPathOf(LLAMA) ? trainingArgs : undefined) });
  assert.equal(back.kind, 'plan');
  if (back.kind !== 'plan') return;
  const p = back.plan;
  const config = { file: LLAMA, text, trainingArgs };
  const counter = shapeParamsOfConfig(config);
  const target = {
    kind: 'model' as const,
    params: p.params.total,
    tokens: p.tokens!,
    nLayer: p.architecture.nLayer,
    dModel: p.architecture.dModel,
    label: 'planned-1b',
  };
  const base = { target, seqLen: p.seqLen, vocab: p.architecture.vocab, config, family: 'llama-ladder' };
  let kept = 0;
  // Written at one ladder budget, re-planned at another (the user changed it): the runs still wanted keep their ids.
  for (const [before, after] of [
    ['3e17', '2.7e17'],
    ['3e18', '2.4e18'],
  ]) {
    const first = planLadderRequest({ ...base, ladderBudget: before }, [], [], undefined, undefined, [], undefined, counter);
    assert.ok(!('error' in first), JSON.stringify(first));
    if ('error' in first) return;
    const ws = tempDir('sl-ladder-kept-');
    const folder = path.join(ws, 'ladder');
    const written = ladderWrite(
      ladderWriteInputOf({
        root: ws,
        folder,
        config,
        plan: first.plan,
        markdown: ladderMarkdown(first.plan),
        target: { kind: 'model', label: 'planned-1b' },
        workspaceFile: undefined,
        writtenAt: new Date(0).toISOString(),
      }),
    );
    for (const f of written.files) {
      fs.mkdirSync(path.dirname(path.join(folder, f.relPath)), { recursive: true });
      fs.writeFileSync(path.join(folder, f.relPath), f.text);
    }
    // The next session: the plan comes back from PLAN.json (as the worker reads the workspace's records).
    const { request } = withLadderRecord({
      ...base,
      ladderBudget: after,
      manifests: [{ file: 'ladder/PLAN.json', dir: 'ladder', text: fs.readFileSync(path.join(folder, 'PLAN.json'), 'utf8') }],
    });
    const again = planLadderRequest(request, [], [], undefined, undefined, [], undefined, counter);
    assert.ok(!('error' in again), JSON.stringify(again));
    if ('error' in again) return;
    for (const run of again.plan.runs.filter((r) => r.status === 'planned' && written.runs.some((w) => w.id === r.id))) {
      kept++;
      const file = path.join(folder, run.id, 'config.json');
      const read = readConfig({ file, text: fs.readFileSync(file, 'utf8'), readSibling: (s) => (fs.existsSync(s) ? fs.readFileSync(s, 'utf8') : undefined) });
      assert.equal(read.kind, 'plan');
      if (read.kind !== 'plan') continue;
      const what = `${before} → ${after}, ${run.id}`;
      assert.deepEqual([run.shape.nLayer, run.shape.dModel], [read.plan.architecture.nLayer, read.plan.architecture.dModel], `${what}: shape`);
      const est = estimateOf(file);
      assert.equal(run.params, est.plan.params.total, `${what}: N`);
      assert.equal(run.shape.nonEmbeddingParams, est.plan.params.nonEmbedding, `${what}: non-embedding N`);
      assert.equal(run.tokens, est.plan.tokens, `${what}: D`);
      assert.ok(within(run.flops, 6 * est.plan.params.total * est.plan.tokens), `${what}: 6·N·D`);
    }
  }
  assert.ok(kept >= 3, `${kept} kept runs checked`);
});

test("re-planned with a run's logs: the run matched to them is shown at its written shape while the log's N is that config's, else at the log's own N", () => {
  const text = fs.readFileSync(LLAMA, 'utf8');
  const trainingArgs = fs.readFileSync(trainingArgsPathOf(LLAMA), 'utf8');
  const counter = shapeParamsOfConfig({ file: LLAMA, text, trainingArgs })!;
  // 7 × 832 as this Llama config counts it: the ladder's shape rule gives 7 × 960 for that N.
  const written = { nLayer: 7, dModel: 832, params: counter(7, 832)!.total };
  const tokens = written.params * 20;
  const loss = (n: number, d: number) => 1.69 + 406.4 / n ** 0.34 + 410.7 / d ** 0.28;
  const others = [
    [3e7, 6e8],
    [6e7, 1.2e9],
    [2e8, 4e9],
  ].map(([n, d], i) => ({ runId: `old-${i}`, params: n, tokens: d, loss: loss(n, d), status: 'finished' as const }));
  const planWith = (loggedParams: number, withShape: boolean) => {
    const plan = planLadder(
      {
        target: { kind: 'model', params: 1.2e9, tokens: 2.4e10 },
        ladderBudget: { kind: 'flops', flops: 3e18, text: '3e18' },
        vocab: 32000,
        runs: [...others, { runId: 'ladder/ladder-03', params: loggedParams, tokens, loss: loss(loggedParams, tokens), status: 'finished' }],
        previous: [{ id: 'ladder-03', params: written.params, tokens, ...(withShape ? { written } : {}) }],
      },
      { shapeParams: counter },
    );
    assert.ok(!('error' in plan), JSON.stringify(plan));
    if ('error' in plan) throw new Error('no plan');
    const run = plan.runs.find((r) => r.id === 'ladder-03')!;
    assert.equal(run.status, 'done');
    assert.equal(run.matchedRunId, 'ladder/ladder-03');
    return run;
  };
  const done = planWith(written.params, true);
  assert.deepEqual([done.shape.nLayer, done.shape.dModel, done.params], [7, 832, written.params]);
  assert.equal(done.shape.nonEmbeddingParams, counter(7, 832)!.nonEmbedding);
  // Known by N alone (a record without the shape), the rule's shape for that N: what this test guards against.
  const byN = planWith(written.params, false);
  assert.notDeepEqual([byN.shape.nLayer, byN.shape.dModel], [7, 832]);
  // Its logs say another N (its config was edited before training): that run is not the written shape.
  const edited = planWith(written.params * 1.1, true);
  assert.equal(edited.params, written.params * 1.1);
  assert.notDeepEqual([edited.shape.nLayer, edited.shape.dModel], [7, 832]);
});

test('greedy candidates: cost and "past the largest run" are judged on the snapped N, the run that would be written', () => {
  const text = fs.readFileSync(LLAMA, 'utf8');
  const counter = shapeParamsOfConfig({ file: LLAMA, text, trainingArgs: fs.readFileSync(trainingArgsPathOf(LLAMA), 'utf8') })!;
  // A size as this Llama config counts the shape proposed for it (untied embeddings: more than asked).
  const sizeOf = (n: number) => {
    const s = suggestShape(n, 32000);
    return counter(s.nLayer, s.dModel)!.total;
  };
  let checked = 0;
  let past = 0;
  for (const [targetN, ratio] of [
    [1.2e9, 20],
    [1.2e9, 200],
    [4e8, 60],
  ])
    // Largest runs on a fine grid: a size just under one, snapped, lands just over it.
    for (let k = 0; k <= 40; k++)
      for (const remaining of [3e17, 3e18]) {
        const largestFlops = 1e16 * 10 ** (k / 13);
        const targetD = targetN * ratio;
        for (const c of candidateSpecs(targetN, targetD, remaining, 2e7, largestFlops, sizeOf)) {
          checked++;
          const flops = approxTrainingFlops(c.params, c.tokens);
          assert.ok(flops <= remaining * (1 + 1e-12), `${c.params} × ${c.tokens}: ${flops} over ${remaining}`);
          if (flops <= largestFlops) continue;
          past++;
          // Past the largest run, it trains as the target does (within a factor 2 of its tokens per parameter).
          assert.ok(
            Math.abs(Math.log(c.tokens / c.params / ratio)) <= Math.LN2 + 1e-12,
            `${c.params} × ${c.tokens} past ${largestFlops} at ${c.tokens / c.params} tokens/parameter`,
          );
        }
      }
  assert.ok(checked > 100 && past > 5, `${checked} candidates, ${past} past the largest run`);
});
