#!/usr/bin/env node
// End to end through the UI, as a person would use it: the VS Code server with this extension
// (development build), opened in headless Chromium on a copy of examples/. It reads the code lens
// from the editor's DOM, hovers a model key, runs "Show Dashboard" from the command palette, checks
// the dashboard's table and canvas inside the webview's nested iframes, and saves screenshots
// (dark and light) under test/e2e/screenshots/ (git-ignored) for a person to look at.
//
//   npm run build && node test/e2e/run.mjs [--keep]
//
// Closing line: `e2e: N passed, N failed`. Exit 0 only when every check passed.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureServer, freePort, launchChromium, repoRoot, serverArguments, serverEnv, sleep, stopServer } from '../integration/vscodeServer.mjs';

const shots = path.join(repoRoot, 'test/e2e/screenshots');
const keep = process.argv.includes('--keep');
const checks = [];
/** The page under test, for a screenshot when a check fails. */
let currentPage;

async function check(name, fn) {
  const t = Date.now();
  try {
    const detail = await fn();
    checks.push({ name, ok: true });
    console.log(`  pass  ${name} (${Date.now() - t} ms)${detail ? `: ${detail}` : ''}`);
  } catch (e) {
    checks.push({ name, ok: false });
    const shot = path.join(shots, `failed-${checks.length}.png`);
    await currentPage?.screenshot({ path: shot }).catch(() => {});
    console.log(`  FAIL  ${name}: ${String(e?.message ?? e).split('\n')[0]} (screenshot ${path.relative(repoRoot, shot)})`);
  }
}

async function palette(page, command) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(command, { delay: 5 });
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** 'dark' or 'light', as the workbench shows it now. */
async function themeOf(page) {
  return (await page.locator('.monaco-workbench.vs-dark').count()) > 0 ? 'dark' : 'light';
}

/** Opens a workspace file through the palette's file mode (Ctrl+P belongs to the browser). */
async function openFile(page, relativePath) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(relativePath);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relativePath) }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

async function main() {
  const server = ensureServer();
  if (!server.ok) {
    console.error(server.message);
    console.log('e2e: 0 passed, 1 failed');
    return server.code === 3 ? 3 : 1;
  }
  if (!fs.existsSync(path.join(repoRoot, 'dist/extension.js'))) throw new Error('dist/extension.js missing: run `npm run build` first');
  fs.mkdirSync(shots, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaling-lens-e2e-'));
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir);
  const workspace = path.join(dataDir, 'workspace');
  fs.cpSync(path.join(repoRoot, 'examples'), workspace, { recursive: true });
  const port = await freePort();
  const child = spawn(process.execPath, serverArguments({ port, dataDir, logDir, trusted: true }), {
    cwd: repoRoot,
    env: serverEnv({}),
    detached: true,
    stdio: ['ignore', fs.openSync(path.join(logDir, 'server.log'), 'w'), fs.openSync(path.join(logDir, 'server.err'), 'w')],
  });
  let browser;
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        await (await fetch(`${base}/version`)).arrayBuffer();
        break;
      } catch {
        if (i > 150) throw new Error('the VS Code server did not answer within 30 s');
        await sleep(200);
      }
    }
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    currentPage = page;
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${repoRoot}`]];
    await page.goto(`${base}/?${new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) })}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: /runs?|→/ }).first().waitFor({ timeout: 60_000 });

    await check('the status bar shows the live run\'s predicted final loss', async () => {
      const item = page.locator('.statusbar-item', { hasText: '→' }).first();
      await item.waitFor({ timeout: 30_000 });
      const text = (await item.innerText()).trim();
      if (!/\d\.\d{3} → \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/.test(text)) throw new Error(`status bar: ${text}`);
      return text;
    });

    await check('the code lens above a config shows the predicted loss and FLOPs', async () => {
      await openFile(page, 'configs/planned-400m/config.json');
      const lens = page.locator('.codelens-decoration', { hasText: 'FLOPs' }).first();
      await lens.waitFor({ timeout: 30_000 });
      const text = (await lens.innerText()).trim();
      if (!/Loss \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\].*FLOPs/.test(text)) throw new Error(`lens: ${text}`);
      await page.screenshot({ path: path.join(shots, 'lens.png') });
      return text;
    });

    await check('hovering hidden_size shows the Scaling Lens table', async () => {
      await page.locator('.view-line span', { hasText: 'hidden_size' }).first().hover();
      const hover = page.locator('.monaco-hover', { hasText: 'Scaling Lens' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await hover.innerText();
      if (!/Parameters/.test(text) || !/Predicted loss/.test(text)) throw new Error(`hover: ${text.slice(0, 200)}`);
      await page.screenshot({ path: path.join(shots, 'hover.png') });
      await page.keyboard.press('Escape');
    });

    const dashboardFrame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await check('"Scaling Lens: Show Dashboard" draws the runs table and the chart', async () => {
      await palette(page, 'Scaling Lens: Show Dashboard');
      const rows = dashboardFrame.locator('#runs tbody tr');
      await rows.nth(6).waitFor({ timeout: 30_000 });
      const count = await rows.count();
      const drawn = await dashboardFrame.locator('#curves').evaluate((canvas) => {
        const c = /** @type {HTMLCanvasElement} */ (canvas);
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
        return painted;
      });
      if (drawn < 1000) throw new Error(`the chart painted only ${drawn} pixels`);
      await sleep(500);
      await page.screenshot({ path: path.join(shots, `dashboard-${await themeOf(page)}.png`) });
      return `${count} runs, ${drawn} pixels painted`;
    });

    await check('sorting the runs table by last loss puts the lowest first, and the x axis switches to tokens', async () => {
      await dashboardFrame.locator('#runs th button[data-column="lastLoss"]').click();
      const lastLoss = await dashboardFrame.locator('#runs tbody tr td:nth-child(6)').allInnerTexts();
      const values = lastLoss.map(Number).filter(Number.isFinite);
      for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) throw new Error(`not ascending: ${values.join(', ')}`);
      await dashboardFrame.locator('#xaxis').selectOption('tokens');
      await dashboardFrame.locator('.chart').evaluate(() => new Promise((r) => setTimeout(r, 300)));
      return `last losses ${values.join(', ')}`;
    });

    await check('the dashboard redraws in the other theme', async () => {
      const before = await themeOf(page);
      await palette(page, 'Preferences: Toggle between Light/Dark Themes');
      const after = before === 'dark' ? 'light' : 'dark';
      await dashboardFrame.locator(`body.vscode-${after}`).waitFor({ timeout: 15_000 });
      await sleep(1000);
      await dashboardFrame.locator('#runs tbody tr').first().waitFor();
      await page.screenshot({ path: path.join(shots, `dashboard-${after}.png`) });
      return `${before} → ${after}`;
    });
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopServer(child);
    if (keep) console.log(`  data and logs kept in ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const passed = checks.filter((c) => c.ok).length;
  console.log(`  screenshots in ${path.relative(repoRoot, shots)}/`);
  console.log(`e2e: ${passed} passed, ${checks.length - passed} failed`);
  return passed === checks.length && checks.length > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  },
);
