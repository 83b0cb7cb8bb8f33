import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDocument, isScalar, isMap, type Node } from 'yaml';
import { topLevelBlocks, YamlView } from '../../src/core/configs/yamlView';

/** What the whole-document parse says about a dotted path: value and source range. */
function wholeGet(text: string, path: string): { value: unknown; range?: { start: number; end: number } } | undefined {
  const doc = parseDocument(text, { strict: false, uniqueKeys: false });
  const n = doc.getIn(path.split('.'), true) as Node | undefined;
  if (!n || typeof n !== 'object') return undefined;
  const range = n.range ? { start: n.range[0], end: n.range[1] } : undefined;
  return { value: isScalar(n) ? n.value : n.toJSON(), range };
}

const CONFIG = [
  '# a generic config',
  'family: sweep',
  'model:',
  '  layers: 24',
  '  d_model: 2048   # width',
  '"quoted key": 3',
  'training:',
  '  lr: 3.0e-4',
  '  nested: { a: 1, b: [2, 3] }',
  'data:',
  '  sources:',
  '    - { name: a, weight: 0.5 }',
  '    - { name: b, weight: 0.5 }',
  '',
].join('\n');

test("yaml view: a plain block mapping is read block by block, with the whole parse's values and ranges", () => {
  const blocks = topLevelBlocks(CONFIG);
  assert.deepEqual(
    blocks?.map((b) => b.key),
    ['family', 'model', 'quoted key', 'training', 'data'],
  );
  const y = new YamlView(CONFIG, '/c.yaml');
  assert.deepEqual(y.errors, []);
  assert.equal(y.isMapping(), true);
  assert.deepEqual(y.keys(), ['family', 'model', 'quoted key', 'training', 'data']);
  assert.deepEqual(y.keys('model'), ['layers', 'd_model']);
  for (const path of ['family', 'model.layers', 'model.d_model', 'quoted key', 'training.lr', 'training.nested', 'data.sources', 'model']) {
    const got = y.get(path);
    const want = wholeGet(CONFIG, path);
    assert.deepEqual(got && { value: got.value, range: got.range }, want, path);
    assert.ok(got?.range && CONFIG.slice(got.range.start, got.range.end).length > 0, path);
  }
  assert.equal(CONFIG.slice(y.get('training.lr')!.range!.start, y.get('training.lr')!.range!.end), '3.0e-4');
});

test('yaml view: documents whose blocks depend on each other are parsed whole', () => {
  for (const text of [
    'base: &b\n  lr: 1\nrun:\n  <<: *b\n',
    '---\nmodel:\n  layers: 2\n',
    '- a\n- b\n',
    'model: [1,\n2]\n',
    'model:\n  layers: 2\nmodel:\n  layers: 3\n',
    '%YAML 1.2\n---\na: 1\n',
    'a: !!str 3\n',
  ]) {
    assert.equal(topLevelBlocks(text), undefined, JSON.stringify(text));
  }
  const y = new YamlView('base: &b\n  lr: 0.5\nrun:\n  <<: *b\n', '/c.yaml');
  assert.equal(y.get('base.lr')?.value, 0.5);
});

test('yaml view: a syntax error in any block is reported on its line of the whole file', () => {
  const text = 'model:\n  layers: 2\ndata:\n  sources: [a, b\nlast: 1\n';
  const y = new YamlView(text, '/c.yaml');
  const whole = parseDocument(text, { strict: false, uniqueKeys: false });
  assert.ok(whole.errors.length > 0);
  assert.ok(y.errors.length > 0);
  assert.ok(
    y.errors.every((e) => (e.line ?? 0) >= 3 && (e.line ?? 0) <= 5),
    JSON.stringify(y.errors),
  );
  assert.match(y.errors[0].message, /^invalid YAML/);
});

test('yaml view: an edited block is parsed again, unchanged ones come from the memo and stay correct', () => {
  const data = Array.from({ length: 200 }, (_, i) => `    - { name: shard-${i}, weight: ${i / 200} }`).join('\n');
  const a = `model:\n  layers: 2\n  d_model: 64\ndata:\n  sources:\n${data}\n`;
  const b = a.replace('layers: 2', 'layers: 12');
  const ya = new YamlView(a, '/c.yaml');
  const yb = new YamlView(b, '/c.yaml');
  assert.equal(ya.get('model.layers')?.value, 2);
  assert.equal(yb.get('model.layers')?.value, 12);
  // The data block moved by one character: its ranges follow the new text.
  const src = yb.get('data.sources')!;
  assert.deepEqual({ value: src.value, range: src.range }, wholeGet(b, 'data.sources'));
  assert.equal((yb.get('data.sources')!.value as unknown[]).length, 200);
});

test('yaml view (property): block-by-block reading agrees with the whole parse on generated mappings', () => {
  const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
  const scalar = fc.oneof(
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.constantFrom('true', 'null', '3.0e-4', 'text', '"quoted: yes"', "'single'", '${model.x}', '???'),
  );
  const inner = fc.uniqueArray(fc.tuple(key, scalar), { selector: (t) => t[0], minLength: 1, maxLength: 4 });
  const block = fc.tuple(
    key,
    fc.oneof(
      scalar.map((v) => ({ kind: 'scalar' as const, v })),
      inner.map((v) => ({ kind: 'map' as const, v })),
    ),
    fc.boolean(),
  );
  fc.assert(
    fc.property(fc.uniqueArray(block, { selector: (b) => b[0], minLength: 1, maxLength: 6 }), (blocks) => {
      const text = blocks
        .map(
          ([k, body, comment]) =>
            (comment ? `# about ${k}\n` : '') +
            (body.kind === 'scalar' ? `${k}: ${body.v}\n` : `${k}:\n${body.v.map(([ik, iv]) => `  ${ik}: ${iv}`).join('\n')}\n\n`),
        )
        .join('');
      assert.ok(topLevelBlocks(text), text);
      const y = new YamlView(text, '/p.yaml');
      const whole = parseDocument(text, { strict: false, uniqueKeys: false });
      assert.equal(y.errors.length, whole.errors.length, text);
      assert.ok(isMap(whole.contents));
      for (const [k, body] of blocks) {
        const paths = body.kind === 'scalar' ? [k] : [k, ...body.v.map(([ik]) => `${k}.${ik}`)];
        for (const p of paths) {
          const w = wholeGet(text, p);
          const g = y.get(p);
          const expected =
            w && w.value !== null && w.value !== '' && w.value !== '???' && !(typeof w.value === 'string' && /^\$\{/.test(w.value)) ? w : undefined;
          assert.deepEqual(g && { value: g.value, range: g.range }, expected, `${p} in\n${text}`);
        }
      }
    }),
    { numRuns: 200 },
  );
});

test("yaml view: a malformed block no reader asks for is still reported, with the whole parse's line", () => {
  const head = 'model:\n  layers: 2\n  d_model: 64\n';
  for (const bad of [
    'data:\n  sources: [a, b\n',
    'data:\n  sources:\n    - { name: a, weight: 0.5\n',
    'data:\n  key: "unterminated\n',
    'data:\n  a: 1\n   b: 2\n',
    'data:\n\tsources: 1\n',
    'data:\n  - a\n  b: 1\n',
    'data: "a quote left open\n',
  ]) {
    const text = `${head}${bad}tail: 1\n`;
    const whole = parseDocument(text, { strict: false, uniqueKeys: false });
    const y = new YamlView(text, '/bad.yaml');
    assert.ok(whole.errors.length > 0, `yaml itself rejects ${JSON.stringify(bad)}`);
    assert.ok(y.errors.length > 0, `reported: ${JSON.stringify(bad)}`);
    // The diagnostics are the whole parse's: same lines, same messages.
    assert.deepEqual(
      y.errors.map((e) => e.line),
      whole.errors.map((e) => text.slice(0, e.pos[0]).split('\n').length),
      JSON.stringify(bad),
    );
    assert.deepEqual(
      y.errors.map((e) => e.message),
      whole.errors.map((e) => `invalid YAML: ${e.message.split('\n')[0]}`),
    );
    // The readers' blocks still read.
    assert.equal(y.get('model.layers')?.value, 2);
  }
});
