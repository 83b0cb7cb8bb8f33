// The tables under the charts: runs (sortable, with a show/hide box per run), family laws and
// diagnostics. They list the runs of the chosen family whichever view is shown.
import type { RunColumn, RunView, Snapshot } from '../src/shared/protocol';
import { visibleRuns } from '../src/shared/chartSeries';
import { formatCount, formatInterval, formatLoss } from '../src/shared/format';
import { formatDuration } from '../src/shared/duration';
import { $, cell, colourIndex, hue } from './chartKit';
import { focusedRun, store, update, vscode } from './store';

const STATUS_ORDER = { live: 0, finished: 1, failed: 2 } as const;

function sortKey(run: RunView, column: RunColumn): number | string {
  switch (column) {
    case 'name':
      return run.name;
    case 'status':
      return STATUS_ORDER[run.status];
    case 'params':
      return run.hyper.params ?? Infinity;
    case 'tokens':
      return run.hyper.tokens ?? Infinity;
    case 'lastStep':
      return run.lastStep ?? Infinity;
    case 'lastLoss':
      return run.lastLoss ?? Infinity;
    case 'predicted':
      return run.curve?.predictedFinal.value ?? Infinity;
    case 'error':
      return run.curve?.validation?.errorPct ?? Infinity;
    case 'eta':
      return run.eta?.seconds ?? Infinity;
  }
}

function sortedRuns(runs: RunView[]): RunView[] {
  const { column, descending } = store.state.sort;
  const sign = descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const ka = sortKey(a, column);
    const kb = sortKey(b, column);
    return sign * (ka < kb ? -1 : ka > kb ? 1 : 0) || a.id.localeCompare(b.id);
  });
}

const RUN_TABLE_COLUMNS = ['shown', 'name', 'family', 'status', 'params', 'tokens', 'lastStep', 'lastLoss', 'predicted', 'error', 'eta', 'law'];

function etaText(run: RunView): string {
  if (!run.eta) return '—';
  return run.eta.seconds === 0 ? 'at target' : formatDuration(run.eta.seconds);
}

export function drawTables(snapshot: Snapshot): void {
  const state = store.state;
  const body = $<HTMLTableElement>('runs').tBodies[0];
  body.replaceChildren();
  for (const button of document.querySelectorAll<HTMLButtonElement>('#runs th button')) {
    const active = button.dataset.column === state.sort.column;
    button.parentElement!.setAttribute('aria-sort', active ? (state.sort.descending ? 'descending' : 'ascending') : 'none');
  }
  const colours = colourIndex(snapshot);
  const runIds = new Set(snapshot.runs.map((r) => r.id));
  for (const run of sortedRuns(visibleRuns(snapshot, state))) {
    const row = body.insertRow();
    row.dataset.runId = run.id;
    const shown = row.insertCell();
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = !state.hiddenRuns.includes(run.id);
    box.setAttribute('aria-label', `show ${run.name} on the loss curves`);
    // Ids of runs that no longer exist are dropped here, so the persisted list stays as short as
    // the workspace's runs (the host rejects a state past 1,000 hidden runs).
    box.addEventListener('change', () => update({ hiddenRuns: box.checked ? store.state.hiddenRuns.filter((id) => id !== run.id) : [...store.state.hiddenRuns.filter((id) => runIds.has(id)), run.id] }));
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.setAttribute('aria-hidden', 'true');
    // Colours are data (one per run), so they go through the CSSOM, which the CSP allows.
    swatch.style.backgroundColor = hue(colours.get(run.id) ?? 0);
    shown.append(box, swatch);
    const name = row.insertCell();
    const link = document.createElement('a');
    link.href = '#';
    link.textContent = run.name;
    link.title = `Open ${run.files[0] ?? 'the log'}`;
    link.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'revealLog', runId: run.id });
    });
    name.append(link);
    cell(row, `${run.family}${run.familySource === 'guessed' ? ' (guessed)' : ''}${run.excluded ? ' · excluded from fits' : ''}`);
    cell(row, run.status, `status-${run.status}`);
    cell(row, run.hyper.params !== undefined ? formatCount(run.hyper.params) : '—', 'num');
    cell(row, run.hyper.tokens !== undefined ? formatCount(run.hyper.tokens) : '—', 'num');
    cell(row, run.lastStep !== undefined ? String(run.lastStep) : '—', 'num');
    cell(row, run.lastLoss !== undefined ? formatLoss(run.lastLoss) : '—', 'num');
    const final = run.curve?.predictedFinal;
    const predicted = cell(row, final ? `${formatLoss(final.value)} ${formatInterval(final.interval)}` : '—', 'num');
    if (run.curve) predicted.title = `fitted at step ${run.curve.fittedAtStep}`;
    const v = run.curve?.validation;
    cell(row, v ? `${v.errorPct.toFixed(2)}%` : '—', 'num');
    const eta = cell(row, etaText(run), 'num');
    if (run.eta) eta.title = `${run.eta.stepsPerSecond.toPrecision(3)} steps/s since step ${run.eta.sinceStep} (${run.eta.source === 'log' ? 'the log\'s clock' : 'observed arrivals'})`;
    // A live run between refits (scalingLens.fit.liveRefitSeconds) shows the step its prediction was fitted at.
    const stale = run.curve && run.lastStep !== undefined && run.curve.fittedAtStep < run.lastStep ? `, fitted at step ${run.curve.fittedAtStep}` : '';
    cell(row, run.curve ? `${run.curve.lawId} from step ${Math.round(run.curve.firstStep)} → ${run.curve.targetStep}${stale}` : '—');
    // Cells named by column, so tests and styles need not count positions.
    [...row.cells].forEach((td, i) => (td.dataset.column = RUN_TABLE_COLUMNS[i]));
  }
  const families = $<HTMLTableElement>('families').tBodies[0];
  families.replaceChildren();
  for (const fam of snapshot.families.filter((f) => !state.family || f.family === state.family)) {
    const row = families.insertRow();
    cell(row, fam.guessed ? `${fam.family} (guessed)` : fam.family);
    cell(row, fam.fit?.lawId ?? '—');
    cell(row, `${fam.runIds.length}${fam.fit?.priorsUsed ? ' (with priors)' : ''}`, 'num');
    cell(row, fam.fit ? Object.entries(fam.fit.parameters).map(([k, p]) => `${k}=${p.value.toPrecision(3)} [${p.interval[0].toPrecision(3)}, ${p.interval[1].toPrecision(3)}]`).join(', ') : (fam.error ?? (fam.pending ? 'fitting…' : '—')));
    cell(row, fam.fit?.validation ? `${fam.fit.validation.method}: ${fam.fit.validation.errorPct.toFixed(2)}%` : '—');
  }
  const diags = $<HTMLUListElement>('diagnostics');
  diags.replaceChildren(
    ...snapshot.diagnostics.slice(0, 50).map((d) => {
      const li = document.createElement('li');
      li.textContent = `${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`;
      li.className = `diag-${d.severity}`;
      return li;
    }),
  );
}

/** Marks the picked-out run's table row (scrolled into view and flashed when the link just arrived); its name, or undefined. */
export function markFocusedRow(): string | undefined {
  const id = focusedRun();
  if (!id) return undefined;
  const row = [...$<HTMLTableElement>('runs').tBodies[0].rows].find((r) => r.dataset.runId === id);
  if (!row) return undefined;
  row.classList.add('focused');
  row.setAttribute('aria-current', 'true');
  if (store.flashPending) {
    store.flashPending = false;
    row.scrollIntoView({ block: 'nearest' });
    row.classList.add('flash');
  }
  return store.latest?.runs.find((r) => r.id === id)?.name ?? id;
}

export function mountTables(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('#runs th button')) {
    button.addEventListener('click', () => {
      const column = button.dataset.column as RunColumn;
      update({ sort: { column, descending: store.state.sort.column === column ? !store.state.sort.descending : false } });
    });
  }
}
