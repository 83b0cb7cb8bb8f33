import { annealingLaw } from './annealing';
import { bnslLaw } from './bnsl';
import { chinchillaLaw } from './chinchilla';
import { computeLaw, frontierParamsLaw, frontierTokensLaw } from './compute';
import { dataLimitedLaw } from './datalimited';
import { deepseekLaw } from './deepseek';
import { kaplanLaw } from './kaplan';
import { multipowerLaw } from './multipower';
import { overtrainErrorLaw, overtrainLaw } from './overtrain';
import { powerLaw } from './power';
import { stepLaw } from './steplaw';
import type { HyperparamLaw, LawDefinition } from './types';
import type { HparamLawId } from './hparamLawIds';

/** Every known loss (and link) law by id. Adding a law = one file + one line here. */
export const LAWS: Readonly<Record<string, LawDefinition>> = Object.fromEntries(
  [
    powerLaw,
    chinchillaLaw,
    kaplanLaw,
    computeLaw,
    frontierParamsLaw,
    frontierTokensLaw,
    overtrainLaw,
    overtrainErrorLaw,
    dataLimitedLaw,
    bnslLaw,
    annealingLaw,
    multipowerLaw,
  ].map((l) => [l.id, l]),
);

/** Hyperparameter laws (optimal lr and batch size) by id (each key its law's id; a unit test checks it). */
export const HPARAM_LAWS: Readonly<Record<HparamLawId, HyperparamLaw>> = {
  steplaw: stepLaw,
  deepseek: deepseekLaw,
};

function own<T>(table: Readonly<Record<string, T>>, id: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, id) ? table[id] : undefined;
}

/** A loss/link law, or one target (`steplaw-lr`, `deepseek-batch`, ...) of a hyperparameter law. */
export function getLaw(id: string): LawDefinition | undefined {
  const direct = own(LAWS, id);
  if (direct) return direct;
  for (const h of Object.values(HPARAM_LAWS)) {
    if (h.lr.id === id) return h.lr;
    if (h.batch.id === id) return h.batch;
  }
  return undefined;
}

export function getHparamLaw(id: string): HyperparamLaw | undefined {
  return own(HPARAM_LAWS, id);
}

export function listLaws(): LawDefinition[] {
  return Object.values(LAWS);
}

/** Every law definition including the targets of the hyperparameter laws. */
export function listAllLawDefinitions(): LawDefinition[] {
  return [...listLaws(), ...Object.values(HPARAM_LAWS).flatMap((h) => [h.lr, h.batch])];
}

/** Ids `fit --law` accepts: laws fitted to the final losses of many runs. */
export function crossRunLawIds(): string[] {
  return listLaws()
    .filter((l) => l.kind === 'cross-run' && !l.id.startsWith('compute-frontier'))
    .map((l) => l.id);
}
