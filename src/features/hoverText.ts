// The markdown of a config hover, kept free of `vscode` so it can be unit-tested.
import type { ConfigEstimate } from '../shared/protocol';
import { formatCount, formatFlops, formatInterval, formatLoss } from '../shared/format';

/** The plan values whose source range sits on `line` (0-based) of `file`, by plan key. */
export function sourcesOnLine(estimate: ConfigEstimate, file: string, text: string, line: number): string[] {
  const sources = estimate.plan?.sources ?? {};
  const keys: string[] = [];
  for (const [key, source] of Object.entries(sources)) {
    if (source.file !== file || !source.range) continue;
    if (lineOf(text, source.range.start) === line) keys.push(key);
  }
  return keys;
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A short table: what the config describes, what it costs, and what it is predicted to reach. */
export function hoverMarkdown(estimate: ConfigEstimate, keys: readonly string[], dashboardCommand: string): string {
  const plan = estimate.plan;
  if (!plan) return '';
  const a = plan.architecture;
  const rows: [string, string][] = [];
  rows.push(['Parameters', `${formatCount(plan.params.total)} total · ${formatCount(plan.params.nonEmbedding)} non-embedding (Kaplan et al. 2020: without vocabulary and position embeddings)`]);
  rows.push([
    'Architecture',
    `${a.modelType}: ${a.nLayer} layers × d ${a.dModel}, ${a.nHead} heads${a.nKvHead && a.nKvHead !== a.nHead ? ` (${a.nKvHead} KV)` : ''}${a.dFfn ? `, FFN ${a.dFfn}` : ''}, vocabulary ${a.vocab}${a.tiedEmbeddings ? ', tied embeddings' : ''}`,
  ]);
  if (plan.tokens !== undefined) {
    const how = plan.maxSteps !== undefined && plan.tokensPerStep !== undefined ? ` = ${plan.maxSteps} steps × ${formatCount(plan.tokensPerStep)} tokens/step` : '';
    rows.push(['Tokens', `${formatCount(plan.tokens)}${how} (${(plan.tokens / plan.params.total).toFixed(1)} per parameter)`]);
  }
  if (estimate.cost) rows.push(['Compute', `${formatFlops(estimate.cost.flops)} FLOPs: ${estimate.cost.convention}`]);
  const loss = estimate.predictions.loss;
  if (loss) {
    rows.push([
      'Predicted loss',
      `${formatLoss(loss.value)} ${formatInterval(loss.interval)} (80%): ${loss.lawId} law of family "${loss.family}"${loss.familyAssumed ? ' (assumed)' : ''}, fitted on ${loss.runsUsed.length} run(s)${loss.extrapolation ? `; extrapolated: ${loss.extrapolation}` : ''}`,
    ]);
  } else {
    rows.push(['Predicted loss', `uncalibrated: ${estimate.predictions.uncalibrated ?? 'no law'}`]);
  }
  const notes = keys.map((k) => plan.sources[k]?.note).filter((n): n is string => !!n);
  const lines = [
    `**Scaling Lens**${keys.length ? ` · \`${keys.join('`, `')}\`` : ''}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`),
  ];
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  lines.push('', `[Open the dashboard](command:${dashboardCommand})`);
  return lines.join('\n');
}
