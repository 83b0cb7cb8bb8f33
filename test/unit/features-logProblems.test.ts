// The scan's problems as the Problems panel lists them: by file, errors and warnings only, capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Diagnostic } from '../../src/core/diagnostics';
import { logProblemsByFile, PROBLEMS_PER_FILE, withoutShownElsewhere } from '../../src/features/logProblems';
import * as fs from 'node:fs';
import { ScalingWorkspace } from '../../src/core/workspace';
import { tempDir } from './helpers/tempDir';
import { suppressedDiagnostic } from '../../src/core/runs/limits';

const root = path.resolve('/ws');
const log = path.join(root, 'run/metrics.jsonl');
const yaml = path.join(root, '.scalinglens.yaml');

test('errors and warnings by file with their lines; notes and entries naming no file stay out', () => {
  const diagnostics: Diagnostic[] = [
    { file: log, line: 51, severity: 'warning', message: 'invalid JSON; line skipped' },
    { file: yaml, line: 4, severity: 'warning', message: 'runs "logs/llama25m*" matches none of the 6 runs under this folder' },
    { file: path.join(root, 'run/trainer_state.json'), severity: 'error', message: 'cannot read: EACCES' },
    { file: log, line: 60, severity: 'info', message: 'new header row; columns changed' },
    { file: 'settings: scalingLens.textLog.patterns', severity: 'error', message: 'bad pattern' },
    { file: log, line: 51, severity: 'warning', message: 'invalid JSON; line skipped' },
  ];
  const byFile = logProblemsByFile(diagnostics);
  assert.deepEqual([...byFile.keys()], [log, yaml, path.join(root, 'run/trainer_state.json')]);
  assert.deepEqual(byFile.get(log), [{ line: 51, severity: 'warning', message: 'invalid JSON; line skipped' }]);
  assert.equal(byFile.get(yaml)![0].line, 4);
  assert.deepEqual(byFile.get(path.join(root, 'run/trainer_state.json')), [{ severity: 'error', message: 'cannot read: EACCES' }]);
});

test('a log with 10,000 bad lines shows the first ones and one entry counting the rest', () => {
  const diagnostics: Diagnostic[] = Array.from({ length: 10_000 }, (_, i) => ({
    file: log,
    line: i + 2,
    severity: 'warning',
    message: `line ${i + 2}: invalid JSON`,
  }));
  diagnostics.push({ file: yaml, line: 3, severity: 'warning', message: 'unknown key' });
  const shown = logProblemsByFile(diagnostics).get(log)!;
  assert.equal(shown.length, PROBLEMS_PER_FILE + 1);
  assert.deepEqual(
    shown.slice(0, 3).map((p) => p.line),
    [2, 3, 4],
  );
  const last = shown[shown.length - 1];
  assert.equal(last.line, undefined);
  assert.equal(last.severity, 'warning');
  assert.match(last.message, new RegExp(`^and ${10_000 - PROBLEMS_PER_FILE} more problems in this file`));
  // Another file is not capped by this one.
  assert.equal(logProblemsByFile(diagnostics).get(yaml)!.length, 1);
});

test('the "more" entry is an error when an error is among those left out', () => {
  const diagnostics: Diagnostic[] = [
    ...Array.from({ length: 3 }, (_, i) => ({ file: log, line: i + 1, severity: 'warning' as const, message: `w${i}` })),
    { file: log, severity: 'error', message: 'cannot read the rest' },
  ];
  const shown = logProblemsByFile(diagnostics, 3).get(log)!;
  assert.equal(shown.length, 4);
  assert.equal(shown[3].severity, 'error');
  assert.match(shown[3].message, /^and 1 more problem in this file \(/);
});

test("lines the reader itself left out (its note counting them) are counted in the file's last entry", () => {
  // As the readers cap a kind of problem (core/runs/limits.ts) on a log of 30 bad lines.
  const kinds = new Map([['warning:is not valid JSON', 30]]);
  const diagnostics: Diagnostic[] = [
    ...Array.from({ length: 5 }, (_, i) => ({ file: log, line: i + 11, severity: 'warning' as const, message: `line ${i + 11} is not valid JSON` })),
    suppressedDiagnostic(log, 25, kinds),
  ];
  const shown = logProblemsByFile(diagnostics).get(log)!;
  assert.deepEqual(
    shown.map((p) => p.line),
    [11, 12, 13, 14, 15, undefined],
  );
  assert.equal(shown[5].severity, 'warning');
  assert.match(shown[5].message, /^and 25 more problems in this file: 25 × "is not valid JSON…"/);
  // A file with only notes gets no entry.
  assert.equal(logProblemsByFile([suppressedDiagnostic(yaml, 3, new Map())]).size, 0);
  // Counted from the fields, not the words: a note in other words with the same count is counted alike.
  const reworded = { ...suppressedDiagnostic(log, 25, kinds), message: 'twenty-five further problems elided' };
  assert.match(logProblemsByFile([...diagnostics.slice(0, 5), reworded]).get(log)![5].message, /^and 25 more problems in this file/);
});

test('a run config open in the editor: its problem is shown once (by the config diagnostics), not again by the logs', () => {
  // A run folder whose config.json has a bad value: the scan (describeRun) and the editor's estimate read it alike.
  const dir = tempDir('sl-dup-');
  const example = path.resolve(__dirname, '../../examples/sweep/llama-187m');
  fs.mkdirSync(path.join(dir, 'run1'));
  for (const f of ['trainer_state.json', 'training_args.json']) fs.copyFileSync(path.join(example, f), path.join(dir, 'run1', f));
  const config = JSON.parse(fs.readFileSync(path.join(example, 'config.json'), 'utf8')) as Record<string, unknown>;
  config.num_hidden_layers = 'twelve';
  const configFile = path.join(dir, 'run1', 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of ['trainer_state.json', 'training_args.json', 'config.json']) engine.update(path.join(dir, 'run1', f), dir);
  const logs = logProblemsByFile(engine.snapshot().diagnostics);
  assert.equal(logs.get(configFile)?.length, 1, 'the scan reports the bad value');
  const estimate = engine.estimateConfig(configFile, fs.readFileSync(configFile, 'utf8'), (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
  const shown = estimate.diagnostics.filter((d) => d.file === configFile);
  assert.equal(shown.length, 1, 'so does the open config');
  assert.equal(withoutShownElsewhere(logs, (file) => (file === configFile ? shown : [])).has(configFile), false);
  // Closed (nothing shown elsewhere), the logs' entry is back.
  assert.deepEqual(withoutShownElsewhere(logs, () => []).get(configFile), logs.get(configFile));
});

test('withoutShownElsewhere matches file, line (none = line 1) and message, and keeps the rest', () => {
  const byFile = new Map([
    [
      log,
      [
        { line: 3, severity: 'warning' as const, message: 'a' },
        { line: 4, severity: 'warning' as const, message: 'a' },
        { severity: 'error' as const, message: 'b' },
      ],
    ],
    [yaml, [{ line: 3, severity: 'warning' as const, message: 'a' }]],
  ]);
  const left = withoutShownElsewhere(byFile, (file) =>
    file === log
      ? [
          { line: 3, message: 'a' },
          { line: 1, message: 'b' },
        ]
      : [],
  );
  assert.deepEqual(left.get(log), [{ line: 4, severity: 'warning', message: 'a' }]);
  assert.deepEqual(left.get(yaml), [{ line: 3, severity: 'warning', message: 'a' }]);
});
