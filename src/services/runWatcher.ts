import * as vscode from 'vscode';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Disposable } from './dispose';
import type { WorkerClient } from './workerClient';
import type { Settings } from './config';
import { StatPoller, type PolledFile } from './statPoller';
import { looksRemote } from '../shared/mounts';
import { WORKSPACE_FILE_NAME } from '../shared/logFiles';
import { appendAll } from '../shared/arrays';

/** Folders no search of the workspace looks into (dependencies, VCS, test installs, caches). */
export const EXCLUDE = '**/{node_modules,.git,.vscode-test,.venv,__pycache__}/**';
/** Trainers write often; changes within this window reach the worker as one batch. */
const DEBOUNCE_MS = 200;

/** The mount table, on Linux (undefined elsewhere or when unreadable). */
async function readMounts(): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    return await fsp.readFile('/proc/mounts', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Finds log files in the workspace and watches them. It only hands *paths* to the worker, which
 * reads and parses them; nothing is read on the extension host's thread. On folders where file
 * events cannot be trusted (network file systems) it also polls by `stat` (see StatPoller).
 * Each folder's `.scalinglens.yaml` is watched like a log: a change regroups the runs.
 */
export class RunWatcher extends Disposable {
  private watchers: vscode.FileSystemWatcher[] = [];
  private pollers: StatPoller[] = [];
  private changed = new Map<string, string>();
  private deleted = new Set<string>();
  /** Log files the worker was given (listed or changed since), to map a removed folder to its logs. */
  private known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(
    private readonly worker: WorkerClient,
    private readonly settings: Settings,
    private readonly output: vscode.LogOutputChannel,
  ) {
    super();
    const rescan = () => this.rescan().then(undefined, (e: unknown) => this.output.error(`rescan failed: ${e instanceof Error ? e.message : String(e)}`));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void rescan()));
    // A restarted worker starts empty: give it every file again.
    this.register(this.worker.onRestart(() => void rescan()));
    this.register({ dispose: () => this.disposeWatchers() });
    this.register({ dispose: () => this.timer && clearTimeout(this.timer) });
    this.register({ dispose: () => this.addedTimer && clearTimeout(this.addedTimer) });
  }

  /**
   * Forgets every run and reads every matching file again. Overlapping calls are safe: each one
   * bumps a generation, and an older call stops at its next await.
   */
  async rescan(): Promise<number> {
    const generation = ++this.generation;
    this.disposeWatchers();
    this.worker.start();
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    const watchers: vscode.FileSystemWatcher[] = [];
    const polled: { folder: vscode.WorkspaceFolder; globs: string[]; files: PolledFile[] }[] = [];
    const files: { path: string; root: string }[] = [];
    const superseded = () => generation !== this.generation || this.isDisposed;
    const mode = this.settings.watchPolling;
    const mounts = mode === 'auto' ? await readMounts() : undefined;
    if (superseded()) return 0;
    for (const folder of folders) {
      const globs = [...this.settings.logGlobs(folder), WORKSPACE_FILE_NAME];
      const folderFiles: PolledFile[] = [];
      for (const glob of globs) {
        const pattern = new vscode.RelativePattern(folder, glob);
        // Watch before listing, so a file written during the listing is not missed.
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        watcher.onDidCreate((uri) => this.queueChange(uri, folder));
        watcher.onDidChange((uri) => this.queueChange(uri, folder));
        watcher.onDidDelete((uri) => this.queueDelete(uri));
        watchers.push(watcher);
        const found = await vscode.workspace.findFiles(pattern, EXCLUDE);
        if (superseded()) {
          watchers.forEach((w) => w.dispose());
          return 0;
        }
        for (const uri of found) if (uri.scheme === 'file') folderFiles.push({ path: uri.fsPath, root: folder.uri.fsPath });
      }
      appendAll(files, folderFiles);
      // A folder removed, or moved in, is reported as one event for the folder (VS Code drops its
      // children's), which no log glob matches: watch every path, map a removed folder to the
      // known logs under it and list the logs of a folder that appeared.
      const folders = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**'), false, true, false);
      folders.onDidDelete((uri) => this.queueRemovedFolder(uri));
      folders.onDidCreate((uri) => this.queueAddedFolder(uri, folder, globs, generation));
      watchers.push(folders);
      const verdict = mode === 'auto' ? looksRemote(folder.uri.fsPath, mounts) : { remote: mode === 'always', reason: `scalingLens.watch.polling is ${mode}` };
      if (verdict.remote) {
        polled.push({ folder, globs, files: folderFiles });
        this.output.info(`polling ${folder.uri.fsPath} every ${this.settings.watchPollingIntervalMs} ms (${verdict.reason})`);
      }
    }
    this.watchers = watchers;
    this.pollers = polled.map(({ folder, globs, files: known }) => {
      const poller = new StatPoller({
        intervalMs: this.settings.watchPollingIntervalMs,
        list: () => this.listFolder(folder, globs),
        onChanged: (changed) => {
          if (generation === this.generation) for (const f of changed) this.queueChangePath(f.path, f.root);
        },
        onDeleted: (paths) => {
          if (generation === this.generation) for (const p of paths) this.queueDeletePath(p);
        },
        onError: (message) => this.output.warn(`${folder.uri.fsPath}: ${message}`),
      });
      poller
        .start(known)
        .catch((e: unknown) => this.output.error(`polling ${folder.uri.fsPath} failed to start: ${e instanceof Error ? e.message : String(e)}`));
      return poller;
    });
    this.known = new Set(files.map((f) => f.path));
    // One message replaces every run: the UI never sees an empty workspace in between.
    this.worker.post({ type: 'reset', files });
    this.output.info(`watching ${files.length} log file(s) in ${folders.length} folder(s)`);
    return files.length;
  }

  /** Files in `folder` matching `globs` now (what a polling round compares against). */
  private async listFolder(folder: vscode.WorkspaceFolder, globs: string[]): Promise<PolledFile[]> {
    const out: PolledFile[] = [];
    for (const glob of globs) {
      const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), EXCLUDE);
      for (const uri of found) if (uri.scheme === 'file') out.push({ path: uri.fsPath, root: folder.uri.fsPath });
    }
    return out;
  }

  private queueChange(uri: vscode.Uri, folder: vscode.WorkspaceFolder): void {
    if (uri.scheme !== 'file') return;
    this.queueChangePath(uri.fsPath, folder.uri.fsPath);
  }

  private queueChangePath(fsPath: string, root: string): void {
    this.known.add(fsPath);
    this.deleted.delete(fsPath);
    this.changed.set(fsPath, root);
    this.flushSoon();
  }

  private queueDelete(uri: vscode.Uri): void {
    this.queueDeletePath(uri.fsPath);
  }

  /** Paths that appeared, per workspace folder, listed together after DEBOUNCE_MS (trainers create folders in bursts). */
  private added = new Map<string, { folder: vscode.WorkspaceFolder; globs: string[]; generation: number; paths: Set<string> }>();
  private addedTimer: NodeJS.Timeout | undefined;

  private queueAddedFolder(uri: vscode.Uri, folder: vscode.WorkspaceFolder, globs: string[], generation: number): void {
    if (uri.scheme !== 'file') return;
    const key = folder.uri.toString();
    const pending = this.added.get(key) ?? { folder, globs, generation, paths: new Set<string>() };
    pending.paths.add(uri.fsPath);
    this.added.set(key, pending);
    this.addedTimer ??= setTimeout(() => {
      this.addedTimer = undefined;
      const batches = [...this.added.values()];
      this.added.clear();
      for (const b of batches) {
        this.listAddedFolders([...b.paths], b.folder, b.globs, b.generation).catch((e: unknown) =>
          this.output.warn(`listing new folders failed: ${e instanceof Error ? e.message : String(e)}`),
        );
      }
    }, DEBOUNCE_MS);
  }

  /** The logs inside those of `candidates` that are folders, matched by the folder's own globs. */
  private async listAddedFolders(candidates: string[], folder: vscode.WorkspaceFolder, globs: string[], generation: number): Promise<void> {
    const dirs: string[] = [];
    for (const candidate of candidates) {
      try {
        if ((await fsp.stat(candidate)).isDirectory()) dirs.push(candidate + path.sep);
      } catch {
        /* gone again */
      }
    }
    if (dirs.length === 0) return;
    for (const glob of globs) {
      const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), EXCLUDE);
      if (generation !== this.generation || this.isDisposed) return;
      for (const uri of found) {
        if (uri.scheme === 'file' && !this.known.has(uri.fsPath) && dirs.some((d) => uri.fsPath.startsWith(d)))
          this.queueChangePath(uri.fsPath, folder.uri.fsPath);
      }
    }
  }

  /** A deleted path that held known logs (a run folder removed): they go too. Other deletes are ignored. */
  private queueRemovedFolder(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    const prefix = uri.fsPath + path.sep;
    let held = false;
    for (const file of this.known) {
      if (!file.startsWith(prefix)) continue;
      held = true;
      this.known.delete(file);
      this.changed.delete(file);
    }
    if (held) this.queueDeletePath(uri.fsPath);
  }

  private queueDeletePath(fsPath: string): void {
    this.known.delete(fsPath);
    this.changed.delete(fsPath);
    this.deleted.add(fsPath);
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.deleted.size) this.worker.post({ type: 'filesDeleted', paths: [...this.deleted] });
    if (this.changed.size) {
      this.worker.post({ type: 'filesChanged', files: [...this.changed].map(([path, root]) => ({ path, root })) });
    }
    this.deleted.clear();
    this.changed.clear();
  }

  private disposeWatchers(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    for (const p of this.pollers) p.dispose();
    this.pollers = [];
  }
}
