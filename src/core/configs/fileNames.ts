// File names the config readers, the engine, the CLI and the editor agree on. A leaf module (no imports),
// so the CLI's light commands can use it without loading the engine.

/** A model folder's config, as Hugging Face names it: a run's model file beside its logs, the file `estimate <folder>` reads. */
export const MODEL_CONFIG_FILE = 'config.json';

/** The Hugging Face Trainer's arguments file, read beside a model config. */
export const TRAINING_ARGS_FILE = 'training_args.json';
