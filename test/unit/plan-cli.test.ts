import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { estimateCommand, type CliContext } from '../../src/cliCommands/estimate';
import { planCommand } from '../../src/cliCommands/plan';
import { ScalingWorkspace } from '../../src/core/workspace';
import { tempDir } from './helpers/tempDir';

class Usage extends Error {}

function run(command: typeof estimateCommand, args: string[]): { code: number | 'usage'; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    loadWorkspace: () => {
      throw new Error('not used');
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

const dir = tempDir('plan-cli-');
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

const GPT2_CONFIG = JSON.stringify({ model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257 });

test('estimate --json: the documented shape, with cost, memory and predictions', () => {
  const sub = path.join(dir, 'gpt2');
  fs.mkdirSync(sub);
  fs.writeFileSync(path.join(sub, 'config.json'), GPT2_CONFIG);
  fs.writeFileSync(
    path.join(sub, 'training_args.json'),
    JSON.stringify({
      per_device_train_batch_size: 8,
      gradient_accumulation_steps: 4,
      world_size: 8,
      max_steps: 1000,
      max_seq_length: 1024,
      learning_rate: 6e-4,
    }),
  );
  const r = run(estimateCommand, [sub, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.applicable, true);
  assert.deepEqual(
    Object.keys(out.plan.params).filter((k) => out.plan.params[k] !== undefined),
    ['total', 'nonEmbedding'],
  );
  assert.equal(out.plan.params.total, 124_439_808);
  assert.equal(out.plan.batchTokens, 8 * 4 * 8 * 1024);
  assert.equal(out.plan.tokens, 1000 * 8 * 4 * 8 * 1024);
  assert.equal(out.plan.seqLen, 1024);
  assert.equal(out.plan.lr, 6e-4);
  assert.equal(out.plan.gpus, 8);
  for (const k of ['flops', 'gpuHours', 'usd', 'memoryPerGpuBytes']) assert.ok(typeof out.cost[k] === 'number' && out.cost[k] > 0, k);
  assert.equal(out.predictions.loss, null);
  assert.equal(typeof out.predictions.uncalibrated, 'string');
  assert.equal(out.predictions.lr.length, 2);
  assert.ok(Array.isArray(out.notes));
});

test('estimate: a LoRA fine-tune is not applicable (exit 0, with the reason)', () => {
  const file = write(
    'lora.yml',
    'base_model: meta-llama/Llama-3.2-1B\nadapter: lora\nlora_r: 16\nsequence_len: 2048\nmicro_batch_size: 2\ngradient_accumulation_steps: 2\nnum_epochs: 1\nlearning_rate: 2e-4\n',
  );
  const r = run(estimateCommand, [file, '--json']);
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout);
  assert.equal(out.applicable, false);
  assert.match(out.reason, /LoRA/);
  const none = run(estimateCommand, [write('other.yaml', 'name: hello\nitems: [1, 2]\n')]);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /not applicable: no model in this file/);
});

test('estimate: unreadable, malformed, zero layers and contradictory keys exit non-zero with the line', () => {
  assert.equal(run(estimateCommand, [path.join(dir, 'missing.yaml')]).code, 1);
  const malformed = run(estimateCommand, [write('bad.json', '{\n  "model_type": "gpt2",\n  "n_layer": 12,,\n}')]);
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /bad\.json:3/);
  const zero = run(estimateCommand, [write('zero.yaml', 'model:\n  layers: 0\n  d_model: 64\n  heads: 4\n  vocab: 100\n')]);
  assert.equal(zero.code, 1);
  assert.match(zero.stderr, /zero\.yaml:2/);
  const contradictory = run(estimateCommand, [
    write('both.yaml', 'model:\n  layers: 2\n  d_model: 64\n  heads: 4\n  vocab: 100\ntraining:\n  tokens: 5.0e9\n  steps: 10\n  batch_tokens: 1000\n'),
  ]);
  assert.equal(contradictory.code, 1);
  assert.match(contradictory.stderr, /contradicts/);
  assert.equal(run(estimateCommand, []).code, 'usage');
  assert.equal(run(estimateCommand, [path.join(dir, 'zero.yaml'), '--mfu', '7']).code, 'usage');
});

test("--usd-per-hour prices the hardware in use: the default, --hardware (aliases too), or the budget's own", () => {
  const sub = path.join(dir, 'gpt2-priced');
  fs.mkdirSync(sub);
  fs.writeFileSync(path.join(sub, 'config.json'), GPT2_CONFIG);
  fs.writeFileSync(
    path.join(sub, 'training_args.json'),
    JSON.stringify({ per_device_train_batch_size: 8, gradient_accumulation_steps: 4, world_size: 8, max_steps: 1000, max_seq_length: 1024 }),
  );
  const cost = (args: string[]) => {
    const r = run(estimateCommand, [sub, '--json', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).cost as { gpuHours: number; usd: number; hardware: { id: string; usdPerHour: number } };
  };
  // Default hardware: the price applies to it, the hours do not change.
  const base = cost([]);
  const priced = cost(['--usd-per-hour', '7']);
  assert.equal(priced.gpuHours, base.gpuHours);
  assert.ok(Math.abs(priced.usd - 7 * base.gpuHours) < 1e-9 * priced.usd, `${priced.usd} = 7 × ${base.gpuHours}`);
  assert.notEqual(base.usd, priced.usd);
  // `A100` is the planner's alias of the 80 GB part: the price lands on the profile actually used.
  const a100 = cost(['--hardware', 'A100', '--usd-per-hour', '3']);
  assert.ok(a100.gpuHours > base.gpuHours, 'an A100 takes longer than an H100');
  assert.ok(Math.abs(a100.usd - 3 * a100.gpuHours) < 1e-9 * a100.usd);
  assert.equal(run(estimateCommand, [sub, '--hardware', 'Z80', '--usd-per-hour', '3']).code, 'usage');
  // plan: the default hardware, and a budget in another accelerator's hours.
  const plain = JSON.parse(run(planCommand, ['--budget', '1e21', '--json']).stdout).recommended;
  const planPriced = JSON.parse(run(planCommand, ['--budget', '1e21', '--usd-per-hour', '10', '--json']).stdout).recommended;
  assert.ok(Math.abs(planPriced.usd - 10 * plain.gpuHours) < 1e-6 * planPriced.usd);
  const hours = JSON.parse(run(planCommand, ['--budget', '1000 A100-h', '--usd-per-hour', '2', '--json']).stdout).recommended;
  assert.ok(Math.abs(hours.gpuHours - 1000) < 1e-6);
  assert.ok(Math.abs(hours.usd - 2000) < 1e-3, `1000 A100-h at $2/h: ${hours.usd}`);
});

test('plan --budget 1e21 --json: recommended about 20 tokens per parameter, alternatives with loss and cost', () => {
  const r = run(planCommand, ['--budget', '1e21', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const rec = out.recommended;
  assert.ok(rec.tokens / rec.params > 15 && rec.tokens / rec.params < 30);
  for (const k of ['params', 'tokens', 'lr', 'batchTokens', 'flops', 'gpuHours', 'usd']) assert.equal(typeof rec[k], 'number', k);
  assert.equal(rec.loss, null);
  assert.match(rec.uncalibrated, /no fitted law/);
  assert.equal(out.alternatives.length, 3);
  assert.ok(out.alternatives.some((a: { params: number }) => a.params < rec.params) && out.alternatives.some((a: { params: number }) => a.params > rec.params));
});

test('plan: hours, dollars, inference tokens and a deadline; absurd inputs exit non-zero with a message', () => {
  const hours = JSON.parse(run(planCommand, ['--budget', '5000 H100-h', '--json']).stdout);
  assert.ok(Math.abs(hours.recommended.gpuHours - 5000) < 1e-6);
  const dollars = JSON.parse(run(planCommand, ['--budget', '$2M', '--usd-per-hour', '2', '--json']).stdout);
  assert.ok(Math.abs(dollars.recommended.usd - 2e6) < 1e-3);
  const serve = JSON.parse(run(planCommand, ['--budget', '1e22', '--inference-tokens', '1T', '--json']).stdout);
  assert.ok(serve.recommended.inference.tokens === 1e12);
  const text = run(planCommand, ['--budget', '1e22', '--deadline-days', '30', '--gpus', '64']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /recommended:\n  compute-optimal: N .* params/);
  for (const args of [['--budget=-1e21'], ['--budget', '1e40'], ['--budget', '1e21', '--params=-5'], ['--budget', 'soon']]) {
    const bad = run(planCommand, args);
    assert.equal(bad.code, 1, args.join(' '));
    assert.ok(bad.stderr.length > 10, args.join(' '));
  }
  // A deadline without --gpus does nothing: a usage error naming the flag (core/optionScope.ts).
  assert.equal(run(planCommand, ['--budget', '1e21', '--deadline-days', '3']).code, 'usage');
  assert.equal(run(planCommand, []).code, 'usage');
  assert.equal(run(planCommand, ['--budget', '1e21', '--params', 'many']).code, 'usage');
});

test('plan --isoflop: the frontier comes from the table (rows filtered by --where)', () => {
  const TRUE = { E: 1.7, A: 400, B: 1500, alpha: 0.34, beta: 0.37 };
  const rows = ['flops,params,tokens,loss,set'];
  for (const c of [1e17, 3e17, 1e18, 3e18, 1e19]) {
    for (const n of [1e7, 2e7, 5e7, 1e8, 2e8, 5e8, 1e9]) {
      const d = c / (6 * n);
      rows.push(`${c},${n},${d},${TRUE.E + TRUE.A / n ** TRUE.alpha + TRUE.B / d ** TRUE.beta},a`);
      rows.push(`${c},${n},${d},9,b`);
    }
  }
  const csv = write('iso.csv', rows.join('\n'));
  const r = run(planCommand, ['--budget', '1e20', '--isoflop', csv, '--where', 'set=a', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.match(out.frontier, /IsoFLOP frontier fitted on .*iso\.csv \[set=a\]/);
  const g = ((TRUE.alpha * TRUE.A) / (TRUE.beta * TRUE.B)) ** (1 / (TRUE.alpha + TRUE.beta));
  const expected = g * (1e20 / 6) ** (TRUE.beta / (TRUE.alpha + TRUE.beta));
  assert.ok(Math.abs(out.recommended.params / expected - 1) < 0.2, `${out.recommended.params} vs ${expected}`);
});
