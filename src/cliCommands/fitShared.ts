// Helpers of the fitting subcommands (`fit`, `curve`, `hparams`): output, usage errors and the
// numeric CSV tables they read. Each command takes its argv and an output sink, so tests can run
// it in-process as well as through the built CLI.
import { readTextFileOrThrow, READ_CAPS } from '../core/safeFile';
import type * as CsvParse from 'csv-parse/sync';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostics';

/** The CSV parser, loaded on first use (as in plan.ts). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const csvParse = (input: string, options: CsvParse.Options): unknown => (require('csv-parse/sync') as typeof CsvParse).parse(input, options);

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/**
 * A wrong argument. Carries Node's own parseArgs code for a bad option value, so the CLI's
 * dispatcher treats it like any other argument error (message, usage, exit code 2).
 */
export class CommandUsageError extends Error {
  readonly code = 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE';
}

export function printResult(io: CommandIo, json: boolean, value: unknown, text: () => string): void {
  io.stdout(json ? `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n` : `${text()}\n`);
}

/** One CSV row: its numeric cells by (lower-case) column name, and its line in the file. */
export interface CsvRow {
  values: Record<string, number>;
  line: number;
}

/**
 * A header-row numeric CSV. A missing file, an unparsable table or missing `required` columns are
 * errors (a diagnostic naming the file); a cell that is not a number reads as NaN and the caller
 * decides, per row, what that means (it names the line).
 */
export function readNumericCsv(file: string, required: readonly string[]): { rows: CsvRow[]; header: string[]; error?: Diagnostic } {
  let text: string;
  try {
    text = readTextFileOrThrow(file, READ_CAPS.document);
  } catch (error) {
    return { rows: [], header: [], error: { file, severity: 'error', message: `cannot read: ${(error as Error).message}` } };
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = csvParse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    return { rows: [], header: [], error: { file, severity: 'error', message: `not a CSV table: ${(error as Error).message}` } };
  }
  if (records.length === 0) return { rows: [], header: [], error: { file, line: 1, severity: 'error', message: 'empty file' } };
  const header = records[0].record.map((h) => h.toLowerCase());
  const missing = required.map((c) => c.toLowerCase()).filter((c) => !header.includes(c));
  if (missing.length) {
    return { rows: [], header, error: { file, line: 1, severity: 'error', message: `missing column(s) ${missing.join(', ')} (header: ${header.join(', ')})` } };
  }
  const rows: CsvRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const values: Record<string, number> = {};
    header.forEach((name, j) => {
      const cell = records[i].record[j];
      values[name] = cell === undefined || cell === '' ? NaN : Number(cell);
    });
    rows.push({ values, line: records[i].info.lines });
  }
  return { rows, header };
}

export function warn(io: CommandIo, d: Diagnostic): void {
  io.stderr(`${formatDiagnostic(d)}\n`);
}

/** `a=b,c=d` → { a: 'b', c: 'd' } (keys lower-cased); malformed pairs are usage errors. */
export function parseColumnMap(spec: string | undefined, known: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!spec) return out;
  for (const pair of spec.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(.+?)\s*$/.exec(pair);
    if (!m) throw new CommandUsageError(`--columns: "${pair}" is not canonical=column`);
    const key = m[1].toLowerCase();
    if (!known.includes(key)) throw new CommandUsageError(`--columns: unknown canonical column "${m[1]}" (known: ${known.join(', ')})`);
    out[key] = m[2].toLowerCase();
  }
  return out;
}

/** Fixed-width number for text output. */
export function num(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return '?';
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(digits - 1) : v.toPrecision(digits);
}
