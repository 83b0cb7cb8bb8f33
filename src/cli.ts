// `scaling-lens`: the same core as the extension, headless. Every command prints text for people
// or, with --json, the documented JSON (README) for scripts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ScalingWorkspace, trainLoss, MODEL_CONFIG_FILE } from './core/workspace';
import { isDefaultLogFile } from './shared/logFiles';
import { fitCrossRun, predictCrossRun, smoothedFinalLoss } from './core/fit/crossRun';
import { fitCurve } from './core/fit/curve';
import { formatDiagnostic } from './core/diagnostics';
import { formatCount, formatFlops, formatInterval, formatLoss } from './shared/format';
import { parseCsvTable } from './core/table';

const USAGE = `scaling-lens <command> [options]

Commands:
  scan <path...> [--json]                       runs, formats, hyperparameters, metrics, diagnostics
  fit --law chinchilla --train <csv> [--predict <csv>] [--json]
                                                fit a cross-run law (columns params,tokens,loss)
  curve <log file> [--until <fraction|step>] [--json]
                                                fit a run's loss curve and predict its final loss
  estimate <config.json | folder> [--workspace <dir>] [--json]
                                                parameters, FLOPs and predicted loss of a config
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

function loadWorkspace(paths: string[]): ScalingWorkspace {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const p of paths) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) throw new UsageError(`no such file or folder: ${p}`);
    const root = fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
    const files: string[] = [];
    walk(abs, files);
    for (const file of files.sort()) engine.update(file, root);
  }
  return engine;
}

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

function scan(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length === 0) throw new UsageError('scan needs at least one path');
  const snapshot = loadWorkspace(positionals).snapshot();
  const runs = snapshot.runs.map((r) => ({
    id: r.id,
    format: r.format,
    status: r.status,
    files: r.files,
    hyper: r.hyper,
    points: r.points,
    lastStep: r.lastStep,
    lastLoss: r.lastLoss,
    prediction: r.curve ? { law: r.curve.lawId, targetStep: r.curve.targetStep, predictedFinal: r.curve.predictedFinal.value, interval: r.curve.predictedFinal.interval } : undefined,
    diagnostics: r.diagnostics.map(formatDiagnostic),
  }));
  print(values.json ?? false, { runs, families: snapshot.families, diagnostics: snapshot.diagnostics.map(formatDiagnostic) }, () => {
    const lines = [`${runs.length} run(s)`];
    for (const r of snapshot.runs) {
      const h = r.hyper;
      const size = h.params !== undefined ? `${formatCount(h.params)} params` : 'params ?';
      const tokens = h.tokens !== undefined ? `${formatCount(h.tokens)} tokens` : 'tokens ?';
      const pred = r.curve ? ` → ${formatLoss(r.curve.predictedFinal.value)} ${formatInterval(r.curve.predictedFinal.interval)} at step ${r.curve.targetStep}` : '';
      lines.push(`  ${r.id}  [${r.format}, ${r.status}]  ${size}, ${tokens}, ${r.points} points, last step ${r.lastStep ?? '?'} loss ${r.lastLoss !== undefined ? formatLoss(r.lastLoss) : '?'}${pred}`);
    }
    for (const f of snapshot.families) {
      if (f.fit) {
        const p = Object.entries(f.fit.parameters).map(([k, v]: [string, { value: number }]) => `${k}=${v.value.toPrecision(4)}`).join(' ');
        lines.push(`family ${f.family}${f.guessed ? ' (guessed)' : ''}: ${f.fit.lawId} on ${f.runIds.length} run(s): ${p}`);
      } else lines.push(`family ${f.family}: ${f.error}`);
    }
    if (snapshot.diagnostics.length) lines.push(`${snapshot.diagnostics.length} diagnostic(s):`, ...snapshot.diagnostics.map((d) => `  ${formatDiagnostic(d)}`));
    return lines.join('\n');
  });
  return 0;
}

function readCrossRunCsv(file: string, needLoss: boolean) {
  const { rows, diagnostics } = parseCsvTable(fs.readFileSync(file, 'utf8'), file, needLoss ? ['params', 'tokens', 'loss'] : ['params', 'tokens']);
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  return rows;
}

function fit(args: string[]): number {
  const { values } = parseArgs({ args, options: { law: { type: 'string', default: 'chinchilla' }, train: { type: 'string' }, predict: { type: 'string' }, json: { type: 'boolean' } } });
  if (values.law !== 'chinchilla') throw new UsageError(`law "${values.law}" is not available yet (available: chinchilla)`);
  if (!values.train) throw new UsageError('fit needs --train <csv>');
  const rows = readCrossRunCsv(values.train, true);
  const points = rows.map((r, i) => ({ runId: `row ${i + 1}`, params: r.params, tokens: r.tokens, loss: r.loss }));
  const result = fitCrossRun(points, { seed: 1 });
  if ('error' in result) {
    process.stderr.write(`scaling-lens fit: ${result.error}\n`);
    return 1;
  }
  const predictions = values.predict
    ? readCrossRunCsv(values.predict, false).map((r) => {
        const p = predictCrossRun(result, r.params, r.tokens);
        return { input: { params: r.params, tokens: r.tokens }, predicted: p.value, interval: p.interval };
      })
    : [];
  const out = { law: result.lawId, parameters: result.parameters, validation: result.validation ?? null, predictions };
  print(values.json ?? false, out, () =>
    [
      `${result.lawId} on ${result.pointsUsed} points (log-residual RMSE ${result.residualRmse.toExponential(2)})`,
      ...Object.entries(result.parameters).map(([k, v]) => `  ${k} = ${v.value.toPrecision(5)}  [${v.interval[0].toPrecision(4)}, ${v.interval[1].toPrecision(4)}]`),
      ...predictions.map((p) => `  N=${formatCount(p.input.params)} D=${formatCount(p.input.tokens)}: ${formatLoss(p.predicted)} ${formatInterval(p.interval)}`),
    ].join('\n'),
  );
  return 0;
}

function curve(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { until: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('curve needs exactly one log file');
  const engine = loadWorkspace(positionals);
  const run = engine.runs()[0];
  const loss = run && trainLoss(run);
  if (!run || !loss) {
    const why = engine.diagnostics().map(formatDiagnostic).join('\n') || 'no training-loss series found';
    process.stderr.write(`scaling-lens curve: ${positionals[0]}: ${why}\n`);
    return 1;
  }
  const lastStep = loss.steps[loss.steps.length - 1];
  const until = values.until !== undefined ? Number(values.until) : undefined;
  if (until !== undefined && !(until > 0)) throw new UsageError('--until must be a positive fraction (≤ 1) or step');
  const cutStep = until === undefined ? lastStep : until <= 1 ? loss.steps[0] + until * (lastStep - loss.steps[0]) : until;
  const n = loss.steps.findIndex((s) => s > cutStep);
  const used = n < 0 ? loss.steps.length : n;
  const targetStep = Math.max(run.hyper.maxSteps ?? lastStep, lastStep);
  const result = fitCurve(loss.steps.slice(0, used), loss.values.slice(0, used), { targetStep, seed: 1 });
  if ('error' in result) {
    process.stderr.write(`scaling-lens curve: ${result.error}\n`);
    return 1;
  }
  // The actual final loss is known only when the log reached the planned end.
  const reachedEnd = lastStep >= targetStep;
  const actualFinal = reachedEnd ? smoothedFinalLoss(loss.steps, loss.values) : undefined;
  const errorPct = actualFinal !== undefined ? (100 * (result.predictedFinal.value - actualFinal)) / actualFinal : undefined;
  const out = { law: result.lawId, targetStep, predictedFinal: result.predictedFinal.value, interval: result.predictedFinal.interval, actualFinal, errorPct, points: used };
  print(values.json ?? false, out, () =>
    [
      `${run.id}: ${result.lawId} fitted on ${used} of ${loss.steps.length} points (to step ${loss.steps[used - 1]})`,
      `  predicted loss at step ${targetStep}: ${formatLoss(result.predictedFinal.value)} ${formatInterval(result.predictedFinal.interval)}`,
      actualFinal !== undefined ? `  actual (mean of the last 2% of points): ${formatLoss(actualFinal)}, error ${errorPct!.toFixed(2)}%` : `  the log stops at step ${lastStep}; no actual final loss yet`,
    ].join('\n'),
  );
  return 0;
}

function estimate(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { workspace: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('estimate needs exactly one config file or folder');
  let file = path.resolve(positionals[0]);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, MODEL_CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    process.stderr.write(`scaling-lens estimate: cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  const engine = values.workspace ? loadWorkspace([values.workspace]) : new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  const result = engine.estimateConfig(file, text, (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.applicable && errors.length) {
    process.stderr.write(`scaling-lens estimate: ${result.reason}\n${errors.map(formatDiagnostic).join('\n')}\n`);
    return 1;
  }
  const plan = result.plan;
  const json = {
    applicable: result.applicable,
    reason: result.reason,
    plan: plan && { params: plan.params, tokens: plan.tokens, batchTokens: plan.tokensPerStep, seqLen: plan.seqLen, lr: plan.peakLr, schedule: plan.schedule, gpus: plan.gpus },
    cost: result.cost && { flops: result.cost.flops, convention: result.cost.convention },
    predictions: { loss: result.predictions.loss ?? null, uncalibrated: result.predictions.uncalibrated },
    notes: result.notes,
  };
  print(values.json ?? false, json, () => {
    if (!result.applicable) return `${file}: not applicable: ${result.reason}`;
    const lines = [`${file}`];
    if (plan) lines.push(`  parameters: ${formatCount(plan.params.total)} total, ${formatCount(plan.params.nonEmbedding)} non-embedding`);
    if (plan?.tokens !== undefined) lines.push(`  tokens: ${formatCount(plan.tokens)}${plan.tokensPerStep ? ` (${formatCount(plan.tokensPerStep)} per step)` : ''}`);
    if (result.cost) lines.push(`  compute: ${formatFlops(result.cost.flops)} FLOPs (${result.cost.convention})`);
    const loss = result.predictions.loss;
    if (loss) lines.push(`  predicted final loss: ${formatLoss(loss.value)} ${formatInterval(loss.interval)} (${loss.lawId}, family ${loss.family}${loss.familyAssumed ? ' assumed' : ''}, ${loss.runsUsed.length} runs)${loss.extrapolation ? `; extrapolated: ${loss.extrapolation}` : ''}`);
    else lines.push(`  predicted final loss: uncalibrated (${result.predictions.uncalibrated})`);
    for (const note of result.notes) lines.push(`  note: ${note}`);
    return lines.join('\n');
  });
  return 0;
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return scan(rest);
      case 'fit':
        return fit(rest);
      case 'curve':
        return curve(rest);
      case 'estimate':
        return estimate(rest);
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
