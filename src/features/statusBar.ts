import * as vscode from 'vscode';
import { Disposable } from '../services/dispose';
import type { WorkerClient } from '../services/workerClient';
import type { RunView, Snapshot } from '../shared/protocol';
import { formatCount, formatInterval, formatLoss } from '../shared/format';
import { COMMAND_SHOW_DASHBOARD } from './commands';

/** The live run whose prediction the status bar shows: the one furthest along, by points logged. */
export function featuredLiveRun(snapshot: Snapshot): RunView | undefined {
  const live = snapshot.runs.filter((r) => r.status === 'live' && r.curve);
  return live.sort((a, b) => b.points - a.points || a.id.localeCompare(b.id))[0];
}

export function statusText(snapshot: Snapshot): string {
  const run = featuredLiveRun(snapshot);
  // A spinning icon while fits run in the background (each lands in a new snapshot).
  const icon = snapshot.fitting > 0 ? '$(sync~spin)' : '$(graph-line)';
  if (!run?.curve) return `${icon} ${snapshot.runs.length} run${snapshot.runs.length === 1 ? '' : 's'}`;
  const final = run.curve.predictedFinal;
  return `${icon} ${run.name}: ${formatLoss(run.lastLoss ?? NaN)} → ${formatLoss(final.value)} ${formatInterval(final.interval)}${run.curve.provenance === 'from siblings' ? ' (from siblings)' : ''}`;
}

export class StatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('scalingLens.status', vscode.StatusBarAlignment.Left, 50));

  constructor(worker: WorkerClient) {
    super();
    this.item.name = 'Scaling Lens';
    this.item.command = COMMAND_SHOW_DASHBOARD;
    this.register(worker.onSnapshot((s) => this.update(s)));
    if (worker.latest) this.update(worker.latest);
  }

  get text(): string {
    return this.item.text;
  }

  private update(snapshot: Snapshot): void {
    if (snapshot.runs.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = statusText(snapshot);
    const run = featuredLiveRun(snapshot);
    this.item.tooltip = run?.curve
      ? `Scaling Lens: run ${run.id} at step ${formatCount(run.lastStep ?? 0)}; the ${run.curve.lawId} law predicts ${formatLoss(run.curve.predictedFinal.value)} at step ${formatCount(run.curve.targetStep)} (80% interval ${formatInterval(run.curve.predictedFinal.interval)}; ${run.curve.provenance === 'from siblings' ? `from siblings: ${run.curve.siblings?.join(', ')}; this run alone ${formatLoss(run.curve.alone?.value ?? NaN)}` : 'from this run alone'}). Click for the dashboard.`
      : 'Scaling Lens: no live run to extrapolate. Click for the dashboard.';
    if (snapshot.fitting > 0) this.item.tooltip += ` Fitting ${snapshot.fitting} law${snapshot.fitting === 1 ? '' : 's'} in the background.`;
    this.item.show();
  }
}
