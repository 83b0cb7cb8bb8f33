#!/usr/bin/env node
// Behaviour snapshot: the CLI's outputs on examples/ and ../shared/data/formats, captured so a
// refactor can show it changed nothing (issue 19: "the same CLI outputs, byte-for-byte").
//
//   node scripts/behaviour-snapshot.mjs capture <dir>   run every case on dist/cli.js, write <dir>/<case>.txt
//   node scripts/behaviour-snapshot.mjs diff <dir>      run them again and compare with <dir>: exit 1 on any difference
//   node scripts/behaviour-snapshot.mjs list            the cases and their commands
//
// Build first (`npm run build`): it runs the bundled dist/cli.js, as a user does. Capture the
// baseline on the commit before a change, then `diff` after it. Cases whose data is missing
// (no ../shared/data) are skipped and named.
//
// What is compared: each case's exit code, stdout and stderr, byte for byte, with exactly two
// exclusions, both applied to baseline and recapture alike:
// - stderr progress lines (`scaling-lens: fitting 3/6 (2 threads, 4 s)`, `scaling-lens: fitted 10
//   in 9.3 s`): they carry wall-clock timings and depend on the machine's load;
// - the repository's absolute path, written as `<repo>`, so two worktrees' snapshots compare.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const formats = '../shared/data/formats';
const sweep = 'examples/sweep';

/** @type {{ name: string, args: string[], needs?: string }[]} */
const cases = [
  // scan: the run index, the curve and family fits, the snapshot's runs
  { name: 'scan-examples', args: ['scan', 'examples/'] },
  { name: 'scan-examples-json', args: ['scan', 'examples/', '--json'] },
  { name: 'scan-examples-nofit', args: ['scan', 'examples/', '--no-fit'] },
  { name: 'scan-formats', args: ['scan', formats], needs: formats },
  { name: 'scan-formats-json', args: ['scan', formats, '--json'], needs: formats },
  ...['hf-trainer', 'lightning-csv', 'mlflow', 'tensorboard', 'wandb', 'megatron-lm'].map((dir) => ({
    name: `scan-formats-${dir}`,
    args: ['scan', `${formats}/${dir}`],
    needs: `${formats}/${dir}`,
  })),
  // curve: one run's fit
  ...['llama-12m', 'llama-23m', 'llama-279m', 'llama-44m-lr3e-3'].map((run) => ({ name: `curve-${run}`, args: ['curve', `${sweep}/${run}`] })),
  { name: 'curve-llama-95m-until-json', args: ['curve', `${sweep}/llama-95m`, '--until', '0.5', '--json'] },
  // estimate: config readers, with and without the workspace's family law
  { name: 'estimate-planned-400m-ws', args: ['estimate', 'examples/configs/planned-400m', '--workspace', 'examples/'] },
  { name: 'estimate-planned-400m-ws-json', args: ['estimate', 'examples/configs/planned-400m', '--workspace', 'examples/', '--json'] },
  { name: 'estimate-gpt2-small', args: ['estimate', 'examples/configs/gpt2-small', '--workspace', 'examples/', '--hardware', 'A100-80GB'] },
  ...[
    'hf-trainer/cpt-large-summarization/config.json',
    'llm-foundry/mpt-125m.yaml',
    'nanogpt/config/train_gpt2.py',
    'axolotl/lora-1b.yml',
    'nemo/megatron_gpt_config.yaml',
    'torchtitan/llama3_8b.toml',
    'litgpt/tinyllama.yaml',
    'megatron-lm/gpt3_mcore_te_tp1_pp1_dist_optimizer_fim_dataset/model_config.yaml',
  ].map((file) => ({ name: `estimate-${file.split('/')[0]}`, args: ['estimate', `${formats}/${file}`, '--workspace', formats], needs: `${formats}/${file}` })),
  // plan and ladder: the family law in the planner
  { name: 'plan-examples', args: ['plan', '--budget', '5000 H100-h', '--workspace', 'examples/'] },
  { name: 'plan-examples-json', args: ['plan', '--budget', '1e21', '--workspace', 'examples/', '--json'] },
  { name: 'plan-no-workspace', args: ['plan', '--budget', '1e22', '--workspace', formats], needs: formats },
  { name: 'ladder-planned-400m', args: ['ladder', 'examples/configs/planned-400m', '--workspace', 'examples/'] },
  { name: 'ladder-budget', args: ['ladder', '--budget', '1e22', '--workspace', formats], needs: formats },
  // fit: the law registry on a table of runs
  {
    name: 'fit-kaplan-gadre',
    args: ['fit', '--law', 'kaplan', '--train', '../shared/data/gadre-overtraining-104/models_flat.csv', '--columns', 'loss=loss_c4_val', '--resamples', '20'],
    needs: '../shared/data/gadre-overtraining-104/models_flat.csv',
  },
];

// The only lines excluded: `scan`'s progress on stderr (src/cli.ts fittedSnapshot), which carries seconds.
const progressLine = /^scaling-lens: (fitting \d+\/\d+ \(\d+ threads?, \d+ s\)|fitted \d+ in [\d.]+ s)$/;

function normalise(text) {
  return text.split(repoRoot).join('<repo>');
}

function stripProgress(stderr) {
  return stderr
    .split('\n')
    .filter((line) => !progressLine.test(line))
    .join('\n');
}

function runCase(c) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), ...c.args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      const quoted = c.args.map((a) => (/[\s$']/.test(a) ? `'${a}'` : a)).join(' ');
      resolve(
        `$ scaling-lens ${quoted}\n# exit ${code ?? signal}\n# stdout\n${normalise(stdout)}\n# stderr (progress lines excluded)\n${normalise(stripProgress(stderr))}\n`,
      );
    });
  });
}

async function captureAll() {
  /** @type {Map<string, string>} */
  const out = new Map();
  const skipped = [];
  for (const c of cases) {
    if (c.needs && !fs.existsSync(path.join(repoRoot, c.needs))) {
      skipped.push(c.name);
      continue;
    }
    process.stderr.write(`  ${c.name}\n`);
    out.set(c.name, await runCase(c)); // one at a time: the CLI already uses every core for fits
  }
  if (skipped.length) console.log(`skipped (data missing): ${skipped.join(', ')}`);
  return out;
}

async function main() {
  const [command, dir] = process.argv.slice(2);
  if (command === 'list') {
    for (const c of cases) console.log(`${c.name}: scaling-lens ${c.args.join(' ')}`);
    return 0;
  }
  if ((command !== 'capture' && command !== 'diff') || !dir) {
    console.error('usage: node scripts/behaviour-snapshot.mjs capture|diff <dir> | list');
    return 2;
  }
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) {
    console.error('dist/cli.js is missing: run `npm run build` first');
    return 2;
  }
  const outputs = await captureAll();
  if (command === 'capture') {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of outputs) fs.writeFileSync(path.join(dir, `${name}.txt`), text);
    console.log(`${outputs.size} case(s) written to ${dir}`);
    return 0;
  }
  let differing = 0;
  let missing = 0;
  for (const [name, text] of outputs) {
    const file = path.join(dir, `${name}.txt`);
    if (!fs.existsSync(file)) {
      console.log(`NEW      ${name} (not in the baseline)`);
      missing++;
      continue;
    }
    const before = fs.readFileSync(file, 'utf8');
    if (before === text) {
      console.log(`same     ${name}`);
      continue;
    }
    differing++;
    const a = before.split('\n');
    const b = text.split('\n');
    const at = a.findIndex((line, i) => line !== b[i]);
    console.log(`DIFFERS  ${name} from line ${at + 1}:\n  - ${a[at] ?? '(end)'}\n  + ${b[at] ?? '(end)'}`);
    fs.writeFileSync(path.join(dir, `${name}.after.txt`), text);
  }
  const total = outputs.size;
  console.log(
    `${total - differing - missing} of ${total} case(s) byte-identical to ${dir}${differing ? `; ${differing} differ (new output beside it as <case>.after.txt)` : ''}`,
  );
  return differing || missing ? 1 : 0;
}

process.exitCode = await main();
