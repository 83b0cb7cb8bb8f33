import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../services/dispose';
import type { WorkerClient } from '../services/workerClient';
import type { RunView, Snapshot } from '../shared/protocol';
import { COMMAND_PIN_STATUS_RUN } from './commands';
import { COMMAND_SHOW_DASHBOARD_VIEW } from './dashboard';
import { intervalComing } from '../shared/pendingInterval';
import { statusLookAt, statusTarget, statusText, statusTooltip, type StatusChoice } from './statusText';

/** The run of a file the user opened: its log or config sits in the run's folder. */
export function runOfFile(snapshot: Snapshot, file: string): RunView | undefined {
  const dir = path.dirname(file);
  return snapshot.runs.find((r) => r.files.includes(file)) ?? snapshot.runs.find((r) => r.dir === dir);
}

/**
 * The status bar item: one run's loss now and its predicted final loss. It shows the run the user
 * pinned, else the one they last looked at (opened its files or selected it in the dashboard),
 * else the live run furthest along; a click
 * reveals that run in the dashboard.
 */
export class StatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('scalingLens.status', vscode.StatusBarAlignment.Left, 50));
  private static readonly PINNED_KEY = 'scalingLens.statusBarRun';
  /** The run last looked at, kept over reloads: a cold start reads it first. */
  private static readonly LOOKED_KEY = 'scalingLens.statusBarLastLooked';
  private lastLooked: string | undefined;
  private lookedVia: StatusChoice['lookedVia'];

  constructor(
    private readonly worker: WorkerClient,
    private readonly state?: vscode.Memento,
  ) {
    super();
    this.item.name = 'Scaling Lens';
    this.lastLooked = state?.get<string>(StatusBar.LOOKED_KEY);
    // Before the first snapshot: the chosen run is read and fitted first on a cold start.
    const chosen = this.pinned ?? this.lastLooked;
    if (chosen !== undefined) worker.lookAt('statusBar', [chosen]);
    this.register(worker.onSnapshot((s) => this.update(s)));
    this.register(vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.looked(editor.document.uri)));
    this.register(vscode.commands.registerCommand(COMMAND_PIN_STATUS_RUN, () => this.pick()));
    if (vscode.window.activeTextEditor) this.looked(vscode.window.activeTextEditor.document.uri);
    if (worker.latest) this.update(worker.latest);
  }

  get text(): string {
    return this.item.text;
  }

  /** What the item shows and runs (the integration tests read it). */
  get shown(): { text: string; tooltip: string; command: vscode.Command | undefined } {
    const command = this.item.command;
    return {
      text: this.item.text,
      tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : '',
      command: typeof command === 'string' ? { title: '', command } : command,
    };
  }

  private get pinned(): string | undefined {
    return this.state?.get<string>(StatusBar.PINNED_KEY);
  }

  private looked(uri: vscode.Uri): void {
    const snapshot = this.worker.latest;
    if (uri.scheme !== 'file' || !snapshot) return;
    const run = runOfFile(snapshot, uri.fsPath);
    if (!run || (run.id === this.lastLooked && this.lookedVia === 'file')) return;
    this.lastLooked = run.id;
    this.lookedVia = 'file';
    void this.state?.update(StatusBar.LOOKED_KEY, run.id);
    this.update(snapshot);
  }

  /** The user selected a run in the dashboard (its id checked against the snapshot by the caller): follow it. */
  follow(runId: string): void {
    const snapshot = this.worker.latest;
    if (!snapshot?.runs.some((r) => r.id === runId)) return;
    this.lastLooked = runId;
    this.lookedVia = 'dashboard';
    void this.state?.update(StatusBar.LOOKED_KEY, runId);
    this.update(snapshot);
  }

  /** A quick pick of the runs: the one picked stays in the status bar until unpinned. */
  private async pick(): Promise<void> {
    const snapshot = this.worker.latest;
    if (!snapshot?.runs.length) {
      void vscode.window.showInformationMessage('Scaling Lens: no runs found yet.');
      return;
    }
    type Item = vscode.QuickPickItem & { runId?: string };
    const items: Item[] = [
      { label: '$(eye) Follow the run I last looked at', description: this.pinned ? 'unpin' : 'current', runId: undefined },
      ...snapshot.runs.map((r) => ({
        label: `${r.id === this.pinned ? '$(pinned) ' : ''}${r.name}`,
        description: `${r.status}${r.lastLoss !== undefined ? ` · loss ${r.lastLoss.toFixed(3)}` : ''}${r.curve ? ` → ${r.curve.predictedFinal.value.toFixed(3)}${intervalComing(r) ? ' (interval coming)' : ''}` : ''}`,
        detail: r.id,
        runId: r.id,
      })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Scaling Lens: run shown in the status bar', matchOnDetail: true });
    if (!picked) return;
    await this.state?.update(StatusBar.PINNED_KEY, picked.runId);
    this.update(snapshot);
  }

  private update(snapshot: Snapshot): void {
    if (snapshot.runs.length === 0) {
      this.item.hide();
      return;
    }
    const choice: StatusChoice = { pinned: this.pinned, lastLooked: this.lastLooked, lookedVia: this.lookedVia };
    const target = statusTarget(snapshot, choice);
    this.worker.lookAt('statusBar', statusLookAt(snapshot, choice));
    this.item.text = statusText(snapshot, choice);
    this.item.tooltip = statusTooltip(snapshot, choice);
    this.item.command = target
      ? { title: 'Show in the dashboard', command: COMMAND_SHOW_DASHBOARD_VIEW, arguments: ['curves', { runId: target.run.id }] }
      : { title: 'Show the dashboard', command: COMMAND_SHOW_DASHBOARD_VIEW, arguments: ['curves'] };
    this.item.show();
  }
}
