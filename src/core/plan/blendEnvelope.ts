// The regime blend made monotone, exactly. The family's two laws, Chinchilla C(N, D) and the
// over-training law O(N, D), each through the runs' numbers (fit/residualField.ts), are each
// non-increasing in N and in D. Their blend B = (1 − w)·C + w·O, w = w(D/N) (regime.ts), need not be:
// across the blend band (40–160 tokens/parameter) more N or more D shifts weight towards the law
// that predicts higher. The model is B's monotone envelope: the least B over every (N', D') with
// N' ≤ N and D' ≤ D (so more N or more D never predicts worse; where B is monotone, B itself).
//
// That 2-D minimum is exactly two 1-D ones. Below the band (w = 0) B = C: a point there with less N
// and D is beaten by the point with more D on the band's lower edge, if the quadrant reaches it, else
// by (N, D) itself (C is monotone); likewise above the band (w = 1, O), with more N. Inside the band,
// along a diagonal (N·t, D·t) w is constant and both laws fall, so B falls: a band point is beaten
// where its diagonal leaves the quadrant, on D' = D or N' = N. So the envelope is
// min(B(N, D), min over N' ∈ [D/160, min(N, D/40)] of B(N', D), min over D' ∈ [40N, min(D, 160N)] of B(N, D')).
import { goldenSectionMinimum } from '../fit/goldenSection';
import { BLEND_END_TOKENS_PER_PARAM, BLEND_START_TOKENS_PER_PARAM, overtrainWeight } from './regime';

/** Samples of a segment (ln 4 wide at most) before each local minimum among them is refined: about 0.03 in ln N or ln D apart. */
const SEGMENT_SAMPLES = 48;

export interface EnvelopePoint {
  params: number;
  tokens: number;
  value: number;
}

/** The blend of the two laws' values `[chinchilla, overtrain]` at (N, D). */
function blendAt(parts: (params: number, tokens: number) => readonly [number, number], params: number, tokens: number): number {
  const [c, o] = parts(params, tokens);
  const w = overtrainWeight(tokens / params);
  return w === 0 ? c : w === 1 ? o : (1 - w) * c + w * o;
}

/**
 * The least of f over k ∈ [lo, hi] (ln N or ln D): a grid with the runs' field's breakpoints in it
 * (`extra`, where a narrow dip can sit between grid points), then each of its local minima refined by
 * golden section between its neighbours (two nearly equal minima included).
 */
function segmentMinimum(f: (k: number) => number, lo: number, hi: number, extra: readonly number[]): { k: number; value: number } {
  const grid: number[] = [];
  for (let i = 0; i <= SEGMENT_SAMPLES; i++) grid.push(i === SEGMENT_SAMPLES ? hi : lo + ((hi - lo) * i) / SEGMENT_SAMPLES);
  for (const k of extra) if (k > lo && k < hi) grid.push(k);
  const ks = extra.length ? [...new Set(grid)].sort((a, b) => a - b) : grid;
  const vs = ks.map(f);
  const last = ks.length - 1;
  let best = { k: ks[0], value: vs[0] };
  for (let i = 0; i <= last; i++) {
    if (vs[i] < best.value) best = { k: ks[i], value: vs[i] };
    const left = i > 0 ? vs[i - 1] : Infinity;
    const right = i < last ? vs[i + 1] : Infinity;
    if (!(vs[i] <= left && vs[i] <= right)) continue;
    const k = goldenSectionMinimum(f, ks[Math.max(0, i - 1)], ks[Math.min(last, i + 1)], { tolerance: 1e-11, maxSteps: 80 });
    const v = f(k);
    if (v < best.value) best = { k, value: v };
  }
  return best;
}

/**
 * The monotone envelope of the regime blend at (N, D) (see the header) and the (N', D') ≤ (N, D)
 * whose blend value it is. `parts(N, D)` gives [Chinchilla, over-training] at (N, D); each must be
 * non-increasing in N and in D (the proof leans on it, and so do the bounds that skip a segment).
 * `breakpoints` gives where along a line the parts' runs' fields change slope (fit/residualField.ts).
 */
export function blendEnvelope(
  parts: (params: number, tokens: number) => readonly [number, number],
  params: number,
  tokens: number,
  breakpoints: (axis: 'params' | 'tokens', params: number, tokens: number, lo: number, hi: number) => number[] = () => [],
): EnvelopePoint {
  let best: EnvelopePoint = { params, tokens, value: blendAt(parts, params, tokens) };
  if (!(params > 0 && tokens > 0 && Number.isFinite(params) && Number.isFinite(tokens)) || !Number.isFinite(best.value)) return best;
  // Less N at this D, across the band: N' from D/160 up to min(N, D/40).
  const nLo = tokens / BLEND_END_TOKENS_PER_PARAM;
  const nHi = Math.min(params, tokens / BLEND_START_TOKENS_PER_PARAM);
  // Each law is at least its value at the segment's top, so B is at least the lower of the two there.
  if (nLo < nHi && minOfPair(parts(nHi, tokens)) < best.value) {
    const m = segmentMinimum(
      (k) => blendAt(parts, Math.exp(k), tokens),
      Math.log(nLo),
      Math.log(nHi),
      breakpoints('params', nHi, tokens, nLo, nHi).map((n) => Math.log(n)),
    );
    if (m.value < best.value) best = { params: Math.exp(m.k), tokens, value: m.value };
  }
  // Less D at this N, across the band: D' from 40·N up to min(D, 160·N).
  const dLo = params * BLEND_START_TOKENS_PER_PARAM;
  const dHi = Math.min(tokens, params * BLEND_END_TOKENS_PER_PARAM);
  if (dLo < dHi && minOfPair(parts(params, dHi)) < best.value) {
    const m = segmentMinimum(
      (k) => blendAt(parts, params, Math.exp(k)),
      Math.log(dLo),
      Math.log(dHi),
      breakpoints('tokens', params, dHi, dLo, dHi).map((d) => Math.log(d)),
    );
    if (m.value < best.value) best = { params, tokens: Math.exp(m.k), value: m.value };
  }
  return best;
}

function minOfPair([a, b]: readonly [number, number]): number {
  return a < b ? a : b;
}
