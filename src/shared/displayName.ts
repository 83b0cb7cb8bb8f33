// A run's display name: what identifies it to the person who launched it, short and unique among
// the workspace's runs. The logger's own run name when it recorded one (W&B `display_name`, MLflow
// `mlflow.runName`), else the experiment folder above the folders loggers make on their own
// (`lightning_logs/version_3`, `runs/`, `wandb/run-…`, `mlruns/<id>/<hash>`). Runs that would share
// a name get the part of their path that tells them apart. Pure: the snapshot calls it, tests too.

export interface RunNameInput {
  /** The run's id: its folder (or log file) relative to the workspace root. */
  id: string;
  /** The name the logger recorded for the run, when it did. */
  loggedName?: string;
}

/** Longest display name; a longer one is cut in the middle (the full path is in the tooltip). */
export const MAX_NAME_LENGTH = 40;

/**
 * Folder names loggers and trainers make by themselves, which say nothing about the experiment:
 * Lightning's `lightning_logs/version_N`, TensorBoard's `runs/<date>_<host>`, W&B's
 * `wandb/[offline-]run-<date>-<id>` and `run-<id>`, MLflow's `mlruns/<experiment>/<run hash>`,
 * and plain `logs`, `tb`, `outputs`, `checkpoint-N`, numbers.
 */
const GENERIC_SEGMENT = new RegExp(
  [
    'lightning_logs',
    'version_\\d+',
    'runs?',
    'wandb',
    'latest-run',
    '(offline-)?run-\\d{8}_\\d{6}-[a-z0-9]+',
    '(offline-)?run-[a-z0-9]{8}',
    'mlruns',
    '[0-9a-f]{24,}',
    '\\d+',
    'logs?',
    'tb(_logs)?',
    'tensorboard',
    'csv_logs',
    'outputs?',
    'checkpoints?',
    'checkpoint-\\d+',
    'files',
    'events',
    'metrics',
    '[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_.*',
  ].join('|'),
  'i',
);

export function isGenericSegment(segment: string): boolean {
  return new RegExp(`^(${GENERIC_SEGMENT.source})$`, 'i').test(segment);
}

function segments(id: string): string[] {
  return id.split('/').filter((s) => s !== '' && s !== '.');
}

/** A file name's stem (`train.log` → `train`); a folder name as it is. */
function stem(segment: string): string {
  const dot = segment.lastIndexOf('.');
  return dot > 0 ? segment.slice(0, dot) : segment;
}

function isFile(segment: string): boolean {
  return /\.[A-Za-z0-9]{1,8}$/.test(segment) && !/^\d+(\.\d+)+$/.test(segment);
}

/** The folders that name the experiment: neither made by a logger nor a log file's own name. */
function meaningful(id: string): string[] {
  const parts = segments(id);
  const folders = parts.filter((s, i) => !(i === parts.length - 1 && isFile(s)) && !isGenericSegment(s));
  if (folders.length) return folders;
  const last = parts[parts.length - 1];
  return last ? [stem(last)] : [id];
}

/** What tells a run apart from its siblings in the same experiment: its own last segment, shortened (a W&B run's id, a version number, 8 hex digits of an MLflow hash). */
function ownTail(id: string): string | undefined {
  const parts = segments(id);
  const last = parts[parts.length - 1];
  if (!last) return undefined;
  const wandb = /^(?:offline-)?run-(?:\d{8}_\d{6}-)?([a-z0-9]+)$/i.exec(last);
  if (wandb) return wandb[1];
  if (/^[0-9a-f]{24,}$/i.test(last)) return last.slice(0, 8);
  return isFile(last) ? stem(last) : last;
}

function cut(name: string): string {
  if (name.length <= MAX_NAME_LENGTH) return name;
  const keep = MAX_NAME_LENGTH - 1;
  const head = Math.ceil(keep / 2);
  return `${name.slice(0, head)}…${name.slice(name.length - (keep - head))}`;
}

/**
 * Display names for all of a workspace's runs, keyed by id: the first of these that is unique
 * (within the runs sharing a first choice, and among all names):
 * 1. the logged name, else the innermost meaningful folder;
 * 2. that and the run's own last segment (`lr-sweep/version_3`, `my-exp/1a2b3c4d`);
 * 3. the two innermost meaningful folders, and the last segment when it is generic (`strict/run_1`);
 * 4. the id itself.
 * Names longer than MAX_NAME_LENGTH are cut in the middle when that keeps them unique.
 */
export function displayNames(runs: readonly RunNameInput[]): Map<string, string> {
  const first = new Map<string, string>();
  for (const r of runs) first.set(r.id, r.loggedName?.trim() || meaningful(r.id).slice(-1)[0]);
  const groups = new Map<string, RunNameInput[]>();
  for (const r of runs) groups.set(first.get(r.id)!, [...(groups.get(first.get(r.id)!) ?? []), r]);
  const out = new Map<string, string>();
  const taken = new Set<string>();
  // Names that need no help first, so a longer name never takes one a run has on its own.
  for (const [name, members] of groups) {
    if (members.length === 1) {
      out.set(members[0].id, name);
      taken.add(name);
    }
  }
  // Each strategy names every member of a group, or says '' (it cannot tell this one apart).
  const strategies: ((r: RunNameInput) => string)[] = [
    (r) => {
      const tail = ownTail(r.id);
      const base = first.get(r.id)!;
      return tail && tail !== base ? (r.loggedName ? `${base} (${tail})` : `${base}/${tail}`) : '';
    },
    (r) => {
      const m = meaningful(r.id).slice(-2);
      const last = segments(r.id).slice(-1)[0];
      const withTail = last && isGenericSegment(last) ? [...m, ownTail(r.id) ?? last] : m;
      return r.loggedName ? `${r.loggedName.trim()} (${withTail.join('/')})` : withTail.join('/');
    },
  ];
  for (const [, members] of groups) {
    if (members.length === 1) continue;
    let names: string[] | undefined;
    for (const strategy of strategies) {
      const candidate = members.map(strategy);
      if (new Set(candidate).size === candidate.length && candidate.every((n) => n !== '' && !taken.has(n))) {
        names = candidate;
        break;
      }
    }
    names ??= members.map((r) => r.id);
    members.forEach((r, i) => {
      out.set(r.id, names[i]);
      taken.add(names[i]);
    });
  }
  // Cut long names only where the cut ones stay unique.
  const cutNames = new Map([...out].map(([id, n]) => [id, cut(n)]));
  if (new Set(cutNames.values()).size === cutNames.size) return cutNames;
  return out;
}

/**
 * A family's short label: a guessed family is named by its folder path (and what tells it from
 * siblings, in parentheses); the label keeps the innermost meaningful folder and that suffix.
 */
export function shortFamilyName(family: string): string {
  const m = /^(.*?)(\s+\(.*\))?$/.exec(family);
  const path = m?.[1] ?? family;
  const suffix = m?.[2] ?? '';
  if (!path.includes('/')) return cut(family);
  const folders = segments(path).filter((s) => !isGenericSegment(s));
  const inner = folders.length ? folders[folders.length - 1] : path;
  return cut(`${inner}${suffix}`);
}

/** A run as the UI and the CLI know it: its id and its display name (RunView.name, from displayNames). */
export interface NamedRun {
  id: string;
  name: string;
}

/**
 * Run id → display name over a snapshot's runs, for every surface that names a run by id (the
 * status bar's sibling list, hover and lens tooltips, the CLI's family lines). An id the runs do not
 * hold is shown as it is.
 */
export function runNamer(runs: readonly NamedRun[] | undefined): (id: string) => string {
  const names = new Map((runs ?? []).map((r) => [r.id, r.name]));
  return (id) => names.get(id) ?? id;
}

/**
 * A run's display name for text without a tooltip (the CLI): the name alone when it is the run's
 * folder or file name (`llama-95m` for `sweep/llama-95m`), else the name and where the run lives
 * (`my-exp (my-exp/lightning_logs/version_0)`).
 */
export function nameWithPath(run: NamedRun): string {
  const last = segments(run.id).slice(-1)[0];
  return run.name === run.id || run.name === last || (last !== undefined && run.name === stem(last)) ? run.name : `${run.name} (${run.id})`;
}
