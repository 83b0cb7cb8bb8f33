// A ladder run written as a variant of the target's own config: the same file(s) in the same
// format with a new shape, length, LR, batch and the family, edited in place where the reader
// found each value (its source range), so comments, order and every other key stay as the user
// wrote them. Parsed, never executed; the variant is read back by the same reader to report what
// was written (a planned value a format cannot express is said, never silently rounded away).
import { basename, dirname, extname, join } from 'node:path';
import { readConfig, type ReadConfigInput } from './index';
import type { TrainingPlan, ValueSource } from './types';
import { TORCHTITAN_FLAVORS } from './modelTables';

/** The shape, length and hyperparameters of one planned run. */
export interface VariantSpec {
  /** Short name of the run (`ladder-01-44m`): header comment, torchtitan flavor, file names. */
  name: string;
  nLayer: number;
  dModel: number;
  /** Attention heads; default: 128-wide heads when they divide d_model, else 64-wide. */
  nHead?: number;
  /** FFN inner size; default: the target's ratio to d_model when it states one, else the format's rule. */
  dFfn?: number;
  /** Training tokens D of the run. */
  tokens: number;
  /** Tokens per optimizer step (global batch × sequence length). */
  batchTokens: number;
  peakLr: number;
  /** The family the run's logs join. */
  family?: string;
  /** One line for the header comment (formats with comments). */
  header?: string;
  /** Write the shape alone (batch, length, LR and family as the target has them): what the shape reads back as, for counting its N. */
  shapeOnly?: boolean;
}

export interface VariantFile {
  /** Base name of the file (the target's own name; a sibling's own name). */
  name: string;
  text: string;
}

/** What the variant's own reader reads back from it. */
export interface VariantReadBack {
  params: number;
  /** Non-embedding parameters (Kaplan's convention, as the reader counts them). */
  nonEmbedding: number;
  tokens?: number;
  tokensPerStep?: number;
  maxSteps?: number;
  peakLr?: number;
  family?: string;
  nLayer: number;
  dModel: number;
  nHead: number;
  dFfn?: number;
}

export type VariantResult =
  | {
      files: VariantFile[];
      /** What reading the written variant gives (undefined for a torchtitan flavor the table does not know). */
      readBack?: VariantReadBack;
      /** The family is set in the file itself (HF training_args.json `family`, generic `family:`); else `.scalinglens.yaml` must name it. */
      familyInFile: boolean;
      notes: string[];
      /**
       * A torchtitan shape no stock flavor has: its flavor name and the Python line that registers it
       * (ladderConfigs.ts gathers a ladder's into one module, which each such TOML imports).
       */
      flavor?: { name: string; registration: string };
    }
  | { error: string };

/** Head count for a width: 128-wide heads when they divide it, else 64-wide (as trained models use). */
export function headsForWidth(dModel: number): number {
  return dModel % 128 === 0 ? dModel / 128 : Math.max(1, Math.round(dModel / 64));
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Numbers (with a unit suffix like composer's `4800ba`), quoted or not: the values edited in place. */
const NUMBER_TEXT = /^(["']?)([-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([a-z]*)\1$/;

function apply(text: string, edits: Edit[]): string {
  let out = text;
  // From the end, so earlier offsets stay valid; insertions at one offset keep the order they were made in.
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.start - a.e.start || b.i - a.i);
  for (const { e } of order) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Keys to add, per format, when the target does not state the value (its reader's default applies). */
const INSERT_KEYS: Record<string, Partial<Record<string, { key: string; sibling?: string }>>> = {
  nanogpt: {
    'architecture.nLayer': { key: 'n_layer' },
    'architecture.nHead': { key: 'n_head' },
    'architecture.dModel': { key: 'n_embd' },
    maxSteps: { key: 'max_iters' },
    'batch.gradAccum': { key: 'gradient_accumulation_steps' },
    'batch.perDevice': { key: 'batch_size' },
    peakLr: { key: 'learning_rate' },
  },
  hf: {
    maxSteps: { key: 'max_steps', sibling: 'training_args.json' },
    'batch.gradAccum': { key: 'gradient_accumulation_steps', sibling: 'training_args.json' },
    peakLr: { key: 'learning_rate', sibling: 'training_args.json' },
    family: { key: 'family', sibling: 'training_args.json' },
  },
  generic: { family: { key: 'family' }, peakLr: { key: 'training.lr' } },
  // DeepSpeed's global batch in sequences (megatron.ts flagsFromNeox).
  'gpt-neox': { 'batch.global': { key: 'train_batch_size' } },
};

/** Text that adds `key = value` in the file's syntax (top level, or one level down for `a.b` in YAML). */
function insertion(fileText: string, ext: string, key: string, valueText: string): Edit | undefined {
  if (ext === '.py') return { start: fileText.length, end: fileText.length, text: `${fileText.endsWith('\n') ? '' : '\n'}${key} = ${valueText}\n` };
  if (ext === '.json') {
    if (key.includes('.')) return undefined;
    const open = fileText.indexOf('{');
    if (open < 0) return undefined;
    const indent = /\n([ \t]+)"/.exec(fileText)?.[1] ?? '  ';
    const empty = /^\{\s*\}/.test(fileText.slice(open));
    return { start: open + 1, end: open + 1, text: `\n${indent}${JSON.stringify(key)}: ${valueText}${empty ? '\n' : ','}` };
  }
  if ((ext === '.yaml' || ext === '.yml') && !key.includes('.') && /^(?:\s*#[^\n]*\n|\s*\n)*\s*\{/.test(fileText)) {
    // A YAML file written as one flow mapping (GPT-NeoX's `{ "num_layers": 12, … }`): the key goes in the braces.
    const open = fileText.indexOf('{');
    const indent = /\n([ \t]+)["\w]/.exec(fileText.slice(open))?.[1] ?? '  ';
    return { start: open + 1, end: open + 1, text: `\n${indent}${JSON.stringify(key)}: ${valueText},` };
  }
  if (ext === '.yaml' || ext === '.yml') {
    const [parent, leaf] = key.includes('.') ? key.split('.', 2) : [undefined, key];
    if (parent === undefined) {
      // After the leading comments, so a header stays the first line.
      const m = /^(?:\s*#[^\n]*\n|\s*\n)*/.exec(fileText);
      const at = m ? m[0].length : 0;
      return { start: at, end: at, text: `${leaf}: ${valueText}\n` };
    }
    const head = new RegExp(`^${parent}:[ \\t]*(#[^\\n]*)?\\n`, 'm').exec(fileText);
    if (!head) return undefined;
    const at = head.index + head[0].length;
    const childIndent = /^([ \t]+)\S/.exec(fileText.slice(at))?.[1] ?? '  ';
    return { start: at, end: at, text: `${childIndent}${leaf}: ${valueText}\n` };
  }
  return undefined;
}

/** `value` as a literal like `original`: its quotes; exponent or decimal notation for floats (two digits: the laws are not finer). */
function numberLike(original: string, value: number, integer: boolean, suffix = ''): string {
  const quote = /^["']/.test(original) ? original[0] : '';
  const body = integer ? String(Math.max(1, Math.round(value))) : /[eE]/.test(original) || value < 1e-3 ? exp(value) : String(Number(value.toPrecision(2)));
  return `${quote}${body}${suffix}${quote}`;
}

function exp(v: number): string {
  // One decimal in the mantissa: PyYAML reads `3e-4` as a string, `3.0e-4` as a float.
  const [m, e] = v.toExponential(1).split('e');
  return `${m}e${Number(e) < 0 ? '-' : ''}${Math.abs(Number(e))}`;
}

function commentLine(ext: string, line: string): string | undefined {
  return ext === '.json' ? undefined : `# ${line.replace(/\n/g, ' ')}`;
}

/** Adds a header comment as the first line (after a shebang). */
function withHeader(text: string, ext: string, line: string | undefined): string {
  const c = line === undefined ? undefined : commentLine(ext, line);
  if (c === undefined) return text;
  if (text.startsWith('#!')) {
    const nl = text.indexOf('\n');
    return nl < 0 ? `${text}\n${c}\n` : `${text.slice(0, nl + 1)}${c}\n${text.slice(nl + 1)}`;
  }
  return `${c}\n${text}`;
}

/**
 * Writes the run `spec` as a variant of the target config `input`. Every file the target's plan
 * draws values from (the config and, for HF, its `training_args.json`) is returned edited; the
 * variant is then read back by the same reader.
 */
export function writeVariant(input: ReadConfigInput, spec: VariantSpec): VariantResult {
  const target = readConfig(input);
  if (target.kind !== 'plan') return { error: target.kind === 'error' ? target.message : `${input.file}: ${target.reason}` };
  const plan = target.plan;
  const format = plan.format ?? 'generic';
  const notes: string[] = [];
  const texts = new Map<string, string>([[input.file, input.text]]);
  const textOf = (file: string): string | undefined => {
    if (!texts.has(file)) {
      const t = input.readSibling?.(file);
      if (t === undefined) return undefined;
      texts.set(file, t);
    }
    return texts.get(file);
  };
  const edits = new Map<string, Edit[]>();
  const addEdit = (file: string, e: Edit) => {
    const list = edits.get(file) ?? [];
    list.push(e);
    edits.set(file, list);
  };
  /** The source's text when it is the value itself, written in the file (not derived, assumed or from a table). */
  const literal = (
    src: ValueSource | undefined,
  ): { file: string; start: number; end: number; original: string; value?: number; suffix: string } | undefined => {
    if (!src?.range || /^(derived|assumed|from model_name|from .* flavor)/.test(src.note ?? '')) return undefined;
    const t = textOf(src.file);
    if (t === undefined) return undefined;
    const original = t.slice(src.range.start, src.range.end);
    const m = NUMBER_TEXT.exec(original.trim());
    // Expressions and variables (nanoGPT `2 * 2`, Megatron `$NLAYERS`) are replaced by a literal.
    const expression = (format === 'nanogpt' || format === 'megatron') && !/^["']/.test(original.trim());
    if (!m && !expression) return undefined;
    return { file: src.file, ...src.range, original, value: m ? Number(m[2].replace(/_/g, '')) : undefined, suffix: m?.[3] ?? '' };
  };
  const insertKey = (field: string, valueText: string): boolean => {
    const spot = INSERT_KEYS[format]?.[field];
    if (!spot) return false;
    const file = spot.sibling ? join(dirname(input.file), spot.sibling) : input.file;
    const t = textOf(file);
    if (t === undefined) return false;
    const e = insertion(t, extname(file).toLowerCase(), spot.key, valueText);
    if (!e) return false;
    addEdit(file, e);
    return true;
  };
  /** Sets a plan field to `value`: in place when the file states it, else by adding its key; false when neither. */
  const set = (field: string, value: number, integer: boolean): boolean => {
    const at = literal(plan.sources[field]);
    if (at) {
      const written =
        at.value !== undefined ? numberLike(at.original.trim(), value, integer, at.suffix) : integer ? String(Math.max(1, Math.round(value))) : exp(value);
      addEdit(at.file, { start: at.start, end: at.end, text: written });
      return true;
    }
    return insertKey(field, integer ? String(Math.max(1, Math.round(value))) : exp(value));
  };
  const fail = (what: string) => ({
    error: `${input.file}: cannot write the ${what} of "${spec.name}": the ${format} config does not state it where a variant can change it`,
  });

  // ---- shape
  const arch = plan.architecture;
  const nHead = spec.nHead ?? headsForWidth(spec.dModel);
  if (spec.dModel % nHead !== 0) return { error: `${spec.name}: d_model ${spec.dModel} is not divisible by ${nHead} heads` };
  let flavorNote: string | undefined;
  if (format === 'torchtitan') {
    // torchtitan names its shapes (`[model] flavor`): a stock flavor when one matches exactly, else a
    // new flavor, registered by a module the TOML imports at start (`[experimental] custom_import`).
    const flavorSrc = plan.sources['architecture.nLayer'];
    const modelName = /from (\w+) flavor/.exec(flavorSrc?.note ?? '')?.[1] ?? 'llama3';
    const flavors = TORCHTITAN_FLAVORS[modelName] ?? {};
    const stock = Object.entries(flavors).find(([, f]) => f.arch.nLayer === spec.nLayer && f.arch.dModel === spec.dModel && f.arch.nHead === nHead);
    const flavorName = stock?.[0] ?? spec.name.replace(/[^\w]/g, '_');
    if (!flavorSrc?.range) return fail('shape');
    // The flavor module registers llama3 TransformerModelArgs only (torchtitanFlavorModule).
    if (!stock && modelName !== 'llama3')
      return {
        error: `${input.file}: torchtitan ${modelName} has no stock flavor of ${spec.nLayer} layers × d_model ${spec.dModel}, and Scaling Lens registers new flavors for llama3 only`,
      };
    addEdit(input.file, { start: flavorSrc.range.start, end: flavorSrc.range.end, text: JSON.stringify(flavorName) });
    if (!stock) {
      flavorNote = flavorName;
      const experimental = /^\[experimental\][ \t]*(#[^\n]*)?$/m.exec(input.text);
      const existing = /^[ \t]*custom_import[ \t]*=[ \t]*["']([^"'\n]*)["']/m.exec(experimental ? input.text.slice(experimental.index) : '');
      if (existing && existing[1] !== TORCHTITAN_FLAVOR_MODULE)
        notes.push(
          `[experimental] custom_import is "${existing[1]}" already: import ${TORCHTITAN_FLAVOR_MODULE} from it, or the flavor "${flavorName}" is unknown to torchtitan.`,
        );
      else if (!existing) {
        const line = `custom_import = "${TORCHTITAN_FLAVOR_MODULE}"\n`;
        if (experimental) {
          const at = Math.min(input.text.length, experimental.index + experimental[0].length + 1);
          addEdit(input.file, { start: at, end: at, text: line });
        } else
          addEdit(input.file, { start: input.text.length, end: input.text.length, text: `${input.text.endsWith('\n') ? '' : '\n'}\n[experimental]\n${line}` });
      }
    }
  } else {
    if (!set('architecture.nLayer', spec.nLayer, true)) return fail('layer count');
    if (!set('architecture.dModel', spec.dModel, true)) return fail('width');
    if (!set('architecture.nHead', nHead, true)) return fail('head count');
    const kvAt = literal(plan.sources['architecture.nKvHead']);
    if (kvAt && arch.nKvHead !== undefined && arch.nKvHead !== arch.nHead) {
      // Grouped-query attention keeps the target's group size when it divides the new head count.
      const group = arch.nHead / arch.nKvHead;
      set('architecture.nKvHead', nHead % group === 0 ? nHead / group : nHead, true);
    } else if (kvAt) set('architecture.nKvHead', nHead, true);
    if (literal(plan.sources['architecture.headDim'])) set('architecture.headDim', spec.dModel / nHead, true);
    const ffnAt = literal(plan.sources['architecture.dFfn']);
    if (ffnAt && arch.dFfn !== undefined) {
      // A stated FFN size keeps the target's ratio to d_model (rounded to 64) unless the plan says one.
      // GPT-NeoX's SwiGLU `intermediate_size` counts the three matrices together (megatron.ts flagsFromNeox).
      const neoxSwiglu = /^NeoX intermediate_size/.test(plan.sources['architecture.dFfn']?.note ?? '');
      const ffn = spec.dFfn ?? Math.max(256, Math.round(((arch.dFfn / arch.dModel) * spec.dModel) / 256) * 256);
      set('architecture.dFfn', neoxSwiglu ? 3 * ffn : ffn, true);
    } else if (spec.dFfn !== undefined) notes.push(`FFN size ${spec.dFfn} not written: the ${format} config derives it from the width.`);
  }

  let familyInFile = false;
  if (!spec.shapeOnly) {
    // ---- batch: scale the global batch, else gradient accumulation, else the per-device batch
    const seqLen = plan.seqLen;
    const oldPerStep = plan.tokensPerStep;
    let newPerStep = oldPerStep;
    if (oldPerStep !== undefined) {
      let factor = spec.batchTokens / oldPerStep;
      for (const field of ['tokensPerStep', 'batch.global', 'batch.gradAccum', 'batch.perDevice']) {
        if (Math.abs(factor - 1) < 1e-9) break;
        const at = literal(plan.sources[field]);
        if (!at || at.value === undefined || at.value <= 0) continue;
        const wanted = at.value * factor;
        const written = Math.max(1, Math.round(wanted));
        if (written === at.value) continue;
        set(field, written, true);
        newPerStep = (newPerStep ?? oldPerStep) * (written / at.value);
        factor = wanted / written;
      }
      if (Math.abs(factor - 1) > 0.01 && format === 'nanogpt' && seqLen) {
        // Batch keys left to train.py's defaults: the global batch is stated, one micro-step per step.
        const seqs = Math.max(1, Math.round(spec.batchTokens / seqLen));
        insertKey('batch.perDevice', String(seqs));
        insertKey('batch.gradAccum', '1');
        newPerStep = seqs * seqLen;
      }
      // A micro-batch larger than the new global batch would not divide it.
      const micro = literal(plan.sources.microBatch);
      const globalAt = literal(plan.sources['batch.global']);
      if (micro?.value !== undefined && globalAt?.value !== undefined && seqLen) {
        const newGlobal = Math.round((newPerStep ?? oldPerStep) / seqLen);
        if (micro.value > newGlobal || newGlobal % micro.value !== 0) set('microBatch', gcd(newGlobal, micro.value), true);
      }
      if (newPerStep !== undefined && Math.abs(newPerStep / spec.batchTokens - 1) > 0.01) {
        notes.push(`Batch ${Math.round(newPerStep)} tokens/step (planned ${Math.round(spec.batchTokens)}): the nearest the config's batch keys give.`);
      }
    } else if (format === 'gpt-neox' && seqLen) {
      // NeoX without train_batch_size: its global batch needs the GPU count; stating it makes the run's batch the planned one.
      const seqs = Math.max(1, Math.round(spec.batchTokens / seqLen));
      if (insertKey('batch.global', String(seqs))) {
        newPerStep = seqs * seqLen;
        const micro = literal(plan.sources.microBatch);
        if (micro?.value !== undefined && (micro.value > seqs || seqs % micro.value !== 0)) set('microBatch', gcd(seqs, micro.value), true);
      }
    } else notes.push('Batch not written: the config states no batch size.');
    if (format === 'gpt-neox' && newPerStep !== oldPerStep) {
      // NeoX takes train_batch_size, the micro-batch and gradient accumulation as given when all three are
      // stated (and DeepSpeed then requires their product with the data-parallel size to match): the
      // accumulation is commented out so NeoX derives it from the new train_batch_size.
      const gas = /^([ \t]*)(["']?(?:gradient[_-]accumulation[_-]steps|gas)["']?[ \t]*:[^\n]*)$/m.exec(input.text);
      if (gas) {
        const at = gas.index + gas[1].length;
        addEdit(input.file, { start: at, end: at, text: '# ' });
        notes.push(
          `${gas[2].trim()} commented out: NeoX derives gradient accumulation from train_batch_size ÷ (micro-batch × data-parallel GPUs), which must be whole.`,
        );
      }
    }

    // ---- length: steps from the tokens at the batch as written; tokens too when the config states them
    if (newPerStep !== undefined) {
      const steps = Math.max(1, Math.round(spec.tokens / newPerStep));
      const tokensAt = literal(plan.sources.tokens);
      const stepsSet = plan.sources.maxSteps !== undefined && !/^derived/.test(plan.sources.maxSteps.note ?? '') ? set('maxSteps', steps, true) : false;
      if (tokensAt) set('tokens', steps * newPerStep, true);
      else if (!stepsSet && !insertKey('maxSteps', String(steps))) return fail('training length');
      const warm = literal(plan.sources['schedule.warmupSteps']);
      if (warm?.value !== undefined && plan.maxSteps) {
        // Warmup keeps its fraction of the run.
        set('schedule.warmupSteps', Math.max(1, Math.min(steps - 1, Math.round((warm.value / plan.maxSteps) * steps))), true);
      }
    } else {
      const tokensAt = literal(plan.sources.tokens);
      if (!tokensAt)
        return {
          error: `${input.file}: cannot write the training length of "${spec.name}": the config states no global batch, so ${Math.round(spec.tokens)} tokens cannot be turned into steps (state the global batch and plan again)`,
        };
      set('tokens', spec.tokens, true);
    }

    // ---- LR and family
    if (!set('peakLr', spec.peakLr, false)) notes.push(`Peak LR ${exp(spec.peakLr)} not written: the ${format} config states no learning rate.`);
    if (spec.family !== undefined && (format === 'hf' || format === 'generic')) {
      const famSrc = plan.sources.family;
      const quoted = JSON.stringify(spec.family);
      if (famSrc?.range) {
        addEdit(famSrc.file, { start: famSrc.range.start, end: famSrc.range.end, text: extname(famSrc.file) === '.json' ? quoted : quoted });
        familyInFile = true;
      } else familyInFile = insertKey('family', quoted);
    }
  }

  // ---- the files, with a header, read back
  const files: VariantFile[] = [];
  const written = new Map<string, string>();
  for (const [file, text] of texts) {
    const fileEdits = edits.get(file);
    if (!fileEdits && file !== input.file) continue;
    const edited = apply(text, fileEdits ?? []);
    written.set(file, edited);
  }
  const headerLine = spec.header ?? `Ladder run ${spec.name}, planned by Scaling Lens`;
  const readBackInput: ReadConfigInput = {
    file: input.file,
    text: written.get(input.file)!,
    readSibling: (p) => written.get(p) ?? input.readSibling?.(p),
  };
  for (const [file, text] of written) files.push({ name: basename(file), text: withHeader(text, extname(file).toLowerCase(), headerLine) });
  if (flavorNote !== undefined) {
    notes.push(`torchtitan flavor "${flavorNote}" is new: ${TORCHTITAN_FLAVOR_MODULE}.py registers it, imported by [experimental] custom_import.`);
    return { files, familyInFile, notes, flavor: { name: flavorNote, registration: torchtitanFlavorRegistration(flavorNote, spec, nHead, arch) } };
  }
  const back = readConfig(readBackInput);
  if (back.kind !== 'plan') return { error: `${spec.name}: the written variant does not read back (${back.kind === 'error' ? back.message : back.reason})` };
  return { files, readBack: readBackOf(back.plan), familyInFile, notes };
}

/**
 * Total and non-embedding parameters of the target's config written with `nLayer` × `dModel` (the
 * writer's heads and FFN rule), as its reader counts them: a ladder run's N is its written config's
 * (plan/ladder.ts LadderContext.shapeParams). Memoized per shape; undefined when the shape cannot be
 * written or read back (a new torchtitan flavor).
 */
export function shapeParamsOf(input: ReadConfigInput): (nLayer: number, dModel: number) => { total: number; nonEmbedding: number } | undefined {
  const seen = new Map<string, { total: number; nonEmbedding: number } | undefined>();
  return (nLayer, dModel) => {
    const key = `${nLayer}x${dModel}`;
    if (!seen.has(key)) {
      const v = writeVariant(input, { name: 'shape', nLayer, dModel, tokens: 1, batchTokens: 1, peakLr: 1, shapeOnly: true });
      seen.set(key, 'error' in v || !v.readBack ? undefined : { total: v.readBack.params, nonEmbedding: v.readBack.nonEmbedding });
    }
    return seen.get(key);
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? Math.max(1, a) : gcd(b, a % b);
}

function readBackOf(p: TrainingPlan): VariantReadBack {
  return {
    params: p.params.total,
    nonEmbedding: p.params.nonEmbedding,
    tokens: p.tokens,
    tokensPerStep: p.tokensPerStep,
    maxSteps: p.maxSteps,
    peakLr: p.peakLr,
    family: p.family,
    nLayer: p.architecture.nLayer,
    dModel: p.architecture.dModel,
    nHead: p.architecture.nHead,
    dFfn: p.architecture.dFfn,
  };
}

/** The module a ladder's new torchtitan flavors are registered in (`<name>.py` in the ladder's folder). */
export const TORCHTITAN_FLAVOR_MODULE = 'scaling_lens_ladder_flavors';

/**
 * One flavor as a line of the flavor module: torchtitan's TOML versions keep llama3's flavors in a
 * dict of TransformerModelArgs (torchtitan/models/llama3/__init__.py) that the trainer looks the
 * `[model] flavor` up in after importing `[experimental] custom_import`. FFN and RoPE: the model
 * args' defaults (multiple_of 256, as debugmodel) and llama3's rope_theta 500000.
 */
function torchtitanFlavorRegistration(name: string, spec: VariantSpec, nHead: number, arch: TrainingPlan['architecture']): string {
  const kv =
    arch.nKvHead !== undefined && arch.nKvHead !== arch.nHead && nHead % (arch.nHead / arch.nKvHead) === 0 ? nHead / (arch.nHead / arch.nKvHead) : nHead;
  return `flavors[${JSON.stringify(name)}] = TransformerModelArgs(dim=${spec.dModel}, n_layers=${spec.nLayer}, n_heads=${nHead}, n_kv_heads=${kv}, vocab_size=${arch.vocab}, rope_theta=500000)`;
}

/**
 * The flavor module for a ladder's new torchtitan flavors. The flavor dict is `llama3_args` since
 * torchtitan's rename of October 2025 (pytorch/torchtitan#1871) and `llama3_configs` before it;
 * torchtitan configures runs in Python since February 2026 (#2386) and reads no TOML at all.
 */
export function torchtitanFlavorModule(header: string, registrations: readonly string[]): string {
  return [
    `# ${header}`,
    `# torchtitan imports this module at start ([experimental] custom_import = "${TORCHTITAN_FLAVOR_MODULE}" in each run's TOML),`,
    "# before it looks the run's [model] flavor up: it adds the ladder's shapes to llama3's flavor table.",
    '# It must be importable: launch torchtitan with this folder on PYTHONPATH.',
    'import torchtitan.models.llama3 as llama3',
    'from torchtitan.models.llama3 import TransformerModelArgs',
    '',
    '# llama3_args since torchtitan #1871 (October 2025), llama3_configs before.',
    'flavors = getattr(llama3, "llama3_args", None)',
    'if flavors is None:',
    '    flavors = llama3.llama3_configs',
    '',
    ...registrations,
    '',
  ].join('\n');
}
