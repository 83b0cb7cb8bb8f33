// nanoGPT `config/*.py` → TrainingPlan, by static parsing (never executed).
//
// A nanoGPT config is Python run by `configurator.py` inside `train.py`: module-level assignments
// that override the defaults at the top of train.py. We read the assignments with @lezer/python
// and evaluate only literals, names assigned earlier, unary minus and + − × / // ** %. Anything
// else (calls, comprehensions, `time.time()`) leaves the value unknown, with a note.
//
// Defaults (karpathy/nanoGPT `train.py`, commit 3adf61e154c3fe3fca428ad6bc3818b27a3b8291):
//   batch_size 12, block_size 1024, gradient_accumulation_steps 5*8, n_layer 12, n_head 12,
//   n_embd 768, dropout 0.0, bias False, learning_rate 6e-4, max_iters 600000, decay_lr True,
//   warmup_iters 2000, lr_decay_iters 600000, min_lr 6e-5, init_from 'scratch', dataset
//   'openwebtext', dtype 'bfloat16' when supported.
// Vocabulary: `data/<dataset>/meta.pkl`'s vocab_size when it exists, else 50,304 (GPT-2's 50,257
// padded to a multiple of 64). meta.pkl is a pickle, so known datasets are tabled
// (shakespeare_char: 65 characters, from its prepare.py).
// tokens/iter = gradient_accumulation_steps × batch_size × block_size: train.py divides the
// accumulation steps by the world size, so the GPU count does not change it.
// Checks: shakespeare_char (6×384, V 65) prints "number of parameters: 10.65M" in the nanoGPT
// README (non-embedding = total − positions = 10,646,784); the default GPT-2 shape with bias=False
// prints 123.59M (124,373,760 − 1,024·768).
import type * as LezerPython from '@lezer/python';

/** The Python grammar, loaded on first use (a cold start that reads no train.py never loads it). */
let pythonParser: typeof LezerPython.parser | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parser = (): typeof LezerPython.parser => (pythonParser ??= (require('@lezer/python') as typeof LezerPython).parser);
import { PlanBuilder, finishPlan, fmt, type Found } from './builder';
import { literalAssignments, type PyNode } from './pythonLiterals';
import type { ConfigReadResult, ModelArchitecture } from './types';

type Py = number | string | boolean | null;

export const NANOGPT_DEFAULTS: Record<string, Py> = {
  batch_size: 12,
  block_size: 1024,
  gradient_accumulation_steps: 40,
  n_layer: 12,
  n_head: 12,
  n_embd: 768,
  dropout: 0.0,
  bias: false,
  learning_rate: 6e-4,
  max_iters: 600000,
  decay_lr: true,
  warmup_iters: 2000,
  lr_decay_iters: 600000,
  min_lr: 6e-5,
  init_from: 'scratch',
  dataset: 'openwebtext',
  dtype: 'bfloat16',
};

/** Vocabulary sizes of nanoGPT's bundled datasets that have a meta.pkl. */
const DATASET_VOCAB: Record<string, number> = { shakespeare_char: 65 };

/**
 * Tokens in the train split of nanoGPT's bundled datasets, as its prepare.py scripts report them
 * (karpathy/nanoGPT data/openwebtext/prepare.py: "train has ~9B tokens (9,035,582,198)";
 * data/shakespeare_char/prepare.py: "train has 1003854 tokens"). train.py samples windows of
 * train.bin at random, so D beyond this repeats data.
 */
const DATASET_TRAIN_TOKENS: Record<string, number> = { openwebtext: 9_035_582_198, shakespeare_char: 1_003_854 };

type Assignments = { values: Map<string, Found & { unknown?: string }>; syntaxErrors: number[] };

function assign(values: Assignments['values'], name: string, expr: PyNode, text: string): void {
  const range = { start: expr.from, end: expr.to };
  try {
    values.set(name, { value: evaluate(expr, text, values), range });
  } catch (e) {
    values.set(name, { value: undefined, range, unknown: (e as Error).message });
  }
}

/**
 * Module-level assignments of a Python file: name → value (undefined when not a simple expression) and range.
 * A file of literal assignments only is read without the Python grammar (src/core/configs/pythonLiterals.ts).
 */
export function pythonAssignments(text: string): Assignments {
  const simple = literalAssignments(text);
  if (simple === undefined) return pythonAssignmentsParsed(text);
  const values: Assignments['values'] = new Map();
  for (const { name, expr } of simple) assign(values, name, expr, text);
  return { values, syntaxErrors: [] };
}

/** pythonAssignments through @lezer/python's full parse (any Python). */
export function pythonAssignmentsParsed(text: string): Assignments {
  const tree = parser().parse(text);
  const values: Assignments['values'] = new Map();
  const syntaxErrors: number[] = [];
  const top = tree.topNode;
  for (let stmt = top.firstChild; stmt; stmt = stmt.nextSibling) {
    if (stmt.type.isError) syntaxErrors.push(stmt.from);
    if (stmt.name !== 'AssignStatement') continue;
    const kids: PyNode[] = [];
    for (let c = stmt.firstChild; c; c = c.nextSibling) kids.push(c);
    // `a = b = 1` and tuple targets are skipped: only `name = expr`.
    if (kids.length !== 3 || kids[0].name !== 'VariableName' || kids[1].name !== 'AssignOp' || text.slice(kids[1].from, kids[1].to) !== '=') continue;
    assign(values, text.slice(kids[0].from, kids[0].to), kids[2], text);
  }
  let errorAt: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && errorAt === undefined) errorAt = n.from;
    },
  });
  if (errorAt !== undefined && !syntaxErrors.includes(errorAt)) syntaxErrors.push(errorAt);
  return { values, syntaxErrors };
}

function evaluate(n: PyNode, text: string, env: Map<string, Found & { unknown?: string }>): Py {
  const src = text.slice(n.from, n.to);
  switch (n.name) {
    case 'Number': {
      const v = Number(src.replace(/_/g, '').replace(/[jJ]$/, 'x'));
      if (!Number.isFinite(v)) throw new Error(`number ${src} not understood`);
      return v;
    }
    case 'String': {
      if (/^[rbuf]*'''|^[rbuf]*"""/i.test(src)) return src.replace(/^[rbuf]*('''|""")/i, '').replace(/('''|""")$/, '');
      return src.replace(/^[rbuf]*(['"])/i, '').replace(/['"]$/, '');
    }
    case 'Boolean':
      return src === 'True';
    case 'None':
      return null;
    case 'VariableName': {
      const v = env.get(src);
      if (!v || v.value === undefined) throw new Error(`depends on ${src}, which is not a simple value`);
      return v.value as Py;
    }
    case 'ParenthesizedExpression': {
      const inner = n.firstChild?.nextSibling;
      if (!inner) throw new Error('empty parentheses');
      return evaluate(inner, text, env);
    }
    case 'UnaryExpression': {
      const op = n.firstChild;
      const arg = op?.nextSibling;
      if (!op || !arg) throw new Error('bad unary expression');
      const v = evaluate(arg, text, env);
      const o = text.slice(op.from, op.to);
      if (typeof v !== 'number') throw new Error(`${o} applied to a non-number`);
      if (o === '-') return -v;
      if (o === '+') return v;
      throw new Error(`operator ${o} not evaluated`);
    }
    case 'BinaryExpression': {
      const a = n.firstChild;
      const op = a?.nextSibling;
      const b = op?.nextSibling;
      if (!a || !op || !b) throw new Error('bad expression');
      const x = evaluate(a, text, env);
      const y = evaluate(b, text, env);
      const o = text.slice(op.from, op.to);
      if (typeof x === 'string' && typeof y === 'string' && o === '+') return x + y;
      if (typeof x !== 'number' || typeof y !== 'number') throw new Error(`${src}: only arithmetic on numbers is evaluated`);
      switch (o) {
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          return x / y;
        case '//':
          return Math.floor(x / y);
        case '%':
          return x % y;
        case '**':
          return x ** y;
        default:
          throw new Error(`operator ${o} not evaluated`);
      }
    }
    default:
      throw new Error(`${src.length > 40 ? `${src.slice(0, 40)}…` : src} is not a literal or simple arithmetic`);
  }
}

/** Heuristic: a Python file that assigns nanoGPT's own keys. */
export function looksLikeNanoGpt(text: string): boolean {
  return /^\s*(n_layer|n_embd|block_size|gradient_accumulation_steps|max_iters|init_from|batch_size)\s*=/m.test(text);
}

export function readNanoGpt(file: string, text: string): ConfigReadResult {
  const b = new PlanBuilder(file, text, 'nanogpt');
  const { values, syntaxErrors } = pythonAssignments(text);
  for (const at of syntaxErrors.slice(0, 3))
    b.warn('Python syntax not understood here; the line is skipped', { value: undefined, range: { start: at, end: at } });
  const defaulted: string[] = [];
  const get = (key: string): Found => {
    const v = values.get(key);
    if (v) {
      if (v.value === undefined) {
        b.notes.push(`${key} is not a simple value (${v.unknown ?? 'expression'}); nanoGPT's default ${JSON.stringify(NANOGPT_DEFAULTS[key])} is NOT assumed.`);
        b.warn(`"${key}" is not a literal or simple arithmetic: left unknown`, v);
      }
      return v;
    }
    defaulted.push(key);
    return { value: NANOGPT_DEFAULTS[key], via: `assumed: ${key} = ${JSON.stringify(NANOGPT_DEFAULTS[key])} (nanoGPT train.py default)` };
  };
  const init = get('init_from').value;
  if (typeof init === 'string' && init.startsWith('gpt2')) {
    return b.notApplicable(`fine-tune of the pretrained ${init} (init_from = '${init}'): the pretraining scaling laws do not apply`);
  }
  if (init === 'resume') b.notes.push("init_from = 'resume': the plan counts the whole schedule, not what remains.");
  const nLayer = b.count(get('n_layer'), 'n_layer', 'architecture.nLayer');
  const nHead = b.count(get('n_head'), 'n_head', 'architecture.nHead');
  const nEmbd = b.count(get('n_embd'), 'n_embd', 'architecture.dModel');
  const block = b.count(get('block_size'), 'block_size', 'seqLen');
  const batch = b.count(get('batch_size'), 'batch_size', 'batch.perDevice');
  const ga = b.count(get('gradient_accumulation_steps'), 'gradient_accumulation_steps', 'batch.gradAccum');
  const iters = b.count(get('max_iters'), 'max_iters', 'maxSteps');
  const lrAt = get('learning_rate');
  const lr = b.num(lrAt, 'learning_rate', { exclusiveMin: 0 });
  const bias = get('bias');
  const dataset = get('dataset');
  if (nLayer === undefined || nHead === undefined || nEmbd === undefined || block === undefined) {
    if (b.hasErrors()) return b.errorResult();
    const unknown = ['n_layer', 'n_head', 'n_embd', 'block_size'].filter((k) => values.get(k)?.value === undefined && values.has(k));
    return b.notApplicable(`model shape unknown: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a literal or simple arithmetic`);
  }
  let vocab = 50304;
  let vocabNote = 'vocab_size 50,304 (nanoGPT train.py without a meta.pkl: GPT-2 BPE 50,257 padded to a multiple of 64)';
  if (typeof dataset.value === 'string' && DATASET_VOCAB[dataset.value] !== undefined) {
    vocab = DATASET_VOCAB[dataset.value];
    vocabNote = `vocab_size ${vocab} from data/${dataset.value}/meta.pkl (nanoGPT's prepare.py for this dataset)`;
  } else if (typeof dataset.value === 'string' && dataset.value !== 'openwebtext' && dataset.value !== 'shakespeare') {
    b.notes.push(`Dataset "${dataset.value}": if data/${dataset.value}/meta.pkl exists its vocab_size replaces the assumed 50,304.`);
  }
  b.assumed('architecture.vocab', vocabNote);
  b.assumed('architecture.tiedEmbeddings', 'tied (nanoGPT ties wte and lm_head)');
  const arch: ModelArchitecture = {
    modelType: 'gpt2',
    nLayer,
    dModel: nEmbd,
    nHead,
    nKvHead: nHead,
    dFfn: 4 * nEmbd,
    vocab,
    tiedEmbeddings: true,
    positions: block,
    learnedPositions: true,
  };
  if (nEmbd % nHead !== 0) return b.error(`"n_embd" (${nEmbd}) is not divisible by "n_head" (${nHead})`, values.get('n_head')) ?? b.errorResult();
  arch.headDim = nEmbd / nHead;
  b.derived('architecture.dFfn', `4·n_embd = ${4 * nEmbd}`);
  b.derived('architecture.positions', `block_size ${fmt(block)} (learned positions)`);
  const hasBias = bias.value === true;
  const plan: Parameters<typeof finishPlan>[4] = { format: 'nanogpt', precision: String(get('dtype').value ?? 'bfloat16') };
  if (lr !== undefined) {
    plan.peakLr = lr;
    b.from('peakLr', lrAt);
  }
  const decay = get('decay_lr').value !== false;
  const warm = b.num(get('warmup_iters'), 'warmup_iters', { integer: true, min: 0 });
  const minLr = b.num(get('min_lr'), 'min_lr', { min: 0 });
  plan.schedule = decay ? { type: 'cosine', ...(warm !== undefined ? { warmupSteps: warm } : {}) } : { type: 'constant' };
  if (decay && minLr !== undefined && lr) plan.schedule.minLrRatio = minLr / lr;
  b.from('schedule', values.get('decay_lr') ?? { value: true, via: 'assumed: decay_lr = True (train.py default): linear warmup then cosine to min_lr' });
  const decayIters = b.num(get('lr_decay_iters'), 'lr_decay_iters', { integer: true, min: 0 });
  if (decay && decayIters !== undefined && iters !== undefined && decayIters < iters)
    b.notes.push(`lr_decay_iters (${fmt(decayIters)}) < max_iters (${fmt(iters)}): the LR sits at min_lr for the last ${fmt(iters - decayIters)} iterations.`);
  if (decay && decayIters !== undefined && iters !== undefined && decayIters > iters)
    b.notes.push(`lr_decay_iters (${fmt(decayIters)}) > max_iters (${fmt(iters)}): the cosine never finishes decaying.`);
  const gpus = /--nproc_per_node[= ](\d+)/.exec(text);
  if (gpus) {
    plan.gpus = Number(gpus[1]);
    b.from(
      'gpus',
      { value: plan.gpus, range: { start: gpus.index + gpus[0].length - gpus[1].length, end: gpus.index + gpus[0].length } },
      'from the torchrun --nproc_per_node in the file',
    );
  }
  if (batch !== undefined) plan.microBatch = batch;
  if (typeof dataset.value === 'string' && DATASET_TRAIN_TOKENS[dataset.value] !== undefined) {
    plan.uniqueTokens = DATASET_TRAIN_TOKENS[dataset.value];
    b.assumed('uniqueTokens', `${fmt(plan.uniqueTokens)} tokens in data/${dataset.value}/train.bin (as nanoGPT's prepare.py reports)`);
  }
  const applied = defaulted.filter((k) => !['dtype', 'init_from', 'dataset'].includes(k));
  if (applied.length)
    b.notes.push(
      `nanoGPT train.py defaults applied (not set in this file): ${applied
        .map(
          (k) =>
            `${k} = ${JSON.stringify(NANOGPT_DEFAULTS[k])
              .replace(/^true$/, 'True')
              .replace(/^false$/, 'False')}`,
        )
        .join(', ')}.`,
    );
  return finishPlan(
    b,
    arch,
    { kind: 'gpt2', bias: hasBias },
    {
      seqLen: block,
      steps: iters,
      batchSeqs:
        batch !== undefined && ga !== undefined
          ? { value: batch * ga, note: `batch_size ${batch} × gradient_accumulation_steps ${ga} (global: train.py divides it by the GPUs)` }
          : undefined,
    },
    plan,
  );
}
