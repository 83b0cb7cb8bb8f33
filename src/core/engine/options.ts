// The engine's options (ScalingWorkspace's constructor and `configure`), read by its parts.
import type { RunPointMode } from '../fit/runPoint';
import type { Fitter } from '../fitJobs';
import type { HardwareSettings } from '../plan/hardware';
import type { FileTimes } from '../etaSources';

export interface WorkspaceOptions {
  minPointsForCurve: number;
  /**
   * Bootstrap resamples for each run's curve (default 40). Every live run is refitted as its log
   * grows, so this is smaller than the fit module's default; the family law keeps its 200.
   */
  curveResamples?: number;
  /** Points per display series sent to the UI. */
  displayPoints?: number;
  seed?: number;
  /**
   * Which point of each run feeds its family's cross-run law (fit/runPoint.ts): the final loss
   * smoothed without lag (default), the smoothed minimum, or the curve law's value at a token count.
   */
  crossRunPoint?: RunPointMode;
  /**
   * Time budget of ONE fit in ms (default: none, fits share the round's deadline). Keeps one slow
   * fit from using a whole round; a fit cut short reports its best so far and is redone later.
   */
  fitBudgetMs?: number;
  /** Wall clock in ms (default Date.now): the ETA of runs whose logs record no time, and the age of live fits. */
  now?: () => number;
  /**
   * `scalingLens.fit.liveRefitSeconds` in ms (default 0: refit on every change). A live run's curve
   * fit costs up to ~1.5 s with the schedule-aware law, and trainers append every second or so:
   * within this much wall time of its last fit, a live run keeps that fit (its points still update)
   * unless its loss series grew by more than LIVE_REFIT_GROWTH of the points the fit saw, or it
   * ended, restarted or rewound. `refitDueAt()` says when a kept fit is due.
   */
  liveRefitIntervalMs?: number;
  /** `scalingLens.hardware.*`: extra profiles, default profile, prices, MFU (cost estimates). */
  hardware?: HardwareSettings;
  /** `scalingLens.textLog.patterns`: user line patterns for plain-text logs (apply to logs read afterwards). */
  textLogPatterns?: string[];
  /**
   * Where fits run (default: in the calling thread, at once). The extension's worker hands them to
   * a fitting thread of their own: while one runs, a snapshot shows the fit made before (if any)
   * and counts it in `Snapshot.fitting`.
   */
  fitter?: Fitter;
  /**
   * A point forecast (the curve fit without bootstrap resamples, about a third of its CPU) first for
   * the runs the user sees (looked at, live), sent at once and replaced by the fit with its interval:
   * the extension's worker (engine/session.ts). Off in the CLI, which shows only the final answers.
   */
  pointForecastsFirst?: boolean;
  /** `scalingLens.files.followLinksOutside`: read files whose real path is outside their workspace folder (off by default). */
  followLinksOutside?: boolean;
  /** A file's creation and last-write times (default: fs.statSync), for the ETA of a live run whose log has no clock. */
  fileTimes?: (file: string) => FileTimes | undefined;
}
