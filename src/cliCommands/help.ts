// Help of each CLI command (`scaling-lens <command> --help`), with one-line examples, and the
// friendly message for an argument the parser rejects. Budgets with a `$` are quoted in single
// quotes: an unquoted `$2M` is expanded (to `M`) by the shell before the CLI sees it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxOf } from '../shared/arrays';
import { DEFAULT_HPARAM_LAW, HPARAM_LAW_IDS } from '../core/laws/hparamLawIds';

export interface CommandHelp {
  /** One line: what the command does. */
  summary: string;
  usage: string;
  /** `--flag <value>   what it does`, one per line. */
  options: string[];
  /** `scaling-lens …   what it shows`, runnable from the repository's root. */
  examples: string[];
}

export const COMMAND_HELP: Record<string, CommandHelp> = {
  scan: {
    summary: 'list the runs in folders of training logs: format, status, size, last and predicted final loss, families and diagnostics',
    usage: 'scaling-lens scan <path...> [--text-pattern <regex>]... [--no-fit] [--threads <n>] [--json]',
    options: [
      '--text-pattern <regex>   read plain-text logs of your own format: named groups step and loss (or eval_loss), optional lr and tokens; repeatable',
      '--no-fit                 list the runs as read, without fitting curves or laws (reading speed)',
      '--threads <n>            fitting threads (default: one per core); progress on stderr once the work takes a second',
      '--json                   the documented JSON (README) instead of text',
    ],
    examples: [
      'scaling-lens scan examples/                          every run of the bundled sweep, with its predicted final loss',
      "scaling-lens scan logs/ --text-pattern 'it (?<step>\\d+) loss (?<loss>[\\d.]+)'   plain-text logs",
      'scaling-lens scan examples/ --json > runs.json       for scripts',
      'scaling-lens scan ~/runs --no-fit                    a thousand runs listed in seconds',
    ],
  },
  curve: {
    summary: "fit one run's loss curve and predict its loss at the end of its schedule",
    usage:
      'scaling-lens curve <log file | run folder> [--until <fraction|step>] [--law power|bnsl|multipower|annealing] [--schedule constant|cosine|linear|wsd|step ...] [--json]',
    options: [
      '--until <fraction|step>  fit only up to this fraction (≤ 1) of the log or this step (backtesting)',
      '--law <id>               power, bnsl, multipower or annealing (default: chosen from the schedule)',
      '--schedule <kind>        the LR schedule when the log has none: constant, cosine, linear, wsd, step',
      "--total-steps, --warmup-steps, --peak-lr, --min-lr, --decay-steps   the schedule's numbers",
      '--resamples <n>, --seed <n>   most bootstrap resamples for the interval (default 100; stops once it settles) and seed',
      '--json                   JSON instead of text',
    ],
    examples: [
      'scaling-lens curve examples/sweep/llama-279m                 the live run: predicted loss at its last step',
      'scaling-lens curve examples/sweep/llama-95m --until 0.5      fit on the first half, compare with the actual end',
      'scaling-lens curve train.log --schedule cosine --total-steps 10000 --peak-lr 3e-4',
    ],
  },
  fit: {
    summary: 'fit a cross-run law (Chinchilla, Kaplan, compute, over-training, data-limited) to a table of runs and predict new rows',
    usage: 'scaling-lens fit --law <id> --train <csv> [--predict <csv>] [--columns canonical=column,...] [--priors auto|always|never] [--json]',
    options: [
      '--law <id>               chinchilla, kaplan, compute, overtrain or datalimited',
      '--train <csv>            one row per run: columns params, tokens, flops, loss (as the law needs)',
      '--predict <csv>          rows to predict, in order',
      '--columns a=b,...        read canonical column a from column b',
      '--priors auto|always|never   published priors when the runs are few (default auto)',
      '--resamples <n>, --seed <n>   bootstrap resamples and seed',
      '--json                   JSON instead of text',
    ],
    examples: [
      'scaling-lens fit --law chinchilla --train runs.csv --predict planned.csv',
      'scaling-lens fit --law compute --train runs.csv --columns flops=total_flops,loss=val_loss',
    ],
  },
  hparams: {
    summary: 'optimal learning rate and batch size from LR/batch sweeps, refitting Step Law or DeepSeek',
    usage: `scaling-lens hparams --train <csv> --predict <csv> [--law ${HPARAM_LAW_IDS.join('|')}] [--columns canonical=column,...] [--json]`,
    options: [
      '--train <csv>            sweep runs: columns params, tokens, lr, batch_tokens, loss',
      '--predict <csv>          sizes to advise: columns params, tokens',
      `--law <id>               the law refitted on the sweep optima: ${HPARAM_LAW_IDS.join(' or ')} (default ${DEFAULT_HPARAM_LAW})`,
      '--columns a=b,...        read canonical column a from column b',
      '--resamples <n>, --seed <n>   bootstrap resamples and seed',
      '--json                   JSON instead of text',
    ],
    examples: [
      'scaling-lens hparams --train sweep.csv --predict sizes.csv',
      'scaling-lens hparams --train sweep.csv --predict sizes.csv --law deepseek --json',
    ],
  },
  estimate: {
    summary:
      "a training config's parameters, tokens, FLOPs, GPU-hours, cost, memory per GPU (and the smallest layout that fits), predicted loss and LR/batch advice",
    usage: 'scaling-lens estimate <config | folder> [--workspace <dir>] [--hardware <id>] [--mfu <0-1>] [--usd-per-hour <x>] [--json]',
    options: [
      '--workspace <dir>        calibrate the predicted loss on the runs in this folder (default: the current folder when it holds runs)',
      '--hardware <id>          H100, H200, B200, A100-80GB, A100-40GB, L40S, MI300X, TPUv5e, TPUv5p',
      '--mfu <0-1>              model FLOPs utilisation for time and cost (default 0.4)',
      '--usd-per-hour <x>       price of one accelerator-hour',
      '--json                   JSON instead of text',
    ],
    examples: [
      'scaling-lens estimate examples/configs/planned-400m --workspace examples/   loss calibrated on the bundled sweep',
      'scaling-lens estimate config.json --hardware A100-80GB --usd-per-hour 1.8',
    ],
  },
  plan: {
    summary: 'the compute-optimal model size, tokens, LR, batch, loss and cost for a budget, with alternatives',
    usage:
      "scaling-lens plan --budget <1e21 | '5000 H100-h' | '$2M'> [--params N] [--inference-tokens T] [--deadline-days d --gpus n] [--memory-cap GB] [--seq-len s] [--vocab V] [--workspace <dir> [--family name]] [--isoflop <csv> [--where col=value ...]] [--hardware <id>] [--mfu <0-1>] [--usd-per-hour <x>] [--json]",
    options: [
      "--budget <amount>        FLOPs (1e21), accelerator-hours ('5000 H100-h') or dollars ('$2M', in single quotes: the shell expands $2)",
      '--params N               fix the model size (7B, 1.3e9); only the tokens are chosen',
      '--inference-tokens T     tokens the model will serve: their cost counts against the budget',
      '--deadline-days d --gpus n   training must finish within d days on n accelerators',
      '--memory-cap GB          largest model state per accelerator',
      '--seq-len s, --vocab V   shape of the planned model (defaults 2048, 32000)',
      '--workspace <dir>        calibrate the loss on the runs in this folder (default: the current folder when it holds runs)',
      '--family <name>          which family of the workspace (default: the one with most runs)',
      '--isoflop <csv> [--where col=value]   fit an IsoFLOP frontier (columns flops, params, tokens, loss)',
      '--hardware <id>, --mfu <0-1>, --usd-per-hour <x>   as for estimate',
      '--json                   JSON instead of text',
    ],
    examples: [
      "scaling-lens plan --budget '5000 H100-h' --workspace examples/   calibrated on the bundled sweep",
      "scaling-lens plan --budget '$2M' --inference-tokens 2T            training plus serving within two million dollars",
      'scaling-lens plan --budget 1e22 --deadline-days 30 --gpus 256',
    ],
  },
  ladder: {
    summary: 'which small runs to train before a large one (shape, tokens, LR, batch, cost), and how well each pins its loss',
    usage:
      "scaling-lens ladder <config | --budget <1e22 | '5000 H100-h' | '$2M'>> [--ladder-budget <amount> | --fraction f] [--workspace <dir> [--family name]] [--max-runs n] [--seq-len s] [--seed n] [--hardware <id>] [--mfu <0-1>] [--usd-per-hour <x>] [--json] [--write <dir> [--force]]",
    options: [
      '<config>                 the target run: a training config (HF config.json, nanoGPT, torchtitan, Megatron, YAML)',
      "--budget <amount>        or the target as a compute budget (its compute-optimal N and D): 1e22, '5000 H100-h', '$2M'",
      "--ladder-budget <amount> compute for the whole ladder, in the same units (default 1% of the target's compute)",
      "--fraction f             the ladder as a fraction of the target's compute (0.01 = 1%)",
      "--workspace <dir>        the family's runs so far steer the choice (default: the current folder when it holds runs)",
      "--family <name>          which family of the workspace (default: the config's, else the one with most runs)",
      '--max-runs n             most runs to plan (default 24)',
      "--seq-len s              sequence length for LR/batch advice (default the config's, else 2048)",
      '--seed n                 ties and bootstrap (the plan is the same for the same seed)',
      '--hardware <id>, --mfu <0-1>, --usd-per-hour <x>   as for estimate',
      '--json                   the plan as JSON (the LadderPlan of core/plan/ladder.ts)',
      "--write <dir>            write the planned runs' configs as Write Configs does: <dir>/<run id>/ in the target's format (generic YAML for --budget), PLAN.md, PLAN.json, .scalinglens.yaml naming the family when the format cannot",
      '--force                  with --write: replace files that exist (else nothing is written and they are named)',
    ],
    examples: [
      'scaling-lens ladder --budget 1e22                                 empty family: the IsoFLOP recipe within 1% of 1e22 FLOPs',
      "scaling-lens ladder examples/configs/planned-400m --workspace examples/   the next runs before the bundled sweep's planned model",
      "scaling-lens ladder --budget '$2M' --ladder-budget '$20k' --hardware A100-80GB --json",
      'scaling-lens ladder configs/big.yaml --fraction 0.02 --write configs/ladder   the configs of the runs to train, beside the target',
    ],
  },
};

/** The help of one command, as printed by `scaling-lens <command> --help`. */
export function commandHelp(command: string): string | undefined {
  const h = COMMAND_HELP[command];
  if (!h) return undefined;
  return [`${h.usage}`, '', `  ${h.summary}`, '', 'Options:', ...h.options.map((o) => `  ${o}`), '', 'Examples:', ...h.examples.map((e) => `  ${e}`), ''].join(
    '\n',
  );
}

/** The overview: every command in one line and its first example. */
export function overviewHelp(): string {
  const lines = ['scaling-lens <command> [options]', '', 'Commands:'];
  const width = maxOf(Object.keys(COMMAND_HELP).map((c) => c.length));
  for (const [name, h] of Object.entries(COMMAND_HELP)) lines.push(`  ${name.padEnd(width)}  ${h.summary}`);
  lines.push('', 'Examples:');
  for (const h of Object.values(COMMAND_HELP)) lines.push(`  ${h.examples[0]}`);
  lines.push('', "Run 'scaling-lens <command> --help' for a command's options, 'scaling-lens --version' for the version.", '');
  return lines.join('\n');
}

/**
 * Answers `--version`, `--help`, `help [<command>]`, no command at all and `<command> --help`:
 * the exit code, or undefined for any other command line. The CLI's small entry bundle
 * (src/cliEntry.ts) answers these without loading the rest.
 */
export function answerHelp(argv: readonly string[], write: (text: string) => void): number | undefined {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V' || command === 'version') {
    write(`scaling-lens ${version()}\n`);
    return 0;
  }
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    // `scaling-lens help <command>` is that command's help.
    const help = command === 'help' && rest[0] ? commandHelp(rest[0]) : undefined;
    write(help ?? overviewHelp());
    return command === undefined ? 2 : 0;
  }
  if (COMMAND_HELP[command] && wantsHelp(rest)) {
    write(commandHelp(command)!);
    return 0;
  }
  return undefined;
}

/** Whether the arguments ask for help: `--help` or `-h` before a `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** The package version (package.json beside dist/ or src/). */
export function version(): string {
  // dist/cli.js (bundled) is one folder below package.json; src/cliCommands/help.ts (tests) two.
  for (const up of ['..', '../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'scaling-lens' && pkg.version) return pkg.version;
    } catch {
      /* try the next folder */
    }
  }
  return 'unknown';
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** The options a command's help lists (`--until`, `--total-steps`, …). */
function optionsOf(command: string): string[] {
  const h = COMMAND_HELP[command];
  return h ? [...new Set([...h.usage.matchAll(/--[a-z-]+/g), ...h.options.join(' ').matchAll(/--[a-z-]+/g)].map((m) => m[0]))] : [];
}

/**
 * A parser error in words: `unknown option --unitl (did you mean --until?)`, then where to look.
 * Node's own message ("To specify a positional argument starting with a '-' …") is not shown.
 */
export function friendlyParseError(command: string, error: { code?: string; message: string }): string {
  const unknown = /Unknown option '([^']+)'/.exec(error.message);
  let what: string;
  if (unknown) {
    const option = unknown[1];
    const near = optionsOf(command)
      .map((o) => ({ o, d: distance(o, option) }))
      .sort((a, b) => a.d - b.d)[0];
    what = `unknown option ${option}${near && near.d <= 3 ? ` (did you mean ${near.o}?)` : ''}`;
  } else {
    const missing = /Option '(?:-\w, )?(--[a-z-]+)[^']*' argument missing/.exec(error.message);
    const noValue = /Option '(?:-\w, )?(--[a-z-]+)' does not take an argument/.exec(error.message);
    const positional = /Unexpected argument '([^']+)'/.exec(error.message);
    what = missing
      ? `${missing[1]} needs a value`
      : noValue
        ? `${noValue[1]} takes no value`
        : positional
          ? `unexpected argument ${positional[1]}`
          : error.message.split('. ')[0];
  }
  const usage = COMMAND_HELP[command]?.usage;
  return `scaling-lens ${command}: ${what}\n${usage ? `usage: ${usage}\n` : ''}Run 'scaling-lens ${command} --help' for its options and examples.\n`;
}
