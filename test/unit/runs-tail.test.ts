import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { FileTail, isTailError, readWhole, type TailChunk } from '../../src/core/runs/tail';

function tmp(): string {
  return tempDir('sl-tail-');
}

function ok(r: ReturnType<FileTail['read']>): TailChunk {
  if (isTailError(r)) throw new Error(r.error);
  return r;
}

test('tail: appends return only new complete lines with line numbers', () => {
  const f = path.join(tmp(), 'log.jsonl');
  fs.writeFileSync(f, 'a\nb\n');
  const t = new FileTail(f);
  assert.deepEqual(ok(t.read()), { lines: ['a', 'b'], firstLineNumber: 1, rewritten: false, more: false });
  assert.deepEqual(ok(t.read()).lines, []);
  fs.appendFileSync(f, 'c\r\nd\n');
  const r = ok(t.read());
  assert.deepEqual(r.lines, ['c', 'd']);
  assert.equal(r.firstLineNumber, 3);
  assert.equal(t.position, 9);
});

test('tail: a partial last line waits until its newline arrives', () => {
  const f = path.join(tmp(), 'log.jsonl');
  fs.writeFileSync(f, 'one\n{"step": 2, "lo');
  const t = new FileTail(f);
  const r1 = ok(t.read());
  assert.deepEqual(r1.lines, ['one']);
  assert.deepEqual(r1.partial, { text: '{"step": 2, "lo', lineNumber: 2 });
  fs.appendFileSync(f, 'ss": 1.5}');
  const r2 = ok(t.read());
  assert.deepEqual(r2.lines, []);
  assert.equal(r2.partial?.text, '{"step": 2, "loss": 1.5}');
  fs.appendFileSync(f, '\nthree\n');
  const r3 = ok(t.read());
  assert.deepEqual(r3.lines, ['{"step": 2, "loss": 1.5}', 'three']);
  assert.equal(r3.firstLineNumber, 2);
  assert.equal(r3.partial, undefined);
});

test('tail: truncation (size below offset) restarts from 0 with rewritten', () => {
  const f = path.join(tmp(), 'log.jsonl');
  fs.writeFileSync(f, 'a\nb\nc\n');
  const t = new FileTail(f);
  ok(t.read());
  fs.writeFileSync(f, 'x\n');
  const r = ok(t.read());
  assert.equal(r.rewritten, true);
  assert.deepEqual(r.lines, ['x']);
  assert.equal(r.firstLineNumber, 1);
  fs.appendFileSync(f, 'y\n');
  assert.deepEqual(ok(t.read()), { lines: ['y'], firstLineNumber: 2, rewritten: false, more: false });
});

test('tail: rewrite with a longer file is caught by the fingerprint of the first bytes, then re-read', () => {
  const f = path.join(tmp(), 'log.jsonl');
  fs.writeFileSync(f, 'old1\nold2\n');
  const t = new FileTail(f);
  ok(t.read());
  fs.writeFileSync(f, 'new1\nnew2\nnew3\n'); // larger than the offset, different first bytes
  const r = ok(t.read());
  assert.equal(r.rewritten, true);
  assert.deepEqual(r.lines, ['new1', 'new2', 'new3']);
  // Same size, different content within the first 256 bytes.
  fs.writeFileSync(f, 'NEW1\nnew2\nnew3\n');
  const r2 = ok(t.read());
  assert.equal(r2.rewritten, true);
  assert.deepEqual(r2.lines, ['NEW1', 'new2', 'new3']);
  // Growth past 256 bytes keeps the fingerprint valid for plain appends.
  const long = 'z'.repeat(300) + '\n';
  fs.appendFileSync(f, long);
  const r3 = ok(t.read());
  assert.equal(r3.rewritten, false);
  assert.deepEqual(r3.lines, ['z'.repeat(300)]);
  fs.appendFileSync(f, 'tail\n');
  assert.equal(ok(t.read()).rewritten, false);
});

test('tail: a UTF-8 multibyte character split across reads is decoded whole', () => {
  const f = path.join(tmp(), 'log.jsonl');
  const bytes = Buffer.from('{"note": "héllo 🚀"}\n', 'utf8');
  const rocket = bytes.indexOf(0xf0);
  const t = new FileTail(f);
  fs.writeFileSync(f, bytes.subarray(0, rocket + 2)); // cut inside the 4-byte emoji
  const r1 = ok(t.read());
  assert.deepEqual(r1.lines, []);
  assert.equal(r1.partial, undefined, 'no provisional text while a character is incomplete');
  fs.appendFileSync(f, bytes.subarray(rocket + 2));
  assert.deepEqual(ok(t.read()).lines, ['{"note": "héllo 🚀"}']);
});

test('tail: maxBytesPerRead splits a large backlog and reports more', () => {
  const f = path.join(tmp(), 'log.jsonl');
  fs.writeFileSync(f, 'aaaa\nbbbb\ncccc\n');
  const t = new FileTail(f, { maxBytesPerRead: 7 });
  const all: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = ok(t.read());
    all.push(...r.lines);
    if (!r.more) break;
  }
  assert.deepEqual(all, ['aaaa', 'bbbb', 'cccc']);
});

test('tail: a missing file is an error with its code, not a throw', () => {
  const t = new FileTail(path.join(tmp(), 'nope.jsonl'));
  const r = t.read();
  assert.ok(isTailError(r));
  assert.equal(r.code, 'ENOENT');
});

test('readWhole: unchanged fingerprint skips the read; missing is reported', () => {
  const dir = tmp();
  const f = path.join(dir, 'trainer_state.json');
  fs.writeFileSync(f, '{"a": 1}');
  const a = readWhole(f);
  assert.equal(a.status, 'changed');
  if (a.status !== 'changed') return;
  assert.equal(a.text, '{"a": 1}');
  assert.equal(readWhole(f, a.fingerprint).status, 'unchanged');
  fs.writeFileSync(f, '{"a": 12}');
  assert.equal(readWhole(f, a.fingerprint).status, 'changed');
  assert.equal(readWhole(path.join(dir, 'missing.json')).status, 'missing');
  assert.equal(readWhole(dir).status, 'error');
});

test('tail: a rewrite with the same long first line, to the same size, is caught by the last bytes read', () => {
  const f = path.join(tmp(), 'metrics.csv');
  const header = `step,${'x'.repeat(400)}\n`;
  fs.writeFileSync(f, `${header}1,0.5\n2,0.4\n`);
  const t = new FileTail(f);
  assert.deepEqual(ok(t.read()).lines.slice(1), ['1,0.5', '2,0.4']);
  // Same header, same size, other rows: neither the size nor the first bytes changed.
  fs.writeFileSync(f, `${header}1,0.7\n2,0.6\n`);
  const r = ok(t.read());
  assert.equal(r.rewritten, true);
  assert.deepEqual(r.lines.slice(1), ['1,0.7', '2,0.6']);
  // Rewritten and grown past the old offset with the same first bytes.
  fs.writeFileSync(f, `${header}1,0.9\n2,0.8\n3,0.7\n`);
  const grown = ok(t.read());
  assert.equal(grown.rewritten, true);
  assert.deepEqual(grown.lines.slice(1), ['1,0.9', '2,0.8', '3,0.7']);
  // A plain append is still only an append.
  fs.appendFileSync(f, '4,0.6\n');
  assert.deepEqual(ok(t.read()), { lines: ['4,0.6'], firstLineNumber: 5, rewritten: false, more: false });
});
