// Issue 17, "options that do nothing in the chosen mode" are said: the table of which option applies
// to which command and mode (core/optionScope.ts) covers every option each parser accepts, every
// option the help lists and every setting package.json declares; and each option's idle mode is a
// usage error naming it, its applying mode is not. Commands run as the CLI runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI_OPTION_SCOPE, SCAN_OPTIONS, SETTING_SCOPE, idleOptions, idleSettings, type OptionValues, type SettingFacts } from '../../src/core/optionScope';
import { COMMAND_HELP } from '../../src/cliCommands/help';
import { CURVE_OPTIONS, curveCommand } from '../../src/cliCommands/curve';
import { FIT_OPTIONS } from '../../src/cliCommands/fit';
import { HPARAMS_OPTIONS, hparamsCommand } from '../../src/cliCommands/hparams';
import { ESTIMATE_OPTIONS, type CliContext } from '../../src/cliCommands/estimate';
import { PLAN_OPTIONS, planCommand } from '../../src/cliCommands/plan';
import { LADDER_OPTIONS, ladderCommand } from '../../src/cliCommands/ladder';
import { writeLadderFiles } from '../../src/cliCommands/ladderWrite';
import { CommandUsageError, type CommandIo } from '../../src/cliCommands/fitShared';
import { ScalingWorkspace } from '../../src/core/workspace';
import { tempDir } from './helpers/tempDir';

const repo = path.resolve(__dirname, '../..');
const PARSERS: Record<keyof typeof CLI_OPTION_SCOPE, Record<string, unknown>> = {
  scan: SCAN_OPTIONS,
  curve: CURVE_OPTIONS,
  fit: FIT_OPTIONS,
  hparams: HPARAMS_OPTIONS,
  estimate: ESTIMATE_OPTIONS,
  plan: PLAN_OPTIONS,
  ladder: LADDER_OPTIONS,
};

test('the table places every option each command parses, and only those', () => {
  assert.deepEqual(Object.keys(CLI_OPTION_SCOPE).sort(), Object.keys(COMMAND_HELP).sort(), 'one table per command');
  for (const [command, parser] of Object.entries(PARSERS)) {
    assert.deepEqual(Object.keys(CLI_OPTION_SCOPE[command as keyof typeof CLI_OPTION_SCOPE]).sort(), Object.keys(parser).sort(), command);
  }
});

test('the help lists every option the table places, and no other', () => {
  for (const [command, help] of Object.entries(COMMAND_HELP)) {
    const listed = new Set([...`${help.usage} ${help.options.join(' ')}`.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
    assert.deepEqual([...listed].sort(), Object.keys(CLI_OPTION_SCOPE[command as keyof typeof CLI_OPTION_SCOPE]).sort(), command);
  }
});

test('every setting package.json declares is placed in the settings table', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[] };
  };
  const sections = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
  const declared = sections.flatMap((s) => Object.keys(s.properties)).sort();
  assert.deepEqual(Object.keys(SETTING_SCOPE).sort(), declared);
});

// ---- each conditional option: idle in one mode (a usage error naming it), applying in another ------

class Usage extends Error {}
const dir = tempDir('sl-optscope-');
const log = path.join(dir, 'metrics.jsonl');
fs.writeFileSync(log, Array.from({ length: 20 }, (_, i) => JSON.stringify({ step: (i + 1) * 10, loss: 3 - i * 0.01 })).join('\n') + '\n');
const io: CommandIo = { stdout: () => undefined, stderr: () => undefined };
/** A CLI context; `withRuns`: the current folder holds a run (the one log below). */
const ctx = (withRuns = false): CliContext => ({
  loadWorkspace: () => {
    const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
    if (withRuns) engine.update(log, dir);
    return engine;
  },
  defaultWorkspace: () => (withRuns ? dir : undefined),
  emptyWorkspace: (hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
  usage: (m) => new Usage(m),
  stdout: () => undefined,
  stderr: () => undefined,
});

/** The usage error a command gives for `args`, or '' when it gives none. */
function usageOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof Usage || e instanceof CommandUsageError) return e.message;
    // Another failure (a file the case does not provide) is not a usage error about options.
    return '';
  }
  return '';
}

/** The scan command through the real entry point (cli.ts starts the CLI when imported). */
function scanUsage(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli.ts'), 'scan', ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  return r.status === 2 ? r.stderr : '';
}

const curve = (args: string[]) =>
  usageOf(() => curveCommand([log, ...args, '--resamples', args.includes('--resamples') ? args[args.indexOf('--resamples') + 1] : '2'], io));

interface Case {
  /** Arguments in which the option does nothing, and in which it applies. */
  idle: () => string;
  applies: () => string;
}

const CASES: Record<string, Case> = {
  'scan --threads': { idle: () => scanUsage([dir, '--no-fit', '--threads', '2']), applies: () => scanUsage([dir, '--threads', '1', '--json']) },
  'curve --total-steps': {
    idle: () => curve(['--total-steps', '400']),
    applies: () => curve(['--schedule', 'cosine', '--peak-lr', '3e-4', '--total-steps', '400']),
  },
  'curve --warmup-steps': {
    idle: () => curve(['--warmup-steps', '20']),
    applies: () => curve(['--schedule', 'cosine', '--peak-lr', '3e-4', '--warmup-steps', '20']),
  },
  'curve --peak-lr': { idle: () => curve(['--peak-lr', '3e-4']), applies: () => curve(['--schedule', 'constant', '--peak-lr', '3e-4']) },
  'curve --min-lr': {
    idle: () => curve(['--schedule', 'constant', '--peak-lr', '3e-4', '--min-lr', '3e-5']),
    applies: () => curve(['--schedule', 'cosine', '--peak-lr', '3e-4', '--min-lr', '3e-5']),
  },
  'curve --decay-steps': {
    idle: () => curve(['--schedule', 'cosine', '--peak-lr', '3e-4', '--decay-steps', '50']),
    applies: () => curve(['--schedule', 'wsd', '--peak-lr', '3e-4', '--decay-steps', '50']),
  },
  'curve --seed': { idle: () => curve(['--seed', '3', '--resamples', '0']), applies: () => curve(['--seed', '3', '--resamples', '2']) },
  'hparams --seed': {
    idle: () => usageOf(() => hparamsCommand(['--seed', '3', '--resamples', '0'], io)),
    applies: () => usageOf(() => hparamsCommand(['--seed', '3', '--resamples', '5'], io)),
  },
  'plan --deadline-days': {
    idle: () => usageOf(() => planCommand(['--budget', '1e21', '--deadline-days', '30'], ctx())),
    applies: () => usageOf(() => planCommand(['--budget', '1e21', '--deadline-days', '30', '--gpus', '64'], ctx())),
  },
  // A workspace comes from --workspace or from runs in the current folder.
  'plan --family': {
    idle: () => usageOf(() => planCommand(['--budget', '1e21', '--family', 'web'], ctx())),
    applies: () => usageOf(() => planCommand(['--budget', '1e21', '--family', 'web', '--workspace', dir], ctx())),
  },
  'ladder --family': {
    idle: () => usageOf(() => ladderCommand(['--budget', '1e21', '--family', 'web'], ctx())),
    applies: () => usageOf(() => ladderCommand(['--budget', '1e21', '--family', 'web', '--workspace', dir], ctx())),
  },
  'ladder --force': {
    idle: () => usageOf(() => ladderCommand(['--budget', '1e21', '--max-runs', '1', '--force'], ctx())),
    applies: () =>
      usageOf(() =>
        ladderCommand(['--budget', '1e21', '--max-runs', '1', '--force', '--write', path.join(dir, 'ladder')], { ...ctx(), writeLadder: writeLadderFiles }),
      ),
  },
  'plan --where': {
    idle: () => usageOf(() => planCommand(['--budget', '1e21', '--where', 'a=b'], ctx())),
    applies: () => usageOf(() => planCommand(['--budget', '1e21', '--where', 'a=b', '--isoflop', path.join(dir, 'absent.csv')], ctx())),
  },
};

test('every conditional option has a case: idle, it is a usage error naming it; applying, it is not', () => {
  const conditional = Object.entries(CLI_OPTION_SCOPE).flatMap(([command, table]) =>
    Object.entries(table)
      .filter(([, s]) => 'appliesWhen' in s)
      .map(([o]) => `${command} --${o}`),
  );
  assert.deepEqual(Object.keys(CASES).sort(), conditional.sort(), 'a case for each conditional option');
  for (const [name, c] of Object.entries(CASES)) {
    const flag = name.split(' ')[1];
    const idle = c.idle();
    assert.match(idle, new RegExp(`${flag}( |, --[a-z-]+ )do(es)? nothing`), `${name} idle: ${idle || '(accepted)'}`);
    const applies = c.applies();
    assert.ok(!applies.includes(`${flag} does nothing`) && !/do nothing/.test(applies), `${name} applying: ${applies}`);
  }
});

test('idle flags of one reason are said in one sentence; plan --family counts runs in the current folder', () => {
  assert.deepEqual(idleOptions('curve', { 'total-steps': '10', 'peak-lr': '1e-3' }), ['--total-steps, --peak-lr do nothing without --schedule']);
  assert.deepEqual(idleOptions('curve', { schedule: 'step', 'peak-lr': '1e-3', 'min-lr': '1e-5', 'decay-steps': '10' }).length, 2);
  const values: OptionValues = { budget: '1e21', family: 'web' };
  assert.equal(idleOptions('plan', values, { workspace: false }).length, 1);
  assert.deepEqual(idleOptions('plan', values, { workspace: true }), []);
  assert.equal(usageOf(() => planCommand(['--budget', '1e21', '--family', 'web'], ctx(false))).includes('--family does nothing'), true);
  // Runs in the current folder calibrate the plan without --workspace: --family applies.
  assert.equal(
    usageOf(() => planCommand(['--budget', '1e21', '--family', 'web'], ctx(true))),
    '',
  );
});

test('settings that do nothing as set are said: polling interval without polling, links and workspace patterns in Restricted Mode', () => {
  const base: SettingFacts = { trusted: true, polling: 'auto', pollingIntervalSet: false, followLinksOutsideSet: false, workspaceSetRestricted: [] };
  assert.deepEqual(idleSettings(base), []);
  assert.deepEqual(idleSettings({ ...base, polling: 'never', pollingIntervalSet: true }), [
    'scalingLens.watch.pollingIntervalMs does nothing while scalingLens.watch.polling is "never" (no folder is polled)',
  ]);
  assert.deepEqual(idleSettings({ ...base, polling: 'always', pollingIntervalSet: true }), []);
  assert.deepEqual(idleSettings({ ...base, followLinksOutsideSet: true }), []);
  assert.deepEqual(idleSettings({ ...base, trusted: false, followLinksOutsideSet: true }), [
    'scalingLens.files.followLinksOutside is ignored in Restricted Mode: files outside the workspace folder are not read',
  ]);
  const restricted = idleSettings({ ...base, trusted: false, workspaceSetRestricted: ['scalingLens.textLog.patterns', 'scalingLens.logGlobs'] });
  assert.equal(restricted.length, 2);
  assert.ok(restricted.every((m) => m.endsWith('set by this workspace is ignored in Restricted Mode (only your user setting counts)')));
});
