// How far a `fit --predict` row lies from the training rows, stated as the lens and the planner state
// it (familyModel.ts distanceFrom: "N× the compute of the largest finished run", and "not validated
// that far" past the backtests' reach), so that the CLI's cross-run predictions carry their distance too.
import { distanceFrom, type Distance } from '../core/plan/familyModel';

/** A table row's size: N and D when the row gives them (columns params and tokens). */
export interface RowSize {
  runId: string;
  params: number;
  tokens: number;
  loss: number;
}

/** params and tokens of a row, when both are positive numbers. */
export function rowSize(values: Record<string, number>, map: Record<string, string>, runId: string, loss: number): RowSize | undefined {
  const params = values[map.params ?? 'params'];
  const tokens = values[map.tokens ?? 'tokens'];
  return params > 0 && tokens > 0 && Number.isFinite(params) && Number.isFinite(tokens) ? { runId, params, tokens, loss } : undefined;
}

/**
 * The distance of a row of N `params` and D `tokens` from the training rows (`train`: the rows the
 * law was fitted to, with their sizes): undefined when the row or any training row lacks N or D
 * (compute alone does not give the tokens per parameter the lens states beside it).
 */
export function predictionDistance(train: readonly (RowSize | undefined)[], params: number, tokens: number): Distance | undefined {
  if (!train.length || !(params > 0 && tokens > 0)) return undefined;
  const points: RowSize[] = [];
  for (const p of train) {
    if (!p) return undefined;
    points.push(p);
  }
  return distanceFrom({ points }, params, tokens);
}
