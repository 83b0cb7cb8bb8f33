import * as vscode from 'vscode';
import type { ConfigLensProvider } from './codeLens';
import { COMMAND_SHOW_DASHBOARD } from './commands';
import { hoverMarkdown, sourcesOnLine } from './hoverText';

/** Hovers on the keys of a recognised config; the estimate is the lens's (parsed in the worker). */
export class ConfigHoverProvider implements vscode.HoverProvider {
  constructor(private readonly lenses: ConfigLensProvider) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    let estimate;
    try {
      estimate = await this.lenses.estimate(document);
    } catch {
      return undefined;
    }
    if (token.isCancellationRequested || !estimate.applicable || !estimate.plan) return undefined;
    const keys = sourcesOnLine(estimate, document.uri.fsPath, document.getText(), position.line);
    if (keys.length === 0) return undefined;
    const markdown = new vscode.MarkdownString(hoverMarkdown(estimate, keys, COMMAND_SHOW_DASHBOARD));
    // Command links are allowed only for our own dashboard command.
    markdown.isTrusted = { enabledCommands: [COMMAND_SHOW_DASHBOARD] };
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }
}
