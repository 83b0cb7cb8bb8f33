// Every message between the extension host, the worker thread and the dashboard webview is
// defined here once, as discriminated unions, and validated on receipt where the sender is
// untrusted (the webview).
import type { Diagnostic } from '../core/diagnostics';
import type { RunHyper, RunStatus, LogFormat } from '../core/runs/types';
import type { ConfigEstimate, FamilyLaw, CurvePrediction } from '../core/snapshot';

export type { ConfigEstimate, FamilyLaw, CurvePrediction };

/** A run as the UI sees it: summary numbers plus display series already downsampled. */
export interface RunView {
  id: string;
  name: string;
  /** Folder holding the run's first log file. */
  dir: string;
  format: LogFormat;
  status: RunStatus;
  files: string[];
  hyper: RunHyper;
  lastStep?: number;
  lastLoss?: number;
  points: number;
  curve?: CurvePrediction;
  display: {
    steps: number[];
    loss: number[];
    evalSteps: number[];
    evalLoss: number[];
    fitSteps: number[];
    fit: number[];
    fitLower: number[];
    fitUpper: number[];
  };
  diagnostics: Diagnostic[];
}

export interface Snapshot {
  /** Increases with every snapshot; stale ones are dropped. */
  version: number;
  runs: RunView[];
  families: FamilyLaw[];
  diagnostics: Diagnostic[];
  /** Time spent fitting for this snapshot, in milliseconds. */
  fitMs: number;
  /** Some fits ran out of their time budget; another round follows. */
  incomplete: boolean;
}

export interface WorkerSettings {
  fitTimeBudgetMs: number;
  minPointsForCurve: number;
}

// ---- host <-> worker ----------------------------------------------------------------------

export type WorkerRequest =
  | { kind: 'estimateConfig'; path: string; text: string }
  | { kind: 'snapshot' };

export type WorkerResponse =
  | { kind: 'estimateConfig'; estimate: ConfigEstimate }
  | { kind: 'snapshot'; snapshot: Snapshot };

export type HostToWorker =
  | { type: 'configure'; settings: WorkerSettings }
  | { type: 'filesChanged'; files: { path: string; root: string }[] }
  | { type: 'filesDeleted'; paths: string[] }
  /** Forget every run and read these files instead (a rescan), as one step so nothing flickers. */
  | { type: 'reset'; files: { path: string; root: string }[] }
  | { type: 'request'; id: number; request: WorkerRequest };

export type WorkerToHost =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'response'; id: number; ok: true; response: WorkerResponse }
  | { type: 'response'; id: number; ok: false; error: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

// ---- host <-> webview ---------------------------------------------------------------------

export type RunColumn = 'name' | 'status' | 'params' | 'tokens' | 'lastStep' | 'lastLoss' | 'predicted';
const RUN_COLUMNS: readonly RunColumn[] = ['name', 'status', 'params', 'tokens', 'lastStep', 'lastLoss', 'predicted'];

export interface DashboardState {
  xScale: 'linear' | 'logarithmic';
  yScale: 'linear' | 'logarithmic';
  /** What the loss curves are drawn against. */
  xAxis: 'step' | 'tokens';
  /** Debiased EMA weight for display, 0 = off (TensorBoard's slider). */
  smoothing: number;
  sort: { column: RunColumn; descending: boolean };
  hiddenRuns: string[];
}

export type HostToWebview = { type: 'snapshot'; snapshot: Snapshot };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'rendered'; version: number; runs: number; points: number }
  | { type: 'revealLog'; runId: string }
  | { type: 'exportCsv' }
  | { type: 'exportPng'; dataUrl: string };

/** A chart image from the webview: a base64 PNG data URL, at most this long. */
const MAX_PNG_DATA_URL = 20 * 1024 * 1024;
const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;

const MAX_ID_LENGTH = 4096;

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
    case 'rendered':
      if (!only('type', 'version', 'runs', 'points')) return undefined;
      if (!count(m.version) || !count(m.runs) || !count(m.points)) return undefined;
      return { type: 'rendered', version: m.version as number, runs: m.runs as number, points: m.points as number };
    case 'revealLog':
      if (!only('type', 'runId') || typeof m.runId !== 'string' || m.runId.length > MAX_ID_LENGTH) return undefined;
      return { type: 'revealLog', runId: m.runId };
    case 'exportCsv':
      return only('type') ? { type: 'exportCsv' } : undefined;
    case 'exportPng':
      if (!only('type', 'dataUrl') || typeof m.dataUrl !== 'string' || m.dataUrl.length > MAX_PNG_DATA_URL) return undefined;
      return PNG_DATA_URL.test(m.dataUrl) ? { type: 'exportPng', dataUrl: m.dataUrl } : undefined;
    default:
      return undefined;
  }
}

export function parseDashboardState(raw: unknown): DashboardState {
  const fallback: DashboardState = { xScale: 'logarithmic', yScale: 'logarithmic', xAxis: 'step', smoothing: 0.6, sort: { column: 'name', descending: false }, hiddenRuns: [] };
  if (typeof raw !== 'object' || raw === null) return fallback;
  const s = raw as Record<string, unknown>;
  const scale = (v: unknown, d: DashboardState['xScale']) => (v === 'linear' || v === 'logarithmic' ? v : d);
  const sort = (typeof s.sort === 'object' && s.sort !== null ? s.sort : {}) as Record<string, unknown>;
  return {
    xScale: scale(s.xScale, fallback.xScale),
    yScale: scale(s.yScale, fallback.yScale),
    xAxis: s.xAxis === 'tokens' ? 'tokens' : 'step',
    smoothing: typeof s.smoothing === 'number' && s.smoothing >= 0 && s.smoothing < 1 ? s.smoothing : fallback.smoothing,
    sort: {
      column: RUN_COLUMNS.includes(sort.column as RunColumn) ? (sort.column as RunColumn) : fallback.sort.column,
      descending: sort.descending === true,
    },
    hiddenRuns: Array.isArray(s.hiddenRuns) ? s.hiddenRuns.filter((x): x is string => typeof x === 'string').slice(0, 1000) : [],
  };
}
