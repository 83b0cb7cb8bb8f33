// Every message between the extension host, the worker thread and the dashboard webview is
// defined here once, as discriminated unions, and validated on receipt where the sender is
// untrusted (the webview).
//
// Layers: the protocol sits above the core and owns only the envelopes (messages, deltas, the
// dashboard's state). The payloads are the engine's result types, owned by the core
// (core/snapshot.ts, core/plan/budgetRequest.ts, ...) and imported here as types only; the core
// never imports this file (.dependency-cruiser.cjs keeps it so).
import type { Diagnostic } from '../core/diagnostics';
import type { BudgetPlan } from '../core/plan/budget';
import type { PlanBudgetRequest } from '../core/plan/budgetRequest';
import type { LadderPlan } from '../core/plan/ladder';
import type { LadderLink, LadderOverlay, PlanLadderRequest } from '../core/plan/ladderRequest';
import type { LadderWrite, LadderWriteInput } from '../core/plan/ladderWriteTypes';
import type { HardwareSettings } from '../core/plan/hardware';
import type { FitJob, FitJobResult } from '../core/fitJobs';
import { DASHBOARD_VIEW_IDS as DASHBOARD_VIEWS, type DashboardView } from './dashboardViews';
import type { RpcRequestMessage, RpcResponseMessage } from './rpc';
import type { ConfigEstimate, FamilyLaw, LossEstimate, PlannedPoint, RunView, ScalingView, SeedGroup, Snapshot, ValidationPoint } from '../core/snapshot';

export type { ConfigEstimate, FamilyLaw, LossEstimate, PlannedPoint, PlanBudgetRequest, RunView, ScalingView, SeedGroup, Snapshot, ValidationPoint };
export type { LadderOverlay, PlanLadderRequest };

/**
 * One list of a snapshot as the change from the list before: items added or changed in full, the
 * keys of items removed, and the new order of keys only when it is not the old order minus the
 * removed ones plus the added ones at the end (see dashboardDelta.ts for the keys).
 */
export interface KeyedDelta<T> {
  changed: T[];
  removed: string[];
  order?: string[];
}

/**
 * A snapshot as the change from the one before (`baseVersion`; 0 = from nothing, a whole
 * snapshot): for runs, family laws, scaling views, seed groups and validations only what changed,
 * the diagnostics only when they changed. The worker sends these; the host applies them to its
 * own snapshot and forwards them to the dashboard.
 */
export interface SnapshotDelta {
  version: number;
  baseVersion: number;
  buildMs: number;
  fitting: number;
  /** Snapshot.filesToRead. */
  filesToRead?: number;
  /** Snapshot.estimates. */
  estimates?: number;
  runs: KeyedDelta<RunView>;
  families: KeyedDelta<FamilyLaw>;
  scaling: KeyedDelta<ScalingView>;
  seedGroups: KeyedDelta<SeedGroup>;
  validations: KeyedDelta<ValidationPoint>;
  diagnostics?: Diagnostic[];
}

/**
 * Host messages that cancel the fits queued or running: a rescan starts over. A deleted file does
 * not (a trainer rotating its checkpoints deletes files all the time): the fits in progress finish,
 * their answers are kept by their inputs, and the next round asks only for what it needs.
 */
export function cancelsFitting(message: HostToWorker): boolean {
  return message.type === 'reset';
}

export interface WorkerSettings {
  fitTimeBudgetMs: number;
  minPointsForCurve: number;
  /** `scalingLens.fit.liveRefitSeconds`: wall time a live run keeps its curve fit between refits (0: refit on every change). */
  liveRefitSeconds?: number;
  /** `scalingLens.textLog.patterns`: user regexes for plain-text logs (compiled, and checked, in the worker). */
  textLogPatterns?: string[];
  /** `scalingLens.hardware.*` (profiles, default, prices, mfu): what cost estimates are computed on. */
  hardware?: HardwareSettings;
  /** `scalingLens.files.followLinksOutside` (false in Restricted Mode): read files linked from outside the workspace folder. */
  followLinksOutside?: boolean;
  /** Files that stopped the worker twice while it read them (the host no longer sends them): each gets a diagnostic. */
  quarantined?: string[];
}

/**
 * `workerData` of the ingest worker: `reading` is a SharedArrayBuffer of three Int32s, the batch id
 * (0: none) and the index in it of the file being read, and the last batch received when a snapshot
 * with every file read was posted (batches up to it are read). It outlives a crashed worker, so the
 * host knows which file was being read when it stopped (workerClient.ts).
 */
export interface IngestWorkerData {
  reading: SharedArrayBuffer;
}

// ---- host <-> worker ----------------------------------------------------------------------

export type WorkerRequest =
  | { kind: 'estimateConfig'; path: string; text: string }
  | { kind: 'planBudget'; request: PlanBudgetRequest }
  | { kind: 'planLadder'; request: PlanLadderRequest }
  /** "Write Configs": the ladder's runs as variants of the target config (parsed and written back in the worker). */
  | { kind: 'ladderWrite'; input: LadderWriteInput };

export type WorkerResponse =
  | { kind: 'estimateConfig'; estimate: ConfigEstimate }
  | { kind: 'planBudget'; plan: BudgetPlan; family?: string }
  /** `links`: planned runs and their folders (from the request or a PLAN.json); `problems`: PLAN.json files not read, with line. */
  | { kind: 'planLadder'; plan: LadderPlan; overlay: LadderOverlay; links: LadderLink[]; problems: string[] }
  | { kind: 'ladderWrite'; written: LadderWrite };

export type HostToWorker =
  | { type: 'configure'; settings: WorkerSettings }
  | { type: 'filesChanged'; files: { path: string; root: string }[]; batch?: number }
  | { type: 'filesDeleted'; paths: string[] }
  /** Forget every run and read these files instead (a rescan), as one step so nothing flickers. */
  | { type: 'reset'; files: { path: string; root: string }[]; batch?: number }
  /** The host's snapshot no longer matches the worker's deltas: send the latest one whole. */
  | { type: 'resend' }
  /** For tests and the fault benchmark: the fitting thread stops as a crash would (the worker restarts it). */
  | { type: 'crashFitThread' }
  /** For tests of the quarantine: the worker stops as a crash would whenever it reads a path ending with this. */
  | { type: 'crashOnReadForTest'; pathSuffix: string | undefined }
  /** An editor request, answered by a `response` of its kind (shared/rpc.ts). */
  | RpcRequestMessage<WorkerRequest>
  /** The runs the user looks at (dashboard focus, status bar): their fits are queued first. */
  | { type: 'lookAt'; runIds: string[] };

export type WorkerToHost =
  /** A new snapshot, as the change from the one posted before (whole after a start or a `resend`). */
  { type: 'delta'; delta: SnapshotDelta } | RpcResponseMessage<WorkerResponse> | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

// ---- worker <-> fitting thread ---------------------------------------------------------------

/**
 * `workerData` of the fitting thread. `cancelFlag` is a SharedArrayBuffer of one Int32: the worker
 * stores the id of a job it no longer wants (Atomics); the fit polls it between solver iterations
 * and resamples, so cancellation is seen mid-fit without waiting for the message loop.
 */
export interface FitThreadInit {
  cancelFlag: SharedArrayBuffer;
}

/** One fit at a time per thread: the worker sends the next job when the answer to the last one arrived. */
export type FitThreadRequest = { kind: 'fit'; job: FitJob; budgetMs: number };

/** A fit's answer (fits answer bad data with an `error` result; a failed response is a bug that threw). */
export type FitThreadResponse = { kind: 'fit'; result: FitJobResult; ms: number };

export type ToFitThread = RpcRequestMessage<FitThreadRequest>;
export type FromFitThread = RpcResponseMessage<FitThreadResponse>;

// ---- host <-> webview ---------------------------------------------------------------------

export type RunColumn = 'name' | 'status' | 'params' | 'tokens' | 'lastStep' | 'lastLoss' | 'predicted' | 'error' | 'eta';
const RUN_COLUMNS: readonly RunColumn[] = ['name', 'status', 'params', 'tokens', 'lastStep', 'lastLoss', 'predicted', 'error', 'eta'];

/** `wall`: hours since each run's first logged point (relative); `clock`: the date and time (absolute, Unix seconds). */
export type CurveXAxis = 'step' | 'tokens' | 'flops' | 'wall' | 'clock';
const CURVE_X_AXES: readonly CurveXAxis[] = ['step', 'tokens', 'flops', 'wall', 'clock'];
export type { DashboardView };
export type ScalingXAxis = 'params' | 'tokens' | 'flops';
const SCALING_X_AXES: readonly ScalingXAxis[] = ['params', 'tokens', 'flops'];
/** What gives runs a shared colour: each its own, or a family or hyperparameter value. */
export type ColourBy = 'run' | 'family' | 'params' | 'tokens' | 'peakLr';
const COLOUR_BY: readonly ColourBy[] = ['run', 'family', 'params', 'tokens', 'peakLr'];

export interface DashboardState {
  xScale: 'linear' | 'logarithmic';
  yScale: 'linear' | 'logarithmic';
  /** What the loss curves are drawn against. */
  xAxis: CurveXAxis;
  view: DashboardView;
  scalingX: ScalingXAxis;
  /** Learning rate on a secondary y axis. */
  showLr: boolean;
  /** Runs differing only by seed drawn as their mean with a min–max band. */
  groupSeeds: boolean;
  colourBy: ColourBy;
  /** Only runs of this family ('' = all). */
  family: string;
  /** Only runs whose name or path contains this text, any case ('' = all): the run list's search box. */
  runFilter: string;
  /** The loss axis fitted to the curves without their spikes (a diverged run's blow-up), as W&B's and TensorBoard's "ignore outliers". */
  ignoreOutliers: boolean;
  /** Debiased EMA weight for display, 0 = off (TensorBoard's slider). */
  smoothing: number;
  sort: { column: RunColumn; descending: boolean };
  hiddenRuns: string[];
}

export type HostToWebview =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'delta'; delta: SnapshotDelta }
  /** Switch to a view (a link or command asked for it); the webview remembers it like a click. */
  | { type: 'showView'; view: DashboardView }
  /** The config open in the editor, drawn in the scaling view; undefined when none applies. */
  | { type: 'planned'; planned: PlannedPoint | undefined }
  /**
   * "Open the dashboard at that prediction" (a hover or lens link): show this run (its curve and
   * table row picked out) or the planned config's point; the webview remembers it until the next.
   */
  | { type: 'focus'; focus: DashboardFocus }
  /** A newly opened panel (no state of its own) takes the options the last one had: axes, scales, filters, sort. */
  | { type: 'restoreState'; state: DashboardState }
  /** "Plan Experiments": the planned runs and the target's interval, drawn in the scaling view; undefined clears them. */
  | { type: 'ladder'; ladder: LadderOverlay | undefined };

/** What a link asked the dashboard to pick out: a run, or the planned config (drawn from `planned`). */
export type DashboardFocus = { runId: string } | { planned: string };

/** What the webview drew (its `rendered` message; the host's RenderReport, features/dashboard.ts, adds its own counts). */
export interface RenderedView {
  version: number;
  runs: number;
  points: number;
  view: DashboardView;
  /** Whether the editor's config was drawn as a planned run. */
  planned: boolean;
  /** What a link asked to pick out and the page did: a run id, `planned:` and the file, or ''. */
  focus: string;
  /** Planned ladder runs drawn as hollow markers ("Plan Experiments"). */
  ladder?: number;
  /** Runs drawn as not in their family's fit (hollow grey) in the scaling view. */
  notInFit?: number;
}

export type WebviewToHost =
  | { type: 'ready' }
  /** A delta did not apply to what the webview holds: send the whole snapshot. */
  | { type: 'resync' }
  /** `focus`: the run id, or `planned:` and the config file, picked out in this render ('' when none). */
  | ({ type: 'rendered' } & RenderedView)
  | { type: 'revealLog'; runId: string }
  /** The user selected a run in the run list or table (not a link's focus): the status bar follows it. */
  | { type: 'selectRun'; runId: string }
  /** The webview's state says which view, axis and selection to export; the data comes from the host's snapshot. */
  | { type: 'exportCsv'; state: DashboardState }
  | { type: 'exportPng'; dataUrl: string }
  /** The options changed: the host keeps them for the next panel (W&B and TensorBoard keep a workspace's chart settings). */
  | { type: 'state'; state: DashboardState };

/** A chart image from the webview: a base64 PNG data URL, at most this long. */
const MAX_PNG_DATA_URL = 20 * 1024 * 1024;
const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;

const MAX_ID_LENGTH = 4096;
const MAX_FILTER_LENGTH = 200;

/**
 * Validates a message from the webview. The webview is untrusted: anything not exactly one of
 * the shapes above is rejected (returns undefined), including extra keys.
 */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  const keys = Object.keys(m);
  const only = (...allowed: string[]) => keys.every((k) => allowed.includes(k));
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  switch (m.type) {
    case 'ready':
      return only('type') ? { type: 'ready' } : undefined;
    case 'resync':
      return only('type') ? { type: 'resync' } : undefined;
    case 'rendered':
      if (!only('type', 'version', 'runs', 'points', 'view', 'planned', 'focus', 'ladder', 'notInFit')) return undefined;
      if (!count(m.version) || !count(m.runs) || !count(m.points) || !DASHBOARD_VIEWS.includes(m.view as DashboardView) || typeof m.planned !== 'boolean')
        return undefined;
      if (
        typeof m.focus !== 'string' ||
        m.focus.length > MAX_ID_LENGTH ||
        (m.ladder !== undefined && !count(m.ladder)) ||
        (m.notInFit !== undefined && !count(m.notInFit))
      )
        return undefined;
      return {
        type: 'rendered',
        version: m.version as number,
        runs: m.runs as number,
        points: m.points as number,
        view: m.view as DashboardView,
        planned: m.planned,
        focus: m.focus,
        ...(m.ladder !== undefined ? { ladder: m.ladder as number } : {}),
        ...(m.notInFit !== undefined ? { notInFit: m.notInFit as number } : {}),
      };
    case 'revealLog':
    case 'selectRun':
      if (!only('type', 'runId') || typeof m.runId !== 'string' || m.runId.length === 0 || m.runId.length > MAX_ID_LENGTH) return undefined;
      return { type: m.type, runId: m.runId };
    case 'exportCsv':
    case 'state': {
      if (!only('type', 'state')) return undefined;
      const state = exactDashboardState(m.state);
      return state ? { type: m.type, state } : undefined;
    }
    case 'exportPng':
      if (!only('type', 'dataUrl') || typeof m.dataUrl !== 'string' || m.dataUrl.length > MAX_PNG_DATA_URL) return undefined;
      return PNG_DATA_URL.test(m.dataUrl) ? { type: 'exportPng', dataUrl: m.dataUrl } : undefined;
    default:
      return undefined;
  }
}

/** A dashboard state exactly as parseDashboardState would make it (no key missing, extra, or coerced); else undefined. */
function exactDashboardState(raw: unknown): DashboardState | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const parsed = parseDashboardState(raw);
  const keys = Object.keys(parsed) as (keyof DashboardState)[];
  if (Object.keys(r).length !== keys.length || !keys.every((k) => Object.prototype.hasOwnProperty.call(r, k))) return undefined;
  const sort = r.sort;
  if (typeof sort !== 'object' || sort === null || Object.keys(sort).length !== 2) return undefined;
  const as = (o: Record<string, unknown>) =>
    JSON.stringify(keys.map((k) => (k === 'sort' ? [(o.sort as Record<string, unknown>).column, (o.sort as Record<string, unknown>).descending] : o[k])));
  return as(r) === as(parsed as unknown as Record<string, unknown>) ? parsed : undefined;
}

function oneOf<T extends string>(allowed: readonly T[], v: unknown, fallback: T): T {
  return allowed.includes(v as T) ? (v as T) : fallback;
}

export function parseDashboardState(raw: unknown): DashboardState {
  const fallback: DashboardState = {
    xScale: 'logarithmic',
    yScale: 'logarithmic',
    xAxis: 'step',
    view: 'curves',
    scalingX: 'flops',
    showLr: false,
    groupSeeds: false,
    colourBy: 'run',
    family: '',
    runFilter: '',
    ignoreOutliers: true,
    smoothing: 0.6,
    sort: { column: 'name', descending: false },
    hiddenRuns: [],
  };
  if (typeof raw !== 'object' || raw === null) return fallback;
  const s = raw as Record<string, unknown>;
  const scale = (v: unknown, d: DashboardState['xScale']) => (v === 'linear' || v === 'logarithmic' ? v : d);
  const sort = (typeof s.sort === 'object' && s.sort !== null ? s.sort : {}) as Record<string, unknown>;
  return {
    xScale: scale(s.xScale, fallback.xScale),
    yScale: scale(s.yScale, fallback.yScale),
    xAxis: oneOf(CURVE_X_AXES, s.xAxis, fallback.xAxis),
    view: oneOf(DASHBOARD_VIEWS, s.view, fallback.view),
    scalingX: oneOf(SCALING_X_AXES, s.scalingX, fallback.scalingX),
    showLr: s.showLr === true,
    groupSeeds: s.groupSeeds === true,
    colourBy: oneOf(COLOUR_BY, s.colourBy, fallback.colourBy),
    family: typeof s.family === 'string' && s.family.length <= MAX_ID_LENGTH ? s.family : '',
    runFilter: typeof s.runFilter === 'string' && s.runFilter.length <= MAX_FILTER_LENGTH ? s.runFilter : '',
    ignoreOutliers: s.ignoreOutliers !== false,
    smoothing: typeof s.smoothing === 'number' && s.smoothing >= 0 && s.smoothing < 1 ? s.smoothing : fallback.smoothing,
    sort: {
      column: RUN_COLUMNS.includes(sort.column as RunColumn) ? (sort.column as RunColumn) : fallback.sort.column,
      descending: sort.descending === true,
    },
    hiddenRuns: Array.isArray(s.hiddenRuns) ? s.hiddenRuns.filter((x): x is string => typeof x === 'string' && x.length <= MAX_ID_LENGTH).slice(0, 1000) : [],
  };
}
