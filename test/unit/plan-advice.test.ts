import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossTokens, planAdvice, planCaveats, planCost } from '../../src/core/plan/advice';
import { sweepAdvice } from '../../src/core/plan/sweepAdvice';
import { hardwareTable } from '../../src/core/plan/hardware';
import { trainingFlops } from '../../src/core/plan/flops';
import { findMuP, readConfig } from '../../src/core/configs/index';
import type { TrainingPlan } from '../../src/core/configs/types';
import { ScalingWorkspace } from '../../src/core/workspace';

const GENERIC = `family: tiny
model:
  layers: 8
  d_model: 512
  heads: 8
  ffn: 1536
  vocab: 32000
  tied: true
training:
  steps: 6000
  batch_size: 128
  seq_len: 1024
  lr: 6e-4
  gpus: 4
  micro_batch: 8
  precision: bf16
`;

function planOf(text: string, file = '/p/plan.yaml'): TrainingPlan {
  const r = readConfig({ file, text });
  if (r.kind !== 'plan') throw new Error(`${r.kind}: ${'reason' in r ? r.reason : r.message}`);
  return r.plan;
}

test("planCost: FLOPs from the stated convention, GPU-hours at MFU of the BF16 peak, wall clock on the plan's GPUs", () => {
  const plan = planOf(GENERIC);
  const table = hardwareTable({ mfu: 0.5, prices: { H100: 2 } });
  const { cost, memory } = planCost(plan, table);
  const flops = trainingFlops(plan).flops;
  assert.equal(cost!.flops, flops);
  const hours = flops / (989e12 * 0.5) / 3600;
  assert.ok(Math.abs(cost!.gpuHours - hours) < 1e-12 * hours);
  assert.ok(Math.abs(cost!.usd - 2 * hours) < 1e-9);
  assert.ok(Math.abs(cost!.wallClockHours! - hours / 4) < 1e-12);
  assert.equal(cost!.hardware.id, 'H100');
  // Memory: 43,655,680 params × 16 B, no sharding (ZeRO 0) + activations of 8 × 1,024 tokens per layer.
  assert.equal(memory!.weightsBytes + memory!.gradsBytes + memory!.optimizerBytes, 43_655_680 * 16);
  assert.ok(memory!.activationBytes > 0 && memory!.fits);
  // On an A100 the same plan costs more hours (312 vs 989 TFLOP/s).
  const a100 = planCost(plan, table, 'A100-80GB').cost!;
  assert.ok(Math.abs(a100.gpuHours / cost!.gpuHours - 989 / 312) < 1e-9);
});

test('planCost: FP8 precision uses the FP8 peak where the hardware has one', () => {
  const plan = planOf(GENERIC.replace('precision: bf16', 'precision: fp8'));
  const { cost } = planCost(plan, hardwareTable());
  assert.equal(cost!.hardware.precision, 'fp8');
  assert.equal(cost!.hardware.peakFlopsPerSecond, 1979e12);
});

test('planCost: a model that does not fit one GPU gets the memory warning', () => {
  const big = planOf(
    GENERIC.replace('layers: 8', 'layers: 400').replace('d_model: 512', 'd_model: 4096').replace('ffn: 1536', 'ffn: 11008').replace('heads: 8', 'heads: 32'),
  );
  const { memory, notes } = planCost(big, hardwareTable());
  assert.equal(memory!.fits, false);
  assert.ok(notes.some((n) => /Memory on H100: needs .* GB per GPU/.test(n)));
});

test('planAdvice: Step Law and DeepSeek values from their published formulas, with what each assumes', () => {
  const plan = planOf(GENERIC);
  const advice = planAdvice(plan);
  const n = plan.params.nonEmbedding;
  const d = plan.tokens!;
  const [step, deep] = advice.lr;
  assert.equal(step.lawId, 'steplaw-lr');
  assert.ok(Math.abs(step.value / (1.79 * n ** -0.713 * d ** 0.307) - 1) < 1e-12);
  const m = 72 * 8 * 512 ** 2 + 6 * 8 * 512 * 1024;
  assert.ok(Math.abs(deep.value / (0.3118 * (m * d) ** -0.125) - 1) < 1e-12);
  assert.ok(Math.abs(advice.batchTokens[0].value / (0.58 * d ** 0.571) - 1) < 1e-12);
  assert.match(step.assumes, /AdamW/);
  assert.match(deep.assumes, /C = M·D/);
  // 27M non-embedding and 786M tokens are below Step Law's fitted range: flagged.
  assert.match(step.outsideDomain ?? '', /N = .* outside/);
});

test('planAdvice: silent for μP configs, except to say so', () => {
  const plan = planOf(GENERIC + '  mup: true\n');
  assert.equal(plan.muP, true);
  const advice = planAdvice(plan);
  assert.deepEqual(advice.lr, []);
  assert.deepEqual(advice.batchTokens, []);
  assert.match(advice.silent ?? '', /μP.*transfers/);
});

test('findMuP: μP keys across formats; false-valued and look-alike keys are not μP', () => {
  assert.equal(findMuP('use_mup = True\n')?.key, 'use_mup');
  assert.equal(findMuP('{"mup_width_scale": 0.1333}')?.key, 'mup_width_scale');
  assert.equal(findMuP('  --use-mup \\\n')?.key, 'use-mup');
  assert.equal(findMuP('mup: false\n'), undefined);
  assert.equal(findMuP('use_mup = None\n'), undefined);
  assert.equal(findMuP('dump_interval: 5\nx_mup_y: 1\nlr_warmup_steps: 100\nwarmup: 10\n'), undefined);
  // Found in a nanoGPT file, the plan says so and points at the key.
  const text = 'n_layer = 4\nn_head = 4\nn_embd = 128\nuse_mup = True\nmax_iters = 100\n';
  const plan = planOf(text, '/p/mup.py');
  assert.equal(plan.muP, true);
  assert.deepEqual(plan.sources.muP.range, { start: text.indexOf('use_mup'), end: text.indexOf('use_mup') + 7 });
});

test('planCaveats: FP8 is a caveat; fewer unique tokens than D brings in the data-limited law', () => {
  const fp8 = planOf(GENERIC.replace('precision: bf16', 'precision: fp8'));
  assert.ok(planCaveats(fp8).some((n) => /FP8 training: the laws were fitted on BF16/.test(n)));
  assert.deepEqual(planCaveats(planOf(GENERIC)), []);
  const repeated = planOf(GENERIC + '  unique_tokens: 1.0e8\n');
  assert.equal(repeated.uniqueTokens, 1e8);
  const notes = planCaveats(repeated);
  // D = 6000 × 128 × 1024 = 786,432,000 → 7.9 epochs; D' = U + U·R*·(1 − e^(−R/R*)), R* = 15.4
  const r = 786_432_000 / 1e8 - 1;
  const dEff = 1e8 + 1e8 * 15.4 * (1 - Math.exp(-r / 15.4));
  assert.ok(
    notes.some((n) => n.includes('7.9 epochs') && n.includes('Muennighoff') && n.includes(dEff.toExponential(2))),
    notes.join('\n'),
  );
  const bad = readConfig({ file: '/p/plan.yaml', text: GENERIC + '  unique_tokens: -5\n' });
  assert.equal(bad.kind, 'error');
  assert.ok(bad.diagnostics.some((d) => d.line === 17));
});

test('estimateConfig: cost, memory, LR/batch advice and caveats reach the estimate; hardware settings apply', () => {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, hardware: { default: 'A100-40GB', mfu: 0.5 } });
  const e = engine.estimateConfig('/p/plan.yaml', GENERIC.replace('precision: bf16', 'precision: fp8'), () => undefined);
  assert.equal(e.applicable, true);
  assert.equal(e.cost?.hardware.id, 'A100-40GB');
  assert.equal(e.cost?.hardware.mfu, 0.5);
  assert.ok(e.cost!.gpuHours > 0 && e.cost!.usd > 0);
  assert.equal(e.memory?.capacityBytes, 40e9);
  assert.equal(e.predictions.lr?.length, 2);
  assert.equal(e.predictions.batchTokens?.length, 2);
  assert.ok(e.notes.some((n) => /FP8 training/.test(n)));
  assert.ok(e.notes.some((n) => /A100 .* has no fp8 peak/.test(n)));
  assert.match(e.predictions.uncalibrated ?? '', /no finished runs/);
});

test("lossTokens: D itself without repeats; the effective D' of the data-limited law with them", () => {
  assert.deepEqual(lossTokens(planOf(GENERIC)), { tokens: 786_432_000 });
  assert.deepEqual(lossTokens(planOf(GENERIC + '  unique_tokens: 1.0e12\n')), { tokens: 786_432_000 });
  const r = lossTokens(planOf(GENERIC + '  unique_tokens: 1.0e8\n'));
  const rep = 786_432_000 / 1e8 - 1;
  assert.ok(Math.abs(r.tokens! - (1e8 + 1e8 * 15.4 * (1 - Math.exp(-rep / 15.4)))) < 1);
  assert.ok(r.tokens! < 786_432_000);
  assert.match(r.note ?? '', /effective data D'/);
});

test("sweepAdvice: refitted Step Law, and a penalty only where a surface is fitted at the plan's N and D", () => {
  const plan = planOf(GENERIC);
  const n = plan.params.nonEmbedding;
  const d = plan.tokens!;
  // A 3 × 3 sweep at the plan's (N, D) with its optimum at lr 2e-3, batch 65,536 tokens, and
  // one at 4× N: loss = 3 + 0.05·ln²(lr/lr*) + 0.02·ln²(b/b*).
  const runs = [];
  for (const [nn, lrStar] of [
    [n, 2e-3],
    [4 * n, 1e-3],
  ] as const) {
    for (const lr of [lrStar / 4, lrStar, lrStar * 4]) {
      for (const b of [16384, 65536, 262144]) {
        runs.push({
          runId: `${nn}-${lr}-${b}`,
          nonEmbeddingParams: nn,
          tokens: d,
          lr,
          batchTokens: b,
          loss: 3 + 0.05 * Math.log(lr / lrStar) ** 2 + 0.02 * Math.log(b / 65536) ** 2,
        });
      }
    }
  }
  const advice = sweepAdvice(plan, runs, { resamples: 10 });
  // Configured: lr 6e-4, batch 128 × 1024 = 131,072 → 0.05·ln²(0.3) + 0.02·ln²(2) over 3.
  const expected = (100 * (0.05 * Math.log(6e-4 / 2e-3) ** 2 + 0.02 * Math.log(2) ** 2)) / 3;
  assert.ok(advice.penaltyPct !== undefined && Math.abs(advice.penaltyPct - expected) < 0.01, `${advice.penaltyPct} vs ${expected}`);
  assert.ok(
    advice.notes.some((x) => /over the sweep optimum \(LR 0\.00200, batch 65536\)/.test(x)),
    advice.notes.join('\n'),
  );
  assert.ok(advice.lr && advice.lr.value > 0);
  assert.match(advice.lr!.assumes, /2 sweep group\(s\)/);
  // No sweep at the plan's size: no penalty claimed.
  const elsewhere = sweepAdvice(
    plan,
    runs.filter((r) => r.nonEmbeddingParams !== n),
    { resamples: 10 },
  );
  assert.equal(elsewhere.penaltyPct, undefined);
  // Too few runs, or μP: nothing.
  assert.deepEqual(sweepAdvice(plan, runs.slice(0, 2)), { notes: [] });
  assert.deepEqual(sweepAdvice({ ...plan, muP: true }, runs), { notes: [] });
});
