// DVCLive: `dvclive/plots/metrics/**/<metric>.tsv` (one series per file) and `dvclive/metrics.json`
// (latest values, a point only for metrics without a plot).
import * as path from 'node:path';
import { FileTail } from '../tail';
import { readParamsYaml } from '../hparams';
import { DvcliveTsvReader, dvcliveHasPlots, dvclivePath, parseDvcliveMetrics } from '../dvclive';
import { defineFormat } from './types';

export const dvcliveFormat = defineFormat({
  id: 'dvclive',
  title: 'DVCLive',
  writers: 'DVCLive',
  reads:
    '`plots/metrics/**/<name>.tsv` (nested folders = `a/b` names; the value column headed by the leaf or the whole path), `metrics.json` only for metrics without a plot, `params.yaml`',
  globs: ['**/dvclive/metrics.json', '**/plots/metrics/**/*.tsv'],
  activation: ['**/dvclive/metrics.json'],
  detect: (abs) => dvclivePath(abs) !== undefined,
  place(abs) {
    const runDir = dvclivePath(abs)?.dir ?? path.dirname(abs);
    return { runDir, runKey: runDir };
  },
  params: {
    names: ['params.yaml'],
    runKeyOf: (abs) => path.dirname(abs),
    files: (runDir) => [path.join(runDir, 'params.yaml')],
    read: readParamsYaml,
    label: 'DVCLive params.yaml',
  },
  open(abs, place) {
    const dv = dvclivePath(abs);
    if (dv?.kind === 'plot' && dv.metric !== undefined) return { kind: 'lines', tail: new FileTail(abs), reader: new DvcliveTsvReader(abs, dv.metric) };
    return { kind: 'whole', parse: (text) => parseDvcliveMetrics(text, abs, dvcliveHasPlots(place.runDir)) };
  },
});
