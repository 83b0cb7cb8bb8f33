// Our readers over test/corpus (issue 14): real files from public repositories, with truth.json from
// test/corpus/truth.py (independent of our code). The golden files (written by the real TensorBoard
// writers) are committed and must all be read right. The corpus files themselves are rebuilt from
// the manifest (test/corpus/rebuild.py); when they are on disk, the figures must not fall below
// the state recorded here — raise these numbers as readers improve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir } from './helpers/tempDir';
import { checkCorpus, corpusFigures, corpusGaps, CORPUS_DIR } from '../../scripts/corpusCheck';

/** Recorded 2026-12-06 on the corpus of test/corpus/manifest.tsv: logs 114/114, configs 45/45; 2026-12-07: logs 115/115, configs 52/52 (torchtitan TOMLs), run facts of Megatron logs 9/9. */
const BAR = { logsRight: 115, configsRight: 52, factsRight: 9 };

test('golden files (TensorBoard writers, W&B) are read right: series, points, first and last (step, loss)', () => {
  const report = checkCorpus();
  assert.ok(report, 'test/corpus/truth.json is missing');
  const golden = report.logs.filter((l) => l.group === 'golden');
  assert.ok(golden.length >= 16, `expected the 16 golden files of make_golden.py, found ${golden.length}`);
  for (const g of golden) {
    assert.ok(g.present, `${g.file} is listed in truth.json but absent`);
    assert.ok(g.ok, `${g.file}: ${g.reason} (ours ${g.found}; truth ${g.expected})`);
  }
});

test('the corpus, when on disk, is read at least as well as recorded', (t) => {
  const report = checkCorpus()!;
  const f = corpusFigures(report);
  if (!report.corpusPresent) {
    // Not a skip: the golden files above are checked either way; this records why the rest was not.
    t.diagnostic('corpus files absent (rebuild with python3 test/corpus/rebuild.py): only golden/ checked');
    assert.equal(f.logsTotal, 0);
    return;
  }
  const misses = [...report.logs, ...report.configs].filter((x) => x.present && !x.ok).map((x) => `${x.file}: ${x.reason}`);
  t.diagnostic(`logs ${f.logsRight}/${f.logsTotal}, configs ${f.configsRight}/${f.configsTotal}; misses:\n${misses.join('\n')}`);
  assert.ok(f.logsRight >= BAR.logsRight, `logs read right fell to ${f.logsRight}/${f.logsTotal} (recorded ${BAR.logsRight})`);
  assert.ok(f.configsRight >= BAR.configsRight, `configs within 1% fell to ${f.configsRight}/${f.configsTotal} (recorded ${BAR.configsRight})`);
  // Size, tokens per step and planned steps a Megatron log states, against the log's own per-rank counts and arguments.
  assert.ok(f.factsRight >= BAR.factsRight, `run facts of text logs right fell to ${f.factsRight}/${f.factsTotal} (recorded ${BAR.factsRight})`);
  // A file with no loss series must never get one invented.
  for (const l of report.logs) if (l.present && l.expected === 'no loss series') assert.ok(l.ok, `${l.file}: ${l.reason}`);
});

test('validate:formats fails, naming the rebuild, when the corpus it is asked for is missing or incomplete', () => {
  const root = tempDir('sl-corpus-');
  fs.copyFileSync(path.join(CORPUS_DIR, 'truth.json'), path.join(root, 'truth.json'));
  const missing = corpusGaps(checkCorpus(root)!);
  assert.equal(missing.failed, true);
  assert.match(missing.message!, /the corpus is missing .*logs.*configs.*python3 test\/corpus\/rebuild\.py/);
  // Folders there but files absent (a partial rebuild): still not the corpus figure.
  fs.mkdirSync(path.join(root, 'logs'));
  fs.mkdirSync(path.join(root, 'configs'));
  const partial = corpusGaps(checkCorpus(root)!);
  assert.equal(partial.failed, true);
  assert.match(partial.message!, /^\d+ of the \d+ corpus files truth\.json lists are absent \(first: .+\).*rebuild\.py/);
});

test('a corpus with every file present has no gap', () => {
  const report = checkCorpus()!;
  const allPresent = {
    ...report,
    corpusPresent: true,
    logs: report.logs.map((l) => ({ ...l, present: true })),
    configs: report.configs.map((c) => ({ ...c, present: true })),
  };
  assert.deepEqual(corpusGaps(allPresent), { failed: false, message: undefined });
});

/** `npm run validate:formats -- <args>`: its exit code and output. */
function validateFormats(...args: string[]): { status: number | null; out: string } {
  const script = path.resolve(__dirname, '../../scripts/validate-formats.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '../..') });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('validate:formats with a sample folder validates that folder only: absent, it fails; present, the corpus is not asked for', () => {
  const root = tempDir('sl-samples-');
  const absent = path.join(root, 'no-such-folder');
  const missing = validateFormats(absent);
  assert.equal(missing.status, 1, missing.out);
  assert.match(missing.out, new RegExp(`FAILED: no sample folder at ${absent.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.doesNotMatch(missing.out, /==== corpus/);
  // A folder with one run, and a corpus folder that may or may not be rebuilt here: only the folder counts.
  fs.cpSync(path.resolve(__dirname, '../../examples/sweep/llama-12m'), path.join(root, 'samples', 'llama-12m'), { recursive: true });
  const present = validateFormats(path.join(root, 'samples'));
  assert.equal(present.status, 0, present.out);
  assert.match(present.out, /1 runs/);
  assert.doesNotMatch(present.out, /==== corpus/);
});
