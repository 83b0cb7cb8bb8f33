// One vocabulary of metric names, used by every reader (TensorBoard tags, W&B keys, DVCLive and
// MLflow metric files, CSV columns, JSONL keys, text-log keys): which name is the training loss,
// the eval loss, the learning rate, the tokens seen and the step, and which is preferred when a log
// has several.
//
// A name is cut into words at separators (`/ . _ - : space`) and at camelCase humps, lower-cased:
// `train/CrossEntropyLoss` → train cross entropy loss. Then, in this order:
//   - a word saying the value is a part, a statistic or a setting of the loss (aux, z, router, moe,
//     kl, scale, grad, norm, std, min, max, count, time, weight, …), another x axis (`lm loss vs samples`) or another unit (ppl, bits, bpb: see textLogValues.ts)
//     makes it no loss at all: role 'other';
//   - a loss word (loss, cross entropy, ce, xent, nll, lm loss) makes it a loss, eval when a split
//     word says so (eval, evaluation, val, valid, validation, dev, test, heldout), train otherwise;
//   - lr / learning rate (not momentum, warmup, decay, …) is the learning rate;
//   - tokens with a cumulative word (seen, consumed, total, processed, trained, cumulative) or alone,
//     and no rate word (per, sec, s, tps, throughput, step, batch), is the tokens seen.
// Preference (RANK, lower first) among names of one role:
//   loss: a named cross-entropy (lm loss, CrossEntropyLoss, LanguageCrossEntropy: what the laws are
//   fitted on, without auxiliary terms) 0, a plain or total loss 1, a smoothed/averaged one
//   (avg, mean, running, smooth, ema) 3, a per-epoch aggregate (epoch_loss, train_loss_epoch) 7; each word the vocabulary does not know adds 1, and `test`
//   adds 2 to an eval loss (validation is preferred).
//   step: an optimizer-step counter (global_step, trainer/global_step, optimizer_step) 0, `step` 1,
//   an iteration or update counter (iteration, iter, iter_num, num_updates) 2, `it` 3, W&B's row
//   counter `_step` 5, micro-step counters (micro_step, …) 6: used only when nothing else is logged.
/** What a metric measures, so train and eval losses are never mixed (defined here, beside the rules, so runs/types.ts and this file form no cycle). */
export type MetricRole = 'train_loss' | 'eval_loss' | 'lr' | 'tokens' | 'other';

/** What the vocabulary makes of one metric name. */
export interface MetricReading {
  role: MetricRole;
  /** Preference among names of the same role: lower wins. */
  rank: number;
  /** The rule that decided, in words (shown per run). */
  rule: string;
}

const SEPARATORS = /[/._:\s-]+/;
const MAX_WORDS = 10;
const MAX_NAME_CHARS = 120;

/** Words of a name: split at separators and camelCase humps (`CrossEntropyLoss` → cross entropy loss), lower-cased. */
export function nameWords(name: string): string[] {
  if (name.length > MAX_NAME_CHARS) return [];
  const out: string[] = [];
  for (const part of name.split(SEPARATORS)) {
    if (part === '') continue;
    // lower→Upper and UPPER→Upperlower boundaries; each regex piece is a plain character class run (linear).
    const humps = part.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
    for (const w of humps.split(' ')) if (w !== '') out.push(w.toLowerCase());
  }
  return out;
}

const TRAIN_WORDS = new Set(['train', 'training', 'trainer', 'tr']);
const EVAL_WORDS = new Set(['eval', 'evaluation', 'val', 'valid', 'validation', 'dev', 'heldout', 'test']);
/** Words naming the loss itself. */
const LOSS_WORDS = new Set(['loss', 'losses', 'nll', 'xent', 'ce', 'crossentropy']);
/** Words that make a loss a named cross-entropy (the LM loss proper). */
const CE_WORDS = new Set(['lm', 'ce', 'xent', 'nll', 'cross', 'crossentropy', 'entropy', 'language']);
/**
 * Words saying a loss-named value is something else: a part of the loss (aux, z, router, moe, kl,
 * reg, …), a statistic or setting of it (scale, grad, norm, std, min, max, count, time, weight,
 * ratio, diff), a per-epoch aggregate, a loss on another x axis (`vs`), a non-LM objective of an RL
 * or GAN loop, or another unit (converted elsewhere from ppl/bits).
 */
const NOT_THE_LOSS = new Set([
  'aux',
  'auxiliary',
  'z',
  'zloss',
  'router',
  'balance',
  'balancing',
  'moe',
  'kl',
  'reg',
  'regularization',
  'l1',
  'l2',
  'penalty',
  'scale',
  'scaler',
  'grad',
  'gradient',
  'norm',
  'std',
  'var',
  'variance',
  'min',
  'max',
  'count',
  'num',
  'time',
  'weight',
  'weights',
  'ratio',
  'diff',
  'delta',
  'skipped',
  'nan',
  'spike',
  'spikes',
  'vs',
  'value',
  'policy',
  'critic',
  'actor',
  'disc',
  'discriminator',
  'gen',
  'generator',
  'reward',
  'rewards',
  'ppl',
  'perplexity',
  'bits',
  'bpb',
  'bpt',
  'byte',
  'bytes',
  'accuracy',
  'acc',
  'tokens',
  'token',
  'samples',
  'lr',
  'rate',
  'predict',
  'prediction',
  'teacher',
  'distill',
  'distillation',
  'contrastive',
  'mtp',
]);
/** Words that mark a smoothed or averaged copy of a loss. */
const SMOOTHED_WORDS = new Set(['avg', 'average', 'mean', 'running', 'smooth', 'smoothed', 'ema', 'moving']);
/** Words a loss name may carry without changing what it is. */
const NEUTRAL_LOSS_WORDS = new Set([
  'total',
  // NeMo's `reduced_train_loss` is the step's loss all-reduced (averaged) across data-parallel
  // ranks (nemo/collections/nlp/models/language_modeling/megatron_gpt_model.py), not over time.
  'reduced',
  'step',
  'metrics',
  'metric',
  'losses',
  'loss',
  'lm',
  'language',
  'model',
  'modeling',
  'main',
  'objective',
  'cross',
  'entropy',
  'final',
  'batch',
  'iter',
  'charts',
  'stats',
  'all',
]);

const LR_NOT = new Set([
  'momentum',
  'beta',
  'betas',
  'warmup',
  'decay',
  'min',
  'max',
  'factor',
  'mult',
  'multiplier',
  'ratio',
  'scale',
  'scheduler',
  'schedule',
  'wd',
  'weight',
  'steps',
  'init',
  'initial',
  'peak',
  'final',
  'base',
]);
const TOKEN_NOT = new Set([
  'per',
  'sec',
  's',
  'second',
  'seconds',
  'tps',
  'throughput',
  'rate',
  'step',
  'steps',
  'batch',
  'pad',
  'padding',
  'len',
  'length',
  'avg',
  'mean',
  'max',
  'min',
  'loss',
  'ratio',
  'frac',
  'fraction',
  'per_sec',
  'per_second',
  'ms',
  'time',
  'device',
  'gpu',
  'rank',
]);
const TOKEN_CUMULATIVE = new Set(['seen', 'consumed', 'total', 'processed', 'trained', 'cumulative', 'cum']);
/** Words a tokens-seen name may carry; `num`/`n`/`input` only beside a cumulative word (a bare `num_tokens` may count one batch). */
const TOKEN_NEUTRAL = new Set(['num', 'n', 'input', 'global', 'so', 'far']);

const OTHER: MetricReading = { role: 'other', rank: 0, rule: 'not a loss, learning rate or token count' };

function readUncached(name: string): MetricReading {
  const words = nameWords(name);
  if (words.length === 0 || words.length > MAX_WORDS) return OTHER;
  const has = (set: Set<string>) => words.some((w) => set.has(w));
  // `cross entropy` and `language cross entropy` are one loss word in two.
  const lossWord = has(LOSS_WORDS) || (words.includes('cross') && words.includes('entropy'));
  if (lossWord) {
    const blocker = words.find((w) => NOT_THE_LOSS.has(w));
    if (blocker !== undefined) return { role: 'other', rank: 0, rule: `"${blocker}" says it is not the loss itself` };
    const evalWord = words.find((w) => EVAL_WORDS.has(w));
    const role: MetricRole = evalWord !== undefined ? 'eval_loss' : 'train_loss';
    const ce = has(CE_WORDS);
    const smoothed = words.find((w) => SMOOTHED_WORDS.has(w));
    // A per-epoch aggregate (Keras `epoch_loss`, Lightning `train_loss_epoch`) is a loss on a coarser x: used only without a per-step one.
    const perEpoch = words.includes('epoch') || words.includes('epochs');
    const unknown = words.filter(
      (w) =>
        !LOSS_WORDS.has(w) &&
        !CE_WORDS.has(w) &&
        !TRAIN_WORDS.has(w) &&
        !EVAL_WORDS.has(w) &&
        !SMOOTHED_WORDS.has(w) &&
        !NEUTRAL_LOSS_WORDS.has(w) &&
        w !== 'epoch' &&
        w !== 'epochs',
    );
    let rank = ce ? 0 : 1;
    if (smoothed !== undefined) rank += 2;
    if (perEpoch) rank += 6;
    if (evalWord === 'test') rank += 2;
    rank += unknown.length;
    const kind = ce ? 'a named cross-entropy' : 'a loss';
    const split = evalWord !== undefined ? `eval by "${evalWord}"` : words.some((w) => TRAIN_WORDS.has(w)) ? 'train by its prefix' : 'train (no split word)';
    return {
      role,
      rank,
      rule: `${kind}, ${split}${smoothed ? `, smoothed ("${smoothed}")` : ''}${perEpoch ? ', per epoch' : ''}${unknown.length ? `, ${unknown.length} unknown word(s)` : ''}`,
    };
  }
  const lr = words.includes('lr') || (words.includes('learning') && words.includes('rate'));
  if (lr) {
    const blocker = words.find((w) => LR_NOT.has(w));
    if (blocker !== undefined) return { role: 'other', rank: 0, rule: `"${blocker}" says it is not the learning rate` };
    const known = new Set(['lr', 'learning', 'rate', ...TRAIN_WORDS, 'optim', 'optimizer', 'opt', 'trainer', 'current', 'cur']);
    const unknown = words.filter((w) => !known.has(w)).length;
    return { role: 'lr', rank: unknown, rule: `learning rate${unknown ? ` (${unknown} more word(s): a parameter group or optimizer)` : ''}` };
  }
  if (words.includes('tokens') || words.includes('token') || words.includes('tok') || words.includes('toks')) {
    const blocker = words.find((w) => TOKEN_NOT.has(w) || EVAL_WORDS.has(w));
    if (blocker !== undefined) return { role: 'other', rank: 0, rule: `"${blocker}" says it is not the tokens seen` };
    const unknown = words.filter(
      (w) => !['tokens', 'token', 'tok', 'toks'].includes(w) && !TOKEN_CUMULATIVE.has(w) && !TOKEN_NEUTRAL.has(w) && !TRAIN_WORDS.has(w),
    ).length;
    const cumulative = has(TOKEN_CUMULATIVE);
    if (unknown > 0 || (!cumulative && words.some((w) => TOKEN_NEUTRAL.has(w)))) return OTHER;
    return { role: 'tokens', rank: words.length - 1, rule: cumulative ? 'tokens seen (cumulative word)' : 'tokens seen' };
  }
  return OTHER;
}

const cache = new Map<string, MetricReading>();
const CACHE_MAX = 8192;

/** The role, preference and rule of a metric name (memoised: readers ask once per point). */
export function readMetricName(name: string): MetricReading {
  let r = cache.get(name);
  if (r === undefined) {
    r = readUncached(name);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(name, r);
  }
  return r;
}

// ---- steps -------------------------------------------------------------------------------------

/** Spellings of step counters, exact, in order of preference (see the header). */
const STEP_NAMES: readonly (readonly [string, number, string])[] = [
  ['global_step', 0, 'optimizer step'],
  ['trainer/global_step', 0, 'optimizer step (Lightning)'],
  ['train/global_step', 0, 'optimizer step (HF)'],
  ['optimizer_step', 0, 'optimizer step'],
  ['opt_step', 0, 'optimizer step'],
  ['globalstep', 0, 'optimizer step'],
  ['step', 1, 'step'],
  ['Step', 1, 'step'],
  ['train/step', 1, 'step'],
  ['iteration', 2, 'iteration'],
  ['iter', 2, 'iteration'],
  ['iter_num', 2, 'iteration'],
  ['iters', 2, 'iteration'],
  ['num_updates', 2, 'update counter (fairseq)'],
  ['update_step', 2, 'update counter'],
  ['train/update_step', 2, 'update counter'],
  ['updates', 2, 'update counter'],
  ['it', 3, 'iteration'],
  ['_step', 5, "W&B's row counter"],
  ['micro_step', 6, 'micro-step counter (used only without an optimizer step)'],
  ['microstep', 6, 'micro-step counter (used only without an optimizer step)'],
  ['micro_batch_step', 6, 'micro-step counter (used only without an optimizer step)'],
];
const STEP_BY_NAME = new Map(STEP_NAMES.map(([n, rank, rule]) => [n, { rank, rule }]));

/** Step keys in order of preference (exact spellings; readers look them up in records). */
export const STEP_KEY_NAMES: readonly string[] = STEP_NAMES.map(([n]) => n);

/** The preference and rule of a step counter name, undefined when the name is no step counter. */
export function stepKeyReading(name: string): { rank: number; rule: string } | undefined {
  return STEP_BY_NAME.get(name);
}

/** The step key to use among `keys` (the most preferred present), undefined when none is a step counter. */
export function chooseStepKey(keys: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestRank = Infinity;
  for (const k of keys) {
    const r = STEP_BY_NAME.get(k);
    if (r !== undefined && r.rank < bestRank) {
      best = k;
      bestRank = r.rank;
    }
  }
  return best;
}

/** Token-count keys readers look up exactly, in order of preference. */
export const TOKEN_KEY_NAMES: readonly string[] = [
  'tokens',
  'consumed_tokens',
  'num_input_tokens_seen',
  'total_tokens',
  'tokens_seen',
  'num_tokens_seen',
  'train/tokens',
  'trainer/tokens',
  'consumed tokens',
  'cumulative_tokens',
];

// ---- the choice per run --------------------------------------------------------------------------

/** A run's series of one role that readers and fits use, and why. */
export interface MetricChoice {
  role: Exclude<MetricRole, 'other'>;
  metric: string;
  rule: string;
  /** The other series of that role, not used (in order of preference). */
  others: string[];
}

/**
 * Preference of a stored series within its role: the vocabulary's rank when the vocabulary gave the
 * role, 1 when a reader decided it (a trainer's own print statement), and last for a loss converted
 * from perplexity or bits.
 */
export function seriesPreference(s: { metric: string; role: MetricRole; unit?: string }): { rank: number; rule: string } {
  // Converted losses come last; among them a named cross-entropy (fairseq's nll_loss, not its label-smoothed loss) first.
  if (s.unit === 'nats from perplexity' || s.unit === 'nats from bits')
    return { rank: /(?:^|[_\s/])(?:nll|ce|lm|xent)[_\s/]/i.test(s.metric) ? 50 : 51, rule: `converted to nats (${s.unit})` };
  const r = readMetricName(s.metric);
  if (r.role === s.role) return r;
  return { rank: 1, rule: "the reader's rule for this log format" };
}

const CHOICE_ROLES = ['train_loss', 'eval_loss', 'lr', 'tokens'] as const;

/** Which series of each role a run uses: the first of that role in the run's order (see RunIndex), with the rule. */
export function metricChoices(series: readonly { metric: string; role: MetricRole; unit?: string; steps: ArrayLike<number> }[]): MetricChoice[] {
  const out: MetricChoice[] = [];
  for (const role of CHOICE_ROLES) {
    const of = series.filter((s) => s.role === role && s.steps.length > 0);
    if (of.length === 0) continue;
    out.push({ role, metric: of[0].metric, rule: seriesPreference(of[0]).rule, others: of.slice(1).map((s) => s.metric) });
  }
  return out;
}

const ROLE_LABEL: Record<MetricChoice['role'], string> = { train_loss: 'train loss', eval_loss: 'eval loss', lr: 'lr', tokens: 'tokens' };

/** One line: `train loss "lm loss" (a named cross-entropy, …; also: loss); eval loss …`. */
export function describeMetricChoices(choices: readonly MetricChoice[]): string | undefined {
  if (choices.length === 0) return undefined;
  return choices
    .map(
      (c) =>
        `${ROLE_LABEL[c.role]} "${c.metric}" (${c.rule}${
          c.others.length
            ? `; not used: ${c.others
                .slice(0, 3)
                .map((o) => `"${o}"`)
                .join(', ')}${c.others.length > 3 ? ` +${c.others.length - 3}` : ''}`
            : ''
        })`,
    )
    .join('; ');
}
