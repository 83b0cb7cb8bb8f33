import * as vscode from 'vscode';
import type { WorkerSettings } from '../shared/protocol';
import { DEFAULT_LOG_GLOBS } from '../shared/logFiles';

const SECTION = 'scalingLens';

/** Typed view of the `scalingLens.*` settings; read fresh on each call so changes apply at once. */
export class Settings {
  private get raw(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /**
   * Globs of logs to watch. In Restricted Mode a workspace may not widen what is read, so only
   * the user's own value (or the default) counts; `restrictedConfigurations` in package.json says so too.
   */
  logGlobs(folder: vscode.WorkspaceFolder): string[] {
    const raw = vscode.workspace.getConfiguration(SECTION, folder);
    const value = vscode.workspace.isTrusted ? raw.get<string[]>('logGlobs') : raw.inspect<string[]>('logGlobs')?.globalValue;
    const globs = Array.isArray(value) ? value.filter((g) => typeof g === 'string' && g.length > 0) : [];
    return globs.length ? globs : DEFAULT_LOG_GLOBS;
  }

  get codeLensEnabled(): boolean {
    return this.raw.get<boolean>('codeLens.enabled', true);
  }

  get worker(): WorkerSettings {
    return {
      fitTimeBudgetMs: Math.max(100, this.raw.get<number>('fit.timeBudgetMs', 5000)),
      minPointsForCurve: Math.max(4, Math.round(this.raw.get<number>('fit.minPointsForCurve', 8))),
    };
  }

  static affects(event: vscode.ConfigurationChangeEvent, key?: string): boolean {
    return event.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION);
  }
}
