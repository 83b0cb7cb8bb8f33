// End to end, "Plan Experiments" as a person uses it: the "Plan ladder" lens on a config of the
// example sweep, Enter for the default ladder budget (1%: the distance from the largest run
// dominates, nothing to plan, and the plan says what budget would buy a run), then that budget, the plan rendered, "Write Configs…" into the
// folder it proposes, the written config opened with its own lenses, and the dashboard's scaling
// view with the planned runs. Saves the README's three pictures (media/screenshots/ladder-*.png).
// Run last by run.mjs: the scaling view keeps the ladder drawn afterwards.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../integration/vscodeServer.mjs';
import { clipAround, dashboardFrame, frameWithText, openFile, palette, paintedPixels } from './workbench.mjs';

/**
 * `check(name, fn)` records a check; `readmePicture(page, name, clip)` saves a README picture;
 * `workspaceDir` is the workspace copy the workbench has open; `exportCsv(page, frame, file)` and
 * `chooseOption(frame, id, text)` are run.mjs's (the dashboard's Export CSV, one of its dropdowns).
 */
export async function ladderChecks(page, { check, readmePicture, workspaceDir, exportCsv, chooseOption }) {
  let toast;
  let planned = 0;
  await check(
    'the "Plan ladder" lens with the default budget (1%): the distance dominates, no run is planned, and the plan names the budget that buys one',
    async () => {
      await palette(page, 'View: Close All Editors');
      await openFile(page, 'configs/planned-400m/config.json');
      const lens = page.locator('.codelens-decoration a', { hasText: /^\s*Plan ladder\s*$/ }).first();
      await lens.waitFor({ timeout: 60_000 });
      await lens.click();
      await page.locator('.quick-input-widget', { hasText: 'ladder budget' }).waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');
      const said = page.locator('.notification-toast', { hasText: 'no run within the ladder budget' }).first();
      await said.waitFor({ timeout: 90_000 });
      const { text } = await frameWithText(page, /Ladder for configs\/planned-400m\/config\.json[\s\S]*What would narrow it/, 30_000);
      if (!/the distance from your largest run \(×[\d.]+ in compute\) dominates the interval/.test(text))
        throw new Error(`no distance stop: ${text.slice(0, 600)}`);
      const distanceText = /What would narrow it:?\s*([^\n]+)/.exec(text)?.[1] ?? '';
      if (!/buys it/.test(distanceText)) throw new Error(`no budget named: ${distanceText}`);
      await palette(page, 'Notifications: Clear All Notifications');
      return distanceText.slice(0, 240);
    },
  );

  await check('the "Plan ladder" lens with the budget that buys a run ($12): the plan rendered as a table (README picture ladder-plan)', async () => {
    await palette(page, 'View: Close All Editors');
    await openFile(page, 'configs/planned-400m/config.json');
    const lens = page.locator('.codelens-decoration a', { hasText: /^\s*Plan ladder\s*$/ }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    await page.locator('.quick-input-widget', { hasText: 'ladder budget' }).waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.type('$12');
    await page.keyboard.press('Enter');
    toast = page.locator('.notification-toast', { hasText: 'ladder of' }).first();
    await toast.waitFor({ timeout: 90_000 });
    planned = Number(/ladder of (\d+) run/.exec(await toast.innerText())?.[1] ?? 0);
    if (!(planned >= 1)) throw new Error(`toast: ${await toast.innerText()}`);
    await toast.hover();
    const { frame, text } = await frameWithText(page, /Ladder for configs\/planned-400m\/config\.json[\s\S]*Why each run[\s\S]*ladder-01-/, 30_000);
    await sleep(800);
    const rows = await frame.locator('table tbody tr').count();
    if (rows < planned) throw new Error(`${rows} table rows for ${planned} planned runs`);
    if (!/Now\s*\(the family's finished runs\)/.test(text)) throw new Error('no "Now" line: the example family\'s runs should give one');
    // No header or cell on two lines at this width ("1 stop" and "layers × d" once were): each cell's text on one line.
    const wrapped = await frame
      .locator('table')
      .first()
      .evaluate((table) =>
        [...table.querySelectorAll('th, td')]
          .filter((cell) => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
          })
          .map((cell) => cell.textContent),
      );
    if (wrapped.length) throw new Error(`cells on two lines: ${wrapped.join(' | ')}`);
    const clip = await clipAround(page, [frame.locator('h1').first(), frame.locator('table').first(), frame.locator('table + p').first()], 16);
    const size = await readmePicture(page, 'ladder-plan', clip);
    return `${planned} planned run(s), ${rows} rows; picture ${size}`;
  });

  await check(
    '"Write Configs…": the ladder written beside the target in its format, each config read back with its own lenses (README picture ladder-written)',
    async () => {
      if (!toast) throw new Error('no plan');
      await toast.hover();
      await toast.locator('.monaco-button', { hasText: 'Write Configs' }).click();
      const input = page.locator('.quick-input-widget input');
      await page.locator('.quick-input-widget', { hasText: 'write the ladder' }).waitFor({ state: 'visible', timeout: 15_000 });
      const proposed = await input.inputValue();
      if (proposed !== 'configs/ladder') throw new Error(`proposed folder ${proposed}`);
      await page.keyboard.press('Enter');
      const ladderDir = path.join(workspaceDir, 'configs', 'ladder');
      for (let i = 0; i < 100 && !fs.existsSync(path.join(ladderDir, 'PLAN.md')); i++) await sleep(200);
      const runs = fs.readdirSync(ladderDir).filter((d) => fs.statSync(path.join(ladderDir, d)).isDirectory());
      if (runs.length !== planned) throw new Error(`${runs.length} run folders for ${planned} planned runs`);
      for (const run of runs) {
        const args = JSON.parse(fs.readFileSync(path.join(ladderDir, run, 'training_args.json'), 'utf8'));
        if (args.family !== 'example-sweep') throw new Error(`${run}: family ${args.family}`);
      }
      // The first run's config.json opens with the extension's lenses on it: it is a config the readers know.
      const lens = page.locator('.codelens-decoration', { hasText: 'FLOPs' }).first();
      await lens.waitFor({ timeout: 60_000 });
      await page.locator('.codelens-decoration', { hasText: 'Plan ladder' }).first().waitFor({ timeout: 10_000 });
      // Without the side bar, so the lens row (longer here: LR and batch) shows whole, ending before the minimap.
      await palette(page, 'View: Toggle Primary Side Bar Visibility');
      await sleep(800);
      const editor = page.locator('.part.editor .editor-group-container.active .editor-container').first();
      const editorBox = await editor.boundingBox();
      const { rowEnd, textEnd } = await lens.evaluate((l) => {
        const range = document.createRange();
        range.selectNodeContents(l);
        const editorEl = l.closest('.monaco-editor');
        const end = editorEl.querySelector('.minimap')?.getBoundingClientRect().left ?? editorEl.getBoundingClientRect().right;
        return { rowEnd: Math.max(l.getBoundingClientRect().right, ...[...range.getClientRects()].map((r) => r.right)), textEnd: end };
      });
      const right = Math.min(rowEnd + 40, textEnd - 4);
      if (right < rowEnd + 8) throw new Error(`the lens row ends at ${Math.round(rowEnd)} px, too near the minimap (${Math.round(textEnd)}) to show whole`);
      const clip = await clipAround(
        page,
        [page.locator('.tabs-and-actions-container').first(), lens, page.locator('.view-line', { hasText: 'vocab_size' }).first()],
        4,
      );
      const size = await readmePicture(page, 'ladder-written', { ...clip, x: editorBox.x, width: right - editorBox.x });
      await palette(page, 'View: Toggle Primary Side Bar Visibility');
      await sleep(500);
      return `${runs.join(', ')}: config.json + training_args.json each (family example-sweep); ${(await lens.innerText()).replace(/\s+/g, ' ').trim()}; picture ${size}`;
    },
  );

  await check(
    "the scaling view draws the planned runs as hollow markers and the target's interval now and after the ladder (README picture ladder-scaling)",
    async () => {
      await palette(page, 'Scaling Lens: Show Dashboard');
      const frame = dashboardFrame(page);
      await frame.locator('#tab-scaling').click();
      await frame.locator('#view-scaling:not([hidden])').waitFor({ timeout: 20_000 });
      let status = '';
      for (let i = 0; i < 100 && !/ladder: \d+ planned/.test(status); i++) {
        await sleep(200);
        status = (
          await frame
            .locator('#status')
            .innerText()
            .catch(() => '')
        ).trim();
      }
      const m = /ladder: (\d+) planned[^;]*; target (.+ after)/.exec(status);
      if (!m || Number(m[1]) !== planned) throw new Error(`status line: ${status}`);
      const legend = (await frame.locator('#scaling').getAttribute('aria-label')) ?? '';
      if (!legend.includes('ladder · planned runs') || !legend.includes('target 80% after the ladder')) throw new Error(`legend: ${legend.slice(-400)}`);
      // Compact: the legend takes two lines at most at 1400×900, and the caption explains the ladder's marks.
      const legendLines = Number(await frame.locator('#scaling').getAttribute('data-legend-lines'));
      if (!(legendLines >= 1 && legendLines <= 2)) throw new Error(`the legend takes ${legendLines} lines: ${legend}`);
      const caption = await frame.locator('#scalingKey').innerText();
      if (!caption.includes('□: a run planned by Plan Experiments') || !caption.includes('✳ with bar') || caption.includes('★'))
        throw new Error(`caption: ${caption}`);
      if ((await paintedPixels(frame, '#scaling')) < 1000) throw new Error('the chart did not paint');
      await frame.locator('body').evaluate(() => window.scrollTo(0, 0));
      await page.mouse.move(0, 0);
      await sleep(600);
      const clip = await clipAround(page, [frame.locator('header'), frame.locator('#view-scaling .key')], 12);
      Object.assign(clip, { y: clip.y + 12, height: clip.height - 24 });
      const size = await readmePicture(page, 'ladder-scaling', clip);
      return `${status.slice(status.indexOf('ladder:'))}; legend ${legendLines} lines; picture ${size}`;
    },
  );

  await check(
    "the scaling view's Export CSV has the ladder's runs and the target's interval now and after; the family filter hides another family's ladder",
    async () => {
      const frame = dashboardFrame(page);
      const rows = await exportCsv(page, frame, path.join(workspaceDir, 'scaling-lens-scaling-ladder.csv'));
      const header = rows[0].join(',');
      if (header !== 'family,series,run,params,tokens,flops,loss,lower_80,upper_80,status,gpu_hours,usd') throw new Error(`header: ${header}`);
      const runs = rows.filter((r) => r[1] === 'ladder_run');
      const plannedRows = runs.filter((r) => r[9] === 'planned');
      if (plannedRows.length !== planned) throw new Error(`${plannedRows.length} planned rows for ${planned} planned runs`);
      if (!runs.every((r) => r[0] === 'example-sweep' && Number(r[3]) > 0 && Number(r[4]) > 0 && Number(r[10]) > 0 && Number(r[11]) > 0))
        throw new Error(`ladder rows: ${runs.map((r) => r.join(',')).join(' | ')}`);
      const now = rows.find((r) => r[1] === 'ladder_target_now');
      const after = rows.find((r) => r[1] === 'ladder_target_after');
      if (!now || !after || !(Number(after[8]) - Number(after[7]) < Number(now[8]) - Number(now[7])))
        throw new Error(`target rows: ${now?.join(',')} / ${after?.join(',')}`);
      // Another family in the filter: its chart has no ladder; this family again: it is back. The
      // example has one family: a small run of another (its own folder, no config) is added for this.
      const otherDir = path.join(workspaceDir, 'other-family', 'tiny-run');
      fs.mkdirSync(otherDir, { recursive: true });
      fs.writeFileSync(
        path.join(otherDir, 'metrics.jsonl'),
        Array.from({ length: 20 }, (_, k) => JSON.stringify({ step: (k + 1) * 10, loss: 6 - k * 0.05 })).join('\n') + '\n',
      );
      let names = [];
      // The new run is live: its fits come and go in the status ("· fitting 1…"), which must not move the controls.
      const familyTops = new Set();
      for (let i = 0; i < 50 && !names.some((n) => n !== 'all' && n !== 'example-sweep'); i++) {
        await sleep(400);
        familyTops.add(Math.round((await frame.locator('#family').boundingBox()).y));
        await frame.locator('#family').click();
        names = (await frame.locator('#family li[role="option"]').allInnerTexts()).map((t) => t.trim());
        await page.keyboard.press('Escape');
      }
      const other = names.find((n) => n !== 'all' && n !== 'example-sweep');
      if (!other) throw new Error(`no other family to filter on: ${names.join(', ')}`);
      if (familyTops.size > 1) throw new Error(`the family dropdown moved while the status changed: top at ${[...familyTops].join(', ')} px`);
      const statusText = async () =>
        (
          await frame
            .locator('#status')
            .innerText()
            .catch(() => '')
        ).trim();
      await chooseOption(frame, 'family', other);
      let status = '';
      for (let i = 0; i < 50 && (status = await statusText()).includes('ladder:'); i++) await sleep(200);
      if (status.includes('ladder:')) throw new Error(`family ${other}: ${status}`);
      await chooseOption(frame, 'family', 'example-sweep');
      for (let i = 0; i < 50 && !(status = await statusText()).includes('ladder:'); i++) await sleep(200);
      if (!status.includes('ladder:')) throw new Error(`family example-sweep: ${status}`);
      await chooseOption(frame, 'family', 'all');
      return `${runs.length} ladder rows (${plannedRows.length} planned), target now ${now[7]}–${now[8]}, after ${after[7]}–${after[8]}; hidden under "${other}", back under example-sweep`;
    },
  );
}
