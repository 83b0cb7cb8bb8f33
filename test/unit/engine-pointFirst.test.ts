// The order the extension's engine asks for fits in (issue 20: the first useful answer early by
// design): what the user looks at first, as a point forecast (no resamples) sent at once and marked
// as such, its interval following; the live runs next (the open config's family before others);
// and a final state equal to the one made without point forecasts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineSession, type SessionFitter } from '../../src/core/engine/session';
import { ScalingWorkspace } from '../../src/core/workspace';
import { fitTimedOut, runFitJob, type FitAnswer, type FitJobKind, type FitJobOf, type FitControl, type FitJob } from '../../src/core/fitJobs';
import type { Snapshot } from '../../src/core/snapshot';
import { statusText, statusTooltip } from '../../src/features/statusText';
import { clearCurveMemo } from '../../src/core/fit/curve';

const examples = path.resolve(__dirname, '../../examples');
const sweep = path.join(examples, 'sweep');

interface Asked {
  slot: string;
  key: string;
  priority: number;
  job: () => FitJob;
  control: FitControl;
  tag?: string;
}

/** Records every ask in order with its priority; fits land only when the test says which. */
class RecordingFitter implements SessionFitter {
  readonly asked: Asked[] = [];
  private readonly answers = new Map<string, FitAnswer>();
  private readonly held = new Map<string, Asked>();
  private tracking: Set<string> | undefined;
  private readonly waiters: (() => void)[] = [];
  private readonly askWaiters: { until: (asked: readonly Asked[]) => boolean; resolve: () => void }[] = [];

  /** Resolves once the asks recorded so far pass `until`: a wait on the engine's next ask, not on the clock. */
  whenAsked(until: (asked: readonly Asked[]) => boolean): Promise<void> {
    if (until(this.asked)) return Promise.resolve();
    return new Promise((resolve) => this.askWaiters.push({ until, resolve }));
  }

  fit<K extends FitJobKind>(slot: string, key: string, _kind: K, makeJob: () => FitJobOf<K>, control: FitControl, tag?: string): FitAnswer<K> | undefined {
    const answer = this.answers.get(slot) as FitAnswer<K> | undefined;
    if (answer?.key === key) return answer;
    this.tracking?.add(key);
    const ask = { slot, key, priority: control.priority ?? 0, job: makeJob, control, tag };
    this.asked.push(ask);
    if (!this.held.has(key)) this.held.set(key, ask);
    for (const w of this.askWaiters.filter((w) => w.until(this.asked))) {
      this.askWaiters.splice(this.askWaiters.indexOf(w), 1);
      w.resolve();
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

  /** The held fits whose slot passes `which` land (all by default); `cutShort`: past their time budget, with their best so far. */
  land(which: (slot: string) => boolean = () => true, cutShort = false): void {
    for (const [key, ask] of this.held) {
      if (!which(ask.slot)) continue;
      // The thread's memo of recent curve fits would answer with a whole fit made before.
      if (cutShort) clearCurveMemo();
      const deadline = cutShort ? performance.now() - 1 : undefined;
      this.answers.set(ask.slot, { key, result: runFitJob(ask.job(), { ...ask.control, deadline }), tag: ask.tag });
      this.held.delete(key);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  get holding(): number {
    return this.held.size;
  }

  resume(): void {}
  forgetTimedOut(): void {}
}

function sweepFiles(): { path: string; root: string }[] {
  return fs
    .readdirSync(sweep)
    .sort()
    .flatMap((run) => fs.readdirSync(path.join(sweep, run)).map((f) => ({ path: path.join(sweep, run, f), root: examples })));
}

const engineOptions = (fitter: SessionFitter) => ({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });

function session() {
  const fitter = new RecordingFitter();
  let next: ((s: Snapshot) => void) | undefined;
  const s = new EngineSession({
    fitter,
    // A first scan holds the reading after the looked-at run's folder until its answer lands, at most
    // one fit's budget (session.ts): these tests check the listed rounds' asks before any fit lands.
    settings: { fitTimeBudgetMs: 1000 },
    engine: engineOptions(fitter),
    onSnapshot: (snapshot) => next?.(snapshot),
    log: () => undefined,
  });
  // A rescan's rounds while its files are read (Snapshot.filesToRead) list only the runs read so far: the order of
  // asks is checked on the rounds with every run listed (readOrder tests check the rounds before).
  const nextSnapshot = () => new Promise<Snapshot>((resolve) => (next = (snapshot) => snapshot.filesToRead === undefined && resolve(snapshot)));
  return { s, fitter, nextSnapshot };
}

/** What a snapshot shows, without its version and timing. */
function shown(snapshot: Snapshot): unknown {
  return JSON.parse(JSON.stringify({ runs: snapshot.runs, families: snapshot.families, scaling: snapshot.scaling }));
}

test('the run looked at is asked for first, as a point forecast marked as such; its interval follows; the final state is the one without point forecasts', async () => {
  const { s, fitter, nextSnapshot } = session();
  const looked = 'sweep/llama-44m';
  s.lookAt([looked]);
  let posted = nextSnapshot();
  s.reset(sweepFiles());
  const first = await posted;
  assert.ok(first.runs.every((r) => r.curve === undefined));

  // The first ask of the round is the looked-at run's point fit, and nothing is asked with more urgency.
  const head = fitter.asked[0];
  assert.equal(head.slot, `curvePoint:${looked}`);
  const headJob = head.job() as FitJobOf<'curve'>;
  assert.equal(headJob.resamples, 0);
  assert.ok(
    fitter.asked.every((a) => a.key === head.key || a.priority > head.priority),
    'no fit is asked with a lower priority',
  );
  // Point forecasts only for what the user sees: the looked-at run and the live run, not the other finished runs.
  const points = new Set(fitter.asked.filter((a) => a.slot.startsWith('curvePoint:')).map((a) => a.slot));
  assert.deepEqual([...points].sort(), ['curvePoint:sweep/llama-279m', `curvePoint:${looked}`]);
  // The looked-at run's full fit (its interval) comes right after its point forecast, ahead of the other runs' point
  // forecasts: behind those of every live run read so far it came 1.8-32 s later on 1,000 runs (stop 30's note).
  const full = fitter.asked.filter((a) => a.slot.startsWith('curve:'));
  assert.ok(full.length >= 7);
  const fullLooked = full.find((a) => a.slot === `curve:${looked}`)!;
  const otherPoints = fitter.asked.filter((a) => a.slot.startsWith('curvePoint:') && a.slot !== head.slot);
  assert.ok(otherPoints.length > 0);
  assert.ok(fullLooked.priority > head.priority);
  assert.ok(otherPoints.every((a) => a.priority > fullLooked.priority));
  // Every other point forecast goes before every other fit with resamples.
  const worstPoint = Math.max(...otherPoints.map((a) => a.priority));
  assert.ok(full.every((a) => a.slot === fullLooked.slot || a.priority > worstPoint));

  // The point fits land: the runs show a point forecast whose interval is said to be coming.
  posted = nextSnapshot();
  fitter.land((slot) => slot.startsWith('curvePoint:'));
  s.fitLanded();
  const second = await posted;
  const run = second.runs.find((r) => r.id === looked)!;
  assert.equal(run.curve?.intervalPending, true);
  assert.ok(second.fitting > 0);
  const choice = { lastLooked: looked, lookedVia: 'dashboard' as const };
  assert.match(statusText(second, choice), /→ \d\.\d\d \(from this run alone, interval coming\)$/);
  assert.match(statusTooltip(second, choice), /a point forecast, its 80% interval still being computed/);
  // The family law waits for the live run's forecast with its interval (its weight), so it is fitted once.
  assert.ok(second.families.every((f) => f.fit === undefined));

  // Everything lands: no point forecast is left, and the state equals an engine's without them.
  let last = second;
  for (let round = 0; round < 8 && (round === 0 || last.fitting > 0); round++) {
    posted = nextSnapshot();
    fitter.land();
    s.fitLanded();
    last = await posted;
  }
  assert.equal(last.fitting, 0);
  assert.ok(last.runs.every((r) => r.curve === undefined || r.curve.intervalPending === undefined));
  const lookedNow = last.runs.find((r) => r.id === looked)!;
  assert.equal(lookedNow.curve!.predictedFinal.value, run.curve!.predictedFinal.value, 'the point forecast is the final fit’s value');
  assert.doesNotMatch(statusText(last, choice), /interval coming/);

  const plain = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4 });
  for (const f of sweepFiles()) plain.update(f.path, f.root);
  assert.deepEqual(shown(last), shown(plain.snapshot()));
});

test("the open config's family's live runs are asked for before another family's", async () => {
  const { s, fitter, nextSnapshot } = session();
  // Two families: the sweep, and a copy of its live run in another family (its training_args.json says which).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-pointfirst-'));
  try {
    fs.cpSync(sweep, path.join(tmp, 'sweep'), { recursive: true });
    const copy = path.join(tmp, 'other', 'llama-279m');
    fs.cpSync(path.join(sweep, 'llama-279m'), copy, { recursive: true });
    const args = path.join(copy, 'training_args.json');
    fs.writeFileSync(args, fs.readFileSync(args, 'utf8').replace('"example-sweep"', '"other-family"'));
    const files = ['sweep', 'other'].flatMap((dir) =>
      fs
        .readdirSync(path.join(tmp, dir))
        .flatMap((run) => fs.readdirSync(path.join(tmp, dir, run)).map((f) => ({ path: path.join(tmp, dir, run, f), root: tmp }))),
    );
    const posted = nextSnapshot();
    s.reset(files);
    const first = await posted;
    assert.deepEqual(first.families.map((f) => f.family).sort(), ['example-sweep', 'other-family']);
    const pointSlots = new Set(fitter.asked.filter((a) => a.slot.startsWith('curvePoint:')).map((a) => a.slot));
    assert.equal(pointSlots.size, 2, 'a point forecast for each live run');
    // The config open in the editor is of the other family: its live run's fits move ahead.
    const config = path.join(copy, 'config.json');
    const askedBefore = fitter.asked.length;
    void s.estimateConfig(config, fs.readFileSync(config, 'utf8'));
    // Asked first, so an idle fitting thread starts on it.
    assert.equal(fitter.asked.slice(askedBefore).find((a) => a.slot.startsWith('curvePoint:'))?.slot, 'curvePoint:other/llama-279m');
    const point = (id: string) => Math.min(...fitter.asked.filter((a) => a.slot === `curvePoint:${id}`).map((a) => a.priority));
    const fullOf = (id: string) => Math.min(...fitter.asked.filter((a) => a.slot === `curve:${id}`).map((a) => a.priority));
    assert.ok(point('other/llama-279m') < point('sweep/llama-279m'), 'point forecast of the open family first');
    assert.ok(fullOf('other/llama-279m') < fullOf('sweep/llama-279m'), 'its fit with resamples too');
    fitter.land();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a point forecast cut short by its time budget is asked for again, and shown once it lands, before the full fit', async () => {
  const { s, fitter, nextSnapshot } = session();
  const looked = 'sweep/llama-44m';
  s.lookAt([looked]);
  let posted = nextSnapshot();
  s.reset(sweepFiles());
  await posted;
  const pointSlot = `curvePoint:${looked}`;
  const firstKey = fitter.asked.find((a) => a.slot === pointSlot)!.key;

  // The point fit lands past its budget (a cold thread on a loaded machine): not shown, and asked again.
  posted = nextSnapshot();
  fitter.land((slot) => slot === pointSlot, true);
  s.fitLanded();
  const cut = await posted;
  assert.equal(cut.runs.find((r) => r.id === looked)!.curve, undefined, 'a cut-short point fit is not shown');
  const again = fitter.asked.filter((a) => a.slot === pointSlot && a.key !== firstKey);
  assert.equal(new Set(again.map((a) => a.key)).size, 1, 'the point fit is asked for again, once');
  assert.equal((again[0].job() as FitJobOf<'curve'>).resamples, 0);

  // It lands in time: the run shows its point forecast while its full fit is still held.
  posted = nextSnapshot();
  fitter.land((slot) => slot === pointSlot);
  s.fitLanded();
  const shownNow = (await posted).runs.find((r) => r.id === looked)!;
  assert.equal(shownNow.curve?.intervalPending, true);
  assert.ok(fitter.asked.some((a) => a.slot === `curve:${looked}`) && fitter.holding > 0, 'the full fit is still being made');

  // Retries are bounded: cut short every time, the point fit is asked for three times in all, then the run waits for its full fit.
  const other = session();
  other.s.lookAt([looked]);
  posted = other.nextSnapshot();
  other.s.reset(sweepFiles());
  await posted;
  const pointKeys = (asked: readonly Asked[]) => new Set(asked.filter((a) => a.slot === pointSlot).map((a) => a.key));
  for (let tries = 1; tries <= 3; tries++) {
    // Each retry is landed once the engine has asked for it (a round's build may take seconds under load).
    await other.fitter.whenAsked((asked) => pointKeys(asked).size >= tries);
    posted = other.nextSnapshot();
    other.fitter.land((slot) => slot === pointSlot, true);
    other.s.fitLanded();
    await posted;
  }
  // The round after the third cut-short landing asked for no fourth.
  assert.equal(pointKeys(other.fitter.asked).size, 3);
  // The run's files deleted and read again: its retry count went with it, so its point fit is asked for anew.
  const lookedFiles = sweepFiles().filter((f) => f.path.startsWith(path.join(sweep, 'llama-44m') + path.sep));
  posted = other.nextSnapshot();
  other.s.deleted(lookedFiles.map((f) => f.path));
  assert.ok((await posted).runs.every((r) => r.id !== looked));
  const askedBeforeReread = other.fitter.asked.length;
  posted = other.nextSnapshot();
  other.s.read(lookedFiles);
  await posted;
  assert.ok(
    other.fitter.asked.slice(askedBeforeReread).some((a) => a.slot === pointSlot && a.key === firstKey),
    'the point fit is asked for again from its first try',
  );
  assert.ok(fitTimedOut(runFitJob(again[0].job(), { deadline: performance.now() - 1 })), 'the test cuts fits short');
});
