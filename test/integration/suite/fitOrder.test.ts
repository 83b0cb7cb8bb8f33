// The order fits are answered in, inside a real VS Code extension host (issue 20): what the user sees
// first. Order only, never time: snapshot versions are compared.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Snapshot } from '../../../src/shared/protocol';
import { WAIT_MS, api, workspaceRoot } from './harness';

suite('Scaling Lens on the example sweep: fit order', () => {
  test("the open config's family's live run is answered before another family's, first as a point forecast", async () => {
    const lens = await api();
    const root = workspaceRoot();
    const start = await lens.waitForSnapshot((s) => s.runs.some((r) => r.id === 'sweep/llama-279m' && r.curve) && s.fitting === 0, WAIT_MS);
    // The status bar follows the example's live run, so neither new run becomes the run looked at.
    const live = start.runs.find((r) => r.id === 'sweep/llama-279m')!;
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(live.files[0]));

    const dir = path.join(root, 'fit-order');
    const family = (to: string, name: string) => {
      const args = path.join(to, 'training_args.json');
      fs.writeFileSync(args, fs.readFileSync(args, 'utf8').replace('"example-sweep"', `"${name}"`));
    };
    try {
      // A planned config of family fit-order-b, open in the editor: its lens asks for its estimate.
      const planned = path.join(dir, 'b-planned');
      fs.mkdirSync(planned, { recursive: true });
      for (const f of ['config.json', 'training_args.json']) fs.copyFileSync(path.join(root, 'configs', 'planned-400m', f), path.join(planned, f));
      family(planned, 'fit-order-b');
      const document = await vscode.workspace.openTextDocument(path.join(planned, 'config.json'));
      await vscode.window.showTextDocument(document);
      await lens.estimate(document);

      // Two copies of the live run, one per family, written together (b's first: were the watcher to
      // list them apart, b would come first anyway and the order could not be wrong for that reason).
      const firstForecast = (id: string) => lens.waitForSnapshot((s) => s.runs.some((r) => r.id === id && r.curve), WAIT_MS);
      const answered: Record<string, Snapshot> = {};
      const waits = ['fit-order/b-live', 'fit-order/a-live'].map((id) => firstForecast(id).then((s) => (answered[id] = s)));
      for (const [name, fam] of [
        ['b-live', 'fit-order-b'],
        ['a-live', 'fit-order-a'],
      ]) {
        const to = path.join(dir, name);
        fs.cpSync(path.dirname(live.files[0]), to, { recursive: true });
        family(to, fam);
      }
      await Promise.all(waits);
      const b = answered['fit-order/b-live'];
      const a = answered['fit-order/a-live'];
      // Without the open config, a-live (first by id) would be asked for first.
      assert.ok(b.version <= a.version, `fit-order/b-live answered in snapshot ${b.version}, fit-order/a-live in ${a.version}`);
      // Shown first as a point forecast, said to be one; its interval follows.
      const bFirst = b.runs.find((r) => r.id === 'fit-order/b-live')!.curve!;
      const final = await lens.waitForSnapshot(
        (s) => s.runs.some((r) => r.id === 'fit-order/b-live' && r.curve && r.curve.intervalPending === undefined && r.curve.provenance !== undefined),
        WAIT_MS,
      );
      assert.ok(final.version >= b.version);
      if (bFirst.intervalPending) assert.equal(final.runs.find((r) => r.id === 'fit-order/b-live')!.curve!.lawId, bFirst.lawId);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await lens.waitForSnapshot((s) => !s.runs.some((r) => r.id.startsWith('fit-order/')), WAIT_MS);
    }
  });
});
