// The CLI's small `estimate`/`ladder` bundles estimate a config with no runs without the engine or
// any fit (src/cliEmptyEstimator.ts: planEstimate + withNoRuns, one kind's reader). Their answer must
// be the engine's with no runs, field for field, on every kind of config and every way a loss goes
// uncalibrated; and a kind with no reader given is the caller's to answer (the whole CLI's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { emptyEstimator } from '../../src/cliEmptyEstimator';
import { CONFIG_READERS, readConfig } from '../../src/core/configs/index';
import { readConfigWith } from '../../src/core/configs/readWith';
import { readYamlFile } from '../../src/core/configs/readYaml';
import { readJsonConfig } from '../../src/core/configs/readJson';
import { readPythonConfig } from '../../src/core/configs/readPython';
import { planEstimate, withNoRuns } from '../../src/core/engine/planEstimate';
import { hardwareTable } from '../../src/core/plan/hardware';

const repo = path.resolve(__dirname, '../..');

const CONFIGS: Record<string, string> = {
  // A family named: "no finished runs of family …".
  'plan.yaml':
    'family: my-sweep\nmodel:\n  layers: 8\n  d_model: 512\n  heads: 8\n  vocab: 32000\ntraining:\n  steps: 6000\n  batch_size: 128\n  seq_len: 1024\n  lr: 6e-4\n',
  // No family: "no finished runs to calibrate a law"; μP: no LR advice.
  'mup.yaml': 'mup: true\nmodel:\n  layers: 8\n  d_model: 512\n  heads: 8\n  vocab: 32000\ntraining:\n  steps: 6000\n  batch_size: 128\n  seq_len: 1024\n',
  // Tokens unknown.
  'notokens.yaml': 'model:\n  layers: 8\n  d_model: 512\n  heads: 8\n  vocab: 32000\n',
  // Repeated data (the effective tokens; their note only with a loss) and nanoGPT's defaults.
  'train_gpt2.py':
    'batch_size = 12\nblock_size = 1024\ngradient_accumulation_steps = 5 * 8\nmax_iters = 600000\nlr_decay_iters = 600000\nweight_decay = 1e-1\n',
  'config.json':
    '{"hidden_size": 1024, "num_hidden_layers": 12, "num_attention_heads": 16, "vocab_size": 32000, "model_type": "llama", "intermediate_size": 2816}\n',
  // Not applicable, and an error.
  'notmodel.json': '{"foo": 1}\n',
  'broken.yaml': 'model:\n  layers: [8\n  d_model: 512\n',
  'readme.md': 'hello\n',
  'titan.toml': '[model]\nname = "llama3"\nflavor = "8B"\n\n[optimizer]\nlr = 3e-4\n\n[training]\nlocal_batch_size = 2\nseq_len = 4096\nsteps = 500\n',
};

test('with no runs, the plan estimate is the engine estimate, on every kind of config', () => {
  const hardware = { mfu: 0.5 };
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, hardware });
  const alone = emptyEstimator(CONFIG_READERS)(hardware);
  const planned = path.join(repo, 'examples', 'configs', 'planned-400m', 'config.json');
  const files: [string, string][] = Object.entries(CONFIGS).map(([name, text]) => [path.join('/configs', name), text]);
  files.push([planned, fs.readFileSync(planned, 'utf8')]);
  const readSibling = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
  const uncalibrated = new Set<string | undefined>();
  for (const [file, text] of files) {
    const want = engine.estimateConfig(file, text, readSibling);
    assert.deepEqual(alone.estimateConfig(file, text, readSibling), want, file);
    uncalibrated.add(want.predictions.uncalibrated);
  }
  // Each way a loss goes uncalibrated with no runs was compared.
  for (const reason of ['training tokens unknown', 'no finished runs of family "my-sweep" in the workspace', 'no finished runs to calibrate a law'])
    assert.ok(uncalibrated.has(reason), reason);
});

test("one kind's reader alone reads its kind as every reader does, and hands any other kind to the caller", () => {
  const readers = { '.yaml': { yaml: readYamlFile }, '.json': { json: readJsonConfig }, '.py': { python: readPythonConfig } };
  const kindOf: Record<string, string> = { '.yaml': 'yaml', '.json': 'json', '.py': 'python', '.toml': 'toml' };
  for (const [name, text] of Object.entries(CONFIGS)) {
    const input = { file: path.join('/configs', name), text };
    const ext = path.extname(name);
    for (const [readerExt, reader] of Object.entries(readers)) {
      const asked: string[] = [];
      const result = readConfigWith(reader, input, (kind) => {
        asked.push(kind);
        return { kind: 'not-applicable', reason: 'asked the caller', diagnostics: [] };
      });
      // Its own kind, or a file of no known kind (not applicable whoever reads it): as readConfig.
      if (readerExt === ext || kindOf[ext] === undefined) {
        assert.deepEqual(result, readConfig(input), `${name} read with the ${readerExt} reader`);
        assert.deepEqual(asked, []);
      } else assert.deepEqual(asked, [kindOf[ext]], `${name} with the ${readerExt} reader alone`);
    }
  }
});

test('a plan estimate with no runs: uncalibrated, no sweep, the published advice only', () => {
  const read = readConfig({ file: '/configs/plan.yaml', text: CONFIGS['plan.yaml'] });
  const estimate = withNoRuns(planEstimate(read, '/configs/plan.yaml', hardwareTable()));
  assert.equal(estimate.predictions.uncalibrated, 'no finished runs of family "my-sweep" in the workspace');
  assert.deepEqual(
    estimate.predictions.lr?.map((s) => s.lawId),
    ['steplaw-lr', 'deepseek-lr'],
  );
  assert.equal(estimate.predictions.hparamPenaltyPct, undefined);
});
