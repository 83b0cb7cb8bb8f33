import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { DEFAULT_LOG_GLOBS } from '../../../src/shared/logFiles';
import { isDefaultLogFile } from '../../../src/core/runs/logGlobs';

/**
 * The CLI's file test agrees with the default globs as VS Code's watcher applies them (relative to
 * a workspace folder) on every path, and exactly `expected` of `paths` are logs.
 */
export function assertDefaultLogFiles(paths: readonly string[], expected: readonly string[]): void {
  const matches = picomatch(DEFAULT_LOG_GLOBS);
  for (const p of paths) assert.equal(isDefaultLogFile(`/w/${p}`), matches(p), p);
  assert.deepEqual(
    paths.filter((p) => matches(p)),
    expected,
  );
}
