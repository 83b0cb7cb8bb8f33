import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { Disposable } from '../services/dispose';
import * as path from 'node:path';
import type { SnapshotUpdate, WorkerClient } from '../services/workerClient';
import {
  parseWebviewMessage,
  type ConfigEstimate,
  type DashboardFocus,
  type DashboardView,
  type HostToWebview,
  type LadderOverlay,
  type PlannedPoint,
  type RenderedView,
  type Snapshot,
  type WebviewToHost,
} from '../shared/protocol';
import { plannedLawPath, plannedPoint } from '../core/dashboardData';
import { DASHBOARD_VIEW_TYPE } from './commands';
import { dashboardHtml } from './dashboardHtml';
import { dashboardCsv } from '../shared/chartSeries';
import { isDashboardView } from '../shared/dashboardViews';
import { restoredDashboardState } from '../shared/savedDashboardState';

/** What the webview last reported having drawn; integration tests read it through the API. */
export interface RenderReport extends Required<RenderedView> {
  /** How many times the page had loaded (said `ready`) when it drew this: a reload increases it. */
  loads: number;
  /** Snapshots sent whole and as deltas so far. */
  sentFull: number;
  sentDeltas: number;
}

/**
 * Opens the dashboard on one view; internal (hover and lens links, tests), so not in the palette.
 * Arguments: the view, and optionally what to pick out there, `{ runId }` or `{ config }` (a config
 * file's path: its run when it is one's config, else the config as the planned run).
 */
export const COMMAND_SHOW_DASHBOARD_VIEW = 'scalingLens.showDashboardView';

/** The second argument of COMMAND_SHOW_DASHBOARD_VIEW, as links pass it. */
export type DashboardTarget = { runId: string } | { config: string };

function parseTarget(raw: unknown): DashboardTarget | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const t = raw as Record<string, unknown>;
  if (typeof t.runId === 'string' && t.runId.length <= 4096) return { runId: t.runId };
  if (typeof t.config === 'string' && t.config.length <= 4096) return { config: t.config };
  return undefined;
}

/**
 * The dashboard panel. The webview only renders what it is sent; every message it sends back is
 * validated (it is untrusted). UI state lives in the webview's `setState`, not in the host, and
 * the serializer revives the panel after a reload.
 */
export class Dashboard extends Disposable {
  private static readonly STATE_KEY = 'scalingLens.dashboardState';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  /** What the webview holds now (the worker's deltas are forwarded when made against it); reset when the page loads. */
  private sent: Snapshot | undefined;
  /** The planned run last sent to the page (the scaling view's CSV includes it). */
  private planned: PlannedPoint | undefined;
  private pendingFocus: DashboardFocus | undefined;
  /** The ladder "Plan Experiments" last showed (drawn in the scaling view until replaced). */
  private ladder: LadderOverlay | undefined;
  private loads = 0;
  private sentFull = 0;
  private sentDeltas = 0;
  private plannedRequest = 0;
  private lastDocument: vscode.TextDocument | undefined;
  private pendingView: DashboardView | undefined;
  lastRendered: RenderReport | undefined;
  rejectedMessages = 0;
  /** The last CSV export's text (integration tests compare it with the chart). */
  lastCsv: string | undefined;
  /** A save dialog is open (exports wait for it to close). */
  private saving = false;
  private readonly selected = this.register(new vscode.EventEmitter<string>());
  /** The user selected a run in the dashboard: the id of a run of the latest snapshot. */
  readonly onDidSelectRun = this.selected.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly worker: WorkerClient,
    private readonly output: vscode.LogOutputChannel,
    /** A config's estimate as the code lenses have it (cached per document version: asked of the worker once). */
    private readonly estimate: (document: vscode.TextDocument) => Promise<ConfigEstimate>,
    /** Where the last panel's options are kept for the next (the workspace's state). */
    private readonly memento?: vscode.Memento,
  ) {
    super();
    this.register(worker.onUpdate((u) => this.send(u)));
    this.register(
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
    );
    this.register(
      vscode.commands.registerCommand(COMMAND_SHOW_DASHBOARD_VIEW, (view: unknown, target?: unknown) => {
        this.show();
        const focus = parseTarget(target);
        if (focus) void this.focus(focus);
        if (!isDashboardView(view)) return;
        // A hidden panel's page is reloaded when revealed: the view waits for it to say `ready`.
        if (this.ready && this.panel?.visible) this.post({ type: 'showView', view });
        else this.pendingView = view;
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

  /**
   * Picks out what a link named: a run, or a config (its run when the config sits in a run's folder,
   * else the config itself, estimated and sent as the planned run).
   */
  private async focus(target: DashboardTarget): Promise<void> {
    let focus: DashboardFocus | undefined;
    if ('runId' in target) {
      focus = { runId: target.runId };
    } else {
      const file = target.config.startsWith('file:') ? vscode.Uri.parse(target.config).fsPath : target.config;
      // A link's argument is only text: open nothing outside the workspace's folders.
      if (!vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))) return;
      const run = this.worker.latest?.runs.find((r) => r.dir === path.dirname(file) || r.files.includes(file));
      if (run) {
        focus = { runId: run.id };
      } else {
        try {
          const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
          const planned = this.withLawPath(plannedPoint(await this.estimate(document)));
          if (!planned) return;
          this.planned = { ...planned, file: vscode.workspace.asRelativePath(planned.file) };
          // The config asked about stays the planned run until another editor is chosen.
          this.plannedRequest++;
          focus = { planned: this.planned.file };
          if (this.ready) this.post({ type: 'planned', planned: this.planned });
        } catch (e) {
          this.output.warn(`dashboard focus on ${file}: ${e instanceof Error ? e.message : String(e)}`);
          return;
        }
      }
    }
    // The run picked out is fitted first.
    this.worker.lookAt('dashboard', focus && 'runId' in focus ? [focus.runId] : []);
    if (this.ready && this.panel?.visible) this.post({ type: 'focus', focus });
    else this.pendingFocus = focus;
  }

  /** Asks the worker about the active editor's config (if it is one) and sends it as the planned run. */
  private sendPlanned(): void {
    if (!this.panel || !this.ready) return;
    const document = this.lastDocument;
    if (!document || document.isClosed || document.uri.scheme !== 'file') return;
    const request = ++this.plannedRequest;
    this.estimate(document).then(
      (estimate) => {
        if (request !== this.plannedRequest) return;
        const planned = this.withLawPath(plannedPoint(estimate));
        // A file that is not a config leaves the last planned run in place (the user looks elsewhere).
        if (planned || estimate.applicable) {
          this.planned = planned && { ...planned, file: vscode.workspace.asRelativePath(planned.file) };
          this.post({ type: 'planned', planned: this.planned });
        }
      },
      (e: unknown) => this.output.warn(`planned run for the dashboard: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** The planned run with its family law drawn to it (from the latest snapshot's fitted law). */
  private withLawPath(planned: PlannedPoint | undefined): PlannedPoint | undefined {
    const snapshot = this.worker.latest;
    if (!planned || !snapshot) return planned;
    const family = snapshot.families.find((f) => f.family === planned.family);
    const from = snapshot.scaling.find((v) => v.family === planned.family)?.lawLine?.params[0];
    const lawPath = plannedLawPath(planned, family, from);
    return lawPath ? { ...planned, lawPath } : planned;
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Draws a ladder's planned runs and the target's interval in the scaling view (undefined clears them). */
  showLadder(ladder: LadderOverlay | undefined): void {
    this.ladder = ladder;
    if (this.ready) this.post({ type: 'ladder', ladder });
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
      case 'ready': {
        this.ready = true;
        this.loads++;
        this.sent = undefined;
        // The last panel's options, parsed leniently (the memento outlives versions of this code); a page with its own keeps those.
        const kept = this.memento ? restoredDashboardState(this.memento.get(Dashboard.STATE_KEY)) : undefined;
        if (kept) this.post({ type: 'restoreState', state: kept });
        if (this.pendingView) this.post({ type: 'showView', view: this.pendingView });
        this.pendingView = undefined;
        if (this.worker.latest) this.sendWhole(this.worker.latest);
        if (this.planned) this.post({ type: 'planned', planned: this.planned });
        if (this.ladder) this.post({ type: 'ladder', ladder: this.ladder });
        if (this.pendingFocus) this.post({ type: 'focus', focus: this.pendingFocus });
        this.pendingFocus = undefined;
        this.sendPlanned();
        return;
      }
      case 'state':
        void this.memento?.update(Dashboard.STATE_KEY, message.state);
        return;
      case 'resync':
        this.sent = undefined;
        if (this.worker.latest) this.sendWhole(this.worker.latest);
        return;
      case 'rendered':
        this.lastRendered = {
          version: message.version,
          runs: message.runs,
          points: message.points,
          view: message.view,
          planned: message.planned,
          focus: message.focus,
          // Absent in the message when none were drawn.
          ladder: message.ladder ?? 0,
          notInFit: message.notInFit ?? 0,
          loads: this.loads,
          sentFull: this.sentFull,
          sentDeltas: this.sentDeltas,
        };
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
      case 'selectRun':
        // Only ids of runs the worker found: the webview's text is never trusted.
        if (this.worker.latest?.runs.some((r) => r.id === message.runId)) this.selected.fire(message.runId);
        return;
      case 'exportCsv': {
        // What the chart of the chosen view shows, built from the host's own snapshot with the
        // webview's (validated) view options: the file holds no data the webview wrote.
        const snapshot = this.worker.latest;
        if (!snapshot || this.saving) return;
        const { fileName, text } = dashboardCsv(snapshot, message.state, this.planned, this.ladder);
        this.lastCsv = text;
        void this.save(fileName, { CSV: ['csv'] }, new TextEncoder().encode(text));
        return;
      }
      case 'exportPng':
        // Validated as a base64 PNG data URL by parseWebviewMessage; saved only where the user chooses.
        void this.save('scaling-lens-curves.png', { PNG: ['png'] }, Buffer.from(message.dataUrl.slice(message.dataUrl.indexOf(',') + 1), 'base64'));
        return;
    }
  }

  private async save(name: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<void> {
    // One save dialog at a time: repeated clicks (or a hostile webview) must not stack dialogs.
    if (this.saving) return;
    this.saving = true;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    try {
      const uri = await vscode.window.showSaveDialog({ defaultUri: folder && vscode.Uri.joinPath(folder, name), filters });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, bytes);
      vscode.window.setStatusBarMessage(`Scaling Lens: saved ${vscode.workspace.asRelativePath(uri)}`, 3000);
    } catch (e) {
      void vscode.window.showErrorMessage(`Scaling Lens: could not save ${name}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.saving = false;
    }
  }

  /**
   * The worker's delta, forwarded when the page holds the snapshot it was made against; else (a
   * freshly loaded page, a whole snapshot after a resend or a worker restart) the whole snapshot.
   */
  private send(update: SnapshotUpdate): void {
    if (!this.panel || !this.ready) return;
    if (update.previous && this.sent === update.previous) {
      this.sent = update.snapshot;
      this.sentDeltas++;
      this.post({ type: 'delta', delta: update.delta });
    } else {
      this.sendWhole(update.snapshot);
    }
  }

  private sendWhole(snapshot: Snapshot): void {
    this.sent = snapshot;
    this.sentFull++;
    this.post({ type: 'snapshot', snapshot });
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
