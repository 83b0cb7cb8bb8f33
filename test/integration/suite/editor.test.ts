// The editor surface in a real VS Code: lenses on every config format, hovers, the one-click LR
// edit (and its undo), code actions, diagnostics on a malformed config, and "Plan Compute Budget"
// end to end with scripted answers. Fixture configs are written into the workspace copy.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PlanUi } from '../../../src/features/planBudget';
import { readConfig } from '../../../src/core/configs/index';
import { trainingFlops } from '../../../src/core/plan/flops';
import { formatFlops, formatLoss } from '../../../src/shared/format';
import { formatHours } from '../../../src/core/plan/costFormat';
import { EDITOR_CONFIGS } from '../../unit/helpers/editorConfigs';
import { WAIT_MS, api, poll } from './harness';

function editorDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return path.join(folder.uri.fsPath, 'editor');
}

/** Writes a fixture config into the workspace copy (fresh for each test) and opens it. */
async function openFixture(key: keyof typeof EDITOR_CONFIGS, name = EDITOR_CONFIGS[key].name): Promise<vscode.TextEditor> {
  const file = path.join(editorDir(), name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, EDITOR_CONFIGS[key].text);
  const document = await vscode.workspace.openTextDocument(file);
  return vscode.window.showTextDocument(document);
}

async function lensesOf(document: vscode.TextDocument, what: (lenses: vscode.CodeLens[]) => boolean): Promise<vscode.CodeLens[]> {
  return poll('code lenses', async () => {
    const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100);
    return found && what(found) ? found : undefined;
  });
}

function titled(lenses: vscode.CodeLens[], pattern: RegExp): vscode.CodeLens {
  const lens = lenses.find((l) => pattern.test(l.command?.title ?? ''));
  assert.ok(lens, `a lens matching ${pattern} among ${lenses.map((l) => l.command?.title).join(' | ')}`);
  return lens;
}

suite('Scaling Lens on the example sweep (editor)', function () {
  // The first fit of the sweep's family law takes a while on a 2-core machine.
  this.timeout(120_000);
  suiteSetup(async () => {
    const lens = await api();
    await lens.waitForSnapshot((s) => s.families.some((f) => f.family === 'example-sweep' && f.fit), WAIT_MS);
  });

  for (const key of Object.keys(EDITOR_CONFIGS) as (keyof typeof EDITOR_CONFIGS)[]) {
    test(`lenses on a ${EDITOR_CONFIGS[key].format} config show the calibrated loss, its FLOPs and GPU-hours above the model`, async () => {
      const lens = await api();
      const editor = await openFixture(key);
      const document = editor.document;
      const lenses = await lensesOf(document, (ls) => ls.some((l) => l.command?.title.includes('FLOPs')));
      const main = titled(lenses, /FLOPs/);
      const title = main.command!.title;
      // The expected numbers: the reader's plan through the FLOPs convention, independently of the lens.
      const read = readConfig({ file: document.uri.fsPath, text: document.getText() });
      assert.equal(read.kind, 'plan');
      const flops = trainingFlops(read.kind === 'plan' ? read.plan : (undefined as never)).flops;
      const estimate = await lens.estimate(document);
      assert.ok(estimate.predictions.loss, `calibrated: ${estimate.predictions.uncalibrated}`);
      assert.equal(estimate.predictions.loss.family, 'example-sweep');
      const hw = estimate.cost!.hardware;
      const hours = flops / (hw.peakFlopsPerSecond * hw.mfu) / 3600;
      assert.ok(title.startsWith(`$(graph-line) Loss ${formatLoss(estimate.predictions.loss.value)} [`), title);
      assert.ok(
        title.includes(` · ${formatFlops(flops)} FLOPs · ${formatHours(hours)} ${hw.id}-h · $`),
        `${title} has ${formatFlops(flops)} FLOPs and ${formatHours(hours)} ${hw.id}-h`,
      );
      // Above the model block: the header line (`model:`, `[model]`) or the first model key.
      const header = document.lineAt(main.range.start.line).text;
      assert.match(
        header,
        key === 'yaml' ? /^model:$/ : key === 'torchtitan' ? /^\[model\]$/ : key === 'nanogpt' ? /^n_layer = 12$/ : /^torchrun pretrain_gpt\.py/,
      );
      assert.ok(lenses.some((l) => l.command?.title === 'Plan budget'));
      // Memory that fits is in the loss lens's tooltip (a lens of its own only as advice).
      assert.match(main.command!.tooltip ?? '', /Memory: fits \d+× H100/);
      // LR advice on the LR line, clickable.
      const step = titled(lenses, /^Step Law [\d.]+e-\d \(prior\)/);
      assert.match(document.lineAt(step.range.start.line).text, /lr|learning_rate/);
      assert.equal(step.command!.command, 'scalingLens.applySuggestion');
      // Every lens sits on the line it describes: the model block's, or the line of its value.
      for (const l of lenses) {
        const line = l.range.start.line;
        const title = l.command?.title ?? '';
        if (line === main.range.start.line) continue;
        const text = document.lineAt(line).text;
        if (/^(\$\(warning\) )?LR |e-\d \(prior\)/.test(title)) assert.match(text, /lr|learning_rate/, `${title} on "${text}"`);
        else assert.match(text, /batch|tokens/i, `${title} on "${text}"`);
      }
    });
  }

  test('an HF config: every lens on its first line; one names training_args.json, warns about the LR and opens the file at it', async () => {
    const lens = await api();
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'configs', 'planned-400m', 'config.json');
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    const lenses = await lensesOf(document, (ls) => ls.some((l) => /training_args\.json/.test(l.command?.title ?? '')));
    assert.deepEqual([...new Set(lenses.map((l) => l.range.start.line))], [0], 'no lens on a line that does not hold its value');
    const elsewhere = titled(lenses, /training_args\.json/);
    assert.match(elsewhere.command!.title, /^\$\(warning\) training_args\.json: LR 2e-4, \d–\d× below priors$/);
    await vscode.commands.executeCommand(elsewhere.command!.command, ...(elsewhere.command!.arguments ?? []));
    const opened = await poll('training_args.json in the editor', () =>
      vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('training_args.json') ? vscode.window.activeTextEditor : undefined,
    );
    assert.match(opened.document.lineAt(opened.selection.active.line).text, /"learning_rate"/, 'the cursor is on the learning rate');
    // There, the suggestions are lenses on the value's own line, and a click would set it.
    const argsLenses = await lensesOf(opened.document, (ls) => ls.some((l) => /^Step Law [\d.]+e-\d \(prior\)/.test(l.command?.title ?? '')));
    const step = titled(argsLenses, /^Step Law [\d.]+e-\d \(prior\)/);
    assert.match(opened.document.lineAt(step.range.start.line).text, /"learning_rate"/);
    assert.equal(step.command!.command, 'scalingLens.applySuggestion');
    titled(argsLenses, /^\$\(warning\) LR 2e-4, \d–\d× below both suggestions$/);
    assert.ok((await lens.lensSpecs(opened.document)).every((s) => /learning_rate|per_device_train_batch_size/.test(opened.document.lineAt(s.line).text)));
  });

  test('the status bar follows the run whose files the user opens; its click reveals that run in the dashboard', async () => {
    const lens = await api();
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'sweep', 'llama-95m', 'config.json');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const item = await poll('the status bar on llama-95m', () => {
      const shown = lens.statusBarItem();
      // The forecast with its interval, not the point forecast shown first ("interval coming").
      return /llama-95m/.test(shown.tooltip) && shown.text.includes('→') && !shown.text.includes('interval coming') ? shown : undefined;
    });
    assert.match(item.text, /^\$\((graph|sync~spin)\) llama-95m · loss \d\.\d\d → \d\.\d\d \(from this run alone\)$/);
    assert.match(item.tooltip, /run llama-95m \(sweep\/llama-95m\).*the run whose files you last opened/);
    assert.match(item.tooltip, /80% interval \[\d\.\d{3}, \d\.\d{3}\]/);
    assert.equal(item.command?.command, 'scalingLens.showDashboardView');
    assert.deepEqual(item.command?.arguments, ['curves', { runId: 'sweep/llama-95m' }]);
  });

  test('hovers: the LR against both laws; a size key with the fitted formula and its fit quality; restricted dashboard links', async () => {
    const editor = await openFixture('yaml', 'hover.yaml');
    const document = editor.document;
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('lr:'));
    const position = new vscode.Position(line, 3);
    const text = await poll('a Scaling Lens hover', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
      const values = (hovers ?? []).flatMap((h) => h.contents.map((c) => (c as vscode.MarkdownString).value ?? ''));
      return values.find((v) => v.includes('Scaling Lens'));
    });
    assert.match(text, /\| Learning rate \| 3e-4 configured \|/);
    assert.match(text, /Step Law.*a prior, not fitted to your runs/);
    assert.match(text, /DeepSeek/);
    assert.match(text, /command:scalingLens\.showDashboard\)/);
    // A size key: the loss law with its fitted numbers and fit quality.
    const sizeLine = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('d_model:'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(sizeLine, 4));
    const size = hovers.flatMap((h) => h.contents.map((c) => (c as vscode.MarkdownString).value ?? '')).find((v) => v.includes('Scaling Lens'));
    assert.ok(size, 'a hover on d_model');
    assert.match(size, /\| Formula \| L\(N, D\) = E \+ A\/N\^α \+ B\/D\^β with E [\d.]+/);
    assert.match(size, /\| Fit quality \| chinchilla law of family "example-sweep", \d+ run\(s\)/);
    assert.match(size, /command:scalingLens\.showDashboardView\?/);
  });

  test('clicking a Step Law lens sets the LR in YAML syntax, and undo restores it', async () => {
    const editor = await openFixture('yaml', 'edit.yaml');
    const document = editor.document;
    const before = document.getText();
    const lenses = await lensesOf(document, (ls) => ls.some((l) => /^Step Law [\d.]+e-\d \(prior\)/.test(l.command?.title ?? '')));
    const step = titled(lenses, /^Step Law [\d.]+e-\d \(prior\)/);
    const suggested = /^Step Law ([\d.]+e-\d)/.exec(step.command!.title)![1];
    const result = await vscode.commands.executeCommand<{ applied: boolean }>(step.command!.command, ...(step.command!.arguments ?? []));
    assert.equal(result.applied, true);
    const line = document
      .getText()
      .split('\n')
      .find((l) => l.startsWith('  lr: '))!;
    // Written as the original (`3.0e-4`, a point in the mantissa) with the lens's value.
    assert.equal(Number(line.slice(6)), Number(suggested));
    assert.match(line, /^ {2}lr: \d\.\de-\d$/);
    assert.equal(document.getText().length - before.length, line.length - '  lr: 3.0e-4'.length, 'only the value changed');
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    await poll('the undo', () => (document.getText() === before ? true : undefined), 10_000);
  });

  test('the LR line offers the suggestions as code actions; a stale suggestion is refused', async () => {
    const editor = await openFixture('nanogpt', 'actions.py');
    const document = editor.document;
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('learning_rate'));
    const actions = await poll('code actions', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        document.uri,
        new vscode.Range(line, 0, line, 0),
      );
      const ours = (found ?? []).filter((a) => a.title.startsWith('Scaling Lens: set the learning rate'));
      return ours.length === 2 ? ours : undefined;
    });
    assert.match(actions[0].title, /\((Step Law|DeepSeek) prior\)$/);
    // The user changes the LR by hand: the old suggestion no longer applies to what is there.
    const edit = new vscode.WorkspaceEdit();
    const lineText = document.lineAt(line).text;
    edit.replace(document.uri, new vscode.Range(line, lineText.indexOf('6e-4'), line, lineText.length), '1e-3');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const stale = await vscode.commands.executeCommand<{ applied: boolean; reason?: string }>(
      actions[0].command!.command,
      ...(actions[0].command!.arguments ?? []),
    );
    assert.equal(stale.applied, false);
    assert.match(stale.reason ?? '', /now has 1e-3/);
    assert.equal(document.lineAt(line).text, 'learning_rate = 1e-3');
  });

  test('lenses follow the text while typing, and a malformed value is a diagnostic on its line', async () => {
    const lens = await api();
    const editor = await openFixture('yaml', 'typing.yaml');
    const document = editor.document;
    const first = await lensesOf(document, (ls) => ls.some((l) => l.command?.title.includes('FLOPs')));
    const modelLine = titled(first, /FLOPs/).range.start.line;
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# a new first line\n'));
    const moved = await lensesOf(document, (ls) => ls.some((l) => l.command?.title.includes('FLOPs') && l.range.start.line === modelLine + 1));
    assert.equal(document.lineAt(titled(moved, /FLOPs/).range.start.line).text, 'model:');
    const layersLine = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('layers: 12'));
    await editor.edit((b) => b.replace(document.lineAt(layersLine).range, '  layers: -12'));
    await lens.lensSpecs(document);
    const diagnostics = await poll('a diagnostic', () => {
      const d = lens.configDiagnostics(document.uri);
      return d.length ? d : undefined;
    });
    assert.equal(diagnostics[0].range.start.line, layersLine);
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostics[0].message, /model\.layers/);
    // While broken there are no lenses (no stack trace, no error toast); fixing it brings them back.
    assert.equal((await lens.lensSpecs(document)).length, 0);
    await editor.edit((b) => b.replace(document.lineAt(layersLine).range, '  layers: 12'));
    assert.ok((await lens.lensSpecs(document)).length > 0);
    await poll('the diagnostic to clear', () => (lens.configDiagnostics(document.uri).length === 0 ? true : undefined));
  });

  test('changing scalingLens.hardware.default re-estimates an open config without an edit: the lens cost moves to the new accelerator', async () => {
    const lens = await api();
    const editor = await openFixture('yaml');
    const document = editor.document;
    const version = document.version;
    const before = titled(await lensesOf(document, (ls) => ls.some((l) => / H100-h · \$/.test(l.command?.title ?? ''))), /FLOPs/).command!.title;
    const read = readConfig({ file: document.uri.fsPath, text: document.getText() });
    const flops = trainingFlops(read.kind === 'plan' ? read.plan : (undefined as never)).flops;
    const config = vscode.workspace.getConfiguration('scalingLens');
    await config.update('hardware.default', 'A100-80GB', vscode.ConfigurationTarget.Workspace);
    try {
      // No edit: the worker's estimates generation moves with the setting and the lens asks again.
      const after = titled(await lensesOf(document, (ls) => ls.some((l) => / A100-80GB-h · \$/.test(l.command?.title ?? ''))), /FLOPs/).command!.title;
      assert.equal(document.version, version, 'the document was not edited');
      const estimate = await lens.estimate(document);
      const hw = estimate.cost!.hardware;
      assert.equal(hw.id, 'A100-80GB');
      const hours = flops / (hw.peakFlopsPerSecond * hw.mfu) / 3600;
      assert.ok(after.includes(` · ${formatFlops(flops)} FLOPs · ${formatHours(hours)} A100-80GB-h · $`), `${after} costs ${formatHours(hours)} A100-80GB-h`);
      assert.notEqual(after, before);
    } finally {
      await config.update('hardware.default', undefined, vscode.ConfigurationTarget.Workspace);
    }
    // And back: the H100 cost returns, again without an edit.
    assert.equal(titled(await lensesOf(document, (ls) => ls.some((l) => / H100-h · \$/.test(l.command?.title ?? ''))), /FLOPs/).command!.title, before);
  });

  test('"Plan Compute Budget" from a config: scripted budget and deadline, plan in the worker, a new config written in the same format', async () => {
    const lens = await api();
    const editor = await openFixture('yaml', 'plan-from.yaml');
    const asked: string[] = [];
    const ui: PlanUi = {
      budget: async ({ value, validate }) => {
        asked.push(`budget default ${value}`);
        assert.match(validate('5 parsecs') ?? '', /cannot read the budget/);
        assert.equal(validate('5000 H100-h'), undefined);
        return '5000 H100-h';
      },
      constraints: async () => ['deadline'],
      value: async (constraint, { validate }) => {
        asked.push(constraint);
        assert.ok(validate('tomorrow'));
        return '30 days on 8 GPUs';
      },
      action: async () => 'write',
    };
    const outcome = await lens.planBudget(editor.document.uri.fsPath, ui);
    assert.ok(outcome, 'the command finished');
    assert.deepEqual(asked, [`budget default ${formatFlops((await lens.estimate(editor.document)).cost!.flops)}`, 'deadline']);
    assert.equal(outcome.request.family, 'example-sweep', "the config's family calibrates the plan");
    assert.equal(outcome.request.gpus, 8);
    assert.equal(outcome.plan.recommended.wallClockDays !== undefined, true);
    assert.ok(!('uncalibrated' in outcome.plan.recommended.loss));
    // Which runs would narrow N*: searched in the worker and named in the plan the host shows.
    assert.ok(outcome.plan.frontierUncertainty && outcome.plan.narrowing, 'the plan has an N* interval and the runs that would narrow it');
    assert.match(outcome.markdown, /## Runs that would narrow N\*\n\n.+\n1\. .+ parameters × .+ tokens/);
    assert.ok(
      vscode.workspace.textDocuments.some((d) => d.uri.toString() === outcome.document.toString() && d.getText().startsWith('# Compute budget: 5000 H100-h')),
    );
    // The result is rendered (VS Code's markdown preview, a webview tab), not shown as its source.
    assert.ok(vscode.extensions.getExtension('vscode.markdown-language-features'), 'the VS Code server ships the built-in markdown extension');
    assert.equal(outcome.shownAs, 'preview');
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    assert.ok(
      tabs.some((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType) && t.label.includes('Plan ')),
      `a markdown preview tab of the plan is open: ${tabs.map((t) => `${t.label} (${t.input instanceof vscode.TabInputWebview ? t.input.viewType : t.input instanceof vscode.TabInputText ? 'text' : 'other'})`).join(', ')}`,
    );
    assert.ok(
      !tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === outcome.document.toString()),
      'the markdown source is not opened as a text tab',
    );
    assert.equal(outcome.written.length, 1);
    assert.match(path.basename(outcome.written[0]), /^planned(-\d+)?\.yaml$/);
    const written = await vscode.workspace.openTextDocument(outcome.written[0]);
    const estimate = await lens.estimate(written);
    assert.equal(estimate.applicable, true, estimate.reason);
    assert.ok(Math.abs(estimate.plan!.params.total - outcome.plan.recommended.params) / outcome.plan.recommended.params < 0.1);
  });
});
