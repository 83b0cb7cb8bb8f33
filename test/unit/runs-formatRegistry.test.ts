// The registry of log formats is the one list of formats: package.json's default log globs and
// activation events, and the host's DEFAULT_LOG_GLOBS, must say the same.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { LOG_FORMATS, detectLogFormat } from '../../src/core/runs/formats/registry';
import { DEFAULT_LOG_GLOBS } from '../../src/shared/logFiles';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } | { properties: Record<string, { default?: unknown }> }[] };
};

function settingDefault(key: string): unknown {
  const conf = pkg.contributes.configuration;
  for (const c of Array.isArray(conf) ? conf : [conf]) if (key in c.properties) return c.properties[key].default;
  return undefined;
}

test('format ids are unique', () => {
  const ids = LOG_FORMATS.map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length);
});

test("the default log globs are exactly the registered formats' globs", () => {
  const fromRegistry = LOG_FORMATS.flatMap((f) => f.globs);
  assert.deepEqual([...fromRegistry].sort(), [...DEFAULT_LOG_GLOBS].sort());
  assert.equal(new Set(fromRegistry).size, fromRegistry.length, 'a glob claimed by two formats');
  assert.deepEqual(settingDefault('scalingLens.logGlobs'), DEFAULT_LOG_GLOBS);
});

test("package.json activates on every format's activation globs, and on no other log glob", () => {
  const events = new Set(pkg.activationEvents);
  for (const f of LOG_FORMATS) for (const g of f.activation) assert.ok(events.has(`workspaceContains:${g}`), `${f.id}: ${g}`);
  const logActivations = LOG_FORMATS.flatMap((f) => f.activation.map((g) => `workspaceContains:${g}`));
  // Configs and the workspace file activate too; they are not log formats.
  const others = pkg.activationEvents.filter((e) => e.startsWith('workspaceContains:') && !logActivations.includes(e));
  assert.deepEqual(others.sort(), ['workspaceContains:**/config.json', 'workspaceContains:.scalinglens.yaml']);
});

test("each format's globs name files that format detects", () => {
  const samples: Record<string, string[]> = {
    'hf-trainer-state': ['/w/out/checkpoint-5/trainer_state.json'],
    tfevents: ['/w/tb/events.out.tfevents.1.host'],
    mlflow: ['/w/mlruns/0/abc/meta.yaml', '/w/mlruns/0/abc/metrics/loss'],
    wandb: ['/w/wandb/run-20240101_000000-abc/run-abc.wandb', '/w/wandb/run-20240101_000000-abc/files/wandb-summary.json'],
    'megatron-golden': ['/w/case/golden_values_dev.json'],
    dvclive: ['/w/dvclive/metrics.json', '/w/dvclive/plots/metrics/train/loss.tsv'],
    jsonl: ['/w/m.jsonl'],
    csv: ['/w/metrics.csv', '/w/metrics_train.tsv'],
    text: ['/w/train.log', '/w/slurm-12.out'],
  };
  for (const f of LOG_FORMATS) {
    assert.ok(samples[f.id] !== undefined, `no sample for ${f.id}`);
    for (const p of samples[f.id]) assert.equal(detectLogFormat(p), f.id, p);
  }
});
