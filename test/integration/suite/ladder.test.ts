// "Plan Experiments" in a real VS Code: the command and the lens action on a config of the example
// sweep, the plan from the worker shown as a rendered markdown document, the ladder's configs
// written beside the target (and read back by the extension's own estimate), no file replaced
// without asking, the planned runs drawn in the dashboard's scaling view, live re-planning
// when a ladder run's logs appear in the family, and the plan's link to its runs after a restart.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LadderUi } from '../../../src/features/planExperiments';
import { writeLadderFiles } from '../../../src/cliCommands/ladderWrite';
import { WAIT_MS, api, poll, workspaceRoot } from './harness';

// Named so that the trusted configuration's grep (run.mjs) includes it.
suite('Scaling Lens on the example sweep (Plan Experiments)', function () {
  this.timeout(180_000);
  suiteSetup(async () => {
    const lens = await api();
    await lens.waitForSnapshot((s) => s.families.some((f) => f.family === 'example-sweep' && f.fit), WAIT_MS);
  });
  // The suites after this one see the example sweep as it was: the ladder's folder and its run go.
  suiteTeardown(async () => {
    const lens = await api();
    fs.rmSync(path.join(workspaceRoot(), 'configs', 'ladder'), { recursive: true, force: true });
    fs.rmSync(path.join(workspaceRoot(), 'configs', 'ladder-broken'), { recursive: true, force: true });
    await lens.waitForSnapshot((s) => !s.runs.some((r) => r.id.startsWith('configs/ladder/')), WAIT_MS);
  });

  test('the command is contributed and registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('scalingLens.planExperiments'));
    const pkg = vscode.extensions.getExtension('scaling-lens.scaling-lens')!.packageJSON as { contributes: { commands: { command: string; title: string }[] } };
    assert.ok(pkg.contributes.commands.some((c) => c.command === 'scalingLens.planExperiments' && c.title === 'Plan Experiments'));
  });

  test('Write Configs: a .scalinglens.yaml that cannot be read (over the read limit, a folder, a pipe) is named, nothing is written, a pipe never opened', async () => {
    const lens = await api();
    // A nanoGPT config has no family key: its ladder must edit .scalinglens.yaml (at the workspace folder).
    const targetDir = path.join(workspaceRoot(), 'configs', 'nano-target');
    const target = path.join(targetDir, 'big.py');
    const wsFile = path.join(workspaceRoot(), '.scalinglens.yaml');
    const ladderDir = path.join(workspaceRoot(), 'configs', 'nano-ladder');
    assert.ok(!fs.existsSync(wsFile), 'the example workspace has no .scalinglens.yaml');
    fs.mkdirSync(targetDir, { recursive: true });
    fs.writeFileSync(target, 'n_layer = 24\nn_head = 16\nn_embd = 1536\nblock_size = 2048\nbatch_size = 512\nmax_iters = 20000\n');
    const cases: { name: string; make: () => void; says: RegExp }[] = [
      // Over the 16 MiB read cap, naming its own family: it would have been edited from a partial read, or replaced.
      { name: 'big', make: () => fs.writeFileSync(wsFile, `families:\n  mine:\n    runs: ["**"]\n${'#'.repeat(17 * 1024 * 1024)}\n`), says: /read limit/ },
      { name: 'folder', make: () => fs.mkdirSync(wsFile), says: /a folder, not a regular file/ },
    ];
    if (process.platform !== 'win32')
      // Read with vscode.workspace.fs, the pipe held the command (and its file system request) for ever.
      cases.push({ name: 'pipe', make: () => execFileSync('mkfifo', [wsFile]), says: /a named pipe, not a regular file/ });
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target));
      for (const c of cases) {
        c.make();
        try {
          const before = fs.lstatSync(wsFile);
          const outcome = await lens.planExperiments(target, {
            target: async () => assert.fail('a config is the target'),
            ladderBudget: async () => '',
            action: async () => 'write',
            folder: async () => path.join('configs', 'nano-ladder'),
            confirmOverwrite: async () => assert.fail(`${c.name}: nothing exists yet`),
          });
          assert.ok(outcome && outcome.plan.planned.runs >= 1, `${c.name}: a ladder is planned`);
          assert.equal(outcome.action, 'write');
          assert.match(outcome.notWritten ?? '', /^\.scalinglens\.yaml: .*; nothing written \(it would be replaced, not edited\)/, c.name);
          assert.match(outcome.notWritten ?? '', c.says, c.name);
          assert.deepEqual(outcome.written, [], c.name);
          assert.ok(!fs.existsSync(ladderDir), `${c.name}: no ladder written`);
          const after = fs.lstatSync(wsFile);
          assert.deepEqual([after.size, after.mtimeMs, after.mode], [before.size, before.mtimeMs, before.mode], `${c.name}: left as it was`);
        } finally {
          fs.rmSync(wsFile, { recursive: true, force: true });
          fs.rmSync(ladderDir, { recursive: true, force: true });
        }
      }
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(targetDir, { recursive: true, force: true });
      fs.rmSync(wsFile, { recursive: true, force: true });
      fs.rmSync(ladderDir, { recursive: true, force: true });
    }
  });

  test("Plan Experiments: a config's training_args.json there but unreadable (a folder, a pipe) is not taken for none: no budget asked instead, nothing planned or written", async () => {
    const lens = await api();
    const source = path.join(workspaceRoot(), 'configs', 'planned-400m');
    const targetDir = path.join(workspaceRoot(), 'configs', 'args-unreadable');
    const target = path.join(targetDir, 'config.json');
    const args = path.join(targetDir, 'training_args.json');
    fs.mkdirSync(targetDir, { recursive: true });
    fs.copyFileSync(path.join(source, 'config.json'), target);
    const cases: { name: string; make: () => void }[] = [{ name: 'folder', make: () => fs.mkdirSync(args) }];
    // Read without holding the extension host (fs.promises), a pipe is refused from its stat: never opened.
    if (process.platform !== 'win32') cases.push({ name: 'pipe', make: () => execFileSync('mkfifo', [args]) });
    try {
      for (const c of cases) {
        c.make();
        try {
          // Before, the config stated no tokens (they come from training_args.json) and a budget was asked instead.
          const outcome = await lens.planExperiments(target, {
            target: async () => assert.fail(`${c.name}: a budget asked instead of saying why the config cannot be planned from`),
            ladderBudget: async () => assert.fail(`${c.name}: nothing is planned`),
            action: async () => assert.fail(`${c.name}: nothing is planned`),
            folder: async () => assert.fail(`${c.name}: nothing is written`),
            confirmOverwrite: async () => assert.fail(`${c.name}: nothing is written`),
          });
          assert.equal(outcome, undefined, c.name);
        } finally {
          fs.rmSync(args, { recursive: true, force: true });
        }
      }
    } finally {
      fs.rmSync(targetDir, { recursive: true, force: true });
    }
  });

  test('lens action on the planned-400m config: plan, written configs, scaling view, no silent overwrite, live re-planning', async () => {
    const lens = await api();
    const target = path.join(workspaceRoot(), 'configs', 'planned-400m', 'config.json');
    const document = await vscode.workspace.openTextDocument(target);
    await vscode.window.showTextDocument(document);
    // The lens sits with the other plan lens, with the config's path as its argument.
    const lenses = await poll('the "Plan ladder" lens', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100);
      return found?.some((l) => l.command?.command === 'scalingLens.planExperiments') ? found : undefined;
    });
    const action = lenses.find((l) => l.command?.command === 'scalingLens.planExperiments')!;
    assert.equal(action.command!.title, 'Plan ladder');
    assert.deepEqual(action.command!.arguments, [target]);
    const planLens = lenses.find((l) => l.command?.title === 'Plan budget')!;
    assert.equal(action.range.start.line, planLens.range.start.line);

    const folders: string[] = [];
    const ui: LadderUi = {
      target: async () => assert.fail('a config is the target: no budget is asked'),
      ladderBudget: async ({ validate }) => {
        assert.match(validate('a lot') ?? '', /budget/);
        assert.equal(validate(''), undefined);
        // 1% of the target (the default) buys no run past the largest finished one, and the
        // distance from it dominates the interval: the budget that buys one (plan-ladder unit tests).
        return '$12';
      },
      action: async () => 'write',
      folder: async (defaultPath) => {
        folders.push(defaultPath);
        return defaultPath;
      },
      confirmOverwrite: async () => assert.fail('nothing exists yet'),
    };
    const outcome = await lens.planExperiments(action.command!.arguments![0] as string, ui);
    assert.ok(outcome, 'the command finished');
    assert.equal(outcome.request.target.kind, 'model');
    assert.equal(outcome.plan.family, 'example-sweep');
    assert.equal(outcome.plan.strategy, 'greedy', 'the family has finished runs');
    assert.ok(outcome.plan.now, "the interval now, from the family's runs");
    const planned = outcome.plan.runs.filter((r) => r.status === 'planned');
    assert.ok(planned.length >= 1);
    assert.equal(outcome.shownAs, 'preview');
    assert.ok(
      vscode.workspace.textDocuments.some(
        (d) => d.uri.toString() === outcome.document.toString() && d.getText().startsWith('# Ladder for configs/planned-400m/config.json'),
      ),
    );

    // Written beside the target's folder, in its format (HF: config.json + training_args.json per run).
    assert.deepEqual(folders, [path.join('configs', 'ladder')]);
    const ladderDir = path.join(workspaceRoot(), 'configs', 'ladder');
    assert.deepEqual(outcome.errors, []);
    assert.ok(outcome.written.includes(path.join(ladderDir, 'PLAN.md')));
    for (const run of planned) {
      const cfg = path.join(ladderDir, run.id, 'config.json');
      assert.ok(outcome.written.includes(cfg) && outcome.written.includes(path.join(ladderDir, run.id, 'training_args.json')));
      const estimate = await lens.estimate(await vscode.workspace.openTextDocument(cfg));
      assert.equal(estimate.applicable, true, estimate.reason);
      assert.equal(estimate.plan!.family, 'example-sweep');
      assert.equal(estimate.plan!.architecture.nLayer, run.shape.nLayer);
      assert.equal(estimate.plan!.architecture.dModel, run.shape.dModel);
      assert.ok(Math.abs(estimate.plan!.tokens! - run.tokens) <= estimate.plan!.tokensPerStep!, `${estimate.plan!.tokens} tokens vs ${run.tokens}`);
    }
    // HF configs carry their family: .scalinglens.yaml is left alone.
    assert.ok(!outcome.written.some((f) => f.endsWith('.scalinglens.yaml')));

    // `scaling-lens ladder --write` writes the same files for this plan (its writer, into another folder; PLAN.json's time aside).
    const cliDir = path.join(workspaceRoot(), 'configs', 'ladder-cli');
    try {
      const cli = writeLadderFiles(outcome.plan, {
        folder: cliDir,
        force: false,
        workspace: workspaceRoot(),
        config: { file: target, text: fs.readFileSync(target, 'utf8'), family: 'example-sweep' },
        target: { kind: 'model', label: 'configs/planned-400m/config.json' },
      });
      assert.equal(cli.code, 0, cli.err.join('\n'));
      const timeless = (text: string) => text.replace(/"writtenAt": "[^"]*"/, '');
      for (const file of outcome.written) {
        const rel = path.relative(ladderDir, file);
        assert.equal(timeless(fs.readFileSync(path.join(cliDir, rel), 'utf8')), timeless(fs.readFileSync(file, 'utf8')), rel);
      }
      assert.equal(fs.readdirSync(cliDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length, outcome.written.length);
    } finally {
      // Gone before the next plan looks for PLAN.json records.
      fs.rmSync(cliDir, { recursive: true, force: true });
    }

    // The scaling view draws the planned runs as hollow markers.
    await vscode.commands.executeCommand('scalingLens.showDashboardView', 'scaling');
    await poll('the scaling view with the ladder', () => {
      const r = lens.dashboard().lastRendered;
      return r && r.view === 'scaling' && r.ladder === planned.length ? r : undefined;
    });

    // Asked again into the same folder: nothing is replaced without asking.
    const planText = fs.readFileSync(path.join(ladderDir, 'PLAN.md'), 'utf8');
    let asked: string[] = [];
    const again = await lens.planExperiments(target, { ...ui, folder: async (p) => p, confirmOverwrite: async (existing) => ((asked = existing), false) });
    assert.ok(asked.includes(path.join(ladderDir, 'PLAN.md')), `asked about ${asked.join(', ')}`);
    assert.equal(again?.notWritten, 'existing files kept');
    assert.deepEqual(again?.written, []);
    assert.equal(fs.readFileSync(path.join(ladderDir, 'PLAN.md'), 'utf8'), planText);

    // Live re-planning: the first planned run's logs appear beside its config, finished at the law's loss.
    const first = planned[0];
    const runDir = path.join(ladderDir, first.id);
    const args = JSON.parse(fs.readFileSync(path.join(runDir, 'training_args.json'), 'utf8')) as { max_steps: number };
    // A tiny model's loss (5M parameters on 25M tokens ends near 5.5 nats on this data).
    const finalLoss = 5.5;
    const lines: string[] = [];
    for (let i = 1; i <= 24; i++) {
      const step = Math.round((args.max_steps * i) / 24);
      lines.push(JSON.stringify({ step, loss: finalLoss + 3 * Math.pow(i / 24, -0.5) - 3 }));
    }
    fs.writeFileSync(path.join(runDir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    const replanned = await poll(
      'the plan re-planned with the ladder run done',
      () => {
        const current = lens.currentLadder();
        return current && current.replans >= 1 && current.plan.runs.some((r) => r.id === first.id && r.status === 'done') ? current : undefined;
      },
      120_000,
    );
    assert.match(replanned.markdown, /✓ done/);
    assert.ok(replanned.plan.now, "the target's interval now");

    // The record beside PLAN.md names every written run's folder.
    const record = JSON.parse(fs.readFileSync(path.join(ladderDir, 'PLAN.json'), 'utf8')) as { family: string; runs: { id: string; folder: string }[] };
    assert.equal(record.family, 'example-sweep');
    assert.deepEqual(
      record.runs.map((r) => r.folder),
      planned.map((r) => r.id),
    );

    // A restart: the plan shown and this session's links are gone. A broken record elsewhere is said
    // with its file and line; the plan comes back from PLAN.json with the finished run done.
    lens.forgetLadderSession();
    assert.equal(lens.currentLadder(), undefined);
    const brokenDir = path.join(workspaceRoot(), 'configs', 'ladder-broken');
    fs.mkdirSync(brokenDir, { recursive: true });
    fs.writeFileSync(
      path.join(brokenDir, 'PLAN.json'),
      '{\n  "scalingLensLadder": 1,\n  "target": {"kind": "model", "label": "configs/planned-400m/config.json"},\n  "family": "example-sweep",\n  "runs": [\n    {"id": "ladder-x", "params": "big", "tokens": 1e9}\n  ]\n}\n',
    );
    const restarted = await lens.planExperiments(target, { ...ui, action: async () => undefined });
    assert.ok(restarted);
    assert.deepEqual(restarted.problems, ['configs/ladder-broken/PLAN.json:6: "params" must be a number (found string): this run is left out']);
    const back = restarted.plan.runs.find((r) => r.id === first.id);
    assert.equal(back?.status, 'done', `${first.id} after the restart: ${back?.status}`);
    assert.ok(back!.matchedRunId?.startsWith(`configs/ladder/${first.id}`), back!.matchedRunId);
    assert.match(restarted.markdown, /✓ done/);

    // Re-planning after the restart goes on from the record's links: a new finished run of the family re-plans, the first stays done.
    const extraDir = path.join(ladderDir, 'extra-run');
    fs.mkdirSync(extraDir, { recursive: true });
    for (const f of ['config.json', 'training_args.json']) fs.copyFileSync(path.join(runDir, f), path.join(extraDir, f));
    fs.writeFileSync(
      path.join(extraDir, 'metrics.jsonl'),
      lines.map((l) => l.replace(/"loss":([\d.]+)/, (_, v: string) => `"loss":${Number(v) + 0.01}`)).join('\n') + '\n',
    );
    const afterRestart = await poll(
      'the restored plan re-planned',
      () => {
        const current = lens.currentLadder();
        return current && current.replans >= 1 ? current : undefined;
      },
      120_000,
    );
    assert.equal(afterRestart.plan.runs.find((r) => r.id === first.id)?.status, 'done');
  });
});

suite('Restricted Mode (Plan Experiments)', function () {
  this.timeout(120_000);
  test('the plan is shown, but its configs are not written in an untrusted workspace', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const lens = await api();
    const target = path.join(workspaceRoot(), 'configs', 'planned-400m', 'config.json');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target));
    const outcome = await lens.planExperiments(target, {
      target: async () => assert.fail('a config is the target'),
      ladderBudget: async () => '$12',
      action: async () => 'write',
      folder: async () => assert.fail('no folder is asked for in Restricted Mode'),
      confirmOverwrite: async () => assert.fail('nothing is written'),
    });
    assert.ok(outcome);
    assert.ok(outcome.plan.runs.length >= 1);
    assert.equal(outcome.notWritten, 'the workspace is not trusted');
    assert.deepEqual(outcome.written, []);
    assert.ok(!fs.existsSync(path.join(workspaceRoot(), 'configs', 'ladder')));
  });
});
