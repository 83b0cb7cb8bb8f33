import * as vscode from 'vscode';
import { Disposable } from '../services/dispose';
import type { WorkerClient } from '../services/workerClient';
import { Settings } from '../services/config';
import type { ConfigEstimate } from '../shared/protocol';
import * as path from 'node:path';
import { COMMAND_APPLY_SUGGESTION, COMMAND_OPEN_CONFIG_VALUE, COMMAND_PLAN_BUDGET, COMMAND_PLAN_EXPERIMENTS } from './commands';
import { COMMAND_SHOW_DASHBOARD_VIEW } from './dashboard';
import { configLenses, LineIndex, siblingLenses, suggestionsOnLine, type LensCommands, type LensSpec, type SuggestionArgs } from './lensModel';
import { formatNumberLike, replacementText } from './configEdits';
import { runNamer } from '../shared/displayName';
import { MODEL_CONFIG_FILE, TRAINING_ARGS_FILE } from '../core/configs/fileNames';

/**
 * Documents a config reader may recognise, by extension (src/core/configs: `.txt` flag files are
 * read by the CLI only, or every opened text log would go to the worker). Which of them get lenses
 * is the worker's call: only `applicable` estimates.
 */
export const CONFIG_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.{json,yaml,yml,toml,py,sh,slurm,args}' }];
/** Lens refreshes after snapshots or edits are coalesced, so lenses do not flicker while typing. */
const REFRESH_DEBOUNCE_MS = 300;
/** An HF trainer's arguments beside the model's `config.json`: the LR and batch live there. */

const LENS_COMMANDS: LensCommands = {
  showDashboard: COMMAND_SHOW_DASHBOARD_VIEW,
  applyEdit: COMMAND_APPLY_SUGGESTION,
  planBudget: COMMAND_PLAN_BUDGET,
  planExperiments: COMMAND_PLAN_EXPERIMENTS,
  openLocation: COMMAND_OPEN_CONFIG_VALUE,
};

/** Called with every estimate the worker returns for an open document (diagnostics listen). */
export type EstimateListener = (document: vscode.TextDocument, estimate: ConfigEstimate) => void;

/** A document version's estimate. */
interface CachedEstimate {
  version: number;
  estimate: Promise<ConfigEstimate>;
}

export class ConfigLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Estimates by document, for one version each; dropped when the worker says estimates went stale. */
  private readonly cache = new Map<string, CachedEstimate>();
  /** Line index of the document version the lenses were last laid out for. */
  private readonly lineIndexes = new Map<string, { version: number; lines: LineIndex }>();
  /** The worker's estimates generation the cached estimates belong to (Snapshot.estimates). */
  private estimatesGeneration: number | undefined;
  private readonly listeners: EstimateListener[] = [];

  /** Files whose lenses the user turned off (URIs), kept per workspace. */
  private static readonly HIDDEN_KEY = 'scalingLens.hiddenLensFiles';

  constructor(
    private readonly worker: WorkerClient,
    private readonly settings: Settings,
    private readonly state: vscode.Memento,
  ) {
    super();
    // A live run logs every few hundred milliseconds; estimates go stale only when the worker says
    // so (core/estimateFreshness.ts: a family law, a setting, or fits an early answer skipped).
    this.register(
      worker.onSnapshot((s) => {
        if (s.estimates === this.estimatesGeneration) return;
        this.estimatesGeneration = s.estimates;
        this.refreshSoon(true);
      }),
    );
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.cache.has(e.document.uri.toString())) this.refreshSoon(false);
      }),
    );
    // The model config's estimate read training_args.json from disk: a saved change there refreshes it.
    this.register(
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (path.basename(d.uri.fsPath) === TRAINING_ARGS_FILE) this.refreshSoon(true);
      }),
    );
    this.register(
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cache.delete(d.uri.toString());
        this.lineIndexes.delete(d.uri.toString());
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (Settings.affects(e, 'codeLens.enabled')) this.refreshSoon(true);
      }),
    );
    this.register({ dispose: () => this.refreshTimer && clearTimeout(this.refreshTimer) });
  }

  onEstimate(listener: EstimateListener): void {
    this.listeners.push(listener);
  }

  /** The estimate behind a document's lens; parsing and prediction happen in the worker. */
  estimate(document: vscode.TextDocument): Promise<ConfigEstimate> {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.estimate;
    const estimate = this.worker.request({ kind: 'estimateConfig', path: document.uri.fsPath, text: document.getText() }).then((r) => {
      if (r.kind !== 'estimateConfig') throw new Error(`unexpected worker response ${r.kind}`);
      return r.estimate;
    });
    const entry: CachedEstimate = { version: document.version, estimate };
    this.cache.set(key, entry);
    // A failed request is not cached, unless a newer one has replaced it meanwhile.
    estimate.then(
      (e) => {
        if (this.cache.get(key) !== entry) return;
        for (const listener of this.listeners) listener(document, e);
      },
      () => this.cache.get(key) === entry && this.cache.delete(key),
    );
    return estimate;
  }

  /** The line index of the document's current text (offsets in estimates refer to it). */
  lines(document: vscode.TextDocument): LineIndex {
    const key = document.uri.toString();
    const cached = this.lineIndexes.get(key);
    if (cached && cached.version === document.version) return cached.lines;
    const lines = new LineIndex(document.getText());
    this.lineIndexes.set(key, { version: document.version, lines });
    return lines;
  }

  isHidden(uri: vscode.Uri): boolean {
    return this.state.get<string[]>(ConfigLensProvider.HIDDEN_KEY, []).includes(uri.toString());
  }

  /** Turns the lenses of one file off or back on; returns whether they are now shown. */
  async toggleFile(uri: vscode.Uri): Promise<boolean> {
    const hidden = new Set(this.state.get<string[]>(ConfigLensProvider.HIDDEN_KEY, []));
    const key = uri.toString();
    const shown = hidden.has(key);
    if (shown) hidden.delete(key);
    else hidden.add(key);
    await this.state.update(ConfigLensProvider.HIDDEN_KEY, [...hidden]);
    this.changeEmitter.fire();
    return shown;
  }

  /** The lens specs for a document as it is now (the integration tests and the bench read these). */
  async specs(document: vscode.TextDocument): Promise<LensSpec[]> {
    if (path.basename(document.uri.fsPath) === TRAINING_ARGS_FILE) return this.trainingArgsSpecs(document);
    // The estimate must describe the text the lenses are laid out on: retry once if the user typed
    // while the worker was answering (the cache then holds the newer version's request).
    for (let attempt = 0; attempt < 2; attempt++) {
      const version = document.version;
      const estimate = await this.estimate(document);
      if (document.version !== version) continue;
      return configLenses(estimate, document.uri.fsPath, this.lines(document), LENS_COMMANDS, runNamer(this.worker.latest?.runs));
    }
    return [];
  }

  /**
   * training_args.json: the LR and batch advice of the `config.json` beside it, on the lines of its
   * values. The worker read this file from disk: while it has unsaved edits, the offsets may not
   * match, so it shows nothing until saved.
   */
  private async trainingArgsSpecs(document: vscode.TextDocument): Promise<LensSpec[]> {
    if (document.isDirty) return [];
    const modelUri = vscode.Uri.file(path.join(path.dirname(document.uri.fsPath), MODEL_CONFIG_FILE));
    let model: vscode.TextDocument;
    try {
      model = await vscode.workspace.openTextDocument(modelUri);
    } catch {
      return [];
    }
    const estimate = await this.estimate(model);
    if (document.isDirty) return [];
    return siblingLenses(estimate, document.uri.fsPath, this.lines(document), LENS_COMMANDS);
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.settings.codeLensEnabled || this.isHidden(document.uri)) return [];
    let specs: LensSpec[];
    try {
      specs = await this.specs(document);
    } catch {
      // The worker failed or timed out: no lens (its log says why); never an error in the editor.
      return [];
    }
    if (token.isCancellationRequested) return [];
    return specs.map((s) => {
      const range = new vscode.Range(s.line, 0, s.line, 0);
      return new vscode.CodeLens(range, { title: s.title, tooltip: s.tooltip, command: s.command, arguments: s.arguments });
    });
  }

  private refreshSoon(dropCache: boolean): void {
    if (dropCache) this.cache.clear();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.changeEmitter.fire();
    }, REFRESH_DEBOUNCE_MS);
  }
}

/**
 * Applies an LR or batch suggestion as one workspace edit (undoable with the file's own undo),
 * only on the user's click or code action. Returns why not when the file changed meanwhile.
 */
export async function applySuggestion(...choices: SuggestionArgs[]): Promise<{ applied: true } | { applied: false; reason: string }> {
  let args = choices[0];
  if (!args) return { applied: false, reason: 'nothing to apply' };
  if (choices.length > 1) {
    // A lens offering several suggestions (the value lives in another file): the user picks one.
    const picked = await vscode.window.showQuickPick(
      choices.map((c) => ({
        label: `${c.law}: ${formatNumberLike(String(c.current), c.value, { integer: c.integer })}`,
        description: `${c.key} in ${vscode.workspace.asRelativePath(c.file)} (a prior from a published law)`,
        choice: c,
      })),
      { title: 'Scaling Lens: set the value to', ignoreFocusOut: true },
    );
    if (!picked) return { applied: false, reason: 'cancelled' };
    args = picked.choice;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(args.file));
  const replacement = replacementText(document.getText(), args);
  if ('error' in replacement) {
    const reason = `Scaling Lens: the ${args.key} was not changed: ${replacement.error}. Wait for the lens to refresh and try again.`;
    void vscode.window.showWarningMessage(reason);
    return { applied: false, reason };
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(args.start), document.positionAt(args.end)), replacement.newText, {
    label: `Set the ${args.key} to ${replacement.newText} (${args.law})`,
    needsConfirmation: false,
  });
  if (!(await vscode.workspace.applyEdit(edit))) return { applied: false, reason: 'the editor refused the edit' };
  vscode.window.setStatusBarMessage(`Scaling Lens: ${args.key} ${replacement.original} → ${replacement.newText} (${args.law}); undo with Ctrl+Z`, 5000);
  return { applied: true };
}

/** The lens suggestions of a line, offered as code actions (Ctrl+. on the LR or batch line). */
export class SuggestionCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  constructor(private readonly lenses: ConfigLensProvider) {}

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range,
    _context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    let specs: LensSpec[];
    try {
      specs = await this.lenses.specs(document);
    } catch {
      return [];
    }
    if (token.isCancellationRequested) return [];
    const file = document.uri.fsPath;
    const lines = this.lenses.lines(document);
    return suggestionsOnLine(specs, COMMAND_APPLY_SUGGESTION, file, lines, range.start.line).map((args) => {
      const replacement = replacementText(lines.text, args);
      const title = `Scaling Lens: set the ${args.key} to ${'error' in replacement ? args.value : replacement.newText} (${args.law} prior)`;
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.command = { command: COMMAND_APPLY_SUGGESTION, title, arguments: [args] };
      return action;
    });
  }
}

/** Opens `file` with the cursor at a character offset (the lens naming training_args.json). */
export async function openConfigValue(file: unknown, offset: unknown): Promise<void> {
  if (typeof file !== 'string') return;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const position = document.positionAt(typeof offset === 'number' && offset >= 0 ? offset : 0);
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preview: false });
}
