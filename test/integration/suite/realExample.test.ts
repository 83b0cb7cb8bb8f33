// The real example (examples-real/: the Multi-Power Law curves, the 400M 72k cosine run cut to its
// first 30%) inside a real VS Code extension host: the live run's forecast, the planned config's
// lens and hover and Plan Compute Budget at that config's compute are present and agree.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PlanUi } from '../../../src/features/planBudget';
import type { RunView, Snapshot } from '../../../src/shared/protocol';
import { WAIT_MS, api, poll, workspaceRoot } from './harness';

const LIVE = 'runs/llama-400m/cosine_72000';
const PLANNED = path.join('configs', 'planned-1b', 'config.json');

function truth(): { runs: Record<string, { finalLoss: number; maxSteps: number; heldBack?: string }> } {
  return JSON.parse(fs.readFileSync(path.join(workspaceRoot(), 'TRUTH.json'), 'utf8'));
}

/** The live run once it is forecast from its siblings and the family law is fitted. */
function liveRun(s: Snapshot): RunView | undefined {
  const run = s.runs.find((r) => r.id === LIVE);
  return run?.curve?.provenance === 'from siblings' && s.families.some((f) => f.family === 'multipower-llama2' && f.fit && !f.pending) ? run : undefined;
}

async function hoverText(document: vscode.TextDocument, key: string): Promise<string> {
  const line = document
    .getText()
    .split('\n')
    .findIndex((l) => l.includes(`"${key}"`));
  const position = new vscode.Position(line, document.lineAt(line).text.indexOf(key) + 2);
  return poll(`a Scaling Lens hover on ${key}`, async () => {
    const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
    return found?.flatMap((h) => h.contents.map((c) => (c as vscode.MarkdownString).value ?? '')).find((v) => v.includes('Scaling Lens'));
  });
}

suite('Scaling Lens on the real example', () => {
  test('the live run is forecast to its planned end from its siblings, near its held-back end, as the status bar says', async () => {
    const lens = await api();
    const snapshot = await lens.waitForSnapshot(
      (s) => s.runs.length === 27 && liveRun(s) !== undefined && s.runs.filter((r) => r.curve?.provenance === 'from siblings').length === 3,
      3 * WAIT_MS,
    );
    const live = liveRun(snapshot)!;
    const t = truth().runs[LIVE];
    assert.equal(live.status, 'live');
    assert.equal(live.curve!.targetStep, t.maxSteps, 'forecast to the planned last step');
    // Its steps to come follow its config's cosine to 3e-5; held at the last logged LR it was 3.2% high.
    const { value, interval } = live.curve!.predictedFinal;
    assert.ok(Math.abs(value / t.finalLoss - 1) < 0.01, `forecast ${value} vs held-back end ${t.finalLoss}`);
    assert.ok(interval[0] < value && value < interval[1]);
    assert.ok(live.curve!.siblings!.length >= 8, `siblings: ${live.curve!.siblings}`);
    // Every run whose end is held back (the three 72k cosine runs) is forecast within 1% of it.
    const heldBack = Object.entries(truth().runs).filter(([, r]) => r.heldBack);
    assert.equal(heldBack.length, 3);
    for (const [id, r] of heldBack) {
      const run = snapshot.runs.find((x) => x.id === id);
      assert.equal(run?.status, 'live', id);
      const v = run!.curve?.predictedFinal.value ?? NaN;
      assert.ok(Math.abs(v / r.finalLoss - 1) < 0.01, `${id}: forecast ${v} vs held-back end ${r.finalLoss}`);
    }
    // The status bar shows that same forecast.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(live.files[0]));
    const text = await poll('the status bar on the live run', () => (lens.statusBarText().includes(live.name) ? lens.statusBarText() : undefined));
    assert.ok(text.includes(`→ ${value.toFixed(2)} (from siblings)`), `status bar "${text}" vs ${value}`);
  });

  test('the planned config, the live run and Plan Compute Budget at its compute agree', async () => {
    const lens = await api();
    const live = liveRun(await lens.waitForSnapshot((s) => liveRun(s) !== undefined, 3 * WAIT_MS))!;
    const forecast = live.curve!.predictedFinal;
    const document = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), PLANNED));
    await vscode.window.showTextDocument(document);
    const estimate = await lens.estimate(document);
    const loss = estimate.predictions.loss;
    assert.ok(loss, `the planned config has a loss: ${estimate.predictions.uncalibrated ?? ''}`);
    assert.equal(loss.family, 'multipower-llama2');
    // More parameters (1.14B against 495M), as many tokens: predicted lower than the live run.
    assert.equal(estimate.plan!.tokens, live.hyper.tokens);
    assert.ok(estimate.plan!.params.total > 2 * live.hyper.params!);
    assert.ok(loss.value < forecast.value, `planned ${loss.value} vs the live run's ${forecast.value}`);
    assert.ok(loss.interval[0] < loss.value && loss.value < loss.interval[1]);
    // The family model at the live run's own N and D holds the live run's forecast within its interval.
    const own = await lens.estimate(await vscode.workspace.openTextDocument(path.join(workspaceRoot(), LIVE, 'config.json')));
    const at = own.predictions.loss!;
    assert.ok(
      at.interval[0] <= forecast.value && forecast.value <= at.interval[1],
      `live forecast ${forecast.value} vs the family at its N, D [${at.interval}]`,
    );
    assert.ok(loss.value < at.value, `the family model: planned ${loss.value} vs ${at.value} at the live run's N and D`);
    // The lens and the hover show that estimate.
    const lenses = await lens.lensSpecs(document);
    const main = lenses.find((l) => /FLOPs/.test(l.title));
    assert.ok(main?.title.includes(`Loss ${loss.value.toFixed(3)}`), `lens: ${main?.title}`);
    const hover = await hoverText(document, 'hidden_size');
    assert.match(hover, new RegExp(`\\| Predicted loss \\| ${loss.value.toFixed(3)} `));
    // Plan Compute Budget from the config, at its compute (the budget the prompt offers).
    let offered = '';
    const ui: PlanUi = {
      budget: async ({ value }) => (offered = value),
      constraints: async () => [],
      value: async () => undefined,
      action: async () => undefined,
    };
    const outcome = await lens.planBudget(document.uri.fsPath, ui);
    assert.ok(outcome, 'the plan was made');
    assert.ok(offered, 'the prompt offered the config compute');
    assert.equal(outcome.request.family, 'multipower-llama2');
    const rec = outcome.plan.recommended.loss;
    assert.ok(!('uncalibrated' in rec), 'the plan is calibrated on the family');
    for (const c of [outcome.plan.recommended, ...outcome.plan.alternatives]) {
      assert.ok(!('uncalibrated' in c.loss) && c.loss.value >= rec.value, `"${c.label}" beats the recommendation`);
    }
    // At the config's compute the best plan is no worse than the config itself, by the same model.
    assert.ok(rec.value <= loss.value + 1e-9, `plan ${rec.value} vs the planned config ${loss.value}`);
  });

  test('the scaling view draws the runs .scalinglens.yaml excludes as not in the fit, apart from the runs the law was fitted to', async function () {
    this.timeout(3 * WAIT_MS);
    const lens = await api();
    const s = await lens.waitForSnapshot((x) => liveRun(x) !== undefined, 2 * WAIT_MS);
    const family = s.families.find((f) => f.family === 'multipower-llama2')!;
    const excluded = family.excludedRunIds ?? [];
    assert.equal(excluded.length, 12, 'the constant and two-stage runs are excluded by .scalinglens.yaml');
    const view = s.scaling.find((v) => v.family === family.family)!;
    const outside = view.points.filter((p) => p.notInFit !== undefined);
    assert.deepEqual(outside.map((p) => p.runId).sort(), [...excluded].sort());
    assert.ok(
      outside.every((p) => /\.scalinglens\.yaml:\d+/.test(p.notInFit!)),
      outside.map((p) => p.notInFit).join('; '),
    );
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'scaling');
    // The page drew each as a "not in the fit" marker (it counts what it drew).
    const drawn = await poll('the scaling view drawn with its excluded runs', () => {
      const r = lens.dashboard().lastRendered;
      return r && r.view === 'scaling' && r.version >= s.version && r.notInFit > 0 ? r : undefined;
    });
    assert.equal(drawn.notInFit, excluded.length);
  });
});
