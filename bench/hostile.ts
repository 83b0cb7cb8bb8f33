// Issue 17's figures for the bench report: how the built-in text-log patterns scale on adversarial
// lines (time at 8× the length over time at 1×: ~8 is linear, ~64 quadratic), a workspace of
// 10,000 runs read and snapshotted, and `npm audit` of the shipped dependencies.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BUILT_IN_TEXT_PATTERNS } from '../src/core/runs/textLog';
import { ScalingWorkspace } from '../src/core/workspace';
import { median } from './stats';

export interface BenchRow {
  name: string;
  value: string;
  note: string;
}

const ADVERSARIAL: Record<string, (n: number) => string> = {
  letters: (n) => 'a'.repeat(n),
  digits: (n) => '1'.repeat(n),
  blanks: (n) => ' '.repeat(n),
  pipes: (n) => '|'.repeat(n),
  'iter near-match': (n) => `iter ${'1'.repeat(n)}x`,
  'step near-match': (n) => `step:${'1'.repeat(n)}`,
  'iteration blanks': (n) => `iteration ${' '.repeat(n)}x`,
  'dict near-match': (n) => `{'a':${'1,'.repeat(n / 2)}`,
  'tqdm near-match': (n) => ` 50%|${' '.repeat(n)}`,
};

function timeOf(re: RegExp, line: string): number {
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < 20; i++) re.exec(line);
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Worst ratio of time at 4,096 characters to time at 512 over every built-in pattern and line family. */
export function patternRatios(): BenchRow {
  let worst = { ratio: 0, what: '' };
  for (const [name, re] of Object.entries(BUILT_IN_TEXT_PATTERNS)) {
    for (const [family, make] of Object.entries(ADVERSARIAL)) {
      const short = timeOf(re, make(512));
      const long = timeOf(re, make(4096));
      // Below a microsecond per match the ratio is noise: such a pair is linear whatever it says.
      const ratio = long < 0.02 ? 0 : long / Math.max(short, 1e-3);
      if (ratio > worst.ratio) worst = { ratio, what: `${name} on ${family}` };
    }
  }
  return {
    name: `Built-in text-log patterns on adversarial lines (${Object.keys(BUILT_IN_TEXT_PATTERNS).length} patterns × ${Object.keys(ADVERSARIAL).length} line families)`,
    value: `worst time ratio ${worst.ratio.toFixed(1)} for 8× the length`,
    note: `${worst.what || 'every pair under 1 µs per match'}; linear ≈ 8, quadratic ≈ 64. Lines are cut to 4,096 characters before matching`,
  };
}

/** 10,000 runs (6 points each) read into the engine and snapshotted, as the worker does. */
export function tenThousandRuns(tmp: string): BenchRow {
  const root = path.join(tmp, 'runs10k');
  const count = 10_000;
  for (let i = 0; i < count; i++) {
    const d = path.join(root, `sweep${i % 100}`, `run-${i}`);
    fs.mkdirSync(d, { recursive: true });
    let s = '';
    for (let k = 0; k < 6; k++) s += `{"step": ${k * 10}, "loss": ${3 - k * 0.01 - i * 1e-5}}\n`;
    fs.writeFileSync(path.join(d, 'metrics.jsonl'), s);
  }
  const ws = new ScalingWorkspace({ minPointsForCurve: 8 });
  let t = performance.now();
  for (let i = 0; i < count; i++) ws.update(path.join(root, `sweep${i % 100}`, `run-${i}`, 'metrics.jsonl'), root);
  const readMs = performance.now() - t;
  t = performance.now();
  const snapshot = ws.snapshot();
  const firstMs = performance.now() - t;
  t = performance.now();
  ws.snapshot();
  const againMs = performance.now() - t;
  fs.rmSync(root, { recursive: true, force: true });
  return {
    name: `10,000 runs in one workspace (6 points each; no curve fits at this size)`,
    value: `read ${(readMs / 1000).toFixed(1)} s, first snapshot ${(firstMs / 1000).toFixed(2)} s`,
    note: `${snapshot.runs.length} runs; a later snapshot ${(againMs / 1000).toFixed(2)} s (runs were looked up by a linear scan per run before: ~7 s per snapshot)`,
  };
}

/** `npm audit` of the dependencies the extension ships (not devDependencies), or why it could not run. */
export function npmAudit(repoRoot: string): BenchRow {
  const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  const name = 'npm audit of the shipped dependencies (--omit=dev)';
  try {
    const out = JSON.parse(r.stdout) as { metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { prod?: number } }; error?: { summary?: string }; message?: string };
    // This machine reaches the registry through a proxy that allows only GET: the advisory endpoint (a POST) answers 405.
    if (out.error || out.message) return { name, value: 'could not run', note: `the audit endpoint answered: ${(out.message || out.error?.summary || 'an error').slice(0, 160)}` };
    const v = out.metadata?.vulnerabilities ?? {};
    const total = Object.values(v).reduce((a, b) => a + b, 0);
    const parts = Object.entries(v).filter(([k, n]) => k !== 'total' && n > 0).map(([k, n]) => `${n} ${k}`);
    return { name, value: total - (v.total ?? 0) === 0 && (v.total ?? 0) === 0 ? 'no known vulnerabilities' : `${v.total ?? total} vulnerabilities`, note: `${parts.join(', ') || 'none'}; ${out.metadata?.dependencies?.prod ?? '?'} production dependencies audited` };
  } catch {
    return { name, value: 'could not run', note: `npm audit exited ${r.status ?? r.signal}: ${(r.stderr || r.error?.message || '').split('\n')[0].slice(0, 160)}` };
  }
}

if (require.main === module) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-hostile-bench-'));
  try {
    for (const row of [patternRatios(), tenThousandRuns(tmp), npmAudit(path.resolve(__dirname, '..'))]) console.log(`${row.name}: ${row.value} (${row.note})`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
