// The markdown of a config hover, kept free of `vscode` so it can be unit-tested.
import type { ConfigEstimate, FamilyLaw } from '../shared/protocol';
import { getLaw } from '../core/laws/registry';
import type { LawDefinition } from '../core/laws/types';
import { formatCount, formatFlops, formatInterval, formatLoss } from '../shared/format';
import { formatLr, LineIndex } from './lensModel';
import { formatHours, formatUsd } from '../core/plan/costFormat';
import { appendAll } from '../shared/arrays';

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
  return s.replace(/[[\]<>]/g, (c) => `\\${c}`).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
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

/** Fitted parameters plugged into the formula, e.g. `E 1.690, A 406.4, α 0.340`. */
function parametersOf(family: FamilyLaw | undefined): string | undefined {
  const p = family?.fit?.parameters;
  if (!p) return undefined;
  return Object.entries(p)
    .map(([k, v]) => `${k} ${Math.abs(v.value) >= 1000 || Math.abs(v.value) < 0.01 ? v.value.toExponential(2) : v.value.toPrecision(4)}`)
    .join(', ');
}

export interface HoverLinks {
  /** Opens the dashboard. */
  dashboard: string;
  /** Opens the dashboard on one view (`scaling`: the family law and this prediction); optional. */
  dashboardView?: string;
}

/** A short table: the formula, the numbers plugged in, the law and its fit quality, for the hovered keys. */
export function hoverMarkdown(estimate: ConfigEstimate, keys: readonly string[], links: HoverLinks | string, family?: FamilyLaw): string {
  const plan = estimate.plan;
  if (!plan) return '';
  const { dashboard, dashboardView } = typeof links === 'string' ? { dashboard: links, dashboardView: undefined } : links;
  const isLr = keys.includes('peakLr');
  const isBatch = keys.some((k) => k === 'tokensPerStep' || k.startsWith('batch.'));
  const a = plan.architecture;
  const rows: [string, string][] = [];
  const loss = estimate.predictions.loss;
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
      rows.push([s.title, `**${show(s.value)}** = ${law?.formula ?? s.lawId} at ${inputs}; a prior, not fitted to your runs; ${citationOf(law)}${s.outsideDomain ? `; ⚠ outside its fitted range: ${s.outsideDomain}` : domainOf(law) ? `; fitted on ${domainOf(law)}` : ''}`]);
    }
    if (suggestions.length === 0 && estimate.predictions.hparamsSilent) rows.push(['Advice', `none: ${estimate.predictions.hparamsSilent}`]);
    if (plan.tokens !== undefined) rows.push(['Model', `${formatCount(plan.params.total)} parameters, ${formatCount(plan.tokens)} tokens`]);
  } else {
    rows.push(['Parameters', `${formatCount(plan.params.total)} total · ${formatCount(plan.params.nonEmbedding)} non-embedding (Kaplan et al. 2020: without vocabulary and position embeddings)`]);
    rows.push([
      'Architecture',
      `${a.modelType}: ${a.nLayer} layers × d ${a.dModel}, ${a.nHead} heads${a.nKvHead && a.nKvHead !== a.nHead ? ` (${a.nKvHead} KV)` : ''}${a.dFfn ? `, FFN ${a.dFfn}` : ''}, vocabulary ${a.vocab}${a.tiedEmbeddings ? ', tied embeddings' : ''}`,
    ]);
    if (plan.tokens !== undefined) {
      const how = plan.maxSteps !== undefined && plan.tokensPerStep !== undefined ? ` = ${plan.maxSteps} steps × ${formatCount(plan.tokensPerStep)} tokens/step` : '';
      rows.push(['Tokens', `${formatCount(plan.tokens)}${how} (${(plan.tokens / plan.params.total).toFixed(1)} per parameter)`]);
    }
    const cost = estimate.cost;
    if (cost) {
      const hw = cost.hardware ? ` · ${formatHours(cost.gpuHours)} ${cost.hardware.id}-h · ${formatUsd(cost.usd)} at ${(cost.hardware.mfu * 100).toFixed(0)}% MFU` : '';
      rows.push(['Compute', `${formatFlops(cost.flops)} FLOPs${hw} (${cost.convention.split(':')[0]} convention)`]);
    }
    if (loss) {
      const law = getLaw(loss.lawId);
      const plugged = parametersOf(family);
      rows.push(['Predicted loss', `${formatLoss(loss.value)} ${formatInterval(loss.interval)} (80%)${loss.extrapolation ? `; extrapolated: ${loss.extrapolation}` : ''}`]);
      rows.push(['Formula', `${law?.formula ?? loss.lawId}${plugged ? ` with ${plugged}` : ''}; N ${formatCount(plan.params.total)}, D ${formatCount(plan.tokens ?? 0)}`]);
      const validation = family?.fit?.validation;
      rows.push([
        'Fit quality',
        `${loss.lawId} law of family "${loss.family}"${loss.familyAssumed ? ' (assumed)' : ''}, ${loss.runsUsed.length} run(s)` +
          (validation ? `; ${validation.errorPct.toFixed(1)}% error predicting the largest run (${validation.heldOutRunId}) from the others` : '; not validated (too few runs)') +
          `; ${citationOf(law)}` +
          (domainOf(law) ? `; published domain ${domainOf(law)}` : ''),
      ]);
      if (loss.regime) rows.push(['Regime', loss.regime.note.replace(/^Loss law: /, '')]);
    } else {
      rows.push(['Predicted loss', `uncalibrated: ${estimate.predictions.uncalibrated ?? 'no law'}`]);
    }
  }
  const notes = keys.map((k) => plan.sources[k]?.note).filter((n): n is string => !!n);
  const lines = [
    `**Scaling Lens**${keys.length ? ` · \`${keys.join('`, `')}\`` : ''}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`),
  ];
  if (notes.length) appendAll(lines, ['', ...notes.map((n) => `- ${escapeCell(n)}`)]);
  const link = [`[Open the dashboard](command:${dashboard})`];
  // The config travels with the link: the dashboard picks out its run (a run's own config) or draws it as the planned run.
  if (dashboardView && loss) link.push(`[Show this prediction on the family's scaling chart](command:${dashboardView}?${encodeURIComponent(JSON.stringify(['scaling', { config: estimate.file }]))})`);
  lines.push('', link.join(' · '));
  return lines.join('\n');
}
