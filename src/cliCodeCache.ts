// A V8 code cache for the CLI's bundles (issue 20: a cold start near a bare `node`). Node 20 has no
// module.enableCompileCache (22.1+), so the CLI entry (src/cliEntry.ts) loads its bundles itself:
// each source is compiled by vm.Script with the bytes V8 wrote for it on an earlier run
// (`cachedData`), which spares parsing and compiling the functions that ran then. A bundle's own
// `require` of a sibling (./cliMain.js, ./lazy/yaml.js) goes through the same loader; anything else
// (node:fs, a worker's file) is Node's. With no cache, or one V8 rejects (another V8, other flags),
// the bundle is compiled as `require` would and the cache written at exit for the next run.
// Any failure of the cache itself falls back silently: it changes how fast, never what runs.
//
// Where: $SCALING_LENS_CODE_CACHE if set (an absolute path; `off` or a relative one turns it off), else the user's cache folder
// (~/.cache/scaling-lens, ~/Library/Caches/scaling-lens, %LOCALAPPDATA%\scaling-lens\Cache), one
// subfolder per V8 version and architecture. Not os.tmpdir(): another user of the machine could
// plant bytecode there. A cache file holds the source file's identity (size, mtime, ctime, inode):
// V8 itself checks only the source's length, and npm gives every installed file the same mtime,
// while any write to a file changes its ctime.
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname as parentFolder, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';
import type { Module as ModuleInstance } from 'node:module';

// Node's Module class (with its createRequire), taken from this file's own module object:
// `require('node:module')` would also load Node's ESM loader (its `register`), and `node:os` is
// not loaded at start either; together about 1 ms of a cold start that needs neither.
const Module = module.constructor as typeof import('node:module');
const createRequire = (filename: string): NodeJS.Require => Module.createRequire(filename);

/** The user's home folder, as os.homedir() finds it ($HOME first outside Windows) without loading node:os when $HOME is set. */
function homeFolder(): string {
  const home = process.platform === 'win32' ? undefined : process.env.HOME;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return home ?? (require('node:os') as typeof import('node:os')).homedir();
}

/** The environment variable naming the cache folder (absolute); `off` (or `0`, or a relative path) turns the cache off. */
export const CODE_CACHE_ENV = 'SCALING_LENS_CODE_CACHE';

interface Pending {
  script: Script;
  cacheFile: string;
  identity: string;
}

/** Files smaller than this are left to `require` (the smallest parser, smol-toml, is 33 kB). */
const MIN_CACHED_BYTES = 16_000;
/** Cache files not rewritten for this long are removed when another is written (bundles of old installs). */
const STALE_MS = 30 * 24 * 3600 * 1000;

const pending: Pending[] = [];
let cacheDir: string | null | undefined;

/** The user's cache folder for this V8, made private; null when off or unusable. */
function codeCacheDir(): string | null {
  if (cacheDir !== undefined) return cacheDir;
  cacheDir = null;
  const env = process.env[CODE_CACHE_ENV];
  if (env === 'off' || env === '0') return null;
  // A relative folder would be the current one's (a cloned repo's, bytecode planted in it): not used, the cache off.
  if (env && !isAbsolute(env)) return null;
  // Stack traces through source maps are Node's loader's work: keep it when they are on.
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) return null;
  try {
    const home = homeFolder();
    const root = env
      ? env
      : process.platform === 'win32'
        ? join(process.env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'scaling-lens', 'Cache')
        : process.platform === 'darwin'
          ? join(home, 'Library', 'Caches', 'scaling-lens')
          : join(process.env.XDG_CACHE_HOME || join(home, '.cache'), 'scaling-lens');
    const dir = join(root, `v8-${process.versions.v8}-${process.arch}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    // Ours alone: not a link, owned by this user, writable by no one else.
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (process.platform !== 'win32' && (st.mode & 0o022) !== 0)) return null;
    cacheDir = dir;
  } catch {
    cacheDir = null;
  }
  return cacheDir;
}

/** FNV-1a of the path: one cache file per bundle file, whatever folder it is installed in. */
function pathHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The cached bytes for this version of the file, or undefined. */
function readCache(cacheFile: string, identity: string): Buffer | undefined {
  try {
    const st = lstatSync(cacheFile);
    if (!st.isFile() || (process.getuid && st.uid !== process.getuid())) return undefined;
    const bytes = readFileSync(cacheFile);
    const end = bytes.indexOf(10);
    if (end < 0 || bytes.toString('latin1', 0, end) !== identity) return undefined;
    return bytes.subarray(end + 1);
  } catch {
    return undefined;
  }
}

/** At exit: the code cache of each bundle compiled without one, with the functions that ran compiled in. */
function writeCaches(): void {
  for (const p of pending) {
    try {
      const data = p.script.createCachedData();
      const tmp = `${p.cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, Buffer.concat([Buffer.from(`${p.identity}\n`, 'latin1'), data]), { mode: 0o600 });
      // Atomic: a process starting now reads the old file or the new one, never half of one.
      renameSync(tmp, p.cacheFile);
    } catch {
      // A cache not written is compiled again next time.
    }
  }
  pending.length = 0;
  try {
    const dir = codeCacheDir();
    const now = Date.now();
    if (dir !== null)
      for (const name of readdirSync(dir)) {
        const file = join(dir, name);
        if (name.endsWith('.v8') && now - lstatSync(file).mtimeMs > STALE_MS) rmSync(file, { force: true });
      }
  } catch {
    // Pruning is tidiness only.
  }
}

/** A bundle's `require`: its siblings in dist/ through this loader, the rest through Node's. */
function bundleRequire(filename: string, dirname: string): NodeJS.Require {
  const nodeRequire = createRequire(filename);
  const req = ((id: string) =>
    id.startsWith('./') && id.endsWith('.js') && !id.includes('..') ? requireBundle(join(dirname, id)) : nodeRequire(id)) as NodeJS.Require;
  req.resolve = nodeRequire.resolve;
  req.cache = nodeRequire.cache;
  req.main = nodeRequire.main;
  req.extensions = nodeRequire.extensions;
  return req;
}

/**
 * `require(filename)` of a CommonJS bundle, compiled with its V8 code cache when one is there:
 * the same module object in require.cache, the same exports, the same errors.
 */
export function requireBundle(filename: string): unknown {
  const known = createRequire(filename).cache[filename];
  if (known) return known.exports;
  const dir = codeCacheDir();
  if (dir === null) return createRequire(filename)(filename);
  let source: string;
  let identity: string;
  const fd = openSync(filename, 'r');
  try {
    const st = fstatSync(fd);
    // A small file compiles in no time: not worth a cache file.
    if (st.size < MIN_CACHED_BYTES) return createRequire(filename)(filename);
    identity = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const cacheFile = join(dir, `${basename(filename, '.js')}-${pathHash(filename)}.v8`);
  const cachedData = readCache(cacheFile, identity);
  // Node's CommonJS wrapper, on the source's first line so line numbers are the file's.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source.startsWith('#!') ? `//${source.slice(2)}` : source}\n});`;
  const script = new Script(wrapped, { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    if (pending.length === 0) process.once('exit', writeCaches);
    pending.push({ script, cacheFile, identity });
  }
  const dirname = parentFolder(filename);
  const mod = new Module(filename, undefined);
  mod.filename = filename;
  const cache = createRequire(filename).cache;
  cache[filename] = mod;
  try {
    const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: ModuleInstance, f: string, d: string) => void;
    fn.call(mod.exports, mod.exports, bundleRequire(filename, dirname), mod, filename, dirname);
  } catch (error) {
    delete cache[filename];
    throw error;
  }
  mod.loaded = true;
  return mod.exports;
}
