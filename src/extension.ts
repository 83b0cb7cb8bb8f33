// Composition root: builds the services and features, registers everything for disposal, and
// returns a small API (used by the integration tests to observe what the user would see).
import * as vscode from 'vscode';
import { Settings } from './services/config';
import { WorkerClient } from './services/workerClient';
import { RunWatcher } from './services/runWatcher';
import { ConfigLensProvider, CONFIG_SELECTOR } from './features/codeLens';
import { StatusBar } from './features/statusBar';
import { ConfigHoverProvider } from './features/hover';
import { Dashboard, type RenderReport } from './features/dashboard';
import { DisposableStore } from './services/dispose';
import { COMMAND_RESCAN, COMMAND_SHOW_DASHBOARD, COMMAND_SHOW_OUTPUT, COMMAND_TOGGLE_LENS_FOR_FILE } from './features/commands';
import type { ConfigEstimate, Snapshot } from './shared/protocol';

export interface ScalingLensApi {
  latestSnapshot(): Snapshot | undefined;
  /** Resolves with the first snapshot that satisfies `predicate` (or rejects after `timeoutMs`). */
  waitForSnapshot(predicate: (s: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot>;
  estimate(document: vscode.TextDocument): Promise<ConfigEstimate>;
  statusBarText(): string;
  dashboard(): { open: boolean; lastRendered: RenderReport | undefined; rejectedMessages: number };
  /** Kills the worker thread as a crash would, to prove recovery. */
  crashWorker(): Promise<void>;
  /** Worker threads started so far (a restart after a crash adds one). */
  workerGeneration(): number;
}

export function activate(context: vscode.ExtensionContext): ScalingLensApi {
  // Everything is owned by one store that disposes in reverse order of creation: features first,
  // the worker they talk to last.
  const owned = new DisposableStore();
  context.subscriptions.push(owned);
  const output = owned.add(vscode.window.createOutputChannel('Scaling Lens', { log: true }));
  const settings = new Settings();
  const workerScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath;
  const worker = owned.add(new WorkerClient(workerScript, settings.worker, output));
  const watcher = owned.add(new RunWatcher(worker, settings, output));
  const lenses = owned.add(new ConfigLensProvider(worker, settings, context.workspaceState));
  const statusBar = owned.add(new StatusBar(worker));
  const dashboard = owned.add(new Dashboard(context.extensionUri, worker, output));
  const rescan = () =>
    watcher.rescan().then(undefined, (error: unknown) => {
      output.error(`rescan failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    });

  for (const registration of [
    vscode.languages.registerCodeLensProvider(CONFIG_SELECTOR, lenses),
    vscode.languages.registerHoverProvider(CONFIG_SELECTOR, new ConfigHoverProvider(lenses)),
    vscode.commands.registerCommand(COMMAND_SHOW_DASHBOARD, () => dashboard.show()),
    vscode.commands.registerCommand(COMMAND_RESCAN, async () => {
      const count = await rescan();
      vscode.window.setStatusBarMessage(`Scaling Lens: reading ${count} log file(s)`, 3000);
    }),
    vscode.commands.registerCommand(COMMAND_SHOW_OUTPUT, () => output.show()),
    vscode.commands.registerCommand(COMMAND_TOGGLE_LENS_FOR_FILE, async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target) {
        void vscode.window.showInformationMessage('Scaling Lens: open a training config to toggle its code lenses.');
        return;
      }
      const shown = await lenses.toggleFile(target);
      vscode.window.setStatusBarMessage(`Scaling Lens: code lenses ${shown ? 'shown' : 'hidden'} for ${vscode.workspace.asRelativePath(target)}`, 3000);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (Settings.affects(e, 'fit')) worker.configure(settings.worker);
      if (Settings.affects(e, 'logGlobs')) void rescan();
    }),
    // Trust lets the workspace's own logGlobs apply.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void rescan()),
  ]) {
    owned.add(registration);
  }

  void rescan();
  output.info(`activated in VS Code ${vscode.version}`);

  return {
    latestSnapshot: () => worker.latest,
    waitForSnapshot: (predicate, timeoutMs) =>
      new Promise<Snapshot>((resolve, reject) => {
        if (worker.latest && predicate(worker.latest)) return resolve(worker.latest);
        const timer = setTimeout(() => {
          subscription.dispose();
          reject(new Error(`no matching snapshot within ${timeoutMs} ms (latest version ${worker.latest?.version ?? 'none'})`));
        }, timeoutMs);
        const subscription = worker.onSnapshot((s) => {
          if (!predicate(s)) return;
          clearTimeout(timer);
          subscription.dispose();
          resolve(s);
        });
      }),
    estimate: (document) => lenses.estimate(document),
    statusBarText: () => statusBar.text,
    dashboard: () => ({ open: dashboard.isOpen, lastRendered: dashboard.lastRendered, rejectedMessages: dashboard.rejectedMessages }),
    crashWorker: () => worker.crashForTest(),
    workerGeneration: () => worker.generation,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
