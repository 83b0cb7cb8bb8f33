// The open config's first answer while its family's law waits for live runs' forecasts (issue 20): a
// provisional law from the finished runs (engine/familyFits.ts), marked in the estimate, replaced by
// the family's law once the live runs' forecasts land (engine/session.ts, estimateFreshness.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { ScalingWorkspace } from '../../src/core/workspace';
import { EngineSession, type SessionFitter } from '../../src/core/engine/session';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { runFitJob, type FitAnswer, type FitJob, type FitJobKind, type FitJobOf, type FitControl } from '../../src/core/fitJobs';
import type { ConfigEstimate, FamilyLaw, Snapshot } from '../../src/core/snapshot';
import { lensTitle, lensTooltip, LineIndex } from '../../src/features/lensModel';
import { hoverMarkdown, sourcesOnLine } from '../../src/features/hoverText';

const examples = path.resolve(__dirname, '../../examples');
const LIVE = 'sweep/llama-279m';
const config = path.join(examples, 'configs', 'planned-400m', 'config.json');
const configText = fs.readFileSync(config, 'utf8');
const readSibling = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
const sweepFiles = listFiles(path.join(examples, 'sweep')).filter(isDefaultLogFile);

/** The live run's forecast chain (its curve, its sibling forecast, the family's schedule response). */
const liveChain = (slot: string) => slot === `curve:${LIVE}` || slot === `siblings:${LIVE}` || slot.startsWith('schedule:');

/**
 * Fits held until `land(which)`, then run in this thread; records every job asked for. `land` with a
 * slot filter lands only those: the live run's chain can be held back while the rest lands.
 */
class SlotFitter implements SessionFitter {
  private readonly answers = new Map<string, FitAnswer>();
  private readonly held = new Map<string, { slot: string; key: string; run: () => void }>();
  private tracking: Set<string> | undefined;
  private readonly waiters: { keys: string[]; resolve: (r: 'answered') => void }[] = [];
  readonly jobs: { slot: string; job: FitJob }[] = [];

  /**
   * `outOfBudget`: the jobs run with their fit budget already spent (cut short in their main fit, as a big sweep's law is
   * by scalingLens.fit.timeBudgetMs). `cutInBootstrap`: the jobs stopped in their bootstrap, once their main fit and
   * leave-largest-out check are done (cancelled after as many checks as the same job without resamples makes: no clock).
   */
  constructor(
    private readonly outOfBudget: (job: FitJob) => boolean = () => false,
    private readonly cutInBootstrap: (job: FitJob) => boolean = () => false,
  ) {}

  fit<K extends FitJobKind>(slot: string, key: string, _kind: K, makeJob: () => FitJobOf<K>, control: FitControl, tag?: string): FitAnswer<K> | undefined {
    const answer = this.answers.get(slot) as FitAnswer<K> | undefined;
    if (answer?.key === key) return answer;
    this.tracking?.add(key);
    if (!this.held.has(key))
      this.held.set(key, {
        slot,
        key,
        run: () => {
          const job = makeJob();
          this.jobs.push({ slot, job });
          this.answers.set(slot, { key, result: runFitJob(job, this.controlFor(job, control)), tag });
        },
      });
    return answer;
  }

  private controlFor(job: FitJob, control: FitControl): FitControl {
    if (job.kind === 'family' && this.cutInBootstrap(job)) {
      let checks = 0;
      runFitJob({ ...job, resamples: 0 }, { isCancelled: () => (checks++, false) });
      let left = checks;
      return { isCancelled: () => left-- < 0 };
    }
    return { ...control, deadline: this.outOfBudget(job) ? performance.now() : undefined };
  }

  /** How often `track` ran: each is one try of the session's estimate (plans wait through it too, none here). */
  tracked = 0;

  track<T>(fn: () => T): { value: T; waiting: string[] } {
    this.tracked++;
    this.tracking = new Set();
    try {
      const value = fn();
      return { value, waiting: [...this.tracking].filter((k) => this.held.has(k)) };
    } finally {
      this.tracking = undefined;
    }
  }

  /** As the fitting threads' (FitClient.settled): `timeout` once `timeoutMs` has passed with a key still held. */
  settled(keys: readonly string[], timeoutMs = Number.POSITIVE_INFINITY): Promise<'answered' | 'timeout'> {
    return new Promise((resolve) => {
      const waiter = {
        keys: [...keys],
        resolve: (r: 'answered') => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(
            () => {
              const at = this.waiters.indexOf(waiter);
              if (at >= 0) this.waiters.splice(at, 1);
              resolve('timeout');
            },
            Math.max(0, timeoutMs),
          ).unref()
        : undefined;
      this.waiters.push(waiter);
    });
  }

  /** The held fits whose slot passes `which` land. Returns how many. */
  land(which: (slot: string) => boolean = () => true): number {
    const landing = [...this.held.values()].filter((h) => which(h.slot));
    for (const h of landing) {
      h.run();
      this.held.delete(h.key);
    }
    for (const w of this.waiters.splice(0)) {
      if (w.keys.some((k) => this.held.has(k))) this.waiters.push(w);
      else w.resolve('answered');
    }
    if (landing.length > 0) for (const wake of this.landingWaiters.splice(0)) wake();
    return landing.length;
  }

  /** Resolved at the next `land` that lands something (as the fitting threads' FitClient.nextLanding). */
  private readonly landingWaiters: (() => void)[] = [];
  nextLanding(): Promise<void> {
    return new Promise((resolve) => this.landingWaiters.push(resolve));
  }

  /** The slots of every fit asked for so far (held or landed). */
  askedSlots(): string[] {
    return [...this.jobs.map((j) => j.slot), ...[...this.held.values()].map((h) => h.slot)];
  }

  resume(): void {}
  forgetTimedOut(): void {}
}

test('with the live run forecast still coming, a provisional estimate comes from the finished runs; the full one anchors the live run', () => {
  const fitter = new SlotFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of sweepFiles) engine.update(file, examples);
  // Every fit but the live run's chain lands, round after round, as the fitting threads would answer them.
  for (let round = 0; round < 6; round++) {
    engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
    engine.snapshot();
    fitter.land((slot) => !liveChain(slot));
  }
  const waiting = engine.estimateConfig(config, configText, readSibling);
  assert.equal(waiting.predictions.loss, undefined, 'the family law itself still waits for the live run');
  assert.match(waiting.predictions.uncalibrated ?? '', /still being fitted/);

  const first = engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
  const early = first.predictions.loss;
  assert.ok(early?.provisional, 'a provisional loss');
  assert.deepEqual(early.provisional.pendingRunIds, [LIVE]);
  assert.ok(!early.runsUsed.includes(LIVE) && early.runsUsed.length >= 4, `fitted to the finished runs: ${early.runsUsed.join(', ')}`);
  assert.equal(early.anchoredRunIds, undefined);
  assert.ok(first.notes.some((n) => n.startsWith('Provisional:') && n.includes(LIVE) && n.includes('without the live runs whose forecasts are still coming')));
  const provisionalJobs = fitter.jobs.filter((j) => j.slot.startsWith('provisional:'));
  assert.equal(provisionalJobs.length, 1, 'one provisional law fitted');
  assert.equal(provisionalJobs[0].job.kind === 'family' && provisionalJobs[0].job.resamples, 0, 'without resamples: its interval is not shown');
  assert.ok(!fitter.jobs.some((j) => j.slot.startsWith('overtrain:')), 'no over-training law for a provisional one');
  // Shown as provisional, without an interval (the full law's may differ): lens, tooltip and hover.
  const sizeLine = configText.split('\n').findIndex((l) => l.includes('"hidden_size"'));
  const hover = (e: typeof first) => hoverMarkdown(e, sourcesOnLine(e, config, new LineIndex(configText), sizeLine), 'scalingLens.showDashboard');
  assert.match(lensTitle(first), /^Loss ≈\d\.\d+ \(provisional\) · /);
  assert.ok(!lensTitle(first).includes('['), lensTitle(first));
  assert.match(lensTooltip(first), /provisional chinchilla law[^]*No interval yet/);
  assert.match(hover(first), /Loss ≈\*\*\d\.\d+\*\* \(provisional\)/);
  assert.match(hover(first), /\| Predicted loss \| ≈\d\.\d+ \(provisional\): Provisional: /);
  assert.ok(!/\| Predicted loss \|[^\n]*\[/.test(hover(first)), 'no interval in the hover');

  // The live run's chain lands: the family's law anchors it, and the estimate is no longer provisional.
  for (let round = 0; round < 8 && fitter.land() > 0; round++) {
    engine.snapshot();
    engine.estimateConfig(config, configText, readSibling);
  }
  const full = engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
  const loss = full.predictions.loss;
  assert.ok(loss && !loss.provisional, 'the full law replaces the provisional one');
  assert.ok(loss.runsUsed.includes(LIVE) && loss.anchoredRunIds?.includes(LIVE), 'anchored by the live run');
  assert.ok(loss.interval[1] > loss.interval[0], 'with its interval');
  assert.ok(!full.notes.some((n) => n.startsWith('Provisional:')));
  assert.match(lensTitle(full), /^Loss \d\.\d+ \[\d\.\d+, \d\.\d+\] · /);
  // The hover escapes brackets (hoverText.ts escapeCell).
  assert.match(hover(full), /\| Predicted loss \| \d\.\d+ \\\[\d\.\d+, \d\.\d+\\\] \(80%\)/);
});

test('a family with no live run waiting gets no provisional law', () => {
  const fitter = new SlotFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of sweepFiles.filter((f) => !f.includes('llama-279m'))) engine.update(file, examples);
  for (let round = 0; round < 8; round++) {
    const e = engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
    assert.equal(e.predictions.loss?.provisional, undefined);
    engine.snapshot();
    if (fitter.land() === 0) break;
  }
  assert.ok(engine.estimateConfig(config, configText, readSibling).predictions.loss, 'the family law landed');
  assert.ok(!fitter.jobs.some((j) => j.slot.startsWith('provisional:')), 'no provisional fit was asked for');
});

test('a session answers the open config provisionally first, then in full once the estimates generation moves', async () => {
  const fitter = new SlotFitter();
  const snapshots: Snapshot[] = [];
  /** Resolved by the first snapshot whose estimates generation differs from `generation`. */
  let staleWaiter: { generation: unknown; resolve: () => void } | undefined;
  const s = new EngineSession({
    fitter,
    settings: { fitTimeBudgetMs: 5000 },
    engine: { minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter },
    onSnapshot: (snapshot) => {
      snapshots.push(snapshot);
      // The snapshot's own provisional law (a first scan's) moves the generation once too: the lens asks again, provisionally.
      const fullLaw = snapshot.families.some((f) => f.family === 'example-sweep' && f.fit && !f.provisional);
      if (staleWaiter && snapshot.estimates !== staleWaiter.generation && fullLaw) staleWaiter.resolve();
    },
    log: () => undefined,
  });
  // Every estimate the engine computes, counted: one per round of a request, none after it answered.
  const computeEstimate = ScalingWorkspace.prototype.estimateConfig;
  let computes = 0;
  ScalingWorkspace.prototype.estimateConfig = function (this: ScalingWorkspace, ...args: Parameters<typeof computeEstimate>) {
    computes++;
    return computeEstimate.apply(this, args);
  };
  s.reset(sweepFiles.map((p) => ({ path: p, root: examples })));
  // The fitting threads answer everything but the live run's chain (each landing told to the session).
  let holdLive = true;
  const lander = setInterval(() => {
    if (fitter.land((slot) => !holdLive || !liveChain(slot)) > 0) s.fitLanded();
  }, 20);
  try {
    const first = await s.estimateConfig(config, configText);
    assert.ok(first.predictions.loss?.provisional, 'the first answer is provisional');
    assert.equal(first.fitsPending, true, 'and says the lens should ask again');
    const computesAtAnswer = computes;
    const generation = snapshots.at(-1)?.estimates;
    const stale = new Promise<void>((resolve) => (staleWaiter = { generation, resolve }));
    holdLive = false;
    // As the lens does: asked again once a snapshot says the estimates went stale.
    await stale;
    assert.equal(computes, computesAtAnswer, 'answered, the request computes no more (no full answer racing on)');
    const second = await s.estimateConfig(config, configText);
    const loss = second.predictions.loss;
    assert.ok(loss && !loss.provisional, 'the second answer is the full one');
    assert.ok(loss.anchoredRunIds?.includes(LIVE));
    assert.equal(second.fitsPending, undefined);
  } finally {
    clearInterval(lander);
    ScalingWorkspace.prototype.estimateConfig = computeEstimate;
  }
});

/** An engine on `files` whose fits all land, round after round, but those `held` back. */
function engineLanded(files: string[], root: string, held: (slot: string) => boolean, ask: (engine: ScalingWorkspace) => void, fitter = new SlotFitter()) {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of files) engine.update(file, root);
  for (let round = 0; round < 12; round++) {
    ask(engine);
    engine.snapshot();
    if (fitter.land((slot) => !held(slot)) === 0) break;
  }
  return { fitter, engine };
}
const askConfig = (engine: ScalingWorkspace) => engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });

test('a family that has its law keeps it (pending, with its interval) when a new live run joins: no provisional downgrade', () => {
  const { fitter, engine } = engineLanded(
    sweepFiles.filter((f) => !f.includes('llama-279m')),
    examples,
    () => false,
    askConfig,
  );
  const before = engine.estimateConfig(config, configText, readSibling).predictions.loss;
  assert.ok(before && before.interval[1] > before.interval[0], 'the full law, with its interval');
  // The live run joins; its forecast chain is still being fitted.
  for (const file of sweepFiles.filter((f) => f.includes('llama-279m'))) engine.update(file, examples);
  engine.snapshot();
  const after = askConfig(engine);
  const loss = after.predictions.loss;
  assert.ok(loss, 'still answered');
  assert.equal(loss.provisional, undefined, 'not downgraded to a provisional law');
  assert.equal(loss.value, before.value, 'the law of before');
  assert.deepEqual(loss.interval, before.interval, 'with its interval');
  assert.match(lensTitle(after), /^Loss \d\.\d+ \[\d\.\d+, \d\.\d+\] · /);
  assert.ok(!fitter.jobs.some((j) => j.slot.startsWith('provisional:')), 'no provisional fit asked for');
});

test('a law fitted mid-read to some finished runs gives way to a provisional law of them all while a live run is fitted', () => {
  // A rescan's first rounds: the family's law of the first two finished runs read lands.
  const firstTwo = sweepFiles.filter((f) => f.includes('llama-12m') || f.includes('llama-23m'));
  const { fitter, engine } = engineLanded(firstTwo, examples, () => false, askConfig);
  const midRead = engine.estimateConfig(config, configText, readSibling).predictions.loss;
  assert.ok(midRead, 'the mid-read law answers');
  // The rest is read; the live run's forecast chain is held back.
  for (const file of sweepFiles.filter((f) => !firstTwo.includes(f))) engine.update(file, examples);
  for (let round = 0; round < 12; round++) {
    askConfig(engine);
    engine.snapshot();
    if (fitter.land((slot) => !liveChain(slot)) === 0) break;
  }
  const loss = askConfig(engine).predictions.loss;
  assert.ok(loss?.provisional, 'a provisional law of every finished run, not the mid-read law of two');
  assert.deepEqual(loss.provisional.pendingRunIds, [LIVE]);
  assert.notEqual(loss.value, midRead.value);
  assert.ok(
    fitter.jobs.some((j) => j.slot.startsWith('provisional:')),
    'its provisional fit ran',
  );
});

test('an over-trained config gets no provisional value (a provisional law has no over-training law)', () => {
  // 40× the planned steps: about 780 tokens per parameter, where the over-training law alone answers.
  const readOvertrained = (p: string) => {
    const text = readSibling(p);
    if (text === undefined || !p.endsWith('training_args.json')) return text;
    const args = JSON.parse(text) as { max_steps: number };
    return JSON.stringify({ ...args, max_steps: args.max_steps * 40 });
  };
  const ask = (engine: ScalingWorkspace) => engine.estimateConfig(config, configText, readOvertrained, Number.POSITIVE_INFINITY, { provisional: true });
  const { fitter, engine } = engineLanded(sweepFiles, examples, liveChain, ask);
  const early = ask(engine);
  assert.ok(
    fitter.jobs.some((j) => j.slot.startsWith('provisional:')),
    'the provisional law was fitted',
  );
  assert.equal(early.predictions.loss, undefined, 'no provisional value: it would contradict the full law (blended with the over-training law)');
  assert.match(early.predictions.uncalibrated ?? '', /still being fitted \(at \d+ tokens\/parameter the over-training law blends in/);
  // The full answer blends the over-training law in.
  for (let round = 0; round < 12 && fitter.land() > 0; round++) {
    engine.snapshot();
    ask(engine);
  }
  const full = ask(engine).predictions.loss;
  assert.ok(full && !full.provisional && (full.regime?.overtrainWeight ?? 0) > 0, JSON.stringify(full?.regime));
});

/** A copy of the examples with `extra` runs added (a copy of `from`, its training args changed, its log cut to `lines`). */
function examplesWith(extra: { name: string; from: string; lines?: number; args?: Record<string, unknown> }[]): {
  root: string;
  files: string[];
  config: string;
} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'provisional-'));
  fs.cpSync(examples, root, { recursive: true });
  for (const run of extra) {
    const dir = path.join(root, 'sweep', run.name);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(root, 'sweep', run.from, 'config.json'), path.join(dir, 'config.json'));
    const args = JSON.parse(fs.readFileSync(path.join(root, 'sweep', run.from, 'training_args.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'training_args.json'), JSON.stringify({ ...args, ...run.args }));
    const lines = fs
      .readFileSync(path.join(root, 'sweep', run.from, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean);
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.slice(0, run.lines ?? lines.length).join('\n') + '\n');
  }
  return { root, files: listFiles(path.join(root, 'sweep')).filter(isDefaultLogFile), config: path.join(root, 'configs', 'planned-400m', 'config.json') };
}

test('a provisional law includes the live runs whose forecasts have landed, and says so', () => {
  const second = 'sweep/llama-279m-b';
  const ws = examplesWith([{ name: 'llama-279m-b', from: 'llama-279m', lines: 120 }]);
  try {
    const secondChain = (slot: string) => slot === `curve:${second}` || slot === `siblings:${second}`;
    const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
    const ask = (engine: ScalingWorkspace) => engine.estimateConfig(ws.config, configText, read, Number.POSITIVE_INFINITY, { provisional: true });
    const { engine } = engineLanded(ws.files, ws.root, secondChain, ask);
    const early = ask(engine);
    const loss = early.predictions.loss;
    assert.ok(loss?.provisional, 'provisional while the second live run waits');
    assert.deepEqual(loss.provisional.pendingRunIds, [second]);
    assert.ok(loss.runsUsed.includes(LIVE) && !loss.runsUsed.includes(second), loss.runsUsed.join(', '));
    assert.ok(loss.anchoredRunIds?.includes(LIVE), 'the landed forecast is named');
    assert.ok(
      early.notes.some((n) => n.startsWith('The family law includes the forecast end of') && n.includes(LIVE)),
      early.notes.join('\n'),
    );
  } finally {
    fs.rmSync(ws.root, { recursive: true, force: true });
  }
});

test('a config naming no family asks no provisional fit when several families wait for live runs', () => {
  // A second family ("other"): a finished run and a live one.
  const ws = examplesWith([
    { name: 'other-12m', from: 'llama-12m', args: { family: 'other' } },
    { name: 'other-279m', from: 'llama-279m', lines: 120, args: { family: 'other' } },
  ]);
  try {
    const chains = (slot: string) => liveChain(slot) || slot === 'curve:sweep/other-279m' || slot === 'siblings:sweep/other-279m';
    const read = (p: string) => {
      const text = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
      if (text === undefined || !p.endsWith('training_args.json')) return text;
      const args = JSON.parse(text) as Record<string, unknown>;
      delete args.family;
      return JSON.stringify(args);
    };
    // The slots the estimate asks for (the snapshots' rounds ask each family's provisional law for the dashboard: familyFits.ts firstLaws).
    const askedByEstimate: string[] = [];
    let estimating = false;
    class EstimateSlots extends SlotFitter {
      override fit<K extends FitJobKind>(slot: string, key: string, kind: K, makeJob: () => FitJobOf<K>, control: FitControl, tag?: string) {
        if (estimating) askedByEstimate.push(slot);
        return super.fit(slot, key, kind, makeJob, control, tag);
      }
    }
    const ask = (engine: ScalingWorkspace) => {
      estimating = true;
      try {
        return engine.estimateConfig(ws.config, configText, read, Number.POSITIVE_INFINITY, { provisional: true });
      } finally {
        estimating = false;
      }
    };
    const { engine } = engineLanded(ws.files, ws.root, chains, ask, new EstimateSlots());
    const families = engine.snapshot().families.map((f) => f.family);
    assert.ok(families.includes('other') && families.includes('example-sweep'), families.join(', '));
    assert.equal(ask(engine).predictions.loss, undefined);
    assert.deepEqual(
      askedByEstimate.filter((slot) => slot.startsWith('provisional:')),
      [],
      "no family is the config's for sure: the estimate asks no provisional fit ahead of the curves",
    );
  } finally {
    fs.rmSync(ws.root, { recursive: true, force: true });
  }
});

/** The family law of the example sweep, as the full law fits it (200 resamples) and as the point fit stands in for it (none). */
const fullFamilyLaw = (job: FitJob) => job.kind === 'family' && job.resamples === undefined;

test("a family law out of its fit budget: the estimate shows the same runs' law fitted without resamples, provisional, with the reason", () => {
  const fitter = new SlotFitter(fullFamilyLaw);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of sweepFiles) engine.update(file, examples);
  let estimate = engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
  for (let round = 0; round < 12 && fitter.land() > 0; round++) {
    engine.snapshot();
    estimate = engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
  }
  const full = fitter.jobs.filter((j) => j.slot.startsWith('family:') && j.job.kind === 'family' && j.job.points.some((p) => p.runId === LIVE));
  assert.ok(full.length >= 1, 'the full law of every run was asked for');
  // Cut short in its main fit: the same runs' law is fitted again, without resamples.
  assert.equal(engine.snapshot().families.find((f) => f.runIds.includes(LIVE))?.fit?.cutShortIn, 'main fit');
  assert.ok(
    fitter.jobs.some(
      (j) => j.slot.startsWith('provisional:') && j.job.kind === 'family' && j.job.resamples === 0 && j.job.points.some((p) => p.runId === LIVE),
    ),
    'the stand-in fit was asked',
  );
  const loss = estimate.predictions.loss;
  assert.ok(loss, `a loss, not: ${estimate.predictions.uncalibrated}`);
  assert.ok(loss.provisional?.fullLawTimedOut, 'marked provisional, standing in for the law that ran out of its budget');
  assert.deepEqual(loss.provisional.pendingRunIds, []);
  assert.ok(loss.runsUsed.includes(LIVE) && loss.anchoredRunIds?.includes(LIVE), 'the same runs as the full law, the live run anchored');
  const note = `Provisional: the family's full law did not finish within scalingLens.fit.timeBudgetMs; showing the law of the same ${loss.runsUsed.length} runs fitted without resamples`;
  assert.ok(
    estimate.notes.some((n) => n.startsWith(note)),
    estimate.notes.join('\n'),
  );
  // Its value is the full law's own point (the bootstrap only adds the interval).
  const inline = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4 });
  for (const file of sweepFiles) inline.update(file, examples);
  const reference = inline.estimateConfig(config, configText, readSibling).predictions.loss;
  assert.ok(reference && !reference.provisional);
  assert.equal(loss.value, reference.value);
  // Lens, tooltip and hover: in the provisional answer's words, with why no interval comes.
  const sizeLine = configText.split('\n').findIndex((l) => l.includes('"hidden_size"'));
  const hover = hoverMarkdown(estimate, sourcesOnLine(estimate, config, new LineIndex(configText), sizeLine), 'scalingLens.showDashboard');
  assert.match(lensTitle(estimate), /^Loss ≈\d\.\d+ \(provisional\) · /);
  assert.match(lensTooltip(estimate), /provisional chinchilla law[^]*No interval: the full law did not finish within its fit time budget/);
  assert.match(hover, /\| Predicted loss \| ≈\d\.\d+ \(provisional\): Provisional: the family's full law did not finish within scalingLens\.fit\.timeBudgetMs/);
});

test("a family law cut short in its bootstrap: the estimate shows the law's own fit without resamples, provisional, and asks no second fit", () => {
  const fitter = new SlotFitter(undefined, fullFamilyLaw);
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of sweepFiles) engine.update(file, examples);
  const estimate = landAll(fitter, engine, () => askConfig(engine));
  const law = engine.snapshot().families.find((f) => f.runIds.includes(LIVE));
  assert.ok(law?.fit?.timedOut, 'the full law ran out of its budget');
  assert.equal(law.fit.cutShortIn, 'bootstrap');
  const loss = estimate.predictions.loss;
  assert.ok(loss?.provisional?.fullLawTimedOut, `a provisional loss, not: ${estimate.predictions.uncalibrated}`);
  assert.ok(loss.runsUsed.includes(LIVE) && loss.anchoredRunIds?.includes(LIVE), 'the same runs as the full law, the live run anchored');
  assert.match(loss.provisional.note, new RegExp(`showing the law of the same ${loss.runsUsed.length} runs fitted without resamples`));
  assert.deepEqual(
    fitter.jobs.filter((j) => j.slot.startsWith('provisional:') && j.job.kind === 'family' && j.job.points.some((p) => p.runId === LIVE)).map((j) => j.slot),
    [],
    'no second fit of the same runs',
  );
  // The full law's own point, as the law that finished gives it.
  const inline = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4 });
  for (const file of sweepFiles) inline.update(file, examples);
  const reference = inline.estimateConfig(config, configText, readSibling).predictions.loss;
  assert.ok(reference && !reference.provisional);
  assert.equal(loss.value, reference.value);
});

test('a family law out of its fit budget whose point fit runs out too: the provisional law of the finished runs stays, with the reason', () => {
  // Every law with the live run's forecast in it runs out of its budget, its point fit too.
  const fitter = new SlotFitter((job) => job.kind === 'family' && job.points.some((p) => p.runId === LIVE));
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of sweepFiles) engine.update(file, examples);
  for (let round = 0; round < 6; round++) {
    engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
    engine.snapshot();
    fitter.land((slot) => !liveChain(slot));
  }
  const first = engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true }).predictions.loss;
  assert.ok(first?.provisional && !first.provisional.fullLawTimedOut, 'first, the provisional law of the finished runs');
  let estimate = engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
  for (let round = 0; round < 12 && fitter.land() > 0; round++) {
    engine.snapshot();
    estimate = engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true });
  }
  assert.ok(
    fitter.jobs.some((j) => j.slot.startsWith('provisional:') && j.job.kind === 'family' && j.job.points.some((p) => p.runId === LIVE)),
    'a point fit of every run was tried',
  );
  const loss = estimate.predictions.loss;
  assert.ok(loss?.provisional?.fullLawTimedOut, `a provisional loss, not: ${estimate.predictions.uncalibrated}`);
  assert.equal(loss.value, first.value, 'the value shown before');
  assert.ok(!loss.runsUsed.includes(LIVE));
  assert.ok(
    estimate.notes.some((n) =>
      n.startsWith("Provisional: the family's full law did not finish within scalingLens.fit.timeBudgetMs; showing the law of the finished runs"),
    ),
    estimate.notes.join('\n'),
  );
  // A snapshot's family law is never provisional: there the law cut short is shown as it is.
  const law = engine.snapshot().families.find((f) => f.runIds.includes(LIVE));
  assert.ok(law?.fit?.timedOut && !law.provisional);
});

/** An engine on `files` (under `root`) whose fits all land, round after round; the last estimate of `ask`. */
function landAll(fitter: SlotFitter, engine: ScalingWorkspace, ask: () => ConfigEstimate, each: (estimate: ConfigEstimate) => void = () => {}): ConfigEstimate {
  let estimate = ask();
  for (let round = 0; round < 12 && fitter.land() > 0; round++) {
    engine.snapshot();
    estimate = ask();
    each(estimate);
  }
  return estimate;
}

test('a law standing in for one cut short is not shown once a run it was fitted to is removed: no loss, with the reason', () => {
  // First only the full law runs out of its budget; once the run is removed, every law with the live run's forecast does.
  let removed = false;
  const fitter = new SlotFitter((job) => job.kind === 'family' && (removed ? job.points.some((p) => p.runId === LIVE) : job.resamples === undefined));
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of sweepFiles) engine.update(file, examples);
  const before = landAll(fitter, engine, () => askConfig(engine)).predictions.loss;
  assert.ok(before?.provisional?.fullLawTimedOut && before.runsUsed.includes('sweep/llama-12m'), 'first the same runs law, the 12m run in it');
  removed = true;
  for (const file of sweepFiles.filter((f) => f.includes('llama-12m'))) engine.remove(file);
  const estimate = landAll(
    fitter,
    engine,
    () => askConfig(engine),
    (e) => assert.ok(!e.predictions.loss?.runsUsed.includes('sweep/llama-12m'), `a loss of the removed run's law: ${e.predictions.loss?.provisional?.note}`),
  );
  assert.equal(estimate.predictions.loss, undefined);
  assert.match(estimate.predictions.uncalibrated ?? '', /did not finish within its fit time budget/);
});

test('while a cut-short family refits a live run that moved, the law standing in for it stays, pending and labelled as what it is', () => {
  const ws = examplesWith([]);
  try {
    const fitter = new SlotFitter(fullFamilyLaw);
    const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
    for (const file of ws.files) engine.update(file, ws.root);
    const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
    let law: FamilyLaw | undefined;
    const ask = () => engine.estimateConfig(ws.config, configText, read, Number.POSITIVE_INFINITY, { provisional: true, onFamily: (f) => (law = f) });
    const first = landAll(fitter, engine, ask).predictions.loss;
    assert.ok(first?.provisional?.fullLawTimedOut);
    // The live run logs one more line: its forecast moves, and the family's points with it.
    const log = ws.files.find((f) => f.includes('llama-279m') && f.endsWith('metrics.jsonl'))!;
    const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
    const last = JSON.parse(lines[lines.length - 1]) as { step: number; loss: number };
    fs.appendFileSync(log, JSON.stringify({ ...last, step: last.step + 10, loss: last.loss * 0.999 }) + '\n');
    engine.update(log, ws.root);
    engine.snapshot();
    const seen: string[] = [];
    const settled = landAll(fitter, engine, ask, (e) => {
      const loss = e.predictions.loss;
      assert.ok(loss?.provisional?.fullLawTimedOut, `a loss in every round, not: ${e.predictions.uncalibrated}`);
      assert.match(loss.provisional.note, /showing the law of the same 6 runs fitted without resamples/);
      // The law of the points before, until the law of the points now lands: pending meanwhile.
      assert.equal(law?.pending === true, loss.value === first.value, `pending ${law?.pending} at ${loss.value}`);
      seen.push(`${loss.value}`);
    });
    assert.ok(seen.length >= 2 && seen[0] === `${first.value}`, 'the law shown before stays while the new points are fitted');
    assert.notEqual(settled.predictions.loss?.value, first.value, "then the moved forecast's law replaces it");
  } finally {
    fs.rmSync(ws.root, { recursive: true, force: true });
  }
});

test('a config naming no family asks no fit in place of a cut-short law when several families ran out of their budget', () => {
  const other = ['12m', '23m', '44m-lr3e-3', '279m'].map((size) => ({ name: `other-${size}`, from: `llama-${size}`, args: { family: 'other' } }));
  const ws = examplesWith(other);
  try {
    const read = (p: string) => {
      const text = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
      if (text === undefined || !p.endsWith('training_args.json')) return text;
      const args = JSON.parse(text) as Record<string, unknown>;
      delete args.family;
      return JSON.stringify(args);
    };
    const fitter = new SlotFitter(fullFamilyLaw);
    const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
    for (const file of ws.files) engine.update(file, ws.root);
    // Every fit lands first (the full answer's), then the config is asked for a first answer.
    landAll(fitter, engine, () => engine.estimateConfig(ws.config, configText, read, Number.POSITIVE_INFINITY));
    fitter.jobs.splice(0);
    const estimate = landAll(fitter, engine, () => engine.estimateConfig(ws.config, configText, read, Number.POSITIVE_INFINITY, { provisional: true }));
    assert.equal(estimate.predictions.uncalibrated, 'the config names no family and the workspace has several');
    const timedOut = engine
      .snapshot()
      .families.filter((f) => f.fit?.timedOut)
      .map((f) => f.family);
    assert.deepEqual(timedOut.sort(), ['example-sweep', 'other'], 'both laws ran out of their budget');
    assert.deepEqual(
      fitter.jobs.filter((j) => j.slot.startsWith('provisional:')).map((j) => j.slot),
      [],
      "no family is the config's for sure: no fit in place of either law",
    );
  } finally {
    fs.rmSync(ws.root, { recursive: true, force: true });
  }
});

/** The sweep's files of the runs named (folder names under examples/sweep). */
/**
 * `beforeRead` for a session's read: each config-only file under `root` takes at least 2 ms to read, so that a read
 * of a few hundred of them outlasts a first answer by far on any machine (reading is synchronous, in slices).
 */
function slowUnder(root: string): (index: number, file: { path: string; root: string }) => void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return (_index, file) => {
    if (file.root === root) Atomics.wait(cell, 0, 0, 2);
  };
}

const filesOf = (...runs: string[]) => sweepFiles.filter((f) => runs.includes(path.basename(path.dirname(f))));
const askMidRead = (engine: ScalingWorkspace, filesToRead: number) =>
  engine.estimateConfig(config, configText, readSibling, Number.POSITIVE_INFINITY, { provisional: true, midRead: { filesToRead } });

test('asked while a rescan reads: a provisional law of the runs read so far once they span five sizes, marked, from an earlier slice while the newer one is fitted', () => {
  const fitter = new SlotFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  // Four sizes read (12m, 23m, 44m twice, 95m): too few for the law's five parameters, none asked.
  for (const file of filesOf('llama-12m', 'llama-23m', 'llama-44m', 'llama-44m-lr3e-3', 'llama-95m')) engine.update(file, examples);
  assert.equal(askMidRead(engine, 6).predictions.loss?.provisional, undefined);
  assert.equal(
    fitter.land((slot) => slot.startsWith('provisional:')),
    0,
    'no provisional fit asked with four sizes',
  );
  // A fifth size: the law of the runs read so far is fitted (without resamples), then answers.
  for (const file of filesOf('llama-187m')) engine.update(file, examples);
  const asked = askMidRead(engine, 4);
  assert.equal(asked.predictions.loss?.provisional, undefined, 'nothing while it is fitted');
  assert.equal(
    fitter.land((slot) => slot.startsWith('provisional:')),
    1,
  );
  const first = askMidRead(engine, 4);
  const loss = first.predictions.loss;
  assert.ok(loss?.provisional, 'a provisional loss');
  assert.equal(loss.provisional.filesToRead, 4);
  // (llama-44m-lr3e-3, an LR variant, is not among the law's points.)
  assert.deepEqual(loss.runsUsed.sort(), ['sweep/llama-12m', 'sweep/llama-187m', 'sweep/llama-23m', 'sweep/llama-44m', 'sweep/llama-95m']);
  assert.ok(
    first.notes.some((n) => n.startsWith('Provisional:') && n.includes('the 5 runs of the family read so far, 4 file(s) of the workspace still to read')),
    first.notes.join(' | '),
  );
  assert.ok(first.notes.includes("LR and batch advice from the family's sweeps: still being fitted."));
  assert.ok(!fitter.jobs.some((j) => j.slot.startsWith('sweep:') || j.slot.startsWith('overtrain:')), 'no sweep or over-training fit mid-read');
  const job = fitter.jobs.find((j) => j.slot.startsWith('provisional:'))?.job;
  assert.equal(job?.kind === 'family' && job.resamples, 0, 'without resamples');
  assert.match(lensTitle(first), /^Loss ≈\d\.\d+ \(provisional\) · /);

  // The rescan reads on (runs of the same family under a second root). One more run: the law shown stays,
  // no refit asked (each goes ahead of every curve fit) until the points read have doubled.
  const second = secondRoot(['llama-12m', 'llama-23m', 'llama-44m', 'llama-95m', 'llama-187m']);
  for (const file of listFiles(path.join(second, 'copy-of-llama-12m'))) engine.update(file, second);
  const oneMore = askMidRead(engine, 3).predictions.loss;
  assert.equal(oneMore?.value, loss.value);
  assert.equal(oneMore?.provisional?.filesToRead, 3);
  assert.equal(
    fitter.land((slot) => slot.startsWith('provisional:')),
    0,
    'no refit for one more run',
  );
  // Doubled: while the law of the new points is fitted, the earlier one (its points all still read) answers; then the newer.
  for (const file of listFiles(second).filter((f) => !f.includes('copy-of-llama-12m'))) engine.update(file, second);
  const later = askMidRead(engine, 1).predictions.loss;
  assert.equal(later?.value, loss.value, 'the law of the runs read before');
  assert.deepEqual(later?.runsUsed.sort(), loss.runsUsed);
  assert.equal(later?.provisional?.filesToRead, 1);
  assert.equal(
    fitter.land((slot) => slot.startsWith('provisional:')),
    1,
  );
  const newer = askMidRead(engine, 1).predictions.loss;
  assert.ok(newer?.runsUsed.includes('copy-of-llama-12m') && newer.runsUsed.length === 10, newer?.runsUsed.join(', '));
  fs.rmSync(second, { recursive: true, force: true });
});

/** A second root holding copies of `runs` (family example-sweep, named by their training_args.json) as runs `copy-of-<run>`. */
function secondRoot(runs: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'midread-'));
  for (const run of runs) fs.cpSync(path.join(examples, 'sweep', run), path.join(root, `copy-of-${run}`), { recursive: true });
  return root;
}

test('a mid-read law whose points are not all among those read now (a rescan of changed runs) is not shown', () => {
  const fitter = new SlotFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of filesOf('llama-12m', 'llama-23m', 'llama-44m', 'llama-95m', 'llama-187m')) engine.update(file, examples);
  askMidRead(engine, 2);
  fitter.land((slot) => slot.startsWith('provisional:'));
  assert.ok(askMidRead(engine, 2).predictions.loss?.provisional, 'the law of these five runs');
  // A rescan that reads a copy of llama-12m (another run) where llama-12m was: the landed law has a point no longer read.
  engine.clear();
  const second = secondRoot(['llama-12m']);
  for (const file of [...filesOf('llama-23m', 'llama-44m', 'llama-95m', 'llama-187m'), ...listFiles(second)])
    engine.update(file, file.startsWith(second) ? second : examples);
  assert.equal(askMidRead(engine, 2).predictions.loss, undefined, 'nothing until the law of the runs read now lands');
  assert.equal(
    fitter.land((slot) => slot.startsWith('provisional:')),
    1,
  );
  assert.ok(askMidRead(engine, 2).predictions.loss?.runsUsed.includes('copy-of-llama-12m'));
  fs.rmSync(second, { recursive: true, force: true });
});

/** `count` folders under a new temporary folder, each holding a model config only (no run); `files` as a session reads them. */
function configOnlyFolders(prefix: string, count: number): { root: string; files: { path: string; root: string }[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (let i = 0; i < count; i++) fs.cpSync(path.join(examples, 'sweep', 'llama-12m', 'config.json'), path.join(root, `model-${i}`, 'config.json'));
  return { root, files: listFiles(root).map((p) => ({ path: p, root })) };
}

/**
 * A session on a SlotFitter (fits land only when landed), looking at `lookAt`; `startLanding` lands every fit asked,
 * every 20 ms, until the function it returns is called.
 */
function slotSession(
  fitTimeBudgetMs: number,
  lookAt: string[],
): { s: EngineSession; fitter: SlotFitter; snapshots: Snapshot[]; startLanding: () => () => void } {
  const fitter = new SlotFitter();
  const snapshots: Snapshot[] = [];
  const s = new EngineSession({
    fitter,
    settings: { fitTimeBudgetMs },
    engine: { minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter },
    onSnapshot: (snapshot) => snapshots.push(snapshot),
    log: () => undefined,
  });
  s.lookAt(lookAt);
  const startLanding = () => {
    const lander = setInterval(() => {
      if (fitter.land() > 0) s.fitLanded();
    }, 20);
    return () => clearInterval(lander);
  };
  return { s, fitter, snapshots, startLanding };
}

/**
 * A session whose fits all land as asked (every 20 ms), looking at five sizes' runs; `settled` waits until no fit is
 * left, nothing is held and every file is read (up to 60 s: it ends as soon as everything has settled); `stop` ends the landing.
 */
function landingSession(): { s: EngineSession; snapshots: Snapshot[]; settled: () => Promise<void>; stop: () => void } {
  const { s, fitter, snapshots, startLanding } = slotSession(60_000, [
    'sweep/llama-12m',
    'sweep/llama-23m',
    'sweep/llama-44m',
    'sweep/llama-95m',
    'sweep/llama-187m',
  ]);
  const stop = startLanding();
  const settled = async () => {
    for (let i = 0; i < 3000; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const last = snapshots.at(-1);
      if (last && last.fitting === 0 && last.filesToRead === undefined && fitter.land() === 0 && i > 20) break;
    }
  };
  return { s, snapshots, settled, stop };
}

test('a session asked mid-read answers from the runs read so far; the snapshots once every file is read are those of a session not asked', async () => {
  // Behind the sweep, 400 folders holding a model config only (no run), each read in 2 ms or more (slowUnder): reading
  // goes on for 0.8 s or more after the first answer, whatever the machine's speed.
  const configsOnly = configOnlyFolders('midread-configs-', 400);
  const files = [...sweepFiles.map((p) => ({ path: p, root: examples })), ...configsOnly.files];
  /** A session whose first slice reads five sizes' folders (looked at), with every fit landing as asked; `ask` estimates the config at once. */
  const run = async (ask: boolean) => {
    const { s, snapshots, settled, stop } = landingSession();
    s.reset(files, slowUnder(configsOnly.root));
    const answer = ask ? s.estimateConfig(config, configText) : undefined;
    try {
      const first = await answer;
      // Every fit landed and shown: no fit left, nothing held, every file read.
      await settled();
      return { first, last: snapshots.at(-1)! };
    } finally {
      stop();
    }
  };
  const asked = await run(true);
  const quiet = await run(false);
  const loss = asked.first?.predictions.loss;
  assert.ok(loss?.provisional?.filesToRead !== undefined && loss.provisional.filesToRead > 0, 'answered before every file was read');
  assert.equal(asked.first?.fitsPending, true, 'the lens asks again');
  assert.ok(!loss.runsUsed.includes('sweep/llama-44m-lr3e-3'), `from the runs read first: ${loss.runsUsed.join(', ')}`);
  // Identical once read, but for the snapshot's number and the estimates generation (an answer given early moves it).
  const strip = (snapshot: Snapshot) => ({ ...snapshot, version: 0, estimates: 0, buildMs: 0 });
  assert.deepEqual(strip(asked.last), strip(quiet.last));
  fs.rmSync(configsOnly.root, { recursive: true, force: true });
});

test("asked while a rescan reads, with too few sizes read, the estimate asks for no fit: the looked-at run's curve is not put behind a family law", () => {
  const fitter = new SlotFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  for (const file of filesOf('llama-12m', 'llama-23m', 'llama-44m')) engine.update(file, examples);
  const e = askMidRead(engine, 12);
  assert.equal(e.predictions.loss, undefined);
  assert.match(e.predictions.uncalibrated ?? '', /still being fitted/);
  assert.equal(fitter.land(), 0, 'nothing asked of the fitting threads');
});

test("asked during a later read of changed files (not a rescan), the estimate is the family's full law, not the rescan's law of the runs read then", async () => {
  // Review C: the law of the 5 runs read first at startup came back, labelled "read so far", whenever the lens asked
  // while changed files were read in more than one slice; only a rescan's read answers from the runs read so far.
  const configsOnly = configOnlyFolders('midread-later-', 400);
  const { s, settled, stop } = landingSession();
  try {
    s.reset([...sweepFiles.map((p) => ({ path: p, root: examples })), ...configsOnly.files], slowUnder(configsOnly.root));
    const startup = (await s.estimateConfig(config, configText)).predictions.loss;
    assert.ok(startup?.provisional?.filesToRead, 'the rescan answered from the runs read so far');
    await settled();
    const full = (await s.estimateConfig(config, configText)).predictions.loss;
    assert.ok(full && !full.provisional && full.interval, 'settled: the full law');
    // A later change: two runs' logs and 300 other folders, read in several slices.
    s.lookAt(['sweep/llama-12m']);
    const changed = sweepFiles.filter((f) => /llama-12m|llama-23m/.test(f)).map((p) => ({ path: p, root: examples }));
    s.read([...changed, ...configsOnly.files.slice(0, 300)], slowUnder(configsOnly.root));
    const later = (await s.estimateConfig(config, configText)).predictions.loss;
    assert.equal(later?.provisional, undefined, `not a law of the runs read so far: ${later?.provisional?.note}`);
    assert.equal(later?.value, full.value);
    assert.deepEqual(later?.runsUsed, full.runsUsed);
  } finally {
    stop();
    fs.rmSync(configsOnly.root, { recursive: true, force: true });
  }
});

test("a rescan's reading held for the looked-at run's answer reads on while the open config waits for five sizes: its law is asked before that answer lands, and no round asks a family law mid-read", async () => {
  const configsOnly = configOnlyFolders('midread-held-', 200);
  // The hold lasts one fit budget: longer than this test, so only the estimate's reading goes on.
  const { s, fitter, snapshots, startLanding } = slotSession(600_000, ['sweep/llama-12m']);
  s.reset([...sweepFiles.map((p) => ({ path: p, root: examples })), ...configsOnly.files], slowUnder(configsOnly.root));
  void s.estimateConfig(config, configText);
  // Nothing lands: before this change the estimate waited for the looked-at run's answer, and the reading with it.
  let slots: string[] = [];
  for (let i = 0; i < 1500 && !slots.some((slot) => slot.startsWith('provisional:')); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    slots = fitter.askedSlots();
  }
  try {
    assert.ok(slots.includes('provisional:example-sweep'), `the law of the runs read so far is asked: ${slots.join(', ')}`);
    assert.ok(slots.includes('curvePoint:sweep/llama-12m'), "the looked-at run's point forecast is asked too");
    assert.equal(fitter.jobs.length, 0, 'no fit landed');
    assert.ok(snapshots.length > 0 && snapshots.every((snapshot) => snapshot.filesToRead !== undefined), 'still reading');
    // Mid-read, the rounds asked no family law (200 resamples, on points the next slice changes): it went ahead of both.
    assert.deepEqual(
      slots.filter((slot) => slot.startsWith('family:')),
      [],
    );
    assert.ok(snapshots.at(-1)!.families.every((f) => f.fit === undefined));
  } finally {
    // Reading goes on (the held fits land) to its end, so the test leaves nothing running.
    const stopLanding = startLanding();
    for (let i = 0; i < 3000 && snapshots.at(-1)?.filesToRead !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    stopLanding();
    fs.rmSync(configsOnly.root, { recursive: true, force: true });
  }
  // Once every file is read, the rounds ask the family's law again.
  assert.equal(snapshots.at(-1)?.filesToRead, undefined);
  assert.ok(fitter.askedSlots().includes('family:example-sweep'));
});

/** Resolves once `done()` holds, checked every 20 ms (up to a minute, as a guard: the test then fails saying `what`). */
async function waitUntil(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`never happened: ${what}`);
}

test("a rescan's reading held for the looked-at run's answer stays held when the family's provisional law lands first; that run's forecast, shown at once, ends the hold", async () => {
  // Review E: a provisional law counted as the answer shown, so it ended the hold (the rest of the read then took the
  // CPU kept for the looked-at run's fit) and the run's forecast waited behind a burst's spacing.
  const configsOnly = configOnlyFolders('midread-lawfirst-', 200);
  // The hold lasts one fit budget: longer than this test, so only an answer ends it.
  const { s, fitter, snapshots, startLanding } = slotSession(600_000, ['sweep/llama-12m']);
  let read = 0;
  const slow = slowUnder(configsOnly.root);
  s.reset([...sweepFiles.map((p) => ({ path: p, root: examples })), ...configsOnly.files], (index, file) => {
    read++;
    slow(index, file);
  });
  // The open config's estimate reads on until five sizes are read, and asks the law of the runs read so far.
  void s.estimateConfig(config, configText);
  let stopLanding = (): void => undefined;
  try {
    await waitUntil(() => fitter.askedSlots().includes('provisional:example-sweep'), 'the law of the runs read so far asked');
    assert.ok(fitter.askedSlots().includes('curvePoint:sweep/llama-12m'));
    const heldAt = read;
    // That law lands first (another fitting thread finished it), the looked-at run's point forecast not yet.
    assert.equal(
      fitter.land((slot) => slot.startsWith('provisional:')),
      1,
    );
    s.fitLanded('provisional:example-sweep');
    await waitUntil(
      () => snapshots.some((snapshot) => snapshot.families.some((f) => f.fit && f.provisional?.filesToRead !== undefined)),
      'the provisional law shown',
    );
    // A hold ended by that round would have read its next slice by now (set off right after the round).
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(read, heldAt, 'nothing more read: the hold is kept for the looked-at run');
    assert.ok(snapshots.at(-1)!.filesToRead! > 0);
    assert.ok(snapshots.every((snapshot) => snapshot.runs.find((r) => r.id === 'sweep/llama-12m')?.curve === undefined));
    // The run's forecast lands: the round shows it at once, before any more is read, and the reading goes on.
    const shown = snapshots.length;
    assert.equal(
      fitter.land((slot) => slot === 'curvePoint:sweep/llama-12m'),
      1,
    );
    s.fitLanded('curvePoint:sweep/llama-12m');
    await waitUntil(() => snapshots.length > shown, 'a round after the forecast landed');
    const forecast = snapshots[shown];
    assert.ok(forecast.runs.find((r) => r.id === 'sweep/llama-12m')?.curve, "the next round shows the looked-at run's forecast");
    assert.equal(forecast.filesToRead, sweepFiles.length + 200 - heldAt, 'shown before the reading went on');
    stopLanding = startLanding();
    await waitUntil(() => snapshots.at(-1)?.filesToRead === undefined, 'every file read');
    assert.equal(read, sweepFiles.length + 200);
  } finally {
    stopLanding();
    // Reading goes on (the held fits land) to its end, so the test leaves nothing running.
    const stop = startLanding();
    for (let i = 0; i < 3000 && snapshots.at(-1)?.filesToRead !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    fs.rmSync(configsOnly.root, { recursive: true, force: true });
  }
});

/** The example family's law in a snapshot, and its scaling view. */
function sweepLaw(snapshot: Snapshot): { law: FamilyLaw; view: Snapshot['scaling'][number] } {
  const law = snapshot.families.find((f) => f.family === 'example-sweep');
  const view = snapshot.scaling.find((v) => v.family === 'example-sweep');
  assert.ok(law && view);
  return { law, view };
}

test("a first scan's snapshots show the law of the runs read so far, then of the finished runs, marked provisional without band, never no law between; the full law replaces it", () => {
  const fitter = new SlotFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter });
  const midRead = (filesToRead: number) => engine.snapshot(Number.POSITIVE_INFINITY, undefined, { filesToRead });
  // Five sizes read: the round asks the law of the runs read so far (no resamples), pending until it lands.
  for (const file of filesOf('llama-12m', 'llama-23m', 'llama-44m', 'llama-95m', 'llama-187m')) engine.update(file, examples);
  const asked = sweepLaw(midRead(9)).law;
  assert.equal(asked.fit, undefined);
  assert.equal(asked.pending, true);
  assert.equal(
    fitter.land((slot) => slot.startsWith('provisional:')),
    1,
    'the law of the runs read so far is asked by the round',
  );
  const job = fitter.jobs.find((j) => j.slot === 'provisional:example-sweep')?.job;
  assert.equal(job?.kind === 'family' && job.resamples, 0, 'without resamples');
  const first = midRead(9);
  const { law, view } = sweepLaw(first);
  assert.ok(law.fit, 'a law of the runs read so far');
  assert.equal(law.provisional?.filesToRead, 9);
  assert.deepEqual([...law.runIds].sort(), ['sweep/llama-12m', 'sweep/llama-187m', 'sweep/llama-23m', 'sweep/llama-44m', 'sweep/llama-95m']);
  // Said as the estimate from it says it (LossEstimate.provisional's note).
  assert.ok(view.provisional?.startsWith('Provisional:') && view.provisional.includes('the 5 runs of the family read so far, 9 file(s)'), view.provisional);
  assert.ok(view.lawLine, 'its line is drawn');
  assert.equal(view.lawLine.lower, undefined, 'without a band: no calibrated interval');
  assert.equal(view.lawLine.upper, undefined);
  assert.ok(!first.validations.some((v) => v.kind === 'family-held-out'), "a provisional law's check is not a validation");
  // Every file read, the live run's chain still being fitted: the finished runs' law (no longer "read so far").
  for (const file of sweepFiles) engine.update(file, examples);
  const seen: Snapshot[] = [];
  for (let round = 0; round < 12; round++) {
    seen.push(engine.snapshot());
    if (fitter.land((slot) => !liveChain(slot)) === 0) break;
  }
  seen.push(engine.snapshot());
  for (const snapshot of seen) assert.ok(sweepLaw(snapshot).law.fit, `a law in every round (v${snapshot.version})`);
  const finished = sweepLaw(seen.at(-1)!);
  assert.deepEqual(finished.law.provisional?.pendingRunIds, [LIVE]);
  assert.equal(finished.law.provisional?.filesToRead, undefined);
  assert.ok(!finished.law.runIds.includes(LIVE));
  assert.ok(finished.view.provisional?.includes('without the live runs whose forecasts are still coming'), finished.view.provisional);
  assert.ok(!fitter.askedSlots().some((slot) => slot.startsWith('overtrain:')), 'no over-training law for a provisional one');
  assert.ok(!fitter.askedSlots().some((slot) => slot.startsWith('family:')), 'the full law waits for the live run');
  // The live run's forecast lands: the full law, with its band, replaces the provisional one.
  for (let round = 0; round < 12; round++) {
    engine.snapshot();
    if (fitter.land() === 0) break;
  }
  const full = sweepLaw(engine.snapshot());
  assert.ok(full.law.fit && !full.law.provisional && !full.law.pending);
  assert.ok(full.law.runIds.includes(LIVE));
  assert.equal(full.view.provisional, undefined);
  assert.ok(full.view.lawLine?.lower && full.view.lawLine.upper, 'the full law with its band');
});

test('the final snapshot after a first scan shown with provisional laws is the one of an engine that showed none', () => {
  const settle = (engine: ScalingWorkspace, fitter: SlotFitter) => {
    for (let round = 0; round < 20; round++) {
      engine.snapshot();
      if (fitter.land() === 0) break;
    }
    return engine.snapshot();
  };
  // Shown during the scan: a mid-read law, then the finished runs' law while the live run's chain is held.
  const scannedFitter = new SlotFitter();
  const scanned = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter: scannedFitter });
  for (const file of filesOf('llama-12m', 'llama-23m', 'llama-44m', 'llama-95m', 'llama-187m')) scanned.update(file, examples);
  scanned.snapshot(Number.POSITIVE_INFINITY, undefined, { filesToRead: 9 });
  scannedFitter.land();
  assert.ok(sweepLaw(scanned.snapshot(Number.POSITIVE_INFINITY, undefined, { filesToRead: 9 })).law.provisional);
  for (const file of sweepFiles) scanned.update(file, examples);
  for (let round = 0; round < 12; round++) {
    scanned.snapshot();
    if (scannedFitter.land((slot) => !liveChain(slot)) === 0) break;
  }
  assert.ok(sweepLaw(scanned.snapshot()).law.provisional, 'a provisional law was shown');
  const quietFitter = new SlotFitter();
  const quiet = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter: quietFitter });
  for (const file of sweepFiles) quiet.update(file, examples);
  const strip = (snapshot: Snapshot) => ({ ...snapshot, version: 0, buildMs: 0 });
  assert.deepEqual(strip(settle(scanned, scannedFitter)), strip(settle(quiet, quietFitter)));
});

/** The planned config copied to a new folder with its training arguments naming no family. */
function configNamingNoFamily(): { dir: string; config: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-family-'));
  fs.copyFileSync(config, path.join(dir, 'config.json'));
  const args = JSON.parse(fs.readFileSync(path.join(path.dirname(config), 'training_args.json'), 'utf8')) as Record<string, unknown>;
  delete args.family;
  fs.writeFileSync(path.join(dir, 'training_args.json'), JSON.stringify(args));
  return { dir, config: path.join(dir, 'config.json') };
}

test("a config naming no family, asked while a rescan's reading is held for the looked-at run's answer, does not read on: no law answers it before every file is read", async () => {
  const configsOnly = configOnlyFolders('nofamily-held-', 200);
  const noFamily = configNamingNoFamily();
  // The hold lasts one fit budget: longer than this test.
  const { s, fitter, startLanding } = slotSession(600_000, ['sweep/llama-12m']);
  let read = 0;
  const slow = slowUnder(configsOnly.root);
  s.reset([...sweepFiles.map((p) => ({ path: p, root: examples })), ...configsOnly.files], (index, file) => {
    read++;
    slow(index, file);
  });
  const heldAt = read;
  const triedBefore = fitter.tracked;
  void s.estimateConfig(noFamily.config, configText);
  // Three tries of the estimate (each would read a slice on, were it to), rather than a fixed sleep (review E).
  try {
    await waitUntil(() => fitter.tracked >= triedBefore + 3, 'three tries of the estimate');
    assert.ok(heldAt < sweepFiles.length + 200, `the first slice read ${heldAt} files`);
    assert.equal(read, heldAt, 'nothing read while held');
  } finally {
    const stopLanding = startLanding();
    // Reading goes on (the held fits land) to its end, so the test leaves nothing running.
    for (let i = 0; i < 3000 && read < sweepFiles.length + 200; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    stopLanding();
    fs.rmSync(configsOnly.root, { recursive: true, force: true });
    fs.rmSync(noFamily.dir, { recursive: true, force: true });
  }
});

test('a config naming no family gets its provisional answer once the only family law being fitted lands, not after every fit of the round', async () => {
  const noFamily = configNamingNoFamily();
  const { s, fitter } = slotSession(600_000, []);
  s.reset(sweepFiles.map((p) => ({ path: p, root: examples })));
  // The fitting threads answer everything but the live run's chain (its curve takes minutes in a big sweep).
  const lander = setInterval(() => {
    if (fitter.land((slot) => !liveChain(slot)) > 0) s.fitLanded();
  }, 20);
  try {
    // Waiting for every fit of the round, it would answer only when it gives up (ANSWER_WAIT_MS), without a loss.
    const answer = await s.estimateConfig(noFamily.config, configText);
    const loss = answer.predictions.loss;
    assert.ok(loss?.provisional, `a provisional loss before the live run's forecast: ${answer.predictions.uncalibrated ?? ''}`);
    assert.equal(loss.familyAssumed, true);
    assert.deepEqual(loss.provisional.pendingRunIds, [LIVE]);
    assert.equal(answer.fitsPending, true);
  } finally {
    clearInterval(lander);
    // The held chain lands, so the session settles and leaves nothing running.
    fitter.land();
    s.fitLanded();
    await new Promise((resolve) => setTimeout(resolve, 300));
    fs.rmSync(noFamily.dir, { recursive: true, force: true });
  }
});
