// Shared by the non-JSON config readers: values with their source ranges, checks that report the
// line, and the arithmetic every format shares (tokens/step = global batch × sequence length,
// D = steps × tokens/step, parameter counts).
import type { Diagnostic } from '../diagnostics';
import { countDecoderParams, formatCount, type BlockStyle } from './hfConfig';
import { lineAt } from './json';
import type { ConfigReadResult, ModelArchitecture, TrainingPlan, ValueSource } from './types';
import { excerpt } from '../excerpt';

/** A value as a reader found it: the parsed value and the character range of its text. */
export interface Found {
  value: unknown;
  range?: { start: number; end: number };
  /** How the value was reached when not written in place (an interpolation, a default). */
  via?: string;
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  exclusiveMin?: number;
}

/** Thousands-grouped integers, plain decimals otherwise. */
export function fmt(n: number): string {
  return Number.isInteger(n) ? formatCount(n) : String(n);
}

/** Parses numbers written as numbers or numeric strings ("6e-4", "1_000"). */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\s*[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return Number(v.replace(/_/g, ''));
  return undefined;
}

export class PlanBuilder {
  readonly sources: Record<string, ValueSource> = {};
  readonly notes: string[] = [];
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
    readonly format: string,
  ) {}

  line(at?: Found): number | undefined {
    return at?.range ? lineAt(this.text, at.range.start) : undefined;
  }

  error(message: string, at?: Found): undefined {
    const d: Diagnostic = { file: this.file, severity: 'error', message };
    const line = this.line(at);
    if (line !== undefined) d.line = line;
    this.diagnostics.push(d);
    return undefined;
  }

  warn(message: string, at?: Found): void {
    const d: Diagnostic = { file: this.file, severity: 'warning', message };
    const line = this.line(at);
    if (line !== undefined) d.line = line;
    this.diagnostics.push(d);
  }

  source(at: Found, note?: string): ValueSource {
    const s: ValueSource = { file: this.file };
    if (at.range) s.range = { ...at.range };
    const n = note ?? at.via;
    if (n !== undefined) s.note = n;
    return s;
  }

  /** Records where a plan field came from. */
  from(path: string, at: Found, note?: string): void {
    this.sources[path] = this.source(at, note);
  }

  derived(path: string, note: string, at?: Found): void {
    this.sources[path] = { ...(at ? this.source(at) : { file: this.file }), note: `derived: ${note}` };
  }

  assumed(path: string, note: string): void {
    this.sources[path] = { file: this.file, note: `assumed: ${note}` };
  }

  /** A number under the rule, or an error naming the key and its line (undefined when absent). */
  num(at: Found | undefined, key: string, rule: NumberRule = {}): number | undefined {
    if (at === undefined || at.value === undefined || at.value === null) return undefined;
    const v = asNumber(at.value);
    let problem: string | undefined;
    if (typeof at.value === 'number' && !Number.isFinite(at.value) && at.range)
      problem = `: ${excerpt(this.text.slice(at.range.start, at.range.end), 30)} is too large`;
    else if (v === undefined || !Number.isFinite(v)) problem = `must be a number (found ${excerpt(JSON.stringify(at.value) ?? String(at.value), 40)})`;
    else if (rule.integer && !Number.isInteger(v)) problem = `must be a whole number (found ${v})`;
    else if (rule.min !== undefined && v < rule.min) problem = `must be at least ${rule.min} (found ${v})`;
    else if (rule.exclusiveMin !== undefined && v <= rule.exclusiveMin) problem = `must be greater than ${rule.exclusiveMin} (found ${v})`;
    if (problem !== undefined || v === undefined) return this.error(`"${key}"${problem?.startsWith(':') ? '' : ' '}${problem ?? 'is invalid'}`, at);
    return v;
  }

  /** A positive whole number recorded at `path`, or the default (noted as assumed) when absent. */
  count(at: Found | undefined, key: string, path: string, fallback?: { value: number; note: string }): number | undefined {
    const v = this.num(at, key, { integer: true, min: 1 });
    if (v !== undefined && at) {
      this.from(path, at);
      return v;
    }
    if (at !== undefined && at.value !== undefined && at.value !== null) return undefined; // invalid: reported
    if (fallback) {
      this.assumed(path, fallback.note);
      return fallback.value;
    }
    return undefined;
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** The first error as a result message, `file:line: message`. */
  errorResult(): ConfigReadResult {
    const first = this.diagnostics.find((d) => d.severity === 'error');
    const where = first?.line !== undefined ? `${this.file}:${first.line}` : this.file;
    return { kind: 'error', message: `${where}: ${first?.message ?? 'invalid config'}`, diagnostics: this.diagnostics };
  }

  notApplicable(reason: string): ConfigReadResult {
    return { kind: 'not-applicable', reason, diagnostics: this.diagnostics };
  }
}

/** The training side of a plan, as a reader found it, before the shared arithmetic. */
export interface TrainingInput {
  /** Global batch in sequences (all data-parallel ranks, after accumulation), with how it was derived. */
  batchSeqs?: { value: number; note: string };
  /** Tokens per optimizer step when the config states it directly. */
  tokensPerStep?: number;
  seqLen?: number;
  steps?: number;
  tokens?: number;
}

/** Shape checks shared by the readers: heads divide the width, kv heads divide the heads. */
export function checkShape(b: PlanBuilder, arch: ModelArchitecture, at: { heads?: Found; kvHeads?: Found }): boolean {
  if (arch.headDim === undefined && arch.dModel % arch.nHead !== 0) {
    b.error(`the width (${arch.dModel}) is not divisible by the number of heads (${arch.nHead})`, at.heads);
    return false;
  }
  if (arch.nKvHead !== undefined && arch.nHead % arch.nKvHead !== 0) {
    b.error(`the number of heads (${arch.nHead}) is not a multiple of the key/value heads (${arch.nKvHead})`, at.kvHeads);
    return false;
  }
  return true;
}

/**
 * Counts the parameters, derives tokens/step, D and steps, and returns the plan (or the first
 * error). `plan` carries the fields the reader set directly (LR, schedule, GPUs, …).
 */
export function finishPlan(
  b: PlanBuilder,
  arch: ModelArchitecture,
  style: BlockStyle,
  training: TrainingInput,
  plan: Partial<TrainingPlan> = {},
): ConfigReadResult {
  if (b.hasErrors()) return b.errorResult();
  const count = countDecoderParams(arch, style);
  b.sources['params.total'] = { file: b.file, note: `derived: ${count.formula} = ${formatCount(count.total)}` };
  b.sources['params.nonEmbedding'] = {
    file: b.file,
    note: `derived: total − vocabulary${arch.learnedPositions ? ' and position' : ''} embeddings = ${formatCount(count.nonEmbedding)} (Kaplan et al. 2020 convention)`,
  };
  const out: TrainingPlan = {
    ...plan,
    params: { total: count.total, nonEmbedding: count.nonEmbedding },
    architecture: arch,
    format: b.format,
    sources: b.sources,
    notes: b.notes,
  };
  if (count.active !== undefined && count.activeNonEmbedding !== undefined) {
    out.params.active = count.active;
    out.params.activeNonEmbedding = count.activeNonEmbedding;
  }
  if (training.seqLen !== undefined) out.seqLen = training.seqLen;
  if (training.tokensPerStep !== undefined) out.tokensPerStep = training.tokensPerStep;
  else if (training.batchSeqs !== undefined && training.seqLen !== undefined) {
    out.tokensPerStep = training.batchSeqs.value * training.seqLen;
    b.derived('tokensPerStep', `${training.batchSeqs.note} × sequence length ${fmt(training.seqLen)} = ${fmt(out.tokensPerStep)}`);
  }
  if (training.steps !== undefined) out.maxSteps = training.steps;
  if (training.tokens !== undefined) {
    out.tokens = training.tokens;
    if (out.maxSteps === undefined && out.tokensPerStep !== undefined) {
      out.maxSteps = Math.ceil(training.tokens / out.tokensPerStep);
      b.derived('maxSteps', `⌈tokens / tokens per step⌉ = ${fmt(out.maxSteps)}`);
    }
  } else if (out.maxSteps !== undefined && out.tokensPerStep !== undefined) {
    out.tokens = out.maxSteps * out.tokensPerStep;
    b.derived('tokens', `steps ${fmt(out.maxSteps)} × ${fmt(out.tokensPerStep)} tokens/step = ${fmt(out.tokens)}`);
  } else {
    b.notes.push('Training tokens unknown: the config gives no training length in steps or tokens.');
  }
  if (out.schedule?.warmupSteps !== undefined && out.maxSteps !== undefined && out.schedule.warmupSteps >= out.maxSteps) {
    b.notes.push(`Warmup (${fmt(out.schedule.warmupSteps)} steps) is as long as the run (${fmt(out.maxSteps)} steps): the LR never reaches its peak.`);
  }
  return { kind: 'plan', plan: out, diagnostics: b.diagnostics };
}
