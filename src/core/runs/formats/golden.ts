// Megatron-LM functional tests' `golden_values*.json`: each file (one per test environment) is a
// reference curve of its own.
import { isGoldenValuesFile, parseGoldenValues } from '../golden';
import * as path from 'node:path';
import { defineFormat } from './types';

export const megatronGoldenFormat = defineFormat({
  id: 'megatron-golden',
  title: 'Megatron-LM golden values',
  writers: 'Megatron-LM functional tests (golden values)',
  reads: '`{metric: {start_step, end_step, step_interval, values{step: v}}}`, `"nan"` strings as non-finite; a finished reference run per file',
  globs: ['**/golden_values*.json'],
  activation: [],
  detect: (_abs, base) => isGoldenValuesFile(base),
  finishedByDefinition: 'Megatron golden values: a recorded reference run',
  place: (abs) => ({ runDir: path.dirname(abs), runKey: abs }),
  open: (abs) => ({ kind: 'whole', parse: (text) => parseGoldenValues(text, abs) }),
});
