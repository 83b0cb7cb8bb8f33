// Our readers on files written by the real writers (test/corpus/golden, made by make_golden.py):
// TensorBoard through tensorboardX, tensorboard, torch, TF2 tf.summary, TF1 tf.compat.v1 FileWriter,
// Keras and Lightning, and a W&B offline run. Each folder's expected.json holds the writer, its
// version and every (step, value) the script asked it to write, as the file stores it; here every
// point must come back exactly, under the tag it was written with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunIndex, detectLogFormat } from '../../src/core/runs/index';
import type { Run, Series } from '../../src/core/runs/types';

const GOLDEN = path.resolve(__dirname, '..', 'corpus', 'golden');

interface Expected {
  writer: string;
  version: string;
  how: string;
  /** Per subfolder ('' = the folder itself): tag → [step, value] as written. */
  runs: Record<string, Record<string, [number, number][]>>;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) appendFiles(out, filesUnder(p));
    else out.push(p);
  }
  return out;
}
const appendFiles = (to: string[], from: string[]) => {
  for (const f of from) to.push(f);
};

function goldenFolders(): string[] {
  return filesUnder(GOLDEN)
    .filter((f) => path.basename(f) === 'expected.json')
    .map((f) => path.dirname(f))
    .sort();
}

test('golden folders cover every writer and version that make_golden.py records', () => {
  const writers = goldenFolders().map((d) => {
    const e = JSON.parse(fs.readFileSync(path.join(d, 'expected.json'), 'utf8')) as Expected;
    return `${e.writer} ${e.version}`;
  });
  // tensorboardX, tensorboard, torch (3 modes), TF2 + TF1 API, Keras, Lightning, W&B.
  assert.ok(writers.length >= 11, writers.join('\n'));
  for (const w of ['tensorboardX', 'torch.utils.tensorboard', 'tf.summary (TF2)', 'tf.compat.v1', 'keras', 'pytorch_lightning', 'wandb'])
    assert.ok(
      writers.some((x) => x.startsWith(w)),
      `no golden file from ${w}`,
    );
});

for (const dir of goldenFolders()) {
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
  test(`${path.relative(GOLDEN, dir)}: ${expected.writer} ${expected.version}, ${expected.how}`, () => {
    const index = new RunIndex();
    for (const f of filesUnder(dir)) if (detectLogFormat(f) !== undefined) index.update(f, dir);
    assert.deepEqual(
      index.diagnostics().filter((d) => d.severity === 'error'),
      [],
    );
    const runs = index.runs();
    for (const [sub, series] of Object.entries(expected.runs)) {
      const folder = path.join(dir, sub);
      // The run holding this subfolder's log files (event files directly in it; a W&B run below it).
      const run: Run | undefined = runs.find((r) => r.files.some((f) => path.dirname(f) === folder || (sub === '' && f.endsWith('.wandb'))));
      assert.ok(run, `no run read from ${sub || '.'} (runs: ${runs.map((r) => r.id).join(', ')})`);
      // Keras's validation/ folder joins its train/ run, its tags named under the folder (formats/tfevents.ts).
      const evalHalf = sub === 'validation';
      const nameOf = (tag: string) => (evalHalf ? `${sub}/${tag}` : tag);
      for (const [tag, points] of Object.entries(series)) {
        const s: Series | undefined = run.series.find((x) => x.metric === nameOf(tag));
        assert.ok(s, `${tag} not read (series: ${run.series.map((x) => x.metric).join(', ')})`);
        assert.deepEqual(
          Array.from(s.steps),
          points.map(([step]) => step),
          `${tag}: steps`,
        );
        assert.deepEqual(
          Array.from(s.values),
          points.map(([, v]) => v),
          `${tag}: values`,
        );
      }
      // The writer's loss is the run's training loss, or its eval loss when written under validation/.
      const lossTag = Object.keys(series).find((t) => /loss/i.test(t));
      if (lossTag) assert.equal(run.series.find((x) => x.metric === nameOf(lossTag))?.role, evalHalf ? 'eval_loss' : 'train_loss', lossTag);
    }
    // A writer that splits one run into folders (Keras: train/, validation/) is still one run.
    if (Object.keys(expected.runs).length > 1) {
      const holding = runs.filter((r) => r.files.some((f) => Object.keys(expected.runs).some((sub) => path.dirname(f) === path.join(dir, sub))));
      assert.equal(holding.length, 1, `runs: ${holding.map((r) => r.id).join(', ')}`);
    }
  });
}
