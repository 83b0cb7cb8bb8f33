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

class Usage extends Error {}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const examples = path.resolve(__dirname, '../../examples');

function run(args: string[]): { code: number | 'usage'; stdout: string; stderr: string } {
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
    return { code: ladderCommand(args, ctx), stdout, stderr };
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

test('ladder: friendly errors', () => {
  assert.match(run([]).stderr, /needs a target/);
  assert.match(run(['a.json', '--budget', '1e22']).stderr, /not both/);
  assert.match(run(['--budget', '1e22', '--fraction', '2']).stderr, /--fraction must be between 0 and 1/);
  assert.match(run(['--budget', '1e22', '--ladder-budget', 'lots']).stderr, /--ladder-budget: cannot read/);
  assert.match(run(['--budget', '1e22', '--family', 'x']).stderr, /--family does nothing without --workspace/);
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
