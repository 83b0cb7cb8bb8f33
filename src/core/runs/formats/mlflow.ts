// MLflow file store: `mlruns/<experiment>/<run>/meta.yaml` + `metrics/<key>` (+ params/, tags/).
import * as path from 'node:path';
import { FileTail, readWhole } from '../tail';
import { MlflowMetricReader, mlflowPath, readMlflowMeta } from '../mlflow';
import { defineFormat } from './types';

export const mlflowFormat = defineFormat({
  id: 'mlflow',
  title: 'MLflow file store',
  writers: 'MLflow file store (mlruns/)',
  reads: '`metrics/<key>` lines `timestamp value step`, `params/*`, run `meta.yaml` (status, name; deleted and `.trash` runs skipped)',
  globs: ['**/mlruns/*/*/meta.yaml', '**/mlruns/*/*/metrics/**'],
  activation: ['**/mlruns/*/*/meta.yaml'],
  detect: (abs) => mlflowPath(abs) !== undefined,
  /** In `.trash` or the model registry, or its run's meta.yaml says deleted. */
  skip(abs) {
    const ml = mlflowPath(abs);
    if (ml === undefined) return undefined;
    if (ml.skip !== undefined) return ml.skip;
    const meta = readWhole(path.join(ml.runDir, 'meta.yaml'), undefined, 1024 * 1024);
    if (meta.status === 'changed' && readMlflowMeta(meta.text, path.join(ml.runDir, 'meta.yaml')).deleted) {
      return 'MLflow run marked deleted (lifecycle_stage: deleted in its meta.yaml); skipped';
    }
    return undefined;
  },
  place(abs) {
    const runDir = mlflowPath(abs)?.runDir ?? path.dirname(abs);
    return { runDir, runKey: runDir };
  },
  open(abs) {
    const metric = mlflowPath(abs)?.metric;
    // meta.yaml holds no points: it makes the run known (its status and params are read as sidecars).
    if (metric === undefined) return { kind: 'none' };
    return { kind: 'lines', tail: new FileTail(abs), reader: new MlflowMetricReader(abs, metric) };
  },
});
