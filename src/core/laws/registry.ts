import { chinchillaLaw } from './chinchilla';
import { powerLaw } from './power';
import type { LawDefinition } from './types';

/** Every known law by id. Adding a law = one file + one line here. */
export const LAWS: Readonly<Record<string, LawDefinition>> = {
  [powerLaw.id]: powerLaw,
  [chinchillaLaw.id]: chinchillaLaw,
};

export function getLaw(id: string): LawDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(LAWS, id) ? LAWS[id] : undefined;
}

export function listLaws(): LawDefinition[] {
  return Object.values(LAWS);
}
