// Weights & Biases run folders: the binary `run-<id>.wandb` transaction log, an old client's
// `wandb-history.jsonl`, and `files/wandb-summary.json` (counted only for a run without history).
import { BinaryTail, FileTail } from '../tail';
import * as path from 'node:path';
import { WandbHistoryReader, WandbLogReader, readWandbConfig, parseWandbSummary, wandbFileKind, wandbLinkedPath, wandbRunDir, wandbRunKey } from '../wandb';
import { defineFormat } from './types';

export const wandbFormat = defineFormat({
  id: 'wandb',
  title: 'Weights & Biases run folders',
  writers: 'Weights & Biases (online and offline runs)',
  reads:
    '`.wandb` transaction logs of old and new SDKs (history rows, summary, config, exit code), old `wandb-history.jsonl`, `wandb-summary.json` only without history, `config.yaml` (`{desc, value}` unwrapped); x = the logged training step key, else HistoryStep, else `_step`',
  globs: ['**/*.wandb', '**/wandb-summary.json'],
  activation: ['**/*.wandb'],
  detect: (abs) => wandbFileKind(abs) !== undefined,
  // `wandb/latest-run` links to a run folder read under its own name: one run, not two.
  canonicalPath: wandbLinkedPath,
  place(abs) {
    // The run folder (files/ is inside it); a resumed run's new folder with the same id joins it.
    const runDir = wandbRunDir(abs);
    return { runDir, runKey: wandbRunKey(runDir) };
  },
  wandbKind: wandbFileKind,
  // `files/config.yaml` (or an old client's `config.yaml`), `{desc, value}` unwrapped; else the config the `.wandb` log holds.
  params: {
    names: ['config.yaml'],
    runKeyOf: (abs) => wandbRunKey(wandbRunDir(wandbLinkedPath(abs))),
    files: (runDir) => [path.join(runDir, 'files', 'config.yaml'), path.join(runDir, 'config.yaml')],
    read: readWandbConfig,
    label: 'W&B config.yaml',
  },
  open(abs) {
    const kind = wandbFileKind(abs);
    if (kind === 'log') return { kind: 'events', binTail: new BinaryTail(abs), events: new WandbLogReader(abs) };
    if (kind === 'history') return { kind: 'lines', tail: new FileTail(abs), reader: new WandbHistoryReader(abs) };
    return { kind: 'whole', parse: (text) => parseWandbSummary(text, abs) };
  },
});
