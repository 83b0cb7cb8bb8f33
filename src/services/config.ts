import * as vscode from 'vscode';
import type { WorkerSettings } from '../shared/protocol';
import { DEFAULT_LOG_GLOBS } from '../shared/logFiles';
import { idleSettings, type SettingFacts } from '../core/optionScope';

const SECTION = 'scalingLens';
/** `scalingLens.fit.liveRefitSeconds` when unset (package.json declares the same default). */
export const DEFAULT_LIVE_REFIT_SECONDS = 30;
/** A day: a longer interval would mean never refitting a run that is still training. */
export const MAX_LIVE_REFIT_SECONDS = 86_400;

/** A plain copy of a JSON setting value (structured-cloneable, unlike VS Code's proxies). */
function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Typed view of the `scalingLens.*` settings; read fresh on each call so changes apply at once. */
export class Settings {
  private get raw(): vscode.WorkspaceConfiguration {
    // `null`: the value for any resource (the resource-scoped settings are read workspace-wide here;
    // without it VS Code logs a warning on every read).
    return vscode.workspace.getConfiguration(SECTION, null);
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
      liveRefitSeconds: this.liveRefitSeconds,
      // Plain JSON values: the worker checks them and reports entries it ignores.
      // VS Code hands out object settings as clone-on-write proxies, which postMessage cannot
      // clone ("#<Object> could not be cloned"): send plain JSON copies to the worker.
      hardware: plainJson({
        profiles: this.raw.get<unknown[]>('hardware.profiles', []),
        default: this.raw.get<string>('hardware.default', 'H100'),
        prices: this.raw.get<Record<string, unknown>>('hardware.prices', {}),
        mfu: this.raw.get<number>('hardware.mfu', 0.4),
      }),
      textLogPatterns: this.textLogPatterns,
      followLinksOutside: this.followLinksOutside,
    };
  }

  /**
   * Whether files whose real path is outside the workspace folder are read (off by default). Never
   * in Restricted Mode, whoever set it: an untrusted workspace must not read the user's other files.
   */
  get followLinksOutside(): boolean {
    return vscode.workspace.isTrusted && this.raw.get<boolean>('files.followLinksOutside', false) === true;
  }

  /** Seconds a live run keeps its curve fit between refits (0: refit on every change; see package.json). */
  get liveRefitSeconds(): number {
    const v = this.raw.get<number>('fit.liveRefitSeconds', DEFAULT_LIVE_REFIT_SECONDS);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(MAX_LIVE_REFIT_SECONDS, Math.max(0, v)) : DEFAULT_LIVE_REFIT_SECONDS;
  }

  /**
   * User regexes for plain-text logs. A regex from an untrusted workspace is ignored (only the
   * user's own settings count in Restricted Mode, as `restrictedConfigurations` declares); the
   * worker compiles them and reports the invalid or unsafe ones.
   */
  get textLogPatterns(): string[] {
    const key = 'textLog.patterns';
    const value = vscode.workspace.isTrusted ? this.raw.get<unknown[]>(key) : this.raw.inspect<unknown[]>(key)?.globalValue;
    // Non-strings stay as '' so the worker's diagnostics keep the user's indices.
    return Array.isArray(value) ? value.map((p) => (typeof p === 'string' ? p : '')) : [];
  }

  /** `always`, `never`, or `auto`: poll folders on network file systems, where file events miss other machines' writes. */
  get watchPolling(): 'auto' | 'always' | 'never' {
    const v = this.raw.get<string>('watch.polling', 'auto');
    return v === 'always' || v === 'never' ? v : 'auto';
  }

  /** Milliseconds between two polling rounds (at least 250). */
  get watchPollingIntervalMs(): number {
    const v = this.raw.get<number>('watch.pollingIntervalMs', 2000);
    return typeof v === 'number' && Number.isFinite(v) ? Math.max(250, Math.round(v)) : 2000;
  }

  /** What decides whether a setting has an effect as set (core/optionScope.ts judges it). */
  settingFacts(): SettingFacts {
    const raw = this.raw;
    const setAnywhere = (key: string) => {
      const i = raw.inspect(key);
      return i?.globalValue !== undefined || i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
    };
    const setByWorkspace = (key: string) => {
      const i = raw.inspect(key);
      return i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
    };
    return {
      trusted: vscode.workspace.isTrusted,
      polling: this.watchPolling,
      pollingIntervalSet: setAnywhere('watch.pollingIntervalMs'),
      followLinksOutsideSet: raw.get<boolean>('files.followLinksOutside', false) === true,
      workspaceSetRestricted: ['logGlobs', 'textLog.patterns'].filter(setByWorkspace).map((k) => `${SECTION}.${k}`),
    };
  }

  static affects(event: vscode.ConfigurationChangeEvent, key?: string): boolean {
    return event.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION);
  }
}

/** Settings that do nothing as set are said in the log (once per activation and per change). */
export function sayIdleSettings(settings: Settings, output: vscode.LogOutputChannel): void {
  for (const message of idleSettings(settings.settingFacts())) output.warn(message);
}
