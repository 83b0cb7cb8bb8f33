// What the code lenses of a config say and where they sit, computed from the worker's estimate and
// the document text. Free of `vscode`, so the unit tests and the bench run it as the editor does.
import type { ConfigEstimate, LossEstimate } from '../shared/protocol';
import type { HparamSuggestion } from '../core/plan/advice';
import type { TrainingPlan } from '../core/configs/types';
import { formatCount, formatFlops, formatInterval, formatLoss } from '../shared/format';
import { formatHours, formatUsd } from '../core/plan/costFormat';
import { appendAll } from '../shared/arrays';
import { maxOf, minOf } from '../shared/arrays';
import { shortFamilyName } from '../shared/displayName';
import { lossProvenance } from './lossProvenance';

/** Maps character offsets to 0-based lines in O(log lines), built once per document version. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Offset of the first character of `line`. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }

  lineText(line: number): string {
    const end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return this.text.slice(this.starts[line], end).replace(/\r$/, '');
  }
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** A line that opens a block: `model:` (YAML), `[model]` (TOML), `"model": {` (JSON). */
function isBlockHeader(line: string): boolean {
  const t = line.trim();
  return /^[\w.-]+:\s*(#.*)?$/.test(t) || /^\[[^\]]+\]\s*(#.*)?$/.test(t) || /^("[^"]+"\s*:\s*)?\{\s*$/.test(t);
}

/** The 0-based line of a plan value's source in `file`, when it has a range there. */
export function sourceLine(plan: TrainingPlan, key: string, file: string, lines: LineIndex): number | undefined {
  const s = plan.sources[key];
  return s && s.file === file && s.range ? lines.lineOf(s.range.start) : undefined;
}

/**
 * Where the model lens goes: the header of the block holding the first architecture value
 * (`model:` / `[model]`), else the first architecture value's own line, else the top.
 */
export function modelBlockLine(plan: TrainingPlan, file: string, lines: LineIndex): number {
  let first: number | undefined;
  for (const key of Object.keys(plan.sources)) {
    if (!key.startsWith('architecture.') && key !== 'params.total') continue;
    const line = sourceLine(plan, key, file, lines);
    if (line !== undefined && (first === undefined || line < first)) first = line;
  }
  if (first === undefined) return 0;
  // A shell command continued over lines (`torchrun … \\`): above the command, not a flag.
  if (first > 0 && /\\\s*$/.test(lines.lineText(first - 1))) {
    let l = first - 1;
    while (l > 0 && /\\\s*$/.test(lines.lineText(l - 1))) l--;
    return l;
  }
  const indent = indentOf(lines.lineText(first));
  for (let l = first - 1; l >= 0; l--) {
    const text = lines.lineText(l);
    if (text.trim() === '' || /^\s*(#|\/\/)/.test(text)) continue;
    // TOML tables are not indented: the nearest header above is the table's.
    if (/^\s*\[[^\]]+\]/.test(text)) return l;
    if (indentOf(text) < indent) return isBlockHeader(text) ? l : first;
  }
  return first;
}

// ---------------------------------------------------------------- titles

/** A learning rate as people write it: 0.0003 → `3e-4`, 0.00072 → `7.2e-4`. */
export function formatLr(v: number): string {
  const [m, e] = v.toExponential(1).split('e');
  return `${m.replace(/\.0$/, '')}e${Number(e)}`;
}

/**
 * A predicted loss with its 80% interval, `2.410 [2.380, 2.450]`; a provisional one (LossEstimate.provisional)
 * without it, `≈2.410 (provisional)`: its interval is not calibrated and the full law's replaces it.
 */
export function lossAndInterval(loss: LossEstimate, bold = false): string {
  const value = bold ? `**${formatLoss(loss.value)}**` : formatLoss(loss.value);
  return loss.provisional ? `≈${value} (provisional)` : `${value} ${formatInterval(loss.interval)}`;
}

/** `Loss 2.410 [2.380, 2.450] · 3.10e21 FLOPs · 1,240 H100-h · $3.1k`, or `Loss uncalibrated · …`. */
export function lensTitle(estimate: ConfigEstimate): string {
  const parts: string[] = [];
  const loss = estimate.predictions.loss;
  if (loss) {
    parts.push(`Loss ${lossAndInterval(loss)}${loss.extrapolation ? ' (extrapolated)' : ''}`);
    // The family bends: the broken law's value beside the family law's (core/fit/familyBrokenLaw.ts).
    if (loss.brokenLaw) parts.push(`break: broken law ${formatLoss(loss.brokenLaw.value)}`);
  } else {
    parts.push('Loss uncalibrated');
  }
  const cost = estimate.cost;
  if (cost) {
    parts.push(`${formatFlops(cost.flops)} FLOPs`);
    if (cost.hardware && Number.isFinite(cost.gpuHours)) parts.push(`${formatHours(cost.gpuHours)} ${cost.hardware.id}-h`, formatUsd(cost.usd));
  }
  // Where the loss comes from is in the tooltip (lensTooltip) and the hover: the lens row, beside
  // "Plan around this config" and the training_args.json lens, must fit a normal editor width.
  return parts.join(' · ');
}

export function lensTooltip(estimate: ConfigEstimate, runName: (id: string) => string = (id) => id): string {
  const lines: string[] = [];
  const loss = estimate.predictions.loss;
  if (loss) {
    lines.push(
      `Predicted final loss from the ${loss.provisional ? 'provisional ' : ''}${loss.lawId} law of family "${shortFamilyName(loss.family)}"${loss.familyAssumed ? ' (assumed: the config names no family)' : ''}, fitted on ${loss.runsUsed.length} run(s): ${loss.runsUsed.map(runName).join(', ')}. ${loss.provisional ? (loss.provisional.fullLawTimedOut ? 'No interval: the full law did not finish within its fit time budget (scalingLens.fit.timeBudgetMs).' : 'No interval yet: the full law follows.') : 'Interval: 80%, calibrated on backtests.'}`,
    );
    const provenance = lossProvenance(loss, runName);
    lines.push(`Comes from the ${provenance.headline}. ${provenance.detail}`);
    if (loss.extrapolation) lines.push(`Extrapolation: ${loss.extrapolation}.`);
    if (loss.brokenLaw) lines.push(loss.brokenLaw.note);
  } else {
    lines.push(`Loss uncalibrated: ${estimate.predictions.uncalibrated ?? 'no law'}.`);
  }
  const plan = estimate.plan;
  if (plan)
    lines.push(
      `${formatCount(plan.params.total)} parameters${plan.tokens !== undefined ? `, ${formatCount(plan.tokens)} training tokens` : ''}${plan.format ? ` (${plan.format} config)` : ''}.`,
    );
  const cost = estimate.cost;
  if (cost) {
    lines.push(`FLOPs convention: ${cost.convention}`);
    if (cost.hardware)
      lines.push(
        `Cost on ${cost.hardware.name} at ${(cost.hardware.mfu * 100).toFixed(0)}% MFU (${cost.hardware.precision}), $${cost.hardware.usdPerHour}/h${cost.wallClockHours !== undefined ? `; ${(cost.wallClockHours / 24).toFixed(1)} days on the config's GPUs` : ''}. Set prices and MFU in scalingLens.hardware.*.`,
      );
  }
  appendAll(lines, estimate.notes);
  return lines.join('\n');
}

/**
 * `Fits 8× H100 with ZeRO-2 (61 GB/GPU)`; when the training state does not fit, a warning with
 * the smallest layout that does, at the sequence length and micro-batch it assumes:
 * `255 GB/GPU on 1× H100: needs 4× H100, ZeRO-3 (FSDP), activation checkpointing at seq 2,048 (assumed), micro-batch 1 (assumed)`.
 */
export function memoryTitle(estimate: ConfigEstimate): string | undefined {
  const m = estimate.memory;
  if (!m) return undefined;
  const plan = estimate.plan;
  const gb = (b: number) => `${(b / 1e9).toFixed(0)} GB`;
  const gpus = plan?.gpus ?? 1;
  const par = plan?.parallelism;
  const how = [
    par?.zeroStage ? `ZeRO-${par.zeroStage}` : '',
    par?.tensor && par.tensor > 1 ? `TP ${par.tensor}` : '',
    par?.pipeline && par.pipeline > 1 ? `PP ${par.pipeline}` : '',
  ].filter(Boolean);
  const setup = `${gpus}× ${m.hardwareId}${how.length ? ` with ${how.join(', ')}` : ''}`;
  if (m.fits) return `Fits ${setup} (${gb(m.totalBytes)}/GPU)`;
  const at = `seq ${m.seqLen.toLocaleString('en-US')}${m.seqLenAssumed ? ' (assumed)' : ''}, micro-batch ${m.microBatch}${m.microBatchAssumed ? ' (assumed)' : ''}`;
  const over = `$(warning) ${gb(m.totalBytes)}/GPU on ${setup} (${gb(m.capacityBytes)})`;
  return m.smallestFit ? `${over}: needs ${m.smallestFit.description} at ${at}` : `${over}: no layout fits at ${at}`;
}

function memoryTooltip(estimate: ConfigEstimate): string {
  const m = estimate.memory!;
  const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;
  return [
    ...(m.warning ? [`Does not fit: ${m.warning}.`] : []),
    ...(m.smallestFit
      ? [
          `Smallest layout that fits (${gb(m.smallestFit.totalBytes)}/GPU): ${m.smallestFit.description}, at sequence length ${m.seqLen.toLocaleString('en-US')} and micro-batch ${m.microBatch}.`,
        ]
      : []),
    `Per GPU as configured: weights ${gb(m.weightsBytes)}, gradients ${gb(m.gradsBytes)}, optimizer ${gb(m.optimizerBytes)}, activations ${gb(m.activationBytes)}, logits ${gb(m.logitsBytes)}; total ${gb(m.totalBytes)} of ${gb(m.capacityBytes)}.`,
    ...m.assumed.map((a) => `Assumed: ${a}`),
    ...m.notes,
  ].join('\n');
}

// ---------------------------------------------------------------- lenses

/** Command ids a lens may carry (passed in, so this module needs no `vscode`). */
export interface LensCommands {
  /** Opens the dashboard at a view, with what to pick out there (`[view, { config }]`). */
  showDashboard: string;
  applyEdit: string;
  planBudget: string;
  /** "Plan Experiments" from this config (`[file]`). */
  planExperiments: string;
  /** Opens a file at a character offset (`[file, offset]`). */
  openLocation: string;
}

export interface LensSpec {
  /** 0-based line the lens sits above. */
  line: number;
  title: string;
  tooltip: string;
  /** Empty for a lens that only informs (not clickable). */
  command: string;
  arguments?: unknown[];
}

/**
 * The arguments of the "apply suggestion" command: which value to replace, by what, and the value
 * it must still hold (the edit is refused when the file changed since the estimate).
 */
export interface SuggestionArgs {
  file: string;
  start: number;
  end: number;
  current: number;
  value: number;
  integer: boolean;
  /** `Step Law`, `DeepSeek`. */
  law: string;
  /** The key as the file names it, for messages. */
  key: string;
}

/** The config key behind an LR or batch value and the unit it is written in. */
interface EditableValue {
  file: string;
  range: { start: number; end: number };
  /** The value as the file states it (LR, sequences per step, or tokens per step). */
  current: number;
  /** Converts a suggestion in the law's unit (LR or batch tokens) to the file's unit. */
  toFile: (v: number) => number;
  integer: boolean;
}

function lrValue(plan: TrainingPlan): EditableValue | undefined {
  const s = plan.sources.peakLr;
  if (!s?.range || plan.peakLr === undefined || s.note?.startsWith('assumed') || s.note?.startsWith('derived')) return undefined;
  return { file: s.file, range: s.range, current: plan.peakLr, toFile: (v) => v, integer: false };
}

function batchValue(plan: TrainingPlan): EditableValue | undefined {
  const direct = plan.sources.tokensPerStep;
  if (direct?.range && !direct.note && plan.tokensPerStep !== undefined) {
    return { file: direct.file, range: direct.range, current: plan.tokensPerStep, toFile: (v) => v, integer: true };
  }
  const global = plan.sources['batch.global'];
  if (global?.range && !global.note && plan.seqLen && plan.tokensPerStep !== undefined) {
    const seqLen = plan.seqLen;
    return { file: global.file, range: global.range, current: plan.tokensPerStep / seqLen, toFile: (v) => v / seqLen, integer: true };
  }
  return undefined;
}

/** Short law names for lens titles. */
export function lawName(lawId: string, title: string): string {
  if (/step/i.test(lawId)) return 'Step Law';
  if (/deepseek/i.test(lawId)) return 'DeepSeek';
  return title;
}

type Far = { direction: 'below' | 'above'; min: number; max: number };

/**
 * How far a configured value is from the suggestions, when it is more than `threshold`× from every
 * one of them on the same side (a value between two suggestions is not flagged).
 */
export function farFromSuggestions(current: number, suggestions: readonly number[], threshold = 3): Far | undefined {
  if (!(current > 0) || suggestions.length === 0 || !suggestions.every((s) => s > 0)) return undefined;
  const up = suggestions.map((s) => s / current);
  if (up.every((r) => r > threshold)) return { direction: 'below', min: minOf(up), max: maxOf(up) };
  const down = suggestions.map((s) => current / s);
  if (down.every((r) => r > threshold)) return { direction: 'above', min: minOf(down), max: maxOf(down) };
  return undefined;
}

function farFactor(far: Far): string {
  const lo = Math.round(far.min);
  const hi = Math.round(far.max);
  return lo === hi ? `${lo}×` : `${lo}–${hi}×`;
}

/** `8× below both suggestions`, `6–8× above all 3 suggestions`, `5× below the suggestion`. */
export function farText(far: Far, count: number): string {
  const which = count === 1 ? 'the suggestion' : count === 2 ? 'both suggestions' : `all ${count} suggestions`;
  return `${farFactor(far)} ${far.direction} ${which}`;
}

/**
 * The same, short enough for the lens row at the top of a config (it shares the line with the loss
 * lens and must fit a 1400 px editor) and still a whole phrase: `6–8× below priors`.
 */
function farTextShort(far: Far, count: number): string {
  return `${farFactor(far)} ${far.direction} ${count === 1 ? 'the prior' : 'priors'}`;
}

/** LR or batch advice whose configured value is not on a line of this file (another file, or derived). */
interface AdviceElsewhere {
  /** `LR 2e-4, 6–8× below both suggestions`. */
  summary: string;
  warning: boolean;
  /** The file and offset holding the value (or the first of the keys it is derived from). */
  at?: { file: string; offset: number };
  tooltip: string[];
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function adviceLenses(
  kind: 'lr' | 'batch',
  estimate: ConfigEstimate,
  file: string,
  lines: LineIndex,
  commands: LensCommands,
): { here: LensSpec[]; elsewhere?: AdviceElsewhere } {
  const plan = estimate.plan!;
  const suggestions = (kind === 'lr' ? estimate.predictions.lr : estimate.predictions.batchTokens) ?? [];
  const editable = kind === 'lr' ? lrValue(plan) : batchValue(plan);
  const keys = kind === 'lr' ? ['peakLr'] : ['tokensPerStep', 'batch.global', 'batch.perDevice', 'batch.gradAccum'];
  const line = keys.map((k) => sourceLine(plan, k, file, lines)).find((l) => l !== undefined);
  const current = kind === 'lr' ? plan.peakLr : plan.tokensPerStep;
  if (current === undefined && suggestions.length === 0) return { here: [] };
  const show = (v: number) => (kind === 'lr' ? formatLr(v) : `${formatCount(v)} tokens`);
  const label = kind === 'lr' ? 'LR' : 'Batch';
  const currentNote = kind === 'lr' ? plan.sources.peakLr?.note : plan.sources.tokensPerStep?.note;
  const far =
    current === undefined
      ? undefined
      : farFromSuggestions(
          current,
          suggestions.map((s) => s.value),
        );
  const farNote = far ? `, ${farText(far, suggestions.length)}` : '';
  const currentTitle =
    current === undefined
      ? `${label} not set`
      : `${far ? '$(warning) ' : ''}${label} ${show(current)}${currentNote?.startsWith('assumed') ? ' (default)' : ''}${farNote}`;
  const currentTooltip = [
    current === undefined
      ? `The config sets no ${kind === 'lr' ? 'learning rate' : 'batch size'}.`
      : `Configured ${kind === 'lr' ? 'peak learning rate' : 'batch (tokens per optimizer step)'}${currentNote ? `: ${currentNote}` : ''}.`,
    far ? `More than 3× from every suggestion (${farText(far, suggestions.length)}): worth a second look, though the laws are priors from other setups.` : '',
    suggestions.length
      ? 'The suggestions are priors from published laws (not fitted to your runs).'
      : estimate.predictions.hparamsSilent
        ? `No advice: ${estimate.predictions.hparamsSilent}`
        : '',
  ].filter(Boolean);
  const key = kind === 'lr' ? 'learning rate' : 'batch size';
  const argsFor = (s: HparamSuggestion): SuggestionArgs | undefined =>
    editable && {
      file: editable.file,
      start: editable.range.start,
      end: editable.range.end,
      current: editable.current,
      value: editable.toFile(s.value),
      integer: editable.integer,
      law: lawName(s.lawId, s.title),
      key,
    };
  const describe = (s: HparamSuggestion) => [
    `${s.title}: ${show(s.value)}. Assumes: ${s.assumes}`,
    ...(s.outsideDomain ? [`⚠ Outside the law's fitted range: ${s.outsideDomain}`] : []),
  ];
  if (line !== undefined) {
    // The value is on a line of this file: the lenses sit on that line, one per suggestion, and
    // a click applies it when the value is written there as one number.
    const out: LensSpec[] = [{ line, title: currentTitle, tooltip: currentTooltip.join('\n'), command: '' }];
    for (const s of suggestions) {
      const apply = editable && editable.file === file;
      const tooltip = [
        ...describe(s),
        apply
          ? 'A prior from a published law, not fitted to your runs. Click to set it (undo with Ctrl+Z).'
          : 'A prior from a published law, not fitted to your runs. This config derives the value from several keys: set it by hand.',
      ];
      out.push({
        line,
        title: `${lawName(s.lawId, s.title)} ${show(s.value)} (prior)${s.outsideDomain ? ' ⚠' : ''}`,
        tooltip: tooltip.join('\n'),
        command: apply ? commands.applyEdit : '',
        arguments: apply ? [argsFor(s)] : undefined,
      });
    }
    return { here: out };
  }
  // The value is in a sibling file (HF training_args.json), derived, or not set: one entry of the
  // lens at the top of the config, which opens the file holding it.
  const located = keys.map((k) => plan.sources[k]).find((s) => s?.range && s.file !== file);
  const at = located?.range ? { file: located.file, offset: located.range.start } : undefined;
  const suggestionsText = suggestions.map((s) => `${lawName(s.lawId, s.title)} ${show(s.value)}${s.outsideDomain ? ' ⚠' : ''}`).join(', ');
  const tooltip = [...currentTooltip, ...(suggestionsText ? [`Suggestions (priors): ${suggestionsText}.`] : []), ...suggestions.flatMap(describe)];
  const lower = kind === 'lr' ? 'LR' : 'batch';
  const summary =
    current === undefined
      ? `${lower} not set (suggested ${suggestions.map((s) => show(s.value)).join(', ')})`
      : `${lower} ${show(current)}${far ? `, ${farTextShort(far, suggestions.length)}` : ''}`;
  return { here: [], elsewhere: { summary, warning: !!far, at, tooltip } };
}

/** The lenses of one recognised config, in line order (stable for lenses on the same line). */
export function configLenses(estimate: ConfigEstimate, file: string, lines: LineIndex, commands: LensCommands, runName?: (id: string) => string): LensSpec[] {
  const plan = estimate.plan;
  if (!estimate.applicable || !plan) return [];
  const modelLine = modelBlockLine(plan, file, lines);
  // The dashboard opens at this config: its run picked out, or the config drawn as the planned run.
  const out: LensSpec[] = [
    {
      line: modelLine,
      title: `$(graph-line) ${lensTitle(estimate)}`,
      tooltip: lensTooltip(estimate, runName),
      command: commands.showDashboard,
      arguments: ['scaling', { config: file }],
    },
  ];
  // Memory is a lens only when it is advice (the run does not fit): a verdict that it fits is in
  // the main lens's tooltip, so the top line keeps room for the lens naming training_args.json.
  const memory = memoryTitle(estimate);
  if (memory && !estimate.memory!.fits) out.push({ line: modelLine, title: memory, tooltip: memoryTooltip(estimate), command: '' });
  else if (memory)
    out[0].tooltip += `\nMemory: ${memory.replace(/^Fits/, 'fits')}${estimate.memory!.seqLenAssumed ? ` at sequence length ${estimate.memory!.seqLen.toLocaleString('en-US')} (assumed)` : ''}.`;
  out.push({
    line: modelLine,
    title: 'Plan budget',
    tooltip: 'Scaling Lens: plan a compute budget starting from this config',
    command: commands.planBudget,
    arguments: [file],
  });
  if (plan.tokens !== undefined)
    out.push({
      line: modelLine,
      title: 'Plan ladder',
      tooltip: "Scaling Lens: Plan Experiments, the small runs to train first so that this run's loss is known before it starts",
      command: commands.planExperiments,
      arguments: [file],
    });
  const lr = adviceLenses('lr', estimate, file, lines, commands);
  const batch = adviceLenses('batch', estimate, file, lines, commands);
  appendAll(out, [...lr.here, ...batch.here]);
  const elsewhere = [lr.elsewhere, batch.elsewhere].filter((e): e is AdviceElsewhere => !!e);
  if (elsewhere.length) out.push(elsewhereLens(elsewhere, modelLine, commands));
  // Array.prototype.sort is stable: lenses of one line keep the order above.
  return out.sort((a, b) => a.line - b.line);
}

/**
 * One lens at the top of the config for the LR and batch that live elsewhere: it names the file
 * (`training_args.json: LR 2e-4 · batch 1.05M tokens`) and a click opens that file at the value,
 * where the suggestions are lenses on the value's own line.
 */
function elsewhereLens(items: AdviceElsewhere[], line: number, commands: LensCommands): LensSpec {
  const at = items.find((i) => i.at)?.at;
  const warning = items.some((i) => i.warning);
  const icon = warning ? '$(warning)' : at ? '$(go-to-file)' : '$(info)';
  // Short: it shares the top line with the loss lens. With a warning, only the flagged values.
  const shown = warning ? items.filter((i) => i.warning) : items;
  const title = `${icon} ${at ? `${baseName(at.file)}: ` : ''}${shown.map((i) => i.summary).join(' · ')}`;
  const tooltip = items.flatMap((i) => i.tooltip);
  if (at) {
    tooltip.push(`Click to open ${baseName(at.file)} at the value: its suggestions are lenses there, one click sets one (undo with Ctrl+Z).`);
    return { line, title, tooltip: tooltip.join('\n'), command: commands.openLocation, arguments: [at.file, at.offset] };
  }
  tooltip.push('This config derives the value from several keys: set it by hand.');
  return { line, title, tooltip: tooltip.join('\n'), command: '' };
}

/**
 * The lenses of a file that holds another config's LR and batch (HF `training_args.json` beside
 * `config.json`): the advice on the lines of its values, estimated from the model config.
 */
export function siblingLenses(estimate: ConfigEstimate, file: string, lines: LineIndex, commands: LensCommands): LensSpec[] {
  if (!estimate.applicable || !estimate.plan) return [];
  const out = [...adviceLenses('lr', estimate, file, lines, commands).here, ...adviceLenses('batch', estimate, file, lines, commands).here];
  return out.sort((a, b) => a.line - b.line);
}

/** The suggestions whose value sits on `line` of `file` (code actions on that line offer them). */
export function suggestionsOnLine(specs: readonly LensSpec[], applyCommand: string, file: string, lines: LineIndex, line: number): SuggestionArgs[] {
  const out: SuggestionArgs[] = [];
  for (const spec of specs) {
    if (spec.command !== applyCommand) continue;
    for (const args of (spec.arguments ?? []) as SuggestionArgs[]) {
      if (args.file === file && lines.lineOf(args.start) === line) out.push(args);
    }
  }
  return out;
}
