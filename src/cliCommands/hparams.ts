// `scaling-lens hparams --train <csv: params,tokens,lr,batch_tokens,loss> --predict <csv: params,tokens>
//   [--law steplaw|deepseek] [--columns canonical=column,...] [--json]`
// Per (N, D) group of the sweep: a loss surface over ln lr and ln batch, its minimum and
// near-optimal band; then the law's lr and batch power laws refitted on the optima; then the
// optimal lr and batch (tokens) for every --predict row, in order.
import { parseArgs } from 'node:util';
import { idleOptions } from '../core/optionScope';
import { HPARAM_LAWS, getHparamLaw } from '../core/laws/registry';
import { DEFAULT_HPARAM_LAW } from '../core/laws/hparamLawIds';
import { fitHparamSweeps, predictHparams, surfacePenaltyPct, type GroupOptimum, type SweepGroup } from '../core/fit/hparamSweep';
import type { LawCrossRunFit } from '../core/fit/crossRunLaw';
import { CommandUsageError, num, parseColumnMap, printResult, processIo, readNumericCsv, warn, type CommandIo } from './fitShared';

const COLUMNS = ['params', 'tokens', 'flops', 'lr', 'batch_tokens', 'loss'] as const;

interface Estimate {
  value: number | null;
  interval: [number, number] | null;
  /** `fit`: refitted on the sweeps; `published`: the paper's constants (no interval claimed). */
  source: 'fit' | 'published';
  flags?: string[];
}

export interface HparamsCommandOutput {
  law: string;
  predictions: {
    line: number;
    input: { params: number; tokens: number; flops?: number; lr?: number; batchTokens?: number };
    lr: Estimate;
    batchTokens: Estimate;
    /**
     * When the row gives its own lr and batch_tokens: their loss penalty over the optimum in
     * percent, read off the sweep surface fitted at the same (params, tokens); null (with
     * `penaltyNote`) when there is no such surface — no penalty is claimed without one.
     */
    penaltyPct?: number | null;
    penaltyNote?: string;
    error?: string;
  }[];
  groups: (Omit<GroupOptimum, 'surface'> & {
    lr?: number;
    batchTokens?: number;
    lossAtOptimum?: number;
    nearOptimal?: { lr: [number, number]; batchTokens: [number, number] };
    varied?: string;
    bracketed?: boolean;
  })[];
  laws: { lr: LawSummary | { error: string }; batchTokens: LawSummary | { error: string } };
}

interface LawSummary {
  law: string;
  parameters: LawCrossRunFit['parameters'];
  validation: LawCrossRunFit['validation'] | null;
  groupsUsed: number;
  priorsUsed: boolean;
  bootstrap: LawCrossRunFit['bootstrap'];
}

function summary(f: LawCrossRunFit | undefined, error: string | undefined): LawSummary | { error: string } {
  if (!f) return { error: error ?? 'not fitted' };
  return {
    law: f.lawId,
    parameters: f.parameters,
    validation: f.validation ?? null,
    groupsUsed: f.runIds.length,
    priorsUsed: f.priorsUsed,
    bootstrap: f.bootstrap,
  };
}

function estimate(p: { value: number; interval: [number, number]; flags?: string[]; source: 'fit' | 'published' }): Estimate {
  const ok = Number.isFinite(p.value);
  return { value: ok ? p.value : null, interval: ok ? p.interval : null, source: p.source, ...(p.flags ? { flags: p.flags } : {}) };
}

/** The parser's options (optionScope.ts says when each has an effect). */
export const HPARAMS_OPTIONS = {
  law: { type: 'string', default: DEFAULT_HPARAM_LAW },
  train: { type: 'string' },
  predict: { type: 'string' },
  columns: { type: 'string' },
  resamples: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function hparamsCommand(args: string[], io: CommandIo = processIo): number {
  const { values } = parseArgs({
    args,
    options: HPARAMS_OPTIONS,
  });
  const idle = idleOptions('hparams', values);
  if (idle.length) throw new CommandUsageError(idle.join('; '));
  const law = getHparamLaw(values.law!);
  if (!law) throw new CommandUsageError(`unknown hyperparameter law "${values.law}" (available: ${Object.keys(HPARAM_LAWS).join(', ')})`);
  if (!values.train) throw new CommandUsageError('hparams needs --train <csv: params,tokens,lr,batch_tokens,loss>');
  if (!values.predict) throw new CommandUsageError('hparams needs --predict <csv: params,tokens>');
  const resamples = values.resamples !== undefined ? Number(values.resamples) : 200;
  if (!(resamples >= 0) || !Number.isInteger(resamples)) throw new CommandUsageError('--resamples must be an integer ≥ 0');
  const seed = values.seed !== undefined ? Number(values.seed) : 1;
  if (!Number.isInteger(seed)) throw new CommandUsageError('--seed must be an integer');
  const map = parseColumnMap(values.columns, COLUMNS);
  const col = (name: string) => map[name] ?? name;

  const train = readNumericCsv(values.train, ['params', 'tokens', 'lr', 'batch_tokens', 'loss'].map(col));
  if (train.error) {
    warn(io, train.error);
    return 1;
  }
  // Group by (N, D) to 6 significant digits: one sweep per model size and token budget.
  const groups = new Map<string, SweepGroup>();
  for (const row of train.rows) {
    const v = (name: string) => row.values[col(name)];
    const [params, tokens, lr, batchTokens, loss] = ['params', 'tokens', 'lr', 'batch_tokens', 'loss'].map(v);
    const bad = Object.entries({ params, tokens, lr, batch_tokens: batchTokens, loss })
      .filter(([, x]) => !(x > 0) || !Number.isFinite(x))
      .map(([k]) => k);
    if (bad.length) {
      warn(io, { file: values.train, line: row.line, severity: 'warning', message: `row skipped: ${bad.join(', ')} missing or not a positive number` });
      continue;
    }
    const key = `${params.toPrecision(6)}|${tokens.toPrecision(6)}`;
    const flops = v('flops');
    const g = groups.get(key) ?? { params, tokens, flops: flops > 0 ? flops : undefined, points: [] };
    g.points.push({ lr, batchTokens, loss });
    groups.set(key, g);
  }
  if (groups.size === 0) {
    io.stderr(`scaling-lens hparams: ${values.train}: no usable rows\n`);
    return 1;
  }
  const fit = fitHparamSweeps(law, [...groups.values()], { seed, resamples });
  for (const g of fit.groups) {
    if (g.error)
      io.stderr(`scaling-lens hparams: group N=${g.params} D=${g.tokens}: no sweep surface (${g.error}); no optimum or loss penalty is claimed for it\n`);
  }

  const pred = readNumericCsv(values.predict, []);
  if (pred.error) {
    warn(io, pred.error);
    return 1;
  }
  const predictions: HparamsCommandOutput['predictions'] = pred.rows.map((row) => {
    const params = row.values[col('params')] ?? NaN;
    const tokens = row.values[col('tokens')] ?? NaN;
    const flopsCell = row.values[col('flops')];
    const input = { params, tokens, ...(flopsCell > 0 ? { flops: flopsCell } : {}) };
    if (!(params > 0) || !(tokens > 0) || !Number.isFinite(params) || !Number.isFinite(tokens)) {
      const error = 'params and tokens must be positive numbers';
      warn(io, { file: values.predict!, line: row.line, severity: 'warning', message: `cannot predict: ${error}` });
      const none: Estimate = { value: null, interval: null, source: 'fit' };
      return { line: row.line, input, lr: none, batchTokens: none, error };
    }
    const p = predictHparams(law, fit, params, tokens, flopsCell > 0 ? flopsCell : undefined);
    const out: HparamsCommandOutput['predictions'][number] = { line: row.line, input, lr: estimate(p.lr), batchTokens: estimate(p.batchTokens) };
    const lr = row.values[col('lr')];
    const batchTokens = row.values[col('batch_tokens')];
    if (lr > 0 && batchTokens > 0) {
      Object.assign(out.input, { lr, batchTokens });
      const same = fit.groups.find((g) => g.params.toPrecision(6) === params.toPrecision(6) && g.tokens.toPrecision(6) === tokens.toPrecision(6));
      if (same?.surface) out.penaltyPct = surfacePenaltyPct(same.surface, lr, batchTokens);
      else {
        out.penaltyPct = null;
        out.penaltyNote = 'no sweep surface was fitted at this (params, tokens): no loss penalty is claimed';
      }
    }
    return out;
  });

  const out: HparamsCommandOutput = {
    law: law.id,
    predictions,
    groups: fit.groups.map(({ surface, ...g }) =>
      surface
        ? {
            ...g,
            lr: surface.lrStar,
            batchTokens: surface.batchStar,
            lossAtOptimum: surface.lossStar,
            nearOptimal: surface.nearOptimal,
            varied: surface.varied,
            bracketed: surface.bracketed,
          }
        : g,
    ),
    laws: { lr: summary(fit.lr, fit.lrError), batchTokens: summary(fit.batch, fit.batchError) },
  };
  const fmtEst = (e: Estimate) =>
    e.value === null ? '?' : `${num(e.value, 4)}${e.source === 'fit' ? ` [${num(e.interval![0], 3)}, ${num(e.interval![1], 3)}]` : ' (published law)'}`;
  printResult(io, values.json ?? false, out, () =>
    [
      `${law.id}: ${fit.groups.length} sweep group(s), ${fit.groups.filter((g) => g.surface).length} with a loss surface`,
      ...out.groups.map((g) =>
        g.lr !== undefined
          ? `  N=${num(g.params, 3)} D=${num(g.tokens, 3)}: lr* ${num(g.lr, 3)} (near-optimal ${num(g.nearOptimal!.lr[0], 3)}–${num(g.nearOptimal!.lr[1], 3)}), batch* ${num(g.batchTokens!, 3)} tokens, loss ${num(g.lossAtOptimum!, 5)}${g.bracketed ? '' : ' (at the edge of the sweep)'}`
          : `  N=${num(g.params, 3)} D=${num(g.tokens, 3)}: ${g.error}`,
      ),
      'lr' in fit && fit.lr ? `  lr law refitted on ${fit.lr.runIds.length} group(s)` : `  lr law: published (${fit.lrError})`,
      'batch' in fit && fit.batch ? `  batch law refitted on ${fit.batch.runIds.length} group(s)` : `  batch law: published (${fit.batchError})`,
      ...predictions.map((p) =>
        p.error
          ? `  line ${p.line}: ${p.error}`
          : `  N=${num(p.input.params, 3)} D=${num(p.input.tokens, 3)}: lr ${fmtEst(p.lr)}, batch ${fmtEst(p.batchTokens)} tokens` +
            (p.penaltyPct !== undefined
              ? p.penaltyPct === null
                ? `; ${p.penaltyNote}`
                : `; the given lr and batch cost +${p.penaltyPct.toFixed(2)}% loss`
              : ''),
      ),
    ].join('\n'),
  );
  return 0;
}
