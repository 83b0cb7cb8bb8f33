// `scaling-lens curve` on a live run gives the number the product shows for it (status bar, `scan`):
// the forecast from its finished siblings, with the run-alone forecast beside it (issue 15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { curveCommand, type CurveCommandOutput } from '../../src/cliCommands/curve';
import type { CommandIo } from '../../src/cliCommands/fitShared';
import { ScalingWorkspace } from '../../src/core/workspace';
import { logFilesUnder } from '../../src/cliCommands/logFilesUnder';

const examples = path.resolve(__dirname, '../../examples');
const live = path.join(examples, 'sweep/llama-279m');
const truth = JSON.parse(fs.readFileSync(path.join(examples, 'TRUTH.json'), 'utf8')) as { runs: Record<string, { finalLoss: number; status: string }> };

function curve(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (err += t) };
  const code = curveCommand(args, io);
  return { code, out, err };
}

test('curve: a live run with finished siblings is forecast from them, as scan shows it, with the run alone beside it', () => {
  assert.equal(truth.runs['sweep/llama-279m'].status, 'live');
  const r = curve([live, '--json', '--resamples', '20']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as CurveCommandOutput;
  assert.equal(out.provenance, 'from siblings');
  assert.deepEqual([...(out.siblings ?? [])].sort(), ['llama-12m', 'llama-187m', 'llama-23m', 'llama-44m', 'llama-95m']);
  // The same number as the engine gives the run when the whole examples/ folder is read (what `scan examples/` shows).
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of logFilesUnder(examples, { maxFiles: 1000 })) engine.update(f, examples);
  const view = engine.runView('sweep/llama-279m')?.curve;
  assert.equal(view?.provenance, 'from siblings');
  assert.equal(out.predictedFinal, view!.predictedFinal.value);
  assert.deepEqual(out.interval, view!.predictedFinal.interval);
  // The run-alone forecast is the command's own fit, the one asked for explicitly with --law.
  const alone = JSON.parse(curve([live, '--json', '--resamples', '20', '--law', 'multipower']).out) as CurveCommandOutput;
  assert.equal(alone.provenance, 'from this run alone');
  assert.equal(alone.alone, undefined);
  assert.equal(out.alone?.predictedFinal, alone.predictedFinal);
  assert.deepEqual(out.alone?.interval, alone.interval);
  // The held-back truth: the siblings' forecast is the closer one on this example.
  const trueFinal = truth.runs['sweep/llama-279m'].finalLoss;
  assert.ok(
    Math.abs(out.predictedFinal / trueFinal - 1) < Math.abs(alone.predictedFinal / trueFinal - 1),
    `siblings ${out.predictedFinal}, alone ${alone.predictedFinal}, true ${trueFinal}`,
  );
  assert.ok(out.interval[0] <= out.predictedFinal && out.predictedFinal <= out.interval[1]);
  // The text says where the number comes from, with the run alone beside it.
  const text = curve([live, '--resamples', '20']).out;
  assert.match(
    text,
    /predicted loss at step 10600: 3\.5\d+ \[[\d.]+, [\d.]+\] \(80% interval\) from siblings \(5 finished run\(s\) of its family; this run alone: 3\.\d+/,
  );
});

test('curve: --until on a live run is its own fit, and a finished run is forecast alone', () => {
  const cut = JSON.parse(curve([live, '--json', '--resamples', '20', '--until', '0.5']).out) as CurveCommandOutput;
  assert.equal(cut.provenance, 'from this run alone');
  assert.ok(cut.notes.some((n) => n.includes('forecast from finished siblings')));
  const finished = JSON.parse(curve([path.join(examples, 'sweep/llama-187m'), '--json', '--resamples', '20']).out) as CurveCommandOutput;
  assert.equal(finished.provenance, 'from this run alone');
  assert.equal(finished.alone, undefined);
  assert.equal(finished.siblings, undefined);
});

test('curve: a live run whose config names no schedule says its schedule is assumed, with the widened interval', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-curve-assumed-'));
  try {
    fs.cpSync(examples, root, { recursive: true });
    const args = path.join(root, 'sweep/llama-279m/training_args.json');
    const config = JSON.parse(fs.readFileSync(args, 'utf8')) as Record<string, unknown>;
    delete config.lr_scheduler_type;
    fs.writeFileSync(args, JSON.stringify(config));
    const r = curve([path.join(root, 'sweep/llama-279m'), '--json', '--resamples', '20']);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as CurveCommandOutput;
    assert.equal(out.scheduleAssumedFrom, 4250);
    assert.equal(out.provenance, 'from siblings');
    // Reaches down past the forecast with the config's cosine (the LR falling), upper end within the known-schedule floor.
    assert.ok(out.interval[0] < 0.985 * out.predictedFinal, `${out.interval[0]} vs ${out.predictedFinal}`);
    assert.ok(out.interval[1] < 1.01 * out.predictedFinal);
    assert.ok(out.alone && out.alone.interval[0] <= out.alone.predictedFinal * Math.exp(-0.026) + 1e-9);
    const text = curve([path.join(root, 'sweep/llama-279m'), '--resamples', '20']).out;
    assert.match(text, /schedule assumed \(LR held from step 4250/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
