// Hugging Face Trainer `trainer_state.json` (also TRL, axolotl, LLaMA-Factory): in the output dir and
// in each `checkpoint-<n>/`; the checkpoints' states are one run with the output dir's.
import * as path from 'node:path';
import { CHECKPOINT_DIR, placeByFolder } from './place';
import { defineFormat } from './types';

export const hfTrainerStateFormat = defineFormat({
  id: 'hf-trainer-state',
  title: 'Hugging Face Trainer state',
  writers: 'Hugging Face Trainer (TRL, axolotl, LLaMA-Factory)',
  reads:
    "`log_history` rows: train rows (`loss`, `learning_rate`, `step`), `eval_*` rows, the final summary row (not a curve point); `checkpoint-*/trainer_state.json` folded into the output dir's run, the newest checkpoint wins; `num_input_tokens_seen`, `max_steps`",
  globs: ['**/trainer_state.json'],
  activation: ['**/trainer_state.json'],
  detect: (_abs, base) => base === 'trainer_state.json',
  place(abs, root) {
    const dir = path.dirname(abs);
    const m = CHECKPOINT_DIR.exec(path.basename(dir));
    return m ? placeByFolder(abs, root, path.dirname(dir), Number(m[1])) : placeByFolder(abs, root);
  },
  open: () => ({ kind: 'trainer-state' }),
});
