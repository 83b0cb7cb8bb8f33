// Issue 20: `npm run bench` is the complete run unless a developer asks for some sections
// (`--only` / `--skip`), a typo is an error rather than a run that measures nothing, and the report
// says which of the Done-when rows it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doneWhenRows, SECTIONS, selectSections } from '../../bench/sections';

const all = SECTIONS.map((s) => s.id);

test('no argument runs every section, in order', () => {
  assert.deepEqual(selectSections([]), { run: all, leftOut: [] });
});

test('--only and --skip pick sections, in run order whatever the order asked', () => {
  assert.deepEqual(selectSections(['--only', 'dashboard,ingest']), {
    run: ['ingest', 'dashboard'],
    leftOut: all.filter((id) => id !== 'ingest' && id !== 'dashboard'),
  });
  assert.deepEqual(selectSections(['--skip=scale']), { run: all.filter((id) => id !== 'scale'), leftOut: ['scale'] });
  assert.deepEqual(selectSections(['--only', 'scale,fits', '--skip', 'scale']), { run: ['fits'], leftOut: all.filter((id) => id !== 'fits') });
});

test('unknown sections, options and empty selections are errors', () => {
  assert.match((selectSections(['--only', 'scal']) as { error: string }).error, /unknown section\(s\) scal/);
  assert.match((selectSections(['--fast']) as { error: string }).error, /unknown argument "--fast"/);
  assert.match((selectSections(['--skip']) as { error: string }).error, /needs a comma-separated list/);
  assert.match((selectSections(['--only', 'scale', '--skip', 'scale']) as { error: string }).error, /no section left/);
});

test('the Done-when rows are present only with every figure they need', () => {
  const json: Record<string, number> = {};
  assert.ok(doneWhenRows(json).every((d) => !d.present));
  Object.assign(json, { fitCpuMeanMs: 80, fitCpuBeforeMeanMs: 900 });
  for (const n of [1, 10, 100]) Object.assign(json, { [`scan${n}WallMs`]: 1, [`scan${n}CpuMs`]: 1, [`scan${n}PoolWallMs`]: 1, [`scan${n}PoolCpuMs`]: 1 });
  Object.assign(json, { jsonlCatMBps: 2000, jsonlOursMBps: 70, jsonlPeerpolarsreadndjsonWallMs: 1, jsonlPeerorjsonloopWallMs: 1 });
  const present = () => Object.fromEntries(doneWhenRows(json).map((d) => [d.row, d.present]));
  assert.equal(present()['per-run curve-fit CPU before/after'], true);
  assert.equal(present()['scan of 1, 10, 100, 1,000 runs (wall and CPU, 1 vs 2 threads)'], false, 'the 1,000-run scan is missing');
  assert.equal(present()['JSONL against cat, polars, pandas, orjson loop'], false, 'pandas is missing');
  Object.assign(json, { scan1000WallMs: 1, scan1000CpuMs: 1, scan1000PoolWallMs: 1, scan1000PoolCpuMs: 1, jsonlPeerpandasreadjsonlinesTrueWallMs: 1 });
  assert.equal(present()['scan of 1, 10, 100, 1,000 runs (wall and CPU, 1 vs 2 threads)'], true);
  assert.equal(present()['JSONL against cat, polars, pandas, orjson loop'], true);
  Object.assign(json, { tfeventsOursMBps: 50, tfeventsPeertensorboardEventAccumulatorWallMs: 1, coldStartBareMs: 60, 'coldStart:help': 61 });
  assert.equal(present()["event files against TensorBoard's EventAccumulator"], true);
  assert.equal(present()['CLI cold start against bare node'], true);
  assert.equal(present()['extension activation time (measured in this run)'], false, 'a record of an earlier integration run is not this run');
  json.activationMeasuredInRun = 2;
  assert.ok(doneWhenRows(json).every((d) => d.present));
});
