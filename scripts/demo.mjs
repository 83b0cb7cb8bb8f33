#!/usr/bin/env node
// The README's main command: Scaling Lens on the real example (examples-real/: the Multi-Power Law
// curves, one run cut to its first 30%), as a user gets it.
//
//   npm run demo                 build the .vsix, install it into a real VS Code (the server that
//                                code-server ships, in .vscode-test/), open a copy of examples-real/ in
//                                headless Chromium, exercise the status bar, a code lens, a hover,
//                                the planner and the dashboard; screenshots and report in demo-output/,
//                                with the live run's forecast against its held-back true end
//   npm run demo -- --serve      the same install, left running: prints the address for a browser
//   npm run demo -- --desktop    installs the .vsix into the desktop `code` on PATH and opens examples-real/
//
// The engine's own answers come first, from the CLI, so there is something to read even where the
// VS Code server cannot be installed (it needs Debian packages, so root: the script says so).
// Exit 0 only when every step worked.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureServer, freePort, repoRoot, serverArguments, serverEnv, serverMain, sleep, stopServer } from '../test/integration/vscodeServer.mjs';
import { clipAround, dashboardFrame, frameWithText, openFile, openWorkbench, paintedPixels, palette, themeOf, waitForServer } from '../test/e2e/workbench.mjs';

const args = process.argv.slice(2);
const serve = args.includes('--serve');
const desktop = args.includes('--desktop');
const outDir = path.join(repoRoot, 'demo-output');
const examples = path.join(repoRoot, 'examples-real');
const truth = JSON.parse(fs.readFileSync(path.join(examples, 'TRUTH.json'), 'utf8'));
/** The planned config of the example, and the budget Plan Compute Budget is asked for: its 6·N·D. */
const PLANNED = 'configs/planned-1b';
/** The headline live run: the status bar is read on it. */
const HEADLINE = 'runs/llama-400m/cosine_72000';
const HEADLINE_NAME = 'llama-400m/cosine_72000';
const plannedTruth = truth.configs[PLANNED];
const budgetText = (6 * plannedTruth.params * plannedTruth.tokens).toPrecision(3).replace('e+', 'e');
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
  // The same command as `npm run package` (its vsce flags live there), into .vscode-test/.
  run('npm', ['run', '--silent', 'package', '--', '--out', vsix]);
  console.log(`${path.relative(repoRoot, vsix)} (${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB)`);
  return vsix;
}

/** The engine on the example through the CLI: runs found, their predictions, the planned config, the plan at its compute. */
function cliSummary() {
  step('The real example, read by the engine (CLI)');
  const cli = path.join(repoRoot, 'dist/cli.js');
  const scan = run(process.execPath, [cli, 'scan', examples]);
  process.stdout.write(scan);
  step(`Estimate for examples-real/${PLANNED}`);
  const estimate = run(process.execPath, [cli, 'estimate', path.join(examples, PLANNED), '--workspace', examples]);
  process.stdout.write(estimate);
  step(`Plan for ${budgetText} FLOPs (6·N·D of ${PLANNED})`);
  const plan = run(process.execPath, [cli, 'plan', '--budget', budgetText, '--workspace', examples]);
  process.stdout.write(plan);
  const runs = JSON.parse(run(process.execPath, [cli, 'scan', examples, '--json']));
  const heldBack = heldBackTable(Array.isArray(runs) ? runs : runs.runs);
  step('Held-back runs: predicted vs true final loss');
  console.log(heldBack.lines.join('\n'));
  return { scan, estimate, plan, heldBack };
}

/** Every run whose true end TRUTH.json holds back: the engine's forecast beside it. */
function heldBackTable(runs) {
  const rows = [];
  const lines = [
    '| run | logged to | predicted final loss (80% interval) | from | true final loss | error | interval covers |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [id, t] of Object.entries(truth.runs).filter(([, t]) => t.heldBack)) {
    const p = runs.find((r) => r.id === id)?.prediction;
    if (!p) {
      lines.push(`| ${id} | step ${t.lastLoggedStep} of ${t.maxSteps} | no forecast | | ${t.finalLoss.toFixed(4)} | | |`);
      rows.push({ id, ok: false });
      continue;
    }
    const [lo, hi] = p.interval;
    const error = p.predictedFinal / t.finalLoss - 1;
    const covers = lo <= t.finalLoss && t.finalLoss <= hi;
    rows.push({ id, predicted: p.predictedFinal, interval: p.interval, truth: t.finalLoss, error, covers, provenance: p.provenance });
    const alone = p.alone ? `; this run alone ${p.alone.predictedFinal.toFixed(4)} [${p.alone.interval.map((x) => x.toFixed(4)).join(', ')}]` : '';
    lines.push(
      `| ${id} | step ${t.lastLoggedStep} of ${t.maxSteps} | ${p.predictedFinal.toFixed(4)} [${lo.toFixed(4)}, ${hi.toFixed(4)}] | ${p.provenance ?? ''}${alone} | ${t.finalLoss.toFixed(4)} (step ${t.finalLossStep}) | ${(100 * error).toFixed(2)}% | ${covers ? 'yes' : 'no'} |`,
    );
  }
  return { rows, lines };
}

function desktopDemo(vsix) {
  const code = spawnSync('code', ['--version'], { encoding: 'utf8' });
  if (code.status !== 0) {
    console.error('--desktop needs a desktop VS Code with `code` on PATH; none was found.');
    return 1;
  }
  run('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
  run('code', [examples], { stdio: 'inherit' });
  console.log(`Opened examples-real/ in VS Code: open ${PLANNED}/config.json, hover hidden_size, run "Scaling Lens: Show Dashboard".`);
  return 0;
}

/** Installs the .vsix into a fresh extensions folder of the VS Code server. */
function installIntoServer(vsix, dataDir) {
  step('Installing the package into the VS Code server');
  const out = run(
    process.execPath,
    [
      serverMain,
      '--install-extension',
      vsix,
      '--extensions-dir',
      path.join(dataDir, 'extensions'),
      '--user-data-dir',
      path.join(dataDir, 'user-data'),
      '--server-data-dir',
      path.join(dataDir, 'server-data'),
      '--accept-server-license-terms',
    ],
    { env: serverEnv({}) },
  );
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
  // A full-window picture for the report, and with `clip` a framed one for the README
  // (readme-<name>.png, copied into media/screenshots/ by `npm run screenshots`).
  const shot = async (name, clip) => {
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file });
    if (clip) await page.screenshot({ path: path.join(outDir, `readme-${name}.png`), clip });
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
  const editorPart = page.locator('.part.editor');
  // The active editor without its tab bar: what the README's dashboard and planner pictures frame.
  const editorBody = page.locator('.part.editor .editor-group-container.active .editor-container').first();

  await attempt("Status bar: the live run's predicted final loss", async () => {
    const item = page.locator('.statusbar-item', { hasText: '→' }).first();
    await item.waitFor({ timeout: 90_000 });
    // The headline live run (the status bar follows the run whose files were opened last), once its
    // forecast from its finished siblings has landed (its own curve's comes first).
    await openFile(page, `${HEADLINE}/trainer_state.json`);
    await page
      .locator('.statusbar-item', { hasText: HEADLINE_NAME })
      .filter({ hasText: 'from siblings' })
      .first()
      .waitFor({ timeout: 120_000 })
      .catch(() => {});
    const text = (await page.locator('.statusbar-item', { hasText: '→' }).first().innerText()).trim();
    return { text, loss: Number(/→\s*(\d+\.\d+)/.exec(text)?.[1]), screenshot: await shot('status-bar') };
  });
  await attempt(`Code lens on ${PLANNED}/config.json`, async () => {
    // The server opens its own welcome walkthrough at start: close it first.
    await palette(page, 'View: Close All Editors');
    await openFile(page, `${PLANNED}/config.json`);
    const lens = page.locator('.codelens-decoration', { hasText: 'FLOPs' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await sleep(500);
    const editor = await editorPart.boundingBox();
    const clip = await clipAround(page, [lens, page.locator('.view-line', { hasText: 'hidden_size' }).first()], 24);
    return { text: (await lens.innerText()).replace(/\s+/g, ' ').trim(), screenshot: await shot('lens', { ...clip, x: editor.x, width: editor.width }) };
  });
  await attempt('Hover on hidden_size', async () => {
    const key = page.locator('.view-line span', { hasText: 'hidden_size' }).first();
    await key.hover();
    const hover = page.locator('.monaco-hover', { hasText: 'Scaling Lens' }).first();
    await hover.waitFor({ state: 'visible', timeout: 20_000 });
    await sleep(300);
    const text = (await hover.innerText()).replace(/\s+/g, ' ').trim();
    if (!/Model width \(hidden_size\)/.test(text) || !/Loss \d\.\d{3}/.test(text)) throw new Error(`hover: ${text.slice(0, 200)}`);
    const screenshot = await shot('hover', await clipAround(page, [hover, key], 16));
    await page.keyboard.press('Escape');
    return { text: text.slice(0, 240), loss: Number(/Loss (\d\.\d{3})/.exec(text)?.[1]), screenshot };
  });
  // The planner through the palette, as a person runs it: the command is found by its title in
  // the manifest, the budget typed, constraints left empty; the plan must open and be announced.
  const plan = manifest.contributes.commands.find((c) => /plan compute budget/i.test(c.title));
  await attempt(`Plan Compute Budget for ${budgetText} FLOPs (6·N·D of ${PLANNED}) from the command palette`, async () => {
    if (!plan) throw new Error('no command titled "Plan Compute Budget" in package.json');
    await palette(page, `${plan.category}: ${plan.title}`);
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'Budget' }).waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(budgetText);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'constraints' }).waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter'); // no constraints
    const toast = page.locator('.notification-toast', { hasText: `plan for ${budgetText}` }).first();
    await toast.waitFor({ timeout: 60_000 });
    await toast.hover(); // a hovered toast stays until the picture is taken
    const announced = (await toast.locator('.notification-list-item-message').first().innerText()).trim();
    // The plan opens as a markdown preview (a webview frame); the text editor is the fallback
    // where VS Code's markdown extension is missing, and the report says which one it was.
    const shown = await frameWithText(page, new RegExp(`Compute budget: ${budgetText}[\\s\\S]*Recommended`), 30_000)
      .then(({ text }) => ({ text, as: 'preview' }))
      .catch(async () => ({ text: await page.locator('.editor-instance .view-lines').first().innerText(), as: 'markdown source (no preview)' }));
    if (!shown.text.includes(`Compute budget: ${budgetText}`)) throw new Error('the plan was announced but not shown');
    const recommended = shown.text.split('\n').find((l) => /parameters/.test(l)) ?? '';
    await sleep(1000);
    const screenshot = await shot('planner', await clipAround(page, [editorBody, toast], 0));
    await toast.hover();
    await toast
      .locator('.codicon-notifications-clear, .codicon-close')
      .first()
      .click()
      .catch(() => page.keyboard.press('Escape'));
    const loss = Number(/Predicted loss:\s*(\d\.\d+)/.exec(shown.text)?.[1]);
    return { text: `${announced} Shown as ${shown.as}: ${recommended} Predicted loss ${loss}`.replace(/\s+/g, ' ').trim().slice(0, 260), loss, screenshot };
  });
  await attempt('Dashboard: runs table and loss curves', async () => {
    await palette(page, 'Scaling Lens: Show Dashboard');
    const frame = dashboardFrame(page);
    const rows = frame.locator('#runs tbody tr');
    await rows.first().waitFor({ timeout: 60_000 });
    await sleep(1500);
    const painted = await paintedPixels(frame, '#curves');
    if (painted < 1000) throw new Error(`the chart painted only ${painted} pixels`);
    const screenshot = await shot(`dashboard-${await themeOf(page)}`);
    await page.screenshot({ path: path.join(outDir, 'readme-dashboard.png'), clip: await clipAround(page, [editorBody], 0) });
    return { text: `${await rows.count()} runs in the table, ${painted} chart pixels painted`, screenshot };
  });
  // The walkthrough as VS Code shows it from the installed package: its steps, and its images
  // loaded from the .vsix (they are the README's screenshots).
  const walkthrough = manifest.contributes.walkthroughs?.[0];
  await attempt('Walkthrough: "Get started with Scaling Lens"', async () => {
    if (!walkthrough) throw new Error('no walkthrough in package.json');
    await palette(page, 'Welcome: Open Walkthrough...');
    await sleep(700); // the walkthrough picker replaces the palette
    await page.locator('.quick-input-widget input').fill(walkthrough.title);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: walkthrough.title }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    const steps = page.locator('.getting-started-step .step-title');
    await steps.first().waitFor({ timeout: 15_000 });
    const titles = (await steps.allInnerTexts()).map((t) => t.trim());
    const missing = walkthrough.steps.filter((s) => !titles.includes(s.title)).map((s) => s.title);
    if (missing.length) throw new Error(`steps not shown: ${missing.join(', ')} (shown: ${titles.join(', ')})`);
    await page.locator('.getting-started-step', { hasText: walkthrough.steps[1].title }).first().click();
    const image = page.locator('.getting-started-media img').first();
    await image.waitFor({ timeout: 10_000 });
    await sleep(1000);
    const image_ = await image.evaluate((img) => ({ loaded: img.complete && img.naturalWidth > 0, src: img.currentSrc }));
    if (!image_.loaded) throw new Error(`the step image ${image_.src} did not load`);
    return { text: `${titles.length} steps: ${titles.join(' · ')}; step image loaded`, screenshot: await shot('walkthrough') };
  });
  // The README as the Extensions view shows it for the installed package. Its pictures are
  // relative links (no repository to point them at); VS Code's extension page loads README
  // images only from https URLs (microsoft/vscode#43173), so they are counted, not required.
  await attempt('Extension details: the README of the installed .vsix', async () => {
    // The Extensions view, searched for installed extensions.
    await page.locator('.activitybar .action-item a[aria-label^="Extensions"]').first().click();
    const search = page.locator('.extensions-viewlet .suggest-input-container, .extensions-viewlet .monaco-editor').first();
    await search.waitFor({ timeout: 10_000 });
    await search.click();
    await page.keyboard.type(`@installed ${manifest.displayName}`, { delay: 5 });
    const item = page.locator('.extension-list-item', { hasText: manifest.displayName }).first();
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    const { frame } = await frameWithText(page, /Privacy/, 30_000);
    await sleep(1500);
    const seen = await frame.evaluate(() => ({
      headings: [...document.querySelectorAll('h2')].map((h) => h.textContent?.trim() ?? ''),
      images: [...document.images].map((img) => img.complete && img.naturalWidth > 0),
    }));
    for (const want of ['Getting started', 'Formats it reads', 'Laws it fits', 'Settings', 'Privacy']) {
      if (!seen.headings.includes(want)) throw new Error(`no "${want}" section on the extension page: ${seen.headings.join(', ')}`);
    }
    const loaded = seen.images.filter(Boolean).length;
    return {
      text: `README shown (${seen.headings.length} sections); ${loaded} of ${seen.images.length} relative images shown (VS Code loads README images only from https)`,
      screenshot: await shot('extension-details'),
    };
  });
}

/**
 * The three answers the editor gave on one family, checked against each other: the live run's forecast
 * (status bar), the planned config's (hover: more parameters, as many tokens, so no worse), and the
 * plan at that config's compute (its recommendation is the best by the same model, so no worse).
 */
function agreement(report, heldBack) {
  const loss = (re) => report.find((r) => re.test(r.name))?.loss;
  const engine = heldBack.rows.find((r) => r.id === HEADLINE)?.predicted;
  const live = loss(/^Status bar/);
  const planned = loss(/^Hover/);
  const plan = loss(/^Plan Compute Budget/);
  const rows = [
    [`${HEADLINE} forecast (status bar)`, live, 2],
    [`${HEADLINE} forecast (engine, CLI)`, engine, 4],
    [`${PLANNED} (hover)`, planned, 3],
    [`plan at ${budgetText} FLOPs (recommended)`, plan, 3],
  ].map(([what, v, digits]) => `| ${what} | ${Number.isFinite(v) ? v.toFixed(digits) : 'not read'} |`);
  // The status bar rounds to 2 decimals: it is checked against the engine's forecast, and the planned config against that.
  const checks = [
    ["the status bar shows the engine's forecast of the live run", Math.abs(live - engine) <= 0.005],
    [`${PLANNED} (1.14B parameters) predicted below the live 495M run on as many tokens`, planned < engine],
    [`the plan at ${PLANNED}'s compute recommends no worse than ${PLANNED}`, plan <= planned + 5e-4],
  ];
  const lines = ['| answer | predicted final loss |', '|---|---|', ...rows, '', ...checks.map(([what, ok]) => `- ${ok ? 'agree' : 'DISAGREE'}: ${what}`)];
  return { lines, ok: checks.every(([, ok]) => ok) };
}

function writeReport(report, cli, started) {
  const lines = [
    '# Scaling Lens demo',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores · Node ${process.version} · ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    '',
    '| step | result | what was seen | screenshot |',
    '|---|---|---|---|',
    ...report.map(
      (r) =>
        `| ${r.name} | ${r.ok ? 'ok' : 'FAILED'} (${r.ms} ms) | ${(r.text ?? '').replace(/\|/g, '\\|')} | ${r.screenshot ? `[${path.basename(r.screenshot)}](${path.basename(r.screenshot)})` : ''} |`,
    ),
    '',
    '## Held-back runs: predicted vs true final loss',
    '',
    `The real example (examples-real/, ${truth.source.paper}). Predictions from the engine (\`scan --json\`, the core the extension runs); truths from examples-real/TRUTH.json.`,
    '',
    ...cli.heldBack.lines,
    '',
    '## Do the answers agree (as VS Code showed them)',
    '',
    ...agreement(report, cli.heldBack).lines,
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
    '```',
    cli.plan.trimEnd(),
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
  // Its steps print as they happen: a first run installs Debian packages (listed first) and the server.
  const server = ensureServer({ stream: true });
  if (!server.ok) {
    console.error(server.message);
    console.error('The engine ran above; the editor part of the demo needs the VS Code server. Use `--desktop` with a desktop VS Code instead.');
    return server.code === 3 ? 3 : 1;
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaling-lens-demo-'));
  const workspace = path.join(dataDir, 'examples-real');
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
    const agreed = agreement(report, cli.heldBack);
    console.log(`\n${agreed.lines.join('\n')}`);
    console.log(
      `\ndemo: ${report.length - failed} steps ok, ${failed} failed; answers ${agreed.ok ? 'agree' : 'DISAGREE'}; report and screenshots in ${path.relative(repoRoot, outDir)}/`,
    );
    return failed === 0 && agreed.ok ? 0 : 1;
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
