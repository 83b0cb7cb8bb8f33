import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { Disposable } from '../services/dispose';
import type { WorkerClient } from '../services/workerClient';
import { parseWebviewMessage, type HostToWebview, type Snapshot, type WebviewToHost } from '../shared/protocol';
import { DASHBOARD_VIEW_TYPE } from './commands';
import { dashboardHtml } from './dashboardHtml';
import { snapshotCsv } from '../shared/csvExport';

/** What the webview last reported having drawn; integration tests read it through the API. */
export interface RenderReport {
  version: number;
  runs: number;
  points: number;
}

/**
 * The dashboard panel. The webview only renders what it is sent; every message it sends back is
 * validated (it is untrusted). UI state lives in the webview's `setState`, not in the host, and
 * the serializer revives the panel after a reload.
 */
export class Dashboard extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
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
        if (this.worker.latest) this.send(this.worker.latest);
        return;
      case 'rendered':
        this.lastRendered = { version: message.version, runs: message.runs, points: message.points };
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

  private send(snapshot: Snapshot): void {
    if (!this.panel || !this.ready) return;
    const message: HostToWebview = { type: 'snapshot', snapshot };
    void this.panel.webview.postMessage(message);
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
