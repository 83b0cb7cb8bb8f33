// The host's record of file batches sent to the worker, which names the file a crash happened on.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FileBatches } from '../../src/services/fileBatches';

test("a rescan's batch is kept while it is read, however many live batches follow it", () => {
  const batches = new FileBatches();
  const rescan = batches.add(['/w/a/trainer_state.json', '/w/b/trainer_state.json']);
  // A live trainer sends a batch every ~200 ms: 13 s of them while the rescan is still being read.
  for (let i = 0; i < 200; i++) batches.add(['/w/live/metrics.csv']);
  assert.equal(batches.path(rescan, 1), '/w/b/trainer_state.json', 'a crash on the rescan file is still pinned on it');
  // Once a snapshot says every file was read, old batches go by count again.
  batches.readUpTo(201);
  batches.add(['/w/live/metrics.csv']);
  assert.equal(batches.path(rescan, 1), undefined);
  assert.equal(batches.size, 64);
});

test('batches read are kept by count, and unread ones are bounded', () => {
  const batches = new FileBatches();
  const first = batches.add(['/w/x']);
  batches.readUpTo(first);
  for (let i = 0; i < 63; i++) batches.add(['/w/y']);
  assert.equal(batches.path(first, 0), '/w/x');
  batches.add(['/w/y']);
  assert.equal(batches.path(first, 0), undefined);
  // A worker read up to a later batch: one sent after that snapshot stays (it was not read yet).
  const later = new FileBatches();
  const read = later.add(['/w/read']);
  const unreadYet = later.add(['/w/rescan']);
  later.readUpTo(read);
  later.readUpTo(0);
  for (let i = 0; i < 100; i++) later.add(['/w/live']);
  assert.equal(later.path(read, 0), undefined);
  assert.equal(later.path(unreadYet, 0), '/w/rescan', 'a restarted worker (its record back at 0) does not unpin it either');
  const unread = new FileBatches();
  for (let i = 0; i < 10_000; i++) unread.add(['/w/z']);
  assert.ok(unread.size <= 64 * 64, `${unread.size} batches kept`);
});
