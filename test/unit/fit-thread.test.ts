// Fits in the fitting thread, apart from ingestion: the real thread (bundled here by esbuild as
// the extension bundles it), its queue by slot, cancellation seen mid-fit, the time budget per fit,
// restart after a crash, and the engine showing what it has while a fit runs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { FitClient } from '../../src/worker/fitClient';
import { AHEAD_OF_EVERY_KIND, inlineFitter, runFitJob, type FitJobOf } from '../../src/core/fitJobs';
import { ScalingWorkspace } from '../../src/core/workspace';
import { tempDir } from './helpers/tempDir';

let script = '';
before(async () => {
  script = path.join(tempDir('sl-fit-thread-'), 'fitThread.js');
  await build({
    entryPoints: [path.join(__dirname, '../../src/worker/fitThread.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: script,
    logLevel: 'warning',
    mainFields: ['module', 'main'],
  });
});

const power = (t: number) => 2.1 + 40 * t ** -0.45;

function curveJob(lastStep: number, resamples: number, noise = 0.002): FitJobOf<'curve'> {
  const steps: number[] = [];
  for (let s = 20; s <= lastStep; s += 20) steps.push(s);
  return {
    kind: 'curve',
    steps: Float64Array.from(steps),
    losses: Float64Array.from(steps, (s) => power(s) * (1 + noise * Math.sin(s))),
    targetStep: 8000,
    plannedEndStep: 8000,
    seed: 1,
    resamples,
    // Every resample drawn: these fits stand for long ones (cancelled, cut short, killed mid-fit).
    everyResample: true,
  };
}

function client(overrides: { budgetMs?: number; threads?: number } = {}) {
  const logs: string[] = [];
  let fitted = 0;
  const fits = new FitClient({
    scriptPath: script,
    budgetMs: () => overrides.budgetMs ?? 60_000,
    onFitted: () => fitted++,
    log: (level, message) => logs.push(`${level}: ${message}`),
    threads: overrides.threads ?? 1,
  });
  return { fits, logs, fitted: () => fitted };
}

test('a fit runs in the fitting thread and answers exactly what the same fit gives in the calling thread', async (t) => {
  const { fits, fitted } = client();
  t.after(() => fits.dispose());
  const job = curveJob(4000, 20);
  assert.equal(
    fits.fit('curve:a', 'k1', 'curve', () => job, {}),
    undefined,
    'nothing to show before the first fit lands',
  );
  assert.equal(fits.pending, 1);
  assert.equal(await fits.settled(['k1'], 60_000), 'answered');
  const answer = fits.fit('curve:a', 'k1', 'curve', () => assert.fail('an answered key is not fitted again'), {});
  assert.equal(answer?.key, 'k1');
  assert.deepEqual(answer?.result, runFitJob(curveJob(4000, 20), {}));
  assert.equal(fitted(), 1);
  assert.equal(fits.generation, 1);
});

test('a pool of threads runs fits side by side, started as the queue needs them, with the answers of the calling thread', async (t) => {
  const { fits } = client({ threads: 2 });
  t.after(() => fits.dispose());
  assert.equal(fits.threads, 2);
  const jobs = [curveJob(4000, 20), curveJob(3000, 20), curveJob(2000, 20)];
  jobs.forEach((job, i) => fits.fit(`curve:${i}`, `k${i}`, 'curve', () => job, {}));
  assert.equal(fits.generation, 2, 'two threads for three jobs');
  assert.equal(fits.pending, 3);
  assert.equal(fits.running, 2, 'one fit per thread, the third waiting');
  assert.equal(await fits.settled(['k0', 'k1', 'k2'], 120_000), 'answered');
  assert.equal(fits.running, 0);
  jobs.forEach((job, i) => assert.deepEqual(fits.fit(`curve:${i}`, `k${i}`, 'curve', () => assert.fail('answered'), {})?.result, runFitJob(job, {})));
  assert.equal(fits.generation, 2, 'idle threads are reused');
});

test('among waiting jobs of one kind, the lower priority number runs first, then the order asked', async (t) => {
  const { fits } = client();
  t.after(() => fits.dispose());
  fits.fit('curve:busy', 'busy', 'curve', () => curveJob(4000, 20), {});
  fits.fit('curve:late', 'late', 'curve', () => curveJob(2000, 20), { priority: 3 });
  fits.fit('curve:shown', 'shown', 'curve', () => curveJob(2000, 20), { priority: 0 });
  fits.fit('curve:shown2', 'shown2', 'curve', () => curveJob(2000, 20), { priority: 0 });
  assert.equal(await fits.settled(['shown'], 120_000), 'answered');
  assert.equal(fits.pending, 2, 'shown2 and late still to come');
  assert.equal(await fits.settled(['shown2'], 120_000), 'answered');
  assert.equal(fits.pending, 1, 'late last');
  assert.equal(await fits.settled(['late'], 120_000), 'answered');
});

test("a job at AHEAD_OF_EVERY_KIND (a looked-at run's point forecast) runs before waiting jobs of every kind; others keep their kinds' order", async (t) => {
  const { fits } = client();
  t.after(() => fits.dispose());
  const order: string[] = [];
  const track = (key: string) => void fits.settled([key], 120_000).then(() => order.push(key));
  const runPointJob = (): FitJobOf<'runPoint'> => ({ ...curveJob(2000, 0), kind: 'runPoint', mode: { kind: 'final' }, seed: 1 });
  fits.fit('curve:busy', 'busy', 'curve', () => curveJob(4000, 20), {});
  // A kind that goes before curves (a run's point in its family's law), asked first.
  fits.fit('point:a', 'point', 'runPoint', runPointJob, {});
  fits.fit('curve:other', 'other', 'curve', () => curveJob(2000, 0), { priority: AHEAD_OF_EVERY_KIND + 1 });
  fits.fit('curvePoint:looked', 'looked', 'curve', () => curveJob(2000, 0), { priority: AHEAD_OF_EVERY_KIND });
  for (const key of ['busy', 'point', 'other', 'looked']) track(key);
  assert.equal(await fits.settled(['busy', 'point', 'other', 'looked'], 240_000), 'answered');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, ['busy', 'looked', 'point', 'other']);
});

test('warm(true) starts the first thread without a fit of its own (the first fit asked warms it); warm() gives it one', async (t) => {
  const free = client();
  t.after(() => free.fits.dispose());
  free.fits.warm(true);
  assert.equal(free.fits.generation, 1, 'the thread is started');
  assert.equal(free.fits.pending, 0, 'no warm-up fit');
  const warmed = client();
  t.after(() => warmed.fits.dispose());
  warmed.fits.warm();
  assert.equal(warmed.fits.generation, 1);
  assert.equal(warmed.fits.pending, 1, 'a warm-up fit');
});

test("one fit per slot at a time; while a slot's newer fit waits, the slot answers with its older fit; a newer job replaces one still waiting", async (t) => {
  const { fits } = client();
  t.after(() => fits.dispose());
  fits.fit('curve:a', 'a1', 'curve', () => curveJob(4000, 20), {});
  // While a1 runs, a newer fit of the same slot is not queued: it is asked for again once a1 lands.
  assert.equal(
    fits.fit('curve:a', 'a0', 'curve', () => curveJob(3500, 20), {}),
    undefined,
  );
  assert.equal(fits.pending, 1);
  assert.deepEqual(
    fits.track(() => fits.fit('curve:a', 'a0', 'curve', () => curveJob(3500, 20), {})).waiting,
    ['a1'],
    'an estimate waits for the fit running in its slot',
  );
  await fits.settled(['a1'], 60_000);
  assert.equal(fits.pending, 0, 'a0 was never queued');
  // b1 runs; a2 and then a3 wait behind it: a3 takes a2's place, a2 is never fitted.
  fits.fit('curve:b', 'b1', 'curve', () => curveJob(4000, 20), {});
  fits.fit('curve:a', 'a2', 'curve', () => assert.fail('a job replaced while it waits is never built'), {});
  const a2 = fits.settled(['a2'], 60_000);
  assert.equal(fits.fit('curve:a', 'a3', 'curve', () => curveJob(2000, 20), {})?.key, 'a1', 'the older fit stands in');
  assert.equal(fits.pending, 2, 'b1 running, a3 waiting (a2 replaced)');
  // Told apart from an answer, so an editor request waiting for a2 does not ask again (and replace a3 in turn).
  assert.equal(await a2, 'dropped', 'whoever waited for the replaced job is told it was given up');
  assert.equal(await fits.settled(['a3', 'b1'], 60_000), 'answered');
  const answer = fits.fit('curve:a', 'a3', 'curve', () => assert.fail('already answered'), {});
  assert.equal(answer?.key, 'a3');
  assert.deepEqual(answer?.result, runFitJob(curveJob(2000, 20), {}));
});

test('a job that cannot be built is answered with an error, says so in the log, and the queue goes on', async (t) => {
  const { fits, logs } = client();
  t.after(() => fits.dispose());
  fits.fit(
    'curve:bad',
    'bad',
    'curve',
    () => {
      throw new RangeError('Invalid typed array length: 10000000001');
    },
    {},
  );
  const bad = fits.fit<'curve'>('curve:bad', 'bad', 'curve', () => assert.fail('answered'), {});
  assert.match(bad && 'error' in bad.result.fit ? bad.result.fit.error : '', /could not be started/);
  assert.ok(
    logs.some((l) => /curve of run bad: the fit could not be started: Invalid typed array length/.test(l)),
    logs.join('\n'),
  );
  fits.fit('curve:good', 'good', 'curve', () => curveJob(4000, 20), {});
  assert.equal(await fits.settled(['good'], 60_000), 'answered');
});

test('cancellation is seen mid-fit: a fit that would take minutes stops, and its result is not kept', async (t) => {
  const { fits, fitted } = client();
  t.after(() => fits.dispose());
  // 200,000 resamples take far longer than the test's time-out: only the shared flag ends it.
  fits.fit('curve:slow', 'slow', 'curve', () => curveJob(4000, 200_000), {});
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(fits.pending, 1);
  fits.cancelAll();
  assert.equal(await fits.settled(['slow'], 120_000), 'dropped', 'the fit stopped, unanswered');
  assert.equal(fits.pending, 0);
  assert.equal(
    fits.fit('curve:slow', 'slow', 'curve', () => curveJob(4000, 20), {}),
    undefined,
    'the cancelled fit left no answer; asking again queues it',
  );
  assert.equal(fitted(), 1, 'a new round is asked for all the same: one that asked for the slot meanwhile queued nothing');
});

test('a fit past its time budget answers with its best so far, marked cut short, and says so in the log; raising the budget redoes it', async (t) => {
  const { fits, logs } = client({ budgetMs: 50 });
  t.after(() => fits.dispose());
  fits.fit('curve:slow', 'slow', 'curve', () => curveJob(4000, 200_000), {});
  assert.equal(await fits.settled(['slow'], 120_000), 'answered');
  const answer = fits.fit('curve:slow', 'slow', 'curve', () => curveJob(4000, 200_000), {});
  assert.ok(answer && 'lawId' in answer.result.fit, 'a best-so-far curve');
  assert.equal(answer.result.fit.timedOut, true);
  assert.ok(
    logs.some((l) => /curve of run slow: the fit used its 50 ms budget/.test(l)),
    logs.join('\n'),
  );
  fits.forgetTimedOut();
  fits.fit('curve:slow', 'slow', 'curve', () => curveJob(4000, 20), {});
  assert.equal(fits.pending, 1, 'asked again, it is fitted again');
});

test('the fitting thread killed mid-fit is restarted and the fit redone; a fit that kills it twice is answered with an error', async (t) => {
  const { fits, logs } = client();
  t.after(() => fits.dispose());
  // About 2 s of fitting: still running when the thread is killed 200 ms in.
  fits.fit('curve:a', 'a1', 'curve', () => curveJob(4000, 5_000), {});
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(fits.pending, 1, 'the fit is still running');
  await fits.crashForTest();
  assert.equal(await fits.settled(['a1'], 120_000), 'answered');
  assert.equal(fits.generation, 2, 'a new thread');
  const redone = fits.fit('curve:a', 'a1', 'curve', () => assert.fail('answered'), {});
  assert.deepEqual(redone?.result, runFitJob(curveJob(4000, 5_000), {}), 'the redone fit is the fit');
  assert.ok(
    logs.some((l) => /fitting thread stopped .* during curve of run a; restarting/.test(l)),
    logs.join('\n'),
  );

  fits.fit('curve:b', 'b1', 'curve', () => curveJob(4000, 200_000), {});
  for (let i = 0; i < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await fits.crashForTest();
  }
  assert.equal(await fits.settled(['b1'], 60_000), 'answered');
  const failed = fits.fit<'curve'>('curve:b', 'b1', 'curve', () => assert.fail('answered'), {});
  assert.match('error' in failed!.result.fit ? failed!.result.fit.error : '', /stopped 2 times while running this fit/);
});

test("a fit redone after it stopped the thread goes first among its kind only: a looked-at run's point (AHEAD_OF_EVERY_KIND) and an earlier kind still go before it", async (t) => {
  const { fits } = client();
  t.after(() => fits.dispose());
  const order: string[] = [];
  const track = (key: string) => void fits.settled([key], 240_000).then(() => order.push(key));
  const runPointJob = (): FitJobOf<'runPoint'> => ({ ...curveJob(2000, 0), kind: 'runPoint', mode: { kind: 'final' }, seed: 1 });
  // About 2 s of fitting: still running when the thread is killed 200 ms in.
  fits.fit('curve:crashed', 'crashed', 'curve', () => curveJob(4000, 5_000), {});
  fits.fit('curve:other', 'other', 'curve', () => curveJob(2000, 0), { priority: -5 });
  fits.fit('point:a', 'point', 'runPoint', runPointJob, {});
  fits.fit('curvePoint:looked', 'looked', 'curve', () => curveJob(2000, 0), { priority: AHEAD_OF_EVERY_KIND });
  for (const key of ['crashed', 'other', 'point', 'looked']) track(key);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(fits.pending, 4, 'the first fit is still running');
  await fits.crashForTest();
  assert.equal(await fits.settled(['crashed', 'other', 'point', 'looked'], 240_000), 'answered');
  await new Promise((resolve) => setImmediate(resolve));
  // Redone ahead of "other" (its kind, a lower priority number), behind the looked-at point and the run point.
  assert.deepEqual(order, ['looked', 'point', 'crashed', 'other']);
});

test('the engine with the fitting thread: a snapshot shows the runs at once and counts the fits it waits for; the next shows the fits, as fitted in the calling thread', async (t) => {
  const dir = tempDir('sl-fit-thread-ws-');
  for (const name of ['run-a', 'run-b']) {
    const lines: string[] = [];
    for (let s = 20; s <= 4000; s += 20) lines.push(JSON.stringify({ step: s, loss: power(s) * (1 + (name === 'run-b' ? 0.01 : 0) + 0.002 * Math.sin(s)) }));
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, name, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  }
  const { fits } = client();
  t.after(() => fits.dispose());
  const apart = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 20, fitter: fits });
  const inline = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 20, fitter: inlineFitter });
  for (const engine of [apart, inline]) for (const name of ['run-a', 'run-b']) engine.update(path.join(dir, name, 'metrics.jsonl'), dir);
  const first = apart.snapshot();
  assert.equal(first.runs.length, 2);
  assert.equal(first.fitting, 2, 'two curves queued');
  assert.ok(
    first.runs.every((r) => r.curve === undefined && r.display.loss.length > 0),
    'points shown before any fit',
  );
  const waiting = fits.track(() => apart.snapshot()).waiting;
  assert.equal(waiting.length, 2);
  assert.equal(await fits.settled(waiting, 120_000), 'answered');
  const fitted = apart.snapshot();
  assert.equal(fitted.fitting, 0);
  assert.deepEqual(
    fitted.runs.map((r) => r.curve),
    inline.snapshot().runs.map((r) => r.curve),
  );
});
