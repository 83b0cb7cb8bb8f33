// The thin path end to end inside a real VS Code extension host, on a copy of examples/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunView, Snapshot } from '../../../src/shared/protocol';
import { WAIT_MS, api, poll, workspaceRoot } from './harness';

/** The example sweep's live JSONL run: the one the product extrapolates. */
function liveJsonlRun(snapshot: Snapshot): RunView | undefined {
  return snapshot.runs.find((r) => r.status === 'live' && r.format === 'jsonl' && r.curve);
}

suite('Scaling Lens on the example sweep', () => {
  test('discovers every example run, with formats, sizes and statuses', async () => {
    const lens = await api();
    const snapshot = await lens.waitForSnapshot((s) => s.runs.length >= 7 && s.families.some((f) => f.fit), WAIT_MS);
    const formats = new Set(snapshot.runs.map((r) => r.format));
    assert.ok(formats.has('jsonl'), `JSONL runs found (formats: ${[...formats].join(', ')})`);
    assert.ok(formats.has('hf-trainer-state'), 'trainer_state.json runs found');
    assert.ok(
      snapshot.runs.some((r) => r.status === 'failed'),
      'the diverged run is marked failed',
    );
    assert.ok(liveJsonlRun(snapshot), 'the live run has a curve prediction');
    const finished = snapshot.runs.filter((r) => r.status === 'finished');
    assert.ok(finished.length >= 4, `finished runs: ${finished.map((r) => r.id).join(', ')}`);
    for (const run of finished) assert.ok(run.hyper.params && run.hyper.params > 1e6, `${run.id} has its parameter count from config.json`);
    // The resumed run is one run, and its overlapping steps were replaced, not duplicated.
    for (const run of snapshot.runs) {
      const steps = run.display.steps;
      for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], `${run.id}: steps strictly increase`);
    }
  });

  test('the status bar shows the live run and its predicted final loss', async () => {
    const lens = await api();
    const snapshot = await lens.waitForSnapshot((s) => liveJsonlRun(s) !== undefined, WAIT_MS);
    const live = liveJsonlRun(snapshot)!;
    // Other suites open other runs' files, and the status bar follows the run last looked at: look at this one.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(live.files[0]));
    const text = await poll('status bar text', () =>
      // The forecast with its interval, not the point forecast shown first ("interval coming").
      lens.statusBarText().includes('→') && !lens.statusBarText().includes('interval coming') && lens.statusBarItem().tooltip.includes(live.id)
        ? lens.statusBarText()
        : undefined,
    );
    // Labelled and short; the run and the full interval are in the tooltip.
    // Where the forecast comes from, " (from siblings)" or " (from this run alone)", as its tooltip says.
    // The run by its display name (core/runs/displayName.ts), as the dashboard names it.
    assert.ok(text.includes(` ${live.name} · loss `), `the status bar "${text}" names ${live.name}`);
    assert.match(text, /^\$\((graph|sync~spin)\) \S+ · loss \d+\.\d\d → \d+\.\d\d( \((from siblings|from this run alone)\))$/);
    const { tooltip } = lens.statusBarItem();
    assert.match(tooltip, text.endsWith('(from siblings)') ? /Forecast from siblings \(/ : /Forecast from this run alone/);
    assert.ok(tooltip.includes(live.id), `the tooltip "${tooltip}" names ${live.id}`);
    assert.match(tooltip, /80% interval \[\d+\.\d{3}, \d+\.\d{3}\]/);
  });

  test('a line appended to the live log reaches the worker and updates the prediction', async () => {
    const lens = await api();
    const config = vscode.workspace.getConfiguration('scalingLens');
    // Refit on every change for this test: by default a live run keeps its fit for 30 s of wall time.
    await config.update('fit.liveRefitSeconds', 0, vscode.ConfigurationTarget.Workspace);
    try {
      const before = liveJsonlRun(await lens.waitForSnapshot((s) => liveJsonlRun(s) !== undefined, WAIT_MS))!;
      const log = before.files.find((f) => f.endsWith('.jsonl'));
      assert.ok(log, 'the live run has a JSONL file');
      const step = (before.lastStep ?? 0) + 50;
      const loss = Number(((before.lastLoss ?? 3) * 0.995).toFixed(4));
      fs.appendFileSync(log, `${JSON.stringify({ step, loss })}\n`);
      const after = await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === before.id && r.lastStep === step), WAIT_MS);
      assert.equal(after.runs.find((r) => r.id === before.id)!.lastLoss, loss);
      // The points are shown at once; the refit lands from the fitting thread in a later snapshot.
      const refitted = await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === before.id && r.curve?.fittedAtStep === step), WAIT_MS);
      const run = refitted.runs.find((r) => r.id === before.id)!;
      assert.ok(run.curve, 'the curve law was refitted');
      // The fit thins long curves to a fixed number of averaged points, so the count need not grow;
      // a refit that saw the new, lower point moves the prediction.
      // The run's own curve forecast (`alone` when the shown one comes from its siblings, whose refit lands later).
      const own = (c: NonNullable<typeof run.curve>) => (c.alone ?? c.predictedFinal).value;
      assert.notEqual(own(run.curve), own(before.curve!), 'the refit moved the prediction');
    } finally {
      await config.update('fit.liveRefitSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('between refits (scalingLens.fit.liveRefitSeconds) a live run keeps its prediction while its points update', async () => {
    const lens = await api();
    const config = vscode.workspace.getConfiguration('scalingLens');
    // Start from a fit made on the run's last line (0 refits on every change and on the setting's change).
    await config.update('fit.liveRefitSeconds', 0, vscode.ConfigurationTarget.Workspace);
    try {
      const before = liveJsonlRun(await lens.waitForSnapshot((s) => liveJsonlRun(s)?.curve?.fittedAtStep === liveJsonlRun(s)?.lastStep, WAIT_MS))!;
      await config.update('fit.liveRefitSeconds', 3600, vscode.ConfigurationTarget.Workspace);
      const log = before.files.find((f) => f.endsWith('.jsonl'))!;
      const step = (before.lastStep ?? 0) + 50;
      fs.appendFileSync(log, `${JSON.stringify({ step, loss: Number(((before.lastLoss ?? 3) * 0.99).toFixed(4)) })}\n`);
      const kept = (await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === before.id && r.lastStep === step), WAIT_MS)).runs.find(
        (r) => r.id === before.id,
      )!;
      assert.equal(kept.curve?.fittedAtStep, before.lastStep, 'one new line within the hour keeps the fit');
      assert.equal(kept.curve?.predictedFinal.value, before.curve?.predictedFinal.value);
      assert.equal(kept.display.steps[kept.display.steps.length - 1], step, 'the chart has the new point');
      // Back to 0: the setting's change alone refits the kept prediction.
      await config.update('fit.liveRefitSeconds', 0, vscode.ConfigurationTarget.Workspace);
      await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === before.id && r.curve?.fittedAtStep === step), WAIT_MS);
    } finally {
      await config.update('fit.liveRefitSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('a kept prediction is refitted when it falls due, without another line', async () => {
    const lens = await api();
    const config = vscode.workspace.getConfiguration('scalingLens');
    const intervalS = 10;
    await config.update('fit.liveRefitSeconds', 0, vscode.ConfigurationTarget.Workspace);
    try {
      const before = liveJsonlRun(await lens.waitForSnapshot((s) => liveJsonlRun(s) !== undefined, WAIT_MS))!;
      const log = before.files.find((f) => f.endsWith('.jsonl'))!;
      const line = (step: number) => `${JSON.stringify({ step, loss: Number(((before.lastLoss ?? 3) * 0.99).toFixed(4)) })}\n`;
      // A fresh fit (0: refitted on this line), then a line within the interval of it.
      const fittedStep = (before.lastStep ?? 0) + 50;
      fs.appendFileSync(log, line(fittedStep));
      await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === before.id && r.curve?.fittedAtStep === fittedStep), WAIT_MS);
      await config.update('fit.liveRefitSeconds', intervalS, vscode.ConfigurationTarget.Workspace);
      const step = fittedStep + 50;
      fs.appendFileSync(log, line(step));
      const kept = (await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === before.id && r.lastStep === step), WAIT_MS)).runs.find(
        (r) => r.id === before.id,
      )!;
      assert.equal(kept.curve?.fittedAtStep, fittedStep, `the line came within ${intervalS} s of the fit: kept`);
      // No further line: the worker's own timer brings the prediction up to date.
      await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === before.id && r.curve?.fittedAtStep === step), WAIT_MS);
    } finally {
      await config.update('fit.liveRefitSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('the code lens on the planned config shows a calibrated loss and the FLOPs', async () => {
    const lens = await api();
    await lens.waitForSnapshot((s) => s.families.some((f) => f.fit), WAIT_MS);
    const file = path.join(workspaceRoot(), 'configs', 'planned-400m', 'config.json');
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    const lenses = await poll('a code lens with a title', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10);
      return found?.some((l) => l.command?.title.includes('FLOPs')) ? found : undefined;
    });
    const title = lenses.map((l) => l.command?.title ?? '').find((t) => t.includes('FLOPs'))!;
    assert.match(title, /Loss \d+\.\d{3} \[\d+\.\d{3}, \d+\.\d{3}\]/, `lens title: ${title}`);
    assert.match(title, /\d\.\d{2}e\d+ FLOPs/);
    const estimate = await lens.estimate(document);
    assert.ok(estimate.predictions.loss, 'the estimate has a loss');
    assert.ok(estimate.predictions.loss.runsUsed.length >= 4, 'fitted on the finished runs of the family');
  });

  test('lenses can be hidden for one file and shown again', async () => {
    const file = path.join(workspaceRoot(), 'configs', 'planned-400m', 'config.json');
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    const count = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10))?.length ?? 0;
    await poll('lenses on the planned config', async () => ((await count()) > 0 ? true : undefined));
    await vscode.commands.executeCommand('scalingLens.toggleCodeLensForFile', document.uri);
    assert.equal(await count(), 0, 'hidden');
    await vscode.commands.executeCommand('scalingLens.toggleCodeLensForFile', document.uri);
    assert.ok((await count()) > 0, 'shown again');
  });

  test('hovering a model key shows the size, compute and predicted loss, with a dashboard link', async () => {
    const lens = await api();
    await lens.waitForSnapshot((s) => s.families.some((f) => f.fit), WAIT_MS);
    const file = path.join(workspaceRoot(), 'configs', 'planned-400m', 'config.json');
    const document = await vscode.workspace.openTextDocument(file);
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('"hidden_size"'));
    const position = new vscode.Position(line, document.lineAt(line).text.indexOf('hidden_size') + 2);
    const hovers = await poll('a Scaling Lens hover', async () => {
      const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
      return found?.some((h) => h.contents.some((c) => (c as vscode.MarkdownString).value?.includes('Scaling Lens'))) ? found : undefined;
    });
    const text = hovers.flatMap((h) => h.contents.map((c) => (c as vscode.MarkdownString).value ?? '')).find((v) => v.includes('Scaling Lens'))!;
    assert.match(text, /\| Parameters \| \d+M total/);
    // Brackets are escaped in the hover's markdown (names from the workspace cannot form links).
    assert.match(text, /\| Predicted loss \| \d\.\d{3} \\\[/);
    assert.match(text, /command:scalingLens\.showDashboard/);
    // Runs are named as the dashboard names them (their display names), never by their ids.
    const snapshot = lens.latestSnapshot()!;
    const heldOut = snapshot.families.find((f) => f.fit?.validation)?.fit?.validation?.heldOutRunId;
    if (heldOut) {
      const name = snapshot.runs.find((r) => r.id === heldOut)!.name;
      assert.ok(text.includes(`largest finished run (${name})`), `the hover names the held-out run ${name}: ${text}`);
    }
    assert.ok(!snapshot.runs.some((r) => r.id !== r.name && text.includes(r.id)), 'no run id in the hover');
    const lenses = await lens.lensSpecs(document);
    const main = lenses.find((l) => /FLOPs/.test(l.title))!;
    assert.match(main.tooltip ?? '', /fitted on \d+ run\(s\): llama-/, 'the lens tooltip lists the runs by name');
  });

  test("GPT-2 small's published config is counted exactly and costed", async () => {
    const lens = await api();
    const file = path.join(workspaceRoot(), 'configs', 'gpt2-small', 'config.json');
    const document = await vscode.workspace.openTextDocument(file);
    const estimate = await lens.estimate(document);
    assert.equal(estimate.applicable, true);
    assert.equal(estimate.plan?.params.total, 124_439_808, 'GPT-2 small, exact');
    assert.ok(estimate.cost && estimate.cost.flops > 1e18, `FLOPs ${estimate.cost?.flops}`);
  });

  test('a config that is not a model gets no lens', async () => {
    const file = path.join(workspaceRoot(), 'configs', 'not-a-model', 'config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ learning_rate: 3e-4 }));
    const document = await vscode.workspace.openTextDocument(file);
    const estimate = await (await api()).estimate(document);
    assert.equal(estimate.applicable, false);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10);
    assert.equal(lenses?.length ?? 0, 0);
  });

  test('"Rescan Workspace Logs" replaces the runs with a newer snapshot, and a deleted run goes away', async () => {
    const lens = await api();
    const before = await lens.waitForSnapshot((s) => s.runs.length >= 7, WAIT_MS);
    const failed = before.runs.find((r) => r.status === 'failed')!;
    fs.rmSync(path.dirname(failed.files[0]), { recursive: true, force: true });
    await vscode.commands.executeCommand('scalingLens.rescan');
    const after = await lens.waitForSnapshot((s) => s.version > before.version && !s.runs.some((r) => r.id === failed.id), WAIT_MS);
    assert.equal(after.runs.length, before.runs.length - 1);
  });

  test('the dashboard opens, receives the snapshot and draws every run', async () => {
    const lens = await api();
    const snapshot = await lens.waitForSnapshot((s) => s.runs.length > 0, WAIT_MS);
    await vscode.commands.executeCommand('scalingLens.showDashboard');
    const rendered = await poll('the webview to report a render', () => {
      const r = lens.dashboard().lastRendered;
      return r && r.runs >= snapshot.runs.length && r.points > 0 ? r : undefined;
    });
    assert.ok(lens.dashboard().open);
    assert.ok(rendered.points > 100, `points drawn: ${rendered.points}`);
    assert.equal(lens.dashboard().rejectedMessages, 0, 'the webview sent only valid messages');
  });

  test("in a trusted workspace, the workspace's logGlobs setting chooses what is read", async () => {
    const lens = await api();
    assert.equal(vscode.workspace.isTrusted, true);
    const before = await lens.waitForSnapshot((s) => s.runs.length > 0, WAIT_MS);
    const config = vscode.workspace.getConfiguration('scalingLens');
    await config.update('logGlobs', ['**/trainer_state.json'], vscode.ConfigurationTarget.Workspace);
    try {
      const narrowed = await lens.waitForSnapshot(
        (s) => s.version > before.version && s.runs.length > 0 && s.runs.every((r) => r.format === 'hf-trainer-state'),
        WAIT_MS,
      );
      assert.ok(narrowed.runs.length < before.runs.length);
    } finally {
      await config.update('logGlobs', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await lens.waitForSnapshot((s) => s.runs.length === before.runs.length, WAIT_MS);
  });

  test('.scalinglens.yaml at the folder root regroups the runs when written, changed and deleted', async () => {
    const lens = await api();
    const before = await lens.waitForSnapshot((s) => s.runs.length > 1, WAIT_MS);
    const file = path.join(workspaceRoot(), '.scalinglens.yaml');
    const [first, ...rest] = before.runs.map((r) => r.id);
    try {
      fs.writeFileSync(file, `families:\n  picked:\n    runs: [${JSON.stringify(first)}]\nruns:\n  ${JSON.stringify(rest[0])}:\n    exclude: true\n`);
      const grouped = await lens.waitForSnapshot(
        (s) => s.runs.some((r) => r.id === first && r.family === 'picked' && r.familySource === 'workspace-file'),
        WAIT_MS,
      );
      assert.ok(grouped.families.some((f) => f.family === 'picked' && f.source === 'workspace-file'));
      assert.ok(grouped.runs.find((r) => r.id === rest[0])?.excluded?.endsWith('.scalinglens.yaml:6'));
      // A broken edit is reported with its line, and the runs are regrouped without it.
      fs.writeFileSync(file, 'runs:\n  x:\n    params: lots\n');
      const broken = await lens.waitForSnapshot((s) => s.diagnostics.some((d) => d.file === file && d.line === 3), WAIT_MS);
      assert.ok(!broken.runs.some((r) => r.familySource === 'workspace-file'));
    } finally {
      fs.rmSync(file, { force: true });
    }
    await lens.waitForSnapshot((s) => !s.diagnostics.some((d) => d.file === file), WAIT_MS);
  });

  test("a live run whose loss leaves its earlier forecast is said to, in its health and the status bar's tooltip", async () => {
    const lens = await api();
    // A run of its own (no model config: it joins no family law), planned for 500 logged steps (Lightning's hparams.yaml).
    const dir = path.join(workspaceRoot(), 'forecast-break-probe');
    const log = path.join(dir, 'metrics.jsonl');
    const lossAt = (step: number, i: number) => 2.1 + 40 * step ** -0.45 + 0.008 * Math.sin(i * 12.9898);
    const lines = (from: number, count: number, scale: (step: number) => number) =>
      Array.from({ length: count }, (_, k) => {
        const step = (from + k) * 20;
        return `${JSON.stringify({ step, loss: Number((lossAt(step, from + k) * scale(step)).toFixed(5)) })}\n`;
      }).join('');
    const probe = (s: Snapshot) => s.runs.find((r) => r.files.some((f) => f.startsWith(dir)));
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'hparams.yaml'), 'max_steps: 10000\n');
      fs.writeFileSync(
        log,
        lines(1, 100, () => 1),
      );
      // Its first forecast (made at step 2000) is the one the engine keeps.
      const first = probe(await lens.waitForSnapshot((s) => probe(s)?.curve?.fittedAtStep === 2000, WAIT_MS))!;
      assert.equal(first.status, 'live');
      assert.ok(!first.health?.events.some((e) => e.kind === 'forecast-break'));
      // Past step 3000 the loss falls a further 10%: a curve that bends down.
      fs.appendFileSync(
        log,
        lines(101, 150, (step) => (step > 3000 ? 0.9 : 1)),
      );
      const broken = probe(
        await lens.waitForSnapshot((s) => probe(s)?.lastStep === 5000 && !!probe(s)?.health?.events.some((e) => e.kind === 'forecast-break'), WAIT_MS),
      )!;
      const event = broken.health!.events.find((e) => e.kind === 'forecast-break')!;
      assert.ok(event.step > 3000, `from step ${event.step}`);
      assert.match(event.note, /left the forecast made at step 2000/);
      assert.match(event.note, /below that forecast's 80% interval/);
      // The status bar follows the run whose file was opened last: its tooltip says so too.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(log));
      const tooltip = await poll('the tooltip of the probe run', () => {
        const t = lens.statusBarItem().tooltip;
        return t.includes(broken.id) && t.includes('Off its forecast') ? t : undefined;
      });
      assert.match(tooltip, /Off its forecast: the loss left the forecast made at step 2000/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(dir, { recursive: true, force: true });
      // Gone before the next test looks for the example's live run.
      await lens.waitForSnapshot((s) => probe(s) === undefined, WAIT_MS);
    }
  });

  test('with scalingLens.watch.polling = always, appended lines still reach the worker', async () => {
    const lens = await api();
    const config = vscode.workspace.getConfiguration('scalingLens');
    const before = liveJsonlRun(await lens.waitForSnapshot((s) => liveJsonlRun(s) !== undefined, WAIT_MS))!;
    await config.update('watch.pollingIntervalMs', 300, vscode.ConfigurationTarget.Workspace);
    await config.update('watch.polling', 'always', vscode.ConfigurationTarget.Workspace);
    try {
      const log = before.files.find((f) => f.endsWith('.jsonl'))!;
      const step = (before.lastStep ?? 0) + 7;
      fs.appendFileSync(log, `${JSON.stringify({ step, loss: before.lastLoss })}\n`);
      await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === before.id && r.lastStep === step), WAIT_MS);
    } finally {
      await config.update('watch.polling', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('watch.pollingIntervalMs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('a crashed worker is restarted and the runs come back', async () => {
    const lens = await api();
    const before = await lens.waitForSnapshot((s) => s.runs.length >= 6, WAIT_MS);
    const generation = lens.workerGeneration();
    await lens.crashWorker();
    await poll('a new worker thread', () => (lens.workerGeneration() > generation ? true : undefined));
    const after = await lens.waitForSnapshot((s) => s !== before && s.runs.length === before.runs.length, WAIT_MS);
    assert.deepEqual(after.runs.map((r) => r.id).sort(), before.runs.map((r) => r.id).sort());
  });
});
