// The engine as the worker runs it (core/engine/session.ts) and the wait for fits an answer needs
// (core/engine/fitWaits.ts): the worker's entry only turns messages into these calls, so what it
// decides is tested here, on the example sweep and a fitter whose fits land when the test says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineSession, type SessionFitter } from '../../src/core/engine/session';
import { fittedAsTheyLand, whenFitted, type LandingFitter, type TrackedFitter } from '../../src/core/engine/fitWaits';
import { runFitJob, type FitAnswer, type FitJobKind, type FitJobOf, type FitControl } from '../../src/core/fitJobs';
import type { Snapshot } from '../../src/core/snapshot';

const examples = path.resolve(__dirname, '../../examples');

/** A tracker whose `track` reports the waiting keys the test scripts, and whose `settled` answers as scripted. */
function scripted(waiting: string[][], settled: ('answered' | 'dropped' | 'timeout')[]): TrackedFitter & { computed: () => number } {
  let computed = 0;
  return {
    fit: () => undefined,
    track<T>(fn: () => T) {
      const value = fn();
      return { value, waiting: waiting[computed++] ?? [] };
    },
    settled: async () => settled.shift() ?? 'answered',
    computed: () => computed,
  };
}

test('whenFitted computes again once the fits it waited for landed, and says it is complete', async () => {
  const fits = scripted([['curve'], ['family'], []], []);
  let n = 0;
  const r = await whenFitted(fits, () => ++n, { rounds: 8, waitMs: 1000 });
  assert.deepEqual(r, { value: 3, complete: true });
});

test('whenFitted stops at its rounds, and at a fit given up, with what there is then (incomplete)', async () => {
  const always = scripted([['a'], ['a'], ['a'], ['a']], []);
  assert.deepEqual(await whenFitted(always, () => always.computed(), { rounds: 3, waitMs: 1000 }), { value: 2, complete: false });
  assert.equal(always.computed(), 3);
  const dropped = scripted([['a'], ['a']], ['dropped']);
  assert.deepEqual(await whenFitted(dropped, () => 'x', { rounds: 8, waitMs: 1000 }), { value: 'x', complete: false });
  assert.equal(dropped.computed(), 1, 'a dropped fit is not asked for again');
});

/**
 * A pool of `threads` whose fits land when the test says: `asks(n)` lists the keys the n-th compute
 * asks for (those not landed yet wait), and `log` records computes and landings in order.
 */
function pool(threads: number, asks: (compute: number) => string[]): LandingFitter & { land: (key: string) => void; log: string[] } {
  const waiting = new Set<string>();
  const landed = new Set<string>();
  const wakes: (() => void)[] = [];
  const log: string[] = [];
  let computes = 0;
  return {
    threads,
    log,
    get pending() {
      return waiting.size;
    },
    fit: () => undefined,
    track<T>(fn: () => T) {
      const value = fn();
      const keys = asks(++computes).filter((k) => !landed.has(k));
      for (const k of keys) waiting.add(k);
      log.push(`compute ${computes}`);
      return { value, waiting: keys };
    },
    settled: async () => 'answered',
    stillPending: (keys) => keys.filter((k) => waiting.has(k)),
    nextLanding: () => new Promise<void>((resolve) => wakes.push(resolve)),
    land(key: string) {
      waiting.delete(key);
      landed.add(key);
      log.push(`landed ${key}`);
      for (const wake of wakes.splice(0)) wake();
    },
  };
}

/** Lets the awaiting loop run. */
const tick = () => new Promise((r) => setTimeout(r, 5));

test('fittedAsTheyLand asks for what a landed fit unlocks while other fits still run, once a thread is idle', async () => {
  // Two threads: curves a and b run; a's landing leaves one idle, so the family law (which needs a) is asked for then.
  const fits = pool(2, (n) => (n === 1 ? ['curve a', 'curve b'] : ['curve b', 'family']));
  const done = fittedAsTheyLand(fits, () => 'snapshot', { rounds: 11, waitMs: 60_000 });
  await tick();
  fits.land('curve a');
  await tick();
  fits.land('curve b');
  await tick();
  fits.land('family');
  assert.deepEqual(await done, { value: 'snapshot', complete: true, computes: 4 });
  // whenFitted computed again only once every fit of a round had landed: 'compute 2' after 'landed curve b'.
  assert.deepEqual(fits.log, ['compute 1', 'landed curve a', 'compute 2', 'landed curve b', 'compute 3', 'landed family', 'compute 4']);
});

test('fittedAsTheyLand does not compute again while the threads are busy and the last compute is recent; it does once enough time passed', async () => {
  const asks = (n: number) => (n === 1 ? ['a', 'b', 'c', 'd'] : ['c', 'd']);
  // One thread and a queue: no thread idle after a's landing, and an hour's gap not reached.
  const busy = pool(1, asks);
  const waited = fittedAsTheyLand(busy, () => 0, { rounds: 11, waitMs: 60_000, minGapMs: 3600_000 });
  for (const k of ['a', 'b', 'c', 'd']) {
    await tick();
    busy.land(k);
  }
  await waited;
  assert.deepEqual(busy.log, ['compute 1', 'landed a', 'landed b', 'landed c', 'landed d', 'compute 2']);
  // No gap: each landing while fits still wait computes again (the first compute's own time is not counted).
  const eager = pool(1, asks);
  const early = fittedAsTheyLand(eager, () => 0, { rounds: 11, waitMs: 60_000, minGapMs: 0 });
  for (const k of ['a', 'b', 'c', 'd']) {
    await tick();
    eager.land(k);
  }
  await early;
  assert.equal(eager.log.slice(0, 3).join(', '), 'compute 1, landed a, compute 2');
});

test("fittedAsTheyLand stops at its rounds with what there is then (incomplete), without waiting for the last round's fits", async () => {
  let n = 0;
  const fits = pool(1, (c) => [`fit ${c}`]);
  let answer: { value: number; complete: boolean; computes: number } | undefined;
  const done = fittedAsTheyLand(fits, () => ++n, { rounds: 3, waitMs: 60_000 }).then((r) => (answer = r));
  for (let k = 1; k <= 2; k++) {
    await tick();
    fits.land(`fit ${k}`);
  }
  await tick();
  // The third compute's fit never lands: the answer is its value, given at once (before, it waited for fit 3 and then returned the same value).
  assert.deepEqual(answer, { value: 3, complete: false, computes: 3 });
  await done;
  assert.deepEqual(fits.log, ['compute 1', 'landed fit 1', 'compute 2', 'landed fit 2', 'compute 3']);
});

/** Fits held until `land()`, then run in this thread: what the fitting thread does, on the test's clock. */
class HeldFitter implements SessionFitter {
  private readonly answers = new Map<string, FitAnswer>();
  private readonly held = new Map<string, () => void>();
  private tracking: Set<string> | undefined;
  private readonly waiters: (() => void)[] = [];
  resumed = 0;
  forgotten = 0;

  fit<K extends FitJobKind>(slot: string, key: string, _kind: K, makeJob: () => FitJobOf<K>, control: FitControl, tag?: string): FitAnswer<K> | undefined {
    const answer = this.answers.get(slot) as FitAnswer<K> | undefined;
    if (answer?.key === key) return answer;
    this.tracking?.add(key);
    if (!this.held.has(key)) this.held.set(key, () => this.answers.set(slot, { key, result: runFitJob(makeJob(), { ...control, deadline: undefined }), tag }));
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

  /** Every held fit lands. */
  land(): void {
    for (const run of this.held.values()) run();
    this.held.clear();
    for (const w of this.waiters.splice(0)) w();
  }

  get holding(): number {
    return this.held.size;
  }

  resume(): void {
    this.resumed++;
  }

  forgetTimedOut(): void {
    this.forgotten++;
  }
}

function session() {
  const fitter = new HeldFitter();
  const snapshots: Snapshot[] = [];
  const logs: string[] = [];
  let next: ((s: Snapshot) => void) | undefined;
  const s = new EngineSession({
    fitter,
    settings: { fitTimeBudgetMs: 5000 },
    engine: { minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter },
    onSnapshot: (snapshot) => {
      snapshots.push(snapshot);
      next?.(snapshot);
    },
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  const nextSnapshot = () => new Promise<Snapshot>((resolve) => (next = resolve));
  return { s, fitter, snapshots, logs, nextSnapshot };
}

const sweepFiles = ['llama-12m', 'llama-23m'].map((run) => ({ path: path.join(examples, 'sweep', run, 'metrics.jsonl'), root: examples }));

test('a session posts nothing before the file list, then one snapshot per burst, and one more as its fits land', async () => {
  const { s, fitter, snapshots, logs, nextSnapshot } = session();
  // A worker restarted after a crash is configured first: no empty workspace shown before the rescan.
  s.configure({ fitTimeBudgetMs: 5000 }, { minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  s.lookAt(['anything']);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(snapshots.length, 0);

  let posted = nextSnapshot();
  s.reset(sweepFiles);
  s.read([{ path: path.join(examples, 'no-such-run', 'metrics.jsonl'), root: examples }]);
  const first = await posted;
  assert.equal(fitter.resumed, 1, 'a rescan resumes fits stopped by a crash loop');
  assert.deepEqual(first.runs.map((r) => r.id).sort(), ['sweep/llama-12m', 'sweep/llama-23m']);
  assert.ok(first.fitting > 0 && fitter.holding > 0, 'the curves are being fitted elsewhere');
  assert.ok(first.runs.every((r) => r.curve === undefined));
  assert.equal(snapshots.length, 1, 'the burst of reads made one round');
  assert.deepEqual(logs, []);

  posted = nextSnapshot();
  fitter.land();
  s.fitLanded();
  const second = await posted;
  assert.ok(second.version > first.version);
  assert.ok(
    second.runs.every((r) => r.curve !== undefined),
    'the landed fits are shown',
  );
  assert.ok(second.estimates! > first.estimates!, 'estimates made on the old family laws are stale');

  // A new fit budget: fits cut short by the old one are forgotten, estimates are stale.
  posted = nextSnapshot();
  s.configure({ fitTimeBudgetMs: 9000 }, { minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  const third = await posted;
  assert.equal(fitter.forgotten, 1);
  assert.ok(third.estimates! > second.estimates!);
});

test("a session's estimate waits for the family law it needs, and a plan's error is thrown", async () => {
  const { s, fitter } = session();
  s.reset(sweepFiles);
  const config = path.join(examples, 'configs', 'planned-400m', 'config.json');
  const estimate = s.estimateConfig(config, fs.readFileSync(config, 'utf8'));
  // Fits land as they are asked for, as the fitting thread would answer them (curves, then the family law).
  const lander = setInterval(() => fitter.land(), 20);
  try {
    const answered = await estimate;
    assert.equal(answered.fitsPending, undefined, 'every fit it needed landed');
    assert.deepEqual(answered.predictions.loss?.runsUsed.sort(), ['sweep/llama-12m', 'sweep/llama-23m'], 'the loss is from the family law of both runs');
    await assert.rejects(s.planBudget({ budget: 'lots' }), /budget/i);
  } finally {
    clearInterval(lander);
  }
});

test('a burst of landed fits is shown in a few rounds, the first answer and the last fit at once', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const fitter = Object.assign(new HeldFitter(), { pending: 0 });
  // Every round "takes" 100 ms on the session's clock, as one over a thousand runs would.
  let clock = 0;
  const posted: { at: number; snapshot: Snapshot }[] = [];
  const s = new EngineSession({
    fitter,
    settings: { fitTimeBudgetMs: 5000 },
    engine: { minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter },
    onSnapshot: (snapshot) => posted.push({ at: Date.now(), snapshot }),
    log: () => undefined,
    now: () => (clock += 100),
  });
  // In steps, so a round's Date.now() is when its timer fired.
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i += 10) t.mock.timers.tick(10);
  };
  s.reset(sweepFiles);
  advance(200);
  assert.equal(posted.length, 1, 'the rescan made one round');
  const fits = 40;
  const landedAt: number[] = [];
  for (let i = 1; i <= fits; i++) {
    // The first landing brings the curves; the others stand for the rest of a large workspace's fits.
    if (i === 1) fitter.land();
    fitter.pending = fits - i;
    landedAt.push(Date.now());
    s.fitLanded();
    advance(200);
  }
  advance(5000);
  const rounds = posted.slice(1);
  assert.ok(rounds[0].at - landedAt[0] <= 150, 'the first answer is shown at once');
  assert.ok(
    rounds[0].snapshot.runs.every((r) => r.curve),
    'it shows the landed curves',
  );
  // One round per landed fit before; spaced by ten times a round's build time now.
  assert.ok(rounds.length <= 12, `${rounds.length} rounds for ${fits} landed fits`);
  assert.ok(rounds.length >= 3, 'progress is still shown during the burst');
  const last = rounds[rounds.length - 1].at;
  assert.ok(last >= landedAt[fits - 1] && last - landedAt[fits - 1] <= 150, 'the last landed fit is shown at once');
});
