// Plain-text trainer stdout (`*.log`, `*.out`, `*.txt`, `slurm-*`, `stdout`): read only when its
// content holds metric lines (textLog.ts says which trainer's).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileTail, readHeadLines } from '../tail';
import { isGenericTextLogName, isTextLogName, isTextLogPath, sniffTextLog, TEXT_SNIFF_BYTES, TextLogReader } from '../textLog';
import { TEXT_LOG_PATTERNS_SETTING } from '../textLogPatterns';
import { isWandbRunTextFile } from '../wandb';
import { placeByFolder } from './place';
import { defineFormat } from './types';

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

/** Whether `abs` is the only text log in its folder, beside log files of another format (JSONL, CSV, TensorBoard). */
function soleTextLogBesideOtherLoggers(abs: string): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(abs));
  } catch {
    return false;
  }
  if (names.length > 2000) return false;
  const base = path.basename(abs);
  let otherLogger = false;
  for (const n of names) {
    if (n === base) continue;
    if (isTextLogName(n)) return false;
    const lower = n.toLowerCase();
    if (lower.startsWith('events.out.tfevents.') || lower.endsWith('.jsonl') || /^metrics.*\.(?:csv|tsv)$/.test(lower)) otherLogger = true;
  }
  return otherLogger;
}

export const textFormat = defineFormat({
  id: 'text',
  title: 'Plain-text logs',
  writers: 'stdout of any trainer (llm.c, fairseq, DeepSpeed, Composer, OLMo, accelerate loops, …)',
  // Names stdout is saved under; the content decides (skip below). `*.txt` is read the same way but
  // is not a default glob: a workspace of thousands of notes would have each one listed and sniffed on
  // every rescan (the integration test's crowded workspace timed out with it); users add `**/*.txt`.
  reads:
    "`*.txt` too when added to `scalingLens.logGlobs`; sniffed by content (up to 1 MB of head, so code or prose before the log is fine): the lines of nanoGPT, modded-nanogpt, Megatron-LM, torchtitan, litgpt, nanotron and HF Trainer stdout, PyTorch Lightning's progress bar (`Epoch 2: 45%|…| 450/1000 [… loss=2.31, v_num=0]`: the postfix's metrics at epoch × batches + n; NeMo's `Epoch 0: :  47%|…| 7/15 [… reduced_train_loss=…]` and `Epoch 1: : 12it […]`, counts summed over epochs; Lightning 1.x's running-mean `loss` (last 20 steps) is kept as another metric when the bar shows a per-step train loss beside it, as NeMo 1.x's `reduced_train_loss`), your `scalingLens.textLog.patterns`, else the generic learner (a line family repeating with a rising step and a loss named by the vocabulary; step headers of Composer/OLMo; small tables; fairseq's base-2 losses converted); `\\r` progress bars and rank prefixes handled; a diagnostic names the rule that matched; run facts from the preamble (first 20,000 lines): Megatron's `---- arguments ----` block (size from `num_layers`/`hidden_size`/`ffn_hidden_size` and the padded vocabulary, or rank (0, 0)'s parameter count without tensor/pipeline sharding; `global_batch_size` × `seq_length` per step, or for Megatron before 2.0 the per-GPU `batch_size` × `world_size` / `model_parallel_size` × `seq_length`, not under DeepSpeed or a pipeline; `train_iters` or `train_samples`), torchtitan's total parameters, global batch, sequence length and total steps",
  globs: ['**/*.log', '**/*.out', '**/slurm-*', '**/stdout*'],
  activation: ['**/slurm-*.out', '**/train.log'],
  detect: (abs) => isTextLogPath(abs),
  /**
   * Why a text file is not read: W&B's own copy of the console, or none of its first lines is a
   * metric line of a known trainer or a user pattern. Judged again on each update, so a log that
   * only printed its configuration so far is picked up once its first metric line is written.
   */
  skip(abs, ctx) {
    if (isWandbRunTextFile(abs)) return "W&B's copy of the console output (or its debug log); the run is read from its .wandb log";
    // A file already judged on a full head (an application's own busy log) is not read again on every append.
    if (ctx.previousSkip !== undefined && ctx.judgedOnFullHead.has(abs) && fileSize(abs) >= TEXT_SNIFF_BYTES) return ctx.previousSkip;
    const head = readHeadLines(abs, TEXT_SNIFF_BYTES);
    if ('error' in head) return undefined;
    ctx.judgedOnFullHead.delete(abs);
    if (sniffTextLog(head.lines, { userPatterns: ctx.textPatterns }) !== undefined) return undefined;
    if (fileSize(abs) >= TEXT_SNIFF_BYTES) ctx.judgedOnFullHead.add(abs);
    return `not read as a training log: no line of nanoGPT, Megatron-LM, torchtitan, litgpt, nanotron, Hugging Face Trainer or Lightning progress-bar stdout, no repeating line family with a rising step and a loss, and no line of ${TEXT_LOG_PATTERNS_SETTING} in its first ${head.lines.length} lines`;
  },
  place(abs, root) {
    // `slurm-1234.out`, `run_350m.log`: each named text log is a run; only `train.log`, `stdout`, … are
    // their folder's run, and so is the one text log of a folder where the same job also wrote
    // JSONL, CSV or TensorBoard files (one job, several loggers: one run).
    if (!isGenericTextLogName(path.basename(abs)) && !soleTextLogBesideOtherLoggers(abs)) return { runDir: path.dirname(abs), runKey: abs };
    return placeByFolder(abs, root);
  },
  open: (abs, _place, ctx) => ({ kind: 'lines', tail: new FileTail(abs), reader: new TextLogReader(abs, { userPatterns: ctx.textPatterns }) }),
});
