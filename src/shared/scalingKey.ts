// The scaling view's caption and legend names: the caption explains only the marks the chart draws
// (no ladder sentence without a ladder), each marker by the glyph Chart.js draws for its point style.

/** The kinds of mark the scaling chart can draw, in the caption's order. */
export type ScalingMark =
  | 'final'
  | 'predicted'
  | 'held_out'
  | 'not_in_fit'
  | 'planned'
  | 'law'
  | 'law_provisional'
  | 'broken_law'
  | 'planned_law'
  | 'frontier'
  | 'ladder_planned'
  | 'ladder_training'
  | 'ladder_not_needed'
  | 'ladder_target';

/**
 * The config open in the editor: Chart.js's `star` point style, which it draws as a cross over a
 * diagonal cross (eight spokes, helpers.canvas drawPoint), so the caption writes ✳, not ★.
 */
export const PLANNED_MARKER = { pointStyle: 'star', glyph: '✳' } as const;

const SENTENCES: Record<Exclude<ScalingMark, 'ladder_training' | 'ladder_not_needed'>, string> = {
  final: '●: final loss of a finished run (what the law was fitted to).',
  predicted: "○ with bar: a live run's predicted final loss [80%].",
  held_out: "◆: held out of the law's validation fit.",
  not_in_fit: 'Grey ○: a run not in the fit (excluded by .scalinglens.yaml, or it went wrong), at its last logged loss; why in its tooltip.',
  planned: `${PLANNED_MARKER.glyph} with bar: the config open in the editor, its predicted loss [80%].`,
  law: "Dashed: the family law along the runs' tokens per parameter, shaded 80%.",
  law_provisional:
    "A law marked (provisional): a first scan's law of the runs read so far, fitted without resamples, so unshaded; the full law replaces it when it lands (why in its tooltip).",
  broken_law: 'Long dashes: where the runs bend, a broken law (one break, on compute C = 6·N·D; Caballero et al. 2022) fitted beside the family law.',
  planned_law: `Dotted: the law along the open config's tokens per parameter, to its ${PLANNED_MARKER.glyph}.`,
  frontier: 'Broad solid: compute-optimal frontier.',
  ladder_planned:
    "□: a run planned by Plan Experiments, at its planned N and D and the family model's loss there (the law blended with over-training by regime)",
  ladder_target: "△ with bars: the ladder's target, its 80% interval now (thin) and after the ladder (thick).",
};

/** The caption for the marks drawn: one sentence per kind, in a fixed order, nothing for what is not drawn. */
export function scalingKey(drawn: ReadonlySet<ScalingMark>): string {
  const out: string[] = [];
  for (const mark of ['final', 'predicted', 'held_out', 'not_in_fit', 'planned', 'law', 'law_provisional', 'broken_law', 'planned_law', 'frontier'] as const)
    if (drawn.has(mark)) out.push(SENTENCES[mark]);
  const ladderRuns = drawn.has('ladder_planned') || drawn.has('ladder_training') || drawn.has('ladder_not_needed');
  if (ladderRuns) {
    const states = [drawn.has('ladder_training') ? 'faint: training' : '', drawn.has('ladder_not_needed') ? '×: no longer needed' : ''].filter(Boolean);
    out.push(`${SENTENCES.ladder_planned}${states.length ? ` (${states.join('; ')})` : ''}.`);
  }
  if (drawn.has('ladder_target')) out.push(SENTENCES.ladder_target);
  return out.join(' ');
}

/** A config path as the legend names it: its last folder and file (the tooltip has the whole path); other text as it is. */
export function legendPath(file: string): string {
  if (/\s/.test(file)) return file;
  return file.split(/[\\/]/).filter(Boolean).slice(-2).join('/');
}
