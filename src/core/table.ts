// Numeric CSV tables for the CLI's `fit --train/--predict` (canonical columns params, tokens, loss).
import { parse } from 'csv-parse/sync';
import type { Diagnostic } from './diagnostics';

export interface TableRead {
  rows: Record<string, number>[];
  diagnostics: Diagnostic[];
}

/**
 * Reads a header-row CSV and keeps the rows whose required columns are all finite numbers; every
 * other row gets a diagnostic naming its line, and the good rows around it are kept.
 */
export function parseCsvTable(text: string, file: string, required: readonly string[]): TableRead {
  const diagnostics: Diagnostic[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // `info` gives each record's line number, which blank lines would otherwise shift.
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    return { rows: [], diagnostics: [{ file, severity: 'error', message: `not a CSV table: ${(error as Error).message}` }] };
  }
  if (records.length === 0) return { rows: [], diagnostics: [{ file, line: 1, severity: 'error', message: 'empty file' }] };
  const header = records[0].record.map((h) => h.toLowerCase());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) {
    return { rows: [], diagnostics: [{ file, line: 1, severity: 'error', message: `missing column(s) ${missing.join(', ')} (header: ${header.join(', ')})` }] };
  }
  const rows: Record<string, number>[] = [];
  for (let i = 1; i < records.length; i++) {
    const row: Record<string, number> = {};
    const { record, info } = records[i];
    header.forEach((name, j) => (row[name] = record[j] === undefined || record[j] === '' ? NaN : Number(record[j])));
    const bad = required.filter((c) => !Number.isFinite(row[c]));
    if (bad.length) diagnostics.push({ file, line: info.lines, severity: 'warning', message: `row skipped: ${bad.join(', ')} not a finite number` });
    else rows.push(row);
  }
  return { rows, diagnostics };
}
