// The generic learner for text logs no built-in trainer pattern knows (textLog.ts tries it last).
//
// Each line is cut into keyed numbers: a number with the words just before it (`loss: 2.31`,
// `train loss 2.31`, `'loss': 2.31`, `trl:2.31`, `Step [100/1000]`). A line's keys in order are its
// family. A family is a series when it repeats with a step counter that never goes back and a
// loss named by the shared vocabulary (vocabulary.ts, plus the abbreviations of from-scratch
// trainers below): at least MIN_FAMILY_LINES lines with at least MIN_RISES rises of the step
// and a loss that is not constant. Lines holding only a step counter (`[batch=3/100]:`,
// `[step=3/739328]`) head the indented `key: value` lines below them (Composer, OLMo). A header of
// column names followed by rows of numbers is a small table. Prose and code never qualify: a key
// holding a stop word (`of`, `is`, `the`, …) or code punctuation is not a key, and one-off lines
// never repeat as a family.
//
// Work per line is bounded: lines are cut (textLog.ts), at most MAX_NUMBERS numbers are looked at,
// and every regular expression here is linear (no nested or adjacent overlapping quantifiers).
import { readMetricName, stepKeyReading } from './vocabulary';
import type { MetricRole } from './types';

/** A field of a learned record (what textLog.ts turns into points). */
export interface LearnedField {
  metric: string;
  raw: string;
  role: MetricRole;
}

export interface LearnedRecord {
  step: number;
  fields: LearnedField[];
  line: number;
}

const MIN_FAMILY_LINES = 4;
const MIN_RISES = 3;
const MAX_NUMBERS = 48;
const MAX_FAMILIES = 64;
/** Lines of a family held back until it qualifies. */
const MAX_PENDING = 16;
/** A step header applies to the keyed lines this close below it. */
const HEADER_REACH = 60;

// A number: digits with an optional fraction and exponent, or a bare fraction. Each piece is one
// quantified class separated by a literal, so a run of digits has one way to match.
const NUMBER = /[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?/g;
/** Characters between a key and its number (`loss: `, `lr=`, `Step [`, `'loss': `). */
const KEY_TAIL_CHARS = new Set([' ', '\t', ':', '=', '[', '(', '#', "'", '"']);
const HARD_SEPARATORS = /[,|;{}()[\]<>'"\t]/;
const WORD = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const UNIT_AFTER = /[A-Za-z%_]/;
const NAME_CHAR = /[A-Za-z0-9_.]/;
const DIGITS = /^\d+$/;
const PROGRESS_TOTAL = /^\/\s?(\d+)/;
const EPOCH_KEY = /^epochs?$/i;
const CELL_NUMBER = /^[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const CELL_NON_FINITE = /^(?:nan|inf)$/i;
const PPL_KEY = /^(?:ppl|perplexity)$/i;
const TABLE_EDGES = /^\||\|$/g;

/** Every pattern of the learner, for the linearity test (no nested or alternated repetition). */
export const LEARNER_PATTERNS: readonly RegExp[] = [
  NUMBER,
  HARD_SEPARATORS,
  WORD,
  UNIT_AFTER,
  NAME_CHAR,
  DIGITS,
  PROGRESS_TOTAL,
  EPOCH_KEY,
  CELL_NUMBER,
  CELL_NON_FINITE,
  PPL_KEY,
  TABLE_EDGES,
];
const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'of',
  'to',
  'in',
  'on',
  'at',
  'by',
  'for',
  'from',
  'with',
  'is',
  'was',
  'are',
  'were',
  'be',
  'been',
  'and',
  'or',
  'than',
  'about',
  'around',
  'after',
  'before',
  'we',
  'our',
  'this',
  'that',
  'which',
  'reached',
  'achieved',
  'got',
  'gets',
  'get',
  'has',
  'have',
  'had',
  'went',
  'down',
  'up',
  'only',
  'if',
  'return',
  'def',
  'print',
  'range',
  'self',
  'import',
  'else',
  'elif',
  'while',
  'lambda',
  'assert',
  'yield',
  'const',
  'let',
  'var',
]);

/** Abbreviations from-scratch trainers print (modded-nanogpt `s:`, `trl:`, `tel:`; llm.c `trl`, `tel`). */
const ABBREVIATIONS: Record<string, { role: MetricRole | 'step'; rule: string }> = {
  s: { role: 'step', rule: 'step (abbreviated "s")' },
  trl: { role: 'train_loss', rule: 'train loss (abbreviated "trl")' },
  tl: { role: 'train_loss', rule: 'train loss (abbreviated "tl")' },
  tel: { role: 'eval_loss', rule: 'eval loss (abbreviated "tel")' },
  vl: { role: 'eval_loss', rule: 'eval loss (abbreviated "vl")' },
  vll: { role: 'eval_loss', rule: 'eval loss (abbreviated "vll")' },
};
/** Step words of text logs beyond the vocabulary's keys (Composer's `batch`, fairseq's `num_updates`, capitalised forms). */
const TEXT_STEP_WORDS = new Set([
  'step',
  'steps',
  'iter',
  'iteration',
  'it',
  'global_step',
  'global step',
  'num_updates',
  'updates',
  'update',
  'iter_num',
  'batch',
  'micro_step',
]);

interface KeyedNumber {
  key: string;
  raw: string;
  /** `N/M` progress form: the total M. */
  total?: string;
  /** Digits only (a step counter candidate). */
  integer: boolean;
}

/** The words just before a number, as a key; undefined when they are not a key (prose, code, nothing). */
function keyBefore(prefix: string): string | undefined {
  let cut = prefix.length;
  while (cut > 0 && KEY_TAIL_CHARS.has(prefix[cut - 1])) cut--;
  if (cut === 0) return undefined;
  const tail = prefix.slice(Math.max(0, cut - 80), cut);
  let start = tail.length;
  // Back to the last hard separator or ':' / '=' (the key is what follows it).
  for (let i = tail.length - 1; i >= 0 && tail.length - i <= 60; i--) {
    const c = tail[i];
    if (HARD_SEPARATORS.test(c) || c === ':' || c === '=') break;
    start = i;
  }
  const words = tail.slice(start).trim().split(/\s+/);
  if (words.length === 0 || words.length > 3) return words.length > 3 ? keyOfLastWords(words) : undefined;
  for (const w of words) if (!WORD.test(w) || STOP_WORDS.has(w.toLowerCase())) return undefined;
  return words.join(' ');
}

/** More than three words before a number: only the last two may be the key (`epoch 1 train loss`). */
function keyOfLastWords(words: string[]): string | undefined {
  const last = words.slice(-2);
  for (const w of last) if (!WORD.test(w) || STOP_WORDS.has(w.toLowerCase())) return undefined;
  // A sentence: a stop word among the words before the key.
  if (words.slice(-4, -2).some((w) => STOP_WORDS.has(w.toLowerCase()))) return undefined;
  return last.join(' ');
}

/** The keyed numbers of one line, in order. */
export function keyedNumbers(line: string): KeyedNumber[] {
  const out: KeyedNumber[] = [];
  let prevEnd = 0;
  let count = 0;
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(line); m !== null && count < MAX_NUMBERS; m = NUMBER.exec(line), count++) {
    const start = m.index;
    const end = start + m[0].length;
    const prefix = line.slice(prevEnd, start);
    prevEnd = end;
    const next = line[end];
    // A number glued to letters or % is a quantity with a unit (`300ms`, `4.2GiB`, `25%`), or part of a name.
    if (next !== undefined && UNIT_AFTER.test(next)) continue;
    if (start > 0 && NAME_CHAR.test(line[start - 1]) && m[0][0] !== '-' && m[0][0] !== '+') continue;
    const key = keyBefore(prefix);
    if (key === undefined) continue;
    const kn: KeyedNumber = { key, raw: m[0], integer: DIGITS.test(m[0]) };
    if (next === '/') {
      const total = PROGRESS_TOTAL.exec(line.slice(end, end + 24));
      if (total) kn.total = total[1];
    }
    out.push(kn);
  }
  return out;
}

type KeyKind = { role: MetricRole | 'step'; rank: number; rule: string };

const kindCache = new Map<string, KeyKind>();

/** What a key is: a step counter, a loss, lr, tokens or other (the vocabulary, then text abbreviations). */
function kindOf(key: string): KeyKind {
  let k = kindCache.get(key);
  if (k !== undefined) return k;
  const lower = key.toLowerCase();
  const abbr = ABBREVIATIONS[lower];
  if (abbr !== undefined) k = { role: abbr.role, rank: 0, rule: abbr.rule };
  else if (stepKeyReading(lower) !== undefined || TEXT_STEP_WORDS.has(lower))
    k = { role: 'step', rank: stepKeyReading(lower)?.rank ?? 2, rule: `step counter "${key}"` };
  else {
    const r = readMetricName(key);
    k = { role: r.role, rank: r.rank, rule: r.rule };
  }
  if (kindCache.size > 4096) kindCache.clear();
  kindCache.set(key, k);
  return k;
}

/**
 * A key of several words whose whole is unknown may end in a known one (`INFO step`, `| train
 * loss`): the longest known tail wins and names the metric.
 */
function resolveKey(key: string): { key: string; kind: KeyKind } {
  const whole = kindOf(key);
  if (whole.role !== 'other' || !key.includes(' ')) return { key, kind: whole };
  const words = key.split(' ');
  for (let n = words.length - 1; n >= 1; n--) {
    const tail = words.slice(-n).join(' ');
    const k = kindOf(tail);
    if (k.role !== 'other') return { key: tail, kind: k };
  }
  return { key, kind: whole };
}

interface Family {
  signature: string;
  stepIndex: number;
  lines: number;
  rises: number;
  lastStep?: number;
  firstLoss?: string;
  lossVaries: boolean;
  pending: LearnedRecord[];
  accepted: boolean;
  /** Epoch-local steps (`Epoch [2/10], Step [100/500]`): the epoch key and the steps per epoch. */
  epochKey?: number;
  stepsPerEpoch?: number;
  firstEpoch?: number;
}

/** The perplexity a line prints beside its loss, if any. */
function perplexityOnLine(nums: KeyedNumber[]): number | undefined {
  const p = nums.find((n) => PPL_KEY.test(n.key.split(/[\s_/]/).pop() ?? ''));
  const v = p ? Number(p.raw) : NaN;
  return Number.isFinite(v) && v > 1 ? v : undefined;
}

/** Whether a loss is in bits by its perplexity: 2^loss matches it and e^loss does not. */
function inBits(loss: number, ppl: number): boolean {
  const near = (a: number) => Math.abs(a / ppl - 1) < 0.02;
  return loss > 0.05 && near(2 ** loss) && !near(Math.exp(loss));
}

/** What the learner found, once: the rule that matched, for a diagnostic. */
export interface LearnedRule {
  line: number;
  message: string;
}

/**
 * Incremental learner for one file. `push` returns the records a line completes (all the held-back
 * lines of a family the moment it qualifies), or undefined.
 */
export class LineFamilyLearner {
  private readonly families = new Map<string, Family>();
  private header: { step: number; line: number; key: string } | undefined;
  private table: { columns: string[]; stepColumn: number; delimiter: RegExp; rows: number } | undefined;
  /** Set once some family qualified: the file is a log, and a new family with a step and a loss is taken at once. */
  accepted = false;
  readonly rules: LearnedRule[] = [];

  push(line: string, lineNumber: number): LearnedRecord[] | undefined {
    const tableRecords = this.tableLine(line, lineNumber);
    if (tableRecords !== undefined) return tableRecords.length > 0 ? tableRecords : undefined;
    const nums = keyedNumbers(line);
    if (nums.length === 0) return undefined;
    const kinds = nums.map((n) => {
      const r = resolveKey(n.key);
      n.key = r.key;
      return r.kind;
    });
    let stepIndex = -1;
    let bestRank = Infinity;
    for (let i = 0; i < nums.length; i++) {
      if (kinds[i].role === 'step' && nums[i].integer && kinds[i].rank < bestRank) {
        stepIndex = i;
        bestRank = kinds[i].rank;
      }
    }
    const lossAt = kinds.findIndex((k) => k.role === 'train_loss' || k.role === 'eval_loss');
    if (stepIndex >= 0 && lossAt < 0) {
      // A step header (`[batch=3/100]:`, `[step=3/739328]`): the keyed lines below it are its record.
      if (!kinds.some((k, i) => i !== stepIndex && k.role !== 'other' && k.role !== 'step'))
        this.header = { step: Number(nums[stepIndex].raw), line: lineNumber, key: nums[stepIndex].key };
      return undefined;
    }
    if (lossAt < 0) return undefined;
    let step: number;
    let signature = nums.map((n) => n.key).join('\u0001');
    if (stepIndex >= 0) step = Number(nums[stepIndex].raw);
    else if (this.header !== undefined && lineNumber - this.header.line <= HEADER_REACH && nums.length <= 3) {
      step = this.header.step;
      signature = `${this.header.key}\u0002${signature}`;
    } else return undefined;
    if (this.families.size >= MAX_FAMILIES && !this.families.has(signature)) return undefined;
    let fam = this.families.get(signature);
    if (fam === undefined) {
      fam = { signature, stepIndex, lines: 0, rises: 0, lossVaries: false, pending: [], accepted: false };
      const epochAt = nums.findIndex((_n, i) => i !== stepIndex && EPOCH_KEY.test(nums[i].key) && nums[i].integer);
      if (epochAt >= 0 && stepIndex >= 0 && nums[stepIndex].total !== undefined) {
        fam.epochKey = epochAt;
        fam.stepsPerEpoch = Number(nums[stepIndex].total);
      }
      this.families.set(signature, fam);
    }
    // Epoch-local steps become global ones: (epoch − first epoch) × steps per epoch + step.
    if (fam.epochKey !== undefined && fam.stepsPerEpoch !== undefined && fam.stepsPerEpoch > 0) {
      const epoch = Number(nums[fam.epochKey].raw);
      step = Math.max(0, epoch - (fam.firstEpoch ?? (fam.firstEpoch = epoch))) * fam.stepsPerEpoch + step;
    }
    const fields: LearnedField[] = [];
    // fairseq prints every loss of a line in base 2 (its ppl = 2^nll_loss): named so, the reader converts them to nats.
    const ppl = perplexityOnLine(nums);
    const isLoss = (i: number) => kinds[i].role === 'train_loss' || kinds[i].role === 'eval_loss';
    const bits = ppl !== undefined && nums.some((n, i) => isLoss(i) && inBits(Number(n.raw), ppl));
    for (let i = 0; i < nums.length; i++) {
      if (i === stepIndex) continue;
      const role = kinds[i].role === 'step' ? 'other' : kinds[i].role;
      if (bits && isLoss(i)) {
        fields.push({ metric: `${nums[i].key}_bits`, raw: nums[i].raw, role: 'other' });
        continue;
      }
      fields.push({ metric: nums[i].key, raw: nums[i].raw, role: role as MetricRole });
    }
    const rec: LearnedRecord = { step, fields, line: lineNumber };
    fam.lines++;
    if (fam.lastStep !== undefined && step > fam.lastStep) fam.rises++;
    fam.lastStep = step;
    const loss = nums[lossAt].raw;
    if (fam.firstLoss === undefined) fam.firstLoss = loss;
    else if (loss !== fam.firstLoss) fam.lossVaries = true;
    if (fam.accepted) return [rec];
    const qualifies = (fam.lines >= MIN_FAMILY_LINES && fam.rises >= MIN_RISES && fam.lossVaries) || (this.accepted && stepIndex >= 0);
    if (!qualifies) {
      if (fam.pending.length < MAX_PENDING) fam.pending.push(rec);
      else fam.pending = [...fam.pending.slice(1), rec];
      return undefined;
    }
    fam.accepted = true;
    this.accepted = true;
    const stepKey = stepIndex >= 0 ? `"${nums[stepIndex].key}"` : `the header "${this.header?.key}" above it`;
    this.rules.push({
      line: fam.pending[0]?.line ?? lineNumber,
      message: `read by the generic line learner: lines keyed ${nums.map((n) => `"${n.key}"`).join(', ')} repeat with the step ${stepKey} rising and the loss "${nums[lossAt].key}" (${kinds[lossAt].rule})`,
    });
    const out = [...fam.pending, rec];
    fam.pending = [];
    return out;
  }

  /** A header of column names (a step and a loss among them) and rows of as many numbers below it. */
  private tableLine(line: string, lineNumber: number): LearnedRecord[] | undefined {
    const trimmed = line.trim();
    const delimiter = trimmed.includes('\t') ? /\t/ : trimmed.includes(',') ? /,/ : trimmed.includes('|') ? /\|/ : /\s+/;
    const cells = trimmed
      .replace(TABLE_EDGES, '')
      .split(delimiter)
      .map((c) => c.trim());
    if (cells.length < 2 || cells.length > 32) return undefined;
    const numeric = cells.every((c) => CELL_NUMBER.test(c) || CELL_NON_FINITE.test(c));
    if (!numeric) {
      if (!cells.every((c) => WORD.test(c.replace(/ /g, '_')))) return undefined;
      const stepColumn = cells.findIndex((c) => kindOf(c).role === 'step');
      const hasLoss = cells.some((c) => kindOf(c).role === 'train_loss' || kindOf(c).role === 'eval_loss');
      if (stepColumn >= 0 && hasLoss) {
        this.table = { columns: cells, stepColumn, delimiter, rows: 0 };
        return [];
      }
      return undefined;
    }
    const t = this.table;
    if (t === undefined || cells.length !== t.columns.length || !DIGITS.test(cells[t.stepColumn])) return undefined;
    t.rows++;
    const rec: LearnedRecord = { step: Number(cells[t.stepColumn]), fields: [], line: lineNumber };
    for (let i = 0; i < cells.length; i++) {
      if (i === t.stepColumn) continue;
      const k = kindOf(t.columns[i]);
      rec.fields.push({ metric: t.columns[i], raw: cells[i], role: k.role === 'step' ? 'other' : k.role });
    }
    if (t.rows === 1)
      this.rules.push({
        line: lineNumber,
        message: `read by the generic line learner: a table with columns ${t.columns.map((c) => `"${c}"`).join(', ')} (step "${t.columns[t.stepColumn]}")`,
      });
    this.accepted = true;
    return [rec];
  }
}
