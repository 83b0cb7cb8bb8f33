// The byte-level ingest path (JSONL read in place in the file's bytes, tail reads as bytes, bulk
// storage, the TFRecord scalar fast path, slicing-by-8 CRC) against the paths it stands in for:
// JSON.parse, the text reader, put() one point at a time, protobufjs, a bytewise CRC.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { byteShape, readBytesWithShape, readNumberBytes, scanFlatNumericLine, viewOf } from '../../src/core/runs/jsonlFast';
import { JsonlReader, type ColumnReadResult } from '../../src/core/runs/jsonl';
import { FileTail, isTailError } from '../../src/core/runs/tail';
import { SeriesColumns } from '../../src/core/runs/seriesStore';
import { isCleanColumn } from '../../src/core/runs/stepOrder';
import { RunIndex } from '../../src/core/runs/index';
import { TfEventsReader } from '../../src/core/runs/tfevents';
import { crc32c } from '../../src/core/runs/crc';
import type { ReadResult } from '../../src/core/runs/common';
import { crc32cRef, fileVersionEvent, scalarEvent, sessionStartEvent, tfRecord, type ScalarKind } from './helpers/tfevents';
import { tempDir } from './helpers/tempDir';
import { readEvents } from './helpers/tfeventsRead';
import { flatLineArb as flatLines, jsonEntries, mutatedLineArb as mutatedLines } from './helpers/jsonLines';

const RUNS = Number(process.env.SCALING_LENS_FUZZ_RUNS ?? 1000);

// ---- numbers -----------------------------------------------------------------------------------

const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
/** JSON number texts built from the grammar, with many digits, odd exponents and leading zeros. */
const numberTextArb = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.oneof(
      fc.constant('0'),
      fc.tuple(fc.constantFrom(...'123456789'), digits(0, 24)).map(([a, b]) => a + b),
    ),
    fc.option(digits(1, 30), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4)), { nil: undefined }),
  )
  .map(([sign, int, frac, exp]) => `${sign}${int}${frac === undefined ? '' : `.${frac}`}${exp === undefined ? '' : exp.join('')}`);
const anyNumberTextArb = fc.oneof(
  numberTextArb,
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => JSON.stringify(v)),
  fc.integer().map(String),
  fc.constantFrom(
    '-0',
    '0.0',
    '-0.0e5',
    '1e-320',
    '5e-324',
    '2.4703282292062328e-324',
    '1.7976931348623157e308',
    '1e309',
    '-1e309',
    '9007199254740993',
    '0.30000000000000004',
    '123456789012345678901234567890',
    '1e22',
    '1e23',
    '9007199254740992e22',
    '4.35679e-7',
  ),
);

test('bytes: a JSON number read from its bytes is exactly what JSON.parse gives (and -1 where JSON.parse fails)', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        anyNumberTextArb,
        anyNumberTextArb.map((t) => t.slice(0, -1)),
        fc.string({ maxLength: 6 }),
      ),
      fc.constantFrom('', ',', '}', ' ', 'x'),
      (text, after) => {
        // The caller skips whitespace; JSON.parse would accept it around the number.
        if (/^[ \t\r\n]|[ \t\r\n]$/.test(text)) return;
        const bytes = Buffer.from(text + after, 'latin1');
        const out = new Float64Array(1);
        const end = readNumberBytes(bytes, 0, bytes.length, out, 0, viewOf(bytes));
        let expected: number | undefined;
        try {
          const v: unknown = JSON.parse(text);
          if (typeof v === 'number') expected = v;
        } catch {
          expected = undefined;
        }
        if (expected !== undefined) {
          assert.equal(end, Buffer.byteLength(text, 'latin1'), `did not read all of ${text}`);
          assert.ok(Object.is(out[0], expected), `${text}: ${out[0]} but JSON.parse gives ${expected}`);
        } else if (end === bytes.length - after.length) {
          assert.fail(`read ${text} whole, which JSON.parse rejects`);
        }
      },
    ),
    { numRuns: RUNS * 5 },
  );
});

// ---- lines against a shape -----------------------------------------------------------------------

const keyArb = fc.oneof(
  fc.constantFrom('step', 'loss', 'lr', 'tokens', 'eval_loss', 'a:b', 'a b', 'ü', '🚀', 'train/loss', '__proto__'),
  fc.string({ maxLength: 6 }),
);
// JSON whitespace, and some that is not (form feed, no-break space, line separator): those lines are declined.
const spaceArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('', ' ', '  ', '\t', '\r', ' \r') },
  { weight: 1, arbitrary: fc.constantFrom('\f', '\u00a0', '\u2028', '\v') },
);

/** A flat numeric line with random spacing: [text, keys] (keys may repeat). */
const flatLineArb = flatLines(
  keyArb,
  anyNumberTextArb.filter((t) => JSON.parse(t) !== undefined),
  spaceArb,
  6,
  30,
);
const mutatedLineArb = mutatedLines(flatLineArb, ['', '"', ',', '}', '{', '-', '.', 'e', '1', '0', 'N', '\\', ' ', ':', '\n', '\u00e9']);

test('bytes: a line read against a shape (keys, then the learnt skeleton) gives what JSON.parse gives, or is declined', () => {
  fc.assert(
    fc.property(flatLineArb, fc.array(fc.oneof(flatLineArb, mutatedLineArb), { maxLength: 4 }), (first, rest) => {
      const scanned = scanFlatNumericLine(first);
      if (!scanned) return;
      const shape = byteShape([...scanned.keys()]);
      const values = new Float64Array(shape.keys.length + 1);
      for (const text of [first, ...rest]) {
        // The line, then another line after it: the read must stop at its own line feed (a
        // mutation may have put one inside: the line then ends there).
        const bytes = Buffer.from(`${text}\n{"x": 1}`, 'utf8');
        const line = text.split('\n')[0];
        const limit = bytes.length;
        const end = readBytesWithShape(bytes, 0, limit, shape, values);
        const lineBytes = Buffer.byteLength(line, 'utf8');
        const entries = jsonEntries(line);
        if (end >= 0) {
          assert.equal(end, lineBytes, `stopped at ${end}, not at the line feed, in ${JSON.stringify(line)}`);
          assert.ok(entries, `accepted ${JSON.stringify(line)}, which JSON.parse rejects`);
          assert.deepEqual(
            entries,
            shape.keys.map((k, i) => [k, values[i]]),
          );
        } else if (
          entries !== undefined &&
          entries.length === shape.keys.length &&
          entries.every(([k, v], i) => k === shape.keys[i] && typeof v === 'number')
        ) {
          // Declined a line of the same shape: only allowed when JSON.parse merged duplicate keys or
          // the text path would decline it too (escapes, index keys).
          const again = scanFlatNumericLine(line);
          const duplicates = (line.match(/"(?:[^"\\]|\\.)*"\s*:/g) ?? []).length !== entries.length;
          assert.ok(!again || duplicates, `declined ${JSON.stringify(line)} of the same shape`);
        }
      }
    }),
    { numRuns: RUNS },
  );
});

test('bytes: a line that differs from the learnt skeleton in any one byte outside its numbers is read by its own keys or declined, never as the skeleton', () => {
  // Runs of every length mod 4 (the skeleton compares whole words, then a run's last 4 bytes as one
  // overlapping word, and runs under 4 bytes byte by byte): each byte changed, alone, must be seen.
  const first = '{"step": 1, "loss": 2.5, "lr_x": 0.0003, "tokens": 524288, "a": 7, "bc": 8}';
  const scanned = scanFlatNumericLine(first);
  assert.ok(scanned);
  const shape = byteShape([...scanned.keys()]);
  const values = new Float64Array(shape.keys.length);
  assert.equal(readBytesWithShape(Buffer.from(first), 0, first.length, shape, values), first.length);
  assert.ok(shape.skeleton, 'the skeleton is learnt from the first line');
  const numbers = [...first.matchAll(/-?\d+(?:\.\d+)?/g)].flatMap((m) => Array.from({ length: m[0].length }, (_, k) => m.index + k));
  let changed = 0;
  for (let at = 0; at < first.length; at++) {
    if (numbers.includes(at)) continue;
    for (const replacement of ['x', '"', ' ', ',', '}', '\u00e9']) {
      if (first[at] === replacement) continue;
      const line = first.slice(0, at) + replacement + first.slice(at + 1);
      const bytes = Buffer.from(line, 'utf8');
      const end = readBytesWithShape(bytes, 0, bytes.length, shape, values);
      const entries = jsonEntries(line);
      const sameKeys = entries !== undefined && entries.length === shape.keys.length && entries.every(([k], i) => k === shape.keys[i]);
      if (end >= 0) {
        assert.ok(sameKeys, `read ${JSON.stringify(line)} as the shape's keys, which it does not have`);
        assert.deepEqual(
          entries,
          shape.keys.map((k, i) => [k, values[i]]),
        );
      }
      changed++;
    }
  }
  assert.ok(changed > 200, `${changed} lines tried`);
});

/** Numbers as loggers write them: shortest repr of any double or of a float32 (Python json.dumps), exponents, -0, subnormals, 17–25 digits. */
const loggedNumberArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.float({ noNaN: true, noDefaultInfinity: true }).map((f) => JSON.stringify(f)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toExponential(16).replace('e+', 'e')),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toPrecision(17).replace('e+', 'e')),
  fc.double({ min: 0, max: 2.2250738585072014e-308, noNaN: true }).map((d) => d.toExponential(20)),
  fc.tuple(fc.constantFrom('', '-'), fc.bigInt({ min: 10n ** 16n, max: 10n ** 25n }), fc.integer({ min: 0, max: 24 })).map(([sign, digits, dot]) => {
    const text = digits.toString();
    const at = Math.max(1, text.length - dot);
    return `${sign}${text.slice(0, at)}${at < text.length ? `.${text.slice(at)}` : ''}`;
  }),
  fc.constantFrom('-0', '-0.0', '0e-400', '5e-324', '-2.4703282292062328e-324', '1.7976931348623157e308', '9007199254740993'),
);

test('bytes: lines of one skeleton with numbers as loggers write them read exactly what JSON.parse reads, whatever the chunk end', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(1e6), loggedNumberArb, loggedNumberArb), { minLength: 2, maxLength: 6 }), fc.nat(), (rows, cut) => {
      const lines = rows.map(([step, loss, lr]) => `{"step": ${step}, "loss": ${loss}, "learning_rate": ${lr}}`);
      const bytes = Buffer.from(lines.join('\n') + '\n', 'latin1');
      const shape = byteShape([...scanFlatNumericLine(lines[0])!.keys()]);
      const values = new Float64Array(3);
      // Every line up to a chunk end anywhere: a line cut short is declined, never misread.
      const limit = cut % (bytes.length + 1);
      let pos = 0;
      for (const line of lines) {
        const end = readBytesWithShape(bytes, pos, limit, shape, values);
        const complete = pos + line.length <= limit;
        const parsed = JSON.parse(line) as Record<string, number>;
        if (end >= 0) {
          assert.equal(end, pos + line.length, line);
          assert.ok(Object.is(values[0], parsed.step) && Object.is(values[1], parsed.loss) && Object.is(values[2], parsed.learning_rate), line);
        } else assert.ok(!complete, `declined ${line}`);
        pos += line.length + 1;
      }
    }),
    { numRuns: RUNS },
  );
});

// ---- whole files: pushBytes against push ------------------------------------------------------

const lineArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(0, 1, 2), fc.nat(50), fc.array(anyNumberTextArb, { minLength: 3, maxLength: 3 }))
      .map(
        ([shape, step, v]) =>
          [
            `{"step": ${step}, "loss": ${v[0]}, "lr": ${v[1]}}`,
            `{"step":${step},"eval_loss":${v[0]}}`,
            `{"iter": ${step}, "loss": ${v[0]}, "tokens": ${v[2]}, "ü": ${v[1]}}`,
          ][shape],
      ),
  },
  { weight: 2, arbitrary: flatLineArb },
  { weight: 2, arbitrary: mutatedLineArb },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '{"step": 3, "loss": NaN}',
      '{"step": 4, "loss": 1e999}',
      '{"step": 5, "m": {"a": 1}}',
      '{"step": 6, "loss": "2.5"}',
      '{"step": 7, "loss": "NaN"}',
      '{"step": 8, "lr": "-inf"}',
      '{"step": 9, "loss": Infinity}',
      '{"st\\u0065p": 10, "loss": 1}',
      '[1, 2]',
      'not json',
      '{"loss": 2.0}',
      '{"step": "x", "loss": 1}',
    ),
  },
);

/** What FileTail.read() + push give for a whole buffer of complete lines. */
function textReference(bytes: Buffer): ReadResult {
  let text = bytes.toString('utf8');
  if (text.endsWith('\n')) text = text.slice(0, -1);
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
  return new JsonlReader('f').push(lines, 1);
}

/** Columns as per-metric point lists, metrics in first-seen order. */
function byMetric(points: { metric: string; step: number; value: number }[]): [string, [number, number][]][] {
  const m = new Map<string, [number, number][]>();
  for (const p of points) {
    let list = m.get(p.metric);
    if (!list) m.set(p.metric, (list = []));
    list.push([p.step, p.value]);
  }
  return [...m];
}

function columnsByMetric(results: ColumnReadResult[]): [string, [number, number][]][] {
  const m = new Map<string, [number, number][]>();
  for (const r of results) {
    for (const c of r.columns) {
      let list = m.get(c.metric);
      if (!list) m.set(c.metric, (list = []));
      for (let i = 0; i < c.length; i++) list.push([c.steps[i], c.values[i]]);
    }
  }
  return [...m];
}

test('bytes: pushBytes over a file cut anywhere gives the points, diagnostics and non-finite events of the text path', () => {
  fc.assert(
    fc.property(
      fc.array(lineArb, { minLength: 1, maxLength: 25 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 4 }),
      (lines, bom, crlf, cuts) => {
        const text = `${lines.join(crlf ? '\r\n' : '\n')}\n`;
        const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
        const expected = textReference(bytes);
        // Cut after line feeds, as FileTail.readBytes hands them over.
        const feeds: number[] = [];
        bytes.forEach((b, i) => b === 0x0a && feeds.push(i + 1));
        const ends = [...new Set([...cuts.map((c) => feeds[c % feeds.length]), bytes.length])].sort((a, b) => a - b);
        const reader = new JsonlReader('f');
        const results: ColumnReadResult[] = [];
        const snapshots: [string, [number, number][]][][] = [];
        let from = 0;
        let line = 1;
        for (const end of ends) {
          const r = reader.pushBytes(bytes.subarray(from, end), end - from, line);
          line += r.lineCount;
          results.push(r);
          // Each column says whether its steps rise strictly, as a scan of them finds (the store skips the scan on it).
          for (const c of r.columns) {
            let rises = true;
            for (let i = 1; i < c.length; i++) if (!(c.steps[i] > c.steps[i - 1])) rises = false;
            assert.equal(c.rising, rises, `${c.metric}: steps ${Array.from(c.steps.subarray(0, c.length)).join(', ')}`);
          }
          snapshots.push(columnsByMetric([r])); // columns are refilled by the next call: copy now
          from = end;
        }
        assert.equal(line - 1, feeds.length, 'lines counted');
        const merged = new Map<string, [number, number][]>();
        for (const snap of snapshots) for (const [metric, pts] of snap) merged.set(metric, [...(merged.get(metric) ?? []), ...pts]);
        assert.deepEqual([...merged], byMetric(expected.points));
        assert.deepEqual(
          results.flatMap((r) => r.diagnostics),
          expected.diagnostics,
        );
        assert.deepEqual(
          results.flatMap((r) => r.nonFinite),
          expected.nonFinite,
        );
      },
    ),
    { numRuns: RUNS },
  );
});

test('bytes: a line that starts out on the fast path and then changes shape mid-file still reads right', () => {
  const lines = [
    '{"step": 1, "loss": 3.5, "lr": 0.001}',
    '{"step": 2, "loss": 3.25, "lr": 0.001}',
    '{"step": 3, "eval_loss": 3.4}',
    '{"step": 3, "loss": 3.0, "lr": 0.001}',
    '{"step": 4, "loss": 2.9, "lr": 0.001, "grad_norm": 1.5}',
    '{"step": 5,   "loss": 2.8, "lr": 0.001}',
  ];
  const bytes = Buffer.from(`${lines.join('\n')}\n`);
  const r = new JsonlReader('f').pushBytes(bytes, bytes.length, 1);
  assert.equal(r.lineCount, 6);
  assert.deepEqual(columnsByMetric([r]), [
    [
      'loss',
      [
        [1, 3.5],
        [2, 3.25],
        [3, 3.0],
        [4, 2.9],
        [5, 2.8],
      ],
    ],
    [
      'lr',
      [
        [1, 0.001],
        [2, 0.001],
        [3, 0.001],
        [4, 0.001],
        [5, 0.001],
      ],
    ],
    ['eval_loss', [[3, 3.4]]],
    ['grad_norm', [[4, 1.5]]],
  ]);
});

// ---- the tail as bytes -------------------------------------------------------------------------

test('bytes: FileTail.readBytes over appends cut anywhere (inside characters, between \\r and \\n) gives the lines read() gives', () => {
  const dir = tempDir('sl-tailbytes-');
  let n = 0;
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('héllo 🚀', '\r', '\n', '\r\n', '{"a": 1}\n')), { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 5 }),
      fc.nat(9),
      (parts, cuts, chunk) => {
        const all = Buffer.from(`\ufeff${parts.join('')}`, 'utf8');
        const pieces = [...new Set([...cuts.map((c) => c % (all.length + 1)), all.length])].sort((a, b) => a - b);
        const a = path.join(dir, `a${n}.log`);
        const b = path.join(dir, `b${n++}.log`);
        fs.writeFileSync(a, '');
        fs.writeFileSync(b, '');
        const text = new FileTail(a, { maxBytesPerRead: 1 + chunk });
        const raw = new FileTail(b, { maxBytesPerRead: 1 + chunk });
        const textLines: string[] = [];
        const rawLines: string[] = [];
        let from = 0;
        for (const to of pieces) {
          fs.appendFileSync(a, all.subarray(from, to));
          fs.appendFileSync(b, all.subarray(from, to));
          from = to;
          for (;;) {
            const r = text.read();
            if (isTailError(r)) throw new Error(r.error);
            textLines.push(...r.lines);
            const s = raw.readBytes();
            if (isTailError(s)) throw new Error(s.error);
            assert.equal(s.firstLineNumber, textLines.length - r.lines.length + 1);
            let body = s.bytes.toString('utf8', 0, s.end);
            if (body.endsWith('\n')) body = body.slice(0, -1);
            const lines = s.end === 0 ? [] : body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
            if (s.firstLineNumber === 1 && lines.length > 0 && lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
            raw.linesRead(lines.length);
            rawLines.push(...lines);
            assert.equal(s.partial, r.partial?.text);
            assert.equal(s.more, r.more);
            if (!r.more) break;
          }
        }
        assert.deepEqual(rawLines, textLines);
      },
    ),
    { numRuns: Math.max(50, RUNS / 5) },
  );
});

// ---- bulk storage --------------------------------------------------------------------------------

test('bytes: SeriesColumns.putAll stores exactly what put does point by point (rewinds, thinning)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.tuple(fc.integer({ min: -3, max: 40 }), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 60 }), { maxLength: 5 }),
      (batches) => {
        const one = new SeriesColumns({ maxPoints: 16, recentPoints: 4 });
        const bulk = new SeriesColumns({ maxPoints: 16, recentPoints: 4 });
        // The index's path: reserve, then putAll told the steps rise when isCleanColumn says so.
        const indexed = new SeriesColumns({ maxPoints: 16, recentPoints: 4 });
        let step = 0;
        for (const batch of batches) {
          // Mostly rising steps, with the odd rewind.
          const steps = Float64Array.from(batch.map(([d]) => (step = d < 0 ? Math.max(0, step + d * 5) : step + (d % 3) + 1)));
          const values = Float64Array.from(batch.map(([, v]) => v));
          let rewound = Infinity;
          steps.forEach((s, i) => {
            if (one.put(s, values[i])) rewound = Math.min(rewound, s);
          });
          assert.equal(bulk.putAll(steps, values, steps.length), rewound);
          indexed.reserve(steps.length);
          const clean = isCleanColumn({}, steps, steps.length, indexed.lastStep());
          assert.equal(indexed.putAll(steps, values, steps.length, clean), rewound);
          const a = one.view();
          for (const b of [bulk.view(), indexed.view()]) {
            assert.deepEqual([...b.steps], [...a.steps]);
            assert.deepEqual([...b.values], [...a.values]);
            assert.equal(b.thinned, a.thinned);
          }
        }
      },
    ),
    { numRuns: RUNS },
  );
});

// ---- TensorBoard records: the scalar fast path against protobufjs ------------------------------

test('bytes: the TFRecord scalar fast path gives what protobufjs decoding gives, on records mutated anywhere', () => {
  const kinds: ScalarKind[] = ['simple', 'simple', 'simple', 'tensor_content_f32', 'double_val'];
  const eventArb = fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .record({
          tag: fc.oneof(fc.constantFrom('loss', 'train/loss', 'lr', 'é'), fc.string({ maxLength: 140 })),
          step: fc.oneof(fc.nat(1000), fc.constantFrom(0, 2 ** 40, 2 ** 53 - 1, -5)),
          value: fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity)),
          kind: fc.constantFrom(...kinds),
          wallTime: fc.constantFrom(0, 1_700_000_000.5),
        })
        .map((e) => scalarEvent(e)),
    },
    { weight: 1, arbitrary: fc.nat(100).map((s) => sessionStartEvent(s)) },
    { weight: 1, arbitrary: fc.constant(fileVersionEvent()) },
  );
  const mutated = fc.tuple(eventArb, fc.nat(), fc.nat(255), fc.constantFrom('set', 'drop', 'none', 'none')).map(([data, at, byte, how]) => {
    if (how === 'none' || data.length === 0) return data;
    const i = at % data.length;
    const copy = Buffer.from(data);
    if (how === 'set') copy[i] = byte;
    return how === 'drop' ? Buffer.concat([copy.subarray(0, i), copy.subarray(i + 1)]) : copy;
  });
  fc.assert(
    fc.property(fc.array(mutated, { maxLength: 12 }), (events) => {
      // Framed with correct CRCs, so every record reaches the decoders.
      const file = Buffer.concat(events.map((e) => tfRecord(e)));
      const fast = new TfEventsReader('f');
      const slow = new TfEventsReader('f', { fastScalars: false });
      const a = readEvents(fast, file, 0);
      const b = readEvents(slow, file, 0);
      assert.deepEqual(a, b);
      assert.equal(fast.firstWallTime, slow.firstWallTime);
    }),
    { numRuns: RUNS },
  );
});

test('bytes: slicing-by-8 CRC-32C (bytes or DataView words) equals the bytewise reference on any range', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length ? a % (bytes.length + 1) : 0;
      const end = start + (bytes.length - start ? b % (bytes.length - start + 1) : 0);
      assert.equal(crc32c(bytes, start, end), crc32cRef(bytes.subarray(start, end)));
      // Eight bytes as two words through a DataView, on bytes that start inside their buffer.
      const shifted = new Uint8Array(bytes.length + 3).subarray(3);
      shifted.set(bytes);
      const view = new DataView(shifted.buffer, shifted.byteOffset, shifted.byteLength);
      assert.equal(crc32c(shifted, start, end, view), crc32cRef(bytes.subarray(start, end)));
    }),
    { numRuns: RUNS },
  );
});

// ---- the whole worker path over several reads ------------------------------------------------------

test('bytes: a log longer than one 4 MiB read keeps its line numbers and restarts across reads, and reads its unterminated last line once completed', () => {
  const dir = tempDir('sl-bigjsonl-');
  const file = path.join(dir, 'run', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(file));
  const lines: string[] = [];
  for (let s = 1; s <= 60_000; s++)
    lines.push(`{"step": ${s}, "loss": ${(2 + 1 / s).toFixed(6)}, "lr": 0.0003, "note_padding_to_make_lines_longer_than_a_hundred_bytes": 123456789}`);
  // A restart (steps rewind to 50,001) and a broken line, both past the first 4 MiB read.
  for (let s = 50_001; s <= 70_000; s++)
    lines.push(`{"step": ${s}, "loss": ${(1.5 + 1 / s).toFixed(6)}, "lr": 0.0001, "note_padding_to_make_lines_longer_than_a_hundred_bytes": 123456789}`);
  const broken = 75_000;
  lines[broken - 1] = '{"step": oops}';
  const text = `${lines.join('\n')}\n{"step": 70001, "loss": 1.25`;
  assert.ok(Buffer.byteLength(text) > 8 * 1024 * 1024, 'spans at least three reads');
  fs.writeFileSync(file, text);
  const index = new RunIndex();
  index.update(file, dir);
  const run = index.runs()[0];
  const loss = run.series.find((s) => s.metric === 'loss');
  assert.ok(loss);
  const held = loss.steps.length + (loss.thinned ?? 0);
  // 50,000 before the restart, then 50,001..70,000 but for the broken line's step.
  assert.equal(held, 50_000 + 20_000 - 1);
  assert.equal(loss.steps[loss.steps.length - 1], 70_000);
  assert.equal(loss.values[loss.values.length - 1], Number((1.5 + 1 / 70_000).toFixed(6)));
  const bad = run.diagnostics.filter((d) => d.line !== undefined && d.severity !== 'info');
  assert.deepEqual(
    bad.map((d) => d.line),
    [broken],
  );
  // The restart is told at its line, once per metric of the line.
  const rewinds = run.diagnostics.filter((d) => d.message.includes('the log went back'));
  assert.deepEqual(
    rewinds.map((d) => [d.line, d.message.split(':')[0]]).sort(),
    [60_001, 60_001, 60_001].map((l, i) => [l, ['loss', 'lr', 'note_padding_to_make_lines_longer_than_a_hundred_bytes'][i]]),
  );
  // The unterminated last line is not a point until its newline arrives.
  fs.appendFileSync(file, ', "lr": 0.0001}\n');
  index.update(file, dir);
  const after = index.runs()[0].series.find((s) => s.metric === 'loss');
  assert.equal(after?.steps[after.steps.length - 1], 70_001);
  assert.equal(after?.values[after.values.length - 1], 1.25);
});
