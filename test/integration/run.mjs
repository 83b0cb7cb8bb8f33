#!/usr/bin/env node
// Runs the integration suites inside a REAL VS Code extension host: the VS Code server that
// code-server 4.100.3 ships (VS Code 1.100.3, installed by scripts/ensure-vscode-server.sh) opened
// in headless Chromium through playwright-core. No desktop VS Code and no internet needed.
// Recipe: ../../../shared/notes/real-vscode-here.md (also summarised in ./README.md).
//
//   npm run build && node test/integration/run.mjs [options]
//
// Options (each also as an environment variable):
//   --config a,b       run only these configurations (by name)      SCALING_LENS_IT_CONFIG
//                      ("all" = every configuration, including those with default: false)
//   --workspace DIR    open DIR instead of the configuration's      SCALING_LENS_IT_WORKSPACE
//   --grep RE          only tests whose full title matches RE       SCALING_LENS_IT_GREP
//   --timeout SEC      give up waiting for the result (default 180) SCALING_LENS_IT_TIMEOUT
//   --suite FILE       extensionTestsPath (default out/test/integration/suite/index.js)
//   --extension DIR    extensionDevelopmentPath (default: the repository root)
//   --untrusted        force Restricted Mode for every selected configuration
//   --keep             keep the temporary user/server data folders
//   --list             print the configurations and exit
//
// The suite learns where to write its JSON result from SCALING_LENS_TEST_RESULT, set on the
// server process (the extension host inherits the server's environment); the grep pattern and
// the configuration name travel the same way (SCALING_LENS_TEST_GREP, SCALING_LENS_TEST_CONFIG).
//
// Output: one line per test, then exactly `integration: N passed, N failed` alone on a line.
// Exit code 0 only if every configuration produced a result with >= 1 test and no failure;
// a configuration that produced no usable result counts as one failure. Exit 3 when the
// VS Code server's Debian packages are missing and installing them needs root.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureServer, freePort, launchChromium, serverArguments, serverEnv, sleep, stopServer } from './vscodeServer.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const logsRoot = path.join(repoRoot, '.vscode-test/logs');

/** The bundled examples once they exist, else the tiny fixture next to this file. */
export function defaultWorkspace() {
  const examples = path.join(repoRoot, 'examples');
  try {
    if (fs.readdirSync(examples).length > 0) return examples;
  } catch {
    /* no examples/ yet */
  }
  return path.join(repoRoot, 'test/integration/workspace');
}

/**
 * Configurations run in sequence, each in a fresh server + browser + data folders.
 * Fields: name (unique), workspace (folder to open), trusted (false = Restricted Mode),
 * grep (optional mocha pattern on full titles, e.g. '^activation ' or 'restricted'),
 * suite (optional extensionTestsPath; default DEFAULT_SUITE), timeoutSec (optional),
 * env (optional extra environment for the server, hence the extension host),
 * prepare (optional function(workspaceCopy) run on the copy before the server starts),
 * default (false = only when named with --config or --config all).
 */
export const DEFAULT_SUITE = path.join(repoRoot, 'out/test/integration/suite/index.js');
export const configurations = [
  { name: 'trusted', workspace: defaultWorkspace(), trusted: true, grep: '^(activation|Scaling Lens on the example sweep) ' },
  // Restricted Mode pass (server started without --disable-workspace-trust).
  { name: 'restricted', workspace: defaultWorkspace(), trusted: false, grep: '^(activation|Restricted Mode) ' },
  // The real example (examples-real/, the Multi-Power Law curves): its live run, planned config and planner agree.
  { name: 'real', workspace: path.join(repoRoot, 'examples-real'), trusted: true, grep: '^Scaling Lens on the real example ', timeoutSec: 300 },
  // Faults (suite/faults.test.ts) on their own copy, since they delete and break logs; the copy
  // also holds 10,000 small non-log files, so activation is measured in a crowded workspace.
  { name: 'faults', workspace: defaultWorkspace(), trusted: true, grep: '^(activation|faults) ', prepare: addBulkFiles },
  // The generated hostile workspace (scripts/hostile-workspace.ts: pipes, a socket, links out, a
  // loop, sparse gigabytes, pathological lines) added to a copy of the examples (issue 17).
  {
    name: 'hostile',
    workspace: defaultWorkspace(),
    trusted: true,
    grep: '^hostile workspace ',
    prepare: addHostileFiles,
    default: process.platform !== 'win32',
  },
];

/** Adds the hostile files to the copy (link targets beside it); the manifest goes into the copy. */
function addHostileFiles(workspace) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'hostile-workspace.ts'), '--into', workspace], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`scripts/hostile-workspace.ts failed: ${r.stderr}`);
}

/** Files in the crowded workspace of the `faults` configuration (SCALING_LENS_BULK_FILES overrides). */
export const BULK_FILES = Number(process.env.SCALING_LENS_BULK_FILES ?? 10_000);

/** Writes BULK_FILES small non-log files into `bulk/`, 100 per folder. */
function addBulkFiles(workspace) {
  for (let i = 0; i < BULK_FILES; i++) {
    const dir = path.join(workspace, 'bulk', `d${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `note-${i}.txt`), `note ${i}\n`);
  }
}

const RESULT_ENV = 'SCALING_LENS_TEST_RESULT';
const GREP_ENV = 'SCALING_LENS_TEST_GREP';
const CONFIG_ENV = 'SCALING_LENS_TEST_CONFIG';

function parseArgs(argv) {
  const opts = {
    config: process.env.SCALING_LENS_IT_CONFIG,
    workspace: process.env.SCALING_LENS_IT_WORKSPACE,
    grep: process.env.SCALING_LENS_IT_GREP,
    timeout: process.env.SCALING_LENS_IT_TIMEOUT,
    suite: undefined,
    extension: undefined,
    untrusted: false,
    keep: false,
    list: false,
  };
  const valued = new Set(['config', 'workspace', 'grep', 'timeout', 'suite', 'extension']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument: ${a}`);
    const key = m[1];
    if (valued.has(key)) {
      const v = m[2] ?? argv[++i];
      if (v === undefined) throw new Error(`--${key} needs a value`);
      opts[key] = v;
    } else if (key === 'untrusted' || key === 'keep' || key === 'list') {
      opts[key] = true;
    } else {
      throw new Error(`unknown option --${key}`);
    }
  }
  return opts;
}

function selectConfigurations(opts) {
  let selected;
  if (!opts.config) selected = configurations.filter((c) => c.default !== false);
  else if (opts.config === 'all') selected = [...configurations];
  else {
    selected = opts.config.split(',').map((n) => {
      const c = configurations.find((x) => x.name === n.trim());
      if (!c) throw new Error(`no configuration named "${n}" (have: ${configurations.map((x) => x.name).join(', ')})`);
      return c;
    });
  }
  return selected.map((c) => ({
    ...c,
    workspace: path.resolve(opts.workspace ?? c.workspace),
    grep: opts.grep ?? c.grep,
    trusted: opts.untrusted ? false : c.trusted !== false,
    suite: path.resolve(opts.suite ?? c.suite ?? DEFAULT_SUITE),
    extension: path.resolve(opts.extension ?? c.extension ?? repoRoot),
    timeoutSec: Number(opts.timeout ?? c.timeoutSec ?? 180),
  }));
}

/** Keeps the newest `keep` run folders under .vscode-test/logs. */
function pruneLogs(keep = 10) {
  let dirs;
  try {
    dirs = fs.readdirSync(logsRoot).sort();
  } catch {
    return;
  }
  for (const d of dirs.slice(0, Math.max(0, dirs.length - keep))) {
    fs.rmSync(path.join(logsRoot, d), { recursive: true, force: true });
  }
}

function findFiles(dir, re, out = []) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, re, out);
    else if (re.test(e.name)) out.push(p);
  }
  return out;
}

function tail(file, lines = 40, keep = () => true) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').filter(keep).slice(-lines).join('\n');
  } catch {
    return '(unreadable)';
  }
}

/**
 * Runs one configuration. Returns { name, ok, tests, passed, failed, environment, problem, logDir, ms }.
 * Exported so other runners (e.g. UI end-to-end tests) can reuse the server + browser plumbing.
 */
export async function runConfiguration(cfg, { keep = false, log = console.log } = {}) {
  const t0 = Date.now();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = path.join(logsRoot, `${stamp}-${cfg.name}`);
  const resultFile = path.join(logDir, 'result.json');
  const out = { name: cfg.name, ok: false, started: false, tests: [], passed: 0, failed: 0, logDir, ms: 0 };
  const fail = (problem) => Object.assign(out, { ok: false, problem });

  for (const [what, p] of [
    ['workspace', cfg.workspace],
    ['extensionTestsPath', cfg.suite],
    ['extensionDevelopmentPath', path.join(cfg.extension, 'package.json')],
  ]) {
    if (!fs.existsSync(p)) return fail(`${what} not found: ${p}${what === 'extensionTestsPath' ? ' (run `npm run build` first)' : ''}`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(cfg.extension, 'package.json'), 'utf8'));
  if (manifest.main && !fs.existsSync(path.resolve(cfg.extension, manifest.main))) {
    return fail(`extension entry ${manifest.main} not found in ${cfg.extension} (run \`npm run build\` first)`);
  }

  fs.mkdirSync(logDir, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `scaling-lens-it-${cfg.name}-`));
  out.started = true;
  // Suites write to their workspace (they append to logs, as a trainer would): they get a copy,
  // so the repository's examples/ never changes under a test.
  const workspace = path.join(dataDir, 'workspace');
  fs.cpSync(cfg.workspace, workspace, { recursive: true });
  if (cfg.prepare) cfg.prepare(workspace);
  const port = await freePort();
  const serverArgs = serverArguments({ port, dataDir, logDir, trusted: cfg.trusted });

  const serverLog = fs.createWriteStream(path.join(logDir, 'server.log'));
  const browserLog = fs.createWriteStream(path.join(logDir, 'browser.log'));
  const env = serverEnv({
    ...(cfg.env ?? {}),
    [RESULT_ENV]: resultFile,
    [CONFIG_ENV]: cfg.name,
    ...(cfg.grep ? { [GREP_ENV]: cfg.grep } : {}),
  });
  if (!cfg.grep) delete env[GREP_ENV];

  let server;
  let browser;
  /** @type {{ code: string, at: number } | undefined} set once the server reports the extension host exited */
  let exthostExit;
  /** @type {{ code: number | null, signal: string | null } | undefined} */
  let serverExit;
  try {
    server = spawn(process.execPath, serverArgs, {
      cwd: repoRoot,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onOutput = (chunk) => {
      serverLog.write(chunk);
      const m = /Extension Host Process exited with code: (\w+)/.exec(chunk.toString());
      if (m && !exthostExit) exthostExit = { code: m[1], at: Date.now() };
    };
    server.stdout.on('data', onOutput);
    server.stderr.on('data', onOutput);
    server.on('exit', (code, signal) => (serverExit = { code, signal }));

    // Wait until the server answers HTTP.
    const base = `http://127.0.0.1:${port}`;
    const readyBy = Date.now() + 30_000;
    for (;;) {
      if (serverExit) return fail(`VS Code server exited early (${JSON.stringify(serverExit)})`);
      try {
        const res = await fetch(`${base}/version`);
        await res.arrayBuffer();
        break;
      } catch {
        if (Date.now() > readyBy) return fail('VS Code server did not answer within 30 s');
        await sleep(200);
      }
    }
    const tReady = Date.now();
    out.msServer = tReady - t0;

    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => browserLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => browserLog.write(`[pageerror] ${e.stack ?? e}\n`));
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(cfg.extension)],
      ['extensionTestsPath', remote(cfg.suite)],
    ];
    const url = `${base}/?${new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) })}`;
    browserLog.write(`[runner] open ${url}\n`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });

    // Wait for the result file, the extension host's exit, the server's exit or the time-out.
    const deadline = Date.now() + cfg.timeoutSec * 1000;
    let result;
    let lastParseError;
    for (;;) {
      if (fs.existsSync(resultFile)) {
        try {
          const text = fs.readFileSync(resultFile, 'utf8');
          if (text.trim() === '') throw new Error('result file is empty');
          result = JSON.parse(text);
          break;
        } catch (e) {
          lastParseError = e;
        }
      }
      if (serverExit) break;
      if (exthostExit && Date.now() - exthostExit.at > 3000) break; // grace for a late write
      if (Date.now() > deadline) break;
      await sleep(250);
    }
    out.ms = Date.now() - t0;

    if (!result) {
      if (lastParseError) return fail(`result file ${resultFile} is unusable: ${lastParseError.message}`);
      const why = serverExit
        ? `the VS Code server exited (${JSON.stringify(serverExit)})`
        : exthostExit
          ? `the extension host exited with code ${exthostExit.code} without writing it ` + `(is ${cfg.suite} a suite entry point exporting run()?)`
          : `timed out after ${cfg.timeoutSec} s`;
      return fail(`no result file (${RESULT_ENV}=${resultFile}): ${why}`);
    }
    out.environment = result.environment;
    out.tests = Array.isArray(result.tests) ? result.tests : [];
    out.passed = out.tests.filter((t) => t.state === 'passed').length;
    out.failed = out.tests.filter((t) => t.state === 'failed').length;
    out.pending = out.tests.filter((t) => t.state === 'pending').length;
    if (result.error) return fail(`the suite could not run: ${result.error.message}`);
    if (out.tests.length === 0) return fail(`the suite ran 0 tests${cfg.grep ? ` (grep: ${cfg.grep})` : ''}`);
    if (out.failed > 0) return fail(`${out.failed} test(s) failed`);
    out.ok = true;
    return out;
  } catch (e) {
    return fail(`runner error: ${e?.stack ?? e}`);
  } finally {
    if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
    await stopServer(server);
    await new Promise((r) => serverLog.end(r));
    await new Promise((r) => browserLog.end(r));
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
    else log(`  data kept in ${dataDir}`);
    if (!out.ms) out.ms = Date.now() - t0;
  }
}

function printConfiguration(cfg, r) {
  const env = r.environment;
  const where = env ? `VS Code ${env.vscodeVersion} (${env.appName}, ${env.isTrusted ? 'trusted' : 'Restricted Mode'}, Node ${env.node})` : 'no result';
  const timing = r.msServer ? ` (server up after ${(r.msServer / 1000).toFixed(1)} s)` : '';
  console.log(`[${cfg.name}] ${where} — ${(r.ms / 1000).toFixed(1)} s${timing}`);
  for (const t of r.tests) {
    const mark = t.state === 'passed' ? 'pass' : t.state === 'failed' ? 'FAIL' : 'skip';
    console.log(`  ${mark}  ${t.fullTitle} (${t.durationMs} ms)`);
    if (t.state === 'failed' && t.error) {
      const detail = (t.error.stack ?? t.error.message).split('\n').slice(0, 8);
      for (const l of detail) console.log(`          ${l}`);
    }
  }
  if (!r.ok) {
    console.log(`  ${cfg.name} FAILED: ${r.problem}`);
    if (!r.started) return;
    console.log(`  logs: ${r.logDir}`);
    // The extension host's own log (minus its long list of built-in extensions) …
    const exthostLogs = findFiles(path.join(r.logDir, 'server'), /^(remote)?exthost\.log$/i);
    for (const f of exthostLogs) {
      console.log(`  --- tail of ${path.relative(r.logDir, f)} ---`);
      console.log(tail(f, 25, (l) => !/^\s+file:\/\//.test(l)).replace(/^/gm, '  | '));
    }
    if (exthostLogs.length === 0) {
      console.log('  --- tail of server.log ---');
      console.log(tail(path.join(r.logDir, 'server.log'), 25).replace(/^/gm, '  | '));
    }
    // … and its console (console.log / mocha's reporter), which VS Code forwards to the page.
    console.log('  --- tail of browser.log (extension host console) ---');
    const noise = /Failed to load resource|bad HTTP response code|ServiceWorker|service worker|allow-same-origin|open-vsx|^\s+at .*workbench\.js/;
    console.log(tail(path.join(r.logDir, 'browser.log'), 20, (l) => !noise.test(l)).replace(/^/gm, '  | '));
  }
}

async function main() {
  let opts;
  let selected;
  try {
    opts = parseArgs(process.argv.slice(2));
    selected = selectConfigurations(opts);
  } catch (e) {
    console.error(`integration: ${e.message}`);
    console.log('integration: 0 passed, 1 failed');
    return 2;
  }
  if (opts.list) {
    for (const c of configurations) {
      console.log(`${c.name}${c.default === false ? ' (not default)' : ''}: workspace=${c.workspace} trusted=${c.trusted !== false} grep=${c.grep ?? ''}`);
    }
    return 0;
  }

  const ensured = ensureServer();
  if (!ensured.ok) {
    console.error(ensured.message);
    console.error(
      ensured.code === 3
        ? 'integration: cannot prepare the VS Code server: Debian packages are missing and installing them needs root (see above)'
        : `integration: scripts/ensure-vscode-server.sh failed (exit ${ensured.code})`,
    );
    console.log('integration: 0 passed, 1 failed');
    return ensured.code === 3 ? 3 : 1;
  }
  fs.mkdirSync(logsRoot, { recursive: true });
  pruneLogs(20);

  let passed = 0;
  let failed = 0;
  for (const cfg of selected) {
    console.log(
      `[${cfg.name}] workspace ${path.relative(repoRoot, cfg.workspace) || '.'}, ` +
        `${cfg.trusted ? 'trusted' : 'Restricted Mode'}${cfg.grep ? `, grep ${cfg.grep}` : ''}`,
    );
    const r = await runConfiguration(cfg, { keep: opts.keep });
    printConfiguration(cfg, r);
    passed += r.passed;
    failed += r.failed;
    if (!r.ok && r.failed === 0) failed += 1; // no usable result: count the configuration as a failure
  }
  console.log(`integration: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      console.log('integration: 0 passed, 1 failed');
      process.exit(1);
    },
  );
}
