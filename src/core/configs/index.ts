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
import { PlanBuilder } from './builder';
import { flagsFromShell, looksLikeMegatron, readMegatron } from './megatron';
import { looksLikeTorchtitan, parseTomlConfig, readTorchtitan } from './torchtitan';
import type { ConfigReadResult } from './types';
import { readConfigWith, type ConfigReaders, type ReadConfigInput } from './readWith';
import { readJsonConfig } from './readJson';
import { readPythonConfig } from './readPython';
import { readYamlFile } from './readYaml';

export type { ConfigReadResult } from './types';
export { findMuP, type ReadConfigInput } from './readWith';

/** Every kind's reader (readWith.ts chooses one by the file's extension). */
export const CONFIG_READERS: Required<ConfigReaders> = {
  json: readJsonConfig,
  python: readPythonConfig,
  toml: ({ file, text }) => {
    const b = new PlanBuilder(file, text, 'torchtitan');
    const parsed = parseTomlConfig(file, text, b);
    if (!parsed) return b.errorResult();
    if (!looksLikeTorchtitan(parsed.data))
      return { kind: 'not-applicable', reason: "a TOML file without torchtitan's [model] and [training] tables", diagnostics: [] };
    return readTorchtitan(parsed.data, parsed.ranges, b);
  },
  flags: ({ file, text }) => {
    // A `--flag value` file that a launcher expands ($(cat args.txt)): Megatron flags, one or more per line.
    const flags = flagsFromShell(text);
    if (!looksLikeMegatron(flags))
      return { kind: 'not-applicable', reason: 'a text file without Megatron-LM model flags (--num-layers, --hidden-size)', diagnostics: [] };
    return readMegatron(flags, new PlanBuilder(file, text, 'megatron'));
  },
  shell: ({ file, text }) => {
    const flags = flagsFromShell(text);
    if (!looksLikeMegatron(flags))
      return { kind: 'not-applicable', reason: 'a shell script without Megatron-LM model flags (--num-layers, --hidden-size)', diagnostics: [] };
    return readMegatron(flags, new PlanBuilder(file, text, 'megatron'));
  },
  yaml: readYamlFile,
};

/** Reads any supported training config. Unrecognised files are `not-applicable` with the reason. */
export function readConfig(input: ReadConfigInput): ConfigReadResult {
  return readConfigWith(CONFIG_READERS, input, (kind) => {
    throw new Error(`no reader of ${kind} configs`);
  });
}
