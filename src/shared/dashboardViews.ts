// The dashboard's views, listed once: the protocol's `DashboardView` type, the host's check of a
// link's view, the page's tabs and the webview's registry of view modules (webview/views/) all
// derive from this list. Adding a view: its module in webview/views/ and one line here.
export const DASHBOARD_VIEWS = [
  { id: 'curves', tab: 'Loss curves' },
  { id: 'scaling', tab: 'Scaling across runs' },
  { id: 'validation', tab: 'Predicted vs actual' },
] as const;

export type DashboardView = (typeof DASHBOARD_VIEWS)[number]['id'];

export const DASHBOARD_VIEW_IDS: readonly DashboardView[] = DASHBOARD_VIEWS.map((v) => v.id);

export function isDashboardView(v: unknown): v is DashboardView {
  return DASHBOARD_VIEW_IDS.includes(v as DashboardView);
}
