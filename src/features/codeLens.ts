import * as vscode from 'vscode';
import { Disposable } from '../services/dispose';
import type { WorkerClient } from '../services/workerClient';
import { Settings } from '../services/config';
import type { ConfigEstimate } from '../shared/protocol';
import { formatCount, formatFlops, formatInterval, formatLoss } from '../shared/format';
import { COMMAND_SHOW_DASHBOARD } from './commands';

/** Only documents a config reader recognises get lenses: Hugging Face model configs for now. */
export const CONFIG_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/config.json' }];
/** Lens refreshes after snapshots or edits are coalesced, so lenses do not flicker while typing. */
const REFRESH_DEBOUNCE_MS = 300;

/** The lens title for an estimate: predicted loss (or why there is none), size and compute. */
export function lensTitle(estimate: ConfigEstimate): string {
  const parts: string[] = [];
  const loss = estimate.predictions.loss;
  if (loss) {
    const caveat = loss.extrapolation ? ' (extrapolated)' : '';
    parts.push(`Loss ${formatLoss(loss.value)} ${formatInterval(loss.interval)}${caveat}`);
  } else {
    parts.push(`Loss uncalibrated (${estimate.predictions.uncalibrated ?? 'no law'})`);
  }
  if (estimate.plan) parts.push(`${formatCount(estimate.plan.params.total)} params`);
  if (estimate.plan?.tokens !== undefined) parts.push(`${formatCount(estimate.plan.tokens)} tokens`);
  if (estimate.cost) parts.push(`${formatFlops(estimate.cost.flops)} FLOPs`);
  return parts.join(' · ');
}

export function lensTooltip(estimate: ConfigEstimate): string {
  const lines: string[] = [];
  const loss = estimate.predictions.loss;
  if (loss) {
    lines.push(`Predicted final loss from the ${loss.lawId} law of family "${loss.family}"${loss.familyAssumed ? ' (assumed: the config names no family)' : ''}, fitted on ${loss.runsUsed.length} run(s): ${loss.runsUsed.join(', ')}. Interval: 80% bootstrap.`);
    if (loss.extrapolation) lines.push(`Extrapolation: ${loss.extrapolation}.`);
  }
  if (estimate.cost) lines.push(`FLOPs convention: ${estimate.cost.convention}`);
  lines.push(...estimate.notes);
  return lines.join('\n');
}

export class ConfigLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Estimates keyed by document and its version, dropped when the family laws change. */
  private readonly cache = new Map<string, { version: number; estimate: Promise<ConfigEstimate> }>();
  /** What the family laws were when the cached estimates were made. */
  private lawsKey = '';

  /** Files whose lenses the user turned off (URIs), kept per workspace. */
  private static readonly HIDDEN_KEY = 'scalingLens.hiddenLensFiles';

  constructor(
    private readonly worker: WorkerClient,
    private readonly settings: Settings,
    private readonly state: vscode.Memento,
  ) {
    super();
    // A live run logs every few hundred milliseconds; lenses change only when a family law does.
    this.register(worker.onSnapshot((s) => {
      const key = JSON.stringify(s.families.map((f) => [f.family, f.runIds, f.fit?.parameters, f.error]));
      if (key === this.lawsKey) return;
      this.lawsKey = key;
      this.refreshSoon(true);
    }));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => {
      if (this.cache.has(e.document.uri.toString())) this.refreshSoon(false);
    }));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (Settings.affects(e, 'codeLens.enabled')) this.refreshSoon(true);
    }));
    this.register({ dispose: () => this.refreshTimer && clearTimeout(this.refreshTimer) });
  }

  /** The estimate behind a document's lens; parsing and prediction happen in the worker. */
  estimate(document: vscode.TextDocument): Promise<ConfigEstimate> {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.estimate;
    const estimate = this.worker
      .request({ kind: 'estimateConfig', path: document.uri.fsPath, text: document.getText() })
      .then((r) => {
        if (r.kind !== 'estimateConfig') throw new Error(`unexpected worker response ${r.kind}`);
        return r.estimate;
      });
    const entry = { version: document.version, estimate };
    this.cache.set(key, entry);
    // A failed request is not cached, unless a newer one has replaced it meanwhile.
    estimate.catch(() => this.cache.get(key) === entry && this.cache.delete(key));
    return estimate;
  }

  isHidden(uri: vscode.Uri): boolean {
    return this.state.get<string[]>(ConfigLensProvider.HIDDEN_KEY, []).includes(uri.toString());
  }

  /** Turns the lenses of one file off or back on; returns whether they are now shown. */
  async toggleFile(uri: vscode.Uri): Promise<boolean> {
    const hidden = new Set(this.state.get<string[]>(ConfigLensProvider.HIDDEN_KEY, []));
    const key = uri.toString();
    const shown = hidden.has(key);
    if (shown) hidden.delete(key);
    else hidden.add(key);
    await this.state.update(ConfigLensProvider.HIDDEN_KEY, [...hidden]);
    this.changeEmitter.fire();
    return shown;
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!this.settings.codeLensEnabled || this.isHidden(document.uri)) return [];
    let estimate: ConfigEstimate;
    try {
      estimate = await this.estimate(document);
    } catch {
      return [];
    }
    if (token.isCancellationRequested || !estimate.applicable) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(range, {
        title: `$(graph-line) ${lensTitle(estimate)}`,
        tooltip: lensTooltip(estimate),
        command: COMMAND_SHOW_DASHBOARD,
      }),
    ];
  }

  private refreshSoon(dropCache: boolean): void {
    if (dropCache) this.cache.clear();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.changeEmitter.fire();
    }, REFRESH_DEBOUNCE_MS);
  }
}
