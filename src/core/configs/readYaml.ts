// A `.yaml`/`.yml` config: Megatron-LM's MODEL_ARGS, GPT-NeoX, OLMo, axolotl, litgpt, llm-foundry,
// NeMo 1.x, the generic shape, or an HF-style block nested anywhere (nanotron).
import { PlanBuilder } from './builder';
import { flagsFromNeox, flagsFromYaml, looksLikeMegatron, readMegatron } from './megatron';
import { isOlmo, readOlmo } from './olmo';
import type { ConfigReadResult } from './types';
import { isAxolotl, isFoundry, isGeneric, isLitgpt, isNemo, readAxolotl, readFoundry, readGeneric, readLitgpt, readNemo } from './yamlConfigs';
import { YamlView } from './yamlView';
import { findModelBlock, readNestedModel } from './nestedModel';
import type { ReadConfigInput } from './readWith';

export function readYamlFile({ file, text }: ReadConfigInput): ConfigReadResult {
  const y = new YamlView(text, file);
  const fatal = y.errors.find((e) => e.severity === 'error');
  if (fatal) return { kind: 'error', message: `${file}:${fatal.line}: ${fatal.message}`, diagnostics: y.errors };
  const read = readYamlConfig(y, file, text);
  // Syntax the view read past (a missing comma) stays in the diagnostics.
  return y.errors.length ? { ...read, diagnostics: [...y.errors, ...read.diagnostics] } : read;
}

function readYamlConfig(y: YamlView, file: string, text: string): ConfigReadResult {
  if (!y.isMapping()) return { kind: 'not-applicable', reason: 'no model in this file (the YAML is not a mapping)', diagnostics: [] };
  const megatron = flagsFromYaml(y);
  if (looksLikeMegatron(megatron)) return readMegatron(megatron, new PlanBuilder(file, text, 'megatron'));
  const neox = flagsFromNeox(y);
  if (neox && looksLikeMegatron(neox)) return readMegatron(neox, new PlanBuilder(file, text, 'gpt-neox'));
  if (isOlmo(y)) return readOlmo(y, new PlanBuilder(file, text, 'olmo'));
  if (isAxolotl(y)) return readAxolotl(y, new PlanBuilder(file, text, 'axolotl'));
  if (isLitgpt(y)) return readLitgpt(y, new PlanBuilder(file, text, 'litgpt'));
  if (isFoundry(y)) return readFoundry(y, new PlanBuilder(file, text, 'llm-foundry'));
  if (isNemo(y)) return readNemo(y, new PlanBuilder(file, text, 'nemo'));
  if (isGeneric(y)) return readGeneric(y, new PlanBuilder(file, text, 'generic'));
  const block = findModelBlock(y);
  if (block) return readNestedModel(y, block, y.has('model.model_config') && y.has('tokens') ? 'nanotron' : 'generic');
  return { kind: 'not-applicable', reason: 'no model in this file (not a recognised training-config format)', diagnostics: [] };
}
