// Where a config's predicted loss comes from, in words, for the code lens and the hover: the
// family law (fitted on which runs, anchored by which live runs' forecasts), how far the config lies
// from those runs, and whether the N/D split rests on published ratios rather than the family.
import type { LossEstimate } from '../core/snapshot';
import { shortFamilyName } from '../shared/displayName';
import { formatRatio } from '../shared/format';
import { SCHEDULE_ASSUMED } from '../shared/scheduleAssumed';

/**
 * `headline` (`family law with 1 live run, 4.3× its largest run`: the hover's key lines, the lens
 * tooltip's first words), `detail` for tooltips and the hover's derivation. Not in the lens title:
 * its row, beside the other lenses, must fit a normal editor width.
 */
/** `runName`: a run's display name (shared/displayName.ts); ids are shown as they are without it. */
export function lossProvenance(loss: LossEstimate, runName: (id: string) => string = (id) => id): { headline: string; detail: string } {
  const anchored = loss.anchoredRunIds ?? [];
  const finished = loss.runsUsed.filter((id) => !anchored.includes(id));
  const d = loss.distance;
  const where =
    !d || !Number.isFinite(d.computeRatio)
      ? ''
      : d.computeRatio <= 1
        ? 'within its runs'
        : d.notValidated
          ? `${formatRatio(d.computeRatio)}× its largest run, not validated`
          : `${formatRatio(d.computeRatio)}× its largest run`;
  const assumed = loss.anchoredScheduleAssumed?.length ? ` (${SCHEDULE_ASSUMED})` : '';
  const headline = `family law${anchored.length ? ` with ${anchored.length} live run${anchored.length > 1 ? 's' : ''}${assumed}` : ''}${where ? `, ${where}` : ''}`;
  const sentences = [
    `From the law of family "${shortFamilyName(loss.family)}"${loss.familyAssumed ? ' (assumed: the config names no family)' : ''}, fitted on ${finished.length} finished run(s)` +
      (anchored.length
        ? ` and the forecast end of ${anchored.map(runName).join(', ')} (still training; ${forecastSource(anchored, loss.anchoredFromSiblings ?? [])}${loss.anchoredScheduleAssumed?.length ? `; ${SCHEDULE_ASSUMED} for ${loss.anchoredScheduleAssumed.map(runName).join(', ')} (no config names it: the last logged LR is held, the interval reaches down to the LR falling to 0)` : ''}; anchoring the law, each weighed by its forecast's interval)`
        : '') +
      '.',
  ];
  if (d && Number.isFinite(d.computeRatio)) {
    sentences.push(
      d.computeRatio <= 1
        ? `Within the compute of its runs (${formatRatio(d.computeRatio)}× the largest${d.largestRunId ? `, ${runName(d.largestRunId)}` : ''}).`
        : `${formatRatio(d.computeRatio)}× the compute of its largest finished run${d.largestRunId ? ` (${runName(d.largestRunId)})` : ''}: the interval widens with that distance, as backtests measure${d.notValidated ? `; not validated that far (backtests reach ${d.backtestedUpTo}×)` : ''}.`,
    );
  }
  if (loss.fitWarnings?.some((w) => /cannot tell a larger model from more data/.test(w)))
    sentences.push("Its split between parameters and tokens follows published ratios: the family's runs all sit at one tokens-per-parameter ratio.");
  return { headline, detail: sentences.join(' ') };
}

/** Where the anchored runs' forecasts come from (CurvePrediction.provenance): their own curves or their finished siblings'. */
function forecastSource(anchored: readonly string[], fromSiblings: readonly string[]): string {
  const n = anchored.filter((id) => fromSiblings.includes(id)).length;
  if (n === 0) return `forecast from ${anchored.length > 1 ? 'their own curves' : 'its own curve'}`;
  if (n === anchored.length) return `forecast from ${anchored.length > 1 ? 'their' : 'its'} finished siblings' curves`;
  return `${n} forecast from finished siblings' curves, ${anchored.length - n} from their own`;
}
