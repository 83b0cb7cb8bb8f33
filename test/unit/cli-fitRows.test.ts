// `scaling-lens fit` on tables a user's scripts produce by accident: the same rows twice (a sweep
// logged by two processes), and a very large table. Duplicates are collapsed and reported (counted
// twice they turned the priors off and narrowed the interval); 100,000 rows are fitted on a sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitCommand, MAX_FIT_ROWS, type FitCommandOutput } from '../../src/cliCommands/fit';
import type { CommandIo } from '../../src/cliCommands/fitShared';
import { mulberry32 } from '../../src/core/fit/random';
import { tempDir } from './helpers/tempDir';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (s) => (out += s), stderr: (s) => (err += s) };
  const code = fitCommand(args, io);
  return { code, out, err };
}

function chinchillaRows(count: number, seed: number): string[] {
  const rand = mulberry32(seed);
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 10 ** (7 + 3 * rand());
    const d = 10 ** (9 + 3 * rand());
    const loss = (1.7 + 400 / n ** 0.34 + 410 / d ** 0.28) * (1 + 0.01 * (rand() - 0.5));
    rows.push(`${n.toPrecision(6)},${d.toPrecision(6)},${loss.toPrecision(8)}`);
  }
  return rows;
}

test('fit: rows repeated exactly are counted once, named (a few) and counted (the rest)', () => {
  const dir = tempDir('sl-fitdup-');
  const file = path.join(dir, 'runs.csv');
  const rows = chinchillaRows(6, 3);
  // Six runs, each logged three times: 6 runs, not 18 (18 would pass the priors threshold).
  fs.writeFileSync(file, `params,tokens,loss\n${[...rows, ...rows, ...rows].join('\n')}\n`);
  const r = run(['--law', 'chinchilla', '--train', file, '--json', '--resamples', '20']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as FitCommandOutput;
  assert.equal(out.runsUsed, 6);
  assert.equal(out.duplicateRows, 12);
  assert.equal(out.priorsUsed, true, 'six distinct runs keep the priors');
  assert.match(r.err, /runs\.csv:8: warning: row repeats line 2 exactly; counted once/);
  assert.match(r.err, /12 rows repeat an earlier row exactly \(7 not named above\)/);
});

test('fit: 100,000 rows complete on a seeded sample, and the output says so', () => {
  const dir = tempDir('sl-fitbig-');
  const file = path.join(dir, 'big.csv');
  fs.writeFileSync(file, `params,tokens,loss\n${chinchillaRows(100_000, 5).join('\n')}\n`);
  const r = run(['--law', 'chinchilla', '--train', file, '--json', '--resamples', '10']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as FitCommandOutput;
  assert.deepEqual(out.subsampled, { rows: 100_000, used: MAX_FIT_ROWS });
  assert.equal(out.runsUsed, MAX_FIT_ROWS);
  assert.match(r.err, /100000 distinct rows: the law is fitted to a random sample of 2000/);
  // The sample still recovers the law the rows were drawn from.
  assert.ok(Math.abs(out.parameters.alpha.value - 0.34) < 0.02, `alpha ${out.parameters.alpha.value}`);
});
