// `scaling-lens ladder … --write <dir>`: the planned runs' configs written as "Write Configs…" writes
// them (core/plan/ladderPlacement.ts decides the paths and family, core/plan/ladderConfigs.ts the
// text): one folder per run in the target's format (generic YAML for a budget target), PLAN.md,
// PLAN.json and, for a format with no family key, `.scalinglens.yaml` naming the family. An existing
// file is never replaced without --force; `.scalinglens.yaml` is edited (its entries and comments kept).
import { accessSync, constants, existsSync, lstatSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { LadderPlan } from '../core/plan/ladder';
import { ladderMarkdown } from '../core/plan/ladderRequest';
import { ladderWrite } from '../core/plan/ladderConfigs';
import {
  ladderOutputsOf,
  ladderWriteInputOf,
  readBeside,
  trainingArgsPathOf,
  unreadableBesideRefusal,
  workspaceFileProblem,
  type LadderWriteSetup,
} from '../core/plan/ladderPlacement';
import type { LadderManifestTarget } from '../core/plan/ladderWriteTypes';
import { WORKSPACE_FILE_NAME } from '../shared/logFiles';

export interface LadderWriteRequest {
  /** `--write` as given (relative to the current folder). */
  folder: string;
  force: boolean;
  /** `--workspace` as given: `.scalinglens.yaml` goes there when the ladder's folder is inside it. */
  workspace: string | undefined;
  /** The target config (absolute), its text and the family it states; absent for a budget target. */
  config?: { file: string; text: string; family?: string };
  /** The target as the user named it: the config's label in the plan, or the budget as typed. */
  target: LadderManifestTarget;
}

/** `child` is `parent` or inside it. */
function within(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** A folder VS Code or git would take as a project's root: the extension reads `.scalinglens.yaml` there. */
const PROJECT_ROOT_MARKS = ['.git', '.vscode'];

/** Whether anything (a file, a folder, a pipe, a dangling link) is at `p`. */
function present(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** `p` with every symbolic link resolved (as getcwd gives the current folder); as spelled when it does not exist. */
function realPathOf(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}

/**
 * The folder `.scalinglens.yaml` belongs in: the one VS Code would be opened on for the ladder, since
 * the extension reads `.scalinglens.yaml` at a workspace folder's root only (services/runWatcher.ts).
 * That is `--workspace` when the ladder's folder is inside it; else the nearest folder from the
 * ladder's folder up that has a `.scalinglens.yaml` or is a project's root (`.git`, `.vscode`), above
 * the current folder too (run from `proj/sub`, the project is still `proj`), but not the home folder
 * (its `.vscode` holds VS Code's own extensions, no project) or the file system's root; with no such
 * folder, the current one when the ladder is inside it (as the plan's labels take it) and it is
 * neither of those two; else the ladder's folder itself, unless it is one of those two: then none
 * (undefined: `.scalinglens.yaml` is not written there, the caller refuses). The home folder is
 * known by its real path: on a cluster $HOME is often a link (/home/u -> /gpfs/home/u) while the
 * current folder is the physical path, so the spellings never meet.
 */
function rootFor(folder: string, workspace: string | undefined): string | undefined {
  if (workspace !== undefined && within(resolve(workspace), folder)) return resolve(workspace);
  const home = realPathOf(resolve(homedir()));
  const notProject = (dir: string) => dirname(dir) === dir || realPathOf(dir) === home;
  for (let dir = folder; !notProject(dir); dir = dirname(dir)) {
    if ([WORKSPACE_FILE_NAME, ...PROJECT_ROOT_MARKS].some((name) => present(join(dir, name)))) return dir;
  }
  const cwd = process.cwd();
  if (within(cwd, folder) && !notProject(cwd)) return cwd;
  return notProject(folder) ? undefined : folder;
}

/** Creates `path`'s folders and writes it (replaced by the tests, to fail part way). */
export type LadderFileWriter = (path: string, text: string) => void;
const writeWithFolders: LadderFileWriter = (path, text) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

/**
 * Why `path` cannot be written (nothing written yet): something there that is not a regular file (a
 * folder, a pipe that would block the write), a file not writable, or its nearest existing folder a
 * file or not writable. Undefined: it can be. Run as root, permissions do not refuse (nor do they here).
 */
function unwritable(path: string): string | undefined {
  if (present(path)) {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    if (!st.isFile()) return st.isDirectory() ? 'a folder is there' : 'not a regular file (a pipe, socket or device): not opened';
    try {
      accessSync(path, constants.W_OK);
    } catch {
      return 'not writable';
    }
    return undefined;
  }
  let dir = dirname(path);
  while (!present(dir) && dirname(dir) !== dir) dir = dirname(dir);
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  if (!st.isDirectory()) return `${dir} is not a folder`;
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return `the folder ${dir} is not writable`;
  }
  return undefined;
}

/** Writes the ladder, or says why not; the lines to print (stdout) or the error (stderr), and the exit code. */
export function writeLadderFiles(
  plan: LadderPlan,
  req: LadderWriteRequest,
  now: Date = new Date(),
  writeFile: LadderFileWriter = writeWithFolders,
): { code: number; out: string[]; err: string[] } {
  const folder = resolve(req.folder);
  const err = (message: string) => ({ code: 1, out: [], err: [`scaling-lens ladder: ${message}`] });
  if (existsSync(folder) && !statSync(folder).isDirectory()) return err(`--write ${req.folder}: not a folder`);
  const projectRoot = rootFor(folder, req.workspace);
  // No folder for `.scalinglens.yaml` (the ladder written straight into the home folder or /): the
  // ladder's own folder stands in for the paths and family name, but that file is not written there.
  const root = projectRoot ?? folder;
  // Relative to the current folder when inside it, else absolute (not ../../..).
  const shown = (p: string) => {
    const rel = relative(process.cwd(), p);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? p : rel;
  };
  // A file there that cannot be read (too big, a pipe, a folder, no permission) is not taken for none.
  const args = req.config && readBeside(trainingArgsPathOf(req.config.file), shown(trainingArgsPathOf(req.config.file)));
  const workspaceFile = readBeside(join(root, WORKSPACE_FILE_NAME), shown(join(root, WORKSPACE_FILE_NAME)));
  const setup: LadderWriteSetup = {
    root,
    folder,
    config: req.config && { ...req.config, trainingArgs: args?.text },
    plan,
    markdown: ladderMarkdown(plan),
    target: req.target,
    workspaceFile: workspaceFile.text,
    writtenAt: now.toISOString(),
  };
  const input = ladderWriteInputOf(setup);
  const written = ladderWrite(input);
  const outputs = ladderOutputsOf(written, root, folder);
  const refused = unreadableBesideRefusal({ trainingArgs: args, workspaceFile }, outputs, input);
  if (refused !== undefined) return err(refused);
  if (projectRoot === undefined && outputs.some((o) => o.workspaceFile))
    return err(
      `--write ${req.folder}: the ladder's folder is ${folder === dirname(folder) ? "the file system's root" : 'the home folder'}, no project's folder, so the ${WORKSPACE_FILE_NAME} naming the runs' family "${input.family}" has no place; nothing written: write the ladder into a folder of its own (--write ${join(req.folder, 'ladder')}), or name the workspace folder with --workspace`,
    );
  const existing = outputs.filter((o) => !o.workspaceFile && existsSync(o.path)).map((o) => shown(o.path));
  if (existing.length && !req.force)
    return err(
      `${existing.length} file(s) exist already, nothing written (--force replaces them): ${existing.slice(0, 8).join(', ')}${existing.length > 8 ? `, … (${existing.length - 8} more)` : ''}`,
    );
  // Every target checked before any is written: a refusal leaves nothing half written.
  const blocked = outputs.flatMap((o) => {
    const why = unwritable(o.path);
    return why === undefined ? [] : [`${shown(o.path)}: ${why}`];
  });
  if (blocked.length)
    return err(
      `${blocked.length} file(s) cannot be written, nothing written: ${blocked.slice(0, 8).join('; ')}${blocked.length > 8 ? `; … (${blocked.length - 8} more)` : ''}`,
    );
  const out: string[] = [];
  const warn: string[] = [];
  const done: string[] = [];
  try {
    for (const o of outputs) {
      writeFile(o.path, o.text);
      done.push(shown(o.path));
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const partly = done.length
      ? `; ${done.length} of ${outputs.length} file(s) written before it (a rerun needs --force to replace them): ${done.join(', ')}`
      : '; nothing written';
    return err(`--write ${req.folder}: ${message}${partly}`);
  }
  const configs = written.runs.length;
  out.push(`wrote ${configs} run config(s) into ${shown(folder)} (family "${input.family}"):`);
  for (const o of outputs) out.push(`  ${shown(o.path)}${o.workspaceFile ? ` (the family "${input.family}" for runs under ${input.workspaceFile.glob})` : ''}`);
  for (const i of written.instructions) out.push(`before training: ${i}`);
  for (const e of written.errors) warn.push(`scaling-lens ladder: not written: ${e}`);
  const ws = workspaceFileProblem(written, input.family, root, folder);
  if (ws !== undefined) warn.push(`scaling-lens ladder: ${ws}`);
  return { code: 0, out, err: warn };
}
