// Families guessed from the hyperparameters the loggers stored, when nobody named them: which keys
// define a family, how runs are grouped and named, and how the engine applies (and the workspace
// file overrides) the guess. Fixtures are written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { tempDir } from './helpers/tempDir';
import { familyKeys, guessFamilies, variesWithinFamily, type FamilyCandidate } from '../../src/core/runs/families';
import { RunIndex } from '../../src/core/runs/index';
import { ScalingWorkspace } from '../../src/core/workspace';
import { WORKSPACE_FILE_NAME } from '../../src/core/runs/workspaceFile';

function write(root: string, rel: string, text: string): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

function candidate(id: string, params: Record<string, unknown>): FamilyCandidate {
  return { id, params: new Map(Object.entries(params)) };
}

test('size, length, batch, tuned knobs, seeds and bookkeeping vary within a family; data, tokenizer and recipe keys define it', () => {
  const varying = [
    'n_layer',
    'd_model',
    'hidden_size',
    'model/n_embd',
    'num_attention_heads',
    '--num-layers',
    'ff_hidden',
    'flavor',
    'lr',
    'learning_rate',
    'optimizer/init_args/lr',
    'min_lr',
    'warmup_steps',
    'lr_warmup_fraction',
    'weight_decay',
    'dropout',
    'attn_pdrop',
    'batch_size',
    'per_device_train_batch_size',
    'global_train_batch_size',
    'gradient_accumulation_steps',
    'max_steps',
    'max_iters',
    'num_train_epochs',
    'max_duration',
    '--train-iters',
    'seed',
    'data_seed',
    'name',
    'run_name',
    'output_dir',
    'logging_dir',
    'out_dir',
    'eval_interval',
    'log_every_n_steps',
    'save_steps',
    'wandb_project',
    'transformers_version',
    'world_size',
    'tensor_model_parallel_size',
    'num_workers',
    '_wandb/cli_version',
    '_name_or_path',
    'hub_token',
    'dataloader_num_workers',
    'logging_first_step',
  ];
  for (const k of varying) assert.equal(variesWithinFamily(k), true, k);
  const defining = [
    'dataset',
    'dataset_name',
    'data_path',
    'train_data_path',
    'train_file',
    'tokenizer',
    'tokenizer_name',
    'tokenizer/path',
    'vocab_size',
    'lr_scheduler_type',
    'lr_decay_style',
    'scheduler/name',
    'model/name',
    'optim',
    'model_type',
    'max_seq_len',
    'block_size',
    'use_experimental',
    'bias',
  ];
  for (const k of defining) assert.equal(variesWithinFamily(k), false, k);
  // Values compare by meaning: MLflow's text "12" equals YAML's 12, "True" equals true.
  assert.deepEqual(
    familyKeys(
      new Map<string, unknown>([
        ['vocab_size', '50258'],
        ['tied', 'True'],
        ['lr', 1e-3],
      ]),
    ),
    [
      ['tied', 'true'],
      ['vocab_size', '50258'],
    ],
  );
  assert.deepEqual(
    familyKeys(
      new Map<string, unknown>([
        ['vocab_size', 50258],
        ['tied', true],
      ]),
    ),
    [
      ['tied', 'true'],
      ['vocab_size', '50258'],
    ],
  );
});

test('runs sharing data, tokenizer and recipe are one guessed family; a different dataset is another, named apart', () => {
  const runs = [
    candidate('sweep/s-lr1e-3', { dataset: 'fineweb', vocab_size: 32000, n_layer: 4, d_model: 256, lr: 1e-3, seed: 1 }),
    candidate('sweep/m-lr1e-3', { dataset: 'fineweb', vocab_size: 32000, n_layer: 8, d_model: 512, lr: 1e-3, seed: 1 }),
    candidate('sweep/l-lr3e-4', { dataset: 'fineweb', vocab_size: 32000, n_layer: 12, d_model: 768, lr: 3e-4, seed: 2 }),
    candidate('sweep/s-code', { dataset: 'the-stack', vocab_size: 32000, n_layer: 4, d_model: 256, lr: 1e-3, seed: 1 }),
    candidate('other/notes', {}),
    { id: 'other/nothing' },
    candidate('other/only-sizes', { n_layer: 2, lr: 0.1, output_dir: '/x' }),
  ];
  const guesses = guessFamilies(runs);
  const web = guesses.get('sweep/s-lr1e-3')!;
  assert.equal(web.family, 'sweep (dataset=fineweb)');
  assert.deepEqual(web.runIds, ['sweep/l-lr3e-4', 'sweep/m-lr1e-3', 'sweep/s-lr1e-3']);
  assert.equal(guesses.get('sweep/l-lr3e-4'), web);
  assert.deepEqual(web.varied, ['d_model', 'lr', 'n_layer', 'seed']);
  assert.match(web.reason, /3 runs share dataset=fineweb, vocab_size=32000; they differ in d_model, lr, n_layer, seed/);
  const code = guesses.get('sweep/s-code')!;
  assert.equal(code.family, 'sweep (dataset=the-stack)');
  assert.match(code.reason, /no other run has the same dataset=the-stack/);
  // Nothing to compare: no guess (the engine falls back to the folder).
  for (const id of ['other/notes', 'other/nothing', 'other/only-sizes']) assert.equal(guesses.get(id), undefined, id);
});

test('one recipe in several folders is one family named after the folder they share', () => {
  const recipe = { tokenizer: 'gpt2', lr_scheduler_type: 'cosine', max_seq_len: 1024 };
  const guesses = guessFamilies([
    candidate('exp/a/version_0', { ...recipe, n_layer: 4 }),
    candidate('exp/b/version_0', { ...recipe, n_layer: 8, max_seq_len: '1024' }),
    candidate('elsewhere/run', { ...recipe, n_layer: 2 }),
  ]);
  assert.deepEqual(new Set([...guesses.values()].map((g) => g.family)), new Set(['(workspace)']));
  const two = guessFamilies([candidate('exp/a/version_0', { ...recipe, n_layer: 4 }), candidate('exp/b/version_0', { ...recipe, n_layer: 8 })]);
  assert.equal(two.get('exp/a/version_0')!.family, 'exp');
});

test('guesses do not depend on the order runs are listed in; every run with defining keys gets exactly one', () => {
  const arb = fc.array(
    fc.record({
      dir: fc.constantFrom('a', 'a/b', 'c'),
      data: fc.constantFrom('web', 'code', undefined),
      vocab: fc.constantFrom(32000, '32000', 50257),
      layers: fc.integer({ min: 1, max: 48 }),
      lr: fc.double({ min: 1e-5, max: 1e-2, noNaN: true }),
    }),
    { minLength: 1, maxLength: 12 },
  );
  fc.assert(
    fc.property(arb, (rows) => {
      const runs = rows.map((r, i) =>
        candidate(`${r.dir}/run${i}`, { ...(r.data !== undefined ? { dataset: r.data } : {}), vocab_size: r.vocab, n_layer: r.layers, lr: r.lr }),
      );
      const forward = guessFamilies(runs);
      const backward = guessFamilies([...runs].reverse());
      for (const run of runs) {
        assert.equal(forward.get(run.id)?.family, backward.get(run.id)?.family);
        const g = forward.get(run.id)!;
        assert.ok(g.runIds.includes(run.id));
      }
      // Same family ⇔ same dataset and vocabulary (sizes and LRs never split one).
      const key = (i: number) => `${rows[i].data}|${Number(rows[i].vocab)}`;
      for (let i = 0; i < runs.length; i++) {
        for (let j = 0; j < runs.length; j++) assert.equal(forward.get(runs[i].id)!.family === forward.get(runs[j].id)!.family, key(i) === key(j));
      }
    }),
    { numRuns: 200 },
  );
});

/** A Lightning CSVLogger version folder: metrics.csv and hparams.yaml. */
function lightningRun(root: string, version: number, hparams: Record<string, string | number | boolean>): string[] {
  const dir = `logs/lightning_logs/version_${version}`;
  const rows = ['step,train_loss_step'];
  for (let s = 10; s <= 200; s += 10) rows.push(`${s},${(4 + version / 10 - Math.log(s) / 3).toFixed(4)}`);
  return [
    write(root, `${dir}/metrics.csv`, rows.join('\n') + '\n'),
    write(
      root,
      `${dir}/hparams.yaml`,
      Object.entries(hparams)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n') + '\n',
    ),
  ];
}

test('the engine: Lightning runs grouped by their hparams.yaml, shown as guesses with the reason; the workspace file wins', () => {
  const root = tempDir('sl-families-');
  const files: string[] = [];
  for (let v = 0; v < 4; v++)
    files.push(
      ...lightningRun(root, v, { d_model: 256 + 64 * v, num_layers: 4, lr: 1e-3 * (v + 1), vocab_size: 50258, use_experimental: v < 2, dropout: 0.1 * v }),
    );
  // A run that logged no hyperparameters: its folder is all there is to go on.
  files.push(write(root, 'logs/plain/metrics.jsonl', `${JSON.stringify({ step: 1, loss: 3 })}\n`));
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of files) if (!f.endsWith('hparams.yaml')) engine.update(f, root);
  const snap = engine.snapshot();
  const view = (id: string) => snap.runs.find((r) => r.id === id)!;
  const on = 'logs/lightning_logs (use_experimental=true)';
  const off = 'logs/lightning_logs (use_experimental=false)';
  assert.deepEqual(
    [0, 1, 2, 3].map((v) => view(`logs/lightning_logs/version_${v}`).family),
    [on, on, off, off],
  );
  for (let v = 0; v < 4; v++) {
    const r = view(`logs/lightning_logs/version_${v}`);
    assert.equal(r.familySource, 'guessed');
    assert.match(
      r.familyReason ?? '',
      /^family guessed from hyperparameters: 2 runs share vocab_size=50258, use_experimental=(true|false); they differ in d_model, dropout, lr$/,
    );
    assert.ok(r.hyper.notes.includes(r.familyReason!), "the reason is among the run's notes");
  }
  assert.equal(view('logs/plain').family, 'logs');
  assert.match(view('logs/plain').familyReason ?? '', /folder/);
  const families = new Map(snap.families.map((f) => [f.family, f]));
  assert.deepEqual(families.get(on)?.runIds.length ?? 0, 0, 'no finished runs with N and D yet');
  assert.equal(families.get(on)?.guessed, true);
  assert.equal(families.get(off)?.source, 'guessed');

  // The workspace file names a family for two runs: that is authoritative, the rest stay guesses.
  const wsFile = write(root, WORKSPACE_FILE_NAME, 'families:\n  mine:\n    runs: ["logs/lightning_logs/version_0", "logs/lightning_logs/version_2"]\n');
  engine.update(wsFile, root);
  const named = engine.snapshot();
  const after = (id: string) => named.runs.find((r) => r.id === id)!;
  assert.equal(after('logs/lightning_logs/version_0').family, 'mine');
  assert.equal(after('logs/lightning_logs/version_0').familySource, 'workspace-file');
  assert.equal(after('logs/lightning_logs/version_0').familyReason, undefined);
  assert.equal(after('logs/lightning_logs/version_2').family, 'mine');
  // The two left unnamed differ in use_experimental, so they are still two guessed families.
  assert.equal(after('logs/lightning_logs/version_1').family, on);
  assert.equal(after('logs/lightning_logs/version_3').family, off);
  assert.match(after('logs/lightning_logs/version_1').familyReason ?? '', /no other run has the same vocab_size=50258, use_experimental=true/);
  assert.equal(named.families.find((f) => f.family === 'mine')?.guessed, false);
});

test("an HF run's config.json and training_args.json are its logged hyperparameters (first file wins a key); MLflow params too", () => {
  const root = tempDir('sl-families-hf-');
  const state = JSON.stringify({ global_step: 10, max_steps: 10, log_history: [{ step: 10, loss: 2 }] });
  const idx = new RunIndex();
  idx.update(write(root, 'out/trainer_state.json', state), root);
  write(root, 'out/config.json', JSON.stringify({ model_type: 'llama', vocab_size: 32000, hidden_size: 512, rope_scaling: { type: 'linear' } }));
  write(root, 'out/training_args.json', JSON.stringify({ lr_scheduler_type: 'cosine', learning_rate: 3e-4, vocab_size: 1 }));
  idx.update(path.join(root, 'out/config.json'), root);
  idx.update(path.join(root, 'out/training_args.json'), root);
  const params = idx.loggedParams('out');
  assert.equal(params?.get('model_type'), 'llama');
  assert.equal(params?.get('vocab_size'), 32000);
  assert.equal(params?.get('rope_scaling/type'), 'linear');
  assert.equal(params?.get('lr_scheduler_type'), 'cosine');
  // A changed sidecar is read again.
  write(root, 'out/training_args.json', JSON.stringify({ lr_scheduler_type: 'wsd' }));
  idx.update(path.join(root, 'out/training_args.json'), root);
  assert.equal(idx.loggedParams('out')?.get('lr_scheduler_type'), 'wsd');

  const run = 'mlruns/1/0123456789abcdef';
  write(root, `${run}/meta.yaml`, 'lifecycle_stage: active\nstatus: 3\n');
  write(root, `${run}/params/tokenizer`, 'gpt2');
  write(root, `${run}/params/lr`, '0.001');
  idx.update(write(root, `${run}/metrics/loss`, '1700000000000 2.5 1\n'), root);
  assert.equal(idx.loggedParams(run)?.get('tokenizer'), 'gpt2');
  assert.equal(idx.loggedParams('no/such/run'), undefined);
});

test('the example sweep without its family key: all seven HF runs are guessed to be one family, and its law is fitted', () => {
  const examples = path.resolve(__dirname, '../../examples/sweep');
  const root = tempDir('sl-families-ex-');
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  const logs: string[] = [];
  for (const run of fs.readdirSync(examples)) {
    for (const name of fs.readdirSync(path.join(examples, run))) {
      let text = fs.readFileSync(path.join(examples, run, name), 'utf8');
      if (name === 'training_args.json') {
        const args = JSON.parse(text) as Record<string, unknown>;
        assert.equal(typeof args.family, 'string', 'the example names its family');
        delete args.family;
        text = JSON.stringify(args);
      }
      const f = write(root, `sweep/${run}/${name}`, text);
      if (name !== 'config.json' && name !== 'training_args.json') logs.push(f);
    }
  }
  for (const f of logs) engine.update(f, root);
  const snap = engine.snapshot();
  assert.equal(snap.runs.length, 7);
  assert.deepEqual(new Set(snap.runs.map((r) => r.family)), new Set(['sweep']));
  for (const r of snap.runs) {
    assert.equal(r.familySource, 'guessed');
    // Sizes, lengths, batches and the LR differ; the tokenizer and schedule are what they share.
    assert.match(r.familyReason ?? '', /^family guessed from hyperparameters: 7 runs share vocab_size=32000, .*lr_scheduler_type=cosine/);
    assert.match(r.familyReason ?? '', /differ in .*hidden_size.*learning_rate/);
  }
  const family = snap.families.find((f) => f.family === 'sweep');
  assert.equal(family?.guessed, true);
  assert.ok(family?.fit, family?.error);
});
