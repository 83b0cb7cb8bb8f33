// The generic learner of text logs (runs/textLearner.ts), through the text reader that uses it:
// the shapes of trainers without a pattern of their own, and two properties: it never invents a
// series from prose or code, and it finds one in any line family of the vocabulary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextLogReader, sniffTextLog } from '../../src/core/runs/textLog';
import { LEARNER_PATTERNS } from '../../src/core/runs/textLearner';
import { mayBacktrackBadly } from '../../src/core/runs/textLogPatterns';
import type { ReadResult } from '../../src/core/runs/common';

function read(lines: string[]): ReadResult & { reader: TextLogReader } {
  const reader = new TextLogReader('/r/train.log');
  return { ...reader.push(lines, 1), reader };
}

/** The points of one metric as [step, value], in order. */
function series(res: ReadResult, metric: string): [number, number][] {
  return res.points.filter((p) => p.metric === metric).map((p) => [p.step, p.value]);
}

function roleOf(res: ReadResult, metric: string): string | undefined {
  return res.points.find((p) => p.metric === metric)?.role;
}

test("the learner's patterns are linear (no repetition inside a repetition)", () => {
  for (const re of LEARNER_PATTERNS) assert.equal(mayBacktrackBadly(re.source), false, re.source);
});

test('modded-nanogpt abbreviations (s:, trl:, tel:) after the script source the log starts with', () => {
  const code = ['import os', 'def main():', '    for step in range(1000):', '        loss = model(x)', '        print0(f"s:{step} trl:{loss.item():.6f}")'];
  const res = read([...code, 's:0 trl:10.965596', 's:1 trl:10.814037', 's:2 trl:10.543272', 's:3 trl:10.201', 's:250 tel:6.3097']);
  assert.equal(res.reader.detected, 'generic');
  assert.deepEqual(series(res, 'trl'), [
    [0, 10.965596],
    [1, 10.814037],
    [2, 10.543272],
    [3, 10.201],
  ]);
  assert.equal(roleOf(res, 'trl'), 'train_loss');
  // Once the file is a log, an eval family with a step is taken from its first line.
  assert.deepEqual(series(res, 'tel'), [[250, 6.3097]]);
  assert.equal(roleOf(res, 'tel'), 'eval_loss');
  const rule = res.diagnostics.find((d) => d.message.startsWith('read by the generic line learner'));
  assert.ok(rule, 'a diagnostic names the rule');
  assert.equal(rule.line, 6, 'at the first line of the family');
  assert.match(rule.message, /step "s" rising and the loss "trl"/);
});

test('llm.c / nanoGPT descendants: "step N/M | train loss x | … | (ms | tok/s)"', () => {
  const lines = Array.from(
    { length: 6 },
    (_, i) => `step ${String(i + 1).padStart(4)}/74 | train loss ${(11 - i * 0.25).toFixed(6)} | norm 15.4 | lr 1.00e-06 | (4290.95 ms | 122184 tok/s)`,
  );
  const res = read(lines);
  assert.deepEqual(
    series(res, 'train loss').map(([s]) => s),
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(series(res, 'train loss')[5][1], 9.75);
  assert.equal(roleOf(res, 'lr'), 'lr');
});

test('epoch-local steps become global: "Epoch [e/E], Step [s/S], Loss: x"', () => {
  const lines = Array.from(
    { length: 8 },
    (_, i) => `Epoch [${Math.floor(i / 4) + 1}/10], Step [${((i % 4) + 1) * 100}/400], Loss: ${(3 - i * 0.1).toFixed(4)}`,
  );
  const res = read(lines);
  assert.deepEqual(
    series(res, 'Loss').map(([s]) => s),
    [100, 200, 300, 400, 500, 600, 700, 800],
  );
});

test('a key-value line with a batch counter ("ep: 0, batch: 20, …, loss: x")', () => {
  const lines = Array.from({ length: 5 }, (_, i) => `ep: 0, batch: ${(i + 1) * 20}, time: 9.17, ntokens: 485.20/513, loss: ${(10.98 - i * 0.1).toFixed(6)}`);
  const res = read(lines);
  assert.deepEqual(
    series(res, 'loss').map(([s]) => s),
    [20, 40, 60, 80, 100],
  );
  assert.equal(series(res, 'ntokens/513').length, 0);
});

test('Composer and OLMo: a step header with the metrics indented below it', () => {
  const composer = Array.from({ length: 5 }, (_, i) => [
    `[batch=${i + 1}/100]:`,
    `\t Train time/batch: ${i}`,
    `\t Train loss/train/total: ${(10 - i / 4).toFixed(4)}`,
    `\t Train metrics/train/LanguageCrossEntropy: ${(10 - i / 4).toFixed(4)}`,
  ]).flat();
  const c = read(composer);
  assert.deepEqual(
    series(c, 'Train metrics/train/LanguageCrossEntropy').map(([s]) => s),
    [1, 2, 3, 4, 5],
  );
  assert.equal(roleOf(c, 'Train loss/train/total'), 'train_loss');
  const olmo = Array.from({ length: 5 }, (_, i) => [
    `2024-02-01 12:00:0${i}.123\tgpu1\tolmo.train:816\tINFO\t[step=${i + 1}/739328]`,
    `    train/CrossEntropyLoss=${(11 - i / 4).toFixed(2)}`,
    '    train/ZLoss=0.01',
  ]).flat();
  const o = read(olmo);
  assert.deepEqual(series(o, 'train/CrossEntropyLoss'), [
    [1, 11],
    [2, 10.75],
    [3, 10.5],
    [4, 10.25],
    [5, 10],
  ]);
  assert.ok(!o.points.some((p) => p.metric === 'train/ZLoss' && p.role === 'train_loss'), 'a part of the loss is not the loss');
});

test('fairseq: losses in base 2 (ppl = 2^nll_loss) are converted to nats', () => {
  const lines = Array.from(
    { length: 6 },
    (_, i) =>
      `2021-01-01 | INFO | train_inner | epoch 001:    ${(i + 1) * 100} / 1000 loss=${(8 - i * 0.3).toFixed(3)}, nll_loss=${(7 - i * 0.3).toFixed(3)}, ppl=${(2 ** (7 - i * 0.3)).toFixed(2)}, wps=1000, num_updates=${(i + 1) * 100}, lr=0.0005`,
  );
  const res = read(lines);
  const nll = series(res, 'nll_loss_bits (as nats)');
  assert.equal(nll.length, 6);
  assert.equal(nll[0][0], 100);
  assert.ok(Math.abs(nll[0][1] - 7 * Math.LN2) < 1e-9);
  assert.equal(res.points.find((p) => p.metric === 'nll_loss_bits (as nats)')?.unit, 'nats from bits');
});

test('DeepSpeed stdout: a loss line beside log_dist lines; a small table of step and values', () => {
  const ds = Array.from({ length: 5 }, (_, i) => [
    `[2024-01-01 00:00:0${i},000] [INFO] [logging.py:96:log_dist] [Rank 0] step=${i * 10}, skipped=0, lr=[0.0001], mom=[(0.9, 0.95)]`,
    `steps: ${i * 10} loss: ${(5 - i / 10).toFixed(4)} iter time (s): 0.512 samples/sec: 62.5`,
  ]).flat();
  assert.deepEqual(
    series(read(ds), 'loss').map(([s]) => s),
    [0, 10, 20, 30, 40],
  );
  const table = read(['step\tloss\tval_loss', ...Array.from({ length: 3 }, (_, i) => `${i * 10}\t${(3 - i * 0.1).toFixed(3)}\t${(3.1 - i * 0.1).toFixed(3)}`)]);
  assert.deepEqual(series(table, 'loss'), [
    [0, 3],
    [10, 2.9],
    [20, 2.8],
  ]);
  assert.equal(roleOf(table, 'val_loss'), 'eval_loss');
  assert.match(table.diagnostics.map((d) => d.message).join('\n'), /a table with columns "step", "loss", "val_loss"/);
});

test('print(dict) lines that carry their own step use it', () => {
  const res = read(Array.from({ length: 4 }, (_, i) => `{'step': ${i * 10}, 'loss': ${(3 - i * 0.1).toFixed(3)}, 'lr': 0.001}`));
  assert.deepEqual(
    series(res, 'loss').map(([s]) => s),
    [0, 10, 20, 30],
  );
  assert.equal(series(res, 'step').length, 0);
});

test('progress bars between lines and rank prefixes do not hide a family', () => {
  const lines = Array.from({ length: 5 }, (_, i) => `[rank0]: it ${i * 5} | loss ${(4 - i / 10).toFixed(3)}\r 40%|████      | 4/10 [00:01<00:02]`);
  const other = Array.from({ length: 5 }, (_, i) => `[rank1]: it ${i * 5} | loss 9.999`);
  const res = read([...lines, ...other]);
  assert.deepEqual(
    series(res, 'loss').map(([, v]) => v),
    [4, 3.9, 3.8, 3.7, 3.6],
  );
});

// ---- properties -----------------------------------------------------------------------------------

const proseWords = [
  'we',
  'trained',
  'the',
  'model',
  'for',
  'steps',
  'with',
  'a',
  'learning',
  'rate',
  'of',
  'and',
  'reached',
  'loss',
  'step',
  'at',
  'is',
  'was',
  'about',
  'after',
  'iteration',
  'val',
  'train',
  'tokens',
  'than',
];
const stop = ['of', 'at', 'is', 'was', 'about', 'after', 'to', 'than', 'with', 'by'];
const num = fc.oneof(
  fc.integer({ min: 0, max: 100000 }).map(String),
  fc.double({ min: 0, max: 20, noNaN: true }).map((x) => x.toFixed(3)),
);
/** A sentence: words, and every number led by a stop word (`a loss of 2.1`, `at step 500`) as prose puts them. */
const proseLine = fc
  .array(
    fc.oneof(
      fc.constantFrom(...proseWords),
      fc.tuple(fc.constantFrom(...stop), num).map(([w, n]) => `${w} ${n}`),
    ),
    { minLength: 3, maxLength: 14 },
  )
  .map((ws) => ws.join(' ') + '.');
const ident = fc.constantFrom('loss', 'step', 'lr', 'x', 'train_loss', 'val_loss', 'it', 'model', 'opt', 'batch');
/** Code: assignments, calls, loops and format strings, with numbers only as literals of code. */
const codeLine = fc.oneof(
  fc.tuple(ident, ident).map(([a, b]) => `    ${a} = ${b}(${a})`),
  fc.tuple(ident, num).map(([a, n]) => `${a} = ${n}  # default`),
  fc.tuple(ident, num).map(([a, n]) => `for ${a} in range(${n}):`),
  fc.tuple(ident, ident).map(([a, b]) => `        print(f"${a} {${a}}: ${b} {${b}:.4f}")`),
  fc.tuple(ident, num).map(([a, n]) => `    if ${a} % ${n} == 0:`),
  fc.tuple(ident, num, num).map(([a, n, m]) => `    ${a}s.append((${n}, ${m}))`),
  fc.tuple(ident, num).map(([a, n]) => `parser.add_argument("--${a}", type=float, default=${n})`),
);

test('property: the learner never invents a series from prose or code', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(proseLine, codeLine), { minLength: 1, maxLength: 80 }), (lines) => {
      const res = read(lines);
      assert.deepEqual(res.points, [], lines.join('\n'));
      assert.equal(sniffTextLog(lines), undefined);
    }),
    { numRuns: 300 },
  );
});

const stepKeys = fc.constantFrom('step', 'Step', 'iter', 'iteration', 'global_step', 'it', 's', 'num_updates', 'steps');
const lossKeys = fc.constantFrom<[string, string]>(
  ['loss', 'train_loss'],
  ['train_loss', 'train_loss'],
  ['train loss', 'train_loss'],
  ['lm loss', 'train_loss'],
  ['Loss', 'train_loss'],
  ['train/loss', 'train_loss'],
  ['trl', 'train_loss'],
  ['val_loss', 'eval_loss'],
  ['eval/loss', 'eval_loss'],
  ['valid loss', 'eval_loss'],
  ['tel', 'eval_loss'],
);
const sep = fc.constantFrom(': ', '=', ' ', ':');
const joiner = fc.constantFrom(' | ', ', ', '  ', ' ');
const prefix = fc.constantFrom('', '2024-05-01 12:00:00 INFO ', '[rank0]: ', 'node-3: ', '[train] ');

test('property: the learner finds the series in any line family of the vocabulary', () => {
  fc.assert(
    fc.property(
      stepKeys,
      lossKeys,
      sep,
      joiner,
      prefix,
      fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 5, maxLength: 30 }),
      fc.array(fc.integer({ min: 1, max: 99999 }), { minLength: 30, maxLength: 30 }),
      fc.boolean(),
      fc.array(proseLine, { maxLength: 5 }),
      (stepKey, [lossKey, role], s, j, pre, gaps, lossMilli, withLr, noise) => {
        let step = 0;
        const expected: [number, number][] = [];
        const lines: string[] = [...noise];
        gaps.forEach((g, i) => {
          step += g;
          const value = lossMilli[i] / 1000;
          expected.push([step, value]);
          const fields = [`${stepKey}${s}${step}`, `${lossKey}${s}${value.toFixed(3)}`];
          if (withLr) fields.push(`lr${s}3.0e-04`);
          lines.push(pre + fields.join(j));
          if (i % 3 === 0 && noise.length > 0) lines.push(noise[i % noise.length]);
        });
        fc.pre(new Set(expected.map(([, v]) => v)).size > 1);
        const res = read(lines);
        const metrics = [...new Set(res.points.filter((p) => p.role === role).map((p) => p.metric))];
        const found = metrics.some((m) => JSON.stringify(series(res, m)) === JSON.stringify(expected));
        assert.ok(found, `${lines.join('\n')}\n→ ${JSON.stringify(metrics.map((m) => [m, series(res, m).slice(0, 3)]))}`);
      },
    ),
    { numRuns: 300 },
  );
});
