// The wire types of "Write Configs" (host -> worker -> host), apart from the writers so that the
// protocol, which the webview's program also reads, does not reach the config parsers.
import type { LadderPlan } from './ladder';

/** The ladder's record beside PLAN.md (ladderManifest.ts): what links the plan to its runs across sessions. */
export const LADDER_MANIFEST_NAME = 'PLAN.json';

/** What a ladder was planned for, as the request named it: a config (its workspace path) or a budget as typed. */
export type LadderManifestTarget = { kind: 'model'; label: string } | { kind: 'budget'; budget: string };

/** One file of the written ladder, relative to the ladder's folder. */
export interface LadderFile {
  relPath: string;
  text: string;
}

export interface LadderFiles {
  files: LadderFile[];
  /** Per planned run: its folder, what its config reads back as (the count of the written shape) and the shape written. */
  runs: { id: string; folder: string; params?: number; tokens?: number; nLayer: number; dModel: number; notes: string[] }[];
  /** Runs whose config could not be written, with why. */
  errors: string[];
  /** Whether `.scalinglens.yaml` must name the family for the runs' logs (formats without a family key). */
  familyNeedsWorkspaceFile: boolean;
  /** What the user must do before training the runs (also in PLAN.md): e.g. put torchtitan's flavor module on PYTHONPATH. */
  instructions: string[];
}

/** What "Write Configs" needs, as plain data (it crosses to the worker, where configs are parsed). */
export interface LadderWriteInput {
  /** The target config and its `training_args.json` text when it has one; absent: the generic YAML template at `genericFile`. */
  target: { file: string; text: string; siblings?: Record<string, string> } | { genericFile: string };
  plan: LadderPlan;
  family: string;
  markdown: string;
  /** The ladder's folder (absolute), for the instructions that name it. */
  folder?: string;
  /** `.scalinglens.yaml` as it is (undefined: none yet) and the glob of the ladder's folder in it. */
  workspaceFile: { existing: string | undefined; glob: string };
  /**
   * For `PLAN.json` (ladderManifest.ts): the target as the request named it, the time of writing, and
   * the folders (relative to the ladder's folder) of runs written before that are done or training.
   */
  record: {
    target: LadderManifestTarget;
    writtenAt: string;
    earlier?: { id: string; folder: string; params: number; tokens: number; nLayer?: number; dModel?: number }[];
  };
}

export interface LadderWrite extends LadderFiles {
  /** `.scalinglens.yaml` naming the family, when a format cannot and the file does not already. */
  workspaceFileText?: string;
  /** Why `.scalinglens.yaml` could not be changed (it is not a YAML mapping). */
  workspaceFileError?: string;
}
