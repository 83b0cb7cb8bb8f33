// Every text-log pattern is provably linear (patternSafety.ts): the built-in ones pass the checker,
// user patterns that are not linear are rejected with a message saying why, and adversarial lines
// (runs of letters, digits, separators, near-matches) fed to every built-in pattern through the
// reader leave every good line read. Time itself is measured in the bench (ratio of line lengths),
// never asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from './helpers/fuzz';
import { checkLinear } from '../../src/core/runs/patternSafety';
import { BUILT_IN_TEXT_PATTERNS, TextLogReader } from '../../src/core/runs/textLog';
import { compileUserPatterns } from '../../src/core/runs/textLogPatterns';

test('every built-in text-log pattern is provably linear', () => {
  const names = Object.keys(BUILT_IN_TEXT_PATTERNS);
  assert.ok(names.length >= 12);
  for (const [name, re] of Object.entries(BUILT_IN_TEXT_PATTERNS)) {
    const v = checkLinear(re.source);
    assert.ok(v.linear, `${name} /${re.source}/: ${v.reason}`);
  }
});

test('user patterns that are not provably linear are rejected, naming the entry and the shape', () => {
  const bad = [
    '(?<step>\\d+)\\s*(?<loss>[\\d.]+)x',
    'iter (?<step>\\d+) (?:a|ab)* loss (?<loss>\\S+)',
    'iter (?<step>\\w+\\d+) loss (?<loss>\\S+)',
    '(?<step>\\d+).*,.*loss=(?<loss>\\S+)',
  ];
  const compiled = compileUserPatterns(bad);
  assert.equal(compiled.patterns.length, 0);
  assert.equal(compiled.diagnostics.length, bad.length);
  for (const [i, d] of compiled.diagnostics.entries())
    assert.match(d.message, new RegExp(`^scalingLens\\.textLog\\.patterns\\[${i}\\] ignored: (not provably linear|nested)`), d.message);
  const good = compileUserPatterns(['step (?<step>\\d+), loss: (?<loss>[\\d.]+)', '^\\s*(?<step>\\d+)\\s+(?<loss>\\S+)$']);
  assert.equal(good.diagnostics.length, 0, JSON.stringify(good.diagnostics));
  assert.equal(good.patterns.length, 2);
});

test('property: nested, alternation-under-repetition and adjacent overlapping repetitions are always rejected; fenced ones accepted', () => {
  const cls = fc.constantFrom('\\d', '\\w', '[a-z]', '[\\d.]', '\\S', '.');
  const q = fc.constantFrom('+', '*', '{2,}');
  const lit = fc.constantFrom('a', 'x', '=', ':');
  fc.assert(
    fc.property(cls, q, q, lit, (c, q1, q2, l) => {
      assert.equal(checkLinear(`(${c}${q1})${q2}`).linear, false, `(${c}${q1})${q2}`);
      assert.equal(checkLinear(`(?:${c}|${l}${c})${q2}${l}`).linear, false);
      // The same class twice in a row, with or without an optional separator between.
      assert.equal(checkLinear(`${l}${c}${q1}\\s*${c}${q2}${l}`).linear, false, `${l}${c}${q1}\\s*${c}${q2}${l}`);
      // Fenced by a character neither repetition matches: linear.
      assert.equal(checkLinear(`${l}\\d${q1}:[a-z]${q2}\\s(?<loss>\\S+)`).linear, true);
    }),
    { numRuns: fuzzRuns(0.2) },
  );
});

/** Lines built to make a backtracking engine work: long runs and near-matches of the built-in formats. */
const adversarial = fc.oneof(
  fc.tuple(fc.constantFrom('a', '1', ' ', '|', ':', '.', ',', '{', "'", '%', '/'), fc.integer({ min: 1, max: 6000 })).map(([ch, n]) => ch.repeat(n)),
  fc
    .tuple(
      fc.constantFrom('iter ', 'step ', 'step:', 'iteration ', 'validation loss at ', "{'loss':", ' 50%|'),
      fc.constantFrom('1', ' ', '9.', 'a', ': loss ', '|'),
      fc.integer({ min: 1, max: 3000 }),
    )
    .map(([p, r, n]) => p + r.repeat(n)),
);

test('property: adversarial lines among good ones never cost a good line, whatever the built-in pattern', () => {
  fc.assert(
    fc.property(fc.array(adversarial, { minLength: 1, maxLength: 4 }), (noise) => {
      const lines: string[] = [];
      for (let i = 0; i < 5; i++) {
        lines.push(`iter ${i}: loss ${(4 - i * 0.1).toFixed(4)}, time 10.0ms`);
        if (i < noise.length) lines.push(noise[i]);
      }
      const reader = new TextLogReader('/t/train.log');
      const res = reader.push(lines, 1);
      const steps = res.points.filter((p) => p.metric === 'loss').map((p) => p.step);
      assert.deepEqual(steps.slice(0, 5), [0, 1, 2, 3, 4]);
    }),
    { numRuns: fuzzRuns(0.05) },
  );
});
