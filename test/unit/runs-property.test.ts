import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import fc from 'fast-check';
import { JsonlReader, parseJsonl } from '../../src/core/runs/jsonl';
import { FileTail, isTailError } from '../../src/core/runs/tail';
import type { ReadResult } from '../../src/core/runs/common';
import { parseTrainerState } from '../../src/core/runs/hfTrainerState';

const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.constant('NaN-bare'),
  fc.constant('nan'),
);
const record = fc.record(
  {
    step: fc.integer({ min: 0, max: 100_000 }),
    loss: value,
    lr: value,
    eval_loss: value,
    tokens: fc.integer({ min: 0, max: 1e12 }),
    note: fc.string({ unit: 'grapheme', maxLength: 12 }),
  },
  { requiredKeys: ['step'] },
);
const line = fc.oneof(
  { weight: 8, arbitrary: record.map((r) => JSON.stringify(r).replace('"NaN-bare"', 'NaN')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);

test('property: tailing random appends then parsing equals parsing the whole file at once', () => {
  const dir = tempDir('sl-prop-');
  let n = 0;
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (lines, cuts, crlf) => {
      const text = lines.map((l) => l.replace(/[\r\n]/g, ' ')).join(crlf ? '\r\n' : '\n') + '\n';
      const bytes = Buffer.from(text, 'utf8');
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const f = path.join(dir, `p${n++}.jsonl`);
      fs.writeFileSync(f, '');
      const tail = new FileTail(f);
      const reader = new JsonlReader(f);
      const got: ReadResult = { points: [], diagnostics: [], nonFinite: [] };
      let prev = 0;
      for (const cut of [...points, bytes.length]) {
        fs.appendFileSync(f, bytes.subarray(prev, cut));
        prev = cut;
        const r = tail.read();
        if (isTailError(r)) throw new Error(r.error);
        assert.equal(r.rewritten, false);
        const res = reader.push(r.lines, r.firstLineNumber);
        got.points.push(...res.points);
        got.diagnostics.push(...res.diagnostics);
        got.nonFinite.push(...res.nonFinite);
      }
      const whole = parseJsonl(text, f);
      assert.deepEqual(got, whole);
      fs.rmSync(f);
    }),
    { numRuns: fuzzRuns() },
  );
});

// trainer_state.json is read with JSON.parse when it can and with the tree parse otherwise (a document
// holding "Infinity" anywhere always takes the tree parse); both must give the same result, so every
// document is read as is and with a top-level key that forces the tree parse, on its first line so no
// line moves.
const stateValue = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => JSON.stringify(v)),
  fc.integer({ min: -5, max: 1_000_000 }).map(String),
  fc.constantFrom('"3.5"', '"nan"', '"inf"', '" 2e3 "', '"x"', 'null', 'true', '{}', '[1]', '{"a": 1}', '""', '1e400', '-0'),
);
const stateKey = fc.constantFrom(
  'step',
  'loss',
  'eval_loss',
  'eval_wiki_loss',
  'eval_aux_loss',
  'learning_rate',
  'grad_norm',
  'epoch',
  'num_input_tokens_seen',
  'train_loss',
  'train_runtime',
  'total_flos',
  '__proto__',
  '0',
  'z_metric',
);
const stateRow = fc.oneof({ weight: 8, arbitrary: fc.array(fc.tuple(stateKey, stateValue), { maxLength: 8 }) }, { weight: 1, arbitrary: stateValue });
const topKey = fc.constantFrom(
  'global_step',
  'max_steps',
  'num_input_tokens_seen',
  'train_batch_size',
  'logging_steps',
  'total_flos',
  'num_train_epochs',
  'best_metric',
  '__proto__',
);

test('property: trainer_state.json read with JSON.parse equals the tree parse, diagnostics included', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(topKey, stateValue), { maxLength: 6 }),
      fc.array(stateRow, { maxLength: 12 }),
      fc.integer({ min: 0, max: 3 }),
      fc.boolean(),
      (top, rows, historyAt, lossesZero) => {
        const history = `"log_history": [\n${rows.map((r) => (typeof r === 'string' ? r : `{${r.map(([k, v]) => `"${k}": ${lossesZero && k === 'loss' ? '0' : v}`).join(', ')}}`)).join(',\n')}\n]`;
        const entries = top.map(([k, v]) => `"${k}": ${v}`);
        entries.splice(Math.min(historyAt, entries.length), 0, history);
        const rest = `${entries.join(',\n')}\n}\n`;
        const file = '/ws/out/trainer_state.json';
        const plain = parseTrainerState(`{\n${rest}`, file);
        const tree = parseTrainerState(`{"forces_the_tree_parse_Infinity": 0,\n${rest}`, file);
        assert.deepEqual(plain, tree);
      },
    ),
    { numRuns: 400 },
  );
});
