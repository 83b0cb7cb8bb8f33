// CSV/TSV tables with a header row (Lightning CSVLogger, custom loggers); data sets are sniffed out.
import { FileTail } from '../tail';
import { CsvReader } from '../csv';
import { csvDelimiterOf, lineFileNotALog } from './lineSniff';
import { defineFormat } from './types';

export const csvFormat = defineFormat({
  id: 'csv',
  title: 'CSV / TSV',
  writers: 'Lightning CSVLogger, litgpt (logger_name: csv), custom loggers',
  reads:
    "a header row, sparse rows (Lightning's union of keys), the step column by the vocabulary; files without a loss column in their first 20 records are skipped",
  globs: ['**/metrics*.csv', '**/metrics*.tsv'],
  activation: [],
  detect: (_abs, base) => base.endsWith('.csv') || base.endsWith('.tsv'),
  skip: (abs) => lineFileNotALog(abs, 'csv'),
  open: (abs) => ({ kind: 'lines', tail: new FileTail(abs), reader: new CsvReader(abs, csvDelimiterOf(abs)) }),
});
