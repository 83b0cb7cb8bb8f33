// The ladder's planned runs as configs: each run as the spec the config writer takes
// (core/configs/variants.ts), the files of the whole ladder, and the `.scalinglens.yaml` entry that
// puts their logs in the family. Apart from ladderRequest.ts so that the webview's typecheck, which
// reaches that one through the protocol, never reaches the config readers (Node modules).
import type { LadderPlan, LadderRun, ShapeParams } from './ladder';
import { shapeParamsOf, TORCHTITAN_FLAVOR_MODULE, torchtitanFlavorModule, writeVariant, type VariantSpec } from '../configs/variants';
import { trainingArgsPathOf } from './ladderPlacement';
import type { ReadConfigInput } from '../configs/index';
import { LADDER_MANIFEST_NAME, type LadderFiles, type LadderWrite, type LadderWriteInput } from './ladderWriteTypes';

export type { LadderFiles, LadderWrite, LadderWriteInput } from './ladderWriteTypes';
import { formatCount } from '../../shared/format';
import { ladderManifestText, type LadderManifestRun } from './ladderManifest';

/** A planned run as the config writer takes it (core/configs/variants.ts). */
export function variantSpecOf(run: LadderRun, family: string | undefined): VariantSpec {
  return {
    name: run.id,
    nLayer: run.shape.nLayer,
    dModel: run.shape.dModel,
    tokens: run.tokens,
    batchTokens: run.batchTokens.value,
    peakLr: run.lr.value,
    ...(family ? { family } : {}),
    header: `Ladder run ${run.order} (${run.id}), planned by Scaling Lens: ${formatCount(run.params)} parameters, ${formatCount(run.tokens)} tokens. ${run.reason}`,
  };
}

/**
 * Without a config, the ladder is written in the generic YAML shape (yamlConfigs.ts readGeneric),
 * the variant writer's template: every value the runs change is stated.
 */
export const GENERIC_TEMPLATE = `model:
  layers: 12
  d_model: 768
  heads: 6
  vocab: 50304
  tied: true
training:
  steps: 10000
  batch_size: 256
  seq_len: 2048
  lr: 6.0e-4
  schedule: cosine
`;

/** `text` as one POSIX shell word: single-quoted unless plain, each `'` written as `'\''` (no escape works inside single quotes). */
function shellQuoted(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The ladder's planned runs as configs in the target's format, one folder per run (`<run id>/`,
 * where its logs go too), plus the plan itself as `PLAN.md`. Runs already done, training or no
 * longer needed are not written.
 */
export function ladderFiles(
  target: ReadConfigInput,
  plan: LadderPlan,
  family: string | undefined,
  markdown: string,
  record?: LadderWriteInput['record'],
  folder?: string,
): LadderFiles {
  const out: LadderFiles = { files: [], runs: [], errors: [], familyNeedsWorkspaceFile: false, instructions: [] };
  const flavors: { name: string; registration: string }[] = [];
  for (const run of plan.runs) {
    if (run.status !== 'planned') continue;
    const v = writeVariant(target, variantSpecOf(run, family));
    if ('error' in v) {
      out.errors.push(v.error);
      continue;
    }
    for (const f of v.files) out.files.push({ relPath: `${run.id}/${f.name}`, text: f.text });
    out.runs.push({
      id: run.id,
      folder: run.id,
      params: v.readBack?.params,
      tokens: v.readBack?.tokens,
      nLayer: v.readBack?.nLayer ?? run.shape.nLayer,
      dModel: v.readBack?.dModel ?? run.shape.dModel,
      notes: v.notes,
    });
    if (v.flavor) flavors.push(v.flavor);
    if (family !== undefined && !v.familyInFile) out.familyNeedsWorkspaceFile = true;
  }
  if (flavors.length) {
    // One module registers every new flavor of the ladder; each of their TOMLs imports it.
    const file = `${TORCHTITAN_FLAVOR_MODULE}.py`;
    out.files.push({
      relPath: file,
      text: torchtitanFlavorModule(
        `torchtitan flavors of the Scaling Lens ladder for ${plan.target.label}`,
        flavors.map((f) => f.registration),
      ),
    });
    // Quoted for a POSIX shell, so a folder with spaces (or quotes) can be pasted as is.
    const launch = folder !== undefined ? `\`PYTHONPATH=${shellQuoted(folder)}\`` : "the ladder's folder on PYTHONPATH";
    out.instructions.push(
      `torchtitan has no stock flavor for ${flavors.length} run(s) (${flavors.map((f) => f.name).join(', ')}): ${file} registers them and their TOMLs import it ([experimental] custom_import = "${TORCHTITAN_FLAVOR_MODULE}"). Launch those runs with ${launch} (torchtitan versions with TOML configs, before February 2026).`,
    );
  }
  out.files.push({
    relPath: 'PLAN.md',
    text: out.instructions.length ? `${markdown.trimEnd()}\n\n## Before training\n\n${out.instructions.map((i) => `- ${i}`).join('\n')}\n` : markdown,
  });
  if (record && family !== undefined) {
    // The link between the plan and its runs, for later sessions: the runs written now, and the earlier ones still in the plan.
    const written = new Map(out.runs.map((r) => [r.id, r]));
    const earlier = new Map((record.earlier ?? []).map((r) => [r.id, r]));
    const runs: LadderManifestRun[] = [];
    for (const run of plan.runs) {
      const now = written.get(run.id);
      const before = earlier.get(run.id);
      // The shape too: a later session shows the run as written (ladder.ts LadderPreviousRun.written).
      if (now)
        runs.push({
          id: run.id,
          folder: now.folder,
          order: run.order,
          status: run.status,
          params: now.params ?? run.params,
          tokens: now.tokens ?? run.tokens,
          nLayer: now.nLayer,
          dModel: now.dModel,
        });
      else if (before && run.status !== 'planned')
        runs.push({
          id: run.id,
          folder: before.folder,
          order: run.order,
          status: run.status,
          params: before.params,
          tokens: before.tokens,
          ...(before.nLayer !== undefined && before.dModel !== undefined ? { nLayer: before.nLayer, dModel: before.dModel } : {}),
        });
    }
    out.files.push({ relPath: LADDER_MANIFEST_NAME, text: ladderManifestText({ target: record.target, family, writtenAt: record.writtenAt, runs }) });
  }
  return out;
}

/**
 * N of a shape as the target config written with it reads back (its `training_args.json` beside it),
 * for the planner (ladder.ts LadderContext.shapeParams); undefined for a budget target, whose runs are
 * written in the generic YAML the planner's default counts.
 */
export function shapeParamsOfConfig(config: { file: string; text: string; trainingArgs?: string } | undefined): ShapeParams | undefined {
  if (!config) return undefined;
  const argsFile = trainingArgsPathOf(config.file);
  return shapeParamsOf({ file: config.file, text: config.text, readSibling: (p) => (p === argsFile ? config.trainingArgs : undefined) });
}

/** The YAML parser, loaded on first use (as workspaceFile.ts does). */
declare const require: (id: string) => unknown;

/**
 * `.scalinglens.yaml` with `families.<family>.runs` including `glob` (comments and other entries
 * kept); undefined when it already does. Throws on a file that is not a YAML mapping.
 */
export function workspaceFileWithFamily(existing: string | undefined, family: string, glob: string): string | undefined {
  const yaml = require('yaml') as typeof import('yaml');
  const doc = yaml.parseDocument(existing ?? '');
  if (doc.errors.length) throw new Error(doc.errors[0].message);
  if (doc.contents !== null && !yaml.isMap(doc.contents)) throw new Error('it is not a mapping');
  const runs = doc.getIn(['families', family, 'runs']);
  const list = yaml.isSeq(runs) ? runs.items.map((i) => String(yaml.isScalar(i) ? i.value : i)) : [];
  if (list.includes(glob)) return undefined;
  if (yaml.isSeq(runs)) runs.add(glob);
  else doc.setIn(['families', family, 'runs'], doc.createNode([glob], { flow: true }));
  return doc.toString();
}

/** The ladder's files and, when needed, the workspace file naming their family: all of "Write Configs" that parses. */
export function ladderWrite(input: LadderWriteInput): LadderWrite {
  const target: ReadConfigInput =
    'genericFile' in input.target
      ? { file: input.target.genericFile, text: GENERIC_TEMPLATE }
      : { file: input.target.file, text: input.target.text, readSibling: (p) => (input.target as { siblings?: Record<string, string> }).siblings?.[p] };
  const out: LadderWrite = ladderFiles(target, input.plan, input.family, input.markdown, input.record, input.folder);
  if (!out.familyNeedsWorkspaceFile) return out;
  try {
    const text = workspaceFileWithFamily(input.workspaceFile.existing, input.family, input.workspaceFile.glob);
    if (text !== undefined) out.workspaceFileText = text;
  } catch (error) {
    out.workspaceFileError = error instanceof Error ? error.message : String(error);
  }
  return out;
}
