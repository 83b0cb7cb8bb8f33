import { isLossRole, metricRole } from '../common';
import { CsvReader } from '../csv';
import { JsonlReader } from '../jsonl';
import * as fs from 'node:fs';
import { readHeadLines } from '../tail';

/**
 * `*.jsonl` and `*.csv` also match data sets, often gigabytes. A line file counts as a training log
 * only if a loss appears among its first SNIFF_RECORDS records (read from its first SNIFF_BYTES).
 */
const SNIFF_RECORDS = 20;
const SNIFF_BYTES = 64 * 1024;
/**
 * A CSV whose header is longer than SNIFF_BYTES (an export of thousands of metric columns: 14,000
 * columns are ~115 kB) is sniffed from this much instead: before, such a log was refused whole.
 */
const CSV_SNIFF_BYTES = 1024 * 1024;

export function csvDelimiterOf(abs: string): { delimiter?: '\t' } {
  return abs.toLowerCase().endsWith('.tsv') ? { delimiter: '\t' } : {};
}

/**
 * Why a line file is not a training log (no loss among its first records), or undefined when it
 * is one or cannot be judged yet (too few records: a log just started).
 */
export function lineFileNotALog(abs: string, format: 'jsonl' | 'csv'): string | undefined {
  let head = readHeadLines(abs, SNIFF_BYTES);
  if ('error' in head) return undefined;
  let sniffed = SNIFF_BYTES;
  if (head.lines.length === 0 && format === 'csv' && sizeOf(abs) > SNIFF_BYTES) {
    const wider = readHeadLines(abs, CSV_SNIFF_BYTES);
    if ('error' in wider) return undefined;
    head = wider;
    sniffed = CSV_SNIFF_BYTES;
  }
  // A file of zeros or of one endless line (a data dump) is no log: not read through gigabytes.
  if (head.lines.length === 0 && sizeOf(abs) > sniffed) return `not read as a training log: no line break in its first ${sniffed / 1024} KiB`;
  const lines = head.lines.filter((l) => l.trim() !== '').slice(0, SNIFF_RECORDS + 1);
  const reader = format === 'jsonl' ? new JsonlReader(abs) : new CsvReader(abs, csvDelimiterOf(abs));
  const res = reader.push(lines, 1);
  const hasLoss = res.points.some((p) => isLossRole(p.role ?? metricRole(p.metric))) || res.nonFinite.some((e) => isLossRole(e.role));
  const records = format === 'csv' ? lines.length - 1 : lines.length;
  if (hasLoss || records < SNIFF_RECORDS) return undefined;
  return `not read as a training log: no loss ${format === 'csv' ? 'column' : 'key'} in its first ${SNIFF_RECORDS} records`;
}

function sizeOf(abs: string): number {
  try {
    return fs.statSync(abs).size;
  } catch {
    return 0;
  }
}
