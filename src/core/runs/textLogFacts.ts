// Run facts a plain-text training log states in its preamble, before the first metric line:
// - Megatron-LM / Megatron-DeepSpeed `print_args`: a block between `---- arguments ----` and
//   `---- end of arguments ----` of `  name ........ value` lines (every argument of the run:
//   num_layers, hidden_size, ffn_hidden_size, seq_length, global_batch_size, train_iters, lr, …), and
//   ` > number of parameters on (tensor, pipeline) model parallel rank (t, p): N` per rank, and
//   ` > padded vocab (size: 50257) with 431 dummy tokens (new size: 50688)` (the embedding rows).
// - torchtitan `train.py`: `Model llama3 8B size: 8,030,261,248 total parameters` and `Trainer is
//   initialized with local batch size 8, global batch size 64, gradient accumulation steps 1, sequence
//   length 2048, total steps 10 (warmup 2)` (2024 versions: `Training starts at step 1, with local
//   batch size 8, global batch size 64, sequence length 2048, total steps 10 (warmup 2)`; some
//   versions spell `gradient_accumulation_steps: 1`).
// Without them a folder of such logs had no size or tokens, so no scaling law could be fitted to it.
import { hyperFromParams, type NativeHyper } from './hparams';

/** ANSI colour codes (torchtitan colours the parameter count). */
const ANSI = /\x1b\[[0-9;]*m/g;
/** Fact lines are short; a longer line is cut before any pattern sees it. */
const MAX_FACT_LINE_CHARS = 4096;
/** What DeepSpeed's config print gives old Megatron's batch: the samples of an optimizer step, and the micro-batches it takes. */
const DEEPSPEED_BATCH_KEYS = new Set(['train_batch_size', 'gradient_accumulation_steps']);
const MEGATRON_VOCAB = /padded vocab \(size: \d+\) with \d+ dummy tokens \(new size: (\d+)\)/;
const MEGATRON_RANK_PARAMS = /number of parameters on \(tensor, pipeline\) model parallel rank \((\d+), (\d+)\): (\d+)/;
const TITAN_PARAMS = /\bsize: (\d[\d,]*) total parameters/;
const TITAN_BATCH = /\bglobal batch size (\d+), (?:gradient[ _]accumulation[ _]steps:? \d+, )?sequence length (\d+), total steps (\d+)/;

/** Past this many lines without a fact or an arguments block, the preamble is over: stop looking (but for a restart's start). */
const PREAMBLE_LINES = 20_000;
/** Megatron prints ~300–500 arguments; a block still open after this many lines was cut off (the log truncated). */
const MAX_ARGUMENT_LINES = 2_000;

export interface TextLogFactsReading {
  hyper: NativeHyper;
  notes: string[];
  /** What was read, as key → value text (the run's hyperparameters for family guesses). */
  params: Map<string, unknown>;
}

/**
 * `  name ........ value` → [name, value], after any prefix (a launcher's `[default0]:`, a logger's
 * time stamp): the name is the word before the first ` ..`. A scan, not a pattern: no backtracking.
 */
function megatronArgument(line: string): [string, string] | undefined {
  const dots = line.indexOf(' ..');
  if (dots <= 0) return undefined;
  let start = dots;
  while (start > 0 && /\w/.test(line[start - 1])) start--;
  if (start === dots || /\d/.test(line[start]) || (start > 0 && line[start - 1] !== ' ' && line[start - 1] !== ':' && line[start - 1] !== ']'))
    return undefined;
  let end = dots + 1;
  while (line[end] === '.') end++;
  if (line[end] !== ' ') return undefined;
  return [line.slice(start, dots), line.slice(end + 1).trim()];
}

/** Collects a text log's run facts line by line; cheap on the lines after the preamble (one counter). */
export class TextLogFacts {
  private megatronArgs = new Map<string, string>();
  private inArgs = false;
  private argLines = 0;
  private rankParams = new Map<string, number>();
  private paddedVocab: number | undefined;
  private titan = new Map<string, number>();
  /** DeepSpeed's config as its engine prints it (`config.py:…:print]   train_batch_size ..... 768`): the batch old Megatron under DeepSpeed leaves out of its arguments. */
  private deepspeed = new Map<string, number>();
  private sinceFact = 0;
  private done = false;
  private static made = 0;
  /** Which collector (a file read anew gets a new one) and how many facts it has read: the index recomputes when it changes. */
  get signature(): string {
    return `${this.id}:${this.version}`;
  }
  private readonly id = ++TextLogFacts.made;
  private version = 0;

  reset(): void {
    this.megatronArgs = new Map();
    this.inArgs = false;
    this.argLines = 0;
    this.rankParams = new Map();
    this.paddedVocab = undefined;
    this.titan = new Map();
    this.deepspeed = new Map();
    this.sinceFact = 0;
    this.done = false;
    this.version++;
  }

  push(lines: readonly string[]): void {
    for (const line of lines) {
      if (this.done) {
        // Past the preamble only a restart's start is looked for (its settings are the run's now), by
        // one substring check a line: a job resumed 25,000 iterations in prints its arguments again.
        if (!line.includes(' arguments ---') && !line.includes('global batch size ')) continue;
        this.done = false;
        this.sinceFact = 0;
      }
      this.line(line);
    }
  }

  private line(whole: string): void {
    const raw = whole.length > MAX_FACT_LINE_CHARS ? whole.slice(0, MAX_FACT_LINE_CHARS) : whole;
    if (this.inArgs) {
      if (raw.includes('end of arguments') || ++this.argLines > MAX_ARGUMENT_LINES) {
        this.inArgs = false;
        this.version++;
        return;
      }
      const arg = megatronArgument(raw);
      if (arg) this.megatronArgs.set(arg[0], arg[1]);
      return;
    }
    if (++this.sinceFact > PREAMBLE_LINES) {
      this.done = true;
      return;
    }
    if (raw.includes(' arguments ---')) {
      // A restarted job prints its arguments again: the latest block holds the run's settings.
      this.megatronArgs = new Map();
      this.inArgs = true;
      this.argLines = 0;
      this.sinceFact = 0;
      return;
    }
    if (raw.includes('number of parameters on')) {
      const m = MEGATRON_RANK_PARAMS.exec(raw);
      if (m) this.fact(() => this.rankParams.set(`${m[1]},${m[2]}`, Number(m[3])));
      return;
    }
    if (raw.includes('padded vocab')) {
      const m = MEGATRON_VOCAB.exec(raw);
      if (m) this.fact(() => (this.paddedVocab = Number(m[1])));
      return;
    }
    if (raw.includes('total parameters')) {
      const m = TITAN_PARAMS.exec(raw.includes('\x1b') ? raw.replace(ANSI, '') : raw);
      if (m) this.fact(() => this.titan.set('num_params', Number(m[1].replace(/,/g, ''))));
      return;
    }
    if (raw.includes('train_batch_size ..') || raw.includes('gradient_accumulation_steps ..')) {
      const arg = megatronArgument(raw);
      if (arg && DEEPSPEED_BATCH_KEYS.has(arg[0]) && /^\d+$/.test(arg[1])) this.fact(() => this.deepspeed.set(arg[0], Number(arg[1])));
      return;
    }
    if (raw.includes('global batch size ')) {
      const m = TITAN_BATCH.exec(raw);
      if (m)
        this.fact(() => {
          this.titan.set('global_batch_size', Number(m[1]));
          this.titan.set('seq_len', Number(m[2]));
          this.titan.set('steps', Number(m[3]));
        });
    }
  }

  private fact(set: () => void): void {
    set();
    this.sinceFact = 0;
    this.version++;
  }

  /** The facts as a run's hyperparameters; undefined when the log stated none. */
  reading(): TextLogFactsReading | undefined {
    if (this.megatronArgs.size > 0) return this.megatron();
    if (this.titan.size > 0) return this.torchtitan();
    return undefined;
  }

  private megatron(): TextLogFactsReading {
    const args = this.megatronArgs;
    const params = new Map<string, unknown>(args);
    if (this.paddedVocab !== undefined && !/^\d+$/.test(args.get('padded_vocab_size') ?? '')) params.set('padded_vocab_size', String(this.paddedVocab));
    const { hyper, notes } = hyperFromParams(params, "the log's Megatron arguments");
    const int = (name: string): number | undefined => {
      const v = args.get(name);
      return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
    };
    // Old Megatron names tensor parallelism `model_parallel_size` and has no pipeline.
    const tp = int('tensor_model_parallel_size') ?? int('model_parallel_size');
    const pp = int('pipeline_model_parallel_size') ?? (args.has('tensor_model_parallel_size') ? undefined : tp !== undefined ? 1 : undefined);
    const ep = int('expert_model_parallel_size') ?? 1;
    const whole = this.rankParams.get('0,0');
    if (whole !== undefined && tp === 1 && pp === 1 && ep === 1) {
      // One rank holds the whole model only without tensor, pipeline or expert sharding.
      hyper.params = whole;
      delete hyper.nonEmbeddingParams;
      notes.unshift('params from the log: number of parameters on rank (0, 0), tensor and pipeline parallel size 1');
    }
    const gbs = int('global_batch_size');
    const seq = int('seq_length');
    const samples = int('train_samples');
    const rampup = args.get('rampup_batch_size');
    const constantBatch = rampup === undefined || rampup === 'None';
    if (gbs !== undefined && seq !== undefined && constantBatch) {
      hyper.tokensPerStep = gbs * seq;
      notes.push(`tokensPerStep from the log's Megatron arguments: global_batch_size ${gbs} × seq_length ${seq}`);
    } else if (gbs === undefined && seq !== undefined) {
      const old = oldMegatronGlobalBatch(args, int, this.deepspeed);
      if (typeof old === 'string') notes.push(old);
      else if (old !== undefined) {
        hyper.tokensPerStep = old.samples * seq;
        notes.push(`tokensPerStep from the log's Megatron arguments: ${old.how} × seq_length ${seq}`);
      }
    }
    if (samples !== undefined && seq !== undefined && hyper.tokens === undefined) {
      hyper.tokens = samples * seq;
      notes.push(`tokens from the log's Megatron arguments: train_samples ${samples} × seq_length ${seq}`);
      if (hyper.maxSteps === undefined && gbs !== undefined && constantBatch) {
        hyper.maxSteps = Math.ceil(samples / gbs);
        notes.push(`maxSteps from the log's Megatron arguments: train_samples ${samples} / global_batch_size ${gbs}`);
      }
    }
    return { hyper, notes, params };
  }

  private torchtitan(): TextLogFactsReading {
    const t = this.titan;
    const params = new Map<string, unknown>(t);
    const hyper: NativeHyper = {};
    const notes: string[] = [];
    const n = t.get('num_params');
    if (n !== undefined && n > 0) {
      hyper.params = n;
      notes.push('params from the log: torchtitan "size: … total parameters"');
    }
    const gbs = t.get('global_batch_size');
    const seq = t.get('seq_len');
    const steps = t.get('steps');
    if (seq !== undefined && seq > 0) {
      hyper.seqLen = seq;
      notes.push('seqLen from the log: torchtitan "sequence length"');
    }
    if (gbs !== undefined && seq !== undefined && gbs > 0 && seq > 0) {
      hyper.tokensPerStep = gbs * seq;
      notes.push(`tokensPerStep from the log: torchtitan global batch size ${gbs} × sequence length ${seq}`);
    }
    if (steps !== undefined && steps > 0) {
      hyper.maxSteps = steps;
      notes.push('maxSteps from the log: torchtitan "total steps"');
    }
    return { hyper, notes, params };
  }
}

/**
 * Megatron-LM before 2.0 (and its forks) has no global batch: `batch_size` is per GPU, printed with
 * `using world size: {} and model-parallel size: {}` (arguments.py) and in the arguments block as
 * `world_size` and `model_parallel_size`; each model-parallel group holds one replica, so the step's
 * samples are batch_size × world_size / model_parallel_size (× gradient accumulation when a fork
 * prints it). Under DeepSpeed the batch and accumulation come from its JSON config instead, read from
 * the engine's print of it when the log has one; a pipeline (`pipe_parallel_size`) changes the replica
 * count. Otherwise the reason it is unknown (a string).
 */
function oldMegatronGlobalBatch(
  args: ReadonlyMap<string, string>,
  int: (name: string) => number | undefined,
  deepspeed: ReadonlyMap<string, number>,
): { samples: number; how: string } | string | undefined {
  const perGpu = int('batch_size');
  const world = int('world_size');
  const mp = int('model_parallel_size');
  if (perGpu === undefined || world === undefined || mp === undefined || mp <= 0) return undefined;
  if (args.has('micro_batch_size') || args.has('tensor_model_parallel_size')) return undefined;
  const pipe = int('pipe_parallel_size') ?? int('pipeline_model_parallel_size') ?? 1;
  if (args.get('deepspeed') === 'True') {
    // DeepSpeed's engine prints its config, train_batch_size among it (micro-batch × accumulation ×
    // data-parallel). A logged iteration is that whole batch when the pipeline engine runs it
    // (pipe_parallel_size > 1: one train_batch call an iteration) or when nothing accumulates; with
    // accumulation and no pipeline an old Megatron iteration may be one micro-batch: not guessed.
    const batch = deepspeed.get('train_batch_size');
    const accumulation = deepspeed.get('gradient_accumulation_steps');
    if (batch !== undefined && batch > 0 && (pipe > 1 || accumulation === 1))
      return {
        samples: batch,
        how: `DeepSpeed's train_batch_size ${batch} (its config as the log prints it${pipe > 1 ? `, pipeline of ${pipe}` : ', no accumulation'})`,
      };
    return batch !== undefined
      ? `tokensPerStep unknown: DeepSpeed's train_batch_size ${batch} accumulates ${accumulation ?? 'an unprinted number of'} micro-batches without a pipeline, and an old Megatron iteration may be one of them`
      : `tokensPerStep unknown: batch_size ${perGpu} is per GPU and DeepSpeed's config (its train_batch_size not in the log) sets the gradient accumulation`;
  }
  if (pipe !== 1 || world % mp !== 0)
    return `tokensPerStep unknown: batch_size ${perGpu} is per GPU and the data-parallel size is not world_size / model_parallel_size`;
  const dp = world / mp;
  const accumulation = int('gradient_accumulation_steps') ?? 1;
  const how = `batch_size ${perGpu} per GPU × data-parallel ${dp} (world_size ${world} / model_parallel_size ${mp})${accumulation !== 1 ? ` × gradient_accumulation_steps ${accumulation}` : ''}`;
  return { samples: perGpu * dp * accumulation, how };
}
