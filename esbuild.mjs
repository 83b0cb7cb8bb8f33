// One build for every bundle: extension host, worker thread, webview, CLI and the test suites
// that run inside VS Code. `--production` minifies without source maps; `--watch` rebuilds.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { lazyChunkBuilds, lazyChunks } from './esbuild-lazy.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's `main` is a UMD build whose runtime requires esbuild cannot follow; prefer ESM.
  mainFields: ['module', 'main'],
};

// The bundles in dist/ load their parsers on first use, each from its own file (esbuild-lazy.mjs);
// the integration suites, bundled elsewhere, keep them inside.
const lazy = { ...node, plugins: [lazyChunks] };
// The CLI's bundles and the parsers they load without comments or indentation (names kept, source
// maps as before): a cold start reads, hashes and compiles less, and a comment's one non-ASCII
// character no longer makes Node decode the whole file to a two-byte string (issue 20).
const cliLazy = { ...lazy, minifyWhitespace: true };

const builds = [
  ...lazyChunkBuilds({ ...node, minifyWhitespace: true }),
  { ...lazy, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...lazy, entryPoints: ['src/worker/worker.ts'], outfile: 'dist/worker.js' },
  { ...lazy, entryPoints: ['src/worker/fitThread.ts'], outfile: 'dist/fitThread.js' },
  // A parsing thread of a large JSONL log's first read (src/core/runs/jsonlParallel.ts), started by the worker and the CLI.
  { ...lazy, entryPoints: ['src/core/runs/jsonlThread.ts'], outfile: 'dist/jsonlThread.js' },
  // The CLI: a small entry that answers --help and --version, and loads the rest for any other command
  // (by path, with V8's code cache: src/cliCodeCache.ts).
  {
    ...cliLazy,
    entryPoints: ['src/cliEntry.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
  // `plan` with no runs to read: the planner alone, for a cold start near a bare node (src/cliQuick.ts).
  { ...cliLazy, entryPoints: ['src/cliQuick.ts'], outfile: 'dist/cliQuick.js', external: ['./cliMain.js'] },
  // `estimate` with no runs to read: the config readers and the estimate alone (src/cliEstimate.ts).
  { ...cliLazy, entryPoints: ['src/cliEstimate.ts'], outfile: 'dist/cliEstimate.js', external: ['./cliMain.js'] },
  // The same with one kind's reader alone, for a JSON, YAML or Python config (src/cliEntry.ts chooses by extension).
  { ...cliLazy, entryPoints: ['src/cliEstimateJson.ts'], outfile: 'dist/cliEstimateJson.js', external: ['./cliMain.js'] },
  { ...cliLazy, entryPoints: ['src/cliEstimateYaml.ts'], outfile: 'dist/cliEstimateYaml.js', external: ['./cliMain.js'] },
  { ...cliLazy, entryPoints: ['src/cliEstimatePython.ts'], outfile: 'dist/cliEstimatePython.js', external: ['./cliMain.js'] },
  // `ladder` with no runs to read: the ladder planner and the config readers alone (src/cliLadder.ts).
  { ...cliLazy, entryPoints: ['src/cliLadder.ts'], outfile: 'dist/cliLadder.js', external: ['./cliMain.js'] },
  // The same for a --budget target: no config readers (src/cliEntry.ts chooses it).
  { ...cliLazy, entryPoints: ['src/cliLadderBudget.ts'], outfile: 'dist/cliLadderBudget.js', external: ['./cliMain.js'] },
  // `ladder --write`: src/cliLadder.ts with the config writers (src/cliEntry.ts chooses it).
  { ...cliLazy, entryPoints: ['src/cliLadderWrite.ts'], outfile: 'dist/cliLadderWrite.js', external: ['./cliMain.js'] },
  { ...cliLazy, entryPoints: ['src/cli.ts'], outfile: 'dist/cliMain.js' },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
  },
];
if (!production) {
  // Integration suites are loaded by mocha inside the VS Code extension host.
  builds.push({
    ...node,
    entryPoints: ['test/integration/suite/*.ts'],
    outdir: 'out/test/integration/suite',
    external: ['vscode', 'mocha'],
  });
}

mkdirSync('dist', { recursive: true });
cpSync('webview/style.css', 'dist/webview.css');

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`[esbuild] built ${builds.length} bundles${production ? ' (production)' : ''}`);
}
