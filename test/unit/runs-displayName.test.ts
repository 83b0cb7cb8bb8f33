import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { displayNames, isGenericSegment, nameWithPath, runNamer, shortFamilyName, MAX_NAME_LENGTH } from '../../src/shared/displayName';

const names = (ids: (string | { id: string; loggedName?: string })[]) => displayNames(ids.map((r) => (typeof r === 'string' ? { id: r } : r)));

test('a run folder of its own is named by its folder', () => {
  const n = names(['sweep/llama-12m', 'sweep/llama-187m', 'sweep/llama-23m']);
  assert.deepEqual([...n.values()], ['llama-12m', 'llama-187m', 'llama-23m']);
});

test('Lightning versions are named by the experiment above lightning_logs, and the version only when needed', () => {
  const alone = names(['proj-a/lightning_logs/version_0', 'proj-b/lightning_logs/version_0']);
  assert.equal(alone.get('proj-a/lightning_logs/version_0'), 'proj-a');
  assert.equal(alone.get('proj-b/lightning_logs/version_0'), 'proj-b');
  const sweep = names(['x/lr-sweep/lightning_logs/version_0', 'x/lr-sweep/lightning_logs/version_12']);
  assert.deepEqual([...sweep.values()], ['lr-sweep/version_0', 'lr-sweep/version_12']);
});

test('W&B and MLflow runs take the name their logger recorded; without one, the project and a short id', () => {
  const n = names([
    { id: 'proj/wandb/run-20240101_120000-abc123xy', loggedName: 'sweet-sun-3' },
    'proj2/wandb/offline-run-20240102_130000-zz99yy88',
    'proj3/mlruns/6/a3112407148b4966b929bc9f8784a3d3',
    'proj3/mlruns/6/f7d034672fce496d891b6f054749ea99',
  ]);
  assert.equal(n.get('proj/wandb/run-20240101_120000-abc123xy'), 'sweet-sun-3');
  assert.equal(n.get('proj2/wandb/offline-run-20240102_130000-zz99yy88'), 'proj2');
  assert.equal(n.get('proj3/mlruns/6/a3112407148b4966b929bc9f8784a3d3'), 'proj3/a3112407');
  assert.equal(n.get('proj3/mlruns/6/f7d034672fce496d891b6f054749ea99'), 'proj3/f7d03467');
});

test('two logged names alike get their run ids; same-named folders under different parents get the parent', () => {
  const n = names([
    { id: 'a/wandb/run-20240101_120000-aaaa1111', loggedName: 'baseline' },
    { id: 'a/wandb/run-20240101_130000-bbbb2222', loggedName: 'baseline' },
    'tb/strict/run_1',
    'tb/duplicate_steps/run_1',
  ]);
  assert.equal(n.get('a/wandb/run-20240101_120000-aaaa1111'), 'baseline (aaaa1111)');
  assert.equal(n.get('a/wandb/run-20240101_130000-bbbb2222'), 'baseline (bbbb2222)');
  assert.equal(n.get('tb/strict/run_1'), 'strict/run_1');
  assert.equal(n.get('tb/duplicate_steps/run_1'), 'duplicate_steps/run_1');
});

test('names are unique and short for a folder of real logs from several projects', () => {
  const ids = [
    'hf-trainer/cpt-large-summarization',
    ...Array.from({ length: 40 }, (_, i) => `lightning-csv/lr-sweep/lightning_logs/version_${i}`),
    'megatron-lm/gpt3_mcore_te_tp1_pp1_dist_optimizer_fim_dataset/golden_values_dev_dgx_h100.json',
    'tensorboard/pytorch-simple-value/duplicate_steps/run_1',
    'tensorboard/pytorch-simple-value/strict/run_1',
    'tensorboard/pytorch-simple-value/strict/run_2',
    'tensorboard/tf2-tensor-scalars',
    'wandb/real-offline-run-2021/run-g9dvvkua',
    'HF/runs/Dec01_12-00-00_host',
    'train.log',
  ];
  const n = names(ids);
  assert.equal(new Set(n.values()).size, ids.length);
  for (const name of n.values()) assert.ok(name.length <= MAX_NAME_LENGTH, name);
  assert.equal(n.get('megatron-lm/gpt3_mcore_te_tp1_pp1_dist_optimizer_fim_dataset/golden_values_dev_dgx_h100.json')!.length, MAX_NAME_LENGTH);
  assert.match(n.get('megatron-lm/gpt3_mcore_te_tp1_pp1_dist_optimizer_fim_dataset/golden_values_dev_dgx_h100.json')!, /^gpt3_mcore.*…/);
  assert.equal(n.get('wandb/real-offline-run-2021/run-g9dvvkua'), 'real-offline-run-2021');
  assert.equal(n.get('HF/runs/Dec01_12-00-00_host'), 'HF');
  assert.equal(n.get('train.log'), 'train');
  assert.equal(n.get('lightning-csv/lr-sweep/lightning_logs/version_7'), 'lr-sweep/version_7');
});

test('generic folders are those loggers make themselves', () => {
  for (const s of [
    'lightning_logs',
    'version_3',
    'runs',
    'wandb',
    'run-20240101_120000-abc123',
    'offline-run-20240101_120000-abc123',
    'mlruns',
    '0',
    'Dec01_12-00-00_host',
  ])
    assert.ok(isGenericSegment(s), s);
  for (const s of ['llama-12m', 'lr-sweep', 'run_1', 'offline-run-new_explicit_steps', 'baseline']) assert.ok(!isGenericSegment(s), s);
});

test('family labels keep the innermost meaningful folder and what tells siblings apart', () => {
  assert.equal(shortFamilyName('lightning-csv/lr-sweep/lightning_logs (use_experimental=true)'), 'lr-sweep (use_experimental=true)');
  assert.equal(shortFamilyName('mlflow/mlruns/6 (param1=12)'), 'mlflow (param1=12)');
  assert.equal(shortFamilyName('llama'), 'llama');
  assert.equal(shortFamilyName('(workspace)'), '(workspace)');
});

test('one lookup names runs by id everywhere; the CLI adds the path only where the name does not say it', () => {
  const runs = [
    { id: 'sweep/llama-95m', name: 'llama-95m' },
    { id: 'proj-a/lightning_logs/version_0', name: 'proj-a' },
    { id: 'logs/train.log', name: 'train' },
  ];
  const name = runNamer(runs);
  assert.deepEqual(
    runs.map((r) => name(r.id)),
    ['llama-95m', 'proj-a', 'train'],
  );
  assert.equal(name('gone'), 'gone');
  assert.deepEqual(runs.map(nameWithPath), ['llama-95m', 'proj-a (proj-a/lightning_logs/version_0)', 'train']);
});
