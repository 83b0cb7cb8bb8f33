// What a snapshot adds to the runs' views and the family laws: display names, ETAs from earlier
// runs, each family's scaling view (its runs where the law saw them, the law's line and possible
// break), seed groups and the prefix validations. Pure: the fits are done by then.
import { displayNames } from '../../shared/displayName';
import type { Run } from '../runs/types';
import type { CrossRunFit, CrossRunPoint } from '../fit/crossRun';
import type { LawCrossRunFit } from '../fit/crossRunLaw';
import { familyModelOf } from '../plan/familyModel';
import type { FamilyLaw, RunView, Snapshot } from '../snapshot';
import { scalingView, seedGroupKey, seedGroups, validationPoints, type ScalingLinesMemo } from '../dashboardData';
import { fillEtasFromEarlierRuns } from '../etaSources';
import { brokenLawLine } from '../fit/familyBrokenLaw';
import { provisionalLawNote } from './estimates';

/** The over-training law of a family's fit (FamilyFits.overtrainFit), for the family's model. */
type OvertrainOf = (family: string, fit: CrossRunFit, points: CrossRunPoint[]) => LawCrossRunFit | { error: string } | undefined;

/** The views of a round's runs, named apart (the logger's run name, the experiment folder) and with ETAs filled in from earlier runs. */
export function nameRunViews(runs: readonly Run[], views: RunView[]): void {
  // Names that tell the workspace's runs apart (the logger's run name, the experiment folder).
  const names = displayNames(runs.map((r) => ({ id: r.id, loggedName: r.loggedName })));
  for (const v of views) v.name = names.get(v.id) ?? v.name;
  fillEtasFromEarlierRuns(views);
}

/**
 * A family's model and what it was made from, per fitted law (the family fit's object: one per
 * fit, kept by FamilyFits while its points are unchanged), so a round whose family law has not
 * changed reuses the model (its broken-law fit) and the law line and frontier (a golden-section
 * search per frontier point) instead of recomputing them. Weak: a law refitted is forgotten.
 */
interface FamilyModelMemo {
  points: FamilyLaw['points'];
  runIds: string;
  anchored: string;
  overtrain: ReturnType<OvertrainOf>;
  model: ReturnType<typeof familyModelOf>;
  lines: ScalingLinesMemo;
}
const modelMemos = new WeakMap<CrossRunFit, FamilyModelMemo>();

/** The family's model (plan/familyModel.ts), made once per fitted law, its points and runs, and its over-training law. */
function familyModelMemo(family: FamilyLaw & { fit: CrossRunFit }, overtrain: ReturnType<OvertrainOf>): FamilyModelMemo {
  const runIds = family.runIds.join('\n');
  const anchored = (family.anchoredRunIds ?? []).join('\n');
  const memo = modelMemos.get(family.fit);
  // Everything familyModelOf reads, compared by identity for the fits (the fitter hands out one object per answer).
  if (memo && memo.points === family.points && memo.runIds === runIds && memo.anchored === anchored && memo.overtrain === overtrain) return memo;
  const made: FamilyModelMemo = { points: family.points, runIds, anchored, overtrain, model: familyModelOf(family, overtrain), lines: {} };
  modelMemos.set(family.fit, made);
  return made;
}

/** Each family's scaling view; sets each family's `possibleBreak` and `fitWarnings`. */
export function familyScalingViews(families: FamilyLaw[], views: readonly RunView[], overtrainOf: OvertrainOf): Snapshot['scaling'] {
  // Each family's runs, in the views' order, in one pass (not one filter of every view per family).
  const byFamily = new Map<string, RunView[]>();
  for (const v of views) {
    const list = byFamily.get(v.family);
    if (list) list.push(v);
    else byFamily.set(v.family, [v]);
  }
  return families.map((family) => {
    const fitted = new Map((family.fit ? (family.points ?? []) : []).map((p) => [p.runId, p]));
    const anchored = new Set(family.anchoredRunIds ?? []);
    const notInFit = notInFitReasons(family, views);
    // A provisional law (a first scan's) gets no over-training law: one more fit, for a law the full one replaces.
    const provisional = provisionalLawNote(family);
    const memo =
      family.fit && !family.fit.timedOut
        ? familyModelMemo({ ...family, fit: family.fit }, provisional === undefined ? overtrainOf(family.family, family.fit, family.points ?? []) : undefined)
        : undefined;
    const model = memo?.model;
    // Said in the families table; found here so the webview only renders.
    family.possibleBreak = model?.break
      ? { runIds: model.break.runIds, note: model.break.note, ...(model.break.brokenLaw ? { brokenLaw: model.break.brokenLaw } : {}) }
      : undefined;
    const warnings = model?.warnings.filter((w) => w !== model.break?.note);
    family.fitWarnings = warnings?.length ? warnings : undefined;
    const view = scalingView(
      family,
      (byFamily.get(family.family) ?? []).map((v) => {
        // A run in the law is drawn where the law saw it; the others by their own N and D.
        const point = fitted.get(v.id);
        // A live run anchoring the law is drawn as its forecast, with the forecast's interval.
        return {
          id: v.id,
          name: v.name,
          status: v.status,
          params: point?.params ?? v.hyper.params,
          tokens: point?.tokens ?? v.hyper.tokens,
          curve: v.curve,
          fittedLoss: anchored.has(v.id) ? undefined : point?.loss,
          notInFit: notInFit.get(v.id),
          lastLoss: v.lastLoss,
        };
      }),
      40,
      model,
      memo?.lines,
    );
    // The broken law beside the family law, along the same line (fit/familyBrokenLaw.ts).
    if (model?.break?.brokenLaw && view.lawLine) view.brokenLine = brokenLawLine(model.break.brokenLaw, view.lawLine);
    if (provisional !== undefined && family.fit) view.provisional = provisional;
    return view;
  });
}

/** Why each run the family's fit leaves out is left out: `.scalinglens.yaml` (which line), or the run went wrong. */
function notInFitReasons(family: FamilyLaw, views: readonly RunView[]): Map<string, string> {
  const out = new Map<string, string>();
  const pinned = family.pinned ? `excluded from the fit by ${family.pinned.file}:${family.pinned.line}` : 'excluded from the fit by .scalinglens.yaml';
  for (const id of family.excludedRunIds ?? []) out.set(id, views.find((v) => v.id === id)?.excluded ?? pinned);
  for (const { runId, reason } of family.leftOut ?? []) out.set(runId, `left out of the fit: ${reason}`);
  return out;
}

/** The snapshot's fields derived from the views and families alone. */
export function derivedViews(views: readonly RunView[], families: FamilyLaw[]): Pick<Snapshot, 'seedGroups' | 'validations'> {
  return {
    seedGroups: seedGroups(views.map((v) => ({ id: v.id, name: v.name, key: seedGroupKey(v), steps: v.display.steps, loss: v.display.loss }))),
    // A provisional law's check is not shown as a validation: the full law's follows.
    validations: validationPoints(
      views,
      families.filter((f) => f.provisional === undefined),
    ),
  };
}
