// Which files found in a workspace are read at all. A user's workspace on a cluster holds links to
// shared scratch space, named pipes, sockets and hard-linked copies of logs; each of these must not
// hang the reader, read outside the workspace folder, or count a run twice. The gate sits in front
// of the run index (ScalingWorkspace.update), for the worker and the CLI alike.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics';
import { fileKind } from '../safeFile';
import { excerpt } from '../excerpt';

export interface FileGateOptions {
  /** Read files whose real path is outside their workspace folder (`scalingLens.files.followLinksOutside`; off by default). */
  followLinksOutside?: boolean;
}

export const FOLLOW_LINKS_SETTING = 'scalingLens.files.followLinksOutside';

/** Whether `child` is `parent` or inside it (both absolute, resolved). */
export function isInside(child: string, parent: string): boolean {
  if (child === parent) return true;
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/**
 * Admits or refuses files, remembering why it refused each (a diagnostic per file, replaced when the
 * file is offered again) and which path first brought each file (by device and inode), so a file
 * reached by two paths (a link inside the workspace, a hard link) is read once.
 */
export class FileGate {
  private options: FileGateOptions = {};
  private readonly refused = new Map<string, Diagnostic>();
  /** `dev:ino` → the path it was first admitted under. */
  private readonly pathOfIdentity = new Map<string, string>();
  private readonly identityOfPath = new Map<string, string>();
  private readonly realRoots = new Map<string, string>();

  configure(options: FileGateOptions): void {
    this.options = { ...options };
  }

  /**
   * Whether `abs` (found under workspace folder `root`) may be read. `dedupe`: refuse a second path
   * to an already admitted file (log files; a config shared by hard link between runs is fine).
   * A path that does not exist is admitted: the index then forgets it.
   */
  admit(abs: string, root: string, dedupe: boolean): boolean {
    const file = path.resolve(abs);
    this.refused.delete(file);
    let lst: fs.Stats;
    try {
      lst = fs.lstatSync(file);
    } catch {
      this.forgetIdentity(file);
      return true;
    }
    // The real path of the whole path, not only of the file: a folder on the way may be a link out.
    const real = realPath(file);
    if (real === undefined) return this.refuse(file, 'a link whose target is missing or loops; skipped', 'warning');
    if (!this.options.followLinksOutside && !isInside(real, this.realRoot(root))) {
      return this.refuse(
        file,
        `a link to ${excerpt(real, 60)}, outside the workspace folder; not followed (set ${FOLLOW_LINKS_SETTING} to read it)`,
        'warning',
      );
    }
    let st: fs.Stats;
    try {
      st = lst.isSymbolicLink() ? fs.statSync(file) : lst;
    } catch {
      return true;
    }
    if (!st.isFile()) return this.refuse(file, `${fileKind(st)}, not a regular file; skipped (reading it could block)`, 'warning');
    if (!dedupe) return true;
    const identity = `${st.dev}:${st.ino}`;
    const before = this.identityOfPath.get(file);
    if (before !== undefined && before !== identity && this.pathOfIdentity.get(before) === file) this.pathOfIdentity.delete(before);
    const first = this.pathOfIdentity.get(identity);
    if (first !== undefined && first !== file && fs.existsSync(first)) {
      return this.refuse(file, `the same file as ${excerpt(first, 80)} (a link or a hard link); read once, as that path`, 'info');
    }
    this.pathOfIdentity.set(identity, file);
    this.identityOfPath.set(file, identity);
    return true;
  }

  /** Record a path refused before it reached the gate (the CLI's walk: a folder link out, a loop). */
  note(abs: string, message: string, severity: Diagnostic['severity'] = 'warning'): void {
    this.refuse(path.resolve(abs), message, severity);
  }

  /** Forget `abs` and everything under it (deleted). */
  forget(abs: string): void {
    const p = path.resolve(abs);
    for (const f of [...this.refused.keys()]) if (isInside(f, p)) this.refused.delete(f);
    for (const f of [...this.identityOfPath.keys()]) if (isInside(f, p)) this.forgetIdentity(f);
  }

  clear(): void {
    this.refused.clear();
    this.pathOfIdentity.clear();
    this.identityOfPath.clear();
    this.realRoots.clear();
  }

  diagnostics(): Diagnostic[] {
    return [...this.refused.values()];
  }

  private forgetIdentity(file: string): void {
    const id = this.identityOfPath.get(file);
    if (id === undefined) return;
    this.identityOfPath.delete(file);
    if (this.pathOfIdentity.get(id) === file) this.pathOfIdentity.delete(id);
  }

  private realRoot(root: string): string {
    const r = path.resolve(root);
    let real = this.realRoots.get(r);
    if (real === undefined) {
      real = realPath(r) ?? r;
      this.realRoots.set(r, real);
    }
    return real;
  }

  private refuse(file: string, message: string, severity: Diagnostic['severity']): false {
    this.forgetIdentity(file);
    this.refused.set(file, { file, severity, message });
    return false;
  }
}
