// A live run whose log grows faster than its fits land still anchors its family's law: the family
// waits for the run's first sibling forecast only, not for one of the exact log it has now.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';
import { ScalingWorkspace } from '../../src/core/workspace';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { runFitJob, type FitAnswer, type FitJobKind, type FitJobOf, type Fitter } from '../../src/core/fitJobs';

const examples = path.resolve(__dirname, '../../examples');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** A fitter whose answers land only when `land()` is called: by then the log has grown, so every answer is one key behind. */
class LaggingFitter implements Fitter {
  private readonly asked = new Map<string, { key: string; run: () => FitAnswer<FitJobKind> }>();
  private readonly landed = new Map<string, FitAnswer<FitJobKind>>();

  fit<K extends FitJobKind>(slot: string, key: string, _kind: K, makeJob: () => FitJobOf<K>, _control: unknown, tag?: string): FitAnswer<K> | undefined {
    if (this.landed.get(slot)?.key !== key) this.asked.set(slot, { key, run: () => ({ key, result: runFitJob(makeJob(), {}), tag }) as FitAnswer<FitJobKind> });
    return this.landed.get(slot) as FitAnswer<K> | undefined;
  }

  land(): void {
    for (const [slot, job] of this.asked) this.landed.set(slot, job.run());
    this.asked.clear();
  }
}

test('a live run that logs a point before each of its fits lands still anchors its family law', () => {
  const root = tempDir('sl-live-');
  fs.cpSync(examples, root, { recursive: true });
  const log = path.join(root, 'sweep/llama-279m/metrics.jsonl');
  const fitter = new LaggingFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  let step = 4250;
  let family;
  for (let round = 0; round < 6; round++) {
    const snapshot = engine.snapshot();
    family = snapshot.families.find((f) => f.family === 'example-sweep');
    if (family?.anchoredRunIds?.includes('sweep/llama-279m')) break;
    fitter.land();
    // One more point logged while the fits were running.
    step += 25;
    fs.appendFileSync(log, JSON.stringify({ step, loss: 3.72 - round * 1e-3, lr: 0.000167, tokens: step * 524288 }) + '\n');
    engine.update(log, root);
  }
  const live = engine.snapshot().runs.find((r) => r.id === 'sweep/llama-279m');
  assert.equal(live?.curve?.provenance, 'from siblings', 'the live run is forecast from its siblings');
  assert.ok(family?.fit, `the family has a law (pending: ${family?.pending})`);
  assert.deepEqual(family.anchoredRunIds, ['sweep/llama-279m']);
});

test('a family with a live run is fitted once, with the sibling forecast, not first without it', () => {
  const root = tempDir('sl-live-once-');
  fs.cpSync(examples, root, { recursive: true });
  const fitter = new LaggingFitter();
  const fitted: string[] = [];
  const count: Fitter = {
    fit: (slot, key, kind, makeJob, control, tag) =>
      fitter.fit(
        slot,
        key,
        kind,
        () => {
          if (slot.startsWith('family:')) fitted.push(key);
          return makeJob();
        },
        control,
        tag,
      ),
  };
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter: count });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  for (let round = 0; round < 8 && engine.snapshot().fitting > 0; round++) fitter.land();
  const family = engine.snapshot().families.find((f) => f.family === 'example-sweep');
  assert.deepEqual(family?.anchoredFromSiblings, ['sweep/llama-279m'], 'the live run anchors the law with its forecast from siblings');
  // The schedule response, then the sibling forecast, are waited for: one family fit, not two.
  assert.equal(fitted.filter((k) => k.includes('"runId":"sweep/llama-')).length, 1, `family fits: ${fitted.length}`);
});

test('a live run at a new peak LR is forecast from the other sizes when every same-size sibling peaks elsewhere', () => {
  const root = tempDir('sl-live-peak-');
  fs.cpSync(examples, root, { recursive: true });
  // A finished sibling of the live run's size (279m) at 4× its peak LR (1e-3 vs 2.5e-4): an LR sweep.
  const dir = path.join(root, 'sweep/llama-279m-lr1e-3');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(root, 'sweep/llama-279m/config.json'), path.join(dir, 'config.json'));
  const args = JSON.parse(fs.readFileSync(path.join(root, 'sweep/llama-279m/training_args.json'), 'utf8')) as Record<string, unknown>;
  const maxSteps = 10600;
  const warmup = 210;
  const peak = 1e-3;
  fs.writeFileSync(path.join(dir, 'training_args.json'), JSON.stringify({ ...args, learning_rate: peak, max_steps: maxSteps }));
  const lines: string[] = [];
  for (let step = 25; step <= maxSteps; step += 25) {
    const lr = step < warmup ? (peak * step) / warmup : (peak * (1 + Math.cos((Math.PI * (step - warmup)) / (maxSteps - warmup)))) / 2;
    lines.push(JSON.stringify({ step, loss: 2.9 + 7 * Math.pow(step, -0.35), lr, tokens: step * 524288 }));
  }
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  const fitter = new LaggingFitter();
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  assert.equal(engine.snapshot().runs.find((r) => r.id === 'sweep/llama-279m-lr1e-3')?.status, 'finished', 'the same-size sibling is finished');
  for (let round = 0; round < 8 && engine.snapshot().fitting > 0; round++) fitter.land();
  const live = engine.snapshot().runs.find((r) => r.id === 'sweep/llama-279m');
  assert.equal(live?.curve?.provenance, 'from siblings', 'the live run is forecast from the siblings of other sizes');
  // The schedule response's runs (other sizes), not a same-size fit with the sibling at another peak.
  assert.ok(live?.curve?.siblings?.includes('sweep/llama-95m'), `siblings: ${live?.curve?.siblings?.join(', ')}`);
});

test('the sibling fits take non-embedding N only when every run involved knows it, else total N for all (a mixed family)', () => {
  /** The N each sibling fit was given (schedule response siblings, sibling forecast), by run id. */
  const sizesFed = (root: string) => {
    const fitter = new LaggingFitter();
    const fed = new Map<string, number | undefined>();
    const spy: Fitter = {
      fit: (slot, key, kind, makeJob, control, tag) =>
        fitter.fit(
          slot,
          key,
          kind,
          () => {
            const job = makeJob();
            const seen: FitJobOf<FitJobKind> = job;
            if (seen.kind === 'scheduleSize') for (const s of seen.siblings) fed.set(s.runId, s.params);
            if (seen.kind === 'siblingForecast') {
              for (const s of seen.sameSize) fed.set(s.runId, s.params);
              fed.set(slot.replace(/^siblings:/, ''), seen.params);
            }
            return job;
          },
          control,
          tag,
        ),
    };
    const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, fitter: spy });
    for (const file of listFiles(root).filter((f) => isDefaultLogFile(f) || path.basename(f) === '.scalinglens.yaml')) engine.update(file, root);
    for (let round = 0; round < 8 && engine.snapshot().fitting > 0; round++) fitter.land();
    return { fed, runs: new Map(engine.runs().map((r) => [r.id, r])) };
  };
  // Every run's config gives both counts: non-embedding N throughout.
  const whole = tempDir('sl-live-sizes-');
  fs.cpSync(examples, whole, { recursive: true });
  const pure = sizesFed(whole);
  assert.ok(pure.fed.has('sweep/llama-279m') && pure.fed.size >= 3, `fed: ${[...pure.fed.keys()].join(', ')}`);
  for (const [id, n] of pure.fed) assert.equal(n, pure.runs.get(id)?.hyper.nonEmbeddingParams, id);
  // One more finished run without a config, its total N given in .scalinglens.yaml: total N for all.
  const mixed = tempDir('sl-live-sizes-mixed-');
  fs.cpSync(examples, mixed, { recursive: true });
  const dir = path.join(mixed, 'sweep/llama-95m-b');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(mixed, 'sweep/llama-95m/metrics.jsonl'), path.join(dir, 'metrics.jsonl'));
  fs.copyFileSync(path.join(mixed, 'sweep/llama-95m/training_args.json'), path.join(dir, 'training_args.json'));
  fs.writeFileSync(
    path.join(mixed, '.scalinglens.yaml'),
    'runs:\n  sweep/llama-95m-b:\n    params: 95371008\n    maxSteps: 14600\n    family: example-sweep\n',
  );
  const { fed, runs } = sizesFed(mixed);
  assert.equal(runs.get('sweep/llama-95m-b')?.hyper.nonEmbeddingParams, undefined);
  assert.equal(runs.get('sweep/llama-95m-b')?.status, 'finished');
  assert.ok(fed.has('sweep/llama-95m-b') && fed.has('sweep/llama-279m'), `fed: ${[...fed.keys()].join(', ')}`);
  for (const [id, n] of fed) assert.equal(n, runs.get(id)?.hyper.params, id);
});

test("a live run's forecast from siblings follows the curve's live refit policy, not every appended line", () => {
  const root = tempDir('sl-live-policy-');
  fs.cpSync(examples, root, { recursive: true });
  const log = path.join(root, 'sweep/llama-279m/metrics.jsonl');
  const made: Record<string, number> = {};
  // Fits at once, in this thread, counting the jobs built per kind.
  const fitter: Fitter = {
    fit<K extends FitJobKind>(_slot: string, key: string, kind: K, makeJob: () => FitJobOf<K>, _control: unknown, tag?: string): FitAnswer<K> {
      made[kind] = (made[kind] ?? 0) + 1;
      return { key, result: runFitJob(makeJob(), {}), tag } as FitAnswer<K>;
    },
  };
  const clock = { ms: 1_000_000 };
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, fitter, liveRefitIntervalMs: 30_000, now: () => clock.ms });
  for (const file of listFiles(root).filter(isDefaultLogFile)) engine.update(file, root);
  const first = engine.snapshot().runs.find((r) => r.id === 'sweep/llama-279m');
  assert.equal(first?.curve?.provenance, 'from siblings');
  const asked = made.siblingForecast;
  assert.ok(asked >= 1);
  let step = 4250;
  const append = () => {
    step += 25;
    fs.appendFileSync(log, JSON.stringify({ step, loss: 3.72, lr: 0.000167, tokens: step * 524288 }) + '\n');
    engine.update(log, root);
    return engine.snapshot().runs.find((r) => r.id === 'sweep/llama-279m');
  };
  for (let i = 0; i < 3; i++) {
    clock.ms += 1_000;
    const live = append();
    assert.equal(live?.lastStep, step, 'the new point is shown');
    assert.equal(live?.curve?.provenance, 'from siblings');
    assert.equal(live?.curve?.predictedFinal.value, first?.curve?.predictedFinal.value, 'the kept forecast');
  }
  assert.equal(made.siblingForecast, asked, 'no sibling forecast refitted within the interval');
  clock.ms += 30_000;
  append();
  assert.equal(made.siblingForecast, asked + 1, 'refitted once the interval is over');
});
