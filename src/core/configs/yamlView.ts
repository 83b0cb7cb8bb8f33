// YAML with source ranges and OmegaConf-style interpolation, for the YAML config readers.
//
// Resolved: `${a.b.c}` (absolute, as llm-foundry's `${variables.x}` and Hydra/OmegaConf), `${.x}`
// and `${..x}` (relative to the node holding the value, OmegaConf), in whole values only. Custom
// resolvers (`${multiply:…}`, `${oc.env:…}`) are left unresolved and reported as such. `???` is
// OmegaConf's "mandatory, no value": read as missing.
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics';
import type { Found } from './builder';
import { lineAt } from './json';

const INTERPOLATION = /^\$\{([^}]*)\}$/;

export class YamlView {
  readonly doc: Document;
  readonly errors: Diagnostic[] = [];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.doc = parseDocument(text, { strict: false, uniqueKeys: false });
    for (const e of this.doc.errors) {
      this.errors.push({ file, line: lineAt(text, e.pos[0]), severity: 'error', message: `invalid YAML: ${e.message.split('\n')[0]}` });
    }
  }

  /** The top-level mapping, or undefined when the document is not one. */
  isMapping(): boolean {
    return isMap(this.doc.contents);
  }

  node(path: string[]): Node | undefined {
    const n = this.doc.getIn(path, true);
    return n && typeof n === 'object' ? (n as Node) : undefined;
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  /** Keys of the mapping at `path` (top level for ''). */
  keys(path = ''): string[] {
    const n = path ? this.node(path.split('.')) : this.doc.contents;
    if (!isMap(n)) return [];
    return n.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
  }

  /**
   * The value at a dotted path, following interpolations; undefined when absent, null, `???`, or
   * an unresolvable interpolation (the latter two noted in `unresolved`).
   */
  get(path: string, depth = 0): Found | undefined {
    const parts = path.split('.');
    const n = this.node(parts);
    if (n === undefined) return undefined;
    const range = n.range ? { start: n.range[0], end: n.range[1] } : undefined;
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
