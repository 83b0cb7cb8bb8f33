/**
 * Declarative scaling-law definitions. A law is fitted in its *fit space* (the parameter vector
 * `params`, e.g. log-scales for positive coefficients, which keeps the optimiser well
 * conditioned) and reported in its *natural units* (E, A, alpha, ...) through a per-parameter
 * monotone transform, so bootstrap percentiles map across exactly.
 */

export interface LawCitation {
  paper: string;
  authors: string;
  year: number;
  /** arXiv identifier, e.g. "2203.15556". */
  arxiv: string;
  /** Which part of the paper, or how this law relates to it. */
  note?: string;
}

/** An input variable of the law; `x[i]` of `evaluate` is `variables[i]`. All are positive. */
export interface LawVariable {
  symbol: string;
  name: string;
  /** What exactly to feed in, so users do not mix conventions (e.g. embeddings counted or not). */
  definition: string;
  unit: string;
  /** Zero is a valid value (e.g. an annealing area at constant LR, a schedule index); others must be > 0. */
  allowZero?: boolean;
}

/** Whether `v` is a usable value of `variable`. */
export function isValidInput(variable: LawVariable, v: number): boolean {
  return Number.isFinite(v) && (v > 0 || (v === 0 && variable.allowZero === true));
}

/** `identity`: natural = fit value; `exp`: natural = exp(fit value) (fit value is a log-scale). */
export type ParamTransform = 'identity' | 'exp';

export interface LawParameter {
  /** Name in fit space: the key for priors, and the order of `params`. */
  name: string;
  description: string;
  /** Box bounds in fit space, enforced by the solver (projected steps). */
  lower: number;
  upper: number;
  /** Start values in fit space; the fitter evaluates the Cartesian product of all grids once. */
  grid: readonly number[];
  /** The natural-units parameter this one reports as. */
  natural: { name: string; transform: ParamTransform };
}

export interface LawDefinition {
  id: string;
  title: string;
  /**
   * `curve`: one run's loss against its step (or schedule areas); `cross-run`: final losses of
   * many runs; `hparam`: an optimal hyperparameter (lr, batch) against N, D or C; `link`: a map
   * from loss to something else (e.g. downstream error).
   */
  kind: LawKind;
  /** Formula in natural units, as text. */
  formula: string;
  /** Formula in the fit-space parameterisation, as text. */
  fitFormula: string;
  citation: LawCitation;
  variables: readonly LawVariable[];
  parameters: readonly LawParameter[];
  /** Predicted loss at `x` (ordered as `variables`) for fit-space `params`. Positive for valid input. */
  evaluate(params: readonly number[], x: readonly number[]): number;
  /** d evaluate / d params[j] for each fit-space parameter j, analytic. */
  jacobian(params: readonly number[], x: readonly number[]): number[];
  /**
   * Optional batch form of `evaluate`/`jacobian` over a fixed set of points, for the fitter's inner
   * loop: terms that depend only on the data (logs of the inputs) are computed once per fit instead
   * of at every evaluation, and values and gradients come out of one pass without an array per
   * point. Must give the same numbers as `evaluate` and `jacobian` (the fitter falls back on those
   * for laws without it).
   */
  compile?(x: readonly (readonly number[])[]): CompiledLaw;
  /** Published values in natural units, used as defaults and priors. */
  reference?: { citation: LawCitation; values: Readonly<Record<string, number>> };
  /**
   * Range of each variable (by `symbol`) in the data the law was published on. A prediction
   * with the published defaults outside it is flagged (see `domainFlags`).
   */
  domain?: LawDomain;
}

/** A law bound to fixed points x_0 … x_(m−1) (see `LawDefinition.compile`). */
export interface CompiledLaw {
  /** out[i] = evaluate(params, x_i). */
  values(params: readonly number[], out: Float64Array): void;
  /** out[i] as `values`; jac[i·k + j] = d out[i] / d params[j] (row-major, k = parameter count). */
  valuesAndJacobian(params: readonly number[], out: Float64Array, jac: Float64Array): void;
  /**
   * True when a Jacobian costs about what values cost and the kernel keeps it for the parameters
   * last evaluated (multipower: both are one pass over the blocks, cached): a fitter about to ask
   * for the Jacobian where it asks for values then asks for both at once, saving a pass.
   */
  readonly jacobianWithValues?: boolean;
  /**
   * True when the Jacobian asked right after the values at the same parameters costs only its own
   * part (multipower: the pass's logs and powers are kept per parameter setting): a solver then
   * asks for values alone at a trial point, and for the Jacobian only where it takes the step.
   */
  readonly jacobianAfterValues?: boolean;
}

/** The compiled form of `law` over `x`: its own when it has one, else one that calls `evaluate`/`jacobian` per point. */
export function compileLaw(law: LawDefinition, x: readonly (readonly number[])[]): CompiledLaw {
  if (law.compile) return law.compile(x);
  const k = law.parameters.length;
  return {
    values(params, out) {
      for (let i = 0; i < x.length; i++) out[i] = law.evaluate(params, x[i]);
    },
    valuesAndJacobian(params, out, jac) {
      for (let i = 0; i < x.length; i++) {
        out[i] = law.evaluate(params, x[i]);
        const g = law.jacobian(params, x[i]);
        for (let j = 0; j < k; j++) jac[i * k + j] = g[j];
      }
    },
  };
}

export type LawKind = 'curve' | 'cross-run' | 'hparam' | 'link';

export interface LawDomain {
  /** Closed ranges per variable symbol, in the variable's unit. */
  ranges: Readonly<Record<string, readonly [number, number]>>;
  /** Where the ranges come from (paper section, table). */
  note: string;
}

export function applyTransform(t: ParamTransform, fitValue: number): number {
  return t === 'exp' ? Math.exp(fitValue) : fitValue;
}

export function invertTransform(t: ParamTransform, naturalValue: number): number {
  return t === 'exp' ? Math.log(naturalValue) : naturalValue;
}

/** Fit-space vector → natural-units record, e.g. { E: 1.82, A: 482, ... }. */
export function toNatural(law: LawDefinition, params: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  law.parameters.forEach((p, i) => {
    out[p.natural.name] = applyTransform(p.natural.transform, params[i]);
  });
  return out;
}

/** Natural-units record → fit-space vector; throws if a parameter is missing (programming error). */
export function fromNatural(law: LawDefinition, values: Readonly<Record<string, number>>): number[] {
  return law.parameters.map((p) => {
    const v = values[p.natural.name];
    if (v === undefined) throw new Error(`law ${law.id}: missing parameter ${p.natural.name}`);
    return invertTransform(p.natural.transform, v);
  });
}

/**
 * A hyperparameter law: optimal peak learning rate and batch size (in tokens) as power laws of
 * N, D or C. Each target is a `hparam` law (y = k·Π x^e, see `monomialLaw`) over the variables
 * it needs, so the same fitter refits it from a user's sweeps.
 */
export interface HyperparamLaw {
  id: string;
  title: string;
  citation: LawCitation;
  /** Optimal peak learning rate. */
  lr: LawDefinition;
  /** Optimal batch size in tokens (sequences × sequence length). */
  batch: LawDefinition;
}
