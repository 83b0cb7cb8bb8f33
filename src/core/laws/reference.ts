// A law's published values as a fit-space parameter vector, apart from the fitting code
// (fit/crossRunLaw.ts): the published laws' advice (plan/advice.ts) needs no fit.
import type { LawDefinition } from './types';

/** A law's published values in fit-space order (`exp`-transformed parameters as their logs). */
export function referenceParams(law: LawDefinition): number[] {
  const ref = law.reference!.values;
  return law.parameters.map((p) => (p.natural.transform === 'exp' ? Math.log(ref[p.natural.name]) : ref[p.natural.name]));
}
