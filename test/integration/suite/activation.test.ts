// Runs inside a real VS Code extension host (see ./index.ts and ../README.md).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** `${publisher}.${name}` from package.json. */
const EXTENSION_ID = 'scaling-lens.scaling-lens';
const COMMANDS = ['scalingLens.showDashboard', 'scalingLens.rescan'];

suite('activation', () => {
  test('runs inside a real VS Code extension host', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    console.log(`[scaling-lens tests] vscode.version = ${vscode.version} (${vscode.env.appName})`);
    assert.equal(typeof vscode.commands.executeCommand, 'function');
  });

  test('a workspace folder is open', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folders.length > 0, 'no workspace folder is open');
    assert.equal(folders[0].uri.scheme, 'file');
  });

  test(`extension ${EXTENSION_ID} is installed`, () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    assert.equal(ext.packageJSON.name, 'scaling-lens');
  });

  test('extension activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    // Always await activate(): after a failed activation (e.g. triggered by workspaceContains)
    // `isActive` is already true, and only activate() rejects, with the activation error.
    await ext.activate();
    assert.ok(ext.isActive, 'extension did not become active');
  });

  test('commands are registered', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of COMMANDS) assert.ok(all.has(c), `command ${c} is not registered`);
  });
});
