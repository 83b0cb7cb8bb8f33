// The runs of a workspace as the engine sees them: the run index fed with file paths (through the
// file gate), each root's `.scalinglens.yaml` applied (overrides, families, exclusions), and each
// run's family, named or guessed. No fits here (engine/fitScheduler.ts, workspace.ts).
import * as path from 'node:path';
import { detectLogFormat, endReached, RunIndex, type RunFacts, type RunSidecars } from '../runs/index';
import { FileGate } from '../runs/fileGate';
import { wandbLinkedPath } from '../runs/wandb';
import { readTextFile } from '../safeFile';
import type { Run } from '../runs/types';
import { TRAINING_ARGS_FILE, trainLoss } from './runBasics';
import { readConfig } from '../configs/index';
import { readTrainingArgsAlone } from '../configs/trainingArgs';
import type { Diagnostic } from '../diagnostics';
import type { FamilyLaw } from '../snapshot';
import { guessFamilies } from '../runs/families';
import { appendAll } from '../../shared/arrays';
import {
  WORKSPACE_FILE_NAME,
  parseWorkspaceFile,
  settingsForRun,
  unmatchedGlobs,
  type FamilySource,
  type PinnedFit,
  type RunValues,
  type WorkspaceFile,
} from '../runs/workspaceFile';

export { TRAINING_ARGS_FILE, trainLoss };

/** How a run is grouped: its family, who named it, and whether the workspace file leaves it out of fits. */
export interface Grouping {
  family: string;
  source: FamilySource;
  /** For a guessed family: how it was guessed (from the runs' hyperparameters, or only from the folder). */
  reason?: string;
  excluded?: string;
}

/** Largest `.scalinglens.yaml` read (it is a hand-written file). */
const MAX_WORKSPACE_FILE_BYTES = 1024 * 1024;

export class RunCatalog {
  private readonly index: RunIndex;
  /** Which offered files are read at all: regular files inside their workspace folder, each once (fileGate.ts). */
  private readonly gate = new FileGate();
  /** `.scalinglens.yaml` of each workspace root that has one, parsed. */
  private readonly workspaceFiles = new Map<string, WorkspaceFile>();
  /** Family and exclusion of each run, as of the last `runs()` (rebuilt there). */
  private grouping = new Map<string, Grouping>();

  /** `busyThreads`: this process's threads busy now besides the reading thread (the fitting threads running a fit), for a large log's split read (runs/jsonlParallel.ts). */
  constructor(busyThreads?: () => number) {
    this.index = new RunIndex({ describeRun, jsonlThreads: { ownBusyThreads: busyThreads } });
  }

  /** `scalingLens.files.followLinksOutside` and `scalingLens.textLog.patterns` (patterns apply to logs read afterwards). */
  configure(options: { followLinksOutside?: boolean; textLogPatterns?: string[] }, initial = false): void {
    this.gate.configure({ followLinksOutside: options.followLinksOutside });
    if (!initial || options.textLogPatterns?.length) this.index.setTextLogPatterns(options.textLogPatterns ?? []);
  }

  /** Forgets every run, file and grouping (a rescan follows). */
  clear(): void {
    this.index.clear();
    this.gate.clear();
    this.workspaceFiles.clear();
    this.grouping.clear();
  }

  update(absPath: string, root: string): void {
    // `wandb/latest-run/…` is read under the run folder's own name (the index maps it): gate that path.
    const logFormat = detectLogFormat(absPath);
    const gated = logFormat === 'wandb' ? wandbLinkedPath(absPath) : absPath;
    if (!this.gate.admit(gated, root, logFormat !== undefined)) {
      // A file refused now (replaced by a pipe, a link out) is no longer read: forget what it gave.
      this.index.remove(absPath);
      return;
    }
    if (path.basename(absPath) === WORKSPACE_FILE_NAME) {
      this.readWorkspaceFile(path.resolve(absPath), path.resolve(root));
      return;
    }
    this.index.update(absPath, root);
  }

  remove(absPath: string): void {
    const abs = path.resolve(absPath);
    for (const [root, ws] of this.workspaceFiles) if (ws.file === abs || ws.file.startsWith(abs + path.sep)) this.workspaceFiles.delete(root);
    this.gate.forget(abs);
    this.index.remove(absPath);
  }

  /** Every run, with `.scalinglens.yaml` applied: its overrides in `hyper` (with notes) and its family. */
  runs(): Run[] {
    const grouping = new Map<string, Grouping>();
    const out = this.index.runs().map((run) => {
      const where = this.index.locate(run.id);
      const ws = where && this.workspaceFiles.get(where.root);
      const settings = ws && settingsForRun(ws, where.rel);
      let result = run;
      if (ws && settings && (settings.family || Object.keys(settings.values).length > 0)) {
        const hyper = { ...run.hyper, notes: [...run.hyper.notes] };
        applyValues(hyper, settings.values, settings.valueLines, ws.file);
        if (settings.family) {
          hyper.family = settings.family.name;
          hyper.notes.push(`family ${settings.family.name} from ${WORKSPACE_FILE_NAME}:${settings.family.line}`);
        }
        result = { ...run, hyper };
        // A run the file gives an end (maxSteps, or tokens ÷ tokensPerStep) may have reached it, or, when its
        // log's own maxSteps ended it by the same rule, not yet reached the new one.
        const reopenable = run.status === 'live' || (run.status === 'finished' && run.statusRule === 'maxSteps');
        if (reopenable && hyper.maxSteps !== undefined && hyper.maxSteps !== run.hyper.maxSteps) {
          const end = endReached(run.series, hyper.maxSteps);
          if (end !== undefined) result = { ...result, status: 'finished', statusReason: `${end} (${path.basename(ws.file)})`, statusRule: 'maxSteps' };
          else if (run.status === 'finished') {
            result = { ...result, status: 'live' };
            delete result.statusReason;
            delete result.statusRule;
          }
        }
      }
      const { name, guessed } = familyOf(result);
      const g: Grouping = { family: name, source: settings?.family ? 'workspace-file' : guessed ? 'guessed' : 'run-config' };
      if (settings?.excludedAt !== undefined) g.excluded = `excluded by ${ws!.file}:${settings.excludedAt}`;
      grouping.set(run.id, g);
      return result;
    });
    // Runs nobody named a family for: grouped by the hyperparameters their loggers stored, else by folder.
    const unnamed = out.filter((run) => grouping.get(run.id)?.source === 'guessed');
    const guesses = guessFamilies(unnamed.map((run) => ({ id: run.id, params: this.index.loggedParams(run.id) })));
    for (let i = 0; i < out.length; i++) {
      const g = grouping.get(out[i].id);
      if (g?.source !== 'guessed') continue;
      const guess = guesses.get(out[i].id);
      if (guess !== undefined) g.family = guess.family;
      g.reason = guess?.reason ?? 'family guessed from the folder holding the run (no hyperparameters logged to compare)';
      out[i] = { ...out[i], hyper: { ...out[i].hyper, notes: [...out[i].hyper.notes, g.reason] } };
    }
    this.grouping = grouping;
    return out;
  }

  /** The family a run is fitted in, as of the last `runs()`: named, or guessed. */
  familyName(run: Run): string {
    return this.grouping.get(run.id)?.family ?? familyOf(run).name;
  }

  /** How a run is grouped, as of the last `runs()`. */
  group(runId: string): Grouping | undefined {
    return this.grouping.get(runId);
  }

  /** Where a run lives: its workspace root and its path relative to it. */
  locate(runId: string): ReturnType<RunIndex['locate']> {
    return this.index.locate(runId);
  }

  diagnostics(): Diagnostic[] {
    const out = this.index.diagnostics();
    for (const [root, ws] of this.workspaceFiles) {
      for (const d of ws.diagnostics) out.push(d);
      const paths = this.index.runs().flatMap((run) => {
        const at = this.index.locate(run.id);
        return at && at.root === root ? [at.rel] : [];
      });
      appendAll(out, unmatchedGlobs(ws, paths));
    }
    for (const d of this.gate.diagnostics()) out.push(d);
    return out;
  }

  /** Record a path the caller's own walk refused (a folder link out of the workspace, a link loop), as a diagnostic. */
  noteSkipped(absPath: string, message: string): void {
    this.gate.note(absPath, message);
  }

  /** Read (or forget, when gone) the `.scalinglens.yaml` at a workspace root; one elsewhere is not read. */
  private readWorkspaceFile(abs: string, root: string): void {
    if (path.dirname(abs) !== root) return;
    // A regular file only (a pipe would block), at most MAX_WORKSPACE_FILE_BYTES (it is hand-written).
    const r = readTextFile(abs, MAX_WORKSPACE_FILE_BYTES);
    if ('error' in r) {
      if (r.code === 'ENOENT' || r.code === 'ENOTDIR') this.workspaceFiles.delete(root);
      else
        this.workspaceFiles.set(root, {
          file: abs,
          families: [],
          runs: [],
          fits: [],
          diagnostics: [{ file: abs, severity: 'error', message: `cannot read: ${r.error}` }],
        });
      return;
    }
    this.workspaceFiles.set(root, parseWorkspaceFile(r.text, abs));
  }

  /** The pinned fit and family description `.scalinglens.yaml` gives a family (first file that does). */
  familySpec(family: string): { pin?: PinnedFit & { file: string }; description?: FamilyLaw['description'] } {
    let pin: (PinnedFit & { file: string }) | undefined;
    let description: FamilyLaw['description'];
    for (const ws of this.workspaceFiles.values()) {
      const p = ws.fits.find((f) => f.family === family);
      if (p && !pin) pin = { ...p, file: ws.file };
      const spec = ws.families.find((f) => f.name === family);
      if (spec && !description && (spec.dataset || spec.tokenizer || spec.recipe))
        description = { dataset: spec.dataset, tokenizer: spec.tokenizer, recipe: spec.recipe };
    }
    return { pin, description };
  }
}

/**
 * A run's size, tokens, schedule and family, read by the same config reader that sizes planned
 * configs. Without a model config there is no plan to read (the log's own facts still apply).
 */
export function describeRun(sidecars: RunSidecars): RunFacts | undefined {
  const args = sidecars.trainingArgs;
  if (!sidecars.config) return args ? describeFromTrainingArgs(args) : undefined;
  const read = readConfig({
    file: sidecars.config.path,
    text: sidecars.config.text,
    // The index hands over the sibling it found; any other path is not read.
    readSibling: (p) => (args && path.basename(p) === TRAINING_ARGS_FILE ? args.text : undefined),
  });
  if (read.kind !== 'plan') {
    const why = read.kind === 'error' ? read.message : read.reason;
    return { hyper: {}, notes: [`model size unknown: ${why}`], diagnostics: read.diagnostics };
  }
  const plan = read.plan;
  return {
    hyper: {
      params: plan.params.total,
      nonEmbeddingParams: plan.params.nonEmbedding,
      tokens: plan.tokens,
      tokensPerStep: plan.tokensPerStep,
      seqLen: plan.seqLen,
      peakLr: plan.peakLr,
      maxSteps: plan.maxSteps,
      family: plan.family,
      ...(plan.schedule ? { schedule: plan.schedule } : {}),
    },
    notes: plan.notes,
    diagnostics: read.diagnostics,
  };
}

/**
 * A run folder with `training_args.json` but no model `config.json`: its planned steps, tokens,
 * schedule, LR and family (the run's end and family are known; its size is not).
 */
function describeFromTrainingArgs(args: { path: string; text: string }): RunFacts {
  const { fields, diagnostics } = readTrainingArgsAlone(args.text, args.path);
  const hyper: RunFacts['hyper'] = {};
  for (const k of ['tokens', 'tokensPerStep', 'seqLen', 'peakLr', 'maxSteps', 'family', 'schedule'] as const) {
    if (fields[k] !== undefined) (hyper as Record<string, unknown>)[k] = fields[k];
  }
  return { hyper, notes: [`model size unknown: no config.json beside ${path.basename(args.path)}`, ...fields.notes], diagnostics };
}

/**
 * A run's family: as its training file names it, else a guess from the folder holding the run (the
 * engine refines folder guesses from the runs' hyperparameters, runs/families.ts).
 */
export function familyOf(run: Run): { name: string; guessed: boolean } {
  if (run.hyper.family) return { name: run.hyper.family, guessed: false };
  const parent = path.posix.dirname(run.id);
  return { name: parent === '.' ? '(workspace)' : parent, guessed: true };
}

/**
 * Put `.scalinglens.yaml` values into a run's hyperparameters, each with a note saying where it came
 * from and what it replaced. A corrected tokens-per-step recounts the planned tokens (unless the
 * file gives tokens too), so D follows the correction.
 */
function applyValues(hyper: Run['hyper'], values: RunValues, lines: Partial<Record<keyof RunValues, number>>, file: string): void {
  const where = (k: keyof RunValues) => `${path.basename(file)}:${lines[k]}`;
  for (const k of ['params', 'nonEmbeddingParams', 'tokensPerStep', 'tokens', 'maxSteps'] as const) {
    const v = values[k];
    if (v === undefined) continue;
    const was = hyper[k];
    hyper[k] = v;
    hyper.notes.push(`${k} = ${v} from ${where(k)}${was !== undefined && was !== v ? ` (read: ${was})` : ''}`);
  }
  // A corrected tokens per step or planned steps recounts the planned tokens (unless the file gives them).
  const recount = values.tokensPerStep !== undefined || values.maxSteps !== undefined;
  if (recount && values.tokens === undefined && hyper.maxSteps !== undefined && hyper.tokensPerStep !== undefined) {
    hyper.tokens = hyper.maxSteps * hyper.tokensPerStep;
    hyper.notes.push(
      `tokens = maxSteps ${hyper.maxSteps} × tokensPerStep ${hyper.tokensPerStep} (${where(values.tokensPerStep !== undefined ? 'tokensPerStep' : 'maxSteps')})`,
    );
  }
  // Planned tokens and tokens per step say where the run ends: without it a live run's forecast
  // stopped at its last logged step while the family law placed that forecast at the planned D.
  if (
    hyper.maxSteps === undefined &&
    hyper.tokens !== undefined &&
    hyper.tokensPerStep !== undefined &&
    (values.tokens ?? values.tokensPerStep) !== undefined
  ) {
    hyper.maxSteps = Math.round(hyper.tokens / hyper.tokensPerStep);
    hyper.notes.push(
      `maxSteps = tokens ${hyper.tokens} ÷ tokensPerStep ${hyper.tokensPerStep} (${where(values.tokens !== undefined ? 'tokens' : 'tokensPerStep')})`,
    );
  }
}
