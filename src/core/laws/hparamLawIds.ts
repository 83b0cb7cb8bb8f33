// The hyperparameter laws' ids, apart from the laws themselves: the CLI's help (a small bundle read on
// every `--help`, issue 20) lists them without loading the laws. The registry's HPARAM_LAWS is typed by
// these ids, so a law added there without its id here (or the reverse) does not compile.
export const HPARAM_LAW_IDS = ['steplaw', 'deepseek'] as const;
export type HparamLawId = (typeof HPARAM_LAW_IDS)[number];
/** What `hparams` refits when no `--law` is given. */
export const DEFAULT_HPARAM_LAW: HparamLawId = 'steplaw';
