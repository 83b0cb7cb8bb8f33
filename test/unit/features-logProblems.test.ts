// The scan's problems as the Problems panel lists them: by file, errors and warnings only, capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Diagnostic } from '../../src/core/diagnostics';
import { logProblemsByFile, PROBLEMS_PER_FILE } from '../../src/features/logProblems';
import { suppressedMessage } from '../../src/core/runs/limits';

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
    { file: log, severity: 'info', message: suppressedMessage(25, kinds) },
  ];
  const shown = logProblemsByFile(diagnostics).get(log)!;
  assert.deepEqual(
    shown.map((p) => p.line),
    [11, 12, 13, 14, 15, undefined],
  );
  assert.equal(shown[5].severity, 'warning');
  assert.match(shown[5].message, /^and 25 more problems in this file: 25 × "is not valid JSON…"/);
  // A file with only notes gets no entry.
  assert.equal(logProblemsByFile([{ file: yaml, severity: 'info', message: suppressedMessage(3, new Map()) }]).size, 0);
});
