// The tables under the charts: runs (sortable, with a show/hide box per run), family laws and
// diagnostics. They list the runs of the chosen family whichever view is shown.
import type { RunColumn, RunView, Snapshot } from '../src/shared/protocol';
import { visibleRuns } from '../src/shared/chartSeries';
import { formatCount, formatInterval, formatLoss } from '../src/shared/format';
import { formatDuration } from '../src/shared/duration';
import { runNamer, shortFamilyName } from '../src/shared/displayName';
import { familyCheckCell, validationErrorCell } from '../src/shared/validationError';
import { SCHEDULE_ASSUMED, scheduleAssumedSentence } from '../src/shared/scheduleAssumed';
import { INTERVAL_PENDING_TEXT, intervalComing } from '../src/shared/pendingInterval';
import { $, cell } from './chartKit';
import { naturalCompare, runColours } from './palette';
import { selectRun } from './runList';
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
    // Names in natural order: 12m < 23m < 187m.
    const order = typeof ka === 'string' && typeof kb === 'string' ? naturalCompare(ka, kb) : ka < kb ? -1 : ka > kb ? 1 : 0;
    return sign * order || naturalCompare(a.id, b.id);
  });
}

const RUN_TABLE_COLUMNS = ['shown', 'name', 'family', 'status', 'params', 'tokens', 'lastStep', 'lastLoss', 'predicted', 'error', 'eta', 'law'];

function etaText(run: RunView): string {
  if (!run.eta) return run.status === 'live' ? 'measuring…' : '—';
  // An ETA from the file's times or another run's pace is an estimate of an estimate: marked ≈.
  const rough = run.eta.source === 'file-times' || run.eta.source === 'earlier-runs' ? '≈ ' : '';
  return run.eta.seconds === 0 ? 'at target' : `${rough}${formatDuration(run.eta.seconds)}`;
}

/** What an ETA is based on, for its cell's tooltip. */
function etaBasis(eta: NonNullable<RunView['eta']>): string {
  const rate = `${eta.stepsPerSecond.toPrecision(3)} steps/s`;
  switch (eta.source) {
    case 'log':
      return `${rate} since step ${eta.sinceStep} (the log's clock)`;
    case 'observed':
      return `${rate} since step ${eta.sinceStep} (when new steps arrived)`;
    case 'file-times':
    case 'earlier-runs':
      return `${rate}, from ${eta.basis ?? eta.source}; the run's own pace replaces it at its next update`;
  }
}

/**
 * A prediction as `3.55 ± 0.10`: the value and the half-width of its 80% interval, to the
 * decimals the half-width needs (two, or three for a tight one); the interval itself goes in the tooltip.
 */
export function compactPrediction(value: number, interval: readonly [number, number]): string {
  const half = (interval[1] - interval[0]) / 2;
  const decimals = half < 0.01 ? 3 : 2;
  return `${value.toFixed(decimals)} ± ${half.toFixed(decimals)}`;
}

export function drawTables(snapshot: Snapshot): void {
  const state = store.state;
  const body = $<HTMLTableElement>('runs').tBodies[0];
  body.replaceChildren();
  for (const button of document.querySelectorAll<HTMLButtonElement>('#runs th button')) {
    const active = button.dataset.column === state.sort.column;
    button.parentElement!.setAttribute('aria-sort', active ? (state.sort.descending ? 'descending' : 'ascending') : 'none');
  }
  const colours = runColours(snapshot, state.colourBy);
  // One family in sight: its column says nothing (the family laws table below names it).
  $('runs').classList.toggle('one-family', new Set(visibleRuns(snapshot, state).map((r) => r.family)).size <= 1);
  const runIds = new Set(snapshot.runs.map((r) => r.id));
  for (const run of sortedRuns(visibleRuns(snapshot, state))) {
    const row = body.insertRow();
    row.dataset.runId = run.id;
    // A click on a row (not on its box or link) selects the run, in the chart too.
    row.addEventListener('click', (e) => {
      if (!(e.target instanceof HTMLElement) || e.target.closest('a, input, button')) return;
      selectRun(run.id);
    });
    const shown = row.insertCell();
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = !state.hiddenRuns.includes(run.id);
    box.setAttribute('aria-label', `show ${run.name} on the loss curves`);
    // Ids of runs that no longer exist are dropped here, so the persisted list stays as short as
    // the workspace's runs (the host rejects a state past 1,000 hidden runs).
    box.addEventListener('change', () =>
      update({
        hiddenRuns: box.checked ? store.state.hiddenRuns.filter((id) => id !== run.id) : [...store.state.hiddenRuns.filter((id) => runIds.has(id)), run.id],
      }),
    );
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.setAttribute('aria-hidden', 'true');
    // Colours are data (one per run), so they go through the CSSOM, which the CSP allows.
    swatch.style.backgroundColor = colours.of(run.id);
    shown.append(box, swatch);
    const name = row.insertCell();
    const link = document.createElement('a');
    link.href = '#';
    link.textContent = run.name;
    link.title = `${run.id}: open ${run.files[0] ?? 'the log'}`;
    link.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'revealLog', runId: run.id });
    });
    name.append(link);
    const family = cell(row, `${shortFamilyName(run.family)}${run.familySource === 'guessed' ? ' (guessed)' : ''}${run.excluded ? ' · excluded' : ''}`);
    family.title = `${run.family}${run.familyReason ? `: ${run.familyReason}` : ''}${run.excluded ? `; excluded from fits: ${run.excluded}` : ''}`;
    // What went wrong (diverged, plateau, a loss that left its earlier forecast) beside the status, the reason and events on hover.
    const health = run.health && run.health.state !== 'ok' ? run.health : undefined;
    const offForecast = run.health?.events.some((e) => e.kind === 'forecast-break') ? ' · off forecast' : '';
    const statusCell = cell(row, `${health ? `${run.status} · ${health.state}` : run.status}${offForecast}`, `status-${run.status}`);
    const events = run.health?.events.map((e) => e.note) ?? [];
    if (health || events.length)
      statusCell.title = [health?.reason, health?.excludeFromFits ? 'no finish forecast; left out of family fits' : undefined, ...events]
        .filter(Boolean)
        .join('\n');
    cell(row, run.hyper.params !== undefined ? formatCount(run.hyper.params) : '—', 'num');
    cell(row, run.hyper.tokens !== undefined ? formatCount(run.hyper.tokens) : '—', 'num');
    cell(row, run.lastStep !== undefined ? String(run.lastStep) : '—', 'num');
    cell(row, run.lastLoss !== undefined ? formatLoss(run.lastLoss) : '—', 'num');
    const final = run.curve?.predictedFinal;
    // A point forecast sent ahead of its interval (CurvePrediction.intervalPending) says its interval is coming.
    const pointOnly = run.curve?.intervalPending === true;
    const headlinePending = intervalComing(run);
    const assumedMark = run.curve?.scheduleAssumedFrom !== undefined ? ` · ${SCHEDULE_ASSUMED}` : '';
    const predicted = cell(
      row,
      final ? `${headlinePending ? `${final.value.toFixed(2)} (interval coming)` : compactPrediction(final.value, final.interval)}${assumedMark}` : '—',
      'num',
    );
    if (run.curve && final) {
      const c = run.curve;
      const alone = c.alone
        ? pointOnly
          ? `${formatLoss(c.alone.value)} (interval coming)`
          : `${formatLoss(c.alone.value)} ${formatInterval(c.alone.interval)}`
        : '—';
      const provenance =
        c.provenance === 'from siblings'
          ? `from siblings (${c.siblings?.map(runNamer(snapshot.runs)).join(', ')}); this run alone: ${alone}`
          : 'from this run alone';
      const interval = headlinePending ? INTERVAL_PENDING_TEXT : `80% interval ${formatInterval(final.interval)}`;
      const assumed = c.scheduleAssumedFrom !== undefined ? `; ${scheduleAssumedSentence(c.scheduleAssumedFrom)}` : '';
      predicted.title = `${formatLoss(final.value)} at step ${c.targetStep}, ${interval}; ${provenance}${assumed}; ${c.lawId} fitted at step ${c.fittedAtStep}`;
    }
    const error = validationErrorCell(run.curve?.validation);
    const errorCell = cell(row, error.text, 'num');
    if (error.title) errorCell.title = error.title;
    const eta = cell(row, etaText(run), 'num');
    if (!run.eta && run.status === 'live')
      eta.title = 'The log records no clock, its file no usable times, and no earlier run a pace: the ETA appears once the run has written two more updates.';
    if (run.eta) eta.title = etaBasis(run.eta);
    // A live run between refits (scalingLens.fit.liveRefitSeconds) shows the step its prediction was fitted at.
    const stale = run.curve && run.lastStep !== undefined && run.curve.fittedAtStep < run.lastStep ? `, fitted at step ${run.curve.fittedAtStep}` : '';
    const law = cell(row, run.curve ? run.curve.lawId : '—');
    if (run.curve) law.title = `${run.curve.lawId}, fitted from step ${Math.round(run.curve.firstStep)}, predicting step ${run.curve.targetStep}${stale}`;
    // Cells named by column, so tests and styles need not count positions.
    [...row.cells].forEach((td, i) => (td.dataset.column = RUN_TABLE_COLUMNS[i]));
  }
  const families = $<HTMLTableElement>('families').tBodies[0];
  families.replaceChildren();
  for (const fam of snapshot.families.filter((f) => !state.family || f.family === state.family)) {
    const row = families.insertRow();
    cell(row, fam.guessed ? `${shortFamilyName(fam.family)} (guessed)` : shortFamilyName(fam.family)).title = fam.family;
    // A provisional law (a first scan's, FamilyLaw.provisional) says so, and why in its tooltip (the scaling view's note).
    const lawCell = cell(row, fam.fit ? `${fam.fit.lawId}${fam.provisional ? ' (provisional)' : ''}` : '—');
    if (fam.fit && fam.provisional) lawCell.title = snapshot.scaling.find((v) => v.family === fam.family)?.provisional ?? 'provisional: the full law follows';
    cell(row, `${fam.runIds.length}${fam.fit?.priorsUsed ? ' (with priors)' : ''}`, 'num');
    const parameters = cell(
      row,
      fam.fit
        ? Object.entries(fam.fit.parameters)
            .map(([k, p]) => `${k} ${p.value.toPrecision(3)}`)
            .join(' · ')
        : (fam.error ?? (fam.pending ? 'fitting…' : '—')),
    );
    // A provisional law is fitted without resamples: its parameters have no interval.
    if (fam.fit)
      parameters.title = Object.entries(fam.fit.parameters)
        .map(([k, p]) =>
          fam.provisional
            ? `${k} = ${p.value.toPrecision(4)} (provisional)`
            : `${k} = ${p.value.toPrecision(4)}, 80% [${p.interval[0].toPrecision(3)}, ${p.interval[1].toPrecision(3)}]`,
        )
        .join('\n');
    // A family whose largest run sits off the law of the others says so beside its check (fit/familyBreak.ts, in the worker),
    // as do the fit's own warning signs; a provisional law's check is not shown (shared/validationError.ts).
    const checked = familyCheckCell(fam);
    const check = cell(row, checked.text);
    if (checked.title !== undefined) check.title = checked.title;
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
