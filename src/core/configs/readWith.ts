// readConfig (index.ts) with the readers of each kind of file passed in: index.ts passes them all
// (the extension, the whole CLI); the CLI's small `estimate` bundles pass the one kind their file
// needs (src/cliEstimateJson.ts, …), so they hold no other kind's reader (issue 20: cold start).
// The frame every kind shares: the kind by extension, physical sense (domains.ts) and μP.
import { extname } from 'node:path';
import type { ConfigReadResult } from './types';
import { checkPlanDomains } from './domains';

export interface ReadConfigInput {
  /** Path of the config (used for detection by name, diagnostics and sources). */
  file: string;
  /** Its text (as the editor has it). */
  text: string;
  /** Reads a file beside it (for HF `training_args.json`); undefined when missing. */
  readSibling?: (absPath: string) => string | undefined;
}

/** Configs by reader: chosen by the file's extension, then read by content. */
export type ConfigKind = 'json' | 'python' | 'toml' | 'flags' | 'shell' | 'yaml';

const KIND_OF_EXTENSION: Record<string, ConfigKind> = {
  '.json': 'json',
  '.py': 'python',
  '.toml': 'toml',
  // A `--flag value` file that a launcher expands ($(cat args.txt)).
  '.txt': 'flags',
  '.args': 'flags',
  '.sh': 'shell',
  '.bash': 'shell',
  '.slurm': 'shell',
  '.yaml': 'yaml',
  '.yml': 'yaml',
};

export type ConfigReader = (input: ReadConfigInput) => ConfigReadResult;
export type ConfigReaders = Partial<Record<ConfigKind, ConfigReader>>;

/**
 * Reads a training config with `readers`. Unrecognised files are `not-applicable` with the reason;
 * a kind with no reader given is `missing`'s to answer (the small CLI bundles hand the command to the whole CLI).
 */
export function readConfigWith(readers: ConfigReaders, input: ReadConfigInput, missing: (kind: ConfigKind) => ConfigReadResult): ConfigReadResult {
  const ext = extname(input.file).toLowerCase();
  const kind = Object.hasOwn(KIND_OF_EXTENSION, ext) ? KIND_OF_EXTENSION[ext] : undefined;
  if (kind === undefined) return { kind: 'not-applicable', reason: `unrecognised config format (${ext || 'no extension'})`, diagnostics: [] };
  const reader = readers[kind];
  const result = reader ? reader(input) : missing(kind);
  if (result.kind === 'plan') {
    // Out of physical sense (domains.ts): rejected with the value as written, never estimated.
    const textOf = (f: string) => (f === input.file ? input.text : input.readSibling?.(f));
    const outOfDomain = checkPlanDomains(result.plan, input.file, textOf);
    const first = outOfDomain.find((d) => d.severity === 'error');
    if (first !== undefined) {
      return {
        kind: 'error',
        message: `${first.file}${first.line !== undefined ? `:${first.line}` : ''}: ${first.message}`,
        diagnostics: [...result.diagnostics, ...outOfDomain],
      };
    }
    for (const d of outOfDomain) result.diagnostics.push(d);
  }
  if (result.kind === 'plan' && result.plan.muP === undefined) {
    const mup = findMuP(input.text);
    if (mup) {
      result.plan.muP = true;
      result.plan.sources.muP = { file: input.file, range: mup.range, note: `derived: μP key "${mup.key}" set` };
      result.plan.notes.push(`μP parametrisation ("${mup.key}" is set): the learning rate transfers across widths by design.`);
    }
  }
  return result;
}

/**
 * A μP / μTransfer key set to something other than false/0/null in any of the formats:
 * `use_mup = True` (Python), `mup: true` (YAML), `"mup_width_scale": 0.13` (Cerebras-GPT HF configs),
 * `mup_base_width`, `--use-mup` style flags.
 */
export function findMuP(text: string): { key: string; range: { start: number; end: number } } | undefined {
  const re = /(^|[\s"'{,(-])((?:use[_-])?mu_?p(?:[_-]\w+)?)["']?\s*(?:[:=]\s*([^\s,}#]+)|(?=\s*(?:\\|$)))/gim;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = (m[3] ?? 'true').replace(/["']/g, '').toLowerCase();
    if (['false', '0', '0.0', 'null', 'none', 'off', 'no', '~', '[]', '{}'].includes(value)) continue;
    const start = m.index + m[1].length;
    return { key: m[2], range: { start, end: start + m[2].length } };
  }
  return undefined;
}
