// The files a ladder write reads beside it (`.scalinglens.yaml`, `training_args.json`): the CLI reads
// them synchronously, Write Configs without holding the extension host's thread; both the same way
// (core/plan/ladderPlacement.ts readBeside, readBesideAsync).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readBeside, readBesideAsync } from '../../src/core/plan/ladderPlacement';
import { tempDir } from './helpers/tempDir';

test('readBesideAsync reads as readBeside: absent is none; a file its text; over the read limit, a folder or a pipe a problem naming it, never opened', async (t) => {
  const dir = tempDir('sl-read-beside-');
  const cases: { name: string; make?: (file: string) => void; says?: RegExp; text?: string }[] = [
    { name: 'absent' },
    { name: 'file', make: (file) => fs.writeFileSync(file, '{"family": "mine"}\n'), text: '{"family": "mine"}\n' },
    { name: 'empty', make: (file) => fs.writeFileSync(file, ''), text: '' },
    { name: 'big', make: (file) => fs.writeFileSync(file, '#'.repeat(17 * 1024 * 1024)), says: /^shown: the file is 17 MiB, more than the 16 MiB read limit/ },
    { name: 'folder', make: (file) => fs.mkdirSync(file), says: /^shown: a folder, not a regular file/ },
    { name: 'dangling link', make: (file) => fs.symlinkSync(path.join(dir, 'nowhere'), file), says: /^shown: ENOENT/ },
  ];
  try {
    execFileSync('mkfifo', ['--help'], { stdio: 'ignore' });
    // Opened for reading, a pipe with no writer would give nothing or wait: it is refused from its stat.
    cases.push({ name: 'pipe', make: (file) => execFileSync('mkfifo', [file]), says: /^shown: a named pipe, not a regular file/ });
  } catch {
    t.diagnostic('mkfifo unavailable here: the pipe case is not run');
  }
  for (const c of cases) {
    const file = path.join(dir, c.name.replace(' ', '-'));
    c.make?.(file);
    const sync = readBeside(file, 'shown');
    const async = await readBesideAsync(file, 'shown');
    assert.deepEqual(async, sync, c.name);
    if (c.says) assert.match(async.problem ?? '', c.says, c.name);
    else assert.deepEqual(async, c.text === undefined ? {} : { text: c.text }, c.name);
  }
});
