// Which CLI option and which setting has an effect in which mode (issue 17: "options that do nothing
// in the chosen mode" are said, never silently ignored). One table per command: every option the
// command parses is listed, either as applying always or with the condition under which it applies
// and the sentence that says why it does nothing otherwise. A test checks the table against each
// command's parser and help, so a new option must be placed here.

/** Option values as `node:util` parseArgs gives them. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What the parse alone cannot tell: whether a workspace calibrates the command (flag or current folder). */
export interface ModeFacts {
  workspace?: boolean;
}

export interface ConditionalScope {
  /** True when the option has an effect. */
  appliesWhen: (values: OptionValues, facts: ModeFacts) => boolean;
  /** Why it does nothing otherwise: "does nothing …" follows the flag as the user wrote it. */
  idle: string;
}

/** `always`, or the condition it needs; the note says what it does when that is not obvious. */
export type OptionScope = { always: string } | ConditionalScope;

const always = (what: string): OptionScope => ({ always: what });
const given = (v: OptionValues, name: string): boolean =>
  v[name] !== undefined && v[name] !== false && !(Array.isArray(v[name]) && (v[name] as unknown[]).length === 0);
/** Bootstrap draws: `--seed` only seeds them (and, in `fit`, a subsample of a very large table). */
const drawsResamples = (v: OptionValues): boolean => v.resamples === undefined || Number(v.resamples) !== 0;
const schedule = (v: OptionValues): string | undefined => (typeof v.schedule === 'string' ? v.schedule : undefined);

/** `scan`'s parser options (cli.ts starts the CLI when imported, so they are declared here). */
export const SCAN_OPTIONS = {
  json: { type: 'boolean' },
  'text-pattern': { type: 'string', multiple: true },
  'no-fit': { type: 'boolean' },
  threads: { type: 'string' },
} as const;

const HARDWARE_SCOPES = {
  hardware: always('the accelerator of the GPU-hours, wall clock, cost and memory advice'),
  mfu: always('the utilisation assumed for GPU-hours, wall clock and cost'),
  'usd-per-hour': always('the price of the accelerator used'),
};

export const CLI_OPTION_SCOPE: Record<'scan' | 'curve' | 'fit' | 'hparams' | 'estimate' | 'plan' | 'ladder', Record<string, OptionScope>> = {
  scan: {
    json: always('output format'),
    'text-pattern': always('extra line patterns for text logs'),
    'no-fit': always('lists runs without fits'),
    threads: { appliesWhen: (v) => !given(v, 'no-fit'), idle: 'does nothing with --no-fit (no fit runs)' },
  },
  curve: {
    until: always('backtesting cut'),
    law: always('the curve law'),
    schedule: always('the LR schedule when the log has none'),
    'total-steps': { appliesWhen: (v) => schedule(v) !== undefined, idle: 'does nothing without --schedule' },
    'warmup-steps': { appliesWhen: (v) => schedule(v) !== undefined, idle: 'does nothing without --schedule' },
    'peak-lr': { appliesWhen: (v) => schedule(v) !== undefined, idle: 'does nothing without --schedule' },
    // constant and step schedules never go below their (stepped) peak; only wsd has a separate decay phase.
    'min-lr': {
      appliesWhen: (v) => ['cosine', 'linear', 'wsd'].includes(schedule(v) ?? ''),
      idle: 'does nothing without --schedule cosine, linear or wsd (the schedules that decay to a floor)',
    },
    'decay-steps': { appliesWhen: (v) => schedule(v) === 'wsd', idle: 'does nothing without --schedule wsd (the only schedule with a separate decay phase)' },
    resamples: always('bootstrap resamples of the interval'),
    seed: { appliesWhen: drawsResamples, idle: 'does nothing with --resamples 0 (no bootstrap draw to seed)' },
    json: always('output format'),
  },
  fit: {
    law: always('the cross-run law'),
    train: always('the table fitted'),
    predict: always('rows to predict'),
    columns: always('column names of --train and --predict'),
    priors: always('published priors when runs are few'),
    resamples: always('bootstrap resamples'),
    // With --resamples 0 the seed still picks the sample of a table over the row cap (fit.ts says so when it samples).
    seed: always('the bootstrap draws and the sample of a table over the row cap'),
    json: always('output format'),
  },
  hparams: {
    law: always('the hyperparameter law'),
    train: always('the sweep table'),
    predict: always('the sizes to predict for'),
    columns: always('column names of --train and --predict'),
    resamples: always('bootstrap resamples'),
    seed: { appliesWhen: drawsResamples, idle: 'does nothing with --resamples 0 (no bootstrap draw to seed)' },
    json: always('output format'),
  },
  estimate: {
    workspace: always('the runs that calibrate the predicted loss'),
    json: always('output format'),
    ...HARDWARE_SCOPES,
  },
  plan: {
    budget: always('the compute budget'),
    params: always('a fixed model size'),
    'inference-tokens': always('serving tokens counted in the budget'),
    'deadline-days': { appliesWhen: (v) => given(v, 'gpus'), idle: 'does nothing without --gpus (how many accelerators run until the deadline)' },
    gpus: always('accelerators: wall clock, deadline and memory sharding'),
    'memory-cap': always('the largest model whose training state fits'),
    'seq-len': always('sequence length of the suggested shape and hyperparameters'),
    vocab: always('vocabulary of the suggested shape'),
    workspace: always('the runs that calibrate the loss law'),
    family: {
      appliesWhen: (_v, facts) => facts.workspace === true,
      idle: 'does nothing without a workspace of runs (--workspace, or runs in the current folder): it picks the family whose law is used',
    },
    isoflop: always('an IsoFLOP table whose frontier is used'),
    where: { appliesWhen: (v) => given(v, 'isoflop'), idle: 'does nothing without --isoflop (it filters the IsoFLOP table)' },
    json: always('output format'),
    ...HARDWARE_SCOPES,
  },
  ladder: {
    budget: always('the target as a compute budget'),
    'ladder-budget': always('compute for the whole ladder'),
    fraction: always("the ladder as a fraction of the target's compute"),
    workspace: always("the family's runs that steer the choice"),
    family: {
      appliesWhen: (_v, facts) => facts.workspace === true,
      idle: 'does nothing without a workspace of runs (--workspace, or runs in the current folder): it picks the family whose runs steer the ladder',
    },
    'seq-len': always('sequence length of the LR and batch advice'),
    'max-runs': always('most runs planned'),
    seed: always('ties and the bootstrap of the plan'),
    json: always('output format'),
    write: always("writes the planned runs' configs into this folder"),
    force: { appliesWhen: (v) => given(v, 'write'), idle: 'does nothing without --write (it lets --write replace existing files)' },
    ...HARDWARE_SCOPES,
  },
};

function isConditional(scope: OptionScope): scope is ConditionalScope {
  return 'appliesWhen' in scope;
}

/**
 * The options given to `command` that do nothing in the mode the other options choose, each as a
 * sentence naming the flag (`--decay-steps does nothing without --schedule wsd …`). Empty when all apply.
 */
export function idleOptions(command: keyof typeof CLI_OPTION_SCOPE, values: OptionValues, facts: ModeFacts = {}): string[] {
  const table = CLI_OPTION_SCOPE[command];
  const byReason = new Map<string, string[]>();
  for (const [option, scope] of Object.entries(table)) {
    if (!given(values, option) || !isConditional(scope) || scope.appliesWhen(values, facts)) continue;
    const flags = byReason.get(scope.idle) ?? [];
    flags.push(`--${option}`);
    byReason.set(scope.idle, flags);
  }
  // Flags idle for one reason are said together: "--total-steps, --peak-lr do nothing without --schedule".
  return [...byReason].map(([idle, flags]) => `${flags.join(', ')} ${flags.length > 1 ? idle.replace(/^does /, 'do ') : idle}`);
}

/** The settings facts `idleSettings` judges (read by services/config.ts; plain values, no vscode). */
export interface SettingFacts {
  trusted: boolean;
  polling: 'auto' | 'always' | 'never';
  /** `watch.pollingIntervalMs` set by the user or the workspace (not the default). */
  pollingIntervalSet: boolean;
  /** `files.followLinksOutside` set to true (by anyone). */
  followLinksOutsideSet: boolean;
  /** Settings the workspace set that Restricted Mode ignores (`restrictedConfigurations`). */
  workspaceSetRestricted: string[];
}

/** Every `scalingLens.*` setting and when it has an effect (checked against package.json by a test). */
export const SETTING_SCOPE: Record<string, { always: string } | { idleWhen: (f: SettingFacts) => boolean; idle: string }> = {
  'scalingLens.logGlobs': {
    idleWhen: (f) => !f.trusted && f.workspaceSetRestricted.includes('scalingLens.logGlobs'),
    idle: 'set by this workspace is ignored in Restricted Mode (only your user setting counts)',
  },
  'scalingLens.textLog.patterns': {
    idleWhen: (f) => !f.trusted && f.workspaceSetRestricted.includes('scalingLens.textLog.patterns'),
    idle: 'set by this workspace is ignored in Restricted Mode (only your user setting counts)',
  },
  'scalingLens.files.followLinksOutside': {
    idleWhen: (f) => !f.trusted && f.followLinksOutsideSet,
    idle: 'is ignored in Restricted Mode: files outside the workspace folder are not read',
  },
  'scalingLens.codeLens.enabled': { always: 'lenses on training configs' },
  'scalingLens.fit.timeBudgetMs': { always: 'time budget of every fit' },
  'scalingLens.fit.minPointsForCurve': { always: 'points before a curve is fitted' },
  'scalingLens.fit.liveRefitSeconds': { always: 'refit interval of live runs' },
  'scalingLens.watch.polling': { always: 'how logs are watched' },
  'scalingLens.watch.pollingIntervalMs': {
    idleWhen: (f) => f.polling === 'never' && f.pollingIntervalSet,
    idle: 'does nothing while scalingLens.watch.polling is "never" (no folder is polled)',
  },
  'scalingLens.hardware.default': { always: 'accelerator of estimates' },
  'scalingLens.hardware.profiles': { always: 'extra accelerators (entries it cannot use are reported by the worker)' },
  'scalingLens.hardware.prices': { always: 'prices per accelerator-hour (unknown ids are reported by the worker)' },
  'scalingLens.hardware.mfu': { always: 'utilisation of estimates' },
};

/** The settings that do nothing as set, each as a sentence naming it. */
export function idleSettings(facts: SettingFacts): string[] {
  const out: string[] = [];
  for (const [key, scope] of Object.entries(SETTING_SCOPE)) if ('idleWhen' in scope && scope.idleWhen(facts)) out.push(`${key} ${scope.idle}`);
  return out;
}
