// The live refit policy (WorkspaceOptions.liveRefitIntervalMs): a live run whose log grows keeps its
// curve fit for an interval of wall time, read from a fake clock here, while its points update;
// it is refitted once the interval is over, after large growth, and when it ends or rewinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LIVE_REFIT_GROWTH, ScalingWorkspace } from '../../src/core/workspace';
import type { RunView } from '../../src/shared/protocol';
import { tempDir } from './helpers/tempDir';

const STEP = 20;
const FIRST_POINTS = 100;
const INTERVAL_MS = 30_000;
const loss = (step: number) => 2.1 + 40 * step ** -0.45 + 0.002 * Math.sin(step);

/** A JSONL run of `FIRST_POINTS` points; with `maxSteps`, a model and training file that plan that many steps. */
function liveRun(maxSteps?: number): { dir: string; file: string; append: (fromStep: number, count: number) => number } {
  const dir = tempDir('sl-live-refit-');
  const runDir = path.join(dir, 'run-a');
  fs.mkdirSync(runDir, { recursive: true });
  if (maxSteps !== undefined) {
    fs.writeFileSync(
      path.join(runDir, 'config.json'),
      JSON.stringify({
        model_type: 'llama',
        hidden_size: 256,
        intermediate_size: 688,
        num_hidden_layers: 4,
        num_attention_heads: 4,
        vocab_size: 32000,
        max_position_embeddings: 1024,
        tie_word_embeddings: true,
      }),
    );
    fs.writeFileSync(
      path.join(runDir, 'training_args.json'),
      JSON.stringify({
        per_device_train_batch_size: 8,
        gradient_accumulation_steps: 1,
        world_size: 1,
        max_seq_length: 1024,
        max_steps: maxSteps,
        learning_rate: 3e-4,
      }),
    );
  }
  const file = path.join(runDir, 'metrics.jsonl');
  const lines = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `${JSON.stringify({ step: from + i * STEP, loss: loss(from + i * STEP) })}\n`).join('');
  fs.writeFileSync(file, lines(STEP, FIRST_POINTS));
  return {
    dir,
    file,
    append: (fromStep, count) => {
      fs.appendFileSync(file, lines(fromStep, count));
      return fromStep + (count - 1) * STEP;
    },
  };
}

function engineWithClock(intervalMs: number) {
  const clock = { ms: 1_000_000 };
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, curveResamples: 4, liveRefitIntervalMs: intervalMs, now: () => clock.ms });
  return { engine, clock };
}

function only(engine: ScalingWorkspace): RunView {
  const snapshot = engine.snapshot();
  assert.equal(snapshot.runs.length, 1);
  return snapshot.runs[0];
}

const lastFirstStep = STEP * FIRST_POINTS;

test('appends within the interval keep the fit while the points update; the due time is reported, and then it is refitted', () => {
  const run = liveRun();
  const { engine, clock } = engineWithClock(INTERVAL_MS);
  engine.update(run.file, run.dir);
  const first = only(engine);
  assert.equal(first.status, 'live');
  assert.equal(first.curve?.fittedAtStep, lastFirstStep);
  assert.equal(engine.refitDueAt(), undefined, 'nothing kept, nothing due');
  const fittedAtMs = clock.ms;

  clock.ms += 1000;
  const last = run.append(lastFirstStep + STEP, 1);
  engine.update(run.file, run.dir);
  const kept = only(engine);
  assert.equal(kept.lastStep, last, 'the run itself is up to date');
  assert.equal(kept.display.steps[kept.display.steps.length - 1], last, 'the displayed series has the new point');
  assert.deepEqual(kept.curve, first.curve, 'the fit made at the earlier step is kept');
  assert.equal(engine.refitDueAt(), fittedAtMs + INTERVAL_MS, 'the kept fit is due one interval after it was made');

  // Still inside the interval: another append keeps it too.
  clock.ms = fittedAtMs + INTERVAL_MS - 1;
  const later = run.append(last + STEP, 1);
  engine.update(run.file, run.dir);
  assert.equal(only(engine).curve?.fittedAtStep, lastFirstStep);

  // Due: the next snapshot refits without any new append.
  clock.ms = fittedAtMs + INTERVAL_MS;
  const refitted = only(engine);
  assert.equal(refitted.curve?.fittedAtStep, later);
  assert.notDeepEqual(refitted.curve?.parameters, first.curve?.parameters);
  assert.equal(engine.refitDueAt(), undefined);
});

test(`a series grown by more than ${LIVE_REFIT_GROWTH * 100}% of the points the fit saw is refitted inside the interval`, () => {
  const run = liveRun();
  const { engine, clock } = engineWithClock(INTERVAL_MS);
  engine.update(run.file, run.dir);
  only(engine);
  const allowed = Math.floor(LIVE_REFIT_GROWTH * FIRST_POINTS);
  clock.ms += 1000;
  const atLimit = run.append(lastFirstStep + STEP, allowed);
  engine.update(run.file, run.dir);
  assert.equal(only(engine).curve?.fittedAtStep, lastFirstStep, `${allowed} more points: kept`);
  clock.ms += 1000;
  const beyond = run.append(atLimit + STEP, 1);
  engine.update(run.file, run.dir);
  assert.equal(only(engine).curve?.fittedAtStep, beyond, `${allowed + 1} more points: refitted`);
});

test('a run that ends is refitted at once, and only once', () => {
  const maxSteps = lastFirstStep + 5 * STEP;
  const run = liveRun(maxSteps);
  const { engine, clock } = engineWithClock(INTERVAL_MS);
  engine.update(run.file, run.dir);
  assert.equal(only(engine).status, 'live');
  clock.ms += 1000;
  run.append(lastFirstStep + STEP, 2);
  engine.update(run.file, run.dir);
  assert.equal(only(engine).curve?.fittedAtStep, lastFirstStep, 'kept while live');
  clock.ms += 1000;
  const end = run.append(lastFirstStep + 3 * STEP, 3);
  assert.equal(end, maxSteps);
  engine.update(run.file, run.dir);
  const ended = only(engine);
  assert.equal(ended.status, 'finished');
  assert.equal(ended.curve?.fittedAtStep, maxSteps, 'refitted on the last step');
  assert.equal(engine.refitDueAt(), undefined, 'a finished run has no refit due');
  clock.ms += 10 * INTERVAL_MS;
  const again = only(engine);
  // The display series is remade whenever the fit is: the same object means the fit was reused.
  assert.equal(again.display, ended.display, 'no second fit');
  assert.deepEqual(again.curve, ended.curve);
});

test('a run that rewinds (a restart from an earlier step) is refitted at once', () => {
  const run = liveRun();
  const { engine, clock } = engineWithClock(INTERVAL_MS);
  engine.update(run.file, run.dir);
  only(engine);
  clock.ms += 1000;
  // The trainer resumed from a checkpoint two logged steps back: those steps are logged again (the
  // second point, rising again below the old last step, is what makes the step back a resume).
  const resumedAt = lastFirstStep - 2 * STEP;
  const next = resumedAt + STEP;
  fs.appendFileSync(
    run.file,
    `${JSON.stringify({ step: resumedAt, loss: loss(resumedAt) * 1.01 })}\n${JSON.stringify({ step: next, loss: loss(next) * 1.01 })}\n`,
  );
  engine.update(run.file, run.dir);
  const rewound = only(engine);
  assert.equal(rewound.lastStep, next);
  assert.equal(rewound.curve?.fittedAtStep, next, 'refitted on the rewound series');
});

test('an interval of 0 refits on every change', () => {
  const run = liveRun();
  const { engine, clock } = engineWithClock(0);
  engine.update(run.file, run.dir);
  only(engine);
  let last = lastFirstStep;
  for (let i = 0; i < 3; i++) {
    clock.ms += 1000;
    last = run.append(last + STEP, 1);
    engine.update(run.file, run.dir);
    assert.equal(only(engine).curve?.fittedAtStep, last);
    assert.equal(engine.refitDueAt(), undefined);
  }
});
