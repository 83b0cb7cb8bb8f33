// The dashboard page's state, in one place: what the host sent (snapshot, planned config, focus)
// and the UI state persisted with setState. Views read it; only `update` and the message handler
// in main.ts change it, and every change ends in one render.
import type { DashboardFocus, DashboardState, LadderOverlay, PlannedPoint, Snapshot, WebviewToHost } from '../src/shared/protocol';
import { parseDashboardState } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: DashboardState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode = acquireVsCodeApi();

export interface Store {
  /** UI state, persisted across reloads (validated on the way in). */
  state: DashboardState;
  latest: Snapshot | undefined;
  /** The config open in the editor, as the host last sent it. */
  planned: PlannedPoint | undefined;
  /** The ladder "Plan Experiments" showed last (planned runs, the target's interval). */
  ladder: LadderOverlay | undefined;
  /** What a hover or lens link asked to pick out (a run, or the planned config), until the next link. */
  focus: DashboardFocus | undefined;
  /** A focus that arrived and was not yet shown: its row is scrolled to and flashed once. */
  flashPending: boolean;
}

/** Whether this page started without a state of its own (a new panel): it then takes the last panel's options. */
export const freshPage = vscode.getState() === undefined;

export const store: Store = {
  state: parseDashboardState(vscode.getState()),
  latest: undefined,
  planned: undefined,
  ladder: undefined,
  focus: undefined,
  flashPending: false,
};

/** What the current render drew; reset at its start, reported to the host at its end. */
export const drawn = { planned: false, focus: false, ladder: 0, notInFit: 0 };

export function focusedRun(): string | undefined {
  const f = store.focus;
  return f && 'runId' in f ? f.runId : undefined;
}

let renderHook: () => void = () => {};
let beforeUpdate: (change: Partial<DashboardState>) => void = () => {};

/** main.ts wires the render (and what a change must do first, like resetting zoom). */
export function onUpdate(render: () => void, before: (change: Partial<DashboardState>) => void): void {
  renderHook = render;
  beforeUpdate = before;
}

export function update(change: Partial<DashboardState>): void {
  beforeUpdate(change);
  store.state = { ...store.state, ...change };
  vscode.setState(store.state);
  // The host keeps the options for the next panel (a closed panel's setState is gone with it).
  vscode.postMessage({ type: 'state', state: store.state });
  renderHook();
}

export function render(): void {
  renderHook();
}
