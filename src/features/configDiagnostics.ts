// Problems the config readers found (a malformed value, invalid YAML/JSON/TOML, contradicting
// batch sizes) as editor diagnostics on the offending line: never a stack trace, never a toast.
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/diagnostics';
import type { ConfigEstimate } from '../shared/protocol';

const SOURCE = 'Scaling Lens';
const SYNTAX_ERROR = /^invalid (JSON|YAML|TOML)\b/;

export function severity(s: Diagnostic['severity']): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

/** The range of a 1-based line without its indentation (the whole first line when unknown). */
export function rangeOf(document: vscode.TextDocument | undefined, line: number | undefined): vscode.Range {
  const l = Math.max(0, (line ?? 1) - 1);
  if (!document || l >= document.lineCount) return new vscode.Range(l, 0, l, Number.MAX_SAFE_INTEGER);
  const text = document.lineAt(l);
  return new vscode.Range(l, text.firstNonWhitespaceCharacterIndex, l, text.range.end.character);
}

export class ConfigDiagnostics {
  readonly collection = vscode.languages.createDiagnosticCollection('scalingLens.configs');
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when the collection changed (the logs' problems leave out what it shows, features/logDiagnostics.ts). */
  readonly onDidChange = this.changed.event;
  /** Files each document's last estimate put diagnostics on (itself and siblings it read). */
  private readonly owned = new Map<string, Set<string>>();
  /** Documents some estimate recognised as a training config this session. */
  private readonly recognised = new Set<string>();

  /** Replaces the diagnostics a document's estimate produced. */
  update(document: vscode.TextDocument, estimate: ConfigEstimate): void {
    const key = document.uri.toString();
    if (estimate.applicable) this.recognised.add(key);
    // Any JSON/YAML/TOML file may be malformed; its own language support says so. A syntax error
    // is ours to report only in a file already recognised as a training config.
    const shown = estimate.diagnostics.filter((d) => this.recognised.has(key) || !SYNTAX_ERROR.test(d.message));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of shown) {
      const file = d.file || document.uri.fsPath;
      const target = file === document.uri.fsPath ? document : vscode.workspace.textDocuments.find((t) => t.uri.fsPath === file);
      const diagnostic = new vscode.Diagnostic(rangeOf(target, d.line), d.message, severity(d.severity));
      diagnostic.source = SOURCE;
      const list = byFile.get(file) ?? [];
      list.push(diagnostic);
      byFile.set(file, list);
    }
    for (const file of this.owned.get(key) ?? []) if (!byFile.has(file)) this.collection.delete(vscode.Uri.file(file));
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
    this.owned.set(key, new Set(byFile.keys()));
    this.changed.fire();
  }

  /** What this collection shows for `file` (1-based lines), for the logs' problems to leave out. */
  shownFor(file: string): { line: number; message: string }[] {
    return (this.collection.get(vscode.Uri.file(file)) ?? []).map((d) => ({ line: d.range.start.line + 1, message: d.message }));
  }

  /** A closed document's own diagnostics go with it. */
  forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    for (const file of this.owned.get(key) ?? []) this.collection.delete(vscode.Uri.file(file));
    this.owned.delete(key);
    this.recognised.delete(key);
    this.changed.fire();
  }

  dispose(): void {
    this.collection.dispose();
    this.changed.dispose();
  }
}
