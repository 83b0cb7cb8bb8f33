// Writes the real example workspace `examples-real/` from the Multi-Power Law loss curves (Luo et al.
// 2025, MIT licence) in ../shared/data/multipowerlaw-schedules: three model sizes × nine LR schedules,
// each curve written as a Hugging Face run (trainer_state.json with its logged loss and learning rate,
// training_args.json with the schedule, config.json with a Llama-2 shape of that size).
//   npm run examples:real
// The generated files are committed (a clone has no ../shared); without the data this script says so
// and leaves them as they are. Deterministic: no randomness, byte-identical output.
//
// The three 72k-step cosine runs (one per size, three times as long as the others) are cut to their
// first 30% as live runs, the largest model's the headline; their true ends are held back in
// TRUTH.json. A planned config of a larger model of the same family is added.
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const ROOT = path.join(repoRoot, 'examples-real');
const dataArg = process.argv.indexOf('--data');
const DATA =
  dataArg > 0 && process.argv[dataArg + 1]
    ? path.resolve(process.argv[dataArg + 1])
    : path.resolve(repoRoot, '..', 'shared', 'data', 'multipowerlaw-schedules');

const FAMILY = 'multipower-llama2';
const SOURCE = {
  repository: 'https://github.com/thu-yao-01-luo/MultiPowerLaw',
  path: 'loss_curve_repo/csv_{25,100,400}/*.csv',
  commit: '8da9f1902602f3391b971a811e3cc51604541769',
  licence: 'MIT, Copyright (c) 2025 Kairong Luo (LICENSE-MultiPowerLaw beside this file)',
  paper:
    'Luo, Wen, Hu, Sun, Liu, Sun, Lyu, Chen 2025, "A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules", ICLR 2025, arXiv:2503.12811',
} as const;

// The schedules as the source's own code builds them (src/data_loader.py, src/lr_schedules.py): peak
// 3e-4, linear warmup over 2,160 steps, decays to 3e-5. Warmup steps are not in the CSV files.
const PEAK_LR = 3e-4;
const MIN_LR_RATE = 0.1;
const WARMUP = 2160;
/** Fraction of the live run's steps that are in its log. */
const LIVE_FRACTION = 0.3;
const LIVE = new Set(['25/cosine_72000', '100/cosine_72000', '400/cosine_72000']);

// Tokens per step are not in the data: assumed 128 sequences of 4,096 tokens (16 per device × 8 GPUs).
const BATCH = { perDevice: 16, gradAccum: 1, worldSize: 8, seqLen: 4096 } as const;
const TOKENS_PER_STEP = BATCH.perDevice * BATCH.gradAccum * BATCH.worldSize * BATCH.seqLen;

/** A Llama-2 shape with about the named number of non-embedding parameters (the data names sizes only). */
interface Shape {
  hidden: number;
  layers: number;
  heads: number;
  ffn: number;
}
const SHAPES: Record<string, Shape> = {
  '25': { hidden: 512, layers: 8, heads: 8, ffn: 1376 },
  '100': { hidden: 768, layers: 14, heads: 12, ffn: 2048 },
  '400': { hidden: 1536, layers: 14, heads: 12, ffn: 4096 },
};
/** The planned config: about 2.5× the non-embedding parameters of the largest run, as long as the longest. */
const PLANNED = { name: 'planned-1b', shape: { hidden: 2048, layers: 20, heads: 16, ffn: 5504 }, maxSteps: 72_000 } as const;
const VOCAB = 32_000;

/** Non-embedding parameters of a Llama block stack: attention 4d², SwiGLU 3·d·f, two RMSNorms per layer, a final one. */
function nonEmbedding(s: Shape): number {
  return s.layers * (4 * s.hidden * s.hidden + 3 * s.hidden * s.ffn + 2 * s.hidden) + s.hidden;
}
function totalParams(s: Shape): number {
  return nonEmbedding(s) + 2 * VOCAB * s.hidden; // untied input and output embeddings
}

interface ScheduleInfo {
  /** What the file's name says, in words. */
  describe: string;
  maxSteps: number;
  /** The schedule as Hugging Face's TrainingArguments name it, when it has one. */
  args: Record<string, unknown>;
}

function scheduleOf(name: string): ScheduleInfo {
  const base = { learning_rate: PEAK_LR, warmup_steps: WARMUP };
  const m = /^(constant|cosine)_(\d+)$/.exec(name);
  if (m) {
    const steps = Number(m[2]);
    return m[1] === 'constant'
      ? { describe: `constant LR 3e-4, ${steps} steps`, maxSteps: steps, args: { ...base, lr_scheduler_type: 'constant_with_warmup' } }
      : {
          describe: `cosine from 3e-4 to 3e-5 over ${steps} steps`,
          maxSteps: steps,
          args: { ...base, lr_scheduler_type: 'cosine_with_min_lr', lr_scheduler_kwargs: { min_lr_rate: MIN_LR_RATE } },
        };
  }
  if (name === 'wsdld_20000_24000')
    return {
      describe: 'warmup-stable-decay: 3e-4 to step 20,000, then linear decay to 3e-5 at 24,000',
      maxSteps: 24_000,
      args: {
        ...base,
        lr_scheduler_type: 'warmup_stable_decay',
        lr_scheduler_kwargs: { num_stable_steps: 20_000 - WARMUP, num_decay_steps: 4000, decay_type: 'linear', min_lr_ratio: MIN_LR_RATE },
      },
    };
  // No Hugging Face scheduler has these two shapes: the name says what they are, and the logged LR is the schedule.
  if (name === 'wsd_20000_24000')
    return {
      describe: 'warmup-stable-decay: 3e-4 to step 20,000, then exponential decay to 3e-5 at 24,000',
      maxSteps: 24_000,
      args: { ...base, lr_scheduler_type: 'wsd_exponential_decay' },
    };
  const c = /^wsdcon_(\d+)$/.exec(name);
  if (c)
    return {
      describe: `two-stage: 3e-4 to step 8,000, then constant ${Number(c[1])}e-5 to 16,000`,
      maxSteps: 16_000,
      args: { ...base, lr_scheduler_type: 'two_stage' },
    };
  throw new Error(`unknown schedule file ${name}`);
}

/** JSON with 2-space indent, as the Trainer writes it (json.dumps(indent=2, sort_keys=True)). */
function dump(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

function llamaConfig(s: Shape): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    attention_bias: false,
    head_dim: s.hidden / s.heads,
    hidden_act: 'silu',
    hidden_size: s.hidden,
    intermediate_size: s.ffn,
    max_position_embeddings: BATCH.seqLen,
    model_type: 'llama',
    num_attention_heads: s.heads,
    num_hidden_layers: s.layers,
    num_key_value_heads: s.heads,
    rms_norm_eps: 1e-5,
    tie_word_embeddings: false,
    torch_dtype: 'bfloat16',
    vocab_size: VOCAB,
  };
}

function trainingArgs(maxSteps: number, schedule: Record<string, unknown>): Record<string, unknown> {
  return {
    family: FAMILY,
    per_device_train_batch_size: BATCH.perDevice,
    gradient_accumulation_steps: BATCH.gradAccum,
    world_size: BATCH.worldSize,
    max_seq_length: BATCH.seqLen,
    max_steps: maxSteps,
    logging_steps: 128,
    ...schedule,
  };
}

function readCurve(file: string): { step: number; lr: number; loss: number }[] {
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return rows.map((line) => {
    const [step, lr, loss] = line.split(',').map(Number);
    return { step, lr, loss };
  });
}

// The family law compares final losses: runs whose LR never reached the schedules' common floor are left out of it.
const WORKSPACE_FILE = `# The family law L(N, D) compares final losses; a run whose LR never decayed to the schedules'
# common floor (3e-5) ends higher for that reason alone, not for its N and D. Those runs stay in the
# workspace (their curves still teach the live run's forecast how the loss answers the schedule)
# but are left out of the family's fit.
fits:
  ${FAMILY}:
    law: chinchilla
    exclude:
      - "runs/*/constant_24000"   # constant 3e-4: never decays
      - "runs/*/constant_72000"
      - "runs/*/wsdcon_9"         # two-stage: ends at 9e-5
      - "runs/*/wsdcon_18"        # two-stage: ends at 1.8e-4
`;

// The source's licence, as its LICENSE file states it (MIT: the notice goes with every copy).
const LICENCE = `MIT License

Copyright (c) 2025 Kairong Luo

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

function readme(table: string[]): string {
  const m = (n: number) => `${(n / 1e6).toFixed(1)}M`;
  return `# Scaling Lens real example: Multi-Power Law loss curves

Real training curves, not generated ones: the loss of Llama-2-style models of three sizes (25M, 100M,
400M), each trained under nine learning-rate schedules, published with the Multi-Power Law paper.
Open this folder in VS Code with Scaling Lens (or run \`npm run demo\`, which does).

**Source and licence.** ${SOURCE.paper}. Curves from ${SOURCE.repository}, \`${SOURCE.path}\`, commit
\`${SOURCE.commit}\`; MIT licence, copyright (c) 2025 Kairong Luo: see
[LICENSE-MultiPowerLaw](LICENSE-MultiPowerLaw). Each CSV (columns step, lr, loss; the training loss
every 128 steps from the end of warmup) is written here as a Hugging Face run: its rows are the
\`log_history\` of \`trainer_state.json\` (\`loss\`, \`learning_rate\`, \`step\`), unchanged. Rebuild with
\`npm run examples:real\` (reads \`../shared/data/multipowerlaw-schedules\` when present).

**What is assumed** (the data give the losses, LRs and steps, not these):
* tokens per step ${TOKENS_PER_STEP.toLocaleString('en-US')} (${BATCH.perDevice} per device × ${BATCH.worldSize} GPUs × ${BATCH.seqLen} tokens), so D = steps × that;
* model shapes: Llama-2 shapes with about the named non-embedding parameters (${Object.entries(SHAPES)
    .map(([k, s]) => `${k}M: ${m(nonEmbedding(s))} non-embedding, ${m(totalParams(s))} in all`)
    .join('; ')}), vocabulary ${VOCAB}, untied embeddings;
* warmup: ${WARMUP} linear steps to 3e-4, as the source's code builds its schedules (the CSVs start after it).

**The live runs.** The three 72k-step cosine runs, three times as long as the others, are still
training: each is cut to its first ${100 * LIVE_FRACTION}% (its log stops near step 21,500 of 72,000; no summary row).
\`runs/llama-400m/cosine_72000\` is the headline. Their true ends are held back in [TRUTH.json](TRUTH.json)
(\`runs[id].finalLoss\` where \`heldBack\` is set): compare the forecasts Scaling Lens shows with them.
Their configs name HF's \`cosine_with_min_lr\` with \`lr_scheduler_kwargs.min_lr_rate\` 0.1, so the steps
still to come follow the cosine to 3e-5.

**The planned config.** \`configs/${PLANNED.name}\` (${m(nonEmbedding(PLANNED.shape))} non-embedding, ${m(totalParams(PLANNED.shape))} in all) trains
as long as the longest runs (${PLANNED.maxSteps.toLocaleString('en-US')} steps, the same cosine). It has no truth: its
prediction must lie below the 400M live run's (more parameters, same tokens), and Plan Compute Budget at its
compute must not recommend anything predicted worse.

**Family fit.** \`.scalinglens.yaml\` leaves the runs whose LR never decays to 3e-5 (constant, and the
two-stage runs ending at 9e-5 and 1.8e-4) out of the family law L(N, D): their final loss reflects the
schedule, not N and D. They stay siblings for the live runs' forecasts.

**Caveats.** One seed per curve. The 25M two-stage (\`wsdcon_*\`) files stop at step 14,144 of 16,000.
The logged loss is the training loss; its final value is what TRUTH.json calls the final loss.

| run | schedule | status | final loss (logged) |
|---|---|---|---|
${table.join('\n')}
`;
}

function main(): number {
  const sizes = ['25', '100', '400'];
  if (!sizes.every((s) => fs.existsSync(path.join(DATA, `csv_${s}`)))) {
    console.log(`${path.relative(repoRoot, DATA)} not found: examples-real/ is left as committed (it is generated from that data when present).`);
    return 0;
  }
  fs.rmSync(path.join(ROOT, 'runs'), { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, 'configs'), { recursive: true, force: true });
  const truth: Record<string, unknown> = {};
  const table: string[] = [];
  for (const size of sizes) {
    const shape = SHAPES[size];
    const files = fs
      .readdirSync(path.join(DATA, `csv_${size}`))
      .filter((f) => f.endsWith('.csv'))
      .sort();
    for (const f of files) {
      const name = f.replace(/\.csv$/, '');
      const sched = scheduleOf(name);
      const curve = readCurve(path.join(DATA, `csv_${size}`, f));
      const live = LIVE.has(`${size}/${name}`);
      const cut = Math.floor(LIVE_FRACTION * sched.maxSteps);
      const logged = live ? curve.filter((p) => p.step <= cut) : curve;
      const id = `runs/llama-${size}m/${name}`;
      const dir = path.join(ROOT, id);
      fs.mkdirSync(dir, { recursive: true });
      const nonEmb = nonEmbedding(shape);
      const tokens = sched.maxSteps * TOKENS_PER_STEP;
      const history: Record<string, unknown>[] = logged.map((p) => ({ learning_rate: p.lr, loss: p.loss, step: p.step }));
      const last = logged[logged.length - 1];
      if (!live) {
        // The Trainer's summary row: the run ended. total_flos as the Trainer counts it (6 × non-embedding parameters × tokens).
        history.push({
          step: sched.maxSteps,
          total_flos: 6 * nonEmb * tokens,
          train_loss: Math.round((curve.reduce((a, p) => a + p.loss, 0) / curve.length) * 1e4) / 1e4,
        });
      }
      const state = {
        global_step: last.step,
        log_history: history,
        logging_steps: 128,
        max_steps: sched.maxSteps,
        num_input_tokens_seen: 0,
        train_batch_size: BATCH.perDevice,
      };
      fs.writeFileSync(path.join(dir, 'trainer_state.json'), dump(state));
      fs.writeFileSync(path.join(dir, 'training_args.json'), dump(trainingArgs(sched.maxSteps, sched.args)));
      fs.writeFileSync(path.join(dir, 'config.json'), dump(llamaConfig(shape)));
      const end = curve[curve.length - 1];
      truth[id] = {
        source: `csv_${size}/${f}`,
        schedule: sched.describe,
        status: live ? 'live' : 'finished',
        params: totalParams(shape),
        nonEmbeddingParams: nonEmb,
        maxSteps: sched.maxSteps,
        tokens,
        lastLoggedStep: last.step,
        finalLoss: end.loss,
        finalLossStep: end.step,
        ...(live
          ? {
              heldBack: `steps after ${last.step} (${100 * LIVE_FRACTION}% of ${sched.maxSteps}) are held back; finalLoss is the logged loss at step ${end.step}`,
            }
          : {}),
      };
      table.push(`| \`${id}\` | ${sched.describe} | ${live ? `**live**: ${last.step} of ${sched.maxSteps}` : 'finished'} | ${end.loss.toFixed(4)} |`);
    }
  }
  const pdir = path.join(ROOT, 'configs', PLANNED.name);
  fs.mkdirSync(pdir, { recursive: true });
  fs.writeFileSync(path.join(pdir, 'config.json'), dump(llamaConfig(PLANNED.shape)));
  fs.writeFileSync(
    path.join(pdir, 'training_args.json'),
    dump(
      trainingArgs(PLANNED.maxSteps, {
        learning_rate: PEAK_LR,
        warmup_steps: WARMUP,
        lr_scheduler_type: 'cosine_with_min_lr',
        lr_scheduler_kwargs: { min_lr_rate: MIN_LR_RATE },
      }),
    ),
  );
  const out = {
    generator: 'scripts/generate-real-example.ts',
    source: SOURCE,
    family: FAMILY,
    assumed: {
      tokensPerStep: `${TOKENS_PER_STEP} (${BATCH.perDevice} per device × ${BATCH.worldSize} GPUs × ${BATCH.seqLen} tokens): the data does not state the batch; an assumption`,
      shapes: 'Llama-2 shapes with about 25M, 100M and 400M non-embedding parameters (the data names the sizes only)',
      warmup: `${WARMUP} steps, linear (from the source's code); the curves start after it`,
    },
    runs: truth,
    configs: {
      [`configs/${PLANNED.name}`]: {
        params: totalParams(PLANNED.shape),
        nonEmbeddingParams: nonEmbedding(PLANNED.shape),
        maxSteps: PLANNED.maxSteps,
        tokens: PLANNED.maxSteps * TOKENS_PER_STEP,
        finalLoss: null,
        note: 'not trained: no truth; its prediction must be below every run it dominates in N and D',
      },
    },
  };
  fs.writeFileSync(path.join(ROOT, 'TRUTH.json'), dump(out));
  fs.writeFileSync(path.join(ROOT, '.scalinglens.yaml'), WORKSPACE_FILE);
  fs.writeFileSync(path.join(ROOT, 'LICENSE-MultiPowerLaw'), LICENCE);
  fs.writeFileSync(path.join(ROOT, 'README.md'), readme(table));
  console.log(`examples-real/: ${Object.keys(truth).length} runs, 1 planned config (${TOKENS_PER_STEP} tokens/step assumed)`);
  return 0;
}

process.exit(main());
