// `npm run validate`, "Family breaks": the break detector (fit/familyBreak.ts) and the broken law it
// offers beside the family law (fit/familyBrokenLaw.ts).
// - On the shared ladders (Gadre, Porian, Step Law; none is known to break), every family a cut in
//   compute makes of a ladder (its runs up to that compute, at least 5) is fitted as the product
//   fits a family (fitCrossRun) and asked for a break: a flag is a false alarm.
// - On a synthetic ladder with a known break, generated here: a BNSL-shaped loss in N at 20 tokens
//   per parameter (Caballero et al. 2022, one break) with log-normal noise of the real ladders'
//   scatter (the median rms log residual of their full fits, measured above, not chosen): detection,
//   and the single law's and the broken law's leave-largest-out error on the largest run.
import { fitCrossRun, predictCrossRun, type CrossRunPoint } from '../src/core/fit/crossRun';
import { familyBreak } from '../src/core/fit/familyBreak';
import { fitFamilyBrokenLaw } from '../src/core/fit/familyBrokenLaw';
import { mulberry32 } from '../src/core/fit/random';
import { ladders } from './validateDistance';

const flopsOf = (p: { params: number; tokens: number }) => 6 * p.params * p.tokens;
/** Cuts per ladder: log-spaced over the computes that leave at least 5 runs (a fit each; 2 cores are shared). */
const CUTS_PER_LADDER = 6;
const MIN_RUNS = 5;

export interface BreakLadderRow {
  ladder: string;
  /** Data set (Gadre, Porian, Step Law). */
  group: string;
  families: number;
  flagged: number;
  /** Flagged families' leave-largest-out |error| of the single law and of the broken law, %. */
  flaggedErrors: { single: number; broken?: number }[];
  /** rms log residual of the full ladder's fit (its scatter about the law). */
  scatter?: number;
}

export interface SyntheticBreakRow {
  label: string;
  /** Log-normal noise σ in ln L. */
  sigma: number;
  cases: number;
  detected: number;
  /** Median leave-largest-out |error| %, single law and broken law, over all cases (detected or not). */
  singleMedianPct: number;
  brokenMedianPct: number;
  /** Cases where the broken law was closer than the single law. */
  brokenCloser: number;
}

function median(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

function rmsLogResidual(points: readonly CrossRunPoint[]): number | undefined {
  const fit = fitCrossRun(points, { seed: 1, resamples: 0 });
  if ('error' in fit) return undefined;
  const r = points.map((p) => Math.log(p.loss / predictCrossRun(fit, p.params, p.tokens).value));
  return Math.sqrt(r.reduce((s, x) => s + x * x, 0) / r.length);
}

/** Leave-largest-out |error| % of the single (family) law and of the broken law on one family. */
function leaveLargestOut(points: readonly CrossRunPoint[]): { single?: number; broken?: number } {
  const fit = fitCrossRun(points, { seed: 1, resamples: 0 });
  const v = 'error' in fit ? undefined : fit.validation;
  const b = fitFamilyBrokenLaw(points)?.heldOut;
  return {
    single: v ? (100 * Math.abs(v.predicted - v.observed)) / v.observed : undefined,
    broken: b ? (100 * Math.abs(b.predicted - b.observed)) / b.observed : undefined,
  };
}

export function familyBreakBacktests(
  dataRoot: string,
  log: (m: string) => void,
  notes: string[],
): { ladders: BreakLadderRow[]; synthetic: SyntheticBreakRow[] } {
  const rows: BreakLadderRow[] = [];
  for (const ladder of ladders(dataRoot, notes)) {
    const sorted = [...ladder.runs].sort((a, b) => flopsOf(a) - flopsOf(b));
    if (sorted.length < MIN_RUNS) continue;
    const lo = Math.log(flopsOf(sorted[MIN_RUNS - 1]));
    const hi = Math.log(flopsOf(sorted[sorted.length - 1]));
    const cuts = [...new Set(Array.from({ length: CUTS_PER_LADDER }, (_, i) => Math.exp(lo + ((hi - lo) * i) / Math.max(1, CUTS_PER_LADDER - 1)) * 1.0001))];
    const row: BreakLadderRow = {
      ladder: ladder.name,
      group: ladder.group.split('-')[0],
      families: 0,
      flagged: 0,
      flaggedErrors: [],
      scatter: rmsLogResidual(sorted),
    };
    const seen = new Set<number>();
    for (const cut of cuts) {
      const train = sorted.filter((p) => flopsOf(p) <= cut);
      if (train.length < MIN_RUNS || seen.has(train.length)) continue;
      seen.add(train.length);
      const fit = fitCrossRun(train, { seed: 1, resamples: 0 });
      if ('error' in fit) continue;
      row.families++;
      const bend = familyBreak(fit, train);
      if (!bend) continue;
      row.flagged++;
      const v = fit.validation;
      const h = bend.brokenLaw?.heldOut;
      row.flaggedErrors.push({
        single: v ? (100 * Math.abs(v.predicted - v.observed)) / v.observed : NaN,
        ...(h ? { broken: (100 * Math.abs(h.predicted - h.observed)) / h.observed } : {}),
      });
    }
    log(`family breaks: ${ladder.name}: ${row.flagged}/${row.families} flagged`);
    rows.push(row);
  }
  // The synthetic ladder's noise: each data set's median scatter about its own fits (measured
  // above, not chosen); the lowest and the median of the data sets, so detection is seen at both.
  const groups = [...new Set(rows.map((r) => r.group))];
  const byGroup = groups
    .map((g) => median(rows.filter((r) => r.group === g).map((r) => r.scatter ?? NaN)))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const sigmas = byGroup.length ? [...new Set([byGroup[0], byGroup[Math.floor((byGroup.length - 1) / 2)]])] : [];
  const synthetic: SyntheticBreakRow[] = [];
  const sizes = Array.from({ length: 8 }, (_, i) => 1e7 * 2 ** i);
  // Breaks placed among the three largest sizes (where the detector looks) and at mid-ladder, sharp and soft.
  const shapes: { label: string; breakN: number; c1: number; f: number }[] = [
    { label: 'slope 0.20 → 0.60 past 4e8, sharp (f1 = 0.3)', breakN: 4e8, c1: 0.4, f: 0.3 },
    { label: 'slope 0.20 → 0.40 past 4e8, sharp', breakN: 4e8, c1: 0.2, f: 0.3 },
    { label: 'slope 0.20 → 0.60 past 2e8, sharp', breakN: 2e8, c1: 0.4, f: 0.3 },
    { label: 'slope 0.20 → 0.60 past 1e8, soft (f1 = 1)', breakN: 1e8, c1: 0.4, f: 1 },
    { label: 'no break (slope 0.20), control', breakN: 1e12, c1: 0, f: 0.3 },
  ];
  const SEEDS = 12;
  for (const sigma of sigmas)
    for (const s of shapes) {
      const singles: number[] = [];
      const brokens: number[] = [];
      let detected = 0;
      let closer = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const rand = mulberry32(seed * 7919);
        // Box–Muller normal noise in ln L with the real ladders' scatter.
        const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
        const loss = (n: number) => 2 + 2.5 * (n / 1e7) ** -0.2 * (1 + (n / s.breakN) ** (1 / s.f)) ** (-s.c1 * s.f);
        const points = sizes.map((n, i) => ({ runId: `n${i}`, params: n, tokens: 20 * n, loss: loss(n) * Math.exp(sigma * normal()) }));
        const fit = fitCrossRun(points, { seed: 1, resamples: 0 });
        if ('error' in fit) continue;
        if (familyBreak(fit, points)) detected++;
        const e = leaveLargestOut(points);
        if (e.single !== undefined) singles.push(e.single);
        if (e.broken !== undefined) brokens.push(e.broken);
        if (e.single !== undefined && e.broken !== undefined && e.broken < e.single) closer++;
      }
      synthetic.push({
        label: s.label,
        sigma,
        cases: SEEDS,
        detected,
        singleMedianPct: median(singles),
        brokenMedianPct: median(brokens),
        brokenCloser: closer,
      });
    }
  notes.push(
    `family breaks: data sets' median scatter about their fits (rms ln L): ${groups.map((g) => `${g} ${pct(100 * median(rows.filter((r) => r.group === g).map((r) => r.scatter ?? NaN)), 2)}`).join(', ')}`,
  );
  return { ladders: rows, synthetic };
}

const pct = (v: number | undefined, d = 1) => (v !== undefined && Number.isFinite(v) ? `${v.toFixed(d)}%` : '–');

export function familyBreakReport(result: { ladders: BreakLadderRow[]; synthetic: SyntheticBreakRow[] } | undefined): string[] {
  if (!result) return [];
  const md: string[] = ['## Family breaks: detector and broken law', ''];
  md.push(
    `Each shared ladder cut at up to ${CUTS_PER_LADDER} computes (its runs up to that compute, at least ${MIN_RUNS}) is a family, fitted as the product fits one (\`fitCrossRun\`) and asked for a break (\`familyBreak\`: the held-out largest run missed by > 4× the scatter and > 2%, or the three largest runs' residuals trending, or, for 8 runs or more, the broken law's rms log residual at most half the single law's and an F test of its 3 extra parameters past 95%). None of these ladders is known to break, so a flag is a false alarm. For flagged families: the leave-largest-out error of the family law and of the broken law offered beside it (\`fitFamilyBrokenLaw\`, BNSL with one break on C = 6·N·D).`,
    '',
    '| ladder | families | flagged (false alarms) | rate | scatter (rms ln) | flagged: single law LLO error | broken law LLO error |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- |',
  );
  for (const r of result.ladders)
    md.push(
      `| ${r.ladder} | ${r.families} | ${r.flagged} | ${r.families ? pct((100 * r.flagged) / r.families, 0) : '–'} | ${pct(r.scatter === undefined ? undefined : 100 * r.scatter, 2)} | ${r.flaggedErrors.map((e) => pct(e.single)).join(', ') || '–'} | ${r.flaggedErrors.map((e) => pct(e.broken)).join(', ') || '–'} |`,
    );
  const fams = result.ladders.reduce((s, r) => s + r.families, 0);
  const flagged = result.ladders.reduce((s, r) => s + r.flagged, 0);
  md.push('', `All ladders: ${flagged} of ${fams} families flagged (${fams ? pct((100 * flagged) / fams, 1) : '–'}).`, '');
  md.push(
    "Synthetic ladder with a known break: 8 sizes 1e7…1.28e9 at 20 tokens per parameter, L(N) = 2 + 2.5·(N/1e7)^−0.2·(1 + (N/N_b)^(1/f1))^(−c1·f1), log-normal noise σ (in ln L) of the real data sets' scatter about their own fits: the lowest data set's and the median data set's (each data set's median over its ladders; the notes list them), 12 seeds per shape and σ. Leave-largest-out: each law fitted without the 1.28e9 run, |error| on it (all seeds, detected or not).",
    '',
    '| shape | noise σ | detected | single law LLO error (median) | broken law LLO error (median) | broken law closer |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of result.synthetic)
    md.push(
      `| ${s.label} | ${pct(100 * s.sigma, 2)} | ${s.detected}/${s.cases} | ${pct(s.singleMedianPct, 2)} | ${pct(s.brokenMedianPct, 2)} | ${s.brokenCloser}/${s.cases} |`,
    );
  md.push('');
  return md;
}
