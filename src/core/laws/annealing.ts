import { annealingAreas } from './schedule';
import type { LawDefinition } from './types';

/**
 * Tissue et al. 2024: L(s) = L0 + A·S1^(−α) − C·S2, S1 the forward area (Σ lr) and S2 the
 * annealing area with momentum (see `annealingAreas`). The law's variables are the areas, so a
 * curve is fed as x_i = [S1(step_i), S2(step_i)] (`annealingInputs`).
 * Fit space: l0 = ln L0, a = ln A, α, C (≥ 0, identity). Early in a cosine run S2 ≈ 0 and C is
 * barely identified: fit with a prior on C (shared across a family) and widen the interval.
 */
export const annealingLaw: LawDefinition = {
  id: 'annealing',
  title: 'Scaling law with learning-rate annealing (Tissue et al.)',
  kind: 'curve',
  formula: 'L(s) = L0 + A·S1^(−α) − C·S2',
  fitFormula: 'L = exp(l0) + exp(a − α·ln S1) − C·S2',
  citation: {
    paper: 'Scaling Law with Learning Rate Annealing',
    authors: 'Tissue et al.',
    year: 2024,
    arxiv: '2408.11029',
    note: 'Eq. (1): S1 = Σ η_i, S2 = Σ m_i with m_i = λ·m_(i−1) + (η_(i−1) − η_i), λ ≈ 0.999, counted from the end of warmup.',
  },
  variables: [
    {
      symbol: 'S1',
      name: 'forward area',
      definition: 'Sum of the learning rate over every step up to s (warmup included), from the logged LR or the rebuilt schedule.',
      unit: 'lr·steps',
    },
    {
      symbol: 'S2',
      name: 'annealing area',
      definition: 'Sum over steps after warmup of the momentum m_i = λ·m_(i−1) + (lr_(i−1) − lr_i), λ = 0.999; 0 at constant LR.',
      unit: 'lr·steps',
      allowZero: true,
    },
  ],
  parameters: [
    {
      name: 'l0',
      description: 'ln L0, loss at infinite forward area',
      lower: -10,
      upper: 3,
      grid: [0, 0.5, 1, 1.5],
      natural: { name: 'L0', transform: 'exp' },
    },
    { name: 'a', description: 'ln A', lower: -20, upper: 20, grid: [-2, 0, 2], natural: { name: 'A', transform: 'exp' } },
    {
      name: 'alpha',
      description: 'exponent of the forward area',
      lower: 0.01,
      upper: 3,
      grid: [0.2, 0.5, 1],
      natural: { name: 'alpha', transform: 'identity' },
    },
    {
      name: 'C',
      description: 'loss drop per unit annealing area',
      lower: 0,
      upper: 1e6,
      grid: [0, 0.1, 1, 10, 100, 1000],
      natural: { name: 'C', transform: 'identity' },
    },
  ],
  evaluate(params, x) {
    const [l0, a, alpha, c] = params;
    return Math.exp(l0) + Math.exp(a - alpha * Math.log(x[0])) - c * (x[1] ?? 0);
  },
  jacobian(params, x) {
    const [l0, a, alpha] = params;
    const t = Math.exp(a - alpha * Math.log(x[0]));
    return [Math.exp(l0), t, -Math.log(x[0]) * t, -(x[1] ?? 0)];
  },
};

/** x_i = [S1, S2] at each step for `annealingLaw`, from a per-step LR (see schedule.ts). */
export function annealingInputs(lr: Float64Array, steps: readonly number[], lambda = 0.999): number[][] {
  const { s1, s2 } = annealingAreas(lr, lambda);
  const T = lr.length - 1;
  return steps.map((s) => {
    const k = Math.max(1, Math.min(T, Math.round(s)));
    return [s1[k], s2[k]];
  });
}
