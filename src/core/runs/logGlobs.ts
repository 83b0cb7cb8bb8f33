// Whether a path is a training log by the default globs, for the CLI's own folder walk (the
// extension asks VS Code for the files matching `scalingLens.logGlobs` instead). Matched from the
// very globs that setting defaults to, at any depth and through dot folders too (an MLflow store's
// `.trash` is offered, so the index can say it skipped the deleted runs).
import type Picomatch from 'picomatch';
import { DEFAULT_LOG_GLOBS } from '../../shared/logFiles';

/** Compiled on first use: compiling the globs is most of a cheap CLI command's start (`plan`, `estimate` in an empty folder). */
let matchesDefaultGlobs: ((file: string) => boolean) | undefined;

/** Whether `file` (a path with / or \ separators) matches DEFAULT_LOG_GLOBS. */
export function isDefaultLogFile(file: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  matchesDefaultGlobs ??= (require('picomatch') as typeof Picomatch)(DEFAULT_LOG_GLOBS, { dot: true });
  return matchesDefaultGlobs(file.replace(/\\/g, '/'));
}
