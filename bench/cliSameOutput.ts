// The CLI's output, byte for byte, against another checkout's built CLI: what a cold-start change
// (issue 20: the small bundles, their readers, the code cache) must leave as it was. Alone:
// `node --import tsx bench/cliSameOutput.ts <other checkout> [corpus folder]` after `node esbuild.mjs`
// in both. Runs `estimate`, `estimate --json` and `ladder` on every config it finds (examples/,
// the corpus under test/corpus/configs or the folder given, ../shared/data/formats, and odd,
// broken and edge-case configs it writes), with options, from an empty folder, a folder with runs
// and the repository; `plan`, `ladder --budget`, help and usage errors too. Each checkout has its
// own code cache, warm after the first run of each bundle. Exit 1 on any difference.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CODE_CACHE_ENV } from '../src/cliCodeCache';

const repo = path.resolve(__dirname, '..');

/** Configs of every kind, and the ways reading one goes wrong or runs into an edge. */
const WRITTEN: Record<string, string> = {
  'plan.yaml':
    'family: my-sweep\nmodel:\n  layers: 8\n  d_model: 512\n  heads: 8\n  kv_heads: 8\n  ffn: 1536\n  vocab: 32000\n  tied: true\ntraining:\n  steps: 6000\n  batch_size: 128\n  seq_len: 1024\n  lr: 6e-4\n  schedule: cosine\n  warmup_steps: 300\n  gpus: 4\n',
  'mup.yaml':
    'family: mup-sweep\nmup: true\nmodel:\n  layers: 8\n  d_model: 512\n  heads: 8\n  vocab: 32000\ntraining:\n  steps: 6000\n  batch_size: 128\n  seq_len: 1024\n  lr: 6e-4\n',
  'anchored.yaml':
    'family: x\nmodel:\n  layers: 8\n  d_model: 512\n  heads: 8\n  vocab: 32000\ntraining:\n  steps: 6000\n  batch_size: 128\n  seq_len: &len 1024\n  max: *len\n',
  'broken.yaml': 'model:\n  layers: [8\n  d_model: 512\n',
  'notokens.yaml': 'model:\n  layers: 8\n  d_model: 512\n  heads: 8\n  vocab: 32000\n',
  'list.yaml': '- a\n- b\n',
  'huge.yaml': 'model:\n  layers: 8\n  d_model: 512\n  heads: 8\n  vocab: 32000\ntraining:\n  steps: 60000000\n  batch_size: 4096\n  seq_len: 8192\n',
  'generic.json': '{"model": {"layers": 4, "d_model": 256, "heads": 4, "vocab": 1000}, "training": {"steps": 100, "batch_size": 8, "seq_len": 128}}\n',
  'notmodel.json': '{"foo": 1}\n',
  'bad-config.json': '{"hidden_size": 4096, "num_hidden_layers": -3, "num_attention_heads": 32, "vocab_size": 32000, "model_type": "llama"}\n',
  'hf/config.json':
    '{"hidden_size": 1024, "num_hidden_layers": 12, "num_attention_heads": 16, "vocab_size": 32000, "model_type": "llama", "intermediate_size": 2816}\n',
  'nested.json': '{"model": {"inner": {"hidden_size": 1024, "num_hidden_layers": 12, "num_attention_heads": 16, "vocab_size": 32000}}}\n',
  'train_gpt2.py':
    'batch_size = 12\nblock_size = 1024\ngradient_accumulation_steps = 5 * 8\nmax_iters = 600000\nlr_decay_iters = 600000\neval_interval = 1000\neval_iters = 200\nlog_interval = 10\nweight_decay = 1e-1\n',
  'call.py':
    'import time\nbatch_size = 12\nblock_size = 1024\nn_layer = 12\nn_head = 12\nn_embd = 768\nmax_iters = 1000\nwandb_run_name = "ft-" + str(time.time())\n',
  'mup.py': 'batch_size = 12\nblock_size = 1024\nn_layer = 12\nn_head = 12\nn_embd = 768\nmax_iters = 1000\nuse_mup = True\n',
  'notnano.py': 'print("hello")\n',
  'broken.py': 'x = (\n',
  'titan.toml': '[model]\nname = "llama3"\nflavor = "8B"\n\n[optimizer]\nlr = 3e-4\n\n[training]\nlocal_batch_size = 2\nseq_len = 4096\nsteps = 500\n',
  'megatron.sh':
    '#!/bin/bash\npython pretrain_gpt.py --num-layers 24 --hidden-size 1024 --num-attention-heads 16 --seq-length 2048 --global-batch-size 256 --train-iters 10000 --lr 3e-4\n',
  'args.txt': '--num-layers 12 --hidden-size 768 --num-attention-heads 12 --seq-length 1024 --global-batch-size 64 --train-iters 5000\n',
  'readme.md': 'hello\n',
};

const CONFIG_FILE = /\.(ya?ml|py|toml|sh|json|txt|args)$/;

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

export function compareCliOutput(
  otherRoot: string,
  corpus = path.join(repo, 'test', 'corpus', 'configs'),
): { same: number; cases: number; configs: number; differences: string[] } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-same-'));
  try {
    const written = path.join(tmp, 'configs');
    for (const [name, text] of Object.entries(WRITTEN)) {
      fs.mkdirSync(path.dirname(path.join(written, name)), { recursive: true });
      fs.writeFileSync(path.join(written, name), text);
    }
    const formats = path.resolve(repo, '..', 'shared', 'data', 'formats');
    const configs = [
      ...filesUnder(written),
      path.join(written, 'hf'),
      path.join(written, 'missing.yaml'),
      path.join(written, 'missing-folder'),
      ...filesUnder(path.join(repo, 'examples', 'configs')).filter((f) => f.endsWith('config.json')),
      path.join(repo, 'examples', 'configs', 'planned-400m'),
      ...filesUnder(path.join(repo, 'examples-real', 'configs')).filter((f) => f.endsWith('config.json')),
      ...filesUnder(corpus).filter((f) => CONFIG_FILE.test(f)),
      // The log readers' samples: their configs, and a run's hparams.yaml (one of 40 alike) and an MLflow meta.yaml.
      ...filesUnder(formats).filter((f) => /\.(ya?ml|py|toml|sh)$|config\.json$/.test(f) && !/lightning_logs|mlruns/.test(f)),
      ...filesUnder(formats).filter((f) => /version_4\/hparams\.yaml$|mlruns\/0\/meta\.yaml$/.test(f)),
    ];
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    const withRuns = path.join(repo, 'examples');
    const cases: { args: string[]; cwd: string }[] = [];
    for (const c of configs)
      cases.push({ args: ['estimate', c], cwd: empty }, { args: ['estimate', c, '--json'], cwd: empty }, { args: ['ladder', c], cwd: empty });
    // Options, and the folders with runs to calibrate on, on one config of each kind.
    for (const c of ['plan.yaml', 'train_gpt2.py', 'hf/config.json', 'titan.toml', 'megatron.sh'].map((n) => path.join(written, n))) {
      for (const cwd of [withRuns, repo]) cases.push({ args: ['estimate', c], cwd }, { args: ['ladder', c], cwd });
      cases.push(
        { args: ['estimate', '--json', c], cwd: empty },
        { args: ['estimate', '--hardware', 'A100', c], cwd: empty },
        { args: ['estimate', c, '--mfu', '0.5', '--usd-per-hour', '3'], cwd: empty },
        { args: ['estimate', c, '--hardware', 'nope'], cwd: empty },
        { args: ['estimate', c, '--workspace', withRuns], cwd: empty },
        { args: ['estimate', c, 'extra'], cwd: empty },
        { args: ['ladder', c, '--json', '--max-runs', '3'], cwd: empty },
      );
    }
    for (const cwd of [empty, withRuns, repo])
      cases.push(
        { args: ['ladder', '--budget', '1e20'], cwd },
        { args: ['ladder', '--budget', '5000 H100-h', '--json'], cwd },
        { args: ['plan', '--budget', '1e21'], cwd },
        { args: ['--help'], cwd },
        { args: ['--version'], cwd },
        { args: ['estimate'], cwd },
        { args: ['estimate', '--help'], cwd },
      );
    cases.push({ args: ['estimate', '--bogus', path.join(written, 'plan.yaml')], cwd: empty }, { args: ['estimate', '--workspace'], cwd: empty });
    const roots = [path.resolve(otherRoot), repo];
    const caches = roots.map((_, i) => path.join(tmp, `cache-${i}`));
    // Paths inside either checkout are the same file in both.
    const normal = (text: string) => roots.reduce((t, root) => t.split(root).join('<checkout>'), text);
    const differences: string[] = [];
    for (const c of cases) {
      const [a, b] = roots.map((root, i) =>
        spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), ...c.args], {
          cwd: c.cwd,
          encoding: 'utf8',
          env: { ...process.env, [CODE_CACHE_ENV]: caches[i] },
        }),
      );
      if (a.status !== b.status || normal(a.stdout) !== normal(b.stdout) || normal(a.stderr) !== normal(b.stderr))
        differences.push(
          `${c.args.join(' ')} (in ${c.cwd}): exit ${a.status} vs ${b.status}\n--- ${otherRoot}\n${a.stdout}${a.stderr}\n--- this checkout\n${b.stdout}${b.stderr}`,
        );
    }
    return { same: cases.length - differences.length, cases: cases.length, configs: configs.length, differences };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const other = process.argv[2];
  if (!other) throw new Error('usage: node --import tsx bench/cliSameOutput.ts <other checkout> [corpus folder]');
  const r = compareCliOutput(other, process.argv[3]);
  console.log(`${r.same} of ${r.cases} command/config/folder combinations byte-identical (${r.configs} configs)`);
  for (const d of r.differences.slice(0, 10)) console.log(d);
  process.exitCode = r.differences.length ? 1 : 0;
}
