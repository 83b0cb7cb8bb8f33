// Where a written ladder goes and what lands on disk: the decisions of "Write Configs…"
// (features/planExperiments.ts) and of `scaling-lens ladder --write` (cliCommands/ladder.ts) in one
// place, so that both write the same files for the same plan. Plain paths and text: the callers
// check for existing files and write (VS Code's workspace edit, or the file system). The files the
// write reads beside it (`.scalinglens.yaml`, `training_args.json`) are read here, for both.
import { lstatSync, promises as fsp } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { LadderPlan } from './ladder';
import type { LadderManifestTarget, LadderWrite, LadderWriteInput } from './ladderWriteTypes';
import { readTextFile, readTextFileAsync, READ_CAPS, type OpenError } from '../safeFile';
import { WORKSPACE_FILE_NAME } from '../../shared/logFiles';

/** Read beside a config: an HF config's trainer arguments (the writer edits both). */
const TRAINING_ARGS_FILE = 'training_args.json';

/** The folder the ladder goes beside: a config's own folder, but an HF `config.json` is its folder, so beside that one. */
export function ladderBesideDir(configFile: string | undefined, root: string): string {
  if (configFile === undefined) return root;
  return basename(configFile) === 'config.json' ? dirname(dirname(configFile)) : dirname(configFile);
}

/** The folder proposed for the ladder: `ladder/` beside the target, inside the workspace folder `root`. */
export function defaultLadderFolder(configFile: string | undefined, root: string): string {
  const beside = ladderBesideDir(configFile, root);
  const inside = beside === root || beside.startsWith(root + sep) ? beside : root;
  return join(inside, 'ladder');
}

/** Where a config's `training_args.json` would be (read when it exists). */
export function trainingArgsPathOf(configFile: string): string {
  return join(dirname(configFile), TRAINING_ARGS_FILE);
}

/** A file the write reads when it is there: its text, none (absent), or why it cannot be read, `shown` naming it. */
export interface BesideRead {
  text?: string;
  problem?: string;
}

/**
 * `.scalinglens.yaml` or `training_args.json` as the write reads it: absent is none, but one that is
 * there and cannot be read (over the config read cap, a folder, a pipe: never opened, so never waited
 * on) is a problem, not none, or the write would build a fresh file in its place.
 */
export function readBeside(file: string, shown: string = file): BesideRead {
  try {
    lstatSync(file);
  } catch {
    return {};
  }
  return besideRead(readTextFile(file, READ_CAPS.config), shown);
}

/** `readBeside` without holding the thread (Write Configs, on the extension host). */
export async function readBesideAsync(file: string, shown: string = file): Promise<BesideRead> {
  try {
    await fsp.lstat(file);
  } catch {
    return {};
  }
  return besideRead(await readTextFileAsync(file, READ_CAPS.config), shown);
}

function besideRead(r: { text: string } | OpenError, shown: string): BesideRead {
  return 'error' in r ? { problem: `${shown}: ${r.error}` } : { text: r.text };
}

/**
 * Why nothing may be written (both writers refuse, naming the file and why): the target's
 * `training_args.json` there but unreadable (the runs' trainer arguments and family come from it),
 * or `.scalinglens.yaml` unreadable when the ladder must edit it (it would be replaced, not edited).
 */
export function unreadableBesideRefusal(
  reads: { trainingArgs?: BesideRead; workspaceFile: BesideRead },
  outputs: readonly LadderOutput[],
  input: LadderWriteInput,
): string | undefined {
  if (reads.trainingArgs?.problem !== undefined)
    return `${reads.trainingArgs.problem}; nothing written (the runs' trainer arguments and family are read from it)`;
  if (reads.workspaceFile.problem !== undefined && outputs.some((o) => o.workspaceFile))
    return `${reads.workspaceFile.problem}; nothing written (it would be replaced, not edited): make it a readable file and run again, or add family "${input.family}" with runs "${input.workspaceFile.glob}" to it yourself`;
  return undefined;
}

/** The ladder's folder relative to `root`, `/`-separated (`configs/ladder`; '' for the root itself). */
export function ladderFolderRel(root: string, folder: string): string {
  return relative(root, folder).split(sep).join('/');
}

/** The glob of `.scalinglens.yaml` (at `root`) that puts every run under the ladder's folder in its family. */
export function ladderFolderGlob(root: string, folder: string): string {
  const rel = ladderFolderRel(root, folder);
  return rel === '' ? '**' : `${rel}/**`;
}

export interface LadderWriteSetup {
  /** The workspace folder (absolute): `.scalinglens.yaml` is there, its globs relative to it. */
  root: string;
  /** The ladder's folder (absolute). */
  folder: string;
  /** The target config and what it states; absent: a budget target, written in the generic YAML shape. */
  config?: { file: string; text: string; family?: string; trainingArgs?: string };
  plan: LadderPlan;
  markdown: string;
  /** The target as the request named it (PLAN.json's key for a later session). */
  target: LadderManifestTarget;
  /** `.scalinglens.yaml` as it is now (undefined: none). */
  workspaceFile: string | undefined;
  writtenAt: string;
  /** Runs done or training, written before: their folders relative to `folder` (features/planExperiments.ts). */
  earlier?: LadderWriteInput['record']['earlier'];
}

/** The family the written runs join: the plan's, else the config's, else one named after the folder beside. */
export function ladderFamilyOf(plan: LadderPlan, configFamily: string | undefined, configFile: string | undefined, root: string): string {
  return plan.family ?? configFamily ?? `ladder-${basename(ladderBesideDir(configFile, root))}`;
}

/** What the config writer takes (core/plan/ladderConfigs.ts `ladderWrite`, run in the worker or by the CLI). */
export function ladderWriteInputOf(s: LadderWriteSetup): LadderWriteInput {
  const argsFile = s.config && trainingArgsPathOf(s.config.file);
  return {
    target: s.config
      ? {
          file: s.config.file,
          text: s.config.text,
          siblings: argsFile && s.config.trainingArgs !== undefined ? { [argsFile]: s.config.trainingArgs } : undefined,
        }
      : { genericFile: join(s.folder, 'ladder.yaml') },
    plan: s.plan,
    family: ladderFamilyOf(s.plan, s.config?.family, s.config?.file, s.root),
    markdown: s.markdown,
    folder: s.folder,
    workspaceFile: { existing: s.workspaceFile, glob: ladderFolderGlob(s.root, s.folder) },
    record: { target: s.target, writtenAt: s.writtenAt, earlier: s.earlier ?? [] },
  };
}

/** One file to write, absolute. `workspaceFile`: the edited `.scalinglens.yaml` (its other entries and comments kept). */
export interface LadderOutput {
  path: string;
  text: string;
  workspaceFile?: true;
}

/** The written ladder's files as absolute paths under `folder`, then `.scalinglens.yaml` at `root` when it must name the family. */
export function ladderOutputsOf(written: LadderWrite, root: string, folder: string): LadderOutput[] {
  const out: LadderOutput[] = written.files.map((f) => ({ path: join(folder, ...f.relPath.split('/')), text: f.text }));
  if (written.workspaceFileText !== undefined) out.push({ path: join(root, WORKSPACE_FILE_NAME), text: written.workspaceFileText, workspaceFile: true });
  return out;
}

/** Why `.scalinglens.yaml` was not changed, and what to add by hand (both writers say it). */
export function workspaceFileProblem(written: LadderWrite, family: string, root: string, folder: string): string | undefined {
  return written.workspaceFileError === undefined
    ? undefined
    : `${WORKSPACE_FILE_NAME}: not changed (${written.workspaceFileError}): add family "${family}" with runs "${ladderFolderGlob(root, folder)}" to it yourself`;
}

/** The ladder's first run's config (files in the ladder's own folder are PLAN.md, PLAN.json, a flavor module). */
export function firstRunFile(written: LadderWrite): string | undefined {
  return written.files.find((f) => f.relPath.includes('/'))?.relPath;
}
