// Which file system a folder lives on, from the text of Linux's /proc/mounts, and whether that
// file system is one where inotify does not see writes made by other machines (network and
// host-shared file systems), so the watcher must poll instead. Pure: callers read the file.

export interface MountEntry {
  mountPoint: string;
  fsType: string;
}

/**
 * File system types whose changes can come from elsewhere without a local inotify event:
 * network file systems, cluster/parallel file systems, FUSE remotes, and VM/WSL shared folders.
 */
const NETWORK_FS_TYPES = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'sshfs',
  'fuse.sshfs',
  'lustre',
  'gpfs',
  'beegfs',
  'ceph',
  'fuse.ceph',
  'fuse.cephfs',
  'glusterfs',
  'fuse.glusterfs',
  'afs',
  'ncpfs',
  'davfs',
  'fuse.davfs',
  'fuse.s3fs',
  'fuse.gcsfuse',
  'fuse.rclone',
  'fuse.juicefs',
  'fuse.weka',
  'wekafs',
  'panfs',
  'pvfs2',
  'orangefs',
  '9p',
  'virtiofs',
  'vboxsf',
  'vmhgfs',
  'fuse.vmhgfs-fuse',
  'prl_fs',
  'drvfs',
]);

export function isNetworkFsType(fsType: string): boolean {
  return NETWORK_FS_TYPES.has(fsType.toLowerCase());
}

/** /proc/mounts escapes space, tab, newline and backslash in paths as octal (`\040`, `\011`, `\012`, `\134`). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Lines of /proc/mounts (fstab format: device, mount point, type, options, dump, pass). Malformed lines are skipped. */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || !fields[1].startsWith('/')) continue;
    out.push({ mountPoint: unescapeMountPath(fields[1]), fsType: fields[2] });
  }
  return out;
}

/** The mount holding `absPath`: the longest mount point that is the path or one of its parents (the last listed wins a tie, as the kernel stacks them). */
export function mountOf(absPath: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint.length > 1 ? m.mountPoint.replace(/\/+$/, '') : m.mountPoint;
    const inside = mp === '/' ? absPath.startsWith('/') : absPath === mp || absPath.startsWith(mp + '/');
    if (inside && (best === undefined || mp.length >= best.mountPoint.replace(/\/+$/, '').length)) best = m;
  }
  return best;
}

export interface RemoteVerdict {
  remote: boolean;
  /** Why, in words (for the log). */
  reason: string;
}

/**
 * Whether a folder looks remote. `mountsText` is /proc/mounts on Linux (undefined elsewhere or
 * when unreadable); a Windows UNC path (`\\server\share`) is remote on any platform.
 */
export function looksRemote(absPath: string, mountsText: string | undefined): RemoteVerdict {
  if (/^(\\\\|\/\/)[^\\/]+[\\/][^\\/]+/.test(absPath)) return { remote: true, reason: 'a UNC network path' };
  if (mountsText === undefined) return { remote: false, reason: 'mount table unavailable' };
  const m = mountOf(absPath, parseMounts(mountsText));
  if (m === undefined) return { remote: false, reason: 'no mount found' };
  return isNetworkFsType(m.fsType) ? { remote: true, reason: `${m.fsType} at ${m.mountPoint}` } : { remote: false, reason: `${m.fsType} at ${m.mountPoint}` };
}
