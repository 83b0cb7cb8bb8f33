// Watching on network file systems: which folders look remote (from /proc/mounts text), and the
// stat poller that replaces file events there (appends, truncations, rewrites, new and deleted files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { isNetworkFsType, looksRemote, mountOf, parseMounts } from '../../src/shared/mounts';
import { StatPoller, mapLimit, type PolledFile } from '../../src/services/statPoller';

const MOUNTS = [
  'sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0',
  '/dev/nvme0n1p2 / ext4 rw,relatime 0 0',
  'tmpfs /tmp tmpfs rw,nosuid,nodev 0 0',
  'fs01:/export/home /home nfs4 rw,relatime,vers=4.2,rsize=1048576 0 0',
  '/dev/sdb1 /home/alice/local xfs rw,relatime 0 0',
  '10.0.0.5@o2ib:/scratch /scratch lustre rw,flock,lazystatfs 0 0',
  'alice@login:/data /mnt/remote\\040data fuse.sshfs rw,nosuid,nodev 0 0',
  '//nas/share /mnt/nas cifs rw,vers=3.0 0 0',
  'drvfs /mnt/c 9p rw,dirsync,aname=drvfs 0 0',
  'garbage',
  '',
].join('\n');

test('/proc/mounts lines parse, with octal escapes in mount points; malformed lines are skipped', () => {
  const m = parseMounts(MOUNTS);
  assert.equal(m.length, 9);
  assert.deepEqual(m[6], { mountPoint: '/mnt/remote data', fsType: 'fuse.sshfs' });
});

test('the longest mount prefix on a path boundary holds the folder', () => {
  const m = parseMounts(MOUNTS);
  assert.equal(mountOf('/home/alice/proj', m)?.fsType, 'nfs4');
  assert.equal(mountOf('/home/alice/local/runs', m)?.fsType, 'xfs', 'a local disk mounted inside an NFS home');
  assert.equal(mountOf('/home/alice/localstuff', m)?.fsType, 'nfs4', 'prefix must end at a path separator');
  assert.equal(mountOf('/scratch', m)?.fsType, 'lustre');
  assert.equal(mountOf('/scratchpad', m)?.fsType, 'ext4');
  assert.equal(mountOf('/opt/x', m)?.fsType, 'ext4');
  // A later mount on the same point hides the earlier one.
  assert.equal(mountOf('/tmp/a', parseMounts(`${MOUNTS}\nserver:/t /tmp nfs rw 0 0`))?.fsType, 'nfs');
});

test('network, cluster, FUSE-remote and VM-shared file systems look remote; local ones do not', () => {
  for (const t of ['nfs', 'nfs4', 'cifs', 'smbfs', 'smb3', 'fuse.sshfs', 'lustre', 'gpfs', 'beegfs', '9p', 'NFS4']) assert.ok(isNetworkFsType(t), t);
  for (const t of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'overlay', 'zfs', 'apfs', 'fuse.portal']) assert.ok(!isNetworkFsType(t), t);
  assert.deepEqual(looksRemote('/home/alice/proj', MOUNTS), { remote: true, reason: 'nfs4 at /home' });
  assert.equal(looksRemote('/home/alice/local/x', MOUNTS).remote, false);
  assert.equal(looksRemote('/mnt/remote data/runs', MOUNTS).remote, true);
  assert.equal(looksRemote('/mnt/nas/x', MOUNTS).remote, true);
  assert.equal(looksRemote('/mnt/c/Users', MOUNTS).remote, true);
  assert.equal(looksRemote('/scratch/job1', MOUNTS).remote, true);
  assert.equal(looksRemote('/opt/x', MOUNTS).remote, false);
  // No mount table (macOS, Windows): only UNC paths are known to be remote.
  assert.equal(looksRemote('/Users/a', undefined).remote, false);
  assert.equal(looksRemote('\\\\server\\share\\runs', undefined).remote, true);
});

test('mapLimit keeps at most `limit` calls in flight and the results in order', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (x) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, x));
    inFlight--;
    return x * 2;
  });
  assert.deepEqual(out, [10, 2, 8, 4, 6, 0, 12]);
  assert.ok(peak <= 3 && peak > 1, `peak ${peak}`);
});

test('the poller reports appends, truncations, same-size rewrites, new and deleted files; nothing when idle', async () => {
  const root = tempDir('sl-poll-');
  const a = path.join(root, 'a', 'metrics.jsonl');
  const b = path.join(root, 'b', 'metrics.jsonl');
  fs.mkdirSync(path.dirname(a), { recursive: true });
  fs.mkdirSync(path.dirname(b), { recursive: true });
  fs.writeFileSync(a, '{"step":1,"loss":3}\n');
  // What the log globs match now: every metrics.jsonl under root (the host lists with findFiles).
  const list = async (): Promise<PolledFile[]> =>
    fs
      .readdirSync(root)
      .map((d) => path.join(root, d, 'metrics.jsonl'))
      .filter((f) => fs.existsSync(f))
      .map((f) => ({ path: f, root }));
  const events: string[] = [];
  const poller = new StatPoller({
    intervalMs: 60_000, // rounds are driven by hand below
    listEvery: 1,
    concurrency: 2,
    list,
    onChanged: (files) => events.push(...files.map((f) => `changed ${path.relative(root, f.path)}`)),
    onDeleted: (paths) => events.push(...paths.map((p) => `deleted ${path.relative(root, p)}`)),
  });
  try {
    await poller.start(await list());
    assert.equal(poller.size, 1);
    await poller.poll();
    assert.deepEqual(events.splice(0), [], 'nothing changed, nothing reported');

    fs.appendFileSync(a, '{"step":2,"loss":2.5}\n');
    await poller.poll();
    assert.deepEqual(events.splice(0), ['changed a/metrics.jsonl'], 'append');

    fs.truncateSync(a, 5);
    await poller.poll();
    assert.deepEqual(events.splice(0), ['changed a/metrics.jsonl'], 'truncation');

    // Same size, new content: the mtime tells (set explicitly: coarse clocks could otherwise tie).
    fs.writeFileSync(a, 'XXXXX');
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(a, t, t);
    await poller.poll();
    assert.deepEqual(events.splice(0), ['changed a/metrics.jsonl'], 'rewrite of equal size');

    fs.writeFileSync(b, '{"step":1,"loss":4}\n');
    await poller.poll();
    assert.deepEqual(events.splice(0), ['changed b/metrics.jsonl'], 'new file');

    fs.rmSync(a);
    await poller.poll();
    assert.deepEqual(events.splice(0), ['deleted a/metrics.jsonl'], 'deleted file');
    assert.equal(poller.size, 1);

    // A round in progress is shared, not doubled.
    fs.appendFileSync(b, '{"step":2,"loss":3}\n');
    await Promise.all([poller.poll(), poller.poll()]);
    assert.deepEqual(events.splice(0), ['changed b/metrics.jsonl']);
  } finally {
    poller.dispose();
  }
});

test('new files are looked for only every `listEvery` rounds; known files every round', async () => {
  const root = tempDir('sl-poll-');
  const f = path.join(root, 'log.jsonl');
  let listed = 0;
  const events: string[] = [];
  const poller = new StatPoller({
    intervalMs: 60_000,
    listEvery: 3,
    list: async () => {
      listed++;
      return fs.existsSync(f) ? [{ path: f, root }] : [];
    },
    onChanged: (files) => events.push(...files.map((x) => path.basename(x.path))),
    onDeleted: () => undefined,
  });
  try {
    await poller.start([]);
    await poller.poll(); // round 0 lists
    fs.writeFileSync(f, 'x\n');
    await poller.poll(); // round 1: no listing yet
    await poller.poll(); // round 2: no listing yet
    assert.equal(listed, 1);
    assert.deepEqual(events, []);
    await poller.poll(); // round 3 lists and finds it
    assert.equal(listed, 2);
    assert.deepEqual(events, ['log.jsonl']);
  } finally {
    poller.dispose();
  }
});

test('a started poller polls on its own timer and stops when disposed', async () => {
  const root = tempDir('sl-poll-');
  const f = path.join(root, 'log.jsonl');
  fs.writeFileSync(f, 'x\n');
  const seen: string[] = [];
  const poller = new StatPoller({
    intervalMs: 20,
    listEvery: 1000,
    list: async () => [],
    onChanged: (files) => seen.push(files[0].path),
    onDeleted: () => undefined,
  });
  await poller.start([{ path: f, root }]);
  fs.appendFileSync(f, 'y\n');
  for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, [f]);
  poller.dispose();
  fs.appendFileSync(f, 'z\n');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(seen, [f], 'no report after dispose');
});
