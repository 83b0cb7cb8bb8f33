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
import { BUILT_IN_TEXT_PATTERNS, TextLogReader, megatronValidation, titanFields } from '../../src/core/runs/textLog';
import { compileUserPatterns } from '../../src/core/runs/textLogPatterns';
import { LEARNER_PATTERNS } from '../../src/core/runs/textLearner';

test('every built-in text-log pattern is provably linear', () => {
  const names = Object.keys(BUILT_IN_TEXT_PATTERNS);
  assert.ok(names.length >= 12);
  for (const [name, re] of Object.entries(BUILT_IN_TEXT_PATTERNS)) {
    const v = checkLinear(re.source, re.flags);
    assert.ok(v.linear, `${name} /${re.source}/${re.flags}: ${v.reason}`);
  }
  // The generic learner's patterns too (textLearner.ts).
  for (const re of LEARNER_PATTERNS) assert.ok(checkLinear(re.source, re.flags).linear, re.source);
});

test("the search over start positions: the old Lightning postfix pattern is rejected, today's accepted", () => {
  // 8fc57e1's "before": a name tried from every position of a long run of letters without `=`.
  const old = checkLinear('([A-Za-z_][\\w/.-]*)=([^,\\s\\]]+)', 'g');
  assert.equal(old.linear, false);
  assert.match(old.reason!, /quadratic/);
  assert.equal(checkLinear(BUILT_IN_TEXT_PATTERNS.LIGHTNING_POSTFIX.source, 'g').linear, true);
  // The other unanchored patterns this check found: modded-nanogpt's and torchtitan's fields, Megatron's validation line.
  for (const source of ['(\\w+):(\\S+)', '([A-Za-z_]+):\\s*([-\\d.,]+)', '\\bvalidation loss at (\\d+)(?:[^\\w|][^|]*)?\\|(.*)$'])
    assert.equal(checkLinear(source).linear, false, source);
});

test('known quadratic and linear shapes of the unanchored search are classified right', () => {
  const quadratic = [
    '\\d+x', // a run of digits without x: every start reads the run
    '[^x]*$', // `$` fails after a run that stops before x
    '[a-z]+=', // Lightning's shape
    ':[^;]*;', // `:` is itself in the repetition's class
    '\\s*(?<step>\\d+) (?<loss>\\S+)', // an optional lead reaches the digits from anywhere
    'a[^a]*a[^b]*x', // the second repetition is reached after `aa`, which it matches itself
    '(?:x|\\d)\\d*y', // one branch of the lead is in the class
    '(?=\\d*y)', // inside a lookahead, whose failure is the attempt's
  ];
  const linear = [
    '^\\d+x', // anchored: one attempt
    'x\\d+y', // x before the digits is not a digit
    '\\d+', // nothing after can fail: the first attempt that reaches it succeeds
    '\\d+(?:\\.\\d+)?', // optional tail
    '.*$', // `.` stops only at the line's end, where `$` holds
    ';[^;]*;', // the lead is outside the class
    '(?:^|[^\\w.])[a-z][\\w.]*=', // today's Lightning shape
    '\\b[a-z]+:', // \\b before a run of word characters
    'step (?<step>\\d+), loss: (?<loss>[\\d.]+)',
    '[a-z]{0,200}x', // a bounded repetition is a fixed-length item
    'x(?=\\d*y)', // the lookahead's digits are reached after x
  ];
  for (const source of quadratic) assert.equal(checkLinear(source).linear, false, source);
  for (const source of linear) assert.equal(checkLinear(source).linear, true, `${source}: ${checkLinear(source).reason}`);
  // `i` widens the sets: [A-Z] before [a-z]+ is no fence then.
  assert.equal(checkLinear('[A-Z][a-z]+=').linear, true);
  assert.equal(checkLinear('[A-Z][a-z]+=', 'i').linear, false);
  // Under `i` without `u`, the titlecase ǅ matches [ǆ] (both canonicalise to Ǆ): no fence either.
  assert.equal(new RegExp('^[ǆ]$', 'i').test('ǅ'), true);
  assert.equal(checkLinear('[ǆ][a-zǅ]+=').linear, true);
  assert.equal(checkLinear('[ǆ][a-zǅ]+=', 'i').linear, false);
  assert.equal(checkLinear('[ǆ][a-z]+=', 'i').linear, true);
  // With `m`, `^` matches after a line terminator inside the text: no anchor.
  assert.equal(checkLinear('^\\d+x', 'm').linear, false);
  // A sticky pattern is tried at one position per call: the search rule does not apply.
  assert.equal(checkLinear('\\d+x', 'y').linear, true);
});

test('flags the checker does not model are rejected with a reason: s (. matches terminators), u and v (case folding)', () => {
  assert.equal(new RegExp('^[s]$', 'iu').test('\u017f'), true); // ſ folds to s only under `iu`
  for (const flags of ['s', 'u', 'iu', 'v', 'gs']) {
    const v = checkLinear('x\\d+y', flags);
    assert.equal(v.linear, false, flags);
    assert.match(v.reason!, /flags? [suv]+ cannot be checked/, flags);
  }
  for (const flags of ['', 'd', 'g', 'i', 'm', 'y', 'gimy']) assert.equal(checkLinear('x\\d+y', flags).linear, true, flags);
});

test('property: a repetition reached after only its own characters, with a tail that can fail, is rejected; fenced, accepted', () => {
  // Each class with a character it does not hold (the fence).
  const cls = fc.constantFrom(['\\d', 'x'], ['\\w', '-'], ['[a-z]', '1'], ['[\\d.]', 'x'], ['\\S', ' '], ['[^,]', ',']);
  const q = fc.constantFrom('+', '*', '{2,}');
  const fail = fc.constantFrom('x', '=', ',', '\\s', '$');
  fc.assert(
    fc.property(cls, q, fail, ([c, fence], q1, f) => {
      // `$` after any of these classes can fail: none covers every character of a line.
      assert.equal(checkLinear(`${c}${q1}${f}`).linear, false, `${c}${q1}${f}`);
      assert.equal(checkLinear(`${c}?${c}${q1}${f}`).linear, false);
      assert.equal(checkLinear(`^${c}${q1}${f}`).linear, true);
      assert.equal(checkLinear(`${fence}${c}${q1}${f}`).linear, true, `${fence}${c}${q1}${f}`);
    }),
    { numRuns: fuzzRuns(0.2) },
  );
});

test('the rewritten field scans find what the unanchored patterns found', () => {
  const pieces = fc.constantFrom('a', 'Z', '_', '1', '2.5', ':', ' ', '  ', 'GiB', '%', 'k', 'M', '-', ',', '(', 'x:', 'tps: 12', 'abc');
  const text = fc.array(pieces, { maxLength: 40 }).map((a) => a.join(''));
  const modded = /(\w+):(\S+)/g;
  const titan = /([A-Za-z_]+):\s*([-\d.,]+(?:[kKMGBTP](?![A-Za-z]))?)(GiB|%)?/g;
  const validation = /\bvalidation loss at (?:iteration\s+)?(\d+)(?:[^\w|][^|]*)?\|(.*)$/;
  const lead = fc.constantFrom('', 'validation loss at ', 'validation loss at iteration  ', ' | ', '|');
  // No line terminators: parseLine splits segments there (see the next test).
  const line = fc.array(fc.oneof(pieces, lead, fc.constantFrom('7', '|')), { maxLength: 30 }).map((a) => a.join(''));
  fc.assert(
    fc.property(text, line, (t, l) => {
      const keyValues = (ms: Iterable<RegExpMatchArray>) => [...ms].map((m) => [m[1], m[2], m[3]]);
      assert.deepEqual(
        keyValues(t.matchAll(BUILT_IN_TEXT_PATTERNS.MODDED_FIELD)),
        keyValues(t.matchAll(modded)).map(([k, v]) => [k, v, undefined]),
        t,
      );
      assert.deepEqual(
        titanFields(t).map((m) => [m.index, ...m]),
        [...t.matchAll(titan)].map((m) => [m.index, ...m]),
        t,
      );
      const v = validation.exec(l);
      assert.deepEqual(megatronValidation(l), v === null ? undefined : { step: Number(v[1]), rest: v[2] }, JSON.stringify(l));
    }),
    { numRuns: fuzzRuns(1) },
  );
});

test('a line is split at U+2028 and U+2029 as at \\r: no pattern sees a line terminator, and the record after one is read', () => {
  // `.` stops at U+2028 and `$` fails there: `(.*)$` on such a segment would be tried from every start.
  const lines = [
    'iter 1: loss 4.0000, time 10.0ms\u2028iter 2: loss 3.9000, time 10.0ms',
    'iter 3: loss 3.8000\u2029validation loss at 3 | lm loss value: 3.7 |',
  ];
  const res = new TextLogReader('/t/train.log').push(lines, 1);
  const steps = res.points.filter((p) => p.metric === 'loss').map((p) => [p.step, p.value, p.line]);
  assert.deepEqual(steps, [
    [1, 4, 1],
    [2, 3.9, 1],
    [3, 3.8, 2],
  ]);
  // Megatron's validation line after U+2028, whose fields (`(.*)$` before) end at the segment's end.
  const megatron = new TextLogReader('/t/train.log').push(
    [' iteration        1/     100 | lm loss: 4.0E+00 |', 'validation loss at 7 |\u2028 validation loss at 8 | lm loss value: 2.5'],
    1,
  );
  assert.deepEqual(
    megatron.points.filter((p) => p.metric === 'lm loss validation').map((p) => [p.step, p.value]),
    [[8, 2.5]],
  );
});

test('user patterns that are not provably linear are rejected, naming the entry and the shape', () => {
  const bad = [
    '(?<step>\\d+)\\s*(?<loss>[\\d.]+)x',
    'iter (?<step>\\d+) (?:a|ab)* loss (?<loss>\\S+)',
    'iter (?<step>\\w+\\d+) loss (?<loss>\\S+)',
    '(?<step>\\d+).*,.*loss=(?<loss>\\S+)',
    // Linear per attempt, quadratic over start positions: a long run of digits without `,`.
    '(?<step>\\d+),(?<loss>\\S+)',
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

test('a lazy quantifier is judged as its greedy form: +? and *? are not optional items', () => {
  // `ret` reads `X+?` as `(X+)?`; taken as optional, these passed rules 3 and 4.
  for (const source of ['\\d+?b+?', '\\d+b+?', '\\d+?b+', 'x\\d+?\\d*?y', '(?<step>\\d+)\\s+?(?<loss>\\S+?)'])
    assert.equal(checkLinear(source).linear, false, source);
  const user = compileUserPatterns(['(?<step>\\d+)\\s+?(?<loss>\\S+?)']);
  assert.equal(user.patterns.length, 0);
  assert.match(user.diagnostics[0]?.message ?? '', /not provably linear/);
  // Whatever the shape, the lazy form gets the greedy form's verdict.
  const cls = fc.constantFrom('\\d', '\\w', '[a-z]', '\\s', '.', 'x');
  const q = fc.constantFrom('+', '*', '?', '{2,}', '{1,3}');
  const lead = fc.constantFrom('', '^', 'x', ':');
  fc.assert(
    fc.property(lead, fc.array(fc.tuple(cls, q, fc.boolean()), { minLength: 1, maxLength: 4 }), cls, (l, reps, tail) => {
      const greedy = l + reps.map(([c, qq]) => c + qq).join('') + tail;
      const lazy = l + reps.map(([c, qq, isLazy]) => c + qq + (isLazy ? '?' : '')).join('') + tail;
      assert.equal(checkLinear(lazy).linear, checkLinear(greedy).linear, `${lazy} vs ${greedy}`);
    }),
    { numRuns: fuzzRuns(0.2) },
  );
});

test('rule 3 looks past the enclosing group: a repetition trailing a group is exempt only when the rest of the pattern always matches', () => {
  const quadratic = [
    '^(?:\\d+\\s*[\\d.]*)?x',
    'x(?:(?<step>\\d+)\\s*(?<loss>[\\d.]*))?y',
    '^(?:[^\\s,]a{2,}.*)?(?=\\S\\S+\\s)', // cubic: 23 s at 4,000 characters
    '^\\d+[\\d.]*$', // `$` fails before a character neither class holds
    '^(?:\\d+|a)\\d*x',
  ];
  const linear = ['^(?:.*,.*)?$', 'x\\d+\\s*[\\d.]*', '^\\s*(?:\\d+: \\s*)?\\d{1,3}%', 'x(?:\\d+\\s*[\\d.]*)?'];
  for (const source of quadratic) assert.equal(checkLinear(source).linear, false, source);
  for (const source of linear) assert.equal(checkLinear(source).linear, true, `${source}: ${checkLinear(source).reason}`);
  // A lookahead after a repetition reads on again from each place the repetition gives back.
  for (const source of ['^\\d+(?=\\d*x)', '^[^,]*(?=\\S\\S+\\s)', '^\\d+(?!\\d*x)', 'x\\d+?(?=\\S+\\s)'])
    assert.equal(checkLinear(source).linear, false, source);
  for (const source of ['^\\d+(?=[a-z]+x)', '^\\d+(?!\\w)']) assert.equal(checkLinear(source).linear, true, source);
  // Each group's branches are checked once, with what follows: 30 optional groups in a row (2^30 paths) are judged.
  assert.equal(checkLinear(Array.from({ length: 30 }, (_, i) => `(?:${String.fromCharCode(97 + (i % 26))}\\d+|z)?`).join('')).linear, true);
  // Wrapping a sequence in a group, optional or not, never changes rule 3's verdict.
  const cls = fc.constantFrom('\\d', '\\w', '[\\d.]', '\\s', '.');
  const q = fc.constantFrom('+', '*', '{2,}');
  const tail = fc.constantFrom('', '$', 'x', '(?=y)', '\\b');
  fc.assert(
    fc.property(cls, q, cls, q, tail, fc.constantFrom('', '?'), (c1, q1, c2, q2, t, opt) => {
      const inner = `${c1}${q1}\\s*${c2}${q2}`;
      const wrapped = `^(?:${inner})${opt}${t}`;
      // Optional, the group may also be skipped, which adds no pair here: the same verdict.
      assert.equal(checkLinear(wrapped).linear, checkLinear(`^${inner}${t}`).linear, wrapped);
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
