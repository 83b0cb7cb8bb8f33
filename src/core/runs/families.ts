// Run families guessed from the hyperparameters the loggers stored (Lightning hparams.yaml, W&B
// config, MLflow params, DVCLive params.yaml, an HF run's config.json and training_args.json).
// A family is runs on the same data, tokenizer and recipe whose final losses share one law: runs of
// one family differ in model size, training length, batch, learning rate and other tuned knobs,
// seed and bookkeeping (names, folders, intervals), and agree on everything else. So two runs are
// guessed to be one family when every other key they logged has the same value in both. Only a
// guess: the workspace file (.scalinglens.yaml) or a run's own training config names families for
// real, and the engine applies this only to runs neither of them names.
import * as path from 'node:path';
import { HPARAM_KEYS, paramLeaf } from './hparams';
import { copyString } from '../excerpt';

export interface FamilyCandidate {
  id: string;
  /** The run's logged hyperparameters, flattened (`optimizer/lr`); undefined or empty when it has none. */
  params?: ReadonlyMap<string, unknown>;
}

export interface FamilyGuess {
  family: string;
  /** Why, in words: what the family shares and what its runs differ in. */
  reason: string;
  /** The keys (with their common value) that define the family. */
  shared: [string, string][];
  /** Keys whose values differ between the family's runs (size, LR, seed, …). */
  varied: string[];
  runIds: string[];
}

/**
 * Leaf names (lower case, `-` as `_`, see paramLeaf) of keys that vary inside one family: model
 * shape and size, training length, batch, the tuned optimizer knobs, seeds. The names the run
 * reader takes sizes, lengths and learning rates from (hparams.ts) are among them by construction.
 */
const VARIED_LEAVES = new Set<string>([
  ...HPARAM_KEYS.dModel,
  ...HPARAM_KEYS.layers,
  ...HPARAM_KEYS.ff,
  ...HPARAM_KEYS.params,
  ...HPARAM_KEYS.maxSteps,
  ...HPARAM_KEYS.tokens,
  ...HPARAM_KEYS.lr,
  // more model shape and size (HF, Megatron, NeMo, foundry, torchtitan, litgpt names)
  'width',
  'expansion_ratio',
  'head_dim',
  'kv_channels',
  'multiple_of',
  'ffn_dim_multiplier',
  'moe_intermediate_size',
  'encoder_ffn_dim',
  'decoder_ffn_dim',
  'n_head',
  'n_heads',
  'num_heads',
  'num_attention_heads',
  'encoder_attention_heads',
  'decoder_attention_heads',
  'num_key_value_heads',
  'n_kv_heads',
  'kv_n_heads',
  'num_query_groups',
  'n_query_groups',
  'encoder_layers',
  'decoder_layers',
  'num_decoder_layers',
  'num_encoder_layers',
  'non_embedding_params',
  'flavor',
  'model_size',
  'size',
  'num_experts',
  'num_local_experts',
  'moe_router_topk',
  'num_experts_per_tok',
  // more training length
  'train_steps',
  'tokens',
  'train_samples',
  'max_duration',
  'epochs',
  'num_epochs',
  'num_train_epochs',
  'max_epochs',
  'lr_decay_iters',
  'lr_decay_steps',
  'decay_steps',
  'lr_decay_samples',
  'total_iters',
  'iterations',
  'max_time',
  // batch
  'gradient_accumulation_steps',
  'grad_accum',
  'grad_accum_steps',
  'gradient_accumulation',
  'accumulate_grad_batches',
  'batch_accumulation_per_replica',
  // more tuned optimizer knobs
  'min_lr',
  'lr_min',
  'init_lr',
  'final_lr',
  'min_lr_ratio',
  'min_lr_factor',
  'cosine_min_lr_ratio',
  'alpha_f',
  'weight_decay',
  'wd',
  'beta1',
  'beta2',
  'adam_beta1',
  'adam_beta2',
  'betas',
  'eps',
  'adam_eps',
  'adam_epsilon',
  'grad_clip',
  'max_grad_norm',
  'clip_grad',
  'clip_grad_norm',
  'gradient_clip_val',
  'gradient_clipping',
  'init_std',
  'initializer_range',
  'label_smoothing',
  'momentum',
  'lr_scale',
  'mup_base_width',
  // seeds
  'seed',
]);

/** Keys that say which data, tokenizer or vocabulary: never bookkeeping, even when they name a file (`tokenizer/path`). */
const DATA_KEY = /data(?!loader)|token|vocab|corpus|train_file|validation_file|split/;

/** Bookkeeping even when it mentions data or tokens (`hub_token`, `wandb_dataset`): integrations and reporting. */
const INTEGRATION = /^(hub|push_to_hub|wandb|mlflow|neptune|comet|tensorboard|report|logging|output)(_|$)/;

/** Leaf patterns of bookkeeping that differs from run to run of one recipe: names, places, times, intervals, hardware. */
/** A run's own labels; only at the top level (`scheduler/name`, `model/name` name a component of the recipe). */
const RUN_LABEL = /^(name|run_name|exp_name|experiment|experiment_name|project|entity|group|job_type|tags|notes|id|run_id|uuid|host|hostname|user)$/;

const BOOKKEEPING = [
  /(^|_)(dir|path|file|url|uri|root|folder)s?$/,
  /(time|date|stamp|version|runtime)s?$/,
  /interval|_every|every_n|frequency|_freq$/,
  /^(log|eval|evaluation|val|save|checkpoint|ckpt|print|profile|profiler|debug|verbose|disable|overwrite|resume|init_from|out)(_|$)/,
  /^(devices|device|gpus|num_gpus|n_gpu|num_nodes|nnodes|nproc_per_node|world_size|local_rank|rank|accelerator|strategy|num_workers|compile|backend|tp|pp|dp|cp|ep)$/,
  /parallel|^dataloader_|^ddp_|^fsdp|^deepspeed|^zero_|checkpointing$|^recompute|^use_cpu$|^local_/,
];

/** Whether a key varies inside one family (size, length, batch, tuned knob, seed, bookkeeping) rather than defining it. */
export function variesWithinFamily(key: string): boolean {
  // Framework internals: W&B's `_wandb`, HF's `_name_or_path`, `_commit_hash`.
  if (key.split(/[/.]/).some((part) => part.startsWith('_'))) return true;
  const leaf = paramLeaf(key);
  if (VARIED_LEAVES.has(leaf)) return true;
  if (
    leaf.includes('batch') ||
    leaf.includes('warmup') ||
    leaf.includes('dropout') ||
    leaf.endsWith('pdrop') ||
    leaf.endsWith('_seed') ||
    leaf.startsWith('seed_')
  )
    return true;
  if (INTEGRATION.test(leaf)) return true;
  if (RUN_LABEL.test(leaf)) return !/[/.]/.test(key);
  if (DATA_KEY.test(key.toLowerCase())) return false;
  return BOOKKEEPING.some((re) => re.test(leaf));
}

const MAX_VALUE_CHARS = 200;

/** One spelling per value, so `12` from MLflow's text params equals `12` from a YAML number. */
function canonical(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    const t = value.trim();
    if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return String(Number(t));
    if (/^(true|false)$/i.test(t)) return t.toLowerCase();
    return t.length > MAX_VALUE_CHARS ? `${t.slice(0, MAX_VALUE_CHARS)}…` : t;
  }
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = String(value);
  }
  return json.length > MAX_VALUE_CHARS ? `${json.slice(0, MAX_VALUE_CHARS)}…` : json;
}

/** The keys that define a run's family, with their values (sorted by key). */
export function familyKeys(params: ReadonlyMap<string, unknown> | undefined): [string, string][] {
  const out: [string, string][] = [];
  if (params === undefined) return out;
  for (const [key, value] of params) if (!variesWithinFamily(key)) out.push([key, canonical(value)]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The folder a set of run ids share (posix ids); `(workspace)` when they share none. */
function commonFolder(ids: string[]): string {
  const dirs = ids.map((id) =>
    path.posix
      .dirname(id)
      .split('/')
      .filter((p) => p !== '' && p !== '.'),
  );
  let common = dirs[0] ?? [];
  for (const d of dirs.slice(1)) {
    let i = 0;
    while (i < common.length && i < d.length && common[i] === d[i]) i++;
    common = common.slice(0, i);
  }
  return common.length > 0 ? common.join('/') : '(workspace)';
}

/** Data, tokenizer and recipe keys first in a reason: they say most about a family. */
function informative(a: [string, string], b: [string, string]): number {
  const rank = (k: string) => {
    const leaf = paramLeaf(k);
    if (/data|corpus|tokenizer|vocab/.test(leaf)) return 0;
    if (/sched|decay|optim|model_type|arch/.test(leaf)) return 1;
    return DATA_KEY.test(leaf) ? 2 : 3;
  };
  return rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1);
}

/** A value (or key) read from a config, as a reason shows it: short and copied (it may hold a token; a slice would pin the config). */
function short(value: string, max = 24): string {
  return value.length > max ? `${copyString(value.slice(0, max - 1))}…` : copyString(value);
}

function list(pairs: [string, string][], max: number): string {
  const shown = pairs.slice(0, max).map(([k, v]) => `${short(k, 40)}=${short(v)}`);
  if (pairs.length > max) shown.push(`${pairs.length - max} more`);
  return shown.join(', ');
}

/**
 * Groups the runs that logged hyperparameters into guessed families: runs whose family-defining keys
 * (see variesWithinFamily) are the same, with the same values. Each family is named after the folder
 * its runs share; families sharing a folder get the values that tell them apart. Runs without
 * family-defining keys get no guess (the caller falls back to their folder). Deterministic for a
 * given set of runs, whatever their order.
 */
export function guessFamilies(runs: readonly FamilyCandidate[]): Map<string, FamilyGuess> {
  const groups = new Map<string, { shared: [string, string][]; runs: FamilyCandidate[] }>();
  for (const run of [...runs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const shared = familyKeys(run.params);
    if (shared.length === 0) continue;
    const signature = JSON.stringify(shared);
    const g = groups.get(signature) ?? { shared, runs: [] };
    g.runs.push(run);
    groups.set(signature, g);
  }
  // Names: the shared folder, then what tells families in the same folder apart.
  const byBase = new Map<string, { shared: [string, string][]; runs: FamilyCandidate[] }[]>();
  for (const g of groups.values()) {
    const base = commonFolder(g.runs.map((r) => r.id));
    byBase.set(base, [...(byBase.get(base) ?? []), g]);
  }
  const out = new Map<string, FamilyGuess>();
  const taken = new Set<string>();
  for (const [base, siblings] of [...byBase].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const g of siblings) {
      let name = base;
      if (siblings.length > 1) {
        const mine = new Map(g.shared);
        const telling = g.shared.filter(([k, v]) => siblings.some((o) => o !== g && new Map(o.shared).get(k) !== v)).sort(informative);
        // Keys the others have and this family lacks tell it apart too.
        const missing = siblings.flatMap((o) => o.shared.map(([k]) => k)).filter((k, i, all) => !mine.has(k) && all.indexOf(k) === i);
        const parts = [
          ...telling.slice(0, 2).map(([k, v]) => `${short(k, 40)}=${short(v)}`),
          ...(telling.length === 0 ? missing.slice(0, 2).map((k) => `no ${short(k, 40)}`) : []),
        ];
        name = `${base} (${parts.join(', ')})`;
      }
      for (let n = 2; taken.has(name); n++) name = `${name.replace(/ #\d+$/, '')} #${n}`;
      taken.add(name);
      const varied = variedKeys(g.runs);
      const ids = g.runs.map((r) => r.id);
      const shared = [...g.shared].sort(informative);
      const reason =
        ids.length > 1
          ? `family guessed from hyperparameters: ${ids.length} runs share ${list(shared, 4)}${
              varied.length
                ? `; they differ in ${varied
                    .slice(0, 6)
                    .map((k) => short(k, 40))
                    .join(', ')}${varied.length > 6 ? ', …' : ''}`
                : ''
            }`
          : `family guessed from hyperparameters: no other run has the same ${list(shared, 4)}`;
      const guess: FamilyGuess = { family: name, reason, shared, varied, runIds: ids };
      for (const id of ids) out.set(id, guess);
    }
  }
  return out;
}

/** Keys whose values differ between the runs (or that only some of them logged), sorted. */
function variedKeys(runs: FamilyCandidate[]): string[] {
  if (runs.length < 2) return [];
  const values = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const run of runs) {
    for (const [key, value] of run.params ?? []) {
      if (!variesWithinFamily(key) || key.split(/[/.]/).some((p) => p.startsWith('_'))) continue;
      const set = values.get(key) ?? new Set<string>();
      set.add(canonical(value));
      values.set(key, set);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...values]
    .filter(([key, set]) => set.size > 1 || counts.get(key) !== runs.length)
    .map(([key]) => key)
    .sort();
}
