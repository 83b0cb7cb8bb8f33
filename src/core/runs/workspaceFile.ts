// `.scalinglens.yaml` at a workspace folder's root: what the user knows and the logs do not say.
// Which runs form a family (same data, tokenizer, recipe), corrections to a run's N and D, runs to
// leave out, and a family's fit pinned to a law. Schema-checked: every problem is a diagnostic naming
// the file and line; a bad entry is skipped, never the whole file.
//
//   families:
//     web-350m-sweep:
//       runs: ["sweep/*", "extra/run-7"]      # globs on run paths relative to this folder
//       dataset: fineweb-edu                    # free text, shown with the family
//       tokenizer: llama3
//       recipe: cosine, wd 0.1
//   runs:
//     "sweep/llama-44m":
//       params: 43.7M                           # numbers, or with a K/M/B/T suffix
//       nonEmbeddingParams: 27.3M
//       tokensPerStep: 65536                    # tokens = maxSteps × this, unless tokens is given
//       tokens: 0.87B
//       maxSteps: 24000                         # planned steps (else tokens ÷ tokensPerStep): where the run ends
//       family: web-350m-sweep
//     "sweep/llama-44m-lr3e-3":
//       exclude: true                           # not of the family: out of its law and of live runs' sibling forecasts
//   fits:
//     web-350m-sweep:
//       law: chinchilla                         # optional: chinchilla (default) or kaplan
//       exclude: ["sweep/llama-12m"]            # left out of this family's law only (still a sibling of live runs)
//       priors: auto                            # auto | always | never
import type Picomatch from 'picomatch';
import type * as YamlLib from 'yaml';
import type { Node as YamlNode, Pair } from 'yaml';

/** The YAML parser, loaded on first use (a cold start that reads no .scalinglens.yaml never loads it). */
let yamlLib: typeof YamlLib | undefined;
// The webview's typecheck reaches this file (for `FamilySource`) without Node's types.
declare const require: (id: string) => unknown;
const yaml = (): typeof YamlLib => (yamlLib ??= require('yaml') as typeof YamlLib);
import type { Diagnostic } from '../diagnostics';
import { WORKSPACE_FILE_NAME } from '../../shared/logFiles';
import { DEFAULT_FAMILY_LAW, FAMILY_LAWS } from '../laws/familyLaws';
import { parseSuffixedNumber, type NumberSyntax } from '../numberText';

export { WORKSPACE_FILE_NAME };

/** Laws a family's fit can be pinned to (the family fit is Chinchilla's today). */
export const PINNABLE_LAWS: readonly string[] = Object.keys(FAMILY_LAWS);

type Matcher = (relPath: string) => boolean;

export interface FamilySpec {
  name: string;
  runs: string[];
  /** Line of each glob in `runs`. */
  runLines: number[];
  dataset?: string;
  tokenizer?: string;
  recipe?: string;
  line: number;
  match: Matcher;
}

/** Values that replace what was read or derived for a run. */
export interface RunValues {
  params?: number;
  nonEmbeddingParams?: number;
  tokens?: number;
  tokensPerStep?: number;
  /** Planned optimizer steps: where the run ends (a log without a config does not say). */
  maxSteps?: number;
}

export interface RunOverride extends RunValues {
  glob: string;
  exclude?: boolean;
  family?: string;
  /** Line of the entry's key. */
  line: number;
  /** Line of each field that was set. */
  lines: Partial<Record<keyof RunValues | 'exclude' | 'family', number>>;
  match: Matcher;
}

export interface PinnedFit {
  family: string;
  law: string;
  exclude: string[];
  /** Line of each glob in `exclude`. */
  excludeLines: number[];
  priors?: 'auto' | 'always' | 'never';
  line: number;
  match: Matcher;
}

export interface WorkspaceFile {
  file: string;
  families: FamilySpec[];
  runs: RunOverride[];
  fits: PinnedFit[];
  diagnostics: Diagnostic[];
}

const RUN_VALUE_KEYS: readonly (keyof RunValues)[] = ['params', 'nonEmbeddingParams', 'tokens', 'tokensPerStep', 'maxSteps'];
/** Counts in the file: no sign, no thousands commas (`_` is taken out before, see parseCount). */
const COUNT: NumberSyntax = { suffixes: 'kKmMbBgGtT', separators: '', signed: false };

/** A positive count: a number, or text like `1.3B`, `350M`, `2e9`, `65_536`. */
export function parseCount(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  // `_` may stand anywhere among the digits, as YAML 1.1 allows in numbers.
  return parseSuffixedNumber(v.trim().replace(/_/g, ''), COUNT);
}

function matcherOf(globs: string[]): Matcher {
  // Loaded on first use, as yaml above.
  const picomatch = require('picomatch') as typeof Picomatch;
  const ms = globs.map((g) => picomatch(g.replace(/^\.\//, '').replace(/\/+$/, ''), { dot: true }));
  return (rel) => ms.some((m) => m(rel));
}

/** Parse `.scalinglens.yaml`. Never throws: problems are diagnostics with the file and line. */
export function parseWorkspaceFile(text: string, file: string): WorkspaceFile {
  const out: WorkspaceFile = { file, families: [], runs: [], fits: [], diagnostics: [] };
  const lines = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as YamlNode | null | undefined)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  const report = (severity: Diagnostic['severity'], node: unknown, message: string, line?: number) => {
    const d: Diagnostic = { file, severity, message };
    const l = line ?? lineOf(node);
    if (l !== undefined) d.line = l;
    out.diagnostics.push(d);
  };
  for (const e of doc.errors) report('error', undefined, `YAML: ${e.message.split('\n')[0]}`, lines.linePos(e.pos[0]).line);
  for (const w of doc.warnings) report('warning', undefined, `YAML: ${w.message.split('\n')[0]}`, lines.linePos(w.pos[0]).line);
  if (doc.errors.length > 0) return out;
  const top = doc.contents;
  if (top === null || (yaml().isScalar(top) && (top.value === null || top.value === ''))) return out;
  if (!yaml().isMap(top)) {
    report('error', top, 'expected a mapping with `families`, `runs` and `fits`');
    return out;
  }

  const keyName = (pair: Pair): string | undefined =>
    yaml().isScalar(pair.key) && (typeof pair.key.value === 'string' || typeof pair.key.value === 'number') ? String(pair.key.value) : undefined;
  /** The entries of a mapping node, reporting (and skipping) keys that are not plain names. */
  const entries = (node: unknown, what: string): { key: string; value: unknown; pair: Pair }[] => {
    if (node === null || node === undefined || (yaml().isScalar(node) && node.value === null)) return [];
    if (!yaml().isMap(node)) {
      report('error', node, `${what} must be a mapping`);
      return [];
    }
    const list: { key: string; value: unknown; pair: Pair }[] = [];
    for (const pair of node.items) {
      const key = keyName(pair);
      if (key === undefined) report('error', pair.key, `${what}: keys must be names`);
      else list.push({ key, value: pair.value, pair });
    }
    return list;
  };
  const text_ = (node: unknown, what: string): string | undefined => {
    if (yaml().isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    report('error', node, `${what} must be text`);
    return undefined;
  };
  /** The glob or list of globs at `node`; the line of each is appended to `lines`. */
  const globs = (node: unknown, what: string, lines: number[]): string[] | undefined => {
    if (yaml().isScalar(node) && typeof node.value === 'string') {
      lines.push(lineOf(node) ?? 1);
      return [node.value];
    }
    if (!yaml().isSeq(node)) {
      report('error', node, `${what} must be a glob or a list of globs`);
      return undefined;
    }
    const list: string[] = [];
    for (const item of node.items) {
      if (yaml().isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') {
        list.push(item.value.trim());
        lines.push(lineOf(item) ?? 1);
      } else report('error', item, `${what}: each entry must be a glob (text)`);
    }
    return list;
  };

  for (const { key, value, pair } of entries(top, 'the file')) {
    if (key === 'families') {
      for (const fam of entries(value, 'families')) {
        const spec: FamilySpec = { name: fam.key, runs: [], runLines: [], line: lineOf(fam.pair.key) ?? 1, match: () => false };
        for (const field of entries(fam.value, `family "${fam.key}"`)) {
          if (field.key === 'runs') spec.runs = globs(field.value, `family "${fam.key}": runs`, spec.runLines) ?? [];
          else if (field.key === 'dataset' || field.key === 'tokenizer' || field.key === 'recipe') {
            const t = text_(field.value, `family "${fam.key}": ${field.key}`);
            if (t !== undefined) spec[field.key] = t;
          } else report('warning', field.pair.key, `family "${fam.key}": unknown key "${field.key}" (expected runs, dataset, tokenizer, recipe); ignored`);
        }
        spec.match = matcherOf(spec.runs);
        out.families.push(spec);
      }
    } else if (key === 'runs') {
      for (const entry of entries(value, 'runs')) {
        const o: RunOverride = { glob: entry.key, line: lineOf(entry.pair.key) ?? 1, lines: {}, match: matcherOf([entry.key]) };
        for (const field of entries(entry.value, `runs "${entry.key}"`)) {
          const where = `runs "${entry.key}": ${field.key}`;
          const fieldLine = lineOf(field.pair.key) ?? o.line;
          if ((RUN_VALUE_KEYS as readonly string[]).includes(field.key)) {
            const raw = yaml().isScalar(field.value) ? field.value.value : undefined;
            const n = parseCount(raw);
            if (n === undefined)
              report('error', field.value, `${where} must be a positive number (like 125000000 or 125M), not ${JSON.stringify(raw ?? null)}`);
            else {
              o[field.key as keyof RunValues] = n;
              o.lines[field.key as keyof RunValues] = fieldLine;
            }
          } else if (field.key === 'exclude') {
            if (yaml().isScalar(field.value) && typeof field.value.value === 'boolean') {
              o.exclude = field.value.value;
              o.lines.exclude = fieldLine;
            } else report('error', field.value, `${where} must be true or false`);
          } else if (field.key === 'family') {
            const t = text_(field.value, where);
            if (t !== undefined) {
              o.family = t;
              o.lines.family = fieldLine;
            }
          } else
            report(
              'warning',
              field.pair.key,
              `runs "${entry.key}": unknown key "${field.key}" (expected ${[...RUN_VALUE_KEYS, 'exclude', 'family'].join(', ')}); ignored`,
            );
        }
        out.runs.push(o);
      }
    } else if (key === 'fits') {
      for (const entry of entries(value, 'fits')) {
        let law: string | undefined;
        let lawNode: unknown;
        const pin: PinnedFit = { family: entry.key, law: '', exclude: [], excludeLines: [], line: lineOf(entry.pair.key) ?? 1, match: () => false };
        for (const field of entries(entry.value, `fits "${entry.key}"`)) {
          const where = `fits "${entry.key}": ${field.key}`;
          if (field.key === 'law') {
            law = text_(field.value, where);
            lawNode = field.value;
          } else if (field.key === 'exclude') pin.exclude = globs(field.value, where, pin.excludeLines) ?? [];
          else if (field.key === 'priors') {
            const t = yaml().isScalar(field.value) ? field.value.value : undefined;
            if (t === 'auto' || t === 'always' || t === 'never') pin.priors = t;
            else report('error', field.value, `${where} must be auto, always or never`);
          } else report('warning', field.pair.key, `fits "${entry.key}": unknown key "${field.key}" (expected law, exclude, priors); ignored`);
        }
        // No `law`: the default family law (the README's promise), so an entry that only leaves runs out works.
        if (law === undefined && lawNode === undefined) law = DEFAULT_FAMILY_LAW;
        if (law === undefined) continue; // `law` was given but not as text: reported above

        if (!PINNABLE_LAWS.includes(law)) {
          report('error', lawNode, `fits "${entry.key}": law "${law}" cannot be pinned to a family (available: ${PINNABLE_LAWS.join(', ')}); fit not pinned`);
          continue;
        }
        pin.law = law;
        pin.match = matcherOf(pin.exclude);
        out.fits.push(pin);
      }
    } else report('warning', pair.key, `unknown key "${key}" (expected families, runs, fits); ignored`);
  }
  return out;
}

/**
 * Globs of the file that match none of the runs under its folder (`runPaths`, relative to it): a
 * warning each, with a run path to compare (a Lightning run is `logs/x/version_0`, which `logs/x*`
 * misses: `*` stops at `/`). None while no run is known yet.
 */
export function unmatchedGlobs(ws: WorkspaceFile, runPaths: readonly string[]): Diagnostic[] {
  if (runPaths.length === 0) return [];
  const out: Diagnostic[] = [];
  const check = (glob: string, line: number, where: string) => {
    const match = matcherOf([glob]);
    if (runPaths.some((p) => match(p))) return;
    // A run path to compare with: one sharing the glob's literal start, else the first.
    const literal = glob.replace(/^\.\//, '').split(/[*?[{]/)[0];
    const like = runPaths.find((p) => literal !== '' && p.startsWith(literal)) ?? runPaths[0];
    const count = `${runPaths.length} run${runPaths.length === 1 ? '' : 's'}`;
    out.push({
      file: ws.file,
      line,
      severity: 'warning',
      message: `${where} "${glob}" matches none of the ${count} under this folder (run paths look like "${like}"; * stops at /, ** crosses it)`,
    });
  };
  for (const f of ws.families) f.runs.forEach((g, i) => check(g, f.runLines[i] ?? f.line, `family "${f.name}": runs`));
  for (const o of ws.runs) check(o.glob, o.line, 'runs');
  for (const fit of ws.fits) fit.exclude.forEach((g, i) => check(g, fit.excludeLines[i] ?? fit.line, `fits "${fit.family}": exclude`));
  return out;
}

export type FamilySource = 'workspace-file' | 'run-config' | 'guessed';

/** What the workspace file says about one run (its path relative to the file's folder). */
export interface RunSettings {
  /** The family the file puts the run in, and where it says so. */
  family?: { name: string; line: number };
  values: RunValues;
  /** Line of each value, for notes. */
  valueLines: Partial<Record<keyof RunValues, number>>;
  excludedAt?: number;
}

/**
 * Apply the file to one run. `runs` entries apply in file order (a later entry overrides an
 * earlier one); a run's `family` override beats the `families` globs; the first family whose globs
 * match wins among those.
 */
export function settingsForRun(ws: WorkspaceFile, relPath: string): RunSettings {
  const s: RunSettings = { values: {}, valueLines: {} };
  const fam = ws.families.find((f) => f.match(relPath));
  if (fam) s.family = { name: fam.name, line: fam.line };
  for (const o of ws.runs) {
    if (!o.match(relPath)) continue;
    for (const k of RUN_VALUE_KEYS) {
      if (o[k] !== undefined) {
        s.values[k] = o[k];
        s.valueLines[k] = o.lines[k] ?? o.line;
      }
    }
    if (o.family !== undefined) s.family = { name: o.family, line: o.lines.family ?? o.line };
    if (o.exclude !== undefined) s.excludedAt = o.exclude ? (o.lines.exclude ?? o.line) : undefined;
  }
  return s;
}
