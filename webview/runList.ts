// The run list beside the loss curves: one entry per run (its colour as a line with the eval
// marker, so train and eval read as one run), a box to show or hide it, its name to select it
// (the path in the tooltip). Up to a dozen runs it sits above the chart as a legend; beyond that
// it becomes a searchable list beside the chart, as W&B's run table does, instead of a legend wall.
import type { RunView, Snapshot } from '../src/shared/protocol';
import { visibleRuns } from '../src/shared/chartSeries';
import { $ } from './chartKit';
import { naturalCompare, type RunColours } from './palette';
import { focusedRun, render, store, update, vscode } from './store';

/** More runs than this: the list moves beside the chart and gets a search box. */
export const LEGEND_MAX_RUNS = 12;

export const RUN_LIST_MARKUP = `
      <div class="runlist" id="runList" role="group" aria-label="Runs on the chart">
        <input type="search" id="runFilter" placeholder="Filter runs…" aria-label="Filter runs by name or path" spellcheck="false">
        <ul id="runListItems"></ul>
      </div>`;

/** Selects a run (picked out in chart and table; the status bar follows it), or lets go of it when it already is. */
export function selectRun(id: string): void {
  const selecting = focusedRun() !== id;
  store.focus = selecting ? { runId: id } : undefined;
  if (selecting) vscode.postMessage({ type: 'selectRun', runId: id });
  render();
}

export function mountRunList(): void {
  const filter = $<HTMLInputElement>('runFilter');
  filter.value = store.state.runFilter;
  filter.addEventListener('input', () => update({ runFilter: filter.value }));
}

/** Fills the list with the runs of the chosen family that match the search text. */
export function drawRunList(snapshot: Snapshot, colours: RunColours): void {
  const state = store.state;
  const all = snapshot.runs.filter((r) => !state.family || r.family === state.family);
  const shown = visibleRuns(snapshot, state).sort((a, b) => naturalCompare(a.name, b.name));
  const many = all.length > LEGEND_MAX_RUNS;
  $('curvesRow').classList.toggle('many', many);
  const picked = focusedRun();
  const runIds = new Set(snapshot.runs.map((r) => r.id));
  const items = shown.map((run: RunView) => {
    const li = document.createElement('li');
    li.dataset.runId = run.id;
    if (run.id === picked) li.classList.add('selected');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = !state.hiddenRuns.includes(run.id);
    box.setAttribute('aria-label', `show ${run.name}`);
    box.addEventListener('change', () =>
      update({
        hiddenRuns: box.checked ? store.state.hiddenRuns.filter((id) => id !== run.id) : [...store.state.hiddenRuns.filter((id) => runIds.has(id)), run.id],
      }),
    );
    const swatch = document.createElement('span');
    swatch.className = 'line-swatch';
    swatch.setAttribute('aria-hidden', 'true');
    // Colours are data, so they go through the CSSOM, which the CSP allows.
    swatch.style.setProperty('--run-colour', colours.of(run.id));
    const name = document.createElement('button');
    name.type = 'button';
    name.className = 'run-name';
    name.textContent = run.name;
    name.title = `${run.id}${run.status === 'failed' ? ' (diverged or failed)' : run.status === 'live' ? ' (live)' : ''}. Click to select.`;
    name.setAttribute('aria-pressed', String(run.id === picked));
    name.addEventListener('click', () => selectRun(run.id));
    li.append(box, swatch, name);
    return li;
  });
  $('runListItems').replaceChildren(...items);
}

/** Marks the list's runs the x axis cannot place (struck through, the reason in the tooltip), so none is dropped unsaid. */
export function markOffAxis(runs: readonly RunView[], reason: string): void {
  const off = new Set(runs.map((r) => r.id));
  for (const li of $('runListItems').querySelectorAll<HTMLLIElement>('li')) {
    const missing = off.has(li.dataset.runId ?? '');
    li.classList.toggle('off-axis', missing);
    const name = li.querySelector<HTMLButtonElement>('.run-name');
    if (name && missing && !name.title.startsWith('Not on this axis')) name.title = `Not on this axis (${reason}). ${name.title}`;
  }
}
