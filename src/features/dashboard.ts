import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { Disposable } from '../services/dispose';
import type { WorkerClient } from '../services/workerClient';
import { parseWebviewMessage, type DashboardView, type HostToWebview, type Snapshot, type WebviewToHost } from '../shared/protocol';
import { diffSnapshots } from '../shared/dashboardDelta';
import { plannedPoint } from '../core/dashboardData';
import { DASHBOARD_VIEW_TYPE } from './commands';
import { dashboardHtml } from './dashboardHtml';
import { snapshotCsv } from '../shared/csvExport';

/** What the webview last reported having drawn; integration tests read it through the API. */
export interface RenderReport {
  version: number;
  runs: number;
  points: number;
  view: DashboardView;
  /** Whether the editor's config was drawn as a planned run. */
  planned: boolean;
  /** How many times the page had loaded (said `ready`) when it drew this: a reload increases it. */
  loads: number;
  /** Snapshots sent whole and as deltas so far. */
  sentFull: number;
  sentDeltas: number;
}

/** Opens the dashboard on one view; internal (hover links, tests), so not in the palette. */
export const COMMAND_SHOW_DASHBOARD_VIEW = 'scalingLens.showDashboardView';
const VIEWS: readonly DashboardView[] = ['curves', 'scaling', 'validation'];

/**
 * The dashboard panel. The webview only renders what it is sent; every message it sends back is
 * validated (it is untrusted). UI state lives in the webview's `setState`, not in the host, and
 * the serializer revives the panel after a reload.
 */
export class Dashboard extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  /** What the webview holds now (deltas are made against it); reset when the page loads. */
  private sent: Snapshot | undefined;
  private loads = 0;
  private sentFull = 0;
  private sentDeltas = 0;
  private plannedRequest = 0;
  private lastDocument: vscode.TextDocument | undefined;
  private pendingView: DashboardView | undefined;
  lastRendered: RenderReport | undefined;
  rejectedMessages = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly worker: WorkerClient,
    private readonly output: vscode.LogOutputChannel,
  ) {
    super();
    this.register(worker.onSnapshot((s) => this.send(s)));
    this.register(
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
    );
    this.register(
      vscode.commands.registerCommand(COMMAND_SHOW_DASHBOARD_VIEW, (view: unknown) => {
        this.show();
        if (!VIEWS.includes(view as DashboardView)) return;
        // A hidden panel's page is reloaded when revealed: the view waits for it to say `ready`.
        if (this.ready && this.panel?.visible) this.post({ type: 'showView', view: view as DashboardView });
        else this.pendingView = view as DashboardView;
      }),
    );
    // The config in the editor is the planned run of the scaling view.
    // The panel itself takes focus from the editor, so the last text editor is remembered.
    this.lastDocument = vscode.window.activeTextEditor?.document;
    this.register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!editor) return;
        this.lastDocument = editor.document;
        this.sendPlanned();
      }),
    );
    this.register(vscode.workspace.onDidSaveTextDocument((d) => d === this.lastDocument && this.sendPlanned()));
  }

  /** Asks the worker about the active editor's config (if it is one) and sends it as the planned run. */
  private sendPlanned(): void {
    if (!this.panel || !this.ready) return;
    const document = this.lastDocument;
    if (!document || document.isClosed || document.uri.scheme !== 'file') return;
    const request = ++this.plannedRequest;
    this.worker.request({ kind: 'estimateConfig', path: document.uri.fsPath, text: document.getText() }).then(
      (r) => {
        if (request !== this.plannedRequest || r.kind !== 'estimateConfig') return;
        const planned = plannedPoint(r.estimate);
        // A file that is not a config leaves the last planned run in place (the user looks elsewhere).
        if (planned || r.estimate.applicable) this.post({ type: 'planned', planned: planned && { ...planned, file: vscode.workspace.asRelativePath(planned.file) } });
      },
      (e: unknown) => this.output.warn(`planned run for the dashboard: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Scaling Lens', vscode.ViewColumn.Active, this.options());
    this.attach(panel);
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    this.ready = false;
    panel.webview.options = this.options();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html(panel.webview);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      // A hidden page is discarded (no retainContextWhenHidden) and says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible && this.panel === panel) this.ready = false;
      }),
      panel.onDidDispose(() => {
        subscriptions.forEach((s) => s.dispose());
        if (this.panel === panel) {
          this.panel = undefined;
          this.ready = false;
        }
      }),
    ];
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.rejectedMessages++;
      this.output.warn('ignored an invalid message from the dashboard webview');
      return;
    }
    this.handle(message);
  }

  private handle(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.loads++;
        this.sent = undefined;
        if (this.pendingView) this.post({ type: 'showView', view: this.pendingView });
        this.pendingView = undefined;
        if (this.worker.latest) this.send(this.worker.latest);
        this.sendPlanned();
        return;
      case 'resync':
        this.sent = undefined;
        if (this.worker.latest) this.send(this.worker.latest);
        return;
      case 'rendered':
        this.lastRendered = { version: message.version, runs: message.runs, points: message.points, view: message.view, planned: message.planned, loads: this.loads, sentFull: this.sentFull, sentDeltas: this.sentDeltas };
        return;
      case 'revealLog': {
        // Only files of runs the worker itself found can be opened: a path from the webview is never trusted.
        const run = this.worker.latest?.runs.find((r) => r.id === message.runId);
        const file = run?.files[0];
        if (file) {
          vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true }).then(undefined, (e: unknown) => {
            this.output.warn(`cannot open ${file}: ${e instanceof Error ? e.message : String(e)}`);
          });
        }
        return;
      }
      case 'exportCsv': {
        // Built from the host's own snapshot: the file holds nothing the webview wrote.
        const snapshot = this.worker.latest;
        if (snapshot) void this.save('scaling-lens-runs.csv', { CSV: ['csv'] }, new TextEncoder().encode(snapshotCsv(snapshot)));
        return;
      }
      case 'exportPng':
        // Validated as a base64 PNG data URL by parseWebviewMessage; saved only where the user chooses.
        void this.save('scaling-lens-curves.png', { PNG: ['png'] }, Buffer.from(message.dataUrl.slice(message.dataUrl.indexOf(',') + 1), 'base64'));
        return;
    }
  }

  private async save(name: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    try {
      const uri = await vscode.window.showSaveDialog({ defaultUri: folder && vscode.Uri.joinPath(folder, name), filters });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, bytes);
      vscode.window.setStatusBarMessage(`Scaling Lens: saved ${vscode.workspace.asRelativePath(uri)}`, 3000);
    } catch (e) {
      void vscode.window.showErrorMessage(`Scaling Lens: could not save ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The whole snapshot to a freshly loaded page, afterwards only what changed. */
  private send(snapshot: Snapshot): void {
    if (!this.panel || !this.ready) return;
    const previous = this.sent;
    this.sent = snapshot;
    // A restarted worker counts versions from 1 again: then the page gets the whole snapshot.
    if (previous && snapshot.version > previous.version) {
      this.sentDeltas++;
      this.post({ type: 'delta', delta: diffSnapshots(previous, snapshot) });
    } else {
      this.sentFull++;
      this.post({ type: 'snapshot', snapshot });
    }
  }

  private post(message: HostToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    return dashboardHtml({
      nonce: randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.css')).toString(),
    });
  }
}
