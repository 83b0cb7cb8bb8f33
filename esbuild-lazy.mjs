// Parsers loaded on first use (issue 20: a cold start near a bare `node`). Each is a file of its own,
// dist/lazy/<name>.js, that the bundles `require` at run time, so a command that needs no YAML,
// TOML, Python, protobuf, CSV or glob never reads, compiles or runs their code. The sources load
// each with a `require` inside the function that first needs it (as src/core/configs/yamlView.ts
// does); a static import of one would still load its file at start. Used by esbuild.mjs and by the
// unit test that checks which parsers a command loads (test/unit/cli-lazyParsers.test.ts).

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Package (as the sources `require` it) → its file in dist/lazy/. */
export const LAZY_PACKAGES = {
  yaml: 'yaml',
  'js-yaml': 'js-yaml',
  '@lezer/python': 'lezer-python',
  'smol-toml': 'smol-toml',
  protobufjs: 'protobufjs',
  'csv-parse/sync': 'csv-parse',
  picomatch: 'picomatch',
};

const filter = new RegExp(
  `^(${Object.keys(LAZY_PACKAGES)
    .map((p) => p.replace(/[/.]/g, '\\$&'))
    .join('|')})$`,
);

/** An esbuild plugin: a bundle in dist/ requires these packages from dist/lazy/ instead of holding them. */
export const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter }, (args) => ({ path: `./lazy/${LAZY_PACKAGES[args.path]}.js`, external: true }));
  },
};

/** The build options of each package's own file, `outdir`/lazy/<name>.js, on the given base options. */
export function lazyChunkBuilds(base, outdir = 'dist') {
  return Object.entries(LAZY_PACKAGES).map(([pkg, name]) => ({
    ...base,
    stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: here, sourcefile: `lazy-${name}.js` },
    outfile: `${outdir}/lazy/${name}.js`,
  }));
}
