// The shared metric vocabulary: what each logged name is, and which one a run uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { RunIndex, mainLoss } from '../../src/core/runs/index';
import { chooseStepKey, describeMetricChoices, nameWords, readMetricName } from '../../src/core/runs/vocabulary';

test('names are cut at separators and camelCase humps', () => {
  assert.deepEqual(nameWords('train/CrossEntropyLoss'), ['train', 'cross', 'entropy', 'loss']);
  assert.deepEqual(nameWords('metrics/train/LanguageCrossEntropy'), ['metrics', 'train', 'language', 'cross', 'entropy']);
  assert.deepEqual(nameWords('lr-AdamW/pg1'), ['lr', 'adam', 'w', 'pg1']);
  assert.deepEqual(nameWords('lm loss'), ['lm', 'loss']);
});

test('roles of the spellings frameworks and hand-written loops use', () => {
  const cases: [string, string][] = [
    // train losses: plain, prefixed, suffixed, abbreviated, capitalised
    ['loss', 'train_loss'],
    ['train_loss', 'train_loss'],
    ['train/loss', 'train_loss'],
    ['Loss/train', 'train_loss'],
    ['lm loss', 'train_loss'],
    ['lm_loss', 'train_loss'],
    ['train_loss_step', 'train_loss'],
    ['trainLoss', 'train_loss'],
    ['train/CrossEntropyLoss', 'train_loss'],
    ['metrics/train/LanguageCrossEntropy', 'train_loss'],
    ['loss/train/total', 'train_loss'],
    ['train.loss', 'train_loss'],
    ['tr_loss', 'train_loss'],
    ['nll_loss', 'train_loss'],
    ['avg_loss', 'train_loss'],
    // eval losses
    ['eval_loss', 'eval_loss'],
    ['val_loss', 'eval_loss'],
    ['val/loss', 'eval_loss'],
    ['valid_loss', 'eval_loss'],
    ['validation/loss', 'eval_loss'],
    ['lm loss validation', 'eval_loss'],
    ['Loss/test', 'eval_loss'],
    ['valLoss', 'eval_loss'],
    ['eval/c4_en-validation/CrossEntropyLoss', 'eval_loss'],
    // parts, statistics and other axes of a loss are not the loss
    ['loss scale', 'other'],
    ['loss_scale', 'other'],
    ['aux_loss', 'other'],
    ['train/ZLoss', 'other'],
    ['moe_loss', 'other'],
    ['load_balancing_loss', 'other'],
    ['epoch_loss', 'train_loss'],
    ['val_epoch_loss', 'eval_loss'],
    ['lm loss vs samples', 'other'],
    ['loss_std', 'other'],
    ['grad_norm', 'other'],
    ['train_perplexity_step', 'other'],
    ['val_ppl', 'other'],
    ['predict_loss', 'other'],
    ['value_loss', 'other'],
    // learning rates
    ['lr', 'lr'],
    ['learning_rate', 'lr'],
    ['train/learning_rate', 'lr'],
    ['learning rate', 'lr'],
    ['lr-AdamW', 'lr'],
    ['optim/lr', 'lr'],
    ['lr-SGD-momentum', 'other'],
    ['lr_warmup_steps', 'other'],
    ['weight_decay', 'other'],
    // tokens seen, not rates or per-batch counts
    ['tokens', 'tokens'],
    ['consumed_tokens', 'tokens'],
    ['consumed tokens', 'tokens'],
    ['num_input_tokens_seen', 'tokens'],
    ['total_tokens', 'tokens'],
    ['tokens_seen', 'tokens'],
    ['train/tokens', 'tokens'],
    ['tokens_per_sec', 'other'],
    ['tokens_per_step', 'other'],
    ['num_tokens', 'other'],
    ['tps', 'other'],
    ['throughput/tokens_per_second', 'other'],
    // neither
    ['epoch', 'other'],
    ['mfu', 'other'],
    ['x'.repeat(500) + '_loss', 'other'],
  ];
  for (const [name, role] of cases) assert.equal(readMetricName(name).role, role, name);
});

test('order of preference: a named cross-entropy over a plain loss over a smoothed one; validation over test', () => {
  const rank = (n: string) => readMetricName(n).rank;
  assert.ok(rank('lm_loss') < rank('loss'));
  assert.ok(rank('train/CrossEntropyLoss') < rank('train/loss'));
  assert.ok(rank('loss') < rank('avg_loss'));
  assert.ok(rank('loss') < rank('loss_wikitext'), 'an unknown word makes a name less canonical');
  assert.ok(rank('val_loss') < rank('test_loss'));
  assert.ok(rank('train_loss_step') < rank('train_loss_epoch'), 'a per-step loss over a per-epoch one');
  assert.ok(rank('lr') < rank('lr-AdamW/pg1'));
});

test("NeMo's reduced_train_loss is the step's loss all-reduced across data-parallel ranks, not a smoothed one", () => {
  // NeMo megatron_gpt_model.py: `reduced_loss = average_losses_across_data_parallel_group([loss])` … `self.log('reduced_train_loss', …, prog_bar=True)`.
  const reading = readMetricName('reduced_train_loss');
  assert.equal(reading.role, 'train_loss');
  assert.doesNotMatch(reading.rule, /smoothed/);
  assert.equal(reading.rank, readMetricName('train_loss').rank);
  assert.ok(reading.rank < readMetricName('running_train_loss').rank);
});

test('step keys: optimizer step over step over iteration over W&B _step over micro-steps', () => {
  assert.equal(chooseStepKey(['iter', 'step']), 'step');
  assert.equal(chooseStepKey(['step', 'global_step']), 'global_step');
  assert.equal(chooseStepKey(['_step', 'iteration']), 'iteration');
  assert.equal(chooseStepKey(['micro_step', 'iter_num']), 'iter_num');
  assert.equal(chooseStepKey(['micro_step', 'loss']), 'micro_step');
  assert.equal(chooseStepKey(['num_updates', 'loss']), 'num_updates');
  // A loop with gradient accumulation logging its optimizer updates beside W&B's row counter
  // (AuroraEchos/TinyLM's W&B 0.24.2 run: _step 107,124 rows, train/update_step 13,390 updates).
  assert.equal(chooseStepKey(['_step', 'train/loss', 'train/update_step']), 'train/update_step');
  assert.equal(chooseStepKey(['update_step', 'loss']), 'update_step');
  assert.equal(chooseStepKey(['loss', 'epoch']), undefined);
});

function write(root: string, rel: string, text: string): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

test('a run with several losses uses the preferred one, says which and why, for every reader alike', () => {
  const root = tempDir('sl-vocab-');
  const rows = [];
  for (let i = 1; i <= 30; i++)
    rows.push(
      JSON.stringify({
        global_step: i * 10,
        step: i,
        loss: 5 - i / 20,
        lm_loss: 4.9 - i / 20,
        aux_loss: 0.01,
        avg_loss: 5,
        val_loss: 5.1 - i / 25,
        'lr-AdamW': 1e-3,
      }),
    );
  const idx = new RunIndex();
  idx.update(write(root, 'a/metrics.jsonl', rows.join('\n') + '\n'), root);
  const csvRows = ['step,train/CrossEntropyLoss,train/ZLoss,eval/loss'];
  for (let i = 1; i <= 25; i++) csvRows.push(`${i},${(4 - i / 50).toFixed(3)},0.001,${(4.2 - i / 50).toFixed(3)}`);
  idx.update(write(root, 'b/metrics.csv', csvRows.join('\n') + '\n'), root);
  const [a, b] = idx.runs();
  const la = mainLoss(a.series)!;
  assert.equal(la.metric, 'lm_loss');
  // x is the optimizer step, preferred over `step`.
  assert.equal(la.steps[la.steps.length - 1], 300);
  assert.equal(a.series.find((s) => s.role === 'train_loss')?.metric, 'lm_loss', 'the first train loss is the chosen one');
  assert.equal(a.series.find((s) => s.metric === 'aux_loss')?.role, 'other');
  const text = describeMetricChoices(a.metrics ?? [])!;
  assert.match(text, /^train loss "lm_loss" \(a named cross-entropy/);
  assert.match(text, /not used: "loss", "avg_loss"/);
  assert.match(text, /eval loss "val_loss"/);
  assert.match(text, /lr "lr-AdamW"/);
  assert.equal(mainLoss(b.series)?.metric, 'train/CrossEntropyLoss');
  assert.equal(b.metrics?.find((c) => c.role === 'eval_loss')?.metric, 'eval/loss');
});
