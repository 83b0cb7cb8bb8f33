// `scaling-lens scan` on a workspace holding each way one training run shows up more than once (HF
// checkpoint snapshots, an HF run's own event files, W&B's latest-run link, a resumed run with
// overlapping steps) and each format found only by its folder layout (MLflow file store): every run
// once, with the right points. The CLI runs as a child process on files written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { assertDefaultLogFiles } from './helpers/logGlobs';
import { tempDir } from './helpers/tempDir';
import { eventFile, type ScalarEvent } from './helpers/tfevents';
import { exitRecord, historyRecord, runRecord, wandbFile } from './helpers/wandb';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';

const repo = path.resolve(__dirname, '../..');

function write(root: string, rel: string, data: string | Buffer): string {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, data);
  return f;
}

interface ScanRun {
  id: string;
  format: string;
  points: number;
  lastStep?: number;
  lastLoss?: number;
  files: string[];
  family: string;
  familySource?: string;
  familyReason?: string;
}

function scan(args: string[]): { status: number | null; stdout: string; stderr: string; runs: ScanRun[]; diagnostics: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli.ts'), 'scan', ...args, '--json'], { cwd: repo, encoding: 'utf8' });
  let parsed: { runs: ScanRun[]; diagnostics: string[] } = { runs: [], diagnostics: [] };
  if (r.status === 0) parsed = JSON.parse(r.stdout);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ...parsed };
}

/** HF's train loss at `step` as trainer_state.json stores it (4 decimals, like the Trainer). */
function hfLoss(step: number): number {
  return Math.round((5 - Math.log(step)) * 1e4) / 1e4;
}

function trainerState(globalStep: number, maxSteps: number, finished = false): string {
  const rows: object[] = [];
  for (let s = 10; s <= globalStep; s += 10) rows.push({ learning_rate: 1e-4, loss: hfLoss(s), step: s });
  if (finished) rows.push({ step: globalStep, train_loss: 3, train_runtime: 10, total_flos: 1e12 });
  return JSON.stringify({ global_step: globalStep, max_steps: maxSteps, logging_steps: 10, log_history: rows });
}

/** HF Trainer stdout: a dict per logged row, each followed by the progress bar's redraw when `bar`. */
function hfStdout(from: number, to: number, bar: boolean): string {
  const lines = ['***** Running training *****'];
  // tqdm draws the bar once before the first step.
  if (bar) lines.push('  0%|          | 0/400 [00:00<?, ?it/s]');
  for (let s = from; s <= to; s += 10) {
    lines.push(`{'loss': ${hfLoss(s)}, 'grad_norm': 1.5, 'learning_rate': 0.0001, 'epoch': ${(s / 300).toFixed(2)}}`);
    if (bar) lines.push(`${String(Math.floor((100 * s) / 400)).padStart(3)}%|██        | ${s}/400 [00:10<00:30,  9.50it/s]`);
  }
  return lines.join('\n') + '\n';
}

/** A workspace with one of each identity trap; returns the root. */
function workspace(): string {
  const root = tempDir('sl-scan-');
  // HF: two checkpoint snapshots, the final state, and the Trainer's own TensorBoard files.
  for (const s of [100, 200]) write(root, `hf/out/checkpoint-${s}/trainer_state.json`, trainerState(s, 300));
  write(root, 'hf/out/trainer_state.json', trainerState(300, 300, true));
  const hfEvents: ScalarEvent[] = [];
  for (let s = 10; s <= 300; s += 10) hfEvents.push({ tag: 'train/loss', step: s, value: hfLoss(s) });
  write(root, 'hf/out/runs/Nov23_10-00-00_host/events.out.tfevents.1700000000.host.1.0', eventFile(hfEvents));
  // …and its stdout, captured without the progress bar (stderr): rows, no steps.
  write(root, 'hf/out/train.log', hfStdout(10, 300, false));
  // W&B: a run folder and the latest-run link to it.
  const rows = Array.from({ length: 12 }, (_, i) => historyRecord({ items: [['loss', String(4 - i / 10)]], step: i }));
  write(root, 'wandb/run-20240101_000000-abc123/run-abc123.wandb', wandbFile([runRecord('abc123'), ...rows, exitRecord(0)]));
  fs.symlinkSync('run-20240101_000000-abc123', path.join(root, 'wandb', 'latest-run'));
  // A resumed JSONL run: crashed after step 50, resumed from 30.
  const jsonl = [10, 20, 30, 40, 50].map((s) => ({ step: s, loss: 10 - s / 10 })).concat([30, 40, 50, 60].map((s) => ({ step: s, loss: 20 - s / 10 })));
  write(root, 'resumed/metrics.jsonl', jsonl.map((r) => JSON.stringify(r)).join('\n') + '\n');
  // MLflow file store: a run, a child run with params only, a deleted run, and the trash.
  write(root, 'mlruns/0/meta.yaml', "experiment_id: '0'\nlifecycle_stage: active\nname: Default\n");
  write(
    root,
    'mlruns/0/aaaa1111/meta.yaml',
    "run_id: aaaa1111\nexperiment_id: '0'\nlifecycle_stage: active\nstatus: 3\nartifact_uri: file:///x/mlruns/0/aaaa1111/artifacts\n",
  );
  write(root, 'mlruns/0/aaaa1111/metrics/train/loss', '1700000000000 3.5 1\n1700000000100 3.25 2\n1700000000200 3.0 3\n');
  write(root, 'mlruns/0/aaaa1111/params/tokenizer', 'gpt2');
  write(root, 'mlruns/0/bbbb2222/meta.yaml', "run_id: bbbb2222\nexperiment_id: '0'\nlifecycle_stage: active\nstatus: 3\n");
  write(root, 'mlruns/0/bbbb2222/params/child', 'yes');
  write(root, 'mlruns/0/dddd4444/meta.yaml', "run_id: dddd4444\nexperiment_id: '0'\nlifecycle_stage: deleted\nstatus: 1\n");
  write(root, 'mlruns/0/dddd4444/metrics/loss', '1700000000000 9 0\n');
  write(root, 'mlruns/.trash/eeee5555/meta.yaml', 'run_id: eeee5555\nlifecycle_stage: deleted\n');
  write(root, 'mlruns/.trash/eeee5555/metrics/loss', '1700000000000 9 0\n');
  // A text log in a format of the user's own.
  write(root, 'custom/train.log', ['starting', ...[100, 200, 300].map((s) => `[trainer] step ${s}, loss: ${(3 - s / 1000).toFixed(3)}`)].join('\n') + '\n');
  return root;
}

test("MLflow file stores are in the default log globs, and the CLI's file test agrees with them", () => {
  const paths = [
    'mlruns/0/aaaa1111/meta.yaml',
    'mlruns/0/aaaa1111/metrics/loss',
    'exp/mlruns/123456789012345678/aaaa1111/metrics/train/loss',
    'mlruns/0/meta.yaml',
    'mlruns/0/aaaa1111/params/lr',
    'mlruns/0/aaaa1111/tags/mlflow.runName',
    'mlruns/0/aaaa1111/artifacts/model/MLmodel',
    'other/0/aaaa1111/metrics/loss',
  ];
  assertDefaultLogFiles(paths, ['mlruns/0/aaaa1111/meta.yaml', 'mlruns/0/aaaa1111/metrics/loss', 'exp/mlruns/123456789012345678/aaaa1111/metrics/train/loss']);
  assert.equal(isDefaultLogFile('C:\\w\\mlruns\\0\\aaaa1111\\metrics\\loss'), true);
  // Deleted runs are offered too, so the index can say it skipped them.
  assert.equal(isDefaultLogFile('/w/mlruns/.trash/eeee5555/meta.yaml'), true);
});

test('scan: each training run once (HF snapshots and event files, W&B latest-run, a resumed log, MLflow), with its points', () => {
  const root = workspace();
  const out = scan([root]);
  assert.equal(out.status, 0, out.stderr);
  const ids = out.runs.map((r) => r.id).sort();
  assert.deepEqual(ids, ['hf/out', 'mlruns/0/aaaa1111', 'mlruns/0/bbbb2222', 'resumed', 'wandb/run-abc123']);
  const run = (id: string) => out.runs.find((r) => r.id === id)!;
  // HF: 30 train losses and 30 learning rates from the final state (the event file's copies merge into them).
  assert.equal(run('hf/out').format, 'hf-trainer-state');
  assert.equal(run('hf/out').points, 60);
  assert.equal(run('hf/out').lastStep, 300);
  assert.equal(run('hf/out').lastLoss, hfLoss(300));
  assert.ok(run('hf/out').files.some((f) => f.includes('events.out.tfevents')));
  assert.ok(!run('hf/out').files.some((f) => f.includes('checkpoint-')));
  // Its stdout numbers rows 1, 2, …: not merged among the real steps, and said so.
  assert.ok(
    out.diagnostics.some((d) => d.includes(path.join('hf', 'out', 'train.log')) && /not merged/.test(d)),
    out.diagnostics.join('\n'),
  );
  // W&B: the folder, not the link.
  assert.equal(run('wandb/run-abc123').points, 12);
  assert.ok(!run('wandb/run-abc123').files.some((f) => f.includes('latest-run')));
  // Resumed: steps 10..60 once each, the later write at 30..50.
  assert.equal(run('resumed').points, 6);
  assert.equal(run('resumed').lastStep, 60);
  assert.equal(run('resumed').lastLoss, 14);
  // MLflow: the metric keyed by its folder path; the params-only child run is listed too.
  assert.equal(run('mlruns/0/aaaa1111').format, 'mlflow');
  assert.equal(run('mlruns/0/aaaa1111').points, 3);
  assert.equal(run('mlruns/0/bbbb2222').points, 0);
  // Skipped MLflow runs and the unrecognised text log are reported, not silently dropped.
  assert.ok(
    out.diagnostics.some((d) => d.includes(path.join('mlruns', '0', 'dddd4444')) && /deleted/.test(d)),
    out.diagnostics.join('\n'),
  );
  assert.ok(out.diagnostics.some((d) => d.includes('.trash') && /deleted/.test(d)));
  assert.ok(out.diagnostics.some((d) => d.includes(path.join('custom', 'train.log')) && /scalingLens\.textLog\.patterns/.test(d)));
  // Families: the MLflow runs logged params, so theirs is a guess from hyperparameters; the others from folders.
  assert.match(run('mlruns/0/aaaa1111').familyReason ?? '', /hyperparameters: no other run has the same tokenizer=gpt2/);
  assert.equal(run('resumed').familySource, 'guessed');
  assert.match(run('resumed').familyReason ?? '', /folder/);
});

test("scan --text-pattern reads text logs of the user's own format; a bad pattern is a usage error", () => {
  const root = workspace();
  const pattern = 'step (?<step>\\d+), loss: (?<loss>[\\d.]+)';
  const out = scan([root, '--text-pattern', pattern]);
  assert.equal(out.status, 0, out.stderr);
  const custom = out.runs.find((r) => r.id === 'custom');
  assert.ok(custom, out.runs.map((r) => r.id).join(', '));
  assert.equal(custom.format, 'text');
  assert.equal(custom.points, 3);
  assert.equal(custom.lastStep, 300);
  assert.equal(custom.lastLoss, 2.7);
  assert.equal(out.runs.length, 6);
  // Two patterns: the second is tried too (here it is the one that matches).
  const two = scan([root, '--text-pattern', '^iter (?<step>\\d+) (?<loss>[\\d.]+)$', '--text-pattern', pattern]);
  assert.equal(two.runs.find((r) => r.id === 'custom')?.points, 3);
  for (const bad of ['(?<step>\\d+)+ (?<loss>x)', 'step (?<step>\\d+)', 'step (?<step>\\d+) (?<loss>[']) {
    const r = scan([root, '--text-pattern', bad]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--text-pattern "/, bad);
    assert.equal(r.stdout, '', bad);
  }
});

test('HF stdout beside trainer_state.json: rows without steps are left out; with the progress bar they extend the run past its last save', () => {
  for (const bar of [false, true]) {
    const root = tempDir('sl-scan-hfout-');
    write(root, 'out/checkpoint-200/trainer_state.json', trainerState(200, 400));
    // The run went on to step 250 after its last save: only stdout has those rows.
    write(root, 'out/train.log', hfStdout(10, 250, bar));
    const out = scan([root]);
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(
      out.runs.map((r) => r.id),
      ['out'],
    );
    const run = out.runs[0];
    assert.equal(run.lastStep, bar ? 250 : 200, `bar ${bar}`);
    assert.equal(run.lastLoss, hfLoss(bar ? 250 : 200));
    // loss and learning_rate at 10..200 from the state; with the bar also 210..250 and grad_norm at every row.
    assert.equal(run.points, bar ? 25 + 25 + 25 + 25 : 20 + 20, `bar ${bar}`);
    assert.equal(
      out.diagnostics.some((d) => /not merged/.test(d)),
      !bar,
    );
  }
});

test("scan's text says where each forecast comes from, in both cases: from siblings, or from this run alone", () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli.ts'), 'scan', path.join(repo, 'examples')], {
    cwd: repo,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const forecasts = r.stdout.split('\n').filter((l) => / → \d/.test(l));
  assert.ok(forecasts.length >= 6, r.stdout);
  const live = forecasts.find((l) => l.trimStart().startsWith('llama-279m '))!;
  assert.match(live, / at step \d+ from siblings \(this run alone: /);
  for (const line of forecasts.filter((l) => l !== live)) assert.match(line, / at step \d+ from this run alone$/, line);
});
