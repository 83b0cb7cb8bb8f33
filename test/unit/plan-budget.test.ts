import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chinchillaOptimalParams, parseBudget, planBudget, suggestShape, type Budget, type BudgetPlan } from '../../src/core/plan/budget';
import { hardwareTable } from '../../src/core/plan/hardware';
import { fitCrossRun } from '../../src/core/fit/crossRun';
import { fitIsoflopFrontier, type IsoflopPoint } from '../../src/core/fit/isoflop';
import { kaplanLaw } from '../../src/core/laws/kaplan';

const budget = (text: string): Budget => {
  const b = parseBudget(text);
  if ('error' in b) throw new Error(b.error);
  return b;
};
const ok = (r: BudgetPlan | { error: string }): BudgetPlan => {
  if ('error' in r) throw new Error(r.error);
  return r;
};
const close = (a: number, b: number, rel = 1e-9) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} vs ${b}`);

test('parseBudget: FLOPs, accelerator-hours and dollars as people write them', () => {
  assert.deepEqual(parseBudget('1e21'), { kind: 'flops', flops: 1e21, text: '1e21' });
  assert.deepEqual(parseBudget(' 1e21 FLOPs '), { kind: 'flops', flops: 1e21, text: '1e21 FLOPs' });
  assert.deepEqual(parseBudget('5000 H100-h'), { kind: 'gpuHours', gpuHours: 5000, hardware: 'H100', text: '5000 H100-h' });
  assert.deepEqual(parseBudget('5k A100-80GB hours'), { kind: 'gpuHours', gpuHours: 5000, hardware: 'A100-80GB', text: '5k A100-80GB hours' });
  assert.deepEqual(parseBudget('1,200 GPU-hours'), { kind: 'gpuHours', gpuHours: 1200, hardware: '', text: '1,200 GPU-hours' });
  assert.deepEqual(parseBudget('$2M'), { kind: 'usd', usd: 2e6, text: '$2M' });
  assert.deepEqual(parseBudget('$ 250k'), { kind: 'usd', usd: 250e3, text: '$ 250k' });
  assert.deepEqual(parseBudget('3.5e5 USD'), { kind: 'usd', usd: 3.5e5, text: '3.5e5 USD' });
});

test('parseBudget: empty, negative, zero and unreadable budgets are errors that say what to write', () => {
  for (const text of ['', '-1e21', '0', '$-5', '-3 H100-h', 'lots', '1e21 bananas']) {
    const r = parseBudget(text);
    assert.ok('error' in r, text);
  }
  assert.match((parseBudget('-1e21') as { error: string }).error, /must be positive/);
  assert.match((parseBudget('lots') as { error: string }).error, /1e21.*H100-h.*\$2M/);
});

test('default frontier at 1e21 FLOPs: about 20 tokens per parameter, 6·N·D = C, and the loss minimum along the budget', () => {
  const plan = ok(planBudget({ budget: budget('1e21') }));
  const r = plan.recommended;
  assert.ok(r.tokensPerParam > 15 && r.tokensPerParam < 30, String(r.tokensPerParam));
  close(6 * r.params * r.tokens, 1e21);
  // Closed form of the Epoch refit (E 1.82, A 482.01, B 2085.43, α 0.3478, β 0.3658):
  // G = (αA/(βB))^(1/(α+β)) = 0.1197…, N* = G·(C/6)^(β/(α+β)) ≈ 2.78e9.
  assert.ok(r.params > 2.6e9 && r.params < 3.0e9, String(r.params));
  assert.ok('uncalibrated' in r.loss);
  assert.match(plan.frontier, /default/);
  // Alternatives: half and quarter N (more tokens), double N, all on the same budget.
  assert.deepEqual(
    plan.alternatives.map((a) => Math.round((a.params / r.params) * 100) / 100),
    [0.5, 0.25, 2],
  );
  for (const a of plan.alternatives) close(a.flops, 1e21);
  // Frontier grows as C^(β/(α+β)) ≈ C^0.513: ten times the budget is ~3.26× the model.
  const ten = ok(planBudget({ budget: budget('1e22') })).recommended;
  close(ten.params / r.params, 10 ** (0.3658 / (0.3478 + 0.3658)), 1e-6);
});

test("accelerator-hours and dollars become FLOPs at the MFU of the hardware's BF16 peak", () => {
  const table = hardwareTable({ mfu: 0.5, prices: { H100: 2 } });
  const hours = ok(planBudget({ budget: budget('1000 H100-h') }, { hardware: table }));
  close(hours.flops, 1000 * 3600 * 989e12 * 0.5);
  close(hours.recommended.gpuHours, 1000, 1e-9);
  const dollars = ok(planBudget({ budget: budget('$2000') }, { hardware: table }));
  close(dollars.flops, 1000 * 3600 * 989e12 * 0.5);
  close(dollars.recommended.usd, 2000, 1e-9);
  const a100 = ok(planBudget({ budget: budget('1000 A100-40GB-h') }, { hardware: table }));
  close(a100.flops, 1000 * 3600 * 312e12 * 0.5);
  assert.equal(a100.hardware.id, 'A100-40GB');
  assert.match((planBudget({ budget: budget('10 V100-h') }) as { error: string }).error, /unknown hardware "V100"/);
});

test('absurd requests get a clear error', () => {
  const err = (r: BudgetPlan | { error: string }) => ('error' in r ? r.error : '');
  assert.match(err(planBudget({ budget: budget('1e40') })), /beyond any plan/);
  assert.match(err(planBudget({ budget: budget('1e5') })), /too small/);
  assert.match(err(planBudget({ budget: budget('1e21'), params: -7e9 })), /--params must be a positive number/);
  assert.match(err(planBudget({ budget: budget('1e21'), params: 0 })), /--params/);
  assert.match(err(planBudget({ budget: budget('1e21'), deadlineDays: 30 })), /--deadline-days needs --gpus/);
  assert.match(err(planBudget({ budget: budget('1e21'), gpus: 2.5 })), /whole number/);
  assert.match(err(planBudget({ budget: budget('1e21'), inferenceTokens: -1 })), /--inference-tokens/);
  assert.match(err(planBudget({ budget: budget('1e21'), hardware: 'Abacus' })), /unknown hardware/);
  // Serving more tokens than the budget can pay for at a fixed size leaves no training tokens.
  assert.match(err(planBudget({ budget: budget('1e21'), params: 1e9, inferenceTokens: 1e12 })), /no training tokens/);
});

test('fixed model size: D = C / 6N; far below 1 token per parameter is flagged', () => {
  const plan = ok(planBudget({ budget: budget('1e21'), params: 7e9 }));
  close(plan.recommended.tokens, 1e21 / (6 * 7e9));
  assert.equal(plan.recommended.label, 'fixed model size');
  const tiny = ok(planBudget({ budget: budget('1e18'), params: 7e9 }));
  assert.ok(tiny.notes.some((n) => /tokens per parameter: far from compute-optimal/.test(n)));
});

test('inference tokens: a smaller model trained longer, training + serving within the budget', () => {
  const base = ok(planBudget({ budget: budget('1e22') })).recommended;
  const serve = ok(planBudget({ budget: budget('1e22'), inferenceTokens: 1e12 }));
  const r = serve.recommended;
  assert.ok(r.params < base.params && r.tokensPerParam > base.tokensPerParam);
  close(r.flops + r.inference!.flops, 1e22, 1e-9);
  close(r.inference!.flops, 2 * r.params * 1e12);
  assert.ok(serve.notes.some((n) => /training and serving/.test(n)));
});

test('a deadline on N GPUs caps the compute when it binds, and gives wall-clock days', () => {
  const table = hardwareTable();
  // 10 days × 64 H100 × 86,400 s × 989e12 × 0.4 = 2.19e22 FLOPs < 1e23
  const plan = ok(planBudget({ budget: budget('1e23'), deadlineDays: 10, gpus: 64 }, { hardware: table }));
  close(plan.flops, 10 * 86400 * 64 * 989e12 * 0.4);
  assert.ok(plan.notes.some((n) => /deadline binds/.test(n)));
  close(plan.recommended.wallClockDays!, 10, 1e-9);
  const loose = ok(planBudget({ budget: budget('1e21'), deadlineDays: 10, gpus: 64 }));
  close(loose.flops, 1e21);
});

test('memory cap: the model is held to what 16 B/param fits, sharded over the GPUs', () => {
  const plan = ok(planBudget({ budget: budget('1e23'), memoryCapBytes: 80e9, gpus: 8 }));
  // 80 GB × 8 / 16 B = 40e9 parameters; the frontier at 1e23 wants ~29e9, which fits.
  assert.ok(plan.recommended.params < 40e9);
  const capped = ok(planBudget({ budget: budget('1e23'), memoryCapBytes: 80e9 }));
  close(capped.recommended.params, 80e9 / 16);
  assert.ok(capped.recommended.notes.some((n) => /exceed the memory cap/.test(n)));
  close(capped.recommended.modelStateBytesPerGpu, 80e9);
});

test('LR and batch: Step Law and DeepSeek both given, Step Law recommended', () => {
  const r = ok(planBudget({ budget: budget('1e21') })).recommended;
  const n = r.shape.nonEmbeddingParams;
  close(r.lr.steplaw, 1.79 * n ** -0.713 * r.tokens ** 0.307, 1e-9);
  close(r.batchTokens.steplaw, 0.58 * r.tokens ** 0.571, 1e-9);
  const m = 72 * r.shape.nLayer * r.shape.dModel ** 2 + 6 * r.shape.nLayer * r.shape.dModel * 2048;
  close(r.lr.deepseek, 0.3118 * (m * r.tokens) ** -0.125, 1e-9);
  close(r.batchTokens.deepseek, 0.292 * (m * r.tokens) ** 0.3271, 1e-9);
  assert.equal(r.lr.value, r.lr.steplaw);
});

test('suggestShape: 12·L·d² + V·d ≈ N with d ≈ 128·L', () => {
  const s = suggestShape(7e9, 32000);
  assert.ok(Math.abs(s.dModel / s.nLayer - 128) < 20, `${s.dModel}/${s.nLayer}`);
  const approx = 12 * s.nLayer * s.dModel ** 2 + 32000 * s.dModel;
  assert.ok(Math.abs(approx - 7e9) / 7e9 < 0.15, String(approx));
  assert.ok(s.nonEmbeddingParams < 7e9 && s.nonEmbeddingParams > 6.5e9);
});

// A synthetic family drawn from a known Chinchilla law: the fitted plan must follow that law.
const TRUE = { E: 1.7, A: 400, B: 1500, alpha: 0.34, beta: 0.37 };
const lossOf = (n: number, d: number) => TRUE.E + TRUE.A / n ** TRUE.alpha + TRUE.B / d ** TRUE.beta;

test("with a family law fitted: the frontier is that law's argmin and the loss has an interval", () => {
  const points = [];
  for (const n of [2e7, 5e7, 1e8, 2e8, 4e8])
    for (const ratio of [10, 20, 40]) points.push({ runId: `${n}-${ratio}`, params: n, tokens: n * ratio, loss: lossOf(n, n * ratio) });
  const fit = fitCrossRun(points, { seed: 1, resamples: 20, priors: 'never' });
  if ('error' in fit) throw new Error(fit.error);
  const plan = ok(planBudget({ budget: budget('1e20') }, { lossLaw: { fit, family: 'synthetic', runsUsed: points.map((p) => p.runId) } }));
  const r = plan.recommended;
  const expected = chinchillaOptimalParams(TRUE, 1e20);
  assert.ok(Math.abs(r.params / expected - 1) < 0.1, `${r.params} vs ${expected}`);
  assert.ok(!('uncalibrated' in r.loss));
  if (!('uncalibrated' in r.loss)) {
    assert.ok(Math.abs(r.loss.value - lossOf(r.params, r.tokens)) < 0.01);
    assert.ok(r.loss.interval[0] <= r.loss.value && r.loss.value <= r.loss.interval[1]);
    assert.equal(r.loss.family, 'synthetic');
  }
  assert.match(plan.frontier, /family "synthetic"/);
  // The compute-optimal candidate has the lowest predicted loss of all candidates.
  for (const a of plan.alternatives) if (!('uncalibrated' in a.loss) && !('uncalibrated' in r.loss)) assert.ok(a.loss.value > r.loss.value);
});

test('with an IsoFLOP frontier: N* follows the frontier the data implies', () => {
  const points: IsoflopPoint[] = [];
  for (const c of [1e17, 3e17, 1e18, 3e18, 1e19]) {
    const nStar = chinchillaOptimalParams(TRUE, c);
    for (const f of [0.25, 0.5, 1, 2, 4]) {
      const n = nStar * f;
      points.push({ flops: c, params: n, tokens: c / (6 * n), loss: lossOf(n, c / (6 * n)) });
    }
  }
  const frontier = fitIsoflopFrontier(points, { seed: 1, resamples: 20 });
  if ('error' in frontier) throw new Error(frontier.error);
  const plan = ok(planBudget({ budget: budget('1e20') }, { frontier: { fit: frontier, source: 'synthetic IsoFLOPs' } }));
  const expected = chinchillaOptimalParams(TRUE, 1e20);
  assert.ok(Math.abs(plan.recommended.params / expected - 1) < 0.15, `${plan.recommended.params} vs ${expected}`);
  assert.match(plan.frontier, /IsoFLOP frontier fitted on synthetic IsoFLOPs/);
});

test("a Kaplan-law family: the N* interval is the bootstrap of that law's own frontier, not Chinchilla's", () => {
  // Kaplan et al. 2020 Eq. 1.5 with their Table 2 exponents; N non-embedding (no embeddings given: total N is the law's N).
  const kaplan = (n: number, d: number) => ((6.4e13 / n) ** (0.076 / 0.103) + 1.8e13 / d) ** 0.103;
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return 1 + 0.004 * (seed / 2 ** 31 - 0.5);
  };
  const points = [];
  for (const n of [2e7, 5e7, 1e8, 2e8, 4e8])
    for (const ratio of [5, 20, 80]) points.push({ runId: `${n}-${ratio}`, params: n, tokens: n * ratio, loss: kaplan(n, n * ratio) * noise() });
  const fit = fitCrossRun(points, { seed: 1, resamples: 40, priors: 'never', law: 'kaplan' });
  if ('error' in fit) throw new Error(fit.error);
  const plan = ok(planBudget({ budget: budget('1e20') }, { lossLaw: { fit, family: 'kaplan-family', runsUsed: fit.runIds, points } }));
  const u = plan.frontierUncertainty;
  assert.ok(u, 'a Kaplan family gets an N* interval');
  const [lo, hi] = u.nStarBootstrap;
  assert.ok(hi / lo > 1.01, `the bootstrap N* interval has width: ${lo.toExponential(3)}–${hi.toExponential(3)}`);
  assert.ok(lo <= plan.recommended.params * 1.001 && plan.recommended.params <= hi * 1.001, 'and holds the recommendation');
  // Each bootstrap sample's argmin along the budget under the Kaplan law itself: the interval is their 10th–90th percentiles.
  const stars = fit.samples
    .map((c) => {
      let best = NaN;
      let bestLoss = Infinity;
      for (let i = 0; i <= 4000; i++) {
        const n = Math.exp(Math.log(1e6) + (Math.log(1e12) - Math.log(1e6)) * (i / 4000));
        const l = kaplanLaw.evaluate(c, [n, 1e20 / (6 * n)]);
        if (l < bestLoss) [best, bestLoss] = [n, l];
      }
      return best;
    })
    .sort((a, b) => a - b);
  const q = (p: number) => stars[Math.round(p * (stars.length - 1))];
  assert.ok(Math.abs(Math.log(lo / q(0.1))) < 0.02 && Math.abs(Math.log(hi / q(0.9))) < 0.02, `${lo}–${hi} vs ${q(0.1)}–${q(0.9)}`);
});
