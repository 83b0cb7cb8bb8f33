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
import type { CliContext } from '../../src/cliCommands/estimate';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { readConfig } from '../../src/core/configs/index';
import { planLadder, type LadderPlan } from '../../src/core/plan/ladder';
import { ladderMarkdown, planLadderRequest } from '../../src/core/plan/ladderRequest';
import { ladderWrite, shapeParamsOfConfig } from '../../src/core/plan/ladderConfigs';
import { ladderWriteInputOf, trainingArgsPathOf } from '../../src/core/plan/ladderPlacement';
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
