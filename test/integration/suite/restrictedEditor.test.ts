// Restricted Mode in the editor: lenses and hovers work on an untrusted workspace's configs, and
// nothing is edited unless the user clicks (a lens or a code action).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WAIT_MS, api, poll } from './harness';
import type { PlanUi } from '../../../src/features/planBudget';
import { EDITOR_CONFIGS } from '../../unit/helpers/editorConfigs';

suite('Restricted Mode (editor)', function () {
  // The first fit of the sweep's family law takes a while on a 2-core machine.
  this.timeout(120_000);
  test("lenses and hovers work on a YAML config; the file is edited only by the user's click, and undoably", async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const lens = await api();
    await lens.waitForSnapshot((s) => s.families.some((f) => f.fit), WAIT_MS);
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'editor', 'restricted.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, EDITOR_CONFIGS.yaml.text);
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    const lenses = await poll('lenses', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100);
      return found?.some((l) => /^Step Law/.test(l.command?.title ?? '')) ? found : undefined;
    });
    assert.ok(
      lenses.some((l) => /Loss \d\.\d{3} \[/.test(l.command?.title ?? '')),
      'calibrated loss',
    );
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('lr:'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(line, 3));
    assert.ok(hovers.some((h) => h.contents.some((c) => (c as vscode.MarkdownString).value?.includes('Step Law'))));
    // Computing lenses, hovers and code actions changed nothing.
    await vscode.commands.executeCommand('vscode.executeCodeActionProvider', document.uri, new vscode.Range(line, 0, line, 0));
    assert.equal(document.isDirty, false);
    assert.equal(document.getText(), EDITOR_CONFIGS.yaml.text);
    const step = lenses.find((l) => /^Step Law/.test(l.command?.title ?? ''))!;
    const result = await vscode.commands.executeCommand<{ applied: boolean }>(step.command!.command, ...(step.command!.arguments ?? []));
    assert.equal(result.applied, true);
    assert.notEqual(document.getText(), EDITOR_CONFIGS.yaml.text);
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    await poll('the undo', () => (document.getText() === EDITOR_CONFIGS.yaml.text ? true : undefined));
  });

  test('"Plan Compute Budget" runs in Restricted Mode: the plan is rendered, and nothing is written unless asked', async () => {
    const lens = await api();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const before = fs.readdirSync(path.join(folder, 'editor')).sort();
    const ui: PlanUi = {
      budget: async () => '1e21',
      constraints: async () => [],
      value: async () => undefined,
      action: async () => undefined, // the user dismisses the actions
    };
    const outcome = await lens.planBudget(undefined, ui);
    assert.ok(outcome, 'the command finished');
    assert.equal(outcome.shownAs, 'preview', "VS Code's markdown preview renders the plan in an untrusted workspace too");
    assert.match(outcome.markdown, /^# Compute budget: 1e21/);
    assert.deepEqual(outcome.written, []);
    assert.deepEqual(fs.readdirSync(path.join(folder, 'editor')).sort(), before, "no file written without the user's click");
  });
});
