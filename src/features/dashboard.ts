import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { Disposable } from '../services/dispose';
import type { WorkerClient } from '../services/workerClient';
import { parseWebviewMessage, type HostToWebview, type Snapshot, type WebviewToHost } from '../shared/protocol';
import { DASHBOARD_VIEW_TYPE } from './commands';

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
    }
  }

  private send(snapshot: Snapshot): void {
    if (!this.panel || !this.ready) return;
    const message: HostToWebview = { type: 'snapshot', snapshot };
    void this.panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Scaling Lens</title>
</head>
<body>
<header>
  <h1>Scaling Lens</h1>
  <div class="controls">
    <label><input type="checkbox" id="logx"> log steps</label>
    <label><input type="checkbox" id="logy"> log loss</label>
  </div>
  <span id="status" role="status" aria-live="polite">Waiting for runs…</span>
</header>
<main>
  <section class="chart"><canvas id="curves" aria-label="Loss curves with fitted extrapolations"></canvas></section>
  <section>
    <h2>Runs</h2>
    <table id="runs"><thead><tr>
      <th>Run</th><th>Status</th><th>Params</th><th>Tokens</th><th>Last step</th><th>Last loss</th><th>Predicted final [80%]</th><th>Law</th>
    </tr></thead><tbody></tbody></table>
    <h2>Family laws</h2>
    <table id="families"><thead><tr><th>Family</th><th>Law</th><th>Runs</th><th>Parameters</th><th>Validation</th></tr></thead><tbody></tbody></table>
    <ul id="diagnostics"></ul>
  </section>
</main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}
