// The contract of one log format: how its files are recognised, which run a file belongs to, and
// which reader reads it. Each format is one module in this folder and one line in registry.ts; the
// run index (../index.ts) only composes them.
import type { Diagnostic } from '../../diagnostics';
import type { BinaryTail, FileTail } from '../tail';
import type { ReadResult } from '../common';
import type { CsvReader } from '../csv';
import type { JsonlReader } from '../jsonl';
import type { MlflowMetricReader } from '../mlflow';
import type { TextLogReader } from '../textLog';
import type { UserPattern } from '../textLogPatterns';
import type { TfEventsReader } from '../tfevents';
import type { DvcliveTsvReader } from '../dvclive';
import type { WandbFileKind, WandbHistoryReader, WandbLogReader } from '../wandb';

/** What the index lends a format while it judges or opens a file. */
export interface FormatContext {
  /** Compiled `scalingLens.textLog.patterns`. */
  textPatterns: readonly UserPattern[];
  /** Why this file was skipped at its previous update, if it was. */
  previousSkip?: string;
  /** Files whose whole sniffed head was judged (a text log's verdict is kept while the file is that large). */
  judgedOnFullHead: Set<string>;
}

/** The run a file belongs to: its folder (where sidecars are looked for) and the key that groups files into one run. */
export interface RunPlace {
  runDir: string;
  runKey: string;
  /** `checkpoint-<n>/trainer_state.json`: n. */
  checkpoint?: number;
  /** Put before this file's metric names in its run (Keras's `validation/` events reuse the training tags). */
  metricPrefix?: string;
}

/** How the index reads a file once opened. */
export type FileReading =
  /** Appended lines, through a line reader. */
  | { kind: 'lines'; tail: FileTail; reader: JsonlReader | CsvReader | MlflowMetricReader | TextLogReader | WandbHistoryReader | DvcliveTsvReader }
  /** Appended bytes of a record-framed binary log. */
  | { kind: 'events'; binTail: BinaryTail; events: TfEventsReader | WandbLogReader }
  /** A whole document, read again when it changes. */
  | { kind: 'whole'; parse: (text: string) => ReadResult }
  /** The HF Trainer's trainer_state.json (a whole document with run-level facts). */
  | { kind: 'trainer-state' }
  /** A file that makes its run known and holds no points itself (MLflow's run meta.yaml, read as a sidecar). */
  | { kind: 'none' };

export interface LogFormatModule<Id extends string = string> {
  id: Id;
  /** The format's name, for the README's format table (generated: npm run readme). */
  title: string;
  /** What writes it. */
  writers: string;
  /** What is read and by which rule, in one or two sentences (the README's format table). */
  reads: string;
  /** The globs of `scalingLens.logGlobs`' default this format needs (checked against package.json by a unit test). */
  globs: readonly string[];
  /** `workspaceContains:` activation globs (checked against package.json by a unit test). */
  activation: readonly string[];
  /** Whether a path is this format's, by name and place (the first format of the registry that claims it wins). */
  detect(abs: string, baseLower: string): boolean;
  /** The path a file is read under (a link to a run folder is read under the folder's own name). */
  canonicalPath?(abs: string): string;
  /** Why a file of this format's name is not read (its content is not a training log), judged before it is opened. */
  skip?(abs: string, ctx: FormatContext): string | undefined;
  /** The run a file belongs to; undefined: the default rule (placeByFolder). */
  place?(abs: string, root: string): RunPlace | undefined;
  /** The reader of a newly seen file. */
  open(abs: string, place: RunPlace, ctx: FormatContext): FileReading;
  /**
   * The logger's own record of the run's hyperparameters beside its logs (W&B `config.yaml`, DVCLive
   * `params.yaml`): the first of `files(runDir)` that exists is read.
   */
  params?: {
    /** Base names of the files, so a change to one finds its run. */
    names: readonly string[];
    /** The run key a changed params file belongs to. */
    runKeyOf(abs: string): string;
    files(runDir: string): string[];
    read(text: string, file: string): { params: Map<string, unknown>; diagnostics: Diagnostic[] };
    /** Named in the notes of the hyperparameters taken from it. */
    label: string;
  };
  /** A log that records a finished reference run by definition (Megatron golden values). */
  finishedByDefinition?: string;
  /** W&B: which of its files this is (the summary only counts for a run without history). */
  wandbKind?(abs: string): WandbFileKind | undefined;
}

/** Identity helper keeping a module's id literal (so the registry can derive the LogFormat union). */
export function defineFormat<const Id extends string>(m: LogFormatModule<Id>): LogFormatModule<Id> {
  return m;
}
