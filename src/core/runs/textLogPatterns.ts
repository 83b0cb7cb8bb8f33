// User-supplied line patterns for plain-text logs (the `scalingLens.textLog.patterns` setting).
// A workspace's settings are not trusted input: a pattern is compiled only when it is a valid
// JavaScript regular expression, uses the named groups the reader knows, has no nested repetition
// (the star-height test of safe-regex, on the syntax tree of the `ret` tokenizer) and is provably
// linear over the whole search of a line (patternSafety.ts); it only ever sees lines cut to
// MAX_USER_LINE_CHARS, so one line cannot make a pattern run for long.
import ret, { types, type Root, type Token } from 'ret';
import type { Diagnostic } from '../diagnostics';
import { checkLinear } from './patternSafety';

/** The setting that holds the patterns (named in every diagnostic about them). */
export const TEXT_LOG_PATTERNS_SETTING = 'scalingLens.textLog.patterns';
/** Longest part of a line the built-in patterns see; the rest of the line is ignored. */
export const MAX_TEXT_LINE_CHARS = 4096;
/**
 * Longest part of a line a user pattern sees. A user pattern is provably linear (patternSafety.ts:
 * `(?<step>\d+)\s*(?<loss>[\d.]+)x`, cubic in a run of digits, is rejected), but V8's constant per
 * character still depends on the pattern, so as a second guard user patterns get a shorter line than
 * the built-in ones, and a pattern that still takes longer than USER_PATTERN_SLOW_MS on one line is
 * switched off for the file.
 */
export const MAX_USER_LINE_CHARS = 512;
export const USER_PATTERN_SLOW_MS = 50;
/** Most user patterns compiled; more are reported and ignored. */
export const MAX_USER_PATTERNS = 32;
const MAX_PATTERN_CHARS = 1000;

/** Named groups a user pattern may have: `step` and one loss are required. */
export const USER_PATTERN_GROUPS = ['step', 'loss', 'eval_loss', 'lr', 'tokens'] as const;

export interface UserPattern {
  /** Index in the setting's array, for messages. */
  index: number;
  source: string;
  regex: RegExp;
  /** Text the pattern matches literally outside any group or repetition: a line without it cannot match. */
  literals: string[];
}

/** The runs of plain characters at the top level of a pattern without top-level alternation. */
function topLevelLiterals(source: string): string[] {
  let tree: Root;
  try {
    tree = ret(source);
  } catch {
    return [];
  }
  if (tree.options !== undefined || tree.stack === undefined) return [];
  const out: string[] = [];
  let run = '';
  for (const token of tree.stack) {
    if (token.type === types.CHAR) run += String.fromCodePoint(token.value);
    else {
      if (run.length >= 2) out.push(run);
      run = '';
    }
  }
  if (run.length >= 2) out.push(run);
  return out;
}

export interface CompiledUserPatterns {
  patterns: UserPattern[];
  /** One per rejected entry, naming the setting and the entry's index. */
  diagnostics: Diagnostic[];
}

function reject(entry: string, message: string): Diagnostic {
  return { file: `settings: ${TEXT_LOG_PATTERNS_SETTING}`, severity: 'error', message: `${entry} ignored: ${message}` };
}

/** Most repetitions one pattern may have. */
const MAX_REPETITIONS = 25;

/**
 * Whether a pattern can backtrack exponentially: a repetition inside a repetition (star height
 * above 1, as in `(\d+)+` or `(?:a*)*`), or too many repetitions. `?` and `{0,1}` repeat at most
 * once and do not count, so optional parts such as `(?:, lr (?<lr>\S+))?` stay allowed.
 */
export function mayBacktrackBadly(source: string): boolean {
  let tree: Root;
  try {
    tree = ret(source);
  } catch {
    return true;
  }
  let repetitions = 0;
  const walk = (node: Root | Token, height: number): boolean => {
    if (node.type === types.REPETITION) {
      const repeats = node.max > 1;
      if (repeats && (height >= 1 || ++repetitions > MAX_REPETITIONS)) return true;
      return walk(node.value, repeats ? height + 1 : height);
    }
    if (node.type === types.REFERENCE) return true;
    if (node.type !== types.ROOT && node.type !== types.GROUP) return false;
    const branches = node.options ?? (node.stack ? [node.stack] : []);
    return branches.some((branch) => branch.some((child) => walk(child, height)));
  };
  return walk(tree, 0);
}

function groupNames(source: string): string[] {
  const names: string[] = [];
  const re = /\(\?<([A-Za-z_$][\w$]*)>/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) names.push(m[1]);
  return names;
}

/** Compile the setting's value (each entry named in messages by `label`, the setting's index by default). Never throws; anything unusable becomes a diagnostic. */
export function compileUserPatterns(value: unknown, label: (index: number) => string = (i) => `${TEXT_LOG_PATTERNS_SETTING}[${i}]`): CompiledUserPatterns {
  const out: CompiledUserPatterns = { patterns: [], diagnostics: [] };
  if (value === undefined || value === null) return out;
  if (!Array.isArray(value)) {
    out.diagnostics.push({
      file: `settings: ${TEXT_LOG_PATTERNS_SETTING}`,
      severity: 'error',
      message: `${TEXT_LOG_PATTERNS_SETTING} must be an array of regular expressions; ignored`,
    });
    return out;
  }
  value.forEach((source: unknown, index) => {
    if (typeof source !== 'string' || source.trim() === '') {
      out.diagnostics.push(reject(label(index), 'not a non-empty string'));
      return;
    }
    if (index >= MAX_USER_PATTERNS) {
      out.diagnostics.push(reject(label(index), `only the first ${MAX_USER_PATTERNS} patterns are used`));
      return;
    }
    if (source.length > MAX_PATTERN_CHARS) {
      out.diagnostics.push(reject(label(index), `longer than ${MAX_PATTERN_CHARS} characters`));
      return;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(source);
    } catch (e) {
      out.diagnostics.push(reject(label(index), `not a valid regular expression (${e instanceof Error ? e.message : String(e)})`));
      return;
    }
    const names = groupNames(source);
    const unknown = names.filter((n) => !(USER_PATTERN_GROUPS as readonly string[]).includes(n));
    if (unknown.length > 0) {
      out.diagnostics.push(reject(label(index), `unknown named group(s) ${unknown.map((n) => `"${n}"`).join(', ')}; use ${USER_PATTERN_GROUPS.join(', ')}`));
      return;
    }
    if (!names.includes('step') || !(names.includes('loss') || names.includes('eval_loss'))) {
      out.diagnostics.push(reject(label(index), 'needs a named group (?<step>…) and (?<loss>…) or (?<eval_loss>…)'));
      return;
    }
    if (/\\[1-9]|\\k</.test(source)) {
      out.diagnostics.push(reject(label(index), 'back-references are not allowed (they can make matching take exponential time)'));
      return;
    }
    if (mayBacktrackBadly(source)) {
      out.diagnostics.push(
        reject(
          label(index),
          'nested or too many repetitions (e.g. "(\\d+)+"): such a pattern can take exponential time on some lines; rewrite it without repetition inside repetition',
        ),
      );
      return;
    }
    // Only provably linear patterns (patternSafety.ts): no quantified alternation, no adjacent overlapping repetitions.
    const verdict = checkLinear(source);
    if (!verdict.linear) {
      out.diagnostics.push(reject(label(index), `not provably linear: ${verdict.reason}`));
      return;
    }
    out.patterns.push({ index, source, regex, literals: topLevelLiterals(source) });
  });
  return out;
}
