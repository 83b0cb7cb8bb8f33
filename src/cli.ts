// `scaling-lens`: the same core as the extension, headless. Every command prints text for people
// or, with --json, the documented JSON (README) for scripts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ScalingWorkspace } from './core/workspace';
import { isDefaultLogFile } from './core/runs/logGlobs';
import { WORKSPACE_FILE_NAME } from './core/runs/workspaceFile';
import { compileUserPatterns } from './core/runs/textLogPatterns';
import type { FamilyLaw } from './core/snapshot';
import { formatDiagnostic } from './core/diagnostics';
import { formatCount, formatInterval, formatLoss } from './shared/format';
import { estimateCommand, ESTIMATE_USAGE, type CliContext } from './cliCommands/estimate';
import { planCommand, PLAN_USAGE } from './cliCommands/plan';
import { fitCommand } from './cliCommands/fit';
import { curveCommand } from './cliCommands/curve';
import { hparamsCommand } from './cliCommands/hparams';
import type { HardwareSettings } from './core/plan/hardware';

const USAGE = `scaling-lens <command> [options]

Commands:
  scan <path...> [--text-pattern <regex>]... [--json]
                                                runs, formats, hyperparameters, metrics, diagnostics; each
                                                --text-pattern reads plain-text logs of your own format (as the
                                                scalingLens.textLog.patterns setting: named groups step and
                                                loss or eval_loss, optional lr and tokens)
  fit --law <id> --train <csv> [--predict <csv>] [--columns canonical=column,...] [--json]
                                                fit a cross-run law (chinchilla, kaplan, compute, overtrain,
                                                datalimited; columns params,tokens,flops,loss) and predict
  curve <log file> [--until <fraction|step>] [--law power|bnsl|multipower|annealing] [--json]
                                                fit a run's loss curve and predict its loss at the schedule's end
  hparams --train <csv> --predict <csv> [--law steplaw|deepseek] [--json]
                                                optimal lr and batch from sweeps (params,tokens,lr,batch_tokens,loss)
${ESTIMATE_USAGE}
${PLAN_USAGE}
`;

class UsageError extends Error {}

function walk(target: string, out: string[], limit = 50_000): void {
  // Not `out` or `dist`: nanoGPT and others write runs there.
  const skip = new Set(['node_modules', '.git', '.vscode-test', '.venv', '__pycache__']);
  const stack = [target];
  while (stack.length && out.length < limit) {
    const current = stack.pop()!;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(current);
    } catch (error) {
      process.stderr.write(`scaling-lens: cannot read ${current}: ${(error as Error).message}\n`);
      continue;
    }
    if (stat.isFile()) {
      if (current === target || isDefaultLogFile(current)) out.push(current);
      continue;
    }
    if (!stat.isDirectory()) continue;
    let entries: string[];
    try {
      entries = fs.readdirSync(current).sort();
    } catch (error) {
      process.stderr.write(`scaling-lens: cannot list ${current}: ${(error as Error).message}\n`);
      continue;
    }
    for (const name of entries.reverse()) if (!skip.has(name)) stack.push(path.join(current, name));
  }
}

function loadWorkspace(paths: string[], hardware?: HardwareSettings, textLogPatterns?: string[]): ScalingWorkspace {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware, textLogPatterns });
  for (const p of paths) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) throw new UsageError(`no such file or folder: ${p}`);
    const root = fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
    const files: string[] = [];
    walk(abs, files);
    for (const file of files.sort()) engine.update(file, root);
    // The folder's own families, overrides and pinned fits, when it has them.
    const workspaceFile = path.join(root, WORKSPACE_FILE_NAME);
    if (fs.existsSync(workspaceFile)) engine.update(workspaceFile, root);
  }
  return engine;
}

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** What `.scalinglens.yaml` added to a family, for the scan text. */
function familyExtras(f: FamilyLaw): string {
  const parts: string[] = [];
  if (f.source === 'workspace-file') parts.push('named in .scalinglens.yaml');
  if (f.pinned) parts.push(`pinned to ${f.pinned.law} at ${f.pinned.file}:${f.pinned.line}`);
  if (f.excludedRunIds?.length) parts.push(`excluded: ${f.excludedRunIds.join(', ')}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function scan(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, 'text-pattern': { type: 'string', multiple: true } } });
  if (positionals.length === 0) throw new UsageError('scan needs at least one path');
  const textPatterns = values['text-pattern'] ?? [];
  // A pattern typed on the command line that cannot be used is a usage error, not a diagnostic.
  const rejected = compileUserPatterns(textPatterns, (i) => `--text-pattern ${JSON.stringify(textPatterns[i])}`).diagnostics;
  if (rejected.length > 0) throw new UsageError(rejected.map((d) => d.message).join('\n'));
  const snapshot = loadWorkspace(positionals, undefined, textPatterns).snapshot();
  const runs = snapshot.runs.map((r) => ({
    id: r.id,
    format: r.format,
    status: r.status,
    family: r.family,
    familySource: r.familySource,
    familyReason: r.familyReason,
    excluded: r.excluded,
    files: r.files,
    hyper: r.hyper,
    points: r.points,
    lastStep: r.lastStep,
    lastLoss: r.lastLoss,
    health: r.health,
    prediction: r.curve
      ? { law: r.curve.lawId, targetStep: r.curve.targetStep, predictedFinal: r.curve.predictedFinal.value, interval: r.curve.predictedFinal.interval, provenance: r.curve.provenance ?? 'from this run alone', ...(r.curve.alone ? { alone: { predictedFinal: r.curve.alone.value, interval: r.curve.alone.interval }, siblings: r.curve.siblings } : {}) }
      : undefined,
    diagnostics: r.diagnostics.map(formatDiagnostic),
  }));
  print(values.json ?? false, { runs, families: snapshot.families, diagnostics: snapshot.diagnostics.map(formatDiagnostic) }, () => {
    const lines = [`${runs.length} run(s)`];
    for (const r of snapshot.runs) {
      const h = r.hyper;
      const size = h.params !== undefined ? `${formatCount(h.params)} params` : 'params ?';
      const tokens = h.tokens !== undefined ? `${formatCount(h.tokens)} tokens` : 'tokens ?';
      const from = r.curve?.provenance === 'from siblings' ? ` from siblings (this run alone: ${formatLoss(r.curve.alone!.value)} ${formatInterval(r.curve.alone!.interval)})` : '';
      const pred = r.curve ? ` → ${formatLoss(r.curve.predictedFinal.value)} ${formatInterval(r.curve.predictedFinal.interval)} at step ${r.curve.targetStep}${from}` : '';
      lines.push(`  ${r.id}  [${r.format}, ${r.status}]  ${size}, ${tokens}, ${r.points} points, last step ${r.lastStep ?? '?'} loss ${r.lastLoss !== undefined ? formatLoss(r.lastLoss) : '?'}${pred}${r.excluded ? ` (${r.excluded})` : ''}`);
      // What went wrong (or happened) in the run: divergence, plateau, spikes, restarts.
      if (r.health && r.health.state !== 'ok') lines.push(`    ${r.health.state}: ${r.health.reason}${r.health.excludeFromFits ? '; no finish forecast, left out of family fits' : ''}`);
      for (const e of r.health?.events ?? []) if (e.kind === 'restart' || e.kind === 'spike') lines.push(`    ${e.note}`);
    }
    for (const f of snapshot.families) {
      if (f.fit) {
        const p = Object.entries(f.fit.parameters).map(([k, v]: [string, { value: number }]) => `${k}=${v.value.toPrecision(4)}`).join(' ');
        lines.push(`family ${f.family}${f.guessed ? ' (guessed)' : ''}: ${f.fit.lawId} on ${f.runIds.length} run(s): ${p}${familyExtras(f)}`);
      } else lines.push(`family ${f.family}${f.guessed ? ' (guessed)' : ''}: ${f.error}${familyExtras(f)}`);
      if (f.anchoredRunIds?.length) lines.push(`  anchored on the forecast end of ${f.anchoredRunIds.join(', ')} (still training)`);
      for (const o of f.leftOut ?? []) lines.push(`  left out: ${o.runId} (${o.reason})`);
      // How a guessed family was guessed (every run of it was guessed alike).
      const why = f.guessed ? snapshot.runs.find((r) => r.family === f.family && r.familyReason)?.familyReason : undefined;
      if (why) lines.push(`  ${why}`);
    }
    if (snapshot.diagnostics.length) lines.push(`${snapshot.diagnostics.length} diagnostic(s):`, ...snapshot.diagnostics.map((d) => `  ${formatDiagnostic(d)}`));
    return lines.join('\n');
  });
  return 0;
}

const CLI_CONTEXT: CliContext = {
  loadWorkspace,
  emptyWorkspace: (hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
  usage: (message) => new UsageError(message),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return scan(rest);
      case 'fit':
        return fitCommand(rest);
      case 'curve':
        return curveCommand(rest);
      case 'hparams':
        return hparamsCommand(rest);
      case 'estimate':
        return estimateCommand(rest, CLI_CONTEXT);
      case 'plan':
        return planCommand(rest, CLI_CONTEXT);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`scaling-lens: ${(error as Error).message}\n${usage ? `\n${USAGE}` : ''}`);
    return usage ? 2 : 1;
  }
}

process.exitCode = main(process.argv.slice(2));
