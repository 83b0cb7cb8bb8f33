// JSON Lines of any logger (one object per line); data sets of the same extension are sniffed out.
import { FileTail } from '../tail';
import { JsonlReader } from '../jsonl';
import { lineFileNotALog } from './lineSniff';
import { defineFormat } from './types';

export const jsonlFormat = defineFormat({
  id: 'jsonl',
  writers: 'custom loggers, OLMo, Composer, torchtitan, metrics.jsonl of any trainer',
  globs: ['**/*.jsonl'],
  activation: ['**/*.jsonl'],
  detect: (_abs, base) => base.endsWith('.jsonl') || base.endsWith('.ndjson'),
  skip: (abs) => lineFileNotALog(abs, 'jsonl'),
  open: (abs) => ({ kind: 'lines', tail: new FileTail(abs), reader: new JsonlReader(abs) }),
});
