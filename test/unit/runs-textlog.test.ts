// Plain-text trainer logs. Fixture lines are written here from each framework's print statement
// (cited in src/core/runs/textLog.ts); none is copied from a real log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import { TextLogReader, isGenericTextLogName, isTextLogPath, parsePythonDict, sniffTextLog } from '../../src/core/runs/textLog';
import { compileUserPatterns, mayBacktrackBadly, MAX_USER_LINE_CHARS, TEXT_LOG_PATTERNS_SETTING, type UserPattern } from '../../src/core/runs/textLogPatterns';
import { lossUnitOf, parseTextNumber, toNats } from '../../src/core/runs/textLogValues';
import { RunIndex, detectLogFormat } from '../../src/core/runs/index';
import type { ReadResult } from '../../src/core/runs/common';
import type { Run } from '../../src/core/runs/types';
import { DEFAULT_LOG_GLOBS } from '../../src/shared/logFiles';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';

const ESC = '\x1b';

function read(text: string, patterns: unknown = undefined): ReadResult & { reader: TextLogReader } {
  const reader = new TextLogReader('/logs/x.log', { userPatterns: compileUserPatterns(patterns).patterns });
  const res = reader.push(text.split('\n'), 1);
  return { ...res, reader };
}

function pointsOf(res: ReadResult, metric: string): [number, number][] {
  return res.points.filter((p) => p.metric === metric).map((p) => [p.step, p.value]);
}

function roleOf(res: ReadResult, metric: string): string | undefined {
  return res.points.find((p) => p.metric === metric)?.role;
}

function close(actual: number, expected: number, rel = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected)), `${actual} ≉ ${expected}`);
}

// ---- values --------------------------------------------------------------------------------------

test('numbers: plain, %E, thousands commas, K/M/G/B/T suffixes, nan/inf; units are not multipliers', () => {
  const num = (s: string) => {
    const n = parseTextNumber(s);
    return n.kind === 'number' ? n.value : n.kind;
  };
  assert.equal(num('4.2'), 4.2);
  assert.equal(num('1.258695E+01'), 12.58695);
  assert.equal(num('3.000000E-05'), 3e-5);
  assert.equal(num('4,376'), 4376);
  assert.equal(num('177,138'), 177138);
  assert.equal(num('1.5M'), 1.5e6);
  assert.equal(num('12.3K'), 12300);
  assert.equal(num('12.3k'), 12300);
  assert.equal(num('2G'), 2e9);
  assert.equal(num('2B'), 2e9);
  assert.equal(num('1.1T'), 1.1e12);
  assert.equal(num('nan'), 'nonfinite');
  assert.equal(num('-inf'), 'nonfinite');
  assert.equal(num('2.47GiB'), 'none');
  assert.equal(num('1,23'), 'none');
  assert.equal(num('n/a'), 'none');
  assert.equal(num('K'), 'none');
  assert.equal(num(''), 'none');
});

test('loss units by name: perplexity and bits convert to nats, bits per byte is kept as it is', () => {
  assert.deepEqual(lossUnitOf('eval_perplexity'), { logged: 'perplexity', role: 'eval_loss' });
  assert.deepEqual(lossUnitOf('train_ppl'), { logged: 'perplexity', role: 'train_loss' });
  assert.deepEqual(lossUnitOf('lm loss PPL'), { logged: 'perplexity', role: 'train_loss' });
  assert.deepEqual(lossUnitOf('loss_bits'), { logged: 'bits', role: 'train_loss' });
  assert.deepEqual(lossUnitOf('val_bpb'), { logged: 'bits/byte', role: 'eval_loss' });
  assert.equal(lossUnitOf('loss'), undefined);
  assert.equal(lossUnitOf('upper'), undefined);
  close(toNats(Math.exp(2.5), 'perplexity')!.value, 2.5);
  close(toNats(3, 'bits')!.value, 3 * Math.LN2);
  assert.equal(toNats(0.9, 'bits/byte'), undefined);
  assert.equal(toNats(0, 'perplexity'), undefined);
});

// ---- frameworks ----------------------------------------------------------------------------------

test('nanoGPT: iter lines are the train loss, step lines the eval; tokens per iteration from the header', () => {
  const res = read(
    [
      'Overriding config with config/train_gpt2.py:',
      'tokens per iteration will be: 491,520',
      'number of parameters: 123.59M',
      'step 0: train loss 10.9876, val loss 10.9881',
      'iter 0: loss 10.9912, time 31234.56ms, mfu -100.00%',
      'iter 10: loss 9.5123, time 512.34ms, mfu 30.12%',
      'iter 20: loss 8.1002, time 511.02ms, mfu 30.20%',
      'step 2000: train loss 3.1234, val loss 3.1567',
      'saving checkpoint to out',
      'iter 2000: loss 3.0999, time 40000.00ms, mfu 29.90%',
    ].join('\n'),
  );
  assert.equal(res.reader.detected, 'nanogpt');
  assert.deepEqual(pointsOf(res, 'loss'), [
    [0, 10.9912],
    [10, 9.5123],
    [20, 8.1002],
    [2000, 3.0999],
  ]);
  assert.equal(roleOf(res, 'loss'), 'train_loss');
  assert.deepEqual(pointsOf(res, 'val/loss'), [
    [0, 10.9881],
    [2000, 3.1567],
  ]);
  assert.equal(roleOf(res, 'val/loss'), 'eval_loss');
  assert.equal(roleOf(res, 'train/loss'), 'other');
  // mfu -100% is nanoGPT's "not measured yet", not a value.
  assert.deepEqual(pointsOf(res, 'mfu_percent'), [
    [10, 30.12],
    [20, 30.2],
    [2000, 29.9],
  ]);
  assert.equal(res.points.find((p) => p.metric === 'loss' && p.step === 20)?.tokens, 20 * 491520);
  assert.equal(res.diagnostics.length, 0);
});

test('modded-nanogpt: step:N/M lines after the source code echo', () => {
  const res = read(
    [
      'import os',
      'print(f"step:{step}/{n} val_loss:{v:.4f}")',
      'step:0/1770 val_loss:10.8258 train_time:0ms step_avg:nanms',
      'step:1/1770 train_time:25925ms step_avg:nanms',
      'step:125/1770 val_loss:4.2511 train_time:12345ms step_avg:98.76ms',
    ].join('\n'),
  );
  assert.equal(res.reader.detected, 'modded-nanogpt');
  assert.deepEqual(pointsOf(res, 'val_loss'), [
    [0, 10.8258],
    [125, 4.2511],
  ]);
  assert.equal(roleOf(res, 'val_loss'), 'eval_loss');
});

test('Megatron-LM: `|`-separated fields in %E, timestamps before, validation lines as `lm loss validation`', () => {
  const res = read(
    [
      'using world size: 8, data-parallel size: 8',
      '  lr .............................................. 0.0003',
      '[2025-01-01 10:00:00] iteration       10/    1000 | consumed samples:         1280 | elapsed time per iteration (ms): 1234.5 | learning rate: 3.000000E-05 | global batch size:   128 | lm loss: 1.058695E+01 | loss scale: 1.0 | grad norm: 10.275 | number of skipped iterations:   0 | number of nan iterations:   0 |',
      ' iteration       20/    1000 | consumed samples:         2560 | elapsed time per iteration (ms): 1200.1 | learning rate: 6.000000E-05 | global batch size:   128 | lm loss: 9.123400E+00 | loss scale: 1.0 | grad norm: 5.100 | number of skipped iterations:   0 | number of nan iterations:   0 |',
      '-'.repeat(100),
      ' validation loss at iteration 20 | lm loss value: 9.012345E+00 | lm loss PPL: 8.197400E+03 | ',
      '-'.repeat(100),
    ].join('\n'),
  );
  assert.equal(res.reader.detected, 'megatron');
  assert.deepEqual(pointsOf(res, 'lm loss'), [
    [10, 10.58695],
    [20, 9.1234],
  ]);
  assert.equal(roleOf(res, 'lm loss'), 'train_loss');
  assert.deepEqual(pointsOf(res, 'learning rate'), [
    [10, 3e-5],
    [20, 6e-5],
  ]);
  assert.equal(roleOf(res, 'learning rate'), 'lr');
  assert.deepEqual(pointsOf(res, 'consumed samples'), [
    [10, 1280],
    [20, 2560],
  ]);
  assert.deepEqual(pointsOf(res, 'lm loss validation'), [[20, 9.012345]]);
  assert.equal(roleOf(res, 'lm loss validation'), 'eval_loss');
  // The PPL beside a loss is not turned into a second loss.
  assert.ok(!res.points.some((p) => p.metric.includes('as nats')));
});

test('Megatron-DeepSpeed: consumed tokens give the tokens of every point', () => {
  const res = read(
    ' iteration      100/   10000 | consumed samples:        51200 | consumed tokens:    104857600 | elapsed time per iteration (ms): 900.0 | learning rate: 1.500E-04 | global batch size:   512 | lm loss: 5.432100E+00 | loss scale: 4096.0 |',
  );
  assert.deepEqual(pointsOf(res, 'lm loss'), [[100, 5.4321]]);
  assert.equal(res.points.find((p) => p.metric === 'lm loss')?.tokens, 104857600);
  assert.equal(roleOf(res, 'consumed tokens'), 'tokens');
});

test('GPT-NeoX: the Megatron line with `lm_loss`, after a throughput field', () => {
  const res = read(
    ' samples/sec: 51.200 | iteration       10/     100 | elapsed time per iteration (ms): 1500.0 | learning rate: 1.234E-04 | approx flops per GPU: 150.3TFLOPS | lm_loss: 6.543210E+00 | number of skipped iterations:   0 |',
  );
  assert.deepEqual(pointsOf(res, 'lm_loss'), [[10, 6.54321]]);
  assert.equal(roleOf(res, 'lm_loss'), 'train_loss');
  assert.equal(pointsOf(res, 'approx flops per GPU').length, 0);
});

test('torchtitan: ANSI colours and rank/logger prefixes removed, tps with commas, validation apart', () => {
  const line = (step: number, loss: string, tps: string) =>
    `[rank0]:[titan] 2025-10-30 14:32:58,897 - root - INFO - ${ESC}[31mstep: ${String(step).padStart(2)}  ${ESC}[32mloss: ${loss}  ${ESC}[33mgrad_norm:  3.6855  ${ESC}[36mmemory:  2.47GiB(3.12%)  ${ESC}[34mtps: ${tps}  ${ESC}[36mtflops: 1.90  ${ESC}[35mmfu: 0.19%${ESC}[39m`;
  const res = read(
    [
      '[rank0]:[titan] 2025-10-30 14:32:50,000 - root - INFO - Starting job: Llama 3 debug training',
      line(1, ' 8.1661', '3,502'),
      line(2, ' 6.1098', '177,138'),
      `[rank0]:[titan] 2025-10-30 14:33:00,000 - root - INFO - ${ESC}[33mvalidate step:  2  ${ESC}[32mloss:  6.5000  ${ESC}[36mmemory:  2.47GiB(3.12%)${ESC}[39m`,
      line(10, '12.3456', '1.5M'),
    ].join('\n'),
  );
  assert.equal(res.reader.detected, 'torchtitan');
  assert.deepEqual(pointsOf(res, 'loss'), [
    [1, 8.1661],
    [2, 6.1098],
    [10, 12.3456],
  ]);
  assert.deepEqual(pointsOf(res, 'tps'), [
    [1, 3502],
    [2, 177138],
    [10, 1.5e6],
  ]);
  assert.deepEqual(pointsOf(res, 'memory_gib'), [
    [1, 2.47],
    [2, 2.47],
    [10, 2.47],
  ]);
  assert.deepEqual(pointsOf(res, 'validation/loss'), [[2, 6.5]]);
  assert.equal(roleOf(res, 'validation/loss'), 'eval_loss');
});

test('litgpt: `iter N step M` lines on the optimizer-step axis; validations placed on it too', () => {
  const res = read(
    [
      'Seed set to 42',
      'Epoch 1 | iter 2 step 1 | loss train: 10.900, val: n/a | iter time: 548.72 ms (step) remaining time: 0:12:03',
      'Epoch 1 | iter 4 step 2 | loss train: 10.712, val: n/a | iter time: 300.10 ms (step) remaining time: 0:11:00',
      'Validating ...',
      'iter 4: val loss 10.6500, val time: 1201.40 ms',
      'Epoch 1 | iter 6 step 3 | loss train: 10.500, val: 10.650 | iter time: 301.00 ms (step) remaining time: 0:10:58',
    ].join('\n'),
  );
  assert.equal(res.reader.detected, 'litgpt');
  assert.deepEqual(pointsOf(res, 'loss'), [
    [1, 10.9],
    [2, 10.712],
    [3, 10.5],
  ]);
  assert.deepEqual(pointsOf(res, 'val_loss'), [
    [2, 10.65],
    [3, 10.65],
  ]);
  assert.equal(roleOf(res, 'val_loss'), 'eval_loss');
});

test('nanotron: human-format values (K/M), torchrun rank prefixes, a second rank skipped', () => {
  const line = (rank: number, it: number, loss: string, tokens: string) =>
    `[default${rank}]:12/11/2023 13:23:48 [INFO|DP=0|PP=0|TP=0]: iteration: ${it} / 100 | consumed_tokens: ${tokens} | elapsed_time_per_iteration_ms: 20.3K | tokens_per_sec: 12.6K | global_batch_size: 256 | lm_loss: ${loss} | lr: 3e-05 | model_tflops_per_gpu: 0.0843 | grad_norm: 1.64`;
  const res = read(
    [line(0, 1, '10.8', '1.28K'), line(1, 1, '10.9', '1.28K'), line(0, 2, '10.1', '2.56K'), line(1, 2, '99', '2.56K'), line(0, 3, '9.5', '1.5M')].join('\n'),
  );
  assert.equal(res.reader.detected, 'nanotron');
  assert.deepEqual(pointsOf(res, 'lm_loss'), [
    [1, 10.8],
    [2, 10.1],
    [3, 9.5],
  ]);
  assert.equal(roleOf(res, 'lm_loss'), 'train_loss');
  assert.deepEqual(pointsOf(res, 'consumed_tokens'), [
    [1, 1280],
    [2, 2560],
    [3, 1.5e6],
  ]);
  assert.equal(res.points.find((p) => p.metric === 'lm_loss' && p.step === 3)?.tokens, 1.5e6);
  assert.deepEqual(pointsOf(res, 'tokens_per_sec'), [
    [1, 12600],
    [2, 12600],
    [3, 12600],
  ]);
  assert.deepEqual(pointsOf(res, 'lr'), [
    [1, 3e-5],
    [2, 3e-5],
    [3, 3e-5],
  ]);
});

test('HF Trainer stdout: Python dict lines, the step from the progress bar tqdm redraws after each row', () => {
  const bar = (n: number, total: number) => `${Math.floor((100 * n) / total)}%|#         | ${n}/${total} [00:05<08:10,  2.02it/s]`;
  const blank = ' '.repeat(40);
  const text = [
    `\r${bar(0, 1000)}\r${bar(7, 1000)}\r${bar(9, 1000)}\r${blank}\r{'loss': 2.31, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.01}`,
    `\r${bar(10, 1000)}\r${bar(15, 1000)}\r${bar(19, 1000)}\r${blank}\r{'loss': 2.1, 'grad_norm': tensor(0.9512, device='cuda:0'), 'learning_rate': 4.9e-05, 'epoch': 0.02}`,
    `\r${bar(20, 1000)}`,
    `\r${bar(0, 5)}\r${bar(5, 5)}\r${blank}\r{'eval_loss': 2.05, 'eval_runtime': 1.2, 'eval_samples_per_second': 40.0, 'epoch': 0.02}`,
    `\r${bar(20, 1000)}\r${bar(29, 1000)}\r${blank}\r{'loss': nan, 'grad_norm': nan, 'learning_rate': 4.8e-05, 'epoch': 0.03}`,
    `\r${bar(30, 1000)}`,
    `{'train_runtime': 500.1, 'train_samples_per_second': 3.2, 'train_steps_per_second': 2.0, 'train_loss': 2.0, 'epoch': 1.0}`,
  ].join('\n');
  const res = read(text);
  assert.equal(res.reader.detected, 'hf-trainer-stdout');
  assert.deepEqual(pointsOf(res, 'loss'), [
    [10, 2.31],
    [20, 2.1],
  ]);
  assert.deepEqual(pointsOf(res, 'grad_norm'), [
    [10, 1.2],
    [20, 0.9512],
  ]);
  assert.equal(roleOf(res, 'learning_rate'), 'lr');
  assert.deepEqual(pointsOf(res, 'eval_loss'), [[20, 2.05]]);
  assert.equal(roleOf(res, 'eval_loss'), 'eval_loss');
  // nan loss: the run diverged at step 30; the whole-run summary row is not a curve point.
  assert.deepEqual(
    res.nonFinite.map((e) => [e.metric, e.step]),
    [['loss', 30]],
  );
  assert.ok(res.diagnostics.some((d) => d.severity === 'error' && d.line === 5 && d.message.includes('loss is nan at step 30')));
  assert.equal(pointsOf(res, 'train_loss').length, 0);
});

test('HF Trainer stdout: bars with a description (datasets map) are not the step; a row followed by a warning keeps the last count', () => {
  const res = read(
    [
      'Map: 100%|##########| 5000/5000 [00:01<00:00, 4000.00 examples/s]',
      '  1%|          | 10/800 [00:05<06:00,  2.20it/s]',
      "{'loss': 3.1, 'learning_rate': 1e-05, 'epoch': 0.01}",
      '  1%|          | 10/800 [00:05<06:00,  2.20it/s]',
      ' 2%|▏         | 19/800 [00:09<06:00,  2.20it/s]',
      "{'loss': 3.0, 'learning_rate': 1e-05, 'epoch': 0.02}",
      'UserWarning: something was deprecated',
      '  3%|▎         | 20/800 [00:10<06:00,  2.20it/s]',
    ].join('\n'),
  );
  assert.deepEqual(pointsOf(res, 'loss'), [
    [10, 3.1],
    [19, 3.0],
  ]);
});

test('HF Trainer stdout without a progress bar: rows numbered, said so once', () => {
  const res = read(
    ["{'loss': 2.5, 'learning_rate': 5e-05, 'epoch': 0.1}", "{'loss': 2.4, 'learning_rate': 4e-05, 'epoch': 0.2}", "{'eval_loss': 2.45, 'epoch': 0.2}"].join(
      '\n',
    ),
  );
  assert.deepEqual(pointsOf(res, 'loss'), [
    [1, 2.5],
    [2, 2.4],
  ]);
  assert.deepEqual(pointsOf(res, 'eval_loss'), [[2, 2.45]]);
  assert.equal(res.diagnostics.filter((d) => d.severity === 'info' && d.message.includes('logging_steps')).length, 1);
});

test('Python dict repr parser: quotes, tensors, numpy scalars, strings', () => {
  const d = parsePythonDict(`{'loss': '2.31', "eval/acc": np.float64(0.5), 'grad_norm': tensor(1.5, device='cuda:0'), 'flag': True, 'x': -1e-05}`);
  assert.deepEqual(d && Object.fromEntries(d), { loss: '2.31', 'eval/acc': '0.5', grad_norm: '1.5', flag: 'True', x: '-1e-05' });
  assert.equal(parsePythonDict('not a dict'), undefined);
});

test('losses logged as perplexity or bits become nats with the unit recorded; bits per byte stay unconverted', () => {
  const res = read(
    ["{'eval_perplexity': 7.38905609893065, 'epoch': 1.0}", "{'loss': 2.1, 'train_ppl': 8.17, 'val_bpb': 0.95}", "{'loss_bits': 2.8853900817779268}"].join(
      '\n',
    ),
  );
  const conv = res.points.find((p) => p.metric === 'eval_perplexity (as nats)');
  assert.ok(conv);
  close(conv.value, 2);
  assert.equal(conv.role, 'eval_loss');
  assert.equal(conv.unit, 'nats from perplexity');
  // A perplexity beside the loss it came from is not a second loss.
  assert.ok(!res.points.some((p) => p.metric === 'train_ppl (as nats)'));
  const bpb = res.points.find((p) => p.metric === 'val_bpb');
  assert.equal(bpb?.unit, 'bits/byte');
  assert.equal(bpb?.role, 'other');
  assert.equal(bpb?.value, 0.95);
  const bits = res.points.find((p) => p.metric === 'loss_bits (as nats)');
  assert.ok(bits);
  close(bits.value, 2);
  assert.equal(bits.unit, 'nats from bits');
  assert.equal(bits.role, 'train_loss');
  assert.equal(res.diagnostics.filter((d) => d.severity === 'info' && d.message.includes('as nats')).length, 2);
});

test('a file of no known format yields nothing and no error; the framework is fixed by the first metric line', () => {
  const res = read(
    ['Traceback (most recent call last):', '  File "train.py", line 1', 'RuntimeError: CUDA out of memory', 'step 5 done', 'loss went down'].join('\n'),
  );
  assert.equal(res.points.length, 0);
  assert.equal(res.diagnostics.length, 0);
  assert.equal(res.reader.detected, undefined);
  // nanoGPT fixed first: a later torchtitan-looking line is noise in this file.
  const mixed = read(['iter 1: loss 5.0, time 1.0ms, mfu 1.00%', 'step: 2  loss: 99.0', 'iter 2: loss 4.0, time 1.0ms, mfu 1.00%'].join('\n'));
  assert.deepEqual(pointsOf(mixed, 'loss'), [
    [1, 5],
    [2, 4],
  ]);
});

// ---- user patterns -------------------------------------------------------------------------------

test('user patterns: named groups, tried first; invalid, unsafe and incomplete ones rejected naming the setting', () => {
  const compiled = compileUserPatterns([
    'step (?<step>\\d+), loss: (?<loss>[\\d.]+)(?:, lr (?<lr>\\S+))?(?:, tok (?<tokens>\\S+))?',
    '(?<step>\\d+',
    '(?<step>\\d+)+ loss (?<loss>\\S+)',
    'step (?<step>\\d+)',
    'step (?<step>\\d+) (?<acc>[\\d.]+) (?<loss>[\\d.]+)',
    '(?<step>\\d+) (\\w)\\1 (?<loss>\\S+)',
    42,
  ]);
  assert.equal(compiled.patterns.length, 1);
  const byIndex = new Map(compiled.diagnostics.map((d) => [Number(/\[(\d+)\]/.exec(d.message)?.[1]), d]));
  assert.deepEqual([...byIndex.keys()].sort(), [1, 2, 3, 4, 5, 6]);
  for (const d of compiled.diagnostics) {
    assert.equal(d.severity, 'error');
    assert.ok(d.message.startsWith(`${TEXT_LOG_PATTERNS_SETTING}[`));
  }
  assert.match(byIndex.get(1)!.message, /not a valid regular expression/);
  assert.match(byIndex.get(2)!.message, /exponential time/);
  assert.match(byIndex.get(3)!.message, /needs a named group/);
  assert.match(byIndex.get(4)!.message, /unknown named group\(s\) "acc"/);
  assert.match(byIndex.get(5)!.message, /back-references/);
  assert.deepEqual(compileUserPatterns('step').diagnostics.length, 1);

  const res = read(
    ['Using device: mps', 'step 0, loss: 10.899394989013672', 'step 1, loss: 10.719036102294922, lr 3e-4, tok 1.5M', 'step 2, loss: 9.968440055847168'].join(
      '\n',
    ),
    ['step (?<step>\\d+), loss: (?<loss>[\\d.]+)(?:, lr (?<lr>\\S+), tok (?<tokens>\\S+))?'],
  );
  assert.deepEqual(pointsOf(res, 'loss'), [
    [0, 10.899394989013672],
    [1, 10.719036102294922],
    [2, 9.968440055847168],
  ]);
  assert.deepEqual(pointsOf(res, 'lr'), [[1, 3e-4]]);
  assert.equal(res.points.find((p) => p.metric === 'loss' && p.step === 1)?.tokens, 1.5e6);
  // Without the pattern the same file is no known format.
  assert.equal(read('step 0, loss: 10.899394989013672').points.length, 0);
});

test('user patterns only see the first MAX_USER_LINE_CHARS of a line, and only lines holding their literal text', () => {
  const pad = 'x'.repeat(MAX_USER_LINE_CHARS);
  const res = read([`step 1 loss 2.5`, `${pad}step 2 loss 2.0`].join('\n'), ['step (?<step>\\d+) loss (?<loss>[\\d.]+)']);
  assert.deepEqual(pointsOf(res, 'loss'), [[1, 2.5]]);
  const compiled = compileUserPatterns(['step (?<step>\\d+) loss=(?<loss>[\\d.]+)']).patterns[0];
  assert.deepEqual(compiled.literals, ['step ', ' loss=']);
  let calls = 0;
  class CountingRegExp extends RegExp {
    override exec(s: string): RegExpExecArray | null {
      calls++;
      return super.exec(s);
    }
  }
  const counted: UserPattern = { ...compiled, regex: new CountingRegExp(compiled.source) };
  const out = new TextLogReader('/c.log', { userPatterns: [counted] }).push(['1'.repeat(400), 'step 3 loss=2.5', 'no step here loss 3'], 1);
  assert.deepEqual(pointsOf(out, 'loss'), [[3, 2.5]]);
  assert.equal(calls, 1);
});

test('nested repetition is refused; optional groups and repetition side by side are not', () => {
  for (const bad of ['(?<step>\\d+)+', '(?:a*)*', '(?:(?:a+)?)+', '(?:a{2,3})+', '(x)\\1']) assert.equal(mayBacktrackBadly(bad), true, bad);
  for (const ok of ['(\\d+)?', '(?:, lr (?<lr>\\S+))?', 'x+y+z+', '[\\d.]+', '(?:ab){0,1}c*']) assert.equal(mayBacktrackBadly(ok), false, ok);
});

// ---- detection, index, tailing -------------------------------------------------------------------

test('text logs by name: *.log, *.out, *.txt, slurm-*, stdout*; default globs match the manifest', () => {
  for (const f of ['/r/train.log', '/r/slurm-1234.out', '/r/slurm-1234.err', '/r/log.txt', '/r/stdout', '/r/stdout.1', '/r/job.out'])
    assert.equal(detectLogFormat(f), 'text', f);
  assert.equal(isTextLogPath('C:\\runs\\slurm-5.out'), true);
  assert.equal(detectLogFormat('/r/requirements.md'), undefined);
  assert.ok(isGenericTextLogName('train.log') && isGenericTextLogName('stdout') && !isGenericTextLogName('slurm-1234.out'));
  // Any *.out / stdout* / slurm-* is offered to the index, which reads it only when its content is a log;
  // *.txt only when the user adds it (a workspace of notes would have every one sniffed on each rescan).
  assert.ok(
    isDefaultLogFile('/a/b/run.log') &&
      isDefaultLogFile('/a/slurm-99.err') &&
      isDefaultLogFile('/a/job.out') &&
      isDefaultLogFile('/a/stdout.rank0') &&
      !isDefaultLogFile('/a/notes.txt') &&
      !isDefaultLogFile('/a/notes.md'),
  );
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
  assert.deepEqual(pkg.contributes.configuration.properties['scalingLens.logGlobs'].default, DEFAULT_LOG_GLOBS);
  assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(TEXT_LOG_PATTERNS_SETTING));
  assert.equal(typeof pkg.contributes.configuration.properties[TEXT_LOG_PATTERNS_SETTING].markdownDescription, 'string');
});

test('sniff: the framework from the first lines, undefined for a text file of something else', () => {
  assert.equal(sniffTextLog(['hello', 'iter 0: loss 10.9, time 1.0ms, mfu -100.00%']), 'nanogpt');
  assert.equal(sniffTextLog(['numpy==1.26', 'torch>=2.1']), undefined);
  // Thousands of lines of launch output before the first metric line.
  const nccl = Array.from({ length: 6000 }, (_, i) => `node${i % 64}:1234:1234 [${i % 8}] NCCL INFO Channel 00/02 : 0 1 2 3`);
  assert.equal(sniffTextLog([...nccl, ' iteration        1/     100 | lm loss: 1.0E+01 |']), 'megatron');
  const patterns = compileUserPatterns(['^(?<step>\\d+)\\t(?<loss>[\\d.]+)$']).patterns;
  assert.equal(sniffTextLog(['0\t4.5'], { userPatterns: patterns }), 'user-pattern');
});

function write(root: string, rel: string, text: string): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

function seriesOf(run: Run | undefined, metric: string): [number, number][] {
  const s = run?.series.find((x) => x.metric === metric);
  return s ? Array.from(s.steps, (st, i) => [st, s.values[i]]) : [];
}

test('index: a text file with no metric lines is skipped with an info diagnostic, and read once lines appear', () => {
  const root = tempDir('sl-text-');
  const f = write(root, 'logs/slurm-77.out', 'Loading modules\nStarting training\n');
  const idx = new RunIndex();
  assert.deepEqual(idx.update(f, root), []);
  assert.equal(idx.runs().length, 0);
  const diags = idx.diagnostics().filter((d) => d.file === f);
  assert.equal(diags.length, 1);
  assert.equal(diags[0].severity, 'info');
  assert.match(diags[0].message, /not read as a training log/);
  fs.appendFileSync(f, 'iter 0: loss 10.5000, time 100.00ms, mfu -100.00%\niter 10: loss 8.2500, time 100.00ms, mfu 10.00%\n');
  idx.update(f, root);
  const runs = idx.runs();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].id, 'logs/slurm-77.out');
  assert.equal(runs[0].format, 'text');
  assert.deepEqual(seriesOf(runs[0], 'loss'), [
    [0, 10.5],
    [10, 8.25],
  ]);
  assert.equal(idx.diagnostics().filter((d) => d.file === f).length, 0);
});

test('index: W&B’s captured console (`wandb/run-*/files/output.log`) is not a second run', () => {
  const root = tempDir('sl-text-');
  const f = write(root, 'wandb/run-20240101_000000-abc123/files/output.log', 'iter 0: loss 9.0000, time 1.00ms, mfu 1.00%\n');
  const idx = new RunIndex();
  idx.update(f, root);
  assert.equal(idx.runs().length, 0);
  assert.equal(idx.diagnostics().filter((d) => d.file === f && d.severity === 'info').length, 1);
});

test('index: each named text log is its own run; train.log is its folder’s run with the folder’s config', () => {
  const root = tempDir('sl-text-');
  const line = (s: number, l: number) => `iter ${s}: loss ${l.toFixed(4)}, time 1.00ms, mfu 1.00%\n`;
  const a = write(root, 'sweep/slurm-1.out', line(0, 5) + line(10, 4));
  const b = write(root, 'sweep/slurm-2.out', line(0, 6) + line(10, 5));
  const c = write(root, 'run-350m/train.log', 'tokens per iteration will be: 8,192\n' + line(0, 7) + line(100, 3));
  const idx = new RunIndex();
  for (const f of [a, b, c]) idx.update(f, root);
  const runs = idx.runs();
  assert.deepEqual(
    runs.map((r) => r.id),
    ['run-350m', 'sweep/slurm-1.out', 'sweep/slurm-2.out'],
  );
  assert.equal(runs[0].hyper.tokensPerStep, 8192);
  assert.deepEqual(seriesOf(runs[2], 'loss'), [
    [0, 6],
    [10, 5],
  ]);
});

test('index tailing: a partial last line waits for its newline; a relaunch in the same file keeps the latest write', () => {
  const root = tempDir('sl-text-');
  const f = write(root, 'r/train.log', 'iter 0: loss 9.0000, time 1.00ms, mfu 1.00%\niter 10: loss 8.0000, time 1.00ms, mfu 1.00%\niter 20: loss 4.2');
  const idx = new RunIndex();
  idx.update(f, root);
  assert.deepEqual(seriesOf(idx.runs()[0], 'loss'), [
    [0, 9],
    [10, 8],
  ]);
  fs.appendFileSync(f, '500, time 1.00ms, mfu 1.00%\n');
  idx.update(f, root);
  assert.deepEqual(seriesOf(idx.runs()[0], 'loss'), [
    [0, 9],
    [10, 8],
    [20, 4.25],
  ]);
  // A second launch appended to the same file (as the nanoGPT blog log has): it resumes from step 10.
  fs.appendFileSync(f, 'Resuming training from out\niter 10: loss 7.5000, time 1.00ms, mfu 1.00%\niter 30: loss 6.0000, time 1.00ms, mfu 1.00%\n');
  idx.update(f, root);
  assert.deepEqual(seriesOf(idx.runs()[0], 'loss'), [
    [0, 9],
    [10, 7.5],
    [30, 6],
  ]);
});

test('index: units travel with the series; user patterns set on the index, their errors in its diagnostics', () => {
  const root = tempDir('sl-text-');
  const f = write(root, 'r/out.log', "{'eval_perplexity': 20.085536923187668, 'epoch': 1.0}\n");
  const g = write(root, 's/custom.log', 'E1 S5 L=3.5\nE1 S10 L=3.25\n');
  const idx = new RunIndex();
  idx.setTextLogPatterns(['S(?<step>\\d+) L=(?<loss>[\\d.]+)', '(?<step>\\d+']);
  idx.update(f, root);
  idx.update(g, root);
  const runs = idx.runs();
  const ppl = runs.find((r) => r.id === 'r')?.series.find((s) => s.metric === 'eval_perplexity (as nats)');
  assert.equal(ppl?.unit, 'nats from perplexity');
  assert.equal(ppl?.role, 'eval_loss');
  close(ppl!.values[0], 3);
  assert.deepEqual(
    seriesOf(
      runs.find((r) => r.id === 's/custom.log'),
      'loss',
    ),
    [
      [5, 3.5],
      [10, 3.25],
    ],
  );
  const settingErrors = idx.diagnostics().filter((d) => d.file.includes(TEXT_LOG_PATTERNS_SETTING));
  assert.equal(settingErrors.length, 1);
  assert.match(settingErrors[0].message, /\[1\] ignored: not a valid regular expression/);
});

// ---- properties ----------------------------------------------------------------------------------

const frameworkLine = fc.constantFrom(
  'iter 10: loss 4.2000, time 12.00ms, mfu 3.00%',
  'step 100: train loss 3.1, val loss 3.2',
  ' iteration       10/    1000 | lm loss: 1.058695E+01 | learning rate: 3.0E-04 |',
  ' validation loss at iteration 20 | lm loss value: 9.0E+00 | lm loss PPL: 8.1E+03 |',
  `${ESC}[31mstep: 10  ${ESC}[32mloss:  7.9000  ${ESC}[34mtps: 12,345  mfu: 1.00%${ESC}[39m`,
  'Epoch 1 | iter 10 step 1 | loss train: 10.900, val: n/a | iter time: 1.00 ms',
  'iteration: 10 / 100 | consumed_tokens: 1.5M | lm_loss: 4.2 | lr: 3e-4',
  "{'loss': 2.31, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.1}",
  ' 10%|#   | 100/1000 [00:10<01:30, 10.00it/s]',
  'step:10/1770 val_loss:4.2 train_time:100ms',
);

test('property: any text never throws and yields only finite points on finite, non-negative steps', () => {
  const noisyLine = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    frameworkLine,
    fc.tuple(frameworkLine, fc.nat({ max: 60 }), fc.string({ maxLength: 10 })).map(([l, cut, junk]) => l.slice(0, cut) + junk + l.slice(cut)),
  );
  fc.assert(
    fc.property(fc.array(noisyLine, { maxLength: 40 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }), (lines, patterns) => {
      const reader = new TextLogReader('/p.log', { userPatterns: compileUserPatterns(patterns).patterns });
      const res = reader.push(lines, 1);
      for (const p of res.points) {
        assert.ok(Number.isFinite(p.value) && Number.isFinite(p.step) && p.step >= 0, JSON.stringify(p));
      }
      for (const d of res.diagnostics) assert.ok(d.file === '/p.log');
    }),
    { numRuns: fuzzRuns() },
  );
});

test('property: good lines survive any noise and damaged lines around them (nanoGPT and Megatron)', () => {
  // Noise without digits cannot be a metric line, and damage keeps a line's own step or breaks it.
  const noise = fc.string({ maxLength: 60 }).map((s) => s.replace(/[0-9{|]/g, '.'));
  fc.assert(
    fc.property(
      fc.constantFrom('nanogpt', 'megatron'),
      fc.array(
        fc.record({ loss: fc.double({ min: 0.01, max: 20, noNaN: true }), keep: fc.boolean(), cut: fc.nat({ max: 200 }), noiseBefore: fc.option(noise) }),
        { minLength: 1, maxLength: 30 },
      ),
      (framework, rows) => {
        const lines: string[] = [];
        const expected: [number, number][] = [];
        rows.forEach((row, i) => {
          const step = (i + 1) * 10;
          const loss = row.loss.toFixed(4);
          const good =
            framework === 'nanogpt'
              ? `iter ${step}: loss ${loss}, time 10.00ms, mfu 5.00%`
              : ` iteration ${String(step).padStart(8)}/   10000 | consumed samples: ${step * 8} | lm loss: ${Number(loss).toExponential(6).toUpperCase()} | loss scale: 1.0 |`;
          if (row.noiseBefore !== null) lines.push(row.noiseBefore);
          if (row.keep) {
            lines.push(good);
            expected.push([step, Number(loss)]);
          } else {
            // Damaged: cut off before the loss value ends, so no loss can be read from it.
            const lossAt = good.indexOf(framework === 'nanogpt' ? 'loss ' : 'lm loss: ');
            lines.push(good.slice(0, Math.min(lossAt + 2, row.cut)));
          }
        });
        const res = new TextLogReader('/p.log').push(lines, 1);
        const metric = framework === 'nanogpt' ? 'loss' : 'lm loss';
        const got = res.points.filter((p) => p.metric === metric).map((p) => [p.step, p.value]);
        assert.deepEqual(got, expected);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});
