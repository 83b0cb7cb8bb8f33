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

export const tfeventsFormat = defineFormat({
  id: 'tfevents',
  title: 'TensorBoard event files',
  writers: 'TensorBoard: TF1/TF2, PyTorch SummaryWriter, tensorboardX, Lightning TensorBoardLogger, Megatron, torchtitan, litgpt',
  reads:
    "TFRecord-framed `Event` protobufs: scalars as `simple_value` (TF1, PyTorch, tensorboardX) or rank-0 `tensor` (TF2), half/bfloat/double too; every event file of a folder is one run (restarts by start time); an HF Trainer's `runs/<stamp>/` joins its trainer_state run, `train/x` → `x`",
  globs: ['**/events.out.tfevents.*'],
  activation: ['**/events.out.tfevents.*'],
  detect: (_abs, base) => base.startsWith('events.out.tfevents.'),
  place(abs, root) {
    // An HF Trainer's own event files (`<output_dir>/runs/<stamp>/`) belong to its trainer_state.json run.
    const hf = hfOutputDirOfEvents(abs);
    const runDir = hf ?? path.dirname(abs);
    return { runDir, runKey: path.resolve(runDir) === root && hf !== undefined ? path.join(root, 'trainer_state.json') : runDir };
  },
  // The reader keeps no view into a read's bytes, so the tail may reuse its buffer.
  open: (abs) => ({ kind: 'events', binTail: new BinaryTail(abs, { reuseBuffer: true }), events: new TfEventsReader(abs) }),
});
