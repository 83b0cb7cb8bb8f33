// The generated hostile workspace (scripts/hostile-workspace.ts, added to a copy of the examples by
// the `hostile` runner configuration) opened in a real VS Code: named pipes, a socket, a device
// behind a link, links out of the folder, a loop, sparse gigabytes of zeros, an endless line, a
// million-column CSV and pathological text lines beside good runs. The extension host stays
// responsive, every good run is there with its exact points, and no bad file yields a run; each one
// VS Code offers the extension gets a diagnostic (issue 17).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WAIT_MS, api, workspaceRoot } from './harness';

interface Manifest {
  root: string;
  goodRuns: Record<string, number>;
  badFiles: Record<string, string>;
}

suite('hostile workspace', () => {
  test('hostile workspace: good runs exact, bad files diagnosed, nothing read outside, the host responsive', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(workspaceRoot(), '.hostile-manifest.json'), 'utf8')) as Manifest;
    const lens = await api();
    const goodIds = Object.keys(manifest.goodRuns);
    const snap = await lens.waitForSnapshot((s) => goodIds.every((id) => s.runs.some((r) => r.id === id && r.points === manifest.goodRuns[id])), WAIT_MS);
    for (const id of goodIds) assert.equal(snap.runs.find((r) => r.id === id)?.points, manifest.goodRuns[id], `run ${id}`);
    // No run comes from a bad file, a link out or a second path to a good log.
    const bad = snap.runs.filter((r) => r.id.startsWith('bad/') && !goodIds.includes(r.id));
    assert.deepEqual(
      bad.map((r) => r.id),
      [],
      'no run from a bad file',
    );
    assert.ok(!snap.runs.some((r) => r.id.startsWith('good/zz-hardlink')), 'the hard-linked copy is not a second run');
    assert.ok(
      !snap.runs.some((r) => r.files.some((f) => f.includes(`${path.sep}outside`) || f.includes('-outside'))),
      'nothing read outside the workspace folder',
    );
    // Each bad file VS Code's file search offers has a diagnostic; which ones it offers is reported.
    const offered: string[] = [];
    const silent: string[] = [];
    for (const [rel, want] of Object.entries(manifest.badFiles)) {
      const abs = path.join(manifest.root, rel);
      const diags = snap.diagnostics.filter((d) => d.file === abs || d.file.startsWith(abs + path.sep));
      if (diags.length > 0) {
        offered.push(rel);
        assert.ok(
          diags.some((d) => d.message.includes(want) || rel === 'bad/dir-out' || rel === 'bad/loop/up'),
          `${rel}: ${diags.map((d) => d.message).join(' | ')}`,
        );
      } else silent.push(rel);
    }
    console.log(
      `[scaling-lens tests] hostile workspace: diagnosed ${offered.length} (${offered.join(', ')}); not offered by VS Code's file search: ${silent.join(', ') || 'none'}`,
    );
    for (const rel of [
      'bad/longline/metrics.jsonl',
      'bad/bigcell/metrics.csv',
      'bad/zeros/metrics.jsonl',
      'bad/link-out/metrics.jsonl',
      'good/zz-hardlink/metrics.jsonl',
    ])
      assert.ok(offered.includes(rel), `${rel} has its diagnostic`);
    // The host answers a command and a request while all this is in the workspace.
    await vscode.commands.executeCommand('scalingLens.rescan');
    const again = await lens.waitForSnapshot(
      (s) => s.version > snap.version && goodIds.every((id) => s.runs.some((r) => r.id === id && r.points === manifest.goodRuns[id])),
      WAIT_MS,
    );
    assert.ok(again.runs.length >= goodIds.length);
  });
});
