// MLflow file store (`mlruns/`), as mlflow/store/tracking/file_store.py writes it:
//   mlruns/<experiment_id>/<run_id>/meta.yaml          run_name, status, lifecycle_stage, start/end time
//   mlruns/<experiment_id>/<run_id>/metrics/<key>      lines "<timestamp_ms> <value> <step>" (old: no step)
//   mlruns/<experiment_id>/<run_id>/params/<key>       the raw value
// Keys with '/' are sub-directories. `.trash` holds deleted runs; `models/` is the model registry.
import * as fs from 'node:fs';
import { readTextFile } from '../safeFile';
import * as path from 'node:path';
import type * as YamlLib from 'yaml';

/** The YAML parser, loaded on first use (a cold start that reads no YAML never loads it). */
let yamlLib: typeof YamlLib | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAML = (): typeof YamlLib => (yamlLib ??= require('yaml') as typeof YamlLib);
import type { Diagnostic } from '../diagnostics';
import type { MetricPoint, RunStatus } from './types';
import { emptyResult, isLossRole, metricRole, shorten, type ReadResult } from './common';
import { appendAll } from '../../shared/arrays';

export interface MlflowPath {
  /** The run directory `mlruns/<exp>/<run>`. */
  runDir: string;
  kind: 'metric' | 'meta';
  /** For metric files: the key (path below `metrics/`, with '/'). */
  metric?: string;
  /** Why this path is not read (deleted runs in `.trash`, the model registry). */
  skip?: string;
}

/** Classify a path inside an MLflow file store; undefined when it is not a run's metric file or meta.yaml. */
export function mlflowPath(filePath: string): MlflowPath | undefined {
  const parts = path.resolve(filePath).split(path.sep);
  const i = parts.lastIndexOf('mlruns');
  if (i === -1 || parts.length < i + 4) return undefined;
  const exp = parts[i + 1];
  const runDir = parts.slice(0, i + 3).join(path.sep);
  const rest = parts.slice(i + 3);
  let kind: MlflowPath['kind'];
  let metric: string | undefined;
  if (rest.length === 1 && rest[0] === 'meta.yaml') kind = 'meta';
  else if (rest.length >= 2 && rest[0] === 'metrics') {
    kind = 'metric';
    metric = rest.slice(1).join('/');
  } else return undefined;
  const out: MlflowPath = { runDir, kind };
  if (metric !== undefined) out.metric = metric;
  if (exp === '.trash') out.skip = 'deleted MLflow run (in mlruns/.trash); skipped';
  else if (exp === 'models') out.skip = 'MLflow model registry, not a run; skipped';
  return out;
}

export interface MlflowRunMeta {
  deleted: boolean;
  status?: RunStatus;
  statusText?: string;
  runName?: string;
  diagnostics: Diagnostic[];
}

/** MLflow RunStatus enum (mlflow/protos/service.proto): 1 RUNNING, 2 SCHEDULED, 3 FINISHED, 4 FAILED, 5 KILLED. */
const STATUS: Record<number, [RunStatus, string]> = {
  1: ['live', 'RUNNING'],
  2: ['live', 'SCHEDULED'],
  3: ['finished', 'FINISHED'],
  4: ['failed', 'FAILED'],
  5: ['failed', 'KILLED'],
};

/** Read a run's meta.yaml (a YAML parser: artifact URIs hold colons). Never throws. */
export function readMlflowMeta(text: string, file: string): MlflowRunMeta {
  const out: MlflowRunMeta = { deleted: false, diagnostics: [] };
  try {
    const doc = YAML().parseDocument(text, { logLevel: 'silent', prettyErrors: false });
    for (const e of doc.errors)
      out.diagnostics.push({ file, line: e.linePos?.[0]?.line, severity: 'warning', message: `YAML: ${shorten(e.message.split('\n')[0], 100)}` });
    const js: unknown = doc.toJS({ maxAliasCount: 50 });
    if (js === null || typeof js !== 'object' || Array.isArray(js)) return out;
    const m = js as Record<string, unknown>;
    out.deleted = m.lifecycle_stage === 'deleted';
    const st =
      typeof m.status === 'number' ? STATUS[m.status] : typeof m.status === 'string' ? Object.values(STATUS).find((s) => s[1] === m.status) : undefined;
    if (st) {
      out.status = st[0];
      out.statusText = st[1];
    }
    const name = m.run_name ?? m.name;
    if (typeof name === 'string' && name !== '') out.runName = name;
  } catch (e) {
    out.diagnostics.push({ file, line: 1, severity: 'warning', message: `cannot read meta.yaml: ${e instanceof Error ? e.message : String(e)}` });
  }
  return out;
}

/** A run's params: one file per key (keys with '/' nested), the value is the whole file. Never throws. */
export function readMlflowParams(runDir: string): { params: Map<string, string>; signature: string } {
  const params = new Map<string, string>();
  const sig: string[] = [];
  const base = path.join(runDir, 'params');
  const walk = (dir: string, prefix: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      const key = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory() && depth < 4) walk(p, key, depth + 1);
      else if (e.isFile()) {
        try {
          const st = fs.statSync(p);
          sig.push(`${key}:${st.size}:${st.mtimeMs}`);
          // A regular file only (safeFile.ts): a pipe among the params must not block.
          const r = st.size <= 64 * 1024 ? readTextFile(p, 64 * 1024) : undefined;
          if (r !== undefined && 'text' in r) params.set(key, r.text.trim());
        } catch {
          // vanished between listing and reading
        }
      }
    }
  };
  walk(base, '', 0);
  return { params, signature: sig.sort().join('|') };
}

/**
 * Incremental reader of one metric file. x is the step, except when every step so far is 0 (a run that
 * logs without `step`, or an old two-column file): then x is the timestamp in ms, and if a non-zero
 * step appears later the reader says `replace` and returns every point again by step. Never throws.
 */
export class MlflowMetricReader {
  private rows: { ts: number; value: number; step: number; line: number }[] = [];
  private byTime = true;
  private warnedTime = false;

  constructor(
    readonly file: string,
    readonly metric: string,
  ) {}

  reset(): void {
    this.rows = [];
    this.byTime = true;
    this.warnedTime = false;
  }

  push(lines: string[], firstLineNumber: number): ReadResult & { replace?: boolean } {
    const out: ReadResult & { replace?: boolean } = emptyResult();
    const role = metricRole(this.metric);
    const fresh: typeof this.rows = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      const ln = firstLineNumber + i;
      if (line === '') continue;
      const f = line.split(/\s+/);
      const ts = Number(f[0]);
      const value = f[1] === undefined ? NaN : Number(f[1]);
      const step = f[2] === undefined ? 0 : Number(f[2]);
      if (
        f.length < 2 ||
        f.length > 3 ||
        !Number.isFinite(ts) ||
        !Number.isInteger(step) ||
        (f[1] !== undefined && !/^[-+]?(?:nan|inf|infinity|[\d.eE+-]+)$/i.test(f[1]))
      ) {
        out.diagnostics.push({
          file: this.file,
          line: ln,
          severity: 'warning',
          message: `line ${ln} is not "<timestamp> <value> <step>": ${shorten(line, 60)}; skipped`,
        });
        continue;
      }
      if (!Number.isFinite(value)) {
        const loss = isLossRole(role);
        out.nonFinite.push({ metric: this.metric, role, step, line: ln });
        out.diagnostics.push({
          file: this.file,
          line: ln,
          severity: loss ? 'error' : 'warning',
          message: `${this.metric} is ${f[1]} at step ${step}${loss ? ' (loss went non-finite; run diverged)' : ''}; value dropped`,
        });
        continue;
      }
      fresh.push({ ts, value, step, line: ln });
    }
    const wasByTime = this.byTime;
    appendAll(this.rows, fresh);
    if (this.byTime && fresh.some((r) => r.step !== 0)) this.byTime = false;
    const rows = wasByTime && !this.byTime ? this.rows : fresh;
    if (wasByTime && !this.byTime) out.replace = true;
    if (this.byTime && this.rows.length > 1 && !this.warnedTime) {
      this.warnedTime = true;
      out.diagnostics.push({
        file: this.file,
        line: this.rows[0].line,
        severity: 'info',
        message: 'every step is 0 (logged without step): x is the timestamp in ms',
      });
    }
    if (this.byTime && this.rows.length > 1 && fresh.length > 0 && this.rows.length === fresh.length + 1) {
      // The first point was placed at step 0 before we knew; place it by time now.
      out.replace = true;
      out.points = this.rows.map((r) => this.point(r));
      return out;
    }
    for (const r of rows) out.points.push(this.point(r));
    return out;
  }

  peek(): MetricPoint[] {
    return [];
  }

  private point(r: { ts: number; value: number; step: number; line: number }): MetricPoint {
    return { metric: this.metric, step: this.byTime && this.rows.length > 1 ? r.ts : r.step, value: r.value, line: r.line };
  }
}
