// Whether a family's fitted Chinchilla exponents are plausible against published fits of the same
// law. Published L(N, D) = E + A/N^α + B/D^β fits: Hoffmann et al. 2022 (arXiv 2203.15556, Approach 3)
// α = 0.34, β = 0.28; Besiroglu et al. 2024 (arXiv 2404.10102, their refit of the same data)
// α = 0.3478, β = 0.3658. An exponent more than PLAUSIBLE_FACTOR times off that range (outside
// 0.093–1.10) is not what language-model families show, so a fit landing there is a sign the runs do
// not pin it (few sizes, runs along one line) and extrapolations lean on it; the product says so.
// The factor is fixed a priori from these two papers, not tuned on the shared ladders; how often it
// fires there is measured in `npm run validate`, "One number per run".

/** The published exponents of the Chinchilla law: [min, max] over Hoffmann et al. 2022 and Besiroglu et al. 2024. */
export const PUBLISHED_CHINCHILLA_EXPONENTS = { alpha: [0.34, 0.3478], beta: [0.28, 0.3658] } as const;
/** How far (a factor either way) beyond the published range an exponent counts as implausible. */
export const PLAUSIBLE_FACTOR = 3;

/** The exponent range counted as plausible: the published range widened PLAUSIBLE_FACTOR× either way. */
export function plausibleExponentRange(): [number, number] {
  const lo = Math.min(PUBLISHED_CHINCHILLA_EXPONENTS.alpha[0], PUBLISHED_CHINCHILLA_EXPONENTS.beta[0]);
  const hi = Math.max(PUBLISHED_CHINCHILLA_EXPONENTS.alpha[1], PUBLISHED_CHINCHILLA_EXPONENTS.beta[1]);
  return [lo / PLAUSIBLE_FACTOR, hi * PLAUSIBLE_FACTOR];
}

/** A sentence per fitted exponent (α, β of a Chinchilla fit's natural parameters) outside the plausible range. */
export function implausibleExponents(lawId: string, parameters: Readonly<Record<string, { value: number }>>): string[] {
  const [lo, hi] = plausibleExponentRange();
  const out: string[] = [];
  for (const name of ['alpha', 'beta'] as const) {
    const v = parameters[name]?.value;
    if (v === undefined || !Number.isFinite(v) || (v >= lo && v <= hi)) continue;
    const symbol = name === 'alpha' ? 'α' : 'β';
    const [p0, p1] = PUBLISHED_CHINCHILLA_EXPONENTS[name];
    out.push(
      `${lawId}: the fitted ${symbol} = ${v.toPrecision(3)} is far from published fits (${symbol} = ${p0} in Hoffmann et al. 2022, ${p1} in Besiroglu et al. 2024; plausible here ${lo.toFixed(2)}–${hi.toFixed(2)}): the runs pin it poorly or the family is unusual, and predictions away from the runs lean on it.`,
    );
  }
  return out;
}
