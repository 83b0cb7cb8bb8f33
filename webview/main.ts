// The dashboard webview: renders the snapshots the host sends (whole, then as deltas), keeps only
// UI state (setState), and computes nothing of its own beyond layout and display smoothing.
// Glue only: the views are modules in views/ (registered in views/index.ts), state is in store.ts,
// shared chart helpers in chartKit.ts, the tables in tables.ts.
import type { DashboardFocus, DashboardState, DashboardView, HostToWebview } from '../src/shared/protocol';
import { applyDelta } from '../src/shared/dashboardDelta';
import { shortFamilyName } from '../src/shared/displayName';
import { $, charts, destroyCharts } from './chartKit';
import { drawn, focusedRun, freshPage, onUpdate, store, update, vscode } from './store';
import { drawTables, markFocusedRow, mountTables } from './tables';
import { VIEW_MODULES } from './views';
import { bindCheckbox, bindSelect, setOptions, type VscodeCheckbox, type VscodeSingleSelect } from './controls';
import { naturalCompare } from './palette';

/** Options every view shares: the family to show (from the data). */
function syncControls(): void {
  const snapshot = store.latest!;
  const names = [...new Set(snapshot.runs.map((r) => r.family))].sort(naturalCompare);
  const options = [
    { value: '', label: 'all' },
    ...names.map((name) => ({ value: name, label: shortFamilyName(name), title: name !== shortFamilyName(name) ? name : undefined })),
  ];
  setOptions($<VscodeSingleSelect>('family'), options, names.includes(store.state.family) ? store.state.family : '');
  for (const view of Object.values(VIEW_MODULES)) view.sync?.(snapshot);
}

function render(): void {
  const state = store.state;
  for (const button of document.querySelectorAll<HTMLButtonElement>('[role="tab"]')) {
    const selected = button.dataset.view === state.view;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`view-${button.dataset.view}`).hidden = !selected;
  }
  const latest = store.latest;
  if (!latest) return;
  syncControls();
  drawn.planned = false;
  drawn.focus = false;
  drawn.ladder = 0;
  drawn.notInFit = 0;
  const { points, note: viewNote } = VIEW_MODULES[state.view].draw(latest);
  let note = viewNote ?? '';
  drawTables(latest);
  const picked = markFocusedRow();
  const focus = store.focus;
  const pickedPlanned = !picked && focus && 'planned' in focus && drawn.focus ? focus.planned : undefined;
  if (picked) note += ` · picked out: ${picked}`;
  else if (pickedPlanned) note += ` · picked out: planned ${pickedPlanned}`;
  const live = latest.runs.filter((r) => r.status === 'live').length;
  const fitting = latest.fitting > 0 ? ` · fitting ${latest.fitting}…` : '';
  const status = $('status');
  status.textContent = `${latest.runs.length} runs (${live} live)${fitting}${note}`;
  status.title = status.textContent;
  const focusText = picked ? focusedRun()! : pickedPlanned ? `planned:${pickedPlanned}` : '';
  vscode.postMessage({
    type: 'rendered',
    version: latest.version,
    runs: latest.runs.length,
    points,
    view: state.view,
    planned: drawn.planned,
    focus: focusText,
    ladder: drawn.ladder,
    notInFit: drawn.notInFit,
  });
}

/** A link asked to pick out a run or the planned config: make sure it is shown (not hidden, not filtered out). */
function applyFocus(next: DashboardFocus): void {
  store.focus = next;
  store.flashPending = true;
  const { state, latest, planned } = store;
  const id = focusedRun();
  const change: Partial<DashboardState> = {};
  if (id) {
    if (state.hiddenRuns.includes(id)) change.hiddenRuns = state.hiddenRuns.filter((r) => r !== id);
    const run = latest?.runs.find((r) => r.id === id);
    if (run && state.family && run.family !== state.family) change.family = '';
  } else if ('planned' in next && planned && state.family && planned.family !== state.family) {
    change.family = '';
  }
  update(change);
}

/** The user (or a restore) changed an option on this page. */
let touched = false;

/** Each view's panel gets its markup, then its controls are wired (at load, and anew after a restore: controls show the state they were bound with). */
function mountViews(): void {
  for (const view of Object.values(VIEW_MODULES)) {
    $(`view-${view.id}`).innerHTML = view.markup;
    view.mount?.();
  }
}

/** After a restore: fresh views and charts, and the shared controls set to the restored options. */
function remountViews(): void {
  destroyCharts();
  mountViews();
  $<VscodeCheckbox>('logy').checked = store.state.yScale === 'logarithmic';
  $<VscodeCheckbox>('ignoreOutliers').checked = store.state.ignoreOutliers;
  $<VscodeSingleSelect>('colourBy').value = store.state.colourBy;
}

onUpdate(render, (change) => {
  touched = true;
  // A new axis or scale makes the old zoom meaningless.
  if (['xAxis', 'xScale', 'yScale', 'scalingX', 'view'].some((k) => k in change)) for (const chart of Object.values(charts)) chart?.resetZoom('none');
});

mountViews();
mountTables();

bindCheckbox('logy', store.state.yScale === 'logarithmic', (on) => update({ yScale: on ? 'logarithmic' : 'linear' }));
bindCheckbox('ignoreOutliers', store.state.ignoreOutliers, (ignoreOutliers) => update({ ignoreOutliers }));
bindSelect<DashboardState['colourBy']>('colourBy', store.state.colourBy, (colourBy) => update({ colourBy }));
bindSelect('family', store.state.family, (family) => update({ family }));

// Tabs: click, or arrow keys between them (the WAI-ARIA tabs pattern); Enter/Space come with <button>.
const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
for (const [i, tab] of tabs.entries()) {
  tab.addEventListener('click', () => update({ view: tab.dataset.view as DashboardView }));
  tab.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = tabs[(i + step + tabs.length) % tabs.length];
    next.focus();
    update({ view: next.dataset.view as DashboardView });
  });
}
$('resetZoom').addEventListener('click', () => charts[store.state.view]?.resetZoom());
// The host writes the CSV from its own snapshot; the state says which view and selection to export.
$('exportCsv').addEventListener('click', () => vscode.postMessage({ type: 'exportCsv', state: store.state }));
// Escape lets go of a run or config a link picked out.
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || !store.focus) return;
  store.focus = undefined;
  render();
});
$('exportPng').addEventListener('click', () => {
  const canvas = $<HTMLCanvasElement>(store.state.view);
  vscode.postMessage({ type: 'exportPng', dataUrl: canvas.toDataURL('image/png') });
});

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  switch (message?.type) {
    case 'snapshot':
      store.latest = message.snapshot;
      render();
      return;
    case 'delta': {
      const merged = applyDelta(store.latest, message.delta);
      if (!merged) {
        vscode.postMessage({ type: 'resync' });
        return;
      }
      store.latest = merged;
      render();
      return;
    }
    case 'showView':
      update({ view: message.view });
      return;
    case 'planned':
      store.planned = message.planned;
      render();
      return;
    case 'focus':
      applyFocus(message.focus);
      return;
    case 'restoreState':
      // Only a new panel, and only before the user changed anything on it.
      if (freshPage && !touched) {
        touched = true;
        store.state = message.state;
        vscode.setState(store.state);
        remountViews();
        render();
      }
      return;
    case 'ladder':
      store.ladder = message.ladder;
      render();
      return;
  }
});

// VS Code swaps body classes (vscode-light, vscode-dark, vscode-high-contrast) on a theme change;
// chart colours are read from CSS variables, so redraw then.
new MutationObserver(() => {
  destroyCharts();
  render();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

vscode.setState(store.state);
render();
vscode.postMessage({ type: 'ready' });
