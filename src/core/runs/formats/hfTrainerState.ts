// Hugging Face Trainer `trainer_state.json` (also TRL, axolotl, LLaMA-Factory): in the output dir and
// in each `checkpoint-<n>/`; the checkpoints' states are one run with the output dir's.
import * as path from 'node:path';
import { CHECKPOINT_DIR, placeByFolder } from './place';
import { defineFormat } from './types';

export const hfTrainerStateFormat = defineFormat({
  id: 'hf-trainer-state',
  writers: 'Hugging Face Trainer (TRL, axolotl, LLaMA-Factory)',
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
