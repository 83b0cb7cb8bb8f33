// Runs that went wrong, told apart from runs that are merely noisy: divergence (the loss went
// non-finite, rose well above its minimum, or jumped and never came back), plateaus (a live run
// whose loss stopped falling) and restarts (a resume after a crash). A diverged run gets no finish
// forecast and is left out of its family's fits; the others are shown as they are.
import type { RunStatus, Series, StatusRule } from './types';

export type RunHealthState = 'ok' | 'diverged' | 'plateau';

export interface RunHealthEvent {
  /** `forecast-break`: the loss left the interval an earlier forecast of the run gave (fit/forecastBreak.ts, added by the engine). */
  kind: 'non-finite' | 'rising' | 'spike' | 'plateau' | 'restart' | 'forecast-break';
  step: number;
  /** Whether the loss came back to its level before (spikes only). */
  recovered?: boolean;
  note: string;
}

export interface RunHealth {
  state: RunHealthState;
  /** Why the state is not `ok`, in words. */
  reason?: string;
  events: RunHealthEvent[];
  /** A diverged run: no finish forecast, left out of family fits. */
  excludeFromFits: boolean;
  /** A diverged run: the step where it stopped improving (the smoothed minimum before the blow-up, or the spike). */
  onsetStep?: number;
}

/** A point this much above the mean of the window before it starts a spike. */
export const SPIKE_RISE = 0.15;
/**
 * ...and this many of the run's local noise scales above it: a noisy per-step loss (small
 * micro-batches) wanders 15% and more between steps, which a W&B or TensorBoard user reads as noise,
 * not an alarm. Heavy-tailed batch noise reaches 3-4 scales (AuroraEchos/TinyLM: 3.6 at most).
 */
export const SPIKE_NOISE_SCALES = 6;
/** A spike has recovered once the trailing mean is back within this of its level before. */
export const SPIKE_RECOVERED = 0.03;
/** Points after a spike within which it must recover (fraction of the run's points, at least 10). */
const RECOVERY_FRACTION = 0.1;
/** A live run plateaus when the last quarter of its points improved the loss by less than this (relative). */
export const PLATEAU_IMPROVEMENT = 0.001;
/** The index's divergence test (runs/index.ts `divergence`): the last smoothed loss over its minimum. */
const RISE_FACTOR = 1.5;

function trailingMean(values: ArrayLike<number>, w: number): number[] {
  const out = new Array<number>(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= w) sum -= values[i - w];
    out[i] = sum / Math.min(i + 1, w);
  }
  return out;
}

/** Where a loss that ends well above its minimum stopped improving: the step of its smoothed minimum (undefined when it did not rise 10%). */
function blowUpOnset(loss: Series): number | undefined {
  const n = loss.values.length;
  if (n < 10) return undefined;
  const smooth = trailingMean(loss.values, Math.max(3, Math.min(50, Math.round(n * 0.02))));
  let minI = Math.floor(n * 0.1);
  for (let i = minI; i < n; i++) if (smooth[i] < smooth[minI]) minI = i;
  return smooth[n - 1] > 1.1 * smooth[minI] ? loss.steps[minI] : undefined;
}

function median(sorted: ArrayLike<number>, length: number): number {
  const m = length >> 1;
  return length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/**
 * The loss's local noise (one standard deviation, in loss units) over values[from, to): the median
 * absolute deviation of second differences (v[j+1] − 2v[j] + v[j−1]), over √6. Second differences,
 * not values or step-to-step changes, so the curve's own fall and the slowing of that fall (a convex
 * early descent, whose changes spread several times wider than its noise) are not counted as noise;
 * medians, so an earlier spike in the window does not inflate it.
 */
export function localNoiseScale(values: ArrayLike<number>, from: number, to: number): number {
  const start = Math.max(0, from);
  // Typed arrays sort numerically without a comparator, several times faster than number[].
  const curvatures = new Float64Array(Math.max(0, to - start - 2));
  let count = 0;
  for (let j = start + 1; j < to - 1; j++) {
    const second = values[j + 1] - 2 * values[j] + values[j - 1];
    if (Number.isFinite(second)) curvatures[count++] = second;
  }
  if (count < 2) return 0;
  const used = curvatures.subarray(0, count).sort();
  const mid = median(used, count);
  for (let j = 0; j < count; j++) used[j] = Math.abs(used[j] - mid);
  // 1.4826: MAD to standard deviation for normal noise; √6: a second difference sums 1 + 4 + 1 point variances.
  return (1.4826 * median(used.sort(), count)) / Math.sqrt(6);
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

/**
 * The health of a run from its status (as the run index judged it, by `statusRule`: never by the
 * words of `statusReason`, which are only shown) and its training loss. Restarts are the steps where
 * a new launch began (the wall clock's `restartSteps`), when known.
 */
export function runHealth(
  run: { status: RunStatus; statusReason?: string; statusRule?: StatusRule; statusStep?: number },
  loss: Series | undefined,
  restartSteps: readonly number[] = [],
): RunHealth {
  const events: RunHealthEvent[] = restartSteps.map((step) => ({
    kind: 'restart' as const,
    step,
    note: `restarted at step ${step} (a new launch resumed the run)`,
  }));
  const health = (state: RunHealthState, reason?: string, onsetStep?: number): RunHealth => ({
    state,
    ...(reason ? { reason } : {}),
    events: events.sort((a, b) => a.step - b.step),
    excludeFromFits: state === 'diverged',
    ...(state === 'diverged' && onsetStep !== undefined ? { onsetStep } : {}),
  });
  const why = run.statusReason ?? '';
  // The index already called it: non-finite, or risen past 1.5× its minimum.
  const failedBy = run.status === 'failed' ? run.statusRule : undefined;
  if (failedBy === 'nonFinite' && run.statusStep !== undefined) {
    const step = run.statusStep;
    events.push({ kind: 'non-finite', step, note: why });
    return health('diverged', why, loss ? (blowUpOnset(loss) ?? step) : step);
  }
  if (!loss || loss.values.length < 20) {
    if (failedBy === 'diverged') return health('diverged', why);
    return health('ok');
  }
  const n = loss.values.length;
  const w = Math.max(3, Math.min(50, Math.round(n * 0.02)));
  const smooth = trailingMean(loss.values, w);
  if (failedBy === 'diverged') {
    let minI = Math.floor(n * 0.1);
    for (let i = minI; i < n; i++) if (smooth[i] < smooth[minI]) minI = i;
    let from = minI;
    while (from < n - 1 && smooth[from] <= RISE_FACTOR * smooth[minI] * 0.75) from++;
    events.push({ kind: 'rising', step: loss.steps[from], note: why });
    return health('diverged', why, blowUpOnset(loss) ?? loss.steps[from]);
  }
  // Spikes: a point well above the mean of the points before it, both relatively and in units of
  // the run's local noise; recovered when the trailing mean is back near that level within a tenth of the run.
  const horizon = Math.max(10, Math.round(n * RECOVERY_FRACTION));
  const noiseWindow = Math.max(20, 2 * w);
  let noiseBlock = -1;
  let blockNoise = 0;
  let unrecovered: RunHealthEvent | undefined;
  for (let i = Math.max(w, Math.floor(n * 0.05)); i < n; i++) {
    const before = smooth[i - 1];
    if (!(loss.values[i] > before * (1 + SPIKE_RISE))) continue;
    // The noise scale of the window of points before i's block of that many points: computed once a
    // block, as on a very noisy run most points clear the relative rise (1M points at 10% noise: 30× the
    // old rule's CPU when each candidate sorted its own window). The first block uses the points before i.
    const block = Math.floor(i / noiseWindow);
    if (block !== noiseBlock) {
      noiseBlock = block;
      blockNoise = localNoiseScale(loss.values, (block - 1) * noiseWindow, block * noiseWindow);
    }
    const noise = block > 0 ? blockNoise : localNoiseScale(loss.values, 0, i);
    if (!(loss.values[i] - before > SPIKE_NOISE_SCALES * noise)) continue;
    let recovered = false;
    let end = i;
    for (let k = i + 1; k < Math.min(n, i + horizon + w); k++) {
      end = k;
      if (smooth[k] <= before * (1 + SPIKE_RECOVERED) && k >= i + w) {
        recovered = true;
        break;
      }
    }
    const enough = n - 1 - i >= horizon;
    const rise = (loss.values[i] / before - 1) * 100;
    // On a near-noiseless curve the ratio is huge and says nothing; shown only while it is telling.
    const noiseScales = (loss.values[i] - before) / noise;
    const scales = noiseScales < 100 ? `, ${Math.round(noiseScales)}× the local noise` : '';
    if (recovered) {
      events.push({
        kind: 'spike',
        step: loss.steps[i],
        recovered: true,
        note: `loss spike at step ${loss.steps[i]} (+${rise.toFixed(0)}%${scales}), recovered by step ${loss.steps[end]}`,
      });
    } else if (enough) {
      unrecovered = {
        kind: 'spike',
        step: loss.steps[i],
        recovered: false,
        note: `loss spike at step ${loss.steps[i]} (+${rise.toFixed(0)}%${scales}) that did not recover: the loss stayed above ${fmt(before * (1 + SPIKE_RECOVERED))} (its level before, +${SPIKE_RECOVERED * 100}%)`,
      };
      events.push(unrecovered);
      break;
    } else {
      events.push({
        kind: 'spike',
        step: loss.steps[i],
        note: `loss spike at step ${loss.steps[i]} (+${rise.toFixed(0)}%${scales}); too recent to tell whether it recovers`,
      });
      break;
    }
    // Skip past the spike before looking for the next one.
    i = end;
  }
  if (unrecovered) return health('diverged', unrecovered.note, unrecovered.step);
  // Plateau: a live run whose last quarter of points no longer improves the loss.
  if (run.status === 'live' && n >= 40) {
    const q = Math.floor(n * 0.75);
    const k = Math.max(3, Math.floor((n - q) / 5));
    let a = 0;
    let b = 0;
    for (let i = q; i < q + k; i++) a += loss.values[i];
    for (let i = n - k; i < n; i++) b += loss.values[i];
    a /= k;
    b /= k;
    if (b > a * (1 - PLATEAU_IMPROVEMENT)) {
      const note = `plateau since step ${loss.steps[q]}: the loss moved ${fmt(a)} → ${fmt(b)} over the last quarter of the logged steps`;
      events.push({ kind: 'plateau', step: loss.steps[q], note });
      return health('plateau', note);
    }
  }
  return health('ok');
}
