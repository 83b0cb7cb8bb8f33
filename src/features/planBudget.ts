// "Scaling Lens: Plan Compute Budget": one input for the budget, optional constraints, the plan
// computed in the worker (with a progress notification), the result as a markdown document, and
// actions on it. Every prompt goes through `PlanUi`, so the integration tests can script it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showMarkdown } from './markdownPreview';
import { configTarget } from './configTarget';
import type { BudgetPlan } from '../core/plan/budget';
import type { WorkerClient } from '../services/workerClient';
import type { PlanBudgetRequest } from '../shared/protocol';
import { formatCount, formatFlops } from '../shared/format';
import type { ConfigLensProvider } from './codeLens';
import { COMMAND_SHOW_DASHBOARD } from './commands';
import {
  parseAmount,
  parseDeadline,
  planMarkdown,
  planSnippet,
  snippetFormatFor,
  validateBudget,
  type SnippetFile,
  type SnippetFormat,
} from '../core/plan/budgetRequest';

export const PLAN_SCHEME = 'scaling-lens-plan';

export type PlanAction = 'copy' | 'write' | 'dashboard';
const ACTION_LABELS: Record<PlanAction, string> = { copy: 'Copy Config Snippet', write: 'Write Config…', dashboard: 'Open Dashboard' };

type Constraint = 'params' | 'inference' | 'deadline';

/** The prompts of the command; the default is VS Code's own, tests pass a script. */
export interface PlanUi {
  budget(options: { value: string; validate: (text: string) => string | undefined }): Thenable<string | undefined>;
  constraints(): Thenable<Constraint[] | undefined>;
  value(constraint: Constraint, options: { value: string; validate: (text: string) => string | undefined }): Thenable<string | undefined>;
  action(message: string): Thenable<PlanAction | undefined>;
}

export const vscodePlanUi: PlanUi = {
  budget: ({ value, validate }) =>
    vscode.window.showInputBox({
      title: 'Scaling Lens: Plan Compute Budget',
      prompt: 'Budget: FLOPs (1e21), accelerator-hours (5000 H100-h) or dollars ($2M). Enter accepts the default.',
      value,
      validateInput: validate,
      ignoreFocusOut: true,
    }),
  constraints: async () => {
    const items: (vscode.QuickPickItem & { id: Constraint })[] = [
      { id: 'params', label: 'Fixed model size', description: 'choose only the tokens' },
      { id: 'inference', label: 'Inference tokens', description: 'the budget also serves this many tokens' },
      { id: 'deadline', label: 'Deadline on N GPUs', description: 'training must finish within D days' },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Scaling Lens: constraints (optional; Enter for none)',
      canPickMany: true,
      ignoreFocusOut: true,
    });
    return picked?.map((p) => p.id);
  },
  value: (constraint, { value, validate }) =>
    vscode.window.showInputBox({
      title: `Scaling Lens: ${constraint === 'params' ? 'model size (parameters, e.g. 7B)' : constraint === 'inference' ? 'inference tokens (e.g. 2T)' : 'deadline (e.g. 30 days on 256 GPUs)'}`,
      value,
      validateInput: validate,
      ignoreFocusOut: true,
    }),
  action: async (message) => {
    const chosen = await vscode.window.showInformationMessage(message, ACTION_LABELS.copy, ACTION_LABELS.write, ACTION_LABELS.dashboard);
    return (Object.keys(ACTION_LABELS) as PlanAction[]).find((k) => ACTION_LABELS[k] === chosen);
  },
};

/** What one run of the command produced (the test API returns it). */
export interface PlanOutcome {
  request: PlanBudgetRequest;
  plan: BudgetPlan;
  family?: string;
  markdown: string;
  document: vscode.Uri;
  /** How the result was shown: rendered by VS Code's markdown preview, or its source when that extension is absent. */
  shownAs: 'preview' | 'source';
  action?: PlanAction;
  /** Files written by "Write Config…". */
  written: string[];
  /** Text put on the clipboard by "Copy Config Snippet". */
  copied?: string;
}

/** What the plan takes from the config it starts from. */
interface ConfigFacts {
  file: string;
  family?: string;
  seqLen?: number;
  vocab?: number;
  params?: number;
  flops?: number;
  format?: string;
  gpus?: number;
}

export class PlanBudgetCommand implements vscode.TextDocumentContentProvider {
  private readonly documents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private count = 0;

  constructor(
    private readonly worker: WorkerClient,
    private readonly lenses: ConfigLensProvider,
  ) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? '# This plan is no longer available: run "Scaling Lens: Plan Compute Budget" again.';
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** Runs the command from the palette (no argument) or a config's lens (its path). */
  async run(target: unknown, ui: PlanUi = vscodePlanUi): Promise<PlanOutcome | undefined> {
    const config = await this.configOf(target);
    const defaultBudget = config?.flops !== undefined ? `${formatFlops(config.flops)}` : '1e21';
    const budgetText = await ui.budget({ value: defaultBudget, validate: validateBudget });
    if (budgetText === undefined) return undefined;
    const request: PlanBudgetRequest = { budget: budgetText.trim() || defaultBudget, family: config?.family, seqLen: config?.seqLen, vocab: config?.vocab };
    const constraints = (await ui.constraints()) ?? [];
    for (const c of constraints) {
      if (c === 'params') {
        const text = await ui.value(c, {
          value: config?.params ? String(Number(config.params.toPrecision(3))) : '7B',
          validate: (t) => (parseAmount(t) ? undefined : 'a positive number of parameters, e.g. 7B or 1.3e9'),
        });
        if (text === undefined) return undefined;
        request.params = parseAmount(text);
      } else if (c === 'inference') {
        const text = await ui.value(c, { value: '1T', validate: (t) => (parseAmount(t) ? undefined : 'a positive number of tokens, e.g. 2T or 5e11') });
        if (text === undefined) return undefined;
        request.inferenceTokens = parseAmount(text);
      } else {
        const text = await ui.value(c, {
          value: '30 days on 256 GPUs',
          validate: (t) => (parseDeadline(t) ? undefined : 'days and GPUs, e.g. "30 days on 256 GPUs"'),
        });
        if (text === undefined) return undefined;
        const d = parseDeadline(text)!;
        request.deadlineDays = d.days;
        request.gpus = d.gpus;
      }
    }
    let response;
    try {
      response = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Scaling Lens: planning ${request.budget}…` }, () =>
        this.worker.request({ kind: 'planBudget', request }),
      );
    } catch (error) {
      void vscode.window.showErrorMessage(`Scaling Lens: cannot plan ${request.budget}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    if (response.kind !== 'planBudget') return undefined;
    const { plan, family } = response;
    // Days on the GPUs the run would have: the deadline's, else the config's.
    const markdown = planMarkdown(plan, family, undefined, { gpus: request.gpus ?? config?.gpus });
    const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/Plan ${++this.count} (${plan.budget.text.replace(/[/\\]/g, ' ')}).md` });
    this.documents.set(uri.toString(), markdown);
    this.changed.fire(uri);
    const shownAs = await showMarkdown(uri);
    const outcome: PlanOutcome = { request, plan, family, markdown, document: uri, shownAs, written: [] };
    const format = snippetFormatFor(config?.format);
    const snippet = planSnippet(plan.recommended, format, { seqLen: request.seqLen, family, budgetText: plan.budget.text, gpus: request.gpus ?? config?.gpus });
    // One short line: the notification sits in the corner below the plan's table, not over it.
    const action = await ui.action(
      `Scaling Lens: plan for ${plan.budget.text}: ${formatCount(plan.recommended.params)} parameters, ${formatCount(plan.recommended.tokens)} tokens.`,
    );
    outcome.action = action;
    if (action === 'copy') {
      outcome.copied = snippet.map((f) => (snippet.length > 1 ? `// ${f.name}\n${f.text}` : f.text)).join('\n');
      await vscode.env.clipboard.writeText(outcome.copied);
      vscode.window.setStatusBarMessage('Scaling Lens: config snippet copied', 3000);
    } else if (action === 'write') {
      outcome.written = await this.writeConfig(snippet, format, config?.file);
    } else if (action === 'dashboard') {
      await vscode.commands.executeCommand(COMMAND_SHOW_DASHBOARD);
    }
    return outcome;
  }

  /**
   * Shows the plan rendered (tables, headings) in VS Code's own markdown preview, which keeps its
   * strict preview security in every workspace; the markdown source only when that built-in
   * extension is missing or disabled.
   */
  /** Facts of the config the plan starts from (through the worker's estimate), if any. */
  private async configOf(target: unknown): Promise<ConfigFacts | undefined> {
    // From the palette: the config in the active (else a visible) editor, when it is one the readers size.
    const found = await configTarget(target, this.lenses, (e) => e.applicable && e.plan?.format !== undefined);
    if (!found) return undefined;
    const estimate = found.estimate;
    if (!estimate?.applicable || !estimate.plan) return { file: found.file };
    const p = estimate.plan;
    return {
      file: found.file,
      family: p.family,
      seqLen: p.seqLen,
      vocab: p.architecture.vocab,
      params: p.params.total,
      flops: estimate.cost?.flops,
      format: p.format,
      gpus: p.gpus,
    };
  }

  /**
   * Writes the snippet beside the config it started from (else in the first workspace folder) as
   * one undoable workspace edit, never over an existing file, and opens it.
   */
  private async writeConfig(files: SnippetFile[], format: SnippetFormat, from: string | undefined): Promise<string[]> {
    const root = from ? path.dirname(from) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) {
      void vscode.window.showWarningMessage('Scaling Lens: open a folder to write the planned config into.');
      return [];
    }
    // An HF config is a folder (config.json + training_args.json); the others are one file.
    // Beside the config's own folder when that is still inside the workspace folder; else inside it.
    const folder = from ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(from))?.uri.fsPath : undefined;
    const parent = from ? path.dirname(root) : root;
    const insideFolder = folder !== undefined && (parent === folder || parent.startsWith(folder + path.sep));
    let dir = format === 'hf' ? path.join(insideFolder || !from ? parent : root, 'planned') : root;
    const exists = async (p: string) =>
      vscode.workspace.fs.stat(vscode.Uri.file(p)).then(
        () => true,
        () => false,
      );
    const free = async (p: string) => !(await exists(p));
    let suffix = 1;
    const named = (name: string) => (suffix === 1 ? name : name.replace(/(\.[^.]+)$/, `-${suffix}$1`));
    if (format === 'hf') {
      const base = dir;
      while (await exists(dir)) dir = `${base}-${++suffix}`;
      suffix = 1;
    } else {
      while (!(await Promise.all(files.map((f) => free(path.join(dir, named(f.name)))))).every(Boolean)) suffix++;
    }
    const edit = new vscode.WorkspaceEdit();
    const written = files.map((f) => path.join(dir, named(f.name)));
    files.forEach((f, i) => edit.createFile(vscode.Uri.file(written[i]), { contents: new TextEncoder().encode(f.text) }));
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage('Scaling Lens: the planned config could not be written.');
      return [];
    }
    await vscode.window.showTextDocument(vscode.Uri.file(written[0]));
    return written;
  }
}
