// Plain-text trainer logs (stdout captured to `*.log`, `slurm-*.out`, …). One small entry per
// framework in FRAMEWORKS below, each written from that framework's print statement (cited);
// user patterns from the `scalingLens.textLog.patterns` setting are tried before them.
//
// A line is cleaned first: ANSI colour codes removed (torchtitan colours every field), split at
// carriage returns (tqdm redraws its bar with `\r`) and at U+2028/U+2029 (no pattern sees a line
// terminator: patternSafety.ts), cut to MAX_TEXT_LINE_CHARS, and lines of a
// second rank (torchrun's `[default1]:` / `[rank1]:` prefixes) skipped. Patterns are searched,
// not anchored, so timestamps and logger prefixes before the text do not matter.
import type { Diagnostic } from '../diagnostics';
import type { MetricPoint, MetricRole, MetricUnit } from './types';
import { emptyResult, isLossRole, metricRole, shorten, type ReadResult } from './common';
import { lossUnitOf, parseTextNumber, toNats } from './textLogValues';
import { LineFamilyLearner } from './textLearner';
import { chooseStepKey } from './vocabulary';
import { MAX_TEXT_LINE_CHARS, MAX_USER_LINE_CHARS, TEXT_LOG_PATTERNS_SETTING, USER_PATTERN_SLOW_MS, type UserPattern } from './textLogPatterns';
import { appendAll } from '../../shared/arrays';
import { RESUME_LINE } from './stepOrder';

/** Where parseLine splits a line into segments: `\r` (tqdm) and the line terminators inside a line. */
export const SEGMENT_BREAK = /[\r\u2028\u2029]/;

export type TextFramework =
  'nanogpt' | 'modded-nanogpt' | 'megatron' | 'torchtitan' | 'litgpt' | 'nanotron' | 'hf-trainer-stdout' | 'lightning-tqdm' | 'generic' | 'user-pattern';

/** One value on a log line, before it is turned into a number. */
interface Field {
  metric: string;
  raw: string;
  role?: MetricRole;
}

/** What one line said: a step and its values. */
interface LineRecord {
  step: number;
  fields: Field[];
  /** The line it was read from, when not the current one (a record that waited). */
  line?: number;
}

/** State a framework keeps between lines of one file (cleared on rewrite). */
interface Context {
  nanogptTokensPerIter?: number;
  /** litgpt: micro-batch iterations per optimizer step, from the last `iter N step M` line. */
  litgptItersPerStep?: number;
  /** HF: the training progress bar's counter (global step) and total, from tqdm output. */
  hfBarStep?: number;
  hfBarTotal?: number;
  hfTrainRows: number;
  hfImplicitStep: boolean;
  hfLastStep: number;
  hfPending: PendingRow[];
  notes: Diagnostic[];
  /** Lightning's bar: the first epoch seen (steps count from it). */
  lightningFirstEpoch?: number;
  /** A bar without a total (`12it [...]`): its epoch, last count, and the batches of the epochs before it. */
  lightningCount?: { epoch: number; last: number; before: number };
  /** Lightning 1.x's running `loss` was set aside for a per-step train loss on the bar (noted once). */
  lightningRunningLossNoted?: boolean;
  /** The generic learner's state (textLearner.ts), made on first use. */
  learner?: LineFamilyLearner;
}

interface Framework {
  id: TextFramework;
  /**
   * The records this line completes (one, or several that were waiting, or none yet), or undefined
   * when the line is not one of this framework's metric lines. Updates ctx.
   */
  parse(line: string, ctx: Context, file: string, lineNumber: number): LineRecord[] | LineRecord | undefined;
}

// Digits (with thousands commas) only before the point, so a long run of digits has one way to match.
const NUM = String.raw`[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)`;

/** `key: value` fields separated by `|` (Megatron, nanotron). */
function pipeFields(rest: string): { key: string; raw: string }[] {
  const out: { key: string; raw: string }[] = [];
  for (const part of rest.split('|')) {
    const i = part.lastIndexOf(':');
    if (i <= 0) continue;
    const key = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    if (key !== '' && raw !== '' && key.length <= 80) out.push({ key, raw });
  }
  return out;
}

function int(s: string): number {
  return Number(s.replace(/,/g, ''));
}

// nanoGPT train.py (karpathy/nanoGPT): `print(f"step {iter_num}: train loss {losses['train']:.4f}, val loss
// {losses['val']:.4f}")` at evals and `print(f"iter {iter_num}: loss {lossf:.4f}, time {dt*1000:.2f}ms, mfu
// {running_mfu*100:.2f}%")` every log_interval; `tokens per iteration will be: {tokens_per_iter:,}` at start.
const NANOGPT_TOKENS = /\btokens per iteration will be: ([\d,]+)/;
const NANOGPT_ITER = new RegExp(String.raw`\biter (\d+): loss (${NUM}|\S+?)(?:,|$)(.*)$`);
const NANOGPT_EVAL = new RegExp(String.raw`\bstep (\d+): train loss (${NUM}|\S+?), val loss (${NUM}|\S+?)(?:,|\s|$)`);
const NANOGPT_TIME = /\btime ([\d.]+)ms/;
const NANOGPT_MFU = /\bmfu (-?[\d.]+)%/;
const NANOGPT_LR = new RegExp(String.raw`\blr (${NUM})`);
const nanogpt: Framework = {
  id: 'nanogpt',
  parse(line, ctx) {
    const t = NANOGPT_TOKENS.exec(line);
    if (t) {
      ctx.nanogptTokensPerIter = int(t[1]);
      return undefined;
    }
    const m = NANOGPT_ITER.exec(line);
    if (m) {
      const step = Number(m[1]);
      const fields: Field[] = [{ metric: 'loss', raw: m[2], role: 'train_loss' }];
      const time = NANOGPT_TIME.exec(m[3]);
      if (time) fields.push({ metric: 'time_ms', raw: time[1], role: 'other' });
      const mfu = NANOGPT_MFU.exec(m[3]);
      // nanoGPT prints mfu -100.00% until its running estimate exists.
      if (mfu && Number(mfu[1]) >= 0) fields.push({ metric: 'mfu_percent', raw: mfu[1], role: 'other' });
      const lr = NANOGPT_LR.exec(m[3]);
      if (lr) fields.push({ metric: 'lr', raw: lr[1], role: 'lr' });
      // Tokens seen before iteration `step`: nanoGPT's tokens per iteration is global (all ranks, all micro-batches).
      if (ctx.nanogptTokensPerIter !== undefined) fields.push({ metric: 'tokens', raw: String(step * ctx.nanogptTokensPerIter), role: 'tokens' });
      return { step, fields };
    }
    const e = NANOGPT_EVAL.exec(line);
    if (e) {
      // The eval-time estimate on the train split is kept apart from the per-iteration train loss.
      return {
        step: Number(e[1]),
        fields: [
          { metric: 'train/loss', raw: e[2], role: 'other' },
          { metric: 'val/loss', raw: e[3], role: 'eval_loss' },
        ],
      };
    }
    return undefined;
  },
};

// modded-nanogpt speedrun logs: `step:1770/1770 val_loss:3.2828 train_time:178912ms step_avg:101.08ms`
// (older records also `train_loss:`); the log starts with the script's own source, which never matches.
const MODDED = /\bstep:(\d+)\/(\d+)\s+(.*)$/;
// A key starts at the text's start or after a character no key holds (a match ends before a blank, so
// none is lost): tried inside a word, `(\w+):` reads the word to its end from every position of it,
// quadratic on a long word without `:` (patternSafety.ts, rule 4).
const MODDED_FIELD = /(?:^|\W)(\w+):(\S+)/g;
const moddedNanogpt: Framework = {
  id: 'modded-nanogpt',
  parse(line) {
    const m = MODDED.exec(line);
    if (!m) return undefined;
    const fields: Field[] = [];
    for (const kv of m[3].matchAll(MODDED_FIELD)) {
      const key = kv[1];
      const raw = kv[2].replace(/ms$/, '');
      if (key === 'val_loss') fields.push({ metric: 'val_loss', raw, role: 'eval_loss' });
      else if (key === 'train_loss') fields.push({ metric: 'train_loss', raw, role: 'train_loss' });
      else fields.push({ metric: kv[2].endsWith('ms') ? `${key}_ms` : key, raw, role: 'other' });
    }
    if (!fields.some((f) => f.role === 'eval_loss' || f.role === 'train_loss')) return undefined;
    return { step: Number(m[1]), fields };
  },
};

// Megatron-LM megatron/training/training.py `training_log`: ` iteration {:8d}/{:8d} |` then
// ` key: value |` fields (`lm loss: 1.258695E+01`, `learning rate: 3.000000E-05`, `consumed samples`;
// Megatron-DeepSpeed adds `consumed tokens`). `evaluate_and_print_results`: ` validation loss at
// iteration N | lm loss value: X | lm loss PPL: Y |`.
const MEGATRON_ITER = /\biteration\s+(\d+)\s*\/\s*(\d+)\s*\|(.*)$/;
// The fields follow the first `|` past the step, found with indexOf: as `[^|]*\|` in the pattern, every
// `validation loss at` of a long line without `|` was read to the line's end (quadratic; patternSafety.ts, rule 4).
const MEGATRON_VALID = /\bvalidation loss at (?:iteration\s+)?(\d+)(?!\w)/;

/**
 * A validation line's step and the text after the first `|` past it (its fields), or undefined: what
 * `\bvalidation loss at (?:iteration\s+)?(\d+)(?:[^\w|][^|]*)?\|(.*)$` matched on a segment without
 * line terminators (parseLine splits there), where `(.*)$` always matches: the first occurrence
 * decides, as a later one has a `|` after it only if the first has.
 */
export function megatronValidation(line: string): { step: number; rest: string } | undefined {
  const v = MEGATRON_VALID.exec(line);
  if (v === null) return undefined;
  const bar = line.indexOf('|', v.index + v[0].length);
  return bar < 0 ? undefined : { step: Number(v[1]), rest: line.slice(bar + 1) };
}
// GPT-NeoX (a Megatron fork) prints the same line with `lm_loss`.
const MEGATRON_ROLE: Record<string, MetricRole> = { 'lm loss': 'train_loss', lm_loss: 'train_loss', 'learning rate': 'lr', 'consumed tokens': 'tokens' };
const megatron: Framework = {
  id: 'megatron',
  parse(line) {
    const m = MEGATRON_ITER.exec(line);
    if (m) {
      const fields: Field[] = pipeFields(m[3]).map(({ key, raw }) => ({ metric: key, raw, role: MEGATRON_ROLE[key] ?? 'other' }));
      if (fields.length === 0) return undefined;
      return { step: Number(m[1]), fields };
    }
    const v = megatronValidation(line);
    if (v) {
      const fields: Field[] = [];
      for (const { key, raw } of pipeFields(v.rest)) {
        // `lm loss value` is named as Megatron's TensorBoard tag for it: `lm loss validation`.
        const base = key.replace(/ value$/, '');
        if (key.endsWith(' value')) fields.push({ metric: `${base} validation`, raw, role: base === 'lm loss' ? 'eval_loss' : 'other' });
        else fields.push({ metric: `${key} validation`, raw, role: 'other' });
      }
      return fields.length > 0 ? { step: v.step, fields } : undefined;
    }
    return undefined;
  },
};

// torchtitan torchtitan/components/metrics.py `MetricsProcessor.log`: `step: {step:2}  loss: {loss:7.4f}
// grad_norm: …  memory: {gib:5.2f}GiB({pct:.2f}%)  tps: {round(tps):,}  tflops: …  mfu: {mfu:.2f}%`, each
// field coloured; the validator prints `validate step: {step:2}  loss: …`.
const TITAN = new RegExp(String.raw`\b(validate )?step:\s*(\d+)\s+loss:\s*(${NUM}|\S+)(.*)$`);
// Sticky, tried by titanFields only where a key can start: unanchored, `([A-Za-z_]+):` read a long run
// of letters without `:` to its end from every position of it (quadratic; patternSafety.ts, rule 4).
const TITAN_FIELD = /([A-Za-z_]+):\s*([-\d.,]+(?:[kKMGBTP](?![A-Za-z]))?)(GiB|%)?/y;

function isTitanKeyChar(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/**
 * The matches `matchAll` of TITAN_FIELD unanchored would give, in linear time. A try from inside a
 * run of key characters ends where the try from the run's first character (or from the end of the
 * last match) ended, with the same rest of the line, so it fails when that one failed: each run is
 * tried once.
 */
export function titanFields(text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isTitanKeyChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    TITAN_FIELD.lastIndex = i;
    const m = TITAN_FIELD.exec(text);
    if (m !== null) {
      out.push(m);
      i = TITAN_FIELD.lastIndex;
      continue;
    }
    while (i < text.length && isTitanKeyChar(text.charCodeAt(i))) i++;
  }
  return out;
}
const torchtitan: Framework = {
  id: 'torchtitan',
  parse(line) {
    const m = TITAN.exec(line);
    if (!m) return undefined;
    const validate = m[1] !== undefined;
    const fields: Field[] = [validate ? { metric: 'validation/loss', raw: m[3], role: 'eval_loss' } : { metric: 'loss', raw: m[3], role: 'train_loss' }];
    if (!validate) {
      for (const kv of titanFields(m[4])) {
        const key = kv[1] === 'memory' ? 'memory_gib' : kv[1] === 'mfu' ? 'mfu_percent' : kv[1];
        fields.push({ metric: key, raw: kv[2], role: 'other' });
      }
    }
    return { step: Number(m[2]), fields };
  },
};

// litgpt litgpt/pretrain.py and finetune/*.py: `Epoch {e} | iter {iter_num} step {step_count} | loss train:
// {loss:.3f}, val: {val_loss} | iter time: …` (val is "n/a" until the first validation), and
// `iter {iter_num}: val loss {val_loss:.4f}, val time: {ms:.2f} ms` (older scripts: `step {iter_num}: val loss`).
// `iter` counts micro-batches, `step` optimizer steps: validations are placed on the step axis.
const LITGPT_TRAIN = new RegExp(String.raw`\biter (\d+) step (\d+) \| loss train: (${NUM}|\S+?), val: (${NUM}|n/a|\S+?)\s*(?:\||$)`);
const LITGPT_VAL = new RegExp(String.raw`\b(?:iter|step) (\d+): val loss (${NUM}|\S+?), val time`);
const litgpt: Framework = {
  id: 'litgpt',
  parse(line, ctx) {
    const m = LITGPT_TRAIN.exec(line);
    if (m) {
      const iter = Number(m[1]);
      const step = Number(m[2]);
      if (step > 0 && iter > 0) ctx.litgptItersPerStep = iter / step;
      const fields: Field[] = [{ metric: 'loss', raw: m[3], role: 'train_loss' }];
      if (m[4] !== 'n/a') fields.push({ metric: 'val_loss', raw: m[4], role: 'eval_loss' });
      return { step, fields };
    }
    const v = LITGPT_VAL.exec(line);
    if (v) {
      const iter = Number(v[1]);
      const step = ctx.litgptItersPerStep !== undefined ? Math.round(iter / ctx.litgptItersPerStep) : iter;
      return { step, fields: [{ metric: 'val_loss', raw: v[2], role: 'eval_loss' }] };
    }
    return undefined;
  },
};

// nanotron src/nanotron/trainer.py `train_step_logs`: `iteration: {n} / {total} | consumed_tokens: 1.28K |
// … | lm_loss: 8.35 | lr: 1e-05 | …`, values through `human_format` (K/M/G or B suffixes).
const NANOTRON = /\biteration:\s*(\d+)\s*\/\s*(\d+)\s*(?:\||$)(.*)$/;
const NANOTRON_ROLE: Record<string, MetricRole> = { lm_loss: 'train_loss', lr: 'lr', consumed_tokens: 'tokens' };
const nanotron: Framework = {
  id: 'nanotron',
  parse(line) {
    const m = NANOTRON.exec(line);
    if (!m) return undefined;
    const fields: Field[] = pipeFields(m[3]).map(({ key, raw }) => ({ metric: key, raw, role: NANOTRON_ROLE[key] ?? 'other' }));
    if (!fields.some((f) => f.role === 'train_loss')) return undefined;
    return { step: Number(m[1]), fields };
  },
};

// Hugging Face Trainer's ProgressCallback.on_log writes `str(logs)`, a Python dict repr with single quotes:
// `{'loss': 2.31, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.1}`, `{'eval_loss': …}`, and at the end
// `{'train_runtime': …, 'train_loss': …}` (a whole-run mean, not a curve point). No step is printed: the step is
// the training progress bar's counter (`| 50/1000 [`) that tqdm redraws right after the dict, else the row count
// (tqdm draws on stderr: a log of stdout alone has no bar).
const HF_DICT = /\{'[A-Za-z_][\w/.-]*':[^{}]*\}/;
/**
 * A tqdm bar without a description, as the Trainer's training and evaluation bars are drawn
 * (`{percentage:3.0f}%|{bar}| {n}/{total} [`). Bars with a description (`Map: 40%|…| 2000/5000 [`
 * from datasets, downloads) are other work and say nothing about the step.
 */
// The rank prefix takes its own trailing blanks, so two `\s*` never meet (patternSafety.ts).
const TQDM = /^\s*(?:(?:\[(?:default|rank)\d+\]:|\d+: )\s*)?\d{1,3}%\|[^|]*\|\s*(\d+)\/(\d+)\s*\[/;

/** Parse a Python dict repr of scalars: 'key': number | 'number' | nan | tensor(1.2, …) | np.float64(1.2). */
export function parsePythonDict(text: string): Map<string, string> | undefined {
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) return undefined;
  const out = new Map<string, string>();
  const entry = /\s*(['"])((?:(?!\1)[^\\]|\\.)*)\1\s*:\s*([^,'"()]*(?:\([^()]*\))?|'[^']*'|"[^"]*")\s*(?:,|$)/y;
  const inner = body.slice(1, -1);
  let i = 0;
  while (i < inner.length) {
    if (inner.slice(i).trim() === '') break;
    entry.lastIndex = i;
    const m = entry.exec(inner);
    if (!m) return out.size > 0 ? out : undefined;
    let v = m[3].trim();
    if (v.startsWith("'") || v.startsWith('"')) v = v.slice(1, -1);
    const call = /^[\w.]+\(\s*([^,()]*)/.exec(v);
    if (call) v = call[1];
    out.set(m[2], v.trim());
    i = entry.lastIndex;
  }
  return out;
}

/** An HF row waiting for the progress bar that tqdm redraws right after it (its exact step). */
interface PendingRow {
  fields: Field[];
  line: number;
}

function hfRecord(row: PendingRow, step: number): LineRecord {
  return { step, fields: row.fields, line: row.line };
}

const hfStdout: Framework = {
  id: 'hf-trainer-stdout',
  parse(line, ctx, file, lineNumber) {
    let resolved: LineRecord[] | undefined;
    const bar = TQDM.exec(line);
    // The training bar has the largest total; evaluation bars (batches of the eval set) are smaller.
    if (bar && (ctx.hfBarTotal === undefined || Number(bar[2]) >= ctx.hfBarTotal)) {
      const n = Number(bar[1]);
      ctx.hfBarTotal = Number(bar[2]);
      ctx.hfBarStep = n;
      // tqdm.write clears the bars, prints the dict, then redraws each bar with its current count
      // (tqdm `external_write_mode`), so the first training bar after a row holds the row's global step;
      // the bar before it may lag (tqdm redraws at most every mininterval).
      if (ctx.hfPending.length > 0) {
        resolved = ctx.hfPending.map((row) => hfRecord(row, n));
        ctx.hfPending = [];
      }
      return resolved;
    }
    const d = HF_DICT.exec(line);
    const dict = d ? parsePythonDict(d[0]) : undefined;
    if (dict === undefined && !bar && ctx.hfPending.length > 0 && ctx.hfBarStep !== undefined) {
      // Something else came before the redraw (a warning, a traceback): the rows keep the last count seen.
      resolved = ctx.hfPending.map((row) => hfRecord(row, ctx.hfBarStep!));
      ctx.hfPending = [];
      return resolved;
    }
    if (dict === undefined || dict.has('train_runtime')) return resolved;
    const keys = [...dict.keys()];
    const evalRow = keys.some((k) => k.startsWith('eval_'));
    if (!evalRow && !dict.has('loss') && !keys.some((k) => lossUnitOf(k) !== undefined)) return resolved;
    // `print(dict)` of a hand-written loop names its own step (`{'step': 10, 'loss': 2.3}`): that is the x.
    const stepKey = chooseStepKey(dict.keys());
    const ownStep = stepKey !== undefined ? parseTextNumber(dict.get(stepKey) ?? '') : undefined;
    if (ownStep?.kind === 'number' && Number.isInteger(ownStep.value)) {
      const own: Field[] = [];
      for (const [key, raw] of dict) if (key !== stepKey) own.push({ metric: key, raw });
      return [...(resolved ?? []), { step: ownStep.value, fields: own }];
    }
    const fields: Field[] = [];
    for (const [key, raw] of dict) fields.push({ metric: key, raw });
    const out = resolved ?? [];
    if (ctx.hfBarStep !== undefined) {
      // A row still waiting when the next one arrives keeps the last count seen.
      for (const row of ctx.hfPending) out.push(hfRecord(row, ctx.hfBarStep));
      ctx.hfPending = [{ fields, line: lineNumber }];
      return out;
    }
    let step: number;
    if (evalRow) step = ctx.hfLastStep;
    else {
      step = ++ctx.hfTrainRows;
      if (!ctx.hfImplicitStep) {
        ctx.hfImplicitStep = true;
        ctx.notes.push({
          file,
          line: lineNumber,
          severity: 'info',
          message: 'Trainer stdout prints no step and no progress bar was found: rows are numbered 1, 2, … (multiply by logging_steps for the optimizer step)',
        });
      }
    }
    ctx.hfLastStep = step;
    out.push({ step, fields });
    return out;
  },
};

// PyTorch Lightning's TQDMProgressBar (lightning/pytorch/callbacks/progress/tqdm_progress.py): the
// training bar is described `Epoch {e}` and its postfix holds the progress-bar metrics,
// `[00:30<00:37, 14.8it/s, loss=2.31, v_num=0]` (1.x adds the running `loss`; 2.x shows what
// `self.log(..., prog_bar=True)` logs, e.g. `train_loss_step=2.31`). Redrawn with `\r`; a log of
// stdout+stderr keeps every redraw. The step is the batch count: (epoch − first epoch) × batches
// per epoch + n, n and the total from the bar (the optimizer step when no gradient accumulation).
// NeMo's MegatronProgressBar describes it `Epoch {e}: ` (so `Epoch 0: :  47%|…| 7/15 [… reduced_train_loss=11.50,
// global_step=5.000, …]`) and, with no total known, counts `Epoch 1: : 12it [00:04, …]`: batches summed over
// the epochs seen. NeMo's `global_step` is printed to 3–4 digits (`2e+3`), so the bar's count gives the step.
const LIGHTNING_BAR = /^\s*Epoch (\d+):\s*(?::\s*)?(?:\d{1,3}%\|[^|]*\|\s*(\d+)\/(\d+)|(\d+)it)\s*\[([^\]]*)\]/;
// A name starts at the postfix's start or after a character that cannot be in one: else a long run of
// letters without `=` is tried from every position, each scanning to its end (quadratic; bench/hostile.ts's
// pattern row). No lookbehind: patternSafety.ts's linearity proof does not read one.
const LIGHTNING_POSTFIX = /(?:^|[^\w/.-])([A-Za-z_][\w/.-]*)=([^,\s\]]+)/g;
const lightningTqdm: Framework = {
  id: 'lightning-tqdm',
  parse(line, ctx, file, lineNumber) {
    const m = LIGHTNING_BAR.exec(line);
    if (!m) return undefined;
    const fields: Field[] = [];
    for (const p of m[5].matchAll(LIGHTNING_POSTFIX)) if (p[1] !== 'v_num') fields.push({ metric: p[1], raw: p[2] });
    if (!fields.some((f) => isLossRole(metricRole(f.metric)))) return undefined;
    setAsideRunningLoss(fields, ctx, file, lineNumber);
    const epoch = Number(m[1]);
    if (m[4] !== undefined) {
      const n = Number(m[4]);
      const c = (ctx.lightningCount ??= { epoch, last: 0, before: 0 });
      if (epoch > c.epoch) {
        c.before += c.last;
        c.epoch = epoch;
      }
      c.last = n;
      return { step: c.before + n, fields };
    }
    const first = (ctx.lightningFirstEpoch ??= epoch);
    const total = Number(m[3]);
    return { step: Math.max(0, epoch - first) * total + Number(m[2]), fields };
  },
};

// Lightning 1.x's bar adds `loss`, the mean of the last 20 training-step losses (its
// TensorRunningAccum(window_length=20)): a smoothed curve. When the bar also shows a per-step train
// loss (NeMo 1.x's `reduced_train_loss`, a module's own `train_loss`), that one is the run's loss and
// the running mean is kept as another metric, so fits near an LR drop see the real steps.
function setAsideRunningLoss(fields: Field[], ctx: Context, file: string, lineNumber: number): void {
  const running = fields.find((f) => f.metric === 'loss');
  if (running === undefined) return;
  const perStep = fields.find((f) => f !== running && metricRole(f.metric) === 'train_loss' && !/epoch/i.test(f.metric));
  if (perStep === undefined) return;
  running.role = 'other';
  if (ctx.lightningRunningLossNoted) return;
  ctx.lightningRunningLossNoted = true;
  ctx.notes.push({
    file,
    line: lineNumber,
    severity: 'info',
    message: `Lightning's bar "loss" is a running mean over the last 20 steps: the train loss is "${perStep.metric}", the per-step value beside it`,
  });
}

// Any other trainer: line families learned from the file itself (textLearner.ts), tried last.
const generic: Framework = {
  id: 'generic',
  parse(line, ctx, file, lineNumber) {
    const learner = (ctx.learner ??= new LineFamilyLearner());
    const seen = learner.rules.length;
    const recs = learner.push(line, lineNumber);
    for (const r of learner.rules.slice(seen)) ctx.notes.push({ file, line: r.line, severity: 'info', message: r.message });
    return recs;
  },
};

/** Built-in frameworks, in the order they are tried while a file's framework is not yet known. */
export const FRAMEWORKS: readonly Framework[] = [megatron, nanotron, litgpt, torchtitan, moddedNanogpt, nanogpt, hfStdout, lightningTqdm, generic];

function userFramework(patterns: readonly UserPattern[]): Framework {
  const slow = new Set<number>();
  return {
    id: 'user-pattern',
    parse(whole, ctx, file, lineNumber) {
      const line = whole.length > MAX_USER_LINE_CHARS ? whole.slice(0, MAX_USER_LINE_CHARS) : whole;
      for (const p of patterns) {
        if (slow.has(p.index) || p.literals.some((l) => !line.includes(l))) continue;
        const started = performance.now();
        const g = p.regex.exec(line)?.groups;
        const ms = performance.now() - started;
        if (ms > USER_PATTERN_SLOW_MS) {
          slow.add(p.index);
          ctx.notes.push({
            file,
            line: lineNumber,
            severity: 'warning',
            message: `${TEXT_LOG_PATTERNS_SETTING}[${p.index}] took ${Math.round(ms)} ms on this line and is not used for the rest of the file: avoid quantifiers next to each other that can match the same text (such as \\d+\\s*[\\d.]+)`,
          });
        }
        if (g === undefined || g.step === undefined) continue;
        const step = parseTextNumber(g.step);
        if (step.kind !== 'number') continue;
        const fields: Field[] = [];
        if (g.loss !== undefined) fields.push({ metric: 'loss', raw: g.loss, role: 'train_loss' });
        if (g.eval_loss !== undefined) fields.push({ metric: 'eval_loss', raw: g.eval_loss, role: 'eval_loss' });
        if (g.lr !== undefined) fields.push({ metric: 'lr', raw: g.lr, role: 'lr' });
        if (g.tokens !== undefined) fields.push({ metric: 'tokens', raw: g.tokens, role: 'tokens' });
        if (fields.some((f) => isLossRole(f.role ?? 'other'))) return { step: step.value, fields };
      }
      return undefined;
    },
  };
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
/** torchrun `[default3]:` / `[rank3]:` and `srun -l` / torchrun `--tee` `3: ` prefixes. */
const RANK_PREFIX = /^\s*(?:\[(?:default|rank)(\d+)\]:|(\d+): )/;

export interface TextLogOptions {
  userPatterns?: readonly UserPattern[];
}

/**
 * Incremental reader of one plain-text log. The first line that matches a framework fixes the
 * framework for the file (so a generic pattern of another framework cannot pick up noise later);
 * user patterns are always tried first. Never throws.
 */
export class TextLogReader {
  private framework: Framework | undefined;
  private ctx: Context = newContext();
  private rank: string | undefined;
  private readonly user: Framework | undefined;
  private convertedNoted = new Set<string>();

  constructor(
    readonly file: string,
    options: TextLogOptions = {},
  ) {
    this.user = options.userPatterns && options.userPatterns.length > 0 ? userFramework(options.userPatterns) : undefined;
  }

  /** The framework recognised so far (undefined until a metric line is seen). */
  get detected(): TextFramework | undefined {
    return this.framework?.id;
  }

  /**
   * True when the steps read are HF Trainer stdout row numbers (1, 2, …: no step and no progress bar
   * in the log), not optimizer steps: the index does not merge such a file with a trainer_state.json.
   */
  get rowNumbered(): boolean {
    return this.ctx.hfImplicitStep;
  }

  reset(): void {
    this.framework = undefined;
    this.ctx = newContext();
    this.rank = undefined;
    this.convertedNoted.clear();
  }

  /** Parse complete lines; `firstLineNumber` is the 1-based number of `lines[0]`. */
  push(lines: string[], firstLineNumber: number): ReadResult {
    const out = emptyResult();
    for (let i = 0; i < lines.length; i++) {
      try {
        this.parseLine(lines[i], firstLineNumber + i, out);
      } catch (e) {
        // Defensive: a pattern bug must cost one line, not the file.
        out.diagnostics.push({
          file: this.file,
          line: firstLineNumber + i,
          severity: 'warning',
          message: `line not read: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
    }
    if (this.ctx.notes.length > 0) {
      appendAll(out.diagnostics, this.ctx.notes);
      this.ctx.notes = [];
    }
    return out;
  }

  /** A line without its newline may still be growing ("loss 4.2" of "loss 4.25"): it waits for its newline. */
  peek(_line?: string, _lineNumber?: number): MetricPoint[] {
    return [];
  }

  private parseLine(raw: string, lineNumber: number, out: ReadResult): void {
    if (raw.length === 0) return;
    // Split before cutting: tqdm's redraws make one physical line of many `\r` segments, and the
    // record may be the last of them. U+2028/U+2029 split too: `.` stops there and `$` fails, so
    // `(.*)$` on such a segment would be tried from every start (patternSafety.ts assumes none).
    for (const piece of SEGMENT_BREAK.test(raw) ? raw.split(SEGMENT_BREAK) : [raw]) {
      const cut = piece.length > 2 * MAX_TEXT_LINE_CHARS ? piece.slice(0, 2 * MAX_TEXT_LINE_CHARS) : piece;
      const clean = cut.includes('\x1b') ? cut.replace(ANSI, '') : cut;
      const segment = clean.length > MAX_TEXT_LINE_CHARS ? clean.slice(0, MAX_TEXT_LINE_CHARS) : clean;
      if (segment.trim() === '') continue;
      const rp = RANK_PREFIX.exec(segment);
      const rank = rp ? (rp[1] ?? rp[2]) : undefined;
      if (rank !== undefined && this.rank !== undefined && rank !== this.rank) continue;
      const recs = this.recordsOf(segment, lineNumber);
      if (recs === undefined) {
        // A relaunch that says it resumes: its first steps may go back at once (stepOrder.ts).
        if (RESUME_LINE.test(segment)) (out.resumes ??= []).push({ beforePoint: out.points.length, line: lineNumber });
        continue;
      }
      if (rank !== undefined) this.rank ??= rank;
      for (const rec of Array.isArray(recs) ? recs : [recs]) this.emit(rec, rec.line ?? lineNumber, out);
    }
  }

  private recordsOf(line: string, lineNumber: number): LineRecord[] | LineRecord | undefined {
    if (this.user) {
      const rec = this.user.parse(line, this.ctx, this.file, lineNumber);
      if (rec) return rec;
    }
    if (this.framework !== undefined) return this.framework.parse(line, this.ctx, this.file, lineNumber);
    for (const fw of FRAMEWORKS) {
      const recs = fw.parse(line, this.ctx, this.file, lineNumber);
      if (recs) {
        this.framework = fw;
        return recs;
      }
    }
    return undefined;
  }

  private emit(rec: LineRecord, line: number, out: ReadResult): void {
    if (!Number.isFinite(rec.step) || rec.step < 0) return;
    const step = rec.step;
    let tokens: number | undefined;
    const numbers: { field: Field; value: number }[] = [];
    for (const field of rec.fields) {
      const role = field.role ?? metricRole(field.metric);
      const n = parseTextNumber(field.raw);
      if (n.kind === 'number') {
        numbers.push({ field: { ...field, role }, value: n.value });
        if (role === 'tokens') tokens = n.value;
      } else if (n.kind === 'nonfinite' && isLossRole(role)) {
        out.nonFinite.push({ metric: field.metric, role, step, line });
        out.diagnostics.push({
          file: this.file,
          line,
          severity: 'error',
          message: `${field.metric} is ${n.text} at step ${step} (loss went non-finite; run diverged); value dropped`,
        });
      } else if (n.kind === 'none' && isLossRole(role)) {
        out.diagnostics.push({ file: this.file, line, severity: 'warning', message: `${field.metric} is not a number: "${shorten(field.raw, 40)}"` });
      }
    }
    const lossRoles = new Set<MetricRole>();
    for (const { field } of numbers) if (field.role !== undefined && isLossRole(field.role)) lossRoles.add(field.role);
    for (const { field, value } of numbers) {
      const p: MetricPoint = { metric: field.metric, step, value, role: field.role, line };
      if (tokens !== undefined) p.tokens = tokens;
      out.points.push(p);
      // A perplexity or bits metric stands in for the loss only when the line has no loss of that role.
      const unit = field.role === 'other' ? lossUnitOf(field.metric) : undefined;
      if (unit === undefined) continue;
      if (unit.logged === 'bits/byte') {
        p.unit = 'bits/byte';
        continue;
      }
      if (lossRoles.has(unit.role)) continue;
      const nats = toNats(value, unit.logged);
      if (nats === undefined) continue;
      const converted: MetricPoint = { metric: `${field.metric} (as nats)`, step, value: nats.value, role: unit.role, unit: nats.unit, line };
      if (tokens !== undefined) converted.tokens = tokens;
      out.points.push(converted);
      this.noteConversion(field.metric, nats.unit, line, out);
    }
  }

  private noteConversion(metric: string, unit: MetricUnit, line: number, out: ReadResult): void {
    if (this.convertedNoted.has(metric)) return;
    this.convertedNoted.add(metric);
    const how = unit === 'nats from perplexity' ? 'ln(perplexity)' : 'bits × ln 2';
    out.diagnostics.push({
      file: this.file,
      line,
      severity: 'info',
      message: `${metric} has no loss beside it: read as a loss in nats via ${how} ("${metric} (as nats)")`,
    });
  }
}

function newContext(): Context {
  return { hfTrainRows: 0, hfImplicitStep: false, hfLastStep: 0, hfPending: [], notes: [] };
}

/**
 * Bytes of a text file a sniff reads to tell whether it is a trainer log: every line in them is
 * looked at, since a launch can print thousands of lines (argument dumps, NCCL INFO from every rank)
 * before its first metric line.
 */
export const TEXT_SNIFF_BYTES = 1024 * 1024;

/**
 * Which framework wrote these first lines of a file, or undefined when none of its lines is a
 * metric line of any known framework or user pattern. Stops at the first one found.
 */
export function sniffTextLog(lines: readonly string[], options: TextLogOptions = {}): TextFramework | undefined {
  const reader = new TextLogReader('(sniff)', options);
  const chunk = 256;
  for (let i = 0; i < lines.length; i += chunk) {
    const res = reader.push(lines.slice(i, i + chunk), i + 1);
    if (reader.detected !== undefined) return reader.detected;
    if (res.points.length > 0 || res.nonFinite.length > 0) return 'user-pattern';
  }
  return undefined;
}

/** Names of text logs, as trainers and schedulers write them. */
export function isTextLogName(baseName: string): boolean {
  const b = baseName.toLowerCase();
  return b.startsWith('stdout') || b.startsWith('stderr') || b.endsWith('.log') || b.endsWith('.out') || b.endsWith('.txt') || b.startsWith('slurm-');
}

/** Whether a path is a text log by its name (W&B's own copies inside run folders are sorted out by the index). */
export function isTextLogPath(filePath: string): boolean {
  const parts = filePath.split(/[\\/]/);
  return isTextLogName(parts[parts.length - 1] ?? '');
}

/**
 * Names that say nothing about the run (`train.log`, `stdout`, `log.txt`): such a log is its
 * directory's run. Any other text log (`slurm-1234.out`, `run_350m.log`) is a run of its own.
 */
export function isGenericTextLogName(baseName: string): boolean {
  return /^(?:stdout|stderr|std(?:out|err)\.(?:log|txt)|(?:train|training|run|output|out|log|logs|console)\.(?:log|txt|out))$/i.test(baseName);
}

/**
 * The built-in line patterns, for the linearity tests (patternSafety.ts, runs-patternSafety.test.ts).
 * Left out: the HF dict entry tokenizer in parseHfDict (a sticky pattern with a back-reference for
 * the quote, run only on a line already matched by HF_DICT and cut to MAX_TEXT_LINE_CHARS).
 */
export const BUILT_IN_TEXT_PATTERNS: Readonly<Record<string, RegExp>> = {
  NANOGPT_TOKENS,
  NANOGPT_ITER,
  NANOGPT_EVAL,
  NANOGPT_TIME,
  NANOGPT_MFU,
  NANOGPT_LR,
  MODDED,
  MODDED_FIELD,
  MEGATRON_ITER,
  MEGATRON_VALID,
  TITAN,
  TITAN_FIELD,
  LITGPT_TRAIN,
  LITGPT_VAL,
  NANOTRON,
  HF_DICT,
  TQDM,
  LIGHTNING_BAR,
  LIGHTNING_POSTFIX,
  RESUME_LINE,
  ANSI,
  RANK_PREFIX,
};
