import * as vscode from 'vscode';
import { Disposable } from './dispose';
import type { WorkerClient } from './workerClient';
import type { Settings } from './config';

const EXCLUDE = '**/{node_modules,.git,.vscode-test,.venv,__pycache__}/**';
/** Trainers write often; changes within this window reach the worker as one batch. */
const DEBOUNCE_MS = 200;

/**
 * Finds log files in the workspace and watches them. It only hands *paths* to the worker, which
 * reads and parses them; nothing is read on the extension host's thread.
 */
export class RunWatcher extends Disposable {
  private watchers: vscode.FileSystemWatcher[] = [];
  private changed = new Map<string, string>();
  private deleted = new Set<string>();
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
    const files: { path: string; root: string }[] = [];
    const superseded = () => generation !== this.generation || this.isDisposed;
    for (const folder of folders) {
      for (const glob of this.settings.logGlobs(folder)) {
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
        for (const uri of found) if (uri.scheme === 'file') files.push({ path: uri.fsPath, root: folder.uri.fsPath });
      }
    }
    this.watchers = watchers;
    // One message replaces every run: the UI never sees an empty workspace in between.
    this.worker.post({ type: 'reset', files });
    this.output.info(`watching ${files.length} log file(s) in ${folders.length} folder(s)`);
    return files.length;
  }

  private queueChange(uri: vscode.Uri, folder: vscode.WorkspaceFolder): void {
    if (uri.scheme !== 'file') return;
    this.deleted.delete(uri.fsPath);
    this.changed.set(uri.fsPath, folder.uri.fsPath);
    this.flushSoon();
  }

  private queueDelete(uri: vscode.Uri): void {
    this.changed.delete(uri.fsPath);
    this.deleted.add(uri.fsPath);
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
  }
}
