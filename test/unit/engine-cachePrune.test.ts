// A long session on a workspace whose runs come and go: the engine's per-run and per-family caches
// hold the runs and families present, not every one the session ever saw.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { RunIndex } from '../../src/core/runs/index';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { failedFit, runFitJob, type FitAnswer, type FitJobKind, type FitJobOf, type Fitter } from '../../src/core/fitJobs';
import { FitClient } from '../../src/worker/fitClient';

const examples = path.resolve(__dirname, '../../examples');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * Fits a run's curve or forecast once per distinct input (the keys hold the inputs' hashes, not the
 * run's name, so a run made again from the same log is answered from memory); family laws and the
 * pooled schedule response fail at once (their keys name the runs, and their values do not matter here).
 */
class MemoFitter implements Fitter {
  private readonly memo = new Map<string, FitAnswer<FitJobKind>>();
  /** The slots answered and not forgotten, as the fitting threads' client keeps its answers (worker/fitClient.ts). */
  readonly slots = new Set<string>();
  forget(slots: readonly string[]): void {
    for (const slot of slots) this.slots.delete(slot);
  }
  fit<K extends FitJobKind>(slot: string, key: string, kind: K, makeJob: () => FitJobOf<K>, _control: unknown, tag?: string): FitAnswer<K> {
    this.slots.add(slot);
    if (kind === 'family' || kind === 'overtrain' || kind === 'scheduleSize' || kind === 'sweep')
      return { key, result: failedFit(kind, 'not fitted in this test'), tag };
    let answer = this.memo.get(`${kind}|${key}`);
    if (!answer) this.memo.set(`${kind}|${key}`, (answer = { key, result: runFitJob(makeJob(), {}), tag } as FitAnswer<FitJobKind>));
    return { ...answer, tag } as FitAnswer<K>;
  }
}

/** The engine's caches kept across rounds, by name (private fields, read for their sizes only). */
function cacheSizes(engine: ScalingWorkspace): Record<string, number> {
  const curves = engine['curves'];
  const families = engine['families'];
  return {
    fitterSlots: (engine['options'].fitter as MemoFitter).slots.size,
    curveCache: curves['curveCache'].size,
    siblingCache: curves['siblingCache'].size,
    responseCache: curves['responseCache'].size,
    pointRetries: curves['pointRetries'].size,
    familyCache: families['familyCache'].size,
    provisionalCache: families['provisionalCache'].size,
  };
}

/** A run copied from `from` (its config and training args), with the first `lines` lines of its log and `family`. */
function copyRun(from: string, to: string, family: string, lines?: number): string {
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(path.join(from, 'config.json'), path.join(to, 'config.json'));
  const args = JSON.parse(fs.readFileSync(path.join(from, 'training_args.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(to, 'training_args.json'), JSON.stringify({ ...args, family }));
  const log = fs.readFileSync(path.join(from, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean);
  fs.writeFileSync(path.join(to, 'metrics.jsonl'), (lines === undefined ? log : log.slice(0, lines)).join('\n') + '\n');
  return to;
}

/** `cycles` times: the runs `make(i)` makes are read, a snapshot is taken, and their folder is deleted; a last snapshot after. */
function churn(cycles: number, make: (sweep: string, folder: string, i: number) => string[], present: (engine: ScalingWorkspace) => Record<string, boolean>) {
  const root = tempDir('sl-churn-');
  fs.cpSync(path.join(examples, 'sweep'), path.join(root, 'sweep'), { recursive: true });
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter: new MemoFitter() });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  engine.snapshot();
  const settled = cacheSizes(engine);
  let seen: Record<string, boolean> = {};
  for (let i = 0; i < cycles; i++) {
    const folder = path.join(root, `churn-${i}`);
    for (const dir of make(path.join(root, 'sweep'), folder, i)) engine.update(path.join(dir, 'metrics.jsonl'), root);
    engine.snapshot();
    if (i === 0) seen = present(engine);
    fs.rmSync(folder, { recursive: true });
    engine.remove(folder);
  }
  engine.snapshot();
  return { seen, settled, after: cacheSizes(engine) };
}

test('a live run added then removed 100 times leaves the engine caches at the size of the workspace', () => {
  // 100 cycles show the bound: without the pruning each cycle leaves its entries, so the sizes grow with the cycles.
  // A live half of llama-95m in the example family: its curve, and its forecast from its finished twin.
  const { seen, settled, after } = churn(
    100,
    (sweep, folder) => [copyRun(path.join(sweep, 'llama-95m'), path.join(folder, 'live-95m'), 'example-sweep', 120)],
    (engine) => ({
      curve: engine['curves']['curveCache'].has('churn-0/live-95m'),
      sibling: engine['curves']['siblingCache'].has('churn-0/live-95m'),
    }),
  );
  // The churn reached the caches (else the bound below says nothing).
  assert.deepEqual(seen, { curve: true, sibling: true });
  assert.deepEqual(after, settled);
});

test('families added then removed 100 times leave the engine caches at the size of the workspace', () => {
  // A family of its own each time: two finished runs and a live one of another size (forecast from their pooled response).
  const { seen, settled, after } = churn(
    100,
    (sweep, folder, i) => [
      copyRun(path.join(sweep, 'llama-12m'), path.join(folder, 'a-12m'), `gone-${i}`),
      copyRun(path.join(sweep, 'llama-23m'), path.join(folder, 'b-23m'), `gone-${i}`),
      copyRun(path.join(sweep, 'llama-95m'), path.join(folder, 'c-95m'), `gone-${i}`, 120),
    ],
    (engine) => ({ response: engine['curves']['responseCache'].has('gone-0'), family: engine['families']['familyCache'].has('gone-0') }),
  );
  assert.deepEqual(seen, { response: true, family: true });
  assert.deepEqual(after, settled);
});

test('a run renamed keeps one entry per cache, under its new name', () => {
  const root = tempDir('sl-rename-');
  fs.cpSync(path.join(examples, 'sweep'), path.join(root, 'sweep'), { recursive: true });
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter: new MemoFitter() });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  engine.snapshot();
  let name = path.join(root, 'sweep', 'llama-12m');
  for (let i = 0; i < 20; i++) {
    const next = path.join(root, 'sweep', `llama-12m-v${i}`);
    fs.renameSync(name, next);
    engine.remove(name);
    for (const file of listFiles(next).filter(isDefaultLogFile)) engine.update(file, root);
    name = next;
    engine.snapshot();
  }
  const curves = engine['curves'];
  const ids = [...curves['curveCache'].keys()].filter((id) => id.includes('llama-12m'));
  assert.deepEqual(ids, ['sweep/llama-12m-v19']);
});

test('text files judged and removed 20 times leave the run index holding none of their paths', () => {
  const root = tempDir('sl-textchurn-');
  const index = new RunIndex();
  // Over the sniffed head and without a metric line: judged on its full head, then ignored.
  const prose = 'a line of prose with no metric in it\n'.repeat(Math.ceil((1024 * 1024 + 10) / 36));
  for (let i = 0; i < 20; i++) {
    const file = path.join(root, `run-${i}`, 'train.log');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, prose);
    index.update(file, root);
    if (i === 0) assert.equal(index['textJudgedOnFullHead'].size, 1, 'the file was judged on its full head');
    fs.rmSync(path.dirname(file), { recursive: true });
    index.remove(path.dirname(file));
  }
  assert.equal(index['textJudgedOnFullHead'].size, 0);
  assert.equal(index['ignored'].size, 0);
});

test("the fitting threads' client drops a forgotten slot's answer and its waiting fit, and keeps the others", () => {
  const client = new FitClient({ scriptPath: '/nonexistent/fitThread.js', budgetMs: () => 1000, onFitted: () => {}, log: () => {}, threads: 1 });
  const answer = (key: string) => ({ key, result: failedFit('curve', 'x') });
  client['remember']('curve:gone', answer('a'));
  client['remember']('curve:kept', answer('b'));
  // A fit waiting in the queue (no thread is started: the job is put there as `fit` does while the thread is busy).
  client['queue'].set('siblings:gone', {
    slot: 'siblings:gone',
    key: 'k',
    kind: 'siblingForecast',
    makeJob: () => assert.fail('a forgotten fit is never built'),
    priority: 0,
    order: 0,
  });
  client.forget(['curve:gone', 'siblings:gone']);
  assert.deepEqual([...client['answers'].keys()], ['curve:kept']);
  assert.equal(client['queue'].size, 0);
  client.dispose();
});

test('a run and a family deleted before a rescan have their fitter slots forgotten once its reading is done, and not before', () => {
  const root = tempDir('sl-rescan-');
  fs.cpSync(path.join(examples, 'sweep'), path.join(root, 'sweep'), { recursive: true });
  // A family of its own (two finished runs): gone with its runs.
  copyRun(path.join(root, 'sweep', 'llama-12m'), path.join(root, 'solo', 'a-12m'), 'solo');
  copyRun(path.join(root, 'sweep', 'llama-23m'), path.join(root, 'solo', 'b-23m'), 'solo');
  const fitter = new MemoFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  engine.snapshot();
  const held = (part: string) => [...fitter.slots].filter((slot) => slot.includes(part));
  assert.ok(held('sweep/llama-12m').length > 0 && held('family:solo').length > 0, 'the slots were there to forget');
  // Deleted while the extension was closed (or before the user's Rescan): the rescan reads what is on disk.
  fs.rmSync(path.join(root, 'sweep', 'llama-12m'), { recursive: true });
  fs.rmSync(path.join(root, 'solo'), { recursive: true });
  engine.clear();
  // Mid-read (a round between slices): a run not read yet keeps its slots.
  const files = listFiles(root).filter(isDefaultLogFile);
  const late = files.filter((file) => file.includes('llama-95m'));
  for (const file of files.filter((f) => !late.includes(f))) engine.update(file, root);
  engine.snapshot();
  assert.ok(held('sweep/llama-95m').length > 0, 'a run not read yet keeps its answers mid-read');
  for (const file of late) engine.update(file, root);
  engine.rescanRead();
  engine.snapshot();
  assert.deepEqual(held('sweep/llama-12m'), []);
  assert.deepEqual(held('solo'), []);
  assert.ok(held('sweep/llama-95m').length > 0 && held('sweep/llama-23m').length > 0, 'the runs read again keep theirs');
});

test("a config deleted has its LR / batch sweep slot forgotten, another config's kept", () => {
  const root = tempDir('sl-sweepslot-');
  fs.cpSync(examples, root, { recursive: true });
  const fitter = new MemoFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  engine.snapshot();
  const configs = ['gpt2-small', 'planned-400m'].map((name) => path.join(root, 'configs', name, 'config.json'));
  const readSibling = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
  for (const file of configs) engine.estimateConfig(file, fs.readFileSync(file, 'utf8'), readSibling);
  const sweepSlots = () => [...fitter.slots].filter((slot) => slot.startsWith('sweep:')).sort();
  assert.deepEqual(
    sweepSlots(),
    configs.map((file) => `sweep:${file}`),
  );
  // Its folder deleted (the watcher reports the folder).
  fs.rmSync(path.dirname(configs[0]), { recursive: true });
  engine.remove(path.dirname(configs[0]));
  assert.deepEqual(sweepSlots(), [`sweep:${configs[1]}`]);
  // The file itself deleted.
  fs.rmSync(configs[1]);
  engine.remove(configs[1]);
  assert.deepEqual(sweepSlots(), []);
});
