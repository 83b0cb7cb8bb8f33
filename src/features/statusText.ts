// What the status bar item says, free of `vscode` so it is unit-tested.
import type { RunView, Snapshot } from '../shared/protocol';
import { formatInteger, formatInterval, formatLoss } from '../shared/format';
import { INTERVAL_PENDING_TEXT, intervalComing } from '../shared/pendingInterval';
import { runNamer } from '../shared/displayName';
import { SCHEDULE_ASSUMED, scheduleAssumedSentence } from '../shared/scheduleAssumed';

/** Which run the user chose: pinned from the status bar, or the one whose files they last opened. */
export interface StatusChoice {
  pinned?: string;
  lastLooked?: string;
  /** How the user last looked at a run: opened one of its files (default), or selected it in the dashboard. */
  lookedVia?: 'file' | 'dashboard';
}

/** The live run furthest along, by points logged: shown when the user chose none. */
export function featuredLiveRun(snapshot: Snapshot): RunView | undefined {
  const live = snapshot.runs.filter((r) => r.status === 'live' && r.curve);
  return live.sort((a, b) => b.points - a.points || a.id.localeCompare(b.id))[0];
}

export type StatusReason = 'pinned' | 'looked' | 'selected' | 'live';

/** The run the status bar shows and why: pinned, else last looked at (its files opened, or selected in the dashboard), else the live run furthest along. */
export function statusTarget(snapshot: Snapshot, choice: StatusChoice = {}): { run: RunView; reason: StatusReason } | undefined {
  // A first scan's listing mid-read may lack the chosen run yet: no other run flashes in its place.
  if (awaitedRun(snapshot, choice) !== undefined) return undefined;
  const byId = (id: string | undefined) => (id === undefined ? undefined : snapshot.runs.find((r) => r.id === id));
  const pinned = byId(choice.pinned);
  if (pinned) return { run: pinned, reason: 'pinned' };
  const looked = byId(choice.lastLooked);
  if (looked) return { run: looked, reason: choice.lookedVia === 'dashboard' ? 'selected' : 'looked' };
  const live = featuredLiveRun(snapshot);
  return live ? { run: live, reason: 'live' } : undefined;
}

/**
 * The run the user chose (pinned, else last looked at) while a first scan's listing mid-read
 * (`filesToRead`) does not hold it yet: it is waited for, not replaced by a fallback.
 */
export function awaitedRun(snapshot: Snapshot, choice: StatusChoice): string | undefined {
  const chosen = choice.pinned ?? choice.lastLooked;
  if (snapshot.filesToRead === undefined || chosen === undefined) return undefined;
  return snapshot.runs.some((r) => r.id === chosen) ? undefined : chosen;
}

/**
 * The runs the status bar asks the worker to read and fit first: the one shown, else the one awaited.
 * A fallback picked from a partial listing would replace the chosen run in the worker's looked-at list.
 */
export function statusLookAt(snapshot: Snapshot, choice: StatusChoice = {}): string[] {
  const target = statusTarget(snapshot, choice);
  if (target) return [target.run.id];
  const awaited = awaitedRun(snapshot, choice);
  return awaited !== undefined ? [awaited] : [];
}

/** Losses as the status bar shows them: two decimals (the tooltip has three and the interval). */
function short(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2);
}

/** `$(graph) llama-279m · loss 3.74 → 3.55 (from siblings)`: the run's display name, its loss now, its predicted final loss and where that comes from; `$(graph) 7 runs` without one. */
export function statusText(snapshot: Snapshot, choice: StatusChoice = {}): string {
  // A spinning icon while fits run in the background (each lands in a new snapshot).
  const icon = snapshot.fitting > 0 ? '$(sync~spin)' : '$(graph)';
  const target = statusTarget(snapshot, choice);
  // A partial listing's run count would change under the user's eyes: the reading is said instead.
  if (!target && snapshot.filesToRead !== undefined) return `${icon} reading logs…`;
  if (!target) return `${icon} ${snapshot.runs.length} run${snapshot.runs.length === 1 ? '' : 's'}`;
  const { run, reason } = target;
  const pin = reason === 'pinned' ? '$(pinned) ' : '';
  // The name says which run the numbers are of: the item follows what the user looks at.
  const head = `${icon} ${pin}${run.name} · loss ${short(run.lastLoss)}`;
  if (!run.curve) return head;
  // Where the forecast comes from, in both cases (the words of `scan` and the tooltip).
  const provenance = run.curve.provenance ?? 'from this run alone';
  // A point forecast sent ahead of its interval says so: it is not the final answer.
  const coming = intervalComing(run) ? ', interval coming' : '';
  const assumed = run.curve.scheduleAssumedFrom !== undefined ? ` (${SCHEDULE_ASSUMED})` : '';
  return `${head} → ${short(run.curve.predictedFinal.value)} (${provenance}${coming})${assumed}`;
}

const WHY: Record<StatusReason, string> = {
  pinned: 'pinned (Scaling Lens: Pin Run in Status Bar to change)',
  looked: 'the run whose files you last opened',
  selected: 'the run you last selected in the dashboard',
  live: 'the live run furthest along',
};

/** The run, its step, the loss now, the predicted final loss with its 80% interval, and what a click does. */
export function statusTooltip(snapshot: Snapshot, choice: StatusChoice = {}): string {
  const target = statusTarget(snapshot, choice);
  const lines: string[] = [];
  if (!target && snapshot.filesToRead !== undefined) {
    lines.push(`Scaling Lens: reading the workspace's logs (${formatInteger(snapshot.filesToRead)} file(s) left).`);
  } else if (!target) {
    lines.push(`Scaling Lens: ${snapshot.runs.length} run(s), none live with a prediction. Click for the dashboard.`);
  } else {
    const { run, reason } = target;
    lines.push(
      `Scaling Lens · run ${run.name} (${run.id}), ${run.status}${run.lastStep !== undefined ? ` at step ${run.lastStep.toLocaleString('en-US')}` : ''}: ${WHY[reason]}.`,
    );
    lines.push(`Loss now ${run.lastLoss !== undefined ? formatLoss(run.lastLoss) : 'not logged'}.`);
    if (run.curve) {
      const interval = intervalComing(run) ? INTERVAL_PENDING_TEXT : `80% interval ${formatInterval(run.curve.predictedFinal.interval)}`;
      lines.push(
        `Predicted final loss ${formatLoss(run.curve.predictedFinal.value)} at step ${formatInteger(run.curve.targetStep)}, ${interval} (${run.curve.lawId} law).`,
      );
      lines.push(
        run.curve.provenance === 'from siblings'
          ? `Forecast from siblings (${(run.curve.siblings ?? []).map(runNamer(snapshot.runs)).join(', ')}); this run alone: ${formatLoss(run.curve.alone?.value ?? NaN)}${run.curve.intervalPending ? ' (its interval coming)' : ''}.`
          : 'Forecast from this run alone.',
      );
      if (run.curve.scheduleAssumedFrom !== undefined) lines.push(scheduleAssumedSentence(run.curve.scheduleAssumedFrom));
      // A loss that left an earlier forecast's interval: said, not only absorbed by the refit.
      for (const e of run.health?.events ?? []) if (e.kind === 'forecast-break') lines.push(`Off its forecast: ${e.note}.`);
    } else lines.push('No prediction for this run (too few points, or finished without a schedule to extrapolate).');
    lines.push('Click to show it in the dashboard.');
  }
  if (snapshot.fitting > 0) lines.push(`Fitting ${snapshot.fitting} law${snapshot.fitting === 1 ? '' : 's'} in the background.`);
  return lines.join('\n');
}
