// Numbers and loss units as trainers print them in plain-text logs.
import { shorten } from './common';
import type { MetricRole, MetricUnit } from './types';
import { magnitudeOf } from '../numberText';

export type TextNumber = { kind: 'number'; value: number } | { kind: 'nonfinite'; text: string } | { kind: 'none' };

/** Thousands separators ("4,376" in torchtitan's `tps`) are only accepted in groups of three. */
const PLAIN = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:[eE][+-]?\d+)?$/;
/**
 * Human-format suffixes: nanotron's `human_format` (nanotron/logging.py) writes K, M, G, T, P, E
 * (newer versions B for billions); `k` is a common hand-written form. A suffix followed by more
 * letters ("2.47GiB") is a unit, not a multiplier, and does not parse. Case-sensitive: no `m`,
 * which next to a number in a log may be milli.
 */
const SUFFIXES = 'kKMGBTPE';
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** A printed value: plain, `%E`, with thousands commas, with a K/M/G/B/T/P/E suffix, or nan/inf. */
export function parseTextNumber(raw: string): TextNumber {
  let t = raw.trim();
  if (t === '') return { kind: 'none' };
  if (NON_FINITE.test(t)) return { kind: 'nonfinite', text: shorten(t, 24) };
  let scale = 1;
  const suffix = t.length > 1 && /[\d.]/.test(t[t.length - 2]) ? magnitudeOf(t[t.length - 1], SUFFIXES) : undefined;
  if (suffix !== undefined) {
    scale = suffix;
    t = t.slice(0, -1);
  }
  if (!PLAIN.test(t) || !/\d/.test(t)) return { kind: 'none' };
  const value = Number(t.replace(/,/g, '')) * scale;
  return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'nonfinite', text: shorten(raw.trim(), 24) };
}

/** How a loss-like metric is expressed, judged by its name. */
export interface LossUnitReading {
  /** The unit the logged number is in. */
  logged: 'perplexity' | 'bits' | 'bits/byte';
  /** Train or eval, by the name's prefix (eval/val/valid/validation/test → eval). */
  role: MetricRole;
}

const EVAL_WORD = /(?:^|[_\s/.-])(?:eval|val|valid|validation|test)(?:$|[_\s/.-])/i;
const PPL_WORD = /(?:^|[_\s/.-])(?:ppl|perplexity)(?:$|[_\s/.-])/i;
const BPB_WORD = /(?:^|[_\s/.-])(?:bpb|bits?_per_byte)(?:$|[_\s/.-])/i;
const BITS_WORD = /(?:^|[_\s/.-])(?:loss_bits|bits|bpt|bits_per_token)(?:$|[_\s/.-])/i;

/**
 * Whether a metric name says its value is a perplexity, bits per token or bits per byte rather
 * than a cross-entropy in nats (what PyTorch's loss functions return, and what the laws are fitted
 * on). Undefined for anything else.
 */
export function lossUnitOf(name: string): LossUnitReading | undefined {
  const role: MetricRole = EVAL_WORD.test(name) ? 'eval_loss' : 'train_loss';
  if (PPL_WORD.test(name)) return { logged: 'perplexity', role };
  if (BPB_WORD.test(name)) return { logged: 'bits/byte', role };
  if (BITS_WORD.test(name)) return { logged: 'bits', role };
  return undefined;
}

/**
 * A loss in another unit as nats per token, with the unit recorded: ln(perplexity), bits × ln 2.
 * Bits per byte are NOT converted: a byte is not a token, and turning bpb into nats per token
 * needs the tokenizer's bytes per token, which a log does not state. Those stay as they are.
 */
export function toNats(value: number, logged: LossUnitReading['logged']): { value: number; unit: MetricUnit } | undefined {
  if (logged === 'perplexity') return value > 0 ? { value: Math.log(value), unit: 'nats from perplexity' } : undefined;
  if (logged === 'bits') return { value: value * Math.LN2, unit: 'nats from bits' };
  return undefined;
}
