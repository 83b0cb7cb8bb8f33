// One entry for every training-config format: detect it (by file name, then content) and read it
// into a TrainingPlan. Configs are parsed, never executed.
//
// | format        | detected by                                                        | reader            |
// | HF config.json| `.json` with model keys (+ sibling training_args.json)             | trainingArgs.ts   |
// | nanoGPT       | `.py` assigning nanoGPT keys                                        | nanogpt.ts        |
// | torchtitan    | `.toml` with `[model] name/flavor` and `[training]`                 | torchtitan.ts     |
// | Megatron-LM   | `.sh`/`.slurm` with --num-layers/--hidden-size (shell variables     | megatron.ts       |
// |               |  resolved); `--flag value` files (.args/.txt); YAML `MODEL_ARGS`   |                   |
// | GPT-NeoX      | YAML with top-level num-layers/hidden-size (hyphens or underscores) | megatron.ts       |
// | OLMo          | YAML with model.d_model/n_layers and mlp_ratio or mlp_hidden_size   | olmo.ts           |
// | NeMo 1.x      | YAML with `trainer:` and `model.num_layers/hidden_size`             | yamlConfigs.ts    |
// | llm-foundry   | YAML with `max_duration`/`global_train_batch_size` and `model:`     | yamlConfigs.ts    |
// | litgpt        | YAML with `model_name`/`model_config` and `train:`                  | yamlConfigs.ts    |
// | axolotl       | YAML with `base_model` / `adapter` + `sequence_len`                 | yamlConfigs.ts    |
// | generic       | YAML/JSON with `model.layers` and `model.d_model` (see readGeneric) | yamlConfigs.ts    |
// | nanotron / any| YAML/JSON nesting an HF-style block (hidden_size, num_hidden_layers, | nestedModel.ts    |
// |  nested block |  num_attention_heads, vocab_size) anywhere; DeepSeek inference JSON |                   |
import { basename, dirname, extname, join } from 'node:path';
import { PlanBuilder } from './builder';
import { flagsFromNeox, flagsFromShell, flagsFromYaml, looksLikeMegatron, readMegatron } from './megatron';
import { isOlmo, readOlmo } from './olmo';
import { looksLikeNanoGpt, readNanoGpt } from './nanogpt';
import { looksLikeTorchtitan, parseTomlConfig, readTorchtitan } from './torchtitan';
import { readTrainingPlan } from './trainingArgs';
import { TRAINING_ARGS_FILE } from './fileNames';
import type { ConfigReadResult } from './types';
import { isAxolotl, isFoundry, isGeneric, isLitgpt, isNemo, readAxolotl, readFoundry, readGeneric, readLitgpt, readNemo } from './yamlConfigs';
import { YamlView } from './yamlView';
import { findModelBlock, readNestedModel } from './nestedModel';
import { compareWithWeightIndex } from './weightIndex';
import { checkPlanDomains } from './domains';

export type { ConfigReadResult } from './types';

export interface ReadConfigInput {
  /** Path of the config (used for detection by name, diagnostics and sources). */
  file: string;
  /** Its text (as the editor has it). */
  text: string;
  /** Reads a file beside it (for HF `training_args.json`); undefined when missing. */
  readSibling?: (absPath: string) => string | undefined;
}

/** Reads any supported training config. Unrecognised files are `not-applicable` with the reason. */
export function readConfig(input: ReadConfigInput): ConfigReadResult {
  const result = readConfigByFormat(input);
  if (result.kind === 'plan') {
    // Out of physical sense (domains.ts): rejected with the value as written, never estimated.
    const textOf = (f: string) => (f === input.file ? input.text : input.readSibling?.(f));
    const outOfDomain = checkPlanDomains(result.plan, input.file, textOf);
    const first = outOfDomain.find((d) => d.severity === 'error');
    if (first !== undefined) {
      return {
        kind: 'error',
        message: `${first.file}${first.line !== undefined ? `:${first.line}` : ''}: ${first.message}`,
        diagnostics: [...result.diagnostics, ...outOfDomain],
      };
    }
    for (const d of outOfDomain) result.diagnostics.push(d);
  }
  if (result.kind === 'plan' && result.plan.muP === undefined) {
    const mup = findMuP(input.text);
    if (mup) {
      result.plan.muP = true;
      result.plan.sources.muP = { file: input.file, range: mup.range, note: `derived: μP key "${mup.key}" set` };
      result.plan.notes.push(`μP parametrisation ("${mup.key}" is set): the learning rate transfers across widths by design.`);
    }
  }
  return result;
}

/**
 * A μP / μTransfer key set to something other than false/0/null in any of the formats:
 * `use_mup = True` (Python), `mup: true` (YAML), `"mup_width_scale": 0.13` (Cerebras-GPT HF configs),
 * `mup_base_width`, `--use-mup` style flags.
 */
export function findMuP(text: string): { key: string; range: { start: number; end: number } } | undefined {
  const re = /(^|[\s"'{,(-])((?:use[_-])?mu_?p(?:[_-]\w+)?)["']?\s*(?:[:=]\s*([^\s,}#]+)|(?=\s*(?:\\|$)))/gim;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = (m[3] ?? 'true').replace(/["']/g, '').toLowerCase();
    if (['false', '0', '0.0', 'null', 'none', 'off', 'no', '~', '[]', '{}'].includes(value)) continue;
    const start = m.index + m[1].length;
    return { key: m[2], range: { start, end: start + m[2].length } };
  }
  return undefined;
}

function readConfigByFormat(input: ReadConfigInput): ConfigReadResult {
  const { file, text } = input;
  const ext = extname(file).toLowerCase();
  const base = basename(file);
  if (ext === '.json') {
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
  if (ext === '.py') {
    if (!looksLikeNanoGpt(text))
      return { kind: 'not-applicable', reason: 'a Python file that assigns no nanoGPT config keys (n_layer, block_size, max_iters, …)', diagnostics: [] };
    return readNanoGpt(file, text);
  }
  if (ext === '.toml') {
    const b = new PlanBuilder(file, text, 'torchtitan');
    const parsed = parseTomlConfig(file, text, b);
    if (!parsed) return b.errorResult();
    if (!looksLikeTorchtitan(parsed.data))
      return { kind: 'not-applicable', reason: "a TOML file without torchtitan's [model] and [training] tables", diagnostics: [] };
    return readTorchtitan(parsed.data, parsed.ranges, b);
  }
  if (ext === '.txt' || ext === '.args') {
    // A `--flag value` file that a launcher expands ($(cat args.txt)): Megatron flags, one or more per line.
    const flags = flagsFromShell(text);
    if (!looksLikeMegatron(flags))
      return { kind: 'not-applicable', reason: 'a text file without Megatron-LM model flags (--num-layers, --hidden-size)', diagnostics: [] };
    return readMegatron(flags, new PlanBuilder(file, text, 'megatron'));
  }
  if (ext === '.sh' || ext === '.bash' || ext === '.slurm') {
    const flags = flagsFromShell(text);
    if (!looksLikeMegatron(flags))
      return { kind: 'not-applicable', reason: 'a shell script without Megatron-LM model flags (--num-layers, --hidden-size)', diagnostics: [] };
    return readMegatron(flags, new PlanBuilder(file, text, 'megatron'));
  }
  if (ext === '.yaml' || ext === '.yml') {
    const y = new YamlView(text, file);
    const fatal = y.errors.find((e) => e.severity === 'error');
    if (fatal) return { kind: 'error', message: `${file}:${fatal.line}: ${fatal.message}`, diagnostics: y.errors };
    const read = readYamlConfig(y, file, text);
    // Syntax the view read past (a missing comma) stays in the diagnostics.
    return y.errors.length ? { ...read, diagnostics: [...y.errors, ...read.diagnostics] } : read;
  }
  return { kind: 'not-applicable', reason: `unrecognised config format (${ext || 'no extension'})`, diagnostics: [] };
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
