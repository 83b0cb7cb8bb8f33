// The written ladder's own record, `PLAN.json` beside `PLAN.md`: which target it was planned for,
// the family, and each run's id, folder (relative to the file) and N, D as its written config counts
// them. It is what links a plan to its runs across VS Code sessions: re-planning matches the logs
// that appear under a run's folder (or carry its id as their run name) to that planned run.
// The file sits in the user's workspace and may be edited or broken: it is read as untrusted input,
// each problem a diagnostic with its line; a bad run entry is left out, the rest kept.
import type { Node } from 'jsonc-parser';
import { JsonObjectReader, lineAt, parseJson } from '../configs/json';
import { formatDiagnostic, type Diagnostic } from '../diagnostics';
import type { LadderRunStatus } from './ladder';
import type { LadderManifestTarget } from './ladderWriteTypes';
import type { PlanLadderRequest } from './ladderRequest';

/** The key (and version) that says a JSON file is a ladder's record. */
const MANIFEST_KEY = 'scalingLensLadder';
const MANIFEST_VERSION = 1;
/** More runs than any plan makes (24 at most): a larger list is not one this extension wrote. */
const MAX_RUNS = 500;
/** Run ids are folder names the planner made (`ladder-03-1.2e19`): letters, digits, `._-`. */
const RUN_ID = /^[A-Za-z0-9][\w.-]{0,127}$/;
const STATUSES: readonly LadderRunStatus[] = ['planned', 'running', 'done', 'not-needed'];

export interface LadderManifestRun {
  id: string;
  /** The run's folder, relative to the manifest's folder (`ladder-01-1.2e17`). */
  folder: string;
  order: number;
  /** Its status when the file was written. */
  status: LadderRunStatus;
  /** N and D as the written config counts them (the planned values when it could not be read back). */
  params: number;
  tokens: number;
  /** The shape the config was written with (absent in records written before it was kept). */
  nLayer?: number;
  dModel?: number;
}

export interface LadderManifest {
  target: LadderManifestTarget;
  family: string;
  /** ISO time of writing: the newest of several records for one target wins. */
  writtenAt: string;
  runs: LadderManifestRun[];
}

/** The record as written: one run per line, so a diagnostic's line points at the run. */
export function ladderManifestText(m: LadderManifest): string {
  const head = { [MANIFEST_KEY]: MANIFEST_VERSION, target: m.target, family: m.family, writtenAt: m.writtenAt };
  const lines = [
    '{',
    ...Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`),
    '  "runs": [',
    ...m.runs.map((r, i) => `    ${JSON.stringify(r)}${i < m.runs.length - 1 ? ',' : ''}`),
    '  ]',
    '}',
    '',
  ];
  return lines.join('\n');
}

/** Whether two manifest targets name the same target. */
export function sameManifestTarget(a: LadderManifestTarget, b: LadderManifestTarget): boolean {
  return a.kind === 'model' && b.kind === 'model' ? a.label === b.label : a.kind === 'budget' && b.kind === 'budget' && a.budget.trim() === b.budget.trim();
}

/**
 * Reads a `PLAN.json` (`file` names it in the problems). Undefined manifest when the file is not
 * one (syntax error, no version key, no usable target); problems say why, with the line.
 */
export function parseLadderManifest(text: string, file: string): { manifest?: LadderManifest; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const problem = (node: Node | undefined, message: string) => problems.push({ file, line: node ? lineAt(text, node.offset) : 1, severity: 'error', message });
  const { root, errors } = parseJson(text, file);
  // A PLAN.json that is not ours (no record key anywhere) is someone else's file: nothing to say.
  if (!text.includes(MANIFEST_KEY)) return { problems: [] };
  if (errors.length) return { problems: errors.slice(0, 3) };
  if (!root || root.type !== 'object') {
    problem(root, 'not a ladder record: expected a JSON object');
    return { problems };
  }
  const top = new JsonObjectReader(root, text, file);
  const version = top.number(MANIFEST_KEY, { integer: true });
  if (version.ok !== true) {
    if (version.ok === false) problems.push(version.diagnostic);
    else problem(root, `not a ladder record: no "${MANIFEST_KEY}" key`);
    return { problems };
  }
  if (version.value !== MANIFEST_VERSION) {
    problem(version.node, `"${MANIFEST_KEY}" ${version.value} is a version this extension does not read (it writes ${MANIFEST_VERSION})`);
    return { problems };
  }
  const targetNode = top.node('target');
  let target: LadderManifestTarget | undefined;
  if (targetNode?.type === 'object') {
    const t = new JsonObjectReader(targetNode, text, file);
    const kind = t.string('kind');
    const label = t.string('label');
    const budget = t.string('budget');
    if (kind.ok === true && kind.value === 'model' && label.ok === true && label.value.length <= 4096) target = { kind: 'model', label: label.value };
    else if (kind.ok === true && kind.value === 'budget' && budget.ok === true && budget.value.length <= 200) target = { kind: 'budget', budget: budget.value };
  }
  if (!target) {
    problem(targetNode ?? root, '"target" must be {"kind": "model", "label": …} or {"kind": "budget", "budget": …}');
    return { problems };
  }
  const family = top.string('family');
  if (family.ok !== true || family.value.length === 0 || family.value.length > 4096) {
    if (family.ok === false) problems.push(family.diagnostic);
    else problem(root, '"family" must name the family the runs join');
    return { problems };
  }
  const writtenAt = top.string('writtenAt');
  if (writtenAt.ok === false) problems.push(writtenAt.diagnostic);
  const runsNode = top.node('runs');
  const runs: LadderManifestRun[] = [];
  if (runsNode?.type !== 'array') problem(runsNode ?? root, '"runs" must be a list of the ladder\'s runs');
  else {
    const items = runsNode.children ?? [];
    if (items.length > MAX_RUNS) problem(runsNode, `${items.length} runs: more than ${MAX_RUNS}, only the first ${MAX_RUNS} read`);
    const ids = new Set<string>();
    for (const item of items.slice(0, MAX_RUNS)) {
      const run = manifestRun(item, text, file, problem);
      if (!run) continue;
      if (ids.has(run.id)) {
        problem(item, `run "${run.id}" is listed twice: the second is left out`);
        continue;
      }
      ids.add(run.id);
      runs.push(run);
    }
  }
  return { manifest: { target, family: family.value, writtenAt: writtenAt.ok === true ? writtenAt.value : '', runs }, problems };
}

function manifestRun(item: Node, text: string, file: string, problem: (node: Node | undefined, message: string) => void): LadderManifestRun | undefined {
  if (item.type !== 'object') {
    problem(item, `a run must be an object (found ${item.type}): left out`);
    return undefined;
  }
  const r = new JsonObjectReader(item, text, file);
  const bad = (message: string) => {
    problem(item, `${message}: this run is left out`);
    return undefined;
  };
  const id = r.string('id');
  if (id.ok !== true || !RUN_ID.test(id.value)) return bad('"id" must be a run id (letters, digits, ".", "_", "-")');
  const folder = r.string('folder');
  const folderText = folder.ok === true ? folder.value.replace(/\\/g, '/') : id.value;
  // Only ever compared with run ids (workspace paths), never opened; still, a path from elsewhere is refused.
  // A folder, not this file's own ("" or "." would claim every run beside it); ".." reaches an earlier
  // ladder's folder, as a ladder written again after re-planning records its done runs.
  const segments = folderText.split('/');
  if (
    folder.ok === false ||
    folderText.length > 1024 ||
    folderText.startsWith('/') ||
    /^[A-Za-z]:/.test(folderText) ||
    segments.every((x) => x === '' || x === '.')
  )
    return bad('"folder" must be a relative path to a run\'s folder');
  const params = r.number('params', { exclusiveMin: 0 });
  if (params.ok !== true) return bad(params.ok === false ? params.diagnostic.message : '"params" is missing');
  const tokens = r.number('tokens', { exclusiveMin: 0 });
  if (tokens.ok !== true) return bad(tokens.ok === false ? tokens.diagnostic.message : '"tokens" is missing');
  const order = r.number('order', { integer: true, min: 1 });
  const status = r.string('status');
  // Optional (older records have none): a bad one is said, and the run is known by its N alone.
  const nLayer = r.number('nLayer', { integer: true, min: 1 });
  const dModel = r.number('dModel', { integer: true, min: 1 });
  const shapeBad = [nLayer, dModel].find((v) => v.ok === false);
  if (shapeBad?.ok === false) problem(item, `${shapeBad.diagnostic.message}: this run's shape is left out (it is known by its N)`);
  const shape = nLayer.ok === true && dModel.ok === true ? { nLayer: nLayer.value, dModel: dModel.value } : {};
  return {
    id: id.value,
    folder: folderText,
    order: order.ok === true ? order.value : 0,
    status: status.ok === true && (STATUSES as readonly string[]).includes(status.value) ? (status.value as LadderRunStatus) : 'planned',
    params: params.value,
    tokens: tokens.value,
    ...shape,
  };
}

/** A problem as one line (`file:line: message`), as the plan's notes and the notification show it. */
function problemText(d: Diagnostic): string {
  return formatDiagnostic(d).replace(': error: ', ': ');
}

/** `a/b` + `../c` → `a/c` (workspace-relative, `/`-separated; never read as a file path). */
function joinPath(dir: string, rel: string): string {
  const out: string[] = [];
  for (const part of `${dir}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/**
 * The request with an earlier session's plan for its target, when it has no plan of its own
 * (`previous`): the newest valid record among the workspace's `manifests` gives the runs (with
 * their folders, workspace-relative) and, unless the request names one, the family. Every problem
 * of every record is returned, as `file:line: message`. Runs in the worker, before planning.
 */
export function withLadderRecord(request: PlanLadderRequest): { request: PlanLadderRequest; problems: string[] } {
  const { manifests, ...rest } = request;
  const problems: string[] = [];
  if (rest.previous !== undefined || !manifests?.length) return { request: rest, problems };
  const t = rest.target;
  const key: LadderManifestTarget = t.kind === 'model' ? { kind: 'model', label: t.label ?? '' } : { kind: 'budget', budget: t.budget };
  let best: { manifest: LadderManifest; dir: string } | undefined;
  for (const f of manifests) {
    const { manifest, problems: found } = parseLadderManifest(f.text, f.file);
    for (const d of found) problems.push(problemText(d));
    if (!manifest || !sameManifestTarget(manifest.target, key)) continue;
    if (!best || manifest.writtenAt > best.manifest.writtenAt) best = { manifest, dir: f.dir };
  }
  if (!best) return { request: rest, problems };
  const { manifest, dir } = best;
  return {
    request: {
      ...rest,
      family: rest.family ?? manifest.family,
      previous: manifest.runs.map((r) => ({
        id: r.id,
        params: r.params,
        tokens: r.tokens,
        folder: joinPath(dir, r.folder),
        ...(r.nLayer !== undefined && r.dModel !== undefined ? { nLayer: r.nLayer, dModel: r.dModel } : {}),
      })),
    },
    problems,
  };
}
