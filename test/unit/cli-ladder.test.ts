// `scaling-lens ladder`: a config or a budget as the target, text and JSON, the workspace's family
// steering the choice, and friendly errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ladderCommand } from '../../src/cliCommands/ladder';
import type { CliContext } from '../../src/cliCommands/estimate';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { tempDir } from './helpers/tempDir';
import { planLadderRequest } from '../../src/core/plan/ladderRequest';
import { planLadder, targetOfPlan } from '../../src/core/plan/ladder';
import { familyModelOf } from '../../src/core/plan/familyModel';
import { chinchillaLaw } from '../../src/core/laws/chinchilla';
import { planCommand } from '../../src/cliCommands/plan';

class Usage extends Error {}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const examples = path.resolve(__dirname, '../../examples');

function run(args: string[], command: typeof ladderCommand = ladderCommand): { code: number | 'usage'; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    loadWorkspace: (paths, hardware) => {
      const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware });
      for (const root of paths) for (const f of listFiles(root).filter(isDefaultLogFile)) engine.update(f, root);
      return engine;
    },
    emptyWorkspace: (hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
    usage: (m) => new Usage(m),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  };
  try {
    return { code: command(args, ctx), stdout, stderr };
  } catch (error) {
    if (error instanceof Usage) return { code: 'usage', stdout, stderr: error.message };
    throw error;
  }
}

test('ladder --budget: the empty-family recipe in text, with when to stop', () => {
  const r = run(['--budget', '1e22']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^target: compute-optimal run at 1e22: N /);
  assert.match(r.stdout, /strategy: empty family: IsoFLOP recipe/);
  assert.match(r.stdout, / 1\. ladder-01-/);
  assert.match(r.stdout, /why: first IsoFLOP budget/);
  assert.match(r.stdout, /\nstop: after run \d+ /);
});

test('ladder --json with a ladder budget in GPU-hours: the LadderPlan, within budget', () => {
  const r = run(['--budget', '1e22', '--ladder-budget', '500 H100-h', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.equal(plan.strategy, 'recipe');
  assert.ok(Math.abs(plan.budget.gpuHours - 500) < 1e-6);
  assert.ok(plan.planned.gpuHours <= 500 * (1 + 1e-9));
  assert.ok(plan.runs.length > 5);
  for (const run of plan.runs) for (const k of ['params', 'tokens', 'flops', 'gpuHours', 'usd']) assert.ok(run[k] > 0, k);
});

test('ladder <config> --workspace: the family steers a greedy choice', () => {
  const r = run([path.join(examples, 'configs/planned-400m'), '--workspace', examples, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.equal(plan.strategy, 'greedy');
  assert.equal(plan.family, 'example-sweep');
  assert.ok(plan.now.lossWidth > 0);
  assert.ok(Math.abs(plan.target.params - 389e6) / 389e6 < 0.01, String(plan.target.params));
});

test("planned-400m: the ladder's \"now\" is the lens's interval calibrated as the plan's, the lens's beside it (CLI and worker path); at 1% the distance dominates, and the budget it names buys a run", () => {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(examples).filter(isDefaultLogFile)) engine.update(f, examples);
  const file = path.join(examples, 'configs/planned-400m/config.json');
  const est = engine.estimateConfig(file, fs.readFileSync(file, 'utf8'), (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
  const lens = est.predictions.loss!;
  assert.ok(lens && lens.interval, 'the lens predicts the loss');
  // The CLI.
  const cli = JSON.parse(run([path.join(examples, 'configs/planned-400m'), '--workspace', examples, '--json']).stdout);
  assert.deepEqual(cli.lensNow.lossInterval, lens.interval);
  assert.equal(cli.lensNow.loss, lens.value);
  assert.equal(cli.now.loss, lens.value);
  assert.ok(cli.now.lossWidth <= cli.lensNow.lossWidth, "the plan's interval now is at most the lens's");
  // The worker's request (what the command and the lens action run).
  const worker = planLadderRequest(
    { target: { kind: 'model', params: est.plan!.params.total, tokens: est.plan!.tokens!, label: 'planned-400m' }, family: 'example-sweep' },
    engine.familyLaws(),
    engine.runs().map((r) => ({ id: r.id, family: r.hyper.family, status: r.status, params: r.hyper.params, tokens: r.hyper.tokens })),
    engine.hardware,
    undefined,
    [],
    (law) => engine.overtrainLaw(law),
  );
  assert.ok(!('error' in worker));
  assert.deepEqual(worker.plan.lensNow!.lossInterval, lens.interval);
  // The scaling view draws now and after on the plan's one scale.
  assert.deepEqual(worker.overlay.target.now, worker.plan.now!.lossInterval);
  // 1% of the target buys only runs below the largest finished one: nothing planned, and why.
  assert.equal(cli.planned.runs, 0);
  assert.match(cli.stop.reason, /^the distance from your largest run \(×4\.3 in compute\) dominates the interval/);
  const cheapest = cli.distance.cheapest;
  // Since the floor was re-derived per distance bucket (calibration.ts), no run under half the
  // target's compute cuts this one by a quarter: the distance line names the most narrowing instead.
  // (The distance line is in the lens's widths.)
  assert.ok(
    cheapest.shape.nLayer >= 6 && cheapest.after.lossWidth <= 0.85 * cli.lensNow.lossWidth + 1e-12,
    `${cheapest.after.lossWidth} vs ${cli.lensNow.lossWidth}`,
  );
  // The budget it names plans a sensible run that narrows the interval as said.
  const funded = JSON.parse(
    run([path.join(examples, 'configs/planned-400m'), '--workspace', examples, '--json', '--ladder-budget', String(cheapest.ladderBudget.flops * 1.02)]).stdout,
  );
  assert.ok(funded.planned.runs >= 1);
  for (const r of funded.runs) assert.ok(r.shape.nLayer >= 6 && r.params >= 3e7, `${r.id}: ${r.shape.nLayer} layers, ${r.params} parameters`);
  // About as much as said (the greedy's size grid is coarser than the distance line's search).
  assert.ok(funded.after.lossWidth <= 1.05 * cheapest.after.lossWidth, `${funded.after.lossWidth} vs ${cheapest.after.lossWidth}`);
  assert.ok(funded.after.lossWidth < 0.9 * cli.lensNow.lossWidth, `${funded.after.lossWidth} vs ${cli.lensNow.lossWidth}`);
});

test('planned-400m at half the target: every width in the text is on one scale (now = the first reason\'s "before", its "after" = the row\'s), the lens\'s labelled', () => {
  const text = run([path.join(examples, 'configs/planned-400m'), '--workspace', examples, '--fraction', '0.5']).stdout;
  const now = /^now \(finished runs\): .*\(([\d.]+)% wide; the lens's interval ([\d.]+)%\)/m.exec(text);
  assert.ok(now, text);
  const start = /^with the runs still training: ([\d.]+)% wide/m.exec(text)?.[1] ?? now[1];
  const afters = [...text.matchAll(/after it: loss interval ([\d.]+)% wide/g)].map((m) => Number(m[1]));
  const whys = [...text.matchAll(/narrows the target's loss interval ([\d.]+)% → ([\d.]+)%/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(whys.length >= 1 && whys.length === afters.length, text);
  // Each reason's "before" is the width shown for that state (now, then after the previous run), its "after" the row's.
  whys.forEach(([before, after], i) => {
    assert.equal(before.toFixed(1), (i === 0 ? Number(start) : afters[i - 1]).toFixed(1), `run ${i + 1}: ${before}% before`);
    assert.equal(after.toFixed(1), afters[i].toFixed(1), `run ${i + 1}: ${after}% after`);
  });
  // The plan's widths are not the lens's: where the lens's appear, they say so.
  for (const line of text.split('\n').filter((l) => /ladder ends at/.test(l))) assert.match(line, /the lens's widths/, line);
  assert.match(text, /^distance: .*\(the lens's\)/m);
});

test("planned-400m: the ladder's target FLOPs, GPU-hours and dollars are the hover's (the config's FLOPs on its hardware), CLI and worker path", () => {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(examples).filter(isDefaultLogFile)) engine.update(f, examples);
  const file = path.join(examples, 'configs/planned-400m/config.json');
  const est = engine.estimateConfig(file, fs.readFileSync(file, 'utf8'), (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
  const cost = est.cost!;
  // The hover counts attention (1.90e19), not 6·N·D (1.81e19): the two differ, so the check can fail.
  assert.ok(Math.abs(cost.flops / (6 * est.plan!.params.total * est.plan!.tokens!) - 1) > 0.02);
  const cli = JSON.parse(run([path.join(examples, 'configs/planned-400m'), '--workspace', examples, '--json']).stdout);
  assert.equal(cli.target.flops, cost.flops);
  assert.equal(cli.target.gpuHours, cost.gpuHours);
  assert.equal(cli.target.usd, cost.usd);
  assert.equal(cli.target.tokens, est.plan!.tokens);
  assert.equal(cli.budget.flops, 0.01 * cost.flops);
  // The worker's path (the command and the lens action) with the numbers the host reads off the estimate.
  const target = targetOfPlan(est.plan!, 'planned-400m', cost);
  assert.ok(!('error' in target) && target.kind === 'model');
  const worker = planLadderRequest(
    {
      target: {
        kind: 'model',
        params: target.params,
        tokens: target.tokens,
        label: 'planned-400m',
        flops: target.flops,
        gpuHours: target.cost?.gpuHours,
        usd: target.cost?.usd,
      },
      family: 'example-sweep',
    },
    engine.familyLaws(),
    engine.runs().map((r) => ({ id: r.id, family: r.hyper.family, status: r.status, params: r.hyper.params, tokens: r.hyper.tokens })),
    engine.hardware,
  );
  assert.ok(!('error' in worker));
  assert.equal(worker.plan.target.flops, cost.flops);
  assert.equal(worker.plan.target.usd, cost.usd);
  assert.equal(worker.overlay.target.flops, cost.flops);
  assert.equal(worker.overlay.target.gpuHours, cost.gpuHours);
});

test("the scaling view's planned runs sit at the family model's loss (the lens's regime blend), not the raw Chinchilla law", () => {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(examples).filter(isDefaultLogFile)) engine.update(f, examples);
  const family = engine.familyLaws().find((f) => f.family === 'example-sweep')!;
  const overtrain = engine.overtrainLaw(family);
  const model = familyModelOf({ ...family, fit: family.fit! }, overtrain);
  // An over-trained target (~500 tokens/parameter): its ladder runs lie past 40 tokens/parameter, where the blend leaves Chinchilla.
  // (At ~200 its one planned run, 160 tokens/parameter, fell where the two laws happen to agree within 2e-5.)
  const worker = planLadderRequest(
    { target: { kind: 'model', params: 3.89e8, tokens: 2e11, label: 'over-trained 400m' }, family: 'example-sweep', ladderBudget: '2e19' },
    engine.familyLaws(),
    engine.runs().map((r) => ({ id: r.id, family: r.hyper.family, status: r.status, params: r.hyper.params, tokens: r.hyper.tokens })),
    engine.hardware,
    undefined,
    [],
    (law) => engine.overtrainLaw(law),
  );
  assert.ok(!('error' in worker));
  assert.ok(worker.overlay.runs.length > 0);
  for (const r of worker.overlay.runs) assert.equal(r.loss, model.value(r.params, r.tokens), r.id);
  const raw = (n: number, d: number) => chinchillaLaw.evaluate(family.fit!.fitParams, [n, d]);
  // At a planned run the model is not the raw law (else this test could not tell them apart).
  assert.ok(
    worker.overlay.runs.some((r) => Math.abs(r.loss / raw(r.params, r.tokens) - 1) > 1e-4),
    worker.overlay.runs.map((r) => `${r.loss} vs ${raw(r.params, r.tokens)}`).join('; '),
  );
});

test('a config that repeats its data: the ladder predicts at the effective tokens, as the lens does', () => {
  const plan = {
    params: { total: 4e8 },
    tokens: 8e10,
    uniqueTokens: 1e10,
    architecture: { nLayer: 24, dModel: 1024 },
  } as unknown as Parameters<typeof targetOfPlan>[0];
  const target = targetOfPlan(plan, 'repeats');
  assert.ok(!('error' in target) && target.kind === 'model');
  assert.equal(target.tokens, 8e10);
  assert.ok(target.lossTokens! > 1e10 && target.lossTokens! < 8e10, String(target.lossTokens));
  const ladder = planLadder({ target, fraction: 0.01 });
  assert.ok(!('error' in ladder));
  assert.equal(ladder.target.tokens, 8e10);
  assert.equal(ladder.target.lossTokens, target.lossTokens);
  // The budget is a fraction of the target's compute on all its tokens; the loss is the law's at the effective ones.
  assert.ok(Math.abs(ladder.budget.flops / (0.01 * 6 * 4e8 * 8e10) - 1) < 1e-12);
  const atEffective = planLadder({ target: { kind: 'model', params: 4e8, tokens: target.lossTokens! }, fraction: 0.01 });
  assert.ok(!('error' in atEffective));
  assert.equal(ladder.after.loss, atEffective.after.loss);
});

test("planned-400m: `ladder` and `plan --budget` at the config's compute say one N* and one N* interval, in the same words", () => {
  const config = path.join(examples, 'configs/planned-400m');
  const ladder = run([config, '--workspace', examples, '--json']);
  assert.equal(ladder.code, 0, ladder.stderr);
  const lp = JSON.parse(ladder.stdout);
  const plan = run(['--budget', String(lp.target.flops), '--workspace', examples, '--json'], planCommand);
  assert.equal(plan.code, 0, plan.stderr);
  const pp = JSON.parse(plan.stdout);
  assert.ok(pp.frontierUncertainty, 'the plan has an N* interval');
  assert.ok(Math.abs(lp.now.nStar / pp.recommended.params - 1) < 1e-6, `N* ${lp.now.nStar} vs ${pp.recommended.params}`);
  for (const k of [0, 1])
    assert.ok(Math.abs(lp.now.nStarInterval[k] / pp.frontierUncertainty.nStar[k] - 1) < 1e-6, `${lp.now.nStarInterval} vs ${pp.frontierUncertainty.nStar}`);
  const words = /N\* [\d.]+[kMBT]? \(80%: [^)]+\)/;
  const inLadder = run([config, '--workspace', examples]).stdout.match(words)?.[0];
  const inPlan = run(['--budget', String(lp.target.flops), '--workspace', examples], planCommand).stdout.match(words)?.[0];
  assert.ok(inLadder && inLadder === inPlan, `ladder "${inLadder}", plan "${inPlan}"`);
});

test('ladder: friendly errors', () => {
  assert.match(run([]).stderr, /needs a target/);
  assert.match(run(['a.json', '--budget', '1e22']).stderr, /not both/);
  assert.match(run(['--budget', '1e22', '--fraction', '2']).stderr, /--fraction must be between 0 and 1/);
  assert.match(run(['--budget', '1e22', '--ladder-budget', 'lots']).stderr, /--ladder-budget: cannot read/);
  assert.match(run(['--budget', '1e22', '--family', 'x']).stderr, /--family does nothing without a workspace of runs/);
  const dir = tempDir('ladder-cli-');
  const missing = run([path.join(dir, 'nope.json')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.json/);
  const noTokens = path.join(dir, 'config.json');
  fs.writeFileSync(noTokens, JSON.stringify({ model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257 }));
  const r = run([noTokens]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /tokens/);
});
