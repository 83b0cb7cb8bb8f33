// TensorBoard event files (TF1/TF2, PyTorch SummaryWriter, tensorboardX, Lightning, Megatron, …).
// TensorBoard's unit is the directory: every event file in it (restarts, several writers) is one run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BinaryTail } from '../tail';
import { TfEventsReader } from '../tfevents';
import { CHECKPOINT_DIR } from './place';
import { defineFormat } from './types';

/** Whether `dir` holds a Hugging Face Trainer's state: its own trainer_state.json or a checkpoint's. */
function holdsTrainerState(dir: string): boolean {
  if (fs.existsSync(path.join(dir, 'trainer_state.json'))) return true;
  try {
    return fs.readdirSync(dir).some((name) => CHECKPOINT_DIR.test(name) && fs.existsSync(path.join(dir, name, 'trainer_state.json')));
  } catch {
    return false;
  }
}

/**
 * The HF Trainer output dir an event file belongs to, if any: the Trainer's TensorBoard callback
 * writes to `logging_dir`, by default `<output_dir>/runs/<date>_<host>/` (transformers
 * `TrainingArguments.logging_dir`), or users point it at the output dir itself. Only when that
 * dir holds trainer state, so a plain `runs/<stamp>/` of PyTorch's SummaryWriter stays its own run.
 */
export function hfOutputDirOfEvents(abs: string): string | undefined {
  const dir = path.dirname(abs);
  if (holdsTrainerState(dir)) return dir;
  const parent = path.dirname(dir);
  if (path.basename(parent) === 'runs' && holdsTrainerState(path.dirname(parent))) return path.dirname(parent);
  return undefined;
}

/** Folders that hold one half of a run whose other half is a sibling `train/` (Keras: `validation/`). */
const SPLIT_EVAL_DIRS = new Set(['validation', 'val', 'eval', 'test']);

/** Whether `dir` itself holds event files (a TF1 Estimator's model_dir, whose evaluations go to `eval/`). */
function holdsEvents(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((name) => name.startsWith('events.out.tfevents.'));
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Folders looked into at most when asking whether a `train/` folder's parent holds other runs. */
const OTHER_RUN_SEARCH_DIRS = 256;

/**
 * Whether `parent` holds a TensorBoard run besides its `train/` and evaluation halves: event files of
 * its own, or event files in another folder (two levels down, so `runs/<name>/<version>/` counts).
 * Then its `train/` is a run among others (`experiments/train/` beside `experiments/ablation/`), not a half.
 */
function holdsOtherRun(parent: string): boolean {
  if (holdsEvents(parent)) return true;
  let budget = OTHER_RUN_SEARCH_DIRS;
  const search = (dir: string, depth: number): boolean => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return false;
    }
    for (const name of names) {
      if (depth === 0 && (name === 'train' || SPLIT_EVAL_DIRS.has(name))) continue;
      const sub = path.join(dir, name);
      if (budget-- <= 0 || !isDir(sub)) continue;
      if (holdsEvents(sub) || (depth === 0 && search(sub, 1))) return true;
    }
    return false;
  };
  return search(parent, 0);
}

/** Whether `parent` holds an evaluation folder (`validation/`, `eval/`, …) beside its `train/`. */
function holdsEvalHalf(parent: string): boolean {
  for (const name of SPLIT_EVAL_DIRS) if (isDir(path.join(parent, name))) return true;
  return false;
}

/**
 * Keras's TensorBoard callback writes one run as `<log_dir>/train/` and `<log_dir>/validation/`, both
 * with the same tags (`epoch_loss`); TF's two-writer idiom does the same with `train/` and `test/`. The
 * run is `<log_dir>`, and the evaluation folder's metrics are named `<folder>/<tag>` (so the vocabulary
 * reads them as the eval loss). A TF1 Estimator writes its training events in `model_dir` and its
 * evaluations in `model_dir/eval/`: one run too. A `train/` folder is its parent's training half when
 * the parent holds an evaluation folder beside it, or no other run (Keras writes `validation/` only at the
 * first epoch's end); a `train/` among other runs stays a run of its own. An evaluation folder is a half
 * only beside a `train/` folder or, for `eval/`, event files (a run named `test` stays one).
 */
function splitRunOfEvents(abs: string): { runDir: string; metricPrefix?: string } | undefined {
  const dir = path.dirname(abs);
  const half = path.basename(dir);
  const parent = path.dirname(dir);
  if (parent === dir) return undefined;
  if (half === 'train') return holdsEvalHalf(parent) || !holdsOtherRun(parent) ? { runDir: parent } : undefined;
  if (SPLIT_EVAL_DIRS.has(half) && (isDir(path.join(parent, 'train')) || (half === 'eval' && holdsEvents(parent))))
    return { runDir: parent, metricPrefix: `${half}/` };
  return undefined;
}

export const tfeventsFormat = defineFormat({
  id: 'tfevents',
  title: 'TensorBoard event files',
  writers: 'TensorBoard: TF1/TF2, Keras, PyTorch SummaryWriter, tensorboardX, Lightning TensorBoardLogger, Megatron, torchtitan, litgpt',
  reads:
    "TFRecord-framed `Event` protobufs: scalars as `simple_value` (TF1, PyTorch, tensorboardX) or rank-0 `tensor` (TF2), half/bfloat/double too; every event file of a folder is one run (restarts by start time); Keras's `train/` + `validation/` folders (or `train/` + `test/`, `eval/`, `val/`; a TF1 Estimator's model dir + `eval/`) are one run (a `train/` with no evaluation folder beside it only when its parent holds no other run), the evaluation folder's tags read as `<folder>/<tag>` (e.g. `validation/epoch_loss`, the eval loss); an HF Trainer's `runs/<stamp>/` joins its trainer_state run, `train/x` → `x`",
  globs: ['**/events.out.tfevents.*'],
  activation: ['**/events.out.tfevents.*'],
  detect: (_abs, base) => base.startsWith('events.out.tfevents.'),
  place(abs, root) {
    // An HF Trainer's own event files (`<output_dir>/runs/<stamp>/`) belong to its trainer_state.json run.
    const hf = hfOutputDirOfEvents(abs);
    const split = hf === undefined ? splitRunOfEvents(abs) : undefined;
    if (split) return { runDir: split.runDir, runKey: split.runDir, metricPrefix: split.metricPrefix };
    const runDir = hf ?? path.dirname(abs);
    return { runDir, runKey: path.resolve(runDir) === root && hf !== undefined ? path.join(root, 'trainer_state.json') : runDir };
  },
  // The reader keeps no view into a read's bytes, so the tail may reuse its buffer.
  open: (abs) => ({ kind: 'events', binTail: new BinaryTail(abs, { reuseBuffer: true }), events: new TfEventsReader(abs) }),
});
