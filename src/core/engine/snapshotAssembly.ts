// What a snapshot adds to the runs' views and the family laws: display names, ETAs from earlier
// runs, each family's scaling view (its runs where the law saw them, the law's line and possible
// break), seed groups and the prefix validations. Pure: the fits are done by then.
import { displayNames } from '../../shared/displayName';
import type { Run } from '../runs/types';
import type { CrossRunFit, CrossRunPoint } from '../fit/crossRun';
import type { LawCrossRunFit } from '../fit/crossRunLaw';
import { familyModelOf } from '../plan/familyModel';
import type { FamilyLaw, RunView, Snapshot } from '../snapshot';
import { scalingView, seedGroupKey, seedGroups, validationPoints } from '../dashboardData';
import { fillEtasFromEarlierRuns } from '../etaSources';
import { brokenLawLine } from '../fit/familyBrokenLaw';

/** The over-training law of a family's fit (FamilyFits.overtrainFit), for the family's model. */
type OvertrainOf = (family: string, fit: CrossRunFit, points: CrossRunPoint[]) => LawCrossRunFit | { error: string } | undefined;

/** The views of a round's runs, named apart (the logger's run name, the experiment folder) and with ETAs filled in from earlier runs. */
export function nameRunViews(runs: readonly Run[], views: RunView[]): void {
  // Names that tell the workspace's runs apart (the logger's run name, the experiment folder).
  const names = displayNames(runs.map((r) => ({ id: r.id, loggedName: r.loggedName })));
  for (const v of views) v.name = names.get(v.id) ?? v.name;
  fillEtasFromEarlierRuns(views);
}

/** Each family's scaling view; sets each family's `possibleBreak` and `fitWarnings`. */
export function familyScalingViews(families: FamilyLaw[], views: readonly RunView[], overtrainOf: OvertrainOf): Snapshot['scaling'] {
  return families.map((family) => {
    const fitted = new Map((family.fit ? (family.points ?? []) : []).map((p) => [p.runId, p]));
    const anchored = new Set(family.anchoredRunIds ?? []);
    const notInFit = notInFitReasons(family, views);
    const model =
      family.fit && !family.fit.timedOut
        ? familyModelOf({ ...family, fit: family.fit }, overtrainOf(family.family, family.fit, family.points ?? []))
        : undefined;
    // Said in the families table; found here so the webview only renders.
    family.possibleBreak = model?.break
      ? { runIds: model.break.runIds, note: model.break.note, ...(model.break.brokenLaw ? { brokenLaw: model.break.brokenLaw } : {}) }
      : undefined;
    const warnings = model?.warnings.filter((w) => w !== model.break?.note);
    family.fitWarnings = warnings?.length ? warnings : undefined;
    const view = scalingView(
      family,
      views
        .filter((v) => v.family === family.family)
        .map((v) => {
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
    );
    // The broken law beside the family law, along the same line (fit/familyBrokenLaw.ts).
    if (model?.break?.brokenLaw && view.lawLine) view.brokenLine = brokenLawLine(model.break.brokenLaw, view.lawLine);
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
    validations: validationPoints(views, families),
  };
}
