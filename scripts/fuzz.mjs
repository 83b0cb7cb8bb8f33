// The reader property tests with many more cases than `npm test` runs (1,000 each there):
// `npm run fuzz` (20,000 each) or `npm run fuzz -- 100000`. A failure prints the seed and path
// fast-check needs to replay it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 20000);
if (!Number.isInteger(runs) || runs <= 0) {
  console.error(`fuzz: the number of cases must be a positive integer, got ${process.argv[2]}`);
  process.exit(2);
}
const unitDir = path.join(repoRoot, 'test', 'unit');
const files = fs
  .readdirSync(unitDir)
  .filter((f) => /^runs-.*\.test\.ts$/.test(f))
  .map((f) => path.join('test', 'unit', f));
console.log(`fuzz: ${runs} cases per reader property, ${files.length} test files`);
const started = Date.now();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, SCALING_LENS_FUZZ_RUNS: String(runs) },
});
console.log(`fuzz: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${result.status}`);
process.exit(result.status ?? 1);
