import { warmupEnd } from './schedule';
import type { CompiledLaw, LawDefinition } from './types';

/**
 * Luo et al. 2025, Multi-Power Law:
 *   L(t) = L0 + A·S1(t)^(−α) − LD(t),
 *   LD(t) = B·Σ_{k ≤ t} (η_(k−1) − η_k)·G(η_k^(−γ)·S_k(t)),  G(x) = 1 − (C·x + 1)^(−β),
 *   S1(t) = Σ_{τ ≤ t} η_τ (warmup area included),  S_k(t) = Σ_{k ≤ τ ≤ t} η_τ.
 * Sums over LR drops after warmup run over blocks of steps (≤ 50 blocks per schedule; the
 * drop of a block is taken at its last step), which changes the loss by far less than noise: on the
 * Multi-Power-Law validation (`npm run validate`, 2026-11-23) 200 instead of 100 blocks moved the
 * mean curve error by 0.01 points and the prefix backtests' by 0.02, at twice the cost (every
 * evaluation sums over the blocks, so they set the price of a fit). 50 instead of 100 (validate
 * --only multipowerlaw-schedules, 2026-12-07): family fit → other schedules mean error 0.27% →
 * 0.26%, median 0.17% → 0.21%, calibrated coverage 76% both (raw 19% → 5%); first 30% → end mean
 * 1.83% → 1.79%, median 0.93% → 0.76%, coverage unchanged (11% raw, 81% calibrated); early
 * forecasts alone 1.83% → 1.79% at 30%; at 0.45× the passes over the blocks. 70 and 25 blocks
 * moved these figures by as much either way (the ill-posed cosine prefixes follow the grid), and
 * placing a block's drop at its drop-weighted centre made the family fit worse (0.34%).
 *
 * The law needs the whole LR schedule, so it is made for a set of schedules
 * (`createMultipowerLaw`) and its variables are x = [t, schedule index]. The registry's
 * instance has no schedule: there η ≡ 1, LD = 0 and the law reduces to L0 + A·t^(−α).
 * Fit space: l0, a, b, c = ln of L0, A, B, C; α, β, γ identity.
 */

interface Prepared {
  /** Prefix sums P[s] = Σ_{τ ≤ s} η_τ. */
  prefix: Float64Array;
  /** Per block after warmup: last step, LR drop over the block, ln η at its last step. */
  blockStep: Int32Array;
  blockDrop: Float64Array;
  blockLnLr: Float64Array;
}

const MAX_BLOCKS = 50;
/**
 * (C, β, γ) settings whose drop sums a compiled law keeps: more than the start grid has. Each keeps
 * three Float64Arrays of one number per (point, block) pair (x, its log1p, its power) for the
 * Jacobian asked after values: held while the law is compiled, freed with it; about 13 MB for the
 * largest pooled sibling fit measured (12 schedules × 70 points, against 5.7 MB with x alone).
 */
const DROP_SUM_CACHE = 16;

function prepare(lr: Float64Array): Prepared {
  const T = lr.length - 1;
  const prefix = new Float64Array(T + 1);
  for (let s = 1; s <= T; s++) prefix[s] = prefix[s - 1] + lr[s];
  const W = warmupEnd(lr);
  const size = Math.max(1, Math.ceil((T - W) / MAX_BLOCKS));
  const steps: number[] = [];
  const drops: number[] = [];
  const lns: number[] = [];
  for (let k0 = W; k0 < T; k0 += size) {
    const k1 = Math.min(T, k0 + size);
    const drop = lr[k0] - lr[k1];
    if (drop !== 0 && lr[k1] > 0) {
      steps.push(k1);
      drops.push(drop);
      lns.push(Math.log(lr[k1]));
    }
  }
  return { prefix, blockStep: Int32Array.from(steps), blockDrop: Float64Array.from(drops), blockLnLr: Float64Array.from(lns) };
}

const citation = {
  paper: 'A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules',
  authors: 'Luo et al.',
  year: 2025,
  arxiv: '2503.12811',
  note: 'Eq. (6)-(7); fitted on constant + cosine curves, predicts WSD and longer runs with ~0.1–0.2% error.',
};

/**
 * The authors' own fit of the 400M-parameter runs (the largest they publish), in natural units:
 * github.com/thu-yao-01-luo/MultiPowerLaw (MIT), src/config.py `PARAMS["400"]`. Their 25M and
 * 100M fits have nearly the same shape (β 0.58–0.60, γ 0.64–0.66, C 2.0–2.1, α 0.43–0.51), which
 * is why the shape parameters serve as priors for other runs (fit/priors.ts); A, B and L0 depend
 * on the LR scale and the loss level, and are not borrowed.
 */
const luoFit400M = {
  citation: {
    paper: "A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules (authors' code)",
    authors: 'Luo et al.',
    year: 2025,
    arxiv: '2503.12811',
    note: 'Fitted parameters of the 400M model, src/config.py PARAMS["400"] of github.com/thu-yao-01-luo/MultiPowerLaw.',
  },
  values: { L0: 2.37474466, A: 0.65421216, alpha: 0.42878731, B: 523.42464371, C: 2.02462735, beta: 0.59350493, gamma: 0.63472457 },
};

/**
 * The law bound to fixed points, for the fitter's inner loop. Per point, the data-only terms are
 * worked out once: the rounded step, ln S1 and S_k(t) = P[t] − P[k−1] of every block before it.
 * The drop sum LD/B and its derivatives depend on (C, β, γ) only, not on L0, A, α or B: they are
 * kept for the last (C, β, γ) seen, so the start grid (which varies L0, A, α, B over one setting
 * of the other three) and any step that leaves them unchanged skip the costly pass over the
 * blocks. Same arithmetic in the same order as `compute`, so the same numbers, bit for bit.
 * Math.log1p and Math.exp are most of a pass. Tried and dropped (2026-12-07): ln(1 + u) from a
 * Hermite table in ln u and exp from a 64-entry table and polynomial (error ≤ 2.3e−10 relative):
 * ~5% less fit CPU once in the kernel (the two trees' fits alternating in one process, load 15–20),
 * and that perturbation moved an ill-posed prefix check of a synthetic cosine run (1.750% → 1.757%).
 */
function compileMultipower(prepared: readonly Prepared[], xs: readonly (readonly number[])[]): CompiledLaw {
  const m = xs.length;
  const lnS1 = new Float64Array(m);
  /** Blocks of point i: indices blockFrom[i] … blockFrom[i] + blockCount[i] − 1 of its schedule's arrays. */
  const sched = new Int32Array(m).fill(-1);
  const offset = new Int32Array(m + 1);
  let pairs = 0;
  for (let i = 0; i < m; i++) {
    const x = xs[i];
    const p = prepared[x[1] ?? -1] as Prepared | undefined;
    let t = x[0];
    let s1: number;
    offset[i] = pairs;
    if (p) {
      sched[i] = x[1];
      t = Math.max(1, Math.min(p.prefix.length - 1, Math.round(t)));
      s1 = p.prefix[t];
      let n = 0;
      while (n < p.blockStep.length && p.blockStep[n] <= t) n++;
      pairs += n;
    } else s1 = t;
    lnS1[i] = Math.log(s1);
  }
  offset[m] = pairs;
  // S_k(t) per (point, block) pair, and the block's drop and ln η, laid out flat.
  const sk = new Float64Array(pairs);
  const drop = new Float64Array(pairs);
  const lnLr = new Float64Array(pairs);
  for (let i = 0; i < m; i++) {
    const j = sched[i];
    if (j < 0) continue;
    const p = prepared[j];
    const t = Math.max(1, Math.min(p.prefix.length - 1, Math.round(xs[i][0])));
    for (let q = offset[i], b = 0; q < offset[i + 1]; q++, b++) {
      sk[q] = p.prefix[t] - p.prefix[p.blockStep[b] - 1];
      drop[q] = p.blockDrop[b];
      lnLr[q] = p.blockLnLr[b];
    }
  }
  // η_k^(−γ) per block of each schedule, and x = η_k^(−γ)·S_k(t) per pair, for the γ they were last computed at.
  const lrPow = prepared.map((p) => new Float64Array(p.blockLnLr.length));
  let lrPowGamma = NaN;
  const pairX = new Float64Array(pairs);
  function pairXAt(gamma: number): void {
    if (gamma === lrPowGamma) return;
    prepared.forEach((p, j) => {
      for (let b = 0; b < p.blockLnLr.length; b++) lrPow[j][b] = Math.exp(-gamma * p.blockLnLr[b]);
    });
    // A point's pairs are its schedule's blocks 0, 1, … in order: one schedule lookup per point, not
    // two per pair (this loop runs at every new γ, i.e. nearly every solver step: 10% of a fit's CPU).
    for (let i = 0; i < m; i++) {
      const j = sched[i];
      if (j < 0) continue;
      const pow = lrPow[j];
      const from = offset[i];
      const end = offset[i + 1];
      for (let q = from; q < end; q++) pairX[q] = pow[q - from] * sk[q];
    }
    lrPowGamma = gamma;
  }
  // LD/B and the drop sum's unscaled derivatives per point, for the last few (C, β, γ) seen: the
  // start grid cycles through a dozen of them while it varies L0, A, α and B. Each setting keeps
  // its pass's ln(1 + C·x) and (1 + C·x)^(−β) per pair: a Jacobian asked after the values at the
  // same setting (a solver's accepted trial) then costs only the derivative sums, not the logs and
  // powers again (`jacobianAfterValues`).
  interface DropSums {
    c: number;
    beta: number;
    gamma: number;
    grad: boolean;
    ld: Float64Array;
    dC: Float64Array;
    dBeta: Float64Array;
    dGamma: Float64Array;
    pairX: Float64Array;
    pairLog: Float64Array;
    pairPower: Float64Array;
  }
  const cache: DropSums[] = [];
  let nextSlot = 0;
  // Zeros until a pass fills them (a point before every block has no drop).
  let ld: Float64Array = new Float64Array(m);
  let dC = ld;
  let dBeta = ld;
  let dGamma = ld;

  /** The sums of a pass from its logs and powers: LD/B, and with `grad` its derivatives. */
  function sums(e: DropSums, C: number, beta: number, grad: boolean): void {
    const { pairX, pairLog, pairPower } = e;
    for (let i = 0; i < m; i++) {
      let sum = 0;
      let sC = 0;
      let sBeta = 0;
      let sGamma = 0;
      const end = offset[i + 1];
      if (grad) {
        for (let q = offset[i]; q < end; q++) {
          const xk = pairX[q];
          const lp = pairLog[q];
          const pow = pairPower[q];
          const d = drop[q];
          sum += d * (1 - pow);
          const qq = (beta * pow * C * xk) / (1 + C * xk);
          sC += d * qq;
          sBeta += d * lp * pow;
          sGamma += d * qq * -lnLr[q];
        }
      } else {
        for (let q = offset[i]; q < end; q++) sum += drop[q] * (1 - pairPower[q]);
      }
      e.ld[i] = sum;
      e.dC[i] = sC;
      e.dBeta[i] = sBeta;
      e.dGamma[i] = sGamma;
    }
  }

  function dropSums(c: number, beta: number, gamma: number, grad: boolean): void {
    for (const e of cache) {
      if (e.c === c && e.beta === beta && e.gamma === gamma) {
        if (grad && !e.grad) {
          // The values' pass at this setting: its logs and powers serve the derivatives as they are.
          e.c = NaN;
          sums(e, Math.exp(c), beta, true);
          e.c = c;
          e.grad = true;
        }
        ({ ld, dC, dBeta, dGamma } = e);
        return;
      }
    }
    let e: DropSums;
    if (cache.length < DROP_SUM_CACHE) {
      e = {
        c,
        beta,
        gamma,
        grad,
        ld: new Float64Array(m),
        dC: new Float64Array(m),
        dBeta: new Float64Array(m),
        dGamma: new Float64Array(m),
        pairX: new Float64Array(pairs),
        pairLog: new Float64Array(pairs),
        pairPower: new Float64Array(pairs),
      };
      cache.push(e);
    } else {
      e = cache[nextSlot];
      nextSlot = (nextSlot + 1) % DROP_SUM_CACHE;
    }
    // Invalid while being filled, in case the pass below throws.
    e.c = NaN;
    ({ ld, dC, dBeta, dGamma } = e);
    pairXAt(gamma);
    e.pairX.set(pairX);
    const C = Math.exp(c);
    // The logs and powers first, each in a loop of their own, then the sums: the same numbers summed in
    // the same order, at about 0.65× the time per pair (a loop that calls Math.log1p or Math.exp
    // keeps no other value in a register across the call, and the sums' loop then calls nothing).
    const { pairLog, pairPower } = e;
    for (let q = 0; q < pairs; q++) pairLog[q] = Math.log1p(C * pairX[q]);
    for (let q = 0; q < pairs; q++) pairPower[q] = Math.exp(-beta * pairLog[q]);
    e.beta = beta;
    e.gamma = gamma;
    sums(e, C, beta, grad);
    e.c = c;
    e.grad = grad;
  }

  // A·S1^(−α) per point, for the last (ln A, α) seen: the start grid holds them for the 36
  // settings of its other parameters in a row. Same exp of the same argument: the same numbers,
  // worked out in a loop of their own (see the drop sums' passes).
  const power = new Float64Array(m);
  let powerA = NaN;
  let powerAlpha = NaN;
  function powerAt(a: number, alpha: number): void {
    if (a === powerA && alpha === powerAlpha) return;
    for (let i = 0; i < m; i++) power[i] = Math.exp(a - alpha * lnS1[i]);
    powerA = a;
    powerAlpha = alpha;
  }

  return {
    jacobianWithValues: true,
    jacobianAfterValues: true,
    values(p, out) {
      const L0 = Math.exp(p[0]);
      const a = p[1];
      const alpha = p[2];
      const B = Math.exp(p[3]);
      if (pairs > 0) dropSums(p[4], p[5], p[6], false);
      powerAt(a, alpha);
      for (let i = 0; i < m; i++) {
        const pw = power[i];
        out[i] = sched[i] >= 0 ? L0 + pw - ld[i] * B : L0 + pw;
      }
    },
    valuesAndJacobian(p, out, jac) {
      const L0 = Math.exp(p[0]);
      const a = p[1];
      const alpha = p[2];
      const B = Math.exp(p[3]);
      if (pairs > 0) dropSums(p[4], p[5], p[6], true);
      powerAt(a, alpha);
      for (let i = 0; i < m; i++) {
        const pw = power[i];
        const row = 7 * i;
        jac[row] = L0;
        jac[row + 1] = pw;
        jac[row + 2] = -lnS1[i] * pw;
        if (sched[i] >= 0) {
          const ldi = ld[i] * B;
          out[i] = L0 + pw - ldi;
          jac[row + 3] = -ldi;
          jac[row + 4] = -B * dC[i];
          jac[row + 5] = -B * dBeta[i];
          jac[row + 6] = -B * dGamma[i];
        } else {
          out[i] = L0 + pw;
          jac[row + 3] = jac[row + 4] = jac[row + 5] = jac[row + 6] = 0;
        }
      }
    },
  };
}

export function createMultipowerLaw(schedules: readonly Float64Array[] = []): LawDefinition {
  const prepared = schedules.map(prepare);
  // η_k^(−γ) per block, cached for the last γ seen: a fit evaluates every point at one γ in turn,
  // so this saves one exp per (point, block), the inner loop's most common operation.
  const lrPow: Float64Array[] = prepared.map((p) => new Float64Array(p.blockLnLr.length));
  const lrPowGamma: number[] = prepared.map(() => NaN);

  /** Value and (optionally) gradient at x = [t, j]; writes the gradient into `g` when given. */
  function compute(p: readonly number[], x: readonly number[], g: number[] | null): number {
    const [l0, a, alpha, b, c, beta, gamma] = p;
    const sched = prepared[x[1] ?? -1] as Prepared | undefined;
    const L0 = Math.exp(l0);
    let s1: number;
    let t = x[0];
    if (sched) {
      t = Math.max(1, Math.min(sched.prefix.length - 1, Math.round(t)));
      s1 = sched.prefix[t];
    } else s1 = t;
    const lnS1 = Math.log(s1);
    const pw = Math.exp(a - alpha * lnS1);
    let ld = 0;
    let dC = 0;
    let dBeta = 0;
    let dGamma = 0;
    if (sched) {
      const B = Math.exp(b);
      const C = Math.exp(c);
      const P = sched.prefix;
      const n = sched.blockStep.length;
      const j = x[1];
      const pw = lrPow[j];
      if (lrPowGamma[j] !== gamma) {
        for (let i = 0; i < n; i++) pw[i] = Math.exp(-gamma * sched.blockLnLr[i]);
        lrPowGamma[j] = gamma;
      }
      for (let i = 0; i < n; i++) {
        const k = sched.blockStep[i];
        if (k > t) break;
        const sk = P[t] - P[k - 1];
        const xk = pw[i] * sk;
        const lp = Math.log1p(C * xk);
        const pow = Math.exp(-beta * lp);
        const drop = sched.blockDrop[i];
        ld += drop * (1 - pow);
        if (g) {
          // d(1 − (1 + Cx)^−β): wrt ln C: β(1+Cx)^(−β−1)·Cx; wrt β: ln(1+Cx)·(1+Cx)^−β;
          // wrt γ: β(1+Cx)^(−β−1)·C·x·(−ln η_k).
          const q = (beta * pow * C * xk) / (1 + C * xk);
          dC += drop * q;
          dBeta += drop * lp * pow;
          dGamma += drop * q * -sched.blockLnLr[i];
        }
      }
      ld *= B;
      if (g) {
        g[3] = -ld;
        g[4] = -B * dC;
        g[5] = -B * dBeta;
        g[6] = -B * dGamma;
      }
    } else if (g) {
      g[3] = g[4] = g[5] = g[6] = 0;
    }
    if (g) {
      g[0] = L0;
      g[1] = pw;
      g[2] = -lnS1 * pw;
    }
    return L0 + pw - ld;
  }

  return {
    id: 'multipower',
    title: 'Multi-Power Law (Luo et al.)',
    kind: 'curve',
    formula: 'L(t) = L0 + A·S1(t)^(−α) − B·Σ_k (η_(k−1) − η_k)·[1 − (C·η_k^(−γ)·S_k(t) + 1)^(−β)]',
    fitFormula: 'same, with L0, A, B, C = exp(l0, a, b, c)',
    citation,
    variables: [
      { symbol: 't', name: 'step', definition: 'Optimizer step (> 0) of the run whose per-step LR schedule is the second variable.', unit: 'steps' },
      {
        symbol: 'j',
        name: 'schedule',
        definition: "Index of the run's LR schedule (per-step LR from the log or rebuilt from the config) among those the law was created with.",
        unit: 'index',
        allowZero: true,
      },
    ],
    parameters: [
      { name: 'l0', description: 'ln L0, loss at infinite forward area', lower: -10, upper: 3, grid: [0.6, 1, 1.3], natural: { name: 'L0', transform: 'exp' } },
      { name: 'a', description: 'ln A', lower: -20, upper: 20, grid: [-1, 0.5, 2], natural: { name: 'A', transform: 'exp' } },
      {
        name: 'alpha',
        description: 'exponent of the forward area',
        lower: 0.01,
        upper: 3,
        grid: [0.3, 0.6],
        natural: { name: 'alpha', transform: 'identity' },
      },
      {
        name: 'b',
        description: 'ln B, scale of the loss drop per unit LR drop',
        lower: -10,
        upper: 20,
        grid: [4, 6, 8],
        natural: { name: 'B', transform: 'exp' },
      },
      { name: 'c', description: 'ln C', lower: -15, upper: 15, grid: [-1, 1, 3], natural: { name: 'C', transform: 'exp' } },
      {
        name: 'beta',
        description: 'β, saturation exponent of the drop',
        lower: 0.01,
        upper: 5,
        grid: [0.4, 0.8],
        natural: { name: 'beta', transform: 'identity' },
      },
      { name: 'gamma', description: 'γ, LR exponent inside the drop', lower: 0, upper: 3, grid: [0.4, 0.7], natural: { name: 'gamma', transform: 'identity' } },
    ],
    evaluate: (p, x) => compute(p, x, null),
    jacobian: (p, x) => {
      const g = new Array<number>(7).fill(0);
      compute(p, x, g);
      return g;
    },
    compile: (xs) => compileMultipower(prepared, xs),
    reference: luoFit400M,
    domain: {
      ranges: { t: [1, 72000] },
      note: 'Luo et al.: 25M–400M models (and a 1B check), runs of 24k–72k steps, constant/cosine/WSD schedules with peak LR 3e−4.',
    },
  };
}

export const multipowerLaw: LawDefinition = createMultipowerLaw();
