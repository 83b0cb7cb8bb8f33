// Whether a path is a training log by the default globs, for the CLI's own folder walk (the
// extension asks VS Code for the files matching `scalingLens.logGlobs` instead). Matched from the
// very globs that setting defaults to, at any depth and through dot folders too (an MLflow store's
// `.trash` is offered, so the index can say it skipped the deleted runs).
import picomatch from 'picomatch';
import { DEFAULT_LOG_GLOBS } from '../../shared/logFiles';

const matchesDefaultGlobs = picomatch(DEFAULT_LOG_GLOBS, { dot: true });

/** Whether `file` (a path with / or \ separators) matches DEFAULT_LOG_GLOBS. */
export function isDefaultLogFile(file: string): boolean {
  return matchesDefaultGlobs(file.replace(/\\/g, '/'));
}
