// The dashboard webview inside a real VS Code: its three views draw, a log append reaches it as a
// delta, and its UI state survives a reload of the webview.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ScalingLensApi } from '../../../src/extension';
import type { RenderReport } from '../../../src/features/dashboard';

const EXTENSION_ID = 'scaling-lens.scaling-lens';
const WAIT_MS = 60_000;

async function api(): Promise<ScalingLensApi> {
  const ext = vscode.extensions.getExtension<ScalingLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.isActive ? ext.exports : await ext.activate();
}

async function rendered(lens: ScalingLensApi, what: string, ok: (r: RenderReport) => boolean): Promise<RenderReport> {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const r = lens.dashboard().lastRendered;
    if (r && ok(r)) return r;
    if (Date.now() > end) throw new Error(`timed out waiting for the dashboard to render ${what} (last: ${JSON.stringify(r)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

suite('Dashboard views, deltas and state', function () {
  this.timeout(3 * WAIT_MS);

  test('the loss curves, the scaling view and the predicted-vs-actual view each draw data', async () => {
    const lens = await api();
    const snapshot = await lens.waitForSnapshot((s) => s.runs.length >= 7 && s.families.some((f) => f.fit) && s.validations.length > 0, WAIT_MS);
    assert.ok(snapshot.scaling.some((v) => v.lawLine && v.frontier && v.points.some((p) => p.heldOut)), 'a family has a law line, a frontier and a held-out run');
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'curves');
    const curves = await rendered(lens, 'the loss curves', (r) => r.view === 'curves' && r.runs === snapshot.runs.length && r.points > 100);
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'scaling');
    // Each finished or live run with a size is a point; the law line and frontier add 40 points each.
    const scaling = await rendered(lens, 'the scaling view', (r) => r.view === 'scaling' && r.points >= 80);
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'validation');
    const validation = await rendered(lens, 'the validation view', (r) => r.view === 'validation' && r.points >= snapshot.validations.length);
    assert.equal(lens.dashboard().rejectedMessages, 0, 'the webview sent only valid messages');
    assert.ok(curves.points > scaling.points && validation.points > 0);
  });

  test('a line appended to a live log reaches the open panel as a delta', async () => {
    const lens = await api();
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'curves');
    const before = await rendered(lens, 'a first snapshot', (r) => r.view === 'curves' && r.sentFull > 0);
    const latest = await lens.waitForSnapshot((s) => s.version >= before.version, WAIT_MS);
    const live = latest.runs.find((r) => r.status === 'live' && r.format === 'jsonl' && r.curve);
    assert.ok(live, 'a live JSONL run');
    const step = (live.lastStep ?? 0) + 25;
    fs.appendFileSync(live.files.find((f) => f.endsWith('.jsonl'))!, `${JSON.stringify({ step, loss: Number(((live.lastLoss ?? 3) * 0.999).toFixed(4)) })}\n`);
    const after = await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === live.id && r.lastStep === step), WAIT_MS);
    const drawn = await rendered(lens, 'the appended step', (r) => r.version >= after.version);
    assert.ok(drawn.sentDeltas > before.sentDeltas, `deltas sent: ${before.sentDeltas} → ${drawn.sentDeltas}`);
    assert.equal(drawn.sentFull, before.sentFull, 'no whole snapshot was needed (no resync)');
    assert.equal(drawn.runs, after.runs.length, 'the merged snapshot has every run');
    // The example logs carry no clock: the worker saw the step arrive, which gives the ETA a rate.
    const eta = after.runs.find((r) => r.id === live.id)!.eta;
    assert.ok(eta && eta.source === 'observed' && eta.stepsPerSecond > 0 && eta.seconds > 0, `ETA ${JSON.stringify(eta)}`);
  });

  test('the config open in the editor is drawn as the planned run in the scaling view', async () => {
    const lens = await api();
    await lens.waitForSnapshot((s) => s.families.some((f) => f.fit), WAIT_MS);
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'configs', 'planned-400m', 'config.json'));
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'scaling');
    const drawn = await rendered(lens, 'the planned run', (r) => r.view === 'scaling' && r.planned);
    assert.ok(drawn.points > 0);
  });

  test('the chosen view survives a reload of the webview (setState)', async () => {
    const lens = await api();
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'validation');
    const before = await rendered(lens, 'the validation view', (r) => r.view === 'validation');
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    const after = await rendered(lens, 'after the reload', (r) => r.loads > before.loads);
    assert.equal(after.view, 'validation', 'the page came back on the view it showed');
    assert.ok(after.points > 0);
    // Leave the panel as other suites expect it: on the loss curves.
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'curves');
    await rendered(lens, 'the loss curves again', (r) => r.view === 'curves');
  });
});
