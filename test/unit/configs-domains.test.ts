// Inputs outside physical sense (issue 17): a config, a plan or a curve with a learning rate above 1,
// a vocabulary above 10^7, a model above 10^15 parameters, a schedule above 10^8 steps, a warm-up
// longer than training, options that do nothing: rejected (or clamped) with the value as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfig } from '../../src/core/configs/index';
import { estimateCommand, type CliContext } from '../../src/cliCommands/estimate';
import { planCommand } from '../../src/cliCommands/plan';
import { curveCommand } from '../../src/cliCommands/curve';
import { CommandUsageError, type CommandIo } from '../../src/cliCommands/fitShared';
import { ScalingWorkspace } from '../../src/core/workspace';
import { tempDir } from './helpers/tempDir';

const MODEL = {
  model_type: 'llama',
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  vocab_size: 32000,
  max_position_embeddings: 2048,
};
const ARGS = { learning_rate: 3e-4, max_steps: 10000, warmup_steps: 100, per_device_train_batch_size: 8 };

function read(model: string, args?: string) {
  return readConfig({ file: '/r/config.json', text: model, readSibling: (p) => (p === '/r/training_args.json' ? args : undefined) });
}

test('a config value too large for a number is "too large", quoted as written', () => {
  const r = read(JSON.stringify(MODEL).replace('"hidden_size":768', '"hidden_size":1e400'));
  assert.equal(r.kind, 'error');
  assert.ok(
    r.diagnostics.some((d) => d.message === '"hidden_size": 1e400 is too large'),
    JSON.stringify(r.diagnostics),
  );
});

test('out-of-domain config values are rejected with file, line and the value as written', () => {
  const cases: [Record<string, unknown>, Record<string, unknown>, string, string][] = [
    [{ vocab_size: 1e8 }, {}, '/r/config.json', 'vocabulary 100000000: above 10^7 tokens; not estimated'],
    [{}, { learning_rate: 5 }, '/r/training_args.json', 'learning rate 5: above 1: training would diverge at once; not estimated'],
    [{}, { max_steps: 2e9, warmup_steps: 10 }, '/r/training_args.json', 'training steps 2000000000: above 10^8; not estimated'],
    [
      { hidden_size: 900000, intermediate_size: 3600000, num_hidden_layers: 10000 },
      {},
      '/r/config.json',
      'parameters, above 10^15: larger than any model; not estimated',
    ],
  ];
  for (const [model, args, file, message] of cases) {
    const r = read(JSON.stringify({ ...MODEL, ...model }, null, 1), JSON.stringify({ ...ARGS, ...args }, null, 1));
    assert.equal(r.kind, 'error', message);
    const d = r.diagnostics.find((x) => x.message.endsWith(message));
    assert.ok(d, `${message}: ${JSON.stringify(r.diagnostics)}`);
    assert.equal(d.file, file);
    if (!message.startsWith('parameters')) assert.ok(d.line !== undefined && d.line > 1, 'the line of the value');
  }
});

test('a warm-up longer than training is clamped to it, with a warning', () => {
  const r = read(JSON.stringify(MODEL), JSON.stringify({ ...ARGS, max_steps: 500, warmup_steps: 2000 }));
  assert.equal(r.kind, 'plan');
  if (r.kind !== 'plan') return;
  assert.equal(r.plan.schedule?.warmupSteps, 500);
  assert.ok(
    r.diagnostics.some((d) => d.severity === 'warning' && d.message === 'warm-up steps 2000: longer than the whole training (500 steps); clamped to 500'),
  );
});

class Usage extends Error {}
function runCli(command: typeof estimateCommand, args: string[]): { code: number | 'usage'; err: string } {
  let err = '';
  const ctx: CliContext = {
    loadWorkspace: () => {
      throw new Error('not used');
    },
    emptyWorkspace: (hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
    usage: (m) => new Usage(m),
    stdout: () => undefined,
    stderr: (t) => void (err += t),
  };
  try {
    return { code: command(args, ctx), err };
  } catch (error) {
    if (error instanceof Usage) return { code: 'usage', err: error.message };
    throw error;
  }
}

test('plan: sizes out of domain and options that do nothing are usage errors quoting the value', () => {
  assert.deepEqual(runCli(planCommand, ['--budget', '1e21', '--params', '1e400']), { code: 'usage', err: '--params 1e400 is too large' });
  assert.deepEqual(runCli(planCommand, ['--budget', '1e21', '--params', '2e15']), { code: 'usage', err: '--params 2e15 is too large: above 10^15 parameters' });
  assert.deepEqual(runCli(planCommand, ['--budget', '1e21', '--vocab', '5e7']), { code: 'usage', err: '--vocab 5e7 is too large: above 10^7 tokens' });
  assert.equal(
    runCli(planCommand, ['--budget', '1e21', '--family', 'web']).err,
    '--family does nothing without a workspace of runs (--workspace, or runs in the current folder): it picks the family whose law is used',
  );
  assert.equal(runCli(planCommand, ['--budget', '1e21', '--where', 'a=b']).err, '--where does nothing without --isoflop (it filters the IsoFLOP table)');
});

test('curve: schedule options out of domain or without --schedule are usage errors', () => {
  const dir = tempDir('sl-curve-dom-');
  const log = path.join(dir, 'metrics.jsonl');
  fs.writeFileSync(log, Array.from({ length: 20 }, (_, i) => JSON.stringify({ step: (i + 1) * 10, loss: 3 - i * 0.01 })).join('\n') + '\n');
  const io: CommandIo = { stdout: () => undefined, stderr: () => undefined };
  const usage = (args: string[]): string => {
    try {
      curveCommand([log, ...args], io);
    } catch (e) {
      if (e instanceof CommandUsageError) return e.message;
      throw e;
    }
    return 'accepted';
  };
  assert.equal(usage(['--peak-lr', '3e-4']), '--peak-lr does nothing without --schedule');
  assert.equal(usage(['--schedule', 'cosine', '--peak-lr', '3']), '--peak-lr 3 is above 1: no training uses such a learning rate');
  assert.equal(usage(['--schedule', 'cosine', '--peak-lr', '3e-4', '--total-steps', '1e9']), '--total-steps 1e9 is above 10^8 steps: too long');
  assert.equal(
    usage(['--schedule', 'cosine', '--peak-lr', '3e-4', '--total-steps', '1000', '--warmup-steps', '2000']),
    '--warmup-steps 2000 is longer than --total-steps 1000',
  );
});
