// The plumbing shared by the integration runner (run.mjs) and the UI end-to-end runner (e2e):
// the VS Code server that code-server ships, started on a free loopback port, and Debian's
// headless Chromium driven by playwright-core. Recipe: ../shared/notes/real-vscode-here.md.
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const serverMain = path.join(repoRoot, '.vscode-test/server/node_modules/code-server/lib/vscode/out/server-main.js');
const chromiumPath = process.env.SCALING_LENS_CHROMIUM ?? '/usr/bin/chromium';

/** Arguments of the bare VS Code server; trusted = `--disable-workspace-trust`. */
export function serverArguments({ port, dataDir, logDir, trusted }) {
  const args = [
    serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-telemetry',
    '--user-data-dir',
    path.join(dataDir, 'user-data'),
    '--server-data-dir',
    path.join(dataDir, 'server-data'),
    '--extensions-dir',
    path.join(dataDir, 'extensions'),
    '--logsPath',
    path.join(logDir, 'server'),
  ];
  if (trusted) args.push('--disable-workspace-trust');
  return args;
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs scripts/ensure-vscode-server.sh. With `stream` (the demo) its steps are printed as they
 * happen, so a first install (Debian packages, then the server, a minute or two) is not silent.
 */
export function ensureServer({ stream = false } = {}) {
  const script = path.join(repoRoot, 'scripts/ensure-vscode-server.sh');
  if (stream) {
    const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status === 0) return { ok: true, message: '' };
    return { ok: false, code: r.status ?? 1, message: r.error ? String(r.error) : 'scripts/ensure-vscode-server.sh failed (its output is above)' };
  }
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status === 0) return { ok: true, message: r.stdout.trim() };
  return { ok: false, code: r.status ?? 1, message: `${r.stdout}${r.stderr}`.trim() || String(r.error) };
}

/** Environment for the server: ours minus anything that would tie it to an enclosing VS Code. */
export function serverEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function killGroup(child, signal) {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // detached: the server leads its own process group
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export async function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  killGroup(child, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) killGroup(child, 'SIGKILL');
  // The extension host and other children share the group; make sure none lingers.
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* group already empty */
  }
}
