// The walkthrough and the package it comes with, inside a real VS Code: the version under test is
// the one package.json asks for, the walkthrough is loaded and every command it names is registered,
// and "Open Example Sweep" copies the sweep the package ships. (That VS Code shows the walkthrough,
// its steps and images from the installed .vsix is checked in the UI by `npm run demo`.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyExampleSweep, EXAMPLE_SWEEP_FOLDER } from '../../../src/features/exampleSweep';

const EXTENSION_ID = 'scaling-lens.scaling-lens';

interface WalkthroughStep {
  id: string;
  description: string;
  completionEvents: string[];
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext;
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

suite('Scaling Lens on the example sweep (walkthrough and package)', function () {
  this.timeout(60_000);

  test('the VS Code under test is the one engines.vscode names', () => {
    const engines = extension().packageJSON.engines.vscode as string;
    assert.equal(engines, `^${vscode.version}`, `engines.vscode ${engines}, tested on ${vscode.version}`);
  });

  test('every command the walkthrough runs or waits for is registered', async () => {
    await extension().activate();
    const walkthrough = extension().packageJSON.contributes.walkthroughs[0] as { id: string; steps: WalkthroughStep[] };
    const registered = new Set(await vscode.commands.getCommands(true));
    const named = new Set<string>();
    for (const step of walkthrough.steps) {
      for (const m of step.description.matchAll(/\(command:([\w.]+)\)/g)) named.add(m[1]);
      for (const event of step.completionEvents) named.add(event.replace(/^onCommand:/, ''));
    }
    assert.ok(
      named.has('scalingLens.openExampleSweep') && named.has('scalingLens.showDashboard') && named.has('scalingLens.planBudget'),
      [...named].join(', '),
    );
    const missing = [...named].filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `not registered: ${missing.join(', ')}`);
  });

  test('the walkthrough VS Code loaded has its three steps, each with media shipped beside the extension', () => {
    const walkthroughs = extension().packageJSON.contributes.walkthroughs as { id: string; steps: (WalkthroughStep & { media: Record<string, string> })[] }[];
    assert.equal(walkthroughs.length, 1);
    assert.deepEqual(
      walkthroughs[0].steps.map((s) => s.id),
      ['openExampleSweep', 'seePredictions', 'planBudget'],
    );
    for (const step of walkthroughs[0].steps) {
      const media = step.media.image ?? step.media.markdown;
      assert.ok(fs.existsSync(path.join(extension().extensionPath, media)), `${step.id}: ${media}`);
    }
  });

  test('"Open Example Sweep" copies the shipped sweep, and a second copy replaces the first', async () => {
    const source = path.join(extension().extensionPath, 'examples');
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'scaling-lens-storage-'));
    try {
      const target = await copyExampleSweep(vscode.Uri.file(extension().extensionPath), vscode.Uri.file(storage));
      assert.equal(target.fsPath, path.join(storage, EXAMPLE_SWEEP_FOLDER));
      const files = filesUnder(source);
      assert.ok(files.includes('TRUTH.json') && files.some((f) => f.endsWith('metrics.jsonl')), files.join(', '));
      assert.deepEqual(filesUnder(target.fsPath), files);
      fs.writeFileSync(path.join(target.fsPath, 'TRUTH.json'), 'changed');
      await copyExampleSweep(vscode.Uri.file(extension().extensionPath), vscode.Uri.file(storage));
      assert.equal(fs.readFileSync(path.join(target.fsPath, 'TRUTH.json'), 'utf8'), fs.readFileSync(path.join(source, 'TRUTH.json'), 'utf8'));
    } finally {
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });
});
