// Every log format the run index reads. Adding a format = one module in this folder + one line here
// (and its globs in package.json's `scalingLens.logGlobs` default / activationEvents, which
// test/unit/runs-formatRegistry.test.ts checks against this list).
import * as path from 'node:path';
import { dvcliveFormat } from './dvclive';
import { megatronGoldenFormat } from './golden';
import { hfTrainerStateFormat } from './hfTrainerState';
import { jsonlFormat } from './jsonl';
import { csvFormat } from './csv';
import { mlflowFormat } from './mlflow';
import { textFormat } from './text';
import { tfeventsFormat } from './tfevents';
import { wandbFormat } from './wandb';
import type { LogFormatModule } from './types';
import type { LogFormat } from '../types';

/** In detection order: the first format whose detect() claims a path reads it (specific names before extensions). */
export const LOG_FORMATS = [
  hfTrainerStateFormat,
  tfeventsFormat,
  mlflowFormat,
  wandbFormat,
  megatronGoldenFormat,
  dvcliveFormat,
  jsonlFormat,
  csvFormat,
  textFormat,
] as const;

/** The id of a registered log format. */
export type LogFormatId = (typeof LOG_FORMATS)[number]['id'];

// The wire type LogFormat (types.ts) lists exactly the registered ids: a format added to one list only fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameIds: Same<LogFormatId, LogFormat> = true;
void sameIds;

const BY_ID = new Map<string, LogFormatModule<LogFormatId>>(LOG_FORMATS.map((f) => [f.id, f as LogFormatModule<LogFormatId>]));

/** The module of a format id. */
export function logFormat(id: LogFormatId): LogFormatModule<LogFormatId> {
  return BY_ID.get(id)!;
}

/** Which format reads a file, by its name and place; undefined for files that are not logs. */
export function detectLogFormat(filePath: string): LogFormatId | undefined {
  const base = path.basename(filePath).toLowerCase();
  for (const f of LOG_FORMATS) if (f.detect(filePath, base)) return f.id;
  return undefined;
}
