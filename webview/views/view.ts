// What a dashboard view is to the page: its markup (controls, canvas, caption) put into its tab
// panel once, its controls wired once, and a draw of the current snapshot.
import type { DashboardView, Snapshot } from '../../src/shared/protocol';

export interface ViewModule {
  id: DashboardView;
  /** Static markup of the view's panel (no data: names from the workspace reach the page only as text). */
  markup: string;
  /** Wires the view's own controls to the state (after the markup is in the page). */
  mount?(): void;
  /** Enables or fills the view's controls for what the data offers. */
  sync?(snapshot: Snapshot): void;
  /** Draws the snapshot; the points drawn, and a note for the status line. */
  draw(snapshot: Snapshot): { points: number; note?: string };
}
