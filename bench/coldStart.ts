// CLI cold start against a bare `node -e 0` (issue 20: `--help` and cheap commands within 1.2×),
// a row of `npm run bench`; alone: `node --import tsx bench/coldStart.ts` (builds dist/ if missing).
// Each command is a fresh process of the built dist/cli.js, started from an empty folder (in the
// repository, `estimate` and `plan` would calibrate on examples/'s runs), the commands taking turns
// so a change in the machine's load falls on all of them. Wall time is measured around the spawn;
// CPU time (user + system, every thread) is read at exit by a one-line preload that bare node runs
// too. Each command with the CLI's V8 code cache warm, being written, and off. Medians of RUNS
// turns, the first turn (a warm-up: file cache, CPU frequency) discarded. The ratio to bare node is
// paired: each turn's time over that turn's bare node, then the median of those ratios with their
// interquartile range (the spread shows whether two rows differ or the machine moved).
// Alone, `node --import tsx bench/coldStart.ts <other checkout>` times that checkout's built CLI in
// the same turns, for a before/after; SCALING_LENS_BENCH_COLD_RUNS sets RUNS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { median, quantile } from './stats';
import { CODE_CACHE_ENV } from '../src/cliCodeCache';

const repoRoot = path.resolve(__dirname, '..');
/** Timed turns of each command (interleaved), after one warm-up turn that is discarded. */
const RUNS = Number(process.env.SCALING_LENS_BENCH_COLD_RUNS ?? 21);

export interface ColdStartRow {
  name: string;
  value: string;
  note: string;
}

/** A small config of each parser family the CLI reads (nanoGPT's own config/train_gpt2.py, a generic YAML). */
const NANOGPT = `# config for training GPT-2 (124M) on OpenWebText, as nanoGPT's config/train_gpt2.py
batch_size = 12
block_size = 1024
gradient_accumulation_steps = 5 * 8
max_iters = 600000
lr_decay_iters = 600000
eval_interval = 1000
eval_iters = 200
log_interval = 10
weight_decay = 1e-1
`;
const GENERIC_YAML = `family: my-sweep
model:
  layers: 8
  d_model: 512
  heads: 8
  kv_heads: 8
  ffn: 1536
  vocab: 32000
  tied: true
training:
  steps: 6000
  batch_size: 128
  seq_len: 1024
  lr: 6e-4
  schedule: cosine
  warmup_steps: 300
  gpus: 4
`;

export function coldStartRows(tmp: string, json: Record<string, number>, otherRoot?: string): ColdStartRow[] {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot });
  const emptyCwd = fs.mkdtempSync(path.join(tmp, 'cold-'));
  const configs = fs.mkdtempSync(path.join(tmp, 'cold-configs-'));
  const py = path.join(configs, 'train_gpt2.py');
  const yaml = path.join(configs, 'plan.yaml');
  fs.writeFileSync(py, NANOGPT);
  fs.writeFileSync(yaml, GENERIC_YAML);
  const cpuOut = path.join(configs, 'cpu.txt');
  const preload = path.join(configs, 'cpu.cjs');
  fs.writeFileSync(
    preload,
    `process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeFileSync(${JSON.stringify(cpuOut)}, String((u.user + u.system) / 1000)); });\n`,
  );
  const json400m = path.join(repoRoot, 'examples', 'configs', 'planned-400m', 'config.json');
  const commands: { label: string; key: string; args: string[] }[] = [
    { label: '`scaling-lens --help`', key: 'help', args: [cli, '--help'] },
    { label: '`scaling-lens plan --budget 1e21` (no runs to read: the planner alone)', key: 'plan', args: [cli, 'plan', '--budget', '1e21'] },
    { label: '`scaling-lens estimate` on an HF config.json (examples/configs/planned-400m)', key: 'estimateJson', args: [cli, 'estimate', json400m] },
    { label: '`scaling-lens estimate` on a YAML config (the generic shape, 17 lines)', key: 'estimateYaml', args: [cli, 'estimate', yaml] },
    { label: "`scaling-lens estimate` on a nanoGPT .py config (nanoGPT's train_gpt2.py)", key: 'estimatePy', args: [cli, 'estimate', py] },
    {
      label: '`scaling-lens ladder --budget 1e20` (no runs: the IsoFLOP recipe, the ladder planner alone)',
      key: 'ladder',
      args: [cli, 'ladder', '--budget', '1e20'],
    },
  ];
  if (otherRoot !== undefined) {
    const other = path.join(path.resolve(otherRoot), 'dist', 'cli.js');
    for (const c of commands.slice())
      commands.push({ label: `${c.label} [${otherRoot}]`, key: `${c.key}:other`, args: c.args.map((a) => (a === cli ? other : a)) });
  }
  // Each command three ways (src/cliCodeCache.ts): with V8's code cache of an earlier run (what every
  // run but the first sees), with none (the first run, which writes it at exit), and with it off.
  const warmDir = path.join(configs, 'cache-warm');
  const modes: { key: string; cacheDir: (r: number, i: number) => string }[] = [
    { key: 'warm', cacheDir: (): string => warmDir },
    { key: 'writing', cacheDir: (r: number, i: number): string => path.join(configs, `cache-cold-${r}-${i}`) },
    { key: 'off', cacheDir: (): string => 'off' },
  ];
  const spawnOne = (args: string[], cacheDir: string) =>
    spawnSync(process.execPath, ['-r', preload, ...args], { cwd: emptyCwd, stdio: 'ignore', env: { ...process.env, [CODE_CACHE_ENV]: cacheDir } });
  // The warm cache: one run of each command before the timed ones.
  for (const c of commands) spawnOne(c.args, warmDir);
  const runs: { label: string; args: string[]; cacheDir: (r: number, i: number) => string }[] = [
    { label: 'bare `node -e 0`', args: ['-e', '0'], cacheDir: () => 'off' },
  ];
  for (const c of commands) for (const m of modes) runs.push({ label: `${c.label} [${m.key}]`, args: c.args, cacheDir: m.cacheDir });
  const wall = runs.map(() => [] as number[]);
  const cpu = runs.map(() => [] as number[]);
  const loadBefore = os.loadavg()[0];
  // Turn 0 is a warm-up, not recorded.
  for (let r = 0; r <= RUNS; r++) {
    runs.forEach((c, i) => {
      fs.rmSync(cpuOut, { force: true });
      const t = performance.now();
      const res = spawnOne(c.args, c.cacheDir(r, i));
      const ms = performance.now() - t;
      if (res.status !== 0) throw new Error(`${c.label} failed (exit ${res.status})`);
      if (r === 0) return;
      wall[i].push(ms);
      cpu[i].push(Number(fs.readFileSync(cpuOut, 'utf8')));
    });
  }
  /** Per-turn ratios of run `i` to bare node (run 0): median and interquartile range. */
  const paired = (samples: number[][], i: number) => {
    const ratios = samples[i].map((v, r) => v / samples[0][r]);
    return { median: median(ratios), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) };
  };
  const pairedText = (p: { median: number; q1: number; q3: number }) => `${p.median.toFixed(2)}× (IQR ${p.q1.toFixed(2)}–${p.q3.toFixed(2)})`;
  const loads = `1-minute load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`;
  const bareWall = median(wall[0]);
  const bareCpu = median(cpu[0]);
  json.coldStartBareMs = bareWall;
  json.coldStartBareCpuMs = bareCpu;
  const ratio = (ms: number, bare: number) => `${(ms / bare).toFixed(2)}×`;
  return commands.map((c, k) => {
    const at = (m: number) => ({ ms: median(wall[1 + 3 * k + m]), cpuMs: median(cpu[1 + 3 * k + m]) });
    const [warm, writing, off] = [at(0), at(1), at(2)];
    const warmWall = paired(wall, 1 + 3 * k);
    const warmCpu = paired(cpu, 1 + 3 * k);
    json[`coldStart:${c.key}`] = warm.ms;
    json[`coldStartCpu:${c.key}`] = warm.cpuMs;
    json[`coldStartRatio:${c.key}`] = warmWall.median;
    json[`coldStartCpuRatio:${c.key}`] = warmCpu.median;
    json[`coldStartNoCache:${c.key}`] = off.ms;
    json[`coldStartNoCacheCpu:${c.key}`] = off.cpuMs;
    json[`coldStartWritingCache:${c.key}`] = writing.ms;
    return {
      name: `CLI cold start: ${c.label}`,
      value: `${warm.ms.toFixed(0)} ms (${pairedText(warmWall)} bare node); no code cache ${off.ms.toFixed(0)} ms (${ratio(off.ms, bareWall)})`,
      note:
        `wall, medians of ${RUNS} turns interleaved with bare \`node -e 0\` (${bareWall.toFixed(0)} ms) and the other commands, from an empty folder, a warm-up turn discarded; ratios paired per turn (median and interquartile range of each turn's time over its bare node's). ` +
        `With V8's code cache of an earlier run (every run but the first): CPU ${warm.cpuMs.toFixed(0)} ms (${pairedText(warmCpu)} bare node's ${bareCpu.toFixed(0)} ms); ` +
        `the cache off: CPU ${off.cpuMs.toFixed(0)} ms (${ratio(off.cpuMs, bareCpu)}); the first run, which writes the cache: ${writing.ms.toFixed(0)} ms (${ratio(writing.ms, bareWall)}), CPU ${writing.cpuMs.toFixed(0)} ms; ${loads}`,
    };
  });
}

if (require.main === module) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-cold-'));
  try {
    for (const row of coldStartRows(tmp, {}, process.argv[2])) console.log(`${row.name}: ${row.value}\n  ${row.note}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
