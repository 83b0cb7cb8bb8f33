import type { LawDefinition } from './types';

/** ln(1 + e^z) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Caballero et al. 2022, Broken Neural Scaling Law with one break:
 *   y = a + b·x^(−c0)·(1 + (x/d1)^(1/f1))^(−c1·f1)
 * Slope −c0 before the break at x ≈ d1, −(c0 + c1) after it; f1 sets its sharpness.
 * Fit space: la = ln a, lb = ln b, c0, c1, ld = ln d1, lf = ln f1. With z = (ln x − ld)/f1:
 *   y = exp(la) + exp(T),  T = lb − c0·ln x − c1·f1·softplus(z).
 * Used to detect curves a single power law cannot follow, not to extrapolate far.
 */
export const bnslLaw: LawDefinition = {
  id: 'bnsl',
  title: 'Broken neural scaling law, one break (Caballero et al.)',
  kind: 'curve',
  formula: 'y = a + b·x^(−c0)·(1 + (x/d1)^(1/f1))^(−c1·f1)',
  fitFormula: 'y = exp(la) + exp(lb − c0·ln x − c1·f1·softplus((ln x − ld)/f1)),  f1 = exp(lf)',
  citation: { paper: 'Broken Neural Scaling Laws', authors: 'Caballero et al.', year: 2022, arxiv: '2210.14891', note: 'Eq. (1) with n = 1 break.' },
  variables: [
    {
      symbol: 'x',
      name: 'step or scale',
      definition: 'The quantity scaled: optimizer step for a loss curve (step > 0), or compute / parameters / tokens across runs.',
      unit: 'steps',
    },
  ],
  parameters: [
    { name: 'la', description: 'ln a, limit as x → ∞', lower: -20, upper: 10, grid: [0, 0.5, 1], natural: { name: 'a', transform: 'exp' } },
    { name: 'lb', description: 'ln b, scale', lower: -20, upper: 40, grid: [0, 2, 5], natural: { name: 'b', transform: 'exp' } },
    { name: 'c0', description: 'slope before the break', lower: 0, upper: 3, grid: [0.1, 0.5], natural: { name: 'c0', transform: 'identity' } },
    { name: 'c1', description: 'change of slope at the break', lower: -3, upper: 3, grid: [-0.3, 0.3], natural: { name: 'c1', transform: 'identity' } },
    { name: 'ld', description: 'ln d1, location of the break', lower: -5, upper: 60, grid: [5, 8, 11], natural: { name: 'd1', transform: 'exp' } },
    { name: 'lf', description: 'ln f1, sharpness of the break', lower: -5, upper: 3, grid: [-1, 0], natural: { name: 'f1', transform: 'exp' } },
  ],
  evaluate(params, x) {
    const [la, lb, c0, c1, ld, lf] = params;
    const f = Math.exp(lf);
    const lnX = Math.log(x[0]);
    return Math.exp(la) + Math.exp(lb - c0 * lnX - c1 * f * softplus((lnX - ld) / f));
  },
  jacobian(params, x) {
    const [la, lb, c0, c1, ld, lf] = params;
    const f = Math.exp(lf);
    const lnX = Math.log(x[0]);
    const z = (lnX - ld) / f;
    const sp = softplus(z);
    const sg = sigmoid(z);
    const t = Math.exp(lb - c0 * lnX - c1 * f * sp);
    return [Math.exp(la), t, -lnX * t, -f * sp * t, c1 * sg * t, -c1 * f * (sp - sg * z) * t];
  },
};
