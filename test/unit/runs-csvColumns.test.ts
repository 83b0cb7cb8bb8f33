// CSV's column path (CsvReader.pushColumns, which the run index reads CSV files with) gives exactly
// what the row path (push, through recordToPoints) gives: every metric's steps, values and lines in
// order, every diagnostic and non-finite value, on real files, edge cases and random tables read in
// random chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { fuzzRuns } from './helpers/fuzz';
import { CsvReader, type CsvReaderOptions } from '../../src/core/runs/csv';
import type { ReadResult } from '../../src/core/runs/common';
import { RunIndex } from '../../src/core/runs/index';
import { tempDir } from './helpers/tempDir';

type Columns = Map<string, { steps: number[]; values: number[]; lines: number[] }>;

function byMetric(points: ReadResult['points']): Columns {
  const out: Columns = new Map();
  for (const p of points) {
    let c = out.get(p.metric);
    if (c === undefined) out.set(p.metric, (c = { steps: [], values: [], lines: [] }));
    c.steps.push(p.step);
    c.values.push(p.value);
    c.lines.push(p.line!);
  }
  return out;
}

/** Both paths over the same lines, pushed in the same chunks; asserts they agree. */
function assertSamePaths(file: string, lines: string[], chunks: number[], options?: CsvReaderOptions): number {
  const rows = new CsvReader(file, options);
  const cols = new CsvReader(file, options);
  let start = 0;
  let points = 0;
  for (const size of [...chunks, lines.length]) {
    if (start >= lines.length) break;
    const part = lines.slice(start, start + Math.max(1, size));
    const a = rows.push(part, start + 1);
    const b = cols.pushColumns(part, start + 1);
    const got: Columns = new Map();
    for (const c of b.columns)
      got.set(c.metric, {
        steps: Array.from(c.steps.subarray(0, c.length)),
        values: Array.from(c.values.subarray(0, c.length)),
        lines: Array.from(c.places.subarray(0, c.length)),
      });
    const want = byMetric(a.points);
    // Same metrics in the same first-seen order, and Object.is on every number (bit-identical, -0 too).
    assert.deepEqual([...got.keys()], [...want.keys()], `${file} at line ${start + 1}`);
    for (const [metric, w] of want) {
      const g = got.get(metric)!;
      assert.equal(g.steps.length, w.steps.length, `${file} ${metric}`);
      for (let i = 0; i < w.steps.length; i++) {
        assert.ok(Object.is(g.steps[i], w.steps[i]) && Object.is(g.values[i], w.values[i]) && g.lines[i] === w.lines[i], `${file} ${metric} point ${i}`);
      }
    }
    assert.deepEqual(b.diagnostics, a.diagnostics, file);
    assert.deepEqual(b.nonFinite, a.nonFinite, file);
    assert.equal(b.points.length, 0);
    points += a.points.length;
    start += part.length;
  }
  return points;
}

function linesOf(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function csvFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(csv|tsv)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

test('pushColumns equals push on every CSV/TSV of the examples, the corpus and the shared data (when present)', () => {
  const root = path.resolve(__dirname, '../..');
  const files = [
    ...csvFiles(path.join(root, 'examples')),
    ...csvFiles(path.join(root, 'test', 'corpus')),
    ...csvFiles(path.join(root, '..', 'shared', 'data')),
  ];
  assert.ok(files.length >= 1);
  let points = 0;
  for (const f of files) {
    const lines = linesOf(fs.readFileSync(f, 'utf8'));
    const options: CsvReaderOptions = f.endsWith('.tsv') ? { delimiter: '\t' } : {};
    points += assertSamePaths(f, lines, [], options);
    points += assertSamePaths(f, lines, [1, 7, 3], options);
  }
  assert.ok(points > 0);
});

test('pushColumns equals push on edge cases: non-finite and bad cells, bad steps, implicit steps, new and repeated headers, duplicate names, quotes, BOM', () => {
  const cases = [
    '\ufeffstep,loss,lr\n1,3.5,1e-4\n2,nan,1e-4\n3,inf,-Infinity\n4,1e999,x\n5,"2.5",\n',
    'epoch,step,train_loss_step,val_loss\n0,9,4.1,\n0,19,,3.9\n,abc,4.0,\n0,,3.8,\n0,29,3.7,oops\n',
    'loss,acc\n3.2,0.1\n3.1,0.2\n\n3.0,-0.0\n',
    'step,loss\n1,2\nstep,loss\n2,1.9\nstep,loss,lr\n3,1.8,0.1\n4,1.7\n"5,1.6\n',
    'step,loss,loss\n1,2,\n2,,1.5\n3,1.4,1.3\n',
    'step,global_step,Step,train/loss\n1,10,100,2\n,20,200,1.9\n',
    'step,loss\n +1 , 2.50 \n2,.5\n3,5.\n4,0x10\n5,1_000\n',
  ];
  for (const [i, text] of cases.entries()) {
    const lines = linesOf(text);
    assertSamePaths(`/t/case${i}.csv`, lines, []);
    for (let k = 1; k < lines.length; k++) assertSamePaths(`/t/case${i}.csv`, lines, [k]);
  }
  assertSamePaths('/t/a.tsv', linesOf('step\tloss\n1\t2.5\n2\tnan\n'), [], { delimiter: '\t' });
});

test('property: pushColumns equals push on random tables read in random chunks', () => {
  const name = fc.constantFrom('step', 'global_step', 'epoch', 'loss', 'train_loss', 'val_loss', 'lr', 'tokens', 'acc', '', 'loss');
  const cell = fc.oneof(
    fc.constantFrom('', ' ', 'nan', 'NaN', '-inf', 'Infinity', 'abc', '"1.5"', '"a,b"', '1e400', '-0', '+3', '.5', '7.', '0x1'),
    fc.double({ noNaN: true }).map(String),
    fc.integer({ min: -5, max: 100000 }).map(String),
  );
  fc.assert(
    fc.property(
      fc.array(name, { minLength: 1, maxLength: 6 }),
      fc.array(fc.array(cell, { minLength: 0, maxLength: 7 }), { maxLength: 30 }),
      fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 6 }),
      (header, rows, chunks) => {
        const lines = [header.join(','), ...rows.map((r) => r.join(','))];
        // Now and then the header again, or another one, mid-file.
        if (rows.length > 4) lines.splice(3, 0, lines[0], [...header].reverse().join(','));
        assertSamePaths('/t/r.csv', lines, chunks);
      },
    ),
    { numRuns: fuzzRuns(0.5) },
  );
});

test('pushColumns equals push on a generated 100k-line Lightning metrics.csv', () => {
  const lines = ['epoch,lr-AdamW,step,train_loss_epoch,train_loss_step,val_loss'];
  let x = 1;
  const noise = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 100_000; i++) {
    const step = i * 10 + 9;
    const loss = (3 + 5 / Math.sqrt(i + 1) + noise() * 0.1).toPrecision(8);
    if (i % 1000 === 999) lines.push(`${Math.floor(i / 1000)},,${step},${loss},,`);
    else if (i % 50 === 49) lines.push(`${Math.floor(i / 1000)},,${step},,,${loss}`);
    else lines.push(`${Math.floor(i / 1000)},${(3e-4 * (1 - i / 100_000)).toExponential(6)},${step},,${loss},`);
  }
  // Every row: its epoch, and lr + train loss (98,000 rows), the val loss (1,900) or the epoch loss (100).
  assert.equal(assertSamePaths('/t/lightning/version_0/metrics.csv', lines, [40_000, 1, 30_000]), 98_000 * 3 + 2_000 * 2);
});

test('a CSV whose header is longer than the sniff of line files (4,000 metric columns, ~120 kB) is read whole; one with no line break in 1 MiB is not', () => {
  const root = tempDir('sl-wide-header-');
  const columns = ['step', 'loss', ...Array.from({ length: 4000 }, (_, i) => `eval/metric_of_a_long_name_${i}`)];
  let text = `${columns.join(',')}\n`;
  for (let i = 0; i < 25; i++) text += `${i},${(3 - i * 0.01).toFixed(4)}${',0.5'.repeat(4000)}\n`;
  assert.ok(text.indexOf('\n') > 64 * 1024, 'the header is longer than the sniff of other line files');
  const wide = path.join(root, 'wide', 'metrics.csv');
  fs.mkdirSync(path.dirname(wide));
  fs.writeFileSync(wide, text);
  const endless = path.join(root, 'endless', 'metrics.csv');
  fs.mkdirSync(path.dirname(endless));
  fs.writeFileSync(endless, `step,loss${',c'.repeat(600_000)}\n0,1\n`);
  const index = new RunIndex();
  index.update(wide, root);
  index.update(endless, root);
  const run = index.runs().find((r) => r.id === 'wide');
  assert.equal(run?.series.find((s) => s.metric === 'loss')?.steps.length, 25);
  assert.equal(run?.series.length, 4001);
  assert.equal(
    index.runs().find((r) => r.id === 'endless'),
    undefined,
  );
  assert.ok(index.diagnostics().some((d) => d.file === endless && d.message.includes('no line break in its first 1024 KiB')));
});
