// Restricted Mode (an untrusted workspace): logs and configs are still read (never executed), but a
// workspace may not redirect what is read: its `scalingLens.logGlobs` is ignored.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WAIT_MS, api } from './harness';

suite('Restricted Mode', () => {
  test('the workspace is untrusted and the extension still reads the runs', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const lens = await api();
    const snapshot = await lens.waitForSnapshot((s) => s.runs.length >= 7 && s.fitting === 0, WAIT_MS);
    assert.ok(
      snapshot.families.some((f) => f.fit),
      'the family law is fitted',
    );
  });

  test('lenses work on a config', async () => {
    const lens = await api();
    await lens.waitForSnapshot((s) => s.families.some((f) => f.fit), WAIT_MS);
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const document = await vscode.workspace.openTextDocument(path.join(folder, 'configs', 'planned-400m', 'config.json'));
    const estimate = await lens.estimate(document);
    assert.ok(estimate.predictions.loss, estimate.predictions.uncalibrated);
  });

  test('a workspace logGlobs setting is ignored: the rescan still reads every log', async () => {
    const lens = await api();
    const before = await lens.waitForSnapshot((s) => s.runs.length >= 7, WAIT_MS);
    await vscode.workspace.getConfiguration('scalingLens').update('logGlobs', ['**/trainer_state.json'], vscode.ConfigurationTarget.Workspace);
    try {
      // VS Code hides a restricted setting's workspace value from extensions in Restricted Mode, so
      // the proof that the workspace asks for it is the settings file itself.
      const settingsFile = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');
      const written = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(written['scalingLens.logGlobs'], ['**/trainer_state.json'], 'the workspace asks for fewer logs');
      await vscode.commands.executeCommand('scalingLens.rescan');
      const after = await lens.waitForSnapshot((s) => s.version > before.version, WAIT_MS);
      assert.equal(after.runs.length, before.runs.length);
    } finally {
      await vscode.workspace.getConfiguration('scalingLens').update('logGlobs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
