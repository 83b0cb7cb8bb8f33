// Run colours. Categorical: the Okabe–Ito colour-blind-safe set (Okabe & Ito 2008, "Color
// Universal Design"), extended with three of Paul Tol's "muted" hues for ten distinct colours;
// each a little lighter on dark themes so thin lines read. A run keeps its colour across views and
// reloads: it is the run's place among all the workspace's runs in natural order, not among those
// shown. Numeric "colour by" (parameters, tokens, peak LR) uses a sequential viridis ramp on a log
// scale, with its scale drawn beside the chart.
import type { ColourBy, RunView, Snapshot } from '../src/shared/protocol';
import { formatCount } from '../src/shared/format';
import { maxOf, minOf } from '../src/shared/arrays';

type Rgb = readonly [number, number, number];

const hex = (h: string): Rgb => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

/** Okabe–Ito (black as the theme's neutral: light grey on dark, dark grey on light), then Tol muted indigo, olive, rose (wine on light). */
const CATEGORICAL_DARK = ['#56B4E9', '#E69F00', '#009E73', '#F0E442', '#CC79A7', '#D55E00', '#E0E0E0', '#9A8CD8', '#AAAA55', '#CC6677'].map(hex);
const CATEGORICAL_LIGHT = ['#0072B2', '#E69F00', '#009E73', '#882255', '#D55E00', '#56B4E9', '#555555', '#CC79A7', '#332288', '#B8A300'].map(hex);

/** Viridis at six stops (matplotlib's, public domain). */
const VIRIDIS = ['#440154', '#414487', '#2A788E', '#22A884', '#7AD151', '#FDE725'].map(hex);

function rgba([r, g, b]: Rgb, alpha: number): string {
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Viridis at t in [0, 1]. */
function viridis(t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((k) => Math.round(VIRIDIS[i][k] + f * (VIRIDIS[i + 1][k] - VIRIDIS[i][k]))) as unknown as Rgb;
}

export function lightTheme(): boolean {
  return document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light');
}

/** The i-th categorical colour (wrapping after ten). */
export function categorical(i: number, alpha = 1): string {
  const set = lightTheme() ? CATEGORICAL_LIGHT : CATEGORICAL_DARK;
  return rgba(set[((i % set.length) + set.length) % set.length], alpha);
}

/** Natural order: 12m < 23m < 187m, as a person sorts names with numbers in them. */
export const naturalCompare = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare;

const NUMERIC: Partial<Record<ColourBy, { label: string; of: (r: RunView) => number | undefined; text: (v: number) => string }>> = {
  params: { label: 'parameters', of: (r) => r.hyper.params, text: formatCount },
  tokens: { label: 'tokens', of: (r) => r.hyper.tokens, text: formatCount },
  peakLr: { label: 'peak LR', of: (r) => r.hyper.peakLr, text: (v) => v.toExponential(1) },
};

export interface RunColours {
  /** A run's colour at an opacity. */
  of(runId: string, alpha?: number): string;
  /** For numeric colouring: the scale to draw beside the chart (low and high ends, and the gradient stops). */
  scale?: { label: string; low: string; high: string; stops: string[] };
}

/** Colours of every run of the snapshot under the chosen "colour by". */
export function runColours(snapshot: Snapshot, colourBy: ColourBy): RunColours {
  const grey = (alpha: number) => rgba(lightTheme() ? [120, 120, 120] : [150, 150, 150], alpha);
  const numeric = NUMERIC[colourBy];
  if (numeric) {
    const values = snapshot.runs.map(numeric.of).filter((v): v is number => v !== undefined && v > 0);
    const lo = Math.log(minOf(values));
    const hi = Math.log(maxOf(values));
    // The darkest end of viridis vanishes on a dark background, the lightest on a light one.
    const [from, to] = lightTheme() ? [0, 0.85] : [0.15, 1];
    const at = (v: number) => from + (to - from) * (hi > lo ? (Math.log(v) - lo) / (hi - lo) : 0.5);
    const byRun = new Map(snapshot.runs.map((r) => [r.id, numeric.of(r)]));
    return {
      of: (id, alpha = 1) => {
        const v = byRun.get(id);
        return v !== undefined && v > 0 ? rgba(viridis(at(v)), alpha) : grey(alpha);
      },
      scale: values.length
        ? {
            label: numeric.label,
            low: numeric.text(Math.exp(lo)),
            high: numeric.text(Math.exp(hi)),
            stops: [0, 0.25, 0.5, 0.75, 1].map((t) => rgba(viridis(from + (to - from) * t), 1)),
          }
        : undefined,
    };
  }
  const key = (r: RunView) => (colourBy === 'family' ? r.family : r.id);
  const keys = [...new Set(snapshot.runs.map(key))].sort(naturalCompare);
  const index = new Map(keys.map((k, i) => [k, i]));
  const byRun = new Map(snapshot.runs.map((r) => [r.id, index.get(key(r)) ?? 0]));
  return { of: (id, alpha = 1) => categorical(byRun.get(id) ?? 0, alpha) };
}
