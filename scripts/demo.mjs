#!/usr/bin/env node
// The README's main command: Scaling Lens on the bundled example sweep, as a user gets it.
//
//   npm run demo                 build the .vsix, install it into a real VS Code (the server that
//                                code-server ships, in .vscode-test/), open a copy of examples/ in
//                                headless Chromium, exercise the status bar, a code lens, a hover,
//                                the planner and the dashboard; screenshots and report in demo-output/
//   npm run demo -- --serve      the same install, left running: prints the address for a browser
//   npm run demo -- --desktop    installs the .vsix into the desktop `code` on PATH and opens examples/
//
// The engine's own answers come first, from the CLI, so there is something to read even where the
// VS Code server cannot be installed (it needs Debian packages, so root: the script says so).
// Exit 0 only when every step worked.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureServer, freePort, repoRoot, serverArguments, serverEnv, serverMain, sleep, stopServer } from '../test/integration/vscodeServer.mjs';
import { dashboardFrame, openFile, openWorkbench, paintedPixels, palette, themeOf, waitForServer } from '../test/e2e/workbench.mjs';

const args = process.argv.slice(2);
const serve = args.includes('--serve');
const desktop = args.includes('--desktop');
const outDir = path.join(repoRoot, 'demo-output');
const examples = path.join(repoRoot, 'examples');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

function run(command, commandArgs, options = {}) {
  const r = spawnSync(command, commandArgs, { cwd: repoRoot, encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r.stdout;
}

function step(title) {
  console.log(`\n== ${title}`);
}

/** Builds the production bundles and the .vsix a user would install. */
function buildPackage() {
  step('Building the production package');
  run(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });
  const vsix = path.join(repoRoot, '.vscode-test', `scaling-lens-${manifest.version}.vsix`);
  fs.mkdirSync(path.dirname(vsix), { recursive: true });
  run(path.join(repoRoot, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix]);
  console.log(`${path.relative(repoRoot, vsix)} (${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB)`);
  return vsix;
}

/** The engine on the examples through the CLI: runs found, their predictions, a planned run. */
function cliSummary() {
  step('The example sweep, read by the engine (CLI)');
  const cli = path.join(repoRoot, 'dist/cli.js');
  const scan = run(process.execPath, [cli, 'scan', examples]);
  process.stdout.write(scan);
  step('Estimate for examples/configs/planned-400m');
  const estimate = run(process.execPath, [cli, 'estimate', path.join(examples, 'configs/planned-400m'), '--workspace', examples]);
  process.stdout.write(estimate);
  return { scan, estimate };
}

function desktopDemo(vsix) {
  const code = spawnSync('code', ['--version'], { encoding: 'utf8' });
  if (code.status !== 0) {
    console.error('--desktop needs a desktop VS Code with `code` on PATH; none was found.');
    return 1;
  }
  run('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
  run('code', [examples], { stdio: 'inherit' });
  console.log('Opened examples/ in VS Code: open configs/planned-400m/config.json, hover hidden_size, run "Scaling Lens: Show Dashboard".');
  return 0;
}

/** Installs the .vsix into a fresh extensions folder of the VS Code server. */
function installIntoServer(vsix, dataDir) {
  step('Installing the package into the VS Code server');
  const out = run(process.execPath, [
    serverMain,
    '--install-extension', vsix,
    '--extensions-dir', path.join(dataDir, 'extensions'),
    '--user-data-dir', path.join(dataDir, 'user-data'),
    '--server-data-dir', path.join(dataDir, 'server-data'),
    '--accept-server-license-terms',
  ], { env: serverEnv({}) });
  process.stdout.write(out);
}

function startServer(dataDir, port) {
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  return spawn(process.execPath, serverArguments({ port, dataDir, logDir, trusted: true }), {
    cwd: repoRoot,
    env: serverEnv({}),
    detached: true,
    stdio: ['ignore', fs.openSync(path.join(logDir, 'server.log'), 'w'), fs.openSync(path.join(logDir, 'server.err'), 'w')],
  });
}

/** Drives the installed extension through the UI; every step records what it saw. */
async function exercise(page, report) {
  const shot = async (name) => {
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file });
    return path.relative(repoRoot, file);
  };
  const attempt = async (name, fn) => {
    const t = Date.now();
    try {
      const seen = await fn();
      report.push({ name, ok: true, ms: Date.now() - t, ...seen });
      console.log(`  ok    ${name}: ${seen.text ?? ''}`);
    } catch (e) {
      const screenshot = await shot(`failed-${report.length + 1}`).catch(() => undefined);
      report.push({ name, ok: false, ms: Date.now() - t, text: String(e?.message ?? e).split('\n')[0], screenshot });
      console.log(`  FAIL  ${name}: ${String(e?.message ?? e).split('\n')[0]}`);
    }
  };

  await attempt('Status bar: the live run\'s predicted final loss', async () => {
    const item = page.locator('.statusbar-item', { hasText: '→' }).first();
    await item.waitFor({ timeout: 90_000 });
    return { text: (await item.innerText()).trim(), screenshot: await shot('status-bar') };
  });
  await attempt('Code lens on configs/planned-400m/config.json', async () => {
    await openFile(page, 'configs/planned-400m/config.json');
    const lens = page.locator('.codelens-decoration', { hasText: 'FLOPs' }).first();
    await lens.waitFor({ timeout: 60_000 });
    return { text: (await lens.innerText()).trim(), screenshot: await shot('lens') };
  });
  await attempt('Hover on hidden_size', async () => {
    await page.locator('.view-line span', { hasText: 'hidden_size' }).first().hover();
    const hover = page.locator('.monaco-hover', { hasText: 'Scaling Lens' }).first();
    await hover.waitFor({ state: 'visible', timeout: 20_000 });
    const text = (await hover.innerText()).replace(/\s+/g, ' ').trim();
    const screenshot = await shot('hover');
    await page.keyboard.press('Escape');
    return { text: text.slice(0, 240), screenshot };
  });
  const planTitle = manifest.contributes.commands.find((c) => /plan compute budget/i.test(c.title));
  if (planTitle) {
    await attempt('Plan compute budget for 1e21 FLOPs', async () => {
      await palette(page, `${planTitle.category}: ${planTitle.title}`);
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('1e21');
      await page.keyboard.press('Enter');
      // Enter accepts the defaults of any further question.
      for (let i = 0; i < 4; i++) {
        await sleep(700);
        if (!(await page.locator('.quick-input-widget').isVisible())) break;
        await page.keyboard.press('Enter');
      }
      const result = page.locator('.monaco-editor, iframe.webview.ready').filter({ hasText: /tokens|Tokens/ }).first();
      await sleep(3000);
      const text = (await result.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
      return { text: text.slice(0, 240) || 'plan shown', screenshot: await shot('planner') };
    });
  }
  await attempt('Dashboard: runs table and loss curves', async () => {
    await palette(page, 'Scaling Lens: Show Dashboard');
    const frame = dashboardFrame(page);
    const rows = frame.locator('#runs tbody tr');
    await rows.first().waitFor({ timeout: 60_000 });
    await sleep(1500);
    const painted = await paintedPixels(frame, '#curves');
    if (painted < 1000) throw new Error(`the chart painted only ${painted} pixels`);
    return { text: `${await rows.count()} runs in the table, ${painted} chart pixels painted`, screenshot: await shot(`dashboard-${await themeOf(page)}`) };
  });
}

function writeReport(report, cli, started) {
  const lines = [
    '# Scaling Lens demo',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores · Node ${process.version} · ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    '',
    '| step | result | what was seen | screenshot |',
    '|---|---|---|---|',
    ...report.map((r) => `| ${r.name} | ${r.ok ? 'ok' : 'FAILED'} (${r.ms} ms) | ${(r.text ?? '').replace(/\|/g, '\\|')} | ${r.screenshot ? `[${path.basename(r.screenshot)}](${path.basename(r.screenshot)})` : ''} |`),
    '',
    '## The engine on the same workspace (CLI)',
    '',
    '```',
    cli.scan.trimEnd(),
    '```',
    '',
    '```',
    cli.estimate.trimEnd(),
    '```',
    '',
  ];
  fs.writeFileSync(path.join(outDir, 'report.md'), lines.join('\n'));
}

async function main() {
  const started = Date.now();
  const vsix = buildPackage();
  const cli = cliSummary();
  if (desktop) return desktopDemo(vsix);

  step('Preparing the VS Code server (scripts/ensure-vscode-server.sh)');
  const server = ensureServer();
  if (!server.ok) {
    console.error(server.message);
    console.error('The engine ran above; the editor part of the demo needs the VS Code server. Use `--desktop` with a desktop VS Code instead.');
    return server.code === 3 ? 3 : 1;
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaling-lens-demo-'));
  const workspace = path.join(dataDir, 'examples');
  fs.cpSync(examples, workspace, { recursive: true });
  installIntoServer(vsix, dataDir);
  const port = serve ? Number(process.env.SCALING_LENS_DEMO_PORT ?? 8080) : await freePort();
  const child = startServer(dataDir, port);
  const base = `http://127.0.0.1:${port}`;
  let browser;
  try {
    await waitForServer(base);
    if (serve) {
      step('Serving');
      console.log(`Open ${base}/?folder=${encodeURIComponent(workspace)} in a browser (Ctrl+C stops the server).`);
      await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        child.once('exit', resolve);
      });
      return 0;
    }
    step('Exercising the installed extension in headless Chromium');
    const opened = await openWorkbench({ base, port, folder: workspace });
    browser = opened.browser;
    const report = [];
    await exercise(opened.page, report);
    writeReport(report, cli, started);
    const failed = report.filter((r) => !r.ok).length;
    console.log(`\ndemo: ${report.length - failed} steps ok, ${failed} failed; report and screenshots in ${path.relative(repoRoot, outDir)}/`);
    return failed === 0 ? 0 : 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopServer(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e?.message ?? e);
    process.exit(1);
  },
);
