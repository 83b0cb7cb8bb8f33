// "Scaling Lens: Plan Experiments": the ladder of small runs to train before a target (the config in
// the editor, or a budget), planned in the worker, shown as a markdown document like the compute
// planner's, drawn in the dashboard's scaling view, and written as configs in the target's format.
// While a plan is shown, it is re-planned as the family's runs change (live re-planning). Every
// prompt goes through `LadderUi`, so the integration tests can script it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { showMarkdown } from './markdownPreview';
import { configTarget } from './configTarget';
import { MODEL_CONFIG_FILE } from '../core/configs/fileNames';
import type { ConfigEstimate } from '../core/snapshot';
import { targetOfPlan, type LadderPlan } from '../core/plan/ladder';
import { ladderMarkdown, type LadderLink, type PlanLadderRequest } from '../core/plan/ladderRequest';
import { LADDER_MANIFEST_NAME } from '../core/plan/ladderWriteTypes';
import {
  defaultLadderFolder,
  firstRunFile,
  ladderFolderRel,
  ladderOutputsOf,
  ladderWriteInputOf,
  readBesideAsync,
  trainingArgsPathOf,
  unreadableBesideRefusal,
  workspaceFileProblem,
  type BesideRead,
} from '../core/plan/ladderPlacement';
import { validateBudget } from '../core/plan/budgetRequest';
import type { WorkerClient } from '../services/workerClient';
import { Disposable } from '../services/dispose';
import { EXCLUDE } from '../services/runWatcher';
import type { Snapshot } from '../shared/protocol';
import { WORKSPACE_FILE_NAME } from '../shared/logFiles';
import { formatCount, formatFlops } from '../shared/format';
import type { ConfigLensProvider } from './codeLens';
import { COMMAND_SHOW_DASHBOARD_VIEW, type Dashboard } from './dashboard';

export const LADDER_SCHEME = 'scaling-lens-ladder';

/** The target's FLOPs, cost and loss tokens as the config's hover shows them (targetOfPlan, the CLI's path too). */
function hoveredNumbers(plan: NonNullable<ConfigEstimate['plan']>, estimate: ConfigEstimate): TargetConfig['asHovered'] {
  const t = targetOfPlan(plan, '', estimate.cost);
  if ('error' in t || t.kind !== 'model') return {};
  return {
    ...(t.flops !== undefined ? { flops: t.flops } : {}),
    ...(t.cost ? { gpuHours: t.cost.gpuHours, usd: t.cost.usd } : {}),
    ...(t.lossTokens !== undefined ? { lossTokens: t.lossTokens } : {}),
  };
}

export type LadderAction = 'write' | 'dashboard';
const ACTION_LABELS: Record<LadderAction, string> = { write: 'Write Configs…', dashboard: 'Show on Dashboard' };

/** The prompts of the command; the default is VS Code's own, tests pass a script. */
export interface LadderUi {
  /** The target's budget, when no config is open (as Plan Compute Budget takes it). */
  target(options: { value: string; validate: (text: string) => string | undefined }): Thenable<string | undefined>;
  /** The ladder's budget; empty for the default (1% of the target's compute). */
  ladderBudget(options: { validate: (text: string) => string | undefined }): Thenable<string | undefined>;
  action(message: string): Thenable<LadderAction | undefined>;
  /** The folder to write into (absolute, or relative to the workspace folder). */
  folder(defaultPath: string): Thenable<string | undefined>;
  /** Files that exist already: true to replace them. */
  confirmOverwrite(existing: string[]): Thenable<boolean>;
}

export const vscodeLadderUi: LadderUi = {
  target: ({ value, validate }) =>
    vscode.window.showInputBox({
      title: 'Scaling Lens: Plan Experiments: target',
      prompt: 'No training config is open: the target is a compute budget, FLOPs (1e21), accelerator-hours (5000 H100-h) or dollars ($2M).',
      value,
      validateInput: validate,
      ignoreFocusOut: true,
    }),
  ladderBudget: ({ validate }) =>
    vscode.window.showInputBox({
      title: 'Scaling Lens: Plan Experiments: ladder budget',
      prompt: "Compute for the whole ladder: FLOPs, accelerator-hours or dollars. Enter for 1% of the target's compute.",
      placeHolder: '1% of the target',
      validateInput: validate,
      ignoreFocusOut: true,
    }),
  action: async (message) => {
    const chosen = await vscode.window.showInformationMessage(message, ACTION_LABELS.write, ACTION_LABELS.dashboard);
    return (Object.keys(ACTION_LABELS) as LadderAction[]).find((k) => ACTION_LABELS[k] === chosen);
  },
  folder: (defaultPath) =>
    vscode.window.showInputBox({
      title: "Scaling Lens: write the ladder's configs into",
      value: defaultPath,
      ignoreFocusOut: true,
      validateInput: (t) => (t.trim() ? undefined : 'a folder'),
    }),
  confirmOverwrite: async (existing) => {
    const shown = existing
      .slice(0, 5)
      .map((f) => vscode.workspace.asRelativePath(f))
      .join(', ');
    const replace = 'Replace';
    const chosen = await vscode.window.showWarningMessage(
      `Scaling Lens: ${existing.length} file(s) exist already (${shown}${existing.length > 5 ? ', …' : ''}). Replace them?`,
      { modal: true },
      replace,
    );
    return chosen === replace;
  },
};

/** What one run of the command produced (the test API returns it). */
export interface LadderOutcome {
  request: PlanLadderRequest;
  plan: LadderPlan;
  markdown: string;
  document: vscode.Uri;
  shownAs: 'preview' | 'source';
  action?: LadderAction;
  /** Files written by "Write Configs…" (the configs, PLAN.md, and `.scalinglens.yaml` when it had to name the family). */
  written: string[];
  /** Runs whose config could not be written, with why. */
  errors: string[];
  /** Why nothing was written, when the user chose to write and it was not. */
  notWritten?: string;
  /** Ladder records (`PLAN.json`) of the workspace that could not be read, each with its file and line. */
  problems: string[];
  /** The target's `training_args.json`, there but unreadable (named, with why): the plan was made without it. */
  argsProblem?: string;
  /** What the user must do before training the written runs (also in PLAN.md and a notification). */
  instructions?: string[];
}

/** What the ladder takes from the config it starts from. */
interface TargetConfig {
  file: string;
  text: string;
  family?: string;
  params: number;
  tokens: number;
  nLayer: number;
  dModel: number;
  seqLen?: number;
  vocab?: number;
  format?: string;
  /** The FLOPs, cost and loss tokens the config's hover shows (the ladder's target takes them). */
  asHovered: { flops?: number; gpuHours?: number; usd?: number; lossTokens?: number };
}

/** The plan shown last, re-planned as its family's runs change. */
interface ActiveLadder {
  request: PlanLadderRequest;
  plan: LadderPlan;
  markdown: string;
  document: vscode.Uri;
  /** The family's runs when last planned (ids, statuses, finished count): a change re-plans. */
  signature: string;
  replans: number;
}

/** A ladder record this extension writes is a few kB; a larger `PLAN.json` is someone else's file. */
const MAX_RECORD_BYTES = 1_000_000;

/** Re-planning waits for the family's runs to settle (a trainer writes every step). */
const REPLAN_DELAY_MS = 1000;

export class PlanExperimentsCommand extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly documents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private count = 0;
  private active: ActiveLadder | undefined;
  private replanTimer: NodeJS.Timeout | undefined;
  private replanning = false;
  /**
   * Each written run (by id): its folder (workspace-relative, where its logs go) and N, D as its config
   * counts them. Re-planning matches the family's runs by these. A new session gets them back from
   * the ladder's PLAN.json (core/plan/ladderManifest.ts).
   */
  private readonly links = new Map<string, LadderLink>();

  constructor(
    private readonly worker: WorkerClient,
    private readonly lenses: ConfigLensProvider,
    private readonly dashboard: Dashboard,
  ) {
    super();
    this.register(this.changed);
    this.register(worker.onSnapshot((s) => this.onSnapshot(s)));
    this.register({ dispose: () => clearTimeout(this.replanTimer) });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? '# This plan is no longer available: run "Scaling Lens: Plan Experiments" again.';
  }

  /** The plan shown last and how often it was re-planned (the test API). */
  get current(): { plan: LadderPlan; markdown: string; replans: number } | undefined {
    return this.active && { plan: this.active.plan, markdown: this.active.markdown, replans: this.active.replans };
  }

  /** Runs the command from the palette (no argument) or a config's lens (its path). */
  async run(target: unknown, ui: LadderUi = vscodeLadderUi): Promise<LadderOutcome | undefined> {
    const config = await this.configOf(target);
    let request: PlanLadderRequest;
    let argsProblem: string | undefined;
    if (config) {
      // There but unreadable (too big, a folder, a pipe): said, and planned without it, as Write Configs then refuses.
      const argsRead = await this.readBeside(trainingArgsPathOf(config.file));
      if (argsRead.problem !== undefined) {
        argsProblem = `${argsRead.problem}: planned without it (the runs' N counted from the config alone); Write Configs refuses until it can be read`;
        void vscode.window.showWarningMessage(`Scaling Lens: ${argsProblem}.`);
      }
      request = {
        target: {
          kind: 'model',
          params: config.params,
          tokens: config.tokens,
          nLayer: config.nLayer,
          dModel: config.dModel,
          label: vscode.workspace.asRelativePath(config.file),
          ...config.asHovered,
        },
        family: config.family,
        seqLen: config.seqLen,
        vocab: config.vocab,
        // The worker counts each planned run's N as its written config will read (its trainer arguments too).
        config: { file: config.file, text: config.text, trainingArgs: argsRead.text },
      };
    } else {
      // A config named (a lens's) that states no tokens because its training_args.json is there but
      // unreadable (too big, a folder, a pipe): said, naming it, not taken for none (a budget asked instead).
      const named = typeof target === 'string' ? target : target instanceof vscode.Uri ? target.fsPath : undefined;
      const argsRead = named !== undefined && path.basename(named) === MODEL_CONFIG_FILE ? await this.readBeside(trainingArgsPathOf(named)) : {};
      if (argsRead.problem !== undefined) {
        void vscode.window.showErrorMessage(
          `Scaling Lens: cannot plan the ladder from ${vscode.workspace.asRelativePath(named!)}: ${argsRead.problem} (its trainer arguments, tokens and family, are read from it)`,
        );
        return undefined;
      }
      const text = await ui.target({ value: '1e21', validate: validateBudget });
      if (text === undefined) return undefined;
      request = { target: { kind: 'budget', budget: text.trim() || '1e21' }, seqLen: 2048, vocab: 50304 };
    }
    const ladderBudget = await ui.ladderBudget({ validate: (t) => (t.trim() === '' ? undefined : validateBudget(t)) });
    if (ladderBudget === undefined) return undefined;
    if (ladderBudget.trim()) request.ladderBudget = ladderBudget.trim();
    // A plan written in an earlier session (its PLAN.json) is the earlier plan: its runs' logs are matched to it.
    const records = await this.records();
    request.manifests = records.manifests;
    let response;
    try {
      response = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Scaling Lens: planning the ladder…' }, () =>
        this.worker.request({ kind: 'planLadder', request }),
      );
    } catch (error) {
      void vscode.window.showErrorMessage(`Scaling Lens: cannot plan the ladder: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    if (response.kind !== 'planLadder') return undefined;
    const { plan, overlay } = response;
    for (const l of response.links) this.links.set(l.id, l);
    const problems = [...records.problems, ...response.problems];
    if (problems.length)
      void vscode.window.showWarningMessage(`Scaling Lens: ${problems.length} ladder record(s) not read, the rest of the plan kept: ${problems[0]}`);
    // Re-planning sends the plan's runs themselves (with their folders), not the records again.
    delete request.manifests;
    request.family ??= plan.family;
    const markdown = ladderMarkdown(plan);
    const uri = vscode.Uri.from({ scheme: LADDER_SCHEME, path: `/Ladder ${++this.count}.md` });
    this.documents.set(uri.toString(), markdown);
    this.changed.fire(uri);
    this.active = { request, plan, markdown, document: uri, signature: this.signature(this.worker.latest, plan.family), replans: 0 };
    this.dashboard.showLadder(overlay);
    const shownAs = await showMarkdown(uri);
    const outcome: LadderOutcome = {
      request,
      plan,
      markdown,
      document: uri,
      shownAs,
      written: [],
      errors: [],
      problems,
      ...(argsProblem !== undefined ? { argsProblem } : {}),
    };
    if (plan.planned.runs === 0) {
      // Nothing to write: say why, and what budget would buy a run that helps (the plan has the details).
      const buys = plan.timedOut ? undefined : plan.distance?.cheapest;
      void vscode.window.showInformationMessage(
        (plan.timedOut
          ? `Scaling Lens: no ladder planned: ${plan.stop.reason}.`
          : `Scaling Lens: no run within the ladder budget narrows the target's interval: ${plan.stop.reason}.`) +
          (buys ? ` A ladder budget of ${formatFlops(buys.ladderBudget.flops)} FLOPs would buy a run that cuts it by ${Math.round(buys.cut * 100)}%.` : ''),
      );
      return outcome;
    }
    const action = await ui.action(
      `Scaling Lens: ladder of ${plan.planned.runs} run(s), ${formatFlops(plan.planned.flops)} FLOPs, for ${formatCount(plan.target.params)} parameters.`,
    );
    outcome.action = action;
    if (action === 'dashboard') await vscode.commands.executeCommand(COMMAND_SHOW_DASHBOARD_VIEW, 'scaling');
    else if (action === 'write') await this.write(config, plan, markdown, ui, outcome);
    return outcome;
  }

  /** Writes the planned runs' configs into a folder, never over a file without asking, only in a trusted workspace. */
  private async write(config: TargetConfig | undefined, plan: LadderPlan, markdown: string, ui: LadderUi, outcome: LadderOutcome): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      outcome.notWritten = 'the workspace is not trusted';
      const manage = 'Manage Workspace Trust';
      void vscode.window
        .showWarningMessage("Scaling Lens: writing the ladder's configs needs a trusted workspace.", manage)
        .then((c) => c === manage && vscode.commands.executeCommand('workbench.trust.manage'));
      return;
    }
    const root = (config ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(config.file)) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
    if (!root) {
      outcome.notWritten = 'no workspace folder';
      void vscode.window.showWarningMessage('Scaling Lens: open a folder to write the ladder into.');
      return;
    }
    const answer = await ui.folder(vscode.workspace.asRelativePath(defaultLadderFolder(config?.file, root.uri.fsPath), false));
    if (answer === undefined) {
      outcome.notWritten = 'cancelled';
      return;
    }
    const folder = path.isAbsolute(answer.trim()) ? answer.trim() : path.join(root.uri.fsPath, answer.trim());
    const rel = ladderFolderRel(root.uri.fsPath, folder);
    const t = outcome.request.target;
    // Runs done or training, written before (maybe elsewhere): the record keeps their folders, relative to this one.
    const earlier = plan.runs
      .filter((r) => r.status !== 'planned' && this.links.has(r.id))
      .map((r) => {
        const l = this.links.get(r.id)!;
        return { id: r.id, folder: path.posix.relative(rel, l.folder) || '.', params: l.params, tokens: l.tokens, nLayer: l.nLayer, dModel: l.dModel };
      });
    // The same decisions as `scaling-lens ladder --write` (core/plan/ladderPlacement.ts); an HF config's
    // training_args.json is read beside it. Either there but unreadable (too big, a folder, a pipe) refuses below.
    const argsRead = config && (await this.readBeside(trainingArgsPathOf(config.file)));
    const workspaceRead = await this.readBeside(path.join(root.uri.fsPath, WORKSPACE_FILE_NAME));
    const input = ladderWriteInputOf({
      root: root.uri.fsPath,
      folder,
      config: config && { file: config.file, text: config.text, family: config.family, trainingArgs: argsRead?.text },
      plan,
      markdown,
      target: t.kind === 'model' ? { kind: 'model', label: t.label ?? '' } : { kind: 'budget', budget: t.budget },
      workspaceFile: workspaceRead.text,
      writtenAt: new Date().toISOString(),
      earlier,
    });
    const family = input.family;
    // Configs are parsed and written back in the worker, never on the extension host.
    const response = await this.worker.request({ kind: 'ladderWrite', input });
    if (response.kind !== 'ladderWrite') return;
    const files = response.written;
    outcome.errors = files.errors;
    // Formats without a family key: `.scalinglens.yaml` names the family for every run under the folder.
    const outputs = ladderOutputsOf(files, root.uri.fsPath, folder);
    const refused = unreadableBesideRefusal({ trainingArgs: argsRead, workspaceFile: workspaceRead }, outputs, input);
    if (refused !== undefined) {
      outcome.notWritten = refused;
      void vscode.window.showErrorMessage(`Scaling Lens: ${refused}`);
      return;
    }
    const writes = outputs.map((w) => ({ uri: vscode.Uri.file(w.path), text: w.text }));
    const wsProblem = workspaceFileProblem(files, family, root.uri.fsPath, folder);
    if (wsProblem !== undefined) outcome.errors.push(wsProblem);
    const exists = await Promise.all(
      writes.map((w) =>
        vscode.workspace.fs.stat(w.uri).then(
          () => true,
          () => false,
        ),
      ),
    );
    const existing = writes.filter((_, i) => exists[i]).map((w) => w.uri.fsPath);
    if (existing.length && !(await ui.confirmOverwrite(existing))) {
      outcome.notWritten = 'existing files kept';
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    for (const w of writes) edit.createFile(w.uri, { overwrite: true, contents: new TextEncoder().encode(w.text) });
    if (!(await vscode.workspace.applyEdit(edit))) {
      outcome.notWritten = 'the edit was refused';
      void vscode.window.showErrorMessage("Scaling Lens: the ladder's configs could not be written.");
      return;
    }
    outcome.written = writes.map((w) => w.uri.fsPath);
    // The runs join this family: re-planning follows it, and knows each run by its N and D as written.
    if (this.active && this.active.plan === plan && !this.active.request.family) this.active.request.family = family;
    for (const r of files.runs) {
      // A run whose config does not read back (a new torchtitan flavor) is known by its planned N and D.
      const planned = plan.runs.find((p) => p.id === r.id);
      const params = r.params ?? planned?.params;
      const tokens = r.tokens ?? planned?.tokens;
      if (params !== undefined && tokens !== undefined)
        this.links.set(r.id, { id: r.id, folder: path.posix.join(rel, r.folder), params, tokens, nLayer: r.nLayer, dModel: r.dModel });
    }
    outcome.instructions = files.instructions;
    if (files.instructions.length) void vscode.window.showInformationMessage(`Scaling Lens: before training the ladder: ${files.instructions.join(' ')}`);
    if (files.errors.length) void vscode.window.showWarningMessage(`Scaling Lens: ${files.errors.length} run(s) not written: ${files.errors[0]}`);
    const first = firstRunFile(files);
    if (first) await vscode.window.showTextDocument(vscode.Uri.file(path.join(folder, ...first.split('/'))), { preview: true });
  }

  /**
   * A file the write reads beside the ladder, as the CLI reads it (core/plan/ladderPlacement.ts
   * readBeside, without holding the extension host's thread: over the read cap, a folder or a pipe is
   * a problem naming it, a pipe never opened); when readable, its text as the editor has it (unsaved edits included).
   */
  private async readBeside(absPath: string): Promise<BesideRead> {
    const read = await readBesideAsync(absPath, vscode.workspace.asRelativePath(absPath));
    if (read.text === undefined) return read;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === absPath);
    return open ? { text: open.getText() } : read;
  }

  /** A file's text as the editor has it (unsaved edits included), else from disk. */
  private async readText(absPath: string): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === absPath);
    if (open) return open.getText();
    return vscode.workspace.fs.readFile(vscode.Uri.file(absPath)).then(
      (b) => new TextDecoder().decode(b),
      () => undefined,
    );
  }

  /** The family's runs in a snapshot, as a string that changes when a run appears, finishes or fails. */
  private signature(snapshot: Snapshot | undefined, family: string | undefined): string {
    if (!snapshot || family === undefined) return '';
    const law = snapshot.families.find((f) => f.family === family);
    if (!law) return '';
    const status = new Map(snapshot.runs.map((r) => [r.id, r.status]));
    return JSON.stringify([law.runIds.map((id) => `${id}:${status.get(id) ?? ''}`).sort(), law.points?.length ?? 0, law.pending ?? false]);
  }

  /** Live re-planning: the family's runs changed since the plan was made. */
  private onSnapshot(snapshot: Snapshot): void {
    const active = this.active;
    if (!active || this.replanning) return;
    const family = active.request.family ?? active.plan.family;
    const signature = this.signature(snapshot, family);
    if (signature === active.signature || signature === '') return;
    clearTimeout(this.replanTimer);
    this.replanTimer = setTimeout(() => void this.replan(active, signature), REPLAN_DELAY_MS);
  }

  private async replan(active: ActiveLadder, signature: string): Promise<void> {
    if (this.active !== active) return;
    this.replanning = true;
    try {
      const previous = active.plan.runs.map((r) => {
        const l = this.links.get(r.id);
        // A written run's shape too: the re-plan shows it as written (ladder.ts LadderPreviousRun.written).
        return l
          ? { id: r.id, params: l.params, tokens: l.tokens, folder: l.folder, nLayer: l.nLayer, dModel: l.dModel }
          : { id: r.id, params: r.params, tokens: r.tokens };
      });
      const request: PlanLadderRequest = { ...active.request, previous };
      const response = await this.worker.request({ kind: 'planLadder', request });
      if (response.kind !== 'planLadder' || this.active !== active) return;
      for (const l of response.links) this.links.set(l.id, l);
      active.plan = response.plan;
      active.markdown = ladderMarkdown(response.plan);
      active.signature = signature;
      active.replans++;
      this.documents.set(active.document.toString(), active.markdown);
      this.changed.fire(active.document);
      this.dashboard.showLadder(response.overlay);
    } catch {
      // A failed re-plan keeps the plan shown; the next change tries again.
    } finally {
      this.replanning = false;
    }
  }

  /**
   * The workspace's ladder records (`PLAN.json`), for the worker to read (it parses them, as it does
   * configs). A file too large to be one is said, not read.
   */
  private async records(): Promise<{ manifests: NonNullable<PlanLadderRequest['manifests']>; problems: string[] }> {
    const manifests: NonNullable<PlanLadderRequest['manifests']> = [];
    const problems: string[] = [];
    const uris = await vscode.workspace.findFiles(`**/${LADDER_MANIFEST_NAME}`, EXCLUDE, 50);
    for (const uri of uris) {
      const file = vscode.workspace.asRelativePath(uri);
      const size = await vscode.workspace.fs.stat(uri).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined) continue;
      if (size > MAX_RECORD_BYTES) {
        problems.push(`${file}: ${size} bytes, too large for a ladder record (at most ${MAX_RECORD_BYTES})`);
        continue;
      }
      const text = await this.readText(uri.fsPath);
      if (text === undefined) continue;
      const dir = path.posix.dirname(vscode.workspace.asRelativePath(uri, false));
      manifests.push({ file, dir: dir === '.' ? '' : dir, text });
    }
    return { manifests, problems };
  }

  /** What a restart of VS Code loses: the plan shown and the links of this session (the test API). */
  forgetSession(): void {
    clearTimeout(this.replanTimer);
    this.active = undefined;
    this.links.clear();
  }

  /** The config the ladder is for: the argument (a lens), else the active or a visible editor's, when it states N and D. */
  private async configOf(target: unknown): Promise<TargetConfig | undefined> {
    const stated = (e: ConfigEstimate) => e.applicable && e.plan?.tokens !== undefined;
    const found = await configTarget(target, this.lenses, stated);
    const p = found?.estimate?.plan;
    if (!found?.estimate || !stated(found.estimate) || !p || p.tokens === undefined || found.text === undefined) return undefined;
    return {
      file: found.file,
      text: found.text,
      family: p.family,
      params: p.params.total,
      tokens: p.tokens,
      nLayer: p.architecture.nLayer,
      dModel: p.architecture.dModel,
      seqLen: p.seqLen,
      vocab: p.architecture.vocab,
      format: p.format,
      asHovered: hoveredNumbers(p, found.estimate),
    };
  }
}
