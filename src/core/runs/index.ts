import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics';
import type { LogFormat, MetricPoint, MetricRole, MetricUnit, Run, RunHyper, RunStatus, Series, StatusRule } from './types';
import { SeriesColumns } from './seriesStore';
import { emptyResult, isLossRole, metricRole, type NonFiniteEvent, type ReadResult } from './common';
import { CsvReader } from './csv';
import { parseTrainerState, type TrainerStateInfo } from './hfTrainerState';
import { JsonlReader } from './jsonl';
import type { MetricColumn } from './metricColumns';
import { startParallelRead, type JsonlThreadOptions, type ParallelJsonlRead } from './jsonlParallel';
import { isTailError, readWhole, type BinaryTail, type FileTail, type OverlongLine, type TailError } from './tail';
import { keepOfKind, overlongDiagnostic, suppressedDiagnostic } from './limits';
import { announceResume, isCleanColumn, placePoint, StepReport, type PointSink, type SeriesOrder } from './stepOrder';
import { appendAll, medianGap } from '../../shared/arrays';
import { TfEventsReader } from './tfevents';
import { flattenParams, hyperFromParams, readParamsYaml, type HyperReading } from './hparams';
import { mlflowPath, readMlflowMeta, readMlflowParams, type MlflowMetricReader, type MlflowRunMeta } from './mlflow';
import { TextLogReader } from './textLog';
import { TextLogFacts } from './textLogFacts';
import { compileUserPatterns, type UserPattern } from './textLogPatterns';
import { WandbLogReader, type WandbFileKind, type WandbHistoryReader } from './wandb';
import type { DvcliveTsvReader } from './dvclive';
import { detectLogFormat, logFormat, LOG_FORMATS } from './formats/registry';
import { CHECKPOINT_DIR, placeByFolder } from './formats/place';
import { metricChoices, seriesPreference } from './vocabulary';
import { oneSeriesPerLoss } from './oneJob';
import type { FormatContext } from './formats/types';

export { detectLogFormat };

/** The texts of the files beside a run's logs that describe it (absent when missing). */
export interface RunSidecars {
  config?: { path: string; text: string };
  trainingArgs?: { path: string; text: string };
}

/** What a config reader derives from a run's sidecar files: size, tokens, schedule, family. */
export interface RunFacts {
  hyper: Omit<RunHyper, 'notes'>;
  notes: string[];
  diagnostics: Diagnostic[];
}

/**
 * Turns a run's `config.json` and `training_args.json` into facts. The index holds no config rules
 * of its own: the engine wires this to the same reader that sizes planned configs, so a run's D and
 * a plan's D are counted alike.
 */
export type DescribeRun = (sidecars: RunSidecars) => RunFacts | undefined;

export interface RunIndexOptions {
  describeRun?: DescribeRun;
  /** Most diagnostics kept per file (default 200); the rest are counted. */
  maxDiagnosticsPerFile?: number;
  /** The parallel first read of large JSONL logs (jsonlParallel.ts); `byteChunk` sets the tail's reads (tests). */
  jsonlThreads?: JsonlThreadOptions & { byteChunk?: number };
}

const HYPER_FILES = ['config.json', 'training_args.json'] as const;
/** Free-form hyperparameter files that logging frameworks write beside their logs (Lightning CSV and TensorBoard loggers). */
const NATIVE_HYPER_FILES = ['hparams.yaml'] as const;
/** Batches at least this large reserve their series' room up front (see SeriesColumns.reserve). */
const RESERVE_BATCH_POINTS = 4096;
const ROLE_ORDER: Record<MetricRole, number> = { train_loss: 0, eval_loss: 1, lr: 2, tokens: 3, other: 4 };

interface StoredSeries {
  role: MetricRole;
  /** Steps and values, handed to built Runs as views without a copy (see seriesStore.ts). */
  cols: SeriesColumns;
  unit?: MetricUnit;
  /** A step back held for its verdict, a resume announced (stepOrder.ts). */
  order: SeriesOrder;
}

/** SeriesColumns as stepOrder's sink. */
function sinkOf(cols: SeriesColumns): PointSink {
  return { lastStep: () => cols.lastStep(), put: (step, value) => cols.put(step, value), countFrom: (step) => cols.length - cols.lowerBound(step) };
}

interface FileState {
  abs: string;
  format: LogFormat;
  runKey: string;
  /** For `checkpoint-<n>/trainer_state.json`: n. */
  checkpoint?: number;
  /** RunPlace.metricPrefix: put before this file's metric names in the run. */
  metricPrefix?: string;
  tail?: FileTail;
  reader?: JsonlReader | CsvReader | MlflowMetricReader | TextLogReader | WandbHistoryReader | DvcliveTsvReader;
  /** Binary formats: the byte tail and the record decoder. */
  binTail?: BinaryTail;
  events?: TfEventsReader | WandbLogReader;
  /** trainer_state.json: a whole document with run-level facts (readTrainerState). */
  trainerStateDoc?: boolean;
  /** Text logs: run facts their preamble states (Megatron arguments, torchtitan's sizes). */
  textFacts?: TextLogFacts;
  /** Whole-document formats read again when they change (W&B summary, DVCLive metrics.json, Megatron golden values). */
  parseWhole?: (text: string) => ReadResult;
  /** W&B files: which one (the summary only counts for a run without history). */
  wandbKind?: WandbFileKind;
  wholeFingerprint?: string;
  series: Map<string, StoredSeries>;
  /** Points from a not yet newline-terminated last line; replaced on every read. */
  provisional: MetricPoint[];
  /** First non-finite value per loss metric (cleared when a restart rolls back past it). */
  nonFinite: Map<string, NonFiniteEvent>;
  diagnostics: Diagnostic[];
  suppressed: number;
  /** Diagnostics seen per problem kind (limits.ts): a few of each are kept, the rest counted. */
  kinds?: Map<string, number>;
  trainerState?: TrainerStateInfo;
  /** Order of the last change, so the most recently written file wins step conflicts in a merged run. */
  seq: number;
  /** Event files: wall time of the first event, which orders the files of one run (a restart writes a new file). */
  wallStart?: number;
}

interface HyperSource {
  path: string;
  fingerprint: string;
  text: string;
}

interface RunState {
  key: string;
  id: string;
  dir: string;
  /** The workspace root the run was found under, and the run's path relative to it (posix). */
  root: string;
  rel: string;
  files: Set<string>;
  hyperSources: Map<string, HyperSource>;
  /** Problems reading config.json / training_args.json (replaced on every refresh). */
  readDiagnostics: Diagnostic[];
  /** Facts from the describeRun hook (replaced whenever a sidecar file changes). */
  facts?: RunFacts;
  describeDiagnostics: Diagnostic[];
  /** Hyperparameters the logging framework stored beside the logs (Lightning hparams.yaml, …), by file. */
  native: Map<string, { fingerprint: string; reading: HyperReading; params?: ReadonlyMap<string, unknown> }>;
  /** The logged hyperparameters of loggedParams(), with the fingerprints of the files they came from. */
  paramsMemo?: { key: string; params: Map<string, unknown> };
  /** MLflow: the run's meta.yaml (name, status, deleted) and params signature. */
  mlflow?: { metaFingerprint?: string; meta?: MlflowRunMeta };
  cached?: Run;
}

function posix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * The trainer_state.json name of a metric the HF Trainer's TensorBoard callback logged
 * (`rewrite_logs` in transformers/integrations/integration_utils.py: `eval_x` → `eval/x`,
 * `test_x` → `test/x`, anything else `x` → `train/x`), so both files feed one series.
 */
export function hfTrainerStateName(tag: string): string {
  if (tag.startsWith('train/')) return tag.slice('train/'.length);
  if (tag.startsWith('eval/')) return `eval_${tag.slice('eval/'.length)}`;
  if (tag.startsWith('test/')) return `test_${tag.slice('test/'.length)}`;
  return tag;
}

/**
 * The run index: turns log files into `Run` records, incrementally. Used by the ingest worker and the CLI.
 * Never throws from `update`; a broken file yields diagnostics on its run and never hides other runs.
 */
export class RunIndex {
  private readonly filesByPath = new Map<string, FileState>();
  private readonly runsByKey = new Map<string, RunState>();
  /** The same runs by id: `locate`, `run` and new ids look runs up by id once per run (10,000 runs: no quadratic scans). */
  private readonly runsById = new Map<string, RunState>();
  private seq = 0;
  private readonly maxDiagnostics: number;
  /** Line files judged not to be training logs, with why; judged again on each update. */
  private readonly ignored = new Map<string, string>();
  /** `train/` event folders placed as their parent's run because the parent held no other run then. */
  private readonly loneTrainDirs = new Set<string>();

  /** Compiled `scalingLens.textLog.patterns`, and what was wrong with the rejected ones. */
  private textPatterns: UserPattern[] = [];
  private textPatternDiagnostics: Diagnostic[] = [];
  /** Ignored text files whose whole sniffed head held no metric line (valid while they stay in `ignored`). */
  private readonly textJudgedOnFullHead = new Set<string>();

  constructor(private readonly options: RunIndexOptions = {}) {
    this.maxDiagnostics = options.maxDiagnosticsPerFile ?? 200;
  }

  /**
   * The user's line patterns for plain-text logs (the `scalingLens.textLog.patterns` setting). They
   * apply to text logs read from now on; the caller rescans to re-read the ones already read.
   */
  setTextLogPatterns(sources: unknown): void {
    const compiled = compileUserPatterns(sources);
    this.textPatterns = compiled.patterns;
    this.textPatternDiagnostics = compiled.diagnostics;
    this.textJudgedOnFullHead.clear();
  }

  /**
   * Read what changed in `absPath` (appended bytes for line formats, the whole document for trainer_state)
   * found under workspace root `root`. A sibling `config.json`/`training_args.json` refreshes its run's hyperparameters.
   * Returns the ids of the runs that may have changed.
   */
  update(absPath: string, root: string): string[] {
    let abs = path.resolve(absPath);
    const format = detectLogFormat(abs);
    const module = format === undefined ? undefined : logFormat(format);
    if (module?.canonicalPath !== undefined) abs = module.canonicalPath(abs);
    if (format === undefined || module === undefined) {
      const base = path.basename(abs);
      const loggerRun = this.loggerRunOfSidecar(abs);
      if (loggerRun !== undefined) {
        this.refreshHyper(loggerRun);
        return [loggerRun.id];
      }
      if (!(HYPER_FILES as readonly string[]).includes(base) && !(NATIVE_HYPER_FILES as readonly string[]).includes(base)) return [];
      const run = this.runsByKey.get(path.dirname(abs)) ?? this.runForCheckpointSibling(abs);
      if (run === undefined) return [];
      this.refreshHyper(run);
      return [run.id];
    }
    let state = this.filesByPath.get(abs);
    try {
      if (state === undefined && module.skip !== undefined) {
        // Content sniffed before a file is read (data sets named *.jsonl, an application's *.log, deleted MLflow runs).
        const skip = module.skip(abs, this.formatContext(abs));
        if (skip !== undefined) {
          this.ignored.set(abs, skip);
          return [];
        }
        this.ignored.delete(abs);
      }
      if (state === undefined) state = this.addFile(abs, path.resolve(root), format);
      const run = this.runsByKey.get(state.runKey);
      if (state.trainerStateDoc) this.readTrainerState(state);
      else if (state.events !== undefined) this.readEvents(state);
      else if (state.parseWhole !== undefined) this.readWholeDoc(state);
      else this.readLines(state);
      if (!this.filesByPath.has(abs)) return run ? [run.id] : [];
      if (run !== undefined) {
        this.refreshHyper(run);
        run.cached = undefined;
        return [run.id];
      }
      return [];
    } catch (e) {
      // Defensive: readers never throw, but a bug must not take the index down.
      if (state !== undefined) {
        this.addDiagnostics(state, [{ file: abs, severity: 'error', message: `internal error while reading: ${e instanceof Error ? e.message : String(e)}` }]);
        const run = this.runsByKey.get(state.runKey);
        if (run) run.cached = undefined;
        return run ? [run.id] : [];
      }
      return [];
    }
  }

  /** What a format module may see of the index while it judges or opens `abs`. */
  private formatContext(abs: string): FormatContext {
    return { textPatterns: this.textPatterns, previousSkip: this.ignored.get(abs), judgedOnFullHead: this.textJudgedOnFullHead };
  }

  /** Forget a log file, or every log file under a directory. Returns the ids of the runs affected. */
  remove(absPath: string): string[] {
    const abs = path.resolve(absPath);
    const under = (file: string) => file === abs || file.startsWith(abs + path.sep);
    for (const file of [...this.ignored.keys()]) if (under(file)) this.ignored.delete(file);
    // Kept per path like `ignored`: a workspace whose files come and go kept every path it ever judged.
    for (const file of [...this.textJudgedOnFullHead]) if (under(file)) this.textJudgedOnFullHead.delete(file);
    for (const dir of [...this.loneTrainDirs]) if (under(dir)) this.loneTrainDirs.delete(dir);
    const targets = this.filesByPath.has(abs) ? [abs] : [...this.filesByPath.keys()].filter((f) => f.startsWith(abs + path.sep));
    const ids = new Set<string>();
    for (const f of targets) {
      const state = this.filesByPath.get(f);
      if (state === undefined) continue;
      this.filesByPath.delete(f);
      const run = this.runsByKey.get(state.runKey);
      if (run === undefined) continue;
      ids.add(run.id);
      run.files.delete(f);
      run.cached = undefined;
      if (run.files.size === 0) this.forgetRun(run);
    }
    return [...ids];
  }

  /** Forget everything. */
  clear(): void {
    this.filesByPath.clear();
    this.runsByKey.clear();
    this.runsById.clear();
    this.ignored.clear();
    this.loneTrainDirs.clear();
    this.textJudgedOnFullHead.clear();
  }

  /** All runs, sorted by id; each run's series are sorted by step with unique steps. */
  runs(): Run[] {
    const out: Run[] = [];
    for (const run of this.runsByKey.values()) {
      if (run.cached === undefined) run.cached = this.buildRun(run);
      out.push(run.cached);
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** One run by id. */
  run(id: string): Run | undefined {
    const run = this.runById(id);
    if (run === undefined) return undefined;
    if (run.cached === undefined) run.cached = this.buildRun(run);
    return run.cached;
  }

  /** Every diagnostic of every file and run. */
  diagnostics(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const run of this.runs()) appendAll(out, run.diagnostics);
    for (const [file, reason] of this.ignored) out.push({ file, severity: 'info', message: reason });
    appendAll(out, this.textPatternDiagnostics);
    return out;
  }

  // ---- files -------------------------------------------------------------------------------------

  private addFile(abs: string, root: string, format: LogFormat): FileState {
    const module = logFormat(format);
    const place = module.place?.(abs, root) ?? placeByFolder(abs, root);
    const { runDir, runKey, checkpoint, metricPrefix } = place;
    const state: FileState = {
      abs,
      format,
      runKey,
      checkpoint,
      metricPrefix,
      series: new Map(),
      provisional: [],
      nonFinite: new Map(),
      diagnostics: [],
      suppressed: 0,
      seq: 0,
    };
    const reading = module.open(abs, place, this.formatContext(abs));
    if (reading.kind === 'lines') {
      state.tail = reading.tail;
      state.reader = reading.reader;
    } else if (reading.kind === 'events') {
      state.binTail = reading.binTail;
      state.events = reading.events;
    } else if (reading.kind === 'whole') state.parseWhole = reading.parse;
    else if (reading.kind === 'trainer-state') state.trainerStateDoc = true;
    state.wandbKind = module.wandbKind?.(abs);
    this.filesByPath.set(abs, state);
    this.attach(state, runKey, runDir, root);
    if (reading.kind === 'trainer-state') this.adoptHfEvents(runDir, runKey);
    else if (format === 'tfevents' && metricPrefix !== undefined) this.adoptTrainHalf(runDir, runKey);
    else if (format === 'tfevents') this.replaceLoneTrainHalves(abs, runKey);
    return state;
  }

  /** Put a file into the run keyed `runKey`, creating the run (with an id unique across roots) if needed. */
  private attach(state: FileState, runKey: string, runDir: string, root: string): RunState {
    state.runKey = runKey;
    let run = this.runsByKey.get(runKey);
    if (run === undefined) {
      const relPath = path.relative(root, runKey);
      const rel = posix(relPath === '' ? path.basename(runKey) : relPath);
      run = {
        key: runKey,
        id: this.uniqueId(rel, root),
        dir: runDir,
        root,
        rel,
        files: new Set(),
        hyperSources: new Map(),
        readDiagnostics: [],
        describeDiagnostics: [],
        native: new Map(),
      };
      this.runsByKey.set(runKey, run);
      this.runsById.set(run.id, run);
    }
    run.files.add(state.abs);
    return run;
  }

  /**
   * A run's id is its path relative to its workspace root. Two roots of a multi-root workspace can
   * hold the same relative path: the later one is prefixed with its root folder's name (and a
   * counter if even that is taken), so ids never collide and stay stable across rescans.
   */
  private uniqueId(rel: string, root: string): string {
    const taken = (id: string) => this.runById(id) !== undefined;
    if (!taken(rel)) return rel;
    const base = `${path.basename(root)}:${rel}`;
    let id = base;
    for (let n = 2; taken(id); n++) id = `${base}#${n}`;
    return id;
  }

  /**
   * A trainer_state.json appeared in `outputDir`: event files already read under `outputDir/runs/*`
   * (the HF Trainer's default logging_dir) were taken for runs of their own; move them into this run.
   */
  private adoptHfEvents(outputDir: string, runKey: string): void {
    for (const state of this.filesByPath.values()) {
      if (state.format !== 'tfevents' || state.runKey === runKey) continue;
      const dir = path.dirname(state.abs);
      if (dir !== outputDir && path.dirname(dir) !== path.join(outputDir, 'runs')) continue;
      this.moveFile(state, runKey, outputDir);
    }
  }

  /**
   * An evaluation folder appeared beside `runDir/train/`: a `train/` read earlier among other runs was
   * placed as a run of its own (Keras writes `validation/` only at the first epoch's end); move its
   * files, with the points read so far, into this run so train and eval loss are one run.
   */
  private adoptTrainHalf(runDir: string, runKey: string): void {
    const trainDir = path.join(runDir, 'train');
    for (const state of this.filesByPath.values()) {
      if (state.format !== 'tfevents' || state.runKey === runKey || path.dirname(state.abs) !== trainDir) continue;
      this.moveFile(state, runKey, runDir);
    }
  }

  /**
   * An event file appeared at `abs`: a lone `train/` read earlier as its parent's run (the parent
   * held no other run then) is a run of its own once the parent holds another (event files of its
   * own, or in a folder up to two levels below it), as a fresh scan places it; its files move, with
   * the points read so far, so two runs' points are never mixed under the parent's name.
   */
  private replaceLoneTrainHalves(abs: string, runKey: string): void {
    const dir = path.dirname(abs);
    if (path.basename(dir) === 'train' && runKey === path.dirname(dir)) this.loneTrainDirs.add(dir);
    if (this.loneTrainDirs.size === 0) return;
    const module = logFormat('tfevents');
    // The parents whose other runs this file can be: its folder, and the two above it.
    for (let parent = dir, up = 0; up < 3; parent = path.dirname(parent), up++) {
      const trainDir = path.join(parent, 'train');
      if (trainDir === dir || !this.loneTrainDirs.has(trainDir)) continue;
      let stillLone = false;
      for (const state of [...this.filesByPath.values()]) {
        if (state.format !== 'tfevents' || path.dirname(state.abs) !== trainDir) continue;
        const root = this.runsByKey.get(state.runKey)?.root ?? parent;
        const place = module.place?.(state.abs, root);
        if (place === undefined || place.runKey === state.runKey) {
          stillLone ||= state.runKey === parent;
          continue;
        }
        this.moveFile(state, place.runKey, place.runDir);
      }
      if (!stillLone) this.loneTrainDirs.delete(trainDir);
    }
  }

  /** Move a file (and the points read from it) from its run to the run keyed `runKey`. */
  private moveFile(state: FileState, runKey: string, runDir: string): void {
    const old = this.runsByKey.get(state.runKey);
    const root = old?.root ?? runDir;
    if (old !== undefined) {
      old.files.delete(state.abs);
      old.cached = undefined;
      if (old.files.size === 0) this.forgetRun(old);
    }
    const run = this.attach(state, runKey, runDir, root);
    run.cached = undefined;
  }

  /** Where a run found by id lives: its workspace root and its path relative to that root (posix). */
  locate(id: string): { root: string; rel: string } | undefined {
    const run = this.runById(id);
    return run && { root: run.root, rel: run.rel };
  }

  private runById(id: string): RunState | undefined {
    return this.runsById.get(id);
  }

  private forgetRun(run: RunState): void {
    this.runsByKey.delete(run.key);
    if (this.runsById.get(run.id) === run) this.runsById.delete(run.id);
  }

  /**
   * The hyperparameters a run's logger stored, flattened to `a/b` keys: Lightning's hparams.yaml,
   * the W&B config, MLflow params, DVCLive params.yaml, and an HF run's config.json and
   * training_args.json (first file wins a key). Family guesses compare them. Undefined when the run
   * has none or is unknown.
   */
  loggedParams(id: string): ReadonlyMap<string, unknown> | undefined {
    const run = this.runById(id);
    if (run === undefined) return undefined;
    const key = [...[...run.native].map(([p, n]) => `${p}:${n.fingerprint}`), ...[...run.hyperSources.values()].map((h) => `${h.path}:${h.fingerprint}`)].join(
      '|',
    );
    if (run.paramsMemo?.key === key) return run.paramsMemo.params.size > 0 ? run.paramsMemo.params : undefined;
    const params = new Map<string, unknown>();
    for (const n of run.native.values()) for (const [k, v] of n.params ?? []) if (!params.has(k)) params.set(k, v);
    for (const h of run.hyperSources.values()) {
      let js: unknown;
      try {
        js = JSON.parse(h.text);
      } catch {
        continue; // the config reader reports a broken file
      }
      if (js === null || typeof js !== 'object' || Array.isArray(js)) continue;
      for (const [k, v] of flattenParams(js as Record<string, unknown>)) if (!params.has(k)) params.set(k, v);
    }
    run.paramsMemo = { key, params };
    return params.size > 0 ? params : undefined;
  }

  private clearFile(state: FileState): void {
    state.series.clear();
    state.provisional = [];
    state.nonFinite.clear();
    state.diagnostics = [];
    state.suppressed = 0;
    state.kinds = undefined;
    state.trainerState = undefined;
  }

  /**
   * A tail's read, before its content is used (readLines, readJsonlBytes, readEvents): the file gone
   * removes its run and another error is a diagnostic (false: stop reading); a rewritten file first
   * drops everything read from it before (true: use the read).
   */
  private acceptRead<R extends { rewritten: boolean }>(state: FileState, reader: { reset(): void }, r: R | TailError): r is R {
    if (isTailError(r)) {
      if (r.code === 'ENOENT' || r.code === 'ENOTDIR') this.remove(state.abs);
      else this.addDiagnostics(state, [{ file: state.abs, severity: 'error', message: `cannot read: ${r.error}` }]);
      return false;
    }
    if (r.rewritten) {
      this.clearFile(state);
      reader.reset();
      this.noteRewritten(state);
    }
    const overlong = (r as { overlong?: OverlongLine[] }).overlong;
    if (overlong !== undefined)
      this.addDiagnostics(
        state,
        overlong.map((o) => overlongDiagnostic(state.abs, o)),
      );
    return true;
  }

  private readLines(state: FileState): void {
    const tail = state.tail;
    const reader = state.reader;
    if (tail === undefined || reader === undefined) return;
    if (reader instanceof JsonlReader) {
      this.readJsonlBytes(state, tail, reader);
      return;
    }
    if (reader instanceof CsvReader) {
      this.readCsvColumns(state, tail, reader);
      return;
    }
    for (let guard = 0; guard < 1_000_000; guard++) {
      const r = tail.read();
      if (!this.acceptRead(state, reader, r)) return;
      if (reader instanceof TextLogReader) {
        state.textFacts ??= new TextLogFacts();
        if (r.rewritten) state.textFacts.reset();
        state.textFacts.push(r.lines);
      }
      const res: ReadResult & { replace?: boolean } = reader.push(r.lines, r.firstLineNumber);
      if (res.replace) {
        state.series.clear();
        state.nonFinite.clear();
      }
      this.applyResult(state, res);
      state.provisional = r.partial ? reader.peek(r.partial.text, r.partial.lineNumber) : [];
      if (r.rewritten || res.points.length > 0 || res.diagnostics.length > 0 || state.provisional.length > 0) state.seq = ++this.seq;
      if (!r.more) return;
    }
  }

  private readEvents(state: FileState): void {
    const tail = state.binTail;
    const reader = state.events;
    if (tail === undefined || reader === undefined) return;
    if (reader instanceof TfEventsReader) {
      this.readEventColumns(state, tail, reader);
      return;
    }
    for (let guard = 0; guard < 1_000_000; guard++) {
      const r = tail.read();
      if (!this.acceptRead(state, reader, r)) return;
      const res = reader.push(r.bytes, r.offset);
      tail.hold(res.consumed);
      this.applyResult(state, res);
      state.wallStart = reader.firstWallTime;
      if (r.rewritten || res.points.length > 0 || res.diagnostics.length > 0) state.seq = ++this.seq;
      if (!r.more) return;
    }
  }

  /** Event files' path: records decoded in the bytes, points stored from columns (as readJsonlBytes). */
  private readEventColumns(state: FileState, tail: BinaryTail, reader: TfEventsReader): void {
    let reserved = false;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const r = tail.read();
      if (!this.acceptRead(state, reader, r)) return;
      let from = 0;
      let changed = r.rewritten;
      // As readJsonlChunks: the first read of a file from its start sizes each series for the whole file.
      const scale = r.offset === 0 && r.more && r.bytes.length > 0 ? r.fileBytes / r.bytes.length : 1;
      reserved ||= scale > 1;
      // One call per stretch between SessionLog restarts: its columns, then the restart.
      for (;;) {
        const res = reader.pushColumns(r.bytes, r.offset, from);
        this.applyResult(state, res);
        if (this.applyColumns(state, res.columns, scale) > 0) changed = true;
        if (res.diagnostics.length > 0) changed = true;
        from = res.consumed;
        if (res.restartAfter === undefined) break;
        this.applyResult(state, { ...emptyResult(), restarts: [{ beforePoint: 0, step: res.restartAfter }] });
      }
      tail.hold(from);
      state.wallStart = reader.firstWallTime;
      if (changed) state.seq = ++this.seq;
      if (!r.more) {
        if (reserved) for (const s of state.series.values()) s.cols.trim();
        return;
      }
    }
  }

  // ---- W&B, DVCLive, Megatron golden values (readers in wandb.ts, dvclive.ts, golden.ts) -----------

  /** Re-read a whole-document log (W&B summary, DVCLive metrics.json, golden values) when it changed. */
  private readWholeDoc(state: FileState): void {
    const parse = state.parseWhole;
    if (parse === undefined) return;
    const w = readWhole(state.abs, state.wholeFingerprint, 64 * 1024 * 1024);
    if (w.status === 'unchanged') return;
    if (w.status === 'missing') {
      this.remove(state.abs);
      return;
    }
    this.clearFile(state);
    state.seq = ++this.seq;
    if (w.status === 'error') {
      state.wholeFingerprint = undefined;
      this.addDiagnostics(state, [{ file: state.abs, severity: 'error', message: `cannot read: ${w.error}` }]);
      return;
    }
    state.wholeFingerprint = w.fingerprint;
    this.applyResult(state, parse(w.text));
  }

  /** The W&B or DVCLive run a changed `config.yaml` / `params.yaml` describes, if one is known. */
  private loggerRunOfSidecar(abs: string): RunState | undefined {
    const base = path.basename(abs);
    for (const module of LOG_FORMATS) {
      const params = module.params;
      if (params === undefined || !params.names.includes(base)) continue;
      const run = this.runsByKey.get(params.runKeyOf(abs));
      if (run !== undefined && [...run.files].some((f) => this.filesByPath.get(f)?.format === module.id)) return run;
    }
    return undefined;
  }

  /**
   * W&B runs: `files/config.yaml` (or an old client's `config.yaml`), `{desc, value}` unwrapped, else
   * the config the `.wandb` log itself holds; DVCLive runs: `params.yaml`. True when anything changed.
   */
  private refreshLoggerParams(run: RunState): boolean {
    const states = [...run.files].map((f) => this.filesByPath.get(f)).filter((s): s is FileState => s !== undefined);
    const sidecar = LOG_FORMATS.find((m) => m.params !== undefined && states.some((s) => s.format === m.id))?.params;
    if (sidecar === undefined) return false;
    const candidates = sidecar.files(run.dir);
    let changed = false;
    let found = false;
    for (const p of candidates) {
      const prev = run.native.get(p);
      const w = found ? ({ status: 'missing' } as const) : readWhole(p, prev?.fingerprint, 4 * 1024 * 1024);
      if (w.status === 'missing') {
        if (run.native.delete(p)) changed = true;
        continue;
      }
      found = true;
      if (w.status === 'unchanged') continue;
      changed = true;
      if (w.status === 'error') {
        run.native.set(p, {
          fingerprint: '',
          reading: { hyper: {}, notes: [], diagnostics: [{ file: p, severity: 'warning', message: `cannot read: ${w.error}` }] },
        });
        continue;
      }
      const { params, diagnostics } = sidecar.read(w.text, p);
      const { hyper, notes } = hyperFromParams(params, sidecar.label);
      run.native.set(p, { fingerprint: w.fingerprint, reading: { hyper, notes, diagnostics }, params });
    }
    for (const s of states) {
      if (!(s.events instanceof WandbLogReader)) continue;
      const config = s.events.info.config;
      const signature = found || config.size === 0 ? '' : `${s.events.records}:${config.size}`;
      if (signature === '') {
        if (run.native.delete(s.abs)) changed = true;
      } else if (run.native.get(s.abs)?.fingerprint !== signature) {
        const { hyper, notes } = hyperFromParams(config, 'the W&B log config');
        run.native.set(s.abs, { fingerprint: signature, reading: { hyper, notes, diagnostics: [] }, params: new Map(config) });
        changed = true;
      }
    }
    return changed;
  }

  private readTrainerState(state: FileState): void {
    const w = readWhole(state.abs, state.wholeFingerprint);
    if (w.status === 'unchanged') return;
    if (w.status === 'missing') {
      this.remove(state.abs);
      return;
    }
    if (w.status === 'error') {
      this.clearFile(state);
      state.wholeFingerprint = undefined;
      this.addDiagnostics(state, [{ file: state.abs, severity: 'error', message: `cannot read: ${w.error}` }]);
      return;
    }
    this.clearFile(state);
    state.wholeFingerprint = w.fingerprint;
    const res = parseTrainerState(w.text, state.abs);
    state.trainerState = res.info;
    this.applyResult(state, res);
    state.seq = ++this.seq;
  }

  /** Says why a run's points went back: its log was truncated or replaced while being read. */
  private noteRewritten(state: FileState): void {
    this.addDiagnostics(state, [{ file: state.abs, severity: 'info', message: 'the file was truncated or rewritten; read again from the start' }]);
  }

  private addDiagnostics(state: FileState, diags: Diagnostic[]): void {
    for (const d of diags) {
      if (keepOfKind((state.kinds ??= new Map()), d) && state.diagnostics.length < this.maxDiagnostics) state.diagnostics.push(d);
      else state.suppressed++;
    }
  }

  /** The stored series of a point's metric, created with that point's role and unit. */
  private storedSeries(state: FileState, first: MetricPoint): StoredSeries {
    let s = state.series.get(first.metric);
    if (s === undefined) {
      s = { role: first.role ?? metricRole(first.metric), cols: new SeriesColumns(), order: {} };
      if (first.unit !== undefined) s.unit = first.unit;
      state.series.set(first.metric, s);
    }
    return s;
  }

  /** Store points: a step at or before the metric's last step is a restart — drop stored points from it on, then append. */
  private applyResult(state: FileState, res: ReadResult): void {
    this.addDiagnostics(state, res.diagnostics);
    for (const ev of res.nonFinite) {
      if (isLossRole(ev.role)) {
        const prev = state.nonFinite.get(ev.metric);
        if (prev === undefined || ev.step < prev.step) state.nonFinite.set(ev.metric, ev);
      }
    }
    // A large batch (a whole file's first read): size each series' buffers for it in one go.
    if (res.points.length >= RESERVE_BATCH_POINTS) {
      const counts = new Map<string, { first: MetricPoint; count: number }>();
      for (const p of res.points) {
        const c = counts.get(p.metric);
        if (c === undefined) counts.set(p.metric, { first: p, count: 1 });
        else c.count++;
      }
      for (const { first, count } of counts.values()) this.storedSeries(state, first).cols.reserve(count);
    }
    const restarts = res.restarts ?? [];
    let r = 0;
    const restartAt = (step: number): void => {
      for (const stored of state.series.values()) {
        stored.cols.truncateFrom(step);
        // What a restart orphans includes a step back held for its verdict.
        if (stored.order.held !== undefined && stored.order.held.step >= step) stored.order.held = undefined;
      }
      for (const [metric, nf] of state.nonFinite) if (nf.step >= step) state.nonFinite.delete(metric);
    };
    const resumes = res.resumes ?? [];
    let a = 0;
    // Steps that go back: dropped (negative), held, a rewind or a stray, each told (stepOrder.ts).
    let reports: Map<string, StepReport> | undefined;
    const reportOf = (metric: string): StepReport => {
      reports ??= new Map();
      let rep = reports.get(metric);
      if (rep === undefined) reports.set(metric, (rep = new StepReport()));
      return rep;
    };
    for (let pi = 0; pi < res.points.length; pi++) {
      while (r < restarts.length && restarts[r].beforePoint <= pi) restartAt(restarts[r++].step);
      while (a < resumes.length && resumes[a].beforePoint <= pi)
        announceResume(
          Array.from(state.series.values(), (x) => x.order),
          resumes[a++].line,
        );
      const p = res.points[pi];
      const s = state.series.get(p.metric) ?? this.storedSeries(state, p);
      // A reader that sets a loss-named metric aside partway (Lightning's running-mean `loss` once a
      // per-step train loss shows beside it) means the whole series: it keeps no earlier loss role.
      if (p.role === 'other' && s.role !== 'other' && isLossRole(s.role)) s.role = 'other';
      let rewoundFrom: number;
      if (p.step > s.cols.lastStep() && s.order.held === undefined && s.order.announced === undefined) {
        s.cols.put(p.step, p.value);
        rewoundFrom = Infinity;
      } else rewoundFrom = placePoint(s.order, sinkOf(s.cols), p.step, p.value, p, reportOf(p.metric));
      if (rewoundFrom !== Infinity) {
        const nf = state.nonFinite.get(p.metric);
        if (nf !== undefined && nf.step >= rewoundFrom) state.nonFinite.delete(p.metric);
      }
    }
    while (r < restarts.length) restartAt(restarts[r++].step);
    while (a < resumes.length)
      announceResume(
        Array.from(state.series.values(), (x) => x.order),
        resumes[a++].line,
      );
    if (reports !== undefined) for (const [metric, rep] of reports) this.addDiagnostics(state, rep.diagnostics(state.abs, metric));
  }

  /** JSONL's fast path (readLines' loop on bytes): lines parsed where they were read, points stored from columns. */
  private readJsonlBytes(state: FileState, tail: FileTail, reader: JsonlReader): void {
    const parallel = tail.position === 0 ? this.parallelRead(state.abs, tail) : undefined;
    try {
      this.readJsonlChunks(state, tail, reader, parallel);
    } finally {
      parallel?.close();
    }
  }

  /** A first read of a large log parsed by several threads (jsonlParallel.ts), when it pays. */
  private parallelRead(abs: string, tail: FileTail): ParallelJsonlRead | undefined {
    const options = this.options.jsonlThreads;
    if (options?.byteChunk !== undefined) tail.byteChunk = options.byteChunk;
    return startParallelRead(abs, tail.byteReadLimit, options);
  }

  private readJsonlChunks(state: FileState, tail: FileTail, reader: JsonlReader, parallel: ParallelJsonlRead | undefined): void {
    let reserved = false;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const r = tail.readBytes();
      if (!this.acceptRead(state, reader, r)) return;
      const res = parallel?.take(r, tail.position) ?? reader.pushBytes(r.bytes, r.end, r.firstLineNumber);
      tail.linesRead(res.lineCount);
      this.applyResult(state, res);
      // The first chunk of a file read from its start: each series' room for the whole file at once
      // (its points in this chunk scaled by the file's bytes), where growing it chunk by chunk copies
      // it again at each doubling and leaves up to half of the last buffer unused.
      const scale = r.start === 0 && r.more && r.end > 0 ? r.fileBytes / r.end : 1;
      reserved ||= scale > 1;
      const points = this.applyColumns(state, res.columns, scale);
      state.provisional = r.partial !== undefined ? reader.peek(r.partial, r.firstLineNumber + res.lineCount) : [];
      if (r.rewritten || points > 0 || res.diagnostics.length > 0 || state.provisional.length > 0) state.seq = ++this.seq;
      if (!r.more) {
        // That room was a guess from the first chunk: a metric logged only early in the file got room
        // for the whole file, and one undercounted there doubled later. Held for the run's life, so
        // each series gives back what it did not fill (one copy of the series that overshot).
        if (reserved) for (const s of state.series.values()) s.cols.trim();
        return;
      }
    }
  }

  /** CSV's path: readLines' loop with the rows read into columns (csv.ts `pushColumns`), stored as JSONL's are. */
  private readCsvColumns(state: FileState, tail: FileTail, reader: CsvReader): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const r = tail.read();
      if (!this.acceptRead(state, reader, r)) return;
      const res = reader.pushColumns(r.lines, r.firstLineNumber);
      this.applyResult(state, res);
      const points = this.applyColumns(state, res.columns);
      state.provisional = r.partial ? reader.peek(r.partial.text, r.partial.lineNumber) : [];
      if (r.rewritten || points > 0 || res.diagnostics.length > 0 || state.provisional.length > 0) state.seq = ++this.seq;
      if (!r.more) return;
    }
  }

  /**
   * One read's columns stored; returns how many points they hold. `expectedScale`: the points expected
   * in all per point in these columns (a first chunk's share of its file), for the stores' room.
   */
  private applyColumns(state: FileState, columns: readonly MetricColumn[], expectedScale = 1): number {
    let points = 0;
    const told: { at: number; diagnostics: Diagnostic[] }[] = [];
    for (const c of columns) {
      points += c.length;
      const t = this.applyColumn(state, c, expectedScale);
      if (t !== undefined) told.push(t);
    }
    // In the order applyResult's point loop tells them: a metric's at its first point that did not
    // simply append (the sort is stable: metrics at one place keep their column order).
    told.sort((x, y) => x.at - y.at);
    for (const t of told) this.addDiagnostics(state, t.diagnostics);
    return points;
  }

  /**
   * applyResult's point loop for one metric's points in line order (JSONL and CSV readers give no
   * role or unit). Returns its step-order diagnostics and the place (line or offset) of its first
   * point that did not simply append, for applyColumns to tell them in that order.
   */
  private applyColumn(state: FileState, c: MetricColumn, expectedScale: number): { at: number; diagnostics: Diagnostic[] } | undefined {
    let s = state.series.get(c.metric);
    if (s === undefined) {
      s = { role: metricRole(c.metric), cols: new SeriesColumns(), order: {} };
      state.series.set(c.metric, s);
    }
    const cols = s.cols;
    if (c.length >= RESERVE_BATCH_POINTS) cols.reserve(Math.ceil(c.length * expectedScale));
    // As applyResult's loop: a step that rewinds the series also rewinds a non-finite mark at or after it.
    let rewoundFrom: number;
    let told: { at: number; diagnostics: Diagnostic[] } | undefined;
    if (isCleanColumn(s.order, c.steps, c.length, cols.lastStep(), c.rising)) rewoundFrom = cols.putAll(c.steps, c.values, c.length, true);
    else {
      const report = new StepReport();
      const sink = sinkOf(cols);
      rewoundFrom = Infinity;
      let firstOutOfOrder = Infinity;
      for (let i = 0; i < c.length; i++) {
        // applyResult's test for a point it appends without placePoint.
        if (firstOutOfOrder === Infinity && !(c.steps[i] > cols.lastStep() && s.order.held === undefined && s.order.announced === undefined))
          firstOutOfOrder = c.places[i];
        rewoundFrom = Math.min(
          rewoundFrom,
          placePoint(s.order, sink, c.steps[i], c.values[i], c.placeKind === 'line' ? { line: c.places[i] } : { offset: c.places[i] }, report),
        );
      }
      told = { at: firstOutOfOrder, diagnostics: report.diagnostics(state.abs, c.metric) };
    }
    const nf = state.nonFinite.get(c.metric);
    if (nf !== undefined && nf.step >= rewoundFrom) state.nonFinite.delete(c.metric);
    return told;
  }

  // ---- runs --------------------------------------------------------------------------------------

  private runForCheckpointSibling(abs: string): RunState | undefined {
    const dir = path.dirname(abs);
    if (!CHECKPOINT_DIR.test(path.basename(dir))) return undefined;
    const state = this.filesByPath.get(path.join(dir, 'trainer_state.json'));
    return state ? this.runsByKey.get(state.runKey) : undefined;
  }

  /** The files whose series count: line logs, plus the run's own trainer_state.json or else its newest checkpoint's. */
  private contributing(run: RunState): FileState[] {
    const lineFiles: FileState[] = [];
    let own: FileState | undefined;
    let best: FileState | undefined;
    for (const f of run.files) {
      const s = this.filesByPath.get(f);
      if (s === undefined) continue;
      if (s.format !== 'hf-trainer-state') lineFiles.push(s);
      else if (s.checkpoint === undefined) own = s;
      else if (
        best === undefined ||
        this.checkpointRank(s) > this.checkpointRank(best) ||
        (this.checkpointRank(s) === this.checkpointRank(best) && (s.checkpoint ?? 0) > (best.checkpoint ?? 0))
      )
        best = s;
    }
    const ts = own ?? best;
    // HF Trainer stdout without a progress bar numbers its rows 1, 2, … instead of steps: beside the
    // run's trainer_state.json (which holds those rows with their steps) the numbers would land among real steps.
    const logs = withoutShadowedSummaries(lineFiles).filter((s) => !(ts && isRowNumbered(s)));
    return ts ? [ts, ...logs] : logs;
  }

  private checkpointRank(s: FileState): number {
    return s.trainerState?.globalStep ?? s.checkpoint ?? -1;
  }

  private refreshHyper(run: RunState): void {
    const dirs = [run.dir];
    const ts = this.contributing(run).find((s) => s.format === 'hf-trainer-state' && s.checkpoint !== undefined);
    if (ts) dirs.push(path.dirname(ts.abs));
    let changed = false;
    const readDiagnostics: Diagnostic[] = [];
    for (const name of HYPER_FILES) {
      let found = false;
      for (const dir of dirs) {
        const p = path.join(dir, name);
        const prev = run.hyperSources.get(name);
        const w = readWhole(p, prev?.path === p ? prev.fingerprint : undefined, 16 * 1024 * 1024);
        if (w.status === 'missing') continue;
        if (w.status === 'error') {
          readDiagnostics.push({ file: p, severity: 'warning', message: `cannot read: ${w.error}` });
          found = true;
          break;
        }
        found = true;
        if (w.status === 'changed') {
          run.hyperSources.set(name, { path: p, fingerprint: w.fingerprint, text: w.text });
          changed = true;
        }
        break;
      }
      if (!found && run.hyperSources.delete(name)) changed = true;
    }
    this.refreshNative(run);
    if (readDiagnostics.length > 0 || run.readDiagnostics.length > 0) run.cached = undefined;
    run.readDiagnostics = readDiagnostics;
    if (changed) {
      run.cached = undefined;
      this.describe(run);
    }
  }

  /** Re-read the run's native hyperparameter files that changed. */
  private refreshNative(run: RunState): void {
    let changed = false;
    for (const name of NATIVE_HYPER_FILES) {
      const p = path.join(run.dir, name);
      const prev = run.native.get(p);
      const w = readWhole(p, prev?.fingerprint, 4 * 1024 * 1024);
      if (w.status === 'unchanged') continue;
      changed = true;
      if (w.status === 'missing') {
        run.native.delete(p);
        continue;
      }
      if (w.status === 'error') {
        run.native.set(p, {
          fingerprint: '',
          reading: { hyper: {}, notes: [], diagnostics: [{ file: p, severity: 'warning', message: `cannot read: ${w.error}` }] },
        });
        continue;
      }
      const { params, diagnostics } = readParamsYaml(w.text, p);
      const { hyper, notes } = hyperFromParams(params, name);
      run.native.set(p, { fingerprint: w.fingerprint, reading: { hyper, notes, diagnostics }, params });
    }
    if (this.refreshMlflow(run)) changed = true;
    if (this.refreshLoggerParams(run)) changed = true;
    if (this.refreshTextLogFacts(run)) changed = true;
    if (changed) run.cached = undefined;
  }

  /** Text logs: the run facts their preamble states, per file, when they changed; true when anything did. */
  private refreshTextLogFacts(run: RunState): boolean {
    let changed = false;
    for (const [f, { fingerprint }] of run.native) if (fingerprint.startsWith('text-facts:') && !run.files.has(f) && run.native.delete(f)) changed = true;
    for (const f of run.files) {
      const facts = this.filesByPath.get(f)?.textFacts;
      if (facts === undefined) continue;
      const signature = `text-facts:${facts.signature}`;
      if (run.native.get(f)?.fingerprint === signature) continue;
      const reading = facts.reading();
      if (reading === undefined) {
        if (run.native.delete(f)) changed = true;
        continue;
      }
      run.native.set(f, { fingerprint: signature, reading: { hyper: reading.hyper, notes: reading.notes, diagnostics: [] }, params: reading.params });
      changed = true;
    }
    return changed;
  }

  /** MLflow runs: re-read meta.yaml and params/ when they changed; true when anything did. */
  private refreshMlflow(run: RunState): boolean {
    if (mlflowPath(path.join(run.dir, 'meta.yaml'))?.kind !== 'meta') return false;
    let changed = false;
    const metaPath = path.join(run.dir, 'meta.yaml');
    const w = readWhole(metaPath, run.mlflow?.metaFingerprint, 1024 * 1024);
    if (w.status !== 'unchanged') {
      changed = true;
      run.mlflow = w.status === 'changed' ? { metaFingerprint: w.fingerprint, meta: readMlflowMeta(w.text, metaPath) } : {};
    }
    const paramsKey = path.join(run.dir, 'params');
    const { params, signature } = readMlflowParams(run.dir);
    if (run.native.get(paramsKey)?.fingerprint !== signature) {
      changed = true;
      if (params.size === 0) run.native.delete(paramsKey);
      else {
        const { hyper, notes } = hyperFromParams(params, 'MLflow params');
        run.native.set(paramsKey, { fingerprint: signature, reading: { hyper, notes, diagnostics: [] }, params });
      }
    }
    return changed;
  }

  private describe(run: RunState): void {
    run.facts = undefined;
    run.describeDiagnostics = [];
    const config = run.hyperSources.get('config.json');
    const trainingArgs = run.hyperSources.get('training_args.json');
    if ((config === undefined && trainingArgs === undefined) || this.options.describeRun === undefined) return;
    try {
      run.facts = this.options.describeRun({
        config: config && { path: config.path, text: config.text },
        trainingArgs: trainingArgs && { path: trainingArgs.path, text: trainingArgs.text },
      });
    } catch (e) {
      const file = (config ?? trainingArgs)!.path;
      run.describeDiagnostics.push({ file, severity: 'warning', message: `cannot describe the run: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private buildRun(run: RunState): Run {
    const files = this.contributing(run);
    const series = this.mergeSeries(files);
    const diagnostics: Diagnostic[] = [];
    for (const f of run.files) {
      const s = this.filesByPath.get(f);
      if (s !== undefined && isRowNumbered(s) && !files.includes(s)) {
        diagnostics.push({
          file: f,
          severity: 'info',
          message:
            "Hugging Face Trainer stdout without steps (rows numbered 1, 2, …) is not merged into the run: its steps and values come from the run's trainer_state.json",
        });
      }
    }
    for (const f of run.files) {
      const s = this.filesByPath.get(f);
      if (s === undefined) continue;
      appendAll(diagnostics, s.diagnostics);
      if (s.suppressed > 0) diagnostics.push(suppressedDiagnostic(s.abs, s.suppressed, s.kinds ?? new Map()));
    }
    const hyper = this.buildHyper(run, files, series, diagnostics);
    const judged = this.status(files, series, hyper);
    let { status, reason, rule } = judged;
    const mlStatus = run.mlflow?.meta;
    if (status !== 'failed' && mlStatus?.status !== undefined && mlStatus.status !== 'live') {
      status = mlStatus.status;
      reason = `MLflow status ${mlStatus.statusText}`;
      rule = 'loggerStatus';
    }
    const exited = loggedEndStatus(files);
    if (status !== 'failed' && exited !== undefined) ({ status, reason, rule } = exited);
    const ts = files.find((f) => f.format === 'hf-trainer-state');
    const format: LogFormat = ts ? 'hf-trainer-state' : (files[0]?.format ?? 'jsonl');
    const sourceFiles = files.map((f) => f.abs);
    for (const src of run.hyperSources.values()) sourceFiles.push(src.path);
    for (const p of run.native.keys()) if (!sourceFiles.includes(p)) sourceFiles.push(p);
    const meta = run.mlflow?.meta;
    if (meta) appendAll(diagnostics, meta.diagnostics);
    const loggedName = meta?.runName ?? wandbDisplayName(files);
    const name = loggedName !== undefined ? `${runName(run.id)} (${loggedName})` : runName(run.id);
    const result: Run = { id: run.id, name, format, files: sourceFiles, hyper, series, status, diagnostics };
    const choices = metricChoices(series);
    if (choices.length > 0) result.metrics = choices;
    if (reason !== undefined) result.statusReason = reason;
    if (rule !== undefined) result.statusRule = rule;
    if (rule === 'nonFinite' && judged.step !== undefined) result.statusStep = judged.step;
    if (loggedName !== undefined) result.loggedName = loggedName;
    return result;
  }

  private mergeSeries(files: FileState[]): Series[] {
    type Part = { seq: number; steps: Float64Array; values: Float64Array; thinned: number; wallStart?: number };
    const byMetric = new Map<string, { role: MetricRole; parts: Part[] }>();
    const add = (metric: string, role: MetricRole, part: Part): void => {
      let m = byMetric.get(metric);
      if (m === undefined) {
        m = { role, parts: [] };
        byMetric.set(metric, m);
      }
      m.parts.push(part);
    };
    // An HF run that also wrote TensorBoard files logs each metric twice under two names: one series.
    const hf = files.some((f) => f.format === 'hf-trainer-state');
    const nameInRun = (f: FileState, m: string): string => (f.metricPrefix ? f.metricPrefix + m : hf && f.format === 'tfevents' ? hfTrainerStateName(m) : m);
    // Several loggers of one job: each file's loss joins the run's one series of that role (oneJob.ts).
    const renames = oneSeriesPerLoss(files.map((f) => ({ logger: f.format, series: new Map([...f.series].map(([m, s]) => [nameInRun(f, m), s])) })));
    files.forEach((f, fileIndex) => {
      const renamed = renames.get(fileIndex);
      for (const [metric, s] of f.series) {
        const logged = nameInRun(f, metric);
        const name = renamed?.get(logged) ?? logged;
        const role = logged !== metric && s.role === metricRole(metric) ? metricRole(logged) : s.role;
        // W&B logs of one run (a resumed run's folders) are one stream by start time too, like event files.
        const streamed = f.events !== undefined;
        const { steps, values, thinned } = s.cols.view();
        add(name, role, { seq: f.seq, steps, values, thinned, wallStart: streamed ? (f.wallStart ?? 0) : undefined });
      }
      if (f.provisional.length > 0) {
        for (const p of f.provisional) {
          const role = p.role ?? f.series.get(p.metric)?.role ?? metricRole(p.metric);
          add(renamed?.get(p.metric) ?? p.metric, role, { seq: f.seq + 0.5, steps: Float64Array.of(p.step), values: Float64Array.of(p.value), thinned: 0 });
        }
      }
    });
    const out: Series[] = [];
    for (const [metric, m] of byMetric) {
      if (m.parts.length === 1) {
        // One source: hand out the store's views themselves (they never change; see seriesStore.ts).
        const only = m.parts[0];
        const series: Series = { metric, role: m.role, steps: only.steps, values: only.values };
        if (only.thinned > 0) series.thinned = only.thinned;
        out.push(series);
        continue;
      }
      // Several sources, merged by step. Event files of one run are one stream in the order they
      // were started (TensorBoard reads them so): a later file that begins at step s is a restart and
      // orphans the earlier files' points at steps ≥ s. Other files (text logs, trainer_state.json)
      // then win every step they have, the most recently written last: they hold float64 values where
      // event files hold float32 copies, and they are what the trainer resumed from.
      const merged = new Map<number, number>();
      const eventParts = m.parts.filter((p) => p.wallStart !== undefined).sort((a, b) => (a.wallStart ?? 0) - (b.wallStart ?? 0) || a.seq - b.seq);
      const otherParts = m.parts.filter((p) => p.wallStart === undefined).sort((a, b) => a.seq - b.seq);
      for (const part of eventParts) {
        if (part.steps.length > 0) for (const step of [...merged.keys()]) if (step >= part.steps[0]) merged.delete(step);
        for (let i = 0; i < part.steps.length; i++) merged.set(part.steps[i], part.values[i]);
      }
      for (const part of otherParts) {
        for (let i = 0; i < part.steps.length; i++) merged.set(part.steps[i], part.values[i]);
      }
      const steps = Float64Array.from(merged.keys()).sort();
      const values = new Float64Array(steps.length);
      for (let i = 0; i < steps.length; i++) values[i] = merged.get(steps[i]) as number;
      const series: Series = { metric, role: m.role, steps, values };
      const thinned = m.parts.reduce((sum, p) => sum + p.thinned, 0);
      if (thinned > 0) series.thinned = thinned;
      out.push(series);
    }
    // A unit travels with its metric (a loss read from a perplexity stays marked as converted).
    for (const s of out) {
      const unit = files.map((f) => f.series.get(s.metric)?.unit).find((u) => u !== undefined);
      if (unit !== undefined) s.unit = unit;
    }
    return out
      .filter((s) => s.steps.length > 0)
      .sort(
        (a, b) =>
          ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
          seriesPreference(a).rank - seriesPreference(b).rank ||
          (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0),
      );
  }

  private buildHyper(run: RunState, files: FileState[], series: Series[], diagnostics: Diagnostic[]): RunHyper {
    const hyper: RunHyper = { notes: [] };
    appendAll(appendAll(diagnostics, run.readDiagnostics), run.describeDiagnostics);
    if (run.facts) {
      Object.assign(hyper, run.facts.hyper);
      appendAll(hyper.notes, run.facts.notes);
      appendAll(diagnostics, run.facts.diagnostics);
    }
    const h = hyper as unknown as Record<string, unknown>;
    // A reading's "tokensPerStep unknown: …" says why it left a key open; shown when nothing else fills it.
    const unknownNotes: [key: string, note: string][] = [];
    for (const [file, { reading }] of run.native) {
      // The config reader's facts come first; the logger's own record fills what they leave open.
      appendAll(diagnostics, reading.diagnostics);
      const notes = reading.notes;
      for (const n of notes) {
        const unknown = /^(\w+) unknown\b/.exec(n);
        if (unknown && reading.hyper[unknown[1] as keyof typeof reading.hyper] === undefined) unknownNotes.push([unknown[1], n]);
      }
      for (const [k, v] of Object.entries(reading.hyper)) {
        if (v === undefined || h[k] !== undefined) continue;
        h[k] = v;
        const note = notes.find((n) => n.startsWith(`${k} `));
        hyper.notes.push(note ?? `${k} from ${path.basename(file)}`);
      }
    }
    const ts = files.find((f) => f.format === 'hf-trainer-state')?.trainerState;
    if (hyper.maxSteps === undefined && ts?.maxSteps !== undefined) {
      hyper.maxSteps = ts.maxSteps;
      hyper.notes.push('maxSteps from trainer_state.json max_steps');
    }
    // Tokens seen, from a tokens metric (or trainer_state's num_input_tokens_seen).
    const tokenSeries = series.find((s) => s.role === 'tokens');
    let lastTokens: number | undefined;
    let lastTokenStep: number | undefined;
    if (tokenSeries !== undefined && tokenSeries.steps.length > 0) {
      lastTokenStep = tokenSeries.steps[tokenSeries.steps.length - 1];
      lastTokens = tokenSeries.values[tokenSeries.values.length - 1];
    } else if (ts?.numInputTokensSeen !== undefined && ts.globalStep !== undefined) {
      lastTokens = ts.numInputTokensSeen;
      lastTokenStep = ts.globalStep;
    }
    if (hyper.tokensPerStep === undefined && lastTokens !== undefined && lastTokenStep !== undefined && lastTokenStep > 0 && lastTokens > 0) {
      hyper.tokensPerStep = lastTokens / lastTokenStep;
      hyper.notes.push(`tokensPerStep derived from the tokens metric: ${lastTokens} tokens at step ${lastTokenStep}`);
    }
    if (hyper.tokens !== undefined) {
      // Planned tokens came from the run's training arguments.
    } else if (hyper.maxSteps !== undefined && hyper.tokensPerStep !== undefined) {
      hyper.tokens = hyper.maxSteps * hyper.tokensPerStep;
      hyper.notes.push(`tokens = maxSteps ${hyper.maxSteps} × tokensPerStep ${hyper.tokensPerStep}`);
    } else if (lastTokens !== undefined && ts?.finished === true) {
      hyper.tokens = lastTokens;
      hyper.notes.push('tokens = tokens seen when training finished');
    }
    for (const [key, note] of unknownNotes) if (h[key] === undefined && !hyper.notes.includes(note)) hyper.notes.push(note);
    return hyper;
  }

  private status(files: FileState[], series: Series[], hyper: RunHyper): { status: RunStatus; reason?: string; rule?: StatusRule; step?: number } {
    for (const f of files) {
      for (const ev of f.nonFinite.values()) {
        return { status: 'failed', reason: `${ev.metric} went non-finite at step ${ev.step}`, rule: 'nonFinite', step: ev.step };
      }
    }
    const loss = mainLoss(series);
    if (loss !== undefined) {
      const d = divergence(loss.values);
      if (d !== undefined)
        return { status: 'failed', reason: `${loss.metric} diverged: smoothed ${fmt(d.last)} > 1.5 × its minimum ${fmt(d.min)}`, rule: 'diverged' };
    }
    const ts = files.find((f) => f.format === 'hf-trainer-state')?.trainerState;
    if (ts?.finished) return { status: 'finished', reason: 'trainer_state.json has the final summary row', rule: 'trainerEnd' };
    const end = hyper.maxSteps !== undefined ? endReached(series, hyper.maxSteps) : undefined;
    if (end !== undefined) return { status: 'finished', reason: end, rule: 'maxSteps' };
    return { status: 'live' };
  }
}

/** Why a run whose planned end is `maxSteps` has logged all it will, or undefined while it has more to log. */
export function endReached(series: Series[], maxSteps: number): string | undefined {
  let last = -Infinity;
  for (const s of series) if (s.role === 'train_loss' || s.role === 'eval_loss') last = Math.max(last, s.steps[s.steps.length - 1]);
  if (last === -Infinity) for (const s of series) last = Math.max(last, s.steps[s.steps.length - 1]);
  if (last >= maxSteps) return `last step ${last} ≥ maxSteps ${maxSteps}`;
  // A logger writes every k steps, so its last point can fall short of maxSteps: when the next
  // point would lie past the end, the run has logged all it will (Lightning, JSONL, TensorBoard).
  // Last step and stride of one series (the main loss): an eval logged more often must not lend its stride.
  const loss = mainLoss(series);
  const stride = loggingStride(loss);
  if (loss === undefined || stride === undefined) return undefined;
  const lossLast = loss.steps[loss.steps.length - 1];
  // A 0-indexed logger (`step % k == 0` over 0..maxSteps−1) ends at maxSteps − k; one logging at k..maxSteps (HF) would log maxSteps itself.
  const zeroIndexed = loss.steps[0] === 0 && loss.steps.every((s) => s % stride === 0);
  if (zeroIndexed ? lossLast + stride >= maxSteps : lossLast + stride > maxSteps)
    return `last step ${lossLast} is within one logging interval (${stride} steps) of maxSteps ${maxSteps}`;
  return undefined;
}

/** The step interval a loss series is logged at: the median gap of its last 16 points (none below 3 points). */
function loggingStride(loss: Series | undefined): number | undefined {
  if (loss === undefined || loss.steps.length < 3) return undefined;
  return medianGap(loss.steps, loss.steps.length - 16, 2);
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/** A run's display name: its directory name (with the parent for Lightning/W&B-style `version_N`, `run-*`). */
export function runName(id: string): string {
  const parts = id.split('/').filter((p) => p !== '');
  if (parts.length === 0) return id;
  const last = parts[parts.length - 1];
  if (parts.length > 1 && /^(version_\d+|run-.*|\d+)$/.test(last)) return `${parts[parts.length - 2]}/${last}`;
  return last;
}

/** The loss curve a run is judged by: the longest train loss, else the longest eval loss. */
export function mainLoss(series: Series[]): Series | undefined {
  for (const role of ['train_loss', 'eval_loss'] as const) {
    // The vocabulary's preferred series (series come sorted so; the same one the fits use).
    let best: Series | undefined;
    for (const s of series)
      if (s.role === role && s.steps.length > 0) {
        best = s;
        break;
      }
    if (best !== undefined) return best;
  }
  return undefined;
}

/**
 * Divergence test: with a trailing moving average (window ≈ 5% of the points, 1..50), the last smoothed loss
 * is above 1.5 × the minimum smoothed loss after the first 10% of points. Needs at least 10 points.
 */
export function divergence(values: ArrayLike<number>): { last: number; min: number } | undefined {
  const n = values.length;
  if (n < 10) return undefined;
  const w = Math.max(1, Math.min(50, Math.round(n * 0.05)));
  const smoothed = new Array<number>(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += values[i];
    if (i >= w) sum -= values[i - w];
    smoothed[i] = sum / Math.min(i + 1, w);
  }
  let min = Infinity;
  for (let i = Math.floor(n * 0.1); i < n; i++) min = Math.min(min, smoothed[i]);
  const last = smoothed[n - 1];
  return min > 0 && last > 1.5 * min ? { last, min } : undefined;
}

/** A text log whose steps are HF Trainer stdout row numbers (see TextLogReader.rowNumbered). */
function isRowNumbered(s: FileState): boolean {
  return s.reader instanceof TextLogReader && s.reader.rowNumbered;
}

/** A W&B summary repeats the last history values at W&B's own _step: it counts only when the run has no history file. */
function withoutShadowedSummaries(files: FileState[]): FileState[] {
  if (!files.some((f) => f.wandbKind === 'log' || f.wandbKind === 'history')) return files;
  return files.filter((f) => f.wandbKind !== 'summary');
}

/**
 * The end a log itself records: a W&B log's exit record (of the most recently written log of the
 * run), or a Megatron golden-values file, which is a finished reference run by definition.
 */
function loggedEndStatus(files: FileState[]): { status: RunStatus; reason: string; rule: StatusRule } | undefined {
  const reference = files.length > 0 ? logFormat(files[0].format).finishedByDefinition : undefined;
  if (reference !== undefined && files.every((f) => f.format === files[0].format)) return { status: 'finished', reason: reference, rule: 'loggerStatus' };
  let latest: { seq: number; code: number } | undefined;
  for (const f of files) {
    const code = f.events instanceof WandbLogReader ? f.events.info.exitCode : undefined;
    if (code !== undefined && (latest === undefined || f.seq > latest.seq)) latest = { seq: f.seq, code };
  }
  if (latest === undefined) return undefined;
  return latest.code === 0
    ? { status: 'finished', reason: 'the W&B log has an exit record (exit code 0)', rule: 'loggerStatus' }
    : { status: 'failed', reason: `the W&B log has an exit record with exit code ${latest.code}`, rule: 'loggerStatus' };
}

/** The run name a W&B log records (`wandb.init(name=…)`). */
function wandbDisplayName(files: FileState[]): string | undefined {
  for (const f of files) if (f.events instanceof WandbLogReader && f.events.info.displayName) return f.events.info.displayName;
  return undefined;
}
