/**
 * The last few curve fits' deterministic part (the main fit and the fit-on-prefix checks), kept by
 * their exact inputs. The extension fits a run the user sees twice in a row: a point forecast
 * without resamples, shown at once, then the same fit with its bootstrap (engine/curveFits.ts,
 * `pointForecastsFirst`). Both start with the same main fit and prefix checks, which are most of
 * the CPU (the bootstrap is about a fifth at 40 resamples); the second fit takes them from here and
 * only adds the bootstrap. Same inputs, same arithmetic: the same numbers as a fresh fit.
 *
 * Inputs are compared exactly (every step, loss and LR value), never by hash, so a hit is always
 * the fit of these very points. Only fits that ran to completion are kept (not cut short by a
 * deadline or a cancellation). Per thread: a fitting thread keeps its own.
 */

export interface CurveMemoKey {
  law: string;
  targetStep: number;
  /** The first usable step, before the warm-up cut: where the prefix checks' cuts are measured from. */
  firstStep: number;
  /** The points the fit used (after the warm-up cut), in step order. */
  steps: readonly number[];
  losses: readonly number[];
  /** The per-step LR of a schedule-aware fit. */
  lr?: Float64Array;
  prefixes: readonly number[];
}

function sameNumbers(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function sameKey(a: CurveMemoKey, b: CurveMemoKey): boolean {
  return (
    a.law === b.law &&
    Object.is(a.targetStep, b.targetStep) &&
    Object.is(a.firstStep, b.firstStep) &&
    sameNumbers(a.prefixes, b.prefixes) &&
    sameNumbers(a.steps, b.steps) &&
    sameNumbers(a.losses, b.losses) &&
    sameNumbers(a.lr, b.lr)
  );
}

/** Longest key (steps + losses + LR values) kept: 8 MB of copies per entry at most (a million-step LR schedule is not kept). */
const MAX_KEY_NUMBERS = 1 << 20;

export class CurveMemo<V> {
  private readonly entries: { key: CurveMemoKey; value: V }[] = [];
  constructor(private readonly size: number) {}

  get(key: CurveMemoKey): V | undefined {
    const i = this.entries.findIndex((e) => sameKey(e.key, key));
    if (i < 0) return undefined;
    const [hit] = this.entries.splice(i, 1);
    this.entries.push(hit);
    return hit.value;
  }

  /** Keeps copies of the key's arrays (a caller may reuse its buffers). */
  set(key: CurveMemoKey, value: V): void {
    if (key.steps.length + key.losses.length + (key.lr?.length ?? 0) > MAX_KEY_NUMBERS) return;
    const copy: CurveMemoKey = { ...key, steps: key.steps.slice(), losses: key.losses.slice(), prefixes: key.prefixes.slice(), lr: key.lr?.slice() };
    const i = this.entries.findIndex((e) => sameKey(e.key, key));
    if (i >= 0) this.entries.splice(i, 1);
    this.entries.push({ key: copy, value });
    if (this.entries.length > this.size) this.entries.shift();
  }

  clear(): void {
    this.entries.length = 0;
  }
}
