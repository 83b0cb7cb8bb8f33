// The training-compute approximation the cross-run laws, IsoFLOP frontiers, the planner and the
// dashboard count compute in: C ≈ 6·N·D for N parameters trained on D tokens. The forward pass
// costs 2 FLOPs per parameter and token, the backward pass about twice that (Kaplan et al. 2020,
// "Scaling Laws for Neural Language Models", §2.1); Hoffmann et al. 2022 ("Training
// Compute-Optimal Large Language Models") allocate budgets under the same C = 6·N·D with N total
// parameters. A concrete architecture's count, with the attention term, is src/core/plan/flops.ts.

/** Training FLOPs per parameter and token. */
export const FLOPS_PER_PARAM_TOKEN = 6;

/** Training compute C ≈ 6·N·D in FLOPs. */
export function approxTrainingFlops(params: number, tokens: number): number {
  return FLOPS_PER_PARAM_TOKEN * params * tokens;
}

/** Tokens D = C / 6N that `flops` train a model of `params` parameters on. */
export function tokensForFlops(flops: number, params: number): number {
  return flops / (FLOPS_PER_PARAM_TOKEN * params);
}
