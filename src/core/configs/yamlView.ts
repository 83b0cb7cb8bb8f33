// YAML with source ranges and OmegaConf-style interpolation, for the YAML config readers.
//
// Resolved: `${a.b.c}` (absolute, as llm-foundry's `${variables.x}` and Hydra/OmegaConf), `${.x}`
// and `${..x}` (relative to the node holding the value, OmegaConf), in whole values only. Custom
// resolvers (`${multiply:…}`, `${oc.env:…}`) are left unresolved and reported as such. `???` is
// OmegaConf's "mandatory, no value": read as missing.
//
// Speed: the yaml library (which gives the source ranges) parses about 4 MB/s, and real configs
// grow long data mixtures that no reader looks at. A document that is a plain top-level block
// mapping (no anchors, aliases, tags or directives, every column-0 line a key) is read one
// top-level key at a time: a key's block is parsed with yaml only when a reader asks for it, and
// the others are only checked for syntax by js-yaml (about 6× faster, no ranges needed); a block
// js-yaml rejects is parsed with yaml, whose messages the diagnostics keep. Both results are
// remembered by the block's text, so after an edit only the edited block is read again. Any
// other document is parsed whole with yaml. Before both, a document in the plain subset most
// configs use is read without either library (src/core/configs/yamlLite.ts), to the same nodes.
import type * as JsYamlLib from 'js-yaml';
import type * as YamlLib from 'yaml';
import type { Document, Node } from 'yaml';

/** The YAML parsers, loaded on first use (a cold start that reads no YAML config never loads them). */
let yamlLib: typeof YamlLib | undefined;
let jsYamlLib: typeof JsYamlLib | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = (): typeof YamlLib => (yamlLib ??= require('yaml') as typeof YamlLib);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jsYaml = (): typeof JsYamlLib => (jsYamlLib ??= require('js-yaml') as typeof JsYamlLib);
import type { Diagnostic } from '../diagnostics';
import type { Found } from './builder';
import { lineAt } from './json';
import { LiteMap, LiteScalar, LiteSeq, liteYaml } from './yamlLite';

// Node tests for the library's nodes and yamlLite's; the library is never loaded to test a lite node.
const isMap = (n: unknown): n is LiteMap | YamlLib.YAMLMap => n instanceof LiteMap || (yamlLib !== undefined && yamlLib.isMap(n));
const isSeq = (n: unknown): n is LiteSeq | YamlLib.YAMLSeq => n instanceof LiteSeq || (yamlLib !== undefined && yamlLib.isSeq(n));
const isScalar = (n: unknown): n is LiteScalar | YamlLib.Scalar => n instanceof LiteScalar || (yamlLib !== undefined && yamlLib.isScalar(n));

const INTERPOLATION = /^\$\{([^}]*)\}$/;
const PARSE_OPTIONS = { strict: false, uniqueKeys: false } as const;

/** A top-level key's block: its text runs from its key line to the next key line. */
interface Block {
  key: string;
  start: number;
  end: number;
}

interface ParsedBlock {
  doc: Document;
  /** Offsets in the block's own text. */
  errors: { pos: number; message: string }[];
}

/** Parsed (or syntax-checked: `valid`) blocks by their text, shared by every view. */
const blockMemo = new Map<string, ParsedBlock | 'valid'>();
const BLOCK_MEMO_ENTRIES = 256;
/** Blocks shorter than this are parsed again rather than remembered (cheap, and keeps the memo small). */
const BLOCK_MEMO_MIN_CHARS = 2048;

function remembered(text: string): ParsedBlock | 'valid' | undefined {
  const memo = text.length >= BLOCK_MEMO_MIN_CHARS ? blockMemo.get(text) : undefined;
  if (memo) {
    // Most recently used last, so the oldest entry goes first when the memo is full.
    blockMemo.delete(text);
    blockMemo.set(text, memo);
  }
  return memo;
}

function remember(text: string, value: ParsedBlock | 'valid'): void {
  if (text.length < BLOCK_MEMO_MIN_CHARS) return;
  blockMemo.set(text, value);
  if (blockMemo.size > BLOCK_MEMO_ENTRIES) blockMemo.delete(blockMemo.keys().next().value as string);
}

function parseBlock(text: string): ParsedBlock {
  const memo = remembered(text);
  if (memo && memo !== 'valid') return memo;
  const doc = yaml().parseDocument(text, PARSE_OPTIONS);
  const parsed: ParsedBlock = { doc, errors: doc.errors.map((e) => ({ pos: e.pos[0], message: e.message })) };
  remember(text, parsed);
  return parsed;
}

/** The syntax errors of a block no reader has asked for: none when js-yaml reads it, else yaml's. */
function checkBlock(text: string): ParsedBlock | 'valid' {
  const memo = remembered(text);
  if (memo) return memo;
  try {
    // `json: true`: a repeated key is not an error (yaml is run with uniqueKeys: false too).
    jsYaml().load(text, { json: true });
  } catch {
    return parseBlock(text);
  }
  remember(text, 'valid');
  return 'valid';
}

/** A column-0 line that opens a top-level key: `key:`, `key: value`, `"quoted key": …`. */
const TOP_KEY = /^(?:"([^"\\]*)"|'([^']*)'|([A-Za-z0-9_$][^:#]*?))[ \t]*:(?:[ \t]|\r?$)/;
/** Anything that ties one block to another or changes how the document is read. */
const NOT_SPLITTABLE = /(^|[\s,[{])[&*!][^\s,\]}]|^(---|\.\.\.|%)|^[ \t]*<<[ \t]*:/m;

/**
 * The top-level blocks of a plain block mapping, or undefined when the document must be parsed
 * whole (a top-level sequence or scalar, anchors/aliases/tags, directives, several documents, a
 * repeated top-level key, or a column-0 line that is not a key).
 */
export function topLevelBlocks(text: string): Block[] | undefined {
  if (NOT_SPLITTABLE.test(text)) return undefined;
  const blocks: Block[] = [];
  const seen = new Set<string>();
  let offset = 0;
  while (offset <= text.length) {
    let next = text.indexOf('\n', offset);
    if (next === -1) next = text.length;
    const c = text.charCodeAt(offset);
    // Indented, blank and comment lines belong to the block above (or precede the first key).
    if (offset < next && c !== 32 && c !== 9 && c !== 35 && c !== 13) {
      const m = TOP_KEY.exec(text.slice(offset, next));
      if (!m) return undefined;
      const key = m[1] ?? m[2] ?? m[3];
      if (seen.has(key)) return undefined;
      seen.add(key);
      if (blocks.length) blocks[blocks.length - 1].end = offset;
      blocks.push({ key, start: offset, end: text.length });
    }
    offset = next + 1;
  }
  return blocks.length ? blocks : undefined;
}

export class YamlView {
  readonly errors: Diagnostic[] = [];
  /** The whole document, when it is not read block by block. */
  private readonly whole?: Document;
  /** The document's top-level mapping, when read without the libraries (yamlLite.ts). */
  private readonly lite?: LiteMap;
  /** Each top-level key's block and, once a reader asked for it, its parse. */
  private readonly blocks?: { block: Block; text: string; parsed?: ParsedBlock }[];

  /** `lite: false` reads with the libraries even a document yamlLite.ts could read (tests compare the two). */
  constructor(
    readonly text: string,
    readonly file: string,
    lite = true,
  ) {
    this.lite = lite ? liteYaml(text) : undefined;
    if (this.lite) return;
    const blocks = topLevelBlocks(text);
    if (blocks) {
      // Every block is checked (from the memo when unchanged), so a syntax error anywhere is found.
      const checked = blocks.map((block) => {
        const blockText = text.slice(block.start, block.end);
        const check = checkBlock(blockText);
        return check === 'valid' ? { block, text: blockText } : { block, text: blockText, parsed: check };
      });
      // A broken block is read again as part of the whole document, so the diagnostics are the
      // whole parse's (a quote left open at a block's end may run on into the next key there).
      if (checked.every((b) => !b.parsed || b.parsed.errors.length === 0)) {
        this.blocks = checked;
        return;
      }
    }
    this.whole = yaml().parseDocument(text, PARSE_OPTIONS);
    for (const e of this.whole.errors) {
      const line = lineAt(text, e.pos[0]);
      // A comma left out between two whole entries of a flow mapping (JSON-style NeoX configs: Pythia's
      // 12B has one) is unambiguous, and yaml reads the mapping on; PyYAML, which the trainers load with, refuses it.
      if (e.code === 'MISSING_CHAR' && /^Missing , between flow (map|sequence) items/.test(e.message))
        this.errors.push({
          file,
          line,
          severity: 'warning',
          message:
            'a "," is missing before this entry: read as if it were there, but PyYAML (which GPT-NeoX and most trainers load configs with) rejects this file',
        });
      else this.errors.push({ file, line, severity: 'error', message: `invalid YAML: ${e.message.split('\n')[0]}` });
    }
  }

  /** The top-level mapping, or undefined when the document is not one. */
  isMapping(): boolean {
    return this.lite !== undefined || this.blocks !== undefined || isMap(this.whole?.contents);
  }

  /** The node at `path` and the offset of the text its ranges count from. */
  private locate(path: string[]): { node: Node | LiteMap | LiteSeq | LiteScalar; offset: number } | undefined {
    let doc: { contents: unknown } | undefined = this.lite ? { contents: this.lite } : this.whole;
    let offset = 0;
    if (this.blocks) {
      const hit = this.blocks.find((b) => b.block.key === path[0]);
      if (!hit) return undefined;
      hit.parsed ??= parseBlock(hit.text);
      doc = hit.parsed.doc;
      offset = hit.block.start;
    }
    // Walk the maps by hand: a key written twice takes its last value, as PyYAML (which the
    // trainers load these files with) does — nanotron dumps carry `moe_config: null` and later the real one.
    let n: unknown = doc?.contents;
    for (const key of path) {
      if (!isMap(n)) return undefined;
      let found: unknown;
      for (let i = n.items.length - 1; i >= 0; i--) {
        const p = n.items[i];
        if ((isScalar(p.key) ? String(p.key.value) : String(p.key)) === key) {
          found = p.value;
          break;
        }
      }
      if (found === undefined) return undefined;
      n = found;
    }
    return n && typeof n === 'object' ? { node: n as Node | LiteMap | LiteSeq | LiteScalar, offset } : undefined;
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  /** Keys of the mapping at `path` (top level for ''). */
  keys(path = ''): string[] {
    if (!path && this.blocks) return this.blocks.map((b) => b.block.key);
    const n = path ? this.locate(path.split('.'))?.node : (this.lite ?? this.whole?.contents);
    if (!isMap(n)) return [];
    return n.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
  }

  /**
   * The value at a dotted path, following interpolations; undefined when absent, null, `???`, or
   * an unresolvable interpolation (the latter two noted in `unresolved`).
   */
  get(path: string, depth = 0): Found | undefined {
    const parts = path.split('.');
    const at = this.locate(parts);
    if (at === undefined) return undefined;
    const n = at.node;
    const range = n.range ? { start: at.offset + n.range[0], end: at.offset + n.range[1] } : undefined;
    if (isScalar(n)) {
      const v = n.value;
      if (v === null || v === undefined || v === '') return undefined;
      if (v === '???') {
        this.unresolved.set(path, '??? (mandatory value not set)');
        return undefined;
      }
      if (typeof v === 'string') {
        const m = INTERPOLATION.exec(v.trim());
        if (m) {
          const ref = m[1].trim();
          if (ref.includes(':') || depth > 10) {
            this.unresolved.set(path, `${v} (resolver not evaluated)`);
            return undefined;
          }
          const target = resolveRef(ref, parts);
          const found = target === undefined ? undefined : this.get(target, depth + 1);
          if (!found) {
            this.unresolved.set(path, `${v} (reference has no value)`);
            return undefined;
          }
          return { ...found, via: `from ${v}${found.via ? `, ${found.via}` : ''}` };
        }
      }
      return { value: v, range };
    }
    if (isSeq(n) || isMap(n)) return { value: n.toJSON(), range };
    return undefined;
  }

  /** Paths whose value could not be resolved, and why (filled as `get` meets them). */
  readonly unresolved = new Map<string, string>();
}

/** `a.b` → `a.b`; `.x` → sibling of the referencing key; `..x` → one level up. */
function resolveRef(ref: string, from: string[]): string | undefined {
  if (!ref.startsWith('.')) return ref;
  const dots = /^\.+/.exec(ref)?.[0].length ?? 0;
  const base = from.slice(0, from.length - dots);
  if (base.length < 0) return undefined;
  const rest = ref.slice(dots);
  return [...base, rest].filter((s) => s !== '').join('.');
}
