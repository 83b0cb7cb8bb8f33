// A point forecast sent ahead of its interval (CurvePrediction.intervalPending): the words and the
// test shared by the status bar and the dashboard table.

/** What the forecast's interval says while it is being computed. */
export const INTERVAL_PENDING_TEXT = 'a point forecast, its 80% interval still being computed';

/** Whether the run's headline forecast is a point forecast whose interval is still coming (a sibling forecast's own interval is not pending). */
export function intervalComing(run: { curve?: { intervalPending?: boolean; provenance?: string } }): boolean {
  return run.curve?.intervalPending === true && run.curve.provenance !== 'from siblings';
}
