// The scan's problems in the Problems panel: a run log's skipped lines and unreadable files, a
// `.scalinglens.yaml`'s bad keys and globs matching no run. One collection keyed by file, replaced as
// each snapshot's diagnostics change, so a file fixed or deleted loses its entries.
import * as vscode from 'vscode';
import { Disposable } from '../services/dispose';
import type { WorkerClient } from '../services/workerClient';
import type { Snapshot } from '../shared/protocol';
import { rangeOf, severity, type ConfigDiagnostics } from './configDiagnostics';
import { logProblemsByFile, withoutShownElsewhere } from './logProblems';

export class LogDiagnostics extends Disposable {
  readonly collection = this.register(vscode.languages.createDiagnosticCollection('scalingLens.logs'));
  /** The snapshot diagnostics last shown: a delta without new diagnostics keeps the same array. */
  private shownFrom: Snapshot['diagnostics'] | undefined;

  /** The open configs' own diagnostics: a problem they show is not shown again here. */
  constructor(
    worker: WorkerClient,
    private readonly configs?: Pick<ConfigDiagnostics, 'onDidChange' | 'shownFor'>,
  ) {
    super();
    this.register(worker.onSnapshot((s) => this.update(s)));
    if (configs) this.register(configs.onDidChange(() => this.shownFrom && this.show(this.shownFrom)));
    if (worker.latest) this.update(worker.latest);
  }

  private update(snapshot: Snapshot): void {
    if (snapshot.diagnostics === this.shownFrom) return;
    this.shownFrom = snapshot.diagnostics;
    this.show(snapshot.diagnostics);
  }

  private show(diagnostics: Snapshot['diagnostics']): void {
    const all = logProblemsByFile(diagnostics);
    const byFile = this.configs ? withoutShownElsewhere(all, (file) => this.configs!.shownFor(file)) : all;
    const entries: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const [file, problems] of byFile) {
      // The open document, when there is one, gives the line's extent without its indentation.
      const document = vscode.workspace.textDocuments.find((t) => t.uri.fsPath === file);
      entries.push([
        vscode.Uri.file(file),
        problems.map((p) => {
          const d = new vscode.Diagnostic(rangeOf(document, p.line), p.message, severity(p.severity));
          d.source = 'Scaling Lens';
          return d;
        }),
      ]);
    }
    // Replaced whole: files no longer in the scan's problems (fixed, deleted) lose theirs.
    this.collection.clear();
    this.collection.set(entries);
  }
}
