// The order a rescan reads its files in and asks for fits (issue 20: the first useful answer before
// every log is read). Checked by sequence (reads and asks in one log), never by time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineSession, type SessionFitter } from '../../src/core/engine/session';
import { folderBoundary, readFirst, runFolders, type QueuedFile } from '../../src/core/engine/readOrder';
import { ScalingWorkspace } from '../../src/core/workspace';
import { runFitJob, type FitAnswer, type FitControl, type FitJobKind, type FitJobOf } from '../../src/core/fitJobs';
import type { Snapshot } from '../../src/core/snapshot';

const examples = path.resolve(__dirname, '../../examples');
const sweep = path.join(examples, 'sweep');

/** Fits are held until the test lands them; every ask goes into the shared `events` log. */
class LoggingFitter implements SessionFitter {
  private readonly answers = new Map<string, FitAnswer>();
  private readonly held = new Map<string, { slot: string; land: () => void }>();
  private tracking: Set<string> | undefined;
  private readonly waiters: (() => void)[] = [];
  warmed = 0;

  constructor(private readonly events: string[]) {}

  fit<K extends FitJobKind>(slot: string, key: string, _kind: K, makeJob: () => FitJobOf<K>, control: FitControl, tag?: string): FitAnswer<K> | undefined {
    const answer = this.answers.get(slot) as FitAnswer<K> | undefined;
    if (answer?.key === key) return answer;
    this.tracking?.add(key);
    if (!this.held.has(key)) {
      this.events.push(`ask ${slot}`);
      this.held.set(key, { slot, land: () => this.answers.set(slot, { key, result: runFitJob(makeJob(), { ...control, deadline: undefined }), tag }) });
    }
    return answer;
  }

  track<T>(fn: () => T): { value: T; waiting: string[] } {
    this.tracking = new Set();
    try {
      const value = fn();
      return { value, waiting: [...this.tracking].filter((k) => this.held.has(k)) };
    } finally {
      this.tracking = undefined;
    }
  }

  settled(): Promise<'answered'> {
    return new Promise((resolve) => this.waiters.push(() => resolve('answered')));
  }

  /** The held fits whose slot passes `which` land (all by default). */
  land(which: (slot: string) => boolean = () => true): void {
    for (const [key, fit] of this.held) {
      if (!which(fit.slot)) continue;
      fit.land();
      this.held.delete(key);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  get pending(): number {
    return this.held.size;
  }

  warm(): void {
    this.warmed++;
  }

  resume(): void {}
  forgetTimedOut(): void {}
}

/** The sweep's files as the host lists them: glob by glob (every metrics.jsonl, every trainer_state.json, ...), not run by run. */
function hostOrder(root = examples, dir = sweep): { path: string; root: string }[] {
  const runs = fs.readdirSync(dir).sort();
  return ['metrics.jsonl', 'trainer_state.json', 'config.json', 'training_args.json'].flatMap((name) =>
    runs.filter((run) => fs.existsSync(path.join(dir, run, name))).map((run) => ({ path: path.join(dir, run, name), root })),
  );
}

function session(events: string[]) {
  const fitter = new LoggingFitter(events);
  const posted: Snapshot[] = [];
  let waiting: { when: (s: Snapshot) => boolean; resolve: (s: Snapshot) => void } | undefined;
  const s = new EngineSession({
    fitter,
    settings: { fitTimeBudgetMs: 60_000 },
    engine: { minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter },
    onSnapshot: (snapshot) => {
      posted.push(snapshot);
      events.push(`snapshot ${snapshot.runs.length} runs${snapshot.filesToRead ? `, ${snapshot.filesToRead} to read` : ''}`);
      if (waiting?.when(snapshot)) {
        waiting.resolve(snapshot);
        waiting = undefined;
      }
    },
    log: () => undefined,
  });
  const until = (when: (s: Snapshot) => boolean) => new Promise<Snapshot>((resolve) => (waiting = { when, resolve }));
  return { s, fitter, posted, until };
}

const runOf = (file: string) => path.basename(path.dirname(file));

test("a rescan reads the looked-at run's folder first and asks for its point forecast before reading on; the final state is unchanged", (t) => {
  // Timers are the test's (a round, a slice of reading and the hold for the first answer go when it says).
  t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate'] });
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i += 10) t.mock.timers.tick(10);
  };
  const events: string[] = [];
  const { s, fitter, posted } = session(events);
  const looked = 'sweep/llama-95m';
  s.lookAt([looked]);
  const files = hostOrder();
  s.reset(files, (_index, file) => events.push(`read ${runOf(file.path)}/${path.basename(file.path)}`));
  assert.equal(fitter.warmed, 1, 'the fitting threads warm up as before');

  // Its three files first, though the host listed them among the others.
  const reads = () => events.filter((e) => e.startsWith('read '));
  assert.deepEqual(
    reads().map((e) => e.split('/')[0]),
    ['read llama-95m', 'read llama-95m', 'read llama-95m'],
  );

  // A round of that run alone, marked as mid-read, asks for its point forecast; the rest waits for its answer.
  advance(10);
  assert.equal(posted.length, 1);
  const early = posted[0];
  assert.deepEqual(
    early.runs.map((r) => r.id),
    [looked],
  );
  assert.equal(early.filesToRead, files.length - 3);
  assert.ok(events.includes(`ask curvePoint:${looked}`), events.join('\n'));
  advance(300);
  assert.equal(reads().length, 3, 'no other file read while its answer is awaited');

  // The point forecast lands: it is shown while the other files are still to read, then reading goes on.
  fitter.land((slot) => slot.startsWith('curvePoint:'));
  s.fitLanded();
  advance(200);
  const first = posted.find((snap) => snap.runs.some((r) => r.id === looked && r.curve));
  assert.ok(first, events.join('\n'));
  assert.ok(first.filesToRead! > 0, 'the answer came before the listing');
  assert.equal(first.runs.find((r) => r.id === looked)!.curve!.intervalPending, true);

  // Then every run is read, folder by folder (never a round with a run missing some of its files).
  advance(2000);
  const listed = posted.find((snap) => snap.filesToRead === undefined);
  assert.equal(listed?.runs.length, 7);
  const readRuns = reads().map((e) => e.slice(5).split('/')[0]);
  assert.equal(readRuns.length, files.length);
  const changes = readRuns.filter((run, i) => i === 0 || run !== readRuns[i - 1]);
  assert.equal(changes.length, 7, `each folder read in one go: ${readRuns.join(', ')}`);

  // Everything lands: the state equals an engine's that read the files in the host's order.
  for (let round = 0; round < 10 && posted[posted.length - 1].fitting > 0; round++) {
    fitter.land();
    s.fitLanded();
    advance(500);
  }
  const last = posted[posted.length - 1];
  assert.equal(last.fitting, 0);
  const plain = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4 });
  for (const f of files) plain.update(f.path, f.root);
  const shown = (snap: Snapshot) =>
    JSON.parse(JSON.stringify({ runs: snap.runs, families: snap.families, scaling: snap.scaling, diagnostics: snap.diagnostics }));
  assert.deepEqual(shown(last), shown(plain.snapshot()));

  // A rescan once runs are shown posts no round with some of them missing (they would go and come back).
  const before = posted.length;
  s.reset(files);
  advance(3000);
  assert.ok(posted.length > before);
  assert.ok(
    posted.slice(before).every((snap) => snap.filesToRead === undefined),
    'no partial listing over a full one',
  );
});

test('the folder of a config asked for while a rescan reads is read next; its estimate is made on every file', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate'] });
  const events: string[] = [];
  const { s, fitter } = session(events);
  s.lookAt(['sweep/llama-95m']);
  s.reset(hostOrder(), (_index, file) => events.push(`read ${runOf(file.path)}`));
  t.mock.timers.tick(10);
  // Reading waits for the looked-at run's answer: the config's estimate is asked now.
  const config = path.join(sweep, 'llama-23m', 'config.json');
  let answer: Awaited<ReturnType<typeof s.estimateConfig>> | undefined;
  let asked = false;
  // As the lens: a provisional answer (the live run's forecast still coming) is asked again.
  for (let i = 0; i < 200 && !(answer && !answer.predictions.loss?.provisional); i++) {
    if (!asked) {
      asked = true;
      void s.estimateConfig(config, fs.readFileSync(config, 'utf8')).then((e) => ((answer = e), (asked = false)));
    }
    fitter.land();
    s.fitLanded();
    for (let k = 0; k < 20; k++) t.mock.timers.tick(10);
    await new Promise((resolve) => process.nextTick(resolve));
  }
  assert.ok(answer);
  const reads = events.filter((e) => e.startsWith('read ')).map((e) => e.slice(5));
  assert.deepEqual(reads.slice(3, 6), ['llama-23m', 'llama-23m', 'llama-23m'], reads.join(', '));
  assert.equal(reads.length, hostOrder().length, 'every file was read');
  const plain = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4 });
  for (const f of hostOrder()) plain.update(f.path, f.root);
  const expected = plain.estimateConfig(config, fs.readFileSync(config, 'utf8'), (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
  assert.deepEqual(JSON.parse(JSON.stringify(answer.predictions)), JSON.parse(JSON.stringify(expected.predictions)));
});

test('readFirst: workspace files, then the folders seen, then the rest, folder by folder; roots keep their order', () => {
  const q = (p: string, root: string): QueuedFile => ({ file: { path: p, root }, index: 0 });
  const queue = [
    q('/b/r1/metrics.jsonl', '/b'),
    q('/a/r2/metrics.jsonl', '/a'),
    q('/b/r2/metrics.jsonl', '/b'),
    q('/b/r1/config.json', '/b'),
    q('/b/.scalinglens.yaml', '/b'),
    q('/a/r2/config.json', '/a'),
  ].map((x, index) => ({ ...x, index }));
  const order = (seen: string[]) => readFirst(queue, seen).map((x) => x.file.path);
  assert.deepEqual(order([]), [
    '/b/.scalinglens.yaml',
    '/b/r1/metrics.jsonl',
    '/b/r1/config.json',
    '/a/r2/metrics.jsonl',
    '/a/r2/config.json',
    '/b/r2/metrics.jsonl',
  ]);
  assert.deepEqual(order(['/a/r2']), [
    '/b/.scalinglens.yaml',
    '/a/r2/metrics.jsonl',
    '/a/r2/config.json',
    '/b/r1/metrics.jsonl',
    '/b/r1/config.json',
    '/b/r2/metrics.jsonl',
  ]);
  // Each keeps the host's index (the worker's crash record names a file by it).
  assert.deepEqual(
    readFirst(queue, []).map((x) => x.index),
    [4, 0, 3, 1, 5, 2],
  );
  // A run id belongs to the first root that holds its folder; a root-prefixed id is not moved.
  assert.deepEqual(runFolders(['r2', 'b:r2', 'nowhere'], queue), ['/b/r2']);
  assert.equal(folderBoundary(q('/b/out/trainer_state.json', '/b'), q('/b/out/runs/x/events', '/b')), false);
  assert.equal(folderBoundary(q('/b/out/runs/x/events', '/b'), q('/b/out-2/metrics.jsonl', '/b')), true);
});

test('a looked-at run that is not in the workspace moves nothing ahead: folder by folder in the host order', () => {
  const events: string[] = [];
  const { s, fitter } = session(events);
  s.lookAt(['elsewhere/run']);
  s.reset(hostOrder(), (_index, file) => events.push(`read ${file.path}`));
  assert.equal(fitter.warmed, 1);
  // Folder by folder in the host's order of folders (its first file's), nothing moved ahead.
  const expected = readFirst(
    hostOrder().map((file, index) => ({ file, index })),
    [],
  ).map((q) => `read ${q.file.path}`);
  assert.deepEqual(
    events.filter((e) => e.startsWith('read ')),
    expected.slice(0, events.filter((e) => e.startsWith('read ')).length),
  );
});

test("readFirst: a run folder's event files below it are read right after its own files, whatever the host's order", () => {
  const q = (p: string, index: number): QueuedFile => ({ file: { path: p, root: '/w' }, index });
  const queue = [
    q('/w/out/a/runs/x/events.out.tfevents.1', 0),
    q('/w/out/b/metrics.jsonl', 1),
    q('/w/out/a/trainer_state.json', 2),
    q('/w/out/a/runs/y/events.out.tfevents.2', 3),
  ];
  const order = readFirst(queue, []);
  assert.deepEqual(
    order.map((x) => x.index),
    [1, 2, 0, 3],
  );
  // A slice may end only after the whole of out/a (the HF output folder and its runs/ event files).
  // (out/a where the host listed its own files.)
  assert.equal(folderBoundary(order[1], order[2]), false);
  assert.equal(folderBoundary(order[0], order[1]), true);
});

test("a folder seen that is a workspace root (a config at the root, a run logged at the root) moves only the root's own files ahead", () => {
  const q = (p: string, index: number): QueuedFile => ({ file: { path: p, root: '/w' }, index });
  const queue = [q('/w/r1/metrics.jsonl', 0), q('/w/metrics.csv', 1), q('/w/r2/metrics.jsonl', 2)];
  const order = readFirst(queue, ['/w']);
  assert.deepEqual(
    order.map((x) => [x.index, x.seen]),
    [
      [1, true],
      [0, false],
      [2, false],
    ],
  );
  // A run at the root is named by the root's folder name (runs/index.ts): its folder is the root.
  assert.deepEqual(runFolders(['w', 'r2'], queue), ['/w', '/w/r2']);
  assert.deepEqual(runFolders(['w'], [q('/w/r1/metrics.jsonl', 0)]), []);
});
