// Driving the VS Code workbench in headless Chromium, shared by the end-to-end tests and the demo:
// wait for the server, open the workbench on a folder, run palette commands, open files.
import * as path from 'node:path';
import { launchChromium, sleep } from '../integration/vscodeServer.mjs';

/** Resolves once the server at `base` answers, or throws after `timeoutMs`. */
export async function waitForServer(base, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await (await fetch(`${base}/version`)).arrayBuffer();
      return;
    } catch {
      if (Date.now() > until) throw new Error(`the VS Code server did not answer within ${timeoutMs / 1000} s`);
      await sleep(200);
    }
  }
}

/**
 * Opens the workbench on `folder` in a new headless Chromium page. With `developmentPath` the
 * extension is loaded from that folder (tests); without it, from the server's extensions folder.
 */
export async function openWorkbench({ base, port, folder, developmentPath }) {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const query = { folder };
  if (developmentPath) query.payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${developmentPath}`]]);
  await page.goto(`${base}/?${new URLSearchParams(query)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return { browser, page };
}

/** Runs a command by its palette title. */
export async function palette(page, command) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(command, { delay: 5 });
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** 'dark' or 'light', as the workbench shows it now. */
export async function themeOf(page) {
  return (await page.locator('.monaco-workbench.vs-dark').count()) > 0 ? 'dark' : 'light';
}

/** Opens a workspace file through the palette's file mode (Ctrl+P belongs to the browser). */
export async function openFile(page, relativePath) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(relativePath);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relativePath) })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Opens a workspace file, hovers the first `word` in it and clicks the hover's link that says `linkText`. */
export async function followHoverLink(page, relativePath, word, linkText) {
  await openFile(page, relativePath);
  await page.locator('.view-line span', { hasText: word }).first().hover();
  const link = page.locator('.monaco-hover a', { hasText: linkText }).first();
  await link.waitFor({ state: 'visible', timeout: 20_000 });
  await link.click();
}

/** Number of painted (non-transparent) pixels of a canvas inside a frame. */
export async function paintedPixels(frame, selector) {
  return frame.locator(selector).evaluate((canvas) => {
    const c = /** @type {HTMLCanvasElement} */ (canvas);
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return painted;
  });
}

/** The dashboard webview's content frame (VS Code nests it in two iframes). */
export function dashboardFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * The smallest page rectangle holding every element of `locators`, widened by `margin` pixels
 * and kept inside the viewport: a `clip` for page.screenshot, so a picture shows what it is about.
 */
export async function clipAround(page, locators, margin = 0) {
  const boxes = [];
  for (const l of locators) {
    const box = await l.boundingBox();
    if (box) boxes.push(box);
  }
  if (boxes.length === 0) throw new Error('nothing to frame: no element is on screen');
  const viewport = page.viewportSize() ?? { width: 1400, height: 900 };
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  const right = Math.min(viewport.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(viewport.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  return { x, y, width: right - x, height: bottom - y };
}

/** The first frame (at any depth) whose body text matches `pattern`, waiting up to `timeoutMs`. */
export async function frameWithText(page, pattern, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (pattern.test(text)) return { frame, text };
    }
    if (Date.now() > until) throw new Error(`no frame shows ${pattern} within ${timeoutMs / 1000} s`);
    await sleep(300);
  }
}
