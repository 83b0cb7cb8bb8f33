// Composition root: builds the services and features, registers everything for disposal, and
// returns a small API (used by the integration tests to observe what the user would see).
import * as vscode from 'vscode';
import { Settings, sayIdleSettings } from './services/config';
import { WorkerClient } from './services/workerClient';
import { RunWatcher } from './services/runWatcher';
import { applySuggestion, ConfigLensProvider, CONFIG_SELECTOR, openConfigValue, SuggestionCodeActions } from './features/codeLens';
import { ConfigDiagnostics } from './features/configDiagnostics';
import { LogDiagnostics } from './features/logDiagnostics';
import { openExampleSweep } from './features/exampleSweep';
import { PlanBudgetCommand, PLAN_SCHEME, type PlanOutcome, type PlanUi } from './features/planBudget';
import { LADDER_SCHEME, PlanExperimentsCommand, type LadderOutcome, type LadderUi } from './features/planExperiments';
import type { LadderPlan } from './core/plan/ladder';
import type { LensSpec, SuggestionArgs } from './features/lensModel';
import { StatusBar } from './features/statusBar';
import { ConfigHoverProvider } from './features/hover';
import { Dashboard, type RenderReport } from './features/dashboard';
import { DisposableStore } from './services/dispose';
import {
  COMMAND_APPLY_SUGGESTION,
  COMMAND_OPEN_CONFIG_VALUE,
  COMMAND_OPEN_EXAMPLE_SWEEP,
  COMMAND_PLAN_BUDGET,
  COMMAND_PLAN_EXPERIMENTS,
  COMMAND_RESCAN,
  COMMAND_SHOW_DASHBOARD,
  COMMAND_SHOW_OUTPUT,
  COMMAND_TOGGLE_LENS_FOR_FILE,
} from './features/commands';
import type { ConfigEstimate, Snapshot } from './shared/protocol';

export interface ScalingLensApi {
  latestSnapshot(): Snapshot | undefined;
  /**
   * Resolves with the first snapshot that satisfies `predicate` (or rejects after `timeoutMs`), among
   * those with every file read: a first scan's rounds mid-read (`filesToRead`) list only some runs.
   */
  waitForSnapshot(predicate: (s: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot>;
  estimate(document: vscode.TextDocument): Promise<ConfigEstimate>;
  /** The code lenses of a document as the provider lays them out (title, line, command). */
  lensSpecs(document: vscode.TextDocument): Promise<LensSpec[]>;
  /** Runs "Plan Compute Budget" with scripted answers instead of prompts. */
  planBudget(target: string | undefined, ui: PlanUi): Promise<PlanOutcome | undefined>;
  /** Runs "Plan Experiments" with scripted answers instead of prompts. */
  planExperiments(target: string | undefined, ui: LadderUi): Promise<LadderOutcome | undefined>;
  /** The ladder shown last, as re-planned since (live re-planning). */
  currentLadder(): { plan: LadderPlan; markdown: string; replans: number } | undefined;
  /** Drops the plan shown and this session's links to written runs, as a restart of VS Code does. */
  forgetLadderSession(): void;
  /** The Scaling Lens diagnostics on a file. */
  configDiagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[];
  statusBarText(): string;
  /** The status bar item: its tooltip and the command a click runs. */
  statusBarItem(): { text: string; tooltip: string; command: vscode.Command | undefined };
  dashboard(): { open: boolean; lastRendered: RenderReport | undefined; rejectedMessages: number; lastCsv: string | undefined };
  /** Kills the worker thread as a crash would, to prove recovery. */
  crashWorker(): Promise<void>;
  /** Worker threads started so far (a restart after a crash adds one). */
  workerGeneration(): number;
  /** Kills the worker's fitting thread as a crash would (the worker restarts it). */
  crashFitThread(): void;
  /** For tests of the quarantine: the worker stops as a crash would on reading a path ending with `suffix` (undefined: never). */
  crashWorkerOnRead(suffix: string | undefined): void;
  /** Files quarantined after stopping the worker twice. */
  quarantinedFiles(): string[];
  /** Loses the worker's next snapshot delta, as a dropped message would; resolves with its version. */
  dropNextWorkerDelta(): Promise<number>;
  /** Worker deltas applied, and whole snapshots asked for because one did not fit. */
  workerDeltaStats(): { applied: number; resyncs: number };
  /** Where the "Scaling Lens" output channel's log file is written (the extension's log folder). */
  logFolder(): string;
  /** How long `activate` took and when the first snapshot arrived, in ms from the start of `activate`. */
  timings(): { activateMs: number; firstSnapshotMs: number | undefined };
}

export function activate(context: vscode.ExtensionContext): ScalingLensApi {
  const activationStarted = performance.now();
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
  const configDiagnostics = owned.add(new ConfigDiagnostics());
  lenses.onEstimate((document, estimate) => configDiagnostics.update(document, estimate));
  // Problems in run logs and `.scalinglens.yaml`, as the scan finds them.
  owned.add(new LogDiagnostics(worker, configDiagnostics));
  const planner = owned.add(new PlanBudgetCommand(worker, lenses));
  const statusBar = owned.add(new StatusBar(worker, context.workspaceState));
  const dashboard = owned.add(new Dashboard(context.extensionUri, worker, output, (document) => lenses.estimate(document), context.workspaceState));
  // A run selected in the dashboard's run list or table is the one the status bar shows.
  owned.add(dashboard.onDidSelectRun((runId) => statusBar.follow(runId)));
  const experiments = owned.add(new PlanExperimentsCommand(worker, lenses, dashboard));
  const rescan = () =>
    watcher.rescan().then(undefined, (error: unknown) => {
      output.error(`rescan failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    });

  for (const registration of [
    vscode.languages.registerCodeLensProvider(CONFIG_SELECTOR, lenses),
    vscode.languages.registerHoverProvider(CONFIG_SELECTOR, new ConfigHoverProvider(lenses, worker)),
    vscode.languages.registerCodeActionsProvider(CONFIG_SELECTOR, new SuggestionCodeActions(lenses), { providedCodeActionKinds: SuggestionCodeActions.kinds }),
    vscode.workspace.onDidCloseTextDocument((d) => configDiagnostics.forget(d)),
    vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, planner),
    vscode.workspace.registerTextDocumentContentProvider(LADDER_SCHEME, experiments),
    // Edits happen only here, on the user's click or code action (also in Restricted Mode).
    vscode.commands.registerCommand(COMMAND_OPEN_CONFIG_VALUE, (file: unknown, offset: unknown) => openConfigValue(file, offset)),
    vscode.commands.registerCommand(COMMAND_APPLY_SUGGESTION, (...args: SuggestionArgs[]) => applySuggestion(...args)),
    vscode.commands.registerCommand(COMMAND_PLAN_BUDGET, (target?: unknown) => planner.run(target)),
    vscode.commands.registerCommand(COMMAND_PLAN_EXPERIMENTS, (target?: unknown) => experiments.run(target)),
    vscode.commands.registerCommand(COMMAND_SHOW_DASHBOARD, () => dashboard.show()),
    vscode.commands.registerCommand(COMMAND_OPEN_EXAMPLE_SWEEP, () => openExampleSweep(context)),
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
      if (Settings.affects(e)) sayIdleSettings(settings, output);
      if (Settings.affects(e, 'fit') || Settings.affects(e, 'hardware')) worker.configure(settings.worker);
      if (Settings.affects(e, 'logGlobs') || Settings.affects(e, 'watch')) void rescan();
      if (Settings.affects(e, 'textLog')) {
        // New patterns apply to logs read afterwards: re-read every log.
        worker.configure(settings.worker);
        void rescan();
      }
    }),
    // Trust lets the workspace's own logGlobs and text-log patterns apply.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      worker.configure(settings.worker);
      void rescan();
    }),
  ]) {
    owned.add(registration);
  }

  void rescan();
  sayIdleSettings(settings, output);
  let firstSnapshotMs: number | undefined;
  const firstSnapshot = worker.onSnapshot(() => {
    firstSnapshotMs ??= performance.now() - activationStarted;
    firstSnapshot.dispose();
  });
  owned.add(firstSnapshot);
  const activateMs = performance.now() - activationStarted;
  output.info(`activated in VS Code ${vscode.version} (${activateMs.toFixed(0)} ms)`);

  return {
    latestSnapshot: () => worker.latest,
    waitForSnapshot: (predicate, timeoutMs) =>
      new Promise<Snapshot>((resolve, reject) => {
        const matches = (s: Snapshot) => s.filesToRead === undefined && predicate(s);
        if (worker.latest && matches(worker.latest)) return resolve(worker.latest);
        const timer = setTimeout(() => {
          subscription.dispose();
          reject(new Error(`no matching snapshot within ${timeoutMs} ms (latest version ${worker.latest?.version ?? 'none'})`));
        }, timeoutMs);
        const subscription = worker.onSnapshot((s) => {
          if (!matches(s)) return;
          clearTimeout(timer);
          subscription.dispose();
          resolve(s);
        });
      }),
    estimate: (document) => lenses.estimate(document),
    lensSpecs: (document) => lenses.specs(document),
    planBudget: (target, ui) => planner.run(target, ui),
    planExperiments: (target, ui) => experiments.run(target, ui),
    currentLadder: () => experiments.current,
    forgetLadderSession: () => experiments.forgetSession(),
    configDiagnostics: (uri) => configDiagnostics.collection.get(uri) ?? [],
    statusBarText: () => statusBar.text,
    statusBarItem: () => statusBar.shown,
    dashboard: () => ({
      open: dashboard.isOpen,
      lastRendered: dashboard.lastRendered,
      rejectedMessages: dashboard.rejectedMessages,
      lastCsv: dashboard.lastCsv,
    }),
    crashWorker: () => worker.crashForTest(),
    workerGeneration: () => worker.generation,
    crashFitThread: () => worker.crashFitThreadForTest(),
    crashWorkerOnRead: (suffix) => worker.crashOnReadForTest(suffix),
    quarantinedFiles: () => [...worker.quarantined],
    dropNextWorkerDelta: () => worker.dropNextDeltaForTest(),
    workerDeltaStats: () => ({ ...worker.deltaStats }),
    logFolder: () => context.logUri.fsPath,
    timings: () => ({ activateMs, firstSnapshotMs }),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
