// Values outside physical sense in a training config: a learning rate above 1, a vocabulary of more
// than 10^7 tokens, a model above 10^15 parameters, a schedule of more than 10^8 steps, a warm-up
// longer than training. Such a config is a typo or a hostile file; an estimate from it would be
// nonsense with a straight face, so it is rejected with the value quoted as the user wrote it.
import type { Diagnostic } from '../diagnostics';
import type { TrainingPlan, ValueSource } from './types';
import { excerpt } from '../excerpt';

export const DOMAIN_LIMITS = {
  maxParams: 1e15,
  maxVocab: 1e7,
  maxDModel: 1e6,
  maxLr: 1,
  maxSteps: 1e8,
} as const;

interface Check {
  path: string;
  label: string;
  value: number | undefined;
  bad: (v: number) => boolean;
  why: string;
  /** Brings the value into its domain instead of rejecting the plan (a warning then, not an error). */
  clamp?: () => void;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The plan's values out of domain, as errors naming the file, line and the value as written there
 * (warnings for values clamped into their domain, in `plan` itself).
 * `textOf` gives a source file's text (the config itself, a sibling training_args.json).
 */
export function checkPlanDomains(plan: TrainingPlan, file: string, textOf: (file: string) => string | undefined): Diagnostic[] {
  const steps = plan.maxSteps;
  const checks: Check[] = [
    {
      path: 'params.total',
      label: 'model size',
      value: plan.params.total,
      bad: (v) => v > DOMAIN_LIMITS.maxParams,
      why: 'parameters, above 10^15: larger than any model',
    },
    { path: 'architecture.vocab', label: 'vocabulary', value: plan.architecture.vocab, bad: (v) => v > DOMAIN_LIMITS.maxVocab, why: 'above 10^7 tokens' },
    { path: 'architecture.dModel', label: 'hidden size', value: plan.architecture.dModel, bad: (v) => v > DOMAIN_LIMITS.maxDModel, why: 'above 10^6' },
    { path: 'peakLr', label: 'learning rate', value: plan.peakLr, bad: (v) => v > DOMAIN_LIMITS.maxLr, why: 'above 1: training would diverge at once' },
    { path: 'maxSteps', label: 'training steps', value: steps, bad: (v) => v > DOMAIN_LIMITS.maxSteps, why: 'above 10^8' },
    {
      path: 'schedule.warmupSteps',
      label: 'warm-up steps',
      value: plan.schedule?.warmupSteps,
      bad: (v) => steps !== undefined && v > steps,
      why: `longer than the whole training (${steps} steps); clamped to ${steps}`,
      clamp: () => {
        if (plan.schedule !== undefined && steps !== undefined) plan.schedule.warmupSteps = steps;
      },
    },
  ];
  const out: Diagnostic[] = [];
  for (const c of checks) {
    if (c.value === undefined || !c.bad(c.value)) continue;
    const src: ValueSource | undefined = plan.sources[c.path];
    // Only values written in a file are judged (the model size is derived, always judged): a default
    // the file did not state (nanoGPT's warm-up of 2000 iterations in a 10-step smoke test) is not the user's.
    if (c.path !== 'params.total' && (src?.range === undefined || src.note?.startsWith('assumed'))) continue;
    const where = src?.file ?? file;
    const text = src?.range ? textOf(where) : undefined;
    const written = text !== undefined && src?.range ? excerpt(text.slice(src.range.start, src.range.end), 30) : String(c.value);
    const d: Diagnostic = c.clamp
      ? { file: where, severity: 'warning', message: `${c.label} ${written}: ${c.why}` }
      : { file: where, severity: 'error', message: `${c.label} ${written}: ${c.why}; not estimated` };
    c.clamp?.();
    if (text !== undefined && src?.range) d.line = lineAt(text, src.range.start);
    out.push(d);
  }
  return out;
}
