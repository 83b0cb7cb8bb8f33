// `scaling-lens`: the same core as the extension, headless. Every command prints text for people
// or, with --json, the documented JSON (README) for scripts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ScalingWorkspace } from './core/workspace';
import { fittedAsTheyLand } from './core/engine/fitWaits';
import { isDefaultLogFile } from './core/runs/logGlobs';
import { currentFolderWithRuns } from './cliCommands/logFilesUnder';
import { WORKSPACE_FILE_NAME } from './core/runs/workspaceFile';
import { isInside } from './core/runs/fileGate';
import { compileUserPatterns } from './core/runs/textLogPatterns';
import { nameWithPath, runNamer } from './shared/displayName';
import type { FamilyLaw } from './core/snapshot';
import type { Snapshot } from './shared/protocol';
import type { Fitter } from './core/fitJobs';
import { FitClient } from './worker/fitClient';
import { formatDiagnostic } from './core/diagnostics';
import { formatCount, formatInterval, formatLoss } from './shared/format';
import { scheduleAssumedShort } from './shared/scheduleAssumed';
import { estimateCommand, type CliContext } from './cliCommands/estimate';
import { planCommand } from './cliCommands/plan';
import { ladderCommand } from './cliCommands/ladder';
import { writeLadderFiles } from './cliCommands/ladderWrite';
import { shapeParamsOfConfig } from './core/plan/ladderConfigs';
import { answerHelp, COMMAND_HELP, friendlyParseError, overviewHelp } from './cliCommands/help';
import { CommandUsageError } from './cliCommands/fitShared';
import { groupDiagnostics } from './cliCommands/diagnosticGroups';
import { fitCommand } from './cliCommands/fit';
import { curveCommand } from './cliCommands/curve';
import { hparamsCommand } from './cliCommands/hparams';
import type { HardwareSettings } from './core/plan/hardware';
import { appendAll } from './shared/arrays';
import { idleOptions, SCAN_OPTIONS } from './core/optionScope';

class UsageError extends Error {}

/**
 * The log files under `target`, in a walk that stays inside `root`: a link to a folder outside it is
 * not followed, a folder reached twice (a link loop, two links to one folder) is listed once (by
 * device and inode). Files are listed whatever they are (a pipe, a link out): the engine's gate
 * decides and says why it skips one. What the walk itself skips goes to `skipped`.
 */
function walk(target: string, root: string, out: string[], skipped: { path: string; message: string }[], limit = 50_000): void {
  // Not `out` or `dist`: nanoGPT and others write runs there.
  const skip = new Set(['node_modules', '.git', '.vscode-test', '.venv', '__pycache__']);
  const realRoot = realPathOf(root) ?? root;
  const seenDirs = new Map<string, string>();
  const stack = [target];
  while (stack.length && out.length < limit) {
    const current = stack.pop()!;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENAMETOOLONG') tooDeep(current, root, skipped);
      else process.stderr.write(`scaling-lens: cannot read ${current}: ${(error as Error).message}\n`);
      continue;
    }
    if (stat.isSymbolicLink()) {
      let target_: fs.Stats;
      try {
        target_ = fs.statSync(current);
      } catch {
        if (isDefaultLogFile(current)) out.push(current); // a dangling link: the gate reports it
        continue;
      }
      if (!target_.isDirectory()) {
        if (current === target || isDefaultLogFile(current)) out.push(current);
        continue;
      }
      const real = realPathOf(current);
      if (real === undefined || !isInside(real, realRoot)) {
        skipped.push({ path: current, message: `a link to the folder ${real ?? '?'}, outside the workspace folder; not followed` });
        continue;
      }
      stat = target_;
    }
    if (!stat.isDirectory()) {
      if (current === target || isDefaultLogFile(current)) out.push(current);
      continue;
    }
    const identity = `${stat.dev}:${stat.ino}`;
    const first = seenDirs.get(identity);
    if (first !== undefined) {
      skipped.push({ path: current, message: `the same folder as ${first} (a link loop or a second link to it); read once` });
      continue;
    }
    seenDirs.set(identity, current);
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

/**
 * A folder chain nested past the system's path limit (a runaway script's `mkdir -p a/a/a/…`): said
 * once, on its top folder in the workspace, with the depth reached; not thousands of lines each
 * quoting a 4 kB path.
 */
function tooDeep(current: string, root: string, skipped: { path: string; message: string }[]): void {
  const parts = path.relative(root, current).split(path.sep);
  // The chain's top: the parent of the run of folders named like the deepest one (a/a/a/…), else the first folder below the root.
  let first = parts.length - 1;
  while (first > 0 && parts[first - 1] === parts[parts.length - 1]) first--;
  let top = parts.slice(0, Math.max(first, 1));
  if (top.join(path.sep).length > 300) top = parts.slice(0, 1);
  const topPath = path.join(root, ...top);
  if (skipped.some((s) => s.path === topPath && s.message.startsWith('folders nested'))) return;
  skipped.push({
    path: topPath,
    message: `folders nested ${(parts.length - top.length).toLocaleString('en-US')} deep below it make a path of ${current.length.toLocaleString('en-US')} characters, longer than the system allows: what lies deeper is not read`,
  });
}

function realPathOf(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

function loadWorkspace(paths: string[], hardware?: HardwareSettings, textLogPatterns?: string[], fitter?: Fitter): ScalingWorkspace {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware, textLogPatterns, fitter });
  for (const p of paths) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) throw new UsageError(`no such file or folder: ${p}`);
    const root = fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
    const files: string[] = [];
    const skipped: { path: string; message: string }[] = [];
    walk(abs, root, files, skipped);
    for (const s of skipped) engine.noteSkipped(s.path, s.message);
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

/** Never answers: `scan --no-fit` lists the runs as read, without a fit. */
const noFitter: Fitter = { fit: () => undefined };

/** The bundled fitting thread next to this script (dist/fitThread.js); absent when run from source. */
function fitThreadScript(): string | undefined {
  const script = path.join(__dirname, 'fitThread.js');
  return fs.existsSync(script) ? script : undefined;
}

/**
 * The snapshot once every fit it asks for has landed, the fits spread over `threads` fitting
 * threads. Progress goes to stderr once the work has taken a second: redrawn in place on a
 * terminal, a line every few seconds otherwise.
 */
async function fittedSnapshot(engine: ScalingWorkspace, fits: FitClient, landed: () => number): Promise<Snapshot> {
  const started = performance.now();
  const tty = process.stderr.isTTY === true;
  let shownAt = 0;
  let shown = false;
  const progress = () => {
    const now = performance.now();
    if (now - started < 1000 || now - shownAt < (tty ? 100 : 5000)) return;
    shownAt = now;
    shown = true;
    const done = landed();
    const text = `scaling-lens: fitting ${done}/${done + fits.pending} (${fits.threads} thread${fits.threads === 1 ? '' : 's'}, ${((now - started) / 1000).toFixed(0)} s)`;
    process.stderr.write(tty ? `\r${text}` : `${text}\n`);
  };
  const timer = setInterval(progress, 100);
  try {
    // A family's law needs its runs' points first, its over-training law the family law: each is
    // asked for as its inputs land, beside the curves still queued.
    const r = await fittedAsTheyLand(fits, () => engine.snapshot(), { rounds: 11, waitMs: 24 * 3600_000 });
    return r.value;
  } finally {
    clearInterval(timer);
    if (shown && tty) process.stderr.write('\r\x1b[K');
    else if (shown) process.stderr.write(`scaling-lens: fitted ${landed()} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

async function scan(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: SCAN_OPTIONS,
  });
  if (positionals.length === 0) throw new UsageError('scan needs at least one path');
  const idle = idleOptions('scan', values);
  if (idle.length) throw new UsageError(idle.join('; '));
  const textPatterns = values['text-pattern'] ?? [];
  // A pattern typed on the command line that cannot be used is a usage error, not a diagnostic.
  const rejected = compileUserPatterns(textPatterns, (i) => `--text-pattern ${JSON.stringify(textPatterns[i])}`).diagnostics;
  if (rejected.length > 0) throw new UsageError(rejected.map((d) => d.message).join('\n'));
  const threads = values.threads === undefined ? Math.max(1, os.availableParallelism()) : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a whole number ≥ 1 (got ${values.threads})`);
  const noFit = values['no-fit'] === true;
  const script = noFit ? undefined : fitThreadScript();
  let snapshot: Snapshot;
  if (script) {
    // The fits run in a pool of threads (the same fits as in this thread: same inputs, same seed).
    let landed = 0;
    const fits = new FitClient({
      scriptPath: script,
      budgetMs: () => 24 * 3600_000,
      onFitted: () => landed++,
      log: (level, message) => level !== 'info' && process.stderr.write(`scaling-lens: ${message}\n`),
      threads,
    });
    try {
      snapshot = await fittedSnapshot(loadWorkspace(positionals, undefined, textPatterns, fits), fits, () => landed);
    } finally {
      fits.dispose();
    }
  } else snapshot = loadWorkspace(positionals, undefined, textPatterns, noFit ? noFitter : undefined).snapshot();
  const runs = snapshot.runs.map((r) => ({
    id: r.id,
    name: r.name,
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
    metrics: r.metricChoice,
    health: r.health,
    prediction: r.curve
      ? {
          law: r.curve.lawId,
          targetStep: r.curve.targetStep,
          predictedFinal: r.curve.predictedFinal.value,
          interval: r.curve.predictedFinal.interval,
          provenance: r.curve.provenance ?? 'from this run alone',
          ...(r.curve.scheduleAssumedFrom !== undefined ? { scheduleAssumedFrom: r.curve.scheduleAssumedFrom } : {}),
          ...(r.curve.alone ? { alone: { predictedFinal: r.curve.alone.value, interval: r.curve.alone.interval }, siblings: r.curve.siblings } : {}),
        }
      : undefined,
    diagnostics: r.diagnostics.map(formatDiagnostic),
  }));
  print(values.json ?? false, { runs, families: snapshot.families, diagnostics: snapshot.diagnostics.map(formatDiagnostic) }, () => {
    const lines = [`${runs.length} run(s)`];
    // Runs by their display names, as the extension shows them (the path where the name does not say it).
    const name = runNamer(snapshot.runs);
    for (const r of snapshot.runs) {
      const h = r.hyper;
      const size = h.params !== undefined ? `${formatCount(h.params)} params` : 'params ?';
      const tokens = h.tokens !== undefined ? `${formatCount(h.tokens)} tokens` : 'tokens ?';
      const from =
        r.curve?.provenance === 'from siblings'
          ? ` from siblings (this run alone: ${formatLoss(r.curve.alone!.value)} ${formatInterval(r.curve.alone!.interval)})`
          : ' from this run alone';
      const pred = r.curve
        ? ` → ${formatLoss(r.curve.predictedFinal.value)} ${formatInterval(r.curve.predictedFinal.interval)} at step ${r.curve.targetStep}${from}${r.curve.scheduleAssumedFrom !== undefined ? `, ${scheduleAssumedShort(r.curve.scheduleAssumedFrom)}` : ''}`
        : '';
      lines.push(
        `  ${nameWithPath(r)}  [${r.format}, ${r.status}]  ${size}, ${tokens}, ${r.points} points, last step ${r.lastStep ?? '?'} loss ${r.lastLoss !== undefined ? formatLoss(r.lastLoss) : '?'}${pred}${r.excluded ? ` (${r.excluded})` : ''}`,
      );
      if (r.metricChoice) lines.push(`    ${r.metricChoice}`);
      // What went wrong (or happened) in the run: divergence, plateau, spikes, restarts.
      if (r.health && r.health.state !== 'ok')
        lines.push(`    ${r.health.state}: ${r.health.reason}${r.health.excludeFromFits ? '; no finish forecast, left out of family fits' : ''}`);
      for (const e of r.health?.events ?? []) if (e.kind === 'restart' || e.kind === 'spike' || e.kind === 'forecast-break') lines.push(`    ${e.note}`);
    }
    for (const f of snapshot.families) {
      if (noFit) lines.push(`family ${f.family}${f.guessed ? ' (guessed)' : ''}: ${f.runIds.length} run(s), not fitted (--no-fit)${familyExtras(f)}`);
      else if (f.fit) {
        const p = Object.entries(f.fit.parameters)
          .map(([k, v]: [string, { value: number }]) => `${k}=${v.value.toPrecision(4)}`)
          .join(' ');
        lines.push(`family ${f.family}${f.guessed ? ' (guessed)' : ''}: ${f.fit.lawId} on ${f.runIds.length} run(s): ${p}${familyExtras(f)}`);
      } else lines.push(`family ${f.family}${f.guessed ? ' (guessed)' : ''}: ${f.error}${familyExtras(f)}`);
      if (f.anchoredRunIds?.length) lines.push(`  anchored on the forecast end of ${f.anchoredRunIds.map(name).join(', ')} (still training)`);
      for (const o of f.leftOut ?? []) lines.push(`  left out: ${name(o.runId)} (${o.reason})`);
      for (const w of f.fitWarnings ?? []) lines.push(`  warning: ${w}`);
      // How a guessed family was guessed (every run of it was guessed alike).
      const why = f.guessed ? snapshot.runs.find((r) => r.family === f.family && r.familyReason)?.familyReason : undefined;
      if (why) lines.push(`  ${why}`);
    }
    if (snapshot.diagnostics.length) {
      // Paths relative to what was scanned; runs of one problem in one file said once.
      const scanned = positionals.map((p) => {
        const abs = path.resolve(p);
        return fs.existsSync(abs) && fs.statSync(abs).isFile() ? path.dirname(abs) : abs;
      });
      appendAll(lines, [`${snapshot.diagnostics.length} diagnostic(s):`, ...groupDiagnostics(snapshot.diagnostics, scanned).map((line) => `  ${line}`)]);
    }
    return lines.join('\n');
  });
  return 0;
}

const CLI_CONTEXT: CliContext = {
  loadWorkspace,
  defaultWorkspace: currentFolderWithRuns,
  emptyWorkspace: (hardware) => new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware }),
  usage: (message) => new UsageError(message),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  writeLadder: writeLadderFiles,
  shapeParamsOf: shapeParamsOfConfig,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const answered = answerHelp(argv, (text) => process.stdout.write(text));
  if (answered !== undefined) return answered;
  try {
    switch (command) {
      case 'scan':
        return await scan(rest);
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
      case 'ladder':
        return ladderCommand(rest, CLI_CONTEXT);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const e = error as { code?: string; message: string };
    if (!COMMAND_HELP[command]) {
      process.stderr.write(`scaling-lens: ${e.message}\n\n${overviewHelp()}`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof CommandUsageError) {
      // Our own message, then where to look: not the whole usage of every command.
      process.stderr.write(`scaling-lens ${command}: ${e.message}\nRun 'scaling-lens ${command} --help' for its options and examples.\n`);
      return 2;
    }
    if (e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(friendlyParseError(command, e));
      return 2;
    }
    process.stderr.write(`scaling-lens ${command}: ${e.message}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
