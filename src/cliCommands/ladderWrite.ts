// `scaling-lens ladder … --write <dir>`: the planned runs' configs written as "Write Configs…" writes
// them (core/plan/ladderPlacement.ts decides the paths and family, core/plan/ladderConfigs.ts the
// text): one folder per run in the target's format (generic YAML for a budget target), PLAN.md,
// PLAN.json and, for a format with no family key, `.scalinglens.yaml` naming the family. An existing
// file is never replaced without --force; `.scalinglens.yaml` is edited (its entries and comments kept).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { LadderPlan } from '../core/plan/ladder';
import { ladderMarkdown } from '../core/plan/ladderRequest';
import { ladderWrite } from '../core/plan/ladderConfigs';
import { ladderOutputsOf, ladderWriteInputOf, trainingArgsPathOf, workspaceFileProblem, type LadderWriteSetup } from '../core/plan/ladderPlacement';
import type { LadderManifestTarget } from '../core/plan/ladderWriteTypes';
import { readTextFile, READ_CAPS } from '../core/safeFile';
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

/**
 * The folder `.scalinglens.yaml` belongs in: the workspace (`--workspace`), else the current folder,
 * when the ladder's folder is inside it (as VS Code's workspace folder), else the ladder's folder itself.
 */
function rootFor(folder: string, workspace: string | undefined): string {
  for (const r of [workspace === undefined ? undefined : resolve(workspace), process.cwd()]) if (r !== undefined && within(r, folder)) return r;
  return folder;
}

/** Writes the ladder, or says why not; the lines to print (stdout) or the error (stderr), and the exit code. */
export function writeLadderFiles(plan: LadderPlan, req: LadderWriteRequest, now: Date = new Date()): { code: number; out: string[]; err: string[] } {
  const folder = resolve(req.folder);
  const err = (message: string) => ({ code: 1, out: [], err: [`scaling-lens ladder: ${message}`] });
  if (existsSync(folder) && !statSync(folder).isDirectory()) return err(`--write ${req.folder}: not a folder`);
  const root = rootFor(folder, req.workspace);
  const readOptional = (file: string): string | undefined => {
    const r = readTextFile(file, READ_CAPS.config);
    return 'error' in r ? undefined : r.text;
  };
  const setup: LadderWriteSetup = {
    root,
    folder,
    config: req.config && {
      ...req.config,
      trainingArgs: existsSync(trainingArgsPathOf(req.config.file)) ? readOptional(trainingArgsPathOf(req.config.file)) : undefined,
    },
    plan,
    markdown: ladderMarkdown(plan),
    target: req.target,
    workspaceFile: existsSync(`${root}${sep}${WORKSPACE_FILE_NAME}`) ? readOptional(`${root}${sep}${WORKSPACE_FILE_NAME}`) : undefined,
    writtenAt: now.toISOString(),
  };
  const input = ladderWriteInputOf(setup);
  const written = ladderWrite(input);
  const outputs = ladderOutputsOf(written, root, folder);
  // Relative to the current folder when inside it, else absolute (not ../../..).
  const shown = (p: string) => {
    const rel = relative(process.cwd(), p);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? p : rel;
  };
  const existing = outputs.filter((o) => !o.workspaceFile && existsSync(o.path)).map((o) => shown(o.path));
  if (existing.length && !req.force)
    return err(
      `${existing.length} file(s) exist already, nothing written (--force replaces them): ${existing.slice(0, 8).join(', ')}${existing.length > 8 ? `, … (${existing.length - 8} more)` : ''}`,
    );
  const out: string[] = [];
  const warn: string[] = [];
  try {
    for (const o of outputs) {
      mkdirSync(dirname(o.path), { recursive: true });
      writeFileSync(o.path, o.text);
    }
  } catch (error) {
    return err(`--write ${req.folder}: ${error instanceof Error ? error.message : String(error)}`);
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
