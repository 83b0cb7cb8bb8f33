// DVCLive (dvc.org/doc/dvclive): a `Live(dir="dvclive")` folder holding
//   <dir>/plots/metrics/<name>.tsv   one file per metric, header `step<TAB><leaf>` (some versions
//                                    put `timestamp` first); `<name>` may hold '/' (sub-folders)
//   <dir>/metrics.json               the latest value of every metric (nested by '/'), plus `step`
//   <dir>/params.yaml                logged parameters
// The folder is the run. Also the role helper for slash-separated metric names that W&B and DVCLive share.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricPoint, MetricRole } from './types';
import { coerceNumber, emptyResult, flattenRecord, isLossRole, isPlainObject, metricRole, parseJsonLenient, shorten, type ReadResult } from './common';
import { CsvReader } from './csv';

/**
 * Role of a logged name such as `train/loss`, `val/loss` or `eval/lm_loss`: the shared vocabulary
 * (vocabulary.ts) reads split prefixes itself; kept as the name W&B and DVCLive readers use.
 */
export function slashedKeyRole(name: string): MetricRole {
  return metricRole(name);
}

export interface DvclivePath {
  /** The DVCLive folder (the run). */
  dir: string;
  kind: 'plot' | 'metrics';
  /** For plot files: the metric name (path below plots/metrics without `.tsv`, with '/'). */
  metric?: string;
}

/**
 * Classify a DVCLive file: `<dir>/plots/metrics/**\/*.tsv`, or `<dir>/metrics.json` when `<dir>` is
 * named `dvclive` or holds `plots/metrics`. Undefined for anything else.
 */
export function dvclivePath(filePath: string): DvclivePath | undefined {
  const abs = path.resolve(filePath);
  const parts = abs.split(path.sep);
  const base = parts[parts.length - 1];
  if (base.toLowerCase().endsWith('.tsv')) {
    for (let i = parts.length - 3; i >= 1; i--) {
      if (parts[i] === 'plots' && parts[i + 1] === 'metrics') {
        const rel = parts.slice(i + 2);
        if (rel.length === 0) return undefined;
        rel[rel.length - 1] = rel[rel.length - 1].slice(0, -'.tsv'.length);
        return { dir: parts.slice(0, i).join(path.sep), kind: 'plot', metric: rel.join('/') };
      }
    }
    return undefined;
  }
  if (base === 'metrics.json') {
    const dir = path.dirname(abs);
    if (path.basename(dir) === 'dvclive' || isDirectory(path.join(dir, 'plots', 'metrics'))) return { dir, kind: 'metrics' };
  }
  return undefined;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Whether the DVCLive folder has per-step plot files (then metrics.json only repeats their last values). */
export function dvcliveHasPlots(dir: string): boolean {
  return isDirectory(path.join(dir, 'plots', 'metrics'));
}

/**
 * Incremental reader of one `plots/metrics/<name>.tsv`: a TSV with `step` and the metric's leaf name
 * (and maybe `timestamp`). Points are named by the full metric path. Never throws.
 */
export class DvcliveTsvReader {
  private readonly csv: CsvReader;
  private readonly leaf: string;
  private readonly role: MetricRole;

  constructor(
    readonly file: string,
    readonly metric: string,
  ) {
    this.csv = new CsvReader(file, { delimiter: '\t' });
    this.leaf = metric.split('/').pop() ?? metric;
    this.role = slashedKeyRole(metric);
  }

  reset(): void {
    this.csv.reset();
  }

  push(lines: string[], firstLineNumber: number): ReadResult {
    const res = this.csv.push(lines, firstLineNumber);
    res.points = this.rename(res.points);
    for (const ev of res.nonFinite) {
      if (ev.metric === this.leaf || ev.metric === this.metric) {
        ev.metric = this.metric;
        ev.role = this.role;
      }
    }
    if (!isLossRole(this.role)) {
      // The CSV rows judged the leaf (`loss`) by its own name; a non-loss metric's NaN is only a warning.
      for (const d of res.diagnostics) if (d.severity === 'error' && d.message.startsWith(`${this.leaf} is `)) d.severity = 'warning';
    }
    return res;
  }

  peek(line: string, lineNumber: number): MetricPoint[] {
    return this.rename(this.csv.peek(line, lineNumber));
  }

  private rename(points: MetricPoint[]): MetricPoint[] {
    const out: MetricPoint[] = [];
    for (const p of points) {
      if (p.metric === 'timestamp') continue;
      // Some DVCLive versions head the column with the leaf (`loss`), others with the whole path (`train/loss`).
      if (p.metric === this.leaf || p.metric === this.metric) out.push({ ...p, metric: this.metric, role: this.role });
      else out.push({ ...p, metric: `${this.metric}/${p.metric}`, role: 'other' });
    }
    return out;
  }
}

/**
 * `metrics.json`: the latest values, at its `step`. When the folder has plot files these points repeat
 * their last rows; without `step` they are placed only when there is nothing else (at step 0). Never throws.
 */
export function parseDvcliveMetrics(text: string, file: string, hasPlots: boolean): ReadResult {
  const out = emptyResult();
  if (text.trim() === '') {
    out.diagnostics.push({ file, line: 1, severity: 'info', message: 'empty metrics.json (DVCLive wrote no metrics yet)' });
    return out;
  }
  let doc: unknown;
  try {
    doc = parseJsonLenient(text);
  } catch (e) {
    out.diagnostics.push({
      file,
      line: 1,
      severity: 'warning',
      message: `metrics.json is not valid JSON (${shorten(e instanceof Error ? e.message : String(e), 80)}); ignored`,
    });
    return out;
  }
  if (!isPlainObject(doc)) {
    out.diagnostics.push({ file, line: 1, severity: 'warning', message: 'metrics.json is not a JSON object; ignored' });
    return out;
  }
  const flat = flattenRecord(doc);
  const stepRaw = coerceNumber(flat.get('step'), true);
  let step: number;
  if (stepRaw.kind === 'number' && Number.isInteger(stepRaw.value) && stepRaw.value >= 0) step = stepRaw.value;
  else if (hasPlots) {
    out.diagnostics.push({ file, line: 1, severity: 'info', message: 'metrics.json has no step; its values are left to the plot files' });
    return out;
  } else {
    step = 0;
    out.diagnostics.push({ file, line: 1, severity: 'info', message: 'metrics.json has no step (and no plot files): its values are placed at step 0' });
  }
  const plotsDir = path.join(path.dirname(file), 'plots', 'metrics');
  for (const [key, raw] of flat) {
    if (key === 'step' || raw === null || raw === undefined) continue;
    // A metric with its own plot file is read from it: metrics.json's `step` is DVCLive's next step
    // (one past the last row written), so its copy of the last value would land one step late.
    if (hasPlots && fs.existsSync(path.join(plotsDir, ...`${key}.tsv`.split('/')))) continue;
    const role = slashedKeyRole(key);
    const c = coerceNumber(raw, true);
    if (c.kind === 'number') out.points.push({ metric: key, step, value: c.value, role });
    else if (c.kind === 'nonfinite') {
      const loss = isLossRole(role);
      out.nonFinite.push({ metric: key, role, step, line: 1 });
      out.diagnostics.push({
        file,
        line: 1,
        severity: loss ? 'error' : 'warning',
        message: `${key} is ${c.text} at step ${step}${loss ? ' (loss went non-finite; run diverged)' : ''}; value dropped`,
      });
    }
  }
  return out;
}
