// Figures about what ships, for the bench report: the size of the production .vsix, and the
// activation time measured inside the real VS Code by the integration suites (run by the bench
// itself for a figure of the same run, see measureActivation).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const repoRoot = path.resolve(__dirname, '..');

export interface PackageSize {
  vsixBytes: number;
  files: { name: string; bytes: number }[];
  /** Median time for a fresh Node process to load the shipped dist/extension.js (what VS Code does before activate()). */
  extensionLoadMs?: number;
}

/**
 * Loads a bundle's module code in a fresh Node process, `vscode` answered by an inert stand-in
 * (its functions are only called inside activate()), and returns the median of `repeats` loads.
 */
function loadMs(bundle: string, repeats = 5): number | undefined {
  const script = [
    "const Module = require('node:module');",
    'const load = Module._load;',
    // Anything reached through the stand-in is the stand-in (esbuild's ESM wrapper reads it through the prototype).
    "const inert = new Proxy(function () {}, { get: (t, k) => (k === 'prototype' ? {} : inert), apply: () => inert, construct: () => inert });",
    "Module._load = function (request, ...rest) { return request === 'vscode' ? Object.create(inert) : load.call(this, request, ...rest); };",
    'const t = performance.now();',
    `const m = require(${JSON.stringify(bundle)});`,
    "if (typeof m.activate !== 'function') throw new Error('no activate');",
    'console.log(performance.now() - t);',
  ].join('\n');
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const ms = Number(r.stdout.trim());
    if (r.status !== 0 || !Number.isFinite(ms)) return undefined;
    times.push(ms);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/**
 * Builds the production bundles into a staging copy (so the shared dist/ is left alone), packages
 * it with `vsce package --no-dependencies` under the allow-list .vscodeignore, and returns the size
 * of the .vsix and of what it holds.
 */
export function packageSize(tmp: string): PackageSize | { error: string } {
  const stage = path.join(tmp, 'package-stage');
  fs.mkdirSync(stage, { recursive: true });
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'esbuild.mjs', 'esbuild-lazy.mjs', 'tsconfig.json']) {
    if (fs.existsSync(path.join(repoRoot, f))) fs.copyFileSync(path.join(repoRoot, f), path.join(stage, f));
  }
  fs.cpSync(path.join(repoRoot, 'media'), path.join(stage, 'media'), { recursive: true }); // vsce does not follow links
  // Sources and dependencies by link: esbuild follows them to the repository (and its node_modules).
  for (const d of ['src', 'webview', 'node_modules']) fs.symlinkSync(path.join(repoRoot, d), path.join(stage, d));
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: stage, encoding: 'utf8' });
  if (build.status !== 0) return { error: `production build failed: ${(build.stderr || build.stdout).trim().split('\n').slice(-3).join(' ')}` };
  const vsix = path.join(tmp, 'scaling-lens.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');
  const pack = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], {
    cwd: stage,
    encoding: 'utf8',
  });
  if (pack.status !== 0 || !fs.existsSync(vsix))
    return { error: `vsce package failed: ${(pack.stderr || pack.stdout).trim().split('\n').slice(-3).join(' ')}` };
  const files = fs
    .readdirSync(path.join(stage, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((name) => fs.statSync(path.join(stage, 'dist', name)).isFile())
    .map((name) => ({ name: `dist/${name}`, bytes: fs.statSync(path.join(stage, 'dist', name)).size }))
    .sort((a, b) => b.bytes - a.bytes);
  return { vsixBytes: fs.statSync(vsix).size, files, extensionLoadMs: loadMs(path.join(stage, 'dist', 'extension.js')) };
}

export interface ActivationTiming {
  config: string;
  at: string;
  vscode: string;
  trusted: boolean;
  activateMs: number;
  firstSnapshotMs: number;
  runs: number;
  bulkFiles: number;
}

/** What the integration suites' "activation timing" test recorded (one file per configuration), newest first. */
export function activationTimings(): ActivationTiming[] {
  const dir = path.join(repoRoot, '.vscode-test', 'timings');
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: ActivationTiming[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as ActivationTiming);
    } catch {
      /* a half-written record is skipped */
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at));
}

/**
 * Runs the integration harness's "activation timing" test (the real VS Code server in headless
 * Chromium, test/integration/run.mjs) in the trusted and Restricted Mode configurations, so the
 * report's activation figures are of this run, on this load. Each writes the record that
 * activationTimings reads. SCALING_LENS_BENCH_ACTIVATION=0 skips it (the last records are shown).
 * Returns why it did not run, or undefined.
 */
export function measureActivation(): string | undefined {
  if (process.env.SCALING_LENS_BENCH_ACTIVATION === '0') return 'SCALING_LENS_BENCH_ACTIVATION=0';
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) return `build failed: ${(build.stderr || build.stdout).trim().split('\n').slice(-2).join(' ')}`;
  const run = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'test', 'integration', 'run.mjs'), '--config', 'trusted,restricted', '--grep', '^activation timing', '--timeout', '240'],
    { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (run.status !== 0) return `the integration harness failed (exit ${run.status}): ${(run.stdout + run.stderr).trim().split('\n').slice(-2).join(' ')}`;
  return undefined;
}
