import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonlReader, parseJsonl } from '../../src/core/runs/jsonl';
import { CsvReader, parseCsv, splitDelimited } from '../../src/core/runs/csv';
import { parseTrainerState } from '../../src/core/runs/hfTrainerState';
import { metricRole, sanitizeNonFiniteJson } from '../../src/core/runs/common';

const F = '/ws/run/metrics.jsonl';

test('jsonl: steps, roles, tokens, and other numeric keys', () => {
  const text = [
    '{"step": 10, "loss": 3.5, "lr": 0.001, "tokens": 40960, "grad_norm": 1.2, "note": "warmup"}',
    '{"iter": 20, "train/loss": 3.1, "eval_loss": 3.3}',
    '{"trainer/global_step": 30, "train": {"loss": 2.9}, "learning_rate": "0.0009"}',
  ].join('\n');
  const r = parseJsonl(text, F);
  assert.deepEqual(r.diagnostics, []);
  const at = (m: string, s: number) => r.points.find((p) => p.metric === m && p.step === s);
  assert.equal(at('loss', 10)?.value, 3.5);
  assert.equal(at('loss', 10)?.tokens, 40960);
  assert.equal(at('tokens', 10)?.value, 40960);
  assert.equal(at('lr', 10)?.value, 0.001);
  assert.equal(at('grad_norm', 10)?.value, 1.2);
  assert.equal(at('train/loss', 20)?.value, 3.1);
  assert.equal(at('eval_loss', 20)?.value, 3.3);
  assert.equal(at('train/loss', 30)?.value, 2.9, 'nested objects flatten to a/b');
  assert.equal(at('learning_rate', 30)?.value, 0.0009, 'numeric strings accepted for known keys');
  assert.ok(!r.points.some((p) => p.metric === 'note' || p.metric === 'step' || p.metric === 'iter'));
  assert.equal(metricRole('val_loss'), 'eval_loss');
  assert.equal(metricRole('lm_loss'), 'train_loss');
  assert.equal(metricRole('train/learning_rate'), 'lr');
  assert.equal(metricRole('consumed_tokens'), 'tokens');
  assert.equal(metricRole('grad_norm'), 'other');
});

test('jsonl: NaN / "nan" / Infinity dropped with diagnostics; garbage lines named; good lines kept', () => {
  const lines = [
    '{"step": 1, "loss": 4.0}',
    '{"step": 2, "loss": NaN, "grad_norm": Infinity}',
    'this is not json',
    '[1, 2, 3]',
    '',
    '{"step": 3, "loss": "nan", "lr": -Infinity}',
    '{"step": 4, "loss": 3.0, "msg": "NaN inside a string is fine"}',
    '{"step": "x", "loss": 2.0}',
  ];
  const r = parseJsonl(lines.join('\n'), F);
  assert.deepEqual(
    r.points.map((p) => [p.metric, p.step, p.value]),
    [
      ['loss', 1, 4.0],
      ['loss', 4, 3.0],
    ],
  );
  assert.deepEqual(
    r.nonFinite.map((e) => [e.metric, e.step, e.role, e.line]),
    [
      ['loss', 2, 'train_loss', 2],
      ['grad_norm', 2, 'other', 2],
      ['loss', 3, 'train_loss', 6],
      ['lr', 3, 'lr', 6],
    ],
  );
  const byLine = (l: number) => r.diagnostics.filter((d) => d.line === l);
  assert.equal(byLine(2).length, 2);
  assert.equal(byLine(2)[0].severity, 'error');
  assert.match(byLine(3)[0].message, /line 3 is not valid JSON/);
  assert.match(byLine(4)[0].message, /line 4 is not a JSON object/);
  assert.equal(byLine(5).length, 0, 'blank lines are skipped silently');
  assert.match(byLine(8)[0].message, /step key "step" is not a finite number/);
  assert.ok(r.diagnostics.every((d) => d.file === F));
});

test('jsonl: incremental push keeps line numbers; records without a step use the record index', () => {
  const reader = new JsonlReader(F);
  const a = reader.push(['{"loss": 5}', '{"loss": 4}'], 1);
  const b = reader.push(['{"loss": 3}', 'oops'], 3);
  assert.deepEqual(
    [...a.points, ...b.points].map((p) => p.step),
    [0, 1, 2],
  );
  assert.equal(a.diagnostics[0].severity, 'info');
  assert.equal(b.diagnostics[0].line, 4);
  assert.deepEqual(
    reader.peek('{"loss": 2}', 5).map((p) => p.step),
    [3],
  );
  assert.deepEqual(reader.peek('{"loss": 2', 5), [], 'incomplete JSON gives no provisional points');
  assert.deepEqual(
    reader.push(['{"loss": 2}'], 5).points.map((p) => p.step),
    [3],
    'peek did not advance state',
  );
  reader.reset();
  assert.deepEqual(
    reader.push(['{"loss": 9}'], 1).points.map((p) => p.step),
    [0],
  );
});

test('sanitizeNonFiniteJson only touches bare tokens outside strings', () => {
  const s = sanitizeNonFiniteJson('{"a": NaN, "b": "NaN", "c": -Infinity, "NaNx": 1, "d": [Infinity]}');
  const v = JSON.parse(s) as Record<string, unknown>;
  assert.equal(v.b, 'NaN');
  assert.equal(v.NaNx, 1);
  assert.notEqual(v.a, 'NaN');
});

test('csv: header, empty cells are missing (not 0), TSV, quoted fields, bad rows', () => {
  const csv = [
    'epoch,step,train_loss_step,val_loss,lr,note',
    '0,49,9.36,,0.001,',
    '0,99,8.61,,0.001,"a, quoted ""note"""',
    '0,99,,7.9,,',
    '0,149,nan,,0.001,',
    '1,199,7.72',
    '1,249,7.5,,0.0009,x',
  ].join('\r\n');
  const r = parseCsv(csv, '/ws/run/metrics.csv');
  const train = r.points.filter((p) => p.metric === 'train_loss_step');
  assert.deepEqual(
    train.map((p) => [p.step, p.value]),
    [
      [49, 9.36],
      [99, 8.61],
      [249, 7.5],
    ],
  );
  assert.deepEqual(
    r.points.filter((p) => p.metric === 'val_loss').map((p) => [p.step, p.value]),
    [[99, 7.9]],
  );
  assert.ok(!r.points.some((p) => p.metric === 'note'));
  assert.ok(!r.points.some((p) => p.metric === 'lr' && p.step === 99 && p.value === 0), 'empty cell is not 0');
  assert.deepEqual(
    r.nonFinite.map((e) => [e.metric, e.step, e.line]),
    [['train_loss_step', 149, 5]],
  );
  const short = r.diagnostics.find((d) => d.line === 6);
  assert.match(short?.message ?? '', /3 fields, the header has 6/);

  const tsv = new CsvReader('/ws/dvclive/plots/metrics/train/loss.tsv');
  const a = tsv.push(['timestamp\tstep\tloss'], 1);
  const b = tsv.push(['1700000000\t0\t2.5', '1700000001\t1\t2.25'], 2);
  assert.deepEqual(a.points, []);
  assert.deepEqual(
    b.points.filter((p) => p.metric === 'loss').map((p) => [p.step, p.value]),
    [
      [0, 2.5],
      [1, 2.25],
    ],
  );
  assert.deepEqual(splitDelimited('a,"b,c",,"d""e"', ','), ['a', 'b,c', '', 'd"e']);
  assert.equal(splitDelimited('a,"b', ','), undefined);
});

test('csv: a repeated or changed header mid-file is adopted, not parsed as data', () => {
  const r = parseCsv(['step,loss', '1,3.0', 'step,loss', '2,2.5', 'step,loss,lr', '3,2.0,0.1'].join('\n'), '/ws/m.csv');
  assert.deepEqual(
    r.points.map((p) => [p.metric, p.step, p.value]),
    [
      ['loss', 1, 3.0],
      ['loss', 2, 2.5],
      ['loss', 3, 2.0],
      ['lr', 3, 0.1],
    ],
  );
});

function trainerState(rows: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    { epoch: 1, global_step: 30, max_steps: 30, logging_steps: 10, train_batch_size: 8, num_input_tokens_seen: 0, log_history: rows, ...extra },
    null,
    2,
  );
}

test('trainer_state: train rows, eval rows, predict rows skipped, summary row not a point', () => {
  const text = trainerState([
    { epoch: 0.3, grad_norm: 2.5, learning_rate: 1e-4, loss: 3.2, step: 10 },
    { epoch: 0.3, eval_loss: 3.4, eval_runtime: 12.5, step: 10 },
    { epoch: 0.6, grad_norm: 2.1, learning_rate: 8e-5, loss: 2.9, step: 20 },
    { epoch: 0.6, predict_loss: 3.0, predict_runtime: 1.0 },
    { epoch: 1.0, grad_norm: 1.9, learning_rate: 5e-5, loss: 2.7, step: 30 },
    { epoch: 1.0, step: 30, total_flos: 1.5e15, train_loss: 2.93, train_runtime: 100.0, train_samples_per_second: 3.1 },
  ]);
  const r = parseTrainerState(text, '/ws/out/trainer_state.json');
  assert.deepEqual(r.diagnostics, []);
  const series = (m: string) => r.points.filter((p) => p.metric === m).map((p) => [p.step, p.value]);
  assert.deepEqual(series('loss'), [
    [10, 3.2],
    [20, 2.9],
    [30, 2.7],
  ]);
  assert.deepEqual(series('eval_loss'), [[10, 3.4]]);
  assert.deepEqual(series('learning_rate').length, 3);
  assert.deepEqual(series('train_loss'), [], 'summary row is not a curve point');
  assert.deepEqual(series('predict_loss'), [], 'rows without a step are skipped');
  assert.equal(r.points.find((p) => p.metric === 'loss')?.role, 'train_loss');
  assert.equal(r.points.find((p) => p.metric === 'eval_loss')?.role, 'eval_loss');
  assert.equal(r.points.find((p) => p.metric === 'learning_rate')?.role, 'lr');
  assert.equal(r.info.finished, true);
  assert.equal(r.info.summary?.train_loss, 2.93);
  assert.equal(r.info.maxSteps, 30);
  assert.equal(r.info.globalStep, 30);
  assert.equal(r.info.trainBatchSizePerDevice, 8);
  assert.equal(r.info.numInputTokensSeen, undefined, '0 means the option was off');
});

test('trainer_state: a Trainer with several eval datasets logs eval_{name}_loss, each an eval loss', () => {
  // Real rows, verbatim: aigoncharov/trainer_state_viz@dadf91ac27c15f8dfe035445c3d969a7871fb94e (MIT),
  // trainer_state.json (eval datasets g0…g5, evaluated at step 0 and every 500 steps; 3 of its 216 rows).
  const text = trainerState([
    {
      epoch: 0,
      eval_g0_accuracy: 0.7082294264339152,
      eval_g0_loss: 5.741583347320557,
      eval_g0_runtime: 5.7095,
      eval_g0_samples_per_second: 70.234,
      eval_g0_steps_per_second: 17.69,
      step: 0,
    },
    {
      epoch: 0,
      eval_g1_accuracy: 0.4389027431421446,
      eval_g1_loss: 8.220163345336914,
      eval_g1_runtime: 5.9196,
      eval_g1_samples_per_second: 67.741,
      eval_g1_steps_per_second: 17.062,
      step: 0,
    },
    {
      epoch: 30.0,
      eval_g5_accuracy: 0.2518703241895262,
      eval_g5_loss: 4.835134983062744,
      eval_g5_runtime: 6.6358,
      eval_g5_samples_per_second: 60.429,
      eval_g5_steps_per_second: 15.22,
      step: 12030,
    },
  ]);
  const r = parseTrainerState(text, '/ws/out/trainer_state.json');
  const role = (m: string) => r.points.find((p) => p.metric === m)?.role;
  assert.equal(role('eval_g0_loss'), 'eval_loss');
  assert.equal(role('eval_g5_loss'), 'eval_loss');
  assert.equal(role('eval_g0_accuracy'), 'other');
  assert.equal(role('eval_g0_runtime'), 'other');
});

test('trainer_state: eval_aux_loss and eval_lm_loss beside the plain eval_loss do not take its eval role', () => {
  const rows: Record<string, number>[] = [];
  for (let step = 50; step <= 200; step += 50) rows.push({ step, eval_loss: 3.1 - step / 200, eval_aux_loss: 0.01, eval_lm_loss: 2.9 - step / 200 });
  const r = parseTrainerState(trainerState(rows), '/ws/out/trainer_state.json');
  const role = (m: string) => r.points.find((p) => p.metric === m)?.role;
  assert.equal(role('eval_loss'), 'eval_loss');
  assert.equal(role('eval_aux_loss'), 'other', 'a loss part, not an eval set');
  assert.equal(role('eval_lm_loss'), 'other', 'with a plain eval_loss, eval_{name}_loss is a compute_metrics extra');
  // Without the plain eval_loss, a part is still not an eval loss; a dataset's loss is.
  const dict = parseTrainerState(trainerState([{ step: 50, eval_aux_loss: 0.01, eval_wiki_loss: 3 }]), '/ws/out/trainer_state.json');
  assert.equal(dict.points.find((p) => p.metric === 'eval_aux_loss')?.role, 'other');
  assert.equal(dict.points.find((p) => p.metric === 'eval_wiki_loss')?.role, 'eval_loss');
});

test('trainer_state: NaN loss (bare, as Python writes it) is a diagnostic with its line', () => {
  const text = trainerState([
    { loss: 3, step: 10 },
    { loss: 'NAN_HERE', step: 20 },
    { loss: 2.5, step: 30 },
  ]).replace('"NAN_HERE"', 'NaN');
  const r = parseTrainerState(text, '/ws/out/trainer_state.json');
  assert.deepEqual(
    r.points.filter((p) => p.metric === 'loss').map((p) => p.step),
    [10, 30],
  );
  assert.equal(r.nonFinite.length, 1);
  assert.equal(r.nonFinite[0].step, 20);
  const line = text.split('\n').findIndex((l) => l.includes('NaN')) + 1;
  assert.ok(r.nonFinite[0].line !== undefined && r.nonFinite[0].line <= line && r.nonFinite[0].line >= line - 3);
});

test('trainer_state: truncated JSON gives one diagnostic with a line, keeps complete rows, never throws', () => {
  const rows = Array.from({ length: 20 }, (_, i) => ({ learning_rate: 1e-4, loss: 3 - i * 0.05, step: (i + 1) * 10 }));
  const full = trainerState(rows);
  const cut = full.slice(0, Math.floor(full.length * 0.6));
  const r = parseTrainerState(cut, '/ws/out/trainer_state.json');
  assert.equal(r.diagnostics.length, 1);
  const d = r.diagnostics[0];
  assert.equal(d.severity, 'error');
  assert.match(d.message, /truncated JSON/);
  assert.equal(d.line, cut.split('\n').length);
  assert.equal(r.info.partial, true);
  const losses = r.points.filter((p) => p.metric === 'loss');
  assert.ok(losses.length > 5 && losses.length < 20);
  for (const p of losses) assert.equal(p.value, rows[p.step / 10 - 1].loss, 'no value from a cut row');
  for (const bad of ['', 'null', '[1,2]', '{"log_history": 5}', '{{{', '\u0000\u0001']) {
    const x = parseTrainerState(bad, '/ws/t.json');
    assert.ok(x.diagnostics.length >= 1, `diagnostic for ${JSON.stringify(bad)}`);
    assert.deepEqual(x.points, []);
  }
});

test('trainer_state: an empty file (a save caught between truncate and write) is said to be empty, not truncated JSON', () => {
  for (const empty of ['', '\n', '\ufeff', '  \n\t']) {
    const r = parseTrainerState(empty, '/ws/out/trainer_state.json');
    assert.deepEqual(r.points, []);
    assert.equal(r.info.partial, true, 'not taken for a finished state');
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].line, 1);
    assert.equal(r.diagnostics[0].severity, 'warning');
    assert.match(r.diagnostics[0].message, new RegExp(`^trainer_state\\.json is empty \\(${empty.length} bytes\\): no rows yet`));
  }
});

test('trainer_state: an RL trainer logging loss 0.0 throughout is not a loss curve', () => {
  const r = parseTrainerState(
    trainerState([
      { loss: 0, reward: 0.1, step: 1 },
      { loss: 0.0, reward: 0.3, step: 2 },
    ]),
    '/ws/grpo/trainer_state.json',
  );
  assert.ok(r.points.filter((p) => p.metric === 'loss').every((p) => p.role === 'other'));
  assert.equal(r.diagnostics[0].severity, 'info');
});
