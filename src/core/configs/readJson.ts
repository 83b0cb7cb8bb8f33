// A `.json` config: an HF config.json (with its training_args.json and weight index beside it),
// the generic shape in JSON, or an HF-style block nested deeper (DeepSeek's inference JSON).
import { basename, dirname, join } from 'node:path';
import { PlanBuilder } from './builder';
import { readTrainingPlan } from './trainingArgs';
import { TRAINING_ARGS_FILE } from './fileNames';
import type { ConfigReadResult } from './types';
import { isGeneric, readGeneric } from './yamlConfigs';
import { YamlView } from './yamlView';
import { findModelBlock, readNestedModel } from './nestedModel';
import { compareWithWeightIndex } from './weightIndex';
import type { ReadConfigInput } from './readWith';

export function readJsonConfig(input: ReadConfigInput): ConfigReadResult {
  const { file, text } = input;
  const base = basename(file);
  const trimmed = text.trimStart();
  // The generic shape in JSON: a `model` object with `layers` and `d_model`. Both keys are in the
  // text as written unless escaped, so an HF config.json is read without loading the YAML parser.
  if (trimmed.startsWith('{') && (text.includes('\\') || (text.includes('layers') && text.includes('d_model')))) {
    const y = new YamlView(text, file);
    if (y.errors.length === 0 && isGeneric(y)) return readGeneric(y, new PlanBuilder(file, text, 'generic'));
  }
  const argsFile = join(dirname(file), TRAINING_ARGS_FILE);
  const argsText = base === 'config.json' && input.readSibling ? input.readSibling(argsFile) : undefined;
  const hf = readTrainingPlan({ modelText: text, modelFile: file, argsText, argsFile: argsText === undefined ? undefined : argsFile });
  if (hf.kind === 'plan' && base === 'config.json' && input.readSibling) compareWithWeightIndex(hf.plan, file, text, input.readSibling);
  // Only JSON that names a model dimension is searched (not trainer_state.json or tokenizer.json).
  if (hf.kind !== 'not-applicable' || !trimmed.startsWith('{') || !/"(hidden_size|dim)"\s*:/.test(text)) return hf;
  // Not a config.json at the top: an HF-style block nested deeper, or DeepSeek's inference JSON.
  const y = new YamlView(text, file);
  const block = y.errors.length === 0 ? findModelBlock(y) : undefined;
  return block && !(block.path === '' && block.kind === 'hf') ? readNestedModel(y, block, block.kind === 'deepseek' ? 'deepseek' : 'generic') : hf;
}
