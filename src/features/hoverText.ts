// The markdown of a config hover, kept free of `vscode` so it can be unit-tested.
import type { ConfigEstimate, FamilyLaw } from '../shared/protocol';
import { getLaw } from '../core/laws/registry';
import type { LawDefinition } from '../core/laws/types';
import { formatCount, formatFlops } from '../shared/format';
import { farFromSuggestions, farText, formatLr, lawName, LineIndex, lossAndInterval } from './lensModel';
import { formatHours, formatUsd } from '../core/plan/costFormat';
import { appendAll } from '../shared/arrays';
import { shortFamilyName } from '../shared/displayName';
import { lossProvenance } from './lossProvenance';

/** Plan keys a hover explains: sizes, tokens, learning rate and batch. */
const HOVERED_KEY = /^(architecture\.|params\.|tokens$|maxSteps$|seqLen$|tokensPerStep$|peakLr$|batch\.)/;

/** The plan values whose source range sits on `line` (0-based) of `file`, by plan key. */
export function sourcesOnLine(estimate: ConfigEstimate, file: string, text: string | LineIndex, line: number): string[] {
  const sources = estimate.plan?.sources ?? {};
  // The editor passes the document version's line index (built once, shared with the lenses).
  const lines = typeof text === 'string' ? new LineIndex(text) : text;
  const keys: string[] = [];
  for (const [key, source] of Object.entries(sources)) {
    if (source.file !== file || !source.range || !HOVERED_KEY.test(key)) continue;
    if (lines.lineOf(source.range.start) === line) keys.push(key);
  }
  return keys;
}

/**
 * Text for one table cell or note. Names in it come from the workspace (model types, families, run
 * ids), and this hover is trusted for the dashboard command: brackets and angle brackets are
 * escaped so such a name can never form a link or an autolink.
 */
function escapeCell(s: string): string {
  return s
    .replace(/[[\]<>]/g, (c) => `\\${c}`)
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

function citationOf(law: LawDefinition | undefined): string {
  if (!law) return 'unknown law';
  const c = law.citation;
  return `${c.authors} ${c.year}, arXiv:${c.arxiv}`;
}

function domainOf(law: LawDefinition | undefined): string | undefined {
  const d = law?.domain;
  if (!d) return undefined;
  const ranges = Object.entries(d.ranges).map(([k, [lo, hi]]) => `${k} ${formatCount(lo)}–${formatCount(hi)}`);
  return `${ranges.join(', ')} (${d.note})`;
}

/** Fitted parameter names as the formulas write them (`alpha` → α), so the symbols agree. */
const GREEK: Record<string, string> = { alpha: 'α', beta: 'β', gamma: 'γ', eta: 'η', epsilon: 'ε', delta: 'δ' };

/** Fitted parameters plugged into the formula, e.g. `E 1.690, A 406.4, α 0.340`. */
function parametersOf(family: FamilyLaw | undefined): string | undefined {
  const p = family?.fit?.parameters;
  if (!p) return undefined;
  return Object.entries(p)
    .map(([k, v]) => `${GREEK[k] ?? k} ${Math.abs(v.value) >= 1000 || Math.abs(v.value) < 0.01 ? v.value.toExponential(2) : v.value.toPrecision(4)}`)
    .join(', ');
}

/** What a plan key is, in words, for the hover's title. */
const KEY_LABELS: Record<string, string> = {
  'architecture.dModel': 'Model width',
  'architecture.nLayer': 'Layers',
  'architecture.nHead': 'Attention heads',
  'architecture.nKvHead': 'Key/value heads',
  'architecture.headDim': 'Head dimension',
  'architecture.dFfn': 'FFN width',
  'architecture.vocab': 'Vocabulary size',
  'architecture.positions': 'Position capacity',
  'architecture.tiedEmbeddings': 'Tied embeddings',
  'architecture.modelType': 'Model type',
  'architecture.experts': 'Experts',
  'architecture.expertsPerToken': 'Experts per token',
  'architecture.dFfnExpert': 'Expert FFN width',
  'architecture.encoderLayers': 'Encoder layers',
  'architecture.decoderLayers': 'Decoder layers',
  'params.total': 'Parameters',
  'params.nonEmbedding': 'Non-embedding parameters',
  tokens: 'Training tokens',
  maxSteps: 'Training steps',
  seqLen: 'Sequence length',
  tokensPerStep: 'Batch (tokens per step)',
  peakLr: 'Peak learning rate',
  'batch.global': 'Global batch',
  'batch.perDevice': 'Per-device batch',
  'batch.gradAccum': 'Gradient accumulation steps',
};

/** The key as the file writes it, read off the text before the value on its line (`hidden_size`, `--lr`). */
export function writtenKey(lines: LineIndex, offset: number): string | undefined {
  const line = lines.lineOf(offset);
  const lineText = lines.lineText(line);
  const start = offset - lines.lineStart(line);
  const before = lineText.slice(0, Math.max(0, start));
  const m = /(?:--)?["']?([A-Za-z_][\w.-]*)["']?\s*(?:[:=]|\s)\s*["']?$/.exec(before);
  return m?.[1];
}

/** `Model width (hidden_size)`; several keys of one line joined; the plan key itself only for keys without a label. */
export function hoverTitle(estimate: ConfigEstimate, keys: readonly string[], lines?: LineIndex): string {
  const sources = estimate.plan?.sources ?? {};
  return keys
    .map((k) => {
      const range = sources[k]?.range;
      const written = lines && range ? writtenKey(lines, range.start) : undefined;
      const label = KEY_LABELS[k] ?? k;
      return written ? `${label} (${written})` : label;
    })
    .join(', ');
}

export interface HoverLinks {
  /** Opens the dashboard. */
  dashboard: string;
  /** Opens the dashboard on one view (`scaling`: the family law and this prediction); optional. */
  dashboardView?: string;
}

/**
 * A config hover: a title in words, the key numbers first in two short lines, and the derivation
 * (formula, fitted numbers, fit quality, citations) folded below in a table the user can open.
 * The markdown needs `supportHtml` for the fold (`<details>`).
 */
export function hoverMarkdown(
  estimate: ConfigEstimate,
  keys: readonly string[],
  links: HoverLinks | string,
  family?: FamilyLaw,
  lines?: LineIndex,
  runName: (id: string) => string = (id) => id,
): string {
  const plan = estimate.plan;
  if (!plan) return '';
  const { dashboard, dashboardView } = typeof links === 'string' ? { dashboard: links, dashboardView: undefined } : links;
  const isLr = keys.includes('peakLr');
  const isBatch = keys.some((k) => k === 'tokensPerStep' || k.startsWith('batch.'));
  const a = plan.architecture;
  const rows: [string, string][] = [];
  const headline: string[] = [];
  const loss = estimate.predictions.loss;
  const nTotal = `N ${formatCount(plan.params.total)} total (${formatCount(plan.params.nonEmbedding)} non-embedding)`;
  if (isLr || isBatch) {
    // LR and batch: the configured value against the published laws, first and short.
    const suggestions = (isLr ? estimate.predictions.lr : estimate.predictions.batchTokens) ?? [];
    const current = isLr ? plan.peakLr : plan.tokensPerStep;
    const show = (v: number) => (isLr ? formatLr(v) : `${formatCount(v)} tokens`);
    if (current !== undefined) rows.push([isLr ? 'Learning rate' : 'Batch', `${show(current)} configured`]);
    const n = plan.params.activeNonEmbedding ?? plan.params.nonEmbedding;
    for (const s of suggestions) {
      const law = getLaw(s.lawId);
      const inputs = /^step/i.test(s.lawId) ? `N ${formatCount(n)} non-embedding, D ${formatCount(plan.tokens ?? 0)}` : 'C = M·D (M = 72·L·d² + 6·L·d·seq)';
      rows.push([
        s.title,
        `**${show(s.value)}** = ${law?.formula ?? s.lawId} at ${inputs}; a prior, not fitted to your runs; ${citationOf(law)}${s.outsideDomain ? `; ⚠ outside its fitted range: ${s.outsideDomain}` : domainOf(law) ? `; fitted on ${domainOf(law)}` : ''}`,
      ]);
    }
    if (suggestions.length === 0 && estimate.predictions.hparamsSilent) rows.push(['Advice', `none: ${estimate.predictions.hparamsSilent}`]);
    if (plan.tokens !== undefined) rows.push(['Model', `${nTotal}, D ${formatCount(plan.tokens)} tokens`]);
    const far =
      current === undefined
        ? undefined
        : farFromSuggestions(
            current,
            suggestions.map((s) => s.value),
          );
    headline.push(
      [
        current === undefined ? `**not set**` : `**${show(current)}** configured${far ? ` · ⚠ ${farText(far, suggestions.length)}` : ''}`,
        ...suggestions.map((s) => `${lawName(s.lawId, s.title)} **${show(s.value)}**${s.outsideDomain ? ' ⚠' : ''}`),
      ].join(' · '),
    );
    headline.push(
      suggestions.length
        ? 'Suggestions are priors from published laws, not fitted to your runs.'
        : `No advice: ${estimate.predictions.hparamsSilent ?? 'no law applies'}.`,
    );
  } else {
    rows.push([
      'Parameters',
      `${formatCount(plan.params.total)} total · ${formatCount(plan.params.nonEmbedding)} non-embedding (Kaplan et al. 2020: without vocabulary and position embeddings)`,
    ]);
    rows.push([
      'Architecture',
      `${a.modelType}: ${a.nLayer} layers × d ${a.dModel}, ${a.nHead} heads${a.nKvHead && a.nKvHead !== a.nHead ? ` (${a.nKvHead} KV)` : ''}${a.dFfn ? `, FFN ${a.dFfn}` : ''}, vocabulary ${a.vocab}${a.tiedEmbeddings ? ', tied embeddings' : ''}`,
    ]);
    if (plan.tokens !== undefined) {
      const how =
        plan.maxSteps !== undefined && plan.tokensPerStep !== undefined ? ` = ${plan.maxSteps} steps × ${formatCount(plan.tokensPerStep)} tokens/step` : '';
      rows.push(['Tokens', `${formatCount(plan.tokens)}${how} (${(plan.tokens / plan.params.total).toFixed(1)} per parameter)`]);
    }
    const cost = estimate.cost;
    if (cost) {
      const hw = cost.hardware
        ? ` · ${formatHours(cost.gpuHours)} ${cost.hardware.id}-h · ${formatUsd(cost.usd)} at ${(cost.hardware.mfu * 100).toFixed(0)}% MFU`
        : '';
      rows.push(['Compute', `${formatFlops(cost.flops)} FLOPs${hw} (${cost.convention.split(':')[0]} convention)`]);
    }
    const top: string[] = [];
    if (loss) {
      const law = getLaw(loss.lawId);
      const plugged = parametersOf(family);
      top.push(`Loss ${lossAndInterval(loss, true)}${loss.extrapolation ? ' (extrapolated)' : ''}`);
      rows.push([
        'Predicted loss',
        `${lossAndInterval(loss)}${loss.provisional ? `: ${loss.provisional.note}` : ' (80%)'}${loss.extrapolation ? `; extrapolated: ${loss.extrapolation}` : ''}`,
      ]);
      rows.push(['Comes from', lossProvenance(loss, runName).detail]);
      rows.push([
        'Formula',
        `${law?.formula ?? loss.lawId}${plugged ? ` with ${plugged}` : ''}; N ${formatCount(plan.params.total)} total, D ${formatCount(plan.tokens ?? 0)} tokens`,
      ]);
      const validation = family?.fit?.validation;
      rows.push([
        'Fit quality',
        `${loss.lawId} law of family "${shortFamilyName(loss.family)}"${loss.familyAssumed ? ' (assumed)' : ''}, ${loss.runsUsed.length} run(s)` +
          (validation
            ? `; ${validation.errorPct.toFixed(1)}% error predicting the largest finished run (${runName(validation.heldOutRunId)}) from the others`
            : `; not validated (${family?.fit?.validationSkipped ? 'every run is still training' : 'too few runs'})`) +
          `; ${citationOf(law)}` +
          (domainOf(law) ? `; published domain ${domainOf(law)}` : ''),
      ]);
      if (loss.regime) rows.push(['Regime', loss.regime.note.replace(/^Loss law: /, '')]);
      if (loss.breakNote) rows.push(['Possible break', loss.breakNote.replace(/^Possible break: /, '')]);
      if (loss.brokenLaw) rows.push(['Broken law', loss.brokenLaw.note]);
      if (loss.fitWarnings?.length) rows.push(['Fit warnings', loss.fitWarnings.join(' ')]);
    } else {
      top.push('Loss uncalibrated');
      rows.push(['Predicted loss', `uncalibrated: ${estimate.predictions.uncalibrated ?? 'no law'}`]);
    }
    if (cost) {
      top.push(`${formatFlops(cost.flops)} FLOPs`);
      if (cost.hardware && Number.isFinite(cost.gpuHours)) top.push(`${formatHours(cost.gpuHours)} ${cost.hardware.id}-h`, formatUsd(cost.usd));
    }
    headline.push(top.join(' · '));
    headline.push(
      `${nTotal}${plan.tokens !== undefined ? ` · D ${formatCount(plan.tokens)} tokens (${(plan.tokens / plan.params.total).toFixed(1)} per parameter)` : ''}`,
    );
    if (loss) headline.push(`Loss from the ${lossProvenance(loss, runName).headline}`);
  }
  const notes = keys.map((k) => plan.sources[k]?.note).filter((n): n is string => !!n);
  const out = [
    `**${escapeCell(hoverTitle(estimate, keys, lines))}** · Scaling Lens`,
    '',
    // Two lines: a hard break (two trailing spaces) keeps them apart without a paragraph gap.
    headline.map(escapeCell).join('  \n'),
    '',
    `<details><summary>${isLr || isBatch ? 'How the suggestions are computed' : 'How this is computed'}</summary>`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`),
  ];
  if (notes.length) appendAll(out, ['', ...notes.map((n) => `- ${escapeCell(n)}`)]);
  out.push('', '</details>');
  const link = [`[Open the dashboard](command:${dashboard})`];
  // The config travels with the link: the dashboard picks out its run (a run's own config) or draws it as the planned run.
  if (dashboardView && loss)
    link.push(
      `[Show this prediction on the family's scaling chart](command:${dashboardView}?${encodeURIComponent(JSON.stringify(['scaling', { config: estimate.file }]))})`,
    );
  out.push('', link.join(' · '));
  return out.join('\n');
}
