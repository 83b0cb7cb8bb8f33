// JSON Lines of any logger (one object per line); data sets of the same extension are sniffed out.
import { FileTail } from '../tail';
import { JsonlReader } from '../jsonl';
import { lineFileNotALog } from './lineSniff';
import { defineFormat } from './types';

export const jsonlFormat = defineFormat({
  id: 'jsonl',
  title: 'JSON Lines',
  writers: 'custom loggers, OLMo, Composer, torchtitan, metrics.jsonl of any trainer',
  reads:
    "one object a line, nested objects as `a/b`; the step by the vocabulary's step keys, as a number or numeric text, else rows counted; files without a loss key in their first 20 records (data sets) are skipped",
  globs: ['**/*.jsonl'],
  activation: ['**/*.jsonl'],
  detect: (_abs, base) => base.endsWith('.jsonl') || base.endsWith('.ndjson'),
  skip: (abs) => lineFileNotALog(abs, 'jsonl'),
  open: (abs) => ({ kind: 'lines', tail: new FileTail(abs), reader: new JsonlReader(abs) }),
});
