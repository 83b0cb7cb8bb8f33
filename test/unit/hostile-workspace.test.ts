// `scaling-lens scan` on the generated hostile workspace (scripts/hostile-workspace.ts): named pipes,
// a socket, a device behind a link, links out of the folder, a link loop, a hard-linked copy, sparse
// gigabytes of zeros, an endless line, a million-column CSV, a megabyte number and pathological text
// lines, a CSV with a 100 kB header, an empty trainer_state.json and 10,000 nested folders, beside good runs. The scan must finish (a pipe opened for reading would block it forever),
// every good run must be there with its exact points, and every bad file must have a diagnostic.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir } from './helpers/tempDir';
import { makeHostileWorkspace, removeDeepChain } from '../../scripts/hostile-workspace';

const repo = path.resolve(__dirname, '../..');

test(
  'hostile workspace: the CLI scan finishes, keeps every good run exactly and names every bad file',
  { skip: process.platform === 'win32' ? 'needs mkfifo and Unix sockets' : false },
  () => {
    // With a chain of 10,000 nested folders (past the path limit): said once, on its top folder.
    const m = makeHostileWorkspace(tempDir('scaling-lens-hostile-'), { deepChain: 10_000 });
    // Removed here: the temporary folder's own removal (fs.rmSync) overflows its stack on the chain.
    after(() => removeDeepChain(m.root));
    // A time-out only so that a regression fails instead of hanging the suite; nothing is timed.
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli.ts'), 'scan', m.root, '--json'], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(r.signal, null, `the scan was killed (${r.signal}): it blocked or ran away`);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { runs: { id: string; points: number; diagnostics: string[] }[]; diagnostics: string[] };
    for (const [id, points] of Object.entries(m.goodRuns)) {
      const run = out.runs.find((x) => x.id === id);
      assert.ok(run, `run ${id} is there (runs: ${out.runs.map((x) => x.id).join(', ')})`);
      assert.equal(run.points, points, `run ${id} has its ${points} points`);
    }
    assert.deepEqual(out.runs.map((x) => x.id).sort(), Object.keys(m.goodRuns).sort(), 'no other runs (nothing read through a link out, nothing twice)');
    for (const [rel, want] of Object.entries(m.badFiles)) {
      const abs = path.join(m.root, rel);
      const hit = out.diagnostics.find((d) => d.startsWith(abs) && d.includes(want));
      assert.ok(hit, `${rel} has a diagnostic with "${want}"; diagnostics of it: ${out.diagnostics.filter((d) => d.startsWith(abs)).join(' | ') || 'none'}`);
    }
    assert.equal(out.diagnostics.filter((d) => d.includes('longer than the system allows')).length, 1, 'the chain is said once');
    assert.ok(!r.stderr.includes('/d/d/d/d/d/d/d/d'), `stderr quotes the chain: ${r.stderr.slice(0, 300)}`);
    // No diagnostic quotes a long stretch of what was read (a megabyte cell, a 3 MiB line).
    for (const d of out.diagnostics) assert.ok(d.length < 600, `a diagnostic of ${d.length} characters: ${d.slice(0, 200)}…`);
    // Nothing outside the workspace was read.
    assert.ok(
      !r.stdout.includes(path.join(path.dirname(m.root), 'outside', 'secret', 'metrics.jsonl') + ':'),
      'the linked-out file is named only as a skipped link target',
    );
  },
);
