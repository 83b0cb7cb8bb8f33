import * as path from 'node:path';
import type { RunPlace } from './types';

/**
 * The default run of a log file: its folder, except that a log directly in the workspace root is a
 * run of its own named by its path (checkpoints there collapse onto `root/trainer_state.json`).
 */
export function placeByFolder(abs: string, root: string, runDir = path.dirname(abs), checkpoint?: number): RunPlace {
  if (path.resolve(runDir) === root) return { runDir, runKey: checkpoint !== undefined ? path.join(root, 'trainer_state.json') : abs, checkpoint };
  return { runDir, runKey: runDir, checkpoint };
}

/** `checkpoint-<n>` folders the HF Trainer saves. */
export const CHECKPOINT_DIR = /^checkpoint-(\d+)$/;
