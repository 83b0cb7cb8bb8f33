// Writes the bundled example workspace `examples/`: a small synthetic scaling sweep with known truth.
//   node --import tsx scripts/generate-examples.ts
// Deterministic: a seeded PRNG written here (mulberry32 + Box–Muller), one stream per run, so the
// output is byte-identical across runs of this script. Everything under examples/ is rewritten.
//
// The truth is deliberately NOT the models Scaling Lens fits (L(t) = E + A·t^-α per run and
// L(N,D) = E + A/N^α + B/D^β across runs), so comparing predictions with truth is not circular:
// * final loss of a run: Kaplan et al. (2020) eq. 1.5, L(N,D) = [(Nc/N)^(αN/αD) + Dc/D]^αD, with N the
//   non-embedding parameters and D the training tokens (no irreducible term);
// * loss along a run: a schedule-aware "learning-rate area" model (Tissue et al. 2024, "Scaling Law
//   with Learning Rate Annealing"): L(s) = E_r + A_r·(S1(s) + s0)^-α − C·S2(s), where S1 is the sum
//   of the LR (relative to its peak) up to step s and S2 the momentum-smoothed sum of LR decreases,
//   under Hugging Face's linear-warmup + cosine-to-zero schedule; E_r and A_r are set per run so that
//   L(0) = ln V and L(max_steps) = the Kaplan final loss;
// * logged values get 1% multiplicative Gaussian noise.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from '../src/core/fit/random';

const ROOT = path.resolve(__dirname, '..', 'examples');
const SEED = 20250601;
const FAMILY = 'example-sweep';

/** Truth constants (see README). */
const TRUTH = { alphaN: 0.076, alphaD: 0.095, Nc: 2e15, Dc: 1.5e15 } as const;
const CURVE = { alpha: 0.5, s0: 20, lambda: 0.999, C: 1.5e-4, noise: 0.01 } as const;

// ---------- PRNG ----------
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
class Rng {
  private readonly u: () => number;
  private spare: number | undefined;
  constructor(name: string) {
    this.u = mulberry32((SEED ^ fnv1a(name)) >>> 0);
  }
  uniform(): number {
    return this.u();
  }
  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u1 = Math.max(this.u(), 1e-12);
    const u2 = this.u();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

// ---------- Python-style JSON (what json.dumps writes: 1.0, 3e-05, NaN) ----------
/** A float, printed as Python's repr prints it. Plain numbers must be integers. */
class F {
  constructor(readonly v: number) {}
}
type Py = null | boolean | string | number | F | Py[] | { [k: string]: Py };
function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e16)) {
    const [m, e] = x.toExponential().split('e');
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '');
    return `${m}e${sign}${digits.padStart(2, '0')}`;
  }
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
function py(v: Py, indent?: number, sortKeys = false, depth = 0): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`float ${v} written as an integer`);
    return String(v);
  }
  if (v instanceof F) return pyFloat(v.v);
  const nl = indent === undefined ? '' : '\n' + ' '.repeat(indent * (depth + 1));
  const close = indent === undefined ? '' : '\n' + ' '.repeat(indent * depth);
  const sep = indent === undefined ? ', ' : ',';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => nl + py(x, indent, sortKeys, depth + 1)).join(sep) + close + ']';
  }
  const keys = Object.keys(v);
  if (sortKeys) keys.sort();
  if (keys.length === 0) return '{}';
  return '{' + keys.map((k) => `${nl}${JSON.stringify(k)}: ${py(v[k], indent, sortKeys, depth + 1)}`).join(sep) + close + '}';
}
const round = (x: number, digits: number) => Number(x.toFixed(digits));
const sig = (x: number, digits: number) => Number(x.toPrecision(digits));

// ---------- models ----------
interface LlamaShape {
  d: number;
  L: number;
  H: number;
  f: number;
}
const VOCAB = 32000;
const POSITIONS = 2048;

/** Llama-style, tied embeddings, no biases (independent of src/core on purpose). */
function llamaParams(s: LlamaShape, vocab = VOCAB): { total: number; nonEmbedding: number } {
  const perLayer = 4 * s.d * s.d + 3 * s.d * s.f + 2 * s.d;
  const nonEmbedding = s.L * perLayer + s.d;
  return { total: nonEmbedding + vocab * s.d, nonEmbedding };
}

function kaplanLoss(nonEmbedding: number, tokens: number): number {
  const { alphaN, alphaD, Nc, Dc } = TRUTH;
  return Math.pow(Math.pow(Nc / nonEmbedding, alphaN / alphaD) + Dc / tokens, alphaD);
}

/** HF get_cosine_schedule_with_warmup, relative to the peak: linear warmup, then cosine to zero. */
function lrFactor(step: number, warmup: number, maxSteps: number): number {
  if (step < warmup) return step / Math.max(1, warmup);
  const progress = (step - warmup) / Math.max(1, maxSteps - warmup);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** The noise-free loss at every step 0..maxSteps of a run whose final loss is `finalLoss`. */
function truthCurve(maxSteps: number, warmup: number, finalLoss: number, vocab: number): Float64Array {
  const S1 = new Float64Array(maxSteps + 1);
  const S2 = new Float64Array(maxSteps + 1);
  let s1 = 0;
  let s2 = 0;
  let m = 0;
  let prev = lrFactor(0, warmup, maxSteps);
  for (let s = 1; s <= maxSteps; s++) {
    const eta = lrFactor(s, warmup, maxSteps);
    s1 += eta;
    m = CURVE.lambda * m + Math.max(0, prev - eta);
    s2 += m;
    prev = eta;
    S1[s] = s1;
    S2[s] = s2;
  }
  const { alpha, s0, C } = CURVE;
  const head = Math.pow(s0, -alpha) - Math.pow(S1[maxSteps] + s0, -alpha);
  const A = (Math.log(vocab) - finalLoss - C * S2[maxSteps]) / head;
  const E = finalLoss + C * S2[maxSteps] - A * Math.pow(S1[maxSteps] + s0, -alpha);
  const out = new Float64Array(maxSteps + 1);
  for (let s = 0; s <= maxSteps; s++) out[s] = E + A * Math.pow(S1[s] + s0, -alpha) - C * S2[s];
  return out;
}

// ---------- runs ----------
type LogKind = 'jsonl' | 'hf';
interface RunSpec {
  name: string;
  shape: LlamaShape;
  log: LogKind;
  perDevice: number;
  gradAccum: number;
  world: number;
  lr: number;
  logEvery: number;
  special?: 'resumed' | 'diverged' | 'live';
  /** A JSONL log that records a wall clock (`time`, Unix seconds) on every row. */
  clock?: boolean;
}
const SEQ = 1024;

const RUNS: RunSpec[] = [
  { name: 'llama-12m', shape: { d: 256, L: 4, H: 4, f: 768 }, log: 'jsonl', perDevice: 32, gradAccum: 1, world: 1, lr: 1e-3, logEvery: 25, clock: true },
  {
    name: 'llama-23m',
    shape: { d: 384, L: 6, H: 6, f: 1024 },
    log: 'jsonl',
    perDevice: 16,
    gradAccum: 1,
    world: 2,
    lr: 8e-4,
    logEvery: 50,
    special: 'resumed',
    clock: true,
  },
  { name: 'llama-44m', shape: { d: 512, L: 8, H: 8, f: 1536 }, log: 'hf', perDevice: 32, gradAccum: 1, world: 2, lr: 6e-4, logEvery: 50 },
  { name: 'llama-95m', shape: { d: 768, L: 10, H: 12, f: 2048 }, log: 'jsonl', perDevice: 16, gradAccum: 2, world: 4, lr: 4e-4, logEvery: 50, clock: true },
  { name: 'llama-187m', shape: { d: 1024, L: 12, H: 16, f: 2816 }, log: 'hf', perDevice: 16, gradAccum: 2, world: 8, lr: 3e-4, logEvery: 50 },
  {
    name: 'llama-44m-lr3e-3',
    shape: { d: 512, L: 8, H: 8, f: 1536 },
    log: 'jsonl',
    perDevice: 32,
    gradAccum: 1,
    world: 2,
    lr: 3e-3,
    logEvery: 25,
    special: 'diverged',
    clock: true,
  },
  {
    name: 'llama-279m',
    shape: { d: 1280, L: 12, H: 20, f: 3456 },
    log: 'jsonl',
    perDevice: 16,
    gradAccum: 4,
    world: 8,
    lr: 2.5e-4,
    logEvery: 25,
    special: 'live',
  },
];

interface Planned {
  maxSteps: number;
  warmup: number;
  tokensPerStep: number;
  tokens: number;
}
/** Steps for ≈ 20 tokens per parameter, rounded to 100; warmup 2% of the steps, rounded to 10. */
function planRun(totalParams: number, tokensPerStep: number): Planned {
  const maxSteps = Math.max(100, Math.round((20 * totalParams) / tokensPerStep / 100) * 100);
  const warmup = Math.max(10, Math.round((0.02 * maxSteps) / 10) * 10);
  return { maxSteps, warmup, tokensPerStep, tokens: maxSteps * tokensPerStep };
}

function llamaConfig(s: LlamaShape): Py {
  return {
    architectures: ['LlamaForCausalLM'],
    attention_bias: false,
    attention_dropout: new F(0),
    bos_token_id: 1,
    eos_token_id: 2,
    head_dim: s.d / s.H,
    hidden_act: 'silu',
    hidden_size: s.d,
    initializer_range: new F(0.02),
    intermediate_size: s.f,
    max_position_embeddings: POSITIONS,
    mlp_bias: false,
    model_type: 'llama',
    num_attention_heads: s.H,
    num_hidden_layers: s.L,
    num_key_value_heads: s.H,
    pretraining_tp: 1,
    rms_norm_eps: new F(1e-5),
    rope_scaling: null,
    rope_theta: new F(10000),
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
    transformers_version: '4.44.2',
    use_cache: true,
    vocab_size: VOCAB,
  };
}

function trainingArgs(a: {
  perDevice: number;
  gradAccum: number;
  world?: number;
  seq?: number;
  maxSteps: number;
  lr: number;
  warmup: number;
  loggingSteps: number;
}): Py {
  const out: { [k: string]: Py } = { family: FAMILY, per_device_train_batch_size: a.perDevice, gradient_accumulation_steps: a.gradAccum };
  if (a.world !== undefined) out.world_size = a.world;
  if (a.seq !== undefined) out.max_seq_length = a.seq;
  Object.assign(out, {
    max_steps: a.maxSteps,
    learning_rate: new F(a.lr),
    lr_scheduler_type: 'cosine',
    warmup_steps: a.warmup,
    logging_steps: a.loggingSteps,
    seed: 42,
    bf16: true,
  });
  return out;
}

function write(rel: string, text: string): void {
  const file = path.join(ROOT, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const noisy = (rng: Rng, truth: number, sd: number = CURVE.noise) => truth * (1 + sd * rng.normal());

interface RunTruth {
  format: string;
  status: 'finished' | 'live' | 'failed';
  params: number;
  nonEmbeddingParams: number;
  tokensPerStep: number;
  maxSteps: number;
  tokens: number;
  lastLoggedStep: number;
  /** Noise-free loss at max_steps (what a completed run ends at); null for the diverged run. */
  finalLoss: number | null;
  /** Noise-free loss at the last logged step. */
  lossAtLastLoggedStep: number | null;
  note?: string;
}

function jsonlRow(step: number, loss: number, lr: number, tokens: number, time?: number): string {
  const row: { [k: string]: Py } = { step, loss: new F(Number.isNaN(loss) ? NaN : round(loss, 4)), lr: new F(sig(lr, 6)), tokens };
  if (time !== undefined) row.time = new F(round(time, 1));
  return py(row) + '\n';
}

/** The first run starts at 2025-06-01T00:00:00Z (Unix seconds); each later one an hour after the one before. */
const SWEEP_START_UNIX_S = 1_748_736_000;
/** Per-step overhead (data loading, optimizer, logging) on top of the compute time: small models are not compute-bound. */
const STEP_OVERHEAD_S = 0.12;
/** How long the resumed run's job waited in the queue after its crash. */
const REQUEUE_S = 40 * 60;
/** Loading the checkpoint when a job (re)starts. */
const STARTUP_S = 90;

/**
 * The wall clock of a JSONL run (the `time` column, Unix seconds): compute at 40% of an A100's bf16
 * peak plus a fixed overhead per step, with 3% jitter from its own random stream (so the losses'
 * noise is the same with or without clocks). Synthetic, for the wall-time axis and the ETA.
 */
function runClock(spec: RunSpec, index: number, nonEmbedding: number, tokensPerStep: number): { secondsPerStep: number; jitter: () => number; start: number } {
  const rng = new Rng(`${spec.name}/clock`);
  const secondsPerStep = (6 * nonEmbedding * tokensPerStep) / (spec.world * 312e12 * 0.4) + STEP_OVERHEAD_S;
  return { secondsPerStep, jitter: () => 1 + 0.03 * rng.normal(), start: SWEEP_START_UNIX_S + index * 3600 + STARTUP_S };
}

function generateRun(spec: RunSpec, index: number): RunTruth {
  const rng = new Rng(spec.name);
  const params = llamaParams(spec.shape);
  const tokensPerStep = spec.perDevice * spec.gradAccum * spec.world * SEQ;
  const plan = planRun(params.total, tokensPerStep);
  const final = kaplanLoss(params.nonEmbedding, plan.tokens);
  const curve = truthCurve(plan.maxSteps, plan.warmup, final, VOCAB);
  const dir = `sweep/${spec.name}`;
  write(`${dir}/config.json`, py(llamaConfig(spec.shape), 2, true) + '\n');
  write(
    `${dir}/training_args.json`,
    py(trainingArgs({ ...spec, seq: SEQ, maxSteps: plan.maxSteps, warmup: plan.warmup, loggingSteps: spec.logEvery }), 2) + '\n',
  );
  const lrAt = (s: number) => spec.lr * lrFactor(s, plan.warmup, plan.maxSteps);
  const truth: RunTruth = {
    format: spec.log === 'jsonl' ? 'metrics.jsonl' : 'trainer_state.json',
    status: 'finished',
    params: params.total,
    nonEmbeddingParams: params.nonEmbedding,
    tokensPerStep,
    maxSteps: plan.maxSteps,
    tokens: plan.tokens,
    lastLoggedStep: plan.maxSteps,
    finalLoss: round(final, 6),
    lossAtLastLoggedStep: round(final, 6),
  };
  if (spec.log === 'hf') {
    write(`${dir}/trainer_state.json`, trainerState(spec, plan, curve, rng, params.nonEmbedding));
    return truth;
  }
  let text = '';
  // The wall clock: `now` advances by the logged interval's steps at the run's pace.
  const clock = spec.clock ? runClock(spec, index, params.nonEmbedding, tokensPerStep) : undefined;
  let now = clock?.start ?? 0;
  let clockStep = 0;
  const timeAt = (s: number): number | undefined => {
    if (!clock) return undefined;
    now += Math.max(0, s - clockStep) * clock.secondsPerStep * clock.jitter();
    clockStep = s;
    return now;
  };
  const row = (s: number, loss: number) => jsonlRow(s, loss, lrAt(s), s * tokensPerStep, timeAt(s));
  const logSteps = (from: number, to: number) => {
    for (let s = from; s <= to; s += spec.logEvery) text += row(s, noisy(rng, curve[s]));
  };
  if (spec.special === 'resumed') {
    // Crashed after logging step ~62%, resumed from the checkpoint at 50%: steps in between are
    // logged twice, the second time with other noise (other data order after the restart).
    const crash = Math.round((0.62 * plan.maxSteps) / spec.logEvery) * spec.logEvery;
    const checkpoint = Math.round((0.5 * plan.maxSteps) / spec.logEvery) * spec.logEvery;
    logSteps(spec.logEvery, crash);
    // The job waits in the queue, reloads the checkpoint, and steps from there again.
    now += REQUEUE_S + STARTUP_S;
    clockStep = checkpoint;
    logSteps(checkpoint + spec.logEvery, plan.maxSteps);
    truth.note = `crashed after step ${crash}, resumed from the checkpoint at step ${checkpoint}: steps ${checkpoint + spec.logEvery}..${crash} appear twice; the later rows are the ones that count`;
  } else if (spec.special === 'diverged') {
    // Follows its curve until ~20% of the steps, then blows up within a few hundred steps and
    // logs NaN (written as Python's json.dumps writes it: a bare NaN) until the job is killed.
    const blowUp = Math.round((0.2 * plan.maxSteps) / spec.logEvery) * spec.logEvery;
    let s = spec.logEvery;
    for (; s <= blowUp; s += spec.logEvery) text += row(s, noisy(rng, curve[s]));
    let loss = curve[blowUp];
    for (; loss < 12; s += spec.logEvery) {
      loss = curve[s] + Math.expm1((s - blowUp) / 60) * 0.35;
      text += row(s, noisy(rng, Math.min(loss, 14)));
    }
    for (let k = 0; k < 6; k++, s += spec.logEvery) text += row(s, NaN);
    truth.status = 'failed';
    truth.lastLoggedStep = s - spec.logEvery;
    truth.finalLoss = null;
    truth.lossAtLastLoggedStep = null;
    truth.note = `learning rate 5× too high: diverges after step ${blowUp}, NaN from step ${s - 6 * spec.logEvery}, killed at step ${s - spec.logEvery}`;
  } else if (spec.special === 'live') {
    // Still training: stopped at 40% of max_steps (the product should extrapolate to max_steps).
    const last = Math.round((0.4 * plan.maxSteps) / spec.logEvery) * spec.logEvery;
    logSteps(spec.logEvery, last);
    truth.status = 'live';
    truth.lastLoggedStep = last;
    truth.lossAtLastLoggedStep = round(curve[last], 6);
    truth.note = `live: logged to step ${last} of ${plan.maxSteps}; finalLoss is the truth at max_steps`;
  } else {
    logSteps(spec.logEvery, plan.maxSteps);
  }
  write(`${dir}/metrics.jsonl`, text);
  return truth;
}

/** A Hugging Face Trainer `trainer_state.json` as written at the end of training (indent 2, sorted keys). */
function trainerState(spec: RunSpec, plan: Planned, curve: Float64Array, rng: Rng, nonEmbedding: number): string {
  const evalSteps = 1000;
  const globalBatch = spec.perDevice * spec.gradAccum * spec.world;
  const stepsPerEpoch = Math.round(plan.maxSteps * 1.25);
  const epoch = (s: number) => new F(round(s / stepsPerEpoch, 4));
  // Synthetic timing: A100 bf16 peak 312 TFLOP/s at 40% utilisation, 6·N per token.
  const stepSeconds = (6 * nonEmbedding * plan.tokensPerStep) / (spec.world * 312e12 * 0.4);
  const rows: Py[] = [];
  let lossSum = 0;
  for (let s = spec.logEvery; s <= plan.maxSteps; s += spec.logEvery) {
    // `loss` is the mean over the logging window, rounded to 4 decimals by the Trainer.
    let mean = 0;
    for (let k = s - spec.logEvery + 1; k <= s; k++) mean += curve[k];
    mean /= spec.logEvery;
    const loss = round(noisy(rng, mean), 4);
    lossSum += loss * spec.logEvery;
    const gradNorm = 0.25 + 1.8 * Math.exp(-s / 400) + 0.04 * Math.abs(rng.normal());
    rows.push({
      epoch: epoch(s),
      grad_norm: new F(gradNorm),
      learning_rate: new F(spec.lr * lrFactor(s, plan.warmup, plan.maxSteps)),
      loss: new F(loss),
      step: s,
    });
    if (s % evalSteps === 0 || s === plan.maxSteps) {
      const evalRuntime = round(18 + 2 * rng.uniform(), 4);
      rows.push({
        epoch: epoch(s),
        eval_loss: new F(noisy(rng, curve[s], 0.003)),
        eval_runtime: new F(evalRuntime),
        eval_samples_per_second: new F(round(2048 / evalRuntime, 3)),
        eval_steps_per_second: new F(round(2048 / spec.perDevice / spec.world / evalRuntime, 3)),
        step: s,
      });
    }
  }
  const totalFlos = 6 * nonEmbedding * plan.tokens;
  const runtime = round(plan.maxSteps * stepSeconds * 1.04, 4);
  rows.push({
    epoch: epoch(plan.maxSteps),
    step: plan.maxSteps,
    total_flos: new F(totalFlos),
    train_loss: new F(lossSum / (Math.floor(plan.maxSteps / spec.logEvery) * spec.logEvery)),
    train_runtime: new F(runtime),
    train_samples_per_second: new F(round((plan.maxSteps * globalBatch) / runtime, 3)),
    train_steps_per_second: new F(round(plan.maxSteps / runtime, 3)),
  });
  const state: Py = {
    best_metric: null,
    best_model_checkpoint: null,
    epoch: epoch(plan.maxSteps),
    eval_steps: evalSteps,
    global_step: plan.maxSteps,
    is_hyper_param_search: false,
    is_local_process_zero: true,
    is_world_process_zero: true,
    log_history: rows,
    logging_steps: spec.logEvery,
    max_steps: plan.maxSteps,
    num_input_tokens_seen: 0,
    num_train_epochs: 1,
    save_steps: 1000,
    stateful_callbacks: {
      TrainerControl: {
        args: { should_epoch_stop: false, should_evaluate: false, should_log: false, should_save: true, should_training_stop: true },
        attributes: {},
      },
    },
    total_flos: new F(totalFlos),
    train_batch_size: spec.perDevice,
    trial_name: null,
    trial_params: null,
  };
  return py(state, 2, true) + '\n';
}

// ---------- planned configs ----------
/** openai-community/gpt2 `config.json`, as published on the Hugging Face Hub. */
const GPT2_SMALL_CONFIG: Py = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: new F(0.1),
  bos_token_id: 50256,
  embd_pdrop: new F(0.1),
  eos_token_id: 50256,
  initializer_range: new F(0.02),
  layer_norm_epsilon: new F(1e-5),
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  resid_pdrop: new F(0.1),
  summary_activation: null,
  summary_first_dropout: new F(0.1),
  summary_proj_to_labels: true,
  summary_type: 'cls_index',
  summary_use_proj: true,
  task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  vocab_size: 50257,
};

interface PlannedTruth {
  params: number;
  nonEmbeddingParams: number;
  tokensPerStep: number;
  maxSteps: number;
  tokens: number;
  finalLoss: number;
  note?: string;
}

function generatePlanned400m(): PlannedTruth {
  const shape: LlamaShape = { d: 1536, L: 12, H: 24, f: 4096 };
  const params = llamaParams(shape);
  const a = { perDevice: 16, gradAccum: 4, world: 16, seq: SEQ, lr: 2e-4 };
  const tokensPerStep = a.perDevice * a.gradAccum * a.world * a.seq;
  const plan = planRun(params.total, tokensPerStep);
  write('configs/planned-400m/config.json', py(llamaConfig(shape), 2, true) + '\n');
  write('configs/planned-400m/training_args.json', py(trainingArgs({ ...a, maxSteps: plan.maxSteps, warmup: plan.warmup, loggingSteps: 25 }), 2) + '\n');
  return {
    params: params.total,
    nonEmbeddingParams: params.nonEmbedding,
    tokensPerStep,
    maxSteps: plan.maxSteps,
    tokens: plan.tokens,
    finalLoss: round(kaplanLoss(params.nonEmbedding, plan.tokens), 6),
  };
}

function generateGpt2Small(): PlannedTruth {
  // GPT-2 small: 12·(12·768² + 13·768) + 2·768 = 85,056,000 non-embedding; + (50,257 + 1,024)·768.
  const nonEmbedding = 85_056_000;
  const total = 124_439_808;
  // nanoGPT's recipe: 12 sequences × 40 accumulation steps × 1,024 tokens; world_size and
  // max_seq_length are left out on purpose (the reader assumes 1 process and n_positions).
  const a = { perDevice: 12, gradAccum: 40, lr: 6e-4 };
  const tokensPerStep = a.perDevice * a.gradAccum * 1024;
  const maxSteps = 5000;
  write('configs/gpt2-small/config.json', py(GPT2_SMALL_CONFIG, 2, true) + '\n');
  write('configs/gpt2-small/training_args.json', py(trainingArgs({ ...a, maxSteps, warmup: 200, loggingSteps: 10 }), 2) + '\n');
  return {
    params: total,
    nonEmbeddingParams: nonEmbedding,
    tokensPerStep,
    maxSteps,
    tokens: maxSteps * tokensPerStep,
    finalLoss: round(kaplanLoss(nonEmbedding, maxSteps * tokensPerStep), 6),
    note: 'other tokenizer (GPT-2 BPE, 50,257): in this synthetic world the truth depends on N and D only',
  };
}

// ---------- main ----------
function main(): void {
  fs.rmSync(ROOT, { recursive: true, force: true });
  fs.mkdirSync(ROOT, { recursive: true });
  const runs: Record<string, RunTruth> = {};
  RUNS.forEach((spec, i) => (runs[`sweep/${spec.name}`] = generateRun(spec, i)));
  const configs: Record<string, PlannedTruth> = {
    'configs/planned-400m': generatePlanned400m(),
    'configs/gpt2-small': generateGpt2Small(),
  };
  const truth = {
    generator: 'scripts/generate-examples.ts',
    seed: SEED,
    family: FAMILY,
    finalLossLaw: {
      formula: 'L(N, D) = ((Nc / N)^(alphaN / alphaD) + Dc / D)^alphaD',
      N: 'non-embedding parameters (Kaplan et al. 2020 convention)',
      D: 'training tokens = max_steps × tokens per step',
      ...TRUTH,
    },
    curveModel: {
      formula: 'L(s) = E_r + A_r·(S1(s) + s0)^-alpha − C·S2(s); S1(s) = Σ_{i≤s} η_i; S2(s) = Σ_{i≤s} m_i, m_i = lambda·m_{i−1} + max(0, η_{i−1} − η_i)',
      eta: 'LR relative to its peak: linear warmup over warmup_steps, then cosine to zero at max_steps (HF "cosine")',
      calibration: 'E_r, A_r per run so that L(0) = ln(vocab) and L(max_steps) = L(N, D)',
      ...CURVE,
      noise: 'logged loss × (1 + 0.01·z), z ~ N(0, 1); HF eval_loss × (1 + 0.003·z); HF train loss is the window mean of the curve',
    },
    runs,
    configs,
  };
  write('TRUTH.json', JSON.stringify(truth, null, 2) + '\n');
  write('README.md', readme(runs, configs));
}

function readme(runs: Record<string, RunTruth>, configs: Record<string, PlannedTruth>): string {
  const m = (n: number) => `${(n / 1e6).toFixed(1)}M`;
  const b = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : `${(n / 1e6).toFixed(0)}M`);
  const runRows = Object.entries(runs)
    .map(
      ([id, r]) =>
        `| \`${id}\` | ${r.format} | ${m(r.params)} | ${m(r.nonEmbeddingParams)} | ${b(r.tokens)} | ${r.maxSteps} | ${r.lastLoggedStep} | ${r.status} | ${r.finalLoss === null ? '—' : r.finalLoss.toFixed(4)} |`,
    )
    .join('\n');
  const finished = Object.values(runs).filter((r) => r.status === 'finished');
  const ratio = (k: 'params' | 'tokens') => (configs['configs/planned-400m'][k] / Math.max(...finished.map((r) => r[k]))).toFixed(1);
  const configRows = Object.entries(configs)
    .map(([id, c]) => `| \`${id}\` | ${m(c.params)} | ${m(c.nonEmbeddingParams)} | ${b(c.tokens)} | ${c.maxSteps} | ${c.finalLoss.toFixed(4)} |`)
    .join('\n');
  return `# Scaling Lens example workspace

A small, synthetic scaling sweep to open in VS Code with Scaling Lens: seven training runs of one
family (\`${FAMILY}\`) and two training configs not trained yet. Every number was generated by
\`scripts/generate-examples.ts\` from a known truth, so predictions can be checked against it
(\`TRUTH.json\` has every value below and more). Regenerate with \`npm run examples\`
(deterministic: seed ${SEED}, byte-identical output).

## Layout

\`\`\`
sweep/<run>/config.json           Hugging Face Llama-style model config (vocab ${VOCAB}, tied embeddings)
sweep/<run>/training_args.json    TrainingArguments names + family, world_size, max_seq_length
sweep/<run>/metrics.jsonl         {"step": …, "loss": …, "lr": …, "tokens": …, "time": …} per logged step
                                  (\`time\`: Unix seconds; not in the live run's log), or
sweep/<run>/trainer_state.json    HF Trainer state: train rows every logging_steps, eval rows every
                                  1,000 steps, a final summary row
configs/planned-400m/             a larger config of the same family, not trained: predict it
configs/gpt2-small/               GPT-2 small's published config.json + a nanoGPT-like recipe
                                  (training_args.json leaves out world_size and max_seq_length)
TRUTH.json                        the true (noise-free) final loss of every run and config
\`\`\`

| run | log | params | non-emb. | tokens D | max_steps | last logged | status | true final loss |
|---|---|---|---|---|---|---|---|---|
${runRows}

| config | params | non-emb. | tokens D | max_steps | true final loss |
|---|---|---|---|---|---|
${configRows}

Things to notice:
* \`llama-23m\` crashed and was resumed from an earlier checkpoint: its \`metrics.jsonl\` goes back
  in steps, and the overlapping steps have slightly different values (the later ones count). Its
  \`time\` column shows the ${REQUEUE_S / 60} minutes the job waited before resuming: a gap on the
  dashboard's wall-time axis.
* The JSONL runs except the live one record \`time\` (wall clock, Unix seconds): they can be drawn
  against wall time (hours since their first logged point). The live run has no clock, so its ETA
  comes from when new steps arrive.
* \`llama-44m-lr3e-3\` uses a 5× higher learning rate and diverges: the loss blows up, then the log
  holds \`NaN\` (a bare \`NaN\`, as Python's \`json.dumps\` writes it) until the job was killed.
* \`llama-279m\` is still "live": it stops at 40% of its \`max_steps\`; the product should
  extrapolate its curve to \`max_steps\` (truth in the table).
* Runs have about 20 training tokens per parameter. Sequence length ${SEQ}; tokens/step =
  per_device_train_batch_size × gradient_accumulation_steps × world_size × max_seq_length.

## How it was generated (the truth)

**Final loss of a run** (Kaplan et al. 2020, eq. 1.5), with N the non-embedding parameters
(Kaplan's convention) and D the training tokens:

    L(N, D) = [ (Nc / N)^(αN / αD) + Dc / D ]^αD
    αN = ${TRUTH.alphaN}, αD = ${TRUTH.alphaD}, Nc = ${TRUTH.Nc.toExponential()}, Dc = ${TRUTH.Dc.toExponential()}

Kaplan's exponents; Nc and Dc are scaled so losses land between 3 and 5 nats. There is no
irreducible loss term, unlike the law Scaling Lens fits (E + A/N^α + B/D^β), so the fit is an
approximation of the truth, not a copy of it.

**Loss along a run**, a schedule-aware "learning-rate area" model (after Tissue et al. 2024,
"Scaling Law with Learning Rate Annealing"):

    L(s) = E_r + A_r · (S1(s) + s0)^-α − C · S2(s)
    S1(s) = Σ_{i≤s} η_i                      (forward area: the LR summed over steps)
    S2(s) = Σ_{i≤s} m_i,  m_i = λ·m_{i−1} + max(0, η_{i−1} − η_i)   (annealing area)
    α = ${CURVE.alpha}, s0 = ${CURVE.s0}, λ = ${CURVE.lambda}, C = ${CURVE.C}

η is the learning rate relative to its peak under Hugging Face's \`cosine\` schedule: linear
warmup over \`warmup_steps\` (2% of the steps), then cosine to zero at \`max_steps\`. E_r and A_r
are set per run so that L(0) = ln(${VOCAB}) and L(max_steps) = L(N, D) above. The per-run law
Scaling Lens fits (E + A·t^-α, in steps) is again not the truth's form: the truth bends down at
the end of the cosine decay (the annealing bonus).

**Noise**: each logged loss is the truth × (1 + 0.01·z), z ~ N(0, 1) (a seeded mulberry32 +
Box–Muller stream per run). In \`trainer_state.json\` the train \`loss\` is the noisy mean of the
truth over the logging window (rounded to 4 decimals, as the Trainer does), and \`eval_loss\` is
the truth × (1 + 0.003·z). \`total_flos\` is 6 × non-embedding params × tokens (as the Trainer
computes it); runtimes (and the JSONL \`time\` column: compute at that utilisation plus
${STEP_OVERHEAD_S} s per step, 3% jitter) assume A100s at 40% utilisation and are for show only.

## Comparing predictions with the truth

* Per run: the predicted loss at \`max_steps\` vs \`runs[id].finalLoss\` (for \`llama-279m\` this
  is an extrapolation from 40% of the run).
* Across runs: the family law's prediction for \`configs/planned-400m\` (${ratio('params')}× the parameters
  of the largest finished run, ${ratio('tokens')}× its tokens) vs \`configs["configs/planned-400m"].finalLoss\`.
* \`configs/gpt2-small\` checks the config reader: ${m(configs['configs/gpt2-small'].params)} parameters
  (124,439,808), ${m(configs['configs/gpt2-small'].nonEmbeddingParams)} non-embedding, D = 5,000 × 491,520 tokens
  (12 × 40 × 1 process × 1,024 positions, the last two assumed).
`;
}

main();
