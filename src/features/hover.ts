import * as vscode from 'vscode';
import type { ConfigLensProvider } from './codeLens';
import type { WorkerClient } from '../services/workerClient';
import { COMMAND_SHOW_DASHBOARD } from './commands';
import { COMMAND_SHOW_DASHBOARD_VIEW } from './dashboard';
import { hoverMarkdown, sourcesOnLine } from './hoverText';
import { runNamer } from '../shared/displayName';

/** Hovers on the size, token, LR and batch keys of a recognised config (parsed in the worker). */
export class ConfigHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly lenses: ConfigLensProvider,
    private readonly worker: WorkerClient,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    let estimate;
    try {
      estimate = await this.lenses.estimate(document);
    } catch {
      return undefined;
    }
    if (token.isCancellationRequested || !estimate.applicable || !estimate.plan) return undefined;
    const keys = sourcesOnLine(estimate, document.uri.fsPath, this.lenses.lines(document), position.line);
    if (keys.length === 0) return undefined;
    // The fit behind the prediction (its parameters and validation) is in the latest snapshot.
    const lossFamily = estimate.predictions.loss?.family;
    // A snapshot's provisional law (a first scan's) may be of other runs than the estimate's: its parameters are not shown as the estimate's.
    const family = lossFamily === undefined ? undefined : this.worker.latest?.families.find((f) => f.family === lossFamily && f.provisional === undefined);
    const markdown = new vscode.MarkdownString(
      hoverMarkdown(
        estimate,
        keys,
        { dashboard: COMMAND_SHOW_DASHBOARD, dashboardView: COMMAND_SHOW_DASHBOARD_VIEW },
        family,
        this.lenses.lines(document),
        runNamer(this.worker.latest?.runs),
      ),
    );
    // The derivation is folded in a <details> below the key numbers.
    markdown.supportHtml = true;
    // Command links are allowed only for our own dashboard commands.
    markdown.isTrusted = { enabledCommands: [COMMAND_SHOW_DASHBOARD, COMMAND_SHOW_DASHBOARD_VIEW] };
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }
}
