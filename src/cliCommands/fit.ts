// `scaling-lens fit --law <id> --train <csv> [--predict <csv>] [--columns canonical=column,...] [--priors auto|always|never] [--json]`
// Fits a cross-run law to one row per run and predicts the --predict rows, in their order.
import { parseArgs } from 'node:util';
import { idleOptions } from '../core/optionScope';
import { crossRunLawIds, getLaw } from '../core/laws/registry';
import type { LawDefinition } from '../core/laws/types';
import { approxTrainingFlops } from '../core/laws/trainingCompute';
import { fitCrossRunLaw, predictWithFit, type LawCrossRunFit, type LawPoint } from '../core/fit/crossRunLaw';
import { PRIOR_RUN_THRESHOLD } from '../core/fit/crossRun';
import { referencePriors } from '../core/fit/priors';
import { fitWarnings } from '../core/fit/fitWarnings';
import { minOf } from '../shared/arrays';
import { mulberry32 } from '../core/fit/random';
import { predictionDistance, rowSize, type RowSize } from './fitDistance';
import { intervalAtDistance, type Distance } from '../core/plan/familyModel';
import { intervalKindOf } from '../core/fit/calibration';
import { familyBreak } from '../core/fit/familyBreak';
import { FAMILY_LAWS } from '../core/laws/familyLaws';
import { CommandUsageError, num, parseColumnMap, printResult, processIo, readNumericCsv, warn, type CommandIo, type CsvRow } from './fitShared';

/** Canonical CSV columns; others are mapped onto them with --columns. */
export const CANONICAL_COLUMNS = ['params', 'tokens', 'flops', 'loss', 'unique_tokens', 'tokens_per_param'] as const;

/**
 * How each law variable (by symbol) is read from a row: N ← params, D ← tokens, C ← flops (else
 * 6·N·D), M ← tokens_per_param (else D/N), U ← unique_tokens, L ← loss (link laws).
 */
function variableReader(symbol: string): { needs: string[]; read: (col: (name: string) => number) => number } | undefined {
  switch (symbol) {
    case 'N':
      return { needs: ['params'], read: (c) => c('params') };
    case 'D':
      return { needs: ['tokens'], read: (c) => c('tokens') };
    case 'C':
      return { needs: ['flops|params+tokens'], read: (c) => (Number.isFinite(c('flops')) ? c('flops') : approxTrainingFlops(c('params'), c('tokens'))) };
    case 'M':
      return {
        needs: ['tokens_per_param|params+tokens'],
        read: (c) => (Number.isFinite(c('tokens_per_param')) ? c('tokens_per_param') : c('tokens') / c('params')),
      };
    case 'U':
      return { needs: ['unique_tokens'], read: (c) => c('unique_tokens') };
    case 'L':
      return { needs: ['loss'], read: (c) => c('loss') };
    default:
      return undefined;
  }
}

export interface FitCommandOutput {
  law: string;
  parameters: LawCrossRunFit['parameters'];
  validation: LawCrossRunFit['validation'] | null;
  predictions: {
    line: number;
    input: Record<string, number>;
    predicted: number | null;
    interval: [number, number] | null;
    flags?: string[];
    /** How far the row lies from the training rows, as the lens states it (with N and D in every row). */
    distance?: Distance;
    error?: string;
  }[];
  runsUsed: number;
  priorsUsed: boolean;
  bootstrap: LawCrossRunFit['bootstrap'];
  intervalLevel: number;
  intervalMultiplier: number;
  residualRmse: number;
  /** Rows read from --train that were exact repeats of an earlier row (collapsed into it). */
  duplicateRows?: number;
  /** More distinct rows than MAX_FIT_ROWS: the law was fitted to a seeded random sample of this many. */
  subsampled?: { rows: number; used: number };
  /** Warning signs of the fit (fit/fitWarnings.ts): a parameter on its bound, E → 0, priors carrying it, an implausible exponent. */
  warnings: string[];
  /** The rows' largest runs sit off the law of the others (fit/familyBreak.ts, a family law only): predictions past them widen by at least `heldOutMiss` (ln). */
  break?: { runIds: string[]; heldOutMiss: number };
}

/**
 * Most rows one fit uses. The solver and its bootstrap cost grow with the rows (10,000 rows take
 * ~30 s here); a law with five parameters is pinned long before this many, so a larger table is
 * fitted on a seeded random sample of it, and the output says so.
 */
export const MAX_FIT_ROWS = 2000;
/** Duplicate rows named one by one before they are only counted. */
const NAMED_DUPLICATES = 5;

function inputsOf(law: LawDefinition, row: CsvRow, map: Record<string, string>): { x: number[]; input: Record<string, number> } {
  const input: Record<string, number> = {};
  const col = (name: string) => {
    const v = row.values[map[name] ?? name];
    const value = v === undefined ? NaN : v;
    if (Number.isFinite(value)) input[name] = value;
    return value;
  };
  const x = law.variables.map((v) => variableReader(v.symbol)!.read(col));
  return { x, input };
}

/** The parser's options (optionScope.ts says when each has an effect). */
export const FIT_OPTIONS = {
  law: { type: 'string', default: 'chinchilla' },
  train: { type: 'string' },
  predict: { type: 'string' },
  columns: { type: 'string' },
  priors: { type: 'string', default: 'auto' },
  resamples: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function fitCommand(args: string[], io: CommandIo = processIo): number {
  const { values } = parseArgs({
    args,
    options: FIT_OPTIONS,
  });
  const idle = idleOptions('fit', values);
  if (idle.length) throw new CommandUsageError(idle.join('; '));
  const ids = crossRunLawIds();
  const law = values.law ? getLaw(values.law) : undefined;
  if (!law || !ids.includes(law.id)) throw new CommandUsageError(`unknown cross-run law "${values.law}" (available: ${ids.join(', ')})`);
  if (!values.train) throw new CommandUsageError('fit needs --train <csv>');
  if (!['auto', 'always', 'never'].includes(values.priors!)) throw new CommandUsageError('--priors must be auto, always or never');
  const resamples = values.resamples !== undefined ? Number(values.resamples) : 200;
  const seed = values.seed !== undefined ? Number(values.seed) : 1;
  if (!(resamples >= 0) || !Number.isInteger(resamples)) throw new CommandUsageError('--resamples must be an integer ≥ 0');
  if (!Number.isInteger(seed)) throw new CommandUsageError('--seed must be an integer');
  const map = parseColumnMap(values.columns, CANONICAL_COLUMNS);
  const unsupported = law.variables.filter((v) => !variableReader(v.symbol));
  if (unsupported.length) throw new CommandUsageError(`law ${law.id} needs ${unsupported.map((v) => v.symbol).join(', ')}, which fit cannot read from a table`);

  const train = readNumericCsv(values.train, [map.loss ?? 'loss']);
  if (train.error) {
    warn(io, train.error);
    return 1;
  }
  // A column the law needs that the table lacks altogether is one error, not one per row.
  const has = (name: string) => train.header.includes(map[name] ?? name);
  const absent = law.variables
    .map((v) => variableReader(v.symbol)!.needs.join(' or '))
    .filter((need) => !need.split('|').some((alt) => alt.split('+').every(has)));
  if (absent.length) {
    warn(io, {
      file: values.train,
      line: 1,
      severity: 'error',
      message: `law ${law.id} needs column(s) ${absent.join(', ')} (map yours with --columns canonical=column; header: ${train.header.join(', ')})`,
    });
    return 1;
  }
  let points: LawPoint[] = [];
  // The same row twice is one run measured once: counted twice it would turn the priors off (more
  // "runs") and shrink the interval. Collapsed, and said so.
  const firstLine = new Map<string, number>();
  /** Each fitted row's N and D, for the predictions' distance. */
  const sizes = new Map<string, RowSize | undefined>();
  let duplicates = 0;
  for (const row of train.rows) {
    const { x } = inputsOf(law, row, map);
    const y = row.values[map.loss ?? 'loss'];
    const bad = law.variables.filter((_v, j) => !(x[j] > 0) || !Number.isFinite(x[j])).map((v) => v.symbol);
    if (bad.length || !(y > 0) || !Number.isFinite(y)) {
      const what = [...bad.map((s) => `${s} (${variableReader(s)!.needs.join(', ')})`), ...(!(y > 0) || !Number.isFinite(y) ? ['loss'] : [])];
      warn(io, { file: values.train, line: row.line, severity: 'warning', message: `row skipped: ${what.join(', ')} missing or not a positive number` });
      continue;
    }
    const key = `${x.join(',')}|${y}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      duplicates++;
      if (duplicates <= NAMED_DUPLICATES)
        warn(io, { file: values.train, line: row.line, severity: 'warning', message: `row repeats line ${first} exactly; counted once` });
      continue;
    }
    firstLine.set(key, row.line);
    points.push({ runId: `line ${row.line}`, x, y });
    sizes.set(`line ${row.line}`, rowSize(row.values, map, `line ${row.line}`, y));
  }
  if (duplicates > NAMED_DUPLICATES)
    warn(io, {
      file: values.train,
      severity: 'warning',
      message: `${duplicates} rows repeat an earlier row exactly (${duplicates - NAMED_DUPLICATES} not named above); each counted once`,
    });
  let subsampled: FitCommandOutput['subsampled'];
  if (points.length > MAX_FIT_ROWS) {
    subsampled = { rows: points.length, used: MAX_FIT_ROWS };
    points = sampleRows(points, MAX_FIT_ROWS, seed);
    warn(io, {
      file: values.train,
      severity: 'info',
      message: `${subsampled.rows} distinct rows: the law is fitted to a random sample of ${MAX_FIT_ROWS} (seed ${seed}), enough for its parameters`,
    });
  }
  const useReference = values.priors === 'always' || (values.priors === 'auto' && points.length < PRIOR_RUN_THRESHOLD);
  const priors = useReference ? referencePriors(law) : undefined;
  const result = fitCrossRunLaw(law, points, { priors, seed, resamples });
  if ('error' in result) {
    io.stderr(`scaling-lens fit: ${values.train}: ${result.error}\n`);
    return 1;
  }

  const predictions: FitCommandOutput['predictions'] = [];
  const fitted = points.map((p) => sizes.get(p.runId));
  // The lens's break check (fit/familyBreak.ts) on the rows, for a family law of (N, D): past the
  // largest row of a table that bends there, a prediction widens by at least the miss, as the lens's does.
  const bend = Object.prototype.hasOwnProperty.call(FAMILY_LAWS, law.id)
    ? familyBreak(
        { ...result, lawId: law.id },
        points.map((p) => ({ runId: p.runId, params: p.x[0], tokens: p.x[1], loss: p.y })),
      )
    : undefined;
  if (values.predict) {
    const pred = readNumericCsv(values.predict, []);
    if (pred.error) {
      warn(io, pred.error);
      return 1;
    }
    for (const row of pred.rows) {
      const { x, input } = inputsOf(law, row, map);
      const bad = law.variables
        .filter((_v, j) => !(x[j] > 0) || !Number.isFinite(x[j]))
        .map((v) => `${v.symbol} (${variableReader(v.symbol)!.needs.join(', ')})`);
      if (bad.length) {
        // Kept in place, so predictions stay in --predict order.
        const error = `${bad.join(', ')} missing or not a positive number`;
        warn(io, { file: values.predict, line: row.line, severity: 'warning', message: `cannot predict: ${error}` });
        predictions.push({ line: row.line, input, predicted: null, interval: null, error });
        continue;
      }
      const p = predictWithFit(law, result, x);
      const size = rowSize(row.values, map, `line ${row.line}`, NaN);
      const distance = size ? predictionDistance(fitted, size.params, size.tokens) : undefined;
      // Widened with the distance from the training rows, and past a break, by the lens's own rule (one interval for one (N, D)).
      const interval = distance && intervalKindOf(law.kind) === 'crossRun' ? intervalAtDistance(p.value, p.interval, distance.computeRatio, bend) : p.interval;
      predictions.push({
        line: row.line,
        input,
        predicted: p.value,
        interval,
        ...(p.flags ? { flags: p.flags } : {}),
        ...(distance ? { distance } : {}),
      });
    }
  }
  const out: FitCommandOutput = {
    law: result.lawId,
    parameters: result.parameters,
    validation: result.validation ?? null,
    predictions,
    runsUsed: result.runIds.length,
    priorsUsed: result.priorsUsed,
    bootstrap: result.bootstrap,
    intervalLevel: result.intervalLevel,
    intervalMultiplier: result.intervalMultiplier,
    residualRmse: result.residualRmse,
    ...(duplicates > 0 ? { duplicateRows: duplicates } : {}),
    ...(subsampled ? { subsampled } : {}),
    warnings: [...fitWarnings(law, result, minOf(points.map((p) => p.y))), ...(bend ? [bend.note] : [])],
    ...(bend ? { break: { runIds: bend.runIds, heldOutMiss: bend.heldOutMiss } } : {}),
  };
  printResult(io, values.json ?? false, out, () =>
    [
      `${result.lawId} on ${result.runIds.length} run(s)${subsampled ? ` (a sample of ${subsampled.rows} distinct rows)` : ''}${result.priorsUsed ? ' with priors from the published values' : ''} (log-residual RMSE ${result.residualRmse.toExponential(2)}; ${result.bootstrap.resamples} resamples, ${result.bootstrap.failed} failed)`,
      ...Object.entries(result.parameters).map(([k, v]) => `  ${k} = ${num(v.value, 5)}  [${num(v.interval[0])}, ${num(v.interval[1])}]`),
      result.validation
        ? `  validation (${result.validation.method}): ${result.validation.errorPct.toFixed(2)}% error on ${result.validation.heldOutRunId}`
        : '  validation: too few runs for leave-largest-out',
      ...out.warnings.map((w) => `  warning: ${w}`),
      ...predictions.map((p) => {
        const input = Object.entries(p.input)
          .map(([k, v]) => `${k}=${num(v, 3)}`)
          .join(' ');
        return p.predicted === null
          ? `  line ${p.line} ${input}: ${p.error}`
          : `  ${input}: ${num(p.predicted, 5)} [${num(p.interval![0])}, ${num(p.interval![1])}]${p.flags ? `  (${p.flags.join('; ')})` : ''}${p.distance ? `\n    ${p.distance.note}` : ''}`;
      }),
    ].join('\n'),
  );
  return 0;
}

/** `count` of `points`, drawn without replacement with a seeded generator, kept in file order. */
function sampleRows(points: LawPoint[], count: number, seed: number): LawPoint[] {
  const rand = mulberry32(seed);
  const order = points.map((_p, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rand() * (order.length - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const picked = order.slice(0, count).sort((a, b) => a - b);
  return picked.map((i) => points[i]);
}
