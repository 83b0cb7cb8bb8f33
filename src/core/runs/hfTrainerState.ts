import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { MetricPoint, MetricRole } from './types';
import { coerceNumber, isLossRole, isPlainObject, metricRole, sanitizeNonFiniteJson, type ReadResult } from './common';

/** Facts from a Hugging Face `trainer_state.json` besides the curve points. */
export interface TrainerStateInfo {
  globalStep?: number;
  /** Planned last step (`max_steps`), when > 0. */
  maxSteps?: number;
  /** Top-level `num_input_tokens_seen`, when > 0 (0 means the option was off). */
  numInputTokensSeen?: number;
  /** `train_batch_size`: PER DEVICE; global = × grad-accum × world size, which this file does not hold. */
  trainBatchSizePerDevice?: number;
  loggingSteps?: number;
  totalFlos?: number;
  numTrainEpochs?: number;
  /** The final summary row (`train_loss`, `train_runtime`, `total_flos`, ...), when training ended. */
  summary?: Record<string, number>;
  /** True when the summary row is present (the Trainer finished). */
  finished: boolean;
  /** True when the document was cut short or invalid and only its complete parts were used. */
  partial: boolean;
}

export interface TrainerStateResult extends ReadResult {
  info: TrainerStateInfo;
}

const TOKENS_KEY = 'num_input_tokens_seen';

function hfRole(key: string): MetricRole {
  if (key === 'loss') return 'train_loss';
  if (key === 'eval_loss') return 'eval_loss';
  // A Trainer given a dict of eval datasets prefixes each one's metrics `eval_{name}_` (Trainer.evaluate's
  // metric_key_prefix), so `eval_{name}_loss` is an eval loss too, unless the vocabulary calls
  // `{name}_loss` a part of the loss (`eval_aux_loss`, `eval_z_loss`: a compute_metrics extra).
  if (key.startsWith('eval_') && key.endsWith('_loss') && key.length > 'eval__loss'.length)
    return metricRole(key.slice('eval_'.length)) === 'other' ? 'other' : 'eval_loss';
  if (key === 'learning_rate') return 'lr';
  if (key === TOKENS_KEY) return 'tokens';
  return metricRole(key) === 'train_loss' || metricRole(key) === 'eval_loss' ? 'other' : metricRole(key);
}

function isSummaryRow(row: Record<string, unknown>): boolean {
  return 'train_runtime' in row || ('train_loss' in row && 'total_flos' in row && !('loss' in row));
}

function num(v: unknown): number | undefined {
  const c = coerceNumber(v, false);
  return c.kind === 'number' ? c.value : undefined;
}

/** Line starts of a text, for offset → line. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Parse a whole `trainer_state.json`. Never throws. A truncated or invalid document gives ONE diagnostic
 * (with its line) and the complete `log_history` rows before the error are still used.
 * Train rows (`loss`, `learning_rate`, `grad_norm`, ...) and eval rows (`eval_*`) become points;
 * the final summary row (`train_loss`, `train_runtime`, `total_flos`) is not a curve point; rows
 * without a `step` (predict rows) are skipped.
 */
export function parseTrainerState(text: string, file: string): TrainerStateResult {
  const result: TrainerStateResult = { points: [], diagnostics: [], nonFinite: [], info: { finished: false, partial: false } };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    // Caught between the Trainer's truncate and its write (a save in progress), or left so by a crash:
    // said as what it is, not as a JSON error at line 1.
    result.info.partial = true;
    result.diagnostics.push({
      file,
      line: 1,
      severity: 'warning',
      message: `trainer_state.json is empty (${text.length} bytes): no rows yet; it is read again when it changes`,
    });
    return result;
  }
  // Nearly every file is plain JSON: JSON.parse is ~5× cheaper than the tree parse. The tree parse
  // stays the one path for anything that needs a line (an invalid document, a non-finite value, an odd
  // shape), so every diagnostic is the same as before.
  const fast = parseTrainerStateFast(body, file);
  if (fast !== undefined) return fast;
  const sanitized = sanitizeNonFiniteJson(body);
  const starts = lineStarts(sanitized);
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(sanitized, errors, { allowTrailingComma: false, disallowComments: true });
  } catch (e) {
    result.diagnostics.push({ file, severity: 'error', message: `cannot parse trainer_state.json: ${e instanceof Error ? e.message : String(e)}` });
    return result;
  }
  // Only nodes that end before the first error are trusted.
  let limit = Infinity;
  if (errors.length > 0) {
    const first = errors[0];
    limit = first.offset;
    const atEnd = first.offset >= sanitized.trimEnd().length;
    result.info.partial = true;
    result.diagnostics.push({
      file,
      line: lineAt(starts, first.offset),
      offset: sanitized === body ? first.offset : undefined,
      severity: 'error',
      message: `${atEnd ? 'truncated' : 'invalid'} JSON (${printParseErrorCode(first.error)}${errors.length > 1 ? `, ${errors.length} errors` : ''}); only the complete rows before it are used`,
    });
  }
  const complete = (n: Node): boolean => n.offset + n.length <= limit;
  if (root === undefined || root.type !== 'object') {
    if (errors.length === 0) result.diagnostics.push({ file, line: 1, severity: 'error', message: 'trainer_state.json is not a JSON object' });
    return result;
  }
  let history: Node | undefined;
  const top: Record<string, unknown> = {};
  for (const prop of root.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (keyNode === undefined || valueNode === undefined || typeof keyNode.value !== 'string') continue;
    if (keyNode.value === 'log_history') history = valueNode;
    else if (complete(valueNode) && valueNode.type !== 'object' && valueNode.type !== 'array') top[keyNode.value] = getNodeValue(valueNode);
  }
  const info = result.info;
  fillInfo(info, top);

  if (history === undefined) {
    if (errors.length === 0) result.diagnostics.push({ file, severity: 'warning', message: 'trainer_state.json has no log_history' });
    return result;
  }
  if (history.type !== 'array') {
    result.diagnostics.push({ file, line: lineAt(starts, history.offset), severity: 'error', message: 'log_history is not an array' });
    return result;
  }
  const lossPoints: MetricPoint[] = [];
  for (const rowNode of history.children ?? []) {
    if (!complete(rowNode)) break;
    addRow(getNodeValue(rowNode), file, result, lossPoints, () => lineAt(starts, rowNode.offset));
  }
  finish(result, file, lossPoints);
  return result;
}

/** The top-level keys read into TrainerStateInfo. */
const INFO_KEYS = ['global_step', 'max_steps', TOKENS_KEY, 'train_batch_size', 'logging_steps', 'total_flos', 'num_train_epochs'];

function fillInfo(info: TrainerStateInfo, top: Record<string, unknown>): void {
  info.globalStep = num(top.global_step);
  const maxSteps = num(top.max_steps);
  if (maxSteps !== undefined && maxSteps > 0) info.maxSteps = maxSteps;
  const tokensSeen = num(top[TOKENS_KEY]);
  if (tokensSeen !== undefined && tokensSeen > 0) info.numInputTokensSeen = tokensSeen;
  info.trainBatchSizePerDevice = num(top.train_batch_size);
  info.loggingSteps = num(top.logging_steps);
  info.totalFlos = num(top.total_flos);
  info.numTrainEpochs = num(top.num_train_epochs);
  for (const k of Object.keys(info) as (keyof TrainerStateInfo)[]) if (info[k] === undefined) delete info[k];
}

/**
 * One `log_history` row into points (or the summary). A non-finite value needs the row's line: `lineOfRow`
 * gives it, or, when absent (the JSON.parse path, which has no offsets), the row returns false and the
 * caller falls back to the tree parse.
 */
function addRow(row: unknown, file: string, result: TrainerStateResult, lossPoints: MetricPoint[], lineOfRow: (() => number) | undefined): boolean {
  if (!isPlainObject(row)) return true;
  const info = result.info;
  if (isSummaryRow(row)) {
    const summary: Record<string, number> = {};
    for (const [k, v] of Object.entries(row)) {
      const n = num(v);
      if (n !== undefined) summary[k] = n;
    }
    info.summary = summary;
    info.finished = true;
    return true;
  }
  const step = num(row.step);
  if (step === undefined) return true; // predict rows carry no step
  const rowTokens = num(row[TOKENS_KEY]);
  const tokens = rowTokens !== undefined && rowTokens > 0 ? rowTokens : undefined;
  for (const [key, raw] of Object.entries(row)) {
    if (key === 'step') continue;
    const role = hfRole(key);
    const c = coerceNumber(raw, role !== 'other');
    if (c.kind === 'number') {
      if (key === TOKENS_KEY && c.value <= 0) continue;
      const p: MetricPoint = { metric: key, step, value: c.value, role };
      if (tokens !== undefined) p.tokens = tokens;
      result.points.push(p);
      if (key === 'loss') lossPoints.push(p);
    } else if (c.kind === 'nonfinite') {
      if (lineOfRow === undefined) return false;
      const line = lineOfRow();
      const loss = isLossRole(role);
      result.nonFinite.push({ metric: key, role, step, line });
      result.diagnostics.push({
        file,
        line,
        severity: loss ? 'error' : 'warning',
        message: `${key} is ${c.text} at step ${step}${loss ? ' (loss went non-finite; run diverged)' : ''}; value dropped`,
      });
    }
  }
  return true;
}

/** After the rows: roles that depend on the whole history. */
function finish(result: TrainerStateResult, file: string, lossPoints: MetricPoint[]): void {
  // With the plain `eval_loss` present the eval set is one dataset, and `eval_{name}_loss` is a
  // compute_metrics extra (`eval_lm_loss` would otherwise outrank it as a named cross-entropy).
  if (result.points.some((p) => p.metric === 'eval_loss'))
    for (const p of result.points) if (p.role === 'eval_loss' && p.metric !== 'eval_loss') p.role = 'other';
  // RL trainers (TRL GRPO, ...) may log loss 0.0 throughout: that is not a loss curve.
  if (lossPoints.length > 0 && lossPoints.every((p) => p.value === 0)) {
    for (const p of lossPoints) p.role = 'other';
    result.diagnostics.push({ file, severity: 'info', message: '`loss` is 0 in every row (an RL trainer?); not treated as a loss curve' });
  }
}

/**
 * The common case read with JSON.parse: a valid document, an object with a `log_history` array, no
 * non-finite value. Undefined for anything else, which the tree parse reads (it has the offsets the
 * diagnostics' lines come from). Same result as the tree parse where it answers: both keep the last of
 * duplicate keys, both read numbers as `Number()` does, and a read key whose last value is an object or
 * array (which the tree parse skips for an earlier scalar) falls back.
 */
function parseTrainerStateFast(body: string, file: string): TrainerStateResult | undefined {
  // Bare NaN/Infinity are not JSON; a sentinel string would need its row's line.
  if (body.includes('NaN') || body.includes('Infinity')) return undefined;
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isPlainObject(root)) return undefined;
  const history = root.log_history;
  if (!Array.isArray(history)) return undefined;
  for (const k of INFO_KEYS) {
    const v = root[k];
    if (v !== null && typeof v === 'object') return undefined;
  }
  const result: TrainerStateResult = { points: [], diagnostics: [], nonFinite: [], info: { finished: false, partial: false } };
  fillInfo(result.info, root);
  const lossPoints: MetricPoint[] = [];
  for (const row of history as unknown[]) if (!addRow(row, file, result, lossPoints, undefined)) return undefined;
  finish(result, file, lossPoints);
  return result;
}
