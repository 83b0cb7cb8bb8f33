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
