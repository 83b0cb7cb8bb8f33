// Runs our readers over test/corpus (real files from public repositories, see test/corpus/README.md)
// and compares what they find with test/corpus/truth.json, which test/corpus/truth.py computes without
// our code. Used by `npm run validate:formats` (the report) and test/unit/corpus.test.ts (the bar).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfig } from '../src/core/configs/index';
import { detectLogFormat, RunIndex } from '../src/core/runs/index';
import type { Run, Series } from '../src/core/runs/types';

export const CORPUS_DIR = path.resolve(__dirname, '..', 'test', 'corpus');

interface LogTruth {
  series: string | null;
  points?: number;
  first?: [number, number];
  last?: [number, number];
  rule?: string;
  reason?: string;
  error?: string;
  /** Run facts a text log states (truth.py megatron_facts): size from its per-rank counts, tokens per step, planned steps. */
  facts?: { params?: number; paramsRule?: string; tokensPerStep?: number; maxSteps?: number };
}

interface ConfigTruth {
  params?: number;
  activeParams?: number | null;
  source?: string;
  exact?: boolean;
  indexRejected?: string;
  error?: string;
}

export interface LogCheck {
  file: string;
  /** Folder the file was read from: `logs` (corpus) or `golden` (written by the real writers). */
  group: string;
  present: boolean;
  ok: boolean;
  /** What our readers found, in one line. */
  found: string;
  expected: string;
  /** Why it is a miss (empty when ok). */
  reason: string;
  /** The run facts truth.json records for this file, against ours (only when the file was read into a run). */
  facts?: { ok: boolean; found: string; expected: string };
}

export interface ConfigCheck {
  file: string;
  present: boolean;
  ok: boolean;
  ours?: number;
  oursActive?: number;
  truth?: number;
  truthActive?: number;
  exact: boolean;
  /** (ours − truth) / truth, in percent. */
  diffPct?: number;
  found: string;
  reason: string;
}

export interface CorpusReport {
  truthFile: string;
  /** False when the corpus files (logs/, configs/) are not on disk: only golden/ was checked. */
  corpusPresent: boolean;
  logs: LogCheck[];
  configs: ConfigCheck[];
}

const num = (x: number): string => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(7)).toString());
const close = (a: number, b: number): boolean => a === b || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** The series a user would look at first: training loss, else eval loss. */
function mainSeries(run: Run): Series | undefined {
  const withPoints = run.series.filter((s) => s.steps.length > 0);
  return withPoints.find((s) => s.role === 'train_loss') ?? withPoints.find((s) => s.role === 'eval_loss');
}

function describe(s: Series): string {
  const n = s.steps.length;
  return `${s.metric}: ${n} pts, (${num(s.steps[0])}, ${num(s.values[0])}) … (${num(s.steps[n - 1])}, ${num(s.values[n - 1])})`;
}

function checkLogs(root: string, group: string, truth: Record<string, LogTruth>): LogCheck[] {
  const folder = path.join(root, group);
  const files: string[] = [];
  walk(folder, files);
  // Every file goes to the index, as a workspace would offer it; runs are then matched per truth file.
  const index = new RunIndex();
  for (const f of files) if (detectLogFormat(f) !== undefined) index.update(f, folder);
  const runOf = new Map<string, Run>();
  for (const run of index.runs()) for (const f of run.files) runOf.set(path.resolve(f), run);
  const why = new Map<string, string>();
  for (const d of index.diagnostics()) if (!why.has(path.resolve(d.file))) why.set(path.resolve(d.file), d.message);
  const out: LogCheck[] = [];
  for (const [rel, t] of Object.entries(truth)) {
    if (!rel.startsWith(`${group}/`)) continue;
    const abs = path.resolve(root, rel);
    const present = fs.existsSync(abs);
    const expected = t.error
      ? `truth error: ${t.error}`
      : t.series === null
        ? 'no loss series'
        : `${t.series}: ${t.points} pts, (${num(t.first![0])}, ${num(t.first![1])}) … (${num(t.last![0])}, ${num(t.last![1])})`;
    const check: LogCheck = { file: rel, group, present, ok: false, found: '', expected, reason: '' };
    out.push(check);
    if (!present) {
      check.reason = 'file absent';
      continue;
    }
    if (t.error) {
      check.reason = `no truth: ${t.error}`;
      continue;
    }
    const offered = detectLogFormat(abs) !== undefined;
    const run = runOf.get(abs);
    // A run of several files (a DVCLive folder) holds one series per file: compare with this file's
    // series when the run has it by name (DVCLive: the path under plots/metrics), else the main one.
    const dvc = /\/plots\/metrics\/(.+)\.tsv$/.exec(rel)?.[1];
    // Keras's validation/ events join their train/ run with their tags under `validation/` (formats/tfevents.ts).
    const half = /\/(validation|val|eval|test)\/events\.out\.tfevents\.[^/]*$/.exec(rel)?.[1];
    const evalNamed = half && t.series ? run?.series.find((x) => x.steps.length > 0 && x.metric === `${half}/${t.series}`) : undefined;
    const named = evalNamed ?? run?.series.find((x) => x.steps.length > 0 && (x.metric === dvc || (dvc === undefined && x.metric === t.series)));
    const s = run ? (named ?? mainSeries(run)) : undefined;
    check.found = !offered
      ? 'not offered to any reader (file name not recognised)'
      : !run
        ? `not read${why.has(abs) ? `: ${why.get(abs)}` : ''}`
        : s
          ? `${describe(s)}${run.files.length > 1 ? ` [run of ${run.files.length} files]` : ''}`
          : `run ${run.id} without a loss series`;
    const factProblems = run && t.facts ? checkFacts(run, t.facts, check) : [];
    if (t.series === null) {
      check.ok = !s && factProblems.length === 0;
      if (s) check.reason = 'a loss series was read from a file that has none';
      else check.reason = factProblems.join('; ');
      continue;
    }
    if (!s) {
      check.reason = !offered ? 'file name not matched by any format' : !run ? 'not read' : 'no training or eval loss series recognised';
      continue;
    }
    const n = s.steps.length;
    const problems: string[] = [];
    if (n !== t.points) problems.push(`${n} points, truth ${t.points}`);
    if (!close(s.steps[0], t.first![0]) || !close(s.values[0], t.first![1])) problems.push('first point differs');
    if (!close(s.steps[n - 1], t.last![0]) || !close(s.values[n - 1], t.last![1])) problems.push('last point differs');
    problems.push(...factProblems);
    check.ok = problems.length === 0;
    check.reason = problems.join('; ');
  }
  return out;
}

/** A run's size (within 1%: ours is from the model's shape), tokens per step and planned steps (exact) against the log's own. */
function checkFacts(run: Run, facts: NonNullable<LogTruth['facts']>, check: LogCheck): string[] {
  const h = run.hyper;
  const show = (p?: number, t?: number, s?: number): string =>
    `params ${p === undefined ? '?' : p.toLocaleString('en-US')}, tokens/step ${t ?? '?'}, maxSteps ${s ?? '?'}`;
  const problems: string[] = [];
  if (facts.params !== undefined) {
    const diffPct = h.params === undefined ? undefined : (100 * (h.params - facts.params)) / facts.params;
    if (diffPct === undefined || Math.abs(diffPct) > 1)
      problems.push(`params ${diffPct === undefined ? 'unknown' : `${diffPct.toFixed(3)}%`} vs ${facts.paramsRule ?? 'the log'}`);
  }
  if (facts.tokensPerStep !== undefined && h.tokensPerStep !== facts.tokensPerStep)
    problems.push(`tokens/step ${h.tokensPerStep ?? 'unknown'}, truth ${facts.tokensPerStep}`);
  if (facts.maxSteps !== undefined && h.maxSteps !== facts.maxSteps) problems.push(`maxSteps ${h.maxSteps ?? 'unknown'}, truth ${facts.maxSteps}`);
  check.facts = {
    ok: problems.length === 0,
    found: show(h.params, h.tokensPerStep, h.maxSteps),
    expected: show(facts.params, facts.tokensPerStep, facts.maxSteps),
  };
  return problems;
}

function checkConfigs(root: string, truth: Record<string, ConfigTruth>): ConfigCheck[] {
  const out: ConfigCheck[] = [];
  for (const [rel, t] of Object.entries(truth)) {
    const abs = path.resolve(root, rel);
    const present = fs.existsSync(abs);
    const check: ConfigCheck = { file: rel, present, ok: false, exact: t.exact === true, found: '', reason: '' };
    out.push(check);
    if (!present) {
      check.reason = 'file absent';
      continue;
    }
    if (t.error || t.params === undefined) {
      check.reason = `no truth: ${t.error ?? 'no count'}`;
      continue;
    }
    check.truth = t.params;
    if (typeof t.activeParams === 'number') check.truthActive = t.activeParams;
    const text = fs.readFileSync(abs, 'utf8');
    const result = readConfig({ file: abs, text, readSibling: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) });
    if (result.kind !== 'plan') {
      check.found = result.kind === 'error' ? `error: ${result.message}` : `not applicable: ${result.reason}`;
      check.reason = check.found;
      continue;
    }
    const ours = result.plan.params.total;
    check.ours = ours;
    check.oursActive = result.plan.params.active;
    check.diffPct = (100 * (ours - t.params)) / t.params;
    check.found = `${result.plan.format} ${result.plan.architecture.modelType}: ${ours.toLocaleString('en-US')}${check.oursActive !== undefined ? ` (active ${check.oursActive.toLocaleString('en-US')})` : ''}`;
    const problems: string[] = [];
    if (check.exact ? ours !== t.params : Math.abs(check.diffPct) > 1)
      problems.push(`total ${check.diffPct >= 0 ? '+' : ''}${check.diffPct.toFixed(3)}% vs ${t.source}`);
    if (check.truthActive !== undefined) {
      if (check.oursActive === undefined) problems.push('no active-parameter count for a MoE');
      else if (Math.abs(check.oursActive - check.truthActive) / check.truthActive > 0.01) problems.push(`active ${check.oursActive} vs ${check.truthActive}`);
    }
    check.ok = problems.length === 0;
    check.reason = problems.join('; ');
  }
  return out;
}

/** Checks every file truth.json lists; files not on disk are reported as absent. */
export function checkCorpus(root = CORPUS_DIR): CorpusReport | undefined {
  const truthFile = path.join(root, 'truth.json');
  if (!fs.existsSync(truthFile)) return undefined;
  const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as { logs: Record<string, LogTruth>; configs: Record<string, ConfigTruth> };
  const corpusPresent = fs.existsSync(path.join(root, 'logs')) && fs.existsSync(path.join(root, 'configs'));
  const logs = [...checkLogs(root, 'logs', truth.logs), ...checkLogs(root, 'golden', truth.logs)];
  return { truthFile, corpusPresent, logs, configs: checkConfigs(root, truth.configs) };
}

/** Figures of a report: right / total per kind, counting only files on disk. */
export function corpusFigures(r: CorpusReport): {
  logsRight: number;
  logsTotal: number;
  goldenRight: number;
  goldenTotal: number;
  configsRight: number;
  configsTotal: number;
  factsRight: number;
  factsTotal: number;
} {
  const logs = r.logs.filter((l) => l.present && l.group === 'logs');
  const golden = r.logs.filter((l) => l.present && l.group === 'golden');
  const configs = r.configs.filter((c) => c.present);
  return {
    logsRight: logs.filter((l) => l.ok).length,
    logsTotal: logs.length,
    goldenRight: golden.filter((l) => l.ok).length,
    goldenTotal: golden.length,
    configsRight: configs.filter((c) => c.ok).length,
    configsTotal: configs.length,
    factsRight: logs.filter((l) => l.facts?.ok === true).length,
    factsTotal: logs.filter((l) => l.facts !== undefined).length,
  };
}

/**
 * What the corpus figures leave out: every file truth.json lists under logs/ or configs/ that is not on
 * disk. Figures over what is there read "0/0" with the corpus absent, as if nothing had failed; a
 * report asked for rows it cannot compute says so, names the rebuild, and fails.
 */
export function corpusGaps(r: CorpusReport): { failed: boolean; message: string | undefined } {
  const absent = [...r.logs.filter((l) => l.group === 'logs'), ...r.configs].filter((x) => !x.present);
  const listed = r.logs.filter((l) => l.group === 'logs').length + r.configs.length;
  if (absent.length === 0) return { failed: false, message: undefined };
  const what = r.corpusPresent
    ? `${absent.length} of the ${listed} corpus files truth.json lists are absent (first: ${absent[0].file})`
    : `the corpus is missing (${path.join(path.dirname(r.truthFile), 'logs')}, ${path.join(path.dirname(r.truthFile), 'configs')}): its ${listed} files were not checked`;
  return {
    failed: true,
    message: `${what}; rebuild it with python3 test/corpus/rebuild.py (see test/corpus/README.md). The log, config and run-fact figures above leave them out.`,
  };
}
