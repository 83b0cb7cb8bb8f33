// The loss-curve x axis: a run's steps mapped to tokens, FLOPs or wall-clock hours with the numbers
// the worker sent (tokens and FLOPs per step, the log's step → time table). Pure, so it is tested
// once and the webview only applies it.
import type { CurveXAxis, RunView } from './protocol';
import { interpolateWithin } from './interpolate';

export { interpolateWithin };

/** A step → x map for one run, or undefined when the run lacks what the axis needs. */
export type StepToX = (step: number) => number;

/**
 * Piecewise-linear interpolation over ascending `xs`. Beyond the last point it continues at
 * `slopeAfter` (x units per step) when given, else along the last segment; before the first point
 * along the first segment. NaN for an empty table.
 */
export function piecewiseLinear(steps: readonly number[], values: readonly number[], slopeAfter?: number): StepToX {
  const n = Math.min(steps.length, values.length);
  return (step: number) => {
    if (n === 0) return NaN;
    if (n === 1) return values[0];
    if (step >= steps[n - 1]) {
      const slope = slopeAfter ?? (values[n - 1] - values[n - 2]) / (steps[n - 1] - steps[n - 2] || 1);
      return values[n - 1] + slope * (step - steps[n - 1]);
    }
    if (step <= steps[0]) return values[0] + ((values[1] - values[0]) / (steps[1] - steps[0] || 1)) * (step - steps[0]);
    return interpolateWithin(steps, values, step, n);
  };
}

export function stepToX(run: Pick<RunView, 'hyper' | 'flopsPerStep' | 'eta' | 'display'>, axis: CurveXAxis): StepToX | undefined {
  switch (axis) {
    case 'step':
      return (s) => s;
    case 'tokens': {
      const perStep = run.hyper.tokensPerStep;
      return perStep === undefined ? undefined : (s) => s * perStep;
    }
    case 'flops': {
      const perStep = run.flopsPerStep;
      return perStep === undefined ? undefined : (s) => s * perStep;
    }
    case 'wall': {
      const wall = run.display.wall;
      if (!wall || wall.steps.length < 2) return undefined;
      // The extrapolated fit continues at the run's recent pace (hours per step) when it is known.
      const hoursPerStep = run.eta ? 1 / (3600 * run.eta.stepsPerSecond) : undefined;
      return piecewiseLinear(wall.steps, wall.hours, hoursPerStep);
    }
    case 'clock': {
      // The date and time: only a clock that is a Unix time places a run on it.
      const wall = run.display.wall;
      const start = wall?.startUnixSeconds;
      if (!wall || start === undefined || wall.steps.length < 2) return undefined;
      const secondsPerStep = run.eta ? 1 / run.eta.stepsPerSecond : undefined;
      return piecewiseLinear(
        wall.steps,
        wall.hours.map((h) => start + h * 3600),
        secondsPerStep,
      );
    }
  }
}

/** Why a run is not on an x axis, in a few words (the chart names the runs it could not place). */
export const CURVE_X_MISSING: Record<CurveXAxis, string> = {
  step: '',
  tokens: 'no tokens per step',
  flops: 'no parameters or tokens per step',
  wall: 'no clock in its log',
  clock: 'no date in its log',
};

/** Axis titles, units included. */
export const CURVE_X_TITLES: Record<CurveXAxis, string> = {
  step: 'step',
  tokens: 'tokens',
  flops: 'training compute (FLOPs, 6·N·D)',
  wall: "wall time since the run's first logged point (restarts: gaps)",
  clock: 'wall clock (your time zone; restarts: gaps)',
};
