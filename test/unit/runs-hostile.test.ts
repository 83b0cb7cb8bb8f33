// Issue 17, one class at a time: files that would block (a named pipe, a socket), lines that would
// exhaust memory (over-long, endless), diagnostics that would pile up or pin what they quote, links
// out of the workspace and second paths to one file. Checks that would hang on a regression run in a
// child process with a time-out (a blocked `open()` cannot be interrupted in-process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { tempDir } from './helpers/tempDir';
import { fuzzRuns } from './helpers/fuzz';
import { FileTail, isTailError, readHeadLines, readWhole } from '../../src/core/runs/tail';
import { RunIndex } from '../../src/core/runs/index';
import { readTextFile } from '../../src/core/safeFile';
import { ScalingWorkspace } from '../../src/core/workspace';
import { MAX_DIAGNOSTICS_PER_KIND } from '../../src/core/runs/limits';

const repo = path.resolve(__dirname, '../..');
const posixOnly = process.platform === 'win32' ? 'needs mkfifo and Unix sockets' : false;

/** Runs `code` (TypeScript, repo imports allowed) in a child; fails instead of hanging when it blocks. */
function inChild(code: string): { stdout: string; stderr: string; status: number | null; signal: NodeJS.Signals | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, signal: r.signal };
}

function mkfifo(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  assert.equal(spawnSync('mkfifo', [file]).status, 0, 'mkfifo');
}

function socketFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(file)}, () => process.exit(0))`]);
  assert.ok(fs.existsSync(file), 'socket file made');
}

test('a named pipe is never opened: every reader (tail, whole file, head, config, workspace file) returns an error at once', { skip: posixOnly }, () => {
  const dir = tempDir('sl-fifo-');
  const fifo = path.join(dir, 'train.log');
  const yaml = path.join(dir, '.scalinglens.yaml');
  mkfifo(fifo);
  mkfifo(yaml);
  const code = `
    const { FileTail, BinaryTail, readWhole, readHeadLines } = require('./src/core/runs/tail.ts');
    const { readTextFile } = require('./src/core/safeFile.ts');
    const { ScalingWorkspace } = require('./src/core/workspace.ts');
    const f = ${JSON.stringify(fifo)};
    const out = {
      tail: new FileTail(f).read(), bytes: new FileTail(f).readBytes(), bin: new BinaryTail(f).read(),
      whole: readWhole(f), head: readHeadLines(f, 100), text: readTextFile(f, 100),
    };
    const ws = new ScalingWorkspace({ minPointsForCurve: 8 });
    ws.update(f, ${JSON.stringify(dir)});
    ws.update(${JSON.stringify(yaml)}, ${JSON.stringify(dir)});
    out.runs = ws.runs().length;
    out.diagnostics = ws.diagnostics().map((d) => d.file + ': ' + d.message);
    console.log(JSON.stringify(out));`;
  const r = inChild(code);
  assert.equal(r.signal, null, `blocked on the pipe (killed by ${r.signal})`);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const k of ['tail', 'bytes', 'bin', 'whole', 'head', 'text']) assert.match(JSON.stringify(out[k]), /named pipe, not a regular file/, k);
  assert.equal(out.runs, 0, 'a pipe is no run');
  assert.ok(
    out.diagnostics.some((d: string) => d.startsWith(fifo) && d.includes('a named pipe')),
    out.diagnostics.join('\n'),
  );
  assert.ok(
    out.diagnostics.some((d: string) => d.startsWith(yaml) && d.includes('a named pipe')),
    out.diagnostics.join('\n'),
  );
});

test('a socket named like a log is skipped with a diagnostic, not made a run', { skip: posixOnly }, () => {
  const dir = tempDir('sl-sock-');
  const sock = path.join(dir, 'run', 'metrics.jsonl');
  socketFile(sock);
  const ws = new ScalingWorkspace({ minPointsForCurve: 8 });
  ws.update(sock, dir);
  assert.equal(ws.runs().length, 0);
  assert.ok(ws.diagnostics().some((d) => d.file === sock && d.message.includes('a socket, not a regular file')));
  const r = readTextFile(sock, 1000);
  assert.ok('error' in r && r.error.includes('a socket'));
});

test('each kind of read has a cap and says so when a file is over it', () => {
  const dir = tempDir('sl-cap-');
  const f = path.join(dir, 'config.json');
  fs.writeFileSync(f, 'x'.repeat(5000));
  const r = readTextFile(f, 4096);
  assert.ok('error' in r && /more than the 4 KiB read limit/.test(r.error), JSON.stringify(r));
  const w = readWhole(f, undefined, 4096);
  assert.equal(w.status, 'error');
});

test('a line longer than maxLineBytes is blanked (complete) or skipped to its end (endless), reported once, and the lines around it kept', () => {
  const dir = tempDir('sl-long-');
  const f = path.join(dir, 'a.log');
  fs.writeFileSync(f, `one\n${'x'.repeat(500)}\ntwo\n`);
  const t = new FileTail(f, { maxLineBytes: 100 });
  const c = t.read();
  assert.ok(!isTailError(c));
  assert.deepEqual(
    c.lines.map((l) => l.trim()),
    ['one', '', 'two'],
  );
  assert.deepEqual(
    c.overlong?.map((o) => o.line),
    [2],
  );
  // An endless line, read in small pieces: nothing held beyond the cap, one report, numbering kept.
  const g = path.join(dir, 'b.log');
  fs.writeFileSync(g, `first\n${'y'.repeat(10_000)}`);
  const tail = new FileTail(g, { maxLineBytes: 100, maxBytesPerRead: 64 });
  const reports: number[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const r = tail.read();
    assert.ok(!isTailError(r));
    lines.push(...r.lines);
    for (const o of r.overlong ?? []) reports.push(o.line);
    assert.ok((r.partial?.text.length ?? 0) <= 164, 'the held-back part stays under the cap');
    if (!r.more) break;
  }
  fs.appendFileSync(g, 'tail end\nsecond\n');
  const last = tail.read();
  assert.ok(!isTailError(last));
  assert.deepEqual(lines, ['first']);
  assert.deepEqual(reports, [2]);
  assert.deepEqual(last.lines, ['second']);
  assert.equal(last.firstLineNumber, 3);
});

test('property: FileTail with any line cap returns the short lines of any file exactly, blanks the long ones, and never holds more than the cap', () => {
  const dir = tempDir('sl-longprop-');
  let n = 0;
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')),
          fc.integer({ min: 40, max: 400 }).map((k) => 'z'.repeat(k)),
        ),
        { maxLength: 30 },
      ),
      fc.integer({ min: 30, max: 120 }),
      fc.integer({ min: 1, max: 90 }),
      (lines, cap, chunk) => {
        const f = path.join(dir, `p${n++}.log`);
        fs.writeFileSync(f, lines.map((l) => `${l}\n`).join(''));
        const t = new FileTail(f, { maxLineBytes: cap, maxBytesPerRead: chunk });
        // Line number → text: a long line is blanked (read whole) or left out (given up on mid-way).
        const got = new Map<number, string>();
        const long: number[] = [];
        for (let i = 0; i < 100_000; i++) {
          const r = t.read();
          if (isTailError(r)) throw new Error(r.error);
          r.lines.forEach((l, k) => got.set(r.firstLineNumber + k, l));
          for (const o of r.overlong ?? []) long.push(o.line);
          assert.ok((r.partial?.text.length ?? 0) <= cap + chunk, 'what is held back stays under the cap');
          if (!r.more) break;
        }
        lines.forEach((l, i) => {
          if (Buffer.byteLength(l) > cap) assert.equal((got.get(i + 1) ?? '').trim(), '', `line ${i + 1} blanked or left out`);
          else assert.equal(got.get(i + 1), l, `line ${i + 1} kept`);
        });
        assert.deepEqual(
          long,
          lines.flatMap((l, i) => (Buffer.byteLength(l) > cap ? [i + 1] : [])),
        );
        fs.rmSync(f);
      },
    ),
    { numRuns: fuzzRuns(0.2) },
  );
});

test('a file of a thousand bad lines keeps a few diagnostics of the kind and counts the rest; quotes are short', () => {
  const dir = tempDir('sl-kinds-');
  const f = path.join(dir, 'run', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(f));
  let text = '';
  for (let i = 0; i < 30; i++) text += `{"step": ${i}, "loss": ${3 - i / 100}}\n`;
  for (let i = 0; i < 1000; i++) text += `{"step": ${30 + i}, "loss": ${'9'.repeat(400)}\n`;
  text += `{"step": 2000, "loss": "${'1'.repeat(500_000)}"}\n`;
  fs.writeFileSync(f, text);
  const index = new RunIndex();
  index.update(f, dir);
  const diags = index.diagnostics().filter((d) => d.file === f);
  const broken = diags.filter((d) => d.line !== undefined && d.message.includes('not valid JSON'));
  assert.equal(broken.length, MAX_DIAGNOSTICS_PER_KIND);
  assert.ok(
    diags.some((d) => /^995 more diagnostics not shown \(995 × "is not valid JSON/.test(d.message)),
    diags.map((d) => d.message).join('\n'),
  );
  for (const d of diags) assert.ok(d.message.length < 300, d.message.slice(0, 100));
  assert.equal(index.runs()[0].series.find((s) => s.metric === 'loss')?.steps.length, 30);
});

test('numeric strings of a megabyte are judged in linear time (the old pattern backtracked quadratically)', () => {
  const code = `
    const { coerceNumber } = require('./src/core/runs/common.ts');
    const s = '1'.repeat(1_000_000);
    console.log(JSON.stringify([coerceNumber(s + 'x', true).kind, coerceNumber(s, true).kind, coerceNumber(s, true).text.length]));`;
  const r = inChild(code);
  assert.equal(r.signal, null, 'the numeric test ran away');
  assert.deepEqual(JSON.parse(r.stdout), ['none', 'nonfinite', 25]);
});

test('links out of the workspace are not followed unless allowed; a file reached twice is one run', { skip: posixOnly }, () => {
  const dir = tempDir('sl-links-');
  const root = path.join(dir, 'ws');
  const outside = path.join(dir, 'outside', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(outside), { recursive: true });
  fs.writeFileSync(outside, '{"step": 1, "loss": 2}\n{"step": 2, "loss": 1.9}\n');
  fs.mkdirSync(path.join(root, 'a'), { recursive: true });
  fs.mkdirSync(path.join(root, 'b'), { recursive: true });
  fs.mkdirSync(path.join(root, 'c'), { recursive: true });
  const link = path.join(root, 'a', 'metrics.jsonl');
  fs.symlinkSync(outside, link);
  const real = path.join(root, 'b', 'metrics.jsonl');
  fs.writeFileSync(real, '{"step": 1, "loss": 2}\n');
  const twin = path.join(root, 'c', 'metrics.jsonl');
  fs.symlinkSync(real, twin);
  const ws = new ScalingWorkspace({ minPointsForCurve: 8 });
  for (const f of [link, real, twin]) ws.update(f, root);
  assert.deepEqual(
    ws.runs().map((r) => r.id),
    ['b'],
  );
  const msgs = ws.diagnostics().map((d) => `${d.file}: ${d.message}`);
  assert.ok(
    msgs.some((m) => m.startsWith(link) && m.includes('outside the workspace folder; not followed')),
    msgs.join('\n'),
  );
  assert.ok(
    msgs.some((m) => m.startsWith(twin) && m.includes('the same file as')),
    msgs.join('\n'),
  );
  // A folder on the way that links out (VS Code's file search follows folder links).
  const viaFolder = path.join(root, 'd');
  fs.symlinkSync(path.dirname(outside), viaFolder);
  ws.update(path.join(viaFolder, 'metrics.jsonl'), root);
  assert.deepEqual(
    ws.runs().map((r) => r.id),
    ['b'],
  );
  assert.ok(ws.diagnostics().some((d) => d.file === path.join(viaFolder, 'metrics.jsonl') && d.message.includes('outside the workspace folder')));
  // Allowed by the setting: read.
  const open = new ScalingWorkspace({ minPointsForCurve: 8, followLinksOutside: true });
  open.update(link, root);
  assert.deepEqual(
    open.runs().map((r) => r.id),
    ['a'],
  );
  // The file reached first is kept when the second path goes; a deleted first path frees the file.
  ws.remove(real);
  ws.update(twin, root);
  assert.deepEqual(
    ws.runs().map((r) => r.id),
    ['c'],
  );
});

test('readHeadLines of a sparse gigabyte of zeros reads only its head', () => {
  const dir = tempDir('sl-sparse-');
  const f = path.join(dir, 'metrics.jsonl');
  const fd = fs.openSync(f, 'w');
  fs.ftruncateSync(fd, 1024 * 1024 * 1024);
  fs.closeSync(fd);
  const h = readHeadLines(f, 65536);
  assert.ok('lines' in h && h.lines.length === 0);
  const index = new RunIndex();
  index.update(f, dir);
  assert.equal(index.runs().length, 0);
  assert.ok(index.diagnostics().some((d) => d.message.includes('no line break in its first 64 KiB')));
});

test('a negative step never truncates a run; every rewind (a resumed run re-logging its steps) is reported', () => {
  const dir = tempDir('sl-steps-');
  for (const [name, text] of [
    [
      'j/metrics.jsonl',
      `${[0, 10, 20, 30].map((s) => `{"step": ${s}, "loss": ${3 - s / 100}}`).join('\n')}\n{"step": -1, "loss": 9}\n{"step": 40, "loss": 2.5}\n{"step": 20, "loss": 2.9}\n{"step": 30, "loss": 2.8}\n`,
    ],
    ['c/metrics.csv', `step,loss\n${[0, 10, 20, 30].map((s) => `${s},${3 - s / 100}`).join('\n')}\n-1,9\n40,2.5\n20,2.9\n30,2.8\n`],
  ] as const) {
    const f = path.join(dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    const index = new RunIndex();
    index.update(f, dir);
    const loss = index.runs()[0].series.find((s) => s.metric === 'loss');
    assert.deepEqual(Array.from(loss?.steps ?? []), [0, 10, 20, 30], name);
    assert.deepEqual(Array.from(loss?.values ?? []), [3, 2.9, 2.9, 2.8], name);
    const msgs = index.diagnostics().map((d) => d.message);
    assert.ok(
      msgs.some((m) => m.startsWith('loss: a point with a negative step (first -1) dropped')),
      `${name}: ${msgs.join(' | ')}`,
    );
    assert.ok(
      msgs.some((m) => m.startsWith('loss: step 20 after step 40: the log went back') && m.includes('3 earlier point(s) from step 20 on replaced')),
      `${name}: ${msgs.join(' | ')}`,
    );
  }
});

test('a family reason never echoes a long value or key from a config (it may hold a token)', () => {
  const dir = tempDir('sl-reason-');
  const secret = `hf_${'x'.repeat(200)}`;
  for (const name of ['a', 'b', 'c']) {
    const d = path.join(dir, 'sweep', name);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'metrics.jsonl'), '{"step": 1, "loss": 3}\n{"step": 2, "loss": 2.9}\n');
    fs.writeFileSync(path.join(d, 'hparams.yaml'), `dataset: fineweb\nhub_token: ${secret}\n${'k'.repeat(300)}: 1\nlr: ${name === 'a' ? 1e-3 : 3e-4}\n`);
  }
  const ws = new ScalingWorkspace({ minPointsForCurve: 8 });
  for (const name of ['a', 'b', 'c']) ws.update(path.join(dir, 'sweep', name, 'metrics.jsonl'), dir);
  const snap = ws.snapshot();
  const texts = [...snap.runs.map((r) => r.familyReason ?? ''), ...snap.families.map((f) => JSON.stringify(f)), ...snap.diagnostics.map((d) => d.message)];
  for (const t of texts) {
    assert.ok(!t.includes('x'.repeat(30)), `a long value echoed: ${t.slice(0, 200)}`);
    assert.ok(!t.includes('k'.repeat(50)), `a long key echoed: ${t.slice(0, 200)}`);
  }
});
