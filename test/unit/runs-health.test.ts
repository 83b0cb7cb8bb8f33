// Runs that went wrong (runs/health.ts) and prefix validations that fail their sanity checks
// (fit/prefixSanity.ts): detected, shown as such, kept out of forecasts and family fits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { localNoiseScale, runHealth, SPIKE_RISE } from '../../src/core/runs/health';
import { gaussian, mulberry32 } from '../../src/core/fit/random';
import type { Series } from '../../src/core/runs/types';
import { prefixProblem } from '../../src/core/fit/prefixSanity';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { curveCommand } from '../../src/cliCommands/curve';
import type { CommandIo } from '../../src/cliCommands/fitShared';

function series(values: number[]): Series {
  return {
    metric: 'loss',
    role: 'train_loss',
    steps: Float64Array.from(values, (_, i) => (i + 1) * 10),
    values: Float64Array.from(values),
  } as unknown as Series;
}
/** A falling power-law curve with 1% deterministic wiggle. */
const curve = (n: number) => Array.from({ length: n }, (_, i) => (3 + 5 * (i + 1) ** -0.5) * (1 + 0.01 * Math.sin(i * 1.7)));

test('a healthy curve is ok; a recovered spike is an event, not a divergence', () => {
  assert.equal(runHealth({ status: 'finished' }, series(curve(300))).state, 'ok');
  const values = curve(300);
  for (let i = 100; i < 104; i++) values[i] *= 1.4;
  const h = runHealth({ status: 'finished' }, series(values));
  assert.equal(h.state, 'ok');
  assert.equal(h.excludeFromFits, false);
  assert.ok(
    h.events.some((e) => e.kind === 'spike' && e.recovered === true && e.step === 1010),
    JSON.stringify(h.events),
  );
});

test('a spike that does not recover is a divergence: no forecast, left out of fits', () => {
  const values = curve(300).map((v, i) => (i >= 150 ? v * 1.3 : v));
  const h = runHealth({ status: 'live' }, series(values));
  assert.equal(h.state, 'diverged');
  assert.equal(h.excludeFromFits, true);
  assert.equal(h.onsetStep, 1510);
  assert.match(h.reason!, /did not recover/);
});

test('non-finite and rising losses, as the run index calls them, are divergences with their onset', () => {
  const rising = [...curve(200), ...Array.from({ length: 40 }, (_, i) => 3.3 * 1.05 ** i)];
  const nf = runHealth({ status: 'failed', statusReason: 'loss went non-finite at step 2410', statusRule: 'nonFinite', statusStep: 2410 }, series(rising));
  assert.equal(nf.state, 'diverged');
  assert.ok(nf.events.some((e) => e.kind === 'non-finite' && e.step === 2410));
  assert.ok(nf.onsetStep! <= 2010, `${nf.onsetStep}`);
  const up = runHealth({ status: 'failed', statusReason: 'loss diverged: smoothed 9 > 1.5 × its minimum 3.3', statusRule: 'diverged' }, series(rising));
  assert.equal(up.state, 'diverged');
  // A run failed for another reason (an exit code) is not called diverged.
  assert.equal(
    runHealth({ status: 'failed', statusReason: 'the W&B log has an exit record with exit code 1', statusRule: 'loggerStatus' }, series(curve(100))).state,
    'ok',
  );
});

test("health follows the index's status rule and step, not the words of its reason", () => {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(examples).filter(isDefaultLogFile)) engine.update(f, examples);
  const run = engine.runs().find((r) => r.id === 'sweep/llama-44m-lr3e-3')!;
  assert.equal(run.statusRule, 'nonFinite');
  assert.equal(run.statusStep, 2875);
  const loss = run.series.find((s) => s.role === 'train_loss');
  const asJudged = runHealth(run, loss);
  assert.equal(asJudged.state, 'diverged');
  assert.ok(asJudged.events.some((e) => e.kind === 'non-finite' && e.step === 2875));
  // Reworded reasons (another language, another phrasing): the same health, the new words shown.
  for (const statusReason of ['Verlust nicht endlich ab Schritt 2875', 'NaN loss']) {
    const reworded = runHealth({ ...run, statusReason }, loss);
    assert.deepEqual(
      { ...reworded, reason: undefined, events: reworded.events.map((e) => ({ ...e, note: '' })) },
      {
        ...asJudged,
        reason: undefined,
        events: asJudged.events.map((e) => ({ ...e, note: '' })),
      },
    );
    assert.equal(reworded.reason, statusReason);
  }
  // The words without the rule (a logger's status that happens to say so) are not a divergence.
  const rising = [...curve(200), ...Array.from({ length: 40 }, (_, i) => 3.3 * 1.05 ** i)].map((v, i) => (i >= 200 ? 3.3 : v));
  for (const statusReason of ['loss went non-finite at step 2410', 'MLflow status diverged'])
    assert.equal(runHealth({ status: 'failed', statusReason, statusRule: 'loggerStatus' }, series(rising)).state, 'ok', statusReason);
});

test('a live run whose loss stopped falling is a plateau (shown, still forecast); restarts are events', () => {
  const values = [...curve(100), ...Array.from({ length: 100 }, (_, i) => 3.5 * (1 + 0.002 * Math.sin(i)))];
  const h = runHealth({ status: 'live' }, series(values), [510]);
  assert.equal(h.state, 'plateau');
  assert.equal(h.excludeFromFits, false);
  assert.ok(h.events.some((e) => e.kind === 'restart' && e.step === 510));
  assert.equal(runHealth({ status: 'finished' }, series(values)).state, 'ok', 'a finished run is not called a plateau');
});

test('prefix validations: an out-of-reach, rising or non-finite forecast fails, with its reason', () => {
  assert.equal(prefixProblem(3.5, 3.9), undefined);
  assert.match(prefixProblem(1.685, 4.1)!, /below the prefix's last loss .* beyond the range the curve can reach/);
  assert.match(prefixProblem(4.5, 4.1)!, /rising/);
  assert.match(prefixProblem(NaN, 4.1)!, /not a loss/);
});

const examples = path.resolve(__dirname, '../../examples');
function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test("the example's diverged run: shown as diverged, no forecast, named as left out of its family's fit", () => {
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(examples).filter(isDefaultLogFile)) engine.update(f, examples);
  const snap = engine.snapshot();
  const run = snap.runs.find((r) => r.id === 'sweep/llama-44m-lr3e-3')!;
  assert.equal(run.health?.state, 'diverged');
  assert.equal(run.curve, undefined);
  const family = snap.families.find((f) => f.family === 'example-sweep')!;
  assert.deepEqual(
    family.leftOut?.map((o) => o.runId),
    ['sweep/llama-44m-lr3e-3'],
  );
  assert.ok(!family.runIds.includes(run.id));
  // The scaling view never draws it as a run the law was fitted to (a failed run is not drawn at all).
  const point = snap.scaling.find((v) => v.family === 'example-sweep')!.points.find((p) => p.runId === run.id);
  assert.ok(!point || /^left out of the fit: /.test(point.notInFit ?? ''), JSON.stringify(point));
  // The resumed run shows its restart.
  assert.ok(snap.runs.find((r) => r.id === 'sweep/llama-23m')!.health?.events.some((e) => e.kind === 'restart'));
  assert.equal(snap.runs.find((r) => r.id === 'sweep/llama-279m')!.health?.state, 'ok');
});

test('curve on the diverged example refuses a finish forecast and says where it stopped improving', () => {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (err += t) };
  const code = curveCommand([path.join(examples, 'sweep/llama-44m-lr3e-3/metrics.jsonl'), '--resamples', '0'], io);
  assert.equal(code, 1);
  assert.equal(out, '');
  assert.match(err, /the run diverged \(loss went non-finite at step 2875\); no finish forecast \(it stopped improving at step \d+: --until \d+/);
});

/** A falling curve with seeded normal noise of `relativeNoise` of the loss at each point (a small micro-batch's per-step loss). */
function noisyCurve(n: number, relativeNoise: number, seed: number): number[] {
  const rng = mulberry32(seed);
  return curve(n).map((v) => v * (1 + relativeNoise * gaussian(rng)));
}

test("a noisy run's ordinary noise is no spike; a jump of many noise scales on it still is", () => {
  const noisy = noisyCurve(2000, 0.065, 7);
  const w = 40; // the rule's trailing window at 2,000 points
  const before = (i: number) => noisy.slice(i - w, i).reduce((a, b) => a + b, 0) / w;
  // The noise alone crosses the relative threshold (+15% over the trailing mean) many times...
  const crossings = noisy.filter((v, i) => i >= 100 && v > before(i) * (1 + SPIKE_RISE)).length;
  assert.ok(crossings >= 10, `${crossings}`);
  // ...and is still no spike: it is a few of the run's own noise scales.
  const quiet = runHealth({ status: 'finished' }, series(noisy));
  assert.equal(quiet.state, 'ok');
  assert.deepEqual(
    quiet.events.filter((e) => e.kind === 'spike'),
    [],
  );
  // A real spike on the same noise (+80%, over ten noise scales, for 5 points) is flagged and recovers.
  const spiked = noisy.slice();
  for (let i = 1000; i < 1005; i++) spiked[i] *= 1.8;
  const h = runHealth({ status: 'finished' }, series(spiked));
  assert.equal(h.state, 'ok');
  const spikes = h.events.filter((e) => e.kind === 'spike');
  assert.equal(spikes.length, 1, JSON.stringify(spikes));
  assert.equal(spikes[0].step, 10010);
  assert.equal(spikes[0].recovered, true);
  assert.match(spikes[0].note, /× the local noise/);
  // A jump that stays up on the same noise is a divergence.
  const shifted = noisy.map((v, i) => (i >= 1500 ? v * 1.8 : v));
  const d = runHealth({ status: 'finished' }, series(shifted));
  assert.equal(d.state, 'diverged');
  assert.equal(d.onsetStep, 15010);
});

test("the local noise scale: normal noise is measured near its size, the curve's own fall and an earlier spike are not counted", () => {
  const rng = mulberry32(3);
  const flat = Array.from({ length: 400 }, () => 3 + 0.1 * gaussian(rng));
  const noise = localNoiseScale(flat, 0, 400);
  assert.ok(noise > 0.085 && noise < 0.115, `${noise}`);
  // A steep fall without noise has no noise.
  assert.ok(
    localNoiseScale(
      Array.from({ length: 100 }, (_, i) => 10 - 0.05 * i),
      0,
      100,
    ) < 1e-12,
  );
  // A spike of a few points in the window barely moves it.
  const spiked = flat.map((v, i) => (i >= 200 && i < 203 ? v * 2 : v));
  assert.ok(Math.abs(localNoiseScale(spiked, 0, 400) - noise) < 0.01 * 3);
});

test('an early spike on a curving fall is flagged: the slowing of the fall is not counted as noise', () => {
  // 0.5% noise on falls that start steep and slow down (a power law logged every 100 steps, and a fast
  // exponential warm start); step-to-step changes spread several times wider than the noise there.
  const rng = mulberry32(11);
  const power = Array.from({ length: 100 }, (_, i) => (2.8 + 8 * (i + 1) ** -0.8) * (1 + 0.005 * gaussian(rng)));
  const exponential = Array.from({ length: 200 }, (_, i) => (2.5 + 8 * Math.exp(-i / 10) + 1.5 * (i + 1) ** -0.3) * (1 + 0.005 * gaussian(rng)));
  for (const [values, at] of [
    [power, 10],
    [exponential, 25],
  ] as const) {
    const spiked = values.map((v, i) => (i >= at && i < at + 2 ? v * 1.3 : v));
    const spikes = runHealth({ status: 'finished' }, series(spiked)).events.filter((e) => e.kind === 'spike');
    assert.equal(spikes.length, 1, `${values.length} points, spike at ${at}: ${JSON.stringify(spikes)}`);
    assert.equal(spikes[0].step, (at + 1) * 10);
    assert.equal(spikes[0].recovered, true);
    // Without the spike the same fall has none.
    assert.deepEqual(
      runHealth({ status: 'finished' }, series(values)).events.filter((e) => e.kind === 'spike'),
      [],
    );
  }
  // The noise scale on the exponential's early points stays within a few times the noise (0.5% of ~4).
  assert.ok(localNoiseScale(exponential, 0, 20) < 0.1, `${localNoiseScale(exponential, 0, 20)}`);
});
