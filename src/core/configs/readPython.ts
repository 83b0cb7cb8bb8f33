// A `.py` config: nanoGPT's configurator files (assignments, read, never executed).
import { looksLikeNanoGpt, readNanoGpt } from './nanogpt';
import type { ConfigReadResult } from './types';
import type { ReadConfigInput } from './readWith';

export function readPythonConfig({ file, text }: ReadConfigInput): ConfigReadResult {
  if (!looksLikeNanoGpt(text))
    return { kind: 'not-applicable', reason: 'a Python file that assigns no nanoGPT config keys (n_layer, block_size, max_iters, …)', diagnostics: [] };
  return readNanoGpt(file, text);
}
